"""The reductions behind thm:multiclass-fr and thm:multiclass-mcr-target, run."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain.lab.generators import generate
from gamexplain.lab.reductions import classification_to_multiclass, partition_to_target_class


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 50), n=st.integers(2, 5))
def test_binary_redundancy_instances_keep_their_answer_as_three_classes(seed: int, n: int) -> None:
    binary, _, extra = generate("fr", "finite", "table", "classification", n=n, seed=seed)
    three = classification_to_multiclass(binary)
    assert [three.predict_exact(z) for z in _points(binary)] == [
        "positive" if binary.predict_exact(z) == 1 else "negative" for z in _points(binary)
    ]
    result = gx.is_redundant(three, extra["feature"])
    assert bool(result) == bool(gx.is_redundant(binary, extra["feature"])) and result.verify(three)


def _points(gam: gx.GAM) -> list[tuple[object, ...]]:
    return list(itertools.product(*(f.domain.values for f in gam.features)))


@settings(max_examples=25, deadline=None)
@given(weights=st.lists(st.integers(1, 9), min_size=1, max_size=6))
def test_partition_decides_the_contrastive_reason_toward_the_target(weights: list[int]) -> None:
    if sum(weights) % 2:
        weights = [*weights, 1]
    gam, x = partition_to_target_class(weights)
    half = sum(weights) // 2
    sizes = [len(c) for k in range(len(weights) + 1)
             for c in itertools.combinations(weights, k) if sum(c) == half]  # fmt: skip
    reason = gx.minimum_contrastive_reason(gam, x, target="t")
    assert reason.size == (min(sizes) if sizes else None) and reason.verify(gam)
    assert gam.predict_exact(x) == "e"
