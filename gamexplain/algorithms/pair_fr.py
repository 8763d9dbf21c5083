"""Feature redundancy of a regression model with pair terms, by its partners one at a time.

Changing x_i alone from w to v moves the score by a_i(v) − a_i(w) plus, per partner j,
Σ g_ij(v, x_j) − g_ij(w, x_j) over the pair terms on (i, j); every other term cancels and
the partners are distinct coordinates, so the largest move over all points is

    M(v, w) = a_i(v) − a_i(w) + Σ_j max_z Σ [g_ij(v, z) − g_ij(w, z)]

and feature i is redundant iff M(v, w) ≤ δ for every ordered pair (v, w): the least move
is −M(w, v) (thm:pairs-fr-regression). On a step function the move only depends on
which *elementary interval* of feature i's breakpoints and pair edges v lies in, and a
partner's part only on which interval of its pair edges z lies in; one value per
interval represents it exactly.

The floats find the largest M; exact arithmetic decides. A largest M above δ in exact
numbers is a witness; otherwise every pair whose float M comes within a rigorous bound on
the float error of δ is evaluated exactly, and none may exceed δ.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.redundancy import Outcome, any_point, witness_at
from gamexplain.certify.redundancy import RedundancyProof
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import as_fraction
from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise, Table
from gamexplain.substrate import deadline

__all__ = [
    "EXACT_LIMIT",
    "fr_pair_moves",
    "pair_moves_applies",
    "representatives",
    "step_reason",
]

EXACT_LIMIT = 2_000
"""Pairs (v, w) whose float move is too close to δ to decide and that are then evaluated
exactly; beyond it the run stops undecided (``budget_exhausted``)."""

_WORK_LIMIT = 10**9
_UNIT = 2.0**-53


def representatives(feature: Any, cuts: Sequence[float]) -> list[Any]:
    """One value of the feature's domain in each interval [t_m, t_(m+1)) of the sorted
    ``cuts`` that meets the domain (every value of a finite domain)."""
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    low, high = Fraction(domain.low), Fraction(domain.high)
    inside = sorted({Fraction(t) for t in cuts if low < Fraction(t) <= high})
    if domain.kind == "integers":
        found = sorted({math.ceil(low)} | {math.ceil(t) for t in inside if math.ceil(t) <= high})
        return [_plain(Fraction(v)) for v in found]
    return [_plain(v) for v in [low, *inside]]


def _plain(value: Fraction) -> Any:
    return int(value) if value.denominator == 1 else value


def _terms(gam: Any, feature: int) -> dict[int, list[tuple[Any, int]]]:
    """Per partner, the pair terms it shares with ``feature`` and feature's axis in each."""
    out: dict[int, list[tuple[Any, int]]] = {}
    for pair in gam.pairs:
        if feature in pair.features:
            axis = pair.features.index(feature)
            out.setdefault(pair.features[1 - axis], []).append((pair, axis))
    return out


def _inner(pair: Any, axis: int) -> tuple[float, ...]:
    edges = pair.edges[axis]
    return () if edges is None else tuple(edges[1:-1])


def step_reason(feature: Any) -> str | None:
    """None when the feature is finite or a step function, else why its values do not fall
    into finitely many classes."""
    shape = feature.shape
    if isinstance(feature.domain, Finite) or isinstance(shape, Table):
        return None
    if isinstance(shape, Piecewise) and shape.degree == 0:
        return None
    return (
        f"feature {feature.name!r} is not a step function, so its values do not fall into "
        "finitely many classes"
    )


def pair_moves_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a regression model with pair terms whose asked feature is a step function
    (or finite) and whose move table stays within the work limit."""
    if not gam.pairs:
        return "the model has no pair terms (the range test answers it)"
    feature = options.get("feature")
    if feature is None:
        return None
    reason = step_reason(gam.features[feature])
    if reason is not None:
        return reason
    own, partners = _classes(gam, feature)
    work = len(own) ** 2 * max(sum(len(z) for z in partners.values()), 1)
    if work > _WORK_LIMIT:
        return f"{len(own)} classes of the feature make {work} comparisons, beyond {_WORK_LIMIT}"
    return None


def _classes(gam: Any, feature: int) -> tuple[list[Any], dict[int, list[Any]]]:
    """The representatives of feature i and of each of its partners."""
    chosen = gam.features[feature]
    terms = _terms(gam, feature)
    cuts = [c for part in terms.values() for pair, axis in part for c in _inner(pair, axis)]
    if isinstance(chosen.shape, Piecewise):
        cuts += list(chosen.shape.breakpoints)
    partners = {
        j: representatives(gam.features[j],
                           [c for pair, axis in part for c in _inner(pair, 1 - axis)])
        for j, part in terms.items()
    }  # fmt: skip
    return representatives(chosen, cuts), partners


def _table(gam: Any, feature: int, j: int, part: Sequence[tuple[Any, int]], own: Sequence[Any],
           zs: Sequence[Any]) -> list[list[Fraction]]:  # fmt: skip
    """G[s][z] = Σ over the pair terms on (i, j) of their value at (own[s], zs[z])."""
    out = [[Fraction(0)] * len(zs) for _ in own]
    for pair, axis in part:
        rows = [pair.bin_of(axis, gam.features[feature], v) for v in own]
        cols = [pair.bin_of(1 - axis, gam.features[j], z) for z in zs]
        for s, r in enumerate(rows):
            for z, c in enumerate(cols):
                value = pair.values[r][c] if axis == 0 else pair.values[c][r]
                out[s][z] += Fraction(value)
    return out


class _Moves:
    """Floats and exact numbers of every move M(v, w) between two classes."""

    def __init__(self, gam: Any, feature: int) -> None:
        own, partners = _classes(gam, feature)
        chosen = gam.features[feature]
        self.own = own
        self.main = [as_fraction(chosen.contribution_exact(v)) for v in own]
        self.partners: list[tuple[int, list[Any], list[list[Fraction]]]] = []
        for j, part in _terms(gam, feature).items():
            deadline.check()
            zs = partners[j]
            self.partners.append((j, zs, _table(gam, feature, j, part, own, zs)))
        self.floats, self.error = self._floats()

    def _floats(self) -> tuple[NDArray[np.float64], float]:
        """Float M[s, t] and a bound on its error: γ_(2k+4) of the summed magnitudes
        (k partners; each table entry one rounding, each difference and sum one more),
        doubled for the roundings of the bound itself."""
        main = np.array([float(a) for a in self.main])
        moves = main[:, None] - main[None, :]
        magnitude = 2 * float(np.max(np.abs(main), initial=0.0))
        for _, _, table in self.partners:
            deadline.check()
            g = np.array([[float(v) for v in row] for row in table])
            moves = moves + np.max(g[:, None, :] - g[None, :, :], axis=2)
            magnitude += 2 * float(np.max(np.abs(g), initial=0.0))
        steps = 2 * len(self.partners) + 8
        return moves, 2 * steps * _UNIT * magnitude / (1 - steps * _UNIT) + 2.0**-1000

    def exact(self, s: int, t: int) -> tuple[Fraction, list[int]]:
        """The exact M(own[s], own[t]) and, per partner, the z attaining its maximum."""
        total = self.main[s] - self.main[t]
        best = []
        for _, _, table in self.partners:
            gains = [a - b for a, b in zip(table[s], table[t], strict=True)]
            z = max(range(len(gains)), key=gains.__getitem__)
            total += gains[z]
            best.append(z)
        return total, best


@register_algorithm(
    "fr",
    "pair-moves",
    summary="the score's move separates over the feature's pair partners: the largest "
    "move between two classes of its values, O(k²·Σ_j k_j) for k classes",
    theorem="thm:pairs-fr-regression",
    priority=8,
    solves=lambda cell: cell.task == "regression",
    applies=pair_moves_applies,
)
def fr_pair_moves(gam: Any, feature: int, **options: Any) -> Outcome:
    """Regression FR with pair terms: redundant iff every move M(v, w) ≤ δ.

    Notes
    -----
    O(k²·Σ_j k_j) float operations for k classes of feature i (intervals between its
    breakpoints and pair edges) and k_j of partner j (between its pair edges), plus exact
    evaluations of the few pairs the floats cannot decide (thm:pairs-fr-regression).
    """
    moves = _Moves(gam, feature)
    delta = Fraction(gam.task.tolerance)
    work = {"classes": len(moves.own), "partners": len(moves.partners)}
    s, t = np.unravel_index(int(np.argmax(moves.floats)), moves.floats.shape)
    found = _witness(gam, feature, moves, int(s), int(t), delta)
    if found is not None:
        return Outcome(False, found, work=work)
    close = np.argwhere(moves.floats >= float(delta) - moves.error)
    if len(close) > EXACT_LIMIT:
        return Outcome(False, None, "budget_exhausted",
                       f"{len(close)} pairs of values are within rounding of the tolerance, "
                       f"more than the {EXACT_LIMIT} evaluated exactly", work)  # fmt: skip
    for a, b in close.tolist():
        deadline.check()
        found = _witness(gam, feature, moves, a, b, delta)
        if found is not None:
            return Outcome(False, found, work=work)
    return Outcome(True, RedundancyProof("pair-moves"), work=work)


def _witness(gam: Any, feature: int, moves: _Moves, s: int, t: int, delta: Fraction) -> Any:
    """The witness of the move from own[t] to own[s] when it exceeds δ, else None."""
    value, best = moves.exact(s, t)
    if value <= delta:
        return None
    x = [any_point(f) for f in gam.features]
    for (j, zs, _), z in zip(moves.partners, best, strict=True):
        x[j] = zs[z]
    return witness_at(gam, feature, x, moves.own[s], moves.own[t])
