"""from_sklearn against scikit-learn's own spline pipelines, inside, at and beyond knots."""

from __future__ import annotations

import numpy as np
import pytest

from gamexplain import (
    Classification,
    Interval,
    InvalidParameterError,
    Regression,
    UnsupportedModelError,
)
from gamexplain.io.sklearn import from_sklearn

datasets = pytest.importorskip("sklearn.datasets")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import PolynomialFeatures, SplineTransformer  # noqa: E402

X_ALL, Y_ALL = datasets.load_diabetes(return_X_y=True)
X, Y = X_ALL[:, :3], Y_ALL
WIDE = {i: Interval(-0.4, 0.4) for i in range(3)}


def _points(spline: SplineTransformer, low: float, high: float, rng) -> np.ndarray:
    knots = [np.asarray(b.t) for b in spline.bsplines_]
    rows = [rng.uniform(low, high, (200, 3))]
    for column, t in enumerate(knots):
        at = np.repeat(X[:1], len(t), axis=0)
        at[:, column] = np.clip(t, low, high)
        rows.append(at)
    return np.vstack(rows)


@pytest.mark.parametrize("degree", [0, 1, 2, 3])
@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue", "periodic", "error"])
def test_spline_pipelines_match_everywhere(degree: int, extrapolation: str) -> None:
    if degree == 0 and extrapolation in ("constant", "periodic"):
        pytest.skip("scikit-learn itself rejects this combination")
    if degree <= 1 and extrapolation == "linear":
        pytest.skip("covered by test_linear_low_degree_quirk")
    rng = np.random.default_rng(degree)
    for bias in (True, False):
        spline = SplineTransformer(n_knots=5, degree=degree, extrapolation=extrapolation,
                                   include_bias=bias)  # fmt: skip
        pipe = make_pipeline(spline, Ridge(alpha=1e-3)).fit(X, Y)
        gam = from_sklearn(pipe)
        inside = _points(spline, X.min(), X.max(), rng)
        inside = np.clip(inside, X.min(axis=0), X.max(axis=0))
        assert np.max(np.abs(gam.decision_function(inside) - pipe.predict(inside))) < 1e-9
        if extrapolation == "error":
            with pytest.raises(InvalidParameterError):
                from_sklearn(pipe, domains=WIDE)
            continue
        wide = from_sklearn(pipe, domains=WIDE)
        beyond = _points(spline, -0.4, 0.4, rng)
        assert np.max(np.abs(wide.decision_function(beyond) - pipe.predict(beyond))) < 1e-9


def test_linear_low_degree_quirk() -> None:
    one = make_pipeline(SplineTransformer(degree=1, extrapolation="linear"), Ridge()).fit(
        X[:, :1], Y
    )
    gam = from_sklearn(one, domains={0: Interval(-1, 1)})
    grid = np.linspace(-1, 1, 301)[:, None]
    assert np.max(np.abs(gam.decision_function(grid) - one.predict(grid))) < 1e-9
    several = make_pipeline(SplineTransformer(degree=1, extrapolation="linear"), Ridge())
    with pytest.raises(UnsupportedModelError, match="degree"):
        from_sklearn(several.fit(X, Y))


def test_column_transformer_and_logistic_regression() -> None:
    Xb, yb = datasets.load_breast_cancer(return_X_y=True)
    Xb = Xb[:, :4]
    columns = ColumnTransformer(
        [("s", SplineTransformer(n_knots=4, degree=3), [0, 2]), ("p", "passthrough", [1])]
    )
    pipe = make_pipeline(columns, LogisticRegression(max_iter=5000)).fit(Xb, yb)
    domains = {1: Interval(0, 50), 3: Interval(0, 3000)}
    gam = from_sklearn(pipe, domains=domains)
    assert gam.task == Classification(0.0, ">")
    assert np.max(np.abs(gam.decision_function(Xb) - pipe.decision_function(Xb))) < 1e-9
    assert np.array_equal(gam.predict(Xb), pipe.predict(Xb))
    with pytest.raises(InvalidParameterError, match="domains"):
        from_sklearn(pipe)
    with pytest.raises(InvalidParameterError, match="regression models only"):
        from_sklearn(pipe, domains=domains, tolerance=0.5)


def test_a_regression_pipeline_takes_a_tolerance_and_names() -> None:
    pipe = make_pipeline(SplineTransformer(n_knots=7), LinearRegression()).fit(X, Y)
    assert from_sklearn(pipe).task == Regression(tolerance=0.0)
    gam = from_sklearn(pipe, tolerance=0.25, names=["age", "sex", "bmi"])
    assert gam.task == Regression(tolerance=0.25)
    assert gam.feature_names == ("age", "sex", "bmi")
    for bad in (-0.25, float("nan")):
        with pytest.raises(InvalidParameterError, match="'tolerance' parameter of from_sklearn"):
            from_sklearn(pipe, tolerance=bad)


def test_linear_regression_after_bare_spline() -> None:
    pipe = make_pipeline(SplineTransformer(n_knots=7), LinearRegression()).fit(X, Y)
    gam = from_sklearn(pipe)
    assert np.max(np.abs(gam.predict(X) - pipe.predict(X))) < 1e-9


def test_non_additive_steps_are_rejected() -> None:
    pipe = make_pipeline(PolynomialFeatures(2), Ridge()).fit(X, Y)
    with pytest.raises(UnsupportedModelError):
        from_sklearn(pipe)
    with pytest.raises(UnsupportedModelError):
        from_sklearn(Ridge().fit(X, Y))
