"""The run report: what ``report.json`` holds, as frozen dataclasses, and its strict JSON form.

One report per simulation run. Everything a person or a test reads comes from here; the CSV
tables, charts, HTML page and terminal summary are renderings of a :class:`Report`.

Units and conventions
    * A **delivery** is one document to one recipient (a document to three agencies is three
      deliveries). The breakdowns in ``shares`` are over deliveries; the **targets** are over
      documents, as the plans define them (each with the rule deciding when a document with several
      recipients counts, and its per-delivery share beside it). Each delivery ends in exactly one of *legal*
      (electronic, signed and verified), *info_only* (electronic but unsigned: information only,
      paper still sent) or *paper* (with a :class:`PaperReasons` reason).
    * Shares, targets and measured values are fractions 0–1 rounded to 4 decimals; a gap is in
      percentage points rounded to 2 decimals (``gap_pp = (measured - target) × 100``), positive
      when the target is beaten. Durations are simulated working hours rounded to 4 decimals.
    * Values derived from others (``legal_share``, ``met``, ``gap_pp``, ``reconciles`` …) are
      written to JSON for readers, and checked on reading: a file whose derived values do not
      match its counts is refused.
    * No wall-clock time and no host information: the same scenario and seed give the same bytes.

JSON shape (``to_json``: ``sort_keys``, ``ensure_ascii=False``, ``indent=2``, final newline)::

    {"format": "docexchange-report/2",
     "run": {scenario, description, seed, period_start, period_end, transport, engine, generated_by},
     "totals": {documents, deliveries, paper_copies},
     "shares": {"overall": ROW, "by_year": [ROW], "by_quarter": [ROW], "by_tier": [ROW],
                "by_document_type": [ROW], "by_channel": [ROW],
                "by_tier_quarter": [{"tier", "quarters": [ROW]}]},
         ROW = {key, deliveries, legal, info_only, paper, target, measure,
                legal_share, info_only_share, electronic_share, paper_share}
     "paper_reasons": {secret, no_capability, fallback_after_retries, refused_resent,
                       no_receipt_followed_up},
     "targets": [{name, measure, unit, rule, scope, deadline, target, measured, documents,
                  deliveries, per_delivery, source, met, gap_pp}],
     "inputs": [{name, measure, scope, on, plan, scenario, agencies, source}],
     "calibration": [{name, published, measured, unit, source, role, deviation}],
     "timing": {"bin_edges": [hours], "to_01_arrived": LAT, "to_03_accepted": LAT, "to_06_completed": LAT,
                "acceptance_by_channel": [{"channel", "latency": LAT}]},
         LAT = {count, mean, p50, p90, p99, max, histogram: [counts]}
     "deadlines": {"sent_on_time": C, "receipt_same_day": C, "urgent_immediate": C},
         C = {eligible, compliant, share}
     "exchange": {retries, duplicates, "refusals": {reason code: count}},
     "reconciliation": {sent, delivered, refused, fallen_back, lost, reconciles},
     "faults": [{kind, scope, start, end, affected, retries, fallbacks, refusals, delay_hours}],
     "replications": {…}}  (only with N > 1 replications: see :mod:`.replications`)
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from docexchange import __version__
from docexchange.errors import ReasonCode
from docexchange.report.codec import (
    Count,
    Record,
    ReportError,
    decode,
    describe,
    encode,
    round_value,
)
from docexchange.report.measures import Measure as Measure  # re-exported: readers name it from here
from docexchange.report.replications import Replications

FORMAT = "docexchange-report/3"  # /3: targets per document with their rule; adoption as inputs
"""The ``format`` of the files this version writes and the only one it reads."""

GAP_DECIMALS = 2
"""Decimals kept for gaps in percentage points (the same precision as a 4-decimal fraction)."""

GENERATED_BY = f"docexchange {__version__}"

TransportName = Literal["loopback", "memory", "none"]
TRANSPORTS: tuple[TransportName, ...] = ("loopback", "memory", "none")
EngineName = Literal["protocol", "plan"]
ENGINES: tuple[EngineName, ...] = ("protocol", "plan")


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round_value(part / whole)


def _gap_pp(measured: float, target: float) -> float:
    return round_value((measured - target) * 100, GAP_DECIMALS)


@dataclass(frozen=True)
class RunInfo(Record):
    """What was run. No wall-clock time and no host: the same scenario and seed give the same report."""

    scenario: str  # scenario name, e.g. "plan-2008"
    description: str  # one line, Vietnamese or English
    seed: int
    period_start: date  # first simulated day
    period_end: date  # last simulated day (inclusive)
    transport: TransportName  # "loopback": real sockets; "memory": in-process; "none": the plan engine
    engine: EngineName = (
        "protocol"  # "protocol": real nodes and messages; "plan": the same draws, no messages
    )
    generated_by: str = GENERATED_BY  # e.g. "docexchange 0.1.0"

    SIGNED = ("seed",)

    def _check(self) -> None:
        if self.period_end < self.period_start:
            raise ReportError(f"period_end {self.period_end} is before period_start {self.period_start}")
        if self.transport not in TRANSPORTS:
            raise ReportError(f"transport: expected one of {', '.join(TRANSPORTS)}, got {self.transport!r}")
        if self.engine not in ENGINES:
            raise ReportError(f"engine: expected one of {', '.join(ENGINES)}, got {self.engine!r}")
        if (self.engine == "plan") != (self.transport == "none"):
            raise ReportError("the plan engine, and only it, runs without a transport ('none')")
        if not self.scenario:
            raise ReportError("scenario: must not be empty")


@dataclass(frozen=True)
class Totals(Record):
    documents: int  # documents issued (each counted once, whatever its recipients)
    deliveries: int  # per-recipient deliveries: the unit of every share
    paper_copies: int  # electronic deliveries also sent on paper (Government copy, listed types)


@dataclass(frozen=True)
class ShareRow(Record):
    """Deliveries of one slice (a year, a quarter, a tier …) by outcome, with a target for reference.

    ``key`` names the slice: ``"all"``, ``"2008"``, ``"2008-Q3"``, a tier (``"ministry"``), a
    document type abbreviation (``"QĐ"``), a channel (``"axis"``, ``"mail"``, ``"paper"``).
    ``target`` is the plan's share in force for the slice and ``measure`` which share it is on,
    both or neither: a reference line for the chart, **not a verdict** — these rows count
    deliveries, and a target is judged per document, in its scope, in ``targets``.
    """

    DERIVED = ("legal_share", "info_only_share", "electronic_share", "paper_share")

    key: str
    deliveries: int
    legal: int  # electronic, signed and verified: legal value, replaces paper
    info_only: int  # electronic, unsigned: information only, paper still sent
    paper: int  # paper only
    target: float | None = None
    measure: Measure | None = None

    def _check(self) -> None:
        if self.legal + self.info_only + self.paper != self.deliveries:
            raise ReportError(
                f"{self.key}: legal {self.legal} + info_only {self.info_only} + paper {self.paper}"
                f" != deliveries {self.deliveries}"
            )
        if (self.target is None) != (self.measure is None):
            raise ReportError(f"{self.key}: target and measure go together (both or neither)")
        if self.measure is not None and self.measure not in (Measure.LEGAL, Measure.ELECTRONIC):
            raise ReportError(
                f"{self.key}: a row's target is on legal or electronic shares, not {self.measure}"
            )
        if self.target is not None and not 0 <= self.target <= 1:
            raise ReportError(f"{self.key}: target {self.target} is not a share between 0 and 1")

    @property
    def legal_share(self) -> float | None:
        return _share(self.legal, self.deliveries)

    @property
    def info_only_share(self) -> float | None:
        return _share(self.info_only, self.deliveries)

    @property
    def electronic_share(self) -> float | None:
        return _share(self.legal + self.info_only, self.deliveries)

    @property
    def paper_share(self) -> float | None:
        return _share(self.paper, self.deliveries)

    def share_of(self, measure: Measure) -> float | None:
        if measure is Measure.LEGAL:
            return self.legal_share
        if measure is Measure.ELECTRONIC:
            return self.electronic_share
        raise ReportError(f"{self.key}: a row's target is on legal or electronic shares, not {measure.value}")

    @property
    def measured(self) -> float | None:
        """The share the target applies to; None without a target or without deliveries."""
        return None if self.measure is None else self.share_of(self.measure)


@dataclass(frozen=True)
class TierSeries(Record):
    """One tier's shares quarter by quarter (the lines of the share-against-target chart)."""

    tier: str
    quarters: tuple[ShareRow, ...]

    def _check(self) -> None:
        _unique_keys(self.quarters, f"by_tier_quarter[{self.tier}]")


@dataclass(frozen=True)
class Shares(Record):
    """Deliveries by outcome, overall and sliced; every non-empty slicing adds up to ``overall``."""

    overall: ShareRow
    by_year: tuple[ShareRow, ...] = ()
    by_quarter: tuple[ShareRow, ...] = ()  # keys "2008-Q1" …, in time order
    by_tier: tuple[ShareRow, ...] = ()
    by_document_type: tuple[ShareRow, ...] = ()
    by_channel: tuple[ShareRow, ...] = ()
    by_tier_quarter: tuple[TierSeries, ...] = ()

    BREAKDOWNS: ClassVar[tuple[str, ...]] = (
        "by_year",
        "by_quarter",
        "by_tier",
        "by_document_type",
        "by_channel",
    )

    def _check(self) -> None:
        for name in self.BREAKDOWNS:
            rows: tuple[ShareRow, ...] = getattr(self, name)
            _unique_keys(rows, name)
            _adds_up(rows, self.overall, name)
        tiers = [s.tier for s in self.by_tier_quarter]
        if len(set(tiers)) != len(tiers):
            raise ReportError("by_tier_quarter: a tier appears twice")
        _adds_up([r for s in self.by_tier_quarter for r in s.quarters], self.overall, "by_tier_quarter")


def _unique_keys(rows: Sequence[ShareRow], where: str) -> None:
    keys = [r.key for r in rows]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ReportError(f"{where}: key {duplicates[0]!r} appears twice")


def _adds_up(rows: Sequence[ShareRow], overall: ShareRow, where: str) -> None:
    if not rows:
        return
    for name in ("deliveries", "legal", "info_only", "paper"):
        total = sum(getattr(r, name) for r in rows)
        if total != getattr(overall, name):
            raise ReportError(f"{where}: {name} add up to {total}, overall has {getattr(overall, name)}")


@dataclass(frozen=True)
class PaperReasons(Record):
    """Why each paper delivery went on paper; they add up to ``shares.overall.paper``."""

    secret: int  # state secret (Mật, Tối mật, Tuyệt mật): never electronic
    no_capability: int  # sender or recipient without axis connection, mailbox or certificate
    fallback_after_retries: int  # electronic sending failed after every retry
    refused_resent: int  # the recipient refused (status 02) and the document was re-sent on paper
    no_receipt_followed_up: int  # sent, but no word from the recipient a working day later: paper

    @property
    def total(self) -> int:
        return (
            self.secret
            + self.no_capability
            + self.fallback_after_retries
            + self.refused_resent
            + self.no_receipt_followed_up
        )


class TargetUnit(StrEnum):
    """What a target's measured value counts."""

    DOCUMENT = "document"  # the targets' own unit (DOMAIN.md §1): one document, whatever its recipients
    DELIVERY = "delivery"  # one document to one recipient (the time an exchange takes)


ADOPTION_MEASURES = frozenset({Measure.MAIL_USE, Measure.DMS, Measure.CERTIFICATE, Measure.AXIS})


@dataclass(frozen=True)
class Target(Record):
    """A Government target against what the run measured (DOMAIN.md §1).

    A share target is measured on documents: ``measured`` is the share of the ``documents`` in
    scope that count under ``rule`` (``every-recipient``, ``any-recipient``, ``recipient-share X``),
    and ``per_delivery`` is the same measure over their ``deliveries``, shown beside it. A days
    target is measured per delivery (``documents`` 0, ``rule`` and ``per_delivery`` empty).
    """

    DERIVED = ("met", "gap_pp")

    name: str  # e.g. "KH 2008: 40 % văn bản qua thư điện tử"
    measure: Measure
    unit: TargetUnit
    rule: str  # when a document with several recipients counts; "" for a days target
    scope: str  # which documents count, in words (senders, recipients, document types, period)
    deadline: date  # the date by which the target applies
    target: float  # share to reach, 0–1 (or working days at most)
    measured: float  # what the run reached, in ``unit``
    documents: int  # documents in scope (0 for a per-delivery target)
    deliveries: int  # their deliveries (the deliveries measured, for a per-delivery target)
    per_delivery: float | None  # the share over deliveries, beside the document share
    source: str  # the decision or plan that sets it

    def _check(self) -> None:
        if self.measure in ADOPTION_MEASURES:
            raise ReportError(f"{self.name}: {self.measure.value} is an adoption input, not a target")
        for name in ("target", "measured", "per_delivery"):
            value = getattr(self, name)
            if value is None:
                continue
            if self.measure.is_share and not 0 <= value <= 1:
                raise ReportError(f"{self.name}: {name} {value} is not a share between 0 and 1")
            if value < 0:
                raise ReportError(f"{self.name}: {name} {value} is negative")
        if self.unit is TargetUnit.DOCUMENT:
            if not self.measure.is_share:
                raise ReportError(f"{self.name}: {self.measure.value} is measured per delivery")
            if not self.rule or self.per_delivery is None:
                raise ReportError(f"{self.name}: a per-document share needs its rule and per_delivery")
            if not 0 < self.documents <= self.deliveries:
                raise ReportError(
                    f"{self.name}: {self.documents} documents over {self.deliveries} deliveries"
                )
        elif self.rule or self.per_delivery is not None or self.documents:
            raise ReportError(f"{self.name}: a per-delivery target has no rule, per_delivery or documents")

    @property
    def met(self) -> bool:
        if not self.measure.is_share:  # days: at most the target
            return self.measured <= self.target
        return self.measured >= self.target

    @property
    def gap_pp(self) -> float:
        """Percentage points above the target; for days, working days under it (positive = beaten)."""
        if not self.measure.is_share:
            return round_value(self.target - self.measured, GAP_DECIMALS)
        return _gap_pp(self.measured, self.target)


@dataclass(frozen=True)
class AdoptionInput(Record):
    """An adoption level the plan names (officials on e-mail, offices with document management …)
    beside the level the scenario set for it: an **input** of the run, never a result or a verdict."""

    name: str
    measure: Measure  # one of ADOPTION_MEASURES
    scope: str  # which agencies, in words
    on: date  # the date the plan names
    plan: float  # the plan's figure
    scenario: float  # the scenario's level on that date (mean share, or share of agencies drawn)
    agencies: int
    source: str

    def _check(self) -> None:
        if self.measure not in ADOPTION_MEASURES:
            raise ReportError(f"{self.name}: {self.measure.value} is not an adoption measure")
        for name in ("plan", "scenario"):
            if not 0 <= getattr(self, name) <= 1:
                raise ReportError(f"{self.name}: {name} {getattr(self, name)} is not a share between 0 and 1")


@dataclass(frozen=True)
class Calibration(Record):
    """A published figure beside the run's value for the same quantity (to calibrate a scenario)."""

    DERIVED = ("deviation",)

    name: str  # e.g. "2012: văn bản điện tử hoàn toàn, bộ ngành"
    published: float
    measured: float
    unit: str  # "share", "days", "documents/year" …
    source: str
    role: str = "held-out"  # "fitted": the scenario's inputs were chosen to hit it (agreement is no evidence)

    def _check(self) -> None:
        if self.role not in ("fitted", "held-out"):
            raise ReportError(f"{self.name}: role {self.role!r} is neither 'fitted' nor 'held-out'")

    @property
    def deviation(self) -> float | None:
        """``measured / published - 1``: +0.1 is 10 % above the published figure; None if it is 0."""
        return None if self.published == 0 else round_value(self.measured / self.published - 1)


@dataclass(frozen=True)
class Latency(Record):
    """Distribution of one interval in working hours, over ``count`` deliveries.

    ``histogram[i]`` counts intervals in ``[bin_edges[i], bin_edges[i+1])`` of the enclosing
    :class:`Timing`; the last bin also holds everything above. Statistics are None when
    ``count`` is 0. Percentiles are nearest-rank (see :func:`latency_from_samples`).
    """

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None
    histogram: tuple[int, ...]

    STATS: ClassVar[tuple[str, ...]] = ("mean", "p50", "p90", "p99", "max")

    def _check(self) -> None:
        stats = [getattr(self, name) for name in self.STATS]
        if self.count == 0:
            if any(s is not None for s in stats):
                raise ReportError("latency over 0 deliveries must have null statistics")
        else:
            if any(s is None for s in stats):
                raise ReportError(f"latency over {self.count} deliveries needs mean, p50, p90, p99 and max")
            if any(s < 0 for s in stats):
                raise ReportError("latency statistics must not be negative")
            p50, p90, p99, top = (s for s in stats[1:] if s is not None)
            if not p50 <= p90 <= p99 <= top:
                raise ReportError(
                    f"percentiles out of order: p50 {self.p50} p90 {self.p90} p99 {self.p99} max {self.max}"
                )
        if sum(self.histogram) != self.count:
            raise ReportError(f"histogram holds {sum(self.histogram)} intervals, count is {self.count}")


@dataclass(frozen=True)
class ChannelLatency(Record):
    """Signing → acceptance for the deliveries whose accepted copy came by one channel."""

    channel: str  # "axis", "mail", "paper", or "all"
    latency: Latency


@dataclass(frozen=True)
class Timing(Record):
    """Signing → status 01 (arrived), → 03 (accepted), → 06 (completed), in simulated working hours,
    for the deliveries with legal value; and signing → acceptance for **every** delivery by the
    channel of the copy that counted (paper: the paper original's registration), with "all" — whose
    mean, in working days, is the run's time per exchange (``exchange-days``)."""

    bin_edges: tuple[float, ...]  # histogram bin edges in working hours, increasing
    to_01_arrived: Latency
    to_03_accepted: Latency
    to_06_completed: Latency
    acceptance_by_channel: tuple[ChannelLatency, ...] = ()

    INTERVALS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("to_01_arrived", "01"),
        ("to_03_accepted", "03"),
        ("to_06_completed", "06"),
    )

    def _check(self) -> None:
        edges = self.bin_edges
        if len(edges) < 2 or edges[0] < 0 or any(b <= a for a, b in itertools.pairwise(edges)):
            raise ReportError("bin_edges: need at least two increasing, non-negative edges")
        for name, _code in self.INTERVALS:
            latency: Latency = getattr(self, name)
            if len(latency.histogram) != len(edges) - 1:
                raise ReportError(
                    f"{name}: histogram has {len(latency.histogram)} bins, bin_edges make {len(edges) - 1}"
                )
        channels = {c.channel: c.latency for c in self.acceptance_by_channel}
        if len(channels) != len(self.acceptance_by_channel):
            raise ReportError("acceptance_by_channel: a channel appears twice")
        if channels:
            total = channels.get("all")
            parts = [lat.count for key, lat in channels.items() if key != "all"]
            if total is None or total.count != sum(parts):
                raise ReportError("acceptance_by_channel: 'all' must count the deliveries of every channel")

    def latencies(self) -> tuple[tuple[str, str, Latency], ...]:
        """``(field name, status code, latency)`` for 01, 03 and 06."""
        return tuple((name, code, getattr(self, name)) for name, code in self.INTERVALS)


@dataclass(frozen=True)
class Compliance(Record):
    """How many of the deliveries a deadline rule applies to kept it."""

    DERIVED = ("share",)

    eligible: int
    compliant: int

    def _check(self) -> None:
        if self.compliant > self.eligible:
            raise ReportError(f"compliant {self.compliant} is more than eligible {self.eligible}")

    @property
    def share(self) -> float | None:
        return _share(self.compliant, self.eligible)


@dataclass(frozen=True)
class Deadlines(Record):
    """Decision 28/2018 and Decree 30/2020 deadlines."""

    sent_on_time: Compliance  # sent on the day of signing or the next working morning
    receipt_same_day: Compliance  # receipt (01) confirmed to the sender the same day
    urgent_immediate: Compliance  # urgent (khẩn, thượng khẩn, hỏa tốc) sent at once after signing

    RULES: ClassVar[tuple[str, ...]] = ("sent_on_time", "receipt_same_day", "urgent_immediate")


@dataclass(frozen=True)
class Exchange(Record):
    retries: int  # transport retries (DHX schedule 30 s / 120 s / 1200 s)
    duplicates: int  # duplicates detected and answered without registering twice
    refusals: tuple[Count, ...]  # status 02 by reason code; JSON: {"cert-revoked": 2, …}

    @property
    def refused(self) -> int:
        return sum(c.count for c in self.refusals)


@dataclass(frozen=True)
class Reconciliation(Record):
    """Every electronic delivery sent ends as delivered, refused or fallen back to paper; none lost."""

    DERIVED = ("reconciles",)

    sent: int
    delivered: int
    refused: int
    fallen_back: int  # to paper, after failed retries
    lost: int  # must be 0

    @property
    def reconciles(self) -> bool:
        return self.lost == 0 and self.sent == self.delivered + self.refused + self.fallen_back


@dataclass(frozen=True)
class Fault(Record):
    """An injected fault and what it cost."""

    kind: str  # e.g. "axis-outage", "mail-outage", "cert-revoked", "clock-skew"
    scope: str  # what it hit: "axis", an agency identifier, a mail domain …
    start: datetime  # simulated time, ISO 8601 with offset (+07:00)
    end: datetime
    affected: int  # deliveries touched
    retries: int
    fallbacks: int
    refusals: int
    delay_hours: float  # working hours of delay added, summed over affected deliveries

    def _check(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise ReportError(f"fault {self.kind}: {name} must be a datetime with a UTC offset")
        if self.end < self.start:
            raise ReportError(f"fault {self.kind}: end {self.end.isoformat()} is before start")
        if self.delay_hours < 0:
            raise ReportError(f"fault {self.kind}: delay_hours must not be negative")


@dataclass(frozen=True)
class Report(Record):
    """The whole report of one run. ``to_json``/``from_json`` give and read ``report.json``."""

    run: RunInfo
    totals: Totals
    shares: Shares
    paper_reasons: PaperReasons
    targets: tuple[Target, ...]
    inputs: tuple[AdoptionInput, ...]
    calibration: tuple[Calibration, ...]
    timing: Timing
    deadlines: Deadlines
    exchange: Exchange
    reconciliation: Reconciliation
    faults: tuple[Fault, ...] = ()
    replications: Replications | None = None
    """The spread over replications (``run --replications N``, N > 1); absent from a single run's
    file, which is byte for byte what it was."""

    OMITTED = ("replications",)

    def _check(self) -> None:
        if self.totals.deliveries != self.shares.overall.deliveries:
            raise ReportError(
                f"totals.deliveries {self.totals.deliveries} != shares.overall.deliveries "
                f"{self.shares.overall.deliveries}"
            )
        if self.paper_reasons.total != self.shares.overall.paper:
            raise ReportError(
                f"paper_reasons add up to {self.paper_reasons.total}, shares.overall.paper is "
                f"{self.shares.overall.paper}"
            )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = encode(self, Report)
        data["format"] = FORMAT
        return data

    def to_json(self) -> str:
        """The canonical text of ``report.json``: same report, same bytes."""
        return (
            json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        )

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "report.json") -> Report:
        """Read a report strictly: unknown, missing or mistyped fields are refused, naming the field."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReportError(f"{source}: not UTF-8 text (byte {exc.start})") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise ReportError(
                f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except ValueError as exc:
            raise ReportError(f"{source}: {exc}") from None
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data: Any, source: str = "report.json") -> Report:
        if not isinstance(data, dict):
            raise ReportError(f"{source}: expected a JSON object at the top, got {describe(data)}")
        if "format" not in data:
            raise ReportError(f"{source}: missing field 'format' (expected {FORMAT!r})")
        if data["format"] != FORMAT:
            raise ReportError(
                f"{source}: format {data['format']!r} is not supported; this version reads {FORMAT!r}"
            )
        body = {k: v for k, v in data.items() if k != "format"}
        report: Report = decode(body, Report, "", source)
        return report


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a report")


def read_report(path: Path) -> Report:
    """Read ``report.json`` at ``path`` (a file, or a run folder holding one)."""
    file = path / "report.json" if path.is_dir() else path
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ReportError(
            f"{file}: no such file (a run writes it with --out DIR)", ReasonCode.INVALID_ARGUMENT
        ) from None
    except IsADirectoryError:
        raise ReportError(f"{file}: is a directory, not a report", ReasonCode.INVALID_ARGUMENT) from None
    return Report.from_json(data, str(file))


# --------------------------------------------------------------------------------------------
# Helpers for whoever builds a report


def share_row(
    key: str,
    legal: int,
    info_only: int,
    paper: int,
    target: float | None = None,
    measure: Measure | None = None,
) -> ShareRow:
    """A :class:`ShareRow` whose ``deliveries`` is the sum of its outcomes."""
    return ShareRow(key, legal + info_only + paper, legal, info_only, paper, target, measure)


def exact_sum(values: npt.NDArray[np.float64], chunk: int = 1 << 20) -> float:
    """The sum of ``values``, each chunk exactly rounded (``math.fsum``), without a list of them all."""
    return math.fsum(math.fsum(values[k : k + chunk].tolist()) for k in range(0, len(values), chunk))


def latency_from_array(
    hours: npt.NDArray[np.float64], bin_edges: Sequence[float], *, consume: bool = False
) -> Latency:
    """:func:`latency_from_samples` for an array of samples (millions at real volumes): the same
    nearest-rank percentiles, bins and mean (exactly rounded per chunk of a million). ``consume``:
    the caller gives the array up, and it is sorted in place (no copy)."""
    if len(bin_edges) < 2:
        raise ReportError("bin_edges: need at least two edges")
    samples = hours if consume else np.array(hours, dtype=np.float64)
    samples.sort()
    n = len(samples)
    # bin i holds edges[i] <= sample < edges[i + 1]; the first also what is below, the last what is above
    inner = np.searchsorted(samples, np.asarray(bin_edges[1:-1], dtype=np.float64), side="left")
    histogram = tuple(int(c) for c in np.diff(np.concatenate(([0], inner, [n]))))
    if n == 0:
        return Latency(0, None, None, None, None, None, histogram)

    def rank(p: int) -> float:
        return float(samples[max(0, math.ceil(p * n / 100) - 1)])

    mean = exact_sum(samples) / n
    return Latency(n, mean, rank(50), rank(90), rank(99), float(samples[-1]), histogram)


def latency_from_samples(hours: Iterable[float], bin_edges: Sequence[float]) -> Latency:
    """Summarise intervals (working hours) as a :class:`Latency` for the given bin edges.

    Percentiles are nearest-rank: ``pN`` is the smallest sample with at least N % of the samples
    at or below it. Samples below the first edge count in the first bin, above the last in the last.
    """
    samples = sorted(float(h) for h in hours)
    if len(bin_edges) < 2:
        raise ReportError("bin_edges: need at least two edges")
    histogram = [0] * (len(bin_edges) - 1)
    for sample in samples:
        index = 0
        while index < len(histogram) - 1 and sample >= bin_edges[index + 1]:
            index += 1
        histogram[index] += 1
    if not samples:
        return Latency(0, None, None, None, None, None, tuple(histogram))
    n = len(samples)

    def rank(p: int) -> float:
        return samples[max(0, math.ceil(p * n / 100) - 1)]

    return Latency(n, math.fsum(samples) / n, rank(50), rank(90), rank(99), samples[-1], tuple(histogram))
