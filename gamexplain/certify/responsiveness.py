"""Checks of responsiveness scores and fixed predictions: every component re-counted.

What is re-derived, without :mod:`gamexplain.algorithms` or the substrate's reach and
level-set code:

- the reachable range of a separable numeric feature, from its action element;
- its level-set measure, piece by piece on the exact pieces, with the real roots of
  (piece − level) found by sympy and the sign on each gap decided by
  :mod:`gamexplain.certify.numbers`; its supremum (infimum) from the piece's endpoints
  and the real roots of its derivative;
- every other component by enumerating the product of its members' domain values
  (bounded by :data:`~gamexplain.certify.MAX_CHECK_POINTS`), each point decided by
  :meth:`~gamexplain.model.actions.ActionSet.admits` — the definition itself, which the
  algorithms only use as a filter on candidates they generate — and scored by the
  independent evaluator :func:`gamexplain.certify.evaluate.score`.

An exact answer must equal the re-count; bounds (a component past its budget) must
contain it. "Fixed" is re-decided from the re-derived best change per component (or a
joint enumeration when pair terms join components); a witness must be reachable and
meet the target.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy

from gamexplain.certify import MAX_CHECK_POINTS, check_size
from gamexplain.certify.evaluate import (
    contribution,
    covering,
    model_digest,
    pair_value,
    score,
)
from gamexplain.certify.numbers import compare
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.certify.reasons import sufficient
from gamexplain.certify.responsiveness_volume import volume_recount
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.substrate.pieces import Segment, lower

__all__ = ["check_fixed", "check_responsiveness"]


def _meets(target: Any, value: Any) -> bool:
    side = compare(value, target.level)
    return {">=": side >= 0, ">": side > 0, "<=": side <= 0, "<": side < 0}[target.sense]


# -- separable numeric features --------------------------------------------------------------
def _range(actions: Any, i: int, value: Any) -> tuple[Fraction, Fraction] | None:
    element, domain = actions.features[i], actions.domains[i]
    if not element.actionable:
        return None
    x = Fraction(value)
    low, high = Fraction(domain.low), Fraction(domain.high)
    if element.lb is not None:
        low = max(low, element.lb)
    if element.ub is not None:
        high = min(high, element.ub)
    if element.step_lb is not None:
        low = max(low, x + element.step_lb)
    if element.step_ub is not None:
        high = min(high, x + element.step_ub)
    if element.step_direction == 1:
        low = max(low, x)
    elif element.step_direction == -1:
        high = min(high, x)
    if isinstance(domain, Integers):
        low, high = Fraction(math.ceil(low)), Fraction(math.floor(high))
    return (low, high) if low <= high else None


def _edges(gam: Any, i: int) -> list[Fraction]:
    found: set[Fraction] = set()
    for pair in gam.pairs:
        if i in pair.features:
            cuts = pair.edges[pair.features.index(i)]
            found.update(Fraction(e) for e in (cuts or ())[1:-1])
    return sorted(found)


def _pieces(gam: Any, x: Sequence[Any], i: int, low: Fraction, high: Fraction) -> list[Any]:
    """(a, b, b included, polynomial in v, constant of the pair terms) over [low, high]."""
    t = sympy.Symbol("t")
    integers = isinstance(gam.features[i].domain, Integers)
    cuts = [low, *[e for e in _edges(gam, i) if low < e < high], high]
    out = []
    segments = [s for s in lower(gam.features[i]) if isinstance(s, Segment)]
    first = 0  # the runs and the segments both ascend
    for k in range(len(cuts) - 1):
        start, end = cuts[k], cuts[k + 1]
        last = k == len(cuts) - 2
        if integers:
            start = Fraction(math.ceil(start)) if k else start
            end = end if last else Fraction(math.ceil(end) - 1)
            if start > end:
                continue
        point = list(x)
        point[i] = start
        shift = sum((pair_value(gam, p, point) for p in gam.pairs if i in p.features),
                    Fraction(0))  # fmt: skip
        while first < len(segments) and segments[first].high < start:
            first += 1
        for segment in segments[first:]:
            if segment.low > end:
                break
            a, b = max(segment.low, start), min(segment.high, end)
            if segment.high < end:
                closed = segment.closed
            elif segment.high > end:
                closed = last
            else:
                closed = segment.closed and last
            closed = closed or integers
            if a > b or (a == b and not closed):
                continue
            poly = sum((sympy.Rational(c.numerator, c.denominator) * (t - _sym(segment.anchor)) ** r
                        for r, c in enumerate(segment.coefficients)), sympy.Integer(0))  # fmt: skip
            out.append((a, b, closed, sympy.Poly(poly, t), shift))
    return out


def _sym(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _at(poly: sympy.Poly, v: Any) -> Any:
    result = poly.eval(v if not isinstance(v, Fraction) else _sym(v))
    return Fraction(int(result.p), int(result.q)) if result.is_Rational else result


def _roots_inside(poly: sympy.Poly, a: Fraction, b: Fraction) -> list[Any]:
    if poly.is_zero or poly.degree() < 1:
        return []
    roots = sorted(set(sympy.Poly(poly, poly.gens[0]).real_roots()), key=lambda r: float(r))
    return [r for r in roots if compare(r, a) > 0 and compare(r, b) < 0]


def _level_measure(target: Any, rest: Any, pieces: list[Any], integers: bool) -> Any:
    total: Any = Fraction(0)
    for a, b, _closed, poly, shift in pieces:

        def meets(v: Any, poly: sympy.Poly = poly, shift: Fraction = shift) -> bool:
            return _meets(target, _at(poly, v) + shift + rest)

        level = target.level - shift - rest
        roots = _roots_inside(poly - _sym(level) if isinstance(level, Fraction) else poly - level,
                              a, b)  # fmt: skip
        ends = [a, *roots, b]
        for u, w in itertools.pairwise(ends):
            middle = (sympy.sympify(u) + sympy.sympify(w)) / 2
            if not meets(middle):
                continue
            if integers:
                first = int(sympy.floor(u)) + 1
                last = int(sympy.ceiling(w)) - 1
                total += max(0, last - first + 1)
            else:
                total = total + (w - u)
        if integers:
            special = {a, b} | {Fraction(int(r)) for r in roots if r.is_Integer}
            total += sum(1 for v in special if meets(v))
    return total


def _extreme(target: Any, pieces: list[Any], integers: bool,
             open_low: Fraction | None = None) -> tuple[Any, bool]:  # fmt: skip
    """The supremum (infimum) of piece + pair constant over the range, and whether
    attained (not at ``open_low``, an end the range leaves out)."""
    best: tuple[Any, bool] | None = None
    upward = target.sense in (">=", ">")
    for a, b, closed, poly, shift in pieces:
        candidates = [(a, a != open_low), (b, closed)]
        derivative = poly.diff()
        for r in _roots_inside(derivative, a, b):
            if integers:
                candidates += [(Fraction(int(sympy.floor(r))), True),
                               (Fraction(int(sympy.ceiling(r))), True)]  # fmt: skip
            else:
                candidates.append((r, True))
        for v, attained in candidates:
            value = _at(poly, v) + shift
            if best is None:
                best = (value, attained)
                continue
            side = compare(value, best[0]) * (1 if upward else -1)
            if side > 0 or (side == 0 and attained and not best[1]):
                best = (value, attained)
    assert best is not None
    return best


def _separable(gam: Any, x: Sequence[Any], actions: Any, i: int, target: Any,
               base: Any) -> tuple[Any, Any, Any]:  # fmt: skip
    """(|R_i|, part meeting the target, best change and whether attained) of feature i."""
    span = _range(actions, i, x[i])
    if span is None:
        return Fraction(0), Fraction(0), (Fraction(0), True)
    low, high = span
    integers = isinstance(actions.domains[i], Integers)
    if not integers and low == high:
        return _enumerate(gam, x, actions, (i,), target, base, [[low]])
    own = contribution(gam, i, x[i]) + sum(
        (pair_value(gam, p, x) for p in gam.pairs if i in p.features), Fraction(0)
    )
    rest = base - own
    pieces = _pieces(gam, x, i, low, high)
    hits = _level_measure(target, rest, pieces, integers)
    total: Any = high - low + 1 if integers else high - low
    if integers and low <= Fraction(x[i]) <= high:
        total -= 1
        hits -= int(_meets(target, base))
    value, attained = _extreme(target, pieces, integers)
    change = value - own
    upward = target.sense in (">=", ">")
    if compare(change, 0) * (1 if upward else -1) <= 0:
        return total, hits, (Fraction(0), True)
    return total, hits, (change, attained)


# -- enumerated components --------------------------------------------------------------------
def _domain_values(domain: Any) -> list[Any]:
    if isinstance(domain, Finite):
        return list(domain.values)
    return list(range(int(domain.low), int(domain.high) + 1))


def _enumerate(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any, base: Any,
    choices: list[list[Any]] | None = None,
) -> tuple[Any, Any, Any]:  # fmt: skip
    """Per member counts (lists) and the best change, by the product of domain values."""
    if choices is None:
        sizes = [1 if isinstance(actions.domains[m], Interval) else len(
            _domain_values(actions.domains[m])) for m in members]  # fmt: skip
        if any(isinstance(actions.domains[m], Interval) for m in members):
            raise ValueError("a component with a continuous member cannot be enumerated")
        check_size(math.prod(sizes), "a component of the action set")
        choices = [_domain_values(actions.domains[m]) for m in members]
    totals = [Fraction(0)] * len(members)
    hits = [Fraction(0)] * len(members)
    upward = target.sense in (">=", ">")
    best: tuple[Any, bool] = (Fraction(0), True)
    for values in itertools.product(*choices):
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if all(_same(point[m], x[m]) for m in members) or not actions.admits(x, point):
            continue
        value = score(gam, point)
        meets = _meets(target, value)
        for k, m in enumerate(members):
            if not _same(point[m], x[m]) and actions.features[m].actionable:
                totals[k] += 1
                hits[k] += meets
        change = value - base
        if compare(change, best[0]) * (1 if upward else -1) > 0:
            best = (change, True)
    if len(members) == 1:
        return totals[0], hits[0], best
    return totals, hits, best


ENUMERATE_UP_TO = MAX_CHECK_POINTS
"""Components with at most this many candidate points are re-counted point by point;
larger ones with a wide integer member by :func:`_by_last_member`."""


def _wide_member(gam: Any, actions: Any, members: Sequence[int]) -> int | None:
    """The integer member to count by level sets when the component is too large to
    enumerate and no pair term touches it; None otherwise."""
    if any(m in p.features for p in gam.pairs for m in members):
        return None
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if continuous:
        return continuous[0] if len(continuous) == 1 else None
    sizes = [len(_domain_values(actions.domains[m])) if isinstance(actions.domains[m], Finite)
             else int(actions.domains[m].high) - int(actions.domains[m].low) + 1
             for m in members]  # fmt: skip
    if math.prod(sizes) <= ENUMERATE_UP_TO:
        return None
    wide = [(size, m) for size, m in zip(sizes, members, strict=True)
            if isinstance(actions.domains[m], Integers)]  # fmt: skip
    return max(wide)[1] if wide else None


def _thresholds(actions: Any, w: int, x: Sequence[Any], point: list[Any]) -> list[Fraction]:
    """Every value of member ``w`` (the others at ``point``) where some test of the
    definition :meth:`ActionSet.admits_on` can change: its own move, bounds and if-then
    levels, and for each feature whose linked change depends on w (found by evaluating
    :meth:`ActionSet.linked_change` at two values of w: it is affine in w) the values
    where that feature's own move crosses 0, its step limits or a reachable value."""
    names = actions.names
    element, domain = actions.features[w], actions.domains[w]
    here = Fraction(x[w])
    before = {names[m]: Fraction(x[m]) for m in range(len(x)) if not isinstance(x[m], str)}

    def after(v: Fraction) -> dict[str, Fraction]:
        state = {names[m]: Fraction(point[m]) for m in range(len(point))
                 if not isinstance(point[m], str)}  # fmt: skip
        state[names[w]] = v
        return state

    out = {here, Fraction(domain.low), Fraction(domain.high), Fraction(0), Fraction(1)}
    out |= {Fraction(b) for b in (element.lb, element.ub) if b is not None}
    for c in actions.constraints:
        for side in (getattr(c, "if_", None), getattr(c, "then", None)):
            if side is not None and side[0] == names[w]:
                out.add(Fraction(side[2]))
    shift = actions.linked_change(w, before, after(here))
    out |= {here + shift + d for d in (Fraction(0), element.step_lb, element.step_ub)
            if d is not None}  # fmt: skip
    for t in range(len(x)):
        if t == w or isinstance(point[t], str):
            continue
        at0 = actions.linked_change(t, before, after(here))
        slope = actions.linked_change(t, before, after(here + 1)) - at0
        if slope == 0:
            continue
        # linked_t(v) = at0 + slope (v - here); own move of t = point_t - linked_t(v) - x_t
        e = actions.features[t]
        moves = [Fraction(0)] + [d for d in (e.step_lb, e.step_ub) if d is not None]
        if e.reachable is not None:
            moves += [Fraction(r) - Fraction(x[t]) for rs in e.reachable.values() for r in rs
                      if not isinstance(r, str)]  # fmt: skip
        out.add(here - at0 / slope)
        out |= {here + (Fraction(point[t]) - Fraction(x[t]) - at0 - d) / slope for d in moves}
    low, high = Fraction(domain.low), Fraction(domain.high)
    return sorted(v for v in out if low <= v <= high)


def _by_last_member(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any, base: Any,
    w: int,
) -> tuple[Any, Any, Any, list[str]]:  # fmt: skip
    """Per member counts, the best change and the measure of each member of a component
    too large to enumerate, or with one continuous member ``w``: the other members'
    domain values enumerated, member ``w``'s admitted values as ranges between
    :func:`_thresholds` (each threshold alone; each range between two decided by the
    definition at one of its points), counted and scored by the sympy level sets of
    :func:`_level_measure`. With a continuous ``w`` the measure is count × length, or
    the count of points for a member whose set has no length."""
    others = [m for m in members if m != w]
    check_size(math.prod(len(_domain_values(actions.domains[m])) for m in others),
               "the other members of a component")  # fmt: skip
    integers = isinstance(actions.domains[w], Integers)
    n = len(members)
    # [totals, hits] measured by length (a continuous w's intervals) and by points
    by_length = [[Fraction(0)] * n, [Fraction(0)] * n]
    by_points = [[Fraction(0)] * n, [Fraction(0)] * n]
    upward = target.sense in (">=", ">")
    best: tuple[Any, bool] = (Fraction(0), True)
    k_w = list(members).index(w)
    for values in itertools.product(*(_domain_values(actions.domains[m]) for m in others)):
        point = list(x)
        for m, v in zip(others, values, strict=True):
            point[m] = v
        cuts = _thresholds(actions, w, x, point)
        if integers:
            ranges = [(c, c, False) for c in cuts if c.denominator == 1]
            ranges += [(Fraction(math.floor(a) + 1), Fraction(math.ceil(b) - 1), True)
                       for a, b in itertools.pairwise(cuts)
                       if math.floor(a) + 1 <= math.ceil(b) - 1]  # fmt: skip
        else:
            ranges = [(c, c, False) for c in cuts]
            ranges += [(a, b, True) for a, b in itertools.pairwise(cuts)]
        at_x = list(point)
        at_x[w] = x[w]
        rest = score(gam, at_x) - contribution(gam, w, x[w])
        for a, b, between in ranges:
            probe = list(point)
            probe[w] = int(a) if integers else (a + b) / 2 if between else a
            # x itself is a range of its own (x_w is a threshold) and counts for no member
            if all(_same(probe[m], x[m]) for m in members) or not actions.admits(x, probe):
                continue
            if integers or between:
                pieces = _pieces(gam, point, w, a, b)
                if not integers:  # the open interval (a, b)
                    pieces = [(lo, hi, closed and hi != b, poly, shift)
                              for lo, hi, closed, poly, shift in pieces if lo != b]  # fmt: skip
                size = b - a + 1 if integers else b - a
                reached = _level_measure(target, rest, pieces, integers)
                value, attained = _extreme(target, pieces, integers,
                                           None if integers else a)  # fmt: skip
                # an open interval: a piece equal to the supremum inside attains it
                attained = attained or (not integers and any(
                    compare(_at(poly, (lo + hi) / 2) + shift, value) == 0
                    for lo, hi, _, poly, shift in pieces if lo < hi))  # fmt: skip
                tally = by_points if integers else by_length
            else:  # one point of a continuous w
                value, attained = contribution(gam, w, a), True
                size, reached = Fraction(1), Fraction(int(_meets(target, rest + value)))
                tally = by_points
            for k, m in enumerate(members):
                if m != w and not _same(point[m], x[m]) and actions.features[m].actionable:
                    tally[0][k] += size
                    tally[1][k] += reached
            if actions.features[w].actionable:
                stay = a <= Fraction(x[w]) <= b and (integers or not between)
                tally[0][k_w] += size - int(stay)
                tally[1][k_w] += reached - int(stay and _meets(target, rest + contribution(
                    gam, w, x[w])))  # fmt: skip
            change = rest + value - base
            side = compare(change, best[0]) * (1 if upward else -1)
            if side > 0 or (side == 0 and attained and not best[1]):
                best = (change, attained)
    totals, hits, labels = [], [], []
    for k in range(n):
        length = not integers and by_length[0][k] != 0
        chosen = by_length if length else by_points
        totals.append(chosen[0][k])
        hits.append(chosen[1][k])
        labels.append("count × length" if length else "count")
    return totals, hits, best, labels


def _by_volume(gam: Any, actions: Any, members: Sequence[int]) -> bool:
    """Whether a component is measured by volume: several continuous members, no pair
    term touching it."""
    continuous = sum(isinstance(actions.domains[m], Interval) for m in members)
    return continuous > 1 and not any(m in p.features for p in gam.pairs for m in members)


def _linear_pieces(gam: Any, x: Sequence[Any], actions: Any, m: int) -> list[Any]:
    """Member m's pieces on its domain as (a, b, b included, (c0, c1), pair constant)."""
    domain = actions.domains[m]
    out = []
    for a, b, closed, poly, shift in _pieces(gam, x, m, Fraction(domain.low),
                                            Fraction(domain.high)):  # fmt: skip
        if poly.degree() > 1:
            raise ValueError("a curved piece has no area measure here")
        coefficients = [Fraction(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs())]
        c0, c1 = [*coefficients, Fraction(0), Fraction(0)][:2]
        out.append((a, b, closed, (c0, c1), shift))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return compare(a, b) == 0


def _recount(gam: Any, x: Sequence[Any], actions: Any, target: Any) -> list[Any]:
    base = score(gam, x)
    out: list[Any] = []
    for members in actions.components:
        m = members[0]
        if len(members) == 1 and not isinstance(actions.domains[m], Finite):
            total, hits, best = _separable(gam, x, actions, m, target, base)
            out.append((members, [total], [hits], best, None))
        elif _by_volume(gam, actions, members):
            totals, hits, labels = volume_recount(gam, x, actions, members, target,
                                                  lambda m: _linear_pieces(gam, x, actions, m))
            out.append((members, totals, hits, (Fraction(0), False), labels))
        elif (w := _wide_member(gam, actions, members)) is not None:
            totals, hits, best, labels = _by_last_member(gam, x, actions, members, target,
                                                         base, w)  # fmt: skip
            out.append((members, totals, hits, best, labels))
        else:
            totals, hits, best = _enumerate(gam, x, actions, members, target, base)
            if len(members) == 1:
                totals, hits = [totals], [hits]
            out.append((members, totals, hits, best, None))
    return out


def _share(total: Any, hits: Any) -> Any:
    return Fraction(0) if total == 0 else hits / total


def _describe(target: Any) -> str:
    return f"score {target.sense} {float(target.level):.6g}"


def _kind(actions: Any, members: Sequence[int]) -> str:
    if len(members) == 1:
        return "separable"
    names = {actions.names[m] for m in members}
    kinds = {c.kind for c in actions.constraints if set(c.members()) & names}
    encodings = {"OneHotEncoding", "OrdinalEncoding", "ThermometerEncoding"}
    return "encoding" if kinds <= encodings else "coupled"


def _labels_bound(result: Any, gam: Any, query: str) -> bool:
    """The labels a user reads: target text, provenance, exactness and message."""
    certificate = result.certificate
    if certificate.model != model_digest(gam) or certificate.actions != result.actions:
        return False
    if result.target != _describe(certificate.target):
        return False
    if result.exact != (result.status == "solved"):
        return False
    # a "fixed" decision may come without counts (the box proof or a witness decides it;
    # without either, check_fixed's recount finds the lengths differ and refuses)
    counted = len(certificate.counts) == len(result.actions.components)
    if len(result.instance) != len(gam.features) or not (
        counted or (query == "fixed" and not certificate.counts)
    ):
        return False
    model = covering(gam, result.instance)
    return provenance_consistent(model, result, (query,))


def _near(value: float, truth: Any) -> bool:
    return abs(value - float(truth)) <= 1e-12 * max(1.0, abs(float(truth)))


def _feature_fields(result: Any, gam: Any, recount: list[Any]) -> bool:
    """Names, component indices and kinds, measures, and the float views of the scores."""
    actions = result.actions
    n = len(gam.features)
    if result.features != tuple(f.name for f in gam.features):
        return False
    if any(len(getattr(result, k)) != n for k in (
            "scores", "exact_scores", "lower", "upper", "reachable", "reaching", "measure",
            "components", "component_kinds")):  # fmt: skip
        return False
    for k, (members, totals, hits, _best, labels) in enumerate(recount):
        kind = _kind(actions, members)
        claimed = result.certificate.counts[k]
        if tuple(claimed.members) != tuple(members) or claimed.kind != kind:
            return False
        if any(compare(t, result.reachable[m]) or compare(h, result.reaching[m])
               for m, t, h in zip(members, claimed.totals, claimed.hits, strict=True)):  # fmt: skip
            return False
        for position, (m, total, hit) in enumerate(zip(members, totals, hits, strict=True)):
            truth = _share(total, hit)
            continuous = isinstance(actions.domains[m], Interval) and kind == "separable"
            measure = "length" if continuous and total != 0 else "count"
            if labels is not None and result.exact_scores[m] is not None:
                measure = labels[position]
            if result.measure[m] == NOT_MEASURED and result.exact_scores[m] is None:
                measure = NOT_MEASURED  # a stopped run: the bounds below still hold
            if (result.components[m], result.component_kinds[m], result.measure[m]) != (
                    k, kind, measure):  # fmt: skip
                return False
            if not (result.lower[m] <= result.scores[m] <= result.upper[m]):
                return False
            if result.exact and not (_near(result.scores[m], truth) and _near(
                    result.lower[m], truth) and _near(result.upper[m], truth)):  # fmt: skip
                return False
    return True


NOT_MEASURED = "not measured"
"""The measure a stopped run shows for a feature it did not reach; only with no exact
score, so its bounds are what the check holds it to."""


def _within(low: float, truth: Any, high: float) -> bool:
    return compare(Fraction(low), truth) <= 0 and compare(truth, Fraction(high)) <= 0


def check_responsiveness(result: Any, gam: Any) -> bool:
    """Whether every score, |R_j|, count and ``fixed`` of ``result`` re-count on ``gam``,
    and every label it shows (names, components, measures, target, provenance) holds."""
    if not _labels_bound(result, gam, "responsiveness"):
        return False
    x = result.instance
    target = result.certificate.target
    model = covering(gam, x)
    recount = _claimed_best(_recount(model, x, result.actions, target), result, model)
    if recount is None or not _feature_fields(result, gam, recount):
        return False
    for members, totals, hits, _best, _labels in recount:
        for m, total, hit in zip(members, totals, hits, strict=True):
            truth = _share(total, hit)
            if result.exact_scores[m] is not None:  # exact even when "fixed" ran out of time
                if compare(result.exact_scores[m], truth) != 0:
                    return False
                if compare(result.reachable[m], total) or compare(result.reaching[m], hit):
                    return False
            elif result.exact or not _within(result.lower[m], truth, result.upper[m]):
                return False
    if result.fixed is None:
        undecided = result.status != "solved" or _undecidable(model, result.actions)
        return undecided and bool(result.message)
    if result.exact and result.message:
        return False
    if result.fixed is not (result.certificate.reaches is False):
        return False
    return _decides(model, x, result.actions, target, recount, not result.fixed,
                    result.certificate.witness, result.certificate.box)  # fmt: skip


def _undecidable(gam: Any, actions: Any, joined_only: bool = False) -> bool:
    """Whether "fixed" is left open by design: pair terms join components and some
    feature is continuous (the joint enumeration needs a discrete action set), and R(x)
    is no box of single features (the box's pair worst case decides those). With
    ``joined_only``: whether pair terms join components."""
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    joined = any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs)
    if joined_only:
        return joined
    if any(_by_volume(gam, actions, c) for c in actions.components):
        return True  # a volume-measured component: "fixed" is decided only by a witness
    return joined and any(isinstance(d, Interval) for d in actions.domains)


def _decides(gam: Any, x: Sequence[Any], actions: Any, target: Any, recount: list[Any],
             reaches: bool, witness: Any, box: Any = None) -> bool:  # fmt: skip
    if witness is not None:
        return reaches and actions.admits(x, witness) and _meets(target, score(gam, witness))
    joined = {frozenset(c) for c in actions.components}
    where = {m: c for c in joined for m in c}
    if any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs):
        if box is not None:
            return reaches is False and _box_keeps(gam, x, actions, target, box)
        return reaches is False and not _joint_reaches(gam, x, actions, target)
    total = score(gam, x)
    attained = True
    for _members, _totals, _hits, (change, reached), _labels in recount:
        total = total + change
        attained = attained and reached
    side = compare(total, target.level) * (1 if target.sense in (">=", ">") else -1)
    truth = side > 0 or (side == 0 and attained and target.sense in (">=", "<="))
    return truth == reaches


def _box(gam: Any, x: Sequence[Any], actions: Any, target: Any) -> Any:
    """R(x) as a model when it is a box of single-feature components: each domain cut
    to the feature's reachable set, class 1 the target; with the features that stay.
    None when it is not a box or the target level is no float."""
    level = target.level
    if not isinstance(level, Fraction) or Fraction(float(level)) != level:
        return None
    if any(len(c) != 1 for c in actions.components):
        return None
    features, stay = [], set()
    for j, feature in enumerate(gam.features):
        domain = actions.domains[j]
        if isinstance(domain, Finite):
            moves = []
            for v in domain.values:
                point = list(x)
                point[j] = v
                moves.append(_same(v, x[j]) or bool(actions.admits(x, point)))
            if not any(m for m, v in zip(moves, domain.values, strict=True) if not _same(v, x[j])):
                stay.add(j)
            elif not all(moves):
                return None
            features.append(feature)
            continue
        span = _range(actions, j, x[j])
        if span is None or span[0] == span[1] == Fraction(x[j]):  # only x_j itself
            stay.add(j)
            features.append(feature)
            continue
        low, high = span
        here = Fraction(x[j])
        if not low <= here <= high:  # x beyond the model's domain: widen within one cell
            walls = _cell_walls(gam, j)
            near = high if here > high else low
            if walls is None or not all(
                _alike(gam, j, e, here) for e in walls | {near}
                if min(near, here) < e <= max(near, here) or e == near
            ):
                return None
            low, high = min(low, here), max(high, here)
        if isinstance(domain, Integers):
            cut: Any = Integers(int(low), int(high))
        else:
            ends = _same_cells(gam, j, low, high)
            if ends is None:
                return None
            cut = Interval(*ends)
        features.append(dataclasses.replace(feature, domain=cut, distribution=None))
    task = Classification(float(level), ">=" if target.sense in (">=", "<") else ">")
    return GAM(features, intercept=gam.intercept, task=task, pairs=gam.pairs), frozenset(stay)


def _cell_walls(gam: Any, j: int) -> set[Fraction] | None:
    """Where a piecewise-constant feature's score may change (its breakpoints and its
    pair terms' bin edges); None when some piece is not constant."""
    shape = gam.features[j].shape
    if not isinstance(shape, Piecewise) or any(len(c) != 1 for c in shape.coefficients):
        return None
    walls = {Fraction(b) for b in shape.breakpoints[1:-1]}  # the outer ones end the domain
    for pair in gam.pairs:
        if j in pair.features:
            walls |= {Fraction(e) for e in (pair.edges[pair.features.index(j)] or ())[1:-1]}
    return walls


def _alike(gam: Any, j: int, a: Fraction, b: Fraction) -> bool:
    """Whether feature j scores the same at a and b, pair terms' partners held."""
    if compare(contribution(gam, j, a), contribution(gam, j, b)) != 0:
        return False
    for pair in gam.pairs:
        if j in pair.features:
            cuts = pair.edges[pair.features.index(j)]
            if cuts is not None and any((a < e) != (b < e) for e in map(Fraction, cuts)):
                return False
    return True


def _same_cells(gam: Any, j: int, low: Fraction, high: Fraction) -> Any:
    """Float ends of an interval meeting the same constant cells as [low, high] (the
    ends themselves when floats; for a feature whose every piece is constant, the floats
    just inside, or one float before a cell edge that the rounding would reach)."""
    as_float = [Fraction(float(low)) == low, Fraction(float(high)) == high]
    if all(as_float):
        return float(low), float(high)
    shape = gam.features[j].shape
    if not isinstance(shape, Piecewise) or any(len(c) != 1 for c in shape.coefficients):
        return None
    edges = {Fraction(b) for b in shape.breakpoints}
    for pair in gam.pairs:
        if j in pair.features:
            edges |= {Fraction(e) for e in pair.edges[pair.features.index(j)] or ()}
    first = float(low) if Fraction(float(low)) >= low else math.nextafter(float(low), math.inf)
    if Fraction(first) in edges and Fraction(first) != low:
        first = math.nextafter(first, -math.inf)
    last = float(high) if Fraction(float(high)) <= high else math.nextafter(float(high), -math.inf)
    return (first, last) if first <= last else None


def _box_keeps(gam: Any, x: Sequence[Any], actions: Any, target: Any, proof: Any) -> bool:
    """Whether ``proof`` (a pair worst case) shows no point of the box R(x) reaches the
    target: x does not, and keeping only the immutable features keeps x's class in the
    box model (:func:`gamexplain.certify.reasons.sufficient`)."""
    built = _box(gam, x, actions, target)
    if built is None or _meets(target, score(gam, x)):
        return False
    box, stay = built
    return sufficient(box, x, stay, proof)


def _joint_reaches(gam: Any, x: Sequence[Any], actions: Any, target: Any) -> bool:
    sizes = [len(_domain_values(d)) for d in actions.domains]
    check_size(math.prod(sizes), "the reachable set of the action set")
    for values in itertools.product(*[_domain_values(d) for d in actions.domains]):
        point = list(values)
        if actions.admits(x, point) and _meets(target, score(gam, point)):
            return True
    return False


def check_fixed(result: Any, gam: Any) -> bool:
    """Whether the decision of ``result`` re-derives on ``gam`` (a witness must be reachable
    and meet the target; "fixed" must follow from the re-derived best changes)."""
    certificate = result.certificate
    if not _labels_bound(result, gam, "fixed"):
        return False
    if result.status != "solved":
        return not result.holds and result.witness is None and bool(result.message)
    if result.message or certificate.reaches is not (not result.holds):
        return False
    x, target = result.instance, certificate.target
    gam = covering(gam, x)
    if result.witness is not None and (
        certificate.witness is None
        or any(not _same(a, b) for a, b in zip(result.witness, certificate.witness, strict=True))
    ):
        return False
    if result.witness is not None:
        return not result.holds and _decides(gam, x, result.actions, target, [], True,
                                             result.witness)  # fmt: skip
    if certificate.box is not None and _undecidable(gam, result.actions, joined_only=True):
        # the box's proof; no per-component recount needed
        return _decides(gam, x, result.actions, target, [], not result.holds, None,
                        certificate.box)  # fmt: skip
    recount = _claimed_best(_recount(gam, x, result.actions, target), result, gam)
    if recount is None:
        return False
    return _decides(gam, x, result.actions, target, recount, not result.holds, None)


def _claimed_best(recount: list[Any], result: Any, gam: Any) -> list[Any] | None:
    """The recount with each volume-measured component's best change taken from the
    certificate's point for it, once that point is checked reachable and its change
    re-evaluated (a lower bound on the supremum, which is all such a component claims);
    None when a claimed point fails."""
    x, actions = result.instance, result.actions
    counts = result.certificate.counts
    if len(counts) != len(recount):
        return None
    out = []
    for (members, totals, hits, best, labels), count in zip(recount, counts, strict=True):
        if _by_volume(gam, actions, members):
            values = count.best[2]
            if values is None or len(values) != len(members):
                return None
            point = list(x)
            for m, v in zip(members, values, strict=True):
                point[m] = v
            if any(not _same(a, b) for a, b in zip(point, x, strict=True)) and not actions.admits(
                    x, point):  # fmt: skip
                return None
            change = score(gam, point) - score(gam, x)
            if compare(change, count.best[0]) != 0 or count.best[1] is not True:
                return None
            best = (change, True)
        out.append((members, totals, hits, best, labels))
    return out
