"""The one integer scaler: exact on a common denominator, outward on a coarser unit."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gamexplain.substrate.scaling import (
    common_denominator,
    integers_or_none,
    round_outward,
    to_integers,
)

rationals = st.fractions(max_denominator=10**6)


@given(st.lists(rationals, max_size=12))
def test_scaling_is_exact_and_keeps_order_and_sums(values):
    scale = common_denominator(values)
    integers = to_integers(values, scale)
    assert [Fraction(n, scale) for n in integers] == values
    assert sorted(range(len(values)), key=integers.__getitem__) == sorted(
        range(len(values)), key=values.__getitem__
    )
    assert Fraction(sum(integers), scale) == sum(values, Fraction(0))


def test_an_irrational_value_has_no_integer_form():
    import sympy

    assert integers_or_none([Fraction(1, 2), sympy.sqrt(2)]) is None
    assert integers_or_none([Fraction(1, 2), Fraction(1, 3)]) == [3, 2]


@given(rationals, rationals.filter(lambda u: u > 0))
def test_outward_rounding_brackets_the_value_within_one_unit(value, unit):
    low, high = round_outward(value, unit, up=False), round_outward(value, unit, up=True)
    assert low * unit <= value <= high * unit
    assert high - low == (0 if (value / unit).denominator == 1 else 1)
