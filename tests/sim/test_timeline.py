"""The working-time arrays say what the calendar says one instant at a time: office time between two
instants, the instant some office hours later, the working day an instant counts for, and the send
deadline — across nights, lunch, weekends, Tết and make-up working days."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.sim.calendar import OutsideCalendarError, load_calendar
from docexchange.sim.timeline import Timeline, day_number, instant_of

CALENDAR = load_calendar()
TIMELINE = Timeline.of(CALENDAR)


def _instants(count: int, seed: int) -> list[datetime]:
    """Instants spread over early 2019 (Tết: 2–10 February), some exactly on session edges."""
    rng = random.Random(seed)
    start = datetime(2019, 1, 1, tzinfo=VIETNAM_TZ)
    chosen = [start + timedelta(seconds=rng.randrange(0, 120 * 86_400)) for _ in range(count)]
    edges = [datetime(2019, 1, 4, h, m, tzinfo=VIETNAM_TZ) for h, m in ((7, 30), (11, 30), (13, 0), (17, 0))]
    return chosen + edges + [datetime(2019, 2, 1, 16, 59, 59, 500_000, tzinfo=VIETNAM_TZ)]


def _seconds(instants: list[datetime]) -> np.ndarray:
    return np.array([t.timestamp() for t in instants])


def test_office_hours_between_match_the_calendar() -> None:
    a, b = _instants(300, 1), _instants(300, 2)
    got = TIMELINE.hours_between(_seconds(a), _seconds(b))
    expected = [CALENDAR.working_time_between(x, y).total_seconds() / 3600 for x, y in zip(a, b, strict=True)]
    assert got.tolist() == pytest.approx(expected, abs=1e-6)
    assert (got[[i for i, (x, y) in enumerate(zip(a, b, strict=True)) if y <= x]] == 0).all()


@pytest.mark.parametrize("hours", [0.0, 0.5, 4.0, 8.0, 37.25])
def test_adding_office_hours_matches_the_calendar(hours: float) -> None:
    starts = _instants(300, 3)
    got = TIMELINE.add_hours(_seconds(starts), np.full(len(starts), hours))
    for t, value in zip(starts, got.tolist(), strict=True):
        expected = CALENDAR.add_working_time(t, timedelta(hours=hours))
        assert abs(instant_of(value) - expected) < timedelta(microseconds=5), (t, hours)


def test_the_working_day_an_instant_counts_for_and_the_send_deadline() -> None:
    instants = [*_instants(300, 4), datetime(2019, 2, 9, 10, 0, tzinfo=VIETNAM_TZ)]  # Tết
    got = TIMELINE.counted_day(_seconds(instants)).tolist()
    assert got == [day_number(CALENDAR.working_day_of(t)) for t in instants]
    deadlines = TIMELINE.send_deadline(_seconds(instants)).tolist()
    assert [instant_of(d) for d in deadlines] == [CALENDAR.send_deadline(t) for t in instants]
    # a make-up working day (a weekend day worked) counts for itself
    extra = sorted(CALENDAR.extra_working_days)
    if extra:
        saturday = datetime.combine(extra[0], datetime.min.time(), VIETNAM_TZ) + timedelta(hours=9)
        assert TIMELINE.counted_day(_seconds([saturday])).tolist() == [day_number(extra[0])]
    assert day_number(date(1970, 1, 2)) == 1


def test_past_the_calendars_last_year_the_arrays_refuse_as_the_calendar_does() -> None:
    last = datetime(2026, 12, 31, 16, 0, tzinfo=VIETNAM_TZ)
    with pytest.raises(OutsideCalendarError) as calendar_says:
        CALENDAR.add_working_time(last, timedelta(hours=4))
    with pytest.raises(OutsideCalendarError) as arrays_say:
        TIMELINE.add_hours(_seconds([last]), np.array([4.0]))
    assert arrays_say.value.message == calendar_says.value.message  # "2027-01-01 is outside …"
    assert TIMELINE.add_hours(_seconds([last]), np.array([1.0])).tolist() == [
        datetime(2026, 12, 31, 17, 0, tzinfo=VIETNAM_TZ).timestamp()
    ]  # up to the last session's end it is inside
    before = datetime(2007, 12, 31, 9, 0, tzinfo=VIETNAM_TZ)
    for call in (TIMELINE.counted_day, TIMELINE.send_deadline, TIMELINE.coordinate):
        with pytest.raises(OutsideCalendarError, match="2007-12-31 is outside the working calendar"):
            call(_seconds([before]))
