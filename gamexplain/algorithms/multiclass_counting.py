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
    "LabelEstimate",
    "LawCell",
    "coalition_weights",
    "count_wins",
    "difference_law",
    "label_rival_vectors",
    "label_values",
    "offsets",
]

ENUMERATE_LIMIT = 64
"""Integer pieces of higher degree with at most this many points are enumerated."""

EXACT_SHARE = 10
"""The exact attempt may hold this fraction (1/EXACT_SHARE) of ``max_states`` distinct
vectors: exact sums of EBM contributions rarely coincide, and a dense scaled grid of
Python integers is many times cheaper per state."""

_FIRST_BUCKETS = 8
_LAST_BUCKETS = 2**40
"""Scales stop halving here: a tie exactly on a class boundary keeps the two roundings
apart at every scale."""

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


def _cached_law(model: Any, winner: int, i: int) -> tuple[LawCell, ...] | str:
    """:func:`difference_law`, kept on the (immutable) model for its next rows; the
    deadline is checked first (a law with many cells takes a while)."""
    cache: dict[tuple[int, int], Any] = model.__dict__.setdefault("_difference_laws", {})
    if (winner, i) not in cache:
        deadline.check()
        cache[winner, i] = difference_law(model, winner, i)
    return cache[winner, i]


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
    exact_only: bool = False,
) -> CountingEstimate:
    """P(class ``winner`` wins) when the features outside ``kept`` follow their marginals
    (``exact_only``: the trivial bracket when the exact table does not fit).

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
        try:
            law = _cached_law(model, winner, i)
        except OutOfTime:
            return CountingEstimate(Fraction(0), Fraction(1), None, "time_limit", 0, ())
        if isinstance(law, str) and exact_only:  # the grid brackets continuous laws
            return CountingEstimate(Fraction(0), Fraction(1), None, "budget_exhausted", 0, ())
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
    if exact_only:
        return trivial
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
        if (low, high) == (best.lower, best.upper):
            return _exact_or(laws, base, rivals, winner, max_states, best)
        best = CountingEstimate(low, high, scale, "solved", states, best.laws)
        if low == high:
            return best
        if buckets >= _LAST_BUCKETS:
            return _stopped(best, "budget_exhausted")
        buckets *= 2


def _exact_or(
    laws: Sequence[Sequence[LawCell]],
    base: Vector,
    rivals: Sequence[int],
    winner: int,
    max_states: int,
    best: CountingEstimate,
) -> CountingEstimate:
    """The exact fold at the whole budget (finer scales no longer narrow the bracket),
    else ``best`` with its budget exhausted."""
    integer, denominator = _integer_laws(laws, tuple)
    try:
        exact = _fold(integer, len(rivals), max_states)
    except OutOfTime:
        return _stopped(best, "time_limit")
    if exact is None:
        return _stopped(best, "budget_exhausted")
    table, largest = exact
    p = _probability(table, denominator, lambda t: _wins(base, t, rivals, winner))
    return CountingEstimate(p, p, None, "solved", largest, best.laws)


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
    fallback_on=("budget_exhausted", "time_limit"),
    multiclass=True,
)
def cc_rival_vectors(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], *, max_states: int,
    time_limit: float | None, exact_only: bool = False, target: int | None = None,
) -> CountingEstimate:  # fmt: skip
    """The completion fraction of a multiclass model: the probability that its predicted
    class at ``x`` (or class index ``target``) still wins (see :func:`count_wins`); the
    bracket found so far when
    ``time_limit`` runs out. Under ``method="auto"`` it runs ``exact_only`` and hands a
    table too large to ``rival-grid``.

    Notes
    -----
    #P-hard already for K = 2 (thm:cc-sharp-p); pseudo-polynomial for fixed K
    (thm:multiclass-cc).
    """
    with deadline.limit(time_limit):
        winner = gam.predict_index(x) if target is None else target
        return count_wins(gam, winner, x, fixed, max_states, exact_only)


# -- SHAP and Banzhaf of the label --------------------------------------------------------------
@dataclass(frozen=True)
class LabelEstimate:
    """Bounds on each feature's attribution of the label "the winner wins" and on the
    base value v(∅); ``scale`` as in :class:`CountingEstimate`."""

    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction
    base_upper: Fraction
    scale: tuple[Fraction, ...] | None
    status: str
    states: int
    laws: tuple[tuple[LawCell, ...], ...]


def coalition_weights(kind: str, n: int) -> list[Fraction]:
    """The weight of a coalition of size k ∌ i: k!(n−k−1)!/n! (Shapley) or 2^(1−n)."""
    if kind == "banzhaf":
        return [Fraction(1, 2 ** (n - 1))] * n
    return [Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n))
            for k in range(n)]  # fmt: skip


def label_values(
    model: Any, winner: int, x: Sequence[Any], kind: str, max_states: int,
    exact_only: bool = False,
) -> LabelEstimate:  # fmt: skip
    """Shapley (``kind="shapley"``) or Banzhaf values of the indicator that ``winner``
    wins, the absent features drawn from their marginals (``exact_only``: the trivial
    brackets when the exact tables do not fit).

    Notes
    -----
    Per feature i, one programme over the vectors of the other features' differences
    with one more coordinate, the coalition's size (each feature either kept at x or
    drawn): O(n²·a·S). Pseudo-polynomial for fixed K (thm:multiclass-label).
    """
    rivals = _rivals(model.n_classes, winner)
    n = model.n_features
    laws = []
    for i in range(n):
        try:
            law = _cached_law(model, winner, i)
        except OutOfTime:
            return LabelEstimate((Fraction(-1),) * n, (Fraction(1),) * n, Fraction(0),
                                 Fraction(1), None, "time_limit", 0, ())  # fmt: skip
        if isinstance(law, str) and exact_only:  # the grid brackets continuous laws
            return LabelEstimate((Fraction(-1),) * n, (Fraction(1),) * n, Fraction(0),
                                 Fraction(1), None, "budget_exhausted", 0, ())  # fmt: skip
        if isinstance(law, str):
            raise UnsupportedQueryError(f"label attributions on a multiclass model: {law}")
        laws.append(law)
    none = offsets(model, winner, x, frozenset())
    at_x = [
        tuple(a - b for a, b in zip(offsets(model, winner, x, frozenset({i})), none, strict=True))
        for i in range(n)
    ]
    weights = coalition_weights(kind, n)
    trivial = LabelEstimate((Fraction(-1),) * n, (Fraction(1),) * n, Fraction(0), Fraction(1),
                            None, "budget_exhausted", 0, tuple(laws))  # fmt: skip
    task = _LabelTask(laws, at_x, none, rivals, winner, weights)
    try:
        exact = task.run(None, max(max_states // EXACT_SHARE, 1))
    except OutOfTime:
        return _relabelled(trivial, "time_limit")
    if exact is not None:
        parts, base, states = exact
        values = tuple(a - b for a, b in parts)
        return LabelEstimate(values, values, base, base, None, "solved", states, tuple(laws))
    if exact_only:
        return trivial
    return task.refine(max_states, trivial)


def _relabelled(estimate: LabelEstimate, status: str) -> LabelEstimate:
    return LabelEstimate(estimate.lower, estimate.upper, estimate.base_lower,
                         estimate.base_upper, estimate.scale, status, estimate.states,
                         estimate.laws)  # fmt: skip


@dataclass(frozen=True)
class _LabelTask:
    laws: Sequence[tuple[LawCell, ...]]
    at_x: Sequence[Vector]
    base: Vector
    rivals: Sequence[int]
    winner: int
    weights: Sequence[Fraction]

    def _key(self, scale: Any, rounding: Any) -> Any:
        if scale is None:
            return tuple
        return lambda v: tuple(rounding(a / d) for a, d in zip(v, scale, strict=True))

    def _wins(self, scale: Any, state: Sequence[Any]) -> bool:
        sums = state if scale is None else [d * s for d, s in zip(scale, state, strict=True)]
        return _wins(self.base, sums, self.rivals, self.winner)

    def run(
        self, scale: Any, max_states: int, rounding: Any = None
    ) -> tuple[tuple[tuple[Fraction, Fraction], ...], Fraction, int] | None:
        """Per feature the two weighted sums (A, B) of its attribution A − B, and v(∅),
        at ``scale`` (None: exact), rounding by ``rounding``; None when a table passes
        ``max_states``."""
        key = self._key(scale, rounding)
        dims = len(self.rivals)
        values, largest = [], 0
        for i in range(len(self.laws)):
            mixed: list[list[tuple[tuple[Any, ...], int]]] = []
            denominator = 1
            for j, law in enumerate(self.laws):
                if j == i:
                    continue
                d = math.lcm(*(c.probability.denominator for c in law))
                merged: dict[tuple[Any, ...], int] = defaultdict(int)
                for cell in law:
                    merged[(*key(cell.vector), 0)] += int(cell.probability * d)
                merged[(*key(self.at_x[j]), 1)] += d
                mixed.append(sorted(merged.items()))
                denominator *= d
            folded = _fold(mixed, dims + 1, max_states)
            if folded is None:
                return None
            table, states = folded
            largest = max(largest, states)
            values.append(self._value(i, table, denominator, key, scale))
        base = self._base(key, scale, max_states)
        return None if base is None else (tuple(values), base, largest)

    def _value(
        self, i: int, table: Any, denominator: int, key: Any, scale: Any
    ) -> tuple[Fraction, Fraction]:
        """A = Σ_k w_k Σ_{|S|=k} v(S ∪ {i}) and B = Σ_k w_k Σ_{|S|=k} v(S)."""
        law = self.laws[i]
        here = key(self.at_x[i])
        steps = [(key(c.vector), c.probability) for c in law]
        kept_total, drawn_total = Fraction(0), Fraction(0)
        for state, mass in table.items():
            deadline.check()
            *s, k = state
            if self._wins(scale, [a + b for a, b in zip(s, here, strict=True)]):
                kept_total += self.weights[k] * mass
            drawn = sum((p for v, p in steps
                         if self._wins(scale, [a + b for a, b in zip(s, v, strict=True)])),
                        Fraction(0))  # fmt: skip
            drawn_total += self.weights[k] * mass * drawn
        return kept_total / denominator, drawn_total / denominator

    def _base(self, key: Any, scale: Any, max_states: int) -> Fraction | None:
        """v(∅), or None when its table passes ``max_states``."""
        integer, denominator = _integer_laws(self.laws, key)
        folded = _fold(integer, len(self.rivals), max_states)
        if folded is None:
            return None
        return _probability(folded[0], denominator, lambda t: self._wins(scale, t))

    def refine(self, max_states: int, best: LabelEstimate) -> LabelEstimate:
        """The bracket of the finest scales whose tables fit (see :func:`_scaled`)."""
        dims = len(self.rivals)
        spans = [
            sum((max(c.vector[k] for c in law) - min(c.vector[k] for c in law)
                 for law in self.laws), Fraction(0)) or Fraction(1)
            for k in range(dims)
        ]  # fmt: skip
        buckets = _FIRST_BUCKETS
        while True:
            scale = tuple(span / buckets for span in spans)
            try:
                down = self.run(scale, max_states, math.floor)
                up = None if down is None else self.run(scale, max_states, math.ceil)
            except OutOfTime:
                return _relabelled(best, "time_limit")
            if down is None or up is None:
                return _relabelled(best, "budget_exhausted")
            lower, upper = self.bounds(down[0], up[0], len(self.laws))
            if (lower, upper) == (best.lower, best.upper):
                # finer scales no longer help (the tables are small and a tie sits on a
                # class boundary): the exact run at the full budget decides
                return self.exactly(max_states, best)
            best = LabelEstimate(lower, upper, down[1], up[1], scale, "solved",
                                 max(down[2], up[2]), tuple(self.laws))  # fmt: skip
            if (lower == upper and down[1] == up[1]) or buckets >= _LAST_BUCKETS:
                return best if lower == upper else _relabelled(best, "budget_exhausted")
            buckets *= 2

    def exactly(self, max_states: int, best: LabelEstimate) -> LabelEstimate:
        """The exact run with the whole budget, else ``best`` (budget exhausted)."""
        try:
            found = self.run(None, max_states)
        except OutOfTime:
            return _relabelled(best, "time_limit")
        if found is None:
            return _relabelled(best, "budget_exhausted")
        parts, base, states = found
        values = tuple(a - b for a, b in parts)
        return LabelEstimate(values, values, base, base, None, "solved", states, best.laws)

    def bounds(
        self, down: Sequence[tuple[Fraction, Fraction]], up: Sequence[tuple[Fraction, Fraction]],
        n: int,
    ) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:  # fmt: skip
        """φ = A − B with A, B ≥ 0 sums of monotone probabilities: its lower bound takes
        A from the rounded-down run and B from the rounded-up one, its upper bound the
        other way round."""
        lower = tuple(a - b for (a, _), (_, b) in zip(down, up, strict=True))
        upper = tuple(a - b for (_, b), (a, _) in zip(down, up, strict=True))
        return lower, upper


def _label(query: str) -> Any:
    @register_algorithm(
        query,
        "rival-vectors",
        summary="per feature, a dynamic programme over the other features' difference "
        "vectors and the coalition size; exact, or a bracket past max_states",
        theorem="thm:multiclass-label",
        priority=10,
        solves=lambda cell: cell.task == "multiclass",
        applies=_refuse,
        fallback_on=("budget_exhausted", "time_limit"),
        multiclass=True,
    )
    def label_rival_vectors(
        gam: Any, x: tuple[Any, ...], *, output: str, kind: str, max_states: int,
        time_limit: float | None, exact_only: bool = False, target: int | None = None,
    ) -> LabelEstimate:  # fmt: skip
        """SHAP or Banzhaf values of the indicator that the predicted class (or class
        index ``target``) wins (see
        :func:`label_values`); the bracket found so far when ``time_limit`` runs out.
        Under ``method="auto"`` it runs ``exact_only`` and hands tables too large to
        ``rival-grid``.

        Notes
        -----
        #P-hard already for K = 2 (thm:shap-label-sharp-p); pseudo-polynomial for fixed
        K (thm:multiclass-label).
        """
        with deadline.limit(time_limit):
            winner = gam.predict_index(x) if target is None else target
            return label_values(gam, winner, x, kind, max_states, exact_only)

    return label_rival_vectors


label_rival_vectors = _label("shap-label")
_label("banzhaf-label")
