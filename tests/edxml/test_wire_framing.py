"""Reading the framing real systems exchange (root edXML, attachments beside the envelope) with
the variants producers write: element order, empty elements, date styles, a Signature in the edXML
namespace, zipped or raw attachments; refusing wrong roots by name; `inspect --json` on them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from docexchange.cli.main import main
from docexchange.clock import VIETNAM_TZ
from docexchange.edxml import MessageKind, build_status, parse_message, read_document, read_status, to_bytes
from docexchange.edxml.envelope import summarize
from docexchange.edxml.model import StatusCode
from docexchange.errors import ParseError
from tests.cli.test_message_commands import certs
from tests.edxml import wire_samples as wire

__all__ = ["certs"]  # the PKI fixture, shared


def _document(data: bytes):  # type: ignore[no-untyped-def]
    root, kind = parse_message(data)
    assert kind is MessageKind.DOCUMENT
    return read_document(root)


def test_a_real_framed_document_reads_with_its_attachments_beside_the_envelope() -> None:
    message = _document(wire.document())
    assert (message.from_.organ_id, message.recipient_ids) == (wire.VPCP, (wire.LAO_CAI,))
    assert message.document_id == wire.DOCUMENT_ID
    assert (message.code.code_number, message.code.code_notation) == ("1234", "VPCP-TTĐT")
    assert message.promulgation_info.promulgation_date == date(2019, 4, 11)
    assert (message.document_type.type, message.document_type.type_detail) == (1, 0)
    assert message.to_places == ("Như trên",) and message.due_date is None and message.response_for == ()
    assert [(a.attachment_name, a.data) for a in message.attachments] == [
        ("cv.pdf", wire.PDF),  # raw base64, as a received PDF was
        ("phu-luc.doc", wire.DOC),  # base64 of a one-entry zip whose entry is named otherwise
    ]
    assert message.attachments[1].description == "Phụ lục"
    # the hops: yyyy/MM/dd and dd/MM/yyyy times in Vietnam time; a hop with no time says nothing
    assert [(t.organ_id, t.timestamp) for t in message.trace_headers] == [
        (wire.VPCP, datetime(2019, 4, 11, 9, 15, tzinfo=VIETNAM_TZ)),
        ("", datetime(2019, 4, 11, 9, 16, 2, tzinfo=VIETNAM_TZ)),
    ]
    assert message.bussiness.staff_info.department == "Văn thư"


@pytest.mark.parametrize(
    "variant",
    [
        {"bussiness_first": False},
        {"date": "2019-04-11"},
        {"date": "11/04/2019"},
        {"signature": False},
        {"stamp": "11/04/2019 09:15:00"},
        {"stamp": "2019-04-11T09:15:00"},  # ISO without an offset: Vietnam time
        {"stamp": "2019-04-11T02:15:00+00:00"},  # the same instant, with an offset
    ],
)
def test_producers_variants_read_the_same(variant: dict[str, object]) -> None:
    reference = _document(wire.document())
    assert _document(wire.document(**variant)) == reference  # type: ignore[arg-type]


@pytest.mark.parametrize("element", ["MessageHeader", "Status"])
@pytest.mark.parametrize("stamp", ["2019/04/11 10:00:00", "11/04/2019 10:00:00"])
def test_a_real_framed_status_reads_whichever_element_holds_it(element: str, stamp: str) -> None:
    root, kind = parse_message(wire.status(element=element, stamp=stamp))
    assert kind is MessageKind.STATUS
    status = read_status(root)
    assert (status.status_code, status.from_.organ_id) == (StatusCode.ACCEPTED, wire.LAO_CAI)
    assert status.response_for.document_id == wire.DOCUMENT_ID
    assert status.response_for.promulgation_date == date(2019, 4, 11)
    assert status.timestamp == datetime(2019, 4, 11, 10, 0, tzinfo=VIETNAM_TZ)
    summary = summarize(root, kind)  # what the axis routes on
    assert (summary.sender, summary.recipients, summary.status_code) == (wire.LAO_CAI, (wire.VPCP,), "03")


@pytest.mark.parametrize(
    ("root", "closing", "found"),
    [
        ('<EdXMLEnvelope xmlns="http://www.go.vn/eDoc">', "</EdXMLEnvelope>",
         "EdXMLEnvelope in namespace http://www.go.vn/eDoc"),
        (f'<edxml xmlns="{wire.NS}">', "</edxml>", f"edxml in namespace {wire.NS}"),
        ('<edXML xmlns="http://www.e-doc.vn/Schema/">', "</edXML>", "edXML in namespace http://www.e-doc.vn/Schema/"),
        ("<edXML>", "</edXML>", "edXML in no namespace"),
    ],
)  # fmt: skip
def test_a_wrong_root_or_namespace_is_refused_naming_what_was_found(
    root: str, closing: str, found: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(wire.document(root=root, closing=closing))
    assert str(caught.value) == (
        f"wrong-namespace: the root element is {found}; expected edXML in namespace {wire.NS}"
    )


def _refusal(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as caught:
        root, kind = parse_message(data)
        if kind is MessageKind.DOCUMENT:
            read_document(root)
        else:
            read_status(root)
    return caught.value


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (wire.document(date="2019-13-45"), "schema-invalid: PromulgationDate: '2019-13-45' is not a date (YYYY/MM/DD)"),
        (wire.document(stamp="yesterday"),
         "schema-invalid: TraceHeader/Timestamp: 'yesterday' is not a time (yyyy/MM/dd HH:mm:ss, Vietnam time)"),
        (wire.document().replace(b"<ContentId>cid:2</ContentId>", b"<ContentId>cid:9</ContentId>"),
         "invalid-attachment: attachment 'cid:9' has no matching manifest entry"),
        (wire.document().replace(b"<edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganizationInCharge/>",
                                 b"<edXML:OrganizationInCharge/>"),
         "schema-invalid: From: missing OrganId"),
        (wire.status(code="07"), "schema-invalid: StatusCode: '07' is not a status code"),
        (wire.status(code="ba"), "schema-invalid: StatusCode: 'ba' is not a status code"),
    ],
)  # fmt: skip
def test_hostile_real_framed_input_is_refused_with_its_reason(data: bytes, refusal: str) -> None:
    assert str(_refusal(data)) == refusal


@pytest.mark.parametrize(
    ("data", "element"),
    [
        (wire.document(pdf_name="../etc/passwd"), "AttachmentName"),  # a path, not a plain file name
        (wire.document().replace(b"<edXML:Subject>", b"<edXML:Subjekt>").replace(b"</edXML:Subject>", b"</edXML:Subjekt>"),
         "Subjekt"),  # an element the framing does not have
    ],
)  # fmt: skip
def test_what_the_wire_schema_does_not_allow_is_refused_naming_the_element(data: bytes, element: str) -> None:
    refusal = _refusal(data)
    assert refusal.code.value == "schema-invalid"
    assert (
        refusal.message.startswith("not a valid edXML document message: line ") and element in refusal.message
    )


def test_inspect_json_reads_real_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc, st = tmp_path / "cv.edxml", tmp_path / "status.edxml"
    doc.write_bytes(wire.document())
    st.write_bytes(wire.status())
    assert main(["inspect", str(doc), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert {k: fields[k] for k in ("kind", "from", "to", "document_id", "code_number", "code_notation",
                                   "promulgation_date", "type", "subject", "attachments", "bussiness_doc_type")} == {
        "kind": "document", "from": wire.VPCP, "to": [wire.LAO_CAI], "document_id": wire.DOCUMENT_ID,
        "code_number": "1234", "code_notation": "VPCP-TTĐT", "promulgation_date": "2019-04-11", "type": 1,
        "subject": "V/v triển khai gửi, nhận văn bản điện tử", "attachments": ["cv.pdf", "phu-luc.doc"],
        "bussiness_doc_type": 0,
    }  # fmt: skip
    assert fields["signatures"] == 0  # the edXML-namespace Signature is a placeholder, not XMLDSig
    assert fields["notes"] == [
        "1 Signature element(s) outside the XMLDSig namespace (a placeholder some producers write): "
        "not a signature, not counted"
    ]
    assert main(["inspect", str(st), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert (fields["kind"], fields["status_code"], fields["response_for"], fields["timestamp"]) == (
        "status", "03", wire.DOCUMENT_ID, "2019-04-11T10:00:00+07:00"
    )  # fmt: skip


def test_an_unsigned_real_file_is_refused_by_verify_and_signed_only_in_the_form_written_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], certs: Path
) -> None:
    """Another producer's unsigned status is read, but signed only once written as this version
    writes it (a signature endorses exactly one reading); so re-framed, it signs and verifies."""
    doc, st = tmp_path / "cv.edxml", tmp_path / "status.edxml"
    doc.write_bytes(wire.document())  # its Signature is an edXML-namespace placeholder
    st.write_bytes(wire.status())
    assert main(["verify", str(doc), "--certs", str(certs)]) == 1
    assert capsys.readouterr().out == "missing-signature: the document carries no signature\n"
    assert main(["verify", str(st), "--certs", str(certs)]) == 1
    assert capsys.readouterr().out == "missing-signature: the status message carries no signature\n"
    signed = tmp_path / "signed.edxml"
    at = ["--at", "2019-04-11T10:05:00+07:00"]
    assert main(["sign", str(st), "--certs", str(certs), *at, "-o", str(signed)]) == 1
    assert capsys.readouterr().out == (
        "schema-invalid: this version signs a message only in exactly the form it writes: not a valid edXML "
        "status message: line 9: Element '{http://www.mic.gov.vn/TBT/QCVN_102_2016}Email': This element is "
        "not expected. Expected is ( {http://www.mic.gov.vn/TBT/QCVN_102_2016}Mobile ).\n"
    )
    assert not signed.exists()
    message = read_status(parse_message(wire.status())[0])
    st.write_bytes(to_bytes(build_status(message)))  # the same fields, written here
    assert main(["sign", str(st), "--certs", str(certs), *at, "-o", str(signed)]) == 0
    capsys.readouterr()
    assert main(["verify", str(signed), "--certs", str(certs), *at, "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["valid"] is True
    assert verdict["message"]["from"] == wire.LAO_CAI and verdict["message"]["status_code"] == "03"


def test_a_real_file_with_a_malformed_xmldsig_signature_is_refused_for_its_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], certs: Path
) -> None:
    signature = (
        b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="AgencySignature">'
        b"<ds:SignedInfo/></ds:Signature>"
    )
    st = tmp_path / "signed.edxml"
    st.write_bytes(wire.status().replace(b"</edXML:edXMLHeader>", signature + b"</edXML:edXMLHeader>"))
    assert main(["verify", str(st), "--certs", str(certs)]) == 1
    assert capsys.readouterr().out == (
        "signature-layout: signature AgencySignature must hold SignedInfo, SignatureValue, KeyInfo, Object; "
        "it holds SignedInfo\n"
    )
