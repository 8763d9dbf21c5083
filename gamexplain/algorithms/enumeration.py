"""Enumeration of every subset-minimal sufficient and contrastive reason, with
polynomial delay, for purely additive classifiers.

Both families are the subset-minimal *covers* of one threshold: S is a sufficient
reason iff the weights of the features it keeps exceed Σ_free w − B, and C is a
contrastive reason iff the weights of the features it changes reach B (B the budget of
:class:`~gamexplain.algorithms.worst_case.AdditiveOracle`). Minimal covers of a single
threshold are listed by a depth-first search over the features sorted by weight, which
only enters a branch that still holds a minimal cover (Marques-Silva et al., NeurIPS
2020). ``fixed`` features only shift the budget, so they are no obstacle here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

from gamexplain.algorithms.worst_case import (
    Lex,
    Problem,
    additive_applies,
    additive_oracle,
    lex_add,
    lex_compare,
    lex_sum,
    sort_lex,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.substrate import deadline

__all__ = ["enum_cr_delay", "enum_sr_delay", "minimal_covers"]


def minimal_covers(
    weights: dict[int, Lex], covers: Callable[[Lex], bool]
) -> Iterator[frozenset[int]]:
    """Every subset-minimal set whose total weight ``covers`` the threshold.

    ``covers`` must be monotone (a heavier total covers too) and the weights
    nonnegative.

    Notes
    -----
    Sort the items by weight descending. A partial choice I (over a prefix) that does not
    cover yet extends to a minimal cover iff I plus every remaining item covers: add the
    remaining items in order until covering; the last one added is the lightest, and
    before it the total did not cover. A choice that covers is minimal iff dropping its
    lightest item uncovers it. So every node of the search leads to an answer within n
    steps: O(n) delay after an O(n log n) sort (thm:enum-additive). Raises
    :class:`~gamexplain.substrate.deadline.OutOfTime` past the query's deadline.
    """
    order = sort_lex(weights, weights.__getitem__, reverse=True)
    suffix = [lex_sum(weights[i] for i in order[k:]) for k in range(len(order) + 1)]
    stack: list[tuple[int, tuple[int, ...], Lex]] = [(0, (), (Fraction(0), 0))]
    while stack:
        deadline.check()
        k, chosen, total = stack.pop()
        if covers(total):
            lightest = weights[chosen[-1]] if chosen else None
            if lightest is None or not covers((total[0] - lightest[0], total[1] - lightest[1])):
                yield frozenset(chosen)
            continue
        if k == len(order) or not covers(lex_add(total, suffix[k])):
            continue
        i = order[k]
        stack.append((k + 1, chosen, total))
        stack.append((k + 1, (*chosen, i), lex_add(total, weights[i])))


def _classifies(cell: object) -> bool:
    return getattr(cell, "task", None) == "classification"


@register_algorithm(
    "enum-sr",
    "polynomial-delay",
    summary="depth-first search over features sorted by weight; O(n) delay",
    theorem="thm:enum-additive",
    priority=10,
    solves=_classifies,
    applies=additive_applies,
)
def enum_sr_delay(problem: Problem, time_limit: float | None = None) -> Iterator[frozenset[int]]:
    """Every subset-minimal sufficient reason of an additive classifier (with ``fixed``)."""
    oracle = additive_oracle(problem)
    weights = {i: oracle.weight(i) for i in problem.free}
    total = lex_sum(weights.values())
    target = (total[0] - oracle.budget[0], total[1] - oracle.budget[1])
    for kept in minimal_covers(weights, lambda s: lex_compare(s, target) > 0):
        yield kept | problem.fixed


@register_algorithm(
    "enum-cr",
    "polynomial-delay",
    summary="depth-first search over features sorted by weight; O(n) delay",
    theorem="thm:enum-additive",
    priority=10,
    solves=_classifies,
    applies=additive_applies,
)
def enum_cr_delay(problem: Problem, time_limit: float | None = None) -> Iterator[frozenset[int]]:
    """Every subset-minimal contrastive reason of an additive classifier."""
    oracle = additive_oracle(problem)
    weights = {i: oracle.weight(i) for i in problem.free}
    yield from minimal_covers(weights, lambda s: lex_compare(s, oracle.budget) >= 0)
