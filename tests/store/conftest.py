from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docexchange.store import HubStore, NodeStore
from tests.store.factories import VPCP


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


@pytest.fixture
def node(db_path: Path) -> Iterator[NodeStore]:
    with NodeStore(db_path, VPCP) as store:
        yield store


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubStore]:
    with HubStore(tmp_path / "hub.sqlite3") as store:
        yield store
