"""The GAM value: validation when built, instance checks, float and exact evaluation."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidInstanceError,
    InvalidModelError,
    Layer,
    PairTerm,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
)


def credit() -> GAM:
    return GAM(
        features=[
            Feature("grade", Finite(["A", "B", "C"]), Table([1.0, 0.2, -0.7])),
            Feature(
                "income", Interval(0, 200), Piecewise([0, 50, 120, 200], [[-1.0], [0.0], [0.8]])
            ),
            Feature(
                "code",
                Integers(0, 10**6),
                ReLUNet([Layer([[1.0, -1.0]], [0.0, 5.0]), Layer([[0.5], [0.25]], [0.0])]),
                weight=0.001,
            ),
        ],
        intercept=-0.5,
        task=Classification(0.0, ">="),
    )


@given(st.data())
def test_float_and_exact_evaluation_agree(data):
    gam = data.draw(gams(pairs=True, with_distribution=None))
    rows = [data.draw(instances(gam)) for _ in range(3)]
    scores = gam.decision_function(rows)
    for row, score in zip(rows, scores, strict=True):
        exact = gam.score_exact(row)
        assert float(exact) == pytest.approx(score, rel=1e-9, abs=1e-9)
        # floats may round across the threshold only when the exact score sits on it
        if isinstance(gam.task, Classification) and abs(float(exact) - gam.task.threshold) > 1e-9:
            assert gam.predict([row])[0] == gam.predict_exact(row)


def test_breakpoints_belong_to_the_piece_on_their_right():
    gam = credit()
    assert gam.decision_function([["A", 50.0, 0], ["A", 49.999, 0], ["A", 200.0, 0]]).tolist() == [
        pytest.approx(0.5 + 0.00125),
        pytest.approx(-0.5 + 0.00125),
        pytest.approx(1.3 + 0.00125),
    ]
    assert gam.score_exact(("A", Fraction(50), 0)) == Fraction(1, 2) + Fraction(0.001) * Fraction(
        5, 4
    )


@pytest.mark.parametrize("positive, expected", [(">=", 1), (">", 0)])
def test_tie_rule_at_the_threshold(positive, expected):
    gam = GAM(
        [Feature("a", Finite([0, 1]), Table([0.0, 1.0]))],
        intercept=-1.0,
        task=Classification(0.0, positive),
    )
    assert gam.predict([[1]]).tolist() == [expected]
    assert gam.predict_exact((1,)) == expected


def test_regression_predicts_the_score():
    gam = GAM([Feature("a", Interval(0, 1), Piecewise([0, 1], [[1.0, 2.0]]))], task=Regression())
    assert gam.predict([[0.5]]).tolist() == [2.0]


@pytest.mark.parametrize(
    "row, fragment",
    [
        (["D", 10.0, 3], "'grade' (column 0): value 'D'"),
        (["A", float("inf"), 3], "'income' (column 1): value inf"),
        (["A", float("nan"), 3], "'income' (column 1): value nan"),
        (["A", 10.0, 2.5], "'code' (column 2): value 2.5"),
        (["A", "ten", 3], "'income' (column 1): value 'ten' in row 0 is not a number"),
        (["A", 10.0], "rows of 3 values"),
    ],
)
def test_bad_rows_name_the_feature_and_value(row, fragment):
    with pytest.raises(InvalidInstanceError, match=None) as info:
        credit().decision_function([row])
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "x, fragment",
    [
        ({"grade": "A", "income": 1.0}, "no value for feature(s) ['code']"),
        ({"grade": "A", "income": 1.0, "code": 1, "age": 3}, "unknown feature name(s) ['age']"),
        (["A", 1.0, 0.5], "feature 'code': value 0.5 is not an integer"),
        (["A", 1.0], "has 3 values"),
        # not "got 1 value": None or one number is no instance at all
        (None, "a sequence of 3 values in feature order or a mapping by feature name; got None"),
        (7.5, "a sequence of 3 values in feature order or a mapping by feature name; got 7.5"),
        ("A", "a sequence of 3 values in feature order or a mapping by feature name; got 'A'"),
    ],
)
def test_bad_instances_name_the_problem(x, fragment):
    with pytest.raises(InvalidInstanceError) as info:
        credit().instance(x)
    assert fragment in str(info.value)


def test_numeric_values_beyond_the_domain_are_scored_by_the_extended_pieces():
    gam = credit()
    # income 250 lies in the last piece extended; code -1 is the network's own value
    assert gam.instance(["A", 250.0, -1]) == ("A", 250.0, -1)
    network = Fraction(0.001) * (Fraction(6, 4) - Fraction(5, 4))  # 0.25·relu(5 − x) grows
    assert gam.score_exact(("A", 250, -1)) == gam.score_exact(("A", 200, 0)) + network
    assert gam.decision_function([["A", 250.0, -1]])[0] == float(gam.score_exact(("A", 250, -1)))


def test_instance_accepts_mappings_and_numpy_scalars():
    gam = credit()
    assert gam.instance({"code": np.int64(7), "income": np.float64(3.5), "grade": "B"}) == (
        "B",
        3.5,
        7,
    )


def _feature(**changes):
    arguments = {
        "name": "x",
        "domain": Interval(0, 1),
        "shape": Piecewise([0, 1], [[0.0]]),
    }
    arguments.update(changes)
    return Feature(**arguments)


@pytest.mark.parametrize(
    "build, path, fragment",
    [
        (lambda: Finite([]), "values", "at least one value"),
        (lambda: Finite(["a", "a"]), "values", "distinct"),
        (lambda: Integers(3, 1), "low", "exceeds"),
        (lambda: Integers(0.5, 1), "low", "not an integer"),
        (lambda: Interval(0, float("inf")), "high", "not finite"),
        (lambda: Piecewise([0, 0], [[1.0]]), "breakpoints[1]", "strictly increasing"),
        (lambda: Piecewise([0, 1], [[1.0, 1, 1, 1, 1]]), "coefficients[0]", "degree"),
        (lambda: Piecewise([0, 1, 2], [[1.0]]), "coefficients", "2 pieces"),
        (lambda: Piecewise([0, 1], [[float("nan")]]), "coefficients[0][0]", "not finite"),
        (lambda: Table(["x"]), "values[0]", "not a number"),
        (lambda: ReLUNet([Layer([[1.0, 2.0]], [0.0, 0.0])]), "layers[0].bias", "1 output"),
        (
            lambda: ReLUNet([Layer([[1.0]], [0.0]), Layer([[1.0], [1.0]], [0.0])]),
            "layers[1].weights",
            "takes 2 inputs",
        ),
        (lambda: Layer([[1.0]], [0.0, 1.0]), "bias", "1 biases"),
        (lambda: _feature(domain=Interval(-1, 1)), "domain", "leaves the pieces' span"),
        (lambda: _feature(shape=Table([1.0])), "shape", "needs a finite domain"),
        (
            lambda: _feature(domain=Finite(["a", "b"]), shape=Table([1.0])),
            "shape.values",
            "1 scores for 2",
        ),
        (lambda: _feature(distribution=(0.5, 0.6)), "distribution", "expected 1"),
        (
            lambda: _feature(domain=Finite([0, 1]), distribution=(0.5, 0.6)),
            "distribution",
            "sum to",
        ),
        (
            lambda: _feature(domain=Finite([0, 1]), distribution=(-0.5, 1.5)),
            "distribution[0]",
            "≥ 0",
        ),
        (lambda: _feature(weight=float("nan")), "weight", "finite"),
        (lambda: _feature(name=""), "name", "non-empty"),
        (lambda: GAM([_feature(), _feature()]), "features[1].name", "duplicate"),
        (lambda: GAM([]), "features", "at least one"),
        (lambda: Classification(0.0, "=>"), "positive", "tie rule"),
        (lambda: Regression(-1.0), "tolerance", "≥ 0"),
        (
            lambda: GAM(
                [_feature(), _feature(name="y")],
                pairs=[PairTerm((0, 1), [[0, 1], [0, 0.5, 1]], [[1.0]])],
            ),
            "pairs[0].values",
            "axis 1 has 1 rows for 2 bins",
        ),
        (
            lambda: GAM(
                [_feature(), _feature(name="y")], pairs=[PairTerm((0, 1), [None, [0, 1]], [[1.0]])]
            ),
            "pairs[0].edges[0]",
            "needs edges",
        ),
    ],
)
def test_invalid_models_are_rejected_with_their_place(build, path, fragment):
    with pytest.raises(InvalidModelError) as info:
        build()
    assert info.value.path == path
    assert fragment in str(info.value)


def test_distribution_on_a_piece_outside_the_domain_is_rejected():
    with pytest.raises(InvalidModelError, match="piece 1 holds no point"):
        Feature(
            "x", Integers(0, 0), Piecewise([0, 0.5, 1], [[0.0], [1.0]]), distribution=(0.5, 0.5)
        )


def test_pair_terms_enter_the_score():
    gam = GAM(
        [
            Feature("a", Finite(["u", "v"]), Table([0.0, 0.0])),
            Feature("b", Interval(0, 2), Piecewise([0, 2], [[0.0]])),
        ],
        pairs=[PairTerm((0, 1), [None, [0, 1, 2]], [[1.0, 2.0], [3.0, 4.0]])],
        task=Regression(),
    )
    assert gam.decision_function([["u", 0.5], ["v", 1.0], ["v", 2.0]]).tolist() == [1.0, 4.0, 4.0]
    assert gam.score_exact(("v", Fraction(1))) == 4
    assert not gam.is_additive
