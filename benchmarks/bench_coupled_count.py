"""Coupled responsiveness components: counting the widest member by level sets
(``coupled-last``, thm:resp-coupled-last) against enumerating every joint point.

Run: ``python benchmarks/bench_coupled_count.py``.

One component: years of employment (0..5, only up) linked to a count-like feature over
0..N that also moves on its own, and a switch that gates years. For each N both
algorithms run in the same process on the same row: ``method="coupled-last"`` and the
enumeration of the brute-force reference (``method="brute"``, skipped past its point
limit). Printed: N, both times, their ratio, and whether the counts agree exactly.
"""

from __future__ import annotations

import time
from typing import Any

from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Integers,
    Piecewise,
    responsiveness_scores,
)
from gamexplain.algorithms.responsiveness import BRUTE_POINTS


def model(high: int) -> tuple[GAM, ActionSet]:
    feats = [
        Feature("years", Integers(0, 5), Piecewise([0, 3, 6], [[0.0], [0.5]])),
        Feature("count", Integers(0, high), Piecewise([0, 24, high + 1], [[-1.0], [1.0]])),
        Feature("switch", Finite((0, 1)), Piecewise([0, 1, 2], [[0.0], [0.0]])),
    ]
    gam = GAM(feats, task=Classification(0.0))
    actions = ActionSet.from_gam(gam, years={"step_direction": 1})
    actions = actions.with_constraints(
        {"type": "DirectionalLinkage", "names": ["years", "count"], "scales": [3]},
        {"type": "MutabilitySwitch", "names": ["switch", "years"], "on_value": 1},
    )
    return gam, actions


def timed(gam: GAM, x: Any, actions: ActionSet, method: str) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(3):
        started = time.perf_counter()
        result = responsiveness_scores(gam, x, actions, method=method)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    print(f"{'N':>15} {'coupled-last s':>15} {'enumeration s':>14} {'ratio':>8}  agree")
    for high in (1_000, 10_000, 30_000, 2**40):
        gam, actions = model(high)
        x = (0, 20, 1)
        fast, result = timed(gam, x, actions, "coupled-last")
        assert result.exact and result.verify(gam)
        if 6 * 2 * (high + 1) <= BRUTE_POINTS:
            slow, reference = timed(gam, x, actions, "brute")
            agree = (result.reachable, result.reaching) == (reference.reachable,
                                                            reference.reaching)  # fmt: skip
            print(f"{high:>15} {fast:>15.5f} {slow:>14.4f} {slow / fast:>8.0f}  {agree}")
        else:
            print(f"{high:>15} {fast:>15.5f} {'(too many)':>14} {'':>8}  -")


if __name__ == "__main__":
    main()
