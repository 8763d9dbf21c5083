"""SHAP of the label: dynamic programming vs the shap package's exact explainer, and the
growth of the exact and the bounded program as weights get wider.

Run: ``python benchmarks/bench_shap.py [--max-shap 12]``. Part 1 builds, for n = 8..16, a
classifier over binary/ternary features with small integer tables and explains one
instance with ``shap_values(..., output="label")`` (uniform marginals) and, up to
``--max-shap`` features, with ``shap.explainers.Exact`` on the full product grid as
background (the same distribution), printing both times and their ratio. Part 2 widens
the weights (b random bits each) and reports the exact program's states and time, and
the bounded program's width under a fixed state budget.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from gamexplain import GAM, Classification, Feature, Finite, Piecewise, shap_values


def model(n: int, bits: int, seed: int) -> GAM:
    rng = np.random.default_rng(seed)
    features = []
    for k in range(n):
        size = 2 if k % 2 else 3
        values = list(range(size))
        cuts = [*values, size]
        scores = rng.integers(-(2**bits), 2**bits, size=size).astype(float)
        features.append(Feature(f"x{k}", Finite(values), Piecewise(cuts, [[s] for s in scores])))
    return GAM(features, intercept=0.0, task=Classification(0.5))


def _labeller(gam: GAM):
    return lambda X: gam.predict(X).astype(float)


def versus_shap(sizes: range, max_shap: int) -> None:
    print("n  dp_seconds  shap_seconds  ratio(shap/dp)  max|diff|")
    for n in sizes:
        gam = model(n, 3, n)
        x = [0] * n
        started = time.perf_counter()
        ours = shap_values(gam, x, output="label")
        dp = time.perf_counter() - started
        if n > max_shap:
            print(f"{n:<2} {dp:10.3f}  {'skipped':>12}")
            continue
        import shap

        grid = np.array(
            list(itertools.product(*[f.domain.values for f in gam.features])), dtype=float
        )
        masker = shap.maskers.Independent(grid, max_samples=len(grid))
        explainer = shap.explainers.Exact(_labeller(gam), masker)
        started = time.perf_counter()
        theirs = explainer(np.array([x], dtype=float))
        other = time.perf_counter() - started
        diff = float(np.max(np.abs(theirs.values[0] - ours.values)))
        print(f"{n:<2} {dp:10.3f}  {other:12.3f}  {other / dp:14.1f}  {diff:.1e}")


def widening(bits_list: list[int], n: int, budget: int) -> None:
    print(f"n={n}; bits  exact_states  exact_seconds  bounded(max_states={budget}) width  sec")
    for bits in bits_list:
        gam = model(n, bits, 7)
        x = [0] * n
        started = time.perf_counter()
        exact = shap_values(gam, x, output="label", max_states=10**7)
        t_exact = time.perf_counter() - started
        started = time.perf_counter()
        bounded = shap_values(gam, x, output="label", max_states=budget)
        t_bounded = time.perf_counter() - started
        width = float(np.max(bounded.upper - bounded.lower))
        print(
            f"{bits:>4}  {exact.stats.work['dp_states']:>12}  {t_exact:13.3f}  "
            f"{width:>28.2e}  {t_bounded:.3f}  ({bounded.status})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-shap", type=int, default=12)
    args = parser.parse_args()
    versus_shap(range(8, 17, 2), args.max_shap)
    widening([2, 4, 8, 12, 16], 10, 5000)
