"""Nearest against extreme counterfactual witnesses on the breast-cancer EBM.

Run: ``python benchmarks/bench_nearest.py [--rows 20]``. For the first ``--rows`` rows
of scikit-learn's breast-cancer data (every feature clipped into the bundled EBM's
domain), ``minimum_contrastive_reason`` runs with ``witness="extreme"`` (the baseline)
and ``witness="nearest"``, and each result's ``verify(gam)`` runs, all in one process.
Per row the table gives the reason's size, the L1 distance of each witness in units of
each feature's range (``gamexplain.model.distance``), their ratio, and the seconds of
the four calls; the last line sums them. The figures are measured, not asserted.

Measured on the shared 2-core machine (20 rows, load about 10): the nearest witness is
0.26–0.76 times as far as the extreme one (median about 0.5). Nearest takes 0.11–0.97 s
a row (4.4 s in all, against 0.15 s for the extreme witnesses) and its verify 0.22–1.8 s
(9.4 s in all, against 0.94 s), the slowest rows being those whose reason changes 5 or 6
features. Before both searches ran on integers over a common denominator the figures
were 9.3 s and 21 s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any

import gamexplain as gx
from gamexplain.examples import example_path
from gamexplain.model.distance import feature_distance


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def distance(gam: gx.GAM, x: tuple[Any, ...], z: tuple[Any, ...]) -> Fraction:
    parts = zip(gam.features, z, x, strict=True)
    return sum((feature_distance(f.domain, a, b) for f, a, b in parts), Fraction(0))


def rows(gam: gx.GAM, n: int) -> list[tuple[float, ...]]:
    from sklearn.datasets import load_breast_cancer

    X = load_breast_cancer().data[:n]
    ends = [(f.domain.low, f.domain.high) for f in gam.features]  # type: ignore[union-attr]
    clip = [[min(max(float(v), lo), hi) for v, (lo, hi) in zip(r, ends, strict=True)] for r in X]
    return [tuple(r) for r in clip]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20)
    args = parser.parse_args()
    gam = gx.load(example_path("breast_cancer_ebm"))
    print(f"{'row':>3} {'size':>4} {'extreme':>8} {'nearest':>8} {'ratio':>6} "
          f"{'t_ext':>7} {'t_near':>7} {'v_ext':>7} {'v_near':>7}")  # fmt: skip
    totals = [0.0] * 4
    for k, x in enumerate(rows(gam, args.rows)):
        mcr = gx.minimum_contrastive_reason
        t_ext, extreme = timed(partial(mcr, gam, x))
        t_near, near = timed(partial(mcr, gam, x, witness="nearest"))
        v_ext, ok_ext = timed(partial(extreme.verify, gam))
        v_near, ok_near = timed(partial(near.verify, gam))
        assert ok_ext and ok_near, k
        if extreme.witness is None:
            print(f"{k:>3}    - (no contrastive reason)")
            continue
        d_ext = float(distance(gam, x, extreme.witness))
        d_near = float(near.distance)
        for i, t in enumerate((t_ext, t_near, v_ext, v_near)):
            totals[i] += t
        print(f"{k:>3} {near.size:>4} {d_ext:8.3f} {d_near:8.3f} {d_near / d_ext:6.3f} "
              f"{t_ext:7.3f} {t_near:7.3f} {v_ext:7.3f} {v_near:7.3f}")  # fmt: skip
    print("total seconds: extreme {:.2f}, nearest {:.2f}, verify extreme {:.2f}, "
          "verify nearest {:.2f}".format(*totals))  # fmt: skip


if __name__ == "__main__":
    main()
