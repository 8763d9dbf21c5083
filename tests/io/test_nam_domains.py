"""from_nam / from_nbm take their domains from training data X when not given."""

from __future__ import annotations

import numpy as np
import pytest

from gamexplain import Integers, Interval, InvalidParameterError, Layer
from gamexplain.io.nam import from_nam, from_nbm

IDENTITY = [Layer([[1.0]], [0.0])]
X = np.array([[0.0, -1.5, 1.0], [4.0, 2.25, 0.0], [2.0, 0.5, 1.0]])


def test_domains_inferred_from_x():
    gam = from_nam([IDENTITY] * 3, X=X)
    assert [f.domain for f in gam.features] == [
        Integers(0, 4),
        Interval(-1.5, 2.25),
        Integers(0, 1),
    ]
    assert np.array_equal(gam.decision_function(X), X.sum(axis=1))


def test_given_domains_win_over_x_by_name_or_position():
    gam = from_nam([IDENTITY] * 3, X=X, names=["a", "b", "c"], domains={"b": Interval(-9, 9)})
    assert gam.features[1].domain == Interval(-9, 9)
    assert gam.features[0].domain == Integers(0, 4)
    gam = from_nam([IDENTITY] * 3, X=X, domains={2: Interval(0, 1)})
    assert gam.features[2].domain == Interval(0, 1)


def test_a_full_sequence_of_domains_still_works():
    domains = [Interval(0, 1)] * 3
    assert [f.domain for f in from_nam([IDENTITY] * 3, domains=domains).features] == domains


def test_nbm_takes_x_too():
    basis = [Layer([[1.0, -1.0]], [0.0, 0.0])]
    gam = from_nbm(basis, [[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], X=X)
    assert gam.features[1].domain == Interval(-1.5, 2.25)
    assert np.allclose(gam.decision_function(X), X[:, 0] - 2 * X[:, 1])


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({}, "feature 'x0' is a network without training data X"),
        ({"domains": {0: Interval(0, 1)}}, "feature 'x1'"),
        ({"domains": [Interval(0, 1)]}, "'domains' parameter of from_nam must hold 3"),
        ({"X": X[:, :2]}, "'X' parameter of from_nam"),
        ({"X": [[0.0, np.nan, 1.0]]}, "'X' parameter of from_nam"),
        ({"X": X, "domains": {"q": Interval(0, 1)}}, "'domains' parameter of from_nam"),
    ],
)
def test_missing_or_bad_domains_are_refused(options, match):
    with pytest.raises(InvalidParameterError, match=match):
        from_nam([IDENTITY] * 3, **options)


def test_nbm_errors_name_from_nbm():
    with pytest.raises(InvalidParameterError, match="'X' parameter of from_nbm"):
        from_nbm([Layer([[1.0]], [0.0])], [[1.0]], X=[[np.inf]])
