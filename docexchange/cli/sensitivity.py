"""``docexchange sensitivity SCENARIO [--delta 0.10] --replications N``: a tornado per target.

Each adoption input (a schedule's curve of one measure) is moved down and up by ``--delta`` (0.10:
ten points, clipped to 0–1), every other input held, all on the same seeds as the baseline.
Writes into ``--out`` (default ``build/sensitivity/<scenario name>``): ``sensitivity.csv`` (per
target and input: the mean down and up and the swing, widest first) and ``sensitivity.html`` (a
tornado chart per target). Exit 0, 1 when a replication failed, 2 for bad input (before any run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docexchange.batch.charts import TornadoBar, tornado_chart
from docexchange.batch.pages import page, section
from docexchange.batch.plan import Variant
from docexchange.batch.sensitivity import adoption_inputs, mean_or_baseline, moved, sensitivity_table, swings
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.summary import Replicate
from docexchange.cli.batch import (
    Batch,
    add_executor_options,
    add_run_options,
    executor_of,
    failures_line,
    run_options,
    seeds_of,
)
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.report.render import write_atomically
from docexchange.report.tables import Cell, Table, csv_text
from docexchange.sim.scenario_loader import load_scenario

SHOWN = 5
"""Inputs printed per target (the widest swings; sensitivity.csv has them all)."""


def _unit(share: bool) -> Callable[[Cell], str]:
    """How a mean reads in the terminal: a percentage, or working days."""
    if share:
        return lambda value: f"{float(value or 0) * 100:.2f} %"
    return lambda value: f"{float(value or 0):.2f} working days"


def register(sub: Any) -> None:
    parser = sub.add_parser("sensitivity", help="move each adoption input down and up: a tornado per target")
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (simulations/*.toml)")
    parser.add_argument(
        "--delta",
        type=float,
        default=0.10,
        metavar="D",
        help="how far each input moves, as a fraction (default 0.10)",
    )
    add_executor_options(parser, replications=3)
    add_run_options(parser)
    parser.add_argument(
        "--out", metavar="DIR", help="output folder (default build/sensitivity/<scenario name>)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.delta <= 1:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--delta {args.delta}: must be in (0, 1]")
    scenario = load_scenario(args.scenario)
    files = ScenarioFiles.of(scenario, args.scenario)
    seeds = seeds_of(args, scenario.seed)
    options = run_options(args)
    inputs = adoption_inputs(files)
    down = [moved(files, i, -args.delta) for i in inputs]
    up = [moved(files, i, args.delta) for i in inputs]
    variants: list[Variant] = [Variant(files, labels=("baseline",))]
    variants += [v for v in (*down, *up) if v is not None]
    batch = Batch.checked(scenario.name, variants, seeds, options)
    executor = executor_of(args)
    out = Path(args.out) if args.out else Path("build/sensitivity") / scenario.name
    cells = batch.run(executor)
    by_variant = {id(v): c for v, c in zip(variants, cells, strict=True)}

    def cell_of(variant: Variant | None) -> list[Replicate] | None:
        return None if variant is None else by_variant[id(variant)]

    base, result = swings(inputs, cells[0], [cell_of(v) for v in down], [cell_of(v) for v in up])
    table = sensitivity_table(base, result, args.delta)
    out.mkdir(parents=True, exist_ok=True)
    write_atomically(out / table.filename, csv_text(table).encode("utf-8"))
    body = []
    for index, spread in enumerate(base):
        mine = [s for s in result if s.target == spread.name]
        bars = [
            TornadoBar(
                s.adoption_input.label, mean_or_baseline(s.low, spread), mean_or_baseline(s.high, spread)
            )
            for s in mine
        ]
        bars.sort(key=lambda b: -abs(b.high - b.low))
        png = tornado_chart(spread.name, spread, bars, args.delta * 100) if bars else None
        rows = tuple(r for r in table.rows if r[0] == spread.name)
        body.append(
            section(
                f"tornado-{index}",
                spread.name,
                png,
                spread.name,
                [Table(f"sensitivity-{index}", spread.name, table.columns, rows)],
            )
        )
    subtitle = (
        f"{len(inputs)} đầu vào (adoption inputs) ± {args.delta * 100:g} điểm, {len(seeds)} lần lặp mỗi ô, "
        f"{options.engine} engine"
    )
    write_atomically(
        out / "sensitivity.html",
        page(f"Độ nhạy (sensitivity) — {scenario.name}", subtitle, body).encode("utf-8"),
    )
    for spread in base:
        moving = [r for r in table.rows if r[0] == spread.name and r[6] != 0]
        unit = _unit(spread.measure.is_share)
        print(
            f"{spread.name}: baseline mean {unit(spread.mean)} ({len(moving)} of {len(inputs)} inputs move it)"
        )
        for row in moving[:SHOWN]:
            print(f"  {row[1]} −/+{args.delta * 100:g} points: {unit(row[4])} → {unit(row[5])}")
    print(f"Sensitivity: {out / 'sensitivity.csv'}, {out / 'sensitivity.html'}")
    failure = failures_line(cells)
    if failure:
        print(f"docexchange: {failure}", file=sys.stderr)
    return 1 if failure else 0
