"""Task runners for the executor tests: importable by name, so local worker processes (spawned)
and Dask workers can unpickle them."""

from __future__ import annotations

import os

from docexchange.batch.tasks import Outcome, Task
from docexchange.errors import DocexchangeError, ReasonCode

FAILING_SEED = 3
DYING_SEED = 5


def echo(task: Task) -> Outcome:
    """A report stand-in: the task's cell, replication and seed."""
    return Outcome(task.index, f"{task.cell}/{task.replication}/{task.seed}")


def failing(task: Task) -> Outcome:
    """Fails the way run_task reports a refusal, for one seed."""
    if task.seed == FAILING_SEED:
        error = DocexchangeError(ReasonCode.INVALID_ARGUMENT, "this seed is refused")
        return Outcome(task.index, None, str(error))
    return echo(task)


def dying(task: Task) -> Outcome:
    """Kills its worker process for one seed (as the kernel's OOM killer would)."""
    if task.seed == DYING_SEED:
        os._exit(9)
    return echo(task)


def refusing_replication(replication: int, task: Task) -> Outcome:
    """The real run, except that replication ``replication`` is refused (bind it with partial)."""
    from docexchange.batch.tasks import run_task

    if task.replication == replication:
        return Outcome(task.index, None, "invalid-argument: refused by the test")
    return run_task(task)


def refusing_all(task: Task) -> Outcome:
    return Outcome(task.index, None, "invalid-argument: refused by the test")
