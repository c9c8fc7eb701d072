"""Messages in the framing earlier versions wrote (the envelope as root, ISO dates, the status in a
``Status`` element, the attachment in ``Value``) still read and, when signed, still verify; this
version refuses to sign them, naming why. The two files in ``tests/edxml/legacy/`` were written by
the previous version's ``docexchange new`` and ``docexchange status`` (commit fd1075b)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from docexchange.edxml import MessageKind, parse_message, read_document, read_status, to_bytes
from docexchange.edxml.attachments import encode_attachment
from docexchange.edxml.model import StatusCode
from docexchange.edxml.namespaces import DS_NS, ds, q
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import PkiStore
from docexchange.signing import countersign_as_agency
from docexchange.signing.layout import (
    AGENCY_ID,
    PERSON_ID,
    add_counter_signature_placeholder,
    header_signature,
)
from docexchange.signing.policy import HashChoice
from docexchange.signing.service import AgencySigner
from docexchange.signing.signer import _sign
from tests.signing.conftest import LAO_CAI_ID, SIGNED_AT, VPCP_ID, chain, verifier_for

LEGACY = Path(__file__).resolve().parents[1] / "edxml" / "legacy"
DOCUMENT_ID = f"{VPCP_ID},2018/09/20,7816/VPCP-TTĐT"


def _legacy_document() -> bytes:
    return (LEGACY / "cong-van.edxml").read_bytes()


def test_a_legacy_document_and_status_read_with_their_fields() -> None:
    root, kind = parse_message(_legacy_document())
    assert (root.tag, kind) == (q("edXMLEnvelope"), MessageKind.DOCUMENT)
    message = read_document(root)
    assert (message.document_id, message.from_.organ_id) == (DOCUMENT_ID, VPCP_ID)
    assert message.promulgation_info.promulgation_date == date(2018, 9, 20)  # written 2018-09-20
    assert message.due_date == date(2018, 10, 1)
    assert message.document_type.type_name == "Công văn"
    assert [(a.attachment_name, a.data) for a in message.attachments] == [
        ("phu-luc.txt", "Danh sách đơn vị.\n".encode())
    ]
    status_root, status_kind = parse_message((LEGACY / "status-03.edxml").read_bytes())
    assert status_kind is MessageKind.STATUS
    status = read_status(status_root)
    assert (status.status_code, status.from_.organ_id) == (StatusCode.ACCEPTED, LAO_CAI_ID)
    assert status.response_for.document_id == DOCUMENT_ID
    assert status.timestamp.isoformat() == "2018-09-20T10:15:00+07:00"


def test_this_version_refuses_to_sign_the_legacy_framing_by_name(store: PkiStore) -> None:
    from docexchange.clock import FixedClock
    from docexchange.pki import PathValidator, StoreRevocationSource

    signer = AgencySigner(
        store, PathValidator(store.root, StoreRevocationSource(store, FixedClock(SIGNED_AT)))
    )
    root, _ = parse_message(_legacy_document())
    with pytest.raises(ValueError) as refused:
        signer.sign(root, SIGNED_AT)
    assert str(refused.value) == (
        "its root is edXMLEnvelope: this version signs only the real framing (root edXML); "
        "write the message again with docexchange new or docexchange status"
    )


def _signed_as_earlier_versions_did(store: PkiStore) -> etree._Element:
    """The legacy document signed as earlier versions signed it: the person's signature at
    ``edXMLEnvelope/edXMLHeader``, the agency's countersignature inside it."""
    root, _ = parse_message(_legacy_document())
    header = root.find(q("edXMLHeader"))
    assert header is not None
    etree.SubElement(header, ds("Signature"), nsmap={"ds": DS_NS}, Id="placeholder")
    person, agency = store.person(VPCP_ID), store.organisation(VPCP_ID)
    once = _sign(
        root,
        key=person.key,
        chain=chain(person),
        signature_id=PERSON_ID,
        signing_time=SIGNED_AT,
        claimed_role="Phó Chủ nhiệm",
        description="edXML: chữ ký số của người có thẩm quyền",
        hash_choice=HashChoice.SHA256,
    )
    person_signature = header_signature(once)
    assert person_signature is not None
    add_counter_signature_placeholder(person_signature)
    return _sign(
        once,
        key=agency.key,
        chain=chain(agency),
        signature_id=AGENCY_ID,
        signing_time=SIGNED_AT,
        claimed_role="Văn thư cơ quan",
        description="edXML: chữ ký số của cơ quan, tổ chức",
        hash_choice=HashChoice.SHA256,
    )


def test_this_version_does_not_countersign_the_legacy_framing_either(store: PkiStore) -> None:
    root, _ = parse_message(_legacy_document())
    agency = store.organisation(VPCP_ID)
    with pytest.raises(ValueError) as refused:
        countersign_as_agency(root, key=agency.key, chain=chain(agency), signing_time=SIGNED_AT)
    assert str(refused.value).startswith(
        "its root is edXMLEnvelope: this version signs only the real framing"
    )


def test_a_legacy_signed_document_still_verifies_and_its_attachment_is_still_covered(store: PkiStore) -> None:
    signed = _signed_as_earlier_versions_did(store)
    verified = verifier_for(store).verify_document(to_bytes(signed))
    assert verified.message.document_id == DOCUMENT_ID
    assert verified.message.attachments[0].data == "Danh sách đơn vị.\n".encode()
    value = signed.find(f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('Value')}")
    assert value is not None
    value.text = encode_attachment("phu-luc.txt", "Danh sách đã sửa.\n".encode())
    with pytest.raises(DocexchangeError) as refused:
        verifier_for(store).verify(to_bytes(signed))
    assert refused.value.code is ReasonCode.DIGEST_MISMATCH
