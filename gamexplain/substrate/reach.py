"""Reachable values under an action set, and the exact primitives over a reachable range.

A feature that no constraint joins to another (a *separable* feature) reaches, by its own
action, a range of its domain: a run of integers, a real interval, or some values of a
finite domain. Responsiveness asks for the measure of the part of that range where the
model's score meets a target, and "fixed" for the extremes of the score over it. Both are
answered here piece by piece on the exact pieces of :mod:`gamexplain.substrate.pieces`,
clipped to the range and cut at the bin edges of the feature's pair terms (the partners
stay at their values in x, so each pair term is a step function of the feature alone):
the level-set measure of :mod:`gamexplain.substrate.primitives` on each clipped piece,
and the candidate extrema of :mod:`gamexplain.substrate.polynomials`. An integer range is
never iterated.

Components of several features are enumerated by :func:`component_points`: the members'
candidate values, in an order where every linkage source comes before its targets, with
:meth:`gamexplain.model.actions.ActionSet.admits` deciding each joint point.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet, DirectionalLinkage
from gamexplain.model.domains import Finite, Integers
from gamexplain.substrate.pieces import Segment, lower
from gamexplain.substrate.polynomials import segment_candidates
from gamexplain.substrate.primitives import _segment_level_measure

__all__ = [
    "ClassTarget",
    "Target",
    "candidate_bound",
    "clipped_pieces",
    "component_points",
    "own_range",
    "product_bound",
    "range_extreme",
    "range_level_measure",
    "range_measure",
    "shift_on",
]


@dataclass(frozen=True)
class Target:
    """The target condition on the exact score: ``score <sense> level``."""

    sense: str
    level: Exact

    def meets(self, score: Exact) -> bool:
        side = compare(score, self.level)
        return {">=": side >= 0, ">": side > 0, "<=": side <= 0, "<": side < 0}[self.sense]

    @property
    def upward(self) -> bool:
        """Whether the target asks for a high score (so the maximum decides reaching it)."""
        return self.sense in (">=", ">")


@dataclass(frozen=True)
class ClassTarget:
    """The target of a multiclass model: class index ``wins`` wins the argmax (ties to the
    lowest index); with ``negate``, it does not (the prediction ``wins`` changes)."""

    wins: int
    negate: bool = False


# -- the reachable range of a numeric feature ---------------------------------------------
def own_range(actions: ActionSet, i: int, value: Any) -> tuple[Fraction, Fraction] | None:
    """The values a numeric feature reaches by its own action from ``value`` and keeps
    inside its bounds, as exact ends (integers on an integer domain); None when empty or
    the feature is not actionable. ``value`` itself is reachable whether or not it lies
    in the range."""
    action, domain = actions.features[i], actions.domains[i]
    if not action.actionable:
        return None
    x = Fraction(value)
    lows = [Fraction(domain.low)] + [v for v in (action.lb,) if v is not None]  # type: ignore[union-attr]
    highs = [Fraction(domain.high)] + [v for v in (action.ub,) if v is not None]  # type: ignore[union-attr]
    if action.step_lb is not None:
        lows.append(x + action.step_lb)
    if action.step_ub is not None:
        highs.append(x + action.step_ub)
    if action.step_direction > 0:
        lows.append(x)
    if action.step_direction < 0:
        highs.append(x)
    low, high = max(lows), min(highs)
    if isinstance(domain, Integers):
        low, high = Fraction(math.ceil(low)), Fraction(math.floor(high))
    return (low, high) if low <= high else None


def range_measure(low: Fraction, high: Fraction, integers: bool) -> Fraction:
    """The count of integers, or the length, of [low, high]."""
    return high - low + 1 if integers else high - low


def shift_on(gam: Any, i: int, x: Sequence[Any], point: Any) -> Fraction:
    """The sum of the pair terms of feature ``i`` at ``point``, partners at their x."""
    total = Fraction(0)
    for pair in gam.pairs:
        if i not in pair.features:
            continue
        cells = [0, 0]
        for axis, k in enumerate(pair.features):
            cells[axis] = pair.bin_of(axis, gam.features[k], point if k == i else x[k])
        total += Fraction(pair.values[cells[0]][cells[1]])
    return total


def _cuts(gam: Any, i: int, low: Fraction, high: Fraction) -> list[Fraction]:
    """Bin edges of i's pair terms strictly inside (low, high), ascending."""
    edges: set[Fraction] = set()
    for pair in gam.pairs:
        if i in pair.features:
            axis = pair.features.index(i)
            cuts = pair.edges[axis]
            if cuts is not None:
                edges.update(Fraction(e) for e in cuts[1:-1])
    return sorted(e for e in edges if low < e < high)


def _runs(
    gam: Any, i: int, low: Fraction, high: Fraction, integers: bool
) -> Iterator[tuple[Fraction, Fraction, bool]]:
    """[low, high] cut at pair-bin edges: (start, end, end included) per run (bins are
    right-continuous, so an edge starts the next run)."""
    start = low
    for edge in _cuts(gam, i, low, high):
        if integers:
            end = Fraction(math.ceil(edge) - 1)
            if end >= start:
                yield start, end, True
            start = Fraction(math.ceil(edge))
        else:
            yield start, edge, False
            start = edge
    if start <= high:
        yield start, high, True


def _clip(segment: Segment, low: Fraction, high: Fraction, closed: bool) -> Segment | None:
    """The part of ``segment`` in [low, high] (``high`` included when ``closed``; integer
    runs are always closed)."""
    part_low, part_high = max(segment.low, low), min(segment.high, high)
    if segment.integers:
        return (
            None
            if part_low > part_high
            else Segment(
                part_low, part_high, True, segment.anchor, segment.coefficients, segment.piece, True
            )
        )
    if segment.high == high:
        ends_closed = segment.closed and closed
    else:
        ends_closed = segment.closed if segment.high < high else closed
    if part_low > part_high or (part_low == part_high and not ends_closed):
        return None
    return Segment(part_low, part_high, ends_closed, segment.anchor, segment.coefficients,
                   segment.piece, False)  # fmt: skip


def _pieces_on(
    gam: Any, i: int, x: Sequence[Any], low: Fraction, high: Fraction
) -> Iterator[tuple[Segment, Fraction]]:
    """The feature's exact pieces clipped to [low, high], each with the constant sum of
    its pair terms there."""
    feature = gam.features[i]
    integers = isinstance(feature.domain, Integers)
    segments = lower(feature)
    first = 0  # runs and segments both ascend: visit only the segments a run overlaps
    for start, end, closed in _runs(gam, i, low, high, integers):
        shift = shift_on(gam, i, x, start)
        while first < len(segments) and segments[first].high < start:  # type: ignore[union-attr]
            first += 1
        for segment in segments[first:]:
            assert isinstance(segment, Segment)
            if segment.low > end:
                break
            part = _clip(segment, start, end, closed)
            if part is not None:
                yield part, shift


def clipped_pieces(
    gam: Any, i: int, x: Sequence[Any], low: Fraction, high: Fraction
) -> list[tuple[Segment, Fraction]]:
    """Feature i's exact pieces on [low, high], each with its pair terms' constant there
    (partners at x): what :func:`range_level_measure` and :func:`range_extreme` read."""
    return list(_pieces_on(gam, i, x, low, high))


def range_level_measure(
    pieces: Sequence[tuple[Segment, Fraction]], rest: Exact, target: Target
) -> Exact:
    """The measure of {v : rest + a_i(v) + pairs_i(v) meets ``target``} over the pieces
    of :func:`clipped_pieces`.

    ``rest`` is the score of x without feature i's contribution and pair terms. A count
    on integer domains, a length on intervals; exact (algebraic where a level set ends
    at an irrational root).
    """
    total: Exact = Fraction(0)
    for segment, shift in pieces:
        level = target.level - rest - shift
        if target.upward:
            part = _segment_level_measure(segment, level, target.sense == ">")
        else:
            size = _size(segment)
            part = size - _segment_level_measure(segment, level, target.sense == "<=")
        total = total + part
    return total


def _size(segment: Segment) -> Fraction:
    if segment.integers:
        return segment.high - segment.low + 1
    return segment.high - segment.low


def range_extreme(
    pieces: Sequence[tuple[Segment, Fraction]], upward: bool
) -> tuple[Exact, Any, bool]:
    """The supremum (``upward``) or infimum of a_i(v) + pairs_i(v) over the pieces of
    :func:`clipped_pieces`: (value, argument, attained)."""
    best: tuple[Exact, Any, bool] | None = None
    for segment, shift in pieces:
        for value, argument, attained in segment_candidates(segment):
            candidate = (value + shift, argument, attained)
            if best is None or _better(candidate, best, upward):
                best = candidate
    assert best is not None
    return best


def _better(a: tuple[Exact, Any, bool], b: tuple[Exact, Any, bool], upward: bool) -> bool:
    side = compare(a[0], b[0]) * (1 if upward else -1)
    return side > 0 or (side == 0 and a[2] and not b[2])


# -- components of several features --------------------------------------------------------
def _order(actions: ActionSet, members: Sequence[int]) -> list[int]:
    """Members with every linkage source before its targets."""
    targets: dict[int, set[int]] = {m: set() for m in members}
    for c in actions.constraints:
        if isinstance(c, DirectionalLinkage):
            source = actions.names.index(c.source)
            for name in c.targets:
                if actions.names.index(name) in targets:
                    targets[actions.names.index(name)].add(source)
    ordered: list[int] = []
    while len(ordered) < len(members):
        ordered += [m for m in members if m not in ordered and targets[m] <= set(ordered)]
    return ordered


def _values(actions: ActionSet, i: int, x_i: Any, linked: Fraction) -> list[Any]:
    """Candidate values of a discrete member: x_i moved by ``linked`` and then by any own
    move its element allows (bounds are left to ``admits``)."""
    domain = actions.domains[i]
    if isinstance(domain, Finite):
        if not domain.is_numeric:
            return [v for v in domain.values if actions.own_move_allowed(i, x_i, v)]
        return [v for v in domain.values
                if actions.own_move_allowed(i, x_i, Fraction(v) - linked)]  # fmt: skip
    assert isinstance(domain, Integers)
    base = Fraction(x_i) + linked
    if base.denominator != 1:
        return []
    low, high = _offsets(actions, i)
    first = max(domain.low, int(base) + low) if low is not None else domain.low
    last = min(domain.high, int(base) + high) if high is not None else domain.high
    return list(range(first, last + 1))


def _offsets(actions: ActionSet, i: int) -> tuple[int | None, int | None]:
    """The own moves a discrete member may make, as integer offsets (None: unlimited)."""
    action = actions.features[i]
    if not action.actionable:
        return 0, 0
    low = None if action.step_lb is None else math.ceil(action.step_lb)
    high = None if action.step_ub is None else math.floor(action.step_ub)
    if action.step_direction > 0:
        low = 0
    if action.step_direction < 0:
        high = 0
    return low, high


def candidate_bound(actions: ActionSet, i: int, x_i: Any) -> int:
    """An upper bound on the candidate values of member ``i``, whatever the linkages."""
    domain = actions.domains[i]
    if isinstance(domain, Finite):
        return domain.size
    assert isinstance(domain, Integers)
    low, high = _offsets(actions, i)
    if low is None or high is None:
        return domain.size
    return min(domain.size, high - low + 1)


def component_points(
    actions: ActionSet, members: Sequence[int], x: Sequence[Any]
) -> Iterator[tuple[Any, ...]]:
    """Every candidate joint point of a discrete component (the members' values, in the
    order of ``members``), x's own values included; the caller keeps those that
    :meth:`ActionSet.admits`. At most the product of :func:`candidate_bound`."""
    order = _order(actions, members)
    point = list(x)

    def extend(depth: int) -> Iterator[tuple[Any, ...]]:
        if depth == len(order):
            yield tuple(point[m] for m in members)
            return
        i = order[depth]
        linked = _linked(actions, i, x, point)
        for value in _values(actions, i, x[i], linked):
            point[i] = value
            yield from extend(depth + 1)
        point[i] = x[i]

    yield from extend(0)


def _linked(actions: ActionSet, i: int, x: Sequence[Any], point: list[Any]) -> Fraction:
    name = actions.names[i]
    total = Fraction(0)
    for c in actions.constraints:
        if isinstance(c, DirectionalLinkage) and name in c.targets:
            s = actions.names.index(c.source)
            total += c.scales[c.targets.index(name)] * (Fraction(point[s]) - Fraction(x[s]))
    return total


def product_bound(actions: ActionSet, members: Sequence[int], x: Sequence[Any]) -> int:
    """An upper bound on the joint points :func:`component_points` yields."""
    return math.prod(candidate_bound(actions, i, x[i]) for i in members)
