"""SHAP and Banzhaf values of the score in closed form.

Under independent features the value function of the score is additive over the
model's terms, so each term is a game of its own: a main effect β_i·f_i is a one-player
game worth β_i·(f_i(x_i) − E f_i) to feature i, and a pair term g_ij is a two-player game
split evenly between its features. Shapley and Banzhaf weights give the same split.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.partial_sums import Estimate
from gamexplain.complexity.registry import register_algorithm
from gamexplain.distributions import bin_probabilities
from gamexplain.model.gam import GAM, PairTerm
from gamexplain.substrate.primitives import contribution_mean

__all__ = ["ScoreCertificate", "score_attributions", "score_attributions_batch"]


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


def _pair_game(gam: GAM, pair: PairTerm) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """(table, marginal of the first feature's bins, of the second's) as Fraction arrays."""
    i, j = pair.features
    table = np.array([[Fraction(v) for v in row] for row in pair.values], dtype=object)
    p = np.array(bin_probabilities(pair, 0, gam.features[i]), dtype=object)
    q = np.array(bin_probabilities(pair, 1, gam.features[j]), dtype=object)
    return table, p, q


def _pair_split(
    table: NDArray[Any], p: NDArray[Any], q: NDArray[Any], a: int, b: int
) -> tuple[Fraction, Fraction, Fraction]:
    """(E g, share of the first feature, share of the second) at bins (a, b).

    Each feature joins the other half of the time (in random order, and over the
    coalitions of the others), so its share is the mean of its two marginal gains.
    """
    mean = Fraction(p @ table @ q)
    row, column = Fraction(table[a] @ q), Fraction(p @ table[:, b])
    g = Fraction(table[a, b])
    first = ((row - mean) + (g - column)) / 2
    second = ((column - mean) + (g - row)) / 2
    return mean, first, second


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
    size of the domains. Theorem ``thm:shap-score-closed-form``.
    """
    contributions = tuple(
        Fraction(f.contribution_exact(v)) for f, v in zip(gam.features, x, strict=True)
    )
    means = tuple(contribution_mean(f, f.distribution) for f in gam.features)
    values = [c - m for c, m in zip(contributions, means, strict=True)]
    pair_means, shares = [], []
    for pair in gam.pairs:
        i, j = pair.features
        a = pair.bin_of(0, gam.features[i], x[i])
        b = pair.bin_of(1, gam.features[j], x[j])
        mean, first, second = _pair_split(*_pair_game(gam, pair), a, b)
        values[i] += first
        values[j] += second
        pair_means.append(mean)
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
    for pair in gam.pairs:
        i, j = pair.features
        table, p, q = _pair_game(gam, pair)
        mean = Fraction(p @ table @ q)
        rows = np.array([float(Fraction(r @ q)) for r in table])
        cols = np.array([float(Fraction(p @ table[:, b])) for b in range(table.shape[1])])
        g = np.asarray(pair.values, dtype=float)
        a = pair.bins(0, gam.features[i], columns[i])
        b = pair.bins(1, gam.features[j], columns[j])
        phi[:, i] += ((rows[a] - float(mean)) + (g[a, b] - cols[b])) / 2
        phi[:, j] += ((cols[b] - float(mean)) + (g[a, b] - rows[a])) / 2
        base += float(mean)
    return phi, base
