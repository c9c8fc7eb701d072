"""The charts of sweeps, comparisons and sensitivity runs, as PNG bytes (the report's fixed style:
the same results give the same bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from docexchange.report.charts import DPI, chart_style, no_data, png_bytes
from docexchange.report.replications import TargetSpread

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _scale(spread: TargetSpread) -> float:
    """Shares are drawn in percent, days as they are."""
    return 100.0 if spread.measure.is_share else 1.0


def _axis_label(spread: TargetSpread) -> str:
    return spread.measure.label + (" (%)" if spread.measure.is_share else "")


@dataclass(frozen=True)
class SweepSeries:
    """One line of a sweep chart: the cells that share the values of every ``--vary`` but the first."""

    label: str
    points: Sequence[TargetSpread | None]  # one per value of the first --vary (None: no result)


def sweep_chart(title: str, x_key: str, x_labels: Sequence[str], series: Sequence[SweepSeries]) -> bytes:
    """A target's mean against the first varied key's values, with the 90 % interval as error bars;
    one line per combination of the other keys; the target as a dashed line."""
    with chart_style():
        fig = Figure(figsize=(9.0, 5.0), dpi=DPI)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.09, right=0.97, top=0.86, bottom=0.16)
        fig.suptitle(title, fontsize=10.5)
        known = [p for s in series for p in s.points if p is not None]
        if not known:
            no_data(ax)
            return png_bytes(fig)
        scale = _scale(known[0])
        xs = list(range(len(x_labels)))
        width = 0.25 / max(1, len(series))
        for i, line in enumerate(series):
            offset = (i - (len(series) - 1) / 2) * width
            present = [(x + offset, p) for x, p in zip(xs, line.points, strict=True) if p is not None]
            ax.errorbar(
                [x for x, _ in present],
                [p.mean * scale for _, p in present],
                yerr=[
                    [(p.mean - p.low) * scale for _, p in present],
                    [(p.high - p.mean) * scale for _, p in present],
                ],
                color=_COLOURS[i % len(_COLOURS)],
                marker="o",
                ms=4,
                capsize=3,
                lw=1.4,
                label=line.label or None,
            )
        if len({p.target for p in known}) == 1:
            ax.axhline(known[0].target * scale, color="#555555", ls="--", lw=1.1, label="Chỉ tiêu (target)")
        else:  # a --vary moved the target itself: each cell's own
            for i, line in enumerate(series):
                offset = (i - (len(series) - 1) / 2) * width
                marks = [(x + offset, p.target * scale) for x, p in zip(xs, line.points, strict=True) if p]
                ax.plot(*zip(*marks, strict=True), ls="none", marker="_", ms=14, mew=2, color="#555555",
                        label="Chỉ tiêu (target)" if i == 0 else None)  # fmt: skip
        ax.set_xticks(xs, list(x_labels))
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_xlabel(x_key)
        ax.set_ylabel(_axis_label(known[0]))
        if scale == 100.0:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        ax.legend(loc="best")
        return png_bytes(fig)


def compare_chart(title: str, names: Sequence[str], a: Sequence[TargetSpread], b: Sequence[TargetSpread],
                  difference: Sequence[TargetSpread], a_label: str, b_label: str) -> bytes:  # fmt: skip
    """Left: each target's mean and interval in A and in B. Right: the paired difference B − A with
    its interval, and zero."""
    with chart_style():
        height = max(3.0, 1.0 + 0.7 * len(names))
        fig = Figure(figsize=(11.0, height), dpi=DPI)
        left, right = fig.subplots(1, 2, sharey=True)
        fig.subplots_adjust(
            left=0.3, right=0.97, top=1 - 0.9 / height, bottom=0.6 / height + 0.05, wspace=0.08
        )
        fig.suptitle(title, fontsize=10.5)
        ys = list(range(len(names)))
        for offset, spreads, colour, label in ((-0.15, a, "#1f77b4", a_label), (0.15, b, "#d62728", b_label)):
            left.errorbar(
                [s.mean * _scale(s) for s in spreads],
                [y + offset for y in ys],
                xerr=[[(s.mean - s.low) * _scale(s) for s in spreads], [(s.high - s.mean) * _scale(s) for s in spreads]],
                fmt="o", color=colour, capsize=3, label=label,
            )  # fmt: skip
        left.set_yticks(ys, [n if len(n) <= 40 else n[:39] + "…" for n in names])
        left.invert_yaxis()
        left.set_xlabel("Trung bình, khoảng 90 % (mean, 90 % interval; shares in %)")
        left.legend(loc="best")
        right.errorbar(
            [d.mean * _scale(d) for d in difference],
            ys,
            xerr=[[(d.mean - d.low) * _scale(d) for d in difference], [(d.high - d.mean) * _scale(d) for d in difference]],
            fmt="s", color="#222222", capsize=3,
        )  # fmt: skip
        right.axvline(0, color="#555555", lw=1.0, ls="--")
        right.set_xlabel(f"{b_label} − {a_label} (điểm %, pp; days)")
        return png_bytes(fig)


@dataclass(frozen=True)
class TornadoBar:
    label: str  # the input, e.g. "adoption.province · mail_use"
    low: float  # the target's mean with the input moved down
    high: float  # … moved up


def tornado_chart(title: str, baseline: TargetSpread, bars: Sequence[TornadoBar], delta_pp: float) -> bytes:
    """Each input's swing of a target's mean, widest first, around the baseline's mean."""
    with chart_style():
        height = max(3.0, 1.2 + 0.38 * len(bars))
        fig = Figure(figsize=(10.0, height), dpi=DPI)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.33, right=0.97, top=1 - 0.9 / height, bottom=0.7 / height + 0.05)
        fig.suptitle(title, fontsize=10.5)
        scale = _scale(baseline)
        base = baseline.mean * scale
        ys = list(range(len(bars)))
        for y, bar in zip(ys, bars, strict=True):
            ax.barh(y, bar.low * scale - base, left=base, color="#1f77b4", height=0.6)
            ax.barh(y, bar.high * scale - base, left=base, color="#d62728", height=0.6)
        ax.axvline(base, color="#222222", lw=1.2, label="Gốc (baseline)")
        ax.axvline(baseline.target * scale, color="#555555", lw=1.1, ls="--", label="Chỉ tiêu (target)")
        ax.set_yticks(ys, [b.label for b in bars])
        ax.invert_yaxis()
        ax.set_xlabel(
            f"{_axis_label(baseline)}: xanh −{delta_pp:g} điểm, đỏ +{delta_pp:g} điểm "
            f"(blue: input −{delta_pp:g} pp, red: +{delta_pp:g} pp)"
        )
        ax.legend(loc="lower right")
        return png_bytes(fig)
