"""The exact polynomial of a segment, held against evaluation and brute force."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gamexplain.exact import compare, exact_sign, polyval
from gamexplain.substrate.pieces import Segment
from gamexplain.substrate.polynomials import (
    critical_points,
    global_coefficients,
    roots_and_signs,
    segment_candidates,
    value_at,
)

small = st.fractions(min_value=-4, max_value=4, max_denominator=6)


@st.composite
def integer_segments(draw: st.DrawFn) -> Segment:
    low = draw(st.integers(-6, 6))
    high = low + draw(st.integers(0, 10))
    coefficients = tuple(draw(st.lists(small, min_size=1, max_size=4)))
    return Segment(Fraction(low), Fraction(high), True, draw(small), coefficients, 0, True)


@given(integer_segments(), small)
def test_coefficients_in_x_give_the_same_values(segment, x):
    assert polyval(global_coefficients(segment), x) == value_at(segment, x)


@given(integer_segments())
def test_candidates_hold_the_extremes_of_every_integer(segment):
    points = range(int(segment.low), int(segment.high) + 1)
    values = [value_at(segment, Fraction(x)) for x in points]
    found = [value for value, _, attained in segment_candidates(segment) if attained]
    assert any(compare(v, max(values)) == 0 for v in found)
    assert any(compare(v, min(values)) == 0 for v in found)


@given(st.lists(small, min_size=2, max_size=4))
def test_critical_points_are_roots_of_the_derivative(coefficients):
    derivative = tuple(r * c for r, c in enumerate(coefficients))[1:]
    for t in critical_points(tuple(coefficients)):
        assert exact_sign(polyval(derivative, t)) == 0


@given(st.lists(small, min_size=1, max_size=4), small)
def test_the_sign_between_roots_is_the_polynomial_sign(local, anchor):
    roots, signs = roots_and_signs(tuple(local), anchor)
    assert len(signs) == len(roots) + 1
    probes = [Fraction(-100)] if not roots else []
    for k, sign in enumerate(signs):
        if roots:
            left = roots[k - 1] if k else roots[0] - 1
            right = roots[k] if k < len(roots) else roots[-1] + 1
            probes = [(left + right) / 2]
        for x in probes:
            assert exact_sign(polyval(tuple(local), x - anchor)) == sign
