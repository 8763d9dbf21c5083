"""Feature redundancy (FR): the shared substrate and the direct algorithms.

Feature i is *redundant* when changing x_i alone never changes the prediction, at any
point of the product domain. For an additive classifier with c = t − β0 and A the image
of a_i = β_i·f_i, feature i can flip the class exactly when some achievable sum s of
the other contributions puts u = c − s strictly inside A's range, with the ends decided
by the tie rule and by whether A's extremes are attained. That set of sums is the
*critical window*; FR asks whether the achievable sums of the others miss it (THEORY §3,
Bassan, Moshkovitz and Katz, NeurIPS 2025, §5).

This module holds what every FR algorithm shares — exact intervals (:class:`Span`), the
critical window, per-feature images as *atoms*, the construction of a witness from a
choice of atoms — and the three algorithms that need no search: the range test for
regression, the continuous-interval test (Prop. 2 of the paper) and brute force. The
certificates they return (:class:`Witness`, :class:`RedundancyProof`) are defined, and
re-checked, in :mod:`gamexplain.certify.redundancy`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cmp_to_key
from typing import Any

import sympy

from gamexplain.algorithms.brute import brute_force_applies, domain_points
from gamexplain.certify.redundancy import RedundancyProof, Witness
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import PieceLimitError
from gamexplain.exact import Exact, as_fraction, compare, polyval, to_sympy
from gamexplain.model.domains import Finite, Interval
from gamexplain.model.task import Classification
from gamexplain.results import Status
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import segment_candidates, value_at
from gamexplain.substrate.primitives import (
    contribution_max,
    contribution_min,
)

__all__ = [
    "Atom",
    "Outcome",
    "RedundancyProof",
    "Span",
    "Witness",
    "additive_applies",
    "critical_window",
    "feature_atoms",
    "fr_brute",
    "fr_continuous",
    "fr_range",
    "land",
    "witness_at",
    "witness_from_atoms",
    "witness_from_others",
]

_MAX_HALVINGS = 4000


# -- exact intervals ---------------------------------------------------------------------
def _tidy(value: Exact) -> Exact:
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return as_fraction(value)
    return value


def _plus(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return _tidy(sympy.expand(to_sympy(a) + to_sympy(b)))


def _times(a: Fraction, b: Exact) -> Exact:
    if isinstance(b, Fraction):
        return a * b
    return _tidy(sympy.expand(to_sympy(a) * b))


@dataclass(frozen=True)
class Span:
    """A non-empty real interval with open or closed ends; a point when low == high.

    Ends are exact: Fractions, or sympy algebraic numbers (extremes of cubic pieces).
    """

    low: Exact
    high: Exact
    low_closed: bool = True
    high_closed: bool = True

    @staticmethod
    def make(low: Exact, high: Exact, low_closed: bool, high_closed: bool) -> Span | None:
        """The interval, or None when it is empty."""
        side = compare(low, high)
        if side > 0 or (side == 0 and not (low_closed and high_closed)):
            return None
        return Span(low, high, low_closed, high_closed)

    @staticmethod
    def point(value: Exact) -> Span:
        return Span(value, value)

    @property
    def is_point(self) -> bool:
        return self.low_closed and self.high_closed and compare(self.low, self.high) == 0

    def __add__(self, other: Span) -> Span:
        """The Minkowski sum {a + b : a ∈ self, b ∈ other}."""
        return Span(
            _plus(self.low, other.low),
            _plus(self.high, other.high),
            self.low_closed and other.low_closed,
            self.high_closed and other.high_closed,
        )

    def shift(self, offset: Exact) -> Span:
        return Span(
            _plus(self.low, offset), _plus(self.high, offset), self.low_closed, self.high_closed
        )

    def negated(self) -> Span:
        return Span(
            _times(Fraction(-1), self.high),
            _times(Fraction(-1), self.low),
            self.high_closed,
            self.low_closed,
        )

    def meet(self, other: Span) -> Span | None:
        """The intersection, or None when it is empty."""
        side = compare(self.low, other.low)
        low, low_closed = (self.low, self.low_closed) if side > 0 else (other.low, other.low_closed)
        if side == 0:
            low_closed = self.low_closed and other.low_closed
        side = compare(self.high, other.high)
        high, high_closed = (
            (self.high, self.high_closed) if side < 0 else (other.high, other.high_closed)
        )
        if side == 0:
            high_closed = self.high_closed and other.high_closed
        return Span.make(low, high, low_closed, high_closed)

    def contains(self, value: Exact) -> bool:
        low, high = compare(value, self.low), compare(value, self.high)
        return (low > 0 or (low == 0 and self.low_closed)) and (
            high < 0 or (high == 0 and self.high_closed)
        )

    def __str__(self) -> str:
        left = "[" if self.low_closed else "("
        right = "]" if self.high_closed else ")"
        return f"{left}{_show(self.low)}, {_show(self.high)}{right}"


def _show(value: Exact) -> str:
    if isinstance(value, Fraction):
        return str(int(value)) if value.denominator == 1 else f"{float(value):.6g}"
    return f"{float(sympy.N(value, 15)):.6g}"


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as disjoint spans sorted by their low ends."""
    spans = list(spans)
    if all(isinstance(span.low, Fraction) for span in spans):
        # rational ends sort by key, far faster than exact pairwise comparisons
        ordered = sorted(spans, key=lambda span: (span.low, not span.low_closed))
    else:
        ordered = sorted(spans, key=cmp_to_key(_by_low))
    merged: list[Span] = []
    for span in ordered:
        if merged and _overlap_or_touch(merged[-1], span):
            last = merged.pop()
            side = compare(span.high, last.high)
            if side > 0:
                last = Span(last.low, span.high, last.low_closed, span.high_closed)
            elif side == 0:
                last = Span(
                    last.low, last.high, last.low_closed, last.high_closed or span.high_closed
                )
            merged.append(last)
        else:
            merged.append(span)
    return merged


def _by_low(a: Span, b: Span) -> int:
    side = compare(a.low, b.low)
    return side if side else (b.low_closed - a.low_closed)


def _overlap_or_touch(left: Span, right: Span) -> bool:
    side = compare(right.low, left.high)
    return side < 0 or (side == 0 and (left.high_closed or right.low_closed))


# -- certificates and outcomes -------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What an FR algorithm returns to :func:`gamexplain.queries.is_redundant`."""

    holds: bool
    certificate: Witness | RedundancyProof | None
    status: Status = "solved"
    message: str = ""
    work: Mapping[str, int] = field(default_factory=dict)


# -- per-feature ranges, windows and atoms -----------------------------------------------
def feature_range(feature: Any) -> Span:
    """[inf, sup] of a contribution, each end closed iff it is attained."""
    low, high = (
        contribution_min(feature, method="pieces"),
        contribution_max(feature, method="pieces"),
    )
    return Span(low.value, high.value, low.attained, high.attained)


def critical_window(gam: Any, feature: int) -> Span | None:
    """The sums s of the other contributions at which feature i can flip the class.

    With c = t − β0 and u = c − s, class 1 needs a_i(v) ≥ u (> u under ``">"``) for some
    v and class 0 needs a_i(v') < u (≤ u) for some v'; so u ranges over (inf, sup] under
    ``">="`` and [inf, sup) under ``">"``, an end open when its extreme is unattained.
    None when that set is empty (feature i's contribution is constant).
    """
    task = gam.task
    assert isinstance(task, Classification)
    a = feature_range(gam.features[feature])
    if task.positive == ">=":
        u = Span.make(a.low, a.high, False, a.high_closed)
    else:
        u = Span.make(a.low, a.high, a.low_closed, False)
    if u is None:
        return None
    return u.negated().shift(task.threshold_exact - Fraction(gam.intercept))


@dataclass(frozen=True)
class Atom:
    """A piece of one feature's image: a single value, or the image of a polynomial piece.

    ``start`` and ``end`` are the feature values where the image's low and high ends are
    reached (or approached, when the end is open); on a point atom both are the value
    that gives it. A span atom is walked from ``start`` to ``end`` along its piece.
    """

    span: Span
    feature: int
    start: Any
    end: Any
    segment: Segment | None = None
    whole_feature: Any = None

    def at(self, lam: Fraction) -> Any:
        """The feature value a fraction ``lam`` of the way from ``start`` to ``end``."""
        if self.span.is_point:
            return self.start
        return _plus(self.start, _times(lam, _plus(self.end, _times(Fraction(-1), self.start))))

    def value(self, x: Any) -> Exact:
        """The contribution at ``x`` (the piece's polynomial, continued to its open end)."""
        if self.span.is_point:
            return self.span.low
        if self.segment is not None:
            return _tidy(polyval(self.segment.coefficients, _plus(x, -self.segment.anchor)))
        return _tidy(self.whole_feature.contribution_exact(x))


class BudgetExceeded(Exception):
    """Raised inside a kernel when its state budget runs out."""


def feature_atoms(feature: Any, position: int, limit: int) -> list[Atom]:
    """The image of one contribution as atoms: distinct values, and the image of every
    non-constant polynomial piece on an interval.

    An integer piece of degree ≥ 1 is listed point by point, so it raises
    :class:`BudgetExceeded` when it holds more than ``limit`` integers.
    """
    pieces = lower(feature)
    atoms: dict[Any, Atom] = {}
    spans: list[Atom] = []
    for piece in pieces:
        if isinstance(piece, Point):
            atoms.setdefault(
                piece.contribution,
                Atom(Span.point(piece.contribution), position, piece.value, piece.value),
            )
        elif piece.degree == 0 or piece.low == piece.high:
            value = value_at(piece, piece.low)
            atoms.setdefault(value, Atom(Span.point(value), position, piece.low, piece.low))
        elif piece.integers:
            if piece.high - piece.low + 1 > limit:
                raise BudgetExceeded(
                    f"feature {feature.name!r} has a non-constant piece over "
                    f"{int(piece.high - piece.low) + 1} integers, more than {limit} states"
                )
            for x in range(int(piece.low), int(piece.high) + 1):
                value = value_at(piece, Fraction(x))
                atoms.setdefault(value, Atom(Span.point(value), position, x, x))
        else:
            spans.append(_segment_atom(piece, position))
        if len(atoms) + len(spans) > limit:
            raise BudgetExceeded(f"feature {feature.name!r} alone has more than {limit} values")
    return [*atoms.values(), *spans]


def _segment_atom(segment: Segment, position: int) -> Atom:
    candidates = segment_candidates(segment)
    low = _extreme(candidates, -1)
    high = _extreme(candidates, 1)
    span = Span(low[0], high[0], low[2], high[2])
    return Atom(span, position, low[1], high[1], segment)


def _extreme(
    candidates: list[tuple[Exact, Exact, bool]], direction: int
) -> tuple[Exact, Any, bool]:
    best = candidates[0]
    for value, arg, attained in candidates[1:]:
        side = direction * compare(value, best[0])
        if side > 0 or (side == 0 and attained and not best[2]):
            best = (value, arg, attained)
    return _tidy(best[0]), _tidy(best[1]), best[2]


# -- witnesses -------------------------------------------------------------------------------
def witness_from_atoms(gam: Any, feature: int, atoms: Sequence[Atom], window: Span) -> Witness:
    """A witness of non-redundancy from one atom per other feature whose sum meets the
    window.

    Walks every span atom from its low end to its high end in step (one parameter λ) and
    bisects on λ until the others' sum lands in the window: the sum is continuous in λ
    and runs from the low end of the atoms' sum to its high end, so it crosses the
    window. Then picks two values of feature i on either side of c − s.
    """
    total = Span.point(Fraction(0))
    for atom in atoms:
        total = total + atom.span
    target = total.meet(window)
    if target is None:
        raise ValueError("the atoms' sum misses the window")
    lam = land(atoms, total, target)
    x: list[Any] = [None] * gam.n_features
    for atom in atoms:
        x[atom.feature] = atom.at(lam)
    return witness_from_others(gam, feature, x)


def witness_from_others(gam: Any, feature: int, x: list[Any]) -> Witness:
    """The witness at ``x``, whose other features' sum lies in the critical window: two
    values of feature i on either side of c − s."""
    task = gam.task
    others: Exact = Fraction(0)
    for j, value in enumerate(x):
        if j != feature:
            others = _plus(others, gam.features[j].contribution_exact(value))
    u = _plus(task.threshold_exact - Fraction(gam.intercept), _times(Fraction(-1), others))
    strict = task.positive == ">"
    chosen = gam.features[feature]
    up = value_meeting(chosen, u, ">" if strict else ">=")
    down = value_meeting(chosen, u, "<=" if strict else "<")
    return witness_at(gam, feature, x, up, down)


def witness_at(gam: Any, feature: int, x: list[Any], value: Any, other_value: Any) -> Witness:
    """The witness at ``x`` (feature i's entry ignored) with the two values of feature i."""
    point = tuple(value if j == feature else v for j, v in enumerate(x))
    other = tuple(other_value if j == feature else v for j, v in enumerate(x))
    outputs = (gam.predict_exact(point), gam.predict_exact(other))
    return Witness(point, value, other_value, outputs, gam.feature_names)


def land(atoms: Sequence[Atom], total: Span, target: Span) -> Fraction:
    """A λ whose walked sum lies in ``target`` (a sub-span of ``total``).

    Bisects on λ: the walked sum is continuous in λ, at most ``target``'s low end at 0
    and at least its high end at 1, so it crosses the middle of ``target``."""

    def walked(lam: Fraction) -> Exact:
        value: Exact = Fraction(0)
        for atom in atoms:
            value = _plus(value, atom.value(atom.at(lam)))
        return value

    if total.low_closed and target.contains(total.low):
        return Fraction(0)
    if total.high_closed and target.contains(total.high):
        return Fraction(1)
    middle = _times(Fraction(1, 2), _plus(target.low, target.high))
    low, high = Fraction(0), Fraction(1)
    for _ in range(_MAX_HALVINGS):
        lam = (low + high) / 2
        value = walked(lam)
        if target.contains(value):
            return lam
        if compare(value, middle) < 0:
            low = lam
        else:
            high = lam
    raise RuntimeError("bisection did not reach the window")


def value_meeting(feature: Any, u: Exact, relation: str) -> Any:
    """A value v of the feature with a_i(v) ``relation`` u, given that one exists.

    Uses the extremum when it is attained; otherwise walks toward the breakpoint the
    supremum (infimum) approaches, halving the distance until the relation holds.
    """
    above = relation in (">=", ">")
    extremum = (
        contribution_max(feature, method="pieces")
        if above
        else contribution_min(feature, method="pieces")
    )

    def meets(value: Exact) -> bool:
        side = compare(value, u)
        return {">=": side >= 0, ">": side > 0, "<=": side <= 0, "<": side < 0}[relation]

    if extremum.attained and meets(extremum.value):
        return extremum.argument
    segment = next(
        s
        for s in lower(feature)
        if isinstance(s, Segment)
        and not s.closed
        and s.high == extremum.argument
        and compare(value_at(s, s.high), extremum.value) == 0
    )
    step = segment.high - segment.low
    for _ in range(_MAX_HALVINGS):
        step /= 2
        x = segment.high - step
        if meets(value_at(segment, x)):
            return x
    raise RuntimeError("no value near the unattained extremum meets the bound")


def any_point(feature: Any) -> Any:
    """Some value of the feature's domain."""
    domain = feature.domain
    return domain.values[0] if isinstance(domain, Finite) else domain.low


# -- applicability -------------------------------------------------------------------------
def additive_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a model without pair terms whose features all lower to exact pieces."""
    if gam.pairs:
        return "the model has pair terms, so the sums of contributions do not decide it"
    try:
        for feature in gam.features:
            lower(feature)
    except PieceLimitError as exc:
        return str(exc)
    return None


def _single_value(piece: Point | Segment) -> Exact | None:
    """The piece's only value, or None when it takes several (an integer piece of degree
    ≥ 1 over two or more integers does)."""
    if isinstance(piece, Point):
        return piece.contribution
    if piece.degree == 0 or piece.low == piece.high:
        return value_at(piece, piece.low)
    return None


def _connected_reason(feature: Any) -> str | None:
    """None when the contribution's image is an interval (or a point), else why not."""
    pieces = lower(feature)
    if isinstance(pieces[0], Point) or not isinstance(feature.domain, Interval):
        # on isolated points the image is an interval only when it is a single value
        values = {_single_value(p) for p in pieces}
        if len(values) == 1 and None not in values:
            return None
        return (
            f"feature {feature.name!r} has a {feature.domain.kind} domain and a non-constant "
            "contribution, so its values are isolated"
        )
    for left, right in itertools.pairwise(pieces):
        assert isinstance(left, Segment) and isinstance(right, Segment)
        end = value_at(left, left.high)
        if left.high != right.low or end != value_at(right, right.low):
            return (
                f"feature {feature.name!r} jumps at {float(right.low):g} (a discontinuous "
                "piece), so the sums of the other features need not form an interval"
            )
    return None


def continuous_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when every feature but the asked one has an interval (connected) image."""
    reason = additive_applies(gam, options)
    if reason is not None:
        return reason
    if not isinstance(gam.task, Classification):
        return "it decides classification; regression goes to the range test"
    asked = options.get("feature")
    for j, feature in enumerate(gam.features):
        if j != asked:
            reason = _connected_reason(feature)
            if reason is not None:
                return reason
    return None


# -- the direct algorithms -------------------------------------------------------------------
@register_algorithm(
    "fr",
    "range",
    summary="redundant iff the feature's contribution varies by at most the tolerance; "
    "O(p) after the primitive",
    theorem="thm:fr-regression-range",
    priority=5,
    solves=lambda cell: cell.task == "regression",
    applies=additive_applies,
)
def fr_range(gam: Any, feature: int, **options: Any) -> Outcome:
    """Regression FR of an additive model: i is redundant iff sup a_i − inf a_i ≤ δ.

    Notes
    -----
    The other features cancel in the difference of two scores, so one call to the
    per-feature primitive decides it: O(p) for p pieces (thm:fr-regression-range).
    """
    chosen = gam.features[feature]
    a = feature_range(chosen)
    delta = Fraction(gam.task.tolerance)
    excess = _plus(_plus(a.high, _times(Fraction(-1), a.low)), -delta)
    ranges = tuple(feature_range(f) for f in gam.features)
    if compare(excess, 0) <= 0:
        return Outcome(True, RedundancyProof("ranges", ranges=ranges), work={"features": 1})
    third = _times(Fraction(1, 3), excess)
    up = value_meeting(chosen, _plus(a.high, _times(Fraction(-1), third)), ">=")
    down = value_meeting(chosen, _plus(a.low, third), "<=")
    x = [any_point(f) for f in gam.features]
    return Outcome(False, witness_at(gam, feature, x, up, down), work={"features": 1})


@register_algorithm(
    "fr",
    "continuous",
    summary="connected per-feature ranges make the others' sums an interval; O(n·p) after "
    "the primitive",
    theorem="thm:fr-interval-continuous",
    priority=10,
    solves=lambda cell: cell.domain == "interval" and cell.task == "classification",
    applies=continuous_applies,
)
def fr_continuous(gam: Any, feature: int, **options: Any) -> Outcome:
    """Classification FR when every other contribution is continuous on an interval.

    Notes
    -----
    Each other feature's image is then the closed interval between its extremes, so
    their sums fill the interval between the sums of the minima and of the maxima, and
    feature i is redundant iff that interval misses the critical window
    (Prop. 2 of Bassan, Moshkovitz and Katz; thm:fr-interval-continuous). O(n·p) after the
    primitive. A witness walks all features from argmin to argmax at once and bisects.
    """
    ranges = tuple(feature_range(f) for f in gam.features)
    window = critical_window(gam, feature)
    others = Span.point(Fraction(0))
    for j, span in enumerate(ranges):
        if j != feature:
            others = others + span
    if window is None or others.meet(window) is None:
        return Outcome(
            True, RedundancyProof("ranges", window, ranges), work={"features": len(ranges)}
        )
    atoms = [_whole_atom(f, j) for j, f in enumerate(gam.features) if j != feature]
    return Outcome(
        False, witness_from_atoms(gam, feature, atoms, window), work={"features": len(ranges)}
    )


def _whole_atom(feature: Any, position: int) -> Atom:
    low, high = (
        contribution_min(feature, method="pieces"),
        contribution_max(feature, method="pieces"),
    )
    span = Span(low.value, high.value)
    if span.is_point:
        return Atom(span, position, low.argument, low.argument)
    return Atom(span, position, low.argument, high.argument, whole_feature=feature)


@register_algorithm(
    "fr",
    "brute",
    summary="try every point and every value of the feature; O(Π|D_j|) — the reference",
    theorem="thm:fr-brute",
    priority=100,
    applies=brute_force_applies,
)
def fr_brute(gam: Any, feature: int, **options: Any) -> Outcome:
    """FR by enumerating every point of a small enumerable model (pairs included).

    Notes
    -----
    O(Π_j |D_j|) exact evaluations; the definition itself, so it is the reference the
    tests hold every other algorithm against (thm:fr-brute).
    """
    values = domain_points(gam.features[feature])
    axes = [[None] if j == feature else domain_points(f) for j, f in enumerate(gam.features)]
    count = 0
    for rest in itertools.product(*axes):
        found = _flip(gam, feature, list(rest), values)
        count += len(values)
        if found is not None:
            return Outcome(False, found, work={"points": count})
    return Outcome(True, RedundancyProof("enumeration"), work={"points": count})


def _flip(gam: Any, feature: int, x: list[Any], values: list[Any]) -> Witness | None:
    scores = []
    for v in values:
        x[feature] = v
        scores.append((gam.score_exact(x), v))
    task = gam.task
    if isinstance(task, Classification):
        ones = [v for s, v in scores if task.label_exact(s) == 1]
        zeros = [v for s, v in scores if task.label_exact(s) == 0]
        return witness_at(gam, feature, x, ones[0], zeros[0]) if ones and zeros else None
    high = max(scores, key=cmp_to_key(_by_score))
    low = min(scores, key=cmp_to_key(_by_score))
    if compare(_plus(high[0], _times(Fraction(-1), low[0])), Fraction(task.tolerance)) > 0:
        return witness_at(gam, feature, x, high[1], low[1])
    return None


def _by_score(a: tuple[Exact, Any], b: tuple[Exact, Any]) -> int:
    return compare(a[0], b[0])
