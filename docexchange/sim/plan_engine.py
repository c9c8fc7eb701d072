"""The plan engine (``run --engine plan``): every document of the workload carried through the same
adoption, routing and time draws as the protocol engine, without building, signing or sending —
a day at a time, as arrays, so that a year at real volume (millions of documents) fits in minutes
and a gigabyte or two.

The protocol engine (:mod:`docexchange.sim.runner`) runs real nodes; when nothing fails, each
delivery ends the way its first routing decision says (``tests/sim/test_calibration.py`` checks it
delivery by delivery), so the shares of a fault-free run follow from the plan alone. This engine
takes that shortcut with the same draws (:mod:`docexchange.sim.day_draws`: one generator per agency
and day, read the same way by both engines), the same numbering and thinning, the same adoption
model and the routing rules' own :meth:`~docexchange.routing.RoutingRules.decide` (called once per
distinct combination of what decides a route, not once per delivery), and the calendar's working
time as arrays (:mod:`docexchange.sim.timeline`).

What it does not model, and so refuses: faults (they act on the network and the nodes). Where its
times differ: a document on the axis arrives :data:`POLL_DELAY` after it was sent, where a real
recipient's poll may be earlier (one poll fetches everything waiting); mail arrives at once, as in
the protocol engine. Shares, outcomes and channels are the protocol engine's exactly
(``tests/sim/test_engines.py``).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from docexchange.edxml import Priority
from docexchange.edxml.numbering import document_kind, make_code
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.metrics.outcomes import Outcome, PaperReason, Settlement
from docexchange.metrics.table import (
    CHANNELS,
    NONE,
    OUTCOMES,
    PAPER_REASONS,
    ROUTE_REASONS,
    SETTLEMENTS,
    TIERS,
    Flags,
    Floats,
    Ints,
    ResultTable,
    code_of,
)
from docexchange.node.model import Draft
from docexchange.routing import Capabilities, Channel, DocumentTraits, Secrecy
from docexchange.routing.rules import canonical_type
from docexchange.sim.day_draws import DayDraws, DeliveryDraw, DocumentDraw, exponential_hours, keys_by_text
from docexchange.sim.runner import POLL_DELAY, RunResult, SimulationRunner
from docexchange.sim.scenario import PROVINCIAL_TIERS, AdoptionMeasure, RecipientKind
from docexchange.sim.timeline import Timeline, local_day_number, midnight


def release_freed_memory() -> None:
    """Give the heap the day-by-day pieces lived in back to the system (glibc keeps freed small
    blocks for reuse, and the report's large arrays, mapped on their own, cannot reuse them: without
    this, a year's peak memory is the pieces and the table together). Nothing happens elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.malloc_trim(0)


DRAFTING_UNIT: str = Draft(recipients=(), type_code="CV", subject="").drafting_unit
"""The drafting unit the protocol engine's drafts carry (it is part of each số/ký hiệu)."""

_PAPER = code_of(CHANNELS, Channel.PAPER)
_AXIS = code_of(CHANNELS, Channel.AXIS)


@dataclass(frozen=True)
class _DayDocuments:
    """One day's documents (per document, in the run's order) and their deliveries (``document``
    indexes the documents; ``recipient`` indexes the participants), with every draw."""

    day: date
    sender: Ints
    signed: Floats
    secret: Flags
    priority: Ints
    type_index: Ints
    number: Ints
    draws: Floats
    direction: Flags
    document: Ints
    recipient: Ints
    delivery_draws: Floats


class _Column:
    """One column, appended to a day at a time, in an array reserved up front at an estimate of the
    run's size: pages never written take no memory, so an estimate on the high side costs nothing,
    and the whole is never held twice (as day pieces and joined)."""

    def __init__(self, dtype: np.dtype[Any], capacity: int) -> None:
        self.values = np.empty(max(capacity, 1024), dtype=dtype)
        self.size = 0

    def add(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.values):  # beyond the estimate: grow by half again
            grown = np.empty(max(end, len(self.values) * 3 // 2), dtype=self.values.dtype)
            grown[: self.size] = self.values[: self.size]
            self.values = grown
        self.values[self.size : end] = values
        self.size = end

    def whole(self) -> np.ndarray:
        return self.values[: self.size]


class _Columns:
    """The run's columns so far (see :class:`_Column`)."""

    def __init__(self, documents: int, deliveries: int) -> None:
        self.documents_estimate = documents
        self.deliveries_estimate = deliveries
        self.columns: dict[tuple[str, str], _Column] = {}
        self.count = 0  # documents so far

    def add(self, part: str, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            column = self.columns.get((part, name))
            if column is None:
                estimate = self.documents_estimate if part == "documents" else self.deliveries_estimate
                column = self.columns[(part, name)] = _Column(values.dtype, estimate)
            column.add(values)

    def joined(self, part: str, name: str, dtype: type) -> np.ndarray:
        column = self.columns.get((part, name))
        return column.whole() if column is not None else np.zeros(0, dtype=dtype)


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
        self.timeline = Timeline.of(runner.calendar)
        participants = runner.participants
        self.ids = tuple(sorted(a.id for a in participants))
        rank = {agency_id: i for i, agency_id in enumerate(self.ids)}
        self.rank = np.array([rank[a.id] for a in participants], dtype=np.int64)  # participant → id order
        self.tier = np.array([code_of(TIERS, a.tier) for a in participants], dtype=np.int8)
        workload = runner.scenario.workload
        self.types = tuple(str(t) for t in keys_by_text(dict(workload.types)))
        rules = runner.rules
        self.government = np.array([a.id in rules.government_recipients for a in participants], dtype=bool)
        paper_types = [
            [canonical_type(t) in rules.paper_types.get(a.id, frozenset()) for t in self.types]
            for a in participants
        ]
        self.paper_type = np.array(paper_types, dtype=bool).reshape(len(participants), len(self.types))
        self._decisions: dict[int, tuple[int, bool, bool, int]] = {}
        self._columns = _Columns(*self._estimate())

    def _estimate(self) -> tuple[int, int]:
        """Documents and deliveries the run should have (the rates' sum over its working days, and
        the recipient mix's mean), on the high side (see :class:`_Column`)."""
        runner = self.runner
        workload = runner.scenario.workload
        documents = 0.0
        day = runner.first_day
        while day <= runner.last_day:
            if runner.calendar.is_working_day(day):
                documents += sum(workload.rate(a, day) for a in runner.participants)
            day += timedelta(days=1)
        documents *= min(runner.scale, 1.0)
        provinces = sum(a.tier in PROVINCIAL_TIERS for a in runner.participants)
        low, high = workload.several
        size = {
            RecipientKind.ONE: 1.0,
            RecipientKind.SEVERAL: (low + high) / 2,
            RecipientKind.ALL_PROVINCES: float(provinces),
            RecipientKind.GOVERNMENT: max(1.0, float(self.government.sum())),
        }
        total = sum(workload.recipients.values())
        recipients = sum(size[k] * w for k, w in workload.recipients.items()) / total if total else 1.0
        margin = 1.1  # Poisson counts and thinning scatter by far less at these sizes
        return int(documents * margin) + 1024, int(documents * recipients * margin) + 1024

    def run(self, progress: Callable[[date, int], None] | None = None) -> tuple[RunResult, ResultTable]:
        """Every document from the first day to the last; the run (with no stores) and its columns."""
        runner = self.runner
        runner.number_earlier_days()
        day = runner.first_day
        while day <= runner.last_day:
            count = self._day(day)
            if progress is not None:
                progress(day, count)
            day += timedelta(days=1)
        result = RunResult(
            runner.scenario, runner.last_day, runner.ledger, {}, 0, runner.calendar, runner.adoption,
            runner.participants, runner.counters, runner.faults, runner.scale, engine="plan",
            first_day=runner.first_day,
        )  # fmt: skip
        table = self._table()
        release_freed_memory()
        return result, table

    # ── one day ─────────────────────────────────────────────────────────────────────────────

    def _day(self, day: date) -> int:
        runner = self.runner
        blocks: list[tuple[int, DayDraws, Ints, Flags]] = []
        for index, agency in enumerate(runner.participants):
            drawn = runner.planner.day_draws(agency, day)
            if drawn is None or drawn.count == 0:
                continue
            numbers = runner.numbering.number_block(agency.id, day.year, drawn.secret)
            keep = drawn.documents[:, DocumentDraw.THIN] < runner.scale if runner.scale < 1 else None
            blocks.append((index, drawn, numbers, np.ones(drawn.count, bool) if keep is None else keep))
        if not blocks:
            return 0
        sender = np.concatenate([np.full(int(k.sum()), i, dtype=np.int64) for i, _, _, k in blocks])
        signed_seconds = np.concatenate([d.signed[k] for _, d, _, k in blocks])
        number = np.concatenate([n[k] for _, _, n, k in blocks])
        # the day's documents in signing order, then sender (by identifier), then register number
        order = np.lexsort((number, self.rank[sender], signed_seconds))

        def documents(pick: Callable[[DayDraws], np.ndarray]) -> np.ndarray:
            return np.concatenate([pick(d)[k] for _, d, _, k in blocks])[order]

        sender, number = sender[order], number[order]
        signed = midnight(day) + signed_seconds[order].astype(np.float64)
        secret = documents(lambda d: d.secret)
        priority = documents(lambda d: d.priority)
        type_index = documents(lambda d: d.type_index)
        draws = documents(lambda d: d.documents)
        sizes = documents(lambda d: np.diff(d.offsets))
        first = documents(lambda d: d.offsets[:-1])
        block_of = np.concatenate(
            [np.full(int(k.sum()), b, dtype=np.int64) for b, (_, _, _, k) in enumerate(blocks)]
        )
        block_of = block_of[order]
        # each kept document's deliveries, in order
        starts = np.concatenate(([0], np.cumsum([len(d.recipients) for _, d, _, _ in blocks])))[:-1]
        flat_first = starts[block_of] + first
        rows = np.repeat(flat_first, sizes) + (
            np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        )
        all_recipients = np.concatenate([d.recipients for _, d, _, _ in blocks])[rows]
        document = np.repeat(np.arange(len(order)), sizes)
        # a document's recipients in identifier order (participants are not, with level-2 units)
        by_identifier = np.lexsort((self.rank[all_recipients], document))
        rows, all_recipients = rows[by_identifier], all_recipients[by_identifier]
        delivery_draws = np.concatenate([d.deliveries for _, d, _, _ in blocks])[rows]
        self._carry(
            _DayDocuments(
                day, sender, signed, secret, priority, type_index, number, draws,
                documents(lambda d: d.direction), document, all_recipients, delivery_draws,
            )
        )  # fmt: skip
        return len(order)

    def _carry(self, day_documents: _DayDocuments) -> None:
        """Route and time one day's documents, and append them to the run's columns."""
        d = day_documents
        day, sender, signed, secret, priority = d.day, d.sender, d.signed, d.secret, d.priority
        type_index, number, draws, direction = d.type_index, d.number, d.draws, d.direction
        document, recipient, delivery_draws = d.document, d.recipient, d.delivery_draws
        runner = self.runner
        delays = runner.scenario.delays
        timeline = self.timeline
        connected, certificate, mail_share = self._adoption(day)
        sender_of = sender[document]
        sender_mail = draws[:, DocumentDraw.SENDER_MAIL][document] < mail_share[sender_of]
        recipient_mail = delivery_draws[:, DeliveryDraw.RECIPIENT_MAIL] < mail_share[recipient]
        combo = (
            secret[document].astype(np.int64)
            | connected[sender_of] << 1
            | sender_mail << 2
            | certificate[sender_of] << 3
            | connected[recipient] << 4
            | recipient_mail << 5
            | certificate[recipient] << 6
            | self.government[recipient] << 7
            | self.paper_type[sender_of, type_index[document]] << 8
        )
        routed, legal, paper_copy, reason = self._route(
            combo, sender_of, recipient, type_index[document], priority[document]
        )
        # times, as the protocol engine's steps would draw them
        urgent = priority != int(Priority.NORMAL)
        send = np.where(
            urgent,
            signed,
            timeline.add_hours(signed, exponential_hours(delays.send_hours, draws[:, DocumentDraw.SEND])),
        )
        send_at = send[document]
        daily = runner.daily_hours
        original = (routed == _PAPER) | ~legal  # the paper original goes
        paper_registered = np.full(len(document), np.nan)
        if original.any():
            transit = timeline.add_hours(
                send_at[original],
                exponential_hours(delays.paper_days * daily, delivery_draws[original, DeliveryDraw.PAPER]),
            )
            paper_registered[original] = timeline.add_hours(
                transit,
                exponential_hours(delays.accept_hours, delivery_draws[original, DeliveryDraw.PAPER_ACCEPT]),
            )
        on_paper = routed == _PAPER
        is_secret = secret[document]
        is_legal = ~on_paper & legal

        arrived = np.full(len(document), np.nan)
        accepted = np.where(original, paper_registered, np.nan)
        completed = np.full(len(document), np.nan)
        if is_legal.any():
            at = send_at[is_legal] + np.where(routed[is_legal] == _AXIS, POLL_DELAY.total_seconds(), 0.0)
            u = delivery_draws[is_legal]
            took = timeline.add_hours(at, exponential_hours(delays.accept_hours, u[:, DeliveryDraw.ACCEPT]))
            assigned = timeline.add_hours(
                took, exponential_hours(delays.assign_hours, u[:, DeliveryDraw.ASSIGN])
            )
            done = timeline.add_hours(
                assigned, exponential_hours(delays.complete_days * daily, u[:, DeliveryDraw.COMPLETE])
            )
            arrived[is_legal] = np.floor(at)  # as a status message's timestamp says it: whole seconds
            accepted[is_legal] = np.floor(took)
            completed[is_legal] = np.floor(done)
        outcome = np.where(
            on_paper,
            code_of(OUTCOMES, Outcome.PAPER),
            np.where(is_legal, code_of(OUTCOMES, Outcome.LEGAL), code_of(OUTCOMES, Outcome.INFO_ONLY)),
        )
        paper_reason = np.where(
            on_paper,
            np.where(
                is_secret,
                code_of(PAPER_REASONS, PaperReason.SECRET),
                code_of(PAPER_REASONS, PaperReason.NO_CAPABILITY),
            ),
            NONE,
        )
        settlement = np.where(
            on_paper,
            code_of(SETTLEMENTS, Settlement.NOT_ELECTRONIC),
            code_of(SETTLEMENTS, Settlement.DELIVERED),
        )
        runner.counters.paper_copies += int((paper_copy & ~original).sum())
        columns = self._columns
        base = columns.count
        columns.count += len(sender)
        columns.add(
            "documents",
            sender=self.rank[sender].astype(np.int32),
            tier=self.tier[sender],
            type=type_index.astype(np.int16),
            signed=signed,
            send=send,
            secret=secret,
            urgent=urgent,
            direction=direction,
            number=number.astype(np.int32),
        )
        columns.add(
            "deliveries",
            document=(document + base).astype(np.int32),
            recipient=self.rank[recipient].astype(np.int32),
            routed=routed.astype(np.int8),
            reason=reason.astype(np.int8),
            legal=legal & ~on_paper,
            paper_copy=paper_copy,
            recipient_mail=recipient_mail,
            outcome=outcome.astype(np.int8),
            settlement=settlement.astype(np.int8),
            paper_reason=paper_reason.astype(np.int8),
            channel=np.where(on_paper, _PAPER, routed).astype(np.int8),
            sent=np.where(on_paper, np.nan, send_at),
            arrived=arrived,
            accepted=accepted,
            completed=completed,
        )

    def _adoption(self, day: date) -> tuple[Ints, Ints, Floats]:
        """Per participant on ``day``: connected to the axis (and its DMS), holds a certificate, and
        the share of its officials using mail."""
        adoption = self.runner.adoption
        connected, certificate, mail = [], [], []
        for agency in self.runner.participants:
            connected.append(
                adoption.has_adopted(agency, AdoptionMeasure.AXIS, day)
                and adoption.has_adopted(agency, AdoptionMeasure.DMS, day)
            )
            certificate.append(adoption.has_adopted(agency, AdoptionMeasure.CERTIFICATE, day))
            mail.append(adoption.adoption.share(agency, AdoptionMeasure.MAIL_USE, day))
        return (
            np.array(connected, dtype=np.int64),
            np.array(certificate, dtype=np.int64),
            np.array(mail, dtype=np.float64),
        )

    def _route(
        self, combo: Ints, sender: Ints, recipient: Ints, type_index: Ints, priority: Ints
    ) -> tuple[Ints, Flags, Flags, Ints]:
        """The routing rules' decision for each delivery: what decides a route is the combination
        of flags ``combo`` packs, so the rules decide once per combination, for its first delivery."""
        codes, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
        participants = self.runner.participants
        rules = self.runner.rules
        decided = []
        for code, k in zip(codes.tolist(), first.tolist(), strict=True):
            known = self._decisions.get(code)
            if known is None:
                bits = [(code >> b) & 1 == 1 for b in range(9)]
                traits = DocumentTraits(
                    document_id="plan",
                    sender=participants[int(sender[k])].id,
                    type_abbreviation=document_kind(self.types[int(type_index[k])]).abbreviation or "CV",
                    priority=Priority(int(priority[k])),
                    secrecy=Secrecy.MAT if bits[0] else Secrecy.NONE,
                )
                decision = rules.decide(
                    traits,
                    participants[int(recipient[k])].id,
                    Capabilities(axis=bits[1], mail=bits[2], certificate=bits[3]),
                    Capabilities(axis=bits[4], mail=bits[5], certificate=bits[6]),
                )
                known = self._decisions[code] = (
                    code_of(CHANNELS, decision.channel),
                    decision.legal_value and decision.electronic,
                    decision.paper_copy,
                    ROUTE_REASONS.index(decision.reason.value),
                )
            decided.append(known)
        table = np.array([(c, int(lv), int(pc), r) for c, lv, pc, r in decided], dtype=np.int64).reshape(
            -1, 4
        )
        picked = table[inverse.ravel()]
        return picked[:, 0], picked[:, 1].astype(bool), picked[:, 2].astype(bool), picked[:, 3]

    # ── the run's table ─────────────────────────────────────────────────────────────────────

    def _table(self) -> ResultTable:
        c = self._columns
        runner = self.runner
        documents = {name: c.joined("documents", name, t) for name, t in (
            ("sender", np.int32), ("tier", np.int8), ("type", np.int16), ("signed", np.float64), ("send", np.float64),
            ("secret", bool), ("urgent", bool), ("direction", bool), ("number", np.int32),
        )}  # fmt: skip
        d = {name: c.joined("deliveries", name, t) for name, t in (
            ("document", np.int32), ("recipient", np.int32), ("routed", np.int8), ("reason", np.int8),
            ("legal", bool), ("paper_copy", bool), ("recipient_mail", bool), ("outcome", np.int8),
            ("settlement", np.int8), ("paper_reason", np.int8), ("channel", np.int8), ("sent", np.float64),
            ("arrived", np.float64), ("accepted", np.float64), ("completed", np.float64),
        )}  # fmt: skip
        registry = runner.registry
        ids, types = self.ids, self.types
        senders, numbers, signed, secret, kinds = (
            documents["sender"],
            documents["number"],
            documents["signed"],
            documents["secret"],
            documents["type"],
        )

        day_numbers = local_day_number(signed)  # each document's Vietnam-time day
        notations: dict[tuple[int, int, int], str] = {}  # (sender, type, year) → "/<notation>"
        dates: dict[int, tuple[date, str]] = {}  # day number → (date, "yyyy/mm/dd")

        def id_of(i: int) -> str:
            number = int(numbers[i])
            day_key = int(day_numbers[i])
            known_day = dates.get(day_key)
            if known_day is None:
                day = date(1970, 1, 1) + timedelta(days=day_key)
                known_day = dates[day_key] = (day, f"{day:%Y/%m/%d}")
            day, text = known_day
            key = (int(senders[i]), int(kinds[i]), day.year)
            notation = notations.get(key)
            if notation is None:  # số/ký hiệu as the node makes it (the number aside)
                agency = registry.get(ids[key[0]])
                code = make_code(
                    1, day.year, document_kind(types[key[1]]), agency.short_name, drafting_unit=DRAFTING_UNIT
                )
                notation = notations[key] = f"/{code.code_notation}"
            document_id = f"{ids[key[0]]},{text},{number:02d}{notation}"
            return f"{document_id},MẬT" if secret[i] else document_id  # as the node keys a secret one

        return ResultTable(
            agencies=ids,
            types=types,
            refusals=(),
            reasons=ROUTE_REASONS,
            doc_sender=documents["sender"],
            doc_tier=documents["tier"],
            doc_type=documents["type"],
            doc_signed=documents["signed"],
            doc_send=documents["send"],
            doc_secret=documents["secret"],
            doc_urgent=documents["urgent"],
            doc_direction=documents["direction"],
            document=d["document"],
            recipient=d["recipient"],
            routed=d["routed"],
            route_reason=d["reason"],
            legal_value=d["legal"],
            paper_copy=d["paper_copy"],
            recipient_uses_mail=d["recipient_mail"],
            outcome=d["outcome"],
            settlement=d["settlement"],
            paper_reason=d["paper_reason"],
            channel=d["channel"],
            sent=d["sent"],
            arrived=d["arrived"],
            accepted=d["accepted"],
            completed=d["completed"],
            refusal=np.full(len(d["document"]), NONE, dtype=np.int8),
            id_of=id_of,
        )


__all__ = ["PlanEngine"]
