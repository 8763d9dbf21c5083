"""The partial-sum dynamic program's building blocks: step envelopes and budgets."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import exact_points, features

from gamexplain import GAM, Classification, Feature, Finite, PairTerm, Table
from gamexplain.algorithms.partial_sums import (
    feature_atoms,
    label_attributions,
    partial_sums_applies,
    partial_sums_completion,
)


@given(
    feature=features(with_distribution=None),
    cells=st.sampled_from([1, 2, 4, 8]),
)  # fmt: skip
def test_envelopes_bracket_the_contribution(feature, cells):
    atoms = feature_atoms(feature, cells)
    assert sum(m for _, m in atoms.low) == atoms.total == sum(m for _, m in atoms.high)
    low_min, high_max = atoms.low[0][0], atoms.high[-1][0]
    points = (
        [Fraction(v) for v in feature.domain.values]
        if isinstance(feature.domain, Finite) and feature.domain.is_numeric
        else exact_points(feature)
        if not isinstance(feature.domain, Finite)
        else []
    )
    if feature.domain.kind == "interval" and feature.domain.low < feature.domain.high:
        # the right end may be a one-point piece: a null set the law rightly ignores
        points = points[:-1]
    for v in points:
        assert low_min <= feature.contribution_exact(v) <= high_max
    # the low law is stochastically below the high law: every tail is smaller
    for level, _ in atoms.low + atoms.high:
        below = sum(m for v, m in atoms.low if v >= level)
        above = sum(m for v, m in atoms.high if v >= level)
        assert below <= above


def test_refined_envelopes_tighten():
    from gamexplain import Interval, Piecewise

    feature = Feature("a", Interval(0, 1), Piecewise([0, 1], [[0.0, 0.0, 0.0, 1.0]]))
    gaps = []
    for cells in (1, 4, 16):
        atoms = feature_atoms(feature, cells)
        gap = (
            sum((h - lo) * m for (lo, m), (h, _) in zip(atoms.low, atoms.high, strict=True))
            / atoms.total
        )
        gaps.append(gap)
    assert gaps[0] > gaps[1] > gaps[2] > 0


def test_pairs_are_refused():
    gam = GAM(
        [
            Feature("a", Finite([0, 1]), Table([0.0, 1.0])),
            Feature("b", Finite([0, 1]), Table([0.0, 1.0])),
        ],
        intercept=0.0,
        task=Classification(0.5),
        pairs=[PairTerm((0, 1), [None, None], [[0.0, 1.0], [1.0, 0.0]])],
    )
    assert "pair terms" in partial_sums_applies(gam, {})


@pytest.mark.parametrize("kind", ["shapley", "banzhaf"])
def test_wide_weights_fall_back_to_bounds_that_tighten(kind):
    weights = [3.0**k + 0.1 for k in range(8)]
    gam = GAM(
        [Feature(f"x{k}", Finite([0, 1]), Table([0.0, w])) for k, w in enumerate(weights)],
        intercept=0.0,
        task=Classification(sum(weights) / 2),
    )
    x = (1, 0) * 4
    exact = label_attributions(gam, x, kind=kind)
    assert exact.exact
    coarse = label_attributions(gam, x, kind=kind, max_states=200)
    finer = label_attributions(gam, x, kind=kind, max_states=2000)
    for bounds in (coarse, finer):
        assert all(
            lo <= v <= hi for lo, v, hi in zip(bounds.lower, exact.lower, bounds.upper, strict=True)
        )
    width = lambda e: sum(h - lo for lo, h in zip(e.lower, e.upper, strict=True))  # noqa: E731
    assert width(finer) <= width(coarse)
    cc = partial_sums_completion(gam, x, frozenset(), max_states=50)
    truth = partial_sums_completion(gam, x, frozenset())
    assert cc.lower[0] <= truth.lower[0] <= cc.upper[0]
