"""The one clock every component reads time from.

Nothing in the package calls ``datetime.now()`` on its own: components take a :class:`Clock`.
Vietnam time is UTC+07:00 with no daylight saving, so a fixed offset is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol

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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class SharedClock:
    """A :class:`FixedClock` whose instant lives in shared memory: the process that moves it (a
    simulation's coordinator) and the processes that read it (its node workers) see one clock.

    ``cell`` is a ``multiprocessing`` ``RawValue("q")`` handed to the workers when they are
    spawned; it holds microseconds since the epoch, which is exact for every ``datetime``. Reads
    need no lock: the coordinator moves the clock only between steps, and a worker reads it after
    the message that starts its part of the step.
    """

    def __init__(self, cell: Any, at: datetime | None = None) -> None:
        self._cell = cell
        self._raw = -1
        self._at = _EPOCH
        if at is not None:
            self.set(at)

    @property
    def cell(self) -> Any:
        return self._cell

    def now(self) -> datetime:
        raw = int(self._cell.value)
        if raw != self._raw:
            self._raw = raw
            self._at = (_EPOCH + raw * _MICROSECOND).astimezone(VIETNAM_TZ)
        return self._at

    def set(self, at: datetime) -> None:
        self._cell.value = (as_vietnam_time(at) - _EPOCH) // _MICROSECOND

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


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
