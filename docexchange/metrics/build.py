"""From a finished run's stores to :class:`~docexchange.report.Report`.

Every count here is read from the agencies' SQLite stores (through :mod:`.outcomes`) and the
runner's ledger of what was signed; durations are simulated working time on the scenario's
calendar. Nothing depends on wall-clock time, key bytes or the order of dictionary iteration, so
the same scenario and seed give the same report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from docexchange.metrics.outcomes import (
    DeliveryResult,
    Outcome,
    PaperReason,
    Settlement,
    StoreReader,
    refusals_by_reason,
)
from docexchange.metrics.table import (
    CHANNELS,
    NONE,
    OUTCOMES,
    PAPER_REASONS,
    SETTLEMENTS,
    TIERS,
    Flags,
    Floats,
    Ints,
    ResultTable,
    code_of,
)
from docexchange.report import (
    AdoptionInput,
    Calibration,
    ChannelLatency,
    Compliance,
    Count,
    Deadlines,
    Exchange,
    Fault,
    Latency,
    Measure,
    PaperReasons,
    Reconciliation,
    Report,
    RunInfo,
    ShareRow,
    Shares,
    Target,
    TargetUnit,
    TierSeries,
    Timing,
    Totals,
    latency_from_array,
    share_row,
)
from docexchange.report.codec import DECIMALS, round_value
from docexchange.report.schema import exact_sum
from docexchange.routing import Channel
from docexchange.sim.calendar import WorkingCalendar
from docexchange.sim.runner import RunResult
from docexchange.sim.scenario import (
    AdoptionMeasure,
    CountingRule,
    MailReading,
    PublishedFigure,
    Scope,
    TargetMeasure,
    active_between,
)
from docexchange.sim.scenario import Target as PlanTarget
from docexchange.sim.timeline import CHUNK, Timeline, day_number, local_day_number

BIN_EDGES = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 40.0, 80.0, 160.0)
"""Histogram edges in working hours: an hour, half a day, a day (8 h), two, three, a week, two, four."""

_DOCUMENT_MEASURES = {
    TargetMeasure.ELECTRONIC_SHARE: Measure.ELECTRONIC,
    TargetMeasure.SIGNED_ELECTRONIC_SHARE: Measure.LEGAL,
    TargetMeasure.FULLY_ELECTRONIC_SHARE: Measure.FULLY_ELECTRONIC,
    TargetMeasure.EXCHANGE_DAYS: Measure.EXCHANGE_DAYS,
}
_ADOPTION_MEASURES = {
    TargetMeasure.MAIL_USE: Measure.MAIL_USE,
    TargetMeasure.DMS: Measure.DMS,
    TargetMeasure.CERTIFICATE: Measure.CERTIFICATE,
    TargetMeasure.AXIS: Measure.AXIS,
}


def collect(run: RunResult) -> list[DeliveryResult]:
    reader = StoreReader(run.stores)
    return [reader.result(delivery) for delivery in run.ledger]


def build_report(run: RunResult, results: list[DeliveryResult] | ResultTable | None = None) -> Report:
    """The report of a finished run, from its results (read from the stores when not given): the
    protocol engine's objects or the plan engine's columns."""
    given = collect(run) if results is None else results
    table = given if isinstance(given, ResultTable) else ResultTable.from_results(given)
    scenario = run.scenario
    view = _View.of(table, Timeline.of(run.calendar))
    stores = run.stores
    return Report(
        run=RunInfo(
            scenario=scenario.name,
            description=scenario.description,
            seed=scenario.seed,
            period_start=run.period_start,
            period_end=run.period_end,
            transport="none" if run.engine == "plan" else scenario.transport.value,
            engine=run.engine,
        ),
        totals=Totals(table.documents, int(view.counted.sum()), run.counters.paper_copies),
        shares=_shares(view, scenario.targets, run.period_end),
        paper_reasons=_paper_reasons(view),
        targets=tuple(_targets(run, view)),
        inputs=tuple(_inputs(run)),
        calibration=tuple(_calibrations(view, run)),
        timing=_timing(view),
        deadlines=_deadlines(view),
        exchange=Exchange(
            retries=sum(store.retries() for store in stores.values()),  # documents and statuses
            # caught by the recipient (mail) or already at the axis, which never passes them on
            duplicates=run.counters.duplicates + run.duplicate_uploads,
            refusals=tuple(Count(k, v) for k, v in sorted(refusals_by_reason(stores).items())),
        ),
        reconciliation=_reconciliation(view),
        faults=tuple(_faults(run, given if isinstance(given, list) else [])),
    )


@dataclass(frozen=True)
class _View:
    """The table with what every section asks for computed once, per delivery."""

    table: ResultTable
    timeline_or_none: Timeline | None
    counted: Flags  # not lost
    outcome: Ints
    day: Ints  # its Vietnam-time day number
    tier: Ints
    doc_type: Ints
    sender: Ints

    @property
    def timeline(self) -> Timeline:
        assert self.timeline_or_none is not None, "a share needs no calendar; a time does"
        return self.timeline_or_none

    @classmethod
    def of(cls, table: ResultTable, timeline: Timeline | None) -> _View:
        document = table.document
        return cls(
            table,
            timeline,
            table.outcome != _LOST,
            table.outcome,
            local_day_number(table.doc_signed).astype(np.int32)[document],
            table.doc_tier[document],
            table.doc_type[document],
            table.doc_sender[document],
        )

    def chunks(self) -> Iterable[slice]:
        """The deliveries a slice at a time (bounded temporaries at tens of millions)."""
        return (slice(k, k + CHUNK) for k in range(0, self.table.deliveries, CHUNK))

    def signed(self, part: slice) -> Floats:
        """The signing instant of each delivery's document, for the deliveries ``part``."""
        signed: Floats = self.table.doc_signed[self.table.document[part]]
        return signed

    def hours_since_signing(self, mask: Flags, at: Floats) -> Floats:
        """Office hours from signing to ``at`` for the deliveries ``mask`` selects, in order."""
        hours = np.empty(int(mask.sum()))
        filled = 0
        for part in self.chunks():
            chosen = mask[part]
            if chosen.any():
                some = self.timeline.hours_between(self.signed(part)[chosen], at[part][chosen])
                hours[filled : filled + len(some)] = some
                filled += len(some)
        return hours


_LEGAL = code_of(OUTCOMES, Outcome.LEGAL)
_INFO = code_of(OUTCOMES, Outcome.INFO_ONLY)
_PAPER = code_of(OUTCOMES, Outcome.PAPER)
_LOST = code_of(OUTCOMES, Outcome.LOST)
_MAIL = code_of(CHANNELS, Channel.MAIL)
_PAPER_CHANNEL = code_of(CHANNELS, Channel.PAPER)
_AXIS = code_of(CHANNELS, Channel.AXIS)


# ── shares ───────────────────────────────────────────────────────────────────────────────


def _row(key: str, counts: tuple[int, int, int], target: PlanTarget | None = None) -> ShareRow:
    legal, info, paper = counts
    measure = _DOCUMENT_MEASURES.get(target.measure) if target is not None else None
    if measure not in (Measure.LEGAL, Measure.ELECTRONIC):
        return share_row(key, legal, info, paper)
    assert target is not None
    return share_row(key, legal, info, paper, target.value, measure)


def _outcome_counts(
    view: _View, keys: Sequence[str], codes: Ints, mask: Flags
) -> dict[str, tuple[int, int, int]]:
    """Legal, information-only and paper deliveries per group (``keys[code]``), sorted by key,
    groups with no delivery left out."""
    chosen = mask & view.counted
    outcome = view.outcome[chosen]
    category = codes[chosen].astype(np.int32) * 3 + 2  # paper, unless
    category[outcome == _LEGAL] -= 2
    category[outcome == _INFO] -= 1
    counts = np.bincount(category, minlength=3 * len(keys)).reshape(len(keys), 3)
    merged: dict[str, list[int]] = {}
    for key, row in zip(keys, counts.tolist(), strict=True):
        if sum(row):
            total = merged.setdefault(key, [0, 0, 0])
            for k in range(3):
                total[k] += row[k]
    return {k: (v[0], v[1], v[2]) for k, v in sorted(merged.items())}


def _calendar_keys(view: _View) -> tuple[list[str], list[str], Ints]:
    """Year and quarter labels of the signing days, and each delivery's day code into both."""
    table = view.table
    days, inverse = np.unique(local_day_number(table.doc_signed), return_inverse=True)
    dates = [date(1970, 1, 1) + timedelta(days=int(d)) for d in days]
    years = [str(d.year) for d in dates]
    quarters = [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in dates]
    return years, quarters, inverse.astype(np.int32)[table.document]


def _quarter_end(key: str) -> date:
    year, quarter = int(key[:4]), int(key[-1])
    month = quarter * 3
    return (date(year + (month // 12), month % 12 + 1, 1)) - timedelta(days=1)


def _row_target(targets: tuple[PlanTarget, ...], when: date, tier: str | None = None) -> PlanTarget | None:
    """The plan's share target in force for a slice ending on ``when`` (the next deadline on or
    after it), on legal or electronic shares, for the tier if given."""
    candidates = [
        t
        for t in targets
        if _DOCUMENT_MEASURES.get(t.measure) in (Measure.LEGAL, Measure.ELECTRONIC)
        and not t.scope.types
        and not t.scope.agencies
        and not t.scope.senders
        and not t.scope.direction
        and t.reading is MailReading.SENDER
        and (tier is None or not t.scope.tiers or tier in {x.value for x in t.scope.tiers})
        and (tier is not None or not t.scope.tiers)
        and t.by >= when
        and (t.since is None or t.since <= when)
    ]
    return min(candidates, key=lambda t: t.by, default=None)


def _shares(view: _View, targets: tuple[PlanTarget, ...], period_end: date) -> Shares:
    table = view.table
    everything = np.ones(table.deliveries, dtype=bool)
    years, quarters, day_codes = _calendar_keys(view)
    tiers = [t.value for t in TIERS]
    overall = _outcome_counts(view, ["all"], np.zeros(table.deliveries, dtype=np.int64), everything)
    by_quarter = _outcome_counts(view, quarters, day_codes, everything)
    by_tier = _outcome_counts(view, tiers, view.tier, everything)
    by_tier_quarter = []
    for tier in by_tier:
        in_tier = view.tier == tiers.index(tier)
        rows = _outcome_counts(view, quarters, day_codes, in_tier)
        by_tier_quarter.append(
            TierSeries(
                tier, tuple(_row(q, c, _row_target(targets, _quarter_end(q), tier)) for q, c in rows.items())
            )
        )
    return Shares(
        overall=_row("all", overall.get("all", (0, 0, 0)), _row_target(targets, period_end)),
        by_year=tuple(
            _row(k, c, _row_target(targets, min(date(int(k), 12, 31), period_end)))
            for k, c in _outcome_counts(view, years, day_codes, everything).items()
        ),
        by_quarter=tuple(_row(k, c, _row_target(targets, _quarter_end(k))) for k, c in by_quarter.items()),
        by_tier=tuple(_row(k, c, _row_target(targets, period_end, k)) for k, c in by_tier.items()),
        by_document_type=tuple(
            _row(k, c) for k, c in _outcome_counts(view, list(table.types), view.doc_type, everything).items()
        ),
        by_channel=tuple(
            _row(k, c)
            for k, c in _outcome_counts(view, [c.value for c in CHANNELS], table.channel, everything).items()
        ),
        by_tier_quarter=tuple(by_tier_quarter),
    )


def _paper_reasons(view: _View) -> PaperReasons:
    table = view.table
    chosen = view.counted & (view.outcome == _PAPER) & (table.paper_reason != NONE)
    counts = np.bincount(table.paper_reason[chosen], minlength=len(PAPER_REASONS))
    count = {reason: int(counts[i]) for i, reason in enumerate(PAPER_REASONS)}
    return PaperReasons(
        count[PaperReason.SECRET],
        count[PaperReason.NO_CAPABILITY],
        count[PaperReason.FALLBACK],
        count[PaperReason.REFUSED],
        count[PaperReason.NO_RECEIPT],
    )


# ── targets and published figures ────────────────────────────────────────────────────────


def _in_scope(view: _View, scope: Scope, exclude_secret: bool) -> Flags:
    """Per delivery: counted, and its document (or, for ``agencies``, its exchange) in ``scope``."""
    table = view.table
    document = table.document
    mask = view.counted.copy()
    if exclude_secret:
        mask &= ~table.doc_secret[document]
    if scope.tiers:
        mask &= np.isin(view.tier, [code_of(TIERS, t) for t in scope.tiers])
    if scope.types:
        mask &= np.isin(view.doc_type, [i for i, t in enumerate(table.types) if t in scope.types])
    if scope.senders:
        mask &= np.isin(view.sender, _agency_codes(table, scope.senders))
    if scope.direction:
        mask &= table.doc_direction[document]
    if scope.agencies:
        named = _agency_codes(table, scope.agencies)
        mask &= np.isin(view.sender, named) | np.isin(table.recipient, named)
    return mask


def _agency_codes(table: ResultTable, agencies: Iterable[str]) -> list[int]:
    wanted = set(agencies)
    return [i for i, a in enumerate(table.agencies) if a in wanted]


def _between(view: _View, since: date, until: date) -> Flags:
    flags: Flags = (view.day >= day_number(since)) & (view.day <= day_number(until))
    return flags


def _delivery_met(measure: TargetMeasure, view: _View, reading: MailReading = MailReading.SENDER) -> Flags:
    """Per delivery: whether it went the way a share measure asks."""
    table = view.table
    legal: Flags = view.outcome == _LEGAL
    if measure is TargetMeasure.ELECTRONIC_SHARE:
        electronic: Flags = legal | (view.outcome == _INFO)
        if reading is MailReading.BOTH_ENDS:
            electronic &= ~((table.channel == _MAIL) & ~table.recipient_uses_mail)
        return electronic
    if measure is TargetMeasure.SIGNED_ELECTRONIC_SHARE:
        return legal
    if measure is TargetMeasure.FULLY_ELECTRONIC_SHARE:
        flags: Flags = legal & ~table.paper_copy
        return flags
    raise ValueError(f"{measure.value} is not a share of deliveries")


@dataclass(frozen=True)
class DocumentShare:
    """A share measure over documents (by a counting rule) and over their deliveries."""

    documents: int
    counted: int  # documents that count under the rule
    deliveries: int
    met: int  # deliveries that went the measure's way

    @property
    def share(self) -> float | None:
        return self.counted / self.documents if self.documents else None

    @property
    def per_delivery(self) -> float | None:
        return self.met / self.deliveries if self.deliveries else None


def document_share(
    measure: TargetMeasure,
    rule: CountingRule,
    table: ResultTable,
    mask: Flags | None = None,
    reading: MailReading = MailReading.SENDER,
) -> DocumentShare:
    """Group the deliveries ``mask`` selects (default: all not lost) by document and count the
    documents ``rule`` accepts."""
    view = _View.of(table, None)
    chosen = view.counted if mask is None else mask
    return _document_share(measure, rule, view, chosen, reading)


def _document_share(
    measure: TargetMeasure, rule: CountingRule, view: _View, mask: Flags, reading: MailReading
) -> DocumentShare:
    table = view.table
    met = _delivery_met(measure, view, reading)[mask]
    documents = table.document[mask]
    sizes = np.bincount(documents, minlength=table.documents)
    done = np.bincount(documents, weights=met, minlength=table.documents).astype(np.int64)
    present = sizes > 0
    return DocumentShare(
        documents=int(present.sum()),
        counted=int(rule.counts_each(done[present], sizes[present]).sum()),
        deliveries=int(mask.sum()),
        met=int(met.sum()),
    )


def _rule_text(target: PlanTarget) -> str:
    """The counting rule as the report states it, with the mail reading when it is the strict one."""
    if target.reading is MailReading.BOTH_ENDS:
        return f"{target.counting.text}; both ends use e-mail"
    return target.counting.text


def _exchange_days(view: _View, mask: Flags) -> float | None:
    table = view.table
    chosen = mask & ~np.isnan(table.accepted)
    if not chosen.any():
        return None
    hours = view.hours_since_signing(chosen, table.accepted)
    return exact_sum(hours / _daily(view.timeline.calendar)) / len(hours)


def _document_value(
    measure: TargetMeasure, rule: CountingRule, view: _View, mask: Flags, reading: MailReading
) -> float | None:
    if not mask.any():
        return None
    if measure.counts_documents:
        return _document_share(measure, rule, view, mask, reading).share
    return _exchange_days(view, mask)


def _inputs(run: RunResult) -> Iterable[AdoptionInput]:
    """The plan's adoption figures beside the levels the scenario set: inputs, not results."""
    scenario = run.scenario
    for target in scenario.targets:
        measure = target.measure.adoption_measure
        if measure is None or target.by > run.period_end:
            continue
        agencies = [
            a
            for a in run.participants
            if (not target.scope.tiers or a.tier in target.scope.tiers)
            and (not target.scope.agencies or a.id in target.scope.agencies)
            and active_between(a, target.by, target.by)  # those that exist on the date named
        ]
        if not agencies:
            continue
        if measure is AdoptionMeasure.MAIL_USE:  # a share of officials, the scenario's own number
            level = sum(scenario.adoption.share(a, measure, target.by) for a in agencies) / len(agencies)
        else:  # agencies that have adopted, by their seeded thresholds
            level = sum(run.adoption.has_adopted(a, measure, target.by) for a in agencies) / len(agencies)
        yield AdoptionInput(
            target.name, _ADOPTION_MEASURES[target.measure], _scope_text(target.scope, len(agencies), "agencies"),
            target.by, target.value, round_value(level), len(agencies), target.source,
        )  # fmt: skip


def _targets(run: RunResult, view: _View) -> Iterable[Target]:
    scenario = run.scenario
    for target in scenario.targets:
        if target.measure.adoption_measure is not None:
            continue  # an input: see _inputs
        since = max(target.since or run.period_start, run.period_start)  # a run --from part-way
        until = min(target.by, run.period_end)
        mask = _between(view, since, until) & _in_scope(view, target.scope, target.exclude_secret)
        if not mask.any():
            continue
        note = "" if target.by <= run.period_end else f"; measured until {run.period_end} (run shortened)"
        measure = _DOCUMENT_MEASURES[target.measure]
        if target.measure.counts_documents:
            counted = _document_share(target.measure, target.counting, view, mask, target.reading)
            assert counted.share is not None and counted.per_delivery is not None
            scope = _scope_text(
                target.scope, counted.documents, "documents", since, until, target.exclude_secret
            )
            yield Target(
                target.name, measure, TargetUnit.DOCUMENT, _rule_text(target), scope + note, target.by,
                target.value, round_value(counted.share), counted.documents, counted.deliveries,
                round_value(counted.per_delivery), target.source,
            )  # fmt: skip
            continue
        days = _exchange_days(view, mask)
        if days is None:
            continue
        rows = int(mask.sum())
        scope = _scope_text(target.scope, rows, "deliveries", since, until, target.exclude_secret)
        yield Target(
            target.name, measure, TargetUnit.DELIVERY, "", scope + note, target.by,
            target.value, round_value(days), 0, rows, None, target.source,
        )  # fmt: skip


def _scope_text(
    scope: Scope,
    count: int,
    unit: str,
    since: date | None = None,
    until: date | None = None,
    exclude_secret: bool = False,
) -> str:
    parts = [f"{count} {unit}"]
    if since is not None and until is not None:
        parts.append(f"signed {since.isoformat()}–{until.isoformat()}")
    if scope.tiers:
        parts.append("tiers " + ", ".join(t.value for t in scope.tiers))
    if scope.types:
        parts.append("types " + ", ".join(scope.types))
    if scope.agencies:
        parts.append("agencies " + ", ".join(scope.agencies))
    if scope.senders:
        parts.append(f"sent by {len(scope.senders)} named agencies")
    if scope.direction:
        parts.append("direction documents (SteeringType 2)")
    if exclude_secret:
        parts.append("secret excluded")
    return "; ".join(parts)


def _calibrations(view: _View, run: RunResult) -> Iterable[Calibration]:
    """Each published figure beside the run's value; a count over a period the run does not
    cover whole is left out (a part of it is no comparison)."""
    for figure in run.scenario.published:
        if _covers(run, figure):
            yield _calibration(figure, view, run)


def _covers(run: RunResult, figure: PublishedFigure) -> bool:
    """Whether the run measured the whole of the figure's period (or it has none)."""
    if figure.since is None or figure.until is None:
        return True
    return run.period_start <= figure.since and figure.until <= run.period_end


def _calibration(figure: PublishedFigure, view: _View, run: RunResult) -> Calibration:
    if figure.measure is TargetMeasure.DOCUMENTS_PER_YEAR:
        value: float | None = volume_per_year(run, view.table.documents)
    elif figure.measure is TargetMeasure.AXIS_DOCUMENTS:
        assert figure.since is not None and figure.until is not None
        value = axis_documents(view, figure, run.scale)
    else:
        mask = _in_scope(view, figure.scope, figure.exclude_secret)
        value = _document_value(figure.measure, figure.counting, view, mask, figure.reading)
    return Calibration(
        figure.name, figure.value, round_value(value or 0.0), figure.unit, figure.source, figure.role.value
    )


def axis_documents(view: _View, figure: PublishedFigure, scale: float) -> float:
    """Documents signed in the figure's period (and scope) that reached at least one recipient over
    the axis, undone the thinning (``--scale``): what the axis's statistics count."""
    assert figure.since is not None and figure.until is not None
    mask = _between(view, figure.since, figure.until) & _in_scope(view, figure.scope, figure.exclude_secret)
    carried = mask & (view.outcome == _LEGAL) & (view.table.channel == _AXIS)
    return len(np.unique(view.table.document[carried])) / scale


def volume_per_year(run: RunResult, documents: int) -> float:
    """The full workload's documents per year: the ``documents`` signed, undone the thinning
    (``--scale``), per working day run, times the working days of a year (the mean over the
    years the run touches) — documents are signed on working days only, so a window ending on a
    Friday or on the Sunday after gives the same figure."""
    calendar = run.calendar
    worked = len(calendar.working_days(run.period_start, run.period_end))
    if worked == 0:
        return 0.0
    years = range(run.period_start.year, run.period_end.year + 1)
    per_year = sum(len(calendar.working_days(date(y, 1, 1), date(y, 12, 31))) for y in years) / len(years)
    return documents / run.scale * per_year / worked


# ── timing and deadlines ─────────────────────────────────────────────────────────────────


def _daily(calendar: WorkingCalendar) -> float:
    return calendar.office.daily.total_seconds() / 3600


def _samples(hours: Floats) -> Floats:
    """Each interval as the report rounds it (in place: the caller gives ``hours`` up)."""
    np.round(hours, DECIMALS, out=hours)
    hours += 0.0  # no -0.0
    return hours


def _timing(view: _View) -> Timing:
    """Latencies from signing, each summarised as soon as its samples are drawn up (a year at real
    volume has tens of millions of them: one set at a time)."""
    table = view.table
    legal = view.counted & (view.outcome == _LEGAL)

    def latency(at: Floats) -> Latency:
        samples = _samples(view.hours_since_signing(legal & ~np.isnan(at), at))
        return latency_from_array(samples, BIN_EDGES, consume=True)

    arrival, acceptance, completion = (
        latency(table.arrived),
        latency(table.accepted),
        latency(table.completed),
    )
    accepted = view.counted & ~np.isnan(table.accepted)
    # the copy that counted: the electronic one when legal, else the paper original
    channel = np.where(view.outcome[accepted] == _LEGAL, table.channel[accepted], _PAPER_CHANNEL).astype(
        np.int8
    )
    hours = _samples(view.hours_since_signing(accepted, table.accepted))
    by_channel = [
        ChannelLatency(c.value, latency_from_array(hours[channel == code], BIN_EDGES, consume=True))
        for code, c in sorted(enumerate(CHANNELS), key=lambda item: item[1].value)
        if (channel == code).any()
    ]
    everything = ChannelLatency("all", latency_from_array(hours, BIN_EDGES, consume=True))
    return Timing(BIN_EDGES, arrival, acceptance, completion, (*by_channel, everything))


def _deadlines(view: _View) -> Deadlines:
    table = view.table
    timeline = view.timeline
    counts = np.zeros(6, dtype=np.int64)  # electronic, on time, with receipt, same day, urgent, at once
    for part in view.chunks():
        document = table.document[part]
        signed = view.signed(part)
        electronic = view.counted[part] & (table.routed[part] != _PAPER_CHANNEL) & ~table.doc_secret[document]
        sent = table.sent[part]
        has_sent = ~np.isnan(sent)
        sent_or_zero = np.where(has_sent, sent, 0.0)
        on_time = electronic & has_sent & (sent_or_zero <= timeline.send_deadline(signed))
        with_receipt = view.counted[part] & (view.outcome[part] == _LEGAL) & has_sent
        arrived = table.arrived[part]
        receipt = with_receipt & ~np.isnan(arrived)
        same_day = timeline.counted_day(sent[receipt]) == timeline.counted_day(arrived[receipt])
        urgent = electronic & table.doc_urgent[document]
        immediate = urgent & has_sent & (sent_or_zero <= signed)
        counts += [
            electronic.sum(),
            on_time.sum(),
            with_receipt.sum(),
            same_day.sum(),
            urgent.sum(),
            immediate.sum(),
        ]
    return Deadlines(
        Compliance(int(counts[0]), int(counts[1])),
        Compliance(int(counts[2]), int(counts[3])),
        Compliance(int(counts[4]), int(counts[5])),
    )


# ── reconciliation and faults ────────────────────────────────────────────────────────────


def _reconciliation(view: _View) -> Reconciliation:
    table = view.table
    settlement = table.settlement
    electronic = settlement != code_of(SETTLEMENTS, Settlement.NOT_ELECTRONIC)
    lost = ~view.counted
    return Reconciliation(
        sent=int(electronic.sum()),
        delivered=int((electronic & (settlement == code_of(SETTLEMENTS, Settlement.DELIVERED))).sum()),
        refused=int((electronic & (settlement == code_of(SETTLEMENTS, Settlement.REFUSED)) & ~lost).sum()),
        fallen_back=int((electronic & (settlement == code_of(SETTLEMENTS, Settlement.FALLEN_BACK))).sum()),
        lost=int(lost.sum()),
    )


def _hours(calendar: WorkingCalendar, a: datetime, b: datetime) -> float:
    return calendar.working_time_between(a, b).total_seconds() / 3600


def _faults(run: RunResult, results: list[DeliveryResult]) -> Iterable[Fault]:
    """What each fault cost (protocol runs only: the plan engine refuses faults)."""
    by_key = {(r.delivery.document_id, r.delivery.recipient): r for r in results}
    calendar = run.calendar
    for cost in run.faults.costs:
        delay = 0.0
        for key in sorted(cost.affected):
            r = by_key.get(key)
            if r is None:
                continue
            reached = r.sent_at if r.outcome is not Outcome.PAPER else r.accepted_at
            if reached is not None:
                delay += _hours(calendar, r.delivery.send_at, reached)
        yield Fault(
            kind=cost.fault.kind.value,
            scope=cost.scope,
            start=cost.start,
            end=cost.end,
            affected=max(len(cost.affected), cost.injected),
            retries=cost.retries,
            fallbacks=cost.fallbacks,
            refusals=cost.refusals,
            delay_hours=round_value(delay),
        )
