"""The nearest witness of a contrastive reason of several features on curved pieces.

When the minimum contrastive reason changes k ≥ 2 features and some of them have
polynomial pieces (splines, NAMs), the least distance of a flipping point is the optimum
of a non-convex continuous problem: its optimum can sit where the features' slopes
balance, an algebraic number of high degree. This module brackets it by branch and bound.

Each curved free feature's domain is cut into *cells* (closed intervals; integer ranges on
integer domains). On a cell J the contribution lies in [bottom(J), top(J)], rational
bounds that are exact at the cell's ends and bound the polynomial at its critical points
from a rational enclosure of each (:func:`cell_bounds`). Choosing for at most k features
one cell each (or one exact move of a piecewise-constant feature,
:func:`~gamexplain.algorithms.nearest.feature_moves`) with gain top − h (or h − bottom)
and the cell's least distance from x_i is a *relaxation*: every flipping point lies in one
cell per changed feature, gains no more than the cells' bounds and is no nearer than their
closest points. So the relaxation's optimum, found by the dynamic programme of
:mod:`gamexplain.algorithms.nearest`, is a certified lower bound L of the infimum D*. A
rational point in the chosen cells that flips (checked exactly) gives the upper bound D.
The chosen curved cells are halved and the programme runs again, until D − L is at most
``APPROACH``, the cells are exact (single integers), the deadline passes, or
``MAX_ROUNDS`` rounds have run. The result keeps the cells of the last relaxation, so that
a check can re-derive L from them alone (:mod:`gamexplain.certify.nearest_cells`).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.nearest import Move, feature_moves, scaled_combine
from gamexplain.algorithms.worst_case import Problem, additive_oracle
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.distance import APPROACH, feature_distance, spread
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime
from gamexplain.substrate.pieces import Segment, lower

__all__ = ["Cell", "CellNearest", "cell_bounds", "cell_nearest_witness"]

MAX_ROUNDS = 40
"""Rounds of refinement: the bracket stays open when they run out (or the deadline
passes first)."""

DEFAULT_SECONDS = 10.0
"""Without a ``time_limit``, no new round starts after this many seconds."""

_PARTS = 4
"""Cells each curved piece starts with, and a chosen cell is cut into."""

_GRID = 2**64
"""Bounds whose denominators exceed this are rounded outward onto multiples of 1/_GRID,
so the programme's sums stay short integers."""

_PULLS = 24
"""Bisection steps that pull a flipping witness's feature toward x_i."""

_FINEST = Fraction(1, 2**40)
"""A real cell narrower than this many spread units is not halved again."""


@dataclass(frozen=True)
class Cell:
    """A closed range [low, high] of one feature (integers on an integer domain) on which
    its contribution lies in [bottom, top]."""

    low: Fraction
    high: Fraction
    bottom: Fraction
    top: Fraction


@dataclass(frozen=True)
class CellNearest:
    """The answer: the witness, the features it changes, its distance, the certified
    lower bound of the infimum, the cells of the relaxation that proves it (per curved
    free feature), and whether the search stopped before closing the bracket."""

    point: tuple[Any, ...]
    changed: frozenset[int]
    distance: Fraction
    lower: Fraction
    cells: tuple[tuple[int, tuple[Cell, ...]], ...]
    stopped: bool


def is_curved_feature(feature: Any) -> bool:
    """Whether some piece of the feature has degree ≥ 1."""
    return any(isinstance(p, Segment) and p.degree > 0 for p in lower(feature))


def cell_nearest_witness(problem: Problem, size: int, start: tuple[Any, ...]) -> CellNearest | None:
    """Bracket the nearest witness of a minimum contrastive reason of ``size`` features.

    Parameters
    ----------
    problem : Problem
        A purely additive model with curved free features.
    size : int
        The certified minimum size k of a contrastive reason.
    start : tuple
        A flipping point changing k features (the reason's extreme witness): the first
        upper bound.

    Returns
    -------
    CellNearest or None
        None when the deadline passed before the first relaxation was solved.

    Raises
    ------
    UnsupportedQueryError
        The model has pairwise terms.

    Notes
    -----
    Each round solves the relaxation by the programme of thm:mcr-nearest over C cells and
    moves, O(n·m·S·log(m·S)) with m the largest frontier of a feature's cells, and halves
    at most k cells; the bracket D − L of the chosen cells shrinks with their widths
    (thm:mcr-nearest-cells). At most ``MAX_ROUNDS`` rounds without a time limit.
    """
    if problem.gam.pairs:
        raise UnsupportedQueryError(
            "witness='nearest' on curved pieces needs a purely additive model; this one "
            "has pairwise terms"
        )
    oracle = additive_oracle(problem)
    budget = oracle.budget if oracle.classification else (oracle.tolerance, 1)
    curved = [i for i in problem.free if is_curved_feature(problem.gam.features[i])]
    cells = {i: _initial_cells(problem, i) for i in curved}
    # an extreme at a cubic's critical point is irrational: then no first upper bound
    best_point: tuple[Any, ...] | None = start
    best_distance: Fraction | None = None
    try:
        best_distance = _distance(problem, start)
    except ValueError:
        best_point = None
    found: tuple[Fraction, dict[int, list[Cell]]] | None = None
    frontiers: dict[tuple[int, str], list[Move]] = {}
    # without a time limit the search still stops after ``DEFAULT_SECONDS``
    budget_end = time.perf_counter() + DEFAULT_SECONDS if deadline.remaining() is None else None
    stopped = False
    for _ in range(MAX_ROUNDS):
        try:
            deadline.check()
            if budget_end is not None and time.perf_counter() > budget_end:
                raise OutOfTime
            low, side, chosen = _relaxation(problem, oracle.sides, cells, size, budget,
                                            frontiers, best_distance)  # fmt: skip
        except OutOfTime:
            stopped = True
            break
        if found is None or low >= found[0]:
            found = (low, {i: list(c) for i, c in cells.items()})
        point = _witness(problem, side, chosen, cells)
        if point is not None and _flips(problem, point):
            point = _pulled_in(problem, point)
            distance = _distance(problem, point)
            if best_distance is None or distance < best_distance:
                best_point, best_distance = point, distance
        closed = best_distance is not None and best_distance - found[0] <= APPROACH
        if closed or not _split(problem, chosen, cells, frontiers):
            break
    else:
        stopped = True
    if found is None or best_point is None or best_distance is None:
        return None
    low, kept = found
    changed = frozenset(i for i, (v, w) in enumerate(zip(best_point, problem.x, strict=True))
                        if v != w)  # fmt: skip
    frozen = tuple((i, tuple(kept[i])) for i in curved)
    return CellNearest(best_point, changed, best_distance, min(low, best_distance), frozen,
                       stopped)  # fmt: skip


def _relaxation(
    problem: Problem, sides: tuple[str, ...], cells: dict[int, list[Cell]], size: int,
    budget: Any, frontiers: dict[tuple[int, str], list[Move]], ceiling: Fraction | None,
) -> tuple[Fraction, str, tuple[Move, ...]]:  # fmt: skip
    """The relaxation's optimum over both sides (regression), its side and its chosen
    moves; ``frontiers`` caches each feature's moves until its cells change."""
    best: tuple[Fraction, str, tuple[Move, ...]] | None = None
    for side in sides:
        moves = []
        for i in problem.free:
            if (i, side) not in frontiers:
                frontiers[i, side] = (
                    _cell_moves(problem, i, side, cells[i]) if i in cells
                    else feature_moves(problem, i, side)
                )  # fmt: skip
            # a move farther than a flipping point already found is in no nearer choice
            near = [m for m in frontiers[i, side] if ceiling is None or m.distance <= ceiling]
            moves.append(near)
        state = scaled_combine(moves, size, budget)
        if state is not None and (best is None or state.distance < best[0]):
            best = (Fraction(state.distance), side, state.moves)
    if best is None:  # the start point flips, so its cells reach the budget
        raise AssertionError("the relaxation lost the starting witness")
    return best


def _cell_moves(problem: Problem, i: int, side: str, cells: list[Cell]) -> list[Move]:
    """The Pareto frontier of feature i's cells as moves toward ``side``; a move's value
    is its cell's index."""
    feature = problem.gam.features[i]
    here = Fraction(problem.contributions[i])
    x = Fraction(problem.x[i])
    unit = spread(feature.domain)
    moves = []
    for index, cell in enumerate(cells):
        gain = cell.top - here if side == "max" else here - cell.bottom
        if gain <= 0 or (cell.low == cell.high == x):
            continue
        near = (
            Fraction(0)
            if cell.low <= x <= cell.high
            else min(abs(cell.low - x), abs(cell.high - x))
        )
        moves.append(Move(i, index, gain, near / unit, False))
    moves.sort(key=lambda m: (m.distance, -m.gain))
    frontier: list[Move] = []
    for move in moves:
        if not frontier or move.gain > frontier[-1].gain:
            frontier.append(move)
    return frontier


def _initial_cells(problem: Problem, i: int) -> list[Cell]:
    """Feature i's domain cut at its pieces' ends, into ``_PARTS`` per curved piece, and
    at x_i."""
    feature = problem.gam.features[i]
    integers = feature.domain.kind == "integers"
    x = Fraction(problem.x[i])
    cuts = {Fraction(feature.domain.low), Fraction(feature.domain.high), x}
    for piece in lower(feature):
        if isinstance(piece, Segment):
            cuts |= {piece.low, piece.high}
            if piece.degree > 0:
                step = (piece.high - piece.low) / _PARTS
                cuts |= {piece.low + step * j for j in range(1, _PARTS)}
    ordered = sorted(cuts)
    if integers:
        ranges = _integer_ranges(ordered, x)
    else:
        ranges = [(a, b) for a, b in itertools.pairwise(ordered)]
    return [cell_bounds(feature, a, b) for a, b in ranges]


def _integer_ranges(cuts: list[Fraction], x: Fraction) -> list[tuple[Fraction, Fraction]]:
    """Integer ranges covering every integer of [cuts[0], cuts[-1]], x alone in one."""
    starts = sorted({math.ceil(c) for c in cuts} | {int(x), int(x) + 1})
    last = math.floor(cuts[-1])
    starts = [s for s in starts if s <= last]
    ends = [*[s - 1 for s in starts[1:]], last]
    return [(Fraction(a), Fraction(b)) for a, b in zip(starts, ends, strict=True) if a <= b]


def cell_bounds(feature: Any, a: Fraction, b: Fraction) -> Cell:
    """The cell [a, b] with rational bounds of the feature's contribution on it: over
    every piece whose closed range meets it, the values at the ends of the overlap and
    enclosures of the values at its critical points, rounded outward onto 1/_GRID when
    their denominators grow past it."""
    tops, bottoms = [], []
    for piece in lower(feature):
        if not isinstance(piece, Segment) or piece.high < a or piece.low > b:
            continue
        lo, hi = max(a, piece.low), min(b, piece.high)
        low_value, high_value = _segment_range(piece, lo, hi)
        bottoms.append(low_value)
        tops.append(high_value)
    return Cell(a, b, _outward(min(bottoms), -1), _outward(max(tops), 1))


def _outward(value: Fraction, direction: int) -> Fraction:
    if value.denominator <= _GRID:
        return value
    scaled = value * _GRID
    whole = math.ceil(scaled) if direction > 0 else math.floor(scaled)
    return Fraction(whole, _GRID)


def _local_value(coefficients: tuple[Fraction, ...], u: Fraction) -> Fraction:
    total = Fraction(0)
    for c in reversed(coefficients):
        total = total * u + c
    return total


def _segment_range(piece: Segment, lo: Fraction, hi: Fraction) -> tuple[Fraction, Fraction]:
    """Rational bounds of the piece's polynomial on [lo, hi]: exact at the ends, and at
    each critical point inside a Taylor bound over a 2^-64-wide rational enclosure."""
    c = piece.coefficients
    ulo, uhi = lo - piece.anchor, hi - piece.anchor
    values = [_local_value(c, ulo), _local_value(c, uhi)]
    low, high = min(values), max(values)
    for left, right in _critical_enclosures(c):
        a, b = max(left, ulo), min(right, uhi)
        if a > b:
            continue
        centre, margin = _local_value(c, a), _taylor_margin(c, a, b - a)
        low, high = min(low, centre - margin), max(high, centre + margin)
    return low, high


def _taylor_margin(c: tuple[Fraction, ...], at: Fraction, radius: Fraction) -> Fraction:
    """Σ_{j≥1} |p^(j)(at)/j!|·radius^j: how far p moves within ``radius`` of ``at``."""
    n = len(c)
    margin = Fraction(0)
    for j in range(1, n):
        # the j-th Taylor coefficient of Σ c_r u^r at ``at``
        coefficient = sum((c[r] * math.comb(r, j) * at ** (r - j) for r in range(j, n)),
                          Fraction(0))  # fmt: skip
        margin += abs(coefficient) * radius**j
    return margin


def _critical_enclosures(c: tuple[Fraction, ...]) -> list[tuple[Fraction, Fraction]]:
    """Rational intervals (in the local variable) each holding one real root of the
    derivative of Σ c_r u^r, degree ≤ 3; every root lies in one of them."""
    d = [r * c[r] for r in range(1, len(c))]
    while d and d[-1] == 0:
        d.pop()
    if len(d) <= 1:
        return []
    if len(d) == 2:
        root = -d[0] / d[1]
        return [(root, root)]
    if len(d) > 3:
        raise UnsupportedQueryError("witness='nearest' handles pieces of degree at most 3")
    c0, c1, c2 = d
    disc = c1 * c1 - 4 * c2 * c0
    if disc < 0:
        return []
    shift = 2**64
    top = disc.numerator * disc.denominator * shift * shift
    floor = math.isqrt(top)
    low_root = Fraction(floor, disc.denominator * shift)
    high_root = low_root if floor * floor == top else Fraction(floor + 1, disc.denominator * shift)
    out = []
    for sign in (-1, 1):
        ends = [(-c1 + sign * s) / (2 * c2) for s in (low_root, high_root)]
        out.append((min(ends), max(ends)))
    return out


def _split(
    problem: Problem, chosen: tuple[Move, ...], cells: dict[int, list[Cell]],
    frontiers: dict[tuple[int, str], list[Move]],
) -> bool:  # fmt: skip
    """Cut every chosen cell that can be (one per feature) into ``_PARTS``; whether any
    was."""
    done = False
    for move in chosen:
        i = move.feature
        if i not in cells:
            continue
        parts = _parts(problem.gam.features[i], cells[i][move.value])
        if parts is None:
            continue
        cells[i][move.value : move.value + 1] = parts
        for side in ("min", "max"):
            frontiers.pop((i, side), None)
        done = True
    return done


def _parts(feature: Any, cell: Cell) -> list[Cell] | None:
    """The cell cut into ``_PARTS`` equal ranges (integer ranges on an integer domain);
    None when it is one integer or narrower than ``_FINEST``."""
    a, b = cell.low, cell.high
    if feature.domain.kind == "integers":
        if a == b:
            return None
        ends = sorted({math.floor(a + (b - a) * j / _PARTS) for j in range(_PARTS)} | {int(b)})
        starts = [int(a), *[e + 1 for e in ends[:-1]]]
        ranges = [(Fraction(s), Fraction(e)) for s, e in zip(starts, ends, strict=True) if s <= e]
    else:
        if (b - a) / spread(feature.domain) < _FINEST:
            return None
        cuts = [a + (b - a) * j / _PARTS for j in range(_PARTS + 1)]
        ranges = list(itertools.pairwise(cuts))
    return [cell_bounds(feature, lo, hi) for lo, hi in ranges]


def _witness(
    problem: Problem, side: str, chosen: tuple[Move, ...], cells: dict[int, list[Cell]]
) -> tuple[Any, ...] | None:
    """A point in the chosen cells (and at the chosen exact moves) where each changed
    feature gains the most among its cell's ends and critical points."""
    point = list(problem.x)
    gam = problem.gam
    for move in chosen:
        i = move.feature
        if i not in cells:
            point[i] = move.value
            continue
        feature = gam.features[i]
        cell = cells[i][move.value]
        x = Fraction(problem.x[i])
        options = [v for v in _probes(feature, cell) if v != x]
        if not options:
            return None
        here = Fraction(problem.contributions[i])

        def gain(v: Fraction, feature: Any = feature, here: Fraction = here) -> Fraction:
            change = Fraction(feature.contribution_exact(v)) - here
            return change if side == "max" else -change

        best = max(options, key=lambda v: (gain(v), -abs(v - x)))
        point[i] = int(best) if feature.domain.kind == "integers" else best
    return tuple(point)


def _pulled_in(problem: Problem, point: tuple[Any, ...]) -> tuple[Any, ...]:
    """The flipping point with each changed real feature moved toward x_i by bisection
    (``_PULLS`` halvings a feature) while it still flips."""
    gam = problem.gam
    moved = list(point)
    parts = [Fraction(f.contribution_exact(v)) for f, v in zip(gam.features, moved, strict=True)]
    total = sum(parts, Fraction(gam.intercept))
    for i, feature in enumerate(gam.features):
        if feature.domain.kind != "interval" or moved[i] == problem.x[i]:
            continue
        near, far = Fraction(problem.x[i]), Fraction(moved[i])
        rest = total - parts[i]
        for _ in range(_PULLS):
            middle = (near + far) / 2
            if _flipped(problem, rest + Fraction(feature.contribution_exact(middle))):
                far = middle
            else:
                near = middle
        short = far.limit_denominator(2**40)
        if _flipped(problem, rest + Fraction(feature.contribution_exact(short))):
            far = short
        moved[i] = far
        parts[i] = Fraction(feature.contribution_exact(far))
        total = rest + parts[i]
    return tuple(moved)


def _flipped(problem: Problem, score: Fraction) -> bool:
    """Whether a point of this exact score has another prediction than x."""
    task = problem.gam.task
    if task.kind == "classification":
        return bool(task.label_exact(score) != problem.prediction)
    return abs(score - Fraction(problem.score)) > Fraction(task.tolerance)


def _probes(feature: Any, cell: Cell) -> list[Fraction]:
    """The cell's ends and the critical points of its pieces inside it (rounded)."""
    out = [cell.low, cell.high]
    integers = feature.domain.kind == "integers"
    for piece in lower(feature):
        if not isinstance(piece, Segment) or piece.high < cell.low or piece.low > cell.high:
            continue
        for left, _ in _critical_enclosures(piece.coefficients):
            t = piece.anchor + left
            if integers:
                out += [Fraction(math.floor(t)), Fraction(math.ceil(t))]
            else:
                out.append(t.limit_denominator(2**40))
    return [v for v in out if cell.low <= v <= cell.high]


def _flips(problem: Problem, point: tuple[Any, ...]) -> bool:
    gam = problem.gam
    if gam.task.kind == "classification":
        return bool(gam.predict_exact(point) != problem.prediction)
    change = Fraction(gam.score_exact(point)) - Fraction(problem.score)
    return abs(change) > Fraction(gam.task.tolerance)


def _distance(problem: Problem, point: tuple[Any, ...]) -> Fraction:
    parts = zip(problem.gam.features, point, problem.x, strict=True)
    return sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
