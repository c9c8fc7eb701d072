"""Records of an exchange: one per recipient, one per sent document, one per received document.

All three use :func:`~docexchange.protocol.transitions.advance`, so the sender's view and the
receiver's own view of a document obey the same table. Times are passed in by the caller (its
clock); nothing here reads one.

Duplicates and stale statuses leave a record exactly as it was (the same object), so applying a
status twice is the same as applying it once; only changes enter ``history``.

The sender's copy of a recalled document is *frozen*, not deleted (Decision 28/2018): the flag
is set the moment the sender asks for a recall and stays set whatever the recipients answer (a
recall refused with 16 leaves the document in force at that recipient, but the sender has
withdrawn it; a correction goes out as a new document).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType

from docexchange.edxml.model import StatusCode
from docexchange.protocol.transitions import (
    DeliveryState,
    IllegalTransition,
    Party,
    ProtocolReason,
    Transition,
    advance,
    sender_of,
)

StatusEntry = tuple[StatusCode, datetime]


@dataclass(frozen=True)
class RecipientRecord:
    """Where one recipient stands with one document.

    ``before_recall`` is the state remembered when a recall was requested (kept after 15 to say
    what was recalled); ``recall_refused`` says an earlier recall was answered 16.
    """

    document_id: str
    recipient: str
    state: DeliveryState
    updated_at: datetime
    before_recall: DeliveryState | None = None
    history: tuple[StatusEntry, ...] = ()
    recall_refused: bool = False

    def __post_init__(self) -> None:
        if self.state is DeliveryState.RECALL_REQUESTED and self.before_recall is None:
            raise ValueError(f"{self.document_id} → {self.recipient}: a pending recall needs before_recall")
        if self.before_recall is not None and self.state not in (
            DeliveryState.RECALL_REQUESTED,
            DeliveryState.RECALLED,
        ):
            raise ValueError(f"{self.document_id} → {self.recipient}: before_recall without a recall")

    @classmethod
    def sent(cls, document_id: str, recipient: str, at: datetime) -> RecipientRecord:
        """A new record: the document was handed to a channel at ``at``."""
        return cls(document_id, recipient, DeliveryState.SENT, at)

    def apply(self, status: StatusCode, by: Party, at: datetime) -> tuple[RecipientRecord, Transition]:
        """The record after ``status`` from ``by``, observed at ``at``, and what happened.

        Raises :class:`IllegalTransition` naming this document and recipient.
        """
        try:
            transition = advance(
                self.state,
                status,
                by,
                before_recall=self.before_recall,
                recall_refused=self.recall_refused,
            )
        except IllegalTransition as exc:
            raise exc.about(self.document_id, self.recipient) from None
        if not transition.changed:
            return self, transition
        record = replace(
            self,
            state=transition.state,
            before_recall=transition.before_recall,
            recall_refused=transition.recall_refused,
            updated_at=at,
            history=(*self.history, (status, at)),
        )
        return record, transition


def unknown_document(document_id: str, status: StatusCode, agency: str) -> IllegalTransition:
    """The refusal for a status about a document the caller has no record of."""
    return IllegalTransition(
        ProtocolReason.STATUS_FOR_UNKNOWN_DOCUMENT,
        f"status {status.wire} from {agency} for unknown document {document_id}",
        sender_of(status),
        status=status,
    )


class DocumentRecord:
    """The sender's record of a document sent to several recipients.

    Mutable holder of immutable :class:`RecipientRecord` values; build it with :meth:`sent` for a
    new document or from stored records.
    """

    def __init__(
        self,
        document_id: str,
        sender: str,
        records: Mapping[str, RecipientRecord],
        *,
        frozen_at: datetime | None = None,
    ) -> None:
        if not records:
            raise ValueError(f"document {document_id} has no recipients")
        for recipient, record in records.items():
            if record.recipient != recipient or record.document_id != document_id:
                raise ValueError(f"record {record.document_id} → {record.recipient} filed under {recipient}")
        self.document_id = document_id
        self.sender = sender
        self._records = dict(records)
        self._frozen_at = frozen_at

    @classmethod
    def sent(cls, document_id: str, sender: str, recipients: Iterable[str], at: datetime) -> DocumentRecord:
        """A document handed to its channels at ``at``, one record per recipient, in order."""
        records: dict[str, RecipientRecord] = {}
        for recipient in recipients:
            if recipient in records:
                raise ValueError(f"document {document_id} lists recipient {recipient} twice")
            records[recipient] = RecipientRecord.sent(document_id, recipient, at)
        return cls(document_id, sender, records)

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(self._records)

    @property
    def records(self) -> Mapping[str, RecipientRecord]:
        return MappingProxyType(self._records)

    @property
    def frozen(self) -> bool:
        """The sender asked for a recall: its copy is kept but must not change or be re-sent."""
        return self._frozen_at is not None

    @property
    def frozen_at(self) -> datetime | None:
        return self._frozen_at

    def record(self, recipient: str) -> RecipientRecord:
        return self._records[recipient]

    def receive_status(self, from_agency: str, status: StatusCode, at: datetime) -> Transition:
        """Apply a status message from a recipient; a non-recipient is refused."""
        record = self._records.get(from_agency)
        if record is None:
            raise IllegalTransition(
                ProtocolReason.STATUS_FROM_NON_RECIPIENT,
                f"document {self.document_id}: status {status.wire} from {from_agency}, "
                "which is not a recipient",
                Party.RECEIVER,
                status=status,
            )
        self._records[from_agency], transition = record.apply(status, Party.RECEIVER, at)
        return transition

    def request_recall(self, at: datetime, recipients: Iterable[str] | None = None) -> dict[str, Transition]:
        """The sender recalls the document (13) from ``recipients`` (default: every recipient).

        Recipients already in a terminal state (refused, recalled) are skipped; the result maps
        each remaining recipient to its transition, and a 13 goes to those whose transition
        ``changed``. Freezes the sender's copy. Raises ``recall-after-refusal`` when every
        targeted recipient refused the document, and ``KeyError`` for a non-recipient.
        """
        targets = list(self._records) if recipients is None else list(recipients)
        chosen = [self._records[recipient] for recipient in targets]
        if chosen and all(record.state is DeliveryState.REFUSED for record in chosen):
            raise IllegalTransition(
                ProtocolReason.RECALL_AFTER_REFUSAL,
                f"document {self.document_id}: the recipients refused it (02); there is nothing to recall",
                Party.SENDER,
                status=StatusCode.RECALL_REQUEST,
                state=DeliveryState.REFUSED,
            )
        transitions: dict[str, Transition] = {}
        for record in chosen:
            if record.state.terminal:
                continue
            self._records[record.recipient], transitions[record.recipient] = record.apply(
                StatusCode.RECALL_REQUEST, Party.SENDER, at
            )
        if self._frozen_at is None:
            self._frozen_at = at
        return transitions

    def latest(self) -> dict[str, DeliveryState]:
        """Each recipient's current state, in recipient order."""
        return {recipient: record.state for recipient, record in self._records.items()}


class ReceivedDocument:
    """The receiver's own view of a document it received, checked by the same table.

    The receiver cannot report 04 before 03 any more than the sender would accept it.
    """

    def __init__(self, record: RecipientRecord, sender: str) -> None:
        self.sender = sender
        self._record = record

    @classmethod
    def received(cls, document_id: str, sender: str, receiver: str, at: datetime) -> ReceivedDocument:
        """A document that reached ``receiver`` at ``at``; no status reported yet."""
        return cls(RecipientRecord.sent(document_id, receiver, at), sender)

    @property
    def record(self) -> RecipientRecord:
        return self._record

    @property
    def state(self) -> DeliveryState:
        return self._record.state

    @property
    def recall_pending(self) -> bool:
        return self._record.state is DeliveryState.RECALL_REQUESTED

    @property
    def must_destroy(self) -> bool:
        """The receiver agreed to a recall (15): its copy is to be destroyed."""
        return self._record.state is DeliveryState.RECALLED

    def report(self, status: StatusCode, at: datetime) -> Transition:
        """Record a status this receiver sends (01–06); send the message only if it ``changed``."""
        self._record, transition = self._record.apply(status, Party.RECEIVER, at)
        return transition

    def receive_recall(self, from_agency: str, at: datetime) -> Transition:
        """A recall request (13) arrived; only the document's sender may send one."""
        if from_agency != self.sender:
            raise IllegalTransition(
                ProtocolReason.STATUS_FROM_NON_SENDER,
                f"document {self._record.document_id}: recall from {from_agency}, "
                f"but the sender is {self.sender}",
                Party.SENDER,
                status=StatusCode.RECALL_REQUEST,
            )
        self._record, transition = self._record.apply(StatusCode.RECALL_REQUEST, Party.SENDER, at)
        return transition

    def answer_recall(self, agree: bool, at: datetime) -> Transition:
        """Answer the pending recall: 15 (agree, destroy the copy) or 16 (refuse)."""
        status = StatusCode.RECALL_AGREED if agree else StatusCode.RECALL_REFUSED
        return self.report(status, at)
