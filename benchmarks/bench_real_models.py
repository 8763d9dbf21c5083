"""Every query on the models people fit: default EBMs, pair terms included.

Run: ``python benchmarks/bench_real_models.py [--rows 100] [--models DIR] [--fit]``.

The two models are interpret's defaults, fitted the way the docs tell users to fit
theirs: ``ExplainableBoostingClassifier(random_state=0)`` on scikit-learn's breast-cancer
data and ``ExplainableBoostingRegressor(random_state=0)`` on its diabetes data, each on
an 80% split (``train_test_split(..., test_size=0.2, random_state=0)``). Fitting them
takes minutes on two cores, so ``--fit`` fits them once and saves them (with their
held-out rows) in ``--models`` as gamexplain JSON and CSV; later runs load those files.

For each model and query the table gives, over the first ``--rows`` held-out rows (rows
outside the training range included): the share answered exactly, the share answered
at all (exact or with certified bounds), and the median and 95th-percentile seconds.
For label SHAP and the completion fraction of the empty set it also gives the median
width of the certified bracket (the largest feature's, for SHAP) at a time limit of 1 s
and of 10 s. The issue's goals: MSR and MCR exact on every row with a median of at
most 1 s; SHAP of the score at most 50 ms a row; label SHAP and completion brackets at
most 0.01 wide within 10 s. Nothing here is asserted: the figures are measured.

``--redundancy`` times ``is_redundant`` on every feature of both models instead (answer,
exactness, algorithm, seconds to answer and to verify); ``--baseline-redundancy`` adds
the box proof of pair-boxes without its witness search, under the same time limit.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import gamexplain as gx
from gamexplain.algorithms import pair_fr_boxes

MODELS = {
    "breast_cancer": ("bc_default_ebm.json", "bc_test.csv"),
    "diabetes": ("diabetes_default_ebm.json", "diabetes_test.csv"),
}


def fit(directory: Path) -> None:
    """Fit both default EBMs and save them with their held-out rows."""
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.model_selection import train_test_split

    directory.mkdir(parents=True, exist_ok=True)
    for name, loader, estimator in [
        ("breast_cancer", load_breast_cancer, ExplainableBoostingClassifier),
        ("diabetes", load_diabetes, ExplainableBoostingRegressor),
    ]:
        X, y = loader(return_X_y=True, as_frame=True)
        train, test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
        started = time.perf_counter()
        ebm = estimator(random_state=0).fit(train, y_train)
        print(f"fitted {name} in {time.perf_counter() - started:.0f} s")
        model_file, rows_file = MODELS[name]
        gx.dump(gx.from_ebm(ebm), directory / model_file)
        test.to_csv(directory / rows_file, index=False)


TOLERANCE = 10.0
"""The regression model's band: a prediction is "the same" while the score stays within
10 of f(x) (diabetes progression scores run from 25 to 346, standard deviation 77); with
the adapters' default of 0 every sufficient reason would be every feature."""


def load(directory: Path, name: str) -> tuple[gx.GAM, Any]:
    import pandas as pd

    model_file, rows_file = MODELS[name]
    gam = gx.load(directory / model_file)
    if isinstance(gam.task, gx.Regression):
        gam = gx.GAM(gam.features, intercept=gam.intercept, pairs=gam.pairs,
                     task=gx.Regression(tolerance=TOLERANCE))  # fmt: skip
    return gam, pd.read_csv(directory / rows_file)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    try:
        value = call()
    except gx.GamExplainError as error:
        value = error
    return time.perf_counter() - started, value


def width(result: Any) -> float:
    if isinstance(result, Exception):
        return float("nan")
    return float(np.max(np.asarray(result.upper) - np.asarray(result.lower)))


def bracket(query: Callable[..., Any], gam: gx.GAM, x: Any, limit: float, **options: Any) -> Any:
    """The result of one label query at time limit ``limit``, or the error it raised."""
    return timed(lambda: query(gam, x, time_limit=limit, **options))[1]


def queries(limit: float) -> dict[str, Callable[[gx.GAM, Any], Any]]:
    """The queries a user asks of one row, each with the time limit ``limit``."""

    def half(gam: gx.GAM) -> list[int]:
        return list(range(gam.n_features // 2))

    return {
        "csr (half the features)": lambda g, x: gx.is_sufficient_reason(
            g, x, half(g), time_limit=limit
        ),
        "msr": lambda g, x: gx.minimum_sufficient_reason(g, x, time_limit=limit),
        "minimal-sr": lambda g, x: gx.minimal_sufficient_reason(g, x, time_limit=limit),
        "mcr": lambda g, x: gx.minimum_contrastive_reason(g, x, time_limit=limit),
        # the previous algorithm, the baseline of the branch and bound (thm:pairs-size-bound)
        "msr (hitting-set)": lambda g, x: gx.minimum_sufficient_reason(
            g, x, time_limit=limit, method="hitting-set"
        ),
        "mcr (hitting-set)": lambda g, x: gx.minimum_contrastive_reason(
            g, x, time_limit=limit, method="hitting-set"
        ),
        "shap (score)": lambda g, x: gx.shap_values(g, x, time_limit=limit),
        "shap (label)": lambda g, x: gx.shap_values(g, x, output="label", time_limit=limit),
        "cc (S = {})": lambda g, x: gx.completion_fraction(g, x, [], time_limit=limit),
    }


def answered(result: Any) -> tuple[bool, bool]:
    """(exact, answered at all) for a result or the error a query raised."""
    if isinstance(result, Exception):
        return False, False
    return bool(result.exact), True


def report(
    name: str,
    gam: gx.GAM,
    rows: Any,
    n_rows: int,
    limit: float,
    only: list[str] | None = None,
    baselines: bool = True,
) -> None:
    label = isinstance(gam.task, gx.Classification)
    print(f"\n{name}: {gam.n_features} features, {len(gam.pairs)} pair terms, "
          f"{n_rows} held-out rows, time limit {limit} s")  # fmt: skip
    print(f"{'query':26} {'exact':>6} {'answered':>9} {'median s':>9} {'p95 s':>8}")
    medians: dict[str, float] = {}
    for query, call in queries(limit).items():
        if not label and query in ("shap (label)", "cc (S = {})"):
            continue
        if only is not None and query.split(" (")[0] not in only:
            continue
        if not baselines and query.endswith("(hitting-set)"):
            continue
        seconds, flags = [], []
        for i in range(n_rows):
            x = rows.iloc[i]
            spent, result = timed(lambda: call(gam, x))  # noqa: B023 (called at once)
            seconds.append(spent)
            flags.append(answered(result))
        exact = sum(f[0] for f in flags) / n_rows
        some = sum(f[1] for f in flags) / n_rows
        p95 = float(np.percentile(seconds, 95))
        medians[query] = statistics.median(seconds)
        print(f"{query:26} {exact:6.0%} {some:9.0%} {statistics.median(seconds):9.3f} "
              f"{p95:8.3f}")  # fmt: skip
    for query in ("msr", "mcr"):
        baseline = medians.get(f"{query} (hitting-set)")
        if baseline and medians.get(query):
            print(f"{query}: median time of hitting sets / branch and bound = "
                  f"{baseline / medians[query]:.1f}")  # fmt: skip
    if label and (only is None or "shap" in only or "cc" in only):
        for budget in (1.0, 10.0):
            shap_widths, cc_widths = [], []
            for i in range(min(n_rows, 20)):
                x = rows.iloc[i]
                shap_widths.append(width(bracket(gx.shap_values, gam, x, budget, output="label")))
                cc_widths.append(width(bracket(gx.completion_fraction, gam, x, budget, S=[])))
            print(f"bracket width at {budget:4.0f} s (median of {len(shap_widths)} rows): "
                  f"label SHAP {np.nanmedian(shap_widths):.4f}, "
                  f"completion {np.nanmedian(cc_widths):.4f}")  # fmt: skip


def brackets(name: str, gam: gx.GAM, rows: Any, n_rows: int) -> None:
    """Only the certified brackets: median and worst width (and median seconds) at 1 s
    and 10 s. The completion fraction is timed twice on pair models: ``grid-convolution``
    (one additive split per pair term, the baseline) and ``grid-conditioning`` (the splits
    remade case by case, what "auto" runs), in the same run; label SHAP on pair models
    too, ``grid-convolution`` (what "auto" runs) against ``grid-conditioning`` (opt-in:
    below 30 s it hands the whole time to the plain grid)."""
    print(f"\n{name}: {gam.n_features} features, {len(gam.pairs)} pair terms, {n_rows} rows")
    asked: list[tuple[str, Callable[..., Any], dict[str, Any]]] = []
    if isinstance(gam.task, gx.Classification) and gam.pairs:
        # grid-conditioning is opt-in for label SHAP: timed against the plain grid here
        asked += [
            ("SHAP, grid-convolution", gx.shap_values,
             {"output": "label", "method": "grid-convolution"}),
            ("SHAP, grid-conditioning", gx.shap_values,
             {"output": "label", "method": "grid-conditioning"}),
        ]  # fmt: skip
    elif isinstance(gam.task, gx.Classification):
        asked.append(("label SHAP", gx.shap_values, {"output": "label"}))
    if gam.pairs:
        asked += [
            ("cc, grid-convolution", gx.completion_fraction,
             {"S": [], "method": "grid-convolution"}),
            ("cc, grid-conditioning", gx.completion_fraction,
             {"S": [], "method": "grid-conditioning"}),
        ]  # fmt: skip
    else:
        asked.append(("completion (S = {})", gx.completion_fraction, {"S": []}))
    for budget in (1.0, 10.0):
        medians: dict[str, float] = {}
        for title, query, options in asked:
            widths, seconds = [], []
            for i in range(n_rows):
                spent, result = timed(
                    lambda: query(gam, rows.iloc[i], time_limit=budget, **options)  # noqa: B023
                )
                widths.append(width(result))
                seconds.append(spent)
            medians[title] = float(np.nanmedian(widths))
            print(f"{title:22} at {budget:4.0f} s: median width {np.nanmedian(widths):.4f}, "
                  f"worst {np.nanmax(widths):.4f}, median {statistics.median(seconds):.2f} s")
        for query in ("SHAP", "cc"):
            before = medians.get(f"{query}, grid-convolution")
            after = medians.get(f"{query}, grid-conditioning")
            if before and after:
                print(f"{query} at {budget:4.0f} s: median width of grid-convolution / "
                      f"grid-conditioning = {before / after:.2f}")


def redundancy(name: str, gam: gx.GAM, limit: float, baseline: bool) -> None:
    """``is_redundant`` of every feature: the answer, whether it is exact, the algorithm,
    the seconds to answer and to verify. The baseline is pair-boxes without its witness
    search (the box proof alone), on the classifier, under the same time limit."""
    print(f"\n{name}: is_redundant of each of {gam.n_features} features "
          f"({len(gam.pairs)} pair terms), time limit {limit:g} s")  # fmt: skip
    spent, _ = timed(lambda: gx.is_redundant(gam, 0, time_limit=limit))
    print(f"first call (the model's layout and digest included): {spent:.2f} s")
    seconds, checks, ratios = [], [], []
    for j, feature in enumerate(gam.features):
        spent, result = timed(lambda: gx.is_redundant(gam, j, time_limit=limit))  # noqa: B023
        checked, ok = timed(lambda: result.verify(gam))  # noqa: B023
        seconds.append(spent)
        checks.append(checked)
        answer = "undecided" if result.status != "solved" else (
            "redundant" if result.holds else "not redundant")  # fmt: skip
        line = (f"{feature.name:24} {answer:13} exact={result.exact!s:5} "
                f"{result.algorithm:11} {spent * 1000:8.1f} ms  verify {checked * 1000:7.1f} ms "
                f"{'ok' if ok else 'REJECTED'}")  # fmt: skip
        if baseline and gam.task.kind == "classification":
            held = pair_fr_boxes.RESTARTS
            pair_fr_boxes.RESTARTS = 0
            try:
                alone, other = timed(lambda: gx.is_redundant(gam, j, time_limit=limit))  # noqa: B023
            finally:
                pair_fr_boxes.RESTARTS = held
            ratios.append(alone / spent)
            line += f"  | box proof alone: {other.status} in {alone:.2f} s"
        print(line)
    print(f"median {statistics.median(seconds) * 1000:.1f} ms, worst {max(seconds) * 1000:.1f} "
          f"ms; verify median {statistics.median(checks) * 1000:.1f} ms, worst "
          f"{max(checks) * 1000:.1f} ms")  # fmt: skip
    if ratios:
        print(f"box proof alone / pair-boxes: median ratio {statistics.median(ratios):.0f}x "
              "(a lower bound where the box proof alone ran out of time)")
    if gam.task.kind == "classification":
        silenced = without_effect(gam, 0)
        spent, result = timed(lambda: gx.is_redundant(silenced, 0, time_limit=limit))
        checked, ok = timed(lambda: result.verify(silenced))
        print(f"{gam.features[0].name} with its terms set to zero: {result.status}, "
              f"redundant={result.holds}, {result.stats.work}, {spent:.2f} s (layout and "
              f"digest of the new model included), verify {checked:.2f} s "
              f"{'ok' if ok else 'REJECTED'}")  # fmt: skip


def without_effect(gam: gx.GAM, i: int) -> gx.GAM:
    """The model with feature i's main effect and pair terms set to zero: a redundant
    feature of a real-sized model, for the proof side of pair-boxes."""
    features = list(gam.features)
    f = features[i]
    shape = gx.Piecewise(f.shape.breakpoints, [[0.0] for _ in f.shape.coefficients])
    features[i] = gx.Feature(f.name, f.domain, shape, f.weight, f.distribution)
    pairs = [gx.PairTerm(p.features, p.edges, [[0.0 for _ in row] for row in p.values])
             if i in p.features else p for p in gam.pairs]  # fmt: skip
    return gx.GAM(features, gam.intercept, gam.task, pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--models", type=Path, default=Path("/work/models"))
    parser.add_argument("--fit", action="store_true", help="fit and save the models first")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--only", choices=sorted(MODELS), default=None)
    parser.add_argument("--brackets", action="store_true",
                        help="only the label SHAP and completion brackets, on the default "
                        "and the main-effects breast-cancer EBMs and the diabetes EBM")  # fmt: skip
    parser.add_argument(
        "--queries",
        nargs="*",
        default=None,
        help="the queries to time (e.g. msr mcr; a name covers its baseline rows too)",
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip the hitting-set baseline rows"
    )
    parser.add_argument("--redundancy", action="store_true",
                        help="only is_redundant of every feature of the two default EBMs; "
                        "with --baseline-redundancy also the box proof alone")  # fmt: skip
    parser.add_argument("--baseline-redundancy", action="store_true")
    parser.add_argument("--pair-models", action="store_true",
                        help="with --brackets, only the two default EBMs (pair terms)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.redundancy:
        for name in MODELS:
            if not args.only or name == args.only:
                gam = load(args.models, name)[0]
                redundancy(name, gam, args.time_limit, args.baseline_redundancy)
        return
    if args.brackets:
        gam, rows = load(args.models, "breast_cancer")
        names = ["breast_cancer_default_ebm"] + ([] if args.pair_models else ["breast_cancer_ebm"])
        for name in names:
            if args.only in (None, "breast_cancer"):
                brackets(name, gx.load(name), rows, min(args.rows, len(rows)))
        if args.only in (None, "diabetes"):
            gam, rows = load(args.models, "diabetes")
            brackets("diabetes (tolerance 10)", gam, rows, min(args.rows, len(rows)))
        return
    if args.fit:
        fit(args.models)
    for name in MODELS:
        if args.only and name != args.only:
            continue
        gam, rows = load(args.models, name)
        report(name, gam, rows, min(args.rows, len(rows)), args.time_limit, args.queries,
               not args.no_baselines)  # fmt: skip


if __name__ == "__main__":
    main()
