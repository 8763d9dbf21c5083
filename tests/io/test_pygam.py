"""from_pygam against pyGAM's own predictions, inside, at and beyond the knots."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gamexplain import (
    Classification,
    Finite,
    Interval,
    InvalidParameterError,
    Piecewise,
    Regression,
    Table,
    UnsupportedModelError,
    minimum_sufficient_reason,
)
from gamexplain.io.pygam import from_pygam

pygam = pytest.importorskip("pygam")
datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    X, y = datasets.load_diabetes(return_X_y=True)
    X = X[:, :6].copy()
    X[:, 1] = (X[:, 1] > 0).astype(int)  # the sex column as a 0/1 factor
    return X, y


def _terms():
    s, f, lin = pygam.s, pygam.f, pygam.l
    return (
        s(0) + f(1) + lin(2) + s(3, n_splines=7, spline_order=2) + s(4, spline_order=1)
        + s(5, n_splines=6, spline_order=0) + lin(5)
    )  # fmt: skip


def _knot_points(term) -> np.ndarray:
    edges = np.asarray(term.edge_knots_, dtype=float)
    order = term.spline_order
    points = edges[0] + (edges[1] - edges[0]) * np.linspace(0, 1, 1 + term.n_splines - order)
    return np.clip(points, edges[0], edges[1])


def _compare(gam, model, X: np.ndarray) -> None:
    assert np.max(np.abs(gam.decision_function(X) - model._linear_predictor(X))) < 1e-9
    ours, theirs = gam.predict(X), model.predict(X)
    if isinstance(gam.task, Classification):
        assert np.array_equal(ours, theirs.astype(int))
    else:
        assert np.max(np.abs(ours - theirs)) < 1e-9


def test_linear_gam_matches_inside_at_knots_and_beyond(diabetes) -> None:
    X, y = diabetes
    model = pygam.LinearGAM(_terms()).fit(X, y)
    gam = from_pygam(model)
    assert isinstance(gam.features[1].shape, Table)
    assert gam.features[0].component == "spline"
    rng = np.random.default_rng(0)
    inside = np.column_stack(
        [rng.uniform(X[:, i].min(), X[:, i].max(), 300) for i in range(X.shape[1])]
    )
    inside[:, 1] = rng.integers(0, 2, 300)
    _compare(gam, model, inside)
    _compare(gam, model, X)
    for index in (0, 3, 4, 5):
        term = model.terms[index if index < 5 else 5]
        points = _knot_points(term)
        rows = np.repeat(X[:1], len(points), axis=0)
        rows[:, term.feature] = points
        _compare(gam, model, rows)
    wide = {i: Interval(-1.0, 1.0) for i in (0, 2, 3, 4, 5)}
    widened = from_pygam(model, domains=wide)
    beyond = rng.uniform(-1.0, 1.0, (300, X.shape[1]))
    beyond[:, 1] = rng.integers(0, 2, 300)
    beyond[:5, 0] = [-1.0, 1.0, X[:, 0].min(), X[:, 0].max(), 0.5]
    _compare(widened, model, beyond)
    assert isinstance(widened.features[0].shape, Piecewise)


def test_logistic_gam_keeps_the_strict_tie_rule() -> None:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = X[:, :4]
    model = pygam.LogisticGAM(pygam.s(0) + pygam.s(1) + pygam.l(2) + pygam.s(3)).fit(X, y)
    gam = from_pygam(model)
    assert gam.task == Classification(0.0, ">")
    _compare(gam, model, X)


def test_names_from_the_data_frame_and_a_tolerance_for_regression(diabetes) -> None:
    pd = pytest.importorskip("pandas")
    X, y = diabetes
    noise = np.random.default_rng(0).uniform(-0.1, 0.1, len(y))
    frame = pd.DataFrame({"bmi": X[:, 2], "bp": X[:, 3], "noise": noise})
    model = pygam.LinearGAM(pygam.s(0) + pygam.s(1) + pygam.l(2)).fit(frame, y)
    # pyGAM keeps no column names, even when fitted on a DataFrame
    assert from_pygam(model).feature_names == ("x0", "x1", "x2")
    assert from_pygam(model, names=list(frame.columns)).feature_names == ("bmi", "bp", "noise")
    exact = from_pygam(model, names=frame)
    assert exact.feature_names == ("bmi", "bp", "noise")
    assert exact.task == Regression(tolerance=0.0)
    gam = from_pygam(model, names=frame, tolerance=5.0)
    assert gam.task == Regression(tolerance=5.0)
    row = frame.to_numpy()[0]
    assert len(minimum_sufficient_reason(exact, row).features) == 3
    reason = minimum_sufficient_reason(gam, row)
    assert reason.features == ("bmi", "bp") and reason.verify(gam)
    with pytest.raises(InvalidParameterError, match="'tolerance' parameter of from_pygam"):
        from_pygam(model, tolerance=-1.0)


def test_a_logistic_gam_takes_no_tolerance() -> None:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    model = pygam.LogisticGAM(pygam.l(0) + pygam.l(1)).fit(X[:, :2], y)
    with pytest.raises(InvalidParameterError, match="regression models only"):
        from_pygam(model, tolerance=1.0)


def test_poisson_gam_explains_the_linear_predictor(diabetes) -> None:
    X, y = diabetes
    model = pygam.PoissonGAM(pygam.s(0) + pygam.l(2)).fit(X, np.round(y))
    gam = from_pygam(model, domains={1: Finite([0, 1]), 3: Interval(-1, 1),
                                     4: Interval(-1, 1), 5: Interval(-1, 1)})  # fmt: skip
    assert gam.task.kind == "regression"
    eta = model._linear_predictor(X)
    assert np.max(np.abs(gam.decision_function(X) - eta)) < 1e-9
    assert np.allclose(np.exp(gam.decision_function(X)), model.predict(X))


@pytest.mark.parametrize(
    ("terms", "word"),
    [
        (lambda: pygam.te(0, 2) + pygam.s(3), "te(0, 2)"),
        (lambda: pygam.s(0, by=2) + pygam.s(3), "by=2"),
        (lambda: pygam.s(0, basis="cp"), "periodic"),
    ],
)
def test_non_univariate_terms_are_rejected(diabetes, terms, word) -> None:
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pygam.LinearGAM(terms()).fit(X, y)
    with pytest.raises(UnsupportedModelError, match=word.replace("(", r"\(").replace(")", r"\)")):
        from_pygam(model, domains={i: Interval(-1, 1) for i in range(6)})
