"""``docexchange route`` on edXML documents built with ``build_document`` (and one signed by ``sign``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docexchange.cli import main as main_module
from docexchange.edxml import OtherInfo, Priority, build_document, to_bytes
from docexchange.edxml.numbering import document_kind, document_type, make_code, make_document_id
from tests.edxml.factories import DA_NANG, LAO_CAI, VPCP, document, status

RULES = Path(__file__).resolve().parents[2] / "simulations" / "rules" / "default.toml"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main_module.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def write_document(tmp_path: Path, **overrides: Any) -> Path:
    path = tmp_path / "doc.xml"
    path.write_bytes(to_bytes(build_document(document(**overrides))))
    return path


def decisions(out: str) -> dict[str, dict[str, Any]]:
    return {d["recipient"]: d for d in json.loads(out)["decisions"]}


def test_explains_each_recipient_in_text(cli: Run, tmp_path: Path) -> None:
    code, out, err = cli("route", str(write_document(tmp_path)), "--rules", str(RULES))
    assert (code, err) == (0, "")
    assert "7816/VPCP-TTĐT" in out
    assert f"[{LAO_CAI.organ_id}]" in out and f"[{DA_NANG.organ_id}]" in out
    assert out.count("channel      axis") == 2
    assert out.count("reason       preferred-axis") == 2
    assert "legal value  yes" in out


def test_json_with_capabilities_and_government_recipient(cli: Run, tmp_path: Path) -> None:
    kind = document_kind("QĐ")
    code_ = make_code(5, 2018, kind, "UBND")
    from datetime import date

    doc = write_document(
        tmp_path,
        from_=LAO_CAI,
        to=(VPCP, DA_NANG),
        code=code_,
        document_id=make_document_id(LAO_CAI.organ_id, date(2018, 9, 20), code_),
        document_type=document_type(kind),
        other_info=OtherInfo(Priority.HOA_TOC),
    )
    caps = tmp_path / "caps.toml"
    caps.write_text(
        '[capabilities."000.00.00.H15"]\naxis = false\n[capabilities."000.00.00.H38"]\ncertificate = false\n'
    )
    code, out, err = cli("route", str(doc), "--rules", str(RULES), "--capabilities", str(caps), "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["from"], result["priority"], result["secrecy"]) == (LAO_CAI.organ_id, 3, "none")
    to_vpcp, to_da_nang = decisions(out)[VPCP.organ_id], decisions(out)[DA_NANG.organ_id]
    # Lào Cai has no certificate: mail for information plus paper, to everyone
    for d in (to_vpcp, to_da_nang):
        assert (d["channel"], d["reason"], d["legal_value"], d["paper_copy"]) == (
            "mail",
            "no-certificate",
            False,
            True,
        )
        assert (d["queue_priority"], d["send_immediately"]) == (3, True)
        assert d["fallbacks"] == ["paper"]
    assert "government-paper-copy" in to_vpcp["other_reasons"]
    assert "no-axis-connection" in to_da_nang["other_reasons"]


@pytest.mark.parametrize("secrecy", ["mat", "toi-mat", "tuyet-mat"])
def test_a_secret_document_goes_on_paper(cli: Run, tmp_path: Path, secrecy: str) -> None:
    code, out, _ = cli(
        "route", str(write_document(tmp_path)), "--rules", str(RULES), "--secrecy", secrecy, "--json"
    )
    assert code == 0
    assert {(d["channel"], d["reason"]) for d in decisions(out).values()} == {("paper", "secret")}


def test_mail_shows_the_recipient_mailbox(cli: Run, tmp_path: Path) -> None:
    caps = tmp_path / "caps.toml"
    caps.write_text("[default]\naxis = false\n")
    code, out, _ = cli(
        "route", str(write_document(tmp_path)), "--rules", str(RULES), "--capabilities", str(caps)
    )
    assert code == 0
    assert "mail (vanthu@laocai.gov.vn)" in out
    assert "reason       no-axis-connection" in out


def test_a_signed_document_is_routed(cli: Run, tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    ids = f"{VPCP.organ_id},{LAO_CAI.organ_id},{DA_NANG.organ_id}"
    argv = ["certs", "init", "--dir", str(certs), "--algorithm", "ecdsa-p256", "--agencies", ids]
    assert cli(*argv, "--not-before", "2018-01-01")[0] == 0
    doc = tmp_path / "signed.xml"
    new = ["new", "--from", VPCP.organ_id, "--to", ids.split(",", 1)[1], "--type", "CV", "--subject", "Thử"]
    new += ["--drafting-unit", "TTĐT", "--date", "2018-09-20", "--number", "7", "-o", str(doc)]
    assert cli(*new)[0] == 0
    code, out, _ = cli("sign", str(doc), "--certs", str(certs), "--at", "2018-09-20T09:00:00+07:00")
    assert code == 0, out
    assert b"Signature" in doc.read_bytes()
    code, out, _ = cli("route", str(doc), "--rules", str(RULES), "--json")
    assert code == 0
    assert len(decisions(out)) == 2


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("bad-rules", "routing.retry_seconds[0]: must be a positive number"),
        ("bad-capabilities", 'capabilities."000.00.00.H38".axis: must be true or false'),
        ("unknown-capability-agency", "000.00.00.H99 (in the capabilities file) is not in"),
        ("unknown-recipient", "000.00.00.H99 (in the document) is not in"),
        ("status", "is a status message"),
        ("not-xml", "malformed-xml"),
        ("missing", "No such file"),
    ],
)
def test_errors_exit_2_with_one_line(cli: Run, tmp_path: Path, setup: str, expected: str) -> None:
    from docexchange.edxml import Organization, build_status

    doc, rules, extra = write_document(tmp_path), RULES, []
    caps = tmp_path / "caps.toml"
    if setup == "bad-rules":
        rules = tmp_path / "rules.toml"
        rules.write_text("[routing]\nretry_seconds = [-30]\n")
    elif setup == "bad-capabilities":
        caps.write_text('[capabilities."000.00.00.H38"]\naxis = "yes"\n')
        extra = ["--capabilities", str(caps)]
    elif setup == "unknown-capability-agency":
        caps.write_text('[capabilities."000.00.00.H99"]\naxis = false\n')
        extra = ["--capabilities", str(caps)]
    elif setup == "unknown-recipient":
        doc = write_document(tmp_path, to=(Organization("000.00.00.H99", "Không có"),))
    elif setup == "status":
        doc.write_bytes(to_bytes(build_status(status())))
    elif setup == "not-xml":
        doc.write_bytes(b"<edXMLEnvelope")
    elif setup == "missing":
        doc = tmp_path / "absent.xml"
    code, out, err = cli("route", str(doc), "--rules", str(rules), *extra)
    assert (code, out) == (2, "")
    assert err.startswith("docexchange: ") and err.count("\n") == 1
    assert expected in err


def test_an_unknown_secrecy_is_a_usage_error(cli: Run, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        cli("route", str(write_document(tmp_path)), "--rules", str(RULES), "--secrecy", "secret")
    assert caught.value.code == 2
