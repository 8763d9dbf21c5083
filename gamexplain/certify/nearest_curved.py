"""The check behind ``witness="nearest"`` on curved pieces (one-feature reasons).

Re-derived without the solver's root isolation (:mod:`gamexplain.algorithms.nearest_curved`):
with L the claimed lower bound, every free feature's values closer than L spread units to
x_i are shown not to flip. On a polynomial piece the flip condition is q(v) > 0 (or ≥ 0)
for q = ±(p(v) − c); "no flip on an interval J" is decided by Sturm root counts
(sympy's ``count_roots``) of q, or of the product of q's odd-multiplicity factors
(``sqf_list``) when q may touch zero, plus q's exact sign at one interior point. Integer
segments are enumerated (at most ``MAX_CHECK_POINTS`` values), finite values evaluated.
Each piece's polynomial is first matched to this package's exact evaluator at deg + 1
points. So the infimum is at least L; the witness flips (checked elsewhere) at distance D,
so it is at most D. When the certificate says L is exact, either D = L or every value
between the point at distance L and the witness flips (another Sturm count), so the
infimum is L; otherwise D − L ≤ 2·APPROACH.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from gamexplain import certify
from gamexplain.certify.evaluate import contribution, label, score
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.model.distance import APPROACH, feature_distance, spread
from gamexplain.substrate.pieces import Point, Segment, lower

__all__ = ["curved_nearest_consistent", "is_curved"]

_V = sympy.Symbol("v", real=True)


def is_curved(gam: Any, fixed: frozenset[int]) -> bool:
    """Whether a free feature has a piece that is not constant."""
    return any(
        isinstance(piece, Segment) and any(c != 0 for c in piece.coefficients[1:])
        for i, feature in enumerate(gam.features) if i not in fixed
        for piece in lower(feature)
    )  # fmt: skip


def curved_nearest_consistent(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], result: Any,
    claimed: Fraction, shown: Fraction,
) -> bool:  # fmt: skip
    """Whether the claimed bound (and, if so claimed, infimum) holds (module docstring)."""
    if gam.pairs or result.features is None or len(result.features) != 1:
        return False
    exact = result.certificate.nearest_exact
    if exact is None or claimed > shown:
        return False
    if shown - claimed > (APPROACH if exact else 2 * APPROACH):
        return False  # the witness is at most APPROACH past the infimum
    s = Fraction(exact_number(score(gam, x)))
    conditions = _conditions(gam, s)
    for i, feature in enumerate(gam.features):
        if i in fixed:
            continue
        here = Fraction(exact_number(contribution(gam, i, x[i])))
        for piece in lower(feature):
            for sign, level, strict in conditions:
                if not _no_flip_within(gam, i, feature, piece, x[i], claimed,
                                       (sign, level + here, strict)):  # fmt: skip
                    return False
    if exact and shown != claimed:
        return _approached(gam, x, result, claimed, conditions)
    return True


def _conditions(gam: Any, s: Fraction) -> list[tuple[int, Fraction, bool]]:
    """(sign, level, strict): flip iff sign·(Δ − level) > 0 (strict) or ≥ 0, Δ the
    change of one contribution."""
    task = gam.task
    if task.kind != "classification":
        tol = Fraction(task.tolerance)
        return [(1, tol, True), (-1, -tol, True)]
    need = Fraction(task.threshold) - s
    if label(gam, s) == 1:
        # stays positive while s + Δ ≥ thr (">=") or > thr
        return [(-1, need, task.positive == ">=")]
    return [(1, need, task.positive != ">=")]


def _poly(gam: Any, i: int, piece: Segment) -> sympy.Poly:
    """The piece's polynomial in v, matched to the exact evaluator at deg + 1 points."""
    anchor = sympy.Rational(piece.anchor.numerator, piece.anchor.denominator)
    expr = sum(
        (sympy.Rational(c.numerator, c.denominator) * (_V - anchor) ** r
         for r, c in enumerate(piece.coefficients)),
        sympy.Integer(0),
    )  # fmt: skip
    poly = sympy.Poly(expr, _V, domain="QQ")
    n = len(piece.coefficients)
    width = piece.high - piece.low
    for j in range(n):
        at = piece.low + width * j / max(n, 1)
        if piece.integers:
            at = Fraction(int(piece.low) + j) if piece.low + j <= piece.high else piece.low
        if Fraction(str(poly.eval(_q(at)))) != Fraction(exact_number(contribution(gam, i, at))):
            raise CertificateError(f"piece {piece.piece} disagrees with the model")
    return poly


def _q(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _flips(poly: sympy.Poly, at: Fraction, cond: tuple[int, Fraction, bool]) -> bool:
    sign, level, strict = cond
    d = sign * (Fraction(str(poly.eval(_q(at)))) - level)
    return d > 0 or (d == 0 and not strict)


def _no_flip_within(
    gam: Any, i: int, feature: Any, piece: Any, xi: Any, bound: Fraction,
    cond: tuple[int, Fraction, bool],
) -> bool:  # fmt: skip
    """No value of the piece closer than ``bound`` to x_i (other than x_i) flips."""
    domain = feature.domain
    if isinstance(piece, Point):
        if feature_distance(domain, piece.value, xi) == 0 or Fraction(1) >= bound:
            return True
        sign, level, strict = cond
        d = sign * (Fraction(piece.contribution) - level)
        return not (d > 0 or (d == 0 and not strict))
    radius = bound * spread(domain)
    v = Fraction(xi)
    a, b = max(piece.low, v - radius), min(piece.high, v + radius)
    if a > b:
        return True
    poly = _poly(gam, i, piece)
    if piece.integers:
        first, last = -(-a.numerator // a.denominator), b.numerator // b.denominator
        certify.check_size(last - first + 1, "the integers nearer than the bound")
        return not any(
            _flips(poly, Fraction(n), cond)
            for n in range(first, last + 1)
            if n != v and abs(n - v) < radius
        )
    # the real values of [a, b] strictly within the radius and in the piece
    left_in = a > v - radius and a >= piece.low
    right_in = b < v + radius and (b < piece.high or piece.closed)
    if a == b:
        return not (left_in and right_in and a != v and _flips(poly, a, cond))
    sign, level, strict = cond
    q = sympy.Poly(sign * (poly.as_expr() - _q(level)), _V, domain="QQ")
    if q.is_zero:
        return strict
    # q's sign is constant on (a, b) except at zeros where the odd part does not vanish
    odd = sympy.Integer(1)
    for factor, multiplicity in sympy.sqf_list(q)[1]:
        if multiplicity % 2:
            odd = odd * factor.as_expr()
    oddp = sympy.Poly(odd, _V, domain="QQ")
    crossings = oddp.count_roots(_q(a), _q(b)) - (oddp.eval(_q(a)) == 0) - (oddp.eval(_q(b)) == 0)
    if crossings:
        return False
    inside = _nonzero_point(q, a, b)
    if inside is not None and sympy.sign(q.eval(_q(inside))) > 0:
        return False
    if not strict:
        # q ≤ 0 on (a, b): a flip needs q = 0 at a value of the window other than x_i
        zeros = q.count_roots(_q(a), _q(b))
        for end, included in ((a, left_in), (b, right_in)):
            if q.eval(_q(end)) == 0 and (not included or end == v):
                zeros -= 1
        if a < v < b and q.eval(_q(v)) == 0:
            zeros -= 1  # x_i itself changes nothing
        if zeros > 0:
            return False
    return True


def _nonzero_point(q: sympy.Poly, a: Fraction, b: Fraction) -> Fraction | None:
    """A rational in (a, b) where q is not zero (None for the zero polynomial)."""
    n = q.degree() + 2
    for j in range(1, n + 1):
        at = a + (b - a) * j / (n + 1)
        if q.eval(_q(at)) != 0:
            return at
    return None


def _approached(
    gam: Any, x: tuple[Any, ...], result: Any, claimed: Fraction,
    conditions: list[tuple[int, Fraction, bool]],
) -> bool:  # fmt: skip
    """Every value between the point at distance ``claimed`` on the witness's side and the
    witness flips: so flipping points come arbitrarily close to ``claimed``."""
    (name,) = result.features
    i = [f.name for f in gam.features].index(name)
    feature = gam.features[i]
    if feature.domain.kind != "interval":
        return False
    v, w = Fraction(x[i]), Fraction(result.witness[i])
    t = v + claimed * spread(feature.domain) * (1 if w > v else -1)
    a, b = min(t, w), max(t, w)
    here = Fraction(exact_number(contribution(gam, i, x[i])))
    for piece in lower(feature):
        if not isinstance(piece, Segment):
            continue
        holds_w = piece.low <= w and (w < piece.high or (w == piece.high and piece.closed))
        if holds_w and piece.low <= a and b <= piece.high:
            poly = _poly(gam, i, piece)
            for sign, level, _ in conditions:
                q = sympy.Poly(sign * (poly.as_expr() - _q(level + here)), _V, domain="QQ")
                ends = int(q.eval(_q(a)) == 0) + int(q.eval(_q(b)) == 0)
                if q.count_roots(_q(a), _q(b)) - ends == 0 and q.eval(_q(w)) > 0:
                    return True
    return False
