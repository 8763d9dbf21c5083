"""Out-of-range rows on the default pair EBM, and the first multiclass query's clock.

Run: ``python benchmarks/bench_out_of_range.py [--baseline DIR]``.

In a fresh process per tree (this one and, with ``--baseline``, another copy of the
package: a directory holding ``gamexplain/``, e.g. ``git archive <commit> gamexplain |
tar -x -C DIR``), one after the other in the same run:

- **out of range**: on the default breast-cancer EBM (``/work/models/bc_default_ebm.json``,
  30 features, 90 pair terms) after ``minimum_contrastive_reason`` and
  ``minimum_sufficient_reason`` on the first in-range held-out row (the cell tables are
  built there), the seconds of each on every held-out row outside the training range
  (each gets a widened model, :meth:`GAM.covering`), and whether each verifies;
- **multiclass clock**: an ``ExplainableBoostingClassifier(outer_bags=2, max_rounds=300,
  interactions=3, random_state=0)`` on scikit-learn's wine (fitted once and cached in
  ``--wine``), the first ``is_sufficient_reason`` (two features) after ``load`` with
  ``time_limit`` 0.1, 0.5 and none: the outcome, and its wall and CPU seconds (the wall
  clock counts waits for a core on a loaded machine).

Nothing is asserted; the figures are measured.

Measured on the shared 2-core machine (loaded by other jobs), baseline = main at
df133a0, the six out-of-range rows (12, 66, 67, 81, 105, 109), all exact and verified
either way: ``minimum_contrastive_reason`` 6.47 → 1.42 s in all (1.53 → 0.23 s on row
12), ``minimum_sufficient_reason`` 0.81 → 0.71 s in all. The widened model used to
rebuild every feature's cell tables on both the solver and the checker side and
re-validate all 90 pair terms; it now rebuilds only the widened features' tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

MODEL = "/work/models/bc_default_ebm.json"
DATA = "/work/models/bc_test.csv"

_CHILD = r"""
import json, os, sys, time
import pandas as pd
import gamexplain as gx
from gamexplain.model.covering import beyond
model, data, wine = sys.argv[1:4]
out = {}
gam = gx.load(model)
X = pd.read_csv(data)
far = [r for r in range(len(X)) if beyond(gam, gam.instance(X.iloc[r]))]
near = next(r for r in range(len(X)) if r not in far)
for query in (gx.minimum_contrastive_reason, gx.minimum_sufficient_reason):
    query(gam, X.iloc[near])
rows = []
for r in far:
    row = {"row": r}
    for name, query in (("mcr", gx.minimum_contrastive_reason),
                        ("msr", gx.minimum_sufficient_reason)):
        start = time.perf_counter()
        result = query(gam, X.iloc[r])
        row[name] = time.perf_counter() - start
        row[name + "_ok"] = bool(result.exact and result.verify(gam))
    rows.append(row)
out["rows"] = rows
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
Xw, yw = load_wine(return_X_y=True, as_frame=True)
Xtr, Xte, ytr, _ = train_test_split(Xw, yw, test_size=0.2, random_state=0)
x = Xte.iloc[0]
first = []
for limit in (0.1, 0.5, None):
    many = gx.load(wine)
    start, cpu = time.monotonic(), time.process_time()
    try:
        gx.is_sufficient_reason(many, x, [0, 1], time_limit=limit)
        outcome = "answered"
    except gx.TimeLimitError:
        outcome = "TimeLimitError"
    wall, cpu = time.monotonic() - start, time.process_time() - cpu
    first.append({"limit": limit, "outcome": outcome, "wall": wall, "cpu": cpu})
out["wine"] = first
print(json.dumps(out))
"""


def _wine(path: str) -> None:
    if os.path.exists(path):
        return
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    import gamexplain as gx

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=300, interactions=3, random_state=0
    ).fit(X_train, y_train)
    gx.dump(gx.from_ebm(ebm), path)


def _measure(tree: str, model: str, data: str, wine: str) -> dict:
    env = {**os.environ, "PYTHONPATH": tree}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, model, data, wine],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )  # fmt: skip  (cwd: ``-c`` puts the working directory first on sys.path)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a directory holding another gamexplain/")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--wine", default="/tmp/gamexplain_bench_wine_ebm.json")
    args = parser.parse_args()
    _wine(args.wine)
    here = str(Path(__file__).resolve().parent.parent)
    trees = [("this tree", here)] + ([("baseline", args.baseline)] if args.baseline else [])
    found = {name: _measure(tree, args.model, args.data, args.wine) for name, tree in trees}
    for name, out in found.items():
        print(f"== {name}")
        for row in out["rows"]:
            mcr, msr = ("ok" if row[k] else "FAIL" for k in ("mcr_ok", "msr_ok"))
            print(f"row {row['row']:>3}: MCR {row['mcr']:.2f} s ({mcr})"
                  f"  MSR {row['msr']:.2f} s ({msr})")  # fmt: skip
        for item in out["wine"]:
            print(f"wine CSR time_limit={item['limit']}: {item['outcome']} "
                  f"after {item['wall']:.2f} s wall, {item['cpu']:.2f} s CPU")  # fmt: skip
    if args.baseline:
        for query in ("mcr", "msr"):
            base = sum(r[query] for r in found["baseline"]["rows"])
            mine = sum(r[query] for r in found["this tree"]["rows"])
            print(f"{query.upper()} on the out-of-range rows: {base:.2f} s -> {mine:.2f} s "
                  f"({base / mine:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
