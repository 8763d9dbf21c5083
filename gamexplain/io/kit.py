"""What every adapter does the same way, written once.

An adapter reads a fitted model and hands :class:`~gamexplain.model.gam.GAM` its parts.
Whatever the library, five steps recur: naming the features, keying the ``domains=``
option by name or position, choosing a default domain (from recorded bounds or from
training data), deciding the task from the fitted model (with the ``tolerance=`` a
regression is given), and turning bins into pieces (cut points into step pieces;
features without a term into a zero shape). Each lives here; the adapters keep only what
their library does differently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamexplain.errors import InvalidParameterError, UnsupportedModelError
from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.shapes import Piecewise, Shape, Table
from gamexplain.model.task import Classification, Regression, Task

__all__ = [
    "binary_task",
    "bins_of",
    "default_names",
    "domain_from_bounds",
    "domains_from_data",
    "feature_names",
    "positions",
    "required_domain",
    "span",
    "step_pieces",
    "with_tolerance",
    "zero_shape",
]


def default_names(n: int) -> list[str]:
    """``x0``, ``x1``, … — the names of features a model did not name."""
    return [f"x{i}" for i in range(n)]


def feature_names(
    given: Any, defaults: Sequence[str], caller: str, parameter: str = "names"
) -> tuple[str, ...]:
    """The names an adapter gives its features: ``given`` when set, else ``defaults``.

    ``given`` is a sequence of names, or a pandas ``DataFrame`` (say, the one the model
    was fitted on), whose column names are taken.

    Raises
    ------
    InvalidParameterError
        ``given`` is not ``len(defaults)`` distinct, non-empty strings.
    """
    if given is None:
        return tuple(str(name) for name in defaults)
    given = getattr(given, "columns", given)
    names = tuple(given) if not isinstance(given, str) else ()
    if (
        len(names) != len(defaults)
        or not all(isinstance(n, str) and n for n in names)
        or len(set(names)) != len(names)
    ):
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {caller} must be {len(defaults)} distinct, "
            f"non-empty strings. Got {given!r} instead."
        )
    return names


def positions(
    domains: Mapping[Any, Domain] | None, names: Sequence[str], caller: str
) -> dict[int, Any]:
    """``domains=`` re-keyed by feature position; keys are feature names or positions.

    The values are returned unchecked: which domains fit a feature is the adapter's call.
    """
    out: dict[int, Any] = {}
    for key, domain in (domains or {}).items():
        if isinstance(key, str) and key in names:
            out[list(names).index(key)] = domain
        elif isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(names):
            out[key] = domain
        else:
            raise InvalidParameterError(
                f"The 'domains' parameter of {caller} must be keyed by feature names "
                f"{list(names)} or positions. Got {key!r} instead."
            )
    return out


def required_domain(domains: Mapping[int, Domain], i: int, name: str, why: str) -> Domain:
    """The domain given for feature ``i``, which the model itself cannot supply."""
    if i not in domains:
        raise InvalidParameterError(
            f"feature {name!r} {why}, so it has no stored range: give it in `domains`"
        )
    return domains[i]


def domain_from_bounds(low: Any, high: Any) -> Interval | None:
    """``Interval(low, high)``, or None when a bound is not finite (none was recorded)."""
    low, high = float(low), float(high)
    return Interval(low, high) if math.isfinite(low) and math.isfinite(high) else None


def domains_from_data(X: ArrayLike, n_features: int, caller: str) -> list[Domain]:
    """One domain per column of training data ``X``: its observed range.

    A column whose values are all whole numbers becomes ``Integers(min, max)``; any
    other column ``Interval(min, max)``. No column becomes ``Finite``: a sample shows
    which values occurred, not which can, so categorical codes need ``domains=``.
    Missing values (NaN), which tree libraries train on, are skipped: the range is that
    of the values present.

    Raises
    ------
    InvalidParameterError
        ``X`` is not a non-empty numeric 2-D array with ``n_features`` columns, holds an
        infinity, or has a column with no value.
    """
    try:
        data = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise _bad_data(caller, n_features, X) from exc
    if data.ndim != 2 or data.shape[0] == 0 or data.shape[1] != n_features:
        raise _bad_data(caller, n_features, X)
    if np.isinf(data).any():
        raise _bad_data(caller, n_features, X)
    empty = np.flatnonzero(np.isnan(data).all(axis=0))
    if empty.size:
        raise InvalidParameterError(
            f"The 'X' parameter of {caller} must give every one of its {n_features} columns "
            f"a value in some row. Got column {int(empty[0])} with no value (all NaN) instead: "
            "give that feature's range in `domains`."
        )
    return [_column_domain(column[~np.isnan(column)]) for column in data.T]


def _column_domain(column: NDArray[np.float64]) -> Domain:
    low, high = float(column.min()), float(column.max())
    if np.all(column == np.round(column)):
        return Integers(int(low), int(high))
    return Interval(low, high)


def _bad_data(caller: str, n_features: int, X: Any) -> InvalidParameterError:
    return InvalidParameterError(
        f"The 'X' parameter of {caller} must be a non-empty array of numbers (NaN for a "
        f"missing value, no infinities) with {n_features} columns. Got {type(X).__name__} "
        f"of shape {np.shape(X)} instead."
    )


def binary_task(
    n_classes: int | None, what: str, *, tolerance: float = 0.0, caller: str = "the adapter"
) -> Task:
    """The task of a fitted model with ``n_classes`` classes (None: a regressor).

    A binary classifier predicts class 1 when its score is > 0, the convention of every
    library read here (EBM, pyGAM's ``LogisticGAM``, scikit-learn, MLP logits). A
    regressor gets ``Regression(tolerance)``, checked by :func:`with_tolerance`.

    Raises
    ------
    UnsupportedModelError
        More than two classes, or fewer than two.
    InvalidParameterError
        A bad ``tolerance``, or a non-zero one for a classifier.
    """
    if n_classes is None:
        return with_tolerance(Regression(), tolerance, caller)
    if n_classes > 2:
        raise UnsupportedModelError(
            f"multiclass {what} ({n_classes} classes) are not yet supported; "
            "gamexplain loads binary classifiers and regressors"
        )
    if n_classes < 2:
        raise UnsupportedModelError(f"{what} fitted on a single class have no decision")
    return with_tolerance(Classification(threshold=0.0, positive=">"), tolerance, caller)


def with_tolerance(task: Task, tolerance: Any, caller: str) -> Task:
    """``task`` with the ``tolerance=`` an adapter was given: the one rule for it.

    A regression's sufficient and contrastive reasons keep the score within
    ``tolerance`` of f(x); at 0 (every adapter's default) a reason must pin the score
    exactly, which on a fitted model usually takes every feature. A tolerance of 0
    leaves ``task`` as it is.

    Raises
    ------
    InvalidParameterError
        ``tolerance`` is not a finite number ≥ 0 (NaN, negative, a bool, a string …);
        it is non-zero and ``task`` is a classification, whose reasons keep the class
        and take no tolerance; or ``task`` already has a different non-zero tolerance.
    """
    value = _tolerance(tolerance, caller)
    if value == 0 or not isinstance(task, Classification | Regression):
        return task  # GAM itself rejects a task that is neither
    if isinstance(task, Classification):
        raise InvalidParameterError(
            f"The 'tolerance' parameter of {caller} applies to regression models only; "
            f"this model is a binary classifier, whose reasons keep its class. Got "
            f"{tolerance!r} instead of the default 0."
        )
    if task.tolerance not in (0.0, value):
        raise InvalidParameterError(
            f"The 'tolerance' parameter of {caller} conflicts with the task's own "
            f"tolerance {task.tolerance!r}: give it once. Got {tolerance!r}."
        )
    return Regression(tolerance=value)


def _tolerance(tolerance: Any, caller: str) -> float:
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or tolerance < 0
    ):
        raise InvalidParameterError(
            f"The 'tolerance' parameter of {caller} must be a finite number ≥ 0. "
            f"Got {tolerance!r} instead."
        )
    return float(tolerance)


def span(domain: Domain) -> tuple[Fraction, Fraction]:
    """The smallest and largest value of a numeric domain, exactly."""
    if isinstance(domain, Finite):
        values = [Fraction(float(v)) for v in domain.values]
        return min(values), max(values)
    return Fraction(domain.low), Fraction(domain.high)


def bins_of(cuts: NDArray[np.float64], values: Sequence[Any]) -> list[int]:
    """The step each value falls in: step k holds [cuts[k-1], cuts[k]), step 0 and
    step ``len(cuts)`` are unbounded (a value equal to a cut goes right)."""
    return [int(np.searchsorted(cuts, float(v), side="right")) for v in values]


def step_pieces(
    cuts: NDArray[np.float64], low: float, high: float
) -> tuple[list[float], list[int]]:
    """Breakpoints spanning [low, high] of the step function cut at ``cuts``, and the
    step (numbered as in :func:`bins_of`) of each piece.

    Steps that miss [low, high] are dropped; the span ends at ``high`` unless a cut
    equals it, and the step right of that cut must then still hold ``high``.
    """
    first = int(np.searchsorted(cuts, low, side="right"))
    last = int(np.searchsorted(cuts, high, side="right"))
    edges = [low, *(float(c) for c in cuts[first:last])]
    if high > edges[-1]:
        edges.append(high)
    else:
        edges.append(float(cuts[last]) if last < len(cuts) else math.nextafter(high, math.inf))
    return edges, list(range(first, last + 1))


def zero_shape(domain: Domain) -> Shape:
    """The shape of a feature no term of the model reads: 0 on all of ``domain``."""
    if isinstance(domain, Finite):
        return Table([0.0] * domain.size)
    low, high = span(domain)
    return Piecewise([float(low), float(high if high > low else low + 1)], [[0.0]])
