"""One clipping rule: where a piecewise shape's pieces meet the domain, and their measures."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamexplain import Feature, Integers, Interval, Piecewise
from gamexplain.model.spans import clip_piece, piece_measures
from gamexplain.substrate.pieces import lower

SHAPE = Piecewise([0, 2.5, 2.75, 10], [[1.0], [2.0], [3.0]])


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        (Integers(0, 10), (3, 0, 8)),  # 0..2 | none in [2.5, 2.75) | 3..10
        (Interval(0, 10), (Fraction(5, 2), Fraction(1, 4), Fraction(29, 4))),
        (Interval(1, 1), (1, 0, 0)),  # one point: a point mass on its piece
        (Integers(3, 3), (0, 0, 1)),
    ],
)
def test_piece_measures(domain, expected):
    assert piece_measures(Feature("x", domain, SHAPE)) == tuple(map(Fraction, expected))


def test_the_last_piece_is_closed_and_the_others_open():
    domain = Integers(0, 10)
    assert clip_piece(Fraction(0), Fraction(3), False, domain) == (0, 2, True)
    assert clip_piece(Fraction(3), Fraction(10), True, domain) == (3, 10, True)
    assert clip_piece(Fraction(10), Fraction(12), False, Interval(0, 10)) == (10, 10, True)
    assert clip_piece(Fraction(11), Fraction(12), False, Interval(0, 10)) is None
    assert clip_piece(Fraction(9), Fraction(10), False, Interval(0, 10)) == (9, 10, False)


CUTS = [-3, 2.5, 2.75, 30]


@given(st.integers(-3, 12), st.integers(0, 12), st.booleans())
def test_measures_add_up_to_the_domain_and_lower_clips_by_the_same_rule(low, span, integers):
    domain = Integers(low, low + span) if integers else Interval(low, low + span)
    feature = Feature("x", domain, Piecewise(CUTS, [[1.0], [2.0], [3.0]]))
    assert sum(piece_measures(feature)) == (span + 1 if integers else span or 1)
    cuts = [Fraction(c) for c in CUTS]
    parts = {k: clip_piece(cuts[k], cuts[k + 1], k == 2, domain) for k in range(3)}
    segments = {s.piece: (s.low, s.high, s.closed) for s in lower(feature)}
    assert segments == {k: part for k, part in parts.items() if part is not None}
