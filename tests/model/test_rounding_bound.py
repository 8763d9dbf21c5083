"""predict equals predict_exact because rows near the threshold are found by a rigorous
rounding bound, not a guessed margin."""

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import GAM, Classification, Feature, Interval, Layer, Piecewise, ReLUNet


def test_a_relu_net_whose_rounding_crosses_the_threshold_is_decided_exactly():
    # relu(3·x) at x = fl(1/3) rounds to 1.0 although 3·fl(1/3) < 1; ×1e10 the float score
    # lands 3e-7 above the threshold while the exact one lies 2.5e-7 below it
    net = ReLUNet([Layer([[3.0]], [0.0]), Layer([[1e10]], [-1e10])])
    gam = GAM([Feature("x", Interval(0, 1), net)], intercept=3e-7, task=Classification(0.0))
    x = 1 / 3
    assert gam.decision_function([[x]])[0] > 0
    assert gam.predict_exact((x,)) == 0
    assert gam.predict([[x]])[0] == 0


def test_the_bound_covers_the_true_error_of_a_cancelling_polynomial():
    shape = Piecewise([0, 4], [[1e16, -3e15, 1.0, 1e-3]])
    feature = Feature("t", Interval(0, 4), shape)
    xs = np.linspace(0, 4, 101)
    floats = feature.contribution(xs)
    bounds = feature.rounding_bound(xs)
    for x, value, bound in zip(xs, floats, bounds, strict=True):
        error = abs(Fraction(float(value)) - feature.contribution_exact(Fraction(float(x))))
        assert error <= Fraction(float(bound))


@given(st.data())
def test_predict_equals_predict_exact_on_random_models(data):
    gam = data.draw(gams(pairs=True, task=st.just(Classification(threshold=0.0))))
    rows = [data.draw(instances(gam)) for _ in range(3)]
    assert list(gam.predict(rows)) == [gam.predict_exact(r) for r in rows]
