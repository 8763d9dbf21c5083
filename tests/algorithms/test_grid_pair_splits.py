"""Pair terms in the grid brackets: split into additive bounds l_i + l_j ≤ g ≤ u_i + u_j.

Every split bounds its table exactly (checked in Fractions), is never wider on average
than carrying the term whole on one feature, and a forged split fails ``verify``. The
brackets on interval features with pair terms are held against brute force on a finite
twin of the model (half-unit cells: the strategies' breakpoints are integers and their
pair edges halves), and the setup honours ``time_limit``.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Interval,
    PairTerm,
    Piecewise,
    Table,
    banzhaf_values,
    completion_fraction,
    shap_values,
)
from gamexplain.algorithms.brute_shap import brute_attributions, brute_completion_fraction
from gamexplain.algorithms.grid_convolution import PairSplit, _split, grid_completion
from tests.strategies import gams, instances

floats = st.floats(-4, 4, allow_nan=False).map(lambda v: float(np.float64(v)))
tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.tuples(
            st.lists(st.lists(floats, min_size=cols, max_size=cols), min_size=rows,
                     max_size=rows),
            st.lists(st.floats(0.01, 1), min_size=rows, max_size=rows),
            st.lists(st.floats(0.01, 1), min_size=cols, max_size=cols),
        )
    )
)  # fmt: skip


@given(tables)
def test_a_split_bounds_its_table_exactly_and_beats_carrying(drawn):
    values, wa, wb = drawn
    table = np.array(values)
    pa, pb = np.array(wa) / sum(wa), np.array(wb) / sum(wb)
    split = _split(table, pa, pb)
    for a, row in enumerate(values):
        for b, g in enumerate(row):
            low = Fraction(split.low[0][a]) + Fraction(split.low[1][b])
            high = Fraction(split.high[0][a]) + Fraction(split.high[1][b])
            assert low <= Fraction(g) <= high
    gap = pa @ (np.array(split.high[0]) - split.low[0]) + pb @ (np.array(split.high[1]) -
                                                                split.low[1])  # fmt: skip
    rows = pa @ (table.max(axis=1) - table.min(axis=1))
    cols = pb @ (table.max(axis=0) - table.min(axis=0))
    assert gap <= min(rows, cols) * (1 + 1e-9) + 1e-12


def test_an_interaction_that_is_additive_costs_no_gap():
    table = np.add.outer([0.0, 1.0, 3.0], [0.5, -2.0])
    split = _split(table, np.full(3, 1 / 3), np.full(2, 1 / 2))
    low = np.add.outer(split.low[0], split.low[1])
    high = np.add.outer(split.high[0], split.high[1])
    assert np.allclose(low, table, atol=1e-12) and np.allclose(high, table, atol=1e-12)


def _cut(edges: tuple[float, ...] | None, value: Fraction) -> int:
    assert edges is not None
    return sum(1 for e in edges[1:-1] if Fraction(e) <= value)


def _half_cells(feature: Feature) -> list[Fraction]:
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    if low == high:
        return [low]
    return [low + Fraction(k, 2) for k in range(int(2 * (high - low)))]


def _finite_twin(gam: GAM, x: tuple) -> tuple[GAM, tuple]:
    """Uniform step functions on intervals (integer breakpoints) with pair terms whose
    edges are halves: each feature as its half-unit cells (plus the instance's value,
    with probability 0), the pair tables read off at the cells' bins. The twin's score
    has the same law as the model's, and brute force enumerates it."""
    cells = [_half_cells(f) for f in gam.features]
    points = [[*c, Fraction(v)] for c, v in zip(cells, x, strict=True)]
    features = []
    for feature, cell, point in zip(gam.features, cells, points, strict=True):
        scores = [float(feature.contribution_exact(v)) for v in point]
        probs = [1 / len(cell)] * len(cell) + [0.0]
        features.append(Feature(feature.name, Finite([*range(len(cell)), "x"]), Table(scores),
                                distribution=probs))  # fmt: skip
    pairs = []
    for pair in gam.pairs:
        i, j = pair.features
        table = [[pair.values[_cut(pair.edges[0], a)][_cut(pair.edges[1], b)] for b in points[j]]
                 for a in points[i]]  # fmt: skip
        pairs.append(PairTerm((i, j), [None, None], table))
    return GAM(features, gam.intercept, gam.task, pairs=pairs), ("x",) * gam.n_features


interval_pairs = gams(
    min_features=2, max_features=3, domain_kinds=("interval",), components=("ebm",),
    task=st.builds(Classification, threshold=st.integers(-4, 4).map(lambda n: n / 2)),
    pairs=True,
)  # fmt: skip


@given(data=st.data(), gam=interval_pairs, kind=st.sampled_from(["shapley", "banzhaf"]))
def test_interval_pair_brackets_contain_brute_force_and_verify(data, gam, kind):
    x = data.draw(instances(gam))
    explain = shap_values if kind == "shapley" else banzhaf_values
    result = explain(gam, x, output="label", distribution="uniform",
                     method="grid-convolution", time_limit=5)  # fmt: skip
    twin, point = _finite_twin(gam, x)
    truth = brute_attributions(twin, point, output="label", kind=kind)
    cert = result.certificate
    assert all(lo <= v <= hi for lo, v, hi in zip(cert.lower, truth.lower, cert.upper,
                                                   strict=True))  # fmt: skip
    assert cert.base_lower <= truth.base_lower <= cert.base_upper
    assert result.verify(gam)


@given(data=st.data(), gam=interval_pairs)
def test_interval_pair_completions_contain_brute_force(data, gam):
    x = data.draw(instances(gam))
    fixed = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    from gamexplain.distributions import resolve_distribution

    model = resolve_distribution(gam, "uniform", "test")
    found = grid_completion(model, x, fixed, time_limit=5)
    twin, point = _finite_twin(gam, x)
    truth = brute_completion_fraction(twin, point, fixed)
    assert found.lower[0] <= truth.lower[0] <= found.upper[0]


def _paired() -> GAM:
    return GAM(
        [
            Feature("a", Finite(["u", "v", "w"]), Table([1.0, -1.0, 0.25])),
            Feature("b", Interval(0, 4), Piecewise([0, 1, 2, 3, 4],
                                                   [[-1.0], [0.5], [1.5], [-0.25]])),
        ],
        intercept=-0.25,
        task=Classification(0.0),
        pairs=[PairTerm((0, 1), [None, [0.0, 2.0, 4.0]], [[0.5, -0.5], [0.0, 1.0], [-1.0, 0.25]])],
    )  # fmt: skip


def _with_split(result, split: PairSplit):
    cert = result.certificate
    detail = dataclasses.replace(cert.detail, splits=(split,))
    return dataclasses.replace(result, certificate=dataclasses.replace(cert, detail=detail))


@pytest.mark.parametrize("where", ["low", "high", "short"])
def test_a_forged_split_fails_verify(where):
    gam = _paired()
    result = completion_fraction(gam, ("v", 2.5), [], method="grid-convolution")
    assert result.verify(gam)
    split = result.certificate.detail.splits[0]
    if where == "low":  # a low part raised past the table on one bin
        first = (split.low[0][0] + 10.0, *split.low[0][1:])
        forged = PairSplit((first, split.low[1]), split.high)
    elif where == "high":
        second = (split.high[1][0] - 10.0, *split.high[1][1:])
        forged = PairSplit(split.low, (split.high[0], second))
    else:
        forged = PairSplit((split.low[0][:-1], split.low[1]), split.high)
    assert not _with_split(result, forged).verify(gam)


def test_setup_past_the_time_limit_is_a_timeout_not_a_hang():
    gam = _paired()
    result = completion_fraction(gam, ("v", 2.5), [], method="grid-convolution",
                                  time_limit=1e-9)
    assert result.status == "time_limit" and not result.exact
    assert (result.lower, result.upper) == (0.0, 1.0) and result.verify(gam)
