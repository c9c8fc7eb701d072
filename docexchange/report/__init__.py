"""The report of a simulation run: ``report.json`` (the schema), CSV tables, PNG charts, ``report.html``.

>>> paths = render(report, Path("build/run"))          # report.json, *.csv, *.png, report.html
>>> read_report(Path("build/run")) == report
True

``docexchange report DIR`` re-renders a run folder from its ``report.json``. The terminal side
(a progress bar during the run and a summary table at the end) is in :mod:`.terminal`.
"""

from docexchange.report.codec import Count, ReportError, counts
from docexchange.report.render import REPORT_HTML, REPORT_JSON, render
from docexchange.report.schema import (
    FORMAT,
    GENERATED_BY,
    AdoptionInput,
    Calibration,
    ChannelLatency,
    Compliance,
    Deadlines,
    Exchange,
    Fault,
    Latency,
    Measure,
    PaperReasons,
    Reconciliation,
    Report,
    RunInfo,
    ShareRow,
    Shares,
    Target,
    TargetUnit,
    TierSeries,
    Timing,
    Totals,
    latency_from_array,
    latency_from_samples,
    read_report,
    share_row,
)
from docexchange.report.terminal import Progress, print_summary, summary_table

__all__ = [
    "FORMAT",
    "GENERATED_BY",
    "REPORT_HTML",
    "REPORT_JSON",
    "AdoptionInput",
    "Calibration",
    "ChannelLatency",
    "Compliance",
    "Count",
    "Deadlines",
    "Exchange",
    "Fault",
    "Latency",
    "Measure",
    "PaperReasons",
    "Progress",
    "Reconciliation",
    "Report",
    "ReportError",
    "RunInfo",
    "ShareRow",
    "Shares",
    "Target",
    "TargetUnit",
    "TierSeries",
    "Timing",
    "Totals",
    "counts",
    "latency_from_array",
    "latency_from_samples",
    "print_summary",
    "read_report",
    "render",
    "share_row",
    "summary_table",
]
