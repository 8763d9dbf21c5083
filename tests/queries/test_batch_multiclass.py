"""The multiclass batch kernels (issue 15): one binary kernel pass per rival class. A
batch answer equals the single-row multiclass answer, rows on a tie between two classes
or at a rival's budget take the exact path, and verify rejects a tampered kernel row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import instances, multiclass_gams

import gamexplain as gx
from gamexplain.queries.batch import EXACT, ONE_BY_ONE, VECTOR

QUERIES = ("csr", "minimal", "mcr", "shap", "banzhaf", "msr")


@st.composite
def step_tables(draw):
    gam = draw(multiclass_gams(max_classes=4, max_features=4, components=("table", "ebm")))
    rows = draw(st.lists(instances(gam.scores[0]), min_size=1, max_size=6))
    fixed = tuple(draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1)))
    kept = tuple(draw(st.sets(st.integers(0, gam.n_features - 1))))
    return gam, rows, fixed, kept


def _equal_row_by_row(gam, rows, fixed, kept):
    result = gx.explain(gam, rows, queries=QUERIES, fixed=fixed, S=kept)
    for r, x in enumerate(rows):
        assert result.prediction[r] == gam.predict_exact(gam.instance(x))
        assert bool(result.answers["csr"].holds[r]) == (
            gx.is_sufficient_reason(gam, x, kept, fixed=fixed).holds
        )
        for query, func in (("minimal", gx.minimal_sufficient_reason),
                            ("mcr", gx.minimum_contrastive_reason),
                            ("msr", gx.minimum_sufficient_reason)):  # fmt: skip
            assert result.features(query, r) == func(gam, x, fixed=fixed).features, (query, r)
        for query, func in (("shap-score", gx.shap_values), ("banzhaf-score", gx.banzhaf_values)):
            expected = np.asarray(func(gam, x).values, dtype=float)
            assert np.array_equal(result.answers[query].values[r], expected)
    assert result.verify(gam)
    return result


@given(step_tables())
def test_multiclass_kernels_equal_row_by_row(case):
    result = _equal_row_by_row(*case)
    for query in ("csr", "minimal-sr", "mcr", "shap-score", "banzhaf-score"):
        assert result.answers[query].kernel is not None
        assert not (result.answers[query].path == ONE_BY_ONE).any()
    assert (result.answers["shap-score"].path == VECTOR).all()


def _three_classes():
    """Three classes whose scores tie at some rows (small integers)."""
    scores = []
    for c in range(3):
        colour = gx.Table([float(c), 1.0 - c, 0.5 * c])
        size = gx.Piecewise([0.0, 2.0, 4.0], [[c - 1.0], [1.0 - c]])
        age = gx.Piecewise([0.0, 1.5, 3.0], [[0.25 * c], [-2.0 * c]])
        features = [
            gx.Feature("colour", gx.Finite(["red", "green", "blue"]), colour),
            gx.Feature("size", gx.Interval(0.0, 4.0), size),
            gx.Feature("age", gx.Integers(0, 3), age),
        ]
        scores.append(gx.GAM(features, intercept=0.0, task=gx.Regression()))
    gam = gx.MulticlassGAM(gx.Multiclass(["a", "b", "c"]), scores)
    rows = [[colour, size, age] for colour in ("red", "green", "blue")
            for size in (0.0, 1.0, 2.0, 3.5) for age in (0, 2, 3)]  # fmt: skip
    return gam, rows


def test_ties_between_classes_take_the_exact_path_and_equal_row_by_row():
    gam, rows = _three_classes()
    result = _equal_row_by_row(gam, rows, (), (0,))
    counts = result.counts()
    # some rows tie two classes (or a rival's budget): redone exactly; the others in numpy
    assert counts["mcr"]["exact"] > 0 and counts["mcr"]["vector"] > 0
    assert counts["minimal-sr"]["exact"] > 0 and counts["minimal-sr"]["vector"] > 0
    assert "exact" in str(result)


def _vector_row(answer):
    return int(np.flatnonzero(answer.path == VECTOR)[0])


def test_verify_rejects_a_tampered_multiclass_kernel_row():
    gam, rows = _three_classes()
    result = gx.explain(gam, rows, queries=("csr", "minimal", "mcr", "shap"), S=(0,))
    assert result.verify(gam)
    for query, column in (("mcr", "mask"), ("minimal-sr", "mask"), ("csr", "holds")):
        answer = result.answers[query]
        r = _vector_row(answer)
        values = getattr(answer, column)
        values[r] = ~values[r]
        assert not result.verify(gam), query
        values[r] = ~values[r]
        assert result.verify(gam)
    shap = result.answers["shap-score"]
    shap.values[_vector_row(shap), 1, 2] += 1e-9
    assert not result.verify(gam)
    result = gx.explain(gam, rows, queries=("shap",))
    r = _vector_row(result.answers["shap-score"])
    result.prediction[r] = next(c for c in gam.classes if c != result.prediction[r])
    assert not result.verify(gam)


def test_multiclass_plan_names_each_kernel():
    gam, rows = _three_classes()
    plan = gx.batch_plan(gam, ("csr", "minimal", "mcr", "shap", "msr"))
    assert plan["mcr"].startswith("batch-rivals-greedy") and "thm:multiclass-mcr" in plan["mcr"]
    assert plan["csr"].startswith("batch-rivals-worst-case")
    assert plan["minimal-sr"].startswith("batch-rivals-deletion")
    assert "thm:multiclass-msr-np" in plan["msr"]
    result = gx.explain(gam, rows, queries=("mcr",))
    assert result.answers["mcr"].kernel == "batch-rivals-greedy"


@pytest.mark.parametrize("bad", [["purple", 1.0, 0], ["red", "big", 0], ["red", 1.0, 0.5]])
def test_bad_multiclass_rows_are_refused_or_skipped(bad):
    gam, rows = _three_classes()
    rows = [*rows[:3], bad]
    with pytest.raises(gx.InvalidInstanceError):
        gx.explain(gam, rows, queries=("mcr",))
    result = gx.explain(gam, rows, queries=("mcr",), errors="skip")
    assert list(result.failures) == [3] and result.answers["mcr"].path[3] == 3
    assert result.verify(gam)


def test_a_multiclass_row_outside_a_domain_and_spline_models_go_one_by_one():
    gam, rows = _three_classes()
    outside = [["red", 9.0, 0], *rows[:2]]
    result = _equal_row_by_row(gam, outside, (), ())
    assert all(a.path[0] == ONE_BY_ONE for a in result.answers.values())
    assert result.answers["mcr"].path[1] in (VECTOR, EXACT)
    spline = gx.MulticlassGAM(gam.task, [
        gx.GAM([*m.features[:2], gx.Feature("age", gx.Interval(0, 3),
                                            gx.Piecewise([0.0, 3.0], [[0.0, 1.0 * c]]))],
               intercept=0.0, task=gx.Regression())
        for c, m in enumerate(gam.scores)
    ])  # fmt: skip
    result = gx.explain(spline, rows[:4], queries=("mcr", "shap"))
    assert all((a.path == ONE_BY_ONE).all() for a in result.answers.values())
    assert "no multiclass kernel" in result.answers["mcr"].reason
    assert result.verify(spline)


@given(step_tables())
def test_attribution_functions_take_many_multiclass_rows(case):
    gam, rows, _, _ = case
    rows = [*rows, rows[0]]  # one row gives the single-row result
    table = np.empty((len(rows), gam.n_features), dtype=object)  # a one-feature row is no row
    table[:] = [tuple(row) for row in rows]
    for func, column in ((gx.shap_values, "shap-score"), (gx.banzhaf_values, "banzhaf-score")):
        result = func(gam, table)
        assert isinstance(result, gx.BatchResult)
        for r, x in enumerate(rows):
            expected = np.asarray(func(gam, x).values, dtype=float)
            assert np.array_equal(result.answers[column].values[r], expected)
        assert result.verify(gam)
