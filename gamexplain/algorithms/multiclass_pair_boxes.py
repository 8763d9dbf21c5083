"""Feature redundancy of a multiclass model with pair terms: a witness search, then a box
proof.

The binary box proof (:mod:`gamexplain.algorithms.pair_fr_boxes`) carried to K classes.
Feature i is redundant iff at every point x of the other features the argmax is the same
for every value of i. Each feature is an ordered list of representatives (one per
elementary part of its domain between any class's breakpoints and the shared pair
edges, :mod:`gamexplain.algorithms.multiclass_pair_fr`).

1. **Witness search** (floats, to find): the search of ``multiclass-pair-search``; a
   witness it finds is re-evaluated exactly before it is returned.
2. **Box proof** (floats to build, exact to certify). Depth-first over boxes — a range of
   representatives per feature other than i. On a box, for every ordered pair of classes
   (b, d) a lower bound L[b, d] of the margin S_b − S_d over the box and every value of i
   adds, per term, the least difference of the two classes' values over the box (the
   difference taken cell by cell, before the minimum) and keeps i's own terms together
   per value of i. Class d cannot win on the box when some L[b, d] is positive beyond the
   float error; the classes left are the box's possible winners. The box is a leaf when
   one winner is left, or when no two winners' margin depends on i there (i's own rows
   of their scores are the same for every value of i). Otherwise it is split in the middle
   of the feature whose terms move the margins most inside it; a box of one point is
   decided exactly (a witness, or a leaf whose one winner beats every class).

The tree is re-checked before it is returned by
:func:`gamexplain.certify.multiclass_pair_boxes.class_boxes_hold`, which derives its own
parts, bounds and moves in exact arithmetic and shares no code with this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.multiclass_choice import FrOutcome
from gamexplain.algorithms.multiclass_pair_fr import (
    RESTARTS,
    _Layout,
    _Search,
    multiclass_pairs_applies,
)
from gamexplain.certify.multiclass_pair_boxes import (
    ClassLeaf,
    ClassNode,
    ClassSplit,
    class_boxes_hold,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.domains import Finite
from gamexplain.substrate import deadline

__all__ = ["NODE_LIMIT", "fr_multiclass_pair_boxes"]

NODE_LIMIT = 50_000
"""Boxes the proof may open; past it the run stops undecided (``budget_exhausted``)."""

_UNIT = 2.0**-53

Witness = tuple[tuple[Any, ...], Any, Any, tuple[int, int]]


class _Stop(Exception):
    """Ends the box search: with a witness, or (None) when the node budget runs out."""

    def __init__(self, witness: Witness | None) -> None:
        super().__init__()
        self.witness = witness


def _margins(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """values[..., b] − values[..., d] on two new last axes (b, d)."""
    return values[..., :, None] - values[..., None, :]


class _Boxes:
    """The depth-first box proof for feature i."""

    def __init__(self, search: _Search, limit: int) -> None:
        self.search, self.limit, self.nodes = search, limit, 0
        layout, i = search.layout, search.i
        self.i, self.layout, self.k = i, layout, len(layout.intercepts)
        self.others = search.others
        self.own: list[tuple[int, NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]] = []
        self.rest = []
        for j0, j1, table, b0, b1 in layout.pairs:
            if j0 == i:
                self.own.append((j1, table, b0, b1))
            elif j1 == i:
                self.own.append((j0, table.transpose(1, 0, 2), b1, b0))
            else:
                self.rest.append((j0, j1, table, b0, b1))
        magnitude = float(np.max(np.abs(layout.intercepts)))
        magnitude += sum(float(np.max(np.abs(m), initial=0.0)) for m in layout.main)
        magnitude += sum(float(np.max(np.abs(p[2]), initial=0.0)) for p in layout.pairs)
        terms = len(layout.main) + len(layout.pairs) + 4
        # each float margin is a difference of two rounded values, then a sum of `terms`
        self.error = 8 * terms * _UNIT * 2 * magnitude + 2.0**-1000

    def bounds(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[NDArray[Any], NDArray[Any]]:
        """L[b, d], a lower bound of S_b − S_d over the box and every value of i, and per
        feature how far its terms move the margins inside the box."""
        layout, i = self.layout, self.i
        low = _margins(layout.intercepts)
        width = np.zeros(len(layout.reps))
        for j in self.others:
            part = _margins(layout.main[j][lo[j] : hi[j]])
            least = part.min(axis=0)
            low = low + least
            width[j] += float((part.max(axis=0) - least).max())
        for j0, j1, table, b0, b1 in self.rest:
            sub = table[np.ix_(np.unique(b0[lo[j0] : hi[j0]]), np.unique(b1[lo[j1] : hi[j1]]))]
            part = _margins(sub.reshape(-1, self.k))
            least = part.min(axis=0)
            low = low + least
            spread = float((part.max(axis=0) - least).max())
            width[j0] += spread
            width[j1] += spread
        own = _margins(layout.main[i])
        for j, table, bi, bj in self.own:
            part = _margins(table[:, np.unique(bj[lo[j] : hi[j]])])
            least = part.min(axis=1)
            own = own + least[bi]
            width[j] += float((part.max(axis=1) - least).max())
        return low + own.min(axis=0), width

    def flat(self, winners: Sequence[int], lo: Sequence[int], hi: Sequence[int]) -> bool:
        """Whether i's own rows of every winner's score are the same for every value of i
        over the partners' bins in the box (then no margin between winners moves)."""
        layout, i = self.layout, self.i
        picked = np.asarray(winners, dtype=np.intp)
        rows = [layout.main[i][:, picked]]
        for j, table, bi, bj in self.own:
            cols = np.unique(bj[lo[j] : hi[j]])
            rows.append(table[np.ix_(bi, cols, picked)].reshape(len(bi), -1))
        joined = np.hstack(rows)
        return bool(np.all(joined == joined[0]))

    def decide(self, low: NDArray[Any], lo: Sequence[int], hi: Sequence[int]) -> ClassLeaf | None:
        """The leaf the float bounds make of a box, beyond their error; None if none."""
        beaten: list[tuple[int, int]] = []
        winners: list[int] = []
        for d in range(self.k):
            column = low[:, d]
            b = int(np.argmax(column))
            if b != d and column[b] > self.error:
                beaten.append((d, b))
            else:
                winners.append(d)
        if len(winners) == 1 or self.flat(winners, lo, hi):
            return ClassLeaf(tuple(winners), tuple(beaten))
        return None

    def prove(self, lo: list[int], hi: list[int]) -> ClassNode:
        self.nodes += 1
        if self.nodes > self.limit:
            raise _Stop(None)
        deadline.check()
        low, width = self.bounds(lo, hi)
        found = self.decide(low, lo, hi)
        if found is not None:
            return found
        open_ = [j for j in self.others if hi[j] - lo[j] > 1]
        if not open_:
            return self.point(lo)
        j = max(open_, key=lambda k: (width[k], hi[k] - lo[k]))
        middle = (lo[j] + hi[j]) // 2
        below = self.prove(lo, [middle if k == j else h for k, h in enumerate(hi)])
        above = self.prove([middle if k == j else low for k, low in enumerate(lo)], hi)
        return ClassSplit(j, _split_value(self.search.gam.features[j], self.layout.reps[j],
                                          middle), below, above)  # fmt: skip

    def point(self, x: Sequence[int]) -> ClassNode:
        """A box of one representative per feature, decided exactly."""
        found = self.search.witness(list(x))
        if found is not None:
            raise _Stop(found)
        reps, gam = self.layout.reps, self.search.gam
        point = [reps[j][x[j]] for j in range(len(reps))]
        point[self.i] = reps[self.i][0]
        c = gam.predict_index(point)
        return ClassLeaf((c,), tuple((d, c) for d in range(self.k) if d != c))


def _split_value(feature: Any, reps: Sequence[Any], middle: int) -> Any:
    """Where a split at representative ``middle`` cuts: its position in a finite domain,
    else its value (the box below holds the values under it)."""
    return middle if isinstance(feature.domain, Finite) else reps[middle]


@register_algorithm(
    "fr",
    "multiclass-pair-boxes",
    summary="a float search for two values of the feature with different argmaxes, else a "
    "tree of boxes of the other features on each of which one class wins or the feature "
    "moves no winner's margin; worst case exponential",
    theorem="thm:multiclass-fr-pair-boxes",
    priority=10,
    solves=lambda cell: cell.task == "multiclass",
    applies=multiclass_pairs_applies,
    multiclass=True,
)
def fr_multiclass_pair_boxes(
    gam: Any, feature: int, *, max_states: int, time_limit: float | None
) -> FrOutcome:
    """Whether ``feature`` of a multiclass model with pair terms can change the argmax,
    with a witness or a box proof.

    Notes
    -----
    coNP-complete already for K = 2 (thm:multiclass-fr), so the proof is worst-case
    exponential: its tree has at most Π_j k_j leaves for k_j representatives of feature
    j, and each box costs O(K²·(Σ_j k_j + Σ_p |g_p| + k_i·Σ_(p∋i) b_p)) float operations
    (thm:multiclass-fr-pair-boxes). On ``time_limit`` the result is undecided
    (``time_limit``); past :data:`NODE_LIMIT` boxes it is ``budget_exhausted``.
    """
    search = _Search(gam, _Layout(gam), feature)
    boxes = _Boxes(search, NODE_LIMIT)
    sizes = [len(r) for r in search.layout.reps]
    whole = [0] * len(sizes)
    tree: ClassNode | None = boxes.decide(boxes.bounds(whole, sizes)[0], whole, sizes)
    if tree is None:
        found = search.run(RESTARTS)
        if found is not None:
            return FrOutcome(False, found, work={"restarts": RESTARTS, "boxes": 0})
    try:
        tree = tree or boxes.prove(list(whole), list(sizes))
    except _Stop as stop:
        if stop.witness is not None:
            return FrOutcome(False, stop.witness, work={"boxes": boxes.nodes})
        return FrOutcome(False, status="budget_exhausted", work={"boxes": boxes.nodes},
                         message=f"the box proof opened more than {NODE_LIMIT} boxes "
                         "without deciding")  # fmt: skip
    work = {"boxes": boxes.nodes}
    if not class_boxes_hold(gam, feature, tree):
        return FrOutcome(False, status="budget_exhausted", work=work,
                         message="the box proof found in floats did not re-check exactly")
    return FrOutcome(True, tree=tree, work=work)
