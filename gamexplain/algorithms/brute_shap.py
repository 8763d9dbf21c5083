"""Brute force for SHAP, Banzhaf and completion counting: every coalition, every completion.

The slow, obviously correct reference the other algorithms are held against. It
enumerates the product of the domains (weighted by the features' exact marginals), so it
applies only to small finite or integer models; pair terms are no obstacle.
"""

from __future__ import annotations

import itertools
import math
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


def value(
    gam: GAM,
    x: Sequence[Any],
    fixed: frozenset[int],
    function: Callable[[tuple[Any, ...]], Fraction],
) -> Fraction:
    """v(S) = E[F(x_S, Z)]: the exact mean of ``function`` over the completions of x_S."""
    axes = [
        [(x[i], Fraction(1))] if i in fixed else point_probabilities(f)
        for i, f in enumerate(gam.features)
    ]
    total = Fraction(0)
    for point in itertools.product(*axes):
        weight = math.prod((p for _, p in point), start=Fraction(1))
        if weight:
            total += weight * function(tuple(v for v, _ in point))
    return total


def brute_attributions(
    gam: GAM, x: tuple[Any, ...], *, output: str, kind: str, **options: Any
) -> Estimate:
    """Exact Shapley or Banzhaf values of the score or label, and the base value v(∅).

    Notes
    -----
    Evaluates v on all 2^n coalitions, each by enumerating the completions:
    O(2^n·Π_i |D_i|) model evaluations. Theorem ``thm:shap-brute``.
    """
    n = gam.n_features
    function = _output(gam, output)
    v = {
        frozenset(s): value(gam, x, frozenset(s), function)
        for size in range(n + 1)
        for s in itertools.combinations(range(n), size)
    }
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
    gam: GAM, x: tuple[Any, ...], fixed: frozenset[int], **options: Any
) -> Estimate:
    """The exact probability that a completion of x_S keeps the prediction.

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

    return Estimate.exactly((value(gam, x, fixed, keeps),), None, work=1)


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
