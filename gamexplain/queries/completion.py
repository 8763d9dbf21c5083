"""Completion counting (CC): how likely a random completion of x_S keeps the prediction."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain import certify
from gamexplain.algorithms.partial_sums import DEFAULT_MAX_STATES
from gamexplain.certify.attributions import (
    BOUNDS_MESSAGE,
    check_completion,
    model_digest,
    round_down,
    round_up,
)
from gamexplain.complexity.registry import select_algorithm
from gamexplain.distributions import describe_distribution, resolve_distribution
from gamexplain.errors import InvalidParameterError
from gamexplain.model.gam import GAM
from gamexplain.queries.parameters import validate
from gamexplain.queries.shap import distribution_label, dp_parts, run_candidates
from gamexplain.results import Result, Stats

__all__ = ["CompletionCertificate", "CompletionResult", "completion_fraction"]


@dataclass(frozen=True)
class CompletionCertificate:
    """The exact bounds, the distribution used and what the check re-derives from.

    ``laws``, ``scale`` and ``linear`` are those of
    :class:`~gamexplain.queries.shap.AttributionCertificate` (free features only; None for
    the fixed ones); ``model`` is the digest of the model asked; ``detail`` is the
    algorithm's own summary.
    """

    lower: Fraction
    upper: Fraction
    marginals: tuple[tuple[float, ...] | None, ...]
    laws: Any
    scale: Fraction | None
    linear: int | None
    algorithm: str
    status: str
    model: str
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
    distribution : str or tuple
        The marginals used, as in :class:`~gamexplain.queries.shap.ShapResult`.
    """

    fraction: float
    exact_fraction: Fraction | None
    lower: float
    upper: float
    fixed: tuple[str, ...]
    instance: tuple[Any, ...]
    distribution: Any = "uniform"

    def __float__(self) -> float:
        return self.fraction

    def __str__(self) -> str:
        named = "{" + ", ".join(self.fixed) + "}"
        under = describe_distribution(self.distribution)
        if self.exact:
            return (
                f"completion fraction of {named} {under}: {self.exact_fraction} "
                f"≈ {self.fraction:.6g}"
            )
        return (
            f"completion fraction of {named} {under}: in [{self.lower:.6g}, "
            f"{self.upper:.6g}] ({self.status})"
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw the fraction as one bar with its certified bracket (matplotlib, the
        ``plot`` extra); returns the Axes."""
        from gamexplain.plots import completion_plot

        named = "{" + ", ".join(self.fixed) + "}"
        return completion_plot(self.fraction, self.lower, self.upper, ax=ax,
                               title=f"completion fraction of {named}")  # fmt: skip

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Re-check the answer in exact arithmetic without the algorithm that ran.

        See :func:`gamexplain.certify.attributions.check_completion`: the free features'
        laws re-derived and a second convolution; an exact answer must equal it, bounds
        must contain the re-derived ones.
        """
        return check_completion(self, gam)


def completion_fraction(
    gam: GAM,
    x: Any,
    S: Iterable[int | str],
    *,
    distribution: Any = "model",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    target: Any = None,
) -> CompletionResult:
    """The probability that a random completion of x_S keeps the prediction of x.

    Classification: P_Z[class of (x_S, Z) = class of x]. Regression: P_Z[|F(x_S, Z) −
    F(x)| ≤ tolerance]. Z follows the features' marginals, independently.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        The instance; many rows (a 2-D array, a DataFrame, records) give the
        :class:`~gamexplain.BatchResult` of :func:`~gamexplain.explain` with query
        ``"cc"``, each row by this function (the model's marginals).
    S : iterable of feature names or positions
        The features kept at their values in x (may be empty).
    distribution : "model", "uniform", mapping or sequence
        The marginals (see :func:`~gamexplain.distributions.resolve_distribution`); the
        default takes each feature's stored marginal, uniform where there is none.
    method : {"auto", "partial-sums", "grid-convolution", "grid-conditioning", "brute"}
        ``"grid-conditioning"`` (pair models) refines the grid bracket case by case
        (``thm:label-grid-cases``).
    max_states : int
        Budget of the dynamic-programming table.
    time_limit : float, optional
        Seconds before the dynamic program reports bounds.
    target : class label, optional
        Multiclass models, one row: the probability that class ``target`` wins (ties to
        the lowest class index) instead of the predicted class; the result's ``target``
        names the class counted either way.

    Returns
    -------
    CompletionResult

    Notes
    -----
    #P-complete (``thm:cc-sharp-p``); the dynamic program over partial sums is
    pseudo-polynomial, O(n·S·a) for S distinct sums and a values per feature
    (``thm:cc-dp``), and gives certified bounds when the sums are too many or the
    contributions continuous (``thm:label-bounds``); past a small state budget, and with
    pair terms, a bracket on a refined grid (``thm:label-grid``).

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
    from gamexplain.queries.batch import is_many, many_counting

    if target is not None:
        _check_target(gam, x, target)
    if is_many(x):  # many rows: the batch result (queries/batch.py)
        return many_counting(gam, x, "cc", "completion_fraction", distribution=distribution,
                             method=method, max_states=max_states, time_limit=time_limit,
                             S=S)  # fmt: skip
    if getattr(getattr(gam, "task", None), "kind", None) == "multiclass":
        from gamexplain.queries.multiclass_counting import completion_fraction_multiclass as ask

        return ask(gam, x, S, distribution=distribution, method=method,  # type: ignore[arg-type]
                   max_states=max_states, time_limit=time_limit, target=target)  # fmt: skip
    options = validate(
        "completion_fraction", gam, S=S, method=method, max_states=max_states,
        time_limit=time_limit,
    )  # fmt: skip
    fixed, time_limit = options["S"], options["time_limit"]
    instance = gam.instance(x)
    model = resolve_distribution(gam, distribution, "completion_fraction")
    # x is explained in the feature space widened just enough to hold it; the marginals
    # (recorded from ``model``) stay the same
    covering = model.covering(instance)
    selection = select_algorithm(covering, "cc", method, {})
    entry = selection.entry
    started = time.perf_counter()
    spec, estimate = run_candidates(
        selection.candidates,
        lambda spec, seconds, **extra: spec.func(
            covering, instance, fixed, max_states=max_states, time_limit=seconds, **extra
        ),
        time_limit,
    )
    low, high = estimate.lower[0], estimate.upper[0]
    exact = low == high
    status = "solved" if exact else estimate.status
    return CompletionResult(
        fraction=float((low + high) / 2),
        exact_fraction=low if exact else None,
        lower=round_down(low),
        upper=round_up(high),
        fixed=tuple(model.feature_names[i] for i in sorted(fixed)),
        instance=instance,
        distribution=distribution_label(model, distribution),
        exact=exact,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=CompletionCertificate(
            low,
            high,
            tuple(f.distribution for f in model.features),
            *dp_parts(estimate.certificate),
            spec.name,
            status,
            model_digest(gam),
            estimate.certificate,
        ),
        status=status,  # type: ignore[arg-type]
        message="" if exact else BOUNDS_MESSAGE,
        stats=Stats(seconds=time.perf_counter() - started, work={"dp_states": estimate.work}),
    )


def _check_target(gam: Any, x: Any, target: Any) -> None:
    """Refuse a ``target`` outside one row of a multiclass model, by name."""
    from gamexplain.queries.batch import is_many

    validate("completion_fraction", gam, target=target)
    if getattr(getattr(gam, "task", None), "kind", None) != "multiclass" or is_many(x):
        where = "many rows (ask row by row)" if is_many(x) else "a binary or regression model"
        raise InvalidParameterError(
            "The 'target' parameter of completion_fraction applies to one row of a "
            f"multiclass model only. Got target={target!r} with {where}."
        )
