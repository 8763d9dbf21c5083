"""A model widened for an out-of-range row reuses the cell tables of the model it widens
(the features and pair terms it does not widen are the same objects), and answers and
verifies exactly as if nothing had been cached."""

from __future__ import annotations

import random

import pytest

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Integers, PairTerm, Piecewise
from gamexplain.algorithms import pair_cells
from gamexplain.certify import reasons as certify_reasons


def _model(seed: int) -> GAM:
    rng = random.Random(seed)
    cuts = [0.0, 2.0, 4.0, 6.0, 7.0]
    features = [
        Feature(f"f{i}", Integers(0, 7), Piecewise(cuts, [[rng.uniform(-2, 2)] for _ in cuts[1:]]))
        for i in range(4)
    ]
    edges = [0.0, 3.0, 5.0, 7.0]
    pairs = [
        PairTerm((i, j), [edges, edges], [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(3)])
        for i, j in ((0, 1), (1, 2), (2, 3), (0, 3))
    ]
    return GAM(features, intercept=rng.uniform(-1, 1), task=Classification(0.0), pairs=pairs)


def _forget() -> None:
    pair_cells.clear_cache()
    certify_reasons._cell_table.cache_clear()
    certify_reasons._signature_effects.cache_clear()
    certify_reasons._TABLES.clear()


def test_the_widened_model_shares_what_it_does_not_widen():
    gam = _model(0)
    wide = gam.covering([12, 1, 5, 3])
    assert wide is not gam and wide.features[0] is not gam.features[0]
    # pair terms away from the widened feature are the same objects, so are their tables
    for p in (1, 2):
        assert wide.pairs[p] is gam.pairs[p]
    # feature 1's pair with the widened one keeps feature 1's edges: its cells carry over
    for j in (1, 2, 3):
        assert pair_cells._cells(wide, j) is pair_cells._cells(gam, j)
        assert certify_reasons._cell_table(wide, j) is certify_reasons._cell_table(gam, j)
    # the widened feature and its partners' bins do reach the new end
    assert wide.pairs[0].edges[0][-1] >= 12 and wide.pairs[0].edges[1] == gam.pairs[0].edges[1]
    # the widened feature's cells are built anew; a step shape's extension repeats its
    # last piece and bins, so the (effect, bins) pairs are the original ones
    cells, before = pair_cells._cells(wide, 0), pair_cells._cells(gam, 0)
    assert cells is not before and not isinstance(cells, str) and not isinstance(before, str)
    assert {(c.contribution, c.bins) for c in cells} == {(c.contribution, c.bins) for c in before}


@pytest.mark.parametrize("seed", range(4))
def test_an_out_of_range_row_answers_alike_warm_or_cold(seed):
    gam = _model(seed)
    rng = random.Random(100 + seed)
    inside = [rng.randint(0, 7) for _ in range(4)]
    outside = list(inside)
    outside[rng.randrange(4)] = rng.choice([-3, 11])
    queries = (gx.minimum_sufficient_reason, gx.minimum_contrastive_reason)
    _forget()
    cold = [query(gam, outside) for query in queries]
    _forget()
    for query in queries:
        assert query(gam, inside).verify(gam)
    warm = [query(gam, outside) for query in queries]
    for a, b in zip(cold, warm, strict=True):
        assert a.features == b.features and a.exact and b.exact
        assert a.verify(gam) and b.verify(gam)
    # and the answers are the brute-force ones on the widened model
    wide = gam.covering(outside)
    for query, answer in zip(queries, warm, strict=True):
        assert answer.size == query(wide, outside, method="brute").size
