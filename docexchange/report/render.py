"""Write a run folder: ``report.json``, the CSV tables, the PNG charts and ``report.html``."""

from __future__ import annotations

import os
from pathlib import Path

from docexchange.report.html import render_html
from docexchange.report.schema import Report
from docexchange.report.spread_tables import fan_table, target_spreads_table
from docexchange.report.tables import csv_tables, csv_text

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
REPLICATION_FILES = ("target_spreads.csv", "share_fan.csv", "share_fan.png", "replications.csv")
"""Files only a run with replications writes."""


def render(report: Report, out: Path) -> list[Path]:
    """Write every file of ``report`` into ``out`` (created if missing) and return their paths.

    The order is fixed: report.json, the CSV tables, the charts, report.html. Files are replaced
    whole (written beside, then renamed), so a reader never sees half a file. The same report
    gives the same bytes.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_atomically(out / REPORT_JSON, report.to_json().encode("utf-8"))]
    tables = list(csv_tables(report))
    if report.replications is not None:
        tables += [target_spreads_table(report.replications), fan_table(report.replications)]
    else:  # a replicated run's files, left in the folder by an earlier run: not this run's
        for stale in REPLICATION_FILES:
            (out / stale).unlink(missing_ok=True)
    for table in tables:
        written.append(write_atomically(out / table.filename, csv_text(table).encode("utf-8")))
    from docexchange.report.charts import charts  # matplotlib is imported only to draw

    pngs = charts(report)
    for name, png in pngs:
        written.append(write_atomically(out / name, png))
    written.append(write_atomically(out / REPORT_HTML, render_html(report, pngs).encode("utf-8")))
    return written


def write_atomically(path: Path, data: bytes) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path
