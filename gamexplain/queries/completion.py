"""Completion counting (CC): how likely a random completion of x_S keeps the prediction."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.brute import brute_force_applies
from gamexplain.algorithms.brute_shap import brute_completion_fraction
from gamexplain.algorithms.partial_sums import (
    DEFAULT_MAX_STATES,
    Estimate,
    partial_sums_applies,
    partial_sums_completion,
)
from gamexplain.complexity.registry import select_algorithm
from gamexplain.distributions import resolve_distribution
from gamexplain.errors import InvalidInstanceError, InvalidParameterError
from gamexplain.model.gam import GAM, check_gam
from gamexplain.queries.shap import (
    VERIFY_BRUTE_LIMIT,
    check_budget,
    check_method,
    round_down,
    round_up,
)
from gamexplain.results import Result, Stats

__all__ = ["CompletionCertificate", "CompletionResult", "completion_fraction"]


@dataclass(frozen=True)
class CompletionCertificate:
    """The exact bounds, the distribution used and the algorithm's own certificate."""

    lower: Fraction
    upper: Fraction
    marginals: tuple[tuple[float, ...] | None, ...]
    detail: Any


@dataclass(frozen=True, kw_only=True)
class CompletionResult(Result):
    """The probability that a random completion of x_S keeps the prediction.

    Attributes
    ----------
    fraction : float
        The exact probability (rounded) when ``exact``, else the midpoint of the bounds.
    exact_fraction : Fraction or None
    lower, upper : float
        Certified bounds, rounded outward.
    fixed : tuple of str
        The features of S, kept at their values in x.
    instance : tuple
    """

    fraction: float
    exact_fraction: Fraction | None
    lower: float
    upper: float
    fixed: tuple[str, ...]
    instance: tuple[Any, ...]

    def __float__(self) -> float:
        return self.fraction

    def __str__(self) -> str:
        named = "{" + ", ".join(self.fixed) + "}"
        if self.exact:
            return f"completion fraction of {named}: {self.exact_fraction} ≈ {self.fraction:.6g}"
        return (
            f"completion fraction of {named}: in [{self.lower:.6g}, {self.upper:.6g}] "
            f"({self.status})"
        )

    def verify(self, gam: GAM) -> bool:
        """Re-check the answer in exact arithmetic without the algorithm that ran.

        Checks 0 ≤ lower ≤ upper ≤ 1, that ``exact`` holds exactly when the bounds meet,
        and that fixing every feature gives 1. Then recomputes the probability by another
        route, which must equal the exact answer or lie within the bounds: brute force
        over the completions when the free domains' product has at most
        ``VERIFY_BRUTE_LIMIT`` points, or the dynamic program when brute force produced
        the result. Larger models are checked for consistency only.
        """
        cert = self.certificate
        if not Fraction(0) <= cert.lower <= cert.upper <= Fraction(1):
            return False
        if (cert.lower == cert.upper) != self.exact:
            return False
        if self.exact and self.exact_fraction != cert.lower:
            return False
        model = resolve_distribution(gam, list(cert.marginals), "verify")
        fixed = frozenset(model.index(name) for name in self.fixed)
        if len(fixed) == model.n_features and cert.lower != 1:
            return False
        reference = _reference(self, model, fixed)
        return reference is None or cert.lower <= reference <= cert.upper


def _reference(result: CompletionResult, model: GAM, fixed: frozenset[int]) -> Fraction | None:
    if result.algorithm != "brute":
        if brute_force_applies(model, {"brute_force_limit": VERIFY_BRUTE_LIMIT}) is not None:
            return None
        return brute_completion_fraction(model, result.instance, fixed).lower[0]
    if partial_sums_applies(model, {}) is not None:
        return None
    found = partial_sums_completion(model, result.instance, fixed)
    return found.lower[0] if found.exact else None


def completion_fraction(
    gam: GAM,
    x: Any,
    S: Iterable[int | str],
    *,
    distribution: Any = "uniform",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
) -> CompletionResult:
    """The probability that a random completion of x_S keeps the prediction of x.

    Classification: P_Z[class of (x_S, Z) = class of x]. Regression: P_Z[|F(x_S, Z) −
    F(x)| ≤ tolerance]. Z follows the features' marginals, independently.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        The instance.
    S : iterable of feature names or positions
        The features kept at their values in x (may be empty).
    distribution : "uniform", "model", mapping or sequence
        The marginals (see :func:`~gamexplain.distributions.resolve_distribution`).
    method : {"auto", "partial-sums", "brute"}
    max_states : int
        Budget of the dynamic-programming table.
    time_limit : float, optional
        Seconds before the dynamic program reports bounds.

    Returns
    -------
    CompletionResult

    Notes
    -----
    #P-complete (``thm:cc-sharp-p``); the dynamic program over partial sums is
    pseudo-polynomial, O(n·S·a) for S distinct sums and a values per feature
    (``thm:cc-dp``), and gives certified bounds when the sums are too many or the
    contributions continuous (``thm:label-bounds``).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> from gamexplain import completion_fraction
    >>> gam = GAM([Feature("a", Finite(["u", "v"]), Table([1.0, -1.0])),
    ...            Feature("b", Finite(["u", "v"]), Table([0.5, -0.5]))],
    ...           intercept=0.0, task=Classification(0.0))
    >>> completion_fraction(gam, ["u", "v"], ["a"]).exact_fraction
    Fraction(1, 1)
    >>> completion_fraction(gam, ["u", "v"], []).exact_fraction
    Fraction(1, 2)
    """
    check_method(method, "cc", "completion_fraction")
    check_budget(max_states, time_limit, "completion_fraction")
    instance = check_gam(gam, "completion_fraction").instance(x)
    fixed = _fixed_iv(gam, S)
    model = resolve_distribution(gam, distribution, "completion_fraction")
    entry, spec, _ = select_algorithm(model, "cc", method, {})
    started = time.perf_counter()
    estimate: Estimate = spec.func(
        model, instance, fixed, max_states=max_states, time_limit=time_limit
    )
    low, high = estimate.lower[0], estimate.upper[0]
    exact = low == high
    return CompletionResult(
        fraction=float((low + high) / 2),
        exact_fraction=low if exact else None,
        lower=round_down(low),
        upper=round_up(high),
        fixed=tuple(model.feature_names[i] for i in sorted(fixed)),
        instance=instance,
        exact=exact,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=CompletionCertificate(
            low, high, tuple(f.distribution for f in model.features), estimate.certificate
        ),
        status="solved" if exact else estimate.status,  # type: ignore[arg-type]
        message="" if exact else "the bounds did not meet within the budget",
        stats=Stats(seconds=time.perf_counter() - started, work={"dp_states": estimate.work}),
    )


def _fixed_iv(gam: GAM, S: Any) -> frozenset[int]:
    if isinstance(S, str | Mapping):
        raise InvalidParameterError(
            "The 'S' parameter of completion_fraction must be an iterable of feature names "
            f"or positions. Got {S!r} instead."
        )
    try:
        members = list(S)
    except TypeError:
        raise InvalidParameterError(
            "The 'S' parameter of completion_fraction must be an iterable of feature names "
            f"or positions. Got {S!r} instead."
        ) from None
    try:
        return frozenset(gam.index(m) for m in members)
    except InvalidInstanceError as exc:
        raise InvalidParameterError(
            f"The 'S' parameter of completion_fraction names no feature: {exc}"
        ) from exc
