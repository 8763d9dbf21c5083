"""Redundancy on pair models where the answer used to be undecided, before and after.

Two tables, every row run before and after in the same process:

1. **Multiclass pair model** (thm:multiclass-fr-pair-boxes): a wine EBM
   (``ExplainableBoostingClassifier(outer_bags=2, max_rounds=300, interactions=3,
   random_state=0)``, train_test_split(test_size=0.2, random_state=0)) with one feature's
   main effect and pair terms zeroed in every class (so it is redundant), and scaled by
   1e-6. *Before*: ``method="multiclass-pair-search"`` (a witness or undecided); *after*:
   ``auto`` (``multiclass-pair-boxes``: a witness or a proof).
2. **Binary pair model, tiny effects** (thm:pairs-fr-boxes): the bundled default
   breast-cancer EBM (30 features, 90 pair terms) with one feature's main effect and pair
   terms scaled by 1e-3 or 1e-6. *Before*: ``pair-boxes`` without the joint move of four
   independent features (the coordinate descent alone); *after*: ``pair-boxes``.

Each row reports how many features were decided, the median and largest seconds per
feature (``time_limit`` per call) and the median ``verify`` seconds.

Run: ``python benchmarks/bench_redundancy_pairs.py [--limit 20] [--features 8]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

import gamexplain as gx
from gamexplain import GAM, MulticlassGAM, PairTerm, Piecewise
from gamexplain.algorithms import pair_fr_boxes


def scaled_gam(gam: GAM, i: int, factor: float) -> GAM:
    """The model with feature i's main effect and pair terms times ``factor``."""
    feature = gam.features[i]
    shape = feature.shape
    if isinstance(shape, Piecewise):
        shape = Piecewise(shape.breakpoints, [[c * factor for c in row]
                                              for row in shape.coefficients])  # fmt: skip
    else:
        shape = type(shape)([v * factor for v in shape.values])
    features = list(gam.features)
    features[i] = dataclasses.replace(feature, shape=shape)
    pairs = [PairTerm(p.features, p.edges, [[v * factor for v in row] for row in p.values])
             if i in p.features else p for p in gam.pairs]  # fmt: skip
    return GAM(features, gam.intercept, gam.task, pairs)


def scaled(model: Any, i: int, factor: float) -> Any:
    if isinstance(model, MulticlassGAM):
        return MulticlassGAM(model.task, [scaled_gam(g, i, factor) for g in model.scores])
    return scaled_gam(model, i, factor)


def wine() -> Any:
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = ExplainableBoostingClassifier(outer_bags=2, max_rounds=300, interactions=3,
                                        random_state=0).fit(X_train, y_train)  # fmt: skip
    return gx.from_ebm(ebm)


def measure(models: list[tuple[int, Any]], run: Callable[[Any, int], Any]) -> dict[str, Any]:
    seconds, checks, decided, held = [], [], 0, 0
    for i, model in models:
        start = time.perf_counter()
        result = run(model, i)
        seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert result.verify(model)
        checks.append(time.perf_counter() - start)
        decided += result.status == "solved"
        held += bool(result.holds)
    return {"decided": decided, "redundant": held, "n": len(models),
            "median": statistics.median(seconds), "max": max(seconds),
            "verify": statistics.median(checks)}  # fmt: skip


def _row(label: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    ratio = before["median"] / after["median"]
    return (f"| {label} | {before['decided']}/{before['n']} | {before['median']:.2f} / "
            f"{before['max']:.2f} | {after['decided']}/{after['n']} "
            f"({after['redundant']} redundant) | {after['median']:.2f} / {after['max']:.2f} | "
            f"{after['verify']:.3f} | {ratio:.1f}× |")  # fmt: skip


def _descent_only(model: Any, i: int, limit: float) -> Any:
    held = pair_fr_boxes._Flip.meet
    pair_fr_boxes._Flip.meet = lambda self, x, rng: None  # type: ignore[method-assign]
    try:
        return gx.is_redundant(model, i, method="pair-boxes", time_limit=limit)
    finally:
        pair_fr_boxes._Flip.meet = held  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=20.0)
    parser.add_argument("--features", type=int, default=8)
    args = parser.parse_args()
    limit = args.limit
    print("| model | before decided | before s median / max | after decided | after s "
          "median / max | verify s | median ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    gam = wine()
    for factor in (0.0, 1e-6):
        models = [(i, scaled(gam, i, factor)) for i in range(gam.n_features)]
        before = measure(models, lambda m, i: gx.is_redundant(
            m, i, method="multiclass-pair-search", time_limit=limit))  # fmt: skip
        after = measure(models, lambda m, i: gx.is_redundant(m, i, time_limit=limit))
        print(_row(f"wine EBM, one feature ×{factor:g}", before, after), flush=True)
    bc = gx.load("breast_cancer_default_ebm")
    picked = range(0, bc.n_features, max(1, bc.n_features // args.features))
    for factor in (1e-3, 1e-6):
        models = [(i, scaled(bc, i, factor)) for i in picked]
        before = measure(models, lambda m, i: _descent_only(m, i, limit))
        after = measure(models, lambda m, i: gx.is_redundant(m, i, method="pair-boxes",
                                                             time_limit=limit))  # fmt: skip
        print(_row(f"default BC EBM, one feature ×{factor:g}", before, after), flush=True)


if __name__ == "__main__":
    main()
