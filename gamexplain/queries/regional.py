"""LOCO values, regional attributions (R-LOCO) and global importances of a GAM.

gamexplain's reconstruction of Amoukou & Brunel, *Regional Explanations: Bridging Local
and Global Variable Importance* (NeurIPS 2025); no reference code exists, so every
choice is stated here and in ``docs/regional.md``. Removing feature j replaces its terms
by their means under a reference law P_j (THEORY §6); for a GAM that is a closed form,
so every value is exact. The point LOCO vector Δ(x) of a row gives each feature the
change of the loss when it is removed; regions of rows with similar vectors are found by
a heuristic (a shallow tree's boxes, seeded k-means) or given; a region's importance of j
is the LOCO computed inside it, with P_j the region's own law of x_j.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamexplain.algorithms.loco import (
    Columns,
    LocoProblem,
    Reference,
    empirical_reference,
    model_reference,
    read_columns,
)
from gamexplain.algorithms.segmentation import (
    Box,
    KMeansModel,
    box_labels,
    tree_regions,
)
from gamexplain.certify import checked
from gamexplain.certify.evaluate import model_digest
from gamexplain.certify.regional import LOG_MESSAGE, regional_message
from gamexplain.complexity.registry import select_algorithm
from gamexplain.distributions import describe_distribution, resolve_distribution
from gamexplain.errors import (
    InvalidInstanceError,
    InvalidParameterError,
    TimeLimitError,
    UnsupportedQueryError,
)
from gamexplain.exact import to_float
from gamexplain.model.domains import Finite, Integers
from gamexplain.model.gam import GAM
from gamexplain.queries.parameters import validate
from gamexplain.results import Result, Stats
from gamexplain.substrate import deadline

__all__ = [
    "Empirical",
    "ImportanceResult",
    "LocoCertificate",
    "LocoResult",
    "Region",
    "RegionalResult",
    "feature_importances",
    "loco_values",
    "regional_attributions",
]


@dataclass(frozen=True)
class Empirical:
    """The empirical law of rows of data, as a ``distribution=``: each feature's P_j is
    the share of the rows holding each value (features taken as independent)."""

    rows: Any


@dataclass(frozen=True)
class LocoCertificate:
    """What the values were computed from, for ``verify`` to re-derive independently.

    Attributes
    ----------
    marginals : tuple or None
        Per feature the marginal used (None uniform), when the reference is the model's.
    reference_rows : ndarray or None
        The rows of an empirical reference.
    means : tuple of Fraction
        E a_j under the reference, per feature.
    pair_means : tuple
        Per pair term, its table's means over each axis (see
        :class:`~gamexplain.algorithms.loco.Reference`).
    model : str
        The model's digest.
    """

    marginals: tuple[Any, ...] | None
    reference_rows: Any
    means: tuple[Fraction, ...]
    pair_means: tuple[Any, ...]
    model: str


@dataclass(frozen=True, kw_only=True)
class LocoResult(Result):
    """Point LOCO vectors of rows: ``values[r, j]`` = ℓ(f_{-j}(x_r)) − ℓ(f(x_r)).

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_features)
    exact_values : ndarray of Fraction or None
        The same values exactly (``exact=True``; never for the log loss, whose values are
        transcendental).
    feature_names : tuple of str
    loss : str
    rows : ndarray
        The rows explained.
    y : ndarray or None
        Their targets.
    distribution : str or tuple
        The reference: ``"model"``, ``"uniform"``, the marginals set, or ``"empirical"``.
    """

    values: NDArray[np.float64]
    exact_values: NDArray[Any] | None
    feature_names: tuple[str, ...]
    loss: str
    rows: Any
    y: Any
    distribution: Any

    def __str__(self) -> str:
        mean = self.values.mean(axis=0) if len(self.values) else np.zeros(len(self.feature_names))
        order = np.argsort(-mean)[:5]
        top = ", ".join(f"{self.feature_names[j]} {mean[j]:.4g}" for j in order)
        return (f"LOCO ({self.loss} loss) of {len(self.values)} rows "
                f"{_reference_words(self.distribution)}; mean per feature: {top}")  # fmt: skip

    @checked
    def verify(self, gam: Any) -> bool:
        """Re-derive every value in exact arithmetic (:mod:`gamexplain.certify.regional`):
        the reference means from the marginals or the reference rows, then each row's
        values from the model's raw data; floats must match to 1e-9 relative, exact
        values exactly. The log loss is checked by a high-precision evaluation."""
        from gamexplain.certify.regional import check_loco

        return check_loco(self, gam)


@dataclass(frozen=True)
class Region:
    """One region: its rule (boxes) or centroid (k-means), and its size.

    Attributes
    ----------
    rule : str
        Readable: ``"worst radius ≤ 16.8 and texture > 21"``, ``"everywhere"``, or
        ``"cluster 2"`` / ``"label 3"``.
    size : int
        Rows of the data in the region.
    centroid : ndarray
        The mean LOCO vector of its rows (float).
    box : Box or None
        The box, for tree regions.
    """

    rule: str
    size: int
    centroid: NDArray[np.float64]
    box: Box | None = None


@dataclass(frozen=True, kw_only=True)
class RegionalResult(Result):
    """Regional importances (R-LOCO): regions × features, and each row's region.

    Attributes
    ----------
    regions : tuple of Region
    importances : ndarray of shape (n_regions, n_features)
    exact_importances : tuple of tuple of Fraction or None
        Exact values (None for the log loss, which is transcendental).
    labels : ndarray of int
        The region of each row.
    feature_names : tuple of str
    loss : str
    segmentation : str
        ``"tree"``, ``"kmeans"`` or ``"given"``; only ``"given"`` is not a heuristic.
    population : bool
        Whether the importances are under the model's law truncated to each box.
    rows, y : the data
    distribution : the reference of the point vectors the segmentation used
    """

    regions: tuple[Region, ...]
    importances: NDArray[np.float64]
    exact_importances: tuple[tuple[Fraction, ...], ...] | None
    labels: NDArray[np.intp]
    feature_names: tuple[str, ...]
    loss: str
    segmentation: str
    population: bool
    rows: Any
    y: Any
    distribution: Any
    assigner: Any = field(default=None, repr=False, compare=False)

    def top_features(self, region: int, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most important features of a region, largest first."""
        row = self.importances[region]
        order = np.argsort(-row, kind="stable")[:k]
        return [(self.feature_names[j], float(row[j])) for j in order]

    def __str__(self) -> str:
        lines = [f"{len(self.regions)} regions ({self.segmentation}"
                 f"{', a heuristic' if self.segmentation != 'given' else ''}), "
                 f"{self.loss} loss, exact importances given the regions:"]  # fmt: skip
        for k, region in enumerate(self.regions):
            top = ", ".join(f"{n} {v:.4g}" for n, v in self.top_features(k))
            rows = f"{region.size} row{'s' if region.size != 1 else ''}"
            lines.append(f"  [{k}] {region.rule} ({rows}): {top}")
        return "\n".join(lines)

    def assign(self, X: ArrayLike) -> NDArray[np.intp]:
        """The region of each row of ``X``: the box that holds it (tree), the nearest
        centroid of its own exact LOCO vector (k-means). Given labels cannot assign new
        rows."""
        if self.assigner is None:
            raise InvalidParameterError(
                "regions given as labels cannot assign new rows; pass regions='tree' or "
                "'kmeans' to regional_attributions"
            )
        return np.asarray(self.assigner(X), dtype=np.intp)

    def attributions(self, X: ArrayLike) -> NDArray[np.float64]:
        """Each row's attribution: its region's importance vector (n × p)."""
        return self.importances[self.assign(X)]

    def plot(self, ax: Any = None) -> Any:
        """Regions × features as a heatmap (matplotlib)."""
        from gamexplain.plots import heatmap_plot

        names = [f"[{k}] {r.rule}" for k, r in enumerate(self.regions)]
        return heatmap_plot(self.importances, names, list(self.feature_names),
                            f"R-LOCO importances ({self.loss} loss)", ax=ax)  # fmt: skip

    @checked
    def verify(self, gam: Any) -> bool:
        """Recompute every importance from the labels, independently
        (:mod:`gamexplain.certify.regional`): each region's empirical means and every row's
        LOCO values from the model's raw data, in Fractions; the floats must be the
        nearest floats of the exact values. Box regions: every row must lie in its box.
        Population importances are re-derived from the boxes' exact laws. Which regions a
        heuristic found is not a claim and is not checked."""
        from gamexplain.certify.regional import check_regional

        return check_regional(self, gam)


@dataclass(frozen=True, kw_only=True)
class ImportanceResult(Result):
    """Exact global importances of every feature under a law (population values).

    Attributes
    ----------
    importances : ndarray of float
    exact_importances : tuple of Fraction, sympy number or None
        Each importance exactly: a Fraction, or for a ``range`` over curved pieces a real
        algebraic number (a sympy expression in surds); None where an ``l1`` importance
        is known only within its certified ``bounds`` (its polynomial has irrational
        roots, so the value may be irrational).
    bounds : tuple of (Fraction, Fraction) or None
        Certified rational bounds on every importance (equal where it is exact), given
        when some ``l1`` importance is not exact; each is narrower than
        ``L1_WIDTH``·max(1, |value|) (2⁻⁴⁰). ``exact`` is False then.
    kind : str
    feature_names : tuple of str
    distribution : str or tuple
    """

    importances: NDArray[np.float64]
    exact_importances: tuple[Any, ...]
    kind: str
    feature_names: tuple[str, ...]
    distribution: Any
    bounds: tuple[tuple[Fraction, Fraction], ...] | None = None

    def __str__(self) -> str:
        order = np.argsort(-self.importances, kind="stable")
        shown = ", ".join(f"{self.feature_names[j]} {self.importances[j]:.4g}" for j in order)
        return f"{self.kind} importances {describe_distribution(self.distribution)}: {shown}"

    @checked
    def verify(self, gam: Any) -> bool:
        """Re-derive every importance exactly (:mod:`gamexplain.certify.regional`)."""
        from gamexplain.certify.regional import check_importances

        return check_importances(self, gam)


# -- shared steps ------------------------------------------------------------------------------
def _reference_words(label: Any) -> str:
    if label == "empirical":
        return "against the empirical law of the reference rows"
    return describe_distribution(label)


def _float_matrix(gam: GAM, X: Any) -> NDArray[np.float64] | None:
    """``X`` as a float matrix when it is one (a float array, or a DataFrame of numeric
    columns named by the features) and every value is valid, checked column by column
    without a Python loop over the values; None sends ``X`` down the general path, which
    also names any bad value. Batch inputs at large (Dask, chunks) are issue 15's."""
    if any(isinstance(f.domain, Finite) and not f.domain.is_numeric for f in gam.features):
        return None
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        try:
            frame = X[list(gam.feature_names)]
        except (KeyError, TypeError, ValueError):
            return None
        if not all(getattr(t, "kind", "O") in "fiu" for t in frame.dtypes):
            return None
        matrix = frame.to_numpy(dtype=float)
    elif isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim == 2:
        matrix = np.asarray(X, dtype=float)
    else:
        return None
    if matrix.shape[1] != gam.n_features or not len(matrix) or not np.isfinite(matrix).all():
        return None
    for j, feature in enumerate(gam.features):
        column, domain = matrix[:, j], feature.domain
        if isinstance(domain, Finite):
            if not np.isin(column, [float(v) for v in domain.values]).all():
                return None
        elif isinstance(domain, Integers) and (
            max(abs(domain.low), abs(domain.high)) > 2**53 or (np.floor(column) != column).any()
        ):
            return None
    return matrix


def _rows(gam: GAM, X: Any, caller: str) -> tuple[NDArray[Any], list[NDArray[Any]]]:
    """The rows and their validated columns; only floats and labels (a Fraction or a huge
    integer would be rounded by the fast path, so it is refused)."""
    matrix = _float_matrix(gam, X)
    if matrix is not None:
        return matrix, [matrix[:, j] for j in range(gam.n_features)]
    rows = gam._rows(X)
    if len(rows) == 0:
        raise InvalidInstanceError(f"{caller} needs at least one row")
    columns, inexact = gam._columns(rows)
    if inexact.any():
        r = int(np.flatnonzero(inexact)[0])
        raise InvalidInstanceError(
            f"{caller}: row {r} holds a value that is not a float (pass floats or labels)"
        )
    return rows, columns


def _target(gam: GAM, y: Any, loss: str, n: int, caller: str) -> NDArray[np.float64] | None:
    if loss == "fidelity":
        if y is not None:
            raise InvalidParameterError(
                f"The 'y' parameter of {caller} is only read by the 'squared' and 'log' "
                "losses; the fidelity loss compares with the model's own output"
            )
        return None
    if y is None:
        raise InvalidParameterError(f"The {loss!r} loss of {caller} needs a target: pass y=")
    try:
        target = np.asarray(y, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"The 'y' parameter of {caller} must hold numbers") from None
    if len(target) != n or not np.isfinite(target).all():
        raise InvalidParameterError(
            f"The 'y' parameter of {caller} must hold {n} finite numbers, one per row. "
            f"Got {len(target)} values instead."
        )
    if loss == "log":
        if gam.task.kind != "classification":
            raise InvalidParameterError(f"The 'log' loss of {caller} needs a classifier")
        if not np.isin(target, (0.0, 1.0)).all():
            raise InvalidParameterError(f"The 'log' loss of {caller} needs y in {{0, 1}}")
    return target


def _reference(
    gam: GAM, distribution: Any, caller: str
) -> tuple[GAM, Reference, Any, Any, NDArray[np.object_] | None]:
    """(model, reference, label, marginals, reference rows) of ``distribution``."""
    if isinstance(distribution, Empirical):
        rows, columns = _rows(gam, distribution.rows, caller)
        return gam, empirical_reference(gam, read_columns(gam, columns)), "empirical", None, rows
    model = resolve_distribution(gam, distribution, caller)
    marginals = tuple(f.distribution for f in model.features)
    if isinstance(distribution, str):
        stored = any(m is not None for m in marginals)
        label: Any = "model" if distribution == "model" and stored else "uniform"
    else:
        label = marginals
    return model, model_reference(model), label, marginals, None


@contextmanager
def _clock(seconds: float | None, caller: str) -> Iterator[None]:
    """The query's deadline; running out is a :class:`TimeLimitError`: these queries have
    no partial answer worth returning (a bound on a LOCO value is not one)."""
    try:
        with deadline.limit(seconds):
            yield
    except deadline.OutOfTime:
        raise TimeLimitError(f"{caller} ran out of its time limit ({seconds} s)") from None


def _certificate(gam: GAM, ref: Reference, marginals: Any, ref_rows: Any) -> LocoCertificate:
    return LocoCertificate(marginals, ref_rows, ref.means, ref.pair_means, model_digest(gam))


def _one_score(gam: Any, caller: str) -> None:
    """A multiclass model has one score per class and no single output to remove a
    feature from: each class's score is explained on its own (its logit), which the
    error says how to do. (A per-class front door is a later extension.)"""
    if getattr(getattr(gam, "task", None), "kind", "") == "multiclass":
        raise UnsupportedQueryError(
            f"{caller} explains one score, and a multiclass model has one per class: call "
            f"{caller}(gam.scores[k], ...) for class gam.classes[k]'s score (its logit, a "
            "regression GAM; the fidelity or squared loss)"
        )


# -- loco_values ----------------------------------------------------------------------------
def loco_values(
    gam: GAM,
    X: ArrayLike,
    *,
    y: ArrayLike | None = None,
    loss: str = "fidelity",
    distribution: Any = "model",
    exact: bool = False,
    method: str = "auto",
    time_limit: float | None = None,
) -> LocoResult:
    """Point LOCO vectors: for each row x and feature j, ℓ(f_{-j}(x)) − ℓ(f(x)).

    f_{-j}(x) = E_{X_j∼P_j} f(x_{-j}, X_j) removes feature j: for a GAM it is
    f(x) − a_j(x_j) + E a_j(X_j), and for each pair term g over (j, k),
    − g(x_j, x_k) + E_{X_j} g(X_j, x_k).

    Parameters
    ----------
    gam : GAM
    X : array-like of shape (n_rows, n_features), or a DataFrame
        Floats for numeric features, labels for finite ones.
    y : array-like, optional
        The target per row, for the ``squared`` and ``log`` losses.
    loss : {"fidelity", "squared", "log"}
        ``fidelity``: (f(x) − f_{-j}(x))², no target; ``squared``: the change of
        (y − score)²; ``log``: the change of the log loss of σ(score) against y ∈ {0, 1}
        (classifiers).
    distribution : "model", "uniform", mapping, sequence or Empirical
        The reference P_j: the model's marginals (as in
        :func:`~gamexplain.distributions.resolve_distribution`) or
        ``Empirical(rows)``, the empirical law of a data set.
    exact : bool, default False
        Also return every value as a Fraction (not for the log loss).
    method : {"auto", "closed-form"}
    time_limit : float, optional
        Seconds for the exact part.

    Returns
    -------
    LocoResult

    Notes
    -----
    O(p) exact work per feature for the means (the primitives' closed forms, or one pass
    over the reference rows), then O(rows·(p + pairs)) vectorised look-ups
    (thm:loco-closed-form).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Regression, loco_values
    >>> gam = GAM([Feature("a", Finite([0, 1]), Table([0.0, 2.0]))], task=Regression())
    >>> loco_values(gam, [[0], [1]], exact=True).exact_values.tolist()
    [[Fraction(1, 1)], [Fraction(1, 1)]]
    """
    caller = "loco_values"
    _one_score(gam, caller)
    chosen = validate(caller, gam, X=X, y=y, loss=loss, exact=exact, method=method,
                      time_limit=time_limit)  # fmt: skip
    if exact and loss == "log":
        raise InvalidParameterError(
            "The 'exact' parameter of loco_values cannot be True with the 'log' loss: "
            "its values are transcendental (logarithms), so only floats are given"
        )
    started = time.perf_counter()
    rows, columns = _rows(gam, X, caller)
    target = _target(gam, chosen["y"], loss, len(rows), caller)
    # the reference (a pair model's exact pair means) is on the query's clock too
    with _clock(chosen["time_limit"], caller):
        model, ref, label, marginals, ref_rows = _reference(gam, distribution, caller)
        entry, spec = select_algorithm(model, "loco", method, {}).chosen
        problem = LocoProblem(read_columns(model, columns, distinct=exact), ref, loss, target,
                              exact)  # fmt: skip
        values, exact_values = spec.func(model, problem)
    return LocoResult(
        values=values, exact_values=exact_values, feature_names=gam.feature_names, loss=loss,
        rows=rows, y=target, distribution=label, exact=loss != "log", algorithm=spec.name,
        cell=str(entry.cell), certificate=_certificate(gam, ref, marginals, ref_rows),
        message="" if loss != "log" else LOG_MESSAGE,
        stats=Stats(seconds=time.perf_counter() - started),
    )  # fmt: skip


# -- regional_attributions ----------------------------------------------------------------------
def _encoded(gam: GAM, columns: Sequence[NDArray[Any]]) -> NDArray[np.float64]:
    """Rows as numbers for the tree: a finite feature of labels by the label's position."""
    out = np.empty((len(columns[0]), gam.n_features))
    for j, (feature, column) in enumerate(zip(gam.features, columns, strict=True)):
        domain = feature.domain
        if isinstance(domain, Finite) and not domain.is_numeric:
            index = {v: k for k, v in enumerate(domain.values)}
            out[:, j] = [index[v] for v in column]
        else:
            out[:, j] = np.asarray(column, dtype=float)
    return out


def _rule(gam: GAM, box: Box) -> str:
    parts = []
    for feature, (low, high) in zip(gam.features, box.bounds, strict=True):
        domain = feature.domain
        if isinstance(domain, Finite) and not domain.is_numeric:
            if low is None and high is None:
                continue
            kept = [v for k, v in enumerate(domain.values)
                    if (low is None or k > low) and (high is None or k <= high)]  # fmt: skip
            parts.append(f"{feature.name} in {{{', '.join(map(str, kept))}}}")
            continue
        if low is not None:
            parts.append(f"{feature.name} > {float(low):.4g}")
        if high is not None:
            parts.append(f"{feature.name} ≤ {float(high):.4g}")
    return " and ".join(parts) or "everywhere"


def _given_labels(labels: Any, n: int) -> tuple[NDArray[np.intp], list[Any]]:
    raw = np.asarray(labels, dtype=object).reshape(-1)
    if len(raw) != n:
        raise InvalidParameterError(
            f"The 'regions' parameter of regional_attributions must give one label per row "
            f"({n}). Got {len(raw)} labels instead."
        )
    try:
        names = sorted(set(raw.tolist()), key=lambda v: (str(type(v)), v))
    except TypeError:
        raise InvalidParameterError(
            "The 'regions' parameter of regional_attributions must hold hashable, comparable labels"
        ) from None
    index = {v: k for k, v in enumerate(names)}
    return np.array([index[v] for v in raw.tolist()], dtype=np.intp), names


def _compact(labels: NDArray[np.intp], n_regions: int) -> tuple[NDArray[np.intp], list[int]]:
    """Renumber the non-empty regions 0..K-1; returns the labels and the kept ids."""
    kept = [k for k in range(n_regions) if (labels == k).any()]
    lookup = np.full(n_regions + 1, -1, dtype=np.intp)
    lookup[kept] = np.arange(len(kept))
    return lookup[labels], kept


def regional_attributions(
    gam: GAM,
    X: ArrayLike,
    *,
    y: ArrayLike | None = None,
    loss: str = "fidelity",
    regions: Any = "tree",
    n_regions: int | None = None,
    max_depth: int | None = 2,
    random_state: int = 0,
    population: bool = False,
    distribution: Any = "model",
    method: str = "auto",
    time_limit: float | None = None,
) -> RegionalResult:
    """Regional attributions (R-LOCO): segment the rows by their LOCO vectors, then the
    exact LOCO importance of every feature inside every region.

    Parameters
    ----------
    gam : GAM
    X : array-like of shape (n_rows, n_features), or a DataFrame
    y : array-like, optional
        Targets, for the ``squared`` and ``log`` losses.
    loss : {"fidelity", "squared", "log"}
        As in :func:`loco_values`.
    regions : "tree", "kmeans" or a sequence of labels
        ``"tree"``: the leaves of a shallow multi-output regression tree (scikit-learn)
        of the rows' point LOCO vectors on the rows, readable boxes; ``"kmeans"``: seeded
        k-means on the vectors scaled by their standard deviations; labels: one per row.
        Segmentation is a heuristic; given the regions every importance is exact.
    n_regions : int, optional
        The number of regions: k-means' k (else chosen by the best silhouette over
        k = 2..8), the tree's maximum number of leaves.
    max_depth : int, default 2
        The tree's depth.
    random_state : int, default 0
        The seed of the tree and of k-means.
    population : bool, default False
        Box regions only: the importances under the model's law truncated to each box
        (exact sums and integrals over the box's cells) instead of over the rows.
    distribution : "model", "uniform", mapping, sequence or Empirical
        The reference of the point vectors that drive the segmentation, and the law
        truncated to the boxes when ``population``.
    method : {"auto", "closed-form", "cells", "lloyd"}
    time_limit : float, optional

    Returns
    -------
    RegionalResult

    Notes
    -----
    Given the regions, I_j(R) = mean over the rows in R of ℓ(f^R_{-j}(x)) − ℓ(f(x)), P_j
    the law of x_j among R's rows: O(rows·(p + pairs)) look-ups plus exact arithmetic
    once per distinct key (thm:regional-closed-form). Population importances over a box
    are sums of moments over its cells, polynomial (thm:regional-population). An optimal
    k-means partition is NP-hard (thm:kmeans-np-hard), so k-means is seeded Lloyd.
    """
    caller = "regional_attributions"
    _one_score(gam, caller)
    chosen = validate(caller, gam, X=X, y=y, loss=loss, regions=regions, n_regions=n_regions,
                      max_depth=max_depth, random_state=random_state, population=population,
                      method=method, time_limit=time_limit)  # fmt: skip
    started = time.perf_counter()
    rows, columns = _rows(gam, X, caller)
    target = _target(gam, chosen["y"], loss, len(rows), caller)
    given = not isinstance(regions, str)
    if population and (given or regions == "kmeans"):
        raise InvalidParameterError(
            "The 'population' parameter of regional_attributions needs box regions "
            "(regions='tree'): a k-means cell or a set of labels is no box of the domain"
        )
    if population and loss != "fidelity":
        raise InvalidParameterError(
            "The 'population' parameter of regional_attributions needs the fidelity loss: "
            "the model's law says nothing of a target y"
        )
    key = (
        "regional-population"
        if population
        else ("regional-kmeans" if regions == "kmeans" else "regional")
    )
    with _clock(chosen["time_limit"], caller):
        model, ref, label, _, _ = _reference(gam, distribution, caller)
        selection = select_algorithm(model, key, method, {})
        data = read_columns(model, columns)
        parts = _segment(model, rows, columns, data, ref, chosen, target, given, selection)
        labels, region_list, assigner, segmentation, algorithm = parts
        floats, exact_rows = _importances(model, data, labels, region_list, target, loss,
                                          population, method)  # fmt: skip
    entry = selection.entry
    return RegionalResult(
        regions=tuple(region_list), importances=floats,
        exact_importances=None if exact_rows is None else tuple(map(tuple, exact_rows)),
        labels=labels, feature_names=gam.feature_names, loss=loss, segmentation=segmentation,
        population=population, rows=rows, y=target, distribution=label, assigner=assigner,
        exact=loss != "log", algorithm=algorithm, cell=str(entry.cell),
        certificate=model_digest(gam),
        message=regional_message(loss, segmentation),
        stats=Stats(seconds=time.perf_counter() - started),
    )  # fmt: skip


def _segment(
    model: GAM, rows: Any, columns: Any, data: Columns, ref: Reference, chosen: dict[str, Any],
    target: Any, given: bool, selection: Any,
) -> tuple[NDArray[np.intp], list[Region], Any, str, str]:  # fmt: skip
    """(labels, regions, assigner, segmentation, algorithm name)."""
    from gamexplain.algorithms.loco import apply_loss, differences, scores

    algorithm = selection.candidates[0].name
    if given:
        labels, names = _given_labels(chosen["regions"], len(rows))
        vectors = apply_loss(chosen["loss"], differences(model, data, ref), scores(model, data),
                             target)  # fmt: skip
        regions = [
            Region(f"label {names[k]!r}", int((labels == k).sum()), vectors[labels == k].mean(0))
            for k in range(len(names))
        ]
        return labels, regions, None, "given", "closed-form"
    vectors = apply_loss(chosen["loss"], differences(model, data, ref), scores(model, data), target)
    if chosen["regions"] == "kmeans":
        fitted, _ = selection.candidates[0].func(model, {
            "vectors": vectors, "n_regions": chosen["n_regions"],
            "random_state": chosen["random_state"]})  # fmt: skip
        raw = fitted.assign(vectors)
        labels, kept = _compact(raw, len(fitted.centroids))
        regions = [Region(f"cluster {k}", int((labels == k).sum()),
                          vectors[labels == k].mean(axis=0)) for k in range(len(kept))]  # fmt: skip
        assigner = _KMeansAssigner(model, ref, chosen["loss"], fitted, kept)
        return labels, regions, assigner, "kmeans", algorithm
    encoded = _encoded(model, columns)
    boxes = tree_regions(encoded, vectors, max_depth=chosen["max_depth"] or 2,
                         n_regions=chosen["n_regions"],
                         random_state=chosen["random_state"])  # fmt: skip
    labels, kept = _compact(box_labels(boxes, encoded), len(boxes))
    regions = [Region(_rule(model, boxes[b]), int((labels == k).sum()),
                      vectors[labels == k].mean(axis=0), boxes[b])
               for k, b in enumerate(kept)]  # fmt: skip
    return labels, regions, _BoxAssigner(model, [boxes[b] for b in kept]), "tree", algorithm


@dataclass(frozen=True)
class _BoxAssigner:
    model: GAM
    boxes: list[Box]

    def __call__(self, X: Any) -> NDArray[np.intp]:
        _, columns = _rows(self.model, X, "assign")
        labels = box_labels(self.boxes, _encoded(self.model, columns))
        if (labels < 0).any():
            raise InvalidInstanceError(
                f"row {int(np.flatnonzero(labels < 0)[0])} lies in a leaf of the tree that "
                "held none of the data, so it has no region"
            )
        return labels


@dataclass(frozen=True)
class _KMeansAssigner:
    model: GAM
    reference: Reference
    loss: str
    fitted: KMeansModel
    kept: list[int]

    def __call__(self, X: Any) -> NDArray[np.intp]:
        from gamexplain.algorithms.loco import apply_loss, differences, scores

        if self.loss != "fidelity":
            raise InvalidParameterError(
                "k-means regions of the squared or log loss assign new rows only with their "
                "targets; use loco_values with y and the centroids instead"
            )
        _, columns = _rows(self.model, X, "assign")
        data = read_columns(self.model, columns)
        vectors = apply_loss("fidelity", differences(self.model, data, self.reference),
                             scores(self.model, data), None)  # fmt: skip
        kept = KMeansModel(self.fitted.centroids[self.kept], self.fitted.scale)
        return kept.assign(vectors)


def _importances(
    model: GAM, data: Columns, labels: NDArray[np.intp], regions: list[Region], target: Any,
    loss: str, population: bool, method: str,
) -> tuple[NDArray[np.float64], Any]:  # fmt: skip
    if population:
        spec = select_algorithm(model, "regional-population", "auto", {}).chosen[1]
        return spec.func(model, {"boxes": [r.box for r in regions]})
    spec = select_algorithm(model, "regional", "auto", {}).chosen[1]
    problem = LocoProblem(data, None, loss, target, loss != "log", labels)
    return spec.func(model, problem)


# -- feature_importances -----------------------------------------------------------------------
def feature_importances(
    gam: GAM,
    *,
    kind: str = "loco",
    distribution: Any = "model",
    method: str = "auto",
    time_limit: float | None = None,
) -> ImportanceResult:
    """Exact global importance of every feature under a law of the inputs.

    Parameters
    ----------
    gam : GAM
    kind : {"loco", "l1", "l2", "range"}
        ``loco``: E[(f(X) − f_{-j}(X))²], the population LOCO of the fidelity loss
        (Var a_j(X_j) without pairs); ``l2``: the squared L2 norm E[(t − E t)²] of every
        term t that reads j; ``l1``: the L1 norm E|t − E t| of those terms; ``range``:
        max t − min t of those terms. In ``l1``, ``l2`` and ``range`` a pair term counts
        in full toward both its features; in ``loco`` a pair term counts toward j through
        what removing j changes of it.
    distribution : "model", "uniform", mapping or sequence
    method : {"auto", "cells"}
    time_limit : float, optional

    Returns
    -------
    ImportanceResult

    Notes
    -----
    Sums of exact moments over the cells of each feature's domain (the pieces cut at the
    pair bins' edges): polynomial in the pieces and bins (thm:regional-population). Over
    a curved piece on a real interval, ``range`` is exact (the extremes at the roots of
    the derivative, possibly surds) and ``l1`` is exact when the roots of the piece minus
    the mean are rational; otherwise ``bounds`` holds certified rational bounds narrower
    than 2⁻⁴⁰·max(1, |value|), ``exact`` is False and the message names the features.
    Multiclass models are refused: explain ``gam.scores[k]``, class k's score.
    """
    caller = "feature_importances"
    _one_score(gam, caller)
    chosen = validate(caller, gam, kind=kind, method=method, time_limit=time_limit)
    started = time.perf_counter()
    if isinstance(distribution, Empirical):
        raise InvalidParameterError(
            "The 'distribution' parameter of feature_importances must be a law of the model "
            "('model', 'uniform', a mapping or a sequence); for rows of data use "
            "regional_attributions with one region"
        )
    with _clock(chosen["time_limit"], caller):
        model, _, label, _, _ = _reference(gam, distribution, caller)
        entry, spec = select_algorithm(model, "importance", method, {}).chosen
        brackets = spec.func(model, {"kind": kind})
    exact = all(value is not None for _, _, value in brackets)
    floats = [to_float(v) if v is not None else float((a + b) / 2) for a, b, v in brackets]
    unsure = [gam.feature_names[j] for j, (_, _, v) in enumerate(brackets) if v is None]
    message = "" if exact else (
        f"the l1 importances of {', '.join(repr(n) for n in unsure)} are given within "
        "certified rational bounds (their curved pieces have irrational roots)")  # fmt: skip
    return ImportanceResult(
        importances=np.array(floats),
        exact_importances=tuple(v for _, _, v in brackets), kind=kind,
        feature_names=gam.feature_names, distribution=label, exact=exact,
        bounds=None if exact else tuple((a, b) for a, b, _ in brackets),
        algorithm=spec.name, cell=str(entry.cell), message=message,
        certificate=model_digest(gam), stats=Stats(seconds=time.perf_counter() - started),
    )  # fmt: skip
