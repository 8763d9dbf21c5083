"""Reasons by hitting-set duality over one sufficiency oracle.

Every sufficient set meets every contrastive set and vice versa; the subset-minimal
sufficient reasons are exactly the minimal hitting sets of the subset-minimal contrastive
reasons, and the other way round. Three loops use this over any
:class:`SufficiencyOracle` (the per-feature primitive of additive models, the pairwise
worst case over cells, enumeration):

* :func:`minimum_sufficient`: a minimum hitting set of the contrastive sets found so far
  is a lower bound; it is optimal once sufficient, else it grows to a new contrastive set;
* :func:`minimum_contrastive`: the dual, over the sufficient reasons found so far;
* :func:`marco`: every subset-minimal reason of both kinds (the MARCO scheme).

The hitting-set solver of the two minimum loops is python-sat's incremental
:class:`~pysat.examples.hitman.Hitman` on RC2: one MaxSAT solver per search, each new set
added as a hard clause between calls. MARCO keeps one SAT solver. Every loop honours the
query's deadline (:mod:`gamexplain.substrate.deadline`) and its own ``time_limit``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Generator, Iterable, Iterator
from typing import Any, Protocol

from gamexplain.algorithms.brute_reasons import oracle_applies, oracle_for
from gamexplain.algorithms.pair_cells import pairwise_applies
from gamexplain.algorithms.worst_case import Answer, Problem
from gamexplain.complexity.registry import register_algorithm
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "ENUMERATE_BUDGET",
    "SufficiencyOracle",
    "enum_cr_hitting_set",
    "enum_sr_hitting_set",
    "grow",
    "marco",
    "mcr_hitting_set",
    "minimum_contrastive",
    "minimum_sufficient",
    "msr_hitting_set",
    "only",
    "shrink",
]

Event = tuple[str, frozenset[int]]

ENUMERATE_BUDGET = 500
"""Most subsets of one size a minimum contrastive search on a pair model tries one by one
before its hitting sets (all pairs of up to 32 free features)."""


class SufficiencyOracle(Protocol):
    """What the hitting-set loops ask of a model: positions in, exact answers out."""

    def sufficient(self, kept: Iterable[int]) -> bool:
        """Whether keeping ``kept`` (and the fixed features) fixes the prediction."""
        ...

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        """A point agreeing with x on ``kept`` that changes the prediction, or None."""
        ...

    def worst_case(self, kept: Iterable[int]) -> Any:
        """The certificate that keeping ``kept`` fixes the prediction."""
        ...


class _Counted:
    """An oracle that counts the sufficiency questions asked (an answer's ``work``)."""

    def __init__(self, oracle: SufficiencyOracle) -> None:
        self.oracle = oracle
        self.calls = 0

    def sufficient(self, kept: Iterable[int]) -> bool:
        deadline.check()
        self.calls += 1
        return self.oracle.sufficient(kept)

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        return self.oracle.counterexample(kept)

    def worst_case(self, kept: Iterable[int]) -> Any:
        return self.oracle.worst_case(kept)


def shrink(oracle: SufficiencyOracle, kept: Iterable[int], free: Iterable[int]) -> frozenset[int]:
    """A subset-minimal sufficient subset of the sufficient set ``kept`` (deletion: drop
    each free feature whose removal keeps it sufficient; sufficiency is monotone)."""
    chosen = set(kept)
    for i in free:
        if i in chosen and oracle.sufficient(chosen - {i}):
            chosen.discard(i)
    return frozenset(chosen)


def grow(
    oracle: SufficiencyOracle,
    seed: Iterable[int],
    free: Iterable[int],
    x: tuple[Any, ...] | None = None,
) -> frozenset[int]:
    """A maximal insufficient superset of the insufficient set ``seed``: its complement in
    ``free`` is a subset-minimal contrastive reason.

    Given the instance ``x``, every free feature on which a counterexample agrees with x
    joins at once: the counterexample still changes the prediction with it kept, so the
    set stays insufficient without asking the oracle."""
    free = list(free)
    chosen = set(seed)
    if x is not None:
        chosen |= _agreeing(oracle, chosen, free, x)
    for i in free:
        if i not in chosen and not oracle.sufficient(chosen | {i}):
            chosen.add(i)
            if x is not None:
                chosen |= _agreeing(oracle, chosen, free, x)
    return frozenset(chosen)


def _agreeing(
    oracle: SufficiencyOracle, kept: set[int], free: list[int], x: tuple[Any, ...]
) -> set[int]:
    """The free features on which a counterexample to the insufficient ``kept`` equals x."""
    z = oracle.counterexample(kept)
    if z is None or len(z) != len(x):  # not a point of the model: nothing to compare
        return set()
    return {i for i in free if i < len(x) and _same(z[i], x[i])}


def _same(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def _hitman() -> Any:
    """An incremental minimum hitting-set solver (one RC2 kept across calls)."""
    from pysat.examples.hitman import Hitman

    return Hitman(htype="rc2")


def minimum_sufficient(
    problem: Problem, oracle: SufficiencyOracle, time_limit: float | None = None
) -> Answer:
    """A minimum-size sufficient reason by implicit hitting sets of contrastive sets.

    Notes
    -----
    A minimum hitting set of the contrastive sets found so far is a lower bound on the
    free part of any sufficient reason; when it is sufficient it is optimal, otherwise
    :func:`grow` turns it into a new contrastive set it misses, and then the hitting set
    with that set added into another, disjoint one, until the union is sufficient (the
    disjoint-cores phase of MaxHS, Davies and Bacchus, CP 2011). At most one MaxSAT call
    per round and n sufficiency checks per contrastive set found (thm:pairs-hitting-set).
    ``cores`` records each contrastive set with a point that changes only it and flips.
    Past the deadline or ``time_limit`` the answer is stopped with no reason: the last
    lower bound and the cores so far.
    """
    counted = _Counted(oracle)
    free = problem.free
    cores: list[tuple[frozenset[int], Any]] = []
    lower = 0
    try:
        with deadline.limit(time_limit), _hitman() as hitman:
            while True:
                hitting = frozenset(hitman.get())
                lower = len(hitting)
                if counted.sufficient(hitting):
                    return Answer(hitting | problem.fixed, work=counted.calls, cores=tuple(cores))
                # contrastive sets disjoint from each other while the union stays
                # insufficient: each one the hitting set misses, so each raises the bound
                taken = hitting
                while not counted.sufficient(taken):
                    seed = grow(counted, taken, free, problem.x)
                    core = frozenset(free) - seed
                    # the record verify re-checks: changing this set alone flips, at this point
                    cores.append((core, counted.counterexample(seed)))
                    hitman.hit(sorted(core))
                    taken = taken | core
    except OutOfTime:
        # the query finds a subset-minimal reason in its grace time
        return Answer(None, "time_limit", lower + len(problem.fixed), None,
                      work=counted.calls, cores=tuple(cores))  # fmt: skip


def minimum_contrastive(
    problem: Problem,
    oracle: SufficiencyOracle,
    time_limit: float | None = None,
    enumerate_budget: int = 0,
) -> Answer:
    """A minimum-size contrastive reason by implicit hitting sets of sufficient reasons
    (``Answer(None)`` when keeping only the fixed features is already sufficient).

    Notes
    -----
    Changing C can flip exactly when the other features are not sufficient, that is when
    C meets every sufficient reason: a minimum hitting set of the subset-minimal
    sufficient reasons found so far is a lower bound, optimal once freeing it flips;
    otherwise the kept rest shrinks (:func:`shrink`) to a new sufficient reason it misses,
    and what is left of the rest without it into another while it stays sufficient
    (disjoint cores, as in :func:`minimum_sufficient`; thm:pairs-hitting-set). ``cores``
    records each sufficient reason with its worst case. Past the deadline or
    ``time_limit`` the answer is stopped with no reason.

    With ``enumerate_budget``, the sizes k = 1, 2, … whose C(|free|, k) subsets fit the
    budget are first tried one by one (:func:`_by_size`): the first that flips is a
    minimum, and the kept rest of every subset of the size below, each sufficient, is a
    core that no smaller set hits. Those cores seed the hitting sets when no small set
    flips. At most Σ_k C(|free|, k) sufficiency checks, each on a small free set.
    """
    counted = _Counted(oracle)
    free = problem.free
    cores: list[tuple[frozenset[int], Any]] = []
    lower = 1
    try:
        with deadline.limit(time_limit), _hitman() as hitman:
            if counted.sufficient(()):
                return Answer(None, work=counted.calls)
            found, level = _by_size(problem, counted, enumerate_budget)
            cores += [(kept, counted.worst_case(kept)) for kept in level]
            if found is not None:
                return Answer(found, work=counted.calls, cores=tuple(cores))
            for kept, _ in cores:
                hitman.hit(sorted(kept - problem.fixed))
            while True:
                hitting = frozenset(hitman.get())
                lower = max(len(hitting), 1)
                rest = problem.all_features - hitting
                if not counted.sufficient(rest):
                    return Answer(hitting, work=counted.calls, cores=tuple(cores))
                # sufficient reasons disjoint off the fixed features while what is left
                # stays sufficient: the hitting set misses each, so each raises the bound
                while counted.sufficient(rest):
                    kept = shrink(counted, rest, free)
                    # the record verify re-checks: keeping this set fixes the prediction
                    cores.append((kept, counted.worst_case(kept)))
                    hitman.hit(sorted(kept - problem.fixed))
                    rest = rest - (kept - problem.fixed)
    except OutOfTime:
        return Answer(None, "time_limit", lower, None, work=counted.calls, cores=tuple(cores))


def _by_size(
    problem: Problem, oracle: SufficiencyOracle, budget: int
) -> tuple[frozenset[int] | None, list[frozenset[int]]]:
    """The first set of the smallest size that flips, trying every free subset of sizes
    1, 2, … while C(|free|, size) ≤ ``budget``; with the kept rests of every subset one
    size below (each sufficient), or of the last size tried when none flipped."""
    free = sorted(problem.free)
    everything = problem.all_features
    below: list[frozenset[int]] = []
    size = 1
    while size <= len(free) and math.comb(len(free), size) <= budget:
        rests = []
        for combo in itertools.combinations(free, size):
            rest = everything - frozenset(combo)
            if not oracle.sufficient(rest):
                return frozenset(combo), below
            rests.append(rest)
        below, size = rests, size + 1
    return None, below


def marco(
    problem: Problem, oracle: SufficiencyOracle, time_limit: float | None = None
) -> Generator[Event, None, str]:
    """Every subset-minimal sufficient ("sr") and contrastive ("cr") reason, interleaved.

    Returns (as the generator's value) ``"solved"`` when both families are complete,
    ``"time_limit"`` when the time ran out first.

    Notes
    -----
    A SAT solver holds the part of the subset lattice not yet explained: a clause
    ¬s_1 ∨ … ∨ ¬s_k blocks the supersets of each sufficient reason found, a clause
    s_1 ∨ … ∨ s_k the subsets of the complement of each contrastive reason. Each model is
    a seed that shrinks to a new sufficient reason or grows to the complement of a new
    contrastive one. One SAT call and at most n oracle calls per reason found, plus one
    final SAT call (thm:enum-hitting-set); the number of SAT calls is |sufficient| +
    |contrastive| + 1, which can exceed the size of either family exponentially. The
    deadline is re-entered around each step, never held across a ``yield``.
    """
    from pysat.solvers import Solver

    instant = None if time_limit is None else time.monotonic() + time_limit
    var = {i: k + 1 for k, i in enumerate(problem.free)}
    with Solver(name="g3") as solver:
        while solver.solve():
            try:
                with deadline.limit_at(instant):
                    kind, reason = _next_reason(problem, oracle, solver, var)
            except OutOfTime:
                return "time_limit"
            yield kind, reason
            if kind == "sr" and reason == problem.fixed:
                return "solved"
            if kind == "sr":
                solver.add_clause([-var[i] for i in reason - problem.fixed])
            else:
                solver.add_clause([var[i] for i in reason])
    return "solved"


def _next_reason(
    problem: Problem, oracle: SufficiencyOracle, solver: Any, var: dict[int, int]
) -> Event:
    """The solver's model shrunk to a sufficient reason or grown to the complement of a
    contrastive one."""
    counted = _Counted(oracle)
    free = problem.free
    chosen = {lit for lit in solver.get_model() or [] if lit > 0}
    seed = {i for i in free if var[i] in chosen}
    if counted.sufficient(seed):
        return "sr", shrink(counted, seed, sorted(seed)) | problem.fixed
    return "cr", frozenset(free) - grow(counted, seed, free, problem.x)


def only(kind: str, events: Generator[Event, None, str]) -> Generator[frozenset[int], None, str]:
    """The reasons of one ``kind`` ("sr" or "cr") among :func:`marco`'s events; the
    generator's value is marco's status."""
    while True:
        try:
            found, reason = next(events)
        except StopIteration as stop:
            return str(stop.value)
        if found == kind:
            yield reason


_SUMMARY_MSR = (
    "implicit hitting sets: a minimum hitting set (incremental RC2 MaxSAT) of the "
    "contrastive sets found so far, each checked exactly by the pairwise worst case "
    "(variable elimination, or dual bounds with branch and bound past its budget)"
)


@register_algorithm(
    "msr", "hitting-set", summary=_SUMMARY_MSR, theorem="thm:pairs-hitting-set", priority=30,
    applies=pairwise_applies,
)  # fmt: skip
def msr_hitting_set(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient reason of a model with pairwise terms
    (:func:`minimum_sufficient` over the pairwise worst case, thm:pairs-hitting-set)."""
    return minimum_sufficient(problem, oracle_for(problem), time_limit)


@register_algorithm(
    "mcr", "hitting-set", summary=_SUMMARY_MSR.replace("contrastive", "sufficient"),
    theorem="thm:pairs-hitting-set", priority=30, applies=pairwise_applies,
)  # fmt: skip
def mcr_hitting_set(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size contrastive reason of a model with pairwise terms, None if none
    (:func:`minimum_contrastive` over the pairwise worst case, thm:pairs-hitting-set)."""
    return minimum_contrastive(problem, oracle_for(problem), time_limit, ENUMERATE_BUDGET)


_SUMMARY = "hitting-set duality with a SAT solver (MARCO); one SAT call per reason"


@register_algorithm(
    "enum-sr", "hitting-set", summary=_SUMMARY, theorem="thm:enum-hitting-set", priority=20,
    applies=oracle_applies,
)  # fmt: skip
def enum_sr_hitting_set(problem: Problem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal sufficient reason (see :func:`marco`)."""
    return only("sr", marco(problem, oracle_for(problem), time_limit))


@register_algorithm(
    "enum-cr", "hitting-set", summary=_SUMMARY, theorem="thm:enum-hitting-set", priority=20,
    applies=oracle_applies,
)  # fmt: skip
def enum_cr_hitting_set(problem: Problem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal contrastive reason (see :func:`marco`)."""
    return only("cr", marco(problem, oracle_for(problem), time_limit))
