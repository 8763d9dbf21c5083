"""The batch front door on what it answers row by row: multiclass models and the
responsiveness queries (issue 15). A batch answer equals the row-by-row answer, counted
on the row path, and verify rejects a tampered row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import instances, multiclass_gams

import gamexplain as gx
from gamexplain.queries.batch import ONE_BY_ONE

REASONS = {
    "msr": gx.minimum_sufficient_reason,
    "minimal": gx.minimal_sufficient_reason,
    "mcr": gx.minimum_contrastive_reason,
}


@st.composite
def multiclass_tables(draw):
    gam = draw(multiclass_gams(max_classes=3, max_features=3))
    rows = draw(st.lists(instances(gam.scores[0]), min_size=1, max_size=3))
    kept = tuple(draw(st.sets(st.integers(0, gam.n_features - 1))))
    return gam, rows, kept


@given(multiclass_tables())
def test_multiclass_batch_equals_row_by_row(case):
    gam, rows, kept = case
    queries = ("msr", "minimal", "mcr", "csr", "shap", "banzhaf")
    result = gx.explain(gam, rows, queries=queries, S=kept)
    table = result.table
    for r, x in enumerate(rows):
        assert result.prediction[r] == gam.predict_exact(gam.instance(x))
        assert table["prediction"].iloc[r] == result.prediction[r]
        for query, func in REASONS.items():
            assert result.features(query, r) == func(gam, x).features, (query, r)
        assert bool(result.answers["csr"].holds[r]) == gx.is_sufficient_reason(gam, x, kept).holds
        shap = np.asarray(gx.shap_values(gam, x).values, dtype=float)
        assert np.array_equal(result.answers["shap-score"].values[r], shap)
        for f, name in enumerate(gam.feature_names):
            for c, label in enumerate(gam.classes):
                assert table[f"shap[{name}][{label}]"].iloc[r] == shap[f, c]
    # a minimum sufficient reason is NP-hard from three classes: always row by row
    assert (result.answers["msr"].path == ONE_BY_ONE).all()
    assert all(sum(counts.values()) == len(rows) for counts in result.counts().values())
    assert result.verify(gam)


def _small_multiclass(shift=0.0):
    """Three classes labelled by strings over a finite and an interval feature."""
    scores = []
    for c in range(3):
        colour = gx.Table([float(c), 1.0 - c, 0.5 * c])
        size = gx.Piecewise([0.0, 2.0, 4.0], [[c - 1.0], [1.0 - c]])
        features = [
            gx.Feature("colour", gx.Finite(["red", "green", "blue"]), colour),
            gx.Feature("size", gx.Interval(0.0, 4.0), size),
        ]
        scores.append(gx.GAM(features, intercept=shift * c, task=gx.Regression()))
    gam = gx.MulticlassGAM(gx.Multiclass(["a", "b", "c"]), scores)
    rows = [["red", 1.0], ["blue", 3.5], ["green", 2.0]]
    return gam, rows


def test_a_tampered_multiclass_row_is_rejected():
    gam, rows = _small_multiclass()
    result = gx.explain(gam, rows, queries=("msr", "shap"))
    assert result.verify(gam)
    result.answers["shap-score"].values[1, 0, 0] += 1.0
    assert not result.verify(gam)
    result = gx.explain(gam, rows, queries=("msr",))
    result.answers["msr"].mask[0] = ~result.answers["msr"].mask[0]
    assert not result.verify(gam)
    result = gx.explain(gam, rows, queries=("mcr",))
    others = [c for c in gam.classes if c != result.prediction[2]]
    result.prediction[2] = others[0]
    assert not result.verify(gam)
    # a batch of another model does not verify against this one
    other, _ = _small_multiclass(shift=0.25)
    assert not gx.explain(gam, rows, queries=("msr",)).verify(other)


def test_multiclass_dataframe_rows_and_plan():
    gam, rows = _small_multiclass()
    frame = pd.DataFrame(rows, columns=list(gam.feature_names), index=["a", "b", "c"])
    result = gx.explain(gam, frame, queries=("msr",))
    assert list(result.table.index) == ["a", "b", "c"]
    assert result.verify(gam)
    # the single-row query hands many rows to the batch front door
    assert gx.minimum_sufficient_reason(gam, rows).verify(gam)
    plan = gx.batch_plan(gam, ("msr", "shap"))
    assert plan["msr"].startswith("row by row") and "thm:multiclass-msr-np" in plan["msr"]
    assert plan["shap-score"].startswith("batch-per-class-closed-form")


def _credit():
    gam = gx.load("credit")
    actions = gx.ActionSet.from_gam(gam, age={"actionable": False}, income={"step_ub": 20})
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(5):
        row = []
        for feature in gam.features:
            domain = feature.domain
            if domain.kind == "finite":
                row.append(domain.values[int(rng.integers(len(domain.values)))])
            elif domain.kind == "integers":
                row.append(int(rng.integers(int(domain.low), int(domain.high) + 1)))
            else:
                row.append(float(rng.uniform(float(domain.low), float(domain.high))))
        rows.append(row)
    return gam, actions, rows


def test_responsiveness_batch_equals_row_by_row_on_credit():
    gam, actions, rows = _credit()
    result = gx.explain(gam, rows, queries=("responsiveness", "fixed", "mcr"), actions=actions)
    table = result.table
    for r, x in enumerate(rows):
        scores = gx.responsiveness_scores(gam, x, actions)
        fixed = gx.is_fixed(gam, x, actions)
        assert tuple(result.answers["responsiveness"].values[r]) == scores.scores
        for name, score in zip(gam.feature_names, scores.scores, strict=True):
            assert table[f"responsiveness[{name}]"].iloc[r] == score
        assert table["responsiveness_fixed"].iloc[r] == bool(scores.fixed)
        assert table["fixed"].iloc[r] == fixed.holds
        assert result.features("mcr", r) == gx.minimum_contrastive_reason(gam, x).features
    for query in ("responsiveness", "fixed"):
        assert result.counts()[query]["row"] == len(rows)
    assert result.verify(gam)
    result.answers["responsiveness"].values[3, 0] += 0.5
    assert not result.verify(gam)
    result = gx.explain(gam, rows, queries="fixed", actions=actions)
    result.answers["fixed"].holds[0] = ~result.answers["fixed"].holds[0]
    assert not result.verify(gam)


def test_responsiveness_plan_and_bad_actions():
    gam, actions, rows = _credit()
    plan = gx.batch_plan(gam, ("responsiveness", "fixed"))
    # the credit model's features are not all step functions: no vectorised kernel
    assert "one by one" in plan["responsiveness"] and "step function" in plan["responsiveness"]
    assert "one by one" in plan["fixed"] and "step function" in plan["fixed"]
    with pytest.raises(gx.InvalidParameterError, match="'actions' parameter"):
        gx.explain(gam, rows, queries="responsiveness", actions=42)
    with pytest.raises(gx.InvalidParameterError, match="read only by the queries"):
        gx.explain(gam, rows, queries="msr", actions=actions)
    mc, mc_rows = _small_multiclass()  # multiclass action queries go row by row
    answered = gx.explain(mc, mc_rows, queries="fixed")
    assert (answered.answers["fixed"].path == ONE_BY_ONE).all() and answered.verify(mc)
