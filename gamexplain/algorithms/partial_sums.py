"""Dynamic programming over partial sums: completion counting, SHAP and Banzhaf of the label.

The label of an additive classifier depends on the features only through the sum of
their contributions, so every expectation these queries need is a tail probability of a
sum of independent discrete variables. The sum's law is built one feature at a time.

* **Exact mode.** The states are the distinct exact sums (rationals) with integer
  weights (probability numerators over a common denominator). Exact while the number of
  states stays within ``max_states``.
* **Scaled mode.** Every contribution is rounded to a multiple of a scale Δ, down in one
  run and up in another. The label is monotone in the score, so the two runs bound every
  expectation from below and above: a certified interval. The scale is refined until the
  bounds meet (then the answer is exact) or the budget runs out.
* **Continuous contributions** (non-constant pieces on intervals or on wide integer
  ranges) are replaced by two step laws, one below and one above the contribution: each
  piece is split into cells, every cell keeps its exact probability and takes a lower or
  an upper bound of the polynomial on the cell (its Bernstein coefficients). Refining
  the scale refines the cells too.
"""

from __future__ import annotations

import bisect
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import (
    is_point_domain,
    point_probabilities,
    segment_probabilities,
)
from gamexplain.exact import polyval
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.task import Classification
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import value_at
from gamexplain.substrate.scaling import common_denominator, round_outward

__all__ = [
    "DEFAULT_MAX_STATES",
    "Atoms",
    "Estimate",
    "PartialSumCertificate",
    "feature_atoms",
    "label_attributions",
    "partial_sums_applies",
    "partial_sums_completion",
]

DEFAULT_MAX_STATES = 200_000
"""Default bound on the states of one dynamic-programming table."""

ENUMERATE_LIMIT = 64
"""Integer pieces with at most this many points are enumerated exactly."""

WORK_FACTOR = 50
"""A run stops once its tables made this many times ``max_states`` updates (a few
seconds by default): each round costs about four times the last, so without a cap
continuous features, whose bounds never meet, would refine for minutes."""

EXACT_ONLY_FACTOR = 2
"""With ``exact_only`` (another algorithm follows), the scaled rounds stop after this
many times ``max_states`` table updates, the exact attempt's included."""

_INITIAL_CELLS = 4
_INITIAL_BUCKETS = 64


@dataclass(frozen=True)
class Estimate:
    """What an attribution or counting algorithm found: exact values or certified bounds.

    ``lower[i] ≤ true value ≤ upper[i]`` always; equal bounds are the exact value. The
    base value v(∅) is bounded the same way (None for completion counting).
    """

    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction | None
    base_upper: Fraction | None
    status: str = "solved"
    certificate: Any = None
    work: int = 0

    @classmethod
    def exactly(
        cls,
        values: tuple[Fraction, ...],
        base: Fraction | None,
        *,
        certificate: Any = None,
        work: int = 0,
    ) -> Estimate:
        return cls(values, values, base, base, "solved", certificate, work)

    @property
    def exact(self) -> bool:
        return self.lower == self.upper and self.base_lower == self.base_upper


Cell = tuple[Any, Any, Fraction, Fraction, Fraction]
"""(left, right, low, high, probability): on the values [left, right] of the feature
(a finite domain's value: left = right = it) the contribution lies in [low, high]; the
cell holds that exact probability. Exact cells have low = high."""


@dataclass(frozen=True)
class PartialSumCertificate:
    """How the dynamic program ran.

    Attributes
    ----------
    mode : {"exact", "scaled"}
        Distinct exact sums, or integer-scaled sums with outward rounding.
    scale : Fraction or None
        Δ of the last completed scaled round.
    cells : int or None
        Cells per continuous piece in the last completed round (None: no envelopes).
    rounds : int
        Completed rounds (exact attempt included).
    largest_table : int
        The most states any table of the last completed round held.
    laws : tuple or None
        Per feature, the cells (see :data:`Cell`) the last completed round used (None
        for a feature kept fixed); None when no round completed (the bounds are then
        the trivial ones).
    linear : int or None
        In exact mode, the one continuous feature whose contribution is linear on each
        of its cells and is integrated exactly instead of tabulated.
    """

    mode: str
    scale: Fraction | None
    cells: int | None
    rounds: int
    largest_table: int
    laws: tuple[tuple[Cell, ...] | None, ...] | None = None
    linear: int | None = None


# -- discretised marginals -----------------------------------------------------------------
@dataclass(frozen=True)
class Atoms:
    """A contribution's law bracketed by two discrete laws ``low`` ≤ A ≤ ``high``.

    Each law is a sorted tuple of (value, integer mass); masses sum to ``total``. Equal
    laws mean the contribution is itself discrete and represented exactly.
    """

    low: tuple[tuple[Fraction, int], ...]
    high: tuple[tuple[Fraction, int], ...]
    total: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


def feature_cells(feature: Feature, cells: int) -> tuple[Cell, ...]:
    """The cells of β_i·f_i(X_i) with ``cells`` cells per continuous piece.

    Zero-probability values are left out. These are the laws a certificate carries.
    """
    return _feature_cells(feature, cells)


@lru_cache(maxsize=4096)
def _feature_cells(feature: Feature, cells: int) -> tuple[Cell, ...]:
    pieces = lower(feature)
    if isinstance(pieces[0], Point):
        return tuple(
            (p.value, p.value, p.contribution, p.contribution, prob)
            for p, (_, prob) in zip(pieces, point_probabilities(feature), strict=True)
            if prob
        )
    point_domain = is_point_domain(feature)
    out: list[Cell] = []
    for segment, mass in zip(pieces, segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        if mass:
            out += _segment_cells(segment, mass, cells, point_domain)
    return tuple(out)


def feature_atoms(feature: Feature, cells: int) -> Atoms:
    """The discrete laws of β_i·f_i(X_i), with ``cells`` cells per continuous piece.

    Notes
    -----
    O(p·cells) for p pieces; finite domains and integer pieces of at most
    ``ENUMERATE_LIMIT`` points are exact, and so are constant pieces.
    """
    return _feature_atoms(feature, cells)


@lru_cache(maxsize=4096)
def _feature_atoms(feature: Feature, cells: int) -> Atoms:
    found = _feature_cells(feature, cells)
    return _as_atoms([(c[2], c[4]) for c in found], [(c[3], c[4]) for c in found])


def _segment_cells(segment: Segment, mass: Fraction, cells: int, point_domain: bool) -> list[Cell]:
    poly, anchor, low, high = segment.coefficients, segment.anchor, segment.low, segment.high
    if point_domain:
        value = Fraction(polyval(poly, low - anchor))
        return [(low, low, value, value, mass)]
    if segment.degree == 0:
        return [(low, high, poly[0], poly[0], mass)]
    if segment.integers and high - low < ENUMERATE_LIMIT:
        share = mass / (int(high - low) + 1)
        values = ((v, Fraction(polyval(poly, v - anchor))) for v in range(int(low), int(high) + 1))
        return [(Fraction(v), Fraction(v), a, a, share) for v, a in values]
    out: list[Cell] = []
    for left, right, share in _cells(segment, cells):
        bounds = _bernstein(poly, left - anchor, right - left)
        out.append((left, right, min(bounds), max(bounds), mass * share))
    return out


def _cells(segment: Segment, cells: int) -> list[tuple[Fraction, Fraction, Fraction]]:
    """(left, right, share of the segment's mass) of each cell, covering the segment."""
    low, high = segment.low, segment.high
    if not segment.integers:
        width = (high - low) / cells
        return [(low + k * width, low + (k + 1) * width, Fraction(1, cells)) for k in range(cells)]
    count = int(high - low) + 1
    starts = sorted({int(low) + count * k // cells for k in range(cells)} | {int(high) + 1})
    return [
        (Fraction(a), Fraction(b - 1), Fraction(b - a, count))
        for a, b in itertools.pairwise(starts)
    ]


def _bernstein(poly: tuple[Fraction, ...], start: Fraction, width: Fraction) -> list[Fraction]:
    """Bernstein coefficients of t ↦ Σ c_r·t^r on [start, start + width].

    The polynomial lies in the convex hull of its Bernstein coefficients, so their min
    and max bound it on the cell; the first and last are its values at the ends.
    """
    degree = len(poly) - 1
    power = [Fraction(0)] * (degree + 1)  # coefficients in τ of p(start + width·τ)
    for r, c in enumerate(poly):
        for s in range(r + 1):
            power[s] += c * math.comb(r, s) * start ** (r - s) * width**s
    return [
        sum(
            (Fraction(math.comb(k, s), math.comb(degree, s)) * power[s] for s in range(k + 1)),
            Fraction(0),
        )
        for k in range(degree + 1)
    ]


def _as_atoms(low: list[tuple[Fraction, Fraction]], high: list[tuple[Fraction, Fraction]]) -> Atoms:
    denominator = common_denominator(m for _, m in low + high)
    return Atoms(_merged(low, denominator), _merged(high, denominator), denominator)


def _merged(
    law: Sequence[tuple[Fraction, Fraction]], denominator: int
) -> tuple[tuple[Fraction, int], ...]:
    masses: dict[Fraction, int] = defaultdict(int)
    for value, mass in law:
        masses[value] += int(mass * denominator)
    return tuple(sorted((v, m) for v, m in masses.items() if m))


# -- the dynamic program -----------------------------------------------------------------
class _Budget:
    """States, table updates and wall time a run may spend; counts what it spent."""

    def __init__(self, max_states: int, time_limit: float | None) -> None:
        self.max_states = max_states
        self.deadline = None if time_limit is None else time.monotonic() + time_limit
        self.max_updates = WORK_FACTOR * max_states
        self.work = 0
        self.updates = 0
        self.largest = 0

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def spent(self) -> bool:
        """Whether the run is out of time or of table updates."""
        return self.updates > self.max_updates or self.out_of_time()


@dataclass(frozen=True)
class _Layer:
    """One feature in a dynamic program: its (rounded) fixed value and law."""

    fixed: Any
    law: tuple[tuple[Any, int], ...]
    total: int


def _exact_unit(gam: GAM, contributions: Sequence[Fraction]) -> Fraction:
    """A unit every exact contribution is a whole multiple of: sums become integers
    (floats are dyadic, so the unit is 2^-k and the integers stay moderate)."""
    values = [v for a in _all_atoms(gam, 1) for v, _ in a.low + a.high]
    return Fraction(1, common_denominator([*values, *contributions]))


def _layer(atoms: Atoms, fixed: Fraction, scale: Fraction, up: bool) -> _Layer:
    law: dict[Any, int] = defaultdict(int)
    for value, mass in atoms.high if up else atoms.low:
        law[round_outward(value, scale, up)] += mass
    return _Layer(round_outward(fixed, scale, up), tuple(law.items()), atoms.total)


def _table(layers: Sequence[_Layer], by_size: bool, budget: _Budget) -> list[dict[Any, int]] | None:
    """D[k][s]: the weight of sum s over coalitions of k fixed features (k = 0 only when
    not ``by_size``). None when the table outgrows the budget."""
    table: list[dict[Any, int]] = [{0: 1}]
    for layer in layers:
        grown: list[dict[Any, int]] = [defaultdict(int) for _ in range(len(table) + by_size)]
        for k, row in enumerate(table):
            budget.updates += len(row) * (len(layer.law) + by_size)
            if budget.spent():
                return None
            for count, (s, w) in enumerate(row.items()):
                # a layer of a large table takes seconds: stop inside it once it
                # outgrows the budget or the time is up
                if count % 1024 == 1023 and (
                    len(grown[k]) > budget.max_states or budget.out_of_time()
                ):
                    return None
                for a, m in layer.law:
                    grown[k][s + a] += w * m
                if by_size:
                    grown[k + 1][s + layer.fixed] += w * layer.total
        table = [dict(row) for row in grown]
        states = sum(len(row) for row in table)
        budget.work += states
        budget.largest = max(budget.largest, states)
        if states > budget.max_states or budget.out_of_time():
            return None
    return table


# -- tail probabilities ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Event:
    """{score ≥ level} (or > level when ``strict``)."""

    level: Fraction
    strict: bool


def _positive(gam: GAM) -> _Event:
    task = gam.task
    assert isinstance(task, Classification)
    return _Event(Fraction(task.threshold), task.positive == ">")


def _threshold(offset: Fraction, unit: Fraction, event: _Event) -> int:
    """The least integer s with offset + s·unit in the event."""
    q = (event.level - offset) / unit
    return math.floor(q) + 1 if event.strict else math.ceil(q)


class _Sorted:
    """A table row (integer sum → weight) sorted, with suffix sums of w and w·s: each
    tail probability then costs one bisection."""

    def __init__(self, row: Mapping[int, int]) -> None:
        self.keys = sorted(row)
        self.weight = [0] * (len(self.keys) + 1)
        self.moment = [0] * (len(self.keys) + 1)
        for k in range(len(self.keys) - 1, -1, -1):
            s = self.keys[k]
            self.weight[k] = self.weight[k + 1] + row[s]
            self.moment[k] = self.moment[k + 1] + row[s] * s

    def tail(self, offset: Fraction, unit: Fraction, event: _Event) -> int:
        """The weight of the sums s with offset + s·unit in the event."""
        return self.weight[bisect.bisect_left(self.keys, _threshold(offset, unit, event))]

    def linear(
        self,
        offset: Fraction,
        unit: Fraction,
        pieces: Sequence[tuple[Fraction, Fraction, Fraction]],
        event: _Event,
    ) -> Fraction:
        """Σ_s w_s·P(offset + s·unit + A in event), A linear on each piece.

        On a piece A is uniform on [lo, hi]: a sum s gets the share (hi − d)/(hi − lo) of
        it, clipped to [0, 1], with d = level − offset − s·unit, linear in s in between.
        """
        total = Fraction(0)
        for left, right, mass in pieces:
            lo, hi = min(left, right), max(left, right)
            if lo == hi:
                total += mass * self.tail(offset + lo, unit, event)
                continue
            gap = event.level - offset
            full = bisect.bisect_left(self.keys, (gap - lo) / unit)
            none = bisect.bisect_right(self.keys, (gap - hi) / unit)
            weight = self.weight[none] - self.weight[full]
            moment = self.moment[none] - self.moment[full]
            middle = ((hi - gap) * weight + unit * moment) / (hi - lo)
            total += mass * (self.weight[full] + middle)
        return total


# -- rounds ----------------------------------------------------------------------------------
Bounds = tuple[list[Fraction], list[Fraction]]


def _refine(
    gam: GAM,
    evaluate: Callable[[Fraction | None, int, _Budget], Bounds | None],
    plan: tuple[bool, int | None],
    free: Sequence[int],
    span: Fraction,
    size_factor: int,
    budget: _Budget,
    trivial: Bounds,
    exact_only: bool = False,
) -> tuple[Bounds, str, PartialSumCertificate]:
    """Run the exact program if it fits, else scaled rounds until the bounds meet (with
    ``exact_only``, only as many rounds as ``EXACT_ONLY_FACTOR`` allows)."""
    rounds = 0
    exact_first, linear = plan
    if exact_first:
        found = evaluate(None, 1, budget)
        if found is not None:
            laws = _laws(gam, free, 1)
            return (
                found,
                "solved",
                PartialSumCertificate("exact", None, None, 1, budget.largest, laws, linear),
            )
        rounds = 1
    if exact_only:
        # scaled rounds only while they are cheap: they can still meet exactly on small
        # models with dyadic contributions, and the next algorithm brackets the rest
        budget.max_updates = min(budget.max_updates, EXACT_ONLY_FACTOR * budget.max_states)
    # a power of two: floats are dyadic, so a fine enough scale represents every
    # contribution exactly and the bounds can meet
    buckets = min(_INITIAL_BUCKETS, max(budget.max_states // size_factor, 1))
    scale = Fraction(2) ** math.floor(math.log2(span / buckets)) if span else Fraction(1)
    cells = _INITIAL_CELLS
    # with envelopes, finer cells pay off only with a scale that shrinks as fast
    shrink = 4 if exact_first else 2
    best: tuple[Bounds, PartialSumCertificate] | None = None
    while not budget.spent() and _atoms_within(gam, cells, budget):
        budget.largest = 0
        found = evaluate(scale, cells, budget)
        if found is None:
            break
        rounds += 1
        laws = _laws(gam, free, cells)
        best = found, PartialSumCertificate("scaled", scale, cells, rounds, budget.largest, laws)
        if found[0] == found[1]:
            return found, "solved", best[1]
        scale, cells = scale / shrink, cells * 2
    status = "time_limit" if budget.out_of_time() else "budget_exhausted"
    if best is None:
        return trivial, status, PartialSumCertificate("scaled", None, None, rounds, 0)
    return best[0], status, best[1]


def _laws(gam: GAM, free: Sequence[int], cells: int) -> tuple[tuple[Cell, ...] | None, ...]:
    """The cells of the features a run drew at random (None for the fixed ones)."""
    wanted = set(free)
    return tuple(
        feature_cells(f, cells) if j in wanted else None for j, f in enumerate(gam.features)
    )


def _plan(gam: GAM, free: Sequence[int]) -> tuple[bool, int | None]:
    """Whether an exact run can be tried, and the one linear continuous feature it
    integrates exactly (None: every free feature is discrete)."""
    atoms = _all_atoms(gam, 1)
    continuous = [j for j in free if not atoms[j].exact]
    if not continuous:
        return True, None
    if len(continuous) == 1 and _is_linear(gam.features[continuous[0]]):
        return True, continuous[0]
    return False, None


def _is_linear(feature: Feature) -> bool:
    """A real interval on which every piece of the contribution has degree ≤ 1."""
    pieces = lower(feature)
    return not isinstance(pieces[0], Point) and all(
        isinstance(s, Segment) and not s.integers and s.degree <= 1 for s in pieces
    )


def _linear_pieces(feature: Feature) -> list[tuple[Fraction, Fraction, Fraction]]:
    """(value at the left end, value at the right end, probability) per piece."""
    out = []
    for segment, mass in zip(lower(feature), segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        if mass:
            ends = (
                value_at(segment, e)
                for e in (segment.low, segment.high)
            )
            left, right = (Fraction(v) for v in ends)
            out.append((left, right, mass))
    return out


def _span(atoms: Sequence[Atoms], fixed: Sequence[Fraction]) -> Fraction:
    return sum(
        (max(a.high[-1][0], c) - min(a.low[0][0], c) for a, c in zip(atoms, fixed, strict=True)),
        Fraction(0),
    )


def _all_atoms(gam: GAM, cells: int) -> list[Atoms]:
    return [feature_atoms(f, cells) for f in gam.features]


def _atoms_within(gam: GAM, cells: int, budget: _Budget) -> bool:
    """Whether the laws at ``cells`` cells per piece fit the budget (bounded by the
    one-cell laws before any is built: a piece never splits into more than ``cells``)."""
    return 2 * cells * sum(len(feature_cells(f, 1)) for f in gam.features) <= budget.max_states


# -- SHAP and Banzhaf of the label ------------------------------------------------------------
def _weights(kind: str, n: int) -> list[Fraction]:
    if kind == "banzhaf":
        return [Fraction(1, 2 ** (n - 1))] * n
    return [
        Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n)) for k in range(n)
    ]


def _attribution_bounds(
    gam: GAM,
    contributions: list[Fraction],
    i: int,
    kind: str,
    scale: Fraction | None,
    cells: int,
    budget: _Budget,
) -> tuple[Fraction, Fraction] | None:
    """Bounds on φ_i = Σ_k w_k Σ_s D[k][s]·(h(β0 + s + c_i) − E h(β0 + s + A_i))."""
    atoms = _all_atoms(gam, cells)
    others = [j for j in range(gam.n_features) if j != i]
    unit = scale if scale is not None else _exact_unit(gam, contributions)
    tables = []
    for up in (False, True):
        layers = [_layer(atoms[j], contributions[j], unit, up) for j in others]
        table = _table(layers, True, budget)
        if table is None:
            return None
        tables.append([_Sorted(row) for row in table])
        if scale is None and all(atoms[j].exact for j in others):
            tables.append(tables[0])
            break
    denominator = math.prod(atoms[j].total for j in others)
    weights = _weights(kind, gam.n_features)
    event, base, c_i, total_i = (
        _positive(gam),
        Fraction(gam.intercept),
        contributions[i],
        atoms[i].total,
    )

    def fixed_term(table: list[_Sorted]) -> Fraction:
        """Σ_k w_k·P(β0 + s + c_i is class 1): feature i joins the coalition."""
        weight = sum(
            (w * row.tail(base + c_i, unit, event) for w, row in zip(weights, table, strict=True)),
            Fraction(0),
        )
        return weight / denominator

    def free_term(table: list[_Sorted], law: tuple[tuple[Fraction, int], ...]) -> Fraction:
        """Σ_k w_k·P(β0 + s + A_i is class 1): feature i stays random."""
        weight = sum(
            (
                w * sum(m * row.tail(base + a, unit, event) for a, m in law)
                for w, row in zip(weights, table, strict=True)
            ),
            Fraction(0),
        )
        return weight / (denominator * total_i)

    # the label is nondecreasing in every contribution: sums rounded down (low laws)
    # can only lose class 1, sums rounded up (high laws) only gain it
    low_table, high_table = tables
    low = fixed_term(low_table) - free_term(high_table, atoms[i].high)
    high = fixed_term(high_table) - free_term(low_table, atoms[i].low)
    return low, high


def _base_bounds(
    gam: GAM, contributions: list[Fraction], scale: Fraction | None, cells: int, budget: _Budget
) -> tuple[Fraction, Fraction] | None:
    """Bounds on v(∅) = P(β0 + Σ A_j is class 1)."""
    found = _sum_tails(gam, contributions, range(gam.n_features), scale, cells, budget)
    if found is None:
        return None
    (low_row, high_row), denominator, unit = found
    event, base = _positive(gam), Fraction(gam.intercept)
    return (
        Fraction(low_row.tail(base, unit, event), denominator),
        Fraction(high_row.tail(base, unit, event), denominator),
    )


def _sum_tails(
    gam: GAM,
    contributions: list[Fraction],
    free: Sequence[int],
    scale: Fraction | None,
    cells: int,
    budget: _Budget,
) -> tuple[tuple[_Sorted, _Sorted], int, Fraction] | None:
    """The laws of Σ_{j free} A_j rounded down and up (one table when exact), and the
    unit of their integer sums."""
    atoms = _all_atoms(gam, cells)
    unit = scale if scale is not None else _exact_unit(gam, contributions)
    rows = []
    for up in (False, True):
        layers = [_layer(atoms[j], contributions[j], unit, up) for j in free]
        table = _table(layers, False, budget)
        if table is None:
            return None
        rows.append(_Sorted(table[0]))
        if scale is None and all(atoms[j].exact for j in free):
            rows.append(rows[0])
            break
    denominator = math.prod(atoms[j].total for j in free)
    return (rows[0], rows[1]), denominator, unit


def partial_sums_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for additive models; the dynamic program cannot see pair terms."""
    if not gam.is_additive:
        return "dynamic programming over partial sums needs an additive model (it has pair terms)"
    return None


def label_attributions(
    gam: GAM,
    x: tuple[Any, ...],
    *,
    kind: str,
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    exact_only: bool = False,
    **options: Any,
) -> Estimate:
    """Shapley or Banzhaf values of the label (class 1) by dynamic programming.

    Exact over distinct sums when every table fits in ``max_states``; otherwise scaled
    rounds give certified bounds, refined until they meet or the budget runs out (with
    ``exact_only``, as when ``method="auto"`` has a fallback after it, a much smaller
    budget of updates: the fallback brackets what is left).

    Notes
    -----
    One table per feature over the n − 1 others with state (k, s): O(n²·S·a) for S
    distinct sums and a values per feature; scaled, S ≤ n·(span/Δ + n). Theorems
    ``thm:shap-label-dp`` (exact) and ``thm:label-bounds`` (bounds).
    """
    contributions = [
        Fraction(f.contribution_exact(v)) for f, v in zip(gam.features, x, strict=True)
    ]
    budget = _Budget(max_states, time_limit)
    n = gam.n_features
    plan = _plan(gam, range(n))

    def evaluate(scale: Fraction | None, cells: int, budget: _Budget) -> Bounds | None:
        if scale is None and plan[1] is not None:
            return _linear_attributions(gam, contributions, plan[1], kind, budget)
        low, high = [], []
        for i in range(n):
            found = _attribution_bounds(gam, contributions, i, kind, scale, cells, budget)
            if found is None:
                return None
            low.append(found[0])
            high.append(found[1])
        base = _base_bounds(gam, contributions, scale, cells, budget)
        if base is None:
            return None
        return [*low, base[0]], [*high, base[1]]

    atoms = _all_atoms(gam, 1)
    trivial = ([Fraction(-1)] * n + [Fraction(0)], [Fraction(1)] * (n + 1))
    (low, high), status, certificate = _refine(
        gam,
        evaluate,
        plan,
        range(n),
        _span(atoms, contributions),
        (n + 1) ** 2,
        budget,
        trivial,
        exact_only,
    )
    return Estimate(
        tuple(low[:n]), tuple(high[:n]), low[n], high[n], status, certificate, budget.work
    )


def _linear_attributions(
    gam: GAM, contributions: list[Fraction], c: int, kind: str, budget: _Budget
) -> Bounds | None:
    """Exact values and v(∅) when every feature but ``c`` is discrete and ``c`` is linear
    on each piece: feature c is either in the coalition (its value c_c) or integrated
    exactly over its pieces (:meth:`_Sorted.linear`)."""
    values = []
    for i in range(gam.n_features):
        found = _linear_attribution(gam, contributions, i, c, kind, budget)
        if found is None:
            return None
        values.append(found)
    others = [j for j in range(gam.n_features) if j != c]
    found_base = _sum_tails(gam, contributions, others, None, 1, budget)
    if found_base is None:
        return None
    (row, _), denominator, unit = found_base
    pieces, beta0 = _linear_pieces(gam.features[c]), Fraction(gam.intercept)
    base = row.linear(beta0, unit, pieces, _positive(gam)) / denominator
    exact = [*values, base]
    return exact, list(exact)


def _linear_attribution(
    gam: GAM, contributions: list[Fraction], i: int, c: int, kind: str, budget: _Budget
) -> Fraction | None:
    """φ_i = Σ_k Σ_s D[k][s]·(gain with c fixed, weight w_(k+1); gain with c free, w_k)."""
    atoms = _all_atoms(gam, 1)
    others = [j for j in range(gam.n_features) if j not in (i, c)]
    unit = _exact_unit(gam, contributions)
    layers = [_layer(atoms[j], contributions[j], unit, False) for j in others]
    table = _table(layers, True, budget)
    if table is None:
        return None
    weights = [*_weights(kind, gam.n_features), Fraction(0)]
    pieces, event = _linear_pieces(gam.features[c]), _positive(gam)
    beta0, c_c, c_i = Fraction(gam.intercept), contributions[c], contributions[i]
    total = Fraction(0)
    for k, plain in enumerate(table):
        row = _Sorted(plain)
        if i == c:
            total += weights[k] * (
                row.tail(beta0 + c_c, unit, event) - row.linear(beta0, unit, pieces, event)
            )
            continue
        law, mass = atoms[i].low, atoms[i].total
        fixed = row.tail(beta0 + c_c + c_i, unit, event) - Fraction(
            sum(m * row.tail(beta0 + c_c + a, unit, event) for a, m in law), mass
        )
        free = (
            row.linear(beta0 + c_i, unit, pieces, event)
            - sum((m * row.linear(beta0 + a, unit, pieces, event) for a, m in law), Fraction(0))
            / mass
        )
        total += weights[k + 1] * fixed + weights[k] * free
    return total / math.prod(atoms[j].total for j in others)


# -- completion counting ------------------------------------------------------------------------
def partial_sums_completion(
    gam: GAM,
    x: tuple[Any, ...],
    fixed: frozenset[int],
    *,
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    exact_only: bool = False,
    **options: Any,
) -> Estimate:
    """The probability that a random completion of x_S keeps the prediction.

    Classification: P(class of (x_S, Z) = class of x). Regression: P(|F(x_S, Z) − F(x)|
    ≤ tolerance), the difference of two tail probabilities.

    Notes
    -----
    One table over the free features: O(n·S·a). Theorems ``thm:cc-dp`` (exact) and
    ``thm:label-bounds`` (bounds).
    """
    contributions = [
        Fraction(f.contribution_exact(v)) for f, v in zip(gam.features, x, strict=True)
    ]
    offset = Fraction(gam.intercept) + sum((contributions[j] for j in fixed), Fraction(0))
    free = [j for j in range(gam.n_features) if j not in fixed]
    budget = _Budget(max_states, time_limit)
    constant, terms = _completion_events(gam, sum(contributions, Fraction(gam.intercept)))
    plan = _plan(gam, free)

    def evaluate(scale: Fraction | None, cells: int, budget: _Budget) -> Bounds | None:
        linear = plan[1] if scale is None else None
        tabulated = [j for j in free if j != linear]
        found = _sum_tails(gam, contributions, tabulated, scale, cells, budget)
        if found is None:
            return None
        (low_row, high_row), denominator, unit = found
        if linear is not None:
            pieces = _linear_pieces(gam.features[linear])
            exact = (
                Fraction(constant)
                + sum(
                    (sign * low_row.linear(offset, unit, pieces, event) for sign, event in terms),
                    Fraction(0),
                )
                / denominator
            )
            return [exact], [exact]
        low = high = Fraction(constant)
        for sign, event in terms:
            below = Fraction(low_row.tail(offset, unit, event), denominator)
            above = Fraction(high_row.tail(offset, unit, event), denominator)
            low += sign * (below if sign > 0 else above)
            high += sign * (above if sign > 0 else below)
        return [max(low, Fraction(0))], [min(high, Fraction(1))]

    atoms = _all_atoms(gam, 1)
    (low, high), status, certificate = _refine(
        gam,
        evaluate,
        plan,
        free,
        _span([atoms[j] for j in free], [contributions[j] for j in free]),
        len(free) + 1,
        budget,
        ([Fraction(0)], [Fraction(1)]),
        exact_only,
    )
    return Estimate(tuple(low), tuple(high), None, None, status, certificate, budget.work)


def _completion_events(gam: GAM, score: Fraction) -> tuple[int, list[tuple[int, _Event]]]:
    """The kept prediction as upper-tail events: P(kept) = constant + Σ sign·P(event)."""
    task = gam.task
    if isinstance(task, Classification):
        positive = _positive(gam)
        return (0, [(1, positive)]) if task.label_exact(score) == 1 else (1, [(-1, positive)])
    tolerance = Fraction(task.tolerance)
    return 0, [(1, _Event(score - tolerance, False)), (-1, _Event(score + tolerance, True))]


register_algorithm(
    "cc",
    "partial-sums",
    summary="exact law of the free features' sum over distinct sums, else scaled bounds",
    theorem="thm:cc-dp",
    priority=10,
    applies=partial_sums_applies,
    fallback_on=("budget_exhausted", "time_limit"),
)(partial_sums_completion)

for _query, _kind in (("shap-label", "shapley"), ("banzhaf-label", "banzhaf")):
    register_algorithm(
        _query,
        "partial-sums",
        summary="a (coalition size, partial sum) table per feature; exact or certified bounds",
        theorem="thm:shap-label-dp",
        priority=10,
        applies=partial_sums_applies,
        fallback_on=("budget_exhausted", "time_limit"),
    )(label_attributions)
