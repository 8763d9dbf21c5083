"""Completion counting held against brute force and exact level-set measures."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Interval,
    InvalidParameterError,
    Piecewise,
    Regression,
    Table,
    completion_fraction,
)
from gamexplain.algorithms.brute_shap import brute_completion_fraction
from gamexplain.distributions import resolve_distribution
from gamexplain.exact import to_float
from gamexplain.substrate.primitives import level_set_measure

TIE = GAM(
    [
        Feature("a", Finite(["u", "v"]), Table([1.0, -1.0])),
        Feature("b", Finite(["u", "v", "w"]), Table([0.0, 1.0, -1.0])),
    ],
    intercept=0.0,
    task=Classification(0.0, ">"),
)


def _brute(gam, x, fixed, distribution):
    model = resolve_distribution(gam, distribution, "test")
    return brute_completion_fraction(model, x, frozenset(fixed)).lower[0]


@example(gam=TIE, data=None, distribution="uniform")
@given(
    gam=gams(max_features=4, domain_kinds=("finite", "integers"), with_distribution=None),
    data=st.data(),
    distribution=st.sampled_from(["uniform", "model"]),
)
def test_equals_brute_force(gam, data, distribution):
    if data is None:
        x, fixed = ("u", "v"), {1}
    else:
        x = data.draw(instances(gam))
        fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    result = completion_fraction(gam, x, fixed, distribution=distribution)
    assert result.exact and result.algorithm == "partial-sums"
    assert result.exact_fraction == _brute(gam, x, fixed, distribution)
    assert result.verify(gam)


@given(
    gam=gams(min_features=2, max_features=4, domain_kinds=("finite", "integers")),
    data=st.data(),
    max_states=st.integers(2, 30),
)
def test_bounds_contain_the_true_value(gam, data, max_states):
    x = data.draw(instances(gam))
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    result = completion_fraction(gam, x, fixed, max_states=max_states)
    truth = _brute(gam, x, fixed, "model")  # the default: stored marginals, else uniform
    assert result.certificate.lower <= truth <= result.certificate.upper
    assert result.exact == (result.certificate.lower == result.certificate.upper)
    assert result.verify(gam)


@given(
    gam=gams(max_features=3, domain_kinds=("finite", "integers", "interval"),
             components=("table", "ebm", "spline", "nam")),
    data=st.data(),
)  # fmt: skip
def test_one_continuous_feature_against_level_sets(gam, data):
    """With one interval feature and the others enumerable, the exact probability is a
    sum of level-set measures: the bounds must contain it."""
    intervals = [i for i, f in enumerate(gam.features) if f.domain.kind == "interval"]
    gam = GAM(
        [f for i, f in enumerate(gam.features) if i not in intervals[:-1]],
        gam.intercept,
        gam.task,
    )
    x = data.draw(instances(gam))
    free = [i for i, f in enumerate(gam.features) if f.domain.kind == "interval"]
    fixed = set(data.draw(st.sets(st.integers(0, gam.n_features - 1)))) - set(free)
    result = completion_fraction(gam, x, fixed, max_states=3000)
    truth = _level_set_reference(gam, x, fixed, free[0] if free else None)
    assert result.lower <= truth + 1e-12 and truth - 1e-12 <= result.upper
    assert result.verify(gam)


def _level_set_reference(gam, x, fixed, continuous):
    if continuous is None:
        return float(_brute(gam, x, fixed, "uniform"))
    feature = gam.features[continuous]
    rest = GAM(
        [f for i, f in enumerate(gam.features) if i != continuous]
        or [Feature("zero", Finite([0]), Table([0.0]))],
        gam.intercept,
        gam.task,
    )
    from gamexplain.algorithms.brute import completions

    others = [i for i in range(gam.n_features) if i != continuous]
    keep = {others.index(i) for i in fixed if i in others}
    point = tuple(x[i] for i in others) or (0,)
    target = gam.predict_exact(x)
    total = Fraction(0)
    count = 0
    for z in completions(rest, point, keep):
        count += 1
        offset = Fraction(rest.score_exact(z))
        total += _probability(gam.task, feature, offset, target)
    return to_float(total) / count


def _probability(task, feature, offset, target):
    """P(offset + A keeps the prediction) for A = the feature's contribution, uniform."""
    from gamexplain.substrate.primitives import support_measure

    length = support_measure(feature)
    if length == 0:
        value = feature.contribution_exact(Fraction(feature.domain.low))
        return Fraction(_keeps(task, offset + value, target))
    if isinstance(task, Classification):
        level = Fraction(task.threshold) - offset
        above = level_set_measure(feature, level, strict=task.positive == ">")
        p = to_float(above) / to_float(length)
        return Fraction(p if target == 1 else 1 - p)
    low = level_set_measure(feature, Fraction(target) - Fraction(task.tolerance) - offset)
    high = level_set_measure(
        feature, Fraction(target) + Fraction(task.tolerance) - offset, strict=True
    )
    return Fraction((to_float(low) - to_float(high)) / to_float(length))


def _keeps(task, score, target):
    if isinstance(task, Classification):
        return task.label_exact(score) == target
    return abs(score - target) <= Fraction(task.tolerance)


def test_every_feature_fixed_keeps_the_prediction():
    result = completion_fraction(TIE, ("v", "w"), ["a", "b"])
    assert result.exact_fraction == 1 and result.verify(TIE)


def test_default_distribution_is_the_stored_marginals_else_uniform():
    a = Feature("a", Finite(["u", "v"]), Table([1.0, -1.0]), distribution=[0.25, 0.75])
    b = Feature("b", Finite(["u", "v"]), Table([0.5, -0.5]))
    stored = GAM([a, b], intercept=0.0, task=Classification(0.0))
    default = completion_fraction(stored, ("u", "u"), [])
    assert default.distribution == "model" and default.exact_fraction == Fraction(1, 4)
    assert "under the model's stored marginals" in str(default) and default.verify(stored)
    uniform = completion_fraction(stored, ("u", "u"), [], distribution="uniform")
    assert uniform.exact_fraction == Fraction(1, 2) and "under uniform marginals" in str(uniform)
    bare = GAM([Feature("a", a.domain, a.shape), b], intercept=0.0, task=stored.task)
    plain = completion_fraction(bare, ("u", "u"), [])
    assert plain.distribution == "uniform" and plain.exact_fraction == Fraction(1, 2)
    assert plain.verify(bare)


def test_regression_tolerance():
    gam = GAM(
        [Feature("a", Interval(0, 4), Piecewise([0, 4], [[0.0, 1.0]]))],
        intercept=0.0,
        task=Regression(tolerance=1.0),
    )
    result = completion_fraction(gam, (2.0,), [], max_states=2000)
    # |A − 2| ≤ 1 for A uniform on [0, 4]: probability 1/2
    assert result.lower <= 0.5 <= result.upper
    assert result.upper - result.lower < 0.01
    assert result.verify(gam)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: completion_fraction(TIE, ("u", "v"), 2.5), "'S' parameter"),
        (lambda: completion_fraction(TIE, ("u", "v"), ["zz"]), "'S' parameter"),
        (lambda: completion_fraction(TIE, ("u", "v"), [], method="dp"), "'method' parameter"),
        (lambda: completion_fraction(TIE, ("u", "v"), [], max_states=-3), "'max_states'"),
        (lambda: completion_fraction(TIE, ("u", "v"), [], distribution=3), "'distribution'"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        call()


def test_a_bare_feature_name_is_a_set_of_one_as_everywhere():
    bare, listed = (completion_fraction(TIE, ("u", "v"), S) for S in ("a", ["a"]))
    assert (bare.fixed, bare.exact_fraction) == (listed.fixed, listed.exact_fraction)
    assert bare.fixed == ("a",) and bare.exact_fraction == Fraction(2, 3)
