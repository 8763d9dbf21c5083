"""The affine kit behind from_sklearn's scalers, against direct evaluation in rationals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from gamexplain.io._affine import Affine, clamped, drop_slivers, prolong, pull_back
from gamexplain.io._splines import ExactPieces

rationals = st.fractions(min_value=-50, max_value=50, max_denominator=64)
scales = st.fractions(min_value=Fraction(1, 16), max_value=16, max_denominator=64)
steps = st.lists(
    st.tuples(scales, rationals, st.none() | st.tuples(rationals, rationals).map(sorted)),
    max_size=4,
)


def _evaluate(pieces: ExactPieces, x: Fraction) -> Fraction:
    poly = pieces.local(x)
    return poly[0]


def _direct(chain, x: Fraction) -> Fraction:
    for scale, shift, clip in chain:
        x = scale * x + shift
        if clip is not None:
            x = min(max(x, clip[0]), clip[1])
    return x


def _mapped(chain) -> Affine:
    affine = Affine(0)
    for scale, shift, clip in chain:
        affine = affine.then(scale, shift)
        if clip is not None:
            affine = affine.clipped(*clip)
    return affine


@given(chain=steps, xs=st.lists(rationals, min_size=1, max_size=8))
def test_a_chain_of_maps_and_clips_is_one_map_of_a_clipped_x(chain, xs) -> None:
    affine = _mapped(chain)
    for x in xs:
        assert affine.forward(affine.clamp(x)) == _direct(chain, x)


@given(
    chain=steps,
    cuts=st.lists(rationals, min_size=2, max_size=5, unique=True).map(sorted),
    polys=st.lists(st.lists(rationals, min_size=1, max_size=4), min_size=4, max_size=4),
    xs=st.lists(st.fractions(0, 1, max_denominator=97), min_size=1, max_size=8),
)
def test_pulled_back_and_clamped_pieces_equal_the_composition(chain, cuts, polys, xs) -> None:
    f = ExactPieces(list(cuts), [tuple(p) for p in polys[: len(cuts) - 1]])
    affine = _mapped(chain)
    low, high = affine.backward(cuts[0]), affine.backward(cuts[-1])  # maps onto f's span
    lo, hi = affine.clamp(low), affine.clamp(high)
    assume(cuts[0] <= affine.forward(lo) and affine.forward(hi) <= cuts[-1])  # clips inside
    inner = pull_back(f, affine)
    g = inner if (lo, hi) == (low, high) else clamped(prolong(inner, lo, hi), low, high, lo, hi)
    for t in xs:
        x = low + t * (high - low)
        assert _evaluate(g, x) == _evaluate(f, _direct(chain, x))


def test_slivers_narrower_than_a_float_are_absorbed() -> None:
    tiny = Fraction(1, 2**80)  # 1 + tiny and 3 + tiny round to 1.0 and 3.0
    pieces = ExactPieces(
        [Fraction(1), 1 + tiny, Fraction(2), Fraction(3), 3 + tiny],
        [(Fraction(5),), (Fraction(0), Fraction(1)), (Fraction(1), Fraction(2)), (Fraction(9),)],
    )
    kept = drop_slivers(pieces)
    assert kept.cuts == [Fraction(1), Fraction(2), 3 + tiny]
    assert kept.polys[0] == (-tiny, Fraction(1))  # the second piece, prolonged down to 1
    assert kept.polys[1] == (Fraction(1), Fraction(2))  # the last sliver absorbed
    assert kept.to_piecewise("x").breakpoints == (1.0, 2.0, 3.0)
