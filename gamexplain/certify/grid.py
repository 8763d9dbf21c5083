"""Independent re-check of grid-convolution brackets (label SHAP, Banzhaf, completion).

A ``grid-convolution`` certificate names a grid width h, per feature the cells of its
contribution's law, per feature bounds at the instance's value, and per pair term a
split into additive bounds l_i(a) + l_j(b) ≤ g(a, b) ≤ u_i(a) + u_j(b). This module
re-derives, with its own code:

- **the splits**: every inequality on every pair of bins, decided exactly (the
  rounded sum and its error-free rounding error).

- **the cells**: each cell's probability from the marginal and its contribution range
  from the raw shape (the cell checks of :mod:`gamexplain.certify.attributions`), plus
  the least low part and the largest high part of every split it takes part in over
  the bins the cell meets; a claimed cell must lie outside that range (its
  low no higher, its high no lower); the cells must be disjoint and carry probability 1.
  The bounds at the instance are checked the same way.
- **the bracket on that grid**: every contribution rounded down (and, separately, up)
  to a multiple of h; the law of the sum by its own float convolution of nonnegative
  vectors, whose error it bounds by γ_d (at most d roundings on any path, Higham's
  Lemma 3.1) plus an underflow allowance; Shapley coalitions by its own rational
  quadrature nodes over the Beta integral, with each leave-one-out probability (the
  feature kept, the feature drawn) convolved directly; the weighted sums in exact
  rationals. The claimed bounds must contain the re-derived ones.

It shares no code with :mod:`gamexplain.algorithms.grid_convolution`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.certify import CertificateError, check_size, contribution, exact_number
from gamexplain.certify.attributions import (
    _bernstein,
    _bin,
    _cell_range,
    _disjoint,
    _exact_inner_edges,
    _finite_cell,
    _measure,
    _meet,
    _normalised,
    _rational,
    _shift,
    kept_bounds,
)

__all__ = ["grid_completion_bounds", "grid_label_bounds"]

_U = Fraction(1, 2**53)
_TINY = Fraction(1, 2**1000)  # underflow: < 2^60 products, each off by ≤ 2^-1075, doubled
Law = list[tuple[Fraction, Fraction, Fraction]]


# -- what the certificate claims about the model ------------------------------------------
def _carriers(model: Any, cert: Any) -> list[list[tuple[Any, int, Any, Any]]]:
    """Per feature, its parts (pair, axis, low, high) of the claimed pair splits, each
    split checked to bound its pair term exactly on every pair of bins."""
    if cert.linear is not None or getattr(cert.detail, "mode", None) != "grid":
        raise CertificateError("a grid certificate integrates no feature exactly")
    splits = tuple(cert.detail.splits)
    if len(splits) != len(model.pairs):
        raise CertificateError("the certificate splits the pair terms wrongly")
    out: list[list[tuple[Any, int, Any, Any]]] = [[] for _ in model.features]
    for pair, split in zip(model.pairs, splits, strict=True):
        table = np.array(pair.values, dtype=float)
        low = [_part(split.low[axis], table.shape[axis]) for axis in (0, 1)]
        high = [_part(split.high[axis], table.shape[axis]) for axis in (0, 1)]
        if not (_at_most(low[0], low[1], table) and _at_most(-high[0], -high[1], -table)):
            raise CertificateError(f"the split of the pair term {pair.features} does not "
                                   "bound it")  # fmt: skip
        for axis, j in enumerate(pair.features):
            out[j].append((pair, axis, low[axis], high[axis]))
    return out


def _part(values: Any, size: int) -> NDArray[np.float64]:
    part = np.array(values, dtype=float)
    if part.shape != (size,) or not np.all(np.isfinite(part)) or np.any(np.abs(part) > 2.0**900):
        raise CertificateError("a pair split's part is not one finite number per bin")
    return part


def _at_most(a: NDArray[np.float64], b: NDArray[np.float64], table: NDArray[np.float64]) -> bool:
    """a[i] + b[k] ≤ table[i, k] for all i, k, in exact arithmetic: with s the rounded
    sum and t its rounding error (Knuth's TwoSum, exact without overflow), a + b = s + t,
    and |t| is at most half the gap from s to its float neighbours, so s < table
    decides it, s > table refutes it, and a tie goes by the sign of t."""
    s = a[:, None] + b[None, :]
    b_virtual = s - a[:, None]
    a_virtual = s - b_virtual
    t = (a[:, None] - a_virtual) + (b[None, :] - b_virtual)
    return bool(np.all((s < table) | ((s == table) & (t <= 0))))


def _pair_bounds(terms: Sequence[tuple[Any, int, Any, Any]], model: Any, left: Any, right: Any
                 ) -> tuple[Fraction, Fraction]:  # fmt: skip
    """Bounds on the feature's parts of the pair splits for values in [left, right]:
    the least low part and the largest high part over the bins the values meet."""
    return _pair_extras(terms, model, [(left, right)])[0]


_DYADIC = 2**1074  # every float is an integer multiple of 2^-1074


def _pair_extras(terms: Sequence[tuple[Any, int, Any, Any]], model: Any,
                 spans: Sequence[tuple[Any, Any]], open_right: bool = False,
                 found: dict[Any, dict[Any, int]] | None = None
                 ) -> list[tuple[Fraction, Fraction]]:  # fmt: skip
    """:func:`_pair_bounds` of many spans: each endpoint's bin found once per edge list,
    the parts summed exactly as integer multiples of 2^-1074. With ``open_right`` (an
    interval's cells, whose right ends have probability 0, as the shapes' pieces are
    read) a span [l, r] with l < r meets the bins of [l, r) only. ``found`` keeps the
    bins for later calls of the same check."""
    low = [0] * len(spans)
    high = [0] * len(spans)
    found = {} if found is None else found
    for pair, axis, lows, highs in terms:
        memo = found.setdefault((pair.features[axis], pair.edges[axis]), {})
        for c, (left, right) in enumerate(spans):
            below = open_right and Fraction(left) < Fraction(right)
            first = _memo_bin(memo, model, pair, axis, left, False)
            last = _memo_bin(memo, model, pair, axis, right, below)
            low[c] += _units(float(lows[first : last + 1].min()))
            high[c] += _units(float(highs[first : last + 1].max()))
    return [(Fraction(a, _DYADIC), Fraction(b, _DYADIC)) for a, b in zip(low, high, strict=True)]


def _memo_bin(memo: dict[Any, Any], model: Any, pair: Any, axis: int, value: Any, below: bool
              ) -> int:  # fmt: skip
    """:func:`_bin_of`, kept in ``memo`` by the value's identity (hashing exact numbers
    costs more than the lookup saves); the entry holds the value, so a reused identity
    is told apart."""
    found = memo.get((id(value), below))
    if found is None or found[0] is not value:
        found = memo[id(value), below] = (value, _bin_of(model, pair, axis, value, below))
    return int(found[1])


def _bin_of(model: Any, pair: Any, axis: int, value: Any, below: bool) -> int:
    """The bin of ``value``, or with ``below`` the bin of the values just under it."""
    if not below:
        return _bin(model, pair, axis, value)
    return bisect.bisect_left(_exact_inner_edges(tuple(pair.edges[axis])), Fraction(value))


def _units(value: float) -> int:
    numerator, denominator = value.as_integer_ratio()
    return numerator * (_DYADIC // denominator)


def _law(model: Any, j: int, cells: Any, terms: Sequence[tuple[Any, int, Any, Any]],
         whole: bool = True, memo: dict[Any, Any] | None = None) -> Law:  # fmt: skip
    """Feature j's claimed cells, each checked; with ``whole`` they must carry probability
    1 (a case's cells carry the probability of its range instead). ``memo`` keeps what
    the check derives from the model alone (the cells' own ranges, the bins) for later
    calls of the same check."""
    memo = {} if memo is None else memo
    if not isinstance(cells, tuple) or not cells:
        raise CertificateError(f"feature {j} has no cells")
    check_size(len(cells), f"the cells of feature {model.features[j].name!r}")
    finite = model.features[j].domain.kind == "finite"
    law: Law = []
    if not all(isinstance(cell, tuple) and len(cell) == 5 for cell in cells):
        raise CertificateError(f"a cell of feature {j} is not (left, right, low, high, p)")
    spans = [(cell[0], cell[1]) for cell in cells]
    extras = _pair_extras(terms, model, spans, model.features[j].domain.kind == "interval",
                          memo.setdefault("bins", {}))  # fmt: skip
    owns = memo.setdefault("cells", {})
    for cell, extra in zip(cells, extras, strict=True):
        left, right, low, high, p = cell
        if (j, left, right) not in owns:
            owns[j, left, right] = (_finite_cell(model, j, left) if finite
                                    else _numeric_cell(model, j, left, right))  # fmt: skip
        own = owns[j, left, right]
        if not (isinstance(low, Fraction) and isinstance(high, Fraction)):
            raise CertificateError("a cell's bounds are not exact numbers")
        if p != own[2] or not p or low > own[0] + extra[0] or high < own[1] + extra[1]:
            raise CertificateError(f"cell [{left}, {right}] of feature {j} is not what it says")
        law.append((low, high, p))
    if finite:
        if len(set(spans)) != len(spans):
            raise CertificateError("a value appears twice")
    else:
        _disjoint(spans, model.features[j].domain.kind == "integers")
    if whole and sum((p for _, _, p in law), Fraction(0)) != 1:
        raise CertificateError(f"the cells of feature {j} do not carry probability 1")
    return law


def _numeric_cell(model: Any, j: int, left: Any, right: Any) -> tuple[Fraction, Fraction, Fraction]:
    """(low, high, probability) of the contribution on [left, right] of a numeric domain."""
    feature = model.features[j]
    left, right = Fraction(left), Fraction(right)
    domain = feature.domain
    if not Fraction(domain.low) <= left <= right <= Fraction(domain.high):
        raise CertificateError("a cell leaves the domain")
    integers = domain.kind == "integers"
    p = _probability(feature, left, right, integers or left == right)
    if left == right:
        a = _rational(contribution(model, j, left))
        return a, a, p
    low, high = _cell_bounds(model, j, left, right)
    return low, high, p


def _cell_bounds(model: Any, j: int, left: Fraction, right: Fraction) -> tuple[Fraction, Fraction]:
    """Bounds of the contribution on [left, right]: the piece holding ``left`` found by
    bisection, the cell inside it, its Bernstein coefficients' least and largest."""
    feature = model.features[j]
    if type(feature.shape).__name__ == "ReLUNet":
        return _cell_range(model, j, left, right, False)
    cuts = _cuts(feature.shape)
    k = min(max(bisect.bisect_right(cuts, left) - 1, 0), len(cuts) - 2)
    last = k == len(cuts) - 2
    closed = feature.domain.kind == "interval" or last
    if cuts[k] > left or not (right <= cuts[k + 1] if closed else right < cuts[k + 1]):
        raise CertificateError("a cell spans two pieces")
    beta = Fraction(feature.weight)
    poly = _shift(tuple(beta * Fraction(c) for c in feature.shape.coefficients[k]), left - cuts[k])
    bern = _bernstein(poly, right - left)
    return min(bern), max(bern)


_CUTS: dict[int, tuple[Any, list[Fraction]]] = {}


def _cuts(shape: Any) -> list[Fraction]:
    """The exact breakpoints, once per shape (keyed by the object, which the entry keeps
    alive so that its id is not reused: hashing hundreds of floats per cell cost more
    than the check)."""
    found = _CUTS.get(id(shape))
    if found is None or found[0] is not shape:
        if len(_CUTS) > 4096:
            _CUTS.clear()
        found = _CUTS[id(shape)] = (shape, [Fraction(b) for b in shape.breakpoints])
    return found[1]


def _probability(feature: Any, left: Fraction, right: Fraction, closed: bool) -> Fraction:
    """P(X ∈ [left, right)) (or [left, right]): only the pieces that meet the cell count
    (a piece [c_k, c_(k+1)) before the one holding ``left`` ends at or before it and is
    open there; one after the piece holding ``right`` starts beyond it)."""
    domain = feature.domain
    integers = domain.kind == "integers"
    whole = (Fraction(domain.low), Fraction(domain.high), True)
    cell = (left, right, closed)
    if whole[0] == whole[1]:
        return Fraction(left <= whole[0] and (whole[0] < right or (closed and whole[0] == right)))

    def size(span: tuple[Fraction, Fraction, bool]) -> Fraction:
        return _measure(span[0], span[1], integers, span[2])

    if feature.distribution is None:
        return size(_meet(cell, whole)) / size(whole)
    cuts, probs = _cuts(feature.shape), _probabilities(feature)
    first = min(max(bisect.bisect_right(cuts, left) - 1, 0), len(probs) - 1)
    last = min(max(bisect.bisect_right(cuts, right) - 1, 0), len(probs) - 1)
    total = Fraction(0)
    for k in range(first, last + 1):
        part = _meet((cuts[k], cuts[k + 1], k == len(probs) - 1), whole)
        if probs[k] and size(part):
            total += probs[k] * size(_meet(cell, part)) / size(part)
    return total


_PROBABILITIES: dict[int, tuple[Any, list[Fraction]]] = {}


def _probabilities(feature: Any) -> list[Fraction]:
    """The normalised piece probabilities, once per marginal (keyed like :func:`_cuts`)."""
    marginal = feature.distribution
    found = _PROBABILITIES.get(id(marginal))
    if found is None or found[0] is not marginal:
        if len(_PROBABILITIES) > 4096:
            _PROBABILITIES.clear()
        found = _PROBABILITIES[id(marginal)] = (marginal, _normalised(marginal))
    return found[1]


def _kept(
    model: Any, x: Sequence[Any], cert: Any, carried: Any, j: int
) -> tuple[Fraction, Fraction]:
    claimed = cert.detail.fixed[j]
    own = _rational(contribution(model, j, x[j]))
    extra = _pair_bounds(carried[j], model, x[j], x[j])
    low, high = claimed
    if not (isinstance(low, Fraction) and isinstance(high, Fraction)):
        raise CertificateError("the bounds at the instance are not exact numbers")
    if low > own + extra[0] or high < own + extra[1]:
        raise CertificateError(f"the bounds of feature {j} at the instance are too narrow")
    return low, high


def _scale(cert: Any) -> Fraction:
    h = cert.scale
    if not (isinstance(h, Fraction) and h > 0):
        raise CertificateError("the grid width must be a positive exact number")
    return h


# -- the float convolution and its error bound ---------------------------------------------
class _Grid:
    """The features' laws rounded to multiples of h, down or up, as integer positions."""

    def __init__(self, laws: dict[int, Law], kept: dict[int, tuple[Fraction, Fraction]],
                 h: Fraction, up: bool) -> None:  # fmt: skip
        self.h, self.up = h, up
        self.draw: dict[int, tuple[int, NDArray[np.float64]]] = {}
        self.at: dict[int, int] = {}
        self.value: dict[int, Fraction] = {}
        depth = span = 0
        for j, law in laws.items():
            points: dict[int, Fraction] = {}
            for low, high, p in law:
                k = self._round(high if up else low)
                points[k] = points.get(k, Fraction(0)) + p
            base = min(points)
            dense = np.zeros(max(points) - base + 1)
            for k, p in points.items():
                dense[k - base] = float(p)
            self.draw[j] = (base, dense)
            self.value[j] = kept[j][1] if up else kept[j][0]
            self.at[j] = self._round(self.value[j])
            depth += 2 * int(np.count_nonzero(dense)) + 6 + 2 * len(dense)
            span += len(dense)
        check_size(span, "the grid")
        # every probability is a sum of products of masses: ≤ depth roundings on a path,
        # doubled for a product of two such sums, plus the dot product's length
        error = _gamma(2 * depth + 16)
        self.error = error + _TINY
        self.keep: dict[int, bool] = {}  # False: the kept value is outside the case

    def _round(self, value: Fraction) -> int:
        q = value / self.h
        return math.ceil(q) if self.up else math.floor(q)

    def mixed(self, j: int, q: Fraction) -> tuple[int, NDArray[np.float64]]:
        base, dense = self.draw[j]
        at = self.at[j]
        low = min(base, at)
        out = np.zeros(max(base + len(dense), at + 1) - low)
        out[base - low : base - low + len(dense)] += float(1 - q) * dense
        if self.keep.get(j, True):
            out[at - low] += float(q)
        return low, out


def _gamma(d: int) -> Fraction:
    return d * _U / (1 - d * _U)


def _add(vector: tuple[int, NDArray[np.float64]], law: tuple[int, NDArray[np.float64]]
         ) -> tuple[int, NDArray[np.float64]]:  # fmt: skip
    """The law of the sum of two independent grid variables (``law`` mostly zeros)."""
    start, values = vector
    base, dense = law
    out = np.zeros(len(values) + len(dense) - 1)
    for k in np.flatnonzero(dense).tolist():
        out[k : k + len(values)] += dense[k] * values
    return start + base, out


def _at_least(vector: tuple[int, NDArray[np.float64]], other: tuple[int, NDArray[np.float64]],
              cut: int) -> float:  # fmt: skip
    """P(V + O ≥ cut) for independent V, O on the grid."""
    start, values = vector
    o_start, o_values = other
    survive = np.concatenate((np.cumsum(o_values[::-1])[::-1], [0.0]))
    need = cut - start - o_start - np.arange(len(values))
    return float(values @ survive[np.clip(need, 0, len(o_values))])


_POINT = (0, np.ones(1))


# -- the checks --------------------------------------------------------------------------------
def _quadrature(cert: Any, kind: str, n: int) -> tuple[tuple[Fraction, Fraction], ...]:
    """The certificate's (q, weight) pairs, checked: Banzhaf weighs every coalition by
    q^k·(1 − q)^(n−1−k) at q = 1/2; Shapley's weights k!(n−1−k)!/n! are the Beta
    integrals ∫_0^1 q^k·(1 − q)^(n−1−k) dq, so the rule must integrate every power
    q^d, d < n, exactly."""
    nodes = tuple(cert.detail.nodes)
    if kind == "banzhaf":
        if nodes != ((Fraction(1, 2), Fraction(1)),):
            raise CertificateError("Banzhaf values are the one node q = 1/2")
        return nodes
    if len(nodes) > n or not all(
        isinstance(q, Fraction) and isinstance(w, Fraction) and 0 <= q <= 1 for q, w in nodes
    ):
        raise CertificateError("the quadrature nodes are not exact numbers in [0, 1]")
    powers = [Fraction(1)] * len(nodes)
    for d in range(n):
        if sum((w * p for (_, w), p in zip(nodes, powers, strict=True)), Fraction(0)) != Fraction(
            1, d + 1
        ):
            raise CertificateError(f"the quadrature does not integrate q^{d} exactly")
        powers = [p * q for (q, _), p in zip(nodes, powers, strict=True)]
    return nodes


def _bounds(value: float, error: Fraction) -> tuple[Fraction, Fraction]:
    v = Fraction(value)
    return v - error, v + error


def grid_label_bounds(model: Any, x: Sequence[Any], kind: str, cert: Any
                      ) -> tuple[list[Fraction], list[Fraction], Fraction, Fraction]:  # fmt: skip
    """Sound bounds on every label value and on v(∅), re-derived at the certificate's
    grid: a bracket the claimed one must contain."""
    if getattr(cert.detail, "mode", None) == "cases":
        return _case_label_bounds(model, x, kind, cert)
    n = model.n_features
    carried = _carriers(model, cert)
    if cert.laws is None or len(cert.laws) != n or len(cert.detail.fixed) != n:
        raise CertificateError("the certificate's laws are not one per feature")
    laws = {j: _law(model, j, cert.laws[j], carried[j]) for j in range(n)}
    kept = {j: _kept(model, x, cert, carried, j) for j in range(n)}
    h = _scale(cert)
    nodes = _quadrature(cert, kind, n)
    level = exact_number(model.task.threshold) - Fraction(model.intercept)
    strict = model.task.positive == ">"
    grids = [_Grid(laws, kept, h, up) for up in (False, True)]
    low = [Fraction(0)] * n
    high = [Fraction(0)] * n
    for q, weight in nodes:
        parts = [_node(grid, q, n, level, strict) for grid in grids]
        for i in range(n):
            kept_low, drawn_low = parts[0][i]
            kept_high, drawn_high = parts[1][i]
            e0, e1 = grids[0].error, grids[1].error
            term = (kept_low - e0 - drawn_high - e1, kept_high + e1 - drawn_low + e0)
            low[i] += weight * (term[0] if weight > 0 else term[1])
            high[i] += weight * (term[1] if weight > 0 else term[0])
    base = [_tail(grid, list(range(n)), level, strict, Fraction(0)) for grid in grids]
    # a label value lies in [−1, 1] and a probability in [0, 1] whatever the grid says
    return (
        [max(v, Fraction(-1)) for v in low],
        [min(v, Fraction(1)) for v in high],
        max(base[0] - grids[0].error, Fraction(0)),
        min(base[1] + grids[1].error, Fraction(1)),
    )


def _cut(level: Fraction, h: Fraction, strict: bool) -> int:
    """The least integer s with s·h ≥ level (> when strict)."""
    q = level / h
    return math.floor(q) + 1 if strict else math.ceil(q)


def _node(grid: _Grid, q: Fraction, n: int, level: Fraction, strict: bool
          ) -> list[tuple[Fraction, Fraction]]:  # fmt: skip
    """Per feature i, the floats P(i kept) and P(i drawn) at node q, as exact numbers
    (P(i kept) is 0 where ``grid.keep`` says x_i is outside the case)."""
    mixed = [grid.mixed(j, q) for j in range(n)]
    before = [_POINT]
    for law in mixed:
        before.append(_add(before[-1], law))
    out: list[tuple[Fraction, Fraction]] = [(Fraction(0), Fraction(0))] * n
    after = _POINT
    for i in range(n - 1, -1, -1):
        own = grid.value[i]  # the instance's bound enters the cut exactly, not rounded
        kept = (_at_least(before[i], after, _cut(level - own, grid.h, strict))
                if grid.keep.get(i, True) else 0.0)  # fmt: skip
        drawn = _at_least(_add(before[i], grid.draw[i]), after, _cut(level, grid.h, strict))
        out[i] = (Fraction(kept), Fraction(drawn))
        after = _add(after, mixed[i])
    return out


def _tail(grid: _Grid, members: Sequence[int], level: Fraction, strict: bool, offset: Fraction
          ) -> Fraction:  # fmt: skip
    vector = _POINT
    for j in members:
        vector = _add(vector, grid.draw[j])
    return Fraction(_at_least(vector, _POINT, _cut(level - offset, grid.h, strict)))


def grid_completion_bounds(model: Any, x: Sequence[Any], fixed_set: set[int], cert: Any,
                           ) -> tuple[Fraction, Fraction]:  # fmt: skip
    """Sound bounds on the completion fraction, re-derived at the certificate's grid."""
    if getattr(cert.detail, "mode", None) == "cases":
        return _case_completion_bounds(model, x, fixed_set, cert)
    n = model.n_features
    carried = _carriers(model, cert)
    if cert.laws is None or len(cert.laws) != n or len(cert.detail.fixed) != n:
        raise CertificateError("the certificate's laws are not one per feature")
    free = [j for j in range(n) if j not in fixed_set]
    if any(cert.laws[j] is not None for j in fixed_set):
        raise CertificateError("the certificate gives a law to a fixed feature")
    laws = {j: _law(model, j, cert.laws[j], carried[j]) for j in free}
    kept = {j: _kept(model, x, cert, carried, j) for j in range(n)}
    h = _scale(cert)
    grids = [_Grid(laws, kept, h, up) for up in (False, True)]
    offsets = [sum((kept[j][side] for j in fixed_set), Fraction(0)) for side in (0, 1)]

    def probability(level: Fraction, strict: bool) -> tuple[Fraction, Fraction]:
        """Bounds on P(score ≥ level) (> when strict)."""
        cut = level - Fraction(model.intercept)
        down = _tail(grids[0], free, cut, strict, offsets[0]) - grids[0].error
        up = _tail(grids[1], free, cut, strict, offsets[1]) + grids[1].error
        return max(down, Fraction(0)), min(up, Fraction(1))

    return kept_bounds(model, x, probability)


# -- a bracket summed over cases ---------------------------------------------------------------
Box = dict[int, tuple[Any, Any]]


def _boxes(model: Any, tree: Any, count: int, fixed_set: set[int]) -> list[Box]:
    """Per case, the box its leaf of the tree of cuts stands for: per cut feature the
    keys (lower, upper) it is held within (None: unbounded). Every case must be one leaf."""
    found: dict[int, Box] = {}
    stack: list[tuple[Any, Box]] = [(tree, {})]
    while stack:
        node, box = stack.pop()
        if isinstance(node, int) and not isinstance(node, bool):
            if not 0 <= node < count or node in found:
                raise CertificateError("a case is not one leaf of the tree of cuts")
            found[node] = box
            continue
        j, cut, below, above = node
        if not (isinstance(j, int) and 0 <= j < model.n_features) or j in fixed_set:
            raise CertificateError("a cut is not on a free feature")
        finite = model.features[j].domain.kind == "finite"
        if not isinstance(cut, int if finite else Fraction) or isinstance(cut, bool):
            raise CertificateError("a cut is not an exact number (or a finite domain's position)")
        low, high = box.get(j, (None, None))
        stack.append((below, {**box, j: (low, cut)}))
        stack.append((above, {**box, j: (cut, high)}))
        check_size(len(stack) + len(found), "the tree of cuts")
    if len(found) != count:
        raise CertificateError("a case is not one leaf of the tree of cuts")
    return [found[c] for c in range(count)]


def _key(model: Any, j: int, value: Any) -> Any:
    domain = model.features[j].domain
    if domain.kind == "finite":
        return list(domain.values).index(value)
    return Fraction(value)


def _inside(model: Any, j: int, cells: Any, bounds: tuple[Any, Any]) -> None:
    """Every cell within the box's range [lower, upper) of feature j: an interval's cell
    [l, r] with l < upper and r ≤ upper (its right end has probability 0), any other
    with r < upper."""
    low, high = bounds
    interval = model.features[j].domain.kind == "interval"
    for cell in cells:
        left, right = _key(model, j, cell[0]), _key(model, j, cell[1])
        if low is not None and left < low:
            raise CertificateError(f"a cell of feature {j} leaves its case")
        if high is not None and not (left < high and (right <= high if interval else right < high)):
            raise CertificateError(f"a cell of feature {j} leaves its case")


def _met(model: Any, pair: Any, axis: int, cells: Any, value: Any, memo: dict[Any, Any],
         holds: bool = False) -> list[int]:  # fmt: skip
    """The bins of pair's axis a case meets: those of its cells of the feature (as
    :func:`_pair_extras` reads them), or the bin of the instance's value; with ``holds``
    (a label question whose case holds x_j) both."""
    if cells is None:
        return [_bin(model, pair, axis, value)]
    if holds:
        return sorted({*_met(model, pair, axis, cells, value, memo),
                       _bin(model, pair, axis, value)})  # fmt: skip
    interval = model.features[pair.features[axis]].domain.kind == "interval"
    bins = memo.setdefault("bins", {}).setdefault((pair.features[axis], pair.edges[axis]), {})
    met: set[int] = set()
    for cell in cells:
        below = interval and Fraction(cell[0]) < Fraction(cell[1])
        first = _memo_bin(bins, model, pair, axis, cell[0], False)
        met.update(range(first, _memo_bin(bins, model, pair, axis, cell[1], below) + 1))
    return sorted(met)


def _case_carriers(model: Any, x: Sequence[Any], case: Any, memo: dict[Any, Any],
                   holds: Sequence[bool] | None = None
                   ) -> list[list[tuple[Any, int, Any, Any]]]:  # fmt: skip
    """Per feature its parts of the case's splits, each split checked to bound its pair
    term exactly on the bins the case meets (``holds[j]``: those of x_j too)."""
    if len(case.splits) != len(model.pairs):
        raise CertificateError("a case splits the pair terms wrongly")
    out: list[list[tuple[Any, int, Any, Any]]] = [[] for _ in model.features]
    for pair, split in zip(model.pairs, case.splits, strict=True):
        table = np.array(pair.values, dtype=float)
        low = [_part(split.low[axis], table.shape[axis]) for axis in (0, 1)]
        high = [_part(split.high[axis], table.shape[axis]) for axis in (0, 1)]
        rows, cols = (
            _met(model, pair, axis, case.laws[j], x[j], memo, holds is not None and holds[j])
            for axis, j in enumerate(pair.features)
        )
        block = table[np.ix_(rows, cols)]
        if not (_at_most(low[0][rows], low[1][cols], block)
                and _at_most(-high[0][rows], -high[1][cols], -block)):  # fmt: skip
            raise CertificateError(f"a case's split of the pair term {pair.features} does not "
                                   "bound it")  # fmt: skip
        for axis, j in enumerate(pair.features):
            out[j].append((pair, axis, low[axis], high[axis]))
    return out


def _case_completion_bounds(model: Any, x: Sequence[Any], fixed_set: set[int], cert: Any,
                            ) -> tuple[Fraction, Fraction]:  # fmt: skip
    """Sound bounds on the completion fraction from a bracket per case: the cases are
    the leaves of a tree of cuts, so they are disjoint; their probabilities must sum to
    1, so they cover every completion (up to probability 0); each case's bracket on
    P(score in the event and the case) is re-derived on the grid from its own cells and
    splits, and the brackets add up."""
    n = model.n_features
    cases = tuple(cert.detail.cases)
    check_size(len(cases), "the cases")
    boxes = _boxes(model, cert.detail.tree, len(cases), fixed_set)
    free = [j for j in range(n) if j not in fixed_set]
    h = _scale(cert)
    total = Fraction(0)
    memo: dict[Any, Any] = {}
    grids: list[tuple[_Grid, _Grid, list[Fraction]]] = []
    for case, box in zip(cases, boxes, strict=True):
        if len(case.laws) != n or len(case.fixed) != n:
            raise CertificateError("a case's laws are not one per feature")
        if any(case.laws[j] is not None for j in fixed_set):
            raise CertificateError("a case gives a law to a fixed feature")
        carried = _case_carriers(model, x, case, memo)
        laws = {}
        mass = Fraction(1)
        for j in free:
            laws[j] = _law(model, j, case.laws[j], carried[j], whole=False, memo=memo)
            _inside(model, j, case.laws[j], box.get(j, (None, None)))
            mass *= sum((p for _, _, p in laws[j]), Fraction(0))
        total += mass
        kept = {j: (Fraction(0), Fraction(0)) for j in free}
        for j in fixed_set:
            kept[j] = _case_kept(model, x, case, carried, j)
        offsets = [sum((kept[j][side] for j in fixed_set), Fraction(0)) for side in (0, 1)]
        grids.append((_Grid(laws, kept, h, False), _Grid(laws, kept, h, True), offsets))
    if total != 1:
        raise CertificateError("the cases do not carry probability 1")

    def probability(level: Fraction, strict: bool) -> tuple[Fraction, Fraction]:
        """Bounds on P(score ≥ level) (> when strict), summed over the cases."""
        cut = level - Fraction(model.intercept)
        down = up = Fraction(0)
        for low_grid, high_grid, offsets in grids:
            down += _tail(low_grid, free, cut, strict, offsets[0]) - low_grid.error
            up += _tail(high_grid, free, cut, strict, offsets[1]) + high_grid.error
        return max(down, Fraction(0)), min(up, Fraction(1))

    return kept_bounds(model, x, probability)


def _case_kept(model: Any, x: Sequence[Any], case: Any, carried: Any, j: int
               ) -> tuple[Fraction, Fraction]:  # fmt: skip
    low, high = case.fixed[j]
    own = _rational(contribution(model, j, x[j]))
    extra = _pair_bounds(carried[j], model, x[j], x[j])
    if not (isinstance(low, Fraction) and isinstance(high, Fraction)):
        raise CertificateError("a case's bounds at the instance are not exact numbers")
    if low > own + extra[0] or high < own + extra[1]:
        raise CertificateError(f"a case's bounds of feature {j} at the instance are too narrow")
    return low, high


def _holds(model: Any, j: int, bounds: tuple[Any, Any], value: Any) -> bool:
    """Whether ``value`` lies in a box's range [lower, upper) of feature j."""
    low, high = bounds
    key = _key(model, j, value)
    return (low is None or low <= key) and (high is None or key < high)


def _case_label_bounds(model: Any, x: Sequence[Any], kind: str, cert: Any
                       ) -> tuple[list[Fraction], list[Fraction], Fraction, Fraction]:  # fmt: skip
    """Sound bounds on the label values and v(∅) from a bracket per case.

    At node q each feature is drawn from its cells in the case with probability 1 − q
    and kept at x_j with probability q when the case's range holds x_j (so the case's
    splits must bound the pair terms on x_j's bin too). Summed over the cases (disjoint,
    probability 1), P(i kept) counts the cases whose range of i holds x_i, whose other
    ranges partition the other features' values; P(i drawn) counts every case. Each
    case's probabilities are re-derived by the down and up grids with their error
    bounds, and added exactly."""
    n = model.n_features
    cases = tuple(cert.detail.cases)
    check_size(len(cases), "the cases")
    boxes = _boxes(model, cert.detail.tree, len(cases), set())
    h = _scale(cert)
    nodes = _quadrature(cert, kind, n)
    level = exact_number(model.task.threshold) - Fraction(model.intercept)
    strict = model.task.positive == ">"
    memo: dict[Any, Any] = {}
    total = Fraction(0)
    zero = Fraction(0)
    # per node, per feature: bounds on P(i kept) and P(i drawn), summed over the cases
    kept_low = [[zero] * n for _ in nodes]
    kept_high = [[zero] * n for _ in nodes]
    drawn_low = [[zero] * n for _ in nodes]
    drawn_high = [[zero] * n for _ in nodes]
    base_low = base_high = zero
    for case, box in zip(cases, boxes, strict=True):
        if len(case.laws) != n or len(case.fixed) != n:
            raise CertificateError("a case's laws are not one per feature")
        holds = [_holds(model, j, box.get(j, (None, None)), x[j]) for j in range(n)]
        carried = _case_carriers(model, x, case, memo, holds)
        laws = {}
        mass = Fraction(1)
        for j in range(n):
            laws[j] = _law(model, j, case.laws[j], carried[j], whole=False, memo=memo)
            _inside(model, j, case.laws[j], box.get(j, (None, None)))
            mass *= sum((p for _, _, p in laws[j]), Fraction(0))
        total += mass
        kept = {j: _case_kept(model, x, case, carried, j) if holds[j]
                else (laws[j][0][0], laws[j][0][0]) for j in range(n)}  # fmt: skip
        grids = [_Grid(laws, kept, h, up) for up in (False, True)]
        for grid in grids:
            grid.keep = dict(enumerate(holds))
        e0, e1 = grids[0].error, grids[1].error
        for r, (q, _) in enumerate(nodes):
            down, up = (_node(grid, q, n, level, strict) for grid in grids)
            for i in range(n):
                kept_low[r][i] += down[i][0] - e0
                drawn_low[r][i] += down[i][1] - e0
                kept_high[r][i] += up[i][0] + e1
                drawn_high[r][i] += up[i][1] + e1
        base_low += _tail(grids[0], list(range(n)), level, strict, zero) - e0
        base_high += _tail(grids[1], list(range(n)), level, strict, zero) + e1
    if total != 1:
        raise CertificateError("the cases do not carry probability 1")
    low = [zero] * n
    high = [zero] * n
    for r, (_, weight) in enumerate(nodes):
        for i in range(n):
            term = (kept_low[r][i] - drawn_high[r][i], kept_high[r][i] - drawn_low[r][i])
            low[i] += weight * (term[0] if weight > 0 else term[1])
            high[i] += weight * (term[1] if weight > 0 else term[0])
    return (
        [max(v, Fraction(-1)) for v in low],
        [min(v, Fraction(1)) for v in high],
        max(base_low, zero),
        min(base_high, Fraction(1)),
    )
