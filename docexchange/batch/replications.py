"""Replications of a scenario: their seeds, and the spread of a measure over them (issue 14).

A verdict from one seed can flip with the seed; replications give the spread. Their seeds derive
from the scenario's own: replication 0 *is* the scenario's seed (so one replication is the run a
user already knows), and replication k ≥ 1 takes the top 63 bits of the first 64-bit word of the
(k−1)-th child of numpy's ``SeedSequence(seed)`` — independent streams by construction, a prefix of
the same list whatever the number of replications asked for (the first five of twenty are the
five), and each a valid scenario seed (below 2**63), so ``--seed S`` re-runs replication k alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEED_DERIVATION = (
    "replication 0: the scenario's seed; replication k >= 1: the first 64-bit word of child k-1 of "
    "numpy.random.SeedSequence(seed mod 2**64).spawn(...), shifted right by one bit (a seed below 2**63)"
)
"""How the seeds are derived, as a report states it."""

INTERVAL = 0.90
INTERVAL_METHOD = (
    "the 5th and 95th percentiles of the replications' values (linear interpolation between "
    "order statistics, numpy's default): where 90 % of replications fall — the spread of the outcome, "
    "not a confidence interval for the mean"
)
"""What a replication interval is, as a report states it."""

MEAN_INTERVAL_METHOD = "the mean ± t(0.95, n−1) × sd / √n (Student's t, two-sided 90 %)"
"""The confidence interval for a mean (a comparison's paired difference), as outputs state it."""

_T95 = (6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771,
        1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706,
        1.703, 1.701, 1.699, 1.697)  # fmt: skip
"""Student's t 95th percentiles for 1–30 degrees of freedom (published tables, 3 decimals)."""


def t95(df: int) -> float:
    """Student's t 95th percentile for ``df`` degrees of freedom: the table to 30, then the
    Cornish–Fisher expansion around the normal's 1.6449 (within 0.001 beyond 30)."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df <= len(_T95):
        return _T95[df - 1]
    z = 1.6448536269514722
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """The 90 % confidence interval of the values' mean (:data:`MEAN_INTERVAL_METHOD`); None for
    fewer than two values."""
    if len(values) < 2:
        return None
    array = np.asarray(values, dtype=np.float64)
    half = t95(len(array) - 1) * float(array.std(ddof=1)) / math.sqrt(len(array))
    mean = float(array.mean())
    return mean - half, mean + half


def replication_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The seeds of ``count`` replications of a scenario seeded ``seed`` (see the module doc)."""
    if count < 1:
        raise ValueError(f"replications must be 1 or more, got {count}")
    children = np.random.SeedSequence(seed % 2**64).spawn(count - 1)
    derived = [int(child.generate_state(1, dtype=np.uint64)[0]) >> 1 for child in children]
    return (seed, *derived)


@dataclass(frozen=True)
class Spread:
    """A measure over replications: mean, sample standard deviation, the 90 % interval (see
    :data:`INTERVAL_METHOD`) and how many replications met the target."""

    count: int
    mean: float
    sd: float  # 0 for a single replication
    low: float
    high: float
    met: int

    @property
    def met_share(self) -> float:
        return self.met / self.count


def spread(values: Sequence[float], target: float, *, at_least: bool = True) -> Spread:
    """The spread of ``values`` (one per replication) and how many meet ``target`` — a minimum
    (shares), or a maximum when ``at_least`` is False (days)."""
    if not values:
        raise ValueError("no replication to summarise")
    array = np.asarray(values, dtype=np.float64)
    tail = (1 - INTERVAL) / 2 * 100
    low, high = np.percentile(array, [tail, 100 - tail])
    met = array >= target if at_least else array <= target
    return Spread(
        count=len(array),
        mean=float(array.mean()),
        sd=float(array.std(ddof=1)) if len(array) > 1 else 0.0,
        low=float(low),
        high=float(high),
        met=int(met.sum()),
    )


__all__ = [
    "INTERVAL",
    "INTERVAL_METHOD",
    "MEAN_INTERVAL_METHOD",
    "SEED_DERIVATION",
    "Spread",
    "mean_interval",
    "replication_seeds",
    "spread",
    "t95",
]
