"""Independent checks of LOCO values, regional importances and global importances.

Everything is re-derived from the definitions with the plain evaluator
(:mod:`gamexplain.certify.evaluate`) and the marginals' exact laws of
:mod:`gamexplain.certify.attributions`, row by row in Fractions, sharing no code with
:mod:`gamexplain.algorithms.loco` (which groups rows by keys and vectorises):

* **LOCO values**: the reference means (E a_j, and each pair table's mean over one
  feature at every bin of the other) from the stated marginals or the reference rows,
  bound to the certificate; then every row's Δ_j = ℓ(f − d_j) − ℓ(f) from its
  definition. Floats must match to 1e-9 relative and exact values exactly; the log loss
  is evaluated with 60-digit mpmath.
* **Regional importances**: every label in range and every region non-empty of the
  stated size; a box region's rows inside its box (exact comparisons); per region the
  empirical means of its rows and the mean of the rows' Δ, which the exact importances
  must equal and the floats round to. Population importances are re-derived under the
  model's law truncated to each box, as the global importances below.
* **Global importances**: by enumerating the product of the domains under the model's
  law, from the definitions of each kind; past a product of ``ENUMERATED``
  points, by conditioning on each feature's points (the pair partners are independent).
  A real interval enters as its parts between the pieces' ends, pair edges and bounds:
  a constant part as a point, a curved part (splines, networks) through the exact
  moments of its polynomial (integers over one denominator). A curved part's range is
  re-derived at sympy's exact roots of its derivative; its L1 norm exactly when
  sympy's factorisation finds only rational roots, else by Sturm-count bisection of
  the roots to a bracket that must lie inside the result's certified bounds.
* Pair tables as integers are kept per model digest, and the model's pair expectations
  come from :mod:`gamexplain.certify.attributions`' per-digest store.

Which regions a heuristic found, their rule texts and centroids are descriptions, not
claims, and are not checked.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy

from gamexplain.certify import check_size
from gamexplain.certify.attributions import (
    _bin,
    _polynomial_pieces,
    _range_probability,
    _score_terms,
    _shift,
    _table_over_one,
    _value_probabilities,
)
from gamexplain.certify.evaluate import contribution, model_digest, pair_value
from gamexplain.certify.numbers import CertificateError, compare, sign
from gamexplain.complexity.registry import algorithms_for, question_cell
from gamexplain.distributions import resolve_distribution

__all__ = [
    "LOG_MESSAGE",
    "check_importances",
    "check_loco",
    "check_regional",
    "regional_message",
]

TOLERANCE = 1e-9
#: Points of a product law small enough to check LOCO by enumerating it (each point costs
#: a score per value of the removed feature).
ENUMERATED = 500
LOSSES = ("fidelity", "squared", "log")
SEGMENTATIONS = ("tree", "kmeans", "given")
KINDS = ("loco", "l1", "l2", "range")
#: What a result of the log loss says of its values.
LOG_MESSAGE = "log-loss values are floats of exact scores (logarithms are transcendental)"


def regional_message(loss: str, segmentation: str) -> str:
    """The message a regional result carries: what is a float, what is a heuristic."""
    parts = [LOG_MESSAGE] if loss == "log" else []
    if segmentation != "given":
        parts.append(f"the {segmentation} segmentation is a heuristic; the importances "
                     "given its regions are exact" if loss != "log" else
                     f"the {segmentation} segmentation is a heuristic")  # fmt: skip
    return "; ".join(parts)


def _label_ok(gam: Any, label: Any, marginals: Any) -> bool:
    """Whether a result's ``distribution`` names the reference its certificate used."""
    if marginals is None:
        return bool(label == "empirical")
    if isinstance(label, str):
        if label not in ("model", "uniform"):
            return False
        model = resolve_distribution(gam, label, "verify")
        return tuple(f.distribution for f in model.features) == tuple(marginals)
    return tuple(label) == tuple(marginals)


def _rational(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    raise CertificateError(f"{value!r} is not rational")


def _question(model: Any, key: str, result: Any) -> bool:
    entry = question_cell(model, key)
    names = {spec.name for spec in algorithms_for(entry.cell)}
    return result.cell == str(entry.cell) and result.algorithm in names


def _close(exact: Any, shown: Any) -> bool:
    return abs(float(exact) - float(shown)) <= TOLERANCE * (1 + abs(float(exact)))


# -- references --------------------------------------------------------------------------------
# A pair table's entries as integers over one denominator depend only on the model's
# parameters, so they are kept under its digest (as certify.attributions keeps each pair's
# expectations): every region and every later verify of the same model reuses them.
_TABLES: dict[tuple[str, int], tuple[list[list[int]], int]] = {}
_MAX_TABLES = 4096


def _table(gam: Any, t: int) -> tuple[list[list[int]], int]:
    key = (model_digest(gam), t)
    held = _TABLES.get(key)
    if held is None:
        if len(_TABLES) >= _MAX_TABLES:
            _TABLES.clear()
        held = _table_over_one(gam.pairs[t].values)
        _TABLES[key] = held
    return held


def _model_means(
    model: Any, gam: Any
) -> tuple[list[Fraction], list[tuple[list[Fraction], list[Fraction]]]]:
    """E a_j and each pair's conditional means under ``model``'s marginals, from the
    expectations :mod:`gamexplain.certify.attributions` keeps per model digest."""
    means, games, _ = _score_terms(model, model_digest(gam))
    return list(means), [(list(g.given_second), list(g.given_first)) for g in games]


def _data_means(
    model: Any, rows: Sequence[Sequence[Any]]
) -> tuple[list[Fraction], list[tuple[list[Fraction], list[Fraction]]]]:
    """E a_j and each pair's conditional means under the rows' empirical law; a pair's
    means are sums over the bins the rows reach, in integers over the table's
    denominator: E[g | second in bin b] = Σ_a count_a·T[a][b] / (n·den)."""
    n = len(rows)
    means = [sum((_rational(contribution(model, i, row[i])) for row in rows), Fraction(0)) / n
             for i in range(model.n_features)]  # fmt: skip
    pairs = []
    for t, pair in enumerate(model.pairs):
        table, den = _table(model, t)
        first = Counter(_bin(model, pair, 0, row[pair.features[0]]) for row in rows)
        second = Counter(_bin(model, pair, 1, row[pair.features[1]]) for row in rows)
        over_first = [Fraction(sum(c * table[a][b] for a, c in first.items()), n * den)
                      for b in range(len(table[0]))]  # fmt: skip
        over_second = [Fraction(sum(c * table[a][b] for b, c in second.items()), n * den)
                       for a in range(len(table))]  # fmt: skip
        pairs.append((over_first, over_second))
    return means, pairs


def _differences(model: Any, row: Sequence[Any], means: Any, pairs: Any) -> list[Fraction]:
    d = [_rational(contribution(model, j, row[j])) - means[j] for j in range(model.n_features)]
    for pair, (over_first, over_second) in zip(model.pairs, pairs, strict=True):
        i, k = pair.features
        g = pair_value(model, pair, row)
        d[i] += g - over_first[_bin(model, pair, 1, row[k])]
        d[k] += g - over_second[_bin(model, pair, 0, row[i])]
    return d


def _score(model: Any, row: Sequence[Any]) -> Fraction:
    total = Fraction(model.intercept)
    for j in range(model.n_features):
        total += _rational(contribution(model, j, row[j]))
    for pair in model.pairs:
        total += pair_value(model, pair, row)
    return total


def _loss_change(loss: str, d: Fraction, score: Fraction, y: Any) -> Any:
    if loss == "fidelity":
        return d * d
    if loss == "squared":
        return d * d + 2 * (Fraction(float(y)) - score) * d
    with mpmath.workdps(60):
        t = 1 if float(y) == 1.0 else -1
        full = mpmath.mpf(score.numerator) / score.denominator
        removed = full - mpmath.mpf(d.numerator) / d.denominator
        return float(mpmath.log1p(mpmath.exp(-t * removed)) - mpmath.log1p(mpmath.exp(-t * full)))


def _row_values(model: Any, row: Any, means: Any, pairs: Any, loss: str, y: Any) -> list[Any]:
    score = _score(model, row) if loss != "fidelity" else Fraction(0)
    return [_loss_change(loss, d, score, y) for d in _differences(model, row, means, pairs)]


def _target_ok(loss: str, y: Any, n: int) -> bool:
    if loss == "fidelity":
        return y is None
    return y is not None and len(y) == n


# -- LOCO values -------------------------------------------------------------------------------
def check_loco(result: Any, gam: Any) -> bool:
    """Re-check a :class:`~gamexplain.queries.regional.LocoResult`."""
    cert = result.certificate
    if cert.model != model_digest(gam):
        return False
    rows = [tuple(r) for r in np.asarray(result.rows, dtype=object)]
    n, p = len(rows), gam.n_features
    check_size(n * p, "the rows' LOCO values")
    if cert.marginals is not None:
        model = resolve_distribution(gam, list(cert.marginals), "verify")
        means, pairs = _model_means(model, gam)
    else:
        model = gam
        means, pairs = _data_means(gam, [tuple(r) for r in cert.reference_rows])
    if result.loss not in LOSSES:
        return False
    exact = result.loss != "log"
    if not (
        result.message == ("" if exact else LOG_MESSAGE)
        and _label_ok(gam, result.distribution, cert.marginals)
        and list(cert.means) == means
        and [(list(a), list(b)) for a, b in cert.pair_means] == pairs
        and result.feature_names == gam.feature_names
        and np.shape(result.values) == (n, p)
        and result.exact is exact
        and result.status == "solved"
        and _target_ok(result.loss, result.y, n)
        and _question(model, "loco", result)
    ):
        return False
    shown_exact = result.exact_values
    if shown_exact is not None and (not exact or np.shape(shown_exact) != (n, p)):
        return False
    for r, row in enumerate(rows):
        y = None if result.y is None else result.y[r]
        values = _row_values(model, row, means, pairs, result.loss, y)
        if not all(_close(v, s) for v, s in zip(values, result.values[r], strict=True)):
            return False
        if shown_exact is not None and list(shown_exact[r]) != values:
            return False
    return True


# -- regional importances ----------------------------------------------------------------------
def _key(result: Any) -> str:
    if result.population:
        return "regional-population"
    return "regional-kmeans" if result.segmentation == "kmeans" else "regional"


def _in_box(gam: Any, row: Sequence[Any], bounds: Sequence[Any]) -> bool:
    for feature, value, (low, high) in zip(gam.features, row, bounds, strict=True):
        domain = feature.domain
        if domain.kind == "finite" and not domain.is_numeric:
            code = Fraction(list(domain.values).index(value))
        else:
            code = Fraction(value)
        if (low is not None and not code > low) or (high is not None and not code <= high):
            return False
    return True


def check_regional(result: Any, gam: Any) -> bool:
    """Re-check a :class:`~gamexplain.queries.regional.RegionalResult`."""
    if result.certificate != model_digest(gam):
        return False
    rows = [tuple(r) for r in np.asarray(result.rows, dtype=object)]
    labels = [int(v) for v in result.labels]
    k, p = len(result.regions), gam.n_features
    check_size(len(rows) * p, "the regions' rows")
    if result.loss not in LOSSES or result.segmentation not in SEGMENTATIONS:
        return False
    exact = result.loss != "log"
    if not (
        result.message == regional_message(result.loss, result.segmentation)
        and (result.segmentation == "given") is (result.assigner is None)
        and (result.population is False or result.segmentation == "tree")
        and _valid_label(result.distribution)
        and len(labels) == len(rows)
        and all(0 <= v < k for v in labels)
        and [labels.count(r) for r in range(k)] == [reg.size for reg in result.regions]
        and all(reg.size > 0 for reg in result.regions)
        and np.shape(result.importances) == (k, p)
        and result.exact is exact
        and result.status == "solved"
        and (result.exact_importances is not None) is exact
        and (not exact or len(result.exact_importances) == k)
        and _target_ok(result.loss, result.y, len(rows))
        and result.feature_names == gam.feature_names
        and _question(gam, _key(result), result)
    ):
        return False
    if result.segmentation == "tree" and not all(
        reg.box is not None and _in_box(gam, row, reg.box.bounds)
        for row, label in zip(rows, labels, strict=True)
        for reg in [result.regions[label]]
    ):
        return False
    if result.population:
        values = [_population(gam, reg.box.bounds) for reg in result.regions]
    else:
        values = [_region_values(gam, rows, labels, r, result) for r in range(k)]
    for r, row in enumerate(values):
        if not all(_close(v, s) for v, s in zip(row, result.importances[r], strict=True)):
            return False
        if exact and (list(result.exact_importances[r]) != row
                      or [float(v) for v in row] != list(result.importances[r])):  # fmt: skip
            return False
    return True


def _valid_label(label: Any) -> bool:
    """The reference of the point vectors only drove the (heuristic) segmentation, so it
    is not re-derived; it must still be a reference's name or marginals."""
    return label in ("model", "uniform", "empirical") or isinstance(label, tuple)


def _region_values(gam: Any, rows: Any, labels: list[int], r: int, result: Any) -> list[Any]:
    members = [i for i, v in enumerate(labels) if v == r]
    inside = [rows[i] for i in members]
    means, pairs = _data_means(gam, inside)
    total: list[Any] = [Fraction(0)] * gam.n_features
    for i in members:
        y = None if result.y is None else result.y[i]
        for j, v in enumerate(_row_values(gam, rows[i], means, pairs, result.loss, y)):
            total[j] += v
    return [t / len(members) for t in total]


# -- enumeration under the model's law ---------------------------------------------------------
@dataclass(frozen=True)
class _Part:
    """A part [low, high] of a real interval on which the feature's term is a curved
    polynomial Σ c_r·(t − low)^r (β included) and every pair bin reading it is constant;
    the law's mass is spread evenly over it."""

    low: Fraction
    high: Fraction
    poly: tuple[Fraction, ...]

    @property
    def mid(self) -> Fraction:
        return (self.low + self.high) / 2


def _at(value: Any) -> Any:
    """A value of a law's entry, for the pair bins: a curved part's midpoint."""
    return value.mid if isinstance(value, _Part) else value


def _over_one_poly(poly: Sequence[Fraction]) -> tuple[list[int], int]:
    den = math.lcm(*(c.denominator for c in poly))
    return [c.numerator * (den // c.denominator) for c in poly], den


def _square(ints: list[int]) -> list[int]:
    out = [0] * (2 * len(ints) - 1)
    for r, a in enumerate(ints):
        for s, b in enumerate(ints):
            out[r + s] += a * b
    return out


def _mean_over(ints: list[int], den: int, width: Fraction) -> Fraction:
    """The mean of Σ (ints_k/den)·u^k over u ∈ [0, width]: Σ ints_k·width^k/(k+1), summed
    in integers over one denominator den·lcm(1..K+1)·wd^K (width = wn/wd)."""
    top = len(ints) - 1
    wn, wd = width.numerator, width.denominator
    common = math.lcm(*range(1, top + 2))
    num = sum(c * (common // (k + 1)) * wn**k * wd ** (top - k) for k, c in enumerate(ints))
    return Fraction(num, den * common * wd**top)


def _moments(model: Any, j: int, value: Any) -> tuple[Fraction, Fraction]:
    """E[a_j] and E[a_j²] over a law's entry: a point, or a curved part (exact integrals
    of the polynomial and its square, in integers over a common denominator)."""
    if isinstance(value, _Part):
        ints, den = _over_one_poly(value.poly)
        width = value.high - value.low
        return _mean_over(ints, den, width), _mean_over(_square(ints), den * den, width)
    a = _rational(contribution(model, j, value))
    return a, a * a


def _points(gam: Any, j: int, bounds: Any) -> list[tuple[Any, Fraction]]:
    """(value, probability) of feature j's points inside ``low < x ≤ high``, renormalised;
    on a real interval a value is a constant part's midpoint or a curved :class:`_Part`."""
    feature = gam.features[j]
    domain = feature.domain
    if domain.kind == "finite":
        law = list(zip(domain.values, _value_probabilities(feature), strict=True))
    elif domain.kind == "integers":
        low, high = int(domain.low), int(domain.high)
        check_size(high - low + 1, f"the integers of feature {feature.name!r}")
        law = _integer_law(feature, low, high)
    elif Fraction(domain.low) == Fraction(domain.high):
        law = [(Fraction(domain.low), Fraction(1))]
    else:
        law = _interval_parts(gam, j, bounds)
    low_b, high_b = bounds
    kept = []
    for k, (value, prob) in enumerate(law):
        labels = domain.kind == "finite" and not domain.is_numeric
        code = Fraction(k) if labels else Fraction(_at(value))
        if prob and (low_b is None or code > low_b) and (high_b is None or code <= high_b):
            kept.append((value, prob))
    total = sum((q for _, q in kept), Fraction(0))
    if total == 0:
        raise CertificateError("a region holds no probability")
    return [(v, q / total) for v, q in kept]


def _interval_parts(gam: Any, j: int, bounds: Any) -> list[tuple[Any, Fraction]]:
    """A real interval cut at the shape's pieces, the pair edges reading j and the
    bounds: per part its probability and its midpoint (where the term is constant) or
    the part with its polynomial (where it is curved). Every pair bin reading j, and the
    law's density, are constant on a part."""
    feature = gam.features[j]
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    pieces = _polynomial_pieces(feature)
    cuts = {low, high, *(p[0] for p in pieces), *(p[1] for p in pieces)}
    for pair in gam.pairs:
        for axis, i in enumerate(pair.features):
            if i == j and pair.edges[axis] is not None:
                cuts |= {Fraction(e) for e in pair.edges[axis]}
    cuts |= {Fraction(b) for b in bounds if b is not None}
    inside = sorted(c for c in cuts if low <= c <= high)
    check_size(len(inside), f"the parts of feature {feature.name!r}")
    out: list[tuple[Any, Fraction]] = []
    k = 0
    for a, b in itertools.pairwise(inside):
        while pieces[k][1] <= a and k + 1 < len(pieces):
            k += 1
        prob = _range_probability(feature, a, b, closed=b == high)
        left, _, _, poly = pieces[k]
        if all(c == 0 for c in poly[1:]):
            out.append(((a + b) / 2, prob))
        else:
            out.append((_Part(a, b, _shift(poly, a - left)), prob))
    return out


def _integer_law(feature: Any, low: int, high: int) -> list[tuple[Any, Fraction]]:
    if feature.distribution is None:
        return [(v, Fraction(1, high - low + 1)) for v in range(low, high + 1)]
    cuts = [Fraction(b) for b in feature.shape.breakpoints]
    probs = [Fraction(w) for w in feature.distribution]
    total = sum(probs, Fraction(0))
    last = len(probs) - 1
    out = []
    for k, prob in enumerate(probs):
        first = max(math.ceil(cuts[k]), low)
        final = min(math.floor(cuts[k + 1]) if k == last else math.ceil(cuts[k + 1]) - 1, high)
        count = final - first + 1
        out += [(v, prob / total / count) for v in range(first, final + 1)] if count > 0 else []
    return out


def _enumerate(
    gam: Any, laws: list[list[tuple[Any, Fraction]]]
) -> list[tuple[tuple[Any, ...], Fraction]]:
    size = math.prod(len(law) for law in laws)
    check_size(size, "the product of the domains")
    return [
        (tuple(v for v, _ in combo), math.prod((q for _, q in combo), start=Fraction(1)))
        for combo in itertools.product(*laws)
    ]


def _population(gam: Any, bounds: Sequence[Any]) -> list[Fraction]:
    laws = [_points(gam, j, bounds[j]) for j in range(gam.n_features)]
    return _loco(gam, laws)


def _loco(gam: Any, laws: list[list[tuple[Any, Fraction]]]) -> list[Fraction]:
    """From the definition by enumeration when the product of the laws is small enough
    and holds points only; otherwise by conditioning on each feature's law entries (the
    partners are independent)."""
    curved = any(isinstance(v, _Part) for law in laws for v, _ in law)
    if not curved and math.prod(len(law) for law in laws) <= ENUMERATED:
        return _loco_by_enumeration(gam, laws)
    return [_loco_by_conditioning(gam, laws, j) for j in range(gam.n_features)]


def _bin_laws(gam: Any, pair: Any, laws: Any) -> list[list[Fraction]]:
    out = []
    for axis, i in enumerate(pair.features):
        law = [Fraction(0)] * (len(pair.values) if axis == 0 else len(pair.values[0]))
        for v, q in laws[i]:
            law[_bin(gam, pair, axis, _at(v))] += q
        out.append(law)
    return out


def _pair_moments(
    gam: Any, t: int, axis: int, own_law: list[Fraction], other_law: list[Fraction]
) -> dict[int, tuple[Fraction, Fraction]]:
    """Per bin a of the removed feature (on ``axis``) holding mass: the mean m and second
    moment s over the partner's bins of g(a, X_k) − E_{X_j} g(X_j, X_k), in integers over
    one denominator (the table's, times the two laws')."""
    table, t_den = _table(gam, t)
    if axis == 1:
        table = [list(col) for col in zip(*table, strict=True)]
    p_num, p_den = _over_one_poly(own_law)
    q_num, q_den = _over_one_poly(other_law)
    cols = range(len(q_num))
    # E_{X_j} g(X_j, b) = h[b] / (p_den·t_den)
    h = [sum(p * table[a][b] for a, p in enumerate(p_num) if p) for b in cols]
    out = {}
    for a, p in enumerate(p_num):
        if not p:
            continue
        diff = [table[a][b] * p_den - h[b] for b in cols]  # over p_den·t_den
        first = sum(q * d for q, d in zip(q_num, diff, strict=True))
        second = sum(q * d * d for q, d in zip(q_num, diff, strict=True))
        scale = p_den * t_den
        out[a] = (Fraction(first, q_den * scale), Fraction(second, q_den * scale * scale))
    return out


def _loco_by_conditioning(gam: Any, laws: Any, j: int) -> Fraction:
    """E[d_j²] = Σ_u P(u)·E[(a_j − c_u)² | u] + Σ_t (s_t(u) − m_t(u)²)), with
    c_u = E a_j − Σ_t m_t(u) and m_t, s_t the first two moments over pair t's partner of
    g_t(u, X_k) − E_{X_j} g_t(X_j, X_k); E[(a − c)² | u] = E[a²|u] − 2c·E[a|u] + c²."""
    law = laws[j]
    moments = [_moments(gam, j, u) for u, _ in law]
    mean = sum((q * m1 for (_, q), (m1, _) in zip(law, moments, strict=True)), Fraction(0))
    shifts = [Fraction(0)] * len(law)
    spreads = [Fraction(0)] * len(law)
    for t, pair in enumerate(gam.pairs):
        if j not in pair.features:
            continue
        axis = pair.features.index(j)
        both = _bin_laws(gam, pair, laws)
        by_bin = _pair_moments(gam, t, axis, both[axis], both[1 - axis])
        for n, (u, _) in enumerate(law):
            m, second = by_bin[_bin(gam, pair, axis, _at(u))]
            shifts[n] += m
            spreads[n] += second - m * m
    total = Fraction(0)
    for (_, q), (m1, m2), shift, spread in zip(law, moments, shifts, spreads, strict=True):
        c = mean - shift
        total += q * (m2 - 2 * c * m1 + c * c + spread)
    return total


def _loco_by_enumeration(gam: Any, laws: list[list[tuple[Any, Fraction]]]) -> list[Fraction]:
    """E[(f(X) − E_{X'_j} f(X_{-j}, X'_j))²] for every j, from the definition."""
    points = _enumerate(gam, laws)
    out = []
    for j in range(gam.n_features):
        total = Fraction(0)
        for x, prob in points:
            score = _score(gam, x)
            removed = sum((q * _score(gam, (*x[:j], v, *x[j + 1:])) for v, q in laws[j]),
                          Fraction(0))  # fmt: skip
            total += prob * (score - removed) ** 2
        out.append(total)
    return out


# -- global importances ------------------------------------------------------------------------
def check_importances(result: Any, gam: Any) -> bool:
    """Re-check an :class:`~gamexplain.queries.regional.ImportanceResult`: by enumeration,
    or by conditioning on each feature's points when the product is too large."""
    if result.certificate != model_digest(gam):
        return False
    marginals = result.distribution
    if isinstance(marginals, str):
        model = resolve_distribution(gam, marginals, "verify")
    else:
        model = resolve_distribution(gam, list(marginals), "verify")
    shown = result.exact_importances
    unsure = [] if result.bounds is None else [
        gam.feature_names[j] for j, v in enumerate(shown) if v is None]  # fmt: skip
    message = "" if not unsure else (
        f"the l1 importances of {', '.join(repr(n) for n in unsure)} are given within "
        "certified rational bounds (their curved pieces have irrational roots)")  # fmt: skip
    if not (result.feature_names == gam.feature_names and result.kind in KINDS
            and result.exact is (result.bounds is None) and result.message == message
            and (result.bounds is None or (result.kind == "l1" and unsure))
            and len(result.exact_importances) == gam.n_features
            and result.status == "solved" and _question(model, "importance", result)):  # fmt: skip
        return False
    laws = [_points(model, j, (None, None)) for j in range(model.n_features)]
    values: list[Any] | None
    if result.kind == "loco":
        values = _loco(model, laws)
    else:
        values = _norms(model, laws, result.kind, result)
    if values is None:
        return False
    shown = list(result.exact_importances)
    for v, s, f in zip(values, shown, result.importances, strict=True):
        if isinstance(v, tuple):  # a certified bracket, already checked
            continue
        if s is None or (s != v and sign(to_sympy(s) - to_sympy(v)) != 0):
            return False
        if to_float(v) != f:
            return False
    return True


def _norm(kind: str, law: list[tuple[Fraction, Fraction]]) -> Fraction:
    """L1, squared L2 or range of a term taking value v with probability q."""
    mean = sum((q * v for v, q in law), Fraction(0))
    if kind == "l1":
        return sum((q * abs(v - mean) for v, q in law), Fraction(0))
    if kind == "l2":
        return sum((q * (v - mean) ** 2 for v, q in law), Fraction(0))
    support = [v for v, q in law if q]
    return max(support) - min(support)


def _norms(
    model: Any, laws: list[list[tuple[Any, Fraction]]], kind: str, result: Any
) -> list[Any] | None:
    """Every feature's norm: exact (a Fraction or a surd), or for an L1 norm the
    result's bounds once they are shown to hold (a tuple); None when they do not."""
    out: list[Any] = []
    for j in range(model.n_features):
        pairs = Fraction(0)
        for pair in model.pairs:
            if j in pair.features:
                first, second = _bin_laws(model, pair, laws)
                law = [(Fraction(pair.values[a][b]), p * q)
                       for a, p in enumerate(first) for b, q in enumerate(second)]  # fmt: skip
                pairs += _norm(kind, law)
        claimed = None if result.bounds is None else result.bounds[j]
        own = _main_norm(model, j, laws[j], kind, claimed, pairs)
        if own is None:
            return None
        out.append(own if isinstance(own, tuple) else _plus(own, pairs))
    return out


def _plus(value: Any, rational: Fraction) -> Any:
    if isinstance(value, Fraction):
        return value + rational
    return to_sympy(value) + to_sympy(rational)


def _main_norm(
    model: Any, j: int, law: list[tuple[Any, Fraction]], kind: str, claimed: Any,
    pairs: Fraction,
) -> Any:  # fmt: skip
    if not any(isinstance(v, _Part) for v, _ in law):
        return _norm(kind, [(_rational(contribution(model, j, v)), q) for v, q in law])
    moments = [(q, *_moments(model, j, v)) for v, q in law]
    mean = sum((q * m1 for q, m1, _ in moments), Fraction(0))
    if kind == "l2":
        return sum((q * m2 for q, _, m2 in moments), Fraction(0)) - mean * mean
    if kind == "range":
        return _range(model, j, law)
    return _l1(model, j, law, mean, claimed, pairs)


# -- curved pieces: extremes and L1 norms --------------------------------------------------------
def _range(model: Any, j: int, law: list[tuple[Any, Fraction]]) -> Any:
    """max − min over the parts' closures: each curved part at its ends and at the real
    roots of its derivative inside (sympy's exact roots), compared exactly."""
    u = sympy.Symbol("u", real=True)
    values: list[Any] = []
    for v, _ in law:
        if not isinstance(v, _Part):
            values.append(_rational(contribution(model, j, v)))
            continue
        poly = sympy.Poly([to_sympy(c) for c in reversed(v.poly)], u)
        width = v.high - v.low
        points: list[Any] = [Fraction(0), width]
        for root in sympy.real_roots(poly.diff(u)):
            if compare(root, Fraction(0)) > 0 and compare(root, width) < 0:
                points.append(root)
        for t in points:
            value = poly.eval(to_sympy(t))
            values.append(_fraction(value) if value.is_Rational else sympy.expand(value))
    top = bottom = values[0]
    for value in values[1:]:
        top = value if compare(value, top) > 0 else top
        bottom = value if compare(value, bottom) < 0 else bottom
    if isinstance(top, Fraction) and isinstance(bottom, Fraction):
        return top - bottom
    return sympy.expand(to_sympy(top) - to_sympy(bottom))


def _l1(
    model: Any, j: int, law: list[tuple[Any, Fraction]], mean: Fraction, claimed: Any,
    pairs: Fraction,
) -> Any:  # fmt: skip
    """E|a_j − E a_j| exactly when every curved part's roots are rational; otherwise the
    claimed bounds (minus the pair terms' part) must contain this check's own bracket,
    refined by bisection until it fits or is far narrower than the claim."""
    width = Fraction(1, 2**48)
    while True:
        low = high = Fraction(0)
        for v, q in law:
            if not isinstance(v, _Part):
                part = q * abs(_rational(contribution(model, j, v)) - mean)
                low, high = low + part, high + part
                continue
            a, b = _l1_part(v, mean, width)
            scale = q / (v.high - v.low)
            low, high = low + a * scale, high + b * scale
        if low == high:
            return low
        if claimed is None:
            return None  # irrational roots, yet claimed exact
        c_low, c_high = claimed[0] - pairs, claimed[1] - pairs
        if c_low <= low and high <= c_high:
            return tuple(claimed)
        if high - low < (c_high - c_low) / 2**10 or high < c_low or low > c_high:
            return None
        width /= 2**8


def _l1_part(part: _Part, mean: Fraction, width: Fraction) -> tuple[Fraction, Fraction]:
    """Bounds on ∫|q| over [0, w], q the part's polynomial minus the mean in u = t − low:
    rational roots from sympy's factorisation over Q, the others bracketed by bisection
    with Sturm counts (count_roots) below ``width``·w; between consecutive roots q keeps
    the sign of its value at a rational point, and F = ∫q at a bracketed root lies within
    F(s) ± max|q|·(t − s)."""
    u = sympy.Symbol("u", real=True)
    coefficients = list(part.poly)
    coefficients[0] -= mean
    w = part.high - part.low
    common = math.lcm(*(c.denominator for c in coefficients))  # factor over the integers
    poly = sympy.Poly([int(c * common) for c in reversed(coefficients)], u)
    if poly.is_zero:
        return Fraction(0), Fraction(0)
    brackets: list[tuple[Fraction, Fraction]] = []
    rest = sympy.Poly(1, u)
    for factor, _ in poly.factor_list()[1]:
        if factor.degree() == 1:
            c1, c0 = (_fraction(c) for c in factor.all_coeffs())
            root = -c0 / c1
            if 0 <= root <= w:
                brackets.append((root, root))
        else:
            rest = rest * factor
    stack = [(Fraction(0), w)]
    while stack and rest.degree() > 0:
        a, b = stack.pop()
        count = rest.count_roots(to_sympy(a), to_sympy(b))
        if count == 1:
            brackets.append(_narrowed(rest, a, b, width * w))
        elif count > 1:
            middle = (a + b) / 2
            stack += [(a, middle), (middle, b)]
    brackets.sort()
    return _integral_bounds(coefficients, brackets, w)


def _narrowed(poly: Any, a: Fraction, b: Fraction, width: Fraction) -> tuple[Fraction, Fraction]:
    """The one root of a square-free ``poly`` without rational roots in [a, b], bracketed
    below ``width`` by bisection on the exact signs at the ends (a simple root: the sign
    changes across it, and no end is a root)."""
    integer = [_fraction(c) for c in reversed(poly.all_coeffs())]

    def sign(x: Fraction) -> bool:
        return sum((c * x**k for k, c in enumerate(integer)), Fraction(0)) > 0

    left = sign(a)
    while b - a > width:
        middle = (a + b) / 2
        if sign(middle) == left:
            a = middle
        else:
            b = middle
    return a, b


def to_sympy(value: Any) -> Any:
    """A Fraction as a sympy Rational; a sympy number unchanged."""
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def to_float(value: Any) -> float:
    """The nearest float of an exact number (a surd evaluated to 30 digits first)."""
    if isinstance(value, Fraction):
        return float(value)
    return float(sympy.N(value, 30))


def _fraction(value: Any) -> Fraction:
    return Fraction(int(value.p), int(value.q))


def _integral_bounds(
    q: list[Fraction], brackets: list[tuple[Fraction, Fraction]], w: Fraction
) -> tuple[Fraction, Fraction]:
    def at(x: Fraction) -> Fraction:
        return sum((c * x**k for k, c in enumerate(q)), Fraction(0))

    def primitive(x: Fraction) -> Fraction:
        return sum((c * x ** (k + 1) / (k + 1) for k, c in enumerate(q)), Fraction(0))

    points = [(Fraction(0), Fraction(0)), *brackets, (w, w)]
    spans = []
    for s, t in points:
        reach = sum((abs(c) * max(abs(s), abs(t)) ** k for k, c in enumerate(q)), Fraction(0))
        spans.append((primitive(s) - reach * (t - s), primitive(s) + reach * (t - s)))
    low = high = Fraction(0)
    for k in range(len(points) - 1):
        left, right = points[k][1], points[k + 1][0]
        if right <= left:
            continue
        sign = at((left + right) / 2) > 0
        (a_lo, a_hi), (b_lo, b_hi) = spans[k], spans[k + 1]
        low += (b_lo - a_hi) if sign else (a_lo - b_hi)
        high += (b_hi - a_lo) if sign else (a_hi - b_lo)
    return max(low, Fraction(0)), high
