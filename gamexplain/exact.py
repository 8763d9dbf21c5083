"""Exact arithmetic: every float parameter is the rational number it denotes.

gamexplain computes fast paths in floats and re-checks certificates here. Rational
quantities are :class:`fractions.Fraction`; the few irrational ones (critical points of
cubic pieces on an interval, roots of level sets) are sympy algebraic numbers. The
helpers below accept either kind, and compare them exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import TypeAlias

import sympy

from gamexplain.errors import UnsupportedQueryError

__all__ = [
    "Exact",
    "as_fraction",
    "compare",
    "exact_sign",
    "normalise",
    "polyval",
    "to_float",
    "to_sympy",
]

Exact: TypeAlias = "Fraction | sympy.Expr"
"""A rational number, or a real algebraic number held as a sympy expression."""


def as_fraction(value: object) -> Fraction:
    """The exact rational denoted by a finite number (int, float, Fraction, numpy scalar).

    Raises ``ValueError`` for NaN, infinities and non-numbers; callers at the public
    boundary turn that into a gamexplain error that names the place.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        raise ValueError(f"{value} is not a rational number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    if hasattr(value, "dtype") and value.dtype.kind in "iu":  # numpy integers
        return Fraction(int(value))  # type: ignore[call-overload]
    return Fraction(number)


def to_sympy(value: Exact | int) -> sympy.Expr:
    """The value as a sympy number (rationals become ``sympy.Rational``)."""
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    return value


def to_float(value: Exact | int) -> float:
    """The nearest float (for display and fast paths only)."""
    if isinstance(value, Fraction | int):
        return float(value)
    return float(sympy.N(value, 30))


def exact_sign(value: Exact | int) -> int:
    """The sign (-1, 0 or 1) of an exact number, decided without rounding error."""
    if isinstance(value, Fraction | int):
        return (value > 0) - (value < 0)
    return _algebraic_sign(sympy.sympify(value))


@lru_cache(maxsize=4096)
def _algebraic_sign(expr: sympy.Expr) -> int:
    expr = sympy.expand(expr)
    if expr.is_Rational:
        return int(sympy.sign(expr))
    terms = _surds(expr)
    if terms is not None and len({d for _, d in terms if d != 1}) <= 2:
        return _surd_sign(terms)
    if terms is not None:  # many radicands: integer bounds on each root decide most signs
        sign = _bracketed_sign(terms)
        if sign is not None:
            return sign
    return _isolated_sign(expr)


def _bracketed_sign(terms: list[tuple[Fraction, Fraction]], bits: int = 4096) -> int | None:
    """The sign of Σ c_k·√d_k from rational brackets of every root, or None when the
    brackets still straddle 0 at ``bits`` bits (the sum may be 0: the caller decides).

    For d = n/m, √d = √(n·m)/m, and isqrt(n·m·4^b) = ⌊√(n·m)·2^b⌋ brackets √(n·m)·2^b
    between two consecutive integers: every bound is an exact rational, so a bracket
    of the sum that excludes 0 proves its sign. Precision doubles from 64 bits."""
    if any(d < 0 for _, d in terms):
        return None
    precision = 64
    while precision <= bits:
        low = high = Fraction(0)
        for c, d in terms:
            n, m = d.numerator, d.denominator
            scaled = (n * m) << (2 * precision)
            root = math.isqrt(scaled)
            below = Fraction(root, m << precision)
            above = below if root * root == scaled else Fraction(root + 1, m << precision)
            low += c * (below if c > 0 else above)
            high += c * (above if c > 0 else below)
        if low > 0:
            return 1
        if high < 0:
            return -1
        precision *= 2
    return None


def _surds(expr: sympy.Expr) -> list[tuple[Fraction, Fraction]] | None:
    """``expr`` as Σ c_k·√d_k with rational c_k, d_k (d = 1 for the rational part), or
    None when it has another form. Critical points of cubic pieces live in Q(√d)."""
    terms = []
    for term in sympy.Add.make_args(expr):
        coefficient, rest = term.as_coeff_Mul()
        if rest == 1:
            terms.append((_rational(coefficient), Fraction(1)))
        elif rest.is_Pow and rest.exp == sympy.Rational(1, 2) and rest.base.is_Rational:
            terms.append((_rational(coefficient), _rational(rest.base)))
        else:
            return None
    return terms


def _rational(value: sympy.Expr) -> Fraction:
    return Fraction(int(value.p), int(value.q))


def _surd_sign(terms: list[tuple[Fraction, Fraction]]) -> int:
    """The sign of Σ c_k·√d_k over at most two distinct radicands, in rationals only:
    split off one radicand, u + c·√d, and compare u² with c²·d when the signs differ."""
    merged: dict[Fraction, Fraction] = {}
    for c, d in terms:
        merged[d] = merged.get(d, Fraction(0)) + c
    merged = {d: c for d, c in merged.items() if c != 0 and d != 0}
    if not merged:
        return 0
    radicands = sorted(d for d in merged if d != 1)
    if not radicands:
        return (merged[Fraction(1)] > 0) - (merged[Fraction(1)] < 0)
    d = radicands[-1]
    c = merged.pop(d)
    rest = [(coefficient, radicand) for radicand, coefficient in merged.items()]
    rest_sign, own_sign = _surd_sign(rest), (c > 0) - (c < 0)
    if rest_sign == own_sign or rest_sign == 0:
        return own_sign
    # opposite signs: |u| against |c|·√d, i.e. the sign of u² − c²·d, times u's sign
    squared = [(a * b, p * q) for a, p in rest for b, q in rest]
    return rest_sign * _surd_sign([*_reduce(squared), (-c * c * d, Fraction(1))])


def _reduce(terms: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """Perfect-square radicands folded into the rational part. Squaring u = a + b·√p
    gives the radicands 1, p and p², so the result has at most one radicand."""
    out = []
    for c, d in terms:
        root = _rational_root(d)
        if root is not None:
            out.append((c * root, Fraction(1)))
            continue
        out.append((c, d))
    return out


def _rational_root(value: Fraction) -> Fraction | None:
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if num * num == value.numerator and den * den == value.denominator:
        return Fraction(num, den)
    return None


def _isolated_sign(expr: sympy.Expr) -> int:
    """Any other real algebraic number: zero iff its minimal polynomial is x; otherwise
    isolate the real roots of that polynomial in rational intervals that exclude 0, and
    refine the number's certified approximation until it meets exactly one of them."""
    x = sympy.Dummy("x")
    minimal = sympy.Poly(sympy.minimal_polynomial(expr, x), x)
    if minimal.degree() == 1 and minimal.TC() == 0:
        return 0
    # 0 is not a root (the minimal polynomial is not x): one-signed roots decide at once
    intervals = [(Fraction(str(a)), Fraction(str(b))) for (a, b), _ in minimal.intervals()]
    if all(lo >= 0 for lo, _ in intervals):
        return 1
    if all(hi <= 0 for _, hi in intervals):
        return -1
    digits = 30
    while digits <= 20_000:
        narrow = [
            (Fraction(str(a)), Fraction(str(b)))
            for (a, b), _ in minimal.intervals(eps=sympy.Rational(1, 10**digits))
        ]
        try:
            approx = expr.evalf(digits + 10, strict=True)
        except sympy.core.evalf.PrecisionExhausted:
            digits *= 2
            continue
        centre = Fraction(str(sympy.Float(approx, digits + 10)))
        radius = abs(centre) / 10**digits + Fraction(1, 10 ** (digits + 5))
        hits = [(lo, hi) for lo, hi in narrow if lo - radius <= centre <= hi + radius]
        if len(hits) == 1 and hits[0][0] * hits[0][1] > 0:
            return 1 if hits[0][0] > 0 else -1
        digits *= 2
    raise UnsupportedQueryError(
        f"could not decide the sign of {expr} within 20,000 digits of isolation"
    )


def compare(left: Exact | int, right: Exact | int) -> int:
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right``, exactly."""
    if isinstance(left, Fraction | int) and isinstance(right, Fraction | int):
        return (left > right) - (left < right)
    return exact_sign(to_sympy(left) - to_sympy(right))


def polyval(coefficients: tuple[Fraction, ...], t: Exact) -> Exact:
    """Σ_r c_r·t^r by Horner's rule, exact for rational or algebraic ``t``."""
    if isinstance(t, Fraction):
        total = Fraction(0)
        for c in reversed(coefficients):
            total = total * t + c
        return total
    expr = sympy.Integer(0)
    for c in reversed(coefficients):
        expr = expr * t + to_sympy(c)
    return sympy.expand(expr)


def normalise(weights: Sequence[object]) -> list[Fraction]:
    """Non-negative weights as exact probabilities: each divided by their exact total."""
    exact = [as_fraction(w) for w in weights]
    total = sum(exact, Fraction(0))
    return [w / total for w in exact]
