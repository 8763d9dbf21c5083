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
(:func:`~gamexplain.certify.multiclass.class_of`). Only the sets of one feature fewer
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

__all__ = ["PairTargetCertificate", "check_pair_target", "pair_representatives", "refuted_below"]


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

    def __init__(self, gam: Any, x: tuple[Any, ...], free: Sequence[int]) -> None:
        self.gam, self.x, self.k = gam, x, gam.n_classes
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

    def grid(self, members: tuple[int, ...]) -> np.ndarray:
        """The K class scores at every pick of the members' representatives, the other
        features at x: shape (K, n_1, …, n_s)."""
        s, where = len(members), {i: t for t, i in enumerate(members)}
        base = self.intercepts + self.at_x[:, [i for i in range(self.gam.n_features)
                                               if i not in where]].sum(axis=1)  # fmt: skip
        total: Any = base.reshape((self.k,) + (1,) * s)
        for t, i in enumerate(members):
            shape = [self.k] + [1] * s
            shape[1 + t] = self.main[i].shape[1]
            total = total + self.main[i].reshape(shape)
        for (a, b), tables in self.terms:
            rows = slice(1, None) if a in where else slice(0, 1)
            cols = slice(1, None) if b in where else slice(0, 1)
            picked = tables[:, rows, cols]
            shape = [self.k] + [1] * s
            if a in where:
                shape[1 + where[a]] = picked.shape[1]
            if b in where:
                shape[1 + where[b]] = picked.shape[2]
            if a in where and b in where and where[a] > where[b]:
                picked = picked.transpose(0, 2, 1)
            total = total + picked.reshape(shape)
        return np.broadcast_to(total, (self.k, *(len(self.axes[i]) for i in members)))

    def refutes(self, members: tuple[int, ...], target: int) -> bool:
        """No pick of the members' representatives has the target winning: every entry
        has a rival's margin below −tolerance, or loses in exact arithmetic."""
        scores = self.grid(members)
        rivals = [d for d in range(self.k) if d != target]
        if not rivals:
            return False
        margins = scores[target][None] - scores[rivals]
        open_entries = np.argwhere(~np.any(margins < -self.tolerance, axis=0))
        for spot in open_entries:
            point = list(self.x)
            for i, c in zip(members, spot, strict=True):
                point[i] = self.axes[i][int(c)]
            if class_of(self.gam, point) == target:
                return False
        return True


def _refuted(gam: Any, x: tuple[Any, ...], target: int, free: Sequence[int], below: int,
             limit: int) -> bool:  # fmt: skip
    """No set of fewer than ``below`` free features has a pick where the target wins.

    Each set's grid holds a representative of x's own part for every member, so the sets
    of exactly ``below`` − 1 features (all of them when fewer are free) cover every
    smaller set."""
    if below <= 0:
        return True
    size = min(below - 1, len(free))
    tables = _Scores(gam, x, free)
    total = sum(math.prod(len(tables.axes[i]) for i in c)
                for c in itertools.combinations(free, size))  # fmt: skip
    if total > limit:
        raise CertificateError(f"checking minimality needs {total} grid entries")
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


def refuted_below(gam: Any, x: Sequence[Any], target: int, fixed: frozenset[int], below: int,
                  *, limit: int = 400_000_000) -> bool:  # fmt: skip
    """True iff no set of fewer than ``below`` free features can make ``target`` win."""
    free = [i for i in range(gam.n_features) if i not in fixed]
    return 0 <= below <= len(free) + 1 and _refuted(gam, tuple(x), target, free, below, limit)
