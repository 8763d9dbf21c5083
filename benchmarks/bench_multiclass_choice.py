"""Multiclass redundancy and contrastive reasons toward a target class (the Lagrangian
branch and bound of :mod:`gamexplain.algorithms.multiclass_choice`).

Run: ``python benchmarks/bench_multiclass_choice.py`` (about a minute). Prints two tables:

1. An EBM on wine (three classes, no pair terms): seconds per feature of ``is_redundant``
   and of its ``verify``, next to binary FR on one rival model (score_pred − score_c, the
   question one pair of classes would be alone); seconds per row and target class of
   ``minimum_contrastive_reason(target=...)``, next to the default question (some other
   class wins, polynomial) on the same row.
2. Random three-class models with finite domains: both queries against brute force over
   every point (both exact; the ratio is brute / branch and bound). Redundant features
   come from models built so (``random_models(quiet=True)``): their proofs are the hard
   side.
"""

from __future__ import annotations

import itertools
import random
import time
import warnings
from typing import Any

import gamexplain as gx
from gamexplain import GAM, Feature, Finite, Multiclass, MulticlassGAM, Regression, Table
from gamexplain.model.multiclass import rival_model

__all__ = ["main", "random_models", "wine"]


def _timed(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def wine(rows: int = 3) -> None:
    """Seconds of FR per feature and of target reasons per class on a wine EBM."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = ExplainableBoostingClassifier(outer_bags=2, max_rounds=300, interactions=0,
                                            random_state=0).fit(X_train, y_train)  # fmt: skip
    gam = gx.from_ebm(ebm)
    gx.is_redundant(gam, 0)  # imports and caches, outside the timings
    rival = rival_model(gam, 0, 1)
    spent = checked = alone = 0.0
    for f in gam.feature_names:
        result, seconds = _timed(gx.is_redundant, gam, f)
        ok, verify_seconds = _timed(result.verify, gam)
        assert ok, f
        _, one = _timed(gx.is_redundant, rival, f)
        spent, checked, alone = spent + seconds, checked + verify_seconds, alone + one
    n = gam.n_features
    print("wine EBM (13 features, 3 classes)   seconds  verify s  baseline s  ratio")
    print(f"FR, mean per feature                {spent / n:7.3f}  {checked / n:8.3f}  "
          f"{alone / n:10.3f}  {spent / max(alone, 1e-9):5.1f}   (baseline: binary FR "
          "on the rival model of classes 0 and 1)")  # fmt: skip
    spent = checked = alone = 0.0
    for r in range(rows):
        x = X_test.iloc[r]
        for target in gam.classes:
            result, seconds = _timed(gx.minimum_contrastive_reason, gam, x, target=target)
            ok, verify_seconds = _timed(result.verify, gam)
            assert ok, (r, target)
            spent, checked = spent + seconds, checked + verify_seconds
        _, one = _timed(gx.minimum_contrastive_reason, gam, x)
        alone += one * gam.n_classes
    k = rows * gam.n_classes
    print(f"MCR toward a class, mean            {spent / k:7.3f}  {checked / k:8.3f}  "
          f"{alone / k:10.3f}  {spent / max(alone, 1e-9):5.1f}   (baseline: the default "
          "MCR, any other class)")  # fmt: skip


def random_models(n: int, values: int, seed: int, quiet: bool = False) -> MulticlassGAM:
    """Three classes over ``n`` finite features with small integer tables (ties occur).

    With ``quiet``, the intercepts are 0, 1/2 and 1/4 (no two classes ever tie: every
    score difference is an integer plus 1/2 or ±1/4) and feature x0 moves the scores by
    at most 1/8: x0 is redundant, and proving it needs the whole lattice of sums."""
    rng = random.Random(seed)
    domain = Finite(list(range(values)))

    def table(i: int) -> Table:
        if quiet and i == 0:
            return Table([rng.randint(-2, 2) / 16 for _ in range(values)])
        return Table([float(rng.randint(-3, 3)) for _ in range(values)])

    scores = [
        GAM([Feature(f"x{i}", domain, table(i)) for i in range(n)],
            (0.0, 0.5, 0.25)[c] if quiet else float(rng.randint(-2, 2)), Regression())
        for c in range(3)
    ]  # fmt: skip
    return MulticlassGAM(Multiclass(["a", "b", "c"]), scores)


def _brute_redundant(gam: MulticlassGAM, j: int) -> bool:
    axes = [f.domain.values for f in gam.features]
    for z in itertools.product(*axes):
        first = gam.predict_index(z)
        for v in axes[j]:
            if gam.predict_index((*z[:j], v, *z[j + 1:])) != first:
                return False
    return True


def _brute_target(gam: MulticlassGAM, x: tuple[Any, ...], t: int) -> int | None:
    axes = [f.domain.values for f in gam.features]
    best = None
    for z in itertools.product(*axes):
        if gam.predict_index(z) == t:
            size = sum(a != b for a, b in zip(z, x, strict=True))
            best = size if best is None else min(best, size)
    return best


def _random_table() -> None:
    print("\nrandom 3-class models, 3 values a feature: seconds per question, brute / ours")
    print("n   FR redundant: ours  brute  ratio | FR not: ours  brute  ratio | "
          "target: ours  brute  ratio")
    for n in (4, 6, 8):
        times: dict[bool, list[float]] = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}
        mcr = mcr_brute = 0.0
        for seed in range(3):
            gam = random_models(n, 3, seed)
            quiet = random_models(n, 3, seed, quiet=True)
            for model, j in [*((gam, j) for j in range(n)), (quiet, 0)]:
                result, seconds = _timed(gx.is_redundant, model, j)
                truth, brute = _timed(_brute_redundant, model, j)
                assert bool(result) == truth
                bucket = times[truth]
                bucket[0], bucket[1], bucket[2] = bucket[0] + seconds, bucket[1] + brute, \
                    bucket[2] + 1
            x = tuple(0 for _ in range(n))
            reason, found = _timed(gx.minimum_contrastive_reason, gam, x, target="c")
            size, searched = _timed(_brute_target, gam, x, 2)
            assert reason.size == size
            mcr, mcr_brute = mcr + found, mcr_brute + searched
        cells = []
        for truth in (True, False):
            ours, brute, count = times[truth]
            cells.append(f"{ours / max(count, 1):8.4f} {brute / max(count, 1):6.4f} "
                         f"{brute / max(ours, 1e-9):6.1f}" if count else f"{'—':>22}")
        print(f"{n:<3} {cells[0]:>24} | {cells[1]:>20} | {mcr / 3:12.4f} {mcr_brute / 3:6.3f} "
              f"{mcr_brute / mcr:6.1f}")  # fmt: skip


def main() -> None:
    wine()
    _random_table()


if __name__ == "__main__":
    main()
