"""Replication seeds and the spread over replications, against independent computations."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from docexchange.batch.replications import replication_seeds, spread
from tests.batch.independent import percentile


def test_one_replication_is_the_scenarios_own_run() -> None:
    assert replication_seeds(2008, 1) == (2008,)
    assert replication_seeds(-5, 1) == (-5,)


def test_seeds_are_a_prefix_whatever_the_count_and_all_differ() -> None:
    twenty = replication_seeds(2022, 20)
    assert replication_seeds(2022, 5) == twenty[:5]
    assert len(set(twenty)) == 20 and all(0 <= s < 2**63 for s in twenty[1:])
    # child k-1 of SeedSequence(seed), its first 64 bits, top 63 of them: from numpy's own API
    child = np.random.SeedSequence(2022).spawn(3)[2]
    assert twenty[3] == int(child.generate_state(2, dtype=np.uint32).view(np.uint64)[0]) // 2
    assert replication_seeds(2023, 5) != twenty[:5]  # another scenario seed, other replications


def test_a_negative_seed_derives_from_its_64_bit_form() -> None:
    assert replication_seeds(-1, 3)[1:] == tuple(
        int(c.generate_state(1, dtype=np.uint64)[0]) // 2 for c in np.random.SeedSequence(2**64 - 1).spawn(2)
    )


@pytest.mark.parametrize("count", [0, -3])
def test_fewer_than_one_replication_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match=f"replications must be 1 or more, got {count}"):
        replication_seeds(1, count)


def test_the_spread_is_the_mean_sd_interval_and_verdict_count() -> None:
    values = [0.921, 0.952, 1.0, 0.978, 0.935, 0.944, 0.966, 0.925, 1.0, 0.958]
    result = spread(values, 1.0)
    assert result.count == 10
    assert result.mean == pytest.approx(statistics.mean(values))
    assert result.sd == pytest.approx(statistics.stdev(values))
    assert result.low == pytest.approx(percentile(values, 5))
    assert result.high == pytest.approx(percentile(values, 95))
    assert (result.met, result.met_share) == (2, 0.2)  # "met in 2 of 10"


def test_a_maximum_target_counts_values_at_or_below_it() -> None:
    result = spread([2.1, 2.5, 2.9, 3.4], 2.5, at_least=False)
    assert result.met == 2


def test_one_value_has_no_spread_and_none_is_refused() -> None:
    single = spread([0.4], 0.4)
    assert (single.sd, single.low, single.high, single.met) == (0.0, 0.4, 0.4, 1)
    with pytest.raises(ValueError, match="no replication to summarise"):
        spread([], 0.4)
