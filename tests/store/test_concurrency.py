"""Two connections on one file (WAL): readers are never blocked, writers take turns, waits are bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from docexchange.store import HubStore, NewPackage, NodeStore, PayloadKind, StoreBusyError
from tests.store.factories import LAO_CAI, VPCP, at, incoming


def test_a_reader_sees_only_committed_rows_while_another_connection_writes(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as writer, NodeStore(db_path, VPCP) as reader:
        writer.register_incoming(incoming(1))
        with writer.transaction():
            writer.register_incoming(incoming(2))
            assert [e.incoming_number for e in reader.list_incoming()] == [1]  # not blocked, not dirty
        assert [e.incoming_number for e in reader.list_incoming()] == [1, 2]


def test_a_second_writer_gives_up_after_the_busy_timeout(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as holder, NodeStore(db_path, LAO_CAI, busy_timeout=0.2) as other:
        with holder.transaction():
            holder.next_number(2019)
            started = time.monotonic()
            with pytest.raises(StoreBusyError, match="locked"):
                other.next_number(2019)
            assert time.monotonic() - started >= 0.15
        assert other.next_number(2019) == 1  # the lock is free again


def test_a_second_writer_waits_for_the_first_within_the_timeout(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as holder, NodeStore(db_path, VPCP, busy_timeout=5) as other:
        released = threading.Event()

        def hold() -> None:
            with holder.transaction():
                holder.next_number(2019)
                released.wait(5)
                time.sleep(0.1)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            while not holder._db.in_transaction:
                time.sleep(0.005)
            released.set()
            assert other.next_number(2019) == 2  # waited for the holder's commit, then went on
        finally:
            thread.join()


def test_concurrent_writers_never_hand_out_a_number_twice(db_path: Path) -> None:
    # The file does not exist yet: the four connections also race to create the schema.
    results: list[int] = []
    lock = threading.Lock()

    def allocate() -> None:
        with NodeStore(db_path, VPCP, busy_timeout=10) as store:
            for _ in range(25):
                number = store.next_number(2019)
                with lock:
                    results.append(number)

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 101))


def test_one_store_object_can_be_shared_by_threads(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as store:
        threads = [
            threading.Thread(target=lambda n=n: store.register_incoming(incoming(n))) for n in range(1, 21)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [e.incoming_number for e in store.list_incoming()] == list(range(1, 21))


def test_the_same_upload_through_two_connections_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    package = NewPackage(PayloadKind.DOCUMENT, "doc", VPCP, LAO_CAI, b"bytes", at(2019, 3, 12))
    with HubStore(path) as one, HubStore(path) as two:
        outcomes = [one.accept(package)[1], two.accept(package)[1]]
        assert outcomes == [False, True]
        assert len(one.inbox(LAO_CAI)) == len(two.inbox(LAO_CAI)) == 1


def _race_to_open(path: Path, openers: int = 8) -> list[str]:
    """``openers`` connections open the same new file at the same instant; returns their failures."""
    barrier = threading.Barrier(openers)
    errors: list[str] = []

    def opener() -> None:
        barrier.wait()
        try:
            with NodeStore(path, VPCP, busy_timeout=5) as store:
                store.next_number(2019)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=opener) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_connections_racing_to_open_a_new_file_all_wait_instead_of_failing(tmp_path: Path) -> None:
    """Switching a new file to WAL answers "busy" without SQLite's busy handler; the store retries.

    Before the retry, 16 of 400 rounds of this race failed to open (measured 2026-11-22).
    """
    for round_ in range(40):
        assert _race_to_open(tmp_path / f"race-{round_}.sqlite3") == []
