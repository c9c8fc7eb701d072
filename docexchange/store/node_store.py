"""``NodeStore``: everything one agency node must not lose, in one SQLite file.

One object serves one agency over one connection. Every table carries ``agency_id``, so several
``NodeStore`` objects (one per agency) may open the same file — a process hosting many nodes
keeps one file, each node its own connection; WAL lets them read side by side and write one at
a time.

Each method is a short transaction (a few statements, no I/O beyond SQLite) that commits before
it returns; to make several calls atomic — register a document and queue it for its recipients —
wrap them in ``with store.transaction():``. No method reads a clock: every time is a parameter.
"""

from __future__ import annotations

from pathlib import Path

from docexchange.store.node_incoming import IncomingRegister
from docexchange.store.node_outbox import Outbox
from docexchange.store.node_outgoing import OutgoingRegister
from docexchange.store.node_schema import NODE_MIGRATIONS
from docexchange.store.sqlite import DEFAULT_BUSY_TIMEOUT, Database, DatabaseOwner


class NodeStore(DatabaseOwner, OutgoingRegister, IncomingRegister, Outbox):
    """Registers, numbering, outbox and status log of one agency.

    Open at start-up, call :meth:`recover` once, then use; :meth:`close` (or ``with``) at the end.
    """

    def __init__(
        self,
        path: Path,
        agency_id: str,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        power_safe: bool = True,
        cache_kib: int | None = None,
    ) -> None:
        if not agency_id or agency_id != agency_id.strip():
            raise ValueError(f"an agency identifier is required, got {agency_id!r}")
        self._agency_id = agency_id
        # secure_delete: a recalled incoming document is destroyed, not left in free pages.
        self._db = Database(
            path,
            component="node",
            migrations=NODE_MIGRATIONS,
            busy_timeout=busy_timeout,
            secure_delete=True,
            power_safe=power_safe,
            cache_kib=cache_kib,
        )

    @property
    def agency_id(self) -> str:
        return self._agency_id
