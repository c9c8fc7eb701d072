"""A batch: scenario variants ("cells") × replications, checked before any work, run on an executor.

Every cell runs the same replication seeds, so cells differ by their settings alone (common random
numbers: the per-agency, per-day draws line up across cells and across compared scenarios).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from docexchange.batch.executors import Executor
from docexchange.batch.simulate import prepare
from docexchange.batch.sources import ScenarioFiles, Setting
from docexchange.batch.summary import Replicate
from docexchange.batch.tasks import Outcome, RunOptions, Task
from docexchange.errors import DocexchangeError


@dataclass(frozen=True)
class Variant:
    """One cell of a batch: the scenario with some key paths set (none for a plain run)."""

    files: ScenarioFiles
    settings: tuple[Setting, ...] = ()
    labels: tuple[str, ...] = ()
    """How each setting's value was written (a sweep's row labels)."""


def check(variant: Variant, options: RunOptions) -> None:
    """Load the variant and prepare its run as a worker would, without running it: every refusal
    (a bad value, an engine the scenario cannot use, dates outside it) comes here, before any work.
    A variant's refusal names its settings (check the scenario alone first, so that a refusal of
    the options is not blamed on them)."""
    if not variant.settings:
        _prepared(variant, options)
        return
    try:
        _prepared(variant, options)
    except DocexchangeError as exc:
        if len(variant.labels) == len(variant.settings):  # a sweep cell: each key path and its value
            given = ", ".join(
                f"{p.text}={label}" for (p, _), label in zip(variant.settings, variant.labels, strict=True)
            )
        else:  # a move of several points (sensitivity): its own label
            given = ", ".join(variant.labels) or "the varied values"
        raise DocexchangeError(exc.code, f"with {given}: {exc.message}") from None


def _prepared(variant: Variant, options: RunOptions) -> None:
    with tempfile.TemporaryDirectory(prefix="docexchange-check-") as scratch:
        folder = Path(scratch)
        scenario, calendar = variant.files.load(folder / "scenario")
        if options.transport is not None:
            scenario = replace(scenario, transport=options.transport)
        prepare(scenario, folder / "work", options.span, engine=options.engine, calendar=calendar)


def tasks_of(variants: Sequence[Variant], seeds: Sequence[int], options: RunOptions) -> list[Task]:
    """Cell by cell, replication by replication: the order results are reported in."""
    tasks: list[Task] = []
    for cell, variant in enumerate(variants):
        for replication, seed in enumerate(seeds):
            tasks.append(Task(len(tasks), cell, replication, seed, variant.files, options))
    return tasks


def run_batch(
    variants: Sequence[Variant],
    seeds: Sequence[int],
    options: RunOptions,
    executor: Executor,
    done: Callable[[Outcome], None],
) -> list[list[Replicate]]:
    """Each cell's replications, in order, whatever order the executor finished them in."""
    tasks = tasks_of(variants, seeds, options)
    outcomes = executor.run(tasks, done)
    cells: list[list[Replicate]] = [[] for _ in variants]
    for task, outcome in zip(tasks, outcomes, strict=True):
        cells[task.cell].append(Replicate.of(task.replication, task.seed, outcome))
    return cells
