"""TLS contexts built from the simulation's own CA, and who is on the other end.

Only the simulation's root is trusted — never the system's CA bundle. Servers ask for a client
certificate but do not require one at the TLS level (``CERT_OPTIONAL``), so that a client without
one gets a clear HTTP 401 / SMTP 530 with a reason instead of a bare handshake failure; a client
certificate from another CA still fails the handshake (unknown CA).
"""

from __future__ import annotations

import os
import ssl
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki import CertRole, Credential, PathValidator

MINIMUM_TLS = ssl.TLSVersion.TLSv1_2


def _load_credential(context: ssl.SSLContext, credential: Credential) -> None:
    """ssl wants files: write the chain and key to a private temporary folder, load, delete."""
    chain = b"".join(cert.public_bytes(Encoding.PEM) for cert in (credential.cert, *credential.chain))
    key = credential.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    with tempfile.TemporaryDirectory(prefix="docexchange-tls-") as folder:
        cert_path, key_path = Path(folder) / "chain.pem", Path(folder) / "key.pem"
        cert_path.write_bytes(chain)
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(key)
        context.load_cert_chain(cert_path, key_path)


def _trust(context: ssl.SSLContext, root: x509.Certificate) -> None:
    context.load_verify_locations(cadata=root.public_bytes(Encoding.PEM).decode("ascii"))


def server_context(credential: Credential, root: x509.Certificate) -> ssl.SSLContext:
    """A TLS server presenting ``credential`` and asking clients for a certificate under ``root``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_TLS
    _load_credential(context, credential)
    _trust(context, root)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


def client_context(root: x509.Certificate, credential: Credential | None = None) -> ssl.SSLContext:
    """A TLS client that trusts only ``root`` and checks host names; presents ``credential`` if given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = MINIMUM_TLS
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    _trust(context, root)
    if credential is not None:
        _load_credential(context, credential)
    return context


def peer_certificate(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> x509.Certificate | None:
    """The certificate the peer presented (already verified against the root by the handshake)."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return x509.load_der_x509_certificate(der) if der else None


def authenticated_agency(
    cert: x509.Certificate | None,
    validator: PathValidator,
    intermediates: list[x509.Certificate],
    at: datetime,
) -> str:
    """The agency an organisation certificate speaks for, after a full path and revocation check.

    VerificationError with ``unauthenticated`` when there is no certificate; the validator's reason
    (``cert-revoked``, ``cert-wrong-purpose`` for a personal certificate, …) otherwise.
    """
    if cert is None:
        raise VerificationError(ReasonCode.UNAUTHENTICATED, "no client certificate was presented")
    return validator.validate(cert, intermediates, at, CertRole.ORGANISATION).identity.agency_id
