"""Completion-fraction brackets on pair models by conditioning: split the features'
domains, case by case, where the pair terms' additive bounds lose the most.

:mod:`gamexplain.algorithms.grid_convolution` bounds every pair term g(a, b) between
additive parts, l_i(a) + l_j(b) ≤ g ≤ u_i(a) + u_j(b); its bracket is about the score's
density at the threshold times the expected gap E[u − l], whatever the grid. The gap of
a term shrinks when one side's range narrows (on one bin it is 0: the term is then a
function of the partner alone). So here the space is cut into cases, each a box of
ranges of the free features' cells, and the bracket is the sum over the cases of a
bracket on P(event and case), each from its own splits made for the bins the case
meets (a fixed feature meets the one bin of its value), on the grid of the plain run:

P(event) = Σ_c P(event ∩ {X ∈ c}), and on one case the laws of the free features are
their cells in the case's ranges (sub-probability vectors: the convolution and its
error bound are unchanged), so each term is bracketed by the same down and up runs.

The cases are the leaves of a binary tree of cuts, refined best first: the leaf with
the widest bracket is cut on the feature carrying the largest expected gap within it,
at its cells' median, while the time lasts (Theorem ``thm:label-grid-cases``).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.grid_convolution import (
    TARGET_WIDTH,
    GridCertificate,
    PairSplit,
    _base_round,
    _bin_weights,
    _bins,
    _Carried,
    _carry,
    _kept_events,
    _pair_range_floats,
    _pair_ranges,
    _Problem,
    _Round,
    _split,
    _with_extra,
    grid_applies,
    grid_completion,
)
from gamexplain.algorithms.partial_sums import Cell, Estimate, feature_cells
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.domains import Finite
from gamexplain.model.gam import GAM
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["GridCase", "conditioned_completion"]

_MAX_CASES = 64
"""The refinement stops at this many cases (without a time limit it would otherwise
run until no case can be cut: a case costs a grid round)."""

COARSEN = 4
"""The cases' grid is this many times coarser than the plain run's last: the pair gaps,
not the grid, set the width there, and a case costs a round."""


@dataclass(frozen=True)
class GridCase:
    """One case: per feature its cells in the case (None for a fixed feature), per
    feature bounds at the instance's value, and per pair term a split that bounds it on
    the bins the case meets (elsewhere its parts are placeholders)."""

    laws: tuple[tuple[Cell, ...] | None, ...]
    fixed: tuple[tuple[Fraction, Fraction], ...]
    splits: tuple[PairSplit, ...]


@dataclass
class _Leaf:
    """A case being refined: per conditioned feature its cell range [first, last), its
    bracket on P(kept and case), and its per-feature share of the expected gap."""

    ranges: dict[int, tuple[int, int]]
    low: Fraction
    high: Fraction
    case: GridCase
    gaps: dict[int, float]


class _TooWide(Exception):
    """A case's grid would span more points than the budget allows."""


class _Cases:
    """Build and solve the cases of one question on a fixed grid (scale, cells)."""

    def __init__(self, gam: GAM, x: tuple[Any, ...], fixed: frozenset[int], scale: Fraction,
                 cells: int, max_states: int) -> None:  # fmt: skip
        self.gam, self.x, self.fixed_set = gam, x, fixed
        self.max_states = max_states
        self.scale, self.cells = scale, cells
        self.free = [j for j in range(gam.n_features) if j not in fixed]
        self.cellsets = {j: feature_cells(gam.features[j], cells) for j in self.free}
        self.global_splits, _ = _carry(gam)
        self.weights: list[list[NDArray[np.float64]]] = []
        for pair in gam.pairs:
            deadline.check()
            self.weights.append(
                [_bin_weights(pair, a, gam.features[j]) for a, j in enumerate(pair.features)]
            )
        self.constant, self.terms = _kept_events(gam, x)
        self.split_cache: dict[Any, tuple[PairSplit, float, float]] = {}
        # the splits' parts and the laws built from them, shared by the cases; the parts
        # hold their split, so the identities that key the laws stay unique
        self.parts: dict[tuple[int, int], tuple[PairSplit, _Carried]] = {}
        self.law_cache: dict[tuple[int, ...], tuple[Cell, ...]] = {}
        self.grid_cache: dict[Any, Any] = {}
        self.blocks: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.intercept = Fraction(gam.intercept)

    # -- the bins a case meets, and its splits --------------------------------------------
    def _block(self, k: int, axis: int, ranges: dict[int, tuple[int, int]]
               ) -> tuple[int, ...] | None:  # fmt: skip
        """The bins of pair k's axis the case meets (None: every bin)."""
        pair = self.gam.pairs[k]
        j = pair.features[axis]
        if j in self.fixed_set:
            return (pair.bin_of(axis, self.gam.features[j], self.x[j]),)
        if j not in ranges:
            return None
        key = (k, axis, *ranges[j])
        if key not in self.blocks:
            self.blocks[key] = self._met(k, axis, *ranges[j])
        return self.blocks[key]

    def _met(self, k: int, axis: int, first: int, last: int) -> tuple[int, ...]:
        pair = self.gam.pairs[k]
        j = pair.features[axis]
        cells = self.cellsets[j][first:last]
        term = _Carried(pair, axis, np.zeros(0), np.zeros(0))
        feature = self.gam.features[j]
        before = [feature.domain.kind == "interval" and c[0] < c[1] for c in cells]
        starts = _bins(term, feature, [c[0] for c in cells])
        stops = _bins(term, feature, [c[1] for c in cells], before)
        met: set[int] = set()
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            met.update(range(a, b + 1))
        return tuple(sorted(met))

    def _pair_split(self, k: int, ranges: dict[int, tuple[int, int]]
                    ) -> tuple[PairSplit, float, float]:  # fmt: skip
        """Pair k's split on the case's block, with each side's expected gap."""
        blocks = (self._block(k, 0, ranges), self._block(k, 1, ranges))
        key = (k, *blocks)
        if key not in self.split_cache:
            self.split_cache[key] = self._make_split(k, blocks)
        return self.split_cache[key]

    def _make_split(self, k: int, blocks: tuple[tuple[int, ...] | None, ...]
                    ) -> tuple[PairSplit, float, float]:  # fmt: skip
        pair = self.gam.pairs[k]
        table = np.asarray(pair.values, dtype=float)
        index = [np.arange(table.shape[a]) if b is None else np.array(b) for a, b in
                 enumerate(blocks)]  # fmt: skip
        weights = [_restrict(self.weights[k][a], index[a]) for a in (0, 1)]
        if all(b is None for b in blocks):
            split = self.global_splits[k]
        else:
            deadline.check()
            part = _split(table[np.ix_(index[0], index[1])], *weights)
            split = _expand(part, index, table.shape)
        gaps = tuple(
            float(weights[a] @ (np.array(split.high[a]) - np.array(split.low[a]))[index[a]])
            for a in (0, 1)
        )
        return split, gaps[0], gaps[1]

    def _parts(self, k: int, split: PairSplit, axis: int) -> _Carried:
        """Feature's share of a split, made once per split (its arrays' identities key
        the laws built from them)."""
        key = (id(split), axis)
        if key not in self.parts:
            self.parts[key] = (split, _Carried(self.gam.pairs[k], axis,
                                               np.array(split.low[axis]),
                                               np.array(split.high[axis])))  # fmt: skip
        return self.parts[key][1]

    # -- one case -------------------------------------------------------------------------
    def solve(self, ranges: dict[int, tuple[int, int]]) -> _Leaf:
        """The case's splits, laws and bracket on P(kept and case)."""
        case, gaps = self.case(ranges)
        low, high = self._bracket(case)
        return _Leaf(dict(ranges), low, high, case, gaps)

    def case(self, ranges: dict[int, tuple[int, int]]) -> tuple[GridCase, dict[int, float]]:
        """The case's splits and laws, with each feature's share of the expected gap."""
        gam = self.gam
        splits: list[PairSplit] = []
        carried: list[list[_Carried]] = [[] for _ in gam.features]
        gaps: dict[int, float] = {}
        for k, pair in enumerate(gam.pairs):
            split, *sides = self._pair_split(k, ranges)
            splits.append(split)
            for axis, j in enumerate(pair.features):
                carried[j].append(self._parts(k, split, axis))
                gaps[j] = gaps.get(j, 0.0) + sides[0] + sides[1]
        laws: list[tuple[Cell, ...] | None] = [None] * gam.n_features
        for j in self.free:
            deadline.check()
            first, last = ranges.get(j, (0, len(self.cellsets[j])))
            key = (j, first, last, *(id(t.low) for t in carried[j]))
            if key not in self.law_cache:
                self.law_cache[key] = _with_parts(gam, j, self.cellsets[j][first:last],
                                                  carried[j])  # fmt: skip
            laws[j] = self.law_cache[key]
        fixed = tuple(self._kept(j, carried[j]) for j in range(gam.n_features))
        return GridCase(tuple(laws), fixed, tuple(splits)), gaps

    def _kept(self, j: int, terms: Sequence[_Carried]) -> tuple[Fraction, Fraction]:
        """Bounds at x_j: a fixed feature's enter the sum; a free feature's only bound
        the grid indices a round spans (at a bin outside the case they read the
        placeholders, which are finite)."""
        value = self.x[j]
        own = Fraction(self.gam.features[j].contribution_exact(value))
        low, high = _pair_ranges(self.gam, j, terms, [value], [value])
        return own + low[0], own + high[0]

    def _bracket(self, case: GridCase) -> tuple[Fraction, Fraction]:
        problem = _Problem(case.laws, case.fixed, Fraction(0), False, self.intercept)
        runs = [_Round(problem, self.free, self.scale, up, self.grid_cache)
                for up in (False, True)]  # fmt: skip
        if max(run.span for run in runs) > self.max_states:
            # the error bound of a round holds for spans of this size, not beyond
            raise _TooWide
        offset = [sum((case.fixed[j][side] for j in self.fixed_set), Fraction(0))
                  for side in (0, 1)]  # fmt: skip
        mass = Fraction(1)
        for j in self.free:
            law = case.laws[j]
            assert law is not None
            mass *= sum((c[4] for c in law), Fraction(0))
        low = high = self.constant * mass
        for sign, level, strict in self.terms:
            event = _Problem(case.laws, case.fixed, level, strict, self.intercept)
            below = _base_round(event, runs[0], self.free, offset[0])[0]
            above = _base_round(event, runs[1], self.free, offset[1])[1]
            low += sign * (below if sign > 0 else above)
            high += sign * (above if sign > 0 else below)
        return max(low, Fraction(0)), min(high, mass)

    # -- refinement -----------------------------------------------------------------------
    def cut(self, leaf: _Leaf) -> tuple[int, int] | None:
        """(feature, cell index) to cut the leaf at: the free feature with the largest
        expected gap among those with two cells or more in the case, at the cell that
        halves its probability there (None: nothing left to cut)."""
        for j in sorted(leaf.gaps, key=lambda j: -leaf.gaps[j]):
            if j in self.fixed_set or leaf.gaps[j] <= 0:
                continue
            first, last = leaf.ranges.get(j, (0, len(self.cellsets[j])))
            if last - first < 2:
                continue
            masses = np.array([float(c[4]) for c in self.cellsets[j][first:last]])
            cdf = np.cumsum(masses) / max(float(np.sum(masses)), 1e-300)
            at = int(np.searchsorted(cdf, 0.5)) + 1
            return j, first + min(max(at, 1), last - first - 1)
        return None


def _restrict(weights: NDArray[np.float64], index: NDArray[np.intp]) -> NDArray[np.float64]:
    """The bins' weights within a block, renormalised (uniform when they carry none)."""
    part = weights[index]
    total = float(np.sum(part))
    return part / total if total > 0 else np.full(len(part), 1 / len(part))


def _expand(split: PairSplit, index: Sequence[NDArray[np.intp]], shape: tuple[int, ...]
            ) -> PairSplit:  # fmt: skip
    """A block's split written on every bin: placeholders (0) outside the block."""
    parts = []
    for side in (split.low, split.high):
        full = []
        for axis in (0, 1):
            values = np.zeros(shape[axis])
            values[index[axis]] = side[axis]
            full.append(tuple(values.tolist()))
        parts.append((full[0], full[1]))
    return PairSplit(parts[0], parts[1])


def _with_parts(gam: GAM, j: int, cells: Sequence[Cell], terms: Sequence[_Carried]
                ) -> tuple[Cell, ...]:  # fmt: skip
    if not terms:
        return tuple(cells)
    low, high = _pair_range_floats(gam, j, terms, [c[0] for c in cells], [c[1] for c in cells])
    return _with_extra(cells, low, high)


def _cut_key(gam: GAM, j: int, cell: Cell) -> Any:
    """Where a cut before ``cell`` lies: its left end (numeric), or its value's position
    in the domain (finite)."""
    return _value_key(gam, j, cell[0])


def _value_key(gam: GAM, j: int, value: Any) -> Any:
    """A value's key on feature j: itself (numeric), or its position (finite)."""
    domain = gam.features[j].domain
    if isinstance(domain, Finite):
        return list(domain.values).index(value)
    return Fraction(value)


def conditioned_completion(
    gam: GAM,
    x: tuple[Any, ...],
    fixed: frozenset[int],
    *,
    max_states: int = 200_000,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """Certified bracket on the completion fraction of x_S, narrowed by conditioning.

    A plain :func:`~gamexplain.algorithms.grid_convolution.grid_completion` run picks the
    grid (it stops once the grid outgrows ``max_states`` points, or at the time limit);
    then the cases are refined best first on a grid :data:`COARSEN` times coarser with
    the time that is left. The narrower of the two brackets is kept, so a short time
    limit gives the plain bracket.

    Notes
    -----
    A case costs one grid round, O(n·G·a), plus the splits of the pair terms of the
    features it cuts (Sinkhorn's iterations on a block of their tables); C cases cost C
    rounds, and C stops at 64 (or at the time limit, or when no case can be cut).
    Theorem ``thm:label-grid-cases``.
    """
    started = time.monotonic()
    plain = grid_completion(gam, x, fixed, max_states=max_states, time_limit=time_limit)
    detail = plain.certificate
    width = plain.upper[0] - plain.lower[0]
    # a plain run stopped by the time limit leaves less than a round: nothing to cut with
    stopped = plain.status != "budget_exhausted"
    if detail is None or stopped or width <= TARGET_WIDTH or len(fixed) == gam.n_features:
        return plain
    left = None if time_limit is None else time_limit - (time.monotonic() - started)
    found = _refine(gam, x, fixed, detail.scale, detail.cells, left, max_states)
    if found is None or found[1] - found[0] >= width:
        return plain
    low, high, tree, cases, status = found
    certificate = GridCertificate(detail.scale * COARSEN, detail.cells, detail.rounds,
                                  detail.largest_table, (), (), (), (), mode="cases",
                                  cases=cases, tree=tree)  # fmt: skip
    return Estimate((low,), (high,), None, None, status, certificate, plain.work + len(cases))


def _refine(gam: GAM, x: tuple[Any, ...], fixed: frozenset[int], scale: Fraction, cells: int,
            time_limit: float | None, max_states: int) -> Any:  # fmt: skip
    """Best-first refinement of the cases: (low, high, tree, cases, status), or None when
    not even the first case fitted in the time."""
    status = "budget_exhausted"
    leaves: dict[int, _Leaf] = {}
    tree: dict[int, tuple[int, Any, int, int]] = {}  # node → (feature, cut, below, above)
    heap: list[tuple[Fraction, int]] = []
    try:
        with deadline.limit(time_limit):
            cases = _Cases(gam, x, fixed, scale * COARSEN, cells, max_states)
            leaves[0] = cases.solve({})
            heapq.heappush(heap, (-(leaves[0].high - leaves[0].low), 0))
            while heap and len(leaves) < _MAX_CASES:
                if sum((f.high - f.low for f in leaves.values()), Fraction(0)) <= TARGET_WIDTH:
                    break
                _, node = heapq.heappop(heap)
                leaf = leaves[node]
                where = cases.cut(leaf)
                if where is None:
                    continue
                j, at = where
                first, last = leaf.ranges.get(j, (0, len(cases.cellsets[j])))
                children = []
                for span in ((first, at), (at, last)):
                    children.append(cases.solve({**leaf.ranges, j: span}))
                below, above = 2 * len(tree) + 1, 2 * len(tree) + 2
                key = _cut_key(gam, j, cases.cellsets[j][at])
                tree[node] = (j, key, below, above)
                del leaves[node]
                for child, number in zip(children, (below, above), strict=True):
                    leaves[number] = child
                    heapq.heappush(heap, (-(child.high - child.low), number))
    except OutOfTime:
        status = "time_limit"
    except _TooWide:
        status = "budget_exhausted"
    if not leaves:
        return None
    order = sorted(leaves)
    index = {node: k for k, node in enumerate(order)}
    low = sum((leaves[n].low for n in order), Fraction(0))
    high = sum((leaves[n].high for n in order), Fraction(0))
    return (max(low, Fraction(0)), min(high, Fraction(1)), _nested(tree, index, 0),
            tuple(leaves[n].case for n in order), status)  # fmt: skip


def _nested(tree: dict[int, tuple[int, Any, int, int]], index: dict[int, int], node: int) -> Any:
    """The tree as nested tuples: a leaf is its case's index, a cut is
    (feature, cut, below, above)."""
    if node not in tree:
        return index[node]
    j, key, below, above = tree[node]
    return (j, key, _nested(tree, index, below), _nested(tree, index, above))


def conditioning_applies(gam: Any, options: Any) -> str | None:
    """Only models with pair terms (on others there is nothing to condition away), and
    not those small enough for brute force."""
    if not gam.pairs:
        return "a model without pair terms has no pair gap to condition away"
    return grid_applies(gam, options)


register_algorithm(
    "cc",
    "grid-conditioning",
    summary="the grid bracket with the pair terms' additive bounds remade case by case "
    "on a best-first tree of cuts of the features' domains",
    theorem="thm:label-grid-cases",
    priority=25,
    applies=conditioning_applies,
)(conditioned_completion)
