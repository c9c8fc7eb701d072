"""A replication as an independent task: what it carries to a worker, and what comes back.

A :class:`Task` holds everything its run needs as values (the scenario's files as text, the seed,
the engine and the span), so that it runs the same in this process, in a local worker process or
on a Dask worker elsewhere. :func:`run_task` never raises: a failed run comes back as an
:class:`Outcome` with its reason, and the batch goes on.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from docexchange.batch.simulate import RunSpan, prepare
from docexchange.batch.sources import ScenarioFiles
from docexchange.errors import DocexchangeError
from docexchange.report.schema import EngineName, Report
from docexchange.sim.scenario import TransportChoice


@dataclass(frozen=True)
class RunOptions:
    """What every replication of a batch shares besides its scenario and seed."""

    engine: EngineName = "plan"
    span: RunSpan = field(default_factory=RunSpan)
    transport: TransportChoice | None = None  # the protocol engine's, when overridden


@dataclass(frozen=True)
class Task:
    index: int
    """Its place in the batch: results are reported in this order, whatever order they finish in."""
    cell: int
    """The sweep cell (or compared scenario) it belongs to."""
    replication: int
    seed: int
    files: ScenarioFiles
    options: RunOptions


@dataclass(frozen=True)
class Outcome:
    index: int
    report: str | None
    """``report.json`` of the run, or None when it failed."""
    failure: str | None = None
    """``reason-code: sentence`` when the run failed."""
    peak_rss_kib: int = 0
    """The worker process's peak resident memory so far (not part of any output file)."""

    @property
    def parsed(self) -> Report:
        if self.report is None:
            raise ValueError(f"task {self.index} failed: {self.failure}")
        return Report.from_json(self.report, f"replication task {self.index}")


_scratch: Path | None = None
"""The scratch folder of the task this process is running (removed if the process is stopped)."""


def stop_on_terminate() -> None:
    """In a worker process: on SIGTERM (the driver stopping it, Ctrl-C) remove the running task's
    scratch folder — which may hold a protocol run's keys and stores — and exit at once."""

    def stop(signum: int, frame: object) -> None:
        if _scratch is not None:
            shutil.rmtree(_scratch, ignore_errors=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def run_task(task: Task) -> Outcome:
    """Run one replication in a scratch folder of its own; its report, or why it failed (a reason
    that names no path of the worker's, so that a failure reads the same on every executor)."""
    global _scratch
    from docexchange.sim.plan_engine import release_freed_memory

    report: str | None = None
    failure: str | None = None
    with tempfile.TemporaryDirectory(prefix="docexchange-task-") as scratch:
        folder = Path(scratch)
        _scratch = folder
        try:
            scenario, calendar = task.files.load(folder / "scenario")
            scenario = replace(scenario, seed=task.seed)
            if task.options.transport is not None:
                scenario = replace(scenario, transport=task.options.transport)
            run = prepare(
                scenario, folder / "work", task.options.span, engine=task.options.engine, calendar=calendar
            )
            report = run(None).report.to_json()
        except DocexchangeError as exc:
            failure = str(exc).replace(str(folder), "<scratch>")
        except Exception as exc:  # recorded with the replication; the batch goes on
            failure = f"internal-error: {type(exc).__name__}: {exc}".replace(str(folder), "<scratch>")
        finally:
            _scratch = None
    release_freed_memory()
    return Outcome(task.index, report, failure, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
