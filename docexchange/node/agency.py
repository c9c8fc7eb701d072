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

import dataclasses
import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509

from docexchange.clock import Clock
from docexchange.edxml import (
    Bussiness,
    StatusCode,
    build_document,
    parse_message,
    read_document,
    to_bytes,
)
from docexchange.edxml.compose import NewDocument, compose
from docexchange.edxml.numbering import DocumentNumberer, Series, document_kind
from docexchange.errors import ReasonCode, VerificationError
from docexchange.node.directory import Directory
from docexchange.node.events import EventLog
from docexchange.node.history import is_paper_original
from docexchange.node.hops import verify_hop
from docexchange.node.inbound import InboundMixin
from docexchange.node.mail_peer import mail_sender_domain
from docexchange.node.model import (
    OFFICE,
    Draft,
    FollowUp,
    PreparedStatus,
    ReceiveOutcome,
    ReceiverPolicy,
    SentDocument,
)
from docexchange.node.recall import RecallMixin
from docexchange.pki import (
    ChainCache,
    PathValidator,
    PkiStore,
    RevocationSource,
    StoreRevocationSource,
)
from docexchange.pki.freshness import FreshRevocationSource, RevocationFeed, RevocationStale
from docexchange.registry import Agency, Registry
from docexchange.routing import (
    Capabilities,
    CapabilitySource,
    Channel,
    DocumentTraits,
    FailureKind,
    RoutingDecision,
    RoutingRules,
    traits_of,
)
from docexchange.signing import MessageVerifier, SignaturePolicy
from docexchange.signing.service import AgencySigner
from docexchange.store import (
    Direction,
    NewOutgoing,
    NodeStore,
    OutboxItem,
    OutboxState,
    PayloadKind,
)
from docexchange.transport.errors import TransportError
from docexchange.transport.mail import MailOutcome
from docexchange.transport.ports import AxisPort, MailPort

_RETRY_AFTER_BUG = timedelta(minutes=5)
NO_RECEIPT = "no-receipt"  # the reason a paper follow-up event gives
MAX_AXIS_DELIVERIES = 3  # a package that cannot be processed after this many downloads is failed


@dataclass
class AgencyNode(InboundMixin, RecallMixin):
    agency: Agency
    registry: Registry
    pki: PkiStore
    store: NodeStore
    clock: Clock
    rules: RoutingRules
    capabilities: CapabilitySource
    directory: Directory
    events: EventLog = field(default_factory=EventLog)
    policy: ReceiverPolicy = field(default_factory=ReceiverPolicy)
    signature_policy: SignaturePolicy = field(default_factory=SignaturePolicy)
    axis: AxisPort | None = None
    mail: MailPort | None = None
    chain_cache: ChainCache | None = None
    """Path verdicts, shareable by the nodes of one process (they depend on the certificates only)."""
    revocation_feed: RevocationFeed | None = None
    """A served node's schedule-refreshed revocation status: while it is stale, signing and
    verification fail closed (``revocation-unknown``) and nothing is received. None: the store's
    records are current by construction (a simulation tells every process when they change)."""

    def __post_init__(self) -> None:
        revocation: RevocationSource = StoreRevocationSource(self.pki, self.clock)
        if self.revocation_feed is not None:
            revocation = FreshRevocationSource(revocation, self.revocation_feed)
        validator = PathValidator(self.pki.root, revocation, cache=self.chain_cache)
        self.signer = AgencySigner(self.pki, validator)
        self.verifier = MessageVerifier(validator, policy=self.signature_policy, clock=self.clock)
        self.axis_certificate = self.pki.service().cert  # hop records are checked against it
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"node-{self.id}")
        self.store.recover()

    def close(self) -> None:
        """Stop the worker thread and close the store."""
        self._worker.shutdown(wait=True)
        self.store.close()

    # -- sending --------------------------------------------------------------------------------

    def send(
        self,
        draft: Draft,
        *,
        bussiness: Bussiness | None = None,
        capabilities: Mapping[str, Capabilities] | None = None,
        send_at: datetime | None = None,
    ) -> SentDocument:
        """Compose, number, sign, register and queue a document for every recipient.

        ``bussiness`` makes it a recall, update or replace message about another document.
        ``capabilities`` gives what the sender and recipients can use *for this document* (a
        simulation draws mail use per document); agencies it does not name come from the node's
        table. ``send_at`` is when the records office sends it (default: at once).

        A recipient the routing rules give legal value receives the signed document; one without
        (no certificate on either side) receives it unsigned, for information, with paper.
        """
        if self.revocation_feed is not None:  # fail closed before a number is taken
            self.revocation_feed.check()
        now = self.clock.now()
        secret = draft.secrecy.secret
        series = Series.SECRET if secret else Series.NORMAL
        if draft.number is not None:
            number = self.store.claim_number(now.year, draft.number, series)
        else:
            number = self.store.next_number(now.year, series)
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
                steering_type=draft.steering_type,
            ),
            DocumentNumberer(),
        )
        if secret:
            # A secret document is numbered in its own series (Decree 30), so its số/ký hiệu can
            # equal an ordinary one's; it never becomes edXML, so its register key says "MẬT".
            message = dataclasses.replace(message, document_id=f"{message.document_id},MẬT")
        traits = traits_of(message, draft.secrecy)

        def caps(agency_id: str) -> Capabilities:
            given = (capabilities or {}).get(agency_id)
            return given if given is not None else self.capabilities.of(agency_id)

        decisions = tuple(self.rules.decide(traits, r, caps(self.id), caps(r)) for r in draft.recipients)
        unsigned = None if secret else to_bytes(build_document(message))
        signed = None
        if not secret and any(d.legal_value and d.electronic for d in decisions):
            try:
                signed = to_bytes(self.signer.sign(build_document(message), now))
            except RevocationStale:
                raise  # not a verdict on the certificate (checked above, went stale since): retry
            except VerificationError as exc:
                # Signing checks the certificates first (DOMAIN.md §6): a revoked or expired one
                # means the agency cannot sign today, so the document goes as without a
                # certificate — unsigned for information, with the paper original.
                self._event(message.document_id, "signing-refused", detail=f"{exc.code.value}: {exc.message}")
                unable = dataclasses.replace(caps(self.id), certificate=False)
                decisions = tuple(self.rules.decide(traits, r, unable, caps(r)) for r in draft.recipients)
        payload = signed or unsigned

        def payload_for(decision: RoutingDecision) -> bytes:
            return (signed if decision.legal_value and signed is not None else unsigned) or b""

        with self.store.transaction():
            self.store.register_outgoing(
                NewOutgoing(
                    document_id=message.document_id,
                    number=number,
                    code_text=message.code.text,
                    promulgation_date=message.promulgation_date,
                    type_and_subject=f"{message.document_type.type_name}: {message.subject}",
                    signer=f"{message.signer_info.position} {message.signer_info.full_name}",
                    recipients=draft.recipients,
                    registered_at=now,
                    series=Series.SECRET if secret else Series.NORMAL,
                    file_holder=draft.drafting_unit,
                    signed_message=payload,
                )
            )
            due = send_at or now
            for decision in decisions:
                self.store.enqueue(
                    message.document_id,
                    decision.recipient,
                    decision.channel,
                    payload_for(decision),
                    at=due,
                    priority=decision.queue_priority,
                )
                if decision.paper_copy:  # Government/PM, listed types, or unsigned: paper goes too
                    self.store.enqueue(message.document_id, decision.recipient, Channel.PAPER, b"", at=due)
        what = "signed" if signed is not None else ("unsigned" if unsigned is not None else "registered")
        self._event(message.document_id, what, detail=message.code.text)
        for decision in decisions:
            copy = " + paper copy" if decision.paper_copy else ""
            self._event(
                message.document_id,
                "routed",
                decision.channel.value,
                f"→ {decision.recipient}{copy}: {decision.reason.value}",
                decision.recipient,
            )
        return SentDocument(message.document_id, message.code.text, decisions)

    async def pump(self, limit: int = 100) -> int:
        """Send what is due (urgent first); retry or fall back on failure. Returns items handled."""
        if self.revocation_feed is not None and self.revocation_feed.stale:
            return 0  # failing closed: the outbox keeps everything until the status is fresh again
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
        self._event(
            item.document_id,
            f"{item.kind.value}-sent",
            item.channel.value,
            f"→ {item.recipient}",
            item.recipient,
        )

    def _failed(self, item: OutboxItem, error: TransportError) -> None:
        now = self.clock.now()
        text = f"{error.reason}: {error.message}"
        decision = self._decision_for(item)
        action = self.rules.after_failure(decision, item.channel, item.attempts if error.retryable else 10**6)
        if action.kind is FailureKind.RETRY:
            self.store.mark_failed(item.id, text, now + action.delay)
            self._event(
                item.document_id,
                "retry",
                item.channel.value,
                f"→ {item.recipient} in {action.delay}: {text}",
                item.recipient,
            )
            return
        self.store.mark_failed(item.id, text, None)
        self.store.reroute(item.id, action.channel, now)
        what = "paper" if action.kind is FailureKind.PAPER else "fallback"
        self._event(
            item.document_id,
            what,
            action.channel.value,
            f"→ {item.recipient}: {action.reason.value}; {text}",
            item.recipient,
        )

    def follow_up(self, document_id: str, recipient: str, *, settled: bool = False) -> FollowUp:
        """No word from ``recipient`` about a document sent to it: send the paper original.

        Called by whoever keeps the records office's diary (the simulation: one working day after
        each electronic send). A receiver confirms receipt (01) the day a document arrives; a sender
        that has heard nothing at all — no 01, no 02, nothing later — cannot assume the document
        arrived (the recipient may be unable to collect it from the axis, or its answers may have
        been lost). The electronic copy stays sent: if it is registered after all, it keeps its
        legal value and the paper is a follow-up.

        An 01 alone is word enough at the first look (ARRIVED_ONLY: look again later). At the later
        look, ``settled``, it is not: a document that arrived but was neither accepted nor refused
        (the answer lost on the way — a refusal among them) goes on paper too, or the sender would
        wait for ever.
        """
        applied = [  # statuses it applied: one it refused (other bytes, illegal) says nothing
            entry.status_code
            for entry in self.store.status_log(document_id)
            if entry.counterpart == recipient
            and entry.direction is Direction.IN
            and entry.reason_code is None
        ]
        outgoing = self.store.outgoing(document_id)
        if outgoing is None or outgoing.frozen:
            return FollowUp.NOTHING  # recalled: nothing to follow up
        if any(code is not StatusCode.ARRIVED for code in applied):
            return FollowUp.ANSWERED
        if applied and not settled:
            return FollowUp.ARRIVED_ONLY
        items = [
            item
            for item in self.store.list_outbox(document_id)
            if item.recipient == recipient and item.kind is PayloadKind.DOCUMENT
        ]
        if any(is_paper_original(item, items) for item in items):
            return (
                FollowUp.NOTHING
            )  # the paper original went already (a fallback, an earlier follow-up, unsigned)
        sent = [item for item in items if item.state is OutboxState.SENT and item.channel.electronic]
        if not sent:
            return FollowUp.NOTHING  # still being sent: retries and fallbacks take care of it
        last = sent[-1]
        self.store.follow_up_on_paper(last.id, self.clock.now())
        since = f"{last.channel.value} at {last.sent_at.isoformat() if last.sent_at else '?'}"
        heard = (
            f"no acceptance or refusal from {recipient} since it arrived (sent by {since})"
            if applied
            else f"no status from {recipient} since it was sent by {since}"
        )
        self._event(
            document_id,
            "paper",
            Channel.PAPER.value,
            f"→ {recipient}: {NO_RECEIPT}; {heard}",
            recipient,
            caused_at=last.sent_at,
        )
        return FollowUp.PAPER

    def _decision_for(self, item: OutboxItem) -> RoutingDecision:
        """Re-derive the routing decision (pure): from the signed payload of a document; a status
        routes like an ordinary document between the same two agencies."""
        if item.kind is PayloadKind.DOCUMENT:
            root = parse_message(item.payload, self.verifier.limits)[0]
            traits = traits_of(read_document(root, attachments=False))
        else:
            traits = DocumentTraits(item.document_id, self.id, "CV")
        return self.rules.decide(
            traits, item.recipient, self.capabilities.of(self.id), self.capabilities.of(item.recipient)
        )

    # -- receiving ------------------------------------------------------------------------------

    # -- handling, recall -----------------------------------------------------------------------

    # -- the axis inbox -------------------------------------------------------------------------

    async def poll_axis(self) -> int:
        """Fetch everything waiting at the axis, hand it to ``receive``, acknowledge each."""
        if self.axis is None:
            return 0
        if self.revocation_feed is not None and self.revocation_feed.stale:
            return 0  # failing closed: what waits at the axis stays there until the status is fresh
        handled = 0
        try:
            for package in await self.axis.inbox():
                data, hops = await self.axis.download(package["package_id"])
                self._check_hops(package, data, hops)
                outcome = await self.receive(data, Channel.AXIS)
                if outcome.retry_later and outcome.reason == ReasonCode.REVOCATION_UNKNOWN.value:
                    break  # went stale meanwhile: no verdict, and no delivery counted against it
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

    def mail_sender(self, cert: x509.Certificate) -> str:
        """The mail domain a client presenting ``cert`` may send from (:func:`mail_sender_domain`)."""
        return mail_sender_domain(self.registry, cert)

    async def mail_delivery(self, mail_from: str, recipient: str, edxml: bytes) -> MailOutcome:
        """The records-office mail handler's callback: 250 once stored, 5xx when unreadable."""
        outcome = await self.receive(edxml, Channel.MAIL)
        return MailOutcome(outcome.delivered, outcome.reason, outcome.message, temporary=outcome.retry_later)


__all__ = [
    "OFFICE",
    "AgencyNode",
    "Draft",
    "FollowUp",
    "PreparedStatus",
    "ReceiveOutcome",
    "ReceiverPolicy",
    "SentDocument",
]
