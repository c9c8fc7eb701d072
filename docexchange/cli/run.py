"""``docexchange run SCENARIO``: run a simulation scenario and write its report.

Writes ``report.json``, CSV tables, ``documents.csv`` (one row per delivery), PNG charts and
``report.html`` into ``--out`` (default ``build/runs/<scenario name>``), keeping the run's PKI and
stores under ``DIR/work`` for audit; prints a progress bar (on a terminal) and the summary table,
or the JSON with ``--json``.
Exit 0 when the run reconciles (nothing lost), 1 when it does not, 2 for a bad scenario or option.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from docexchange.cli.options import parse_date
from docexchange.metrics import build_report, collect
from docexchange.metrics.documents import DOCUMENTS_CSV, write_documents_csv
from docexchange.metrics.table import ResultTable
from docexchange.registry import Registry
from docexchange.report import REPORT_JSON, Progress, print_summary, render
from docexchange.report.schema import Report
from docexchange.report.terminal import headline
from docexchange.sim.scenario import Scenario, TransportChoice
from docexchange.sim.scenario_loader import load_scenario


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
    parser.add_argument(
        "--transport",
        choices=[t.value for t in TransportChoice],
        help="override the scenario's transport (memory: no network; the report says so)",
    )
    parser.add_argument(
        "--engine",
        choices=("protocol", "plan"),
        default="protocol",
        help="protocol (default): real nodes sign, send, verify and answer every message; plan: the "
        "same workload, adoption, routing and delay draws without messages — whole years in seconds, "
        "the same shares; faults need the protocol engine",
    )
    parser.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="run the agency nodes in N worker processes and the axis in one more (the same report)",
    )
    parser.add_argument("--json", action="store_true", help="print report.json instead of the summary table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = dataclasses.replace(scenario, seed=args.seed)
    if args.transport is not None:
        scenario = dataclasses.replace(scenario, transport=TransportChoice(args.transport))
    until = parse_date(args.until, "--until")
    first_day = parse_date(args.first_day, "--from")
    out = Path(args.out) if args.out else Path("build/runs") / scenario.name
    console = Console(stderr=True)
    from docexchange.sim.processes import WorkerError

    try:
        report, table, registry = asyncio.run(
            _simulate(
                scenario,
                out,
                until,
                args.scale,
                args.processes,
                console,
                quiet=args.json,
                first_day=first_day,
                engine=args.engine,
            )
        )
    except WorkerError as exc:
        print(f"docexchange: the run failed: {exc}", file=sys.stderr)
        return 1
    render(report, out)
    with (out / DOCUMENTS_CSV).open("wb") as stream:
        write_documents_csv(table, registry, stream)
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        print_summary(report, Console())
        print(f"Report: {out / REPORT_JSON}, {out / 'report.html'}, {out / DOCUMENTS_CSV}")
        for line in headline(report):
            print(line)
    return 0 if report.reconciliation.reconciles else 1


async def _simulate(
    scenario: Scenario,
    out: Path,
    until: date | None,
    scale: float,
    processes: int | None,
    console: Console,
    *,
    quiet: bool,
    first_day: date | None = None,
    engine: str = "protocol",
) -> tuple[Report, ResultTable, Registry]:
    """The run's report, its deliveries as columns and the registry that names their agencies."""
    from docexchange.sim.plan_engine import PlanEngine
    from docexchange.sim.runner import SimulationRunner

    runner = SimulationRunner(
        scenario, out / "work", until=until, scale=scale, processes=processes, first_day=first_day
    )
    total = (runner.last_day - runner.first_day).days + 1
    if engine == "plan":
        planned = PlanEngine(runner)  # refuses faults and --processes before any work
        with Progress(
            total, f"{scenario.name} (plan)", console=console, enabled=None if not quiet else False
        ) as bar:
            result, table = planned.run(lambda day, count: bar.advance())
        return build_report(result, table), table, runner.registry
    with Progress(total, f"{scenario.name}", console=console, enabled=None if not quiet else False) as bar:
        runner.progress = lambda day, count: bar.advance()
        if not bar.enabled and not quiet:
            where = f", {processes} node processes" if processes else ""
            console.print(
                f"Running {scenario.name}: {total} days, {len(runner.participants)} agencies,"
                f" transport {scenario.transport.value}{where} …",
                highlight=False,
            )
        result = await runner.run()
    try:
        results = collect(result)
        return build_report(result, results), ResultTable.from_results(results), runner.registry
    finally:
        result.close()
