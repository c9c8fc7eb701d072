"""The nodes of a run in one process, driven step by step by the run's coordinator.

A :class:`NodeHost` holds some agency nodes (or the axis, or both) of a simulation on the
coordinator's clock: every call is one piece of a step — sign this plan, pump that outbox, poll
the axis, accept a document — carried out on real nodes with real stores and transports. What the
nodes report meanwhile is kept, with the time each touched node's outbox next falls due, until
the coordinator collects it; the coordinator orders what it collects from every host the same way
(by agency, each agency's events in the order they happened), so one process or several give the
same run.

``run`` hosts every node in its own process (:class:`~docexchange.sim.cluster.LocalCluster`);
``run --processes N`` spreads them over worker processes, each calling a host like this one
(:mod:`docexchange.sim.processes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from docexchange.clock import Clock
from docexchange.edxml import StatusCode
from docexchange.errors import DocexchangeError
from docexchange.node.agency import AgencyNode
from docexchange.node.events import EventLog, NodeEvent
from docexchange.node.model import OFFICE, Draft, FollowUp, ReceiverPolicy, SentDocument
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.routing import Capabilities, CapabilityTable, Channel
from docexchange.sim.node_faults import NodeFaults, WireJudge
from docexchange.sim.scenario import Scenario
from docexchange.sim.world import DynamicCapabilities, RunWorld
from docexchange.store import IncomingState, NewIncoming
from docexchange.transport.ports import MailPort

NODE_CACHE_KIB = 256
"""Page cache per node store in a run: a run holds hundreds of stores in one process, each of
which would otherwise keep up to SQLite's default 2 MiB of pages (measured: ~1 GiB for a year of
the 385 agencies of national-2025.toml)."""

HANDLING_TEXT = {
    StatusCode.ASSIGNED: "Đã phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.COMPLETED: "Đã hoàn thành xử lý",
}


@dataclass(frozen=True)
class HostSpec:
    """What one host runs: everything a worker process needs to build it (picklable)."""

    scenario: Scenario  # as the run uses it (its description says if thinned)
    workdir: Path  # certs/ and state/ of the run
    agencies: tuple[str, ...]
    axis: bool = False
    axis_address: tuple[str, int] | None = None  # where the axis listens, when another host runs it
    axis_port: int = 0  # an axis started again listens where it did


@dataclass(frozen=True)
class Addresses:
    axis: tuple[str, int] | None
    mail: dict[str, tuple[str, int]]  # mail domain → where its records office listens


@dataclass(frozen=True)
class PaperRecord:
    """What a paper original carries for the recipient's register: the sender's register entry."""

    code_text: str
    promulgation_date: date
    type_and_subject: str


@dataclass
class Collected:
    """What the nodes reported since the last collection, and when each touched node's outbox next
    falls due (from now, on the node's own clock; None: nothing waits)."""

    events: list[NodeEvent] = field(default_factory=list)
    due: dict[str, timedelta | None] = field(default_factory=dict)
    mailed: set[str] = field(default_factory=set)
    """Mail domains of other hosts' nodes written to meanwhile: those hosts may have news too."""

    def merge(self, other: Collected) -> None:
        self.events.extend(other.events)
        self.due.update(other.due)
        self.mailed |= other.mailed

    def drain(self) -> Collected:
        """Everything gathered so far; this one is left empty."""
        taken = Collected(self.events, self.due, self.mailed)
        self.events, self.due, self.mailed = [], {}, set()
        return taken


class NodeHost:
    def __init__(self, spec: HostSpec, clock: Clock, judge: WireJudge, pki: PkiStore | None = None) -> None:
        self.spec = spec
        self.clock = clock
        self.world = RunWorld.of(spec.scenario)
        self._events: list[NodeEvent] = []
        self._touched: set[str] = set()
        self._mailed: set[str] = set()
        self.net = LoopbackNetwork(
            spec.workdir / "state",
            self.world.registry,
            pki if pki is not None else PkiStore.open(spec.workdir / "certs"),
            clock,
            self.world.rules,
            CapabilityTable(),
            events=EventLog(keep=False, listeners=[self._heard]),
            transport=spec.scenario.transport.value,
            power_safe=False,
            store_cache_kib=NODE_CACHE_KIB,
        )
        self.net.directory.axis = spec.axis_address
        self.faults = NodeFaults(spec.scenario.faults, clock, judge)

    def _heard(self, event: NodeEvent) -> None:
        # may run on a node's receive thread: list.append and set.add are atomic
        self._events.append(event)
        self._touched.add(event.agency)

    # ── life ────────────────────────────────────────────────────────────────────────────────

    async def start(self) -> Addresses:
        """Start the axis (if this host runs it) and the nodes; where they listen."""
        net = self.net
        if self.spec.axis:
            await net.start_axis(self.spec.axis_port)
        dynamic = DynamicCapabilities(self.world.adoption, self.world.registry, self.clock)
        for agency_id in self.spec.agencies:
            node = await net.start_node(agency_id, ReceiverPolicy(accept_at_once=False))
            node.capabilities = dynamic
        self.faults.install(net)
        own = {self.world.registry.get(a).domain.lower() for a in self.spec.agencies}
        for node in net.nodes.values():
            if node.mail is not None:
                node.mail = _Outbound(node.mail, own, self._mailed)
        return Addresses(net.directory.axis, dict(net.directory.mail))

    async def publish(self, mail: Mapping[str, tuple[str, int]]) -> None:
        """Where every other host's records offices listen."""
        self.net.directory.mail.update(mail)

    async def stop(self) -> None:
        await self.net.stop()

    def _node(self, agency_id: str) -> AgencyNode:
        self._touched.add(agency_id)
        return self.net.nodes[agency_id]

    # ── the steps ───────────────────────────────────────────────────────────────────────────

    async def sign(
        self, agency_id: str, draft: Draft, capabilities: Mapping[str, Capabilities], send_at: datetime
    ) -> SentDocument:
        return self._node(agency_id).send(draft, capabilities=capabilities, send_at=send_at)

    async def pump(self, agency_id: str) -> int:
        return await self._node(agency_id).pump()

    async def poll(self, agency_id: str) -> int:
        return await self._node(agency_id).poll_axis()

    async def act(self, agency_id: str, document_id: str, code: StatusCode) -> bool:
        """The receiving agency's people: accept (03), assign (04), complete (06). False when there
        is nothing to do for the document (recalled meanwhile, say)."""
        node = self._node(agency_id)
        try:
            if code is StatusCode.ACCEPTED:
                node.accept(document_id)
            else:
                node.handle(document_id, code, HANDLING_TEXT[code])
        except DocexchangeError:
            return False
        return True

    async def follow_up(
        self, agency_id: str, document_id: str, recipient_id: str, settled: bool = False
    ) -> FollowUp:
        return self._node(agency_id).follow_up(document_id, recipient_id, settled=settled)

    async def paper_record(self, agency_id: str, document_id: str) -> PaperRecord | None:
        outgoing = self.net.nodes[agency_id].store.outgoing(document_id)
        if outgoing is None:
            return None
        return PaperRecord(outgoing.code_text, outgoing.promulgation_date, outgoing.type_and_subject)

    async def register_paper(
        self, agency_id: str, document_id: str, sender: str, record: PaperRecord
    ) -> bool:
        """A paper original arrives: registered, unless its electronic copy came first."""
        node = self._node(agency_id)
        if node.store.incoming(document_id) is not None:
            return False
        node.store.register_incoming(
            NewIncoming(
                document_id=document_id,
                date_received=self.clock.now(),
                issuing_agency=sender,
                code_text=record.code_text,
                promulgation_date=record.promulgation_date,
                type_and_subject=record.type_and_subject,
                channel=Channel.PAPER,
                state=IncomingState.ACCEPTED,
                receiving_unit=OFFICE,
            )
        )
        return True

    async def due(self, agency_ids: list[str]) -> dict[str, timedelta | None]:
        return {agency_id: self._due(agency_id) for agency_id in agency_ids}

    def _due(self, agency_id: str) -> timedelta | None:
        # ``next_due`` is on the node's own clock, which a clock-skew fault shifts: the wait is
        # measured there, or a node running behind would be woken early again and again
        node = self.net.nodes[agency_id]
        due = node.store.next_due()
        return None if due is None else max(due - node.clock.now(), timedelta(0))

    async def collect(self) -> Collected:
        events, self._events = self._events, []
        touched, self._touched = self._touched, set()
        mailed = set(self._mailed)
        self._mailed.clear()  # the same set: every node's _Outbound adds to it
        return Collected(events, {a: self._due(a) for a in sorted(touched) if a in self.net.nodes}, mailed)

    # ── faults ──────────────────────────────────────────────────────────────────────────────

    async def recipients_waiting(self) -> list[str]:
        hub = self.net.hub
        return hub.store.recipients_waiting() if hub is not None else []

    async def axis_down(self) -> None:
        await self.net.stop_axis()

    async def axis_up(self) -> None:
        await self.net.start_axis()

    async def mail_down(self, agency_id: str) -> None:
        await self.net.mail_down(agency_id)

    async def mail_up(self, agency_id: str) -> None:
        await self.net.mail_up(agency_id)

    async def revocations_changed(self) -> None:
        self.net.pki.reload_revocations()

    async def resend(self, agency_id: str, document_id: str, recipient_id: str, copies: int) -> int | None:
        return await self.faults.resend(self._node(agency_id), document_id, recipient_id, copies)

    async def forge(
        self, agency_id: str, document_id: str, recipient_id: str, channel: Channel, number: str
    ) -> bool:
        return await self.faults.forge(self._node(agency_id), document_id, recipient_id, channel, number)


class _Outbound:
    """A node's mail port that notes which other hosts' records offices it writes to: a receiver
    answers within the SMTP session, so what those nodes reported is ready to collect as soon as
    the call that sent the mail returns — and no other host's is needed."""

    def __init__(self, inner: MailPort, own: set[str], mailed: set[str]) -> None:
        self.inner = inner
        self.own = own
        self.mailed = mailed

    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None:
        domain = recipient.rpartition("@")[2].lower()
        if domain not in self.own:
            self.mailed.add(domain)
        await self.inner.send(sender, recipient, edxml, subject)
