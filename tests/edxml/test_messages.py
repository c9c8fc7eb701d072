"""Building and reading edXML messages: element order, schema validity, round trips."""

import dataclasses

import pytest
from lxml import etree

from docexchange.edxml import (
    MessageKind,
    StatusCode,
    build_document,
    build_status,
    parse_message,
    read_document,
    read_status,
    to_bytes,
)
from docexchange.edxml.namespaces import EDXML_NS, q
from docexchange.errors import ParseError, ReasonCode
from tests.edxml.factories import document, full_document, status


def test_document_round_trips_through_xml() -> None:
    message = full_document()
    root, kind = parse_message(to_bytes(build_document(message)))
    assert kind is MessageKind.DOCUMENT
    assert read_document(root) == message


def test_a_header_read_leaves_the_attachments_alone() -> None:
    """``attachments=False`` reads everything but the attachments, which it neither decodes nor
    checks: a broken attachment is refused by a full read only."""
    message = full_document()
    root = build_document(message)
    assert message.attachments
    assert read_document(root, attachments=False) == dataclasses.replace(message, attachments=())
    value = root.find(f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('Value')}")
    assert value is not None
    value.text = "UEsDBA=="  # "PK\x03\x04" and nothing more: not a readable zip archive
    root, _ = parse_message(to_bytes(root))
    assert read_document(root, attachments=False).subject == message.subject
    with pytest.raises(ParseError) as refused:
        read_document(root)
    assert refused.value.code is ReasonCode.INVALID_ATTACHMENT


def test_every_status_code_builds_a_valid_status_message() -> None:
    for code in StatusCode:
        message = status(code)
        root, kind = parse_message(to_bytes(build_status(message)))
        assert kind is MessageKind.STATUS
        assert read_status(root) == message
        assert root.findtext(f"{q('edXMLHeader')}/{q('Status')}/{q('StatusCode')}") == code.wire


def test_header_elements_follow_the_standard_order() -> None:
    root = build_document(full_document())
    header = root.find(f"{q('edXMLHeader')}/{q('MessageHeader')}")
    assert header is not None
    names = [etree.QName(child).localname for child in header]
    assert names[:2] == ["From", "To"]
    assert names[names.index("To") + 2 :] == [
        "DocumentId",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "ToPlaces",
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
    ]
    assert root.nsmap["edXML"] == EDXML_NS


def test_bussiness_keeps_the_standards_spelling() -> None:
    root = build_document(full_document())
    node = root.find(f"{q('edXMLHeader')}/{q('TraceHeaderList')}/{q('Bussiness')}/{q('BussinessDocType')}")
    assert node is not None and node.text == "1"


def test_attachments_are_zipped_base64_with_one_manifest_entry_each() -> None:
    root = build_document(document())
    refs = root.findall(f"{q('edXMLBody')}/{q('edXMLManifest')}/{q('Reference')}")
    encoded = root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}")
    assert len(refs) == len(encoded) == 1
    value = encoded[0].findtext(q("Value")) or ""
    import base64

    assert base64.b64decode(value)[:2] == b"PK"  # a zip archive
    assert encoded[0].findtext(q("ContentTransferEncoded")) == "base64"


def test_attachment_names_with_paths_are_schema_invalid() -> None:
    import pytest

    from docexchange.edxml import Attachment
    from docexchange.errors import ParseError, ReasonCode

    for name in ("../../etc/cron.d/x", "thu-muc/tep.pdf", "C:\\tep.pdf", ".an"):
        message = document(attachments=(Attachment("att1", name, "text/plain", b"x"),))
        with pytest.raises(ParseError) as refused:
            parse_message(to_bytes(build_document(message)))
        assert refused.value.code is ReasonCode.SCHEMA_INVALID, name
    fine = document(attachments=(Attachment("att1", "Phụ lục 1 – Danh sách.pdf", "application/pdf", b"x"),))
    assert parse_message(to_bytes(build_document(fine)))[1] is MessageKind.DOCUMENT
