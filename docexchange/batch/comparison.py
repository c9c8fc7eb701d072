"""Two scenarios on common random numbers: each target's spread in each, and the spread of the
paired difference B − A (replication k of A against replication k of B: the same seed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docexchange.batch.replications import mean_interval, spread
from docexchange.batch.summary import Replicate, target_order, target_spreads
from docexchange.report.replications import TargetSpread
from docexchange.report.spread_tables import spread_cells, spread_columns
from docexchange.report.tables import Cell, Column, Kind, Table


@dataclass(frozen=True)
class Difference:
    name: str
    a: TargetSpread | None  # None: the target is not in A (over the replications where A ran)
    b: TargetSpread | None
    difference: TargetSpread | None
    """B − A over the replications where both ran (``met``: how many had B strictly better)."""
    mean_interval: tuple[float, float] | None = None
    """The 90 % confidence interval of the mean difference (:data:`MEAN_INTERVAL_METHOD`)."""


def _by_replication(replicates: Sequence[Replicate], name: str) -> dict[int, float]:
    return {
        r.replication: t.measured
        for r in replicates
        if r.report is not None
        for t in r.report.targets
        if t.name == name
    }


def compare(a: Sequence[Replicate], b: Sequence[Replicate]) -> list[Difference]:
    """Every target of A (in A's order), then those only B has."""
    spreads_a = {s.name: s for s in target_spreads(a)}
    spreads_b = {s.name: s for s in target_spreads(b)}
    names = [t.name for t in target_order(a)] + [t.name for t in target_order(b) if t.name not in spreads_a]
    differences = []
    for name in names:
        sa, sb = spreads_a.get(name), spreads_b.get(name)
        difference = None
        interval: tuple[float, float] | None = None
        if sa is not None and sb is not None:
            va, vb = _by_replication(a, name), _by_replication(b, name)
            paired = sorted(set(va) & set(vb))
            if paired:
                deltas = [vb[k] - va[k] for k in paired]
                higher_is_better = sa.measure.is_share
                better = sum((d > 0) if higher_is_better else (d < 0) for d in deltas)
                s = spread(deltas, 0.0)
                difference = TargetSpread(name, sa.measure, 0.0, s.count, s.mean, s.sd, s.low, s.high, better)
                interval = mean_interval(deltas)
        differences.append(Difference(name, sa, sb, difference, interval))
    return differences


def _side(spread_: TargetSpread | None, kind: Kind) -> tuple[Cell, ...]:
    if spread_ is None:
        return (None,) * 7
    return spread_cells(spread_, kind)


def compare_table(differences: Sequence[Difference], *, shares: bool | None = None) -> Table:
    """``compare.csv``: per target, A's spread, B's spread and the paired difference's — whose
    ``met`` columns count the pairs where B was strictly better, and beside it the 90 % confidence
    interval of the mean difference. Every target with raw values (CSV), or the share or the days
    targets as a page shows them."""
    kind = Kind.NUMBER if shares is None else (Kind.SHARE if shares else Kind.DAYS)
    gap = Kind.NUMBER if shares is None else (Kind.PP if shares else Kind.DAYS_GAP)
    columns: list[Column] = [
        Column("target", "Chỉ tiêu (target)"),
        Column("measure", "Tính trên (measure)", Kind.MEASURE),
        Column("target_value", "Mục tiêu (target value)", kind),
    ]
    for side, title in (("a", "A"), ("b", "B")):
        columns += [Column(f"{side}_{c.name}", f"{title}: {c.label}", c.kind) for c in spread_columns(kind)]
    better = {"met": "B tốt hơn hẳn (B strictly better)", "met_share": "Tỷ lệ B tốt hơn (share B better)"}
    columns += [
        Column(f"difference_{c.name}", f"B − A: {better.get(c.name, c.label)}", c.kind)
        for c in spread_columns(gap)
    ]
    columns += [
        Column("difference_mean_low", "B − A: cận dưới KTC 90 % của trung bình (mean's CI low)", gap),
        Column("difference_mean_high", "B − A: cận trên KTC 90 % của trung bình (mean's CI high)", gap),
    ]
    rows: list[tuple[Cell, ...]] = []
    for d in differences:
        known = d.a or d.b
        assert known is not None
        if shares is not None and known.measure.is_share != shares:
            continue
        interval: tuple[Cell, Cell] = (None, None)
        if d.mean_interval is not None:
            scale = 100 if gap is Kind.PP else 1
            interval = (round(d.mean_interval[0] * scale, 4), round(d.mean_interval[1] * scale, 4))
        difference = _side(d.difference, gap)
        if gap is Kind.PP and d.difference is not None:  # points: the page writes "+1.23 pp"
            s = d.difference
            difference = (s.mean * 100, s.sd * 100, s.low * 100, s.high * 100, *difference[4:])
        rows.append(
            (
                d.name,
                known.measure.value,
                known.target,
                *_side(d.a, kind),
                *_side(d.b, kind),
                *difference,
                *interval,
            )
        )
    return Table("compare", "So sánh hai kịch bản (comparison)", tuple(columns), tuple(rows))
