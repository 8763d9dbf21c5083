"""The per-feature primitive: exact extremes, means and level-set measures.

Every explanation algorithm of gamexplain stands on four questions about one feature's
contribution a_i(v) = β_i·f_i(v) over its domain: its minimum, its maximum (with a value
attaining it), its mean under the feature's distribution, and the measure of a level set
{v : a_i(v) ≥ c}. They are answered exactly here, piece by piece: enumeration on finite
domains; endpoints and real critical points on intervals; floor and ceiling of those
points on integers (never iterating over an integer range).

For ReLU networks the pieces come from exact compilation; the ``method`` argument leaves
room for other backends (a MILP for nets with too many pieces).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

import sympy

from gamexplain.errors import InvalidParameterError
from gamexplain.exact import (
    Exact,
    as_fraction,
    compare,
    normalise,
)
from gamexplain.model.domains import Interval
from gamexplain.substrate.extremes import (
    Extremum,
    milp_applies,
    milp_extremum,
    select_extremum_backend,
)
from gamexplain.substrate.pieces import RELU_PIECE_LIMIT, Point, Segment, lower, segment_measure
from gamexplain.substrate.polynomials import (
    floor_exact,
    roots_and_signs,
    segment_candidates,
    simplify,
    value_at,
)

__all__ = [
    "Extremum",
    "contribution_max",
    "contribution_mean",
    "contribution_min",
    "level_set_measure",
    "support_measure",
]

def contribution_min(
    feature: Any, *, method: Literal["auto", "pieces", "milp"] = "auto"
) -> Extremum:
    """The exact minimum of β_i·f_i over the feature's domain.

    ``method="pieces"`` lowers the feature to exact pieces; ``"milp"`` (ReLU networks on
    integer or interval domains) solves a big-M MILP and certifies it exactly; ``"auto"``
    uses the pieces unless a network has more than ``RELU_PIECE_LIMIT`` of them.

    Notes
    -----
    O(p) for p pieces (or domain values) after lowering; one candidate per step piece,
    at most four per polynomial piece (two endpoints, two critical points)
    (``thm:relu-compile`` for networks). The MILP backend is exponential in the worst
    case (``thm:relu-milp-extremes``); its result says whether it is exact.
    """
    return _extremum(feature, -1, _check_method(method, feature))


def contribution_max(
    feature: Any, *, method: Literal["auto", "pieces", "milp"] = "auto"
) -> Extremum:
    """The exact maximum of β_i·f_i over the feature's domain (see :func:`contribution_min`)."""
    return _extremum(feature, 1, _check_method(method, feature))


def _check_method(method: str, feature: Any) -> str:
    if method not in ("auto", "pieces", "milp"):
        raise InvalidParameterError(
            f"The 'method' parameter of the per-feature primitive must be one of "
            f"{{'auto', 'pieces', 'milp'}}. Got {method!r} instead."
        )
    if method == "milp":
        reason = milp_applies(feature)
        if reason is not None:
            raise InvalidParameterError(f"method='milp' does not apply: {reason}")
    return method


@lru_cache(maxsize=2048)
def _extremum(feature: Any, direction: int, method: str) -> Extremum:
    # only networks on integer or real ranges may need the MILP backend
    network_on_a_range = feature.component == "nam" and feature.domain.kind != "finite"
    if network_on_a_range and (
        method == "milp" or (method == "auto" and select_extremum_backend(feature).name == "milp")
    ):
        return milp_extremum(feature, direction)
    pieces = lower(feature, RELU_PIECE_LIMIT)
    if isinstance(pieces[0], Point):
        best = max(pieces, key=lambda p: direction * p.contribution)
        return Extremum(best.contribution, best.value, True)
    candidates = [c for s in pieces for c in segment_candidates(s)]
    best_value, best_arg, best_attained = candidates[0]
    for value, arg, attained in candidates[1:]:
        side = direction * compare(value, best_value)
        if side > 0 or (side == 0 and attained and not best_attained):
            best_value, best_arg, best_attained = value, arg, attained
    return Extremum(simplify(best_value), simplify(best_arg), best_attained)


# -- means -------------------------------------------------------------------------
def contribution_mean(feature: Any, distribution: tuple[float, ...] | None = None) -> Fraction:
    """The exact mean E[β_i·f_i(X_i)] under a marginal of the feature.

    Parameters
    ----------
    feature : Feature
    distribution : tuple of float, optional
        Probabilities per domain value (finite domains) or per piece (uniform within a
        piece); None uses the feature's own distribution, or uniform if it has none.

    Notes
    -----
    Integrals of polynomial pieces on intervals and Faulhaber sums on integer ranges, so
    the cost is O(p) whatever the size of the domain.
    """
    probs = distribution if distribution is not None else feature.distribution
    return _mean(feature, probs)


@lru_cache(maxsize=2048)
def _mean(feature: Any, probs: tuple[float, ...] | None) -> Fraction:
    pieces = lower(feature, RELU_PIECE_LIMIT)
    if isinstance(pieces[0], Point):
        if probs is None:
            return sum((p.contribution for p in pieces), Fraction(0)) / len(pieces)
        weights = normalise(probs)
        return sum((w * p.contribution for w, p in zip(weights, pieces, strict=True)), Fraction(0))
    segments: tuple[Segment, ...] = pieces
    point_domain = (
        isinstance(feature.domain, Interval) and feature.domain.low == feature.domain.high
    )
    totals = [_segment_total(s, point_domain) for s in segments]
    sizes = [segment_measure(s, point_domain) for s in segments]
    if probs is None:
        return sum(totals, Fraction(0)) / sum(sizes, Fraction(0))
    weights = normalise(probs)
    # a piece that meets an interval domain in one point has measure 0 (and probability 0)
    return sum(
        (
            weights[s.piece] * total / size
            for s, total, size in zip(segments, totals, sizes, strict=True)
            if size
        ),
        Fraction(0),
    )


def _segment_total(segment: Segment, point_domain: bool) -> Fraction:
    """The integral (intervals) or the sum (integers) of the piece over the segment."""
    coefficients = segment.coefficients
    if point_domain:
        return value_at(segment, segment.low)
    if segment.integers:
        count = int(segment.high - segment.low) + 1
        shift = segment.low - segment.anchor
        return sum(
            (c * _shifted_power_sum(shift, r, count) for r, c in enumerate(coefficients)),
            Fraction(0),
        )
    a, b = segment.low - segment.anchor, segment.high - segment.anchor
    return sum(
        (c * (b ** (r + 1) - a ** (r + 1)) / (r + 1) for r, c in enumerate(coefficients)),
        Fraction(0),
    )


def _shifted_power_sum(shift: Fraction, power: int, count: int) -> Fraction:
    """Σ_{j=0}^{count-1} (shift + j)^power in closed form (power ≤ 3)."""
    return sum(
        (
            math.comb(power, s) * shift ** (power - s) * _power_sum(s, count)
            for s in range(power + 1)
        ),
        Fraction(0),
    )


def _power_sum(power: int, count: int) -> Fraction:
    """Σ_{j=0}^{count-1} j^power (Faulhaber), power ≤ 3."""
    n = count - 1
    sums = {
        0: Fraction(count),
        1: Fraction(n * (n + 1), 2),
        2: Fraction(n * (n + 1) * (2 * n + 1), 6),
        3: Fraction(n * (n + 1), 2) ** 2,
    }
    return sums[power]


# -- level sets ----------------------------------------------------------------------
def support_measure(feature: Any) -> Exact:
    """The measure of the whole domain: its size (finite, integers) or length (interval)."""
    domain = feature.domain
    if hasattr(domain, "size"):
        return Fraction(domain.size)
    return domain.length


def level_set_measure(feature: Any, c: object, *, strict: bool = False) -> Exact:
    """The measure of {v : β_i·f_i(v) ≥ c} (or > c when ``strict``) in the domain.

    A count on finite and integer domains, a length on intervals. Exact: the result is a
    Fraction, or a sympy algebraic number when the level set ends at an irrational root.

    Notes
    -----
    Per piece, the real roots of a_i − c (degree ≤ 3, found exactly by sympy) cut the
    piece into runs of constant sign; the sign of each run follows from the leading
    coefficient and root multiplicities. Integers in a run are counted by floor/ceil of
    its ends, so an integer range is never enumerated.
    """
    level = c if isinstance(c, sympy.Basic) else as_fraction(c)
    pieces = lower(feature, RELU_PIECE_LIMIT)
    if isinstance(pieces[0], Point):
        return Fraction(sum(1 for p in pieces if _keeps(compare(p.contribution, level), strict)))
    total: Exact = Fraction(0)
    for segment in pieces:
        total = total + _segment_level_measure(segment, level, strict)
    return simplify(total)


def _keeps(side: int, strict: bool) -> bool:
    return side > 0 or (side == 0 and not strict)


def _segment_level_measure(segment: Segment, level: Exact, strict: bool) -> Exact:
    shifted = list(segment.coefficients)
    shifted[0] = shifted[0] - level
    roots, signs = roots_and_signs(tuple(shifted), segment.anchor)
    if segment.integers:
        return _count_integers(segment, roots, signs, strict)
    total: Exact = Fraction(0)
    for k, sign in enumerate(signs):
        if not _keeps(sign, strict):
            continue
        left = segment.low if k == 0 else _max(roots[k - 1], segment.low)
        right = segment.high if k == len(roots) else _min(roots[k], segment.high)
        if compare(right, left) > 0:
            total = total + (right - left)
    return total


def _max(a: Exact, b: Exact) -> Exact:
    return a if compare(a, b) >= 0 else b


def _min(a: Exact, b: Exact) -> Exact:
    return a if compare(a, b) <= 0 else b


def _count_integers(
    segment: Segment, roots: list[Exact], signs: list[int], strict: bool
) -> Fraction:
    """Integers of [low, high] where the polynomial (roots, gap signs) is ≥ 0 (> 0)."""
    low, high = int(segment.low), int(segment.high)
    count = 0
    for k, sign in enumerate(signs):
        first = low if k == 0 else max(low, floor_exact(roots[k - 1]) + 1)
        last = high if k == len(roots) else min(high, -floor_exact(-roots[k]) - 1)
        if _keeps(sign, strict) and last >= first:
            count += last - first + 1
    if not strict:
        count += sum(
            1 for r in roots if isinstance(r, Fraction) and r.denominator == 1 and low <= r <= high
        )
    return Fraction(count)
