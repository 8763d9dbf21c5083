"""Exact worst cases of models with pairwise terms (GA²M, default EBMs) by cell reduction.

:class:`PairOracle` answers sufficiency for a model whose paired features reduce to cells
(:mod:`gamexplain.algorithms.pair_cells`): the paired part's extreme is MAP inference over
the interaction graph, by variable elimination on integer tables
(:mod:`gamexplain.algorithms.elimination`, whose messages double as a dual certificate) or
by CP-SAT past a state budget (:mod:`gamexplain.algorithms.pair_cpsat`). Every table is
scaled by the least common denominator of the model's pair values and main effects
(floats are dyadic rationals), so the integer elimination returns what the same
elimination in Fractions would. Features in no pair term keep their exact per-feature
extremes (:class:`~gamexplain.algorithms.worst_case.AdditiveOracle`), attained or not.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.algorithms.elimination import (
    ArrayFactor,
    Step,
    eliminate,
    min_fill_order,
    table_cost,
)
from gamexplain.algorithms.pair_cells import (
    Cell,
    Signature,
    Table,
    factors_of,
    paired,
    pairwise_applies,
    signatures,
    slots,
)
from gamexplain.algorithms.pair_cpsat import cpsat_minimum
from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    FeatureBound,
    Problem,
    _approach,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import Exact, compare
from gamexplain.model.task import Classification
from gamexplain.substrate.scaling import common_denominator

__all__ = [
    "STATE_LIMIT",
    "PairBound",
    "PairOracle",
    "PairWorstCase",
    "csr_pairwise",
    "pair_oracle",
]

STATE_LIMIT = 2_000_000
"""Most table entries variable elimination may build before CP-SAT takes over."""


# -- the integer scaling --------------------------------------------------------------------
@dataclass(frozen=True)
class _Choice:
    """The signatures of a paired feature kept for one direction, in the order the
    elimination indexes them, with their cells, their main effects scaled to integers,
    and per pair term the bin each signature takes there."""

    signatures: tuple[Signature, ...]
    cells: tuple[Cell, ...]
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
                    for c in signatures(gam, j, side).values()] for j in paired(gam)]  # fmt: skip
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
            terms = [p for p, _ in slots(self.gam, j)]
            self._choices[key] = _Choice(
                signatures=tuple(best),
                cells=tuple(best.values()),
                unary=self._integers([c.contribution for c in best.values()]),
                bins={p: np.array([s[k] for s in best], dtype=np.intp)
                      for k, p in enumerate(terms)},
            )  # fmt: skip
        return self._choices[key]


@functools.lru_cache(maxsize=64)
def _scaled(gam: Any) -> _Scaled:
    return _Scaled(gam)


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
        self.paired = set(paired(gam))
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
        order = min_fill_order(sorted(domains), factors)
        sizes = {j: len(d) for j, d in domains.items()}
        messages: list[ArrayFactor] | None = None
        if self.backend == "cp-sat" or (
            self.backend == "auto" and table_cost(order, factors, sizes) > self.state_limit
        ):
            unary = {j: {s: c.contribution for s, c in zip(d.signatures, d.cells, strict=True)}
                     for j, d in chosen.items()}  # fmt: skip
            exact = factors_of(gam, self.problem.x, free, unary, sign)
            minimum, found = cpsat_minimum({j: list(d) for j, d in domains.items()}, exact)
            value = sign * minimum
            assignment = {j: domains[j].index(found[j]) for j in found}
            backend = "cp-sat"
        else:
            total, assignment, messages = eliminate(sizes, factors, order)
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
