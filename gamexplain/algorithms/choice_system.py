"""Multiple-choice linear systems by Lagrangian branch and bound.

Pick one option per group so that every entry of b + Σ_g v_g,pick(g) is > 0 (strict)
or ≥ 0: the form of the multiclass questions that need several class comparisons at one
point (:mod:`gamexplain.algorithms.multiclass_choice`). With one constraint this is the
binary worst case (a maximum per group); with two or more it contains PARTITION, so the
search is exponential in the worst case.

Each node of the search solves the Lagrangian dual in floats (an LP, SciPy's HiGHS):
multipliers λ on the simplex minimising Σ_k λ_k b_k + Σ_g max_o λ·v_go. The multipliers
are then rounded to rationals and the bound re-computed exactly; a negative bound refutes
the node (a :class:`~gamexplain.certify.choice.Refuted` leaf), and so does a zero bound
when some weighed constraint is strict. Otherwise the node tries
two picks (the Lagrangian maximiser and the rounded LP primal) in exact arithmetic and
splits the most fractional group's options in two. Floats only steer the search: every
leaf and every feasible pick is decided exactly, and a node whose options are single is
refuted by one violated constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify.choice import Node, Refuted, Split
from gamexplain.substrate import deadline

__all__ = ["ChoiceSystem", "Exhausted", "solve"]

Vector = tuple[Fraction, ...]


class Exhausted(Exception):
    """The search visited ``max_nodes`` nodes without an answer."""


@dataclass(frozen=True)
class ChoiceSystem:
    """Groups of options (each a value and its exact vector), a constant, the strictness
    of each constraint, and multipliers the question suggests (tried before the LP)."""

    groups: tuple[tuple[tuple[Any, Vector], ...], ...]
    constant: Vector
    strict: tuple[bool, ...]
    hints: tuple[Vector, ...] = ()
    floats: list[Any] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.floats.extend(
            np.array([[float(c) for c in vec] for _, vec in group], dtype=float).reshape(
                len(group), len(self.constant)
            )
            for group in self.groups
        )


class _Found(Exception):
    def __init__(self, pick: tuple[int, ...]) -> None:
        self.pick = pick


def solve(
    system: ChoiceSystem, max_nodes: int = 100_000, counts: dict[str, int] | None = None
) -> tuple[tuple[Any, ...] | None, Node | None]:
    """A feasible pick (one value per group) and None, or None and a refutation tree.

    Raises
    ------
    Exhausted
        Past ``max_nodes`` nodes.
    OutOfTime
        Past the current deadline (:mod:`gamexplain.substrate.deadline`).
    """
    counts = {} if counts is None else counts
    allowed = tuple(tuple(range(len(g))) for g in system.groups)
    try:
        tree = _node(system, allowed, counts, max_nodes)
    except _Found as found:
        return tuple(system.groups[g][o][0] for g, o in enumerate(found.pick)), None
    return None, tree


def _node(
    system: ChoiceSystem, allowed: tuple[tuple[int, ...], ...], counts: dict[str, int],
    max_nodes: int,
) -> Node:  # fmt: skip
    deadline.check()
    counts["nodes"] = counts.get("nodes", 0) + 1
    if counts["nodes"] > max_nodes:
        raise Exhausted
    if any(not a for a in allowed):
        return Refuted(tuple(Fraction(1) for _ in system.constant))
    if all(len(a) == 1 for a in allowed):
        return _point(system, tuple(a[0] for a in allowed))
    for hint in system.hints:  # multipliers the question suggests, tried exactly first
        if _bound_refutes(system, allowed, hint):
            return Refuted(hint)
    lam, primal = _dual(system, allowed)
    if lam is not None and _bound_refutes(system, allowed, lam):
        return Refuted(lam)
    for pick in _picks(system, allowed, lam, primal):
        if _feasible(system, pick):
            raise _Found(pick)
    g, parts = _branch(system, allowed, lam, primal)
    children = []
    for part in parts:
        narrowed = tuple(part if h == g else a for h, a in enumerate(allowed))
        children.append((tuple(system.groups[g][o][0] for o in part),
                         _node(system, narrowed, counts, max_nodes)))  # fmt: skip
    return Split(g, tuple(children))


def _total(system: ChoiceSystem, pick: Sequence[int]) -> list[Fraction]:
    total = list(system.constant)
    for g, o in enumerate(pick):
        for k, v in enumerate(system.groups[g][o][1]):
            total[k] += v
    return total


def _violated(system: ChoiceSystem, total: Sequence[Fraction]) -> int | None:
    for k, value in enumerate(total):
        if value < 0 or (value == 0 and system.strict[k]):
            return k
    return None


def _feasible(system: ChoiceSystem, pick: Sequence[int]) -> bool:
    return _violated(system, _total(system, pick)) is None


def _point(system: ChoiceSystem, pick: tuple[int, ...]) -> Node:
    k = _violated(system, _total(system, pick))
    if k is None:
        raise _Found(pick)
    return Refuted(tuple(Fraction(int(j == k)) for j in range(len(system.constant))))


def _weighed(system: ChoiceSystem, g: int, options: Sequence[int], lam: Vector) -> np.ndarray:
    """The λ-weighed sums of a group's options in floats (for steering only)."""
    return system.floats[g][list(options)] @ np.array([float(w) for w in lam])


def _exact(system: ChoiceSystem, g: int, o: int, lam: Vector) -> Fraction:
    return sum((w * v for w, v in zip(lam, system.groups[g][o][1], strict=True)), Fraction(0))


def _group_max(system: ChoiceSystem, g: int, options: Sequence[int], lam: Vector) -> Fraction:
    """The exact maximum of the λ-weighed sums over ``options``: taken over the options
    whose float sum lies within a margin of the float maximum, a margin far above the
    rounding of the float sums (at most (m + 2)·2⁻⁵³ of Σ_k |λ_k·v_k|), so the exact
    maximiser is among them."""
    floats = system.floats[g][list(options)]
    lam_f = np.array([float(w) for w in lam])
    values = floats @ lam_f
    margin = 1e-9 * (1.0 + np.abs(floats) @ np.abs(lam_f))
    top = float(np.max(values))
    near = [o for o, v, e in zip(options, values, margin, strict=True) if v >= top - 2 * e]
    return max(_exact(system, g, o, lam) for o in near)


def _bound_refutes(
    system: ChoiceSystem, allowed: tuple[tuple[int, ...], ...], lam: Vector
) -> bool:
    total = sum((w * b for w, b in zip(lam, system.constant, strict=True)), Fraction(0))
    for g, options in enumerate(allowed):
        total += _group_max(system, g, options, lam)
    if total < 0:
        return True
    return total == 0 and any(system.strict[k] for k, w in enumerate(lam) if w > 0)


def _dual(
    system: ChoiceSystem, allowed: tuple[tuple[int, ...], ...]
) -> tuple[Vector | None, list[np.ndarray] | None]:
    """Rational multipliers near the Lagrangian dual's optimum, and the LP's primal
    weights per group (the duals of the option rows); None when the LP fails."""
    from scipy.optimize import linprog

    m = len(system.constant)
    multi = [g for g, a in enumerate(allowed) if len(a) > 1]
    cost = np.array([float(b) for b in system.constant], dtype=float)
    for g, a in enumerate(allowed):
        if len(a) == 1:
            cost += system.floats[g][a[0]]
    rows = []
    for slot, g in enumerate(multi):
        block = system.floats[g][list(allowed[g])]
        t = np.zeros((len(block), len(multi)))
        t[:, slot] = -1.0
        rows.append(np.hstack([block, t]))
    a_ub = np.vstack(rows)
    c = np.concatenate([cost, np.ones(len(multi))])
    a_eq = np.concatenate([np.ones(m), np.zeros(len(multi))])[None, :]
    bounds = [(0, None)] * m + [(None, None)] * len(multi)
    found = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=a_eq, b_eq=[1.0],
                    bounds=bounds, method="highs")  # fmt: skip
    if found.status != 0:
        return None, None
    lam = tuple(max(Fraction(float(v)).limit_denominator(10**9), Fraction(0)) for v in found.x[:m])
    weights = -np.asarray(found.ineqlin.marginals)
    primal, start = [], 0
    for g in range(len(allowed)):
        if len(allowed[g]) > 1:
            primal.append(weights[start:start + len(allowed[g])])
            start += len(allowed[g])
        else:
            primal.append(np.ones(1))
    return (lam if any(lam) else None), primal


def _picks(
    system: ChoiceSystem, allowed: tuple[tuple[int, ...], ...], lam: Vector | None,
    primal: list[np.ndarray] | None,
) -> list[tuple[int, ...]]:  # fmt: skip
    picks = []
    if primal is not None:
        picks.append(tuple(a[int(np.argmax(w))] for a, w in zip(allowed, primal, strict=True)))
    if lam is not None:
        picks.append(tuple(a[int(np.argmax(_weighed(system, g, a, lam)))]
                           for g, a in enumerate(allowed)))  # fmt: skip
    return picks


def _branch(
    system: ChoiceSystem, allowed: tuple[tuple[int, ...], ...], lam: Vector | None,
    primal: list[np.ndarray] | None,
) -> tuple[int, list[tuple[int, ...]]]:  # fmt: skip
    """The group to split (the most fractional in the LP, else the one with most options)
    and its two halves, the options the λ-weighed sum ranks highest first."""
    multi = [g for g, a in enumerate(allowed) if len(a) > 1]
    if primal is not None:
        g = max(multi, key=lambda h: (1.0 - float(np.max(primal[h])), len(allowed[h])))
    else:
        g = max(multi, key=lambda h: len(allowed[h]))
    options = list(allowed[g])
    if lam is not None:
        values = _weighed(system, g, options, lam)
        options = [options[r] for r in np.argsort(-values, kind="stable")]
    half = len(options) // 2
    return g, [tuple(options[:half]), tuple(options[half:])]
