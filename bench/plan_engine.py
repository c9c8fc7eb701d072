"""The plan engine on whole years at real volume: time and peak memory, by phase.

Run: ``.venv/bin/python bench/plan_engine.py [--scenario NAME[@FROM] …] [--out FILE]``.

Each case runs in a fresh child process (so its peak resident memory is its own): the plan engine
over the scenario from FROM (default: its start) to its end, then the report, then
``documents.csv`` — everything ``run --engine plan`` does but rendering the page. Prints documents,
deliveries, the seconds of each phase, documents per second and peak memory. Issue 13's goal: the
2022 year of ``axis-2019-2022`` (``axis-2019-2022@2022-01-01``, about 6 million documents) in under
2 minutes and 2 GB. Writes the figures to ``--out`` (default ``build/bench/plan-engine.json``).
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
DEFAULT = ("axis-2019-2022@2022-01-01", "national-2025")


def child(case: str) -> None:
    """One plan run; prints one JSON line."""
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from docexchange.metrics import build_report
    from docexchange.metrics.documents import write_documents_csv
    from docexchange.sim.plan_engine import PlanEngine
    from docexchange.sim.runner import SimulationRunner
    from docexchange.sim.scenario_loader import load_scenario

    name, _, first = case.partition("@")
    scenario = load_scenario(ROOT / "simulations" / f"{name}.toml")
    started = time.perf_counter()
    runner = SimulationRunner(
        scenario, Path(tempfile.mkdtemp()), first_day=date.fromisoformat(first) if first else None
    )
    result, table = PlanEngine(runner).run()
    planned = time.perf_counter()
    peaks = [_peak()]
    report = build_report(result, table)
    reported = time.perf_counter()
    peaks.append(_peak())
    csv_path = Path(tempfile.mkdtemp()) / "documents.csv"
    with csv_path.open("wb") as stream:
        write_documents_csv(table, runner.registry, stream)
    written = time.perf_counter()
    peak = _peak()
    volume = next((c for c in report.calibration if c.unit == "documents/year"), None)
    print(json.dumps({
        "case": case, "documents": report.totals.documents, "deliveries": report.totals.deliveries,
        "plan_seconds": round(planned - started, 1), "report_seconds": round(reported - planned, 1),
        "csv_seconds": round(written - reported, 1), "seconds": round(written - started, 1),
        "peak_mib": round(peak), "peak_mib_after_plan": round(peaks[0]),
        "peak_mib_after_report": round(peaks[1]), "csv_mib": round(csv_path.stat().st_size / 2**20),
        "documents_per_year": volume.measured if volume else None,
        "published_per_year": volume.published if volume else None,
    }))  # fmt: skip
    csv_path.unlink()


def _peak() -> float:
    """Peak resident memory so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    for case in args.scenario:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case], capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["documents_per_second"] = round(row["documents"] / row["seconds"])
        rows.append(row)
        print(
            f"{case}: {row['documents']} documents, {row['deliveries']} deliveries in {row['seconds']} s "
            f"(plan {row['plan_seconds']} s, report {row['report_seconds']} s, documents.csv "
            f"{row['csv_seconds']} s, {row['csv_mib']} MiB; {row['documents_per_second']} documents/s), "
            f"peak {row['peak_mib']} MiB",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
