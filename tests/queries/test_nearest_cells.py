"""``witness="nearest"`` for minimum reasons of several features on curved pieces: a
certified bracket [certificate.nearest, distance] of the least distance of a flipping point
(gamexplain.algorithms.nearest_cells), held against a brute force over an exact grid of
every pair of features, and forged certificates that verify must reject."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
import sympy
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from strategies import features, instances

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Integers, Interval, Piecewise, Regression
from gamexplain.certify.nearest import NEAREST_BRACKETED
from gamexplain.certify.nearest_cells import _sign, _within
from gamexplain.model.distance import feature_distance
from gamexplain.substrate.primitives import contribution_max

GRID = 6  # grid points per unit of a range domain


def _grid(gam: GAM, x: tuple[Any, ...], i: int) -> list[Any]:
    domain = gam.features[i].domain
    if domain.kind == "finite":
        return [v for v in domain.values if v != x[i]]
    if domain.kind == "integers":
        return [n for n in range(int(domain.low), int(domain.high) + 1) if n != x[i]]
    low, high = Fraction(domain.low), Fraction(domain.high)
    steps = max(int((high - low) * GRID), 1)
    return [
        low + (high - low) * j / steps
        for j in range(steps + 1)
        if low + (high - low) * j / steps != x[i]
    ]


def _flips(gam: GAM, x: tuple[Any, ...], point: tuple[Any, ...]) -> bool:
    before, after = gam.predict_exact(x), gam.predict_exact(point)
    if gam.task.kind == "classification":
        return bool(before != after)
    return bool(abs(Fraction(after) - Fraction(before)) > Fraction(gam.task.tolerance))


def _grid_flips(gam: GAM, x: tuple[Any, ...], k: int) -> list[Fraction]:
    """The distance of every flipping grid point that changes k features."""
    out = []
    for chosen in itertools.combinations(range(gam.n_features), k):
        for values in itertools.product(*(_grid(gam, x, i) for i in chosen)):
            point = list(x)
            for i, v in zip(chosen, values, strict=True):
                point[i] = v
            if _flips(gam, x, tuple(point)):
                parts = zip(gam.features, point, x, strict=True)
                out.append(
                    sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
                )
    return out


@st.composite
def needs_two(draw: st.DrawFn) -> tuple[GAM, tuple[Any, ...]]:
    """A classifier and an instance of class 0 that no one-feature change flips but some
    change of two features does: the threshold sits between the largest rise of one
    feature's contribution and the sum of the two largest."""
    kinds = ("interval", "interval", "integers", "finite")
    components = ("spline", "spline", "nam")
    n = draw(st.integers(2, 3))
    feats = [draw(features(name=f"f{j}", domain_kind=draw(st.sampled_from(kinds[:3])),
                           component=draw(st.sampled_from(components)),
                           with_distribution=False)) for j in range(n)]  # fmt: skip
    if draw(st.booleans()):
        feats.append(draw(features(name="g", domain_kind=draw(st.sampled_from(kinds)))))
    probe = GAM(feats, intercept=0.0, task=Classification(threshold=0.0))
    x = draw(instances(probe))
    here = [float(f.contribution_exact(v)) for f, v in zip(probe.features, x, strict=True)]
    tops = [float(contribution_max(f).value) for f in probe.features]
    rises = sorted(t - h for t, h in zip(tops, here, strict=True))
    assume(rises[-2] > 0.05)
    share = draw(st.sampled_from([0.25, 0.5, 0.75, 0.9]))
    threshold = sum(here) + rises[-1] + share * rises[-2]
    gam = GAM(feats, intercept=0.0, task=Classification(threshold=threshold))
    return gam, x


@settings(max_examples=20, deadline=None)
@given(needs_two())
def test_cell_brackets_hold_the_grid_optimum(case: tuple[GAM, tuple[Any, ...]]) -> None:
    gam, x = case
    extreme = gx.minimum_contrastive_reason(gam, x)
    assume(extreme.size == 2)  # the grid of three features would be slow
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest", time_limit=0.5)
    assert result.size == extreme.size and result.verify(gam)
    if result.witness_kind != "nearest" or result.certificate.nearest_exact is None:
        return  # the extreme witness (the deadline passed first) or no curved piece is free
    event("bracketed" if not result.exact else "closed")
    low, high = result.certificate.nearest, result.distance
    assert low is not None and high is not None and low <= high
    assert result.exact == (low == high) == result.certificate.nearest_exact
    assert result.message == ("" if result.exact else NEAREST_BRACKETED)
    # no flipping grid point is nearer than the certified lower bound
    grid = _grid_flips(gam, x, result.size)
    assert all(low <= d for d in grid)
    if result.exact:
        assert all(high <= d for d in grid)


def test_a_quadratic_pair_brackets_its_box_corner() -> None:
    # a² + b² ≥ 1.25 on [0, 1]²: each alone reaches 1, so both change; on the circle
    # a + b is least where it meets the box, at (1, 0.5): the infimum is 1.5
    gam = GAM(
        [Feature(n, Interval(0, 1), Piecewise([0, 1], [[0.0, 0.0, 1.0]])) for n in "ab"],
        intercept=-1.25,
        task=Classification(threshold=0.0),
    )
    result = gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest", time_limit=5)
    assert result.size == 2 and result.verify(gam)
    low, high = result.certificate.nearest, result.distance
    assert low <= Fraction(3, 2) <= high
    assert high - low <= Fraction(1, 100)


def test_integer_features_close_the_bracket_exactly() -> None:
    gam = GAM(
        [
            Feature("n", Integers(0, 10), Piecewise([0, 10], [[0.0, 0.0, 0.05]])),
            Feature("m", Integers(0, 10), Piecewise([0, 10], [[0.0, 0.0, 0.05]])),
        ],
        intercept=-6.0,
        task=Classification(threshold=0.0),
    )
    # 0.05·(n² + m²) ≥ 6: n² + m² ≥ 120, each alone at most 100; the least n + m is
    # 15 (10 and 5: 125), attained: 15/10
    result = gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest")
    assert result.size == 2 and result.verify(gam)
    assert result.exact is True and result.certificate.nearest_exact is True
    assert result.distance == result.certificate.nearest == Fraction(3, 2)
    assert "bracketed" not in str(result)


def _bracketed() -> tuple[GAM, Any]:
    gam = GAM(
        [
            Feature("a", Interval(0, 2), Piecewise([0, 2], [[0.0, 0.0, 1.0]])),
            Feature("b", Interval(0, 2), Piecewise([0, 2], [[0.0, 0.0, 0.0, 0.5]])),
        ],
        intercept=-5.0,
        task=Regression(tolerance=4.5),
    )
    return gam, gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest", time_limit=5)


def _forge(result: Any, **changes: Any) -> Any:
    return dataclasses.replace(
        result, certificate=dataclasses.replace(result.certificate, **changes)
    )


def test_forged_cell_brackets_fail_verify() -> None:
    gam, result = _bracketed()
    assert result.size == 2 and result.verify(gam)
    cert = result.certificate
    assert cert.nearest_cells and cert.nearest < result.distance and not result.exact
    name, cells = cert.nearest_cells[0]
    # the bracket claimed closed, the result exact, or the message dropped
    assert not _forge(result, nearest_exact=True).verify(gam)
    assert not dataclasses.replace(result, exact=True, message="").verify(gam)
    assert not dataclasses.replace(result, message="").verify(gam)
    # the lower bound raised to the witness's distance (shrinking the bracket)
    assert not _forge(result, nearest=result.distance, nearest_exact=True).verify(gam)
    assert not _forge(result, nearest=result.distance).verify(gam)
    # a cell's bound lowered below the contribution, a cell dropped, a feature dropped
    low, high, bottom, _ = cells[-1]
    lowered = (*cells[:-1], (low, high, bottom, bottom))
    assert not _forge(result, nearest_cells=((name, lowered), *cert.nearest_cells[1:])).verify(gam)
    assert not _forge(result, nearest_cells=((name, cells[:-1]), *cert.nearest_cells[1:])).verify(
        gam
    )
    assert not _forge(result, nearest_cells=cert.nearest_cells[1:]).verify(gam)
    # the witness moved: to a point that does not flip, or farther than shown
    moved = (Fraction(1, 2), result.witness[1])
    assert not dataclasses.replace(result, witness=moved).verify(gam)


def test_cells_on_a_one_feature_or_extreme_result_fail_verify() -> None:
    gam, result = _bracketed()
    cells = result.certificate.nearest_cells
    extreme = gx.minimum_contrastive_reason(gam, (0, 0))
    assert extreme.verify(gam)
    assert not _forge(extreme, nearest_cells=cells).verify(gam)


@pytest.mark.parametrize("limit", [0.001, 0.05, 0.3])
def test_a_short_time_limit_gives_a_verified_answer(limit: float) -> None:
    gam, _ = _bracketed()
    result = gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest", time_limit=limit)
    assert result.verify(gam)
    if result.witness_kind == "nearest":
        assert result.certificate.nearest <= result.distance


small = st.fractions(min_value=-4, max_value=4, max_denominator=8)


@settings(max_examples=60, deadline=None)
@given(small, small, st.fractions(min_value=0, max_value=9, max_denominator=4))
def test_surd_signs_match_sympy(alpha: Fraction, beta: Fraction, disc: Fraction) -> None:
    value = sympy.Rational(alpha.numerator, alpha.denominator) + sympy.Rational(
        beta.numerator, beta.denominator
    ) * sympy.sqrt(sympy.Rational(disc.numerator, disc.denominator))
    assert _sign((alpha, beta, disc)) == int(sympy.sign(sympy.nsimplify(value)))


@settings(max_examples=40, deadline=None)
@given(st.lists(small, min_size=1, max_size=4), small, small, st.booleans())
def test_cell_bound_checks_match_the_exact_range(
    coefficients: list[Fraction], a: Fraction, b: Fraction, above: bool
) -> None:
    lo, hi = min(a, b), max(a, b)
    v = sympy.Symbol("v", real=True)
    poly = sum((sympy.Rational(c.numerator, c.denominator) * v**r
                for r, c in enumerate(coefficients)), sympy.Integer(0))  # fmt: skip
    points = [sympy.Rational(lo.numerator, lo.denominator),
              sympy.Rational(hi.numerator, hi.denominator)]  # fmt: skip
    points += [r for r in sympy.real_roots(sympy.Poly(sympy.diff(poly, v), v))
               if points[0] < r < points[1]] if sympy.diff(poly, v) != 0 else []  # fmt: skip
    values = [poly.subs(v, p) for p in points]
    top, bottom = sympy.Max(*values), sympy.Min(*values)
    # bounds a hair inside the true range must fail; rational bounds outside it must hold
    outside_top = Fraction(str(sympy.ceiling(top * 64))) / 64
    outside_bottom = Fraction(str(sympy.floor(bottom * 64))) / 64
    assert _within([Fraction(0), *coefficients], lo, hi, outside_bottom, outside_top)
    if lo < hi:
        hair = Fraction(1, 10**6)
        if above:
            inside = Fraction(str(sympy.floor(top * 10**7))) / 10**7 - hair
            assert not _within([Fraction(0), *coefficients], lo, hi, outside_bottom, inside)
        else:
            inside = Fraction(str(sympy.ceiling(bottom * 10**7))) / 10**7 + hair
            assert not _within([Fraction(0), *coefficients], lo, hi, inside, outside_top)


def test_a_multiclass_nearest_is_only_as_exact_as_its_rivals() -> None:
    # class 1 needs a² + b³/2 above 4.5 + class 0's 0: two curved features, a bracket
    curved = [
        Feature("a", Interval(0, 2), Piecewise([0, 2], [[0.0, 0.0, 1.0]])),
        Feature("b", Interval(0, 2), Piecewise([0, 2], [[0.0, 0.0, 0.0, 0.5]])),
    ]
    flat = [Feature(f.name, f.domain, Piecewise([0, 2], [[0.0]])) for f in curved]
    model = gx.MulticlassGAM(
        gx.Multiclass(["no", "yes"]),
        [GAM(flat, 0.0, Regression()), GAM(curved, -4.5, Regression())],
    )
    result = gx.minimum_contrastive_reason(model, (0, 0), witness="nearest", time_limit=5)
    assert result.size == 2 and result.witness_kind == "nearest" and result.verify(model)
    assert result.exact is False and result.message == NEAREST_BRACKETED
    assert not dataclasses.replace(result, exact=True, message="").verify(model)
    assert not dataclasses.replace(result, exact=True).verify(model)
