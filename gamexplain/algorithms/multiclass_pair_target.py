"""Contrastive reasons toward a target class of a multiclass model with pair terms, by
enumeration of the sets of changed features in order of size.

Every feature whose class contributions are step functions (EBM bins, tables) splits its
domain into parts on which every class's main effect and every pair bin of the feature are
constant. One value per part (*candidates*: each cut, and one value strictly between two
consecutive cuts) reaches every class-score vector the feature can give, whatever the
other features are. So "changing only S can make the target t win" holds iff some joint
candidate of S does, and the minimum size is the first k for which some set of k free
features has such a joint candidate.

Per set S the K class scores are evaluated on the numpy grid of S's candidates (main
effects, pair terms inside S as tables over the members' candidates, pair terms with one
member outside S at x's value). Floats find; an entry whose margins "t beats d" lie
within a rounding bound of 0 is re-decided with the model's exact scores, and the
witness is always re-checked exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime
from gamexplain.substrate.pieces import Point, lower

__all__ = ["PairTargetAnswer", "candidates", "mcr_target_pairs", "pair_target_search"]

_ROUNDING = 2.0**-40
"""Relative float error bound of a grid entry, times the magnitudes it adds."""


@dataclass(frozen=True)
class PairTargetAnswer:
    """The fewest changed free features that make the target win.

    ``witness`` and ``changed``: the point found (None when none was found); ``proven``
    whether the search finished (then ``changed`` has the least size, or no change of the
    free features makes the target win when ``witness`` is None); ``lower`` the size below
    which every set was refuted; ``work`` the grid entries evaluated."""

    witness: tuple[Any, ...] | None
    changed: frozenset[int] | None
    proven: bool
    lower: int
    work: int


def _cuts(gam: Any, i: int) -> list[Fraction]:
    found: set[Fraction] = set()
    for model in gam.scores:
        for piece in lower(model.features[i]):
            if isinstance(piece, Point):
                continue
            if piece.degree > 0 and piece.low < piece.high:
                raise UnsupportedQueryError(
                    f"target-class reasons of a multiclass model with pair terms need "
                    f"piecewise-constant contributions; feature {model.features[i].name!r} "
                    f"has a piece of degree {piece.degree}"
                )
            found |= {Fraction(piece.low), Fraction(piece.high)}
        for pair in model.pairs:
            for axis, k in enumerate(pair.features):
                if k == i and pair.edges[axis] is not None:
                    found |= {Fraction(e) for e in pair.edges[axis][1:-1]}
    return sorted(found)


def candidates(gam: Any, i: int) -> list[Any]:
    """One value of feature i in every part of its domain on which every class's main
    effect and every pair bin of i are constant (all values of a finite domain)."""
    domain = gam.features[i].domain
    if domain.kind == "finite":
        return list(domain.values)
    low, high = domain.low, domain.high
    cuts = _cuts(gam, i)
    finite_low = low is not None and math.isfinite(float(low))
    finite_high = high is not None and math.isfinite(float(high))
    lo = Fraction(low) if finite_low else (cuts[0] if cuts else Fraction(0)) - 1
    hi = Fraction(high) if finite_high else (cuts[-1] if cuts else Fraction(0)) + 1
    points = sorted({lo, hi, *(c for c in cuts if lo <= c <= hi)})
    values: set[Fraction] = set(points)
    if domain.kind == "integers":
        values = set()
        for a, b in itertools.pairwise([*points]):
            values |= {Fraction(math.ceil(a)), Fraction(math.floor(b))}
            inner = math.floor(a) + 1
            if inner < b:
                values.add(Fraction(inner))
        values |= {Fraction(math.ceil(p)) for p in points if math.ceil(p) <= hi}
        values = {v for v in values if lo <= v <= hi}
        return [int(v) for v in sorted(values)]
    values |= {(a + b) / 2 for a, b in itertools.pairwise(points)}
    return [_plain(v) for v in sorted(values)]


def _plain(value: Fraction) -> Any:
    number = float(value)
    return number if Fraction(number) == value else value


class _Grid:
    """Per class, feature and candidate the main effect; per pair term and class its
    table; all as floats, with x's values and bins."""

    def __init__(self, gam: Any, x: Sequence[Any], free: Sequence[int]) -> None:
        self.gam, self.x = gam, tuple(x)
        k = gam.n_classes
        self.values = {i: self._distinct(i) for i in free}
        self.main = {
            i: np.array(
                [[float(m.features[i].contribution_exact(v)) for v in vs] for m in gam.scores]
            )
            for i, vs in self.values.items()
        }  # (K, candidates)
        self.at_x = np.array(
            [
                [float(m.features[i].contribution_exact(x[i])) for i in range(gam.n_features)]
                for m in gam.scores
            ]
        )
        self.intercepts = np.array([float(m.intercept) for m in gam.scores])
        self.pairs = []
        size = float(np.abs(self.intercepts).max()) + float(np.abs(self.at_x).sum(axis=1).max())
        for p, pair in enumerate(gam.pairs):
            a, b = pair.features
            tables = np.array([np.asarray(m.pairs[p].values, dtype=float) for m in gam.scores])
            self.pairs.append((a, b, tables, self._bins(pair, 0, a), self._bins(pair, 1, b)))
            size += float(np.abs(tables).max()) if tables.size else 0.0
        for vs in self.main.values():
            size += float(np.abs(vs).max()) if vs.size else 0.0
        self.tolerance = _ROUNDING * (1.0 + size) * (4 + gam.n_features + len(gam.pairs))
        self.k = k

    def _distinct(self, i: int) -> list[Any]:
        """Feature i's candidates up to the same class contributions and pair bins, x_i
        first (a pick equal to x in effect is x's own value, so it counts as unchanged)."""
        seen: set[tuple[Any, ...]] = set()
        kept = []
        feature = self.gam.features[i]
        for v in [self.x[i], *candidates(self.gam, i)]:
            key = (*(m.features[i].contribution_exact(v) for m in self.gam.scores),
                   *(pair.bin_of(axis, feature, v) for pair in self.gam.pairs
                     for axis, j in enumerate(pair.features) if j == i))  # fmt: skip
            if key not in seen:
                seen.add(key)
                kept.append(v)
        return kept

    def _bins(self, pair: Any, axis: int, i: int) -> tuple[int, np.ndarray | None]:
        """x_i's bin on this axis, and the candidates' bins when i is free."""
        feature = self.gam.features[i]
        here = pair.bin_of(axis, feature, self.x[i])
        if i not in self.values:
            return here, None
        return here, np.array(
            [pair.bin_of(axis, feature, v) for v in self.values[i]], dtype=np.intp
        )

    def scores(self, members: tuple[int, ...], pinned: dict[int, int] | None = None) -> np.ndarray:
        """The K class scores on the grid of the members' candidates: (K, n_1, …, n_s);
        a ``pinned`` feature sits at the candidate given, the others at x."""
        s = len(members)
        pinned = pinned or {}
        where = {i: t for t, i in enumerate(members)}
        outside = [i for i in range(self.gam.n_features) if i not in where and i not in pinned]
        base = self.intercepts + self.at_x[:, outside].sum(axis=1)
        for i, c in pinned.items():
            base = base + self.main[i][:, c]
        total: Any = base.reshape((self.k,) + (1,) * s)
        for t, i in enumerate(members):
            shape = [self.k] + [1] * s
            shape[1 + t] = len(self.values[i])
            total = total + self.main[i].reshape(shape)
        for a, b, tables, (xa, ca), (xb, cb) in self.pairs:
            rows = _axis(a, where, pinned, xa, ca)
            cols = _axis(b, where, pinned, xb, cb)
            shape_a, shape_b = [1] * s, [1] * s
            if a in where:
                shape_a[where[a]] = len(rows)
            if b in where:
                shape_b[where[b]] = len(cols)
            picked = tables[:, rows.reshape(shape_a), cols.reshape(shape_b)]
            total = total + picked.reshape(
                (self.k, *np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
            )
        grid = tuple(len(self.values[i]) for i in members)
        return np.broadcast_to(total, (self.k, *grid))


def _axis(i: int, where: Any, pinned: dict[int, int], here: int, bins: Any) -> np.ndarray:
    """The pair bins of feature i on the grid: all its candidates' as a member, its pick's
    when pinned, x's otherwise."""
    if i in where:
        return np.asarray(bins)
    if i in pinned:
        return np.asarray(bins)[[pinned[i]]]
    return np.array([here], dtype=np.intp)


def _hopeless(grid: _Grid, members: tuple[int, ...], target: int, rivals: list[int]) -> bool:
    """Some rival beats the target at every pick of the members, by the bound that takes
    each term's best margin on its own (each pair term over its own cells)."""
    where = set(members)
    best = grid.intercepts[target] - grid.intercepts[rivals]
    for i in range(grid.gam.n_features):
        if i in where:
            best = best + (grid.main[i][target][None] - grid.main[i][rivals]).max(axis=1)
        else:
            best = best + (grid.at_x[target, i] - grid.at_x[rivals, i])
    for a, b, tables, (xa, ca), (xb, cb) in grid.pairs:
        rows = ca if a in where else np.array([xa], dtype=np.intp)
        cols = cb if b in where else np.array([xb], dtype=np.intp)
        assert rows is not None and cols is not None
        picked = tables[:, rows][:, :, cols]
        best = best + (picked[target][None] - picked[rivals]).reshape(len(rivals), -1).max(axis=1)
    return bool(np.any(best < -grid.tolerance))


def _wins(margins: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Sure wins (every margin clear of the rounding bound) and undecided entries."""
    sure = np.all(margins > tol, axis=0)
    lost = np.any(margins < -tol, axis=0)
    return sure, ~sure & ~lost


def pair_target_search(
    gam: Any,
    x: Sequence[Any],
    target: int,
    fixed: frozenset[int],
) -> PairTargetAnswer:
    """The fewest free features of a multiclass pair model whose change makes ``target``
    the argmax (ties to the lowest class index).

    Notes
    -----
    With n free features and at most m candidates each, size k costs C(n, k)·m^k grid
    entries of K scores; exponential in k (NP-complete from K = 3 already without pair
    terms, thm:multiclass-mcr-target-pairs). When the deadline passes it returns the
    sizes refuted so far (``proven`` False).
    """
    x = tuple(x)
    free = [i for i in range(gam.n_features) if i not in fixed]
    grid = _Grid(gam, x, free)
    rivals = [d for d in range(gam.n_classes) if d != target]
    work = 0
    done = 0
    try:
        for size in range(len(free) + 1):
            for members in itertools.combinations(free, size):
                deadline.check()
                if _hopeless(grid, members, target, rivals):
                    continue
                scores = grid.scores(members)
                work += int(np.prod(scores.shape[1:], dtype=np.int64))
                margins = scores[target][None] - scores[rivals]
                sure, unsure = _wins(margins, grid.tolerance)
                spots = [*np.argwhere(sure), *np.argwhere(unsure)]
                for spot in spots:
                    point = list(x)
                    for i, c in zip(members, spot, strict=True):
                        point[i] = grid.values[i][int(c)]
                    if gam.predict_index(tuple(point)) == target:
                        changed = frozenset(i for i in members if point[i] != x[i])
                        return PairTargetAnswer(tuple(point), changed, True, size, work)
            done = size + 1
    except OutOfTime:
        return PairTargetAnswer(None, None, False, done, work)
    return PairTargetAnswer(None, None, True, done, work)


def _applies(gam: Any, options: Any) -> str | None:
    if options.get("target") is None:
        return "it answers a target class only"
    if not gam.pairs:
        return "it answers models with pair terms only"
    try:
        for i in range(gam.n_features):
            _cuts(gam, i)
    except UnsupportedQueryError as error:
        return str(error)
    return None


@register_algorithm(
    "mcr",
    "target-pair-enumeration",
    summary="toward a target class on a model with pair terms: the sets of changed "
    "features by size, per set the K class scores on the grid of the members' cells "
    "(floats find, exact scores decide near ties)",
    theorem="thm:multiclass-mcr-target-pairs",
    priority=30,
    solves=lambda cell: cell.task == "multiclass",
    applies=_applies,
    multiclass=True,
)
def mcr_target_pairs(problem: Any, time_limit: float | None = None) -> PairTargetAnswer:
    """:func:`pair_target_search` on a :class:`~gamexplain.algorithms.multiclass_choice.
    TargetProblem`.

    Notes
    -----
    Exponential in the size k of the answer: C(n, k)·m^k grid entries
    (thm:multiclass-mcr-target-pairs).
    """
    return pair_target_search(problem.gam, problem.x, problem.target, problem.fixed)
