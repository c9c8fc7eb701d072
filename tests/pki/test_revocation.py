"""Revocation records, the CRLs and OCSP answers made from them, and CRL-backed revocation sources."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.errors import PkiError, ReasonCode, VerificationError
from docexchange.pki import (
    CertificateAuthority,
    CertRole,
    CrlRevocationSource,
    PkiStore,
    RevocationRecord,
    build_crl,
    generate_key,
)
from tests.pki.conftest import HANOI, NOT_BEFORE, NOW, VPCP

EARLY = datetime(2018, 5, 1, 8, 0, tzinfo=VIETNAM_TZ)
LATE = datetime(2019, 11, 20, 14, 15, tzinfo=VIETNAM_TZ)


def _verify(public_key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm) -> None:
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
    else:
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(signature, data, ec.ECDSA(algorithm))


def test_revoke_records_durably_with_time_offset_and_reason(store: PkiStore) -> None:
    records = store.revoke(VPCP.id, CertRole.PERSON, at=EARLY, reason=x509.ReasonFlags.affiliation_changed)
    assert records == [
        RevocationRecord(
            store.person(VPCP.id).cert.serial_number,
            VPCP.id,
            CertRole.PERSON,
            EARLY,
            x509.ReasonFlags.affiliation_changed,
        )
    ]
    saved = json.loads((store.directory / "revocations.json").read_text(encoding="utf-8"))["revocations"]
    assert saved == [
        {
            "serial": f"{records[0].serial_number:x}",
            "agency_id": VPCP.id,
            "role": "person",
            "revoked_at": "2018-05-01T08:00:00+07:00",
            "reason": "affiliationChanged",
        }
    ]
    assert PkiStore.open(store.directory).revocations == tuple(records)


def test_revoke_without_role_revokes_both_certificates(store: PkiStore) -> None:
    records = store.revoke(HANOI.id, at=EARLY)
    assert {r.role for r in records} == {CertRole.ORGANISATION, CertRole.PERSON}
    assert all(r.reason is x509.ReasonFlags.key_compromise for r in records)


def test_revoking_twice_is_refused_and_records_nothing(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=EARLY)
    with pytest.raises(PkiError, match="already revoked since 2018-05-01T08:00:00") as caught:
        store.revoke(VPCP.id, at=LATE)  # person again, plus organisation
    assert caught.value.code is ReasonCode.INVALID_ARGUMENT
    assert len(PkiStore.open(store.directory).revocations) == 1


def test_revoking_an_unknown_agency_is_refused(store: PkiStore) -> None:
    with pytest.raises(PkiError) as caught:
        store.revoke("000.00.00.X99", at=EARLY)
    assert caught.value.code is ReasonCode.UNKNOWN_AGENCY


def test_crl_lists_exactly_the_revocations_up_to_its_time(store: PkiStore) -> None:
    early = store.revoke(VPCP.id, CertRole.PERSON, at=EARLY)[0]
    late = store.revoke(HANOI.id, CertRole.ORGANISATION, at=LATE, reason=x509.ReasonFlags.superseded)[0]

    before_any = store.crl(EARLY - timedelta(seconds=1))
    assert len(before_any) == 0

    between = store.crl(datetime(2019, 1, 1, tzinfo=VIETNAM_TZ))
    assert [entry.serial_number for entry in between] == [early.serial_number]
    entry = between.get_revoked_certificate_by_serial_number(early.serial_number)
    assert entry is not None and entry.revocation_date_utc == EARLY
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        is x509.ReasonFlags.key_compromise
    )

    exactly_late = store.crl(LATE)
    assert {e.serial_number for e in exactly_late} == {early.serial_number, late.serial_number}


def test_crl_is_signed_by_the_intermediate_with_number_aki_and_update_times(store: PkiStore) -> None:
    crl = store.crl(NOW)
    assert crl.issuer == store.intermediate.subject
    assert crl.is_signature_valid(store.intermediate.public_key())  # type: ignore[arg-type]
    assert not crl.is_signature_valid(store.root.public_key())  # type: ignore[arg-type]
    assert crl.last_update_utc == NOW
    assert crl.next_update_utc == NOW + timedelta(days=1)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == int(NOW.timestamp())
    assert (
        store.crl(NOW + timedelta(hours=1))
        .extensions.get_extension_for_class(x509.CRLNumber)
        .value.crl_number
        > number
    )
    aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = store.intermediate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest


def test_ocsp_good_then_revoked_with_the_revocation_time(store: PkiStore) -> None:
    cert = store.person(VPCP.id).cert
    store.revoke(VPCP.id, CertRole.PERSON, at=LATE)

    good = store.ocsp_response(cert, EARLY)
    assert good.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert good.this_update_utc == EARLY and good.serial_number == cert.serial_number

    revoked = store.ocsp_response(cert, NOW)
    assert revoked.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_time_utc == LATE
    assert revoked.revocation_reason is x509.ReasonFlags.key_compromise

    for response in (good, revoked):
        assert (
            response.responder_key_hash
            == store.intermediate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        )
        assert response.signature_hash_algorithm is not None
        _verify(
            store.intermediate.public_key(),
            response.signature,
            response.tbs_response_bytes,
            response.signature_hash_algorithm,
        )


def test_ocsp_for_a_certificate_of_another_pki_is_unauthorized(store: PkiStore) -> None:
    foreign_root = CertificateAuthority.create_root(
        generate_key("ecdsa-p256"), not_before=NOT_BEFORE, not_after=NOT_BEFORE.replace(year=2030)
    )
    foreign = foreign_root.issue_person(
        VPCP,
        generate_key("ecdsa-p256").public_key(),
        not_before=NOT_BEFORE,
        not_after=NOT_BEFORE.replace(year=2030),
    )
    response = store.ocsp_response(foreign, NOW)
    assert response.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_ocsp_for_the_intermediate_is_answered_by_the_root(store: PkiStore) -> None:
    response = store.ocsp_response(store.intermediate, NOW)
    assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert response.signature_hash_algorithm is not None
    _verify(
        store.root.public_key(),
        response.signature,
        response.tbs_response_bytes,
        response.signature_hash_algorithm,
    )


def test_crl_source_reads_revocation_from_a_genuine_crl(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=EARLY)
    source = CrlRevocationSource(store.crls(NOW))
    status = source.status(store.person(VPCP.id).cert, store.intermediate)
    assert status.revoked_at == EARLY and status.reason is x509.ReasonFlags.key_compromise
    assert not source.status(store.organisation(VPCP.id).cert, store.intermediate).revoked
    assert not source.status(store.intermediate, store.root).revoked


def test_crl_signed_by_another_key_is_not_trusted(store: PkiStore) -> None:
    store.revoke(VPCP.id, CertRole.PERSON, at=EARLY)
    # An attacker's CRL: the issuing CA's name and key identifier, a newer date, nobody revoked.
    impostor = CertificateAuthority(store.intermediate, generate_key("ecdsa-p256"))
    forged = build_crl(impostor, [], NOW + timedelta(days=30))
    person = store.person(VPCP.id).cert

    with pytest.raises(VerificationError, match=r"revocation status .* is unknown") as caught:
        CrlRevocationSource([forged]).status(person, store.intermediate)
    assert caught.value.code is ReasonCode.REVOCATION_UNKNOWN

    source = CrlRevocationSource([forged, store.crl(NOW)])
    assert source.status(person, store.intermediate).revoked_at == EARLY
    assert source.rejected == [forged]


def test_crl_of_another_issuer_does_not_answer_for_this_one(store: PkiStore) -> None:
    with pytest.raises(VerificationError):
        CrlRevocationSource([store.authority_crl(NOW)]).status(store.person(VPCP.id).cert, store.intermediate)


def test_store_source_knows_only_revocations_effective_at_the_clock_time(store: PkiStore) -> None:
    clock = FixedClock(EARLY - timedelta(days=1))
    source = store.revocation_source(clock)
    person = store.person(VPCP.id).cert
    store.revoke(VPCP.id, CertRole.PERSON, at=EARLY)
    assert not source.status(person, store.intermediate).revoked
    clock.set(EARLY)
    assert source.status(person, store.intermediate).revoked_at == EARLY


def test_record_times_are_whole_seconds(store: PkiStore) -> None:
    record = store.revoke(VPCP.id, CertRole.PERSON, at=EARLY.replace(microsecond=999_999))[0]
    assert record.revoked_at == EARLY
