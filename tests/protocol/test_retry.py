"""Retry schedule (DHX's 30 s / 120 s / 1200 s by default) and per-channel attempt bookkeeping."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from docexchange.protocol import DHX_DELAYS, Attempts, RetrySchedule

from .helpers import T0

SECOND = timedelta(seconds=1)


def test_the_default_is_dhx_30_120_1200_seconds() -> None:
    schedule = RetrySchedule()
    assert schedule.delays == DHX_DELAYS
    assert [schedule.next_delay(n) for n in (1, 2, 3)] == [30 * SECOND, 120 * SECOND, 1200 * SECOND]
    assert schedule.max_attempts == 4


def test_after_the_last_delay_the_channel_is_given_up() -> None:
    assert RetrySchedule().next_delay(4) is None
    assert RetrySchedule().next_delay(100) is None


@pytest.mark.parametrize("failed", [0, -1])
def test_a_delay_is_asked_only_after_a_failure(failed: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetrySchedule().next_delay(failed)


def test_from_seconds_reads_a_toml_list() -> None:
    schedule = RetrySchedule.from_seconds([5, 60.5])
    assert schedule.delays == (5 * SECOND, timedelta(seconds=60.5))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "at least one"),
        ([30, 0], "#2 must be a positive"),
        ([-5], "#1 must be a positive"),
        (["30"], "#1 must be a number"),
        ([True], "#1 must be a number"),
        ([math.nan], "#1 must be a positive"),
        ([math.inf], "#1 must be a positive"),
        ("30", "must be a list"),
        (30, "must be a list"),
    ],
)
def test_from_seconds_refuses_bad_entries(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetrySchedule.from_seconds(value)  # type: ignore[arg-type]


def test_a_schedule_needs_positive_timedeltas() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RetrySchedule(())
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule((timedelta(0),))
    with pytest.raises(ValueError, match="not a timedelta"):
        RetrySchedule((30,))  # type: ignore[arg-type]


def test_attempts_wait_for_each_delay_then_give_up() -> None:
    attempts = Attempts()
    assert attempts.due(T0)
    attempts = attempts.failed(T0)
    assert (attempts.failures, attempts.next_at) == (1, T0 + 30 * SECOND)
    assert not attempts.due(T0 + 29 * SECOND)
    assert attempts.due(T0 + 30 * SECOND)
    attempts = attempts.failed(T0 + 30 * SECOND).failed(T0 + 150 * SECOND)
    assert attempts.next_at == T0 + 1350 * SECOND
    attempts = attempts.failed(T0 + 1350 * SECOND)
    assert attempts.exhausted and attempts.failures == 4
    assert not attempts.due(T0 + timedelta(days=1))
    with pytest.raises(ValueError, match="no attempt is left"):
        attempts.failed(T0 + timedelta(days=1))


def test_attempts_follow_their_own_schedule() -> None:
    attempts = Attempts(RetrySchedule.from_seconds([10])).failed(T0)
    assert attempts.next_at == T0 + 10 * SECOND
    assert attempts.failed(T0 + 10 * SECOND).exhausted
