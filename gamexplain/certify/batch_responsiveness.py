"""Independent check of the responsiveness rows a vectorised kernel answered.

Re-derived from the model's parameters and the action set alone, per feature j and row:
the reachable range of x_j (domain, bounds, steps, direction; x + step checked exact by
TwoSum), the exact values of the feature's pieces in ascending order, and the row's
*cut*: how many of those values fail the target given the rest of the score (a float
with a rigorous error bound; a row whose rest lies within the bound of a piece value is
re-checked in Fractions). The share of the range meeting the target then depends only
on (range, cut, x's own piece when counting integers): it is computed once in Fractions
per distinct key and its nearest float must equal the shown score. "Fixed" is re-derived
as the score plus every feature's best gain over its range.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.certify.evaluate import contribution

__all__ = ["check_responsiveness_rows"]


class _Feature:
    """One feature's pieces: float cuts (outer ends open) and exact values."""

    def __init__(self, gam: Any, j: int) -> None:
        feature = gam.features[j]
        self.cuts = [Fraction(b) for b in feature.shape.breakpoints]
        self.integers = feature.domain.kind == "integers"
        # the value of each piece, re-derived at its left cut (pieces are right-continuous)
        self.values = [
            Fraction(contribution(gam, j, float(self.cuts[k]))) for k in range(len(self.cuts) - 1)
        ]

    def piece(self, v: Fraction) -> int:
        k = 0
        while k + 1 < len(self.cuts) - 1 and v >= self.cuts[k + 1]:
            k += 1
        return k

    def measure(self, low: Fraction, high: Fraction, keep: Any) -> Fraction:
        """The measure of the points of [low, high] in the pieces ``keep(k, value)`` accepts."""
        total = Fraction(0)
        n = len(self.values)
        for k, value in enumerate(self.values):
            if not keep(k, value):
                continue
            start = low if k == 0 else max(low, self.cuts[k])
            end = high if k == n - 1 else min(high, self.cuts[k + 1])
            if self.integers:
                first = -((-start.numerator) // start.denominator)
                last = end.numerator // end.denominator
                if k < n - 1 and end == self.cuts[k + 1] and last == end:
                    last -= 1  # a piece ends before its right cut
                total += max(last - first + 1, 0)
            elif end > start:
                total += end - start
        return total


def _range(actions: Any, j: int, x: Fraction) -> tuple[Fraction, Fraction] | None:
    action, domain = actions.features[j], actions.domains[j]
    if not action.actionable:
        return None
    low, high = Fraction(domain.low), Fraction(domain.high)
    if action.lb is not None:
        low = max(low, Fraction(action.lb))
    if action.ub is not None:
        high = min(high, Fraction(action.ub))
    if action.step_lb is not None:
        low = max(low, x + Fraction(action.step_lb))
    if action.step_ub is not None:
        high = min(high, x + Fraction(action.step_ub))
    if action.step_direction > 0:
        low = max(low, x)
    if action.step_direction < 0:
        high = min(high, x)
    if domain.kind == "integers":
        low = Fraction(-((-low.numerator) // low.denominator))
        high = Fraction(high.numerator // high.denominator)
    return (low, high) if low <= high else None


def _meets(sense: str, score: Fraction, level: Fraction) -> bool:
    return {">": score > level, ">=": score >= level, "<": score < level,
            "<=": score <= level}[sense]  # fmt: skip


def _target(gam: Any, x: list[Any], target: Any) -> tuple[str, Fraction]:
    score = Fraction(gam.intercept) + sum((Fraction(contribution(gam, i, v))
                                           for i, v in enumerate(x)), Fraction(0))  # fmt: skip
    if isinstance(target, tuple):
        return target[0], Fraction(target[1])
    task = gam.task
    if task.kind == "regression":
        return ">", score
    threshold = Fraction(task.threshold)
    label = int(score > threshold or (score == threshold and task.positive == ">="))
    wanted = 1 - label if target is None else int(target)
    if wanted == 1:
        return task.positive, threshold
    return ("<" if task.positive == ">=" else "<="), threshold


def row_exact(gam: Any, x: list[Any], actions: Any, target: Any,
              features: list[_Feature]) -> tuple[tuple[float, ...], bool]:  # fmt: skip
    """One row in Fractions: (nearest floats of the scores, fixed)."""
    sense, level = _target(gam, x, target)
    here = [Fraction(contribution(gam, i, v)) for i, v in enumerate(x)]
    score = Fraction(gam.intercept) + sum(here, Fraction(0))
    upward = sense in (">", ">=")
    scores, best = [], score
    for j, f in enumerate(features):
        span = _range(actions, j, Fraction(x[j]))
        rest = score - here[j]
        if span is None:
            scores.append(0.0)
            continue
        low, high = span
        hits = f.measure(low, high, lambda _, v, rest=rest: _meets(sense, rest + v, level))
        total = f.measure(low, high, lambda _, v: True)
        if f.integers and low <= Fraction(x[j]) <= high:
            total -= 1
            hits -= _meets(sense, score, level)
        scores.append(float(hits / total) if total else 0.0)
        if f.integers:
            reachable = [v for k, v in enumerate(f.values)
                         if f.measure(low, high, lambda i, _, k=k: i == k)]  # fmt: skip
        else:
            reachable = f.values[f.piece(low) : f.piece(high) + 1]
        top = max(reachable) if upward else min(reachable)
        gain = top - here[j]
        if (gain > 0 and upward) or (gain < 0 and not upward):
            best += gain
    return tuple(scores), not _meets(sense, best, level)


def check_responsiveness_rows(result: Any, answer: Any, gam: Any,
                              rows: NDArray[np.intp]) -> bool:  # fmt: skip
    """Whether the kernel rows ``rows`` show the exact scores and fixed flags."""
    actions, target = result.actions, result.target
    if actions is None or actions.constraints or gam.pairs:
        return False
    if any(len(c) > 1 for c in actions.components):
        return False
    features = [_Feature(gam, j) for j in range(gam.n_features)]
    memo: dict[tuple[Any, ...], tuple[tuple[float, ...], bool]] = {}
    for r in rows.tolist():
        x = [v.item() if isinstance(v, np.generic) else v for v in result.instances[r]]
        key = tuple(x)
        if key not in memo:
            memo[key] = row_exact(gam, x, actions, target, features)
        scores, fixed = memo[key]
        if not np.array_equal(answer.values[r], np.asarray(scores)):
            return False
        if bool(answer.holds[r]) != fixed:
            return False
    return True
