"""``docexchange serve`` as a subprocess for the tests: started, waited for, stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from docexchange.serve import DEPLOYMENT_FILE, Deployment, read_deployment
from tests.netpki import DA_NANG_ID, LAO_CAI_ID

SERVED = (LAO_CAI_ID, DA_NANG_ID)  # Văn phòng Chính phủ is played by the test, in this process


@dataclass
class Served:
    process: subprocess.Popen[str]
    state: Path
    deployment: Deployment
    printed: str
    stderr_file: Path

    @property
    def stderr(self) -> str:
        """What the supervisor and its workers have logged so far."""
        return self.stderr_file.read_text(encoding="utf-8", errors="replace")


def start_serve(certs: Path, state: Path, *options: str) -> Served:
    """Start ``docexchange serve`` for :data:`SERVED` and return once it printed ``Ready:``."""
    command = [sys.executable, "-m", "docexchange", "serve", "--certs", str(certs)]
    command += ["--state", str(state), "--agencies", *SERVED, "--processes", "2", "--poll", "0.2", *options]
    env = {**os.environ, "COLUMNS": "200"}
    state.mkdir(parents=True, exist_ok=True)
    stderr_file = state.parent / f"{state.name}.stderr"
    with stderr_file.open("w", encoding="utf-8") as stderr:  # a file: a chatty worker never blocks
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    assert process.stdout is not None
    printed = []
    for line in process.stdout:  # blocks until the supervisor reports every process listening
        printed.append(line)
        if line.startswith("Ready: "):
            break
    else:
        process.wait(30)
        pytest.fail(f"serve exited {process.returncode} before it was ready: {stderr_file.read_text()}")
    return Served(process, state, read_deployment(state / DEPLOYMENT_FILE), "".join(printed), stderr_file)


def stop_serve(served: Served) -> tuple[int, str]:
    """SIGTERM, then the exit code and what was printed after ``Ready:``."""
    served.process.send_signal(signal.SIGTERM)
    out, _ = served.process.communicate(timeout=90)
    return served.process.returncode, out


def kill_serve(served: Served) -> None:
    if served.process.poll() is None:
        served.process.kill()
        served.process.wait(30)
