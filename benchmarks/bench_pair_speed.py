"""Speed on the default pair EBM: first query, pair-box recourse and fixed, nearest witness.

Run: ``python benchmarks/bench_pair_speed.py [--baseline DIR] [--rows 20] [--limit 10]``.

On the default breast-cancer EBM (30 features, 90 pair terms; ``/work/models/
bc_default_ebm.json`` or the bundled copy) and its held-out rows (``--data``), each
figure is measured in fresh processes, for this tree and, with ``--baseline``, for
another copy of the package (a directory holding ``gamexplain/``, e.g. ``git archive
<commit> gamexplain | tar -x -C DIR``), one after the other in the same run:

- **first query**: seconds of the first ``minimum_sufficient_reason``,
  ``minimum_contrastive_reason`` and ``is_sufficient_reason`` (half the features) on
  row 0 in a fresh process after ``load`` (the cell tables are built there), and of the
  same call again (the least of ``--repeat`` fresh processes, the trees alternating);
- **pair-box**: ``minimum_recourse`` under ``ActionSet.from_data`` of the rows, its
  ``verify``, and ``is_fixed`` under the same actions, per row: median and largest;
- **nearest**: ``minimum_contrastive_reason(witness="nearest", time_limit=--limit)``
  per row: the share proven (``exact``), the median and largest seconds, by size.

Nothing is asserted; the figures are measured.

Measured on the shared 2-core machine (load average 10–14 throughout, so the absolute
seconds are several times those of an idle machine), baseline = main at d9b9b00, 20
rows, time limit 10 s: first ``minimum_contrastive_reason`` 8.34 → 3.68 s (least of 2
fresh processes each), ``is_sufficient_reason`` 5.91 → 3.12 s,
``minimum_sufficient_reason`` 15.45 → 12.70 s (heaviest load); pair-box recourse
median 0.57 → 0.25 s (largest, the first row's table build, 9.18 → 5.00 s), its verify
median 0.27 → 0.14 s, ``is_fixed`` median 2.62 → 0.04 s (2.94 → 0.16 s largest),
all 20/20 verified either way; nearest proven on 14 → 16 of 20 rows, median 2.45 →
1.06 s a row (still stopped at 10 s: rows 4, 8 of size 4 and 9, 12 of size 5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

MODEL = "/work/models/bc_default_ebm.json"
DATA = "/work/models/bc_test.csv"

_CHILD = r"""
import json, sys, time
import pandas as pd
import gamexplain as gx
task, model, data = sys.argv[1:4]
rows, limit = int(sys.argv[4]), float(sys.argv[5])
gam = gx.load(model) if model.endswith(".json") else gx.load("breast_cancer_default_ebm")
table = pd.read_csv(data)
out = {}
def timed(call):
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value
if task.startswith("first-"):
    x = tuple(float(v) for v in table.iloc[0])
    half = list(range(gam.n_features // 2))
    call = {"first-msr": lambda: gx.minimum_sufficient_reason(gam, x),
            "first-mcr": lambda: gx.minimum_contrastive_reason(gam, x),
            "first-suff": lambda: gx.is_sufficient_reason(gam, x, half)}[task]
    out["first"], _ = timed(call)
    out["again"], _ = timed(call)
elif task == "box":
    actions = gx.ActionSet.from_data(gam, table)
    out["solve"], out["verify"], out["fixed"], out["ok"], out["algorithms"] = [], [], [], 0, []
    for _, row in table.head(rows).iterrows():
        t, result = timed(lambda: gx.minimum_recourse(gam, row, actions, time_limit=120))
        v, ok = timed(lambda: result.verify(gam))
        f, fixed = timed(lambda: gx.is_fixed(gam, row, actions))
        out["solve"].append(t); out["verify"].append(v); out["fixed"].append(f)
        out["ok"] += bool(ok) and bool(fixed.verify(gam))
        out["algorithms"].append(result.algorithm + "/" + fixed.algorithm)
elif task == "nearest":
    out["rows"] = []
    for k in range(rows):
        x = tuple(float(v) for v in table.iloc[k])
        t, r = timed(lambda: gx.minimum_contrastive_reason(gam, x, witness="nearest",
                                                           time_limit=limit))
        out["rows"].append((k, r.size, bool(r.exact), t))
print(json.dumps(out))
"""


def child(tree: Path, task: str, args: Any) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # run in the tree: ``-c`` puts the working directory first on the import path
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, task, args.model, args.data, str(args.rows),
         str(args.limit)],
        env=env, capture_output=True, text=True, check=True, cwd=tree,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--model", default=MODEL if Path(MODEL).exists() else "bundled")
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--only", default="first,box,nearest")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per first query")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    trees = [("after", here)] + ([("before", args.baseline)] if args.baseline else [])
    wanted = args.only.split(",")
    if "first" in wanted:
        for query in ("msr", "mcr", "suff"):
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in trees}
            for _ in range(args.repeat):  # alternating, so both see the same load
                for name, tree in trees:
                    runs[name].append(child(tree, f"first-{query}", args))
            for name, got in runs.items():
                first = [g["first"] for g in got]
                again = [g["again"] for g in got]
                print(f"first {query:<4} {name:<6}: first {min(first):.2f} s (least of "
                      f"{len(first)}; median {statistics.median(first):.2f}), again "
                      f"{min(again):.3f} s", flush=True)  # fmt: skip
    if "box" in wanted:
        for name, tree in trees:
            got = child(tree, "box", args)
            line = ", ".join(
                f"{key} median {statistics.median(got[key]):.2f} s max {max(got[key]):.2f} s"
                for key in ("solve", "verify", "fixed")
            )
            print(f"pair-box {name:<6}: {line}; verified {got['ok']}/{len(got['solve'])} "
                  f"({sorted(set(got['algorithms']))})", flush=True)  # fmt: skip
    if "nearest" in wanted:
        for name, tree in trees:
            got = child(tree, "nearest", args)
            rows = got["rows"]
            proven = [r for r in rows if r[2]]
            times = [r[3] for r in rows]
            stopped = [(r[0], r[1]) for r in rows if not r[2]]
            print(f"nearest  {name:<6}: proven {len(proven)}/{len(rows)}, median "
                  f"{statistics.median(times):.2f} s, max {max(times):.2f} s; unproven rows "
                  f"(row, size) {stopped}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
