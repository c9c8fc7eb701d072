"""Direction documents (chỉ đạo, điều hành; edXML SteeringType 2): the workload marks them, they
travel with SteeringType 2 on the wire, and the VPCP targets count only those it issues."""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from datetime import date
from pathlib import Path

from docexchange.edxml import SteeringType
from docexchange.edxml.parse import parse_message, read_document
from docexchange.metrics.documents import documents_csv
from docexchange.metrics.table import ResultTable
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import TargetMeasure, TransportChoice
from docexchange.sim.scenario_loader import load_scenario
from docexchange.store import NodeStore
from tests.sim.runs import run_to_end

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "vpcp-2011-2015.toml"
VPCP = "000.00.00.G22"


def test_the_workload_marks_a_share_of_vpcps_documents_as_direction_documents() -> None:
    scenario = load_scenario(SCENARIO)
    assert dict(scenario.workload.direction) == {VPCP: 0.6}
    runner = SimulationRunner(scenario, Path(tempfile.mkdtemp()))
    plans = list(runner.planner.plan_period(date(2012, 1, 1), date(2012, 3, 31), scale=0.004))
    vpcp = [p for p in plans if p.sender == VPCP]
    others = [p for p in plans if p.sender != VPCP]
    assert len(vpcp) > 200 and others
    assert abs(sum(p.direction for p in vpcp) / len(vpcp) - 0.6) < 0.06
    assert not any(p.direction for p in others)


def test_vpcps_targets_count_the_direction_documents_it_issues_sent_signed() -> None:
    scenario = load_scenario(SCENARIO)
    directions = [t for t in scenario.targets if t.scope.direction]
    assert len(directions) == 2
    for target in directions:
        assert target.scope.senders == (VPCP,) and target.scope.agencies == ()
        assert target.measure is TargetMeasure.SIGNED_ELECTRONIC_SHARE and target.exclude_secret


def test_a_direction_document_carries_steering_type_2_and_documents_csv_says_so(tmp_path: Path) -> None:
    scenario = dataclasses.replace(load_scenario(SCENARIO), transport=TransportChoice.MEMORY)
    runner = SimulationRunner(scenario, tmp_path, until=date(2011, 1, 7), scale=0.002)
    results, report = run_to_end(runner)
    direction = {r.delivery.document_id for r in results if r.delivery.direction}
    plain = {
        r.delivery.document_id for r in results if r.delivery.sender == VPCP and not r.delivery.direction
    }
    assert direction and plain
    with NodeStore(tmp_path / "state" / f"{VPCP}.sqlite", VPCP) as store:
        for document_id in sorted(direction | plain):
            data = store.outgoing_message(document_id)
            if data is None or document_id.endswith(",MẬT"):
                continue  # secret documents never become edXML
            root, _ = parse_message(data)
            steering = read_document(root, attachments=False).steering_type
            expected = SteeringType.DIRECTIVE if document_id in direction else SteeringType.NOT_DIRECTIVE
            assert steering is expected, document_id
    rows = list(
        csv.DictReader(documents_csv(ResultTable.from_results(results), runner.registry).splitlines())
    )
    assert {row["document_id"] for row in rows if row["direction"] == "yes"} == direction
    assert report.totals.documents == len({row["document_id"] for row in rows})
