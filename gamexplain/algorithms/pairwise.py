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
import math
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
from gamexplain.algorithms.pair_dual import (
    Crossing,
    DualNode,
    MinSum,
    Proof,
    certificate,
    decide,
)
from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    FeatureBound,
    Problem,
    _approach,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.task import Classification
from gamexplain.substrate.scaling import common_denominator

__all__ = [
    "STATE_LIMIT",
    "PairBound",
    "PairOracle",
    "PairWorstCase",
    "csr_dual",
    "csr_pairwise",
    "elimination_applies",
    "pair_oracle",
]

STATE_LIMIT = 10_000
"""Most table entries variable elimination may build before dual bounds take over."""


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
    rounded: Any


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
        # the main effects the elimination can use: the best cell per signature each way
        effects = [[c.contribution for side in ("min", "max")
                    for c in signatures(gam, j, side).values()] for j in paired(gam)]  # fmt: skip
        floats = all(_float_term(pair) is not None for pair in gam.pairs)
        if floats:  # fast path: a float's denominator is a power of two, the table's lcm
            terms = [_float_term(pair) for pair in gam.pairs]
            tables = [t.table for t in terms if t is not None]
            denominators = [t.denominator for t in terms if t is not None]
            self.scale = math.lcm(*denominators, common_denominator(itertools.chain(*effects)))
            reach = sum((t.reach for t in terms if t is not None), Fraction(0))
        else:  # rationals that are no floats (a multiclass rival's differences): exact path
            exact = [[[Fraction(v) for v in row] for row in pair.values] for pair in gam.pairs]
            values = (v for table in exact for row in table for v in row)
            self.scale = common_denominator(itertools.chain(values, *effects))
            reach = sum((max(abs(v) for row in t for v in row) for t in exact), Fraction(0))
        reach += sum((max(map(abs, found)) for found in effects), Fraction(0))
        self.dtype: Any = np.int64 if reach * self.scale < 2**63 else object
        # the grid of the rounded tables: every sum of them stays below 2^51 units
        self.shift = max(0, 50 - math.ceil(math.log2(float(reach)))) if reach else 50
        self.fits = reach * 2**self.shift < 2**52
        self.rounded: list[Any]
        if floats:
            self.pairs = [
                self._shared_table(pair, t) for pair, t in zip(gam.pairs, tables, strict=True)
            ]
            # each value times 2^shift is a float with the same mantissa, below 2^52 when
            # the tables fit: rint rounds it exactly, half to even as Python's round does
            self.rounded = [
                np.rint(np.ldexp(t, self.shift)).astype(np.int64) if self.fits else None
                for t in tables
            ]
        else:
            self.pairs = [self._integers(t) for t in exact]
            self.rounded = [self._rounded(t) for t in exact]
        self._choices: dict[tuple[int, str], _Choice] = {}
        self._blocks: dict[tuple[int, str, bool], Any] = {}

    def _shared_table(self, pair: Any, table: Any) -> Any:
        """:meth:`_exact_table` of a pair term, shared between models holding the same
        term object at the same scale (a model widened for an out-of-range row keeps
        every term whose features it does not widen)."""
        key = ("exact", id(pair), self.scale, self.dtype)
        held = _TERMS.get(key)
        if held is None:
            if len(_TERMS) >= _TERMS_LIMIT:
                _TERMS.clear()
            exact = self._exact_table(table)
            exact.setflags(write=False)  # shared: read it, never change it
            held = _TERMS[key] = (pair, exact)
        return held[1]

    def _exact_table(self, table: Any) -> Any:
        """A float table times ``scale``, exactly. With scale = odd·2^k and 2^k a multiple
        of every float's denominator, moving each exponent by k gives an integer-valued
        float (no bits lost); int() of it and the odd factor are exact integer steps."""
        power = (self.scale & -self.scale).bit_length() - 1
        odd = self.scale >> power
        moved = np.ldexp(table, power)
        if self.dtype is np.int64:
            return moved.astype(np.int64) * odd
        flat = [int(v) * odd for v in moved.reshape(-1).tolist()]
        return np.array(flat, dtype=object).reshape(table.shape)

    def _rounded(self, values: Any) -> Any:
        """Each value times 2^shift rounded to the nearest integer (off by at most ½);
        None when the model's magnitudes leave no room for int64 sums."""
        if not self.fits:
            return None
        grid = np.array(values, dtype=object) * 2**self.shift
        return np.array([round(v) for v in grid.reshape(-1)], dtype=np.int64).reshape(grid.shape)

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
                rounded=self._rounded([c.contribution for c in best.values()]),
            )  # fmt: skip
        return self._choices[key]

    def block(self, p: int, side: str, rounded: bool) -> Any:
        """Pair term p's table over the signatures both its features keep for ``side``
        (exact or rounded), built once per direction."""
        key = (p, side, rounded)
        if key not in self._blocks:
            i, j = self.gam.pairs[p].features
            matrix = self.rounded[p] if rounded else self.pairs[p]
            rows, columns = self.choice(i, side).bins[p], self.choice(j, side).bins[p]
            self._blocks[key] = matrix[np.ix_(rows, columns)]
        return self._blocks[key]


@dataclass(frozen=True)
class _FloatTerm:
    """A pair term whose values are all floats: its table as a float array, the least
    common denominator of its entries and its largest magnitude (exact)."""

    table: Any
    denominator: int
    reach: Fraction


_TERMS: dict[Any, Any] = {}
"""Per pair term object (pinned in the value, so its id stays unique) what
:class:`_Scaled` derives from it alone, shared between the models that hold the term."""

_TERMS_LIMIT = 4096


def _float_term(pair: Any) -> _FloatTerm | None:
    """The term's float data, or None when some value is no float (read once per term)."""
    key = ("float", id(pair))
    held = _TERMS.get(key)
    if held is None:
        kinds = {type(v) for v in itertools.chain.from_iterable(pair.values)}
        found = None
        if kinds <= {float}:
            table = np.asarray(pair.values, dtype=float)
            table.setflags(write=False)  # shared: read it, never change it
            found = _FloatTerm(
                table, _float_denominator(table), Fraction(float(np.abs(table).max()))
            )
        if len(_TERMS) >= _TERMS_LIMIT:
            _TERMS.clear()
        held = _TERMS[key] = (pair, found)
    return held[1]


def _float_denominator(table: Any) -> int:
    """The least common denominator of a float array's entries (a power of two): with
    v = m·2^e, m = frexp's mantissa in [½, 1), m·2^53 is an integer whose trailing zero
    bits t give v = odd·2^(e − 53 + t), so the denominator is 2^max(0, 53 − e − t)."""
    mantissa, exponent = np.frexp(table[table != 0])
    if mantissa.size == 0:
        return 1
    whole = np.ldexp(mantissa, 53).astype(np.int64)
    zeros = np.log2((whole & -whole).astype(float)).astype(np.int64)
    return 1 << max(0, int((53 - exponent - zeros).max()))


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
        unpaired features' main effects; with ``backend="dual-bound"`` a certified lower
        (upper) bound on it.
    point : tuple of (str, value)
        Values of the free paired features that attain it; empty for a dual bound.
    steps : tuple of Step or None
        The elimination messages (of −score for ``max``) proving no completion does
        better; None when CP-SAT or dual bounds solved it.
    backend : {"variable-elimination", "cp-sat", "dual-bound"}
    dual : DualLeaf or DualBranch or None
        For ``dual-bound``: Lagrangian multipliers per pairwise table, under a tree of
        splits of signatures, whose least leaf bound is sign·``value``
        (thm:pairs-dual-bound); None otherwise.
    """

    side: str
    value: Fraction
    point: tuple[tuple[str, Any], ...]
    steps: tuple[Step, ...] | None
    backend: str
    dual: DualNode | None = None


@dataclass(frozen=True)
class PairWorstCase:
    """Certificate that keeping ``kept`` fixes the prediction of a model with pair terms.

    ``bounds`` are the claimed extremes of the free features in no pair term (as in
    :class:`~gamexplain.algorithms.worst_case.WorstCase`), ``pairs`` the paired part per
    direction; ``low``/``high`` the score's infimum and supremum over the completions, or
    where a part is a dual bound, the certified bound on them that part gives.
    """

    kept: tuple[str, ...]
    bounds: tuple[FeatureBound, ...]
    pairs: tuple[PairBound, ...]
    low: Exact | None
    high: Exact | None


@dataclass(frozen=True)
class _Solved:
    """A paired part solved once: the exact value and point (a crossing point for a dual
    search that found one), for elimination the order and integer messages a
    :class:`PairBound` turns into Fractions on demand, for a dual search its proof."""

    value: Fraction
    point: tuple[tuple[str, Any], ...]
    domains: dict[int, tuple[Signature, ...]]
    order: list[int]
    messages: list[ArrayFactor] | None
    backend: str
    proof: tuple[MinSum, Proof, Fraction] | None = None


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
    backend : {"auto", "variable-elimination", "dual-bound", "cp-sat"}
        ``auto`` eliminates while the tables stay within ``state_limit`` entries and
        decides by dual bounds past it.

    Notes
    -----
    A sufficiency check costs O(n·k^(w+1)) for k signatures per paired feature and
    induced width w of the free interaction graph along the min-fill order
    (thm:pairs-variable-elimination), or a branch and bound over Lagrangian dual bounds
    of O(Σ_e k_u·k_v) per sweep and node (thm:pairs-dual-bound), or one CP-SAT solve
    (thm:pairs-cpsat).
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
        self._warm: dict[str, dict[tuple[int, int], Any]] = {"min": {}, "max": {}}
        self._rests: dict[tuple[frozenset[int], str], tuple[Exact, bool]] = {}
        # the intercept, main effects at x and pair terms at x over one denominator, so
        # the constant of a free set is one integer sum
        exact = [Fraction(gam.intercept), *map(Fraction, self.additive.c)]
        exact += [
            Fraction(pair.values[a][b]) for pair, (a, b) in zip(gam.pairs, self._bins, strict=True)
        ]
        self._denominator = math.lcm(*(v.denominator for v in exact))
        scaled_terms = [v.numerator * (self._denominator // v.denominator) for v in exact]
        self._base = scaled_terms[0]
        self._contributions = scaled_terms[1 : gam.n_features + 1]
        self._pair_at_x = scaled_terms[gam.n_features + 1 :]
        small = backend != "auto" or _full_cost(gam) <= state_limit
        self._auto = "variable-elimination" if small else "dual-bound"
        self.calls = 0

    def _free(self, kept: Iterable[int]) -> list[int]:
        keep = set(kept) | self.problem.fixed
        return [i for i in range(self.problem.gam.n_features) if i not in keep]

    def part(self, free: Iterable[int], side: str) -> PairBound:
        """The paired part's extreme in direction ``side`` with ``free`` features free
        (a certified bound on it when dual bounds decided it)."""
        key = (frozenset(free), side)
        if key not in self._parts:
            solved = self._solve(key[0], side)
            steps, dual, value = None, None, solved.value
            if solved.messages is not None:
                scale = self._scaled.scale
                steps = tuple(
                    Step(v, scope, _fractions(scope, table, solved.domains, scale))
                    for v, (scope, table) in zip(solved.order, solved.messages, strict=True)
                )
            if solved.proof is not None:
                minsum, proof, constant = solved.proof
                dual, bound = certificate(minsum, proof.tree, solved.domains)
                value = constant + (bound if side == "min" else -bound)
            self._parts[key] = PairBound(side, value, solved.point, steps, solved.backend, dual)
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
        backend = self.backend
        if backend == "auto":
            backend = self._auto
            counts = [len(c.signatures) for c in chosen.values()]
            # a free set whose full table is small is eliminated exactly, whatever the model
            if len(counts) * math.prod(counts) <= self.state_limit:
                backend = "variable-elimination"
        if backend == "dual-bound":
            solved = self._dual(free, side, chosen, self._constant(free))
            self._solved[key] = solved
            return solved
        constant, factors = self._factors(free, chosen, sign)
        domains = {j: c.signatures for j, c in chosen.items()}
        order = min_fill_order(sorted(domains), factors)
        sizes = {j: len(d) for j, d in domains.items()}
        messages: list[ArrayFactor] | None = None
        if backend == "cp-sat":
            unary = {j: {s: c.contribution for s, c in zip(d.signatures, d.cells, strict=True)}
                     for j, d in chosen.items()}  # fmt: skip
            exact = factors_of(gam, self.problem.x, free, unary, sign)
            minimum, found = cpsat_minimum({j: list(d) for j, d in domains.items()}, exact)
            value = sign * minimum
            assignment = {j: domains[j].index(found[j]) for j in found}
        else:
            total, assignment, messages = eliminate(sizes, factors, order)
            value = constant + Fraction(sign * total, scaled.scale)
        solved = _Solved(value, self._point(chosen, assignment), domains, order, messages, backend)
        self._solved[key] = solved
        return solved

    def _point(self, chosen: Mapping[int, _Choice], assignment: Mapping[int, int]) -> Any:
        gam = self.problem.gam
        return tuple(
            (gam.features[j].name, chosen[j].cells[assignment[j]].value) for j in sorted(chosen)
        )

    def _dual(
        self,
        free: frozenset[int],
        side: str,
        chosen: Mapping[int, _Choice],
        constant: Fraction,
    ) -> _Solved:
        """Decide the paired part against the prediction's edge by dual bounds and
        branching (:func:`~gamexplain.algorithms.pair_dual.decide`)."""
        scaled = self._scaled
        if not scaled.fits:
            raise UnsupportedQueryError(
                "the pairwise model's scores reach beyond 2^52 in magnitude, too large for "
                "the rounded tables of its dual bounds"
            )
        sign = 1 if side == "min" else -1
        _, rounded = self._factors(free, chosen, sign, rounded=True)
        touched = [p for p, pair in enumerate(self.problem.gam.pairs) if set(pair.features) & free]

        def build() -> tuple[dict[int, Any], list[tuple[int, int, Any]]]:
            exact = self._factors(free, chosen, sign)[1]
            unary = {s[0]: t for s, t in exact if len(s) == 1}
            return unary, [(s[0], s[1], t) for s, t in exact if len(s) == 2]

        def evaluate(assignment: Mapping[int, int]) -> Fraction:
            total = sum(int(c.unary[assignment[j]]) for j, c in chosen.items())
            for p in touched:
                i, j = self.problem.gam.pairs[p].features
                a = chosen[i].bins[p][assignment[i]] if i in free else self._bins[p][0]
                b = chosen[j].bins[p][assignment[j]] if j in free else self._bins[p][1]
                total += int(scaled.pairs[p][a, b])
            return Fraction(sign * total, scaled.scale)

        minsum = MinSum(
            unary={s[0]: t for s, t in rounded if len(s) == 1},
            edges=[(s[0], s[1], t) for s, t in rounded if len(s) == 2],
            shift=scaled.shift,
            summands=len(chosen) + len(touched),
            scale=scaled.scale,
            evaluate=evaluate,
            build=build,
        )
        free_list = sorted(free)

        def crosses(m: Fraction) -> bool:
            return self._gap(free_list, side, constant + sign * m) is not None

        outcome = decide(minsum, crosses, self._warm[side])
        domains = {j: c.signatures for j, c in chosen.items()}
        if isinstance(outcome, Crossing):
            value = constant + sign * outcome.value
            point = self._point(chosen, outcome.assignment)
            return _Solved(value, point, domains, [], None, "dual-bound")
        self._warm[side].update(outcome.warm)
        # a proven bound that does not cross; the certificate's exact one is at least as good
        value = constant + sign * outcome.lower
        return _Solved(value, (), domains, [], None, "dual-bound", (minsum, outcome, constant))

    def _factors(
        self, free: frozenset[int], chosen: Mapping[int, _Choice], sign: int, rounded: bool = False
    ) -> tuple[Fraction, list[ArrayFactor]]:
        """The score minus the free unpaired features' main effects, as a constant and the
        integer factors of sign·(the rest), with the scopes of :func:`factors_of`; the
        factors exact (times the common scale) or ``rounded`` (times 2^shift)."""
        gam = self.problem.gam
        scaled = self._scaled
        constant = self._constant(free)
        tables: dict[tuple[int, ...], Any] = {
            (j,): c.rounded if rounded else c.unary for j, c in chosen.items()
        }
        for p, pair in enumerate(gam.pairs):
            i, j = pair.features
            matrix = scaled.rounded[p] if rounded else scaled.pairs[p]
            bin_i, bin_j = self._bins[p]
            if i in free and j in free:
                scope: tuple[int, ...] = (i, j)
                block = scaled.block(p, "min" if sign > 0 else "max", rounded)
            elif i in free:
                scope, block = (i,), matrix[chosen[i].bins[p], bin_j]
            elif j in free:
                scope, block = (j,), matrix[bin_i, chosen[j].bins[p]]
            else:
                continue
            tables[scope] = tables[scope] + block if scope in tables else block
        return constant, [(scope, sign * table) for scope, table in tables.items()]

    def _constant(self, free: frozenset[int]) -> Fraction:
        """The intercept, the kept main effects and the pair terms of two kept features."""
        gam = self.problem.gam
        total = self._base + sum(c for i, c in enumerate(self._contributions) if i not in free)
        for p, pair in enumerate(gam.pairs):
            if pair.features[0] not in free and pair.features[1] not in free:
                total += self._pair_at_x[p]
        return Fraction(total, self._denominator)

    def _sides(self) -> tuple[str, ...]:
        return self.additive.sides

    def _unpaired(self, free: list[int], side: str) -> tuple[Exact, bool]:
        """The free unpaired features' extremes summed, and whether one is only approached."""
        key = (frozenset(i for i in free if i not in self.paired), side)
        if key not in self._rests:
            self._rests[key] = self._sum_unpaired(key[0], side)
        return self._rests[key]

    def _sum_unpaired(self, free: Iterable[int], side: str) -> tuple[Exact, bool]:
        total: Exact = Fraction(0)
        loose = False
        for i in free:
            if i not in self.paired:
                e = self.additive.extremum(i, side)
                total = total + e.value
                loose = loose or not e.attained
        return total, loose

    def _excess(self, free: list[int], side: str) -> Exact | None:
        """How far the worst case passes the prediction's edge; None when it keeps it."""
        return self._gap(free, side, self._solve(frozenset(free), side).value)

    def _gap(self, free: list[int], side: str, part: Exact) -> Exact | None:
        """How far the score's extreme passes the prediction's edge when the paired part
        is ``part``; None when it keeps it."""
        rest, loose = self._unpaired(free, side)
        value = part + rest
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
        parts = {side: self.part(free, side) for side in self._sides()}
        ends = {side: parts[side].value + self._unpaired(free, side)[0] for side in parts}
        names = tuple(f.name for i, f in enumerate(gam.features) if i not in free)
        return PairWorstCase(
            kept=names,
            bounds=tuple(bounds),
            pairs=tuple(parts.values()),
            low=ends.get("min"),
            high=ends.get("max"),
        )


@functools.lru_cache(maxsize=16)
def pair_oracle(problem: Problem, backend: str = "auto") -> PairOracle:
    """The :class:`PairOracle` of a problem, shared by every caller (problems hash by
    identity)."""
    return PairOracle(problem, backend)


def elimination_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when the model reduces to cells and eliminating every paired feature builds
    at most :data:`STATE_LIMIT` table entries, else why not."""
    refused = pairwise_applies(gam, options)
    if refused is not None:
        return refused
    cost = _full_cost(gam)
    if cost > STATE_LIMIT:
        return (
            f"eliminating the {len(paired(gam))} paired features would build {cost:.3g} table "
            f"entries, more than {STATE_LIMIT:,}"
        )
    return None


@functools.lru_cache(maxsize=64)
def _full_cost(gam: Any) -> int:
    """Table entries of eliminating every paired feature along the min-fill order."""
    sizes = {j: len(signatures(gam, j, "min")) for j in paired(gam)}
    scopes: list[Any] = [(tuple(pair.features), {}) for pair in gam.pairs]
    order = min_fill_order(sorted(sizes), scopes)
    return table_cost(order, scopes, sizes)


@register_algorithm(
    "csr", "variable-elimination",
    summary="exact worst case over cells of the paired features by variable elimination "
    "along a min-fill order, while its tables stay small",
    theorem="thm:pairs-variable-elimination", priority=30, applies=elimination_applies,
)  # fmt: skip
def csr_pairwise(problem: Problem, kept: frozenset[int], time_limit: float | None = None) -> bool:
    """Whether keeping ``kept`` fixes the prediction of a model with pairwise terms.

    Notes
    -----
    O(n·k^(w+1)) for k signatures per paired feature and induced width w
    (thm:pairs-variable-elimination); dual bounds where a free set's tables pass
    :data:`STATE_LIMIT` (thm:pairs-dual-bound).
    """
    return pair_oracle(problem).sufficient(kept)


@register_algorithm(
    "csr", "dual-bound",
    summary="Lagrangian dual bounds over the pair terms, found in floats on rounded tables "
    "and certified in rationals, with branch and bound until the prediction is decided",
    theorem="thm:pairs-dual-bound", priority=35, applies=pairwise_applies,
)  # fmt: skip
def csr_dual(problem: Problem, kept: frozenset[int], time_limit: float | None = None) -> bool:
    """Whether keeping ``kept`` fixes the prediction of a model with pairwise terms, by
    dual bounds and branching (:mod:`gamexplain.algorithms.pair_dual`).

    Notes
    -----
    O(Σ_e k_u·k_v) per sweep of block-coordinate ascent and node of the branch and
    bound, exponential in the worst case only through the branching (thm:pairs-dual-bound).
    """
    return pair_oracle(problem, "dual-bound").sufficient(kept)
