"""Multiclass completion fractions and label SHAP: the float grid (``rival-grid``) next to
the rational vector programme's coarse rounding (``rival-vectors``) at the same time.

Run: ``python benchmarks/bench_multiclass_grid.py [seconds ...]`` (default 1 10; about
ten minutes with 60 added). Fits EBMs on wine (three classes; outer_bags=2,
max_rounds=300, without pair terms and with three), then per time limit and query prints
the seconds spent, the median bracket width over the first rows of the held-out split
(for SHAP the median over the features) and the width ratio old / new. Every grid
answer is verified. The old programme
refuses pair terms; on those models only the grid's widths are shown.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from typing import Any

import gamexplain as gx

__all__ = ["main", "wine_models"]


def wine_models() -> tuple[dict[int, Any], Any]:
    """The two wine EBMs as gamexplain models (by number of pair terms) and the test rows."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    models = {}
    for pairs in (0, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ebm = ExplainableBoostingClassifier(
                outer_bags=2, max_rounds=300, interactions=pairs, random_state=0
            ).fit(X_train, y_train)
        models[pairs] = gx.from_ebm(ebm)
    return models, X_test


def _width(result: Any) -> float:
    width = result.upper - result.lower
    return float(width) if isinstance(width, float) else float(statistics.median(width))


def _run(gam: Any, x: Any, query: str, method: str, seconds: float) -> tuple[float, float, bool]:
    start = time.perf_counter()
    if query == "cc":
        result = gx.completion_fraction(gam, x, [], method=method, time_limit=seconds)
    else:
        result = gx.shap_values(gam, x, output="label", method=method, time_limit=seconds)
    spent = time.perf_counter() - start
    # the old programme's check refolds in rationals for minutes: only the grid's is timed
    return spent, _width(result), method == "rival-vectors" or result.verify(gam)


def main(argv: list[str]) -> None:
    limits = [float(v) for v in argv] or [1.0, 10.0]
    models, X_test = wine_models()
    rows = [X_test.iloc[r].to_dict() for r in range(2)]
    print("pairs  query  limit s | old s  old width | new s  new width | width old/new")
    for pairs, gam in models.items():
        for query in ("cc", "shap"):
            for seconds in limits:
                found = {}
                for method in ("rival-vectors", "rival-grid"):
                    if pairs and method == "rival-vectors":
                        continue
                    runs = [_run(gam, gam.instance(x), query, method, seconds) for x in rows]
                    assert all(ok for _, _, ok in runs)
                    found[method] = (statistics.median(s for s, _, _ in runs),
                                     statistics.median(w for _, w, _ in runs))  # fmt: skip
                new = found["rival-grid"]
                old = found.get("rival-vectors")
                left = f"{old[0]:5.1f}  {old[1]:9.4f}" if old else "    -          -"
                ratio = f"{old[1] / new[1]:.1f}x" if old else "-"
                print(f"{pairs:5d}  {query:5s}  {seconds:7.0f} | {left} | {new[0]:5.1f}  "
                      f"{new[1]:9.4f} | {ratio}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
