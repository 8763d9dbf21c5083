"""The area (volume) measure of an action-set component with several continuous members.

For a component P whose members include two or more continuous (``Interval``) features,
|R_j(x)| is measured by counting over the discrete members and by volume over the
*free coordinates*: the values of P's actionable continuous members. A continuous
member that is not actionable moves only through linkages, so its value is an affine
function of its sources' values and adds no dimension (a linkage from c1 to an
immutable c2 makes R_P(x) a segment, measured by its length in c1). Where R_j(x) has no
volume in all free coordinates (a switch turned off pins its continuous targets, an
``==`` consequence pins a member), it is measured in the highest dimension where it has
some: R_P(x) is split into *pieces* by pinning each free member either nowhere, or its
own move at 0 or a step limit, or its value at a level a test of the definition reads
(x_m, a bound, a condition's level) — every hyperplane where the reachable set can
collapse to fewer dimensions is one of these; a piece with k
free coordinates is measured by k-volume in them, and R_j(x)'s measure is the sum over
the pieces of the largest k where that sum is positive — for one continuous member this
is the count × length rule of ``thm:resp-coupled-last``.

Per joint value of the discrete members and per piece, every comparison
:meth:`~gamexplain.model.actions.ActionSet.admits_on` makes is affine in the free
coordinates (bounds, steps and own moves, if-then levels, a switch's "moved"), so the
hyperplanes where one can change cut the domain box into convex cells on each of which
admissibility is constant; each cell is decided by the definition at its centroid.
Admitted cells are cut again at the breakpoints of the members' contributions, so the
score is affine on each final cell, and the part of a cell meeting the target is the
cell cut by one half-space. Every volume is exact (:mod:`gamexplain.substrate.polytopes`,
Lasserre's recursion in rationals). Pieces of degree above 1 are refused.

The best change of the score over R_P(x) is taken over points the definition admits
(cell centroids and admitted vertices), so it is attained but may fall short of the
supremum: "fixed" is decided when it finds a witness, and otherwise left open.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.actions import ActionSet, IfThenConstraint
from gamexplain.model.domains import Interval
from gamexplain.substrate import deadline
from gamexplain.substrate.polytopes import Polytope, centroid, cut, polytope, volume
from gamexplain.substrate.reach import Target, clipped_pieces

__all__ = ["Affine", "Volume", "component_volume", "measure_label"]

Affine = tuple[tuple[Fraction, ...], Fraction]
"""``(a, c)``: the value a · u + c of the free coordinates u."""


@dataclass(frozen=True)
class Volume:
    """A component's measures per member (the largest dimension with a positive one),
    the labels of those measures and an attained best change of the score."""

    totals: tuple[Exact, ...]
    hits: tuple[Exact, ...]
    measures: tuple[str, ...]
    best: tuple[Exact, bool, tuple[Any, ...]]
    examined: int


def measure_label(k: int) -> str:
    """How a measure in k free coordinates is named."""
    return {0: "count", 1: "count × length", 2: "count × area"}.get(k, f"count × {k}-volume")


def _pins(actions: ActionSet, m: int, x: Sequence[Any]) -> list[Any]:
    """How member m may sit in a piece: "free"; its own move pinned at 0 or a step
    limit (``("own", d)``); its value pinned at a level a test of the definition reads
    (``("value", v)``: x_m, a bound, a condition's level). A member that is not
    actionable sits at own move 0."""
    if not actions.features[m].actionable:
        return [("own", Fraction(0))]
    element, domain, name = actions.features[m], actions.domains[m], actions.names[m]
    assert isinstance(domain, Interval)
    steps = [Fraction(0)] + [d for d in (element.step_lb, element.step_ub) if d is not None]
    levels = [Fraction(x[m]), Fraction(domain.low), Fraction(domain.high)]
    levels += [b for b in (element.lb, element.ub) if b is not None]
    for c in actions.constraints:
        if isinstance(c, IfThenConstraint):
            levels += [side[2] for side in (c.if_, c.then) if side[0] == name]
    inside = [v for v in levels if domain.low <= v <= domain.high]
    return list(dict.fromkeys(["free", *(("own", d) for d in steps),
                               *(("value", v) for v in inside)]))  # fmt: skip


def _order(actions: ActionSet, continuous: Sequence[int]) -> list[int]:
    """The continuous members, every linkage source before its targets."""
    links = {m: [actions.names.index(s) for s, _ in actions._links.get(m, ())] for m in continuous}
    done: list[int] = []
    while len(done) < len(continuous):
        for m in continuous:
            if m not in done and all(s in done or s not in continuous for s in links[m]):
                done.append(m)
    return done


def _values(
    actions: ActionSet, x: Sequence[Any], order: Sequence[int], pattern: dict[int, Any]
) -> tuple[dict[int, Affine], dict[int, Affine], int]:
    """Each continuous member's value and own move as affine maps of the free
    coordinates, in a piece whose members sit as ``pattern`` says."""
    free = [m for m in order if pattern[m] == "free"]
    k = len(free)
    zero = tuple(Fraction(0) for _ in range(k))
    value: dict[int, Affine] = {}
    own: dict[int, Affine] = {}
    for m in order:
        here = Fraction(x[m])
        linked_a, linked_c = list(zero), Fraction(0)
        for source, scale in actions._links.get(m, ()):
            s = actions.names.index(source)
            a, c = value[s]
            linked_a = [p + scale * q for p, q in zip(linked_a, a, strict=True)]
            linked_c += scale * (c - Fraction(x[s]))
        pin = pattern[m]
        if pin == "free":
            value[m] = (tuple(Fraction(int(q == free.index(m))) for q in range(k)), Fraction(0))
        elif pin[0] == "own":
            value[m] = (tuple(linked_a), here + linked_c + pin[1])
        else:
            value[m] = (zero, Fraction(pin[1]))
        a, c = value[m]
        own[m] = (tuple(p - q for p, q in zip(a, linked_a, strict=True)), c - here - linked_c)
    return value, own, k


def _forms(actions: ActionSet, x: Sequence[Any], order: Sequence[int], value: dict[int, Affine],
           own: dict[int, Affine]) -> list[Affine]:  # fmt: skip
    """Every affine form whose sign a test of the definition reads (values against
    bounds, x and condition levels; own moves against 0 and the step limits)."""
    forms = []
    for m in order:
        element, name = actions.features[m], actions.names[m]
        levels = {Fraction(x[m])} | {b for b in (element.lb, element.ub) if b is not None}
        for c in actions.constraints:
            if isinstance(c, IfThenConstraint):
                levels |= {side[2] for side in (c.if_, c.then) if side[0] == name}
        forms += [(value[m][0], value[m][1] - v) for v in levels]
        steps = {Fraction(0)} | {d for d in (element.step_lb, element.step_ub) if d is not None}
        forms += [(own[m][0], own[m][1] - d) for d in steps]
    return [(a, c) for a, c in forms if any(a)]


def _box(actions: ActionSet, order: Sequence[int], value: dict[int, Affine],
         k: int) -> Polytope | None:  # fmt: skip
    """Every continuous member inside its domain."""
    halfspaces = []
    for m in order:
        domain = actions.domains[m]
        assert isinstance(domain, Interval)
        a, c = value[m]
        halfspaces.append((a, Fraction(domain.high) - c))
        halfspaces.append((tuple(-q for q in a), c - Fraction(domain.low)))
    return polytope(halfspaces, k)


def _cells(start: Polytope, forms: Sequence[Affine], k: int) -> list[Polytope]:
    """The cells of the arrangement of ``forms``' zero sets inside ``start``."""
    cells = [start]
    for a, c in forms:
        grown = []
        for cell in cells:
            grown += [part for part in cut(cell, a, -c, k) if part is not None]
        cells = grown
        if deadline.expired():
            raise deadline.OutOfTime
    return cells


def _point(x: Sequence[Any], order: Sequence[int], value: dict[int, Affine],
           u: Sequence[Fraction], base_point: Sequence[Any]) -> list[Any]:
    point = list(base_point)
    for m in order:
        a, c = value[m]
        point[m] = c + sum((p * q for p, q in zip(a, u, strict=True)), Fraction(0))
    return point


class _Scores:
    """Per continuous member: its pieces over its domain and its contribution at x."""

    def __init__(self, gam: Any, x: Sequence[Any], actions: ActionSet, order: Sequence[int]):
        self.pieces: dict[int, Any] = {}
        self.here: dict[int, Exact] = {}
        for m in order:
            domain = actions.domains[m]
            assert isinstance(domain, Interval)
            pieces = clipped_pieces(gam, m, x, Fraction(domain.low), Fraction(domain.high))
            for segment, _ in pieces:
                if segment.degree > 1:
                    raise UnsupportedQueryError(
                        f"feature {actions.names[m]!r} has a piece of degree {segment.degree}; "
                        "the area measure of a component of several continuous features is "
                        "computed on pieces of degree at most 1"
                    )
            self.pieces[m] = pieces
            self.here[m] = gam.features[m].contribution_exact(x[m])

    def split(self, cell: Polytope, order: Sequence[int], value: dict[int, Affine],
              k: int) -> list[tuple[Polytope, Affine]]:  # fmt: skip
        """The cell cut at every member's breakpoints, with the score change (affine in
        u) on each part."""
        parts: list[tuple[Polytope, Affine]] = [(cell, (tuple(Fraction(0) for _ in range(k)),
                                                        Fraction(0)))]  # fmt: skip
        for m in order:
            a, c = value[m]
            grown = []
            for part, (g, s) in parts:
                values = [c + sum((p * q for p, q in zip(a, v, strict=True)), Fraction(0))
                          for v in part[1]]  # fmt: skip
                low, high = min(values), max(values)
                for segment, shift in self.pieces[m]:
                    if low == high:  # a member constant on the part: the one piece holding it
                        if not (segment.low <= low < segment.high or (
                                low == segment.high and segment.closed)):  # fmt: skip
                            continue
                    elif segment.high <= low or segment.low >= high:
                        continue
                    piece: Polytope | None = part
                    if low < segment.low:
                        piece = cut(part, a, segment.low - c, k)[1]
                    if segment.high < high and piece is not None:
                        piece = cut(piece, a, segment.high - c, k)[0]
                    if piece is None:
                        continue
                    c0 = segment.coefficients[0]
                    c1 = segment.coefficients[1] if len(segment.coefficients) > 1 else Fraction(0)
                    # contribution c0 + c1 (a·u + c − anchor) + shift − here
                    slope = tuple(p + c1 * q for p, q in zip(g, a, strict=True))
                    grown.append((piece, (slope, s + c0 + c1 * (c - segment.anchor) + shift
                                          - self.here[m])))  # fmt: skip
            parts = grown
        return parts


def component_volume(
    gam: Any, x: Sequence[Any], actions: ActionSet, members: tuple[int, ...], target: Target,
    base: Exact, discrete_values: Any,
) -> Volume:  # fmt: skip
    """Measures of a component with several continuous members (see the module).

    Notes
    -----
    Per joint value of the discrete members and per piece of k free coordinates:
    O(h^k) cells for h hyperplanes of the action set, each cut at the members' p
    breakpoints into O(p^k) parts, each measured in O(m^k) exact operations (Lasserre)
    for its m half-spaces (``thm:resp-coupled-volume``).
    """
    component = actions.components.index(actions.component_of(members[0]))
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    order = _order(actions, continuous)
    others = [m for m in members if m not in continuous]
    scores = _Scores(gam, x, actions, order)
    dims = len(order) + 1
    totals = [[Fraction(0)] * len(members) for _ in range(dims)]
    hits = [[Fraction(0)] * len(members) for _ in range(dims)]
    best: tuple[Exact, bool, tuple[Any, ...]] = (Fraction(0), True,
                                                 tuple(x[m] for m in members))  # fmt: skip
    sign = 1 if target.upward else -1
    examined = 0
    seen: set[Any] = set()
    for values in discrete_values:
        point = list(x)
        change: Exact = Fraction(0)
        for m, v in zip(others, values, strict=True):
            point[m] = v
            if v != x[m]:
                feature = gam.features[m]
                change += feature.contribution_exact(v) - feature.contribution_exact(x[m])
        for pins in itertools.product(*(_pins(actions, m, x) for m in order)):
            examined += 1
            pattern = dict(zip(order, pins, strict=True))
            value, own, k = _values(actions, x, order, pattern)
            key = (tuple(values), tuple(sorted(value.items())))
            if key in seen:
                continue
            seen.add(key)
            start = _box(actions, order, value, k)
            if start is None:
                continue
            for cell in _cells(start, _forms(actions, x, order, value, own), k):
                inside = _point(x, order, value, centroid(cell), point)
                if not actions.admits_on(component, x, inside):
                    continue
                moved = [_moves(m, inside, x, value) and actions.features[m].actionable
                         for m in members]  # fmt: skip
                for part, (slope, offset) in scores.split(cell, order, value, k):
                    size, reached = _measure(part, slope, base + change + offset, target, k,
                                             inside, gam, x, members, base)  # fmt: skip
                    for q, flag in enumerate(moved):
                        if flag:
                            totals[k][q] += size
                            hits[k][q] += reached
                    best = _better(best, gam, x, actions, component, order, value, part,
                                   point, members, base, sign)  # fmt: skip
    chosen = [next((k for k in reversed(range(dims)) if totals[k][q] != 0), 0)
              for q in range(len(members))]  # fmt: skip
    return Volume(tuple(totals[k][q] for q, k in enumerate(chosen)),
                  tuple(hits[k][q] for q, k in enumerate(chosen)),
                  tuple(measure_label(k) for k in chosen), best, examined)  # fmt: skip


def _moves(m: int, inside: Sequence[Any], x: Sequence[Any], value: dict[int, Affine]) -> bool:
    """Whether member m moves on a cell (a continuous member that varies there moves
    almost everywhere; the cells are cut where it equals x_m)."""
    if m in value:
        a, c = value[m]
        return any(a) or c != Fraction(x[m])
    return bool(inside[m] != x[m])


def _change(gam: Any, x: Sequence[Any], members: Sequence[int], point: Sequence[Any]) -> Exact:
    """The change of the score from x to ``point``, which differs from x only on the
    component's members (no pair term touches them)."""
    total: Exact = Fraction(0)
    for m in members:
        if point[m] != x[m]:
            feature = gam.features[m]
            total = total + feature.contribution_exact(point[m]) - feature.contribution_exact(x[m])
    return total


def _measure(part: Polytope, slope: tuple[Fraction, ...], offset: Exact, target: Target,
             k: int, at: Any, gam: Any, x: Sequence[Any], members: Sequence[int],
             base: Exact) -> tuple[Fraction, Fraction]:  # fmt: skip
    """The part's volume and the volume where the score slope · u + offset meets the
    target (a point, k = 0, is scored exactly)."""
    if k == 0:
        return Fraction(1), Fraction(int(target.meets(base + _change(gam, x, members, at))))
    size = volume(part[0], k)
    if not any(slope):
        return size, size if target.meets(offset) else Fraction(0)
    level = Fraction(target.level) - Fraction(offset)
    # upward: slope · u ≥ level; downward: slope · u ≤ level
    halfspace = (tuple(-q for q in slope), -level) if target.upward else (slope, level)
    return size, volume((*part[0], halfspace), k)


def _better(best: tuple[Exact, bool, tuple[Any, ...]], gam: Any, x: Sequence[Any],
            actions: ActionSet, component: int, order: Sequence[int], value: dict[int, Affine],
            part: Polytope, point: list[Any], members: Sequence[int], base: Exact,
            sign: int) -> tuple[Exact, bool, tuple[Any, ...]]:  # fmt: skip
    """The best of ``best`` and the part's centroid and vertices the definition admits."""
    for u in (centroid(part), *part[1]):
        candidate = _point(x, order, value, u, point)
        if not actions.admits_on(component, x, candidate):
            continue
        change = _change(gam, x, members, candidate)
        if compare(change, best[0]) * sign > 0:
            best = (change, True, tuple(candidate[m] for m in members))
    return best
