"""Every shipped scenario states its volume against the published one: a run's documents per year
(the full workload's: a thinned run undoes its thinning) beside the published figure."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from docexchange.metrics import build_report
from docexchange.sim.calendar import load_calendar
from docexchange.sim.plan_engine import PlanEngine
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import FigureRole, TargetMeasure
from docexchange.sim.scenario_loader import load_scenario
from tests.sim.test_runs import SIMULATIONS

VOLUME = "documents-per-year"


@pytest.mark.parametrize(
    "name",
    [
        "plan-2008",
        "calibration-2012",
        "vpcp-2011-2015",
        "decision-28-rollout",
        "national-2025",
        "axis-2019-2022",
    ],
)
def test_each_scenario_states_a_published_volume_and_whether_it_was_fitted(name: str) -> None:
    scenario = load_scenario(SIMULATIONS / f"{name}.toml")
    volumes = [p for p in scenario.published if p.measure is TargetMeasure.DOCUMENTS_PER_YEAR]
    assert len(volumes) == 1 and volumes[0].value >= 1_000_000
    assert volumes[0].role in (FigureRole.FITTED, FigureRole.HELD_OUT)


def _volume(scale: float) -> tuple[float, int, float]:
    scenario = load_scenario(SIMULATIONS / "plan-2008.toml")
    runner = SimulationRunner(scenario, Path(tempfile.mkdtemp()), until=date(2008, 1, 31), scale=scale)
    result, results = PlanEngine(runner).run()
    report = build_report(result, results)
    figure = next(c for c in report.calibration if c.unit == "documents/year")
    return figure.measured, report.totals.documents, figure.deviation or 0.0


def test_the_volume_is_the_full_workloads_per_year() -> None:
    measured, documents, deviation = _volume(0.04)
    calendar = load_calendar()
    worked = sum(calendar.is_working_day(date(2008, 1, d)) for d in range(1, 32))
    per_year = sum(calendar.is_working_day(date(2008, 1, 1) + timedelta(days=i)) for i in range(366))
    assert measured == pytest.approx(documents / 0.04 * per_year / worked, rel=1e-6)
    assert deviation == pytest.approx(measured / 19_000_000 - 1, abs=1e-4)
    thinned, thinned_documents, _ = _volume(0.01)
    assert thinned == pytest.approx(thinned_documents / 0.01 * per_year / worked, rel=1e-6)
    assert thinned == pytest.approx(measured, rel=0.03)  # the thinning is undone (a sample of it)
    # the rates reproduce the published volume (fitted: a check of the arithmetic, not of the model)
    assert abs(deviation) < 0.05


def test_a_volume_is_not_a_target(tmp_path: Path) -> None:
    from tests.sim.test_scenarios import MINIMAL, assert_refused

    target = '\n[[targets]]\nname = "v"\nmeasure = "documents-per-year"\nby = 2019-07-12\nvalue = 1e6\nsource = "s"\n'
    assert_refused(
        tmp_path,
        MINIMAL + target,
        "targets[0].measure",
        "documents-per-year is a published volume, not a target",
    )
    figure = (
        '\n[[published]]\nname = "v"\nmeasure = "documents-per-year"\nvalue = 1e6\nsource = "s"\n'
        'role = "held-out"\ntiers = ["ministry"]\n'
    )
    assert_refused(
        tmp_path,
        MINIMAL + figure,
        "published[0].tiers",
        "a published volume counts every document of the run",
    )
