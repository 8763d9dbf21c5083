"""Responsiveness counts and fixed predictions under an action set (Cheon et al., ICLR 2025).

Three registered algorithms answer both ``responsiveness`` and ``fixed``:

- ``per-component``: a separable numeric feature by the exact level-set measure and extremes of
  its contribution (with its pair terms, partners at x) over its reachable range
  (:mod:`gamexplain.substrate.reach`); finite features and components of several
  features by enumerating their candidate joint points, each decided by the action set's
  definition, within ``max_states`` points (past it, certified bounds and
  ``status="budget_exhausted"``);
- ``coupled-last``: the same, with a coupled component that has an integer member
  counted by enumerating its other members and measuring the widest integer member's
  admitted values by level sets (``thm:resp-coupled-last``);
- ``pair-box``: the same counts; when pair terms join components that are single
  features, R(x) is a box and "fixed" is a pairwise model's extreme over it
  (:mod:`gamexplain.algorithms.fixed_pairs`, ``thm:fixed-pair-box``);
- ``brute``: every candidate point of every component enumerated from the definition,
  the reference (discrete action sets only).

"Fixed" separates over components when no pair term joins two of them: the best score
over R(x) is score(x) plus each component's best change. Components joined by pair terms
are enumerated jointly.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from gamexplain.algorithms.fixed_pairs import box_reach
from gamexplain.algorithms.responsiveness_volume import component_volume
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet, DirectionalLinkage, IfThenConstraint
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.substrate import deadline
from gamexplain.substrate.polynomials import segment_candidates, value_at
from gamexplain.substrate.reach import (
    Target,
    clipped_pieces,
    component_points,
    own_range,
    product_bound,
    range_extreme,
    range_level_measure,
    range_measure,
    shift_on,
)

__all__ = [
    "NOT_MEASURED",
    "Count",
    "Reach",
    "Tally",
    "box_fixed",
    "brute_responsiveness",
    "exact_responsiveness",
    "unmeasured",
]

BRUTE_POINTS = 200_000
"""The most candidate points the brute-force reference takes on."""

DEFAULT_LAST_STATES = 1_000_000
"""The most joint values of a coupled component's other members for which the
``coupled-last`` algorithm is chosen (its runs use ``max_states``)."""


@dataclass(frozen=True)
class Count:
    """One component's share of the answer.

    ``totals[k]`` and ``hits[k]`` are |R_j(x)| and the part of it meeting the target for
    member ``members[k]`` (counts, or lengths on a separable interval feature); ``unseen``
    bounds the joint points not examined (0 when complete). ``best`` is the best change
    of the score over R_P(x) ∪ {x} toward the target, whether it is attained, and the
    members' values attaining it (None when not attained); ``kind`` is ``separable``,
    ``encoding`` or ``coupled``. ``best_is_bound``: ``best`` is the best change at points
    found, which may fall short of the supremum (a component measured by volume), so it
    proves reaching but not fixed.
    """

    members: tuple[int, ...]
    kind: str
    totals: tuple[Exact, ...]
    hits: tuple[Exact, ...]
    unseen: int
    best: tuple[Exact, bool, tuple[Any, ...] | None]
    examined: int = 0
    timed_out: bool = False
    measures: tuple[str, ...] = ()
    best_is_bound: bool = False


@dataclass(frozen=True)
class Reach:
    """Whether R(x) reaches the target: ``reaches`` (None when undecided in budget) and
    a witness point when it does."""

    reaches: bool | None
    witness: tuple[Any, ...] | None
    proof: Any = None


@dataclass(frozen=True)
class Tally:
    """Every component's count and the decision on R(x)."""

    counts: tuple[Count, ...]
    reach: Reach
    status: str
    note: str = ""


# -- one component -------------------------------------------------------------------------
def _kind(actions: ActionSet, members: tuple[int, ...]) -> str:
    if len(members) == 1:
        return "separable"
    names = {actions.names[m] for m in members}
    kinds = {c.kind for c in actions.constraints if set(c.members()) & names}
    encodings = {"OneHotEncoding", "OrdinalEncoding", "ThermometerEncoding"}
    return "encoding" if kinds <= encodings else "coupled"


_MEMO: dict[tuple[int, int], tuple[Any, ActionSet, dict[Any, Any]]] = {}
"""Per (model, action set): what a row's counts share with other rows' — a separable
feature's clipped pieces and extreme given x_j, a component's admitted joint points and
their score changes given the members' values in x (only where no pair term reaches
outside, so nothing else of x enters). The objects are kept, so an id is never reused."""


def _memo(gam: Any, actions: ActionSet) -> dict[Any, Any]:
    key = (id(gam), id(actions))
    found = _MEMO.get(key)
    if found is None or found[0] is not gam or found[1] is not actions:
        if len(_MEMO) >= 16:
            _MEMO.clear()
        found = _MEMO[key] = (gam, actions, {})
    if len(found[2]) > 100_000:  # many distinct rows: start afresh rather than grow
        found[2].clear()
    return found[2]


def _paired_with(gam: Any, members: Sequence[int]) -> bool:
    return any(m in p.features for p in gam.pairs for m in members)


def _separable(
    gam: Any, x: Sequence[Any], actions: ActionSet, j: int, target: Target, base: Exact
) -> Count:
    """A numeric feature alone: level-set measure and extremes over its reachable range."""
    if not _paired_with(gam, (j,)):
        memo = _memo(gam, actions)
        key = ("separable", j, x[j], target.upward)
        if key not in memo:
            memo[key] = _separable_parts(gam, x, actions, j, target)
        parts = memo[key]
    else:
        parts = _separable_parts(gam, x, actions, j, target)
    here, span, pieces, extreme = parts
    if span is not None and pieces is not None:
        return _separable_count(x, j, target, base, here, span, pieces, extreme,
                                not isinstance(actions.domains[j], Interval))  # fmt: skip
    return _separable_unmeasured(gam, x, actions, j, target, base, span)


def _separable_parts(gam: Any, x: Sequence[Any], actions: ActionSet, j: int,
                     target: Target) -> tuple[Any, Any, Any, Any]:  # fmt: skip
    """What a separable feature's count needs besides the rest of the score: its value
    at x, its reachable range, the pieces there and their extreme (None when the range
    is empty or one point of an interval)."""
    here = _contribution(gam.features[j], x[j]) + shift_on(gam, j, x, x[j])
    span = own_range(actions, j, x[j])
    if span is None or (isinstance(actions.domains[j], Interval) and span[0] == span[1]):
        return here, span, None, None
    pieces = clipped_pieces(gam, j, x, span[0], span[1])
    return here, span, pieces, range_extreme(pieces, target.upward)


def _separable_count(
    x: Sequence[Any], j: int, target: Target, base: Exact, here: Exact,
    span: tuple[Fraction, Fraction], pieces: Any, extreme: Any, integers: bool,
) -> Count:  # fmt: skip
    low, high = span
    stay: tuple[Exact, bool, tuple[Any, ...] | None] = (Fraction(0), True, (x[j],))
    rest = base - here
    total: Exact = range_measure(low, high, integers)
    hits = range_level_measure(pieces, rest, target)
    if integers and low <= Fraction(x[j]) <= high:
        total = total - 1
        hits = hits - int(target.meets(base))
    value, argument, attained = extreme
    change = value - here
    if compare(change, 0) * (1 if target.upward else -1) <= 0:
        best = stay
    else:
        value_of = int(argument) if integers else argument
        best = (change, attained, (value_of,) if attained else None)
    return Count((j,), "separable", (total,), (hits,), 0, best)


def _separable_unmeasured(
    gam: Any, x: Sequence[Any], actions: ActionSet, j: int, target: Target, base: Exact,
    span: Any,
) -> Count:  # fmt: skip
    """An empty range, or one point of an interval (counted, not measured)."""
    stay: tuple[Exact, bool, tuple[Any, ...] | None] = (Fraction(0), True, (x[j],))
    if span is None or span[0] == Fraction(x[j]):
        return Count((j,), "separable", (Fraction(0),), (Fraction(0),), 0, stay)
    return _enumerated(gam, x, actions, (j,), target, base, [(span[0],)], 1)


def _enumerated(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, points: Any, bound: int, max_states: int | None = None,
) -> Count:  # fmt: skip
    """Count the admitted points among ``points`` (member values), up to ``max_states``."""
    totals = [0] * len(members)
    hits = [0] * len(members)
    best: tuple[Exact, bool, tuple[Any, ...] | None] = (Fraction(0), True, None)
    sign = 1 if target.upward else -1
    examined = 0
    scorer = _scorer(gam, x, members, base)
    component = actions.components.index(actions.component_of(members[0]))
    here = tuple(x[m] for m in members)
    exhausted = True
    timed_out = False
    for values in points:
        timed_out = examined % 1024 == 1023 and deadline.expired()
        if timed_out or (max_states is not None and examined >= max_states):
            exhausted = False
            break
        examined += 1
        if values == here:
            continue
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if not actions.admits_on(component, x, point):
            continue
        score = scorer(point, values)
        meets = target.meets(score)
        for k, m in enumerate(members):
            if values[k] != here[k] and actions.features[m].actionable:
                totals[k] += 1
                hits[k] += meets
        change = score - base
        if compare(change, best[0]) * sign > 0:
            best = (change, True, tuple(values))
    if best[2] is None:
        best = (Fraction(0), True, tuple(x[m] for m in members))
    unseen = 0 if exhausted else max(bound - examined, 1)
    return Count(members, _kind(actions, members), tuple(Fraction(t) for t in totals),
                 tuple(Fraction(h) for h in hits), unseen, best, examined, timed_out)  # fmt: skip


def _score(gam: Any, x: Sequence[Any]) -> Exact:
    """The exact score of x from remembered contributions (rows share values)."""
    if gam.pairs:
        return gam.score_exact(x)
    total: Exact = Fraction(gam.intercept)
    for feature, value in zip(gam.features, x, strict=True):
        total = total + _contribution(feature, value)
    return total


@lru_cache(maxsize=65536)
def _contribution(feature: Any, value: Any) -> Exact:
    """a_i(value), exactly, remembered: enumerations score the same few values often."""
    return feature.contribution_exact(value)


def _scorer(gam: Any, x: Sequence[Any], members: tuple[int, ...], base: Exact) -> Any:
    """Exact scores of points that move only ``members``: base plus the members'
    contribution changes (memoised per value), or the full score when a pair term
    touches a member."""
    if any(m in p.features for p in gam.pairs for m in members):
        return lambda point, values: gam.score_exact(point)
    memo: dict[tuple[int, Any], Exact] = {}

    def change(m: int, value: Any) -> Exact:
        if (m, value) not in memo:
            feature = gam.features[m]
            memo[m, value] = _contribution(feature, value) - _contribution(feature, x[m])
        return memo[m, value]

    def score(point: Sequence[Any], values: Sequence[Any]) -> Exact:
        total = base
        for m, value in zip(members, values, strict=True):
            if value != x[m]:
                total = total + change(m, value)
        return total

    return score


def _component(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, max_states: int, brute: bool,
) -> Count:  # fmt: skip
    numeric = [m for m in members if not isinstance(actions.domains[m], Finite)]
    if len(members) == 1 and numeric and not brute:
        return _separable(gam, x, actions, members[0], target, base)
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if len(continuous) > 1 and not brute and not _paired_with(gam, members):
        return _by_volume(gam, x, actions, members, target, base, continuous, max_states)
    if continuous:
        if len(continuous) > 1 or brute or _paired_with(gam, members):
            raise UnsupportedQueryError(_coupled_continuous(actions, members, continuous))
        if not _others_fit(actions, members, x, continuous[0], max_states):
            raise UnsupportedQueryError(
                f"the component {[actions.names[m] for m in members]} couples the continuous "
                f"feature {actions.names[continuous[0]]!r} to discrete members with more than "
                f"max_states={max_states} joint values; raise max_states"
            )
        counted = _last_counted(gam, x, actions, members, target, base, continuous[0])
        if counted is None:  # out of time: each score anywhere in [0, 1]
            return unmeasured(actions, members, x)
        return counted
    bound = product_bound(actions, members, x)
    if not brute and len(members) > 1 and not _paired_with(gam, members):
        # worth it when the others' values are at most a quarter of all candidates
        last = _last_member(actions, members, x, min(max_states, bound // 4))
        if last is not None:
            counted = _last_counted(gam, x, actions, members, target, base, last)
            if counted is not None:
                return counted
    if not brute and bound <= max_states and not _paired_with(gam, members):
        memo = _memo(gam, actions)
        here = tuple(x[m] for m in members)
        key = ("joint", members, here)
        if key not in memo:
            table = _admitted(gam, x, actions, members)
            if table is None:  # out of time: counted below, within the budget
                return _enumerated(gam, x, actions, members, target, base,
                                   component_points(actions, members, x), bound, max_states)
            memo[key] = table
        return _counted(actions, members, target, base, memo[key], here)
    points = component_points(actions, members, x)
    return _enumerated(gam, x, actions, members, target, base, points, bound, max_states)


def _by_volume(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, continuous: Sequence[int], max_states: int,
) -> Count:  # fmt: skip
    """A component with several continuous members, measured by count × volume over its
    free coordinates (``thm:resp-coupled-volume``); its best change is attained but may
    fall short of the supremum (``best_is_bound``)."""
    others = [m for m in members if m not in continuous]
    size = math.prod(len(_other_values(actions, m, x)) for m in others)
    if size > max_states:
        raise UnsupportedQueryError(
            f"the component {[actions.names[m] for m in members]} couples continuous features "
            f"to discrete members with more than max_states={max_states} joint values; raise "
            "max_states"
        )
    joint = itertools.product(*(_other_values(actions, m, x) for m in others))
    try:
        found = component_volume(gam, x, actions, members, target, base, joint)
    except deadline.OutOfTime:
        zero = tuple(Fraction(0) for _ in members)
        return Count(members, _kind(actions, members), zero, zero, 1,
                     (Fraction(0), True, tuple(x[m] for m in members)), 0, True)  # fmt: skip
    return Count(members, _kind(actions, members), found.totals, found.hits, 0, found.best,
                 found.examined, False, found.measures, best_is_bound=True)  # fmt: skip


def _last_member(
    actions: ActionSet, members: tuple[int, ...], x: Sequence[Any], max_states: int
) -> int | None:
    """The integer member with the largest range, counted by level sets
    (``thm:resp-coupled-last``), when the other members' candidate values number at most
    ``max_states``; None otherwise."""
    sizes = {m: d.size for m in members if isinstance(d := actions.domains[m], Integers)}
    if not sizes:
        return None
    last = max(sizes, key=lambda m: sizes[m])
    return last if _others_fit(actions, members, x, last, max_states) else None


def _others_fit(
    actions: ActionSet, members: tuple[int, ...], x: Sequence[Any], last: int, limit: int
) -> bool:
    """Whether the members other than ``last`` take at most ``limit`` joint values."""
    others = 1
    for m in members:
        if m != last:
            others *= len(_other_values(actions, m, x))
            if others > limit:
                return False
    return True


def _other_values(actions: ActionSet, m: int, x: Sequence[Any]) -> range | tuple[Any, ...]:
    """Every value member m can take at a reachable point: its domain, cut to its own
    moves when no linkage moves it."""
    domain = actions.domains[m]
    if isinstance(domain, Finite):
        return tuple(domain.values)
    assert isinstance(domain, Integers)
    low, high = domain.low, domain.high
    element = actions.features[m]
    linked = any(isinstance(c, DirectionalLinkage) and actions.names[m] in c.targets
                 for c in actions.constraints)  # fmt: skip
    if not linked:
        here = int(x[m])
        if not element.actionable:
            return range(here, here + 1)
        if element.step_lb is not None:
            low = max(low, here + math.ceil(element.step_lb))
        if element.step_ub is not None:
            high = min(high, here + math.floor(element.step_ub))
        if element.step_direction > 0:
            low = max(low, here)
        if element.step_direction < 0:
            high = min(high, here)
    return range(int(low), int(high) + 1)


def _critical(
    actions: ActionSet, last: int, x: Sequence[Any], point: Sequence[Any]
) -> list[Fraction]:
    """Values of the last member where its admissibility may change, the other members
    at ``point``: every comparison :meth:`ActionSet.admits_on` makes is affine in it and
    flips only at one of these, so admissibility is constant between consecutive ones."""
    name = actions.names[last]
    here = Fraction(x[last])
    element = actions.features[last]
    domain = actions.domains[last]
    assert isinstance(domain, Integers | Interval)
    found = {here, Fraction(domain.low), Fraction(domain.high), Fraction(0), Fraction(1)}
    found |= {b for b in (element.lb, element.ub) if b is not None}

    def moved(m: int) -> Fraction:
        return Fraction(point[m]) - Fraction(x[m])

    linked = Fraction(0)
    for c in actions.constraints:
        if isinstance(c, DirectionalLinkage) and name in c.targets:
            linked += c.scales[c.targets.index(name)] * moved(actions.names.index(c.source))
        if isinstance(c, IfThenConstraint):
            found |= {side[2] for side in (c.if_, c.then) if side[0] == name}
    own = here + linked
    found |= {own} | {own + d for d in (element.step_lb, element.step_ub) if d is not None}
    for c in actions.constraints:
        if not isinstance(c, DirectionalLinkage) or c.source != name:
            continue
        for target, scale in zip(c.targets, c.scales, strict=True):
            if scale == 0:
                continue
            t = actions.names.index(target)
            other = sum((d.scales[d.targets.index(target)] * moved(actions.names.index(d.source))
                         for d in actions.constraints if isinstance(d, DirectionalLinkage)
                         and target in d.targets and d.source != name), Fraction(0))  # fmt: skip
            # linked_t(v) = scale (v - x_last) + other; own_t(v) = point_t - linked_t(v)
            found.add(here - other / scale)
            t_element = actions.features[t]
            steps = [Fraction(0)] + [d for d in (t_element.step_lb, t_element.step_ub)
                                     if d is not None]  # fmt: skip
            owns = [Fraction(x[t]) + d for d in steps]
            if t_element.reachable is not None:
                owns += [Fraction(r) for values in t_element.reachable.values() for r in values
                         if not isinstance(r, str)]  # fmt: skip
            found |= {here + (Fraction(point[t]) - other - o) / scale for o in owns}
    low, high = Fraction(domain.low), Fraction(domain.high)
    return sorted(v for v in found if low <= v <= high)


def _cells(actions: ActionSet, component: int, last: int, x: Sequence[Any],
           point: list[Any]) -> list[tuple[Fraction, Fraction, bool]]:  # fmt: skip
    """The admitted values of the last member, the others at ``point``: (first, end, gap)
    per cell, each critical value alone (gap False) and each gap between consecutive
    critical values (its integers [first, end], or the open interval (first, end) on a
    continuous member), decided by the definition at one of its values."""
    cuts = _critical(actions, last, x, point)
    integers = isinstance(actions.domains[last], Integers)
    cells: list[tuple[Fraction, Fraction, bool]] = []
    for k, cut in enumerate(cuts):
        if not integers or cut.denominator == 1:
            cells.append((cut, cut, False))
        if k + 1 < len(cuts):
            if integers:
                low, high = math.floor(cut) + 1, math.ceil(cuts[k + 1]) - 1
                if low <= high:
                    cells.append((Fraction(low), Fraction(high), low < high))
            else:
                cells.append((cut, cuts[k + 1], True))
    admitted = []
    for first, end, gap in cells:
        probe = first if integers or not gap else (first + end) / 2
        point[last] = int(probe) if integers else probe
        if actions.admits_on(component, x, point):
            admitted.append((first, end, gap))
    point[last] = x[last]
    return admitted


def _open_extreme(pieces: Any, low: Fraction, upward: bool) -> tuple[Exact, Any, bool]:
    """:func:`range_extreme` over the open interval (low, high) of ``pieces`` (already
    open at high): a candidate at ``low`` is approached, not attained (a contribution is
    right-continuous, so its value there is the limit from inside), unless a piece takes
    that value inside (a piece constant at the supremum), where it is attained."""
    best: tuple[Exact, Any, bool] | None = None
    sign = 1 if upward else -1
    for segment, shift in pieces:
        for value, argument, attained in segment_candidates(segment):
            candidate = (value + shift, argument, attained and compare(argument, low) != 0)
            if best is None:
                best = candidate
                continue
            side = compare(candidate[0], best[0]) * sign
            if side > 0 or (side == 0 and candidate[2] and not best[2]):
                best = candidate
    assert best is not None
    if not best[2]:  # a piece equal to the supremum inside the interval attains it there
        for segment, shift in pieces:
            middle = (Fraction(segment.low) + Fraction(segment.high)) / 2
            if segment.low < segment.high and compare(
                    value_at(segment, middle) + shift, best[0]) == 0:  # fmt: skip
                return best[0], middle, True
    return best


def _last_counted(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, last: int,
) -> Count | None:  # fmt: skip
    """A coupled component counted exactly (``thm:resp-coupled-last``): every joint value
    of the members but ``last`` enumerated, ``last``'s admitted values counted as integer
    ranges (or measured as intervals, a continuous ``last``) by the level-set primitive;
    None when the time runs out.

    With a continuous ``last`` a member's measure is count × length; where that is 0 for
    a member whose set is not empty (``last`` never moves freely with it), the count of
    its points."""
    component = actions.components.index(actions.component_of(members[0]))
    integers = isinstance(actions.domains[last], Integers)
    others = [m for m in members if m != last]
    position = members.index(last)
    size_of = len(members)
    lengths: list[list[Exact]] = [[Fraction(0)] * size_of, [Fraction(0)] * size_of]
    points: list[list[Exact]] = [[Fraction(0)] * size_of, [Fraction(0)] * size_of]
    sign = 1 if target.upward else -1
    best: tuple[Exact, bool, tuple[Any, ...] | None] = (Fraction(0), True, None)
    own = _contribution(gam.features[last], x[last])
    here_last = Fraction(x[last])
    examined = 0
    point = list(x)
    moving = actions.features[last].actionable
    for values in itertools.product(*(_other_values(actions, m, x) for m in others)):
        examined += 1
        if examined % 256 == 0 and deadline.expired():
            return None
        change: Exact = Fraction(0)
        for m, v in zip(others, values, strict=True):
            point[m] = v
            if v != x[m]:
                change = change + _contribution(gam.features[m], v) - _contribution(
                    gam.features[m], x[m])
        rest = base + change - own
        for first, end, gap in _cells(actions, component, last, x, point):
            if gap or integers:
                pieces = clipped_pieces(gam, last, x, first, end)
                if not integers:
                    pieces = _opened(pieces, end)
                size = range_measure(first, end, integers)
                reached = range_level_measure(pieces, rest, target)
                value, argument, attained = (_open_extreme(pieces, first, target.upward)
                                             if not integers
                                             else range_extreme(pieces, target.upward))  # fmt: skip
            else:  # one point of a continuous member
                value = _contribution(gam.features[last], first)
                size, reached = Fraction(1), Fraction(int(target.meets(rest + value)))
                argument, attained = first, True
            tally = lengths if gap and not integers else points
            for k, m in enumerate(members):
                if m != last and values[others.index(m)] != x[m] and actions.features[m].actionable:
                    tally[0][k] += size
                    tally[1][k] += reached
            if moving:
                stays = not gap and first == here_last if not integers else (
                    first <= here_last <= end)  # fmt: skip
                tally[0][position] += size - int(stays)
                tally[1][position] += reached - int(stays and target.meets(rest + own))
            gain = change + value - own
            if compare(gain, best[0]) * sign > 0 or (
                    compare(gain, best[0]) == 0 and attained and not best[1]):  # fmt: skip
                joint = list(values)
                joint.insert(position, int(argument) if integers else argument)
                best = (gain, attained, tuple(joint) if attained else None)
        for m in others:
            point[m] = x[m]
    if best[0] == 0 and best[2] is None:
        best = (Fraction(0), True, tuple(x[m] for m in members))
    totals, hits, measures = [], [], []
    for k in range(size_of):
        by_length = not integers and lengths[0][k] != 0
        chosen = lengths if by_length else points
        totals.append(chosen[0][k])
        hits.append(chosen[1][k])
        measures.append("count × length" if by_length else "count")
    return Count(members, _kind(actions, members), tuple(totals), tuple(hits), 0, best,
                 examined, False, tuple(measures))  # fmt: skip


def _opened(pieces: Any, end: Fraction) -> list[Any]:
    """The pieces of [first, end] with ``end`` left out."""
    out = []
    for segment, shift in pieces:
        if segment.low == end:
            continue
        if segment.high == end:
            segment = dataclasses.replace(segment, closed=False)
        out.append((segment, shift))
    return out


def _coupled_continuous(actions: ActionSet, members: Sequence[int],
                        continuous: Sequence[int]) -> str:  # fmt: skip
    """Why a component with a continuous member is refused, and what to do."""
    names = [actions.names[m] for m in members]
    named = [actions.names[m] for m in continuous]
    if len(continuous) > 1:
        return (
            f"the component {names} couples {len(named)} continuous features {named}; "
            "gamexplain measures a component with one continuous member (count over the "
            "discrete members times length over the continuous one) but not the area of a "
            "region of several coupled continuous coordinates. Drop the constraints that "
            "join them, or give all but one a discrete domain (Integers or Finite)"
        )
    return (
        f"the component {names} couples the continuous feature {named[0]!r} to others and "
        "a pair term touches it or the brute-force reference was asked for; its count x "
        "length measure is computed only by the per-component algorithms on components no "
        "pair term touches"
    )


def _admitted(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...]
) -> tuple[list[tuple[tuple[Any, ...], tuple[bool, ...], Exact]], int] | None:
    """Every admitted joint point of a component other than x's own values: its member
    values, which actionable members it moves, and its change of the score (the members'
    contribution changes; no pair term touches them); None when the time runs out."""
    component = actions.components.index(actions.component_of(members[0]))
    here = tuple(x[m] for m in members)
    table = []
    examined = 0
    for values in component_points(actions, members, x):
        examined += 1
        if examined % 1024 == 0 and deadline.expired():
            return None
        if values == here:
            continue
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if not actions.admits_on(component, x, point):
            continue
        change: Exact = Fraction(0)
        for m, v, h in zip(members, values, here, strict=True):
            if v != h:
                feature = gam.features[m]
                change = change + _contribution(feature, v) - _contribution(feature, h)
        moved = tuple(v != h and actions.features[m].actionable
                      for m, v, h in zip(members, values, here, strict=True))  # fmt: skip
        table.append((values, moved, change))
    return table, examined


def _counted(
    actions: ActionSet, members: tuple[int, ...], target: Target, base: Exact,
    admitted: tuple[list[tuple[tuple[Any, ...], tuple[bool, ...], Exact]], int],
    here: tuple[Any, ...],
) -> Count:  # fmt: skip
    """A component's counts from its admitted points (:func:`_admitted`) for this row."""
    table, examined = admitted
    totals = [0] * len(members)
    hits = [0] * len(members)
    sign = 1 if target.upward else -1
    best_change: Exact = Fraction(0)
    best_values: tuple[Any, ...] | None = None
    for values, moved, change in table:
        meets = target.meets(base + change)
        for k, flag in enumerate(moved):
            if flag:
                totals[k] += 1
                hits[k] += meets
        if compare(change, best_change) * sign > 0:
            best_change, best_values = change, values
    best: tuple[Exact, bool, tuple[Any, ...] | None] = (
        (best_change, True, best_values) if best_values is not None
        else (Fraction(0), True, here)
    )  # fmt: skip
    return Count(members, _kind(actions, members), tuple(Fraction(t) for t in totals),
                 tuple(Fraction(h) for h in hits), 0, best, examined, False)  # fmt: skip


# -- the whole reachable set ---------------------------------------------------------------
def _joined(gam: Any, actions: ActionSet) -> bool:
    """Whether some pair term joins two components (then "fixed" does not separate)."""
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    return any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs)


def _separated(x: Sequence[Any], counts: Sequence[Count], target: Target, base: Exact) -> Reach:
    total = base
    attained = True
    witness = list(x)
    for count in counts:
        change, reached, values = count.best
        total = total + change
        attained = attained and reached
        if values is not None:
            for m, v in zip(count.members, values, strict=True):
                witness[m] = v
    side = compare(total, target.level) * (1 if target.upward else -1)
    strict = target.sense in (">", "<")
    reaches = side > 0 or (side == 0 and attained and not strict)
    if not reaches:
        return Reach(False, None)
    return Reach(True, tuple(witness) if attained else None)


def _joint(
    gam: Any, x: Sequence[Any], actions: ActionSet, target: Target, max_states: int
) -> Reach:
    """R(x) when pair terms join components: a box of single-feature components is a
    pairwise model's extreme (``thm:fixed-pair-box``); otherwise R(x) is enumerated
    jointly (discrete action sets only)."""
    if deadline.expired():  # the counts took the time: "fixed" stays open
        return Reach(None, None)
    try:
        boxed = box_reach(gam, tuple(x), actions, target)
    except deadline.OutOfTime:
        return Reach(None, None)
    if boxed is not None:
        return Reach(*boxed)
    if any(isinstance(d, Interval) for d in actions.domains):
        raise UnsupportedQueryError(
            "deciding a fixed prediction when pair terms join components needs a discrete "
            "action set"
        )
    examined = 0
    per = [list(component_points(actions, c, x)) for c in actions.components]
    point = list(x)

    def walk(k: int) -> tuple[Any, ...] | bool | None:
        nonlocal examined
        if k == len(per):
            examined += 1
            if examined > max_states or deadline.expired():
                return False
            return tuple(point) if target.meets(gam.score_exact(point)) else None
        component = actions.components[k]
        for values in per[k]:
            trial = list(x)
            for m, v in zip(component, values, strict=True):
                trial[m] = v
            if not actions.admits(x, trial):
                continue
            for m, v in zip(component, values, strict=True):
                point[m] = v
            found = walk(k + 1)
            if found is not None:
                return found
        for m in component:
            point[m] = x[m]
        return None

    found = walk(0)
    if found is False:
        return Reach(None, None)
    return Reach(found is not None, found if isinstance(found, tuple) else None)


_VOLUME_FIXED = (
    "a component couples several continuous features: its best change is taken over the "
    "points gamexplain examines, so the prediction is shown not fixed when they reach the "
    "target, and \"fixed\" is left undecided otherwise"
)


def _measured(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, max_states: int, brute: bool,
) -> Count:  # fmt: skip
    """One component's count on the clock: once the deadline has passed (before it, or
    inside a step that checks it) the component is left unmeasured (:func:`unmeasured`),
    so a stopped run costs at most one component past its limit."""
    if deadline.expired():
        return unmeasured(actions, members, x)
    try:
        return _component(gam, x, actions, members, target, base, max_states, brute)
    except deadline.OutOfTime:
        return unmeasured(actions, members, x)


def unmeasured(actions: ActionSet, members: tuple[int, ...], x: Sequence[Any]) -> Count:
    """A component the time limit left unmeasured: no point examined, every one unseen
    (``unseen=1`` over nothing counted, so each member's score lies anywhere in [0, 1]),
    the best change that of staying at x, and ``measures`` "not measured"."""
    zero = tuple(Fraction(0) for _ in members)
    return Count(members, _kind(actions, members), zero, zero, 1,
                 (Fraction(0), True, tuple(x[m] for m in members)), 0, True,
                 tuple(NOT_MEASURED for _ in members))  # fmt: skip


NOT_MEASURED = "not measured"
"""The measure shown for a feature whose component the time limit left unmeasured."""


def _tally(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *, max_states: int,
    time_limit: float | None, brute: bool,
) -> Tally:  # fmt: skip
    base = _score(gam, x)
    with deadline.limit(time_limit):
        counts = tuple(_measured(gam, x, actions, c, target, base, max_states, brute)
                       for c in actions.components)  # fmt: skip
        complete = all(c.unseen == 0 for c in counts)
        note = ""
        if _joined(gam, actions):
            try:
                reach = _joint(gam, x, actions, target, max_states)
            except UnsupportedQueryError as error:  # the scores stand; "fixed" is undecided
                reach, note = Reach(None, None), str(error)
        elif complete or any(c.best[0] != 0 for c in counts):
            reach = _separated(x, counts, target, base)
            if not reach.reaches and not complete:
                reach = Reach(None, None)
            elif not reach.reaches and any(c.best_is_bound for c in counts):
                reach, note = Reach(None, None), _VOLUME_FIXED
        else:
            reach = Reach(None, None)
        decided = reach.reaches is not None or bool(note)
        late = any(c.timed_out for c in counts) or deadline.expired()
    status = "solved" if complete and decided else "time_limit" if late else "budget_exhausted"
    return Tally(counts, reach, status, note)


def _brute_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    if any(isinstance(f.domain, Interval) for f in gam.features):
        return "brute force needs a discrete action set"
    actions, x = options.get("actions"), options.get("x")
    if actions is None or x is None:
        return None
    if sum(product_bound(actions, c, x) for c in actions.components) > BRUTE_POINTS:
        return f"brute force takes at most {BRUTE_POINTS} candidate points"
    return None


def _last_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    actions, x = options.get("actions"), options.get("x")
    if actions is None or x is None:
        return None
    for members in actions.components:
        if len(members) < 2 or _paired_with(gam, members):
            continue
        continuous = sum(isinstance(actions.domains[m], Interval) for m in members)
        if continuous == 1:  # measured by count x length around its one continuous member
            return None
        if continuous:
            continue
        bound = product_bound(actions, members, x)
        if _last_member(actions, members, x, min(DEFAULT_LAST_STATES, bound // 4)) is not None:
            return None
    return "no coupled component has an integer member wide enough to count by level sets"


def _volume_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    actions = options.get("actions")
    if actions is None:
        return None
    for members in actions.components:
        continuous = sum(isinstance(actions.domains[m], Interval) for m in members)
        if continuous > 1 and not _paired_with(gam, members):
            return None
    return "no component couples several continuous features"


def _box_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    if not gam.pairs:
        return "the model has no pair terms, so the best score separates over components"
    actions, x = options.get("actions"), options.get("x")
    if actions is None or x is None:
        return None
    if not _joined(gam, actions):
        return "no pair term joins two components (the best change per component decides)"
    if any(len(c) > 1 for c in actions.components):
        return "a component has several features, so R(x) is no box"
    return None


def box_fixed(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *, max_states: int,
    time_limit: float | None,
) -> Tally:  # fmt: skip
    """Whether R(x) reaches the target, from the box model alone.

    Notes
    -----
    One exact worst case (or counterexample) of the box's pairwise model: O(n·k^(w+1))
    by variable elimination for k signatures per paired feature and induced width w, or
    dual bounds past the state budget (``thm:fixed-pair-box``). Unlike responsiveness it
    needs no per-feature level-set counts (the joined box decides "fixed" on its own and
    its certificate carries no counts), so none are built; when R(x) turns out to be no
    box, the per-component tally answers instead.
    """
    with deadline.limit(time_limit):
        try:
            boxed = box_reach(gam, tuple(x), actions, target)
        except deadline.OutOfTime:
            return Tally((), Reach(None, None), "time_limit")
    if boxed is None:
        return exact_responsiveness(gam, x, actions, target, max_states=max_states,
                                    time_limit=time_limit)  # fmt: skip
    return Tally((), Reach(*boxed), "solved")


def _register(query: str) -> None:
    register_algorithm(
        query, "pair-box",
        summary="pair terms join single-feature components: R(x) is a box, whose best "
                "score is a pairwise model's extreme (pair cells, elimination or dual "
                "bounds); per-feature counts as per-component"
                + (" (none needed to decide 'fixed')" if query == "fixed" else ""),
        theorem="thm:fixed-pair-box", priority=5, applies=_box_applies,
        fallback_on=("budget_exhausted",),
    )(box_fixed if query == "fixed" else exact_responsiveness)  # fmt: skip
    register_algorithm(
        query, "coupled-volume",
        summary="a component coupling several continuous features: count over its discrete "
                "members times volume over its free continuous coordinates, the region cut "
                "into convex cells where the definition's tests and the pieces are constant, "
                "each measured exactly (Lasserre); the rest as per-component",
        theorem="thm:resp-coupled-volume", priority=7, applies=_volume_applies,
        fallback_on=("budget_exhausted",),
    )(exact_responsiveness)  # fmt: skip
    register_algorithm(
        query, "coupled-last",
        summary="a coupled component with an integer member: the other members enumerated, "
                "the widest integer member counted by level sets between the values where "
                "its admissibility changes; the rest as per-component",
        theorem="thm:resp-coupled-last", priority=8, applies=_last_applies,
        fallback_on=("budget_exhausted",),
    )(exact_responsiveness)  # fmt: skip
    register_algorithm(
        query, "per-component",
        summary="separable features by exact level sets and extremes over their reachable "
                "range; components by enumerating their joint points within max_states",
        theorem="thm:resp-separable", priority=10, fallback_on=("budget_exhausted",),
    )(exact_responsiveness)  # fmt: skip
    register_algorithm(
        query, "brute",
        summary="every candidate point of every component, decided by the definition; "
                "the reference",
        theorem="thm:resp-brute", priority=100, applies=_brute_applies,
    )(brute_responsiveness)  # fmt: skip


def exact_responsiveness(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *, max_states: int,
    time_limit: float | None,
) -> Tally:  # fmt: skip
    """Counts by the per-component algorithms.

    Notes
    -----
    A separable feature: one level set over its reachable range (``thm:resp-separable``).
    A coupled component with an integer member w: O(∏_{m≠w} v_m · (c + p)) for v_m the
    other members' values, c the critical values of w and p its pieces
    (``thm:resp-coupled-last``); a component with several continuous members: per joint
    value of its discrete members and per pinning of the continuous ones, O(h^k · p^k)
    convex cells in its k free coordinates, each measured exactly
    (``thm:resp-coupled-volume``); otherwise O(∏ v_m) definition checks
    (``thm:resp-sharp-p``).
    """
    return _tally(gam, x, actions, target, max_states=max_states, time_limit=time_limit,
                  brute=False)  # fmt: skip


def brute_responsiveness(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *, max_states: int,
    time_limit: float | None,
) -> Tally:  # fmt: skip
    """Counts by enumerating every component (``thm:resp-brute``)."""
    return _tally(gam, x, actions, target, max_states=BRUTE_POINTS, time_limit=time_limit,
                  brute=True)  # fmt: skip


for _query in ("responsiveness", "fixed"):
    _register(_query)
