"""Loading EBMs: the loaded GAM scores and predicts exactly as the EBM does.

Two kinds of evidence. Real EBMs fitted here on scikit-learn's bundled data (classifier,
regressor, nominal features, pair terms, edited models, JSON exports) are compared with
``ebm.decision_function`` / ``ebm.predict`` on held-out rows and on every cut point. And
Hypothesis draws EBMs directly (cut points, bounds, scores on a grid of quarters, so that
scores exactly at 0 are frequent) and compares with interpret's own prediction code on
the edge cases: a cut equal to a bound, a one-point range, no cut at all.
"""

from __future__ import annotations

import io
import itertools
import math
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
    Table,
    UnsupportedModelError,
    from_ebm,
    minimum_sufficient_reason,
)
from gamexplain.io import from_ebm_json
from gamexplain.model.spans import piece_measures

glassbox = pytest.importorskip("interpret.glassbox")
datasets = pytest.importorskip("sklearn.datasets")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FAST = {"outer_bags": 1, "max_rounds": 60, "random_state": 0}


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _scores(ebm, X):
    if hasattr(ebm, "decision_function"):
        return ebm.decision_function(X)
    return ebm.predict(X)


def _inside(ebm, X):
    """Rows clipped to the training range, which is the loaded model's default domain."""
    X = np.array(X, dtype=float)
    return np.clip(X, ebm.feature_bounds_[:, 0], ebm.feature_bounds_[:, 1])


def _cut_rows(ebm, base):
    """Rows that put one feature exactly at a cut (of any binning level), or just below."""
    rows = []
    for i, levels in enumerate(ebm.bins_):
        low, high = ebm.feature_bounds_[i]
        values = {low, high}
        for cut in itertools.chain.from_iterable(levels):
            values |= {cut, np.nextafter(cut, -np.inf)}
        for value in sorted(v for v in values if low <= v <= high):
            row = base.copy()
            row[i] = value
            rows.append(row)
    return np.array(rows)


def _assert_same(gam, ebm, X, X_ebm=None):
    X_ebm = X if X_ebm is None else X_ebm
    assert np.abs(gam.decision_function(X) - _scores(ebm, X_ebm)).max() <= 1e-12
    assert np.array_equal(gam.predict(X), ebm.predict(X_ebm))


@pytest.fixture(scope="module")
def cancer():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = X[:, :8]
    return X[:400], y[:400], X[400:]


@pytest.fixture(scope="module")
def classifier(cancer):
    X, y, _ = cancer
    model = glassbox.ExplainableBoostingClassifier(interactions=0, max_bins=32, **FAST)
    return _fit(model, X, y)


@pytest.fixture(scope="module")
def paired(cancer):
    X, y, _ = cancer
    model = glassbox.ExplainableBoostingClassifier(
        interactions=3, max_bins=24, max_interaction_bins=6, **FAST
    )
    return _fit(model, X[:, :5], y)


@pytest.fixture(scope="module")
def diabetes():
    X, y = datasets.load_diabetes(return_X_y=True)
    return X[:300, :6], y[:300], X[300:, :6]


@pytest.fixture(scope="module")
def regressor(diabetes):
    X, y, _ = diabetes
    model = glassbox.ExplainableBoostingRegressor(interactions=0, max_bins=32, **FAST)
    return _fit(model, X, y)


@pytest.fixture(scope="module")
def nominal():
    pd = pytest.importorskip("pandas")
    X, y = datasets.load_diabetes(return_X_y=True)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "bmi": X[:, 2],
            "colour": rng.choice(["red", "green", "blue", "grey"], len(y)),
            "size": rng.choice(["S", "M", "L"], len(y)),
        }
    )
    model = glassbox.ExplainableBoostingRegressor(
        interactions=[(0, 1), (1, 2)],
        max_bins=16,
        max_interaction_bins=4,
        feature_types=["continuous", "nominal", ["S", "M", "L"]],
        **FAST,
    )
    return _fit(model, frame, y), frame


# -- fitted models --------------------------------------------------------------------
def test_classifier_matches_on_held_out_rows_and_cut_points(classifier, cancer):
    gam = from_ebm(classifier)
    assert gam.task == Classification(0.0, positive=">")
    assert all(f.component == "ebm" and f.domain.kind == "interval" for f in gam.features)
    _, _, held_out = cancer
    _assert_same(gam, classifier, _inside(classifier, held_out))
    _assert_same(gam, classifier, _cut_rows(classifier, held_out[0]))


def test_regressor_matches_on_held_out_rows_and_cut_points(regressor, diabetes):
    gam = from_ebm(regressor)
    assert gam.task == Regression(0.0)
    _, _, held_out = diabetes
    _assert_same(gam, regressor, _inside(regressor, held_out))
    _assert_same(gam, regressor, _cut_rows(regressor, held_out[0]))


def test_wider_domains_match_outside_the_training_range(regressor, diabetes):
    _, _, held_out = diabetes
    wide = {i: Interval(-1.0, 1.0) for i in range(held_out.shape[1])}
    _assert_same(from_ebm(regressor, domains=wide), regressor, held_out)


def test_nominal_and_ordinal_features_become_tables(nominal):
    ebm, frame = nominal
    gam = from_ebm(ebm)
    assert isinstance(gam.features[1].shape, Table)
    assert gam.features[2].domain == Finite(["S", "M", "L"])
    assert len(gam.pairs) == 2
    rows = frame.to_numpy(dtype=object)
    _assert_same(gam, ebm, rows, frame)


def test_pair_terms_use_their_coarser_bins(paired, cancer):
    gam = from_ebm(paired)
    pairs = [t for t in paired.term_features_ if len(t) == 2]
    assert [p.features for p in gam.pairs] == pairs
    for pair in gam.pairs:
        for axis, i in enumerate(pair.features):
            assert len(pair.edges[axis]) - 1 < gam.features[i].shape.n_pieces
    X = cancer[2][:, :5]
    _assert_same(gam, paired, _inside(paired, X))
    _assert_same(gam, paired, _cut_rows(paired, X[3]))


def test_distributions_are_the_normalised_bin_weights(classifier, nominal):
    ebm, _ = nominal
    for model in (classifier, ebm):
        gam = from_ebm(model)
        for i, feature in enumerate(gam.features):
            weights = model.bin_weights_[model.term_features_.index((i,))][1:-1]
            assert np.allclose(feature.distribution, weights / weights.sum(), rtol=0, atol=1e-15)


def test_multiclass_ebms_load_from_the_estimator_and_its_export():
    # issue 14 lifted the refusal; tests/io/test_ebm_multiclass.py checks the scores
    X, y = datasets.load_iris(return_X_y=True)
    model = glassbox.ExplainableBoostingClassifier(
        outer_bags=1, max_rounds=5, interactions=0, random_state=0
    )
    _fit(model, X, y)
    exported = io.StringIO()
    model.to_json(exported)
    for gam in (from_ebm(model), from_ebm_json(exported.getvalue())):
        assert gam.classes == (0, 1, 2)
        assert np.array_equal(gam.predict(X), model.predict(X))


def test_regression_needs_the_identity_link(diabetes):
    X, y, _ = diabetes
    model = glassbox.ExplainableBoostingRegressor(
        objective="poisson_deviance", outer_bags=1, max_rounds=5, interactions=0
    )
    with pytest.raises(UnsupportedModelError, match="link 'log'"):
        from_ebm(_fit(model, X, y))


def test_edited_ebms_still_match(paired, cancer):
    X = _inside(paired, cancer[2][:, :5])
    for edit in ("scale", "remove", "monotonize"):
        ebm = paired.copy()
        if edit == "scale":
            ebm.scale(1, 2.5)
            ebm.scale(len(ebm.term_features_) - 1, -0.5)
        elif edit == "remove":
            ebm.remove_terms([ebm.term_names_[0], ebm.term_names_[-1]])
        else:
            ebm.monotonize(2, increasing=True)
        gam = from_ebm(ebm)
        _assert_same(gam, ebm, X)
        _assert_same(gam, ebm, _cut_rows(ebm, X[0]))
    removed = from_ebm(ebm.copy().remove_terms([ebm.term_names_[0]]))
    assert set(removed.features[0].shape.coefficients) == {(0.0,)}
    assert removed.features[0].distribution is None


@pytest.mark.parametrize("model", ["paired", "nominal"])
def test_json_export_loads_to_the_same_model(model, request, tmp_path):
    ebm = request.getfixturevalue(model)
    ebm = ebm[0] if isinstance(ebm, tuple) else ebm
    path = tmp_path / "ebm.json"
    ebm.to_json(path)
    assert from_ebm_json(path) == from_ebm(ebm)
    assert from_ebm_json(path.read_text()) == from_ebm(ebm)


def test_minimal_json_export_needs_domains(regressor, diabetes):
    text = io.StringIO()
    regressor.to_json(text, detail="minimal")
    with pytest.raises(UnsupportedModelError, match="no recorded bounds"):
        from_ebm_json(text.getvalue())
    domains = {i: Interval(-1.0, 1.0) for i in range(regressor.n_features_in_)}
    gam = from_ebm_json(text.getvalue(), domains=domains)
    assert all(f.distribution is None for f in gam.features)
    _assert_same(gam, regressor, diabetes[2])


@pytest.mark.parametrize(
    "text", ['{"ebm": {"outputs": []', '{"version": "1.0", "ebm": {"features": []}}', "[1, 2]"]
)
def test_malformed_json_exports_are_invalid_models(text):
    with pytest.raises(InvalidModelError):
        from_ebm_json(text)


def test_domains_override_the_training_range(regressor, diabetes):
    gam = from_ebm(
        regressor,
        names=["age", "sex", "bmi", "bp", "s1", "s2"],
        domains={"age": Integers(-1, 1), 1: Finite([-0.05, 0.0, 0.05])},
    )
    assert gam.feature_names[0] == "age"
    assert gam.features[0].domain == Integers(-1, 1)
    X = _inside(regressor, diabetes[2][:4])
    X[:, 0] = [-1, 0, 1, 0]
    X[:, 1] = [-0.05, 0.0, 0.05, 0.05]
    _assert_same(gam, regressor, X)
    # two of the three values share a bin: they split its weight equally
    bins = np.searchsorted(regressor.bins_[1][0], [-0.05, 0.0, 0.05], "right") + 1
    assert bins[0] == bins[1] != bins[2]
    weights = regressor.bin_weights_[1][bins] / [2, 2, 1]
    assert np.allclose(gam.features[1].distribution, weights / weights.sum())


def test_nominal_domain_may_be_a_subset_of_the_categories(nominal):
    ebm, frame = nominal
    gam = from_ebm(ebm, domains={"colour": Finite(["red", "blue"])})
    rows = frame[frame.colour.isin(["red", "blue"])]
    _assert_same(gam, ebm, rows.to_numpy(dtype=object), rows)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"names": ["a"]}, "'names' parameter of from_ebm"),
        ({"names": ["a"] * 6}, "distinct"),
        ({"tolerance": -1.0}, "'tolerance' parameter of from_ebm must be a finite number"),
        ({"tolerance": math.nan}, "'tolerance' parameter of from_ebm must be a finite number"),
        ({"domains": {"nope": Interval(0, 1)}}, "keyed by feature names"),
        ({"domains": {7: Interval(0, 1)}}, "keyed by feature names"),
        ({"domains": {0: Finite(["x"])}}, "must give feature 'feature_0000'"),
        ({"domains": {0: (0, 1)}}, "an Interval, an Integers or a numeric Finite"),
    ],
)
def test_bad_options_are_rejected(regressor, options, match):
    with pytest.raises(InvalidParameterError, match=match):
        from_ebm(regressor, **options)


NAMES = ["age", "sex", "bmi", "bp", "s1", "s2"]


def test_names_and_its_old_spelling_feature_names(regressor, tmp_path):
    path = tmp_path / "ebm.json"
    regressor.to_json(path)
    for load, source, caller in ((from_ebm, regressor, "from_ebm"),
                                 (from_ebm_json, path, "from_ebm_json")):  # fmt: skip
        renamed = load(source, names=NAMES)
        assert renamed.feature_names == tuple(NAMES)
        with pytest.warns(DeprecationWarning, match=f"'feature_names' parameter of {caller}"):
            assert load(source, feature_names=NAMES) == renamed
        with (
            pytest.raises(InvalidParameterError, match="'feature_names' parameter of"),
            pytest.warns(DeprecationWarning),
        ):
            load(source, feature_names=["a"])
        with pytest.raises(InvalidParameterError, match="not both"):
            load(source, names=NAMES, feature_names=NAMES)


def test_a_regressor_given_a_tolerance_has_sufficient_reasons_below_all_features(
    regressor, diabetes, tmp_path
):
    assert from_ebm(regressor).task == Regression(tolerance=0.0)
    gam = from_ebm(regressor, tolerance=5.0)
    assert gam.task == Regression(tolerance=5.0)
    path = tmp_path / "ebm.json"
    regressor.to_json(path)
    assert from_ebm_json(path, tolerance=5.0) == gam
    sizes = []
    for row in _inside(regressor, diabetes[0][:8]):
        reason = minimum_sufficient_reason(gam, row)
        assert reason.verify(gam)
        sizes.append(len(reason.features))
    assert min(sizes) < gam.n_features


def test_a_classifier_takes_no_tolerance(classifier):
    assert from_ebm(classifier, tolerance=0.0) == from_ebm(classifier)
    with pytest.raises(InvalidParameterError, match="regression models only"):
        from_ebm(classifier, tolerance=5.0)


def test_unknown_category_in_domain_is_rejected(nominal):
    with pytest.raises(InvalidParameterError, match="subset of its categories"):
        from_ebm(nominal[0], domains={"colour": Finite(["red", "purple"])})


def test_an_unfitted_ebm_is_not_a_model():
    with pytest.raises(InvalidModelError, match="not a fitted EBM"):
        from_ebm(glassbox.ExplainableBoostingClassifier())


# -- EBMs drawn at random, checked against interpret's own prediction code -------------
quarters = st.integers(-8, 8).map(lambda n: n / 4)
grid = st.integers(-6, 6).map(lambda n: n / 2)


@st.composite
def continuous_bins(draw):
    cuts = sorted(draw(st.lists(grid, unique=True, max_size=4)))
    levels = [np.array(cuts, dtype=float)]
    if draw(st.booleans()):
        levels.append(np.array(sorted(draw(st.lists(grid, unique=True, max_size=2))), float))
    low, high = sorted(draw(st.lists(grid, min_size=2, max_size=2)))
    return levels, (low, high)


@st.composite
def nominal_bins(draw):
    labels = draw(st.lists(st.sampled_from("abcde"), min_size=1, max_size=4, unique=True))
    levels = [{label: k + 1 for k, label in enumerate(labels)}]
    if draw(st.booleans()):
        # a coarser binning that lost a category: EBM scores it in the unseen bin
        levels.append({label: k + 1 for k, label in enumerate(labels[:-1])})
    return levels, None


def _axis_bins(levels, order):
    bins = levels[min(len(levels), order) - 1]
    return max(bins.values(), default=0) + 2 if isinstance(bins, dict) else len(bins) + 3


@st.composite
def drawn_ebms(draw):
    n = draw(st.integers(1, 3))
    specs = [draw(st.one_of(continuous_bins(), nominal_bins())) for _ in range(n)]
    mains = [i for i in range(n) if draw(st.booleans())]
    pairs = [p for p in itertools.combinations(range(n), 2) if draw(st.booleans())]
    classify = draw(st.booleans())
    ebm = (
        glassbox.ExplainableBoostingClassifier
        if classify
        else glassbox.ExplainableBoostingRegressor
    )()
    ebm.n_features_in_ = n
    ebm.feature_names_in_ = [f"x{i}" for i in range(n)]
    ebm.feature_types_in_ = ["nominal" if spec[1] is None else "continuous" for spec in specs]
    ebm.bins_ = [spec[0] for spec in specs]
    ebm.feature_bounds_ = np.array([spec[1] or (np.nan, np.nan) for spec in specs], float)
    ebm.term_features_ = [(i,) for i in mains] + pairs
    ebm.term_scores_, ebm.bin_weights_ = [], []
    for term in ebm.term_features_:
        shape = tuple(_axis_bins(specs[i][0], len(term)) for i in term)
        size = math.prod(shape)
        ebm.term_scores_.append(
            np.array(draw(st.lists(quarters, min_size=size, max_size=size))).reshape(shape)
        )
        ebm.bin_weights_.append(
            np.array(
                draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)), float
            ).reshape(shape)
        )
    ebm.intercept_ = np.array([draw(quarters)]) if classify else draw(quarters)
    ebm.link_, ebm.link_param_ = ("logit" if classify else "identity"), np.nan
    if classify:
        ebm.classes_ = np.array([0, 1])
    ebm.has_fitted_ = True
    return ebm


def _probe_values(ebm, i):
    bins = ebm.bins_[i]
    if isinstance(bins[0], dict):
        return list(bins[0])
    low, high = ebm.feature_bounds_[i]
    values = {low, high, (low + high) / 2}
    for cut in itertools.chain.from_iterable(bins):
        values |= {cut, np.nextafter(cut, -np.inf), np.nextafter(cut, np.inf)}
    return sorted(v for v in values if low <= v <= high)


def _expected_distribution(ebm, feature, i):
    """Per piece, the weight of the EBM bin holding the piece's points (none: 0)."""
    cuts, weights = ebm.bins_[i][0], ebm.bin_weights_[ebm.term_features_.index((i,))]
    low, high = feature.domain.low, feature.domain.high
    masses = []
    for k, measure in enumerate(piece_measures(feature)):
        left = max(feature.shape.breakpoints[k], low)
        right = min(feature.shape.breakpoints[k + 1], high)
        point = (left + right) / 2
        masses.append(weights[np.searchsorted(cuts, point, "right") + 1] if measure > 0 else 0.0)
    total = sum(masses)
    return None if total == 0 else np.array(masses) / total


def _handmade_ebm():
    """The edge cases in one classifier: a cut equal to the upper bound, a one-point
    range with no cut, a pair over a coarser level, and scores tying at exactly 0."""
    ebm = glassbox.ExplainableBoostingClassifier()
    ebm.n_features_in_ = 3
    ebm.feature_names_in_ = ["x0", "x1", "x2"]
    ebm.feature_types_in_ = ["continuous", "continuous", "nominal"]
    ebm.bins_ = [
        [np.array([0.0, 1.0, 2.5]), np.array([2.0])],
        [np.array([])],
        [{"a": 1, "b": 2, "c": 2}],
    ]
    ebm.feature_bounds_ = np.array([[1.0, 2.5], [0.5, 0.5], [np.nan, np.nan]])
    ebm.term_features_ = [(0,), (1,), (2,), (0, 2)]
    ebm.term_scores_ = [
        np.array([0.0, 9.0, 9.0, -0.5, 0.5, 9.0]),
        np.array([0.0, 0.25, 0.0]),
        np.array([0.0, -0.25, 0.25, 0.0]),
        np.array([[0.0] * 4, [0.0, 0.5, -0.5, 0.0], [0.0, -0.5, 0.5, 0.0], [0.0] * 4]),
    ]
    ebm.bin_weights_ = [np.array([0.0, 0, 0, 3, 1, 0]), np.ones(3), np.ones(4), np.ones((4, 4))]
    ebm.intercept_ = np.array([0.0])
    ebm.link_, ebm.link_param_ = "logit", np.nan
    ebm.classes_ = np.array([0, 1])
    ebm.has_fitted_ = True
    return ebm


@given(drawn_ebms())
@example(_handmade_ebm())
def test_drawn_ebms_match_interpret(ebm):
    gam = from_ebm(ebm)
    X = np.array(
        list(itertools.product(*(_probe_values(ebm, i) for i in range(ebm.n_features_in_)))),
        dtype=object,
    )
    assert np.array_equal(gam.decision_function(X), _scores(ebm, X))
    assert np.array_equal(gam.predict(X), ebm.predict(X))
    exported = io.StringIO()
    ebm.to_json(exported, detail="interpretable")
    assert from_ebm_json(exported.getvalue()) == gam
    for i, feature in enumerate(gam.features):
        if isinstance(feature.shape, Piecewise) and (i,) in ebm.term_features_:
            expected = _expected_distribution(ebm, feature, i)
            if expected is None:
                assert feature.distribution is None
            else:
                assert np.allclose(feature.distribution, expected, rtol=0, atol=1e-12)
