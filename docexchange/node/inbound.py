"""Receiving: hardened parse, verification, duplicate and business checks, registration; and
judging incoming status messages against the protocol's table."""

from __future__ import annotations

import asyncio
import hashlib

from lxml import etree

from docexchange.edxml import DocumentMessage, StatusCode, StatusMessage, parse_message, read_document
from docexchange.edxml.envelope import EnvelopeSummary, summarize
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.history import named_digest, sender_view
from docexchange.node.model import OFFICE, ReceiveOutcome
from docexchange.node.statuses import StatusesMixin, response_to
from docexchange.pki.freshness import RevocationStale
from docexchange.protocol import IllegalTransition, unknown_document
from docexchange.routing import Channel
from docexchange.signing import VerifiedDocument
from docexchange.signing.layout import all_signatures
from docexchange.store import Direction, IncomingState, NewIncoming, OutboxState, PayloadKind, StoreBusyError

_VERIFICATION_REASONS = frozenset(code.value for code in ReasonCode)


Element = etree._Element


class _ForeignBytes(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class InboundMixin(StatusesMixin):
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
        except RevocationStale as exc:  # fail closed, but this node's fault: deliver again later
            self._event("", "revocation-unknown", channel.value, exc.message)
            return ReceiveOutcome(False, exc.code.value, exc.message, retry_later=True)
        except Exception as exc:
            # Nothing may take the node down. Not the input's fault as far as we know (that would
            # have been a refusal) and nothing was committed: leave the message to be delivered
            # again, as after a crash.
            text = f"{type(exc).__name__}: {exc}"
            self._event("", "unprocessable", channel.value, text)
            return ReceiveOutcome(False, ReasonCode.UNPROCESSABLE.value, text, retry_later=True)

    def _receive(self, data: bytes, channel: Channel) -> ReceiveOutcome:
        if self.revocation_feed is not None:  # nothing is taken while revocation status is stale
            self.revocation_feed.check()
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
            return self._receive_status(data, (root, kind), summary.document_id, channel)
        if not all_signatures(root):
            return self._information_copy(summary, channel)
        return self._receive_document(data, (root, kind), summary, channel)

    def _information_copy(self, summary: EnvelopeSummary, channel: Channel) -> ReceiveOutcome:
        """An unsigned document is for information only (Decision 28/2018): it does not replace the
        paper original, which is what gets registered; nothing is answered for it."""
        self._event(
            summary.document_id, "information-copy", channel.value, f"unsigned, from {summary.sender}"
        )
        return ReceiveOutcome(True, "information-only", "unsigned: kept for information", summary.document_id)

    def _receive_document(
        self, data: bytes, parsed: tuple[Element, MessageKind], summary: EnvelopeSummary, channel: Channel
    ) -> ReceiveOutcome:
        digest = hashlib.sha256(data).hexdigest()
        try:
            verified = self.verifier.verify_document(data, parsed=parsed)
        except RevocationStale:
            raise  # went stale while verifying: not the document's fault
        except DocexchangeError as exc:
            self._event(summary.document_id, "refused", channel.value, f"{exc.code.value}: {exc.message}")
            self._refuse_unverified(parsed, summary, channel, exc, digest)
            return ReceiveOutcome(True, exc.code.value, exc.message, summary.document_id)
        message = verified.message  # from here on, only signed values
        document_id = message.document_id
        about = response_to(message)
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
            arrived = self._prepare_answer(about, StatusCode.ARRIVED, "Đã đến", channel, digest=digest)
            refused = self._prepare_answer(
                about, StatusCode.REFUSED, f"{code}: {text}", channel, digest=digest
            )
            with self.store.transaction():
                self._commit_status(arrived)
                self._commit_status(refused, reason=code)
            self._event(document_id, "refused", channel.value, f"{code}: {text}")
            return ReceiveOutcome(True, code, text, document_id)
        now = self.clock.now()
        arrived = self._prepare_answer(about, StatusCode.ARRIVED, "Đã đến", channel, digest=digest)
        with self.store.transaction():
            entry, _ = self.store.register_incoming(
                NewIncoming(
                    document_id=document_id,
                    date_received=now,
                    issuing_agency=message.from_.organ_id,
                    code_text=message.code.text,
                    promulgation_date=message.promulgation_date,
                    type_and_subject=f"{message.document_type.type_name}: {message.subject}",
                    channel=channel,
                    state=IncomingState.ACCEPTED if self.policy.accept_at_once else IncomingState.ARRIVED,
                    receiving_unit=OFFICE,
                    signed_message=data,
                )
            )
            self._commit_status(arrived)
            if self.policy.accept_at_once:
                accepted = self._prepare_answer(
                    about,
                    StatusCode.ACCEPTED,
                    f"Đã tiếp nhận, số đến {entry.incoming_number}",
                    channel,
                    digest=digest,
                )
                self._commit_status(accepted)
        if self.policy.accept_at_once:
            self._event(
                document_id,
                "registered",
                channel.value,
                f"số đến {entry.incoming_number}; {_signers(verified)}",
            )
        else:
            self._event(
                document_id,
                "arrived",
                channel.value,
                f"số đến {entry.incoming_number}, awaiting acceptance; {_signers(verified)}",
                message.from_.organ_id,
            )
        self._apply_bussiness(message, verified.agency.signing_time, channel)
        return ReceiveOutcome(True, document_id=document_id)

    def _business_refusal(self, message: DocumentMessage) -> tuple[str, str] | None:
        if self.id not in message.recipient_ids:
            return "mis-sent", f"{self.id} is not an addressee of {message.code.text}"
        return self.policy.refuse(message)

    def _refuse_unverified(
        self,
        parsed: tuple[Element, MessageKind],
        summary: EnvelopeSummary,
        channel: Channel,
        error: DocexchangeError,
        digest: str,
    ) -> None:
        """01 and 02 with the verification reason, to the agency the document claims to come from.

        The claim is unverified, so both statuses name the SHA-256 of the refused bytes: the sender
        ignores a refusal of bytes it never sent (a forgery cannot make it believe its own genuine
        document was refused).
        """
        if summary.sender not in self.registry or summary.sender not in self.pki:
            return  # nobody to answer: logged as an event only
        try:
            claimed = response_to(read_document(parsed[0], self.verifier.limits, attachments=False))
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

    def _receive_status(
        self, data: bytes, parsed: tuple[Element, MessageKind], document_id: str, channel: Channel
    ) -> ReceiveOutcome:
        try:
            verified = self.verifier.verify_status(data, parsed=parsed)
        except RevocationStale:
            raise
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
            if isinstance(exc, _ForeignBytes) and status.status_code is StatusCode.REFUSED:
                self._resend_genuine(document_id, status.from_.organ_id)
            return ReceiveOutcome(True, reason, exc.message, document_id)
        return ReceiveOutcome(True, document_id=document_id)

    def _resend_genuine(self, document_id: str, recipient: str) -> None:
        """The recipient refused bytes this node never sent under its DocumentId: altered on the
        way, or a forgery. Its refusal does not bind the genuine document (the recipient judges
        only what it verified), so the genuine bytes go once more on the same channel — once: a
        forger can make us repeat ourselves, not make us believe we were refused."""
        items = [
            i
            for i in self.store.list_outbox(document_id)
            if i.recipient == recipient and i.kind is PayloadKind.DOCUMENT and i.channel.electronic
        ]
        if len(items) != 1 or items[0].state is not OutboxState.SENT:
            return
        item = items[0]
        self.store.enqueue(
            document_id, recipient, item.channel, item.payload, at=self.clock.now(), priority=item.priority
        )
        self._event(
            document_id,
            "resent-genuine",
            item.channel.value,
            f"→ {recipient}: its refusal named bytes this node never sent",
            recipient,
        )

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
        if status.status_code is StatusCode.REFUSED:
            self._resend_on_paper(document_id, status)

    def _resend_on_paper(self, document_id: str, status: StatusMessage) -> None:
        """A document refused for what verification found (not for a business reason such as
        mis-sent) is sent again on paper: the receiver still needs an authentic original."""
        reason = status.description.split(":", 1)[0].strip()
        if reason not in _VERIFICATION_REASONS:
            return
        self.store.enqueue(document_id, status.from_.organ_id, Channel.PAPER, b"", at=self.clock.now())
        self._event(
            document_id,
            "paper",
            Channel.PAPER.value,
            f"→ {status.from_.organ_id}: refused-resent ({reason})",
            status.from_.organ_id,
        )

    def _check_bytes(self, status: StatusMessage, document_id: str) -> None:
        """A status naming the SHA-256 of what it answers must name the bytes we sent."""
        named = named_digest(status.description)
        if named is None:
            return
        sent = self.store.outgoing_message(document_id)
        if sent is None or hashlib.sha256(sent).hexdigest() != named:
            raise _ForeignBytes(
                "status-for-other-bytes",
                f"{status.from_.organ_id} answers bytes this node never sent as {document_id}",
            )


def _signers(verified: VerifiedDocument) -> str:
    return (
        f"signed by {verified.person.identity.full_name} at {verified.person.signing_time:%H:%M} "
        f"and {verified.agency.identity.agency_name} at {verified.agency.signing_time:%H:%M}"
    )
