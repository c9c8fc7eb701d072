"""One run of a scenario to its report: what ``docexchange run`` does, and what each replication of
a batch does on its worker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docexchange.metrics import build_report, collect
from docexchange.metrics.table import ResultTable
from docexchange.registry import Registry
from docexchange.report.schema import EngineName, Report
from docexchange.sim.calendar import WorkingCalendar
from docexchange.sim.scenario import Scenario

DayDone = Callable[[date, int], None]


@dataclass(frozen=True)
class RunSpan:
    """Which part of a scenario is run, and how thinly (``--from``, ``--until``, ``--scale``)."""

    first_day: date | None = None
    until: date | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class Simulated:
    report: Report
    table: ResultTable
    """The deliveries as columns (documents.csv)."""
    registry: Registry
    """The registry that names their agencies."""


def prepare(
    scenario: Scenario,
    workdir: Path,
    span: RunSpan,
    *,
    engine: EngineName,
    processes: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> Callable[[DayDone | None], Simulated]:
    """Check everything a run needs (dates, scale, engine against faults, processes) and return the
    run, not started: a refusal comes before any work."""
    from docexchange.sim.plan_engine import PlanEngine
    from docexchange.sim.runner import SimulationRunner

    runner = SimulationRunner(
        scenario,
        workdir,
        until=span.until,
        scale=span.scale,
        processes=processes,
        first_day=span.first_day,
        calendar=calendar,
    )
    if engine == "plan":
        planned = PlanEngine(runner)  # refuses faults and processes

        def run_plan(progress: DayDone | None) -> Simulated:
            result, table = planned.run(progress)
            return Simulated(build_report(result, table), table, runner.registry)

        return run_plan

    def run_protocol(progress: DayDone | None) -> Simulated:
        runner.progress = progress
        result = asyncio.run(runner.run())
        try:
            results = collect(result)
            return Simulated(
                build_report(result, results), ResultTable.from_results(results), runner.registry
            )
        finally:
            result.close()

    return run_protocol


def days_of(scenario: Scenario, span: RunSpan) -> int:
    """The number of simulated days a run of ``span`` takes (for a progress bar)."""
    first = span.first_day or scenario.start
    last = min(scenario.end, span.until) if span.until is not None else scenario.end
    return (last - first).days + 1
