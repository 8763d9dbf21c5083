"""SHAP and Banzhaf values of a GAM's score and of its predicted label.

The value function is the interventional one under independent features:
v(S) = E[F(x_S, Z)], Z drawn from the features' marginals, F the score (``output=
"score"``) or the indicator of class 1 (``output="label"``). Shapley values weight a
coalition S of the others by |S|!(n − |S| − 1)!/n! (the weights sum to 1), Banzhaf
values by 1/2^(n−1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamexplain import certify
from gamexplain.algorithms.closed_form import score_attributions_batch
from gamexplain.algorithms.partial_sums import DEFAULT_MAX_STATES, Estimate
from gamexplain.certify.attributions import (
    BOUNDS_MESSAGE,
    check_attributions,
    check_score_batch,
    model_digest,
    round_down,
    round_up,
)
from gamexplain.complexity.registry import AlgorithmSpec, select_algorithm
from gamexplain.distributions import describe_distribution, resolve_distribution
from gamexplain.errors import InvalidParameterError, SolverUnavailableError
from gamexplain.model.gam import GAM
from gamexplain.queries.parameters import validate
from gamexplain.results import Result, Stats

__all__ = [
    "AttributionCertificate",
    "BanzhafResult",
    "BatchCertificate",
    "ShapBatchResult",
    "ShapResult",
    "banzhaf_values",
    "shap_values",
]


@dataclass(frozen=True)
class AttributionCertificate:
    """The exact numbers behind an attribution result.

    Attributes
    ----------
    lower, upper : tuple of Fraction
        Certified bounds per feature (equal when exact).
    base_lower, base_upper : Fraction
        Bounds on the base value v(∅).
    marginals : tuple
        The distribution used, per feature (None is uniform), to rebuild the model.
    laws : tuple or None
        Label values: per feature, the cells of its contribution's law the dynamic
        program used, (left, right, low, high, probability) (see
        :data:`gamexplain.algorithms.partial_sums.Cell`); None where the check
        enumerates the domain itself.
    scale : Fraction or None
        Label values: the unit the sums were rounded to (None: exact sums).
    linear : int or None
        Label values: the one continuous feature integrated exactly.
    algorithm, status : str
        The algorithm that ran and how it stopped.
    model : str
        The digest of the model asked (:func:`~gamexplain.certify.attributions.model_digest`).
    detail : object
        The algorithm's own summary (closed-form means, dynamic-program rounds).
    """

    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction
    base_upper: Fraction
    marginals: tuple[tuple[float, ...] | None, ...]
    laws: Any
    scale: Fraction | None
    linear: int | None
    algorithm: str
    status: str
    model: str
    detail: Any


@dataclass(frozen=True, kw_only=True)
class ShapResult(Result):
    """Shapley values of one instance, exact or certified within bounds.

    Attributes
    ----------
    values : ndarray of float
        Per feature, in feature order: the exact value (rounded to float) when ``exact``,
        else the midpoint of [lower, upper].
    exact_values : tuple of Fraction or None
        The exact values, when ``exact``.
    base_value : float
        v(∅), the expected output; base + Σ values = the explained output (efficiency).
    exact_base_value : Fraction or None
    lower, upper : ndarray of float
        Certified bounds, rounded outward to floats.
    output : {"score", "label"}
    feature_names : tuple of str
    instance : tuple
    distribution : str or tuple
        The marginals used: ``"model"`` (the model's stored marginals; features without
        one uniform), ``"uniform"`` (also what ``"model"`` records on a model that stores
        none), or the marginals given explicitly, per feature.
    """

    values: NDArray[np.float64]
    exact_values: tuple[Fraction, ...] | None
    base_value: float
    exact_base_value: Fraction | None
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    output: str
    feature_names: tuple[str, ...]
    instance: tuple[Any, ...]
    distribution: Any = "uniform"

    kind = "shapley"

    def __str__(self) -> str:
        order = sorted(range(len(self.values)), key=lambda i: -abs(self.values[i]))
        scale = max((abs(v) for v in self.values), default=0.0) or 1.0
        width = max(len(n) for n in self.feature_names)
        title = "SHAP" if self.kind == "shapley" else "Banzhaf"
        lines = [
            f"{title} values of the {self.output} ({'exact' if self.exact else self.status}; "
            f"{self.algorithm}) {describe_distribution(self.distribution)}; "
            f"base value {self._base_text()}"
        ]
        for i in order:
            v = self.values[i]
            bar = ("+" if v >= 0 else "-") * round(20 * abs(v) / scale)
            bounds = "" if self.exact else f"  [{self.lower[i]:.6g}, {self.upper[i]:.6g}]"
            lines.append(f"  {self.feature_names[i]:<{width}}  {v:+.6g}  {bar}{bounds}")
        return "\n".join(lines)

    def _base_text(self) -> str:
        """v(∅), or its certified bracket when the run did not pin it down (the midpoint
        ``base_value`` alone would read as known)."""
        low, high = self.certificate.base_lower, self.certificate.base_upper
        if self.exact or low == high:
            return f"{self.base_value:.6g}"
        return f"in [{round_down(low):.6g}, {round_up(high):.6g}]"

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Re-check the values in exact arithmetic, without the algorithm that ran.

        See :func:`gamexplain.certify.attributions.check_attributions`: the score's
        closed form again, the label's laws and a second convolution (or every
        coalition and completion with pair terms); exact values must match, bounds must
        contain the re-derived ones; Shapley values must be efficient.
        """
        return check_attributions(self, gam)

    def plot(self, ax: Any = None, *, kind: str = "bar", max_display: int = 20) -> Any:
        """Draw the values as bars (``kind="bar"``) or a waterfall from the base value
        (``kind="waterfall"``); brackets that are not exact become error bars. Needs
        matplotlib (the ``plot`` extra); returns the Axes."""
        from gamexplain.plots import attribution_plot

        name = "SHAP" if self.kind == "shapley" else "Banzhaf"
        title = f"{name} values of the {self.output} ({describe_distribution(self.distribution)})"
        return attribution_plot(
            [float(v) for v in self.values], [float(v) for v in self.lower],
            [float(v) for v in self.upper], self.feature_names, base=float(self.base_value),
            exact=self.exact, kind=kind, max_display=max_display, ax=ax, title=title,
        )  # fmt: skip

    def to_shap_explanation(self) -> Any:
        """The values as a ``shap.Explanation`` (values, base value = the expectation,
        data = the instance, feature names), so the ``shap`` package's plots draw them.
        Needs the ``shap`` package."""
        try:
            import shap
        except ImportError as missing:
            raise SolverUnavailableError(
                "to_shap_explanation needs the shap package: pip install shap"
            ) from missing
        return shap.Explanation(
            values=np.asarray(self.values, dtype=float),
            base_values=float(self.base_value),
            data=np.asarray(self.instance, dtype=object),
            feature_names=list(self.feature_names),
        )


@dataclass(frozen=True, kw_only=True)
class BanzhafResult(ShapResult):
    """Banzhaf values of one instance (the fields of :class:`ShapResult`; no efficiency)."""

    kind = "banzhaf"


@dataclass(frozen=True)
class BatchCertificate:
    """The marginals used and the digest of the model asked."""

    marginals: tuple[tuple[float, ...] | None, ...]
    model: str


@dataclass(frozen=True, kw_only=True)
class ShapBatchResult(Result):
    """Shapley values of the score for many rows (float fast path, ``exact=False``).

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features)
    base_value : float
    feature_names : tuple of str
    distribution : str or tuple
        The marginals used, as in :class:`ShapResult`.
    """

    values: NDArray[np.float64]
    base_value: float
    feature_names: tuple[str, ...]
    rows: NDArray[Any]
    distribution: Any = "uniform"

    def __str__(self) -> str:
        mean = np.abs(self.values).mean(axis=0)
        lines = [
            f"SHAP values of the score for {len(self.values)} rows "
            f"{describe_distribution(self.distribution)}; mean |φ| per feature"
        ]
        for i in np.argsort(-mean):
            lines.append(f"  {self.feature_names[i]}  {mean[i]:.6g}")
        return "\n".join(lines)

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Recompute every row's values exactly (the means once, each row's contributions
        by the plain evaluator) and check the floats agree to 1e-9 relative.

        See :func:`gamexplain.certify.attributions.check_score_batch`.
        """
        return check_score_batch(self, gam)


# -- public functions ------------------------------------------------------------------------
def shap_values(
    gam: GAM,
    x: ArrayLike | Mapping[str, Any],
    *,
    output: Literal["score", "label"] = "score",
    distribution: Any = "model",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    target: Any = None,
) -> ShapResult | ShapBatchResult:
    """Shapley values of the score or of the predicted label of ``x``.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        One instance (feature order, or name → value). For ``output="score"`` also a
        2-D array of rows, explained in one vectorised pass; for ``output="label"`` many
        rows give the :class:`~gamexplain.BatchResult` of :func:`~gamexplain.explain`
        (each row by the single-row query, the model's marginals).
    output : {"score", "label"}
        Explain the raw score (SHAP-R) or the indicator of class 1 (SHAP-C;
        classification only).
    distribution : "model", "uniform", mapping or sequence
        The features' marginals (see :func:`~gamexplain.distributions.resolve_distribution`).
        The default, ``"model"``, takes each feature's stored marginal (an EBM's bin
        weights, say) and is uniform where there is none; the result's ``distribution``
        says which was used.
    method : str
        ``"auto"`` or a registered algorithm: ``"closed-form"`` (score),
        ``"partial-sums"`` (label, exact or bounds), ``"grid-convolution"`` (label,
        certified brackets; pair terms too), ``"grid-conditioning"`` (label, pair
        models: the grid brackets remade case by case, ``thm:label-grid-cases``; it pays
        with long time limits), ``"brute"`` (small finite models).
    max_states : int
        Budget of one dynamic-programming table (label).
    time_limit : float, optional
        Seconds the dynamic program may run before it reports bounds.
    target : class label, optional
        Multiclass models, ``output="label"``, one row: explain the indicator "class
        ``target`` wins" (ties to the lowest class index) instead of "the predicted class
        wins"; the result's ``target`` names the class explained either way.

    Returns
    -------
    ShapResult, or ShapBatchResult for 2-D ``x`` (BatchResult for labels).

    Notes
    -----
    Score: O(Σ_i p_i) exact means, theorem ``thm:shap-score-closed-form``. Label:
    #P-complete in general (``thm:shap-label-sharp-p``); pseudo-polynomial by dynamic
    programming over partial sums (``thm:shap-label-dp``), with certified bounds when
    the sums are too many (``thm:label-bounds``); past a small state budget, brackets
    on a refined grid, pair terms bounded per feature (``thm:label-grid``).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification, shap_values
    >>> gam = GAM([Feature("a", Finite(["u", "v"]), Table([1.0, -1.0])),
    ...            Feature("b", Finite(["u", "v"]), Table([0.5, -0.5]))],
    ...           intercept=0.0, task=Classification(0.0))
    >>> shap_values(gam, ["u", "v"]).exact_values
    (Fraction(1, 1), Fraction(-1, 2))
    >>> shap_values(gam, ["u", "v"], output="label").exact_values
    (Fraction(1, 2), Fraction(0, 1))
    """
    validate("shap_values", gam, output=output, method=method, max_states=max_states,
             time_limit=time_limit, target=target)  # fmt: skip
    multiclass = getattr(getattr(gam, "task", None), "kind", None) == "multiclass"
    _check_target("shap_values", gam, x, output, target)
    if (output == "label" or multiclass) and _many(x):  # the batch result (queries/batch.py)
        from gamexplain.queries.batch import many_counting

        return many_counting(gam, x, f"shap-{output}", "shap_values", distribution=distribution,
                             method=method, max_states=max_states,
                             time_limit=time_limit)  # fmt: skip
    if multiclass:
        from gamexplain.queries.multiclass import attributions

        return attributions(gam, x, kind="shapley", output=output, method=method,
                            distribution=distribution, max_states=max_states,
                            time_limit=time_limit, **_given(target))  # fmt: skip
    if not isinstance(x, Mapping) and np.ndim(np.asarray(x, dtype=object)) == 2:
        return _batch(gam, x, output, distribution, method)
    return _attributions(
        gam, x, "shapley", output, distribution, method, max_states, time_limit, "shap_values"
    )


def banzhaf_values(
    gam: GAM,
    x: ArrayLike | Mapping[str, Any],
    *,
    output: Literal["score", "label"] = "score",
    distribution: Any = "model",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
    target: Any = None,
) -> BanzhafResult:
    """Banzhaf values of the score or of the predicted label of ``x``.

    Parameters and algorithms as in :func:`shap_values`; many rows (a 2-D array, a
    DataFrame, records) give the :class:`~gamexplain.BatchResult` of
    :func:`~gamexplain.explain`, each row by the single-row query. Every coalition of
    the other features weighs 1/2^(n−1).

    Notes
    -----
    Score: the Shapley closed form (both weightings agree on an additive value
    function; a pair term splits evenly either way), ``thm:shap-score-closed-form``.
    Label: the same dynamic program with equal weights (``thm:shap-label-dp``,
    ``thm:label-bounds``), or the grid at the one node q = 1/2 (``thm:label-grid``).
    Banzhaf values are not efficient: base + Σ φ need not equal the output.
    """
    if target is not None:
        validate("banzhaf_values", gam, target=target)
        _check_target("banzhaf_values", gam, x, output, target)
    if _many(x):  # many rows: the batch result (queries/batch.py)
        from gamexplain.queries.batch import many_counting

        return many_counting(gam, x, f"banzhaf-{output}", "banzhaf_values",
                             distribution=distribution, method=method, max_states=max_states,
                             time_limit=time_limit)  # fmt: skip
    if getattr(getattr(gam, "task", None), "kind", None) == "multiclass":
        from gamexplain.queries.multiclass import attributions

        return attributions(gam, x, kind="banzhaf", output=output, method=method,
                            distribution=distribution, max_states=max_states,
                            time_limit=time_limit, **_given(target))  # fmt: skip
    result = _attributions(
        gam, x, "banzhaf", output, distribution, method, max_states, time_limit, "banzhaf_values"
    )
    assert isinstance(result, BanzhafResult)
    return result


# -- dispatch ------------------------------------------------------------------------------
def _check_target(caller: str, gam: Any, x: Any, output: str, target: Any) -> None:
    """Refuse a (valid) ``target`` where the query has none: it names the class whose win a
    multiclass label is explained for, one row at a time."""
    if target is None:
        return
    multiclass = getattr(getattr(gam, "task", None), "kind", None) == "multiclass"
    where = (
        "a binary or regression model" if not multiclass
        else f"output={output!r}" if output != "label"
        else "many rows (ask row by row)" if _many(x) else None
    )  # fmt: skip
    if where is not None:
        raise InvalidParameterError(
            f"The 'target' parameter of {caller} applies to output='label' of one row of a "
            f"multiclass model only. Got target={target!r} with {where}."
        )


def _given(target: Any) -> dict[str, Any]:
    """``target`` as a keyword when it was asked (the multiclass score path takes none)."""
    return {} if target is None else {"target": target}


def _many(x: Any) -> bool:
    from gamexplain.queries.batch import is_many

    return is_many(x)


def _attributions(
    gam: GAM,
    x: Any,
    kind: str,
    output: str,
    distribution: Any,
    method: str,
    max_states: int,
    time_limit: float | None,
    caller: str,
) -> ShapResult:
    import time

    options = validate(
        caller, gam, output=output, method=method, max_states=max_states, time_limit=time_limit
    )
    time_limit = options["time_limit"]
    query = f"{'shap' if kind == 'shapley' else 'banzhaf'}-{output}"
    instance = gam.instance(x)
    model = resolve_distribution(gam, distribution, caller)
    # x is explained in the feature space widened just enough to hold it; the marginals
    # (recorded from ``model``) stay the same
    covering = model.covering(instance)
    selection = select_algorithm(covering, query, method, {})
    started = time.perf_counter()
    spec, estimate = run_candidates(
        selection.candidates,
        lambda spec, seconds, **extra: spec.func(
            covering, instance, output=output, kind=kind, max_states=max_states,
            time_limit=seconds, **extra,
        ),
        time_limit,
    )  # fmt: skip
    entry = selection.entry
    seconds = time.perf_counter() - started
    cls = ShapResult if kind == "shapley" else BanzhafResult
    return cls(
        **_fields(estimate, model, spec.name, model_digest(gam)),
        algorithm=spec.name,
        cell=str(entry.cell),
        stats=Stats(seconds=seconds, work={"dp_states": estimate.work}),
        output=output,
        feature_names=model.feature_names,
        instance=instance,
        distribution=distribution_label(model, distribution),
    )


PROBE_SHARE = 0.1
"""Under ``method="auto"``, an algorithm with a fallback after it runs with
``exact_only=True`` and at most this share of the time: the exact dynamic program answers
what fits its state budget at once, and the rest goes on to the algorithm that brackets
it."""


def run_candidates(
    candidates: tuple[AlgorithmSpec, ...],
    call: Callable[..., Estimate],
    time_limit: float | None,
) -> tuple[AlgorithmSpec, Estimate]:
    """Run the selected algorithms in order: the next only after a status the one before
    lists in ``fallback_on``; the last one gets the whole time that is left."""
    import time

    started = time.perf_counter()
    for position, spec in enumerate(candidates):
        last = position == len(candidates) - 1
        spent = time.perf_counter() - started
        left = None if time_limit is None else max(time_limit - spent, 0.0)
        if last:
            estimate = call(spec, left)
            break
        estimate = call(spec, None if left is None else left * PROBE_SHARE, exact_only=True)
        if estimate.status not in spec.fallback_on:
            break
    return spec, estimate


def distribution_label(model: GAM, distribution: Any) -> Any:
    """What a result records of ``distribution``: the name, or the marginals it set.

    ``"model"`` on a model that stores no marginal is recorded as ``"uniform"``, which
    is what it used; either name rebuilds the same marginals in ``verify``.
    """
    if isinstance(distribution, str):
        stored = any(f.distribution is not None for f in model.features)
        return "model" if distribution == "model" and stored else "uniform"
    return tuple(f.distribution for f in model.features)


def dp_parts(detail: Any) -> tuple[Any, Fraction | None, int | None]:
    """(laws, scale, linear) of a dynamic program's certificate; None for the others."""
    return (
        getattr(detail, "laws", None),
        getattr(detail, "scale", None),
        getattr(detail, "linear", None),
    )


def _fields(estimate: Estimate, model: GAM, algorithm: str, digest: str) -> dict[str, Any]:
    assert estimate.base_lower is not None and estimate.base_upper is not None
    exact = estimate.exact
    status = "solved" if exact else estimate.status
    base = (estimate.base_lower + estimate.base_upper) / 2
    return {
        "values": np.array(
            [float((a + b) / 2) for a, b in zip(estimate.lower, estimate.upper, strict=True)]
        ),
        "exact_values": estimate.lower if exact else None,
        "base_value": float(base),
        "exact_base_value": base if exact else None,
        "lower": np.array([round_down(v) for v in estimate.lower]),
        "upper": np.array([round_up(v) for v in estimate.upper]),
        "exact": exact,
        "status": status,
        "message": "" if exact else BOUNDS_MESSAGE,
        "certificate": AttributionCertificate(
            estimate.lower,
            estimate.upper,
            estimate.base_lower,
            estimate.base_upper,
            tuple(f.distribution for f in model.features),
            *dp_parts(estimate.certificate),
            algorithm,
            status,
            digest,
            estimate.certificate,
        ),
    }


def _batch(gam: GAM, X: Any, output: str, distribution: Any, method: str) -> ShapBatchResult:
    import time

    if output != "score":
        raise InvalidParameterError(
            "The 'x' parameter of shap_values takes a 2-D array of rows only with "
            f"output='score'. Got output={output!r} instead."
        )
    if method not in ("auto", "closed-form"):
        raise InvalidParameterError(
            "The 'method' parameter of shap_values must be 'auto' or 'closed-form' for a "
            f"2-D array of rows. Got {method!r} instead."
        )
    model = resolve_distribution(gam, distribution, "shap_values")
    entry, spec = select_algorithm(model, "shap-score", "closed-form", {}).chosen
    started = time.perf_counter()
    columns = model._matrix(X)
    values, base = score_attributions_batch(model, columns)
    return ShapBatchResult(
        values=values,
        base_value=base,
        feature_names=model.feature_names,
        rows=np.asarray(X, dtype=object),
        distribution=distribution_label(model, distribution),
        exact=False,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=BatchCertificate(
            tuple(f.distribution for f in model.features), model_digest(gam)
        ),
        message="float fast path; explain one row for exact rational values",
        stats=Stats(seconds=time.perf_counter() - started),
    )
