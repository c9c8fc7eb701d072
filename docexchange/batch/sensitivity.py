"""Sensitivity: each adoption input moved down and up by a number of points, every other input
held, on the same seeds; how far each target's mean swings (a tornado per target).

An *input* is one adoption curve of the scenario: a schedule (a tier's, level-2 units' of a tier,
the pilots', one agency's) and one of its measures (mail_use, dms, certificate, axis). Moving it
moves every point of the curve by the same amount, clipped to 0–1, so its shape and dates stay.
A move that changes nothing (a curve at 0 moved down) reuses the baseline's results.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from docexchange.batch.keypaths import KeyPath, Step
from docexchange.batch.plan import Variant
from docexchange.batch.sources import ScenarioFiles, Setting
from docexchange.batch.summary import Replicate, target_spreads
from docexchange.report.replications import TargetSpread
from docexchange.report.tables import Cell, Column, Kind, Table
from docexchange.sim.scenario import AdoptionMeasure

DECIMALS = 6
"""Moved values are rounded so that 0.3 + 0.1 is written 0.4."""


@dataclass(frozen=True)
class AdoptionInput:
    schedule: tuple[Step, ...]  # ("adoption", "province"), ("adoption", "agencies", "000.00.00.G03") …
    measure: str

    @property
    def label(self) -> str:
        return f"{_text(self.schedule)} · {self.measure}"


def _text(steps: Sequence[Step]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            key = step if step.replace("_", "").replace("-", "").isalnum() else f'"{step}"'
            out += f".{key}" if out else key
    return out


def _schedules(adoption: dict[str, Any]) -> Iterator[tuple[tuple[Step, ...], list[Any]]]:
    for key, value in adoption.items():
        if isinstance(value, list):
            yield ("adoption", key), value
        elif isinstance(value, dict) and key in ("level2", "agencies"):
            for name, points in value.items():
                if isinstance(points, list):
                    yield ("adoption", key, name), points


def adoption_inputs(files: ScenarioFiles) -> list[AdoptionInput]:
    """Every adoption curve of the scenario, in the file's order."""
    data = tomllib.loads(files.scenario)
    inputs = []
    for schedule, points in _schedules(data.get("adoption", {})):
        for measure in AdoptionMeasure:
            if any(isinstance(p, dict) and measure.value in p for p in points):
                inputs.append(AdoptionInput(schedule, measure.value))
    return inputs


def moved(files: ScenarioFiles, adoption_input: AdoptionInput, delta: float) -> Variant | None:
    """The scenario with the input moved by ``delta`` (clipped to 0–1); None when nothing changes."""
    data = tomllib.loads(files.scenario)
    node: Any = data
    for step in adoption_input.schedule:
        node = node[step]
    settings: list[Setting] = []
    for index, point in enumerate(node):
        if adoption_input.measure not in point:
            continue
        old = float(point[adoption_input.measure])
        new = round(min(1.0, max(0.0, old + delta)), DECIMALS)
        if new != old:
            steps = (*adoption_input.schedule, index, adoption_input.measure)
            settings.append((KeyPath(_text(steps), steps), new))
    if not settings:
        return None
    label = f"{adoption_input.label} {delta * 100:+g} pp"
    return Variant(files.varied(settings), tuple(settings), (label,))


@dataclass(frozen=True)
class Swing:
    """A target's mean with one input moved down and up (None: the move changed nothing, so the
    baseline's mean stands)."""

    adoption_input: AdoptionInput
    target: str
    low: TargetSpread | None
    high: TargetSpread | None


def swings(
    inputs: Sequence[AdoptionInput],
    baseline: Sequence[Replicate],
    down: Sequence[Sequence[Replicate] | None],
    up: Sequence[Sequence[Replicate] | None],
) -> tuple[tuple[TargetSpread, ...], list[Swing]]:
    """The baseline's spreads and, per input and target, the spreads with the input moved."""
    base = target_spreads(baseline)
    result = []
    for adoption_input, low_cell, high_cell in zip(inputs, down, up, strict=True):
        low = {s.name: s for s in target_spreads(low_cell)} if low_cell is not None else {}
        high = {s.name: s for s in target_spreads(high_cell)} if high_cell is not None else {}
        for spread in base:
            result.append(Swing(adoption_input, spread.name, low.get(spread.name), high.get(spread.name)))
    return base, result


def mean_or_baseline(spread: TargetSpread | None, baseline: TargetSpread) -> float:
    return baseline.mean if spread is None else spread.mean


def sensitivity_table(base: Sequence[TargetSpread], result: Sequence[Swing], delta: float) -> Table:
    """``sensitivity.csv``: per target and input, the mean with the input moved down and up, and the
    swing (up minus down), widest first within each target."""
    columns = (
        Column("target", "Chỉ tiêu (target)"),
        Column("input", "Đầu vào (adoption input)"),
        Column("delta", "Dịch chuyển (moved by, ± fraction)", Kind.NUMBER),
        Column("baseline_mean", "Gốc (baseline mean)", Kind.NUMBER),
        Column("down_mean", "Khi giảm (mean, input down)", Kind.NUMBER),
        Column("up_mean", "Khi tăng (mean, input up)", Kind.NUMBER),
        Column("swing", "Biên độ (up − down)", Kind.NUMBER),
        Column("replications", "Số lần lặp (replications)", Kind.INT),
    )
    rows: list[tuple[Cell, ...]] = []
    by_name = {s.name: s for s in base}
    for spread in base:
        mine = [s for s in result if s.target == spread.name]
        mine.sort(key=lambda s: -abs(mean_or_baseline(s.high, spread) - mean_or_baseline(s.low, spread)))
        for s in mine:
            low, high = (
                mean_or_baseline(s.low, by_name[s.target]),
                mean_or_baseline(s.high, by_name[s.target]),
            )
            rows.append(
                (
                    s.target,
                    s.adoption_input.label,
                    delta,
                    spread.mean,
                    low,
                    high,
                    round(high - low, 4),
                    spread.replications,
                )
            )
    return Table("sensitivity", "Độ nhạy theo mức triển khai (sensitivity)", columns, tuple(rows))
