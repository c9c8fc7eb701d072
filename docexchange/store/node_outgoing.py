"""Numbering and the outgoing register (sổ đăng ký văn bản đi), as part of ``NodeStore``."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from docexchange.edxml.model import StatusCode
from docexchange.edxml.numbering import Series
from docexchange.store import counters
from docexchange.store.codec import (
    decode_date,
    decode_names,
    decode_optional_time,
    decode_time,
    encode_date,
    encode_names,
    encode_time,
)
from docexchange.store.errors import ConflictError, NotFoundError
from docexchange.store.records import NewOutgoing, OutgoingEntry, RecipientStatus
from docexchange.store.sqlite import Database

_COLUMNS = (
    "agency_id, document_id, year, series, number, code_text, promulgation_date, type_and_subject,"
    " signer, recipients, file_holder, copies, date_sent, receipt, notes, registered_at,"
    " signed_message IS NOT NULL AS has_message, frozen, frozen_at"
)


class OutgoingRegister:
    """Mixin: expects ``_db`` and ``_agency_id`` from ``NodeStore``."""

    _db: Database
    _agency_id: str

    # -- numbering -------------------------------------------------------------------------

    def next_number(self, year: int, series: Series | str = Series.NORMAL) -> int:
        """Hand out the next document number of this agency's series for ``year`` (01 on 1 January).

        Atomic and persisted: a number is never handed out twice, also across restarts and
        across connections to the same file. A number handed out but never registered stays a
        gap, as in a paper register.
        """
        series = Series(series)
        with self._db.transaction():
            return counters.allocate(self._db, self._agency_id, "outgoing", year, series.value)

    def claim_number(self, year: int, number: int, series: Series | str = Series.NORMAL) -> int:
        """Use ``number`` of the series for ``year`` (a numbering decided elsewhere, e.g. a thinned
        simulation keeping the full run's numbers); later :meth:`next_number` calls go past it.
        Registering a number twice is still refused by :meth:`register_outgoing`."""
        if number < 1:
            raise ValueError(f"a document number starts at 1, not {number}")
        series = Series(series)
        with self._db.transaction():
            counters.advance_to(self._db, self._agency_id, "outgoing", year, series.value, number)
        return number

    # -- register --------------------------------------------------------------------------

    def register_outgoing(self, entry: NewOutgoing) -> OutgoingEntry:
        """Enter a document in the outgoing register.

        ConflictError if its DocumentId, or its number in that year and series, is already
        registered. ValueError if ``code_text`` does not start with ``number``.
        """
        series = Series(entry.series)
        _check_number(entry.code_text, entry.number)
        if entry.copies < 0:
            raise ValueError("copies cannot be negative")
        year = entry.promulgation_date.year
        values = (
            self._agency_id,
            entry.document_id,
            year,
            series.value,
            entry.number,
            entry.code_text,
            encode_date(entry.promulgation_date),
            entry.type_and_subject,
            entry.signer,
            encode_names(entry.recipients),
            entry.file_holder,
            entry.copies,
            entry.notes,
            entry.signed_message,
            encode_time(entry.registered_at),
        )
        with self._db.transaction():
            if self._outgoing_row(entry.document_id) is not None:
                raise ConflictError(f"{entry.document_id} is already in the outgoing register")
            taken = self._db.fetchone(
                "SELECT document_id FROM outgoing"
                " WHERE agency_id = ? AND year = ? AND series = ? AND number = ?",
                (self._agency_id, year, series.value, entry.number),
            )
            if taken is not None:
                raise ConflictError(
                    f"number {entry.number:02d} of {year} ({series.value}) is already used by"
                    f" {taken['document_id']}"
                )
            self._db.execute(
                "INSERT INTO outgoing (agency_id, document_id, year, series, number, code_text,"
                " promulgation_date, type_and_subject, signer, recipients, file_holder, copies,"
                " notes, signed_message, registered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            counters.advance_to(self._db, self._agency_id, "outgoing", year, series.value, entry.number)
            return self._require_outgoing(entry.document_id)

    def outgoing(self, document_id: str) -> OutgoingEntry | None:
        row = self._outgoing_row(document_id)
        return None if row is None else _outgoing_entry(row)

    def outgoing_message(self, document_id: str) -> bytes | None:
        """The signed message as registered (kept after a recall: frozen, never deleted)."""
        row = self._db.fetchone(
            "SELECT signed_message FROM outgoing WHERE agency_id = ? AND document_id = ?",
            (self._agency_id, document_id),
        )
        if row is None:
            raise NotFoundError(f"{document_id} is not in the outgoing register")
        message: bytes | None = row["signed_message"]
        return message

    def list_outgoing(self, year: int | None = None) -> list[OutgoingEntry]:
        """The register in its own order: by year, series, then number."""
        rows = self._db.fetchall(
            f"SELECT {_COLUMNS} FROM outgoing WHERE agency_id = ? AND (? IS NULL OR year = ?)"
            " ORDER BY year, series, number",
            (self._agency_id, year, year),
        )
        return [_outgoing_entry(row) for row in rows]

    def record_status(
        self, document_id: str, recipient: str, status_code: StatusCode | int, at: datetime
    ) -> OutgoingEntry:
        """Update the receipt column with a recipient's status, keeping the latest one.

        "Latest" is by the status's own time, so a late retry of 01 does not hide a 03 already
        recorded; at the same instant the higher code wins (01 < 03 < 04 < 05 < 06 < 13 < 15).
        Allowed on a frozen entry: the answer to a recall arrives after the freeze.
        """
        code = StatusCode(int(status_code))
        new = {"status": code.wire, "at": encode_time(at)}
        with self._db.transaction():
            row = self._db.fetchone(
                "SELECT recipients, receipt FROM outgoing WHERE agency_id = ? AND document_id = ?",
                (self._agency_id, document_id),
            )
            if row is None:
                raise NotFoundError(f"{document_id} is not in the outgoing register")
            if recipient not in decode_names(row["recipients"]):
                raise ConflictError(f"{recipient} is not a recipient of {document_id}")
            receipt: dict[str, dict[str, str]] = json.loads(row["receipt"])
            old = receipt.get(recipient)
            if old is None or (old["at"], int(old["status"])) <= (new["at"], code.value):
                receipt[recipient] = new
                self._db.execute(
                    "UPDATE outgoing SET receipt = ? WHERE agency_id = ? AND document_id = ?",
                    (json.dumps(receipt, sort_keys=True), self._agency_id, document_id),
                )
            return self._require_outgoing(document_id)

    def freeze(self, document_id: str, at: datetime) -> OutgoingEntry:
        """Freeze the sender's copy after a recall: kept as it is, never deleted. Idempotent."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE outgoing SET frozen = 1, frozen_at = coalesce(frozen_at, ?)"
                " WHERE agency_id = ? AND document_id = ?",
                (encode_time(at), self._agency_id, document_id),
            )
            return self._require_outgoing(document_id)

    # -- helpers ---------------------------------------------------------------------------

    def _outgoing_row(self, document_id: str) -> sqlite3.Row | None:
        return self._db.fetchone(
            f"SELECT {_COLUMNS} FROM outgoing WHERE agency_id = ? AND document_id = ?",
            (self._agency_id, document_id),
        )

    def _require_outgoing(self, document_id: str) -> OutgoingEntry:
        entry = self.outgoing(document_id)
        if entry is None:
            raise NotFoundError(f"{document_id} is not in the outgoing register")
        return entry


def _check_number(code_text: str, number: int) -> None:
    head = code_text.split("/", 1)[0].strip()
    if not head.isdigit() or int(head) != number:
        raise ValueError(f"số và ký hiệu {code_text!r} does not carry number {number:02d}")


def _outgoing_entry(row: sqlite3.Row) -> OutgoingEntry:
    recipients = decode_names(row["recipients"])
    raw: dict[str, dict[str, str]] = json.loads(row["receipt"])
    ordered = [r for r in recipients if r in raw] + sorted(r for r in raw if r not in recipients)
    receipt = tuple(
        RecipientStatus(r, StatusCode(int(raw[r]["status"])), decode_time(raw[r]["at"])) for r in ordered
    )
    return OutgoingEntry(
        agency_id=row["agency_id"],
        document_id=row["document_id"],
        year=row["year"],
        series=Series(row["series"]),
        number=row["number"],
        code_text=row["code_text"],
        promulgation_date=decode_date(row["promulgation_date"]),
        type_and_subject=row["type_and_subject"],
        signer=row["signer"],
        recipients=recipients,
        file_holder=row["file_holder"],
        copies=row["copies"],
        date_sent=decode_optional_time(row["date_sent"]),
        receipt=receipt,
        notes=row["notes"],
        registered_at=decode_time(row["registered_at"]),
        has_message=bool(row["has_message"]),
        frozen=bool(row["frozen"]),
        frozen_at=decode_optional_time(row["frozen_at"]),
    )
