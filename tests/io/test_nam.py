"""Neural additive / basis models as exact ReLU networks; MILP extremes on them."""

from __future__ import annotations

import pickle
import warnings
from fractions import Fraction

import numpy as np
import pytest

from gamexplain import (
    Classification,
    Integers,
    Interval,
    InvalidParameterError,
    Layer,
    Regression,
    UnsupportedModelError,
)
from gamexplain.io.convert import convert_model
from gamexplain.io.nam import from_nam, from_nbm
from gamexplain.lab.reductions import cnf_to_relu_net
from gamexplain.substrate.milp import ENUMERATE_LIMIT, relu_extremum
from gamexplain.substrate.pieces import lower
from gamexplain.substrate.primitives import contribution_max, contribution_min

datasets = pytest.importorskip("sklearn.datasets")
from sklearn.neural_network import MLPRegressor  # noqa: E402


@pytest.fixture(scope="module")
def backfitted_nam():
    """Per-feature MLPRegressors fitted by backfitting on three diabetes features."""
    X, y = datasets.load_diabetes(return_X_y=True)
    X, y = X[:, [0, 2, 3]] * 10, (y - y.mean()) / y.std()
    nets = [
        MLPRegressor(
            hidden_layer_sizes=(8, 4), activation="relu", max_iter=300, random_state=i, tol=1e-3
        )
        for i in range(3)
    ]
    parts = np.zeros_like(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            for i, net in enumerate(nets):
                residual = y - parts.sum(axis=1) + parts[:, i]
                net.fit(X[:, i : i + 1], residual)
                parts[:, i] = net.predict(X[:, i : i + 1])
    domains = [Interval(float(X[:, i].min()), float(X[:, i].max())) for i in range(3)]
    return nets, domains, X


def test_backfitted_nam_pieces_and_milp_extremes(backfitted_nam) -> None:
    nets, domains, X = backfitted_nam
    gam = from_nam(nets, domains=domains)
    expected = sum(net.predict(X[:, i : i + 1]) for i, net in enumerate(nets))
    assert np.max(np.abs(gam.decision_function(X) - expected)) < 1e-9
    for feature in gam.features:
        segments = lower(feature)
        # the exact piece count: consecutive pieces differ in slope or are cut by a jump
        assert 1 <= len(segments) <= (8 + 1) * (4 + 1)
        grid = np.linspace(feature.domain.low, feature.domain.high, 4001)
        dense = feature.contribution(grid)
        for primitive in (contribution_min, contribution_max):
            milp = primitive(feature, method="milp")
            pieces = primitive(feature, method="pieces")
            assert milp.exact and milp.value == pieces.value
            assert feature.contribution_exact(milp.argument) == milp.value
        low, high = contribution_min(feature), contribution_max(feature)
        assert float(low.value) <= dense.min() + 1e-12 and dense.max() <= float(high.value) + 1e-12


def test_nam_from_weight_lists_and_classifier_logit() -> None:
    from sklearn.neural_network import MLPClassifier

    X, y = datasets.load_breast_cancer(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X[:, :1] / 10, y)
    tent = [([[1.0, 1.0]], [0.0, -1.0]), Layer([[1.0], [-2.0]], [0.0])]
    gam = from_nam([clf, tent], domains=[Interval(0, 4), Integers(-3, 3)])
    rows = np.column_stack([X[:50, 0] / 10, np.tile(np.arange(-3, 4), 8)[:50]])
    logit = clf.predict_proba(rows[:, :1])[:, 1]
    tent_values = np.maximum(rows[:, 1], 0) - 2 * np.maximum(rows[:, 1] - 1, 0)
    expected = np.log(logit / (1 - logit)) + tent_values
    assert np.max(np.abs(gam.decision_function(rows) - expected)) < 1e-6


def test_nbm_mix_is_exact() -> None:
    rng = np.random.default_rng(3)
    basis = [(rng.normal(size=(1, 6)).tolist(), rng.normal(size=6).tolist()),
             (rng.normal(size=(6, 4)).tolist(), rng.normal(size=4).tolist())]  # fmt: skip
    a = rng.normal(size=(2, 4))
    gam = from_nbm(basis, a, domains=[Interval(-2, 2), Interval(-1, 3)])
    x = Fraction(3, 7)
    h = [
        max(Fraction(w) * x + Fraction(b), Fraction(0))
        for w, b in zip(basis[0][0][0], basis[0][1], strict=True)
    ]
    b = [sum((h[k] * Fraction(basis[1][0][k][j]) for k in range(6)), Fraction(basis[1][1][j]))
         for j in range(4)]  # fmt: skip
    for i, feature in enumerate(gam.features):
        exact = sum((Fraction(float(a[i, k])) * b[k] for k in range(4)), Fraction(0))
        assert feature.contribution_exact(x) == exact
    with pytest.raises(Exception, match="shape"):
        from_nbm(basis, a[:, :3], domains=[Interval(0, 1)] * 2)


def test_nam_and_nbm_take_a_regression_tolerance() -> None:
    net = [([[1.0]], [0.0])]
    domains = [Interval(-1, 1)]
    assert from_nam([net], domains=domains).task == Regression(tolerance=0.0)
    assert from_nam([net], domains=domains, tolerance=0.5).task == Regression(tolerance=0.5)
    given = from_nam([net], domains=domains, task=Regression(0.5), tolerance=0.5)
    assert given.task == Regression(tolerance=0.5)
    nbm = from_nbm(net, [[2.0]], domains=domains, tolerance=0.5, names=["u"])
    assert nbm.task == Regression(tolerance=0.5) and nbm.feature_names == ("u",)
    with pytest.raises(InvalidParameterError, match="conflicts with the task's own"):
        from_nam([net], domains=domains, task=Regression(0.25), tolerance=0.5)
    for load, caller in ((from_nam, "from_nam"), (lambda n, **k: from_nbm(net, [[2.0]], **k),
                                                   "from_nbm")):  # fmt: skip
        with pytest.raises(InvalidParameterError, match="regression models only"):
            load([net], domains=domains, task=Classification(), tolerance=0.5)
        with pytest.raises(InvalidParameterError, match=f"'tolerance' parameter of {caller}"):
            load([net], domains=domains, tolerance=float("nan"))


def test_non_relu_mlp_is_rejected() -> None:
    net = MLPRegressor(hidden_layer_sizes=(3,), activation="tanh", max_iter=5).fit(
        [[0.0], [1.0]], [0.0, 1.0]
    )
    with pytest.raises(UnsupportedModelError, match="relu"):
        from_nam([net], domains=[Interval(0, 1)])


def test_torch_sequential_when_available() -> None:
    torch = pytest.importorskip("torch")
    seq = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    gam = from_nam([seq], domains=[Interval(-1, 1)])
    grid = np.linspace(-1, 1, 11)
    with torch.no_grad():
        expected = seq(torch.tensor(grid[:, None], dtype=torch.float64).float()).numpy()[:, 0]
    assert np.max(np.abs(gam.decision_function(grid[:, None]) - expected)) < 1e-5


SAT = [[1, 5, -6], [-1, 4], [-4, -5, 3], [6, -3]]
UNSAT = [[1, 2], [-1, 2], [1, -2], [-2, -1]]


@pytest.mark.parametrize(
    ("clauses", "satisfiable"), [(SAT, True), (UNSAT, False), ([[3], [-3, 6]], True)]
)
def test_milp_decides_cnf_networks(clauses, satisfiable) -> None:
    from gamexplain import Feature

    n = 6
    on_integers = Feature("r", Integers(0, 2**n - 1), cnf_to_relu_net(clauses, n))
    best = contribution_max(on_integers, method="milp")
    assert best.exact and (best.value >= 0) == satisfiable
    assert on_integers.contribution_exact(best.argument) == best.value
    gadget = cnf_to_relu_net(clauses, n, interval_penalty=True)
    on_reals = Feature("r", Interval(0, 2**n - 1), gadget)
    assert (contribution_max(on_reals, method="milp").value >= 0) == satisfiable


SAT_12 = [[1, -12, 5], [-3, 7, 10], [12, 9, -2], [-7, -9], [4, -11, 6]]
UNSAT_12 = [[3, 11], [-3, 11], [3, -11], [-3, -11], [1, 12, -7]]


def _satisfiable(clauses: list[list[int]], n: int) -> bool:
    return any(
        all(any((r >> (abs(lit) - 1) & 1) == (lit > 0) for lit in clause) for clause in clauses)
        for r in range(2**n)
    )


@pytest.mark.parametrize("clauses", [SAT_12, UNSAT_12])
@pytest.mark.parametrize("enumerate_limit", [ENUMERATE_LIMIT, 64])
def test_milp_decides_the_12_bit_hard_instance(clauses, enumerate_limit) -> None:
    from gamexplain import Feature

    net = cnf_to_relu_net(clauses, 12)
    feature = Feature("r", Integers(0, 4095), net)
    best = relu_extremum(net, feature.domain, enumerate_limit=enumerate_limit)
    assert best.exact and best.solver_status == "optimal"
    assert (best.value >= 0) == _satisfiable(clauses, 12)
    assert net.evaluate_exact(best.argument) == best.value
    if enumerate_limit == ENUMERATE_LIMIT:
        through_primitive = contribution_max(feature, method="milp")
        assert through_primitive.exact and through_primitive.value == best.value


def test_interval_without_penalty_is_fooled_by_fractional_bits() -> None:
    from gamexplain import Feature

    fooled = Feature("r", Interval(0, 63), cnf_to_relu_net(UNSAT, 6))
    assert contribution_max(fooled, method="milp").value >= 0  # THEORY §4 erratum


def test_convert_warns_before_unpickling(tmp_path) -> None:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    X, y = datasets.load_diabetes(return_X_y=True)
    pipe = make_pipeline(SplineTransformer(), Ridge()).fit(X[:, :2], y)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(pipe))
    with pytest.warns(UserWarning, match="EXECUTES CODE"):
        gam = convert_model(path, "sklearn")
    assert np.max(np.abs(gam.decision_function(X[:, :2]) - pipe.predict(X[:, :2]))) < 1e-9
