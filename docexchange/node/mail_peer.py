"""Who may open a records-office mail session: the node's rule, applied by the SMTP server."""

from __future__ import annotations

from cryptography import x509

from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki import CertRole, identity_of
from docexchange.registry import Registry


def mail_sender_domain(registry: Registry, cert: x509.Certificate) -> str:
    """The mail domain a client may send from, by the certificate its STARTTLS handshake presented
    (already chained to the simulation's root by the handshake): an organisation certificate of an
    agency of the directory sends as that agency's domain; nothing else sends at all.

    Revocation is judged where the messages are verified, not here: a document signed after its
    signer's revocation is answered 02 ``cert-revoked`` by the receiving node.
    """
    identity = identity_of(cert)
    if identity.role is not CertRole.ORGANISATION:
        raise VerificationError(
            ReasonCode.CERT_WRONG_PURPOSE,
            f"a {identity.role.value} certificate cannot open a records-office mail session; "
            "present the agency's organisation certificate",
        )
    if identity.agency_id not in registry:
        raise VerificationError(
            ReasonCode.UNAUTHENTICATED, f"{identity.agency_id} is not an agency of the directory"
        )
    return registry.get(identity.agency_id).domain
