"""Input safety of the model boundary (issue 9, findings 8 and 9).

pandas rows are read by name, never by position; float evaluation never answers NaN or a
class that differs from the exact one; odd inputs end in a gamexplain error, never a raw
exception.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sympy

import gamexplain as gx
from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidInstanceError,
    InvalidModelError,
    InvalidParameterError,
    Layer,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
    UnsupportedModelError,
)


def two_intervals() -> GAM:
    """score = -1.5 + [a ≥ 5] + 2·[b ≥ 5]: a and b play different roles."""
    step = [[0.0], [1.0]]
    return GAM(
        [
            Feature("a", Interval(0, 10), Piecewise([0, 5, 10], step)),
            Feature("b", Interval(0, 10), Piecewise([0, 5, 10], step), weight=2.0),
        ],
        intercept=-1.5,
        task=Classification(threshold=0.0),
    )


def with_labels() -> GAM:
    return GAM(
        [
            Feature("grade", Finite(["A", "B", "C"]), Table([1.0, 0.0, -1.0])),
            Feature("n", Integers(0, 9), Piecewise([0, 5, 9], [[0.0], [2.0]])),
        ],
        intercept=-0.5,
        task=Classification(threshold=0.0),
    )


# -- finding 8: pandas by name ---------------------------------------------------------
def test_a_series_is_read_by_its_labels():
    gam = two_intervals()
    assert gam.instance(pd.Series({"b": 1.0, "a": 9.0})) == (9.0, 1.0)
    reason = gx.minimum_sufficient_reason(gam, pd.Series({"b": 1.0, "a": 9.0}))
    assert reason.instance == (9.0, 1.0)


def test_a_dataframe_is_read_by_its_column_names():
    gam = two_intervals()
    frame = pd.DataFrame({"a": [9.0, 1.0], "b": [1.0, 9.0]})
    expected = gam.decision_function(frame.to_numpy())
    reordered = frame[["b", "a"]]
    assert gam.decision_function(reordered).tolist() == expected.tolist()
    assert gam.predict(reordered).tolist() == gam.predict(frame.to_numpy()).tolist()


def test_a_series_row_of_a_reordered_frame_keeps_its_names():
    gam = two_intervals()
    row = pd.DataFrame({"b": [1.0], "a": [9.0]}).iloc[0]
    assert gam.instance(row) == (9.0, 1.0)
    assert gam.decision_function(row).tolist() == [-0.5]


@pytest.mark.parametrize(
    "frame, fragment",
    [
        (pd.DataFrame({"a": [1.0]}), "no column for feature(s) ['b']"),
        (pd.DataFrame({"a": [1.0], "b": [1.0], "c": [0.0]}), "unknown column(s) ['c']"),
        (pd.DataFrame([[1.0, 2.0]]), "unknown column(s) [0, 1]"),
    ],
)
def test_a_dataframe_with_missing_or_extra_columns_is_refused(frame, fragment):
    with pytest.raises(InvalidInstanceError) as caught:
        two_intervals().decision_function(frame)
    assert fragment in str(caught.value)


def test_a_series_with_missing_or_extra_labels_is_refused():
    gam = two_intervals()
    with pytest.raises(InvalidInstanceError, match="no value for feature"):
        gam.instance(pd.Series({"a": 1.0}))
    with pytest.raises(InvalidInstanceError, match="unknown feature name"):
        gam.instance(pd.Series([1.0, 2.0]))


def test_categorical_columns_give_their_labels():
    gam = with_labels()
    frame = pd.DataFrame({"n": [7, 1], "grade": pd.Categorical(["C", "A"])})
    assert gam.decision_function(frame).tolist() == [0.5, 0.5]
    assert gam.instance(frame.iloc[1]) == ("A", 1)


def test_a_numpy_table_of_the_wrong_width_is_refused():
    with pytest.raises(InvalidInstanceError, match="rows of 2 values"):
        two_intervals().decision_function(np.zeros((3, 3)))


def test_ragged_rows_and_mixed_key_mappings_give_instance_errors():
    gam = two_intervals()
    with pytest.raises(InvalidInstanceError):
        gam.decision_function([[1.0, 2.0], [1.0]])
    with pytest.raises(InvalidInstanceError, match="unknown feature name"):
        gam.instance({"a": 1.0, "b": 2.0, 0: 3.0})


# -- finding 9: overflow and exactness ---------------------------------------------------
def overflowing() -> GAM:
    """10·1e308 − 9·1e308 overflows in floats although the exact score is 1e308."""
    return GAM(
        [
            Feature("a", Finite([0, 1]), Table([1e308, -1e308]), weight=10.0),
            Feature("b", Finite([0, 1]), Table([-1e308, 1e308]), weight=9.0),
        ],
        task=Classification(threshold=0.0),
    )


def test_overflow_never_gives_nan_and_predict_equals_predict_exact():
    gam = overflowing()
    rows = [[0, 0], [1, 1], [0, 1], [1, 0]]
    scores = gam.decision_function(rows)
    assert not np.isnan(scores).any()
    assert scores.tolist() == [1e308, -1e308, np.inf, -np.inf]
    assert gam.predict(rows).tolist() == [gam.predict_exact(r) for r in rows]


def test_regression_scores_that_overflow_come_from_the_exact_path():
    gam = GAM(overflowing().features, task=Regression())
    assert gam.predict([[0, 0]]).tolist() == [1e308]


def test_predict_at_the_threshold_agrees_with_the_exact_class():
    # in floats 1.0 + 1e-16 is 1.0, so the score rounds to exactly 0 (class 0 under ">");
    # the exact score is 1e-16 > 0 (class 1)
    gam = GAM(
        [
            Feature("a", Finite([0]), Table([1e-16])),
            Feature("b", Finite([0]), Table([-1.0])),
        ],
        intercept=1.0,
        task=Classification(threshold=0.0, positive=">"),
    )
    assert gam.predict_exact((0, 0)) == 1
    assert gam.predict([[0, 0]]).tolist() == [1]


def huge_integers() -> GAM:
    net = ReLUNet([Layer([[1.0]], [-(2.0**60)])])
    return GAM([Feature("n", Integers(0, 10**500), net)], intercept=-0.5)


def test_integers_beyond_float_range_are_evaluated_exactly():
    gam = huge_integers()
    assert gam.decision_function([[10**400]]).tolist() == [np.inf]
    assert gam.predict([[10**400]]).tolist() == [1]
    # 2**60 + 1 is not a float: the float path would round it to 2**60 and answer 0
    assert gam.predict([[2**60 + 1]]).tolist() == [gam.predict_exact((2**60 + 1,))] == [1]


def test_an_integer_just_outside_a_huge_domain_is_evaluated_exactly_but_not_widened():
    gam = GAM([Feature("n", Integers(0, 2**60), ReLUNet([Layer([[1.0]], [-(2.0**60)])]))],
              intercept=-0.5)  # fmt: skip
    # 2**60 + 1 is not a float: the float path would round it to 2**60 and answer 0
    assert gam.predict([[2**60 + 1]]).tolist() == [gam.predict_exact((2**60 + 1,))] == [1]
    with pytest.raises(InvalidInstanceError, match="not an integer"):
        gam.decision_function([[2**60 + Fraction(1, 2)]])
    # a network cannot keep its marginal on a wider domain: explaining says so
    with pytest.raises(UnsupportedModelError, match=r"feature 'n'.*network"):
        gam.covering([2**60 + 1])


def test_a_number_with_too_many_digits_gets_a_clear_message():
    gam = two_intervals()
    assert gam.instance([10**5000, 1.0]) == (10**5000, 1.0)
    assert gam.decision_function([[10**5000, 1.0]]).tolist() == [-0.5]
    with pytest.raises(InvalidInstanceError, match=r"feature 'a'.*beyond float range"):
        gam.covering([10**5000, 1.0])
    with pytest.raises(InvalidInstanceError, match="not a finite real number"):
        gam.decision_function([[float("-inf"), 1.0]])


def test_algebraic_sympy_numbers_are_accepted_and_transcendental_ones_refused():
    gam = two_intervals()
    assert gam.instance([sympy.sqrt(2), 1]) == (sympy.sqrt(2), 1)
    assert gam.predict([[sympy.sqrt(2) + 5, 1]]).tolist() == [0]
    for value in (sympy.pi, sympy.Float(0.5), sympy.I):
        with pytest.raises(InvalidInstanceError, match="rational or real algebraic"):
            gam.instance([value, 1])
        with pytest.raises(InvalidInstanceError, match="rational or real algebraic"):
            gam.decision_function([[value, 1]])


def test_fractions_near_a_bound_are_checked_exactly():
    gam = two_intervals()
    just_above = Fraction(10) + Fraction(1, 10**30)
    assert gam.covering([10.0, 1.0]) is gam
    # a float comparison would round it to 10 and leave the domain as it is
    wide = gam.covering([just_above, 1.0]).features[0].domain
    assert wide.high == math.nextafter(10.0, math.inf) and wide.contains(just_above)


def test_explain_plan_names_itself_for_a_non_gam():
    from gamexplain.complexity import explain_plan

    with pytest.raises(InvalidParameterError, match="explain_plan"):
        explain_plan(None, "msr")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        b"\xff\xfe{not utf-8",
        '{"n": ' + "9" * 5000 + "}",
    ],
    ids=["deep", "not-utf8", "long-int"],
)
def test_ebm_json_faults_are_model_errors(tmp_path, text):
    from gamexplain.io.ebm import from_ebm_json

    path = tmp_path / "ebm.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(InvalidModelError, match="invalid JSON"):
        from_ebm_json(path)
    if isinstance(text, str):
        with pytest.raises(InvalidModelError, match="invalid JSON"):
            from_ebm_json(text)
