"""Small registries and PKIs for the PKI tests; every PKI is made in a temporary folder."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.pki import PathValidator, PkiStore
from docexchange.registry.model import Agency, AgencyKind, Registry, Signer, Tier

NOT_BEFORE = datetime(2015, 1, 1, tzinfo=VIETNAM_TZ)  # the stores below are valid 2015 → 2035
SIGNING_TIME = datetime(2019, 3, 12, 9, 30, tzinfo=VIETNAM_TZ)
NOW = datetime(2020, 1, 1, tzinfo=VIETNAM_TZ)

VPCP = Agency(
    id="000.00.00.G22",
    name="Văn phòng Chính phủ",
    short_name="VPCP",
    kind=AgencyKind.MINISTRY,
    tier=Tier.MINISTRY,
    domain="chinhphu.gov.vn",
    signer=Signer("Trần Văn Sơn", "Bộ trưởng, Chủ nhiệm"),
)
HANOI = Agency(
    id="000.00.00.H26",
    name="Ủy ban nhân dân Thành phố Hà Nội",
    short_name="UBND",
    kind=AgencyKind.CENTRAL_CITY,
    tier=Tier.CENTRAL_CITY,
    domain="hanoi.gov.vn",
    signer=Signer("Nguyễn Thị Hoa", "Chủ tịch"),
)
VPCP_UNIT = Agency(
    id="000.01.00.G22",
    name="Cục Kiểm soát thủ tục hành chính",
    short_name="KSTT",
    kind=AgencyKind.DEPARTMENT,
    tier=Tier.MINISTRY,
    domain="kstt.chinhphu.gov.vn",
    signer=Signer("Lê Văn Minh", "Cục trưởng"),
    parent="000.00.00.G22",
)


def small_registry() -> Registry:
    return Registry((VPCP, HANOI, VPCP_UNIT))


def make_store(directory: Path, algorithm: str = "ecdsa-p256") -> PkiStore:
    return PkiStore.init(directory, small_registry(), algorithm=algorithm, not_before=NOT_BEFORE, years=20)


def validator_for(store: PkiStore, now: datetime = NOW, *, allow_sha1: bool = False) -> PathValidator:
    return PathValidator(store.root, store.revocation_source(FixedClock(now)), allow_sha1=allow_sha1)


@pytest.fixture
def registry() -> Registry:
    return small_registry()


@pytest.fixture
def store(tmp_path: Path) -> PkiStore:
    """An ECDSA PKI of its own for each test (fast; tests that revoke may change it)."""
    return make_store(tmp_path / "certs")


@pytest.fixture(scope="module")
def rsa_store(tmp_path_factory: pytest.TempPathFactory) -> PkiStore:
    """An RSA-2048 PKI shared by the tests of one module, which must not change it."""
    return make_store(tmp_path_factory.mktemp("rsa") / "certs", "rsa2048")


def write_pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(cert.public_bytes(Encoding.PEM) for cert in certs))
    return path


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the openssl binary; the calling test is skipped when there is none."""
    binary = shutil.which("openssl")
    if binary is None:
        pytest.skip("openssl is not installed")
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, check=False)
