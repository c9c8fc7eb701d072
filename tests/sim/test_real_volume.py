"""Volumes as published (DOMAIN.md §1): workload growth, counts of documents on the axis over a
period, and what a newcomer gets wrong in either — refused with the key and a sentence."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest

from docexchange.metrics import build_report
from docexchange.metrics.outcomes import Outcome
from docexchange.metrics.table import CHANNELS, OUTCOMES, ResultTable
from docexchange.report import Report
from docexchange.routing import Channel
from docexchange.sim.calendar import load_calendar
from docexchange.sim.plan_engine import PlanEngine
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import FigureRole, TargetMeasure
from docexchange.sim.scenario_loader import load_scenario
from docexchange.sim.timeline import day_number, local_day_number
from tests.sim.test_runs import SIMULATIONS
from tests.sim.test_scenarios import MINIMAL, assert_refused, replaced, write

GROWING = replaced(
    "types = { CV = 1 }",
    "types = { CV = 1 }\ngrowth = [{ date = 2019-07-01, factor = 1.0 }, { date = 2019-07-11, factor = 3.0 }]",
)
AXIS_COUNT = """
[[published]]
name = "On the axis, 1–5 July"
measure = "axis-documents"
since = 2019-07-01
until = 2019-07-05
value = 100
role = "held-out"
source = "s"
"""


def test_growth_multiplies_every_rate_linearly_between_its_points(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GROWING))
    assert scenario.workload.growth is not None
    registry_agency = next(iter(SimulationRunner(scenario, tmp_path).participants))
    base = scenario.workload.rate(registry_agency)
    assert scenario.workload.rate(registry_agency, date(2019, 7, 1)) == base
    assert scenario.workload.rate(registry_agency, date(2019, 7, 6)) == pytest.approx(2.0 * base)
    assert scenario.workload.rate(registry_agency, date(2019, 7, 12)) == pytest.approx(
        3.0 * base
    )  # flat after


@pytest.mark.parametrize(
    ("growth", "key", "reason"),
    [
        ("growth = { date = 2019-07-01, factor = 1.0 }", "workload.growth", "must be a list of points"),
        ("growth = []", "workload.growth", "lists no point"),
        (
            "growth = [{ date = 2019-07-05, factor = 1.0 }, { date = 2019-07-05, factor = 2.0 }]",
            "workload.growth[1].date",
            "must be after the previous point's date 2019-07-05",
        ),
        ("growth = [{ date = 2019-07-01, factor = 0 }]", "workload.growth[0].factor", "must be more than 0"),
        ("growth = [{ date = 2019-07-01, factor = -1 }]", "workload.growth[0].factor", ""),
        ("growth = [{ date = 2019-07-01, rate = 2 }]", "workload.growth[0].rate", ""),
    ],
)
def test_a_meaningless_growth_is_refused(tmp_path: Path, growth: str, key: str, reason: str) -> None:
    assert_refused(tmp_path, replaced("types = { CV = 1 }", "types = { CV = 1 }\n" + growth), key, reason)


@pytest.mark.parametrize(
    ("figure", "key", "reason"),
    [
        (AXIS_COUNT.replace("since = 2019-07-01\n", ""), "published[0].since", ""),
        (
            AXIS_COUNT.replace("until = 2019-07-05", "until = 2019-06-30"),
            "published[0].until",
            "must be on or after 'since' 2019-07-01",
        ),
        (
            AXIS_COUNT.replace('measure = "axis-documents"', 'measure = "signed-electronic-share"').replace(
                "value = 100", "value = 0.5"
            ),
            "published[0].since",
            "applies to axis-documents, not signed-electronic-share",
        ),
    ],
)
def test_a_count_of_documents_needs_its_period(tmp_path: Path, figure: str, key: str, reason: str) -> None:
    assert_refused(tmp_path, MINIMAL + figure, key, reason)


def test_a_count_of_documents_is_not_a_target(tmp_path: Path) -> None:
    target = (
        '\n[[targets]]\nname = "v"\nmeasure = "axis-documents"\nby = 2019-07-12\nvalue = 10\nsource = "s"\n'
    )
    assert_refused(
        tmp_path, MINIMAL + target, "targets[0].measure", "axis-documents is a published volume, not a target"
    )


def _plan(
    text: str, tmp_path: Path, until: date, scale: float = 1.0
) -> tuple[ResultTable, list[tuple[str, float]]]:
    scenario = load_scenario(write(tmp_path, text))
    result, table = PlanEngine(SimulationRunner(scenario, tmp_path / "work", until=until, scale=scale)).run()
    report = build_report(result, table)
    return table, [(c.name, c.measured) for c in report.calibration]


def test_documents_on_the_axis_count_documents_with_a_delivery_over_the_axis_in_the_period(
    tmp_path: Path,
) -> None:
    table, figures = _plan(MINIMAL + AXIS_COUNT, tmp_path, date(2019, 7, 12))
    axis = CHANNELS.index(Channel.AXIS)
    legal = OUTCOMES.index(Outcome.LEGAL)
    days = local_day_number(table.doc_signed)
    in_period = (days >= day_number(date(2019, 7, 1))) & (days <= day_number(date(2019, 7, 5)))
    counted = {  # recounted here, row by row
        int(d)
        for d, c, o in zip(
            table.document.tolist(), table.channel.tolist(), table.outcome.tolist(), strict=True
        )
        if c == axis and o == legal and in_period[d]
    }
    assert 0 < len(counted) < table.documents
    assert dict(figures)["On the axis, 1–5 July"] == len(counted)


def test_a_count_over_a_period_the_run_does_not_cover_is_left_out(tmp_path: Path) -> None:
    _, figures = _plan(MINIMAL + AXIS_COUNT, tmp_path, date(2019, 7, 3))
    assert "On the axis, 1–5 July" not in dict(figures)


def test_growth_grows_the_documents_signed(tmp_path: Path) -> None:
    flat, _ = _plan(MINIMAL, tmp_path / "flat", date(2019, 7, 12))
    grown, _ = _plan(GROWING, tmp_path / "grown", date(2019, 7, 12))
    calendar = load_calendar()
    late = day_number(date(2019, 7, 8))
    late_flat = int((local_day_number(flat.doc_signed) >= late).sum())
    late_grown = int((local_day_number(grown.doc_signed) >= late).sum())
    assert calendar.is_working_day(date(2019, 7, 8))
    assert 2.0 * late_flat < late_grown < 3.5 * late_flat  # factors 2.4–3 on 8–12 July


def test_the_axis_scenario_states_what_was_fitted_and_what_was_held_out() -> None:
    scenario = load_scenario(SIMULATIONS / "axis-2019-2022.toml")
    counts = {p.name: p for p in scenario.published if p.measure is TargetMeasure.AXIS_DOCUMENTS}
    roles = sorted(p.role.value for p in counts.values())
    assert roles == ["fitted", "fitted", "held-out", "held-out"]
    held_out = [p for p in counts.values() if p.role is FigureRole.HELD_OUT]
    assert {(p.since, p.until) for p in held_out} == {
        (date(2020, 1, 1), date(2020, 3, 31)),
        (date(2019, 3, 12), date(2022, 8, 31)),
    }


def test_a_thinned_count_undoes_its_thinning(tmp_path: Path) -> None:
    """January 2019 of the axis scenario at 2 % stands for the whole month (the fitted 30 000)."""
    scenario = load_scenario(SIMULATIONS / "axis-2019-2022.toml")
    runner = SimulationRunner(scenario, Path(tempfile.mkdtemp()), until=date(2019, 1, 31), scale=0.02)
    result, table = PlanEngine(runner).run()
    report = build_report(result, table)
    january = next(c for c in report.calibration if c.name == "Documents on the axis, January 2019")
    axis, legal = CHANNELS.index(Channel.AXIS), OUTCOMES.index(Outcome.LEGAL)
    documents = {
        int(d)
        for d, c, o in zip(
            table.document.tolist(), table.channel.tolist(), table.outcome.tolist(), strict=True
        )
        if c == axis and o == legal
    }
    assert january.measured == pytest.approx(len(documents) / 0.02)
    assert january.measured == pytest.approx(30_000, rel=0.1)  # fitted: a check of the fit, not of the model
    assert (january.role, january.unit) == ("fitted", "documents")
    assert Report.from_json(report.to_json()) == report  # the strict reader takes the count


@pytest.mark.parametrize("engine", ["plan", "protocol"])
def test_times_past_the_calendar_are_refused_by_both_engines_alike(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last days of the calendar's last year: a document accepted in 2027 needs 2027's holidays."""
    from docexchange.cli.main import main

    text = (
        MINIMAL.replace("government-2008.toml", "government-2025.toml")
        .replace('select = "pilots"', 'select = "all"')
        .replace("start = 2019-07-01", "start = 2026-12-28")
        .replace("end = 2019-07-12", "end = 2026-12-31")
        .replace("date = 2019-07-01", "date = 2026-12-28")
    )
    path = write(tmp_path, text)
    command = ["run", str(path), "--engine", engine, "--transport", "memory", "--scale", "0.5"]
    assert main([*command, "--out", str(tmp_path / "run")]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "invalid-calendar: 2027-01-01 is outside the working calendar, which covers 2008–2026: "
            "the holidays of 2027 are not loaded"
        )
    )
