"""What verification returns: only what was signed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from docexchange.edxml.build import format_datetime
from docexchange.edxml.model import DocumentMessage, StatusMessage
from docexchange.pki import CertificateIdentity, CertRole


@dataclass(frozen=True)
class SignatureVerdict:
    """One verified signature: who signed, when (from the signed properties), with what."""

    role: CertRole
    signature_id: str
    signing_time: datetime
    identity: CertificateIdentity
    certificate: x509.Certificate
    signature_method: str

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "signature_id": self.signature_id,
            "signing_time": format_datetime(self.signing_time),
            "agency_id": self.identity.agency_id,
            "agency_name": self.identity.agency_name,
            "full_name": self.identity.full_name,
            "position": self.identity.position,
            "certificate_serial": format(self.certificate.serial_number, "x"),
            "certificate_sha256": self.fingerprint,
            "signature_method": self.signature_method,
        }


@dataclass(frozen=True)
class VerifiedDocument:
    """A document message whose two signatures, chains and identities all checked out.

    ``message`` is read from the canonical bytes the agency's signature covers (``signed_xml``),
    never from the tree that was handed in.
    """

    message: DocumentMessage
    person: SignatureVerdict
    agency: SignatureVerdict
    signed_xml: bytes
    verified_at: datetime


@dataclass(frozen=True)
class VerifiedStatus:
    """A status message whose agency signature checked out; ``message`` comes from signed content."""

    message: StatusMessage
    agency: SignatureVerdict
    signed_xml: bytes
    verified_at: datetime


Verified = VerifiedDocument | VerifiedStatus
