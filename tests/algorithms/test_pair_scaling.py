"""The pairwise oracle's integer tables, built by moving float exponents, equal the
same tables computed in Fractions; pair bins by bisection equal the edge-by-edge scan."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain.algorithms.pairwise import _Scaled


@given(gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
                components=("table", "ebm"), pairs=True))  # fmt: skip
def test_scaled_tables_equal_the_fraction_tables(gam):
    scaled = _Scaled(gam)
    for pair, exact, rounded in zip(gam.pairs, scaled.pairs, scaled.rounded, strict=True):
        values = [[Fraction(v) for v in row] for row in pair.values]
        assert [[int(v) for v in row] for row in exact] == [
            [int(v * scaled.scale) for v in row] for row in values
        ]
        if scaled.fits:
            assert [[int(v) for v in row] for row in rounded] == [
                [round(v * 2**scaled.shift) for v in row] for row in values
            ]


@given(data=st.data(), gam=gams(min_features=2, max_features=3, pairs=True))
def test_bins_by_bisection_equal_the_scan(data, gam):
    x = data.draw(instances(gam))
    for pair in gam.pairs:
        for axis, k in enumerate(pair.features):
            edges = pair.edges[axis]
            if edges is None:
                continue
            scan = sum(Fraction(x[k]) >= Fraction(e) for e in edges[1:-1])
            assert pair.bin_of(axis, gam.features[k], x[k]) == scan


@given(gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
                components=("table", "ebm"), pairs=True),
       thirds=st.integers(1, 9))  # fmt: skip
def test_rational_pair_tables_stay_exact(gam, thirds):
    """A pair table of rationals that are no floats (a multiclass rival's differences of
    class scores) is scaled exactly, not through float copies of its values."""
    from gamexplain.model.multiclass import _rational_pair

    pairs = [_rational_pair(p, [[Fraction(v) + Fraction(thirds, 3) for v in row]
                                for row in p.values]) for p in gam.pairs]  # fmt: skip
    rational = type(gam)(gam.features, intercept=gam.intercept, pairs=pairs, task=gam.task)
    scaled = _Scaled(rational)
    for pair, exact in zip(pairs, scaled.pairs, strict=True):
        assert [[int(v) for v in row] for row in exact] == [
            [Fraction(v) * scaled.scale for v in row] for row in pair.values
        ]
