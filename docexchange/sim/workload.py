"""The documents each agency signs on each working day, drawn deterministically from the seed.

Every agency and day has its own generator (``entity_rng(seed, "workload", agency, day)``), so the
plan of one agency does not change when other agencies are added or when the run is split across
processes. Counts are Poisson with the tier's mean; types, recipients, secrecy, urgency,
attachments and signing times follow the scenario's weights.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml import Priority
from docexchange.edxml.numbering import DocumentNumberer, Series
from docexchange.registry import Agency
from docexchange.routing import Secrecy
from docexchange.sim.calendar import WorkingCalendar
from docexchange.sim.randomness import entity_rng
from docexchange.sim.scenario import PROVINCIAL_TIERS, RecipientKind, Workload, active_between

K = TypeVar("K")


@dataclass(frozen=True)
class DocumentPlan:
    """One document an agency will sign: everything the runner needs to compose and send it."""

    key: str  # stable name for per-document draws: "<sender>/<yyyy-mm-dd>/<n>"
    sender: str
    signed_at: datetime
    type_code: str
    recipients: tuple[str, ...]
    priority: Priority
    secrecy: Secrecy
    attachment_sizes: tuple[int, ...]
    number: int = 0
    """Its number in the sender's register for the year and series, as the full workload numbers
    it (0 until :class:`Numbering` gives it one)."""
    direction: bool = False
    """A direction document (chỉ đạo, điều hành; edXML SteeringType 2)."""


class Numbering:
    """Numbers documents as their senders' registers will: per sender, year and series (secret
    documents have their own), in signing order. A run gives every document of the full workload
    its number, also those a thinned run leaves out, so that the documents both runs sign carry
    the same numbers and so the same DocumentIds."""

    def __init__(self) -> None:
        self._numberer = DocumentNumberer()

    def number(self, plans: list[DocumentPlan]) -> list[DocumentPlan]:
        """``plans`` (one sender's day, in any order) numbered in signing order (ties keep order)."""
        numbered = []
        for plan in sorted(plans, key=lambda p: p.signed_at):
            series = Series.SECRET if plan.secrecy.secret else Series.NORMAL
            number = self._numberer.next(plan.sender, plan.signed_at.year, series)
            numbered.append(dataclasses.replace(plan, number=number))
        return numbered


def kept(seed: int, plan: DocumentPlan, scale: float) -> bool:
    """Whether a run thinned to ``scale`` signs ``plan``: its own seeded draw falls below ``scale``
    (the same documents whatever else the run does; every document at scale 1)."""
    return scale >= 1 or entity_rng(seed, "thin", plan.key).random() < scale


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are a few documents a day)."""
    if mean <= 0:
        return 0
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def weighted(rng: random.Random, weights: Mapping[K, float]) -> K:
    """One key drawn with its relative weight (keys in a stable order: sorted by their text)."""
    items = sorted(weights.items(), key=lambda item: str(item[0]))
    total = sum(weight for _, weight in items)
    point = rng.random() * total
    for key, weight in items:
        point -= weight
        if point < 0:
            return key
    return items[-1][0]


@dataclass(frozen=True)
class WorkloadPlanner:
    workload: Workload
    calendar: WorkingCalendar
    seed: int
    participants: tuple[Agency, ...]
    government: tuple[str, ...] = ()

    def plan_day(self, agency: Agency, day: date) -> list[DocumentPlan]:
        """The documents ``agency`` signs on ``day`` (none on a non-working day)."""
        if not self.calendar.is_working_day(day) or not active_between(agency, day, day):
            return []  # an agency signs only while it exists (Hà Tây until 31/7/2008)
        rng = entity_rng(self.seed, "workload", agency.id, day.isoformat())
        plans = []
        for index in range(poisson(rng, self.workload.rate(agency))):
            recipients = self._recipients(rng, agency, day)
            if not recipients:
                continue
            plans.append(
                DocumentPlan(
                    key=f"{agency.id}/{day.isoformat()}/{index}",
                    sender=agency.id,
                    signed_at=self._signing_time(rng, day),
                    type_code=weighted(rng, self.workload.types),
                    recipients=recipients,
                    priority=self._priority(rng),
                    secrecy=Secrecy.MAT if rng.random() < self.workload.share_secret else Secrecy.NONE,
                    attachment_sizes=self._attachments(rng),
                    direction=self._direction(agency, f"{agency.id}/{day.isoformat()}/{index}"),
                )
            )
        return plans

    def _direction(self, agency: Agency, key: str) -> bool:
        """Drawn on its own (the other draws of the day do not move when shares change)."""
        share = self.workload.direction.get(agency.id, 0.0)
        return share > 0 and entity_rng(self.seed, "direction", key).random() < share

    def plan_period(self, start: date, end: date) -> Iterator[DocumentPlan]:
        """Every document of the period, in signing order (ties by sender and key)."""
        day = start
        while day <= end:
            daily = [plan for agency in self.participants for plan in self.plan_day(agency, day)]
            yield from sorted(daily, key=lambda plan: (plan.signed_at, plan.sender, plan.key))
            day += timedelta(days=1)

    def _recipients(self, rng: random.Random, sender: Agency, day: date) -> tuple[str, ...]:
        present = [a for a in self.participants if a.id != sender.id and active_between(a, day, day)]
        others = [a.id for a in present]
        kind = weighted(rng, self.workload.recipients)
        if kind is RecipientKind.ALL_PROVINCES:
            return tuple(a.id for a in present if a.tier in PROVINCIAL_TIERS)
        if kind is RecipientKind.GOVERNMENT:
            chosen = [g for g in self.government if g in others]
            return tuple(chosen) if chosen else tuple(rng.sample(others, 1)) if others else ()
        if not others:
            return ()
        low, high = self.workload.several if kind is RecipientKind.SEVERAL else (1, 1)
        count = min(len(others), rng.randint(low, high))
        return tuple(sorted(rng.sample(others, count)))

    def _priority(self, rng: random.Random) -> Priority:
        point = rng.random()
        for priority, share in sorted(self.workload.urgency.items()):
            point -= share
            if point < 0:
                return priority
        return Priority.NORMAL

    def _attachments(self, rng: random.Random) -> tuple[int, ...]:
        low, high = self.workload.attachment_count
        sizes = {size.bytes: size.weight for size in self.workload.attachment_sizes}
        return tuple(weighted(rng, sizes) for _ in range(rng.randint(low, high)))

    def _signing_time(self, rng: random.Random, day: date) -> datetime:
        windows = self.workload.signing_hours
        lengths = [_seconds(end) - _seconds(start) for start, end in windows]
        point = rng.random() * sum(lengths)
        for (start, _), length in zip(windows, lengths, strict=True):
            if point < length:
                seconds = _seconds(start) + int(point)
                return datetime.combine(
                    day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60), VIETNAM_TZ
                )
            point -= length
        return datetime.combine(day, windows[-1][1], VIETNAM_TZ) - timedelta(seconds=1)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


__all__ = ["DocumentPlan", "Numbering", "WorkloadPlanner", "kept", "poisson", "weighted"]
