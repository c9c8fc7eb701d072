"""Connection settings, migrations by version, transactions, and how times are stored."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from docexchange.store import Database, Migration, NodeStore, SchemaVersionError
from docexchange.store.codec import decode_time, encode_time
from tests.store.factories import VPCP, at

_V1 = Migration(1, ("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",))
_V2 = Migration(2, ("ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'",))


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_node_store_runs_in_wal_with_full_sync_and_foreign_keys(node: NodeStore, db_path: Path) -> None:
    assert _pragma(db_path, "journal_mode") == "wal"  # persistent in the file
    conn = node._db._conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_a_store_page_cache_can_be_made_small_for_runs_with_many_stores(tmp_path: Path) -> None:
    with NodeStore(tmp_path / "small.sqlite", VPCP, cache_kib=256) as small:
        assert small._db._conn.execute("PRAGMA cache_size").fetchone()[0] == -256  # KiB
    with NodeStore(tmp_path / "default.sqlite", VPCP) as default:
        assert default._db._conn.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's own


def test_schema_version_is_recorded_per_component(db_path: Path) -> None:
    NodeStore(db_path, VPCP).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT component, version FROM schema_version").fetchall() == [("node", 1)]


def test_migrations_apply_only_what_is_missing(db_path: Path) -> None:
    first = Database(db_path, component="demo", migrations=[_V1])
    first.execute("INSERT INTO things (name) VALUES (?)", ("công văn",))
    first.close()
    second = Database(db_path, component="demo", migrations=[_V2, _V1])
    assert second.schema_version == 2
    row = second.fetchone("SELECT name, colour FROM things")
    assert row is not None and (row["name"], row["colour"]) == ("công văn", "red")
    second.close()


def test_a_file_from_a_newer_schema_is_refused(db_path: Path) -> None:
    Database(db_path, component="demo", migrations=[_V1, _V2]).close()
    with pytest.raises(SchemaVersionError, match="version 2"):
        Database(db_path, component="demo", migrations=[_V1])


def test_migrations_must_be_numbered_without_gaps(db_path: Path) -> None:
    with pytest.raises(SchemaVersionError, match="without gaps"):
        Database(db_path, component="demo", migrations=[_V2])


def test_an_exception_rolls_back_the_whole_transaction(db_path: Path) -> None:
    db = Database(db_path, component="demo", migrations=[_V1])
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO things (name) VALUES (?)", ("a",))
        raise RuntimeError("crash mid-way")
    assert db.fetchall("SELECT name FROM things") == []
    db.close()


def test_a_failing_nested_block_rolls_back_only_itself(db_path: Path) -> None:
    db = Database(db_path, component="demo", migrations=[_V1])
    with db.transaction():
        db.execute("INSERT INTO things (name) VALUES (?)", ("kept",))
        with pytest.raises(sqlite3.IntegrityError), db.transaction():
            db.execute("INSERT INTO things (name) VALUES (?)", ("dropped",))
            db.execute("INSERT INTO things (name) VALUES (?)", ("kept",))  # unique violation
        assert db.in_transaction
    assert [r["name"] for r in db.fetchall("SELECT name FROM things")] == ["kept"]
    db.close()


def test_times_are_stored_in_vietnam_time_with_a_fixed_width() -> None:
    utc = datetime(2019, 3, 12, 1, 0, tzinfo=UTC)
    assert encode_time(utc) == "2019-03-12T08:00:00.000000+07:00"
    assert decode_time(encode_time(utc)) == utc


def test_stored_times_sort_as_instants_whatever_the_input_offset() -> None:
    earlier = datetime(2019, 3, 12, 7, 30, tzinfo=UTC)  # 14:30 in Hà Nội
    later = at(2019, 3, 12, 14, 45)
    assert encode_time(earlier) < encode_time(later)
    assert encode_time(later) < encode_time(later + timedelta(microseconds=1))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        encode_time(datetime(2019, 3, 12, 8, 0))
