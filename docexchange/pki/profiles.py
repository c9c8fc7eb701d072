"""Certificate profiles: the subject names and extension sets of each kind of certificate.

Every function here is pure and returns ready-to-use :class:`x509.Name` / :class:`x509.Extension`
values, so a test can take a profile, drop or alter one extension, and hand the result to
:meth:`CertificateAuthority.issue <docexchange.pki.authority.CertificateAuthority.issue>` to make
hostile material.

The extensions are chosen to pass RFC 5280 path validation as current verifiers apply it
(cryptography's ``x509.verification`` and ``openssl verify``): basicConstraints and keyUsage are
critical, every certificate has a subjectKeyIdentifier and every issued one an
authorityKeyIdentifier. The agency identifier is bound twice — subject organizationIdentifier
(2.5.4.97) and a subjectAltName URI ``urn:qcvn102:<id>`` — and the role by a certificatePolicies OID.
The CRL and OCSP addresses point at a name that is never contacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from docexchange.pki.keys import PublicKey
from docexchange.pki.oids import (
    CLIENT_AUTH,
    DOCUMENT_SIGNING,
    EMAIL_PROTECTION,
    ORGANISATION_POLICY,
    PERSON_POLICY,
    PKI_HOST,
    SERVER_AUTH,
    SERVICE_POLICY,
    agency_urn,
)
from docexchange.registry.model import Agency

Extension = x509.Extension[Any]

ISSUER_ORGANISATION = "Ban Cơ yếu Chính phủ (SIMULATION, not a real CA)"
ROOT_COMMON_NAME = "Ban Cơ yếu Chính phủ — simulated root"
INTERMEDIATE_COMMON_NAME = "Ban Cơ yếu Chính phủ — simulated issuing CA"
ROOT_CRL_URL = f"http://{PKI_HOST}/crl/root.crl"
INTERMEDIATE_CRL_URL = f"http://{PKI_HOST}/crl/issuing.crl"
OCSP_URL = f"http://{PKI_HOST}/ocsp"
_MAX_COMMON_NAME = 64  # ub-common-name; cryptography counts it in UTF-8 bytes


def root_name(common_name: str = ROOT_COMMON_NAME) -> x509.Name:
    return _ca_name(common_name)


def intermediate_name(common_name: str = INTERMEDIATE_COMMON_NAME) -> x509.Name:
    return _ca_name(common_name)


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER_ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "docexchange simulation"),
            x509.NameAttribute(NameOID.COMMON_NAME, _common_name(common_name)),
        ]
    )


def organisation_name(agency: Agency) -> x509.Name:
    """C=VN, O=<agency name>, organizationIdentifier=<id>, CN=<agency name>."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency.id),
            x509.NameAttribute(NameOID.COMMON_NAME, _common_name(agency.name)),
        ]
    )


def person_name(agency: Agency) -> x509.Name:
    """C=VN, O=<agency name>, organizationIdentifier=<id>, title=<position>, CN=<full name>."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency.id),
            x509.NameAttribute(NameOID.TITLE, agency.signer.position),
            x509.NameAttribute(NameOID.COMMON_NAME, _common_name(agency.signer.full_name)),
        ]
    )


def _common_name(text: str) -> str:
    """A CN within cryptography's limit of 64 UTF-8 bytes; long names are shortened (O keeps them whole)."""
    if len(text.encode("utf-8")) <= _MAX_COMMON_NAME:
        return text
    while len(text.encode("utf-8")) + len("…".encode()) > _MAX_COMMON_NAME:
        text = text[:-1]
    return text.rstrip() + "…"


def service_name(common_name: str) -> x509.Name:
    """C=VN, O=Văn phòng Chính phủ (the axis operator), CN=<service host>."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Văn phòng Chính phủ"),
            x509.NameAttribute(NameOID.COMMON_NAME, _common_name(common_name)),
        ]
    )


def key_identifiers(subject_key: PublicKey, issuer: x509.Certificate | PublicKey) -> list[Extension]:
    """subjectKeyIdentifier of the subject, authorityKeyIdentifier from the issuer's SKI (or key)."""
    ski = x509.SubjectKeyIdentifier.from_public_key(subject_key)
    if isinstance(issuer, x509.Certificate):
        try:
            issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski)
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(_public_key(issuer))
    else:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer)
    return [_ext(ski, critical=False), _ext(aki, critical=False)]


def ca_extensions(
    subject_key: PublicKey,
    issuer: x509.Certificate | PublicKey,
    *,
    path_length: int | None,
    crl_url: str | None = None,
) -> list[Extension]:
    """A CA: basicConstraints CA with ``path_length``, keyUsage keyCertSign + cRLSign, SKI, AKI."""
    extensions = [
        _ext(x509.BasicConstraints(ca=True, path_length=path_length), critical=True),
        _ext(_key_usage(key_cert_sign=True, crl_sign=True), critical=True),
        *key_identifiers(subject_key, issuer),
    ]
    if crl_url is not None:
        extensions.append(_ext(_crl_distribution_point(crl_url), critical=False))
    return extensions


def organisation_extensions(
    agency: Agency, subject_key: PublicKey, issuer: x509.Certificate | PublicKey
) -> list[Extension]:
    """The agency seal: usable for documents, TLS (server and client) and mail."""
    san = x509.SubjectAlternativeName(
        [
            x509.UniformResourceIdentifier(agency_urn(agency.id)),
            x509.DNSName(agency.domain),
            x509.RFC822Name(agency.mailbox),
        ]
    )
    eku = x509.ExtendedKeyUsage([DOCUMENT_SIGNING, SERVER_AUTH, CLIENT_AUTH, EMAIL_PROTECTION])
    return _leaf_extensions(
        subject_key, issuer, _key_usage(digital_signature=True), eku, san, ORGANISATION_POLICY
    )


def person_extensions(
    agency: Agency, subject_key: PublicKey, issuer: x509.Certificate | PublicKey
) -> list[Extension]:
    """The signer's personal certificate: documents and mail, with non-repudiation."""
    san = x509.SubjectAlternativeName([x509.UniformResourceIdentifier(agency_urn(agency.id))])
    eku = x509.ExtendedKeyUsage([DOCUMENT_SIGNING, EMAIL_PROTECTION])
    usage = _key_usage(digital_signature=True, content_commitment=True)
    return _leaf_extensions(subject_key, issuer, usage, eku, san, PERSON_POLICY)


def service_extensions(
    dns_names: Sequence[str], subject_key: PublicKey, issuer: x509.Certificate | PublicKey
) -> list[Extension]:
    """A network service (the axis): TLS server and client only, its host names in the SAN."""
    san = x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names])
    eku = x509.ExtendedKeyUsage([SERVER_AUTH, CLIENT_AUTH])
    return _leaf_extensions(subject_key, issuer, _key_usage(digital_signature=True), eku, san, SERVICE_POLICY)


def _leaf_extensions(
    subject_key: PublicKey,
    issuer: x509.Certificate | PublicKey,
    usage: x509.KeyUsage,
    eku: x509.ExtendedKeyUsage,
    san: x509.SubjectAlternativeName,
    policy: x509.ObjectIdentifier,
) -> list[Extension]:
    ocsp_url = x509.UniformResourceIdentifier(OCSP_URL)
    ocsp = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, ocsp_url)
    return [
        _ext(x509.BasicConstraints(ca=False, path_length=None), critical=True),
        _ext(usage, critical=True),
        _ext(eku, critical=False),
        _ext(san, critical=False),
        _ext(x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False),
        *key_identifiers(subject_key, issuer),
        _ext(_crl_distribution_point(INTERMEDIATE_CRL_URL), critical=False),
        _ext(x509.AuthorityInformationAccess([ocsp]), critical=False),
    ]


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return x509.CRLDistributionPoints([point])


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _ext(value: x509.ExtensionType, *, critical: bool) -> Extension:
    return x509.Extension(value.oid, critical, value)


def _public_key(cert: x509.Certificate) -> PublicKey:
    key = cert.public_key()
    if not isinstance(key, PublicKey):
        raise TypeError(f"unsupported issuer key {type(key).__name__}")
    return key
