"""Lagrangian dual bounds and branch and bound for the pairwise min-sum problem.

The min-sum problem of :mod:`gamexplain.algorithms.pairwise` (one discrete variable per
free paired feature, unary and pairwise tables) is decided against a target here without
scaling it exactly: the tables are rounded once to integers on a power-of-two grid
(:class:`MinSum`), small enough for int64, and every bound is corrected by the largest
error the rounding can hide. A bound comes from the dual of the local-polytope
relaxation: multipliers λ move mass from each pairwise table to its two variables, and

    Σ_v min_s [θ_v(s) + Σ_e λ_e→v(s)] + Σ_(u,v) min_(s,t) [θ_uv(s,t) − λ_e→u(s) − λ_e→v(t)]

bounds the minimum from below for *any* λ (thm:pairs-dual-bound). λ is found in floats by
block-coordinate ascent (the MPLP edge update of Globerson and Jaakkola, NIPS 2007) and
stored as integers, so the bound is recomputed exactly. Where one bound does not clear
the target, a variable's signatures split in two and each half gets its own bound
(branch and bound); a completion found on the way (decoding plus iterated conditional
modes) is evaluated exactly and ends the search when it crosses. The leaves' multipliers
form a certificate that :mod:`gamexplain.certify.reasons` re-checks in exact rationals in
time linear in the tables per leaf.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.substrate import deadline

__all__ = ["Crossing", "DualBranch", "DualLeaf", "MinSum", "Proof", "certificate", "decide"]

Multipliers = dict[tuple[int, ...], tuple[dict[Any, Fraction], dict[Any, Fraction]]]

_CHECKPOINTS = (0, 2, 6, 14, 30, 60)
"""Sweeps of block-coordinate ascent after which a node's bound is recomputed exactly."""


@dataclass(frozen=True)
class DualLeaf:
    """Multipliers proving a lower bound over the signatures left at this leaf.

    ``multipliers`` maps each pairwise scope (u, v) to (λ toward u, λ toward v), each a
    dict from signature to Fraction; a signature left out has multiplier 0.
    """

    multipliers: Multipliers


@dataclass(frozen=True)
class DualBranch:
    """A split of ``variable``'s signatures into ``parts``, each with its own proof."""

    variable: int
    parts: tuple[tuple[tuple[Any, ...], DualNode], ...]


DualNode = DualLeaf | DualBranch


@dataclass
class MinSum:
    """A pairwise min-sum problem, rounded to integer units of 2^-shift and exactly.

    ``unary[v]`` (int64, one entry per signature of v) and ``edges`` as (u, v, table)
    with u < v are the rounded tables; ``summands`` counts the rounded tables added into
    them (each off by at most half a unit), so any bound of the rounded tables is within
    ``summands``/2 units of the same bound of the true ones. ``exact_unary`` and
    ``exact_edges`` are the true tables times ``scale`` (integers, int64 or Python ints);
    a caller may leave them to ``build`` (called once, when a certificate needs them) and
    give ``evaluate``, the true value at an assignment, instead.
    """

    unary: dict[int, Any]
    edges: list[tuple[int, int, Any]]
    shift: int
    summands: int
    scale: int
    exact_unary: dict[int, Any] | None = None
    exact_edges: list[tuple[int, int, Any]] | None = None
    evaluate: Callable[[Mapping[int, int]], Fraction] | None = None
    build: Callable[[], tuple[dict[int, Any], list[tuple[int, int, Any]]]] | None = None

    def tables(self) -> tuple[dict[int, Any], list[tuple[int, int, Any]]]:
        """The true tables times ``scale``."""
        if self.exact_unary is None or self.exact_edges is None:
            assert self.build is not None, "a MinSum needs its exact tables or a builder"
            self.exact_unary, self.exact_edges = self.build()
        return self.exact_unary, self.exact_edges

    def exact(self, assignment: Mapping[int, int]) -> Fraction:
        """The true value at an assignment of signature indices."""
        if self.evaluate is not None:
            return self.evaluate(assignment)
        unary, edges = self.tables()
        total = sum(int(t[assignment[v]]) for v, t in unary.items())
        total += sum(int(t[assignment[u], assignment[v]]) for u, v, t in edges)
        return Fraction(total, self.scale)


@dataclass(frozen=True)
class Proof:
    """No assignment crosses: a tree of integer multipliers over signature indices
    (:func:`decide`), ``lower`` the least of its leaves' rigorous bounds, ``warm`` the
    root multipliers, to start the next search from."""

    tree: Any
    lower: Fraction
    warm: dict[tuple[int, int], tuple[Any, Any]]


@dataclass(frozen=True)
class Crossing:
    """An assignment (signature indices) whose exact value crosses the target."""

    assignment: dict[int, int]
    value: Fraction


class _Found(Exception):
    def __init__(self, crossing: Crossing) -> None:
        self.crossing = crossing


def decide(
    problem: MinSum,
    crosses: Callable[[Fraction], bool],
    warm: Mapping[tuple[int, int], tuple[Any, Any]] | None = None,
) -> Proof | Crossing:
    """Whether some assignment's exact value crosses, by dual bounds and branching.

    ``crosses`` must be monotone: if it holds at a value it holds at every lower one.
    Returns a :class:`Crossing` with an assignment whose exact value crosses, or a
    :class:`Proof` whose leaves' bounds, each at least the true minimum over its part,
    do not cross.

    Notes
    -----
    Each node costs O(Σ_e k_u·k_v) per sweep of ascent, at most 60 sweeps; branching
    halves one variable's signatures, so a tree has at most Π_v k_v leaves and in
    practice a handful (thm:pairs-dual-bound).
    """
    domains = {v: np.arange(len(u)) for v, u in problem.unary.items()}
    start = {
        (u, v): (np.zeros(len(problem.unary[u])), np.zeros(len(problem.unary[v])))
        for u, v, _ in problem.edges
    }
    for key, value in (warm or {}).items():
        if key in start:
            start[key] = value
    root_warm: dict[tuple[int, int], tuple[Any, Any]] = {}
    try:
        tree = _node(problem, crosses, domains, start, root_warm)
    except _Found as found:
        return found.crossing
    return Proof(tree, _lowest(tree), root_warm)


def _lowest(tree: Any) -> Fraction:
    if tree[0] == "branch":
        return min(_lowest(child) for _, child in tree[2])
    return tree[3]


def _node(
    problem: MinSum,
    crosses: Callable[[Fraction], bool],
    domains: dict[int, Any],
    start: Mapping[tuple[int, int], tuple[Any, Any]],
    keep: dict[tuple[int, int], tuple[Any, Any]] | None,
) -> Any:
    """One node of the search: a leaf (its domains and integer multipliers) or a branch."""
    deadline.check()
    local = _Local(problem, domains, start)
    assignment = local.primal()
    value = problem.exact(assignment)
    if crosses(value):
        raise _Found(Crossing(assignment, value))
    if all(len(d) == 1 for d in domains.values()):
        return ("leaf", domains, [], value)
    for sweeps in _CHECKPOINTS:
        local.ascend(sweeps)
        if not crosses(local.lower()):
            break
        if sweeps >= 14:
            better = local.primal()
            value = problem.exact(better)
            if crosses(value):
                raise _Found(Crossing(better, value))
    if keep is not None:
        keep.update(local.full_multipliers())
    lower = local.lower()
    if not crosses(lower):
        return ("leaf", domains, local.integer_multipliers(), lower)
    v = local.branching_variable()
    order = domains[v][np.argsort(local.node_cost(v), kind="stable")]
    half = len(order) // 2
    parts = [np.sort(order[:half]), np.sort(order[half:])]
    warm = local.full_multipliers()
    children = [(part, _node(problem, crosses, {**domains, v: part}, warm, None)) for part in parts]
    return ("branch", v, children)


def _restrict(table: Any, rows: Any, columns: Any) -> Any:
    """The table on the signatures left (itself at the root, where none is cut away)."""
    if len(rows) == table.shape[0] and len(columns) == table.shape[1]:
        return table
    return table[np.ix_(rows, columns)]


def _integers(values: Any) -> Any:
    return np.clip(np.rint(values), -(2**55), 2**55).astype(np.int64)


class _Local:
    """The problem restricted to the signatures left at a node, with float multipliers."""

    def __init__(
        self,
        problem: MinSum,
        domains: Mapping[int, Any],
        start: Mapping[tuple[int, int], tuple[Any, Any]],
    ) -> None:
        self.problem = problem
        self.domains = domains
        self.unary = {v: problem.unary[v][d] for v, d in domains.items()}
        self.edges = [(u, v, _restrict(t, domains[u], domains[v])) for u, v, t in problem.edges]
        self.floats = [t.astype(float) for _, _, t in self.edges]
        self.lam = [
            [np.array(start[u, v][0], dtype=float)[domains[u]],
             np.array(start[u, v][1], dtype=float)[domains[v]]]
            for u, v, _ in self.edges
        ]  # fmt: skip
        self.swept = 0

    def _nodes(self) -> dict[int, Any]:
        node = {v: u.astype(float) for v, u in self.unary.items()}
        for (u, v, _), (a, b) in zip(self.edges, self.lam, strict=True):
            node[u] = node[u] + a
            node[v] = node[v] + b
        return node

    def ascend(self, until: int) -> None:
        """MPLP edge updates until ``until`` sweeps in all."""
        node = self._nodes()
        while self.swept < until:
            for (u, v, _), table, lam in zip(self.edges, self.floats, self.lam, strict=True):
                mu, mv = node[u] - lam[0], node[v] - lam[1]
                lam[0] = 0.5 * ((table + mv[None, :]).min(axis=1) - mu)
                lam[1] = 0.5 * ((table + mu[:, None]).min(axis=0) - mv)
                node[u], node[v] = mu + lam[0], mv + lam[1]
            self.swept += 1

    def integer_multipliers(self) -> list[tuple[Any, Any]]:
        """The multipliers rounded to integers and clipped to ±2^55 (any multipliers give
        a valid bound; the clip keeps every int64 sum below 2^62)."""
        return [(_integers(a), _integers(b)) for a, b in self.lam]

    def lower(self) -> Fraction:
        """A rigorous lower bound on the true minimum over this node: the exact int64
        dual bound of the rounded tables minus the largest rounding error."""
        lam = self.integer_multipliers()
        node = {v: u.copy() for v, u in self.unary.items()}
        total = 0
        for (u, v, table), (a, b) in zip(self.edges, lam, strict=True):
            node[u] += a
            node[v] += b
            total += int((table - a[:, None] - b[None, :]).min())
        total += sum(int(n.min()) for n in node.values())
        return Fraction(2 * total - self.problem.summands, 2 ** (self.problem.shift + 1))

    def node_cost(self, v: int) -> Any:
        return self._nodes()[v]

    def full_multipliers(self) -> dict[tuple[int, int], tuple[Any, Any]]:
        """The multipliers spread back to every signature (zero where cut away)."""
        out = {}
        for (u, v, _), (a, b) in zip(self.edges, self.lam, strict=True):
            wa = np.zeros(len(self.problem.unary[u]))
            wb = np.zeros(len(self.problem.unary[v]))
            wa[self.domains[u]] = a
            wb[self.domains[v]] = b
            out[u, v] = (wa, wb)
        return out

    def primal(self) -> dict[int, int]:
        """An assignment: each variable's best reparametrised signature, then iterated
        conditional modes on the original tables; signature indices of the full problem."""
        node = self._nodes()
        pick = {v: int(np.argmin(c)) for v, c in node.items()}
        around: dict[int, list[tuple[int, Any]]] = {v: [] for v in pick}
        for (u, v, _), table in zip(self.edges, self.floats, strict=True):
            around[u].append((v, table))
            around[v].append((u, table.T))
        for _ in range(4):
            moved = False
            for v in pick:
                cost = self.unary[v].astype(float)
                for w, table in around[v]:
                    cost = cost + table[:, pick[w]]
                best = int(np.argmin(cost))
                if cost[best] < cost[pick[v]]:
                    pick[v], moved = best, True
            if not moved:
                break
        return {v: int(self.domains[v][k]) for v, k in pick.items()}

    def branching_variable(self) -> int:
        """The variable with the most pairwise tables that disagree with its decoded
        signature (ties: most signatures left, then position)."""
        node = self._nodes()
        pick = {v: int(np.argmin(c)) for v, c in node.items()}
        loose = dict.fromkeys(pick, 0)
        for (u, v, table), (a, b) in zip(self.edges, self.lam, strict=True):
            reduced = table - a[:, None] - b[None, :]
            if reduced[pick[u], pick[v]] > reduced.min() + 0.5:
                loose[u] += 1
                loose[v] += 1
        movable = [v for v in pick if len(self.domains[v]) > 1]
        return max(movable, key=lambda v: (loose[v], len(self.domains[v]), -v))


def certificate(
    problem: MinSum, tree: Any, signatures: Mapping[int, tuple[Any, ...]]
) -> tuple[DualNode, Fraction]:
    """A :class:`Proof`'s tree as signatures and exact multipliers, with the exact
    bound it proves (the least of its leaves' bounds on the true tables)."""
    if tree[0] == "branch":
        _, v, children = tree
        found = [(part, certificate(problem, child, signatures)) for part, child in children]
        parts = tuple((tuple(signatures[v][k] for k in part), node) for part, (node, _) in found)
        return DualBranch(v, parts), min(bound for _, (_, bound) in found)
    _, domains, lam, _ = tree
    unit = Fraction(1, 2**problem.shift)
    multipliers: Multipliers = {}
    for e, (u, v, _) in enumerate(problem.edges):
        if e < len(lam):
            a, b = lam[e]
            multipliers[u, v] = (
                {signatures[u][k]: int(m) * unit for k, m in zip(domains[u], a, strict=True) if m},
                {signatures[v][k]: int(m) * unit for k, m in zip(domains[v], b, strict=True) if m},
            )
    return DualLeaf(multipliers), _leaf_bound(problem, domains, lam)


def _leaf_bound(problem: MinSum, domains: Mapping[int, Any], lam: list[Any]) -> Fraction:
    """The exact dual bound of the true tables at these integer multipliers."""
    common = problem.scale * 2**problem.shift
    lift = 2**problem.shift  # true tables: integers over scale; multipliers: over 2^shift

    def big(array: Any, factor: int) -> Any:
        return np.asarray(array, dtype=object) * factor

    exact_unary, exact_edges = problem.tables()
    node = {v: big(t[domains[v]], lift) for v, t in exact_unary.items()}
    total = 0
    for e, (u, v, table) in enumerate(exact_edges):
        sub = big(table[np.ix_(domains[u], domains[v])], lift)
        if e < len(lam):
            a, b = big(lam[e][0], problem.scale), big(lam[e][1], problem.scale)
            node[u] = node[u] + a
            node[v] = node[v] + b
            sub = sub - a[:, None] - b[None, :]
        total += int(sub.min())
    total += sum(int(n.min()) for n in node.values())
    return Fraction(total, common)
