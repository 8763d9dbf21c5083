"""Label attributions and completion fractions of many rows (issue 15): every cell of
these queries is #P-complete, so each row goes through its single-row query; the batch
equals the row-by-row answer, shows exact values or certified brackets, and verify
rejects a tampered row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

import gamexplain as gx
from gamexplain.queries.batch import ONE_BY_ONE


@st.composite
def label_tables(draw):
    gam = draw(
        gams(max_features=3, components=("table", "ebm"), domain_kinds=("finite", "integers"))
    )
    if gam.task.kind != "classification":
        gam = gx.GAM(gam.features, intercept=gam.intercept, task=gx.Classification(0.0),
                     pairs=gam.pairs)  # fmt: skip
    rows = draw(st.lists(instances(gam), min_size=2, max_size=4))
    kept = tuple(draw(st.sets(st.integers(0, gam.n_features - 1))))
    return gam, rows, kept


@given(label_tables())
def test_label_attributions_and_completion_fractions_equal_row_by_row(case):
    gam, rows, kept = case
    result = gx.explain(gam, rows, queries=("shap-label", "banzhaf-label", "cc"), S=kept)
    table = result.table
    for r, x in enumerate(rows):
        shap = gx.shap_values(gam, x, output="label")
        banzhaf = gx.banzhaf_values(gam, x, output="label")
        cc = gx.completion_fraction(gam, x, kept)
        assert np.array_equal(result.answers["shap-label"].values[r], shap.values)
        assert np.array_equal(result.answers["banzhaf-label"].values[r], banzhaf.values)
        assert table["cc_fraction"].iloc[r] == cc.fraction
        assert (table["cc_lower"].iloc[r], table["cc_upper"].iloc[r]) == (cc.lower, cc.upper)
        assert bool(table["cc_exact"].iloc[r]) == cc.exact
    assert all((a.path == ONE_BY_ONE).all() for a in result.answers.values())
    assert result.verify(gam)


def _credit_rows():
    gam = gx.load("credit")
    rows = []
    for k in range(3):
        row = []
        for f in gam.features:
            d = f.domain
            if d.kind == "finite":
                row.append(d.values[k % len(d.values)])
            else:
                row.append(int(d.low) + k if d.kind == "integers" else float(d.low) + k)
        rows.append(row)
    return gam, rows


def test_the_single_row_functions_hand_many_rows_to_the_batch():
    gam, rows = _credit_rows()
    frame = pd.DataFrame(rows, columns=list(gam.feature_names), index=["p", "q", "r"])
    shap = gx.shap_values(gam, frame, output="label")
    assert isinstance(shap, gx.BatchResult) and list(shap.table.index) == ["p", "q", "r"]
    assert shap.verify(gam)
    banzhaf = gx.banzhaf_values(gam, rows)
    assert banzhaf.answers["banzhaf-score"].values.shape == (3, gam.n_features)
    assert banzhaf.verify(gam)
    cc = gx.completion_fraction(gam, rows, ["grade"])
    assert cc.kept == ("grade",) and cc.verify(gam)
    assert (
        cc.table["cc_fraction"].iloc[0] == gx.completion_fraction(gam, rows[0], ["grade"]).fraction
    )
    with pytest.raises(gx.InvalidParameterError, match="row by row"):
        gx.shap_values(gam, rows, output="label", distribution="uniform")
    with pytest.raises(gx.InvalidParameterError, match="needs the set S"):
        gx.explain(gam, rows, queries=("cc",))
    plan = gx.batch_plan(gam, ("shap-label", "cc"))
    assert "thm:shap-label-sharp-p" in plan["shap-label"] and "thm:cc-dp" in plan["cc"]


def test_verify_rejects_a_tampered_fraction_or_label_attribution():
    gam, rows = _credit_rows()
    result = gx.explain(gam, rows, queries=("shap-label", "cc"), S=("grade",))
    assert result.verify(gam)
    result.answers["cc"].fraction[1] += 1e-6
    assert not result.verify(gam)
    result.answers["cc"].fraction[1] -= 1e-6
    assert result.verify(gam)
    result.answers["cc"].bounds[0, 0] -= 0.25
    assert not result.verify(gam)
    result = gx.explain(gam, rows, queries=("shap-label",))
    result.answers["shap-label"].values[2, 1] += 0.5
    assert not result.verify(gam)


def test_equal_rows_share_one_single_row_answer_and_each_row_is_still_checked():
    gam, rows = _credit_rows()
    many = [*rows, *rows, [*rows[0]]]
    result = gx.explain(gam, many, queries=("cc", "shap-label"), S=("grade",))
    cc = result.answers["cc"]
    assert cc.results[0] is cc.results[3] is cc.results[6]
    assert cc.results[0] is not cc.results[1]
    assert result.verify(gam)
    # an integer 1 and a float 1.0 are different inputs: not shared
    ints = list(rows[0])
    floats = [float(v) if isinstance(v, int) else v for v in ints]
    assert any(type(a) is not type(b) for a, b in zip(ints, floats, strict=True))
    mixed = gx.explain(gam, [ints, floats], queries=("cc",), S=("grade",))
    assert mixed.answers["cc"].results[0] is not mixed.answers["cc"].results[1]
    assert mixed.verify(gam)
    # a row showing another value than its (shared) result is rejected
    result.answers["shap-label"].values[3, 0] += 0.25
    assert not result.verify(gam)
