"""Rebuild the protocol's view of a document from the durable status log.

The protocol records are pure and in memory; what survives a restart is the store's status log.
Replaying the accepted statuses through the same transition table gives back exactly the state
the node had, so nothing about a document's state is stored twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from docexchange.edxml.model import StatusCode
from docexchange.protocol import DocumentRecord, ReceivedDocument
from docexchange.routing import Channel
from docexchange.store import Direction, IncomingEntry, OutboxItem, OutgoingEntry, StatusLogEntry

_RECALL_ANSWERS = (StatusCode.RECALL_AGREED, StatusCode.RECALL_REFUSED)
_DIGEST = re.compile(r"\[sha256=([0-9a-f]{64})\]")


def named_digest(description: str) -> str | None:
    """The SHA-256 a status names (``[sha256=…]`` in its description): the bytes it answers."""
    match = _DIGEST.search(description)
    return None if match is None else match.group(1)


def _accepted(log: Iterable[StatusLogEntry]) -> list[StatusLogEntry]:
    """Only statuses that were applied; refused ones are logged with their reason for the audit."""
    return sorted(
        (e for e in log if e.reason_code is None or e.direction is Direction.OUT), key=lambda e: e.id
    )


def sender_view(entry: OutgoingEntry, log: Iterable[StatusLogEntry]) -> DocumentRecord:
    record = DocumentRecord.sent(entry.document_id, entry.agency_id, entry.recipients, entry.registered_at)
    for event in _accepted(log):
        if event.direction is Direction.IN:
            record.receive_status(event.counterpart, event.status_code, event.at)
        elif event.status_code is StatusCode.RECALL_REQUEST:
            record.request_recall(event.at, [event.counterpart])
    return record


def receiver_view(
    entry: IncomingEntry, receiver: str, log: Iterable[StatusLogEntry], digest: str | None = None
) -> ReceivedDocument:
    """The receiver's record of a document. With ``digest`` (SHA-256 of the registered bytes),
    statuses that answered *other* bytes under the same DocumentId — a refusal of a forged or
    altered copy — are left out: unverified bytes must not decide the genuine document's fate."""
    document = ReceivedDocument.received(
        entry.document_id, entry.issuing_agency, receiver, entry.date_received
    )
    for event in _accepted(log):
        named = named_digest(event.description or "")
        if digest is not None and named is not None and named != digest:
            continue
        if event.direction is Direction.IN and event.status_code is StatusCode.RECALL_REQUEST:
            document.receive_recall(event.counterpart, event.at)
        elif event.direction is Direction.OUT and event.status_code in _RECALL_ANSWERS:
            document.answer_recall(event.status_code is StatusCode.RECALL_AGREED, event.at)
        elif event.direction is Direction.OUT:
            document.report(event.status_code, event.at)
    return document


def is_paper_original(item: OutboxItem, items: Iterable[OutboxItem]) -> bool:
    """Whether a paper outbox ``item`` is the document's original for its recipient.

    ``items`` are the document's outbox items for that recipient. A fallback or a follow-up
    (``rerouted_from``) is the original; so is paper routed alone or beside an unsigned
    information copy. Paper beside a *signed* electronic copy (the Government's copy, listed
    types) is only a copy: the signed document is the original.
    """
    if item.channel is not Channel.PAPER:
        return False
    if item.rerouted_from is not None:
        return True
    return not any(i.channel.electronic and b"SignatureValue" in i.payload for i in items)
