"""Exact feasibility of small systems of strict and non-strict linear inequalities.

A system of inequalities ``a · s + c > 0`` (strict) or ``a · s + c ≥ 0`` over rational
variables is decided by Fourier–Motzkin elimination in :class:`fractions.Fraction`
arithmetic (Fourier 1827; Motzkin 1936 for the strict case): eliminating a variable
combines every inequality bounding it from below with every one bounding it from above,
and the combination is strict when either part is. The system is feasible exactly when
the constant inequalities left at the end hold; a rational point is then found by back
substitution, each variable taken strictly inside (or on a non-strict end of) the bounds
the earlier variables leave it.

Used where a few continuous parameters must satisfy a few linear conditions at once —
the parameters of the linear pieces of separable features whose class-score changes must
make one class of a multiclass model win
(:mod:`gamexplain.algorithms.multiclass_responsiveness`). No float is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["Inequality", "choose_value", "feasible_point"]


@dataclass(frozen=True)
class Inequality:
    """``coefficients · s + constant > 0`` when ``strict``, ``≥ 0`` otherwise."""

    coefficients: tuple[Fraction, ...]
    constant: Fraction
    strict: bool

    def holds(self, point: Sequence[Fraction]) -> bool:
        value = self.constant + sum((a * s for a, s in zip(self.coefficients, point, strict=True)),
                                    Fraction(0))  # fmt: skip
        return value > 0 if self.strict else value >= 0


def _tightest(system: Sequence[Inequality]) -> list[Inequality]:
    """One inequality per direction (scaled so the first non-zero coefficient is ±1),
    the tightest: the least constant, strict on a tie."""
    kept: dict[tuple[Fraction, ...], Inequality] = {}
    for ineq in system:
        lead = next((abs(a) for a in ineq.coefficients if a != 0), Fraction(1))
        scaled = Inequality(tuple(a / lead for a in ineq.coefficients), ineq.constant / lead,
                            ineq.strict)  # fmt: skip
        old = kept.get(scaled.coefficients)
        if old is None or (scaled.constant, not scaled.strict) < (old.constant, not old.strict):
            kept[scaled.coefficients] = scaled
    return list(kept.values())


def _combine(low: Inequality, high: Inequality, k: int) -> Inequality:
    """The inequality without variable k implied by a lower (``low``, coefficient > 0)
    and an upper (``high``, coefficient < 0) bound on it."""
    p, q = low.coefficients[k], -high.coefficients[k]
    coefficients = tuple(q * a + p * b for a, b in zip(low.coefficients, high.coefficients,
                                                       strict=True))  # fmt: skip
    return Inequality(coefficients, q * low.constant + p * high.constant,
                      low.strict or high.strict)  # fmt: skip


def choose_value(k: int, lows: Sequence[Any], highs: Sequence[Any],
                 point: Sequence[Fraction]) -> Fraction:  # fmt: skip
    """A value of variable k meeting its bounds, variables before k at ``point``: the
    back-substitution step of Fourier–Motzkin elimination. ``lows`` and ``highs`` are
    rows with ``coefficients``, ``constant`` and ``strict`` (an :class:`Inequality` or a
    caller's row that also tracks multipliers) whose coefficient of k is > 0 and < 0."""

    def bound(ineq: Any) -> Fraction:
        rest = ineq.constant + sum((a * s for a, s in zip(ineq.coefficients[:k], point[:k],
                                                          strict=True)), Fraction(0))  # fmt: skip
        return -rest / ineq.coefficients[k]

    low = max(((bound(i), i.strict) for i in lows), default=None)
    high = min(((bound(i), not i.strict) for i in highs), default=None)
    if low is None and high is None:
        return Fraction(0)
    if high is None:
        return low[0] + 1 if low[1] else low[0]  # type: ignore[index]
    if low is None:
        return high[0] - 1 if not high[1] else high[0]
    return low[0] if low[0] == high[0] else (low[0] + high[0]) / 2


def feasible_point(system: Sequence[Inequality], n: int) -> tuple[Fraction, ...] | None:
    """A rational point of R^n meeting every inequality of ``system``, or None when none
    does.

    Notes
    -----
    Fourier–Motzkin elimination, exact: each step combines lower with upper bounds of
    one variable, so m inequalities may grow to (m/2)^(2^n) in the worst case; meant for
    a handful of variables (one per linear piece chosen) and of inequalities.
    """
    stages: list[tuple[list[Inequality], list[Inequality]]] = []
    current = _tightest(system)
    for k in reversed(range(n)):
        lows = [i for i in current if i.coefficients[k] > 0]
        highs = [i for i in current if i.coefficients[k] < 0]
        rest = [i for i in current if i.coefficients[k] == 0]
        stages.append((lows, highs))
        current = _tightest(rest + [_combine(a, b, k) for a in lows for b in highs])
        if any(not any(i.coefficients) and not i.holds((Fraction(0),) * n) for i in current):
            return None
        current = [i for i in current if any(i.coefficients)]
    point = [Fraction(0)] * n
    for k, (lows, highs) in zip(range(n), reversed(stages), strict=True):
        point[k] = choose_value(k, lows, highs, point)
    return tuple(point)
