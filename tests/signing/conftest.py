"""A small government PKI per test session (RSA, as the default profile) and signing helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import DocumentMessage, build_document, to_bytes
from docexchange.pki import Credential, PathValidator, PkiStore, StoreRevocationSource
from docexchange.registry import Registry, load_registry
from docexchange.signing import (
    HashChoice,
    MessageVerifier,
    SignaturePolicy,
    countersign_as_agency,
    sign_as_person,
)

VPCP_ID = "000.00.00.G22"
LAO_CAI_ID = "000.00.00.H38"
DA_NANG_ID = "000.00.00.H15"
SIGNED_AT = datetime(2018, 9, 20, 9, 0, tzinfo=VIETNAM_TZ)
VERIFIED_AT = datetime(2018, 9, 20, 10, 0, tzinfo=VIETNAM_TZ)
NOT_BEFORE = datetime(2018, 1, 1, tzinfo=VIETNAM_TZ)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry().filtered([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])


def make_store(directory: Path, registry: Registry, algorithm: str = "rsa2048") -> PkiStore:
    return PkiStore.init(directory, registry, algorithm=algorithm, not_before=NOT_BEFORE, years=20)


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> PkiStore:
    """Shared by read-only tests; tests that revoke make their own store."""
    return make_store(tmp_path_factory.mktemp("pki") / "certs", registry)


def verifier_for(store: PkiStore, at: datetime = VERIFIED_AT, *, allow_sha1: bool = False) -> MessageVerifier:
    clock = FixedClock(at)
    validator = PathValidator(store.root, StoreRevocationSource(store, clock), allow_sha1=allow_sha1)
    return MessageVerifier(validator, policy=SignaturePolicy(allow_sha1=allow_sha1), clock=clock)


def chain(credential: Credential) -> list:  # type: ignore[type-arg]
    return [credential.cert, *credential.chain]


@dataclass
class Signed:
    """Sign a message with any credentials, bypassing the signer's own certificate checks.

    Tests use it to make documents a careful signer would never produce.
    """

    person: Credential
    agency: Credential
    person_at: datetime = SIGNED_AT
    agency_at: datetime = SIGNED_AT + timedelta(minutes=5)
    hash_choice: HashChoice = HashChoice.SHA256

    def root(self, message: DocumentMessage) -> etree._Element:
        once = sign_as_person(
            build_document(message),
            key=self.person.key,
            chain=chain(self.person),
            signing_time=self.person_at,
            position=message.signer_info.position,
            hash_choice=self.hash_choice,
        )
        return countersign_as_agency(
            once,
            key=self.agency.key,
            chain=chain(self.agency),
            signing_time=self.agency_at,
            hash_choice=self.hash_choice,
        )

    def bytes(self, message: DocumentMessage) -> bytes:
        return to_bytes(self.root(message))


SignedFactory = Callable[..., Signed]


@pytest.fixture
def signed_by(store: PkiStore) -> SignedFactory:
    def make(sender: str = VPCP_ID, **kwargs: object) -> Signed:
        return Signed(store.person(sender), store.organisation(sender), **kwargs)  # type: ignore[arg-type]

    return make
