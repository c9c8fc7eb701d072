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

import asyncio
import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from docexchange.clock import Clock
from docexchange.edxml import (
    Attachment,
    Bussiness,
    BussinessDocType,
    DocumentMessage,
    Priority,
    Receiver,
    ReplacementInfo,
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
from docexchange.edxml.envelope import EnvelopeSummary, summarize
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
    DocumentTraits,
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
    OutboxState,
    PayloadKind,
    StoreBusyError,
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
    retry_later: bool = False  # a passing condition (store busy): nothing taken, deliver again


@dataclass(frozen=True)
class PreparedStatus:
    """A signed status message not yet logged or queued (so both can share a transaction)."""

    status: StatusMessage
    to: str
    channel: Channel
    payload: bytes


class _ForeignBytes(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


_DIGEST = re.compile(r"\[sha256=([0-9a-f]{64})\]")
_MAY_HAVE_ARRIVED = (OutboxState.SENT, OutboxState.IN_FLIGHT)
_RETRY_AFTER_BUG = timedelta(minutes=5)
MAX_AXIS_DELIVERIES = 3  # a package that cannot be processed after this many downloads is failed


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
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"node-{self.id}")
        self.store.recover()

    def close(self) -> None:
        """Stop the worker thread and close the store."""
        self._worker.shutdown(wait=True)
        self.store.close()

    @property
    def id(self) -> str:
        return self.agency.id

    def _event(self, document_id: str, what: str, channel: str = "", detail: str = "") -> None:
        self.events.add(NodeEvent(self.clock.now(), self.id, document_id, what, channel, detail))

    # -- sending --------------------------------------------------------------------------------

    def send(self, draft: Draft, *, bussiness: Bussiness | None = None) -> SentDocument:
        """Compose, number, sign, register and queue a document for every recipient.

        ``bussiness`` makes it a recall, update or replace message about another document.
        """
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
                bussiness=bussiness or Bussiness(),
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
            try:
                await self._deliver(item)
            except Exception as exc:
                self.store.mark_failed(
                    item.id, f"internal: {type(exc).__name__}: {exc}", self.clock.now() + _RETRY_AFTER_BUG
                )
                self._event(
                    item.document_id, "internal-error", item.channel.value, f"{type(exc).__name__}: {exc}"
                )
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
        """Re-derive the routing decision (pure): from the signed payload of a document; a status
        routes like an ordinary document between the same two agencies."""
        if item.kind is PayloadKind.DOCUMENT:
            traits = traits_of(read_document(parse_message(item.payload, self.verifier.limits)[0]))
        else:
            traits = DocumentTraits(item.document_id, self.id, "CV")
        return self.rules.decide(
            traits, item.recipient, self.capabilities.of(self.id), self.capabilities.of(item.recipient)
        )

    # -- receiving ------------------------------------------------------------------------------

    async def receive(self, data: bytes, channel: Channel) -> ReceiveOutcome:
        """Bytes that arrived by ``channel``: a document or a status message.

        Runs on the node's worker thread so a large verification or a busy database never stalls
        the event loop; never raises — anything unexpected becomes an ``unprocessable`` refusal.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._receive_safely, data, channel)

    def _receive_safely(self, data: bytes, channel: Channel) -> ReceiveOutcome:
        try:
            return self._receive(data, channel)
        except StoreBusyError as exc:  # try again later: nothing was taken
            return ReceiveOutcome(False, exc.code.value, exc.message, retry_later=True)
        except Exception as exc:
            # Nothing may take the node down. Not the input's fault as far as we know (that would
            # have been a refusal) and nothing was committed: leave the message to be delivered
            # again, as after a crash.
            text = f"{type(exc).__name__}: {exc}"
            self._event("", "unprocessable", channel.value, text)
            return ReceiveOutcome(False, ReasonCode.UNPROCESSABLE.value, text, retry_later=True)

    def _receive(self, data: bytes, channel: Channel) -> ReceiveOutcome:
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
        return self._receive_document(data, summary, channel)

    def _receive_document(self, data: bytes, summary: EnvelopeSummary, channel: Channel) -> ReceiveOutcome:
        digest = hashlib.sha256(data).hexdigest()
        try:
            verified = self.verifier.verify_document(data)
        except DocexchangeError as exc:
            self._event(summary.document_id, "refused", channel.value, f"{exc.code.value}: {exc.message}")
            self._refuse_unverified(data, summary, channel, exc, digest)
            return ReceiveOutcome(True, exc.code.value, exc.message, summary.document_id)
        message = verified.message  # from here on, only signed values
        document_id = message.document_id
        if self.store.incoming(document_id) is not None:
            self._event(
                document_id, "duplicate", channel.value, f"from {message.from_.organ_id}: already registered"
            )
            return ReceiveOutcome(True, document_id=document_id, duplicate=True)
        if self._recalled_before_arrival(document_id, message.from_.organ_id):
            self._event(document_id, "ignored", channel.value, "recalled by its sender before it arrived")
            return ReceiveOutcome(True, "recalled", "recalled before arrival", document_id)
        self._event(document_id, "received", channel.value, f"from {message.from_.organ_id}")
        refusal = self._business_refusal(message)
        if refusal is not None:
            code, text = refusal
            arrived = self._prepare_answer(message, StatusCode.ARRIVED, "Đã đến", channel, digest=digest)
            refused = self._prepare_answer(
                message, StatusCode.REFUSED, f"{code}: {text}", channel, digest=digest
            )
            with self.store.transaction():
                self._commit_status(arrived)
                self._commit_status(refused, reason=code)
            self._event(document_id, "refused", channel.value, f"{code}: {text}")
            return ReceiveOutcome(True, code, text, document_id)
        now = self.clock.now()
        arrived = self._prepare_answer(message, StatusCode.ARRIVED, "Đã đến", channel, digest=digest)
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
            accepted = self._prepare_answer(
                message,
                StatusCode.ACCEPTED,
                f"Đã tiếp nhận, số đến {entry.incoming_number}",
                channel,
                digest=digest,
            )
            self._commit_status(arrived)
            self._commit_status(accepted)
        self._event(
            document_id, "registered", channel.value, f"số đến {entry.incoming_number}; {_signers(verified)}"
        )
        self._apply_bussiness(message, verified.agency.signing_time, channel)
        return ReceiveOutcome(True, document_id=document_id)

    def _business_refusal(self, message: DocumentMessage) -> tuple[str, str] | None:
        if self.id not in message.recipient_ids:
            return "mis-sent", f"{self.id} is not an addressee of {message.code.text}"
        return self.policy.refuse(message)

    def _recalled_before_arrival(self, document_id: str, sender: str) -> bool:
        return any(
            e.direction is Direction.IN
            and e.status_code is StatusCode.RECALL_REQUEST
            and e.counterpart == sender
            for e in self.store.status_log(document_id)
        )

    def _refuse_unverified(
        self, data: bytes, summary: EnvelopeSummary, channel: Channel, error: DocexchangeError, digest: str
    ) -> None:
        """01 and 02 with the verification reason, to the agency the document claims to come from.

        The claim is unverified, so both statuses name the SHA-256 of the refused bytes: the sender
        ignores a refusal of bytes it never sent (a forgery cannot make it believe its own genuine
        document was refused).
        """
        if summary.sender not in self.registry or summary.sender not in self.pki:
            return  # nobody to answer: logged as an event only
        try:
            claimed = read_document(parse_message(data, self.verifier.limits)[0])
            arrived = self._prepare_answer(claimed, StatusCode.ARRIVED, "Đã đến", channel, digest=digest)
            refused = self._prepare_answer(
                claimed, StatusCode.REFUSED, f"{error.code.value}: {error.message}", channel, digest=digest
            )
        except DocexchangeError as exc:  # the claimed fields cannot even form a valid status
            self._event(summary.document_id, "unanswerable", channel.value, str(exc))
            return
        with self.store.transaction():
            self._commit_status(arrived)
            self._commit_status(refused, reason=error.code.value)

    def _prepare_answer(
        self, message: DocumentMessage, code: StatusCode, text: str, channel: Channel, *, digest: str = ""
    ) -> PreparedStatus:
        """Sign a status about ``message`` for its sender (not yet logged or queued)."""
        status = StatusMessage(
            response_for=ResponseFor(
                message.from_.organ_id,
                message.code.text,
                message.promulgation_info.promulgation_date,
                message.document_id,
            ),
            from_=organization_of(self.agency),
            status_code=code,
            description=f"{text} [sha256={digest}]" if digest else text,
            timestamp=self.clock.now(),
            staff_info=StaffInfo(department=OFFICE),
        )
        return self._prepare(status, message.from_.organ_id, channel)

    def _prepare(self, status: StatusMessage, to: str, channel: Channel) -> PreparedStatus:
        payload = to_bytes(self.signer.sign(build_status(status), status.timestamp))
        return PreparedStatus(status, to, channel, payload)

    def _commit_status(self, prepared: PreparedStatus, *, reason: str | None = None) -> None:
        """Log the status and queue it, in the caller's transaction (or its own)."""
        status = prepared.status
        document_id = status.response_for.document_id
        with self.store.transaction():
            self.store.log_status(
                document_id,
                prepared.to,
                Direction.OUT,
                status.status_code,
                status.timestamp,
                reason_code=reason,
                description=status.description,
            )
            self.store.enqueue(
                document_id,
                prepared.to,
                prepared.channel,
                prepared.payload,
                at=status.timestamp,
                kind=PayloadKind.STATUS,
                priority=1,
            )
        self._event(
            document_id,
            f"status-{status.status_code.wire}",
            prepared.channel.value,
            f"→ {prepared.to}: {status.description}",
        )

    def _receive_status(self, data: bytes, document_id: str, channel: Channel) -> ReceiveOutcome:
        try:
            verified = self.verifier.verify_status(data)
        except DocexchangeError as exc:
            self._event(document_id, "status-refused", channel.value, f"{exc.code.value}: {exc.message}")
            return ReceiveOutcome(True, exc.code.value, exc.message, document_id)
        status = verified.message
        document_id = status.response_for.document_id
        try:
            if status.status_code is StatusCode.RECALL_REQUEST:
                self._recall_requested(status, channel)
            else:
                self._status_from_recipient(status)
        except (IllegalTransition, _ForeignBytes) as exc:
            reason = str(exc.reason)
            self.store.log_status(
                document_id,
                status.from_.organ_id,
                Direction.IN,
                status.status_code,
                status.timestamp,
                reason_code=reason,
                description=exc.message,
            )
            self._event(document_id, "status-refused", channel.value, f"{reason}: {exc.message}")
            return ReceiveOutcome(True, reason, exc.message, document_id)
        return ReceiveOutcome(True, document_id=document_id)

    def _status_from_recipient(self, status: StatusMessage) -> None:
        document_id = status.response_for.document_id
        entry = self.store.outgoing(document_id)
        if entry is None:
            raise unknown_document(document_id, status.status_code, status.from_.organ_id)
        self._check_bytes(status, document_id)
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

    def _check_bytes(self, status: StatusMessage, document_id: str) -> None:
        """A status naming the SHA-256 of what it answers must name the bytes we sent."""
        match = _DIGEST.search(status.description)
        if match is None:
            return
        sent = self.store.outgoing_message(document_id)
        if sent is None or hashlib.sha256(sent).hexdigest() != match.group(1):
            raise _ForeignBytes(
                "status-for-other-bytes",
                f"{status.from_.organ_id} answers bytes this node never sent as {document_id}",
            )

    # -- handling, recall -----------------------------------------------------------------------

    def handle(self, document_id: str, code: StatusCode, text: str) -> None:
        """The receiver reports progress (04 assigned, 05 processing, 06 completed)."""
        entry = self.store.incoming(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} has not registered {document_id}")
        view = receiver_view(entry, self.id, self.store.status_log(document_id))
        try:
            transition = view.report(code, self.clock.now())
        except IllegalTransition as exc:
            raise DocexchangeError(ReasonCode(str(exc.reason)), exc.message) from None
        if not transition.changed:
            return
        prepared = self._prepare_answer(self._received_message(document_id), code, text, entry.channel)
        with self.store.transaction():
            self.store.set_incoming_state(document_id, IncomingState(transition.state.value))
            self._commit_status(prepared)

    def _received_message(self, document_id: str) -> DocumentMessage:
        data = self.store.incoming_message(document_id)
        if data is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"the copy of {document_id} was destroyed")
        return read_document(parse_message(data, self.verifier.limits)[0])

    def recall(self, document_id: str, reason: str) -> list[str]:
        """Recall a document (BussinessDocType 1 message and status 13); our copy is frozen."""
        asked = self._request_recall(document_id, reason, freeze=True)
        if asked:
            self._notice(BussinessDocType.RECALL, document_id, asked, reason)
        return asked

    def withdraw(self, document_id: str, recipients: tuple[str, ...], reason: str) -> list[str]:
        """Update a document's receivers (BussinessDocType 2): these are removed and asked to
        destroy their copy (13); the document stays valid, and unfrozen, for the others."""
        asked = self._request_recall(document_id, reason, freeze=False, recipients=recipients)
        if asked:
            removed = tuple(Receiver(0, r) for r in asked)
            self._notice(BussinessDocType.UPDATE, document_id, asked, reason, receivers=removed)
        return asked

    def replace(self, document_id: str, draft: Draft, reason: str) -> SentDocument:
        """Send ``draft`` as the replacement (BussinessDocType 3) of ``document_id``; recipients of
        both are asked to destroy the old copy (13), and our old copy is frozen."""
        if self.store.outgoing(document_id) is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} never sent {document_id}")
        bussiness = Bussiness(
            BussinessDocType.REPLACE,
            reason,
            document_id,
            StaffInfo(department=OFFICE),
            replacements=(ReplacementInfo(document_id, draft.recipients),),
        )
        sent = self.send(draft, bussiness=bussiness)
        self._request_recall(
            document_id,
            f"thay thế bằng văn bản số {sent.code}: {reason}",
            freeze=True,
            recipients=draft.recipients,
        )
        return sent

    def _notice(
        self,
        kind: BussinessDocType,
        target: str,
        recipients: list[str],
        reason: str,
        receivers: tuple[Receiver, ...] = (),
    ) -> SentDocument:
        """The official message of a recall or update: its own number, the target in Bussiness."""
        entry = self.store.outgoing(target)
        assert entry is not None
        label = {BussinessDocType.RECALL: "thu hồi", BussinessDocType.UPDATE: "điều chỉnh nơi nhận"}[kind]
        draft = Draft(tuple(recipients), "CV", f"Về việc {label} văn bản số {entry.code_text}", reason)
        return self.send(
            draft, bussiness=Bussiness(kind, reason, target, StaffInfo(department=OFFICE), receivers)
        )

    def _request_recall(
        self, document_id: str, reason: str, *, freeze: bool, recipients: tuple[str, ...] | None = None
    ) -> list[str]:
        """Ask recipients to destroy their copy (13); cancel what has not left the outbox.

        A recipient whose copy never left has nothing to destroy: its pending items are cancelled
        and it is not asked. Items that were attempted may have arrived, so those recipients are
        asked even though the retry is cancelled.
        """
        entry = self.store.outgoing(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} never sent {document_id}")
        targets = [r for r in entry.recipients if recipients is None or r in recipients]
        now = self.clock.now()
        documents = [i for i in self.store.list_outbox(document_id) if i.kind is PayloadKind.DOCUMENT]
        reached, channels = [], {}
        for recipient in targets:
            items = [i for i in documents if i.recipient == recipient and i.channel is not Channel.PAPER]
            for item in items:
                if item.state is OutboxState.PENDING:
                    self.store.mark_failed(item.id, "recalled before delivery", None)
            if any(i.state in _MAY_HAVE_ARRIVED or i.attempts > 0 for i in items):
                reached.append(recipient)
                channels[recipient] = items[-1].channel
            elif items:
                self._event(
                    document_id, "cancelled", detail=f"→ {recipient}: recalled before it left the outbox"
                )
        try:
            transitions = sender_view(entry, self.store.status_log(document_id)).request_recall(now, reached)
        except IllegalTransition as exc:
            raise DocexchangeError(ReasonCode(str(exc.reason)), exc.message) from None
        asked = [r for r, t in transitions.items() if t.changed]
        prepared = [
            self._prepare(
                StatusMessage(
                    response_for=ResponseFor(self.id, entry.code_text, entry.promulgation_date, document_id),
                    from_=organization_of(self.agency),
                    status_code=StatusCode.RECALL_REQUEST,
                    description=reason,
                    timestamp=now,
                    staff_info=StaffInfo(department=OFFICE),
                ),
                recipient,
                channels[recipient],
            )
            for recipient in asked
        ]
        with self.store.transaction():
            if freeze:
                self.store.freeze(document_id, now)
            for status in prepared:
                self._commit_status(status)
        asked_text = ", ".join(asked) or "nobody"
        frozen = "; sender copy frozen" if freeze else ""
        self._event(document_id, "recalled", detail=f"asked {asked_text}: {reason}{frozen}")
        return asked

    def _recall_requested(self, status: StatusMessage, channel: Channel) -> None:
        self._recall_flow(
            status.response_for,
            status.from_.organ_id,
            status.status_code,
            status.timestamp,
            status.description,
            channel,
        )

    def _apply_bussiness(self, message: DocumentMessage, at: datetime, channel: Channel) -> None:
        """A registered recall / update / replace message asks us about its target document(s)."""
        bussiness = message.bussiness
        if bussiness.bussiness_doc_type is BussinessDocType.RECALL:
            targets = [bussiness.document_id]
        elif bussiness.bussiness_doc_type is BussinessDocType.REPLACE:
            targets = [
                r.document_id for r in bussiness.replacements if not r.organ_ids or self.id in r.organ_ids
            ]
        elif bussiness.bussiness_doc_type is BussinessDocType.UPDATE:
            removed = any(r.receiver_type == 0 and r.organ_id == self.id for r in bussiness.receivers)
            targets = [bussiness.document_id] if removed else []
        else:
            return
        sender = message.from_.organ_id
        for target in targets:
            if target.split(",", 1)[0] != sender:
                self._event(
                    target,
                    "ignored",
                    channel.value,
                    f"{message.code.text} names a document {sender} did not issue",
                )
                continue
            try:
                entry = self.store.incoming(target)
                response_for = ResponseFor(
                    sender,
                    entry.code_text if entry else target.rsplit(",", 1)[-1],
                    entry.promulgation_date if entry else at.date(),
                    target,
                )
                self._recall_flow(
                    response_for,
                    sender,
                    StatusCode.RECALL_REQUEST,
                    at,
                    bussiness.bussiness_doc_reason,
                    channel,
                )
            except IllegalTransition as exc:
                self._event(target, "status-refused", channel.value, f"{exc.reason}: {exc.message}")

    def _recall_flow(
        self,
        response_for: ResponseFor,
        sender: str,
        code: StatusCode,
        at: datetime,
        description: str,
        channel: Channel,
    ) -> None:
        """The sender asks us to destroy our copy (a 13, or a recall/update/replace message)."""
        document_id = response_for.document_id
        entry = self.store.incoming(document_id)
        now = self.clock.now()
        if entry is None:
            if sender != response_for.organ_id:
                raise unknown_document(document_id, code, sender)
            # The recall overtook its document: nothing to destroy; remember it so a late copy is ignored.
            if self._recalled_before_arrival(document_id, sender):
                return
            answer = StatusMessage(
                response_for=response_for,
                from_=organization_of(self.agency),
                status_code=StatusCode.RECALL_AGREED,
                description="Chưa nhận được văn bản; đồng ý thu hồi",
                timestamp=now,
                staff_info=StaffInfo(department=OFFICE),
            )
            prepared = self._prepare(answer, sender, channel)
            with self.store.transaction():
                self.store.log_status(document_id, sender, Direction.IN, code, at, description=description)
                self._commit_status(prepared)
            return
        view = receiver_view(entry, self.id, self.store.status_log(document_id))
        transition = view.receive_recall(sender, at)
        if not transition.changed:
            return
        message = self._received_message(document_id)
        agree = self.policy.agree_to_recall(document_id)
        view.answer_recall(agree, now)
        answer_code = StatusCode.RECALL_AGREED if agree else StatusCode.RECALL_REFUSED
        text = "Đồng ý thu hồi, đã hủy bản nhận" if agree else "Không đồng ý thu hồi"
        prepared = self._prepare_answer(message, answer_code, text, channel)
        with self.store.transaction():  # the request, the destruction and the answer land together
            self.store.log_status(document_id, sender, Direction.IN, code, at, description=description)
            if agree:
                self.store.set_incoming_state(document_id, IncomingState.RECALLED)
                self.store.destroy(document_id, now)
            self._commit_status(prepared)
        if agree:
            self.store.destroy(document_id, now)  # idempotent; outside the transaction it also checkpoints
            self._event(
                document_id, "destroyed", channel.value, "copy destroyed on recall; register row kept"
            )

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
                if outcome.retry_later and int(package.get("deliveries", 0)) < MAX_AXIS_DELIVERIES:
                    continue  # unacknowledged: the axis delivers it again; the next ones go on
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
        return MailOutcome(outcome.delivered, outcome.reason, outcome.message, temporary=outcome.retry_later)


def _signers(verified: VerifiedDocument) -> str:
    return (
        f"signed by {verified.person.identity.full_name} at {verified.person.signing_time:%H:%M} "
        f"and {verified.agency.identity.agency_name} at {verified.agency.signing_time:%H:%M}"
    )
