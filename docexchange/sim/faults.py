"""The scenario's faults, injected into a running simulation, and what each one cost.

* Outages (node, axis, mail) stop the real listeners for their window and start them again at the
  same address: senders see refused connections and retry, fall back or go to paper by the rules.
* A revoked certificate is revoked in the PKI at its instant. The agency's signer checks first, so
  it stops signing with it — unless the fault gives a ``notice``: until its signing system learns
  of the revocation it keeps signing, receivers refuse those documents (``cert-revoked``) and the
  sender re-sends them on paper; what was signed before the revocation stays valid.
* Tampered documents are altered on the wire (one signed byte changed) between sender and
  channel; the receiver refuses them (``signature-invalid``) naming the bytes it got.
* Lost receipts: a share of status messages taken by the channel vanish.
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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509

from docexchange.clock import Clock, FixedClock
from docexchange.edxml import to_bytes
from docexchange.edxml.namespaces import q
from docexchange.edxml.numbering import split_document_id
from docexchange.edxml.parse import parse_xml
from docexchange.errors import ReasonCode
from docexchange.node.agency import NO_RECEIPT
from docexchange.node.events import NodeEvent
from docexchange.pki import CertRole, PathValidator, PkiStore, StoreRevocationSource
from docexchange.pki.revocation import NOT_REVOKED, RevocationSource, RevocationStatus
from docexchange.routing import Channel
from docexchange.signing.layout import all_signatures
from docexchange.signing.service import AgencySigner
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
from docexchange.store import OutboxState, PayloadKind
from docexchange.transport.axis_http import UploadReceipt
from docexchange.transport.errors import TransportError

if TYPE_CHECKING:
    from docexchange.node.agency import AgencyNode
    from docexchange.node.network import LoopbackNetwork
    from docexchange.sim.runner import SimulationRunner
    from docexchange.transport.ports import AxisPort, MailPort

LINK_TIMEOUT_SECONDS = 30  # the axis client's and the mail client's timeout

_SUBJECT = re.compile(rb"(<[A-Za-z0-9_]*:?Subject>)(.)")


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


class SkewedClock:
    """A node's clock: the simulation's, shifted by ``offset`` while ``window`` holds."""

    def __init__(self, base: Clock, offset: timedelta, window: Window) -> None:
        self.base = base
        self.offset = offset
        self.window = window

    def now(self) -> datetime:
        now = self.base.now()
        return now + self.offset if self.window.contains(now) else now


class FaultInjector:
    def __init__(self, faults: tuple[Fault, ...], seed: int, clock: FixedClock) -> None:
        self.faults = faults
        self.seed = seed
        self.clock = clock
        self.costs: list[FaultCost] = []
        self._down_nodes: dict[str, list[Window]] = {}
        self._axis_down = 0
        self._mail_down: dict[str, int] = {}
        self._net: LoopbackNetwork | None = None
        self._runner: SimulationRunner | None = None
        self._tampered_count: dict[int, int] = {}
        self._tampered_keys: set[str] = set()  # digests of the genuine bytes of documents altered
        self._storm_seen: set[tuple[str, str]] = set()
        # documents each agency sent since its last pump, for duplicate storms
        self._sent: dict[str, list[NodeEvent]] = {}
        self._watch_sends = any(isinstance(f, DuplicateStorm | ForgedDocuments) for f in faults)
        self._forged: dict[int, int] = {}  # fault index → forgeries injected
        self._impostors: dict[str, AgencySigner] = {}

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def attach(self, net: LoopbackNetwork, runner: SimulationRunner) -> None:
        """Wrap clocks and ports of the nodes the faults touch."""
        self._net = net
        self._runner = runner
        for fault in self.faults:
            if isinstance(fault, CertificateRevoked) and fault.notice and fault.agency in net.nodes:
                self._late_notice(net, fault)
            if isinstance(fault, ClockSkew) and fault.agency in net.nodes:
                node = net.nodes[fault.agency]
                node.clock = SkewedClock(node.clock, fault.offset, fault.window)
                node.verifier.clock = node.clock
        if any(isinstance(f, TamperedDocuments | ReceiptsLost | Partition | SlowLink) for f in self.faults):
            for node in net.nodes.values():
                if node.axis is not None:
                    node.axis = _WireAxis(node.axis, self, node.id)
                if node.mail is not None:
                    node.mail = _WireMail(node.mail, self, node.id)

    def _late_notice(self, net: LoopbackNetwork, fault: CertificateRevoked) -> None:
        """The agency's signing system learns of the revocation ``notice`` after it: until then its
        signer sees the certificate as valid (receivers check the current list)."""
        node = net.nodes[fault.agency]
        role = CertRole.PERSON if fault.role is CertificateRole.PERSON else CertRole.ORGANISATION
        serial = net.pki.certificate(fault.agency, role).serial_number
        lagging = _LaggingRevocation(
            StoreRevocationSource(net.pki, self.clock), serial, fault.at + fault.notice, self.clock
        )
        node.signer.validator = PathValidator(net.pki.root, lagging, cache=net.chain_cache)

    def entries(self, first: date, last: date) -> Iterator[Entry]:
        """The instants at which faults start and end, for those that start within the run."""
        run = Window.days(first, last)
        for index, fault in enumerate(self.faults):
            if isinstance(fault, CertificateRevoked):
                if run.contains(fault.at):
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
        assert self._net is not None and self._runner is not None
        assert isinstance(entry.subject, tuple)
        action: str = entry.subject[0]
        index: int = entry.subject[1]
        fault = self.faults[index]
        net = self._net
        if isinstance(fault, CertificateRevoked):
            role = CertRole.PERSON if fault.role is CertificateRole.PERSON else CertRole.ORGANISATION
            net.pki.revoke(fault.agency, role, at=fault.at)
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
                await net.stop_axis()
            elif action == "up" and self._axis_down == 0:
                await net.start_axis()
                hub = net.hub
                for agency_id in hub.store.recipients_waiting() if hub is not None else []:
                    self._runner.wake_poll(agency_id, self.clock.now())
        elif isinstance(fault, MailOutage):
            targets = [fault.agency] if fault.agency is not None else sorted(net.nodes)
            for agency_id in targets:
                await self._mail(agency_id, down=action == "down")
        elif isinstance(fault, Partition | SlowLink):
            self._runner.wake_poll(fault.agency, self.clock.now())
            self._runner.mark_dirty(fault.agency)

    async def _mail(self, agency_id: str, *, down: bool) -> None:
        assert self._net is not None
        count = self._mail_down.get(agency_id, 0) + (1 if down else -1)
        self._mail_down[agency_id] = count
        if down and count == 1:
            await self._net.mail_down(agency_id)
        elif not down and count == 0:
            await self._net.mail_up(agency_id)

    def node_down_until(self, agency_id: str, now: datetime) -> datetime | None:
        windows = [w for w in self._down_nodes.get(agency_id, ()) if w.contains(now)]
        return max(w.end for w in windows) if windows else None

    # ── on the wire ─────────────────────────────────────────────────────────────────────────

    def check_link(self, agency_id: str, channel: Channel, size: int) -> None:
        """Raise the TransportError a partition or a slow link gives a transfer of ``size`` bytes."""
        now = self.clock.now()
        for fault in self.faults:
            if not isinstance(fault, Partition | SlowLink) or fault.agency != agency_id:
                continue
            if not fault.window.contains(now):
                continue
            if isinstance(fault, Partition) and channel is Channel.AXIS:
                raise TransportError(
                    "axis-unreachable", f"network partition between {agency_id} and the axis", retryable=True
                )
            if isinstance(fault, SlowLink):
                seconds = size * 8 / (fault.kbps * 1000)
                if seconds > LINK_TIMEOUT_SECONDS:
                    raise TransportError(
                        f"{channel.value}-timeout",
                        f"{size} bytes at {fault.kbps:g} kbit/s take {seconds:.0f} s, longer than the "
                        f"{LINK_TIMEOUT_SECONDS} s timeout",
                        retryable=True,
                    )

    def alter(self, data: bytes, status: bool) -> bytes | None:
        """What the wire does to ``data`` now: the bytes to carry, or None to lose them."""
        now = self.clock.now()
        for index, cost in enumerate(self.costs):
            fault = cost.fault
            if not (cost.start <= now < cost.end):
                continue
            key = _digest_key(data)
            lost = isinstance(fault, ReceiptsLost) and status
            if lost and entity_uniform(self.seed, "receipt-lost", index, key) < getattr(fault, "rate", 0.0):
                cost.injected += 1
                return None
            if isinstance(fault, TamperedDocuments) and not status:
                if key in self._tampered_keys:
                    continue  # a document is altered once: its sender's re-send of it passes
                if fault.count is not None:
                    hit = self._tampered_count.get(index, 0) < fault.count
                else:
                    hit = entity_uniform(self.seed, "tampered", index, key) < (fault.rate or 0.0)
                altered = _SUBJECT.sub(lambda m: m.group(1) + _flip(m.group(2)), data, count=1)
                if hit and altered != data:
                    self._tampered_keys.add(key)
                    self._tampered_count[index] = self._tampered_count.get(index, 0) + 1
                    cost.injected += 1
                    return altered
        return data

    async def after_pump(self, node: AgencyNode) -> None:
        """Documents just sent: a duplicate storm sends them again (same bytes, ``copies`` times);
        a forgery fault follows some with a forged document."""
        for event in self._sent.pop(node.id, []):
            for index, cost in enumerate(self.costs):
                fault = cost.fault
                if not (cost.start <= event.at < cost.end):
                    continue
                if isinstance(fault, DuplicateStorm):
                    await self._storm(node, event, index, fault, cost)
                elif isinstance(fault, ForgedDocuments):
                    await self._forge(node, event, index, fault, cost)

    async def _storm(
        self, node: AgencyNode, event: NodeEvent, index: int, fault: DuplicateStorm, cost: FaultCost
    ) -> None:
        if fault.agency is not None and fault.agency != event.agency:
            return
        key = (event.document_id, event.counterpart)
        if key in self._storm_seen or entity_uniform(self.seed, "storm", index, *key) >= fault.rate:
            return
        self._storm_seen.add(key)
        await self._resend(node, event, fault.copies, cost)

    async def _forge(
        self, node: AgencyNode, event: NodeEvent, index: int, fault: ForgedDocuments, cost: FaultCost
    ) -> None:
        if fault.agency is not None and fault.agency != event.agency:
            return
        done = self._forged.get(index, 0)
        if done >= fault.count:
            return
        genuine = node.store.outgoing_message(event.document_id)
        if genuine is None:
            return
        forged = self._forgery(node, genuine, done + 1, index)
        channel = Channel(event.channel)
        try:
            if channel is Channel.AXIS and node.axis is not None:
                await node.axis.upload(forged, [event.counterpart])
            elif channel is Channel.MAIL and node.mail is not None:
                recipient = node.registry.get(event.counterpart)
                await node.mail.send(node.agency.mailbox, recipient.mailbox, forged, "document")
            else:
                return
        except TransportError:
            return
        self._forged[index] = done + 1
        cost.injected += 1

    def _forgery(self, node: AgencyNode, genuine: bytes, serial: int, index: int) -> bytes:
        """The genuine document's header under a new DocumentId and number, re-signed by an
        impostor holding certificates with the sender's names under another root."""
        assert self._net is not None
        root = parse_xml(genuine)
        for signature in all_signatures(root):
            parent = signature.getparent()
            if parent is not None:
                parent.remove(signature)
        header = root.find(f"{q('edXMLHeader')}/{q('MessageHeader')}")
        assert header is not None
        number = header.find(f"{q('Code')}/{q('CodeNumber')}")
        document_id = header.find(q("DocumentId"))
        assert number is not None and document_id is not None
        sender, day, code = split_document_id(document_id.text or "")
        forged_number = f"9{index:02d}{serial:03d}"
        number.text = forged_number
        document_id.text = f"{sender},{day:%Y/%m/%d},{forged_number}/{code.split('/', 1)[1]}"
        signer = self._impostor(node.id)
        return to_bytes(signer.sign(root, self.clock.now()))

    def _impostor(self, agency_id: str) -> AgencySigner:
        """Keys and certificates an impostor made for ``agency_id``: the same names, another root."""
        if agency_id not in self._impostors:
            assert self._net is not None
            net = self._net
            folder = net.state.parent / "impostor-certs" / agency_id
            pki = PkiStore.init(
                folder,
                net.registry,
                algorithm=net.pki.algorithm,
                not_before=net.pki.root.not_valid_before_utc,
                agency_ids=[agency_id],
                force=True,
            )
            validator = PathValidator(pki.root, StoreRevocationSource(pki, self.clock))
            self._impostors[agency_id] = AgencySigner(pki, validator)
        return self._impostors[agency_id]

    async def _resend(self, node: AgencyNode, event: NodeEvent, copies: int, cost: FaultCost) -> None:
        items = [
            i
            for i in node.store.list_outbox(event.document_id)
            if i.recipient == event.counterpart
            and i.kind is PayloadKind.DOCUMENT
            and i.state is OutboxState.SENT
        ]
        if not items:
            return
        item = items[-1]
        recipient = node.registry.get(item.recipient)
        for _ in range(copies):
            try:
                if item.channel is Channel.AXIS and node.axis is not None:
                    await node.axis.upload(item.payload, [item.recipient])
                elif item.channel is Channel.MAIL and node.mail is not None:
                    await node.mail.send(node.agency.mailbox, recipient.mailbox, item.payload, "document")
            except Exception:
                continue
            cost.injected += 1
        cost.affected.add((event.document_id, event.counterpart))

    # ── accounting ──────────────────────────────────────────────────────────────────────────

    def observe(self, event: NodeEvent) -> None:
        if event.what == "document-sent" and self._watch_sends:
            self._sent.setdefault(event.agency, []).append(event)
        at = self._caused_at(event)
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

    def _caused_at(self, event: NodeEvent) -> datetime:
        """When what ``event`` reports was caused: a paper follow-up comes a working day after the
        send that went unanswered, which is what a fault's window must contain."""
        if self._net is None or not _followed_up(event, None):
            return event.at
        node = self._net.nodes.get(event.agency)
        items = node.store.list_outbox(event.document_id) if node is not None else []
        by_id = {item.id: item for item in items}
        for item in items:
            origin = by_id.get(item.rerouted_from) if item.rerouted_from is not None else None
            if item.channel is Channel.PAPER and origin is not None and origin.recipient == event.counterpart:
                return origin.sent_at or event.at
        return event.at


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


def _flip(char: bytes) -> bytes:
    return b"X" if char != b"X" else b"Y"


def _digest_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _LaggingRevocation:
    """A revocation source that does not know of one certificate's revocation before ``known_at``."""

    def __init__(self, inner: RevocationSource, serial: int, known_at: datetime, clock: Clock) -> None:
        self.inner = inner
        self.serial = serial
        self.known_at = known_at
        self.clock = clock

    def status(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationStatus:
        if cert.serial_number == self.serial and self.clock.now() < self.known_at:
            return NOT_REVOKED
        return self.inner.status(cert, issuer)


class _WireAxis:
    """The axis as the wire delivers it: documents may be altered, statuses may vanish, the link
    may be cut or slow."""

    def __init__(self, inner: AxisPort, injector: FaultInjector, agency_id: str) -> None:
        self.inner = inner
        self.injector = injector
        self.agency_id = agency_id

    def _check(self, size: int) -> None:
        self.injector.check_link(self.agency_id, Channel.AXIS, size)

    async def upload(self, data: bytes, recipients: list[str] | None = None) -> list[UploadReceipt]:
        self._check(len(data))
        carried = self.injector.alter(data, b":Status>" in data)
        if carried is None:
            return []
        return await self.inner.upload(carried, recipients)

    async def inbox(self) -> list[dict[str, Any]]:
        self._check(0)
        return await self.inner.inbox()

    async def download(self, package_id: str) -> tuple[bytes, list[dict[str, Any]]]:
        self._check(0)
        data, hops = await self.inner.download(package_id)
        self._check(len(data))  # the transfer times out: the axis keeps the package for later
        return data, hops

    async def acknowledge(self, package_id: str, state: str, reason: str = "") -> None:
        self._check(0)
        await self.inner.acknowledge(package_id, state, reason)

    async def close(self) -> None:
        await self.inner.close()


class _WireMail:
    def __init__(self, inner: MailPort, injector: FaultInjector, agency_id: str) -> None:
        self.inner = inner
        self.injector = injector
        self.agency_id = agency_id

    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None:
        self.injector.check_link(self.agency_id, Channel.MAIL, len(edxml))
        carried = self.injector.alter(edxml, b":Status>" in edxml)
        if carried is None:
            return
        await self.inner.send(sender, recipient, carried, subject)
