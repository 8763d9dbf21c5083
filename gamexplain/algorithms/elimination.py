"""Min-sum variable elimination over integer tables, and its dual certificate.

Variable elimination along a min-fill order from networkx, on numpy arrays of integers
(every table scaled by one common denominator, so sums and minima are exact); its
messages, turned back into Fractions, double as a *dual certificate*: every message
bounds the factors it replaces from below, which :func:`check_messages` re-checks
inequality by inequality (thm:pairs-variable-elimination).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.algorithms.pair_cells import Factor, Signature, Table, factor_at
from gamexplain.substrate import deadline

__all__ = ["ArrayFactor", "Step", "check_messages", "eliminate", "min_fill_order", "table_cost"]

ArrayFactor = tuple[tuple[int, ...], Any]
"""A factor as an integer array (numpy int64, or Python ints in an object array) with
one axis per scope feature, indexed by signature position."""


@dataclass(frozen=True)
class Step:
    """One elimination: the message over ``scope`` that replaced every factor holding
    ``variable``; each entry is at most the sum of those factors for every signature of
    ``variable`` (equal to their minimum when computed by elimination)."""

    variable: int
    scope: tuple[int, ...]
    table: Table


def min_fill_order(variables: list[int], factors: list[Factor]) -> list[int]:
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


def table_cost(order: list[int], factors: list[Factor], sizes: Mapping[int, int]) -> int:
    scopes = [set(s) for s, _ in factors]
    cost = 0
    for v in order:
        bucket = [s for s in scopes if v in s]
        merged = set().union(*bucket) if bucket else {v}
        cost += math.prod(sizes[u] for u in merged)
        scopes = [s for s in scopes if v not in s] + [merged - {v}]
    return cost


def eliminate(
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
                if sum((factor_at(f, given) for f in bucket), Fraction(0)) < bound:
                    return None
        pool.append((step.scope, step.table))
    if any(scope for scope, _ in pool):
        return None
    return sum((table[()] for _, table in pool), Fraction(0))
