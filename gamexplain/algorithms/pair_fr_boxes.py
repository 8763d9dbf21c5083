"""Feature redundancy of a classifier with pair terms: a witness search, then a box proof.

When every feature is a step function or finite, the model depends on feature j only
through which *elementary part* of its domain x_j lies in (between consecutive
breakpoints of its main effect and edges of its pair terms), so each feature becomes an
ordered list of representatives (:func:`gamexplain.algorithms.pair_fr.representatives`).
Feature i is not redundant iff some point x of the other features and two values v, w of
i put s(x, v) in class 1 and s(x, w) in class 0.

1. **Witness search** (floats, to find). A coordinate descent over the other features'
   representatives drives φ(x) = max(t − max_v s(x, v), min_v s(x, v) − t) below zero:
   the highest and lowest scores over i's values then straddle the threshold. Moving a
   feature that shares no pair term with i shifts every s(x, v) alike; moving a partner
   of i also changes their spread, which is recomputed for all its values at once (a
   k_i × k_j matrix). Restarts begin at the middle representatives, then at random
   ones. A float straddle is re-evaluated exactly and kept only when it is a witness.
2. **Box proof** (floats to build, exact to certify). Depth-first over boxes — a range of
   representatives per feature other than i — a box is a leaf when on all of it every
   value of i gives class 0 (an upper bound of the score is in class 0: ``low``), or
   class 1 (a lower bound is in class 1: ``high``), or when i cannot move the score there
   (every value of i has the same main effect and the same pair-table rows over the
   partners' bins in the box: ``flat``). The bounds add per-term extremes over the box
   and keep i's own terms together, max_v [a_i(v) + Σ_p max_z g_p(v, z)], so on a box of
   single representatives they are the exact extremes of s(x, ·): a box that no rule
   decides is split in the middle of its widest feature, and a single point is decided
   exactly (a witness, or ``low`` / ``high``). The search is complete: it ends in a
   witness or in a tree whose leaves cover the product of the others' domains.

The tree is re-checked before it is returned by :func:`gamexplain.certify.pair_redundancy.
boxes_hold`, which derives its own representatives, bins and bounds in exact arithmetic
and shares no code with this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.pair_fr import representatives, step_reason
from gamexplain.algorithms.redundancy import Outcome, witness_at
from gamexplain.certify.pair_redundancy import BoxLeaf, BoxNode, BoxSplit, boxes_hold
from gamexplain.certify.redundancy import RedundancyProof, Witness
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import as_fraction
from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline

__all__ = ["NODE_LIMIT", "RESTARTS", "boxes_applies", "fr_pair_boxes"]

NODE_LIMIT = 50_000
"""Boxes the proof may open; past it the run stops undecided (``budget_exhausted``)."""

RESTARTS = 6
"""Starting points of the witness search before the box proof begins."""

_SWEEPS = 25
_UNIT = 2.0**-53


def boxes_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a classifier with pair terms whose features are all steps or finite."""
    if not gam.pairs:
        return "the model has no pair terms (the additive algorithms answer it)"
    if not isinstance(gam.task, Classification):
        return "it decides classification; regression goes to pair-moves"
    for feature in gam.features:
        reason = step_reason(feature)
        if reason is not None:
            return reason
    return None


class _Layout:
    """Per feature its representatives and their main effects in floats; per pair term
    its table in floats and the bin of every representative of each of its features."""

    def __init__(self, gam: Any) -> None:
        self.reps: list[list[Any]] = []
        self.main: list[NDArray[np.float64]] = []
        for j, feature in enumerate(gam.features):
            deadline.check()
            cuts = list(feature.shape.breakpoints) if isinstance(feature.shape, Piecewise) else []
            for pair in gam.pairs:
                if j in pair.features:
                    edges = pair.edges[pair.features.index(j)]
                    cuts += [] if edges is None else list(edges[1:-1])
            reps = representatives(feature, cuts)
            self.reps.append(reps)
            self.main.append(np.array([float(as_fraction(feature.contribution_exact(v)))
                                       for v in reps]))  # fmt: skip
        self.pairs: list[tuple[int, int, NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]]
        self.pairs = []
        numeric = [_numeric(f, reps) for f, reps in zip(gam.features, self.reps, strict=True)]
        for pair in gam.pairs:
            deadline.check()
            bins = [_bins(pair, a, gam.features[j], self.reps[j], *numeric[j])
                    for a, j in enumerate(pair.features)]  # fmt: skip
            table = np.asarray(pair.values, dtype=float)
            self.pairs.append((pair.features[0], pair.features[1], table, bins[0], bins[1]))


def _numeric(feature: Any, reps: Sequence[Any]) -> tuple[NDArray[np.float64], list[int]]:
    """The representatives as floats, and where a float does not hold one exactly (none
    of a finite domain's, which pair terms index by position)."""
    if isinstance(feature.domain, Finite) and not feature.domain.is_numeric:
        return np.zeros(len(reps)), []
    numbers = np.array([float(v) for v in reps])
    inexact = [k for k, v in enumerate(reps)
               if isinstance(v, Fraction) and Fraction(numbers[k]) != v]  # fmt: skip
    return numbers, inexact


def _bins(pair: Any, axis: int, feature: Any, reps: Sequence[Any],
          numbers: NDArray[np.float64], inexact: Sequence[int]) -> NDArray[np.intp]:  # fmt: skip
    """The pair term's bin of every representative: by float bisection over the edges
    (bins are right-continuous), and by the model's exact rule for the representatives
    no float holds (``inexact``)."""
    edges = pair.edges[axis]
    if edges is None:
        return np.array([pair.bin_of(axis, feature, v) for v in reps], dtype=np.intp)
    found = np.searchsorted(np.asarray(edges[1:-1], dtype=float), numbers, side="right")
    for k in inexact:
        found[k] = pair.bin_of(axis, feature, reps[k])
    return found.astype(np.intp)


_LAYOUTS: dict[int, tuple[Any, _Layout]] = {}


def _layout(gam: Any) -> _Layout:
    """The model's layout, kept per model object (looked up by identity: a model's hash
    reads all its values)."""
    held = _LAYOUTS.get(id(gam))
    if held is not None and held[0] is gam:
        return held[1]
    made = _Layout(gam)
    if len(_LAYOUTS) >= 8:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    _LAYOUTS[id(gam)] = (gam, made)
    return made


class _Flip:
    """The question for feature i: i's own terms (its main effect, its pair tables turned
    to rows of i's bins) apart from the rest."""

    def __init__(self, gam: Any, layout: _Layout, i: int) -> None:
        self.gam, self.layout, self.i = gam, layout, i
        task = gam.task
        self.t = float(task.threshold_exact)
        self.others = [j for j in range(gam.n_features) if j != i]
        self.own: list[tuple[int, NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]] = []
        self.rest: list[tuple[int, int, NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]]
        self.rest = []
        for j0, j1, table, b0, b1 in layout.pairs:
            if j0 == i:
                self.own.append((j1, table, b0, b1))
            elif j1 == i:
                self.own.append((j0, table.T, b1, b0))
            else:
                self.rest.append((j0, j1, table, b0, b1))
        self.intercept = float(gam.intercept)
        self.blocks: dict[int, NDArray[np.float64] | None] = {}
        magnitude = (
            abs(self.intercept)
            + abs(self.t)
            + sum(float(np.max(np.abs(m), initial=0.0)) for m in layout.main)
        )
        magnitude += sum(float(np.max(np.abs(p[2]), initial=0.0)) for p in layout.pairs)
        terms = gam.n_features + len(gam.pairs) + 4
        # a sum of `terms` rounded floats, each within u of its value, and its rounding
        self.error = 4 * terms * _UNIT * magnitude + 2.0**-1000

    # -- the witness search --------------------------------------------------------------
    def scores(self, x: Sequence[int]) -> NDArray[np.float64]:
        """s(x, v) for every representative v of i, in floats."""
        layout = self.layout
        base = self.intercept + sum(float(layout.main[j][x[j]]) for j in self.others)
        for j0, j1, table, b0, b1 in self.rest:
            base += float(table[b0[x[j0]], b1[x[j1]]])
        found = base + layout.main[self.i]
        for j, table, bi, bj in self.own:
            found = found + table[bi, bj[x[j]]]
        return found

    def phi(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        """max(t − max_v s, min_v s − t) along the last axis."""
        return np.maximum(self.t - s.max(axis=-1), s.min(axis=-1) - self.t)

    def effect(self, x: Sequence[int], j: int) -> NDArray[np.float64]:
        """For every representative z of j, its main effect plus its pair terms with the
        features other than i at x."""
        own = self.layout.main[j].copy()
        for j0, j1, table, b0, b1 in self.rest:
            if j0 == j:
                own += table[b0, b1[x[j1]]]
            elif j1 == j:
                own += table[b0[x[j0]], b1]
        return own

    def block(self, j: int) -> NDArray[np.float64] | None:
        """block[z, v]: the pair terms of i with partner j at (v, z); None for a feature
        that shares no pair term with i."""
        if j not in self.blocks:
            found = None
            for partner, table, bi, bj in self.own:
                if partner == j:
                    part = table[np.ix_(bi, bj)].T
                    found = part if found is None else found + part
            self.blocks[j] = found
        return self.blocks[j]

    def step(
        self, x: list[int], j: int, s: NDArray[np.float64], rng: np.random.Generator
    ) -> tuple[int, NDArray[np.float64], float, float]:
        """The best representative of j for φ (ties at random), the scores there, and φ
        there and at x_j. Moving a feature that is no partner of i shifts every score
        alike, so its φ comes from the highest and lowest score alone."""
        own, block = self.effect(x, j), self.block(j)
        if block is None:
            delta = own - own[x[j]]
            phi = np.maximum(self.t - s.max() - delta, s.min() + delta - self.t)
        else:
            table = (s - own[x[j]] - block[x[j]])[None, :] + own[:, None] + block
            phi = self.phi(table)
        best = np.flatnonzero(phi == phi.min())
        z = int(best[rng.integers(len(best))])
        moved = s + delta[z] if block is None else table[z]
        return z, moved, float(phi[z]), float(phi[x[j]])

    def descend(self, x: list[int], rng: np.random.Generator) -> list[int] | None:
        """Coordinate descent on φ from x; the point once φ < 0, else None."""
        s = self.scores(x)
        for _ in range(_SWEEPS):
            changed = False
            for j in rng.permutation(self.others):
                deadline.check()
                z, s, phi, before = self.step(x, int(j), s, rng)
                changed |= z != x[j] and phi < before
                x[j] = z
                if phi < 0:
                    return x
            if not changed:
                return None
        return None

    def meet(self, x: list[int], rng: np.random.Generator) -> list[int] | None:
        """From a point where the descent stalled, move four features at once onto a point
        whose scores straddle the threshold, if one exists: the features share no pair
        term with i or with each other, so their moves shift every s(x, v) alike by the sum
        of their effects, and a meet in the middle over the sums of two and two finds the
        sum nearest the middle of the window (O(k² log k) for k representatives)."""
        chosen = self.independent(rng)
        if len(chosen) < 2:
            return None
        s = self.scores(x)
        effects = [self.effect(x, j) for j in chosen]
        now = sum(float(e[x[j]]) for e, j in zip(effects, chosen, strict=True))
        low, high = self.t - float(s.max()) + now, self.t - float(s.min()) + now
        half = len(chosen) // 2
        left, right = _sums(effects[:half]), _sums(effects[half:])
        order = np.argsort(right)
        ranked = right[order]
        goal = (low + high) / 2
        at = np.clip(np.searchsorted(ranked, goal - left), 1, len(ranked) - 1)
        pick = np.where(np.abs(left + ranked[at - 1] - goal) <= np.abs(left + ranked[at] - goal),
                        at - 1, at)  # fmt: skip
        total = left + ranked[pick]
        a = int(np.argmin(np.abs(total - goal)))
        if not low + self.error < total[a] < high - self.error:
            return None
        sizes = [len(e) for e in effects]
        found = list(np.unravel_index(a, sizes[:half])) + list(
            np.unravel_index(int(order[pick[a]]), sizes[half:]))  # fmt: skip
        for j, z in zip(chosen, found, strict=True):
            x[j] = int(z)
        return x

    def independent(self, rng: np.random.Generator) -> list[int]:
        """Up to four features other than i, sharing no pair term with i or each other."""
        linked: dict[int, set[int]] = {j: set() for j in self.others}
        for j0, j1, *_ in self.layout.pairs:
            linked.setdefault(j0, set()).add(j1)
            linked.setdefault(j1, set()).add(j0)
        chosen: list[int] = []
        for j in rng.permutation(self.others):
            j = int(j)
            if self.i not in linked[j] and not linked[j] & set(chosen) and len(
                    self.layout.reps[j]) > 1:  # fmt: skip
                chosen.append(j)
            if len(chosen) == 4:
                break
        return chosen

    def witness(self, x: Sequence[int], s: NDArray[np.float64]) -> Witness | None:
        """The exact witness at x with i's highest and lowest float scores, if it is one."""
        reps = self.layout.reps
        values = [reps[j][x[j]] if j != self.i else None for j in range(len(reps))]
        up, down = reps[self.i][int(np.argmax(s))], reps[self.i][int(np.argmin(s))]
        found = witness_at(self.gam, self.i, values, up, down)
        return found if tuple(found.outputs) == (1, 0) else None

    def search(self, restarts: int) -> Witness | None:
        rng = np.random.default_rng(0)
        sizes = [len(r) for r in self.layout.reps]
        for k in range(restarts):
            x = [n // 2 if k == 0 else int(rng.integers(n)) for n in sizes]
            found = self.descend(x, rng)
            if found is None:  # a narrow window (a small effect) needs a joint move
                found = self.meet(x, rng)
            if found is not None:
                witness = self.witness(found, self.scores(found))
                if witness is not None:
                    return witness
        return None


def _sums(effects: Sequence[NDArray[np.float64]]) -> NDArray[np.float64]:
    """Every sum of one value from each array, flattened in C order."""
    total = np.zeros(1)
    for e in effects:
        total = (total[:, None] + e[None, :]).ravel()
    return total


class _Stop(Exception):
    """Ends the box search: with a witness, or (None) when the node budget runs out."""

    def __init__(self, witness: Witness | None) -> None:
        super().__init__()
        self.witness = witness


class _Boxes:
    """The depth-first box proof for one feature."""

    def __init__(self, flip: _Flip, limit: int) -> None:
        self.flip, self.limit, self.nodes = flip, limit, 0

    def bounds(self, lo: Sequence[int], hi: Sequence[int]) -> tuple[float, float, NDArray[Any],
                                                                     bool]:  # fmt: skip
        """An upper and a lower bound of s(x, v) over the box and every v, each feature's
        width (how far its terms move inside the box) and whether i is flat there."""
        flip, layout = self.flip, self.flip.layout
        top = bottom = flip.intercept
        width = np.zeros(len(layout.reps))
        for j in flip.others:
            part = layout.main[j][lo[j] : hi[j]]
            top, bottom = top + float(part.max()), bottom + float(part.min())
            width[j] += float(part.max() - part.min())
        for j0, j1, table, b0, b1 in flip.rest:
            sub = table[np.ix_(np.unique(b0[lo[j0] : hi[j0]]), np.unique(b1[lo[j1] : hi[j1]]))]
            top, bottom = top + float(sub.max()), bottom + float(sub.min())
            width[j0] += float(sub.max() - sub.min())
            width[j1] += float(sub.max() - sub.min())
        i = flip.i
        high, low, rows = layout.main[i].copy(), layout.main[i].copy(), [layout.main[i][:, None]]
        for j, table, bi, bj in flip.own:
            sub = table[:, np.unique(bj[lo[j] : hi[j]])]
            high += sub.max(axis=1)[bi]
            low += sub.min(axis=1)[bi]
            width[j] += float((sub.max(axis=1) - sub.min(axis=1)).max())
            rows.append(sub[bi])
        joined = np.hstack(rows)
        flat = bool(np.all(joined == joined[0]))
        return top + float(high.max()), bottom + float(low.min()), width, flat

    def decide(self, top: float, bottom: float, flat: bool) -> BoxLeaf | None:
        """The leaf the float bounds make of a box, beyond their error; None if none."""
        flip = self.flip
        if top < flip.t - flip.error:
            return BoxLeaf("low")
        if bottom > flip.t + flip.error:
            return BoxLeaf("high")
        return BoxLeaf("flat") if flat else None

    def leaf(self, lo: Sequence[int], hi: Sequence[int]) -> BoxLeaf | None:
        self.nodes += 1
        top, bottom, _, flat = self.bounds(lo, hi)
        return self.decide(top, bottom, flat)

    def prove(self, lo: list[int], hi: list[int]) -> BoxNode:
        self.nodes += 1
        if self.nodes > self.limit:
            raise _Stop(None)
        deadline.check()
        top, bottom, width, flat = self.bounds(lo, hi)
        found = self.decide(top, bottom, flat)
        if found is not None:
            return found
        flip = self.flip
        open_ = [j for j in flip.others if hi[j] - lo[j] > 1]
        if not open_:
            return self.point(lo)
        j = max(open_, key=lambda k: (width[k], hi[k] - lo[k]))
        middle = (lo[j] + hi[j]) // 2
        below = self.prove(lo, [middle if k == j else h for k, h in enumerate(hi)])
        above = self.prove([middle if k == j else low for k, low in enumerate(lo)], hi)
        return BoxSplit(j, _split_value(flip.gam.features[j], flip.layout.reps[j], middle),
                        below, above)  # fmt: skip

    def point(self, x: Sequence[int]) -> BoxNode:
        """A box of one representative per feature, decided exactly."""
        flip = self.flip
        reps, gam, i = flip.layout.reps, flip.gam, flip.i
        point = [reps[j][x[j]] for j in range(len(reps))]
        labels: dict[Any, Any] = {}
        for v in reps[i]:
            point[i] = v
            labels.setdefault(gam.predict_exact(point), v)
        if len(labels) == 2:
            raise _Stop(witness_at(gam, i, point, labels[1], labels[0]))
        return BoxLeaf("high" if 1 in labels else "low")


def _split_value(feature: Any, reps: Sequence[Any], middle: int) -> Any:
    """Where a split at representative ``middle`` cuts: its position in a finite domain,
    else its value (the box below holds the values under it)."""
    return middle if isinstance(feature.domain, Finite) else reps[middle]


@register_algorithm(
    "fr",
    "pair-boxes",
    summary="a witness by coordinate descent, else a tree of boxes of the other features on "
    "which the score stays on one side or the feature is flat; worst case exponential",
    theorem="thm:pairs-fr-boxes",
    priority=40,
    solves=lambda cell: cell.task == "classification",
    applies=boxes_applies,
)
def fr_pair_boxes(gam: Any, feature: int, **options: Any) -> Outcome:
    """Classification FR with pair terms over step and finite features.

    Notes
    -----
    FR is coNP-complete with pair terms (thm:fr-conp), so the proof is worst-case
    exponential: its tree has at most Π_j k_j leaves for k_j representatives of feature
    j, and each box costs O(Σ_j k_j + Σ_p |g_p| + k_i·Σ_(p∋i) b_p) float operations. The
    witness search costs O(k_i·k_j) per move of a partner j of i and O(k_j) per move of
    any other feature (thm:pairs-fr-boxes). On ``time_limit`` the result is undecided
    (``time_limit``); past :data:`NODE_LIMIT` boxes it is ``budget_exhausted``.
    """
    flip = _Flip(gam, _layout(gam), feature)
    boxes = _Boxes(flip, NODE_LIMIT)
    sizes = [len(r) for r in flip.layout.reps]
    # the whole domain may already be a leaf (a feature without effect): no search then
    tree: BoxNode | None = boxes.leaf([0] * len(sizes), sizes)
    if tree is None:
        found = flip.search(RESTARTS)
        if found is not None:
            return Outcome(False, found, work={"boxes": 0})
    try:
        tree = tree or boxes.prove([0] * len(sizes), sizes)
    except _Stop as stop:
        if stop.witness is not None:
            return Outcome(False, stop.witness, work={"boxes": boxes.nodes})
        return Outcome(False, None, "budget_exhausted",
                       f"the box proof opened more than {NODE_LIMIT} boxes without deciding",
                       {"boxes": boxes.nodes})  # fmt: skip
    work = {"boxes": boxes.nodes}
    if not boxes_hold(gam, feature, tree):
        return Outcome(False, None, "budget_exhausted",
                       "the box proof found in floats did not re-check exactly", work)  # fmt: skip
    return Outcome(True, RedundancyProof("boxes", tree=tree), work=work)
