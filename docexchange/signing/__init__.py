"""Dual XMLDSig/XAdES signatures on edXML messages and their verification.

See :mod:`docexchange.signing.layout` and ``schemas/README.md`` for where the signatures sit.
"""

from docexchange.signing.policy import HashChoice, SignaturePolicy
from docexchange.signing.result import SignatureVerdict, Verified, VerifiedDocument, VerifiedStatus
from docexchange.signing.signer import countersign_as_agency, sign_as_person, sign_status
from docexchange.signing.verifier import MessageVerifier

__all__ = [
    "HashChoice",
    "MessageVerifier",
    "SignaturePolicy",
    "SignatureVerdict",
    "Verified",
    "VerifiedDocument",
    "VerifiedStatus",
    "countersign_as_agency",
    "sign_as_person",
    "sign_status",
]
