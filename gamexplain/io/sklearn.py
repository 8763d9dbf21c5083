"""Load a scikit-learn spline pipeline as an exact :class:`~gamexplain.model.gam.GAM`.

A ``SplineTransformer`` followed by a linear model is an additive model: feature i
contributes Σ_j w_ij·B_ij(u_i). ``from_sklearn`` turns each such sum into its exact
piecewise polynomial, including the transformer's behaviour beyond the training range
(``extrapolation`` = ``constant``, ``linear``, ``continue``, ``periodic``, ``error``).
When per-feature scalers come first, u_i = a·x_i + b is affine and is composed into the
breakpoints and coefficients (:mod:`gamexplain.io._affine`); a column that reaches the
linear model without a spline contributes the line w·(a·x_i + b).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial, reduce
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._affine import (
    SCALERS,
    Affine,
    clamped,
    clip_range,
    drop_slivers,
    prolong,
    pull_back,
    scaler_maps,
)
from gamexplain.io._splines import ExactPieces, Extension, bspline_pieces
from gamexplain.model.domains import Domain, Interval
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Shape
from gamexplain.model.task import Classification, Multiclass, Regression, Task

__all__ = ["from_sklearn"]

_LINEAR_MODELS = ("LinearRegression", "Ridge", "LogisticRegression")


@dataclass(frozen=True)
class _Basis:
    """Basis function ``index`` of the ``position``-th input of a SplineTransformer."""

    source: Affine
    spline: Any
    position: int
    index: int


_Column = Affine | _Basis


def from_sklearn(
    pipeline: Any,
    *,
    domains: Mapping[int | str, Domain] | None = None,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Convert a fitted spline pipeline, scalers included, exactly.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Transformer steps followed by ``LinearRegression``, ``Ridge`` or a binary
        ``LogisticRegression``. Each transformer step is one of:

        - ``StandardScaler``, ``MinMaxScaler``, ``RobustScaler`` or ``MaxAbsScaler``
          (any options, ``clip=True`` included), on raw or already scaled columns;
        - ``SplineTransformer``, on raw or scaled columns;
        - a ``ColumnTransformer`` whose parts (columns chosen by position, name or
          mask; ``remainder`` ``"passthrough"`` or ``"drop"``) are ``"passthrough"``,
          ``"drop"``, any of the above, or a ``Pipeline`` of them;
        - ``"passthrough"`` or ``None``.

        A column that reaches the model without a spline (passed through, possibly
        scaled) is a linear term. A feature may feed several columns; its terms add.
    domains : mapping of feature position or name to Domain, optional
        Taken first. A wider domain than the training range follows the transformer's
        extrapolation (``error`` forbids it). Each shape's outermost pieces are
        scikit-learn's own tails (a line, ``constant``, ``linear`` or ``continue``
        extrapolation, a clipping scaler's constant), so rows beyond the domain are
        scored as scikit-learn scores them; ``periodic`` is tiled over the domain only.
    X : array-like of shape (n_samples, n_features), optional
        The raw (unscaled) training data: a feature without a given domain takes its
        observed range, ``Integers`` when every value is whole, else ``Interval``.
    names : sequence of str or DataFrame, optional
        Feature names (a DataFrame gives its column names); the pipeline's
        ``feature_names_in_`` (set when fitted on a DataFrame) or ``x0``, ``x1``, ….
    tolerance : float, default 0.0
        **Set it for a regression** (``LinearRegression``, ``Ridge``). Sufficient and
        contrastive reasons of a regression keep the score within ``tolerance`` of f(x);
        at the default 0 they must pin the score exactly, so on a fitted regressor the
        sufficient reason is nearly always every feature. A classifier takes none.

    Returns
    -------
    GAM or MulticlassGAM
        Regression on the prediction, or ``Classification(0, ">")`` for a binary
        ``LogisticRegression`` (class 1 iff its decision function is > 0). A
        ``LogisticRegression`` with three or more classes (multinomial) gives a
        :class:`~gamexplain.model.multiclass.MulticlassGAM` with one score model per
        row of ``coef_``, labels from ``classes_``.

    Raises
    ------
    UnsupportedModelError
        Any other step (``PolynomialFeatures``, ``Normalizer``, ``QuantileTransformer``,
        a ``FunctionTransformer`` with a function, a scaler or a second spline after a
        spline), named with its position; scaling parameters that are not finite and
        positive; a multi-output regression; a spline of degree above 3.
    InvalidParameterError
        An unfitted pipeline; bad ``names``, ``domains`` or ``X``; a feature with no
        domain (one that reaches the model only linearly, or not at all, needs
        ``domains`` or ``X``); a negative or NaN ``tolerance``, or a non-zero one for a
        ``LogisticRegression``.

    Notes
    -----
    O(n_knots · degree³) rational operations per feature (``thm:sklearn-spline-exact``).
    With no ``domains`` or ``X``, a splined feature's domain is the spline's base
    interval (its training range) mapped back through the scalers, widened by 2^-41 of
    the magnitudes involved per scaler so that the training extremes stay inside
    despite scikit-learn's rounding (not at all without scalers); ``X`` gives the
    exact training range. A clipping scaler holds its columns' terms constant beyond
    the x where it clips. The composition is exact in rationals of the stored float64
    parameters; scikit-learn computes (x − mean)/scale in floats, so the two agree to
    float64 rounding (relative 1e-12 of the terms' size in the tests), not bit for
    bit. Breakpoints and coefficients are stored as float64 (each rounded once, the
    polynomials re-expanded exactly around the rounded breakpoints).
    """
    if type(pipeline).__name__ != "Pipeline":
        raise UnsupportedModelError(f"from_sklearn needs a Pipeline, got {type(pipeline).__name__}")
    _check_fitted(pipeline)
    (*steps, (_, model)) = pipeline.steps
    if type(model).__name__ not in _LINEAR_MODELS:
        raise UnsupportedModelError(
            f"the last step must be one of {_LINEAR_MODELS}, got {type(model).__name__}"
        )
    if _multinomial(model):
        return _multiclass(pipeline, steps, model, names, domains, X, tolerance)
    weights, intercept, task = _linear(model, tolerance)
    first = next(s for _, s in pipeline.steps if hasattr(s, "n_features_in_"))
    n_features = int(first.n_features_in_)
    known = getattr(first, "feature_names_in_", None)
    labels = kit.feature_names(
        names, kit.default_names(n_features) if known is None else known, "from_sklearn"
    )
    columns: list[_Column] = [Affine(i) for i in range(n_features)]
    for label, step in steps:
        columns = _through(step, columns, f"pipeline step {label!r}")
    if len(columns) != len(weights):
        raise UnsupportedModelError(f"{len(weights)} coefficients for {len(columns)} columns")
    chosen = kit.positions(domains, labels, "from_sklearn")
    observed = None if X is None else kit.domains_from_data(X, n_features, "from_sklearn")
    return _gam(columns, weights, intercept, task, labels, chosen, observed)


def _gam(
    columns: list[_Column],
    weights: np.ndarray,
    intercept: Fraction,
    task: Task,
    labels: Sequence[str],
    chosen: Mapping[int, Domain],
    observed: list[Domain] | None,
) -> GAM:
    terms = _terms(columns, weights)
    features = [
        Feature(labels[i], *_feature(terms.get(i, []), chosen.get(i), observed, i, labels[i]))
        for i in range(len(labels))
    ]
    return GAM(features=features, intercept=float(intercept), task=task)


def _multinomial(model: Any) -> bool:
    """A LogisticRegression with one row of coefficients per class (three or more)."""
    return (
        type(model).__name__ == "LogisticRegression"
        and np.ndim(model.coef_) == 2
        and (np.shape(model.coef_)[0] > 1)
    )


def _multiclass(
    pipeline: Any,
    steps: list[Any],
    model: Any,
    names: Any,
    domains: Any,
    X: Any,
    tolerance: float,
) -> MulticlassGAM:
    """A multinomial LogisticRegression: one score model per class over the same columns
    (its ``decision_function`` is the K scores, ``predict`` their argmax)."""
    kit.with_tolerance(Classification(), tolerance, "from_sklearn")
    first = next(s for _, s in pipeline.steps if hasattr(s, "n_features_in_"))
    n_features = int(first.n_features_in_)
    known = getattr(first, "feature_names_in_", None)
    labels = kit.feature_names(
        names, kit.default_names(n_features) if known is None else known, "from_sklearn"
    )
    columns: list[_Column] = [Affine(i) for i in range(n_features)]
    for label, step in steps:
        columns = _through(step, columns, f"pipeline step {label!r}")
    coef = np.asarray(model.coef_, dtype=float)
    if coef.shape[1] != len(columns):
        raise UnsupportedModelError(f"{coef.shape[1]} coefficients for {len(columns)} columns")
    chosen = kit.positions(domains, labels, "from_sklearn")
    observed = None if X is None else kit.domains_from_data(X, n_features, "from_sklearn")
    scores = [
        _gam(columns, coef[c], Fraction(float(b)), Regression(), labels, chosen, observed)
        for c, b in enumerate(np.ravel(model.intercept_))
    ]
    return MulticlassGAM(Multiclass(model.classes_), scores)


def _check_fitted(pipeline: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(pipeline)
    except NotFittedError as exc:
        raise InvalidParameterError(
            "The 'pipeline' parameter of from_sklearn must be a fitted Pipeline. Got an "
            "unfitted one instead."
        ) from exc


def _linear(model: Any, tolerance: float) -> tuple[np.ndarray, Fraction, Task]:
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
    if coef.shape[0] != 1:
        raise UnsupportedModelError(
            f"{type(model).__name__} has {coef.shape[0]} outputs; only one is additive-binary"
        )
    intercept = Fraction(float(np.ravel(np.asarray(model.intercept_, dtype=float))[0]))
    classes = len(model.classes_) if type(model).__name__ == "LogisticRegression" else None
    task = kit.binary_task(
        classes, "LogisticRegression models", tolerance=tolerance, caller="from_sklearn"
    )
    return coef[0], intercept, task


def _through(step: Any, columns: list[_Column], where: str) -> list[_Column]:
    """The columns a fitted transformer outputs, each traced back to one raw feature."""
    if step is None or (isinstance(step, str) and step == "passthrough") or _identity(step):
        return columns
    name = type(step).__name__
    width = getattr(step, "n_features_in_", len(columns))
    if width != len(columns):
        raise UnsupportedModelError(f"{where} ({name}) takes {width} columns, not {len(columns)}")
    if name == "Pipeline":
        for label, sub in step.steps:
            columns = _through(sub, columns, f"{where}, step {label!r}")
        return columns
    if name == "ColumnTransformer":
        return _routed(step, columns)
    if name in SCALERS:
        maps, clip = scaler_maps(step, f"{where} ({name})"), clip_range(step)
        return [_scaled(c, scale, shift, clip, where, name) for c, (scale, shift) in
                zip(columns, maps, strict=True)]  # fmt: skip
    if name == "SplineTransformer":
        return _splined(step, columns, where)
    raise UnsupportedModelError(
        f"{where} ({name}) is not supported: from_sklearn composes only the affine scalers "
        f"{SCALERS}, SplineTransformer, ColumnTransformer and Pipeline of them, and "
        "'passthrough'"
    )


def _identity(part: Any) -> bool:
    """A fitted ColumnTransformer stores 'passthrough' as a FunctionTransformer(None)."""
    return type(part).__name__ == "FunctionTransformer" and part.func is None


def _routed(transform: Any, columns: list[_Column]) -> list[_Column]:
    out: list[_Column] = []
    for label, part, selected in transform.transformers_:
        cols = _column_indices(transform, selected)
        if (isinstance(part, str) and part == "drop") or not cols:
            continue
        out.extend(_through(part, [columns[i] for i in cols], f"column transformer part {label!r}"))
    return out


def _column_indices(transform: Any, columns: Any) -> list[int]:
    items = [columns] if isinstance(columns, str | int) else list(np.ravel(columns))
    if items and all(isinstance(c, bool | np.bool_) for c in items):
        return [i for i, keep in enumerate(items) if keep]
    names = list(getattr(transform, "feature_names_in_", []))
    return [names.index(c) if isinstance(c, str) else int(c) for c in items]


def _scaled(
    column: _Column,
    scale: Fraction,
    shift: Fraction,
    clip: tuple[Fraction, Fraction] | None,
    where: str,
    name: str,
) -> Affine:
    if isinstance(column, _Basis):
        raise UnsupportedModelError(
            f"{where} ({name}) scales the output of a SplineTransformer; from_sklearn "
            "composes scalers only before a spline"
        )
    mapped = column.then(scale, shift)
    return mapped if clip is None else mapped.clipped(*clip)


def _splined(spline: Any, columns: list[_Column], where: str) -> list[_Column]:
    _check_spline(spline, len(columns))
    width = int(spline.bsplines_[0].c.shape[1]) - (0 if spline.include_bias else 1)
    out: list[_Column] = []
    for position, column in enumerate(columns):
        if isinstance(column, _Basis):
            raise UnsupportedModelError(
                f"{where} (SplineTransformer) takes the output of another spline"
            )
        out.extend(_Basis(column, spline, position, j) for j in range(width))
    return out


@dataclass
class _Term:
    """What one raw feature adds through one spline input (Σ_j weights[j]·B_j(u)), or
    through one linear column (``spline`` None: weights[0]·u), u = source(x)."""

    source: Affine
    spline: Any = None
    position: int = 0
    weights: dict[int, Fraction] = field(default_factory=dict)


def _terms(columns: list[_Column], weights: np.ndarray) -> dict[int, list[_Term]]:
    """The terms of each raw feature: one per (spline, position) and one per line."""
    grouped: dict[tuple[int, int], _Term] = {}
    lines: list[_Term] = []
    for column, w in zip(columns, weights, strict=True):
        weight = Fraction(float(w))
        if isinstance(column, Affine):
            lines.append(_Term(column, weights={0: weight}))
            continue
        key = (id(column.spline), column.position)
        term = grouped.setdefault(key, _Term(column.source, column.spline, column.position))
        term.weights[column.index] = weight
    out: dict[int, list[_Term]] = {}
    for term in [*grouped.values(), *lines]:
        out.setdefault(term.source.feature, []).append(term)
    return out


def _feature(
    terms: list[_Term], given: Domain | None, observed: list[Domain] | None, i: int, label: str
) -> tuple[Domain, Shape]:
    """Feature i's domain and the sum of its terms over it."""
    lines = [term for term in terms if term.spline is None]
    splines = [_spline_pieces(term) for term in terms if term.spline is not None]
    domain = given if given is not None else None if observed is None else observed[i]
    if domain is None:
        domain = _default_domain([(pieces, slack) for pieces, slack, _ in splines], terms, label)
    if not terms:
        return domain, kit.zero_shape(domain)
    low, high = kit.span(domain)
    parts = [
        _held(
            term.source,
            *_tails(term, low, high, pieces),
            partial(_extended, pieces, slack, term.spline, label=label),
        )
        for pieces, slack, term in splines
    ]
    parts += [_held(line.source, *_tails(line, low, high), partial(_line, line)) for line in lines]
    start, end = min(p.cuts[0] for p in parts), max(p.cuts[-1] for p in parts)
    total = reduce(ExactPieces.plus, [prolong(p, start, end) for p in parts])
    return domain, drop_slivers(total).to_piecewise(label)


def _default_domain(
    splines: list[tuple[ExactPieces, tuple[Fraction, Fraction]]], terms: list[_Term], label: str
) -> Domain:
    """The splines' base intervals in x, widened by half their slack; a feature without
    a spline has no stored range."""
    if not splines:
        why = "reaches the model only linearly" if terms else "is dropped by the pipeline"
        return kit.required_domain({}, 0, label, f"{why} and no X was given")
    low = min(pieces.cuts[0] - slack[0] / 2 for pieces, slack in splines)
    high = max(pieces.cuts[-1] + slack[1] / 2 for pieces, slack in splines)
    return Interval(float(low), float(high))


def _tails(
    term: _Term, low: Fraction, high: Fraction, pieces: ExactPieces | None = None
) -> tuple[Fraction, Fraction]:
    """The span to build a term over: beyond the domain, the knots and the clip points
    when the term has tails (a line, or ``constant``, ``linear`` or ``continue``
    extrapolation), since a shape's outermost pieces reach every number
    (:meth:`~gamexplain.GAM.covering`) and must be scikit-learn's own tails; else the
    domain (``error`` has none, ``periodic`` is tiled over the domain only)."""
    if term.spline is not None and term.spline.extrapolation in ("error", "periodic"):
        return low, high
    reach = max(high - low, Fraction(1))
    ends = [low, high, *(() if pieces is None else (pieces.cuts[0], pieces.cuts[-1]))]
    ends += [c for c in (term.source.floor, term.source.ceiling) if c is not None]
    return min(ends) - reach, max(ends) + reach


def _held(
    source: Affine, low: Fraction, high: Fraction, term: Callable[[Fraction, Fraction], ExactPieces]
) -> ExactPieces:
    """``term(lo, hi)``, the term over [lo, hi], held constant where ``source`` clips."""
    lo, hi = source.clamp(low), source.clamp(high)
    if (lo, hi) == (low, high):
        return term(low, high)
    return clamped(term(lo, hi), low, high, lo, hi)


def _extended(
    pieces: ExactPieces,
    slack: tuple[Fraction, Fraction],
    spline: Any,
    low: Fraction,
    high: Fraction,
    label: str,
) -> ExactPieces:
    """The spline term over [low, high]: a gap within the scalers' rounding is closed by
    its end pieces, a wider one follows the transformer's extrapolation."""
    near_low = pieces.cuts[0] - low <= slack[0]
    near_high = high - pieces.cuts[-1] <= slack[1]
    pieces = prolong(
        pieces, low if near_low else pieces.cuts[0], high if near_high else pieces.cuts[-1]
    )
    return _extrapolate(pieces, spline.extrapolation, int(spline.degree), low, high, label)


def _spline_pieces(term: _Term) -> tuple[ExactPieces, tuple[Fraction, Fraction], _Term]:
    """Σ_j w_j·B_j(u) as pieces in the raw feature x over the base interval, and the
    rounding slack at each end."""
    bspline = term.spline.bsplines_[term.position]
    basis = np.asarray(bspline.c, dtype=float)
    w = [term.weights.get(j, Fraction(0)) for j in range(basis.shape[1])]
    coefs = [sum((Fraction(float(b)) * wj for b, wj in zip(row, w, strict=True)), Fraction(0))
             for row in basis]  # fmt: skip
    pieces = bspline_pieces(np.asarray(bspline.t, dtype=float), coefs, int(bspline.k))
    pieces = pull_back(pieces, term.source)
    slack = (term.source.slack(pieces.cuts[0]), term.source.slack(pieces.cuts[-1]))
    return pieces, slack, term


def _line(term: _Term, low: Fraction, high: Fraction) -> ExactPieces:
    weight = term.weights[0]
    end = max(high, low + 1)
    return ExactPieces(
        [low, end], [(weight * term.source.forward(low), weight * term.source.scale)]
    )


def _check_spline(spline: Any, n_columns: int) -> None:
    if spline.extrapolation == "linear" and spline.degree <= 1 and n_columns > 1:
        # SplineTransformer.transform raises its loop's `degree` for every feature it
        # extrapolates linearly, so features after the first use the wrong boundary knots
        raise UnsupportedModelError(
            "SplineTransformer(degree<=1, extrapolation='linear') on several features does "
            "not evaluate its own splines after the first feature; refit with degree >= 2, "
            "another extrapolation, or one transformer per feature"
        )


def _extrapolate(
    pieces: ExactPieces, mode: str, degree: int, low: Fraction, high: Fraction, label: str
) -> ExactPieces:
    if float(low) >= float(pieces.cuts[0]) and float(high) <= float(pieces.cuts[-1]):
        return pieces  # a gap that vanishes in float64 is the scalers' rounding
    if mode == "error":
        raise InvalidParameterError(
            f"feature {label!r}: extrapolation='error' forbids a domain beyond the knots "
            f"[{float(pieces.cuts[0])}, {float(pieces.cuts[-1])}]"
        )
    if mode == "periodic":
        return _tile(pieces, low, high)
    # scikit-learn's 'constant' sets only the first/last `degree` bases: 0 for degree 0
    kinds: dict[str, Extension] = {"constant": "constant", "linear": "linear",
                                   "continue": "continue"}  # fmt: skip
    kind = kinds[mode] if not (mode == "constant" and degree == 0) else "zero"
    pieces.extend(low, high, kind, kind)
    return pieces


def _tile(pieces: ExactPieces, low: Fraction, high: Fraction) -> ExactPieces:
    """Repeat the period [a, b) of a periodic spline over whole periods covering
    [low, high] (scikit-learn maps x to a + (x − a) mod (b − a))."""
    a, b = pieces.cuts[0], pieces.cuts[-1]
    period = b - a
    shift = ((low - a) // period) * period
    cuts: list[Fraction] = []
    polys = []
    while a + shift <= high:
        cuts.extend(c + shift for c in pieces.cuts[:-1])
        polys.extend(pieces.polys)
        shift += period
    cuts.append(a + shift)
    return ExactPieces(cuts, polys)
