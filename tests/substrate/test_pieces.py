"""Exact lowering: ReLU nets compile to linear pieces that equal the network everywhere."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import relu_nets

from gamexplain import Feature, Integers, Interval, Layer, PieceLimitError, ReLUNet
from gamexplain.exact import polyval
from gamexplain.substrate.pieces import compile_relu, lower


@given(relu_nets(max_depth=3, max_width=4), st.integers(-5, 0), st.integers(0, 5))
def test_compiled_pieces_equal_the_network(net, low, high):
    cuts, lines = compile_relu(net, Fraction(low), Fraction(high))
    assert cuts[0] == low and cuts[-1] == high
    assert all(a < b for a, b in itertools.pairwise(cuts)) or low == high
    probes = {Fraction(low) + (high - low) * Fraction(k, 37) for k in range(38)} | set(cuts)
    for x in probes:
        k = max(i for i in range(len(lines)) if cuts[i] <= x) if x < cuts[-1] else len(lines) - 1
        assert polyval(lines[k], x - cuts[k]) == net.evaluate_exact(x)


def test_adjacent_equal_lines_are_merged():
    identity_twice = ReLUNet([Layer([[1.0, 1.0]], [0.0, 0.0]), Layer([[1.0], [1.0]], [0.0])])
    cuts, lines = compile_relu(identity_twice, Fraction(1), Fraction(3))
    assert cuts == (1, 3) and lines == ((2, 2),)


def test_piece_limit_is_stated_and_enforced():
    width = 40
    sawtooth = ReLUNet(
        [
            Layer([[1.0] * width], [-float(k) for k in range(width)]),
            Layer([[(-1.0) ** k] for k in range(width)], [0.0]),
        ]
    )
    with pytest.raises(PieceLimitError, match="more than 10 linear pieces"):
        compile_relu(sawtooth, Fraction(0), Fraction(width), piece_limit=10)
    assert len(compile_relu(sawtooth, Fraction(0), Fraction(width))[1]) > 10


def test_integer_segments_hold_only_the_integers_of_each_piece():
    from gamexplain import Piecewise

    feature = Feature("x", Integers(0, 10), Piecewise([0, 2.5, 2.75, 10], [[1.0], [2.0], [3.0]]))
    segments = lower(feature)
    assert [(s.low, s.high, s.piece) for s in segments] == [(0, 2, 0), (3, 10, 2)]
    on_interval = lower(Feature("x", Interval(0, 10), feature.shape))
    assert [(s.low, s.high, s.closed) for s in on_interval] == [
        (0, Fraction(5, 2), False),
        (Fraction(5, 2), Fraction(11, 4), False),
        (Fraction(11, 4), 10, True),
    ]
