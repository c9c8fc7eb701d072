"""A small ECDSA PKI shared by the network tests (TLS only needs speed here, not RSA)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.pki import PkiStore
from docexchange.registry import Registry, load_registry

VPCP_ID, LAO_CAI_ID, DA_NANG_ID = "000.00.00.G22", "000.00.00.H38", "000.00.00.H15"


@pytest.fixture(scope="session")
def net_registry() -> Registry:
    return load_registry().filtered([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])


@pytest.fixture(scope="session")
def net_pki(tmp_path_factory: pytest.TempPathFactory, net_registry: Registry) -> PkiStore:
    directory: Path = tmp_path_factory.mktemp("net") / "certs"
    return PkiStore.init(
        directory, net_registry, algorithm="ecdsa-p256", not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ)
    )
