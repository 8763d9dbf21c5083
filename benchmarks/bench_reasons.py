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

With ``--before REV`` the timed figures of tables 1 and 3 are measured a second time, in
the same run, on the package as it was at git revision REV (extracted with ``git
archive`` to a temporary directory and run in a subprocess), and printed side by side.

Run: ``python benchmarks/bench_reasons.py [--before REV]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
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


def breast_cancer_figures() -> dict[str, float]:
    """Seconds per row: numpy.sort of the contribution matrix, MSR and MCR."""
    from sklearn.datasets import load_breast_cancer

    gam = load_model()
    rows = [list(map(float, r)) for r in load_breast_cancer().data]
    matrix = np.column_stack(
        [f.contribution(np.array([r[i] for r in rows])) for i, f in enumerate(gam.features)]
    )
    return {
        "numpy.sort of the contributions": sort_time(matrix),
        "minimum_sufficient_reason": per_row(lambda r: gx.minimum_sufficient_reason(gam, r), rows),
        "minimum_contrastive_reason": per_row(
            lambda r: gx.minimum_contrastive_reason(gam, r), rows
        ),
    }


def breast_cancer_table(before: dict[str, float] | None) -> None:
    from sklearn.datasets import load_breast_cancer

    gam = load_model()
    rows = [list(map(float, r)) for r in load_breast_cancer().data]
    now = breast_cancer_figures()
    base = now["numpy.sort of the contributions"]
    sizes = [gx.minimum_sufficient_reason(gam, r).size for r in rows[:50]]
    print(f"breast-cancer EBM: {len(rows)} rows × {gam.n_features} features")
    head = f"{'query':<34}{'µs / row':>12}{'× numpy.sort':>16}"
    print(head + (f"{'µs before':>12}{'speed-up':>10}" if before else ""))
    for name, seconds in now.items():
        line = f"{name:<34}{seconds * 1e6:>12.2f}{seconds / base:>16.0f}"
        if before:
            line += f"{before[name] * 1e6:>12.2f}{before[name] / seconds:>10.1f}"
        print(line)
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


def pairs_model(rows: int) -> tuple[gx.GAM, np.ndarray]:
    import warnings

    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X = data.data[:, :8]
    ebm = ExplainableBoostingClassifier(interactions=5, outer_bags=1, random_state=0, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm.fit(X, data.target)
    return gx.from_ebm(ebm), X[:rows]


def pairs_figures(rows: int) -> dict[str, float]:
    """Seconds per instance: MSR, MCR, and the all-free worst case per backend."""
    from gamexplain.algorithms.pairwise import PairOracle
    from gamexplain.algorithms.worst_case import make_problem

    gam, sample = pairs_model(rows)
    figures = {}
    for name, func in (
        ("minimum_sufficient_reason", gx.minimum_sufficient_reason),
        ("minimum_contrastive_reason", gx.minimum_contrastive_reason),
    ):
        figures[name] = per_row(lambda row, f=func: f(gam, row), sample)
    for backend in ("variable-elimination", "cp-sat"):
        start = time.perf_counter()
        try:
            for row in sample:
                oracle = PairOracle(make_problem(gam, gam.instance(row)), backend=backend)
                for side in ("min", "max"):
                    oracle.part(range(gam.n_features), side)
        except gx.UnsupportedQueryError:
            figures[f"worst case, all free, {backend}"] = float("nan")  # refused
            continue
        figures[f"worst case, all free, {backend}"] = (time.perf_counter() - start) / len(sample)
    return figures


def pairs_table(rows: int, before: dict[str, float] | None) -> None:
    gam, _ = pairs_model(rows)
    now = pairs_figures(rows)
    print()
    print(f"EBM with {len(gam.pairs)} pair terms, {gam.n_features} features, {rows} rows")
    head = f"  {'ms per instance':<48}{'now':>10}"
    print(head + (f"{'before':>10}{'speed-up':>10}" if before else ""))
    for name, seconds in now.items():
        if np.isnan(seconds):
            print(f"  {name:<48}{'refused':>10}")
            continue
        line = f"  {name:<48}{1000 * seconds:>10.2f}"
        if before and name in before:
            line += f"{1000 * before[name]:>10.2f}{before[name] / seconds:>10.1f}"
        print(line)


def figures_at(revision: str, rows: int) -> dict[str, dict[str, float]]:
    """The timed figures measured on the package as of a git revision (subprocess)."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", revision, "gamexplain"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": folder}
        out = subprocess.run(
            [sys.executable, __file__, "--figures", "--rows", str(rows)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    figures: dict[str, dict[str, float]] = json.loads(out)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also time git revision REV")
    parser.add_argument("--rows", type=int, default=10, help="rows of the pair-term table")
    parser.add_argument("--figures", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.figures:
        print(json.dumps({"additive": breast_cancer_figures(), "pairs": pairs_figures(args.rows)}))
        sys.exit()
    before = figures_at(args.before, args.rows) if args.before else {}
    breast_cancer_table(before.get("additive"))
    brute_table()
    pairs_table(args.rows, before.get("pairs"))
