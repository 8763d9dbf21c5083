"""Benchmark: minimum sufficient and contrastive reasons on the bundled breast-cancer EBM.

Plain script; prints two tables.

1. For every row of scikit-learn's breast-cancer data, the minimum-size sufficient
   reason (MSR) and contrastive reason (MCR) of the bundled EBM
   (``examples/breast_cancer_ebm.json``; fitted here with interpret if it is missing),
   as time per instance and as a ratio to ``numpy.sort`` of the same 569 × 30
   contribution matrix, measured in the same run. The query times include validation,
   the exact (rational) arithmetic, and building and re-checkable certificates; the
   per-feature extremes are cached after the first row, so the warm-up row is excluded.
2. Brute force against greedy on small random finite models.
3. An EBM fitted with pair terms (``interactions=5``) on the first 8 breast-cancer
   features: MSR and MCR per instance, and the exact worst case of the paired features
   by variable elimination against CP-SAT on the same questions.

Run: ``python benchmarks/bench_reasons.py``
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np

import gamexplain as gx

MODEL = Path(__file__).resolve().parents[1] / "examples" / "breast_cancer_ebm.json"


def load_model() -> gx.GAM:
    if MODEL.exists():
        return gx.load(MODEL)
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    ebm = ExplainableBoostingClassifier(interactions=0, random_state=0, n_jobs=1)
    ebm.fit(data.data, data.target)
    return gx.from_ebm(ebm)


def per_row(func, rows) -> float:
    func(rows[0])  # warm the per-feature primitive caches
    start = time.perf_counter()
    for row in rows:
        func(row)
    return (time.perf_counter() - start) / len(rows)


def sort_time(matrix: np.ndarray, repeat: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        np.sort(matrix, axis=1)
    return (time.perf_counter() - start) / repeat / matrix.shape[0]


def breast_cancer_table() -> None:
    from sklearn.datasets import load_breast_cancer

    gam = load_model()
    rows = [list(map(float, r)) for r in load_breast_cancer().data]
    matrix = np.column_stack(
        [f.contribution(np.array([r[i] for r in rows])) for i, f in enumerate(gam.features)]
    )
    base = sort_time(matrix)
    msr = per_row(lambda r: gx.minimum_sufficient_reason(gam, r), rows)
    mcr = per_row(lambda r: gx.minimum_contrastive_reason(gam, r), rows)
    sizes = [gx.minimum_sufficient_reason(gam, r).size for r in rows[:50]]
    print(f"breast-cancer EBM: {len(rows)} rows × {gam.n_features} features")
    print(f"{'query':<34}{'µs / row':>12}{'× numpy.sort':>16}")
    print(f"{'numpy.sort of the contributions':<34}{base * 1e6:>12.2f}{1:>16.0f}")
    print(f"{'minimum_sufficient_reason':<34}{msr * 1e6:>12.1f}{msr / base:>16.0f}")
    print(f"{'minimum_contrastive_reason':<34}{mcr * 1e6:>12.1f}{mcr / base:>16.0f}")
    print(f"mean MSR size over the first 50 rows: {np.mean(sizes):.2f}")


def small_model(n: int, values: int, rng: random.Random) -> gx.GAM:
    features = [
        gx.Feature(
            f"f{i}",
            gx.Finite(list(range(values))),
            gx.Table([rng.randint(-4, 4) / 2 for _ in range(values)]),
        )
        for i in range(n)
    ]
    return gx.GAM(features, intercept=rng.randint(-2, 2) / 2, task=gx.Classification())


def brute_table() -> None:
    rng = random.Random(0)
    print()
    print("brute force vs greedy, minimum_sufficient_reason, finite domains of 3 values")
    print(f"{'features':>8}{'brute ms':>12}{'greedy ms':>12}{'ratio':>10}")
    for n in (3, 5, 7, 8):
        gam = small_model(n, 3, rng)
        x = [rng.randrange(3) for _ in range(n)]
        timings = {}
        for method in ("brute", "greedy"):
            start = time.perf_counter()
            size = gx.minimum_sufficient_reason(gam, x, method=method).size
            timings[method] = (time.perf_counter() - start, size)
        assert timings["brute"][1] == timings["greedy"][1]
        brute, greedy = timings["brute"][0], timings["greedy"][0]
        print(f"{n:>8}{brute * 1e3:>12.1f}{greedy * 1e3:>12.2f}{brute / greedy:>10.0f}")


def pairs_table(rows: int = 20) -> None:
    import warnings

    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer

    from gamexplain.algorithms.pairwise import PairOracle
    from gamexplain.algorithms.worst_case import make_problem

    data = load_breast_cancer()
    X = data.data[:, :8]
    ebm = ExplainableBoostingClassifier(interactions=5, outer_bags=1, random_state=0, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm.fit(X, data.target)
    gam = gx.from_ebm(ebm)
    sample = X[:rows]
    print()
    print(f"EBM with {len(gam.pairs)} pair terms, {gam.n_features} features, {rows} rows")
    for name, func in (
        ("minimum_sufficient_reason", gx.minimum_sufficient_reason),
        ("minimum_contrastive_reason", gx.minimum_contrastive_reason),
    ):
        seconds = per_row(lambda row, f=func: f(gam, row), sample)
        print(f"  {name:28s} {1000 * seconds:8.2f} ms per instance")
    for backend in ("variable-elimination", "cp-sat"):
        start = time.perf_counter()
        try:
            for row in sample:
                oracle = PairOracle(make_problem(gam, gam.instance(row)), backend=backend)
                for side in ("min", "max"):
                    oracle.part(range(gam.n_features), side)
        except gx.UnsupportedQueryError as exc:
            print(f"  worst case, all free, {backend:22s} refused: {exc}")
            continue
        seconds = (time.perf_counter() - start) / len(sample)
        print(f"  worst case, all free, {backend:22s} {1000 * seconds:8.2f} ms per instance")


if __name__ == "__main__":
    breast_cancer_table()
    brute_table()
    pairs_table()
