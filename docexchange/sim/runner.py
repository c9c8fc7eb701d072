"""Run a scenario: agencies sign, records offices send, the network carries, receivers act.

A discrete-event loop on one :class:`~docexchange.clock.FixedClock`. Each step sets the clock to
its instant and then does real work on real nodes: a signing composes, signs and registers a
document; a records-office step pumps an outbox over the selected transport (HTTPS and SMTP on
loopback, or in memory); an axis poll downloads, verifies and registers; acceptance (03),
assignment (04) and completion (06) are signed status messages carried back. Only people's delays
and the post are drawn (per document, from the seed); everything else happens. Paper has no
network: a paper original is registered at the recipient after the drawn transit time.

Steps run one at a time and are ordered by (instant, kind, insertion), so the same scenario and
seed give the same stores and the same report, however the transports interleave internally.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import Attachment, Priority, StatusCode
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.agency import AgencyNode
from docexchange.node.events import EventLog, NodeEvent
from docexchange.node.model import OFFICE, Draft, ReceiverPolicy
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Agency, Registry, load_registry
from docexchange.routing import Capabilities, CapabilityTable, Channel, RoutingRules, load_rules
from docexchange.sim.adoption import AdoptionModel
from docexchange.sim.calendar import WorkingCalendar, load_calendar
from docexchange.sim.faults import FaultInjector
from docexchange.sim.ledger import Ledger
from docexchange.sim.randomness import entity_rng
from docexchange.sim.scenario import Scenario
from docexchange.sim.schedule import Agenda, Entry, Step
from docexchange.sim.workload import DocumentPlan, WorkloadPlanner
from docexchange.store import IncomingState, NewIncoming

POLL_DELAY = timedelta(minutes=2)
"""How soon a connected document-management system sees a package waiting at the axis."""

MAX_PUMP_ROUNDS = 50

PKI_ALGORITHM = "ecdsa-p256"
"""Simulation keys: signatures as real as RSA's, key generation for hundreds of agencies in seconds."""


def scaled(scenario: Scenario, scale: float) -> Scenario:
    """The scenario with every agency signing ``scale`` times as many documents a day (a quick look;
    the report's description says so). Shares keep their meaning, their precision drops."""
    workload = dataclasses.replace(
        scenario.workload,
        documents_per_day={t: r * scale for t, r in scenario.workload.documents_per_day.items()},
        level2_documents_per_day={
            t: r * scale for t, r in scenario.workload.level2_documents_per_day.items()
        },
    )
    note = f" [workload × {scale:g}]"
    return dataclasses.replace(scenario, workload=workload, description=scenario.description + note)


NODE_CACHE_KIB = 256
"""Page cache per node store in a run: a run holds hundreds of stores in one process, each of
which would otherwise keep up to SQLite's default 2 MiB of pages (measured: ~1 GiB for a year of
the 385 agencies of national-2025.toml)."""


class DynamicCapabilities:
    """What each agency can use on the simulated day (for retries and fallbacks; a new document
    gets its own draw of mail use when it is sent)."""

    def __init__(self, model: AdoptionModel, registry: Registry, clock: FixedClock) -> None:
        self._model = model
        self._registry = registry
        self._clock = clock

    def of(self, agency_id: str) -> Capabilities:
        day = self._clock.now().date()
        agency = self._registry.get(agency_id)
        return self._model.capabilities(agency, day, f"fallback/{day.isoformat()}", "any")


@dataclass
class RunCounters:
    duplicates: int = 0
    paper_registered: int = 0
    paper_copies: int = 0
    handling_errors: int = 0


@dataclass
class RunResult:
    """Everything the metrics need: the scenario, the ledger, the live nodes' stores, the calendar."""

    scenario: Scenario
    period_end: date
    ledger: Ledger
    network: LoopbackNetwork
    calendar: WorkingCalendar
    adoption: AdoptionModel
    participants: tuple[Agency, ...]
    counters: RunCounters
    faults: FaultInjector


class SimulationRunner:
    def __init__(
        self,
        scenario: Scenario,
        workdir: Path,
        *,
        until: date | None = None,
        progress: Callable[[date, int], None] | None = None,
        scale: float = 1.0,
    ) -> None:
        if not 0 < scale <= 1:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--scale {scale}: must be in (0, 1]")
        if scale != 1:
            scenario = scaled(scenario, scale)
        self.scenario = scenario
        self.workdir = workdir
        self.last_day = min(scenario.end, until) if until is not None else scenario.end
        if self.last_day < scenario.start:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--until {until} is before the scenario's start {scenario.start}",
            )
        self.progress = progress
        self.calendar = load_calendar()
        registry = load_registry(scenario.registry, include_level2=scenario.include_level2)
        self.participants = scenario.select_participants(registry)
        if len(self.participants) < 2:
            raise DocexchangeError(
                ReasonCode.INVALID_SCENARIO, f"{scenario.name}: fewer than two agencies take part"
            )
        self.registry = registry.filtered(a.id for a in self.participants)
        self.rules = load_rules(scenario.routing_rules) if scenario.routing_rules else RoutingRules()
        self.adoption = AdoptionModel(scenario.adoption, scenario.seed, self.participants)
        self.planner = WorkloadPlanner(
            scenario.workload,
            self.calendar,
            scenario.seed,
            self.participants,
            self.rules.government_recipients,
        )
        self.clock = FixedClock(datetime.combine(scenario.start, time(0), VIETNAM_TZ))
        self.agenda = Agenda()
        self.ledger = Ledger()
        self.counters = RunCounters()
        self._pump_at: dict[str, datetime] = {}
        self._poll_at: dict[str, datetime] = {}
        self._dirty: set[str] = set()
        self._sending = False
        self.events = EventLog(keep=False, listeners=[self._on_event])
        self.faults = FaultInjector(scenario.faults, scenario.seed, self.clock)

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    async def _start(self) -> LoopbackNetwork:
        shutil.rmtree(self.workdir / "state", ignore_errors=True)
        # TLS (OpenSSL) checks certificates against the host's real clock, not the simulated one,
        # so they must be valid both across the simulated period and today.
        years = max(self.last_day.year, date.today().year) - self.scenario.start.year + 2
        pki = PkiStore.init(
            self.workdir / "certs",
            self.registry,
            algorithm=PKI_ALGORITHM,
            not_before=datetime.combine(self.scenario.start - timedelta(days=30), time(0), VIETNAM_TZ),
            years=years,
            agency_ids=[a.id for a in self.participants],
            force=True,
        )
        # Every node gets the infrastructure it may use during the run (mail server, axis client);
        # what it may use on a given day comes from the adoption model.
        net = LoopbackNetwork(
            self.workdir / "state",
            self.registry,
            pki,
            self.clock,
            self.rules,
            CapabilityTable(),
            events=self.events,
            transport=self.scenario.transport.value,
            power_safe=False,
            store_cache_kib=NODE_CACHE_KIB,
        )
        await net.start_axis()
        dynamic = DynamicCapabilities(self.adoption, self.registry, self.clock)
        for agency in self.participants:
            node = await net.start_node(agency.id, ReceiverPolicy(accept_at_once=False))
            node.capabilities = dynamic
        self.faults.attach(net, self)
        return net

    # ── the loop ────────────────────────────────────────────────────────────────────────────

    async def run(self) -> RunResult:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.network = await self._start()
        try:
            self.agenda.add(Entry(self.clock.now(), Step.DAY, subject=self.scenario.start))
            for entry in self.faults.entries(self.scenario.start, self.last_day):
                self.agenda.add(entry)
            await self._drain()
            await self._final_sweep()
        except BaseException:
            await self.network.stop()
            raise
        return RunResult(
            self.scenario,
            self.last_day,
            self.ledger,
            self.network,
            self.calendar,
            self.adoption,
            self.participants,
            self.counters,
            self.faults,
        )

    async def _drain(self) -> None:
        """Run steps in order until none is left."""
        while self.agenda:
            entry = self.agenda.pop()
            if entry.at > self.clock.now():
                self.clock.set(entry.at)
            await self._do(entry)
            await self._reschedule()

    async def _do(self, entry: Entry) -> None:
        if entry.step is Step.FAULT:
            await self.faults.apply(entry)
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
        node = self.network.nodes[entry.agency]
        if entry.step is Step.SIGN:
            assert isinstance(entry.subject, DocumentPlan)
            self._sign(node, entry.subject)
        elif entry.step is Step.PUMP:
            if self._pump_at.get(entry.agency) == entry.at:
                del self._pump_at[entry.agency]
                await self._pump(node)
        elif entry.step is Step.POLL:
            if self._poll_at.get(entry.agency) == entry.at:
                del self._poll_at[entry.agency]
                await node.poll_axis()
        elif entry.step is Step.ACCEPT:
            self._act(node, str(entry.subject), StatusCode.ACCEPTED)
        elif entry.step is Step.HANDLE:
            assert isinstance(entry.subject, tuple)
            self._act(node, str(entry.subject[0]), StatusCode(entry.subject[1]))
        elif entry.step is Step.PAPER:
            assert isinstance(entry.subject, tuple)
            self._paper_arrives(node, str(entry.subject[0]), str(entry.subject[1]))
        elif entry.step is Step.FOLLOW_UP:
            assert isinstance(entry.subject, tuple)
            node.follow_up(str(entry.subject[0]), str(entry.subject[1]))
        self._dirty.add(entry.agency)

    def _forget(self, entry: Entry) -> None:
        table = self._pump_at if entry.step is Step.PUMP else self._poll_at
        if table.get(entry.agency) == entry.at:
            del table[entry.agency]

    async def _pump(self, node: AgencyNode) -> None:
        for _ in range(MAX_PUMP_ROUNDS):
            if await node.pump() == 0:
                break
            await self.faults.after_pump(node)

    async def _reschedule(self) -> None:
        """Wake each node whose outbox changed when its next item falls due."""
        now = self.clock.now()
        for agency_id in sorted(self._dirty):
            node = self.network.nodes[agency_id]
            due = node.store.next_due()
            if due is not None:
                # ``due`` is on the node's own clock, which a clock-skew fault shifts: wake it when
                # *its* clock gets there, or a node running behind is woken early again and again.
                self._wake(Step.PUMP, agency_id, now + max(due - node.clock.now(), timedelta(0)))
        self._dirty.clear()

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
        hub = self.network.hub
        for _ in range(3):
            waiting = hub.store.recipients_waiting() if hub is not None else []
            if not waiting:
                return
            for agency_id in waiting:
                await self.network.nodes[agency_id].poll_axis()
                self._dirty.add(agency_id)
            await self._reschedule()
            await self._drain()

    # ── the day's work ──────────────────────────────────────────────────────────────────────

    def _plan_day(self, day: date) -> None:
        count = 0
        for agency in self.participants:
            for plan in self.planner.plan_day(agency, day):
                self.agenda.add(Entry(plan.signed_at, Step.SIGN, plan.sender, plan))
                count += 1
        if self.progress is not None:
            self.progress(day, count)
        following = day + timedelta(days=1)
        if following <= self.last_day:
            self.agenda.add(
                Entry(datetime.combine(following, time(0), VIETNAM_TZ), Step.DAY, subject=following)
            )

    def _sign(self, node: AgencyNode, plan: DocumentPlan) -> None:
        now = self.clock.now()
        day = now.date()
        seed = self.scenario.seed
        capabilities = self.adoption.for_document(
            node.agency, [self.registry.get(r) for r in plan.recipients], day, plan.key
        )
        urgent = plan.priority is not Priority.NORMAL
        if urgent:
            send_at = now
        else:
            send_at = self.calendar.add_working_time(
                now, self._draw_hours(self.scenario.delays.send_hours, "send", plan.key)
            )
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
        )
        self._sending = True
        try:
            sent = node.send(draft, capabilities=capabilities, send_at=send_at)
        finally:
            self._sending = False
        deliveries = self.ledger.record(
            document_id=sent.document_id,
            plan_key=plan.key,
            sender=plan.sender,
            sender_tier=node.agency.tier,
            type_code=plan.type_code,
            signed_at=now,
            send_at=send_at,
            urgent=urgent,
            secret=plan.secrecy.secret,
            decisions=sent.decisions,
        )
        for delivery in deliveries:
            if delivery.channel is Channel.PAPER or delivery.paper_copy:
                if delivery.paper_original:
                    self._post(delivery.document_id, plan.sender, delivery.recipient, send_at)
                else:
                    self.counters.paper_copies += 1
        self._dirty.add(plan.sender)

    def _act(self, node: AgencyNode, document_id: str, code: StatusCode) -> None:
        """The receiving agency's people: accept (03), assign (04), complete (06)."""
        try:
            if code is StatusCode.ACCEPTED:
                node.accept(document_id)
            else:
                node.handle(document_id, code, _HANDLING_TEXT[code])
        except DocexchangeError:  # e.g. recalled meanwhile: nothing more to do for it
            self.counters.handling_errors += 1
            return
        delays = self.scenario.delays
        key = f"{document_id}/{node.id}"
        if code is StatusCode.ACCEPTED:
            at = self.calendar.add_working_time(
                self.clock.now(), self._draw_hours(delays.assign_hours, "assign", key)
            )
            self.agenda.add(Entry(at, Step.HANDLE, node.id, (document_id, StatusCode.ASSIGNED)))
        elif code is StatusCode.ASSIGNED:
            hours = self._draw_hours(delays.complete_days * self._daily_hours, "complete", key)
            at = self.calendar.add_working_time(self.clock.now(), hours)
            self.agenda.add(Entry(at, Step.HANDLE, node.id, (document_id, StatusCode.COMPLETED)))

    # ── paper ───────────────────────────────────────────────────────────────────────────────

    def _post(self, document_id: str, sender: str, recipient: str, dispatched: datetime) -> None:
        """A paper original leaves ``sender``: it is registered after transit and acceptance."""
        key = f"{document_id}/{recipient}"
        delays = self.scenario.delays
        transit = self._draw_hours(delays.paper_days * self._daily_hours, "paper", key)
        arrival = self.calendar.add_working_time(dispatched, transit)
        registered = self.calendar.add_working_time(
            arrival, self._draw_hours(delays.accept_hours, "paper-accept", key)
        )
        self.agenda.add(Entry(registered, Step.PAPER, recipient, (document_id, sender)))

    def _paper_arrives(self, node: AgencyNode, document_id: str, sender: str) -> None:
        if node.store.incoming(document_id) is not None:
            return  # already registered (its electronic copy came first)
        outgoing = self.network.nodes[sender].store.outgoing(document_id)
        if outgoing is None:  # pragma: no cover - the sender registered it before posting
            return
        node.store.register_incoming(
            NewIncoming(
                document_id=document_id,
                date_received=self.clock.now(),
                issuing_agency=sender,
                code_text=outgoing.code_text,
                promulgation_date=outgoing.promulgation_date,
                type_and_subject=outgoing.type_and_subject,
                channel=Channel.PAPER,
                state=IncomingState.ACCEPTED,
                receiving_unit=OFFICE,
            )
        )
        self.counters.paper_registered += 1

    # ── what the nodes report ───────────────────────────────────────────────────────────────

    def _on_event(self, event: NodeEvent) -> None:
        self._dirty.add(event.agency)
        self.faults.observe(event)
        now = self.clock.now()
        if event.what == "arrived":
            key = f"{event.document_id}/{event.agency}"
            at = self.calendar.add_working_time(
                now, self._draw_hours(self.scenario.delays.accept_hours, "accept", key)
            )
            self.agenda.add(Entry(at, Step.ACCEPT, event.agency, event.document_id))
        elif event.what in ("document-sent", "status-sent") and event.channel == Channel.AXIS.value:
            self._wake(Step.POLL, event.counterpart, now + POLL_DELAY)
        elif event.what == "paper" and not self._sending and event.counterpart:
            self._post(event.document_id, event.agency, event.counterpart, now)
        elif event.what == "duplicate":
            self.counters.duplicates += 1
        if event.what == "document-sent" and event.counterpart:
            # The records office's diary: no word from the recipient a working day after sending
            # → the paper original (Decree 30: receipt is confirmed the day a document arrives).
            at = self.calendar.add_working_time(now, self.calendar.office.daily)
            self.agenda.add(Entry(at, Step.FOLLOW_UP, event.agency, (event.document_id, event.counterpart)))

    # ── draws ───────────────────────────────────────────────────────────────────────────────

    @property
    def _daily_hours(self) -> float:
        return self.calendar.office.daily.total_seconds() / 3600

    def _draw_hours(self, mean: float, *key: str) -> timedelta:
        """An exponential delay with the given mean in hours, drawn for this entity alone."""
        if mean <= 0:
            return timedelta(0)
        u = entity_rng(self.scenario.seed, "delay", *key).random()
        return timedelta(hours=-mean * math.log(1.0 - u))


def _attachment_bytes(seed: int, key: str, index: int, size: int) -> bytes:
    """``size`` bytes standing for a PDF: a header, a random block of this document's own, then
    that block repeated. Repetition keeps zipping cheap (a year of documents is gigabytes) while
    every document's bytes, and so its digests, stay different."""
    block = b"%PDF-1.7\n" + entity_rng(seed, "attachment", key, index).randbytes(4096)
    return (block * (size // len(block) + 1))[:size]


_HANDLING_TEXT = {
    StatusCode.ASSIGNED: "Đã phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Đã hoàn thành xử lý",
}


async def run_scenario(
    scenario: Scenario,
    workdir: Path,
    *,
    until: date | None = None,
    progress: Callable[[date, int], None] | None = None,
    scale: float = 1.0,
) -> RunResult:
    """Run ``scenario`` with its state under ``workdir``; the caller stops ``result.network``."""
    return await SimulationRunner(scenario, workdir, until=until, progress=progress, scale=scale).run()


__all__ = ["RunResult", "SimulationRunner", "run_scenario"]
