"""``docexchange agencies``: the table, --json, --on, --level2 and --registry."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from docexchange.cli import agencies
from docexchange.errors import RegistryError

from .helpers import ministry, write_registry


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docexchange")
    agencies.register(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    args = _parser().parse_args(["agencies", *argv])
    assert args.handler(args) == 0
    return capsys.readouterr().out


def test_table_lists_every_agency_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _run(capsys).splitlines()
    header, rows, summary = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["ID", "NAME", "KIND", "TIER", "DOMAIN", "PILOT", "VALID", "MARKS"]
    assert len(rows) == 86
    assert summary.startswith("86 agencies from ")
    kind_column = header.index("KIND")
    for row in rows:
        assert row[kind_column - 2 : kind_column] == "  "
        assert row[kind_column] != " "
    lao_cai = next(r for r in rows if r.startswith("000.00.00.H38"))
    assert "Ủy ban nhân dân tỉnh Lào Cai" in lao_cai
    assert "mountainous-remote" in lao_cai and "pilot" in lao_cai
    assert "inferred" not in lao_cai.replace("domain-inferred", "")
    an_giang = next(r for r in rows if r.startswith("000.00.00.H01"))
    assert an_giang.rstrip().endswith("inferred,domain-inferred")


def test_on_filters_by_date(capsys: pytest.CaptureFixture[str]) -> None:
    before = _run(capsys, "--on", "2008-07-31")
    after = _run(capsys, "--on", "2008-08-01")
    assert "000.00.00.H64" in before and "Hà Tây" in before
    assert "000.00.00.H64" not in after
    assert after.splitlines()[-1].endswith("active on 2008-08-01")
    assert len(after.splitlines()) == 1 + 85 + 1


def test_json_is_an_array_of_objects_with_vietnamese_unescaped(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "--json", "--on", "2008-08-01")
    assert "Bộ Tài chính" in out  # ensure_ascii=False
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 85
    vpcp = next(o for o in data if o["id"] == "000.00.00.G22")
    assert vpcp["short_name"] == "VPCP"
    assert vpcp["mailbox"] == "vanthu@chinhphu.gov.vn"
    assert vpcp["signer"]["position"] == "Bộ trưởng, Chủ nhiệm"
    assert vpcp["valid_from"] == "2007-07-31"
    hanoi = next(o for o in data if o["id"] == "000.00.00.H24")
    assert hanoi["absorbed"] == ["000.00.00.H64"]
    assert hanoi["tier"] == "central-city"


def test_level2_adds_generated_units(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_run(capsys, "--json", "--level2", "--registry", "2025", "--on", "2025-07-01"))
    generated = [o for o in data if o["generated"]]
    assert generated and all(o["kind"] == "department" and o["level"] == 2 for o in generated)
    assert sum(1 for o in data if not o["generated"]) == 51
    table = _run(capsys, "--level2", "--registry", "2025")
    assert "generated" in table


def test_registry_takes_a_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry())
    out = _run(capsys, "--registry", str(path))
    assert "000.00.00.G12" in out and out.splitlines()[-1].startswith("1 agencies")


def test_malformed_registry_raises_a_registry_error(tmp_path: Path) -> None:
    path = write_registry(tmp_path, ministry(kind="bureau"))
    args = _parser().parse_args(["agencies", "--registry", str(path)])
    with pytest.raises(RegistryError, match="unknown kind 'bureau'"):
        args.handler(args)


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _parser().parse_args(["agencies", "--on", "2008-13-01"])
    assert caught.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_main_prints_registry_errors_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for module in ("certs", "messages", "walk"):  # main imports every command group
        pytest.importorskip(f"docexchange.cli.{module}")
    from docexchange.cli.main import main

    path = write_registry(tmp_path, ministry(tier="central"))
    assert main(["agencies", "--registry", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("docexchange: invalid-registry: ") and "unknown tier 'central'" in err
    assert main(["agencies", "--on", "2025-07-01", "--registry", "2025"]) == 0
