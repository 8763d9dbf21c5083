"""The closed form's per-model pair tables (exact integer products), pair bins by bisection,
and the caches that keep them (on the model, and per content)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import GAM, Feature, Interval, PairTerm, Piecewise, Regression, shap_values
from gamexplain.algorithms.closed_form import pair_tables
from gamexplain.distributions import bin_probabilities, resolve_distribution


@given(data=st.data(), gam=gams(min_features=2, max_features=3, pairs=True))
def test_tables_equal_the_plain_fraction_sums(data, gam):
    model = resolve_distribution(gam, data.draw(st.sampled_from(["uniform", "model"])), "t")
    x = data.draw(instances(model))
    for pair, table in zip(model.pairs, pair_tables(model), strict=True):
        first, second = (model.features[k] for k in pair.features)
        p = bin_probabilities(pair, 0, first)
        q = bin_probabilities(pair, 1, second)
        g = [[Fraction(v) for v in row] for row in pair.values]
        rows = [sum((g[a][b] * q[b] for b in range(len(q))), Fraction(0)) for a in range(len(p))]
        columns = [sum((p[a] * g[a][b] for a in range(len(p))), Fraction(0)) for b in range(len(q))]
        assert table.rows == tuple(rows) and table.columns == tuple(columns)
        assert table.mean == sum((p[a] * rows[a] for a in range(len(p))), Fraction(0))
        for axis, feature in ((0, first), (1, second)):
            value = x[pair.features[axis]]
            assert pair.bin_of(axis, feature, value) == _bin_by_scan(pair, axis, feature, value)


def _bin_by_scan(pair: PairTerm, axis: int, feature: Feature, value) -> int:
    """The bin of a value by comparing it with every inner edge (right-continuous)."""
    edges = pair.edges[axis]
    if edges is None:
        return feature.domain.values.index(value)
    return sum(Fraction(value) >= Fraction(e) for e in edges[1:-1])


def _model(distribution: tuple[float, ...] | None) -> GAM:
    shape = Piecewise([0.0, 1.0, 2.0], [[0.0], [1.0]])
    features = [
        Feature("a", Interval(0, 2), shape, distribution=distribution),
        Feature("b", Interval(0, 2), shape),
    ]
    pair = PairTerm((0, 1), [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], [[4.0, 0.0], [0.0, 0.0]])
    return GAM(features, 0.0, Regression(), pairs=[pair])


def test_tables_follow_the_marginals_the_model_carries():
    skewed, uniform = _model((0.75, 0.25)), _model(None)
    assert pair_tables(skewed)[0].mean == Fraction(3, 2)
    assert pair_tables(uniform)[0].mean == Fraction(1)
    # the same stored model asked under uniform marginals is a different model
    # base value: the means of a and b, then of the pair term
    assert shap_values(skewed, [0.5, 0.5], distribution="uniform").exact_base_value == 2
    assert shap_values(skewed, [0.5, 0.5]).exact_base_value == Fraction(1, 4) + Fraction(
        1, 2
    ) + Fraction(3, 2)


def test_tables_are_computed_once_per_model():
    gam = _model(None)
    assert pair_tables(gam) is pair_tables(gam)
    # a rebuilt model with the same content finds the same tables per content
    assert pair_tables(_model(None))[0] is pair_tables(gam)[0]
