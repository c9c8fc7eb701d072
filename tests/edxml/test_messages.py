"""Building and reading edXML messages: element order, schema validity, round trips."""

import dataclasses

import pytest
from lxml import etree

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml import (
    MessageKind,
    StatusCode,
    build_document,
    build_status,
    parse_message,
    read_document,
    read_status,
    to_bytes,
    validate,
)
from docexchange.edxml.model import Bussiness, BussinessDocType, Receiver, ReplacementInfo, StaffInfo
from docexchange.edxml.namespaces import EDXML_NS, q
from docexchange.errors import ParseError, ReasonCode
from tests.edxml.factories import document, full_document, status

HEADER = f"{q('edXMLEnvelope')}/{q('edXMLHeader')}"


def test_document_round_trips_through_xml() -> None:
    message = full_document()
    built = build_document(message)
    assert validate(built, strict=True) is MessageKind.DOCUMENT  # exactly the schema of what is written
    root, kind = parse_message(to_bytes(built))
    assert kind is MessageKind.DOCUMENT
    assert read_document(root) == message


def test_a_header_read_leaves_the_attachments_alone() -> None:
    """``attachments=False`` reads everything but the attachments, which it neither decodes nor
    checks: a broken attachment is refused by a full read only."""
    message = full_document()
    root = build_document(message)
    assert message.attachments
    assert read_document(root, attachments=False) == dataclasses.replace(message, attachments=())
    value = root.find(f"{q('AttachmentEncoded')}/{q('Attachment')}/{q('ContentTransferEncoded')}")
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
        built = build_status(message)
        assert validate(built, strict=True) is MessageKind.STATUS
        root, kind = parse_message(to_bytes(built))
        assert kind is MessageKind.STATUS
        assert read_status(root) == message
        status_header = root.find(f"{HEADER}/{q('MessageHeader')}")
        assert status_header is not None
        assert [etree.QName(c).localname for c in status_header] == [
            "From",
            "ResponseFor",
            "StaffInfo",
            "StatusCode",
            "Description",
            "Timestamp",
        ]
        assert status_header.findtext(q("StatusCode")) == code.wire
        assert root.find(f"{q('edXMLEnvelope')}/{q('edXMLBody')}") is None  # a status has no body


def test_the_framing_is_the_real_one() -> None:
    """Root ``edXML`` unprefixed in the default namespace; the envelope prefixed ``edXML:``;
    ``AttachmentEncoded`` unprefixed beside the envelope, its ``ContentTransferEncoded`` prefixed."""
    text = to_bytes(build_document(document())).decode()
    assert text.startswith(
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<edXML xmlns="{EDXML_NS}">\n  <edXML:edXMLEnvelope xmlns:edXML="{EDXML_NS}">\n'
        "    <edXML:edXMLHeader>\n      <edXML:MessageHeader>"
    )
    assert "</edXML:edXMLEnvelope>\n  <AttachmentEncoded>\n    <Attachment>\n      <ContentId>" in text
    assert f'<edXML:ContentTransferEncoded xmlns:edXML="{EDXML_NS}">UEsDB' in text
    assert text.endswith("</AttachmentEncoded>\n</edXML>")
    assert '<edXML:edXMLManifest version="1.0">' in text


def test_dates_times_and_type_codes_are_written_as_the_real_files_write_them() -> None:
    message = full_document()
    root = build_document(message)
    header = root.find(f"{HEADER}/{q('MessageHeader')}")
    assert header is not None
    day = message.promulgation_info.promulgation_date
    assert header.findtext(f"{q('PromulgationInfo')}/{q('PromulgationDate')}") == day.strftime("%Y/%m/%d")
    assert message.due_date is not None
    assert header.findtext(q("DueDate")) == message.due_date.strftime("%Y/%m/%d")
    trace = root.find(f"{HEADER}/{q('TraceHeaderList')}/{q('TraceHeader')}")
    assert trace is not None
    instant = message.trace_headers[0].timestamp.astimezone(VIETNAM_TZ)
    assert trace.findtext(q("Timestamp")) == instant.strftime("%Y/%m/%d %H:%M:%S")
    cong_van = build_document(document()).find(f"{HEADER}/{q('MessageHeader')}/{q('DocumentType')}")
    assert cong_van is not None
    assert [(etree.QName(c).localname, c.text) for c in cong_van] == [
        ("Type", "1"),
        ("TypeDetail", "0"),
        ("TypeName", "Công văn"),
    ]


def test_header_elements_follow_the_real_files_order() -> None:
    root = build_document(full_document())
    header = root.find(f"{HEADER}/{q('MessageHeader')}")
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
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
        "ToPlaces",
    ]


def test_bussiness_keeps_the_standards_spelling_and_the_real_order() -> None:
    root = build_document(full_document())
    node = root.find(f"{HEADER}/{q('TraceHeaderList')}/{q('Bussiness')}")
    assert node is not None
    assert node.findtext(q("BussinessDocType")) == "1"
    assert [etree.QName(c).localname for c in node] == [
        "DocumentId",
        "BussinessDocType",
        "BussinessDocReason",
        "Paper",
        "StaffInfo",
        "BussinessDocumentInfo",
        "ReplacementInfoList",
    ]
    info = node.find(q("BussinessDocumentInfo"))
    assert info is not None
    assert [etree.QName(c).localname for c in info] == ["DocumentInfo", "DocumentReceiver", "ReceiverList"]
    plain = build_document(document()).find(f"{HEADER}/{q('TraceHeaderList')}/{q('Bussiness')}")
    assert plain is not None  # a new document: no update or replacement details at all
    assert [etree.QName(c).localname for c in plain][-1] == "StaffInfo"


def test_attachments_are_zipped_base64_with_one_manifest_entry_each() -> None:
    root = build_document(document())
    refs = root.findall(f"{q('edXMLEnvelope')}/{q('edXMLBody')}/{q('edXMLManifest')}/{q('Reference')}")
    encoded = root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}")
    assert len(refs) == len(encoded) == 1
    value = encoded[0].findtext(q("ContentTransferEncoded")) or ""
    import base64
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(value)))
    assert archive.namelist() == [document().attachments[0].attachment_name]
    assert archive.read(archive.namelist()[0]) == document().attachments[0].data


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


@pytest.mark.parametrize(
    ("doc_type", "receivers", "replacements", "details"),
    [
        (BussinessDocType.NEW, (), (), []),
        (BussinessDocType.RECALL, (), (), []),
        (BussinessDocType.UPDATE, (Receiver(0, "000.00.00.H15"),), (), ["BussinessDocumentInfo"]),
        (
            BussinessDocType.REPLACE,
            (),
            (ReplacementInfo("000.00.00.G22,2018/09/01,01/VPCP-TTĐT", ()),),
            ["ReplacementInfoList"],
        ),
    ],
)
def test_each_business_message_is_written_strictly_and_reads_back(
    doc_type: BussinessDocType,
    receivers: tuple[Receiver, ...],
    replacements: tuple[ReplacementInfo, ...],
    details: list[str],
) -> None:
    """New, recall, update and replace: valid against the strict schema, the same fields read back."""
    base = document()
    message = document(
        bussiness=Bussiness(
            doc_type, "Lý do", base.document_id, StaffInfo("Văn thư"), receivers, replacements
        )
    )
    built = build_document(message)
    assert validate(built, strict=True) is MessageKind.DOCUMENT
    node = built.find(f"{HEADER}/{q('TraceHeaderList')}/{q('Bussiness')}")
    assert node is not None
    assert [etree.QName(c).localname for c in node][5:] == details
    assert read_document(parse_message(to_bytes(built))[0]) == message
