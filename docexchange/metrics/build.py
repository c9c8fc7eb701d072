"""From a finished run's stores to :class:`~docexchange.report.Report`.

Every count here is read from the agencies' SQLite stores (through :mod:`.outcomes`) and the
runner's ledger of what was signed; durations are simulated working time on the scenario's
calendar. Nothing depends on wall-clock time, key bytes or the order of dictionary iteration, so
the same scenario and seed give the same report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from docexchange.metrics.outcomes import (
    DeliveryResult,
    Outcome,
    PaperReason,
    Settlement,
    StoreReader,
    refusals_by_reason,
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
    latency_from_samples,
    share_row,
)
from docexchange.report.codec import round_value
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


def build_report(run: RunResult, results: list[DeliveryResult] | None = None) -> Report:
    results = collect(run) if results is None else results
    scenario = run.scenario
    calendar = run.calendar
    lost = [r for r in results if r.outcome is Outcome.LOST]
    counted = [r for r in results if r.outcome is not Outcome.LOST]
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
        totals=Totals(run.ledger.documents, len(counted), run.counters.paper_copies),
        shares=_shares(counted, scenario.targets, run.period_end),
        paper_reasons=_paper_reasons(counted),
        targets=tuple(_targets(run, counted)),
        inputs=tuple(_inputs(run)),
        calibration=tuple(_calibration(f, counted, calendar, run) for f in scenario.published),
        timing=_timing(counted, calendar),
        deadlines=_deadlines(counted, calendar),
        exchange=Exchange(
            retries=sum(store.retries() for store in stores.values()),  # documents and statuses
            # caught by the recipient (mail) or already at the axis, which never passes them on
            duplicates=run.counters.duplicates + run.duplicate_uploads,
            refusals=tuple(Count(k, v) for k, v in sorted(refusals_by_reason(stores).items())),
        ),
        reconciliation=_reconciliation(results, len(lost)),
        faults=tuple(_faults(run, results)),
    )


# ── shares ───────────────────────────────────────────────────────────────────────────────


def _row(key: str, rows: Iterable[DeliveryResult], target: PlanTarget | None = None) -> ShareRow:
    legal = info = paper = 0
    for r in rows:
        if r.outcome is Outcome.LEGAL:
            legal += 1
        elif r.outcome is Outcome.INFO_ONLY:
            info += 1
        else:
            paper += 1
    measure = _DOCUMENT_MEASURES.get(target.measure) if target is not None else None
    if measure not in (Measure.LEGAL, Measure.ELECTRONIC):
        return share_row(key, legal, info, paper)
    assert target is not None
    return share_row(key, legal, info, paper, target.value, measure)


def _group(
    results: Iterable[DeliveryResult], key: Callable[[DeliveryResult], str]
) -> dict[str, list[DeliveryResult]]:
    groups: dict[str, list[DeliveryResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return dict(sorted(groups.items()))


def _quarter(r: DeliveryResult) -> str:
    signed = r.delivery.signed_at
    return f"{signed.year}-Q{(signed.month - 1) // 3 + 1}"


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


def _shares(results: list[DeliveryResult], targets: tuple[PlanTarget, ...], period_end: date) -> Shares:
    by_quarter = _group(results, _quarter)
    by_tier = _group(results, lambda r: r.delivery.sender_tier.value)
    return Shares(
        overall=_row("all", results, _row_target(targets, period_end)),
        by_year=tuple(
            _row(k, v, _row_target(targets, min(date(int(k), 12, 31), period_end)))
            for k, v in _group(results, lambda r: str(r.delivery.signed_at.year)).items()
        ),
        by_quarter=tuple(_row(k, v, _row_target(targets, _quarter_end(k))) for k, v in by_quarter.items()),
        by_tier=tuple(_row(k, v, _row_target(targets, period_end, k)) for k, v in by_tier.items()),
        by_document_type=tuple(
            _row(k, v) for k, v in _group(results, lambda r: r.delivery.type_code).items()
        ),
        by_channel=tuple(_row(k, v) for k, v in _group(results, lambda r: r.channel.value).items()),
        by_tier_quarter=tuple(
            TierSeries(
                tier,
                tuple(
                    _row(q, rows, _row_target(targets, _quarter_end(q), tier))
                    for q, rows in _group(tier_rows, _quarter).items()
                ),
            )
            for tier, tier_rows in by_tier.items()
        ),
    )


def _paper_reasons(results: list[DeliveryResult]) -> PaperReasons:
    counts = {reason: 0 for reason in PaperReason}
    for r in results:
        if r.outcome is Outcome.PAPER and r.paper_reason is not None:
            counts[r.paper_reason] += 1
    return PaperReasons(
        counts[PaperReason.SECRET],
        counts[PaperReason.NO_CAPABILITY],
        counts[PaperReason.FALLBACK],
        counts[PaperReason.REFUSED],
        counts[PaperReason.NO_RECEIPT],
    )


# ── targets and published figures ────────────────────────────────────────────────────────


def _in_scope(r: DeliveryResult, scope: Scope, exclude_secret: bool) -> bool:
    d = r.delivery
    if exclude_secret and d.secret:
        return False
    if scope.tiers and d.sender_tier not in scope.tiers:
        return False
    if scope.types and d.type_code not in scope.types:
        return False
    if scope.senders and d.sender not in scope.senders:
        return False
    if scope.direction and not d.direction:
        return False
    return not scope.agencies or d.sender in scope.agencies or d.recipient in scope.agencies


def _delivery_met(
    measure: TargetMeasure, r: DeliveryResult, reading: MailReading = MailReading.SENDER
) -> bool:
    """Whether one delivery went the way a share measure asks."""
    if measure is TargetMeasure.ELECTRONIC_SHARE:
        electronic = r.outcome in (Outcome.LEGAL, Outcome.INFO_ONLY)
        if reading is MailReading.BOTH_ENDS and r.channel is Channel.MAIL:
            return electronic and r.delivery.recipient_uses_mail
        return electronic
    if measure is TargetMeasure.SIGNED_ELECTRONIC_SHARE:
        return r.outcome is Outcome.LEGAL
    if measure is TargetMeasure.FULLY_ELECTRONIC_SHARE:
        return r.outcome is Outcome.LEGAL and not r.delivery.paper_copy
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
    rows: Iterable[DeliveryResult],
    reading: MailReading = MailReading.SENDER,
) -> DocumentShare:
    """Group in-scope deliveries by document and count the documents ``rule`` accepts."""
    by_document: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_document[r.delivery.document_id].append(_delivery_met(measure, r, reading))
    met = [sum(flags) for flags in by_document.values()]
    sizes = [len(flags) for flags in by_document.values()]
    return DocumentShare(
        documents=len(by_document),
        counted=sum(rule.counts(m, n) for m, n in zip(met, sizes, strict=True)),
        deliveries=sum(sizes),
        met=sum(met),
    )


def _rule_text(target: PlanTarget) -> str:
    """The counting rule as the report states it, with the mail reading when it is the strict one."""
    if target.reading is MailReading.BOTH_ENDS:
        return f"{target.counting.text}; both ends use e-mail"
    return target.counting.text


def _exchange_days(rows: list[DeliveryResult], calendar: WorkingCalendar) -> float | None:
    days = [
        _hours(calendar, r.delivery.signed_at, r.accepted_at) / _daily(calendar)
        for r in rows
        if r.accepted_at is not None
    ]
    return sum(days) / len(days) if days else None


def _document_value(
    measure: TargetMeasure,
    rule: CountingRule,
    rows: list[DeliveryResult],
    calendar: WorkingCalendar,
    reading: MailReading = MailReading.SENDER,
) -> float | None:
    if not rows:
        return None
    if measure.counts_documents:
        return document_share(measure, rule, rows, reading).share
    return _exchange_days(rows, calendar)


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


def _targets(run: RunResult, results: list[DeliveryResult]) -> Iterable[Target]:
    scenario = run.scenario
    for target in scenario.targets:
        if target.measure.adoption_measure is not None:
            continue  # an input: see _inputs
        since = max(target.since or run.period_start, run.period_start)  # a run --from part-way
        until = min(target.by, run.period_end)
        rows = [
            r
            for r in results
            if since <= r.delivery.signed_at.date() <= until
            and _in_scope(r, target.scope, target.exclude_secret)
        ]
        if not rows:
            continue
        note = "" if target.by <= run.period_end else f"; measured until {run.period_end} (run shortened)"
        measure = _DOCUMENT_MEASURES[target.measure]
        if target.measure.counts_documents:
            counted = document_share(target.measure, target.counting, rows, target.reading)
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
        days = _exchange_days(rows, run.calendar)
        if days is None:
            continue
        scope = _scope_text(target.scope, len(rows), "deliveries", since, until, target.exclude_secret)
        yield Target(
            target.name, measure, TargetUnit.DELIVERY, "", scope + note, target.by,
            target.value, round_value(days), 0, len(rows), None, target.source,
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


def _calibration(
    figure: PublishedFigure, results: list[DeliveryResult], calendar: WorkingCalendar, run: RunResult
) -> Calibration:
    if figure.measure is TargetMeasure.DOCUMENTS_PER_YEAR:
        value: float | None = volume_per_year(run)
    else:
        rows = [r for r in results if _in_scope(r, figure.scope, figure.exclude_secret)]
        value = _document_value(figure.measure, figure.counting, rows, calendar, figure.reading)
    return Calibration(
        figure.name, figure.value, round_value(value or 0.0), figure.unit, figure.source, figure.role.value
    )


def volume_per_year(run: RunResult) -> float:
    """The full workload's documents per year: the documents signed, undone the thinning
    (``--scale``), per working day run, times the working days of a year (the mean over the
    years the run touches) — documents are signed on working days only, so a window ending on a
    Friday or on the Sunday after gives the same figure."""
    calendar = run.calendar
    worked = len(calendar.working_days(run.period_start, run.period_end))
    if worked == 0:
        return 0.0
    years = range(run.period_start.year, run.period_end.year + 1)
    per_year = sum(len(calendar.working_days(date(y, 1, 1), date(y, 12, 31))) for y in years) / len(years)
    return run.ledger.documents / run.scale * per_year / worked


# ── timing and deadlines ─────────────────────────────────────────────────────────────────


def _daily(calendar: WorkingCalendar) -> float:
    return calendar.office.daily.total_seconds() / 3600


def _hours(calendar: WorkingCalendar, a: datetime, b: datetime) -> float:
    return calendar.working_time_between(a, b).total_seconds() / 3600


def _timing(results: list[DeliveryResult], calendar: WorkingCalendar) -> Timing:
    legal = [r for r in results if r.outcome is Outcome.LEGAL]

    def latency(pick: Callable[[DeliveryResult], datetime | None]) -> list[float]:
        samples = []
        for r in legal:
            at = pick(r)
            if at is not None:
                samples.append(round_value(_hours(calendar, r.delivery.signed_at, at)))
        return samples

    by_channel: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.accepted_at is None:
            continue
        channel = (
            r.channel.value if r.outcome is Outcome.LEGAL else Channel.PAPER.value
        )  # the copy that counted
        by_channel[channel].append(round_value(_hours(calendar, r.delivery.signed_at, r.accepted_at)))
    everything = [hours for samples in by_channel.values() for hours in samples]
    return Timing(
        BIN_EDGES,
        latency_from_samples(latency(lambda r: r.arrived_at), BIN_EDGES),
        latency_from_samples(latency(lambda r: r.accepted_at), BIN_EDGES),
        latency_from_samples(latency(lambda r: r.completed_at), BIN_EDGES),
        tuple(
            ChannelLatency(channel, latency_from_samples(samples, BIN_EDGES))
            for channel, samples in [*sorted(by_channel.items()), ("all", everything)]
        ),
    )


def _deadlines(results: list[DeliveryResult], calendar: WorkingCalendar) -> Deadlines:
    electronic = [r for r in results if r.delivery.channel.electronic and not r.delivery.secret]
    on_time = sum(
        r.sent_at is not None and r.sent_at <= calendar.send_deadline(r.delivery.signed_at)
        for r in electronic
    )
    with_receipt = [r for r in results if r.outcome is Outcome.LEGAL and r.sent_at is not None]
    same_day = sum(
        r.arrived_at is not None
        and r.sent_at is not None
        and calendar.same_working_day(r.sent_at, r.arrived_at)
        for r in with_receipt
    )
    urgent = [r for r in electronic if r.delivery.urgent]
    immediate = sum(
        r.sent_at is not None and r.sent_at <= calendar.send_deadline(r.delivery.signed_at, urgent=True)
        for r in urgent
    )
    return Deadlines(
        Compliance(len(electronic), on_time),
        Compliance(len(with_receipt), same_day),
        Compliance(len(urgent), immediate),
    )


# ── reconciliation and faults ────────────────────────────────────────────────────────────


def _reconciliation(results: list[DeliveryResult], lost: int) -> Reconciliation:
    electronic = [r for r in results if r.settlement is not Settlement.NOT_ELECTRONIC]
    return Reconciliation(
        sent=len(electronic),
        delivered=sum(r.settlement is Settlement.DELIVERED for r in electronic),
        refused=sum(r.settlement is Settlement.REFUSED and r.outcome is not Outcome.LOST for r in electronic),
        fallen_back=sum(r.settlement is Settlement.FALLEN_BACK for r in electronic),
        lost=lost,
    )


def _faults(run: RunResult, results: list[DeliveryResult]) -> Iterable[Fault]:
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
