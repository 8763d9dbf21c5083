"""The check behind ``witness="nearest"`` for reasons of several features on curved pieces.

The certificate lists, per curved free feature, cells [low, high] with bounds [bottom,
top] of the feature's contribution on each (:mod:`gamexplain.algorithms.nearest_cells`).
Re-derived here without the solver's bounds: the cells must cover the feature's domain
(every integer of an integer domain); each bound is checked against every piece whose
closed range meets the cell, its polynomial matched to this package's exact evaluator at
deg + 1 points, by exact rational arithmetic — a piece whose derivative keeps one sign on
the overlap (a Taylor bound at its midpoint shows it) takes its extremes at the ends;
otherwise Sturm counts (sympy's ``count_roots``) of the odd-multiplicity part of
top − p (and p − bottom) and their sign at an interior point show they stay ≥ 0. Each
cell then becomes a candidate (gain top − h or h − bottom toward a flip, distance from
x_i to the cell) and :mod:`gamexplain.certify.nearest`'s own sweep finds the least
distance of a choice of at most k candidates that flips: every flipping point is such a
choice, so it bounds the infimum from below and must be at least the claimed bound.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from gamexplain import certify
from gamexplain.certify.evaluate import contribution
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.model.distance import spread
from gamexplain.substrate.pieces import Segment, lower

__all__ = ["cell_candidates", "curved_features"]

_V = sympy.Symbol("v", real=True)


def curved_features(gam: Any, fixed: frozenset[int]) -> list[int]:
    """The free features with a piece that is not constant."""
    return [
        i for i, feature in enumerate(gam.features)
        if i not in fixed and any(
            isinstance(p, Segment) and any(c != 0 for c in p.coefficients[1:])
            for p in lower(feature)
        )
    ]  # fmt: skip


def cell_candidates(
    gam: Any, i: int, xi: Any, cells: tuple[tuple[Fraction, ...], ...], direction: int
) -> list[tuple[Fraction, Fraction]] | None:
    """(gain, distance) of each cell of feature i that moves the score in ``direction``;
    None when the cells do not cover the domain or a bound does not hold."""
    feature = gam.features[i]
    certify.check_size(len(cells), "the cells of a nearest bracket")
    if not all(len(c) == 4 and all(isinstance(v, Fraction) for v in c) for c in cells):
        return None
    if not _covers(feature.domain, cells):
        return None
    pieces = [p for p in lower(feature) if isinstance(p, Segment)]
    polys = {p.piece: _matched(gam, i, p) for p in pieces}
    here = Fraction(exact_number(contribution(gam, i, xi)))
    v, unit = Fraction(xi), spread(feature.domain)
    out = []
    for low, high, bottom, top in cells:
        for p in pieces:
            if p.high >= low and p.low <= high:
                lo, hi = max(low, p.low), min(high, p.high)
                if not _within(polys[p.piece], lo, hi, bottom, top):
                    return None
        gain = top - here if direction > 0 else here - bottom
        if gain <= 0 or low == high == v:
            continue
        near = Fraction(0) if low <= v <= high else min(abs(low - v), abs(high - v))
        out.append((gain, near / unit))
    return out


def _covers(domain: Any, cells: tuple[tuple[Fraction, ...], ...]) -> bool:
    """The cells, in order, leave no value (no integer) of the domain out."""
    ordered = sorted(cells)
    gap = 1 if domain.kind == "integers" else 0
    reach = Fraction(domain.low) - gap
    for low, high, _, _ in ordered:
        if low > high or low > reach + gap:
            return False
        reach = max(reach, high)
    return reach >= Fraction(domain.high)


def _matched(gam: Any, i: int, piece: Segment) -> list[Fraction]:
    """The piece's coefficients in powers of (v − anchor), matched to the plain evaluator
    at deg + 1 points of the piece."""
    c = list(piece.coefficients)
    n = len(c)
    for j in range(n):
        if piece.integers:
            at = Fraction(min(int(piece.low) + j, int(piece.high)))
        else:
            at = piece.low + (piece.high - piece.low) * j / max(n, 1)
        if _value(c, at - piece.anchor) != Fraction(exact_number(contribution(gam, i, at))):
            raise CertificateError(f"piece {piece.piece} disagrees with the model")
    return [piece.anchor, *c]


def _value(c: list[Fraction], u: Fraction) -> Fraction:
    total = Fraction(0)
    for coefficient in reversed(c):
        total = total * u + coefficient
    return total


def _within(poly: list[Fraction], lo: Fraction, hi: Fraction, bottom: Fraction,
            top: Fraction) -> bool:  # fmt: skip
    """bottom ≤ p(v) ≤ top for every v in [lo, hi]."""
    anchor, c = poly[0], poly[1:]
    ends = (_value(c, lo - anchor), _value(c, hi - anchor))
    if not all(bottom <= e <= top for e in ends):
        return False
    if lo == hi or _monotone(c, lo - anchor, hi - anchor):
        return True
    return _stays_nonnegative(c, anchor, lo, hi, top, -1) and _stays_nonnegative(
        c, anchor, lo, hi, bottom, 1
    )


def _monotone(c: list[Fraction], a: Fraction, b: Fraction) -> bool:
    """The derivative keeps one strict sign on [a, b]: |p'(m)| exceeds the Taylor bound of
    how far p' moves within (b − a)/2 of the midpoint m."""
    d = [r * c[r] for r in range(1, len(c))]
    if not d:
        return True
    m, radius = (a + b) / 2, (b - a) / 2
    centre = _value(d, m)
    margin = Fraction(0)
    for j in range(1, len(d)):
        shifted = [d[r] * _choose(r, j) * m ** (r - j) for r in range(j, len(d))]
        margin += abs(sum(shifted, Fraction(0))) * radius**j
    return abs(centre) > margin


def _choose(n: int, k: int) -> int:
    out = 1
    for j in range(k):
        out = out * (n - j) // (j + 1)
    return out


def _stays_nonnegative(c: list[Fraction], anchor: Fraction, lo: Fraction, hi: Fraction,
                       level: Fraction, sign: int) -> bool:  # fmt: skip
    """sign·(p − level) ≥ 0 on [lo, hi], given it holds at both ends: no root of its
    odd-multiplicity part inside and a positive value at an interior point where it is
    not zero."""
    shift = _q(anchor)
    expr = sum((_q(coef) * (_V - shift) ** r for r, coef in enumerate(c)), sympy.Integer(0))
    q = sympy.Poly(sign * (expr - _q(level)), _V, domain="QQ")
    if q.is_zero:
        return True
    odd = sympy.Integer(1)
    for factor, multiplicity in sympy.sqf_list(q)[1]:
        if multiplicity % 2:
            odd = odd * factor.as_expr()
    oddp = sympy.Poly(odd, _V, domain="QQ")
    inside = oddp.count_roots(_q(lo), _q(hi)) - (oddp.eval(_q(lo)) == 0) - (oddp.eval(_q(hi)) == 0)
    if inside:
        return False
    n = q.degree() + 2
    for j in range(1, n + 1):
        value = q.eval(_q(lo + (hi - lo) * j / (n + 1)))
        if value != 0:
            return bool(value > 0)
    return True


def _q(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)
