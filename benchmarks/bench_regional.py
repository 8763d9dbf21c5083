"""Point LOCO vectors and regional attributions (R-LOCO) of the breast-cancer EBM.

Run: ``python benchmarks/bench_regional.py [--rows 1000000] [--regional-rows 100000]``.
The rows are scikit-learn's breast-cancer data (569 rows) tiled to the wanted count.
Part 1 times ``loco_values`` (fidelity loss, the model's marginals) against a plain numpy
evaluation of the same model's contributions on the same rows (``searchsorted`` into
each feature's breakpoints and a look-up of its step values: the least any
per-row explanation must do), and against ``GAM.decision_function``; it prints the
ratios, measured in the same run. Part 2 times the whole ``regional_attributions``
(tree regions, exact importances) and with k-means regions, and ``verify`` on a
smaller slice.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gamexplain as gx


def rows(count: int) -> np.ndarray:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer().data
    return np.tile(data, (count // len(data) + 1, 1))[:count]


def numpy_contributions(gam: gx.GAM, X: np.ndarray) -> np.ndarray:
    """Each feature's step contribution by searchsorted: the baseline."""
    out = np.empty(X.shape)
    for j, feature in enumerate(gam.features):
        cuts = np.asarray(feature.shape.breakpoints)
        values = feature.weight * np.array([c[0] for c in feature.shape.coefficients])
        piece = np.clip(np.searchsorted(cuts, X[:, j], side="right") - 1, 0, len(values) - 1)
        out[:, j] = values[piece]
    return out


def timed(call):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def point(gam: gx.GAM, count: int) -> None:
    X = rows(count)
    base, t_numpy = timed(lambda: numpy_contributions(gam, X))
    _, t_score = timed(lambda: gam.decision_function(X))
    result, t_loco = timed(lambda: gx.loco_values(gam, X))
    # fidelity LOCO without pairs is (a_j − E a_j)²: the baseline's contributions agree
    means = np.array([float(m) for m in result.certificate.means])
    assert np.allclose(result.values, (base - means) ** 2)
    print(f"point LOCO of {count} rows × {gam.n_features} features")
    print(f"  numpy contributions      {t_numpy:8.3f} s")
    print(f"  GAM.decision_function    {t_score:8.3f} s")
    print(f"  loco_values              {t_loco:8.3f} s   ratio to numpy {t_loco / t_numpy:6.1f}, "
          f"to decision_function {t_loco / t_score:5.2f}")  # fmt: skip


def regional(gam: gx.GAM, count: int) -> None:
    X = rows(count)
    tree, t_tree = timed(lambda: gx.regional_attributions(gam, X))
    kmeans, t_kmeans = timed(lambda: gx.regional_attributions(gam, X, regions="kmeans"))
    _, t_numpy = timed(lambda: numpy_contributions(gam, X))
    print(f"regional_attributions of {count} rows")
    print(f"  tree (depth 2, exact importances)  {t_tree:8.3f} s  {len(tree.regions)} regions; "
          f"ratio to numpy contributions {t_tree / t_numpy:7.1f}")  # fmt: skip
    print(f"  k-means (k by silhouette)          {t_kmeans:8.3f} s  {len(kmeans.regions)} regions")
    small = gx.regional_attributions(gam, X[:2000])
    _, t_verify = timed(lambda: small.verify(gam))
    print(f"  verify of the tree result on 2000 rows  {t_verify:8.3f} s")
    print(tree)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--regional-rows", type=int, default=100_000)
    args = parser.parse_args()
    gam = gx.load("breast_cancer_ebm")
    point(gam, args.rows)
    regional(gam, args.regional_rows)


if __name__ == "__main__":
    main()
