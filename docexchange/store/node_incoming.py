"""The incoming register (sổ đăng ký văn bản đến), as part of ``NodeStore``.

Two Decree 30 duty points live here:

- a document is registered once: ``UNIQUE(agency_id, document_id)``, and a second registration
  returns the first entry (same incoming number) with ``created=False``;
- the system warns on a duplicate (issuer, number, notation): an entry whose issuer, promulgation
  year and số và ký hiệu match an earlier entry under another DocumentId is still registered, with
  ``duplicate_of`` naming the earlier one. The year is part of the key because numbers restart
  every 1 January.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime

from docexchange.clock import as_vietnam_time
from docexchange.routing.model import Channel
from docexchange.store import counters
from docexchange.store.codec import (
    decode_date,
    decode_optional_time,
    decode_time,
    encode_date,
    encode_time,
)
from docexchange.store.errors import NotFoundError
from docexchange.store.records import IncomingEntry, IncomingState, NewIncoming
from docexchange.store.sqlite import Database

_COLUMNS = (
    "agency_id, document_id, year, incoming_number, date_received, issuing_agency, code_text,"
    " promulgation_date, type_and_subject, receiving_unit, date_handed_on, receipt, notes, channel,"
    " state, duplicate_of, signed_message IS NOT NULL AS has_message, destroyed, destroyed_at"
)


class IncomingRegister:
    """Mixin: expects ``_db`` and ``_agency_id`` from ``NodeStore``."""

    _db: Database
    _agency_id: str

    def next_incoming_number(self, year: int) -> int:
        """Hand out the next incoming number of ``year`` (one series for paper and electronic).

        ``register_incoming`` calls this itself; call it directly only to book a number for a
        document registered elsewhere, since a number handed out and not used stays a gap.
        """
        with self._db.transaction():
            return counters.allocate(self._db, self._agency_id, "incoming", year, "normal")

    def register_incoming(self, entry: NewIncoming) -> tuple[IncomingEntry, bool]:
        """Register a received document; ``(existing entry, False)`` if its DocumentId is known.

        The incoming number is taken in the same transaction as the insert, so a crash cannot
        leave a number used twice or a document without one.
        """
        channel = Channel(entry.channel)
        state = IncomingState(entry.state)
        received = encode_time(entry.date_received)
        year = as_vietnam_time(entry.date_received).year
        key = code_key(entry.issuing_agency, entry.promulgation_date, entry.code_text)
        with self._db.transaction():
            existing = self._incoming_row(entry.document_id)
            if existing is not None:
                return _incoming_entry(existing), False
            number = counters.allocate(self._db, self._agency_id, "incoming", year, "normal")
            earlier = self._db.fetchone(
                "SELECT document_id FROM incoming WHERE agency_id = ? AND code_key = ? ORDER BY id LIMIT 1",
                (self._agency_id, key),
            )
            self._db.execute(
                "INSERT INTO incoming (agency_id, document_id, year, incoming_number, date_received,"
                " issuing_agency, code_text, code_key, promulgation_date, type_and_subject,"
                " receiving_unit, notes, channel, signed_message, state, duplicate_of)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._agency_id,
                    entry.document_id,
                    year,
                    number,
                    received,
                    entry.issuing_agency,
                    entry.code_text,
                    key,
                    encode_date(entry.promulgation_date),
                    entry.type_and_subject,
                    entry.receiving_unit,
                    entry.notes,
                    channel.value,
                    entry.signed_message,
                    state.value,
                    None if earlier is None else earlier["document_id"],
                ),
            )
            return self._require_incoming(entry.document_id), True

    def incoming(self, document_id: str) -> IncomingEntry | None:
        row = self._incoming_row(document_id)
        return None if row is None else _incoming_entry(row)

    def incoming_message(self, document_id: str) -> bytes | None:
        """The received bytes; None for paper or once destroyed after an agreed recall."""
        row = self._db.fetchone(
            "SELECT signed_message FROM incoming WHERE agency_id = ? AND document_id = ?",
            (self._agency_id, document_id),
        )
        if row is None:
            raise NotFoundError(f"{document_id} is not in the incoming register")
        message: bytes | None = row["signed_message"]
        return message

    def list_incoming(self, year: int | None = None) -> list[IncomingEntry]:
        """The register in its own order: by year, then incoming number."""
        rows = self._db.fetchall(
            f"SELECT {_COLUMNS} FROM incoming WHERE agency_id = ? AND (? IS NULL OR year = ?)"
            " ORDER BY year, incoming_number",
            (self._agency_id, year, year),
        )
        return [_incoming_entry(row) for row in rows]

    def set_incoming_state(self, document_id: str, state: IncomingState | str) -> IncomingEntry:
        return self._update_incoming(document_id, "state = ?", (IncomingState(state).value,))

    def hand_on(
        self, document_id: str, receiving_unit: str, at: datetime, receipt: str = ""
    ) -> IncomingEntry:
        """Record that the document was handed to a unit or person (ngày chuyển, ký nhận)."""
        return self._update_incoming(
            document_id,
            "receiving_unit = ?, date_handed_on = ?, receipt = ?",
            (receiving_unit, encode_time(at), receipt),
        )

    def destroy(self, document_id: str, at: datetime) -> IncomingEntry:
        """Recall agreed: delete the received bytes, keep the entry with when they were destroyed.

        The store runs with ``secure_delete`` and checkpoints the log afterwards (when not inside
        a caller's transaction), so the bytes do not linger in free pages or in the WAL.
        Idempotent: a second call keeps the first ``destroyed_at``.
        """
        entry = self._update_incoming(
            document_id,
            "signed_message = NULL, destroyed = 1, destroyed_at = coalesce(destroyed_at, ?)",
            (encode_time(at),),
        )
        self._db.checkpoint()
        return entry

    # -- helpers ---------------------------------------------------------------------------

    def _update_incoming(
        self, document_id: str, assignments: str, params: tuple[object, ...]
    ) -> IncomingEntry:
        # ``assignments`` is always a literal from this module; values go through ``params``.
        with self._db.transaction():
            cursor = self._db.execute(
                f"UPDATE incoming SET {assignments} WHERE agency_id = ? AND document_id = ?",
                (*params, self._agency_id, document_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"{document_id} is not in the incoming register")
            return self._require_incoming(document_id)

    def _incoming_row(self, document_id: str) -> sqlite3.Row | None:
        return self._db.fetchone(
            f"SELECT {_COLUMNS} FROM incoming WHERE agency_id = ? AND document_id = ?",
            (self._agency_id, document_id),
        )

    def _require_incoming(self, document_id: str) -> IncomingEntry:
        entry = self.incoming(document_id)
        if entry is None:
            raise NotFoundError(f"{document_id} is not in the incoming register")
        return entry


def code_key(issuer: str, promulgation_date: date, code_text: str) -> str:
    """The key of the duplicate warning: issuer, promulgation year, number and notation.

    Normalised the way a records clerk would read them: spaces ignored, leading zeros of the
    number ignored (``5/TB-VPCP`` is ``05/TB-VPCP``), notation compared case-insensitively.
    """
    compact = "".join(code_text.split())
    number, _, notation = compact.partition("/")
    if number.isdigit():
        number = str(int(number))
    return json.dumps(
        [issuer.strip(), promulgation_date.year, f"{number}/{notation.casefold()}"], ensure_ascii=False
    )


def _incoming_entry(row: sqlite3.Row) -> IncomingEntry:
    return IncomingEntry(
        agency_id=row["agency_id"],
        document_id=row["document_id"],
        year=row["year"],
        incoming_number=row["incoming_number"],
        date_received=decode_time(row["date_received"]),
        issuing_agency=row["issuing_agency"],
        code_text=row["code_text"],
        promulgation_date=decode_date(row["promulgation_date"]),
        type_and_subject=row["type_and_subject"],
        receiving_unit=row["receiving_unit"],
        date_handed_on=decode_optional_time(row["date_handed_on"]),
        receipt=row["receipt"],
        notes=row["notes"],
        channel=Channel(row["channel"]),
        state=IncomingState(row["state"]),
        duplicate_of=row["duplicate_of"],
        has_message=bool(row["has_message"]),
        destroyed=bool(row["destroyed"]),
        destroyed_at=decode_optional_time(row["destroyed_at"]),
    )
