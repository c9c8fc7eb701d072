"""Whole simulation runs: every shipped scenario runs shortened and reconciles; runs are
deterministic; faults cost what they should. Every exchange crosses the scenario's transport."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.metrics import Outcome, build_report, collect
from docexchange.report import Report
from docexchange.sim.runner import run_scenario
from docexchange.sim.scenario import TransportChoice
from docexchange.sim.scenario_loader import load_scenario

SIMULATIONS = Path(__file__).resolve().parents[2] / "simulations"

# (scenario, last day, workload scale): the first working days of each, at a scale the suite affords.
SHORT_RUNS = {  # the scenarios are at real volume (tens of thousands of documents a day): thinned
    "plan-2008": (date(2008, 1, 3), 0.0005),
    "vpcp-2011-2015": (date(2011, 1, 4), 0.0002),
    "decision-28-rollout": (date(2018, 7, 2), 0.004),
    "national-2025": (date(2025, 7, 1), 0.001),
    "calibration-2012": (date(2012, 1, 3), 0.0004),
    "axis-2019-2022": (date(2019, 1, 3), 0.005),
    "faults": (date(2019, 7, 3), 0.3),
}


def _run(name: str, workdir: Path, *, until: date, scale: float, seed: int | None = None) -> Report:
    scenario = load_scenario(SIMULATIONS / f"{name}.toml")
    if seed is not None:
        scenario = dataclasses.replace(scenario, seed=seed)

    async def go() -> Report:
        result = await run_scenario(scenario, workdir, until=until, scale=scale)
        try:
            return build_report(result)
        finally:
            result.close()

    return asyncio.run(go())


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_every_shipped_scenario_runs_shortened_and_reconciles(name: str, tmp_path: Path) -> None:
    until, scale = SHORT_RUNS[name]
    report = _run(name, tmp_path, until=until, scale=scale)
    assert report.run.period_end == until
    assert report.totals.deliveries > 0
    rec = report.reconciliation
    assert rec.lost == 0 and rec.reconciles
    assert (
        rec.sent
        == report.shares.overall.legal + report.shares.overall.info_only + rec.fallen_back + rec.refused
    )
    assert Report.from_json(report.to_json()) == report  # the strict reader takes what the run wrote
    assert report.run.transport == load_scenario(SIMULATIONS / f"{name}.toml").transport.value
    # the audit, from the stores alone, agrees: every delivery settled, nothing doubled
    audited = audit(tmp_path)
    assert audited.offenders == [] and audited.deliveries == report.totals.deliveries


def test_same_scenario_and_seed_give_the_same_bytes(tmp_path: Path) -> None:
    first = _run("faults", tmp_path / "a", until=date(2019, 7, 3), scale=0.15)
    second = _run("faults", tmp_path / "b", until=date(2019, 7, 3), scale=0.15)
    assert first.to_json() == second.to_json()
    other = _run("faults", tmp_path / "c", until=date(2019, 7, 3), scale=0.15, seed=5)
    assert other.to_json() != first.to_json()


def test_an_axis_outage_costs_retries_and_every_delivery_still_lands(tmp_path: Path) -> None:
    report = _run("faults", tmp_path, until=date(2019, 7, 3), scale=0.3)
    outage = next(f for f in report.faults if f.kind == "axis-outage")
    assert outage.scope == "axis" and outage.retries > 0
    assert report.exchange.retries >= outage.retries
    assert report.reconciliation.lost == 0


def test_secret_documents_go_on_paper_and_are_registered_there(tmp_path: Path) -> None:
    scenario = load_scenario(SIMULATIONS / "faults.toml")
    workload = dataclasses.replace(scenario.workload, share_secret=1.0)
    scenario = dataclasses.replace(scenario, workload=workload, faults=(), transport=TransportChoice.MEMORY)

    async def go() -> list[Outcome]:
        result = await run_scenario(scenario, tmp_path, until=date(2019, 7, 1), scale=0.2)
        try:
            results = collect(result)
            for r in results:  # the paper original reached the recipient's incoming register
                entry = result.stores[r.delivery.recipient].incoming(r.delivery.document_id)
                assert entry is not None and entry.channel.value == "paper"
            return [r.outcome for r in results]
        finally:
            result.close()

    outcomes = asyncio.run(go())
    assert outcomes and set(outcomes) == {Outcome.PAPER}
