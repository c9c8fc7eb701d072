"""What the tolerant reading of the real framing still refuses, and what it reads as producers
write it: an element a message holds once appearing twice (an ambiguity a signer could exploit),
attachments whose manifest and carried entries disagree, numbers in other scripts, instants past
what Vietnam time can show; but ``SteeringType`` 0, a minimal ``Bussiness`` and a document with no
``PromulgationInfo`` (read as no date) as some producers write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docexchange.cli.main import main
from docexchange.edxml import parse_message, read_document, read_status
from docexchange.edxml.model import SteeringType
from docexchange.errors import ParseError, ReasonCode
from tests.edxml import wire_samples as wire


def _refusal(data: bytes, *, read: bool = False) -> ParseError:
    with pytest.raises(ParseError) as refused:
        root, _ = parse_message(data)
        if read:
            read_document(root)
    return refused.value


FROM = "<edXML:From><edXML:OrganId>000.00.00.H38</edXML:OrganId></edXML:From>"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<edXML:To>", FROM + "<edXML:To>", "MessageHeader holds 2 From elements; it may hold one"),
        (
            "<edXML:Content/>",
            "<edXML:Content/><edXML:Subject>Quyết định khác</edXML:Subject>",
            "MessageHeader holds 2 Subject elements; it may hold one",
        ),
        (
            "<edXML:TypeName>Công văn</edXML:TypeName>",
            "<edXML:TypeName>Công văn</edXML:TypeName><edXML:Type>9</edXML:Type>",
            "DocumentType holds 2 Type elements; it may hold one",
        ),
        (
            "</edXML:TraceHeaderList>",
            "<edXML:Bussiness><edXML:BussinessDocType>1</edXML:BussinessDocType></edXML:Bussiness>"
            "</edXML:TraceHeaderList>",
            "TraceHeaderList holds 2 Bussiness elements; it may hold one",
        ),
        (
            "<ContentType>application/pdf</ContentType>",
            "<ContentType>application/pdf</ContentType><ContentType>application/x-msdownload</ContentType>",
            "Attachment holds 2 ContentType elements; it may hold one",
        ),
    ],
)
def test_an_element_held_once_appearing_twice_is_refused_naming_it(old: str, new: str, message: str) -> None:
    data = wire.document().replace(old.encode(), new.encode(), 1)
    refused = _refusal(data)
    assert (refused.code, refused.message) == (ReasonCode.SCHEMA_INVALID, message)


def test_a_header_holding_both_a_document_header_and_a_status_is_refused() -> None:
    status = wire.status()
    both = status.replace(
        b"</edXML:MessageHeader>",
        b"</edXML:MessageHeader><edXML:Status><edXML:StatusCode>03</edXML:StatusCode></edXML:Status>",
    )
    refused = _refusal(both)
    assert refused.message == (
        "the edXMLHeader holds both a MessageHeader and a Status; a message is one or the other"
    )
    two_answers = status.replace(b"<edXML:StaffInfo>", b"<edXML:ResponseFor/><edXML:StaffInfo>", 1)
    assert _refusal(two_answers).message == "MessageHeader holds 2 ResponseFor elements; it may hold one"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "<AttachmentName>cv.pdf</AttachmentName>",
            "<AttachmentName>setup.exe</AttachmentName>",
            "attachment 'cid:1' is named 'setup.exe' but the manifest names it 'cv.pdf'",
        ),
        (
            "<ContentId>cid:2</ContentId>",
            "<ContentId>cid:1</ContentId>",
            "the ContentId 'cid:1' is used twice in the attachments",
        ),
        (
            "<edXML:ContentId>cid:2</edXML:ContentId>",
            "<edXML:ContentId>cid:1</edXML:ContentId>",
            "the ContentId 'cid:1' is used twice in the manifest",
        ),
    ],
)
def test_attachments_and_manifest_must_agree(old: str, new: str, message: str) -> None:
    refused = _refusal(wire.document().replace(old.encode(), new.encode(), 1), read=True)
    assert (refused.code, refused.message) == (ReasonCode.INVALID_ATTACHMENT, message)


def test_numbers_in_other_scripts_and_instants_out_of_range_are_refused() -> None:
    arabic = wire.status(code="٠٣")  # Arabic-Indic digits: int() would read 3
    with pytest.raises(ParseError) as refused:
        read_status(parse_message(arabic)[0])
    assert refused.value.message == "StatusCode: '٠٣' is not a status code"
    late = wire.status(stamp="9999-12-31T23:59:59-12:00")  # past year 9999 in Vietnam time
    with pytest.raises(ParseError) as refused:
        read_status(parse_message(late)[0])
    assert refused.value.message == "Timestamp: '9999-12-31T23:59:59-12:00' is out of range"
    steering = wire.document().replace(b"<edXML:SteeringType>1<", b"<edXML:SteeringType>7<")
    assert _refusal(steering, read=True).message == "SteeringType: 7 is not one of 0, 1, 2, 3"


def test_inspect_refuses_an_instant_out_of_range_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "late.edxml"
    path.write_bytes(wire.status(stamp="0001-01-01T00:00:00+14:00"))
    assert main(["inspect", str(path), "--json"]) == 2
    assert capsys.readouterr().err == (
        "docexchange: schema-invalid: Timestamp: '0001-01-01T00:00:00+14:00' is out of range\n"
    )


def _minimal_producer() -> bytes:
    """As a gateway built on the real library writes: SteeringType 0, a Bussiness of two elements
    before the TraceHeader, SignerInfo with a name only, no PromulgationInfo at all."""
    data = wire.document(signature=False)
    data = data.replace(b"<edXML:SteeringType>1<", b"<edXML:SteeringType>0<")
    start = data.index(b"<edXML:PromulgationInfo>")
    end = data.index(b"</edXML:PromulgationInfo>") + len(b"</edXML:PromulgationInfo>")
    data = data[:start] + data[end:]
    start = data.index(b"<edXML:Bussiness>")
    end = data.index(b"</edXML:Bussiness>") + len(b"</edXML:Bussiness>")
    minimal = (
        b"<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType>"
        b"<edXML:Paper>0</edXML:Paper></edXML:Bussiness>"
    )
    return data[:start] + minimal + data[end:]


def test_a_minimal_producers_document_reads_with_no_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = read_document(parse_message(_minimal_producer())[0])
    assert message.steering_type is SteeringType.NOT_STATED
    assert message.promulgation_info.promulgation_date is None
    with pytest.raises(ParseError) as refused:
        message.promulgation_date  # noqa: B018  # what registering or answering it needs
    assert refused.value.message == "the document has no PromulgationInfo/PromulgationDate"
    path = tmp_path / "gateway.edxml"
    path.write_bytes(_minimal_producer())
    assert main(["inspect", str(path), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert (fields["promulgation_date"], fields["document_id"], fields["attachments"]) == (
        None,
        wire.DOCUMENT_ID,
        ["cv.pdf", "phu-luc.doc"],
    )
    assert main(["inspect", str(path)]) == 0
    assert "Ngày ban hành  , (no date)" in capsys.readouterr().out


def test_a_gateways_own_body_and_attachment_list_read_as_what_the_standard_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gateway writes the text in edXMLBody/Content and its files in an edXMLAttachments list
    inside the envelope, with no DocumentType: read, with no attachments (that list is not the
    standard's AttachmentEncoded) and no type number invented."""
    ns = wire.NS
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{ns}"><edXML:edXMLEnvelope xmlns:edXML="{ns}"><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>vxp.saas.03</edXML:OrganId></edXML:From><edXML:To><edXML:OrganId>vxp.saas.02</edXML:OrganId></edXML:To>
<edXML:DocumentId>GW-1</edXML:DocumentId><edXML:Code><edXML:CodeNumber>1</edXML:CodeNumber><edXML:CodeNotation>GW</edXML:CodeNotation></edXML:Code>
<edXML:PromulgationInfo><edXML:PromulgationDate>2025/10/14</edXML:PromulgationDate></edXML:PromulgationInfo>
<edXML:Subject>b.txt</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader>
<edXML:edXMLBody><edXML:Content>File: b.txt</edXML:Content></edXML:edXMLBody>
<edXML:edXMLAttachments><edXML:Attachment><edXML:AttachmentData>Yg==</edXML:AttachmentData></edXML:Attachment></edXML:edXMLAttachments>
</edXML:edXMLEnvelope></edXML>""".encode()
    path = tmp_path / "gateway.edxml"
    path.write_bytes(data)
    assert main(["inspect", str(path), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert {
        k: fields[k] for k in ("from", "to", "promulgation_date", "type", "type_detail", "attachments")
    } == {
        "from": "vxp.saas.03",
        "to": ["vxp.saas.02"],
        "promulgation_date": "2025-10-14",
        "type": None,
        "type_detail": None,
        "attachments": [],
    }
    assert fields["notes"] == [  # said, not silently dropped
        "1 file(s) in edXMLAttachments, a gateway's own list inside the envelope: not read as attachments "
        "(the standard carries them in AttachmentEncoded)"
    ]
