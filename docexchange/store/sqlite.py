"""One SQLite connection with the durability settings every store needs.

Settings, and why:

- ``journal_mode=WAL``: readers never block the writer nor each other, so a report can read a
  register while the node keeps registering; there is still one writer at a time.
- ``synchronous=FULL``: in WAL mode every commit fsyncs the log, so a commit that returned
  survives a power cut (NORMAL would only guarantee consistency, not the last commits). This is
  what lets a node or the hub tell a sender "accepted" right after the commit. A simulation run
  may pass ``power_safe=False`` (NORMAL): commits still survive a crash of the process, only the
  last ones may be lost to a power cut, and a year of simulated exchange is not bound by fsync.
- ``foreign_keys=ON``: hops cannot point at a missing package, reroutes at a missing item.
- busy timeout: a writer waits for the lock up to ``busy_timeout`` seconds, then
  :class:`StoreBusyError`.
- Every write transaction starts with ``BEGIN IMMEDIATE``: the write lock is taken at the start,
  so two writers never both read a counter and then both fail to upgrade (a deadlock the busy
  timeout cannot resolve).

Threads: one :class:`Database` is one connection. It may be used from any thread (asyncio code
can hand calls to ``asyncio.to_thread`` or a one-worker executor), but calls are serialised by a
re-entrant lock, and a :meth:`Database.transaction` block holds that lock until it ends — never
``await`` inside one.

Schema versions: each component (``node``, ``hub``) keeps its own version in ``schema_version``,
so both may share a file. Opening applies the missing migrations in one transaction; a file newer
than the code is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from docexchange.store.errors import SchemaVersionError, StoreBusyError

Params = Sequence[Any]

DEFAULT_BUSY_TIMEOUT = 5.0

_BUSY_ERRORS = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


@dataclass(frozen=True)
class Migration:
    """Statements that take a component's schema from ``version - 1`` to ``version``."""

    version: int
    statements: tuple[str, ...]
    description: str = ""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name in _BUSY_ERRORS or "database is locked" in str(exc)


class Database:
    """A configured connection, transactions as a context manager, and migrations by version."""

    def __init__(
        self,
        path: Path,
        *,
        component: str,
        migrations: Sequence[Migration],
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        secure_delete: bool = False,
        power_safe: bool = True,
        cache_kib: int | None = None,
    ) -> None:
        self.path = Path(path)
        self._synchronous = "FULL" if power_safe else "NORMAL"
        self.component = component
        self._lock = threading.RLock()
        self._depth = 0
        # isolation_level=None: no implicit BEGIN; every transaction here is explicit.
        self._conn = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.row_factory = sqlite3.Row
            self._configure(secure_delete, busy_timeout, cache_kib)
            self.schema_version = self._migrate(migrations)
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------

    def _configure(self, secure_delete: bool, busy_timeout: float, cache_kib: int | None) -> None:
        # Switching a file to WAL needs an exclusive lock and SQLite answers "busy" at once, without
        # its busy handler, when another connection is opening the same new file: retry until the
        # busy timeout. Once a file is in WAL mode it stays so, and later openers never race here.
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusyError(f"{self.path} is locked by another connection") from exc
                time.sleep(0.01)
        if str(mode).lower() != "wal":
            raise SchemaVersionError(f"{self.path} cannot use WAL journaling (got {mode!r})")
        self._conn.execute(f"PRAGMA synchronous={self._synchronous}")  # one of two constants
        self._conn.execute("PRAGMA foreign_keys=ON")
        if cache_kib is not None:
            # SQLite's page cache (2 MiB by default) fills up as a store grows: hundreds of stores in
            # one simulation process would hold their whole working sets in memory.
            self._conn.execute(f"PRAGMA cache_size={-max(int(cache_kib), 64)}")  # an int, not text
        if secure_delete:
            # Deleted content (a destroyed copy) is overwritten with zeros, not left in free pages.
            self._conn.execute("PRAGMA secure_delete=ON")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- transactions ----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; commits on normal exit, rolls back on an exception.

        Nested blocks become savepoints, so a method that opens its own transaction can also
        run inside a caller's larger one (e.g. register a document and queue it atomically);
        then nothing is committed until the outermost block ends.
        """
        with self._lock:
            if self._depth == 0:
                self._run("BEGIN IMMEDIATE")
                begin, commit, rollback = None, "COMMIT", "ROLLBACK"
            else:
                name = f"sp{self._depth}"
                begin, commit, rollback = f"SAVEPOINT {name}", f"RELEASE {name}", f"ROLLBACK TO {name}"
                self._run(begin)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._conn.in_transaction:
                    self._conn.execute(rollback)
                    if begin is not None:  # a savepoint stays open after ROLLBACK TO
                        self._conn.execute(commit)
                raise
            self._depth -= 1
            try:
                self._run(commit)
            except BaseException:
                if self._depth == 0 and self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    # -- statements ------------------------------------------------------------------------

    def _run(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise StoreBusyError(
                    f"{self.path} stayed locked by another connection past the busy timeout"
                ) from exc
            raise

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one statement; outside a transaction it commits on its own (autocommit)."""
        with self._lock:
            return self._run(sql, params)

    def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._run(sql, params).fetchone()
            return row

    def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._run(sql, params).fetchall())

    def checkpoint(self) -> None:
        """Copy the WAL into the main file and truncate it, if no reader is in the way.

        Best effort: with readers active SQLite checkpoints what it can and keeps the log.
        """
        with self._lock:
            if self._depth == 0:
                self._run("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -- migrations ------------------------------------------------------------------------

    def _migrate(self, migrations: Sequence[Migration]) -> int:
        ordered = sorted(migrations, key=lambda m: m.version)
        if [m.version for m in ordered] != list(range(1, len(ordered) + 1)):
            raise SchemaVersionError(f"{self.component} migrations must be numbered 1..n without gaps")
        latest = len(ordered)
        with self.transaction():
            self._run(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " component TEXT PRIMARY KEY, version INTEGER NOT NULL CHECK (version >= 0))"
            )
            row = self._run(
                "SELECT version FROM schema_version WHERE component = ?", (self.component,)
            ).fetchone()
            current = 0 if row is None else int(row[0])
            if current > latest:
                raise SchemaVersionError(
                    f"{self.path} holds {self.component} schema version {current}; "
                    f"this code knows up to {latest}"
                )
            for migration in ordered[current:]:
                for statement in migration.statements:
                    self._run(statement)
            self._run(
                "INSERT INTO schema_version (component, version) VALUES (?, ?)"
                " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (self.component, latest),
            )
        return latest


class DatabaseOwner:
    """What every store shares: one :class:`Database`, its transactions, closing, ``with``."""

    _db: Database

    @property
    def path(self) -> Path:
        return self._db.path

    @property
    def schema_version(self) -> int:
        return self._db.schema_version

    def transaction(self) -> AbstractContextManager[None]:
        """Group calls into one transaction (nested calls become savepoints). Never await inside."""
        return self._db.transaction()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
