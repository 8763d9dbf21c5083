"""Width of the certified brackets of label SHAP and completion fractions on real EBMs.

Run: ``python benchmarks/bench_label_shap.py [--model PATH] [--rows 20] [--limits 1 10]
[--baseline]``. The model is a gamexplain JSON file (default: the bundled main-effects
breast-cancer EBM); the rows are the held-out breast-cancer rows of
``train_test_split(test_size=0.2, random_state=0)`` that lie in the model's domains. For
each time limit the table gives, over the rows, the median and largest width of the
widest label-SHAP bracket of a row, the median width of ``completion_fraction(S=[])``,
the median seconds of each, and the share of rows within 0.01. With ``--baseline`` the
same runs with ``method="partial-sums"`` (the certified mode before the grid) give the
ratio of widths in the same process. Widths are measured, not asserted.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import gamexplain as gx
from gamexplain.errors import GamExplainError


def held_out_rows(gam: gx.GAM, count: int) -> list[tuple[Any, ...]]:
    """The first ``count`` held-out breast-cancer rows inside the model's domains."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    _, test = train_test_split(data.data, test_size=0.2, random_state=0)
    rows = []
    for values in test.to_numpy():
        try:
            rows.append(gam.instance([float(v) for v in values]))
        except GamExplainError:
            continue  # outside the training range: another issue's item
        if len(rows) == count:
            break
    return rows


def measure(gam: gx.GAM, rows: list[tuple[Any, ...]], limit: float, method: str) -> dict[str, Any]:
    shap_widths, shap_times, cc_widths, cc_times = [], [], [], []
    for x in rows:
        started = time.perf_counter()
        result = gx.shap_values(gam, x, output="label", time_limit=limit, method=method)
        shap_times.append(time.perf_counter() - started)
        shap_widths.append(float(np.max(result.upper - result.lower)))
        started = time.perf_counter()
        cc = gx.completion_fraction(gam, x, [], time_limit=limit, method=method)
        cc_times.append(time.perf_counter() - started)
        cc_widths.append(cc.upper - cc.lower)
    return {
        "shap_median": float(np.median(shap_widths)),
        "shap_max": float(np.max(shap_widths)),
        "shap_seconds": float(np.median(shap_times)),
        "shap_within": float(np.mean(np.array(shap_widths) <= 0.01)),
        "cc_median": float(np.median(cc_widths)),
        "cc_seconds": float(np.median(cc_times)),
        "cc_within": float(np.mean(np.array(cc_widths) <= 0.01)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="breast_cancer_ebm")
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    gam = gx.load(args.model)
    rows = held_out_rows(gam, args.rows)
    print(f"{args.model}: {gam.n_features} features, {len(gam.pairs)} pair terms, "
          f"{len(rows)} rows")  # fmt: skip
    header = (
        f"{'limit':>6} {'method':>17} {'shap med':>9} {'shap max':>9} {'≤0.01':>6} "
        f"{'s/row':>6} {'cc med':>9} {'≤0.01':>6} {'s/row':>6}"
    )
    print(header)
    for limit in args.limits:
        methods = ["auto", "partial-sums"] if args.baseline and not gam.pairs else ["auto"]
        found = {}
        for method in methods:
            r = found[method] = measure(gam, rows, limit, method)
            print(
                f"{limit:>6g} {method:>17} {r['shap_median']:>9.4f} {r['shap_max']:>9.4f} "
                f"{r['shap_within']:>6.0%} {r['shap_seconds']:>6.2f} {r['cc_median']:>9.4f} "
                f"{r['cc_within']:>6.0%} {r['cc_seconds']:>6.2f}",
                flush=True,
            )
        if len(found) == 2:
            ratio = found["partial-sums"]["shap_median"] / max(found["auto"]["shap_median"], 1e-12)
            print(f"{'':>6} partial-sums / auto median SHAP width: {ratio:.1f}x")


if __name__ == "__main__":
    main()
