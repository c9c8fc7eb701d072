"""Sweeps: the cartesian product of varied values, each cell replicated; ``sweep.csv`` (one row per
cell and target) and ``sweep_replications.csv`` (one row per cell and replication)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from docexchange.batch.keypaths import Vary, VaryError
from docexchange.batch.plan import Variant
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.summary import Replicate, replications_table, target_spreads
from docexchange.report.spread_tables import spread_cells, spread_columns
from docexchange.report.tables import Cell, Column, Kind, Table


def sweep_variants(files: ScenarioFiles, varies: Sequence[Vary]) -> list[Variant]:
    """One variant per combination of the varied values, the first ``--vary`` slowest."""
    paths = [v.path.text for v in varies]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise VaryError(f"--vary {repeated[0]}: given twice; list all its values in one --vary")
    variants = []
    for combination in itertools.product(*(range(len(v.values)) for v in varies)):
        settings = tuple((v.path, v.values[i]) for v, i in zip(varies, combination, strict=True))
        labels = tuple(v.texts[i] for v, i in zip(varies, combination, strict=True))
        variants.append(Variant(files.varied(settings), settings, labels))
    return variants


def _key_columns(varies: Sequence[Vary]) -> tuple[Column, ...]:
    return tuple(Column(v.path.text, v.path.text) for v in varies)


def sweep_table(
    varies: Sequence[Vary], variants: Sequence[Variant], cells: Sequence[Sequence[Replicate]]
) -> Table:
    """``sweep.csv``: for each cell (its values, by key path) and each target, the spread over the
    cell's replications and how many failed."""
    columns = (
        *_key_columns(varies),
        Column("target", "Chỉ tiêu (target)"),
        Column("measure", "Tính trên (measure)", Kind.MEASURE),
        Column("target_value", "Mục tiêu (target value)", Kind.NUMBER),
        *spread_columns(),
        Column("failed", "Lần lặp lỗi (failed)", Kind.INT),
    )
    rows: list[tuple[Cell, ...]] = []
    for variant, replicates in zip(variants, cells, strict=True):
        failed = sum(r.report is None for r in replicates)
        for spread in target_spreads(replicates):
            rows.append(
                (
                    *variant.labels,
                    spread.name,
                    spread.measure.value,
                    spread.target,
                    *spread_cells(spread),
                    failed,
                )
            )
    return Table("sweep", "Quét tham số (sweep)", columns, tuple(rows))


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
