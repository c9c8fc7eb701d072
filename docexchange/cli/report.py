"""``docexchange report DIR``: re-render a run folder from its ``report.json``.

Reads ``DIR/report.json`` strictly (the schema of :mod:`docexchange.report.schema`), writes the
JSON back in canonical form with the CSV tables, PNG charts and ``report.html`` (into ``--out``
when given, else DIR), and prints the summary table. Exit 0 on success; 2 when the folder or the
file is missing or the file is not a valid report (raised as DocexchangeError; ``main`` prints it
on one line).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from docexchange.errors import ReasonCode
from docexchange.report import REPORT_JSON, ReportError, print_summary, read_report, render


def register(sub: Any) -> None:
    report = sub.add_parser(
        "report", help="re-render a run folder (CSV tables, PNG charts, report.html) from its report.json"
    )
    report.add_argument("dir", metavar="DIR", help=f"run folder holding {REPORT_JSON} (a run's --out DIR)")
    report.add_argument("--out", metavar="DIR", help="write the files here instead of DIR")
    report.add_argument("--quiet", action="store_true", help="do not print the summary table")
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise ReportError(
            f"{folder}: no such folder (a run writes one with --out DIR)", ReasonCode.INVALID_ARGUMENT
        )
    report = read_report(folder / REPORT_JSON)
    out = Path(args.out) if args.out else folder
    written = render(report, out)
    if not args.quiet:
        console = Console()
        print_summary(report, console)
        console.print(f"{len(written)} files written to {out}", highlight=False)
    return 0
