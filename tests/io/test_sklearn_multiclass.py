"""from_sklearn on a multinomial LogisticRegression over splines: a MulticlassGAM."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler

import gamexplain as gx


@pytest.mark.parametrize("degree", [1, 3])
def test_a_multinomial_spline_pipeline_converts_exactly(degree: int) -> None:
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    pipe = make_pipeline(
        StandardScaler(), SplineTransformer(n_knots=4, degree=degree),
        LogisticRegression(max_iter=2000),
    ).fit(X, names)  # fmt: skip
    gam = gx.from_sklearn(pipe, X=X)
    assert isinstance(gam, gx.MulticlassGAM) and gam.classes == tuple(pipe.classes_)
    assert list(gam.predict(X)) == list(pipe.predict(X))
    assert np.abs(gam.decision_function(X) - pipe.decision_function(X)).max() < 1e-12
    assert gx.loads(gx.dumps(gam)) == gam
    x = X[3]
    for answer in (
        gx.is_sufficient_reason(gam, x, [0, 1]),
        gx.minimum_contrastive_reason(gam, x),
        gx.shap_values(gam, x),
    ):
        assert answer.verify(gam)
    with pytest.raises(gx.InvalidParameterError, match="tolerance"):
        gx.from_sklearn(pipe, X=X, tolerance=1.0)
