"""``docexchange run SCENARIO``: run a simulation scenario and write its report.

Writes ``report.json``, CSV tables, PNG charts and ``report.html`` into ``--out`` (default
``build/runs/<scenario name>``), keeping the run's PKI and stores under ``DIR/work`` for audit;
prints a progress bar (on a terminal) and the summary table, or the JSON with ``--json``.
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
from docexchange.metrics import build_report
from docexchange.report import REPORT_JSON, Progress, print_summary, render
from docexchange.report.schema import Report
from docexchange.sim.scenario import Scenario, TransportChoice
from docexchange.sim.scenario_loader import load_scenario


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="run a simulation scenario and write its report")
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (simulations/*.toml)")
    parser.add_argument("--seed", type=int, help="override the scenario's seed")
    parser.add_argument("--out", metavar="DIR", help="run folder (default build/runs/<scenario name>)")
    parser.add_argument("--until", metavar="DATE", help="last simulated day (YYYY-MM-DD): a shortened run")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="sign this share of the scenario's documents (0–1]: a quick look",
    )
    parser.add_argument(
        "--transport",
        choices=[t.value for t in TransportChoice],
        help="override the scenario's transport (memory: no network; the report says so)",
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
    out = Path(args.out) if args.out else Path("build/runs") / scenario.name
    console = Console(stderr=True)
    from docexchange.sim.processes import WorkerError

    try:
        report = asyncio.run(
            _simulate(scenario, out, until, args.scale, args.processes, console, quiet=args.json)
        )
    except WorkerError as exc:
        print(f"docexchange: the run failed: {exc}", file=sys.stderr)
        return 1
    render(report, out)
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        print_summary(report, Console())
        print(f"Report: {out / REPORT_JSON}, {out / 'report.html'}")
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
) -> Report:
    from docexchange.sim.runner import SimulationRunner

    runner = SimulationRunner(scenario, out / "work", until=until, scale=scale, processes=processes)
    total = (runner.last_day - scenario.start).days + 1
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
        return build_report(result)
    finally:
        result.close()
