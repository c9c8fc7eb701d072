"""Sweeps: the cartesian product of varied values, each cell replicated; ``sweep.csv`` (one row per
cell and target) and ``sweep_replications.csv`` (one row per cell and replication)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from docexchange.batch.keypaths import Vary, VaryError
from docexchange.batch.plan import Variant
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.summary import Replicate, replications_table, target_spreads
from docexchange.report.replications import TargetSpread
from docexchange.report.spread_tables import spread_cells, spread_columns
from docexchange.report.tables import Cell, Column, Kind, Table


def sweep_variants(files: ScenarioFiles, varies: Sequence[Vary]) -> list[Variant]:
    """One variant per combination of the varied values, the first ``--vary`` slowest."""
    for i, first in enumerate(varies):
        for second in varies[i + 1 :]:
            if first.path.steps == second.path.steps:
                raise VaryError(f"--vary {second.path.text}: given twice; list all its values in one --vary")
            shorter, longer = sorted((first.path, second.path), key=lambda p: len(p.steps))
            if longer.steps[: len(shorter.steps)] == shorter.steps:
                raise VaryError(f"--vary {longer.text}: inside --vary {shorter.text}; vary one or the other")
    variants = []
    for combination in itertools.product(*(range(len(v.values)) for v in varies)):
        settings = tuple((v.path, v.values[i]) for v, i in zip(varies, combination, strict=True))
        labels = tuple(v.texts[i] for v, i in zip(varies, combination, strict=True))
        variants.append(Variant(files.varied(settings), settings, labels))
    return variants


def _key_columns(varies: Sequence[Vary]) -> tuple[Column, ...]:
    return tuple(Column(v.path.text, v.path.text) for v in varies)


def sweep_table(
    varies: Sequence[Vary],
    variants: Sequence[Variant],
    cells: Sequence[Sequence[Replicate]],
    *,
    target: TargetSpread | None = None,
) -> Table:
    """``sweep.csv``: for each cell (its values, by key path) and each target, the spread over the
    cell's replications and how many failed; or one target's rows, in its unit, for a page."""
    kind = Kind.NUMBER if target is None else (Kind.SHARE if target.measure.is_share else Kind.DAYS)
    columns = (
        *_key_columns(varies),
        Column("target", "Chỉ tiêu (target)"),
        Column("measure", "Tính trên (measure)", Kind.MEASURE),
        Column("target_value", "Mục tiêu (target value)", kind),
        *spread_columns(kind),
        Column("failed", "Lần lặp lỗi (failed)", Kind.INT),
    )
    rows: list[tuple[Cell, ...]] = []
    for variant, replicates in zip(variants, cells, strict=True):
        failed = sum(r.report is None for r in replicates)
        for spread in target_spreads(replicates):
            if target is None or spread.name == target.name:
                values = spread_cells(spread, kind)
                rows.append(
                    (*variant.labels, spread.name, spread.measure.value, spread.target, *values, failed)
                )
    name = "sweep" if target is None else "sweep-target"
    return Table(name, "Quét tham số (sweep)" if target is None else target.name, columns, tuple(rows))


def sweep_replications_table(
    varies: Sequence[Vary], variants: Sequence[Variant], cells: Sequence[Sequence[Replicate]]
) -> Table:
    """``sweep_replications.csv``: every replication of every cell (``replications.csv``'s columns
    after the cell's values)."""
    every = [r for replicates in cells for r in replicates]
    whole = replications_table(every)  # the target columns of every cell, in first-seen order
    names = [c.name for c in whole.columns[6:]]
    rows: list[tuple[Cell, ...]] = []
    for variant, replicates in zip(variants, cells, strict=True):
        part = replications_table(replicates)
        index = {c.name: i for i, c in enumerate(part.columns)}
        for row in part.rows:
            values = tuple(row[index[n]] if n in index else None for n in names)
            rows.append((*variant.labels, *row[:6], *values))
    columns = (*_key_columns(varies), *whole.columns)
    return Table(
        "sweep_replications", "Từng lần lặp của từng ô (each replication of each cell)", columns, tuple(rows)
    )
