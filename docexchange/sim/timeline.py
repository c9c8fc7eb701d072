"""Working-time arithmetic on whole arrays of instants: the :class:`WorkingCalendar` as numbers.

An instant is a float of seconds since the Unix epoch. Every office session of every day the
calendar covers is laid end to end: an instant's *working coordinate* is the office time elapsed
from the calendar's first session to it. Then the office time between two instants is the
difference of their coordinates, and "``h`` working hours after ``t``" is the earliest instant whose
coordinate is ``h`` hours past ``t``'s — what :meth:`WorkingCalendar.working_time_between` and
:meth:`WorkingCalendar.add_working_time` say for one instant at a time (``tests/sim/test_timeline.py``
checks them against each other). The plan engine and the report use it for millions of deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from docexchange.clock import VIETNAM_TZ
from docexchange.sim.calendar import OutsideCalendarError, WorkingCalendar

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

DAY = 86_400
CHUNK = 1 << 20
"""Instants worked on at a time (bounds the temporaries of whole-run arrays)."""
VIETNAM_OFFSET = 7 * 3600  # UTC+07:00, no daylight saving


def local_day_number(t: Floats) -> Ints:
    """The Vietnam-time day of each instant, as days since 1970-01-01."""
    days: Ints = np.floor((t + VIETNAM_OFFSET) / DAY).astype(np.int64)
    return days


def day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def instant_of(seconds: float) -> datetime:
    """The Vietnam-time datetime of an epoch-seconds instant (microseconds kept)."""
    return datetime.fromtimestamp(0, VIETNAM_TZ) + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Timeline:
    """The sessions of every day of ``calendar``'s years, as arrays (see the module doc)."""

    calendar: WorkingCalendar
    starts: Floats  # session openings (epoch seconds), ascending
    lengths: Floats
    before: Floats  # office time of all earlier sessions
    first_day: int  # day number of the calendar's 1 January
    working_day_of: Ints  # per day (from first_day): the day number of the working day it counts for
    next_working_day: Ints  # per day: the first working day strictly after it

    @classmethod
    def of(cls, calendar: WorkingCalendar) -> Timeline:
        first_year, last_year = calendar.years
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
        working = np.array([calendar.is_working_day(d) for d in days], dtype=bool)
        starts: list[float] = []
        lengths: list[float] = []
        for d, works in zip(days, working, strict=True):
            if works:
                for opening, closing in calendar.office.sessions:
                    begin = datetime.combine(d, opening, VIETNAM_TZ).timestamp()
                    starts.append(begin)
                    lengths.append(datetime.combine(d, closing, VIETNAM_TZ).timestamp() - begin)
        length_array = np.array(lengths, dtype=np.float64)
        numbers = np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)
        # the next working day strictly after each day (past the calendar's end: a day after it)
        following = np.empty(len(days), dtype=np.int64)
        upcoming = numbers[-1] + 1
        for k in range(len(days) - 1, -1, -1):
            following[k] = upcoming
            if working[k]:
                upcoming = numbers[k]
        return cls(
            calendar=calendar,
            starts=np.array(starts, dtype=np.float64),
            lengths=length_array,
            before=np.concatenate(([0.0], np.cumsum(length_array)[:-1])),
            first_day=int(numbers[0]),
            working_day_of=np.where(working, numbers, following),
            next_working_day=following,
        )

    # ── working coordinates ─────────────────────────────────────────────────────────────────

    def coordinate(self, t: Floats) -> Floats:
        """Office seconds from the calendar's first session to each instant."""
        if len(t) > CHUNK:  # bounded temporaries: a year's deliveries are tens of millions
            return np.concatenate([self.coordinate(t[k : k + CHUNK]) for k in range(0, len(t), CHUNK)])
        self._covered(local_day_number(t))
        session = np.maximum(np.searchsorted(self.starts, t, side="right") - 1, 0)
        inside = np.clip(t - self.starts[session], 0.0, self.lengths[session])
        coordinate: Floats = np.where(t < self.starts[0], 0.0, self.before[session] + inside)
        return coordinate

    def instant(self, coordinate: Floats) -> Floats:
        """The earliest instant at each working coordinate (a session's end, not the next opening)."""
        ends = self.before + self.lengths
        if len(coordinate) and coordinate.max() > ends[-1]:  # past the last session: as the calendar says
            raise OutsideCalendarError(
                self._day(len(self.working_day_of) + self.first_day), self.calendar.years
            )
        session = np.minimum(np.searchsorted(ends, coordinate, side="left"), len(ends) - 1)
        at: Floats = self.starts[session] + (coordinate - self.before[session])
        return at

    def add_hours(self, t: Floats, hours: Floats) -> Floats:
        """``hours`` of office time after each instant (the instant itself for zero hours)."""
        later = self.instant(self.coordinate(t) + hours * 3600.0)
        result: Floats = np.where(hours > 0, later, t)
        return result

    def hours_between(self, a: Floats, b: Floats) -> Floats:
        """Office hours from ``a`` to ``b`` (zero when ``b <= a``)."""
        if len(a) > CHUNK:
            return np.concatenate(
                [self.hours_between(a[k : k + CHUNK], b[k : k + CHUNK]) for k in range(0, len(a), CHUNK)]
            )
        hours: Floats = np.maximum(self.coordinate(b) - self.coordinate(a), 0.0) / 3600.0
        return hours

    # ── days ────────────────────────────────────────────────────────────────────────────────

    def _covered(self, days: Ints) -> Ints:
        """``days`` (day numbers) as indexes into the per-day arrays; :class:`OutsideCalendarError`
        for a day outside the calendar's years, as :class:`WorkingCalendar` raises it."""
        index = days - self.first_day
        outside = (index < 0) | (index >= len(self.working_day_of))
        if outside.any():
            raise OutsideCalendarError(self._day(int(days[outside][0])), self.calendar.years)
        return index

    @staticmethod
    def _day(number: int) -> date:
        return date(1970, 1, 1) + timedelta(days=number)

    def counted_day(self, t: Floats) -> Ints:
        """The working day each instant counts for (:meth:`WorkingCalendar.working_day_of`)."""
        counted: Ints = self.working_day_of[self._covered(local_day_number(t))]
        self._covered(counted)  # a day off at the end counts for a working day past the calendar
        return counted

    def send_deadline(self, signed: Floats) -> Floats:
        """The end of the next working day's morning session after each signing day (Decision 28)."""
        following = self.next_working_day[self._covered(local_day_number(signed))]
        self._covered(following)
        morning_end = self.calendar.office.morning_end
        offset = morning_end.hour * 3600 + morning_end.minute * 60 + morning_end.second - VIETNAM_OFFSET
        deadline: Floats = following.astype(np.float64) * DAY + offset
        return deadline


def midnight(day: date) -> float:
    """Epoch seconds of ``day``'s midnight, Vietnam time."""
    return datetime.combine(day, time(0), VIETNAM_TZ).timestamp()


__all__ = ["Timeline", "day_number", "instant_of", "local_day_number", "midnight"]
