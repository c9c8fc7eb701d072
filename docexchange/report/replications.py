"""The spread of a run's measures over its replications: the ``replications`` part of ``report.json``.

Present only when a run had more than one replication (``run --replications N``), so a single run's
file is as it was. Each target's values are the replications' own ``measured`` (4 decimals, as
their reports give them); the interval is stated in ``interval`` and the seeds' derivation in
``seed_derivation``, so a reader can re-run any replication alone (``--seed``).

JSON shape::

    "replications": {count, completed, shown, seeds: [int], seed_derivation, interval,
                     "targets": [{name, measure, target, replications, mean, sd, low, high, met,
                                  met_share}],
                     "fan": [{key, measure, target, replications, p5, p25, p50, p75, p95}],
                     "failed": [{replication, seed, reason}]}
"""

from __future__ import annotations

from dataclasses import dataclass

from docexchange.report.codec import Record, ReportError, round_value
from docexchange.report.measures import Measure


@dataclass(frozen=True)
class TargetSpread(Record):
    """One target over the replications that measured it: mean, sample sd, the interval (``low``
    to ``high``) and how many met it."""

    DERIVED = ("met_share",)

    name: str
    measure: Measure
    target: float
    replications: int
    mean: float
    sd: float
    low: float
    high: float
    met: int

    def _check(self) -> None:
        if self.replications < 1:
            raise ReportError(f"{self.name}: a spread needs at least one replication")
        if self.met > self.replications:
            raise ReportError(f"{self.name}: met {self.met} of {self.replications} replications")
        if self.low > self.high:
            raise ReportError(f"{self.name}: interval low {self.low} is above high {self.high}")

    @property
    def met_share(self) -> float:
        return round_value(self.met / self.replications)

    @property
    def verdict(self) -> str:
        """``met in 17 of 20``."""
        return f"met in {self.met} of {self.replications}"


@dataclass(frozen=True)
class FanPoint(Record):
    """A quarter's share over the replications: the percentiles a fan chart draws."""

    key: str  # "2008-Q3"
    measure: Measure  # the share drawn: the quarter's target's, else the legal share
    target: float | None
    replications: int
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float

    def _check(self) -> None:
        if not self.p5 <= self.p25 <= self.p50 <= self.p75 <= self.p95:
            raise ReportError(f"fan {self.key}: percentiles out of order")


@dataclass(frozen=True)
class FailedReplication(Record):
    replication: int
    seed: int
    reason: str  # "reason-code: sentence"


@dataclass(frozen=True)
class Replications(Record):
    DERIVED = ("completed",)

    count: int
    shown: int  # the replication whose report this is (0 unless replication 0 failed)
    seeds: tuple[int, ...]
    seed_derivation: str
    interval: str
    targets: tuple[TargetSpread, ...]
    fan: tuple[FanPoint, ...]
    failed: tuple[FailedReplication, ...]

    def _check(self) -> None:
        if not 0 <= self.shown < self.count or self.shown in {f.replication for f in self.failed}:
            raise ReportError(f"replications.shown: {self.shown} is not a replication that ran")
        if len(self.seeds) != self.count:
            raise ReportError(f"replications: {len(self.seeds)} seeds for {self.count} replications")
        indices = [f.replication for f in self.failed]
        if len(set(indices)) != len(indices) or any(i >= self.count for i in indices):
            raise ReportError("replications.failed: a replication is out of range or listed twice")
        for spread in self.targets:
            if spread.replications > self.completed:
                raise ReportError(f"{spread.name}: {spread.replications} replications, {self.completed} ran")

    @property
    def completed(self) -> int:
        return self.count - len(self.failed)
