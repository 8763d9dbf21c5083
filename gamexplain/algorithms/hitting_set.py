"""Enumeration of subset-minimal reasons by hitting-set duality over a SAT oracle.

Every subset-minimal sufficient reason hits every contrastive reason and vice versa
(each family is the set of minimal hitting sets of the other). A SAT solver holds the
part of the subset lattice not yet explained: a clause ¬s_1 ∨ … ∨ ¬s_k blocks the
supersets of each sufficient reason found, a clause s_1 ∨ … ∨ s_k blocks the subsets of
the complement of each contrastive reason. Each model of the solver is a seed that is
shrunk (deletion) to a new sufficient reason or grown to the complement of a new
contrastive reason (the MARCO scheme). This covers what the polynomial-delay search does
not: regression's two constraints and models with pairwise terms (enumeration oracle).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from gamexplain.algorithms.brute_reasons import oracle_applies, oracle_for
from gamexplain.algorithms.worst_case import Problem
from gamexplain.complexity.registry import register_algorithm
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["enum_cr_hitting_set", "enum_sr_hitting_set", "marco"]

Event = tuple[str, frozenset[int]]


def marco(problem: Problem, time_limit: float | None = None) -> Generator[Event, None, str]:
    """Every subset-minimal sufficient ("sr") and contrastive ("cr") reason, interleaved.

    Returns (as the generator's value) ``"solved"`` when both families are complete,
    ``"time_limit"`` when the time ran out first.

    Notes
    -----
    One SAT call and at most n oracle calls per reason found, plus one final SAT call
    (thm:enum-hitting-set). The number of SAT calls is |sufficient| + |contrastive| + 1,
    which can exceed the size of either family exponentially. Stops with
    ``"time_limit"`` when the query's deadline (:mod:`gamexplain.substrate.deadline`) passes.
    """
    from pysat.solvers import Solver

    var = {i: k + 1 for k, i in enumerate(problem.free)}
    with Solver(name="g3") as solver:
        while solver.solve():
            try:
                found = _next_reason(problem, solver, var)
            except OutOfTime:
                return "time_limit"
            yield found
            kind, reason = found
            if kind == "sr" and reason == problem.fixed:
                return "solved"
            if kind == "sr":
                solver.add_clause([-var[i] for i in reason - problem.fixed])
            else:
                solver.add_clause([var[i] for i in reason])
    return "solved"


def _next_reason(problem: Problem, solver: Any, var: dict[int, int]) -> Event:
    """Shrink the solver's model to a sufficient reason or grow it to the complement of a
    contrastive one; raises :class:`~gamexplain.substrate.deadline.OutOfTime` past the
    deadline."""
    oracle = oracle_for(problem)
    free = problem.free
    deadline.check()
    chosen = {lit for lit in solver.get_model() or [] if lit > 0}
    seed = {i for i in free if var[i] in chosen}
    if oracle.sufficient(seed):
        for i in sorted(seed):
            deadline.check()
            if oracle.sufficient(seed - {i}):
                seed.discard(i)
        return "sr", frozenset(seed) | problem.fixed
    for i in free:
        deadline.check()
        if i not in seed and not oracle.sufficient(seed | {i}):
            seed.add(i)
    return "cr", frozenset(free) - seed


def _only(kind: str, events: Generator[Event, None, str]) -> Generator[frozenset[int], None, str]:
    status = yield from _filter(kind, events)
    return status


def _filter(kind: str, events: Generator[Event, None, str]) -> Generator[frozenset[int], None, str]:
    while True:
        try:
            found, reason = next(events)
        except StopIteration as stop:
            return str(stop.value)
        if found == kind:
            yield reason


_SUMMARY = "hitting-set duality with a SAT solver (MARCO); one SAT call per reason"


@register_algorithm(
    "enum-sr", "hitting-set", summary=_SUMMARY, theorem="thm:enum-hitting-set", priority=20,
    applies=oracle_applies,
)  # fmt: skip
def enum_sr_hitting_set(problem: Problem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal sufficient reason (see :func:`marco`)."""
    return _only("sr", marco(problem, time_limit))


@register_algorithm(
    "enum-cr", "hitting-set", summary=_SUMMARY, theorem="thm:enum-hitting-set", priority=20,
    applies=oracle_applies,
)  # fmt: skip
def enum_cr_hitting_set(problem: Problem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal contrastive reason (see :func:`marco`)."""
    return _only("cr", marco(problem, time_limit))
