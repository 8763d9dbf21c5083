"""SHAP and Banzhaf values of a GAM's score and of its predicted label.

The value function is the interventional one under independent features:
v(S) = E[F(x_S, Z)], Z drawn from the features' marginals, F the score (``output=
"score"``) or the indicator of class 1 (``output="label"``). Shapley values weight a
coalition S of the others by |S|!(n − |S| − 1)!/n! (the weights sum to 1), Banzhaf
values by 1/2^(n−1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from gamexplain.algorithms.brute import brute_force_applies
from gamexplain.algorithms.brute_shap import brute_attributions, coalition_weight
from gamexplain.algorithms.closed_form import score_attributions_batch
from gamexplain.algorithms.partial_sums import (
    DEFAULT_MAX_STATES,
    Estimate,
    label_attributions,
    partial_sums_applies,
)
from gamexplain.complexity.registry import registered_algorithms, select_algorithm
from gamexplain.distributions import (
    bin_probabilities,
    is_point_domain,
    point_probabilities,
    resolve_distribution,
    segment_probabilities,
)
from gamexplain.errors import InvalidParameterError
from gamexplain.exact import to_sympy
from gamexplain.model.gam import GAM, Feature, check_gam
from gamexplain.model.pieces import Point, Segment, lower
from gamexplain.model.task import Classification
from gamexplain.results import Result, Stats

__all__ = [
    "AttributionCertificate",
    "BanzhafResult",
    "ShapBatchResult",
    "ShapResult",
    "banzhaf_values",
    "shap_values",
]

VERIFY_BRUTE_LIMIT = 4096
"""Largest product of domain sizes :meth:`ShapResult.verify` re-enumerates."""


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
    detail : object
        The algorithm's own certificate (closed-form means, dynamic-program summary).
    """

    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction
    base_upper: Fraction
    marginals: tuple[tuple[float, ...] | None, ...]
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

    kind = "shapley"

    def __str__(self) -> str:
        order = sorted(range(len(self.values)), key=lambda i: -abs(self.values[i]))
        scale = max((abs(v) for v in self.values), default=0.0) or 1.0
        width = max(len(n) for n in self.feature_names)
        title = "SHAP" if self.kind == "shapley" else "Banzhaf"
        lines = [
            f"{title} values of the {self.output} ({'exact' if self.exact else self.status}; "
            f"{self.algorithm}), base value {self.base_value:.6g}"
        ]
        for i in order:
            v = self.values[i]
            bar = ("+" if v >= 0 else "-") * round(20 * abs(v) / scale)
            bounds = "" if self.exact else f"  [{self.lower[i]:.6g}, {self.upper[i]:.6g}]"
            lines.append(f"  {self.feature_names[i]:<{width}}  {v:+.6g}  {bar}{bounds}")
        return "\n".join(lines)

    def verify(self, gam: GAM) -> bool:
        """Re-check the values in exact arithmetic, without the algorithm that ran.

        Checks that the bounds are ordered and contain ``values``; that ``exact`` holds
        exactly when they meet; efficiency (Shapley: base + Σ φ = v(N), as an interval
        when bounded). Then recomputes the values by an independent route: for the score,
        the closed form with every mean integrated (or summed) anew by sympy and every
        pair term split by enumerating its four coalitions; for the label, brute force
        over coalitions and completions when the domains' product has at most
        ``VERIFY_BRUTE_LIMIT`` points (the dynamic program when brute force produced the
        result), whose values must equal the exact ones or lie inside the bounds. Models
        too large for either are checked for consistency only.
        """
        cert = self.certificate
        model = _rebuild(gam, cert.marginals)
        if not _consistent(self, cert):
            return False
        if self.kind == "shapley" and not self._efficient(model, cert):
            return False
        reference = _reference(self, model)
        if reference is None:
            return True
        return _contains(cert, reference)

    def _efficient(self, model: GAM, cert: AttributionCertificate) -> bool:
        target = _explained_output(model, self.instance, self.output)
        low = cert.base_lower + sum(cert.lower, Fraction(0))
        high = cert.base_upper + sum(cert.upper, Fraction(0))
        return low <= target <= high


@dataclass(frozen=True, kw_only=True)
class BanzhafResult(ShapResult):
    """Banzhaf values of one instance (the fields of :class:`ShapResult`; no efficiency)."""

    kind = "banzhaf"


@dataclass(frozen=True, kw_only=True)
class ShapBatchResult(Result):
    """Shapley values of the score for many rows (float fast path, ``exact=False``).

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features)
    base_value : float
    feature_names : tuple of str
    """

    values: NDArray[np.float64]
    base_value: float
    feature_names: tuple[str, ...]
    rows: NDArray[Any]

    def __str__(self) -> str:
        mean = np.abs(self.values).mean(axis=0)
        lines = [f"SHAP values of the score for {len(self.values)} rows; mean |φ| per feature"]
        for i in np.argsort(-mean):
            lines.append(f"  {self.feature_names[i]}  {mean[i]:.6g}")
        return "\n".join(lines)

    def verify(self, gam: GAM) -> bool:
        """Recompute every row's values exactly (independent closed form, sympy means)
        and check the floats agree to 1e-9 relative, and efficiency row by row."""
        model = _rebuild(gam, self.certificate)
        for row, phi in zip(self.rows, self.values, strict=True):
            x = model.instance(list(row))
            exact, base = _independent_score(model, x)
            if any(
                abs(float(e) - p) > 1e-9 * (1 + abs(float(e)))
                for e, p in zip(exact, phi, strict=True)
            ):
                return False
            if abs(float(base) - self.base_value) > 1e-9 * (1 + abs(float(base))):
                return False
        return True


# -- public functions ------------------------------------------------------------------------
def shap_values(
    gam: GAM,
    x: ArrayLike | Mapping[str, Any],
    *,
    output: Literal["score", "label"] = "score",
    distribution: Any = "uniform",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
) -> ShapResult | ShapBatchResult:
    """Shapley values of the score or of the predicted label of ``x``.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        One instance (feature order, or name → value). For ``output="score"`` also a
        2-D array of rows, explained in one vectorised pass.
    output : {"score", "label"}
        Explain the raw score (SHAP-R) or the indicator of class 1 (SHAP-C;
        classification only).
    distribution : "uniform", "model", mapping or sequence
        The features' marginals (see :func:`~gamexplain.distributions.resolve_distribution`).
    method : str
        ``"auto"`` or a registered algorithm: ``"closed-form"`` (score),
        ``"partial-sums"`` (label), ``"brute"`` (small finite models).
    max_states : int
        Budget of one dynamic-programming table (label).
    time_limit : float, optional
        Seconds the dynamic program may run before it reports bounds.

    Returns
    -------
    ShapResult, or ShapBatchResult for 2-D ``x``.

    Notes
    -----
    Score: O(Σ_i p_i) exact means, theorem ``thm:shap-score-closed-form``. Label:
    #P-complete in general (``thm:shap-label-sharp-p``); pseudo-polynomial by dynamic
    programming over partial sums (``thm:shap-label-dp``), with certified bounds when
    the sums are too many (``thm:label-bounds``).

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
    check_gam(gam, "shap_values")
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
    distribution: Any = "uniform",
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
) -> BanzhafResult:
    """Banzhaf values of the score or of the predicted label of ``x``.

    Parameters and algorithms as in :func:`shap_values` (one instance only); every
    coalition of the other features weighs 1/2^(n−1).

    Notes
    -----
    Score: the Shapley closed form (both weightings agree on an additive value
    function; a pair term splits evenly either way), ``thm:shap-score-closed-form``.
    Label: the same dynamic program with equal weights (``thm:shap-label-dp``,
    ``thm:label-bounds``). Banzhaf values are not efficient: base + Σ φ need not equal
    the output.
    """
    result = _attributions(
        gam, x, "banzhaf", output, distribution, method, max_states, time_limit, "banzhaf_values"
    )
    assert isinstance(result, BanzhafResult)
    return result


# -- validation and dispatch -----------------------------------------------------------------------
def _attribution_iv(
    gam: GAM, output: str, method: str, max_states: int, time_limit: float | None, caller: str
) -> str:
    """Validate the options; return the registry query."""
    if output not in ("score", "label"):
        raise InvalidParameterError(
            f"The 'output' parameter of {caller} must be one of {{'score', 'label'}}. "
            f"Got {output!r} instead."
        )
    if output == "label" and not isinstance(gam.task, Classification):
        raise InvalidParameterError(
            f"The 'output' parameter of {caller} can be 'label' only for a classifier; "
            f"the model is a {gam.task.kind} model."
        )
    prefix = "shap" if caller == "shap_values" else "banzhaf"
    query = f"{prefix}-{output}"
    check_method(method, query, caller)
    check_budget(max_states, time_limit, caller)
    return query


def check_method(method: str, query: str, caller: str) -> None:
    """Raise :class:`InvalidParameterError` unless ``method`` names an algorithm of ``query``."""
    names = ["auto", *sorted({s.name for s in registered_algorithms(query)})]
    if method not in names:
        allowed = ", ".join(repr(n) for n in names)
        raise InvalidParameterError(
            f"The 'method' parameter of {caller} must be one of {{{allowed}}}. "
            f"Got {method!r} instead."
        )


def check_budget(max_states: int, time_limit: float | None, caller: str) -> None:
    """Raise :class:`InvalidParameterError` for a non-positive state budget or time limit."""
    if isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 1:
        raise InvalidParameterError(
            f"The 'max_states' parameter of {caller} must be an int ≥ 1. Got {max_states!r} "
            "instead."
        )
    bad_time = isinstance(time_limit, bool) or not isinstance(time_limit, int | float)
    if time_limit is not None and (bad_time or not time_limit > 0):
        raise InvalidParameterError(
            f"The 'time_limit' parameter of {caller} must be None or a number > 0. "
            f"Got {time_limit!r} instead."
        )


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

    query = _attribution_iv(check_gam(gam, caller), output, method, max_states, time_limit, caller)
    instance = gam.instance(x)
    model = resolve_distribution(gam, distribution, caller)
    entry, spec, _ = select_algorithm(model, query, method, {})
    started = time.perf_counter()
    estimate: Estimate = spec.func(
        model, instance, output=output, kind=kind, max_states=max_states, time_limit=time_limit
    )
    seconds = time.perf_counter() - started
    marginals = tuple(f.distribution for f in model.features)
    cls = ShapResult if kind == "shapley" else BanzhafResult
    return cls(
        **_fields(estimate, marginals),
        algorithm=spec.name,
        cell=str(entry.cell),
        stats=Stats(seconds=seconds, work={"dp_states": estimate.work}),
        output=output,
        feature_names=model.feature_names,
        instance=instance,
    )


def _fields(estimate: Estimate, marginals: tuple[Any, ...]) -> dict[str, Any]:
    assert estimate.base_lower is not None and estimate.base_upper is not None
    exact = estimate.exact
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
        "status": "solved" if exact else estimate.status,
        "message": "" if exact else "the bounds did not meet within the budget",
        "certificate": AttributionCertificate(
            estimate.lower,
            estimate.upper,
            estimate.base_lower,
            estimate.base_upper,
            marginals,
            estimate.certificate,
        ),
    }


def round_down(value: Fraction) -> float:
    """The largest float ≤ ``value``."""
    f = float(value)
    return math.nextafter(f, -math.inf) if Fraction(f) > value else f


def round_up(value: Fraction) -> float:
    """The smallest float ≥ ``value``."""
    f = float(value)
    return math.nextafter(f, math.inf) if Fraction(f) < value else f


def _batch(gam: GAM, X: Any, output: str, distribution: Any, method: str) -> ShapBatchResult:
    import time

    if output != "score":
        raise InvalidParameterError(
            "The 'x' parameter of shap_values takes a 2-D array of rows only with "
            f"output='score'. Got output={output!r} instead."
        )
    check_method(method, "shap-score", "shap_values")
    if method not in ("auto", "closed-form"):
        raise InvalidParameterError(
            "The 'method' parameter of shap_values must be 'auto' or 'closed-form' for a "
            f"2-D array of rows. Got {method!r} instead."
        )
    model = resolve_distribution(gam, distribution, "shap_values")
    entry, spec, _ = select_algorithm(model, "shap-score", "closed-form", {})
    started = time.perf_counter()
    columns = model._matrix(X)
    values, base = score_attributions_batch(model, columns)
    return ShapBatchResult(
        values=values,
        base_value=base,
        feature_names=model.feature_names,
        rows=np.asarray(X, dtype=object),
        exact=False,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=tuple(f.distribution for f in model.features),
        message="float fast path; explain one row for exact rational values",
        stats=Stats(seconds=time.perf_counter() - started),
    )


# -- verification helpers -------------------------------------------------------------------------
def _rebuild(gam: GAM, marginals: Sequence[Any]) -> GAM:
    return resolve_distribution(gam, list(marginals), "verify")


def _consistent(result: ShapResult, cert: AttributionCertificate) -> bool:
    ordered = all(a <= b for a, b in zip(cert.lower, cert.upper, strict=True))
    ordered = ordered and cert.base_lower <= cert.base_upper
    inside = all(
        lo <= v <= hi for lo, v, hi in zip(result.lower, result.values, result.upper, strict=True)
    )
    meets = cert.lower == cert.upper and cert.base_lower == cert.base_upper
    claims = result.exact and result.exact_values == cert.lower
    return ordered and inside and (meets == result.exact) and (claims or not result.exact)


def _explained_output(model: GAM, x: tuple[Any, ...], output: str) -> Fraction:
    if output == "label":
        assert isinstance(model.task, Classification)
        return Fraction(model.task.label_exact(model.score_exact(x)))
    return Fraction(model.score_exact(x))


def _reference(result: ShapResult, model: GAM) -> tuple[tuple[Fraction, ...], Fraction] | None:
    """Exact values and base value recomputed by a route other than the one that ran."""
    if result.output == "score":
        values, base = _independent_score(model, result.instance)
        return values, base
    if result.algorithm != "brute":
        if brute_force_applies(model, {"brute_force_limit": VERIFY_BRUTE_LIMIT}) is not None:
            return None
        found = brute_attributions(model, result.instance, output="label", kind=result.kind)
    else:
        if partial_sums_applies(model, {}) is not None:
            return None
        found = label_attributions(model, result.instance, kind=result.kind)
        if not found.exact:
            return None
    assert found.base_lower is not None
    return found.lower, found.base_lower


def _contains(
    cert: AttributionCertificate, reference: tuple[tuple[Fraction, ...], Fraction]
) -> bool:
    values, base = reference
    inside = all(lo <= v <= hi for lo, v, hi in zip(cert.lower, values, cert.upper, strict=True))
    return inside and cert.base_lower <= base <= cert.base_upper


def _independent_score(model: GAM, x: tuple[Any, ...]) -> tuple[tuple[Fraction, ...], Fraction]:
    """Shapley values of the score from sympy means and four-coalition pair games."""
    n = model.n_features
    means = [_integrated_mean(f) for f in model.features]
    values = [
        Fraction(f.contribution_exact(v)) - m
        for f, v, m in zip(model.features, x, means, strict=True)
    ]
    base = Fraction(model.intercept) + sum(means, Fraction(0))
    for pair in model.pairs:
        i, j = pair.features
        p = bin_probabilities(pair, 0, model.features[i])
        q = bin_probabilities(pair, 1, model.features[j])
        a = pair.bin_of(0, model.features[i], x[i])
        b = pair.bin_of(1, model.features[j], x[j])

        game = _PairGame(i, j, a, b, p, q, [[Fraction(v) for v in row] for row in pair.values])
        for me, other in ((i, j), (j, i)):
            # coalitions of the others that matter: with or without the pair partner
            values[me] += sum(
                (
                    coalition_weight("shapley", 2, len(s)) * (game.value(s | {me}) - game.value(s))
                    for s in (frozenset(), frozenset({other}))
                ),
                Fraction(0),
            )
        base += game.value(frozenset())
    assert len(values) == n
    return tuple(values), base


@dataclass(frozen=True)
class _PairGame:
    """A pair term as a game: v(fixed) = E[g] with the fixed features at their bins."""

    i: int
    j: int
    a: int
    b: int
    p: list[Fraction]
    q: list[Fraction]
    g: list[list[Fraction]]

    def value(self, fixed: frozenset[int]) -> Fraction:
        rows = [(self.a, Fraction(1))] if self.i in fixed else list(enumerate(self.p))
        cols = [(self.b, Fraction(1))] if self.j in fixed else list(enumerate(self.q))
        return sum((pr * pc * self.g[r][c] for r, pr in rows for c, pc in cols), Fraction(0))


def _integrated_mean(feature: Feature) -> Fraction:
    """E[β_i·f_i(X_i)] by sympy: sums over values, integrals or sums over pieces."""
    pieces = lower(feature)
    if isinstance(pieces[0], Point):
        return sum(
            (p * Fraction(feature.contribution_exact(v)) for v, p in point_probabilities(feature)),
            Fraction(0),
        )
    t = sympy.Symbol("t", real=True)
    point_domain = is_point_domain(feature)
    total = sympy.Integer(0)
    for segment, mass in zip(pieces, segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        if not mass:
            continue
        poly = sum(
            (to_sympy(c) * (t - to_sympy(segment.anchor)) ** r
             for r, c in enumerate(segment.coefficients)),
            sympy.Integer(0),
        )  # fmt: skip
        low, high = to_sympy(segment.low), to_sympy(segment.high)
        if point_domain:
            average = poly.subs(t, low)
        elif segment.integers:
            average = sympy.summation(poly, (t, low, high)) / (high - low + 1)
        else:
            antiderivative = sympy.Poly(poly, t).integrate()
            average = (antiderivative.eval(high) - antiderivative.eval(low)) / (high - low)
        total += to_sympy(mass) * average
    # integrals and sums of rational polynomials between rational ends are rational
    exact = sympy.Rational(sympy.expand(total))
    return Fraction(int(exact.p), int(exact.q))
