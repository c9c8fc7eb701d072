"""What a run should give when nothing fails: each planned delivery's routing decision, computed
from the workload plan and the adoption model alone, without nodes or a network.

Two uses. A calibrated scenario can be checked over a whole year in seconds (the shares the
published figures are compared with follow from the plan and the adoption draws; the network only
carries them out). And a fault-free run can be checked delivery by delivery against it: whatever
the transport, every document must end the way its routing decision said.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from docexchange.edxml.numbering import document_kind
from docexchange.registry import Registry, Tier
from docexchange.routing import DocumentTraits, RoutingDecision, RoutingRules
from docexchange.sim.adoption import AdoptionModel
from docexchange.sim.scenario import CountingRule
from docexchange.sim.workload import DocumentPlan, WorkloadPlanner

EVERY_RECIPIENT = CountingRule()


@dataclass(frozen=True)
class PlannedDelivery:
    plan: DocumentPlan
    sender_tier: Tier
    decision: RoutingDecision

    @property
    def recipient(self) -> str:
        return self.decision.recipient

    @property
    def fully_electronic(self) -> bool:
        """Signed, electronic, and no paper alongside (the report's fully-electronic measure)."""
        d = self.decision
        return d.electronic and d.legal_value and not d.paper_copy and not self.plan.secrecy.secret


def planned_deliveries(
    planner: WorkloadPlanner,
    adoption: AdoptionModel,
    rules: RoutingRules,
    registry: Registry,
    start: date,
    end: date,
    scale: float = 1.0,
) -> Iterator[PlannedDelivery]:
    """Every delivery the plan asks for from ``start`` to ``end``, with its first routing decision —
    the same draws and rules the runner uses when the document is signed (of a run thinned to
    ``scale``, its documents only)."""
    for plan in planner.plan_period(start, end, scale):
        sender = registry.get(plan.sender)
        recipients = [registry.get(r) for r in plan.recipients]
        caps = adoption.for_document(sender, recipients, plan.signed_at.date(), plan)
        traits = DocumentTraits(
            document_id=plan.key,
            sender=plan.sender,
            type_abbreviation=document_kind(plan.type_code).abbreviation or "CV",
            priority=plan.priority,
            secrecy=plan.secrecy,
        )
        for recipient in recipients:
            decision = rules.decide(traits, recipient.id, caps[plan.sender], caps[recipient.id])
            yield PlannedDelivery(plan, sender.tier, decision)


def fully_electronic_share(rows: Iterable[PlannedDelivery], tiers: Iterable[Tier]) -> float | None:
    """The share of deliveries sent by ``tiers`` that are planned fully electronic."""
    wanted = frozenset(tiers)
    chosen = [r for r in rows if r.sender_tier in wanted]
    return sum(r.fully_electronic for r in chosen) / len(chosen) if chosen else None


def fully_electronic_document_share(
    rows: Iterable[PlannedDelivery], tiers: Iterable[Tier], rule: CountingRule = EVERY_RECIPIENT
) -> float | None:
    """The share of documents sent by ``tiers`` that ``rule`` counts as fully electronic, from the
    plan alone (documents are the plan's keys; no store, no report code involved)."""
    wanted = frozenset(tiers)
    by_document: dict[str, list[bool]] = {}
    for r in rows:
        if r.sender_tier in wanted:
            by_document.setdefault(r.plan.key, []).append(r.fully_electronic)
    if not by_document:
        return None
    counted = sum(rule.counts(sum(flags), len(flags)) for flags in by_document.values())
    return counted / len(by_document)


__all__ = [
    "PlannedDelivery",
    "fully_electronic_document_share",
    "fully_electronic_share",
    "planned_deliveries",
]
