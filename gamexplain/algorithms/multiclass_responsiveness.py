"""Responsiveness and fixed predictions of a multiclass GAM toward a class.

The target is a :class:`~gamexplain.substrate.reach.ClassTarget`: class t wins the argmax
(ties to the lowest index), or, negated, the predicted class stops winning. Class t wins
at z exactly when every rival model D_tr = score_t − score_r
(:func:`gamexplain.model.multiclass.rival_model`) predicts class 1 at z: D_tr(z) ≥ 0 for
r > t, D_tr(z) > 0 for r < t. So

- a separable numeric feature j (alone in its component) moves every D_tr by its own
  contribution (its pair terms' partners at x); the classes share j's breakpoints and
  pair edges, so the K − 1 rival models cut j's reachable range into the same pieces,
  and on each piece the set where t wins is the intersection of K − 1 level sets. On a
  constant piece that is all of it or nothing; on a linear piece an interval from the
  K − 1 half-lines; a piece of higher degree on an integer range is enumerated;
- a component of several features, or a finite one, is enumerated jointly and the argmax
  decided per point (through the rival models, exactly);
- "fixed" toward class t asks whether some point of R(x) = ∏_P R_P(x) meets all K − 1
  conditions at once. When no pair term joins two components each D_tr is
  score(x) plus the components' changes, so a component is the finite set of its change
  vectors (one per constant piece or per enumerated point); the sums over components
  are kept as a Pareto frontier (a larger change of every D_tr is better), whose size
  ``max_states`` bounds. Negated ("some other class wins") the question separates per
  rival r: the least D_pr over R(x) is D_pr(x) plus each component's least change.
  Components joined by pair terms are enumerated jointly.
- a linear piece of a separable feature on a real interval moves the rival changes
  along a segment (``thm:multiclass-fixed-lines``): negated, its least change is at an
  end (an open end approached: a point just inside it is the witness); toward class t,
  each choice of one change vector or one segment per component is a system of K − 1
  linear inequalities (strict where a rival of lower index must be beaten) in one
  parameter per chosen segment, decided exactly by Fourier–Motzkin elimination
  (:mod:`gamexplain.substrate.linear_systems`) with a rational witness.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.responsiveness import Count, Reach, Tally, _coupled_continuous, _kind
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet
from gamexplain.model.domains import Finite, Interval
from gamexplain.model.multiclass import rival_model
from gamexplain.substrate import deadline
from gamexplain.substrate.linear_systems import Inequality, feasible_point
from gamexplain.substrate.pieces import Segment, lower
from gamexplain.substrate.reach import (
    ClassTarget,
    Target,
    clipped_pieces,
    component_points,
    own_range,
    product_bound,
    shift_on,
)

__all__ = ["multiclass_responsiveness"]

_Vector = tuple[Exact, ...]
_Vectors = dict[_Vector, tuple[Any, ...]]  # change vector -> the members' values attaining it


@dataclass(frozen=True)
class _Line:
    """The rival changes along a linear piece of a separable feature j over [low, high]
    (high included when ``closed``): ``start + slope·(v − low)`` at value v."""

    low: Fraction
    high: Fraction
    closed: bool
    start: _Vector
    slope: _Vector

    def at(self, v: Fraction) -> _Vector:
        return tuple(a + b * (v - self.low) for a, b in zip(self.start, self.slope, strict=True))


_Found = tuple[Count, _Vectors | None, tuple[_Line, ...]]
"""A component's counts, its change vectors (None: too many) and its segments of them."""


def _line(segment: Segment, constants: Sequence[Exact], slopes: Sequence[Exact],
          base: Sequence[Exact]) -> _Line:  # fmt: skip
    """The segment of rival changes of a linear piece: rival r's model is
    ``constants[r] + slopes[r]·(v − anchor)`` there, its value at x ``base[r]``."""
    start = tuple(Fraction(c + s * (segment.low - segment.anchor) - b)
                  for c, s, b in zip(constants, slopes, base, strict=True))  # fmt: skip
    return _Line(segment.low, segment.high, segment.closed, start,
                 tuple(Fraction(s) for s in slopes))  # fmt: skip


class _Rivals:
    """The K − 1 rival models of the target class with their conditions, at x."""

    def __init__(self, gam: Any, x: Sequence[Any], target: ClassTarget) -> None:
        t = target.wins
        self.target = target
        self.models = [rival_model(gam, t, r, deadline.check)
                       for r in range(gam.n_classes) if r != t]  # fmt: skip
        self.goals = [Target(">=" if t < r else ">", Fraction(0))
                      for r in range(gam.n_classes) if r != t]  # fmt: skip
        self.base = [m.score_exact(x) for m in self.models]

    def wins(self, point: Sequence[Any]) -> bool:
        return all(g.meets(m.score_exact(point)) for m, g in zip(self.models, self.goals,
                                                                 strict=True))  # fmt: skip

    def meets(self, point: Sequence[Any]) -> bool:
        return self.wins(point) != self.target.negate

    def vector(self, point: Sequence[Any]) -> _Vector:
        return tuple(m.score_exact(point) - b for m, b in zip(self.models, self.base, strict=True))


# -- a separable numeric feature ------------------------------------------------------------
def _polynomial(segment: Segment, v: Exact) -> Exact:
    total: Exact = Fraction(0)
    for r, c in enumerate(segment.coefficients):
        total = total + c * (v - segment.anchor) ** r
    return total


def _win_measure(segment: Segment, constants: Sequence[Exact], slopes: Sequence[Exact],
                 goals: Sequence[Target]) -> Exact:  # fmt: skip
    """The measure of the piece where every ``constants[r] + slopes[r]·(v − anchor)`` meets
    ``goals[r]`` (levels 0): the intersection of K − 1 half-lines with the piece."""
    low: tuple[Exact, bool] = (segment.low, False)  # (bound, strict)
    high: tuple[Exact, bool] = (segment.high, not segment.closed and not segment.integers)
    for constant, slope, goal in zip(constants, slopes, goals, strict=True):
        strict = goal.sense == ">"
        if slope == 0:
            if not goal.meets(constant):
                return Fraction(0)
            continue
        edge = segment.anchor - constant / slope
        if slope > 0:
            side = compare(edge, low[0])
            if side > 0 or (side == 0 and strict):
                low = (edge, strict)
        else:
            side = compare(edge, high[0])
            if side < 0 or (side == 0 and strict):
                high = (edge, strict)
    if segment.integers:
        first = math.floor(low[0]) + 1 if low[1] else math.ceil(low[0])
        last = math.ceil(high[0]) - 1 if high[1] else math.floor(high[0])
        return Fraction(max(0, last - first + 1))
    return max(Fraction(0), Fraction(high[0]) - Fraction(low[0]))


def _separable(gam: Any, x: Sequence[Any], actions: ActionSet, j: int, rivals: _Rivals,
               max_states: int) -> _Found:  # fmt: skip
    """Feature j alone: its counts, its change vectors (None when a linear piece over more
    than ``max_states`` integers leaves them too many) and, per linear piece of a
    continuous range, the segment its change vectors run along."""
    span = own_range(actions, j, x[j])
    integers = not isinstance(actions.domains[j], Interval)
    stay: _Vectors = {tuple(Fraction(0) for _ in rivals.models): (x[j],)}
    if span is None or span == (Fraction(x[j]), Fraction(x[j])):
        return Count((j,), "separable", (Fraction(0),), (Fraction(0),), 0,
                     (Fraction(0), True, None)), stay, ()  # fmt: skip
    low, high = span
    if not integers and low == high:  # one point of an interval: counted, not measured
        return _enumerated(gam, x, actions, (j,), rivals, [(low,)], 1, max_states)
    cut = [clipped_pieces(m, j, x, low, high) for m in rivals.models]
    here = [m.features[j].contribution_exact(x[j]) + shift_on(m, j, x, x[j]) for m in rivals.models]
    vectors: _Vectors | None = dict(stay)
    segments: list[_Line] = []
    wins: Exact = Fraction(0)
    for parts in zip(*cut, strict=True):
        segment = parts[0][0]
        if any((s.low, s.high, s.closed) != (segment.low, segment.high, segment.closed)
               for s, _ in parts):  # fmt: skip
            raise UnsupportedQueryError(
                f"the classes cut feature {actions.names[j]!r} into different pieces"
            )
        rests = [b - h + shift for b, h, (_, shift) in zip(rivals.base, here, parts, strict=True)]
        degree = max(s.degree for s, _ in parts)
        if degree <= 1:
            constants = [r + s.coefficients[0] for r, (s, _) in zip(rests, parts, strict=True)]
            slopes = [s.coefficients[1] if s.degree else Fraction(0) for s, _ in parts]
            wins = wins + _win_measure(segment, constants, slopes, rivals.goals)
            if degree == 0 and vectors is not None:
                key = tuple(c - r0 for c, r0 in zip(
                    constants, rivals.base, strict=True))  # fmt: skip
                vectors.setdefault(key, (segment.low,))
                continue
        if not integers:
            if degree > 1:
                raise UnsupportedQueryError(
                    f"feature {actions.names[j]!r} has a piece of degree {degree} on a "
                    "continuous range; a multiclass target intersects K − 1 level sets, "
                    "which gamexplain measures on pieces of degree at most 1"
                )
            segments.append(_line(segment, constants, slopes, rivals.base))
            continue
        size = int(segment.high - segment.low) + 1
        if size > max_states and degree <= 1:
            vectors = None
            continue
        if size > max_states:
            raise UnsupportedQueryError(
                f"feature {actions.names[j]!r} has a non-constant piece of {size} integers, "
                f"more than max_states={max_states} to enumerate for a multiclass target"
            )
        for k in range(size):
            v = segment.low + k
            values = [r + _polynomial(s, v) for r, (s, _) in zip(rests, parts, strict=True)]
            met = all(g.meets(u) for g, u in zip(rivals.goals, values, strict=True))
            if degree > 1:
                wins = wins + int(met)
            if vectors is not None:
                vectors.setdefault(tuple(u - b for u, b in zip(values, rivals.base, strict=True)),
                                   (v,))  # fmt: skip
    total: Exact = high - low + 1 if integers else high - low
    hits = total - wins if rivals.target.negate else wins
    if integers and low <= Fraction(x[j]) <= high:
        total = total - 1
        hits = hits - int(rivals.meets(x))
    count = Count((j,), "separable", (total,), (hits,), 0, (Fraction(0), True, None))
    return count, vectors, tuple(segments)


# -- enumerated components ------------------------------------------------------------------
def _enumerated(gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...],
                rivals: _Rivals, points: Any, bound: int,
                max_states: int) -> _Found:  # fmt: skip
    component = actions.components.index(actions.component_of(members[0]))
    here = tuple(x[m] for m in members)
    totals = [0] * len(members)
    hits = [0] * len(members)
    vectors: _Vectors = {tuple(Fraction(0) for _ in rivals.models): here}
    examined = 0
    complete = True
    timed_out = False
    for values in points:
        if examined >= max_states or (examined % 1024 == 1023 and deadline.expired()):
            complete, timed_out = False, examined < max_states
            break
        examined += 1
        if values == here:
            continue
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if not actions.admits_on(component, x, point):
            continue
        meets = rivals.meets(point)
        for k, m in enumerate(members):
            if values[k] != here[k] and actions.features[m].actionable:
                totals[k] += 1
                hits[k] += meets
        vectors.setdefault(rivals.vector(point), tuple(values))
    unseen = 0 if complete else max(bound - examined, 1)
    count = Count(members, _kind(actions, members), tuple(Fraction(t) for t in totals),
                  tuple(Fraction(h) for h in hits), unseen, (Fraction(0), True, None),
                  examined, timed_out)  # fmt: skip
    return count, vectors if complete else None, ()


def _component(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], rivals: _Rivals,
    max_states: int, brute: bool,
) -> _Found:  # fmt: skip
    if len(members) == 1 and not isinstance(actions.domains[members[0]], Finite) and not brute:
        return _separable(gam, x, actions, members[0], rivals, max_states)
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if len(continuous) > 1:
        raise UnsupportedQueryError(_coupled_continuous(actions, members, continuous))
    if continuous:
        names = [actions.names[m] for m in members]
        raise UnsupportedQueryError(
            f"the component {names} couples the continuous feature "
            f"{actions.names[continuous[0]]!r} to others; on a multiclass model such a "
            "component is not measured yet (its count x length measure is computed for "
            "binary and regression models). Give it a discrete domain (Integers or Finite) "
            "or drop the constraints that join it"
        )
    bound = product_bound(actions, members, x)
    return _enumerated(gam, x, actions, members, rivals, component_points(actions, members, x),
                       bound, max_states)  # fmt: skip


# -- the whole reachable set ----------------------------------------------------------------
def _dominates(a: _Vector, b: _Vector) -> bool:
    return all(compare(u, v) >= 0 for u, v in zip(a, b, strict=True))


def _frontier(states: dict[_Vector, Any]) -> dict[_Vector, Any]:
    """The vectors no other vector dominates (one of equal vectors): a running maximum
    for one or two coordinates, pairwise comparisons beyond."""
    ordered = sorted(states, key=lambda v: [-u for u in v])
    kept: list[_Vector] = []
    if ordered and len(ordered[0]) <= 2:
        best: Exact | None = None
        for v in ordered:  # descending first coordinate: keep a strictly larger last one
            if best is None or compare(v[-1], best) > 0:
                kept.append(v)
                best = v[-1]
    else:
        for v in ordered:
            if not any(_dominates(k, v) for k in kept):
                kept.append(v)
    return {v: states[v] for v in kept}


def _point(
    x: Sequence[Any], actions: ActionSet, parts: Sequence[tuple[Any, ...]]
) -> tuple[Any, ...]:
    point = list(x)
    for members, values in zip(actions.components, parts, strict=True):
        for m, v in zip(members, values, strict=True):
            point[m] = v
    return tuple(point)


def _winning(x: Sequence[Any], actions: ActionSet, rivals: _Rivals,
             per: Sequence[_Vectors], max_states: int) -> Reach:  # fmt: skip
    """Some sum of one vector per component makes the target class win (a Pareto frontier
    of partial sums; every component holds the zero vector, so a partial sum is a full one
    and the first that wins is a witness; a partial sum that cannot win even with every
    later component's best change per rival is dropped)."""
    rivals_n = len(rivals.models)
    per = [_frontier(vectors) for vectors in per]  # a dominated change never helps
    for weights in [tuple(int(r == q) for r in range(rivals_n)) for q in range(rivals_n)] + [
            tuple(1 for _ in range(rivals_n))]:  # fmt: skip
        # a quick try: per component, the change best for one weighting of the rivals
        picks = [max(vectors, key=lambda v: sum(w * u for w, u in zip(weights, v, strict=True)))
                 for vectors in per]  # fmt: skip
        reached = [b + sum(p[r] for p in picks) for r, b in enumerate(rivals.base)]
        if all(g.meets(u) for g, u in zip(rivals.goals, reached, strict=True)):
            return Reach(True, _point(x, actions, [v[p] for v, p in zip(per, picks, strict=True)]))
    after: list[_Vector] = [tuple(Fraction(0) for _ in range(rivals_n))]
    for vectors in reversed(per):
        top = tuple(max(v[r] for v in vectors) for r in range(rivals_n))
        after.append(tuple(a + b for a, b in zip(after[-1], top, strict=True)))
    after.reverse()  # after[k]: the best change per rival of components k, k+1, ...

    def hopeful(s: _Vector, k: int) -> bool:
        return all(g.meets(b + u + w) for g, b, u, w in zip(
            rivals.goals, rivals.base, s, after[k], strict=True))  # fmt: skip

    states: dict[_Vector, tuple[tuple[Any, ...], ...]] = {
        tuple(Fraction(0) for _ in range(rivals_n)): ()
    }
    for k, vectors in enumerate(per):
        if deadline.expired():
            return Reach(None, None)
        grown: dict[_Vector, tuple[tuple[Any, ...], ...]] = {}
        for s, parts in states.items():
            for v, values in vectors.items():
                total = tuple(a + b for a, b in zip(s, v, strict=True))
                if total not in grown and hopeful(total, k + 1):
                    grown[total] = (*parts, values)
        states = _frontier(grown)
        for s, parts in states.items():
            if hopeful(s, len(per)):
                rest = [tuple(x[m] for m in c) for c in actions.components[k + 1 :]]
                return Reach(True, _point(x, actions, [*parts, *rest]))
        if not states:
            return Reach(False, None)
        if len(states) > max_states:
            return Reach(None, None)
    return Reach(False, None)


def _least(vectors: _Vectors, lines: Sequence[_Line], r: int) -> tuple[Exact, bool, Any, Any]:
    """A component's least change of rival r: (value, attained, values, line), the line
    when it is approached at a line's open end (then ``values`` is that end)."""
    v = min(vectors, key=lambda u: u[r])
    best: tuple[Exact, bool, Any, Any] = (v[r], True, vectors[v], None)
    for line in lines:
        ends = ((line.low, line.start[r], True),
                (line.high, line.at(line.high)[r], line.closed))  # fmt: skip
        for end, value, closed in ends:
            side = compare(value, best[0])
            if side < 0 or (side == 0 and closed and not best[1]):
                best = (value, closed, (end,), None if closed else line)
    return best


def _losing(x: Sequence[Any], actions: ActionSet, rivals: _Rivals, per: Sequence[_Vectors],
            lines: Sequence[Sequence[_Line]]) -> Reach:  # fmt: skip
    """Some point makes a rival beat the target class: per rival, the least sum over
    R(x) (an affine change is least at an end of its segment; an open end is approached,
    so a point just inside it is taken when the least sum is below the rival's level)."""
    for r, (goal, base) in enumerate(zip(rivals.goals, rivals.base, strict=True)):
        least = [_least(vectors, own, r) for vectors, own in zip(per, lines, strict=True)]
        total = base + sum((value for value, *_ in least), Fraction(0))
        attained = all(reached for _, reached, *_ in least)
        if goal.meets(total) or not (attained or total < 0):
            continue
        open_ends = [line for *_, line in least if line is not None]
        parts = []
        for _value, _reached, values, line in least:
            if line is not None:  # inside by a gap costing at most a 1/(2·count) share of the slack
                gap = min(line.high - line.low,
                          -total / (2 * len(open_ends) * -line.slope[r]))  # fmt: skip
                values = (line.high - gap,)
            parts.append(values)
        return Reach(True, _point(x, actions, parts))
    return Reach(False, None)


def _options(vectors: _Vectors, lines: Sequence[_Line]) -> list[Any]:
    return [*((v, vectors[v]) for v in vectors), *lines]


def _winning_lines(x: Sequence[Any], actions: ActionSet, rivals: _Rivals,
                   per: Sequence[_Vectors], lines: Sequence[Sequence[_Line]],
                   max_states: int) -> Reach:  # fmt: skip
    """Some point makes the target class win when some components have linear pieces on a
    continuous range: one change vector or one segment per component; for each choice,
    whether the segments' values make every rival condition hold is a small system of
    linear inequalities, decided exactly by Fourier–Motzkin elimination with a rational
    witness (:func:`gamexplain.substrate.linear_systems.feasible_point`)."""
    options = [_options(_frontier(vectors), own) for vectors, own in zip(per, lines, strict=True)]
    if math.prod(len(o) for o in options) > max_states:
        return Reach(None, None)
    for choice in itertools.product(*options):
        if deadline.expired():
            return Reach(None, None)
        found = _solve_choice(rivals, choice)
        if found is not None:
            parts = [(v,) if isinstance(c, _Line) else c[1]
                     for c, v in zip(choice, found, strict=True)]  # fmt: skip
            return Reach(True, _point(x, actions, parts))
    return Reach(False, None)


def _top(option: Any, r: int) -> Exact:
    """The largest change of rival r an option offers (a segment's larger end)."""
    if isinstance(option, _Line):
        return max(option.start[r], option.at(option.high)[r])
    return option[0][r]


def _solve_choice(rivals: _Rivals, choice: Sequence[Any]) -> list[Any] | None:
    """Values of the chosen segments making every rival condition hold (None for a
    vector), or None when none do (at once when a rival's largest change falls short)."""
    for r, (goal, base) in enumerate(zip(rivals.goals, rivals.base, strict=True)):
        if not goal.meets(base + sum((_top(c, r) for c in choice), Fraction(0))):
            return None
    index = [k for k, c in enumerate(choice) if isinstance(c, _Line)]
    n = len(index)
    system = []
    for r, (goal, base) in enumerate(zip(rivals.goals, rivals.base, strict=True)):
        constant, row = Fraction(base), [Fraction(0)] * n
        for k, c in enumerate(choice):
            if isinstance(c, _Line):
                constant += c.start[r] - c.slope[r] * c.low
                row[index.index(k)] = c.slope[r]
            else:
                constant += c[0][r]
        system.append(Inequality(tuple(row), constant, goal.sense == ">"))
    for i, k in enumerate(index):
        line = choice[k]
        unit = tuple(Fraction(int(i == q)) for q in range(n))
        system.append(Inequality(unit, -line.low, False))
        system.append(Inequality(tuple(-u for u in unit), line.high, not line.closed))
    point = feasible_point(system, n)
    if point is None:
        return None
    return [point[index.index(k)] if k in index else None for k in range(len(choice))]


def _joined(gam: Any, actions: ActionSet) -> bool:
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    return any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs)


def _joint(x: Sequence[Any], actions: ActionSet, rivals: _Rivals, max_states: int) -> Reach:
    """R(x) enumerated point by point when pair terms join components."""
    if any(isinstance(d, Interval) for d in actions.domains):
        raise UnsupportedQueryError(
            "deciding a fixed prediction when pair terms join components needs a discrete "
            "action set"
        )
    if math.prod(product_bound(actions, c, x) for c in actions.components) > max_states:
        return Reach(None, None)
    per = [list(component_points(actions, c, x)) for c in actions.components]
    for parts in itertools.product(*per):
        point = _point(x, actions, parts)
        if actions.admits(x, point) and rivals.meets(point):
            return Reach(True, point)
    return Reach(False, None)


def _tally(gam: Any, x: tuple[Any, ...], actions: ActionSet, target: ClassTarget, *,
           max_states: int, time_limit: float | None, brute: bool) -> Tally:  # fmt: skip
    rivals = _Rivals(gam, x, target)
    note = ""
    with deadline.limit(time_limit):
        found = [_component(gam, x, actions, c, rivals, max_states, brute)
                 for c in actions.components]  # fmt: skip
        counts = tuple(c for c, _, _ in found)
        complete = all(c.unseen == 0 for c in counts)
        per = [v for _, v, _ in found]
        lines = [own for _, _, own in found]
        if _joined(gam, actions):
            try:
                reach = _joint(x, actions, rivals, max_states)
            except UnsupportedQueryError as error:
                reach, note = Reach(None, None), str(error)
        elif any(v is None for v in per):
            reach = Reach(None, None)
            if complete:
                note = ("a feature alone in its component has a linear piece over more than "
                        "max_states integers, so its change vectors are too many: whether the "
                        "prediction is fixed toward a class of a multiclass model is decided "
                        "there for step functions, or on real intervals")  # fmt: skip
        elif target.negate:
            reach = _losing(x, actions, rivals, per, lines)  # type: ignore[arg-type]
        elif any(lines):
            reach = _winning_lines(x, actions, rivals, per, lines,  # type: ignore[arg-type]
                                   max_states)  # fmt: skip
        else:
            reach = _winning(x, actions, rivals, per, max_states)  # type: ignore[arg-type]
        if rivals.meets(x) and reach.reaches is not True and not target.negate:
            reach = Reach(True, tuple(x))
        decided = reach.reaches is not None or bool(note)
        late = any(c.timed_out for c in counts) or deadline.expired()
    status = "solved" if complete and decided else "time_limit" if late else "budget_exhausted"
    return Tally(counts, reach, status, note)


def _refuse(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


def multiclass_responsiveness(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: ClassTarget, *, max_states: int,
    time_limit: float | None,
) -> Tally:  # fmt: skip
    """Counts toward a class of a multiclass model.

    Notes
    -----
    O(K·p) per separable feature of p pieces; an enumerated component costs one argmax
    per candidate point (``thm:multiclass-resp``). "Fixed" toward a class with linear
    pieces on real intervals: one Fourier–Motzkin elimination per choice of one change
    vector or segment per component, ∏_P (v_P + s_P) choices for v_P frontier vectors
    and s_P segments of component P, each over one variable per chosen segment
    (``thm:multiclass-fixed-lines``).
    """
    return _tally(gam, x, actions, target, max_states=max_states, time_limit=time_limit,
                  brute=False)  # fmt: skip


def multiclass_brute_responsiveness(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: ClassTarget, *, max_states: int,
    time_limit: float | None,
) -> Tally:  # fmt: skip
    """Every component enumerated, the argmax per point (``thm:resp-brute``)."""
    return _tally(gam, x, actions, target, max_states=max_states, time_limit=time_limit,
                  brute=True)  # fmt: skip


def _brute_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    if any(isinstance(f.domain, Interval) for f in gam.features):
        return "brute force needs a discrete action set"
    return None


def _lines_apply(gam: Any, options: Mapping[str, Any]) -> str | None:
    for model in getattr(gam, "scores", ()):
        for feature in model.features:
            if isinstance(feature.domain, Interval) and any(
                    isinstance(s, Segment) and s.degree == 1 for s in lower(feature)):  # fmt: skip
                return None
    return "no feature has a linear piece on a real interval"


for _query in ("responsiveness", "fixed"):
    register_algorithm(
        _query, "rival-lines",
        summary="as rival-levels; a linear piece on a real interval moves the rival changes "
                "along a segment, and fixed toward a class is decided per choice of one "
                "vector or segment per component by exact Fourier–Motzkin elimination",
        theorem="thm:multiclass-fixed-lines", priority=9, applies=_lines_apply,
        fallback_on=("budget_exhausted",),
        solves=lambda cell: cell.task == "multiclass", multiclass=True,
    )(multiclass_responsiveness)  # fmt: skip
    register_algorithm(
        _query, "rival-levels",
        summary="per separable feature, the intersection of the K − 1 rival level sets "
                "piece by piece; components enumerated with the argmax per point; fixed "
                "by a Pareto frontier of the components' rival change vectors",
        theorem="thm:multiclass-resp", priority=10, fallback_on=("budget_exhausted",),
        solves=lambda cell: cell.task == "multiclass", multiclass=True,
    )(multiclass_responsiveness)  # fmt: skip
    register_algorithm(
        _query, "rival-brute",
        summary="every candidate point of every component, the argmax per point; the "
                "reference",
        theorem="thm:resp-brute", priority=100, applies=_brute_applies,
        solves=lambda cell: cell.task == "multiclass", multiclass=True,
    )(multiclass_brute_responsiveness)  # fmt: skip
