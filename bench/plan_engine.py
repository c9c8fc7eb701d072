"""The plan engine's throughput and memory on whole years: the baseline a vectorised engine must beat.

Run: ``.venv/bin/python bench/plan_engine.py [--scenario NAME …] [--out FILE]``.

Each scenario's whole year (``run --engine plan``, the report and ``documents.csv`` included) runs
in a fresh child process, so its peak resident memory is its own. Prints documents, deliveries,
wall time, documents and deliveries per second and peak memory, and what a year at the published
volume would take at that rate (the published figure of the scenario's ``documents-per-year``) —
issue 13's goal for the real-volume 2022 year is under 2 minutes and 2 GB. Writes the figures to
``--out`` (default ``build/bench/plan-engine.json``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("plan-2008", "national-2025")


def child(name: str) -> None:
    """One whole-year plan run; prints one JSON line."""
    sys.path.insert(0, str(ROOT))
    from docexchange.metrics import build_report
    from docexchange.metrics.documents import write_documents_csv
    from docexchange.sim.plan_engine import PlanEngine
    from docexchange.sim.runner import SimulationRunner
    from docexchange.sim.scenario_loader import load_scenario

    scenario = load_scenario(ROOT / "simulations" / f"{name}.toml")
    started = time.perf_counter()
    runner = SimulationRunner(scenario, Path(tempfile.mkdtemp()))
    result, table = PlanEngine(runner).run()
    planned = time.perf_counter()
    report = build_report(result, table)
    reported = time.perf_counter()
    csv_path = Path(tempfile.mkdtemp()) / "documents.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as stream:
        write_documents_csv(table, runner.registry, stream)
    seconds = time.perf_counter() - started
    volume = next((c.published for c in report.calibration if c.unit == "documents/year"), None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    print(json.dumps({
        "scenario": name, "documents": report.totals.documents, "deliveries": report.totals.deliveries,
        "seconds": round(seconds, 1), "peak_mib": round(peak), "published_per_year": volume,
        "csv_bytes": csv_path.stat().st_size, "plan_seconds": round(planned - started, 1),
        "report_seconds": round(reported - planned, 1), "csv_seconds": round(seconds - (reported - started), 1),
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", nargs="*", default=list(DEFAULT))
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "plan-engine.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    rows = []
    for name in args.scenario:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name], capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["documents_per_second"] = round(row["documents"] / row["seconds"])
        row["deliveries_per_second"] = round(row["deliveries"] / row["seconds"])
        if row["published_per_year"]:
            row["hours_at_published_volume"] = round(
                row["published_per_year"] / row["documents_per_second"] / 3600, 1
            )
        rows.append(row)
        print(
            f"{name}: {row['documents']} documents, {row['deliveries']} deliveries in {row['seconds']} s "
            f"({row['documents_per_second']} documents/s, {row['deliveries_per_second']} deliveries/s), "
            f"peak {row['peak_mib']} MiB; the published volume would take "
            f"{row.get('hours_at_published_volume', '?')} h",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
