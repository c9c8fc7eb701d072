"""The same batch gives the same bytes whatever runs it: one local worker, two, or a real Dask
cluster (a scheduler and two worker processes on loopback, started here); and both engines run
replications, replication 0 being the plain run."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from docexchange.cli.main import main
from tests.batch.scenarios import HERE, SMALL, plain_run

DASK = Path(sys.executable).parent / "dask"
FILES = ("sweep.csv", "sweep_replications.csv", "sweep.html")
TINY = HERE / "scenarios" / "tiny-2019.toml"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler on a free loopback port and two single-threaded worker processes."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=folder,
    )  # fmt: skip
    workers: subprocess.Popen[bytes] | None = None
    try:
        assert scheduler.stderr is not None
        address = None
        for line in scheduler.stderr:  # it logs its address once listening (EOF if it dies)
            found = re.search(r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", line)
            if found:
                address = found.group(1)
                break
        assert address is not None, "the Dask scheduler did not start"
        threading.Thread(target=scheduler.stderr.read, daemon=True).start()  # keep the pipe drained
        workers = subprocess.Popen(
            [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
             "--no-dashboard", "--memory-limit", "0", "--local-directory", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
        )  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=180)
        yield address
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)


def _sweep(out: Path, *where: str) -> dict[str, bytes]:
    argv = ["sweep", str(SMALL), "--vary", "adoption.province[1].mail_use=0.3,0.5", "--vary", "delays.paper_days=1,3",
            "--replications", "2", "--out", str(out), *where]  # fmt: skip
    assert main(argv) == 0
    return {name: (out / name).read_bytes() for name in FILES}


def test_one_worker_two_workers_and_a_dask_cluster_give_the_same_bytes(cluster: str, tmp_path: Path) -> None:
    one = _sweep(tmp_path / "one", "--workers", "1")
    two = _sweep(tmp_path / "two", "--workers", "2")
    dask = _sweep(tmp_path / "dask", "--cluster", cluster)
    assert one == two == dask
    assert one["sweep.csv"].count(b"\n") == 1 + 4 * 4  # a header, then cells × targets


def test_a_replicated_run_on_the_cluster_matches_the_local_one(cluster: str, tmp_path: Path) -> None:
    reports = []
    for where in (["--workers", "2"], ["--cluster", cluster]):
        out = tmp_path / where[0].strip("-")
        assert main(["run", str(SMALL), "--replications", "3", "--out", str(out), *where]) == 0
        reports.append(((out / "report.json").read_bytes(), (out / "replications.csv").read_bytes()))
    assert reports[0] == reports[1]


def test_the_protocol_engine_runs_replications_too(tmp_path: Path) -> None:
    out = tmp_path / "protocol"
    code = main(
        ["run", str(TINY), "--replications", "2", "--engine", "protocol", "--workers", "2", "--out", str(out)]
    )
    assert code == 0
    import json

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    plain = plain_run(tmp_path, TINY, 7, "--engine", "protocol")
    assert report["run"]["engine"] == "protocol" and report["replications"]["completed"] == 2
    assert {k: v for k, v in report.items() if k != "replications"} == plain
