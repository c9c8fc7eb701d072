"""Durable stores: a node's registers, numbering, outbox and status log; the hub's package queue.

Both are synchronous SQLite (stdlib ``sqlite3``) with WAL and ``synchronous=FULL``: what a method
returns is on disk. One store object is one connection; asyncio code keeps each call short or
hands it to a thread (calls are serialised per object). Times in and out are aware datetimes,
stored in Vietnam time; nothing here reads a clock. Typical use::

    store = NodeStore(Path("node.sqlite3"), "000.00.00.G22")
    store.recover()                          # once at start-up: in-flight items back to pending
    number = store.next_number(2019)         # 1, 2, … ; 1 again on 1 January
    with store.transaction():                # register and queue atomically
        store.register_outgoing(entry)
        store.enqueue(entry.document_id, recipient, Channel.AXIS, signed, at=now, priority=1)
"""

from docexchange.routing.model import Channel
from docexchange.store.errors import (
    ConflictError,
    NotFoundError,
    SchemaVersionError,
    StoreBusyError,
    StoreError,
)
from docexchange.store.hub_records import (
    FetchedPackage,
    Hop,
    NewPackage,
    PackageRow,
    PackageState,
    package_id_for,
)
from docexchange.store.hub_store import HubStore
from docexchange.store.node_store import NodeStore
from docexchange.store.records import (
    Direction,
    IncomingEntry,
    IncomingState,
    NewIncoming,
    NewOutgoing,
    OutboxItem,
    OutboxState,
    OutgoingEntry,
    PayloadKind,
    RecipientStatus,
    StatusLogEntry,
)
from docexchange.store.sqlite import Database, Migration

__all__ = [
    "Channel",
    "ConflictError",
    "Database",
    "Direction",
    "FetchedPackage",
    "Hop",
    "HubStore",
    "IncomingEntry",
    "IncomingState",
    "Migration",
    "NewIncoming",
    "NewOutgoing",
    "NewPackage",
    "NodeStore",
    "NotFoundError",
    "OutboxItem",
    "OutboxState",
    "OutgoingEntry",
    "PackageRow",
    "PackageState",
    "PayloadKind",
    "RecipientStatus",
    "SchemaVersionError",
    "StatusLogEntry",
    "StoreBusyError",
    "StoreError",
    "package_id_for",
]
