"""Signing as an agency: pick the credentials of the message's sender from a PKI store, check them
first (DOMAIN.md §6: "signing checks the certificate first, then signs"), then sign.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree

from docexchange.edxml.parse import read_document, read_status
from docexchange.edxml.schema import MessageKind, validate
from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki import CertRole, Credential, PathValidator, PkiStore
from docexchange.signing.policy import HashChoice, algorithms_for
from docexchange.signing.signer import countersign_as_agency, sign_as_person, sign_status
from docexchange.signing.verifier import _same_name

Element = etree._Element

AGENCY_SIGNING_DELAY = timedelta(seconds=0)


def _chain(credential: Credential) -> list:  # type: ignore[type-arg]
    return [credential.cert, *credential.chain]


class AgencySigner:
    """Signs messages for any agency whose keys are in ``store``, checking certificates first."""

    def __init__(
        self, store: PkiStore, validator: PathValidator, *, hash_choice: HashChoice = HashChoice.SHA256
    ):
        self.store = store
        self.validator = validator
        self.hash_choice = hash_choice

    def _checked(self, credential: Credential, role: CertRole, at: datetime) -> Credential:
        algorithms_for(credential.key, self.hash_choice)  # refuses unsupported key types early
        self.validator.validate(credential.cert, list(credential.chain), at, role)
        return credential

    def sign(self, root: Element, at: datetime, *, agency_at: datetime | None = None) -> Element:
        """Sign a document (person, then agency) or a status message (agency) as its sender."""
        kind = validate(root)
        if kind is MessageKind.STATUS:
            status = read_status(root)
            org = self._checked(self.store.organisation(status.from_.organ_id), CertRole.ORGANISATION, at)
            return sign_status(
                root, key=org.key, chain=_chain(org), signing_time=at, hash_choice=self.hash_choice
            )
        document = read_document(root)
        sender = document.from_.organ_id
        person = self._checked(self.store.person(sender), CertRole.PERSON, at)
        identity_name = self.validator.validate(
            person.cert, list(person.chain), at, CertRole.PERSON
        ).identity.full_name
        if not _same_name(identity_name or "", document.signer_info.full_name):
            raise VerificationError(
                ReasonCode.SIGNER_MISMATCH,
                f"SignerInfo names {document.signer_info.full_name!r} but {sender}'s signing certificate "
                f"belongs to {identity_name!r}",
            )
        when = agency_at or at + AGENCY_SIGNING_DELAY
        org = self._checked(self.store.organisation(sender), CertRole.ORGANISATION, when)
        signed = sign_as_person(
            root,
            key=person.key,
            chain=_chain(person),
            signing_time=at,
            position=document.signer_info.position,
            hash_choice=self.hash_choice,
        )
        return countersign_as_agency(
            signed, key=org.key, chain=_chain(org), signing_time=when, hash_choice=self.hash_choice
        )
