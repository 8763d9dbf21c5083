"""SHAP and Banzhaf values of the score in closed form.

Under independent features the value function of the score is additive over the
model's terms, so each term is a game of its own: a main effect β_i·f_i is a one-player
game worth β_i·(f_i(x_i) − E f_i) to feature i, and a pair term g_ij is a two-player game
split evenly between its features. Shapley and Banzhaf weights give the same split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.partial_sums import Estimate
from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import bin_probabilities
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.substrate.primitives import contribution_mean

__all__ = [
    "PairTable",
    "ScoreCertificate",
    "pair_tables",
    "score_attributions",
    "score_attributions_batch",
]


@dataclass(frozen=True)
class ScoreCertificate:
    """What the closed form used, for :meth:`verify` to re-derive independently.

    Attributes
    ----------
    contributions : tuple of Fraction
        c_i = β_i·f_i(x_i) per feature.
    means : tuple of Fraction
        E[β_i·f_i(X_i)] per feature under the marginal used.
    pair_means : tuple of Fraction
        E[g(X_i, X_j)] per pair term.
    pair_shares : tuple of (Fraction, Fraction)
        Per pair term, the share of its first and of its second feature.
    """

    contributions: tuple[Fraction, ...]
    means: tuple[Fraction, ...]
    pair_means: tuple[Fraction, ...]
    pair_shares: tuple[tuple[Fraction, Fraction], ...]


@dataclass(frozen=True)
class PairTable:
    """A pair term's two-player game under product marginals, reduced to what a row needs.

    Attributes
    ----------
    mean : Fraction
        E g(X_i, X_j).
    rows, columns : tuple of Fraction
        E g(a, X_j) per bin a of the first feature; E g(X_i, b) per bin b of the second.
    """

    mean: Fraction
    rows: tuple[Fraction, ...]
    columns: tuple[Fraction, ...]

    def split(self, pair: PairTerm, a: int, b: int) -> tuple[Fraction, Fraction]:
        """The shares of the first and second feature at bins (a, b).

        Each feature joins the other half of the time (in random order, and over the
        coalitions of the others), so its share is the mean of its two marginal gains.
        """
        g = Fraction(pair.values[a][b])
        row, column = self.rows[a], self.columns[b]
        return ((row - self.mean) + (g - column)) / 2, ((column - self.mean) + (g - row)) / 2


_AXIS_LAWS: dict[Any, tuple[Fraction, ...]] = {}
_CACHE_SIZE = 4096


def _axis_law(pair: PairTerm, axis: int, feature: Feature) -> tuple[Fraction, ...]:
    """The exact bin probabilities of one axis, shared by every pair on the same bins."""
    key = (pair.edges[axis], pair.shape[axis], feature)
    law = _AXIS_LAWS.get(key)
    if law is None:
        if len(_AXIS_LAWS) > _CACHE_SIZE:
            _AXIS_LAWS.clear()
        law = _AXIS_LAWS[key] = tuple(bin_probabilities(pair, axis, feature))
    return law


def _over_common_denominator(numbers: Any) -> tuple[NDArray[Any], int]:
    """Integer numerators (an object array of Python ints) over one common denominator.

    ``numbers`` are floats or Fractions; a float's exact ratio needs no Fraction object.
    """
    ratios = [v.as_integer_ratio() for v in numbers]
    denominator = math.lcm(*(d for _, d in ratios))
    return np.array([n * (denominator // d) for n, d in ratios], dtype=object), denominator


@lru_cache(maxsize=1024)
def _pair_table(pair: PairTerm, first: Feature, second: Feature) -> PairTable:
    # the products run on Python integers over common denominators: exact, and an order
    # of magnitude faster than the same sums in Fractions
    table, t = _over_common_denominator(v for row in pair.values for v in row)
    table = table.reshape(pair.shape)
    p, dp = _over_common_denominator(_axis_law(pair, 0, first))
    q, dq = _over_common_denominator(_axis_law(pair, 1, second))
    rows = table.dot(q)
    columns = p.dot(table)
    mean = Fraction(int(p.dot(rows)), dp * t * dq)
    return PairTable(
        mean,
        tuple(Fraction(int(r), t * dq) for r in rows),
        tuple(Fraction(int(c), dp * t) for c in columns),
    )


def pair_tables(gam: GAM) -> tuple[PairTable, ...]:
    """Every pair term's table under the marginals ``gam`` carries (cached on ``gam``).

    The model is immutable and its features carry the marginals, so the tables belong
    to it; a model rebuilt with the same features and pairs (another
    ``distribution="uniform"`` call, say) finds them again in a per-process cache.

    Notes
    -----
    O(Σ_i p_i) exact bin probabilities once per feature and binning, then
    O(bins_i·bins_j) integer products per pair term, once per model.
    """
    tables: tuple[PairTable, ...] | None = gam.__dict__.get("_pair_tables")
    if tables is None:
        tables = tuple(
            _pair_table(pair, gam.features[pair.features[0]], gam.features[pair.features[1]])
            for pair in gam.pairs
        )
        object.__setattr__(gam, "_pair_tables", tables)
    return tables


def _applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


@register_algorithm(
    "shap-score",
    "closed-form",
    summary="φ_i = β_i·(f_i(x_i) − E f_i) plus the even split of each pair term; O(p) per feature",
    theorem="thm:shap-score-closed-form",
    priority=10,
    applies=_applies,
)
def score_attributions(gam: GAM, x: tuple[Any, ...], **options: Any) -> Estimate:
    """Exact Shapley (= Banzhaf) values of the score, with the base value and certificate.

    ``gam`` carries the marginals to use (see
    :func:`~gamexplain.distributions.resolve_distribution`); ``x`` is a validated
    instance.

    Notes
    -----
    O(Σ_i p_i + Σ pairs bins) for p_i pieces of feature i (the exact means), whatever the
    size of the domains, once per model (:func:`pair_tables`); then O(n + pairs·log bins)
    exact operations per row. Theorem ``thm:shap-score-closed-form``.
    """
    contributions = tuple(
        Fraction(f.contribution_exact(v)) for f, v in zip(gam.features, x, strict=True)
    )
    means = tuple(contribution_mean(f, f.distribution) for f in gam.features)
    values = [c - m for c, m in zip(contributions, means, strict=True)]
    pair_means, shares = [], []
    for pair, table in zip(gam.pairs, pair_tables(gam), strict=True):
        i, j = pair.features
        a = pair.bin_of(0, gam.features[i], x[i])
        b = pair.bin_of(1, gam.features[j], x[j])
        first, second = table.split(pair, a, b)
        values[i] += first
        values[j] += second
        pair_means.append(table.mean)
        shares.append((first, second))
    base = Fraction(gam.intercept) + sum(means, Fraction(0)) + sum(pair_means, Fraction(0))
    certificate = ScoreCertificate(contributions, means, tuple(pair_means), tuple(shares))
    return Estimate.exactly(tuple(values), base, certificate=certificate)


register_algorithm(
    "banzhaf-score",
    "closed-form",
    summary="the Shapley closed form: on an additive value function both weightings agree",
    theorem="thm:shap-score-closed-form",
    priority=10,
    applies=_applies,
)(score_attributions)


def score_attributions_batch(
    gam: GAM, columns: list[NDArray[Any]]
) -> tuple[NDArray[np.float64], float]:
    """Shapley values of the score for many rows at once (float fast path).

    ``columns`` are the validated columns of the rows (``GAM._matrix``). The means are
    exact; only the final subtraction is in floats.

    Notes
    -----
    One vectorised pass per feature and per pair term: O(rows·(n + pairs)) after the
    exact means. Theorem ``thm:shap-score-closed-form``.
    """
    means = [contribution_mean(f, f.distribution) for f in gam.features]
    phi = np.column_stack(
        [
            f.contribution(col) - float(m)
            for f, col, m in zip(gam.features, columns, means, strict=True)
        ]
    )
    base = float(Fraction(gam.intercept) + sum(means, Fraction(0)))
    for pair, table in zip(gam.pairs, pair_tables(gam), strict=True):
        i, j = pair.features
        mean = table.mean
        rows = np.array([float(r) for r in table.rows])
        cols = np.array([float(c) for c in table.columns])
        g = np.asarray(pair.values, dtype=float)
        a = pair.bins(0, gam.features[i], columns[i])
        b = pair.bins(1, gam.features[j], columns[j])
        phi[:, i] += ((rows[a] - float(mean)) + (g[a, b] - cols[b])) / 2
        phi[:, j] += ((cols[b] - float(mean)) + (g[a, b] - rows[a])) / 2
        base += float(mean)
    return phi, base
