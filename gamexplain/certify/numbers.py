"""Exact numbers for certificate checks, implemented apart from :mod:`gamexplain.exact`.

A check must not share decision code with the solver it checks, or one bug would pass
both. The solver decides signs in :mod:`gamexplain.exact` (exact arithmetic in fields of
square roots, then minimal polynomials); this module decides them another way:

1. rationals compare exactly;
2. a real algebraic number held as a sympy expression is enclosed by *rigorous* interval
   arithmetic (mpmath's ``iv`` context, outward rounding) at rising precision until the
   enclosure excludes zero;
3. when a few rounds cannot separate it from zero, sympy's minimal polynomial decides
   whether it *is* zero (an algebraic number is zero iff its minimal polynomial is ``x``);
   a nonzero number is then refined until its enclosure excludes zero, which must happen.

No step rounds to a float and reads off a sign.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, TypeAlias

import mpmath
import sympy

from gamexplain.errors import CertificateError

__all__ = ["CertificateError", "Number", "compare", "enclose", "exact_number", "sign"]

Number: TypeAlias = "Fraction | sympy.Expr"

_FIRST_BITS = 96
_MAX_BITS = 1 << 16


def exact_number(value: Any) -> Number:
    """The exact number a finite numeric value denotes (a float is its own rational).

    Raises
    ------
    CertificateError
        For booleans, NaN, infinities and anything that is not a real number.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise CertificateError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        if value.is_number and value.is_real is not False and not value.has(sympy.zoo, sympy.nan):
            return value
        raise CertificateError(f"{value} is not a real number")
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu":
        return Fraction(int(value))
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CertificateError(f"{value!r} is not a number") from exc
    if not math.isfinite(number):
        raise CertificateError(f"{value!r} is not a finite number")
    return Fraction(number)


def sign(value: Any) -> int:
    """-1, 0 or 1: the sign of an exact number, decided rigorously."""
    number = exact_number(value)
    if isinstance(number, Fraction):
        return (number > 0) - (number < 0)
    return _algebraic_sign(number)


def compare(left: Any, right: Any) -> int:
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right``."""
    a, b = exact_number(left), exact_number(right)
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return (a > b) - (a < b)
    return sign(_sym(a) - _sym(b))


def _sym(value: Number) -> sympy.Expr:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def _algebraic_sign(expr: sympy.Expr) -> int:
    expr = sympy.expand(expr)
    if expr.is_Rational:
        return int(sympy.sign(expr))
    bits = _FIRST_BITS
    for _ in range(3):
        side = _side(expr, bits)
        if side:
            return side
        bits *= 4
    if sympy.minimal_polynomial(expr, sympy.Dummy("x")).is_Symbol:
        return 0
    while bits <= _MAX_BITS:
        side = _side(expr, bits)
        if side:
            return side
        bits *= 2
    raise CertificateError(f"could not separate {expr} from zero within {_MAX_BITS} bits")


def _side(expr: sympy.Expr, bits: int) -> int:
    low, high = enclose(expr, bits)
    if low > 0:
        return 1
    if high < 0:
        return -1
    return 0


def enclose(expr: Any, bits: int) -> tuple[Any, Any]:
    """A rigorous enclosure [low, high] (mpmath numbers) of a real sympy number."""
    old = mpmath.iv.prec
    mpmath.iv.prec = bits
    try:
        box = _interval(sympy.sympify(expr), bits)
        return box.a, box.b
    finally:
        mpmath.iv.prec = old


def _interval(expr: sympy.Expr, bits: int) -> Any:
    iv = mpmath.iv
    if expr.is_Integer:
        return iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / iv.mpf(int(expr.q))
    if expr.is_Add:
        total = iv.mpf(0)
        for term in expr.args:
            total += _interval(term, bits)
        return total
    if expr.is_Mul:
        product = iv.mpf(1)
        for factor in expr.args:
            product *= _interval(factor, bits)
        return product
    if expr.is_Pow:
        return _power(expr, bits)
    if isinstance(expr, sympy.CRootOf) and expr.is_real:
        width = sympy.Rational(1, 2 ** (bits + 8))
        centre = expr.eval_rational(dx=width, dy=width)
        return _interval(centre, bits) + iv.mpf([-1, 1]) * _interval(width, bits)
    raise CertificateError(f"cannot enclose {expr} (a {type(expr).__name__})")


def _power(expr: sympy.Pow, bits: int) -> Any:
    iv = mpmath.iv
    base, exponent = expr.args
    inner = _interval(base, bits)
    if exponent.is_Integer:
        return inner ** int(exponent)
    if exponent.is_Rational and inner.a > 0:
        q = int(exponent.q)
        root = iv.sqrt(inner) if q == 2 else iv.exp(iv.log(inner) / q)
        return root ** int(exponent.p)
    if exponent.is_Rational and exponent.q == 2 and inner.a >= 0:
        return iv.sqrt(inner) ** int(exponent.p)
    raise CertificateError(f"cannot enclose {expr}")
