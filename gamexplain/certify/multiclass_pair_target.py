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
  union holds one value of each part of the common refinement), and every point is
  evaluated exactly.

Verifying costs what solving costs: the sets below the reason's size are enumerated again,
point by point in exact arithmetic (slower than the solver's float grids).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gamexplain.certify.evaluate import in_domain
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


def _refuted(gam: Any, x: tuple[Any, ...], target: int, free: Sequence[int], below: int,
             limit: int) -> bool:  # fmt: skip
    """No set of fewer than ``below`` free features has a pick where the target wins."""
    axes = {i: pair_representatives(gam, i) for i in free}
    total = sum(math.comb(len(free), s) * max((math.prod(len(axes[i]) for i in c)
                                               for c in itertools.combinations(free, s)),
                                              default=1)
                for s in range(below))  # fmt: skip
    if total > limit:
        raise CertificateError(f"checking minimality needs {total} exact evaluations")
    for size in range(below):
        for members in itertools.combinations(free, size):
            for values in itertools.product(*(axes[i] for i in members)):
                point = list(x)
                for i, v in zip(members, values, strict=True):
                    point[i] = v
                if class_of(gam, point) == target:
                    return False
    return True


def check_pair_target(
    gam: Any, x: Sequence[Any], target: int, fixed: frozenset[int],
    witness: Sequence[Any] | None, changed: frozenset[int] | None, *, limit: int = 2_000_000,
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
                  *, limit: int = 2_000_000) -> bool:  # fmt: skip
    """True iff no set of fewer than ``below`` free features can make ``target`` win."""
    free = [i for i in range(gam.n_features) if i not in fixed]
    return 0 <= below <= len(free) + 1 and _refuted(gam, tuple(x), target, free, below, limit)
