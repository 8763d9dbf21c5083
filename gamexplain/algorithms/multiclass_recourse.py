"""Minimum recourse toward a class of a multiclass GAM: a multi-dimensional knapsack.

The target is a :class:`~gamexplain.substrate.reach.ClassTarget`. A point z changes the
K class scores by a vector; class t wins at z when its *margins* m_r = score_t − score_r
meet m_r ≥ 0 (r > t) and m_r > 0 (r < t) for every rival r; "the prediction p changes"
(the negated default) when some single rival r beats p. Without pair terms across
components every margin is x's margin plus the components' changes, so:

- each component's *menu* is, per number c of changed members, the Pareto frontier of
  the margin changes of its points changing exactly c members (larger in every margin
  is better): a separable numeric feature by one point per cell of the common
  refinement of the classes' pieces (its contributions are step functions there; an
  integer range with other pieces is enumerated), any other component by enumerating
  its joint points with :meth:`~gamexplain.model.actions.ActionSet.admits` deciding each
  (one continuous member coupled by if-then constraints or switches is cut into points
  and open gaps at the constants the definition names, as in binary recourse, and each
  gap into the cells of the classes' step pieces, one point per cell);
- the menus are combined by cost (a group knapsack whose values are vectors, each total
  cost keeping the Pareto frontier of its sums), and the answer is the least cost whose
  frontier holds a vector meeting every margin (toward t), or, negated, the least over
  the rivals r of the scalar knapsack of the one margin p − r
  (``thm:multiclass-recourse``).

Pair terms across components are enumerated jointly on discrete action sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.recourse import Plan, joint_applies
from gamexplain.algorithms.responsiveness import _cells, _other_values
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet, DirectionalLinkage
from gamexplain.model.domains import Finite, Interval
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Segment
from gamexplain.substrate.reach import (
    ClassTarget,
    clipped_pieces,
    component_points,
    own_range,
)

__all__ = ["frontier_recourse", "joint_class_recourse"]

_Entry = tuple[tuple[Exact, ...], tuple[Any, ...]]  # (margin changes, values chosen)


class _Goal:
    """The margins a target reads: one rival set per question (all K − 1 toward a
    class; one rival at a time, negated) with the strictness of each."""

    def __init__(self, gam: Any, x: Sequence[Any], wins: int, rivals: Sequence[int],
                 beaten: bool) -> None:  # fmt: skip
        self.wins, self.rivals, self.beaten = wins, tuple(rivals), beaten
        self.base = tuple(self._margins([m.score_exact(x) for m in gam.scores]))

    def _margins(self, scores: Sequence[Exact]) -> list[Exact]:
        t = self.wins
        return [scores[t] - scores[r] for r in self.rivals]

    def change(self, scores: Sequence[Exact]) -> tuple[Exact, ...]:
        """The margin changes of K class-score changes (signed so that larger helps the
        target)."""
        sign = -1 if self.beaten else 1
        return tuple(sign * m for m in self._margins(scores))

    def met(self, change: Sequence[Exact]) -> bool:
        """Toward class t: every margin holds; ``beaten``: the one rival r beats t."""
        for r, base, delta in zip(self.rivals, self.base, change, strict=True):
            if self.beaten:
                side = compare(base - delta, 0)  # t's margin over r after the move
                return side < 0 or (side == 0 and r < self.wins)
            side = compare(base + delta, 0)
            if side < 0 or (side == 0 and r < self.wins):
                return False
        return True


def _dominates(a: Sequence[Exact], b: Sequence[Exact]) -> bool:
    return all(compare(u, v) >= 0 for u, v in zip(a, b, strict=True))


def _pareto(entries: Sequence[_Entry]) -> list[_Entry]:
    """The entries no other entry dominates (one of each equal vector kept). Sorted
    exactly in decreasing lexicographic order, a dominating entry comes first, so each
    entry is compared with the kept ones only; in two dimensions a sweep suffices."""
    ordered = sorted(entries, key=lambda e: e[0], reverse=True)
    kept: list[_Entry] = []
    if ordered and len(ordered[0][0]) <= 2:
        for entry in ordered:
            if not kept or entry[0][-1] > kept[-1][0][-1]:
                kept.append(entry)
        return kept
    for entry in ordered:
        if not any(_dominates(k[0], entry[0]) for k in kept):
            kept.append(entry)
    return kept


def _part(model: Any, point: Sequence[Any], members: Sequence[int]) -> Exact:
    """The members' contributions and the pair terms touching them (the part of the
    score a move of the component changes, since no pair term leaves it)."""
    total: Exact = Fraction(0)
    for m in members:
        total = total + model.features[m].contribution_exact(point[m])
    for pair in model.pairs:
        i, j = pair.features
        if i in members or j in members:
            a = pair.bin_of(0, model.features[i], point[i])
            b = pair.bin_of(1, model.features[j], point[j])
            total = total + Fraction(pair.values[a][b])
    return total


def _scores_at(gam: Any, point: Sequence[Any], members: Sequence[int]) -> list[Exact]:
    return [_part(m, point, members) for m in gam.scores]


def _cell_points(gam: Any, x: Sequence[Any], actions: ActionSet, j: int,
                 max_states: int) -> list[tuple[Any, tuple[Exact, ...] | None]]:  # fmt: skip
    """One point of every cell of feature j's reachable range where every class's
    contribution and pair terms (partners at x) are constant, with those constants; every
    integer of the range (constants None: evaluate) when some piece is not constant."""
    span = own_range(actions, j, x[j])
    if span is None:
        return []
    low, high = span
    integers = not isinstance(actions.domains[j], Interval)
    if low == high:  # one reachable value: no curve of changes, however the pieces slope
        return [(int(low) if integers else low, None)]
    walks = [clipped_pieces(model, j, x, low, high) for model in gam.scores]
    if any(segment.degree > 0 for walk in walks for segment, _ in walk):
        if not integers:
            raise UnsupportedQueryError(
                f"feature {actions.names[j]!r} has a non-constant piece on a continuous "
                "range, so its class-score changes form a curve, not a finite menu; "
                "multiclass recourse needs step functions there (EBM bins) or integers"
            )
        if high - low + 1 > max_states:
            raise _Budget
        return [(v, None) for v in range(int(low), int(high) + 1)]
    ends = {low, high} | {e for walk in walks for s, _ in walk for e in (s.low, s.high)}
    ordered = sorted(ends)
    inner = [(a + 1 if integers else (a + b) / 2) for a, b in itertools.pairwise(ordered)
             if (b - a > 1 if integers else b > a)]  # fmt: skip
    points = sorted(set(ordered) | set(inner))
    columns = [_constants(walk, points) for walk in walks]
    return [(int(v) if integers else v, tuple(c[k] for c in columns))
            for k, v in enumerate(points)]  # fmt: skip


def _constants(walk: Sequence[tuple[Segment, Fraction]], points: Sequence[Fraction]) -> list[Exact]:
    """The values of a walk of constant pieces at ascending ``points`` (a piece holds its
    low end; the pieces ascend and cover the range), by one sweep."""
    out: list[Exact] = []
    k = 0
    for v in points:
        while not _holds(walk[k][0], v):
            k += 1
        out.append(walk[k][0].coefficients[0] + walk[k][1])
    return out


def _holds(segment: Segment, v: Fraction) -> bool:
    return segment.low <= v and (v < segment.high or (
        v == segment.high and (segment.closed or segment.integers)))  # fmt: skip


class _Budget(Exception):
    """A menu or a frontier grew past ``max_states``."""


def _raw_menu(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...],
    fixed: frozenset[int], max_states: int,
) -> tuple[list[list[_Entry]], int]:  # fmt: skip
    """Per cost, the K-vectors of class-score changes of the component's admitted points
    changing exactly that many members, with the members' values; and how many candidate
    points were examined (the run's work)."""
    here = _scores_at(gam, x, members)
    by_cost: list[list[_Entry]] = [[(tuple(Fraction(0) for _ in here),
                                     tuple(x[m] for m in members))]]  # fmt: skip
    by_cost += [[] for _ in members]
    separable = len(members) == 1 and not isinstance(actions.domains[members[0]], Finite)
    known: dict[tuple[Any, ...], tuple[Exact, ...]] = {}
    if separable:  # own_range is exactly what the feature's own elements admit
        j = members[0]
        cells = [] if j in fixed else _cell_points(gam, x, actions, j, max_states)
        known = {(v,): values for v, values in cells if values is not None}
        options: Any = ((v,) for v, _ in cells)
    component = actions.components.index(actions.component_of(members[0]))
    if not separable:
        last = _gap_member(gam, actions, members)
        options = (component_points(actions, members, x) if last is None
                   else _gap_points(gam, x, actions, members, component, last))  # fmt: skip
    count = -1
    for count, values in enumerate(options):
        if count >= max_states:
            raise _Budget
        if count % 256 == 255:
            deadline.check()
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        changed = [m for m in members if point[m] != x[m]]
        if not changed or fixed.intersection(changed):
            continue
        if not separable and not actions.admits_on(component, x, point):
            continue
        scores = known.get(values) or tuple(_scores_at(gam, point, members))
        change = tuple(a - b for a, b in zip(scores, here, strict=True))
        by_cost[len(changed)].append((change, tuple(values)))
    return by_cost, count + 1


def _gap_member(gam: Any, actions: ActionSet, members: tuple[int, ...]) -> int | None:
    """The one continuous member of a coupled component (None: all discrete), refusing
    what the gap case does not cut: several continuous members, a linkage naming it, a
    pair term touching it."""
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if not continuous:
        return None
    names = [actions.names[m] for m in members]
    if len(continuous) > 1:
        raise UnsupportedQueryError(
            f"the component {names} couples several continuous features; multiclass "
            "recourse handles one continuous member per component"
        )
    j = continuous[0]
    linked = any(isinstance(c, DirectionalLinkage) and actions.names[j] in c.members()
                 for c in actions.constraints)  # fmt: skip
    if linked or any(j in p.features for model in gam.scores for p in model.pairs):
        raise UnsupportedQueryError(
            f"the continuous feature {actions.names[j]!r} of the component {names} is moved "
            "by a linkage or touched by a pair term; multiclass recourse cuts a continuous "
            "member into gaps only when if-then constraints or switches couple it"
        )
    return j


def _gap_points(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], component: int,
    last: int,
) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """Joint points of a component whose one continuous member ``last`` is coupled by
    if-then constraints or switches: per joint value of the others, every admitted cut
    point of ``last`` and, inside every admitted open gap, one point of each cell where
    every class's contribution is constant (the ends of their pieces there and the
    midpoints between): every vector of class-score changes the gap holds is taken at one
    of them, and each is a point of R_P(x), so nothing is approached
    (``thm:multiclass-recourse``, the gap case of ``thm:recourse-knapsack``)."""
    others = [m for m in members if m != last]
    position = members.index(last)
    point = list(x)
    for values in itertools.product(*(_other_values(actions, m, x) for m in others)):
        for m, v in zip(others, values, strict=True):
            point[m] = v
        for first, end, gap in _cells(actions, component, last, x, point):
            for v in _gap_values(gam, x, actions, last, first, end) if gap else (first,):
                joint = list(values)
                joint.insert(position, v)
                yield tuple(joint)


def _gap_values(gam: Any, x: Sequence[Any], actions: ActionSet, j: int, first: Fraction,
                end: Fraction) -> list[Fraction]:  # fmt: skip
    """Inside the open gap (first, end): the classes' piece ends and the midpoints between
    consecutive ones (step pieces only: a sloped one makes a curve of changes)."""
    ends = {first, end}
    for model in gam.scores:
        for segment, _ in clipped_pieces(model, j, x, first, end):
            if segment.degree > 0:
                raise UnsupportedQueryError(
                    f"feature {actions.names[j]!r} has a non-constant piece inside a gap of "
                    "its coupled component, so its class-score changes form a curve, not a "
                    "finite menu; multiclass recourse needs step functions there (EBM bins)"
                )
            ends |= {segment.low, segment.high}
    cuts = sorted(v for v in ends if first <= v <= end)
    inner = {(a + b) / 2 for a, b in itertools.pairwise(cuts)}
    return sorted(v for v in set(cuts) | inner if first < v < end)


def _menu(raw: list[list[_Entry]], goal: _Goal) -> list[list[_Entry]]:
    """Per cost, the Pareto frontier of the goal's margin changes."""
    return [_pareto([(goal.change(v), values) for v, values in entries]) for entries in raw]


def _convolve(menus: Sequence[list[list[_Entry]]], cap: int,
              max_states: int) -> list[list[_Entry]]:  # fmt: skip
    """Per total cost up to ``cap``, the Pareto frontier of the sums of one entry per
    menu (each sum keeps the values chosen in every component, in order)."""
    totals: list[list[_Entry]] = [[(menus[0][0][0][0], ())]]
    for menu in menus:
        deadline.check()
        merged: list[list[_Entry]] = [[] for _ in range(min(cap, len(totals) + len(menu) - 2) + 1)]
        for a, left in enumerate(totals):
            for b, right in enumerate(menu[: cap - a + 1]):
                for lv, lvals in left:
                    for rv, rvals in right:
                        vector = tuple(u + w for u, w in zip(lv, rv, strict=True))
                        merged[a + b].append((vector, (*lvals, rvals)))
        totals = [_pareto(entries) for entries in merged]
        if any(len(t) > max_states for t in totals):
            raise _Budget
    return totals


def _solve(x: tuple[Any, ...], actions: ActionSet, goal: _Goal, raw: Sequence[Any],
           max_states: int) -> tuple[int, tuple[Any, ...]] | None:  # fmt: skip
    """The least cost meeting ``goal`` and its point, or None: the knapsack capped at
    1, 2, 4, … changed features (a small answer never builds the large frontiers)."""
    menus = [_menu(entries, goal) for entries in raw]
    cap, most = 1, len(x)
    while True:
        for cost, entries in enumerate(_convolve(menus, min(cap, most), max_states)):
            for vector, chosen in entries:
                if goal.met(vector):
                    point = list(x)
                    for members, values in zip(actions.components, chosen, strict=True):
                        for m, v in zip(members, values, strict=True):
                            point[m] = v
                    return cost, tuple(point)
        if cap >= most:
            return None
        cap *= 2


def _goals(gam: Any, x: Sequence[Any], target: ClassTarget) -> list[_Goal]:
    others = [r for r in range(gam.n_classes) if r != target.wins]
    if target.negate:
        return [_Goal(gam, x, target.wins, [r], True) for r in others]
    return [_Goal(gam, x, target.wins, others, False)]


def frontier_recourse(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: ClassTarget, *,
    fixed: frozenset[int], max_states: int, time_limit: float | None,
) -> Plan:  # fmt: skip
    """Pareto menus per component and their vector knapsack (``thm:multiclass-recourse``)."""
    best: tuple[int, tuple[Any, ...]] | None = None
    if (gam.predict_index(x) == target.wins) != target.negate:
        return Plan(0, tuple(x), (), "solved")
    with deadline.limit(time_limit):
        try:
            built = [_raw_menu(gam, x, actions, members, fixed, max_states)
                     for members in actions.components]  # fmt: skip
            raw = [menu for menu, _ in built]
            examined = sum(count for _, count in built)
            for goal in _goals(gam, x, target):
                found = _solve(x, actions, goal, raw, max_states)
                if found is not None and (best is None or found[0] < best[0]):
                    best = found
        except deadline.OutOfTime:
            return Plan(None, None, (), "time_limit")
        except _Budget:
            return Plan(None, None, (), "budget_exhausted")
    if best is None:
        return Plan(None, None, (), "solved", examined)
    return Plan(best[0], best[1], (), "solved", examined)


def joint_class_recourse(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: ClassTarget, *,
    fixed: frozenset[int], max_states: int, time_limit: float | None,
) -> Plan:  # fmt: skip
    """Every point of R(x) with the argmax decided exactly (``thm:recourse-brute``)."""
    found: tuple[int, tuple[Any, ...]] | None = None
    with deadline.limit(time_limit):
        try:
            per = []
            for k, members in enumerate(actions.components):
                keep = []
                for values in component_points(actions, members, x):
                    point = list(x)
                    for m, v in zip(members, values, strict=True):
                        point[m] = v
                    stays = all(point[m] == x[m] for m in members)  # always admitted
                    held = any(point[m] != x[m] for m in fixed.intersection(members))
                    if stays or (not held and actions.admits_on(k, x, point)):
                        keep.append(values)
                per.append(keep)
            examined = -1
            for examined, choice in enumerate(itertools.product(*per)):
                if examined >= max_states:
                    return Plan(None, None, (), "budget_exhausted", examined)
                if examined % 1024 == 1023:
                    deadline.check()
                point = list(x)
                for members, values in zip(actions.components, choice, strict=True):
                    for m, v in zip(members, values, strict=True):
                        point[m] = v
                cost = sum(1 for a, b in zip(point, x, strict=True) if a != b)
                if found is not None and cost >= found[0]:
                    continue
                if (gam.predict_index(point) == target.wins) != target.negate:
                    found = (cost, tuple(point))
        except deadline.OutOfTime:
            return Plan(None, None, (), "time_limit")
    if found is None:
        return Plan(None, None, (), "solved", examined + 1)
    return Plan(*found, (), "solved", examined + 1)


def _separates(gam: Any, options: Mapping[str, Any]) -> str | None:
    actions = options.get("actions")
    if actions is None:
        return None
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    pairs = {p.features for m in gam.scores for p in m.pairs}
    if any(where[i] != where[j] for i, j in pairs):
        return "a pair term joins two components, so the class scores do not separate"
    return None


def _joint_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return joint_applies(gam.scores[0], options)  # the classes share domains and actions


register_algorithm(
    "recourse", "class-frontier",
    summary="per component the Pareto frontier of its class-margin changes per number "
            "of changed members, combined by a vector group knapsack",
    theorem="thm:multiclass-recourse", priority=10, applies=_separates,
    fallback_on=("budget_exhausted",), solves=lambda cell: cell.task == "multiclass",
    multiclass=True,
)(frontier_recourse)  # fmt: skip
register_algorithm(
    "recourse", "class-joint-enumeration",
    summary="every point of R(x) with the argmax decided exactly; the reference",
    theorem="thm:recourse-brute", priority=100, applies=_joint_applies,
    solves=lambda cell: cell.task == "multiclass", multiclass=True,
)(joint_class_recourse)  # fmt: skip
