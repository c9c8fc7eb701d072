"""The one clock every component reads time from.

Nothing in the package calls ``datetime.now()`` on its own: components take a :class:`Clock`.
Vietnam time is UTC+07:00 with no daylight saving, so a fixed offset is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """Real time in Vietnam time (used by interactive commands and, later, ``serve``)."""

    def now(self) -> datetime:
        return datetime.now(VIETNAM_TZ).replace(microsecond=0)


class FixedClock:
    """A clock that stays where it is set; tests and simulations move it explicitly."""

    def __init__(self, at: datetime) -> None:
        self._at = as_vietnam_time(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_vietnam_time(at)

    def advance(self, delta: timedelta) -> None:
        self._at = self._at + delta


def as_vietnam_time(value: datetime) -> datetime:
    """Interpret naive datetimes as Vietnam time and convert aware ones to it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VIETNAM_TZ)
    return value.astimezone(VIETNAM_TZ)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant (date or date-time); naive values are Vietnam time.

    ValueError for anything unparseable or out of range.
    """
    try:
        return as_vietnam_time(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError(f"{text!r} is out of range") from None
