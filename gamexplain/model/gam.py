"""The GAM: f(x) = β0 + Σ_i β_i·f_i(x_i) + Σ_(i,j) g_ij(x_i, x_j), one immutable value.

A :class:`GAM` is validated when it is built; there are no half-built models. Instances
are validated at this boundary too, so every algorithm downstream may assume a valid
instance.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from gamexplain.errors import InvalidInstanceError, InvalidModelError, InvalidParameterError
from gamexplain.exact import Exact, as_fraction, compare, exact_sign, to_float, to_sympy
from gamexplain.model.domains import Domain, Finite, Integers, Interval, Label
from gamexplain.model.shapes import Component, Piecewise, ReLUNet, Shape, Table
from gamexplain.model.task import Classification, Regression, Task

__all__ = ["GAM", "Feature", "Instance", "PairTerm", "check_gam", "short_repr"]

Instance: TypeAlias = tuple[Any, ...]
"""A validated instance: one value per feature, labels for finite domains."""


def _probabilities(weights: object, size: int, path: str) -> tuple[float, ...]:
    try:
        items = tuple(float(w) for w in weights)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise InvalidModelError(f"expected a list of probabilities, got {weights!r}", path) from exc
    if len(items) != size:
        raise InvalidModelError(f"expected {size} probabilities, got {len(items)}", path)
    for k, p in enumerate(items):
        if not math.isfinite(p) or p < 0:
            raise InvalidModelError(f"probability {p!r} is not finite and ≥ 0", f"{path}[{k}]")
    if abs(math.fsum(items) - 1.0) > 1e-9:
        raise InvalidModelError(f"probabilities sum to {math.fsum(items)!r}, not 1", path)
    return items


@dataclass(frozen=True)
class Feature:
    """One feature: its domain, its shape function, its weight β_i and its marginal.

    Parameters
    ----------
    name : str
        Unique within the model.
    domain : Finite, Integers or Interval
    shape : Table, Piecewise or ReLUNet
        A ``Table`` needs a ``Finite`` domain of the same length; a ``Piecewise`` needs a
        numeric domain inside its breakpoints' span.
    weight : float, default 1.0
        β_i; the feature's contribution is β_i·f_i(x_i).
    distribution : sequence of float, optional
        The feature's marginal: probabilities per domain value (finite domains) or per
        piece of a ``Piecewise`` shape (uniform within each piece). None is uniform.
    """

    name: str
    domain: Domain
    shape: Shape
    weight: float = 1.0
    distribution: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidModelError(f"a feature needs a non-empty name, got {self.name!r}", "name")
        if not isinstance(self.domain, Finite | Integers | Interval):
            raise InvalidModelError(f"{self.domain!r} is not a domain", "domain")
        if not isinstance(self.shape, Table | Piecewise | ReLUNet):
            raise InvalidModelError(f"{self.shape!r} is not a shape", "shape")
        w = self.weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            raise InvalidModelError(f"{w!r} is not a finite number", "weight")
        object.__setattr__(self, "weight", float(w))
        self._check_shape_fits_domain()
        if self.distribution is not None:
            # stored as a tuple before the (cached, hashing) per-piece checks look at self
            object.__setattr__(self, "distribution", tuple(self.distribution))
            self._check_distribution()

    def _check_shape_fits_domain(self) -> None:
        domain, shape = self.domain, self.shape
        if isinstance(shape, Table):
            if not isinstance(domain, Finite):
                raise InvalidModelError("a table shape needs a finite domain", "shape")
            if len(shape.values) != domain.size:
                raise InvalidModelError(
                    f"{len(shape.values)} scores for {domain.size} domain values",
                    "shape.values",
                )
            return
        if isinstance(domain, Finite) and not domain.is_numeric:
            raise InvalidModelError(
                "a numeric shape needs numeric domain values (use a table for labels)",
                "domain.values",
            )
        if isinstance(shape, Piecewise):
            low, high = _numeric_span(domain)
            first, last = shape.breakpoints[0], shape.breakpoints[-1]
            if low < Fraction(first) or high > Fraction(last):
                raise InvalidModelError(
                    f"the domain [{low}, {high}] leaves the pieces' span [{first}, {last}]",
                    "domain",
                )

    def _check_distribution(self) -> None:
        domain, shape = self.domain, self.shape
        if isinstance(domain, Finite):
            probs = _probabilities(self.distribution, domain.size, "distribution")
        elif isinstance(shape, Piecewise):
            probs = _probabilities(self.distribution, shape.n_pieces, "distribution")
            from gamexplain.model.spans import piece_measures

            for k, (p, mass) in enumerate(zip(probs, piece_measures(self), strict=True)):
                if p > 0 and mass == 0:
                    raise InvalidModelError(
                        f"piece {k} holds no point of the domain but has probability {p}",
                        f"distribution[{k}]",
                    )
        else:
            raise InvalidModelError(
                "a per-piece distribution needs a piecewise shape or a finite domain",
                "distribution",
            )
        object.__setattr__(self, "distribution", probs)

    @property
    def component(self) -> Component:
        """The component class of the complexity table: table, ebm, spline or nam."""
        return self.shape.component

    def contribution(self, column: NDArray[Any]) -> NDArray[np.float64]:
        """β_i·f_i over a validated column (float fast path)."""
        if isinstance(self.shape, Table):
            assert isinstance(self.domain, Finite)
            lookup = {v: s for v, s in zip(self.domain.values, self.shape.values, strict=True)}
            scores = np.array([lookup[v] for v in column], dtype=float)
        else:
            scores = self.shape.evaluate(_floats(column))
        return self.weight * scores

    def rounding_bound(self, column: NDArray[Any]) -> NDArray[np.float64]:
        """A rigorous bound on the rounding error of the shape's float evaluation, times
        |β_i| (a table's scores are exact, so its bound is 0)."""
        if isinstance(self.shape, Table):
            return np.zeros(len(column))
        return abs(self.weight) * self.shape.rounding_bound(_floats(column))

    def contribution_exact(self, value: Any) -> Exact:
        """β_i·f_i(value) exactly; ``value`` is a label, a rational or an algebraic number."""
        if isinstance(self.shape, Table):
            assert isinstance(self.domain, Finite)
            score: Exact = Fraction(self.shape.values[self.domain.values.index(value)])
        else:
            score = self.shape.evaluate_exact(_exact_number(value))
        if isinstance(score, Fraction):
            return Fraction(self.weight) * score
        return to_sympy(Fraction(self.weight)) * score

    def check_value(self, value: Any) -> None:
        """Raise :class:`InvalidInstanceError` unless the model can evaluate ``value``.

        A finite domain takes its own values only; an ``Integers`` domain any integer and
        an ``Interval`` any real number, inside the domain or beyond it (the shape's
        outermost pieces extend; see :meth:`GAM.covering`).
        """
        where = f"feature {self.name!r}: value {short_repr(value)}"
        if not _comparable(value):
            raise InvalidInstanceError(f"{where} {_NOT_COMPARABLE}")
        if not _accepts(self.domain, value):
            raise InvalidInstanceError(f"{where} {_refusal(self.domain)}")


def check_gam(gam: object, caller: str) -> GAM:
    """``gam`` itself when it is a :class:`GAM`; else a parameter error naming ``caller``."""
    if not isinstance(gam, GAM):
        raise InvalidParameterError(
            f"The 'gam' parameter of {caller} must be a GAM (load one with gamexplain.load "
            f"or an adapter such as from_ebm). Got {type(gam).__name__} instead."
        )
    return gam


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages: safe for integers
    of any size (Python refuses str() past 4300 digits) and for a repr that fails."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        return f"<an integer of about {int(value.bit_length() * math.log10(2))} digits>"
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails must still be named
        text = f"<a {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _comparable(value: Any) -> bool:
    """False for sympy numbers exact arithmetic cannot compare (π, floats, complex)."""
    return not isinstance(value, sympy.Basic) or bool(
        value.is_number and value.is_real is True and value.is_algebraic is True
    )


_NOT_COMPARABLE = (
    "is not a rational or real algebraic number (exact comparisons need one; "
    "pass float(value) for a float)"
)


def _exact_number(value: Any) -> Exact:
    try:
        return as_fraction(value)
    except ValueError:
        return to_sympy(value)


def _numeric_span(domain: Domain) -> tuple[Fraction, Fraction]:
    """The exact smallest and largest value of a numeric domain (no float overflow)."""
    if isinstance(domain, Finite):
        numbers = [as_fraction(v) for v in domain.values]
        return min(numbers), max(numbers)
    return as_fraction(domain.low), as_fraction(domain.high)


def _accepts(domain: Domain, value: Any) -> bool:
    """Whether a feature with this domain can be evaluated at ``value``: a member of a
    finite domain, any integer for ``Integers``, any real number for ``Interval``."""
    return _in_domain(domain, value, bounded=isinstance(domain, Finite))


def _refusal(domain: Domain) -> str:
    if isinstance(domain, Finite):
        return f"is outside its domain {domain}"
    if isinstance(domain, Integers):
        return f"is not an integer, so it is outside its domain {domain}"
    return f"is not a finite real number, so it is outside its domain {domain}"


def _in_domain(domain: Domain, value: Any, bounded: bool = True) -> bool:
    if isinstance(domain, Finite):
        if isinstance(value, float) and math.isnan(value):
            return False
        return domain.contains(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str | bool) or value is None:
        return False
    number: Exact
    if isinstance(value, sympy.Basic):
        if not (value.is_number and value.is_real):
            return False
        number = value
    else:
        try:
            number = as_fraction(value)
        except ValueError:  # NaN, infinities, non-numbers
            return False
    if isinstance(domain, Integers):
        return (
            isinstance(number, Fraction)
            and number.denominator == 1
            and (not bounded or domain.low <= number <= domain.high)
        )
    return not bounded or (
        compare(number, Fraction(domain.low)) >= 0 and compare(number, Fraction(domain.high)) <= 0
    )


@dataclass(frozen=True)
class PairTerm:
    """A pairwise term g_ij(x_i, x_j): a 2-D table over the bins of two features.

    Parameters
    ----------
    features : (int, int)
        The positions of the two features, first < second.
    edges : (sequence of float or None, sequence of float or None)
        Per feature, None to index a finite domain by its values, or bin edges
        e_0 < … < e_m (right-continuous bins, the last closed) for a numeric domain.
    values : 2-D sequence of float
        ``values[a][b]`` is the term's value on bin a of the first feature and bin b of
        the second.
    """

    features: tuple[int, int]
    edges: tuple[tuple[float, ...] | None, tuple[float, ...] | None]
    values: tuple[tuple[float, ...], ...]

    def __init__(
        self,
        features: Sequence[int],
        edges: Sequence[Sequence[float] | None],
        values: Sequence[Sequence[float]],
    ) -> None:
        from gamexplain.model.shapes import _finite_floats

        pair = tuple(int(i) for i in features)
        if len(pair) != 2 or pair[0] == pair[1]:
            raise InvalidModelError(f"a pair term names two features, got {pair}", "features")
        axes = tuple(edges)
        if len(axes) != 2:
            raise InvalidModelError("a pair term needs two edge lists (or nulls)", "edges")
        cuts = tuple(
            None if axis is None else _finite_floats(axis, f"edges[{a}]")
            for a, axis in enumerate(axes)
        )
        for a, axis in enumerate(cuts):
            if axis is not None and (
                len(axis) < 2 or any(x >= y for x, y in itertools.pairwise(axis))
            ):
                raise InvalidModelError(
                    "bin edges must be at least two, strictly increasing", f"edges[{a}]"
                )
        table = tuple(_finite_floats(row, f"values[{r}]") for r, row in enumerate(values))
        if not table or any(len(row) != len(table[0]) for row in table):
            raise InvalidModelError("values must be a non-empty rectangular table", "values")
        object.__setattr__(self, "features", pair)
        object.__setattr__(self, "edges", cuts)
        object.__setattr__(self, "values", table)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0])

    def bin_of(self, axis: int, feature: Feature, value: Any) -> int:
        """The bin of ``value`` of the ``axis``-th feature (exact, right-continuous)."""
        cuts = self.edges[axis]
        if cuts is None:
            assert isinstance(feature.domain, Finite)
            return feature.domain.values.index(value)
        if type(value) is float or type(value) is int:
            # floats and ints compare with float edges exactly: bisect without Fractions
            return bisect.bisect_right(self._float_cuts[axis], value)
        number = _exact_number(value)
        if isinstance(number, Fraction):  # bisection over the exact inner edges
            return bisect.bisect_right(self._inner_cuts[axis], number)
        k = 0
        while k < len(cuts) - 2 and compare(number, Fraction(cuts[k + 1])) >= 0:
            k += 1
        return k

    @functools.cached_property
    def _float_cuts(self) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple((axis or ())[1:-1]) for axis in self.edges)

    @functools.cached_property
    def _inner_cuts(self) -> tuple[tuple[Fraction, ...], ...]:
        return tuple(tuple(map(Fraction, (axis or ())[1:-1])) for axis in self.edges)

    def __hash__(self) -> int:
        # a term is immutable, and the per-model caches hash it often: hash its table once
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.features, self.edges, self.values))
            self.__dict__["_hash"] = found
        return found

    def bins(self, axis: int, feature: Feature, column: NDArray[Any]) -> NDArray[np.intp]:
        """Vectorised bins of a validated column."""
        cuts = self.edges[axis]
        if cuts is None:
            assert isinstance(feature.domain, Finite)
            index = {v: k for k, v in enumerate(feature.domain.values)}
            return np.array([index[v] for v in column], dtype=np.intp)
        found = np.searchsorted(np.asarray(cuts), np.asarray(column, dtype=float), side="right")
        return np.clip(found - 1, 0, len(cuts) - 2)


@dataclass(frozen=True)
class GAM:
    """A generalized additive model, validated when built and immutable afterwards.

    Parameters
    ----------
    features : sequence of Feature
    intercept : float
        β0.
    task : Regression or Classification
    pairs : sequence of PairTerm, optional
        Pairwise interaction terms (GA²M). They make the model non-additive; queries
        either handle them exactly or refuse, never ignore them.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Interval, Table, Piecewise
    >>> from gamexplain import Classification
    >>> gam = GAM(
    ...     features=[
    ...         Feature("grade", Finite(["A", "B"]), Table([1.0, -1.0])),
    ...         Feature("income", Interval(0, 10), Piecewise([0, 5, 10], [[-1.0], [1.0]])),
    ...     ],
    ...     intercept=0.5,
    ...     task=Classification(threshold=0.0),
    ... )
    >>> gam.decision_function([["A", 2.0], ["B", 7.5]]).tolist()
    [0.5, 0.5]
    >>> gam.predict([["B", 1.0]]).tolist()
    [0]
    """

    features: Sequence[Feature]
    intercept: float = 0.0
    task: Task = field(default_factory=Classification)
    pairs: Sequence[PairTerm] = ()

    def __post_init__(self) -> None:
        features = tuple(self.features)
        if not features:
            raise InvalidModelError("a model needs at least one feature", "features")
        names: dict[str, int] = {}
        for i, feature in enumerate(features):
            if not isinstance(feature, Feature):
                raise InvalidModelError(f"{feature!r} is not a Feature", f"features[{i}]")
            if feature.name in names:
                raise InvalidModelError(
                    f"duplicate feature name {feature.name!r} "
                    f"(also features[{names[feature.name]}])",
                    f"features[{i}].name",
                )
            names[feature.name] = i
        object.__setattr__(self, "features", features)
        b0 = self.intercept
        if isinstance(b0, bool) or not isinstance(b0, int | float) or not math.isfinite(b0):
            raise InvalidModelError(f"{b0!r} is not a finite number", "intercept")
        object.__setattr__(self, "intercept", float(b0))
        if not isinstance(self.task, Regression | Classification):
            raise InvalidModelError(f"{self.task!r} is not a task", "task")
        pairs = tuple(self.pairs)
        for p, pair in enumerate(pairs):
            self._check_pair(pair, f"pairs[{p}]")
        object.__setattr__(self, "pairs", pairs)

    def __hash__(self) -> int:
        # hashing reads every shape's values (milliseconds on a fitted EBM) and the
        # algorithms' per-model caches hash the model on every lookup: hash it once
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.features, self.intercept, self.task, self.pairs))
            self.__dict__["_hash"] = found
        return found

    def _check_pair(self, pair: PairTerm, path: str) -> None:
        if not isinstance(pair, PairTerm):
            raise InvalidModelError(f"{pair!r} is not a PairTerm", path)
        for axis, i in enumerate(pair.features):
            if not 0 <= i < len(self.features):
                raise InvalidModelError(f"no feature at position {i}", f"{path}.features")
            feature, cuts = self.features[i], pair.edges[axis]
            if cuts is None:
                if not isinstance(feature.domain, Finite):
                    raise InvalidModelError(
                        f"feature {feature.name!r} is not finite, so its axis needs edges",
                        f"{path}.edges[{axis}]",
                    )
                size = feature.domain.size
            else:
                if isinstance(feature.domain, Finite) and not feature.domain.is_numeric:
                    raise InvalidModelError(
                        f"feature {feature.name!r} has labels; its axis takes no edges",
                        f"{path}.edges[{axis}]",
                    )
                low, high = _numeric_span(feature.domain)
                if low < Fraction(cuts[0]) or high > Fraction(cuts[-1]):
                    raise InvalidModelError(
                        f"feature {feature.name!r}'s domain [{low}, {high}] leaves the edges' "
                        f"span [{cuts[0]}, {cuts[-1]}]",
                        f"{path}.edges[{axis}]",
                    )
                size = len(cuts) - 1
            if pair.shape[axis] != size:
                raise InvalidModelError(
                    f"axis {axis} has {pair.shape[axis]} rows for {size} bins of "
                    f"feature {feature.name!r}",
                    f"{path}.values",
                )

    # -- structure --------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return len(self.features)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @property
    def is_additive(self) -> bool:
        """True when the model has no pairwise terms."""
        return not self.pairs

    def index(self, feature: int | str) -> int:
        """The position of a feature given by position or name."""
        if isinstance(feature, str):
            if feature in self.feature_names:
                return self.feature_names.index(feature)
            raise InvalidInstanceError(f"no feature named {feature!r}")
        if isinstance(feature, bool) or not isinstance(feature, int | np.integer):
            raise InvalidInstanceError(f"{feature!r} is neither a feature name nor a position")
        if not 0 <= int(feature) < self.n_features:
            raise InvalidInstanceError(
                f"feature position {feature} is outside 0..{self.n_features - 1}"
            )
        return int(feature)

    # -- instances --------------------------------------------------------------
    def instance(self, x: ArrayLike | Mapping[str, Any]) -> Instance:
        """Validate one instance.

        Parameters
        ----------
        x : sequence, mapping or pandas Series
            A list, tuple or array in feature order; a ``{name: value}`` mapping; or a
            pandas Series (or one-row DataFrame), read by its labels, never by position.

        Raises
        ------
        InvalidInstanceError
            Wrong length, a missing or unknown name, NaN, or a value outside its domain;
            the message names the feature and the value.
        """
        if _is_pandas(x):
            x = _pandas_mapping(x)
        if isinstance(x, Mapping):
            values = self._by_name(x, "feature name(s)", "no value for feature(s)")
        elif isinstance(x, str | bytes) or not isinstance(x, Iterable):
            raise InvalidInstanceError(
                f"an instance is a sequence of {self.n_features} values in feature order or a "
                f"mapping by feature name; got {x!r}"
            )
        else:
            values = _flat(x)
        if len(values) != self.n_features:
            raise InvalidInstanceError(
                f"an instance has {self.n_features} values (one per feature), got {len(values)}"
            )
        clean = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
        for feature, value in zip(self.features, clean, strict=True):
            feature.check_value(value)
        return clean

    def covering(self, x: ArrayLike | Mapping[str, Any]) -> GAM:
        """The model widened just enough to hold the instance ``x``.

        Every query explains ``x`` in this model (and every ``verify`` re-checks there).
        A numeric feature whose value lies outside its domain [L, H] gets the domain
        hull([L, H], x_i), its outermost piece and pair bins reach the new end with the
        same polynomial and values, and its marginal stays what it was: per piece, the
        exact probability under the original one (uniform over [L, H] when none is
        stored), and 0 on the new extension. Completions may therefore take the values
        between x_i and the domain, with probability 0.

        Parameters
        ----------
        x : sequence, mapping or pandas Series
            As in :meth:`instance`.

        Returns
        -------
        GAM
            ``self`` when every value lies in its domain; otherwise the widened model
            (cached per model and out-of-range values). It is meant for explaining:
            its re-expanded pieces hold exact rationals, which model files do not store.

        Raises
        ------
        InvalidInstanceError
            ``x`` is not an instance of this model (see :meth:`instance`).
        UnsupportedModelError
            A value outside the domain of a network shape or of a one-point interval,
            whose marginal no per-piece list can keep on a wider domain.

        Notes
        -----
        Linear in the features plus the pieces and pair bins of the widened features;
        the widening and its semantics are described in :mod:`gamexplain.model.covering`.
        """
        from gamexplain.model.covering import beyond, widen

        outside = beyond(self, self.instance(x))
        if not outside:
            return self
        cache: dict[Any, GAM] | None = self.__dict__.get("_coverings")
        if cache is None or len(cache) > _COVERINGS:
            cache = {}
            object.__setattr__(self, "_coverings", cache)
        if outside not in cache:
            cache[outside] = widen(self, outside)
        return cache[outside]

    def _by_name(self, x: Mapping[Any, Any], unknown_what: str, missing_what: str) -> list[Any]:
        unknown = [k for k in x if k not in self.feature_names]
        if unknown:
            raise InvalidInstanceError(f"unknown {unknown_what} {unknown}")
        missing = [n for n in self.feature_names if n not in x]
        if missing:
            raise InvalidInstanceError(f"{missing_what} {missing}")
        return [x[n] for n in self.feature_names]

    def _rows(self, X: Any) -> NDArray[np.object_]:
        """``X`` as a 2-D object array in feature order (pandas by name, else by position)."""
        if _is_pandas(X):
            if getattr(X, "ndim", 1) == 1:
                return np.array([self.instance(X)], dtype=object)
            columns = self._by_name(_frame_columns(X), "column(s)", "no column for feature(s)")
            return np.column_stack(columns)
        if isinstance(X, list | tuple) and X and all(isinstance(r, Mapping) for r in X):
            # records, each matched by name as one instance is
            return np.array([self.instance(r) for r in X], dtype=object).reshape(len(X), -1)
        try:
            rows = np.asarray(X, dtype=object)
        except ValueError as exc:  # ragged nested sequences
            raise InvalidInstanceError(f"rows must all have the same length: {exc}") from None
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        if rows.ndim != 2 or rows.shape[1] != self.n_features:
            raise InvalidInstanceError(
                f"expected rows of {self.n_features} values (one per feature), "
                f"got an array of shape {rows.shape}"
            )
        return rows

    def _matrix(self, X: ArrayLike) -> list[NDArray[Any]]:
        """The validated columns of ``X``: labels for finite domains, floats otherwise.

        A number beyond float range becomes ±inf here; :meth:`decision_function` and
        :meth:`predict` recompute such rows exactly.
        """
        return self._columns(self._rows(X))[0]

    def _columns(self, rows: NDArray[np.object_]) -> tuple[list[NDArray[Any]], NDArray[np.bool_]]:
        """The validated columns, and which rows hold a value that is not a float."""
        columns, inexact = [], np.zeros(len(rows), dtype=bool)
        for i, feature in enumerate(self.features):
            column, rounded = _check_column(feature, i, rows[:, i])
            columns.append(column)
            inexact |= rounded
        return columns, inexact

    # -- evaluation -------------------------------------------------------------
    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """The score of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features), or a pandas DataFrame or Series
            Arrays and lists give the columns in feature order; a DataFrame is read by
            its column names (a missing or unknown column is an error) and a Series by
            its labels. Finite-domain features are given by their labels (a categorical
            column's categories).

        Returns
        -------
        ndarray of float
            The float fast path. A row whose float evaluation overflows (or holds a
            number beyond float range) is recomputed exactly and gets the float nearest
            its exact score: ±inf when that score lies beyond float range, never NaN.
        """
        rows = self._rows(X)
        columns, _ = self._columns(rows)
        score, _ = self._float_scores(columns)
        for r in np.flatnonzero(~np.isfinite(score)):
            score[r] = _nearest_float(self.score_exact(_exact_row(rows[r])))
        return score

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Class labels (0/1) in classification, the score in regression.

        Labels always equal :meth:`predict_exact`: a row whose float score overflows, lies
        within rounding distance of the threshold, or holds a value that is not a float
        (a huge integer, a fraction, an algebraic number) is classified exactly.
        """
        if not isinstance(self.task, Classification):
            return self.decision_function(X)
        rows = self._rows(X)
        columns, inexact = self._columns(rows)
        score, bound = self._float_scores(columns)
        labels = self.task.label(score)
        # a row whose float score lies within its rigorous rounding bound of the
        # threshold may be on the wrong side: it is decided exactly
        near = np.abs(score - self.task.threshold) <= bound
        for r in np.flatnonzero(inexact | near | ~np.isfinite(score)):
            labels[r] = self.task.label_exact(self.score_exact(_exact_row(rows[r])))
        return labels

    def _float_scores(
        self, columns: list[NDArray[Any]]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Float scores, and per row a rigorous bound on their rounding error.

        The bound adds each shape's own evaluation bound (times |β_i|) to γ_(N+1) times
        the sum of the N terms' magnitudes, for the products by β_i and the summation
        (Higham, §3.1), and doubles the total to cover the rounding of the bound itself.
        """
        score = np.full(len(columns[0]), self.intercept)
        size = np.full(len(columns[0]), abs(self.intercept))
        shapes = np.zeros(len(columns[0]))
        with np.errstate(over="ignore", invalid="ignore"):
            for feature, column in zip(self.features, columns, strict=True):
                term = feature.contribution(column)
                score, size = score + term, size + np.abs(term)
                shapes = shapes + feature.rounding_bound(column)
            for pair in self.pairs:
                i, j = pair.features
                a = pair.bins(0, self.features[i], columns[i])
                b = pair.bins(1, self.features[j], columns[j])
                term = np.asarray(pair.values)[a, b]
                score, size = score + term, size + np.abs(term)
            terms = 2 + len(self.features) + len(self.pairs)
            unit = 2.0**-53
            bound = 2.0 * (terms * unit / (1 - terms * unit) * size + shapes)
        return score, bound

    def score_exact(self, x: Sequence[Any]) -> Exact:
        """The exact score of one instance (labels, rationals or algebraic numbers)."""
        total: Exact = Fraction(self.intercept)
        for feature, value in zip(self.features, x, strict=True):
            total = total + feature.contribution_exact(value)
        for pair in self.pairs:
            i, j = pair.features
            a = pair.bin_of(0, self.features[i], x[i])
            b = pair.bin_of(1, self.features[j], x[j])
            total = total + Fraction(pair.values[a][b])
        return total

    def predict_exact(self, x: Sequence[Any]) -> Exact | int:
        """The exact prediction of one instance: its class, or its exact score."""
        score = self.score_exact(x)
        if isinstance(self.task, Classification):
            return self.task.label_exact(score)
        return score


def _check_column(
    feature: Feature, position: int, column: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.bool_]]:
    """The validated column, and which of its values a float does not hold exactly."""
    domain = feature.domain
    where = f"feature {feature.name!r} (column {position})"
    if isinstance(domain, Finite):
        members = set(domain.values)
        for row, value in enumerate(column):
            if not _hashable_member(value, members):
                raise InvalidInstanceError(
                    f"{where}: value {short_repr(value)} in row {row} is not one of "
                    f"{list(domain.values)}"
                )
        if isinstance(feature.shape, Table):  # looked up by label: no rounding
            return column, np.zeros(len(column), dtype=bool)
        return column, ~_holds_float(column)
    exact = _holds_float(column)
    if isinstance(domain, Integers) and max(abs(domain.low), abs(domain.high)) > _FLOAT_INTS:
        exact[:] = False  # float comparisons with such bounds round
    for r in np.flatnonzero(~exact):
        _check_number(feature, f"{where}: value {short_repr(column[r])} in row {r}", column[r])
    numbers = _floats(column)
    if not exact.any():
        return numbers, ~exact
    with np.errstate(invalid="ignore"):
        # a numeric feature is evaluated beyond its domain too (the pieces extend)
        bad = exact & ~np.isfinite(numbers)
        if isinstance(domain, Integers):
            bad |= exact & (np.floor(numbers) != numbers)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidInstanceError(
            f"{where}: value {short_repr(column[row])} in row {row} {_refusal(domain)}"
        )
    return numbers, ~exact


_COVERINGS = 64
"""How many widened models (:meth:`GAM.covering`) a model keeps."""

_FLOAT_INTS = 2**53
"""Every integer of at most this magnitude is a float."""


def _holds_float(column: NDArray[Any]) -> NDArray[np.bool_]:
    """Per value: a float or an integer a float holds exactly (so float checks are exact)."""
    return np.fromiter((_is_float_exact(v) for v in column), dtype=bool, count=len(column))


def _is_float_exact(value: Any) -> bool:
    if isinstance(value, float | np.float32 | np.float16):
        return True
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return abs(int(value)) <= _FLOAT_INTS
    return False


def _check_number(feature: Feature, where: str, value: Any) -> None:
    if not isinstance(value, sympy.Basic) and not _is_number(value):
        raise InvalidInstanceError(f"{where} is not a number")
    if not _comparable(value):
        raise InvalidInstanceError(f"{where} {_NOT_COMPARABLE}")
    if not _accepts(feature.domain, value):
        raise InvalidInstanceError(f"{where} {_refusal(feature.domain)}")


def _floats(column: NDArray[Any]) -> NDArray[np.float64]:
    """The column in floats; a number beyond float range becomes ±inf (exact path next)."""
    try:
        return np.asarray(column, dtype=float)
    except OverflowError:
        return np.array([_float_or_inf(v) for v in column], dtype=float)


def _float_or_inf(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _nearest_float(value: Exact) -> float:
    try:
        return to_float(value)
    except OverflowError:
        return math.inf if exact_sign(value) > 0 else -math.inf


def _exact_row(row: NDArray[np.object_]) -> Instance:
    return tuple(v.item() if isinstance(v, np.generic) else v for v in row)


def _flat(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return list(x)
    try:
        return list(np.asarray(x, dtype=object).reshape(-1))
    except ValueError as exc:  # ragged nested sequences
        raise InvalidInstanceError(f"an instance is one flat row of values: {exc}") from None


# -- pandas, read by name without importing pandas ---------------------------------------
def _pandas_kind(x: Any) -> str | None:
    """The pandas class, "Series" or "DataFrame", of ``x`` (or a subclass's); else None."""
    for cls in type(x).__mro__:
        if cls.__module__.startswith("pandas") and cls.__name__ in ("Series", "DataFrame"):
            return cls.__name__
    return None


def _is_pandas(x: Any) -> bool:
    return _pandas_kind(x) is not None


def _unique_labels(labels: Any, what: str) -> None:
    if not labels.is_unique:
        repeated = sorted({repr(k) for k in labels[labels.duplicated()]})
        raise InvalidInstanceError(f"repeated {what} {', '.join(repeated)}")


def _pandas_mapping(x: Any) -> dict[Any, Any]:
    """A Series, or a one-row DataFrame, as a label → value mapping."""
    if _pandas_kind(x) == "DataFrame":
        if len(x) != 1:
            raise InvalidInstanceError(f"an instance is one row; got a table of {len(x)} rows")
        return {k: column[0] for k, column in _frame_columns(x).items()}
    _unique_labels(x.index, "label(s)")
    return dict(zip(x.index, x.to_numpy(dtype=object), strict=True))


def _frame_columns(frame: Any) -> dict[Any, NDArray[np.object_]]:
    """Column name → values; a categorical column gives its category labels."""
    _unique_labels(frame.columns, "column(s)")
    return {k: frame[k].to_numpy(dtype=object) for k in frame.columns}


def _hashable_member(value: Any, members: set[Label]) -> bool:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        return value in members
    except TypeError:
        return False


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except OverflowError:  # an integer beyond float range is still a number
        return True
    except (TypeError, ValueError):
        return False
    return True
