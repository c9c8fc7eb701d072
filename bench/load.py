"""Sustained load on a served network: documents at a fixed rate for minutes; throughput, latency
percentiles and memory over time.

Run: ``.venv/bin/python bench/load.py [--rate DOCS_PER_S] [--duration SECONDS] [--out FILE]``.

A throw-away ECDSA PKI for Văn phòng Chính phủ and four provinces; ``docexchange serve`` runs the
axis and the provinces (two worker processes) on loopback; this process plays Văn phòng Chính phủ:
every 1/rate seconds it composes, signs and queues one document to the next province and hands it
to the axis; a second task polls the axis for the answers. Latency is wall time from handing the
document over to hearing its 01 (arrived) and its 03 (registered). Every ``--sample`` seconds the
resident memory of every process (the sender, the axis, the node workers) is read from /proc.

Memory must stay flat: the summary compares each process's memory over the last third of the run
with the middle third (after warm-up) and prints the growth. Each run prints one table and writes
the figures as JSON to ``--out`` (default ``build/bench/load.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docexchange.clock import VIETNAM_TZ, SystemClock  # noqa: E402
from docexchange.node.events import NodeEvent  # noqa: E402
from docexchange.node.model import Draft  # noqa: E402
from docexchange.node.network import LoopbackNetwork  # noqa: E402
from docexchange.pki import PkiStore  # noqa: E402
from docexchange.registry import load_registry  # noqa: E402
from docexchange.routing import CapabilityTable, RoutingRules  # noqa: E402
from docexchange.serve import DEPLOYMENT_FILE, read_deployment  # noqa: E402

SENDER = "000.00.00.G22"  # Văn phòng Chính phủ
PROVINCES = ("000.00.00.H38", "000.00.00.H15", "000.00.00.H49", "000.00.00.H29")


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def drive(folder: Path, rate: float, duration: float, sample: float) -> dict[str, object]:
    registry = load_registry().filtered([SENDER, *PROVINCES])
    pki = PkiStore.open(folder / "certs")
    deployment = read_deployment(folder / "state" / DEPLOYMENT_FILE)
    handed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    registered: dict[str, float] = {}

    def listen(event: NodeEvent) -> None:
        now = time.perf_counter()
        if event.what == "document-sent":
            handed.setdefault(event.document_id, now)
        elif event.what == "status-01-in":
            arrived.setdefault(event.document_id, now)
        elif event.what == "status-03-in":
            registered.setdefault(event.document_id, now)

    net = LoopbackNetwork(
        folder / "state",
        registry,
        pki,
        SystemClock(),
        RoutingRules(),
        CapabilityTable(),
        directory=deployment.directory(),
    )
    net.events.listeners.append(listen)
    net.events.keep = False
    node = await net.start_node(SENDER)
    pids = {name: pid for name, pid in deployment.pids.items()} | {"sender": os.getpid()}
    samples: list[dict[str, object]] = []
    stop = asyncio.Event()

    async def poll() -> None:
        while not stop.is_set():
            await node.poll_axis()
            await asyncio.sleep(0.1)

    async def watch(began: float) -> None:
        while not stop.is_set():
            samples.append(
                {
                    "t": round(time.perf_counter() - began, 1),
                    "handed": len(handed),
                    "arrived": len(arrived),
                    "registered": len(registered),
                    "rss_mib": {name: rss_mib(pid) for name, pid in pids.items()},
                }
            )
            await asyncio.sleep(sample)

    began = time.perf_counter()
    tasks = [asyncio.create_task(poll()), asyncio.create_task(watch(began))]
    sent = 0
    try:
        while time.perf_counter() - began < duration:
            due = began + sent / rate
            if time.perf_counter() < due:
                await asyncio.sleep(due - time.perf_counter())
            recipient = PROVINCES[sent % len(PROVINCES)]
            node.send(
                Draft(
                    recipients=(recipient,),
                    type_code="CV",
                    subject=f"Tải thử số {sent}",
                    drafting_unit="TTĐT",
                )
            )
            sent += 1
            await node.pump()
        drain_until = time.perf_counter() + 30
        while len(registered) < sent and time.perf_counter() < drain_until:
            await node.pump()
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        for task in tasks:
            await task
        await net.stop()
    elapsed = time.perf_counter() - began
    to_01 = [arrived[d] - handed[d] for d in arrived if d in handed]
    to_03 = [registered[d] - handed[d] for d in registered if d in handed]
    return {
        "rate": rate,
        "duration_s": duration,
        "sent": sent,
        "arrived": len(arrived),
        "registered": len(registered),
        "throughput_per_s": round(len(registered) / elapsed, 2),
        "latency_01_s": {
            p: round(percentile(to_01, q), 3) for p, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
        },
        "latency_03_s": {
            p: round(percentile(to_03, q), 3) for p, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
        },
        "samples": samples,
        "memory_growth": growth(samples, list(pids)),
    }


def growth(samples: list[dict[str, object]], names: list[str]) -> dict[str, dict[str, float]]:
    """Mean resident memory per process over the middle and the last third of the run."""
    third = len(samples) // 3
    result = {}
    for name in names:

        def mean(part: list[dict[str, object]], who: str = name) -> float:
            values = [s["rss_mib"][who] for s in part if s["rss_mib"].get(who) is not None]  # type: ignore[index,union-attr]
            return statistics.fmean(values) if values else float("nan")

        middle, last = mean(samples[third : 2 * third]), mean(samples[2 * third :])
        result[name] = {
            "middle_mib": round(middle, 1),
            "last_mib": round(last, 1),
            "ratio": round(last / middle, 3),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2.0, help="documents per second (default 2)")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load (default 180)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench" / "load.json"))
    args = parser.parse_args()
    if args.rate <= 0 or args.duration <= 0 or args.sample <= 0:
        parser.error("--rate, --duration and --sample must be positive")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        PkiStore.init(
            folder / "certs",
            load_registry().filtered([SENDER, *PROVINCES]),
            algorithm="ecdsa-p256",
            not_before=datetime.now(VIETNAM_TZ) - timedelta(days=1),
            years=2,
        )
        command = [sys.executable, "-m", "docexchange", "serve", "--certs", str(folder / "certs")]
        command += [
            "--state",
            str(folder / "state"),
            "--agencies",
            *PROVINCES,
            "--processes",
            "2",
            "--poll",
            "0.1",
        ]
        served = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        try:
            assert served.stdout is not None
            for line in served.stdout:
                if line.startswith("Ready: "):
                    break
            else:
                print(served.stderr.read() if served.stderr else "serve did not start", file=sys.stderr)
                return 1
            figures = asyncio.run(drive(folder, args.rate, args.duration, args.sample))
        finally:
            served.send_signal(signal.SIGTERM)
            served.communicate(timeout=120)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"rate {figures['rate']}/s for {figures['duration_s']} s: sent {figures['sent']}, "
        f"01 heard {figures['arrived']}, 03 heard {figures['registered']}, "
        f"throughput {figures['throughput_per_s']}/s"
    )
    print(f"latency to 01 (s): {figures['latency_01_s']}; to 03 (s): {figures['latency_03_s']}")
    for name, g in figures["memory_growth"].items():  # type: ignore[attr-defined]
        print(
            f"  {name:<8} memory middle third {g['middle_mib']} MiB, last third {g['last_mib']} MiB (×{g['ratio']})"
        )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
