"""Fixed toward a class of a multiclass model with linear pieces on real intervals
(``rival-lines``, thm:multiclass-fixed-lines): time of the decision and of its ``verify``.

Run: ``python benchmarks/bench_multiclass_lines.py``.

K classes over n interval features, each a piecewise-linear function with p pieces
(seeded random slopes); the decision toward every class and toward "another class" is
timed (best of 3), then its ``verify`` once. Before this algorithm such a model left
"fixed" undecided; the verify re-decides every choice of pieces by vertex enumeration,
a different method, so the ratio verify/solve shows what the Fourier–Motzkin elimination
saves.
"""

from __future__ import annotations

import itertools
import random
import time

import gamexplain as gx


def model(k: int, n: int, p: int, seed: int = 0) -> gx.MulticlassGAM:
    rng = random.Random(seed)
    cuts = [float(c) for c in range(p + 1)]
    scores = []
    for _ in range(k):
        feats = [gx.Feature(f"f{i}", gx.Interval(0, p),
                            gx.Piecewise(cuts, [[rng.uniform(-1, 1), rng.uniform(-1, 1)]
                                                for _ in range(p)]))
                 for i in range(n)]  # fmt: skip
        scores.append(gx.GAM(feats, rng.uniform(-1, 1), gx.Regression()))
    return gx.MulticlassGAM(gx.Multiclass([f"c{c}" for c in range(k)]), scores)


def main() -> None:
    print(f"{'K':>2} {'n':>2} {'p':>2} {'step':>5} {'target':>8} {'fixed':>6} {'solve s':>8} "
          f"{'verify s':>9} {'ratio':>6}")  # fmt: skip
    for k, n, p, step in itertools.product((3, 4), (2, 3), (3,), (1.0, 0.25)):
        gam = model(k, n, p)
        x = tuple(p / 2 for _ in range(n))
        actions = gx.ActionSet.from_gam(gam).with_features(
            {f"f{i}": {"step_lb": -step, "step_ub": step} for i in range(n)})
        for target in (None, *gam.classes):
            best, decision = float("inf"), None
            for _ in range(3):
                started = time.perf_counter()
                decision = gx.is_fixed(gam, x, actions, target=target)
                best = min(best, time.perf_counter() - started)
            assert decision is not None
            started = time.perf_counter()
            assert decision.verify(gam)
            checked = time.perf_counter() - started
            print(f"{k:>2} {n:>2} {p:>2} {step:>5} {target!s:>8} {decision.holds!s:>6} "
                  f"{best:>8.4f} {checked:>9.4f} {checked / best:>6.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
