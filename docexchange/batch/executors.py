"""Where a batch's tasks run: a pool of local worker processes, or a running Dask scheduler's workers.

Both give the outcomes in task order, whatever order the tasks finish in, so the files a batch
writes do not depend on the executor or the number of workers. A replication that fails comes back
with its reason and the rest go on — including one whose worker process dies: the pool is started
again, the tasks that were running are re-run one at a time to find the one that kills its worker,
and that one alone is recorded as failed. Ctrl-C stops the workers (local processes are terminated,
removing their scratch folders; Dask tasks not yet started are cancelled — Dask cannot stop one
already running, which ends on its worker unread) and re-raises.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from docexchange.batch.tasks import Outcome, Task, run_task, stop_on_terminate
from docexchange.errors import DocexchangeError, ReasonCode

TaskRunner = Callable[[Task], Outcome]
Done = Callable[[Outcome], None]

WORKER_DIED = "worker-died"
"""The reason code of a replication whose worker process exited while running it."""
TASK_FAILED = "task-failed"
"""The reason code of a task the executor could not run (e.g. a worker without docexchange)."""


class Executor(Protocol):
    description: str

    def run(self, tasks: Sequence[Task], done: Done, runner: TaskRunner = run_task) -> list[Outcome]:
        """Every task's outcome, in task order; ``done`` is called as each finishes."""
        ...

    def close(self) -> None: ...


def _worker_start() -> None:
    """Worker processes leave Ctrl-C to the driver, which stops them (SIGTERM: see
    :func:`~docexchange.batch.tasks.stop_on_terminate`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop_on_terminate()


def _submit(pool: ProcessPoolExecutor, runner: TaskRunner, task: Task) -> Future[Outcome]:
    """Submit with Ctrl-C held back: a worker process started here inherits the blocked signal
    (so a Ctrl-C while it starts up cannot kill it half-way), and the driver gets it right after."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(runner, task)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class LocalPool:
    """Worker processes on this machine (``--workers N``; default: every core)."""

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--workers {workers}: must be 1 or more")
        self.workers = workers or len(os.sched_getaffinity(0)) or 1  # the cores this process may use
        self.description = f"{self.workers} local worker process{'es' if self.workers > 1 else ''}"

    def _pool(self, width: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=width, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
        )

    def run(self, tasks: Sequence[Task], done: Done, runner: TaskRunner = run_task) -> list[Outcome]:
        results: dict[int, Outcome] = {}
        pending: deque[Task] = deque(tasks)
        suspects: deque[Task] = deque()  # were running when a worker died: re-run one at a time
        width = max(1, min(self.workers, len(tasks)))
        pool = self._pool(width)
        running: dict[Future[Outcome], Task] = {}

        def finish(outcome: Outcome) -> None:
            results[outcome.index] = outcome
            done(outcome)

        try:
            while pending or suspects or running:
                broken = False
                try:
                    queue, limit = (suspects, 1) if suspects else (pending, width)
                    while queue and len(running) < limit:
                        future = _submit(pool, runner, queue[0])  # taken off only once submitted
                        running[future] = queue.popleft()
                except BrokenProcessPool:  # a worker died while idle: start again, nothing lost
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = self._pool(width)
                    suspects.extend(sorted(running.values(), key=lambda t: t.index))
                    running.clear()
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running[future]
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as exc:  # e.g. a result that could not be sent back
                        outcome = Outcome(task.index, None, f"{TASK_FAILED}: {type(exc).__name__}: {exc}")
                    del running[future]
                    finish(outcome)
                if not broken:
                    continue
                lost = sorted(running.values(), key=lambda t: t.index)
                running.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = self._pool(width)
                if len(lost) == 1:  # it ran alone: it is the one that killed its worker
                    finish(
                        Outcome(
                            lost[0].index,
                            None,
                            f"{WORKER_DIED}: the worker process running this replication exited "
                            "(killed, or out of memory); the other replications went on",
                        )
                    )
                else:
                    suspects.extend(lost)
        except BaseException:
            _terminate(pool)
            raise
        pool.shutdown(wait=True)
        return [results[t.index] for t in tasks]

    def close(self) -> None:
        pass


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's processes now (Ctrl-C): pending tasks are cancelled, running ones killed."""
    processes: dict[int, Any] = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes.values():
        process.join(timeout=10)
        if process.is_alive():  # deaf to SIGTERM inside a long C call: no more waiting
            process.kill()
            process.join()


def _knock(address: str) -> None:
    """A TCP address that refuses connections is refused at once (Dask's client would retry until
    its timeout). Other schemes (tls://, ucx:// …) are left to the client."""
    scheme, sep, rest = address.rpartition("://")
    if sep and scheme != "tcp":
        return
    host, colon, port = rest.rpartition(":")
    if not colon or not port.isdigit():
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"--cluster {address}: expected a scheduler address tcp://HOST:PORT"
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
            pass
    except OSError as exc:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            f"--cluster {address}: no Dask scheduler answers there ({exc.strerror or exc})",
        ) from None


class DaskCluster:
    """The workers of a running Dask distributed scheduler (``--cluster ADDRESS``). Workers need
    docexchange installed (the same version); tasks carry the scenario's files as text."""

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        from distributed import Client

        _knock(address)
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except Exception as exc:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--cluster {address}: no Dask scheduler answered there within {timeout:g} s "
                f"({type(exc).__name__}: {exc})",
            ) from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        if workers == 0:
            self.client.close()
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT,
                f"--cluster {address}: the scheduler has no worker; start some with `dask worker {address}`",
            )
        self.address = address
        self.description = f"the Dask cluster at {address} ({workers} worker{'s' if workers > 1 else ''})"

    def run(self, tasks: Sequence[Task], done: Done, runner: TaskRunner = run_task) -> list[Outcome]:
        from distributed import as_completed

        futures = [self.client.submit(runner, task, pure=False) for task in tasks]
        index = {future.key: task.index for future, task in zip(futures, tasks, strict=True)}
        results: dict[int, Outcome] = {}
        try:
            for future in as_completed(futures, loop=self.client.loop):
                try:
                    outcome = future.result()
                except Exception as exc:  # KilledWorker after the scheduler's retries; a worker that
                    # cannot unpickle the task (docexchange missing there) …
                    if type(exc).__name__ == "KilledWorker":  # its text names worker addresses
                        reason = f"{WORKER_DIED}: the worker processes running it died (KilledWorker)"
                    else:
                        reason = f"{TASK_FAILED}: {type(exc).__name__}: {exc}"
                    outcome = Outcome(index[future.key], None, reason)
                results[outcome.index] = outcome
                done(outcome)
        except BaseException:  # Dask cannot stop a task already running: it ends on its worker, unread
            self.client.cancel(futures, force=True)
            raise
        return [results[t.index] for t in tasks]

    def close(self) -> None:
        self.client.close()
