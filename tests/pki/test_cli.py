"""``docexchange certs …`` handlers, driven through the parser that certs.register builds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509 import ocsp

from docexchange.cli import certs
from docexchange.errors import PkiError, ReasonCode
from docexchange.pki import PkiStore
from docexchange.registry.model import Registry
from tests.pki.conftest import HANOI, VPCP, small_registry


@pytest.fixture(autouse=True)
def _small_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """``certs init`` loads the registry lazily; give it the three-agency one instead of the shipped file."""
    import docexchange.registry

    def load(path: object = None) -> Registry:
        return small_registry()

    monkeypatch.setattr(docexchange.registry, "load_registry", load, raising=False)


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="docexchange")
    certs.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["certs", *map(str, argv)])
    code: int = args.handler(args)
    return code


@pytest.fixture
def pki_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "certs"
    assert run("init", "--dir", directory, "--algorithm", "ecdsa-p256", "--not-before", "2015-01-01") == 0
    return directory


def test_init_prints_a_summary_and_the_key_reminder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "certs"
    assert run("init", "--dir", directory, "--algorithm", "ecdsa-p256", "--agencies", HANOI.id) == 0
    out = capsys.readouterr().out
    assert "1 agencies" in out and "2 certificates" in out
    assert "never committed" in out and "root.key" in out
    store = PkiStore.open(directory)
    assert store.agency_ids == (HANOI.id,)
    assert (
        store.root.not_valid_before_utc.isoformat() == "2009-12-31T17:00:00+00:00"
    )  # 2010-01-01 Vietnam time


def test_init_twice_is_refused_without_force(pki_dir: Path) -> None:
    with pytest.raises(PkiError) as caught:
        run("init", "--dir", pki_dir, "--algorithm", "ecdsa-p256")
    assert caught.value.code is ReasonCode.INVALID_ARGUMENT
    assert run("init", "--dir", pki_dir, "--algorithm", "ecdsa-p256", "--force") == 0


def test_unknown_algorithm_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        run("init", "--dir", tmp_path, "--algorithm", "dsa1024")
    assert caught.value.code == 2


def test_revoke_then_show_reports_the_revocation(pki_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        run(
            "revoke",
            VPCP.id,
            "--dir",
            pki_dir,
            "--role",
            "person",
            "--at",
            "2019-06-01",
            "--reason",
            "superseded",
        )
        == 0
    )
    assert "revoked the person certificate of 000.00.00.G22" in capsys.readouterr().out
    assert run("show", VPCP.id, "--dir", pki_dir, "--at", "2020-01-01T00:00:00+07:00") == 0
    out = capsys.readouterr().out
    assert "revoked since 2019-06-01T00:00:00+07:00 (superseded)" in out
    assert "organizationIdentifier=000.00.00.G22" in out
    assert out.count("status    good") == 1
    with pytest.raises(PkiError, match="already revoked"):
        run("revoke", VPCP.id, "--dir", pki_dir, "--role", "person")


def test_crl_to_file_and_to_stdout(pki_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run("revoke", HANOI.id, "--dir", pki_dir, "--at", "2019-01-01")
    target = tmp_path / "issuing.crl"
    assert run("crl", "--dir", pki_dir, "--at", "2020-01-01", "-o", target) == 0
    crl = x509.load_pem_x509_crl(target.read_bytes())
    store = PkiStore.open(pki_dir)
    assert {entry.serial_number for entry in crl} == {
        store.organisation(HANOI.id).cert.serial_number,
        store.person(HANOI.id).cert.serial_number,
    }
    capsys.readouterr()
    assert run("crl", "--dir", pki_dir, "--at", "2018-01-01", "--authority") == 0
    root_crl = x509.load_pem_x509_crl(capsys.readouterr().out.encode())
    assert root_crl.issuer == store.root.subject and len(root_crl) == 0


def test_ocsp_writes_a_der_response(pki_dir: Path, tmp_path: Path) -> None:
    run("revoke", VPCP.id, "--dir", pki_dir, "--role", "organisation", "--at", "2019-06-01T10:00:00+07:00")
    target = tmp_path / "answer.der"
    assert run("ocsp", VPCP.id, "--dir", pki_dir, "--at", "2020-01-01", "-o", target) == 0
    response = ocsp.load_der_ocsp_response(target.read_bytes())
    assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc is not None
    assert response.revocation_time_utc.isoformat() == "2019-06-01T03:00:00+00:00"
    assert run("ocsp", VPCP.id, "--role", "person", "--dir", pki_dir, "--at", "2020-01-01", "-o", target) == 0
    assert ocsp.load_der_ocsp_response(target.read_bytes()).certificate_status is ocsp.OCSPCertStatus.GOOD


def test_commands_on_a_missing_pki_say_so(tmp_path: Path) -> None:
    with pytest.raises(PkiError) as caught:
        run("show", VPCP.id, "--dir", tmp_path)
    assert caught.value.code is ReasonCode.PKI_MISSING


def test_show_unknown_agency(pki_dir: Path) -> None:
    with pytest.raises(PkiError) as caught:
        run("show", "000.00.00.X99", "--dir", pki_dir)
    assert caught.value.code is ReasonCode.UNKNOWN_AGENCY
