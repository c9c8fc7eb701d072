"""``run --replications N``: replication 0 is the plain run, each replication is the plain run of
its seed, and the spread in report.json and replications.csv is computed from those independent
runs here; the page shows the intervals and the fan; N = 1 leaves a run folder as it was."""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from docexchange.batch.executors import Done, LocalPool, TaskRunner
from docexchange.batch.replications import INTERVAL_METHOD, SEED_DERIVATION, replication_seeds
from docexchange.batch.tasks import Outcome, Task, run_task
from docexchange.cli.main import main
from docexchange.report.schema import Report
from tests.batch import runners
from tests.batch.independent import percentile
from tests.batch.scenarios import SMALL, measured, plain_run

COUNT = 4
SEED = 2008  # the scenario's


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("replicated") / "run"
    # a stale file of an earlier single run must not survive as if it were this run's
    out.mkdir()
    (out / "documents.csv").write_text("stale\n", encoding="utf-8")
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["run", str(SMALL), "--replications", str(COUNT), "--workers", "2", "--out", str(out)])
    assert code == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("plain")
    return [plain_run(tmp, SMALL, seed) for seed in replication_seeds(SEED, COUNT)]


def test_replication_zero_is_the_plain_run_of_the_scenario(
    replicated: tuple[Path, str], plain: list[dict[str, Any]]
) -> None:
    out, _ = replicated
    report = Report.from_json((out / "report.json").read_text(encoding="utf-8"))
    alone = dataclasses.replace(report, replications=None)
    assert alone.to_dict() == Report.from_dict(plain[0]).to_dict()
    assert report.run.seed == SEED and report.run.engine == "plan"


def test_each_targets_spread_is_computed_from_the_plain_runs_of_the_seeds(
    replicated: tuple[Path, str], plain: list[dict[str, Any]]
) -> None:
    out, printed = replicated
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))["replications"]
    assert data["count"] == COUNT and data["completed"] == COUNT and data["failed"] == []
    assert data["seeds"] == list(replication_seeds(SEED, COUNT))
    assert (data["seed_derivation"], data["interval"]) == (SEED_DERIVATION, INTERVAL_METHOD)
    targets = {t["name"]: t for t in plain[0]["targets"]}
    assert [t["name"] for t in data["targets"]] == list(targets)
    assert [t["measure"] for t in data["targets"]][-1] == "exchange-days"  # a maximum among them
    assert data["shown"] == 0
    for spread in data["targets"]:
        values = [measured(report)[spread["name"]] for report in plain]
        target = targets[spread["name"]]
        if target["measure"] == "exchange-days":  # a maximum
            expected_met = sum(v <= target["target"] for v in values)
        else:
            expected_met = sum(v >= target["target"] for v in values)
        assert spread["replications"] == COUNT
        assert spread["mean"] == pytest.approx(statistics.mean(values), abs=5e-5)
        assert spread["sd"] == pytest.approx(statistics.stdev(values), abs=5e-5)
        assert spread["low"] == pytest.approx(percentile(values, 5), abs=5e-5)
        assert spread["high"] == pytest.approx(percentile(values, 95), abs=5e-5)
        assert spread["met"] == expected_met
        assert spread["met_share"] == pytest.approx(expected_met / COUNT)
        assert f"{spread['name']}: mean " in printed and f": met in {expected_met} of {COUNT}\n" in printed


def test_replications_csv_has_one_row_per_replication(
    replicated: tuple[Path, str], plain: list[dict[str, Any]]
) -> None:
    out, _ = replicated
    with (out / "replications.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [int(r["replication"]) for r in rows] == list(range(COUNT))
    for row, report, seed in zip(rows, plain, replication_seeds(SEED, COUNT), strict=True):
        assert (int(row["seed"]), row["status"], row["reason"]) == (seed, "ok", "")
        assert int(row["documents"]) == report["totals"]["documents"]
        for name, value in measured(report).items():
            assert float(row[name]) == value


def test_the_page_shows_the_intervals_and_the_fan(replicated: tuple[Path, str]) -> None:
    out, _ = replicated
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-fan"' in page and 'id="target_spreads"' in page and 'id="share_fan"' in page
    assert f"{COUNT} lần lặp (replications)" in page
    assert (out / "share_fan.png").read_bytes().startswith(b"\x89PNG")
    fan = list(csv.DictReader((out / "share_fan.csv").open(encoding="utf-8")))
    assert [r["quarter"] for r in fan] == ["2008-Q4"]
    assert float(fan[0]["p5"]) <= float(fan[0]["p50"]) <= float(fan[0]["p95"])
    assert not (out / "documents.csv").exists()  # N runs' deliveries are not written (see --seed)


def test_a_single_run_after_a_replicated_one_leaves_no_replication_files(
    replicated: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = replicated
    folder = tmp_path / "again"
    folder.mkdir()
    for name in ("replications.csv", "target_spreads.csv", "share_fan.csv", "share_fan.png"):
        (folder / name).write_bytes((out / name).read_bytes())
    assert main(["run", str(SMALL), "--engine", "plan", "--out", str(folder), "--json"]) == 0
    text = (folder / "report.json").read_text(encoding="utf-8")
    assert '"replications"' not in text  # one run's file, byte for byte as before issue 14
    assert sorted(p.name for p in folder.glob("*fan*")) == [] and not (folder / "replications.csv").exists()
    assert (folder / "documents.csv").exists()


class _Refusing(LocalPool):
    """Two local workers that refuse one replication and run the others for real."""

    def __init__(self, replication: int) -> None:
        super().__init__(2)
        self.replication = replication

    def run(self, tasks: Sequence[Task], done: Done, runner: TaskRunner = run_task) -> list[Outcome]:
        return super().run(tasks, done, functools.partial(runners.refusing_replication, self.replication))


@pytest.mark.parametrize("refused", [1, 0])
def test_a_failed_replication_is_recorded_and_the_run_says_so(
    refused: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("docexchange.cli.run.executor_of", lambda args: _Refusing(refused))
    out = tmp_path / "run"
    assert main(["run", str(SMALL), "--replications", "3", "--out", str(out)]) == 1
    seeds = replication_seeds(SEED, 3)
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    shown = 1 if refused == 0 else 0  # the report is the first replication that ran
    assert data["run"]["seed"] == seeds[shown] and data["replications"]["shown"] == shown
    assert data["replications"]["failed"] == [
        {"replication": refused, "seed": seeds[refused], "reason": "invalid-argument: refused by the test"}
    ]
    assert data["replications"]["completed"] == 2
    assert {t["replications"] for t in data["replications"]["targets"]} == {2}
    rows = list(csv.DictReader((out / "replications.csv").open(encoding="utf-8")))
    assert [(r["status"], r["reason"]) for r in rows][refused] == (
        "failed",
        "invalid-argument: refused by the test",
    )
    assert [r["status"] for r in rows].count("ok") == 2
    assert f"lần lặp {shown} (hạt giống {seeds[shown]}" in (out / "report.html").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert f"docexchange: 1 replication failed (first: replication {refused}, seed {seeds[refused]}: " in err


class _RefusingAll(LocalPool):
    def run(self, tasks: Sequence[Task], done: Done, runner: TaskRunner = run_task) -> list[Outcome]:
        return super().run(tasks, done, runners.refusing_all)


def test_when_every_replication_fails_only_why_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("docexchange.cli.run.executor_of", lambda args: _RefusingAll(2))
    out = tmp_path / "run"
    assert main(["run", str(SMALL), "--replications", "2", "--out", str(out)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["replications.csv"]
    rows = list(csv.DictReader((out / "replications.csv").open(encoding="utf-8")))
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("failed", "invalid-argument: refused by the test")
    ] * 2
    assert (
        "docexchange: every replication failed: 2 replications failed (first: replication 0"
        in capsys.readouterr().err
    )
