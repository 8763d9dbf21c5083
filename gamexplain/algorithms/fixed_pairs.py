"""Fixed predictions when pair terms join components: the reachable box as a pairwise model.

When every component of the action set is one feature, R(x) is a box: each actionable
numeric feature ranges over its reachable interval (or run of integers), each finite
feature over its reachable values, every other feature stays. If pair terms join two of
these features the best score over R(x) no longer separates (``thm:fixed-separates``),
but it is the extreme of a pairwise model over a box — the question the reason queries
already solve and certify. :func:`box_model` restricts every feature's domain to its
reachable set and sets the task so that "the target" is a class; then "no point of
R(x) reaches the target" is "keeping nothing fixed (beyond the immutable features)
keeps the prediction of x", decided and certified by
:class:`~gamexplain.algorithms.pairwise.PairOracle` (variable elimination on the pair
cells, dual bounds past its state budget; ``thm:fixed-pair-box``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.pair_cells import pairwise_applies
from gamexplain.algorithms.pairwise import PairOracle, PairWorstCase
from gamexplain.algorithms.worst_case import make_problem
from gamexplain.model.actions import ActionSet
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.substrate.reach import Target, own_range

__all__ = ["box_model", "box_reach"]


def _task(target: Target) -> Classification | None:
    """A classification whose class 1 is exactly the target (None: a level no float is)."""
    level = float(target.level) if isinstance(target.level, Fraction) else None
    if level is None or Fraction(level) != target.level:
        return None
    positive = {">=": ">=", ">": ">", "<=": ">", "<": ">="}[target.sense]
    return Classification(level, positive)  # type: ignore[arg-type]


def box_model(
    gam: Any, x: Sequence[Any], actions: ActionSet, target: Target
) -> tuple[GAM, frozenset[int]] | None:
    """The model on R(x) when R(x) is a box: every domain cut to its reachable set, the
    task's class 1 the target; with the features that cannot move. None when some
    component has several members, a reachable set is not a box side (x outside its
    own range, some but not all of a finite domain) or the target level is no float."""
    task = _task(target)
    if task is None or any(len(c) > 1 for c in actions.components):
        return None
    features, stay = [], set()
    for j, feature in enumerate(gam.features):
        domain = actions.domains[j]
        if isinstance(domain, Finite):
            others = [v for v in domain.values if v != x[j]]
            where = actions.components.index((j,))
            moves = [v for v in others if actions.admits_on(where, x, _moved(x, j, v))]
            if not moves:
                stay.add(j)
            elif len(moves) != len(others):
                return None
            features.append(feature)
            continue
        span = own_range(actions, j, x[j])
        if span is None or span[0] == span[1] == Fraction(x[j]):  # x_j is all it reaches
            stay.add(j)
            features.append(feature)
            continue
        covered = _cover(gam, j, span, Fraction(x[j]))
        if covered is None:
            return None
        low, high = covered
        if isinstance(domain, Integers):
            features.append(_with_domain(feature, Integers(int(low), int(high))))
            continue
        ends = _float_ends(gam, j, low, high)
        if ends is None:
            return None
        features.append(_with_domain(feature, Interval(*ends)))
    return GAM(features, intercept=gam.intercept, task=task, pairs=gam.pairs), frozenset(stay)


def _steps(gam: Any, j: int) -> list[Fraction] | None:
    """The cell edges of a piecewise-constant feature (its breakpoints and its pair
    terms' bin edges), or None when some piece is not constant."""
    shape = gam.features[j].shape
    if not isinstance(shape, Piecewise) or any(len(c) > 1 for c in shape.coefficients):
        return None
    edges = {Fraction(b) for b in shape.breakpoints}
    for pair in gam.pairs:
        if j in pair.features:
            edges.update(Fraction(e) for e in (pair.edges[pair.features.index(j)] or ()))
    return sorted(edges)


def _cover(gam: Any, j: int, span: tuple[Fraction, Fraction],
           here: Fraction) -> tuple[Fraction, Fraction] | None:  # fmt: skip
    """The reachable range widened to hold x_j when x_j lies outside it (a row beyond the
    model's domain): allowed when the feature scores alike from the range's nearest end
    to x_j (at both and at every cell edge between), so every added value scores as that
    reachable end; None otherwise."""
    low, high = span
    if low <= here <= high:
        return span
    walls = _walls(gam, j)
    if walls is None:
        return None
    near = high if here > high else low
    inside = [e for e in walls if min(near, here) < e <= max(near, here)]
    if any(not _same_score(gam, j, e, here) for e in [near, *inside]):
        return None
    return (low, here) if here > high else (here, high)


def _same_score(gam: Any, j: int, a: Any, b: Any) -> bool:
    """Whether feature j's contribution and every pair bin agree at ``a`` and ``b``."""
    feature = gam.features[j]
    if feature.contribution_exact(a) != feature.contribution_exact(b):
        return False
    pairs = [(p, p.features.index(j)) for p in gam.pairs if j in p.features]
    return all(p.bin_of(k, feature, a) == p.bin_of(k, feature, b) for p, k in pairs)


def _walls(gam: Any, j: int) -> list[Fraction] | None:
    """Where a piecewise-constant feature's score may change inside its domain: its
    inner breakpoints and its pair terms' inner bin edges (None: a piece not constant)."""
    if _steps(gam, j) is None:
        return None
    walls = {Fraction(b) for b in gam.features[j].shape.breakpoints[1:-1]}
    for pair in gam.pairs:
        if j in pair.features:
            walls.update(Fraction(e) for e in (pair.edges[pair.features.index(j)] or ())[1:-1])
    return sorted(walls)


def _float_ends(gam: Any, j: int, low: Fraction, high: Fraction) -> tuple[float, float] | None:
    """Float ends of an interval holding exactly the cells [low, high] meets: the ends
    themselves when they are floats; else, for a piecewise-constant feature, the nearest
    floats in the same cells (a cell edge is a float, so one lies within a step). None
    when an end is no float and the feature is not piecewise constant."""
    if Fraction(float(low)) == low and Fraction(float(high)) == high:
        return float(low), float(high)
    edges = _steps(gam, j)
    if edges is None:
        return None
    first = float(low)
    if Fraction(first) < low:
        first = math.nextafter(first, math.inf)
    if Fraction(first) != low and Fraction(first) in edges:  # the next cell starts there
        first = math.nextafter(first, -math.inf)
    last = float(high)
    if Fraction(last) > high:
        last = math.nextafter(last, -math.inf)
    return (first, last) if first <= last else None


def _clamp(point: Sequence[Any], actions: ActionSet, x: Sequence[Any]) -> tuple[Any, ...]:
    """A box point moved back inside each feature's exact reachable range (it lies in
    the same cell, so its score is unchanged)."""
    out = list(point)
    for j, value in enumerate(point):
        if isinstance(actions.domains[j], Interval) and value != x[j]:
            span = own_range(actions, j, x[j])
            if span is not None:
                out[j] = min(max(Fraction(value), span[0]), span[1])
    return tuple(out)


def _moved(x: Sequence[Any], j: int, value: Any) -> list[Any]:
    point = list(x)
    point[j] = value
    return point


def _with_domain(feature: Any, domain: Any) -> Any:
    import dataclasses

    return dataclasses.replace(feature, domain=domain, distribution=None)


def box_reach(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target
) -> tuple[bool, tuple[Any, ...] | None, PairWorstCase | None] | None:
    """Whether R(x) reaches the target, a witness when it does, and the pair worst case
    proving it does not otherwise; None when R(x) is not a box (see :func:`box_model`) or
    a paired feature's shape is no step function (the pair cells need one)."""
    built = box_model(gam, x, actions, target)
    if built is None:
        return None
    box, stay = built
    if pairwise_applies(box, {}) is not None:  # a paired feature is no step function
        return None
    if target.meets(box.score_exact(x)):
        return True, tuple(x), None
    oracle = PairOracle(make_problem(box, x, stay))
    point = oracle.counterexample(())
    if point is not None:
        return True, _clamp(point, actions, x), None
    return False, None, oracle.worst_case(())
