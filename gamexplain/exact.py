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
    if expr.is_Rational:
        return int(sympy.sign(expr))
    try:
        approx = expr.evalf(40, strict=True)
    except sympy.core.evalf.PrecisionExhausted:
        approx = None
    if approx is not None and approx.is_Number and approx != 0:
        return 1 if approx > 0 else -1
    # evaluation could not separate the number from zero: an algebraic number is zero
    # iff its minimal polynomial is x
    x = sympy.Dummy("x")
    if sympy.minimal_polynomial(sympy.expand(expr), x) == x:
        return 0
    return 1 if expr.evalf(200) > 0 else -1


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
