"""``docexchange report DIR``: re-render a run folder; a missing or corrupt report.json exits 2 on one line."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docexchange.cli import main as main_module
from docexchange.cli import report as report_cli
from docexchange.report import Report
from tests.report.conftest import FILES
from tests.report.factories import sample_report

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``docexchange`` as a user runs it."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main_module.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_rerenders_every_file_from_report_json(cli: Run, rendered: Path, tmp_path: Path) -> None:
    shutil.copy(rendered / "report.json", tmp_path / "report.json")
    code, out, err = cli("report", str(tmp_path))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (rendered / name).read_bytes(), name
    assert "plan-2008" in out and "16 files written" in out


def test_out_and_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calls: list[tuple[Report, Path]] = []
    monkeypatch.setattr(report_cli, "render", lambda report, out: calls.append((report, out)) or [])
    (tmp_path / "report.json").write_text(sample_report().to_json(), encoding="utf-8")
    args = argparse.Namespace(dir=str(tmp_path), out=str(tmp_path / "other"), quiet=True)
    assert report_cli.run(args) == 0
    assert calls == [(sample_report(), tmp_path / "other")]
    assert capsys.readouterr() == ("", "")


def test_missing_report_json_exits_2_on_one_line(cli: Run, tmp_path: Path) -> None:
    code, out, err = cli("report", str(tmp_path))
    assert (code, out) == (2, "")
    assert (
        err
        == f"docexchange: invalid-argument: {tmp_path / 'report.json'}: no such file (a run writes it with --out DIR)\n"
    )


def test_missing_folder_exits_2(cli: Run, tmp_path: Path) -> None:
    code, _out, err = cli("report", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.count("\n") == 1 and "no such folder" in err


def test_corrupt_report_json_exits_2_on_one_line(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text('{"format": "docexchange-report/2", "run": ', encoding="utf-8")
    code, out, err = cli("report", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"docexchange: schema-invalid: {tmp_path / 'report.json'}: not valid JSON: ")
    assert err.count("\n") == 1


def test_report_json_with_unknown_field_exits_2_naming_it(cli: Run, tmp_path: Path) -> None:
    data = json.loads(sample_report().to_json())
    data["totals"]["pages"] = 3
    (tmp_path / "report.json").write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = cli("report", str(tmp_path))
    assert code == 2
    assert "totals: unknown field 'pages'" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # nothing rendered
