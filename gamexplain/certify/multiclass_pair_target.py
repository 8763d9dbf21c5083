"""Check of a minimum contrastive reason toward a target class of a multiclass model with
pair terms (:mod:`gamexplain.algorithms.multiclass_pair_target`).

The check re-derives everything from the model's raw numbers:

- the witness: in the domain, differing from x exactly on the reason's features (none of
  them fixed), and the target the exact argmax there (:func:`class_of`, ties to the lowest
  index);
- minimality: for every set of fewer free features, every joint pick of their
  representative values has another class winning. The representatives are cut here by
  :mod:`gamexplain.certify.redundancy` (one value per part of each class's shape split at
  the pair edges, the union over the classes: every part is closed on the left, so the
  union holds one value of each part of the common refinement).

The picks of one set are scored together on a numpy grid built from this module's own
float tables (each entry the correctly rounded exact value), with a rigorous bound on
the rounding of a margin: an entry where some rival beats the target by more than the
bound is lost exactly, and every other entry is evaluated in exact arithmetic
(:func:`~gamexplain.certify.multiclass.class_of`). Before scoring, a set is cut when
some rival beats the target even with every term at its own best (a bound this module
sums, with the same rounding allowance); a grid too large to score at once is split on
its longest axis and each part bounded again. Only the sets of one feature fewer
than the reason are scored: each grid holds a representative of x's own part for every
member, so it covers the smaller sets inside it. Nothing is read from the solver but
the reason, its witness and the size it claims.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify.evaluate import contribution, in_domain, pair_bin
from gamexplain.certify.multiclass import class_of
from gamexplain.certify.redundancy import _representatives
from gamexplain.errors import CertificateError

__all__ = [
    "PairListedCertificate",
    "PairTargetCertificate",
    "check_pair_target",
    "minimal_toward",
    "pair_representatives",
    "refuted_below",
]


@dataclass(frozen=True, kw_only=True)
class PairTargetCertificate:
    """Why a contrastive reason toward a target class of a pair model has the least size:
    the witness is in the result; ``lower`` is the size below which every set of free
    features was refuted (the reason's size when solved; the number of free features
    plus one when no change makes the target win; less when the time ran out)."""

    model: str
    prediction: int
    target: int
    lower: int


@dataclass(frozen=True, kw_only=True)
class PairListedCertificate:
    """Why a listed contrastive reason toward a target class of a pair model is
    subset-minimal: the witness is in the result, and the check re-enumerates, for each
    member, the picks of the other members (nothing else to record)."""

    model: str
    prediction: int
    target: int


def pair_representatives(gam: Any, i: int) -> list[Any]:
    """The union over the classes of feature i's representative values."""
    found: list[Any] = []
    for model in gam.scores:
        for v in _representatives(model, i):
            if v not in found:
                found.append(v)
    return found


_UNIT = 2.0**-52
"""Twice the unit roundoff of a double: the relative error of one rounding, with room."""


_GRID = 1 << 20
"""Most entries of one grid scored at once; a larger one is split."""

Picks = dict[int, np.ndarray]


class _Scores:
    """The check's own float tables (every entry the correctly rounded exact value) and a
    rigorous bound on the error of a margin summed from them.

    Per class: the intercept, feature i's contribution at x and at each representative,
    and each pair term's table entry at every pick of its features' representatives (x's
    value for a feature outside the set). A class score summed from T such terms in
    double precision is within 2T·u·A of the exact one, A bounding the sum of the terms'
    magnitudes; a margin of two scores is within twice that plus one more rounding. So
    every margin below −``tolerance`` is negative exactly, and the other entries are
    decided in exact arithmetic.
    """

    def __init__(self, gam: Any, x: tuple[Any, ...], free: Sequence[int], limit: int) -> None:
        self.gam, self.x, self.k = gam, x, gam.n_classes
        self.limit, self.spent = limit, 0
        self.axes = {i: pair_representatives(gam, i) for i in free}
        self.main = {i: np.array([[float(contribution(m, i, v)) for v in vs] for m in gam.scores])
                     for i, vs in self.axes.items()}  # fmt: skip
        self.at_x = np.array([[float(contribution(m, i, x[i])) for i in range(gam.n_features)]
                              for m in gam.scores])  # fmt: skip
        self.intercepts = np.array([float(Fraction(m.intercept)) for m in gam.scores])
        self.terms = []
        for p, pair in enumerate(gam.pairs):
            bins = [self._bins(pair, axis) for axis in (0, 1)]
            tables = np.array([[[float(Fraction(row[c])) for c in bins[1]]
                                for row in (m.pairs[p].values[r] for r in bins[0])]
                               for m in gam.scores])  # fmt: skip
            self.terms.append((pair.features, tables))
        magnitude = np.abs(self.intercepts) + np.abs(self.at_x).sum(axis=1)
        magnitude += sum((np.abs(t).max(axis=(1, 2)) for _, t in self.terms), np.zeros(self.k))
        magnitude += sum((np.abs(v).max(axis=1) for v in self.main.values()), np.zeros(self.k))
        count = 1 + gam.n_features + len(gam.pairs)
        self.tolerance = (4 * count + 8) * _UNIT * 1.01 * float(magnitude.max())

    def _bins(self, pair: Any, axis: int) -> list[int]:
        """The bins of x's value then of every representative of the axis's feature."""
        i = pair.features[axis]
        values = [self.x[i], *self.axes.get(i, ())]
        return [pair_bin(self.gam, pair, axis, v) for v in values]

    def _picked(self, members: tuple[int, ...], picks: Picks) -> tuple[Any, list[Any]]:
        """Per class the constant part (the other features at x), and per term its values
        over the members' picks with the members' axes: (K, shape) arrays."""
        s, where = len(members), {i: t for t, i in enumerate(members)}
        base = self.intercepts + self.at_x[:, [i for i in range(self.gam.n_features)
                                               if i not in where]].sum(axis=1)  # fmt: skip
        parts = []
        for t, i in enumerate(members):
            shape = [self.k] + [1] * s
            shape[1 + t] = len(picks[i])
            parts.append(self.main[i][:, picks[i]].reshape(shape))
        for (a, b), tables in self.terms:
            rows = 1 + picks[a] if a in where else np.zeros(1, dtype=np.intp)
            cols = 1 + picks[b] if b in where else np.zeros(1, dtype=np.intp)
            picked = tables[:, rows][:, :, cols]
            shape = [self.k] + [1] * s
            if a in where:
                shape[1 + where[a]] = len(rows)
            if b in where:
                shape[1 + where[b]] = len(cols)
            if a in where and b in where and where[a] > where[b]:
                picked = picked.transpose(0, 2, 1)
            parts.append(picked.reshape(shape))
        return base, parts

    def _cut(self, members: tuple[int, ...], picks: Picks, target: int, rivals: list[int]) -> bool:
        """Some rival beats the target at every pick, by the bound that takes each term's
        best margin on its own (each term's error is inside the tolerance)."""
        base, parts = self._picked(members, picks)
        best = base[target] - base[rivals]
        for part in parts:
            diff = part[target][None] - part[rivals]
            best = best + diff.reshape(len(rivals), -1).max(axis=1)
        return bool(np.any(best < -self.tolerance))

    def refutes(self, members: tuple[int, ...], target: int, picks: Picks | None = None) -> bool:
        """No pick of the members' representatives has the target winning: the bound cuts
        it, or a grid of at most ``_GRID`` entries has every entry with a rival's margin
        below −tolerance or losing in exact arithmetic; a larger grid splits on its
        longest axis."""
        rivals = [d for d in range(self.k) if d != target]
        if not rivals:
            return False
        if picks is None:
            picks = {i: np.arange(len(self.axes[i])) for i in members}
            settled = self._frontier(members, target, rivals)
            if settled is not None:
                return settled
        self.spent += 1
        if self._cut(members, picks, target, rivals):
            return True
        if math.prod(len(picks[i]) for i in members) > _GRID:
            i = max(members, key=lambda j: len(picks[j]))
            return all(self.refutes(members, target, {**picks, i: picks[i][c : c + 1]})
                       for c in range(len(picks[i])))  # fmt: skip
        base, parts = self._picked(members, picks)
        total: Any = base.reshape((self.k,) + (1,) * len(members))
        for part in parts:
            total = total + part
        scores = np.broadcast_to(total, (self.k, *(len(picks[i]) for i in members)))
        self.spent += scores[0].size
        if self.spent > self.limit:
            raise CertificateError(f"checking minimality passed {self.limit} grid entries")
        margins = scores[target][None] - scores[rivals]
        for spot in np.argwhere(~np.any(margins < -self.tolerance, axis=0)):
            point = list(self.x)
            for i, c in zip(members, spot, strict=True):
                point[i] = self.axes[i][int(picks[i][int(c)])]
            if class_of(self.gam, point) == target:
                return False
        return True


    def _frontier(self, members: tuple[int, ...], target: int, rivals: list[int]) -> bool | None:
        """Decide by the frontier of margin vectors: the members joined by pair terms
        form blocks whose margin gains over x add up independently; float addition is
        monotone, so a pick whose exact margins all reach 0 is weakly dominated, in the
        floats, by a kept sum of margins above minus the summed rounding bound. True when
        no kept sum is; False when a candidate wins exactly; None when undecided."""
        blocks = _blocks(members, [pair for pair, _ in self.terms])
        sizes = [math.prod(len(self.axes[i]) for i in block) for block in blocks]
        if any(size > _GRID for size in sizes):
            return None
        origin = self._margins((), {}, target, rivals).reshape(-1)
        sums, chosen = origin[None], np.zeros((1, 0), dtype=np.intp)
        for block in blocks:
            picks = {i: np.arange(len(self.axes[i])) for i in block}
            gains = self._margins(block, picks, target, rivals).reshape(len(rivals), -1).T
            gains = gains - origin
            kept = _undominated(gains)
            total = (sums[:, None, :] + gains[kept][None]).reshape(-1, len(rivals))
            self.spent += len(total)
            if self.spent > self.limit:
                return None
            front = _undominated(total)
            rows, cols = np.divmod(front, len(kept))
            sums, chosen = total[front], np.concatenate([chosen[rows], kept[cols][:, None]], 1)
        worst = sums.min(axis=1)
        slack = self.tolerance * (2 * len(blocks) + 2)
        for k in np.argsort(-worst, kind="stable"):
            if worst[k] < -slack:
                return True
            point = list(self.x)
            for block, flat in zip(blocks, chosen[k], strict=True):
                spot = np.unravel_index(int(flat), tuple(len(self.axes[i]) for i in block))
                for i, c in zip(block, spot, strict=True):
                    point[i] = self.axes[i][int(c)]
            if class_of(self.gam, point) == target:
                return False
        return None

    def _margins(self, members: tuple[int, ...], picks: Picks, target: int,
                 rivals: list[int]) -> np.ndarray:  # fmt: skip
        """The margins "target beats d" on the members' grid: (rivals, n_1, …, n_s)."""
        base, parts = self._picked(members, picks)
        total: Any = base.reshape((self.k,) + (1,) * len(members))
        for part in parts:
            total = total + part
        scores = np.broadcast_to(total, (self.k, *(len(picks[i]) for i in members)))
        return scores[target][None] - scores[rivals]


def _blocks(members: tuple[int, ...], pairs: list[tuple[int, int]]) -> list[tuple[int, ...]]:
    """The members grouped by the pair terms joining two of them (in members' order)."""
    group = {i: {i} for i in members}
    for a, b in pairs:
        if a in group and b in group and group[a] is not group[b]:
            joined = group[a] | group[b]
            for i in joined:
                group[i] = joined
    seen: list[set[int]] = []
    for i in members:
        if not any(group[i] is g for g in seen):
            seen.append(group[i])
    return [tuple(i for i in members if i in g) for g in seen]


def _undominated(points: np.ndarray) -> np.ndarray:
    """Indices of points such that every point is weakly below one of them in every
    coordinate (maximisation)."""
    order = np.lexsort(points.T[::-1])[::-1]
    if points.shape[1] == 1:
        return order[:1]
    if points.shape[1] == 2:  # after the ones sorted before it, only a higher second counts
        second = points[order, 1]
        higher = np.concatenate([[True], second[1:] > np.maximum.accumulate(second)[:-1]])
        return order[higher]
    kept: list[int] = []
    for k in order:
        if not kept or not np.any(np.all(points[kept] >= points[k], axis=1)):
            kept.append(int(k))
    return np.array(kept, dtype=np.intp)


def _refuted(gam: Any, x: tuple[Any, ...], target: int, free: Sequence[int], below: int,
             limit: int) -> bool:  # fmt: skip
    """No set of fewer than ``below`` free features has a pick where the target wins.

    Each set's grid holds a representative of x's own part for every member, so the sets
    of exactly ``below`` − 1 features (all of them when fewer are free) cover every
    smaller set."""
    if below <= 0:
        return True
    size = min(below - 1, len(free))
    tables = _Scores(gam, x, free, limit)
    return all(tables.refutes(members, target)
               for members in itertools.combinations(free, size))  # fmt: skip


def check_pair_target(
    gam: Any, x: Sequence[Any], target: int, fixed: frozenset[int],
    witness: Sequence[Any] | None, changed: frozenset[int] | None, *, limit: int = 400_000_000,
) -> bool:  # fmt: skip
    """True iff ``witness`` (changing exactly ``changed``) makes ``target`` win and no
    smaller set of free features can; with no witness, iff no change of the free features
    makes it win."""
    x = tuple(x)
    if not (0 <= target < gam.n_classes) or not in_domain(gam.scores[0], x):
        return False
    free = [i for i in range(gam.n_features) if i not in fixed]
    if witness is None or changed is None:
        return witness is None and changed is None and _refuted(
            gam, x, target, free, len(free) + 1, limit)  # fmt: skip
    witness = tuple(witness)
    if len(witness) != gam.n_features or not in_domain(gam.scores[0], witness):
        return False
    moved = frozenset(i for i in range(gam.n_features) if witness[i] != x[i])
    if moved != changed or moved & fixed:
        return False
    if class_of(gam, witness) != target:
        return False
    return _refuted(gam, x, target, free, len(changed), limit)


def minimal_toward(gam: Any, x: Sequence[Any], target: int, changed: frozenset[int], *,
                   limit: int = 400_000_000) -> bool:  # fmt: skip
    """True iff, for every j in ``changed``, no change of ``changed`` − {j} alone makes
    ``target`` win (so no proper subset can: the property is monotone)."""
    return all(_refuted(gam, tuple(x), target, sorted(changed - {j}), len(changed), limit)
               for j in sorted(changed))  # fmt: skip


def refuted_below(gam: Any, x: Sequence[Any], target: int, fixed: frozenset[int], below: int,
                  *, limit: int = 400_000_000) -> bool:  # fmt: skip
    """True iff no set of fewer than ``below`` free features can make ``target`` win."""
    free = [i for i in range(gam.n_features) if i not in fixed]
    return 0 <= below <= len(free) + 1 and _refuted(gam, tuple(x), target, free, below, limit)
