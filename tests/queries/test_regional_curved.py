"""Population LOCO and L2 importances over curved pieces on real intervals (spline
GAMs, NAM-like piecewise polynomials) against symbolic integration of the definitions,
and their certificates: exact, fast, and refused when tampered with."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import GAM, Feature, PairTerm, Regression, feature_importances
from tests.strategies import gams

X = sympy.Symbol("x", real=True)


def _rat(value: Any) -> sympy.Rational:
    exact = Fraction(value)
    return sympy.Rational(exact.numerator, exact.denominator)


def _pieces(feature: Feature) -> list[tuple[sympy.Rational, sympy.Rational, sympy.Expr]]:
    """(left, right, β·f on [left, right]) over the domain, from the shape's definition:
    piece k is Σ_r c_kr·(x − b_k)^r; the first and last pieces extend beyond the edges."""
    shape, low, high = feature.shape, _rat(feature.domain.low), _rat(feature.domain.high)
    cuts = [_rat(b) for b in shape.breakpoints]
    out = []
    for k, row in enumerate(shape.coefficients):
        left = low if k == 0 else max(cuts[k], low)
        right = high if k == len(shape.coefficients) - 1 else min(cuts[k + 1], high)
        if right > left:
            poly = sum((_rat(c) * (X - cuts[k]) ** r for r, c in enumerate(row)), sympy.Integer(0))
            out.append((left, right, _rat(feature.weight) * poly))
    return out


def _variance(feature: Feature) -> Fraction:
    low, high = _rat(feature.domain.low), _rat(feature.domain.high)
    width = high - low
    if width == 0:  # a point domain: the term is constant
        return Fraction(0)
    mean = sum((sympy.integrate(t, (X, a, b)) for a, b, t in _pieces(feature)), 0) / width
    second = sum((sympy.integrate(t**2, (X, a, b)) for a, b, t in _pieces(feature)), 0) / width
    value = sympy.Rational(second - mean**2)
    return Fraction(int(value.p), int(value.q))


@given(gam=gams(max_features=3, domain_kinds=("interval",), components=("spline", "nam"),
                with_distribution=False))  # fmt: skip
def test_loco_and_l2_of_curved_pieces_are_the_exact_variance(gam: GAM) -> None:
    loco = feature_importances(gam)
    l2 = feature_importances(gam, kind="l2")
    expected = [_variance(f) if type(f.shape).__name__ == "Piecewise" else None
                for f in gam.features]  # fmt: skip
    for j, value in enumerate(expected):
        if value is not None:
            assert loco.exact_importances[j] == value
    assert l2.exact_importances == loco.exact_importances
    assert loco.verify(gam) and l2.verify(gam)


def _curved_ga2m() -> GAM:
    """A cubic and a quadratic on real intervals, with a step pair term between them."""
    f = Feature("s", gx.Interval(0, 3), gx.Piecewise([0, 1, 3], [[0.5, 1.0, -0.25, 0.125],
                                                                  [1.0, -0.5, 0.75]]))  # fmt: skip
    g = Feature("u", gx.Interval(-1, 1), gx.Piecewise([-1, 1], [[0.0, 0.5, 2.0]]))
    pair = PairTerm((0, 1), ([0, 2, 3], [-1, 0.25, 1]), [[1.0, -0.5], [0.25, 2.0]])
    return GAM([f, g], task=Regression(), pairs=[pair])


def _brute_pair_loco(gam: GAM, j: int) -> Fraction:
    """E[(f(X) − E_{X'_j} f(X_{-j}, X'_j))²] by symbolic integration over both features
    (uniform laws), f = a_s(s) + a_u(u) + g(s, u): the definition, integrated cell by
    cell of the grid cut at every piece end and bin edge (f is a polynomial on each)."""
    s, u = sympy.Symbol("s", real=True), sympy.Symbol("u", real=True)
    variables = (s, u)
    pair = gam.pairs[0]
    grids = []
    for axis, feat in enumerate(gam.features):
        cuts = {c for a, b, _ in _pieces(feat) for c in (a, b)}
        cuts |= {_rat(e) for e in pair.edges[axis]}
        grids.append(sorted(cuts))

    def on(axis: int, left: Any) -> sympy.Expr:  # the main term on the part starting at left
        return next(t for a, b, t in _pieces(gam.features[axis]) if a <= left < b).subs(
            X, variables[axis]
        )

    def bin_of(axis: int, left: Any) -> int:
        edges = [_rat(e) for e in pair.edges[axis]]
        return max(k for k in range(len(edges) - 1) if edges[k] <= left)

    def f(ls: Any, lu: Any) -> sympy.Expr:
        g = _rat(pair.values[bin_of(0, ls)][bin_of(1, lu)])
        return on(0, ls) + on(1, lu) + g

    widths = [grid[-1] - grid[0] for grid in grids]
    v = variables[j]
    total = sympy.Integer(0)
    for ls, rs in zip(grids[0], grids[0][1:], strict=False):
        for lu, ru in zip(grids[1], grids[1][1:], strict=False):
            # E_{X'_j} f(..., X'_j, ...): integrate f over j's whole range, per part of j
            removed = sympy.Integer(0)
            for lo, hi in zip(grids[j], grids[j][1:], strict=False):
                cell = f(lo, lu) if j == 0 else f(ls, lo)
                removed += sympy.integrate(cell, (v, lo, hi))
            removed /= widths[j]
            square = sympy.expand((f(ls, lu) - removed) ** 2)
            total += sympy.integrate(square, (s, ls, rs), (u, lu, ru))
    value = sympy.Rational(total / (widths[0] * widths[1]))
    return Fraction(int(value.p), int(value.q))


def test_population_loco_with_a_pair_term_over_curved_pieces_is_the_definition() -> None:
    gam = _curved_ga2m()
    result = feature_importances(gam)
    assert list(result.exact_importances) == [_brute_pair_loco(gam, 0), _brute_pair_loco(gam, 1)]
    assert result.verify(gam)


def test_curved_certificates_refuse_tampering() -> None:
    gam = _curved_ga2m()
    for kind in ("loco", "l2"):
        result = feature_importances(gam, kind=kind)
        assert result.verify(gam)
        forged = (result.exact_importances[0] + Fraction(1, 10**30), result.exact_importances[1])
        assert not dataclasses.replace(result, exact_importances=forged).verify(gam)
        other = dataclasses.replace(gam, pairs=[dataclasses.replace(gam.pairs[0], values=(
            (1.0, -0.5), (0.25, 2.5)))])  # fmt: skip
        assert not result.verify(other)
    rows = [[0.5, -0.5], [2.5, 0.75], [1.5, 0.0], [0.1, 0.9]]
    regional = gx.regional_attributions(gam, rows, population=True, regions="tree")
    assert regional.verify(gam)
    forged_rows = [list(r) for r in regional.exact_importances]
    forged_rows[0][1] += Fraction(1, 10**30)
    assert not dataclasses.replace(
        regional, exact_importances=tuple(map(tuple, forged_rows))
    ).verify(gam)


@given(st.data())
def test_population_regions_of_a_spline_pipeline_verify(data: st.DataObject) -> None:
    import numpy as np
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 4, size=(40, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 * (X[:, 0] > 2)
    gam = gx.from_sklearn(make_pipeline(SplineTransformer(n_knots=4), LinearRegression()).fit(X, y))
    result = gx.regional_attributions(gam, X, population=True, max_depth=1)
    assert result.verify(gam)
    assert feature_importances(gam).verify(gam)


def _brute_l1_and_range(feature: Feature) -> tuple[sympy.Expr, sympy.Expr]:
    """E|a − E a| and max a − min a over the uniform law of the interval, by sympy's
    symbolic integration of |·| and its extrema on each piece."""
    from sympy.calculus.util import maximum, minimum

    pieces = _pieces(feature)
    width = _rat(feature.domain.high) - _rat(feature.domain.low)
    mean = sum((sympy.integrate(t, (X, a, b)) for a, b, t in pieces), sympy.Integer(0)) / width
    l1 = sympy.Integer(0)
    for a, b, t in pieces:  # split at the real roots of t − mean, integrate each part's |·|
        poly = sympy.Poly(sympy.expand(t - mean), X)
        inside = [r for r in dict.fromkeys(sympy.real_roots(poly)) if a < r < b]
        ends = [a, *inside, b]
        l1 += sum((sympy.Abs(sympy.integrate(t - mean, (X, lo, hi)))
                   for lo, hi in itertools.pairwise(ends)), sympy.Integer(0))  # fmt: skip
    l1 /= width
    top = sympy.Max(*[maximum(t, X, sympy.Interval(a, b)) for a, b, t in pieces])
    bottom = sympy.Min(*[minimum(t, X, sympy.Interval(a, b)) for a, b, t in pieces])
    return l1, top - bottom


def _cubic(coefficients: list[float]) -> GAM:
    return GAM([Feature("c", gx.Interval(0, 2), gx.Piecewise([0, 2], [coefficients]))],
               task=Regression())  # fmt: skip


@settings(max_examples=10, deadline=None)  # symbolic brute force: a second an example
@given(st.lists(st.integers(-4, 4), min_size=2, max_size=4))
def test_l1_and_range_of_a_curved_piece_equal_symbolic_integration(ints: list[int]) -> None:
    gam = _cubic([k / 2 for k in ints])
    l1_brute, range_brute = _brute_l1_and_range(gam.features[0])
    l1 = feature_importances(gam, kind="l1")
    if l1.exact:
        assert l1.exact_importances[0] == Fraction(str(sympy.nsimplify(l1_brute)))
    else:
        (low, high), = l1.bounds  # fmt: skip
        value = sympy.N(l1_brute, 60)
        assert _rat(low) <= value <= _rat(high) and high - low <= 2**-40 * max(1, abs(low))
        assert l1.exact_importances == (None,) and "certified rational bounds" in l1.message
    assert l1.verify(gam)
    spread = feature_importances(gam, kind="range")
    assert gx.exact.exact_sign(gx.exact.to_sympy(spread.exact_importances[0]) - range_brute) == 0
    assert spread.verify(gam)


def test_an_irrational_l1_is_a_certified_bracket_and_tampering_fails() -> None:
    gam = _cubic([-1.0, 0.0, 1.0])  # t² − 1 minus its mean 1/3: roots ±√(4/3) irrational
    result = feature_importances(gam, kind="l1")
    assert not result.exact and result.exact_importances == (None,)
    (low, high), = result.bounds  # fmt: skip
    # E|t² − 4/3| on [0, 2] = (1/2)·(32/9·√(4/3)·… ) checked numerically at 60 digits
    l1_brute, _ = _brute_l1_and_range(gam.features[0])
    assert _rat(low) <= sympy.N(l1_brute, 60) <= _rat(high)
    assert result.verify(gam)
    shifted = ((low + Fraction(1, 10**6), high + Fraction(1, 10**6)),)
    assert not dataclasses.replace(result, bounds=shifted).verify(gam)
    assert not dataclasses.replace(result, exact=True, bounds=None).verify(gam)
    spread = feature_importances(gam, kind="range")
    assert spread.exact_importances == (Fraction(4),) and spread.verify(gam)
    assert not dataclasses.replace(spread, exact_importances=(Fraction(4) + Fraction(1, 10**20),)
                                   ).verify(gam)  # fmt: skip


def test_range_at_an_irrational_extreme_is_an_exact_surd() -> None:
    gam = _cubic([0.0, -1.0, 0.0, 1.0])  # t³ − t on [0, 2]: minimum at 1/√3
    result = feature_importances(gam, kind="range")
    expected = 6 + 2 / (3 * sympy.sqrt(3))  # max 6 at t = 2, min −2/(3√3)
    assert gx.exact.exact_sign(result.exact_importances[0] - expected) == 0
    assert result.verify(gam)
    forged = (result.exact_importances[0] + sympy.Rational(1, 10**30),)
    assert not dataclasses.replace(result, exact_importances=forged).verify(gam)


def test_a_multiclass_model_is_refused_with_the_per_class_call() -> None:
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    X, y = load_wine(return_X_y=True)
    X = X[:40, :2]
    pipe = make_pipeline(SplineTransformer(n_knots=3), LogisticRegression(max_iter=3000))
    gam = gx.from_sklearn(pipe.fit(X, y[:40] % 3 if len(set(y[:40])) > 2 else [0, 1, 2] * 13 + [0]))
    for call in (lambda: gx.loco_values(gam, X), lambda: gx.regional_attributions(gam, X),
                 lambda: feature_importances(gam)):  # fmt: skip
        with pytest.raises(gx.UnsupportedQueryError, match=r"gam\.scores\[k\]"):
            call()
    # the per-class call the message names works and verifies
    score = gam.scores[0]
    assert gx.loco_values(score, X).verify(score)
    assert feature_importances(score).verify(score)
