"""The scenario's faults, injected into a running simulation, and what each one cost.

* Outages (node, axis, mail) stop the real listeners for their window and start them again at the
  same address: senders see refused connections and retry, fall back or go to paper by the rules.
* A revoked certificate is revoked in the PKI at its instant. The agency's signer checks first, so
  it stops signing with it — unless the fault gives a ``notice``: until its signing system learns
  of the revocation it keeps signing, receivers refuse those documents (``cert-revoked``) and the
  sender re-sends them on paper; what was signed before the revocation stays valid.
* Tampered documents are altered on the wire (one signed byte changed) between sender and
  channel; the receiver refuses them (``signature-invalid``) naming the bytes it got.
* Lost receipts: a share of status messages taken by the channel vanish, and a share of the axis's
  answers to document uploads: the axis has stored the package, the sender times out and sends the
  same bytes again under the same DocumentId, and the axis answers that it has them already.
* A duplicate storm sends the same document bytes again, ``copies`` times, same DocumentId.
* A skewed clock shifts one node's clock (what it signs and stamps) for the window.
* A partition cuts the network between one agency and the axis (both ways; its mail still works).
* A slow link carries an agency's transfers at a given rate — its axis uploads and downloads and
  the mail it sends (mail *to* it is not slowed: the sender's server delivers it): one that would
  take longer than the transports' 30-second timeout fails and is retried, as over a real link;
  quicker ones pass (their transfer time is not added to the simulated clock). A download that
  times out leaves the package at the axis for the next poll.
* Forged documents: after a genuine document leaves its sender, the wire also carries a forgery
  claiming the same sender and recipient under a new DocumentId, signed with keys from an impostor
  PKI (same names, another root); the receiver refuses it (``untrusted-chain``) naming its bytes.

Which documents are hit is drawn per document from the seed, so a fault hits the same documents
on every run. Each fault's cost is counted from the nodes' events during its window.

This module is the coordinator's half: it decides and counts. What happens inside the processes
that host the nodes (wrapped clocks and channels, re-sending, forging) is
:mod:`docexchange.sim.node_faults`, which asks :meth:`FaultInjector.judge` what the wire does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from docexchange.clock import Clock
from docexchange.errors import ReasonCode
from docexchange.node.agency import NO_RECEIPT
from docexchange.node.events import NodeEvent
from docexchange.pki import CertRole, PkiStore
from docexchange.routing import Channel
from docexchange.sim.node_faults import WireVerdict
from docexchange.sim.randomness import entity_uniform
from docexchange.sim.scenario import (
    AxisOutage,
    CertificateRevoked,
    CertificateRole,
    ClockSkew,
    DuplicateStorm,
    Fault,
    ForgedDocuments,
    MailOutage,
    NodeOutage,
    Partition,
    ReceiptsLost,
    SlowLink,
    TamperedDocuments,
    Window,
)
from docexchange.sim.schedule import Entry, Step

if TYPE_CHECKING:
    from docexchange.sim.cluster import Cluster
    from docexchange.sim.runner import SimulationRunner


@dataclass
class FaultCost:
    """What one fault did, counted from the nodes' events during its window."""

    fault: Fault
    start: datetime
    end: datetime
    affected: set[tuple[str, str]] = field(default_factory=set)  # (document id, agency)
    retries: int = 0
    fallbacks: int = 0
    refusals: int = 0
    injected: int = 0  # documents altered, receipts dropped, copies re-sent, signatures skewed

    @property
    def scope(self) -> str:
        agency = getattr(self.fault, "agency", None)
        if isinstance(self.fault, AxisOutage):
            return "axis"
        if isinstance(self.fault, MailOutage | DuplicateStorm) and agency is None:
            return "all"
        if isinstance(self.fault, TamperedDocuments | ReceiptsLost):
            return "wire"
        return str(agency)


class FaultInjector:
    def __init__(self, faults: tuple[Fault, ...], seed: int, clock: Clock) -> None:
        self.faults = faults
        self.seed = seed
        self.clock = clock
        self.costs: list[FaultCost] = []
        self._down_nodes: dict[str, list[Window]] = {}
        self._axis_down = 0
        self._mail_down: dict[str, int] = {}
        self._cluster: Cluster | None = None
        self._runner: SimulationRunner | None = None
        self._pki: PkiStore | None = None
        self._tampered_count: dict[int, int] = {}
        self._tampered_keys: set[str] = set()  # the documents altered (see message_identity)
        self._storm_seen: set[tuple[str, str]] = set()
        # documents each agency sent since its last pump, for duplicate storms
        self._sent: dict[str, list[NodeEvent]] = {}
        self._watch_sends = any(isinstance(f, DuplicateStorm | ForgedDocuments) for f in faults)
        self._forged: dict[int, int] = {}  # fault index → forgeries injected

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def attach(self, cluster: Cluster, runner: SimulationRunner, pki: PkiStore) -> None:
        self._cluster = cluster
        self._runner = runner
        self._pki = pki

    def entries(self, first: date, last: date) -> Iterator[Entry]:
        """The instants at which faults start and end, for those that start within the run."""
        run = Window.days(first, last)
        for index, fault in enumerate(self.faults):
            if isinstance(fault, CertificateRevoked):
                if fault.at < run.start:  # a run that starts part-way (--from): in force from its start
                    self.costs.append(FaultCost(fault, run.start, run.end))
                    yield Entry(run.start, Step.FAULT, subject=("revoke", index))
                elif run.contains(fault.at):
                    self.costs.append(FaultCost(fault, fault.at, run.end))
                    yield Entry(fault.at, Step.FAULT, subject=("revoke", index))
                continue
            window: Window = fault.window
            if not run.start <= window.start < run.end:
                continue
            self.costs.append(FaultCost(fault, window.start, window.end))
            if isinstance(fault, NodeOutage | AxisOutage | MailOutage):
                yield Entry(window.start, Step.FAULT, subject=("down", index))
                yield Entry(window.end, Step.FAULT, subject=("up", index))
            elif isinstance(fault, Partition | SlowLink):  # the link is back: collect what waits
                yield Entry(window.end, Step.FAULT, subject=("up", index))

    # ── applying ────────────────────────────────────────────────────────────────────────────

    async def apply(self, entry: Entry) -> None:
        assert self._cluster is not None and self._runner is not None and self._pki is not None
        assert isinstance(entry.subject, tuple)
        action: str = entry.subject[0]
        index: int = entry.subject[1]
        fault = self.faults[index]
        cluster = self._cluster
        if isinstance(fault, CertificateRevoked):
            role = CertRole.PERSON if fault.role is CertificateRole.PERSON else CertRole.ORGANISATION
            self._pki.revoke(fault.agency, role, at=fault.at)
            await cluster.revocations_changed()
        elif isinstance(fault, NodeOutage):
            windows = self._down_nodes.setdefault(fault.agency, [])
            if action == "down":
                windows.append(fault.window)
                await self._mail(fault.agency, down=True)
            else:
                windows.remove(fault.window)
                await self._mail(fault.agency, down=False)
                self._runner.wake_poll(fault.agency, self.clock.now())
                self._runner.mark_dirty(fault.agency)
        elif isinstance(fault, AxisOutage):
            self._axis_down += 1 if action == "down" else -1
            if action == "down" and self._axis_down == 1:
                await cluster.axis_down()
            elif action == "up" and self._axis_down == 0:
                await cluster.axis_up()
                for agency_id in await cluster.recipients_waiting():
                    self._runner.wake_poll(agency_id, self.clock.now())
        elif isinstance(fault, MailOutage):
            targets = [fault.agency] if fault.agency is not None else self._runner.agency_ids
            for agency_id in targets:
                await self._mail(agency_id, down=action == "down")
        elif isinstance(fault, Partition | SlowLink):
            self._runner.wake_poll(fault.agency, self.clock.now())
            self._runner.mark_dirty(fault.agency)

    async def _mail(self, agency_id: str, *, down: bool) -> None:
        assert self._cluster is not None
        count = self._mail_down.get(agency_id, 0) + (1 if down else -1)
        self._mail_down[agency_id] = count
        host = self._cluster.host(agency_id)
        if down and count == 1:
            await host.mail_down(agency_id)
        elif not down and count == 0:
            await host.mail_up(agency_id)

    def node_down_until(self, agency_id: str, now: datetime) -> datetime | None:
        windows = [w for w in self._down_nodes.get(agency_id, ()) if w.contains(now)]
        return max(w.end for w in windows) if windows else None

    # ── on the wire ─────────────────────────────────────────────────────────────────────────

    async def judge(self, key: str, status: bool, alterable: bool) -> WireVerdict:
        """What the wire does now to the message named ``key`` (a status message or not;
        ``alterable``: it has a subject whose first character can be changed). Names, not bytes,
        are drawn on, so the same messages are hit on every run (see ``message_identity``)."""
        now = self.clock.now()
        for index, cost in enumerate(self.costs):
            fault = cost.fault
            if not (cost.start <= now < cost.end):
                continue
            lost = isinstance(fault, ReceiptsLost) and status
            if lost and entity_uniform(self.seed, "receipt-lost", index, key) < getattr(fault, "rate", 0.0):
                cost.injected += 1
                return WireVerdict.LOSE
            if isinstance(fault, TamperedDocuments) and not status:
                if key in self._tampered_keys:
                    continue  # a document is altered once: its sender's re-send of it passes
                if fault.count is not None:
                    hit = self._tampered_count.get(index, 0) < fault.count
                else:
                    hit = entity_uniform(self.seed, "tampered", index, key) < (fault.rate or 0.0)
                if hit and alterable:
                    self._tampered_keys.add(key)
                    self._tampered_count[index] = self._tampered_count.get(index, 0) + 1
                    cost.injected += 1
                    return WireVerdict.ALTER
        return WireVerdict.CARRY

    async def after_pump(self, agency_id: str) -> None:
        """Documents just sent: a duplicate storm sends them again (same bytes, ``copies`` times);
        a forgery fault follows some with a forged document."""
        for event in self._sent.pop(agency_id, []):
            for index, cost in enumerate(self.costs):
                fault = cost.fault
                if not (cost.start <= event.at < cost.end):
                    continue
                if isinstance(fault, DuplicateStorm):
                    await self._storm(event, index, fault, cost)
                elif isinstance(fault, ForgedDocuments):
                    await self._forge(event, index, fault, cost)

    async def _storm(self, event: NodeEvent, index: int, fault: DuplicateStorm, cost: FaultCost) -> None:
        assert self._cluster is not None
        if fault.agency is not None and fault.agency != event.agency:
            return
        key = (event.document_id, event.counterpart)
        if key in self._storm_seen or entity_uniform(self.seed, "storm", index, *key) >= fault.rate:
            return
        self._storm_seen.add(key)
        host = self._cluster.host(event.agency)
        sent = await host.resend(event.agency, event.document_id, event.counterpart, fault.copies)
        if sent is not None:
            cost.injected += sent
            cost.affected.add(key)

    async def _forge(self, event: NodeEvent, index: int, fault: ForgedDocuments, cost: FaultCost) -> None:
        assert self._cluster is not None
        if fault.agency is not None and fault.agency != event.agency:
            return
        done = self._forged.get(index, 0)
        if done >= fault.count:
            return
        host = self._cluster.host(event.agency)
        number = f"9{index:02d}{done + 1:03d}"
        if await host.forge(
            event.agency, event.document_id, event.counterpart, Channel(event.channel), number
        ):
            self._forged[index] = done + 1
            cost.injected += 1

    # ── accounting ──────────────────────────────────────────────────────────────────────────

    def observe(self, event: NodeEvent) -> None:
        if event.what == "document-sent" and self._watch_sends:
            self._sent.setdefault(event.agency, []).append(event)
        # a paper follow-up comes a working day after the send that went unanswered, which is
        # what a fault's window must contain
        at = event.cause_time
        for cost in self.costs:
            if isinstance(cost.fault, CertificateRevoked):
                if at < cost.start:  # a revocation costs from its instant to the end of the run
                    continue
            elif not (cost.start <= at < cost.end):
                continue
            if not _concerns(cost.fault, event):
                continue
            if event.what == "retry":
                cost.retries += 1
            elif event.what in ("fallback", "paper"):
                cost.fallbacks += 1
            elif event.what in ("refused", "status-refused", "signing-refused"):
                cost.refusals += 1
            else:
                continue
            cost.affected.add((event.document_id, event.counterpart or event.agency))


# what a receiver says of a document whose signed bytes were altered on the way
_TAMPER_REASONS = (ReasonCode.DIGEST_MISMATCH.value, ReasonCode.BAD_SIGNATURE.value)


def _concerns(fault: Fault, event: NodeEvent) -> bool:
    if isinstance(fault, AxisOutage):
        return event.channel == Channel.AXIS.value
    if isinstance(fault, MailOutage):
        return event.channel == Channel.MAIL.value and fault.agency in (None, event.counterpart)
    if isinstance(fault, NodeOutage):
        return fault.agency in (event.agency, event.counterpart)
    if isinstance(fault, CertificateRevoked):
        if fault.role is CertificateRole.ORGANISATION and _followed_up(event, fault.agency):
            return True  # the agency cannot authenticate to the axis: what waits there for it
        if event.what not in ("refused", "status-refused", "signing-refused"):
            return False
        if not event.detail.startswith(ReasonCode.CERT_REVOKED.value):
            return False
        # its own refused signings, and refusals of what it signed (a DocumentId starts with its
        # issuer; a refused status names the revoked certificate's agency in the reason)
        return (
            event.agency == fault.agency
            or event.document_id.startswith(fault.agency)
            or fault.agency in event.detail
        )
    if isinstance(fault, TamperedDocuments):
        return event.what == "refused" and event.detail.startswith(_TAMPER_REASONS)
    if isinstance(fault, ClockSkew):
        return event.agency == fault.agency or event.document_id.startswith(fault.agency)
    if isinstance(fault, DuplicateStorm):
        return False
    if isinstance(fault, ReceiptsLost):
        return event.what == "retry" or _followed_up(event, None)
    if isinstance(fault, Partition | SlowLink):
        return fault.agency in (event.agency, event.counterpart)
    if isinstance(fault, ForgedDocuments):
        return event.what == "refused" and event.detail.startswith(ReasonCode.UNTRUSTED_CHAIN.value)
    return event.what == "retry"


def _followed_up(event: NodeEvent, recipient: str | None) -> bool:
    """A paper original sent because the recipient said nothing (see AgencyNode.follow_up)."""
    return (
        event.what == "paper"
        and f": {NO_RECEIPT};" in event.detail
        and recipient in (None, event.counterpart)
    )
