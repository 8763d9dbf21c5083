"""Loading additive boosted trees: the GAM scores and predicts as the library does.

Three kinds of evidence. Real models fitted here (XGBoost, LightGBM, scikit-learn's
HistGradientBoosting; stumps, interaction constraints with pairs; classifiers and
regressors) are compared with the library's own margin on held-out rows and on rows
placed exactly at, and one double either side of, every piece boundary. Hypothesis draws
random forests of one- and two-feature trees in LightGBM's dump format and compares the
GAM with a plain recursive walk of the trees. And the float32 rounding XGBoost applies
is checked bit for bit.

Tolerances: scikit-learn and LightGBM add double leaves, so the GAM (which rounds each
piece's sum once) agrees to 1e-12; XGBoost adds float32 leaves in float32, so it agrees
to 1e-6 relative. Held-out rows lie in the domains because the domains are taken from
the training and held-out rows together (out-of-range rows are issue 11, item 3).
"""

from __future__ import annotations

import json
import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gamexplain import (
    Classification,
    Finite,
    Integers,
    Interval,
    InvalidModelError,
    InvalidParameterError,
    Piecewise,
    Regression,
    UnsupportedModelError,
    dumps,
    from_hist_gradient_boosting,
    from_lightgbm,
    from_lightgbm_model,
    from_xgboost,
    from_xgboost_json,
    loads,
    minimum_sufficient_reason,
    shap_values,
)
from gamexplain.io import kit
from gamexplain.io._forest import float32_boundary, float32_of
from gamexplain.io._lightgbm import lightgbm_dump_forest
from gamexplain.io.convert import convert_model

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
datasets = pytest.importorskip("sklearn.datasets")
ensemble = pytest.importorskip("sklearn.ensemble")

FLOAT32 = {"rtol": 1e-6, "atol": 1e-6}  # XGBoost: float32 leaves summed in float32
DOUBLE = {"rtol": 1e-12, "atol": 1e-12}  # LightGBM and scikit-learn: doubles


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One thread per library: on a shared machine their thread pools fight (a 30-tree
    HistGradientBoosting fit took 33 s with all threads, 0.25 s with one)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def cancer():
    """Breast-cancer rows split 80/20 (seeded), and all rows for the domains."""
    X, y = datasets.load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:455], order[455:]
    return X[train], y[train], X[test], y[test], X


@pytest.fixture(scope="module")
def diabetes():
    X, y = datasets.load_diabetes(return_X_y=True)
    return X[:350], y[:350], X[350:], X


def _edge_rows(gam, base):
    """``base`` with one feature moved to each piece boundary and one double below it
    (the place where a wrong comparison side would show), domain permitting."""
    rows = []
    for i, feature in enumerate(gam.features):
        cuts = list(feature.shape.breakpoints[1:-1])
        for pair in gam.pairs:
            if i in pair.features:
                cuts += pair.edges[pair.features.index(i)][1:-1]
        for cut in cuts:
            for value in (cut, math.nextafter(cut, -math.inf)):
                row = base.copy()
                row[i] = value
                rows.append(row)
    return np.array(rows)


def _agrees(gam, margin, predict, rows, tolerance):
    """The GAM's score is the library's margin; a classifier's classes are its classes
    (a regressor's prediction is its margin, checked already: pass ``predict=None``)."""
    np.testing.assert_allclose(gam.decision_function(rows), margin(rows), **tolerance)
    if predict is not None:
        assert (gam.predict(rows) == predict(rows)).all()


# -- trained with missing values -----------------------------------------------------------
@pytest.mark.parametrize("library", ["xgboost", "lightgbm", "sklearn"])
def test_training_data_with_missing_values_gives_the_observed_ranges(cancer, library):
    # the tree libraries learn from rows with NaN; their training frame gives each
    # feature the range of the values present
    Xtr, ytr, Xte, _, _ = cancer
    Xtr = Xtr[:, :4].copy()
    Xtr[::5, 1] = np.nan
    Xte = Xte[:, :4]
    if library == "xgboost":
        model = xgb.XGBClassifier(n_jobs=1, max_depth=1, n_estimators=10).fit(Xtr, ytr)
        gam, margin = from_xgboost(model, X=Xtr), lambda r: model.predict(r, output_margin=True)
        tolerance = FLOAT32
    elif library == "lightgbm":
        model = lgb.LGBMClassifier(n_estimators=10, num_leaves=2, verbose=-1).fit(Xtr, ytr)
        gam, margin = from_lightgbm(model, X=Xtr), lambda r: model.predict(r, raw_score=True)
        tolerance = {"rtol": 1e-12, "atol": 1e-12}
    else:
        model = ensemble.HistGradientBoostingClassifier(
            max_iter=10, interaction_cst="no_interactions"
        ).fit(Xtr, ytr)
        gam, margin = from_hist_gradient_boosting(model, X=Xtr), model.decision_function
        tolerance = {"rtol": 1e-12, "atol": 1e-12}
    domain = gam.features[1].domain
    assert (domain.low, domain.high) == (np.nanmin(Xtr[:, 1]), np.nanmax(Xtr[:, 1]))
    rows = Xte[(Xte >= np.nanmin(Xtr, 0)).all(1) & (Xte <= np.nanmax(Xtr, 0)).all(1)]
    _agrees(gam, margin, model.predict, rows, tolerance)
    Xtr[:, 2] = np.nan  # a column with no value at all has no range
    with pytest.raises(InvalidParameterError, match="column 2"):
        kit.domains_from_data(Xtr, 4, "from_x")


# -- XGBoost ------------------------------------------------------------------------------
def test_xgboost_stumps_classifier(cancer):
    Xtr, ytr, Xte, _, X = cancer
    model = xgb.XGBClassifier(n_jobs=1, max_depth=1, n_estimators=40, learning_rate=0.5).fit(
        Xtr, ytr
    )
    gam = from_xgboost(model, X=X)
    assert gam.task == Classification(0.0, positive=">") and not gam.pairs
    assert all(isinstance(f.shape, Piecewise) for f in gam.features)
    margin = lambda rows: model.predict(rows, output_margin=True)  # noqa: E731
    _agrees(gam, margin, model.predict, Xte, FLOAT32)
    _agrees(gam, margin, model.predict, _edge_rows(gam, Xte[0]), FLOAT32)


def test_xgboost_regressor_with_pairs(diabetes):
    Xtr, ytr, Xte, X = diabetes
    groups = "[[0, 1], [2, 3], [4, 5], [6], [7], [8], [9]]"
    model = xgb.XGBRegressor(
        n_jobs=1, max_depth=3, n_estimators=30, learning_rate=0.5, interaction_constraints=groups
    ).fit(Xtr, ytr)
    gam = from_xgboost(model, X=X, tolerance=5.0)
    assert gam.task == Regression(tolerance=5.0)
    assert {p.features for p in gam.pairs} <= {(0, 1), (2, 3), (4, 5)} and gam.pairs
    _agrees(gam, model.predict, None, Xte, FLOAT32 | {"atol": 1e-4})
    _agrees(gam, model.predict, None, _edge_rows(gam, Xte[0]), FLOAT32 | {"atol": 1e-4})


def test_xgboost_early_stopping_uses_the_best_iteration(cancer):
    Xtr, ytr, Xte, yte, X = cancer
    model = xgb.XGBClassifier(
        n_jobs=1, max_depth=1, n_estimators=200, learning_rate=0.8, early_stopping_rounds=3
    ).fit(Xtr, ytr, eval_set=[(Xte, yte)], verbose=False)
    assert model.best_iteration + 1 < 200
    gam = from_xgboost(model, X=X)
    _agrees(gam, lambda r: model.predict(r, output_margin=True), model.predict, Xte, FLOAT32)


def test_xgboost_json_file_and_booster_agree(cancer, tmp_path):
    Xtr, ytr, _, _, X = cancer
    model = xgb.XGBClassifier(n_jobs=1, max_depth=1, n_estimators=10).fit(Xtr[:, :5], ytr)
    path = tmp_path / "model.json"
    model.save_model(path)
    gam = from_xgboost(model, X=X[:, :5])
    assert from_xgboost_json(path, X=X[:, :5]) == gam
    assert from_xgboost(model.get_booster(), X=X[:, :5]) == gam
    assert convert_model(path, "xgboost", allow_pickle=False, X=X[:, :5]) == gam
    assert loads(dumps(gam)) == gam
    assert gam.feature_names == tuple(f"f{i}" for i in range(5))


def test_float32_rounding_bit_for_bit():
    # 0.1f has an odd last bit, 1.0f an even one: the midpoint below rounds up only for 1.0
    for t in (np.float32(0.1), np.float32(1.0), np.float32(-3.5), np.float32(0.0)):
        boundary = float32_boundary(float(t))
        assert np.float32(boundary) >= t
        assert np.float32(math.nextafter(boundary, -math.inf)) < t
    assert float32_of("0.1") == float(np.float32(0.1))
    assert float32_of("698.8") == float(np.float32(698.8))


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
@example(float(np.float32(0.1)))
@example(float(np.nextafter(np.float32(0), np.float32(1))))
def test_float32_boundary_is_the_least_double_xgboost_sends_right(t):
    boundary = float32_boundary(t)
    assert np.float32(boundary) >= np.float32(t)
    assert np.float32(math.nextafter(boundary, -math.inf)) < np.float32(t)


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_of_reads_printed_float32_values_back(value):
    shortest = np.format_float_scientific(np.float32(value), unique=True)
    assert float32_of(shortest) == value


# -- LightGBM -----------------------------------------------------------------------------
def test_lightgbm_stumps_classifier(cancer):
    Xtr, ytr, Xte, _, X = cancer
    model = lgb.LGBMClassifier(
        n_jobs=1, n_estimators=30, max_depth=1, learning_rate=0.5, verbose=-1
    ).fit(Xtr, ytr)
    gam = from_lightgbm(model, X=X)
    assert gam.task == Classification(0.0, positive=">") and not gam.pairs
    margin = lambda rows: model.predict(rows, raw_score=True)  # noqa: E731
    _agrees(gam, margin, model.predict, Xte, DOUBLE)
    _agrees(gam, margin, model.predict, _edge_rows(gam, Xte[0]), DOUBLE)


def test_lightgbm_pairs_classifier_and_its_files(cancer, tmp_path):
    Xtr, ytr, Xte, _, X = cancer
    groups = [[0, 1], [2, 3], [4], [5]]
    model = lgb.LGBMClassifier(
        n_jobs=1,
        n_estimators=20,
        num_leaves=6,
        learning_rate=0.5,
        interaction_constraints=groups,
        verbose=-1,
    ).fit(Xtr[:, :6], ytr)
    gam = from_lightgbm(model, X=X[:, :6])
    assert gam.pairs and {p.features for p in gam.pairs} <= {(0, 1), (2, 3)}
    margin = lambda rows: model.predict(rows, raw_score=True)  # noqa: E731
    _agrees(gam, margin, model.predict, Xte[:, :6], DOUBLE)
    _agrees(gam, margin, model.predict, _edge_rows(gam, Xte[0, :6]), DOUBLE)
    text, dump = tmp_path / "model.txt", tmp_path / "model.json"
    model.booster_.save_model(text)
    dump.write_text(json.dumps(model.booster_.dump_model()))
    assert from_lightgbm_model(text, X=X[:, :6]) == gam
    assert from_lightgbm_model(dump, X=X[:, :6]) == gam
    assert convert_model(text, "lightgbm", allow_pickle=False, X=X[:, :6]) == gam
    assert loads(dumps(gam)) == gam


def test_lightgbm_regressor_takes_its_recorded_ranges(diabetes):
    Xtr, ytr, Xte, _ = diabetes
    groups = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    model = lgb.LGBMRegressor(
        n_jobs=1, n_estimators=20, num_leaves=4, interaction_constraints=groups, verbose=-1
    ).fit(Xtr, ytr)
    gam = from_lightgbm(model, tolerance=2.0)
    for feature, column in zip(gam.features, Xtr.T, strict=True):
        assert (feature.domain.low, feature.domain.high) == (column.min(), column.max())
    inside = Xte[((Xte >= Xtr.min(0)) & (Xte <= Xtr.max(0))).all(axis=1)]
    _agrees(gam, model.predict, None, inside, DOUBLE | {"atol": 1e-10})


# -- scikit-learn's HistGradientBoosting --------------------------------------------------
def test_hist_gradient_boosting_main_effects(cancer):
    Xtr, ytr, Xte, _, X = cancer
    model = ensemble.HistGradientBoostingClassifier(
        max_iter=30, learning_rate=0.5, interaction_cst="no_interactions", random_state=0
    ).fit(Xtr, ytr)
    gam = from_hist_gradient_boosting(model, X=X)
    assert not gam.pairs
    _agrees(gam, model.decision_function, model.predict, Xte, DOUBLE)
    _agrees(gam, model.decision_function, model.predict, _edge_rows(gam, Xte[0]), DOUBLE)


def test_hist_gradient_boosting_pairs_regressor(diabetes):
    Xtr, ytr, Xte, X = diabetes
    groups = [[0, 1], [2, 3], [4], [5], [6], [7], [8], [9]]
    model = ensemble.HistGradientBoostingRegressor(
        max_iter=20, max_leaf_nodes=6, interaction_cst=groups
    ).fit(Xtr, ytr)
    gam = from_hist_gradient_boosting(model, X=X, tolerance=3.0)
    assert gam.pairs and gam.task == Regression(tolerance=3.0)
    _agrees(gam, model.predict, None, Xte, DOUBLE | {"atol": 1e-10})
    _agrees(gam, model.predict, None, _edge_rows(gam, Xte[0]), DOUBLE | {"atol": 1e-10})


def test_hist_gradient_boosting_converts_from_a_trusted_pickle(cancer, tmp_path):
    Xtr, ytr, _, _, X = cancer
    model = ensemble.HistGradientBoostingClassifier(
        max_iter=5, interaction_cst="no_interactions"
    ).fit(Xtr[:, :4], ytr)
    path = tmp_path / "hgb.pkl"
    path.write_bytes(pickle.dumps(model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        converted = convert_model(path, "hgb", X=X[:, :4])
    assert converted == from_hist_gradient_boosting(model, X=X[:, :4])
    with pytest.raises(InvalidParameterError, match="allow_pickle=True"):
        convert_model(path, "hgb", allow_pickle=False, X=X[:, :4])


# -- what is refused ----------------------------------------------------------------------
def test_a_tree_of_three_features_is_refused_by_index_and_names(cancer):
    Xtr, ytr, _, _, X = cancer
    names = ["radius", "texture", "perimeter", "area"]
    model = xgb.XGBClassifier(n_jobs=1, max_depth=3, n_estimators=2).fit(Xtr[:, :4], ytr)
    with pytest.raises(
        UnsupportedModelError, match=r"XGBoost tree \d+ splits on 3 features"
    ) as info:
        from_xgboost(model, X=X[:, :4], names=names)
    read = [n for n in names if repr(n) in str(info.value)]
    assert len(read) == 3
    model = lgb.LGBMClassifier(n_jobs=1, n_estimators=2, num_leaves=8, verbose=-1).fit(
        Xtr[:, :4], ytr
    )
    with pytest.raises(UnsupportedModelError, match=r"LightGBM tree 0 splits on [34] features"):
        from_lightgbm(model)
    model = ensemble.HistGradientBoostingClassifier(max_iter=2).fit(Xtr[:, :4], ytr)
    with pytest.raises(UnsupportedModelError, match="HistGradientBoosting tree 0 splits on"):
        from_hist_gradient_boosting(model, X=X[:, :4])


_HGB = ensemble.HistGradientBoostingClassifier
_HGBR = ensemble.HistGradientBoostingRegressor
_REFUSED = [
    (from_xgboost, xgb.XGBRegressor, {"objective": "count:poisson"}, "reg", "count:poisson"),
    (from_lightgbm, lgb.LGBMRegressor, {"objective": "poisson", "verbose": -1}, "reg", "poisson"),
    (from_hist_gradient_boosting, _HGBR, {"loss": "poisson"}, "reg", "LogLink"),
    (from_xgboost, xgb.XGBClassifier, {"booster": "dart"}, "two", "dart"),
    (from_xgboost, xgb.XGBClassifier, {"objective": "binary:logitraw"}, "two", "logitraw"),
]


@pytest.mark.parametrize(("convert", "estimator", "options", "target", "named"), _REFUSED)
def test_unsupported_models_are_refused_clearly(
    convert, estimator, options, target, named, cancer, diabetes
):
    Xtr, ytr, _, _, _ = cancer
    X, y = {
        "two": (Xtr, ytr),
        "reg": (diabetes[0], diabetes[1]),
    }[target]
    if estimator in (_HGB, _HGBR):
        options = {**options, "max_iter": 2, "interaction_cst": "no_interactions"}
    else:
        options = {**options, "n_jobs": 1, "n_estimators": 2, "max_depth": 1}
    model = estimator(**options).fit(X, y)
    with pytest.raises(UnsupportedModelError, match=named):
        convert(model, X=X)


def test_categorical_and_zero_as_missing_splits_are_refused():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 6, 300), rng.normal(size=300)])
    y = (X[:, 0] % 2 == 0).astype(int)
    model = lgb.LGBMClassifier(
        n_jobs=1, n_estimators=3, max_depth=1, verbose=-1, min_child_samples=5
    )
    model.fit(X, y, categorical_feature=[0])
    with pytest.raises(UnsupportedModelError, match="categorical split"):
        from_lightgbm(model)
    with pytest.raises(UnsupportedModelError, match="categorical split"):
        from_lightgbm_model(json.dumps(model.booster_.dump_model()))
    hgb = _HGB(max_iter=2, categorical_features=[0], interaction_cst="no_interactions")
    with pytest.raises(UnsupportedModelError, match="categorical features"):
        from_hist_gradient_boosting(hgb.fit(X, y), X=X)
    # zero_as_missing: LightGBM sends |x| <= 1e-35 the default way (here: the way the
    # threshold does not), as its own predictions show
    X = np.column_stack([np.where(rng.random(300) < 0.5, 0.0, rng.normal(size=300)), X[:, 1]])
    model = lgb.LGBMClassifier(
        n_jobs=1,
        n_estimators=3,
        max_depth=1,
        verbose=-1,
        zero_as_missing=True,
        min_child_samples=5,
    ).fit(X, (X[:, 0] == 0).astype(int))
    near_zero = model.predict([[0.0, 0.0], [-1e-10, 0.0]], raw_score=True)
    assert near_zero[0] != near_zero[1]
    with pytest.raises(UnsupportedModelError, match=r"LightGBM tree 0 .*zero_as_missing"):
        from_lightgbm(model)


def test_zero_as_missing_is_read_where_it_moves_no_value():
    split = {"split_feature": 0, "decision_type": "<=", "missing_type": "Zero"}
    leaves = {"left_child": {"leaf_value": 1.0}, "right_child": {"leaf_value": 2.0}}
    dump = {
        "objective": "regression",
        "num_tree_per_iteration": 1,
        "feature_names": ["x"],
        "feature_infos": {"x": {"min_value": -1, "max_value": 1}},
        "tree_info": [
            {"tree_structure": {**split, **leaves, "threshold": 0.5, "default_left": True}}
        ],
    }
    assert lightgbm_dump_forest(dump).trees[0].boundary[0] == math.nextafter(0.5, 1)
    dump["tree_info"][0]["tree_structure"]["default_left"] = False
    with pytest.raises(UnsupportedModelError, match="zero_as_missing"):
        lightgbm_dump_forest(dump)


def test_bad_input_gets_gamexplain_errors(cancer, tmp_path):
    Xtr, ytr, _, _, X = cancer
    model = xgb.XGBClassifier(n_jobs=1, n_estimators=2, max_depth=1).fit(Xtr[:, :3], ytr)
    with pytest.raises(InvalidParameterError, match=r"'f0'.*no X was given"):
        from_xgboost(model)
    gam = from_xgboost(model, domains={0: Integers(0, 40), "f1": Finite([10.0, 20.0])}, X=X[:, :3])
    assert gam.features[0].domain == Integers(0, 40)
    with pytest.raises(InvalidParameterError, match="numeric Finite"):
        from_xgboost(model, X=X[:, :3], domains={"f2": Finite(["a", "b"])})
    with pytest.raises(InvalidParameterError, match="'X' parameter of from_xgboost"):
        from_xgboost(model, X=X)
    with pytest.raises(InvalidParameterError, match="'tolerance' parameter"):
        from_xgboost(model, X=X[:, :3], tolerance=1.0)
    for wrong in (object(), "not a model", xgb.XGBClassifier(), lgb.LGBMRegressor(), _HGB()):
        with pytest.raises(InvalidModelError, match="not a fitted"):
            from_xgboost(wrong)
        with pytest.raises(InvalidModelError, match="not a fitted"):
            from_lightgbm(wrong)
        with pytest.raises(InvalidModelError, match="not a fitted"):
            from_hist_gradient_boosting(wrong)
    broken = tmp_path / "broken.json"
    for text in ("{", '{"learner": 3}', '{"learner": {"gradient_booster": {"name": "gbtree"}}}'):
        broken.write_text(text)
        with pytest.raises(InvalidModelError):
            from_xgboost_json(broken, X=X[:, :3])
    for text in ("{}", "tree\nobjective=binary\n", "hello\nworld"):
        with pytest.raises(InvalidModelError):
            from_lightgbm_model(text)
    with pytest.raises(InvalidModelError, match="cannot read"):
        from_lightgbm_model(tmp_path / "missing.txt")


# -- queries on converted models ------------------------------------------------------------
def test_queries_on_converted_models_verify(cancer):
    Xtr, ytr, Xte, _, X = cancer
    model = xgb.XGBClassifier(n_jobs=1, max_depth=1, n_estimators=20, learning_rate=0.5)
    model.fit(Xtr[:, :6], ytr)
    gam = from_xgboost(model, X=X[:, :6])
    x = Xte[0, :6]
    assert minimum_sufficient_reason(gam, x).verify(gam)
    assert shap_values(gam, x).verify(gam)
    model = ensemble.HistGradientBoostingClassifier(
        max_iter=10, max_leaf_nodes=4, interaction_cst=[[2, 3], [0], [1]]
    ).fit(Xtr[:, :4], ytr)
    gam = from_hist_gradient_boosting(model, X=X[:, :4])
    assert gam.pairs
    assert minimum_sufficient_reason(gam, Xte[1, :4]).verify(gam)
    assert shap_values(gam, Xte[1, :4]).verify(gam)


# -- random forests against a plain walk of the trees ----------------------------------------
_THRESHOLDS = st.sampled_from([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.5])
_LEAVES = st.integers(-8, 8).map(lambda n: n / 4)


@st.composite
def _lgb_node(draw, features, depth):
    if depth == 0 or draw(st.booleans()):
        return {"leaf_value": draw(_LEAVES)}
    return {
        "split_feature": draw(st.sampled_from(features)),
        "threshold": draw(_THRESHOLDS),
        "decision_type": "<=",
        "default_left": draw(st.booleans()),
        "missing_type": draw(st.sampled_from(["None", "NaN"])),
        "left_child": draw(_lgb_node(features, depth - 1)),
        "right_child": draw(_lgb_node(features, depth - 1)),
    }


@st.composite
def _lgb_dumps(draw):
    n = draw(st.integers(2, 4))
    trees = []
    for _ in range(draw(st.integers(1, 5))):
        features = draw(st.sampled_from([[f] for f in range(n)] + [[0, 1], [n - 2, n - 1]]))
        trees.append({"tree_structure": draw(_lgb_node(features, 3))})
    return {
        "objective": "regression",
        "num_tree_per_iteration": 1,
        "feature_names": [f"x{i}" for i in range(n)],
        "feature_infos": {f"x{i}": {"min_value": -1, "max_value": 1.5} for i in range(n)},
        "tree_info": trees,
    }


def _walk(node, row):
    while "leaf_value" not in node:
        left = row[node["split_feature"]] <= node["threshold"]
        node = node["left_child"] if left else node["right_child"]
    return node["leaf_value"]


@given(
    _lgb_dumps(),
    st.lists(
        st.lists(_THRESHOLDS | st.floats(-1, 1.5), min_size=4, max_size=4), min_size=1, max_size=6
    ),
)
def test_random_forests_equal_a_walk_of_their_trees(dump, rows):
    from gamexplain.io._forest import build

    forest = lightgbm_dump_forest(dump)
    gam = build(forest, X=None, names=None, domains=None, tolerance=0.0, caller="test")
    points = [row[: len(dump["feature_names"])] for row in rows]
    expected = [math.fsum(_walk(t["tree_structure"], p) for t in dump["tree_info"]) for p in points]
    assert gam.decision_function(points).tolist() == expected


def test_the_command_line_converts_a_lightgbm_text_model(cancer, tmp_path, capsys):
    from gamexplain import load
    from gamexplain.cli import main

    Xtr, ytr, Xte, _, _ = cancer
    model = lgb.LGBMClassifier(n_jobs=1, n_estimators=5, max_depth=1, verbose=-1)
    model.fit(Xtr[:, :4], ytr)
    source, target = tmp_path / "model.txt", tmp_path / "gam.json"
    model.booster_.save_model(source)
    assert main(["convert", str(source), "--from", "lightgbm", "-o", str(target)]) == 0
    assert "4 features" in capsys.readouterr().out
    gam = load(target)
    inside = np.clip(Xte[:, :4], Xtr[:, :4].min(axis=0), Xtr[:, :4].max(axis=0))
    margin = model.predict(inside, raw_score=True)
    np.testing.assert_allclose(gam.decision_function(inside), margin, **DOUBLE)
    xgb_model = xgb.XGBClassifier(n_jobs=1, n_estimators=2, max_depth=1).fit(Xtr[:, :4], ytr)
    xgb_model.save_model(tmp_path / "xgb.json")
    argv = ["convert", str(tmp_path / "xgb.json"), "--from", "xgboost", "-o", str(target)]
    assert main(argv) != 0
    assert "feature 'f0'" in capsys.readouterr().err


_F32 = st.floats(-1.5, 1.5, width=32)


@st.composite
def _xgb_tree(draw, features, depth=3):
    """An XGBoost JSON tree (breadth-first arrays) splitting on ``features``."""
    arrays = {k: [] for k in ("left_children", "right_children", "split_indices")}
    conditions, pending = [], [depth]
    while len(conditions) < len(pending):
        remaining = pending[len(conditions)]
        if remaining and draw(st.booleans()):
            pending += [remaining - 1, remaining - 1]
            arrays["left_children"].append(len(pending) - 2)
            arrays["right_children"].append(len(pending) - 1)
            arrays["split_indices"].append(draw(st.sampled_from(features)))
            conditions.append(draw(_F32))
        else:
            arrays["left_children"].append(-1)
            arrays["right_children"].append(-1)
            arrays["split_indices"].append(0)
            conditions.append(draw(st.integers(-8, 8)) / 4)
    text = [np.format_float_scientific(np.float32(c), unique=True) for c in conditions]
    return arrays | {
        "split_conditions": text,
        "split_type": [0] * len(conditions),
        "tree_param": {"size_leaf_vector": "1"},
    }


@st.composite
def _xgb_documents(draw):
    trees = []
    for _ in range(draw(st.integers(1, 4))):
        features = draw(st.sampled_from([[0], [1], [2], [0, 1], [1, 2]]))
        trees.append(draw(_xgb_tree(features)))
    return {
        "learner": {
            "learner_model_param": {"base_score": "[5E-1]", "num_feature": "3"},
            "objective": {"name": "reg:squarederror"},
            "feature_names": [],
            "gradient_booster": {"name": "gbtree", "model": {"trees": trees}},
        }
    }


def _xgb_walk(tree, row):
    """XGBoost's own rule: the value rounded to float32, sent left when below t."""
    node = 0
    while tree["left_children"][node] >= 0:
        feature = tree["split_indices"][node]
        below = np.float32(row[feature]) < np.float32(tree["split_conditions"][node])
        node = tree["left_children" if below else "right_children"][node]
    return float(tree["split_conditions"][node])


def _near(t):
    """t and the doubles where float32 rounding moves across it."""
    t = np.float32(t)
    mid = (float(np.nextafter(t, np.float32(-2))) + float(t)) / 2
    return [float(t), mid, math.nextafter(mid, -2), math.nextafter(mid, 2)]


@given(_xgb_documents(), st.lists(st.lists(_F32, min_size=3, max_size=3), min_size=1, max_size=4))
def test_random_xgboost_forests_equal_a_walk_of_their_trees(document, seeds):
    trees = document["learner"]["gradient_booster"]["model"]["trees"]
    points = [list(seed) for seed in seeds]
    for tree in trees:
        for condition, left in zip(tree["split_conditions"], tree["left_children"], strict=True):
            if left >= 0:
                points += [[v, v, v] for v in _near(condition)]
    gam = from_xgboost_json(json.dumps(document), domains=dict.fromkeys(range(3), Interval(-2, 2)))
    expected = [math.fsum([0.5, *(_xgb_walk(t, p) for t in trees)]) for p in points]
    assert gam.decision_function(points).tolist() == expected
