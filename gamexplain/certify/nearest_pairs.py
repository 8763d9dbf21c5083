"""The check behind ``witness="nearest"`` on a model with pair terms.

Re-derived without the solver (:mod:`gamexplain.algorithms.nearest_pairs`): every free
feature's domain is cut at its pieces' ends and at the edges of its pair terms' bins into
*atoms* on which the model depends on the feature only through one main-effect value and
one bin per pair term; per such signature the atom closest to x_i is kept (distance to its
closure). The claimed infimum D is then re-proved in two halves:

* D is reached: the witness's atoms (those of its signatures) lie at closure distance D in
  total, and the witness flips (checked by the caller), so every point of those atoms does;
* nothing closer flips: for every set S of k free features and every choice of one atom
  per member with total distance below D (or equal to D with every atom attained, when
  the claim says D is not attained), the score moved by the members' main effects and by
  every pair term they touch, each read from the model's tables, stays on x's side.

The second half runs on numpy grids: a grid entry is computed in floats, and an entry
within a rigorous bound on its rounding of the flip is decided again with this package's
exact evaluator. A set is skipped when, per member, the most its main effect and its pair
terms (each at its most favourable cell) can move the score, summed, cannot reach the flip.
At most ``GRID_CHECK_LIMIT`` grid entries and ``MAX_CHECK_POINTS`` exact re-evaluations
are spent, else :class:`~gamexplain.errors.CertificateTooLargeError`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain import certify
from gamexplain.certify.evaluate import _inner_edges, contribution, label, score
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.errors import CertificateTooLargeError
from gamexplain.model.distance import APPROACH, feature_distance
from gamexplain.substrate.pieces import Point, Segment, lower

__all__ = ["GRID_CHECK_LIMIT", "pair_nearest_consistent"]

GRID_CHECK_LIMIT = 400_000_000
"""Most joint atoms (grid entries) one check evaluates in floats."""

_STEPS = 32
"""Distance steps of the bound that skips sets and atoms (:func:`_best_within`)."""

_MARGIN = 2.0**-40
"""Relative rounding bound of a grid entry (a few dozen float operations of relative
error 2^-53 each), times the magnitudes summed into it."""


@dataclass(frozen=True)
class _Atom:
    point: Any
    distance: Fraction
    attained: bool
    value: Fraction
    bins: tuple[int, ...]


def pair_nearest_consistent(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], result: Any, claimed: Fraction
) -> bool:
    """Whether ``claimed`` is the infimum distance of a flipping point changing at most
    k = |features| free features and the witness attains it or lies within k·APPROACH."""
    k = len(result.features)
    changed = [gam.index(name) for name in result.features]
    atoms = {i: _atoms(gam, i, x) for i in range(gam.n_features) if i not in fixed}
    reached = Fraction(0)
    for i in changed:
        atom = atoms[i].get(_signature(gam, i, result.witness[i]))
        if atom is None:
            return False
        reached += atom.distance
    if reached != claimed:
        return False
    shown = result.distance
    attained = bool(shown == claimed)
    if not attained and not claimed < shown <= claimed + k * APPROACH:
        return False
    return not _closer_flips(gam, x, atoms, k, claimed, attained)


def _signature(gam: Any, i: int, value: Any) -> tuple[Fraction, tuple[int, ...]]:
    """The feature's main effect at ``value`` and its bin in each pair term it is in."""
    bins = tuple(_bin(gam, pair, pair.features.index(i), value)
                 for pair in gam.pairs if i in pair.features)  # fmt: skip
    return Fraction(exact_number(contribution(gam, i, value))), bins


def _bin(gam: Any, pair: Any, axis: int, value: Any) -> int:
    """The value's bin on the axis: how many inner edges lie at or below it (the edges
    are floats, so a value that is a float compares exactly as a float)."""
    edges = pair.edges[axis]
    if edges is None:
        return list(gam.features[pair.features[axis]].domain.values).index(value)
    if isinstance(value, float) or float(value) == value:
        return bisect.bisect_right(edges[1:-1], float(value))
    return bisect.bisect_right(_inner_edges(tuple(edges)), Fraction(value))


def _atoms(gam: Any, i: int, x: tuple[Any, ...]) -> dict[tuple[Fraction, tuple[int, ...]], _Atom]:
    """Per signature other than x_i's, the closest atom of feature i."""
    found: dict[tuple[Fraction, tuple[int, ...]], _Atom] = {}
    home = _signature(gam, i, x[i])
    for point, distance, attained in _places(gam, i, x[i]):
        key = _signature(gam, i, point)
        if key == home:
            continue
        atom = _Atom(point, distance, attained, key[0], key[1])
        held = found.get(key)
        if held is None or (distance, not attained) < (held.distance, not held.attained):
            found[key] = atom
    return found


def _places(gam: Any, i: int, v: Any) -> Iterator[tuple[Any, Fraction, bool]]:
    """Per atom of feature i: a point of it, the distance from v to its closure, and
    whether a point of the atom lies at that distance."""
    feature = gam.features[i]
    domain = feature.domain
    pieces = lower(feature)
    if pieces and isinstance(pieces[0], Point):
        for piece in pieces:
            yield piece.value, feature_distance(domain, piece.value, v), True
        return
    ends: set[Fraction] = set()
    for segment in pieces:
        assert isinstance(segment, Segment)  # a range domain lowers to segments
        if segment.degree > 0 and segment.low < segment.high:
            raise CertificateError("a nearest witness of a pair model on a curved piece")
        ends |= {segment.low, segment.high}
    for pair in gam.pairs:
        if i in pair.features:
            edges = pair.edges[pair.features.index(i)] or ()
            ends |= {Fraction(e) for e in edges[1:-1]}
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = sorted(e for e in ends if low <= e <= high)
    at = Fraction(v)
    if domain.kind == "integers":
        firsts = sorted({math.ceil(c) for c in cuts if math.ceil(c) <= high})
        for first, last in zip(firsts, [*(f - 1 for f in firsts[1:]), int(high)], strict=True):
            near = min(max(at, Fraction(first)), Fraction(last))
            yield int(near), feature_distance(domain, near, at), True
        return
    for a, b in itertools.pairwise(cuts):
        # [a, b): its closure's closest point to v; b itself is the next atom's
        if at < a:
            yield a, feature_distance(domain, a, at), True
        elif at >= b:
            yield (a + b) / 2, feature_distance(domain, b, at), False
        else:
            yield at, Fraction(0), True
    yield high, feature_distance(domain, high, at), True


# -- nothing closer flips ------------------------------------------------------------------
class _Grids:
    """The float tables of the check: per free feature its atoms by distance, and the
    instance's pair bins."""

    def __init__(self, gam: Any, x: tuple[Any, ...], atoms: dict[int, Any], claimed: Fraction):
        self.gam, self.x = gam, x
        self.s = Fraction(exact_number(score(gam, x)))
        self.before = label(gam, self.s) if gam.task.kind == "classification" else None
        ceiling = float(claimed) * (1 + 1e-12) + 1e-15
        self.atoms = {i: sorted((a for a in found.values() if float(a.distance) <= ceiling),
                                key=lambda a: (a.distance, not a.attained))
                      for i, found in atoms.items()}  # fmt: skip
        self.at_x = {i: Fraction(exact_number(contribution(gam, i, x[i]))) for i in atoms}
        self.far = {i: np.array([float(a.distance) for a in a_s]) for i, a_s in self.atoms.items()}
        self.main = {i: np.array([float(self.at_x[i] - a.value) for a in a_s])
                     for i, a_s in self.atoms.items()}  # fmt: skip
        self.tables = [np.asarray(pair.values, dtype=float) for pair in gam.pairs]
        self.home = [tuple(_bin(gam, pair, axis, x[f]) for axis, f in enumerate(pair.features))
                     for pair in gam.pairs]  # fmt: skip
        magnitude = (
            abs(float(self.s))
            + abs(float(gam.intercept))
            + abs(float(getattr(gam.task, "threshold", 0)))
        )
        magnitude += sum(abs(float(c)) for c in self.at_x.values())
        magnitude += sum(4 * float(np.abs(t).max()) for t in self.tables)
        self.margin = _MARGIN * (1 + magnitude)
        self.sides: tuple[float, ...]
        if self.before is None:
            self.sides = (1.0, -1.0)
            self.room = float(gam.task.tolerance)
        else:
            self.sides = (1.0,) if self.before == 1 else (-1.0,)
            self.room = abs(float(self.s) - float(gam.task.threshold))
        self.exact_checks = 0
        self.entries = 0
        self.slots: dict[tuple[int, int], np.ndarray] = {}
        self.touches: dict[tuple[int, ...], list[int]] = {}

    def touching(self, members: tuple[int, ...]) -> list[int]:
        """The pair terms with a feature among ``members``."""
        held = self.touches.get(members)
        if held is None:
            held = [q for q, pair in enumerate(self.gam.pairs)
                    if pair.features[0] in members or pair.features[1] in members]  # fmt: skip
            self.touches[members] = held
        return held

    def slot(self, i: int, p: int) -> np.ndarray:
        """Per atom of i (by distance), its bin in pair term p."""
        held = self.slots.get((i, p))
        if held is None:
            k = [q for q, pair in enumerate(self.gam.pairs) if i in pair.features].index(p)
            held = np.array([a.bins[k] for a in self.atoms[i]], dtype=np.intp)
            self.slots[(i, p)] = held
        return held

    def most(self, i: int, tau: float) -> np.ndarray:
        """Per atom of i, the most it can move τ·score toward the flip: its main effect
        plus, per pair term it is in, the most that term can change over the partner's
        bins when i sits in the atom (never below 0)."""
        bound = tau * self.main[i]
        for p, pair in enumerate(self.gam.pairs):
            if i not in pair.features:
                continue
            table = self.tables[p] if pair.features[0] == i else self.tables[p].T
            here = self.tables[p][self.home[p]]
            change = (tau * (here - table)).max(axis=1)
            bound = bound + np.maximum(change, 0.0)[self.slot(i, p)]
        return bound


def _closer_flips(
    gam: Any, x: tuple[Any, ...], atoms: dict[int, Any], k: int, claimed: Fraction, attained: bool
) -> bool:
    grids = _Grids(gam, x, atoms, claimed)
    members = [i for i in grids.atoms if grids.atoms[i]]
    ceiling = float(claimed) * (1 + 1e-12) + 1e-15
    for tau in grids.sides:
        most = {i: grids.most(i, tau) for i in members}
        for chosen in itertools.combinations(members, k):
            if sum(float(most[i].max()) for i in chosen) < grids.room - grids.margin:
                continue
            bounds = [_bound(grids, chosen, i, tau) for i in chosen]
            if _best_within(grids, chosen, bounds, ceiling) < grids.room - grids.margin:
                continue
            picks = [np.arange(len(grids.atoms[i])) for i in chosen]
            if _split_flips(grids, chosen, tau, (claimed, attained), picks, bounds):
                return True
    return False


def _bound(grids: _Grids, members: tuple[int, ...], i: int, tau: float) -> np.ndarray:
    """Per atom of member i, the most it adds to τ·drop: its main effect and its pair
    terms, a partner outside the set at x, one inside it at its most favourable bin
    (then never below 0)."""
    bound = tau * grids.main[i]
    for q, pair in enumerate(grids.gam.pairs):
        if i not in pair.features:
            continue
        axis = pair.features.index(i)
        table = grids.tables[q] if axis == 0 else grids.tables[q].T
        here = grids.tables[q][grids.home[q]]
        if pair.features[1 - axis] in members:
            change = np.maximum((tau * (here - table)).max(axis=1), 0.0)
        else:
            change = tau * (here - table[:, grids.home[q][1 - axis]])
        bound = bound + change[grids.slot(i, q)]
    return bound


def _best_within(
    grids: _Grids, members: tuple[int, ...], bounds: list[np.ndarray], budget: float
) -> float:
    """An upper bound on Σ bound over one atom per member with distances adding to at
    most ``budget``: distances rounded down to 1/``_STEPS`` of the budget, the members'
    best per step combined by max-plus convolution; −inf when nothing fits."""
    if budget < 0:
        return -math.inf
    unit = budget / _STEPS if budget > 0 else 1.0
    total = np.array([0.0])
    for i, bound in zip(members, bounds, strict=True):
        steps = np.floor(grids.far[i] / unit * (1 - 1e-9)).astype(np.intp)
        best = np.full(_STEPS + 1, -np.inf)
        inside = steps <= _STEPS
        np.maximum.at(best, steps[inside], bound[inside])
        best = np.maximum.accumulate(best)
        grown = np.full(_STEPS + 1, -np.inf)
        for used, value in enumerate(total):
            if value > -np.inf:
                grown[used:] = np.maximum(grown[used:], value + best[: _STEPS + 1 - used])
        total = grown
    return float(total.max())


def _split_flips(
    grids: _Grids, members: tuple[int, ...], tau: float, claim: tuple[Fraction, bool],
    picks: list[np.ndarray], bounds: list[np.ndarray],
) -> bool:  # fmt: skip
    """:func:`_grid_flips` over picks[0] × picks[1] × …, one atom of a member at a time
    while the grid would be too large; atoms too far, or that cannot reach the flip with
    the others' best within what distance is left, are passed over."""
    if math.prod(len(p) for p in picks) <= 1 << 22:
        return _grid_flips(grids, members, tau, claim, picks)
    t = next(t for t, p in enumerate(picks) if len(p) > 1)
    ceiling = float(claim[0]) * (1 + 1e-12) + 1e-15
    others = [s for s in range(len(members)) if s != t]
    rest = tuple(members[s] for s in others)
    for r in picks[t]:
        left = ceiling - float(grids.far[members[t]][r])
        best = float(bounds[t][r]) + _best_within(grids, rest, [bounds[s] for s in others], left)
        if best < grids.room - grids.margin:
            continue
        narrowed = [np.array([r]) if s == t else p for s, p in enumerate(picks)]
        if _split_flips(grids, members, tau, claim, narrowed, bounds):
            return True
    return False


def _grid_flips(
    grids: _Grids, members: tuple[int, ...], tau: float, claim: tuple[Fraction, bool],
    picks: list[np.ndarray],
) -> bool:  # fmt: skip
    """Whether some joint atom of ``members`` (from ``picks``) below the claim (or at it,
    all attained, when the claim is not attained) flips."""
    gam = grids.gam
    claimed, attained = claim
    k = len(members)
    shapes = []
    for t in range(k):
        shape = [1] * k
        shape[t] = len(picks[t])
        shapes.append(shape)
    full = tuple(len(p) for p in picks)
    grids.entries += math.prod(full)
    if grids.entries > GRID_CHECK_LIMIT:
        raise CertificateTooLargeError(
            f"re-checking the nearest witness would evaluate more than {GRID_CHECK_LIMIT} "
            "joint atoms; the certificate is rejected unexpanded"
        )
    parts = list(zip(members, picks, shapes, strict=True))
    drop: Any = sum(grids.main[i][p].reshape(s) for i, p, s in parts)
    far: Any = sum(grids.far[i][p].reshape(s) for i, p, s in parts)
    for q in grids.touching(members):
        pair = gam.pairs[q]
        ends = [members.index(f) if f in members else -1 for f in pair.features]
        index = []
        for axis, t in enumerate(ends):
            if t < 0:
                index.append(np.array(grids.home[q][axis]))
            else:
                index.append(grids.slot(members[t], q)[picks[t]].reshape(shapes[t]))
        drop = drop + (grids.tables[q][grids.home[q]] - grids.tables[q][index[0], index[1]])
    gain = np.broadcast_to(tau * drop, full)
    far = np.broadcast_to(far, full)
    ceiling = float(claimed) * (1 + 1e-12) + 1e-15
    for spot in np.argwhere((gain >= grids.room - grids.margin) & (far <= ceiling)):
        chosen = [grids.atoms[i][int(p[s])] for i, p, s in zip(members, picks, spot, strict=True)]
        distance = sum((a.distance for a in chosen), Fraction(0))
        near = distance < claimed or (
            distance == claimed and not attained and all(a.attained for a in chosen)
        )
        if near and _flips(grids, members, chosen):
            return True
    return False


def _flips(grids: _Grids, members: tuple[int, ...], chosen: list[_Atom]) -> bool:
    grids.exact_checks += 1
    certify.check_size(grids.exact_checks, "the joint atoms near the nearest witness's flip")
    point = list(grids.x)
    for i, atom in zip(members, chosen, strict=True):
        point[i] = atom.point
    after = Fraction(exact_number(score(grids.gam, point)))
    if grids.before is None:
        return abs(after - grids.s) > Fraction(grids.gam.task.tolerance)
    return bool(label(grids.gam, after) != grids.before)
