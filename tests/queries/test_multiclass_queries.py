"""Every multiclass query against brute force over completions, ties included."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams

import gamexplain as gx
from gamexplain.model.domains import Finite, Integers

EXACT_KINDS = st.one_of(
    multiclass_gams(domain_kinds=("finite", "integers"), pairs=True),
    multiclass_gams(domain_kinds=("interval",), components=("ebm",), pairs=True),
)


def points(gam: Any, i: int) -> list[Any]:
    """Every value feature i can take that matters: its domain when it is finite or a
    small integer range; for a step function on an interval, the ends, every breakpoint
    and pair edge inside, and the midpoints between them."""
    feature = gam.features[i]
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {low, high, *(Fraction(b) for b in feature.shape.breakpoints)}
    for pair in gam.pairs:
        for axis, j in enumerate(pair.features):
            if j == i and pair.edges[axis] is not None:
                cuts |= {Fraction(e) for e in pair.edges[axis]}
    inside = sorted(c for c in cuts if low <= c <= high)
    return inside + [(a + b) / 2 for a, b in itertools.pairwise(inside)]


def completions(gam: Any, x: tuple[Any, ...], kept: frozenset[int]) -> Any:
    axes = [[x[i]] if i in kept else points(gam, i) for i in range(gam.n_features)]
    return itertools.product(*axes)


def sufficient(gam: Any, x: tuple[Any, ...], kept: frozenset[int]) -> bool:
    p = gam.predict_index(x)
    return all(gam.predict_index(z) == p for z in completions(gam, x, kept))


def subsets(n: int) -> Any:
    return (frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k))


@settings(max_examples=25)
@given(st.data())
def test_sufficiency_matches_brute_force(data: st.DataObject) -> None:
    gam = data.draw(EXACT_KINDS)
    x = data.draw(instances(gam.scores[0]))
    S = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    result = gx.is_sufficient_reason(gam, x, S)
    assert bool(result) == sufficient(gam, x, frozenset(S))
    assert result.prediction == gam.predict_exact(x) and result.verify(gam)


@settings(max_examples=25)
@given(st.data())
def test_minimum_and_minimal_sufficient_reasons_match_brute_force(data: st.DataObject) -> None:
    gam = data.draw(EXACT_KINDS)
    x = data.draw(instances(gam.scores[0]))
    best = min(len(S) for S in subsets(gam.n_features) if sufficient(gam, x, S))
    minimum = gx.minimum_sufficient_reason(gam, x)
    assert minimum.size == best and minimum.verify(gam)
    minimal = gx.minimal_sufficient_reason(gam, x)
    kept = frozenset(gam.index(n) for n in minimal.features)
    assert sufficient(gam, x, kept) and minimal.verify(gam)
    assert all(not sufficient(gam, x, kept - {j}) for j in kept)


@settings(max_examples=25)
@given(st.data())
def test_minimum_contrastive_reason_matches_brute_force(data: st.DataObject) -> None:
    gam = data.draw(EXACT_KINDS)
    x = data.draw(instances(gam.scores[0]))
    everything = frozenset(range(gam.n_features))
    sizes = [len(C) for C in subsets(gam.n_features) if not sufficient(gam, x, everything - C)]
    result = gx.minimum_contrastive_reason(gam, x)
    assert result.size == (min(sizes) if sizes else None) and result.verify(gam)
    if result.exists:
        assert gam.predict_exact(result.witness) != result.prediction


@settings(max_examples=20)
@given(st.data())
def test_score_attributions_are_one_efficient_vector_per_class(data: st.DataObject) -> None:
    gam = data.draw(multiclass_gams(pairs=True, with_distribution=None))
    x = data.draw(instances(gam.scores[0]))
    for ask in (gx.shap_values, gx.banzhaf_values):
        result = ask(gam, x)
        assert np.asarray(result.values).shape == (gam.n_features, gam.n_classes)
        assert result.verify(gam)
    shap = gx.shap_values(gam, x)
    for c, model in enumerate(gam.scores):
        alone = gx.shap_values(model, x)
        assert np.array_equal(np.asarray(shap.values)[:, c], alone.values)
        # Shapley efficiency: base value plus the attributions is the class's score
        total = alone.exact_base_value + sum(alone.exact_values)
        assert total == Fraction(model.score_exact(x))


def test_forged_multiclass_results_fail_verify() -> None:
    gam = gx.loads(MODEL)
    x = ("y", 0.5)
    result = gx.minimum_sufficient_reason(gam, x)
    assert result.verify(gam)
    import dataclasses

    fewer = dataclasses.replace(result, features=result.features[:-1], values=result.values[:-1])
    assert not fewer.verify(gam)
    other = dataclasses.replace(result, prediction="A" if result.prediction != "A" else "B")
    assert not other.verify(gam)
    contrastive = gx.minimum_contrastive_reason(gam, x)
    assert contrastive.verify(gam)
    moved = dataclasses.replace(contrastive, witness=x)
    assert not moved.verify(gam)
    check = gx.is_sufficient_reason(gam, x, [])
    assert check.verify(gam) and not dataclasses.replace(check, holds=not check.holds).verify(gam)


def test_queries_outside_the_multiclass_cells_are_refused_clearly() -> None:
    gam = gx.loads(MODEL)
    with pytest.raises(gx.UnsupportedQueryError):
        gx.completion_fraction(gam, ("y", 0.5), [], method="rival-vectors")
    with pytest.raises(gx.UnsupportedQueryError, match="income"):  # a linear piece
        gx.shap_values(gam, ("y", 0.5), output="label", method="rival-vectors")
    # the grid brackets the linear piece cell by cell instead
    label = gx.shap_values(gam, ("y", 0.5), output="label")
    assert label.algorithm == "rival-grid" and not label.exact and label.verify(gam)
    with pytest.raises(gx.UnsupportedQueryError, match="income"):  # a linear piece
        gx.is_redundant(gam, "grade", method="class-pairs")
    # a linear piece: redundancy exact since thm:multiclass-fr-lines
    exact = gx.is_redundant(gam, "grade")
    assert exact.algorithm == "class-pair-lines" and exact.exact and exact.verify(gam)
    # a linear piece: answered exactly since thm:mcr-nearest-curved (a one-feature reason)
    near = gx.minimum_contrastive_reason(gam, ("y", 0.5), witness="nearest")
    assert near.features == ("income",) and near.distance == Fraction(1, 4)
    assert near.witness_kind == "nearest" and near.verify(gam)
    import dataclasses

    assert not dataclasses.replace(near, distance=Fraction(1, 5)).verify(gam)
    with pytest.raises(gx.UnsupportedQueryError, match="cannot answer"):
        gx.minimum_sufficient_reason(gam, ("y", 0.5), method="greedy")


MODEL = """{"format": "gamexplain/1",
 "task": {"kind": "multiclass", "classes": ["A", "B", "C"]},
 "intercept": [0.0, 0.5, -0.5],
 "features": [
  {"name": "grade", "domain": {"kind": "finite", "values": ["x", "y"]},
   "shape": {"kind": "table", "values": [[1.0, 0.0, -1.0], [0.0, 2.0, 0.5]]}},
  {"name": "income", "domain": {"kind": "interval", "low": 0, "high": 2},
   "shape": {"kind": "piecewise", "breakpoints": [0, 1, 2],
             "coefficients": [[[0.0, 1.0], [0.5], [0.0]], [[1.0], [0.0], [3.0]]]}}]}"""
