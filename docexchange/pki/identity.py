"""Who a certificate speaks for, read back from the certificate alone.

The role comes from the certificatePolicies OID; the agency identifier from the subject
organizationIdentifier, which must agree with the ``urn:qcvn102:`` subjectAltName URI. Any doubt is
a refusal (:attr:`ReasonCode.CERT_WRONG_PURPOSE`): a certificate that cannot say unambiguously
whom it belongs to cannot sign for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.x509.oid import NameOID

from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki.oids import AGENCY_URN_PREFIX, DOCUMENT_SIGNING, ORGANISATION_POLICY, PERSON_POLICY


class CertRole(StrEnum):
    """What a leaf certificate is for: the agency seal or a named official."""

    ORGANISATION = "organisation"
    PERSON = "person"


_ROLE_BY_POLICY = {ORGANISATION_POLICY: CertRole.ORGANISATION, PERSON_POLICY: CertRole.PERSON}


@dataclass(frozen=True)
class CertificateIdentity:
    """The identity a certificate binds; every field is read from the certificate."""

    role: CertRole
    agency_id: str
    agency_name: str
    full_name: str | None = None
    """The official's name (CN); None on organisation certificates."""
    position: str | None = None
    """The official's position (title, 2.5.4.12); None on organisation certificates."""
    dns_names: tuple[str, ...] = ()
    """subjectAltName dNSName entries (the agency domain on organisation certificates)."""
    email_addresses: tuple[str, ...] = ()
    """subjectAltName rfc822Name entries (the records-office mailbox on organisation certificates)."""


def identity_of(cert: x509.Certificate) -> CertificateIdentity:
    """Read the role and agency binding; VerificationError(CERT_WRONG_PURPOSE) when unclear."""
    subject = _describe(cert)
    role = _role(cert, subject)
    agency_id = _single_attribute(cert, NameOID.ORGANIZATION_IDENTIFIER, "organizationIdentifier")
    if agency_id is None:
        raise _wrong(f"{subject} has no organizationIdentifier (2.5.4.97) naming its agency")
    san = _san(cert)
    uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    urns = [uri for uri in uris if uri.startswith(AGENCY_URN_PREFIX)]
    if len(urns) != 1:
        wanted = f"{AGENCY_URN_PREFIX}<id>"
        raise _wrong(f"{subject} must carry exactly one {wanted} subjectAltName URI, has {len(urns)}")
    if urns[0][len(AGENCY_URN_PREFIX) :] != agency_id:
        raise _wrong(f"{subject} names agency {agency_id} in its subject but {urns[0]} in its subjectAltName")
    agency_name = _single_attribute(cert, NameOID.ORGANIZATION_NAME, "organizationName")
    if agency_name is None:
        raise _wrong(f"{subject} has no organizationName (O)")
    full_name = position = None
    if role is CertRole.PERSON:
        full_name = _single_attribute(cert, NameOID.COMMON_NAME, "commonName")
        if full_name is None:
            raise _wrong(f"{subject} is a personal certificate without a commonName")
        position = _single_attribute(cert, NameOID.TITLE, "title")
    return CertificateIdentity(
        role=role,
        agency_id=agency_id,
        agency_name=agency_name,
        full_name=full_name,
        position=position,
        dns_names=tuple(san.get_values_for_type(x509.DNSName)),
        email_addresses=tuple(san.get_values_for_type(x509.RFC822Name)),
    )


def check_signing_usage(cert: x509.Certificate) -> None:
    """The leaf may sign documents: keyUsage digitalSignature and EKU id-kp-documentSigning."""
    subject = _describe(cert)
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise _wrong(f"{subject} does not allow digitalSignature in its keyUsage")
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise _wrong(f"{subject} has no extendedKeyUsage; id-kp-documentSigning is required") from None
    if DOCUMENT_SIGNING not in eku:
        raise _wrong(f"{subject} is not issued for document signing (no id-kp-documentSigning)")


def describe(cert: x509.Certificate) -> str:
    """A short human reference to a certificate: its CN (or subject) and serial number."""
    return _describe(cert)


def _describe(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    label = str(names[0].value) if names else cert.subject.rfc4514_string() or "(empty subject)"
    return f"certificate “{label}” (serial {cert.serial_number:x})"


def _role(cert: x509.Certificate, subject: str) -> CertRole:
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        raise _wrong(f"{subject} has no certificatePolicies, so no organisation or person role") from None
    roles = {_ROLE_BY_POLICY[p.policy_identifier] for p in policies if p.policy_identifier in _ROLE_BY_POLICY}
    if len(roles) != 1:
        found = "both roles" if roles else "no recognised role policy"
        raise _wrong(f"{subject} carries {found}; exactly one of organisation or person is required")
    return roles.pop()


def _single_attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier, label: str) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    if len(values) > 1:
        raise _wrong(f"{_describe(cert)} has {len(values)} {label} attributes; one is expected")
    value = values[0].value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        raise _wrong(f"{_describe(cert)} has no subjectAltName with its agency identifier") from None


def _wrong(message: str) -> VerificationError:
    return VerificationError(ReasonCode.CERT_WRONG_PURPOSE, message)
