"""from_sklearn on pipelines that scale features before (or instead of) a spline.

The converted GAM must reproduce the pipeline on training rows, held-out rows, rows
beyond the training range and rows at every knot. scikit-learn computes (x − c)/s in
float64 while the conversion composes the maps exactly, so the two agree to rounding:
every comparison here allows 1e-12 relative to the size of the pipeline's output
(``_assert_same``), and predicted classes must be equal.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gamexplain import (
    Classification,
    Integers,
    Interval,
    InvalidParameterError,
    Regression,
    UnsupportedModelError,
    minimum_sufficient_reason,
    shap_values,
)
from gamexplain.io.sklearn import from_sklearn

datasets = pytest.importorskip("sklearn.datasets")
pd = pytest.importorskip("pandas")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    QuantileTransformer,
    RobustScaler,
    SplineTransformer,
    StandardScaler,
)

_CANCER = datasets.load_breast_cancer(as_frame=True)
COLUMNS = ["mean radius", "mean texture", "mean smoothness", "worst area", "worst symmetry"]
DATA = _CANCER.data[COLUMNS]
TRAIN, TEST, Y_TRAIN, _ = train_test_split(DATA, _CANCER.target, test_size=0.2, random_state=0)
_DIABETES = datasets.load_diabetes(as_frame=True, scaled=False)
D_TRAIN, D_TEST, D_Y, _ = train_test_split(
    _DIABETES.data, _DIABETES.target, test_size=0.2, random_state=0
)


def _logistic() -> LogisticRegression:
    return LogisticRegression(max_iter=5000)


def _output(pipe: Pipeline, rows) -> np.ndarray:
    if hasattr(pipe, "decision_function"):
        return np.asarray(pipe.decision_function(rows))
    return np.asarray(pipe.predict(rows))


def _assert_same(gam, pipe: Pipeline, rows) -> None:
    theirs = _output(pipe, rows)
    ours = gam.decision_function(np.asarray(rows, dtype=float))
    assert np.max(np.abs(ours - theirs)) <= 1e-12 * (1 + np.max(np.abs(theirs)))
    if gam.task == Classification(0.0, ">"):
        assert np.array_equal(gam.predict(np.asarray(rows, dtype=float)), pipe.predict(rows))


def _knot_rows(curves: Pipeline, data, gam) -> pd.DataFrame:
    """Rows equal to the first row of ``data`` except one column, set to a knot of its
    spline mapped back through the scalers by scikit-learn's own inverse_transform.

    ``curves`` is a fitted pipeline of scalers and a spline, reading the first columns
    of ``data``.
    """
    scalers, spline = curves[:-1], curves[-1]
    width = spline.n_features_in_
    base = data[:1]
    rows = []
    for column, bspline in enumerate(spline.bsplines_):
        knots = np.asarray(bspline.t)
        u = np.repeat(scalers.transform(base.iloc[:, :width]), len(knots), axis=0)
        u[:, column] = knots
        x = scalers.inverse_transform(u)
        at = np.repeat(base.to_numpy(dtype=float), len(knots), axis=0)
        low, high = gam.features[column].domain.low, gam.features[column].domain.high
        at[:, column] = np.clip(x[:, column], low, high)
        rows.append(at)
    return pd.DataFrame(np.vstack(rows), columns=data.columns)


SCALERS = [
    StandardScaler(),
    StandardScaler(with_mean=False),
    StandardScaler(with_std=False),
    StandardScaler(with_mean=False, with_std=False),
    MinMaxScaler(),
    MinMaxScaler(feature_range=(-3.5, 7.25)),
    RobustScaler(),
    RobustScaler(with_centering=False, quantile_range=(10.0, 80.0)),
    RobustScaler(with_scaling=False),
    MaxAbsScaler(),
]


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_each_scaler_before_a_spline(scaler) -> None:
    pipe = make_pipeline(scaler, SplineTransformer(n_knots=4), _logistic()).fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe, X=DATA)
    assert gam.feature_names == tuple(COLUMNS)
    assert gam.task == Classification(0.0, ">")
    for rows in (TRAIN, TEST, _knot_rows(pipe[:-1], TRAIN, gam)):
        _assert_same(gam, pipe, rows)


@pytest.mark.parametrize("degree", [0, 1, 2, 3])
@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue", "periodic"])
def test_extrapolation_is_composed_with_the_scaler(degree: int, extrapolation: str) -> None:
    if degree == 0 and extrapolation in ("constant", "periodic"):
        pytest.skip("scikit-learn itself rejects this combination")
    one = D_TRAIN[["bmi"]]
    spline = SplineTransformer(n_knots=5, degree=degree, extrapolation=extrapolation)
    pipe = make_pipeline(RobustScaler(), spline, Ridge(alpha=1e-3)).fit(one, D_Y)
    gam = from_sklearn(pipe, domains={"bmi": Interval(0.0, 80.0)})
    grid = np.linspace(0.0, 80.0, 401)[:, None]
    if degree == 0:  # a jump at a knot may fall on either side of scikit-learn's rounding
        knots = np.asarray(pipe[:-2].inverse_transform(spline.bsplines_[0].t[:, None]))
        grid = grid[np.min(np.abs(grid - knots.T), axis=1) > 1e-9]
    _assert_same(gam, pipe, pd.DataFrame(grid, columns=["bmi"]))


def test_the_issue_example_converts_with_default_domains() -> None:
    pipe = make_pipeline(StandardScaler(), SplineTransformer(), _logistic()).fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe)
    _assert_same(gam, pipe, TRAIN)
    for feature, column in zip(gam.features, TRAIN.to_numpy().T, strict=True):
        low, high = feature.domain.low, feature.domain.high
        assert low <= column.min() and high >= column.max()  # despite the scaler's rounding
        assert np.allclose([low, high], [column.min(), column.max()], rtol=1e-9, atol=0)


def test_without_scalers_the_default_domain_is_the_training_range() -> None:
    pipe = make_pipeline(SplineTransformer(), _logistic()).fit(TRAIN, Y_TRAIN)
    for feature, column in zip(from_sklearn(pipe).features, TRAIN.to_numpy().T, strict=True):
        assert feature.domain == Interval(float(column.min()), float(column.max()))


def _outermost(shape, x: float) -> float:
    """The shape at x, its first or last piece prolonged beyond its span."""
    k = int(np.clip(np.searchsorted(shape.breakpoints, x, side="right") - 1, 0, shape.n_pieces - 1))
    return sum(c * (x - shape.breakpoints[k]) ** r for r, c in enumerate(shape.coefficients[k]))


@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue"])
def test_outermost_pieces_are_scikit_learns_tails(extrapolation: str) -> None:
    routes = ColumnTransformer(
        [("clipped", MinMaxScaler(clip=True), [0]), ("line", StandardScaler(), [4])],
        remainder=RobustScaler(),
    )
    spline = SplineTransformer(n_knots=4, extrapolation=extrapolation)
    curves = ColumnTransformer([("s", spline, [0, 1, 2, 3])], remainder="passthrough")
    pipe = make_pipeline(routes, curves, _logistic()).fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe, X=TRAIN)  # the training range: far rows lie beyond it
    low, high = TRAIN.min().to_numpy(), TRAIN.max().to_numpy()
    far = pd.DataFrame(
        np.vstack([low - 7 * (high - low), high + 7 * (high - low)]), columns=COLUMNS
    )
    shapes = [feature.shape for feature in gam.features]
    ours = [gam.intercept + sum(_outermost(f, v) for f, v in zip(shapes, row, strict=True))
            for row in far.to_numpy()]  # fmt: skip
    theirs = pipe.decision_function(far)
    assert np.max(np.abs(np.asarray(ours) - theirs)) <= 1e-9 * (1 + np.max(np.abs(theirs)))


def test_chains_of_scalers() -> None:
    chain = [MinMaxScaler((-2.0, 3.0)), RobustScaler(), MaxAbsScaler(), StandardScaler()]
    pipe = make_pipeline(*chain, SplineTransformer(n_knots=6, degree=2), _logistic())
    pipe.fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe, X=DATA)
    for rows in (TRAIN, TEST, _knot_rows(pipe[:-1], TRAIN, gam)):
        _assert_same(gam, pipe, rows)


def test_column_transformer_by_name_with_scaled_linear_terms() -> None:
    routes = ColumnTransformer(
        [
            ("splined", make_pipeline(StandardScaler(), SplineTransformer(n_knots=4)),
             ["mean radius", "mean texture"]),
            ("scaled", RobustScaler(), ["worst area"]),
        ],
        remainder="passthrough",
    )  # fmt: skip
    pipe = make_pipeline(routes, _logistic()).fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe, X=DATA)
    assert gam.feature_names == tuple(COLUMNS)
    for rows in (TRAIN, TEST):
        _assert_same(gam, pipe, rows)
    area = gam.features[COLUMNS.index("worst area")].shape
    assert area.n_pieces == 1 and len(area.coefficients[0]) == 2  # one line


def test_column_transformer_by_index_and_mask_then_a_spline_and_a_dropped_feature() -> None:
    routes = ColumnTransformer(
        [
            ("mm", MinMaxScaler(), [0, 2]),
            ("std", StandardScaler(), [False, True, False, False, False]),
        ],
        remainder="drop",
    )
    pipe = make_pipeline(routes, MaxAbsScaler(), SplineTransformer(n_knots=5), _logistic())
    pipe.fit(TRAIN.to_numpy(), Y_TRAIN)
    with pytest.raises(InvalidParameterError, match="'x3' is dropped"):
        from_sklearn(pipe)
    gam = from_sklearn(pipe, X=DATA.to_numpy())
    assert gam.feature_names == ("x0", "x1", "x2", "x3", "x4")
    for rows in (TRAIN.to_numpy(), TEST.to_numpy()):
        _assert_same(gam, pipe, rows)
    assert gam.features[3].shape.coefficients == ((0.0,),)


def test_a_feature_feeding_a_spline_and_a_line_gets_their_sum() -> None:
    routes = ColumnTransformer(
        [
            ("curve", make_pipeline(MinMaxScaler(), SplineTransformer(n_knots=4)), [0, 1]),
            ("line", StandardScaler(), [0, 3]),
        ],
        remainder="drop",
    )
    pipe = make_pipeline(routes, _logistic()).fit(TRAIN, Y_TRAIN)
    gam = from_sklearn(pipe, domains={"mean smoothness": Interval(0, 1)}, X=DATA)
    for rows in (TRAIN, TEST):
        _assert_same(gam, pipe, rows)


def test_regression_pipeline_on_diabetes() -> None:
    routes = ColumnTransformer(
        [("curves", SplineTransformer(n_knots=5, extrapolation="linear"), ["age", "bmi", "s5"])],
        remainder=StandardScaler(),
    )
    pipe = make_pipeline(routes, Ridge(alpha=0.1)).fit(D_TRAIN, D_Y)
    gam = from_sklearn(pipe, X=_DIABETES.data, tolerance=5.0)
    assert gam.task == Regression(tolerance=5.0)
    assert isinstance(gam.features[0].domain, Integers)  # whole-number ages, splined
    for rows in (D_TRAIN, D_TEST):
        _assert_same(gam, pipe, rows)
    linear = make_pipeline(StandardScaler(), MinMaxScaler(), LinearRegression()).fit(D_TRAIN, D_Y)
    _assert_same(from_sklearn(linear, X=_DIABETES.data), linear, D_TEST)


def test_queries_on_a_converted_pipeline_verify() -> None:
    pipe = make_pipeline(StandardScaler(), SplineTransformer(n_knots=4), _logistic())
    gam = from_sklearn(pipe.fit(TRAIN, Y_TRAIN), X=DATA)
    for row in TEST.to_numpy()[:3]:
        reason = minimum_sufficient_reason(gam, row)
        assert reason.exact and reason.verify(gam)
        shap = shap_values(gam, row)
        assert shap.exact and shap.verify(gam)


@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ([Normalizer()], r"'normalizer' \(Normalizer\) is not supported"),
        ([QuantileTransformer(n_quantiles=50)], "QuantileTransformer"),
        ([FunctionTransformer(np.log1p)], "FunctionTransformer"),
        ([PolynomialFeatures(2)], "PolynomialFeatures"),
        ([SplineTransformer(n_knots=4), StandardScaler()], "scales the output of a Spline"),
        ([SplineTransformer(n_knots=4), SplineTransformer(n_knots=4)], "another spline"),
    ],
)
def test_other_steps_are_refused_by_name(steps, match: str) -> None:
    pipe = make_pipeline(*steps, SplineTransformer(n_knots=4), Ridge())
    if isinstance(steps[-1], SplineTransformer):
        pipe = make_pipeline(*steps, Ridge())
    pipe.fit(TRAIN, Y_TRAIN)
    with pytest.raises(UnsupportedModelError, match=match):
        from_sklearn(pipe, X=DATA)


def test_clipping_scalers_hold_the_term_constant_beyond_their_range() -> None:
    chain = [MinMaxScaler(clip=True), StandardScaler(), MinMaxScaler((0.2, 0.7), clip=True)]
    routes = ColumnTransformer(
        [
            ("curves", make_pipeline(*chain, SplineTransformer(n_knots=5)), [0, 1, 2]),
            ("line", MaxAbsScaler(clip=True), [3]),
        ],
        remainder=make_pipeline(MaxAbsScaler(), MinMaxScaler((-1.0, 1.0), clip=True)),
    )
    narrow = TRAIN[TRAIN["mean radius"].between(10, 16)]  # so held-out rows get clipped
    pipe = make_pipeline(routes, _logistic()).fit(narrow, Y_TRAIN[narrow.index])
    wide = {name: Interval(0.0, 5000.0) for name in COLUMNS}
    gam = from_sklearn(pipe, domains=wide)
    rng = np.random.default_rng(0)
    beyond = pd.DataFrame(rng.uniform(0.0, 5000.0, (300, 5)), columns=COLUMNS)
    knots = _knot_rows(pipe[0].named_transformers_["curves"], narrow, gam)
    for rows in (TRAIN, TEST, beyond, knots):
        _assert_same(gam, pipe, rows)
    radius = gam.features[0].shape
    assert radius.coefficients[0] == radius.coefficients[0][:1]  # constant below the range


def test_broken_scaling_parameters_are_refused() -> None:
    for value in (0.0, np.nan, -2.0):
        pipe = make_pipeline(StandardScaler(), SplineTransformer(n_knots=4), Ridge())
        pipe.fit(TRAIN, Y_TRAIN)[0].scale_[1] = value
        with pytest.raises(UnsupportedModelError, match="'standardscaler' \\(StandardScaler\\)"):
            from_sklearn(pipe, X=DATA)


def test_an_unfitted_pipeline_and_passthrough_steps() -> None:
    pipe = make_pipeline("passthrough", StandardScaler(), None, SplineTransformer(), Ridge())
    with pytest.raises(InvalidParameterError, match="must be a fitted Pipeline"):
        from_sklearn(pipe)
    gam = from_sklearn(pipe.fit(TRAIN, Y_TRAIN))
    assert gam.feature_names == tuple(COLUMNS)
    _assert_same(gam, pipe, TRAIN)


def test_a_refused_column_transformer_part_is_named() -> None:
    routes = ColumnTransformer([("odd", Normalizer(), [0, 1])], remainder="passthrough")
    pipe = make_pipeline(routes, Ridge()).fit(TRAIN, Y_TRAIN)
    with pytest.raises(UnsupportedModelError, match="column transformer part 'odd'"):
        from_sklearn(pipe, X=DATA)


def test_a_linear_feature_needs_a_domain_or_data() -> None:
    pipe = make_pipeline(StandardScaler(), _logistic()).fit(TRAIN, Y_TRAIN)
    with pytest.raises(InvalidParameterError, match="'mean radius' reaches the model only"):
        from_sklearn(pipe)
    with pytest.raises(InvalidParameterError, match="'X' parameter of from_sklearn"):
        from_sklearn(pipe, X=DATA.to_numpy()[:, :3])
    _assert_same(from_sklearn(pipe, X=DATA), pipe, TEST)


_CHAIN = st.lists(
    st.sampled_from(
        [StandardScaler, MinMaxScaler, RobustScaler, MaxAbsScaler,
         lambda: MinMaxScaler(feature_range=(-1e3, 1e-3)),
         lambda: StandardScaler(with_mean=False),
         lambda: MinMaxScaler(feature_range=(0.1, 0.6), clip=True),
         lambda: MaxAbsScaler(clip=True)]
    ),
    max_size=3,
)  # fmt: skip


@given(
    chain=_CHAIN,
    degree=st.integers(1, 3),
    extrapolation=st.sampled_from(["constant", "linear", "continue", "periodic"]),
    seed=st.integers(0, 2**16),
)
def test_random_chains_match_scikit_learn(chain, degree, extrapolation, seed) -> None:
    assume(degree > 1 or extrapolation != "linear")  # test_linear_low_degree_quirk
    rng = np.random.default_rng(seed)
    center, spread = rng.normal(0, 100, 2), rng.uniform(1e-3, 1e3, 2)
    x = center + spread * rng.normal(size=(60, 2))
    y = np.sin(x[:, 0] / spread[0]) + np.abs(x[:, 1] - center[1]) / spread[1]
    spline = SplineTransformer(n_knots=4, degree=degree, extrapolation=extrapolation)
    pipe = make_pipeline(*(make() for make in chain), spline, Ridge(alpha=1e-2)).fit(x, y)
    low, high = x.min(axis=0) - spread, x.max(axis=0) + spread
    gam = from_sklearn(pipe, domains={i: Interval(low[i], high[i]) for i in range(2)})
    _assert_same(gam, pipe, np.vstack([x, rng.uniform(low, high, (100, 2))]))
