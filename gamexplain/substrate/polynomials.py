"""The exact polynomial of a segment: its values, critical points, roots and signs.

A :class:`~gamexplain.substrate.pieces.Segment` carries one polynomial
Σ_r c_r·(x − anchor)^r of degree at most 3. Everything gamexplain asks of it lives here,
once: its value at a point (:func:`value_at`), its coefficients in powers of x itself
(:func:`global_coefficients`), the real roots of its derivative (:func:`critical_points`)
and so every point where an extremum may sit (:func:`segment_candidates`), and the roots
of the polynomial with its sign between them (:func:`roots_and_signs`). Quadratic
critical points are exact surds; roots of higher degree are sympy's exact isolation.

The certificate checks in :mod:`gamexplain.certify` keep their own code for the same
steps on purpose: a check must not share what it checks.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy

from gamexplain.exact import Exact, as_fraction, compare, exact_sign, polyval, to_sympy
from gamexplain.substrate.pieces import Segment

__all__ = [
    "critical_points",
    "floor_exact",
    "global_coefficients",
    "roots_and_signs",
    "segment_candidates",
    "simplify",
    "value_at",
]

_X = sympy.Symbol("x", real=True)


def value_at(segment: Segment, x: Exact) -> Exact:
    """The segment's polynomial at ``x``, exactly.

    Examples
    --------
    >>> one_plus_2t = (Fraction(1), Fraction(2))
    >>> s = Segment(Fraction(0), Fraction(2), True, Fraction(1), one_plus_2t, 0, False)
    >>> value_at(s, Fraction(2))
    Fraction(3, 1)
    """
    return polyval(segment.coefficients, x - segment.anchor)


def global_coefficients(segment: Segment) -> tuple[Fraction, ...]:
    """Coefficients of the piece's polynomial in powers of x itself (not x − anchor)."""
    out = [Fraction(0)] * len(segment.coefficients)
    for r, c in enumerate(segment.coefficients):
        for k in range(r + 1):
            out[k] += c * math.comb(r, k) * (-segment.anchor) ** (r - k)
    return tuple(out)


def segment_candidates(segment: Segment) -> list[tuple[Exact, Exact, bool]]:
    """(value, argument, attained) at every point where an extremum may sit."""
    points: list[tuple[Exact, bool]] = [(segment.low, True), (segment.high, segment.closed)]
    for root in critical_points(segment.coefficients):
        x = segment.anchor + root if isinstance(root, Fraction) else to_sympy(segment.anchor) + root
        if compare(x, segment.low) > 0 and compare(x, segment.high) < 0:
            if segment.integers:
                floor, ceil = floor_exact(x), -floor_exact(-x)
                points += [(Fraction(floor), True), (Fraction(ceil), True)]
            else:
                points.append((x, True))
    out = []
    for x, attained in points:
        out.append((value_at(segment, x), x, attained))
    return out


def floor_exact(x: Exact) -> int:
    """The floor of an exact number (a rational or an algebraic sympy number)."""
    if isinstance(x, Fraction):
        return math.floor(x)
    return int(sympy.floor(x))


def critical_points(coefficients: tuple[Fraction, ...]) -> list[Exact]:
    """Real roots of the derivative of Σ c_r·t^r (degree ≤ 3), exactly."""
    derivative = [r * c for r, c in enumerate(coefficients)][1:]
    while derivative and derivative[-1] == 0:
        derivative.pop()
    if len(derivative) <= 1:
        return []
    if len(derivative) == 2:
        return [-derivative[0] / derivative[1]]
    c, b, a = derivative
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    root = _rational_sqrt(disc)
    if root is not None:
        return [(-b - root) / (2 * a), (-b + root) / (2 * a)]
    s = sympy.sqrt(to_sympy(disc))
    return [(to_sympy(-b) - s) / to_sympy(2 * a), (to_sympy(-b) + s) / to_sympy(2 * a)]


def _rational_sqrt(value: Fraction) -> Fraction | None:
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if num * num == value.numerator and den * den == value.denominator:
        return Fraction(num, den)
    return None


def simplify(value: Any) -> Any:
    """A sympy number that is rational as a Fraction; anything else unchanged."""
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return as_fraction(value)
    return value


def roots_and_signs(local: tuple[Exact, ...], anchor: Fraction) -> tuple[list[Exact], list[int]]:
    """The distinct real roots of Σ local_r·(x − anchor)^r, ascending, and the sign of the
    polynomial on each of the len(roots) + 1 open gaps between them.

    The sign on the rightmost gap is the leading coefficient's; crossing a root of odd
    multiplicity flips it. The zero polynomial has no roots and sign 0.
    """
    if all(c == 0 for c in local):
        return [], [0]
    if all(c == 0 for c in local[1:]):
        return [], [exact_sign(local[0])]
    if all(c == 0 for c in local[2:]) and isinstance(local[0], Fraction):
        # a line: one rational root, no sympy needed (EBM and linear pieces are this case)
        slope = exact_sign(local[1])
        return [anchor - local[0] / local[1]], [-slope, slope]
    shift = to_sympy(anchor)
    poly = sympy.Poly(
        sum((to_sympy(c) * (_X - shift) ** r for r, c in enumerate(local)), sympy.Integer(0)), _X
    )
    roots = sympy.real_roots(poly)
    # real_roots lists roots in increasing order (exact isolation), repeated by multiplicity
    distinct = list(dict.fromkeys(roots))
    sign = exact_sign(poly.LC())
    signs = [sign]
    for r in reversed(distinct):
        if roots.count(r) % 2:
            sign = -sign
        signs.append(sign)
    return [simplify(r) for r in distinct], signs[::-1]
