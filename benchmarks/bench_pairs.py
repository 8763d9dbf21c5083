"""Reason queries on EBMs with pair terms: per-row time, exactness and verify.

Run: ``python benchmarks/bench_pairs.py [--rows 20] [--time-limit 10] [--fit]
[--model PATH --test CSV ...]``. By default it loads the two default EBMs saved as
gamexplain JSON in ``/work/models`` (``bc_default_ebm.json`` with ``bc_test.csv``:
``ExplainableBoostingClassifier(random_state=0)`` on breast_cancer;
``diabetes_default_ebm.json`` with ``diabetes_test.csv``: ``ExplainableBoostingRegressor
(random_state=0)`` on diabetes; train_test_split(test_size=0.2, random_state=0)). With
``--fit`` it fits them here first (several minutes each) and saves them there.

For each model the first ``--rows`` held-out rows inside the model's domain are explained
by ``minimal_sufficient_reason``, ``minimum_sufficient_reason`` and
``minimum_contrastive_reason`` with ``time_limit``; per query the table gives the share
answered exactly, the median and 95th-percentile seconds, the median seconds of
``verify`` and how many verified (a query that raises, or a verify that refuses a
certificate too large to re-check, counts as not verified, with the error's name). The
one-time preparation of a model (its cells and signatures, every feature's exact
extremes, and its tables scaled exactly and rounded, shared by every row) is timed
apart. The figures are measured, not asserted: the tests hold no timings.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gamexplain as gx
from gamexplain.errors import GamExplainError

MODELS = Path("/work/models")
QUERIES: dict[str, Callable[..., Any]] = {
    "minimal": gx.minimal_sufficient_reason,
    "msr": gx.minimum_sufficient_reason,
    "mcr": gx.minimum_contrastive_reason,
}


def fit_defaults() -> None:
    """Fit and save the two default EBMs and their held-out rows."""
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.model_selection import train_test_split

    MODELS.mkdir(parents=True, exist_ok=True)
    for name, load, model in (
        ("bc", load_breast_cancer, ExplainableBoostingClassifier),
        ("diabetes", load_diabetes, ExplainableBoostingRegressor),
    ):
        X, y = load(return_X_y=True, as_frame=True)
        train, test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ebm = model(random_state=0).fit(train, y_train)
        gx.dump(gx.from_ebm(ebm), MODELS / f"{name}_default_ebm.json")
        test.to_csv(MODELS / f"{name}_test.csv", index=False)


def rows_of(gam: gx.GAM, path: Path, n: int) -> tuple[list[Any], int]:
    """The first ``n`` rows of the CSV inside the model's domain, and how many were not."""
    with path.open() as handle:
        reader = csv.reader(handle)
        header = next(reader)
        order = [header.index(name) for name in gam.feature_names]
        rows, outside = [], 0
        for line in reader:
            try:
                rows.append(gam.instance([float(line[k]) for k in order]))
            except GamExplainError:
                outside += 1
            if len(rows) == n:
                break
    return rows, outside


def run(gam: gx.GAM, rows: list[Any], time_limit: float) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for key, query in QUERIES.items():
        seconds, checks, exact, verified, refusals = [], [], 0, 0, set()
        for x in rows:
            started = time.perf_counter()
            try:
                result = query(gam, x, time_limit=time_limit)
            except GamExplainError as exc:  # e.g. no reason certified within the limit
                seconds.append(time.perf_counter() - started)
                refusals.add(f"query: {type(exc).__name__}: {str(exc)[:80]}")
                continue
            seconds.append(time.perf_counter() - started)
            exact += bool(result.exact)
            started = time.perf_counter()
            try:
                verified += bool(result.verify(gam))
            except GamExplainError as exc:
                refusals.add(type(exc).__name__)
            checks.append(time.perf_counter() - started)
        ordered = sorted(seconds)
        table[key] = {
            "exact": exact / len(rows),
            "median": statistics.median(seconds),
            "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            "verify": statistics.median(checks) if checks else float("nan"),
            "verified": verified,
            "refused": ",".join(sorted(refusals)) or "-",
        }
    return table


def report(name: str, gam: gx.GAM, rows: list[Any], outside: int, time_limit: float) -> None:
    from gamexplain.algorithms.pair_cells import paired, signatures
    from gamexplain.algorithms.pairwise import _scaled
    from gamexplain.substrate.primitives import contribution_max, contribution_min

    started = time.perf_counter()
    sizes = [len(signatures(gam, j, side)) for j in paired(gam) for side in ("min", "max")]
    for feature in gam.features:
        contribution_min(feature), contribution_max(feature)
    _scaled(gam)
    prepared = time.perf_counter() - started
    plan = gx.explain_plan(gam, "csr").algorithm
    print(f"\n{name}: {gam.n_features} features, {len(gam.pairs)} pair terms, "
          f"signatures per paired feature up to {max(sizes)}; preparation {prepared:.2f} s; "
          f"{len(rows)} rows ({outside} outside the domain skipped); "
          f"time_limit {time_limit:g} s; plan for csr: {plan}")  # fmt: skip
    print(f"{'query':8} {'exact':>6} {'median s':>9} {'p95 s':>7} {'verify s':>9} verified")
    for key, row in run(gam, rows, time_limit).items():
        checked = f"{row['verified']}/{len(rows)} (refused: {row['refused']})"
        print(f"{key:8} {row['exact']:6.0%} {row['median']:9.3f} {row['p95']:7.3f} "
              f"{row['verify']:9.3f} {checked}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--fit", action="store_true", help="fit and save the default EBMs")
    parser.add_argument("--model", action="append", default=[], help="a gamexplain JSON")
    parser.add_argument("--test", action="append", default=[], help="its held-out CSV")
    args = parser.parse_args()
    if args.fit:
        fit_defaults()
    pairs = list(zip(args.model, args.test, strict=True)) or [
        (MODELS / "bc_default_ebm.json", MODELS / "bc_test.csv"),
        (MODELS / "diabetes_default_ebm.json", MODELS / "diabetes_test.csv"),
    ]
    for model, test in pairs:
        gam = gx.load(model)
        rows, outside = rows_of(gam, Path(test), args.rows)
        report(Path(model).name, gam, rows, outside, args.time_limit)


if __name__ == "__main__":
    main()
