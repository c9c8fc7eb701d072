"""The plan engine against the protocol engine: on each shipped scenario's short window (the same
thinning), every delivery ends the same way on the same channel, under the same DocumentId, and
every share and target is the same. Faults are refused in plan mode."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.metrics import build_report
from docexchange.metrics.table import CHANNELS, NONE, OUTCOMES, PAPER_REASONS, ResultTable
from docexchange.report import Report
from docexchange.sim.plan_engine import PlanEngine
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import TransportChoice
from docexchange.sim.scenario_loader import load_scenario
from tests.sim.runs import run_to_end
from tests.sim.test_runs import SHORT_RUNS, SIMULATIONS

WITHOUT_FAULTS = sorted(name for name in SHORT_RUNS if name != "faults")


def _protocol(name: str, workdir: Path, until: date, scale: float) -> tuple[ResultTable, Report]:
    scenario = dataclasses.replace(
        load_scenario(SIMULATIONS / f"{name}.toml"), transport=TransportChoice.MEMORY
    )
    results, report = run_to_end(SimulationRunner(scenario, workdir, until=until, scale=scale))
    return ResultTable.from_results(results), report


def _plan(name: str, workdir: Path, until: date, scale: float) -> tuple[ResultTable, Report]:
    scenario = load_scenario(SIMULATIONS / f"{name}.toml")
    result, table = PlanEngine(SimulationRunner(scenario, workdir, until=until, scale=scale)).run()
    return table, build_report(result, table)


def _rows(table: ResultTable) -> list[tuple[str, str]]:
    """(DocumentId, recipient) of every delivery, in the table's order (documents.csv's)."""
    ids = table.document_ids()
    return [
        (ids[d], table.agencies[r])
        for d, r in zip(table.document.tolist(), table.recipient.tolist(), strict=True)
    ]


def _ways(table: ResultTable) -> dict[tuple[str, str], tuple[str, str, str | None, float, bool]]:
    """Per (DocumentId, recipient): outcome, channel, paper reason, signing instant, direction."""
    ids = table.document_ids()
    return {
        (ids[d], table.agencies[r]): (
            OUTCOMES[o].value,
            CHANNELS[c].value,
            PAPER_REASONS[p].value if p != NONE else None,
            float(table.doc_signed[d]),
            bool(table.doc_direction[d]),
        )
        for d, r, o, c, p in zip(
            table.document.tolist(),
            table.recipient.tolist(),
            table.outcome.tolist(),
            table.channel.tolist(),
            table.paper_reason.tolist(),
            strict=True,
        )
    }


@pytest.mark.parametrize("name", WITHOUT_FAULTS)
def test_the_plan_engine_gives_the_protocol_engines_channels_and_shares(name: str, tmp_path: Path) -> None:
    until, scale = SHORT_RUNS[name]
    protocol_results, protocol = _protocol(name, tmp_path / "protocol", until, scale)
    plan_results, plan = _plan(name, tmp_path / "plan", until, scale)
    assert plan_results.deliveries > 0
    assert _ways(plan_results) == _ways(protocol_results)  # per delivery, same DocumentIds
    # the same order (documents.csv's): documents by signing time, sender, number; recipients by id
    assert _rows(plan_results) == _rows(protocol_results)
    assert plan.totals == protocol.totals
    assert plan.shares == protocol.shares
    assert plan.paper_reasons == protocol.paper_reasons
    assert plan.targets == protocol.targets and plan.inputs == protocol.inputs
    assert (plan.run.engine, plan.run.transport, protocol.run.engine) == ("plan", "none", "protocol")
    assert Report.from_json(plan.to_json()) == plan


def test_faults_are_refused_in_plan_mode(tmp_path: Path) -> None:
    scenario = load_scenario(SIMULATIONS / "faults.toml")
    with pytest.raises(DocexchangeError) as refused:
        PlanEngine(SimulationRunner(scenario, tmp_path))
    assert refused.value.code is ReasonCode.INVALID_ARGUMENT
    assert refused.value.message.startswith("--engine plan: the scenario's faults (")
    assert refused.value.message.endswith(
        ") act on the network and the nodes, which the plan engine does not run; use --engine protocol"
    )
