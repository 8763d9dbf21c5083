"""The nearest witness of a minimum-size contrastive reason (``witness="nearest"``).

Among the points that change at most k features, k the minimum size of a contrastive
reason, and change the prediction, find one closest to x in the distance of
:mod:`gamexplain.model.distance` (L1 in units of each feature's spread; categories moved
on finite domains). Such a point changes exactly k features (fewer would make a smaller
contrastive reason), so its changed set is a minimum-size contrastive reason and the point
its witness.

The search is exact for purely additive models whose free features have piecewise-constant
contributions (tables on finite domains, step functions such as EBM's bins on integer
ranges and intervals): each piece of such a feature offers one *move* — its contribution
and the distance from x_i to the piece's nearest point — so each feature has finitely many
moves, and only its Pareto frontier (the moves no closer move beats in gain) matters. The
moves are combined by a dynamic programme over (features changed, gain) states. A piece
open at its near end (an interval bin [a, b) lying left of x) is approached, not reached:
its distance is an infimum, and the witness stops within ``APPROACH`` spread units of it,
on the decimal with the fewest digits there.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.worst_case import Lex, Problem, additive_oracle, lex_compare
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.distance import APPROACH, feature_distance, spread
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.scaling import common_denominator

__all__ = ["Move", "Nearest", "feature_moves", "nearest_witness", "scaled_combine"]

Number = Fraction | int
"""Gains and distances: exact rationals, or integers once scaled to a common unit."""


@dataclass(frozen=True)
class Move:
    """One way to change a feature: to ``value`` (distance ``distance`` from x_i, an
    infimum when not ``attained``), moving the score by ``gain`` toward a flip."""

    feature: int
    value: Any
    gain: Number
    distance: Number
    attained: bool


@dataclass(frozen=True)
class Nearest:
    """The answer: the witness, the features it changes, the infimum distance over all
    witnesses of minimum-size reasons, and whether the witness attains it."""

    point: tuple[Any, ...]
    changed: frozenset[int]
    infimum: Fraction
    attained: bool


@dataclass(frozen=True)
class _State:
    count: int
    gain: Number
    distance: Number
    attained: bool
    moves: tuple[Move, ...]


def nearest_witness(problem: Problem, size: int) -> Nearest | None:
    """The nearest witness among points changing at most ``size`` free features.

    Parameters
    ----------
    problem : Problem
        A purely additive model; its free features must have piecewise-constant
        contributions.
    size : int
        The minimum size of a contrastive reason of ``problem``.

    Returns
    -------
    Nearest or None
        None when no point changing at most ``size`` features flips (``size`` is below
        the minimum).

    Raises
    ------
    UnsupportedQueryError
        The model has pairwise terms, or a free feature's contribution is not
        piecewise constant.

    Notes
    -----
    With m the largest Pareto frontier of a feature's moves and S the largest number of
    undominated states (count ≤ size, gain below the flip) kept between features, the
    programme takes O(n·m·S·log(m·S)) exact operations after lowering each feature to its
    pieces. S is at most size times the number of distinct partial sums of gains, so the
    programme is pseudo-polynomial (polynomial in n and in the gains' magnitude when they
    are integers) and exponential in the worst case; it honours the query's deadline
    (thm:mcr-nearest).
    """
    if problem.gam.pairs:
        raise UnsupportedQueryError(
            "witness='nearest' needs a purely additive model; this one has pairwise terms, "
            "whose joint moves the per-feature search does not cover"
        )
    oracle = additive_oracle(problem)
    best: _State | None = None
    for side in oracle.sides:
        moves = [feature_moves(problem, i, side) for i in problem.free]
        budget = oracle.budget if oracle.classification else (oracle.tolerance, 1)
        found = scaled_combine(moves, size, budget)
        if found is not None and (best is None or _key(found) < _key(best)):
            best = found
    if best is None:
        return None
    return _answer(problem, best)


def scaled_combine(moves: list[list[Move]], size: int, budget: Lex) -> _State | None:
    """:func:`_combine` on integers: gains and the budget over their common denominator,
    distances over theirs (exact, and far cheaper to add than fractions); the state it
    returns carries its distance as a Fraction again."""
    gains = [Fraction(m.gain) for f in moves for m in f] + [Fraction(budget[0])]
    distances = [Fraction(m.distance) for f in moves for m in f]
    g_scale, d_scale = common_denominator(gains), common_denominator(distances)
    scaled = [
        [dataclasses.replace(m, gain=int(m.gain * g_scale), distance=int(m.distance * d_scale))
         for m in frontier]
        for frontier in moves
    ]  # fmt: skip
    found = _combine(scaled, size, (int(Fraction(budget[0]) * g_scale), budget[1]))
    if found is None:
        return None
    return dataclasses.replace(found, distance=Fraction(found.distance) / d_scale)


def feature_moves(problem: Problem, i: int, side: str) -> list[Move]:
    """The Pareto frontier of feature i's moves toward ``side`` ("min": down, "max": up),
    closest first, each strictly gaining more than every closer one."""
    feature = problem.gam.features[i]
    current = problem.contributions[i]
    moves = []
    for piece in lower(feature):
        candidate = _move(feature, piece, problem.x[i])
        if candidate is None:
            continue
        value, distance, attained, contribution = candidate
        gain = current - contribution if side == "min" else contribution - current
        if gain > 0:
            moves.append(Move(i, value, gain, distance, attained))
    moves.sort(key=lambda m: (m.distance, not m.attained, -m.gain))
    frontier: list[Move] = []
    for move in moves:
        if not frontier or move.gain > frontier[-1].gain:
            frontier.append(move)
    return frontier


def _move(
    feature: Any, piece: Point | Segment, x: Any
) -> tuple[Any, Fraction, bool, Fraction] | None:
    """The piece's nearest value to x, its distance, whether it is attained, and the
    piece's constant contribution (None for the piece holding x)."""
    domain = feature.domain
    if isinstance(piece, Point):
        if domain.index(piece.value) == domain.index(x):
            return None
        return piece.value, Fraction(1), True, piece.contribution
    if piece.degree > 0:
        raise UnsupportedQueryError(
            f"witness='nearest' needs piecewise-constant contributions; feature "
            f"{feature.name!r} has a piece of degree {piece.degree} on "
            f"[{float(piece.low)}, {float(piece.high)}]"
        )
    at = Fraction(x)
    inside = piece.low <= at < piece.high or (at == piece.high and (piece.closed or piece.integers))
    if inside:
        return None
    if at < piece.low:
        value, attained = piece.low, True
    elif piece.closed or piece.integers:
        value, attained = piece.high, True
    else:
        value, attained = piece.high, False
    distance = feature_distance(domain, value, at)
    if not attained:
        room = min((piece.high - piece.low) / 2, APPROACH * spread(domain))
        value = _short_below(piece.high, room)
    shown = int(value) if piece.integers else value
    return shown, distance, attained, piece.coefficients[0]


def _short_below(b: Fraction, room: Fraction) -> Fraction:
    """The decimal with the fewest significant digits in [b − room, b) (room > 0)."""
    magnitude = max(abs(b), room)
    step = Fraction(10) ** (math.floor(math.log10(magnitude)) + 1)
    while True:
        below = (math.ceil(b / step) - 1) * step
        if below >= b - room:
            return below
        step /= 10


def _combine(moves: list[list[Move]], size: int, budget: Lex) -> _State | None:
    """The closest set of at most ``size`` moves (one per feature) whose gains reach
    ``budget`` lexicographically, preferring attained moves at equal distance."""
    moves = sorted((m for m in moves if m), key=lambda f: -f[-1].gain)
    steps = _hull_steps(moves)
    states = [_State(0, 0, 0, True, ())]
    best: _State | None = None
    for position, frontier in enumerate(moves):
        deadline.check()
        grown = list(states)
        for state in states:
            if state.count == size:
                continue
            for move in frontier:
                new = _State(state.count + 1, state.gain + move.gain,
                             state.distance + move.distance, state.attained and move.attained,
                             (*state.moves, move))  # fmt: skip
                if lex_compare((new.gain, 0), budget) >= 0:
                    if best is None or _key(new) < _key(best):
                        best = new
                else:
                    grown.append(new)
        # the frontiers are sorted by their largest gain: the next ones can add at most
        # the largest gains of the features still to come, one per free slot
        rest = [f[-1].gain for f in moves[position + 1 : position + 1 + size]]
        hopeful = [
            state for state in grown
            if lex_compare((state.gain + sum(rest[: size - state.count]), 0),
                           budget) >= 0
        ]  # fmt: skip
        if best is not None:
            # a lower bound on the distance still to go: the covering relaxation over the
            # hulls of the features to come (thm:mcr-nearest)
            ahead = steps[position + 1]
            hopeful = [
                state for state in hopeful
                if _still_closer(state, _least_extra(ahead, budget[0] - state.gain), best)
            ]  # fmt: skip
        states = _undominated(hopeful, best)
    return best


def _hull_steps(moves: list[list[Move]]) -> list[list[tuple[Number, Number]]]:
    """Per position p, the steps (Δdistance, Δgain) of the upper concave hulls of the
    frontiers from p on, merged by decreasing Δgain/Δdistance (steps of no distance
    first)."""
    tagged: list[tuple[int, Number, Number]] = []
    for p, frontier in enumerate(moves):
        hull: list[tuple[Number, Number]] = [(0, 0)]
        for move in frontier:
            point = (move.distance, move.gain)
            while len(hull) >= 2 and _not_below(hull[-2], hull[-1], point):
                hull.pop()
            hull.append(point)
        tagged += [(p, d1 - d0, g1 - g0) for (d0, g0), (d1, g1) in itertools.pairwise(hull)]
    tagged.sort(key=lambda t: (t[1] != 0, -Fraction(t[2], t[1]) if t[1] else Fraction(0)))
    return [[(d, g) for q, d, g in tagged if q >= p] for p in range(len(moves) + 1)]


def _not_below(
    a: tuple[Number, Number], b: tuple[Number, Number], c: tuple[Number, Number]
) -> bool:
    """Whether c is on or above the line through a and b."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) >= 0


def _least_extra(steps: list[tuple[Number, Number]], need: Number) -> Fraction | None:
    """A lower bound on the distance that adds ``need`` gain (None: not even all of it)."""
    extra = Fraction(0)
    for d, g in steps:
        if g >= need:
            return extra + Fraction(d * need, g)
        extra, need = extra + d, need - g
    return None


def _still_closer(state: _State, extra: Fraction | None, best: _State) -> bool:
    """Whether ``state`` may still end closer than ``best`` (or as close and attained)."""
    if extra is None:
        return False
    bound = state.distance + extra
    return bound < best.distance or (bound == best.distance and not best.attained)


def _key(state: _State) -> tuple[Number, bool]:
    return (state.distance, not state.attained)


def _undominated(states: list[_State], best: _State | None) -> list[_State]:
    """The states no other state beats: no farther, no more features, at least the gain
    (and attained if it is); none that cannot improve on ``best``."""
    kept: list[_State] = []
    top: dict[int, Number] = {}
    for state in sorted(states, key=_key):
        if best is not None and _key(state) >= _key(best):
            break
        reach = max((g for c, g in top.items() if c <= state.count), default=None)
        if reach is not None and reach >= state.gain:
            continue
        kept.append(state)
        top[state.count] = max(top.get(state.count, state.gain), state.gain)
    return kept


def _answer(problem: Problem, state: _State) -> Nearest:
    point = list(problem.x)
    for move in state.moves:
        point[move.feature] = move.value
    changed = frozenset(move.feature for move in state.moves)
    return Nearest(tuple(point), changed, Fraction(state.distance), state.attained)
