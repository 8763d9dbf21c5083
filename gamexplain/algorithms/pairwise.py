"""Exact worst cases of models with pairwise terms (GA²M, default EBMs) by cell reduction.

When every feature that takes part in a pair term has a finite domain or a step-function
main effect, the model depends on such a feature only through its *cell*: a part of the
domain on which its main effect and every bin of its pair terms are constant. For the
worst case in one direction only the best main effect per combination of pair bins (its
*signature*) matters, so each paired feature becomes a small discrete variable and the
worst completion is MAP inference in a pairwise model over the interaction graph:

* variable elimination (min-sum) along a min-fill order from networkx, on numpy arrays of
  integers: every table is scaled by the least common denominator of the model's pair
  values and main effects (floats are dyadic rationals), so it is exact and returns what
  the same elimination in Fractions would; its messages, turned back into Fractions,
  double as a *dual certificate*: every message bounds the factors it replaces from
  below, which :func:`check_messages` re-checks inequality by inequality;
* CP-SAT (OR-Tools) when the elimination tables would pass a state budget: one boolean
  per (feature, signature), pair products linearised, Fractions scaled exactly to
  integers (refused past 2^62).

Features in no pair term keep their exact per-feature extremes
(:class:`~gamexplain.algorithms.worst_case.AdditiveOracle`), attained or not.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    Answer,
    FeatureBound,
    Problem,
    _approach,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import PieceLimitError, UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.scaling import common_denominator

__all__ = [
    "STATE_LIMIT",
    "PairBound",
    "PairOracle",
    "PairWorstCase",
    "Step",
    "check_messages",
    "csr_pairwise",
    "factors_of",
    "mcr_hitting_set",
    "msr_hitting_set",
    "pair_oracle",
    "pairwise_applies",
    "signatures",
]

STATE_LIMIT = 2_000_000
"""Most table entries variable elimination may build before CP-SAT takes over."""

_INT_LIMIT = 2**62

Signature = tuple[int, ...]
Table = dict[tuple[Signature, ...], Fraction]
Factor = tuple[tuple[int, ...], Table]
ArrayFactor = tuple[tuple[int, ...], Any]
"""A factor as an integer array (numpy int64, or Python ints in an object array) with
one axis per scope feature, indexed by signature position."""


# -- the cell reduction ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Cell:
    value: Any
    contribution: Fraction
    bins: Signature


def _axes(gam: Any, j: int) -> list[tuple[int, int]]:
    """The (pair term, axis) slots feature j occupies."""
    return [(p, pair.features.index(j)) for p, pair in enumerate(gam.pairs) if j in pair.features]


def _paired(gam: Any) -> list[int]:
    return sorted({j for pair in gam.pairs for j in pair.features})


def pairwise_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when the model has pair terms and every paired feature reduces to cells."""
    if gam.is_additive:
        return "the model has no pairwise terms (the additive algorithms answer it)"
    for j in _paired(gam):
        found = _cells(gam, j)
        if isinstance(found, str):
            return found
    return None


@functools.lru_cache(maxsize=256)
def _cells(gam: Any, j: int) -> tuple[_Cell, ...] | str:
    feature = gam.features[j]
    axes = _axes(gam, j)
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
    cuts = sorted({Fraction(e) for p, a in axes for e in (gam.pairs[p].edges[a] or ())[1:-1]})
    found: dict[tuple[Fraction, Signature], _Cell] = {}
    for piece in pieces:
        if isinstance(piece, Point):
            parts = [(piece.value, piece.contribution)]
        elif piece.degree > 0 and piece.low < piece.high:
            return refuse
        else:
            parts = [(v, piece.coefficients[0]) for v in _starts(piece, cuts)]
        for value, contribution in parts:
            bins = tuple(gam.pairs[p].bin_of(a, feature, value) for p, a in axes)
            found.setdefault((contribution, bins), _Cell(value, contribution, bins))
    return tuple(found.values())


def _starts(segment: Segment, cuts: list[Fraction]) -> list[Any]:
    """One point of each part of the segment between consecutive bin edges: its left end
    (pieces and bins are right-continuous, so the part is constant from there)."""
    inner = [c for c in cuts if segment.low < c <= segment.high]
    if segment.integers:
        firsts = [int(segment.low), *(math.ceil(c) for c in inner)]
        return sorted({v for v in firsts if v <= segment.high})
    ends = [segment.low, *(c for c in inner if c < segment.high or segment.closed)]
    return [_plain(v) for v in ends]


def _plain(value: Fraction) -> Any:
    """A float when it denotes the rational exactly (friendlier points), else the Fraction."""
    number = float(value)
    return number if Fraction(number) == value else value


def signatures(gam: Any, j: int, side: str) -> dict[Signature, _Cell]:
    """Per signature (pair bins) of paired feature j, its cell with the lowest (``min``)
    or highest (``max``) main effect: the only one a worst case in that direction needs."""
    cells = _cells(gam, j)
    assert not isinstance(cells, str)
    sign = 1 if side == "min" else -1
    best: dict[Signature, _Cell] = {}
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
    slot = {j: {p: a for p, a in _axes(gam, j)} for j in range(gam.n_features)}
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


def _position(slot: dict[int, dict[int, int]], j: int, p: int) -> int:
    """Where pair term p sits in feature j's signature (its slots in pair order)."""
    return list(slot[j]).index(p)


def _zeros(scope: tuple[int, ...], unary: Mapping[int, Mapping[Signature, Fraction]]) -> Table:
    return {key: Fraction(0) for key in itertools.product(*(list(unary[k]) for k in scope))}


# -- the integer scaling --------------------------------------------------------------------
@dataclass(frozen=True)
class _Choice:
    """The signatures of a paired feature kept for one direction, in the order the
    elimination indexes them, with their cells, their main effects scaled to integers,
    and per pair term the bin each signature takes there."""

    signatures: tuple[Signature, ...]
    cells: tuple[_Cell, ...]
    unary: Any
    bins: dict[int, Any]


class _Scaled:
    """The paired part of a model multiplied by one common denominator.

    Every pair-term value and every cell's main effect is rational (a float is a dyadic
    rational), so ``scale``, the least common multiple of their denominators, turns them
    all into integers without rounding; sums and minima of integers are exact, and a
    message divided by ``scale`` is the rational the same elimination in Fractions
    computes. The arrays are numpy int64 when the sum of every table's largest magnitude
    stays below 2^63 (no sum of table entries, hence no message, can overflow), Python
    ints in object arrays otherwise.
    """

    def __init__(self, gam: Any) -> None:
        self.gam = gam
        values = [Fraction(v) for pair in gam.pairs for row in pair.values for v in row]
        # the main effects the elimination can use: the best cell per signature each way
        effects = [[c.contribution for side in ("min", "max")
                    for c in signatures(gam, j, side).values()] for j in _paired(gam)]  # fmt: skip
        self.scale = common_denominator(itertools.chain(values, *effects))
        reach = sum(
            (max(abs(Fraction(v)) for row in pair.values for v in row) for pair in gam.pairs),
            Fraction(0),
        )
        reach += sum((max(map(abs, found)) for found in effects), Fraction(0))
        self.dtype: Any = np.int64 if reach * self.scale < 2**63 else object
        self.pairs = [
            self._integers([[Fraction(v) for v in row] for row in pair.values])
            for pair in gam.pairs
        ]
        self._choices: dict[tuple[int, str], _Choice] = {}

    def _integers(self, values: Any) -> Any:
        scaled = np.array(values, dtype=object) * self.scale
        return np.array([int(v) for v in scaled.reshape(-1)], dtype=self.dtype).reshape(
            scaled.shape
        )

    def choice(self, j: int, side: str) -> _Choice:
        key = (j, side)
        if key not in self._choices:
            best = signatures(self.gam, j, side)
            slots = [p for p, _ in _axes(self.gam, j)]
            self._choices[key] = _Choice(
                signatures=tuple(best),
                cells=tuple(best.values()),
                unary=self._integers([c.contribution for c in best.values()]),
                bins={p: np.array([s[k] for s in best], dtype=np.intp)
                      for k, p in enumerate(slots)},
            )  # fmt: skip
        return self._choices[key]


@functools.lru_cache(maxsize=64)
def _scaled(gam: Any) -> _Scaled:
    return _Scaled(gam)


# -- variable elimination and its dual certificate -----------------------------------------------
@dataclass(frozen=True)
class Step:
    """One elimination: the message over ``scope`` that replaced every factor holding
    ``variable``; each entry is at most the sum of those factors for every signature of
    ``variable`` (equal to their minimum when computed by elimination)."""

    variable: int
    scope: tuple[int, ...]
    table: Table


def _order(variables: list[int], factors: list[Factor]) -> list[int]:
    """A greedy min-fill elimination order (ties: fewest neighbours, then position)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(variables)
    graph.add_edges_from(s for s, _ in factors if len(s) == 2)
    order: list[int] = []
    remaining = graph.copy()
    while remaining:
        v = min(remaining, key=lambda u: (_fill(remaining, u), remaining.degree(u), u))
        neighbours = list(remaining[v])
        remaining.add_edges_from(itertools.combinations(neighbours, 2))
        remaining.remove_node(v)
        order.append(v)
    return order


def _fill(graph: Any, v: int) -> int:
    neighbours = list(graph[v])
    return sum(1 for a, b in itertools.combinations(neighbours, 2) if not graph.has_edge(a, b))


def _table_cost(order: list[int], factors: list[Factor], sizes: Mapping[int, int]) -> int:
    scopes = [set(s) for s, _ in factors]
    cost = 0
    for v in order:
        bucket = [s for s in scopes if v in s]
        merged = set().union(*bucket) if bucket else {v}
        cost += math.prod(sizes[u] for u in merged)
        scopes = [s for s in scopes if v not in s] + [merged - {v}]
    return cost


def _eliminate(
    sizes: Mapping[int, int], factors: list[ArrayFactor], order: list[int]
) -> tuple[int, dict[int, int], list[ArrayFactor]]:
    """Min-sum elimination over integer arrays: the minimum, the signature index of each
    variable in an assignment attaining it, and the messages (one per variable of
    ``order``, over the sorted scope it leaves behind).

    Every factor's array has one axis per scope feature, in scope order, indexed by
    signature position. Ties go to the first signature, as a scan in signature order
    keeping strict improvements would choose.
    """
    pool = list(factors)
    messages: list[ArrayFactor] = []
    choices = []
    for v in order:
        deadline.check()
        bucket = [f for f in pool if v in f[0]]
        pool = [f for f in pool if v not in f[0]]
        scope = tuple(sorted({u for s, _ in bucket for u in s} - {v}))
        axes = (*scope, v)
        total = np.zeros([sizes[u] for u in axes], dtype=np.int64)
        for f in bucket:
            total = total + _spread(f, axes, sizes)
        # asarray: a reduction of an object array to zero axes gives a bare int
        table = np.asarray(total.min(axis=-1), dtype=total.dtype)
        pool.append((scope, table))
        messages.append((scope, table))
        choices.append((v, scope, np.asarray(total.argmin(axis=-1))))
    assignment: dict[int, int] = {}
    for v, scope, best in reversed(choices):
        assignment[v] = int(best[tuple(assignment[u] for u in scope)])
    value = sum((int(table[()]) for _, table in pool), 0)
    return value, assignment, messages


def _spread(factor: ArrayFactor, axes: tuple[int, ...], sizes: Mapping[int, int]) -> Any:
    """The factor's array with its axes moved to their places in ``axes`` and size-one
    axes for the features it does not hold (ready to broadcast)."""
    scope, array = factor
    ranked = sorted(range(len(scope)), key=lambda a: axes.index(scope[a]))
    moved = np.transpose(array, ranked)
    return moved.reshape([sizes[u] if u in scope else 1 for u in axes])


def _at(factor: Factor, given: Mapping[int, Signature]) -> Fraction:
    scope, table = factor
    return table[tuple(given[u] for u in scope)]


def check_messages(
    domains: Mapping[int, list[Signature]], factors: list[Factor], steps: Iterable[Step]
) -> Fraction | None:
    """The lower bound the messages prove on the sum of ``factors``, or None when one of
    their inequalities fails or they leave a variable uneliminated.

    Each step removes every factor holding its variable and adds its message; the check
    that the message is at most their sum, for every signature of the variable and every
    key of the scope, makes the sum of the pool never increase on any assignment, so the
    constants left at the end bound the minimum from below.
    """
    pool = list(factors)
    for step in steps:
        v = step.variable
        bucket = [f for f in pool if v in f[0]]
        pool = [f for f in pool if v not in f[0]]
        needed = {u for s, _ in bucket for u in s} - {v}
        if v in step.scope or not needed <= set(step.scope) or v not in domains:
            return None
        for key in itertools.product(*(domains[u] for u in step.scope)):
            bound = step.table.get(key)
            if bound is None:
                return None
            given = dict(zip(step.scope, key, strict=True))
            for s in domains[v]:
                given[v] = s
                if sum((_at(f, given) for f in bucket), Fraction(0)) < bound:
                    return None
        pool.append((step.scope, step.table))
    if any(scope for scope, _ in pool):
        return None
    return sum((table[()] for _, table in pool), Fraction(0))


# -- CP-SAT -------------------------------------------------------------------------------------
def _cpsat_minimum(
    domains: Mapping[int, list[Signature]], factors: list[Factor]
) -> tuple[Fraction, dict[int, Signature]]:
    """The exact minimum of the factors' sum by CP-SAT on an exactly scaled integer model."""
    from ortools.sat.python import cp_model

    numbers = [v for _, t in factors for v in t.values()]
    scale = common_denominator(numbers)
    if sum(abs(v) for v in numbers) * scale >= _INT_LIMIT:
        raise UnsupportedQueryError(
            "the pairwise model's scores need integers beyond 2^62 once scaled to a common "
            "denominator, so CP-SAT cannot decide it exactly"
        )
    model = cp_model.CpModel()
    pick = {
        (v, s): model.new_bool_var(f"b{v}_{k}") for v in domains for k, s in enumerate(domains[v])
    }
    for v, signs in domains.items():
        model.add_exactly_one(pick[v, s] for s in signs)
    objective = []
    for scope, table in factors:
        if len(scope) == 0:
            continue
        if len(scope) == 1:
            objective += [int(val * scale) * pick[scope[0], key[0]] for key, val in table.items()]
            continue
        u, v = scope
        both = {key: model.new_bool_var("") for key in table}
        for s in domains[u]:
            model.add(sum(both[a, b] for a, b in table if a == s) == pick[u, s])
        for s in domains[v]:
            model.add(sum(both[a, b] for a, b in table if b == s) == pick[v, s])
        objective += [int(val * scale) * both[key] for key, val in table.items()]
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    left = deadline.remaining()
    if left is not None:
        solver.parameters.max_time_in_seconds = max(left, 1e-3)
    status = solver.solve(model)
    deadline.check()
    if status != cp_model.OPTIMAL:
        raise UnsupportedQueryError("CP-SAT did not prove the pairwise worst case optimal")
    assignment = {
        v: next(s for s in signs if solver.value(pick[v, s])) for v, signs in domains.items()
    }
    value = sum((_at(f, assignment) for f in factors), Fraction(0))
    return value, assignment


# -- the oracle ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairBound:
    """The worst case of the paired features in one direction.

    Attributes
    ----------
    side : {"min", "max"}
    value : Fraction
        The minimum (maximum) over the free paired features of the score minus the free
        unpaired features' main effects.
    point : tuple of (str, value)
        Values of the free paired features that attain it.
    steps : tuple of Step or None
        The elimination messages (of −score for ``max``) proving no completion does
        better; None when CP-SAT solved it (then only the point is independently checked).
    backend : {"variable-elimination", "cp-sat"}
    """

    side: str
    value: Fraction
    point: tuple[tuple[str, Any], ...]
    steps: tuple[Step, ...] | None
    backend: str


@dataclass(frozen=True)
class PairWorstCase:
    """Certificate that keeping ``kept`` fixes the prediction of a model with pair terms.

    ``bounds`` are the claimed extremes of the free features in no pair term (as in
    :class:`~gamexplain.algorithms.worst_case.WorstCase`), ``pairs`` the paired part per
    direction; ``low``/``high`` the score's infimum and supremum over the completions.
    """

    kept: tuple[str, ...]
    bounds: tuple[FeatureBound, ...]
    pairs: tuple[PairBound, ...]
    low: Exact | None
    high: Exact | None


@dataclass(frozen=True)
class _Solved:
    """A paired part solved once: the exact value and point, and for elimination the
    order and integer messages a :class:`PairBound` turns into Fractions on demand."""

    value: Fraction
    point: tuple[tuple[str, Any], ...]
    domains: dict[int, tuple[Signature, ...]]
    order: list[int]
    messages: list[ArrayFactor] | None
    backend: str


def _fractions(
    scope: tuple[int, ...], table: Any, domains: Mapping[int, tuple[Signature, ...]], scale: int
) -> Table:
    """An integer message as the Fraction table of a :class:`Step`."""
    keys = itertools.product(*(domains[u] for u in scope))
    return {key: Fraction(int(v), scale) for key, v in zip(keys, table.reshape(-1), strict=True)}


class PairOracle:
    """Exact sufficiency, counterexamples and certificates for a cell-reducible model.

    Parameters
    ----------
    problem : Problem
    backend : {"auto", "variable-elimination", "cp-sat"}
        ``auto`` eliminates while the tables stay within ``state_limit`` entries.

    Notes
    -----
    A sufficiency check costs O(n·k^(w+1)) for k signatures per paired feature and
    induced width w of the free interaction graph along the min-fill order
    (thm:pairs-variable-elimination), or one CP-SAT solve (thm:pairs-cpsat).
    """

    def __init__(
        self, problem: Problem, backend: str = "auto", state_limit: int = STATE_LIMIT
    ) -> None:
        self.problem = problem
        self.backend = backend
        self.state_limit = state_limit
        self.additive = AdditiveOracle(problem)
        gam, x = problem.gam, problem.x
        self.paired = set(_paired(gam))
        self._scaled = _scaled(gam)
        self._bins = [
            (pair.bin_of(0, gam.features[i], x[i]), pair.bin_of(1, gam.features[j], x[j]))
            for pair in gam.pairs
            for i, j in [pair.features]
        ]
        self._solved: dict[tuple[frozenset[int], str], _Solved] = {}
        self._parts: dict[tuple[frozenset[int], str], PairBound] = {}
        self.calls = 0

    def _free(self, kept: Iterable[int]) -> list[int]:
        keep = set(kept) | self.problem.fixed
        return [i for i in range(self.problem.gam.n_features) if i not in keep]

    def part(self, free: Iterable[int], side: str) -> PairBound:
        """The paired part's extreme in direction ``side`` with ``free`` features free."""
        key = (frozenset(free), side)
        if key not in self._parts:
            solved = self._solve(key[0], side)
            steps = None
            if solved.messages is not None:
                scale = self._scaled.scale
                steps = tuple(
                    Step(v, scope, _fractions(scope, table, solved.domains, scale))
                    for v, (scope, table) in zip(solved.order, solved.messages, strict=True)
                )
            self._parts[key] = PairBound(side, solved.value, solved.point, steps, solved.backend)
        return self._parts[key]

    def _solve(self, free: frozenset[int], side: str) -> _Solved:
        """The paired part's extreme, its messages still integer arrays (cached)."""
        key = (free, side)
        if key in self._solved:
            return self._solved[key]
        self.calls += 1
        gam = self.problem.gam
        sign = 1 if side == "min" else -1
        scaled = self._scaled
        chosen = {j: scaled.choice(j, side) for j in sorted(free & self.paired)}
        constant, factors = self._factors(free, chosen, sign)
        domains = {j: c.signatures for j, c in chosen.items()}
        order = _order(sorted(domains), factors)
        sizes = {j: len(d) for j, d in domains.items()}
        messages: list[ArrayFactor] | None = None
        if self.backend == "cp-sat" or (
            self.backend == "auto" and _table_cost(order, factors, sizes) > self.state_limit
        ):
            unary = {j: {s: c.contribution for s, c in zip(d.signatures, d.cells, strict=True)}
                     for j, d in chosen.items()}  # fmt: skip
            exact = factors_of(gam, self.problem.x, free, unary, sign)
            minimum, found = _cpsat_minimum({j: list(d) for j, d in domains.items()}, exact)
            value = sign * minimum
            assignment = {j: domains[j].index(found[j]) for j in found}
            backend = "cp-sat"
        else:
            total, assignment, messages = _eliminate(sizes, factors, order)
            value = constant + Fraction(sign * total, scaled.scale)
            backend = "variable-elimination"
        point = tuple(
            (gam.features[j].name, chosen[j].cells[assignment[j]].value) for j in sorted(chosen)
        )
        solved = _Solved(value, point, domains, order, messages, backend)
        self._solved[key] = solved
        return solved

    def _factors(
        self, free: frozenset[int], chosen: Mapping[int, _Choice], sign: int
    ) -> tuple[Fraction, list[ArrayFactor]]:
        """The score minus the free unpaired features' main effects, as a constant and the
        integer factors of sign·(the rest), with the scopes of :func:`factors_of`."""
        gam = self.problem.gam
        scaled = self._scaled
        constant = Fraction(gam.intercept) + sum(
            (Fraction(self.additive.c[i]) for i in range(gam.n_features) if i not in free),
            Fraction(0),
        )
        tables: dict[tuple[int, ...], Any] = {(j,): c.unary for j, c in chosen.items()}
        for p, pair in enumerate(gam.pairs):
            i, j = pair.features
            matrix = scaled.pairs[p]
            bin_i, bin_j = self._bins[p]
            if i in free and j in free:
                scope: tuple[int, ...] = (i, j)
                block = matrix[np.ix_(chosen[i].bins[p], chosen[j].bins[p])]
            elif i in free:
                scope, block = (i,), matrix[chosen[i].bins[p], bin_j]
            elif j in free:
                scope, block = (j,), matrix[bin_i, chosen[j].bins[p]]
            else:
                constant += Fraction(pair.values[bin_i][bin_j])
                continue
            tables[scope] = tables[scope] + block if scope in tables else block
        return constant, [(scope, sign * table) for scope, table in tables.items()]

    def _sides(self) -> tuple[str, ...]:
        return self.additive.sides

    def _extreme(self, free: list[int], side: str) -> tuple[Exact, bool]:
        """The infimum (supremum) of the score and whether it is only approached."""
        total: Exact = self._solve(frozenset(free), side).value
        loose = False
        for i in free:
            if i not in self.paired:
                e = self.additive.extremum(i, side)
                total = total + e.value
                loose = loose or not e.attained
        return total, loose

    def _excess(self, free: list[int], side: str) -> Exact | None:
        """How far the worst case passes the prediction's edge; None when it keeps it."""
        value, loose = self._extreme(free, side)
        problem = self.problem
        task = problem.gam.task
        if isinstance(task, Classification):
            t = task.threshold_exact
            gap = t - value if side == "min" else value - t
            strict_edge = (side == "min") == (task.positive == ">=")
            flips = compare(gap, 0) > 0 or (compare(gap, 0) == 0 and not strict_edge and not loose)
            return gap if flips else None
        delta = Fraction(task.tolerance)
        gap = (problem.score - value if side == "min" else value - problem.score) - delta
        return gap if compare(gap, 0) > 0 else None

    def sufficient(self, kept: Iterable[int]) -> bool:
        free = self._free(kept)
        return all(self._excess(free, side) is None for side in self._sides())

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        free = self._free(kept)
        gam = self.problem.gam
        for side in self._sides():
            excess = self._excess(free, side)
            if excess is None:
                continue
            point = list(self.problem.x)
            for name, value in self._solve(frozenset(free), side).point:
                point[gam.index(name)] = value
            unpaired = [i for i in free if i not in self.paired]
            loose = [i for i in unpaired if not self.additive.extremum(i, side).attained]
            for i in unpaired:
                e = self.additive.extremum(i, side)
                point[i] = (
                    e.argument if e.attained else _approach(gam.features[i], e, excess / len(loose))
                )
            return tuple(point)
        return None

    def worst_case(self, kept: Iterable[int]) -> PairWorstCase:
        free = self._free(kept)
        gam = self.problem.gam
        bounds = []
        for i in free:
            if i in self.paired:
                continue
            for side in self._sides():
                e = self.additive.extremum(i, side)
                bounds.append(
                    FeatureBound(gam.features[i].name, side, e.value, e.argument, e.attained)
                )
        ends = {side: self._extreme(free, side)[0] for side in self._sides()}
        names = tuple(f.name for i, f in enumerate(gam.features) if i not in free)
        return PairWorstCase(
            kept=names,
            bounds=tuple(bounds),
            pairs=tuple(self.part(free, side) for side in self._sides()),
            low=ends.get("min"),
            high=ends.get("max"),
        )


@functools.lru_cache(maxsize=16)
def pair_oracle(problem: Problem) -> PairOracle:
    """The :class:`PairOracle` of a problem, shared by every caller (problems hash by
    identity)."""
    return PairOracle(problem)


# -- minimum-size reasons by implicit hitting sets -----------------------------------------------
def _minimum_hitting_set(family: list[frozenset[int]], items: tuple[int, ...]) -> frozenset[int]:
    """A minimum-size subset of ``items`` meeting every set of ``family`` (MaxSAT, RC2)."""
    if not family:
        return frozenset()
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    var = {i: k + 1 for k, i in enumerate(items)}
    formula = WCNF()
    for members in family:
        formula.append([var[i] for i in sorted(members)])
    for i in items:
        formula.append([-var[i]], weight=1)
    with RC2(formula) as solver:
        model = solver.compute() or []
    return frozenset(i for i in items if var[i] in set(model))


def _shrink(oracle: PairOracle, kept: set[int], free: Iterable[int]) -> frozenset[int]:
    """Drop every free feature whose removal keeps ``kept`` sufficient (subset-minimal)."""
    for i in free:
        if i in kept and oracle.sufficient(kept - {i}):
            kept.discard(i)
    return frozenset(kept)


_SUMMARY_MSR = (
    "implicit hitting sets: a minimum hitting set (RC2 MaxSAT) of the contrastive sets "
    "found so far, checked by the exact pairwise worst case"
)


@register_algorithm(
    "msr", "hitting-set", summary=_SUMMARY_MSR, theorem="thm:pairs-hitting-set", priority=30,
    applies=pairwise_applies,
)  # fmt: skip
def msr_hitting_set(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient reason of a model with pairwise terms.

    Notes
    -----
    Every sufficient set meets every contrastive set, so a minimum hitting set of the
    contrastive sets found so far is a lower bound; when it is sufficient it is optimal,
    otherwise growing it to a maximal insufficient set yields a new contrastive set it
    misses. At most one round per subset-minimal contrastive reason, each one MaxSAT call
    and at most n worst-case computations (thm:pairs-hitting-set). When the query's
    deadline passes (:mod:`gamexplain.substrate.deadline`) the answer is stopped, with no
    reason yet: the certified lower bound and the cores found so far.
    """
    oracle = pair_oracle(problem)
    free = problem.free
    family: list[frozenset[int]] = []
    cores: list[tuple[frozenset[int], Any]] = []
    lower = 0
    try:
        while True:
            deadline.check()
            hitting = _minimum_hitting_set(family, free)
            lower = len(hitting)
            if oracle.sufficient(hitting):
                return Answer(hitting | problem.fixed, work=oracle.calls, cores=tuple(cores))
            seed = set(hitting)
            for i in free:
                if i not in seed and not oracle.sufficient(seed | {i}):
                    seed.add(i)
            # the record verify re-checks: changing this set alone flips, at this point
            witness = oracle.counterexample(seed)
            family.append(frozenset(free) - seed)
            cores.append((family[-1], witness))
    except OutOfTime:
        # the query finds a subset-minimal reason in its grace time
        return Answer(None, "time_limit", lower + len(problem.fixed), None,
                      work=oracle.calls, cores=tuple(cores))  # fmt: skip


@register_algorithm(
    "mcr", "hitting-set", summary=_SUMMARY_MSR.replace("contrastive", "sufficient"),
    theorem="thm:pairs-hitting-set", priority=30, applies=pairwise_applies,
)  # fmt: skip
def mcr_hitting_set(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size contrastive reason of a model with pairwise terms (None if none).

    Notes
    -----
    Changing C can flip exactly when the other features are not sufficient, that is when
    C meets every sufficient reason: a minimum hitting set of the subset-minimal
    sufficient reasons found so far is a lower bound, and it is optimal once freeing it
    flips; otherwise the kept rest shrinks (deletion) to a new sufficient reason it misses
    (thm:pairs-hitting-set). When the query's deadline passes the answer is stopped, with
    no reason yet: the certified lower bound and the cores found so far.
    """
    oracle = pair_oracle(problem)
    free = problem.free
    family: list[frozenset[int]] = []
    cores: list[tuple[frozenset[int], Any]] = []
    lower = 1
    try:
        if oracle.sufficient(()):
            return Answer(None, work=oracle.calls)
        while True:
            deadline.check()
            hitting = _minimum_hitting_set(family, free)
            lower = max(len(hitting), 1)
            rest = set(problem.all_features) - hitting
            if not oracle.sufficient(rest):
                return Answer(hitting, work=oracle.calls, cores=tuple(cores))
            kept = _shrink(oracle, rest, free)
            # the record verify re-checks: keeping this set fixes the prediction
            proof = oracle.worst_case(kept)
            family.append(kept - problem.fixed)
            cores.append((kept, proof))
    except OutOfTime:
        return Answer(None, "time_limit", lower, None, work=oracle.calls, cores=tuple(cores))


@register_algorithm(
    "csr", "variable-elimination",
    summary="exact worst case over cells of the paired features: variable elimination "
    "along a min-fill order, CP-SAT past a state budget",
    theorem="thm:pairs-variable-elimination", priority=30, applies=pairwise_applies,
)  # fmt: skip
def csr_pairwise(problem: Problem, kept: frozenset[int], time_limit: float | None = None) -> bool:
    """Whether keeping ``kept`` fixes the prediction of a model with pairwise terms.

    Notes
    -----
    O(n·k^(w+1)) for k signatures per paired feature and induced width w
    (thm:pairs-variable-elimination); CP-SAT when that passes :data:`STATE_LIMIT`
    (thm:pairs-cpsat).
    """
    return pair_oracle(problem).sufficient(kept)
