"""Label SHAP and Banzhaf brackets on pair models by conditioning: the cases of
:mod:`gamexplain.algorithms.grid_conditioning`, with the coalitions' quadrature of
:mod:`gamexplain.algorithms.grid_convolution` run inside each case.

At a quadrature node q every feature j is drawn from the mixture
(1 − q)·law_j + q·δ_(x_j). The cases are the leaves of a tree of cuts of the features'
values; in a case with range R_j for feature j the mixture keeps its cells in R_j, and
the point x_j only when x_j lies in R_j (so a pair term's split there must bound it on
the bins of those cells *and* on the bin of x_j). Then, summed over the cases,

* W(q) = P(class 1, every feature mixed) = Σ_c P(class 1 and Z ∈ c);
* K_i(q) = P(class 1 | x_i kept, the others mixed) = Σ over the cases whose range of i
  holds x_i of P(class 1 and Z_(−i) ∈ c_(−i)): the ranges of the other features of
  those cases partition the others' values, since the tree's cuts at x_i's side do;
* D_i = (W − q·K_i)/(1 − q) holds case by case, so φ_i combines the sums exactly as
  one grid run combines its own K and W.

Each case's K and W are bracketed by a down and an up run on the grid (the case's
splits make the score lie between two additive scores on the case), and the brackets
add up with their error bounds (Theorem ``thm:label-grid-cases``).
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

from gamexplain.algorithms.grid_conditioning import (
    GridCase,
    _Cases,
    _cut_key,
    _Leaf,
    _nested,
    _TooWide,
    _value_key,
    conditioning_applies,
)
from gamexplain.algorithms.grid_convolution import (
    TARGET_WIDTH,
    GridCertificate,
    _attribution_round,
    _base_round,
    _combine,
    _event,
    _gamma,
    _nodes,
    _Problem,
    _Round,
    grid_attributions,
)
from gamexplain.algorithms.partial_sums import Estimate
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.gam import GAM
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["conditioned_attributions"]

_MAX_CASES = 32
"""The refinement stops at this many cases (a case costs a grid round of every
quadrature node)."""

PLAIN_SHARE = 0.25
"""The share of the time limit the plain run (which picks the grid) may use; the cases
get the rest."""

SHORT = 30.0
"""Below this time limit (seconds) the plain run gets all of it and no case is made:
on the default breast-cancer EBM a case costs about 1.5 s and the setup 2 s, so within
10 s the cases cannot beat the plain grid (measured: median width 0.70 against 0.30
when the cases were tried there)."""

CASE_POINTS = 3000
"""The cases' grid is the plain run's last, coarsened (by factors of 2) until it spans
at most about this many points: a case costs a round of every node, and on the default
breast-cancer EBM the pair gaps, not the grid, set the width below ~3000 points."""


@dataclass
class _LabelLeaf(_Leaf):
    """A case with its runs' sums: per run (down, up) K[r, i] and W[r], the bracket on
    P(class 1 and case) with every feature drawn, and the runs' error bound."""

    kept: tuple[NDArray[np.float64], NDArray[np.float64]]
    whole: tuple[NDArray[np.float64], NDArray[np.float64]]
    base: tuple[Fraction, Fraction]
    error: Fraction


class _LabelCases(_Cases):
    """The cases of one label question: every feature is free, and a case meets the bin
    of x_j too wherever its range of j holds x_j."""

    def __init__(self, gam: GAM, x: tuple[Any, ...], kind: str, scale: Fraction, cells: int,
                 max_states: int) -> None:  # fmt: skip
        super().__init__(gam, x, frozenset(), scale, cells, max_states)
        self.home = [_value_key(gam, j, x[j]) for j in range(gam.n_features)]
        self.pairs = _nodes(kind, gam.n_features)
        self.level, self.strict = _event(gam)

    def inside(self, j: int, ranges: dict[int, tuple[int, int]]) -> bool:
        """Whether x_j lies in the case's range of feature j (by the keys of the cuts:
        a cut at c sends the values before c below, the others above)."""
        cells = self.cellsets[j]
        first, last = ranges.get(j, (0, len(cells)))
        low = _cut_key(self.gam, j, cells[first]) if first > 0 else None
        high = _cut_key(self.gam, j, cells[last]) if last < len(cells) else None
        key = self.home[j]
        return (low is None or low <= key) and (high is None or key < high)

    def _block(self, k: int, axis: int, ranges: dict[int, tuple[int, int]]
               ) -> tuple[int, ...] | None:  # fmt: skip
        met = super()._block(k, axis, ranges)
        if met is None:
            return None
        pair = self.gam.pairs[k]
        j = pair.features[axis]
        if not self.inside(j, ranges):
            return met
        own = pair.bin_of(axis, self.gam.features[j], self.x[j])
        return met if own in met else tuple(sorted((*met, own)))

    def solve_label(self, ranges: dict[int, tuple[int, int]]) -> _LabelLeaf:
        """The case's down and up runs at every node."""
        case, gaps = self.case(ranges)
        n = self.gam.n_features
        inside = [self.inside(j, ranges) for j in range(n)]
        problem = _Problem(case.laws, case.fixed, self.level, self.strict, self.intercept)
        runs = [_Round(problem, range(n), self.scale, up, self.grid_cache)
                for up in (False, True)]  # fmt: skip
        if max(run.span for run in runs) > self.max_states:
            raise _TooWide
        nodes = [q for q, _ in self.pairs]
        down, up = (_attribution_round(problem, run, nodes, inside) for run in runs)
        base = (_base_round(problem, runs[0], range(n), Fraction(0))[0],
                _base_round(problem, runs[1], range(n), Fraction(0))[1])  # fmt: skip
        error = max(run.error() for run in runs)
        wide = _widths(self.pairs, (down[0], up[0]), (down[1], up[1]))
        priority = Fraction(float(np.sum(np.maximum(wide, 0)))) + base[1] - base[0]
        return _LabelLeaf(dict(ranges), Fraction(0), priority, case, gaps,
                          (down[0], up[0]), (down[1], up[1]), base, error)  # fmt: skip


def _widths(pairs: Sequence[tuple[Fraction, Fraction]],
            kept: tuple[NDArray[np.float64], NDArray[np.float64]],
            whole: tuple[NDArray[np.float64], NDArray[np.float64]]
            ) -> NDArray[np.float64]:  # fmt: skip
    """Per feature, the float width of the bracket _combine makes from these sums
    (without its error allowance): only to choose what to refine."""
    v = np.array([float(w) for _, w in pairs])
    c = np.array([float(w / (1 - q)) for q, w in pairs])
    cq = np.array([float(w * q / (1 - q)) for q, w in pairs])
    spread = kept[1] - kept[0]
    out: NDArray[np.float64] = (v - cq) @ spread + float(c @ (whole[1] - whole[0]))
    return out


def _total(leaves: Sequence[_LabelLeaf], pairs: Sequence[tuple[Fraction, Fraction]]
           ) -> tuple[list[Fraction], list[Fraction], Fraction, Fraction]:  # fmt: skip
    """The bracket summed over the cases: the sums of C nonnegative floats (each a
    probability within its run's error) are off by at most γ_C of their total, which is
    at most 2·C, on top of the cases' errors."""
    down = (sum(f.kept[0] for f in leaves), sum(f.whole[0] for f in leaves))
    up = (sum(f.kept[1] for f in leaves), sum(f.whole[1] for f in leaves))
    count = len(leaves)
    error = sum((f.error for f in leaves), Fraction(0)) + 2 * count * _gamma(count + 1)
    low, high = _combine(pairs, down, up, error)  # type: ignore[arg-type]
    base_low = sum((f.base[0] for f in leaves), Fraction(0))
    base_high = sum((f.base[1] for f in leaves), Fraction(0))
    return low, high, max(base_low, Fraction(0)), min(base_high, Fraction(1))


def _refine(gam: GAM, x: tuple[Any, ...], kind: str, scale: Fraction, cells: int,
            time_limit: float | None, max_states: int) -> Any:  # fmt: skip
    """Best-first refinement of the cases: (low, high, base low, base high, tree, cases,
    status, nodes), or None when not even the first case fitted in the time."""
    status = "budget_exhausted"
    leaves: dict[int, _LabelLeaf] = {}
    tree: dict[int, tuple[int, Any, int, int]] = {}
    heap: list[tuple[Fraction, int]] = []
    pairs = _nodes(kind, gam.n_features)
    try:
        with deadline.limit(time_limit):
            cases = _LabelCases(gam, x, kind, scale, cells, max_states)
            leaves[0] = cases.solve_label({})
            heapq.heappush(heap, (-leaves[0].high, 0))
            while heap and len(leaves) < _MAX_CASES:
                low, high, *_ = _total(list(leaves.values()), pairs)
                if max(b - a for a, b in zip(low, high, strict=True)) <= TARGET_WIDTH:
                    break
                _, node = heapq.heappop(heap)
                leaf = leaves[node]
                where = cases.cut(leaf)
                if where is None:
                    continue
                j, at = where
                first, last = leaf.ranges.get(j, (0, len(cases.cellsets[j])))
                children = [cases.solve_label({**leaf.ranges, j: span})
                            for span in ((first, at), (at, last))]  # fmt: skip
                below, above = 2 * len(tree) + 1, 2 * len(tree) + 2
                tree[node] = (j, _cut_key(gam, j, cases.cellsets[j][at]), below, above)
                del leaves[node]
                for child, number in zip(children, (below, above), strict=True):
                    leaves[number] = child
                    heapq.heappush(heap, (-child.high, number))
    except OutOfTime:
        status = "time_limit"
    except _TooWide:
        status = "budget_exhausted"
    if not leaves:
        return None
    order = sorted(leaves)
    index = {node: k for k, node in enumerate(order)}
    low, high, base_low, base_high = _total([leaves[n] for n in order], pairs)
    cases_made: tuple[GridCase, ...] = tuple(leaves[n].case for n in order)
    return low, high, base_low, base_high, _nested(tree, index, 0), cases_made, status, pairs


def conditioned_attributions(
    gam: GAM,
    x: tuple[Any, ...],
    *,
    kind: str,
    max_states: int = 200_000,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """Certified brackets on the Shapley or Banzhaf values of the label of x, narrowed by
    conditioning on the features whose pair terms' additive bounds lose the most.

    A plain :func:`~gamexplain.algorithms.grid_convolution.grid_attributions` run picks
    the grid within :data:`PLAIN_SHARE` of the time limit; the cases are then refined
    best first, on that grid coarsened to at most about :data:`CASE_POINTS` points, with
    the time that is left. The narrower bracket (by its widest feature) is kept. A case
    costs as much as a plain round, so this pays only with time for several cases: on
    the default breast-cancer EBM not within 10 s, so below :data:`SHORT` seconds the
    plain run gets the whole time limit, and "auto" keeps ``grid-convolution`` (see
    ``thm:label-grid-cases``).

    Notes
    -----
    A case costs one grid round of every quadrature node, O(m·n·G·a) for m nodes (n for
    Shapley, 1 for Banzhaf), n features, G grid points and a values per feature, plus
    the splits of the pair terms of the features it cuts; C cases cost C rounds, and C
    stops at 32 (or at the time limit). Theorem ``thm:label-grid-cases``.
    """
    started = time.monotonic()
    if time_limit is not None and time_limit < SHORT:
        return grid_attributions(gam, x, kind=kind, max_states=max_states,
                                 time_limit=time_limit)  # fmt: skip
    share = None if time_limit is None else time_limit * PLAIN_SHARE
    plain = grid_attributions(gam, x, kind=kind, max_states=max_states, time_limit=share)
    detail = plain.certificate
    width = max((b - a for a, b in zip(plain.lower, plain.upper, strict=True)),
                default=Fraction(0))  # fmt: skip
    left = None if time_limit is None else time_limit - (time.monotonic() - started)
    if detail is None and left is not None and left > 0:
        # no round fitted in the share: the rest of the time goes to the plain grid
        return grid_attributions(gam, x, kind=kind, max_states=max_states, time_limit=left)
    if detail is None or width <= TARGET_WIDTH or (left is not None and left <= 0):
        return plain
    coarsen = 1
    while detail.largest_table > CASE_POINTS * coarsen:
        coarsen *= 2
    scale = detail.scale * coarsen
    found = _refine(gam, x, kind, scale, detail.cells, left, max_states)
    if found is None:
        return plain
    low, high, base_low, base_high, tree, cases, status, pairs = found
    if max(b - a for a, b in zip(low, high, strict=True)) >= width:
        return plain
    certificate = GridCertificate(scale, detail.cells, detail.rounds,
                                  detail.largest_table, (), (), (), pairs, mode="cases",
                                  cases=cases, tree=tree)  # fmt: skip
    return Estimate(tuple(low), tuple(high), base_low, base_high, status, certificate,
                    plain.work + len(cases))  # fmt: skip


for _query in ("shap-label", "banzhaf-label"):
    register_algorithm(
        _query,
        "grid-conditioning",
        summary="the grid brackets with the pair terms' additive bounds remade case by "
        "case on a best-first tree of cuts of the features' domains",
        theorem="thm:label-grid-cases",
        priority=35,
        applies=conditioning_applies,
    )(conditioned_attributions)
