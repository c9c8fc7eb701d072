"""Run a scenario: agencies sign, records offices send, the network carries, receivers act.

A discrete-event loop on one clock (:class:`~docexchange.clock.FixedClock`, or a
:class:`~docexchange.clock.SharedClock` when the nodes run in worker processes). Each step sets the
clock to its instant and then does real work on real nodes: a signing composes, signs and
registers a document; a records-office step pumps an outbox over the selected transport (HTTPS and
SMTP on loopback, or in memory); an axis poll downloads, verifies and registers; acceptance (03),
assignment (04) and completion (06) are signed status messages carried back. Only people's delays
and the post are drawn (per document, from the seed); everything else happens. Paper has no
network: a paper original is registered at the recipient after the drawn transit time.

The runner reaches the nodes only through a :class:`~docexchange.sim.cluster.Cluster` — every node
in this process, or spread over worker processes (``processes``) — and after each call takes in
what the nodes reported, ordered by agency. Steps run one at a time and are ordered by (instant,
kind, insertion), so the same scenario and seed give the same stores and the same report, however
the transports interleave internally and however many processes hold the nodes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from docexchange.clock import VIETNAM_TZ, FixedClock, SharedClock
from docexchange.edxml import Attachment, Priority, StatusCode, SteeringType
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.events import NodeEvent
from docexchange.node.model import Draft, FollowUp
from docexchange.pki import PkiStore
from docexchange.registry import Agency
from docexchange.report.schema import EngineName
from docexchange.routing import Capabilities, Channel, RoutingDecision
from docexchange.sim.adoption import AdoptionModel
from docexchange.sim.calendar import WorkingCalendar, load_calendar
from docexchange.sim.cluster import Cluster, LocalCluster
from docexchange.sim.faults import FaultInjector
from docexchange.sim.host import HostSpec
from docexchange.sim.ledger import Delivery, Ledger
from docexchange.sim.randomness import entity_rng
from docexchange.sim.scenario import Scenario, TransportChoice
from docexchange.sim.schedule import Agenda, Entry, Step
from docexchange.sim.workload import DeliveryDraws, DocumentPlan, Numbering, WorkloadPlanner
from docexchange.sim.world import RunWorld
from docexchange.store import HubStore, NodeStore

POLL_DELAY = timedelta(minutes=2)
"""How soon a connected document-management system sees a package waiting at the axis."""

MAX_PUMP_ROUNDS = 50

LATER_LOOK_DAYS = 4
"""Working days after the first look in the records office's diary (a working day after sending)
that a document which only arrived (01) must have been accepted or refused, or its paper original
goes: a working week after sending, which no acceptance delay of the scenarios reaches but by
accident (e^-8 with a 5-hour mean)."""

PKI_ALGORITHM = "ecdsa-p256"
"""Simulation keys: signatures as real as RSA's, key generation for hundreds of agencies in seconds."""


def thinned(scenario: Scenario, scale: float) -> Scenario:
    """The scenario, described as thinned to ``scale``: the run signs exactly the documents of the
    full workload whose own seeded draw falls below ``scale`` (same DocumentIds, dates, recipients
    and draws), so shares keep their meaning and only their precision drops."""
    note = f" [thinned: {scale:g} of the full workload's documents, by a seeded draw per document]"
    return dataclasses.replace(scenario, description=scenario.description + note)


@dataclass
class RunCounters:
    duplicates: int = 0
    paper_registered: int = 0
    paper_copies: int = 0
    handling_errors: int = 0


@dataclass
class RunResult:
    """Everything the metrics need: the scenario, the ledger, the stores the nodes left, the calendar.

    The nodes have stopped; ``stores`` are their SQLite files opened again for reading (the caller
    closes them with :meth:`close`)."""

    scenario: Scenario
    period_end: date
    ledger: Ledger
    stores: Mapping[str, NodeStore]
    duplicate_uploads: int  # documents the axis received again and never passed on
    calendar: WorkingCalendar
    adoption: AdoptionModel
    participants: tuple[Agency, ...]
    counters: RunCounters
    faults: FaultInjector
    scale: float = 1.0
    """The share of the full workload's documents the run signed (``--scale``)."""
    engine: EngineName = "protocol"
    first_day: date | None = None
    """The first day run and measured (``--from``); None: the scenario's start."""

    @property
    def period_start(self) -> date:
        return self.first_day or self.scenario.start

    """"protocol": real nodes exchanged every message; "plan": the plan engine carried the
    documents through the same draws without nodes (no stores: every count comes from the results)."""

    def close(self) -> None:
        for store in self.stores.values():
            store.close()


class SimulationRunner:
    def __init__(
        self,
        scenario: Scenario,
        workdir: Path,
        *,
        until: date | None = None,
        progress: Callable[[date, int], None] | None = None,
        scale: float = 1.0,
        processes: int | None = None,
        first_day: date | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        """``processes`` None runs every node in this process; N spreads them over N worker
        processes with the axis in one more (loopback transport only). ``first_day`` starts the run
        (and its measurement) part-way through the scenario (``--from``): adoption is a function of
        the date, so no warm-up is needed, and documents keep the numbers the full run gives them.
        ``calendar``: the working calendar (default: the holiday file of this checkout), given by a
        worker that received the file's text with its task."""
        if not 0 < scale <= 1:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--scale {scale}: must be in (0, 1]")
        if processes is not None and processes < 1:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--processes {processes}: must be 1 or more")
        if processes is not None and scenario.transport is not TransportChoice.LOOPBACK:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--processes needs the loopback transport: the {scenario.transport.value} transport "
                "carries messages by calls inside one process",
            )
        if scale != 1:
            scenario = thinned(scenario, scale)
        self.scale = scale
        self.workdir = workdir
        self.last_day = min(scenario.end, until) if until is not None else scenario.end
        if self.last_day < scenario.start:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--until {until} is before the scenario's start {scenario.start}",
            )
        self.first_day = first_day or scenario.start
        """The first day run and measured; the scenario itself keeps its start, so the agencies
        taking part, and every draw that depends on them, are the full run's."""
        if first_day is not None:
            if not scenario.start <= first_day <= scenario.end:
                raise DocexchangeError(
                    ReasonCode.INVALID_ARGUMENT,
                    f"--from {first_day} is outside the scenario ({scenario.start} to {scenario.end})",
                )
            if first_day > self.last_day:
                raise DocexchangeError(
                    ReasonCode.INVALID_ARGUMENT,
                    f"--from {first_day} is after the last day run {self.last_day}",
                )
            if first_day != scenario.start:
                note = f" [measured from {first_day.isoformat()}]"
                scenario = dataclasses.replace(scenario, description=scenario.description + note)
        self.scenario = scenario
        self.progress = progress
        self.processes = processes or 0
        self.calendar = calendar if calendar is not None else load_calendar()
        self.world = RunWorld.of(scenario)
        self.participants = self.world.participants
        self.registry = self.world.registry
        self.rules = self.world.rules
        self.adoption = self.world.adoption
        self.agency_ids = sorted(a.id for a in self.participants)
        self.planner = WorkloadPlanner(
            scenario.workload,
            self.calendar,
            scenario.seed,
            self.participants,
            self.rules.government_recipients,
        )
        start = datetime.combine(self.first_day, time(0), VIETNAM_TZ)
        self.clock: FixedClock | SharedClock
        if processes:
            from docexchange.sim.processes import shared_cell

            self.clock = SharedClock(shared_cell(), start)
        else:
            self.clock = FixedClock(start)
        self.numbering = Numbering()
        self.agenda = Agenda()
        self.ledger = Ledger()
        self.counters = RunCounters()
        self._draws: dict[tuple[str, str], DeliveryDraws] = {}  # (DocumentId, recipient) → its draws
        self._pump_at: dict[str, datetime] = {}
        self._poll_at: dict[str, datetime] = {}
        self._dirty: set[str] = set()
        self._due: dict[str, timedelta | None] = {}
        self.faults = FaultInjector(scenario.faults, scenario.seed, self.clock)

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def _init_pki(self) -> PkiStore:
        # TLS (OpenSSL) checks certificates against the host's real clock, not the simulated one,
        # so they must be valid both across the simulated period and today.
        years = max(self.last_day.year, date.today().year) - self.scenario.start.year + 2
        return PkiStore.init(
            self.workdir / "certs",
            self.registry,
            algorithm=PKI_ALGORITHM,
            not_before=datetime.combine(self.scenario.start - timedelta(days=30), time(0), VIETNAM_TZ),
            years=years,
            agency_ids=self.agency_ids,
            force=True,
        )

    async def _start(self) -> Cluster:
        shutil.rmtree(self.workdir / "state", ignore_errors=True)
        self.pki = self._init_pki()
        # Every node gets the infrastructure it may use during the run (mail server, axis client);
        # what it may use on a given day comes from the adoption model.
        cluster: Cluster
        if self.processes:
            from docexchange.sim.processes import ProcessCluster

            assert isinstance(self.clock, SharedClock)
            cluster = ProcessCluster(
                self.scenario, self.workdir, self.agency_ids, self.processes, self.clock, self.faults
            )
        else:
            spec = HostSpec(self.scenario, self.workdir, tuple(a.id for a in self.participants), axis=True)
            cluster = LocalCluster(spec, self.clock, self.faults, self.pki)
        self.faults.attach(cluster, self, self.pki)
        try:
            await cluster.start()
        except BaseException:
            await cluster.stop()
            raise
        return cluster

    # ── the loop ────────────────────────────────────────────────────────────────────────────

    def number_earlier_days(self) -> None:
        """A run from part-way through a year: number the documents its senders signed earlier that
        year (planned, not run), so that every document keeps the number the full run gives it."""
        day = max(date(self.first_day.year, 1, 1), self.scenario.start)
        while day < self.first_day:
            for agency in self.participants:
                drawn = self.planner.day_draws(agency, day)
                if drawn is not None and drawn.count:
                    self.numbering.number_block(agency.id, day.year, drawn.secret)
            day += timedelta(days=1)

    async def run(self) -> RunResult:
        """Run the scenario to its last day, stop the nodes, and read back what they stored."""
        self.number_earlier_days()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cluster = await self._start()
        try:
            self.agenda.add(Entry(self.clock.now(), Step.DAY, subject=self.first_day))
            for entry in self.faults.entries(self.first_day, self.last_day):
                self.agenda.add(entry)
            await self._drain()
            await self._final_sweep()
        except BaseException:
            with contextlib.suppress(Exception):  # the first failure is the one to report
                await self.cluster.stop()
            raise
        await self.cluster.stop()
        return RunResult(
            self.scenario,
            self.last_day,
            self.ledger,
            self._open_stores(),
            self._duplicate_uploads(),
            self.calendar,
            self.adoption,
            self.participants,
            self.counters,
            self.faults,
            self.scale,
            first_day=self.first_day,
        )

    def _open_stores(self) -> dict[str, NodeStore]:
        state = self.workdir / "state"
        return {
            agency_id: NodeStore(state / f"{agency_id}.sqlite", agency_id) for agency_id in self.agency_ids
        }

    def _duplicate_uploads(self) -> int:
        path = self.workdir / "state" / "axis.sqlite"
        if not path.exists():
            return 0
        with HubStore(path) as hub:
            return hub.duplicate_uploads()

    async def _drain(self) -> None:
        """Run steps in order until none is left."""
        while self.agenda:
            entry = self.agenda.pop()
            if entry.at > self.clock.now():
                self.clock.set(entry.at)
            await self._do(entry)
            await self._reschedule()

    async def _collect(self, *, signing: bool = False) -> None:
        """Take in what the nodes reported: every agency's events in the order they happened,
        agencies in identifier order, however the nodes are spread over processes."""
        collected = await self.cluster.collect()
        self._due.update(collected.due)
        for event in sorted(collected.events, key=lambda e: e.agency):
            self._on_event(event, signing=signing)

    async def _do(self, entry: Entry) -> None:
        if entry.step is Step.FAULT:
            await self.faults.apply(entry)
            await self._collect()
            return
        if entry.step is Step.DAY:
            assert isinstance(entry.subject, date)
            self._plan_day(entry.subject)
            return
        until = self.faults.node_down_until(entry.agency, self.clock.now())
        if until is not None:  # the node is down: its work waits until it is back
            if entry.step in (Step.PUMP, Step.POLL):
                self._forget(entry)
                self._wake(entry.step, entry.agency, until)
            else:
                self.agenda.add(Entry(until, entry.step, entry.agency, entry.subject))
            return
        host = self.cluster.host(entry.agency)
        if entry.step is Step.SIGN:
            assert isinstance(entry.subject, DocumentPlan)
            await self._sign(entry.subject)
        elif entry.step is Step.PUMP:
            if self._pump_at.get(entry.agency) == entry.at:
                del self._pump_at[entry.agency]
                await self._pump(entry.agency)
        elif entry.step is Step.POLL:
            if self._poll_at.get(entry.agency) == entry.at:
                del self._poll_at[entry.agency]
                await host.poll(entry.agency)
                await self._collect()
        elif entry.step is Step.ACCEPT:
            await self._act(entry.agency, str(entry.subject), StatusCode.ACCEPTED)
        elif entry.step is Step.HANDLE:
            assert isinstance(entry.subject, tuple)
            await self._act(entry.agency, str(entry.subject[0]), StatusCode(entry.subject[1]))
        elif entry.step is Step.PAPER:
            assert isinstance(entry.subject, tuple)
            await self._paper_arrives(entry.agency, str(entry.subject[0]), str(entry.subject[1]))
        elif entry.step is Step.FOLLOW_UP:
            assert isinstance(entry.subject, tuple)
            document_id, recipient, settled = entry.subject
            found = await host.follow_up(entry.agency, document_id, recipient, settled=settled)
            await self._collect()
            if found is FollowUp.ARRIVED_ONLY:  # it arrived; look for its acceptance or refusal later
                at = self.calendar.add_working_time(
                    self.clock.now(), LATER_LOOK_DAYS * self.calendar.office.daily
                )
                self.agenda.add(Entry(at, Step.FOLLOW_UP, entry.agency, (document_id, recipient, True)))
        self._dirty.add(entry.agency)

    def _forget(self, entry: Entry) -> None:
        table = self._pump_at if entry.step is Step.PUMP else self._poll_at
        if table.get(entry.agency) == entry.at:
            del table[entry.agency]

    async def _pump(self, agency_id: str) -> None:
        host = self.cluster.host(agency_id)
        for _ in range(MAX_PUMP_ROUNDS):
            moved = await host.pump(agency_id)
            await self._collect()
            if moved == 0:
                break
            await self.faults.after_pump(agency_id)
            await self._collect()

    async def _reschedule(self) -> None:
        """Wake each node whose outbox changed when its next item falls due."""
        now = self.clock.now()
        dirty = sorted(self._dirty)
        unknown = [a for a in dirty if a not in self._due]
        if unknown:
            self._due.update(await self.cluster.due(unknown))
        for agency_id in dirty:
            wait = self._due[agency_id]
            if wait is not None:
                self._wake(Step.PUMP, agency_id, now + wait)
        self._dirty.clear()
        self._due.clear()

    def _wake(self, step: Step, agency_id: str, at: datetime) -> None:
        table = self._pump_at if step is Step.PUMP else self._poll_at
        current = table.get(agency_id)
        if current is None or at < current:
            table[agency_id] = at
            self.agenda.add(Entry(at, step, agency_id))

    def wake_poll(self, agency_id: str, at: datetime) -> None:
        self._wake(Step.POLL, agency_id, at)

    def mark_dirty(self, agency_id: str) -> None:
        self._dirty.add(agency_id)

    async def _final_sweep(self) -> None:
        """After the last step, nothing may wait at the axis: poll whoever still has packages."""
        for _ in range(3):
            waiting = await self.cluster.recipients_waiting()
            if not waiting:
                return
            for agency_id in waiting:
                await self.cluster.host(agency_id).poll(agency_id)
                await self._collect()
                self._dirty.add(agency_id)
            await self._reschedule()
            await self._drain()

    # ── the day's work ──────────────────────────────────────────────────────────────────────

    def _plan_day(self, day: date) -> None:
        count = 0
        for agency in self.participants:
            drawn = self.planner.day_draws(agency, day)
            if drawn is None or drawn.count == 0:
                continue
            numbers = self.numbering.number_block(agency.id, day.year, drawn.secret)  # kept or not
            for plan in self.planner.plans(drawn, numbers, self.scale):
                self.agenda.add(Entry(plan.signed_at, Step.SIGN, plan.sender, plan))
                count += 1
        if self.progress is not None:
            self.progress(day, count)
        following = day + timedelta(days=1)
        if following <= self.last_day:
            self.agenda.add(
                Entry(datetime.combine(following, time(0), VIETNAM_TZ), Step.DAY, subject=following)
            )

    async def _sign(self, plan: DocumentPlan) -> None:
        now = self.clock.now()
        day = now.date()
        seed = self.scenario.seed
        sender = self.registry.get(plan.sender)
        capabilities = self.adoption.for_document(
            sender, [self.registry.get(r) for r in plan.recipients], day, plan
        )
        send_at = self.send_time(plan, now)
        attachments = tuple(
            Attachment(
                f"tep-{index}",
                f"tep-{index}.pdf",
                "application/pdf",
                _attachment_bytes(seed, plan.key, index, size),
            )
            for index, size in enumerate(plan.attachment_sizes, start=1)
        )
        draft = Draft(
            recipients=plan.recipients,
            type_code=plan.type_code,
            subject=f"Văn bản mô phỏng {plan.type_code} ({plan.key})",
            content=f"Nội dung văn bản {plan.key}.",
            priority=plan.priority,
            secrecy=plan.secrecy,
            attachments=attachments,
            number=plan.number or None,
            steering_type=SteeringType.DIRECTIVE if plan.direction else SteeringType.NOT_DIRECTIVE,
        )
        sent = await self.cluster.host(plan.sender).sign(plan.sender, draft, capabilities, send_at)
        for recipient, draws in zip(plan.recipients, plan.deliveries, strict=True):
            self._draws[(sent.document_id, recipient)] = draws
        await self._collect(signing=True)
        deliveries = self.record(plan, sent.document_id, now, send_at, sent.decisions, capabilities)
        for delivery in deliveries:
            if delivery.channel is Channel.PAPER or delivery.paper_copy:
                if delivery.paper_original:
                    self._post(delivery.document_id, plan.sender, delivery.recipient, send_at)
                else:
                    self.counters.paper_copies += 1
        self._dirty.add(plan.sender)

    def send_time(self, plan: DocumentPlan, signed_at: datetime) -> datetime:
        """When the records office sends the document: an urgent one at once, the others after a
        drawn delay in working time."""
        if plan.priority is not Priority.NORMAL:
            return signed_at
        delay = self.draw_hours(self.scenario.delays.send_hours, plan.send_draw)
        return self.calendar.add_working_time(signed_at, delay)

    def record(
        self,
        plan: DocumentPlan,
        document_id: str,
        signed_at: datetime,
        send_at: datetime,
        decisions: tuple[RoutingDecision, ...],
        capabilities: Mapping[str, Capabilities],
    ) -> list[Delivery]:
        """Enter a signed document's deliveries in the ledger (either engine)."""
        return self.ledger.record(
            document_id=document_id,
            plan_key=plan.key,
            sender=plan.sender,
            sender_tier=self.registry.get(plan.sender).tier,
            type_code=plan.type_code,
            signed_at=signed_at,
            send_at=send_at,
            urgent=plan.priority is not Priority.NORMAL,
            secret=plan.secrecy.secret,
            decisions=decisions,
            mail_users=frozenset(a for a, c in capabilities.items() if c.mail),
            direction=plan.direction,
        )

    async def _act(self, agency_id: str, document_id: str, code: StatusCode) -> None:
        """The receiving agency's people: accept (03), assign (04), complete (06)."""
        done = await self.cluster.host(agency_id).act(agency_id, document_id, code)
        await self._collect()
        if not done:  # e.g. recalled meanwhile: nothing more to do for it
            self.counters.handling_errors += 1
            return
        delays = self.scenario.delays
        draws = self._delivery_draws(document_id, agency_id)
        if code is StatusCode.ACCEPTED:
            at = self.calendar.add_working_time(
                self.clock.now(), self.draw_hours(delays.assign_hours, draws.assign)
            )
            self.agenda.add(Entry(at, Step.HANDLE, agency_id, (document_id, StatusCode.ASSIGNED)))
        elif code is StatusCode.ASSIGNED:
            hours = self.draw_hours(delays.complete_days * self.daily_hours, draws.complete)
            at = self.calendar.add_working_time(self.clock.now(), hours)
            self.agenda.add(Entry(at, Step.HANDLE, agency_id, (document_id, StatusCode.COMPLETED)))

    # ── paper ───────────────────────────────────────────────────────────────────────────────

    def _post(self, document_id: str, sender: str, recipient: str, dispatched: datetime) -> None:
        """A paper original leaves ``sender``: it is registered after transit and acceptance."""
        draws = self._delivery_draws(document_id, recipient)
        delays = self.scenario.delays
        transit = self.draw_hours(delays.paper_days * self.daily_hours, draws.paper)
        arrival = self.calendar.add_working_time(dispatched, transit)
        registered = self.calendar.add_working_time(
            arrival, self.draw_hours(delays.accept_hours, draws.paper_accept)
        )
        self.agenda.add(Entry(registered, Step.PAPER, recipient, (document_id, sender)))

    async def _paper_arrives(self, agency_id: str, document_id: str, sender: str) -> None:
        record = await self.cluster.host(sender).paper_record(sender, document_id)
        if record is None:  # pragma: no cover - the sender registered it before posting
            return
        if await self.cluster.host(agency_id).register_paper(agency_id, document_id, sender, record):
            self.counters.paper_registered += 1
        await self._collect()

    # ── what the nodes report ───────────────────────────────────────────────────────────────

    def _on_event(self, event: NodeEvent, *, signing: bool = False) -> None:
        """``signing``: reported while a document was signed and routed, whose paper originals the
        signing step posts itself."""
        self._dirty.add(event.agency)
        self.faults.observe(event)
        now = self.clock.now()
        if event.what == "arrived":
            draws = self._delivery_draws(event.document_id, event.agency)
            at = self.calendar.add_working_time(
                now, self.draw_hours(self.scenario.delays.accept_hours, draws.accept)
            )
            self.agenda.add(Entry(at, Step.ACCEPT, event.agency, event.document_id))
        elif event.what in ("document-sent", "status-sent") and event.channel == Channel.AXIS.value:
            self._wake(Step.POLL, event.counterpart, now + POLL_DELAY)
        elif event.what == "paper" and not signing and event.counterpart:
            self._post(event.document_id, event.agency, event.counterpart, now)
        elif event.what == "duplicate":
            self.counters.duplicates += 1
        if event.what == "document-sent" and event.counterpart:
            # The records office's diary: no word from the recipient a working day after sending
            # → the paper original (Decree 30: receipt is confirmed the day a document arrives).
            at = self.calendar.add_working_time(now, self.calendar.office.daily)
            self.agenda.add(
                Entry(at, Step.FOLLOW_UP, event.agency, (event.document_id, event.counterpart, False))
            )

    # ── draws ───────────────────────────────────────────────────────────────────────────────

    @property
    def daily_hours(self) -> float:
        return self.calendar.office.daily.total_seconds() / 3600

    def _delivery_draws(self, document_id: str, recipient: str) -> DeliveryDraws:
        """The draws of a planned delivery; for a message the plan did not make (a status message
        that fell back to paper under a fault), draws of its own, seeded by its name."""
        known = self._draws.get((document_id, recipient))
        if known is not None:
            return known
        rng = entity_rng(self.scenario.seed, "unplanned", document_id, recipient)
        return DeliveryDraws(*(rng.random() for _ in DeliveryDraws._fields))

    @staticmethod
    def draw_hours(mean: float, u: float) -> timedelta:
        """An exponential delay with the given mean in hours, from its uniform draw ``u`` (inversion,
        as :func:`~docexchange.sim.day_draws.exponential_hours` does for whole arrays)."""
        if mean <= 0:
            return timedelta(0)
        return timedelta(hours=-mean * math.log1p(-u))


def _attachment_bytes(seed: int, key: str, index: int, size: int) -> bytes:
    """``size`` bytes standing for a PDF: a header, a random block of this document's own, then
    that block repeated. Repetition keeps zipping cheap (a year of documents is gigabytes) while
    every document's bytes, and so its digests, stay different."""
    block = b"%PDF-1.7\n" + entity_rng(seed, "attachment", key, index).randbytes(4096)
    return (block * (size // len(block) + 1))[:size]


async def run_scenario(
    scenario: Scenario,
    workdir: Path,
    *,
    until: date | None = None,
    progress: Callable[[date, int], None] | None = None,
    scale: float = 1.0,
    processes: int | None = None,
    first_day: date | None = None,
) -> RunResult:
    """Run ``scenario`` with its state under ``workdir``; the caller closes ``result``."""
    runner = SimulationRunner(
        scenario,
        workdir,
        until=until,
        progress=progress,
        scale=scale,
        processes=processes,
        first_day=first_day,
    )
    return await runner.run()


__all__ = ["RunResult", "SimulationRunner", "run_scenario"]
