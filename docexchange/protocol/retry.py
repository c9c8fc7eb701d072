"""When to try a channel again, and when to give up on it and fall back.

The default schedule is DHX's 30 s, 120 s, 1200 s (DOMAIN.md §7): after the first failure wait
30 s, after the second 120 s, after the third 1200 s; a fourth failure gives up on the channel
(``next_delay`` returns None) and routing falls back to the next one (mail, then paper). Every
retry reuses the same DocumentId, so the receiver can detect the duplicate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

DHX_DELAYS = (timedelta(seconds=30), timedelta(seconds=120), timedelta(seconds=1200))


@dataclass(frozen=True)
class RetrySchedule:
    """Delays before each retry of one channel; ``len(delays)`` retries after the first attempt."""

    delays: tuple[timedelta, ...] = DHX_DELAYS

    def __post_init__(self) -> None:
        if not self.delays:
            raise ValueError("a retry schedule needs at least one delay")
        for index, delay in enumerate(self.delays):
            if not isinstance(delay, timedelta):
                raise ValueError(f"retry delay #{index + 1} is {delay!r}, not a timedelta")
            if delay <= timedelta(0):
                raise ValueError(f"retry delay #{index + 1} must be positive, got {delay}")

    @classmethod
    def from_seconds(cls, seconds: Sequence[object]) -> RetrySchedule:
        """From a TOML list such as ``retry = [30, 120, 1200]``; ValueError names a bad entry."""
        if isinstance(seconds, str | bytes) or not isinstance(seconds, Sequence):
            raise ValueError(f"retry delays must be a list of seconds, got {seconds!r}")
        delays: list[timedelta] = []
        for index, value in enumerate(seconds):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"retry delay #{index + 1} must be a number of seconds, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(
                    f"retry delay #{index + 1} must be a positive number of seconds, got {value}"
                )
            delays.append(timedelta(seconds=value))
        return cls(tuple(delays))

    @property
    def max_attempts(self) -> int:
        """The first attempt plus one retry per delay."""
        return len(self.delays) + 1

    def next_delay(self, failed_attempts: int) -> timedelta | None:
        """How long to wait after ``failed_attempts`` failures (≥ 1); None = give up on the channel."""
        if failed_attempts < 1:
            raise ValueError(f"failed_attempts must be at least 1, got {failed_attempts}")
        if failed_attempts > len(self.delays):
            return None
        return self.delays[failed_attempts - 1]


@dataclass(frozen=True)
class Attempts:
    """Bookkeeping for delivering one document to one recipient over one channel.

    ``next_at`` is when the next attempt is due (None before any failure); ``exhausted`` means
    the schedule is used up and the caller should fall back to another channel.
    """

    schedule: RetrySchedule = RetrySchedule()
    failures: int = 0
    next_at: datetime | None = None
    exhausted: bool = False

    def failed(self, at: datetime) -> Attempts:
        """The attempt made at ``at`` failed."""
        if self.exhausted:
            raise ValueError("no attempt is left on this channel")
        failures = self.failures + 1
        delay = self.schedule.next_delay(failures)
        if delay is None:
            return replace(self, failures=failures, next_at=None, exhausted=True)
        return replace(self, failures=failures, next_at=at + delay)

    def due(self, now: datetime) -> bool:
        """Whether an attempt may be made at ``now``."""
        if self.exhausted:
            return False
        return self.next_at is None or now >= self.next_at
