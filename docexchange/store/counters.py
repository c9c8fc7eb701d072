"""Per-agency yearly counters behind the document numbers and the incoming numbers.

A counter row holds the last number handed out, so a restart continues where the last process
stopped. Callers run these inside a write transaction: ``BEGIN IMMEDIATE`` holds the write lock,
so two connections cannot both read the same ``last``.
"""

from __future__ import annotations

from typing import Literal

from docexchange.store.sqlite import Database

Register = Literal["outgoing", "incoming"]


def allocate(db: Database, agency_id: str, register: Register, year: int, series: str) -> int:
    """The next number of the series (1 for a new year or series), recorded as handed out."""
    db.execute(
        "INSERT INTO counters (agency_id, register, year, series, last) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (agency_id, register, year, series) DO UPDATE SET last = last + 1",
        (agency_id, register, year, series),
    )
    return current(db, agency_id, register, year, series)


def advance_to(db: Database, agency_id: str, register: Register, year: int, series: str, number: int) -> None:
    """Make sure the series never hands out ``number`` again (a number registered by hand)."""
    db.execute(
        "INSERT INTO counters (agency_id, register, year, series, last) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (agency_id, register, year, series) DO UPDATE SET last = max(last, excluded.last)",
        (agency_id, register, year, series, number),
    )


def current(db: Database, agency_id: str, register: Register, year: int, series: str) -> int:
    """The last number handed out in the series (0 if none yet)."""
    row = db.fetchone(
        "SELECT last FROM counters WHERE agency_id = ? AND register = ? AND year = ? AND series = ?",
        (agency_id, register, year, series),
    )
    return 0 if row is None else int(row["last"])
