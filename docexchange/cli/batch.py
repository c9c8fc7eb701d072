"""What ``run --replications``, ``sweep``, ``compare`` and ``sensitivity`` share: their options, the
checks made before any work, and running a batch with a progress bar and a clean Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console

from docexchange.batch.executors import DaskCluster, Executor, LocalPool
from docexchange.batch.plan import Variant, check, run_batch
from docexchange.batch.replications import replication_seeds
from docexchange.batch.simulate import RunSpan
from docexchange.batch.summary import Replicate
from docexchange.batch.tasks import Outcome, RunOptions
from docexchange.cli.options import parse_date
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.report import Progress
from docexchange.report.schema import EngineName
from docexchange.sim.scenario import TransportChoice

SEED_LIMIT = 2**63


def add_executor_options(parser: argparse.ArgumentParser, *, replications: int) -> None:
    """``--replications``, and where they run: ``--workers`` or ``--cluster``."""
    parser.add_argument(
        "--replications",
        type=int,
        default=replications,
        metavar="N",
        help=f"runs with seeds derived from the scenario's (replication 0 is its own seed; default {replications})",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: one per core)"
    )
    where.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run the replications on a running Dask scheduler's workers (tcp://HOST:8786); "
        "workers need docexchange installed, nothing else",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options of a batch's runs: seed, span, scale and engine (the plan engine by default)."""
    parser.add_argument("--seed", type=int, help="the first replication's seed (default: the scenario's)")
    parser.add_argument("--from", dest="first_day", metavar="DATE", help="first simulated and measured day")
    parser.add_argument("--until", metavar="DATE", help="last simulated day (YYYY-MM-DD)")
    parser.add_argument(
        "--scale", type=float, default=1.0, metavar="S", help="thin the workload to S of its documents (0–1]"
    )
    add_engine_option(parser, default="plan")


def add_engine_option(parser: argparse.ArgumentParser, *, default: str | None) -> None:
    parser.add_argument(
        "--engine",
        choices=("protocol", "plan"),
        default=default,
        help="protocol (default for one run): real nodes sign, send, verify and answer every message, "
        "needed for faults; plan (default for replications): the same workload, adoption, routing and "
        "delay draws without messages — whole years in seconds, the same shares",
    )
    parser.add_argument(
        "--transport",
        choices=[t.value for t in TransportChoice],
        help="the protocol engine's transport (default: the scenario's; memory: no network, the report "
        "says so)",
    )


def checked_seed(seed: int | None) -> int | None:
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"--seed {seed}: must be 0 or more and below 2**63"
        )
    return seed


def seeds_of(args: argparse.Namespace, scenario_seed: int) -> tuple[int, ...]:
    """The replications' seeds: refused below one replication."""
    if args.replications < 1:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"--replications {args.replications}: must be 1 or more"
        )
    seed = checked_seed(args.seed)
    return replication_seeds(scenario_seed if seed is None else seed, args.replications)


def run_options(args: argparse.Namespace, engine: EngineName | None = None) -> RunOptions:
    transport = TransportChoice(args.transport) if args.transport is not None else None
    chosen: EngineName = engine or args.engine
    if transport is not None and chosen == "plan":
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            "--transport: the plan engine sends no message; use --engine protocol",
        )
    span = RunSpan(parse_date(args.first_day, "--from"), parse_date(args.until, "--until"), args.scale)
    return RunOptions(chosen, span, transport)


def executor_of(args: argparse.Namespace) -> Executor:
    """Where the tasks run; an unreachable cluster is refused here, before any work."""
    if args.cluster is not None:
        return DaskCluster(args.cluster)
    return LocalPool(args.workers)


@dataclass(frozen=True)
class Batch:
    """A checked batch, ready to run on an executor: its variants, seeds and options."""

    label: str
    variants: Sequence[Variant]
    seeds: tuple[int, ...]
    options: RunOptions

    @classmethod
    def checked(
        cls,
        label: str,
        variants: Sequence[Variant],
        seeds: tuple[int, ...],
        options: RunOptions,
        base: Variant | None = None,
    ) -> Batch:
        """Every variant checked (after ``base``, the scenario unvaried: a refusal of the options
        is then not blamed on a variant's settings)."""
        if base is not None:
            check(base, options)
        for variant in variants:
            check(variant, options)
        return cls(label, variants, seeds, options)

    def run(self, executor: Executor, *, quiet: bool = False) -> list[list[Replicate]]:
        """Every cell's replications; Ctrl-C stops the workers and says how far it got."""
        total = len(self.variants) * len(self.seeds)
        console = Console(stderr=True)
        finished = 0
        print(
            f"Running {total} task{'s' if total > 1 else ''} ({len(self.variants)} × {len(self.seeds)} "
            f"replications) of {self.label}, {self.options.engine} engine, on {executor.description} …",
            file=sys.stderr,
            flush=True,
        )
        with Progress(
            total, f"{self.label}: tasks", console=console, enabled=False if quiet else None
        ) as bar:

            def done(outcome: Outcome) -> None:
                nonlocal finished
                finished += 1
                bar.advance()
                if not bar.enabled and not quiet:  # a log, not a terminal: a line per task
                    what = "failed" if outcome.report is None else "done"
                    print(
                        f"  task {outcome.index + 1} {what} ({finished} of {total})",
                        file=sys.stderr,
                        flush=True,
                    )

            try:
                return run_batch(self.variants, self.seeds, self.options, executor, done)
            except KeyboardInterrupt:
                print(
                    f"docexchange: interrupted after {finished} of {total} tasks; the workers are "
                    "stopped and nothing was written",
                    file=sys.stderr,
                )
                raise
            finally:
                executor.close()


def failures_line(cells: Sequence[Sequence[Replicate]]) -> str | None:
    failed = [r for cell in cells for r in cell if r.report is None]
    if not failed:
        return None
    first = failed[0]
    return (
        f"{len(failed)} replication{'s' if len(failed) > 1 else ''} failed (first: replication "
        f"{first.replication}, seed {first.seed}: {first.failure})"
    )
