"""The nearest witness of a one-feature contrastive reason on curved pieces.

When some free feature's contribution has polynomial pieces (a spline's cubics, a linear
piece), :mod:`gamexplain.algorithms.nearest`'s moves no longer exist: the flipping values
of a feature are a union of intervals whose ends are roots of (piece − needed change).
For a minimum-size contrastive reason of one feature the nearest flipping point is still
exact: per free feature and piece, the real roots of q(v) = ±(p(v) − c) are isolated
exactly (:func:`~gamexplain.substrate.polynomials.roots_and_signs`), the gaps where q is
positive (and the roots, when the flip condition is not strict) are the flipping values,
and the closest of them to x_i is an algebraic number. Its distance is the infimum; the
witness is a rational at it (when it is rational and flips) or just past it, inside the
flipping gap, within ``APPROACH`` spread units. Degree-1 (linear) pieces have rational
roots, so there the infimum is always rational and exact.

Reasons of two or more features on curved pieces (a non-convex continuous problem) are
bracketed by :mod:`gamexplain.algorithms.nearest_cells`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.worst_case import Problem
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare, to_float, to_sympy
from gamexplain.model.distance import APPROACH, spread
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import floor_exact, roots_and_signs, value_at

__all__ = ["CurvedNearest", "curved_nearest_witness", "has_curved_pieces"]

_DIGITS = 5
"""The decimal digits of the rational lower bound of an irrational infimum: 10^-5 below
it, inside the stated tolerance ``APPROACH`` (10^-4)."""


@dataclass(frozen=True)
class CurvedNearest:
    """The answer: the witness, the feature it changes, the exact infimum (a Fraction, or
    an algebraic sympy number), a rational lower bound of it (equal to it when it is
    rational), and whether the witness attains it."""

    point: tuple[Any, ...]
    changed: frozenset[int]
    infimum: Exact
    lower: Fraction
    attained: bool

    @property
    def exact(self) -> bool:
        """Whether ``lower`` is the infimum itself (always so on linear pieces)."""
        return isinstance(self.infimum, Fraction)


@dataclass(frozen=True)
class _Condition:
    """Flip iff sign·(p(v) − level) > 0 (``strict``) or ≥ 0."""

    sign: int
    level: Exact
    strict: bool

    def holds(self, value: Exact) -> bool:
        side = _cmp(self.sign * (value - self.level), 0)
        return side > 0 or (side == 0 and not self.strict)


def _cmp(a: Exact | int, b: Exact | int) -> int:
    """compare(a, b), decided by floats when they are 10^-9 apart (15-digit values of
    exactly isolated numbers cannot be that wrong) and exactly otherwise; the result's
    claims are re-checked exactly by the certificate."""
    if isinstance(a, Fraction | int) and isinstance(b, Fraction | int):
        return (a > b) - (a < b)
    fa, fb = to_float(a), to_float(b)
    if abs(fa - fb) > 1e-9 * (1 + abs(fa) + abs(fb)):
        return -1 if fa < fb else 1
    return compare(a, b)


def has_curved_pieces(problem: Problem) -> bool:
    """Whether a free feature has a piece of degree ≥ 1."""
    for i in problem.free:
        for piece in lower(problem.gam.features[i]):
            if isinstance(piece, Segment) and piece.degree > 0:
                return True
    return False


def curved_nearest_witness(problem: Problem, size: int) -> CurvedNearest | None:
    """The nearest point that changes one free feature and flips the prediction.

    Parameters
    ----------
    problem : Problem
        A purely additive model (some free features may have polynomial pieces).
    size : int
        The minimum size of a contrastive reason of ``problem``; must be 1 (larger sizes
        go to :mod:`gamexplain.algorithms.nearest_cells`).

    Returns
    -------
    CurvedNearest or None
        None when no single-feature change flips.

    Raises
    ------
    UnsupportedQueryError
        The model has pairwise terms, the minimum size is 2 or more, or the nearest
        flipping set is a lone irrational point (no rational witness flips).

    Notes
    -----
    Per free feature with P pieces of degree ≤ d: P exact root isolations of degree d
    and O(P·d) exact comparisons, so O(n·P) isolations in all (thm:mcr-nearest-curved).
    """
    if problem.gam.pairs:
        raise UnsupportedQueryError(
            "witness='nearest' on curved pieces needs a purely additive model; this one "
            "has pairwise terms"
        )
    if size != 1:
        raise UnsupportedQueryError(
            f"witness='nearest' on curved (polynomial or linear) pieces answers reasons of "
            f"one feature; this instance's minimum contrastive reasons change {size} "
            f"features, a non-convex continuous problem gamexplain does not solve exactly: "
            f"use witness='extreme'"
        )
    conditions = _conditions(problem)
    best: tuple[Exact, bool, int, Any] | None = None  # (distance, attained, feature, value)
    for i in problem.free:
        deadline.check()
        found = _feature_nearest(problem, i, conditions, None if best is None else best[0])
        if found is None:
            continue
        key = (found[0], not found[1])
        if (
            best is None
            or _cmp(key[0], best[0]) < 0
            or (_cmp(key[0], best[0]) == 0 and found[1] and not best[1])
        ):
            best = (found[0], found[1], i, found[2])
    if best is None:
        return None
    distance, attained, i, value = best
    point = list(problem.x)
    point[i] = value
    if isinstance(distance, Fraction):
        low = distance
    else:
        low = Fraction(floor_exact(to_sympy(distance) * 10**_DIGITS), 10**_DIGITS)
    return CurvedNearest(tuple(point), frozenset({i}), distance, low, attained)


def _conditions(problem: Problem) -> list[_Condition]:
    """The flip conditions on one feature's new contribution p, given the rest of x."""
    task = problem.gam.task
    s = problem.score
    if task.kind != "classification":
        tol = Fraction(task.tolerance)
        return [_Condition(1, tol, True), _Condition(-1, -tol, True)]
    # a feature moving from contribution h to p moves the score to s − h + p
    gap = Fraction(task.threshold) - s  # p − h must reach this
    if problem.prediction == 1:
        return [_Condition(-1, gap, task.positive == ">=")]
    return [_Condition(1, gap, task.positive != ">=")]


def _feature_nearest(
    problem: Problem, i: int, conditions: list[_Condition], beyond: Exact | None
) -> tuple[Exact, bool, Any] | None:
    """(distance, attained, witness value) of feature i's nearest flipping value; pieces
    farther than ``beyond`` (a distance already found) are skipped."""
    feature = problem.gam.features[i]
    here = problem.contributions[i]
    x = problem.x[i]
    unit = spread(feature.domain) if feature.domain.kind != "finite" else Fraction(1)
    best: tuple[Exact, bool, Any] | None = None
    for piece in lower(feature):
        if isinstance(piece, Segment) and beyond is not None:
            gap = max(piece.low - Fraction(x), Fraction(x) - piece.high, Fraction(0))
            if _cmp(gap / unit, beyond) > 0:
                continue
        for cond in conditions:
            shifted = _Condition(cond.sign, cond.level + here, cond.strict)
            if isinstance(piece, Point):
                if feature.domain.index(piece.value) == feature.domain.index(x):
                    continue
                holds = shifted.holds(piece.contribution)
                found = (Fraction(1), True, piece.value) if holds else None
            elif piece.integers:
                found = _integer_nearest(piece, Fraction(x), shifted, unit)
            else:
                found = _interval_nearest(piece, Fraction(x), shifted, unit)
            if found is not None and (
                best is None or _cmp(found[0], best[0]) < 0
                or (_cmp(found[0], best[0]) == 0 and found[1] and not best[1])
            ):  # fmt: skip
                best = found
    return best


def _local(piece: Segment, cond: _Condition) -> tuple[Exact, ...]:
    """The local coefficients of q(v) = sign·(p(v) − level)."""
    coeffs = [cond.sign * c for c in piece.coefficients]
    coeffs[0] = coeffs[0] - cond.sign * cond.level
    return tuple(coeffs)


def _may_reach(local: tuple[Exact, ...], piece: Segment) -> bool:
    """False only when q < 0 on the whole piece, by the bound c0 + Σ|c_r|·w^r with w the
    piece's farthest distance from its anchor (a cheap exact filter before isolation)."""
    w = max(abs(piece.low - piece.anchor), abs(piece.high - piece.anchor))
    top = local[0] + sum((abs(c) * w**r for r, c in enumerate(local) if r), Fraction(0))
    return _cmp(top, 0) >= 0


def _integer_nearest(
    piece: Segment, x: Fraction, cond: _Condition, unit: Fraction
) -> tuple[Exact, bool, Any] | None:
    """The nearest flipping integer of an integer segment: it sits next to a root of q,
    at an end of the segment, or at x's clamp."""
    roots, _ = roots_and_signs(_local(piece, cond), piece.anchor)
    low, high = piece.low, piece.high
    near = min(max(x, low), high)
    candidates = {int(low), int(high), floor_exact(near), floor_exact(near) + 1}
    for r in roots:
        f = floor_exact(r)
        candidates |= {f - 1, f, f + 1, f + 2}
    best: tuple[Exact, bool, Any] | None = None
    for n in sorted(candidates, key=lambda n: abs(n - x)):
        if n < low or n > high or n == x:
            continue
        if cond.holds(value_at(piece, Fraction(n))):
            best = (abs(n - x) / unit, True, n)
            break
    return best


def _interval_nearest(
    piece: Segment, x: Fraction, cond: _Condition, unit: Fraction
) -> tuple[Exact, bool, Any] | None:
    """The nearest flipping value of an interval segment: the closest point of the
    closures of its positive gaps, or a root where q = 0 flips."""
    local = _local(piece, cond)
    if not _may_reach(local, piece):
        return None
    roots, signs = roots_and_signs(local, piece.anchor)
    low, high = piece.low, piece.high
    inner = [r for r in roots if _cmp(r, low) > 0 and _cmp(r, high) < 0]
    ends: list[Exact] = [low, *inner, high]
    below_low = sum(1 for r in roots if _cmp(r, low) <= 0)
    best: tuple[Exact, bool, Any] | None = None

    def within(v: Exact) -> bool:
        return _cmp(v, low) >= 0 and (_cmp(v, high) < 0 or (piece.closed and _cmp(v, high) == 0))

    def offer(t: Exact, attained: bool, witness: Any) -> None:
        nonlocal best
        d = abs(to_sympy(t) - to_sympy(x)) if not isinstance(t, Fraction) else abs(t - x)
        d = d / unit if isinstance(d, Fraction) else d / to_sympy(unit)
        if (
            best is None
            or _cmp(d, best[0]) < 0
            or (_cmp(d, best[0]) == 0 and attained and not best[1])
        ):
            best = (d, attained, witness)

    for j in range(len(ends) - 1):
        a, b = ends[j], ends[j + 1]
        if _cmp(a, b) >= 0 or signs[below_low + j] <= 0:
            continue
        t = a if _cmp(x, a) <= 0 else (b if _cmp(x, b) >= 0 else x)
        attained = isinstance(t, Fraction) and within(t) and cond.holds(value_at(piece, t))
        if attained:
            offer(t, True, t)
            continue
        room = APPROACH * unit
        if t is a or _cmp(t, a) == 0:
            hi = b if _cmp(b, a + to_sympy(room)) < 0 else a + to_sympy(room)
            witness = _between(a, hi)
        else:
            lo = a if _cmp(a, b - to_sympy(room)) > 0 else b - to_sympy(room)
            witness = _between(lo, b)
        offer(t, False, witness)
    if not cond.strict:
        for r in roots:
            if within(r) and isinstance(r, Fraction):
                offer(r, True, r)
            elif within(r) and (
                best is None or _cmp(abs(to_sympy(r) - to_sympy(x)) / to_sympy(unit), best[0]) < 0
            ):
                raise UnsupportedQueryError(
                    "witness='nearest': the nearest flipping value is a lone irrational "
                    "point where the score touches the threshold; no rational witness flips"
                )
    return best


def _between(a: Exact, b: Exact) -> Fraction:
    """The decimal with the fewest digits strictly between a < b (exact numbers)."""
    digits = 0
    while True:
        step = Fraction(1, 10**digits)
        candidate = (floor_exact(to_sympy(a) / to_sympy(step)) + 1) * step
        if _cmp(candidate, b) < 0:
            return candidate
        digits += 1
