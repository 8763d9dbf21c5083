"""Feature redundancy by dynamic programming over the achievable partial sums.

Feature i of an additive classifier is redundant iff no achievable sum of the other
contributions lands in the critical window (THEORY §3). The sums are built feature by
feature as an exact union of *atoms*: distinct rational values (finite domains, integer
ranges, step pieces) and intervals with open or closed ends (the image of a non-constant
polynomial piece on a real interval). Nothing is rounded, so the answer is exact; the
price is the number of distinct sums, which ``max_states`` bounds (subset sum hides in
it, so it can grow exponentially with the number of features), and the wall clock,
which ``time_limit`` bounds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.redundancy import (
    Atom,
    BudgetExceeded,
    Outcome,
    RedundancyProof,
    Span,
    additive_applies,
    critical_window,
    feature_atoms,
    feature_range,
    merge_spans,
    witness_from_atoms,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.model.task import Classification

__all__ = ["DEFAULT_MAX_STATES", "fr_partial_sums", "partial_sums_applies"]

DEFAULT_MAX_STATES = 100_000
"""Default bound on the atoms (distinct sums and intervals of sums) a layer may hold."""

_WORK_FACTOR = 64

_CLOCK_STRIDE = 512
"""Additions between two looks at the clock."""


class _TimeUp(Exception):
    """The time limit passed while the sums were being built."""


def _check(deadline: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise _TimeUp


@dataclass(frozen=True)
class _Layer:
    """The achievable sums after some features: exact points and disjoint spans."""

    points: frozenset[Fraction]
    spans: tuple[Span, ...]

    @property
    def size(self) -> int:
        return len(self.points) + len(self.spans)


def partial_sums_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when the model is additive and every feature's image fits the budget."""
    reason = additive_applies(gam, options)
    if reason is not None:
        return reason
    if not isinstance(gam.task, Classification):
        return "it decides classification; regression goes to the range test"
    limit = options.get("max_states", DEFAULT_MAX_STATES)
    try:
        for j, feature in enumerate(gam.features):
            feature_atoms(feature, j, limit)
    except BudgetExceeded as exc:
        return str(exc)
    return None


@register_algorithm(
    "fr",
    "partial-sums",
    summary="exact dynamic programming over the others' achievable sums; "
    "O(n·K·m) for K distinct sums and m atoms per feature",
    theorem="thm:fr-partial-sums",
    priority=20,
    solves=lambda cell: cell.task == "classification",
    applies=partial_sums_applies,
    fallback_on=("budget_exhausted",),
)
def fr_partial_sums(
    gam: Any,
    feature: int,
    *,
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    **options: Any,
) -> Outcome:
    """Classification FR by the exact set of achievable sums of the other features.

    Returns status ``"budget_exhausted"`` (not an answer) when a layer would hold more
    than ``max_states`` atoms, and ``"time_limit"`` (not an answer either) when
    ``time_limit`` seconds pass first; the clock is read every few hundred additions.

    Notes
    -----
    First the cheap tests: an empty window, or a box of per-feature ranges that misses
    it. Then layer k holds every sum of the first k other features, as distinct points
    and merged intervals; with K atoms per layer and m per feature a layer costs
    O(K·m) exact additions plus a sort. Pseudo-polynomial when contributions are
    integers of bounded size (K ≤ the range of sums); exponential in the worst case, as
    FR is coNP-complete (thm:fr-partial-sums, thm:fr-conp). A witness is traced back
    through the layers to one atom per feature.
    """
    ranges = tuple(feature_range(f) for f in gam.features)
    window = critical_window(gam, feature)
    if window is None or _box(ranges, feature).meet(window) is None:
        return Outcome(True, RedundancyProof("ranges", window, ranges), work={"dp_states": 0})
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    layers: list[_Layer] = []
    try:
        atoms = [
            feature_atoms(f, j, max_states) for j, f in enumerate(gam.features) if j != feature
        ]
        _sweep(layers, atoms, max_states, deadline)
        states = max(layer.size for layer in layers)
        hit = _meet_layer(layers[-1], window)
        if hit is None:
            proof = RedundancyProof("reachable-sums", window, ranges)
            return Outcome(True, proof, work={"dp_states": states})
        chosen = _trace_back(layers, atoms, hit, deadline)
    except BudgetExceeded as exc:
        return Outcome(False, None, "budget_exhausted", str(exc), {"dp_states": max_states})
    except _TimeUp:
        built = max((layer.size for layer in layers), default=0)
        message = (
            f"the partial sums ran out of time ({time_limit:.3g} s) after {len(layers)} of "
            f"{gam.n_features} layers"
        )
        return Outcome(False, None, "time_limit", message, {"dp_states": built})
    witness = witness_from_atoms(gam, feature, chosen, window)
    return Outcome(False, witness, work={"dp_states": states})


def _box(ranges: Sequence[Span], feature: int) -> Span:
    total = Span.point(Fraction(0))
    for j, span in enumerate(ranges):
        if j != feature:
            total = total + span
    return total


def _sweep(
    layers: list[_Layer],
    atoms: Sequence[Sequence[Atom]],
    max_states: int,
    deadline: float | None,
) -> None:
    """Append to ``layers`` the sums of the first k features, k = 0, 1, …"""
    layers.append(_Layer(frozenset({Fraction(0)}), ()))
    for group in atoms:
        layers.append(_step(layers[-1], group, max_states, deadline))


def _step(layer: _Layer, group: Sequence[Atom], max_states: int, deadline: float | None) -> _Layer:
    values = [a.span.low for a in group if a.span.is_point]
    images = [a.span for a in group if not a.span.is_point]
    if layer.size * len(group) > _WORK_FACTOR * max_states:
        raise BudgetExceeded(
            f"the next layer of partial sums needs {layer.size * len(group)} additions, "
            f"more than {_WORK_FACTOR} × max_states = {_WORK_FACTOR * max_states}"
        )
    sums: set[Fraction] = set()
    stride = max(1, _CLOCK_STRIDE // max(1, len(values)))
    for k, p in enumerate(layer.points):
        if k % stride == 0:
            _check(deadline)
        sums.update(p + q for q in values)
    _check(deadline)
    spans = merge_spans(
        [s.shift(q) for s in layer.spans for q in values]
        + [image.shift(p) for image in images for p in layer.points]
        + [s + image for s in layer.spans for image in images]
    )
    result = _Layer(frozenset(sums), tuple(spans))
    if result.size > max_states:
        raise BudgetExceeded(
            f"the partial sums reached {result.size} atoms, more than max_states = {max_states}"
        )
    return result


def _meet_layer(layer: _Layer, span: Span) -> Span | None:
    """Some non-empty part of ``span`` inside the layer, or None when they are disjoint."""
    if span.is_point and span.low in layer.points:
        return span
    for p in layer.points:
        if span.contains(p):
            return Span.point(p)
    for s in layer.spans:
        common = s.meet(span)
        if common is not None:
            return common
    return None


def _trace_back(
    layers: Sequence[_Layer], atoms: Sequence[Sequence[Atom]], target: Span, deadline: float | None
) -> list[Atom]:
    """One atom per feature whose sum meets ``target`` (a part of the last layer).

    Going down, keep a non-empty target inside layer k; some atom of feature k and some
    element of layer k − 1 reach it, and their difference is the next target. At
    layer 0 the target holds 0, so the chosen atoms' sum meets the first target.
    """
    chosen: list[Atom] = []
    for k in range(len(atoms), 0, -1):
        for atom in atoms[k - 1]:
            _check(deadline)
            found = _meet_layer(layers[k - 1], target + atom.span.negated())
            if found is not None:
                chosen.append(atom)
                target = found
                break
        else:
            raise RuntimeError("the partial-sum layers are inconsistent")
    return chosen[::-1]
