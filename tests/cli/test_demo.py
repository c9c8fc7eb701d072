"""``docexchange demo`` runs the whole Decision 28 exchange on loopback and prints its timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from docexchange.cli.main import main


def test_demo_shows_every_behaviour_the_exchange_needs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["demo", "--workdir", str(tmp_path / "demo"), "--algorithm", "ecdsa-p256"]) == 0
    out = capsys.readouterr().out
    receipts = out.split("receipt column for 01/2018/QĐ-VPCP:")[1]
    assert receipts.count(" 06 at ") == 10  # every pilot completed the decision
    assert "routed         mail   → UBND tỉnh Quảng Ninh: no-axis-connection" in out
    assert "status-02-in          from BTP: mis-sent" in out
    assert "status-15-in          from UBND TP Đà Nẵng" in out
    assert "routed         paper  → BTC: secret" in out
    assert "signed by " in out and "registered" in out
    assert (tmp_path / "demo" / "state" / "axis.sqlite").exists()
