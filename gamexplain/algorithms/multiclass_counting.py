"""Completion counting on multiclass GAMs: dynamic programming over difference vectors.

Class w wins at z iff every rival c has D_wc(z) = score_w(z) − score_c(z) ≥ 0 (> 0 when
c < w, the tie rule). With the kept features at x, each D_wc is a constant plus a sum of
independent per-feature terms, so the probability that w wins is the probability that
a sum of independent random *vectors* (one coordinate per rival) lands in an orthant.
The law of the sum is built one feature at a time.

* **Exact mode.** The states are the distinct exact vectors, with integer masses over a
  common denominator; exact while the states stay within ``max_states``.
* **Scaled mode.** Each coordinate is rounded to a multiple of its scale Δ_c, down in
  one run and up in another. The event is monotone in every coordinate, so the two runs
  bound the probability from below and from above; the scales are halved while the
  table fits, and the last completed bracket is kept.

Free features whose contribution is not constant on each of a finite set of cells (a
non-constant piece on an interval or a wide integer range) are refused by name: their
vector laws are continuous.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import is_point_domain, point_probabilities, segment_probabilities
from gamexplain.errors import UnsupportedQueryError
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import value_at

__all__ = [
    "ENUMERATE_LIMIT",
    "CountingEstimate",
    "LawCell",
    "count_wins",
    "difference_law",
    "offsets",
]

ENUMERATE_LIMIT = 64
"""Integer pieces of higher degree with at most this many points are enumerated."""

EXACT_SHARE = 10
"""The exact attempt may hold this fraction (1/EXACT_SHARE) of ``max_states`` distinct
vectors: exact sums of EBM contributions rarely coincide, and a dense scaled grid of
Python integers is many times cheaper per state."""

_FIRST_BUCKETS = 8

Vector = tuple[Fraction, ...]


@dataclass(frozen=True)
class LawCell:
    """A part of a feature's domain on which every class's contribution is constant.

    ``value`` is a point of it; it is [left, right) or, when ``closed``, [left, right]
    (a finite domain's value: left = right = value, closed); ``vector`` holds
    a_iw − a_ic per rival c in class order; ``probability`` is exact.
    """

    value: Any
    left: Any
    right: Any
    closed: bool
    probability: Fraction
    vector: Vector


@dataclass(frozen=True)
class CountingEstimate:
    """Bounds on the probability that the winner wins; ``scale`` is None in exact mode,
    else the Δ per rival of the bracket; ``states`` the largest table."""

    lower: Fraction
    upper: Fraction
    scale: tuple[Fraction, ...] | None
    status: str
    states: int
    laws: tuple[tuple[LawCell, ...] | None, ...]


def _rivals(n_classes: int, winner: int) -> list[int]:
    return [c for c in range(n_classes) if c != winner]


def offsets(model: Any, winner: int, x: Sequence[Any], kept: frozenset[int]) -> Vector:
    """Per rival c, the intercept difference plus the kept features' differences at x."""
    out = []
    w = model.scores[winner]
    for c in _rivals(model.n_classes, winner):
        other = model.scores[c]
        total = Fraction(w.intercept) - Fraction(other.intercept)
        for i in kept:
            a = w.features[i].contribution_exact(x[i])
            b = other.features[i].contribution_exact(x[i])
            total += Fraction(a) - Fraction(b)
        out.append(total)
    return tuple(out)


def difference_law(model: Any, winner: int, i: int) -> tuple[LawCell, ...] | str:
    """Feature i's cells (see :class:`LawCell`), or why its law is not discrete."""
    rivals = _rivals(model.n_classes, winner)
    features = [m.features[i] for m in model.scores]
    pieces: list[Any] = [lower(f) for f in features]

    def vector(at: Sequence[Fraction]) -> Vector:
        return tuple(at[winner] - at[c] for c in rivals)

    if isinstance(pieces[0][0], Point):
        probs = point_probabilities(features[0])
        return tuple(
            LawCell(v, v, v, True, p, vector([Fraction(ps[k].contribution) for ps in pieces]))
            for k, (v, p) in enumerate(probs)
            if p
        )
    out: list[LawCell] = []
    point = is_point_domain(features[0])
    for k, mass in enumerate(segment_probabilities(features[0])):
        segments: list[Segment] = [ps[k] for ps in pieces]
        s = segments[0]
        if not mass:
            continue
        if point or all(seg.degree == 0 for seg in segments):
            values = [Fraction(value_at(seg, s.low)) for seg in segments]
            out.append(LawCell(_plain(s.low), s.low, s.high, s.closed or point, mass,
                               vector(values)))  # fmt: skip
        elif s.integers and s.high - s.low < ENUMERATE_LIMIT:
            share = mass / (int(s.high - s.low) + 1)
            for v in range(int(s.low), int(s.high) + 1):
                values = [Fraction(value_at(seg, Fraction(v))) for seg in segments]
                out.append(LawCell(v, Fraction(v), Fraction(v), True, share, vector(values)))
        else:
            return (
                f"feature {features[0].name!r} has a non-constant contribution on "
                f"[{float(s.low):g}, {float(s.high):g}]: its difference law is continuous"
            )
    return tuple(out)


def _plain(value: Fraction) -> Any:
    number = float(value)
    return number if Fraction(number) == value else value


def _wins(base: Vector, total: Sequence[Fraction], rivals: Sequence[int], winner: int) -> bool:
    return all(
        (b + t >= 0) if c > winner else (b + t > 0)
        for b, t, c in zip(base, total, rivals, strict=True)
    )


def _fold(
    laws: Sequence[Sequence[tuple[tuple[Any, ...], int]]], dims: int, max_states: int
) -> tuple[dict[tuple[Any, ...], int], int] | None:
    """The law of the sum of ``dims``-vectors (vector → integer mass) and the largest
    table; None when a table grows past ``max_states``."""
    table: dict[tuple[Any, ...], int] = {(0,) * dims: 1}
    largest = 1
    for law in laws:
        grown: dict[tuple[Any, ...], int] = defaultdict(int)
        for state, mass in table.items():
            deadline.check()
            for step, weight in law:
                grown[tuple(a + b for a, b in zip(state, step, strict=True))] += mass * weight
        if len(grown) > max_states:
            return None
        table, largest = grown, max(largest, len(grown))
    return table, largest


def _integer_laws(
    laws: Sequence[Sequence[LawCell]], key: Any
) -> tuple[list[list[tuple[tuple[Any, ...], int]]], int]:
    """Each law with its vectors mapped by ``key`` and integer masses; the denominator."""
    out, denominator = [], 1
    for law in laws:
        d = math.lcm(*(cell.probability.denominator for cell in law))
        merged: dict[tuple[Any, ...], int] = defaultdict(int)
        for cell in law:
            merged[key(cell.vector)] += int(cell.probability * d)
        out.append(sorted(merged.items()))
        denominator *= d
    return out, denominator


def _probability(table: dict[tuple[Any, ...], int], denominator: int, wins: Any) -> Fraction:
    return Fraction(sum(m for state, m in table.items() if wins(state)), denominator)


def count_wins(
    model: Any,
    winner: int,
    x: Sequence[Any],
    kept: frozenset[int],
    max_states: int,
) -> CountingEstimate:
    """P(class ``winner`` wins) when the features outside ``kept`` follow their marginals.

    Notes
    -----
    Exact mode: O(n·a·S) for a cells per feature and S ≤ max_states vectors. A model
    with integer contributions of magnitude at most W has S ≤ (2nW + 1)^(K−1) states:
    pseudo-polynomial for fixed K (thm:multiclass-cc). Scaled mode keeps S ≤
    max_states and brackets the answer (thm:multiclass-cc).
    """
    rivals = _rivals(model.n_classes, winner)
    base = offsets(model, winner, x, kept)
    free = [i for i in range(model.n_features) if i not in kept]
    laws: list[tuple[LawCell, ...]] = []
    for i in free:
        law = difference_law(model, winner, i)
        if isinstance(law, str):
            raise UnsupportedQueryError(f"completion_fraction on a multiclass model: {law}")
        laws.append(law)
    record = tuple(None if i in kept else laws[free.index(i)] for i in range(model.n_features))
    trivial = CountingEstimate(Fraction(0), Fraction(1), None, "budget_exhausted", 0, record)
    integer, denominator = _integer_laws(laws, tuple)
    try:
        exact = _fold(integer, len(rivals), max(max_states // EXACT_SHARE, 1))
    except OutOfTime:
        return _stopped(trivial, "time_limit")
    if exact is not None:
        table, largest = exact
        p = _probability(table, denominator, lambda t: _wins(base, t, rivals, winner))
        return CountingEstimate(p, p, None, "solved", largest, record)
    return _scaled(laws, base, rivals, winner, max_states, trivial)


def _stopped(estimate: CountingEstimate, status: str) -> CountingEstimate:
    return CountingEstimate(estimate.lower, estimate.upper, estimate.scale, status,
                            estimate.states, estimate.laws)  # fmt: skip


def _scaled(
    laws: Sequence[Sequence[LawCell]],
    base: Vector,
    rivals: Sequence[int],
    winner: int,
    max_states: int,
    best: CountingEstimate,
) -> CountingEstimate:
    """The bracket of the finest scales whose tables fit, halving them from a few
    buckets per coordinate."""
    dims = len(rivals)
    spans = [
        sum((max(c.vector[k] for c in law) - min(c.vector[k] for c in law) for law in laws),
            Fraction(0)) or Fraction(1)
        for k in range(dims)
    ]  # fmt: skip
    buckets = _FIRST_BUCKETS
    while True:
        scale = tuple(span / buckets for span in spans)
        try:
            bounds = _bracket(laws, base, rivals, winner, scale, max_states)
        except OutOfTime:
            return _stopped(best, "time_limit")
        if bounds is None:
            return _stopped(best, "budget_exhausted")
        low, high, states = bounds
        best = CountingEstimate(low, high, scale, "solved", states, best.laws)
        if low == high:
            return best
        buckets *= 2


def _bracket(
    laws: Sequence[Sequence[LawCell]],
    base: Vector,
    rivals: Sequence[int],
    winner: int,
    scale: tuple[Fraction, ...],
    max_states: int,
) -> tuple[Fraction, Fraction, int] | None:
    out = []
    largest = 0
    for rounding in (math.floor, math.ceil):

        def key(v: Vector, rounding: Any = rounding) -> tuple[int, ...]:
            return tuple(rounding(a / d) for a, d in zip(v, scale, strict=True))

        integer, denominator = _integer_laws(laws, key)
        folded = _dense_fold(integer, len(rivals), max_states)
        if folded is None:
            return None
        table, origin = folded
        largest = max(largest, table.size)
        corner = tuple(
            max(_first_winning(b, d, c > winner) - o, 0)
            for b, d, c, o in zip(base, scale, rivals, origin, strict=True)
        )
        mass = table[tuple(slice(k, None) for k in corner)].sum() if table.size else 0
        out.append(Fraction(int(mass), denominator))
    return out[0], out[1], largest


def _first_winning(base: Fraction, step: Fraction, ties_win: bool) -> int:
    """The least integer t with base + step·t ≥ 0 (``ties_win``) or > 0."""
    t = -base / step
    return math.ceil(t) if ties_win else math.floor(t) + 1


def _dense_fold(
    laws: Sequence[Sequence[tuple[tuple[int, ...], int]]], dims: int, max_states: int
) -> tuple[Any, tuple[int, ...]] | None:
    """The law of a sum of integer vectors on a dense grid of Python integers (numpy
    object arrays) and the grid's origin; None when the grid would pass ``max_states``."""
    import numpy as np

    low = [sum(min(v[k] for v, _ in law) for law in laws) for k in range(dims)]
    high = [sum(max(v[k] for v, _ in law) for law in laws) for k in range(dims)]
    if math.prod(h - lo + 1 for lo, h in zip(low, high, strict=True)) > max_states:
        return None
    table = np.ones((1,) * dims, dtype=object)
    origin = [0] * dims
    for law in laws:
        deadline.check()
        least = [min(v[k] for v, _ in law) for k in range(dims)]
        reach = [max(v[k] for v, _ in law) - least[k] for k in range(dims)]
        grown = np.zeros(tuple(n + r for n, r in zip(table.shape, reach, strict=True)),
                         dtype=object)  # fmt: skip
        grown[...] = 0
        for step, weight in law:
            at = tuple(
                slice(v - m, v - m + n) for v, m, n in zip(step, least, table.shape, strict=True)
            )
            grown[at] += table * weight
        table = grown
        origin = [o + m for o, m in zip(origin, least, strict=True)]
    return table, tuple(origin)


def _refuse(gam: Any, options: Any) -> str | None:
    """Why the vector dynamic program cannot run on ``gam`` (a free feature whose
    contribution is not constant on finitely many cells is refused when it is met)."""
    if gam.pairs:
        return "pair terms couple the features; the vector laws need independent terms"
    return None


@register_algorithm(
    "cc",
    "rival-vectors",
    summary="dynamic programme over the vectors of the K − 1 score differences; exact, "
    "or an outward-rounded bracket past max_states",
    theorem="thm:multiclass-cc",
    priority=10,
    solves=lambda cell: cell.task == "multiclass",
    applies=_refuse,
    multiclass=True,
)
def cc_rival_vectors(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], *, max_states: int,
    time_limit: float | None,
) -> CountingEstimate:  # fmt: skip
    """The completion fraction of a multiclass model: the probability that its predicted
    class at ``x`` still wins (see :func:`count_wins`); the bracket found so far when
    ``time_limit`` runs out.

    Notes
    -----
    #P-hard already for K = 2 (thm:cc-sharp-p); pseudo-polynomial for fixed K
    (thm:multiclass-cc).
    """
    with deadline.limit(time_limit):
        return count_wins(gam, gam.predict_index(x), x, fixed, max_states)
