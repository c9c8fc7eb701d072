"""``docexchange new | sign | verify | inspect | walk`` as a user runs them (through ``main``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from docexchange.cli.main import main
from docexchange.edxml import parse_message, read_document

VPCP, LAO_CAI, DA_NANG = "000.00.00.G22", "000.00.00.H38", "000.00.00.H15"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "certs"
    assert (
        main(
            [
                "certs",
                "init",
                "--dir",
                str(directory),
                "--algorithm",
                "ecdsa-p256",
                "--agencies",
                f"{VPCP},{LAO_CAI},{DA_NANG}",
                "--not-before",
                "2018-01-01",
            ]
        )
        == 0
    )
    return directory


def new_document(capsys: pytest.CaptureFixture[str], tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "doc.xml"
    code, _, err = run(
        capsys,
        "new",
        "--from",
        VPCP,
        "--to",
        f"{LAO_CAI},{DA_NANG}",
        "--type",
        "CV",
        "--drafting-unit",
        "TTĐT",
        "--subject",
        "Về việc gửi, nhận văn bản điện tử",
        "--date",
        "2018-09-20",
        "--numbering",
        str(tmp_path / "numbers.json"),
        "-o",
        str(out),
        *extra,
    )
    assert code == 0, err
    return out


def test_new_numbers_each_agency_per_year_from_01(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first = read_document(parse_message(new_document(capsys, tmp_path).read_bytes())[0])
    second = read_document(parse_message(new_document(capsys, tmp_path).read_bytes())[0])
    assert (first.code.text, second.code.text) == ("01/VPCP-TTĐT", "02/VPCP-TTĐT")
    assert second.document_id == "000.00.00.G22,2018/09/20,02/VPCP-TTĐT"
    assert second.recipient_ids == (LAO_CAI, DA_NANG)


def test_new_legal_normative_decision_carries_the_year(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "qd.xml"
    code, printed, _ = run(
        capsys,
        "new",
        "--from",
        VPCP,
        "--to",
        LAO_CAI,
        "--type",
        "QD",
        "--legal-normative",
        "--number",
        "28",
        "--subject",
        "Quy định về việc gửi, nhận văn bản điện tử",
        "--date",
        "2018-07-12",
        "--urgency",
        "hoa-toc",
        "-o",
        str(out),
    )
    assert code == 0
    message = read_document(parse_message(out.read_bytes())[0])
    assert message.code.text == "28/2018/QĐ-VPCP"
    assert int(message.other_info.priority) == 3
    assert "28/2018/QĐ-VPCP" in printed


def test_new_with_attachment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    attachment = tmp_path / "phu-luc.txt"
    attachment.write_text("Danh sách cơ quan thí điểm", encoding="utf-8")
    doc = new_document(capsys, tmp_path, "--attach", str(attachment))
    message = read_document(parse_message(doc.read_bytes())[0])
    assert message.attachments[0].data == attachment.read_bytes()
    assert message.attachments[0].content_type == "text/plain"


def test_new_refuses_an_unknown_agency(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "new",
        "--from",
        "000.00.00.G99",
        "--to",
        LAO_CAI,
        "--type",
        "CV",
        "--subject",
        "x",
        "-o",
        str(tmp_path / "x.xml"),
    )
    assert code == 2
    assert err.strip() == "docexchange: unknown-agency: '000.00.00.G99' is not in the registry"


def test_new_refuses_an_unknown_type(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "new",
        "--from",
        VPCP,
        "--to",
        LAO_CAI,
        "--type",
        "XYZ",
        "--subject",
        "x",
        "-o",
        str(tmp_path / "x.xml"),
    )
    assert code == 2
    assert "invalid-argument: unknown document type 'XYZ'" in err


def test_sign_then_verify(capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path) -> None:
    doc = new_document(capsys, tmp_path)
    code, _, err = run(capsys, "sign", str(doc), "--certs", str(certs), "--at", "2018-09-20T09:00:00+07:00")
    assert code == 0, err
    code, out, _ = run(capsys, "verify", str(doc), "--certs", str(certs), "--at", "2018-09-20T10:00:00+07:00")
    assert code == 0
    assert out.startswith("valid: 01/VPCP-TTĐT")


def test_verify_json_prints_signed_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    doc = new_document(capsys, tmp_path)
    run(capsys, "sign", str(doc), "--certs", str(certs), "--at", "2018-09-20T09:00:00+07:00")
    code, out, _ = run(capsys, "verify", str(doc), "--certs", str(certs), "--at", "2018-09-21", "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["valid"] is True
    assert verdict["message"]["code"] == "01/VPCP-TTĐT"
    assert [s["role"] for s in verdict["signatures"]] == ["person", "organisation"]
    assert verdict["signatures"][1]["agency_id"] == VPCP


def test_verify_tampered_exits_1_with_the_reason_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    doc = new_document(capsys, tmp_path)
    run(capsys, "sign", str(doc), "--certs", str(certs), "--at", "2018-09-20T09:00:00+07:00")
    doc.write_bytes(doc.read_bytes().replace("Về việc gửi".encode(), "Về việc hủy".encode()))
    code, out, _ = run(capsys, "verify", str(doc), "--certs", str(certs), "--at", "2018-09-21")
    assert code == 1
    assert out.count("\n") == 1 and out.startswith("digest-mismatch: ")


def test_verify_garbage_exits_1_malformed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\x01 not xml")
    code, out, _ = run(capsys, "verify", str(junk), "--certs", str(certs))
    assert code == 1 and out.startswith("malformed-xml: ")


def test_verify_unsigned_exits_1_missing_signature(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    code, out, _ = run(capsys, "verify", str(new_document(capsys, tmp_path)), "--certs", str(certs))
    assert code == 1 and out.startswith("missing-signature: ")


def test_file_errors_exit_2_without_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path / "absent.xml"), "--certs", str(tmp_path))
    assert code == 2 and "Traceback" not in err and "No such file" in err
    code, _, err = run(
        capsys, "verify", str(new_document(capsys, tmp_path)), "--certs", str(tmp_path / "none")
    )
    assert code == 2 and "pki-missing" in err


def test_bad_time_argument_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path) -> None:
    code, _, err = run(
        capsys, "verify", str(new_document(capsys, tmp_path)), "--certs", str(certs), "--at", "yesterday"
    )
    assert code == 2 and "invalid-argument: 'yesterday' is not an ISO 8601 time" in err


def test_signing_with_a_revoked_certificate_is_refused_before_signing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    import shutil

    own = tmp_path / "certs"
    shutil.copytree(certs, own)
    assert (
        main(
            [
                "certs",
                "revoke",
                LAO_CAI,
                "--dir",
                str(own),
                "--role",
                "person",
                "--at",
                "2018-09-01T00:00:00+07:00",
            ]
        )
        == 0
    )
    capsys.readouterr()
    doc = tmp_path / "from-lao-cai.xml"
    run(
        capsys,
        "new",
        "--from",
        LAO_CAI,
        "--to",
        VPCP,
        "--type",
        "BC",
        "--subject",
        "Báo cáo",
        "--date",
        "2018-09-20",
        "--numbering",
        str(tmp_path / "n.json"),
        "-o",
        str(doc),
    )
    before = doc.read_bytes()
    code, out, _ = run(capsys, "sign", str(doc), "--certs", str(own), "--at", "2018-09-20T09:00:00+07:00")
    assert code == 1 and out.startswith("cert-revoked: ")
    assert doc.read_bytes() == before  # nothing written


def test_inspect_shows_a_readable_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, certs: Path
) -> None:
    doc = new_document(capsys, tmp_path)
    run(capsys, "sign", str(doc), "--certs", str(certs), "--at", "2018-09-20T09:00:00+07:00")
    code, out, _ = run(capsys, "inspect", str(doc))
    assert code == 0
    assert "Trích yếu      Về việc gửi, nhận văn bản điện tử" in out
    assert "PersonSignature claimed at 2018-09-20T09:00:00+07:00 (not verified" in out


def test_walk_runs_the_whole_exchange(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "walk", "--workdir", str(tmp_path / "walk"), "--algorithm", "ecdsa-p256")
    assert code == 0
    assert "✗ subject altered after signing: digest-mismatch" in out
    assert "signer-not-sender" in out
    assert out.count("cert-revoked") == 2
    assert (tmp_path / "walk" / "document.xml").exists()


def test_python_m_docexchange_and_usage_errors_exit_2() -> None:
    result = subprocess.run([sys.executable, "-m", "docexchange", "verify"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "the following arguments are required" in result.stderr and "Traceback" not in result.stderr


def test_new_refuses_a_date_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "new", "--from", VPCP, "--to", LAO_CAI, "--type", "CV", "--subject", "x",
        "--date", "2019-02-30", "-o", str(tmp_path / "x.xml"),
    )  # fmt: skip
    assert code == 2
    assert "invalid-argument: --date: '2019-02-30' is not a date (YYYY-MM-DD)" in err
    assert not (tmp_path / "x.xml").exists()


def test_a_reader_that_stops_early_gets_no_error_message() -> None:
    """``docexchange agencies | head -1``: the closed pipe is not reported as a file error."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: EPIPE, deterministically
    try:
        result = subprocess.run(
            [sys.executable, "-m", "docexchange", "agencies"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr.decode()) == (1, "")


def test_new_refuses_what_the_schema_of_written_messages_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "new", "--from", VPCP, "--to", LAO_CAI, "--type", "CV", "--subject", "",
        "--date", "2019-02-20", "-o", str(tmp_path / "x.xml"),
    )  # fmt: skip
    assert code == 2
    assert err.startswith("docexchange: schema-invalid: not a valid edXML document message: line ")
    assert "Subject" in err and "minLength" in err
    assert not (tmp_path / "x.xml").exists()
