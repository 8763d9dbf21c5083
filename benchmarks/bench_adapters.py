"""Piece compilation vs MILP extremes as ReLU nets grow, and adapter conversion times.

Run: ``python benchmarks/bench_adapters.py`` (a few minutes on one core). Prints one
table per experiment; every MILP extremum is checked against the compiled one.
"""

from __future__ import annotations

import itertools
import time
import warnings

import numpy as np

from gamexplain import Interval, Layer, ReLUNet
from gamexplain.algorithms.milp import relu_extremum
from gamexplain.model.pieces import compile_relu

__all__ = ["adapter_times", "extremes_vs_depth", "main"]


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


def _frac(value: float):  # type: ignore[no-untyped-def]
    from fractions import Fraction

    return Fraction(value)


def main() -> None:
    extremes_vs_depth([(1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (2, 16), (2, 32), (3, 16)])
    adapter_times()


if __name__ == "__main__":
    main()
