"""Brute force for SHAP, Banzhaf and completion counting: every coalition, every completion.

The slow, obviously correct reference the other algorithms are held against. It
enumerates the product of the domains (weighted by the features' exact marginals), so it
applies only to small finite or integer models; pair terms are no obstacle.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.brute import brute_force_applies
from gamexplain.algorithms.partial_sums import Estimate
from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import point_probabilities
from gamexplain.model.gam import GAM
from gamexplain.model.task import Classification, Regression

__all__ = ["brute_attributions", "brute_completion_fraction", "coalition_weight", "value"]


def coalition_weight(kind: str, n: int, size: int) -> Fraction:
    """The weight of a coalition of ``size`` others in feature i's value (n players)."""
    if kind == "banzhaf":
        return Fraction(1, 2 ** (n - 1))
    return Fraction(math.factorial(size) * math.factorial(n - size - 1), math.factorial(n))


def _output(gam: GAM, output: str) -> Callable[[tuple[Any, ...]], Fraction]:
    task = gam.task
    if output == "label":
        assert isinstance(task, Classification)
        return lambda z: Fraction(task.label_exact(gam.score_exact(z)))
    return lambda z: Fraction(gam.score_exact(z))


class OutOfTime(Exception):
    """Raised inside an enumeration when its deadline has passed."""


def value(
    gam: GAM,
    x: Sequence[Any],
    fixed: frozenset[int],
    function: Callable[[tuple[Any, ...]], Fraction],
    deadline: float | None = None,
) -> Fraction:
    """v(S) = E[F(x_S, Z)]: the exact mean of ``function`` over the completions of x_S.

    Raises :class:`OutOfTime` once ``time.monotonic()`` passes ``deadline``.
    """
    axes = [
        [(x[i], Fraction(1))] if i in fixed else point_probabilities(f)
        for i, f in enumerate(gam.features)
    ]
    total = Fraction(0)
    for count, point in enumerate(itertools.product(*axes)):
        if deadline is not None and count % 256 == 0 and time.monotonic() > deadline:
            raise OutOfTime
        weight = math.prod((p for _, p in point), start=Fraction(1))
        if weight:
            total += weight * function(tuple(v for v, _ in point))
    return total


def _deadline(time_limit: float | None) -> float | None:
    return None if time_limit is None else time.monotonic() + time_limit


def _output_range(gam: GAM, output: str) -> tuple[Fraction, Fraction]:
    """Bounds on the explained output over the whole domain, from each term's range."""
    if output == "label":
        return Fraction(0), Fraction(1)
    low = high = Fraction(gam.intercept)
    for f in gam.features:
        values = [Fraction(f.contribution_exact(v)) for v, _ in point_probabilities(f)]
        low, high = low + min(values), high + max(values)
    for pair in gam.pairs:
        entries = [Fraction(v) for row in pair.values for v in row]
        low, high = low + min(entries), high + max(entries)
    return low, high


def _unfinished(gam: GAM, output: str, n_values: int) -> Estimate:
    """Sound bounds when the enumeration ran out of time: every v(S) lies in the output's
    range [lo, hi], so each marginal gain lies in [lo − hi, hi − lo] and the coalition
    weights sum to 1 (Shapley and Banzhaf alike)."""
    low, high = _output_range(gam, output)
    spread = high - low
    lower = (-spread,) * n_values
    return Estimate(lower, (spread,) * n_values, low, high, status="time_limit")


def brute_attributions(
    gam: GAM,
    x: tuple[Any, ...],
    *,
    output: str,
    kind: str,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """Exact Shapley or Banzhaf values of the score or label, and the base value v(∅).

    Past ``time_limit`` seconds it stops with the output range's sound bounds.

    Notes
    -----
    Evaluates v on all 2^n coalitions, each by enumerating the completions:
    O(2^n·Π_i |D_i|) model evaluations. Theorem ``thm:shap-brute``.
    """
    n = gam.n_features
    function = _output(gam, output)
    deadline = _deadline(time_limit)
    try:
        v = {
            frozenset(s): value(gam, x, frozenset(s), function, deadline)
            for size in range(n + 1)
            for s in itertools.combinations(range(n), size)
        }
    except OutOfTime:
        return _unfinished(gam, output, n)
    phi = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        phi.append(
            sum(
                (
                    coalition_weight(kind, n, len(s)) * (v[frozenset(s) | {i}] - v[frozenset(s)])
                    for size in range(n)
                    for s in itertools.combinations(others, size)
                ),
                Fraction(0),
            )
        )
    return Estimate.exactly(tuple(phi), v[frozenset()], work=len(v))


def brute_completion_fraction(
    gam: GAM,
    x: tuple[Any, ...],
    fixed: frozenset[int],
    *,
    time_limit: float | None = None,
    **options: Any,
) -> Estimate:
    """The exact probability that a completion of x_S keeps the prediction ([0, 1] when
    ``time_limit`` seconds pass first).

    Notes
    -----
    O(Π_{i∉S} |D_i|) model evaluations. Theorem ``thm:shap-brute``.
    """
    target = gam.predict_exact(x)
    task = gam.task
    tolerance = Fraction(task.tolerance) if isinstance(task, Regression) else None

    def keeps(z: tuple[Any, ...]) -> Fraction:
        out = gam.predict_exact(z)
        if tolerance is None:
            return Fraction(out == target)
        return Fraction(abs(Fraction(out) - Fraction(target)) <= tolerance)

    try:
        found = value(gam, x, fixed, keeps, _deadline(time_limit))
    except OutOfTime:
        return Estimate((Fraction(0),), (Fraction(1),), None, None, status="time_limit")
    return Estimate.exactly((found,), None, work=1)


for _query, _kind, _output_name in (
    ("shap-score", "shapley", "score"),
    ("shap-label", "shapley", "label"),
    ("banzhaf-score", "banzhaf", "score"),
    ("banzhaf-label", "banzhaf", "label"),
):
    register_algorithm(
        _query,
        "brute",
        summary="every coalition and every completion; exponential, the reference",
        theorem="thm:shap-brute",
        priority=100,
        applies=brute_force_applies,
    )(brute_attributions)

register_algorithm(
    "cc",
    "brute",
    summary="every completion of the fixed features; exponential, the reference",
    theorem="thm:shap-brute",
    priority=100,
    applies=brute_force_applies,
)(brute_completion_fraction)
