"""Rows of the node store: the two Decree 30 registers, the outbox and the status log.

``New…`` classes are what a caller hands in; the others are what the store gives back (with the
numbers, flags and times the store owns). All are frozen. Register entries do not carry the
signed message bytes — listing a year's register should not load every document — fetch them
with ``NodeStore.outgoing_message`` / ``NodeStore.incoming_message``. Outbox items do carry
their payload, because whoever takes an item is about to send it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from docexchange.edxml.model import StatusCode
from docexchange.edxml.numbering import Series
from docexchange.routing.model import Channel


# How a document travels is the routing layer's vocabulary; the store records it as given.
class PayloadKind(StrEnum):
    DOCUMENT = "document"
    STATUS = "status"


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at
    IN_FLIGHT = "in_flight"  # handed to a transport by due(); back to pending by recover()
    SENT = "sent"  # the channel confirmed it took the message
    FAILED = "failed"  # gave up on this channel; may still be rerouted
    FALLEN_BACK = "fallen_back"  # replaced by a new item on another channel (rerouted_from)
    PAPER = "paper"  # the fallback is paper: nothing left to send electronically


class IncomingState(StrEnum):
    """Where an incoming document stands, in the words of the status it last caused."""

    ARRIVED = "arrived"  # 01
    REFUSED = "refused"  # 02
    ACCEPTED = "accepted"  # 03
    ASSIGNED = "assigned"  # 04
    PROCESSING = "processing"  # 05
    COMPLETED = "completed"  # 06
    RECALLED = "recalled"  # 15: recall agreed


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


# -- outgoing register (sổ đăng ký văn bản đi) ----------------------------------------------


@dataclass(frozen=True)
class NewOutgoing:
    """A document to enter in the outgoing register; its year is that of ``promulgation_date``."""

    document_id: str
    number: int  # from NodeStore.next_number (a number registered by hand also advances it)
    code_text: str  # số và ký hiệu, e.g. "05/TB-VPCP"; its number part must equal ``number``
    promulgation_date: date
    type_and_subject: str  # tên loại và trích yếu nội dung
    signer: str  # người ký
    recipients: tuple[str, ...]  # nơi nhận: agency identifiers
    registered_at: datetime
    series: Series = Series.NORMAL
    file_holder: str = ""  # đơn vị, người nhận bản lưu
    copies: int = 1  # số lượng bản
    notes: str = ""
    signed_message: bytes | None = field(default=None, repr=False)  # None for a paper-only document


@dataclass(frozen=True)
class RecipientStatus:
    """The latest status one recipient reported (the receipt column, per recipient)."""

    recipient: str
    status_code: StatusCode
    at: datetime


@dataclass(frozen=True)
class OutgoingEntry:
    agency_id: str
    document_id: str
    year: int
    series: Series
    number: int
    code_text: str
    promulgation_date: date
    type_and_subject: str
    signer: str
    recipients: tuple[str, ...]
    file_holder: str
    copies: int
    date_sent: datetime | None  # first successful send of the document on any channel
    receipt: tuple[RecipientStatus, ...]  # in the order of ``recipients``; absent until a status
    notes: str
    registered_at: datetime
    has_message: bool
    frozen: bool  # recalled: the sender's copy is kept unchanged, never deleted
    frozen_at: datetime | None

    def status_of(self, recipient: str) -> RecipientStatus | None:
        return next((r for r in self.receipt if r.recipient == recipient), None)


# -- incoming register (sổ đăng ký văn bản đến) ---------------------------------------------


@dataclass(frozen=True)
class NewIncoming:
    """A received document (any channel, paper included) to enter in the incoming register."""

    document_id: str  # for paper too: make_document_id(issuer, date, số/ký hiệu)
    date_received: datetime  # its Vietnam-time year picks the incoming-number series
    issuing_agency: str  # cơ quan ban hành: the QCVN 102 identifier where there is one
    code_text: str  # số và ký hiệu as printed on the document
    promulgation_date: date
    type_and_subject: str
    channel: Channel
    state: IncomingState = IncomingState.ARRIVED
    receiving_unit: str = ""  # đơn vị hoặc người nhận
    notes: str = ""
    signed_message: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class IncomingEntry:
    agency_id: str
    document_id: str
    year: int
    incoming_number: int  # số đến: one series per agency and year, paper and electronic alike
    date_received: datetime
    issuing_agency: str
    code_text: str
    promulgation_date: date
    type_and_subject: str
    receiving_unit: str
    date_handed_on: datetime | None  # ngày chuyển
    receipt: str  # ký nhận: who took the document when it was handed on
    notes: str
    channel: Channel
    state: IncomingState
    # Decree 30 warning: an earlier entry from the same issuer, same promulgation year and same
    # number and notation, under a different DocumentId. The entry is still registered.
    duplicate_of: str | None
    has_message: bool
    destroyed: bool  # recall agreed: the bytes are gone, this row records that they were destroyed
    destroyed_at: datetime | None


# -- outbox and status log -------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxItem:
    id: int
    document_id: str
    recipient: str
    channel: Channel
    kind: PayloadKind
    priority: int  # edXML Priority (0 normal … 4 hỏa tốc hẹn giờ): higher goes first
    attempts: int  # how many times due() handed it out
    next_attempt_at: datetime
    state: OutboxState
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    rerouted_from: int | None  # the item on the previous channel, for a fallback
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class StatusLogEntry:
    id: int
    document_id: str
    counterpart: str  # the other agency: the recipient of an outgoing status, the sender of an incoming one
    direction: Direction
    status_code: StatusCode
    at: datetime  # the status message's Timestamp
    reason_code: str | None  # for 02 (and 16): a docexchange.errors.ReasonCode value
    description: str
