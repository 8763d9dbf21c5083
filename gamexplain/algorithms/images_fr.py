"""Feature redundancy by the images of the contributions, grouped into dense clusters.

Feature i of an additive classifier is redundant iff the set S of achievable sums of the
other contributions misses the critical window W (THEORY §3). On fitted models S has
astronomically many points (a step function per feature, thirty features), yet deciding
whether it meets W needs far less than S itself: an interval of length w that lies
inside a stretch of S whose consecutive members are less than w apart must hold one of
them (the discrete intermediate-value argument). So S is kept as a sorted list of
*clusters*: a hull [lo, hi] (each end closed iff attained) and a gap g such that every
open interval of length > g inside the hull holds a member of S. Sums of clusters are
clusters again (``proofs/redundancy.md``, thm:fr-images), and neighbouring clusters are
merged while the merged gap stays below w, so the list stays short when the per-feature
steps are small compared with feature i's range, and then every cluster either misses W
or provably meets it.

Everything is exact. An extreme of a cubic piece at an interior critical point is an
algebraic number, and sums of thirty of them are far too slow to compare, so such a piece
enters twice, with rationals only: an *inner* image (the values between the piece's values
at two rational points next to its argmin and argmax, all attained) that finds members,
and an *outer* hull (rational bounds around the exact extremes) that covers them. A
window that falls between the two is reported undecided, never guessed.

A witness is found by descending the clusters layer by layer, each step replaying the
argument that made the cluster dense; a proof of redundancy lists the hulls of every
layer, which :mod:`gamexplain.certify.redundancy` re-checks by containment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key
from typing import Any

from gamexplain.algorithms.partial_sums_fr import DEFAULT_MAX_STATES, partial_sums_applies
from gamexplain.algorithms.redundancy import (
    Atom,
    BudgetExceeded,
    Outcome,
    RedundancyProof,
    Span,
    critical_window,
    feature_atoms,
    feature_range,
    land,
    witness_from_others,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import Exact, compare, to_float, to_sympy
from gamexplain.substrate import deadline

__all__ = ["fr_images"]

_MAX_HALVINGS = 4000

#: A choice of values for some features and the exact sum of their contributions.
Choice = tuple[dict[int, Any], Exact]


# -- exact numbers ---------------------------------------------------------------------------
def _plus(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    total = (to_sympy(a) + to_sympy(b)).expand()
    return Fraction(int(total.p), int(total.q)) if total.is_Rational else total


def _minus(a: Exact, b: Exact) -> Exact:
    if isinstance(b, Fraction):
        return _plus(a, -b)
    return _plus(a, -to_sympy(b))


def _half(a: Exact) -> Exact:
    return a / 2 if isinstance(a, Fraction) else (to_sympy(a) / 2).expand()


def _larger(a: Exact, b: Exact) -> Exact:
    return a if compare(a, b) >= 0 else b


def _smaller(a: Exact, b: Exact) -> Exact:
    return a if compare(a, b) <= 0 else b


def _inside(x: Exact, a: Exact, b: Exact) -> bool:
    """Whether a < x < b."""
    return compare(a, x) < 0 and compare(x, b) < 0


def _rational_bound(value: Exact, direction: int) -> Fraction:
    """A rational at most (direction −1) or at least (+1) ``value``; the value itself when
    it is rational."""
    if isinstance(value, Fraction):
        return value
    bound = Fraction(to_float(value))
    step = max(abs(bound), Fraction(1)) / 2**50
    while compare(bound, value) * direction < 0:
        bound += direction * step
        step *= 2
    return bound


# -- rational images of pieces ------------------------------------------------------------------
@dataclass(frozen=True)
class _Leaf:
    """One piece of a feature's image: ``atom`` holds attained values only (its span has
    rational ends), ``outer`` (rational ends) holds every value of the piece."""

    atom: Atom
    outer: Span

    @property
    def span(self) -> Span:
        return self.atom.span


def _leaf(atom: Atom) -> _Leaf:
    span = atom.span
    if isinstance(span.low, Fraction) and isinstance(span.high, Fraction):
        return _Leaf(atom, span)
    outer = Span(
        _rational_bound(span.low, -1),
        _rational_bound(span.high, 1),
        span.low_closed or not isinstance(span.low, Fraction),
        span.high_closed or not isinstance(span.high, Fraction),
    )
    start, low = _rational_end(atom, atom.start, span.low, span.low_closed)
    end, high = _rational_end(atom, atom.end, span.high, span.high_closed)
    inner = Span.make(low[0], high[0], low[1], high[1])
    if inner is None:  # a nearly flat piece: one attained value is enough
        value = atom.value(start)
        return _Leaf(Atom(Span.point(value), atom.feature, start, start), outer)
    return _Leaf(Atom(inner, atom.feature, start, end, atom.segment), outer)


def _rational_end(atom: Atom, x: Any, value: Exact, closed: bool) -> tuple[Any, tuple[Exact, bool]]:
    """A rational point next to an algebraic argmin or argmax (an interior critical
    point, so it lies inside the piece) and the attained value there."""
    if isinstance(value, Fraction):
        return x, (value, closed)
    segment = atom.segment
    assert segment is not None
    near = Fraction(to_float(x))
    if not (segment.low <= near < segment.high or (near == segment.high and segment.closed)):
        near = segment.low
    return near, (atom.value(near), True)


# -- clusters --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cluster:
    """Members of a set of sums: the hull ``span`` (ends closed iff attained), and a gap:
    every open interval of length > ``gap`` inside the hull holds a member.

    A feature's cluster lists its ``atoms``; a layer's cluster lists its ``parts``, the
    sums (earlier cluster ⊕ feature cluster) merged into it; the zero cluster has neither.
    Every member of the set that the cluster stands for lies in ``outer``; ``span`` and
    ``gap`` describe the attained members that witnesses are built from.
    """

    span: Span
    gap: Exact
    outer: Span
    parts: tuple[_Part, ...] = ()
    atoms: tuple[Atom, ...] = ()


@dataclass(frozen=True)
class _Part:
    """The sums ``left`` ⊕ ``right`` of an earlier cluster and one feature's cluster."""

    left: _Cluster
    right: _Cluster
    span: Span
    gap: Exact
    outer: Span


def _length(span: Span) -> Exact:
    return _minus(span.high, span.low)


def _sum_gap(a: _Cluster, b: _Cluster) -> Exact:
    """A gap of a ⊕ b: max(g_a, g_b) always; g_b when g_a ≤ |b|, g_a when g_b ≤ |a|."""
    gap = _larger(a.gap, b.gap)
    if compare(a.gap, _length(b.span)) <= 0:
        gap = _smaller(gap, b.gap)
    if compare(b.gap, _length(a.span)) <= 0:
        gap = _smaller(gap, a.gap)
    return gap


def _by_low(items: Sequence[Any]) -> list[Any]:
    if all(isinstance(item.span.low, Fraction) for item in items):
        return sorted(items, key=lambda item: (item.span.low, not item.span.low_closed))

    def order(a: Any, b: Any) -> int:
        return compare(a.span.low, b.span.low) or int(b.span.low_closed) - int(a.span.low_closed)

    return sorted(items, key=cmp_to_key(order))


def _hull(left: Span, right: Span) -> Span:
    """The hull of two spans, ``left`` starting no later than ``right``."""
    low_closed = left.low_closed or (right.low_closed and compare(left.low, right.low) == 0)
    side = compare(right.high, left.high)
    if side > 0:
        return Span(left.low, right.high, low_closed, right.high_closed)
    return Span(
        left.low, left.high, low_closed, left.high_closed or (side == 0 and right.high_closed)
    )


def _group(items: Sequence[Any], width: Exact, leaves: bool) -> list[_Cluster]:
    """Merge neighbouring items (atoms, or parts) into clusters while the merged gap —
    the largest of the items' gaps and of the holes between their hulls — stays below
    ``width``."""
    groups: list[_Cluster] = []
    members: list[Any] = []
    span: Span | None = None
    gap: Exact = Fraction(0)
    for item in _by_low(items):
        own = Fraction(0) if leaves else item.gap
        if span is not None:
            hole = _larger(_minus(item.span.low, span.high), Fraction(0))
            merged = _larger(_larger(gap, own), hole)
            if compare(merged, width) < 0:
                members.append(item)
                span, gap = _hull(span, item.span), merged
                continue
            groups.append(_cluster(span, gap, members, leaves))
        members, span, gap = [item], item.span, own
    assert span is not None
    groups.append(_cluster(span, gap, members, leaves))
    return groups


def _cluster(span: Span, gap: Exact, members: list[Any], leaves: bool) -> _Cluster:
    outer = members[0].outer
    for member in members[1:]:
        outer = (
            _hull(outer, member.outer)
            if _starts_first(outer, member.outer)
            else _hull(member.outer, outer)
        )
    if leaves:
        return _Cluster(span, gap, outer, atoms=tuple(m.atom for m in members))
    return _Cluster(span, gap, outer, parts=tuple(members))


def _starts_first(left: Span, right: Span) -> bool:
    side = compare(left.low, right.low)
    return side < 0 or (side == 0 and left.low_closed)


def _layer(
    before: Sequence[_Cluster], feature: Sequence[_Cluster], width: Exact, limit: int
) -> list[_Cluster]:
    """The clusters of (sums so far) ⊕ (one feature's image)."""
    if len(before) * len(feature) > limit:
        raise BudgetExceeded(
            f"the clusters of sums would need {len(before) * len(feature)} parts, more than "
            f"max_states = {limit}: the sums do not merge at this window's width"
        )
    parts = []
    for a in before:
        deadline.check()
        parts += [_Part(a, b, a.span + b.span, _sum_gap(a, b), a.outer + b.outer) for b in feature]
    return _group(parts, width, leaves=False)


# -- the algorithm ---------------------------------------------------------------------------
@register_algorithm(
    "fr",
    "images",
    summary="images of the contributions as dense clusters of sums, merged while their gaps "
    "stay below the window; O(n·K·C log(K·C)) for K clusters and C per feature",
    theorem="thm:fr-images",
    priority=15,
    solves=lambda cell: cell.task == "classification" and cell.domain != "finite",
    applies=partial_sums_applies,
    fallback_on=("budget_exhausted",),
)
def fr_images(
    gam: Any, feature: int, *, max_states: int = DEFAULT_MAX_STATES, **options: Any
) -> Outcome:
    """Classification FR of an additive model by the clusters of the others' sums.

    Returns status ``"budget_exhausted"`` (no answer) when a layer would combine more
    than ``max_states`` pairs of clusters: the sums then stay too sparse at the window's
    width (as in subset-sum instances), and ``auto`` falls back to the partial sums.

    Notes
    -----
    Each feature's image (its distinct values and the images of its polynomial pieces,
    exact ends) is grouped into clusters; the sums are built feature by feature as
    clusters, neighbours merged while the merged gap stays below the window's width w.
    With every gap below w each final cluster either misses the window or provably meets
    it (thm:fr-images), so the answer is exact. With K clusters per layer and C per
    feature a layer costs O(K·C log(K·C)) exact operations: polynomial whenever K stays
    bounded, which it does when the per-feature steps are small next to w (fitted EBMs,
    splines with tiny jumps at knots). A witness descends the layers in O(n·(K + C))
    steps plus a bisection per continuous piece.
    """
    ranges = tuple(feature_range(f) for f in gam.features)
    window = critical_window(gam, feature)
    if window is None or (_rational(ranges) and _box(ranges, feature).meet(window) is None):
        return Outcome(True, RedundancyProof("ranges", window, ranges), work={"clusters": 0})
    # any rational width below the window's keeps every gap below it
    width = _rational_bound(_length(window), -1)
    try:
        layers = _sweep(gam, feature, width, max_states)
    except BudgetExceeded as exc:
        return Outcome(False, None, "budget_exhausted", str(exc), {"clusters": max_states})
    work = {"clusters": max(len(layer) for layer in layers)}
    unsure = False
    for cluster in layers[-1]:
        if cluster.outer.meet(window) is None:
            continue
        found = _hit(cluster, window)
        if found is None:
            unsure = True
            continue
        x: list[Any] = [None] * gam.n_features
        for j, value in found[0].items():
            x[j] = value
        return Outcome(False, witness_from_others(gam, feature, x), work=work)
    if unsure:
        message = (
            "the window meets the rational bounds around algebraic extremes of the sums but "
            "not their attained values; undecided at this precision"
        )
        return Outcome(False, None, "budget_exhausted", message, work)
    cover = tuple(tuple(c.outer for c in layer) for layer in layers[1:])
    return Outcome(True, RedundancyProof("images", window, ranges, cover=cover), work=work)


def _rational(ranges: Sequence[Span]) -> bool:
    return all(isinstance(s.low, Fraction) and isinstance(s.high, Fraction) for s in ranges)


def _box(ranges: Sequence[Span], feature: int) -> Span:
    box = Span.point(Fraction(0))
    for j, span in enumerate(ranges):
        if j != feature:
            box = box + span
    return box


def _sweep(gam: Any, feature: int, width: Exact, limit: int) -> list[list[_Cluster]]:
    zero = Span.point(Fraction(0))
    layers = [[_Cluster(zero, Fraction(0), zero)]]
    for j, other in enumerate(gam.features):
        if j != feature:
            deadline.check()
            leaves = [_leaf(atom) for atom in feature_atoms(other, j, limit)]
            clusters = _group(leaves, width, leaves=True)
            layers.append(_layer(layers[-1], clusters, width, limit))
    return layers


def _hit(cluster: _Cluster, window: Span) -> Choice | None:
    """A choice whose sum lies in ``window`` and in ``cluster``, or None when they are
    disjoint. Needs the cluster's gap below the window's width."""
    span = cluster.span
    if span.meet(window) is None:
        return None
    lo, hi = span.low, span.high
    if span.low_closed and window.contains(lo):
        return _end(cluster, "low")
    if span.high_closed and window.contains(hi):
        return _end(cluster, "high")
    # an unattained end is approached from inside the hull
    if not span.low_closed and compare(window.low, lo) <= 0 and compare(lo, window.high) < 0:
        return _near(cluster, "low", _minus(_smaller(window.high, hi), lo))
    if not span.high_closed and compare(window.low, hi) < 0 and compare(hi, window.high) <= 0:
        return _near(cluster, "high", _minus(hi, _larger(window.low, lo)))
    # the hull holds the window's open part, longer than the gap
    return _find(cluster, _larger(lo, window.low), _smaller(hi, window.high))


# -- descending to a choice --------------------------------------------------------------------
def _join(*choices: Choice) -> Choice:
    values: dict[int, Any] = {}
    total: Exact = Fraction(0)
    for chosen, value in choices:
        values.update(chosen)
        total = _plus(total, value)
    return values, total


def _atom_choice(atom: Atom, x: Any) -> Choice:
    return {atom.feature: x}, atom.value(x)


def _end(cluster: _Cluster, side: str) -> Choice:
    """A choice whose sum is the cluster's end on ``side`` (that end is attained)."""
    target = cluster.span.low if side == "low" else cluster.span.high
    for atom in cluster.atoms:
        end, closed = _ends(atom.span, side)
        if closed and compare(end, target) == 0:
            return _atom_choice(atom, atom.start if side == "low" else atom.end)
    for part in cluster.parts:
        end, closed = _ends(part.span, side)
        if closed and compare(end, target) == 0:
            return _join(_end(part.left, side), _end(part.right, side))
    if not cluster.parts and not cluster.atoms:
        return {}, Fraction(0)
    raise RuntimeError("no member reaches the cluster's end")


def _ends(span: Span, side: str) -> tuple[Exact, bool]:
    return (span.low, span.low_closed) if side == "low" else (span.high, span.high_closed)


def _near(cluster: _Cluster, side: str, slack: Exact) -> Choice:
    """A choice whose sum lies within ``slack`` (> 0) of the cluster's end on ``side``,
    on the inside; exactly the end when it is attained."""
    end, closed = _ends(cluster.span, side)
    if closed:
        return _end(cluster, side)
    for atom in cluster.atoms:
        if compare(_ends(atom.span, side)[0], end) == 0:
            return _approach(atom, side, end, slack)
    for part in cluster.parts:
        if compare(_ends(part.span, side)[0], end) == 0:
            return _corner(part.left, side, part.right, side, slack)
    raise RuntimeError("no member approaches the cluster's end")


def _corner(a: _Cluster, side_a: str, b: _Cluster, side_b: str, slack: Exact) -> Choice:
    """An end of a plus an end of b, each within half the slack of its end."""
    half = _half(slack)
    return _join(_near(a, side_a, half), _near(b, side_b, half))


def _approach(atom: Atom, side: str, end: Exact, slack: Exact) -> Choice:
    """Walk a polynomial piece toward its unattained end until within ``slack`` of it."""
    step = Fraction(1)
    for _ in range(_MAX_HALVINGS):
        step /= 2
        x = atom.at(step if side == "low" else 1 - step)
        value = atom.value(x)
        distance = _minus(value, end) if side == "low" else _minus(end, value)
        if compare(distance, slack) < 0:
            return {atom.feature: x}, value
    raise RuntimeError("the walk did not approach the piece's end")


def _find(cluster: _Cluster, a: Exact, b: Exact) -> Choice:
    """A choice whose sum lies in the open interval (a, b), given that the cluster has a
    member there because an end lies in (a, b) or (a, b) ⊆ hull and b − a > gap."""
    span = cluster.span
    if _inside(span.low, a, b):
        return _near(cluster, "low", _minus(b, span.low))
    if _inside(span.high, a, b):
        return _near(cluster, "high", _minus(span.high, a))
    if cluster.atoms:
        return _find_atom(cluster.atoms, a, b)
    length = _minus(b, a)
    for part in cluster.parts:
        deadline.check()
        ends_in = _inside(part.span.low, a, b) or _inside(part.span.high, a, b)
        within = compare(part.span.low, a) <= 0 and compare(b, part.span.high) <= 0
        if ends_in or (within and compare(length, part.gap) > 0):
            return _find_part(part, a, b)
    raise RuntimeError("no part of the cluster holds the interval")


def _find_atom(atoms: Sequence[Atom], a: Exact, b: Exact) -> Choice:
    target = Span(a, b, False, False)
    for atom in atoms:
        common = atom.span.meet(target)
        if common is None:
            continue
        if atom.span.is_point:
            return _atom_choice(atom, atom.start)
        lam = land([atom], atom.span, common)
        return _atom_choice(atom, atom.at(lam))
    raise RuntimeError("no atom of the cluster meets the interval")


def _find_part(part: _Part, a: Exact, b: Exact) -> Choice:
    """Replay the argument of thm:fr-images that makes left ⊕ right dense."""
    left, right, span = part.left, part.right, part.span
    if _inside(span.low, a, b):
        return _corner(left, "low", right, "low", _minus(b, span.low))
    if _inside(span.high, a, b):
        return _corner(left, "high", right, "high", _minus(span.high, a))
    length = _minus(b, a)
    if compare(left.gap, _length(right.span)) <= 0 and compare(length, right.gap) > 0:
        # translates of right by members of left overlap: land left, then right
        first = _find(left, _minus(a, right.span.high), _minus(b, right.span.low))
        return _join(first, _find(right, _minus(a, first[1]), _minus(b, first[1])))
    if compare(right.gap, _length(left.span)) <= 0 and compare(length, left.gap) > 0:
        first = _find(right, _minus(a, left.span.high), _minus(b, left.span.low))
        return _join(first, _find(left, _minus(a, first[1]), _minus(b, first[1])))
    # the path left.low + right, then left + right.high: gaps at most max(g_left, g_right)
    pivot = _plus(left.span.low, right.span.high)
    if _inside(pivot, a, b):
        slack = _smaller(_minus(pivot, a), _minus(b, pivot))
        return _join(_near(left, "low", _half(slack)), _near(right, "high", _half(slack)))
    if compare(b, pivot) <= 0:
        chosen = _find(right, _minus(a, left.span.low), _minus(b, left.span.low))
        rest = _near(left, "low", _minus(b, _plus(chosen[1], left.span.low)))
        return _join(chosen, rest)
    chosen = _find(left, _minus(a, right.span.high), _minus(b, right.span.high))
    rest = _near(right, "high", _minus(_plus(chosen[1], right.span.high), a))
    return _join(chosen, rest)
