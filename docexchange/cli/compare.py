"""``docexchange compare A.toml B.toml --replications N``: two scenarios on common random numbers.

Both run the same replication seeds (derived from A's seed, or ``--seed``), so replication k of A
and of B draw the same workload, adoption thresholds and delays wherever the scenarios agree, and
their difference is the scenarios' difference. Writes into ``--out`` (default
``build/compare/<A>-vs-<B>``): ``compare.csv`` (per target: A's spread, B's, and the paired
difference B − A with how many replications had B strictly better) and ``compare.html``. Exit 0,
1 when a replication failed, 2 for a bad scenario or option (before any run starts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from docexchange.batch.charts import compare_chart
from docexchange.batch.comparison import compare, compare_table
from docexchange.batch.pages import page, section
from docexchange.batch.plan import Variant, check
from docexchange.batch.replications import MEAN_INTERVAL_METHOD
from docexchange.batch.sources import ScenarioFiles
from docexchange.cli.batch import (
    Batch,
    add_executor_options,
    add_run_options,
    executor_of,
    failures_line,
    run_options,
    seeds_of,
)
from docexchange.errors import DocexchangeError
from docexchange.report.render import write_atomically
from docexchange.report.tables import csv_text
from docexchange.report.terminal import spread_line
from docexchange.sim.scenario_loader import load_scenario


def register(sub: Any) -> None:
    parser = sub.add_parser("compare", help="two scenarios side by side on the same seeds")
    parser.add_argument("a", metavar="A", help="the first scenario file (the reference)")
    parser.add_argument("b", metavar="B", help="the second scenario file")
    add_executor_options(parser, replications=10)
    add_run_options(parser)
    parser.add_argument("--out", metavar="DIR", help="output folder (default build/compare/<A>-vs-<B>)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    first, second = load_scenario(args.a), load_scenario(args.b)
    seeds = seeds_of(args, first.seed)
    options = run_options(args)
    variants = [
        Variant(ScenarioFiles.of(first, args.a), labels=("A",)),
        Variant(ScenarioFiles.of(second, args.b), labels=("B",)),
    ]
    label = f"{first.name} vs {second.name}"
    for side, variant in zip(("A", "B"), variants, strict=True):
        try:
            check(variant, options)
        except DocexchangeError as exc:  # name the scenario: both may be refused for the same reason
            raise DocexchangeError(exc.code, f"{side} ({variant.files.name}): {exc.message}") from None
    batch = Batch(label, variants, seeds, options)
    executor = executor_of(args)
    out = Path(args.out) if args.out else Path("build/compare") / f"{first.name}-vs-{second.name}"
    cells = batch.run(executor)
    differences = compare(cells[0], cells[1])
    out.mkdir(parents=True, exist_ok=True)
    table = compare_table(differences)
    write_atomically(out / table.filename, csv_text(table).encode("utf-8"))
    both = [d for d in differences if d.a is not None and d.b is not None and d.difference is not None]
    png = None
    if both:
        png = compare_chart(
            f"A = {first.name}, B = {second.name}: trung bình và khoảng 90 % (mean and 90 % interval)",
            [d.name for d in both],
            [d.a for d in both if d.a is not None],
            [d.b for d in both if d.b is not None],
            [d.difference for d in both if d.difference is not None],
            "A",
            "B",
        )
    subtitle = (
        f"A = {args.a} ({first.name}), B = {args.b} ({second.name}); {len(seeds)} lần lặp trên cùng hạt "
        f"giống (common random numbers), {options.engine} engine"
    )
    tables = [
        t
        for t in (compare_table(differences, shares=True), compare_table(differences, shares=False))
        if t.rows
    ]
    body = [
        section(
            "chart-compare",
            "Hai kịch bản cạnh nhau (side by side)",
            png,
            "A và B, và hiệu B − A",
            tables,
            "B − A tính theo từng cặp lần lặp cùng hạt giống (paired by seed). “B tốt hơn hẳn”: số cặp B tốt "
            f"hơn A (B strictly better). Khoảng tin cậy 90 % của trung bình hiệu: {MEAN_INTERVAL_METHOD}.",
        )
    ]
    write_atomically(
        out / "compare.html", page(f"So sánh (compare) — {label}", subtitle, body).encode("utf-8")
    )
    for d in differences:
        print(d.name)
        for side, spread in (("A", d.a), ("B", d.b)):
            print(
                f"  {side}: {spread_line(spread) if spread is not None else 'not a target of this scenario'}"
            )
        if d.difference is not None:
            s = d.difference
            scale, unit = (100, "pp") if s.measure.is_share else (1, "days")
            confidence = ""
            if d.mean_interval is not None:
                low, high = d.mean_interval
                confidence = f", mean's 90 % confidence interval {low * scale:+.2f} to {high * scale:+.2f}"
            print(
                f"  B − A: mean {s.mean * scale:+.2f} {unit} (90 % of pairs: {s.low * scale:+.2f} to "
                f"{s.high * scale:+.2f}{confidence}); B better in {s.met} of {s.replications}"
            )
    print(f"Comparison: {out / 'compare.csv'}, {out / 'compare.html'}")
    failure = failures_line(cells)
    if failure:
        print(f"docexchange: {failure}", file=sys.stderr)
    return 1 if failure else 0
