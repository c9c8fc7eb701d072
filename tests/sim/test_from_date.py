"""``run --from DATE``: the run and its measurement start part-way through a scenario. Adoption is a
function of the date, so the documents from that day on are the full run's: same DocumentIds (the
numbers count what was signed earlier in the year), same recipients, and the same way each went."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from pathlib import Path

from docexchange.metrics import DeliveryResult
from docexchange.report import Report
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import ParticipantSelection, SelectionMode, TransportChoice
from docexchange.sim.scenario_loader import load_scenario
from tests.sim.runs import run_to_end

PILOTS_AND_VPCP = ParticipantSelection(SelectionMode.PILOTS, also=("000.00.00.G22",))
SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "plan-2008.toml"
FROM, UNTIL = date(2008, 2, 25), date(2008, 2, 27)
SCALE = 0.002  # plan-2008 is at real volume: about 1 000 documents a day per agency


def _run(workdir: Path, first_day: date | None) -> tuple[list[DeliveryResult], Report]:
    scenario = dataclasses.replace(
        load_scenario(SCENARIO), transport=TransportChoice.MEMORY, participants=PILOTS_AND_VPCP
    )  # the pilot model: the same rules on fewer agencies, for speed
    return run_to_end(SimulationRunner(scenario, workdir, until=UNTIL, scale=SCALE, first_day=first_day))


def test_a_run_from_a_date_is_the_full_runs_tail(tmp_path: Path) -> None:
    full, _ = _run(tmp_path / "full", None)
    tail, report = _run(tmp_path / "tail", FROM)
    assert report.run.period_start == FROM and "[measured from 2008-02-25]" in report.run.description
    expected = {
        (r.delivery.document_id, r.delivery.recipient): (r.delivery.signed_at, r.outcome, r.channel)
        for r in full
        if r.delivery.signed_at.date() >= FROM
    }
    got = {
        (r.delivery.document_id, r.delivery.recipient): (r.delivery.signed_at, r.outcome, r.channel)
        for r in tail
    }
    assert len(got) > 20
    assert got == expected  # numbered as in the full run: ",NN/" counts January and February too
    assert min(int(d.split(",")[2].split("/")[0]) for d, _ in got) > 1


HA_TAY = "000.00.00.H64"  # merged into Hà Nội on 1/8/2008
HA_NOI = "000.00.00.H24"


def _plan_documents(first_day: date | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """DocumentId → (signing time, recipients) of plan-2008 up to 5/8/2008, thinned."""
    from docexchange.sim.plan_engine import PlanEngine
    from docexchange.sim.timeline import instant_of

    scenario = dataclasses.replace(  # the pilots, Hà Tây and Hà Nội: a smaller whole, for speed
        load_scenario(SCENARIO),
        participants=ParticipantSelection(SelectionMode.PILOTS, also=("000.00.00.G22", HA_TAY, HA_NOI)),
    )
    runner = SimulationRunner(
        scenario, Path(tempfile.mkdtemp()), until=date(2008, 8, 5), scale=0.003, first_day=first_day
    )
    _, table = PlanEngine(runner).run()
    ids = table.document_ids()
    recipients: dict[str, list[str]] = {}
    signed: dict[str, str] = {}
    for document, recipient in zip(table.document.tolist(), table.recipient.tolist(), strict=True):
        recipients.setdefault(ids[document], []).append(table.agencies[recipient])
        signed[ids[document]] = instant_of(float(table.doc_signed[document])).isoformat()
    return {d: (signed[d], tuple(sorted(rs))) for d, rs in recipients.items()}


def test_across_a_merger_from_keeps_the_full_runs_documents_and_the_merged_agency_is_gone() -> None:
    """Hà Tây exists until 31/7/2008: it neither signs nor receives from 1/8, and a run --from
    2008-08-01 still has the full run's documents (the same agencies take part in both)."""
    full = _plan_documents(None)
    tail = _plan_documents(date(2008, 8, 1))
    august = {d: facts for d, facts in full.items() if facts[0] >= "2008-08-01"}
    assert len(august) > 30 and tail == august
    assert not any(d.startswith(HA_TAY) or HA_TAY in facts[1] for d, facts in august.items())
    assert any(d.startswith(HA_TAY) for d in full)  # it did take part before
