"""Piece compilation vs MILP extremes as ReLU nets grow, and adapter conversion times.

Run: ``python benchmarks/bench_adapters.py`` (a few minutes on one core), or
``python benchmarks/bench_adapters.py trees`` for the boosted-tree adapters only. Prints
one table per experiment; every MILP extremum is checked against the compiled one, and on
the CNF hard instance against the formula's satisfiability (by enumeration).
"""

from __future__ import annotations

import itertools
import sys
import time
import warnings

import numpy as np

from gamexplain import Integers, Interval, Layer, ReLUNet
from gamexplain.lab.reductions import cnf_to_relu_net
from gamexplain.substrate.milp import relu_extremum
from gamexplain.substrate.pieces import compile_relu

__all__ = [
    "adapter_times",
    "extremes_vs_depth",
    "hard_instance_vs_bits",
    "main",
    "tree_adapter_times",
]


def _random_net(depth: int, width: int, seed: int) -> ReLUNet:
    rng = np.random.default_rng(seed)
    sizes = [1, *[width] * depth, 1]
    return ReLUNet(
        [
            Layer(rng.normal(size=(a, b)).tolist(), rng.normal(size=b).tolist())
            for a, b in itertools.pairwise(sizes)
        ]
    )


def _timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def extremes_vs_depth(shapes: list[tuple[int, int]]) -> None:
    """For each (depth, width): pieces, compile time, MILP+certification time."""
    from fractions import Fraction

    print(f"{'depth':>5} {'width':>5} {'pieces':>7} {'compile s':>10} {'milp s':>8} "
          f"{'nodes':>6} {'HiGHS':>9} equal")  # fmt: skip
    domain = Interval(-3, 3)
    for depth, width in shapes:
        net = _random_net(depth, width, seed=depth * 100 + width)
        (cuts, polys), t_compile = _timed(compile_relu, net, Fraction(-3), Fraction(3), 10**6)
        best = max(max(p[0], p[0] + p[1] * (b - a)) for (a, b), p in
                   zip(itertools.pairwise(cuts), polys, strict=True))  # fmt: skip
        result, t_milp = _timed(relu_extremum, net, domain)
        print(f"{depth:>5} {width:>5} {len(polys):>7} {t_compile:>10.3f} {t_milp:>8.3f} "
              f"{result.nodes:>6} {result.solver_status:>9} {result.value == best}")  # fmt: skip


def _hard_formulas(n: int) -> dict[str, list[list[int]]]:
    """A satisfiable formula and one made unsatisfiable by a contradiction on x3, x_n."""
    return {
        "sat": [[1, -n, 5], [-3, 6, n - 2], [n, 4, -2], [-6, -4], [2, -(n - 1), 3]],
        "unsat": [[3, n], [-3, n], [3, -n], [-3, -n], [1, n - 1, -5]],
    }


def _satisfiable(clauses: list[list[int]], n: int) -> bool:
    return any(
        all(any((r >> (abs(lit) - 1) & 1) == (lit > 0) for lit in clause) for clause in clauses)
        for r in range(2**n)
    )


def hard_instance_vs_bits(bits: list[int], before_up_to: int = 10, compile_up_to: int = 10) -> None:
    """max of the THEORY §4 CNF network on Integers(0, 2^n − 1), per bit count n.

    "after": the default MILP backend (big-M bounds over a breakpoint partition, integer
    runs of at most ENUMERATE_LIMIT points closed by exact evaluation). "before": the
    previous algorithm (one propagation for the big-Ms, no enumeration), run up to
    ``before_up_to`` bits. "compile": exact compilation to pieces with the piece limit
    raised to 10^6, up to ``compile_up_to`` bits (its pieces live on the real interval).
    """
    from fractions import Fraction

    relu_extremum(cnf_to_relu_net([[1]], 1), Integers(0, 1))  # load scipy outside the clock
    print(f"{'bits':>4} {'cnf':>5} {'after s':>8} {'nodes':>6} {'HiGHS':>8} {'before s':>9} "
          f"{'nodes':>6} {'HiGHS':>8} {'compile s':>10} {'pieces':>7} right")  # fmt: skip
    for n in bits:
        for name, clauses in _hard_formulas(n).items():
            net = cnf_to_relu_net(clauses, n)
            domain = Integers(0, 2**n - 1)
            after, t_after = _timed(relu_extremum, net, domain)
            right = after.exact and (after.value >= 0) == _satisfiable(clauses, n)
            before_cols = f"{'-':>9} {'-':>6} {'-':>8}"
            if n <= before_up_to:
                before, t_before = _timed(
                    relu_extremum, net, domain, enumerate_limit=0, bound_leaves=1
                )
                right = right and before.value == after.value
                before_cols = f"{t_before:>9.2f} {before.nodes:>6} {before.solver_status:>8}"
            compile_cols = f"{'-':>10} {'-':>7}"
            if n <= compile_up_to:
                (_, polys), t_compile = _timed(
                    compile_relu, net, Fraction(0), Fraction(2**n - 1), 10**6
                )
                compile_cols = f"{t_compile:>10.2f} {len(polys):>7}"
            print(f"{n:>4} {name:>5} {t_after:>8.2f} {after.nodes:>6} {after.solver_status:>8} "
                  f"{before_cols} {compile_cols} {right}")  # fmt: skip


def adapter_times() -> None:
    """Conversion time of each adapter on models fitted to bundled datasets."""
    import pygam
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    from gamexplain.io import from_nam, from_nbm, from_pygam, from_sklearn

    X, y = load_diabetes(return_X_y=True)
    model = pygam.LinearGAM().fit(X, y)
    _, t = _timed(from_pygam, model)
    print(f"from_pygam   LinearGAM, 10 s() terms x 20 splines: {t:.3f} s")
    pipe = make_pipeline(SplineTransformer(n_knots=10), Ridge()).fit(X, y)
    _, t = _timed(from_sklearn, pipe)
    print(f"from_sklearn SplineTransformer(10 knots) + Ridge, 10 features: {t:.3f} s")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nets = [MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=50).fit(X[:, i : i + 1], y)
                for i in range(10)]  # fmt: skip
    domains = [Interval(float(X[:, i].min()), float(X[:, i].max())) for i in range(10)]
    _, t = _timed(from_nam, nets, domains=domains)
    print(f"from_nam     10 MLPRegressor(32, 16): {t:.3f} s")
    basis = (*_random_net(2, 32, 0).layers[:-1], Layer(np.ones((32, 8)).tolist(), [0.0] * 8))
    _, t = _timed(from_nbm, list(basis), np.ones((10, 8)), domains=domains)
    print(f"from_nbm     basis 1-32-32-8, 10 features: {t:.3f} s")
    gam = from_nam(nets, domains=domains)
    _, t = _timed(lambda: [compile_relu(f.shape, *map(_frac, (f.domain.low, f.domain.high)))
                           for f in gam.features])  # fmt: skip
    print(f"compile the 10 NAM features to pieces: {t:.3f} s")


def _tree_models():  # type: ignore[no-untyped-def]
    """(label, fitted model, adapter, margin function, tolerance kind) on bundled data."""
    import lightgbm
    import xgboost
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    from gamexplain.io import from_hist_gradient_boosting, from_lightgbm, from_xgboost

    cancer, diabetes = load_breast_cancer(return_X_y=True), load_diabetes(return_X_y=True)
    pairs10 = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    pairs30 = [[i, i + 1] for i in range(0, 30, 2)]
    return [
        ("XGBClassifier(max_depth=1, 300 trees)", cancer, from_xgboost,
         xgboost.XGBClassifier(max_depth=1, n_estimators=300, n_jobs=1), "margin"),
        ("XGBClassifier(max_depth=3, pairs, 300)", cancer, from_xgboost,
         xgboost.XGBClassifier(max_depth=3, n_estimators=300, n_jobs=1,
                               interaction_constraints=str(pairs30)), "margin"),
        ("XGBRegressor(max_depth=3, pairs, 300)", diabetes, from_xgboost,
         xgboost.XGBRegressor(max_depth=3, n_estimators=300, n_jobs=1,
                              interaction_constraints=str(pairs10)), "predict"),
        ("LGBMClassifier(max_depth=1, 300 trees)", cancer, from_lightgbm,
         lightgbm.LGBMClassifier(max_depth=1, n_estimators=300, n_jobs=1, verbose=-1), "raw"),
        ("LGBMClassifier(31 leaves, pairs, 300)", cancer, from_lightgbm,
         lightgbm.LGBMClassifier(n_estimators=300, n_jobs=1, verbose=-1,
                                 interaction_constraints=pairs30), "raw"),
        ("LGBMRegressor(31 leaves, pairs, 300)", diabetes, from_lightgbm,
         lightgbm.LGBMRegressor(n_estimators=300, n_jobs=1, verbose=-1,
                                interaction_constraints=pairs10), "predict"),
        ("HGBClassifier(no_interactions, 100)", cancer, from_hist_gradient_boosting,
         HistGradientBoostingClassifier(interaction_cst="no_interactions"), "decision"),
        ("HGBClassifier(pairs, 100)", cancer, from_hist_gradient_boosting,
         HistGradientBoostingClassifier(interaction_cst=pairs30), "decision"),
        ("HGBRegressor(pairs, 100)", diabetes, from_hist_gradient_boosting,
         HistGradientBoostingRegressor(interaction_cst=pairs10), "predict"),
    ]  # fmt: skip


def _margin(model, output: str, rows):  # type: ignore[no-untyped-def]
    """The library's own score: what a tree adapter's GAM must reproduce."""
    if output == "margin":
        return model.predict(rows, output_margin=True)
    if output == "raw":
        return model.predict(rows, raw_score=True)
    if output == "decision":
        return model.decision_function(rows)
    return model.predict(rows)


def tree_adapter_times() -> None:
    """Boosted-tree adapters on bundled data: conversion time against the library's own
    fit time (the baseline, same run), the GAM's size (main-effect pieces, pair terms and
    their table cells), and agreement on the 20% held-out rows (max |GAM score − library
    margin| over the largest |margin|; the share of equal classes). Domains come from
    all rows, so that held-out rows lie inside them."""
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    print(f"{'model':<40} {'fit s':>7} {'convert s':>9} {'ratio':>6} {'pieces':>7} "
          f"{'pairs':>5} {'cells':>7} {'max rel diff':>12} {'same class':>10}")  # fmt: skip
    with threadpool_limits(1):
        for label, (X, y), adapter, model, output in _tree_models():
            Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.2, random_state=0)
            _, t_fit = _timed(model.fit, Xtr, ytr)
            gam, t_convert = _timed(adapter, model, X=X)
            margin = _margin(model, output, Xte)
            diff = np.abs(gam.decision_function(Xte) - margin).max() / np.abs(margin).max()
            agree = (gam.predict(Xte) == model.predict(Xte)).mean()
            same = "-" if output == "predict" else f"{agree:.0%}"
            pieces = sum(f.shape.n_pieces for f in gam.features)  # type: ignore[union-attr]
            cells = sum(p.shape[0] * p.shape[1] for p in gam.pairs)
            size = f"{pieces:>7} {len(gam.pairs):>5} {cells:>7}"
            print(f"{label:<40} {t_fit:>7.3f} {t_convert:>9.3f} {t_convert / t_fit:>6.2f} "
                  f"{size} {diff:>12.1e} {same:>10}")  # fmt: skip


def _frac(value: float):  # type: ignore[no-untyped-def]
    from fractions import Fraction

    return Fraction(value)


def main() -> None:
    if sys.argv[1:] == ["trees"]:
        tree_adapter_times()
        return
    extremes_vs_depth([(1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (2, 16), (2, 32), (3, 16)])
    hard_instance_vs_bits([6, 8, 10, 12, 14, 16])
    adapter_times()
    tree_adapter_times()


if __name__ == "__main__":
    main()
