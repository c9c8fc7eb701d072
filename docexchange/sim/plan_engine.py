"""The plan engine (``run --engine plan``): every document of the workload carried through the same
adoption, routing and time draws as the protocol engine, without building, signing or sending.

The protocol engine (:mod:`docexchange.sim.runner`) runs real nodes; when nothing fails, each
delivery ends the way its first routing decision says (``tests/sim/test_calibration.py`` checks it
delivery by delivery), so the shares of a fault-free run follow from the plan alone. This engine
takes that shortcut for whole years at real volume: the same workload planner, numbering,
thinning, adoption draws, routing rules and delay draws (the runner's own functions, keyed the
same way), and a :class:`~docexchange.metrics.DeliveryResult` per delivery built from them.

What it does not model, and so refuses: faults (they act on the network and the nodes). Where its
times differ: a document on the axis arrives :data:`POLL_DELAY` after it was sent, where a real
recipient's poll may be earlier (one poll fetches everything waiting); mail arrives at once, as in
the protocol engine. Shares, outcomes and channels are the protocol engine's exactly
(``tests/sim/test_engines.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from docexchange.edxml.numbering import document_kind, make_code, make_document_id
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.metrics.outcomes import DeliveryResult, Outcome, PaperReason, Settlement
from docexchange.node.model import Draft
from docexchange.routing import Channel, DocumentTraits
from docexchange.sim.ledger import Delivery
from docexchange.sim.runner import POLL_DELAY, RunResult, SimulationRunner
from docexchange.sim.workload import DeliveryDraws, DocumentPlan, kept
from docexchange.store import NodeStore

DRAFTING_UNIT: str = Draft(recipients=(), type_code="CV", subject="").drafting_unit
"""The drafting unit the protocol engine's drafts carry (it is part of each số/ký hiệu)."""


class PlanEngine:
    """Runs a :class:`SimulationRunner`'s plan without its network (see the module doc)."""

    def __init__(self, runner: SimulationRunner) -> None:
        if runner.processes:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, "--processes runs nodes; the plan engine has none to spread"
            )
        if runner.scenario.faults:
            kinds = ", ".join(sorted({f.kind.value for f in runner.scenario.faults}))
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--engine plan: the scenario's faults ({kinds}) act on the network and the nodes, "
                "which the plan engine does not run; use --engine protocol",
            )
        self.runner = runner
        self.results: list[DeliveryResult] = []

    def run(
        self, progress: Callable[[date, int], None] | None = None
    ) -> tuple[RunResult, list[DeliveryResult]]:
        """Every document from the first day to the last; the run (with no stores) and its results."""
        runner = self.runner
        runner.number_earlier_days()
        day = runner.first_day
        while day <= runner.last_day:
            count = 0
            for agency in runner.participants:
                for plan in runner.numbering.number(runner.planner.plan_day(agency, day)):
                    if kept(plan, runner.scale):
                        self._carry(plan)
                        count += 1
            if progress is not None:
                progress(day, count)
            day += timedelta(days=1)
        stores: dict[str, NodeStore] = {}
        result = RunResult(
            runner.scenario, runner.last_day, runner.ledger, stores, 0, runner.calendar, runner.adoption,
            runner.participants, runner.counters, runner.faults, runner.scale, engine="plan",
            first_day=runner.first_day,
        )  # fmt: skip
        return result, self.results

    # ── one document ────────────────────────────────────────────────────────────────────────

    def _carry(self, plan: DocumentPlan) -> None:
        runner = self.runner
        sender = runner.registry.get(plan.sender)
        recipients = [runner.registry.get(r) for r in plan.recipients]
        signed_at = plan.signed_at
        capabilities = runner.adoption.for_document(sender, recipients, signed_at.date(), plan)
        send_at = runner.send_time(plan, signed_at)
        kind = document_kind(plan.type_code)
        code = make_code(plan.number, signed_at.year, kind, sender.short_name, drafting_unit=DRAFTING_UNIT)
        document_id = make_document_id(sender.id, signed_at.date(), code)
        if plan.secrecy.secret:
            document_id = f"{document_id},MẬT"  # as the node keys a secret document's register entry
        traits = DocumentTraits(
            document_id=document_id,
            sender=sender.id,
            type_abbreviation=kind.abbreviation or "CV",
            priority=plan.priority,
            secrecy=plan.secrecy,
        )
        decisions = tuple(
            runner.rules.decide(traits, r.id, capabilities[sender.id], capabilities[r.id]) for r in recipients
        )
        deliveries = runner.record(plan, document_id, signed_at, send_at, decisions, capabilities)
        for delivery, draws in zip(deliveries, plan.deliveries, strict=True):
            if (delivery.channel is Channel.PAPER or delivery.paper_copy) and not delivery.paper_original:
                runner.counters.paper_copies += 1
            self.results.append(self._result(delivery, draws))

    def _result(self, d: Delivery, draws: DeliveryDraws) -> DeliveryResult:
        runner = self.runner
        delays = runner.scenario.delays
        calendar = runner.calendar

        def after(start: datetime, hours: float, what: str) -> datetime:
            return calendar.add_working_time(start, runner.draw_hours(hours, getattr(draws, what)))

        paper_registered = None
        if d.channel is Channel.PAPER or d.paper_original:
            arrival = after(d.send_at, delays.paper_days * runner.daily_hours, "paper")
            paper_registered = after(arrival, delays.accept_hours, "paper_accept")
        if d.secret:
            return _paper(d, PaperReason.SECRET, paper_registered)
        if d.channel is Channel.PAPER:
            return _paper(d, PaperReason.NO_CAPABILITY, paper_registered)
        if not d.legal_value:  # unsigned mail for information: the paper original is registered
            return DeliveryResult(
                d, Outcome.INFO_ONLY, Settlement.DELIVERED, None, d.channel, d.send_at, None,
                paper_registered, None, None,
            )  # fmt: skip
        arrived = d.send_at + POLL_DELAY if d.channel is Channel.AXIS else d.send_at
        accepted = after(arrived, delays.accept_hours, "accept")
        assigned = after(accepted, delays.assign_hours, "assign")
        completed = after(assigned, delays.complete_days * runner.daily_hours, "complete")
        return DeliveryResult(
            d, Outcome.LEGAL, Settlement.DELIVERED, None, d.channel, d.send_at, _stamp(arrived),
            _stamp(accepted), _stamp(completed), None,
        )  # fmt: skip


def _stamp(at: datetime) -> datetime:
    """As a status message's timestamp says it (whole seconds), which is what a store reads back."""
    return at.replace(microsecond=0)


def _paper(d: Delivery, reason: PaperReason, registered: datetime | None) -> DeliveryResult:
    return DeliveryResult(
        d, Outcome.PAPER, Settlement.NOT_ELECTRONIC, reason, Channel.PAPER, None, None, registered, None, None
    )


__all__ = ["PlanEngine"]
