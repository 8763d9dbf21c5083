"""Every subset-minimal contrastive reason toward a target class of a multiclass model with
pair terms, by hitting-set duality (MARCO) over a branch-and-bound oracle.

The oracle answers "can changing only the free features outside ``kept`` make the target
t win?". It walks those features one at a time over their candidates
(:class:`~gamexplain.algorithms.multiclass_pair_target._Grid`: one value per part on which
every class's main effect and every pair bin are constant, x's own value first). At each
node it bounds a few nonnegative weightings (summing to 1) of the margins "t beats d" by
taking every term's best value on its own: assigned features at their value, open ones at
their best candidate, each pair term at its best cell among the picks still allowed (a
Lagrangian bound: weighting the rivals couples them). A node where some weighting's
bound is below minus the grid's rounding bound cannot let t win and is cut; once the
open features' candidates are few, their grid is scored at once, and a full pick that no
bound cuts is decided with the model's exact scores. So "no" answers are exact; floats
only order the search.

Sufficiency is monotone (fixing more features never helps t), which MARCO needs.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from gamexplain.algorithms.choice_system import Exhausted
from gamexplain.algorithms.hitting_set import marco, only
from gamexplain.algorithms.multiclass_pair_target import _applies, _Grid
from gamexplain.complexity.registry import register_algorithm
from gamexplain.substrate import deadline

__all__ = ["PairTargetOracle", "enum_cr_target_pairs"]

_ORACLES: weakref.WeakKeyDictionary[Any, PairTargetOracle] = weakref.WeakKeyDictionary()

_LEAF = 1 << 14

_FRONTIER = 1 << 18
"""Most joint picks of one block, and a quarter of the most sums, the frontier keeps."""
"""Most picks of the open features scored as one numpy grid instead of branching."""


class PairTargetOracle:
    """The sufficiency oracle of :func:`~gamexplain.algorithms.hitting_set.marco` toward a
    target on a pair model: keeping ``kept`` is "sufficient" when no change of the other
    free features makes the target win. Answers are remembered per kept set."""

    def __init__(self, problem: Any) -> None:
        self.problem = problem
        self.grid = _Grid(problem.gam, problem.x, problem.free)
        self.rivals = [d for d in range(problem.gam.n_classes) if d != problem.target]
        self.weights = _weights(len(self.rivals))
        self.found: dict[frozenset[int], tuple[Any, ...] | None] = {}
        self.nodes = 0

    @classmethod
    def of(cls, problem: Any) -> PairTargetOracle:
        """The oracle of ``problem``, built once (its grid costs the exact contributions
        of every candidate) and shared by the listing and the reasons it builds."""
        found = _ORACLES.get(problem)
        if found is None:
            found = _ORACLES[problem] = cls(problem)
        return found

    def counterexample(self, kept: Any) -> tuple[Any, ...] | None:
        """A point where t wins changing only free features outside ``kept``, or None."""
        key = frozenset(kept) | self.problem.fixed
        if key not in self.found:
            self.problem.count("systems")
            self.nodes = 0
            open_ = sorted((i for i in self.problem.free if i not in key), key=self._reach)
            try:
                self.found[key] = self._frontier(open_)
            except _Inconclusive:
                self.found[key] = self._search({}, open_)
        return self.found[key]

    def _reach(self, i: int) -> float:
        """Minus how far feature i's main effect moves the margins: the widest first, so
        that the bound tightens fastest."""
        t = self.problem.target
        diff = self.grid.main[i][t][None] - self.grid.main[i][self.rivals]
        return -float((diff.max(axis=1) - diff.min(axis=1)).max(initial=0.0))

    def sufficient(self, kept: Any) -> bool:
        return self.counterexample(kept) is None

    def worst_case(self, kept: Any) -> None:
        """No certificate object: the listed reasons are re-checked by enumeration."""
        return None

    def _search(self, picked: dict[int, int], open_: list[int]) -> tuple[Any, ...] | None:
        self.nodes += 1
        self.problem.count("nodes")
        if self.nodes > self.problem.max_nodes:
            raise Exhausted
        deadline.check()
        if np.any(self._bound(picked, open_) < -self.grid.tolerance):
            return None
        if math.prod(len(self.grid.values[i]) for i in open_) <= _LEAF:
            return self._leaf(picked, open_)
        i, rest = open_[0], open_[1:]
        t = self.problem.target
        gains = (self.grid.main[i][t][None] - self.grid.main[i][self.rivals]).min(axis=0)
        for c in np.argsort(-gains, kind="stable"):
            found = self._search({**picked, i: int(c)}, rest)
            if found is not None:
                return found
        return None

    def _frontier(self, open_: list[int]) -> tuple[Any, ...] | None:
        """The Pareto frontier of the margin vectors over the open features' picks.

        Open features joined by a pair term form one block (its joint grid); the blocks
        add up independently, so the frontier of a sum is the frontier of the sums of
        frontier points. A pick of all margins ≥ 0 is dominated by a frontier point of
        margins above minus the summed rounding bound: when no frontier point is, no
        pick lets t win. Candidates are decided exactly, best first; when none wins the
        frontier proves nothing and the branch and bound decides.

        Raises
        ------
        _Inconclusive
            A block or the frontier grew past ``_FRONTIER`` points, or no candidate won.
        """
        grid, t, rivals = self.grid, self.problem.target, self.rivals
        at_x = grid.scores(())
        origin = (at_x[t] - at_x[rivals]).reshape(len(rivals))
        points, picks = origin[None], [np.zeros((1, 0), dtype=np.intp)]
        blocks = self._blocks(open_)
        for block in blocks:
            deadline.check()
            if math.prod(len(grid.values[i]) for i in block) > _FRONTIER:
                raise _Inconclusive
            scores = grid.scores(block)
            gains = (scores[t][None] - scores[rivals]).reshape(len(rivals), -1).T - origin
            kept = _pareto(gains)
            total = (points[:, None, :] + gains[kept][None, :, :]).reshape(-1, len(rivals))
            if len(total) > _FRONTIER * 4:
                raise _Inconclusive
            front = _pareto(total)
            rows, cols = np.divmod(front, len(kept))
            picks = [np.concatenate([picks[0][rows], kept[cols][:, None]], axis=1)]
            points = total[front]
        slack = self.grid.tolerance * (2 * len(blocks) + 2)
        worst = points.min(axis=1)
        for k in np.argsort(-worst, kind="stable"):
            if worst[k] < -slack:
                return None
            point = self._unravel(blocks, picks[0][k])
            if self.problem.gam.predict_index(point) == t:
                return point
        raise _Inconclusive

    def _blocks(self, open_: list[int]) -> list[tuple[int, ...]]:
        """The open features grouped by the pair terms joining two of them."""
        owner = {i: i for i in open_}

        def root(i: int) -> int:
            while owner[i] != i:
                i = owner[i]
            return i

        for a, b, *_ in self.grid.pairs:
            if a in owner and b in owner:
                owner[root(a)] = root(b)
        groups: dict[int, list[int]] = {}
        for i in open_:
            groups.setdefault(root(i), []).append(i)
        return [tuple(g) for g in groups.values()]

    def _unravel(self, blocks: list[tuple[int, ...]], flat: np.ndarray) -> tuple[Any, ...]:
        point = list(self.problem.x)
        for block, index in zip(blocks, flat, strict=True):
            spot = np.unravel_index(int(index), tuple(len(self.grid.values[i]) for i in block))
            for i, c in zip(block, spot, strict=True):
                point[i] = self.grid.values[i][int(c)]
        return tuple(point)

    def _leaf(self, picked: dict[int, int], open_: list[int]) -> tuple[Any, ...] | None:
        """The open features' grid scored at once; the picks no rival's margin rules out,
        best first, decided with the model's exact scores."""
        members = tuple(open_)
        scores = self.grid.scores(members, picked)
        t = self.problem.target
        worst = (scores[t][None] - scores[self.rivals]).min(axis=0)
        spots = np.argwhere(worst >= -self.grid.tolerance)
        for k in np.argsort(-worst[tuple(spots.T)], kind="stable"):
            point = list(self.problem.x)
            for i, c in [*picked.items(), *zip(members, spots[k], strict=True)]:
                point[i] = self.grid.values[i][int(c)]
            if self.problem.gam.predict_index(tuple(point)) == t:
                return tuple(point)
        return None

    def _bound(self, picked: dict[int, int], open_: list[int]) -> np.ndarray:
        """Per weighting w of the rivals, the best Σ_d w_d·(margin "t beats d") every term
        can give on its own. Where one is negative some margin is negative at every pick
        (the weights are nonnegative and sum to 1, so the rounding bound still holds)."""
        grid, t, rivals, w = self.grid, self.problem.target, self.rivals, self.weights
        best = w @ (grid.intercepts[t] - grid.intercepts[rivals])
        for i in range(grid.gam.n_features):
            if i in picked:
                c = picked[i]
                best = best + w @ (grid.main[i][t, c] - grid.main[i][rivals, c])
            elif i in open_:
                best = best + (w @ (grid.main[i][t][None] - grid.main[i][rivals])).max(axis=1)
            else:
                best = best + w @ (grid.at_x[t, i] - grid.at_x[rivals, i])
        for a, b, tables, (xa, ca), (xb, cb) in grid.pairs:
            rows = self._allowed(a, xa, ca, picked, open_)
            cols = self._allowed(b, xb, cb, picked, open_)
            cells = tables[:, rows][:, :, cols]
            diff = (cells[t][None] - cells[rivals]).reshape(len(rivals), -1)
            best = best + (w @ diff).max(axis=1)
        return best

    @staticmethod
    def _allowed(i: int, here: int, bins: Any, picked: dict[int, int], open_: list[int]) -> Any:
        """The pair bins feature i can still take: its pick's, all its candidates' while
        open, x's when it stays."""
        if i in picked:
            return bins[[picked[i]]]
        if i in open_:
            return bins
        return np.array([here], dtype=np.intp)


class _Inconclusive(Exception):
    """The frontier cannot decide this question; the branch and bound will."""


def _pareto(points: np.ndarray) -> np.ndarray:
    """The indices of the points no other point weakly dominates in every coordinate
    (one of equal points kept), for maximisation."""
    order = np.lexsort(points.T[::-1])[::-1]  # by the first coordinate, descending
    if points.shape[1] == 1:
        return order[:1]
    if points.shape[1] == 2:
        second = points[order, 1]
        best = np.maximum.accumulate(second)
        keep = np.concatenate([[True], second[1:] > best[:-1]])
        return order[keep]
    kept: list[int] = []
    for k in order:
        if not kept or not np.any(np.all(points[kept] >= points[k], axis=1)):
            kept.append(int(k))
    return np.array(kept, dtype=np.intp)


def _weights(n: int) -> np.ndarray:
    """Weightings of n rivals: each alone, each two halved (when n > 1), all equal, and
    for two rivals the quarter points."""
    rows = [np.eye(n)[d] for d in range(n)]
    rows += [(np.eye(n)[d] + np.eye(n)[e]) / 2 for d in range(n) for e in range(d + 1, n)]
    if n > 2:
        rows.append(np.full(n, 1.0 / n))
    if n == 2:
        rows += [np.array([0.25, 0.75]), np.array([0.75, 0.25])]
    return np.array(rows) if rows else np.zeros((1, 0))


@register_algorithm(
    "enum-cr",
    "target-pair-marco",
    summary="toward a target class on a model with pair terms: hitting-set duality (MARCO) "
    "over a branch and bound on the members' cells, each node cut by per-rival margin "
    "bounds (floats order, exact scores decide)",
    theorem="thm:multiclass-mcr-target-pairs",
    priority=30,
    solves=lambda cell: cell.task == "multiclass",
    applies=_applies,
    multiclass=True,
)
def enum_cr_target_pairs(problem: Any, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal set of free features whose change can make the target win,
    on a multiclass model with pair terms.

    Notes
    -----
    One SAT call and at most n oracle calls per reason found, plus one final SAT call;
    each oracle call is a branch and bound over the changed features' candidates,
    exponential in their number in the worst case (the question is NP-complete from
    K = 3, thm:multiclass-mcr-target-pairs).

    Raises
    ------
    Exhausted
        One oracle call passed ``problem.max_nodes`` nodes in total.
    """
    oracle = PairTargetOracle.of(problem)
    return only("cr", marco(problem, oracle, time_limit))
