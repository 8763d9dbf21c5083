"""The faster re-derivations behind ``verify`` (issue 16, item 3) agree with the plain ones.

``verify`` keeps each feature's mean and each pair's conditional expectations per model,
reads a stored marginal's probabilities from a cumulative table, finds pair bins by
bisection and remembers contributions per feature and value. Each is held here against
the plain computation it replaces, and the per-model memory against models that differ
in one number. The costs themselves are measured in ``benchmarks/bench_verify.py``, not
asserted.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Interval, PairTerm, Piecewise
from gamexplain.certify import attributions, contribution
from gamexplain.certify.attributions import _bin, _measure, _meet, _PairGame, _range_probability
from tests.strategies import gams, instances


def _plain_range_probability(feature: Feature, left: Fraction, right: Fraction) -> Fraction:
    """P(X ∈ [left, right)) on a real interval: every stored piece's share, one by one."""
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    cuts = [Fraction(b) for b in feature.shape.breakpoints]
    weights = [Fraction(w) for w in feature.distribution]
    probs = [w / sum(weights) for w in weights]
    total = Fraction(0)
    for k, p in enumerate(probs):
        part = _meet((cuts[k], cuts[k + 1], k == len(probs) - 1), (low, high, True))
        size = _measure(part[0], part[1], False, part[2])
        if p and size:
            cell = _meet((left, right, False), part)
            total += p * _measure(cell[0], cell[1], False, cell[2]) / size
    return total


@st.composite
def _marginal_features(draw: st.DrawFn) -> Feature:
    cuts = sorted(draw(st.lists(st.integers(-8, 8), min_size=2, max_size=7, unique=True)))
    pieces = len(cuts) - 1
    low = draw(st.integers(cuts[0], cuts[-1] - 1))
    high = draw(st.integers(low + 1, cuts[-1]))
    inside = [k for k in range(pieces) if cuts[k + 1] > low and cuts[k] < high]
    weights = [draw(st.integers(0, 4)) if k in inside else 0 for k in range(pieces)]
    if not sum(weights):
        weights[inside[0]] = 1
    total = sum(weights)
    shape = Piecewise([float(c) for c in cuts], [[float(k)] for k in range(pieces)])
    distribution = tuple(w / total for w in weights)
    return Feature("x", Interval(low, high), shape, 1.0, distribution)


@settings(max_examples=60, deadline=None)
@given(
    _marginal_features(),
    st.fractions(-10, 10, max_denominator=8),
    st.fractions(0, 8, max_denominator=4),
)
def test_cumulative_marginal_equals_the_per_piece_sum(
    feature: Feature, left: Fraction, width: Fraction
) -> None:
    for a, b in ((left, left + width), (left + width, left)):
        expected = _plain_range_probability(feature, a, b) if a <= b else Fraction(0)
        assert _range_probability(feature, a, b, closed=False) == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-20, 20), min_size=2, max_size=8, unique=True),
    st.fractions(-25, 25, max_denominator=4),
)
def test_pair_bin_by_bisection_equals_the_scan(edges: list[int], value: Fraction) -> None:
    cuts = [e / 2 for e in sorted(edges)]
    table = [[0.0] * 2 for _ in range(len(cuts) - 1)]
    pair = PairTerm((0, 1), (cuts, None), table)
    scanned = max([b for b in range(1, len(cuts) - 1) if value >= Fraction(cuts[b])], default=0)
    for form in (value, float(value)):
        if Fraction(form) == value:
            assert _bin(None, pair, 0, form) == scanned


@settings(max_examples=30, deadline=None)
@given(gams(min_features=2, max_features=3, pairs=True, with_distribution=None), st.data())
def test_pair_game_equals_the_plain_double_sums(gam: GAM, data: st.DataObject) -> None:
    for pair in gam.pairs:
        game = _PairGame(gam, pair)
        laws = [attributions._bin_law(gam, pair, axis) for axis in (0, 1)]
        values = [[Fraction(v) for v in row] for row in pair.values]
        rows = range(len(values))
        cols = range(len(values[0]))
        mean = sum((laws[0][r] * laws[1][c] * values[r][c]
                    for r, c in itertools.product(rows, cols)), Fraction(0))  # fmt: skip
        assert game.mean == mean
        for r in rows:
            expected = sum((laws[1][c] * values[r][c] for c in cols), Fraction(0))
            assert game.given_first[r] == expected
        for c in cols:
            expected = sum((laws[0][r] * values[r][c] for r in rows), Fraction(0))
            assert game.given_second[c] == expected
        x = data.draw(instances(gam))
        assert game.shares(x) == _PairGame(gam, pair).shares(x)


@settings(max_examples=30, deadline=None)
@given(gams(min_features=1, max_features=3, with_distribution=None), st.data())
def test_remembered_contribution_equals_a_fresh_one(gam: GAM, data: st.DataObject) -> None:
    x = data.draw(instances(gam))
    for i, value in enumerate(x):
        first = contribution(gam, i, value)
        again = contribution(gam, i, value)
        # a copy of the model (new feature objects) computes afresh
        fresh = contribution(dataclasses.replace(gam), i, value)
        assert first == again == fresh


def _paired_model(entry: float = 1.0, weight: float = 0.25) -> GAM:
    shape = Piecewise([0.0, 1.0, 2.0, 3.0], [[0.5], [-1.0], [2.0]])
    marginal = (weight, 0.5, 0.5 - weight)
    features = [
        Feature("a", Interval(0, 3), shape, 1.0, marginal),
        Feature("b", Interval(0, 3), shape, -1.0, (0.25, 0.25, 0.5)),
    ]
    table = [[0.0, entry], [1.5, -0.5]]
    pairs = [PairTerm((0, 1), ([0.0, 1.5, 3.0], [0.0, 2.0, 3.0]), table)]
    return GAM(features, intercept=0.25, task=Classification(0.0), pairs=pairs)


def test_the_kept_expectations_never_cross_models() -> None:
    """After one model's expectations are kept, a model that differs in one pair entry
    or one marginal weight neither verifies the first one's results nor loses its own."""
    x = (0.5, 2.5)
    first = _paired_model()
    others = [_paired_model(entry=1.25), _paired_model(weight=0.125)]
    kept = gx.shap_values(first, x)
    assert kept.verify(first)
    for other in others:
        assert not kept.verify(other)
        own = gx.shap_values(other, x)
        assert own.verify(other)
        assert not own.verify(first)
        assert not np.array_equal(own.values, kept.values)
        assert kept.verify(first)
    # the same model under another distribution keeps its own means
    uniform = gx.shap_values(first, x, distribution="uniform")
    assert uniform.verify(first) and kept.verify(first)
    assert not np.array_equal(uniform.values, kept.values)


def _exact_batch_decision(result: gx.ShapBatchResult, gam: GAM, values: np.ndarray) -> bool:
    """The plain check: every row's exact values, each entry within 1e-9 relative."""
    means, games, _ = attributions._score_terms(gam, result.certificate.model)
    for row, shown in zip(result.rows, values, strict=True):
        point = tuple(row)
        exact = [Fraction(contribution(gam, i, v)) - means[i] for i, v in enumerate(point)]
        for game in games:
            for me, share in zip(game.pair.features, game.shares(point), strict=True):
                exact[me] += share
        for e, s in zip(exact, shown, strict=True):
            if abs(e - Fraction(float(s))) > Fraction(1e-9) * (1 + abs(e)):
                return False
    return True


@settings(max_examples=25, deadline=None)
@given(
    gams(
        min_features=2,
        max_features=3,
        domain_kinds=("interval", "integers"),
        components=("ebm", "spline"),
        pairs=True,
        with_distribution=None,
    ),
    st.data(),
)
def test_batch_check_in_floats_decides_as_the_exact_one(gam: GAM, data: st.DataObject) -> None:
    rows = np.array([data.draw(instances(gam)) for _ in range(3)], dtype=float)
    result = gx.shap_values(gam, rows)
    assert isinstance(result, gx.ShapBatchResult)
    assert result.verify(gam)
    r = data.draw(st.integers(0, len(rows) - 1))
    i = data.draw(st.integers(0, gam.n_features - 1))
    values = np.array(result.values, dtype=float)
    scale = 1 + abs(values[r, i])
    # moves well inside, near and beyond the tolerance, and onto its very edge
    move = data.draw(st.sampled_from([0.0, 0.5e-9, 0.999999e-9, 1e-9, 1.000001e-9, 3e-9, 1.0]))
    values[r, i] += move * scale * data.draw(st.sampled_from([1, -1]))
    forged = dataclasses.replace(result, values=values)
    assert forged.verify(gam) is _exact_batch_decision(result, gam, values)
