"""Explicit path checks for chains that cryptography's verifier will not look at: SHA-1 signatures.

cryptography's ``x509.verification`` accepts only the Web PKI signature algorithms and offers no
switch for SHA-1; ``Certificate.verify_directly_issued_by`` refuses SHA-1 as well. A validator
told to accept the rsa-sha1 material of 2016–2019 (``allow_sha1=True``) therefore checks such a
path here, doing what RFC 5280 §6.1 asks of our certificates:

* issuer/subject names chain and each signature verifies with the issuer's public key (done here
  from the signature algorithm OID, with the hash it names);
* authorityKeyIdentifier matches the issuer's subjectKeyIdentifier when both are present;
* every issuer is a CA (basicConstraints cA=TRUE), may sign certificates (keyUsage keyCertSign when
  keyUsage is present) and respects its pathLenConstraint; the leaf is not a CA;
* every certificate is X.509 v3, RSA keys have at least 2048 bits, and no certificate carries a
  critical extension this check does not process.

Validity periods, revocation and the leaf's role are checked by the caller, as for any path.
Policy processing and name constraints are not implemented (a critical nameConstraints is refused).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtensionOID, SignatureAlgorithmOID

from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki.identity import describe

MINIMUM_RSA_BITS = 2048

_RSA_PKCS1: dict[x509.ObjectIdentifier, hashes.HashAlgorithm] = {
    SignatureAlgorithmOID.RSA_WITH_SHA1: hashes.SHA1(),
    SignatureAlgorithmOID.RSA_WITH_SHA256: hashes.SHA256(),
    SignatureAlgorithmOID.RSA_WITH_SHA384: hashes.SHA384(),
    SignatureAlgorithmOID.RSA_WITH_SHA512: hashes.SHA512(),
}
_ECDSA: dict[x509.ObjectIdentifier, hashes.HashAlgorithm] = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA1: hashes.SHA1(),
    SignatureAlgorithmOID.ECDSA_WITH_SHA256: hashes.SHA256(),
    SignatureAlgorithmOID.ECDSA_WITH_SHA384: hashes.SHA384(),
    SignatureAlgorithmOID.ECDSA_WITH_SHA512: hashes.SHA512(),
}
_PROCESSED_CRITICAL = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.CERTIFICATE_POLICIES,
}


def check_path(path: Sequence[x509.Certificate]) -> None:
    """Check ``path`` (leaf first, trust anchor last); VerificationError(UNTRUSTED_CHAIN) on failure."""
    if len(path) < 2:
        raise _untrusted("a path needs a leaf and a trust anchor")
    try:
        for cert in path:
            _check_common(cert)
        leaf_constraints = _basic_constraints(path[0])
        if leaf_constraints is not None and leaf_constraints.ca:
            raise _untrusted(f"{describe(path[0])} is a CA certificate, not an end-entity one")
        for depth, (cert, issuer) in enumerate(itertools.pairwise(path)):
            _check_issuer(issuer, intermediates_below=depth)
            _check_link(cert, issuer)
    except ValueError as exc:  # malformed or duplicated extensions
        raise _untrusted(f"unreadable certificate in the path ({exc})") from exc


def _check_common(cert: x509.Certificate) -> None:
    if cert.version is not x509.Version.v3:
        raise _untrusted(f"{describe(cert)} is not an X.509 v3 certificate")
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MINIMUM_RSA_BITS:
        raise _untrusted(f"{describe(cert)} has a {key.key_size}-bit RSA key")
    for extension in cert.extensions:
        if extension.critical and extension.oid not in _PROCESSED_CRITICAL:
            oid = extension.oid.dotted_string
            raise _untrusted(f"{describe(cert)} has a critical extension this check cannot process ({oid})")


def _check_issuer(issuer: x509.Certificate, *, intermediates_below: int) -> None:
    constraints = _basic_constraints(issuer)
    if constraints is None or not constraints.ca:
        raise _untrusted(f"{describe(issuer)} issues certificates but is not a CA")
    if constraints.path_length is not None and intermediates_below > constraints.path_length:
        limit = constraints.path_length
        raise _untrusted(f"{describe(issuer)} allows {limit} CAs below it; the path has more")
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.key_cert_sign:
        raise _untrusted(f"{describe(issuer)} may not sign certificates (no keyCertSign)")


def _check_link(cert: x509.Certificate, issuer: x509.Certificate) -> None:
    if cert.issuer != issuer.subject:
        raise _untrusted(f"{describe(cert)} names another issuer than {describe(issuer)}")
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        aki = ski = None
    if aki is not None and ski is not None and aki != ski:
        raise _untrusted(f"{describe(cert)} names another issuer key than {describe(issuer)}")
    if not signature_is_valid(cert, issuer):
        raise _untrusted(f"signature of {describe(cert)} does not verify with the key of {describe(issuer)}")


def signature_is_valid(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key verifies ``cert``'s signature (RSA PKCS#1 v1.5 or ECDSA, SHA-1…SHA-512)."""
    key = issuer.public_key()
    oid = cert.signature_algorithm_oid
    try:
        if oid in _RSA_PKCS1 and isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), _RSA_PKCS1[oid])
            return True
        if oid in _ECDSA and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(_ECDSA[oid]))
            return True
    except InvalidSignature:
        return False
    return False


def _basic_constraints(cert: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


def _untrusted(message: str) -> VerificationError:
    return VerificationError(ReasonCode.UNTRUSTED_CHAIN, message)
