"""Signed status messages about documents: prepare (sign), commit (log and queue), and the
receiver's progress reports (04, 05, 06)."""

from __future__ import annotations

import hashlib

from docexchange.edxml import (
    DocumentMessage,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_status,
    to_bytes,
)
from docexchange.edxml.compose import organization_of
from docexchange.errors import DocexchangeError, ReasonCode, VerificationError
from docexchange.node.history import receiver_view
from docexchange.node.model import OFFICE, PreparedStatus
from docexchange.node.parts import NodeParts
from docexchange.pki.freshness import RevocationStale
from docexchange.protocol import IllegalTransition, ReceivedDocument
from docexchange.routing import Channel
from docexchange.store import Direction, IncomingEntry, IncomingState, PayloadKind


class StatusesMixin(NodeParts):
    def _prepare_answer(
        self, about: ResponseFor, code: StatusCode, text: str, channel: Channel, *, digest: str = ""
    ) -> PreparedStatus:
        """Sign a status about the document ``about`` names for its sender (not yet logged or queued)."""
        status = StatusMessage(
            response_for=about,
            from_=organization_of(self.agency),
            status_code=code,
            description=f"{text} [sha256={digest}]" if digest else text,
            timestamp=self.clock.now(),
            staff_info=StaffInfo(department=OFFICE),
        )
        return self._prepare(status, about.organ_id, channel)

    def _prepare(self, status: StatusMessage, to: str, channel: Channel) -> PreparedStatus:
        try:
            payload = to_bytes(self.signer.sign(build_status(status), status.timestamp))
        except RevocationStale:
            raise  # not a verdict on the certificate: the caller's whole step is retried later
        except VerificationError as exc:  # signing checks the certificate first (DOMAIN.md §6)
            return PreparedStatus(status, to, channel, None, f"{exc.code.value}: {exc.message}")
        return PreparedStatus(status, to, channel, payload)

    def _commit_status(self, prepared: PreparedStatus, *, reason: str | None = None) -> None:
        """Log the status and queue it, in the caller's transaction (or its own); a status the
        agency could not sign is logged (its own decision stands) but never sent unsigned."""
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
            if prepared.payload is not None:
                self.store.enqueue(
                    document_id,
                    prepared.to,
                    prepared.channel,
                    prepared.payload,
                    at=status.timestamp,
                    kind=PayloadKind.STATUS,
                    priority=1,
                )
        if prepared.payload is None:
            self._event(document_id, "signing-refused", prepared.channel.value, prepared.refusal, prepared.to)
            return
        self._event(
            document_id,
            f"status-{status.status_code.wire}",
            prepared.channel.value,
            f"→ {prepared.to}: {status.description}",
        )

    def accept(self, document_id: str) -> None:
        """The records office accepts a document it registered as arrived (status 03)."""
        entry = self.store.incoming(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} has not registered {document_id}")
        self.handle(document_id, StatusCode.ACCEPTED, f"Đã tiếp nhận, số đến {entry.incoming_number}")

    def handle(self, document_id: str, code: StatusCode, text: str) -> None:
        """The receiver reports progress (04 assigned, 05 processing, 06 completed)."""
        entry = self.store.incoming(document_id)
        if entry is None:
            raise DocexchangeError(ReasonCode.STORE_NOT_FOUND, f"{self.id} has not registered {document_id}")
        view = self._receiver_view(entry)
        try:
            transition = view.report(code, self.clock.now())
        except IllegalTransition as exc:
            raise DocexchangeError(ReasonCode(str(exc.reason)), exc.message) from None
        if not transition.changed:
            return
        prepared = self._prepare_answer(self._answering(entry), code, text, entry.channel)
        with self.store.transaction():
            self.store.set_incoming_state(document_id, IncomingState(transition.state.value))
            self._commit_status(prepared)

    def _receiver_view(self, entry: IncomingEntry) -> ReceivedDocument:
        """The protocol's view of a registered document, blind to statuses about other bytes."""
        data = self.store.incoming_message(entry.document_id)
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        return receiver_view(entry, self.id, self.store.status_log(entry.document_id), digest)

    @staticmethod
    def _answering(entry: IncomingEntry) -> ResponseFor:
        """What a status about a registered document names, from its register row — written from
        the verified document at registration, so the bytes need not be parsed again."""
        if entry.destroyed or not entry.has_message:
            raise DocexchangeError(
                ReasonCode.STORE_NOT_FOUND, f"the copy of {entry.document_id} was destroyed"
            )
        return ResponseFor(entry.issuing_agency, entry.code_text, entry.promulgation_date, entry.document_id)


def response_to(message: DocumentMessage) -> ResponseFor:
    """What a status about ``message`` names (ResponseFor)."""
    return ResponseFor(
        message.from_.organ_id,
        message.code.text,
        message.promulgation_date,
        message.document_id,
    )
