"""The errata of the complexity table, exercised (see ``proofs/errata.md``)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Piecewise,
    Regression,
    Table,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
)
from gamexplain.complexity import explain_plan


def threshold_sum(name: str, weights: list[int], bits: int) -> Feature:
    """The paper's encoding: Σ_j a_j·1[x ≥ 2^j] on the integers 0..2^bits − 1."""
    cuts = [0, *[2**j for j in range(bits)]]
    if cuts[-1] < 2**bits - 1:
        cuts.append(2**bits - 1)
    levels = [[float(sum(weights[:k]))] for k in range(len(cuts) - 1)]
    return Feature(name, Integers(0, 2**bits - 1), Piecewise(cuts, levels))


def test_threshold_test_is_not_a_bit_test() -> None:
    mismatches = [(x, j) for x in range(16) for j in range(4) if int(x >= 2**j) != (x >> j) & 1]
    assert (2, 0) in mismatches  # 2 = 0b10: 2 ≥ 2^0 holds, bit 0 is 0
    # a threshold test is monotone in x, so it cannot pick out bit patterns
    assert all(int(x >= 2**j) <= int(x + 1 >= 2**j) for x in range(15) for j in range(4))


@given(
    weights=st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=2, max_size=3),
    threshold=st.integers(-4, 4),
    positive=st.sampled_from([">=", ">"]),
    data=st.data(),
)
def test_ebm_reduction_model_is_easy(
    weights: list[list[int]], threshold: int, positive: Any, data: st.DataObject
) -> None:
    features = [threshold_sum(f"x{i}", w, 3) for i, w in enumerate(weights)]
    gam = GAM(features, task=Classification(threshold=float(threshold), positive=positive))
    x = [data.draw(st.integers(0, 7)) for _ in features]
    for query in (minimum_sufficient_reason, minimum_contrastive_reason):
        greedy = query(gam, x, method="greedy")
        brute = query(gam, x, method="brute")
        assert greedy.size == brute.size
        assert greedy.verify(gam)


def test_ebm_reduction_on_wide_domains_runs_greedy() -> None:
    features = [threshold_sum(f"x{i}", [1, -2, 3] * 13 + [1], 40) for i in range(6)]
    gam = GAM(features, task=Classification(threshold=3.0))
    plan = explain_plan(gam, "msr")
    assert plan.algorithm == "greedy" and plan.cell.erratum
    assert any(name == "brute" for name, _ in plan.skipped) or "brute" not in str(plan)
    x = [2**39 + 5, 3, 2**20, 0, 7, 2**40 - 1]
    msr = minimum_sufficient_reason(gam, x)
    mcr = minimum_contrastive_reason(gam, x)
    assert msr.algorithm == "greedy" and msr.verify(gam)
    assert mcr.verify(gam)


def _partition_model(numbers: list[int]) -> GAM:
    """The reduction of proofs/errata.md, thm:msr-regression-np."""
    k, total = len(numbers) // 2, sum(numbers)
    shifted = [w + total for w in numbers]
    big = sum(shifted) / k
    features = [
        Feature(f"w{i}", Finite(["down", "zero", "up"]), Table([-(big - w), 0.0, float(w)]))
        for i, w in enumerate(shifted)
    ]
    return GAM(features, task=Regression(tolerance=sum(shifted) / 2))


def test_msr_regression_is_balanced_partition() -> None:
    yes = _partition_model([1, 2, 3, 4])  # {1, 4} and {2, 3}
    no = _partition_model([1, 1, 1, 5])  # no two of them sum to 4
    x = ["zero"] * 4
    for gam, size in ((yes, 2), (no, 3)):
        exact = minimum_sufficient_reason(gam, x)
        assert exact.algorithm == "pareto" and exact.size == size and exact.verify(gam)
        assert minimum_sufficient_reason(gam, x, method="brute").size == size
    assert explain_plan(yes, "msr").cell.established == "NP-complete"
