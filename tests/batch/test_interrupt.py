"""Ctrl-C during a batch: the driver stops its worker processes, says how far it got, writes
nothing and exits 130; no process of the batch is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.scenarios import SMALL


def _group_gone(group: int, within: float) -> bool:
    """Whether every process of ``group`` has exited within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_ctrl_c_stops_the_workers_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "run"
    scratch = tmp_path / "tmp"  # the workers' scratch folders go here (TMPDIR), to be looked at after
    scratch.mkdir()
    driver = subprocess.Popen(
        [sys.executable, "-m", "docexchange", "run", str(SMALL), "--replications", "12", "--workers", "2",
         "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    assert driver.stderr is not None
    seen = []
    for line in driver.stderr:  # wait until a task has finished: the workers are busy with others
        seen.append(line)
        if " done (1 of 12)" in line:
            break
    assert any(" done (1 of 12)" in line for line in seen), "".join(seen)
    os.killpg(driver.pid, signal.SIGINT)  # what a terminal sends the whole foreground group
    _output, rest = driver.communicate(timeout=120)
    errors = "".join(seen) + rest
    assert driver.returncode == 130, errors
    assert (
        "docexchange: interrupted after " in errors
        and "the workers are stopped and nothing was written" in errors
    )
    assert "Traceback" not in errors, errors
    assert not (out / "report.json").exists()
    assert _group_gone(driver.pid, within=30), "a worker process outlived the driver"
    assert sorted(p.name for p in scratch.iterdir() if p.name.startswith("docexchange-task-")) == []
