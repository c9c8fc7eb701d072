"""The working calendar: holidays, office hours, Decision 28 sending deadlines, and the holiday file."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.sim.calendar import (
    DEFAULT_CALENDAR,
    CalendarFileError,
    OfficeHours,
    OutsideCalendarError,
    WorkingCalendar,
    load_calendar,
    parse_calendar,
)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_calendar()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM_TZ)


# ── the holiday data ─────────────────────────────────────────────────────────────────────────


def test_the_default_file_covers_2008_to_2026(cal: WorkingCalendar) -> None:
    assert DEFAULT_CALENDAR.is_file()
    assert cal.years == (2008, 2026)
    assert cal.office == OfficeHours(time(7, 30), time(11, 30), time(13, 0), time(17, 0))


def test_national_day_2019_is_not_a_working_day_but_the_next_day_is(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2019, 9, 2))  # a Monday
    assert cal.is_working_day(date(2019, 9, 3))


@pytest.mark.parametrize("year", [2008, 2013, 2014, 2015, 2019, 2020, 2024, 2025, 2026])
def test_victory_day_and_labour_day_are_days_off(cal: WorkingCalendar, year: int) -> None:
    assert not cal.is_working_day(date(year, 4, 30))
    assert not cal.is_working_day(date(year, 5, 1))


def test_national_day_has_two_days_from_2021(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2021, 9, 3))  # Friday after Thursday 2/9
    assert not cal.is_working_day(date(2024, 9, 3))  # Tuesday after Monday 2/9
    assert cal.is_working_day(date(2020, 9, 3))  # before Labour Code 2019: one day only


def test_tet_2018_weekdays_are_off_and_the_days_around_are_worked(cal: WorkingCalendar) -> None:
    for day in (14, 15, 16, 19, 20):  # 29 tháng Chạp to mùng 5, Tết Mậu Tuất
        assert not cal.is_working_day(date(2018, 2, day)), day
    assert cal.is_working_day(date(2018, 2, 13))
    assert cal.is_working_day(date(2018, 2, 21))


def test_compensatory_days_off_follow_a_holiday_on_a_weekend(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2017, 1, 2))  # 1/1/2017 was a Sunday
    assert not cal.is_working_day(date(2019, 4, 15))  # Giỗ Tổ on Sunday 14/4/2019
    assert not cal.is_working_day(date(2022, 5, 3))  # 30/4 and 1/5/2022 on Saturday and Sunday


def test_a_swapped_day_off_and_its_make_up_saturday(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2019, 4, 29))  # Monday off ...
    assert cal.is_working_day(date(2019, 5, 4))  # ... made up on Saturday 4/5/2019
    assert cal.is_working_day(date(2011, 1, 30))  # the one Sunday worked (Tết 2011)


def test_weekends_are_not_working_days(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2019, 3, 9))  # Saturday
    assert not cal.is_working_day(date(2019, 3, 10))  # Sunday
    assert cal.is_working_day(date(2019, 3, 11))  # Monday


# Labour Code 1994/2007: 9 days; 2012 (from 1/5/2013, so Tết 2013 still had 4): 10; 2019 (from 2021): 11.
# A swap across a year end moves one day: off in one year, made up in the next.
_SWAPS_ACROSS_YEAR_END = {2012: +1, 2013: -1, 2014: -1, 2015: +1, 2018: +1, 2019: -1}


def _statutory_days(year: int) -> int:
    return 9 if year <= 2013 else 10 if year <= 2020 else 11


@pytest.mark.parametrize("year", range(2008, 2027))
def test_each_year_gives_the_labour_code_number_of_days_off(cal: WorkingCalendar, year: int) -> None:
    weekdays = [d for d in _dates(date(year, 1, 1), date(year, 12, 31)) if d.weekday() < 5]
    worked_weekends = [d for d in cal.extra_working_days if d.year == year]
    days_off = sum(not cal.is_working_day(d) for d in weekdays) - len(worked_weekends)
    assert days_off == _statutory_days(year) + _SWAPS_ACROSS_YEAR_END.get(year, 0)


# ── office hours ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (time(7, 29, 59), False),
        (time(7, 30), True),
        (time(11, 29, 59), True),
        (time(11, 30), False),  # lunch starts
        (time(12, 59, 59), False),
        (time(13, 0), True),
        (time(16, 59, 59), True),
        (time(17, 0), False),  # closed
    ],
)
def test_office_hours_boundaries(cal: WorkingCalendar, at: time, open_: bool) -> None:
    assert cal.is_office_time(datetime.combine(date(2019, 3, 11), at, tzinfo=VIETNAM_TZ)) is open_


def test_no_office_time_on_a_holiday(cal: WorkingCalendar) -> None:
    assert not cal.is_office_time(vn(2019, 9, 2, 9))


def test_next_office_time(cal: WorkingCalendar) -> None:
    assert cal.next_office_time(vn(2019, 3, 11, 10)) == vn(2019, 3, 11, 10)
    assert cal.next_office_time(vn(2019, 3, 11, 6)) == vn(2019, 3, 11, 7, 30)
    assert cal.next_office_time(vn(2019, 3, 11, 11, 30)) == vn(2019, 3, 11, 13)
    assert cal.next_office_time(vn(2019, 3, 15, 17)) == vn(2019, 3, 18, 7, 30)  # Friday → Monday
    assert cal.next_office_time(vn(2019, 8, 30, 18)) == vn(2019, 9, 3, 7, 30)  # over 2/9/2019


def test_next_working_morning_skips_weekends_and_holidays(cal: WorkingCalendar) -> None:
    assert cal.next_working_morning(vn(2019, 3, 11, 6)) == vn(2019, 3, 12, 7, 30)  # after the date
    assert cal.next_working_morning(vn(2019, 3, 16, 10)) == vn(2019, 3, 18, 7, 30)
    assert cal.next_working_morning(vn(2019, 8, 30, 10)) == vn(2019, 9, 3, 7, 30)


def test_naive_times_are_vietnam_time_and_aware_ones_are_converted(cal: WorkingCalendar) -> None:
    assert cal.is_office_time(datetime(2019, 3, 11, 8, 0))
    assert cal.is_office_time(datetime(2019, 3, 11, 1, 0, tzinfo=UTC))  # 08:00 in Hà Nội
    assert not cal.is_office_time(datetime(2019, 3, 11, 10, 30, tzinfo=UTC))  # 17:30 in Hà Nội
    assert cal.next_office_time(datetime(2019, 3, 11, 11, 0, tzinfo=UTC)).tzinfo == VIETNAM_TZ


# ── Decision 28: sending deadlines ───────────────────────────────────────────────────────────


def test_a_document_is_sent_at_the_latest_the_next_working_morning(cal: WorkingCalendar) -> None:
    assert cal.send_deadline(vn(2019, 3, 11, 10)) == vn(2019, 3, 12, 11, 30)


def test_signed_on_friday_before_a_monday_holiday_it_goes_by_tuesday_morning(cal: WorkingCalendar) -> None:
    assert cal.send_deadline(vn(2019, 8, 30, 16)) == vn(2019, 9, 3, 11, 30)


def test_signed_on_a_saturday_it_goes_by_monday_morning(cal: WorkingCalendar) -> None:
    assert cal.send_deadline(vn(2019, 3, 16, 9)) == vn(2019, 3, 18, 11, 30)


def test_signed_before_tet_it_goes_by_the_first_morning_after_tet(cal: WorkingCalendar) -> None:
    assert cal.send_deadline(vn(2018, 2, 13, 15)) == vn(2018, 2, 21, 11, 30)


def test_an_urgent_document_goes_at_once(cal: WorkingCalendar) -> None:
    signed = datetime(2019, 8, 30, 9, 15, tzinfo=UTC)  # 16:15 in Vietnam
    deadline = cal.send_deadline(signed, urgent=True)
    assert deadline == signed
    assert deadline.tzinfo == VIETNAM_TZ


# ── counting office time ─────────────────────────────────────────────────────────────────────


def test_add_working_time_inside_a_session_and_across_lunch(cal: WorkingCalendar) -> None:
    assert cal.add_working_time(vn(2019, 3, 11, 9), timedelta(hours=2)) == vn(2019, 3, 11, 11)
    assert cal.add_working_time(vn(2019, 3, 11, 9, 30), timedelta(hours=2)) == vn(2019, 3, 11, 11, 30)
    assert cal.add_working_time(vn(2019, 3, 11, 10, 30), timedelta(hours=2)) == vn(2019, 3, 11, 14)


def test_add_working_time_across_a_weekend(cal: WorkingCalendar) -> None:
    assert cal.add_working_time(vn(2019, 3, 15, 16), timedelta(hours=2)) == vn(2019, 3, 18, 8, 30)


def test_add_working_time_across_a_weekend_and_a_holiday(cal: WorkingCalendar) -> None:
    assert cal.add_working_time(vn(2019, 8, 30, 16), timedelta(hours=2)) == vn(2019, 9, 3, 8, 30)


def test_add_working_time_across_tet(cal: WorkingCalendar) -> None:
    start = vn(2018, 2, 13, 7, 30)
    assert cal.add_working_time(start, timedelta(hours=8)) == vn(2018, 2, 13, 17)
    assert cal.add_working_time(start, timedelta(hours=8, minutes=1)) == vn(2018, 2, 21, 7, 31)


def test_add_working_time_from_outside_office_hours_starts_at_the_next_opening(cal: WorkingCalendar) -> None:
    assert cal.add_working_time(vn(2019, 3, 16, 10), timedelta(hours=1)) == vn(2019, 3, 18, 8, 30)
    assert cal.add_working_time(vn(2019, 3, 16, 10), timedelta(0)) == vn(2019, 3, 16, 10)


def test_add_working_time_refuses_a_negative_delta(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_time(vn(2019, 3, 11, 9), timedelta(minutes=-1))


def test_working_time_between(cal: WorkingCalendar) -> None:
    assert cal.working_time_between(vn(2019, 3, 11), vn(2019, 3, 16)) == timedelta(hours=40)
    assert cal.working_time_between(vn(2019, 8, 30, 16), vn(2019, 9, 3, 8, 30)) == timedelta(hours=2)
    assert cal.working_time_between(vn(2019, 3, 11, 11), vn(2019, 3, 11, 13, 30)) == timedelta(hours=1)
    assert cal.working_time_between(vn(2019, 3, 12), vn(2019, 3, 11)) == timedelta(0)
    assert cal.working_time_between(vn(2019, 3, 11, 9), vn(2019, 3, 11, 9)) == timedelta(0)


def test_adding_then_measuring_gives_back_the_delta(cal: WorkingCalendar) -> None:
    rng = random.Random(20190101)
    for _ in range(400):
        start = _random_instant(rng)
        delta = timedelta(minutes=rng.choice([0, 1, 59, 60, 240, 480, rng.randrange(0, 20000)]))
        end = cal.add_working_time(start, delta)
        assert end >= start
        assert cal.working_time_between(start, end) == delta, (start, delta)
        if delta:
            assert cal.is_office_time(end) or end.time() in (time(11, 30), time(17, 0)), end


def test_measuring_then_adding_lands_no_later_than_the_end(cal: WorkingCalendar) -> None:
    rng = random.Random(20200202)
    for _ in range(400):
        first = _random_instant(rng)
        a, b = sorted((first, _random_instant(rng, after=first.date())))
        elapsed = cal.working_time_between(a, b)
        reached = cal.add_working_time(a, elapsed)
        assert a <= reached <= b, (a, b)
        assert cal.working_time_between(reached, b) == timedelta(0), (a, b)
        if cal.is_office_time(b):  # then b is reached, or it is the opening right after (13:00 for 11:30)
            assert cal.next_office_time(reached) == b, (a, b)


def _random_instant(rng: random.Random, after: date | None = None) -> datetime:
    """An instant in 2018–2020 (or within 40 days from ``after``), on the minute, often on a session boundary."""
    day = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365)) if after is None else after
    day += timedelta(days=0 if after is None else rng.randrange(0, 40))
    at = rng.choice(
        [time(7, 30), time(11, 30), time(13), time(17), time(rng.randrange(24), rng.randrange(60))]
    )
    return datetime.combine(day, at, tzinfo=VIETNAM_TZ)


def test_working_days_includes_both_ends(cal: WorkingCalendar) -> None:
    assert cal.working_days(date(2019, 8, 30), date(2019, 9, 3)) == [date(2019, 8, 30), date(2019, 9, 3)]
    assert cal.working_days(date(2019, 9, 3), date(2019, 8, 30)) == []
    # 261 weekdays, 11 of them off (statutory, compensatory, swapped), 2 Saturdays worked
    assert len(cal.working_days(date(2019, 1, 1), date(2019, 12, 31))) == 261 - 11 + 2


def test_same_working_day(cal: WorkingCalendar) -> None:
    assert cal.same_working_day(vn(2019, 3, 11, 8), vn(2019, 3, 11, 16, 59))
    assert cal.same_working_day(vn(2019, 3, 11, 8), vn(2019, 3, 11, 23))
    assert not cal.same_working_day(vn(2019, 3, 11, 16), vn(2019, 3, 12, 8))
    # received on a Saturday, confirmed on Monday morning: the Saturday counts for Monday
    assert cal.same_working_day(vn(2019, 3, 16, 10), vn(2019, 3, 18, 9))
    # received Friday evening, confirmed Monday: a day late
    assert not cal.same_working_day(vn(2019, 3, 15, 18), vn(2019, 3, 18, 9))
    # 2/9/2019 was a holiday: a document arriving then counts for Tuesday 3/9
    assert cal.working_day_of(vn(2019, 9, 2, 10)) == date(2019, 9, 3)


# ── outside the loaded years ─────────────────────────────────────────────────────────────────


def test_a_date_outside_the_loaded_years_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(
        OutsideCalendarError, match=r"2007-12-31 is outside the working calendar.*2008–2026"
    ) as err:
        cal.is_working_day(date(2007, 12, 31))
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, DocexchangeError)
    assert err.value.code is ReasonCode.INVALID_CALENDAR
    with pytest.raises(OutsideCalendarError):
        cal.is_office_time(vn(2027, 1, 4, 9))


def test_counting_past_the_last_loaded_year_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(OutsideCalendarError, match="2027"):
        cal.send_deadline(vn(2026, 12, 31, 16))
    with pytest.raises(OutsideCalendarError, match="2027"):
        cal.add_working_time(vn(2026, 12, 31, 16), timedelta(hours=2))
    with pytest.raises(OutsideCalendarError):
        cal.working_time_between(vn(2026, 12, 31), vn(2027, 1, 2))


def test_a_calendar_built_in_code_checks_its_inputs() -> None:
    with pytest.raises(ValueError, match="outside the calendar's years"):
        WorkingCalendar(holidays=frozenset({date(2020, 1, 1)}), office=OfficeHours(), years=(2019, 2019))
    with pytest.raises(ValueError, match="both a holiday and an extra working day"):
        WorkingCalendar(
            holidays=frozenset({date(2019, 5, 4)}),
            office=OfficeHours(),
            years=(2019, 2019),
            extra_working_days=frozenset({date(2019, 5, 4)}),
        )
    with pytest.raises(ValueError, match="out of order"):
        OfficeHours(time(8), time(12), time(11), time(17))


# ── the loader's refusals ────────────────────────────────────────────────────────────────────

_VALID = """
[office_hours]
morning_start = "08:00"
morning_end = "12:00"
afternoon_start = "13:30"
afternoon_end = "17:30"

[years.2019]
holidays = [
    { date = 2019-01-01, name = "Tết Dương lịch" },
    { date = 2019-09-02, name = "Quốc khánh", note = "a Monday" },
]
extra_working_days = [{ date = 2019-05-04, note = "làm bù" }]

[years.2020]
holidays = [{ date = "2020-01-01", name = "Tết Dương lịch", inferred = false }]
"""


def test_a_small_valid_file_with_its_own_office_hours() -> None:
    cal = parse_calendar(_VALID, "small.toml")
    assert cal.years == (2019, 2020)
    assert cal.holidays == {date(2019, 1, 1), date(2019, 9, 2), date(2020, 1, 1)}
    assert cal.extra_working_days == {date(2019, 5, 4)}
    assert not cal.is_office_time(vn(2019, 3, 11, 7, 45))
    assert cal.is_office_time(vn(2019, 3, 11, 17, 15))
    assert cal.office.daily == timedelta(hours=8)


def test_office_hours_default_when_the_table_is_absent() -> None:
    text = _VALID.split("[years.2019]")[1]
    assert parse_calendar("[years.2019]" + text).office == OfficeHours()


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        ("[office_hours]", "colour = 1\n[office_hours]", "colour", "unknown key"),
        (
            'name = "Quốc khánh", note',
            'name = "Quốc khánh", nota',
            "years.2019.holidays[1].nota",
            "unknown key",
        ),
        ("date = 2019-09-02", 'date = "2019-02-30"', "years.2019.holidays[1].date", "expected a date"),
        ("date = 2019-09-02", "date = 2019-09-02T08:00:00", "years.2019.holidays[1].date", "without a time"),
        (
            "date = 2019-09-02",
            "date = 2020-09-02",
            "years.2019.holidays[1].date",
            "falls in 2020, not in 2019",
        ),
        ("date = 2019-09-02", "date = 2019-01-01", "years.2019.holidays[1].date", "duplicate holiday"),
        ("date = 2019-09-02", "date = 2019-05-04", "years.2019.extra_working_days[0].date", "also a holiday"),
        ("date = 2019-05-04", "date = 2019-05-06", "years.2019.extra_working_days[0].date", "Monday"),
        ('morning_end = "12:00"', 'morning_end = "14:00"', "office_hours", "out of order"),
        ('morning_start = "08:00"', 'morning_start = "8h"', "office_hours.morning_start", "expected a time"),
        ("[years.2020]", "[years.2021]", "years", "2020 missing"),
        ("[years.2020]", "[years.twenty]", "years.twenty", "not a year"),
        ('name = "Quốc khánh", ', "", "years.2019.holidays[1].name", "missing"),
        ("inferred = false", 'inferred = "no"', "years.2020.holidays[0].inferred", "true or false"),
        ("holidays = [{", "holidays = []\nx = [{", "years.2020.x", "unknown key"),
    ],
)
def test_the_loader_refuses_a_defect_naming_file_key_and_reason(
    old: str, new: str, key: str, reason: str
) -> None:
    assert old in _VALID
    with pytest.raises(CalendarFileError) as err:
        parse_calendar(_VALID.replace(old, new, 1), "bad.toml")
    assert err.value.file == "bad.toml"
    assert err.value.key == key
    assert reason in err.value.reason
    assert str(err.value).startswith(f"invalid-calendar: bad.toml: {key}: ")
    assert err.value.code is ReasonCode.INVALID_CALENDAR


def test_the_loader_refuses_a_year_without_holidays() -> None:
    with pytest.raises(CalendarFileError, match=r"years\.2019\.holidays: is empty"):
        parse_calendar("[years.2019]\nholidays = []\n", "bad.toml")
    with pytest.raises(CalendarFileError, match="years: missing"):
        parse_calendar("[office_hours]\n", "bad.toml")


def test_the_loader_names_the_file_it_read(tmp_path: Path) -> None:
    broken = tmp_path / "holidays.toml"
    broken.write_text("[years.2019\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match=re.escape(f"{broken}: TOML syntax error")):
        load_calendar(broken)
    missing = tmp_path / "none.toml"
    with pytest.raises(CalendarFileError, match=re.escape(f"{missing}: cannot read file")):
        load_calendar(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text(_VALID.replace("date = 2019-09-02", "date = 2018-09-02"), encoding="utf-8")
    with pytest.raises(CalendarFileError) as err:
        load_calendar(bad)
    assert err.value.file == str(bad)
    assert err.value.key == "years.2019.holidays[1].date"


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
