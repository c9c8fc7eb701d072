"""``--scale S`` thins the workload: a scaled run signs exactly the full workload's documents whose
own seeded draw falls below S — same DocumentIds, dates and recipients — and each of them goes the
same way as in any wider run. At real volume (plan-2008: 19 million documents a year) the "full"
run of the test is itself thinned, to WIDER: the definition nests."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

from docexchange.metrics import DeliveryResult, collect
from docexchange.registry import load_registry
from docexchange.sim.day_draws import DocumentDraw, day_generator
from docexchange.sim.runner import SimulationRunner
from docexchange.sim.scenario import ParticipantSelection, SelectionMode, TransportChoice
from docexchange.sim.scenario_loader import load_scenario

PILOTS_AND_VPCP = ParticipantSelection(SelectionMode.PILOTS, also=("000.00.00.G22",))
SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "plan-2008.toml"
UNTIL = date(2008, 1, 4)
WIDER = 0.004
SCALE = 0.0014  # 0.35 of WIDER


def _results(workdir: Path, scale: float) -> tuple[list[DeliveryResult], str]:
    scenario = dataclasses.replace(
        load_scenario(SCENARIO), transport=TransportChoice.MEMORY, participants=PILOTS_AND_VPCP
    )  # the pilot model: the same rules on fewer agencies, for speed
    runner = SimulationRunner(scenario, workdir, until=UNTIL, scale=scale)

    async def go() -> list[DeliveryResult]:
        result = await runner.run()
        try:
            return collect(result)
        finally:
            result.close()

    return asyncio.run(go()), runner.scenario.description


def _thin_draw(seed: int, plan_key: str) -> float:
    """The document's thinning draw, read from its agency's day generator as the definition says:
    the count, then one row of per-document draws per document in drawn order."""
    agency, day, index = plan_key.split("/")
    rng = day_generator(seed, agency, date.fromisoformat(day))
    scenario = load_scenario(SCENARIO)
    n = int(
        rng.poisson(
            scenario.workload.rate(load_registry(scenario.registry).get(agency), date.fromisoformat(day))
        )
    )
    rows = rng.random((n, DocumentDraw.ATTACHMENT_SIZES + scenario.workload.attachment_count[1]))
    return float(rows[int(index), DocumentDraw.THIN])


def _documents(results: list[DeliveryResult]) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """DocumentId → (plan key, signing time, recipients)."""
    recipients: dict[str, list[str]] = {}
    first: dict[str, DeliveryResult] = {}
    for r in results:
        recipients.setdefault(r.delivery.document_id, []).append(r.delivery.recipient)
        first.setdefault(r.delivery.document_id, r)
    return {
        d: (first[d].delivery.plan_key, first[d].delivery.signed_at.isoformat(), tuple(sorted(rs)))
        for d, rs in recipients.items()
    }


def test_a_thinned_run_signs_exactly_the_full_runs_documents_whose_draw_falls_below_the_scale(
    tmp_path: Path,
) -> None:
    full, _ = _results(tmp_path / "full", WIDER)
    thin, description = _results(tmp_path / "thin", SCALE)
    seed = load_scenario(SCENARIO).seed
    full_documents, thin_documents = _documents(full), _documents(thin)
    expected = {
        document_id: facts
        for document_id, facts in full_documents.items()
        if _thin_draw(seed, facts[0]) < SCALE  # the definition, computed here
    }
    assert all(_thin_draw(seed, facts[0]) < WIDER for facts in full_documents.values())
    assert len(full_documents) > 100
    assert 0.2 * len(full_documents) < len(thin_documents) < 0.5 * len(full_documents)
    assert thin_documents == expected  # same DocumentIds, plan keys, signing times, recipients
    full_ways = {(r.delivery.document_id, r.delivery.recipient): (r.outcome, r.channel) for r in full}
    for r in thin:  # and each delivery ends the same way
        assert full_ways[(r.delivery.document_id, r.delivery.recipient)] == (r.outcome, r.channel)
    assert "[thinned: 0.0014 of the full workload's documents, by a seeded draw per document]" in description
