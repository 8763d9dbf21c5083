"""Certified brackets for label SHAP, label Banzhaf and completion fractions on a grid.

Every contribution (a feature's shape plus, with pair terms, its parts of their splits)
is bracketed cell by cell, then rounded outward onto a grid of width h = 2^-e: down in
one run, up in another. The label is monotone in the score, so the two runs bracket
every probability the queries need. On the grid the law of a sum is a convolution of
integer-indexed probability vectors, computed in float64 with nonnegative terms only, so
its rounding error is a relative bound γ_D (Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., Lemma 3.1) applied outward. The grid is refined until
every bracket is at most :data:`TARGET_WIDTH` wide.

* **Coalitions.** Shapley weights are a Beta integral, Σ_k w_k·D_k = ∫_0^1 Π_{j≠i}
  ((1 − q)·law_j + q·δ_{x_j}) dq: a polynomial of degree n − 1 in q, integrated exactly
  by n rational nodes with their exact interpolatory weights. Banzhaf is the one node
  q = 1/2. At each node one prefix and one suffix chain of convolutions give every
  feature's leave-one-out law through dot products.
* **Pair terms.** Each pair term is split into additive bounds,
  l_i(x_i) + l_j(x_j) ≤ g(x_i, x_j) ≤ u_i(x_i) + u_j(x_j), each part attached to its
  own feature: the model's score lies between two additive scores, so the down and up
  runs still bracket the label. The least expected gap E[u − l] is the value of two
  optimal transport problems (Kantorovich duality: max and min of E_π g over the
  couplings π of the two bins' laws); entropic smoothing (Sinkhorn's iterations)
  approaches it, and the best of that and of carrying the term on one feature (its
  least and largest value over the partner's bins) is kept. The bracket's width is
  about the score's density at the threshold times the summed gaps, so it does not
  close on pair terms.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.brute import brute_force_applies
from gamexplain.algorithms.partial_sums import Cell, Estimate, feature_cells
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.gam import GAM, PairTerm
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "ABSOLUTE_SLACK",
    "MARGIN",
    "TARGET_WIDTH",
    "GridCertificate",
    "PairSplit",
    "grid_attributions",
    "grid_completion",
    "shapley_nodes",
]

TARGET_WIDTH = Fraction(1, 128)
"""Refinement stops once every bracket is at most this wide (< 0.01)."""

ABSOLUTE_SLACK = Fraction(1, 2**1000)
"""Absolute allowance for underflow: fewer than 2^60 multiplications, each off by at most
2^-1075 beyond its relative error, scaled by factors of at most 2 afterwards."""

MARGIN = Fraction(1, 2**30)
"""Every reported bound is widened by this much beyond its own error bound: room for a
check that re-derives the bracket with its own (different) rounding errors."""

_UNIT = Fraction(1, 2**53)
_FIRST_POINTS = 128
_FIRST_CELLS = 4
_BATCH = 2**22
_MAX_CELLS = 1024
_NODE_BITS = 24


@dataclass(frozen=True)
class GridCertificate:
    """What the last completed round used.

    Attributes
    ----------
    scale : Fraction
        The grid width h (a power of two).
    cells : int
        Cells per continuous piece.
    rounds : int
        Completed rounds.
    largest_table : int
        The longest probability vector of the last round.
    laws : tuple
        Per feature, its cells (left, right, low, high, probability) with ``low``/``high``
        bounding the feature's contribution plus the pair terms it carries (None for a
        feature kept fixed in a completion).
    fixed : tuple of (Fraction, Fraction)
        Per feature, bounds on the same at the instance's value.
    splits : tuple of PairSplit
        Per pair term, its additive bounds (each feature's cells include its parts).
    nodes : tuple of (Fraction, Fraction)
        The quadrature (q, weight) pairs (Shapley: n of them; Banzhaf: (1/2, 1);
        completion: none).
    mode : str
        ``"grid"``, or ``"cases"`` for a bracket summed over the cases of
        :mod:`gamexplain.algorithms.grid_conditioning` (then ``laws``, ``fixed`` and
        ``splits`` are empty and each case carries its own).
    cases : tuple of GridCase
        The cases (mode ``"cases"``), each bracketed on this grid.
    tree : int or tuple or None
        The cuts that make the cases: a case's index, or (feature, cut, below, above)
        with ``below`` the values before ``cut`` (a number, or a finite domain's
        position) and ``above`` the others.
    """

    scale: Fraction
    cells: int
    rounds: int
    largest_table: int
    laws: tuple[tuple[Cell, ...] | None, ...]
    fixed: tuple[tuple[Fraction, Fraction], ...]
    splits: tuple[PairSplit, ...]
    nodes: tuple[tuple[Fraction, Fraction], ...]
    mode: str = "grid"
    linear: None = None
    cases: tuple[Any, ...] = ()
    tree: Any = None


# -- contributions, pair terms included ----------------------------------------------------
@dataclass(frozen=True)
class PairSplit:
    """Additive bounds on one pair term g(a, b) over its bins:
    ``low[0][a] + low[1][b] ≤ g(a, b) ≤ high[0][a] + high[1][b]`` for every a, b.

    Each side's parts are attached to their own feature, so the model's score lies
    between two additive scores whatever the features' values."""

    low: tuple[tuple[float, ...], tuple[float, ...]]
    high: tuple[tuple[float, ...], tuple[float, ...]]


@dataclass(frozen=True)
class _Carried:
    """One feature's share of a pair term's split: the bounds on each of its bins."""

    pair: PairTerm
    axis: int
    low: NDArray[np.float64]
    high: NDArray[np.float64]


def _carry(gam: GAM) -> tuple[tuple[PairSplit, ...], list[list[_Carried]]]:
    """Split every pair term into additive bounds (:func:`_split`) and hand each feature
    its parts. Cached on the (immutable) model, pair by pair (a run cut short by its
    time limit leaves the splits it made to the next): they depend on the model only."""
    cached = gam.__dict__.get("_grid_splits")
    if cached is not None:
        return cached
    done: dict[int, PairSplit] = gam.__dict__.setdefault("_grid_split_parts", {})
    splits: list[PairSplit] = []
    carried: list[list[_Carried]] = [[] for _ in gam.features]
    for k, pair in enumerate(gam.pairs):
        if k not in done:
            deadline.check()
            weights = [_bin_weights(pair, a, gam.features[j]) for a, j in enumerate(pair.features)]
            done[k] = _split(np.asarray(pair.values, dtype=float), *weights)
        split = done[k]
        splits.append(split)
        for axis, j in enumerate(pair.features):
            carried[j].append(
                _Carried(pair, axis, np.array(split.low[axis]), np.array(split.high[axis]))
            )
    found = (tuple(splits), carried)
    object.__setattr__(gam, "_grid_splits", found)
    return found


def _bin_weights(pair: PairTerm, axis: int, feature: Any) -> NDArray[np.float64]:
    """The probabilities of a pair term's bins, in floats (they only choose a split):
    each cell's mass spread over the bins in proportion to the length it shares."""
    out = np.zeros(pair.shape[axis])
    edges = pair.edges[axis]
    if edges is None:
        for left, _, _, _, p in feature_cells(feature, _FIRST_CELLS):
            out[pair.bin_of(axis, feature, left)] += float(p)
        return out
    left, right, mass = _cell_floats(feature)
    width = right - left
    inner = np.asarray(edges[1:-1], dtype=float)
    below = np.where(
        width[:, None] > 0,
        np.clip((inner[None, :] - left[:, None]) / np.where(width > 0, width, 1)[:, None], 0, 1),
        left[:, None] < inner[None, :],
    )
    cdf = np.concatenate(([0.0], mass @ below, [float(np.sum(mass))]))
    return np.diff(cdf)


@lru_cache(maxsize=1024)
def _cell_floats(feature: Any) -> tuple[NDArray[np.float64], ...]:
    cells = feature_cells(feature, _FIRST_CELLS)
    return tuple(np.array([float(c[k]) for c in cells]) for k in (0, 1, 4))


_DESCENTS = 4


def _split(table: NDArray[np.float64], pa: NDArray[np.float64], pb: NDArray[np.float64]
           ) -> PairSplit:  # fmt: skip
    """The tightest of three sound splits by expected gap E[high − low] under the bins'
    probabilities (floats only choose; :func:`_cover` makes every bound hold exactly).

    The least expected upper bound u(a) + v(b) ≥ g(a, b) is the dual of an optimal
    transport problem (max E_π g over couplings π of the two marginals), approached by
    :func:`_descend`. Carrying the whole term on one axis (its least and largest value
    over the partner's bins, v = 0) gives the other two candidates."""
    options = []
    for axis in (0, 1):
        rows = table if axis == 0 else table.T
        zero = np.zeros(rows.shape[1])
        low, high = (rows.min(axis=1), zero), (rows.max(axis=1), zero)
        if axis:
            low, high = low[::-1], high[::-1]
        options.append((low, high))
    upper, lower = _descend(table, pa, pb), _descend(-table, pa, pb)
    options.append(((-lower[0], -lower[1]), upper))

    def gap(option: Any) -> float:
        (la, lb), (ha, hb) = option
        return float(pa @ (ha - la) + pb @ (hb - lb))

    (la, lb), (ha, hb) = min(options, key=gap)
    ha = _cover(table, hb, ha)
    la = -_cover(-table, -lb, -la)
    return PairSplit(
        (tuple(la.tolist()), tuple(lb.tolist())), (tuple(ha.tolist()), tuple(hb.tolist()))
    )


def _descend(table: NDArray[np.float64], pa: NDArray[np.float64], pb: NDArray[np.float64]
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """A feasible (u, v) with u(a) + v(b) ≥ g(a, b) of small E[u] + E[v] (in floats).

    Entropic smoothing (Cuturi, *Sinkhorn Distances*, NeurIPS 2013): soft c-transforms
    v(b) = ε·log Σ_a p(a)·exp((g(a, b) − u(a))/ε) and back, ε shrinking, then exact
    c-transforms. Plain alternating maxima stall at a corner; the smoothed ones reach
    the transport optimum within a few percent."""
    scale = max(float(np.ptp(table)), 2.0**-600)
    with np.errstate(divide="ignore"):
        la, lb = np.log(pa)[:, None], np.log(pb)[None, :]
    u = table @ pb
    for share in _TEMPERATURES:
        eps = share * scale
        for _ in range(_SWEEPS):
            v = _soft(table - u[:, None], eps, la, 0)
            u = _soft(table - v[None, :], eps, lb, 1)
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))):
        u = table @ pb
    for _ in range(_DESCENTS):
        v = np.max(table - u[:, None], axis=0)
        u = np.max(table - v[None, :], axis=1)
    return u, v


_TEMPERATURES = (0.1, 0.02, 0.004)
_SWEEPS = 10


def _soft(x: NDArray[np.float64], eps: float, weights: NDArray[np.float64], axis: int
          ) -> NDArray[np.float64]:  # fmt: skip
    """ε·log Σ exp(x/ε + log p) along ``axis``, shifted by its maximum."""
    z = x / eps + weights
    top = np.max(z, axis=axis, keepdims=True)
    return eps * (np.squeeze(top, axis) + np.log(np.sum(np.exp(z - top), axis=axis)))


def _cover(table: NDArray[np.float64], v: NDArray[np.float64], u: NDArray[np.float64]
           ) -> NDArray[np.float64]:  # fmt: skip
    """u raised, float by float, until u(a) + v(b) ≥ g(a, b) holds exactly for all a, b
    (decided by the error-free sum: a rounded sum above g, or equal with a nonnegative
    rounding error)."""
    u = np.maximum(u, np.max(table - v[None, :], axis=1))
    while True:
        total = u[:, None] + v[None, :]
        back = total - u[:, None]
        error = (u[:, None] - (total - back)) + (v[None, :] - back)
        short = (total < table) | ((total == table) & (error < 0))
        rows = np.any(short, axis=1)
        if not rows.any():
            return u
        u = np.where(rows, np.nextafter(u, np.inf), u)


def _pair_range(gam: GAM, j: int, terms: Sequence[_Carried], left: Any, right: Any) -> tuple[
    Fraction, Fraction
]:
    """Bounds on feature j's parts of the pair splits for its values in [left, right]."""
    low, high = _pair_ranges(gam, j, terms, [left], [right])
    return low[0], high[0]


def _pair_ranges(gam: GAM, j: int, terms: Sequence[_Carried], lefts: Sequence[Any],
                 rights: Sequence[Any]) -> tuple[list[Fraction], list[Fraction]]:  # fmt: skip
    """:func:`_pair_range` for many cells at once (:func:`_pair_range_floats`, as exact
    numbers)."""
    low, high = _pair_range_floats(gam, j, terms, lefts, rights)
    return [Fraction(float(v)) for v in low], [Fraction(float(v)) for v in high]


def _pair_range_floats(gam: GAM, j: int, terms: Sequence[_Carried], lefts: Sequence[Any],
                       rights: Sequence[Any]
                       ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Floats below and above feature j's parts of the pair splits on each cell [l, r]:
    per term the least low part and the
    largest high part over the bins each cell meets, summed in floats and then moved
    outward by a bound on the sum's rounding error (γ_t of the absolute sum).

    On an interval a cell [l, r] with l < r meets the bins of [l, r) only: its right end
    has probability 0 (the laws have densities there), as for the shapes' pieces, so a
    cell ending on a bin edge does not take in the next bin."""
    size = len(lefts)
    low, high = np.zeros(size), np.zeros(size)
    magnitude = np.zeros(size)
    bins: dict[Any, tuple[NDArray[np.intp], NDArray[np.intp]]] = {}
    feature = gam.features[j]
    interval = feature.domain.kind == "interval"
    before = [interval and a < b for a, b in zip(lefts, rights, strict=True)]
    for term in terms:
        edges = term.pair.edges[term.axis]
        if edges not in bins:
            bins[edges] = (_bins(term, feature, lefts), _bins(term, feature, rights, before))
        first, last = bins[edges]
        part = (
            _reduce(term.low, first, last, np.minimum),
            _reduce(term.high, first, last, np.maximum),
        )
        low, high = low + part[0], high + part[1]
        magnitude += np.abs(part[0]) + np.abs(part[1])
    # sums of floats never underflow (a subnormal sum is exact): a relative bound suffices
    slack = magnitude * float(4 * (len(terms) + 1) * _UNIT)
    return low - slack, high + slack


def _with_extra(cells: Sequence[Cell], low: NDArray[np.float64], high: NDArray[np.float64]
                ) -> tuple[Cell, ...]:  # fmt: skip
    """Each cell with its bounds moved by the floats ``low`` and ``high`` (its parts of
    the pair splits). Where a cell's bound is itself a float (an EBM's step values are)
    the float sum is taken, and moved to the next float outward where it rounded inward
    (its rounding error, by Knuth's TwoSum, is exact without overflow). Elsewhere the
    sum is taken in rationals."""
    own = np.array([[float(c[2]), float(c[3])] for c in cells]).reshape(-1, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        down = _outward(own[:, 0], low, -np.inf)
        up = _outward(own[:, 1], high, np.inf)
    out = []
    for k, (left, right, a, b, p) in enumerate(cells):
        if _is_float(a) and _is_float(b) and math.isfinite(down[k]) and math.isfinite(up[k]):
            out.append((left, right, Fraction(float(down[k])), Fraction(float(up[k])), p))
        else:
            out.append((left, right, a + Fraction(float(low[k])), b + Fraction(float(high[k])),
                        p))  # fmt: skip
    return tuple(out)


def _outward(a: NDArray[np.float64], b: NDArray[np.float64], towards: float
             ) -> NDArray[np.float64]:  # fmt: skip
    """a + b rounded, moved one float towards ``towards`` where that rounding went the
    other way (TwoSum: a + b = s + t exactly)."""
    s = a + b
    b_virtual = s - a
    t = (a - (s - b_virtual)) + (b - b_virtual)
    inward = t > 0 if towards > 0 else t < 0
    out: NDArray[np.float64] = np.where(inward, np.nextafter(s, towards), s)
    return out


def _is_float(value: Any) -> bool:
    """Whether an exact number is a (finite, normal-range) float: a power-of-two
    denominator and a numerator of at most 53 bits."""
    if not isinstance(value, Fraction):
        return isinstance(value, int) and abs(value) < 2**53
    d = value.denominator
    return d & (d - 1) == 0 and d <= 2**1000 and abs(value.numerator) < 2**53


def _reduce(parts: NDArray[np.float64], first: NDArray[np.intp], last: NDArray[np.intp],
            pick: Any) -> NDArray[np.float64]:  # fmt: skip
    """pick over parts[first[c] … last[c]] for every cell c."""
    out = parts[first]
    for step in range(1, int(np.max(last - first, initial=0)) + 1):
        out = pick(out, parts[np.minimum(first + step, last)])
    return out


def _bins(term: _Carried, feature: Any, values: Sequence[Any],
          before: Sequence[bool] | None = None) -> NDArray[np.intp]:  # fmt: skip
    """The bins of ``values`` (:meth:`PairTerm.bin_of`), or where ``before`` says so the
    bin just below the value (the last one a value < it meets): by the float of each
    value, and exactly where that float is an edge (rounding is monotone, so a value's
    float below or above a float edge puts the value itself there)."""
    edges = term.pair.edges[term.axis]
    if edges is None:
        return np.array([term.pair.bin_of(term.axis, feature, v) for v in values], dtype=np.intp)
    inner = np.asarray(edges[1:-1], dtype=float)
    floats = np.array([float(v) for v in values])
    found = np.searchsorted(inner, floats, side="right")
    strict = np.zeros(len(values), dtype=bool) if before is None else np.asarray(before, bool)
    for k in np.flatnonzero(np.isin(floats, inner)).tolist():
        exact = Fraction(values[k])
        if exact < Fraction(floats[k]) or (strict[k] and exact == Fraction(floats[k])):
            found[k] -= 1
    return found


def _feature_law(
    gam: GAM, j: int, cells: int, terms: Sequence[_Carried]
) -> tuple[Cell, ...]:
    """Feature j's cells with its parts of the pair splits (cached on the model per
    number of cells: the laws do not depend on the instance, so later rows reuse them)."""
    deadline.check()
    own = feature_cells(gam.features[j], cells)
    if not terms:
        return own
    laws: dict[tuple[int, int], tuple[Cell, ...]] = gam.__dict__.setdefault("_grid_laws", {})
    key = (j, cells)
    if key not in laws:
        low, high = _pair_range_floats(gam, j, terms, [c[0] for c in own], [c[1] for c in own])
        laws[key] = _with_extra(own, low, high)
    return laws[key]


def _fixed(
    gam: GAM, x: tuple[Any, ...], carried: Sequence[Sequence[_Carried]]
) -> tuple[tuple[Fraction, Fraction], ...]:
    out = []
    for j, (feature, value) in enumerate(zip(gam.features, x, strict=True)):
        c = Fraction(feature.contribution_exact(value))
        extra = _pair_range(gam, j, carried[j], value, value)
        out.append((c + extra[0], c + extra[1]))
    return tuple(out)


# -- sparse laws on the grid ---------------------------------------------------------------
@dataclass(frozen=True)
class _Sparse:
    """Laws on the grid, one per row: ``masses[r, k]`` at index ``offset + positions[k]``."""

    offset: int
    positions: NDArray[np.int64]
    masses: NDArray[np.float64]

    @property
    def span(self) -> int:
        return int(self.positions[-1]) + 1 if len(self.positions) else 1


def _index(value: Fraction, scale: Fraction, up: bool) -> int:
    """⌈value/scale⌉ (``up``) or ⌊value/scale⌋, in integers."""
    if not isinstance(value, Fraction):
        value = Fraction(value)
    a = value.numerator * scale.denominator
    b = value.denominator * scale.numerator
    return -(-a // b) if up else a // b


def _sparse(entries: Sequence[tuple[int, Fraction]]) -> _Sparse:
    """Merge (index, probability) entries, exactly, into a one-row law."""
    merged: dict[int, Fraction] = {}
    for k, p in entries:
        merged[k] = merged[k] + p if k in merged else p
    keys = sorted(k for k, p in merged.items() if p)
    offset = keys[0]
    return _Sparse(
        offset,
        np.array([k - offset for k in keys], dtype=np.int64),
        np.array([[float(merged[k]) for k in keys]], dtype=np.float64),
    )


@dataclass(frozen=True)
class _Dense:
    """Probability vectors, one per row (one per quadrature node): mass ``values[r, t]``
    at index ``offset + t``, and ``sure[r]`` mass already known to end in the event
    whatever the features still to come add."""

    offset: int
    values: NDArray[np.float64]
    sure: NDArray[np.float64]


def _convolve(vector: _Dense, law: _Sparse) -> _Dense:
    """The laws of the sums: one shifted, scaled copy of each row per mass of ``law``."""
    rows = max(len(vector.values), len(law.masses))
    size = vector.values.shape[1]
    out = np.zeros((rows, size + law.span - 1))
    for k, position in enumerate(law.positions.tolist()):
        out[:, position : position + size] += law.masses[:, k : k + 1] * vector.values
    deadline.check()
    sure = vector.sure * np.sum(law.masses, axis=1)
    return _Dense(vector.offset + law.offset, out, sure)


def _window(vector: _Dense, dead: int, sure: int) -> _Dense:
    """Drop the indices ≤ ``dead`` (they can no longer reach the event) and move the
    mass at indices ≥ ``sure`` (it can no longer leave it) into ``sure``: exact, since
    the features still to come add a bounded number of grid steps."""
    length = vector.values.shape[1]
    first = max(dead + 1 - vector.offset, 0)
    stop = min(max(sure - vector.offset, first), length)
    if first == 0 and stop == length:
        return vector
    moved = np.sum(vector.values[:, stop:], axis=1)
    values = vector.values[:, first:stop] if stop > first else np.zeros((len(vector.values), 1))
    return _Dense(vector.offset + first, values, vector.sure + moved)


def _upper_tails(vector: _Dense) -> NDArray[np.float64]:
    """tails[r, t] = mass of row r at indices ≥ offset + t, for t = 0 … len (the last 0)."""
    tails = np.cumsum(vector.values[:, ::-1], axis=1)[:, ::-1]
    return np.concatenate((tails, np.zeros((len(tails), 1))), axis=1)


def _tail_dot(left: _Dense, right: _Dense, tails: NDArray[np.float64], threshold: int
              ) -> NDArray[np.float64]:  # fmt: skip
    """Per row, P(L + R ≥ threshold) with ``tails`` the upper tails of R:
    Σ_a L[a]·P(R ≥ thr − a), plus the sure masses (a sure part of either is in the event
    with all of the other).

    P(R ≥ thr − a) is the whole mass of R for a ≥ c = thr − offsets and 0 for
    a ≤ c − len(R): one sum and one dot product with the reversed tails in between."""
    c = threshold - left.offset - right.offset
    values = left.values
    size, reach = values.shape[1], tails.shape[1] - 1
    total = np.zeros(max(len(values), len(tails)))
    if c < size:
        total += tails[:, 0] * np.sum(values[:, max(c, 0) :], axis=1)
    start, stop = max(c - reach + 1, 0), min(c, size)  # a in [start, stop): 0 < c − a < reach
    if start < stop:
        total += np.sum(values[:, start:stop] * tails[:, c - start : c - stop : -1], axis=1)
    total += right.sure * np.sum(values, axis=1) + left.sure * (tails[:, 0] + right.sure)
    return total


# -- rigorous widening --------------------------------------------------------------------
def _gamma(depth: int) -> Fraction:
    """γ_d = d·u/(1 − d·u): the relative error of a float computation of nonnegative
    terms in which every value passes through at most d roundings."""
    bound = depth * _UNIT
    return bound / (1 - bound)


# -- the problem on one grid ---------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    """Everything a round needs, in exact numbers."""

    laws: tuple[tuple[Cell, ...] | None, ...]
    fixed: tuple[tuple[Fraction, Fraction], ...]
    level: Fraction  # the event is score ≥ level (> when strict); score = β0 + Σ
    strict: bool
    intercept: Fraction


def _threshold(problem: _Problem, extra: Fraction, scale: Fraction) -> int:
    """The least integer s with β0 + extra + s·h in the event."""
    q = (problem.level - problem.intercept - extra) / scale
    return math.floor(q) + 1 if problem.strict else math.ceil(q)


def _grid_law(cells: tuple[Cell, ...], scale: Fraction, up: bool) -> list[tuple[int, Fraction]]:
    return [(_index(c[3] if up else c[2], scale, up), c[4]) for c in cells]


class _Round:
    """One run (down or up) on one grid: the laws as sparse vectors and the depth
    bound of every float computation it makes."""

    def __init__(self, problem: _Problem, members: Sequence[int], scale: Fraction, up: bool,
                 cache: dict[Any, Any] | None = None):  # fmt: skip
        """``cache`` keeps the grid laws of cell tuples that later rounds on the same
        grid share (keyed by the tuple's identity; the entry holds the tuple, so a
        reused identity is told apart)."""
        self.scale, self.up = scale, up
        self.laws: dict[int, _Sparse] = {}
        self.kept: dict[int, int] = {}
        for j in members:
            cells = problem.laws[j]
            assert cells is not None
            found = None if cache is None else cache.get((id(cells), up))
            if found is None or found[0] is not cells:
                found = (cells, _sparse(_grid_law(cells, scale, up)))
                if cache is not None:
                    cache[id(cells), up] = found
            self.laws[j] = found[1]
            self.kept[j] = _index(problem.fixed[j][1 if up else 0], scale, up)
        # per feature: a mass rounded to a float, scaled by 1 − q, merged with the kept
        # value, then one product and one addition per mass of the law; the tails and
        # the dot products add one addition per grid point each
        self.steps = sum(len(law.positions) + 6 for law in self.laws.values())
        # the kept value joins the law at the quadrature nodes: its distance counts
        self.span = sum(
            max(law.offset + law.span, self.kept[j] + 1) - min(law.offset, self.kept[j])
            for j, law in self.laws.items()
        )

    def law(self, j: int, nodes: Sequence[Fraction] = (Fraction(0),)) -> _Sparse:
        """Per node q, feature j drawn with probability 1 − q and kept at its value with
        probability q (q and 1 − q are dyadic with few bits: exact floats)."""
        law = self.laws[j]
        if all(q == 0 for q in nodes):
            return law
        kept = self.kept[j]
        low = min(law.offset, kept)
        drawn = law.positions + (law.offset - low)
        positions = np.union1d(drawn, [kept - low]).astype(np.int64)
        q = np.array([float(v) for v in nodes])
        masses = np.zeros((len(nodes), len(positions)))
        masses[:, np.searchsorted(positions, drawn)] += (1 - q)[:, None] * law.masses
        masses[:, np.searchsorted(positions, kept - low)] += q
        return _Sparse(low, positions, masses)

    def error(self) -> Fraction:
        """A bound on |float − exact| of any probability this run computes: a relative
        γ of a value at most 1, plus the underflow allowance."""
        return _gamma(2 * self.steps + 4 * self.span + 16) + ABSOLUTE_SLACK


_ONE = _Dense(0, np.ones((1, 1)), np.zeros(1))


def _reach(run: _Round, j: int) -> tuple[int, int]:
    """Grid steps feature j can add in this run, drawn or kept (a kept bound enters the
    threshold unrounded, within one step of its grid index)."""
    law = run.laws[j]
    kept = run.kept[j]
    return min(law.offset, kept - 1), max(law.offset + law.span - 1, kept + 1)


def _chain(laws: Sequence[_Sparse], reach: Sequence[tuple[int, int]], threshold: int
           ) -> list[_Dense]:  # fmt: skip
    """Prefix laws: out[k] is the law of the sum of the first k, windowed by what the
    others (``reach[k:]``) can still add to meet ``threshold`` (two steps of margin for
    the unrounded kept bounds and a strict event)."""
    low = [0] * (len(laws) + 1)
    high = [0] * (len(laws) + 1)
    for k in range(len(laws) - 1, -1, -1):
        low[k], high[k] = low[k + 1] + reach[k][0], high[k + 1] + reach[k][1]
    out = [_ONE]
    for k, law in enumerate(laws):
        grown = _convolve(out[-1], law)
        out.append(_window(grown, threshold - 3 - high[k + 1], threshold + 2 - low[k + 1]))
    return out


def _attribution_round(
    problem: _Problem, run: _Round, nodes: Sequence[Fraction],
    inside: Sequence[bool] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Floats K[r, i] ≈ P(class 1 | i kept, the others mixed at node r) and W[r] ≈
    P(class 1 | all mixed at node r), each within :meth:`_Round.error` of the run's
    exact value.

    With ``inside`` (a case of the conditioned labels, ``thm:label-grid-cases``): the run
    is the case's, feature j is kept at x_j only where ``inside[j]`` (the case holds
    x_j), and K[r, i] is 0 for a feature outside: P(class 1 and case | i kept).
    """
    n = len(problem.fixed)
    kept = np.zeros((len(nodes), n))
    whole = np.zeros(len(nodes))
    threshold = _threshold(problem, Fraction(0), run.scale)
    reach = [_reach(run, j) for j in range(n)]
    # rows per batch: the prefix and suffix vectors of a batch stay within _BATCH floats
    size = max(_BATCH // max(2 * (n + 1) * (run.span + 1), 1), 1)
    for first in range(0, len(nodes), size):
        rows = slice(first, first + size)
        mixed = [run.law(j, nodes[rows]) if inside is None or inside[j]
                 else _drawn_only(run, j, nodes[rows]) for j in range(n)]  # fmt: skip
        prefix = _chain(mixed, reach, threshold)
        suffix = _chain(mixed[::-1], reach[::-1], threshold)
        for i in range(n):
            if inside is not None and not inside[i]:
                continue
            own = _threshold(problem, problem.fixed[i][1 if run.up else 0], run.scale)
            after = suffix[n - 1 - i]
            kept[rows, i] = _tail_dot(prefix[i], after, _upper_tails(after), own)
        whole[rows] = _tail_dot(prefix[n], _ONE, _upper_tails(_ONE), threshold)
    return kept, whole


def _drawn_only(run: _Round, j: int, nodes: Sequence[Fraction]) -> _Sparse:
    """Feature j at each node when the case misses x_j: drawn from the case's cells with
    probability 1 − q, and its kept mass q dropped."""
    law = run.laws[j]
    q = np.array([float(v) for v in nodes])
    return _Sparse(law.offset, law.positions, (1 - q)[:, None] * law.masses)


def _base_round(problem: _Problem, run: _Round, members: Sequence[int], extra: Fraction,
                ) -> tuple[Fraction, Fraction]:  # fmt: skip
    """A bracket of the run's exact P(β0 + extra + Σ_members A_j in the event)."""
    threshold = _threshold(problem, extra, run.scale)
    laws = [run.law(j) for j in members]
    total = _chain(laws, [_reach(run, j) for j in members], threshold)[-1]
    found = _tail_dot(total, _ONE, _upper_tails(_ONE), threshold)
    value, error = Fraction(float(found[0])), run.error() + MARGIN
    return max(value - error, Fraction(0)), min(value + error, Fraction(1))


# -- quadrature ----------------------------------------------------------------------------
@lru_cache(maxsize=64)
def shapley_nodes(n: int) -> tuple[tuple[Fraction, Fraction], ...]:
    """(q, weight) pairs with Σ weight·P(q) = ∫_0^1 P(q) dq for every polynomial P of
    degree < n: Fejér's nodes rounded to a_r/2^b, their exact interpolatory weights.

    With t = 2^b·q the weight of node r is ∫ Π_(s≠r) (t − a_s) dq / Π_(s≠r) (a_r − a_s)
    (the powers of 2^b cancel); Π_(s≠r) (t − a_s) is the full product divided by
    t − a_r, so every weight costs O(n) integer operations. Fejér's weights are positive
    and the rounding moves them little; a weight that is not is refused.
    """
    scale = 2**_NODE_BITS
    ints = sorted(
        {round((1 - math.cos((2 * r + 1) * math.pi / (2 * n))) / 2 * scale) for r in range(n)}
    )
    if len(ints) != n:
        raise RuntimeError(f"the quadrature for {n} features lost a node")
    full = [1]  # coefficients of Π (t − a_s), low → high
    for a in ints:
        full = [(full[d - 1] if d else 0) - a * (full[d] if d < len(full) else 0)
                for d in range(len(full) + 1)]  # fmt: skip
    common = math.lcm(*range(1, n + 1))
    out = []
    for a in ints:
        quotient = [0] * n  # synthetic division by t − a
        carry = 0
        for d in range(n, 0, -1):
            carry = full[d] + a * carry
            quotient[d - 1] = carry
        # ∫_0^1 t^d dq = 2^(b·d)/(d + 1) with t = 2^b·q
        integral = sum(c * scale**d * (common // (d + 1)) for d, c in enumerate(quotient))
        spread = math.prod(a - other for other in ints if other != a)
        out.append((Fraction(a, scale), Fraction(integral, common * spread)))
    if min(w for _, w in out) <= 0:
        raise RuntimeError(f"the quadrature for {n} features has a weight that is not positive")
    return tuple(out)


def _nodes(kind: str, n: int) -> tuple[tuple[Fraction, Fraction], ...]:
    if kind == "banzhaf":
        return ((Fraction(1, 2), Fraction(1)),)
    return shapley_nodes(n)


def _combine(
    nodes: Sequence[tuple[Fraction, Fraction]],
    down: tuple[NDArray[np.float64], NDArray[np.float64]],
    up: tuple[NDArray[np.float64], NDArray[np.float64]],
    error: Fraction,
) -> tuple[list[Fraction], list[Fraction]]:
    """Bounds on φ_i = Σ_r v_r·(K_r,i − D_r,i), D the probability with i drawn.

    At node q the mixture gives W = (1 − q)·D + q·K, so D = (W − q·K)/(1 − q) and
    φ_i = Σ_r v_r·K_r,i − c_r·W_r + c_r·q_r·K_r,i with c_r = v_r/(1 − q_r): the lower
    bound takes K from the down run where its coefficient is positive (every weight is)
    and W from the up run. Each float is within ``error`` of its run's exact value and
    the sums add γ_(3m+4) of the coefficients' total."""
    v = np.array([float(w) for _, w in nodes])
    c = np.array([float(w / (1 - q)) for q, w in nodes])
    cq = np.array([float(w * q / (1 - q)) for q, w in nodes])
    total = sum((w + (1 + q) * w / (1 - q) for q, w in nodes), Fraction(0))
    slack = total * (error + 2 * _gamma(3 * len(nodes) + 8)) + MARGIN
    low = v @ down[0] + cq @ up[0] - c @ up[1]
    high = v @ up[0] + cq @ down[0] - c @ down[1]
    lows = [max(Fraction(float(a)) - slack, Fraction(-1)) for a in low]
    highs = [min(Fraction(float(b)) + slack, Fraction(1)) for b in high]
    return lows, highs


# -- refinement ----------------------------------------------------------------------------
def _first_scale(problem: _Problem, members: Sequence[int]) -> Fraction:
    span = Fraction(0)
    for j in members:
        cells = problem.laws[j]
        assert cells is not None
        values = [c[2] for c in cells] + [c[3] for c in cells] + list(problem.fixed[j])
        span += max(values) - min(values)
    if not span:
        return Fraction(1)
    return Fraction(2) ** math.floor(math.log2(span / _FIRST_POINTS))


class _Refiner:
    """Halve the grid (and double the cells) until the brackets are narrow enough, the
    grid outgrows ``max_states`` points or the next round would overrun the time."""

    def __init__(self, max_states: int, time_limit: float | None) -> None:
        self.max_states = max_states
        self.time_limit = time_limit
        self.work = 0

    def run(self, build: Any, solve: Any, members: Sequence[int], trivial: Any) -> Any:
        best, status = None, "budget_exhausted"
        cells, rounds = _FIRST_CELLS, 0
        try:
            with deadline.limit(self.time_limit):
                scale = _first_scale(build(cells), members)
                while True:
                    started = time.monotonic()
                    problem = build(cells)
                    found, points = solve(problem, scale)
                    rounds += 1
                    self.work += points
                    best = (found, problem, scale, cells, rounds, points)
                    width = _width(found)
                    if width <= TARGET_WIDTH:
                        break
                    step, status = self._step(width, points, time.monotonic() - started)
                    if not step:
                        break
                    scale, cells = scale / 2**step, min(cells * 2**step, _MAX_CELLS)
        except OutOfTime:
            status = "time_limit"
        if best is None:
            return trivial, status, None
        return best[0], status, best[1:]

    def _step(self, width: Fraction, points: int, seconds: float) -> tuple[int, str]:
        """How many times to halve the grid next (0: stop, with the reason): enough for
        the target if the width shrinks with h, at most 8-fold, within the states and
        the time left (a round costs about as many times more as it has more points)."""
        wanted = min(max(math.ceil(math.log2(width / TARGET_WIDTH)), 1), 3)
        left = deadline.remaining()
        for step in range(wanted, 0, -1):
            if points * 2**step > self.max_states:
                continue
            if left is None or seconds * 2**step <= left:
                return step, "budget_exhausted"
        late = left is not None and points * 2 <= self.max_states
        return 0, "time_limit" if late else "budget_exhausted"


def _width(found: tuple[list[Fraction], list[Fraction]]) -> Fraction:
    return max((b - a for a, b in zip(*found, strict=True)), default=Fraction(0))


def _event(gam: GAM) -> tuple[Fraction, bool]:
    task = gam.task
    assert isinstance(task, Classification)
    return Fraction(task.threshold), task.positive == ">"


def grid_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None, except on a model with pair terms small enough for brute force, which
    answers it exactly (the brackets here never close on pair terms)."""
    if gam.pairs and brute_force_applies(gam, options) is None:
        return "brute force enumerates this small model with pair terms exactly"
    return None


def grid_attributions(
    gam: GAM,
    x: tuple[Any, ...],
    *,
    kind: str,
    max_states: int = 200_000,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """Certified brackets on the Shapley or Banzhaf values of the label of x.

    Notes
    -----
    A round on a grid of G points costs O(m·n·G·a) for m quadrature nodes (n for
    Shapley, 1 for Banzhaf), n features and a grid values per feature; each round
    halves h, so the width of the brackets roughly halves too. Theorem
    ``thm:label-grid``; pair terms are split into additive bounds, never represented
    exactly, so the brackets do not close on models with pair terms.
    """
    n = gam.n_features
    trivial = ([Fraction(-1)] * n + [Fraction(0)], [Fraction(1)] * (n + 1))
    prepared = _prepare(gam, x, time_limit)
    if prepared is None:
        return Estimate(tuple(trivial[0][:n]), tuple(trivial[1][:n]), Fraction(0), Fraction(1),
                        "time_limit", None, 0)  # fmt: skip
    splits, carried, fixed, time_limit = prepared
    level, strict = _event(gam)
    intercept = Fraction(gam.intercept)
    pairs = _nodes(kind, n)

    def build(cells: int) -> _Problem:
        laws = tuple(_feature_law(gam, j, cells, carried[j]) for j in range(n))
        return _Problem(laws, fixed, level, strict, intercept)

    def solve(problem: _Problem, scale: Fraction) -> tuple[Any, int]:
        runs = [_Round(problem, range(n), scale, up) for up in (False, True)]
        nodes = [q for q, _ in pairs]
        down, up = (_attribution_round(problem, run, nodes) for run in runs)
        low, high = _combine(pairs, down, up, max(run.error() for run in runs))
        base = (
            _base_round(problem, runs[0], range(n), Fraction(0))[0],
            _base_round(problem, runs[1], range(n), Fraction(0))[1],
        )
        return ([*low, base[0]], [*high, base[1]]), max(r.span for r in runs)

    refiner = _Refiner(max_states, time_limit)
    (low, high), status, last = refiner.run(build, solve, range(n), trivial)
    certificate = _certificate(last, splits, pairs, fixed)
    return Estimate(
        tuple(low[:n]), tuple(high[:n]), low[n], high[n], status, certificate, refiner.work
    )


def _prepare(gam: GAM, x: tuple[Any, ...], time_limit: float | None) -> Any:
    """The splits, each feature's parts and the bounds at x within ``time_limit``, with
    the seconds left; None when they did not fit (the splits done so far stay cached)."""
    started = time.monotonic()
    try:
        with deadline.limit(time_limit):
            splits, carried = _carry(gam)
            fixed = _fixed(gam, x, carried)
    except OutOfTime:
        return None
    if time_limit is None:
        return splits, carried, fixed, None
    return splits, carried, fixed, max(time_limit - (time.monotonic() - started), 0.0)


def _certificate(
    last: Any,
    splits: tuple[PairSplit, ...],
    nodes: tuple[tuple[Fraction, Fraction], ...],
    fixed: tuple[tuple[Fraction, Fraction], ...],
) -> GridCertificate | None:
    if last is None:
        return None
    problem, scale, cells, rounds, points = last
    return GridCertificate(scale, cells, rounds, points, problem.laws, fixed, splits, nodes)


def grid_completion(
    gam: GAM,
    x: tuple[Any, ...],
    fixed: frozenset[int],
    *,
    max_states: int = 200_000,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """Certified bracket on the probability that a random completion of x_S keeps the
    prediction (classification: the class; regression: the score within the tolerance).

    Notes
    -----
    One chain of convolutions over the free features per run: O(n·G·a) for G grid
    points and a grid values per feature. Theorem ``thm:label-grid``.
    """
    n = gam.n_features
    prepared = _prepare(gam, x, time_limit)
    if prepared is None:
        return Estimate((Fraction(0),), (Fraction(1),), None, None, "time_limit", None, 0)
    splits, carried, kept_values, time_limit = prepared
    free = [j for j in range(n) if j not in fixed]
    offset = (
        sum((kept_values[j][0] for j in fixed), Fraction(0)),
        sum((kept_values[j][1] for j in fixed), Fraction(0)),
    )
    constant, terms = _kept_events(gam, x)
    intercept = Fraction(gam.intercept)

    def build(cells: int) -> _Problem:
        laws = tuple(
            _feature_law(gam, j, cells, carried[j]) if j in free else None for j in range(n)
        )
        return _Problem(laws, kept_values, Fraction(0), False, intercept)

    def solve(problem: _Problem, scale: Fraction) -> tuple[Any, int]:
        runs = [_Round(problem, free, scale, up) for up in (False, True)]
        low = high = Fraction(constant)
        for sign, level, strict in terms:
            event = _Problem(problem.laws, problem.fixed, level, strict, intercept)
            below = _base_round(event, runs[0], free, offset[0])[0]
            above = _base_round(event, runs[1], free, offset[1])[1]
            low += sign * (below if sign > 0 else above)
            high += sign * (above if sign > 0 else below)
        found = ([max(low, Fraction(0))], [min(high, Fraction(1))])
        return found, max(r.span for r in runs)

    refiner = _Refiner(max_states, time_limit)
    if not free:
        refiner.max_states = 0
    (low, high), status, last = refiner.run(
        build, solve, free, ([Fraction(0)], [Fraction(1)])
    )
    certificate = _certificate(last, splits, (), kept_values)
    return Estimate(tuple(low), tuple(high), None, None, status, certificate, refiner.work)


def _kept_events(gam: GAM, x: tuple[Any, ...]) -> tuple[int, list[tuple[int, Fraction, bool]]]:
    """P(kept) = constant + Σ sign·P(score ≥ level) (> when strict)."""
    score = Fraction(gam.score_exact(x))
    task = gam.task
    if isinstance(task, Classification):
        level, strict = _event(gam)
        if task.label_exact(score) == 1:
            return 0, [(1, level, strict)]
        return 1, [(-1, level, strict)]
    tolerance = Fraction(task.tolerance)
    return 0, [(1, score - tolerance, False), (-1, score + tolerance, True)]


register_algorithm(
    "cc",
    "grid-convolution",
    summary="outward rounding onto a grid refined until the bracket is narrow; "
    "pair terms split into additive bounds",
    theorem="thm:label-grid",
    priority=30,
    applies=grid_applies,
)(grid_completion)

for _query, _kind in (("shap-label", "shapley"), ("banzhaf-label", "banzhaf")):
    register_algorithm(
        _query,
        "grid-convolution",
        summary="outward rounding onto a grid, coalitions by exact quadrature over q; "
        "pair terms split into additive bounds",
        theorem="thm:label-grid",
        priority=30,
        applies=grid_applies,
    )(grid_attributions)
