"""SHA-1 certificates for simulating 2016–2019 material, which cryptography refuses to sign itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import SignatureAlgorithmOID

from docexchange.pki import CertificateAuthority, PkiStore, generate_key, identity_of, resign_with_sha1
from docexchange.pki.pathcheck import signature_is_valid
from tests.pki.conftest import NOT_BEFORE, NOW, VPCP, openssl, write_pem

END = NOT_BEFORE.replace(year=2035)


@pytest.mark.parametrize(
    ("algorithm", "oid"),
    [("rsa2048", SignatureAlgorithmOID.RSA_WITH_SHA1), ("ecdsa-p256", SignatureAlgorithmOID.ECDSA_WITH_SHA1)],
)
def test_sha1_certificate_keeps_every_field_and_verifies(algorithm: str, oid: object) -> None:
    root = CertificateAuthority.create_root(generate_key(algorithm), not_before=NOT_BEFORE, not_after=END)
    modern = root.issue_person(
        VPCP, generate_key(algorithm).public_key(), not_before=NOT_BEFORE, not_after=END
    )
    legacy = resign_with_sha1(modern, root.key)
    assert legacy.signature_algorithm_oid == oid
    assert isinstance(legacy.signature_hash_algorithm, hashes.SHA1)
    assert (legacy.subject, legacy.issuer, legacy.serial_number) == (
        modern.subject,
        modern.issuer,
        modern.serial_number,
    )
    assert (legacy.not_valid_before_utc, legacy.not_valid_after_utc) == (
        modern.not_valid_before_utc,
        modern.not_valid_after_utc,
    )
    assert list(legacy.extensions) == list(modern.extensions)
    assert identity_of(legacy) == identity_of(modern)
    assert signature_is_valid(legacy, root.cert)
    other = CertificateAuthority.create_root(generate_key(algorithm), not_before=NOT_BEFORE, not_after=END)
    assert not signature_is_valid(legacy, other.cert)


def test_cryptography_still_refuses_to_sign_certificates_with_sha1() -> None:
    """Why legacy.py exists; if this starts failing, resign_with_sha1 can become builder.sign(…, SHA1())."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.x509 import CertificateBuilder

    key = generate_key("ecdsa-p256")
    root = CertificateAuthority.create_root(key, not_before=NOT_BEFORE, not_after=END)
    builder = (
        CertificateBuilder()
        .subject_name(root.cert.subject)
        .issuer_name(root.cert.subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(END)
    )
    with pytest.raises(UnsupportedAlgorithm):
        builder.sign(key, hashes.SHA1())  # type: ignore[arg-type]  # the refusal is the point


def test_openssl_verifies_our_sha1_signature_at_security_level_0(rsa_store: PkiStore, tmp_path: Path) -> None:
    leaf = rsa_store.intermediate_authority().issue_person(
        VPCP,
        generate_key("rsa2048").public_key(),
        not_before=NOT_BEFORE,
        not_after=END,
        hash_algorithm=hashes.SHA1(),
    )
    result = openssl(
        "verify",
        "-auth_level",
        "0",
        "-attime",
        str(int(NOW.timestamp())),
        "-CAfile",
        rsa_store.directory / "root.pem",
        "-untrusted",
        rsa_store.directory / "intermediate.pem",
        write_pem(tmp_path / "leaf.pem", leaf),
    )
    assert result.returncode == 0, result.stdout + result.stderr
