"""The runner's agenda: what happens next, in simulated-time order, the same order on every run.

Entries at the same instant run in the order they were added; the runner adds them in an order
that depends only on the scenario and the seed, so a run is a deterministic sequence of steps.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum


class Step(IntEnum):
    """Kinds of step; at one instant, faults apply first and new days start before the work."""

    FAULT = 0
    DAY = 1
    SIGN = 2
    PUMP = 3
    POLL = 4
    ACCEPT = 5
    HANDLE = 6
    PAPER = 7
    FOLLOW_UP = 8


@dataclass(frozen=True)
class Entry:
    at: datetime
    step: Step
    agency: str = ""
    subject: object = None  # the step's data: a DocumentPlan, a document id, a fault action …


@dataclass
class Agenda:
    _heap: list[tuple[datetime, int, int, Entry]] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def add(self, entry: Entry) -> None:
        heapq.heappush(self._heap, (entry.at, int(entry.step), next(self._counter), entry))

    def pop(self) -> Entry:
        return heapq.heappop(self._heap)[3]

    def __len__(self) -> int:
        return len(self._heap)

    def __bool__(self) -> bool:
        return bool(self._heap)
