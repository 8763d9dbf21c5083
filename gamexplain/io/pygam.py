"""Load a fitted pyGAM model as an exact :class:`~gamexplain.model.gam.GAM`.

pyGAM's ``s()`` terms are B-splines on uniform knots between the training range's edge
knots; beyond them pyGAM continues each basis function along its tangent. ``from_pygam``
rebuilds exactly that function: the polynomial between consecutive knots (Cox–de Boor
in rationals) and the two tangent lines outside, so the converted model predicts what
pyGAM predicts everywhere in the domain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._splines import ExactPieces, Extension, bspline_pieces, compose_affine
from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature
from gamexplain.model.shapes import MAX_DEGREE, Table
from gamexplain.model.task import Task

__all__ = ["from_pygam"]


def from_pygam(
    model: Any,
    *,
    domains: Mapping[int | str, Domain] | None = None,
    names: Sequence[str] | None = None,
    tolerance: float = 0.0,
) -> GAM:
    """Convert a fitted pyGAM ``GAM`` (``LinearGAM``, ``LogisticGAM``, …) exactly.

    Parameters
    ----------
    model : pygam.GAM
        A fitted model whose terms are ``s()``, ``l()``, ``f()`` and the intercept.
    domains : mapping of feature position or name to Domain, optional
        Overrides the default domain, the training range (the term's ``edge_knots_``).
        A wider numeric domain uses pyGAM's linear extrapolation; an ``f()`` term takes
        a ``Finite`` domain of its integer levels. Either way the shape gets one linear
        tail piece beyond each end, so rows beyond the domain are scored (and explained,
        see :meth:`~gamexplain.GAM.covering`) by pyGAM's own extrapolation.
    names : sequence of str or DataFrame, optional
        Feature names; ``x0``, ``x1``, … by default. pyGAM keeps no column names, even
        when fitted on a DataFrame: pass that DataFrame (its column names are taken) or
        its ``columns``.
    tolerance : float, default 0.0
        **Set it for a regression** (any family but ``LogisticGAM``). Sufficient and
        contrastive reasons of a regression keep the score within ``tolerance`` of f(x);
        at the default 0 they must pin the score exactly, so on a fitted regressor the
        sufficient reason is nearly always every feature. A classifier takes none.

    Returns
    -------
    GAM
        ``LogisticGAM`` → ``Classification(0, ">")`` (pyGAM predicts class 1 iff the
        probability exceeds 1/2, i.e. the linear predictor is > 0). Every other family
        → ``Regression`` on the **linear predictor** η; its links are monotone, so
        explanations of η transfer to the mean response μ = g⁻¹(η), and ``tolerance``
        is a change in η.

    Raises
    ------
    UnsupportedModelError
        A ``te()`` term, a ``by=`` term, a periodic ``s(..., basis="cp")`` term, a
        spline of order above 3, or an ``f()`` and a numeric term on one feature.
    InvalidParameterError
        Not a fitted pyGAM model; bad ``names`` or ``domains``; a negative or NaN
        ``tolerance``, or a non-zero one for a ``LogisticGAM``.

    Notes
    -----
    O(n_splines · order³) rational operations per ``s()`` term; pieces are the knot
    intervals plus at most two extrapolation pieces (``thm:pygam-exact``).
    """
    if not hasattr(model, "coef_") or not hasattr(model, "terms"):
        raise InvalidParameterError(f"from_pygam needs a fitted pyGAM model, got {model!r}")
    n_features = int(model.statistics_["m_features"])
    labels = kit.feature_names(names, kit.default_names(n_features), "from_pygam")
    overrides = kit.positions(domains, labels, "from_pygam")
    intercept = Fraction(0)
    per_feature: dict[int, list[tuple[Any, np.ndarray]]] = {}
    for index, term in enumerate(model.terms):
        coef = np.asarray(model.coef_)[model.terms.get_coef_indices(index)]
        if term.isintercept:
            intercept += Fraction(float(coef[0]))
            continue
        _check_term(term)
        per_feature.setdefault(int(term.feature), []).append((term, coef))
    features = [
        _feature(labels[i], per_feature.get(i, []), overrides.get(i)) for i in range(n_features)
    ]
    task = _task(model, tolerance)
    return GAM(features=features, intercept=float(intercept), task=task)


def _task(model: Any, tolerance: float) -> Task:
    from pygam import LogisticGAM

    classes = 2 if isinstance(model, LogisticGAM) else None
    return kit.binary_task(classes, "pyGAM models", tolerance=tolerance, caller="from_pygam")


def _check_term(term: Any) -> None:
    name = repr(term)
    if type(term).__name__ == "TensorTerm":
        raise UnsupportedModelError(f"{name} is a tensor term over several features")
    if getattr(term, "by", None) is not None:
        raise UnsupportedModelError(f"{name} has by={term.by}: it multiplies two features")
    if getattr(term, "basis", None) == "cp":
        raise UnsupportedModelError(f"{name} uses the periodic basis 'cp'")
    order = getattr(term, "spline_order", 0) or 0
    if order > MAX_DEGREE:
        raise UnsupportedModelError(f"{name} has spline order {order} > {MAX_DEGREE}")


def _feature(name: str, terms: list[tuple[Any, np.ndarray]], domain: Domain | None) -> Feature:
    if not terms:
        given = {} if domain is None else {0: domain}
        domain = kit.required_domain(given, 0, name, "has no term in the model")
        return Feature(name, domain, kit.zero_shape(domain))
    factors = [(t, c) for t, c in terms if type(t).__name__ == "FactorTerm"]
    if factors:
        if len(terms) > 1:
            raise UnsupportedModelError(f"feature {name!r} has an f() term and another term")
        return _factor(name, *factors[0], domain)
    low, high = _span(terms, domain)
    # a tail piece beyond each end: a shape's outermost pieces extend to every number, so
    # they must be pyGAM's own extrapolation, not the end spline piece
    reach = max(high - low, Fraction(1))
    pieces = None
    for term, coef in terms:
        part = _numeric_pieces(term, coef, low - reach, high + reach)
        pieces = part if pieces is None else pieces.plus(part)
    assert pieces is not None
    chosen = domain if domain is not None else Interval(float(low), float(high))
    return Feature(name, chosen, pieces.to_piecewise(f"{name}: {terms[0][0]!r}"))


def _span(terms: list[tuple[Any, np.ndarray]], domain: Domain | None) -> tuple[Fraction, Fraction]:
    """The span the pieces must cover: the edge knots, widened to the domain."""
    low = min(Fraction(float(t.edge_knots_[0])) for t, _ in terms)
    high = max(Fraction(float(t.edge_knots_[-1])) for t, _ in terms)
    if domain is not None:
        wanted = kit.span(domain)
        low, high = min(low, wanted[0]), max(high, wanted[1])
    return low, high


def _numeric_pieces(term: Any, coef: np.ndarray, low: Fraction, high: Fraction) -> ExactPieces:
    if type(term).__name__ == "LinearTerm":
        slope = Fraction(float(coef[0]))
        return ExactPieces([low, high], [(slope * low, slope)])
    pieces = _spline_pieces(term, coef)
    order = int(term.spline_order)
    # pyGAM's bases extrapolate linearly beyond the edge knots (none for order 0)
    outside: Extension = "linear" if order > 0 else "zero"
    pieces.extend(low, high, outside, outside)
    return pieces


def _spline_pieces(term: Any, coef: np.ndarray) -> ExactPieces:
    """The s() term between its edge knots, in x (pyGAM evaluates it in u = (x − a)/s)."""
    order, n_splines = int(term.spline_order), int(term.n_splines)
    edges = np.sort(np.asarray(term.edge_knots_, dtype=float))
    offset, scale = float(edges[0]), float(edges[-1] - edges[0]) or 1.0
    # the knots exactly as pyGAM's b_spline_basis builds them, in floats
    boundary = np.linspace(0, 1, 1 + n_splines - order)
    diff = np.diff(boundary[:2])[0]
    aug = np.arange(1, order + 1) * diff
    knots = np.r_[-aug[::-1], boundary, 1 + aug]
    knots[-1] += 1e-9  # pyGAM's; it moves the right end of an order-0 spline
    unit = bspline_pieces(knots, [float(c) for c in coef], order)
    a, s = Fraction(offset), Fraction(scale)
    cuts, polys = [], []
    for u, poly in zip(unit.cuts, [*unit.polys, None], strict=True):
        # the first float x that pyGAM's float u = (x − a)/s puts at or past this knot,
        # so that a value exactly at a knot lands in the same piece as in pyGAM
        x = Fraction(_first_float_at(float(u), offset, scale))
        cuts.append(x)
        if poly is not None:
            polys.append(compose_affine(poly, 1 / s, (x - a) / s - u))
    return ExactPieces(cuts, polys)


def _first_float_at(u: float, offset: float, scale: float) -> float:
    x = offset + scale * u
    while (x - offset) / scale >= u:
        x = float(np.nextafter(x, -np.inf))
    while (x - offset) / scale < u:
        x = float(np.nextafter(x, np.inf))
    return x


def _factor(name: str, term: Any, coef: np.ndarray, domain: Domain | None) -> Feature:
    low = int(np.ceil(term.edge_knots_[0]))
    levels = list(range(low, int(np.floor(term.edge_knots_[-1])) + 1))
    scores = [float(c) for c in coef]
    if term.coding == "dummy":
        scores = [0.0, *scores]
    if domain is None:
        return Feature(name, Finite(levels), Table(scores))
    if isinstance(domain, Integers):
        domain = Finite(list(range(domain.low, domain.high + 1)))
    if not isinstance(domain, Finite) or any(v not in levels for v in domain.values):
        raise InvalidParameterError(
            f"the f() term of feature {name!r} has levels {levels}; its domain must be a "
            f"Finite subset of them, got {domain!r}"
        )
    return Feature(name, domain, Table([scores[levels.index(int(v))] for v in domain.values]))
