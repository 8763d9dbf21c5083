"""Minimum recourse under an action set: the fewest features one feasible action changes.

A point x' of R(x) (one feasible joint action per component, Cheon et al., ICLR 2025)
*costs* the number of features it changes, |{j : x'_j ≠ x_j}| — a linkage's targets
count when the source drags them. The minimum recourse is a cheapest x' ∈ R(x) whose
score meets the target. Two registered algorithms:

- ``component-knapsack`` (no pair term joins two components): each component's *menu*
  — for every cost c, the best change of the score toward the target over its points
  that change exactly c members (a separable numeric feature by the exact extreme of its
  contribution over its reachable range, :mod:`gamexplain.substrate.reach`; every other
  component by enumerating its joint points, each decided by the action set's
  definition) — then a group knapsack over the components (max-plus convolution of the
  menus by cost), whose first cost meeting the target is the answer
  (``thm:recourse-knapsack``);
- ``joint-enumeration``: every point of R(x), the product of the components' points,
  scored exactly (discrete action sets; the reference, and the algorithm when pair terms
  join components, ``thm:recourse-brute``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.responsiveness import _cells, _open_extreme, _opened, _other_values
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet, DirectionalLinkage
from gamexplain.model.domains import Finite, Interval
from gamexplain.substrate import deadline
from gamexplain.substrate.reach import (
    Target,
    clipped_pieces,
    component_points,
    own_range,
    product_bound,
    range_extreme,
    shift_on,
)

__all__ = ["Menu", "Plan", "joint_applies", "joint_recourse", "knapsack_recourse"]


@dataclass(frozen=True)
class Menu:
    """One component's best moves by cost.

    ``best[c]`` is (change of the score toward the target, the members' values, whether
    attained) of a best point of R_P(x) changing exactly c members, or None when no
    admitted point changes exactly c (``best[0]`` is x itself). A supremum that is not
    attained (a separable feature's contribution jumping down at an open end) names the
    open end as its value; ``opens[c]``, when given, is the open gap (first, end) of the
    continuous member it is approached in (else its reachable range). ``complete`` says
    every joint point was examined.
    """

    members: tuple[int, ...]
    best: tuple[tuple[Exact, tuple[Any, ...], bool] | None, ...]
    complete: bool
    examined: int = 0
    opens: tuple[tuple[Fraction, Fraction] | None, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The answer: the fewest changed features (None when no point of R(x) meets the
    target), a witness point, each component's menu, the run's status and, from
    algorithms that prove minimality another way, their proof."""

    size: int | None
    witness: tuple[Any, ...] | None
    menus: tuple[Menu, ...]
    status: str
    examined: int = 0
    proof: Any = None


def _better(change: Exact, attained: bool, best: tuple[Any, ...] | None, upward: bool) -> bool:
    if best is None:
        return True
    side = compare(change, best[0]) * (1 if upward else -1)
    return side > 0 or (side == 0 and attained and not best[-1])


def _separable_menu(gam: Any, x: Sequence[Any], actions: ActionSet, j: int, target: Target) -> Menu:
    """A numeric feature alone: its best change is the extreme of its contribution (with
    its pair terms, partners at x) over its reachable range."""
    stay = (Fraction(0), (x[j],), True)
    span = own_range(actions, j, x[j])
    if span is None:
        return Menu((j,), (stay, None), True)
    low, high = span
    pieces = clipped_pieces(gam, j, x, low, high)
    value, argument, attained = range_extreme(pieces, target.upward)
    change = value - _own(gam, x, j, x[j])
    if compare(change, 0) * (1 if target.upward else -1) <= 0:
        return Menu((j,), (stay, None), True)  # moving j never helps: dominated by staying
    moved = int(argument) if not isinstance(actions.domains[j], Interval) else argument
    return Menu((j,), (stay, (change, (moved,), attained)), True)


def _own(gam: Any, x: Sequence[Any], j: int, value: Any) -> Exact:
    """Feature j's contribution and pair terms at ``value``, partners at x."""
    return gam.features[j].contribution_exact(value) + shift_on(gam, j, x, value)


def _approach(gam: Any, x: Sequence[Any], actions: ActionSet, j: int, end: Any, change: Exact,
              allowance: Exact, upward: bool) -> Any:  # fmt: skip
    """A point left of the open end ``end`` whose change is within ``allowance`` of the
    supremum ``change`` (the piece is a polynomial, continuous up to ``end``): halve the
    distance from the range's low end until it is, checking each point exactly."""
    span = own_range(actions, j, x[j])
    assert span is not None
    low, here = span[0], _own(gam, x, j, x[j])
    gap = Fraction(end) - low
    for t in range(1, 4096):
        if t % 64 == 0:
            deadline.check()
        v = Fraction(end) - gap / 2**t
        if compare((_own(gam, x, j, v) - here - change) * (1 if upward else -1) + allowance,
                   0) >= 0:  # fmt: skip
            return v
    raise UnsupportedQueryError(  # a continuous piece gets there long before
        f"no point of {gam.features[j].name} came within the allowance of its supremum"
    )


def _approach_gap(
    gam: Any, x: Sequence[Any], actions: ActionSet, menu: Menu, cost: int,
    option: tuple[Exact, tuple[Any, ...], bool], allowance: Exact, upward: bool,
) -> tuple[Any, ...]:  # fmt: skip
    """The menu's unattained option with its continuous member moved just inside its
    open gap, toward the value it names, within ``allowance`` of the supremum; every point
    inside the gap is admitted (admission is constant there)."""
    first, end = menu.opens[cost]  # type: ignore[misc]
    change, values, _ = option
    j = next(m for m in menu.members if isinstance(actions.domains[m], Interval))
    k = menu.members.index(j)
    end_value = Fraction(values[k])
    # the gap's first end is approached from the right; any other unattained value is a
    # piece's open right end (contributions are right-continuous): from the left
    inward = (end - first) / 2 if end_value == first else first - end_value
    point = list(x)
    for m, v in zip(menu.members, values, strict=True):
        point[m] = v
    point[j] = x[j]
    rest = gam.score_exact(point) - gam.score_exact(x) - _own(gam, x, j, x[j])
    for t in range(1, 4096):
        if t % 64 == 0:
            deadline.check()
        v = end_value + inward / 2**t
        if compare((rest + _own(gam, x, j, v) - change) * (1 if upward else -1) + allowance,
                   0) >= 0:  # fmt: skip
            return tuple(v if m == j else w for m, w in zip(menu.members, values, strict=True))
    raise UnsupportedQueryError(  # a continuous piece gets there long before
        f"no point of {gam.features[j].name} came within the allowance of its supremum"
    )


def _enumerated_menu(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    fixed: frozenset[int], budget: int,
) -> Menu:  # fmt: skip
    """Every candidate joint point of the component, admitted by the definition, binned
    by how many members it changes."""
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if len(continuous) == 1 and not _linked_or_paired(gam, actions, continuous[0]):
        return _gap_menu(gam, x, actions, members, target, fixed, budget, continuous[0])
    if continuous:
        continuous_names = [actions.names[m] for m in continuous]
        raise UnsupportedQueryError(
            f"the component {[actions.names[m] for m in members]} couples the continuous "
            f"feature(s) {continuous_names} to others in a way minimum recourse does not "
            "cut into gaps: it handles one continuous member per component, joined by "
            "if-then constraints or mutability switches, no linkage moving it and no pair "
            "term touching it (a continuous feature alone in its component is fine)"
        )
    component = actions.components.index(actions.component_of(members[0]))
    here = tuple(x[m] for m in members)
    base = gam.score_exact(x)
    best: list[tuple[Exact, tuple[Any, ...], bool] | None] = [None] * (len(members) + 1)
    best[0] = (Fraction(0), here, True)
    examined = 0
    complete = True
    for values in component_points(actions, members, x):
        if examined >= budget or (examined % 1024 == 1023 and deadline.expired()):
            complete = False
            break
        examined += 1
        changed = [m for m, v, h in zip(members, values, here, strict=True) if v != h]
        if not changed or fixed.intersection(changed):
            continue
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if not actions.admits_on(component, x, point):
            continue
        change = gam.score_exact(point) - base
        if _better(change, True, best[len(changed)], target.upward):
            best[len(changed)] = (change, tuple(values), True)
    return Menu(members, tuple(best), complete, examined)


def _linked_or_paired(gam: Any, actions: ActionSet, j: int) -> bool:
    """Whether a linkage names feature j or a pair term touches it (then its gaps are not
    cut here)."""
    name = actions.names[j]
    return any(isinstance(c, DirectionalLinkage) and name in (c.source, *c.targets)
               for c in actions.constraints) or any(j in p.features for p in gam.pairs)  # fmt: skip


def _gap_menu(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    fixed: frozenset[int], budget: int, last: int,
) -> Menu:  # fmt: skip
    """A component whose one continuous member ``last`` is coupled to discrete ones by
    if-then constraints or switches (``thm:recourse-knapsack``, the gap case): every
    joint value of the others enumerated; ``last``'s admitted set, the others there, is
    cut at the constants the constraints name (x's value among them) into points and
    open gaps, admission decided once per cell; over a gap the best change of ``last``'s
    contribution is the exact extreme of its pieces, an open end approached, not
    attained."""
    component = actions.components.index(actions.component_of(members[0]))
    position = members.index(last)
    others = [m for m in members if m != last]
    here_last = Fraction(x[last])
    own = _own(gam, x, last, x[last])
    base = gam.score_exact(x)
    best: list[tuple[Exact, tuple[Any, ...], bool] | None] = [None] * (len(members) + 1)
    opens: list[tuple[Fraction, Fraction] | None] = [None] * (len(members) + 1)
    best[0] = (Fraction(0), tuple(x[m] for m in members), True)
    examined = 0
    complete = True
    point = list(x)
    for values in itertools.product(*(_other_values(actions, m, x) for m in others)):
        if examined >= budget or (examined % 256 == 255 and deadline.expired()):
            complete = False
            break
        examined += 1
        changed = [m for m, v in zip(others, values, strict=True) if v != x[m]]
        if fixed.intersection(changed):
            continue
        for m, v in zip(others, values, strict=True):
            point[m] = v
        rest = gam.score_exact(point) - base  # last still at x: no pair term touches it
        for first, end, gap in _cells(actions, component, last, x, point):
            moved = gap or first != here_last
            if moved and last in fixed:
                continue
            if gap:
                pieces = _opened(clipped_pieces(gam, last, x, first, end), end)
                # attained inside when a piece is constant at the supremum (_open_extreme)
                value, argument, attained = _open_extreme(pieces, first, target.upward)
            else:
                value, argument, attained = _own(gam, x, last, first), first, True
            cost = len(changed) + int(moved)
            if cost == 0:
                continue
            change = rest + value - own
            if _better(change, attained, best[cost], target.upward):
                joint = list(values)
                joint.insert(position, argument)
                best[cost] = (change, tuple(joint), attained)
                opens[cost] = (first, end) if gap else None
        for m in others:
            point[m] = x[m]
    return Menu(members, tuple(best), complete, examined, tuple(opens))


def _menus(
    gam: Any, x: Sequence[Any], actions: ActionSet, target: Target, fixed: frozenset[int],
    max_states: int,
) -> tuple[Menu, ...]:  # fmt: skip
    menus = []
    for members in actions.components:
        if len(members) == 1 and not isinstance(actions.domains[members[0]], Finite):
            j = members[0]
            if j in fixed:
                menus.append(Menu((j,), ((Fraction(0), (x[j],), True), None), True))
            else:
                menus.append(_separable_menu(gam, x, actions, j, target))
        else:
            menus.append(_enumerated_menu(gam, x, actions, members, target, fixed, max_states))
    return tuple(menus)


def _convolve(
    menus: Sequence[Menu], upward: bool
) -> list[tuple[Exact, tuple[int, ...], bool] | None]:
    """best[C]: the best total change over choices of one entry per menu whose costs sum
    to C, with the cost chosen in each menu and whether every part is attained (the
    group knapsack, max-plus; on equal totals an attained one is kept)."""
    best: list[tuple[Exact, tuple[int, ...], bool] | None] = [(Fraction(0), (), True)]
    for menu in menus:
        deadline.check()
        size = len(best) + len(menu.best) - 1
        merged: list[tuple[Exact, tuple[int, ...], bool] | None] = [None] * size
        for total, entry in enumerate(best):
            if entry is None:
                continue
            for cost, option in enumerate(menu.best):
                if option is None:
                    continue
                change, attained = entry[0] + option[0], entry[2] and option[2]
                if _better(change, attained, merged[total + cost], upward):
                    merged[total + cost] = (change, (*entry[1], cost), attained)
        best = merged
    return best


def _reaches(target: Target, score: Exact, attained: bool) -> bool:
    """Whether some point meets the target when ``score`` is the supremum (infimum)."""
    side = compare(score, target.level) * (1 if target.upward else -1)
    return side > 0 or (side == 0 and attained and target.sense in (">=", "<="))


def knapsack_recourse(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *,
    fixed: frozenset[int], max_states: int, time_limit: float | None,
) -> Plan:  # fmt: skip
    """Menus per component and their group knapsack (``thm:recourse-knapsack``)."""
    base = gam.score_exact(x)
    with deadline.limit(time_limit):
        try:
            menus = _menus(gam, x, actions, target, fixed, max_states)
            table = _convolve(menus, target.upward)
        except deadline.OutOfTime:
            return Plan(None, None, (), "time_limit")
        stopped = "time_limit" if deadline.expired() else "budget_exhausted"
    complete = all(m.complete for m in menus)
    examined = sum(m.examined for m in menus)
    for cost, entry in enumerate(table):
        if entry is None or not _reaches(target, base + entry[0], entry[2]):
            continue
        try:
            witness = _witness(gam, x, actions, menus, entry, target, base)
        except deadline.OutOfTime:
            return Plan(None, None, menus, "time_limit", examined)
        return Plan(cost, witness, menus, "solved" if complete else stopped, examined)
    return Plan(None, None, menus, "solved" if complete else stopped, examined)


def _witness(
    gam: Any, x: Sequence[Any], actions: ActionSet, menus: Sequence[Menu],
    entry: tuple[Exact, tuple[int, ...], bool], target: Target, base: Exact,
) -> tuple[Any, ...]:  # fmt: skip
    """The chosen moves as one point; an unattained supremum is approached within an
    equal share of half the margin by which the total passes the level."""
    chosen = [menu.best[c] for menu, c in zip(menus, entry[1], strict=True)]
    open_ends = sum(1 for option in chosen if option is not None and not option[2])
    margin = (base + entry[0] - target.level) * (1 if target.upward else -1)
    witness = list(x)
    for menu, option, cost in zip(menus, chosen, entry[1], strict=True):
        assert option is not None
        values = option[1]
        if not option[2] and menu.opens and menu.opens[cost] is not None:
            allowance = margin / (2 * open_ends)
            values = _approach_gap(gam, x, actions, menu, cost, option, allowance,
                                   target.upward)  # fmt: skip
        elif not option[2]:
            j = menu.members[0]
            allowance = margin / (2 * open_ends)
            values = (_approach(gam, x, actions, j, values[0], option[0], allowance,
                                target.upward),)  # fmt: skip
        for m, v in zip(menu.members, values, strict=True):
            witness[m] = v
    return tuple(witness)


def joint_recourse(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *,
    fixed: frozenset[int], max_states: int, time_limit: float | None,
) -> Plan:  # fmt: skip
    """Every point of R(x), cheapest first found (``thm:recourse-brute``)."""
    if any(isinstance(d, Interval) for d in actions.domains):
        raise UnsupportedQueryError("joint enumeration of R(x) needs a discrete action set")
    found: tuple[int, tuple[Any, ...]] | None = None
    examined = 0
    with deadline.limit(time_limit):
        try:
            per = _admitted(actions, x, fixed)
        except deadline.OutOfTime:
            return Plan(None, None, (), "time_limit")
        for choice in itertools.product(*per):
            examined += 1
            if examined > max_states or (examined % 1024 == 0 and deadline.expired()):
                status = "time_limit" if deadline.expired() else "budget_exhausted"
                return Plan(found[0] if found else None, found[1] if found else None, (),
                            status, examined)  # fmt: skip
            point = list(x)
            for members, values in zip(actions.components, choice, strict=True):
                for m, v in zip(members, values, strict=True):
                    point[m] = v
            cost = sum(1 for a, b in zip(point, x, strict=True) if a != b)
            if found is not None and cost >= found[0]:
                continue
            if target.meets(gam.score_exact(point)):
                found = (cost, tuple(point))
    if found is None:
        return Plan(None, None, (), "solved", examined)
    return Plan(found[0], found[1], (), "solved", examined)


def _admitted(
    actions: ActionSet, x: Sequence[Any], fixed: frozenset[int]
) -> list[list[tuple[Any, ...]]]:
    """Each component's admitted joint points (x's own values included)."""
    per = []
    for k, members in enumerate(actions.components):
        keep = []
        for count, values in enumerate(component_points(actions, members, x)):
            if count % 1024 == 1023:
                deadline.check()
            point = list(x)
            for m, v in zip(members, values, strict=True):
                point[m] = v
            if any(point[m] != x[m] for m in fixed.intersection(members)):
                continue
            if actions.admits_on(k, x, point):
                keep.append(values)
        per.append(keep)
    return per


def _joined(gam: Any, options: Mapping[str, Any]) -> str | None:
    actions = options.get("actions")
    if actions is None:
        return None
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    if any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs):
        return "a pair term joins two components, so the score does not separate over them"
    return None


def joint_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """Why joint enumeration cannot answer (a continuous domain, or R(x) far past
    ``max_states``), or None."""
    if any(isinstance(f.domain, Interval) for f in gam.features):
        return "joint enumeration needs a discrete action set"
    actions, x = options.get("actions"), options.get("x")
    if actions is None or x is None:
        return None
    size = math.prod(product_bound(actions, c, x) for c in actions.components)
    if size > 10 * options.get("max_states", 1_000_000):
        return f"R(x) may hold {size} points, more than ten times max_states"
    return None


register_algorithm(
    "recourse", "component-knapsack",
    summary="each component's best change per number of changed members (exact extremes "
            "for a separable feature, enumeration otherwise), combined by a group knapsack",
    theorem="thm:recourse-knapsack", priority=10, applies=_joined,
    fallback_on=("budget_exhausted",),
)(knapsack_recourse)  # fmt: skip
register_algorithm(
    "recourse", "joint-enumeration",
    summary="every point of R(x), the product of the components' admitted points, scored "
            "exactly; the reference",
    theorem="thm:recourse-brute", priority=100, applies=joint_applies,
)(joint_recourse)  # fmt: skip
