"""The working calendar of Vietnamese state agencies: working days, office hours, sending deadlines.

Decision 28/2018/QĐ-TTg has a document sent on the day it is signed, at the latest the morning of the
next working day, and urgent documents at once; Decree 30/2020 has receipt confirmed the same day.
Both rules need to know which days agencies work and when their offices are open. This module
answers that from the holiday file ``simulations/calendar/holidays.toml`` (format: the README there).

Pure: no clock is read, the caller passes every instant. Instants are taken in Vietnam time
(naive datetimes count as Vietnam time, as in :mod:`docexchange.clock`). A calendar covers a closed
range of years and refuses any date outside it with :class:`OutsideCalendarError`: treating a year
whose holidays are unknown as having none would silently count Tết as seven working days.

Office sessions are half-open, ``[start, end)``: at 11:30 the office is already at lunch, at 17:00
it is closed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from docexchange.clock import VIETNAM_TZ, as_vietnam_time
from docexchange.errors import DocexchangeError, ReasonCode

DEFAULT_CALENDAR = Path(__file__).resolve().parents[2] / "simulations" / "calendar" / "holidays.toml"

_SATURDAY = 5


class OutsideCalendarError(DocexchangeError, ValueError):
    """A date falls outside the years whose holidays the calendar holds."""

    def __init__(self, day: date, years: tuple[int, int]) -> None:
        first, last = years
        super().__init__(
            ReasonCode.INVALID_CALENDAR,
            f"{day.isoformat()} is outside the working calendar, which covers {first}–{last}: "
            f"the holidays of {day.year} are not loaded",
        )
        self.day = day
        self.years = years


class CalendarFileError(DocexchangeError):
    """A holiday file cannot be used; the message is ``<file>: <key>: <reason>``."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        # ReasonCode has no code for data files of the simulation yet (the scenario loader does the same).
        super().__init__(ReasonCode.INVALID_CALENDAR, where + reason)
        self.file = str(file)
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class OfficeHours:
    """The two daily sessions of a government office, as wall-clock times in Vietnam time.

    The defaults are the usual hours of Vietnamese administrative offices; agencies and provinces
    differ (some switch between summer and winter hours), hence the ``[office_hours]`` table.
    ``morning_end == afternoon_start`` is allowed and means no lunch break.
    """

    morning_start: time = time(7, 30)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 0)
    afternoon_end: time = time(17, 0)

    def __post_init__(self) -> None:
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(t.tzinfo is not None for t in times):
            raise ValueError(
                "office hours are wall-clock times in Vietnam time: give them without a time zone"
            )
        if not self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end:
            raise ValueError(
                "office hours out of order: expected morning_start < morning_end <= afternoon_start"
                f" < afternoon_end, got {' '.join(t.isoformat('minutes') for t in times)}"
            )

    @property
    def sessions(self) -> tuple[tuple[time, time], tuple[time, time]]:
        """The morning and afternoon sessions, each ``(start, end)``."""
        return (self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)

    @property
    def daily(self) -> timedelta:
        """Office time in one working day."""
        return sum((_span(start, end) for start, end in self.sessions), timedelta(0))


@dataclass(frozen=True, kw_only=True)
class WorkingCalendar:
    """Which days agencies work and when their offices are open, for the years ``years`` (inclusive).

    ``holidays`` are days off (a holiday on a weekend changes nothing; its compensatory day must be
    listed itself); ``extra_working_days`` are weekend days worked to make up a swapped day off.
    """

    holidays: frozenset[date]
    office: OfficeHours
    years: tuple[int, int]
    extra_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        first, last = self.years
        if first > last:
            raise ValueError(f"years must be (first, last) with first <= last, got {self.years}")
        for label, days in (("holiday", self.holidays), ("extra working day", self.extra_working_days)):
            if any(isinstance(day, datetime) for day in days):
                raise ValueError(f"{label}s must be dates, not datetimes")
            for day in sorted(days):
                if not first <= day.year <= last:
                    raise ValueError(f"{label} {day} is outside the calendar's years {first}–{last}")
        both = sorted(self.holidays & self.extra_working_days)
        if both:
            raise ValueError(f"{both[0]} is both a holiday and an extra working day")
        # A day's sessions, computed once: whole years of working-time arithmetic ask for the same
        # few hundred days millions of times (the calendar itself never changes).
        object.__setattr__(self, "_sessions", {})
        object.__setattr__(self, "_following", {})  # day → the next working day

    # ── days ────────────────────────────────────────────────────────────────────────────────

    def covers(self, day: date) -> bool:
        """Whether ``day`` (a datetime: its Vietnam date) falls in the loaded years."""
        first, last = self.years
        return first <= _vietnam_date(day).year <= last

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday, or an extra working day (làm bù)."""
        day = self._checked(day)
        if day in self.extra_working_days:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self._next_working_day(self._checked(day))

    def _next_working_day(self, day: date) -> date:
        cache: dict[date, date] = self._following  # type: ignore[attr-defined]
        known = cache.get(day)
        if known is None:
            candidate = day + timedelta(days=1)
            while not self.is_working_day(candidate):
                candidate += timedelta(days=1)
            known = cache[day] = candidate
        return known

    def working_day_of(self, t: datetime) -> date:
        """The working day an instant counts for: its own date, or the next working day after a day off.

        A document arriving on Saturday is handled on Monday, so it counts for Monday.
        """
        day = self._checked(t)
        return day if self.is_working_day(day) else self.next_working_day(day)

    def same_working_day(self, a: datetime, b: datetime) -> bool:
        """Whether ``a`` and ``b`` count for the same working day (see :meth:`working_day_of`).

        This is the test of Decree 30/2020's "confirm receipt the same day": a document received on
        Saturday and confirmed on Monday morning passes; one received on Friday evening and confirmed
        on Monday does not.
        """
        return self.working_day_of(a) == self.working_day_of(b)

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included (empty when ``end < start``)."""
        first, last = self._checked(start), self._checked(end)
        return [day for day in _dates(first, last) if self.is_working_day(day)]

    # ── office time ─────────────────────────────────────────────────────────────────────────

    def is_office_time(self, t: datetime) -> bool:
        """Whether ``t`` falls in a session of a working day."""
        t = self._instant(t)
        return any(start <= t < end for start, end in self._sessions_on(t.date()))

    def next_office_time(self, t: datetime) -> datetime:
        """``t`` itself when the office is open, otherwise the next opening (after lunch, next morning)."""
        return self._next_office(self._instant(t))

    def _next_office(self, t: datetime) -> datetime:
        """:meth:`next_office_time` of an instant already in Vietnam time and in the calendar."""
        for start, end in self._sessions_on(t.date()):
            if t < end:
                return max(t, start)
        return self._at(self._next_working_day(t.date()), self.office.morning_start)

    def next_working_morning(self, t: datetime) -> datetime:
        """The opening of the first working day after ``t``'s date."""
        t = self._instant(t)
        return self._at(self.next_working_day(t.date()), self.office.morning_start)

    def send_deadline(self, signed_at: datetime, *, urgent: bool = False) -> datetime:
        """The latest instant a document signed at ``signed_at`` may be sent (Decision 28/2018/QĐ-TTg).

        Normal documents: on the day of signing, at the latest the morning of the next working day,
        so the end of that morning session. Urgent documents (khẩn, thượng khẩn, hỏa tốc): at once,
        so ``signed_at`` itself.
        """
        signed_at = self._instant(signed_at)
        if urgent:
            return signed_at
        return self._at(self.next_working_day(signed_at.date()), self.office.morning_end)

    def add_working_time(self, t: datetime, delta: timedelta) -> datetime:
        """The earliest instant after ``delta`` of office time from ``t``.

        Nights, lunch, weekends and holidays do not count. The result of a positive ``delta`` lies in
        office time or at a session end (so two hours from 09:30 is 11:30, not 13:00).
        """
        if delta < timedelta(0):
            raise ValueError(f"delta must not be negative, got {delta}")
        t = self._instant(t)
        remaining = delta
        while remaining > timedelta(0):
            start = self._next_office(t)
            end = self._session_end(start)
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
            t = end
        return t

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time elapsed from ``a`` to ``b``; zero when ``b <= a``."""
        a, b = self._instant(a), self._instant(b)
        if b <= a:
            return timedelta(0)
        total = timedelta(0)
        for day in _dates(a.date(), b.date()):
            for start, end in self._sessions_on(day):
                low, high = max(start, a), min(end, b)
                if high > low:
                    total += high - low
        return total

    # ── helpers ─────────────────────────────────────────────────────────────────────────────

    def _checked(self, day: date) -> date:
        day = _vietnam_date(day)
        if not self.covers(day):
            raise OutsideCalendarError(day, self.years)
        return day

    def _instant(self, t: datetime) -> datetime:
        t = as_vietnam_time(t)
        self._checked(t.date())
        return t

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=VIETNAM_TZ)

    def _sessions_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        cache: dict[date, tuple[tuple[datetime, datetime], ...]] = self._sessions  # type: ignore[attr-defined]
        known = cache.get(day)
        if known is None:
            known = cache[day] = (
                tuple((self._at(day, start), self._at(day, end)) for start, end in self.office.sessions)
                if self.is_working_day(day)
                else ()
            )
        return known

    def _session_end(self, t: datetime) -> datetime:
        """The end of the session ``t`` falls in; ``t`` must be office time."""
        for start, end in self._sessions_on(t.date()):
            if start <= t < end:
                return end
        raise AssertionError(f"{t} is not office time")  # pragma: no cover - guarded by next_office_time


def _vietnam_date(day: date) -> date:
    if isinstance(day, datetime):
        return as_vietnam_time(day).date()
    return day


def _dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


# ── loading the holiday file ─────────────────────────────────────────────────────────────────

_TOP_KEYS = ("about", "office_hours", "years")
_ABOUT_KEYS = ("title", "scope", "sources")
_OFFICE_KEYS = ("morning_start", "morning_end", "afternoon_start", "afternoon_end")
_YEAR_KEYS = ("sources", "holidays", "extra_working_days")
_HOLIDAY_KEYS = ("date", "name", "note", "inferred")
_EXTRA_DAY_KEYS = ("date", "note", "inferred")
_YEAR = re.compile(r"^[0-9]{4}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class _Problem(Exception):
    """A defect at ``key``; becomes a CalendarFileError once the file name is known."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def load_calendar(path: Path | str | None = None) -> WorkingCalendar:
    """Read and check a holiday file; the default is ``simulations/calendar/holidays.toml``."""
    file = DEFAULT_CALENDAR if path is None else Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarFileError(file, "", f"cannot read file: {exc}") from exc
    return parse_calendar(text, file)


def parse_calendar(text: str, file: Path | str = "<calendar>") -> WorkingCalendar:
    """Check the TOML text of a holiday file; ``file`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(file, "", f"TOML syntax error: {exc}") from exc
    try:
        return _calendar(data)
    except _Problem as problem:
        raise CalendarFileError(file, problem.key, problem.reason) from None


def _calendar(data: dict[str, Any]) -> WorkingCalendar:
    _only_keys(data, _TOP_KEYS, "")
    if "about" in data:
        _about(data["about"])
    office = _office_hours(data.get("office_hours", {}))
    if "years" not in data:
        raise _Problem("years", "missing: a holiday file lists its years as [years.<year>] tables")
    years = _table(data["years"], "years")
    first, last = _year_range(years)
    holidays: dict[date, str] = {}
    extra: dict[date, str] = {}
    for year in range(first, last + 1):
        _year(years[str(year)], year, holidays, extra)
    return WorkingCalendar(
        holidays=frozenset(holidays), office=office, years=(first, last), extra_working_days=frozenset(extra)
    )


def _about(value: object) -> None:
    about = _table(value, "about")
    _only_keys(about, _ABOUT_KEYS, "about")
    for key in ("title", "scope"):
        if key in about:
            _text(about[key], f"about.{key}")
    if "sources" in about:
        _texts(about["sources"], "about.sources")


def _office_hours(value: object) -> OfficeHours:
    table = _table(value, "office_hours")
    _only_keys(table, _OFFICE_KEYS, "office_hours")
    times = {key: _clock_time(table[key], f"office_hours.{key}") for key in _OFFICE_KEYS if key in table}
    try:
        return OfficeHours(**times)
    except ValueError as exc:
        raise _Problem("office_hours", str(exc)) from None


def _year_range(years: dict[str, Any]) -> tuple[int, int]:
    if not years:
        raise _Problem("years", "lists no year")
    for key in years:
        if not _YEAR.match(key):
            raise _Problem(f"years.{key}", "is not a year (expected four digits, e.g. [years.2019])")
    numbers = sorted(int(key) for key in years)
    missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if missing:
        raise _Problem(
            "years",
            f"must be consecutive: {', '.join(map(str, missing))} missing between {numbers[0]} and "
            f"{numbers[-1]} (a year with no table would count as having no holidays)",
        )
    return numbers[0], numbers[-1]


def _year(value: object, year: int, holidays: dict[date, str], extra: dict[date, str]) -> None:
    key = f"years.{year}"
    table = _table(value, key)
    _only_keys(table, _YEAR_KEYS, key)
    if "sources" in table:
        _texts(table["sources"], f"{key}.sources")
    if "holidays" not in table:
        raise _Problem(f"{key}.holidays", "missing: every year lists its holidays")
    entries = _array(table["holidays"], f"{key}.holidays")
    if not entries:
        raise _Problem(f"{key}.holidays", "is empty: every Vietnamese year has statutory holidays")
    for i, entry in enumerate(entries):
        where = f"{key}.holidays[{i}]"
        day = _entry(entry, where, year, _HOLIDAY_KEYS)
        _text(_need(entry, "name", where), f"{where}.name")
        _claim(day, where, holidays, "holiday")
    for i, entry in enumerate(_array(table.get("extra_working_days", []), f"{key}.extra_working_days")):
        where = f"{key}.extra_working_days[{i}]"
        day = _entry(entry, where, year, _EXTRA_DAY_KEYS)
        if day.weekday() < _SATURDAY:
            raise _Problem(
                f"{where}.date", f"{day} is a {day:%A}: an extra working day is a Saturday or Sunday"
            )
        if day in holidays:
            raise _Problem(f"{where}.date", f"{day} is also a holiday (at {holidays[day]})")
        _claim(day, where, extra, "extra working day")


def _entry(value: object, where: str, year: int, keys: tuple[str, ...]) -> date:
    """Check the keys shared by holidays and extra working days; return the date."""
    entry = _table(value, where)
    _only_keys(entry, keys, where)
    day = _calendar_date(_need(entry, "date", where), f"{where}.date")
    if day.year != year:
        raise _Problem(
            f"{where}.date", f"{day} falls in {day.year}, not in {year}: list it under [years.{day.year}]"
        )
    if "note" in entry:
        _text(entry["note"], f"{where}.note")
    if "inferred" in entry and not isinstance(entry["inferred"], bool):
        raise _Problem(f"{where}.inferred", f"expected true or false, got {entry['inferred']!r}")
    return day


def _claim(day: date, where: str, seen: dict[date, str], label: str) -> None:
    if day in seen:
        raise _Problem(f"{where}.date", f"duplicate {label} {day} (first at {seen[day]})")
    seen[day] = where


# ── value checks ─────────────────────────────────────────────────────────────────────────────


def _only_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise _Problem(name, f"unknown key (expected {', '.join(allowed)})")


def _need(table: dict[str, Any], key: str, where: str) -> object:
    if key not in table:
        raise _Problem(f"{where}.{key}", "missing")
    return table[key]


def _table(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Problem(key, f"expected a table, got {type(value).__name__}")
    return value


def _array(value: object, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Problem(key, f"expected an array, got {type(value).__name__}")
    return value


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Problem(key, f"expected a non-empty string, got {value!r}")
    return value


def _texts(value: object, key: str) -> list[str]:
    return [_text(item, f"{key}[{i}]") for i, item in enumerate(_array(value, key))]


def _calendar_date(value: object, key: str) -> date:
    """A TOML local date (``2019-09-02``) or the same as a string."""
    if isinstance(value, datetime):
        raise _Problem(key, f"expected a date without a time, got {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Problem(key, f"expected a date like 2019-09-02, got {value!r}")


def _clock_time(value: object, key: str) -> time:
    """A TOML local time (``07:30:00``) or a string ``"HH:MM"``."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise _Problem(key, "expected a local time without a time zone (office hours are Vietnam time)")
        return value
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match:
            return time(int(match[1]), int(match[2]))
    raise _Problem(key, f'expected a time like "07:30", got {value!r}')
