"""Grid-convolution brackets for label SHAP, Banzhaf and completion fractions.

The brackets are held against brute force on small random models (main effects and
pair terms; finite, integer and step-function interval domains), their certificates
against ``verify`` and against forgery, and their width against the issue's goal on a
small fitted EBM.
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
    Integers,
    Interval,
    PairTerm,
    Piecewise,
    Table,
    banzhaf_values,
    completion_fraction,
    shap_values,
)
from gamexplain.algorithms.brute_shap import brute_attributions, brute_completion_fraction
from gamexplain.algorithms.grid_convolution import (
    TARGET_WIDTH,
    grid_attributions,
    grid_completion,
    shapley_nodes,
)
from gamexplain.complexity.plan import explain_plan
from gamexplain.distributions import resolve_distribution
from tests.strategies import gams, instances

classifiers = st.builds(
    Classification, threshold=st.integers(-4, 4).map(lambda n: n / 2),
    positive=st.sampled_from([">=", ">"]),
)  # fmt: skip


def _contains(estimate, values, base) -> bool:
    inside = all(lo <= v <= hi for lo, v, hi in zip(estimate.lower, values, estimate.upper,
                                                   strict=True))  # fmt: skip
    return inside and (base is None or estimate.base_lower <= base <= estimate.base_upper)


@given(
    data=st.data(),
    gam=gams(max_features=3, domain_kinds=("finite", "integers"), task=classifiers,
             pairs=True, with_distribution=None),
    kind=st.sampled_from(["shapley", "banzhaf"]),
)  # fmt: skip
def test_label_brackets_contain_brute_force(data, gam, kind):
    x = data.draw(instances(gam))
    model = resolve_distribution(gam, "model", "test")
    found = grid_attributions(model, x, kind=kind)
    truth = brute_attributions(model, x, output="label", kind=kind)
    assert _contains(found, truth.lower, truth.base_lower)
    assert not found.exact or (found.lower == truth.lower and found.base_lower == truth.base_lower)


@given(
    data=st.data(),
    gam=gams(max_features=3, domain_kinds=("finite", "integers"), pairs=True,
             with_distribution=None),
)  # fmt: skip
def test_completion_brackets_contain_brute_force(data, gam):
    x = data.draw(instances(gam))
    fixed = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    model = resolve_distribution(gam, "model", "test")
    found = grid_completion(model, x, fixed)
    truth = brute_completion_fraction(model, x, fixed)
    assert _contains(found, truth.lower, None)
    assert not found.exact or found.lower == truth.lower


def _finite_twin(gam: GAM, x: tuple) -> tuple[GAM, tuple]:
    """Step functions on intervals with integer breakpoints as finite features of unit
    cells, plus the instance's own value with probability 0: the same law of the score
    (uniform marginals), enumerable by brute force."""
    features, point = [], []
    for feature, value in zip(gam.features, x, strict=True):
        low, high = int(feature.domain.low), int(feature.domain.high)
        cells = list(range(low, max(high, low + 1)))
        scores = [float(feature.contribution_exact(Fraction(c))) for c in cells]
        scores.append(float(feature.contribution_exact(value)))
        probs = [1 / len(cells)] * len(cells) + [0.0]
        features.append(Feature(feature.name, Finite([*cells, "x"]), Table(scores),
                                distribution=probs))  # fmt: skip
        point.append("x")
    return GAM(features, gam.intercept, gam.task), tuple(point)


@given(
    data=st.data(),
    gam=gams(max_features=3, domain_kinds=("interval",), components=("ebm",),
             task=classifiers),
)  # fmt: skip
def test_step_functions_on_intervals_are_bracketed_and_verified(data, gam):
    x = data.draw(instances(gam))
    result = shap_values(gam, x, output="label", distribution="uniform",
                         method="grid-convolution")  # fmt: skip
    twin, point = _finite_twin(gam, x)
    truth = brute_attributions(twin, point, output="label", kind="shapley")
    cert = result.certificate
    assert all(lo <= v <= hi for lo, v, hi in zip(cert.lower, truth.lower, cert.upper,
                                                   strict=True))  # fmt: skip
    assert cert.base_lower <= truth.base_lower <= cert.base_upper
    assert result.verify(gam)


def _wide_pairs() -> GAM:
    """A pair model brute force cannot enumerate (an interval feature)."""
    return GAM(
        [
            Feature("a", Finite(["u", "v", "w"]), Table([1.0, -1.0, 0.25])),
            Feature("b", Interval(0, 4), Piecewise([0, 1, 2, 3, 4],
                                                   [[-1.0], [0.5], [1.5], [-0.25]])),
            Feature("c", Integers(0, 5), Piecewise([0, 5], [[-1.0, 0.5]])),
        ],
        intercept=-0.25,
        task=Classification(0.0),
        pairs=[
            PairTerm((0, 1), [None, [0.0, 2.0, 4.0]], [[0.5, -0.5], [0.0, 1.0], [-1.0, 0.25]]),
            PairTerm((1, 2), [[0.0, 1.5, 4.0], [0.0, 2.0, 5.0]], [[0.125, -0.25], [0.5, 0.0]]),
        ],
    )


@pytest.mark.parametrize("query", ["shap", "banzhaf", "cc"])
def test_pair_models_get_a_verified_bracket(query):
    gam = _wide_pairs()
    x = ("v", 2.5, 3)
    if query == "cc":
        result = completion_fraction(gam, x, ["a"])
        width = result.upper - result.lower
    else:
        explain = shap_values if query == "shap" else banzhaf_values
        result = explain(gam, x, output="label")
        width = float(np.max(result.upper - result.lower))
    # completion fractions on pair models go on to conditioning (grid_conditioning.py)
    expected = "grid-conditioning" if query == "cc" else "grid-convolution"
    assert result.algorithm == expected and not result.exact
    assert 0 < width < 1
    assert result.verify(gam)


def test_small_pair_models_still_go_to_brute_force():
    gam = GAM(
        [Feature("a", Finite(["u", "v"]), Table([1.0, -1.0])),
         Feature("b", Integers(0, 2), Piecewise([0, 2], [[-1.0, 1.0]]))],
        intercept=0.0, task=Classification(0.0, ">"),
        pairs=[PairTerm((0, 1), [None, [0, 1, 2]], [[1.0, -1.0], [0.0, 2.0]])],
    )  # fmt: skip
    result = shap_values(gam, ("u", 1), output="label")
    assert result.algorithm == "brute" and result.exact


def _forged_bounds(result, i: int):
    """The result with feature i's certified bracket narrowed to a point inside it that
    is not the truth, every displayed field made consistent with it."""
    cert = result.certificate
    middle = (cert.lower[i] + cert.upper[i]) / 2
    lower = tuple(middle + Fraction(1, 10**9) if k == i else v for k, v in enumerate(cert.lower))
    upper = tuple(middle + Fraction(2, 10**9) if k == i else v for k, v in enumerate(cert.upper))
    forged = dataclasses.replace(cert, lower=lower, upper=upper)
    from gamexplain.certify.attributions import round_down, round_up

    return dataclasses.replace(
        result,
        certificate=forged,
        values=np.array([float((a + b) / 2) for a, b in zip(lower, upper, strict=True)]),
        lower=np.array([round_down(v) for v in lower]),
        upper=np.array([round_up(v) for v in upper]),
    )


def test_a_narrowed_bracket_fails_verify():
    gam = _wide_pairs()
    result = shap_values(gam, ("v", 2.5, 3), output="label")
    assert result.verify(gam)
    for i in range(gam.n_features):
        assert not _forged_bounds(result, i).verify(gam)


def test_a_cell_narrower_than_its_pair_terms_fails_verify():
    gam = _wide_pairs()
    result = completion_fraction(gam, ("v", 2.5, 3), [], method="grid-convolution")
    cert = result.certificate
    laws = list(cert.laws)
    left, right, low, high, p = laws[1][0]
    laws[1] = ((left, right, low + Fraction(1, 8), high, p), *laws[1][1:])
    forged = dataclasses.replace(result, certificate=dataclasses.replace(cert, laws=tuple(laws)))
    assert result.verify(gam) and not forged.verify(gam)


@pytest.mark.parametrize("n", [1, 2, 7, 30])
def test_shapley_nodes_integrate_the_beta_weights_exactly(n):
    nodes = shapley_nodes(n)
    for k in range(n):
        beta = Fraction(1, n) / _binomial(n - 1, k)  # k!(n−1−k)!/n!
        assert sum((w * q**k * (1 - q) ** (n - 1 - k) for q, w in nodes), Fraction(0)) == beta


def _binomial(n: int, k: int) -> int:
    from math import comb

    return comb(n, k)


def test_explain_plan_names_the_fallback():
    gam = GAM(
        [Feature(f"x{k}", Interval(0, 1), Piecewise([0, 0.5, 1], [[0.1 * k], [-0.2]]))
         for k in range(3)],
        intercept=0.0, task=Classification(0.0),
    )  # fmt: skip
    plan = str(explain_plan(gam, "shap-label"))
    assert "partial-sums" in plan and "grid-convolution" in plan


def test_a_fitted_ebm_gets_a_narrow_label_bracket():
    interpret = pytest.importorskip("interpret.glassbox")
    from sklearn.datasets import load_breast_cancer

    from gamexplain import from_ebm

    data = load_breast_cancer(as_frame=True)
    X, y = data.data.iloc[:, :6], data.target
    ebm = interpret.ExplainableBoostingClassifier(
        interactions=0, outer_bags=2, max_rounds=100, random_state=0, n_jobs=1
    )
    ebm.fit(X, y)
    gam = from_ebm(ebm)
    x = tuple(float(v) for v in X.iloc[3])
    result = shap_values(gam, x, output="label", time_limit=20)
    assert result.algorithm == "grid-convolution"
    assert float(np.max(result.upper - result.lower)) <= 0.01
    assert result.verify(gam)
    cc = completion_fraction(gam, x, [], time_limit=20)
    assert cc.upper - cc.lower <= 0.01 and cc.verify(gam)
    assert Fraction(1, 100) > TARGET_WIDTH


@given(
    data=st.data(),
    gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
             task=classifiers, pairs=True),
)  # fmt: skip
def test_laws_cached_on_the_model_equal_a_fresh_build(data, gam):
    """A second row on the same model reuses the pair laws of the first; a copy of the
    model, built afresh, gives the same bracket and certificate."""
    first, second = data.draw(instances(gam)), data.draw(instances(gam))
    grid_attributions(gam, first, kind="shapley")
    again = grid_attributions(gam, second, kind="shapley")
    fresh = GAM(gam.features, gam.intercept, gam.task, pairs=gam.pairs)
    assert again == grid_attributions(fresh, second, kind="shapley")
