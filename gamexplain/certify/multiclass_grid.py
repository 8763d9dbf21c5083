"""Independent re-check of multiclass grid brackets (completion fraction, label SHAP/Banzhaf).

A ``rival-grid`` certificate names the predicted class w, grid widths h_c per rival, per
feature its cells with bounds on each rival coordinate of the score differences, per
feature bounds at the instance, and per rival model D_wc (built here again from the
model, :func:`~gamexplain.model.multiclass.rival_model`) a split of each of its pair
terms into additive bounds. This module re-derives, with its own code:

- **per rival coordinate**, the splits, the cells and the bounds at the instance with
  the binary grid check's exact cell checks (:mod:`gamexplain.certify.grid`): every
  split inequality decided exactly, every cell's probability from the marginal and its
  range from the raw shapes plus the split parts over the bins it meets;
- **the bracket on that grid**: each coordinate rounded down (then up) to a multiple of
  its h_c, the law of the vector sum by its own float convolution of nonnegative
  arrays, with no windowing, its error bounded by γ_d plus an underflow allowance;
  coalitions by the certificate's quadrature checked to integrate every power exactly;
  each leave-one-out probability (the feature kept, the feature drawn) convolved
  directly; the weighted sums in exact rationals. The claimed bounds must contain the
  re-derived ones, and every field shown must be what they give.

It shares no code with :mod:`gamexplain.algorithms.multiclass_grid`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.certify import CertificateError, check_size
from gamexplain.certify.grid import _carriers, _kept, _law, _quadrature
from gamexplain.model.multiclass import MulticlassGAM, rival_model

__all__ = [
    "VectorCell",
    "VectorGridCertificate",
    "grid_completion_holds",
    "grid_label_holds",
]

_U = Fraction(1, 2**53)
_TINY = Fraction(1, 2**1000)


@dataclass(frozen=True)
class VectorCell:
    """A part [left, right] of a feature's domain (a point when equal) with bounds
    ``low[k] ≤ D_wc_k's part ≤ high[k]`` per rival coordinate and its probability."""

    left: Any
    right: Any
    low: tuple[Fraction, ...]
    high: tuple[Fraction, ...]
    probability: Fraction


@dataclass(frozen=True)
class VectorGridCertificate:
    """What a ``rival-grid`` result rests on.

    Attributes
    ----------
    winner : int
        The predicted class index at x.
    kind : str
        "cc", "shapley" or "banzhaf".
    lower, upper : tuple of Fraction
        The bounds (one for a completion fraction; per feature, then v(∅), for labels).
    scale : tuple of Fraction or None
        The grid width per rival; None when no round completed (the trivial bracket).
    cells, rounds, largest_table : int
        Cells per continuous piece, completed rounds, grid points of the last round.
    laws : tuple
        Per feature its :class:`VectorCell` s (None for a feature kept at x).
    fixed : tuple
        Per feature (low vector, high vector) at the instance's value.
    splits : tuple
        Per rival, per pair term of its rival model, a
        :class:`~gamexplain.algorithms.grid_convolution.PairSplit`.
    nodes : tuple of (Fraction, Fraction)
        The quadrature (q, weight) pairs (none for a completion fraction).
    model, marginals :
        The model's digest and each feature's marginal as used.
    """

    winner: int
    kind: str
    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    scale: tuple[Fraction, ...] | None
    cells: int
    rounds: int
    largest_table: int
    laws: tuple[Any, ...]
    fixed: tuple[Any, ...]
    splits: tuple[Any, ...]
    nodes: tuple[tuple[Fraction, Fraction], ...]
    model: str = ""
    marginals: tuple[Any, ...] = ()


# -- the claims about the model, per rival coordinate --------------------------------------
def _rivals(model: MulticlassGAM, winner: int) -> list[Any]:
    marginals = [f.distribution for f in model.scores[0].features]
    out = []
    for c in range(model.n_classes):
        if c != winner:
            rival = rival_model(model, winner, c)
            features = [replace(f, distribution=d)
                        for f, d in zip(rival.features, marginals, strict=True)]  # fmt: skip
            out.append(type(rival)(features, rival.intercept, rival.task, rival.pairs))
    return out


def _claims(
    model: MulticlassGAM, x: Sequence[Any], cert: VectorGridCertificate, members: Sequence[int]
) -> tuple[dict[int, Any], dict[int, Any], list[bool]]:
    """The members' checked vector laws (lows, highs, p), every feature's checked bounds
    at x, and per rival whether its event is strict."""
    rivals = _rivals(model, cert.winner)
    dims = len(rivals)
    n = model.n_features
    if len(cert.splits) != dims or len(cert.fixed) != n or len(cert.laws) != n:
        raise CertificateError("the certificate is not one split list per rival, one law "
                               "and one bound per feature")  # fmt: skip
    laws: dict[int, list[tuple[Any, Any, Fraction]]] = {}
    kept: dict[int, list[list[Fraction]]] = {j: [[], []] for j in range(n)}
    for k, rival in enumerate(rivals):
        fixed = [(f[0][k], f[1][k]) for f in cert.fixed]
        shim = SimpleNamespace(linear=None,
                               detail=SimpleNamespace(mode="grid", splits=cert.splits[k],
                                                      fixed=fixed))  # fmt: skip
        carried = _carriers(rival, shim)
        for j in range(n):
            low, high = _kept(rival, x, shim, carried, j)
            kept[j][0].append(low)
            kept[j][1].append(high)
        for j in members:
            cells = cert.laws[j]
            if not isinstance(cells, tuple) or not all(isinstance(c, VectorCell) and
                                                       len(c.low) == len(c.high) == dims
                                                       for c in cells):  # fmt: skip
                raise CertificateError(f"feature {j}'s cells are not vector cells")
            flat = tuple((c.left, c.right, c.low[k], c.high[k], c.probability) for c in cells)
            _law(rival, j, flat, carried[j])
    for j in members:
        laws[j] = [(c.low, c.high, c.probability) for c in cert.laws[j]]
    bounds = {j: (tuple(v[0]), tuple(v[1])) for j, v in kept.items()}
    return laws, bounds, [r.task.positive == ">" for r in rivals]


# -- the float convolution in K − 1 dimensions ---------------------------------------------
def _gamma(d: int) -> Fraction:
    return d * _U / (1 - d * _U)


Table = tuple[tuple[int, ...], NDArray[np.float64], tuple[bool, ...]]
"""(start, values, won): mass ``values[t]`` at index start + t; where ``won[k]`` the last
slot along axis k holds mass that beats rival k whatever is added to it."""


class _Grid:
    """The members' laws on the grid, rounded down or up, as dense arrays; it tracks
    the largest table it builds and the roundings on any path for its error bound."""

    def __init__(self, laws: dict[int, Any], kept: dict[int, Any], h: Sequence[Fraction],
                 up: bool) -> None:  # fmt: skip
        self.h, self.up = tuple(h), up
        dims = len(h)
        self.draw: dict[int, tuple[tuple[int, ...], NDArray[np.float64]]] = {}
        self.value = {j: kept[j][1 if up else 0] for j in kept}
        self.at = {j: self._round(v) for j, v in self.value.items()}
        self.depth, self.spans, self.largest = 0, [0] * dims, 1
        for j, law in laws.items():
            points: dict[tuple[int, ...], Fraction] = {}
            for low, high, p in law:
                key = self._round(high if up else low)
                points[key] = points.get(key, Fraction(0)) + p
            base = tuple(min(k[a] for k in points) for a in range(dims))
            shape = tuple(max(k[a] for k in points) - base[a] + 1 for a in range(dims))
            check_size(math.prod(shape), "a feature's law on the grid")
            dense = np.zeros(shape)
            for key, p in points.items():
                dense[tuple(v - b for v, b in zip(key, base, strict=True))] = float(p)
            self.draw[j] = (base, dense)
            self.depth += 2 * len(points) + 6
            for a in range(dims):
                self.spans[a] += shape[a] + abs(self.at[j][a] - base[a]) + 2

    @property
    def error(self) -> Fraction:
        """Per path: two roundings per mass met, the slots' and tails' sums along every
        axis, one dot product over the largest table, and the node's mixing."""
        return _gamma(2 * self.depth + 4 * sum(self.spans) + self.largest + 16) + _TINY

    def _round(self, value: Sequence[Fraction]) -> tuple[int, ...]:
        out = []
        for v, h in zip(value, self.h, strict=True):
            q = v / h
            out.append(math.ceil(q) if self.up else math.floor(q))
        return tuple(out)

    def mixed(self, j: int, q: Fraction) -> tuple[tuple[int, ...], NDArray[np.float64]]:
        base, dense = self.draw[j]
        if q == 0:
            return base, dense
        at = self.at[j]
        low = tuple(min(b, a) for b, a in zip(base, at, strict=True))
        shape = tuple(max(b + n, a + 1) - lo
                      for b, n, a, lo in zip(base, dense.shape, at, low, strict=True))  # fmt: skip
        out = np.zeros(shape)
        out[tuple(slice(b - lo, b - lo + n) for b, lo, n in
                  zip(base, low, dense.shape, strict=True))] += float(1 - q) * dense  # fmt: skip
        out[tuple(a - lo for a, lo in zip(at, low, strict=True))] += float(q)
        return low, out

    def reach(self, j: int, kept: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The least and largest index feature j adds (with ``kept``, also its value at
        x, which enters a cut within one index of its rounding)."""
        base, dense = self.draw[j]
        low = [b for b in base]
        high = [b + n - 1 for b, n in zip(base, dense.shape, strict=True)]
        if kept:
            low = [min(v, a - 1) for v, a in zip(low, self.at[j], strict=True)]
            high = [max(v, a + 1) for v, a in zip(high, self.at[j], strict=True)]
        return tuple(low), tuple(high)

    def chain(self, laws: Sequence[Any], reach: Sequence[Any], cut: Sequence[int]
              ) -> list[Table]:  # fmt: skip
        """The tables of the sums of the first k laws, k = 0 … len, each cut down to the
        indices that can still end on either side of ``cut`` along every axis."""
        dims = len(self.h)
        out: list[Table] = [_point(dims)]
        for k, law in enumerate(laws):
            rest_low = [sum(r[0][a] for r in reach[k + 1 :]) for a in range(dims)]
            rest_high = [sum(r[1][a] for r in reach[k + 1 :]) for a in range(dims)]
            table = _trim(_add(out[-1], law), cut, rest_low, rest_high)
            check_size(table[1].size, "a table of the vector law")
            self.largest = max(self.largest, table[1].size)
            out.append(table)
        return out


def _point(dims: int) -> Table:
    return (0,) * dims, np.ones((1,) * dims), (False,) * dims


def _add(vector: Table, law: tuple[tuple[int, ...], NDArray[np.float64]]) -> Table:
    """The law of the sum (``law`` mostly zeros); a won slot's mass moves with the rest."""
    start, values, _ = vector
    base, dense = law
    out = np.zeros(tuple(a + b - 1 for a, b in zip(values.shape, dense.shape, strict=True)))
    for k in zip(*np.nonzero(dense), strict=True):
        out[tuple(slice(int(i), int(i) + n) for i, n in zip(k, values.shape, strict=True))] += (
            dense[k] * values
        )
    return tuple(s + b for s, b in zip(start, base, strict=True)), out, (False,) * out.ndim


def _trim(table: Table, cut: Sequence[int], rest_low: Sequence[int],
          rest_high: Sequence[int]) -> Table:  # fmt: skip
    """Along each axis: indices that cannot reach ``cut`` whatever the rest adds hold
    mass that loses, and are dropped; those that reach it whatever the rest adds are
    summed into a won slot."""
    start, values, won = list(table[0]), table[1], list(table[2])
    for a in range(values.ndim):
        size = values.shape[a]
        first = max(cut[a] - rest_high[a] - start[a], 0)
        if first >= size:
            shape = list(values.shape)
            shape[a] = 1
            values, start[a], won[a] = np.zeros(shape), start[a] + first, False
            continue
        sure = max(cut[a] - rest_low[a] - start[a], first)
        part = np.take(values, np.arange(first, min(sure, size)), axis=a)
        if sure < size:
            slot = np.take(values, np.arange(sure, size), axis=a).sum(axis=a, keepdims=True)
            part, won[a] = np.concatenate((part, slot), axis=a), True
        values, start[a] = part, start[a] + first
    return tuple(start), values, tuple(won)


def _at_least(vector: Table, other: Table, cut: Sequence[int]) -> float:
    """P(V + O ≥ cut on every axis) for independent V, O on the grid (won slots beat
    their rival whatever the other adds)."""
    start, values, won = vector
    o_start, o_values, o_won = other
    survive = o_values
    for axis in range(survive.ndim):
        survive = np.flip(np.cumsum(np.flip(survive, axis), axis=axis), axis)
        pad = [(0, 0)] * survive.ndim
        pad[axis] = (0, 1)
        survive = np.pad(survive, pad)
    need = []
    for a in range(values.ndim):
        top = o_values.shape[a] - 1 if o_won[a] else o_values.shape[a]
        index = np.clip(cut[a] - start[a] - o_start[a] - np.arange(values.shape[a]), 0, top)
        if won[a]:
            index[-1] = 0
        need.append(index)
    return float(np.sum(values * survive[np.ix_(*need)]))


def _cut(level: Sequence[Fraction], h: Sequence[Fraction], strict: Sequence[bool]
         ) -> tuple[int, ...]:  # fmt: skip
    """Per axis the least integer s with level + s·h past 0 (≥ 0, or > 0 when strict)."""
    out = []
    for v, step, s in zip(level, h, strict, strict=True):
        q = -v / step
        out.append(math.floor(q) + 1 if s else math.ceil(q))
    return tuple(out)


def _node(grid: _Grid, q: Fraction, n: int, strict: Sequence[bool]) -> list[tuple[float, float]]:
    """Per feature i, the floats P(w wins | i kept) and P(w wins | i drawn) at node q."""
    dims = len(grid.h)
    zero = _cut((Fraction(0),) * dims, grid.h, strict)
    mixed = [grid.mixed(j, q) for j in range(n)]
    reach = [grid.reach(j, True) for j in range(n)]
    before = grid.chain(mixed, reach, zero)
    after = grid.chain(mixed[::-1], reach[::-1], zero)
    out = []
    for i in range(n):
        rest = after[n - 1 - i]
        kept = _at_least(before[i], rest, _cut(grid.value[i], grid.h, strict))
        later = reach[i + 1 :]
        whole = _trim(_add(before[i], grid.draw[i]), zero,
                      [sum(r[0][a] for r in later) for a in range(dims)],
                      [sum(r[1][a] for r in later) for a in range(dims)])  # fmt: skip
        check_size(whole[1].size, "a table of the vector law")
        grid.largest = max(grid.largest, whole[1].size)  # its dot product is this long
        drawn = _at_least(whole, rest, zero)
        out.append((kept, drawn))
    return out


def _drawn(grid: _Grid, members: Sequence[int], offset: Sequence[Fraction],
           strict: Sequence[bool]) -> Fraction:  # fmt: skip
    """The float P(w wins) with ``offset`` added and the members drawn, exactly."""
    dims = len(grid.h)
    cut = _cut(offset, grid.h, strict)
    total = grid.chain([grid.draw[j] for j in members],
                       [grid.reach(j, False) for j in members], cut)[-1]  # fmt: skip
    return Fraction(_at_least(total, _point(dims), cut))


def _scale(cert: VectorGridCertificate, dims: int) -> tuple[Fraction, ...]:
    h = cert.scale
    if not (isinstance(h, tuple) and len(h) == dims and
            all(isinstance(v, Fraction) and v > 0 for v in h)):  # fmt: skip
        raise CertificateError("the grid widths must be one positive exact number per rival")
    return h


# -- the checks -----------------------------------------------------------------------------
def grid_label_holds(model: MulticlassGAM, x: Sequence[Any], cert: VectorGridCertificate
                     ) -> bool:  # fmt: skip
    """Whether the claimed label bounds (per feature, then v(∅)) contain the ones
    re-derived at the certificate's grid (a certificate without a grid claims [−1, 1]
    and [0, 1] only)."""
    n = model.n_features
    if cert.scale is None:
        return cert.lower == (Fraction(-1),) * n + (Fraction(0),) and cert.upper == (
            Fraction(1),) * (n + 1)  # fmt: skip
    h = _scale(cert, model.n_classes - 1)
    laws, kept, strict = _claims(model, x, cert, range(n))
    nodes = _quadrature(SimpleNamespace(detail=cert), cert.kind, n)
    grids = [_Grid(laws, kept, h, up) for up in (False, True)]
    low, high = [Fraction(0)] * n, [Fraction(0)] * n
    parts = [[_node(grid, q, n, strict) for grid in grids] for q, _ in nodes]
    zero = (Fraction(0),) * len(h)
    base = [_drawn(grid, range(n), zero, strict) for grid in grids]
    e0, e1 = grids[0].error, grids[1].error  # once every table is built
    for (_, weight), part in zip(nodes, parts, strict=True):
        for i in range(n):
            (kept_low, drawn_low), (kept_high, drawn_high) = part[0][i], part[1][i]
            term = (Fraction(kept_low) - e0 - Fraction(drawn_high) - e1,
                    Fraction(kept_high) + e1 - Fraction(drawn_low) + e0)  # fmt: skip
            low[i] += weight * (term[0] if weight > 0 else term[1])
            high[i] += weight * (term[1] if weight > 0 else term[0])
    found_low = [*(max(v, Fraction(-1)) for v in low), max(base[0] - e0, Fraction(0))]
    found_high = [*(min(v, Fraction(1)) for v in high), min(base[1] + e1, Fraction(1))]
    return _contains(cert, found_low, found_high)


def grid_completion_holds(model: MulticlassGAM, x: Sequence[Any], kept_set: frozenset[int],
                          cert: VectorGridCertificate) -> bool:  # fmt: skip
    """Whether the claimed completion bracket contains the one re-derived at the grid."""
    if cert.scale is None:
        return (cert.lower, cert.upper) == ((Fraction(0),), (Fraction(1),))
    n = model.n_features
    dims = model.n_classes - 1
    h = _scale(cert, dims)
    free = [j for j in range(n) if j not in kept_set]
    if any((cert.laws[j] is None) != (j in kept_set) for j in range(n)):
        raise CertificateError("the certificate's laws are not those of the free features")
    laws, kept, strict = _claims(model, x, cert, free)
    found = []
    for side, up in enumerate((False, True)):
        grid = _Grid(laws, kept, h, up)
        offset = tuple(sum((kept[j][side][a] for j in kept_set), Fraction(0))
                       for a in range(dims))  # fmt: skip
        value = _drawn(grid, free, offset, strict)
        found.append(max(value - grid.error, Fraction(0)) if side == 0
                     else min(value + grid.error, Fraction(1)))  # fmt: skip
    return _contains(cert, [found[0]], [found[1]])


def _contains(cert: VectorGridCertificate, low: Sequence[Fraction], high: Sequence[Fraction]
              ) -> bool:  # fmt: skip
    return (
        len(cert.lower) == len(low) == len(cert.upper)
        and all(isinstance(v, Fraction) for v in (*cert.lower, *cert.upper))
        and all(a <= b for a, b in zip(cert.lower, low, strict=True))
        and all(a >= b for a, b in zip(cert.upper, high, strict=True))
    )

