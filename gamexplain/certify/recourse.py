"""Checks of minimum recourse under an action set: the witness re-evaluated, minimality
re-derived.

What is re-derived, without :mod:`gamexplain.algorithms` or the substrate's reach code:

- the witness: reachable (:meth:`~gamexplain.model.actions.ActionSet.admits`, the
  definition), no feature held fixed changed, its score meeting the target by the
  independent evaluator :func:`gamexplain.certify.evaluate.score`, and exactly the
  features the result names changed;
- minimality (a solved run): for every component an upper bound on the best change of
  the score per number of changed members — a separable numeric feature by its supremum
  (infimum) over its reachable range, re-derived by :mod:`gamexplain.certify.
  responsiveness` from the exact pieces; any other component by enumerating the product
  of its members' domain values, each point decided by ``admits`` — then the best total
  per cost by a max-plus sum written here; no cost below the size (any cost, when the
  result says no point reaches) may meet the target. When pair terms join components the
  score does not separate: R(x) is enumerated whole from the domain product, or, when
  the result carries a box proof, R(x) is rebuilt as a pairwise model on its box by
  :mod:`gamexplain.certify.responsiveness` and the proof re-checked there as a minimum
  contrastive reason's (:func:`gamexplain.certify.reasons.no_smaller_contrastive`) or,
  when nothing reaches, as a worst case (:func:`gamexplain.certify.reasons.sufficient`).

Every enumeration is bounded by :data:`~gamexplain.certify.MAX_CHECK_POINTS`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

from gamexplain.certify import check_size
from gamexplain.certify.evaluate import contribution, covering, model_digest, pair_value, score
from gamexplain.certify.numbers import compare
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.certify.reasons import no_smaller_contrastive, sufficient
from gamexplain.certify.responsiveness import (
    _at,
    _box,
    _describe,
    _domain_values,
    _extreme,
    _meets,
    _pieces,
    _range,
    _same,
)
from gamexplain.model.domains import Finite, Integers, Interval

__all__ = ["check_recourse"]


def _labels(result: Any, gam: Any) -> bool:
    certificate = result.certificate
    if certificate.model != model_digest(gam) or len(result.instance) != len(gam.features):
        return False
    if result.target != _describe(certificate.target):
        return False
    if result.exact != (result.status == "solved"):
        return False
    if not isinstance(certificate.fixed, frozenset) or not all(
        isinstance(j, int) and 0 <= j < len(gam.features) for j in certificate.fixed
    ):
        return False
    return provenance_consistent(covering(gam, result.instance), result, ("recourse",))


def _witness_holds(result: Any, gam: Any) -> bool:
    x, witness, actions = result.instance, result.witness, result.actions
    target, fixed = result.certificate.target, result.certificate.fixed
    if witness is None:
        return result.features is None and result.size is None
    if len(witness) != len(x) or result.features is None:
        return False
    changed = tuple(actions.names[j] for j in range(len(x)) if not _same(witness[j], x[j]))
    if changed != tuple(result.features) or result.size != len(changed):
        return False
    if any(not _same(witness[j], x[j]) for j in fixed):
        return False
    return bool(actions.admits(x, list(witness))) and _meets(target, score(gam, witness))


def _separable_bound(gam: Any, x: Sequence[Any], actions: Any, i: int, target: Any) -> Any:
    """The supremum (toward the target) of the change one move of feature i makes, and
    whether it is attained; None when i cannot move."""
    span = _range(actions, i, x[i])
    if span is None:
        return None
    low, high = span
    integers = isinstance(actions.domains[i], Integers)
    pieces = _pieces(gam, x, i, low, high)
    value, attained = _extreme(target, pieces, integers)
    own = contribution(gam, i, x[i]) + sum(
        (pair_value(gam, p, x) for p in gam.pairs if i in p.features), Fraction(0)
    )
    return (value - own, attained)


def _enumerated_bounds(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any,
    fixed: frozenset[int], base: Any,
) -> list[Any]:  # fmt: skip
    """best[c]: the best change over admitted points changing exactly c members (each
    attained)."""
    continuous = [m for m in members if isinstance(actions.domains[m], Interval)]
    if len(continuous) == 1:
        return _gap_bounds(gam, x, actions, members, target, fixed, base, continuous[0])
    if continuous:
        raise ValueError("a component with several continuous members cannot be enumerated")
    choices = [_domain_values(actions.domains[m]) for m in members]
    check_size(math.prod(len(c) for c in choices), "a component of the action set")
    upward = target.sense in (">=", ">")
    best: list[Any] = [None] * (len(members) + 1)
    best[0] = (Fraction(0), True)
    for values in itertools.product(*choices):
        point = list(x)
        for m, v in zip(members, values, strict=True):
            point[m] = v
        changed = [m for m in members if not _same(point[m], x[m])]
        if not changed or any(m in fixed for m in changed) or not actions.admits(x, point):
            continue
        change = score(gam, point) - base
        k = len(changed)
        if best[k] is None or compare(change, best[k][0]) * (1 if upward else -1) > 0:
            best[k] = (change, True)
    return best


def _gap_cuts(actions: Any, x: Sequence[Any], j: int) -> list[Fraction]:
    """Every value of continuous feature j where a test of the definition on j alone can
    flip (no linkage names j): x's value, the domain's and bounds' ends, the step limits
    around x and every if-then constant on j."""
    element, domain, name = actions.features[j], actions.domains[j], actions.names[j]
    here = Fraction(x[j])
    cuts = {here, Fraction(domain.low), Fraction(domain.high)}
    cuts |= {Fraction(b) for b in (element.lb, element.ub) if b is not None}
    cuts |= {here + Fraction(d) for d in (element.step_lb, element.step_ub) if d is not None}
    for c in actions.constraints:
        kind = type(c).__name__
        if kind == "DirectionalLinkage" and name in (c.source, *c.targets):
            raise ValueError("a linkage moves the continuous member")
        if kind == "IfThenConstraint":
            cuts |= {Fraction(side[2]) for side in (c.if_, c.then) if side[0] == name}
    return sorted(v for v in cuts if domain.low <= v <= domain.high)


def _gap_bounds(
    gam: Any, x: Sequence[Any], actions: Any, members: Sequence[int], target: Any,
    fixed: frozenset[int], base: Any, j: int,
) -> list[Any]:  # fmt: skip
    """best[c] for a component whose one continuous member j is cut at its constants:
    per joint value of the other members (their whole domains) and per cut point or
    open gap between cuts, admitted by ``admits`` at the point or the gap's midpoint,
    the supremum of j's contribution there (open ends not attained)."""
    if any(j in p.features for p in gam.pairs):
        raise ValueError("a pair term touches the continuous member")
    others = [m for m in members if m != j]
    choices = [_domain_values(actions.domains[m]) for m in others]
    cuts = _gap_cuts(actions, x, j)
    check_size(math.prod(len(c) for c in choices) * (2 * len(cuts)), "a component")
    upward = target.sense in (">=", ">")
    own = contribution(gam, j, x[j])
    best: list[Any] = [None] * (len(members) + 1)
    best[0] = (Fraction(0), True)
    for values in itertools.product(*choices):
        point = list(x)
        for m, v in zip(others, values, strict=True):
            point[m] = v
        changed = [m for m in others if not _same(point[m], x[m])]
        if any(m in fixed for m in changed):
            continue
        rest = score(gam, point) - base
        cells = [(c, c) for c in cuts] + list(itertools.pairwise(cuts))
        for low, high in cells:
            gap = low != high
            probe = (low + high) / 2
            moved = gap or not _same(low, x[j])
            if (moved and j in fixed) or (not moved and not changed):
                continue
            point[j] = probe
            admitted = actions.admits(x, point)
            point[j] = x[j]
            if not admitted:
                continue
            if gap:
                pieces = _pieces(gam, x, j, low, high)
                pieces = [(a, b, closed and b != high, poly, shift)
                          for a, b, closed, poly, shift in pieces]  # fmt: skip
                value, attained = _extreme(target, pieces, False, open_low=low)
                # both ends open: a piece constant at the supremum attains it inside
                attained = attained or any(
                    compare(_at(poly, (a + b) / 2) + shift, value) == 0
                    for a, b, _, poly, shift in pieces if a < b)  # fmt: skip
            else:
                value, attained = contribution(gam, j, low), True
            change = rest + value - own
            k = len(changed) + int(moved)
            here = best[k]
            side = 1 if here is None else compare(change, here[0]) * (1 if upward else -1)
            if side > 0 or (side == 0 and attained and not here[1]):
                best[k] = (change, attained)
    return best


def _best_by_cost(gam: Any, x: Sequence[Any], actions: Any, target: Any,
                  fixed: frozenset[int]) -> list[Any]:  # fmt: skip
    """Per total cost, the supremum of the score over R(x) and whether every part of it
    is attained (None: no point of that cost)."""
    base = score(gam, x)
    upward = target.sense in (">=", ">")
    totals: list[Any] = [(Fraction(0), True)]
    for members in actions.components:
        m = members[0]
        if len(members) == 1 and not isinstance(actions.domains[m], Finite):
            bound = None if m in fixed else _separable_bound(gam, x, actions, m, target)
            menu = [(Fraction(0), True), bound]
        else:
            menu = _enumerated_bounds(gam, x, actions, members, target, fixed, base)
        merged: list[Any] = [None] * (len(totals) + len(menu) - 1)
        for a, left in enumerate(totals):
            for b, right in enumerate(menu):
                if left is None or right is None:
                    continue
                total, attained = left[0] + right[0], left[1] and right[1]
                here = merged[a + b]
                side = 1 if here is None else compare(total, here[0]) * (1 if upward else -1)
                if side > 0 or (side == 0 and attained):
                    merged[a + b] = (total, attained)
        totals = merged
    return [None if t is None else (base + t[0], t[1]) for t in totals]


def _attainable(target: Any, supremum: Any) -> bool:
    """Whether some point meets the target below the supremum (value, attained)."""
    value, attained = supremum
    side = compare(value, target.level) * (1 if target.sense in (">=", ">") else -1)
    return side > 0 or (side == 0 and attained and target.sense in (">=", "<="))


def _joined(gam: Any, actions: Any) -> bool:
    where = {m: k for k, c in enumerate(actions.components) for m in c}
    return any(where[p.features[0]] != where[p.features[1]] for p in gam.pairs)


def _box_none_cheaper(gam: Any, x: Sequence[Any], actions: Any, target: Any,
                      fixed: frozenset[int], below: int, proof: Any) -> bool:  # fmt: skip
    """Whether ``proof`` shows, on the box model of R(x) rebuilt here, that no point
    changing fewer than ``below`` features meets the target (``below`` past the feature
    count: that none does)."""
    if type(proof).__name__ != "BoxProof":
        return False
    built = _box(gam, x, actions, target)
    if built is None or _meets(target, score(gam, x)):
        return False
    box, stay = built
    held = frozenset(stay) | fixed
    if frozenset(proof.held) != held:
        return False
    if below > len(gam.features):
        return proof.holds is not None and sufficient(box, x, held, proof.holds)
    if proof.holds is not None:
        return False
    record = SimpleNamespace(size_proof=proof.size_proof, cores=tuple(proof.cores))
    return no_smaller_contrastive(box, x, held, below, record)


def _none_cheaper(gam: Any, x: Sequence[Any], actions: Any, target: Any,
                  fixed: frozenset[int], below: int, proof: Any = None) -> bool:  # fmt: skip
    """Whether no point of R(x) changing fewer than ``below`` features meets the target."""
    if below == 0:
        return True
    if proof is not None:
        return _joined(gam, actions) and _box_none_cheaper(gam, x, actions, target, fixed,
                                                           below, proof)  # fmt: skip
    if not _joined(gam, actions):
        scores = _best_by_cost(gam, x, actions, target, fixed)
        return not any(s is not None and _attainable(target, s) for s in scores[:below])
    return enumerated_none_cheaper(x, actions, fixed, below,
                                   lambda point: _meets(target, score(gam, point)))  # fmt: skip


def enumerated_none_cheaper(x: Sequence[Any], actions: Any, fixed: frozenset[int], below: int,
                            meets: Callable[[tuple[Any, ...]], bool]) -> bool:  # fmt: skip
    """Whether no admitted point of a discrete R(x), changing fewer than ``below``
    features and none of ``fixed``, ``meets`` the target, by enumerating the product of
    the domains; False (not shown) when a domain is continuous."""
    if any(isinstance(d, Interval) for d in actions.domains):
        return False
    values = [_domain_values(d) for d in actions.domains]
    check_size(math.prod(len(v) for v in values), "the reachable set of the action set")
    for point in itertools.product(*values):
        changed = [j for j in range(len(x)) if not _same(point[j], x[j])]
        if len(changed) >= below or any(j in fixed for j in changed):
            continue
        if actions.admits(x, list(point)) and meets(point):
            return False
    return True


def check_recourse(result: Any, gam: Any) -> bool:
    """Whether the witness of ``result`` is reachable, keeps the fixed features and meets
    the target exactly, and (a solved run) no cheaper point of R(x) does."""
    if not _labels(result, gam):
        return False
    model = covering(gam, result.instance)
    if not _witness_holds(result, model):
        return False
    if result.status != "solved":
        return bool(result.message)
    if result.message:
        return False
    below = len(gam.features) + 1 if result.size is None else result.size
    certificate = result.certificate
    return _none_cheaper(model, result.instance, result.actions, certificate.target,
                         certificate.fixed, below, certificate.box)  # fmt: skip
