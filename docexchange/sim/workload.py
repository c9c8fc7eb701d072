"""The documents each agency signs on each working day, drawn deterministically from the seed.

Every agency and day has its own generator (:mod:`docexchange.sim.day_draws`), so the plan of one
agency does not change when other agencies are added or when the run is split across processes.
Counts are Poisson with the tier's mean; types, recipients, secrecy, urgency, attachments and
signing times follow the scenario's weights. A :class:`DocumentPlan` carries every draw its
document will need (thinning, mail use at each end, each delay), so both engines read the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import numpy as np

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml import Priority
from docexchange.edxml.numbering import DocumentNumberer, Series
from docexchange.registry import Agency
from docexchange.routing import Secrecy
from docexchange.sim.calendar import WorkingCalendar
from docexchange.sim.day_draws import DayDrawer, DayDraws, DocumentDraw, Flags, Ints, by_weight, keys_by_text
from docexchange.sim.scenario import Workload, active_between


class DeliveryDraws(NamedTuple):
    """The draws of one delivery (see :class:`~docexchange.sim.day_draws.DeliveryDraw`)."""

    recipient_mail: float
    accept: float
    assign: float
    complete: float
    paper: float
    paper_accept: float


@dataclass(frozen=True)
class DocumentPlan:
    """One document an agency will sign: everything the runner needs to compose and send it, and
    every draw its handling will need (uniforms in [0, 1): see :mod:`docexchange.sim.day_draws`)."""

    key: str  # stable name: "<sender>/<yyyy-mm-dd>/<n>"
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
    thin: float = 0.0
    """Its thinning draw: a run at ``--scale S`` signs it when ``thin < S``."""
    send_draw: float = 0.0
    """The records office's delay before sending."""
    sender_mail: float = 0.0
    """Whether the sender's office uses e-mail for it (below the tier's share)."""
    deliveries: tuple[DeliveryDraws, ...] = ()
    """Per recipient, in the order of ``recipients``."""

    def draws_for(self, recipient: str) -> DeliveryDraws:
        return self.deliveries[self.recipients.index(recipient)]


class Numbering:
    """Numbers documents as their senders' registers will: per sender, year and series (secret
    documents have their own), in signing order. A run gives every document of the full workload
    its number, also those a thinned run leaves out, so that the documents both runs sign carry
    the same numbers and so the same DocumentIds."""

    def __init__(self) -> None:
        self._numberer = DocumentNumberer()

    def number_block(self, sender: str, year: int, secret: Flags) -> Ints:
        """The numbers of one sender's day of documents (``secret`` per document, in signing order):
        each series counts on from the sender's last number of the year."""
        numbers = np.zeros(len(secret), dtype=np.int64)
        for series, chosen in ((Series.NORMAL, ~secret), (Series.SECRET, secret)):
            count = int(chosen.sum())
            if count:
                last = self._numberer.advance(sender, year, series, count)
                numbers[chosen] = np.arange(last - count + 1, last + 1)
        return numbers


@dataclass(frozen=True)
class WorkloadPlanner:
    workload: Workload
    calendar: WorkingCalendar
    seed: int
    participants: tuple[Agency, ...]
    government: tuple[str, ...] = ()
    _present: dict[date, Ints] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexes: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def drawer(self) -> DayDrawer:
        return DayDrawer(self.workload, self.seed, self.participants, self.government)

    def day_draws(self, agency: Agency, day: date) -> DayDraws | None:
        """``agency``'s documents of ``day`` as arrays (None on a non-working day, or when the
        agency does not exist that day: Hà Tây signs until 31/7/2008)."""
        if not self.calendar.is_working_day(day) or not active_between(agency, day, day):
            return None
        present = self._present_on(day)
        if not self._indexes:
            self._indexes.update({a.id: i for i, a in enumerate(self.participants)})
        index = self._indexes[agency.id]
        return self.drawer.draw(agency, day, present[present != index])

    def plan_day(self, agency: Agency, day: date) -> list[DocumentPlan]:
        """The documents ``agency`` signs on ``day``, in signing order (none on a non-working day),
        not yet numbered."""
        drawn = self.day_draws(agency, day)
        return [] if drawn is None else self.plans(drawn)

    def plans(self, drawn: DayDraws, numbers: Ints | None = None, scale: float = 1.0) -> list[DocumentPlan]:
        """The documents of ``drawn`` a run thinned to ``scale`` signs, with their ``numbers``
        (numbered by :meth:`Numbering.number_block`; all documents count, kept or not)."""
        agency, day = drawn.sender, drawn.day
        workload = self.workload
        types = [str(t) for t in keys_by_text(dict(workload.types))]
        sizes = [int(str(b)) for b in keys_by_text({s.bytes: s.weight for s in workload.attachment_sizes})]
        size_pick = {s.bytes: s.weight for s in workload.attachment_sizes}
        low, high = workload.attachment_count
        midnight = datetime.combine(day, time(0), VIETNAM_TZ)
        plans = []
        for i in range(drawn.count):
            u = drawn.documents[i]
            if scale < 1 and not u[DocumentDraw.THIN] < scale:
                continue
            count = low + min(int(u[DocumentDraw.ATTACHMENT_COUNT] * (high - low + 1)), high - low)
            picks = by_weight(
                size_pick, u[DocumentDraw.ATTACHMENT_SIZES : DocumentDraw.ATTACHMENT_SIZES + count]
            )
            first, last = int(drawn.offsets[i]), int(drawn.offsets[i + 1])
            plans.append(
                DocumentPlan(
                    key=drawn.key(i),
                    sender=agency.id,
                    signed_at=midnight + timedelta(seconds=int(drawn.signed[i])),
                    type_code=types[int(drawn.type_index[i])],
                    recipients=tuple(self.participants[int(r)].id for r in drawn.recipients[first:last]),
                    priority=Priority(int(drawn.priority[i])),
                    secrecy=Secrecy.MAT if drawn.secret[i] else Secrecy.NONE,
                    attachment_sizes=tuple(sizes[int(p)] for p in picks),
                    direction=bool(drawn.direction[i]),
                    number=0 if numbers is None else int(numbers[i]),
                    thin=float(u[DocumentDraw.THIN]),
                    send_draw=float(u[DocumentDraw.SEND]),
                    sender_mail=float(u[DocumentDraw.SENDER_MAIL]),
                    deliveries=tuple(DeliveryDraws(*map(float, row)) for row in drawn.deliveries[first:last]),
                )
            )
        return plans

    def plan_period(self, start: date, end: date, scale: float = 1.0) -> Iterator[DocumentPlan]:
        """Every document of the period a run thinned to ``scale`` signs, in signing order (ties by
        sender and key); not numbered."""
        day = start
        while day <= end:
            daily = [
                plan
                for agency in self.participants
                if (drawn := self.day_draws(agency, day)) is not None
                for plan in self.plans(drawn, scale=scale)
            ]
            yield from sorted(daily, key=lambda plan: (plan.signed_at, plan.sender, plan.key))
            day += timedelta(days=1)

    def _present_on(self, day: date) -> Ints:
        """The participants that exist on ``day`` (indexes, ascending; one day cached)."""
        known = self._present.get(day)
        if known is None:
            self._present.clear()
            known = self._present[day] = np.array(
                [i for i, a in enumerate(self.participants) if active_between(a, day, day)], dtype=np.int64
            )
        return known


__all__ = ["DeliveryDraws", "DocumentPlan", "Numbering", "WorkloadPlanner"]
