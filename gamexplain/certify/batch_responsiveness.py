"""Independent check of the responsiveness rows a vectorised kernel answered.

Re-derived from the model's parameters and the action set alone, per feature j and row:
the reachable range of x_j (domain, bounds, steps, direction; x + step checked exact by
TwoSum), the exact values of the feature's pieces in ascending order, and the row's
*cut*: how many of those values fail the target given the rest of the score (a float
with a rigorous error bound; a row whose rest lies within the bound of a piece value is
re-checked in Fractions). On an interval the shown score must be the float nearest the
exact share of the range meeting the target: the share N/D is tested against the two
rounding midpoints around the shown float in double-float arithmetic (exact TwoSum and
TwoProduct, a rigorous bound on the rest), so no Fraction is built for a row unless its
share lies within about u² of a midpoint. The other rows' shares depend only on (range,
cut, x's own piece when counting integers) and are computed once in Fractions per
distinct key. "Fixed" is re-derived as the score plus every feature's best gain over
its range.
"""

from __future__ import annotations

import math
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

        self.float_cuts = np.array([float(c) for c in self.cuts])
        distinct = sorted(set(self.values))
        self.sorted = np.array([float(v) for v in distinct])
        position = {v: k for k, v in enumerate(distinct)}
        self.rank = np.array([position[v] for v in self.values], dtype=np.int64)
        self.floats = np.array([float(v) for v in self.values])
        # whether each piece holds an integer (the outermost pieces extend without end)
        last = len(self.values) - 1
        self.has_integer = np.array([
            k in (0, last) or math.ceil(self.cuts[k]) < self.cuts[k + 1]
            for k in range(len(self.values))
        ])  # fmt: skip

    def share(self, low: float, high: float, cut: int, up: bool, own: bool, at: bool) -> float:
        """The nearest float to the exact share of [low, high] in pieces of rank ≥ ``cut``
        (``up``) or < ``cut``, less x's own point when ``at`` (counted meeting when ``own``)."""
        lo, hi = Fraction(low), Fraction(high)
        hits = self.measure(lo, hi, lambda k, _: (self.rank[k] >= cut) == up)
        total = self.measure(lo, hi, lambda k, _: True)
        if at:
            total, hits = total - 1, hits - own
        return float(hits / total) if total else 0.0

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
        if not f.integers and low == high:  # one point: counted, not measured
            moved = low != Fraction(x[j])
            point = score - here[j] + f.values[f.piece(low)]
            scores.append(float(_meets(sense, point, level)) if moved else 0.0)
            gain = point - score if moved else Fraction(0)
            if (gain > 0 and upward) or (gain < 0 and not upward):
                best += gain
            continue
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


_U = 2.0**-53


def _gamma(k: int) -> float:
    return k * _U / (1 - k * _U)


def _plus(a: NDArray[np.float64], b: Any) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """a + b rounded, and whether exactly (the rounding error of a sum is a float)."""
    s, e = _two_sum(a, b)
    return s, e == 0


def _float_range(action: Any, domain: Any, x: NDArray[np.float64]) -> tuple[Any, Any, Any]:
    m = len(x)
    low, high, ok = np.full(m, float(domain.low)), np.full(m, float(domain.high)), np.ones(m, bool)
    if Fraction(float(domain.low)) != Fraction(domain.low) or Fraction(
            float(domain.high)) != Fraction(domain.high):  # fmt: skip
        ok[:] = False
    limits = ((action.lb, False, False), (action.ub, True, False),
              (action.step_lb, False, True), (action.step_ub, True, True))  # fmt: skip
    for bound, up, moves in limits:
        if bound is None:
            continue
        if Fraction(float(bound)) != Fraction(bound):
            ok[:] = False
        end, exact = _plus(x, float(bound)) if moves else (np.full(m, float(bound)), True)
        ok &= exact
        low, high = (low, np.minimum(high, end)) if up else (np.maximum(low, end), high)
    if action.step_direction > 0:
        low = np.maximum(low, x)
    if action.step_direction < 0:
        high = np.minimum(high, x)
    if domain.kind == "integers":
        low, high = np.ceil(low), np.floor(high)
    if not action.actionable:
        low, high = np.ones(m), np.zeros(m)
    return low, high, ok


def _two_sum(a: Any, b: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(a + b rounded, its rounding error): a + b = s + e exactly (Knuth)."""
    s = a + b
    t = s - a
    return s, (a - (s - t)) + (b - t)


def _two_product(a: Any, b: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(a·b rounded, its rounding error), exact for |a|, |b| within 2^±400 (Dekker)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _split(a: Any) -> tuple[Any, Any]:
    c = 134217729.0 * a  # 2^27 + 1: the upper 26 bits and the rest
    high = c - (c - a)
    return high, a - high


_TINY = 2.0**-1074
"""The largest error of one rounded product that underflows."""


def _covered(f: _Feature, low: NDArray[np.float64], high: NDArray[np.float64],
             keep: NDArray[np.bool_]) -> tuple[Any, Any, Any]:  # fmt: skip
    """(n1, n2, e): the measure of [low, high] in the ``keep`` pieces is n1 + n2 within e.

    Each length is an exact two-float sum (TwoSum); their total is carried as a
    double-float whose only rounding, in the low part, is bounded by γ·Σ|low parts|.
    """
    starts = np.maximum(low[:, None], f.float_cuts[None, :-1])
    starts[:, 0] = low
    ends = np.minimum(high[:, None], f.float_cuts[None, 1:])
    ends[:, -1] = high
    keep = keep & (ends > starts)
    head, tail, size = np.zeros(len(low)), np.zeros(len(low)), np.zeros(len(low))
    for k in np.flatnonzero(keep.any(axis=0)):
        length, rest = _two_sum(ends[:, k], -starts[:, k])
        head, carry = _two_sum(head, np.where(keep[:, k], length, 0.0))
        extra = carry + np.where(keep[:, k], rest, 0.0)
        tail += extra
        size += np.abs(carry) + np.abs(np.where(keep[:, k], rest, 0.0))
    n1, n2 = _two_sum(head, tail)
    terms = 2 * len(f.values) + 2
    return n1, n2, 2.0 * _gamma(terms) * size


def _rounded_shares(
    f: _Feature, low: NDArray[np.float64], high: NDArray[np.float64],
    keep: NDArray[np.bool_], shown: NDArray[np.float64],
) -> tuple[Any, Any]:  # fmt: skip
    """(certainly right, certainly wrong) per row: whether ``shown`` is the float nearest
    the exact share of [low, high] in the ``keep`` pieces.

    The share N/D rounds to ``shown`` iff N − m·D > 0 at the midpoint m below ``shown``
    and < 0 at the one above. Each midpoint is ``shown`` ± half an ulp (two floats), D
    is high − low as an exact two-float sum, ``shown``·D an exact two-float product; the
    large parts cancel exactly (TwoSum) and what remains, a few floats, is summed with
    a rigorous bound. A row within that bound of a midpoint is neither (re-checked in
    Fractions).
    """
    n1, n2, error = _covered(f, low, high, keep)
    d1, d2 = _two_sum(high, -low)
    m = len(low)
    right, wrong = np.ones(m, dtype=bool), np.zeros(m, dtype=bool)
    zero = shown == 0.0
    safe = (d1 > 0) & (d1 >= 2.0**-400) & (d1 <= 2.0**400) & np.isfinite(shown)
    # a zero share: nothing covered (all exact zeros); wrong only where the share is
    # surely above the smallest float (a share below it rounds to zero)
    right &= ~zero | ((n1 == 0) & (n2 == 0) & (error == 0))
    wrong |= zero & safe & (n1 - error >= 2.0**-600)
    safe &= zero | ((np.abs(shown) >= 2.0**-400) & (np.abs(shown) <= 2.0**400))
    v = np.where(safe & ~zero, shown, 1.0)
    p1, e1 = _two_product(v, d1)
    s, t = _two_sum(n1, -p1)
    vd2 = v * d2
    for side in (-1.0, 1.0):
        neighbour = np.nextafter(v, side * np.inf)
        half = (neighbour - v) * 0.5  # a power of two: halving and scaling are exact
        hd1, hd2 = half * d1, half * d2
        parts = (s, t, n2, -e1, -vd2, -hd1, -hd2)
        total = s + t + n2 - e1 - vd2 - hd1 - hd2
        magnitude = sum(np.abs(q) for q in parts)
        bound = 2.0 * (_gamma(8) * magnitude + _U * (np.abs(vd2) + np.abs(hd2)) + 4 * _TINY) + error
        # below the midpoint under shown (side −1) the share must lie above it
        beyond = total * -side > bound
        within = total * side > bound
        right &= zero | beyond
        wrong |= safe & ~zero & within
    right &= safe
    return right, wrong


def _groups(columns: list[NDArray[Any]]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(first row of each distinct key, each row's key number)."""
    order = np.lexsort(columns)
    change = np.zeros(len(order), dtype=bool)
    change[:1] = True
    for column in columns:
        ordered = column[order]
        change[1:] |= ordered[1:] != ordered[:-1]
    inverse = np.empty(len(order), dtype=np.intp)
    inverse[order] = np.cumsum(change) - 1
    return order[change], inverse


def _shares(f: _Feature, shown: NDArray[np.float64], x: NDArray[np.float64],
            span: tuple[Any, Any, Any], here: NDArray[np.int64], t: NDArray[np.float64],
            bound: NDArray[np.float64], up: NDArray[np.bool_], plain: bool,
            checked: NDArray[np.bool_]) -> NDArray[np.bool_] | None:  # fmt: skip
    """One feature's shown scores: the rows still checked, or None when a decided row
    shows a wrong score. A piece value v meets the target iff sign·(v − t) > 0."""
    low, high, reach = span
    if not f.integers:
        checked = checked & ~(reach & (low == high))
    if plain:
        cut = here + 1
    else:
        below = np.searchsorted(f.sorted, t - bound, side="left")
        above = np.searchsorted(f.sorted, t + bound, side="right")
        checked = checked & (below == above)
        cut = below
    own = (here >= cut) == up
    at = reach & (low <= x) & (x <= high) & f.integers
    live = np.flatnonzero(reach & checked)
    if len(live) and not f.integers:
        # the shown float against the exact share's rounding midpoints, in floats
        keep = (f.rank[None, :] >= cut[live][:, None]) == up[live][:, None]
        right, wrong = _rounded_shares(f, low[live], high[live], keep, shown[live])
        if wrong.any():
            return None
        live = live[~right]
    if len(live):
        columns = [at[live], own[live], up[live], cut[live], high[live], low[live]]
        first, inverse = _groups(columns)
        shares = np.array([f.share(float(low[r]), float(high[r]), int(cut[r]),
                                   bool(up[r]), bool(own[r]), bool(at[r]))
                           for r in live[first].tolist()])  # fmt: skip
        if not np.array_equal(shown[live], shares[inverse]):
            return None
    if np.any(shown[~reach & checked] != 0.0):
        return None
    return checked


def _columnar(result: Any, answer: Any, gam: Any, rows: NDArray[np.intp],
              features: list[_Feature]) -> NDArray[np.bool_] | None:  # fmt: skip
    """Per row whether its columns were checked (False: re-check it exactly); None when a
    decided row shows a wrong score or fixed flag."""
    actions, target, task = result.actions, result.target, gam.task
    m, p = len(rows), gam.n_features
    X = np.asarray(result.instances[rows], dtype=float).reshape(m, p)
    piece = np.empty((m, p), dtype=np.intp)
    for j, f in enumerate(features):
        found = np.searchsorted(f.float_cuts, X[:, j], side="right") - 1
        piece[:, j] = np.clip(found, 0, len(f.values) - 1)
    c = np.column_stack([f.floats[piece[:, j]] for j, f in enumerate(features)])
    checked = np.ones(m, dtype=bool)
    plain = target is None and task.kind == "regression"  # a higher score than f(x)
    level = Fraction(target[1]) if isinstance(target, tuple) else (
        Fraction(0) if plain else Fraction(task.threshold))  # fmt: skip
    offset = float(Fraction(gam.intercept) - level)
    S = offset + c.sum(axis=1)
    largest = max(float(np.abs(f.floats).max()) for f in features)
    magnitude = abs(offset) + np.abs(c).sum(axis=1) + largest
    bound = 2.0 * _gamma(4 * p + 16) * magnitude
    if isinstance(target, tuple):
        up = np.full(m, target[0] in (">", ">="))
    elif plain:
        up = np.ones(m, dtype=bool)
    else:
        checked &= np.abs(S) > bound  # the label of x itself
        wanted = 1 - (S > 0) if target is None else np.full(m, int(target))
        up = wanted == 1
    sign = np.where(up, 1.0, -1.0)
    # a "fixed" answer shows no scores: only its flags are checked
    values, holds = (None if answer.values is None else answer.values[rows]), answer.holds[rows]
    gains = np.zeros(m)
    gain_size = np.zeros(m)
    improves = np.zeros(m, dtype=bool)
    for j, f in enumerate(features):
        x = X[:, j]
        low, high, ok = _float_range(actions.features[j], actions.domains[j], x)
        checked &= ok
        reach = low <= high
        here = f.rank[piece[:, j]]
        if values is not None:
            verdict = _shares(f, values[:, j], x, (low, high, reach), here, c[:, j] - S,
                              bound, up, plain, checked)  # fmt: skip
            if verdict is None:
                return None
            checked = verdict
        # the best piece value reachable, for "fixed"
        k = np.arange(len(f.values))[None, :]
        first_piece = np.searchsorted(f.float_cuts, low, side="right") - 1
        last_piece = np.searchsorted(f.float_cuts, high, side="right") - 1
        reachable = reach[:, None] & (k >= first_piece[:, None]) & (k <= last_piece[:, None])
        if f.integers:
            reachable &= f.has_integer[None, :]
        if plain:
            improves |= (reachable & (f.rank[None, :] > here[:, None])).any(axis=1)
            continue
        oriented = np.where(reachable, f.floats[None, :] * sign[:, None], -np.inf)
        best = oriented.max(axis=1)
        step = np.maximum(best - c[:, j] * sign, 0.0)
        gains += step
        gain_size += np.where(step > 0, np.abs(best), 0.0)
    if plain:
        reaches = improves
    else:
        total = S * sign + gains
        checked &= np.abs(total) > 2.0 * _gamma(4 * p + 16) * (magnitude + gain_size)
        reaches = total > 0
    if np.any(holds[checked] != ~reaches[checked]):
        return None
    return checked


def check_responsiveness_rows(result: Any, answer: Any, gam: Any,
                              rows: NDArray[np.intp]) -> bool:  # fmt: skip
    """Whether the kernel rows ``rows`` show the exact scores and fixed flags: checked in
    columns, each row the floats cannot decide re-derived in Fractions."""
    actions, target = result.actions, result.target
    if actions is None or actions.constraints or gam.pairs:
        return False
    if any(len(c) > 1 for c in actions.components):
        return False
    if any(a.reachable is not None for a in actions.features):
        return False
    if result.instances[rows].dtype.kind not in "fiu" and not all(
        isinstance(v, int | float) for v in result.instances[rows].ravel().tolist()
    ):
        return False
    features = [_Feature(gam, j) for j in range(gam.n_features)]
    checked = _columnar(result, answer, gam, rows, features)
    if checked is None:
        return False
    for r in rows[~checked].tolist():
        x = [v.item() if isinstance(v, np.generic) else v for v in result.instances[r]]
        scores, fixed = row_exact(gam, x, actions, target, features)
        if answer.values is not None and not np.array_equal(answer.values[r], np.asarray(scores)):
            return False
        if bool(answer.holds[r]) != fixed:
            return False
    return True
