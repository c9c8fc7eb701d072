"""One rendered run folder shared by the tests (rendering draws two charts: keep it to once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docexchange.report import render
from tests.report.factories import sample_report

FILES = [
    "report.json",
    "totals.csv",
    "shares.csv",
    "paper_reasons.csv",
    "targets.csv",
    "inputs.csv",
    "calibration.csv",
    "timing.csv",
    "latency_histogram.csv",
    "deadlines.csv",
    "refusals.csv",
    "reconciliation.csv",
    "faults.csv",
    "share_vs_target.png",
    "latency.png",
    "report.html",
]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample report rendered once; treat the folder as read-only."""
    out = tmp_path_factory.mktemp("run") / "out"
    written = render(sample_report(), out)
    assert [p.name for p in written] == FILES
    assert all(p.parent == out for p in written)
    return out
