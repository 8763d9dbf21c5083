"""Population LOCO and global importances under the model's law, exactly.

Each feature's domain (inside a box when asked) is cut into *cells*: its values (finite
domains, and integer pieces of a polynomial, enumerated), or the parts of its lowered
pieces between consecutive pair-bin edges (a step piece is one constant atom; a
polynomial piece on a real interval keeps its polynomial, and its moments are exact
integrals). On a cell every pair term reading the feature sits in one bin, so with
independent features

    E[d_j²] = Σ_cells P(c)·( E[A²|c] + 2·E[A|c]·Σ_t μ_t(c) + (Σ_t μ_t(c))² + Σ_t v_t(c) ),

A = a_j − E a_j, and μ_t, v_t the mean and variance over the partner's bins of
g_t(c, X_k) − E_{X_j} g_t(X_j, X_k). Truncating the law to a box keeps the features
independent (a box is a product), so a box region's population importance is the same
sum over the box's cells.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import is_point_domain, point_probabilities, segment_probabilities
from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.model.domains import Finite
from gamexplain.model.gam import GAM
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Segment, lower, segment_measure

__all__ = ["Cell", "box_importances", "feature_cells", "global_importances"]

#: Integer points a polynomial piece may be enumerated over.
MAX_ENUMERATED = 100_000

Bounds = tuple[Fraction | None, Fraction | None]


@dataclass(frozen=True)
class Cell:
    """A part of a feature's domain on which every pair bin is constant.

    ``mass`` is its probability; ``poly`` (coefficients in x − anchor) and the real span
    [low, high) for a polynomial part of an interval, else the constant ``value`` of the
    contribution; ``point`` is a value of the cell (its left end), for the pair bins.
    """

    mass: Fraction
    point: Any
    value: Fraction | None = None
    poly: tuple[Fraction, ...] = ()
    anchor: Fraction = Fraction(0)
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)

    def moment(self, power: int) -> Fraction:
        """E[a^power · 1_cell]."""
        if self.value is not None:
            return self.mass * self.value**power
        poly = _power(self.poly, power)
        return (
            self.mass * _integral(poly, self.anchor, self.low, self.high) / (self.high - self.low)
        )


def _power(poly: tuple[Fraction, ...], power: int) -> tuple[Fraction, ...]:
    out: tuple[Fraction, ...] = (Fraction(1),)
    for _ in range(power):
        product = [Fraction(0)] * (len(out) + len(poly) - 1)
        for r, a in enumerate(out):
            for s, b in enumerate(poly):
                product[r + s] += a * b
        out = tuple(product)
    return out


def _integral(
    poly: Sequence[Fraction], anchor: Fraction, low: Fraction, high: Fraction
) -> Fraction:
    return sum(
        (c * ((high - anchor) ** (r + 1) - (low - anchor) ** (r + 1)) / (r + 1)
         for r, c in enumerate(poly)),
        Fraction(0),
    )  # fmt: skip


def _inside(value: Fraction, bounds: Bounds) -> bool:
    low, high = bounds
    return (low is None or value > low) and (high is None or value <= high)


def _edges(gam: GAM, j: int) -> list[Fraction]:
    cuts = set()
    for pair in gam.pairs:
        for axis, i in enumerate(pair.features):
            if i == j and pair.edges[axis] is not None:
                cuts |= {Fraction(e) for e in pair.edges[axis]}  # type: ignore[union-attr]
    return sorted(cuts)


def feature_cells(gam: GAM, j: int, bounds: Bounds = (None, None)) -> list[Cell]:
    """The cells of feature j under its marginal truncated to ``low < x ≤ high``, their
    masses summing to 1.

    Raises
    ------
    InvalidParameterError
        The bounds hold no mass of the feature.
    UnsupportedModelError
        A polynomial piece over more than ``MAX_ENUMERATED`` integers.
    """
    feature = gam.features[j]
    if isinstance(feature.domain, Finite):
        cells = _finite_cells(feature, bounds)
    elif is_point_domain(feature):
        value = Fraction(feature.domain.low)
        cells = [Cell(Fraction(1), value, _exact(feature, value))] if _inside(value, bounds) else []
    else:
        cells = _segment_cells(gam, j, bounds)
    total = sum((c.mass for c in cells), Fraction(0))
    if total == 0:
        raise InvalidParameterError(
            f"feature {feature.name!r} has no probability inside the region's bounds"
        )
    return [Cell(c.mass / total, c.point, c.value, c.poly, c.anchor, c.low, c.high) for c in cells]


def _exact(feature: Any, value: Any) -> Fraction:
    result = feature.contribution_exact(value)
    return result if isinstance(result, Fraction) else Fraction(str(result))


def _finite_cells(feature: Any, bounds: Bounds) -> list[Cell]:
    labels = not feature.domain.is_numeric
    cells = []
    for k, (value, prob) in enumerate(point_probabilities(feature)):
        code = Fraction(k) if labels else Fraction(value)
        if prob and _inside(code, bounds):
            cells.append(Cell(prob, value, _exact(feature, value)))
    return cells


def _segment_cells(gam: GAM, j: int, bounds: Bounds) -> list[Cell]:
    feature = gam.features[j]
    edges = _edges(gam, j)
    cells: list[Cell] = []
    for segment, mass in zip(lower(feature), segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        if mass == 0:
            continue
        size = segment_measure(segment)
        if segment.integers:
            cells += _integer_cells(segment, mass / size, edges, bounds)
        else:
            cells += _interval_cells(segment, mass / size, edges, bounds)
    return cells


def _integer_cells(
    segment: Segment, density: Fraction, edges: list[Fraction], bounds: Bounds
) -> list[Cell]:
    low, high = int(segment.low), int(segment.high)
    if bounds[0] is not None:
        low = max(low, math.floor(bounds[0]) + 1)
    if bounds[1] is not None:
        high = min(high, math.floor(bounds[1]))
    if low > high:
        return []
    if segment.degree == 0:
        cuts = sorted({low, *(math.ceil(e) for e in edges if low < e <= high), high + 1})
        value = segment.coefficients[0]
        return [Cell(density * (b - a), Fraction(a), value) for a, b in itertools.pairwise(cuts)]
    if high - low + 1 > MAX_ENUMERATED:
        raise UnsupportedModelError(
            f"a polynomial piece over {high - low + 1} integers: population LOCO enumerates "
            f"at most {MAX_ENUMERATED} of them"
        )
    return [Cell(density, Fraction(x), _at(segment, Fraction(x))) for x in range(low, high + 1)]


def _at(segment: Segment, x: Fraction) -> Fraction:
    return sum((c * (x - segment.anchor) ** r for r, c in enumerate(segment.coefficients)),
               Fraction(0))  # fmt: skip


def _interval_cells(
    segment: Segment, density: Fraction, edges: list[Fraction], bounds: Bounds
) -> list[Cell]:
    low, high = segment.low, segment.high
    if bounds[0] is not None:
        low = max(low, bounds[0])
    if bounds[1] is not None:
        high = min(high, bounds[1])
    if low >= high:
        return []
    cuts = [low, *(e for e in edges if low < e < high), high]
    cells = []
    for a, b in itertools.pairwise(cuts):
        if segment.degree == 0:
            cells.append(Cell(density * (b - a), a, segment.coefficients[0]))
        else:
            cells.append(
                Cell(density * (b - a), a, None, segment.coefficients, segment.anchor, a, b)
            )
    return cells


# -- the sums ---------------------------------------------------------------------------------
def _pair_parts(
    gam: GAM, j: int, laws: Sequence[list[Cell]]
) -> list[tuple[int, NDArray[Any], list[Fraction], list[int]]]:
    """Per pair term reading j: (its index, its table with j's bins first, the partner's
    bin law, the bin of each of j's cells)."""
    parts = []
    seen = set()
    for t, pair in enumerate(gam.pairs):
        if j not in pair.features:
            continue
        axis = pair.features.index(j)
        k = pair.features[1 - axis]
        if k in seen:
            raise UnsupportedModelError(
                f"two pair terms over features {j} and {k}: merge them into one first"
            )
        seen.add(k)
        table = np.array([[Fraction(v) for v in row] for row in pair.values], dtype=object)
        if axis == 1:
            table = table.T
        law = [Fraction(0)] * table.shape[1]
        for b, cell in zip(_bins(pair, 1 - axis, gam, laws[k]), laws[k], strict=True):
            law[b] += cell.mass
        own = _bins(pair, axis, gam, laws[j])
        parts.append((t, table, law, own))
    return parts


def _bins(pair: Any, axis: int, gam: GAM, cells: list[Cell]) -> list[int]:
    """The bin of each cell's point on one axis of a pair term (bisection on the exact
    edges; values beyond them fall in the first or last bin)."""
    feature = gam.features[pair.features[axis]]
    edges = pair.edges[axis]
    if edges is None:
        return [pair.bin_of(axis, feature, cell.point) for cell in cells]
    cuts = [Fraction(e) for e in edges]
    last = len(cuts) - 2
    return [min(max(bisect.bisect_right(cuts, Fraction(cell.point)) - 1, 0), last)
            for cell in cells]  # fmt: skip


def _loco(gam: GAM, j: int, laws: Sequence[list[Cell]]) -> Fraction:
    cells = laws[j]
    mean = sum((c.moment(1) for c in cells), Fraction(0))
    mu = [Fraction(0)] * len(cells)
    var = [Fraction(0)] * len(cells)
    for _, table, law, own in _pair_parts(gam, j, laws):
        rows = table.shape[0]
        own_law = [Fraction(0)] * rows
        for c, a in zip(cells, own, strict=True):
            own_law[a] += c.mass
        h = [sum((own_law[a] * table[a, b] for a in range(rows)), Fraction(0))
             for b in range(table.shape[1])]  # fmt: skip
        # the pair part depends on the cell only through its bin: once per bin
        by_bin = {}
        for a in set(own):
            first = sum((q * (table[a, b] - h[b]) for b, q in enumerate(law) if q), Fraction(0))
            second = sum((q * (table[a, b] - h[b]) ** 2 for b, q in enumerate(law) if q),
                         Fraction(0))  # fmt: skip
            by_bin[a] = (first, second - first * first)
        for n, a in enumerate(own):
            mu[n] += by_bin[a][0]
            var[n] += by_bin[a][1]
    total = Fraction(0)
    for c, m, v in zip(cells, mu, var, strict=True):
        centred_sq = c.moment(2) - 2 * mean * c.moment(1) + mean * mean * c.mass
        centred = c.moment(1) - mean * c.mass
        total += centred_sq + 2 * centred * m + c.mass * (m * m + v)
    return total


def box_importances(
    gam: GAM, boxes: Sequence[Any]
) -> tuple[NDArray[np.float64], list[list[Fraction]]]:
    """Population LOCO (fidelity loss) of every feature in every box, exactly."""
    exact = []
    for box in boxes:
        deadline.check()
        laws = [feature_cells(gam, j, box.bounds[j]) for j in range(gam.n_features)]
        exact.append([_loco(gam, j, laws) for j in range(gam.n_features)])
    floats = np.array([[float(v) for v in row] for row in exact]).reshape(len(boxes), -1)
    return floats, exact


# -- global importances -----------------------------------------------------------------------
def _term_norm(kind: str, values: Sequence[tuple[Fraction, Fraction]]) -> Fraction:
    """L1, squared L2 or range of a finitely supported term: (probability, value) pairs."""
    mean = sum((p * v for p, v in values), Fraction(0))
    if kind == "l2":
        return sum((p * (v - mean) ** 2 for p, v in values), Fraction(0))
    if kind == "l1":
        return sum((p * abs(v - mean) for p, v in values), Fraction(0))
    kept = [v for p, v in values if p]
    return max(kept) - min(kept)


def _main_norm(kind: str, cells: list[Cell]) -> Fraction:
    if all(c.value is not None for c in cells):
        return _term_norm(kind, [(c.mass, c.value) for c in cells])  # type: ignore[misc]
    if kind == "l2":
        mean = sum((c.moment(1) for c in cells), Fraction(0))
        return sum((c.moment(2) for c in cells), Fraction(0)) - mean * mean
    raise UnsupportedModelError(
        f"the {kind!r} importance of a polynomial piece on a real interval needs its roots "
        "or extremes, which may be irrational; use kind='l2' or 'loco'"
    )


def _pair_norm(kind: str, gam: GAM, t: int, laws: Sequence[list[Cell]]) -> Fraction:
    pair = gam.pairs[t]
    marginals = []
    for axis, i in enumerate(pair.features):
        law = [Fraction(0)] * pair.shape[axis]
        for b, cell in zip(_bins(pair, axis, gam, laws[i]), laws[i], strict=True):
            law[b] += cell.mass
        marginals.append(law)
    values = [(p * q, Fraction(pair.values[a][b]))
              for a, p in enumerate(marginals[0]) for b, q in enumerate(marginals[1])]  # fmt: skip
    return _term_norm(kind, values)


def global_importances(gam: GAM, kind: str) -> list[Fraction]:
    """Every feature's importance of ``kind`` under the model's marginals, exactly."""
    laws = [feature_cells(gam, j) for j in range(gam.n_features)]
    if kind == "loco":
        return [_loco(gam, j, laws) for j in range(gam.n_features)]
    out = [_main_norm(kind, laws[j]) for j in range(gam.n_features)]
    for t, pair in enumerate(gam.pairs):
        deadline.check()
        norm = _pair_norm(kind, gam, t, laws)
        for i in pair.features:
            out[i] += norm
    return out


def _applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


def _importance_cells(gam: GAM, problem: Any, *, time_limit: float | None = None) -> Any:
    return global_importances(gam, problem["kind"])


def _population_cells(gam: GAM, problem: Any, *, time_limit: float | None = None) -> Any:
    return box_importances(gam, problem["boxes"])


register_algorithm(
    "importance",
    "cells",
    summary="exact moments over the cells of each domain (pieces cut at the pair bins' "
    "edges); polynomial",
    theorem="thm:regional-population",
    priority=10,
    applies=_applies,
)(_importance_cells)
register_algorithm(
    "regional-population",
    "cells",
    summary="the cells of each box under the model's truncated law; exact moments; polynomial",
    theorem="thm:regional-population",
    priority=10,
    applies=_applies,
)(_population_cells)
