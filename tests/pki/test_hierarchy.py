"""The CA hierarchy and certificate profiles pass RFC 5280 path validation as verifiers apply it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store

from docexchange.pki import DOCUMENT_SIGNING, ORGANISATION_POLICY, PERSON_POLICY, CertRole, PkiStore
from tests.pki.conftest import HANOI, NOW, VPCP, openssl, write_pem

# Document-signing leaves are not TLS clients: accept any EKU, check everything else as Web PKI does.
DOCUMENT_EE_POLICY = ExtensionPolicy.webpki_defaults_ee().may_be_present(
    x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None
)


def _ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(kind)


def test_root_is_a_marked_simulation_in_vietnam(rsa_store: PkiStore) -> None:
    root = rsa_store.root
    assert root.subject == root.issuer
    cn = root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "Ban Cơ yếu Chính phủ — simulated root"
    assert root.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert "SIMULATION" in root.subject.rfc4514_string()


@pytest.mark.parametrize(("which", "path_length"), [("root", 1), ("intermediate", 0)])
def test_cas_have_critical_ca_constraints_and_cert_signing_usage(
    rsa_store: PkiStore, which: str, path_length: int
) -> None:
    cert = rsa_store.root if which == "root" else rsa_store.intermediate
    constraints = _ext(cert, x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value == x509.BasicConstraints(ca=True, path_length=path_length)
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical
    assert isinstance(usage.value, x509.KeyUsage)
    assert usage.value.key_cert_sign and usage.value.crl_sign and not usage.value.digital_signature
    assert isinstance(_ext(cert, x509.SubjectKeyIdentifier).value, x509.SubjectKeyIdentifier)


@pytest.mark.parametrize("role", list(CertRole))
def test_leaves_are_critical_end_entities_with_key_identifiers_linked_to_the_issuer(
    rsa_store: PkiStore, role: CertRole
) -> None:
    cert = rsa_store.credential(VPCP.id, role).cert
    constraints = _ext(cert, x509.BasicConstraints)
    assert constraints.critical and constraints.value == x509.BasicConstraints(ca=False, path_length=None)
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical and isinstance(usage.value, x509.KeyUsage)
    assert usage.value.digital_signature
    assert usage.value.content_commitment is (role is CertRole.PERSON)
    assert not usage.value.key_cert_sign
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    issuer_ski = _ext(rsa_store.intermediate, x509.SubjectKeyIdentifier).value
    assert isinstance(aki, x509.AuthorityKeyIdentifier) and isinstance(issuer_ski, x509.SubjectKeyIdentifier)
    assert aki.key_identifier == issuer_ski.digest
    assert isinstance(rsa_store.credential(VPCP.id, role).key, rsa.RSAPrivateKey)


def test_organisation_certificate_serves_documents_tls_and_mail(rsa_store: PkiStore) -> None:
    cert = rsa_store.organisation(VPCP.id).cert
    eku = _ext(cert, x509.ExtendedKeyUsage).value
    assert isinstance(eku, x509.ExtendedKeyUsage)
    assert set(eku) == {
        DOCUMENT_SIGNING,
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
    }
    san = _ext(cert, x509.SubjectAlternativeName).value
    assert isinstance(san, x509.SubjectAlternativeName)
    assert san.get_values_for_type(x509.DNSName) == ["chinhphu.gov.vn"]
    assert san.get_values_for_type(x509.RFC822Name) == ["vanthu@chinhphu.gov.vn"]
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["urn:qcvn102:000.00.00.G22"]
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == VPCP.id
    policies = _ext(cert, x509.CertificatePolicies).value
    assert isinstance(policies, x509.CertificatePolicies)
    assert [p.policy_identifier for p in policies] == [ORGANISATION_POLICY]


def test_personal_certificate_names_the_signer_and_position(rsa_store: PkiStore) -> None:
    cert = rsa_store.person(VPCP.id).cert
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Trần Văn Sơn"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Bộ trưởng, Chủ nhiệm"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == VPCP.name
    eku = _ext(cert, x509.ExtendedKeyUsage).value
    assert isinstance(eku, x509.ExtendedKeyUsage)
    assert set(eku) == {DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION}
    policies = _ext(cert, x509.CertificatePolicies).value
    assert isinstance(policies, x509.CertificatePolicies)
    assert [p.policy_identifier for p in policies] == [PERSON_POLICY]


def test_role_policies_sit_under_a_uuid_arc() -> None:
    assert ORGANISATION_POLICY.dotted_string.startswith("2.25.")
    assert PERSON_POLICY != ORGANISATION_POLICY


@pytest.mark.parametrize("role", list(CertRole))
@pytest.mark.parametrize("fixture", ["rsa_store", "store"])
def test_cryptography_verifier_accepts_the_chain(
    request: pytest.FixtureRequest, fixture: str, role: CertRole
) -> None:
    pki: PkiStore = request.getfixturevalue(fixture)
    credential = pki.credential(HANOI.id, role)
    verifier = (
        PolicyBuilder()
        .store(Store([pki.root]))
        .time(NOW)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=DOCUMENT_EE_POLICY)
        .build_client_verifier()
    )
    verified = verifier.verify(credential.cert, list(credential.chain))
    assert verified.chain == [credential.cert, pki.intermediate, pki.root]


def test_organisation_certificate_passes_default_web_pki_checks_as_client_and_server(
    rsa_store: PkiStore,
) -> None:
    credential = rsa_store.organisation(HANOI.id)
    builder = PolicyBuilder().store(Store([rsa_store.root])).time(NOW)
    builder.build_client_verifier().verify(credential.cert, list(credential.chain))
    server = builder.build_server_verifier(x509.DNSName("hanoi.gov.vn"))
    assert server.verify(credential.cert, list(credential.chain))[-1] == rsa_store.root


@pytest.mark.parametrize("role", list(CertRole))
@pytest.mark.parametrize("fixture", ["rsa_store", "store"])
def test_openssl_verify_accepts_the_chain(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: str, role: CertRole
) -> None:
    pki: PkiStore = request.getfixturevalue(fixture)
    leaf = write_pem(tmp_path / "leaf.pem", pki.credential(VPCP.id, role).cert)
    result = openssl(
        "verify",
        "-x509_strict",
        "-attime",
        str(int(NOW.timestamp())),
        "-CAfile",
        pki.directory / "root.pem",
        "-untrusted",
        pki.directory / "intermediate.pem",
        leaf,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": OK")


def test_openssl_verify_refuses_a_leaf_listed_on_our_crl(store: PkiStore, tmp_path: Path) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=NOW.replace(year=2019))
    leaf = write_pem(tmp_path / "leaf.pem", store.person(VPCP.id).cert)
    crls = tmp_path / "crls.pem"
    crls.write_bytes(b"".join(crl.public_bytes(Encoding.PEM) for crl in store.crls(NOW)))
    common: list[str | Path] = [
        "-x509_strict",
        "-attime",
        str(int(NOW.timestamp())),
        "-CAfile",
        store.directory / "root.pem",
    ]
    common += ["-untrusted", store.directory / "intermediate.pem", "-crl_check_all", "-CRLfile", crls]
    organisation = write_pem(tmp_path / "org.pem", store.organisation(VPCP.id).cert)
    assert openssl("verify", *common, organisation).returncode == 0
    result = openssl("verify", *common, leaf)
    assert result.returncode != 0
    assert "revoked" in (result.stdout + result.stderr)


def test_ecdsa_variant_uses_p256_keys_and_sha256(store: PkiStore) -> None:
    credential = store.person(HANOI.id)
    assert isinstance(credential.key, ec.EllipticCurvePrivateKey)
    assert isinstance(credential.key.curve, ec.SECP256R1)
    assert credential.cert.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert store.algorithm == "ecdsa-p256"
