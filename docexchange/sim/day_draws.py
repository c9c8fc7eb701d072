"""One agency's working day of documents, drawn at once: every random number a document will ever
need, for both engines.

Each (agency, day) has its own generator (numpy's Philox, keyed by SHA-256 of the seed, the agency
and the day), so an agency's documents do not change when other agencies are added, when the run is
split across processes, or when a run is thinned or started part-way. The generator is read in a
fixed order — the count, one row of per-document draws, the recipient draws of documents to
several agencies, one row of per-delivery draws — and everything else is a function of those
numbers: which documents a thinned run keeps, who uses mail for this document at each end, every
delay. The protocol engine turns a day into :class:`~docexchange.sim.workload.DocumentPlan` objects
and reads each delay when its step comes; the plan engine keeps the arrays and works on whole
days at once (real volumes are millions of documents a year).

Draws are uniform in [0, 1) and mapped by inversion (weights by their cumulative sums, in the
order of their keys' text), so the same uniform always gives the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from docexchange.edxml import Priority
from docexchange.registry import Agency
from docexchange.sim.randomness import entity_seed
from docexchange.sim.scenario import PROVINCIAL_TIERS, RecipientKind, Workload

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


class DocumentDraw(IntEnum):
    """The columns of a day's per-document draws (the generator's order: do not reorder)."""

    TYPE = 0
    RECIPIENT_KIND = 1
    SEVERAL_COUNT = 2
    ONE_RECIPIENT = 3
    SIGNING_TIME = 4
    SECRET = 5
    PRIORITY = 6
    DIRECTION = 7
    THIN = 8  # --scale: kept when below the scale
    SEND = 9  # records-office delay before sending
    SENDER_MAIL = 10  # the sender's office uses e-mail for this document
    ATTACHMENT_COUNT = 11
    ATTACHMENT_SIZES = 12  # and the columns after it, one per possible attachment


class DeliveryDraw(IntEnum):
    """The columns of a day's per-delivery draws (one row per document and recipient)."""

    RECIPIENT_MAIL = 0  # the recipient's office uses e-mail for this document
    ACCEPT = 1
    ASSIGN = 2
    COMPLETE = 3
    PAPER = 4  # the post's transit
    PAPER_ACCEPT = 5


def day_generator(seed: int, agency_id: str, day: date) -> np.random.Generator:
    """The generator of one agency's day (its own stream: see the module doc)."""
    return np.random.Generator(
        np.random.Philox(key=entity_seed(seed, "workload", agency_id, day.isoformat()))
    )


def by_weight(weights: dict[str, float] | dict[int, float], u: Floats) -> Ints:
    """Index (into the keys sorted by their text) that each uniform ``u`` picks by weight."""
    values = np.array([w for _, w in sorted(weights.items(), key=lambda kv: str(kv[0]))], dtype=np.float64)
    cumulative = np.cumsum(values)
    picked: Ints = np.minimum(np.searchsorted(cumulative, u * cumulative[-1], side="right"), len(values) - 1)
    return picked.astype(np.int64)


def keys_by_text(weights: dict[str, float] | dict[int, float]) -> list[object]:
    """The keys of ``weights`` in the order :func:`by_weight` indexes them."""
    return [k for k, _ in sorted(weights.items(), key=lambda kv: str(kv[0]))]


def exponential_hours(mean: float, u: Floats) -> Floats:
    """Exponential delays with ``mean`` hours, by inversion of the uniforms ``u`` (0 for mean 0)."""
    if mean <= 0:
        return np.zeros_like(u)
    return -mean * np.log1p(-u)


@dataclass(frozen=True)
class DayDraws:
    """The documents one agency signs on one working day, in signing order (ties: drawn order).

    Per document (length n): ``index`` (its place in the draw, which names it: "<agency>/<day>/<index>"),
    ``signed`` (seconds after midnight, Vietnam time), ``type_index`` (into the workload's types by
    text), ``secret``, ``priority`` (edXML Priority values), ``direction``, ``documents`` (the
    per-document draws, :class:`DocumentDraw` columns). Per delivery (length D, a document's
    recipients contiguous, ``offsets[i]:offsets[i+1]``): ``recipients`` (indexes into the planner's
    participants, ascending within a document) and ``deliveries`` (:class:`DeliveryDraw` columns).
    """

    sender: Agency
    day: date
    index: Ints
    signed: Ints
    type_index: Ints
    secret: Flags
    priority: Ints
    direction: Flags
    documents: Floats
    offsets: Ints
    recipients: Ints
    deliveries: Floats

    @property
    def count(self) -> int:
        return len(self.index)

    def key(self, i: int) -> str:
        """The plan key of document ``i``: ``"<agency>/<yyyy-mm-dd>/<index>"``."""
        return f"{self.sender.id}/{self.day.isoformat()}/{int(self.index[i])}"


@dataclass(frozen=True)
class DayDrawer:
    """Draws :class:`DayDraws` for the scenario's workload among ``participants``."""

    workload: Workload
    seed: int
    participants: tuple[Agency, ...]
    government: tuple[str, ...] = ()

    def draw(self, agency: Agency, day: date, others: Ints) -> DayDraws:
        """``agency``'s documents of ``day``; ``others`` are the participants present that day but
        the sender (indexes into ``participants``, ascending)."""
        workload = self.workload
        rng = day_generator(self.seed, agency.id, day)
        rate = workload.rate(agency, day)
        n = int(rng.poisson(rate)) if rate > 0 else 0
        u = rng.random((n, DocumentDraw.ATTACHMENT_SIZES + workload.attachment_count[1]))
        sizes, values = self._recipients(rng, u, others)  # per document in drawn order, then flat
        starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        # Per-delivery draws come last, in drawn order, so that a document's delays do not depend
        # on which documents follow it in signing order.
        drawn = rng.random((int(starts[-1]), len(DeliveryDraw)))
        signed = self._signing_seconds(u[:, DocumentDraw.SIGNING_TIME])
        order = np.argsort(signed, kind="stable")
        order = order[sizes[order] > 0]  # a document with nobody to send to is not signed
        kept_sizes = sizes[order]
        offsets = np.concatenate(([0], np.cumsum(kept_sizes))).astype(np.int64)
        rows = np.repeat(starts[order] - offsets[:-1], kept_sizes) + np.arange(int(offsets[-1]))
        picked = u[order]
        return DayDraws(
            sender=agency,
            day=day,
            index=order.astype(np.int64),
            signed=signed[order],
            type_index=by_weight(dict(workload.types), picked[:, DocumentDraw.TYPE]),
            secret=picked[:, DocumentDraw.SECRET] < workload.share_secret,
            priority=self._priorities(picked[:, DocumentDraw.PRIORITY]),
            direction=picked[:, DocumentDraw.DIRECTION] < workload.direction.get(agency.id, 0.0),
            documents=picked,
            offsets=offsets,
            recipients=values[rows],
            deliveries=drawn[rows],
        )

    def _recipients(self, rng: np.random.Generator, u: Floats, others: Ints) -> tuple[Ints, Ints]:
        """How many recipients each document has (drawn order) and all of them, flat (indexes into
        participants, ascending within a document)."""
        workload = self.workload
        weights = {k.value: w for k, w in workload.recipients.items()}
        kinds = [RecipientKind(str(k)) for k in keys_by_text(weights)]
        kind_of = by_weight(weights, u[:, DocumentDraw.RECIPIENT_KIND])
        code = {kind: kinds.index(kind) if kind in kinds else -1 for kind in RecipientKind}
        several = np.flatnonzero(kind_of == code[RecipientKind.SEVERAL])
        m = len(others)
        keys = rng.random((len(several), m))  # documents to several: the first k of a random order
        n = len(u)
        if m == 0:
            return np.zeros(n, dtype=np.int64), np.zeros(0, dtype=np.int64)
        low, high = workload.several
        wanted = low + np.floor(u[several, DocumentDraw.SEVERAL_COUNT] * (high - low + 1)).astype(np.int64)
        wanted = np.minimum(wanted, m)
        provinces = others[np.array([self.participants[i].tier in PROVINCIAL_TIERS for i in others])]
        government = others[np.array([self.participants[i].id in self.government for i in others])]
        one = others[np.minimum(np.floor(u[:, DocumentDraw.ONE_RECIPIENT] * m).astype(np.int64), m - 1)]
        fixed = {  # kinds whose recipients are a fixed list
            code[RecipientKind.ALL_PROVINCES]: provinces,
            code[RecipientKind.GOVERNMENT]: government if len(government) else None,
        }
        sizes = np.ones(n, dtype=np.int64)
        sizes[several] = wanted
        for kind, members in fixed.items():
            if kind >= 0 and members is not None:
                sizes[kind_of == kind] = len(members)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        values = np.empty(int(sizes.sum()), dtype=np.int64)
        single = sizes == 1
        values[starts[single]] = one[single]  # one recipient (fixed lists and several overwrite theirs)
        for kind, members in fixed.items():
            if kind < 0 or members is None:
                continue
            chosen = np.flatnonzero(kind_of == kind)
            values[(starts[chosen][:, None] + np.arange(len(members))).ravel()] = np.tile(
                members, len(chosen)
            )
        if len(several):
            top = others[np.argsort(keys, axis=1, kind="stable")[:, :high]]
            taken = np.arange(top.shape[1]) < wanted[:, None]
            top = np.sort(np.where(taken, top, np.iinfo(np.int64).max), axis=1)
            values[(starts[several][:, None] + np.arange(top.shape[1]))[taken]] = top[taken]
        return sizes, values

    def _signing_seconds(self, u: Floats) -> Ints:
        """Seconds after midnight, uniform over the signing windows."""
        windows = self.workload.signing_hours
        starts = np.array([_seconds(s) for s, _ in windows], dtype=np.int64)
        lengths = np.array([_seconds(e) - _seconds(s) for s, e in windows], dtype=np.int64)
        before = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        point = u * lengths.sum()
        window = np.minimum(np.searchsorted(np.cumsum(lengths), point, side="right"), len(windows) - 1)
        seconds: Ints = starts[window] + np.floor(point - before[window]).astype(np.int64)
        return seconds

    def _priorities(self, u: Floats) -> Ints:
        urgent = sorted(self.workload.urgency.items())
        shares = np.cumsum([share for _, share in urgent]) if urgent else np.zeros(0)
        picked = np.searchsorted(shares, u, side="right")
        values = np.array([int(p) for p, _ in urgent] + [int(Priority.NORMAL)], dtype=np.int64)
        chosen: Ints = values[picked]
        return chosen


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


__all__ = [
    "DayDrawer",
    "DayDraws",
    "DeliveryDraw",
    "DocumentDraw",
    "by_weight",
    "day_generator",
    "exponential_hours",
    "keys_by_text",
]
