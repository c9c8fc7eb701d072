"""The scenario's faults where the nodes run: wrapped clocks, signers and channels, and the hands
that re-send and forge documents.

This half of the fault machinery lives in the process that hosts the nodes (the run's own process,
or a node worker of ``run --processes``). It holds no counts and draws nothing: which bytes the wire
alters or loses, and which documents are re-sent or forged, is decided by the coordinator's
:class:`~docexchange.sim.faults.FaultInjector`, asked through a :class:`WireJudge`. Only what needs
nothing but the scenario and the clock — a partition, a slow link, a skewed clock, a revocation
learnt late — is settled here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from cryptography import x509

from docexchange.clock import Clock
from docexchange.edxml import to_bytes
from docexchange.edxml.frame import frame_of
from docexchange.edxml.namespaces import q
from docexchange.edxml.numbering import split_document_id
from docexchange.edxml.parse import parse_message, parse_xml, read_status
from docexchange.edxml.schema import MessageKind
from docexchange.pki import CertRole, PathValidator, PkiStore, StoreRevocationSource
from docexchange.pki.revocation import NOT_REVOKED, RevocationSource, RevocationStatus
from docexchange.routing import Channel
from docexchange.signing.layout import all_signatures
from docexchange.signing.service import AgencySigner
from docexchange.sim.scenario import (
    CertificateRevoked,
    CertificateRole,
    ClockSkew,
    Fault,
    Partition,
    ReceiptsLost,
    SlowLink,
    TamperedDocuments,
    Window,
)
from docexchange.store import OutboxState, PayloadKind
from docexchange.transport.axis_http import UploadReceipt
from docexchange.transport.errors import TransportError

if TYPE_CHECKING:
    from docexchange.node.agency import AgencyNode
    from docexchange.node.network import LoopbackNetwork
    from docexchange.transport.ports import AxisPort, MailPort

LINK_TIMEOUT_SECONDS = 30  # the axis client's and the mail client's timeout

_SUBJECT = re.compile(rb"(<[A-Za-z0-9_]*:?Subject>)(.)")


class WireVerdict(StrEnum):
    CARRY = "carry"
    LOSE = "lose"
    ALTER = "alter"


class WireJudge(Protocol):
    async def judge(self, key: str, status: bool, alterable: bool) -> WireVerdict:
        """What the wire does now to the message ``key`` (see :func:`message_identity`)."""
        ...


def message_identity(data: bytes) -> tuple[str, bool]:
    """A name for the message in ``data`` that is the same on every run, and whether it is a status.

    The bytes themselves are not: every run has new keys, so signatures, certificates and the
    digests a status quotes differ. A document is named by its DocumentId (and whether it is
    signed: a recipient without legal value gets the unsigned copy); a status by what it answers,
    who says it, its code and its time — the same message re-sent keeps its name, as it keeps its
    bytes.
    """
    try:
        root, kind = parse_message(data)
        if kind is MessageKind.STATUS:
            status = read_status(root)
            about = status.response_for
            return (
                f"status:{about.document_id}:{about.organ_id}:{status.from_.organ_id}:"
                f"{status.status_code.value}:{status.timestamp.isoformat()}",
                True,
            )
        message_header = frame_of(root).message_header
        header = message_header.find(q("DocumentId")) if message_header is not None else None
        signed = "signed" if all_signatures(root) else "unsigned"
        return f"document:{header.text if header is not None else ''}:{signed}", False
    except Exception as exc:  # not a message of ours (the wire carries whatever it is given)
        return f"unreadable:{type(exc).__name__}", b"StatusCode>" in data


class SkewedClock:
    """A node's clock: the simulation's, shifted by ``offset`` while ``window`` holds."""

    def __init__(self, base: Clock, offset: timedelta, window: Window) -> None:
        self.base = base
        self.offset = offset
        self.window = window

    def now(self) -> datetime:
        now = self.base.now()
        return now + self.offset if self.window.contains(now) else now


class NodeFaults:
    """The faults of ``faults`` as the nodes of one process feel them, on the run's ``clock``."""

    def __init__(self, faults: tuple[Fault, ...], clock: Clock, judge: WireJudge) -> None:
        self.faults = faults
        self.clock = clock
        self.judge = judge
        self._wire_faults = [f for f in faults if isinstance(f, TamperedDocuments | ReceiptsLost)]
        self._receipt_faults = [f for f in faults if isinstance(f, ReceiptsLost)]
        self._answers_judged: dict[str, int] = {}  # per message: how many of the axis's answers to it
        self._named: tuple[bytes, str, bool] | None = None  # the last message named, and its name
        self._impostors: dict[str, AgencySigner] = {}
        self._net: LoopbackNetwork | None = None

    def install(self, net: LoopbackNetwork) -> None:
        """Wrap the clocks, signers and channels of the nodes the faults touch."""
        self._net = net
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

    async def carry(self, data: bytes) -> bytes | None:
        """What the wire does to ``data`` now: the bytes to carry, or None to lose them."""
        now = self.clock.now()
        if not any(f.window.contains(now) for f in self._wire_faults):
            return data
        altered = _SUBJECT.sub(lambda m: m.group(1) + _flip(m.group(2)), data, count=1)
        key, status = self._identity(data)
        verdict = await self.judge.judge(key, status, altered != data)
        if verdict is WireVerdict.LOSE:
            return None
        return altered if verdict is WireVerdict.ALTER else data

    async def answer_lost(self, data: bytes) -> bool:
        """Whether the axis's answer to this upload (it has stored the package) is lost on the way
        back: the sender sees a timeout and sends the same bytes again, which the axis recognises.
        Each answer to the same message is drawn anew (the n-th of them has its own name); a status
        message's loss is :meth:`carry`'s."""
        now = self.clock.now()
        if not any(f.window.contains(now) for f in self._receipt_faults):
            return False
        name, status = self._identity(data)
        if status:
            return False
        count = self._answers_judged.get(name, 0)
        self._answers_judged[name] = count + 1
        verdict = await self.judge.judge(f"axis-answer:{count}:{name}", True, False)
        return verdict is WireVerdict.LOSE

    def _identity(self, data: bytes) -> tuple[str, bool]:
        """:func:`message_identity`, parsed once for the upload in hand (``carry`` and then
        ``answer_lost`` ask about the same bytes object)."""
        if self._named is None or self._named[0] is not data:
            self._named = (data, *message_identity(data))
        return self._named[1], self._named[2]

    # ── re-sent and forged documents ────────────────────────────────────────────────────────

    async def resend(self, node: AgencyNode, document_id: str, recipient_id: str, copies: int) -> int | None:
        """Send the bytes last sent of a document to a recipient again, ``copies`` times; how many
        went (None: nothing was sent to it)."""
        items = [
            i
            for i in node.store.list_outbox(document_id)
            if i.recipient == recipient_id and i.kind is PayloadKind.DOCUMENT and i.state is OutboxState.SENT
        ]
        if not items:
            return None
        item = items[-1]
        recipient = node.registry.get(item.recipient)
        sent = 0
        for _ in range(copies):
            try:
                if item.channel is Channel.AXIS and node.axis is not None:
                    await node.axis.upload(item.payload, [item.recipient])
                elif item.channel is Channel.MAIL and node.mail is not None:
                    await node.mail.send(node.agency.mailbox, recipient.mailbox, item.payload, "document")
            except Exception:
                continue
            sent += 1
        return sent

    async def forge(
        self, node: AgencyNode, document_id: str, recipient_id: str, channel: Channel, number: str
    ) -> bool:
        """Put a forgery of a document just sent on the wire to the same recipient: its header
        under the number ``number`` and a new DocumentId, signed by an impostor. True when sent."""
        genuine = node.store.outgoing_message(document_id)
        if genuine is None:
            return False
        forged = self._forgery(node, genuine, number)
        try:
            if channel is Channel.AXIS and node.axis is not None:
                await node.axis.upload(forged, [recipient_id])
            elif channel is Channel.MAIL and node.mail is not None:
                recipient = node.registry.get(recipient_id)
                await node.mail.send(node.agency.mailbox, recipient.mailbox, forged, "document")
            else:
                return False
        except TransportError:
            return False
        return True

    def _forgery(self, node: AgencyNode, genuine: bytes, number: str) -> bytes:
        """The genuine document's header under a new DocumentId and number, re-signed by an
        impostor holding certificates with the sender's names under another root."""
        root = parse_xml(genuine)
        for signature in all_signatures(root):
            parent = signature.getparent()
            if parent is not None:
                parent.remove(signature)
        header = frame_of(root).message_header
        assert header is not None
        code_number = header.find(f"{q('Code')}/{q('CodeNumber')}")
        document_id = header.find(q("DocumentId"))
        assert code_number is not None and document_id is not None
        sender, day, code = split_document_id(document_id.text or "")
        code_number.text = number
        document_id.text = f"{sender},{day:%Y/%m/%d},{number}/{code.split('/', 1)[1]}"
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


def _flip(char: bytes) -> bytes:
    return b"X" if char != b"X" else b"Y"


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

    def __init__(self, inner: AxisPort, faults: NodeFaults, agency_id: str) -> None:
        self.inner = inner
        self.faults = faults
        self.agency_id = agency_id

    def _check(self, size: int) -> None:
        self.faults.check_link(self.agency_id, Channel.AXIS, size)

    async def upload(self, data: bytes, recipients: list[str] | None = None) -> list[UploadReceipt]:
        self._check(len(data))
        carried = await self.faults.carry(data)
        if carried is None:
            return []
        receipts = await self.inner.upload(carried, recipients)
        if await self.faults.answer_lost(data):
            raise TransportError(
                "axis-timeout", "no answer from the axis (lost on the way back)", retryable=True
            )
        return receipts

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
    def __init__(self, inner: MailPort, faults: NodeFaults, agency_id: str) -> None:
        self.inner = inner
        self.faults = faults
        self.agency_id = agency_id

    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None:
        self.faults.check_link(self.agency_id, Channel.MAIL, len(edxml))
        carried = await self.faults.carry(edxml)
        if carried is None:
            return
        await self.inner.send(sender, recipient, carried, subject)
