"""Exact sign decisions: the solver's (gamexplain.exact) and the checks' (certify) agree
with each other and with hand-derived truths, on cases built to fool a float evaluation."""

from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from gamexplain import certify
from gamexplain.exact import compare, exact_sign

SQRT2, SQRT3, SQRT6 = sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(6)
TINY = sympy.Rational(1, 10**300)
CUBE_ROOT_2 = sympy.CRootOf(sympy.Poly(sympy.Symbol("x") ** 3 - 2), 0)

CASES = [
    (SQRT2 - sympy.Rational(141421356237, 10**11), 1),
    ((1 + SQRT2) ** 3 - 7 - 5 * SQRT2, 0),
    (SQRT2 + SQRT3 - sympy.sqrt(5 + 2 * SQRT6), 0),
    (SQRT2 + SQRT3 - sympy.sqrt(5 + 2 * SQRT6) + TINY, 1),
    (SQRT2 + SQRT3 - sympy.sqrt(5 + 2 * SQRT6) - TINY, -1),
    (3 * SQRT2 - 2 * sympy.sqrt(5) + sympy.Rational(1, 1000), -1),
    # heavy cancellation: (1 + 10^-300·√2) − 1 is positive, far below float resolution
    (1 + TINY * SQRT2 - 1, 1),
    # √2 = 1.41421356… lies just below 99/70 = 1.41428571…
    (TINY * (SQRT2 - sympy.Rational(99, 70)), -1),
    (TINY * TINY - TINY * (SQRT2 - sympy.Rational(99, 70)), 1),
    (CUBE_ROOT_2 - sympy.Rational(126, 100), -1),
    (CUBE_ROOT_2 - sympy.Rational(125, 100), 1),
    (CUBE_ROOT_2**3 - 2, 0),
]


@pytest.mark.parametrize(("number", "expected"), CASES)
def test_both_sign_deciders_get_the_hand_derived_sign(number, expected):
    assert exact_sign(number) == expected
    assert certify.sign(number) == expected


def test_a_cubic_with_a_1e_300_term_is_not_misjudged_at_its_critical_point():
    # the minimum of 0.5 − t/4 + t²/10 + 10^-300·t³ on [0, 3] is a hair above 0.34375
    c = [sympy.Rational(Fraction(v).numerator, Fraction(v).denominator)
         for v in (0.5, -0.25, 0.1, 1e-300)]  # fmt: skip
    t = sympy.Symbol("t")
    poly = sum(ci * t**k for k, ci in enumerate(c))
    # a float evaluation of the roots loses the one inside [0, 3] to cancellation
    roots = sympy.solve(sympy.diff(poly, t), t)
    critical = [r for r in roots if certify.sign(r) > 0 and certify.compare(r, 3) < 0]
    assert len(critical) == 1
    assert (
        certify.compare(critical[0], Fraction(124, 100))
        > 0
        > certify.compare(critical[0], Fraction(5, 4))
    )
    value = sympy.expand(poly.subs(t, critical[0]))
    for threshold in (
        sympy.Rational(34, 100),
        sympy.Rational(Fraction(0.34).numerator, Fraction(0.34).denominator),
    ):
        assert exact_sign(value - threshold) == 1
        assert certify.sign(value - threshold) == 1


rationals = st.fractions(max_denominator=10**6).filter(lambda q: abs(q) < 10**6)


@given(rationals, rationals, st.integers(2, 50), rationals)
def test_signs_of_quadratic_irrationals_agree_with_exact_squaring(a, b, d, shift):
    # a + b·√d − shift: positive iff (a − shift) + b·√d > 0, decided by hand below
    number = sympy.Rational(a - shift) + sympy.Rational(b) * sympy.sqrt(d)
    u, v = a - shift, b
    if v == 0 or sympy.sqrt(d).is_Rational:
        expected = int(sympy.sign(number))
    elif (u >= 0 and v >= 0) or (u <= 0 and v <= 0):
        expected = 1 if (u > 0 or v > 0) else -1
    else:
        expected = (1 if u > 0 else -1) * (1 if u * u > v * v * d else -1)
    assert exact_sign(number) == expected
    assert certify.sign(number) == expected
    assert compare(number, 0) == certify.compare(number, 0) == expected


def test_certify_reads_numbers_exactly_and_refuses_non_numbers():
    assert certify.exact_number(0.1) == Fraction(0.1)
    for bad in (float("nan"), float("inf"), "1", None, True, sympy.I):
        with pytest.raises(certify.CertificateError):
            certify.exact_number(bad)
