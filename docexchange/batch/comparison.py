"""Two scenarios on common random numbers: each target's spread in each, and the spread of the
paired difference B − A (replication k of A against replication k of B: the same seed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docexchange.batch.replications import spread
from docexchange.batch.summary import Replicate, target_order, target_spreads
from docexchange.report.replications import TargetSpread
from docexchange.report.spread_tables import spread_cells, spread_columns
from docexchange.report.tables import Cell, Column, Kind, Table


@dataclass(frozen=True)
class Difference:
    name: str
    a: TargetSpread | None  # None: the target is not in A
    b: TargetSpread | None
    difference: TargetSpread | None
    """B − A over the replications where both ran (``met``: how many had B strictly better)."""


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
        if sa is not None and sb is not None:
            va, vb = _by_replication(a, name), _by_replication(b, name)
            paired = sorted(set(va) & set(vb))
            if paired:
                deltas = [vb[k] - va[k] for k in paired]
                higher_is_better = sa.measure.is_share
                better = sum((d > 0) if higher_is_better else (d < 0) for d in deltas)
                s = spread(deltas, 0.0)
                difference = TargetSpread(name, sa.measure, 0.0, s.count, s.mean, s.sd, s.low, s.high, better)
        differences.append(Difference(name, sa, sb, difference))
    return differences


def _side(spread_: TargetSpread | None) -> tuple[Cell, ...]:
    if spread_ is None:
        return (None,) * 7
    return spread_cells(spread_)


def compare_table(differences: Sequence[Difference]) -> Table:
    """``compare.csv``: per target, A's spread, B's spread and the paired difference's (its ``met``
    columns count the pairs where B was strictly better)."""
    columns: list[Column] = [
        Column("target", "Chỉ tiêu (target)"),
        Column("measure", "Tính trên (measure)", Kind.MEASURE),
        Column("target_value", "Mục tiêu (target value)", Kind.NUMBER),
    ]
    for side, title in (("a", "A"), ("b", "B"), ("difference", "B − A")):
        columns += [Column(f"{side}_{c.name}", f"{title}: {c.label}", c.kind) for c in spread_columns()]
    rows: list[tuple[Cell, ...]] = []
    for d in differences:
        known = d.a or d.b
        assert known is not None
        rows.append(
            (d.name, known.measure.value, known.target, *_side(d.a), *_side(d.b), *_side(d.difference))
        )
    return Table("compare", "So sánh hai kịch bản (comparison)", tuple(columns), tuple(rows))
