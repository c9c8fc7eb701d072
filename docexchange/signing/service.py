"""Signing as an agency: pick the credentials of the message's sender from a PKI store, check them
first (DOMAIN.md §6: "signing checks the certificate first, then signs"), then sign.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.x509 import Certificate
from lxml import etree

from docexchange.edxml.parse import read_document, read_status
from docexchange.edxml.schema import MessageKind, validate
from docexchange.errors import ParseError, ReasonCode, VerificationError
from docexchange.pki import CertRole, Credential, PathValidator, PkiStore, ValidatedChain
from docexchange.signing.policy import HashChoice, algorithms_for
from docexchange.signing.signer import countersign_as_agency, sign_as_person, sign_status
from docexchange.signing.verifier import same_person_name

Element = etree._Element


def _chain(credential: Credential) -> list[Certificate]:
    return [credential.cert, *credential.chain]


class AgencySigner:
    """Signs messages for any agency whose keys are in ``store``, checking certificates first."""

    def __init__(
        self, store: PkiStore, validator: PathValidator, *, hash_choice: HashChoice = HashChoice.SHA256
    ) -> None:
        self.store = store
        self.validator = validator
        self.hash_choice = hash_choice

    def _checked(self, credential: Credential, role: CertRole, at: datetime) -> ValidatedChain:
        algorithms_for(credential.key, self.hash_choice)  # refuses unsupported key types early
        return self.validator.validate(credential.cert, list(credential.chain), at, role)

    def sign(self, root: Element, at: datetime, *, agency_at: datetime | None = None) -> Element:
        """Sign a document (person, then agency) or a status message (agency) as its sender."""
        try:
            kind = validate(root, strict=True)
        except ParseError as exc:  # a signature endorses the content: no ambiguous or loose form
            raise ParseError(
                exc.code, f"this version signs a message only in exactly the form it writes: {exc.message}"
            ) from None
        if kind is MessageKind.STATUS:
            org = self.store.organisation(read_status(root).from_.organ_id)
            self._checked(org, CertRole.ORGANISATION, at)
            return sign_status(
                root, key=org.key, chain=_chain(org), signing_time=at, hash_choice=self.hash_choice
            )
        document = read_document(root, attachments=False)
        sender = document.from_.organ_id
        person = self.store.person(sender)
        holder = self._checked(person, CertRole.PERSON, at).identity.full_name or ""
        if not same_person_name(holder, document.signer_info.full_name):
            raise VerificationError(
                ReasonCode.SIGNER_MISMATCH,
                f"SignerInfo names {document.signer_info.full_name!r} but {sender}'s signing certificate "
                f"belongs to {holder!r}",
            )
        when = agency_at or at
        org = self.store.organisation(sender)
        self._checked(org, CertRole.ORGANISATION, when)
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
