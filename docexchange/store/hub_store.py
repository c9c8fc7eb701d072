"""``HubStore``: the national axis's durable queue of packages, with the hops beside them.

The delivery contract is at-least-once until acknowledged, never again after: a package stays in
its recipient's inbox (queued → delivered → processing) until the recipient acknowledges it
'done' or 'fail' at transport level; after that no listing returns it. ``accept`` commits before
it returns, so the hub answers an upload only once the package is on disk. One hub per file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from docexchange.edxml.model import StatusCode
from docexchange.store.codec import decode_optional_time, decode_time, encode_time
from docexchange.store.errors import ConflictError, NotFoundError
from docexchange.store.hub_records import (
    ACK_STATES,
    INBOX_STATES,
    FetchedPackage,
    Hop,
    NewPackage,
    PackageRow,
    PackageState,
    status_wire,
)
from docexchange.store.records import PayloadKind
from docexchange.store.sqlite import DEFAULT_BUSY_TIMEOUT, Database, DatabaseOwner, Migration

_V1 = (
    """CREATE TABLE packages (
        seq INTEGER PRIMARY KEY,
        package_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('document', 'status')),
        document_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        status_code TEXT NOT NULL DEFAULT '',
        priority INTEGER NOT NULL DEFAULT 0,
        data BLOB NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        sha256 TEXT NOT NULL,
        received_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'processing', 'done', 'fail')),
        deliveries INTEGER NOT NULL DEFAULT 0,
        last_delivered_at TEXT,
        duplicate_uploads INTEGER NOT NULL DEFAULT 0,
        acknowledged_at TEXT,
        ack_reason TEXT NOT NULL DEFAULT '',
        UNIQUE (kind, document_id, sender, recipient, status_code),
        CHECK ((kind = 'document') = (status_code = ''))
    )""",
    "CREATE INDEX packages_inbox ON packages (recipient, state, priority DESC, seq)",
    """CREATE TABLE hops (
        package_id TEXT NOT NULL REFERENCES packages (package_id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        organ_id TEXT NOT NULL,
        at TEXT NOT NULL,
        hub_signature BLOB,
        PRIMARY KEY (package_id, seq)
    ) WITHOUT ROWID""",
)

HUB_MIGRATIONS: tuple[Migration, ...] = (Migration(1, _V1, "packages and hops"),)

_COLUMNS = (
    "package_id, kind, document_id, sender, recipient, status_code, priority, size, sha256, received_at,"
    " state, deliveries, last_delivered_at, duplicate_uploads, acknowledged_at, ack_reason"
)


class HubStore(DatabaseOwner):
    """Packages by id, each recipient's inbox, transport acknowledgements, and hops."""

    def __init__(
        self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, power_safe: bool = True
    ) -> None:
        self._db = Database(
            path, component="hub", migrations=HUB_MIGRATIONS, busy_timeout=busy_timeout, power_safe=power_safe
        )

    # -- upload ----------------------------------------------------------------------------

    def accept(self, package: NewPackage) -> tuple[PackageRow, bool]:
        """Store an upload; ``(stored row, True)`` if it duplicates an accepted package.

        A duplicate is not stored again and does not go back into any inbox, whatever state the
        first copy is in; its count goes up so duplicates can be measured. One exception: other
        bytes under the id of a package its recipient has finished with (``done``, which includes
        answering it with a refusal, or ``fail``) replace it and are queued again — the sender
        re-sending its genuine document after the first copy was altered on the way, which must
        not be kept out by the altered copy. The recipient, which holds the register, judges it. Durable on return
        (unless called inside :meth:`transaction`, which then commits at its end).
        """
        kind = PayloadKind(package.kind)
        code = status_wire(kind, package.status_code)
        package_id = package.package_id
        data = bytes(package.data)
        digest = hashlib.sha256(data).hexdigest()
        with self._db.transaction():
            existing = self._row(package_id)
            if existing is not None and existing.state.final and existing.sha256 != digest:
                self._db.execute(
                    "UPDATE packages SET data = ?, size = ?, sha256 = ?, received_at = ?, state = 'queued',"
                    " acknowledged_at = NULL, ack_reason = '' WHERE package_id = ?",
                    (data, len(data), digest, encode_time(package.received_at), package_id),
                )
                return self._require(package_id), False
            if existing is not None:
                self._db.execute(
                    "UPDATE packages SET duplicate_uploads = duplicate_uploads + 1 WHERE package_id = ?",
                    (package_id,),
                )
                return self._require(package_id), True
            self._db.execute(
                "INSERT INTO packages (package_id, kind, document_id, sender, recipient, status_code,"
                " priority, data, size, sha256, received_at, state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                (
                    package_id,
                    kind.value,
                    package.document_id,
                    package.sender,
                    package.recipient,
                    code,
                    int(package.priority),
                    data,
                    len(data),
                    digest,
                    encode_time(package.received_at),
                ),
            )
            return self._require(package_id), False

    # -- download --------------------------------------------------------------------------

    def duplicate_uploads(self, kind: PayloadKind | str = PayloadKind.DOCUMENT) -> int:
        """Uploads of ``kind`` the axis answered as duplicates of a package it already had."""
        row = self._db.fetchone(
            "SELECT COALESCE(SUM(duplicate_uploads), 0) AS n FROM packages WHERE kind = ?",
            (PayloadKind(kind).value,),
        )
        return int(row["n"]) if row is not None else 0

    def recipients_waiting(self) -> list[str]:
        """Agencies with at least one package in their inbox (sorted): whom a scheduler wakes to poll."""
        wanted = sorted(PackageState(s).value for s in INBOX_STATES)
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.fetchall(
            f"SELECT DISTINCT recipient FROM packages WHERE state IN ({marks}) ORDER BY recipient", wanted
        )
        return [row["recipient"] for row in rows]

    def inbox(self, recipient: str, states: Iterable[PackageState | str] = INBOX_STATES) -> list[PackageRow]:
        """The recipient's packages in the given states: urgent first, then in arrival order."""
        wanted = sorted({PackageState(s).value for s in states})
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)  # placeholders only; the values are parameters
        rows = self._db.fetchall(
            f"SELECT {_COLUMNS} FROM packages WHERE recipient = ? AND state IN ({marks})"
            " ORDER BY priority DESC, seq",
            (recipient, *wanted),
        )
        return [_package_row(row) for row in rows]

    def packages(self) -> list[PackageRow]:
        """Every package, in arrival order (without the bytes): for an audit."""
        rows = self._db.fetchall(f"SELECT {_COLUMNS} FROM packages ORDER BY seq")
        return [_package_row(row) for row in rows]

    def get(self, package_id: str, recipient: str) -> FetchedPackage | None:
        """The package with its bytes, for its recipient only; None for anyone else or no such id."""
        row = self._db.fetchone(
            f"SELECT {_COLUMNS}, data FROM packages WHERE package_id = ? AND recipient = ?",
            (package_id, recipient),
        )
        return None if row is None else FetchedPackage(_package_row(row), row["data"])

    def mark_delivered(self, package_id: str, recipient: str, at: datetime) -> PackageRow | None:
        """Record a download: 'queued' becomes 'delivered'; a later state is kept.

        None if the package is not the recipient's. After 'done'/'fail' nothing changes.
        """
        with self._db.transaction():
            row = self._row(package_id, recipient)
            if row is None:
                return None
            if not row.state.final:
                self._db.execute(
                    "UPDATE packages SET deliveries = deliveries + 1, last_delivered_at = ?,"
                    " state = CASE state WHEN 'queued' THEN 'delivered' ELSE state END"
                    " WHERE package_id = ?",
                    (encode_time(at), package_id),
                )
            return self._require(package_id)

    def acknowledge(
        self, package_id: str, recipient: str, state: PackageState | str, reason: str, at: datetime
    ) -> PackageRow | None:
        """The recipient's transport-level answer: 'done', 'processing' or 'fail'.

        None if the package is not the recipient's. Repeating a final answer is harmless;
        changing it ('done' then 'fail') is a ConflictError.
        """
        new = PackageState(state)
        if new not in ACK_STATES:
            raise ValueError(f"an acknowledgement is done, processing or fail, not {new.value}")
        with self._db.transaction():
            row = self._row(package_id, recipient)
            if row is None:
                return None
            if row.state.final:
                if row.state is new:
                    return row
                raise ConflictError(f"package {package_id} was already acknowledged {row.state.value}")
            self._db.execute(
                "UPDATE packages SET state = ?, ack_reason = ?, acknowledged_at = ? WHERE package_id = ?",
                (new.value, reason, encode_time(at), package_id),
            )
            return self._require(package_id)

    def package(self, package_id: str) -> PackageRow | None:
        """Any package by id, for the hub itself (tracing, metrics) — never for a caller."""
        return self._row(package_id)

    # -- hops ------------------------------------------------------------------------------

    def add_hop(
        self, package_id: str, organ_id: str, at: datetime, hub_signature: bytes | None = None
    ) -> Hop:
        with self._db.transaction():
            if self._row(package_id) is None:
                raise NotFoundError(f"package {package_id} does not exist")
            last = self._db.fetchone(
                "SELECT coalesce(max(seq), 0) AS last FROM hops WHERE package_id = ?", (package_id,)
            )
            seq = 1 if last is None else int(last["last"]) + 1
            self._db.execute(
                "INSERT INTO hops (package_id, seq, organ_id, at, hub_signature) VALUES (?, ?, ?, ?, ?)",
                (package_id, seq, organ_id, encode_time(at), hub_signature),
            )
        return Hop(package_id, seq, organ_id, decode_time(encode_time(at)), hub_signature)

    def hops(self, package_id: str) -> list[Hop]:
        rows = self._db.fetchall(
            "SELECT package_id, seq, organ_id, at, hub_signature FROM hops WHERE package_id = ? ORDER BY seq",
            (package_id,),
        )
        return [
            Hop(row["package_id"], row["seq"], row["organ_id"], decode_time(row["at"]), row["hub_signature"])
            for row in rows
        ]

    # -- helpers ---------------------------------------------------------------------------

    def _row(self, package_id: str, recipient: str | None = None) -> PackageRow | None:
        row = self._db.fetchone(
            f"SELECT {_COLUMNS} FROM packages WHERE package_id = ? AND (? IS NULL OR recipient = ?)",
            (package_id, recipient, recipient),
        )
        return None if row is None else _package_row(row)

    def _require(self, package_id: str) -> PackageRow:
        row = self._row(package_id)
        if row is None:
            raise NotFoundError(f"package {package_id} does not exist")
        return row


def _package_row(row: sqlite3.Row) -> PackageRow:
    return PackageRow(
        package_id=row["package_id"],
        kind=PayloadKind(row["kind"]),
        document_id=row["document_id"],
        sender=row["sender"],
        recipient=row["recipient"],
        status_code=StatusCode(int(row["status_code"])) if row["status_code"] else None,
        priority=row["priority"],
        size=row["size"],
        sha256=row["sha256"],
        received_at=decode_time(row["received_at"]),
        state=PackageState(row["state"]),
        deliveries=row["deliveries"],
        last_delivered_at=decode_optional_time(row["last_delivered_at"]),
        duplicate_uploads=row["duplicate_uploads"],
        acknowledged_at=decode_optional_time(row["acknowledged_at"]),
        ack_reason=row["ack_reason"],
    )
