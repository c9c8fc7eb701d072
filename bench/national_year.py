"""A simulated year of ``national-2025.toml``: wall time and peak memory, and how they grow when
the documents double and when the agencies double.

Run: ``.venv/bin/python bench/national_year.py [--scale S] [--until DATE] [--out FILE]``.

Three runs of the whole year (1/7/2025–30/6/2026, the scenario's in-memory transport), each in a
fresh child process so its peak resident memory is its own:

- ``base``: the scenario at workload ``--scale S`` (default 0.00009 — a sample: the full workload
  is about 6.1 million documents, the axis's 2022 volume, which at the per-delivery cost measured
  here would take weeks over real nodes; the plan engine carries it in minutes);
- ``documents ×2``: the same agencies at workload 2S;
- ``agencies ×½``: every other level-1 agency (with its level-2 units) at workload S, so the
  agencies double from it to ``base`` (documents grow with them, since each agency writes its own).

Each child prints one JSON line; the parent prints a table with the ratios, which carry over
between machines better than the seconds (this machine is shared and noisy), and writes them to
``--out`` (default ``build/bench/national-2025.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "simulations" / "national-2025.toml"


def child(variant: str, scale: float, until: date | None) -> dict[str, object]:
    from docexchange.metrics import build_report
    from docexchange.registry import load_registry
    from docexchange.sim.runner import run_scenario
    from docexchange.sim.scenario import SelectionMode
    from docexchange.sim.scenario_loader import load_scenario

    scenario = load_scenario(SCENARIO)
    if variant == "agencies-half":
        registry = load_registry(scenario.registry, include_level2=scenario.include_level2)
        level1 = [a.id for a in scenario.select_participants(registry) if a.parent is None]
        half = dataclasses.replace(
            scenario.participants, mode=SelectionMode.AGENCIES, agencies=tuple(level1[::2])
        )
        scenario = dataclasses.replace(scenario, participants=half)

    async def go(workdir: Path) -> dict[str, object]:
        began = time.perf_counter()
        result = await run_scenario(scenario, workdir, until=until, scale=scale)
        try:
            report = build_report(result)
        finally:
            result.close()
        return {
            "variant": variant,
            "scale": scale,
            "agencies": len(result.participants),
            "documents": report.totals.documents,
            "deliveries": report.totals.deliveries,
            "reconciles": report.reconciliation.reconciles,
            "seconds": round(time.perf_counter() - began, 1),
        }

    with TemporaryDirectory(prefix="bench-national-") as tmp:
        figures = asyncio.run(go(Path(tmp)))
    figures["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.00009)  # about the 0.005 of the 106 000 of old
    parser.add_argument("--until", help="stop earlier than 30/6/2026 (YYYY-MM-DD), for a quick look")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench" / "national-2025.json"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    until = date.fromisoformat(args.until) if args.until else None
    if args.child:
        print(json.dumps(child(args.child, args.scale, until)))
        return 0
    runs = {}
    for variant, scale in (
        ("base", args.scale),
        ("documents-x2", 2 * args.scale),
        ("agencies-half", args.scale),
    ):
        command = [sys.executable, __file__, "--child", variant, "--scale", str(scale)]
        if args.until:
            command += ["--until", args.until]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        runs[variant] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(runs[variant]), flush=True)
    base, docs, half = runs["base"], runs["documents-x2"], runs["agencies-half"]

    def ratio(a: dict[str, object], b: dict[str, object], key: str) -> float:
        return round(float(a[key]) / float(b[key]), 2)  # type: ignore[arg-type]

    summary = {
        "period": f"2025-07-01 to {args.until or '2026-06-30'}",
        "runs": runs,
        "documents_x2": {k: ratio(docs, base, k) for k in ("deliveries", "seconds", "peak_mib")},
        "agencies_x2": {k: ratio(base, half, k) for k in ("agencies", "deliveries", "seconds", "peak_mib")},
        "ms_per_delivery": round(1000 * float(base["seconds"]) / max(1, int(base["deliveries"])), 1),  # type: ignore[arg-type]
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'run':<16}{'agencies':>9}{'documents':>11}{'deliveries':>12}{'seconds':>10}{'peak MiB':>10}")
    for name, r in runs.items():
        print(
            f"{name:<16}{r['agencies']:>9}{r['documents']:>11}{r['deliveries']:>12}{r['seconds']:>10}{r['peak_mib']:>10}"
        )
    print(f"documents ×2 → {summary['documents_x2']}")
    print(f"agencies ×2  → {summary['agencies_x2']}")
    print(f"{summary['ms_per_delivery']} ms per delivery (base); written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
