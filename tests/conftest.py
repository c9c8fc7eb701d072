"""Fixtures shared across test folders."""

from __future__ import annotations

import pytest

from tests.netpki import net_pki, net_registry

__all__ = ["net_pki", "net_registry"]


@pytest.fixture(autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-user state (``new``'s counters) goes under the test session's folder, never the home's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))
