"""Re-measuring a component with several continuous members, by slicing.

Independent of :mod:`gamexplain.algorithms.responsiveness_volume` (which cuts the region
into convex cells and measures each by Lasserre's recursion): the check takes every joint
value of the discrete members over their whole domains and every way of pinning the
continuous ones (free; own move at 0 or a step limit; value at x, a bound or a
condition's level), finds
the member values as affine maps of the free coordinates by *evaluating* the action
set's :meth:`~gamexplain.model.actions.ActionSet.linked_change` at the origin and the
unit points, and integrates over the first free coordinate. Between consecutive
u_1-coordinates of the vertices of the arrangement of every hyperplane where a test of
the definition, a piece of a member's contribution, or the target (per choice of
pieces) can change, the measure of a slice is a polynomial of degree below k in u_1,
integrated exactly by k interior nodes; each slice is measured the same way one
dimension down, and a line by deciding each gap between its critical points at its
midpoint with :meth:`~gamexplain.model.actions.ActionSet.admits` and the exact score.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from gamexplain.certify import check_size
from gamexplain.certify.evaluate import score
from gamexplain.certify.numbers import compare
from gamexplain.model.actions import IfThenConstraint
from gamexplain.model.domains import Finite, Interval
from gamexplain.substrate.polytopes import solve as _solve

__all__ = ["volume_recount"]

_Form = tuple[tuple[Fraction, ...], Fraction]


def _domain_values(domain: Any) -> list[Any]:
    if isinstance(domain, Finite):
        return list(domain.values)
    return list(range(int(domain.low), int(domain.high) + 1))


def _pin_choices(actions: Any, m: int, x: Sequence[Any]) -> list[Any]:
    if not actions.features[m].actionable:
        return [("own", Fraction(0))]
    element, domain, name = actions.features[m], actions.domains[m], actions.names[m]
    owns = {Fraction(0)} | {Fraction(d) for d in (element.step_lb, element.step_ub)
                            if d is not None}  # fmt: skip
    values = {Fraction(x[m]), Fraction(domain.low), Fraction(domain.high)}
    values |= {Fraction(b) for b in (element.lb, element.ub) if b is not None}
    values |= {Fraction(s[2]) for c in actions.constraints if isinstance(c, IfThenConstraint)
               for s in (c.if_, c.then) if s[0] == name}  # fmt: skip
    return ["free", *(("own", d) for d in sorted(owns)),
            *(("value", v) for v in sorted(values) if domain.low <= v <= domain.high)]


class _Piece:
    """One joint value of the discrete members and one pinning of the continuous ones."""

    def __init__(self, gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int],
                 discrete: dict[int, Any], pins: dict[int, Any]) -> None:  # fmt: skip
        self.gam, self.x, self.actions, self.members = gam, x, actions, members
        self.discrete, self.pins = discrete, pins
        self.free = [m for m in members if pins.get(m) == "free"]
        self.k = len(self.free)
        origin = self.point([Fraction(0)] * self.k)
        units = [self.point([Fraction(int(q == i)) for q in range(self.k)]) for i in range(self.k)]
        self.maps = {m: (tuple(Fraction(u[m]) - Fraction(origin[m]) for u in units),
                         Fraction(origin[m])) for m in pins}  # fmt: skip

    def point(self, u: Sequence[Fraction]) -> list[Any]:
        """The point of the piece at free coordinates u."""
        x, actions = self.x, self.actions
        point: list[Any] = list(x)
        for m, v in self.discrete.items():
            point[m] = v
        for m, v in zip(self.free, u, strict=True):
            point[m] = v
        before = {actions.names[i]: Fraction(x[i]) for i in self.members}
        for _ in range(len(self.pins)):  # linkage chains settle within as many passes
            after = {actions.names[i]: Fraction(point[i]) for i in self.members}
            for m, pin in self.pins.items():
                if pin != "free" and pin[0] == "own":
                    point[m] = Fraction(x[m]) + actions.linked_change(m, before, after) + pin[1]
                elif pin != "free":
                    point[m] = pin[1]
        return point

    def at(self, m: int, u: Sequence[Fraction]) -> Fraction:
        a, c = self.maps[m]
        return c + sum((p * q for p, q in zip(a, u, strict=True)), Fraction(0))


def _forms(piece: _Piece, pieces: dict[int, list[Any]], target: Any, rest: Fraction) -> list[_Form]:
    """Every hyperplane (a, c) — a · u + c = 0 — where the measured indicator can change."""
    actions, x = piece.actions, piece.x
    forms: list[_Form] = []
    names = {actions.names[m]: m for m in piece.pins}
    for m, (a, c) in piece.maps.items():
        element, domain = actions.features[m], actions.domains[m]
        levels = {Fraction(x[m]), Fraction(domain.low), Fraction(domain.high)}
        levels |= {Fraction(b) for b in (element.lb, element.ub) if b is not None}
        levels |= {Fraction(lo) for lo, *_ in pieces[m]}
        for con in actions.constraints:
            if isinstance(con, IfThenConstraint):
                levels |= {Fraction(s[2]) for s in (con.if_, con.then) if s[0] == actions.names[m]}
        forms += [(a, c - v) for v in levels]
        # own move = value − x − linked change; the linked change is affine in u too
        origin, units = _linked(piece, m, names)
        own_a = tuple(p - q for p, q in zip(a, units, strict=True))
        own_c = c - Fraction(x[m]) - origin
        steps = {Fraction(0)} | {Fraction(d) for d in (element.step_lb, element.step_ub)
                                 if d is not None}  # fmt: skip
        forms += [(own_a, own_c - d) for d in steps]
    for choice in itertools.product(*(pieces[m] for m in piece.maps)):
        slope = [Fraction(0)] * piece.k
        c = rest
        for m, (_lo, _hi, _closed, coefficients, shift) in zip(piece.maps, choice, strict=True):
            p0, p1 = coefficients
            ma, mc = piece.maps[m]
            slope = [q + p1 * r for q, r in zip(slope, ma, strict=True)]
            c += p0 + p1 * mc + shift
        forms.append((tuple(slope), c - Fraction(target.level)))
    return [f for f in forms if any(f[0])]


def _linked(piece: _Piece, m: int, names: dict[str, int]) -> tuple[Fraction, tuple[Fraction, ...]]:
    """The linked change of m as (value at u = 0, slope per free coordinate)."""
    actions, x = piece.actions, piece.x
    before = {actions.names[i]: Fraction(x[i]) for i in piece.members}

    def change(u: list[Fraction]) -> Fraction:
        p = piece.point(u)
        after = {actions.names[i]: Fraction(p[i]) for i in piece.members}
        return Fraction(actions.linked_change(m, before, after))

    zero = [Fraction(0)] * piece.k
    origin = change(zero)
    units = tuple(change([Fraction(int(q == i)) for q in range(piece.k)]) - origin
                  for i in range(piece.k))  # fmt: skip
    return origin, units


def _indicator(piece: _Piece, u: Sequence[Fraction], target: Any, component: int,
               ) -> tuple[list[bool], bool] | None:  # fmt: skip
    """Which members move at u and whether the target is met, or None when u is no
    reachable point of the piece."""
    point = piece.point(u)
    actions, x = piece.actions, piece.x
    for m in piece.pins:
        domain = actions.domains[m]
        if not domain.low <= point[m] <= domain.high:
            return None
    if not actions.admits_on(component, x, point):
        return None
    moved = [point[m] != x[m] and actions.features[m].actionable for m in piece.members]
    side = compare(score(piece.gam, point), target.level)
    met = {">=": side >= 0, ">": side > 0, "<=": side <= 0, "<": side < 0}[target.sense]
    return moved, met


def _weights(k: int) -> list[Fraction]:
    """Weights of the nodes (i + 1)/(k + 1), i < k, integrating degree < k exactly on
    [0, 1]."""
    nodes = [Fraction(i + 1, k + 1) for i in range(k)]
    rows = [[n**p for n in nodes] + [Fraction(1, p + 1)] for p in range(k)]
    for col in range(k):
        pivot = next(r for r in range(col, k) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col][col]
        rows[col] = [v / head for v in rows[col]]
        for r in range(k):
            if r != col and rows[r][col] != 0:
                f = rows[r][col]
                rows[r] = [v - f * w for v, w in zip(rows[r], rows[col], strict=True)]
    return [row[-1] for row in rows]


def _measure(piece: _Piece, forms: list[_Form], prefix: list[Fraction], box: list[Any],
             target: Any, component: int) -> list[list[Fraction]]:  # fmt: skip
    """[totals, hits] per member over the free coordinates after ``prefix``."""
    n = len(piece.members)
    out = [[Fraction(0)] * n, [Fraction(0)] * n]
    depth = len(prefix)
    left = piece.k - depth
    low, high = box[depth]
    # forms restricted to the fixed prefix: a · (prefix, w) + c
    cut = [(a[depth:], c + sum((p * q for p, q in zip(a[:depth], prefix, strict=True)),
                               Fraction(0))) for a, c in forms]  # fmt: skip
    critical = {low, high}
    if left == 1:
        critical |= {-c / a[0] for a, c in cut if a[0] != 0}
    else:
        planes = [f for f in cut if any(f[0])] + [
            (tuple(Fraction(int(q == i)) for q in range(left)), -bound)
            for i in range(left) for bound in box[depth + i]]  # fmt: skip
        check_size(math.comb(len(planes), left), "the vertices of a component's arrangement")
        for chosen in itertools.combinations(planes, left):
            solution = _solve([list(a) for a, _ in chosen], [-c for _, c in chosen])
            if solution is not None:
                critical.add(solution[0])
    cuts = sorted(v for v in critical if low <= v <= high)
    for a, b in itertools.pairwise(cuts):
        if left == 1:
            found = _indicator(piece, [*prefix, (a + b) / 2], target, component)
            if found is not None:
                for q, moved in enumerate(found[0]):
                    if moved:
                        out[0][q] += b - a
                        out[1][q] += (b - a) * found[1]
            continue
        for w, node in zip(_weights(left), [Fraction(i + 1, left + 1) for i in range(left)],
                           strict=True):  # fmt: skip
            inner = _measure(piece, forms, [*prefix, a + node * (b - a)], box, target, component)
            for row in range(2):
                for q in range(n):
                    out[row][q] += w * (b - a) * inner[row][q]
    return out



def _label(k: int) -> str:
    return {0: "count", 1: "count × length", 2: "count × area"}.get(k, f"count × {k}-volume")


def volume_recount(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any,
    pieces_of: Any,
) -> tuple[list[Any], list[Any], list[str]]:  # fmt: skip
    """|R_j|, the part meeting the target and the measure's name per member of a
    component with several continuous members. ``pieces_of(m)`` gives member m's pieces
    on its domain as (low, high, high included, (c0, c1), pair constant)."""
    component = actions.components.index(tuple(members))
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    discrete = [m for m in members if m not in continuous]
    pieces = {m: pieces_of(m) for m in continuous}
    choices = [_domain_values(actions.domains[m]) for m in discrete]
    check_size(math.prod(len(c) for c in choices), "the discrete members of a component")
    dims = len(continuous) + 1
    n = len(members)
    by_dim = [[[Fraction(0)] * n, [Fraction(0)] * n] for _ in range(dims)]
    seen = set()
    for values in itertools.product(*choices):
        for pins in itertools.product(*(_pin_choices(actions, m, x) for m in continuous)):
            piece = _Piece(gam, x, actions, members, dict(zip(discrete, values, strict=True)),
                           dict(zip(continuous, pins, strict=True)))  # fmt: skip
            key = (values, tuple(sorted(piece.maps.items())))
            if key in seen:
                continue
            seen.add(key)
            at_x = piece.point([Fraction(0)] * piece.k)
            for m in continuous:
                at_x[m] = x[m]
            rest = score(gam, at_x) - sum((_value_at(pieces[m], Fraction(x[m]))
                                           for m in continuous), Fraction(0))  # fmt: skip
            box = [(Fraction(actions.domains[m].low), Fraction(actions.domains[m].high))
                   for m in piece.free]  # fmt: skip
            if piece.k == 0:
                found = _indicator(piece, [], target, component)
                if found is not None:
                    for q, moved in enumerate(found[0]):
                        by_dim[0][0][q] += int(moved)
                        by_dim[0][1][q] += int(moved and found[1])
                continue
            measured = _measure(piece, _forms(piece, pieces, target, rest), [], box, target,
                                component)  # fmt: skip
            for row in range(2):
                for q in range(n):
                    by_dim[piece.k][row][q] += measured[row][q]
    totals, hits, labels = [], [], []
    for q in range(n):
        k = next((d for d in reversed(range(dims)) if by_dim[d][0][q] != 0), 0)
        totals.append(by_dim[k][0][q])
        hits.append(by_dim[k][1][q])
        labels.append(_label(k))
    return totals, hits, labels


def _value_at(pieces: list[Any], v: Fraction) -> Fraction:
    """A member's contribution plus pair constant at v from its pieces."""
    for lo, hi, closed, (c0, c1), shift in pieces:
        if lo <= v < hi or (v == hi and closed):
            return c0 + c1 * v + shift
    raise ValueError(f"{v} lies on no piece")
