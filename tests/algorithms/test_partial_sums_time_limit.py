"""The partial-sums FR algorithm honours ``time_limit``: it stops undecided, never wrong."""

from __future__ import annotations

import itertools
import random

import pytest

from gamexplain import is_redundant
from gamexplain.lab.reductions import subset_sum_to_redundancy


def _subset_sum_hits(weights: list[int], target: int) -> bool:
    return any(
        sum(chosen) == target
        for size in range(len(weights) + 1)
        for chosen in itertools.combinations(weights, size)
    )


def test_tiny_time_limit_on_a_large_subset_sum_stops_undecided() -> None:
    rng = random.Random(11)
    weights = [rng.randrange(2**30, 2**31) for _ in range(40)]
    gam, feature = subset_sum_to_redundancy(weights, sum(weights) // 2)
    result = is_redundant(gam, feature, method="partial-sums", time_limit=0.02, max_states=10**7)
    assert result.status == "time_limit" and not result.exact
    # undecided claims nothing, and verify confirms just that
    assert not result.holds and result.certificate is None and result.verify(gam)
    assert "undecided" in str(result) and "ran out of time" in result.message


@pytest.mark.parametrize("time_limit", [1e-5, 1e-3, 1e-2, 30.0])
def test_any_time_limit_gives_the_exact_answer_or_none(time_limit: float) -> None:
    rng = random.Random(5)
    weights = [rng.randrange(1, 2**20) for _ in range(13)]
    target = sum(rng.sample(weights, 6)) + rng.choice([0, 1])
    gam, feature = subset_sum_to_redundancy(weights, target)
    result = is_redundant(gam, feature, method="partial-sums", time_limit=time_limit)
    if result.status == "solved":
        assert result.exact and result.verify(gam)
        assert result.holds == (not _subset_sum_hits(weights, target))
    else:
        assert result.status == "time_limit" and not result.exact and not result.holds
    if time_limit == 30.0:
        assert result.status == "solved"
