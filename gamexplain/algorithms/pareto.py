"""Minimum-size sufficient reasons in regression: a two-constraint knapsack, solved exactly.

In regression with tolerance δ, freeing a set F of features is safe iff both the pushes
up and the pushes down stay within δ: Σ_{i∈F} up_i ≤ δ and Σ_{i∈F} down_i ≤ δ. Freeing as
many features as possible under two such constraints is NP-hard (``proofs/errata.md``,
thm:msr-regression-np), so no sorting argument can work. This module keeps, for every
count k of freed features, the Pareto frontier of the achievable (Σ up, Σ down) pairs;
it is exact, fast when the pushes are few or alike, and exponential in the worst case.
"""

from __future__ import annotations

from fractions import Fraction

from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    Answer,
    Problem,
    additive_applies,
    additive_oracle,
    sort_lex,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import Exact, compare
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["msr_pareto"]

_Entry = tuple[Exact, Exact, frozenset[int]]


@register_algorithm(
    "msr",
    "pareto",
    summary="Pareto frontier of (Σ up, Σ down) per number of freed features; exponential "
    "in the worst case",
    theorem="thm:msr-regression-np",
    priority=20,
    solves=lambda cell: cell.task == "regression",
    applies=additive_applies,
)
def msr_pareto(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient reason of a regression with tolerance δ.

    Notes
    -----
    frontier[k] holds the Pareto-minimal (Σ up, Σ down) pairs of k freed features within
    δ; adding a feature extends every frontier by one. The frontiers can grow
    exponentially (the problem is NP-hard, thm:msr-regression-np). When ``time_limit``
    runs out, the answer is the best set found with the bracket [lower, upper] on the
    optimum size, where the lower bound relaxes one of the two constraints. The loops
    read the query's deadline (:mod:`gamexplain.substrate.deadline`), not ``time_limit``.
    """
    oracle = additive_oracle(problem)
    delta = oracle.tolerance
    free = problem.free
    frontier: list[list[_Entry]] = [[(Fraction(0), Fraction(0), frozenset())]]
    pushes = {i: (oracle.push(i, "max"), oracle.push(i, "min")) for i in free}
    work = 0
    try:
        for i in free:
            up, down = pushes[i]
            for k in range(len(frontier) - 1, -1, -1):
                deadline.check()
                grown = [
                    (u + up, d + down, chosen | {i})
                    for u, d, chosen in frontier[k]
                    if compare(u + up, delta) <= 0 and compare(d + down, delta) <= 0
                ]
                work += len(frontier[k])
                if not grown:
                    continue
                if k + 1 == len(frontier):
                    frontier.append([])
                # every entry of every frontier stays a safe freed set, even if cut here
                frontier[k + 1] = _pareto(frontier[k + 1] + grown)
    except OutOfTime:
        return _stopped(problem, oracle, frontier, work)
    best = frontier[-1][0][2]
    return Answer(problem.all_features - best, work=work)


def _pareto(entries: list[_Entry]) -> list[_Entry]:
    """The entries no other entry beats in both sums."""
    kept: list[_Entry] = []
    for entry in entries:
        deadline.check()
        if any(_dominates(other, entry) for other in kept):
            continue
        kept = [other for other in kept if not _dominates(entry, other)]
        kept.append(entry)
    return kept


def _dominates(a: _Entry, b: _Entry) -> bool:
    return compare(a[0], b[0]) <= 0 and compare(a[1], b[1]) <= 0


def _stopped(
    problem: Problem, oracle: AdditiveOracle, frontier: list[list[_Entry]], work: int
) -> Answer:
    """The best set found so far, shrunk to subset-minimal, with sound bounds on the
    optimum size."""
    kept = set(problem.all_features - frontier[-1][0][2])
    for i in problem.free:
        if i in kept and oracle.sufficient(kept - {i}):
            kept.discard(i)
    relaxed = min(_most_freed(oracle, side) for side in oracle.sides)
    return Answer(
        frozenset(kept),
        status="time_limit",
        lower=problem.gam.n_features - relaxed,
        upper=len(kept),
        work=work,
    )


def _most_freed(oracle: AdditiveOracle, side: str) -> int:
    """How many features one constraint alone lets free (smallest pushes first)."""
    pushes = {i: oracle.push(i, side) for i in oracle.problem.free}
    total: Exact = Fraction(0)
    for k, i in enumerate(sort_lex(pushes, lambda i: (pushes[i], 0))):
        total = total + pushes[i]
        if compare(total, oracle.tolerance) > 0:
            return k
    return len(pushes)
