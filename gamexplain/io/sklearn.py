"""Load a scikit-learn spline pipeline as an exact :class:`~gamexplain.model.gam.GAM`.

A ``SplineTransformer`` followed by a linear model is an additive model: feature i
contributes Σ_j w_ij·B_ij(x_i). ``from_sklearn`` turns each such sum into its exact
piecewise polynomial, including the transformer's behaviour beyond the training range
(``extrapolation`` = ``constant``, ``linear``, ``continue``, ``periodic``, ``error``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._splines import ExactPieces, Extension, bspline_pieces
from gamexplain.model.domains import Domain, Interval
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.shapes import Piecewise, Shape
from gamexplain.model.task import Task

__all__ = ["from_sklearn"]

_LINEAR_MODELS = ("LinearRegression", "Ridge", "LogisticRegression")


def from_sklearn(
    pipeline: Any,
    *,
    domains: Mapping[int | str, Domain] | None = None,
    names: Sequence[str] | None = None,
    tolerance: float = 0.0,
) -> GAM:
    """Convert a fitted spline pipeline exactly.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        ``SplineTransformer`` or a ``ColumnTransformer`` of ``SplineTransformer``,
        ``"passthrough"`` and ``"drop"`` parts, followed by ``LinearRegression``,
        ``Ridge`` or a binary ``LogisticRegression``.
    domains : mapping of feature position or name to Domain, optional
        Default: the spline's base interval (the training range). A wider domain follows
        the transformer's extrapolation (``error`` forbids it). Passthrough and dropped
        columns have no stored range and need a domain here. With ``constant`` or
        ``linear`` extrapolation the shape gets one tail piece beyond each end (and
        ``continue`` prolongs its end pieces), so rows beyond the domain are scored and
        explained (:meth:`~gamexplain.GAM.covering`) as scikit-learn predicts them;
        ``periodic`` pieces are tiled over the domain only.
    names : sequence of str or DataFrame, optional
        Feature names (a DataFrame gives its column names); the pipeline's
        ``feature_names_in_`` or ``x0``, ``x1``, ….
    tolerance : float, default 0.0
        **Set it for a regression** (``LinearRegression``, ``Ridge``). Sufficient and
        contrastive reasons of a regression keep the score within ``tolerance`` of f(x);
        at the default 0 they must pin the score exactly, so on a fitted regressor the
        sufficient reason is nearly always every feature. A classifier takes none.

    Returns
    -------
    GAM
        Regression on the prediction, or ``Classification(0, ">")`` for
        ``LogisticRegression`` (class 1 iff its decision function is > 0).

    Raises
    ------
    UnsupportedModelError
        Any other step (scalers, polynomial features, interactions), a multi-output or
        multiclass model, or a spline of degree above 3.
    InvalidParameterError
        Bad ``names`` or ``domains``; a negative or NaN ``tolerance``, or a non-zero one
        for a ``LogisticRegression``.

    Notes
    -----
    O(n_knots · degree³) rational operations per feature (``thm:sklearn-spline-exact``).
    """
    steps = _steps(pipeline)
    *transforms, model = steps
    if type(model).__name__ not in _LINEAR_MODELS:
        raise UnsupportedModelError(
            f"the last step must be one of {_LINEAR_MODELS}, got {type(model).__name__}"
        )
    if len(transforms) != 1:
        raise UnsupportedModelError(
            "expected exactly one transformer step (SplineTransformer or ColumnTransformer), "
            f"got {[type(t).__name__ for t in transforms]}"
        )
    weights, intercept, task = _linear(model, tolerance)
    parts = _parts(transforms[0])
    n_features = int(transforms[0].n_features_in_)
    known = getattr(transforms[0], "feature_names_in_", None)
    labels = kit.feature_names(
        names, kit.default_names(n_features) if known is None else known, "from_sklearn"
    )
    chosen = kit.positions(domains, labels, "from_sklearn")
    shapes: dict[int, tuple[Domain, Shape]] = {}
    offset = 0
    for kind, spline, columns in parts:
        _check_spline(spline, len(columns))
        for position, column in enumerate(columns):
            width = _width(kind, spline)
            w = weights[offset : offset + width]
            offset += width
            shapes[column] = _shape(kind, spline, position, w, chosen.get(column), labels[column])
    if offset != len(weights):
        raise UnsupportedModelError(f"{len(weights)} coefficients for {offset} columns")
    features = []
    for i in range(n_features):
        if i not in shapes:
            domain = kit.required_domain(chosen, i, labels[i], "is dropped by the pipeline")
            shapes[i] = (domain, kit.zero_shape(domain))
        features.append(Feature(labels[i], *shapes[i]))
    return GAM(features=features, intercept=float(intercept), task=task)


def _steps(pipeline: Any) -> list[Any]:
    if type(pipeline).__name__ == "Pipeline":
        return [step for _, step in pipeline.steps if step not in (None, "passthrough")]
    raise UnsupportedModelError(f"from_sklearn needs a Pipeline, got {type(pipeline).__name__}")


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


def _parts(transform: Any) -> list[tuple[str, Any, list[int]]]:
    """(kind, SplineTransformer or None, input columns) in output-column order."""
    name = type(transform).__name__
    if name == "SplineTransformer":
        return [("spline", transform, list(range(int(transform.n_features_in_))))]
    if name != "ColumnTransformer":
        raise UnsupportedModelError(f"{name} is not a spline transformer")
    parts = []
    for label, part, columns in transform.transformers_:
        cols = _column_indices(transform, columns)
        if part == "drop" or not cols:
            continue
        if part == "passthrough" or _identity(part):
            parts.append(("passthrough", None, cols))
        elif type(part).__name__ == "SplineTransformer":
            parts.append(("spline", part, cols))
        else:
            raise UnsupportedModelError(
                f"column transformer part {label!r} ({type(part).__name__}) is not a spline"
            )
    return parts


def _identity(part: Any) -> bool:
    """A fitted ColumnTransformer stores 'passthrough' as a FunctionTransformer(None)."""
    return type(part).__name__ == "FunctionTransformer" and part.func is None


def _column_indices(transform: Any, columns: Any) -> list[int]:
    items = [columns] if isinstance(columns, str | int) else list(np.ravel(columns))
    if items and all(isinstance(c, bool | np.bool_) for c in items):
        return [i for i, keep in enumerate(items) if keep]
    names = list(getattr(transform, "feature_names_in_", []))
    return [names.index(c) if isinstance(c, str) else int(c) for c in items]


def _check_spline(spline: Any, n_columns: int) -> None:
    if spline is None:
        return
    if spline.extrapolation == "linear" and spline.degree <= 1 and n_columns > 1:
        # SplineTransformer.transform raises its loop's `degree` for every feature it
        # extrapolates linearly, so features after the first use the wrong boundary knots
        raise UnsupportedModelError(
            "SplineTransformer(degree<=1, extrapolation='linear') on several features does "
            "not evaluate its own splines after the first feature; refit with degree >= 2, "
            "another extrapolation, or one transformer per feature"
        )


def _width(kind: str, spline: Any) -> int:
    if kind == "passthrough":
        return 1
    return int(spline.bsplines_[0].c.shape[1]) - (0 if spline.include_bias else 1)


def _shape(
    kind: str, spline: Any, position: int, weights: np.ndarray, domain: Domain | None, label: str
) -> tuple[Domain, Piecewise]:
    if kind == "passthrough":
        domain = kit.required_domain(
            {} if domain is None else {0: domain}, 0, label, "is passed through"
        )
        low, high = kit.span(domain)
        slope = Fraction(float(weights[0]))
        line = ExactPieces([low, max(high, low + 1)], [(slope * low, slope)])
        return domain, line.to_piecewise(label)
    bspline = spline.bsplines_[position]
    w = [Fraction(float(v)) for v in weights]
    if not spline.include_bias:
        w.append(Fraction(0))
    basis = np.asarray(bspline.c, dtype=float)
    coefs = [sum((Fraction(float(b)) * wj for b, wj in zip(row, w, strict=True)), Fraction(0))
             for row in basis]  # fmt: skip
    knots, degree = np.asarray(bspline.t, dtype=float), int(bspline.k)
    pieces = bspline_pieces(knots, [float(c) for c in coefs], degree)
    base = Interval(float(pieces.cuts[0]), float(pieces.cuts[-1]))
    chosen = domain if domain is not None else base
    low, high = kit.span(chosen)
    pieces = _extrapolate(pieces, spline.extrapolation, degree, low, high, label)
    if spline.extrapolation in ("constant", "linear"):
        # a tail piece beyond each end: a shape's outermost pieces extend to every
        # number, so they must be scikit-learn's own extrapolation
        reach = max(high - low, Fraction(1))
        mode = spline.extrapolation
        pieces = _extrapolate(pieces, mode, degree, low - reach, high + reach, label)
    return chosen, pieces.to_piecewise(label)


def _extrapolate(
    pieces: ExactPieces, mode: str, degree: int, low: Fraction, high: Fraction, label: str
) -> ExactPieces:
    if low >= pieces.cuts[0] and high <= pieces.cuts[-1]:
        return pieces
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
