"""``docexchange status`` (a status message answering a document, then signed and verified),
``inspect --json`` (the fields as a program reads them) and where ``new`` keeps its counters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docexchange.edxml import parse_message, read_status
from docexchange.edxml.model import StatusCode
from tests.cli.test_message_commands import DA_NANG, LAO_CAI, VPCP, certs, new_document, run

__all__ = ["certs"]  # the module-scoped PKI fixture, shared

SUBJECT = "Về việc gửi, nhận văn bản điện tử"


def _inspect(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    code, out, err = run(capsys, "inspect", str(path), "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_inspect_json_gives_a_documents_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    annex = tmp_path / "phu-luc.pdf"
    annex.write_bytes(b"%PDF-1.4 annex")
    doc = new_document(capsys, tmp_path, "--attach", str(annex))
    assert _inspect(capsys, doc) == {
        "kind": "document",
        "from": VPCP,
        "to": [LAO_CAI, DA_NANG],
        "document_id": f"{VPCP},2018/09/20,01/VPCP-TTĐT",
        "code_number": "01",
        "code_notation": "VPCP-TTĐT",
        "promulgation_date": "2018-09-20",
        "type": 1,  # a công văn, as in the real files
        "type_detail": 0,
        "type_name": "Công văn",
        "subject": SUBJECT,
        "attachments": ["phu-luc.pdf"],
        "bussiness_doc_type": 0,
        "signatures": 0,
        "notes": [],
    }
    text = doc.read_text(encoding="utf-8")  # written as the real files write it
    assert "<edXML:PromulgationDate>2018/09/20</edXML:PromulgationDate>" in text
    assert text.splitlines()[1] == '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'


@pytest.mark.parametrize(("code", "sender"), [("03", LAO_CAI), ("1", DA_NANG), ("13", VPCP), ("16", LAO_CAI)])
def test_a_status_answering_a_document_signs_and_verifies(
    code: str, sender: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    doc = new_document(capsys, tmp_path)
    status = tmp_path / "status.xml"
    result, printed, err = run(
        capsys, "status", "--answer", str(doc), "--code", code, "--from", sender,
        "--at", "2018-09-20T10:00:00+07:00", "-o", str(status),
    )  # fmt: skip
    assert result == 0, err
    wire = f"{int(code):02d}"
    document_id = f"{VPCP},2018/09/20,01/VPCP-TTĐT"
    assert printed == f"{status}: status {wire} from {sender} for {document_id}\n"
    message = read_status(parse_message(status.read_bytes())[0])  # round trip: the fields written
    assert (message.status_code, message.from_.organ_id) == (StatusCode(int(code)), sender)
    assert message.response_for.document_id == document_id and message.response_for.code == "01/VPCP-TTĐT"
    fields = _inspect(capsys, status)
    assert {k: fields[k] for k in ("kind", "from", "to", "status_code", "response_for", "timestamp")} == {
        "kind": "status",
        "from": sender,
        "to": [VPCP],
        "status_code": wire,
        "response_for": document_id,
        "timestamp": "2018-09-20T10:00:00+07:00",
    }
    assert (
        run(capsys, "sign", str(status), "--certs", str(certs), "--at", "2018-09-20T10:00:00+07:00")[0] == 0
    )
    verified, out, _ = run(
        capsys, "verify", str(status), "--certs", str(certs), "--at", "2018-09-20T11:00:00+07:00"
    )
    assert verified == 0 and out.startswith(f"valid: status {wire} from {sender} for {document_id}")


@pytest.mark.parametrize(
    ("code", "sender", "message"),
    [
        ("03", VPCP, f"--from {VPCP}: status 03 is sent by a recipient of the document ({LAO_CAI}, {DA_NANG}); "
                     f"{VPCP} is not one"),
        ("13", LAO_CAI, f"--from {LAO_CAI}: status 13 is sent by the document's sender ({VPCP}), not by a recipient"),
        ("07", LAO_CAI, "--code 07: not a status code (01, 02, 03, 04, 05, 06, 13, 15, 16)"),
        ("ba", LAO_CAI, "--code ba: not a status code (01, 02, 03, 04, 05, 06, 13, 15, 16)"),
    ],
)  # fmt: skip
def test_a_status_the_protocol_does_not_allow_is_refused(
    code: str, sender: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = new_document(capsys, tmp_path)
    out = tmp_path / "status.xml"
    result, printed, err = run(
        capsys, "status", "--answer", str(doc), "--code", code, "--from", sender, "-o", str(out)
    )
    assert (result, printed, err) == (2, "", f"docexchange: invalid-argument: {message}\n")
    assert not out.exists()


def test_a_status_answers_a_document_not_a_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = new_document(capsys, tmp_path)
    status = tmp_path / "s.xml"
    assert (
        run(capsys, "status", "--answer", str(doc), "--code", "01", "--from", LAO_CAI, "-o", str(status))[0]
        == 0
    )
    result, _, err = run(
        capsys, "status", "--answer", str(status), "--code", "03", "--from", VPCP, "-o", str(tmp_path / "x")
    )
    assert (result, err) == (
        2,
        f"docexchange: invalid-argument: {status}: a status message; --answer takes a document\n",
    )


def test_new_keeps_its_counters_in_the_state_folder_not_the_current_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, state = tmp_path / "work", tmp_path / "state"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    argv = ["new", "--from", VPCP, "--to", LAO_CAI, "--type", "CV", "--drafting-unit", "TTĐT",
            "--subject", SUBJECT, "--date", "2018-09-20"]  # fmt: skip
    assert run(capsys, *argv, "-o", "a.xml")[0] == 0
    assert run(capsys, *argv, "-o", "b.xml")[0] == 0
    assert sorted(p.name for p in work.iterdir()) == ["a.xml", "b.xml"]  # nothing else left here
    counters = json.loads((state / "docexchange" / "numbering.json").read_text(encoding="utf-8"))
    assert counters  # the yearly series continues from it
    assert _inspect(capsys, work / "b.xml")["code_number"] == "02"
