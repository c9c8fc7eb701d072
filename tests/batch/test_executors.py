"""The executors: outcomes in task order, a failed replication recorded with its reason while the
rest go on (also when its worker process dies), refusals of bad executor options."""

from __future__ import annotations

import pytest

from docexchange.batch.executors import WORKER_DIED, DaskCluster, LocalPool
from docexchange.batch.plan import Variant, tasks_of
from docexchange.batch.sources import ScenarioFiles
from docexchange.batch.tasks import Outcome, RunOptions
from docexchange.errors import DocexchangeError
from tests.batch import runners
from tests.batch.scenarios import SMALL


def _tasks(seeds: tuple[int, ...], cells: int = 2) -> list:  # type: ignore[type-arg]
    files = ScenarioFiles.read(SMALL)
    return tasks_of([Variant(files)] * cells, seeds, RunOptions())


@pytest.mark.parametrize("workers", [1, 2])
def test_outcomes_come_in_task_order_and_each_is_reported_once(workers: int) -> None:
    tasks = _tasks((1, 2, 3, 4))
    seen: list[int] = []
    outcomes = LocalPool(workers).run(tasks, lambda o: seen.append(o.index), runners.echo)
    assert [o.index for o in outcomes] == list(range(8))
    assert [o.report for o in outcomes] == [
        f"{c}/{r}/{s}" for c in (0, 1) for r, s in enumerate((1, 2, 3, 4))
    ]
    assert sorted(seen) == list(range(8))  # the progress callback: once per task


def test_a_failed_replication_is_recorded_and_the_rest_go_on() -> None:
    tasks = _tasks((1, runners.FAILING_SEED, 4), cells=1)
    outcomes = LocalPool(2).run(tasks, lambda o: None, runners.failing)
    assert [o.failure for o in outcomes] == [None, "invalid-argument: this seed is refused", None]
    assert [o.report for o in outcomes] == ["0/0/1", None, "0/2/4"]


def test_a_worker_that_dies_fails_its_own_replication_only() -> None:
    # Two workers: when one dies the pool breaks, and whatever ran beside it is re-run alone.
    tasks = _tasks((1, 2, runners.DYING_SEED, 4, 6), cells=1)
    outcomes = LocalPool(2).run(tasks, lambda o: None, runners.dying)
    failed = [o.index for o in outcomes if o.report is None]
    assert failed == [2]
    assert outcomes[2].failure is not None and outcomes[2].failure.startswith(f"{WORKER_DIED}: ")
    assert [o.report for o in outcomes if o.report is not None] == ["0/0/1", "0/1/2", "0/3/4", "0/4/6"]


def test_fewer_than_one_worker_is_refused() -> None:
    with pytest.raises(DocexchangeError, match=r"^invalid-argument: --workers 0: must be 1 or more$"):
        LocalPool(0)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("nonsense", r"^invalid-argument: --cluster nonsense: expected a scheduler address tcp://HOST:PORT$"),
        (
            "tcp://127.0.0.1:9",
            r"^invalid-argument: --cluster tcp://127\.0\.0\.1:9: no Dask scheduler answers there \(.+\)$",
        ),
    ],
)
def test_an_unreachable_cluster_is_refused(address: str, message: str) -> None:
    with pytest.raises(DocexchangeError, match=message):
        DaskCluster(address)


def test_an_outcome_without_a_report_cannot_be_read() -> None:
    with pytest.raises(ValueError, match="task 4 failed: worker-died: gone"):
        _ = Outcome(4, None, "worker-died: gone").parsed
