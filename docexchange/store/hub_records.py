"""Rows of the hub store: packages queued on the national axis and the hops recorded beside them.

A package's id is deterministic: the first 32 hex digits of SHA-256 over its duplicate key
(kind, DocumentId, sender, recipient, status code or "" for a document). A sender can compute it
before uploading, and a retried upload lands on the same id — the hub answers "duplicate"
instead of queueing it twice. Distinct statuses (01, 03, …) of one document for one recipient
are distinct packages; the same status code sent again for the same document and pair is a
duplicate, whatever its bytes (the protocol sends each code once per recipient; retries reuse
the stored bytes).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from docexchange.edxml.model import StatusCode
from docexchange.store.records import PayloadKind


class PackageState(StrEnum):
    QUEUED = "queued"  # accepted, on disk, not yet downloaded
    DELIVERED = "delivered"  # downloaded at least once, not yet acknowledged
    PROCESSING = "processing"  # the recipient acknowledged "processing": still in its inbox
    DONE = "done"  # acknowledged done: out of the inbox for good
    FAIL = "fail"  # acknowledged fail: out of the inbox, reason kept

    @property
    def final(self) -> bool:
        return self in (PackageState.DONE, PackageState.FAIL)


ACK_STATES = (PackageState.DONE, PackageState.PROCESSING, PackageState.FAIL)
INBOX_STATES = (PackageState.QUEUED, PackageState.DELIVERED, PackageState.PROCESSING)


def package_id_for(
    kind: PayloadKind | str,
    document_id: str,
    sender: str,
    recipient: str,
    status_code: StatusCode | int | None = None,
) -> str:
    """The package id of a (kind, document, sender, recipient[, status code]) package."""
    kind = PayloadKind(kind)
    code = status_wire(kind, status_code)
    key = json.dumps([kind.value, document_id, sender, recipient, code], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def status_wire(kind: PayloadKind, status_code: StatusCode | int | None) -> str:
    """The status-code part of the duplicate key: two digits for a status, "" for a document."""
    if kind is PayloadKind.STATUS:
        if status_code is None:
            raise ValueError("a status package needs its status code")
        return StatusCode(int(status_code)).wire
    if status_code is not None:
        raise ValueError("a document package has no status code")
    return ""


@dataclass(frozen=True)
class NewPackage:
    """An upload as the hub received it."""

    kind: PayloadKind
    document_id: str
    sender: str
    recipient: str
    data: bytes = field(repr=False)
    received_at: datetime
    status_code: StatusCode | None = None  # required for a status, absent for a document
    priority: int = 0  # edXML Priority: urgent packages head the recipient's inbox

    @property
    def package_id(self) -> str:
        return package_id_for(self.kind, self.document_id, self.sender, self.recipient, self.status_code)


@dataclass(frozen=True)
class PackageRow:
    """A stored package without its bytes (listing an inbox does not load them)."""

    package_id: str
    kind: PayloadKind
    document_id: str
    sender: str
    recipient: str
    status_code: StatusCode | None
    priority: int
    size: int
    sha256: str  # of the bytes: lets the hub see a "duplicate" whose bytes differ
    received_at: datetime
    state: PackageState
    deliveries: int  # downloads recorded by mark_delivered
    last_delivered_at: datetime | None
    duplicate_uploads: int  # uploads answered as duplicates of this package
    acknowledged_at: datetime | None
    ack_reason: str


@dataclass(frozen=True)
class FetchedPackage:
    row: PackageRow
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Hop:
    """One TraceHeader the hub recorded for a package, optionally signed by the hub."""

    package_id: str
    seq: int  # 1, 2, … in the order added
    organ_id: str
    at: datetime
    hub_signature: bytes | None = field(default=None, repr=False)
