"""identity_of reads role and agency back from the certificate alone, and refuses when unsure."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from docexchange.errors import ReasonCode, VerificationError
from docexchange.pki import (
    ORGANISATION_POLICY,
    PERSON_POLICY,
    CertificateAuthority,
    CertRole,
    PkiStore,
    generate_key,
    identity_of,
    profiles,
)
from docexchange.pki.identity import check_signing_usage
from tests.pki.conftest import HANOI, NOT_BEFORE, VPCP


def _issuing(store: PkiStore) -> CertificateAuthority:
    return store.intermediate_authority()


def _issue(
    store: PkiStore, subject: x509.Name, extensions: list[x509.Extension[x509.ExtensionType]]
) -> x509.Certificate:
    key = generate_key("ecdsa-p256").public_key()
    return _issuing(store).issue(
        subject, key, extensions, not_before=NOT_BEFORE, not_after=NOT_BEFORE.replace(year=2030)
    )


def _without(
    extensions: list[x509.Extension[x509.ExtensionType]], kind: type[x509.ExtensionType]
) -> list[x509.Extension[x509.ExtensionType]]:
    return [e for e in extensions if not isinstance(e.value, kind)]


def test_organisation_identity_reads_back(store: PkiStore) -> None:
    identity = identity_of(store.organisation(HANOI.id).cert)
    assert identity.role is CertRole.ORGANISATION
    assert identity.agency_id == "000.00.00.H26"
    assert identity.agency_name == "Ủy ban nhân dân Thành phố Hà Nội"
    assert identity.full_name is None and identity.position is None
    assert identity.dns_names == ("hanoi.gov.vn",)
    assert identity.email_addresses == ("vanthu@hanoi.gov.vn",)


def test_person_identity_reads_back(store: PkiStore) -> None:
    identity = identity_of(store.person(VPCP.id).cert)
    assert identity.role is CertRole.PERSON
    assert identity.agency_id == VPCP.id
    assert identity.agency_name == VPCP.name
    assert identity.full_name == "Trần Văn Sơn"
    assert identity.position == "Bộ trưởng, Chủ nhiệm"


def test_long_agency_name_is_shortened_in_cn_but_kept_whole_in_o(store: PkiStore) -> None:
    long_name = "Ủy ban nhân dân tỉnh " + "Bà Rịa – Vũng Tàu và các vùng phụ cận theo quy hoạch " * 2
    agency = replace(HANOI, name=long_name)
    cert = _issuing(store).issue_organisation(
        agency,
        generate_key("ecdsa-p256").public_key(),
        not_before=NOT_BEFORE,
        not_after=NOT_BEFORE.replace(year=2030),
    )
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert isinstance(cn, str) and len(cn.encode()) <= 64 and cn.endswith("…")
    assert long_name.startswith(cn[:-1])
    assert identity_of(cert).agency_name == long_name


def test_certificate_without_role_policy_is_refused(store: PkiStore) -> None:
    extensions = _without(
        profiles.organisation_extensions(VPCP, generate_key("ecdsa-p256").public_key(), store.intermediate),
        x509.CertificatePolicies,
    )
    cert = _issue(store, profiles.organisation_name(VPCP), extensions)
    with pytest.raises(VerificationError) as caught:
        identity_of(cert)
    assert caught.value.code is ReasonCode.CERT_WRONG_PURPOSE


def test_certificate_claiming_both_roles_is_refused(store: PkiStore) -> None:
    extensions = _without(
        profiles.person_extensions(VPCP, generate_key("ecdsa-p256").public_key(), store.intermediate),
        x509.CertificatePolicies,
    )
    both = x509.CertificatePolicies(
        [x509.PolicyInformation(ORGANISATION_POLICY, None), x509.PolicyInformation(PERSON_POLICY, None)]
    )
    extensions.append(x509.Extension(both.oid, False, both))
    with pytest.raises(VerificationError, match="both roles") as caught:
        identity_of(_issue(store, profiles.person_name(VPCP), extensions))
    assert caught.value.code is ReasonCode.CERT_WRONG_PURPOSE


def test_subject_and_san_naming_different_agencies_is_refused(store: PkiStore) -> None:
    key = generate_key("ecdsa-p256").public_key()
    extensions = profiles.organisation_extensions(HANOI, key, store.intermediate)  # SAN says H26
    cert = _issue(store, profiles.organisation_name(VPCP), extensions)  # subject says G22
    with pytest.raises(VerificationError, match=r"000\.00\.00\.G22.*urn:qcvn102:000\.00\.00\.H26") as caught:
        identity_of(cert)
    assert caught.value.code is ReasonCode.CERT_WRONG_PURPOSE


def test_certificate_without_organization_identifier_is_refused(store: PkiStore) -> None:
    subject = x509.Name(
        [a for a in profiles.organisation_name(VPCP) if a.oid != x509.NameOID.ORGANIZATION_IDENTIFIER]
    )
    extensions = profiles.organisation_extensions(
        VPCP, generate_key("ecdsa-p256").public_key(), store.intermediate
    )
    with pytest.raises(VerificationError, match="organizationIdentifier"):
        identity_of(_issue(store, subject, extensions))


def test_leaf_without_document_signing_eku_may_not_sign(store: PkiStore) -> None:
    key = generate_key("ecdsa-p256").public_key()
    extensions = _without(profiles.person_extensions(VPCP, key, store.intermediate), x509.ExtendedKeyUsage)
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION])
    cert = _issue(store, profiles.person_name(VPCP), [*extensions, x509.Extension(eku.oid, False, eku)])
    assert identity_of(cert).role is CertRole.PERSON
    with pytest.raises(VerificationError, match="documentSigning") as caught:
        check_signing_usage(cert)
    assert caught.value.code is ReasonCode.CERT_WRONG_PURPOSE
