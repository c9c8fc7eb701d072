"""``docexchange sweep SCENARIO --vary KEY=V1,V2,… [--vary …] --replications N``.

Every combination of the varied values (the first ``--vary`` slowest), each replicated on the same
seeds, on local worker processes or a Dask cluster. Writes into ``--out`` (default
``build/sweeps/<scenario name>``): ``sweep.csv`` (one row per cell and target: the spread),
``sweep_replications.csv`` (one row per cell and replication) and ``sweep.html`` (each target's
share against the varied values, with intervals). Exit 0, 1 when a replication failed, 2 for a bad
scenario, key path, value or option (refused before any run starts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from docexchange.batch.charts import SweepSeries, sweep_chart
from docexchange.batch.keypaths import Vary
from docexchange.batch.pages import page, section
from docexchange.batch.plan import Variant
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.summary import Replicate, target_spreads
from docexchange.batch.sweeps import sweep_replications_table, sweep_table, sweep_variants
from docexchange.cli.batch import (
    Batch,
    add_executor_options,
    add_run_options,
    executor_of,
    failures_line,
    run_options,
    seeds_of,
)
from docexchange.report.render import write_atomically
from docexchange.report.tables import csv_text
from docexchange.report.terminal import spread_line
from docexchange.sim.scenario_loader import load_scenario


def register(sub: Any) -> None:
    parser = sub.add_parser("sweep", help="run a scenario over every combination of varied values")
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (simulations/*.toml)")
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,…",
        help="a key path of the scenario (or routing.… of its rules) and its values, e.g. "
        "adoption.province[1].mail_use=0.2,0.3,0.4 or delays.paper_days=1,2",
    )
    add_executor_options(parser, replications=5)
    add_run_options(parser)
    parser.add_argument("--out", metavar="DIR", help="output folder (default build/sweeps/<scenario name>)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    files = ScenarioFiles.of(scenario, args.scenario)
    varies = [Vary.parse(spec) for spec in args.vary]
    seeds = seeds_of(args, scenario.seed)
    options = run_options(args)
    variants = sweep_variants(files, varies)
    batch = Batch.checked(scenario.name, variants, seeds, options, base=Variant(files))
    executor = executor_of(args)
    out = Path(args.out) if args.out else Path("build/sweeps") / scenario.name
    cells = batch.run(executor)
    out.mkdir(parents=True, exist_ok=True)
    tables = (sweep_table(varies, variants, cells), sweep_replications_table(varies, variants, cells))
    for table in tables:
        write_atomically(out / table.filename, csv_text(table).encode("utf-8"))
    title = f"Quét tham số (sweep) — {scenario.name}"
    subtitle = f"{len(variants)} ô × {len(seeds)} lần lặp, {options.engine} engine; " + "; ".join(
        f"{v.path.text} = {', '.join(v.texts)}" for v in varies
    )
    write_atomically(
        out / "sweep.html", page(title, subtitle, _sections(varies, variants, cells)).encode("utf-8")
    )
    _print(varies, variants, cells)
    print(f"Sweep: {out / 'sweep.csv'}, {out / 'sweep_replications.csv'}, {out / 'sweep.html'}")
    failure = failures_line(cells)
    if failure:
        print(f"docexchange: {failure}; see {out / 'sweep_replications.csv'}", file=sys.stderr)
    return 1 if failure else 0


def _sections(varies: list[Vary], variants: list[Variant], cells: list[list[Replicate]]) -> list[str]:
    """Per target: the chart against the first varied key, and the target's rows in its unit."""
    parts = []
    first = varies[0]
    spreads = [{s.name: s for s in target_spreads(replicates)} for replicates in cells]
    rest = len(variants) // len(first.values)
    for index, target in enumerate(target_spreads([r for c in cells for r in c])):
        series = []
        for j in range(rest):  # the cells of one combination of the other keys: every rest-th cell
            members = [k * rest + j for k in range(len(first.values))]
            others = zip(varies[1:], variants[members[0]].labels[1:], strict=True)
            label = ", ".join(f"{v.path.text}={t}" for v, t in others)
            series.append(SweepSeries(label, [spreads[k].get(target.name) for k in members]))
        png = sweep_chart(
            f"{target.name}\n{target.measure.label}: trung bình, 90 % số lần lặp (mean; 90 % of replications)",
            first.path.text,
            first.texts,
            series,
        )
        table = sweep_table(varies, variants, cells, target=target)
        parts.append(section(f"target-{index}", target.name, png, target.name, [table]))
    return parts


def _print(varies: list[Vary], variants: list[Variant], cells: list[list[Replicate]]) -> None:
    for variant, replicates in zip(variants, cells, strict=True):
        where = ", ".join(f"{v.path.text}={t}" for v, t in zip(varies, variant.labels, strict=True))
        print(f"[{where}]")
        for spread in target_spreads(replicates):
            print(f"  {spread_line(spread)}")
