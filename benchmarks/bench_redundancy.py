"""Feature redundancy on growing subset-sum models: partial sums vs CP-SAT vs brute force.

The model is the reduction of THEORY §4: x0 and m weighted binary features, threshold
T + 1; x0 is redundant iff no subset of the weights sums to T. Two targets per size: a
reachable sum (the first half of the weights) and that sum plus one (reachable or not;
the answer column says which), so both answers get timed. Every method runs on the same model in
the same process; brute force stops at its enumeration limit.

A second table (``--fitted``) measures fitted models (issue 16, item 1): the bundled
main-effects breast-cancer EBM, a pyGAM ``LogisticGAM`` and a scikit-learn spline pipeline
on breast_cancer (train_test_split(test_size=0.2, random_state=0)). For each it counts
the features decided and undecided, and the seconds per feature, *before* (the plan
without ``images``: partial sums, then CP-SAT where it applies) and *after* (``auto``,
which tries ``images`` first), in the same run. A "before" call runs in a child process
that is killed at twice its time limit, since summing algebraic extremes of cubic pieces
does not stop at the deadline; it then counts as undecided.

Run: ``python benchmarks/bench_redundancy.py [--max-m 24] [--bits 16]`` or
``python benchmarks/bench_redundancy.py --fitted [--limit 10] [--before-features 5]
[--pygam model.json] [--spline model.json]`` (JSON files written by ``gamexplain.dump``
skip the fitting: LogisticGAM takes minutes here).
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import random
import statistics
import time
from typing import Any

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, Table, is_redundant
from gamexplain.errors import UnsupportedQueryError


def subset_sum_gam(weights: list[int], target: int) -> GAM:
    feats = [Feature("x0", Finite([0, 1]), Table([0.0, 1.0]))]
    feats += [
        Feature(f"x{j + 1}", Finite([0, 1]), Table([0.0, float(a)])) for j, a in enumerate(weights)
    ]
    return GAM(feats, 0.0, Classification(float(target + 1)))


def run(gam: GAM, method: str) -> tuple[str, float, str]:
    start = time.perf_counter()
    try:
        result = is_redundant(gam, 0, method=method, time_limit=60.0)
    except UnsupportedQueryError:
        return "n/a", 0.0, ""
    seconds = time.perf_counter() - start
    answer = {True: "redundant", False: "flips"}[result.holds] if result.exact else result.status
    work = ", ".join(f"{k}={v}" for k, v in result.stats.work.items())
    return answer, seconds, work


# -- fitted models -------------------------------------------------------------------------------
def fitted_models(pygam_path: str | None, spline_path: str | None) -> dict[str, GAM]:
    models = {"EBM (main effects)": gx.load("breast_cancer_ebm")}
    if pygam_path and spline_path:
        models["pyGAM LogisticGAM"] = gx.load(pygam_path)
        models["spline pipeline"] = gx.load(spline_path)
        return models
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    if pygam_path:
        models["pyGAM LogisticGAM"] = gx.load(pygam_path)
    else:
        import pygam

        fitted = pygam.LogisticGAM(n_splines=10, max_iter=30).fit(X_train.values, y_train.values)
        models["pyGAM LogisticGAM"] = gx.from_pygam(fitted)
    if spline_path:
        models["spline pipeline"] = gx.load(spline_path)
    else:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import SplineTransformer

        pipeline = make_pipeline(SplineTransformer(), LogisticRegression(max_iter=5000))
        models["spline pipeline"] = gx.from_sklearn(pipeline.fit(X_train, y_train))
    return models


def before(gam: GAM, feature: int, limit: float) -> str:
    """The answer of the plan without ``images``: each algorithm in turn while the one
    before stops with a status it falls back on."""
    plan = gx.explain_plan(gam, "fr", feature=feature)
    result: Any = None
    for method in plan.order:
        if method == "images":
            continue
        result = is_redundant(gam, feature, method=method, time_limit=limit)
        if result.exact:
            break
    if result is None:
        return "no algorithm"
    return "decided" if result.exact else f"undecided ({result.status})"


def _child(gam: GAM, feature: int, limit: float, out: Any) -> None:
    out.put(before(gam, feature, limit))


def guarded_before(gam: GAM, feature: int, limit: float) -> tuple[str, float]:
    out: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=_child, args=(gam, feature, limit, out))
    start = time.perf_counter()
    child.start()
    try:
        answer = out.get(timeout=2 * limit + 5)
    except queue.Empty:
        answer = "undecided (killed past 2x the limit)"
    child.join(1)
    if child.is_alive():
        child.kill()
        child.join()
    return answer, time.perf_counter() - start


def fitted_table(args: argparse.Namespace) -> None:
    models = fitted_models(args.pygam, args.spline)
    print(f"{'model':>20} {'run':>7} {'features':>8} {'decided':>7} {'undecided':>9} "
          f"{'mean s':>8} {'max s':>8}  notes")  # fmt: skip
    for name, gam in models.items():
        rows = {}
        count = min(args.before_features, gam.n_features)
        found = [guarded_before(gam, i, args.limit) for i in range(count)]
        rows["before"] = (count, [a for a, _ in found], [s for _, s in found])
        answers, seconds, algorithms = [], [], set()
        for i in range(gam.n_features):
            start = time.perf_counter()
            result = is_redundant(gam, i, time_limit=args.limit)
            seconds.append(time.perf_counter() - start)
            answers.append("decided" if result.exact else f"undecided ({result.status})")
            algorithms.add(result.algorithm)
        rows["after"] = (gam.n_features, answers, seconds)
        for run, (n, found_answers, times) in rows.items():
            decided = sum(a == "decided" for a in found_answers)
            notes = sorted(set(found_answers) - {"decided"})
            if run == "after":
                notes.append("algorithms: " + ", ".join(sorted(algorithms)))
            print(
                f"{name:>20} {run:>7} {n:>8} {decided:>7} {n - decided:>9} "
                f"{statistics.mean(times):>8.3f} {max(times):>8.3f}  {'; '.join(notes)}"
            )
        before_mean = statistics.mean(rows["before"][2])
        after_mean = statistics.mean(rows["after"][2])
        print(f"{name:>20} before/after mean seconds per feature: {before_mean / after_mean:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-m", type=int, default=24)
    parser.add_argument("--bits", type=int, default=16)
    parser.add_argument("--fitted", action="store_true")
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--before-features", type=int, default=5)
    parser.add_argument("--pygam")
    parser.add_argument("--spline")
    args = parser.parse_args()
    if args.fitted:
        fitted_table(args)
        return
    rng = random.Random(0)
    print(f"{'m':>3} {'target':>8} {'method':>13} {'answer':>10} {'seconds':>9}  work")
    for m in range(4, args.max_m + 1, 4):
        weights = [rng.randrange(1, 2**args.bits) for _ in range(m)]
        half = sum(weights[: m // 2])
        for target in (half, half + 1):
            gam = subset_sum_gam(weights, target)
            for method in ("partial-sums", "cpsat", "brute"):
                answer, seconds, work = run(gam, method)
                print(f"{m:>3} {target:>8} {method:>13} {answer:>10} {seconds:>9.4f}  {work}")


if __name__ == "__main__":
    main()
