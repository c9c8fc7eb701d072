"""How much calibration-2012's fitted shares depend on each fitted input: ±10 points on each.

Run: ``.venv/bin/python bench/calibration_sensitivity.py [--delta 0.10] [--out DIR]``.

calibration-2012's eight adoption inputs (mail use and certificates, per tier) were fitted so that
a year of its plan gives the published 30 % (ministries) and 20 % (provinces) of documents fully
electronic. This moves each input by ±``delta`` (clipped to [0, 1]) with the others fixed and
recomputes both shares for the whole year with the plan engine (2 % of the year's 19 million
documents, the same draws for every variant), per document under the scenario's rule.
Writes ``sensitivity.csv`` and a tornado chart ``sensitivity.png`` into ``--out`` (default
``build/bench/calibration-2012``) and prints the table. About 30 s per year, 17 years.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docexchange.metrics import build_report  # noqa: E402
from docexchange.registry import Tier  # noqa: E402
from docexchange.sim.plan_engine import PlanEngine  # noqa: E402
from docexchange.sim.runner import SimulationRunner  # noqa: E402
from docexchange.sim.scenario import TargetMeasure  # noqa: E402
from docexchange.sim.scenario_loader import parse_scenario  # noqa: E402

SCENARIO = ROOT / "simulations" / "calibration-2012.toml"
TIERS = ("ministry", "central-city", "province", "mountainous-remote")
INPUTS = ("mail_use", "certificate")


SCALE = 0.02
"""The share of the year's 19 million documents each run carries (the plan engine, thinned)."""


def shares(text: str) -> tuple[float, float]:
    """(ministries, provinces): documents fully electronic over the scenario's year, as its report
    gives them (the plan engine at :data:`SCALE`)."""
    scenario = parse_scenario(text, SCENARIO)
    result, table = PlanEngine(SimulationRunner(scenario, Path(tempfile.mkdtemp()), scale=SCALE)).run()
    measured = {c.name: c.measured for c in build_report(result, table).calibration}
    figures = [p for p in scenario.published if p.measure is TargetMeasure.FULLY_ELECTRONIC_SHARE]
    ministries = next(measured[p.name] for p in figures if Tier.MINISTRY in p.scope.tiers)
    provinces = next(measured[p.name] for p in figures if Tier.PROVINCE in p.scope.tiers)
    return ministries, provinces


def moved(text: str, tier: str, name: str, delta: float) -> tuple[str, float]:
    """The scenario text with ``name`` of ``tier``'s 2012 point moved by ``delta``; the new value."""
    pattern = re.compile(rf"(\[\[adoption\.{re.escape(tier)}\]\][^\[]*?\n{name} = )([0-9.]+)", re.S)
    match = pattern.search(text)
    if match is None:
        raise SystemExit(f"{tier}.{name} not found in {SCENARIO}")
    value = min(1.0, max(0.0, float(match.group(2)) + delta))
    return text[: match.start(2)] + f"{value:.2f}" + text[match.end(2) :], value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delta", type=float, default=0.10)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "calibration-2012")
    args = parser.parse_args()
    text = SCENARIO.read_text(encoding="utf-8")
    base = shares(text)
    rows = []
    for tier in TIERS:
        for name in INPUTS:
            low_text, low_value = moved(text, tier, name, -args.delta)
            high_text, high_value = moved(text, tier, name, +args.delta)
            low, high = shares(low_text), shares(high_text)
            rows.append((f"{tier}.{name}", low_value, high_value, *low, *high))
            print(f"{tier}.{name}: {low_value:.2f} → {low[0]:.4f} / {low[1]:.4f}; "
                  f"{high_value:.2f} → {high[0]:.4f} / {high[1]:.4f}", flush=True)  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "sensitivity.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("input", "low", "high", "ministries_low", "provinces_low", "ministries_high",
                         "provinces_high", "ministries_base", "provinces_base"))  # fmt: skip
        for row in rows:
            writer.writerow((row[0], f"{row[1]:.2f}", f"{row[2]:.2f}", *(f"{v:.4f}" for v in row[3:]),
                             f"{base[0]:.4f}", f"{base[1]:.4f}"))  # fmt: skip
    _tornado(rows, base, args.out / "sensitivity.png", args.delta)
    print(f"base: ministries {base[0]:.4f}, provinces {base[1]:.4f}; wrote {args.out}")


def _tornado(rows: list[tuple[str, float, float, float, float, float, float]], base: tuple[float, float],
             path: Path, delta: float) -> None:  # fmt: skip
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharey=True)
    labels = [r[0] for r in rows]
    for index, (axis, title) in enumerate(
        zip(axes, ("Bộ, ngành (ministries)", "Tỉnh (provinces)"), strict=True)
    ):
        lows = [r[3 + index] * 100 for r in rows]
        highs = [r[5 + index] * 100 for r in rows]
        centre = base[index] * 100
        for y, (low, high) in enumerate(zip(lows, highs, strict=True)):
            axis.barh(y, low - centre, left=centre, color="#c0504d")
            axis.barh(y, high - centre, left=centre, color="#4f81bd")
        axis.axvline(centre, color="black", linewidth=0.8)
        axis.set_title(f"{title}: {centre:.1f} %")
        axis.set_xlabel(f"% văn bản điện tử hoàn toàn (inputs ∓{delta * 100:.0f} points)")
    axes[0].set_yticks(range(len(labels)), labels)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
