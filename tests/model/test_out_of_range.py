"""Rows beyond the training range: evaluated by the extended pieces, explained in the
feature space widened just enough to hold them (GAM.covering), never refused."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import features

import gamexplain as gx
from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidInstanceError,
    Layer,
    PairTerm,
    Piecewise,
    ReLUNet,
    Table,
    UnsupportedModelError,
)
from gamexplain.distributions import point_probabilities, segment_probabilities
from gamexplain.substrate.pieces import lower
from gamexplain.substrate.primitives import contribution_mean


# -- fitted models ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X.iloc[:, :6], y


def _fit(cancer, interactions):
    from interpret.glassbox import ExplainableBoostingClassifier

    X, y = cancer
    ebm = ExplainableBoostingClassifier(
        interactions=interactions, outer_bags=2, max_rounds=200, random_state=0
    ).fit(X, y)
    return ebm, gx.from_ebm(ebm)


@pytest.fixture(scope="module")
def main_effects(cancer):
    return _fit(cancer, 0)


@pytest.fixture(scope="module")
def with_pairs(cancer):
    ebm, gam = _fit(cancer, 3)
    assert gam.pairs
    return ebm, gam


def _beyond(X, rng):
    """Rows with every value below the training minimum (first half) or above the
    maximum (second half), and rows mixing both."""
    low, high = X.min().to_numpy(), X.max().to_numpy()
    width = high - low
    below = low - width * rng.uniform(0.01, 2.0, size=(5, X.shape[1]))
    above = high + width * rng.uniform(0.01, 2.0, size=(5, X.shape[1]))
    mixed = np.where(rng.random((5, X.shape[1])) < 0.5, below, above)
    return np.vstack([below, above, mixed])


@pytest.mark.parametrize("fitted", ["main_effects", "with_pairs"])
def test_ebm_scores_rows_beyond_the_training_range_as_ebm_does(fitted, cancer, request):
    ebm, gam = request.getfixturevalue(fitted)
    X, _ = cancer
    rows = _beyond(X, np.random.default_rng(0))
    frame = X.iloc[:0].reindex(range(len(rows)))
    frame.loc[:, :] = rows
    ours = gam.decision_function(rows)
    theirs = ebm.decision_function(frame.astype(float))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert gam.predict(rows).tolist() == ebm.predict(frame.astype(float)).tolist()
    for row, score in zip(rows, ours, strict=True):
        assert abs(float(gam.score_exact(tuple(row))) - score) < 1e-12


QUERIES = ("msr", "minimal", "mcr", "csr", "srs", "crs", "shap", "shap-label", "cc")


def _ask(gam, x, query):
    if query == "msr":
        return [gx.minimum_sufficient_reason(gam, x)]
    if query == "minimal":
        return [gx.minimal_sufficient_reason(gam, x)]
    if query == "mcr":
        return [gx.minimum_contrastive_reason(gam, x)]
    if query == "csr":
        return [gx.is_sufficient_reason(gam, x, gam.feature_names[:2])]
    if query == "srs":
        return list(gx.sufficient_reasons(gam, x, time_limit=30))[:3]
    if query == "crs":
        return list(gx.contrastive_reasons(gam, x, time_limit=30))[:3]
    if query == "shap":
        return [gx.shap_values(gam, x)]
    if query == "shap-label":
        return [gx.shap_values(gam, x, output="label", time_limit=5)]
    return [gx.completion_fraction(gam, x, gam.feature_names[:2], time_limit=5)]


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_explains_a_row_beyond_the_range_of_a_main_effects_ebm(
    query, main_effects, cancer
):
    _, gam = main_effects
    X, _ = cancer
    for x in _beyond(X, np.random.default_rng(1))[[0, 5]]:
        answers = _ask(gam, x, query)
        assert answers and all(a.verify(gam) for a in answers)


@pytest.mark.parametrize("query", ["msr", "mcr", "csr", "shap"])
def test_every_pair_query_explains_a_row_beyond_the_range(query, with_pairs, cancer):
    _, gam = with_pairs
    X, _ = cancer
    x = _beyond(X, np.random.default_rng(2))[10]
    answers = _ask(gam, x, query)
    assert answers and all(a.verify(gam) for a in answers)


def test_a_step_model_explains_a_row_beyond_the_range_as_its_clamped_row(main_effects, cancer):
    _, gam = main_effects
    X, _ = cancer
    x = _beyond(X, np.random.default_rng(3))[12]
    clamped = np.clip(x, X.min().to_numpy(), X.max().to_numpy())
    assert gx.minimum_sufficient_reason(gam, x).features == (
        gx.minimum_sufficient_reason(gam, clamped).features
    )
    assert gx.shap_values(gam, x).exact_values == gx.shap_values(gam, clamped).exact_values


def test_a_pygam_linear_tail_is_pygams_extrapolation():
    from pygam import LinearGAM, s
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X = X[:200, :3]
    model = LinearGAM(s(0, n_splines=6) + s(1, n_splines=6) + s(2, n_splines=6)).fit(X, y[:200])
    gam = gx.from_pygam(model, tolerance=5.0)
    low, high = X.min(axis=0), X.max(axis=0)
    rows = np.vstack([low - 0.05, high + 0.05, low - 0.3, high + 0.3])
    np.testing.assert_allclose(gam.decision_function(rows), model.predict(rows), atol=1e-9)
    x = rows[1]
    wide = gam.covering(x)
    # the linear tail matters: the row is scored beyond what the domain can reach
    clamped = tuple(np.clip(x, low, high))
    assert wide is not gam and gam.score_exact(tuple(x)) != gam.score_exact(clamped)
    for answer in (gx.minimum_sufficient_reason(gam, x), gx.shap_values(gam, x)):
        assert answer.verify(gam)


def test_a_spline_pipeline_with_linear_extrapolation_is_followed_beyond_its_knots():
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(80, 2))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2
    for mode in ("linear", "constant", "continue"):
        pipe = make_pipeline(
            SplineTransformer(n_knots=4, degree=3, extrapolation=mode), LinearRegression()
        ).fit(X, y)
        gam = gx.from_sklearn(pipe, tolerance=0.1)
        rows = np.array([[-0.5, 1.7], [1.4, -0.2], [-2.0, -2.0]])
        np.testing.assert_allclose(gam.decision_function(rows), pipe.predict(rows), atol=1e-9)


# -- the widened model -----------------------------------------------------------------------------
def _outside(feature: Feature, data: st.DataObject) -> Fraction:
    domain = feature.domain
    steps = [1, 2, 3] if isinstance(domain, Integers) else [Fraction(1, 4), 1, Fraction(5, 2)]
    offset = data.draw(st.sampled_from(steps))
    below = data.draw(st.booleans())
    return Fraction(domain.low) - offset if below else Fraction(domain.high) + offset


numeric = st.sampled_from(["integers", "interval"]).flatmap(
    lambda kind: features("f", kind, None).filter(
        lambda f: isinstance(f.shape, Piecewise) and f.domain.low < f.domain.high
    )
)


@given(numeric, st.data())
def test_widening_keeps_the_function_and_the_marginal(feature, data):
    value = _outside(feature, data)
    x = value if isinstance(feature.domain, Interval) else int(value)
    gam = GAM([feature])
    wide = gam.covering([float(x) if isinstance(x, Fraction) else x]).features[0]
    domain = wide.domain
    assert domain.low <= x <= domain.high
    grid = [Fraction(domain.low) + (Fraction(domain.high) - Fraction(domain.low)) * Fraction(k, 24)
            for k in range(25)]  # fmt: skip
    for t in grid:
        if isinstance(domain, Integers):
            t = Fraction(round(t))
        assert wide.contribution_exact(t) == feature.contribution_exact(t)
    assert contribution_mean(wide, wide.distribution) == contribution_mean(
        feature, feature.distribution
    )
    if isinstance(domain, Integers):
        old = dict(point_probabilities(feature))
        new = dict(point_probabilities(wide))
        assert {v: p for v, p in new.items() if p} == {v: p for v, p in old.items() if p}
    else:
        for segment, mass in zip(lower(wide), segment_probabilities(wide), strict=True):
            inside = feature.domain.low <= segment.low and segment.high <= feature.domain.high
            assert inside or mass == 0


def test_a_value_inside_every_domain_keeps_the_model_itself():
    gam = GAM([Feature("a", Interval(0, 1), Piecewise([0, 1], [[1.0, 1.0]]))])
    assert gam.covering([0.5]) is gam
    assert gam.covering([2.0]) is gam.covering([2.0])


def test_a_widened_model_is_not_saved_as_if_its_rationals_were_floats():
    gam = GAM([Feature("a", Interval(0, 3), Piecewise([0, 3], [[0.0, 1.0]]))])
    with pytest.raises(gx.InvalidModelError, match=r"GAM\.covering"):
        gx.dumps(gam.covering([-1.0]))
    assert gx.loads(gx.dumps(gam)) == gam


def test_pair_bins_extend_to_the_widened_domain():
    step = Piecewise([0, 1, 2], [[0.0], [1.0]])
    gam = GAM(
        [Feature("a", Interval(0, 2), step), Feature("b", Integers(0, 2), step)],
        pairs=[PairTerm((0, 1), [[0, 1, 2], [0, 1, 2]], [[1.0, 2.0], [3.0, 4.0]])],
    )
    assert gam.score_exact((-5, 9)) == 0 + 1 + 2
    wide = gam.covering([-5.0, 9])
    assert wide.pairs[0].edges == ((-5.0, 1.0, 2.0), (0.0, 1.0, 9.0))
    assert wide.score_exact((-5, 9)) == gam.score_exact((-5, 9))


# -- what is still refused -----------------------------------------------------------------------
def test_a_value_outside_a_finite_domain_is_still_refused():
    gam = GAM(
        [
            Feature("c", Finite(["u", "v"]), Table([1.0, -1.0])),
            Feature("n", Finite([0, 1, 2]), Piecewise([0, 2], [[0.0, 1.0]])),
        ],
        task=Classification(0.0),
    )
    for x, name in ((["w", 1], "c"), (["u", 3], "n"), (["u", 1.5], "n")):
        with pytest.raises(InvalidInstanceError, match=rf"feature '{name}'.*outside its domain"):
            gam.instance(x)
        with pytest.raises(InvalidInstanceError, match=rf"feature '{name}'.*is not one of"):
            gam.decision_function([x])
        with pytest.raises(InvalidInstanceError, match=rf"feature '{name}'.*outside its domain"):
            gx.minimum_sufficient_reason(gam, x)
        with pytest.raises(InvalidInstanceError, match=rf"feature '{name}'.*outside its domain"):
            gx.shap_values(gam, x)


def test_non_integers_and_non_numbers_are_still_refused():
    gam = GAM([Feature("n", Integers(0, 3), Piecewise([0, 3], [[0.0, 1.0]]))])
    for value in (1.5, -0.5, float("nan"), float("inf"), "a"):
        with pytest.raises(InvalidInstanceError, match="feature 'n'"):
            gam.decision_function([[value]])
        with pytest.raises(InvalidInstanceError, match="feature 'n'"):
            gam.covering([value])


def test_widening_a_network_or_a_point_mass_is_refused_clearly_but_they_still_predict():
    net = ReLUNet([Layer([[1.0]], [0.0])])
    line = Piecewise([1, 3], [[0.0, 1.0]])
    gam = GAM([Feature("a", Interval(0, 1), net), Feature("b", Interval(2, 2), line)])
    assert gam.decision_function([[5.0, 2.0], [0.5, 7.0]]).tolist() == [6.0, 6.5]
    with pytest.raises(UnsupportedModelError, match=r"feature 'a'.*network"):
        gx.minimum_sufficient_reason(gam, [5.0, 2.0])
    with pytest.raises(UnsupportedModelError, match=r"feature 'b'.*point mass"):
        gx.shap_values(gam, [0.5, 7.0])


def test_a_forged_instance_still_fails_verify():
    import dataclasses

    gam = GAM(
        [Feature(n, Interval(0, 4), Piecewise([0, 2, 4], [[-1.0, 0.5], [0.0, 1.0]]))
         for n in "ab"],
        intercept=-0.5,
    )  # fmt: skip
    x = [6.0, -1.0]
    clamped = (4.0, 0.0)  # the row the certificate was not computed for
    assert gx.completion_fraction(gam, x, ["a"]).verify(gam)
    for result in (
        gx.minimum_sufficient_reason(gam, x),
        gx.minimum_contrastive_reason(gam, x),
        gx.shap_values(gam, x),
    ):
        assert result.verify(gam)
        for forged in (clamped, (6.0, 2.0), ("x", -1.0), (6.0,)):
            assert not dataclasses.replace(result, instance=forged).verify(gam)


def test_shap_of_many_rows_beyond_the_domain_matches_single_rows():
    gam = GAM(
        [
            Feature("a", Interval(0, 3), Piecewise([0, 1, 3], [[1.0, 2.0], [3.0, -0.5]])),
            Feature("b", Integers(0, 5), Piecewise([0, 2, 5], [[1.0], [2.0]])),
        ],
        intercept=-3.0,
    )
    rows = [[-1.0, 7], [5.0, -2], [1.0, 2]]
    batch = gx.shap_values(gam, rows)
    assert batch.verify(gam)
    for row, values in zip(rows, batch.values, strict=True):
        single = gx.shap_values(gam, row)
        assert single.verify(gam)
        np.testing.assert_allclose(values, [float(v) for v in single.exact_values], atol=1e-12)


@given(numeric, st.data())
def test_the_rounding_bound_holds_beyond_the_domain(feature, data):
    value = float(_outside(feature, data))
    gam = GAM([feature], intercept=0.25, task=Classification(0.0))
    xs = np.array([value, value * 3 - 1, -abs(value) - 7])
    floats = feature.contribution(xs)
    for x, got, bound in zip(xs, floats, feature.rounding_bound(xs), strict=True):
        error = abs(Fraction(float(got)) - feature.contribution_exact(Fraction(float(x))))
        assert error <= Fraction(float(bound))
    rows = [[float(x)] for x in xs]
    assert list(gam.predict(rows)) == [gam.predict_exact(tuple(r)) for r in rows]
