"""The terminal side of a run: a progress bar while it runs and a summary table at the end (rich).

:class:`Progress` draws only when its console is a terminal; written to a pipe or a file (CI, tests)
it does nothing at all, so logs hold no control characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from docexchange.report.labels import ENGINE_LABELS, RULE_SHORT_LABELS, TRANSPORT_LABELS, label
from docexchange.report.replications import TargetSpread
from docexchange.report.schema import Report, TargetUnit
from docexchange.report.tables import Kind, format_cell

T = TypeVar("T")


class Progress:
    """A progress bar over ``total`` steps, or nothing when the console is not a terminal.

    >>> with Progress(total=len(days), description="Mô phỏng") as progress:
    ...     for day in days:
    ...         simulate(day)
    ...         progress.advance()
    """

    def __init__(
        self,
        total: int | None,
        description: str = "Mô phỏng (simulating)",
        *,
        console: Console | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.console = console if console is not None else Console()
        self.enabled = self.console.is_terminal if enabled is None else enabled
        self.total = total
        self.description = description
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def advance(self, steps: float = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, steps)

    def update(self, *, completed: float | None = None, description: str | None = None) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=completed, description=description)

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, advancing one step after each."""
        for item in items:
            yield item
            self.advance()


def summary_table(report: Report) -> Table:
    """The run in one table: shares, targets, timing, deadlines, refusals and reconciliation."""
    run, overall = report.run, report.shares.overall
    table = Table(
        title=f"docexchange — {run.scenario} (seed {run.seed}, {run.period_start} → {run.period_end})",
        box=box.SIMPLE_HEAVY,
        show_header=True,
    )
    table.add_column("Mục (item)")
    table.add_column("Giá trị (value)", justify="right")
    table.add_column("Chỉ tiêu / ghi chú (target / note)")

    def row(name: str, value: str, note: str = "", style: str | None = None) -> None:
        table.add_row(name, value, note, style=style)

    row("Cách chạy (engine)", run.engine, label(ENGINE_LABELS, run.engine))
    row("Truyền tải (transport)", run.transport, label(TRANSPORT_LABELS, run.transport))
    row("Văn bản (documents)", format_cell(report.totals.documents, Kind.INT))
    row("Lượt gửi (deliveries)", format_cell(overall.deliveries, Kind.INT))
    row("Có giá trị pháp lý (legal)", format_cell(overall.legal_share, Kind.SHARE), f"{overall.legal}")
    row("Chỉ tham khảo (info only)", format_cell(overall.info_only_share, Kind.SHARE), f"{overall.info_only}")
    row("Giấy (paper)", format_cell(overall.paper_share, Kind.SHARE), f"{overall.paper}")
    table.add_section()
    for target in report.targets:
        verdict = format_cell(target.met, Kind.MET)
        if target.unit is TargetUnit.DOCUMENT:
            counted = (
                f"{target.documents} văn bản (documents), {target.rule}; "
                f"theo lượt gửi (per delivery) {format_cell(target.per_delivery, Kind.SHARE)}"
            )
            value, gap = Kind.SHARE, Kind.PP
        else:
            counted = f"{target.deliveries} lượt gửi (deliveries)"
            value, gap = Kind.DAYS, Kind.DAYS_GAP
        row(
            target.name,
            format_cell(target.measured, value),
            f"{format_cell(target.target, value)}: {verdict} {format_cell(target.gap_pp, gap)}; {counted}",
            style=None if target.met else "red",
        )
    for figure in report.calibration:
        kind = Kind.SHARE if figure.unit == "share" else Kind.NUMBER
        if figure.unit == "documents/year":
            note = "volume: the workload is a sample; this is its ratio to reality"
        elif figure.role == "fitted":
            note = "fitted: inputs chosen to hit it, not evidence"
        else:
            note = "held out: never used to choose inputs"
        row(
            f"{figure.name} (công bố / published {format_cell(figure.published, kind)})",
            format_cell(figure.measured, kind),
            note,
        )
    for level in report.inputs:
        row(
            f"{level.name} (đầu vào / input)",
            format_cell(level.scenario, Kind.SHARE),
            f"kế hoạch (plan) {format_cell(level.plan, Kind.SHARE)}; {level.agencies} cơ quan; không đánh giá",
        )
    if report.targets or report.inputs or report.calibration:
        table.add_section()
    for _name, code, latency in report.timing.latencies():
        row(
            f"Ký → {code}: p50 / p90 (giờ)",
            f"{format_cell(latency.p50, Kind.HOURS)} / {format_cell(latency.p90, Kind.HOURS)}",
            f"{latency.count} lượt; max {format_cell(latency.max, Kind.HOURS)}",
        )
    for channel in report.timing.acceptance_by_channel:
        latency = channel.latency
        row(
            f"Ký → tiếp nhận, {channel.channel}: trung bình (giờ)",
            format_cell(latency.mean, Kind.HOURS),
            f"{latency.count} lượt, mọi lượt gửi kể cả giấy (every delivery, paper included)",
        )
    for rule in report.deadlines.RULES:
        compliance = getattr(report.deadlines, rule)
        row(
            label(RULE_SHORT_LABELS, rule),
            format_cell(compliance.share, Kind.SHARE),
            f"{compliance.compliant}/{compliance.eligible}",
        )
    table.add_section()
    refusals = ", ".join(f"{c.key} {c.count}" for c in report.exchange.refusals) or "—"
    row("Từ chối (refusals)", str(report.exchange.refused), refusals)
    row("Gửi lại (retries)", str(report.exchange.retries))
    row("Trùng lặp (duplicates)", str(report.exchange.duplicates))
    rec = report.reconciliation
    row(
        "Đối soát (reconciliation)",
        "khớp" if rec.reconciles else "KHÔNG KHỚP",
        f"{rec.sent} = {rec.delivered} + {rec.refused} + {rec.fallen_back}; lost {rec.lost}",
        style=None if rec.reconciles else "bold red",
    )
    if report.faults:
        row("Sự cố (faults)", str(len(report.faults)), ", ".join(sorted({f.kind for f in report.faults})))
    return table


def headline(report: Report) -> list[str]:
    """One line per target, what a run ends with: the measured value beside the target, its unit
    and rule, and the verdict."""
    lines = []
    for t in report.targets:
        verdict = "met" if t.met else "missed"
        if t.unit is TargetUnit.DOCUMENT:
            lines.append(
                f"{t.name}: {format_cell(t.measured, Kind.SHARE)} of {t.documents} documents "
                f"({t.rule}; per delivery {format_cell(t.per_delivery, Kind.SHARE)}) against "
                f"{format_cell(t.target, Kind.SHARE)} by {t.deadline.isoformat()}: "
                f"{verdict} ({format_cell(t.gap_pp, Kind.PP)})"
            )
        else:
            lines.append(
                f"{t.name}: {t.measured:.2f} working days over {t.deliveries} deliveries against at most "
                f"{t.target:g} by {t.deadline.isoformat()}: {verdict}"
            )
    return lines


def spread_line(spread: TargetSpread) -> str:
    """``NAME: mean 34.52 % (90 % of replications: 33.91–35.20 %, sd 0.41 pp) against 40.00 %: met in
    0 of 20``."""
    if spread.measure.is_share:
        values = (
            f"mean {format_cell(spread.mean, Kind.SHARE)} (90 % of replications: {spread.low * 100:.2f}–"
            f"{format_cell(spread.high, Kind.SHARE)}, sd {spread.sd * 100:.2f} pp) against "
            f"{format_cell(spread.target, Kind.SHARE)}"
        )
    else:
        values = (
            f"mean {spread.mean:.2f} working days (90 % of replications: {spread.low:.2f}–{spread.high:.2f}, sd "
            f"{spread.sd:.2f}) against at most {spread.target:g}"
        )
    return f"{spread.name}: {values}: {spread.verdict}"


def spread_lines(report: Report) -> list[str]:
    """One line per target over a run's replications (none for a single run)."""
    if report.replications is None:
        return []
    return [spread_line(s) for s in report.replications.targets]


def print_summary(report: Report, console: Console | None = None) -> None:
    (console if console is not None else Console()).print(summary_table(report))
