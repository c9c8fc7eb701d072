"""sweep, compare and sensitivity: each cell is the plain run of a scenario file edited here by
hand (not through --vary), differences are the plain runs' differences seed by seed, and every
bad input is refused before any work with one line and exit 2."""

from __future__ import annotations

import csv
import math
import statistics
from pathlib import Path

import pytest

from docexchange.batch.replications import replication_seeds
from docexchange.cli.main import main
from tests.batch.independent import percentile
from tests.batch.scenarios import SMALL, edited, measured, plain_run

SEEDS = replication_seeds(2008, 2)
HEADLINE = "40 % of reports, invitations and work calendars by e-mail"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _province_end(tmp: Path, value: str, name: str) -> Path:
    """SMALL with the province tier's last mail_use point set to ``value``, edited as text."""
    text = SMALL.read_text(encoding="utf-8")
    block = "[[adoption.province]]\ndate = 2008-12-31\nmail_use = 0.30\n"
    assert text.count(block) == 1
    return edited(tmp, block, f"[[adoption.province]]\ndate = 2008-12-31\nmail_use = {value}\n", name)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep")
    code = main(
        ["sweep", str(SMALL), "--vary", "adoption.province[1].mail_use=0.3,0.5", "--vary", "delays.paper_days=1,3",
         "--replications", "2", "--workers", "2", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    return out


def test_a_sweep_cell_is_the_plain_run_of_the_edited_scenario(sweep: Path, tmp_path: Path) -> None:
    rows = _rows(sweep / "sweep_replications.csv")
    assert len(rows) == 4 * 2  # 2 × 2 cells × 2 replications, first --vary slowest
    assert [(r["adoption.province[1].mail_use"], r["delays.paper_days"], r["replication"]) for r in rows[:3]] == [
        ("0.3", "1", "0"), ("0.3", "1", "1"), ("0.3", "3", "0")
    ]  # fmt: skip
    scenario = _province_end(tmp_path, "0.5", "half.toml")
    text = scenario.read_text(encoding="utf-8")
    assert text.count("\npaper_days = 2.0\n") == 1
    scenario.write_text(text.replace("\npaper_days = 2.0\n", "\npaper_days = 1\n"), encoding="utf-8")
    for replication, seed in enumerate(SEEDS):
        expected = measured(plain_run(tmp_path, scenario, seed))
        cell = ("0.5", "1", str(replication))
        row = next(
            r
            for r in rows
            if (r["adoption.province[1].mail_use"], r["delays.paper_days"], r["replication"]) == cell
        )
        assert int(row["seed"]) == seed
        assert {name: float(row[name]) for name in expected} == expected


def test_sweep_csv_holds_each_cells_spread(sweep: Path) -> None:
    rows = _rows(sweep / "sweep.csv")
    detail = _rows(sweep / "sweep_replications.csv")
    assert len(rows) == 4 * 4  # cells × targets
    for row in rows:
        values = [
            float(d[row["target"]])
            for d in detail
            if (d["adoption.province[1].mail_use"], d["delays.paper_days"])
            == (row["adoption.province[1].mail_use"], row["delays.paper_days"])
        ]
        assert float(row["mean"]) == pytest.approx(statistics.mean(values), abs=5e-5)
        assert float(row["low"]) == pytest.approx(percentile(values, 5), abs=5e-5)
        assert float(row["high"]) == pytest.approx(percentile(values, 95), abs=5e-5)
        at_most = row["measure"] == "exchange-days"
        assert int(row["met"]) == sum(
            v <= float(row["target_value"]) if at_most else v >= float(row["target_value"]) for v in values
        )
        assert row["failed"] == "0"
    page = (sweep / "sweep.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4 and 'id="target-3"' in page  # a chart per target
    assert "<script" not in page and "http" not in page.split("<footer>")[0].replace("http-equiv", "")


def test_compare_differences_are_the_plain_runs_differences_seed_by_seed(tmp_path: Path) -> None:
    b = _province_end(tmp_path, "0.45", "b.toml")
    out = tmp_path / "cmp"
    code = main(["compare", str(SMALL), str(b), "--replications", "2", "--workers", "2", "--out", str(out)])
    assert code == 0
    rows = {r["target"]: r for r in _rows(out / "compare.csv")}
    a_runs = [measured(plain_run(tmp_path, SMALL, s)) for s in SEEDS]
    b_runs = [measured(plain_run(tmp_path, b, s)) for s in SEEDS]
    for name, row in rows.items():
        deltas = [y[name] - x[name] for x, y in zip(a_runs, b_runs, strict=True)]
        assert float(row["a_mean"]) == pytest.approx(statistics.mean(x[name] for x in a_runs), abs=5e-5)
        assert float(row["b_mean"]) == pytest.approx(statistics.mean(y[name] for y in b_runs), abs=5e-5)
        assert float(row["difference_mean"]) == pytest.approx(statistics.mean(deltas), abs=5e-5)
        assert float(row["difference_low"]) == pytest.approx(percentile(deltas, 5), abs=5e-5)
        better = (
            sum(d < 0 for d in deltas) if row["measure"] == "exchange-days" else sum(d > 0 for d in deltas)
        )
        assert int(row["difference_met"]) == better
        # the mean difference's 90 % confidence interval: t(0.95, 1 df) = 6.314 for two pairs
        half = 6.314 * statistics.stdev(deltas) / math.sqrt(2)
        assert float(row["difference_mean_low"]) == pytest.approx(statistics.mean(deltas) - half, abs=1e-4)
        assert float(row["difference_mean_high"]) == pytest.approx(statistics.mean(deltas) + half, abs=1e-4)
    assert "data:image/png;base64," in (out / "compare.html").read_text(encoding="utf-8")


def test_a_scenario_compared_with_itself_differs_by_nothing(tmp_path: Path) -> None:
    """Common random numbers: the same seeds give the same draws, so the difference is exactly 0."""
    out = tmp_path / "same"
    assert (
        main(["compare", str(SMALL), str(SMALL), "--replications", "3", "--workers", "2", "--out", str(out)])
        == 0
    )
    for row in _rows(out / "compare.csv"):
        assert (row["difference_mean"], row["difference_sd"], row["difference_met"]) == ("0.0", "0.0", "0")
        assert row["a_mean"] == row["b_mean"] and row["a_sd"] != "0.0"


def test_sensitivity_moves_each_input_as_an_edited_scenario_would(tmp_path: Path) -> None:
    out = tmp_path / "sens"
    code = main(["sensitivity", str(SMALL), "--replications", "1", "--workers", "2", "--out", str(out)])
    assert code == 0
    rows = _rows(out / "sensitivity.csv")
    assert len(rows) == 4 * 16  # targets × (4 tiers × 4 measures)
    row = next(r for r in rows if r["target"] == HEADLINE and r["input"] == "adoption.province · mail_use")
    # province mail_use 0.18 → 0.30 over the year; +10 points: 0.28 → 0.40, edited by hand
    text = SMALL.read_text(encoding="utf-8")
    up = edited(tmp_path, "[[adoption.province]]\ndate = 2008-01-01\nmail_use = 0.18\n",
                "[[adoption.province]]\ndate = 2008-01-01\nmail_use = 0.28\n", "up0.toml")  # fmt: skip
    up_text = up.read_text(encoding="utf-8").replace(
        "[[adoption.province]]\ndate = 2008-12-31\nmail_use = 0.30\n",
        "[[adoption.province]]\ndate = 2008-12-31\nmail_use = 0.4\n",
    )
    assert up_text != text
    up.write_text(up_text, encoding="utf-8")
    assert float(row["up_mean"]) == measured(plain_run(tmp_path, up, 2008))[HEADLINE]
    assert float(row["baseline_mean"]) == measured(plain_run(tmp_path, SMALL, 2008))[HEADLINE]
    assert float(row["swing"]) == pytest.approx(float(row["up_mean"]) - float(row["down_mean"]), abs=1e-4)
    # widest first; an input the 2008 rules ignore (certificates: mail carries unsigned copies) moves nothing
    headline = [r for r in rows if r["target"] == HEADLINE]
    swings = [abs(float(r["swing"])) for r in headline]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    assert next(r for r in headline if r["input"] == "adoption.ministry · certificate")["swing"] == "0.0"
    assert (out / "sensitivity.html").read_text(encoding="utf-8").count("data:image/png;base64,") == 4


FAULTS = Path(__file__).parents[2] / "simulations" / "faults.toml"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", str(SMALL), "--vary", "foo.bar=1"],
         f"docexchange: invalid-scenario: with foo.bar=1: {SMALL}: foo: unknown key (expected scenario, "
         "participants, workload, delays, adoption, faults, targets, published)"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=abc"],
         "docexchange: invalid-argument: --vary delays.paper_days: 'abc' is a string; the scenario has a number there"),
        (["sweep", str(SMALL), "--vary", "adoption.province[1].mail_use=0.5,1.5"],
         f"docexchange: invalid-scenario: with adoption.province[1].mail_use=1.5: {SMALL}: "
         "adoption.province[1].mail_use: must be a share between 0 and 1, got 1.5"),
        (["sweep", str(SMALL), "--vary", "routing.retry_seconds=[30,-1]"],
         f"docexchange: invalid-rules: with routing.retry_seconds=[30,-1]: {SMALL} (its routing rules): "
         "routing.retry_seconds[1]: must be a positive number of seconds, got -1"),
        (["sweep", str(SMALL), "--vary", "scenario.seed=1,2"],
         "docexchange: invalid-argument: --vary scenario.seed: replications set the seed; use --seed for the first one"),
        (["sweep", str(SMALL), "--vary", "scenario.registry=/work/agencies/government-2025.toml"],
         "docexchange: invalid-argument: --vary scenario.registry: the files a scenario names travel with it as "
         "they are; to use another, write a scenario that names it"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=1", "--vary", 'delays."paper_days"=2'],
         'docexchange: invalid-argument: --vary delays."paper_days": given twice; list all its values in one --vary'),
        (["sweep", str(SMALL), "--vary", "adoption.province[1]={mail_use=0.5}", "--vary", "adoption.province[1].dms=1"],
         "docexchange: invalid-argument: --vary adoption.province[1].dms: inside --vary adoption.province[1]; "
         "vary one or the other"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=0.5,0.50"],
         "docexchange: invalid-argument: --vary delays.paper_days=0.5,0.50: a value is listed twice"),
        (["run", str(SMALL), "--workers", "2"],
         "docexchange: invalid-argument: --workers and --cluster run replications: give --replications N (N > 1); "
         "one run runs here"),
        (["compare", str(SMALL), str(FAULTS)],
         f"docexchange: invalid-argument: B ({FAULTS}): --engine plan: the scenario's faults (axis-outage, "
         "certificate-revoked, clock-skew, duplicate-storm, forged, mail-outage, node-outage, partition, "
         "receipts-lost, slow-link, tampered) act on the network and the nodes, which the plan engine does not "
         "run; use --engine protocol"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=1", "--vary", "delays.paper_days=2"],
         "docexchange: invalid-argument: --vary delays.paper_days: given twice; list all its values in one --vary"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=1", "--replications", "0"],
         "docexchange: invalid-argument: --replications 0: must be 1 or more"),
        (["run", str(SMALL), "--replications", "-2"], "docexchange: invalid-argument: --replications -2: must be 1 or more"),
        (["compare", str(SMALL), str(SMALL), "--cluster", "tcp://127.0.0.1:9"],
         "docexchange: invalid-argument: --cluster tcp://127.0.0.1:9: no Dask scheduler answers there (Connection refused)"),
        (["sweep", str(FAULTS), "--vary", "delays.paper_days=1"],
         "docexchange: invalid-argument: --engine plan: the scenario's faults (axis-outage, certificate-revoked, "
         "clock-skew, duplicate-storm, forged, mail-outage, node-outage, partition, receipts-lost, slow-link, "
         "tampered) act on the network and the nodes, which the plan engine does not run; use --engine protocol"),
        (["sweep", str(SMALL), "--vary", "delays.paper_days=1", "--until", "2007-01-01"],
         "docexchange: invalid-argument: --until 2007-01-01 is before the scenario's start 2008-11-03"),
        (["run", str(SMALL), "--replications", "2", "--processes", "2"],
         "docexchange: invalid-argument: --processes spreads one run's nodes; replications already run in "
         "parallel (--workers)"),
        (["sensitivity", str(SMALL), "--delta", "0"], "docexchange: invalid-argument: --delta 0.0: must be in (0, 1]"),
        (["run", str(SMALL), "--seed", "-1", "--replications", "2"],
         "docexchange: invalid-argument: --seed -1: must be 0 or more and below 2**63"),
        (["compare", str(SMALL), str(SMALL), "--engine", "plan", "--transport", "memory"],
         "docexchange: invalid-argument: --transport: the plan engine sends no message; use --engine protocol"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_any_work(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err == message + "\n" and captured.out == ""
    assert not out.exists()  # nothing started, nothing written
