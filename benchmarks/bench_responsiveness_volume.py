"""Area-measured responsiveness (``coupled-volume``, thm:resp-coupled-volume) on the
bundled breast-cancer EBM: the exact count × area of a component coupling two of its
continuous features, against the sampling estimate a sampler of reachable points would
give, and the cost of ``verify``.

Run: ``python benchmarks/bench_responsiveness_volume.py``.

The six rows of the data set closest to the decision boundary are taken. Two features
of the 30 ("mean radius", "mean texture") are joined by an if-then ("a
radius above its value only with a texture at most its value") and may each move by a
bounded step; the other features are separable. For each held-out row, in the same
process: the exact scores (best of 3), ``verify`` once, and a Monte Carlo estimate of the
two coupled features' shares from S uniform points of the step box, each decided by the
definition and scored exactly (the baseline: what sampling gives in the same time
budget or with S points). Printed per row: exact time, verify time, sampling time, the
ratio, the exact share and the sampling error.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from typing import Any

import gamexplain as gx

FEATURES = ("mean radius", "mean texture")
SAMPLES = 2000


def setup() -> tuple[Any, list[tuple[Any, ...]]]:
    gam = gx.load("breast_cancer_ebm")
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    rows = [tuple(float(v) for v in data.data[k]) for k in (135, 40, 205, 396, 73, 297)]
    return gam, rows


def actions_for(gam: Any, x: tuple[Any, ...]) -> gx.ActionSet:
    r, t = (gam.index(name) for name in FEATURES)
    elements = {FEATURES[0]: {"step_lb": -3, "step_ub": 3},
                FEATURES[1]: {"step_lb": -4, "step_ub": 4}}  # fmt: skip
    actions = gx.ActionSet.from_gam(gam).with_features(elements)
    return actions.with_constraints(
        {"type": "IfThenConstraint", "if": [FEATURES[0], ">=", round(x[r], 1)],
         "then": [FEATURES[1], "<=", round(x[t], 1)]})  # fmt: skip


def sampled(gam: Any, x: tuple[Any, ...], actions: gx.ActionSet, target: Any) -> list[float]:
    """Shares of the two coupled features from SAMPLES uniform points of their step box."""
    rng = random.Random(0)
    r, t = (gam.index(name) for name in FEATURES)
    boxes = [(max(gam.features[i].domain.low, x[i] + lo), min(gam.features[i].domain.high,
                                                               x[i] + hi))
             for i, lo, hi in ((r, -3, 3), (t, -4, 4))]  # fmt: skip
    kept = hits = 0
    for _ in range(SAMPLES):
        point = list(x)
        point[r] = Fraction(rng.uniform(*boxes[0]))
        point[t] = Fraction(rng.uniform(*boxes[1]))
        if not actions.admits(x, point):
            continue
        kept += 1
        hits += target(gam.score_exact(point))
    return [hits / kept if kept else 0.0] * 2


def main() -> None:
    gam, rows = setup()
    r = gam.index(FEATURES[0])
    print(f"{'row':>4} {'exact s':>8} {'verify s':>9} {'sample s':>9} {'ratio':>7} "
          f"{'share':>8} {'sample err':>10}")  # fmt: skip
    for k, x in enumerate(rows):
        actions = actions_for(gam, x)
        best, result = float("inf"), None
        for _ in range(3):
            started = time.perf_counter()
            result = gx.responsiveness_scores(gam, x, actions)
            best = min(best, time.perf_counter() - started)
        assert result is not None and result.algorithm == "coupled-volume"
        started = time.perf_counter()
        ok = result.verify(gam)
        checked = time.perf_counter() - started
        label = gam.task.label_exact(gam.score_exact(gam.instance(x)))
        started = time.perf_counter()
        shares = sampled(gam, gam.instance(x), actions,
                         lambda s, label=label: gam.task.label_exact(s) != label)  # fmt: skip
        sampling = time.perf_counter() - started
        share = float(result.exact_scores[r])
        print(f"{k:>4} {best:>8.3f} {checked:>9.3f} {sampling:>9.3f} {sampling / best:>7.1f} "
              f"{share:>8.4f} {abs(shares[0] - share):>10.4f}  measure={result.measure[r]} "
              f"verified={ok}")  # fmt: skip


if __name__ == "__main__":
    main()
