"""What ``verify`` costs next to the query it checks, on the polynomial cells.

Run: ``python benchmarks/bench_verify.py [--rows 108] [--repeat 3]``. On the bundled
breast-cancer EBM (``gamexplain.examples``, its demo instance), each query below runs and
then its result's ``verify(gam)`` runs, both timed in the same process (best of
``--repeat``; the first call, with cold caches, is shown too). The table gives the
query's seconds, verify's seconds and their ratio:

- ``is_sufficient_reason`` (csr) of the minimum sufficient reason found below;
- ``minimum_sufficient_reason`` (msr), ``minimum_contrastive_reason`` (mcr),
  ``minimal_sufficient_reason`` (minimal);
- ``shap_values`` of the score, one instance and a batch of ``--rows`` rows;
- ``completion_fraction`` of the minimum sufficient reason (its free features are
  step functions, so the partial sums are finite) and of the empty set.

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
from gamexplain.examples import demo_instance, example_path

NAME = "breast_cancer_ebm"


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


def queries(gam: gx.GAM, x: tuple[Any, ...], n_rows: int) -> list[tuple[str, Callable[[], Any]]]:
    msr = gx.minimum_sufficient_reason(gam, x)
    kept = list(msr.features)
    rows = rows_near(gam, x, n_rows)
    return [
        ("csr", lambda: gx.is_sufficient_reason(gam, x, kept)),
        ("msr", lambda: gx.minimum_sufficient_reason(gam, x)),
        ("mcr", lambda: gx.minimum_contrastive_reason(gam, x)),
        ("minimal", lambda: gx.minimal_sufficient_reason(gam, x)),
        ("shap score, 1 row", lambda: gx.shap_values(gam, x)),
        (f"shap score, {n_rows} rows", lambda: gx.shap_values(gam, rows)),
        (f"completion, S = msr ({len(kept)})", lambda: gx.completion_fraction(gam, x, kept)),
        ("completion, S = {}", lambda: gx.completion_fraction(gam, x, [])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=108)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gam = gx.load(example_path(NAME))
    x = demo_instance(NAME)
    print(f"{NAME}: {gam.n_features} features; seconds: first call / best of {args.repeat}")
    print(f"{'query':<28} {'query s':>16} {'verify s':>16} {'ratio (best)':>13}  verified  exact")
    for name, call in queries(gam, x, args.rows):
        q_first, q_best, result = timed(call, args.repeat)
        v_first, v_best, ok = timed(lambda r=result: r.verify(gam), args.repeat)
        print(
            f"{name:<28} {q_first:7.4f} / {q_best:6.4f} {v_first:7.4f} / {v_best:6.4f} "
            f"{v_best / q_best:13.1f}  {ok!s:>8}  {result.exact}"
        )


if __name__ == "__main__":
    main()
