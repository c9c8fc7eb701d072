"""``docexchange run``: bad options and files are refused with exit 2 and the reason, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from docexchange.cli.main import main
from docexchange.report import Report

SCENARIO = str(Path(__file__).resolve().parents[2] / "simulations" / "plan-2008.toml")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--until", "2008-13-01"], "invalid-argument: --until: '2008-13-01' is not a date (YYYY-MM-DD)"),
        (
            ["--until", "2007-12-31"],
            "invalid-argument: --until 2007-12-31 is before the scenario's start 2008-01-01",
        ),
        (["--from", "2008-02-30"], "invalid-argument: --from: '2008-02-30' is not a date (YYYY-MM-DD)"),
        (
            ["--from", "2007-12-01"],
            "invalid-argument: --from 2007-12-01 is outside the scenario (2008-01-01 to 2008-12-31)",
        ),
        (
            ["--from", "2008-03-01", "--until", "2008-02-01"],
            "invalid-argument: --from 2008-03-01 is after the last day run 2008-02-01",
        ),
        (["--scale", "0"], "invalid-argument: --scale 0.0: must be in (0, 1]"),
        (["--scale", "1.5"], "invalid-argument: --scale 1.5: must be in (0, 1]"),
        (["--processes", "0"], "invalid-argument: --processes 0: must be 1 or more"),
        (
            ["--processes", "2", "--transport", "memory"],
            "invalid-argument: --processes needs the loopback transport: the memory transport carries "
            "messages by calls inside one process",
        ),
    ],
)
def test_bad_options_are_refused_with_the_reason(
    extra: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", SCENARIO, "--out", str(tmp_path / "run"), *extra]) == 2
    assert capsys.readouterr().err.strip() == f"docexchange: {expected}"
    assert not (tmp_path / "run" / "report.json").exists()


def test_a_missing_or_broken_scenario_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "none.toml")]) == 2
    assert "invalid-scenario" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text('[scenario]\nname = "x"\nstart = 2008-01-01\nbogus = 1\n', encoding="utf-8")
    assert main(["run", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"docexchange: invalid-scenario: {broken}: ") and "bogus" in err


def test_an_unknown_transport_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:  # argparse refuses it before any work
        main(["run", SCENARIO, "--out", str(tmp_path / "run"), "--transport", "pigeon"])
    assert exit_info.value.code == 2
    assert (
        "argument --transport: invalid choice: 'pigeon' (choose from 'loopback', 'memory')"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "run").exists()


def test_a_run_over_worker_processes_writes_its_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        ["run", SCENARIO, "--out", str(out), "--until", "2008-01-02", "--scale", "0.001", "--processes", "2"]
    )
    assert code == 0
    printed = capsys.readouterr()
    assert "2 node processes" in printed.err  # what it is doing, said before the work
    report = Report.from_json((out / "report.json").read_text(encoding="utf-8"))
    assert report.reconciliation.reconciles and report.totals.deliveries > 0
    assert (out / "report.html").exists()


def test_a_run_writes_documents_csv_that_recounts_to_the_report_and_the_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    from docexchange.store import NodeStore

    out = tmp_path / "run"
    command = [
        "run",
        SCENARIO,
        "--out",
        str(out),
        "--until",
        "2008-01-04",
        "--transport",
        "memory",
        "--scale",
        "0.001",
    ]
    assert main(command) == 0
    capsys.readouterr()
    report = Report.from_json((out / "report.json").read_text(encoding="utf-8"))
    text = (out / "documents.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == report.totals.deliveries > 50
    assert len({r["document_id"] for r in rows}) == report.totals.documents
    outcomes = [r["outcome"] for r in rows]
    overall = report.shares.overall
    assert (outcomes.count("legal"), outcomes.count("info_only"), outcomes.count("paper")) == (
        overall.legal,
        overall.info_only,
        overall.paper,
    )
    assert all(int(r["recipients"]) == sum(x["document_id"] == r["document_id"] for x in rows) for r in rows)
    assert any(r["sender_name"] == "Văn phòng Chính phủ" for r in rows)  # names with their diacritics
    assert [r["signed_at"] for r in rows] == sorted(r["signed_at"] for r in rows)
    # against the stores themselves: what each electronic row says left the sender on its channel
    state = out / "work" / "state"
    electronic = [r for r in rows if r["outcome"] != "paper"]
    assert electronic
    for row in electronic:
        with NodeStore(state / f"{row['sender']}.sqlite", row["sender"]) as store:
            items = store.list_outbox(row["document_id"])
        sent = [i for i in items if i.recipient == row["recipient"] and i.state.value == "sent"]
        assert [i.channel.value for i in sent if i.kind.value == "document"] == [row["channel"]]
        assert row["sent_at"] == min(i.sent_at for i in sent if i.sent_at).isoformat()


@pytest.mark.parametrize(
    ("scenario", "extra", "reason"),
    [
        (
            "faults.toml",
            [],
            "invalid-argument: --engine plan: the scenario's faults (",
        ),
        (
            "plan-2008.toml",
            ["--processes", "2"],
            "invalid-argument: --processes runs nodes; the plan engine has none to spread",
        ),
    ],
)
def test_the_plan_engine_refuses_what_it_cannot_run_before_any_work(
    scenario: str, extra: list[str], reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(Path(SCENARIO).parent / scenario)
    assert main(["run", path, "--engine", "plan", "--out", str(tmp_path / "run"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"docexchange: {reason}") and err[-1] == "\n" and err.count("\n") == 1
    assert not (tmp_path / "run" / "report.json").exists()
