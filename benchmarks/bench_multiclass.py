"""Multiclass queries: their cost next to the binary queries they decompose into, and the
exact minimum sufficient reason (implicit hitting sets) next to brute force.

Run: ``python benchmarks/bench_multiclass.py`` (about a minute). Prints two tables:

1. An EBM on wine (three classes; without and with pair terms): per query the seconds
   of the multiclass answer and of its ``verify``, and the ratio to the same query on one
   rival model (score_pred − score_c), the binary question it repeats K − 1 times.
2. Random three-class models with finite domains (partition-like, from the lab's
   reduction): MSR by implicit hitting sets against brute force over every subset in
   size order (both exact; the ratio is brute / hitting sets).
"""

from __future__ import annotations

import itertools
import sys
import time
import warnings
from typing import Any

import gamexplain as gx
from gamexplain.lab.generators import generate
from gamexplain.model.multiclass import rival_model

__all__ = ["hitting_sets_vs_brute", "main", "wine_queries"]


def _timed(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def wine_queries(rows: int = 3) -> None:
    """Seconds per multiclass query on wine EBMs, and the ratio to one rival's query."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    queries = {
        "csr": lambda g, x: gx.is_sufficient_reason(g, x, list(X.columns[:6])),
        "minimal-sr": gx.minimal_sufficient_reason,
        "msr": gx.minimum_sufficient_reason,
        "mcr": gx.minimum_contrastive_reason,
        "shap-score": gx.shap_values,
    }
    print("model          query       multiclass s  verify s  one rival s  ratio")
    for interactions in (0, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ebm = ExplainableBoostingClassifier(
                outer_bags=2, max_rounds=150, interactions=interactions, random_state=0
            ).fit(X_train, y_train)
        gam = gx.from_ebm(ebm)
        name = f"wine, {interactions} pairs"
        for query, ask in queries.items():
            spent = checked = alone = 0.0
            for r in range(rows):
                x = gam.instance(X_test.iloc[r])
                result, seconds = _timed(ask, gam, x)
                ok, verify_seconds = _timed(result.verify, gam)
                assert ok, (query, r)
                model = gam.covering(x)
                p = model.predict_index(x)
                rival = rival_model(model, p, (p + 1) % gam.n_classes)
                binary = rival if query != "shap-score" else gam.scores[p]
                _, one = _timed(ask, binary, x)
                spent, checked, alone = spent + seconds, checked + verify_seconds, alone + one
            print(f"{name:<14} {query:<11} {spent / rows:>12.3f}  {checked / rows:>8.3f}  "
                  f"{alone / rows:>11.3f}  {spent / max(alone, 1e-9):>5.1f}")  # fmt: skip


def _brute_minimum(gam: Any, x: Any) -> int:
    for size in range(gam.n_features + 1):
        for S in itertools.combinations(range(gam.n_features), size):
            if gx.is_sufficient_reason(gam, x, list(S)):
                return size
    return gam.n_features


def hitting_sets_vs_brute(sizes: tuple[int, ...] = (4, 6, 8, 10)) -> None:
    """MSR on three-class partition instances: hitting sets against brute force."""
    print("\nfeatures  minimum  hitting-set s  brute s  ratio")
    for n in sizes:
        regression, x, _ = generate("msr", "finite", "table", "regression", n=n, seed=n)
        from gamexplain.lab.reductions import regression_to_multiclass

        gam, point = regression_to_multiclass(regression, x)
        found, fast = _timed(gx.minimum_sufficient_reason, gam, point)
        best, slow = _timed(_brute_minimum, gam, point)
        assert found.size == best and found.verify(gam)
        print(f"{n:>8}  {best:>7}  {fast:>13.3f}  {slow:>7.3f}  {slow / fast:>5.1f}")


def main(argv: list[str]) -> None:
    if not argv or "wine" in argv:
        wine_queries()
    if not argv or "msr" in argv:
        hitting_sets_vs_brute()


if __name__ == "__main__":
    main(sys.argv[1:])
