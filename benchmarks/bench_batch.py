"""Batch queries at numpy speed: the kernels of issue 15 against numpy's own floor.

Run: ``python benchmarks/bench_batch.py [--rows 100000] [--dask-rows 1000000]
[--parquet-rows 10000000]``.

On the bundled breast-cancer EBM (30 features, main effects) and ``--rows`` rows drawn
uniformly inside every feature's domain, each figure is a ratio measured in this run:

* the *floor*: numpy alone computing the rows' contributions (one vectorised shape
  evaluation per feature) and argsorting each row (``np.argsort(C, axis=1)``);
* MSR, MCR and SHAP of the score through :func:`gamexplain.explain`, input validation
  included, against the floor (the issue's goals: MSR and MCR ≤ 10×, SHAP ≤ 3×);
* ``verify`` of each batch against its computation (goal ≤ 2×);
* the single-row query on a sample of rows, scaled, against the batch (the speed-up);
* with ``--dask-rows``: the same MSR+MCR on a ``LocalCluster`` of 2 single-threaded
  worker processes against 1 (the rows persisted on the workers before the clock starts),
  and with ``--parquet-rows`` the peak resident memory of streaming a Parquet file of
  that many rows in chunks (each needs the ``dask`` extra);
* with ``--responsiveness-rows``: responsiveness under a simple action set (five
  features immutable, five that may only rise, the rest free within their domains)
  through the separable kernel, against the same floor and the single-row query on a
  sample, and its ``verify`` against its computation; the same for ``fixed`` (its own
  kernel) against ``is_fixed`` row by row;
* with ``--spline-rows``: a scikit-learn spline pipeline (StandardScaler,
  SplineTransformer, LogisticRegression) on breast_cancer, read by ``gx.from_fitted``:
  CSR, MSR, minimal, MCR, SHAP and Banzhaf of the score through the curved-row kernels
  against the same floor, their ``verify`` against their computation, and the
  single-row query on a few rows;
* with ``--multiclass-rows``: a three-class EBM fitted on wine (main effects), CSR,
  minimal, MCR and SHAP of the class scores through the multiclass kernels (one binary
  pass per rival class) against the same numpy floor over the K class scores, and
  against the single-row multiclass query on a sample.

Nothing here is asserted: the figures are measured and printed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import gamexplain as gx


def best(func: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - started)
    return min(times), out


def rows(gam: Any, n: int, seed: int = 0) -> np.ndarray:
    low = np.array([float(f.domain.low) for f in gam.features])
    high = np.array([float(f.domain.high) for f in gam.features])
    return low + (high - low) * np.random.default_rng(seed).random((n, gam.n_features))


def floor(gam: Any, X: np.ndarray) -> np.ndarray:
    contributions = np.column_stack([f.contribution(X[:, i]) for i, f in enumerate(gam.features)])
    return np.argsort(contributions, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--dask-rows", type=int, default=0)
    parser.add_argument("--parquet-rows", type=int, default=0)
    parser.add_argument("--multiclass-rows", type=int, default=0)
    parser.add_argument("--responsiveness-rows", type=int, default=0)
    parser.add_argument("--spline-rows", type=int, default=0)
    args = parser.parse_args()
    if args.spline_rows:
        spline_kernels(args.spline_rows, args.single)
    if args.responsiveness_rows:
        responsiveness_kernel(args.responsiveness_rows, args.single)
    if args.multiclass_rows:
        multiclass_kernels(args.multiclass_rows, args.single)
    gam = gx.load("breast_cancer_ebm")
    X = rows(gam, args.rows)
    # the per-model tables of the kernels and of verify, once
    gx.explain(gam, X[:10], queries=("msr", "mcr", "shap")).verify(gam)
    base, _ = best(lambda: floor(gam, X))
    print(f"breast_cancer_ebm, {args.rows} rows; numpy floor (contributions + argsort): "
          f"{base:.3f} s")  # fmt: skip
    print(f"{'query':<6} {'batch s':>8} {'x floor':>8} {'verify s':>9} {'x batch':>8} "
          f"{'exact rows':>10} {'row s (1 by 1)':>15} {'speed-up':>9}")  # fmt: skip
    singles = {
        "msr": gx.minimum_sufficient_reason,
        "mcr": gx.minimum_contrastive_reason,
        "shap": gx.shap_values,
    }
    for query, single in singles.items():
        seconds, result = best(lambda q=query: gx.explain(gam, X, queries=(q,)))
        checked, ok = best(lambda r=result: r.verify(gam), repeat=1)
        exact_rows = sum(c["exact"] + c["row"] for c in result.counts().values())
        sample = X[: args.single]
        started = time.perf_counter()
        for x in sample:
            single(gam, list(x))
        per_row = (time.perf_counter() - started) / len(sample)
        print(f"{query:<6} {seconds:>8.3f} {seconds / base:>8.1f} {checked:>9.3f} "
              f"{checked / seconds:>8.2f} {exact_rows:>10} {per_row * 1e3:>12.2f} ms "
              f"{per_row * len(X) / seconds:>8.0f}x  verify={ok}")  # fmt: skip
    if args.dask_rows:
        dask_speedup(gam, args.dask_rows)
    if args.parquet_rows:
        parquet_memory(gam, args.parquet_rows)


def dask_speedup(gam: Any, n: int) -> None:
    """MSR + MCR of ``n`` rows on 1 and on 2 single-threaded worker processes."""
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster, wait

    frame = pd.DataFrame(rows(gam, n, seed=1), columns=list(gam.feature_names))
    timings = {}
    for workers in (1, 2):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        with cluster, Client(cluster) as client:
            data = client.persist(dd.from_pandas(frame, npartitions=8))
            wait(data)  # the rows on the workers: the clock times the explaining only
            started = time.perf_counter()
            out = gx.explain(gam, data, queries=("msr", "mcr"), client=client)
            # the tables stay on the workers; only a sum comes back
            total = int(out["msr_size"].sum().compute())
            timings[workers] = time.perf_counter() - started
        print(
            f"dask, {workers} worker(s): {n} rows in {timings[workers]:.2f} s (Σ msr size {total})"
        )
    print(f"dask speed-up 2 vs 1 workers: {timings[1] / timings[2]:.2f}x")


def responsiveness_kernel(n: int, single: int) -> None:
    """Responsiveness of ``n`` rows of the breast-cancer EBM under a simple action set:
    the separable kernel against the numpy floor and the single-row query."""
    gam = gx.load("breast_cancer_ebm")
    names = gam.feature_names
    elements: dict[str, Any] = {name: {"actionable": False} for name in names[:5]}
    elements.update({name: {"step_direction": 1} for name in names[5:10]})
    actions = gx.ActionSet.from_gam(gam).with_features(elements)
    X = rows(gam, n, seed=3)
    gx.explain(gam, X[:10], queries="responsiveness", actions=actions)  # tables, once
    base, _ = best(lambda: floor(gam, X))
    seconds, result = best(
        lambda: gx.explain(gam, X, queries="responsiveness", actions=actions), repeat=2
    )
    counts = result.counts()["responsiveness"]
    sample = X[: max(single // 4, 10)]
    started = time.perf_counter()
    for x in sample:
        gx.responsiveness_scores(gam, list(x), actions)
    per_row = (time.perf_counter() - started) / len(sample)
    checked, ok = best(lambda: result.verify(gam), repeat=1)
    print(f"responsiveness, {n} rows; floor {base:.3f} s; batch {seconds:.3f} s "
          f"({seconds / base:.1f}x floor); paths {counts}; 1 by 1 {per_row * 1e3:.2f} ms/row "
          f"(speed-up {per_row * n / seconds:.0f}x); verify {checked:.3f} s "
          f"({checked / seconds:.2f}x the batch) verify={ok}")  # fmt: skip
    seconds, result = best(lambda: gx.explain(gam, X, queries="fixed", actions=actions), repeat=2)
    counts = result.counts()["fixed"]
    started = time.perf_counter()
    for x in sample:
        gx.is_fixed(gam, list(x), actions)
    per_row = (time.perf_counter() - started) / len(sample)
    checked, ok = best(lambda: result.verify(gam), repeat=1)
    print(f"fixed, {n} rows; batch {seconds:.3f} s ({seconds / base:.1f}x floor); paths "
          f"{counts}; 1 by 1 {per_row * 1e3:.2f} ms/row (speed-up {per_row * n / seconds:.0f}x); "
          f"verify {checked:.3f} s ({checked / seconds:.2f}x the batch) verify={ok}")  # fmt: skip


def spline_kernels(n: int, single: int) -> None:
    """The reason kernels on ``n`` rows of a spline pipeline on breast_cancer (curved
    features, irrational extremes) against the numpy floor and the single-row queries."""
    import warnings

    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_pipeline(StandardScaler(), SplineTransformer(), LogisticRegression())
        gam = gx.from_fitted(model.fit(X, y))
    R = rows(gam, n, seed=4)
    kept = list(gam.feature_names[:10])
    started = time.perf_counter()
    gx.explain(gam, R[:10], queries=("csr", "msr", "minimal", "mcr"), S=kept).verify(gam)
    print(f"spline pipeline on breast_cancer, {n} rows; per-model enclosures of the "
          f"extremes (kernel and verify, once): {time.perf_counter() - started:.1f} s")  # fmt: skip
    base, _ = best(lambda: floor(gam, R))
    singles = {
        "csr": lambda x: gx.is_sufficient_reason(gam, x, kept),
        "msr": lambda x: gx.minimum_sufficient_reason(gam, x),
        "minimal": lambda x: gx.minimal_sufficient_reason(gam, x),
        "mcr": lambda x: gx.minimum_contrastive_reason(gam, x),
        # attributions of the score: double-double values with a rigorous bound, the
        # rows it cannot certify as the nearest float redone exactly
        "shap": lambda x: gx.shap_values(gam, x),
        "banzhaf": lambda x: gx.banzhaf_values(gam, x),
    }
    print(f"numpy floor (contributions + argsort): {base:.3f} s")
    for query, ask in singles.items():
        seconds, result = best(lambda q=query: gx.explain(gam, R, queries=(q,), S=kept), repeat=2)
        checked, ok = best(lambda r=result: r.verify(gam), repeat=1)
        counts = next(iter(result.counts().values()))
        sample = R[: max(single // 40, 3)]
        started = time.perf_counter()
        for x in sample:
            ask(list(x))
        per_row = (time.perf_counter() - started) / len(sample)
        print(f"spline {query:<8} {seconds:>7.3f} s  {seconds / base:>6.1f}x floor  "
              f"verify {checked / seconds:>5.2f}x  paths {counts}  1 by 1 "
              f"{per_row * 1e3:>7.1f} ms/row  speed-up {per_row * n / seconds:>6.0f}x  "
              f"verify={ok}")  # fmt: skip


def multiclass_kernels(n: int, single: int) -> None:
    """The multiclass kernels on ``n`` rows of a wine EBM against the numpy floor of its
    K class scores and against the single-row multiclass queries."""
    import warnings

    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True, as_frame=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = ExplainableBoostingClassifier(
            outer_bags=2, max_rounds=150, interactions=0, random_state=0
        ).fit(X, y)
    gam = gx.from_ebm(ebm)
    R = rows(gam, n, seed=2)
    kept = list(gam.feature_names[:6])
    # the per-model tables of the kernels and of verify, once
    gx.explain(gam, R[:10], queries=("csr", "minimal", "mcr", "shap"), S=kept).verify(gam)

    def multi_floor() -> Any:
        return [floor(model, R) for model in gam.scores]

    base, _ = best(multi_floor)
    print(f"wine EBM ({gam.n_classes} classes, {gam.n_features} features), {n} rows; numpy "
          f"floor (K class contributions + argsort): {base:.3f} s")  # fmt: skip
    singles = {
        "csr": lambda x: gx.is_sufficient_reason(gam, x, kept),
        "minimal": lambda x: gx.minimal_sufficient_reason(gam, x),
        "mcr": lambda x: gx.minimum_contrastive_reason(gam, x),
        "shap": lambda x: gx.shap_values(gam, x),
    }
    for query, ask in singles.items():
        seconds, result = best(lambda q=query: gx.explain(gam, R, queries=(q,), S=kept))
        checked, ok = best(lambda r=result: r.verify(gam), repeat=1)
        counts = next(iter(result.counts().values()))
        sample = R[: max(single // 4, 10)]
        started = time.perf_counter()
        for x in sample:
            ask(list(x))
        per_row = (time.perf_counter() - started) / len(sample)
        print(f"multiclass {query:<8} {seconds:>7.3f} s  {seconds / base:>6.1f}x floor  "
              f"verify {checked / seconds:>5.2f}x  exact rows {counts['exact']:>5}  "
              f"1 by 1 {per_row * 1e3:>7.2f} ms/row  speed-up {per_row * n / seconds:>6.0f}x  "
              f"verify={ok}")  # fmt: skip


def parquet_memory(gam: Any, n: int) -> None:
    """Peak resident memory of streaming ``n`` rows of Parquet through MSR in chunks."""
    import resource
    import tempfile
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq

    from gamexplain.queries.distributed import explain_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        with pq.ParquetWriter(path, pa.schema([(c, pa.float64()) for c in gam.feature_names])) as w:
            for start in range(0, n, 500_000):
                chunk = rows(gam, min(500_000, n - start), seed=start)
                w.write_table(pa.table(dict(zip(gam.feature_names, chunk.T, strict=True))))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        summary = explain_file(gam, path, queries=("msr",), out=Path(tmp) / "out.parquet")
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"parquet, {n} rows in chunks: {seconds:.1f} s ({n / seconds:,.0f} rows/s), "
            f"peak RSS {peak / 1024:.0f} MB (before {before / 1024:.0f} MB); "
            f"{summary.exact_path_rows} exact-path rows, {len(summary.failures)} failures"
        )


if __name__ == "__main__":
    main()
