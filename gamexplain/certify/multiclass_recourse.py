"""Checks of minimum recourse toward a class of a multiclass model.

Re-derived without :mod:`gamexplain.algorithms`, the rival models or the substrate's
reach code:

- the witness: reachable (:meth:`~gamexplain.model.actions.ActionSet.admits`), no
  feature held fixed changed, exactly the features named changed, and its exact argmax
  (:func:`gamexplain.certify.multiclass.class_of`, ties to the lowest index) the target;
- minimality (a solved run): every component's vectors of K class-score changes per
  number of changed members — a separable numeric feature at the ends and midpoints of
  the cells of the classes' pieces (the check's own piece walk,
  :func:`gamexplain.certify.responsiveness._pieces`; every integer of the range where a
  piece is not constant), any other component over the product of its members' domain
  values, its one continuous member (if any) at every constant the definition names on
  it and at the ends and midpoints of the classes' pieces between two of them — each
  vector from the independent evaluator; then, per question (toward class
  t all K − 1 margins at once; negated, each rival r beating the prediction alone) the
  sums over components by cost under a plain dominance filter, and no cost below the
  size may meet the question. Pair terms across components: R(x) is enumerated whole.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from gamexplain.certify import check_size
from gamexplain.certify.evaluate import contribution, pair_value, score
from gamexplain.certify.multiclass import class_of, digest
from gamexplain.certify.numbers import compare
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.certify.recourse import _gap_cuts, enumerated_none_cheaper
from gamexplain.certify.responsiveness import _domain_values, _pieces, _range, _same
from gamexplain.model.domains import Finite, Integers, Interval

__all__ = ["check_class_recourse"]


def _text(gam: Any, target: Any) -> str:
    label = gam.classes[target.wins]
    return f"a class other than {label}" if target.negate else f"class {label}"


def _labels(result: Any, gam: Any) -> Any:
    """The model widened to hold x when the shown labels hold, else None."""
    certificate = result.certificate
    target = certificate.target
    if certificate.model != digest(gam) or len(result.instance) != gam.n_features:
        return None
    if type(target).__name__ != "ClassTarget" or not 0 <= target.wins < gam.n_classes:
        return None
    if result.target != _text(gam, target) or result.exact != (result.status == "solved"):
        return None
    if certificate.box is not None or not isinstance(certificate.fixed, frozenset):
        return None
    if not all(isinstance(j, int) and 0 <= j < gam.n_features for j in certificate.fixed):
        return None
    model = gam.covering(tuple(result.instance))
    if target.negate and class_of(model, result.instance) != target.wins:
        return None
    return model if provenance_consistent(model, result, ("recourse",)) else None


def _meets(gam: Any, target: Any, point: Sequence[Any]) -> bool:
    return (class_of(gam, point) == target.wins) != target.negate


def _witness_holds(result: Any, gam: Any) -> bool:
    x, witness, actions = result.instance, result.witness, result.actions
    if witness is None:
        return result.features is None and result.size is None
    if len(witness) != len(x) or result.features is None:
        return False
    changed = tuple(actions.names[j] for j in range(len(x)) if not _same(witness[j], x[j]))
    if changed != tuple(result.features) or result.size != len(changed):
        return False
    if any(not _same(witness[j], x[j]) for j in result.certificate.fixed):
        return False
    return bool(actions.admits(x, list(witness))) and _meets(gam, result.certificate.target,
                                                             witness)  # fmt: skip


def _candidates(gam: Any, x: Sequence[Any], i: int, low: Fraction, high: Fraction) -> list[Any]:
    """Values of feature i meeting every cell of every class's pieces on [low, high]."""
    integers = isinstance(gam.scores[0].features[i].domain, Integers)
    if low == high:
        return [int(low) if integers else low]
    ends: set[Fraction] = {low, high}
    for model in gam.scores:
        for a, b, _closed, poly, _shift in _pieces(model, x, i, low, high):
            if not poly.is_zero and poly.degree() >= 1:
                if not integers:
                    raise ValueError("a non-constant piece on a continuous range")
                check_size(int(high - low) + 1, "an integer range")
                return list(range(int(low), int(high) + 1))
            ends.update((Fraction(a), Fraction(b)))
    ordered = sorted(ends)
    if integers:
        inner = {a + 1 for a, b in itertools.pairwise(ordered) if b - a > 1}
        return [int(v) for v in sorted(set(ordered) | inner)]
    return sorted(set(ordered) | {(a + b) / 2 for a, b in itertools.pairwise(ordered)})


def _vectors(gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int],
             fixed: frozenset[int]) -> list[list[tuple[Any, ...]]]:  # fmt: skip
    """Per cost, every vector of class-score changes of the component's admitted points."""
    base = [_own(m, x, members) for m in gam.scores]
    out: list[list[tuple[Any, ...]]] = [[tuple(Fraction(0) for _ in base)]]
    out += [[] for _ in members]
    i = members[0]
    if len(members) == 1 and not isinstance(actions.domains[i], Finite):
        span = None if i in fixed else _range(actions, i, x[i])
        choices = [[]] if span is None else [_candidates(gam, x, i, *span)]
    else:
        choices = [_member_values(gam, x, actions, members, m) for m in members]
        check_size(math.prod(len(c) for c in choices), "a component of the action set")
    for values in itertools.product(*choices):
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        changed = [m for m in members if not _same(point[m], x[m])]
        if not changed or any(m in fixed for m in changed) or not actions.admits(x, point):
            continue
        out[len(changed)].append(tuple(_own(m, point, members) - b
                                       for m, b in zip(gam.scores, base, strict=True)))  # fmt: skip
    return out


def _member_values(gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int],
                   m: int) -> list[Any]:  # fmt: skip
    """A discrete member's domain; the one continuous member's cut points (every
    constant a test of the definition on it names, :func:`_gap_cuts`) and, between two
    cuts, the ends and midpoints of the classes' pieces strictly inside: admission and
    every class's contribution are constant between consecutive ones."""
    if not isinstance(actions.domains[m], Interval):
        return list(_domain_values(actions.domains[m]))
    if sum(isinstance(actions.domains[k], Interval) for k in members) > 1:
        raise ValueError("a component with several continuous members cannot be enumerated")
    if any(m in p.features for model in gam.scores for p in model.pairs):
        raise ValueError("a pair term touches the continuous member")
    cuts = _gap_cuts(actions, x, m)
    inside = {v for a, b in itertools.pairwise(cuts) for v in _candidates(gam, x, m, a, b)
              if a < v < b}  # fmt: skip
    return sorted(set(cuts) | inside)


def _own(model: Any, point: Sequence[Any], members: Sequence[int]) -> Any:
    """The members' contributions and the pair terms touching them: all of a class score
    that a move of the component changes (no pair term leaves a component here)."""
    total = sum((contribution(model, m, point[m]) for m in members), Fraction(0))
    touching = [p for p in model.pairs if set(p.features) & set(members)]
    return total + sum((pair_value(model, p, point) for p in touching), Fraction(0))


def _keep_best(vectors: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Drop every vector another one is at least in every coordinate (one of equals):
    in decreasing lexicographic order a vector can only be covered by one before it."""
    kept: list[tuple[Any, ...]] = []
    for v in sorted(set(vectors), reverse=True):
        if not any(all(compare(a, b) >= 0 for a, b in zip(k, v, strict=True)) for k in kept):
            kept.append(v)
    return kept


def _question_reached(gam: Any, x: Sequence[Any], wins: int, rivals: Sequence[int],
                      beaten: bool, menus: list[Any], below: int) -> bool:  # fmt: skip
    """Whether some cost below ``below`` meets the question: with ``beaten`` the one
    rival beats ``wins``; else ``wins`` beats every rival."""
    base = [score(m, x) for m in gam.scores]

    def project(v: tuple[Any, ...]) -> tuple[Any, ...]:
        sign = -1 if beaten else 1
        return tuple(sign * (v[wins] - v[r]) for r in rivals)

    sums: list[list[tuple[Any, ...]]] = [[tuple(Fraction(0) for _ in rivals)]]
    for menu in menus:
        grown: list[list[tuple[Any, ...]]] = [[] for _ in range(len(sums) + len(menu) - 1)]
        for a, left in enumerate(sums):
            for b, vectors in enumerate(menu):
                if a + b < below:  # costs from ``below`` on need no check
                    grown[a + b] += [tuple(u + w for u, w in zip(s, project(v), strict=True))
                                     for s in left for v in vectors]  # fmt: skip
        sums = [_keep_best(g) for g in grown]
        check_size(sum(len(s) for s in sums), "the partial sums of the components' changes")
    for found in sums[:below]:
        for s in found:
            margins = [base[wins] - base[r] + (-d if beaten else d)
                       for r, d in zip(rivals, s, strict=True)]  # fmt: skip
            sides = [compare(m, 0) for m in margins]
            if beaten and (sides[0] < 0 or (sides[0] == 0 and rivals[0] < wins)):
                return True
            if not beaten and all(c > 0 or (c == 0 and r > wins)
                                  for c, r in zip(sides, rivals, strict=True)):  # fmt: skip
                return True
    return False


def _joined(gam: Any, actions: Any) -> bool:
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    return any(where[p.features[0]] != where[p.features[1]] for m in gam.scores for p in m.pairs)


def _none_cheaper(gam: Any, x: Sequence[Any], actions: Any, target: Any,
                  fixed: frozenset[int], below: int) -> bool:  # fmt: skip
    if below == 0:
        return True
    if _joined(gam, actions):
        return enumerated_none_cheaper(x, actions, fixed, below,
                                       lambda point: _meets(gam, target, point))  # fmt: skip
    try:
        menus = [_vectors(gam, x, actions, members, fixed) for members in actions.components]
    except ValueError:
        return False
    others = [r for r in range(gam.n_classes) if r != target.wins]
    questions = [[r] for r in others] if target.negate else [others]
    return not any(_question_reached(gam, x, target.wins, rivals, target.negate, menus, below)
                   for rivals in questions)  # fmt: skip


def check_class_recourse(result: Any, gam: Any) -> bool:
    """Whether the witness of a multiclass ``result`` is reachable, keeps the fixed
    features and makes the target class win (or the prediction change), and (a solved
    run) no cheaper point of R(x) does."""
    model = _labels(result, gam)
    if model is None or not _witness_holds(result, model):
        return False
    if result.status != "solved":
        return bool(result.message)
    if result.message:
        return False
    below = gam.n_features + 1 if result.size is None else result.size
    return _none_cheaper(model, result.instance, result.actions, result.certificate.target,
                         result.certificate.fixed, below)  # fmt: skip
