"""Minimum recourse under an action set from data on real EBMs: time and verify time.

Run: ``python benchmarks/bench_recourse.py [rows]``.

- the bundled breast-cancer EBMs (main effects: ``component-knapsack``; default, 90 pair
  terms: ``pair-box``) with ``ActionSet.from_data`` on ``/work/models/bc_test.csv``
  (or the bundled data's rows when that file is absent), the first ``rows`` rows;
- a small wine EBM (``outer_bags=2, max_rounds=300, interactions=0``) toward each class
  and toward "any other class" (``class-frontier``), the first ``rows`` held-out rows.

Printed per model and target: the sizes, the median and largest solve time, the median
and largest verify time, and the share of results that verify.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import gamexplain as gx


def run(gam: Any, rows: Any, actions: Any, target: Any = None) -> str:
    solve, check, sizes, ok = [], [], [], 0
    for _, row in rows.iterrows():
        started = time.perf_counter()
        result = gx.minimum_recourse(gam, row, actions, target=target, time_limit=120)
        solve.append(time.perf_counter() - started)
        started = time.perf_counter()
        ok += bool(result.verify(gam))
        check.append(time.perf_counter() - started)
        sizes.append(result.size if result.exact else f"≤{result.size}")
    return (f"{result.algorithm}: sizes {sizes}; solve median {statistics.median(solve):.3f} s, "
            f"max {max(solve):.3f} s; verify median {statistics.median(check):.3f} s, "
            f"max {max(check):.3f} s; verified {ok}/{len(solve)}")  # fmt: skip


def main(rows: int) -> None:
    import pandas as pd

    path = Path("/work/models/bc_test.csv")
    for name in ("breast_cancer_ebm", "breast_cancer_default_ebm"):
        gam = gx.load(name)
        data = pd.read_csv(path) if path.exists() else None
        if data is None:
            from sklearn.datasets import load_breast_cancer

            data = load_breast_cancer(as_frame=True).data
        actions = gx.ActionSet.from_data(gam, data)
        print(name, run(gam, data.head(rows), actions), flush=True)
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = ExplainableBoostingClassifier(outer_bags=2, max_rounds=300, interactions=0,
                                        random_state=0).fit(X_train, y_train)  # fmt: skip
    gam = gx.from_ebm(ebm)
    actions = gx.ActionSet.from_data(gam, X_train)
    for target in (None, *gam.classes):
        print(f"wine toward {'any other class' if target is None else target}:",
              run(gam, X_test.head(rows), actions, target), flush=True)  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
