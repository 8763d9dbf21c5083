"""The per-feature primitive equals brute force on every domain kind and shape kind."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import exact_points, features

from gamexplain import Feature, Finite, Integers, Interval, Piecewise, Table
from gamexplain.algorithms.brute import domain_points
from gamexplain.exact import compare, to_sympy
from gamexplain.substrate.pieces import Segment, lower
from gamexplain.substrate.primitives import (
    contribution_max,
    contribution_mean,
    contribution_min,
    level_set_measure,
)

levels = st.integers(-12, 12).map(lambda n: Fraction(n, 2))


def _enumerable_values(feature: Feature) -> list:
    return [feature.contribution_exact(v) for v in domain_points(feature)]


@given(features(domain_kind="finite"), levels)
def test_finite_primitives_equal_enumeration(feature, level):
    values = _enumerable_values(feature)
    assert contribution_min(feature).value == min(values)
    assert contribution_max(feature).value == max(values)
    assert level_set_measure(feature, level) == sum(v >= level for v in values)
    assert level_set_measure(feature, level, strict=True) == sum(v > level for v in values)
    probs = feature.distribution or tuple(1 / len(values) for _ in values)
    weights = [Fraction(p) / sum(Fraction(q) for q in probs) for p in probs]
    assert contribution_mean(feature) == sum(w * v for w, v in zip(weights, values, strict=True))


@given(features(domain_kind="integers"), levels)
def test_integer_primitives_equal_enumeration(feature, level):
    values = _enumerable_values(feature)
    low, high = contribution_min(feature), contribution_max(feature)
    assert low.value == min(values) and low.attained
    assert feature.contribution_exact(low.argument) == low.value
    assert high.value == max(values) and high.attained
    assert level_set_measure(feature, level) == sum(v >= level for v in values)
    assert level_set_measure(feature, level, strict=True) == sum(v > level for v in values)
    if feature.distribution is None:
        assert contribution_mean(feature) == sum(values) / len(values)


@given(features(domain_kind="integers", large_integers=True, with_distribution=False))
def test_huge_integer_ranges_are_never_enumerated(feature):
    # a 2^40-wide range: only per-piece reasoning can finish; check against the pieces'
    # own candidate integers, which brute force over the pieces' ends can reach
    low, high = contribution_min(feature), contribution_max(feature)
    assert compare(low.value, high.value) <= 0
    assert feature.contribution_exact(low.argument) == low.value
    assert feature.contribution_exact(high.argument) == high.value
    for segment in lower(feature):
        assert isinstance(segment, Segment)
        for v in (segment.low, segment.high):
            value = feature.contribution_exact(v)
            assert compare(low.value, value) <= 0 <= compare(high.value, value)
    total = level_set_measure(feature, low.value)
    assert total == feature.domain.size


def _interval_reference(feature: Feature) -> list[tuple[Fraction, object]]:
    """A dense rational grid plus every breakpoint and exact critical point."""
    points = exact_points(feature)
    shape = feature.shape
    if isinstance(shape, Piecewise):
        x = sympy.Symbol("x", real=True)
        low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
        for k, poly in enumerate(shape.coefficients):
            anchor = Fraction(shape.breakpoints[k])
            points += [Fraction(shape.breakpoints[k])]
            expr = sum(
                to_sympy(Fraction(c)) * (x - to_sympy(anchor)) ** r for r, c in enumerate(poly)
            )
            for root in sympy.solve(sympy.diff(expr, x), x):
                if root.is_real:
                    points.append(root)
        points = [p for p in points if compare(p, low) >= 0 and compare(p, high) <= 0]
    return [(p, feature.contribution_exact(p)) for p in points]


@given(features(domain_kind="interval", component="spline", with_distribution=False))
@example(Feature("x", Interval(0, 3), Piecewise([0, 3], [[0.0, 1.0, -3.0, 1.0]])))
def test_interval_extremes_bound_and_attain(feature):
    reference = _interval_reference(feature)
    low, high = contribution_min(feature), contribution_max(feature)
    for _, value in reference:
        assert compare(low.value, value) <= 0 <= compare(high.value, value)
    for extremum in (low, high):
        if extremum.attained:
            assert compare(feature.contribution_exact(extremum.argument), extremum.value) == 0


def test_unattained_supremum_at_a_jump():
    # x on [0, 1), then 0 on [1, 2]: the supremum 1 is approached, never reached
    feature = Feature("x", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0], [0.0]]))
    high = contribution_max(feature)
    assert high.value == 1 and not high.attained and high.argument == 1
    assert contribution_min(feature).attained


@given(features(domain_kind="interval", component="ebm"), levels)
def test_step_functions_on_intervals_measure_exactly(feature, level):
    shape = feature.shape
    lengths = {}
    for segment in lower(feature):
        lengths[segment.piece] = lengths.get(segment.piece, 0) + segment.high - segment.low
    expected = sum(
        (
            length
            for k, length in lengths.items()
            if Fraction(feature.weight) * Fraction(shape.coefficients[k][0]) >= level
        ),
        Fraction(0),
    )
    assert level_set_measure(feature, level) == expected


def test_cubic_level_set_length_is_exact_and_irrational():
    feature = Feature("x", Interval(0, 3), Piecewise([0, 3], [[0.0, 0.0, -3.0, 1.0]]))
    measure = level_set_measure(feature, -1)
    # x^3 - 3x^2 + 1 has roots r1 < 0 < r2 < r3 < 3 and is ≥ 0 on [0, r2] ∪ [r3, 3]
    poly = sympy.Poly([1, -3, 0, 1], sympy.Symbol("x"))
    _, r2, r3 = sorted(float(r) for r in sympy.real_roots(poly))
    assert float(measure) == pytest.approx(r2 + (3 - r3), rel=1e-12)
    assert not isinstance(measure, Fraction)


def test_mean_of_integer_cubic_uses_closed_form_sums():
    feature = Feature("x", Integers(-5, 10**12), Piecewise([-5, 10**12], [[1.0, 2.0, 0.0, 1.0]]))
    n = 10**12 + 6
    expected = (n + 2 * Fraction(n * (n - 1), 2) + Fraction(n * (n - 1), 2) ** 2) / n
    assert contribution_mean(feature) == expected


def test_table_mean_uses_the_feature_distribution():
    feature = Feature("g", Finite(["a", "b"]), Table([1.0, 3.0]), distribution=(0.25, 0.75))
    assert contribution_mean(feature) == Fraction(10, 4)
    assert contribution_mean(feature, (0.5, 0.5)) == 2
