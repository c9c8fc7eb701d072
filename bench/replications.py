"""Replications on a local process pool: wall time with 1 and with N workers, speed-up, and the
peak memory of each worker process.

Run: ``.venv/bin/python bench/replications.py [--replications 20] [--workers 1,2]
[--scenario axis-2019-2022@2022-01-01] [--until 2022-12-31] [--out FILE]``.

The default is issue 14's case: 20 replications of the 2022 year of ``axis-2019-2022`` at full
volume (about 6.5 million documents each) on the plan engine — what ``docexchange run
simulations/axis-2019-2022.toml --from 2022-01-01 --replications 20 --workers W`` runs, without
writing the files (a few seconds, once). The batch goes through the same executor and tasks as the
command; each worker count starts a fresh pool. The outcomes of every worker count are compared
(they must be identical). Goal: at least 1.8× faster on two workers than on one. Writes the
figures to ``--out`` (default ``build/bench/replications.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docexchange.batch.executors import LocalPool  # noqa: E402
from docexchange.batch.plan import Variant, tasks_of  # noqa: E402
from docexchange.batch.replications import replication_seeds  # noqa: E402
from docexchange.batch.simulate import RunSpan  # noqa: E402
from docexchange.batch.sources import ScenarioFiles  # noqa: E402
from docexchange.batch.tasks import Outcome, RunOptions  # noqa: E402


def _progress(outcome: Outcome) -> None:
    print(
        f"  replication {outcome.index} {'done' if outcome.report else 'failed'}", file=sys.stderr, flush=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    parser.add_argument("--scenario", default="axis-2019-2022@2022-01-01", help="NAME[@FROM]")
    parser.add_argument("--until", default="2022-12-31")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "replications.json")
    args = parser.parse_args()
    name, _, first = args.scenario.partition("@")
    files = ScenarioFiles.read(ROOT / "simulations" / f"{name}.toml")
    seeds = replication_seeds(2022, args.replications)
    span = RunSpan(date.fromisoformat(first) if first else None, date.fromisoformat(args.until), 1.0)
    tasks = tasks_of([Variant(files)], seeds, RunOptions("plan", span))
    rows = []
    reference: list[str | None] | None = None
    for workers in (int(w) for w in args.workers.split(",")):
        started = time.perf_counter()
        outcomes: list[Outcome] = LocalPool(workers).run(tasks, _progress)
        seconds = time.perf_counter() - started
        reports = [o.report for o in outcomes]
        failed = [o.failure for o in outcomes if o.report is None]
        if reference is None:
            reference = reports
        documents = json.loads(outcomes[0].report or "{}").get("totals", {}).get("documents")
        row = {
            "workers": workers,
            "replications": len(tasks),
            "seconds": round(seconds, 1),
            "seconds_per_replication": round(seconds / len(tasks), 2),
            "peak_worker_mib": round(max(o.peak_rss_kib for o in outcomes) / 1024),
            "documents_per_replication": documents,
            "failed": failed,
            "identical_to_first": reports == reference,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = rows[0]["seconds"]
    for row in rows:
        row["speed_up"] = round(float(base) / float(row["seconds"]), 2)  # type: ignore[arg-type]
    print(
        f"{'workers':>7} {'seconds':>8} {'s/replication':>13} {'speed-up':>8} {'peak MiB/worker':>15} identical"
    )
    for row in rows:
        print(
            f"{row['workers']:>7} {row['seconds']:>8} {row['seconds_per_replication']:>13} "
            f"{row['speed_up']:>8} {row['peak_worker_mib']:>15} {row['identical_to_first']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"case": args.scenario, "until": args.until, "rows": rows}, indent=2) + "\n"
    )
    return 0 if all(r["identical_to_first"] and not r["failed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
