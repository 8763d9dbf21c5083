"""The checks' own evaluator agrees with the model's on random models of every kind, and
knows what lies inside the domain."""

from fractions import Fraction

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
    Piecewise,
    Regression,
    Table,
    certify,
)
from gamexplain.errors import CertificateTooLargeError


@given(st.data())
def test_the_check_evaluator_equals_the_models_own(data):
    gam = data.draw(gams(pairs=True))
    x = data.draw(instances(gam))
    assert certify.in_domain(gam, x)
    assert certify.compare(certify.score(gam, x), gam.score_exact(x)) == 0
    assert certify.prediction(gam, x) == gam.predict_exact(x) or (
        certify.compare(certify.prediction(gam, x), gam.predict_exact(x)) == 0
    )


def _model() -> GAM:
    return GAM(
        [
            Feature("g", Finite(["A", "B"]), Table([1.0, -1.0])),
            Feature("n", Integers(0, 10), Piecewise([0, 5, 10], [[0.0, 1.0], [5.0]])),
            Feature("t", Interval(0, 1), Piecewise([0, 1], [[0.0, 0.0, 1.0]])),
        ],
        intercept=-2.0,
        task=Classification(threshold=0.0, positive=">"),
    )


@pytest.mark.parametrize(
    "point",
    [
        ("C", 1, 0.5),
        ("A", 1.5, 0.5),
        ("A", 11, 0.5),
        ("A", 1, 1.5),
        ("A", 1, float("nan")),
        ("A", True, 0.5),
        ("A", 1),
        ("A", 1, 0.5, 0),
        (1, 1, 0.5),
    ],
)
def test_points_outside_the_domain_are_recognised(point):
    assert not certify.in_domain(_model(), point)


def test_ties_follow_the_tasks_rule():
    gam = _model()
    assert certify.score(gam, ("A", 1, 0)) == 0
    assert certify.label(gam, Fraction(0)) == 0
    strict = GAM(gam.features, intercept=-2.0, task=Classification(threshold=0.0))
    assert certify.label(strict, Fraction(0)) == 1


def test_regression_keeps_the_prediction_within_the_tolerance():
    gam = GAM(_model().features, intercept=0.0, task=Regression(tolerance=0.5))
    assert certify.same_prediction(gam, ("A", 1, 0), ("A", 1, 0.5))
    assert not certify.same_prediction(gam, ("A", 1, 0), ("A", 2, 0))


def test_a_malformed_certificate_makes_a_check_false_not_a_traceback():
    check = certify.checked(lambda gam: certify.score(gam, None) == 0)
    assert check(_model()) is False
    with pytest.raises(CertificateTooLargeError):
        certify.checked(lambda: certify.check_size(10**12, "an enumeration"))()
