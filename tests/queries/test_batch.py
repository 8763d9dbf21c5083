"""The batch front door: every batch answer equals the row-by-row answer, and verify
rejects a tampered row (issue 15)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

import gamexplain as gx
from gamexplain.algorithms.batch_curved import curved_reason
from gamexplain.queries.batch import EXACT, ONE_BY_ONE, VECTOR

SETS = {
    "msr": gx.minimum_sufficient_reason,
    "minimal": gx.minimal_sufficient_reason,
    "mcr": gx.minimum_contrastive_reason,
}


def _single(gam, x, query, fixed, kept):
    if query == "csr":
        return gx.is_sufficient_reason(gam, x, kept, fixed=fixed).holds
    if query in ("shap", "banzhaf"):
        func = gx.shap_values if query == "shap" else gx.banzhaf_values
        return tuple(float(v) for v in func(gam, x).exact_values)
    return SETS[query](gam, x, fixed=fixed).features


def _batch(result, query, r):
    if query == "csr":
        return bool(result.answers["csr"].holds[r])
    if query in ("shap", "banzhaf"):
        return tuple(result.answers[f"{query}-score"].values[r])
    return result.features(query, r)


def _queries(gam):
    names = ["minimal", "mcr", "csr", "shap", "banzhaf"]
    return [*names, "msr"] if gam.task.kind == "classification" else names


@st.composite
def tables(draw, components=("table", "ebm"), kinds=("finite", "integers", "interval")):
    """A main-effects model and rows, one of them often moved exactly onto the
    threshold (classification) by shifting the intercept."""
    gam = draw(gams(max_features=4, components=components, domain_kinds=kinds))
    rows = draw(st.lists(instances(gam), min_size=1, max_size=6))
    if gam.task.kind == "classification" and draw(st.booleans()):
        gap = Fraction(gam.task.threshold) - gam.score_exact(rows[0])
        intercept = Fraction(gam.intercept) + gap
        if Fraction(float(intercept)) == intercept:
            gam = dataclasses.replace(gam, intercept=float(intercept))
            assert gam.score_exact(rows[0]) == Fraction(gam.task.threshold)
    fixed = draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1))
    kept = draw(st.sets(st.integers(0, gam.n_features - 1)))
    return gam, rows, tuple(fixed), tuple(kept)


def _equal_row_by_row(gam, rows, fixed, kept):
    queries = _queries(gam)
    result = gx.explain(gam, rows, queries=queries, fixed=fixed, S=kept)
    for r, x in enumerate(rows):
        for query in queries:
            assert _batch(result, query, r) == _single(gam, x, query, fixed, kept), (query, r)
    assert result.verify(gam)
    return result


@given(tables())
def test_batch_equals_row_by_row_on_step_and_table_models(case):
    gam, rows, fixed, kept = case
    result = _equal_row_by_row(gam, rows, fixed, kept)
    # these models have kernels (a finite domain is one level per value, whatever its shape)
    assert all(a.kernel is not None for a in result.answers.values() if a.query != "msr")


@given(tables(components=("spline", "nam"), kinds=("integers", "interval")))
def test_batch_equals_row_by_row_on_curved_models(case):
    gam, rows, fixed, kept = case
    result = _equal_row_by_row(gam, rows, fixed, kept)
    # the reason queries and the attributions of the score read curved rows in floats
    # with rigorous bounds (rows they cannot decide take the exact path) when every
    # extremum is attained
    curved = curved_reason(gam) is None
    for answer in result.answers.values():
        if not curved:
            assert answer.kernel is None and (answer.path == ONE_BY_ONE).all()
        else:
            assert answer.kernel is not None and not (answer.path == ONE_BY_ONE).any()


@given(st.data())
def test_batch_equals_row_by_row_with_pair_terms(data):
    gam = data.draw(gams(max_features=3, components=("table", "ebm"), pairs=True))
    rows = data.draw(st.lists(instances(gam), min_size=1, max_size=3))
    _equal_row_by_row(gam, rows, (), ())


def _tied_model(positive, intercept):
    """Three features whose pushes all tie."""
    features = [
        gx.Feature(f"f{i}", gx.Finite(["lo", "hi"]), gx.Table([0.0, 1.0])) for i in range(3)
    ]
    return gx.GAM(features, intercept=intercept, task=gx.Classification(0.0, positive))


@pytest.mark.parametrize("positive", [">=", ">"])
def test_tied_pushes_are_broken_by_model_order_in_the_kernel(positive):
    gam = _tied_model(positive, -1.25)
    rows = [["hi", "hi", "hi"], ["lo", "lo", "lo"], ["hi", "lo", "hi"]]
    result = _equal_row_by_row(gam, rows, (), ())
    assert (result.answers["msr"].path == VECTOR).all()
    assert (result.answers["mcr"].path == VECTOR).all()
    assert result.features("msr", 0) == ("f1", "f2")


@pytest.mark.parametrize("positive", [">=", ">"])
def test_rows_on_the_threshold_or_a_tie_at_the_budget_take_the_exact_path(positive):
    gam = _tied_model(positive, -2.0)
    rows = [["hi", "hi", "lo"], ["hi", "hi", "hi"]]
    result = _equal_row_by_row(gam, rows, (), ())
    # row 0 scores exactly 0; row 1 frees one push of 1 against a slack of 1
    assert result.answers["msr"].path.tolist() == [EXACT, EXACT]
    assert result.counts()["msr"]["exact"] == 2


def _tamper(result, query, r, **change):
    answer = result.answers[query]
    fields = {k: v.copy() for k, v in change.items()}
    return dataclasses.replace(
        result, answers={**result.answers, query: dataclasses.replace(answer, **fields)}
    )


def test_verify_rejects_a_tampered_row():
    gam = gx.load("breast_cancer_ebm")
    rng = np.random.default_rng(1)
    low = np.array([float(f.domain.low) for f in gam.features])
    high = np.array([float(f.domain.high) for f in gam.features])
    X = low + (high - low) * rng.random((40, 30))
    result = gx.explain(gam, X, queries=("msr", "mcr", "minimal", "shap"))
    assert result.verify(gam)
    for query in ("msr", "mcr", "minimal-sr"):
        mask = result.answers[query].mask.copy()
        mask[7, np.flatnonzero(mask[7])[0]] = False  # drop one feature of row 7
        assert not _tamper(result, query, 7, mask=mask).verify(gam), query
        mask = result.answers[query].mask.copy()
        mask[3] = ~mask[3]
        assert not _tamper(result, query, 3, mask=mask).verify(gam), query
    values = result.answers["shap-score"].values.copy()
    values[5, 2] = np.nextafter(values[5, 2], np.inf)
    assert not _tamper(result, "shap-score", 5, values=values).verify(gam)
    prediction = result.prediction.copy()
    prediction[0] = 1 - prediction[0]
    assert not dataclasses.replace(result, prediction=prediction).verify(gam)
    other = gx.load("credit")
    assert not result.verify(other)
    shifted = dataclasses.replace(gam, intercept=gam.intercept + 0.375)
    assert not result.verify(shifted)
    for field, value in [
        ("queries", result.queries[:-1]),
        ("feature_names", result.feature_names[::-1]),
        ("model", "0" * 64),
        ("instances", X[::-1]),
    ]:
        assert not dataclasses.replace(result, **{field: value}).verify(gam), field
    status = result.answers["msr"].status.copy()
    status[2] = "time_limit"
    assert not _tamper(result, "msr", 2, status=status).verify(gam)
    path = result.answers["mcr"].path.copy()
    path[2] = EXACT  # a row claimed answered by the single-row query, with no result
    assert not _tamper(result, "mcr", 2, path=path).verify(gam)


def test_a_longer_reason_than_the_minimum_is_rejected():
    gam = gx.load("breast_cancer_ebm")
    x = [float(f.domain.low) for f in gam.features]
    result = gx.explain(gam, [x, x], queries=("msr",))
    mask = result.answers["msr"].mask.copy()
    extra = np.flatnonzero(~mask[0])
    assert len(extra)
    mask[0, extra[0]] = True  # still sufficient, no longer minimum
    assert not _tamper(result, "msr", 0, mask=mask).verify(gam)


def _frame_model():
    features = [
        gx.Feature("colour", gx.Finite(["red", "green", "blue"]), gx.Table([1.0, -0.5, 0.25])),
        gx.Feature("age", gx.Interval(0, 10), gx.Piecewise([0, 5, 10], [[-1.0], [2.0]])),
        gx.Feature("rooms", gx.Integers(1, 6), gx.Piecewise([1, 3, 6], [[0.5], [-0.75]])),
    ]
    return gx.GAM(features, intercept=0.0, task=gx.Classification(0.0))


def test_a_dataframe_is_read_by_column_name_and_keeps_its_index():
    gam = _frame_model()
    frame = pd.DataFrame(
        {
            "rooms": [1, 5, 2],
            "age": [7.0, 1.0, 5.0],
            "colour": pd.Categorical(["green", "red", "blue"]),
        },
        index=["a", "b", "c"],
    )
    result = gx.explain(gam, frame, queries=("msr", "mcr", "shap"))
    table = result.table
    assert list(table.index) == ["a", "b", "c"]
    for r, (_, row) in enumerate(frame.iterrows()):
        x = [row["colour"], row["age"], row["rooms"]]
        assert table["msr_features"].iloc[r] == gx.minimum_sufficient_reason(gam, x).features
        assert result.features("mcr", r) == gx.minimum_contrastive_reason(gam, x).features
    assert result.verify(gam)
    # the single-row queries hand a frame of many rows to the batch
    batch = gx.minimum_contrastive_reason(gam, frame)
    assert isinstance(batch, gx.BatchResult)
    assert batch.features("mcr", 1) == result.features("mcr", 1)


def test_rows_outside_the_domain_go_one_by_one():
    gam = _frame_model()
    rows = [["red", 12.0, 2], ["blue", 3.0, 4]]
    result = _equal_row_by_row(gam, rows, (), ())
    assert result.answers["mcr"].path.tolist() == [ONE_BY_ONE, VECTOR]


def test_bad_input_is_refused_or_skipped():
    gam = _frame_model()
    rows = [["red", 1.0, 2], ["purple", 3.0, 4], ["blue", 3.0, 4.5]]
    with pytest.raises(gx.InvalidInstanceError, match="colour"):
        gx.explain(gam, rows, queries=("msr",))
    result = gx.explain(gam, rows, queries=("msr",), errors="skip")
    assert sorted(result.failures) == [1, 2]
    assert result.table["msr_status"].iloc[1] == "invalid row"
    assert result.verify(gam)
    with pytest.raises(gx.InvalidParameterError, match="queries"):
        gx.explain(gam, rows[:1], queries=("nope",))
    with pytest.raises(gx.InvalidParameterError, match="errors"):
        gx.explain(gam, rows[:1], queries=("msr",), errors="ignore")
    with pytest.raises(gx.InvalidParameterError, match="needs the set S"):
        gx.explain(gam, rows[:1], queries=("csr",))
    with pytest.raises(gx.InvalidInstanceError, match="column"):
        gx.explain(gam, pd.DataFrame({"colour": ["red"], "age": [1.0]}), queries=("msr",))
    with pytest.raises(gx.InvalidParameterError, match="method"):
        gx.minimum_sufficient_reason(gam, rows[:2], method="brute")


def test_a_wide_regression_model_equals_row_by_row_and_verifies():
    # 30 features: float sums in another order than the checks' own, so the shown
    # scores are bound by the rounding bound, not bit for bit
    ebm = gx.load("breast_cancer_ebm")
    gam = gx.GAM(ebm.features, intercept=ebm.intercept, task=gx.Regression(tolerance=2.0))
    low = np.array([float(f.domain.low) for f in gam.features])
    high = np.array([float(f.domain.high) for f in gam.features])
    X = low + (high - low) * np.random.default_rng(5).random((12, 30))
    result = _equal_row_by_row(gam, [list(x) for x in X], (3,), tuple(range(10)))
    assert (result.answers["mcr"].path == VECTOR).all()
    prediction = result.prediction.copy()
    prediction[3] += 1e-9
    assert not dataclasses.replace(result, prediction=prediction).verify(gam)


def test_records_are_rows_matched_by_name():
    """A list of mappings is a table of rows, each matched by name as one instance is."""
    gam = gx.load("credit")
    x = {"grade": "A", "income": 150.0, "age": 45, "open_accounts": 1, "utilisation": 0.2}
    records = [x, {**x, "grade": "C", "income": 40.0}]
    reordered = [dict(reversed(list(r.items()))) for r in records]
    batch = gx.explain(gam, reordered, queries=("msr", "mcr"))
    assert batch.verify(gam)
    for k, record in enumerate(records):
        assert batch.table["msr_features"][k] == gx.minimum_sufficient_reason(gam, record).features
    assert list(gam.predict(reordered)) == [gam.predict([gam.instance(r)])[0] for r in records]
    with pytest.raises(gx.InvalidInstanceError, match="no value for feature"):
        gx.explain(gam, [x, {"grade": "A"}], queries=("msr",))
