"""Segmenting rows by their LOCO vectors: a shallow tree's boxes, or seeded k-means.

Segmentation is a heuristic (an optimal k-means partition is NP-hard to find,
``thm:kmeans-np-hard``); what is computed *given* the regions is exact. Both use
scikit-learn, imported lazily.

* ``tree``: a multi-output :class:`~sklearn.tree.DecisionTreeRegressor` of depth
  ``max_depth`` on the rows' values (labels of a finite domain by their position) predicting
  the LOCO vectors; each leaf is a box ``low < x_j ≤ high``. A row's region is the box
  that holds it, decided by exact comparisons with the tree's float thresholds, so the
  labels need not trust the tree's float32 copy of the data.
* ``kmeans``: :class:`~sklearn.cluster.KMeans` on the vectors divided by each column's
  standard deviation over the rows (columns that never vary are left as they are), seeded;
  without ``n_regions`` the k in 2..8 with the best silhouette wins (k-means and the
  silhouette on a seeded sample of at most 2,000 rows; the final fit on every row). A
  row's region is its nearest centroid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import SolverUnavailableError

__all__ = ["Box", "KMeansModel", "box_labels", "kmeans_regions", "tree_regions"]

#: The numbers of regions k-means tries when none is given.
K_RANGE = range(2, 9)
#: Rows the silhouette criterion looks at (a seeded sample beyond that).
SILHOUETTE_ROWS = 2_000


@dataclass(frozen=True)
class Box:
    """A leaf of the tree: per feature (low, high), meaning low < x_j ≤ high; None is
    unbounded. Bounds of a finite feature of labels are on its labels' positions."""

    bounds: tuple[tuple[Fraction | None, Fraction | None], ...]


@dataclass(frozen=True)
class KMeansModel:
    """What assigns a vector to its region: the centroids (in scaled units) and the scale."""

    centroids: NDArray[np.float64]
    scale: NDArray[np.float64]

    def assign(self, vectors: NDArray[np.float64]) -> NDArray[np.intp]:
        scaled = vectors / self.scale
        gaps = ((scaled[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2)
        return np.argmin(gaps, axis=1).astype(np.intp)


def _sklearn(what: str) -> Any:
    try:
        import sklearn.cluster
        import sklearn.metrics
        import sklearn.tree
    except ImportError as missing:
        raise SolverUnavailableError(
            f"{what} segmentation needs scikit-learn: pip install scikit-learn"
        ) from missing
    return sklearn


def tree_regions(
    encoded: NDArray[np.float64],
    vectors: NDArray[np.float64],
    *,
    max_depth: int,
    n_regions: int | None,
    random_state: int,
) -> list[Box]:
    """The leaves of a multi-output regression tree of ``vectors`` on ``encoded`` rows."""
    sklearn = _sklearn("tree")
    tree = sklearn.tree.DecisionTreeRegressor(
        max_depth=max_depth, max_leaf_nodes=n_regions, random_state=random_state
    ).fit(encoded, vectors)
    inner = tree.tree_
    p = encoded.shape[1]
    boxes: list[Box] = []

    def walk(node: int, bounds: list[tuple[Fraction | None, Fraction | None]]) -> None:
        left, right = inner.children_left[node], inner.children_right[node]
        if left == right:  # a leaf
            boxes.append(Box(tuple(bounds)))
            return
        j, cut = int(inner.feature[node]), Fraction(float(inner.threshold[node]))
        low, high = bounds[j]
        below = [*bounds]
        below[j] = (low, cut if high is None else min(high, cut))
        above = [*bounds]
        above[j] = (cut if low is None else max(low, cut), high)
        walk(int(left), below)
        walk(int(right), above)

    walk(0, [(None, None)] * p)
    return boxes


def box_labels(boxes: list[Box], encoded: NDArray[np.float64]) -> NDArray[np.intp]:
    """The box of each row (−1 for none; the leaves of a tree cover every row)."""
    labels = np.full(len(encoded), -1, dtype=np.intp)
    for k, box in enumerate(boxes):
        inside = np.ones(len(encoded), dtype=bool)
        for j, (low, high) in enumerate(box.bounds):
            if low is not None:
                inside &= encoded[:, j] > float(low)
            if high is not None:
                inside &= encoded[:, j] <= float(high)
        labels[inside & (labels < 0)] = k
    return labels


def _scale(vectors: NDArray[np.float64]) -> NDArray[np.float64]:
    spread = vectors.std(axis=0)
    return np.where(spread > 0, spread, 1.0)


def kmeans_regions(
    vectors: NDArray[np.float64], *, n_regions: int | None, random_state: int
) -> tuple[KMeansModel, int | None]:
    """Seeded k-means of the scaled vectors; the k chosen by silhouette unless given.

    Returns the model and the k the silhouette criterion chose (None when given).
    """
    sklearn = _sklearn("k-means")
    with _one_thread():
        return _kmeans(sklearn, vectors, n_regions, random_state)


def _kmeans(
    sklearn: Any, vectors: NDArray[np.float64], n_regions: int | None, random_state: int
) -> tuple[KMeansModel, int | None]:
    scale = _scale(vectors)
    scaled = vectors / scale
    chosen = None
    if n_regions is None:
        chosen = n_regions = _best_k(sklearn, scaled, random_state)
    n_regions = min(n_regions, len(np.unique(scaled, axis=0)))
    fitted = sklearn.cluster.KMeans(n_clusters=max(n_regions, 1), n_init=4,
                                    random_state=random_state).fit(scaled)  # fmt: skip
    return KMeansModel(np.asarray(fitted.cluster_centers_, dtype=float), scale), chosen


def _best_k(sklearn: Any, scaled: NDArray[np.float64], random_state: int) -> int:
    rng = np.random.default_rng(random_state)
    sample = scaled
    if len(scaled) > SILHOUETTE_ROWS:
        sample = scaled[rng.choice(len(scaled), SILHOUETTE_ROWS, replace=False)]
    distinct = len(np.unique(sample, axis=0))
    best, best_score = 2, -np.inf
    for k in K_RANGE:
        if k >= distinct:
            break
        labels = sklearn.cluster.KMeans(n_clusters=k, n_init=4,
                                        random_state=random_state).fit_predict(sample)  # fmt: skip
        score = sklearn.metrics.silhouette_score(sample, labels)
        if score > best_score:
            best, best_score = k, score
    return best


def _applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


@register_algorithm(
    "regional-kmeans",
    "lloyd",
    summary="seeded k-means (Lloyd, k-means++ starts) on the scaled LOCO vectors, a "
    "heuristic; then the regions' exact importances",
    theorem="thm:kmeans-np-hard",
    priority=10,
    applies=_applies,
)
def lloyd(gam: Any, problem: Any, *, time_limit: float | None = None) -> Any:
    """The k-means regions of ``problem`` (a mapping with ``vectors``, ``n_regions`` and
    ``random_state``): the model and the k chosen."""
    return kmeans_regions(
        problem["vectors"], n_regions=problem["n_regions"], random_state=problem["random_state"]
    )


def _one_thread() -> Any:
    """scikit-learn's k-means runs OpenMP threads that spin while they wait; on a shared
    machine that made a 2,000-row fit fifty times slower than one thread, so k-means runs
    on one (threadpoolctl ships with scikit-learn)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)
