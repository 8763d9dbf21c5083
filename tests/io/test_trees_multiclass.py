"""Multiclass boosted trees load as a MulticlassGAM that scores and predicts as the library.

Each library grows one tree per class and iteration; the GAM gives each class the sum of
its own trees on breakpoints shared by the classes. Checked on wine (three classes with
string labels where the library allows them) for XGBoost, LightGBM (softmax and
one-vs-all) and HistGradientBoosting, with stumps and with pair constraints: the scores
equal the library's raw scores (1e-12 for double leaves, 1e-6 for XGBoost's float32),
the predicted labels are the library's on held-out rows and on rows placed at and one
double below every shared boundary, and the reason and SHAP queries verify.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gamexplain import (
    Interval,
    InvalidParameterError,
    MulticlassGAM,
    from_hist_gradient_boosting,
    from_lightgbm,
    from_lightgbm_model,
    from_xgboost,
    from_xgboost_json,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    shap_values,
)

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
datasets = pytest.importorskip("sklearn.datasets")
ensemble = pytest.importorskip("sklearn.ensemble")
pd = pytest.importorskip("pandas")

FLOAT32 = {"rtol": 1e-6, "atol": 1e-6}
DOUBLE = {"rtol": 1e-12, "atol": 1e-12}
LABELS = np.array(["barolo", "grignolino", "barbera"])


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def wine():
    X, y = datasets.load_wine(return_X_y=True, as_frame=True)
    order = np.random.default_rng(1).permutation(len(y))
    train, test = order[:130], order[130:]
    return X.iloc[train], y.to_numpy()[train], X.iloc[test], X


def _edge_rows(gam, base):
    rows = []
    for i, feature in enumerate(gam.features):
        if not isinstance(feature.domain, Interval):
            continue  # a boundary between two integers is no integer
        cuts = list(feature.shape.breakpoints[1:-1])
        for pair in gam.scores[0].pairs:
            if i in pair.features:
                cuts += pair.edges[pair.features.index(i)][1:-1]
        for cut in cuts[:6]:
            for value in (cut, math.nextafter(cut, -math.inf)):
                row = base.copy()
                row[i] = value
                rows.append(row)
    return np.array(rows)


def _check(gam, margin, predict, rows, tolerance, classes):
    assert isinstance(gam, MulticlassGAM)
    assert gam.classes == tuple(classes)
    np.testing.assert_allclose(gam.decision_function(rows), margin(rows), **tolerance)
    # a row whose two best margins lie within the float32 noise is left out for XGBoost
    scores = margin(rows)
    top = np.sort(scores, axis=1)
    clear = top[:, -1] - top[:, -2] > 1e-5
    assert clear.mean() > 0.9
    assert (np.asarray(gam.predict(rows))[clear] == np.asarray(predict(rows))[clear]).all()


def _queries_verify(gam, row):
    for result in (
        minimum_sufficient_reason(gam, row),
        minimum_contrastive_reason(gam, row),
        shap_values(gam, row),
    ):
        assert result.exact
        assert result.verify(gam)


_PAIRS = [[0, 1], [2, 3], *[[i] for i in range(4, 13)]]


@pytest.mark.parametrize("interactions", ["no_interactions", "pairs"])
def test_xgboost_multiclass(wine, interactions):
    Xtr, ytr, Xte, X = wine
    options = (
        {"max_depth": 1}
        if interactions == "no_interactions"
        else {
            "max_depth": 2,
            "interaction_constraints": [[X.columns[i] for i in g] for g in _PAIRS],
        }
    )
    model = xgb.XGBClassifier(n_estimators=12, n_jobs=1, base_score=[0.1, 0.5, 0.2], **options)
    model.fit(Xtr, ytr)
    gam = from_xgboost(model, X=X)
    rows = np.vstack([Xte.to_numpy(), _edge_rows(gam, Xte.to_numpy()[0])])
    margin = lambda r: model.predict(pd.DataFrame(r, columns=X.columns), output_margin=True)  # noqa: E731
    predict = lambda r: model.predict(pd.DataFrame(r, columns=X.columns))  # noqa: E731
    _check(gam, margin, predict, rows, FLOAT32, model.classes_)
    if interactions == "pairs":
        assert gam.scores[0].pairs
    _queries_verify(gam, Xte.iloc[0])


def test_xgboost_multiclass_json_file(wine, tmp_path):
    Xtr, ytr, Xte, X = wine
    model = xgb.XGBClassifier(n_estimators=5, max_depth=1, n_jobs=1, objective="multi:softmax")
    model.fit(Xtr, ytr)
    path = tmp_path / "model.json"
    model.save_model(path)
    gam = from_xgboost_json(path, X=X)
    margin = model.get_booster().predict(xgb.DMatrix(Xte), output_margin=True)
    np.testing.assert_allclose(gam.decision_function(Xte), margin, **FLOAT32)
    assert gam.classes == (0, 1, 2)


@pytest.mark.parametrize("objective", ["multiclass", "multiclassova"])
def test_lightgbm_multiclass_keeps_labels_and_names(wine, objective, tmp_path):
    Xtr, ytr, Xte, _ = wine
    frame = Xtr.rename(columns=lambda c: c.replace("_", " "))  # LightGBM stores "a_b"
    model = lgb.LGBMClassifier(
        n_estimators=10, max_depth=1, objective=objective, verbose=-1, n_jobs=1
    ).fit(frame, LABELS[ytr])
    gam = from_lightgbm(model, X=frame)
    assert gam.feature_names == tuple(frame.columns)
    rows = np.vstack([Xte.to_numpy(), _edge_rows(gam, Xte.to_numpy()[0])])
    margin = lambda r: model.predict(pd.DataFrame(r, columns=frame.columns), raw_score=True)  # noqa: E731
    predict = lambda r: model.predict(pd.DataFrame(r, columns=frame.columns))  # noqa: E731
    _check(gam, margin, predict, rows, DOUBLE, model.classes_)
    _queries_verify(gam, dict(zip(frame.columns, Xte.to_numpy()[1], strict=True)))
    # the text file holds the same trees; its labels are the class indices
    path = tmp_path / "model.txt"
    model.booster_.save_model(path)
    loaded = from_lightgbm_model(path)
    np.testing.assert_allclose(loaded.decision_function(Xte), margin(Xte.to_numpy()), **DOUBLE)
    assert loaded.classes == (0, 1, 2)


@pytest.mark.parametrize("cst", ["no_interactions", "pairs"])
def test_hist_gradient_boosting_multiclass(wine, cst):
    Xtr, ytr, Xte, X = wine
    model = ensemble.HistGradientBoostingClassifier(
        max_iter=8, interaction_cst=_PAIRS if cst == "pairs" else cst, random_state=0
    ).fit(Xtr, LABELS[ytr])
    gam = from_hist_gradient_boosting(model, X=X)
    rows = np.vstack([Xte.to_numpy(), _edge_rows(gam, Xte.to_numpy()[2])])
    frame = lambda r: pd.DataFrame(r, columns=X.columns)  # noqa: E731
    _check(
        gam,
        lambda r: model.decision_function(frame(r)),
        lambda r: model.predict(frame(r)),
        rows,
        DOUBLE,
        model.classes_,
    )
    _queries_verify(gam, Xte.iloc[2])


def test_a_classifier_takes_no_tolerance(wine):
    Xtr, ytr, _, X = wine
    model = ensemble.HistGradientBoostingClassifier(
        max_iter=2, interaction_cst="no_interactions"
    ).fit(Xtr, ytr)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        from_hist_gradient_boosting(model, X=X, tolerance=0.5)
