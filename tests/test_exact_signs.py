"""Signs of sums of square roots with many radicands: the integer brackets agree with the
minimal-polynomial isolation, and a sum that is exactly 0 still reads 0."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gamexplain.exact import _bracketed_sign, _isolated_sign, exact_sign

rationals = st.fractions(min_value=-20, max_value=20, max_denominator=50)
radicands = st.fractions(min_value=Fraction(1, 50), max_value=60, max_denominator=50)


def _expr(terms: list[tuple[Fraction, Fraction]]) -> sympy.Expr:
    return sympy.expand(sum(
        (sympy.Rational(c.numerator, c.denominator)
         * sympy.sqrt(sympy.Rational(d.numerator, d.denominator)) for c, d in terms),
        sympy.Integer(0),
    ))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(rationals, radicands), min_size=3, max_size=5))
def test_brackets_agree_with_a_high_precision_sum(terms):
    expr = _expr(terms)
    assume(expr != 0)
    with mpmath.workdps(300):  # the test's oracle: 300 digits, far beyond any bracket used
        value = mpmath.fsum(mpmath.mpf(c.numerator) / c.denominator
                            * mpmath.sqrt(mpmath.mpf(d.numerator) / d.denominator)
                            for c, d in terms)  # fmt: skip
        assume(abs(value) > mpmath.mpf(10) ** -200)
        truth = 1 if value > 0 else -1
    assert _bracketed_sign(terms) == truth


def test_isolation_and_brackets_agree_on_three_radicands():
    terms = [(Fraction(3, 7), Fraction(2)), (Fraction(-5, 3), Fraction(3)),
             (Fraction(1), Fraction(7))]
    assert _bracketed_sign(terms) == _isolated_sign(_expr(terms))


def test_a_sum_that_is_zero_is_left_to_isolation_and_reads_zero():
    terms = [(Fraction(1), Fraction(3)), (Fraction(1), Fraction(12)), (Fraction(-3), Fraction(3)),
             (Fraction(1), Fraction(5)), (Fraction(1), Fraction(20)),
             (Fraction(-3), Fraction(5))]  # √3 + 2√3 − 3√3 + √5 + 2√5 − 3√5
    assert _bracketed_sign(terms) is None
    three = sympy.sqrt(2) + sympy.sqrt(3) + sympy.sqrt(5)
    assert exact_sign(three - sympy.sqrt(2) - sympy.sqrt(3) - sympy.sqrt(5)) == 0


def test_a_tiny_difference_of_many_radicands_is_signed():
    # √2 + √3 + √5 against a rational just above it: negative, decided by the brackets
    value = sympy.sqrt(2) + sympy.sqrt(3) + sympy.sqrt(5)
    close = Fraction(int(sympy.floor(value * 10**40)) + 1, 10**40)
    terms = [(Fraction(1), Fraction(2)), (Fraction(1), Fraction(3)), (Fraction(1), Fraction(5)),
             (-close, Fraction(1))]
    assert _bracketed_sign(terms) == -1
    assert exact_sign(value - sympy.Rational(close.numerator, close.denominator)) == -1
