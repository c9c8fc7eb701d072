"""The report's two charts as PNG bytes (matplotlib, Agg), byte-identical for the same report.

Determinism: figures are built with the object API (no pyplot, no global figure state) under
matplotlib's default style plus fixed settings (font DejaVu Sans, which ships with matplotlib and
has Vietnamese diacritics; size and dpi), so a user's ``matplotlibrc`` changes nothing; the PNG
is written with ``metadata={"Software": None}``, so it carries no version or time text chunk.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from docexchange.report.labels import TIER_LABELS, label
from docexchange.report.schema import Measure, Report, ShareRow

SHARE_CHART = "share_vs_target.png"
LATENCY_CHART = "latency.png"
FAN_CHART = "share_fan.png"

FIGSIZE = (10.0, 7.0)  # inches
DPI = 100  # 1000 × 700 pixels
WORKING_DAY_HOURS = 8.0

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_OVERALL_COLOUR = "#222222"
_NAN = math.nan


@contextmanager
def chart_style() -> Iterator[None]:
    fixed = {
        "font.family": "DejaVu Sans",
        "font.size": 9.0,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.fontsize": 8.0,
    }
    with matplotlib.style.context(["default", fixed]):  # defaults first: no matplotlibrc leaks in
        yield


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def no_data(ax: Any, text: str = "Không có dữ liệu (no data)") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666")


# --------------------------------------------------------------------------------------------
# Share against target, per tier, by quarter

_PANELS = (
    (Measure.LEGAL, "Điện tử có giá trị pháp lý (đã ký số) — legal electronic"),
    (Measure.ELECTRONIC, "Điện tử, kể cả chỉ để tham khảo — any electronic"),
)


def _percent(value: float | None) -> float:
    return _NAN if value is None else value * 100


def _target_steps(
    rows: tuple[ShareRow, ...], position: dict[str, int], measure: Measure
) -> tuple[list[float], list[float]] | None:
    """A stepped line: each quarter with a target on ``measure`` spans its whole slot; gaps break it."""
    xs: list[float] = []
    ys: list[float] = []
    for row in rows:
        if row.target is not None and row.measure is measure:
            x = position[row.key]
            xs += [x - 0.5, x + 0.5]
            ys += [row.target * 100] * 2
        elif xs and not math.isnan(xs[-1]):
            xs.append(_NAN)
            ys.append(_NAN)
    return (xs, ys) if xs else None


def share_chart(report: Report) -> bytes:
    """Lines per tier (and overall) of the share by quarter; dashed steps for the targets."""
    shares = report.shares
    series: list[tuple[str, str, tuple[ShareRow, ...]]] = [
        (label(TIER_LABELS, s.tier), _COLOURS[i % len(_COLOURS)], s.quarters)
        for i, s in enumerate(shares.by_tier_quarter)
    ]
    if shares.by_quarter:
        series.append(("Tổng (all)", _OVERALL_COLOUR, shares.by_quarter))
    quarters = sorted({row.key for _name, _colour, rows in series for row in rows})
    position = {q: i for i, q in enumerate(quarters)}

    with chart_style():
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        axes = fig.subplots(2, 1, sharex=True)
        fig.subplots_adjust(
            left=0.07, right=0.73, top=0.87, bottom=0.12, hspace=0.25
        )  # fixed: no layout engine
        fig.suptitle(
            f"Tỷ lệ văn bản điện tử so với chỉ tiêu, theo quý — {report.run.scenario}\n"
            "Share of deliveries against target, by quarter",
            fontsize=11,
        )
        has_target = False
        for ax, (measure, title) in zip(axes, _PANELS, strict=True):
            ax.set_title(title, fontsize=9.5, loc="left")
            ax.set_ylim(0, 105)
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
            if not quarters:
                no_data(ax)
                continue
            for _name, colour, rows in series:
                xs = [position[r.key] for r in rows]
                width = 2.2 if colour == _OVERALL_COLOUR else 1.5
                ys = [_percent(r.share_of(measure)) for r in rows]
                ax.plot(xs, ys, color=colour, lw=width, marker="o", ms=3.5)
                steps = _target_steps(rows, position, measure)
                if steps:
                    has_target = True
                    ax.plot(*steps, color=colour, lw=1.2, ls="--", alpha=0.85)
        bottom = axes[-1]
        if quarters:
            step = max(1, math.ceil(len(quarters) / 16))
            bottom.set_xticks(range(0, len(quarters), step), quarters[::step], rotation=45, ha="right")
            bottom.set_xlim(-0.5, len(quarters) - 0.5)
        bottom.set_xlabel("Quý (quarter)")
        handles = [
            Line2D([], [], color=colour, lw=1.5, marker="o", ms=3.5, label=name) for name, colour, _ in series
        ]
        if has_target:
            handles.append(Line2D([], [], color="#555555", lw=1.2, ls="--", label="Chỉ tiêu (target)"))
        if handles:
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.745, 0.87))
        return png_bytes(fig)


# --------------------------------------------------------------------------------------------
# Latency distribution

_LATENCY_SERIES = (
    ("to_01_arrived", "Ký → 01 đã đến", "#9a9a9a"),
    ("to_03_accepted", "Ký → 03 đã tiếp nhận", "#1f77b4"),
    ("to_06_completed", "Ký → 06 hoàn thành", "#d62728"),
)


def _bin_labels(edges: list[float]) -> list[str]:
    labels = [f"{a:g}–{b:g}" for a, b in itertools.pairwise(edges)]
    labels[-1] = f"≥ {edges[-2]:g}"  # the last bin also holds everything above
    return labels


def latency_chart(report: Report) -> bytes:
    """Share of deliveries per bin (bars) and cumulative share (lines, exact percentiles as ◆)."""
    timing = report.timing
    edges = list(timing.bin_edges)
    present = [
        (text, colour, latency)
        for name, text, colour in _LATENCY_SERIES
        for latency in (getattr(timing, name),)
        if latency.count
    ]
    with chart_style():
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        hist, cumulative = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.13, wspace=0.18)
        fig.suptitle(
            "Thời gian từ khi ký, tính bằng giờ làm việc — time from signing, working hours", fontsize=11
        )
        hist.set_title("Phân bố theo khoảng (share per bin)", fontsize=9.5, loc="left")
        cumulative.set_title("Tỷ lệ tích lũy (cumulative share)", fontsize=9.5, loc="left")
        slots = range(len(edges) - 1)
        width = 0.8 / max(1, len(present))
        for i, (text, colour, latency) in enumerate(present):
            offset = (i - (len(present) - 1) / 2) * width
            shares = [100 * c / latency.count for c in latency.histogram]
            legend = f"{text} (p50 {latency.p50:g} h, p90 {latency.p90:g} h)"
            hist.bar([x + offset for x in slots], shares, width=width, color=colour, label=legend)
            running, total = [0.0], 0
            for c in latency.histogram:
                total += c
                running.append(100 * total / latency.count)
            cumulative.plot(edges, running, color=colour, lw=1.6, marker="o", ms=2.5, label=text)
            marks = [(latency.p50, 50), (latency.p90, 90), (latency.p99, 99)]
            cumulative.plot(
                [h for h, _ in marks], [p for _, p in marks], ls="none", marker="D", ms=4.5, color=colour
            )
        hist.set_xticks(list(slots), _bin_labels(edges), rotation=30, ha="right")
        hist.set_xlabel("Khoảng giờ làm việc (working hours)")
        hist.set_ylabel("Tỷ lệ lượt gửi (share of deliveries)")
        cumulative.set_xlabel("Giờ làm việc (working hours)")
        cumulative.set_xlim(edges[0], edges[-1])
        cumulative.set_ylim(0, 102)
        if edges[0] < WORKING_DAY_HOURS < edges[-1]:
            cumulative.axvline(WORKING_DAY_HOURS, color="#555555", ls=":", lw=1)
            cumulative.text(
                WORKING_DAY_HOURS,
                0.02,
                " 1 ngày làm việc",
                transform=cumulative.get_xaxis_transform(),
                va="bottom",
                fontsize=7.5,
            )
        for level in (50, 90, 99):
            cumulative.axhline(level, color="#999999", lw=0.8, ls="--")
        for ax in (hist, cumulative):
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        if present:
            hist.legend(loc="upper right")
            handles, _labels = cumulative.get_legend_handles_labels()
            handles.append(
                Line2D([], [], ls="none", marker="D", ms=4.5, color="#555555", label="p50, p90, p99")
            )
            cumulative.legend(handles=handles, loc="lower right")
        else:
            no_data(hist)
            no_data(cumulative)
        return png_bytes(fig)


# --------------------------------------------------------------------------------------------
# Replications: the share by quarter as a fan


def fan_chart(report: Report) -> bytes:
    """The overall share by quarter over the replications: the 5th–95th and 25th–75th percentile
    bands, the median, and the quarters' target as dashed steps."""
    fan = report.replications.fan if report.replications is not None else ()
    with chart_style():
        fig = Figure(figsize=(10.0, 5.0), dpi=DPI)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.08, right=0.97, top=0.86, bottom=0.2)
        count = report.replications.count if report.replications is not None else 0
        fig.suptitle(
            f"Tỷ lệ theo quý qua {count} lần lặp — {report.run.scenario}\n"
            "Share by quarter over the replications: median, 50 % and 90 % bands",
            fontsize=11,
        )
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        if not fan:
            no_data(ax)
            return png_bytes(fig)
        xs = list(range(len(fan)))
        ax.fill_between(xs, [f.p5 * 100 for f in fan], [f.p95 * 100 for f in fan], color="#1f77b4", alpha=0.18,
                        lw=0, label="5–95 %")  # fmt: skip
        ax.fill_between(xs, [f.p25 * 100 for f in fan], [f.p75 * 100 for f in fan], color="#1f77b4", alpha=0.35,
                        lw=0, label="25–75 %")  # fmt: skip
        ax.vlines(xs, [f.p5 * 100 for f in fan], [f.p95 * 100 for f in fan], color="#1f77b4", lw=1.0)
        ax.plot(xs, [f.p50 * 100 for f in fan], color=_OVERALL_COLOUR, lw=1.8, marker="o", ms=3.5,
                label="Trung vị (median)")  # fmt: skip
        targets = [(x, f.target * 100) for x, f in zip(xs, fan, strict=True) if f.target is not None]
        if targets:
            ax.plot(*zip(*targets, strict=True), color="#c8102e", lw=1.2, ls="--", drawstyle="steps-mid",
                    label="Chỉ tiêu (target)")  # fmt: skip
        step = max(1, math.ceil(len(fan) / 16))
        ax.set_xticks(xs[::step], [f.key for f in fan][::step], rotation=45, ha="right")
        ax.set_xlim(-0.5, len(fan) - 0.5)
        ax.set_xlabel("Quý (quarter)")
        ax.set_ylabel(", ".join(sorted({f.measure.label for f in fan})))
        ax.legend(loc="upper left")
        return png_bytes(fig)


def charts(report: Report) -> tuple[tuple[str, bytes], ...]:
    """``(file name, PNG bytes)`` of every chart, in a fixed order (the fan only with replications)."""
    drawn: tuple[tuple[str, bytes], ...] = (
        (SHARE_CHART, share_chart(report)),
        (LATENCY_CHART, latency_chart(report)),
    )
    if report.replications is not None:
        drawn += ((FAN_CHART, fan_chart(report)),)
    return drawn
