"""Checks of responsiveness and fixed predictions toward a class of a multiclass model.

Re-derived without :mod:`gamexplain.algorithms` or the rival models: each class's score
is evaluated by :func:`gamexplain.certify.evaluate.score` and its pieces on a separable
feature's range come from the check's own piece walk
(:func:`gamexplain.certify.responsiveness._pieces`, sympy polynomials). On a piece the
argmax changes only at real roots of score_t − score_r (found by sympy); each gap between
consecutive roots is decided at its midpoint and every integer root on its own. Other
components are enumerated over the product of their domains, each point decided by
:meth:`~gamexplain.model.actions.ActionSet.admits` and the argmax
(:func:`gamexplain.certify.multiclass.class_of`). "Fixed" is re-decided from the
components' vectors of class-score changes: toward class t, by a plain dominance filter
over every partial sum; negated, by the least sum per rival. A linear piece on a
continuous range contributes a segment of changes: negated, its ends (an open end
approached, not attained); toward class t, every choice of one vector or segment per
component is decided by the largest slack δ of the rival margins over the segments'
parameters, found among the vertices of that polyhedron by exact linear solves — a
different method from the solver's Fourier–Motzkin elimination.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy

from gamexplain.certify import check_size
from gamexplain.certify.evaluate import contribution, pair_value, score
from gamexplain.certify.multiclass import class_of, digest
from gamexplain.certify.numbers import compare
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.certify.responsiveness import (
    _domain_values,
    _feature_fields,
    _pieces,
    _range,
    _roots_inside,
    _same,
    _share,
    _within,
)
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.substrate.polytopes import solve as _solve

__all__ = ["check_multiclass_fixed", "check_multiclass_responsiveness", "target_text"]


def target_text(gam: Any, target: Any) -> str:
    label = gam.classes[target.wins]
    return f"a class other than {label}" if target.negate else f"class {label}"


def _meets(gam: Any, target: Any, point: Sequence[Any]) -> bool:
    return (class_of(gam, point) == target.wins) != target.negate


def _first_max(values: Sequence[Any]) -> int:
    best = 0
    for c in range(1, len(values)):
        if compare(values[c], values[best]) > 0:
            best = c
    return best


def _separable(gam: Any, x: Sequence[Any], actions: Any, i: int,
               target: Any) -> tuple[Any, Any, list[Any] | None, list[Any]]:  # fmt: skip
    """|R_i|, the part meeting the target, the K-vectors of score changes (None when a
    piece of degree above 1 on a continuous range makes them infinitely many) and the
    segments they run along on the linear pieces of a continuous range."""
    base = [score(m, x) for m in gam.scores]
    zero = tuple(Fraction(0) for _ in gam.scores)
    span = _range(actions, i, x[i])
    if span is None:
        return Fraction(0), Fraction(0), [zero], []
    low, high = span
    integers = isinstance(actions.domains[i], Integers)
    if not integers and low == high:
        point = list(x)
        point[i] = low
        if _same(low, x[i]) or not actions.admits(x, point):
            return Fraction(0), Fraction(0), [zero], []
        vector = tuple(score(m, point) - b for m, b in zip(gam.scores, base, strict=True))
        return Fraction(1), Fraction(int(_meets(gam, target, point))), [zero, vector], []
    walks = [_pieces(m, x, i, low, high) for m in gam.scores]
    rests = []
    for m, b in zip(gam.scores, base, strict=True):
        own = contribution(m, i, x[i]) + sum(
            (pair_value(m, p, x) for p in m.pairs if i in p.features), Fraction(0)
        )
        rests.append(b - own)
    wins: Any = Fraction(0)
    vectors: list[Any] | None = [zero]
    lines: list[Any] = []
    for parts in zip(*walks, strict=True):
        a, b = parts[0][0], parts[0][1]
        if any((p[0], p[1]) != (a, b) for p in parts):
            raise ValueError("the classes' pieces differ")
        polys = [poly + sympy.Rational(shift.numerator, shift.denominator)
                 + sympy.Rational(rest.numerator, rest.denominator)
                 for (_, _, _, poly, shift), rest in zip(parts, rests, strict=True)]  # fmt: skip

        def win(v: Any, polys: list[Any] = polys) -> bool:
            value = v if not isinstance(v, Fraction) else sympy.Rational(v.numerator, v.denominator)
            found = [poly.eval(value) for poly in polys]
            return (_first_max(found) == target.wins) != target.negate

        t = target.wins
        if all((polys[t] - poly).degree() < 1 for poly in polys):  # the margins are constant
            if vectors is not None:
                at = sympy.Rational(a.numerator, a.denominator)
                values = [Fraction(int(q.p), int(q.q)) for q in (poly.eval(at) for poly in polys)]
                vectors.append(tuple(v - c for v, c in zip(values, base, strict=True)))
        elif not integers:
            if max(poly.degree() for poly in polys) > 1:
                vectors = None
            else:  # class-score changes run along a segment as v runs over [a, b)
                lines.append(_segment(polys, base, a, b, parts[0][2]))
        else:
            check_size(int(b - a) + 1, "a non-constant piece")
            for k in range(int(b - a) + 1):
                v = a + k
                found = [poly.eval(sympy.Rational(v.numerator, v.denominator)) for poly in polys]
                vectors.append(tuple(Fraction(int(q.p), int(q.q)) - c  # type: ignore[union-attr]
                                     for q, c in zip(found, base, strict=True)))  # fmt: skip
        roots = sorted({r for c, poly in enumerate(polys) if c != t
                        for r in _roots_inside(polys[t] - poly, a, b)},
                       key=lambda r: float(r))  # fmt: skip
        cuts = [a, *roots, b]
        for u, w in itertools.pairwise(cuts):
            if compare(u, w) == 0:
                continue
            middle = (sympy.sympify(u) + sympy.sympify(w)) / 2
            if win(middle):
                if integers:
                    wins += max(0, int(sympy.ceiling(w)) - 1 - int(sympy.floor(u)))
                else:
                    wins = wins + (w - u)
        if integers:
            special = {a, b} | {Fraction(int(r)) for r in roots if r.is_Integer}
            wins += sum(1 for v in special if win(v))
    total: Any = high - low + 1 if integers else high - low
    if integers and low <= Fraction(x[i]) <= high:
        total -= 1
        wins -= int(_meets(gam, target, x))
    return total, wins, vectors, lines


def _rational(value: Any) -> Fraction:
    return Fraction(int(value.p), int(value.q))


def _segment(polys: list[Any], base: list[Any], a: Fraction, b: Fraction,
             closed: bool) -> tuple[Any, ...]:  # fmt: skip
    """(a, b, b included, K changes at a, K slopes) of polynomials of degree at most 1."""
    at = sympy.Rational(a.numerator, a.denominator)
    start = tuple(_rational(poly.eval(at)) - c for poly, c in zip(polys, base, strict=True))
    slope = tuple(_rational(poly.coeff_monomial(poly.gens[0])) for poly in polys)
    return a, b, closed, start, slope


def _enumerate(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any
) -> tuple[list[Any], list[Any], list[Any]]:
    if any(isinstance(actions.domains[m], Interval) for m in members):
        raise ValueError("a component with a continuous member cannot be enumerated")
    choices = [_domain_values(actions.domains[m]) for m in members]
    check_size(math.prod(len(c) for c in choices), "a component of the action set")
    base = [score(m, x) for m in gam.scores]
    totals = [Fraction(0)] * len(members)
    hits = [Fraction(0)] * len(members)
    vectors = [tuple(Fraction(0) for _ in gam.scores)]
    for values in itertools.product(*choices):
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        if all(_same(point[m], x[m]) for m in members) or not actions.admits(x, point):
            continue
        meets = _meets(gam, target, point)
        for k, m in enumerate(members):
            if not _same(point[m], x[m]) and actions.features[m].actionable:
                totals[k] += 1
                hits[k] += meets
        vectors.append(tuple(score(c, point) - b for c, b in zip(gam.scores, base, strict=True)))
    return totals, hits, vectors


def _recount(gam: Any, x: Sequence[Any], actions: Any, target: Any) -> list[Any]:
    out = []
    for members in actions.components:
        m = members[0]
        if len(members) == 1 and not isinstance(actions.domains[m], Finite):
            total, hits, vectors, lines = _separable(gam, x, actions, m, target)
            out.append((members, [total], [hits], vectors, lines))
        else:
            out.append((members, *_enumerate(gam, x, actions, members, target), []))
    return out


def _bound(result: Any, gam: Any, query: str) -> Any:
    """The shown labels; the model widened to hold x, or None when they do not hold."""
    certificate = result.certificate
    if certificate.model != digest(gam) or certificate.actions != result.actions:
        return None
    if result.target != target_text(gam, certificate.target):
        return None
    if result.exact != (result.status == "solved"):
        return None
    if len(result.instance) != gam.n_features or len(certificate.counts) != len(
            result.actions.components):  # fmt: skip
        return None
    model = gam.covering(tuple(result.instance))
    prediction = class_of(model, result.instance)
    if certificate.target.negate and certificate.target.wins != prediction:
        return None
    return model if provenance_consistent(model, result, (query,)) else None


def _joined(gam: Any, actions: Any) -> bool:
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    return any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs)


def _reaches(gam: Any, x: Sequence[Any], actions: Any, target: Any,
             recount: list[Any]) -> bool | None:  # fmt: skip
    """Whether some point of R(x) meets the target; None when the check cannot tell."""
    if _joined(gam, actions):
        if any(isinstance(d, Interval) for d in actions.domains):
            return None
        check_size(math.prod(len(_domain_values(d)) for d in actions.domains),
                   "the reachable set of the action set")  # fmt: skip
        return any(
            actions.admits(x, list(point)) and _meets(gam, target, point)
            for point in itertools.product(*[_domain_values(d) for d in actions.domains])
        )
    if any(vectors is None for *_, vectors, _lines in recount):
        return None
    base = [score(m, x) for m in gam.scores]
    t = target.wins
    if target.negate:  # some rival r reaches score_r ≥ score_t (> when r > t)
        for r in range(gam.n_classes):
            if r == t:
                continue
            least = [_least_margin(vectors, lines, t, r) for *_, vectors, lines in recount]
            gap = base[t] - base[r] + sum((value for value, _ in least), Fraction(0))
            side = compare(gap, 0)
            if side < 0 or (side == 0 and r < t and all(reached for _, reached in least)):
                return True
        return False
    if any(lines for *_, lines in recount):
        return _wins_somewhere(base, t, recount)
    sums = {tuple(Fraction(0) for _ in base)}
    for *_, vectors, _lines in recount:
        grown = {tuple(a + b for a, b in zip(s, v, strict=True)) for s in sums for v in vectors}
        check_size(len(grown), "the partial sums of the components' changes")
        margins = {tuple(s[t] - s[r] for r in range(len(base))) for s in grown}
        sums = set()
        kept: list[Any] = []
        for m in sorted(margins, reverse=True):
            if not any(all(k[r] >= m[r] for r in range(len(base))) for k in kept):
                kept.append(m)
        # keep class-score sums in margin form: score_t change 0, rival changes −margin
        sums = {tuple(-u for u in m) for m in kept}
    for s in sums:
        final = [b + u for b, u in zip(base, s, strict=True)]
        if _first_max(final) == t:
            return True
    return False


def _least_margin(vectors: list[Any], lines: list[Any], t: int, r: int) -> tuple[Any, bool]:
    """The least change of score_t − score_r over a component, and whether a point
    attains it (an open end of a segment is only approached)."""
    best: tuple[Any, bool] = (min(v[t] - v[r] for v in vectors), True)
    for a, b, closed, start, slope in lines:
        ends = ((start[t] - start[r], True),
                (start[t] - start[r] + (slope[t] - slope[r]) * (b - a), closed))  # fmt: skip
        for value, reached in ends:
            side = compare(value, best[0])
            if side < 0:
                best = (value, reached)
            elif side == 0 and reached:
                best = (value, True)
    return best


def _wins_somewhere(base: list[Any], t: int, recount: list[Any]) -> bool:
    """Whether some point of R(x) makes class t win, some components having segments of
    class-score changes: for every choice of one vector or one segment per component,
    the largest δ ≤ 1 with every strict margin ≥ δ and every other margin ≥ 0 over the
    segments' parameters is found among the vertices of that polyhedron (exact linear
    solves); class t wins for that choice exactly when it is positive."""
    options = [[("vector", v) for v in set(vectors)] + [("segment", line) for line in lines]
               for *_, vectors, lines in recount]  # fmt: skip
    check_size(math.prod(len(o) for o in options), "the choices of one change per component")
    return any(_best_slack(_rows(base, t, c)) > 0 for c in itertools.product(*options))


def _rows(base: list[Any], t: int, choice: Sequence[Any]) -> list[tuple[list[Any], Any]]:
    """The polyhedron of a choice as rows (coefficients over the segment parameters and
    δ, constant) meaning coefficients · (s, δ) + constant ≥ 0."""
    segments = [line for kind, line in choice if kind == "segment"]
    n = len(segments)
    rows = []
    for r in range(len(base)):
        if r == t:
            continue
        constant = Fraction(base[t] - base[r])
        coefficients = [Fraction(0)] * (n + 1)
        for kind, item in choice:
            if kind == "vector":
                constant += item[t] - item[r]
        for k, (a, _b, _closed, start, slope) in enumerate(segments):
            constant += start[t] - start[r] - (slope[t] - slope[r]) * a
            coefficients[k] = Fraction(slope[t] - slope[r])
        coefficients[n] = Fraction(-1 if r < t else 0)  # r < t must be beaten strictly
        rows.append((coefficients, constant))
    for k, (a, b, closed, _start, _slope) in enumerate(segments):
        unit = [Fraction(int(q == k)) for q in range(n + 1)]
        rows.append((unit, -a))
        rows.append(([-u for u in unit[:n]] + [Fraction(-1 if not closed else 0)], b))
    rows.append(([Fraction(0)] * n + [Fraction(-1)], Fraction(1)))  # δ ≤ 1
    return rows


def _best_slack(rows: list[tuple[list[Any], Any]]) -> Any:
    """The largest δ over the polyhedron ``rows`` (a vertex attains it: the box on the
    parameters and δ ≤ 1 make it pointed and bounded in δ); −1 when it is empty."""
    size = len(rows[0][0])
    best: Any = Fraction(-1)
    for chosen in itertools.combinations(rows, size):
        solution = _solve([c for c, _ in chosen], [-k for _, k in chosen])
        if solution is None:
            continue
        if all(sum((c * v for c, v in zip(coefficients, solution, strict=True)), constant) >= 0
               for coefficients, constant in rows):  # fmt: skip
            best = max(best, solution[-1])
    return best



def check_multiclass_responsiveness(result: Any, gam: Any) -> bool:
    """Every score, |R_j|, count and ``fixed`` of a multiclass result re-counted."""
    model = _bound(result, gam, "responsiveness")
    if model is None:
        return False
    x, target = result.instance, result.certificate.target
    recount = _recount(model, x, result.actions, target)
    plain = [(m, t, h, None, None) for m, t, h, _, _ in recount]  # no best move, no labels
    if not _feature_fields(result, model.scores[0], plain):
        return False
    for members, totals, hits, _vectors, _lines in recount:
        for m, total, hit in zip(members, totals, hits, strict=True):
            truth = _share(total, hit)
            if result.exact_scores[m] is not None:
                if compare(result.exact_scores[m], truth) != 0:
                    return False
                if compare(result.reachable[m], total) or compare(result.reaching[m], hit):
                    return False
            elif result.exact or not _within(result.lower[m], truth, result.upper[m]):
                return False
    if result.fixed is None:
        return bool(result.message) and (result.status != "solved" or _reaches(
            model, x, result.actions, target, recount) is None)  # fmt: skip
    if result.exact and result.message:
        return False
    if result.fixed is not (result.certificate.reaches is False):
        return False
    witness = result.certificate.witness
    if witness is not None:
        return not result.fixed and result.actions.admits(x, list(witness)) and _meets(
            model, target, witness)  # fmt: skip
    return _reaches(model, x, result.actions, target, recount) is (not result.fixed)


def check_multiclass_fixed(result: Any, gam: Any) -> bool:
    """The decision of a multiclass ``is_fixed`` re-derived."""
    model = _bound(result, gam, "fixed")
    if model is None:
        return False
    certificate = result.certificate
    if result.status != "solved":
        return not result.holds and result.witness is None and bool(result.message)
    if result.message or certificate.reaches is not (not result.holds):
        return False
    x, target = result.instance, certificate.target
    if result.witness is not None:
        shown = certificate.witness
        return (not result.holds and shown is not None
                and all(_same(a, b) for a, b in zip(result.witness, shown, strict=True))
                and result.actions.admits(x, list(result.witness))
                and _meets(model, target, result.witness))  # fmt: skip
    recount = _recount(model, x, result.actions, target)
    return _reaches(model, x, result.actions, target, recount) is False
