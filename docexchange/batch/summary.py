"""What a batch's replications add up to: each target's spread, the quarters' fan, the failures,
and ``replications.csv`` (one row per replication)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from docexchange.batch.replications import INTERVAL_METHOD, SEED_DERIVATION, spread
from docexchange.batch.tasks import Outcome
from docexchange.report.codec import ReportError
from docexchange.report.replications import FailedReplication, FanPoint, Replications, TargetSpread
from docexchange.report.schema import Measure, Report, Target
from docexchange.report.tables import Cell, Column, Kind, Table

FAN_PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class Replicate:
    """One replication's result: its report, or why it failed."""

    replication: int
    seed: int
    report: Report | None
    failure: str | None = None

    @classmethod
    def of(cls, replication: int, seed: int, outcome: Outcome) -> Replicate:
        """The outcome read back; a report that does not read (a worker of another version) makes
        the replication a failed one, with the reader's reason."""
        if outcome.report is None:
            return cls(replication, seed, None, outcome.failure)
        try:
            return cls(replication, seed, outcome.parsed)
        except ReportError as exc:
            return cls(replication, seed, None, str(exc))


def target_order(replicates: Sequence[Replicate]) -> list[Target]:
    """Each target once (by name), as the first replication that measured it gives it."""
    seen: dict[str, Target] = {}
    for replicate in replicates:
        if replicate.report is not None:
            for target in replicate.report.targets:
                seen.setdefault(target.name, target)
    return list(seen.values())


def measured(replicates: Sequence[Replicate], name: str) -> list[float]:
    """The target's measured value in each replication that has it, in replication order."""
    values: list[float] = []
    for replicate in replicates:
        if replicate.report is not None:
            values.extend(t.measured for t in replicate.report.targets if t.name == name)
    return values


def target_spreads(replicates: Sequence[Replicate]) -> tuple[TargetSpread, ...]:
    spreads = []
    for target in target_order(replicates):
        values = measured(replicates, target.name)
        s = spread(values, target.target, at_least=target.measure.is_share)
        spreads.append(
            TargetSpread(
                target.name, target.measure, target.target, s.count, s.mean, s.sd, s.low, s.high, s.met
            )
        )
    return tuple(spreads)


def fan(replicates: Sequence[Replicate]) -> tuple[FanPoint, ...]:
    """Each quarter's share over the replications — on the quarter's target's measure, else the
    first document target's (the headline), else the legal share: its 5th, 25th, 50th, 75th and
    95th percentiles."""
    by_key: dict[str, list[float]] = {}
    measures: dict[str, tuple[Measure, float | None]] = {}
    headline = next(
        (t.measure for t in target_order(replicates) if t.measure in (Measure.LEGAL, Measure.ELECTRONIC)),
        Measure.LEGAL,
    )
    for replicate in replicates:
        if replicate.report is None:
            continue
        for row in replicate.report.shares.by_quarter:
            measure = row.measure or headline
            value = row.share_of(measure)
            if value is None:
                continue
            by_key.setdefault(row.key, []).append(value)
            measures.setdefault(row.key, (measure, row.target))
    points = []
    for key in sorted(by_key):
        values = np.percentile(np.asarray(by_key[key], dtype=np.float64), FAN_PERCENTILES)
        measure, target = measures[key]
        points.append(FanPoint(key, measure, target, len(by_key[key]), *(float(v) for v in values)))
    return tuple(points)


def replications_record(replicates: Sequence[Replicate], shown: int = 0) -> Replications:
    """The spread over ``replicates``; ``shown`` is the replication whose report carries it (0, the
    scenario's own seed, unless that one failed)."""
    return Replications(
        count=len(replicates),
        shown=shown,
        seeds=tuple(r.seed for r in replicates),
        seed_derivation=SEED_DERIVATION,
        interval=INTERVAL_METHOD,
        targets=target_spreads(replicates),
        fan=fan(replicates),
        failed=tuple(
            FailedReplication(r.replication, r.seed, r.failure or "") for r in replicates if r.report is None
        ),
    )


def replications_table(replicates: Sequence[Replicate]) -> Table:
    """``replications.csv``: one row per replication — its seed, whether it ran (and why not), its
    documents and deliveries, and each target's measured value (a column per target)."""
    targets = target_order(replicates)
    columns = [
        Column("replication", "Lần lặp (replication)", Kind.INT),
        Column("seed", "Hạt giống (seed)"),  # text: a seed is an identifier, not a quantity
        Column("status", "Trạng thái (status)"),
        Column("reason", "Lý do (reason)"),
        Column("documents", "Văn bản (documents)", Kind.INT),
        Column("deliveries", "Lượt gửi (deliveries)", Kind.INT),
    ]
    columns += [Column(t.name, t.name, Kind.SHARE if t.measure.is_share else Kind.DAYS) for t in targets]
    rows: list[tuple[Cell, ...]] = []
    for r in replicates:
        if r.report is None:
            rows.append(
                (r.replication, str(r.seed), "failed", r.failure, None, None, *([None] * len(targets)))
            )
            continue
        values = {t.name: t.measured for t in r.report.targets}
        rows.append(
            (
                r.replication,
                str(r.seed),
                "ok",
                None,
                r.report.totals.documents,
                r.report.totals.deliveries,
                *(values.get(t.name) for t in targets),
            )
        )
    return Table("replications", "Từng lần lặp (each replication)", tuple(columns), tuple(rows))
