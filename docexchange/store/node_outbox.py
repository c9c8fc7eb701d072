"""The outbox and the status log, as part of ``NodeStore``.

Outbox life of one item (one message, one recipient, one channel)::

    pending ──due()──► in_flight ──mark_sent──► sent
       ▲                  │ └──mark_failed(next time)──► pending
       └──recover()───────┘ └──mark_failed(None)────────► failed
    pending / in_flight / failed ──reroute(channel)──► fallen_back  (+ a new item on the channel,
                                                                      'paper' if the channel is paper)

The payload is stored once and never rebuilt, so every retry and every fallback sends the same
bytes — the same DocumentId — and the receiver can recognise a duplicate.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime

from docexchange.edxml.model import StatusCode
from docexchange.routing.model import Channel
from docexchange.store.codec import decode_optional_time, decode_time, encode_time
from docexchange.store.errors import ConflictError, NotFoundError
from docexchange.store.records import (
    Direction,
    OutboxItem,
    OutboxState,
    PayloadKind,
    StatusLogEntry,
)
from docexchange.store.sqlite import Database

_OUTBOX_COLUMNS = (
    "id, document_id, recipient, channel, kind, priority, attempts, next_attempt_at, state,"
    " last_error, created_at, sent_at, rerouted_from, payload"
)
_LOG_COLUMNS = "id, document_id, counterpart, direction, status_code, at, reason_code, description"

_OPEN = (OutboxState.PENDING, OutboxState.IN_FLIGHT)


class Outbox:
    """Mixin: expects ``_db`` and ``_agency_id`` from ``NodeStore``."""

    _db: Database
    _agency_id: str

    # -- outbox ----------------------------------------------------------------------------

    def enqueue(
        self,
        document_id: str,
        recipient: str,
        channel: Channel | str,
        payload: bytes,
        *,
        at: datetime,
        kind: PayloadKind | str = PayloadKind.DOCUMENT,
        priority: int = 0,
    ) -> OutboxItem:
        """Queue ``payload`` for ``recipient``, due at ``at``. On the paper channel it is 'paper' at once."""
        channel = Channel(channel)
        state = OutboxState.PAPER if channel is Channel.PAPER else OutboxState.PENDING
        return self._insert_item(
            document_id, recipient, channel, PayloadKind(kind), payload, priority, state, at, None
        )

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Claim the pending items due at ``now``: urgent first, then oldest due, then first queued.

        Claimed items become 'in_flight' (attempts + 1) in the same transaction, so calling
        ``due`` again while they are being sent does not hand them out twice. A crash leaves them
        'in_flight'; ``recover()`` at start-up makes them pending again.
        """
        if limit < 1:
            return []
        with self._db.transaction():
            rows = self._db.fetchall(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox"
                " WHERE agency_id = ? AND state = 'pending' AND next_attempt_at <= ?"
                " ORDER BY priority DESC, next_attempt_at, id LIMIT ?",
                (self._agency_id, encode_time(now), limit),
            )
            for row in rows:
                self._db.execute(
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1 WHERE id = ?",
                    (row["id"],),
                )
        return [
            dataclasses.replace(item, state=OutboxState.IN_FLIGHT, attempts=item.attempts + 1)
            for item in map(_outbox_item, rows)
        ]

    def next_due(self) -> datetime | None:
        """When the earliest pending item falls due (None when nothing is pending): a scheduler's
        next wake-up for this node."""
        row = self._db.fetchone(
            "SELECT MIN(next_attempt_at) AS due FROM outbox WHERE agency_id = ? AND state = 'pending'",
            (self._agency_id,),
        )
        return None if row is None or row["due"] is None else decode_time(row["due"])

    def retries(self) -> int:
        """Hand-outs beyond each item's first: how many times sending was tried again."""
        row = self._db.fetchone(
            "SELECT COALESCE(SUM(MAX(attempts - 1, 0)), 0) AS n FROM outbox WHERE agency_id = ?",
            (self._agency_id,),
        )
        return 0 if row is None else int(row["n"])

    def mark_sent(self, item_id: int, at: datetime) -> OutboxItem:
        """The channel took the message. For a document, also fills the register's date sent once.

        Idempotent on a sent item; ConflictError on an item that failed or was rerouted.
        """
        with self._db.transaction():
            item = self._require_item(item_id)
            if item.state is OutboxState.SENT:
                return item
            _require_state(item, _OPEN, "marked sent")
            self._db.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ?",
                (encode_time(at), item_id),
            )
            if item.kind is PayloadKind.DOCUMENT:
                self._db.execute(
                    "UPDATE outgoing SET date_sent = coalesce(date_sent, ?)"
                    " WHERE agency_id = ? AND document_id = ?",
                    (encode_time(at), self._agency_id, item.document_id),
                )
            return self._require_item(item_id)

    def mark_failed(self, item_id: int, error: str, next_attempt_at: datetime | None) -> OutboxItem:
        """An attempt failed: retry at ``next_attempt_at`` (back to pending), or give up (None)."""
        with self._db.transaction():
            item = self._require_item(item_id)
            _require_state(item, _OPEN, "marked failed")
            if next_attempt_at is None:
                self._db.execute(
                    "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?", (error, item_id)
                )
            else:
                self._db.execute(
                    "UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                    (error, encode_time(next_attempt_at), item_id),
                )
            return self._require_item(item_id)

    def reroute(self, item_id: int, channel: Channel | str, at: datetime) -> OutboxItem:
        """Fall back to another channel: this item becomes 'fallen_back', a new one is returned.

        The new item carries the same payload, due at ``at``, with ``rerouted_from`` set; on the
        paper channel it is 'paper' (counted, nothing to send).
        """
        channel = Channel(channel)
        with self._db.transaction():
            item = self._require_item(item_id)
            _require_state(item, (*_OPEN, OutboxState.FAILED), "rerouted")
            if item.channel is channel:
                raise ConflictError(f"outbox item {item_id} is already on the {channel.value} channel")
            self._db.execute("UPDATE outbox SET state = 'fallen_back' WHERE id = ?", (item_id,))
            state = OutboxState.PAPER if channel is Channel.PAPER else OutboxState.PENDING
            return self._insert_item(
                item.document_id,
                item.recipient,
                channel,
                item.kind,
                item.payload,
                item.priority,
                state,
                at,
                item_id,
            )

    def follow_up_on_paper(self, item_id: int, at: datetime) -> OutboxItem:
        """The paper original after a sent document got no answer: a new 'paper' item, ``rerouted_from``
        the sent one, which stays 'sent' (the electronic copy may still be registered)."""
        with self._db.transaction():
            item = self._require_item(item_id)
            _require_state(item, (OutboxState.SENT,), "followed up on paper")
            if item.kind is not PayloadKind.DOCUMENT:
                raise ConflictError(f"outbox item {item_id} is a status message: no paper original")
            return self._insert_item(
                item.document_id,
                item.recipient,
                Channel.PAPER,
                item.kind,
                item.payload,
                item.priority,
                OutboxState.PAPER,
                at,
                item_id,
            )

    def recover(self) -> int:
        """At start-up: items a crash left 'in_flight' become 'pending' again. Returns how many."""
        with self._db.transaction():
            cursor = self._db.execute(
                "UPDATE outbox SET state = 'pending' WHERE agency_id = ? AND state = 'in_flight'",
                (self._agency_id,),
            )
            return cursor.rowcount

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        row = self._db.fetchone(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE agency_id = ? AND id = ?", (self._agency_id, item_id)
        )
        return None if row is None else _outbox_item(row)

    def list_outbox(
        self, document_id: str | None = None, state: OutboxState | str | None = None
    ) -> list[OutboxItem]:
        state_value = None if state is None else OutboxState(state).value
        rows = self._db.fetchall(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE agency_id = ?"
            " AND (? IS NULL OR document_id = ?) AND (? IS NULL OR state = ?) ORDER BY id",
            (self._agency_id, document_id, document_id, state_value, state_value),
        )
        return [_outbox_item(row) for row in rows]

    # -- status log ------------------------------------------------------------------------

    def log_status(
        self,
        document_id: str,
        counterpart: str,
        direction: Direction | str,
        status_code: StatusCode | int,
        at: datetime,
        *,
        reason_code: str | None = None,
        description: str = "",
    ) -> tuple[StatusLogEntry, bool]:
        """Log a status sent or received; ``(entry, False)`` if this very status is already logged.

        A status is the same one when document, counterpart, direction, code and timestamp all
        match — what a retried status message (same bytes) looks like.
        """
        direction = Direction(direction)
        code = StatusCode(int(status_code))
        key = (self._agency_id, document_id, counterpart, direction.value, code.wire, encode_time(at))
        with self._db.transaction():
            cursor = self._db.execute(
                "INSERT INTO status_log (agency_id, document_id, counterpart, direction, status_code, at,"
                " reason_code, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (agency_id, document_id, counterpart, direction, status_code, at) DO NOTHING",
                (*key, None if reason_code is None else str(reason_code), description),
            )
            row = self._db.fetchone(
                f"SELECT {_LOG_COLUMNS} FROM status_log WHERE agency_id = ? AND document_id = ?"
                " AND counterpart = ? AND direction = ? AND status_code = ? AND at = ?",
                key,
            )
        assert row is not None  # inserted or already there, inside one transaction
        return _log_entry(row), cursor.rowcount == 1

    def status_log(self, document_id: str | None = None) -> list[StatusLogEntry]:
        """Logged statuses in time order (then in the order they were logged)."""
        rows = self._db.fetchall(
            f"SELECT {_LOG_COLUMNS} FROM status_log WHERE agency_id = ? AND (? IS NULL OR document_id = ?)"
            " ORDER BY at, id",
            (self._agency_id, document_id, document_id),
        )
        return [_log_entry(row) for row in rows]

    # -- helpers ---------------------------------------------------------------------------

    def _insert_item(
        self,
        document_id: str,
        recipient: str,
        channel: Channel,
        kind: PayloadKind,
        payload: bytes,
        priority: int,
        state: OutboxState,
        at: datetime,
        rerouted_from: int | None,
    ) -> OutboxItem:
        when = encode_time(at)
        with self._db.transaction():
            cursor = self._db.execute(
                "INSERT INTO outbox (agency_id, document_id, recipient, channel, kind, payload, priority,"
                " next_attempt_at, state, created_at, rerouted_from)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._agency_id,
                    document_id,
                    recipient,
                    channel.value,
                    kind.value,
                    bytes(payload),
                    int(priority),
                    when,
                    state.value,
                    when,
                    rerouted_from,
                ),
            )
            assert cursor.lastrowid is not None
            return self._require_item(cursor.lastrowid)

    def _require_item(self, item_id: int) -> OutboxItem:
        item = self.outbox_item(item_id)
        if item is None:
            raise NotFoundError(f"outbox item {item_id} does not exist for {self._agency_id}")
        return item


def _require_state(item: OutboxItem, allowed: tuple[OutboxState, ...], action: str) -> None:
    if item.state not in allowed:
        raise ConflictError(f"outbox item {item.id} is {item.state.value} and cannot be {action}")


def _outbox_item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        document_id=row["document_id"],
        recipient=row["recipient"],
        channel=Channel(row["channel"]),
        kind=PayloadKind(row["kind"]),
        priority=row["priority"],
        attempts=row["attempts"],
        next_attempt_at=decode_time(row["next_attempt_at"]),
        state=OutboxState(row["state"]),
        last_error=row["last_error"],
        created_at=decode_time(row["created_at"]),
        sent_at=decode_optional_time(row["sent_at"]),
        rerouted_from=row["rerouted_from"],
        payload=row["payload"],
    )


def _log_entry(row: sqlite3.Row) -> StatusLogEntry:
    return StatusLogEntry(
        id=row["id"],
        document_id=row["document_id"],
        counterpart=row["counterpart"],
        direction=Direction(row["direction"]),
        status_code=StatusCode(int(row["status_code"])),
        at=decode_time(row["at"]),
        reason_code=row["reason_code"],
        description=row["description"],
    )
