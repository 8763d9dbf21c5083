"""The feature space widened just enough to hold an instance beyond a numeric domain.

A numeric feature (an ``Integers`` or ``Interval`` domain with a piecewise shape) is
defined on every number: the shape's first and last pieces, and a pair term's first and
last bins, extend with the same polynomial or value. Its domain keeps two jobs: it is the
set completions range over, and the support of the feature's marginal ("uniform" means
uniform over the declared domain, which an adapter sets to the training range).

An instance x with x_i outside the domain D_i = [L, H] is explained in the feature space
widened just enough to hold it: D_i becomes hull(D_i, x_i), the outermost piece (and the
pair bins) reach the new end, and the marginal does not move. The widened feature carries
its marginal explicitly, per piece: the pieces are cut at L and H, each piece inside D_i
keeps its exact probability under the original marginal, and the new extension piece gets
probability 0. So "uniform" stays uniform over the original D_i, and stored marginals
(EBM bin weights) are unchanged.

This differs from clamping x_i to the nearest end of D_i: completions may also take the
values between x_i and D_i (with probability 0), and x_i is scored by the extended piece.
For step shapes (EBM) whose end of D_i lies in the outermost piece, both give the same
answers; for linear tails (pyGAM, splines that extrapolate linearly) the score at x_i is
the extrapolated one.
"""

from __future__ import annotations

import bisect
import math
from fractions import Fraction
from math import comb
from types import SimpleNamespace
from typing import Any

from gamexplain.errors import InvalidInstanceError, UnsupportedModelError
from gamexplain.exact import Exact, as_fraction, compare, normalise, to_float, to_sympy
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, Instance, PairTerm, _in_domain, short_repr
from gamexplain.model.shapes import Piecewise, rational_piecewise
from gamexplain.model.spans import piece_measures

__all__ = ["beyond", "widen"]


def beyond(gam: GAM, x: Instance) -> tuple[tuple[int, Any], ...]:
    """The (position, value) of every value of the validated instance ``x`` that lies
    outside its numeric feature's domain, in feature order."""
    return tuple(
        (i, value)
        for i, (feature, value) in enumerate(zip(gam.features, x, strict=True))
        if not isinstance(feature.domain, Finite) and not _in_domain(feature.domain, value)
    )


def widen(gam: GAM, outside: tuple[tuple[int, Any], ...]) -> GAM:
    """The model whose features at the positions of ``outside`` are widened to hold their
    values (:func:`beyond` gives them), and whose pair terms reach as far.

    Raises
    ------
    UnsupportedModelError
        A network shape, or a one-point interval domain (a point mass), must be widened:
        neither can keep its marginal on a wider domain as per-piece probabilities.
    InvalidInstanceError
        A value beyond float range on an interval domain (its bounds are floats).
    """
    if not outside:
        return gam
    features = list(gam.features)
    for i, value in outside:
        features[i] = _widen_feature(features[i], value)
    pairs = [_widen_pair(pair, gam.features, features) for pair in gam.pairs]
    return GAM(features=features, intercept=gam.intercept, task=gam.task, pairs=pairs)


def _widen_feature(feature: Feature, value: Any) -> Feature:
    domain, shape = feature.domain, feature.shape
    where = f"feature {feature.name!r}: value {short_repr(value)} lies outside its domain {domain}"
    if not isinstance(shape, Piecewise):
        raise UnsupportedModelError(
            f"{where}, and a network shape cannot carry the feature's marginal beyond its "
            "domain; explain a value inside the domain"
        )
    assert isinstance(domain, Integers | Interval)
    if isinstance(domain, Interval) and domain.low == domain.high:
        raise UnsupportedModelError(
            f"{where}, and its marginal is a point mass, which no per-piece marginal on a "
            "wider interval keeps; explain a value inside the domain"
        )
    number = _number(value)
    below = compare(number, Fraction(domain.low)) < 0
    outer = _outward(number, below, where)
    wide: Integers | Interval
    if isinstance(domain, Integers):
        assert isinstance(number, Fraction)
        whole = int(number)
        wide = Integers(min(domain.low, whole), max(domain.high, whole))
        # the cut lies between the domain's last integer and the first new one
        cut = Fraction(domain.low) if below else domain.high + Fraction(1, 2)
    else:
        wide = Interval(outer, domain.high) if below else Interval(domain.low, outer)
        cut = Fraction(domain.low) if below else Fraction(domain.high)
    if Fraction(float(cut)) != cut:
        raise UnsupportedModelError(
            f"{where}, and the domain's end {cut} is not a float, so no piece can start there"
        )
    pieces = _cut_shape(shape, outer, cut)
    widened = Feature(feature.name, wide, pieces, feature.weight)
    # exact probabilities: the marginal a float list cannot always spell (e.g. 1/3)
    object.__setattr__(widened, "distribution", _marginal(feature, pieces))
    return widened


def _cut_shape(shape: Piecewise, outer: float, cut: Fraction) -> Piecewise:
    """The shape extended to ``outer`` and cut at ``cut``; every piece re-expanded around
    its own left end, so the function is unchanged."""
    old = [Fraction(b) for b in shape.breakpoints]
    cuts = set(old)
    if Fraction(outer) > old[-1]:
        # the last piece reaches on to the new end; its old end must not split it, or
        # the domain's last integer would share a piece with the extension
        cuts.discard(old[-1])
    if not old[0] <= Fraction(outer) <= old[-1]:
        cuts.add(Fraction(outer))
    if min(cuts) < cut < max(cuts):
        cuts.add(cut)
    ordered = sorted(cuts)
    rows = []
    for left in ordered[:-1]:
        k = _piece(old, left)
        poly = tuple(Fraction(c) for c in shape.coefficients[k])
        rows.append(_shift(poly, left - old[k]))
    return rational_piecewise([float(c) for c in ordered], rows)


def _marginal(feature: Feature, shape: Piecewise) -> tuple[Fraction, ...]:
    """Per piece of the widened ``shape``, its exact probability under the feature's
    original marginal (uniform inside each original piece, on the original domain)."""
    old_measures = piece_measures(feature)
    if feature.distribution is None:
        total = sum(old_measures, Fraction(0))
        probs = [m / total for m in old_measures]
    else:
        probs = normalise(feature.distribution)
    density = [p / m if m else Fraction(0) for p, m in zip(probs, old_measures, strict=True)]
    old = [Fraction(b) for b in feature.shape.breakpoints]  # type: ignore[union-attr]
    parts = piece_measures(SimpleNamespace(shape=shape, domain=feature.domain))
    lefts = [Fraction(b) for b in shape.breakpoints[:-1]]
    return tuple(density[_piece(old, left)] * part for left, part in zip(lefts, parts, strict=True))


def _widen_pair(pair: PairTerm, before: Any, after: list[Feature]) -> PairTerm:
    """The pair term with the outermost bin edges of widened features pushed out; the
    same term when neither of its features is widened (so per-term caches carry over)."""
    if all(after[i] is before[i] for i in pair.features):
        return pair
    edges = list(pair.edges)
    for axis, i in enumerate(pair.features):
        cuts = edges[axis]
        if cuts is None or after[i] is before[i]:
            continue
        domain = after[i].domain
        assert isinstance(domain, Integers | Interval)
        where = f"feature {after[i].name!r}"
        low = _outward(Fraction(domain.low), True, where)
        high = _outward(Fraction(domain.high), False, where)
        edges[axis] = (min(cuts[0], low), *cuts[1:-1], max(cuts[-1], high))
    return PairTerm(pair.features, edges, pair.values)


def _piece(cuts: list[Fraction], value: Fraction) -> int:
    """The original piece scoring ``value``: right-continuous, the outermost extended."""
    return min(max(bisect.bisect_right(cuts, value) - 1, 0), len(cuts) - 2)


def _shift(poly: tuple[Fraction, ...], by: Fraction) -> tuple[Fraction, ...]:
    """Coefficients of Σ_r c_r·(t + by)^r in powers of t (a Taylor shift, exact)."""
    return tuple(
        sum((poly[r] * comb(r, s) * by ** (r - s) for r in range(s, len(poly))), Fraction(0))
        for s in range(len(poly))
    )


def _number(value: Any) -> Exact:
    try:
        return as_fraction(value)
    except ValueError:
        return to_sympy(value)


def _outward(number: Exact, down: bool, where: str) -> float:
    """The float nearest ``number`` on its outer side: ≤ it when ``down``, else ≥ it."""
    try:
        end = to_float(number)
    except OverflowError:
        end = math.inf
    if not math.isfinite(end):
        raise InvalidInstanceError(f"{where}: the value lies beyond float range")
    if down and compare(Fraction(end), number) > 0:
        end = math.nextafter(end, -math.inf)
    if not down and compare(Fraction(end), number) < 0:
        end = math.nextafter(end, math.inf)
    return end
