"""Leave-one-covariate-out (LOCO) of a GAM in closed form, on rows of data.

Removing feature j relative to a reference law P_j of X_j (features independent)
replaces every term that reads x_j by its P_j-mean, so f_{-j}(x) = f(x) − d_j(x) with

    d_j(x) = a_j(x_j) − E a_j(X_j) + Σ_{pair terms g ∋ j} (g(x_j, x_k) − E_{X_j} g(X_j, x_k)).

Only E a_j (one number per feature) and, per pair term, the mean of its table over one
axis (one number per bin of the other axis) depend on P_j; they are computed exactly once
(:class:`Reference`), from the model's marginals or from rows of data. Every row then
costs one table look-up per term. The loss turns d_j into the LOCO value Δ_j (THEORY §6):
``fidelity`` d_j², ``squared`` d_j² + 2(y − f)·d_j, ``log`` the change of the log loss
of σ(score).

The regional importance of j in a region given as rows is the same computation with P_j
the region's own empirical law of x_j, averaged over the region. Its exact value groups
the region's rows by what d_j reads (x_j and the bins of j's pair partners), so the exact
arithmetic runs once per distinct key, not once per row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import bin_probabilities
from gamexplain.model.domains import Finite
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.substrate import deadline
from gamexplain.substrate.primitives import contribution_mean

__all__ = [
    "LOSSES",
    "Columns",
    "LocoProblem",
    "Reference",
    "apply_loss",
    "differences",
    "empirical_reference",
    "exact_differences",
    "loco_closed_form",
    "model_reference",
    "read_columns",
    "regional_closed_form",
]

LOSSES = ("fidelity", "squared", "log")


@dataclass(frozen=True)
class Reference:
    """What removing each feature replaces its terms by: exact means under P_j.

    Attributes
    ----------
    means : tuple of Fraction
        E a_j(X_j) per feature.
    pair_means : tuple of (tuple of Fraction, tuple of Fraction)
        Per pair term g over (i, k): the mean over X_i for each bin of k (removing i),
        then the mean over X_k for each bin of i (removing k).
    """

    means: tuple[Fraction, ...]
    pair_means: tuple[tuple[tuple[Fraction, ...], tuple[Fraction, ...]], ...]


@dataclass(frozen=True)
class Columns:
    """Rows of data read once: per feature the distinct values and each row's index
    into them, the exact and float contributions of the distinct values, and per pair
    term each row's bins.

    Attributes
    ----------
    values : list of list
        Per feature, its distinct values (all domain labels for a finite domain).
    inverse : list of ndarray of int
        Per feature, each row's index into ``values``.
    exact : list of list of Fraction
        Per feature, a_j of each distinct value, exactly.
    floats : list of ndarray
        Per feature, a_j of each distinct value, by the model's float evaluation; or,
        when ``per_row``, a_j of each row (the float-only fast path, which skips finding
        the distinct values; ``values``, ``inverse`` and ``exact`` are then empty).
    bins : list of (ndarray, ndarray)
        Per pair term, each row's bin of its first and of its second feature.
    per_row : bool
    """

    values: list[list[Any]]
    inverse: list[NDArray[np.intp]]
    exact: list[list[Fraction]]
    floats: list[NDArray[np.float64]]
    bins: list[tuple[NDArray[np.intp], NDArray[np.intp]]]
    per_row: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.floats[0]) if self.per_row else len(self.inverse[0])

    def contribution(self, j: int) -> NDArray[np.float64]:
        """a_j of every row, in floats."""
        return self.floats[j] if self.per_row else self.floats[j][self.inverse[j]]

    def take(self, rows: NDArray[np.intp]) -> Columns:
        """The same data restricted to ``rows`` (the distinct values are kept)."""
        assert not self.per_row
        return Columns(
            self.values,
            [inv[rows] for inv in self.inverse],
            self.exact,
            self.floats,
            [(a[rows], b[rows]) for a, b in self.bins],
        )


@dataclass(frozen=True)
class LocoProblem:
    """One LOCO question, validated: the model (its marginals set), the data, the loss.

    Attributes
    ----------
    columns : Columns
    reference : Reference or None
        The reference law of every feature (None for regional questions, where each
        region's rows give their own).
    loss : str
    y : ndarray of float or None
        The target per row (``squared`` and ``log``).
    exact : bool
        Whether exact values are wanted too.
    labels : ndarray of int or None
        The region of each row (regional questions).
    """

    columns: Columns
    reference: Reference | None
    loss: str
    y: NDArray[np.float64] | None
    exact: bool
    labels: NDArray[np.intp] | None = None


# -- reading data ------------------------------------------------------------------------------
def read_columns(gam: GAM, columns: Sequence[NDArray[Any]], distinct: bool = True) -> Columns:
    """Index validated columns (:meth:`GAM._matrix`) by their distinct values, or only
    evaluate every row's contributions in floats (``distinct=False``)."""
    bins = [
        (pair.bins(0, gam.features[pair.features[0]], columns[pair.features[0]]),
         pair.bins(1, gam.features[pair.features[1]], columns[pair.features[1]]))
        for pair in gam.pairs
    ]  # fmt: skip
    if not distinct:
        rows = [f.contribution(c) for f, c in zip(gam.features, columns, strict=True)]
        return Columns([], [], [], rows, bins, per_row=True)
    values, inverse, exact, floats = [], [], [], []
    for feature, column in zip(gam.features, columns, strict=True):
        found, inv = _distinct(feature, column)
        values.append(found)
        inverse.append(inv)
        exact.append([_rational(feature.contribution_exact(v)) for v in found])
        floats.append(feature.contribution(np.asarray(found, dtype=object))
                      if found else np.zeros(0))  # fmt: skip
    return Columns(values, inverse, exact, floats, bins)


def _distinct(feature: Feature, column: NDArray[Any]) -> tuple[list[Any], NDArray[np.intp]]:
    if isinstance(feature.domain, Finite):
        labels = list(feature.domain.values)
        index = {v: k for k, v in enumerate(labels)}
        return labels, np.fromiter((index[v] for v in column), dtype=np.intp, count=len(column))
    distinct, inv = np.unique(np.asarray(column, dtype=float), return_inverse=True)
    return distinct.tolist(), inv.astype(np.intp).reshape(-1)


def _rational(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return Fraction(str(value)) if isinstance(value, int) else Fraction(value)


# -- references --------------------------------------------------------------------------------
def _objects(values: Sequence[Fraction]) -> NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@lru_cache(maxsize=1024)
def _table(pair: PairTerm) -> NDArray[Any]:
    return np.array([[Fraction(v) for v in row] for row in pair.values], dtype=object)


def scaled(values: Any) -> tuple[NDArray[Any], int]:
    """Integers k and one denominator L with values = k / L (an object array): exact
    sums of products then run on Python integers, many times faster than on Fractions."""
    flat = list(np.asarray(values, dtype=object).reshape(-1))
    common = math.lcm(*(v.denominator for v in flat)) if flat else 1
    ints = np.array([v.numerator * (common // v.denominator) for v in flat] or [0], dtype=object)
    return ints[: len(flat)].reshape(np.shape(values)), common


def _pair_reference(
    table: NDArray[Any], p: Sequence[Fraction], q: Sequence[Fraction]
) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    ints, scale = scaled(table)
    p_ints, p_scale = scaled(_objects(p))
    q_ints, q_scale = scaled(_objects(q))
    over_first = tuple(Fraction(v, scale * p_scale) for v in p_ints.dot(ints))
    over_second = tuple(Fraction(v, scale * q_scale) for v in ints.dot(q_ints))
    return over_first, over_second


def model_reference(gam: GAM) -> Reference:
    """The reference of the model's own marginals (``gam`` carries the ones to use).

    Notes
    -----
    One exact mean per feature (:func:`~gamexplain.substrate.primitives.contribution_mean`,
    linear in its pieces) and one pass over each pair table.
    """
    # a default EBM's exact means (hundreds of bins, 90 pair tables) take seconds
    means = []
    for feature in gam.features:
        deadline.check()
        means.append(contribution_mean(feature, feature.distribution))
    laws: dict[tuple[Any, ...], list[Fraction]] = {}
    pairs = []
    for pair in gam.pairs:
        deadline.check()
        first, second = _bin_law(gam, pair, 0, laws), _bin_law(gam, pair, 1, laws)
        pairs.append(_pair_reference(_table(pair), first, second))
    return Reference(tuple(means), tuple(pairs))


def _bin_law(
    gam: GAM, pair: PairTerm, axis: int, laws: dict[tuple[Any, ...], list[Fraction]]
) -> list[Fraction]:
    """The bin law of one axis, computed once per feature and edges: a fitted EBM bins a
    feature the same way in each of its pair terms."""
    feature = gam.features[pair.features[axis]]
    key = (pair.features[axis], pair.edges[axis], pair.shape[axis])
    if key not in laws:
        laws[key] = bin_probabilities(pair, axis, feature)
    return laws[key]


def _frequencies(inv: NDArray[np.intp], size: int) -> list[Fraction]:
    counts = np.bincount(inv, minlength=size)
    total = int(counts.sum())
    return [Fraction(int(c), total) for c in counts]


def empirical_reference(gam: GAM, data: Columns) -> Reference:
    """The reference of the empirical law of ``data``'s rows (each feature on its own).

    Notes
    -----
    O(rows) counting, then exact arithmetic once per distinct value and per bin.
    """
    means = tuple(
        sum((w * a for w, a in zip(_frequencies(inv, len(exact)), exact, strict=True)
             if w), Fraction(0))
        for inv, exact in zip(data.inverse, data.exact, strict=True)
    )  # fmt: skip
    pairs = []
    for pair, (a, b) in zip(gam.pairs, data.bins, strict=True):
        rows, cols = pair.shape
        pairs.append(_pair_reference(_table(pair), _frequencies(a, rows), _frequencies(b, cols)))
    return Reference(tuple(means), tuple(pairs))


# -- differences d_j and the losses -------------------------------------------------------------
def differences(gam: GAM, data: Columns, ref: Reference) -> NDArray[np.float64]:
    """d_j(x) = f(x) − f_{-j}(x) for every row and feature, in floats (n × p).

    Notes
    -----
    One vectorised look-up per feature and per pair term: O(rows·(p + pairs)).
    """
    out = np.empty((data.n_rows, gam.n_features))
    for j in range(gam.n_features):
        out[:, j] = data.contribution(j) - float(ref.means[j])
    for pair, (a, b), (over_i, over_k) in zip(gam.pairs, data.bins, ref.pair_means, strict=True):
        i, k = pair.features
        g = np.asarray(pair.values, dtype=float)[a, b]
        out[:, i] += g - np.array([float(v) for v in over_i])[b]
        out[:, k] += g - np.array([float(v) for v in over_k])[a]
    return out


def exact_differences(gam: GAM, data: Columns, ref: Reference) -> NDArray[Any]:
    """The same d_j(x) as Fractions (an object array)."""
    out = np.empty((data.n_rows, gam.n_features), dtype=object)
    for j in range(gam.n_features):
        deadline.check()
        out[:, j] = _objects(data.exact[j])[data.inverse[j]]
        out[:, j] = out[:, j] - ref.means[j]
    for pair, (a, b), (over_i, over_k) in zip(gam.pairs, data.bins, ref.pair_means, strict=True):
        deadline.check()
        i, k = pair.features
        g = _table(pair)[a, b]
        out[:, i] = out[:, i] + (g - np.array(over_i, dtype=object)[b])
        out[:, k] = out[:, k] + (g - np.array(over_k, dtype=object)[a])
    return out


def scores(gam: GAM, data: Columns) -> NDArray[np.float64]:
    """f(x) per row in floats, from the same look-ups as :func:`differences`."""
    total = np.full(data.n_rows, gam.intercept)
    for j in range(gam.n_features):
        total = total + data.contribution(j)
    for pair, (a, b) in zip(gam.pairs, data.bins, strict=True):
        total = total + np.asarray(pair.values, dtype=float)[a, b]
    return total


def exact_scores(gam: GAM, data: Columns) -> NDArray[Any]:
    """f(x) per row as Fractions."""
    total = np.full(data.n_rows, Fraction(gam.intercept), dtype=object)
    for j in range(gam.n_features):
        total = total + _objects(data.exact[j])[data.inverse[j]]
    for pair, (a, b) in zip(gam.pairs, data.bins, strict=True):
        total = total + _table(pair)[a, b]
    return total


def apply_loss(loss: str, d: NDArray[Any], score: NDArray[Any] | None, y: Any) -> NDArray[Any]:
    """Δ_j = ℓ(f − d_j) − ℓ(f) per row and feature (floats, or Fractions for the
    fidelity and squared losses when ``d`` holds Fractions)."""
    if loss == "fidelity":
        return d * d
    assert score is not None  # the squared and log losses read the scores
    if loss == "squared":
        residual = (y - score)[:, None]
        return d * d + 2 * residual * d
    sign = (2.0 * np.asarray(y, dtype=float) - 1.0)[:, None]
    full = np.asarray(score, dtype=float)[:, None]
    removed = full - np.asarray(d, dtype=float)
    return np.logaddexp(0.0, -sign * removed) - np.logaddexp(0.0, -sign * full)


# -- the registered algorithms ----------------------------------------------------------------
def _applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


@register_algorithm(
    "loco",
    "closed-form",
    summary="d_j = a_j(x_j) − E a_j + pair parts, one table look-up per term and row; "
    "the means exact, once per feature",
    theorem="thm:loco-closed-form",
    priority=10,
    applies=_applies,
)
def loco_closed_form(
    gam: GAM, problem: LocoProblem, *, time_limit: float | None = None
) -> tuple[NDArray[np.float64], NDArray[Any] | None]:
    """Point LOCO vectors of every row: floats, and Fractions when asked (else None)."""
    data, ref = problem.columns, problem.reference
    assert ref is not None
    y = problem.y
    values = apply_loss(problem.loss, differences(gam, data, ref), scores(gam, data), y)
    if not problem.exact:
        return values, None
    exact_y = None if y is None else np.array([Fraction(float(v)) for v in y], dtype=object)
    exact_score = exact_scores(gam, data) if problem.loss == "squared" else None
    exact = apply_loss(problem.loss, exact_differences(gam, data, ref), exact_score, exact_y)
    # with exact values at hand, the floats shown are their nearest floats
    return np.vectorize(float, otypes=[float])(exact).reshape(values.shape), exact


def _partners(gam: GAM, j: int) -> list[tuple[int, int]]:
    """(pair index, axis of j) for every pair term that reads feature j."""
    return [(t, pair.features.index(j)) for t, pair in enumerate(gam.pairs) if j in pair.features]


def _regional_feature(
    gam: GAM, data: Columns, ref: Reference, j: int, residual: NDArray[Any] | None
) -> Fraction:
    """Σ over the rows of Δ_j (fidelity, or squared when ``residual`` = y − f is given),
    exact, grouped by the key d_j reads: x_j's value and the partners' bins. The sums
    run on integers over one common denominator."""
    partners = _partners(gam, j)
    keys = [data.inverse[j]] + [data.bins[t][1 - axis] for t, axis in partners]
    distinct, inv, counts = np.unique(
        np.column_stack(keys), axis=0, return_inverse=True, return_counts=True
    )
    own = distinct[:, 0]
    parts: list[Any] = [_objects(data.exact[j])[own] - ref.means[j]]
    values = np.asarray(data.values[j], dtype=object)
    for column, (t, axis) in enumerate(partners, start=1):
        pair, other = gam.pairs[t], distinct[:, column]
        table = _table(pair) if axis == 0 else _table(pair).T
        own_bins = pair.bins(axis, gam.features[j], values)[own]
        parts.append(table[own_bins, other] - _objects(ref.pair_means[t][axis])[other])
    d_ints, scale = scaled(np.concatenate(parts))
    d_ints = d_ints.reshape(len(parts), -1).sum(axis=0)
    total = Fraction(int(np.dot(counts.astype(object), d_ints * d_ints)), scale * scale)
    if residual is None:
        return total
    sums = [Fraction(0)] * len(distinct)
    for k, r in zip(inv.reshape(-1).tolist(), residual.tolist(), strict=True):
        sums[k] += r
    return total + 2 * sum((s * Fraction(int(d), scale) for s, d in zip(sums, d_ints, strict=True)),
                           Fraction(0))  # fmt: skip


@register_algorithm(
    "regional",
    "closed-form",
    summary="per region, the empirical means of its rows, then Δ averaged over them; "
    "exact sums grouped by distinct keys",
    theorem="thm:regional-closed-form",
    priority=10,
    applies=_applies,
)
def regional_closed_form(
    gam: GAM, problem: LocoProblem, *, time_limit: float | None = None
) -> tuple[NDArray[np.float64], list[list[Fraction]] | None]:
    """K × p regional importances: floats, and Fractions (None for the log loss)."""
    labels = problem.labels
    assert labels is not None
    n_regions = int(labels.max()) + 1
    floats = np.zeros((n_regions, gam.n_features))
    exact: list[list[Fraction]] | None = [] if problem.loss != "log" else None
    for r in range(n_regions):
        deadline.check()
        rows = np.flatnonzero(labels == r)
        data = problem.columns.take(rows)
        ref = empirical_reference(gam, data)
        y = None if problem.y is None else problem.y[rows]
        if exact is None:
            d = differences(gam, data, ref)
            floats[r] = apply_loss(problem.loss, d, scores(gam, data), y).mean(axis=0)
            continue
        residual = None
        if problem.loss == "squared":
            assert y is not None
            exact_y = np.array([Fraction(float(v)) for v in y], dtype=object)
            residual = exact_y - exact_scores(gam, data)
        row = [_regional_feature(gam, data, ref, j, residual) / len(rows)
               for j in range(gam.n_features)]  # fmt: skip
        exact.append(row)
        floats[r] = [float(v) for v in row]
    return floats, exact
