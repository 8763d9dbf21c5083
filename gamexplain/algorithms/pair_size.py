"""Minimum reasons of pair models by branch and bound over sorted per-feature bounds.

The implicit hitting-set loops (:mod:`gamexplain.algorithms.hitting_set`) prove a minimum
by collecting reasons of the other kind until no smaller set meets them all; on a default
EBM (30 features, 90 pair terms) that family grows large before it closes the gap. Here
the size claim is proved directly, over the sets themselves, with bounds that a checker
re-derives in linear time per node:

* **Minimum sufficient reason.** No sufficient reason keeps ``s`` movable features when
  every *moved* set M of the other ``m = |movable| − s`` features can flip. For one fixed
  point z, the score with M moved to z bounds the worst completion of M; as a function
  of M it is a pseudo-Boolean quadratic whose pair terms are over-counted by a sum of
  per-feature gains, so the least drop towards the edge over all M of size m is at
  least a constant plus the m' smallest gains (m' the members still undecided). When
  that bound flips the prediction, every M under the node flips.
* **Minimum contrastive reason.** No set C of ``s`` movable features can flip when the
  least score reachable by changing any such C stays on x's side. Each pair term splits
  into a part for each feature (one feature's change with the partner at x, and for the
  other the most its change adds whatever the first's), so the drop of the score towards
  the edge is at most a sum of per-feature maxima L_i; the ``s`` largest bound every C of
  size s.

Where a bound fails the search branches on a feature (moved or not); a leaf whose moved
set is decided and still fails is settled by the exact oracle
(:class:`~gamexplain.algorithms.pairwise.PairOracle`): a flipping completion, a worst case
that keeps the prediction, or a smaller reason than the one known. Floats find the tree;
:func:`gamexplain.certify.pair_size.no_smaller` re-checks every leaf exactly (in Fractions,
or in floats where a stated bound on their rounding cannot change the verdict), and the
minimum is reported certified only when that check passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gamexplain.algorithms.brute_reasons import oracle_for
from gamexplain.algorithms.hitting_set import (
    ENUMERATE_BUDGET,
    minimum_contrastive,
    minimum_sufficient,
    shrink,
)
from gamexplain.algorithms.pair_cells import Cell, _cells, pairwise_applies, slots
from gamexplain.algorithms.worst_case import Answer, Problem, changes_prediction
from gamexplain.certify.pair_size import no_smaller
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "NODE_LIMIT",
    "SizeProof",
    "mcr_branch_and_bound",
    "msr_branch_and_bound",
    "size_bound_applies",
]

NODE_LIMIT = 200_000
"""Most nodes one size proof may visit before the search stops as out of time."""

#: how far a float bound must clear the prediction's edge before the search stops
#: branching (the exact re-check decides; this only keeps rounding from wasting it)
_SLACK = 1e-9

Node = tuple[Any, ...]


@dataclass(frozen=True)
class SizeProof:
    """Certificate that no reason of one kind has ``size`` movable features.

    Attributes
    ----------
    kind : {"sufficient", "contrastive"}
    size : int
        The number of movable (not fixed) features of the reasons ruled out; fewer are
        ruled out too (sufficiency is monotone, and so is flipping).
    points : tuple
        ``sufficient``: adversarial points (one value per feature); a bound leaf moves a
        set M to one of them. ``contrastive``: orientations, one 0/1 per pair term (0:
        the first feature of the pair takes the change with the partner at x, the second
        the least extra; 1: the other way round).
    trees : tuple of (side, node)
        ``contrastive``: one tree per direction the prediction can be left in
        (``"min"``, ``"max"``); ``sufficient``: one tree under ``"any"``. A node is
        ``("split", feature, moved, stays)``, ``("empty",)`` (no set of the size fits the
        node), ``("bound", index, side)`` (sufficient) or ``("bound", index)``
        (contrastive), ``("point", z)`` (a flipping point that changes only the moved
        features) or ``("holds", certificate)`` (the decided moved set cannot flip: a
        worst case of keeping the rest).
    """

    kind: str
    size: int
    points: tuple[Any, ...]
    trees: tuple[tuple[str, Node], ...]


def size_bound_applies(gam: Any, options: Any) -> str | None:
    """None when the model has pair terms and every feature (paired or not) reduces to
    cells, so the per-feature bounds range over finitely many values."""
    refused = pairwise_applies(gam, options)
    if refused is not None:
        return refused
    held = _layout(gam)
    return held if isinstance(held, str) else None


class _Layout:
    """What the search needs of a model whatever the instance: each feature's cells and
    their main effects in floats, each pair table in floats with each cell's bin."""

    def __init__(self, gam: Any, cells: list[tuple[Cell, ...]]) -> None:
        self.cells = cells
        self.main = [np.array([float(c.contribution) for c in cs]) for cs in cells]
        self.pairs = []
        for p, pair in enumerate(gam.pairs):
            i, j = pair.features
            axis_i = [q for q, _ in slots(gam, i)].index(p)
            axis_j = [q for q, _ in slots(gam, j)].index(p)
            self.pairs.append((
                i, j, np.asarray(pair.values, dtype=float),
                np.array([c.bins[axis_i] for c in cells[i]], dtype=np.intp),
                np.array([c.bins[axis_j] for c in cells[j]], dtype=np.intp),
            ))  # fmt: skip


_LAYOUTS: dict[int, tuple[Any, _Layout | str]] = {}


def _layout(gam: Any) -> _Layout | str:
    """The model's layout, or why a feature has no cells; kept per model object (a
    model's hash reads all its values, so the lookup is by identity)."""
    held = _LAYOUTS.get(id(gam))
    if held is not None and held[0] is gam:
        return held[1]
    cells: list[tuple[Cell, ...]] = []
    found: _Layout | str = ""
    for j in range(gam.n_features):
        these = _cells(gam, j)
        if isinstance(these, str):
            found = these
            break
        cells.append(these)
    else:
        found = _Layout(gam, cells)
    if len(_LAYOUTS) >= 8:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    _LAYOUTS[id(gam)] = (gam, found)
    return found


# -- the model in floats ------------------------------------------------------------------------
class _Model:
    """Per feature its cells' main effects, per pair term its table and each cell's bin,
    and the instance's values, all in floats (for the search only)."""

    def __init__(self, problem: Problem) -> None:
        gam, x = problem.gam, problem.x
        self.n = gam.n_features
        layout = _layout(gam)
        assert not isinstance(layout, str)  # size_bound_applies checked it
        self.cells, self.main = layout.cells, layout.main
        self.at_x = np.array([float(c) for c in problem.contributions])
        self.score = float(problem.score)
        self.pairs = [
            (i, j, table, bins_i, bins_j,
             pair.bin_of(0, gam.features[i], x[i]), pair.bin_of(1, gam.features[j], x[j]))
            for (i, j, table, bins_i, bins_j), pair in zip(layout.pairs, gam.pairs, strict=True)
        ]  # fmt: skip
        task = gam.task
        self.classification = isinstance(task, Classification)
        self.sides: tuple[str, ...]
        if self.classification:
            self.sides = ("min",) if problem.prediction == 1 else ("max",)
            # how far the score may move towards the edge before it flips
            self.room = {s: abs(self.score - float(task.threshold_exact)) for s in self.sides}
        else:
            self.sides = ("min", "max")
            self.room = {s: float(task.tolerance) for s in self.sides}


def _tau(side: str) -> int:
    """+1 when the adversary lowers the score, −1 when it raises it."""
    return 1 if side == "min" else -1


# -- minimum sufficient reasons -------------------------------------------------------------------
class _Adversary:
    """One point z and its per-feature and per-pair changes, signed so that a flip is a
    large drop: d_i = τ·(f_i(x_i) − f_i(z_i)), and for pair (i, j) the drop a with i at z
    alone, b with j alone, c with both."""

    def __init__(self, model: _Model, z: Sequence[int], side: str) -> None:
        tau = _tau(side)
        self.z, self.side = tuple(z), side
        self.drop = np.array([tau * (model.at_x[i] - model.main[i][z[i]]) for i in range(model.n)])
        self.pairs = []
        for i, j, table, bins_i, bins_j, xi, xj in model.pairs:
            zi, zj, here = bins_i[z[i]], bins_j[z[j]], table[xi, xj]
            self.pairs.append((i, j, tau * (here - table[zi, xj]), tau * (here - table[xi, zj]),
                               tau * (here - table[zi, zj])))  # fmt: skip

    def bound(self, status: list[int], moved: int) -> tuple[float, list[int]]:
        """The least drop any moved set of size ``moved`` consistent with ``status``
        (1 moved, 0 stays, −1 undecided) can have at z (a lower bound), and the undecided
        features the bound picks; −inf when no such set exists."""
        gains = np.zeros(len(status))
        base = 0.0
        for i, s in enumerate(status):
            if s == 1:
                base += self.drop[i]
            elif s < 0:
                gains[i] = self.drop[i]
        for i, j, a, b, c in self.pairs:
            si, sj = status[i], status[j]
            if si >= 0 and sj >= 0:
                base += (0.0, b, a, c)[2 * si + sj]
            elif si >= 0:
                low = a if si else 0.0
                base += low
                gains[j] += (c if si else b) - low
            elif sj >= 0:
                low = b if sj else 0.0
                base += low
                gains[i] += (c if sj else a) - low
            else:  # both undecided: the drop is at least min(a, c − b)·[i] + b·[j]
                gains[i] += min(a, c - b)
                gains[j] += b
        undecided = [i for i, s in enumerate(status) if s < 0]
        wanted = moved - sum(1 for s in status if s == 1)
        if wanted < 0 or wanted > len(undecided):
            return float("inf"), []
        chosen = sorted(undecided, key=lambda i: gains[i])[:wanted]
        return base + float(sum(gains[i] for i in chosen)), chosen


def _adversaries(model: _Model) -> list[_Adversary]:
    """Per direction two points: each feature at the cell that moves the score furthest
    with its pair partners at x, and at the cell of its furthest main effect alone."""
    found = []
    for side in model.sides:
        tau = _tau(side)
        totals = [tau * m.copy() for m in model.main]
        for i, j, table, bins_i, bins_j, xi, xj in model.pairs:
            totals[i] += tau * table[bins_i, xj]
            totals[j] += tau * table[xi, bins_j]
        found.append(_Adversary(model, [int(np.argmin(t)) for t in totals], side))
        found.append(_Adversary(model, [int(np.argmin(tau * m)) for m in model.main], side))
    return found


class _Search:
    """The tree search shared by both kinds: node counting, the deadline, the status."""

    def __init__(self, problem: Problem, model: _Model) -> None:
        self.problem, self.model = problem, model
        self.oracle = oracle_for(problem)
        self.names = [f.name for f in problem.gam.features]
        self.nodes = 0

    def visit(self) -> None:
        self.nodes += 1
        if self.nodes % 64 == 0:
            deadline.check()
        if self.nodes > NODE_LIMIT:
            raise OutOfTime

    def start(self) -> list[int]:
        return [0 if i in self.problem.fixed else -1 for i in range(self.model.n)]


class _Sufficient(_Search):
    """Proves that no sufficient reason keeps ``size`` movable features, or finds one."""

    def __init__(self, problem: Problem, model: _Model) -> None:
        super().__init__(problem, model)
        self.adversaries = _adversaries(model)

    def prove(self, size: int) -> tuple[Node | None, frozenset[int] | None]:
        """(tree, None) when no sufficient reason keeps ``size`` movable features, or
        (None, kept) with a sufficient set that keeps that many."""
        movable = self.model.n - len(self.problem.fixed)
        self.moved = movable - size
        self.found: frozenset[int] | None = None
        tree = self._node(self.start())
        return (None, self.found) if tree is None else (tree, None)

    def _node(self, status: list[int]) -> Node | None:
        self.visit()
        best: tuple[float, int, list[int]] | None = None
        for k, adversary in enumerate(self.adversaries):
            drop, chosen = adversary.bound(status, self.moved)
            if drop == float("inf"):
                return ("empty",)
            margin = drop - self.model.room[adversary.side]
            if best is None or margin > best[0]:
                best = (margin, k, chosen)
        assert best is not None
        margin, k, chosen = best
        if margin > _SLACK * (1 + abs(self.model.score)):
            return ("bound", k, self.adversaries[k].side)
        undecided = [i for i, s in enumerate(status) if s < 0]
        inside = [i for i, s in enumerate(status) if s == 1]
        if len(chosen) in (0, len(undecided)):
            moved = set(inside) | (set(undecided) if chosen else set())
            kept = frozenset(range(self.model.n)) - moved
            point = self.oracle.counterexample(kept)
            if point is None:
                self.found = kept
                return None
            return ("point", tuple(point))
        # branch on the undecided feature the bound leans on least
        return _split(self._node, status, chosen[0], self.names[chosen[0]])

    def proof(self, size: int, tree: Node) -> SizeProof:
        points = tuple(
            tuple(self.model.cells[i][a.z[i]].value for i in range(self.model.n))
            for a in self.adversaries
        )
        return SizeProof("sufficient", size, points, (("any", tree),))


def _incumbent(problem: Problem, model: _Model) -> frozenset[int]:
    """A subset-minimal sufficient reason by deletion, the features whose worst change
    moves the score least tried first."""
    oracle = oracle_for(problem)
    pushes = np.zeros(model.n)
    for adversary in _adversaries(model):
        pushes = np.maximum(pushes, adversary.drop)
    order = sorted(problem.free, key=lambda i: pushes[i])
    return shrink(oracle, problem.all_features, order)


@register_algorithm(
    "msr", "branch-and-bound",
    summary="branch and bound over moved sets with sorted per-feature bounds at "
    "adversarial points (pair terms over-counted), leaves settled by the exact pairwise "
    "worst case; every bound re-checked exactly",
    theorem="thm:pairs-size-bound", priority=25, applies=size_bound_applies,
)  # fmt: skip
def msr_branch_and_bound(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient reason of a pair model with a size proof.

    Notes
    -----
    Starting from a subset-minimal reason of size k, each round proves that no
    sufficient reason keeps k − 1 movable features or finds one (then shrunk, and the
    round repeats below it). A node costs O(n log n + |pairs|) per adversarial point; the
    tree is exponential in the worst case (the question is coNP-hard, thm:pairs-conp),
    small when pair terms are small next to main effects (thm:pairs-size-bound). Past
    the deadline the best reason so far returns with the last proven lower bound.
    """
    model = _Model(problem)
    fixed = len(problem.fixed)
    minimal = _incumbent(problem, model)
    search = _Sufficient(problem, model)
    # the smallest sufficient set found; not shrunk (the next round looks below it, and
    # the last one found is minimum, hence subset-minimal)
    best = minimal
    proof: SizeProof | None = None
    try:
        with deadline.limit(time_limit):
            while len(best) > fixed:
                size = len(best) - fixed - 1
                tree, found = search.prove(size)
                if tree is not None:
                    proof = search.proof(size, tree)
                    if not _exact(problem, proof):
                        return _fallback(problem, time_limit, "msr")
                    break
                assert found is not None
                best = found
    except OutOfTime:
        # a stopped answer must be subset-minimal: the deletion's reason is
        lower = fixed if proof is None else fixed + proof.size + 1
        return Answer(
            minimal, "time_limit", lower, len(minimal), work=search.nodes, size_proof=proof
        )
    return Answer(best, work=search.nodes, size_proof=proof)


def _probe_flips(problem: Problem, model: _Model) -> bool:
    """Whether moving every movable feature to an adversarial point flips (exactly
    evaluated): then a contrastive reason exists without asking the oracle."""
    for adversary in _adversaries(model):
        point = list(problem.x)
        for i in problem.free:
            point[i] = model.cells[i][adversary.z[i]].value
        if changes_prediction(problem, problem.gam.score_exact(point)):
            return True
    return False


def _exact(problem: Problem, proof: SizeProof) -> bool:
    """Whether the proof found in floats re-checks exactly (a bound that only rounding
    made clear fails here). Its ``holds`` leaves came from the exact oracle, so only
    their place in the tree is checked here; ``verify`` re-checks them too."""
    return no_smaller(
        problem.gam, problem.x, problem.fixed, proof.size, proof, proof.kind, settled=True
    )


def _fallback(problem: Problem, time_limit: float | None, query: str) -> Answer:
    """The implicit hitting-set search, for a proof the exact re-check refused."""
    oracle = oracle_for(problem)
    if query == "msr":
        return minimum_sufficient(problem, oracle, time_limit)
    return minimum_contrastive(problem, oracle, time_limit, ENUMERATE_BUDGET)


# -- minimum contrastive reasons ------------------------------------------------------------------
class _Splits:
    """The per-feature least changes of one direction: for each feature and cell its
    main-effect drop, and per pair term the two ways to split the term."""

    def __init__(self, model: _Model, side: str) -> None:
        tau = _tau(side)
        self.side = side
        self.drop = [tau * (model.at_x[i] - model.main[i]) for i in range(model.n)]
        # per pair: (i, j, alone_i, alone_j, extra_i, extra_j) over the cells of i and j:
        # alone = the drop with the partner at x; extra = the least further drop the
        # feature's change adds whatever the partner's
        self.pairs = []
        for i, j, table, bins_i, bins_j, xi, xj in model.pairs:
            signed = tau * table
            here = signed[xi, xj]
            alone_i = here - signed[bins_i, xj]
            alone_j = here - signed[xi, bins_j]
            rows, columns = np.unique(bins_i), np.unique(bins_j)
            # the most j's change adds to the drop whatever i's row a: P(a, xj) − P(a, b)
            extra_j = (signed[rows, xj][:, None] - signed[rows, :]).max(axis=0)[bins_j]
            extra_i = (signed[xi, columns][None, :] - signed[:, columns]).max(axis=1)[bins_i]
            self.pairs.append((i, j, alone_i, alone_j, extra_i, extra_j))

    def pushes(self, status: list[int], orientation: Sequence[int]) -> np.ndarray:
        """Per feature the most its change can add to the drop (status 0: it stays; its
        partners that stay are at x), the pair terms split by ``orientation``."""
        totals = [d.copy() for d in self.drop]
        for p, (i, j, alone_i, alone_j, extra_i, extra_j) in enumerate(self.pairs):
            if status[i] != 0:
                totals[i] += extra_i if status[j] != 0 and orientation[p] == 1 else alone_i
            if status[j] != 0:
                totals[j] += extra_j if status[i] != 0 and orientation[p] == 0 else alone_j
        return np.array([t.max() for t in totals])


class _Contrastive(_Search):
    """Proves that no set of ``size`` movable features can flip, or finds one."""

    def __init__(self, problem: Problem, model: _Model) -> None:
        super().__init__(problem, model)
        self.splits = {side: _Splits(model, side) for side in model.sides}
        count = len(problem.gam.pairs)
        self.orientations: tuple[tuple[int, ...], ...] = ((0,) * count, (1,) * count)

    def prove(self, size: int) -> tuple[tuple[tuple[str, Node], ...] | None, frozenset[int] | None]:
        self.size = size
        self.found: frozenset[int] | None = None
        trees = []
        for side in self.model.sides:
            self.side = side
            tree = self._node(self.start())
            if tree is None:
                return None, self.found
            trees.append((side, tree))
        return tuple(trees), None

    def _node(self, status: list[int]) -> Node | None:
        self.visit()
        splits = self.splits[self.side]
        undecided = [i for i, s in enumerate(status) if s < 0]
        inside = [i for i, s in enumerate(status) if s == 1]
        wanted = self.size - len(inside)
        if wanted < 0 or wanted > len(undecided):
            return ("empty",)
        best: tuple[float, int, list[int]] | None = None
        for k, orientation in enumerate(self.orientations):
            push = splits.pushes(status, orientation)
            chosen = sorted(undecided, key=lambda i: -push[i])[:wanted]
            total = float(sum(push[i] for i in inside) + sum(push[i] for i in chosen))
            room = self.model.room[self.side] - total
            if best is None or room > best[0]:
                best = (room, k, chosen)
        assert best is not None
        room, k, chosen = best
        if room > _SLACK * (1 + abs(self.model.score)):
            return ("bound", k)
        if wanted in (0, len(undecided)):
            moved = frozenset(inside) | (frozenset(undecided) if wanted else frozenset())
            kept = frozenset(range(self.model.n)) - moved
            if not self.oracle.sufficient(kept):
                self.found = moved
                return None
            return ("holds", self.oracle.worst_case(kept))
        return _split(self._node, status, chosen[0], self.names[chosen[0]])


@register_algorithm(
    "mcr", "branch-and-bound",
    summary="sizes 1, 2, ... each settled by branch and bound over changed sets with "
    "sorted per-feature least changes (pair terms split between their features), leaves "
    "settled by the exact pairwise worst case; every bound re-checked exactly",
    theorem="thm:pairs-size-bound", priority=25, applies=size_bound_applies,
)  # fmt: skip
def mcr_branch_and_bound(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size contrastive reason of a pair model with a size proof (None when
    changing every movable feature cannot flip).

    Notes
    -----
    Size s = 1, 2, … in turn: a proof that no s movable features can flip, or a set of s
    that flips, which is then minimum. A node costs O(Σ_i cells_i·deg_i) per
    orientation; exponential in the worst case (thm:pairs-conp), small when pair terms
    are small next to main effects (thm:pairs-size-bound). Past the deadline no reason
    returns, with the last proven lower bound and its proof.
    """
    model = _Model(problem)
    search = _Contrastive(problem, model)
    oracle = search.oracle
    proof: SizeProof | None = None
    size = 1
    try:
        with deadline.limit(time_limit):
            if not _probe_flips(problem, model) and oracle.sufficient(problem.fixed):
                return Answer(None, work=search.nodes)
            while True:
                trees, found = search.prove(size)
                if trees is None:
                    assert found is not None
                    # only the proof one size below the answer is kept: checked once
                    if proof is not None and not _exact(problem, proof):
                        return _fallback(problem, time_limit, "mcr")
                    return Answer(found, work=search.nodes, size_proof=proof)
                proof = SizeProof("contrastive", size, search.orientations, trees)
                size += 1
    except OutOfTime:
        if proof is not None and not _exact(problem, proof):
            proof, size = None, 1
        return Answer(None, "time_limit", size, None, work=search.nodes, size_proof=proof)


def _split(node: Any, status: list[int], i: int, name: str) -> Node | None:
    """Branch on feature i: the subtree where it moves (status 1), then, if that one
    closed, the subtree where it stays (0); None when either leaves the search."""
    status[i] = 1
    moved_tree = node(status)
    stays_tree = None
    if moved_tree is not None:
        status[i] = 0
        stays_tree = node(status)
    status[i] = -1
    if moved_tree is None or stays_tree is None:
        return None
    return ("split", name, moved_tree, stays_tree)
