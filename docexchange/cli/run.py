"""``docexchange run SCENARIO``: run a simulation scenario and write its report.

Writes ``report.json``, CSV tables, ``documents.csv`` (one row per delivery), PNG charts and
``report.html`` into ``--out`` (default ``build/runs/<scenario name>``), keeping the run's PKI and
stores under ``DIR/work`` for audit; prints a progress bar (on a terminal) and the summary table,
or the JSON with ``--json``.
Exit 0 when the run reconciles (nothing lost), 1 when it does not, 2 for a bad scenario or option.

``--replications N`` (N > 1) runs N replications on an executor (``--workers``, ``--cluster``; the
plan engine unless ``--engine protocol``): report.json is replication 0's report with each target's
spread (``replications``), beside it ``replications.csv`` (one row per replication), the spread
tables and the fan chart; documents.csv is left out (re-run one replication with ``--seed`` for its
deliveries). Exit 1 when a replication failed or does not reconcile.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from docexchange.batch.plan import Variant
from docexchange.batch.simulate import RunSpan, days_of, prepare
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.summary import replications_record, replications_table
from docexchange.cli.batch import (
    Batch,
    add_engine_option,
    add_executor_options,
    checked_seed,
    executor_of,
    failures_line,
    run_options,
    seeds_of,
)
from docexchange.cli.options import parse_date
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.metrics.documents import DOCUMENTS_CSV, write_documents_csv
from docexchange.report import REPORT_JSON, Progress, print_summary, render
from docexchange.report.schema import EngineName
from docexchange.report.tables import csv_text
from docexchange.report.terminal import headline, spread_lines
from docexchange.sim.scenario import TransportChoice
from docexchange.sim.scenario_loader import load_scenario

REPLICATIONS_CSV = "replications.csv"


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="run a simulation scenario and write its report")
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (simulations/*.toml)")
    parser.add_argument("--seed", type=int, help="override the scenario's seed")
    parser.add_argument("--out", metavar="DIR", help="run folder (default build/runs/<scenario name>)")
    parser.add_argument("--until", metavar="DATE", help="last simulated day (YYYY-MM-DD): a shortened run")
    parser.add_argument(
        "--from",
        dest="first_day",
        metavar="DATE",
        help="first simulated and measured day (YYYY-MM-DD): adoption is a function of the date, so "
        "no warm-up is needed; documents keep the full run's numbers",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="S",
        help="thin the workload (0–1]: sign exactly the full run's documents whose seeded draw "
        "falls below S — same DocumentIds, dates and recipients; a quick look at the same shares",
    )
    add_engine_option(parser, default=None)  # protocol for one run, plan for replications
    parser.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="run the agency nodes in N worker processes and the axis in one more (the same report)",
    )
    add_executor_options(parser, replications=1)
    parser.add_argument("--json", action="store_true", help="print report.json instead of the summary table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.replications != 1:
        return _replicated(args)
    if args.workers is not None or args.cluster is not None:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            "--workers and --cluster run replications: give --replications N (N > 1); one run runs here",
        )
    scenario = load_scenario(args.scenario)
    seed = checked_seed(args.seed)
    if seed is not None:
        scenario = dataclasses.replace(scenario, seed=seed)
    if args.transport is not None:
        scenario = dataclasses.replace(scenario, transport=TransportChoice(args.transport))
    span = RunSpan(parse_date(args.first_day, "--from"), parse_date(args.until, "--until"), args.scale)
    out = Path(args.out) if args.out else Path("build/runs") / scenario.name
    console = Console(stderr=True)
    from docexchange.sim.processes import WorkerError

    engine: EngineName = args.engine or "protocol"
    start = prepare(scenario, out / "work", span, engine=engine, processes=args.processes)
    total = days_of(scenario, span)
    label = f"{scenario.name} (plan)" if engine == "plan" else scenario.name
    try:
        with Progress(total, label, console=console, enabled=False if args.json else None) as bar:
            if not bar.enabled and not args.json and engine == "protocol":
                where = f", {args.processes} node processes" if args.processes else ""
                console.print(
                    f"Running {scenario.name}: {total} days, transport {scenario.transport.value}{where} …",
                    highlight=False,
                )
            simulated = start(lambda day, count: bar.advance())
    except WorkerError as exc:
        print(f"docexchange: the run failed: {exc}", file=sys.stderr)
        return 1
    report = simulated.report
    render(report, out)
    with (out / DOCUMENTS_CSV).open("wb") as stream:
        write_documents_csv(simulated.table, simulated.registry, stream)
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        print_summary(report, Console())
        print(f"Report: {out / REPORT_JSON}, {out / 'report.html'}, {out / DOCUMENTS_CSV}")
        for line in headline(report):
            print(line)
    return 0 if report.reconciliation.reconciles else 1


def _replicated(args: argparse.Namespace) -> int:
    """``--replications N``: N runs on an executor; replication 0's report with the spread of each
    target, ``replications.csv`` one row per replication, no documents.csv (see the module doc)."""
    if args.processes is not None:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            "--processes spreads one run's nodes; replications already run in parallel (--workers)",
        )
    scenario = load_scenario(args.scenario)
    files = ScenarioFiles.of(scenario, args.scenario)
    seeds = seeds_of(args, scenario.seed)
    options = run_options(args, args.engine or "plan")
    batch = Batch.checked(scenario.name, [Variant(files)], seeds, options)
    executor = executor_of(args)
    out = Path(args.out) if args.out else Path("build/runs") / scenario.name
    replicates = batch.run(executor, quiet=args.json)[0]
    ran = [r for r in replicates if r.report is not None]
    failure = failures_line([replicates])
    if not ran:  # nothing to report on: only why each failed
        out.mkdir(parents=True, exist_ok=True)
        (out / REPLICATIONS_CSV).write_text(csv_text(replications_table(replicates)), encoding="utf-8")
        print(
            f"docexchange: every replication failed: {failure}; see {out / REPLICATIONS_CSV}", file=sys.stderr
        )
        return 1
    first = ran[0].report
    assert first is not None
    report = dataclasses.replace(
        first, replications=replications_record(replicates, shown=ran[0].replication)
    )
    render(report, out)
    (out / DOCUMENTS_CSV).unlink(missing_ok=True)  # one run's deliveries: not written for N of them
    (out / REPLICATIONS_CSV).write_text(csv_text(replications_table(replicates)), encoding="utf-8")
    unreconciled = [
        r.replication for r in ran if r.report is not None and not r.report.reconciliation.reconciles
    ]
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        print_summary(report, Console())
        print(f"Report: {out / REPORT_JSON}, {out / 'report.html'}, {out / REPLICATIONS_CSV}")
        print(
            f"The table is replication {ran[0].replication} (seed {ran[0].seed}); over {len(ran)} of "
            f"{len(replicates)} replications (the range holding 90 % of them: their 5th–95th percentiles):"
        )
        for line in spread_lines(report):
            print(line)
    if failure:
        print(f"docexchange: {failure}; see {out / REPLICATIONS_CSV}", file=sys.stderr)
    if unreconciled:
        print(f"docexchange: replications {unreconciled} do not reconcile (deliveries lost)", file=sys.stderr)
    return 1 if failure or unreconciled else 0
