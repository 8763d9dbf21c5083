"""The cell reduction of a model with pairwise terms.

When every feature that takes part in a pair term has a finite domain or a step-function
main effect, the model depends on such a feature only through its *cell*: a part of the
domain on which its main effect and every bin of its pair terms are constant. For the
worst case in one direction only the best main effect per combination of pair bins (its
*signature*) matters, so each paired feature becomes a small discrete variable and the
worst completion is MAP inference in a pairwise model over the interaction graph
(:mod:`gamexplain.algorithms.elimination`, :mod:`gamexplain.algorithms.pair_cpsat`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.errors import PieceLimitError
from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import value_at

__all__ = [
    "Cell",
    "Factor",
    "Signature",
    "Table",
    "factor_at",
    "factors_of",
    "paired",
    "pairwise_applies",
    "signatures",
    "slots",
]

Signature = tuple[int, ...]
Table = dict[tuple[Signature, ...], Fraction]
Factor = tuple[tuple[int, ...], Table]


@dataclass(frozen=True)
class Cell:
    """A part of a paired feature's domain: one of its values, the main effect there and
    the bin it falls in per pair term (its signature)."""

    value: Any
    contribution: Fraction
    bins: Signature


@functools.lru_cache(maxsize=1024)
def slots(gam: Any, j: int) -> tuple[tuple[int, int], ...]:
    """The (pair term, axis) slots feature j occupies, in pair order."""
    return tuple(
        (p, pair.features.index(j)) for p, pair in enumerate(gam.pairs) if j in pair.features
    )


def paired(gam: Any) -> list[int]:
    """The features that take part in a pair term, in model order."""
    return sorted({j for pair in gam.pairs for j in pair.features})


def pairwise_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when the model has pair terms and every paired feature reduces to cells."""
    if gam.is_additive:
        return "the model has no pairwise terms (the additive algorithms answer it)"
    for j in paired(gam):
        found = _cells(gam, j)
        if isinstance(found, str):
            return found
    return None


_SHARED_LIMIT = 512
"""How many features' cell tables (and signature maps) the shared caches keep."""

_SHARED: dict[Any, Any] = {}
"""Cell tables and signature maps shared between models: keyed by what they depend on
(the feature object, and its pair bin edges in slot order; a table's identity), so a
model widened for an out-of-range instance (:meth:`GAM.covering
<gamexplain.model.gam.GAM.covering>`), which keeps every feature it does not widen,
rebuilds only the widened features' tables. Each value holds its key's objects, so an
id in a key is never reused while the entry lives."""


def clear_cache() -> None:
    """Forget every cell table: the per-model caches and the shared ones."""
    _cells.cache_clear()
    signatures.cache_clear()
    _SHARED.clear()


def _shared(key: Any, pinned: Any, build: Any) -> Any:
    found = _SHARED.get(key)
    if found is None:
        result = build()  # may raise OutOfTime: then nothing is kept
        if len(_SHARED) >= _SHARED_LIMIT:
            _SHARED.clear()
        found = _SHARED[key] = (pinned, result)
    return found[1]


@functools.lru_cache(maxsize=256)
def _cells(gam: Any, j: int) -> tuple[Cell, ...] | str:
    """Feature j's cells, or why it has none; per model, and shared between models by
    the feature object and its pair edges (what the cells depend on: its domain, shape
    and bins, never another feature's)."""
    feature = gam.features[j]
    edges = tuple(gam.pairs[p].edges[a] for p, a in slots(gam, j))
    return _shared(("cells", id(feature), edges), feature, lambda: _build_cells(gam, j))


def _build_cells(gam: Any, j: int) -> tuple[Cell, ...] | str:
    feature = gam.features[j]
    axes = slots(gam, j)
    refuse = (
        f"feature {feature.name!r} takes part in a pairwise term but its {feature.component} "
        "shape is not a step function on its domain, so the model does not reduce to cells"
    )
    if not isinstance(feature.domain, Finite) and not isinstance(feature.shape, Piecewise):
        return refuse
    try:
        pieces = lower(feature)
    except PieceLimitError as exc:
        return str(exc)
    edges = sorted({e for p, a in axes for e in (gam.pairs[p].edges[a] or ())[1:-1]})
    cuts = [Fraction(e) for e in edges]
    found: dict[tuple[Fraction, Signature], Cell] = {}
    for piece in pieces:
        # a default EBM's tables take seconds to build: on the query's clock (OutOfTime
        # raises, so lru_cache keeps nothing partial)
        deadline.check()
        if isinstance(piece, Point):
            parts = [(piece.value, piece.contribution)]
        elif piece.degree > 0 and piece.low < piece.high:
            return refuse
        elif piece.degree == 0:  # constant: every start scores its constant term
            constant = piece.coefficients[0]
            parts = [(v, constant) for v in _starts(piece, cuts, edges)]
        else:
            # a one-point piece of higher degree (a one-integer domain) is its polynomial
            # at that point, which need not be its anchor
            parts = [(v, value_at(piece, Fraction(v))) for v in _starts(piece, cuts, edges)]
        for value, contribution in parts:
            bins = tuple(gam.pairs[p].bin_of(a, feature, value) for p, a in axes)
            found.setdefault((contribution, bins), Cell(value, contribution, bins))
    return tuple(found.values())


def _starts(segment: Segment, cuts: list[Fraction], edges: list[float]) -> list[Any]:
    """One point of each part of the segment between consecutive bin edges: its left end
    (pieces and bins are right-continuous, so the part is constant from there).

    ``cuts`` are the sorted inner bin edges, ``edges`` the same as floats; when the
    segment's ends are floats too (a fitted model's always are) the search runs in
    floats, whose comparisons are exact, else in Fractions."""
    low, high = _float(segment.low), _float(segment.high)
    if low is None or high is None:
        return _starts_exact(segment, cuts)
    inner = edges[bisect.bisect_right(edges, low) : bisect.bisect_right(edges, high)]
    if segment.integers:
        firsts = [int(segment.low), *(math.ceil(c) for c in inner)]
        return sorted({v for v in firsts if v <= segment.high})
    return [low, *(c for c in inner if c < high or segment.closed)]


def _starts_exact(segment: Segment, cuts: list[Fraction]) -> list[Any]:
    """:func:`_starts` in Fractions, for a segment whose ends are no floats."""
    # the cuts are sorted: those in (low, high] by bisection
    inner = cuts[bisect.bisect_right(cuts, segment.low) : bisect.bisect_right(cuts, segment.high)]
    if segment.integers:
        firsts = [int(segment.low), *(math.ceil(c) for c in inner)]
        return sorted({v for v in firsts if v <= segment.high})
    ends = [segment.low, *(c for c in inner if c < segment.high or segment.closed)]
    return [_plain(v) for v in ends]


def _float(value: Fraction) -> float | None:
    """The float equal to ``value``, or None when no float is."""
    number = float(value)
    return number if number.as_integer_ratio() == (value.numerator, value.denominator) else None


def _plain(value: Fraction) -> Any:
    """A float when it denotes the rational exactly (friendlier points), else the Fraction."""
    number = _float(value)
    return value if number is None else number


@functools.lru_cache(maxsize=64)
def signatures(gam: Any, j: int, side: str) -> Mapping[Signature, Cell]:
    """Per signature (pair bins) of paired feature j, its cell with the lowest (``min``)
    or highest (``max``) main effect: the only one a worst case in that direction needs
    (kept per model, feature and side: read it, never change it)."""
    cells = _cells(gam, j)
    assert not isinstance(cells, str)
    return _shared(("signatures", id(cells), side), cells, lambda: _best(cells, side))


def _best(cells: tuple[Cell, ...], side: str) -> dict[Signature, Cell]:
    sign = 1 if side == "min" else -1
    best: dict[Signature, Cell] = {}
    for cell in cells:
        held = best.get(cell.bins)
        if held is None or sign * (cell.contribution - held.contribution) < 0:
            best[cell.bins] = cell
    return best


def factors_of(
    gam: Any,
    x: tuple[Any, ...],
    free: Iterable[int],
    unary: Mapping[int, Mapping[Signature, Fraction]],
    sign: int,
) -> list[Factor]:
    """The factors of sign·(score minus the free unpaired features' main effects).

    ``unary[j]`` gives each signature's main effect of free paired feature j; kept
    features fold into constants and unary factors. Scopes hold feature positions in
    increasing order; table keys hold one signature per scope feature.
    """
    free_set = set(free)
    features = gam.features
    constant = Fraction(gam.intercept) + sum(
        (Fraction(features[i].contribution_exact(x[i])) for i in range(gam.n_features)
         if i not in free_set),
        Fraction(0),
    )  # fmt: skip
    tables: dict[tuple[int, ...], Table] = {
        (j,): {(s,): value for s, value in unary[j].items()} for j in unary
    }
    slot = {j: {p: a for p, a in slots(gam, j)} for j in range(gam.n_features)}
    for p, pair in enumerate(gam.pairs):
        i, j = pair.features
        bin_i = None if i in free_set else pair.bin_of(0, features[i], x[i])
        bin_j = None if j in free_set else pair.bin_of(1, features[j], x[j])
        if bin_i is not None and bin_j is not None:
            constant += Fraction(pair.values[bin_i][bin_j])
            continue
        scope = tuple(k for k in (i, j) if k in free_set)
        table = tables.setdefault(scope, _zeros(scope, unary))
        for key in table:
            bins = dict(zip(scope, key, strict=True))
            a = bin_i if bin_i is not None else bins[i][_position(slot, i, p)]
            b = bin_j if bin_j is not None else bins[j][_position(slot, j, p)]
            table[key] += Fraction(pair.values[a][b])
    factors: list[Factor] = [((), {(): sign * constant})]
    factors += [(scope, {k: sign * v for k, v in t.items()}) for scope, t in tables.items()]
    return factors


def factor_at(factor: Factor, given: Mapping[int, Signature]) -> Fraction:
    """The factor's value at an assignment of signatures to (at least) its scope."""
    scope, table = factor
    return table[tuple(given[u] for u in scope)]


def _position(slot: dict[int, dict[int, int]], j: int, p: int) -> int:
    """Where pair term p sits in feature j's signature (its slots in pair order)."""
    return list(slot[j]).index(p)


def _zeros(scope: tuple[int, ...], unary: Mapping[int, Mapping[Signature, Fraction]]) -> Table:
    return {key: Fraction(0) for key in itertools.product(*(list(unary[k]) for k in scope))}
