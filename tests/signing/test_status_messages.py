"""Status messages carry one signature, the receiving agency's, and are checked like documents."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from docexchange.edxml import (
    Organization,
    ResponseFor,
    StatusCode,
    StatusMessage,
    build_status,
    to_bytes,
)
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import PkiStore
from docexchange.signing import sign_as_person, sign_status
from tests.signing.conftest import LAO_CAI_ID, SIGNED_AT, VPCP_ID, chain, verifier_for

DOCUMENT_ID = "000.00.00.G22,2018/09/20,7816/VPCP-TTĐT"


def status_from(agency_id: str, code: StatusCode = StatusCode.ACCEPTED) -> StatusMessage:
    return StatusMessage(
        response_for=ResponseFor(VPCP_ID, "7816/VPCP-TTĐT", date(2018, 9, 20), DOCUMENT_ID),
        from_=Organization(agency_id, "Ủy ban nhân dân tỉnh Lào Cai"),
        status_code=code,
        description="Đã tiếp nhận",
        timestamp=SIGNED_AT + timedelta(minutes=20),
    )


def signed_status(store: PkiStore, message: StatusMessage, signer_id: str) -> bytes:
    org = store.organisation(signer_id)
    root = sign_status(build_status(message), key=org.key, chain=chain(org), signing_time=message.timestamp)
    return to_bytes(root)


def test_status_signed_by_the_receiving_agency_verifies(store: PkiStore) -> None:
    verified = verifier_for(store).verify_status(signed_status(store, status_from(LAO_CAI_ID), LAO_CAI_ID))
    assert verified.message.status_code is StatusCode.ACCEPTED
    assert verified.message.response_for.document_id == DOCUMENT_ID
    assert verified.agency.identity.agency_id == LAO_CAI_ID


def test_status_claiming_another_agency_is_refused(store: PkiStore) -> None:
    forged = signed_status(store, status_from(LAO_CAI_ID), VPCP_ID)
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(forged)
    assert refused.value.code is ReasonCode.SIGNER_NOT_SENDER


def test_status_code_changed_after_signing_is_refused(store: PkiStore) -> None:
    data = signed_status(store, status_from(LAO_CAI_ID), LAO_CAI_ID)
    tampered = data.replace(b"<edXML:StatusCode>03<", b"<edXML:StatusCode>06<")
    assert tampered != data
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(tampered)
    assert refused.value.code is ReasonCode.DIGEST_MISMATCH


def test_status_signed_with_a_personal_certificate_is_refused(store: PkiStore) -> None:
    person = store.person(LAO_CAI_ID)
    root = sign_as_person(
        build_status(status_from(LAO_CAI_ID)),
        key=person.key,
        chain=chain(person),
        signing_time=SIGNED_AT,
        position="Chủ tịch",
    )
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(to_bytes(root))
    assert refused.value.code is ReasonCode.CERT_WRONG_PURPOSE


def test_unsigned_status_is_missing_signature(store: PkiStore) -> None:
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(to_bytes(build_status(status_from(LAO_CAI_ID))))
    assert refused.value.code is ReasonCode.MISSING_SIGNATURE


def test_verify_document_refuses_a_status_message(store: PkiStore) -> None:
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify_document(signed_status(store, status_from(LAO_CAI_ID), LAO_CAI_ID))
    assert refused.value.code is ReasonCode.SCHEMA_INVALID
