"""Multiclass redundancy on continuous pieces (thm:multiclass-fr-lines-search): the model
``class-pairs`` refuses gets a witness search; every witness is real, no answer claims
redundancy, a witness on the candidate grid is found on small models, and the iris
spline pipelines (linear and cubic pieces) are answered."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import multiclass_gams

import gamexplain as gx
from gamexplain.algorithms.multiclass_line_search import candidates

CURVED = multiclass_gams(max_features=3, components=("spline", "table"),
                         domain_kinds=("interval", "integers", "finite"))  # fmt: skip


def _answered(gam: Any, j: int) -> Any:
    try:
        result = gx.is_redundant(gam, j)
    except gx.UnsupportedQueryError:
        assume(False)
    assume(result.algorithm == "multiclass-line-search")
    return result


@settings(max_examples=60)
@given(CURVED, st.data())
def test_witnesses_are_real_and_nothing_is_claimed(gam: Any, data: st.DataObject) -> None:
    j = data.draw(st.integers(0, gam.n_features - 1))
    result = _answered(gam, j)
    assert result.verify(gam) and not result.holds
    grid = [candidates(gam, i) for i in range(gam.n_features)]
    moves = any(len({gam.predict_index([*z[:j], v, *z[j + 1:]]) for v in grid[j]}) > 1
                for z in itertools.product(*grid))  # fmt: skip
    if result.status == "solved":
        cert = result.certificate
        other = [cert.other_value if i == j else v for i, v in enumerate(cert.point)]
        assert gam.predict_index(cert.point) == cert.classes[0] != cert.classes[1]
        assert gam.predict_index(other) == cert.classes[1]
        forged = dataclasses.replace(cert, classes=cert.classes[::-1])
        assert not dataclasses.replace(result, certificate=forged).verify(gam)
        assert not dataclasses.replace(result, holds=True).verify(gam)
    else:  # undecided: never a claim, and on these small models only with no grid witness
        assert result.status == "budget_exhausted" and not result.exact
        assert result.certificate is None and "undecided" in str(result)
        assert not moves


@pytest.mark.parametrize("degree", [1, 3])
def test_iris_spline_pipelines_get_witnesses(degree: int) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), SplineTransformer(n_knots=4, degree=degree),
                         LogisticRegression(max_iter=2000)).fit(X, y)  # fmt: skip
    gam = gx.from_sklearn(pipe, X=X)
    for j in range(gam.n_features):
        result = gx.is_redundant(gam, j)
        # linear pieces go to the exact class-pair-lines, which runs this search first
        assert result.algorithm == ("class-pair-lines" if degree == 1
                                    else "multiclass-line-search")  # fmt: skip
        assert result.status == "solved" and not result.holds and result.verify(gam)
        assert "Fraction" not in str(result)
    assert np.array_equal(gam.predict(X), pipe.predict(X))
