"""The nearest witness of a minimum-size contrastive reason of a model with pair terms.

With pair terms a feature's move changes the score by an amount that depends on where its
pair partners are, so the per-feature frontiers of :mod:`gamexplain.algorithms.nearest`
no longer decide. What stays true is that the minimum size k of a contrastive reason is
small on fitted models (1–3 on default EBMs) and that every feature whose shape is a step
function (or a table) splits its domain into *regions*: the parts on which its main
effect and its bin of every pair term are constant. Two regions with the same main effect
and bins are interchangeable, so each feature keeps, per such signature, the region
closest to x_i (distance to the region's closure, as in :mod:`gamexplain.model.distance`).

The search enumerates the sets S of k free features and, per S, the joint regions (one per
member) within the best distance found so far, as numpy grids of the exact decomposition

    drop(z_S) = Σ_{i∈S} A_i(z_i) + Σ_{pair terms inside S} W_ij(z_i, z_j)

(A_i: the drop of moving i alone, its partners at x; W_ij: the interaction left when both
move). Floats find; every grid entry within a rigorous rounding bound of the flip is
re-decided with the model's exact score, and distances are compared as Fractions. A set
or a block of regions is skipped when an upper bound on its drop (A_i plus, per pair term
inside S, the most W can add given i's region, never below 0) cannot reach the flip. The
search starts from the extreme witness's distance and keeps the closest flipping joint
region, preferring attained ones at equal distance. Inside a set it branches one member's
region at a time: each pair term inside S is charged to one member only, as the most W
reaches over the other member's regions left (exact once that member is down to one),
and regions that cannot complete a flip within the best distance are dropped before each
split. It first runs passes capped at 2^-6, …, 2^-1 times the extreme witness's distance:
a pass is exhaustive within its cap, so the first one that finds a flip has the nearest.
When the deadline passes it returns the closest witness found so far, marked unproven.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.algorithms.nearest import _short_below
from gamexplain.algorithms.pair_cells import slots
from gamexplain.algorithms.worst_case import Problem, changes_prediction
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.distance import APPROACH, feature_distance, spread
from gamexplain.model.domains import Finite
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime
from gamexplain.substrate.pieces import Point, lower
from gamexplain.substrate.polynomials import value_at

__all__ = ["PairNearest", "Region", "pair_nearest_witness", "regions"]

GRID_LIMIT = 1 << 14
"""Most joint regions one numpy grid holds; larger products are split along a member
(each split tightens the conditioned bounds, so smaller grids prune more)."""

_BUCKETS = 64
"""Distance steps of the staircase bound (:func:`_most`)."""

_ROUNDING = 2.0**-40
"""Relative bound on the float error of a grid entry (a few dozen roundings of 2^-53),
times the sum of the magnitudes the entry adds: within it the exact score decides."""


@dataclass(frozen=True)
class Region:
    """A part of a feature's domain on which its main effect and pair bins are constant:
    ``distance`` from x_i to its closure, ``attained`` whether a point of the part lies
    at that distance, ``value`` the point a witness takes (that one when attained, else
    the shortest decimal within the approach of the open end)."""

    distance: Fraction
    attained: bool
    main: Fraction
    bins: tuple[int, ...]
    near: Any
    room: Fraction

    @functools.cached_property
    def value(self) -> Any:
        return self.near if self.attained else _short_below(self.near, self.room)


@dataclass(frozen=True)
class PairNearest:
    """The closest witness found: its point and changed features; ``infimum`` the least
    distance of a flipping point changing at most k features and ``attained`` whether the
    point attains it, when ``proven`` (the search finished); else both None."""

    point: tuple[Any, ...]
    changed: frozenset[int]
    infimum: Fraction | None
    attained: bool | None
    proven: bool


_Part = tuple[Any, Any, bool, Fraction, tuple[int, ...]]
"""(low, high, closed, main effect, pair bins) of a part; a finite value is (v, v, True, …)."""


def regions(gam: Any, i: int, value: Any) -> list[Region]:
    """Feature i's regions other than the one of ``value`` (x_i), one per signature (the
    closest), by distance (attained first at equal distance)."""
    feature = gam.features[i]
    domain = feature.domain
    finite = isinstance(domain, Finite)
    unit = Fraction(1) if finite else spread(domain)
    at = Fraction(0) if finite else Fraction(value)
    found: dict[tuple[Fraction, tuple[int, ...]], Region] = {}
    for low, high, closed, main, bins in _parts(gam, i):
        if finite:
            region = Region(Fraction(0 if low == value else 1), True, main, bins, low, unit)
        else:
            region = _region(low, high, closed, main, bins, at, unit)
        held = found.get((main, bins))
        if held is None or _near(region) < _near(held):
            found[(main, bins)] = region
    here = (Fraction(feature.contribution_exact(value)), _bins(gam, i, value))
    found.pop(here, None)
    return sorted(found.values(), key=_near)


def _region(low: Any, high: Any, closed: bool, main: Fraction, bins: tuple[int, ...],
            at: Fraction, unit: Fraction) -> Region:  # fmt: skip
    """The part [low, high) ([low, high] when ``closed``; integers: low..high) seen from
    x_i = ``at``."""
    if isinstance(low, int):  # an integer part: every end is attained
        near = min(max(int(at), low), high)
        return Region(abs(near - at) / unit, True, main, bins, near, unit)
    if at < low:
        return Region((low - at) / unit, True, main, bins, _plain(low), unit)
    if at < high or (closed and at == high):
        return Region(Fraction(0), True, main, bins, _plain(at), unit)
    room = min((high - low) / 2, APPROACH * unit)
    return Region((at - high) / unit, closed, main, bins, _plain(high) if closed else high, room)


def _bins(gam: Any, i: int, value: Any) -> tuple[int, ...]:
    """The value's bin in each pair term of feature i; a float (or a rational that is
    one) by float bisection over the edges, exact since floats compare exactly."""
    feature = gam.features[i]
    axes = slots(gam, i)
    number = _float_of(value)
    if number is not None:
        return tuple(bisect.bisect_right(_inner(gam.pairs[p], a), number)
                     if gam.pairs[p].edges[a] is not None
                     else gam.pairs[p].bin_of(a, feature, value) for p, a in axes)  # fmt: skip
    return tuple(gam.pairs[p].bin_of(a, feature, value) for p, a in axes)


def _float_of(value: Any) -> float | None:
    """The float equal to a number, or None (no such float, or no number)."""
    if isinstance(value, Fraction):
        number = float(value)
        ratio = number.as_integer_ratio()
        return number if ratio == (value.numerator, value.denominator) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return number if number == value else None
    return None


@functools.lru_cache(maxsize=4096)
def _inner(pair: Any, axis: int) -> list[float]:
    return [float(e) for e in (pair.edges[axis] or ())[1:-1]]


def _near(region: Region) -> tuple[Fraction, bool]:
    return (region.distance, not region.attained)


@functools.lru_cache(maxsize=256)
def _parts(gam: Any, i: int) -> tuple[_Part, ...]:
    """Feature i's pieces split at its pair bins' edges, whatever the instance."""
    feature = gam.features[i]
    axes = slots(gam, i)
    edges = sorted({e for p, a in axes for e in (gam.pairs[p].edges[a] or ())[1:-1]})
    cuts = [Fraction(e) for e in edges]  # the same order: a float is one rational
    at_cut = set(cuts)
    found: list[_Part] = []
    for piece in lower(feature):
        if isinstance(piece, Point):
            found.append(
                (piece.value, piece.value, True, piece.contribution, _bins(gam, i, piece.value))
            )
            continue
        if piece.degree > 0 and piece.low < piece.high:
            raise UnsupportedQueryError(
                f"witness='nearest' on a model with pair terms needs piecewise-constant "
                f"contributions; feature {feature.name!r} has a piece of degree "
                f"{piece.degree} on [{float(piece.low)}, {float(piece.high)}]"
            )
        main = value_at(piece, piece.low)
        inner = cuts[_after(cuts, edges, piece.low) : _before(cuts, edges, piece.high)]
        if piece.integers:
            starts = sorted({int(piece.low), *(math.ceil(c) for c in inner), *(
                [int(piece.high)] if piece.high in at_cut else [])})  # fmt: skip
            ends = [*(t - 1 for t in starts[1:]), int(piece.high)]
            found += [
                (a, b, True, main, _bins(gam, i, a)) for a, b in zip(starts, ends, strict=True)
            ]
            continue
        bounds = [piece.low, *inner, piece.high]
        last = len(bounds) - 2
        for t, (a, b) in enumerate(itertools.pairwise(bounds)):
            closed = piece.closed and t == last and piece.high not in at_cut
            found.append((a, b, closed, main, _bins(gam, i, a)))
        if piece.closed and (piece.high in at_cut or piece.low == piece.high):
            found.append((piece.high, piece.high, True, main, _bins(gam, i, piece.high)))
    return tuple(found)


def _after(cuts: list[Fraction], edges: list[float], value: Fraction) -> int:
    """How many cuts lie at or below ``value`` (float bisection when it is a float)."""
    number = _float_of(value)
    return bisect.bisect_right(cuts, value) if number is None else bisect.bisect_right(
        edges, number)  # fmt: skip


def _before(cuts: list[Fraction], edges: list[float], value: Fraction) -> int:
    """How many cuts lie below ``value`` (float bisection when it is a float)."""
    number = _float_of(value)
    return bisect.bisect_left(cuts, value) if number is None else bisect.bisect_left(
        edges, number)  # fmt: skip


def _plain(value: Fraction) -> Any:
    """A float when it denotes the rational exactly (friendlier points), else the Fraction."""
    number = _float_of(value)
    return value if number is None else number


# -- the model in floats, per instance -------------------------------------------------
class _Model:
    """Per free feature its regions, their distances and their drops A_i (moving i alone),
    and per pair term of two free features its interaction table W over their bins."""

    def __init__(self, problem: Problem) -> None:
        gam, x = problem.gam, problem.x
        self.problem = problem
        self.regions = {i: regions(gam, i, x[i]) for i in problem.free}
        self.distance = {
            i: np.array([float(r.distance) for r in rs]) for i, rs in self.regions.items()
        }
        drops = {i: np.array([float(problem.contributions[i] - r.main) for r in rs])
                 for i, rs in self.regions.items()}  # fmt: skip
        size = abs(float(problem.score)) + abs(float(gam.intercept))
        size += abs(float(getattr(gam.task, "threshold", 0.0)))
        size += sum(float(abs(c)) for c in problem.contributions)
        at_x = [(pair.bin_of(0, gam.features[pair.features[0]], x[pair.features[0]]),
                 pair.bin_of(1, gam.features[pair.features[1]], x[pair.features[1]]))
                for pair in gam.pairs]  # fmt: skip
        # per pair of free features (lower index first): (W, pair, which one W's rows are)
        self.inside: dict[tuple[int, int], list[tuple[np.ndarray, int, int]]] = {}
        self.bins: dict[tuple[int, int], np.ndarray] = {}
        for i, rs in self.regions.items():
            for slot, (p, _) in enumerate(slots(gam, i)):
                self.bins[(i, p)] = np.array([r.bins[slot] for r in rs], dtype=np.intp)
        for p, pair in enumerate(gam.pairs):
            i, j = pair.features
            table = np.asarray(pair.values, dtype=float)
            bi, bj = at_x[p]
            size += float(np.abs(table).max()) * 4
            for k, axis_bins in ((i, table[:, bj]), (j, table[bi, :])):
                if k in drops:
                    drops[k] = drops[k] + (table[bi, bj] - axis_bins[self.bins[(k, p)]])
            if i in drops and j in drops:
                # the drop of moving both, less the two drops alone
                w = table[:, bj][:, None] + table[bi, :][None, :] - table - table[bi, bj]
                self.inside.setdefault((min(i, j), max(i, j)), []).append((w, p, i))
        self.drops = drops
        self.tolerance = _ROUNDING * (1.0 + size)
        task = gam.task
        self.sides: tuple[float, ...]
        if isinstance(task, Classification):
            edge = float(problem.score) - float(task.threshold_exact)
            self.sides = (1.0,) if problem.prediction == 1 else (-1.0,)
            self.room = abs(edge)
        else:
            self.sides = (1.0, -1.0)
            self.room = float(task.tolerance)

    def pairs_in(self, members: tuple[int, ...]) -> list[tuple[int, int, np.ndarray, int]]:
        """The interaction tables between members: (position a, position b, W, pair)."""
        found = []
        for a, b in itertools.combinations(range(len(members)), 2):
            i, j = members[a], members[b]
            for w, p, rows in self.inside.get((min(i, j), max(i, j)), ()):
                found.append((a, b, w, p) if rows == i else (b, a, w, p))
        return found

    def potential(self, i: int, tau: float) -> np.ndarray:
        """Per region of i an upper bound on its share of τ·drop in any set: τ·A_i plus,
        per pair term with a free partner, the most τ·W can add given its region (≥ 0)."""
        bound = tau * self.drops[i]
        for (a, b), tables in self.inside.items():
            if i not in (a, b):
                continue
            for w, p, rows in tables:
                most = (tau * w).max(axis=1 if rows == i else 0)
                bound = bound + np.maximum(most, 0.0)[self.bins[(i, p)]]
        return bound

    def upper(self, members: tuple[int, ...], tau: float) -> list[np.ndarray]:
        """Per member and region an upper bound on its share of τ·drop: τ·A_i plus, per
        pair term with another member, the most τ·W can add given its region (≥ 0)."""
        bounds = [tau * self.drops[i] for i in members]
        for a, b, w, p in self.pairs_in(members):
            i, j = members[a], members[b]
            signed = tau * w
            bounds[a] = bounds[a] + np.maximum(signed.max(axis=1), 0.0)[self.bins[(i, p)]]
            bounds[b] = bounds[b] + np.maximum(signed.max(axis=0), 0.0)[self.bins[(j, p)]]
        return bounds


# -- the search ---------------------------------------------------------------------------
class _Search:
    def __init__(self, model: _Model, size: int, incumbent: tuple[Any, ...]) -> None:
        self.model, self.size = model, size
        problem = model.problem
        parts = zip(problem.gam.features, incumbent, problem.x, strict=True)
        far = sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
        self.best: tuple[Fraction, bool] = (far, True)
        self.point = tuple(incumbent)
        self.changed = frozenset(i for i in problem.free if incumbent[i] != problem.x[i])
        self.work = 0

    cap = math.inf
    """A distance the current pass looks no further than (see :func:`_deepening`)."""

    @property
    def limit(self) -> float:
        return min(float(self.best[0]), self.cap) * (1 + 1e-12) + 1e-15

    def run(self) -> None:
        model = self.model
        for tau in model.sides:
            potential = {}
            for i in model.problem.free:
                n = int(np.searchsorted(model.distance[i], self.limit, side="right"))
                if n:
                    potential[i] = float(model.potential(i, tau)[:n].max())
            order = sorted(potential, key=lambda i: -potential[i])
            self._choose(order, [potential[i] for i in order], tau, 0, (), 0.0)

    def _choose(
        self, order: list[int], potential: list[float], tau: float, start: int,
        chosen: tuple[int, ...], total: float,
    ) -> None:  # fmt: skip
        """Every set of k features from ``order`` (by potential, descending) extending
        ``chosen``, skipping those whose potentials cannot reach the flip."""
        if len(chosen) == self.size:
            deadline.check()
            self._set(tuple(sorted(chosen)), tau)
            return
        need = self.size - len(chosen)
        for q in range(start, len(order) - need + 1):
            if total + sum(potential[q : q + need]) < self.model.room - self.model.tolerance:
                break  # later features have no more potential
            self._choose(order, potential, tau, q + 1, (*chosen, order[q]), total + potential[q])

    def _set(self, members: tuple[int, ...], tau: float) -> None:
        """The closest flipping joint region of these members, if closer than the best."""
        counts = [int(np.searchsorted(self.model.distance[i], self.limit, side="right"))
                  for i in members]  # fmt: skip
        if 0 in counts:
            return
        model = self.model
        upper = model.upper(members, tau)
        reach = [np.maximum.accumulate(u[:n]) for u, n in zip(upper, counts, strict=True)]
        if sum(float(r[-1]) for r in reach) < model.room - model.tolerance:
            return
        stairs = [
            _stair(model.distance[i][:n], r) for i, n, r in zip(members, counts, reach, strict=True)
        ]
        if _most(stairs, self.limit) < model.room - model.tolerance:
            return
        self._block(members, tau, [np.arange(n) for n in counts])

    def _block(self, members: tuple[int, ...], tau: float, picks: list[np.ndarray]) -> None:
        """Search the joint regions picks[0] × picks[1] × … by branch and bound.

        Per block every member's regions get a bound conditioned on the block (each pair
        term inside S charged to one side only, as its most over the other side's picks:
        exact once that side is one region); regions whose bound or distance cannot
        complete a flip within the best distance are dropped, and the member with the
        most regions left is split, nearest region first, until the block fits one
        grid."""
        model = self.model
        narrow = self._narrow(members, tau, picks)
        if narrow is None:
            return
        picks = narrow
        if math.prod(len(p) for p in picks) <= GRID_LIMIT:
            self._grid(members, tau, picks)
            return
        t = max(range(len(picks)), key=lambda s: len(picks[s]))
        for r in picks[t]:
            deadline.check()
            spent = float(model.distance[members[t]][r])
            rest = [float(model.distance[members[s]][picks[s][0]])
                    for s in range(len(picks)) if s != t]  # fmt: skip
            if spent + sum(rest) > self.limit:
                break  # the picks are in distance order
            narrowed = [np.array([r]) if s == t else p for s, p in enumerate(picks)]
            self._block(members, tau, narrowed)

    def _narrow(
        self, members: tuple[int, ...], tau: float, picks: list[np.ndarray]
    ) -> list[np.ndarray] | None:
        """The picks that can still take part in a flip within the best distance, under
        bounds conditioned on the block (None: none can). Repeats while it drops some."""
        model = self.model
        need = model.room - model.tolerance
        while True:
            bounds = self._conditioned(members, tau, picks)
            best = [float(b.max()) for b in bounds]
            near = [float(model.distance[i][p[0]]) for i, p in zip(members, picks, strict=True)]
            total, closest = sum(best), sum(near)
            if total < need or closest > self.limit:
                return None
            kept = []
            for i, p, b, top, low in zip(members, picks, bounds, best, near, strict=True):
                far = model.distance[i][p]
                keep = (b >= need - (total - top)) & (far <= self.limit - (closest - low))
                kept.append(p[keep])
            if any(len(k) == 0 for k in kept):
                return None
            if all(len(k) == len(p) for k, p in zip(kept, picks, strict=True)):
                stairs = [_stair(model.distance[i][p], np.maximum.accumulate(b))
                          for i, p, b in zip(members, picks, bounds, strict=True)]  # fmt: skip
                if _most(stairs, self.limit) < need:
                    return None
                return picks
            picks = kept

    def _conditioned(
        self, members: tuple[int, ...], tau: float, picks: list[np.ndarray]
    ) -> list[np.ndarray]:
        """Per member and pick an upper bound on its share of τ·drop over the block: τ·A_i
        plus, per pair term inside S charged to it, the most τ·W reaches over the other
        member's picks. A term is charged to a member with several picks when the other
        has one (then it is exact), else to the earlier member; each term once, so the
        shares add to at least τ·drop at every joint region of the block."""
        model = self.model
        bounds = [tau * model.drops[i][p] for i, p in zip(members, picks, strict=True)]
        for a, b, w, p in model.pairs_in(members):
            i, j = members[a], members[b]
            rows = model.bins[(i, p)][picks[a]]
            cols = model.bins[(j, p)][picks[b]]
            if len(picks[b]) == 1 or (len(picks[a]) > 1 and a < b):
                bounds[a] = bounds[a] + (tau * w[:, cols]).max(axis=1)[rows]
            else:
                bounds[b] = bounds[b] + (tau * w[rows, :]).max(axis=0)[cols]
        return bounds

    def _grid(self, members: tuple[int, ...], tau: float, picks: list[np.ndarray]) -> None:
        model = self.model
        k = len(members)
        self.work += math.prod(len(p) for p in picks)
        drop: Any = 0.0
        far: Any = 0.0
        for t, (i, pick) in enumerate(zip(members, picks, strict=True)):
            shape = [1] * k
            shape[t] = len(pick)
            drop = drop + model.drops[i][pick].reshape(shape)
            far = far + model.distance[i][pick].reshape(shape)
        for a, b, w, p in model.pairs_in(members):
            rows = model.bins[(members[a], p)][picks[a]]
            cols = model.bins[(members[b], p)][picks[b]]
            shape_a, shape_b = [1] * k, [1] * k
            shape_a[a], shape_b[b] = len(rows), len(cols)
            drop = drop + w[rows.reshape(shape_a), cols.reshape(shape_b)]
        gain = tau * np.broadcast_to(drop, tuple(len(p) for p in picks))
        far = np.broadcast_to(far, gain.shape)
        hopeful = (gain >= model.room - model.tolerance) & (far <= self.limit)
        if not hopeful.any():
            return
        order = np.argsort(far[hopeful], kind="stable")
        spots = np.argwhere(hopeful)[order]
        first: float | None = None
        for spot in spots:
            d = float(far[tuple(spot)])
            if first is not None and d > first * (1 + 1e-12) + 1e-15:
                break
            chosen = [
                model.regions[i][int(pick[s])]
                for i, pick, s in zip(members, picks, spot, strict=True)
            ]
            if self._flips(members, chosen, float(gain[tuple(spot)])):
                first = d if first is None else first
                self._offer(members, chosen)

    def _flips(self, members: tuple[int, ...], chosen: list[Region], gain: float) -> bool:
        model = self.model
        if gain > model.room + model.tolerance:
            return True
        problem = model.problem
        return changes_prediction(
            problem, problem.gam.score_exact(_place(problem.x, members, chosen))
        )

    def _offer(self, members: tuple[int, ...], chosen: list[Region]) -> None:
        key = (sum((r.distance for r in chosen), Fraction(0)), all(r.attained for r in chosen))
        if (key[0], not key[1]) <= (self.best[0], not self.best[1]):
            self.best = key
            self.point = _place(self.model.problem.x, members, chosen)
            self.changed = frozenset(members)


def _stair(distance: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """The points (distance, bound) where a member's best bound so far grows."""
    steps = np.flatnonzero(np.r_[True, reach[1:] > reach[:-1]])
    return np.column_stack([distance[steps], reach[steps]])


def _most(stairs: list[np.ndarray], budget: float) -> float:
    """An upper bound on the largest sum of one point per staircase whose distances add
    to at most ``budget`` (−inf when none fits): each distance rounded down to one of
    ``_BUCKETS`` steps of the budget (so every fitting choice still fits), then the
    max-plus convolution of the members' best per step."""
    if budget < 0:
        return -math.inf
    step = budget / _BUCKETS if budget > 0 else 1.0
    total = np.zeros(1)
    for stair in stairs:
        # a hair below the quotient, so rounding never lifts a distance into the next step
        cells = np.floor(stair[:, 0] / step * (1 - 1e-9)).astype(np.intp)
        fits = cells <= _BUCKETS
        if not fits.any():
            return -math.inf
        best = np.full(_BUCKETS + 1, -np.inf)
        np.maximum.at(best, cells[fits], stair[fits, 1])
        best = np.maximum.accumulate(best)
        outer = (total[:, None] + best[None, :]).ravel()
        where = (np.arange(len(total))[:, None] + np.arange(_BUCKETS + 1)[None, :]).ravel()
        keep = where <= _BUCKETS
        total = np.full(_BUCKETS + 1, -np.inf)
        np.maximum.at(total, where[keep], outer[keep])
    return float(total.max())


def _place(x: tuple[Any, ...], members: tuple[int, ...], chosen: list[Region]) -> tuple[Any, ...]:
    point = list(x)
    for i, region in zip(members, chosen, strict=True):
        point[i] = region.value
    return tuple(point)


_PASSES = 6
"""Capped passes before the full one: caps of 2^-6, …, 2^-1 times the first bound."""


def _deepening(search: _Search) -> None:
    """Run the search under growing caps on the distance, then uncapped. A pass is
    exhaustive within its cap, so the first pass that finds a flipping point has found
    the nearest one and the rest are skipped; a pass that finds none costs little (few
    regions lie that close) and leaves the bound as it was."""
    first = search.best
    for k in range(_PASSES, 0, -1):
        search.cap = float(first[0]) / 2**k
        search.run()
        if search.best != first:
            return
    search.cap = math.inf
    search.run()


def pair_nearest_witness(problem: Problem, size: int, incumbent: tuple[Any, ...]) -> PairNearest:
    """The nearest witness among points changing ``size`` free features of a pair model.

    Parameters
    ----------
    problem : Problem
        A model with pair terms whose free features have piecewise-constant
        contributions.
    size : int
        The minimum size k of a contrastive reason of ``problem`` (certified).
    incumbent : tuple
        A flipping point changing k features (the extreme witness): the first bound.

    Returns
    -------
    PairNearest
        ``proven`` False when the deadline passed first: the point is then the closest
        witness found so far.

    Raises
    ------
    UnsupportedQueryError
        A free feature's contribution has a piece that is not constant.

    Notes
    -----
    With n free features and at most m regions each within the incumbent's distance,
    the search visits at most C(n, k)·m^k joint regions in O(k + |pairs among S|)
    vectorised operations each; bounds prune most of them on fitted models. Exponential
    in k; the decision problem it solves is NP-hard already without pair terms when k is
    part of the input (thm:mcr-nearest-pairs).
    """
    search = _Search(_Model(problem), size, incumbent)
    try:
        _deepening(search)
    except OutOfTime:
        return PairNearest(search.point, search.changed, None, None, False)
    return PairNearest(search.point, search.changed, search.best[0], search.best[1], True)
