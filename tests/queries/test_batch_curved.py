"""The reason kernels on curved features (issue 15): on random main-effects models with
spline and ReLU-network (NAM) features, every batch answer of CSR, MSR, minimal and MCR
equals the single-row answer, rows near a tie or the threshold take the exact path and
are counted, and verify (in floats with per-entry error bounds, algebraic extremes
compared exactly) rejects a tampered row."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain.algorithms.batch_curved import curved_reason
from gamexplain.algorithms.batch_kernels import discrete_reason
from gamexplain.queries.batch import EXACT, VECTOR
from tests.strategies import gams, instances

SINGLE = {
    "msr": gx.minimum_sufficient_reason,
    "mcr": gx.minimum_contrastive_reason,
    "minimal": gx.minimal_sufficient_reason,
}


@st.composite
def cases(draw: st.DrawFn):
    models = gams(max_features=4, domain_kinds=("integers", "interval"),
                  components=("ebm", "spline", "nam"))  # fmt: skip
    # curved (no levels) and every extremum attained (else rows go one by one)
    gam = draw(models.filter(lambda g: discrete_reason(g) is not None and curved_reason(g) is None))
    rows = draw(st.lists(instances(gam), min_size=1, max_size=4))
    kept = draw(st.sets(st.sampled_from(gam.feature_names)))
    return gam, rows, sorted(kept)


def _queries(gam):
    return ("msr", "mcr", "minimal", "csr") if gam.task.kind == "classification" else (
        "mcr", "minimal", "csr")  # fmt: skip


@given(cases())
def test_curved_batch_equals_row_by_row(case):
    gam, rows, kept = case
    result = gx.explain(gam, rows, queries=_queries(gam), S=kept)
    for query, answer in result.answers.items():
        assert answer.kernel is not None, (query, answer.reason)
        for r, x in enumerate(rows):
            if query == "csr":
                single = gx.is_sufficient_reason(gam, x, kept)
                assert bool(answer.holds[r]) == single.holds, (query, r)
            else:
                name = "minimal" if query == "minimal-sr" else query
                assert result.features(query, r) == SINGLE[name](gam, x).features, (query, r)
        counts = result.counts()[query]
        assert counts["vector"] + counts["exact"] + counts["row"] == len(rows)
    assert result.verify(gam)
    answer = result.answers["mcr"]
    kernel_rows = np.flatnonzero((answer.path == VECTOR) & answer.exists)
    if len(kernel_rows):
        r = kernel_rows[0]
        answer.mask[r] = ~answer.mask[r]
        assert not result.verify(gam)


def _curved() -> gx.GAM:
    square = gx.Piecewise([-1.0, 1.0], [[1.0, -2.0, 1.0]])  # (t − 1)² = x² on [-1, 1]
    cube = gx.Piecewise([-1.0, 0.0, 1.0], [[-1.0, 3.0, -3.0, 1.0], [0.0, 0.0, 0.0, 1.0]])
    features = [
        gx.Feature("a", gx.Interval(-1, 1), square),
        gx.Feature("b", gx.Interval(-1, 1), square),
        gx.Feature("c", gx.Interval(-1, 1), cube, weight=0.5),  # x³/2, min −1/2
    ]
    return gx.GAM(features, intercept=-0.5, task=gx.Classification(0.0))


def test_ties_and_threshold_rows_take_the_exact_path():
    gam = _curved()
    rows = np.array([
        [0.5, 0.5, 0.0],  # score 0.25 + 0.25 − 0.5 = 0: on the threshold
        [0.5, 0.9, 0.0],  # score 0.56, pushes 0.25, 0.81, 0.5: no tie
        [0.5, 0.5, 1.0],  # score 0.5 = the pushes of a and b together: a tie of sums
        [0.5, 0.5, 0.8],  # a and b push 0.25 each, room 0.256: which one is freed ties
    ])  # fmt: skip
    result = gx.explain(gam, rows, queries=("msr", "mcr"))
    for query in ("msr", "mcr"):
        answer = result.answers[query]
        assert answer.path[0] == EXACT and answer.path[1] == VECTOR
        for r, x in enumerate(rows.tolist()):
            assert result.features(query, r) == SINGLE[query](gam, x).features
    assert (result.answers["msr"].path[2:] == EXACT).all()
    assert result.counts()["msr"]["exact"] == 3
    assert result.verify(gam)
    # shown as kernel rows, ties are re-derived exactly by verify
    answer = result.answers["msr"]
    answer.path[:] = VECTOR
    assert result.verify(gam)
    answer.mask[3] = [True, False, True]  # b freed instead of a: also minimum, still valid
    assert result.verify(gam)
    answer.mask[2] = [False, False, True]
    assert result.verify(gam)
    answer.mask[2] = [False, True, False]  # c freed: flips the class
    assert not result.verify(gam)


def test_an_algebraic_extremum_is_enclosed_and_compared_exactly():
    # 2x³ − x on [-1, 1]: extremes at ±1/√6, irrational
    shape = gx.Piecewise([-1.0, 1.0], [[0.0, -1.0, 0.0, 2.0]])
    features = [gx.Feature(n, gx.Interval(-1, 1), shape) for n in "ab"]
    gam = gx.GAM(features, intercept=0.1, task=gx.Classification(0.0))
    rng = np.random.default_rng(1)
    rows = rng.uniform(-1, 1, (40, 2))
    result = gx.explain(gam, rows, queries=("msr", "mcr"))
    assert result.answers["msr"].kernel == "batch-greedy"
    for r, x in enumerate(rows.tolist()):
        assert result.features("msr", r) == gx.minimum_sufficient_reason(gam, x).features
        assert result.features("mcr", r) == gx.minimum_contrastive_reason(gam, x).features
    assert result.verify(gam)


@pytest.mark.filterwarnings("ignore")
def test_a_spline_pipeline_on_breast_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_pipeline(StandardScaler(), SplineTransformer(), LogisticRegression())
        gam = gx.from_fitted(model.fit(X, y))
    plan = gx.batch_plan(gam, "msr")["msr"]
    assert plan.startswith("batch-greedy") and "curved features" in plan
    rows = X.iloc[::60]
    result = gx.explain(gam, rows, queries=("msr", "mcr"))
    assert result.counts()["msr"]["vector"] >= len(rows) - 1
    for r in range(len(rows)):
        x = list(rows.iloc[r])
        assert result.features("msr", r) == gx.minimum_sufficient_reason(gam, x).features
        assert result.features("mcr", r) == gx.minimum_contrastive_reason(gam, x).features
    assert result.verify(gam)


# -- attributions of the score -----------------------------------------------------------------
ATTRIBUTIONS = {"shap": gx.shap_values, "banzhaf": gx.banzhaf_values}


@st.composite
def attribution_cases(draw: st.DrawFn):
    models = gams(max_features=4, domain_kinds=("integers", "interval"),
                  components=("spline", "nam"))  # fmt: skip
    gam = draw(models.filter(lambda g: discrete_reason(g) is not None and curved_reason(g) is None))
    rows = draw(st.lists(instances(gam), min_size=1, max_size=4))
    return gam, rows


@given(attribution_cases())
def test_curved_attributions_equal_row_by_row_bit_for_bit(case):
    gam, rows = case
    result = gx.explain(gam, rows, queries=("shap", "banzhaf"))
    for query, single in ATTRIBUTIONS.items():
        answer = result.answers[f"{query}-score"]
        assert answer.kernel == "batch-closed-form"
        for r, x in enumerate(rows):
            expected = np.asarray(single(gam, x).values, dtype=float)
            assert np.array_equal(answer.values[r], expected), (query, r)
    assert result.verify(gam)
    answer = result.answers["shap-score"]
    kernel_rows = np.flatnonzero(answer.path == VECTOR)
    if len(kernel_rows):
        r = kernel_rows[0]
        answer.values[r, 0] = np.nextafter(answer.values[r, 0], np.inf)  # one ulp off
        assert not result.verify(gam)


def test_a_value_on_a_rounding_midpoint_takes_the_exact_path():
    # f(x) = x on [-4, 4 + 2^-50]: the mean is 2^-51, so at x = 4 + 2^-50 the value
    # 4 + 2^-51 lies exactly between 4 and 4 + 2^-50 (ties to even: 4)
    high = 4 + 2.0**-50
    line = gx.Feature("a", gx.Interval(-4, high), gx.Piecewise([-4.0, high], [[-4.0, 1.0]]))
    flat = gx.Feature("b", gx.Interval(-4, 4), gx.Piecewise([-4.0, 4.0], [[2.0]]))
    gam = gx.GAM([line, flat], intercept=0.0, task=gx.Classification(0.0))
    rows = np.array([[high, 0.0], [0.75, 3.0]])
    result = gx.explain(gam, rows, queries=("shap",))
    answer = result.answers["shap-score"]
    assert list(answer.path) == [EXACT, VECTOR]
    assert result.counts()["shap-score"]["exact"] == 1
    assert answer.values[0, 0] == 4.0 and answer.values[1, 0] == 0.75 - 2.0**-51
    assert (answer.values[:, 1] == 0.0).all()  # a constant feature: exactly its mean
    for r, x in enumerate(rows.tolist()):
        assert np.array_equal(answer.values[r], np.asarray(gx.shap_values(gam, x).values, float))
    assert result.verify(gam)
    # shown as a kernel row, the tie is settled by verify in Fractions (to even)
    answer.path[0] = VECTOR
    assert result.verify(gam)
    answer.values[0, 0] = np.nextafter(4.0, 5.0)  # the other float next to the tie
    assert not result.verify(gam)
    answer.values[0, 0] = 4.0
    answer.values[1, 0] = 0.75  # one float off the exact 0.75 − 2^-51
    assert not result.verify(gam)


@pytest.mark.filterwarnings("ignore")
def test_spline_pipeline_attributions_take_the_vector_path():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_pipeline(StandardScaler(), SplineTransformer(), LogisticRegression())
        gam = gx.from_fitted(model.fit(X, y))
    rows = X.iloc[::25]
    result = gx.explain(gam, rows, queries=("shap",))
    answer = result.answers["shap-score"]
    assert result.counts()["shap-score"]["vector"] == len(rows)
    for r in range(0, len(rows), 4):
        single = gx.shap_values(gam, list(rows.iloc[r]))
        assert np.array_equal(answer.values[r], np.asarray(single.values, dtype=float))
    assert result.verify(gam)
