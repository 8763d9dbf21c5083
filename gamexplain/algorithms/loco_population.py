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
import sympy
from numpy.typing import NDArray

from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import is_point_domain, point_probabilities, segment_probabilities
from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.exact import Exact, compare, polyval, to_sympy
from gamexplain.model.domains import Finite
from gamexplain.model.gam import GAM
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Segment, lower, segment_measure
from gamexplain.substrate.polynomials import critical_points, simplify

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
        rows, cols = table.shape
        own_law = [Fraction(0)] * rows
        for c, a in zip(cells, own, strict=True):
            own_law[a] += c.mass
        # in integers over one denominator: the table's (t_den), each law's (p_den, q_den)
        ints, t_den = _over_one([v for row in table for v in row])
        grid = [ints[a * cols : (a + 1) * cols] for a in range(rows)]
        p_num, p_den = _over_one(own_law)
        q_num, q_den = _over_one(law)
        kept = [b for b in range(cols) if q_num[b]]
        # E_{X_j} g(X_j, b) = h[b] / (p_den·t_den)
        h = {b: sum(p * grid[a][b] for a, p in enumerate(p_num) if p) for b in kept}
        scale = p_den * t_den
        # the pair part depends on the cell only through its bin: once per bin
        by_bin = {}
        for a in set(own):
            diff = [(q_num[b], grid[a][b] * p_den - h[b]) for b in kept]
            first = Fraction(sum(q * d for q, d in diff), q_den * scale)
            second = Fraction(sum(q * d * d for q, d in diff), q_den * scale * scale)
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


def _over_one(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """Rationals as integers over their least common denominator."""
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return [v.numerator * (den // v.denominator) for v in values], den


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


def _main_norm(kind: str, cells: list[Cell]) -> Bracket:
    """A main term's importance as (low, high, exact value or None): the value itself
    when it is known exactly (rational, or algebraic for a range), else certified
    rational bounds (an L1 norm whose polynomial has irrational roots)."""
    if all(c.value is not None for c in cells):
        value = _term_norm(kind, [(c.mass, c.value) for c in cells])  # type: ignore[misc]
        return value, value, value
    if kind == "l2":
        mean = sum((c.moment(1) for c in cells), Fraction(0))
        value = sum((c.moment(2) for c in cells), Fraction(0)) - mean * mean
        return value, value, value
    if kind == "range":
        top, bottom = _extremes(cells)
        if isinstance(top, Fraction) and isinstance(bottom, Fraction):
            return top - bottom, top - bottom, top - bottom
        spread = simplify(to_sympy(top) - to_sympy(bottom))
        return spread, spread, spread
    mean = sum((c.moment(1) for c in cells), Fraction(0))
    low = high = Fraction(0)
    exact = True
    for c in cells:
        if c.value is not None:
            part = c.mass * abs(c.value - mean)
            low, high = low + part, high + part
            continue
        a, b, known = _l1_part(c, mean)
        low, high, exact = low + a, high + b, exact and known
    return low, high, (low if exact else None)


#: Certified bounds of an irrational L1 norm are narrower than this times max(1, |value|).
L1_WIDTH = Fraction(1, 2**40)

Bracket = tuple[Any, Any, Any]


def _extremes(cells: list[Cell]) -> tuple[Exact, Exact]:
    """The supremum and infimum of the term over the cells' closures: constant values,
    and each polynomial at its part's ends and at its derivative's real roots inside
    (exact surds for a cubic)."""
    candidates: list[Exact] = []
    for c in cells:
        if c.value is not None:
            candidates.append(c.value)
            continue
        points: list[Exact] = [c.low - c.anchor, c.high - c.anchor]
        for t in critical_points(c.poly):
            if compare(t, c.low - c.anchor) > 0 and compare(t, c.high - c.anchor) < 0:
                points.append(t)
        candidates += [simplify(polyval(c.poly, t)) for t in points]
    top = bottom = candidates[0]
    for v in candidates[1:]:
        if compare(v, top) > 0:
            top = v
        if compare(v, bottom) < 0:
            bottom = v
    return top, bottom


def _l1_part(cell: Cell, mean: Fraction) -> tuple[Fraction, Fraction, bool]:
    """Bounds on mass·E[|a − mean| | cell] for a polynomial cell, and whether they are
    exact: the integral of |q| on [0, w] (q the polynomial minus the mean, in u = x − low)
    is Σ ±(F(r_{i+1}) − F(r_i)) over the gaps between its real roots r_i, F = ∫q; each
    root is isolated in a rational interval [s, t] (sympy's exact isolation), where
    F(r) lies within F(s) ± M·(t − s) for M ≥ |q| on [s, t]; intervals shrink until the
    bounds are narrower than ``L1_WIDTH``."""
    q = list(_shift(cell.poly, cell.low - cell.anchor))
    q[0] -= mean
    width = cell.high - cell.low
    scale = cell.mass / width
    u = sympy.Symbol("u", real=True)
    poly = sympy.Poly([to_sympy(c) for c in reversed(q)], u)
    if poly.is_zero:
        return Fraction(0), Fraction(0), True
    eps = width / 2**20
    while True:
        deadline.check()
        raw = poly.intervals(inf=to_sympy(Fraction(0)), sup=to_sympy(width), eps=to_sympy(eps))
        roots = sorted((Fraction(str(a)), Fraction(str(b))) for (a, b), _ in raw)
        if all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(roots)):
            low, high = _gaps(q, roots, width)
            exact = all(a == b for a, b in roots)
            if exact or (high - low) * scale <= L1_WIDTH * max(Fraction(1), abs(low * scale)) / 64:
                return low * scale, high * scale, exact
        eps /= 2**20


def _antiderivative(q: Sequence[Fraction], x: Fraction) -> Fraction:
    return sum((c * x ** (k + 1) / (k + 1) for k, c in enumerate(q)), Fraction(0))


def _gaps(
    q: Sequence[Fraction], roots: list[tuple[Fraction, Fraction]], width: Fraction
) -> tuple[Fraction, Fraction]:
    """Bounds on ∫_0^w |q| from isolating intervals of q's roots in [0, w]."""
    ends: list[tuple[Fraction, Fraction]] = [(Fraction(0), Fraction(0))]
    ends += [r for r in roots if not (r[1] <= 0 or r[0] >= width)]
    ends.append((width, width))
    values = []
    for s, t in ends:
        f = _antiderivative(q, s)
        bound = sum((abs(c) * max(abs(s), abs(t)) ** k for k, c in enumerate(q)), Fraction(0))
        values.append((f - bound * (t - s), f + bound * (t - s)))
    low = high = Fraction(0)
    for k in range(len(ends) - 1):
        left, right = ends[k][1], ends[k + 1][0]
        if right <= left:
            continue  # a root at an end of the part
        middle = (left + right) / 2
        sign = 1 if sum((c * middle**r for r, c in enumerate(q)), Fraction(0)) > 0 else -1
        (a_lo, a_hi), (b_lo, b_hi) = values[k], values[k + 1]
        if sign > 0:
            low, high = low + b_lo - a_hi, high + b_hi - a_lo
        else:
            low, high = low + a_lo - b_hi, high + a_hi - b_lo
    return max(low, Fraction(0)), high


def _shift(poly: Sequence[Fraction], by: Fraction) -> tuple[Fraction, ...]:
    """Coefficients of t ↦ p(t + by)."""
    out = [Fraction(0)] * len(poly)
    for r, c in enumerate(poly):
        for k in range(r + 1):
            out[k] += c * math.comb(r, k) * by ** (r - k)
    return tuple(out)


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


def global_importances(gam: GAM, kind: str) -> list[Bracket]:
    """Every feature's importance of ``kind`` under the model's marginals: per feature
    (low, high, exact value or None), low = high = the value when it is exact."""
    laws = [feature_cells(gam, j) for j in range(gam.n_features)]
    if kind == "loco":
        return [(v, v, v) for v in (_loco(gam, j, laws) for j in range(gam.n_features))]
    out = [list(_main_norm(kind, laws[j])) for j in range(gam.n_features)]
    for t, pair in enumerate(gam.pairs):
        deadline.check()
        norm = _pair_norm(kind, gam, t, laws)
        for i in pair.features:
            low, high, value = out[i]
            exact = None if value is None else _add(value, norm)
            out[i] = [_add(low, norm), _add(high, norm), exact]
    return [(a, b, c) for a, b, c in out]


def _add(value: Exact, rational: Fraction) -> Exact:
    if isinstance(value, Fraction):
        return value + rational
    return simplify(to_sympy(value) + to_sympy(rational))


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
