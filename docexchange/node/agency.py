"""An agency node: the Decree 30 registers, its outbox, and the exchange rules, on an asyncio loop.

Sending: compose, number, sign (person then agency), register, route each recipient, queue.
Receiving: hardened parse, full verification, duplicate check, then statuses: 01 at once, then
03 (registered, with an incoming number) or 02 with the reason; later 04/05/06 as the document is
handled. Recall: 13 to the recipients, the sender's copy frozen; the receiver answers 15 (its copy
destroyed, the register row kept) or 16. Every status is a signed edXML status message that
travels back on the kind of channel the document came by; every illegal status is refused with a
reason and logged.

The rules themselves live below this module: routing decides channels, protocol judges status
sequences, signing verifies, the store keeps everything durable. Transports only carry bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from docexchange.clock import Clock
from docexchange.edxml import (
    Attachment,
    DocumentMessage,
    Priority,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_document,
    build_status,
    parse_message,
    read_document,
    to_bytes,
)
from docexchange.edxml.compose import NewDocument, compose, organization_of
from docexchange.edxml.envelope import summarize
from docexchange.edxml.numbering import DocumentNumberer, Series, document_kind
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.directory import Directory
from docexchange.node.events import EventLog, NodeEvent
from docexchange.node.history import receiver_view, sender_view
from docexchange.node.hops import verify_hop
from docexchange.pki import PathValidator, PkiStore, StoreRevocationSource
from docexchange.protocol import IllegalTransition, unknown_document
from docexchange.registry import Agency, Registry
from docexchange.routing import (
    CapabilityTable,
    Channel,
    FailureKind,
    RoutingDecision,
    RoutingRules,
    Secrecy,
    traits_of,
)
from docexchange.signing import MessageVerifier, SignaturePolicy, VerifiedDocument
from docexchange.signing.service import AgencySigner
from docexchange.store import (
    Direction,
    IncomingState,
    NewIncoming,
    NewOutgoing,
    NodeStore,
    OutboxItem,
    PayloadKind,
)
from docexchange.transport.axis_http import AxisClient
from docexchange.transport.errors import TransportError
from docexchange.transport.mail import MailClient, MailOutcome

OFFICE = "Văn thư"


@dataclass(frozen=True)
class Draft:
    """A document a user of the node wants to send."""

    recipients: tuple[str, ...]
    type_code: str  # Decree 30 abbreviation, CV for a công văn
    subject: str
    content: str = ""
    drafting_unit: str = "VP"
    legal_normative: bool = False
    priority: Priority = Priority.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class SentDocument:
    document_id: str
    code: str
    decisions: tuple[RoutingDecision, ...]


@dataclass(frozen=True)
class ReceiveOutcome:
    """What became of bytes that arrived. ``delivered`` False means refused at transport level
    (nothing could be read: SMTP 5xx, axis 'fail'); a document refused with status 02 was delivered."""

    delivered: bool
    reason: str = ""
    message: str = ""
    document_id: str = ""
    duplicate: bool = False


@dataclass
class ReceiverPolicy:
    """Business decisions a records office makes; defaults accept everything and agree to recalls."""

    refuse: Callable[[DocumentMessage], tuple[str, str] | None] = lambda message: None
    agree_to_recall: Callable[[str], bool] = lambda document_id: True


@dataclass
class AgencyNode:
    agency: Agency
    registry: Registry
    pki: PkiStore
    store: NodeStore
    clock: Clock
    rules: RoutingRules
    capabilities: CapabilityTable
    directory: Directory
    events: EventLog = field(default_factory=EventLog)
    policy: ReceiverPolicy = field(default_factory=ReceiverPolicy)
    signature_policy: SignaturePolicy = field(default_factory=SignaturePolicy)
    axis: AxisClient | None = None
    mail: MailClient | None = None

    def __post_init__(self) -> None:
        validator = PathValidator(self.pki.root, StoreRevocationSource(self.pki, self.clock))
        self.signer = AgencySigner(self.pki, validator)
        self.verifier = MessageVerifier(validator, policy=self.signature_policy, clock=self.clock)
        self.axis_certificate = self.pki.service().cert  # hop records are checked against it
        self.store.recover()

    @property
    def id(self) -> str:
        return self.agency.id

    def _event(self, document_id: str, what: str, channel: str = "", detail: str = "") -> None:
        self.events.add(NodeEvent(self.clock.now(), self.id, document_id, what, channel, detail))

    # -- sending --------------------------------------------------------------------------------

    def send(self, draft: Draft) -> SentDocument:
        """Compose, number, sign, register and queue a document for every recipient."""
        now = self.clock.now()
        secret = draft.secrecy.secret
        number = self.store.next_number(now.year, Series.SECRET if secret else Series.NORMAL)
        message = compose(
            NewDocument(
                sender=self.agency,
                recipients=tuple(self.registry.get(r) for r in draft.recipients),
                kind=document_kind(draft.type_code),
                subject=draft.subject,
                content=draft.content,
                promulgation_date=now.date(),
                signed_at=now,
                legal_normative=draft.legal_normative,
                drafting_unit=draft.drafting_unit,
                priority=draft.priority,
                attachments=draft.attachments,
                number=number,
            ),
            DocumentNumberer(),
        )
        payload = None if secret else to_bytes(self.signer.sign(build_document(message), now))
        traits = traits_of(message, draft.secrecy)
        decisions = tuple(
            self.rules.decide(traits, r, self.capabilities.of(self.id), self.capabilities.of(r))
            for r in draft.recipients
        )
        with self.store.transaction():
            self.store.register_outgoing(
                NewOutgoing(
                    document_id=message.document_id,
                    number=number,
                    code_text=message.code.text,
                    promulgation_date=message.promulgation_info.promulgation_date,
                    type_and_subject=f"{message.document_type.type_name}: {message.subject}",
                    signer=f"{message.signer_info.position} {message.signer_info.full_name}",
                    recipients=draft.recipients,
                    registered_at=now,
                    series=Series.SECRET if secret else Series.NORMAL,
                    file_holder=draft.drafting_unit,
                    signed_message=payload,
                )
            )
            for decision in decisions:
                self.store.enqueue(
                    message.document_id,
                    decision.recipient,
                    decision.channel,
                    payload or b"",
                    at=now,
                    priority=decision.queue_priority,
                )
                if decision.paper_copy:  # Government/PM, listed types, or unsigned: paper goes too
                    self.store.enqueue(message.document_id, decision.recipient, Channel.PAPER, b"", at=now)
        self._event(message.document_id, "signed" if payload else "registered", detail=message.code.text)
        for decision in decisions:
            copy = " + paper copy" if decision.paper_copy else ""
            self._event(
                message.document_id,
                "routed",
                decision.channel.value,
                f"→ {decision.recipient}{copy}: {decision.reason.value}",
            )
        return SentDocument(message.document_id, message.code.text, decisions)

    async def pump(self, limit: int = 100) -> int:
        """Send what is due (urgent first); retry or fall back on failure. Returns items handled."""
        items = self.store.due(self.clock.now(), limit)
        for item in items:
            await self._deliver(item)
        return len(items)

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            if item.channel is Channel.AXIS:
                if self.axis is None:
                    raise TransportError(
                        "no-axis-connection", f"{self.id} has no axis client", retryable=False
                    )
                await self.axis.upload(item.payload, [item.recipient])
            elif item.channel is Channel.MAIL:
                if self.mail is None:
                    raise TransportError("no-mailbox", f"{self.id} has no mail client", retryable=False)
                recipient = self.registry.get(item.recipient)
                subject = f"{item.kind.value}: {item.document_id}"
                await self.mail.send(self.agency.mailbox, recipient.mailbox, item.payload, subject)
            else:  # pragma: no cover - the store never hands out paper items
                return
        except TransportError as exc:
            self._failed(item, exc)
            return
        self.store.mark_sent(item.id, self.clock.now())
        self._event(item.document_id, f"{item.kind.value}-sent", item.channel.value, f"→ {item.recipient}")

    def _failed(self, item: OutboxItem, error: TransportError) -> None:
        now = self.clock.now()
        text = f"{error.reason}: {error.message}"
        decision = self._decision_for(item)
        action = self.rules.after_failure(decision, item.channel, item.attempts if error.retryable else 10**6)
        if action.kind is FailureKind.RETRY:
            self.store.mark_failed(item.id, text, now + action.delay)
            self._event(
                item.document_id, "retry", item.channel.value, f"→ {item.recipient} in {action.delay}: {text}"
            )
            return
        self.store.mark_failed(item.id, text, None)
        self.store.reroute(item.id, action.channel, now)
        what = "paper" if action.kind is FailureKind.PAPER else "fallback"
        self._event(
            item.document_id, what, action.channel.value, f"→ {item.recipient}: {action.reason.value}; {text}"
        )

    def _decision_for(self, item: OutboxItem) -> RoutingDecision:
        """Re-derive the routing decision (pure) from the signed payload of a document."""
        if item.kind is PayloadKind.DOCUMENT:
            root, _ = parse_message(item.payload)
            traits = traits_of(read_document(root))
        else:
            traits = traits_of(self._placeholder_document(item.document_id))
        return self.rules.decide(
            traits, item.recipient, self.capabilities.of(self.id), self.capabilities.of(item.recipient)
        )

    def _placeholder_document(self, document_id: str) -> DocumentMessage:
        entry = self.store.incoming(document_id)
        outgoing = self.store.outgoing(document_id)
        data = (self.store.incoming_message(document_id) if entry else None) or (
            self.store.outgoing_message(document_id) if outgoing else None
        )
        if data is None:
            raise DocexchangeError(
                ReasonCode.STORE_NOT_FOUND, f"no copy of {document_id} to route a status for"
            )
        return read_document(parse_message(data)[0])

    # -- receiving ------------------------------------------------------------------------------

    async def receive(self, data: bytes, channel: Channel) -> ReceiveOutcome:
        """Bytes that arrived by ``channel``: a document or a status message."""
        try:
            root, kind = parse_message(data, self.verifier.limits)
            summary = summarize(root, kind)
        except DocexchangeError as exc:
            self._event("", "refused-at-transport", channel.value, str(exc))
            return ReceiveOutcome(False, exc.code.value, exc.message)
        except ValueError as exc:  # schema-valid but without the parts a summary needs
            self._event("", "refused-at-transport", channel.value, f"schema-invalid: {exc}")
            return ReceiveOutcome(False, ReasonCode.SCHEMA_INVALID.value, str(exc))
        if kind is MessageKind.STATUS:
            return self._receive_status(data, summary.document_id, channel)
        return self._receive_document(data, summary.document_id, summary.sender, summary.recipients, channel)

    def _receive_document(
        self, data: bytes, document_id: str, sender: str, recipients: tuple[str, ...], channel: Channel
    ) -> ReceiveOutcome:
        now = self.clock.now()
        if self.store.incoming(document_id) is not None:
            self._event(document_id, "duplicate", channel.value, f"from {sender}: already registered")
            return ReceiveOutcome(True, document_id=document_id, duplicate=True)
        self._event(document_id, "received", channel.value, f"from {sender}")
        try:
            verified = self.verifier.verify_document(data)
        except DocexchangeError as exc:
            self._event(document_id, "refused", channel.value, f"{exc.code.value}: {exc.message}")
            self._refuse_unverified(data, document_id, sender, channel, exc)
            return ReceiveOutcome(True, exc.code.value, exc.message, document_id)
        message = verified.message
        refusal = self._business_refusal(message)
        if refusal is not None:
            code, text = refusal
            self._answer(message, StatusCode.ARRIVED, "Đã đến", channel)
            self._answer(message, StatusCode.REFUSED, f"{code}: {text}", channel, reason=code)
            self._event(document_id, "refused", channel.value, f"{code}: {text}")
            return ReceiveOutcome(True, code, text, document_id)
        with self.store.transaction():
            entry, _ = self.store.register_incoming(
                NewIncoming(
                    document_id=document_id,
                    date_received=now,
                    issuing_agency=message.from_.organ_id,
                    code_text=message.code.text,
                    promulgation_date=message.promulgation_info.promulgation_date,
                    type_and_subject=f"{message.document_type.type_name}: {message.subject}",
                    channel=channel,
                    state=IncomingState.ACCEPTED,
                    receiving_unit=OFFICE,
                    signed_message=data,
                )
            )
            self._answer(message, StatusCode.ARRIVED, "Đã đến", channel)
            self._answer(
                message, StatusCode.ACCEPTED, f"Đã tiếp nhận, số đến {entry.incoming_number}", channel
            )
        self._event(
            document_id, "registered", channel.value, f"số đến {entry.incoming_number}; {_signers(verified)}"
        )
        return ReceiveOutcome(True, document_id=document_id)

    def _business_refusal(self, message: DocumentMessage) -> tuple[str, str] | None:
        if self.id not in message.recipient_ids:
            return "mis-sent", f"{self.id} is not an addressee of {message.code.text}"
        return self.policy.refuse(message)

    def _refuse_unverified(
        self, data: bytes, document_id: str, sender: str, channel: Channel, error: DocexchangeError
    ) -> None:
        """Status 02 with the verification reason, to the agency the document claims to come from."""
        if sender not in self.registry or sender not in self.pki:
            return  # nobody to answer: logged as an event only
        try:
            claimed = read_document(parse_message(data)[0])
        except DocexchangeError:
            return
        self._answer(claimed, StatusCode.ARRIVED, "Đã đến", channel)
        self._answer(
            claimed,
            StatusCode.REFUSED,
            f"{error.code.value}: {error.message}",
            channel,
            reason=error.code.value,
        )

    def _answer(
        self,
        message: DocumentMessage,
        code: StatusCode,
        text: str,
        channel: Channel,
        *,
        reason: str | None = None,
    ) -> None:
        """Sign a status about ``message`` and queue it to its sender on the channel it came by."""
        now = self.clock.now()
        status = StatusMessage(
            response_for=ResponseFor(
                message.from_.organ_id,
                message.code.text,
                message.promulgation_info.promulgation_date,
                message.document_id,
            ),
            from_=organization_of(self.agency),
            status_code=code,
            description=text,
            timestamp=now,
            staff_info=StaffInfo(department=OFFICE),
        )
        self._queue_status(status, message.from_.organ_id, channel, reason=reason)

    def _queue_status(
        self, status: StatusMessage, to: str, channel: Channel, *, reason: str | None = None
    ) -> None:
        payload = to_bytes(self.signer.sign(build_status(status), status.timestamp))
        document_id = status.response_for.document_id
        with self.store.transaction():
            self.store.log_status(
                document_id,
                to,
                Direction.OUT,
                status.status_code,
                status.timestamp,
                reason_code=reason,
                description=status.description,
            )
            self.store.enqueue(
                document_id, to, channel, payload, at=status.timestamp, kind=PayloadKind.STATUS, priority=1
            )
        self._event(
            document_id, f"status-{status.status_code.wire}", channel.value, f"→ {to}: {status.description}"
        )

    def _receive_status(self, data: bytes, document_id: str, channel: Channel) -> ReceiveOutcome:
        try:
            verified = self.verifier.verify_status(data)
        except DocexchangeError as exc:
            self._event(document_id, "status-refused", channel.value, f"{exc.code.value}: {exc.message}")
            return ReceiveOutcome(True, exc.code.value, exc.message, document_id)
        status = verified.message
        try:
            if status.status_code is StatusCode.RECALL_REQUEST:
                self._recall_requested(status, channel)
            else:
                self._status_from_recipient(status)
        except IllegalTransition as exc:
            self.store.log_status(
                document_id,
                status.from_.organ_id,
                Direction.IN,
                status.status_code,
                status.timestamp,
                reason_code=str(exc.reason),
                description=exc.message,
            )
            self._event(document_id, "status-refused", channel.value, f"{exc.reason}: {exc.message}")
            return ReceiveOutcome(True, str(exc.reason), exc.message, document_id)
        return ReceiveOutcome(True, document_id=document_id)

    def _status_from_recipient(self, status: StatusMessage) -> None:
        document_id = status.response_for.document_id
        entry = self.store.outgoing(document_id)
        if entry is None:
            raise unknown_document(document_id, status.status_code, status.from_.organ_id)
        record = sender_view(entry, self.store.status_log(document_id))
        transition = record.receive_status(status.from_.organ_id, status.status_code, status.timestamp)
        if not transition.changed:
            self._event(
                document_id,
                f"status-{status.status_code.wire}-{transition.effect.value}",
                detail=status.from_.organ_id,
            )
            return
        with self.store.transaction():
            self.store.log_status(
                document_id,
                status.from_.organ_id,
                Direction.IN,
                status.status_code,
                status.timestamp,
                description=status.description,
            )
            self.store.record_status(document_id, status.from_.organ_id, status.status_code, status.timestamp)
        self._event(
            document_id,
            f"status-{status.status_code.wire}-in",
            detail=f"from {status.from_.organ_id}: {status.description}",
        )

    # -- handling, recall -----------------------------------------------------------------------

    def handle(self, document_id: str, code: StatusCode, text: str) -> None:
        """The receiver reports progress (04 assigned, 05 processing, 06 completed)."""
        entry = self.store.incoming(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} has not registered {document_id}")
        view = receiver_view(entry, self.id, self.store.status_log(document_id))
        transition = view.report(code, self.clock.now())
        if not transition.changed:
            return
        self.store.set_incoming_state(document_id, IncomingState(transition.state.value))
        self._answer(self._received_message(document_id), code, text, entry.channel)

    def _received_message(self, document_id: str) -> DocumentMessage:
        data = self.store.incoming_message(document_id)
        if data is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"the copy of {document_id} was destroyed")
        return read_document(parse_message(data)[0])

    def recall(self, document_id: str, reason: str) -> list[str]:
        """Ask every recipient still holding the document to destroy it (13); freeze our copy."""
        entry = self.store.outgoing(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} never sent {document_id}")
        now = self.clock.now()
        transitions = sender_view(entry, self.store.status_log(document_id)).request_recall(now)
        self.store.freeze(document_id, now)
        sent_by = {
            i.recipient: i.channel
            for i in self.store.list_outbox(document_id)
            if i.kind is PayloadKind.DOCUMENT
        }
        asked = [r for r, t in transitions.items() if t.changed]
        for recipient in asked:
            status = StatusMessage(
                response_for=ResponseFor(self.id, entry.code_text, entry.promulgation_date, document_id),
                from_=organization_of(self.agency),
                status_code=StatusCode.RECALL_REQUEST,
                description=reason,
                timestamp=now,
                staff_info=StaffInfo(department=OFFICE),
            )
            channel = sent_by.get(recipient, Channel.AXIS)
            self._queue_status(status, recipient, channel if channel is not Channel.PAPER else Channel.AXIS)
        self._event(document_id, "recalled", detail=f"asked {', '.join(asked)}: {reason}; sender copy frozen")
        return asked

    def _recall_requested(self, status: StatusMessage, channel: Channel) -> None:
        document_id = status.response_for.document_id
        entry = self.store.incoming(document_id)
        if entry is None:
            raise unknown_document(document_id, status.status_code, status.from_.organ_id)
        view = receiver_view(entry, self.id, self.store.status_log(document_id))
        transition = view.receive_recall(status.from_.organ_id, status.timestamp)
        if not transition.changed:
            return
        self.store.log_status(
            document_id,
            status.from_.organ_id,
            Direction.IN,
            status.status_code,
            status.timestamp,
            description=status.description,
        )
        message = self._received_message(document_id)
        agree = self.policy.agree_to_recall(document_id)
        view.answer_recall(agree, self.clock.now())
        if agree:
            self.store.destroy(document_id, self.clock.now())
            self._event(
                document_id, "destroyed", channel.value, "copy destroyed on recall; register row kept"
            )
            self._answer(message, StatusCode.RECALL_AGREED, "Đồng ý thu hồi, đã hủy bản nhận", channel)
        else:
            self._answer(message, StatusCode.RECALL_REFUSED, "Không đồng ý thu hồi", channel)

    # -- the axis inbox -------------------------------------------------------------------------

    async def poll_axis(self) -> int:
        """Fetch everything waiting at the axis, hand it to ``receive``, acknowledge each."""
        if self.axis is None:
            return 0
        handled = 0
        try:
            for package in await self.axis.inbox():
                data, hops = await self.axis.download(package["package_id"])
                self._check_hops(package, data, hops)
                outcome = await self.receive(data, Channel.AXIS)
                state = "done" if outcome.delivered else "fail"
                await self.axis.acknowledge(package["package_id"], state, outcome.reason)
                handled += 1
        except TransportError as exc:  # the axis is down: what was not acknowledged stays there
            self._event("", "axis-unreachable", Channel.AXIS.value, f"{exc.reason}: {exc.message}")
        return handled

    def _check_hops(self, package: dict[str, object], data: bytes, hops: list[dict[str, object]]) -> None:
        """The axis's hop records must be signed by the axis over these very bytes."""
        digest = hashlib.sha256(data).hexdigest()
        good = [h for h in hops if verify_hop(self.axis_certificate, h, digest)]
        verdict = "signed by the axis" if hops and len(good) == len(hops) else "NOT signed by the axis"
        times = ", ".join(str(h.get("at", "?")) for h in hops)
        self._event(str(package.get("document_id", "")), "hop", Channel.AXIS.value, f"{verdict}: {times}")

    async def mail_delivery(self, mail_from: str, recipient: str, edxml: bytes) -> MailOutcome:
        """The records-office mail handler's callback: 250 once stored, 5xx when unreadable."""
        outcome = await self.receive(edxml, Channel.MAIL)
        return MailOutcome(outcome.delivered, outcome.reason, outcome.message)


def _signers(verified: VerifiedDocument) -> str:
    return (
        f"signed by {verified.person.identity.full_name} at {verified.person.signing_time:%H:%M} "
        f"and {verified.agency.identity.agency_name} at {verified.agency.signing_time:%H:%M}"
    )
