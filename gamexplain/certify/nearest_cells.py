"""The check behind ``witness="nearest"`` for reasons of several features on curved pieces.

The certificate lists, per curved free feature, cells [low, high] with bounds [bottom,
top] of the feature's contribution on each (:mod:`gamexplain.algorithms.nearest_cells`).
Re-derived here without the solver's bounds: the cells must cover the feature's domain
(every integer of an integer domain); each bound is checked against every piece whose
closed range meets the cell, its polynomial matched to this package's exact evaluator at
deg + 1 points, by exact arithmetic: a polynomial of degree ≤ 3 takes its extremes on
the overlap at its ends or at the real roots of its derivative inside, and those roots
(α + β√D from the quadratic formula) and the polynomial's values there are compared with
the bounds exactly in Q(√D), with no floating point and no root isolation. Each
cell then becomes a candidate (gain top − h or h − bottom toward a flip, distance from
x_i to the cell) and :mod:`gamexplain.certify.nearest`'s own sweep finds the least
distance of a choice of at most k candidates that flips: every flipping point is such a
choice, so it bounds the infimum from below and must be at least the claimed bound.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from gamexplain import certify
from gamexplain.certify.evaluate import contribution
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.model.distance import spread
from gamexplain.substrate.pieces import Segment, lower

__all__ = ["cell_candidates", "curved_features"]


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
    """bottom ≤ p(v) ≤ top for every v in [lo, hi]: at both ends, and at every real root
    of p' strictly inside, valued exactly in Q(√disc)."""
    anchor, c = poly[0], poly[1:]
    if len(c) > 4:
        return False  # the cells cover pieces of degree at most 3
    a, b = lo - anchor, hi - anchor
    for end in (a, b):
        if not bottom <= _value(c, end) <= top:
            return False
    for root in _critical(c):
        if _sign(_sub(root, a)) > 0 and _sign(_sub(root, b)) < 0:
            value = _surd_value(c, root)
            if _sign(_sub(value, top)) > 0 or _sign(_sub(value, bottom)) < 0:
                return False
    return True


_Surd = tuple[Fraction, Fraction, Fraction]
"""α + β·√D as (α, β, D), D ≥ 0 rational."""


def _critical(c: list[Fraction]) -> list[_Surd]:
    """The real roots of the derivative of Σ c_r u^r (degree ≤ 3), as surds."""
    d = [r * c[r] for r in range(1, len(c))] + [Fraction(0)] * 3
    d1, d2, d3 = d[0], d[1], d[2]
    zero = Fraction(0)
    if d3 == 0:
        return [] if d2 == 0 else [(-d1 / d2, zero, zero)]
    disc = d2 * d2 - 4 * d3 * d1
    if disc < 0:
        return []
    return [(-d2 / (2 * d3), sign / (2 * d3), disc) for sign in (-1, 1)]


def _sub(x: _Surd, t: Fraction) -> _Surd:
    return (x[0] - t, x[1], x[2])


def _sign(x: _Surd) -> int:
    """The exact sign of α + β√D."""
    alpha, beta, disc = x
    root_part = 0 if beta == 0 or disc == 0 else (1 if beta > 0 else -1)
    alpha_sign = (alpha > 0) - (alpha < 0)
    if root_part == 0 or alpha_sign == root_part or alpha_sign == 0:
        return alpha_sign or root_part
    # opposite signs: the larger square wins
    gap = alpha * alpha - beta * beta * disc
    return alpha_sign if gap > 0 else (root_part if gap < 0 else 0)


def _surd_value(c: list[Fraction], root: _Surd) -> _Surd:
    """Σ c_r·root^r by Horner in Q(√D)."""
    a, b, disc = root
    alpha, beta = Fraction(0), Fraction(0)
    for coefficient in reversed(c):
        alpha, beta = alpha * a + beta * b * disc + coefficient, alpha * b + beta * a
    return (alpha, beta, disc)
