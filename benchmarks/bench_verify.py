"""What ``verify`` costs next to the query it checks (issue 16, item 3).

Run: ``python benchmarks/bench_verify.py [--rows 108] [--repeat 3] [--models ebm,spline,pairs]
[--pygam model.json] [--time-limit 10]``. For each model below, each query runs and then its
result's ``verify(gam)`` runs, both timed in the same process (best of ``--repeat``; the
first call, with cold caches, is shown too). The table gives the query's seconds,
verify's seconds and their ratio, whether the result verified and whether it is exact.

Models:

- ``ebm``: the bundled main-effects breast-cancer EBM (``gx.load("breast_cancer_ebm")``)
  and its demo instance;
- ``spline``: ``make_pipeline(SplineTransformer(), LogisticRegression())`` fitted on 80% of
  breast cancer (``train_test_split(..., test_size=0.2, random_state=0)``), its first
  held-out row; or a pyGAM ``LogisticGAM`` written with ``gamexplain.dump`` when
  ``--pygam`` names one (fitting it here takes minutes);
- ``pairs``: the bundled default EBM with 90 pair terms
  (``gx.load("breast_cancer_default_ebm")``), its demo instance (held-out row 13). Its
  reason queries run under ``--time-limit``; a stopped one is a bound (``exact`` False),
  and its verify checks the bound.

Queries: ``is_sufficient_reason`` (csr) of the minimum sufficient reason found below;
``minimum_sufficient_reason`` (msr), ``minimal_sufficient_reason`` (minimal),
``minimum_contrastive_reason`` (mcr) and its ``witness="nearest"`` (purely additive models
only); ``shap_values`` and ``banzhaf_values`` of the score (one row; SHAP also a batch of
``--rows`` rows near the instance); ``completion_fraction`` of the minimum sufficient
reason and of the empty set (polynomial where the free features are step functions: the
EBMs); ``is_redundant(method="images")`` of the first three features. ``--no-spline-reasons``
skips the reason queries on the spline model (they once overran ``time_limit`` there, in
sign decisions of algebraic extremes; integer brackets of the roots now decide them).

Every query runs with its default options (SHAP and completion: the model's stored
marginals). The ratios are measured, not asserted: the tests hold no timings.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import gamexplain as gx
from gamexplain.examples import demo_instance


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """The first call's seconds (cold caches), the fastest of ``repeat`` calls, and the
    last call's value."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - started)
    return times[0], min(times), value


def rows_near(gam: gx.GAM, x: tuple[Any, ...], n: int, seed: int = 0) -> np.ndarray:
    """``n`` rows that move each feature of x by up to 10% of its range (kept inside)."""
    rng = np.random.default_rng(seed)
    low = np.array([float(f.domain.low) for f in gam.features])  # type: ignore[union-attr]
    high = np.array([float(f.domain.high) for f in gam.features])  # type: ignore[union-attr]
    base = np.array(x, dtype=float)
    moves = rng.uniform(-0.1, 0.1, size=(n, len(base))) * (high - low)
    return np.clip(base + moves, low, high)


def spline_model(pygam_path: str | None) -> tuple[str, gx.GAM, tuple[Any, ...]]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    x = tuple(float(v) for v in X_test.iloc[0])
    if pygam_path:
        return "pyGAM LogisticGAM", gx.load(pygam_path), x
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    pipeline = make_pipeline(SplineTransformer(), LogisticRegression(max_iter=5000))
    return "spline pipeline", gx.from_sklearn(pipeline.fit(X_train, y_train)), x


def models(names: list[str], pygam_path: str | None) -> list[tuple[str, gx.GAM, tuple[Any, ...]]]:
    chosen = []
    for name in names:
        if name == "ebm":
            chosen.append(
                (
                    "EBM (main effects)",
                    gx.load("breast_cancer_ebm"),
                    demo_instance("breast_cancer_ebm"),
                )
            )
        elif name == "spline":
            chosen.append(spline_model(pygam_path))
        elif name == "pairs":
            chosen.append(
                (
                    "EBM (default, 90 pairs)",
                    gx.load("breast_cancer_default_ebm"),
                    demo_instance("breast_cancer_default_ebm"),
                )
            )
        else:
            raise SystemExit(f"unknown model {name!r}: choose from ebm, spline, pairs")
    return chosen


def queries(
    gam: gx.GAM, x: tuple[Any, ...], n_rows: int, limit: float, reasons: bool = True
) -> list[tuple[str, Callable[[], Any]]]:
    pairs = bool(gam.pairs)
    rows = rows_near(gam, x, n_rows)
    listed: list[tuple[str, Callable[[], Any]]] = []
    kept: list[str] = []
    if reasons:
        msr = gx.minimum_sufficient_reason(gam, x, time_limit=limit)
        kept = list(msr.features)
        listed += [
            ("csr", lambda: gx.is_sufficient_reason(gam, x, kept)),
            ("msr", lambda: gx.minimum_sufficient_reason(gam, x, time_limit=limit)),
            ("minimal", lambda: gx.minimal_sufficient_reason(gam, x, time_limit=limit)),
            ("mcr", lambda: gx.minimum_contrastive_reason(gam, x, time_limit=limit)),
        ]
    if reasons and not pairs:
        listed.append(
            (
                "mcr nearest",
                lambda: gx.minimum_contrastive_reason(gam, x, witness="nearest", time_limit=limit),
            )
        )
    listed += [
        ("shap score, 1 row", lambda: gx.shap_values(gam, x)),
        ("banzhaf score, 1 row", lambda: gx.banzhaf_values(gam, x)),
        (f"shap score, {n_rows} rows", lambda: gx.shap_values(gam, rows)),
    ]
    if kept and all(getattr(f.shape, "degree", 0) == 0 for f in gam.features):
        listed += [
            (
                f"completion, S = msr ({len(kept)})",
                lambda: gx.completion_fraction(gam, x, kept, time_limit=limit),
            ),
            ("completion, S = {}", lambda: gx.completion_fraction(gam, x, [], time_limit=limit)),
        ]
    if not pairs:
        for i in range(3):
            listed.append(
                (f"fr images, feature {i}", lambda i=i: gx.is_redundant(gam, i, method="images"))
            )
    return listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=108)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--models", default="ebm,spline,pairs")
    parser.add_argument("--pygam", help="a pyGAM LogisticGAM written with gamexplain.dump")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument(
        "--no-spline-reasons",
        action="store_true",
        help="skip the reason queries on the spline model",
    )
    args = parser.parse_args()
    for title, gam, x in models(args.models.split(","), args.pygam):
        print(
            f"\n{title}: {gam.n_features} features, {len(gam.pairs)} pair terms; "
            f"seconds: first call / best of {args.repeat}"
        )
        print(f"{'query':<28} {'query s':>17} {'verify s':>17} {'ratio':>7}  verified  exact")
        reasons = not (args.no_spline_reasons and title.startswith(("spline", "pyGAM")))
        if not reasons:
            print("(reason queries skipped: --no-spline-reasons)")
        for name, call in queries(gam, x, args.rows, args.time_limit, reasons):
            try:
                q_first, q_best, result = timed(call, args.repeat)
            except gx.GamExplainError as error:
                print(f"{name:<28} {type(error).__name__}: {str(error)[:60]}")
                continue
            v_first, v_best, ok = timed(lambda r=result, g=gam: r.verify(g), args.repeat)
            print(
                f"{name:<28} {q_first:8.4f} / {q_best:6.4f} {v_first:8.4f} / {v_best:6.4f} "
                f"{v_best / q_best:7.1f}  {ok!s:>8}  {result.exact}",
                flush=True,
            )


if __name__ == "__main__":
    main()
