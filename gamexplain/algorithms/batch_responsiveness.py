"""A vectorised kernel for responsiveness of separable features (``thm:resp-separable``).

On a main-effects model of step functions over numeric domains, under an action set
whose every feature is alone in its component (no constraints), the responsiveness of
feature j at x is the measure of {v in R_j(x), v ≠ x_j : score(x with v) meets the
target} over the measure of R_j(x) minus x_j, where R_j(x) is the range the feature
reaches by its own action (bounds, steps, direction; :func:`gamexplain.substrate.reach.
own_range`). Changing x_j to v moves the score by a_j(v) − a_j(x_j), so each piece k of
a_j meets the target or not as a whole: the piece's value c_k against the row's
threshold. The kernel decides those comparisons for every row and piece in numpy:

* the sums are floats over correctly rounded inputs with the rigorous bound of
  :meth:`~gamexplain.algorithms.batch_kernels.RowBatch.bound` (Higham §3.1); a comparison
  within the bound of zero leaves its row ``unknown``;
* the measures are integer counts (exact in floats below 2^53) or lengths, differences
  of float ends; every subtraction and addition of a length is checked exact with
  Knuth's TwoSum (the rounding error of a + b is itself a float, zero iff the sum is
  exact), and a row where one is not is ``unknown``. With exact numerator and
  denominator, IEEE division rounds the quotient correctly, so the score equals the
  float of the single-row exact Fraction;
* the default regression target (a higher score than f(x)) compares a_j(v) with
  a_j(x_j) alone, decided on the exact ranks of the pieces' values.

"Fixed" separates over single-feature components (``thm:fixed-separates``): the best
score over R(x) is the score plus every feature's best gain over its range. The
``fixed`` kernel runs that walk alone, without the shares.

The caller (:func:`gamexplain.explain`) redoes ``unknown`` rows with the single-row
query and counts them on the exact path.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.batch_kernels import (
    KernelOutput,
    RowBatch,
    discrete_reason,
    gamma,
    register_batch_kernel,
)
from gamexplain.model.domains import Finite, Integers
from gamexplain.model.task import Classification

__all__ = ["action_reason", "fixed_batch", "responsiveness_batch"]

_SAFE = 2.0**52
"""Integer measures stay below this, so their float sums are exact."""


def _float_exact(value: Any) -> bool:
    return value is None or Fraction(float(value)) == Fraction(value)


def action_reason(gam: Any, actions: Any) -> str | None:
    """None when the kernel answers ``gam`` under ``actions``, else why rows go one by one."""
    why = discrete_reason(gam)
    if why is not None:
        return why
    for feature in gam.features:
        domain = feature.domain
        if isinstance(domain, Finite):
            return f"feature {feature.name!r} has a finite domain (its values are enumerated)"
        if not (_float_exact(domain.low) and _float_exact(domain.high)):
            return f"the domain of feature {feature.name!r} does not end at floats"
        if isinstance(domain, Integers) and max(abs(domain.low), abs(domain.high)) >= _SAFE:
            return f"the integer domain of feature {feature.name!r} exceeds 2^52"
    if actions.constraints:
        return "the action set has constraints (their components are counted jointly)"
    for name, action in zip(actions.names, actions.features, strict=True):
        if action.reachable is not None:
            return f"feature {name!r} lists reachable values"
        if not all(_float_exact(v) for v in (action.lb, action.ub, action.step_lb,
                                               action.step_ub)):  # fmt: skip
            return f"the action bounds of feature {name!r} are not floats"
    return None


def _lengths(
    cuts: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64],
    reach: NDArray[np.bool_], meeting: NDArray[np.bool_],
) -> NDArray[np.float64]:  # fmt: skip
    """Per row, the float nearest the exact share of [low, high] covered by its meeting
    pieces: lengths are differences of floats, summed as Fractions once per distinct
    (range, meeting pieces) — rows with the same range and a threshold between the same
    two piece values share one."""
    out = np.zeros(len(low))
    wide = reach & (high > low)
    # floats first: where every length, their running sum and the range's length are
    # exact (TwoSum), IEEE division rounds the exact quotient correctly
    first = np.maximum(low[:, None], cuts[None, :-1])
    last = np.minimum(high[:, None], cuts[None, 1:])
    size, exact = _two_sum(last, -first)
    counted = meeting & (last > first)
    fine = (exact | ~counted).all(axis=1)
    hits = np.zeros(len(low))
    for column, use in zip(size.T, counted.T, strict=True):
        hits, ok = _two_sum(hits, np.where(use, column, 0.0))
        fine &= ok
    total, ok = _two_sum(high, -low)
    fine &= ok & wide
    out[fine] = hits[fine] / total[fine]
    live = np.flatnonzero(wide & ~fine)
    if not len(live):
        return out
    # the key: the range's ends and the meeting pieces as bits of 64-bit words, sorted
    chosen = meeting[live]
    words = [
        (chosen[:, k : k + 64].astype(np.uint64) << np.arange(
            min(64, chosen.shape[1] - k), dtype=np.uint64)).sum(axis=1, dtype=np.uint64)
        for k in range(0, chosen.shape[1], 64)
    ]  # fmt: skip
    columns = [*words, high[live], low[live]]
    order = np.lexsort(columns)
    change = np.zeros(len(live), dtype=bool)
    change[0] = True
    for column in columns:
        ordered = column[order]
        change[1:] |= ordered[1:] != ordered[:-1]
    group = np.cumsum(change) - 1
    inverse = np.empty(len(live), dtype=np.intp)
    inverse[order] = group
    first = order[change]
    distinct = first
    shares = np.empty(len(distinct))
    exact_cuts = [Fraction(float(e)) if np.isfinite(e) else None for e in cuts]
    for u, r in enumerate(live[first].tolist()):
        lo, hi = Fraction(float(low[r])), Fraction(float(high[r]))
        covered = Fraction(0)
        for k in np.flatnonzero(meeting[r]).tolist():
            left, right = exact_cuts[k], exact_cuts[k + 1]
            start = lo if left is None else max(lo, left)
            end = hi if right is None else min(hi, right)
            if end > start:
                covered += end - start
        shares[u] = float(covered / (hi - lo))
    out[live] = shares[inverse]
    return out


def _two_sum(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[Any, Any]:
    """(a + b rounded, whether the rounding was exact) — Knuth's TwoSum."""
    s = a + b
    bb = s - a
    err = (a - (s - bb)) + (b - bb)
    return s, err == 0


@lru_cache(maxsize=32)
def _tables(gam: Any) -> tuple[tuple[NDArray[np.float64], ...], tuple[NDArray[np.int64], ...]]:
    """Per feature, its piece edges (outermost extended to ±∞) and the exact rank of each
    piece's value among that feature's values."""
    edges, ranks = [], []
    for feature in gam.features:
        cuts = np.array(feature.shape.breakpoints, dtype=float)
        cuts[0], cuts[-1] = -np.inf, np.inf
        edges.append(cuts)
        beta = Fraction(feature.weight)
        values = [beta * Fraction(row[0]) for row in feature.shape.coefficients]
        order = {v: k for k, v in enumerate(sorted(set(values)))}
        ranks.append(np.array([order[v] for v in values], dtype=np.int64))
    return tuple(edges), tuple(ranks)


def _ranges(
    actions: Any, j: int, x: NDArray[np.float64], integers: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """(low, high, exact) of every row's reachable range of feature j (floats; ``exact``
    False where x + step rounded)."""
    action, domain = actions.features[j], actions.domains[j]
    n = len(x)
    low = np.full(n, float(domain.low))
    high = np.full(n, float(domain.high))
    exact = np.ones(n, dtype=bool)
    if action.lb is not None:
        low = np.maximum(low, float(action.lb))
    if action.ub is not None:
        high = np.minimum(high, float(action.ub))
    for step, up in ((action.step_lb, False), (action.step_ub, True)):
        if step is None:
            continue
        end, ok = _two_sum(x, np.full(n, float(step)))
        exact &= ok
        low, high = (low, np.minimum(high, end)) if up else (np.maximum(low, end), high)
    if action.step_direction > 0:
        low = np.maximum(low, x)
    if action.step_direction < 0:
        high = np.minimum(high, x)
    if integers:
        low, high = np.ceil(low), np.floor(high)
    if not action.actionable:
        low, high = np.ones(n), np.zeros(n)
    return low, high, exact


def _target(rows: RowBatch, target: Any) -> tuple[NDArray[np.bool_], float | None, Any]:
    """(upward per row, the float of intercept − level or None for the default regression
    target, the exact level or None)."""
    gam = rows.levels.gam
    task = gam.task
    n = len(rows.level)
    if isinstance(target, tuple):
        level = Fraction(target[1])
        upward = np.full(n, target[0] in (">=", ">"))
        return upward, float(Fraction(gam.intercept) - level), (target[0], level)
    if not isinstance(task, Classification):
        return np.ones(n, dtype=bool), None, None
    assert rows.prediction is not None
    wanted = 1 - rows.prediction if target is None else np.full(n, int(target))
    offset = float(Fraction(gam.intercept) - task.threshold_exact)
    return wanted == 1, offset, None


@register_batch_kernel(
    "responsiveness", "batch-separable-responsiveness",
    summary="every feature alone in its action-set component: per row and piece of a "
            "step function, whether the piece meets the target (floats with a rigorous "
            "bound, measures checked exact by TwoSum), and 'fixed' from each feature's "
            "best gain over its range",
    theorem="thm:resp-separable",
)  # fmt: skip
def responsiveness_batch(
    rows: RowBatch, *, columns: list[NDArray[Any]], actions: Any, target: Any = None,
    **options: Any,
) -> KernelOutput:  # fmt: skip
    """Responsiveness scores and fixed predictions of many rows (see the module notes).

    Notes
    -----
    O(n·L) for n rows and L pieces of all features, after O(L log L) exact work per
    model (``thm:resp-separable``, ``thm:fixed-separates``).
    """
    return _walk(rows, columns, actions, target, shares=True)


@register_batch_kernel(
    "fixed", "batch-separable-fixed",
    summary="every feature alone in its action-set component: the best score over the "
            "reachable box is the score plus each feature's best gain over its own range "
            "(floats with a rigorous bound; a row within it of the threshold is redone "
            "exactly)",
    theorem="thm:fixed-separates",
)  # fmt: skip
def fixed_batch(
    rows: RowBatch, *, columns: list[NDArray[Any]], actions: Any, target: Any = None,
    **options: Any,
) -> KernelOutput:  # fmt: skip
    """Whether each row's prediction is fixed under a separable action set.

    Notes
    -----
    The best reachable score separates over single-feature components
    (``thm:fixed-separates``): per feature the best piece value over its range, O(n·L)
    for n rows and L pieces of all features.
    """
    return _walk(rows, columns, actions, target, shares=False)


def _walk(
    rows: RowBatch, columns: list[NDArray[Any]], actions: Any, target: Any, shares: bool
) -> KernelOutput:
    """Every feature's range per row: the shares meeting the target (when ``shares``)
    and each feature's best gain, summed into "fixed"."""
    levels = rows.levels
    n, p = rows.level.shape
    edges, ranks = _tables(levels.gam)
    upward, offset, _ = _target(rows, target)
    sign = np.where(upward, 1.0, -1.0)
    contributions = rows.gather(levels.contrib)
    # a classifier's default target is the other class: a row near the threshold is unsure
    unknown = rows.unsure.copy()
    total = magnitude = np.zeros(n)
    if offset is not None:
        # a comparison is decided away from zero only, so > and >= (< and <=) agree there
        # d(v) = offset + Σ a_i(x_i) − a_j(x_j) + a_j(v): its sign decides "v meets"
        total = offset + contributions.sum(axis=1)
        magnitude = abs(offset) + np.abs(contributions).sum(axis=1)
    values = np.zeros((n, p)) if shares else None
    gain = np.zeros(n)
    gain_magnitude = np.zeros(n)
    gained = np.zeros(n, dtype=bool)
    for j in range(p):
        x = np.asarray(columns[j], dtype=float)
        integers = isinstance(actions.domains[j], Integers)
        low, high, exact = _ranges(actions, j, x, integers)
        unknown |= ~exact
        reach = low <= high
        cuts = edges[j]
        here = rows.level[:, j]
        c = levels.contrib[j]
        size, inside = _inside(cuts, low, high, reach, integers, len(c))
        if offset is None:
            # the default regression target: a higher score, a_j(v) > a_j(x_j) exactly
            meets = ranks[j][None, :] > ranks[j][here][:, None]
        elif values is not None:
            meets = _meeting(total - contributions[:, j], c, sign)
        if values is not None:
            if not integers:
                unknown |= reach & (low == high)  # one point: the single-row path counts it
            if offset is not None:
                rest = total - contributions[:, j]
                bound = 2.0 * gamma(2 * p + 8) * (
                    magnitude[:, None] + np.abs(c)[None, :]
                    + np.abs(contributions[:, j])[:, None]
                )  # fmt: skip
                near = np.abs(rest[:, None] + c[None, :]) <= bound
                unknown |= (inside & near).any(axis=1)
            meets_here = np.zeros(n, dtype=bool) if offset is None else total * sign > 0
            values[:, j] = _share(cuts, x, low, high, reach, size, meets & inside,
                                  meets_here, integers)  # fmt: skip
        # "fixed": the best value of a_j over the range (the stay, x_j itself, included)
        if offset is None:
            gained |= (inside & meets).any(axis=1)
        else:
            oriented = np.where(inside, c[None, :] * sign[:, None], -np.inf)
            best = oriented.max(axis=1)
            step = np.maximum(best - contributions[:, j] * sign, 0.0)
            gain += step
            gain_magnitude += np.where(step > 0, np.abs(best) + np.abs(contributions[:, j]), 0)
    if offset is None:
        holds = ~gained
    else:
        reached = total * sign + gain
        bound = 2.0 * gamma(4 * p + 16) * (magnitude + gain_magnitude)
        unknown |= np.abs(reached) <= bound
        holds = ~(reached > 0)
    return KernelOutput(unknown=unknown, values=values, holds=holds)


def _meeting(
    rest: NDArray[np.float64], c: NDArray[np.float64], sign: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Per row and piece whether moving into the piece meets the target (in floats: the
    caller marks the rows within the bound of a tie)."""
    d = rest[:, None] + c[None, :]
    return np.asarray(d * sign[:, None] > 0)


def _inside(
    cuts: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64],
    reach: NDArray[np.bool_], integers: bool, pieces: int,
) -> tuple[Any, NDArray[np.bool_]]:  # fmt: skip
    """(per row and piece the count of integers in range, or None on an interval; which
    pieces the range touches)."""
    if integers:
        starts, ends = np.ceil(cuts[:-1]), np.ceil(cuts[1:]) - 1
        first = np.maximum(low[:, None], starts[None, :])
        last = np.minimum(high[:, None], ends[None, :])
        size = np.maximum(last - first + 1, 0)
        return size, (size > 0) & reach[:, None]
    piece_low = np.searchsorted(cuts, low, side="right") - 1
    piece_high = np.searchsorted(cuts, high, side="right") - 1
    k = np.arange(pieces)[None, :]
    inside = reach[:, None] & (k >= piece_low[:, None]) & (k <= piece_high[:, None])
    return None, inside


def _share(
    cuts: NDArray[np.float64], x: NDArray[np.float64], low: NDArray[np.float64],
    high: NDArray[np.float64], reach: NDArray[np.bool_], size: Any,
    counted: NDArray[np.bool_], meets_here: NDArray[np.bool_], integers: bool,
) -> NDArray[np.float64]:  # fmt: skip
    """Per row the share of its range whose pieces meet the target."""
    if not integers:
        return _lengths(cuts, low, high, reach, counted)
    # counts below 2^52: every float operation here is exact
    hits = np.where(counted, size, 0.0).sum(axis=1)
    measure = np.where(reach, high - low + 1, 0.0)
    at = reach & (low <= x) & (x <= high)
    measure = measure - at
    hits = hits - (at & meets_here)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(measure > 0, hits / np.where(measure > 0, measure, 1), 0))
