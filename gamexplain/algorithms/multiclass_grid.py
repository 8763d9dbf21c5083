"""Certified brackets for multiclass completion fractions and label SHAP/Banzhaf on a grid.

The predicted class w wins at z iff every rival model D_wc = score_w − score_c
(:func:`~gamexplain.model.multiclass.rival_model`) is in its class-1 event, so the label
is an orthant event of the vector of the K − 1 differences. Each feature's contribution
to that vector is bracketed cell by cell by the binary grid's code
(:mod:`gamexplain.algorithms.grid_convolution`, one rival model per coordinate, pair
terms split there into additive bounds), then rounded outward onto a grid of widths
h_c = 2^-e_c: down in one run, up in another. The orthant event is monotone in every
coordinate, so the two runs bracket every probability.

On the grid the law of a sum of vectors is a (K − 1)-dimensional convolution of
nonnegative float arrays, whose rounding error is bounded relatively (γ_d, Higham,
*Accuracy and Stability of Numerical Algorithms*, Lemma 3.1) and applied outward.
Coalitions are integrated by the binary grid's exact quadrature over q; per node one
prefix and one suffix chain give every leave-one-out law, and one dot product with the
suffix's orthant tails gives each probability. Mass that can no longer win along a
coordinate is dropped; mass that can no longer lose along it is gathered into one last
slot, counted as won there whatever the rest adds.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.grid_convolution import (
    ABSOLUTE_SLACK,
    MARGIN,
    TARGET_WIDTH,
    _carry,
    _combine,
    _feature_law,
    _fixed,
    _gamma,
    shapley_nodes,
)
from gamexplain.certify.multiclass_grid import VectorCell, VectorGridCertificate
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.gam import GAM
from gamexplain.model.multiclass import rival_model
from gamexplain.model.shapes import Piecewise
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["VectorEstimate", "grid_label_values", "grid_wins", "rival_models"]

_FIRST_POINTS = 32
_FIRST_CELLS = 4
_MAX_CELLS = 1024
_BATCH = 2**22
_STALL = Fraction(9, 10)

Vector = tuple[Fraction, ...]


@dataclass(frozen=True)
class VectorEstimate:
    """Bounds found (one per feature for attributions, one for a completion fraction),
    the base value's bounds (None for a completion), the status, the certificate of the
    last completed round (None if none completed) and the largest grid."""

    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction | None
    base_upper: Fraction | None
    status: str
    certificate: VectorGridCertificate | None
    states: int


# -- the rival models and their vector laws ------------------------------------------------
_RIVALS: dict[tuple[int, ...], tuple[Any, list[GAM]]] = {}


def rival_models(model: Any, winner: int) -> list[GAM]:
    """The rival models D_wc, c ≠ w in class order, carrying the model's marginals.

    Kept per score models and winner (the entry holds the score models, so that their
    ids are not reused): the binary grid caches its pair splits and cells on them, and
    the next row of the same model reuses them."""
    key = (*(id(m) for m in model.scores), winner)
    found = _RIVALS.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], model.scores, strict=True)):
        return found[1]
    if len(_RIVALS) > 64:
        _RIVALS.clear()
    marginals = [f.distribution for f in model.scores[0].features]
    out = []
    for c in range(model.n_classes):
        if c == winner:
            continue
        rival = rival_model(model, winner, c, deadline.check)
        features = [replace(f, distribution=d) for f, d in zip(rival.features, marginals,
                                                                 strict=True)]  # fmt: skip
        out.append(type(rival)(features, rival.intercept, rival.task, rival.pairs))
    _RIVALS[key] = (model.scores, out)
    return out


def _vector_law(rivals: Sequence[GAM], carried: Sequence[Any], j: int, cells: int
                ) -> tuple[VectorCell, ...]:  # fmt: skip
    """Feature j's cells with bounds per rival coordinate.

    The rivals share their breakpoints, but a piece constant for one rival is one cell
    there and several for another (each starting where the piece starts): the finest
    cells are kept, and each rival bounds a cell by its own cell that holds it (the
    range on a part lies within the range on the whole)."""
    laws = [_feature_law(r, j, cells, carried[k][j]) for k, r in enumerate(rivals)]
    shared = [(c[0], c[1], c[4]) for c in laws[0]]
    if all([(c[0], c[1], c[4]) for c in law] == shared for law in laws[1:]):
        return tuple(VectorCell(c[0], c[1], tuple(law[k][2] for law in laws),
                                tuple(law[k][3] for law in laws), c[4])
                     for k, c in enumerate(laws[0]))  # fmt: skip
    finest: dict[Fraction, Any] = {}
    for law in laws:
        for c in law:
            left = Fraction(c[0])
            if left not in finest or Fraction(c[1]) < Fraction(finest[left][1]):
                finest[left] = c
    starts = [[Fraction(c[0]) for c in law] for law in laws]
    out = []
    for left in sorted(finest):
        cell = finest[left]
        holding = [law[bisect.bisect_right(first, left) - 1]
                   for law, first in zip(laws, starts, strict=True)]  # fmt: skip
        out.append(VectorCell(cell[0], cell[1], tuple(c[2] for c in holding),
                              tuple(c[3] for c in holding), cell[4]))  # fmt: skip
    return tuple(out)


# -- sparse laws and dense tables on the (K − 1)-dimensional grid --------------------------
@dataclass(frozen=True)
class _Sparse:
    """One law per row: ``masses[r, k]`` at ``offset + positions[k]`` (a vector)."""

    offset: tuple[int, ...]
    positions: NDArray[np.int64]
    masses: NDArray[np.float64]

    @property
    def span(self) -> tuple[int, ...]:
        return tuple(int(v) + 1 for v in self.positions.max(axis=0))


@dataclass(frozen=True)
class _Dense:
    """Probability tables, one per row: mass ``values[r, t]`` at ``offset + t``; along
    axis k with ``sure[k]`` the last slot holds mass already won on that coordinate."""

    offset: tuple[int, ...]
    values: NDArray[np.float64]
    sure: tuple[bool, ...]


def _index(value: Fraction, scale: Fraction, up: bool) -> int:
    q = value / scale
    return math.ceil(q) if up else math.floor(q)


def _convolve(table: _Dense, law: _Sparse) -> _Dense:
    rows = max(len(table.values), len(law.masses))
    shape = table.values.shape[1:]
    out = np.zeros((rows, *(n + s - 1 for n, s in zip(shape, law.span, strict=True))))
    ones = (1,) * len(shape)
    for k, position in enumerate(law.positions.tolist()):
        at = (slice(None), *(slice(p, p + n) for p, n in zip(position, shape, strict=True)))
        out[at] += law.masses[:, k].reshape(-1, *ones) * table.values
    deadline.check()
    offset = tuple(a + b for a, b in zip(table.offset, law.offset, strict=True))
    return _Dense(offset, out, (False,) * len(shape))


def _window(table: _Dense, dead: Sequence[int], sure: Sequence[int]) -> _Dense:
    """Drop the indices ≤ ``dead[k]`` along each axis k (they cannot win it any more) and
    gather those ≥ ``sure[k]`` into one slot at ``sure[k]`` (they cannot lose it)."""
    values, offset, flags = table.values, list(table.offset), list(table.sure)
    for k in range(values.ndim - 1):
        axis, length = k + 1, values.shape[k + 1]
        first = max(dead[k] + 1 - offset[k], 0)
        if first >= length:
            shape = list(values.shape)
            shape[axis] = 1
            values, offset[k], flags[k] = np.zeros(shape), offset[k] + first, False
            continue
        stop = min(max(sure[k] - offset[k], first), length)
        kept = values.take(range(first, stop), axis=axis)
        if stop < length:
            slot = values.take(range(stop, length), axis=axis).sum(axis=axis, keepdims=True)
            kept = np.concatenate((kept, slot), axis=axis)
            flags[k] = True
        values, offset[k] = kept, offset[k] + first
    return _Dense(tuple(offset), values, tuple(flags))


def _tails(table: _Dense) -> NDArray[np.float64]:
    """tails[r, t] = mass of row r at indices ≥ offset + t along every axis (a zero slot
    past the end of each axis)."""
    out = table.values
    for axis in range(1, out.ndim):
        out = np.flip(np.cumsum(np.flip(out, axis), axis=axis), axis)
        pad = [(0, 0)] * out.ndim
        pad[axis] = (0, 1)
        out = np.pad(out, pad)
    return out


def _orthant(left: _Dense, right: _Dense, tails: NDArray[np.float64], threshold: Sequence[int]
             ) -> NDArray[np.float64]:  # fmt: skip
    """Per row, P(L + R ≥ threshold on every axis), ``tails`` those of R; a sure slot of
    either is won along its axis whatever the other holds."""
    index = []
    for k, n in enumerate(left.values.shape[1:]):
        need = threshold[k] - left.offset[k] - right.offset[k] - np.arange(n)
        # a sure slot of R (its last index) is won whatever L adds: never past it
        need = np.clip(need, 0, tails.shape[k + 1] - (2 if right.sure[k] else 1))
        if left.sure[k]:
            need[-1] = 0
        index.append(need)
    picked = tails[(slice(None), *np.ix_(*index))]
    total = left.values * picked
    return total.reshape(len(total), -1).sum(axis=1)


def _one(dims: int) -> _Dense:
    return _Dense((0,) * dims, np.ones((1,) + (1,) * dims), (False,) * dims)


# -- one run on one grid -------------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    laws: tuple[tuple[VectorCell, ...] | None, ...]
    fixed: tuple[tuple[Vector, Vector], ...]
    strict: tuple[bool, ...]  # per rival: the winner must be strictly ahead


def _threshold(problem: _Problem, extra: Vector, scale: Vector) -> tuple[int, ...]:
    """Per axis the least integer s with extra + s·h in the rival's class-1 event."""
    out = []
    for e, h, strict in zip(extra, scale, problem.strict, strict=True):
        q = -e / h
        out.append(math.floor(q) + 1 if strict else math.ceil(q))
    return tuple(out)


class _Round:
    """One run (down or up) on one grid: sparse laws, kept indices, the error bound."""

    def __init__(self, problem: _Problem, members: Sequence[int], scale: Vector, up: bool):
        self.scale, self.up = scale, up
        self.largest = 1  # the largest windowed table met, per row
        self.laws: dict[int, _Sparse] = {}
        self.kept: dict[int, tuple[int, ...]] = {}
        dims = len(scale)
        for j in members:
            cells = problem.laws[j]
            assert cells is not None
            merged: dict[tuple[int, ...], Fraction] = {}
            for cell in cells:
                key = tuple(_index(v, h, up) for v, h in
                            zip(cell.high if up else cell.low, scale, strict=True))  # fmt: skip
                merged[key] = merged.get(key, Fraction(0)) + cell.probability
            keys = sorted(k for k, p in merged.items() if p)
            low = tuple(min(k[a] for k in keys) for a in range(dims))
            self.laws[j] = _Sparse(
                low,
                np.array([[v - m for v, m in zip(k, low, strict=True)] for k in keys], np.int64),
                np.array([[float(merged[k]) for k in keys]]),
            )
            at = problem.fixed[j][1 if up else 0]
            self.kept[j] = tuple(_index(v, h, up) for v, h in zip(at, scale, strict=True))
        # the check rebuilds each law as a dense box, so that box counts as a table met
        self.largest = max([1, *(math.prod(law.span) for law in self.laws.values())])
        self.steps = sum(len(law.positions) + 6 for law in self.laws.values())
        self.span = [
            sum(max(law.offset[a] + law.span[a], self.kept[j][a] + 1)
                - min(law.offset[a], self.kept[j][a]) for j, law in self.laws.items())
            for a in range(dims)
        ]  # fmt: skip

    @property
    def points(self) -> int:
        return math.prod(self.span)

    def law(self, j: int, nodes: Sequence[Fraction] = (Fraction(0),)) -> _Sparse:
        """Per node q, feature j drawn with probability 1 − q, kept with probability q."""
        law = self.laws[j]
        if all(q == 0 for q in nodes):
            return law
        kept = np.array(self.kept[j])
        low = np.minimum(np.array(law.offset), kept)
        drawn = law.positions + (np.array(law.offset) - low)
        here = (kept - low)[None, :]
        same = np.all(drawn == here, axis=1)
        positions = drawn if same.any() else np.concatenate((drawn, here))
        at = int(np.flatnonzero(same)[0]) if same.any() else len(drawn)
        q = np.array([float(v) for v in nodes])
        masses = np.zeros((len(nodes), len(positions)))
        masses[:, : len(drawn)] += (1 - q)[:, None] * law.masses
        masses[:, at] += q
        return _Sparse(tuple(int(v) for v in low), positions.astype(np.int64), masses)

    def error(self) -> Fraction:
        """A bound on |float − exact| of any probability the run computes: per path at
        most 2·steps roundings in the convolutions, the slots' and tails' sums along each
        axis, and one dot product over the grid."""
        return _gamma(2 * self.steps + 4 * sum(self.span) + self.points + 16) + ABSOLUTE_SLACK


def _reach(run: _Round, j: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    law, kept = run.laws[j], run.kept[j]
    low = tuple(min(o, k - 1) for o, k in zip(law.offset, kept, strict=True))
    high = tuple(max(o + s - 1, k + 1) for o, s, k in zip(law.offset, law.span, kept,
                                                           strict=True))  # fmt: skip
    return low, high


def _chain(run: _Round, laws: Sequence[_Sparse], reach: Sequence[Any],
           threshold: Sequence[int]) -> list[_Dense]:  # fmt: skip
    """Prefix tables, each windowed by what the laws after it can still add."""
    dims = len(run.scale)
    low = [[0] * dims for _ in range(len(laws) + 1)]
    high = [[0] * dims for _ in range(len(laws) + 1)]
    for k in range(len(laws) - 1, -1, -1):
        for a in range(dims):
            low[k][a] = low[k + 1][a] + reach[k][0][a]
            high[k][a] = high[k + 1][a] + reach[k][1][a]
    out = [_one(dims)]
    for k, law in enumerate(laws):
        grown = _convolve(out[-1], law)
        dead = [t - 3 - h for t, h in zip(threshold, high[k + 1], strict=True)]
        sure = [t + 2 - lo for t, lo in zip(threshold, low[k + 1], strict=True)]
        out.append(_window(grown, dead, sure))
        run.largest = max(run.largest, out[-1].values[0].size)
    return out


def _attribution_round(problem: _Problem, run: _Round, nodes: Sequence[Fraction]
                       ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Floats K[r, i] ≈ P(w wins | i kept, the others mixed at node r) and W[r] ≈
    P(w wins | all mixed at node r), each within :meth:`_Round.error`."""
    n, dims = len(problem.fixed), len(run.scale)
    kept = np.zeros((len(nodes), n))
    whole = np.zeros(len(nodes))
    zero = (Fraction(0),) * dims
    threshold = _threshold(problem, zero, run.scale)
    reach = [_reach(run, j) for j in range(n)]
    size = max(_BATCH // max(2 * (n + 1) * 4 * run.largest, 1), 1)
    for first in range(0, len(nodes), size):
        rows = slice(first, first + size)
        mixed = [run.law(j, nodes[rows]) for j in range(n)]
        prefix = _chain(run, mixed, reach, threshold)
        suffix = _chain(run, mixed[::-1], reach[::-1], threshold)
        for i in range(n):
            own = _threshold(problem, problem.fixed[i][1 if run.up else 0], run.scale)
            after = suffix[n - 1 - i]
            kept[rows, i] = _orthant(prefix[i], after, _tails(after), own)
        whole[rows] = _orthant(prefix[n], _one(dims), _tails(_one(dims)), threshold)
    return kept, whole


def _base_round(problem: _Problem, run: _Round, members: Sequence[int], extra: Vector
                ) -> tuple[Fraction, Fraction]:  # fmt: skip
    """A bracket of the run's exact P(w wins with ``extra`` + the members drawn)."""
    dims = len(run.scale)
    threshold = _threshold(problem, extra, run.scale)
    total = _chain(run, [run.law(j) for j in members], [_reach(run, j) for j in members],
                   threshold)[-1]  # fmt: skip
    found = _orthant(total, _one(dims), _tails(_one(dims)), threshold)
    value, error = Fraction(float(found[0])), run.error() + MARGIN
    return max(value - error, Fraction(0)), min(value + error, Fraction(1))


# -- refinement ----------------------------------------------------------------------------
def _first_scale(problem: _Problem, members: Sequence[int], dims: int) -> Vector:
    out = []
    for a in range(dims):
        span = Fraction(0)
        for j in members:
            cells = problem.laws[j]
            assert cells is not None
            values = [c.low[a] for c in cells] + [c.high[a] for c in cells]
            values += [problem.fixed[j][0][a], problem.fixed[j][1][a]]
            span += max(values) - min(values)
        out.append(Fraction(2) ** math.floor(math.log2(span / _FIRST_POINTS)) if span
                   else Fraction(1))  # fmt: skip
    return tuple(out)


def _refine(build: Any, solve: Any, members: Sequence[int], dims: int, max_states: int,
            time_limit: float | None, smooth: bool) -> tuple[Any, str, Any]:  # fmt: skip
    """Halve every axis of the grid (and, with ``smooth`` pieces, double the cells) until
    the brackets are at most :data:`TARGET_WIDTH` wide, the grid passes ``max_states``
    or time runs short."""
    best, status, cells, rounds = None, "budget_exhausted", _FIRST_CELLS, 0
    before = Fraction(2)
    built: dict[int, _Problem] = {}
    try:
        with deadline.limit(time_limit):
            built[cells] = build(cells)
            scale = _first_scale(built[cells], members, dims)
            while True:
                started = time.monotonic()
                if cells not in built:
                    built[cells] = build(cells)
                problem = built[cells]
                found, points = solve(problem, scale)
                rounds += 1
                best = (found, problem, scale, cells, rounds, points)
                width = max((b - a for a, b in zip(*found, strict=True)), default=Fraction(0))
                # pair splits leave a gap no grid closes: stop once a round barely helps
                if width <= TARGET_WIDTH or width > before * _STALL:
                    break
                before = width
                left = deadline.remaining()
                grow = 2**dims
                if points * grow > max_states:
                    break
                if left is not None and (time.monotonic() - started) * grow > left:
                    status = "time_limit"
                    break
                scale = tuple(h / 2 for h in scale)
                cells = min(cells * 2, _MAX_CELLS) if smooth else cells
    except OutOfTime:
        status = "time_limit"
    return best, status, rounds


def _smooth(rivals: Sequence[GAM]) -> bool:
    """Whether some contribution is not constant on its pieces (only then do more cells
    per piece narrow its bounds)."""
    return any(
        isinstance(f.shape, Piecewise) and any(any(c != 0 for c in row[1:])
                                               for row in f.shape.coefficients)
        for rival in rivals for f in rival.features
    )  # fmt: skip


def _prepare(model: Any, winner: int, x: tuple[Any, ...]) -> Any:
    rivals = rival_models(model, winner)
    parts = [_carry(r) for r in rivals]
    carried = [p[1] for p in parts]
    per = [_fixed(r, x, c) for r, c in zip(rivals, carried, strict=True)]
    fixed = tuple(
        (tuple(f[j][0] for f in per), tuple(f[j][1] for f in per)) for j in range(len(x))
    )
    strict = tuple(getattr(r.task, "positive", None) == ">" for r in rivals)
    return rivals, carried, tuple(p[0] for p in parts), fixed, strict


def _certificate(winner: int, last: Any, splits: Any, nodes: Any, kind: str,
                 found: Any) -> VectorGridCertificate | None:  # fmt: skip
    if last is None:
        return None
    (low, high), problem, scale, cells, rounds, points = last
    return VectorGridCertificate(
        winner=winner, kind=kind, lower=tuple(low), upper=tuple(high), scale=scale,
        cells=cells, rounds=rounds, largest_table=points, laws=problem.laws,
        fixed=problem.fixed, splits=splits, nodes=nodes,
    )  # fmt: skip


def grid_label_values(model: Any, winner: int, x: tuple[Any, ...], kind: str,
                      max_states: int, time_limit: float | None) -> VectorEstimate:  # fmt: skip
    """Certified brackets on the Shapley (``kind="shapley"``) or Banzhaf values of the
    indicator that ``winner`` wins, and on v(∅).

    Notes
    -----
    A round on a grid of G points costs O(m·n·a·G) for m quadrature nodes (n for
    Shapley, 1 for Banzhaf), n features and a grid vectors per feature; each round halves
    every axis (G grows 2^(K−1)-fold). Theorem ``thm:multiclass-label-grid``.
    """
    n, dims = model.n_features, model.n_classes - 1
    started = time.monotonic()
    trivial = VectorEstimate((Fraction(-1),) * n, (Fraction(1),) * n, Fraction(0), Fraction(1),
                             "time_limit", None, 0)  # fmt: skip
    try:
        with deadline.limit(time_limit):
            rivals, carried, splits, fixed, strict = _prepare(model, winner, x)
    except OutOfTime:
        return trivial
    left = None if time_limit is None else max(time_limit - (time.monotonic() - started), 0.0)
    pairs = ((Fraction(1, 2), Fraction(1)),) if kind == "banzhaf" else shapley_nodes(n)

    def build(cells: int) -> _Problem:
        laws = tuple(_vector_law(rivals, carried, j, cells) for j in range(n))
        return _Problem(laws, fixed, strict)

    def solve(problem: _Problem, scale: Vector) -> tuple[Any, int]:
        runs = [_Round(problem, range(n), scale, up) for up in (False, True)]
        zero = (Fraction(0),) * dims
        # v(∅) first: its chain measures the tables, which sizes the batches of nodes
        base = (_base_round(problem, runs[0], range(n), zero)[0],
                _base_round(problem, runs[1], range(n), zero)[1])  # fmt: skip
        nodes = [q for q, _ in pairs]
        down, up = (_attribution_round(problem, run, nodes) for run in runs)
        low, high = _combine(pairs, down, up, max(run.error() for run in runs))
        return ([*low, base[0]], [*high, base[1]]), max(r.largest for r in runs)

    best, status, _ = _refine(build, solve, range(n), dims, max_states, left, _smooth(rivals))
    if best is None:
        return trivial
    (low, high), points = best[0], best[5]
    cert = _certificate(winner, best, splits, pairs, kind, best[0])
    exact = all(a == b for a, b in zip(low, high, strict=True))
    return VectorEstimate(tuple(low[:n]), tuple(high[:n]), low[n], high[n],
                          "solved" if exact else status, cert, points)  # fmt: skip


def grid_wins(model: Any, winner: int, x: tuple[Any, ...], fixed: frozenset[int],
              max_states: int, time_limit: float | None) -> VectorEstimate:  # fmt: skip
    """A certified bracket on P(``winner`` wins) when the features outside ``fixed``
    follow their marginals.

    Notes
    -----
    One chain of (K − 1)-dimensional convolutions per run: O(n·a·G) for a grid of G
    points. Theorem ``thm:multiclass-label-grid``.
    """
    n, dims = model.n_features, model.n_classes - 1
    started = time.monotonic()
    trivial = VectorEstimate((Fraction(0),), (Fraction(1),), None, None, "time_limit", None, 0)
    try:
        with deadline.limit(time_limit):
            rivals, carried, splits, kept_values, strict = _prepare(model, winner, x)
    except OutOfTime:
        return trivial
    left = None if time_limit is None else max(time_limit - (time.monotonic() - started), 0.0)
    free = [j for j in range(n) if j not in fixed]
    offset = tuple(
        tuple(sum((kept_values[j][side][a] for j in fixed), Fraction(0)) for a in range(dims))
        for side in (0, 1)
    )

    def build(cells: int) -> _Problem:
        laws = tuple(_vector_law(rivals, carried, j, cells) if j in free else None
                     for j in range(n))  # fmt: skip
        return _Problem(laws, kept_values, strict)

    def solve(problem: _Problem, scale: Vector) -> tuple[Any, int]:
        runs = [_Round(problem, free, scale, up) for up in (False, True)]
        low = _base_round(problem, runs[0], free, offset[0])[0]
        high = _base_round(problem, runs[1], free, offset[1])[1]
        return ([low], [high]), max(r.largest for r in runs)

    if not free:
        best: Any = None
        problem = build(_FIRST_CELLS)
        one = tuple(Fraction(1) for _ in range(dims))
        runs = [_Round(problem, free, one, up) for up in (False, True)]
        found = ([_base_round(problem, runs[0], free, offset[0])[0]],
                 [_base_round(problem, runs[1], free, offset[1])[1]])  # fmt: skip
        best, status = (found, problem, one, _FIRST_CELLS, 1, 1), "budget_exhausted"
    else:
        best, status, _ = _refine(build, solve, free, dims, max_states, left, _smooth(rivals))
    if best is None:
        return trivial
    (low, high), points = best[0], best[5]
    cert = _certificate(winner, best, splits, (), "cc", best[0])
    exact = low[0] == high[0]
    return VectorEstimate(tuple(low), tuple(high), None, None,
                          "solved" if exact else status, cert, points)  # fmt: skip


# -- registration --------------------------------------------------------------------------
def _applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


@register_algorithm(
    "cc",
    "rival-grid",
    summary="outward rounding of the K − 1 score differences onto a grid refined until "
    "the bracket is narrow; pair terms split into additive bounds per rival",
    theorem="thm:multiclass-label-grid",
    priority=20,
    solves=lambda cell: cell.task == "multiclass",
    applies=_applies,
    multiclass=True,
)
def cc_rival_grid(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], *, max_states: int,
    time_limit: float | None, target: int | None = None,
) -> VectorEstimate:  # fmt: skip
    """The completion fraction of a multiclass model (the probability that the predicted
    class, or class index ``target``, wins) as a certified bracket (:func:`grid_wins`).

    Notes
    -----
    #P-hard already for K = 2 (thm:cc-sharp-p); brackets by thm:multiclass-label-grid.
    """
    winner = gam.predict_index(x) if target is None else target
    return grid_wins(gam, winner, x, fixed, max_states, time_limit)


def _label(query: str) -> Any:
    @register_algorithm(
        query,
        "rival-grid",
        summary="outward rounding of the K − 1 score differences onto a grid, coalitions "
        "by exact quadrature over q; pair terms split into additive bounds per rival",
        theorem="thm:multiclass-label-grid",
        priority=20,
        solves=lambda cell: cell.task == "multiclass",
        applies=_applies,
        multiclass=True,
    )
    def label_rival_grid(
        gam: Any, x: tuple[Any, ...], *, output: str, kind: str, max_states: int,
        time_limit: float | None, target: int | None = None,
    ) -> VectorEstimate:  # fmt: skip
        """Label SHAP or Banzhaf values of a multiclass model (of the indicator that the
        predicted class, or class index ``target``, wins) as certified brackets
        (:func:`grid_label_values`).

        Notes
        -----
        #P-hard already for K = 2 (thm:shap-label-sharp-p); brackets by
        thm:multiclass-label-grid.
        """
        winner = gam.predict_index(x) if target is None else target
        return grid_label_values(gam, winner, x, kind, max_states, time_limit)

    return label_rival_grid


label_rival_grid = _label("shap-label")
_label("banzhaf-label")
