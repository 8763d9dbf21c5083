"""Independent re-checks of SHAP, Banzhaf and completion-fraction results.

Nothing here calls the solvers (:mod:`gamexplain.algorithms`), the model's per-feature
primitives (:mod:`gamexplain.substrate.primitives`) or the solvers' exact signs
(:mod:`gamexplain.exact`). Values come from :func:`gamexplain.certify.contribution` and
:func:`gamexplain.certify.score`. What each check re-derives:

- **the model and question**: the instance lies in the domain; the marginals the
  certificate used are the ones ``distribution`` names on *this* model (so another
  intercept, feature order, table value or marginal fails); the output, the complexity
  cell and the algorithm (which must name the certificate's); every displayed field
  (values, bounds, base value, fraction, names, status, message) from the certificate.
- **SHAP / Banzhaf of the score**: the closed form again, with every mean summed or
  integrated anew (sympy) and every pair term split by its four coalitions; for many
  rows, the means once and each row's contributions by the plain evaluator.
- **label values and completion fractions** (additive models): each feature's law —
  per value (finite domains, small integer ranges) or per certificate cell, whose
  probability is recomputed from the marginal and whose contribution range from the raw
  shape (Bernstein coefficients of the piece's polynomial; a ReLU network's ends after
  checking no hidden unit changes sign inside) — then the totals by a second, plain
  convolution (a dictionary of partial sums, coalition sizes tracked), rounded to the
  certificate's scale when it has one. Exact answers must equal the re-derived ones;
  bounds must contain the re-derived sound bounds. One continuous feature linear on its
  cells is integrated exactly (a linear function is uniform on its range).
- **label values with pair terms**: every coalition and every completion by the plain
  evaluator.
- **grid-convolution brackets**: the cells, the pair terms' bounds and a bracket on the
  certificate's grid, re-derived by :mod:`gamexplain.certify.grid`.

A bound that holds for any model (a label value in [−1, 1], a probability in [0, 1]) is
accepted without work. Shared with the rest of the package, on purpose: resolving
``distribution=`` (:func:`gamexplain.distributions.resolve_distribution`, which only
copies marginals onto features) and, for the mean of a ReLU network's score, its exact
compilation to linear pieces (:func:`gamexplain.substrate.pieces.compile_relu`). Every
re-derivation is bounded by :data:`gamexplain.certify.MAX_CHECK_POINTS`; beyond it the
check raises :class:`~gamexplain.errors.CertificateTooLargeError` before doing the work.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from gamexplain.certify import (
    CertificateError,
    check_size,
    compare,
    contribution,
    covering,
    exact_number,
    in_domain,
    label,
    model_digest,
    same_prediction,
    score,
)
from gamexplain.complexity.registry import algorithms_for, question_cell
from gamexplain.distributions import resolve_distribution

__all__ = [
    "BOUNDS_MESSAGE",
    "check_attributions",
    "check_completion",
    "check_score_batch",
    "model_digest",
    "round_down",
    "round_up",
]

BOUNDS_MESSAGE = "the bounds did not meet within the budget"
"""The message of every result that reports bounds instead of an exact answer."""

Cell = tuple[Any, Any, Fraction, Fraction, Fraction]
Law = list[tuple[Fraction, Fraction, Fraction]]  # (low, high, probability) per cell


def round_down(value: Fraction) -> float:
    """The largest float ≤ ``value``."""
    f = float(value)
    return math.nextafter(f, -math.inf) if Fraction(f) > value else f


def round_up(value: Fraction) -> float:
    """The smallest float ≥ ``value``."""
    f = float(value)
    return math.nextafter(f, math.inf) if Fraction(f) < value else f


# -- the model and the question -------------------------------------------------------------
def _model(gam: Any, distribution: Any, marginals: Any, digest: Any) -> Any:
    """The model with the marginals ``distribution`` names, which must be ``marginals``;
    ``gam`` must be the model the result was computed for."""
    if digest != model_digest(gam):
        raise CertificateError("the result was computed for another model")
    model = resolve_distribution(gam, distribution, "verify")
    if tuple(f.distribution for f in model.features) != tuple(marginals):
        raise CertificateError("the certificate used other marginals than the result names")
    return model


def _question(model: Any, query: str, algorithm: str, cell: Any, claimed: str) -> bool:
    entry = question_cell(model, query)
    names = {spec.name for spec in algorithms_for(entry.cell)}
    return cell == str(entry.cell) and algorithm == claimed and algorithm in names


def _status(exact: bool, status: Any, claimed: Any, message: Any) -> bool:
    if exact:
        return status == claimed == "solved" and message == ""
    return (
        status == claimed
        and status in ("time_limit", "budget_exhausted")
        and (message == BOUNDS_MESSAGE)
    )


def _same_floats(shown: Any, expected: Sequence[float]) -> bool:
    array = np.asarray(shown)
    return array.shape == (len(expected),) and bool(np.all(array == np.array(expected)))


# -- SHAP and Banzhaf ------------------------------------------------------------------------------
def check_attributions(result: Any, gam: Any) -> bool:
    """Re-check a :class:`~gamexplain.queries.shap.ShapResult` (or Banzhaf) result."""
    cert = result.certificate
    model = covering(_model(gam, result.distribution, cert.marginals, cert.model), result.instance)
    output, kind, n = result.output, result.kind, model.n_features
    if output not in ("score", "label") or kind not in ("shapley", "banzhaf"):
        return False
    if output == "label" and model.task.kind != "classification":
        return False
    query = f"{'shap' if kind == 'shapley' else 'banzhaf'}-{output}"
    if not (
        result.feature_names == model.feature_names
        and in_domain(model, result.instance)
        and _question(model, query, result.algorithm, result.cell, cert.algorithm)
        and _shown_attributions(result, cert, n)
    ):
        return False
    lower, upper = _fractions(cert.lower, n), _fractions(cert.upper, n)
    base = (Fraction(cert.base_lower), Fraction(cert.base_upper))
    reference: tuple[Sequence[Fraction], Sequence[Fraction], Fraction, Fraction] | None
    if output == "score":
        values, exact_base = _score_values(model, tuple(result.instance), cert.model)
        reference = (values, values, exact_base, exact_base)
    else:
        reference = _label_reference(model, tuple(result.instance), kind, cert, lower, upper, base)
        if reference is None:
            return True
    if not _contains(lower, upper, base, reference, result.exact):
        return False
    if kind == "shapley" and result.exact:
        explained = score(model, result.instance)
        target = Fraction(label(model, explained)) if output == "label" else explained
        return base[0] + sum(lower, Fraction(0)) == target
    return True


def _fractions(values: Any, n: int) -> tuple[Fraction, ...]:
    if len(values) != n or not all(isinstance(v, Fraction) for v in values):
        raise CertificateError("the certificate's bounds are not one exact number per feature")
    return tuple(values)


def _shown_attributions(result: Any, cert: Any, n: int) -> bool:
    lower, upper = tuple(cert.lower), tuple(cert.upper)
    exact = lower == upper and cert.base_lower == cert.base_upper
    base = (cert.base_lower + cert.base_upper) / 2
    middle = [float((a + b) / 2) for a, b in zip(lower, upper, strict=True)]
    return (
        result.exact is exact
        and _status(exact, result.status, cert.status, result.message)
        and all(a <= b for a, b in zip(lower, upper, strict=True))
        and cert.base_lower <= cert.base_upper
        and _same_floats(result.values, middle)
        and _same_floats(result.lower, [round_down(v) for v in lower])
        and _same_floats(result.upper, [round_up(v) for v in upper])
        and result.base_value == float(base)
        and result.exact_values == (lower if exact else None)
        and result.exact_base_value == (base if exact else None)
    )


def _contains(
    lower: Sequence[Fraction],
    upper: Sequence[Fraction],
    base: tuple[Fraction, Fraction],
    reference: tuple[Sequence[Fraction], Sequence[Fraction], Fraction, Fraction],
    exact: bool,
) -> bool:
    """Exact claims equal the re-derived values; bounds contain the re-derived bounds."""
    low, high, base_low, base_high = reference
    if exact:
        return tuple(lower) == tuple(low) == tuple(high) and base[0] == base_low == base_high
    inside = all(a <= b for a, b in zip(lower, low, strict=True)) and all(
        b <= a for a, b in zip(upper, high, strict=True)
    )
    return inside and base[0] <= base_low and base_high <= base[1]


def _weight(kind: str, n: int, size: int) -> Fraction:
    if kind == "banzhaf":
        return Fraction(1, 2 ** (n - 1))
    return Fraction(math.factorial(size) * math.factorial(n - size - 1), math.factorial(n))


# -- the score: the closed form, independently -------------------------------------------------
def _score_values(
    model: Any, x: tuple[Any, ...], digest: str
) -> tuple[tuple[Fraction, ...], Fraction]:
    """The exact SHAP (= Banzhaf) values of the score at x and the base value, in
    ``model`` (the verified model ``digest`` names, with its marginals and widening)."""
    means, games, base = _score_terms(model, digest)
    values = [_rational(contribution(model, i, v)) - means[i] for i, v in enumerate(x)]
    for game in games:
        for me, share in zip(game.pair.features, game.shares(x), strict=True):
            values[me] += share
    return tuple(values), base


# -- the expectations, once per model ---------------------------------------------------------
# Each feature's mean and each pair's conditional expectations depend only on the model's
# parameters (bound by its SHA-256 digest) and on the feature's domain and marginal (which
# ``distribution=`` and widening to an instance may change), so they are kept under that
# key: every row a verify re-checks, and every later verify on the same model, reuses
# them. They are computed here, by this module's own code, never taken from a result.
_TERMS: dict[tuple[Any, ...], Any] = {}
_MAX_TERMS = 4096


def _held(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    held = _TERMS.get(key)
    if held is None:
        if len(_TERMS) >= _MAX_TERMS:
            _TERMS.clear()
        held = compute()
        _TERMS[key] = held
    return held


def _feature_key(model: Any, i: int) -> tuple[Any, ...]:
    feature = model.features[i]
    return (i, feature.domain, feature.distribution)


def _score_terms(model: Any, digest: str) -> tuple[list[Fraction], list[_PairGame], Fraction]:
    """Every feature's mean, every pair's game and the base value E[F(X)] in ``model``:
    the model whose parameters ``digest`` binds, with the domains and marginals it now
    has (both part of every key)."""
    means: list[Fraction] = []
    for i in range(model.n_features):
        key = (digest, "mean", *_feature_key(model, i))
        means.append(_held(key, functools.partial(_mean, model, i)))
    games: list[_PairGame] = []
    for p, pair in enumerate(model.pairs):
        first, second = (_feature_key(model, j) for j in pair.features)
        key = (digest, "pair", p, *first, *second)
        games.append(_held(key, functools.partial(_PairGame, model, pair)))
    base = Fraction(model.intercept) + sum(means, Fraction(0))
    return means, games, base + sum((g.mean for g in games), Fraction(0))


def _rational(value: Any) -> Fraction:
    number = exact_number(value)
    if not isinstance(number, Fraction):
        raise CertificateError(f"{value} is not rational")
    return number


class _PairGame:
    """A pair term as a two-player game under the features' marginals.

    The table's expectation given either feature's bin is computed for every bin at
    once, in integers over one common denominator (the table's entries and each axis's
    bin probabilities scaled to integers), so a row's shares are two look-ups.
    """

    def __init__(self, model: Any, pair: Any) -> None:
        self.model, self.pair = model, pair
        laws = [_bin_law(model, pair, axis) for axis in (0, 1)]
        (p_num, p_den), (q_num, q_den) = (_over_one(law) for law in laws)
        table, t_den = _table_over_one(pair.values)
        # E[g | first in bin r] = rows[r] / (q_den·t_den), E[g | second in bin c] likewise
        rows = [sum(q * t for q, t in zip(q_num, row, strict=True)) for row in table]
        cols = [
            sum(p * row[c] for p, row in zip(p_num, table, strict=True)) for c in range(len(q_num))
        ]
        self.given_first = [Fraction(v, q_den * t_den) for v in rows]
        self.given_second = [Fraction(v, p_den * t_den) for v in cols]
        total = sum(p * v for p, v in zip(p_num, rows, strict=True))
        self.mean = Fraction(total, p_den * q_den * t_den)

    def shares(self, x: Sequence[Any]) -> tuple[Fraction, Fraction]:
        i, j = self.pair.features
        a, b = _bin(self.model, self.pair, 0, x[i]), _bin(self.model, self.pair, 1, x[j])
        both = Fraction(self.pair.values[a][b])
        first, second = self.given_first[a], self.given_second[b]
        # each player joins the other one half of the time, in either weighting
        return (
            ((first - self.mean) + (both - second)) / 2,
            ((second - self.mean) + (both - first)) / 2,
        )


def _over_one(law: Sequence[Fraction]) -> tuple[list[int], int]:
    """Probabilities as integers over their least common denominator."""
    denominator = math.lcm(*(p.denominator for p in law)) if law else 1
    return [p.numerator * (denominator // p.denominator) for p in law], denominator


def _table_over_one(values: Sequence[Sequence[Any]]) -> tuple[list[list[int]], int]:
    """A table's entries (floats exactly, or rationals) as integers over one denominator."""
    ratios = [[_ratio(v) for v in row] for row in values]
    denominator = math.lcm(*(d for row in ratios for _, d in row))
    return [[n * (denominator // d) for n, d in row] for row in ratios], denominator


def _ratio(value: Any) -> tuple[int, int]:
    if type(value) is float:
        return value.as_integer_ratio()
    exact = Fraction(value)
    return exact.numerator, exact.denominator


def _bin(model: Any, pair: Any, axis: int, value: Any) -> int:
    edges = pair.edges[axis]
    if edges is None:
        return list(model.features[pair.features[axis]].domain.values).index(value)
    number = exact_number(value)
    if isinstance(number, Fraction):
        # how many inner edges lie at or below the value (the edges strictly increase)
        return bisect.bisect_right(_exact_inner_edges(tuple(edges)), number)
    k = 0
    for b in range(1, len(edges) - 1):
        if compare(number, edges[b]) >= 0:
            k = b
    return k


@functools.lru_cache(maxsize=4096)
def _exact_inner_edges(edges: tuple[Any, ...]) -> list[Fraction]:
    inner = [Fraction(e) for e in edges[1:-1]]
    if any(a >= b for a, b in itertools.pairwise(inner)):
        raise CertificateError("a pair term's bin edges do not increase")
    return inner


def _bin_law(model: Any, pair: Any, axis: int) -> list[Fraction]:
    """The probability of each bin of the pair's ``axis``-th feature (values outside the
    edges fall in the first or the last bin)."""
    feature = model.features[pair.features[axis]]
    edges = pair.edges[axis]
    out = [Fraction(0)] * len(pair.values if axis == 0 else pair.values[0])
    if feature.domain.kind == "finite":
        values = feature.domain.values
        for v, p in zip(values, _value_probabilities(feature), strict=True):
            out[_bin(model, pair, axis, v)] += p
        return out
    cuts = [exact_number(e) for e in edges]
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    last = len(out) - 1
    for b in range(len(out)):
        left = min(cuts[b], low) if b == 0 else cuts[b]
        right = max(cuts[b + 1], high) if b == last else cuts[b + 1]
        out[b] = _range_probability(feature, left, right, closed=b == last)
    return out


def _mean(model: Any, i: int) -> Fraction:
    """E[β_i·f_i(X_i)]: a sum over values, or over pieces of sums and integrals."""
    feature = model.features[i]
    domain = feature.domain
    if domain.kind == "finite":
        values = domain.values
        probs = _value_probabilities(feature)
        return sum(
            (p * _rational(contribution(model, i, v)) for v, p in zip(values, probs, strict=True)),
            Fraction(0),
        )
    if Fraction(domain.low) == Fraction(domain.high):
        return _rational(contribution(model, i, domain.low))
    total = Fraction(0)
    integers = domain.kind == "integers"
    for left, right, closed, poly in _polynomial_pieces(feature):
        p = _range_probability(feature, left, right, closed)
        if p:
            total += p * _average(poly, left, right, integers, closed)
    return total


def _polynomial_pieces(
    feature: Any,
) -> list[tuple[Fraction, Fraction, bool, tuple[Fraction, ...]]]:
    """(left, right, closed, β·coefficients in powers of t − left) per piece, cut to the
    domain; a piece holds [left, right) or, when closed, [left, right]."""
    shape, domain = feature.shape, feature.domain
    beta = Fraction(feature.weight)
    low, high = Fraction(domain.low), Fraction(domain.high)
    rows: Sequence[Sequence[Fraction]]
    if type(shape).__name__ == "ReLUNet":
        from gamexplain.substrate.pieces import compile_relu  # the network's linear pieces

        cuts, rows = compile_relu(shape, low, high)
    else:
        cuts = tuple(Fraction(b) for b in shape.breakpoints)
        rows = tuple(tuple(Fraction(c) for c in row) for row in shape.coefficients)
    out = []
    for k, row in enumerate(rows):
        left, right = max(cuts[k], low), min(cuts[k + 1], high)
        closed = k == len(rows) - 1 or cuts[k + 1] > high
        if _measure(left, right, domain.kind == "integers", closed):
            out.append((left, right, closed, _shift(tuple(beta * c for c in row), left - cuts[k])))
    return out


def _shift(poly: tuple[Fraction, ...], by: Fraction) -> tuple[Fraction, ...]:
    """Coefficients of t ↦ p(t + by) (Taylor shift)."""
    out = [Fraction(0)] * len(poly)
    for r, c in enumerate(poly):
        for s in range(r + 1):
            out[s] += c * math.comb(r, s) * by ** (r - s)
    return tuple(out)


def _average(
    poly: tuple[Fraction, ...], left: Fraction, right: Fraction, integers: bool, closed: bool
) -> Fraction:
    """The mean of p(t − left) over [left, right) (its integers, or its length)."""
    if not integers:
        width = right - left
        return sum((c * width**r / (r + 1) for r, c in enumerate(poly)), Fraction(0))
    first = math.ceil(left)
    count = int(_measure(left, right, True, closed))
    shifted = _shift(poly, first - left)  # p at first + m, in powers of m = 0 … count − 1
    return sum((c * _power_sum(r, count - 1) for r, c in enumerate(shifted)), Fraction(0)) / count


def _power_sum(r: int, top: int) -> Fraction:
    """Σ_{m=0}^{top} m^r for r ≤ 3 (Faulhaber), by sympy above."""
    closed_forms = {
        0: Fraction(top + 1),
        1: Fraction(top * (top + 1), 2),
        2: Fraction(top * (top + 1) * (2 * top + 1), 6),
        3: Fraction(top * (top + 1), 2) ** 2,
    }
    if r in closed_forms:
        return closed_forms[r]
    m = sympy.Symbol("m")
    return _to_fraction(sympy.summation(m**r, (m, 0, top)))


def _to_fraction(value: Any) -> Fraction:
    exact = sympy.Rational(sympy.expand(value))
    return Fraction(int(exact.p), int(exact.q))


# -- marginals -------------------------------------------------------------------------------------
def _normalised(weights: Sequence[float]) -> list[Fraction]:
    exact = [Fraction(w) for w in weights]
    total = sum(exact, Fraction(0))
    return [w / total for w in exact]


def _value_probabilities(feature: Any) -> list[Fraction]:
    size = len(feature.domain.values)
    if feature.distribution is None:
        return [Fraction(1, size)] * size
    return _normalised(feature.distribution)


def _measure(low: Fraction, high: Fraction, integers: bool, closed: bool) -> Fraction:
    """The count of integers (or the length) of [low, high) or [low, high]."""
    if low > high:
        return Fraction(0)
    if integers:
        last = math.floor(high) if closed else math.ceil(high) - 1
        return Fraction(max(last - math.ceil(low) + 1, 0))
    return high - low


Span = tuple[Fraction, Fraction, bool]  # [low, high) or, when closed, [low, high]


def _meet(a: Span, b: Span) -> Span:
    if a[1] != b[1]:
        end = a if a[1] < b[1] else b
        return max(a[0], b[0]), end[1], end[2]
    return max(a[0], b[0]), a[1], a[2] and b[2]


def _range_probability(feature: Any, left: Fraction, right: Fraction, closed: bool) -> Fraction:
    """P(X_i ∈ [left, right)) (or [left, right] when ``closed``) for a numeric domain."""
    domain = feature.domain
    integers = domain.kind == "integers"
    low, high = Fraction(domain.low), Fraction(domain.high)
    cell, whole = (left, right, closed), (low, high, True)
    if low == high:
        return Fraction(left <= low and (low < right or (closed and low == right)))

    def size(span: Span) -> Fraction:
        return _measure(*span[:2], integers, span[2])

    if feature.distribution is None:
        return size(_meet(cell, whole)) / size(whole)
    if not integers:
        # a real interval: the sum below is G(right) − G(left) for the piecewise-linear
        # G(t) = Σ_k p_k·|[a_k, b_k] ∩ (−∞, t]| / |[a_k, b_k]|, kept per feature
        if left > right:
            return Fraction(0)
        cdf = _Cdf.of(feature, low, high)
        return cdf(right) - cdf(left)
    cuts, probs = _piece_marginal(feature.shape.breakpoints, feature.distribution)
    total = Fraction(0)
    # only the pieces that can meet [left, right] (an EBM has hundreds per feature)
    k = min(max(bisect.bisect_right(cuts, left) - 1, 0), len(probs) - 1)
    while k < len(probs) and cuts[k] <= right:
        p = probs[k]
        part = _meet((cuts[k], cuts[k + 1], k == len(probs) - 1), whole)
        if p and size(part):
            total += p * size(_meet(cell, part)) / size(part)
        k += 1
    return total


class _Cdf:
    """G(t) = P(X ≤ t) for a stored per-piece marginal on a real interval [low, high]:
    each piece's probability spread evenly over the piece cut to the domain (pieces of
    length zero carry nothing, as in :func:`_range_probability`'s sum)."""

    def __init__(self, cuts: Sequence[Fraction], probs: Sequence[Fraction],
                 low: Fraction, high: Fraction) -> None:  # fmt: skip
        self.starts: list[Fraction] = []
        self.ends: list[Fraction] = []
        self.probs: list[Fraction] = []
        self.before: list[Fraction] = [Fraction(0)]  # the mass of the pieces before
        for k, p in enumerate(probs):
            start, end = max(cuts[k], low), min(cuts[k + 1], high)
            if end > start and p:
                self.starts.append(start)
                self.ends.append(end)
                self.probs.append(p)
                self.before.append(self.before[-1] + p)
        self.rounded = [float(e) for e in self.ends]

    def _ended(self, t: Fraction) -> int:
        """How many pieces end at or before t: a search over the ends rounded to floats
        (rounding keeps order, so it brackets the count), then exact comparisons."""
        near = float(t)
        k = bisect.bisect_left(self.rounded, near)  # these ends are < t exactly
        top = bisect.bisect_right(self.rounded, near)  # no more than these are ≤ t
        while k < top and self.ends[k] <= t:
            k += 1
        return k

    def __call__(self, t: Fraction) -> Fraction:
        k = self._ended(t)
        total = self.before[k]
        if k < len(self.starts) and self.starts[k] < t:
            total += self.probs[k] * (t - self.starts[k]) / (self.ends[k] - self.starts[k])
        return total

    @staticmethod
    def of(feature: Any, low: Fraction, high: Fraction) -> _Cdf:
        """The feature's G, built once per (breakpoints, marginal, domain)."""
        breakpoints, distribution = feature.shape.breakpoints, feature.distribution
        key = (id(breakpoints), id(distribution), low, high)
        held = _CDFS.get(key)
        if held is None or held[0] is not breakpoints or held[1] is not distribution:
            if len(_CDFS) > 256:
                _CDFS.clear()
            cuts, probs = _piece_marginal(breakpoints, distribution)
            held = (breakpoints, distribution, _Cdf(cuts, probs, low, high))
            _CDFS[key] = held
        return held[2]


_CDFS: dict[tuple[Any, ...], Any] = {}


def _piece_marginal(
    breakpoints: tuple[float, ...], distribution: tuple[float, ...]
) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """The exact breakpoints and per-piece probabilities, converted once per feature
    (kept by the identity of the two tuples: hashing hundreds of Fractions per call
    would cost as much as converting them)."""
    key = (id(breakpoints), id(distribution))
    held = _PIECE_MARGINALS.get(key)
    if held is None or held[0] is not breakpoints or held[1] is not distribution:
        if len(_PIECE_MARGINALS) > 256:
            _PIECE_MARGINALS.clear()
        table = (tuple(Fraction(b) for b in breakpoints), tuple(_normalised(distribution)))
        held = (breakpoints, distribution, table)
        _PIECE_MARGINALS[key] = held
    return held[2]


_PIECE_MARGINALS: dict[tuple[int, int], Any] = {}


# -- laws of the label's features -----------------------------------------------------------------
def _laws(model: Any, claimed: Any, members: Sequence[int], linear: int | None) -> dict[int, Law]:
    """Each member feature's law, re-derived: from the domain when it is enumerable and
    the certificate names no cells, else from the certificate's cells, checked."""
    if claimed is not None and len(claimed) != model.n_features:
        raise CertificateError("the certificate's laws are not one per feature")
    out = {}
    for j in members:
        cells = None if claimed is None else claimed[j]
        if cells is None:
            out[j] = _enumerated(model, j)
        else:
            out[j] = _checked_cells(model, j, cells, linear == j)
    return out


def _enumerated(model: Any, j: int) -> Law:
    feature = model.features[j]
    domain = feature.domain
    if domain.kind == "finite":
        probs = _value_probabilities(feature)
        values = [_rational(contribution(model, j, v)) for v in domain.values]
        return [(a, a, p) for a, p in zip(values, probs, strict=True) if p]
    low, high = Fraction(domain.low), Fraction(domain.high)
    if domain.kind == "interval" and low < high:
        raise CertificateError(f"feature {feature.name!r} is continuous and has no cells")
    check_size(int(high - low) + 1, f"the values of feature {feature.name!r}")
    law = []
    for v in range(int(low), int(high) + 1):
        p = _range_probability(feature, Fraction(v), Fraction(v), closed=True)
        if p:
            a = _rational(contribution(model, j, v))
            law.append((a, a, p))
    return law


def _checked_cells(model: Any, j: int, cells: Sequence[Cell], linear: bool) -> Law:
    """The certificate's cells of feature j, each recomputed; they must be disjoint and
    carry the whole probability."""
    check_size(len(cells), f"the cells of feature {model.features[j].name!r}")
    law: Law = []
    finite = model.features[j].domain.kind == "finite"
    for left, right, low, high, p in cells:
        own = (
            _finite_cell(model, j, left) if finite else _numeric_cell(model, j, left, right, linear)
        )
        if (low, high, p) != own or not own[2]:
            raise CertificateError(f"cell [{left}, {right}] of feature {j} is not what it says")
        law.append(own)
    spans = [(c[0], c[1]) for c in cells]
    if not finite:
        _disjoint(spans, model.features[j].domain.kind == "integers")
    elif len(set(spans)) != len(spans):
        raise CertificateError("a value appears twice")
    if sum((p for _, _, p in law), Fraction(0)) != 1:
        raise CertificateError(f"the cells of feature {j} do not carry probability 1")
    return law


def _finite_cell(model: Any, j: int, value: Any) -> tuple[Fraction, Fraction, Fraction]:
    values = list(model.features[j].domain.values)
    p = _value_probabilities(model.features[j])[values.index(value)]
    a = _rational(contribution(model, j, value))
    return a, a, p


def _disjoint(spans: list[tuple[Any, Any]], integers: bool) -> None:
    ordered = sorted((Fraction(a), Fraction(b)) for a, b in spans)
    for (_, end), (start, _) in itertools.pairwise(ordered):
        if start < end or (integers and start == end):
            raise CertificateError("two cells overlap")


def _numeric_cell(
    model: Any, j: int, left: Any, right: Any, linear: bool
) -> tuple[Fraction, Fraction, Fraction]:
    feature = model.features[j]
    left, right = Fraction(left), Fraction(right)
    domain = feature.domain
    if not Fraction(domain.low) <= left <= right <= Fraction(domain.high):
        raise CertificateError("a cell leaves the domain")
    integers = domain.kind == "integers"
    p = _range_probability(feature, left, right, closed=integers or left == right)
    if left == right:
        a = _rational(contribution(model, j, left))
        return a, a, p
    if linear and integers:
        raise CertificateError("only a real interval's feature is integrated exactly")
    low, high = _cell_range(model, j, left, right, linear)
    return low, high, p


def _cell_range(
    model: Any, j: int, left: Fraction, right: Fraction, linear: bool
) -> tuple[Fraction, Fraction]:
    """Bounds of the contribution on [left, right] (a linear one: its exact range)."""
    feature = model.features[j]
    if type(feature.shape).__name__ == "ReLUNet":
        kinks = _network_kinks(feature.shape.layers, left, right)
        values = [_rational(contribution(model, j, t)) for t in kinks]
        if linear and any(
            (v - values[0]) * (right - left) != (values[-1] - values[0]) * (t - left)
            for t, v in zip(kinks, values, strict=True)
        ):
            raise CertificateError("the exactly integrated feature is not linear on a cell")
        return min(values), max(values)
    cuts = [Fraction(b) for b in feature.shape.breakpoints]
    k = max(m for m in range(len(cuts) - 1) if cuts[m] <= left)
    last = k == len(cuts) - 2
    inside = (
        right <= cuts[k + 1] if feature.domain.kind == "interval" or last else right < cuts[k + 1]
    )
    if not inside:
        raise CertificateError("a cell spans two pieces")
    beta = Fraction(feature.weight)
    poly = _shift(tuple(beta * Fraction(c) for c in feature.shape.coefficients[k]), left - cuts[k])
    if linear and any(poly[2:]):
        raise CertificateError("the exactly integrated feature is not linear on a cell")
    bern = _bernstein(poly, right - left)
    return min(bern), max(bern)


def _bernstein(poly: tuple[Fraction, ...], width: Fraction) -> list[Fraction]:
    """Bernstein coefficients of τ ↦ p(τ) on [0, width]: the polynomial lies between the
    least and the largest of them there."""
    degree = len(poly) - 1
    scaled = [c * width**r for r, c in enumerate(poly)]  # p(width·u), u ∈ [0, 1]
    return [
        sum((Fraction(math.comb(k, r), math.comb(degree, r)) * scaled[r] for r in range(k + 1)),
            Fraction(0))
        for k in range(degree + 1)
    ]  # fmt: skip


def _network_kinks(layers: Sequence[Any], left: Fraction, right: Fraction) -> list[Fraction]:
    """The ends of [left, right] and every point inside where a hidden unit changes sign:
    the network is affine between consecutive ones (a continuous function, so its range
    on the cell is spanned by its values there)."""
    ends: list[list[Fraction]] = [[left], [right]]
    for layer in layers[:-1]:
        outs = [_affine(layer, h) for h in ends]
        for m in range(len(layer.bias)):
            a, b = outs[0][m], outs[1][m]
            if (a > 0 > b) or (a < 0 < b):
                cut = left + (right - left) * a / (a - b)
                return [
                    *_network_kinks(layers, left, cut)[:-1],
                    *_network_kinks(layers, cut, right),
                ]
        ends = [[max(v, Fraction(0)) for v in h] for h in outs]
    return [left, right]


def _affine(layer: Any, h: Sequence[Fraction]) -> list[Fraction]:
    return [
        Fraction(b) + sum((Fraction(layer.weights[k][m]) * v for k, v in enumerate(h)), Fraction(0))
        for m, b in enumerate(layer.bias)
    ]


# -- the plain convolution ----------------------------------------------------------------------
class _Rounding:
    """Rounds a value down or up to the certificate's scale (no scale: exact)."""

    def __init__(self, scale: Any) -> None:
        if scale is not None and not (isinstance(scale, Fraction) and scale > 0):
            raise CertificateError("the scale must be a positive exact number")
        self.scale = scale

    def __call__(self, value: Fraction, up: bool) -> Fraction:
        if self.scale is None:
            return value
        q = value / self.scale
        return (math.ceil(q) if up else math.floor(q)) * self.scale


def _convolve(
    laws: dict[int, Law],
    fixed: Sequence[Fraction],
    members: Sequence[int],
    by_size: bool,
    up: bool,
    rounding: _Rounding,
    sizes: int,
) -> list[_Sums]:
    """Per coalition size k, the law of the partial sums over the member features, each
    either in the coalition at its fixed value (``by_size``) or drawn from its law.

    Sums are kept as integers over one common unit and weights as integers over one
    common denominator, so the dictionary holds exact numbers cheaply.
    """
    draws = {j: [(rounding(hi if up else lo, up), p) for lo, hi, p in laws[j]] for j in members}
    kept = {j: rounding(fixed[j], up) for j in members}
    values = [v for j in members for v, _ in draws[j]] + list(kept.values())
    unit = Fraction(1, math.lcm(1, *(v.denominator for v in values)))
    states: dict[tuple[int, int], int] = {(0, 0): 1}
    denominator = 1
    for j in members:
        scale = math.lcm(*(p.denominator for _, p in draws[j]))
        steps = [(int(v / unit), int(p * scale)) for v, p in draws[j]]
        own = int(kept[j] / unit)
        grown: dict[tuple[int, int], int] = defaultdict(int)
        for (k, s), w in states.items():
            for a, m in steps:
                grown[k, s + a] += w * m
            if by_size:
                grown[k + 1, s + own] += w * scale
        states = dict(grown)
        denominator *= scale
        check_size(len(states), "the partial sums")
    rows: list[dict[int, int]] = [{} for _ in range(sizes)]
    for (k, s), w in states.items():
        rows[k][s] = w
    return [_Sums(row, unit, denominator) for row in rows]


def _size_bound(laws: dict[int, Law], members: Sequence[int], by_size: bool, scale: Any) -> int:
    """An upper bound on the states of a convolution, known before running it."""
    product = math.prod(len(laws[j]) + by_size for j in members)
    if scale is None:
        return product
    span = sum((max(h for _, h, _ in laws[j]) - min(lo for lo, _, _ in laws[j]) for j in members),
               Fraction(0))  # fmt: skip
    return min(product, (len(members) + 1) * (math.ceil(span / scale) + 2 * len(members) + 1))


class _Sums:
    """One coalition size's partial sums (integers s, worth s·unit) with integer weights
    over ``denominator``, sorted, with suffix sums of w and w·s for tail probabilities."""

    def __init__(self, row: dict[int, int], unit: Fraction, denominator: int) -> None:
        self.keys = sorted(row)
        self.unit, self.denominator = unit, denominator
        self.weight = [0] * (len(self.keys) + 1)
        self.moment = [0] * (len(self.keys) + 1)
        for k in range(len(self.keys) - 1, -1, -1):
            s = self.keys[k]
            self.weight[k] = self.weight[k + 1] + row[s]
            self.moment[k] = self.moment[k + 1] + row[s] * s

    def above(self, cut: Fraction, strict: bool) -> Fraction:
        """P(sum ≥ cut), or > cut when ``strict``."""
        find = bisect.bisect_right if strict else bisect.bisect_left
        return Fraction(self.weight[find(self.keys, cut / self.unit)], self.denominator)

    def uniform(self, law: Law, cut: Fraction, strict: bool) -> Fraction:
        """P(sum + A ≥ cut) (> when strict) for A uniform on each cell's [low, high] (a
        point mass when equal): inside a cell the share (high − cut + sum)/(high − low)
        is linear in the sum, so the weights and moments of the middle sums give it."""
        total = Fraction(0)
        for low, high, p in law:
            if low == high:
                total += p * self.above(cut - low, strict)
                continue
            full = bisect.bisect_left(self.keys, (cut - low) / self.unit)
            none = bisect.bisect_right(self.keys, (cut - high) / self.unit)
            weight = self.weight[none] - self.weight[full]
            moment = self.moment[none] - self.moment[full]
            middle = ((high - cut) * weight + self.unit * moment) / (high - low)
            total += p * (self.weight[full] + middle) / self.denominator
        return total


# -- label values of an additive model ------------------------------------------------------------
def _label_reference(
    model: Any,
    x: tuple[Any, ...],
    kind: str,
    cert: Any,
    lower: Sequence[Fraction],
    upper: Sequence[Fraction],
    base: tuple[Fraction, Fraction],
) -> tuple[Sequence[Fraction], Sequence[Fraction], Fraction, Fraction] | None:
    """Re-derived values (or sound bounds); None when the claim holds for any model."""
    trivial = all(a <= -1 for a in lower) and all(b >= 1 for b in upper)
    if trivial and base[0] <= 0 and base[1] >= 1 and lower != upper:
        return None
    n = model.n_features
    if cert.algorithm in ("grid-convolution", "grid-conditioning"):
        from gamexplain.certify.grid import grid_label_bounds  # imports this module

        return grid_label_bounds(model, x, kind, cert)
    if model.pairs:
        values, exact_base = _enumerate_label(model, x, kind)
        return values, values, exact_base, exact_base
    linear = _linear_index(cert.linear, n, cert.scale)
    laws = _laws(model, cert.laws, range(n), linear)
    fixed = [_rational(contribution(model, j, v)) for j, v in enumerate(x)]
    rounding = _Rounding(cert.scale)
    event = (exact_number(model.task.threshold), model.task.positive == ">")
    low, high = [], []
    for i in range(n):
        found = _label_value(model, laws, fixed, i, kind, linear, rounding, event)
        low.append(found[0])
        high.append(found[1])
    base_low, base_high = _label_base(model, laws, fixed, linear, rounding, event)
    return low, high, base_low, base_high


def _linear_index(linear: Any, n: int, scale: Any) -> int | None:
    if linear is None:
        return None
    if scale is not None or isinstance(linear, bool) or linear not in range(n):
        raise CertificateError("the exactly integrated feature is not a feature of the model")
    return int(linear)


def _label_value(
    model: Any,
    laws: dict[int, Law],
    fixed: Sequence[Fraction],
    i: int,
    kind: str,
    linear: int | None,
    rounding: _Rounding,
    event: tuple[Fraction, bool],
) -> tuple[Fraction, Fraction]:
    n = model.n_features
    members = [j for j in range(n) if j not in (i, linear)]
    beta0 = Fraction(model.intercept)
    level, strict = event
    weights = [_weight(kind, n, k) for k in range(n)] + [Fraction(0)]
    tables = []
    for up in (False, True):
        check_size(_size_bound(laws, members, True, rounding.scale), "the partial sums")
        tables.append(_convolve(laws, fixed, members, True, up, rounding, n))

    def gain(rows: list[_Sums], other: list[_Sums], i_law: Law, pick: int) -> Fraction:
        """Σ_k w_k·(P(class 1 with i fixed) − P(class 1 with i drawn))."""
        total = Fraction(0)
        for k in range(n):
            if linear is None:
                joined = rows[k].above(level - beta0 - fixed[i], strict)
                drawn = sum((p * other[k].above(level - beta0 - cell[pick], strict)
                             for cell in i_law for p in (cell[2],)), Fraction(0))  # fmt: skip
                total += weights[k] * (joined - drawn)
                continue
            total += _linear_gain(rows[k], laws, fixed, i, linear, weights, k, beta0, event)
        return total

    low_rows, high_rows = tables
    if linear is not None:
        exact = gain(low_rows, low_rows, laws.get(i, []), 0)
        return exact, exact
    return gain(low_rows, high_rows, laws[i], 1), gain(high_rows, low_rows, laws[i], 0)


def _linear_gain(
    row: _Sums,
    laws: dict[int, Law],
    fixed: Sequence[Fraction],
    i: int,
    c: int,
    weights: Sequence[Fraction],
    k: int,
    beta0: Fraction,
    event: tuple[Fraction, bool],
) -> Fraction:
    """One coalition size's part of φ_i when feature c is linear: c in the coalition
    (weight w_(k+1)) or drawn (weight w_k)."""
    level, strict = event

    def with_c(extra: Fraction) -> Fraction:
        return row.above(level - beta0 - fixed[c] - extra, strict)

    def without_c(extra: Fraction) -> Fraction:
        return row.uniform(laws[c], level - beta0 - extra, strict)

    if i == c:
        return weights[k] * (with_c(Fraction(0)) - without_c(Fraction(0)))
    law = laws[i]
    drawn_with = sum((p * with_c(a) for a, _, p in law), Fraction(0))
    drawn_without = sum((p * without_c(a) for a, _, p in law), Fraction(0))
    return weights[k + 1] * (with_c(fixed[i]) - drawn_with) + weights[k] * (
        without_c(fixed[i]) - drawn_without
    )


def _label_base(
    model: Any,
    laws: dict[int, Law],
    fixed: Sequence[Fraction],
    linear: int | None,
    rounding: _Rounding,
    event: tuple[Fraction, bool],
) -> tuple[Fraction, Fraction]:
    """Bounds on v(∅) = P(class 1)."""
    members = [j for j in range(model.n_features) if j != linear]
    cut = exact_number(event[0]) - Fraction(model.intercept)
    return _tail_bounds(laws, fixed, members, linear, rounding, cut, event[1])


def _tail_bounds(
    laws: dict[int, Law],
    fixed: Sequence[Fraction],
    members: Sequence[int],
    linear: int | None,
    rounding: _Rounding,
    cut: Fraction,
    strict: bool,
) -> tuple[Fraction, Fraction]:
    """Bounds on P(Σ_members A_j (+ A_linear) ≥ cut) (or > cut)."""
    check_size(_size_bound(laws, members, False, rounding.scale), "the partial sums")
    found = []
    for up in (False, True):
        row = _convolve(laws, fixed, members, False, up, rounding, 1)[0]
        found.append(
            row.above(cut, strict) if linear is None else row.uniform(laws[linear], cut, strict)
        )
    return found[0], found[1]


def _enumerate_label(model: Any, x: tuple[Any, ...], kind: str) -> tuple[list[Fraction], Fraction]:
    """Every coalition, every completion, by the plain evaluator (pair models)."""
    n = model.n_features
    axes = [_point_law(model, j) for j in range(n)]
    check_size(math.prod(len(a) + 1 for a in axes), "the coalitions and completions")
    value: dict[frozenset[int], Fraction] = {}
    for size in range(n + 1):
        for members in itertools.combinations(range(n), size):
            chosen = frozenset(members)
            lists = [[(x[j], Fraction(1))] if j in chosen else axes[j] for j in range(n)]
            value[chosen] = sum(
                (math.prod((p for _, p in point), start=Fraction(1))
                 * label(model, score(model, [v for v, _ in point]))
                 for point in itertools.product(*lists)),
                Fraction(0),
            )  # fmt: skip
    phi = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        phi.append(sum(
            (_weight(kind, n, len(s)) * (value[frozenset(s) | {i}] - value[frozenset(s)])
             for size in range(n) for s in itertools.combinations(others, size)),
            Fraction(0),
        ))  # fmt: skip
    return phi, value[frozenset()]


def _point_law(model: Any, j: int) -> list[tuple[Any, Fraction]]:
    feature = model.features[j]
    domain = feature.domain
    if domain.kind == "finite":
        pairs = zip(domain.values, _value_probabilities(feature), strict=True)
        return [(v, p) for v, p in pairs if p]
    low, high = Fraction(domain.low), Fraction(domain.high)
    if domain.kind == "interval" and low < high:
        raise CertificateError("a continuous feature cannot be enumerated")
    check_size(int(high - low) + 1, f"the values of feature {feature.name!r}")
    points = [(v, _range_probability(feature, Fraction(v), Fraction(v), True))
              for v in range(int(low), int(high) + 1)]  # fmt: skip
    return [(v, p) for v, p in points if p]


# -- completion fractions -------------------------------------------------------------------------
def check_completion(result: Any, gam: Any) -> bool:
    """Re-check a :class:`~gamexplain.queries.completion.CompletionResult`."""
    cert = result.certificate
    model = covering(_model(gam, result.distribution, cert.marginals, cert.model), result.instance)
    fixed_set = {model.index(name) for name in result.fixed}
    low, high = cert.lower, cert.upper
    if not (isinstance(low, Fraction) and isinstance(high, Fraction) and 0 <= low <= high <= 1):
        return False
    exact = low == high
    if not (
        result.fixed == tuple(model.feature_names[i] for i in sorted(fixed_set))
        and len(fixed_set) == len(result.fixed)
        and in_domain(model, result.instance)
        and _question(model, "cc", result.algorithm, result.cell, cert.algorithm)
        and result.exact is exact
        and _status(exact, result.status, cert.status, result.message)
        and result.exact_fraction == (low if exact else None)
        and result.fraction == float((low + high) / 2)
        and result.lower == round_down(low)
        and result.upper == round_up(high)
    ):
        return False
    if not exact and low == 0 and high == 1:
        return True
    own_low, own_high = _completion_bounds(model, tuple(result.instance), fixed_set, cert)
    if exact:
        return own_low == own_high == low
    return low <= own_low and own_high <= high


def _completion_bounds(
    model: Any, x: tuple[Any, ...], fixed_set: set[int], cert: Any
) -> tuple[Fraction, Fraction]:
    n = model.n_features
    if cert.algorithm in ("grid-convolution", "grid-conditioning"):
        from gamexplain.certify.grid import grid_completion_bounds  # imports this module

        return grid_completion_bounds(model, x, fixed_set, cert)
    if model.pairs:
        exact = _enumerate_completion(model, x, fixed_set)
        return exact, exact
    free = [j for j in range(n) if j not in fixed_set]
    linear = _linear_index(cert.linear, n, cert.scale)
    if linear is not None and linear not in free:
        raise CertificateError("the exactly integrated feature is fixed")
    if cert.laws is not None and any(cert.laws[j] is not None for j in fixed_set):
        raise CertificateError("the certificate gives a law to a fixed feature")
    laws = _laws(model, cert.laws, free, linear)
    values = [_rational(contribution(model, j, v)) for j, v in enumerate(x)]
    offset = Fraction(model.intercept) + sum((values[j] for j in fixed_set), Fraction(0))
    members = [j for j in free if j != linear]
    rounding = _Rounding(cert.scale)

    def tail(level: Fraction, strict: bool) -> tuple[Fraction, Fraction]:
        return _tail_bounds(laws, values, members, linear, rounding, level - offset, strict)

    return kept_bounds(model, x, tail)


Tail = Callable[[Fraction, bool], tuple[Fraction, Fraction]]


def kept_bounds(model: Any, x: Sequence[Any], tail: Tail) -> tuple[Fraction, Fraction]:
    """Bounds on the probability that a completion keeps x's prediction, from ``tail``:
    bounds on P(free sum ≥ level), or > when ``strict``, with the level measured on the
    score. Classification reads one tail at the threshold (its complement for class 0);
    regression the band [f(x) − δ, f(x) + δ] as the difference of two tails."""
    explained = score(model, x)
    task = model.task
    if task.kind == "classification":
        above = tail(exact_number(task.threshold), task.positive == ">")
        if label(model, explained) == 1:
            return above
        return 1 - above[1], 1 - above[0]
    delta = Fraction(task.tolerance)
    at_least = tail(explained - delta, False)
    beyond = tail(explained + delta, True)
    return max(at_least[0] - beyond[1], Fraction(0)), min(at_least[1] - beyond[0], Fraction(1))


def _enumerate_completion(model: Any, x: tuple[Any, ...], fixed_set: set[int]) -> Fraction:
    """Every completion of x_S by the plain evaluator (pair models)."""
    n = model.n_features
    axes = [[(x[j], Fraction(1))] if j in fixed_set else _point_law(model, j) for j in range(n)]
    check_size(math.prod(len(a) for a in axes), "the completions")
    return sum(
        (math.prod((p for _, p in point), start=Fraction(1))
         for point in itertools.product(*axes)
         if same_prediction(model, x, [v for v, _ in point])),
        Fraction(0),
    )  # fmt: skip


# -- many rows of score values ---------------------------------------------------------------
def check_score_batch(result: Any, gam: Any, tolerance: float = 1e-9) -> bool:
    """Re-check a :class:`~gamexplain.queries.shap.ShapBatchResult`: the exact means once,
    then each row's exact values, which the floats must match to ``tolerance``."""
    model = _model(gam, result.distribution, result.certificate.marginals, result.certificate.model)
    n = model.n_features
    values = np.asarray(result.values)
    rows = list(result.rows)
    check_size(len(rows) * n, "the rows' values")
    if not (
        result.feature_names == model.feature_names
        and values.shape == (len(rows), n)
        and result.exact is False
        and result.status == "solved"
        and _question(model, "shap-score", result.algorithm, result.cell, "closed-form")
    ):
        return False
    means, games, base = _score_terms(model, result.certificate.model)
    if not _close(base, result.base_value, tolerance):
        return False
    undecided = _float_rows(model, rows, values, means, games, tolerance)
    if undecided is None:
        return False
    for r in undecided:
        point = tuple(rows[r])
        # a row beyond a numeric domain is scored by the extended pieces; the means are
        # those of the original marginals, which widening keeps
        if not in_domain(covering(model, point), point):
            return False
        exact = [_rational(contribution(model, i, v)) - means[i] for i, v in enumerate(point)]
        for game in games:
            for me, share in zip(game.pair.features, game.shares(point), strict=True):
                exact[me] += share
        if not all(_close(e, s, tolerance) for e, s in zip(exact, values[r], strict=True)):
            return False
    return True


_UNIT = 2.0**-53  # the unit roundoff of a float


def _float_rows(
    model: Any,
    rows: Sequence[Any],
    shown: np.ndarray,
    means: Sequence[Fraction],
    games: Sequence[_PairGame],
    tolerance: float,
) -> list[int] | None:
    """Decide the rows whose values are plain floats on piecewise shapes in floats, each
    with a rigorous bound on its rounding error; return the rows left to the exact path
    (the others, and any entry whose decision the bound leaves open), or None when an
    entry is certainly farther than ``tolerance`` from its exact value.

    The estimate of φ_i = β_i·p_k(t − b_k) − E[a_i] + Σ pair shares rounds each exact
    number once (≤ u relative) and adds a few terms; Horner's rule on a polynomial of
    degree ≤ 3 in a rounded offset errs by at most 16u times Σ|β c_r||t − b_k|^r, so
    64u times the sum of the terms' magnitudes bounds the whole error with room to spare.
    """
    n = model.n_features
    shapes = [f.shape for f in model.features]
    if (
        not rows
        or any(
            type(shape).__name__ != "Piecewise"
            or f.domain.kind not in ("interval", "integers")
            or not all(type(b) is float for b in shape.breakpoints)  # pieces found in floats
            for f, shape in zip(model.features, shapes, strict=True)
        )
        or any(type(e) is not float for g in games for axis in g.pair.edges for e in axis or ())
    ):
        return list(range(len(rows)))
    plain = [
        r for r, row in enumerate(rows)
        if len(row) == n and all(_plain_float(v) for v in row)
    ]  # fmt: skip
    if not plain:
        return list(range(len(rows)))
    t = np.array([[float(v) for v in rows[r]] for r in plain], dtype=float)
    ok = np.isfinite(t).all(axis=1)
    for i, f in enumerate(model.features):
        if f.domain.kind == "integers":
            ok &= t[:, i] == np.floor(t[:, i])
    estimate = np.empty_like(t)
    size = np.empty_like(t)
    for i, (f, shape) in enumerate(zip(model.features, shapes, strict=True)):
        cuts = np.asarray(shape.breakpoints, dtype=float)
        k = np.clip(np.searchsorted(cuts, t[:, i], side="right") - 1, 0, shape.n_pieces - 1)
        offset = np.where(ok, t[:, i] - cuts[k], 0.0)
        table = np.zeros((shape.n_pieces, 4))
        for row_k, row in enumerate(shape.coefficients):
            table[row_k, : len(row)] = [float(c) for c in row]
        value, magnitude = np.zeros(len(t)), np.zeros(len(t))
        for r in range(3, -1, -1):
            value = value * offset + table[k, r]
            magnitude = magnitude * np.abs(offset) + np.abs(table[k, r])
        weight = float(Fraction(f.weight))
        mean = float(means[i])
        estimate[:, i] = weight * value - mean
        size[:, i] = abs(weight) * magnitude + abs(mean)
    for game in games:
        first, second = game.pair.features
        bins = [
            np.searchsorted(np.asarray(_exact_inner_edges(tuple(edges)), dtype=float),
                            t[:, j], side="right")
            for edges, j in zip(game.pair.edges, (first, second), strict=True)
        ]  # fmt: skip
        table = np.asarray(game.pair.values, dtype=float)[bins[0], bins[1]]
        given_first = np.array([float(v) for v in game.given_first])[bins[0]]
        given_second = np.array([float(v) for v in game.given_second])[bins[1]]
        mean = float(game.mean)
        estimate[:, first] += ((given_first - mean) + (table - given_second)) / 2
        estimate[:, second] += ((given_second - mean) + (table - given_first)) / 2
        magnitude = np.abs(table) + np.abs(given_first) + np.abs(given_second) + abs(mean)
        size[:, first] += magnitude
        size[:, second] += magnitude
    target = shown[plain].astype(float)
    error = 64 * _UNIT * size * 1.01 + 1e-300
    slack = error * (1 + tolerance) + 4 * _UNIT * (1 + np.abs(estimate) + np.abs(target))
    gap = np.abs(estimate - target)
    allowed = tolerance * (1 + np.abs(estimate))
    if np.any(ok[:, None] & (gap > allowed + 2 * slack)):
        return None
    settled = ok & np.all(gap <= allowed - 2 * slack, axis=1)
    done = {r for r, good in zip(plain, settled, strict=True) if good}
    return [r for r in range(len(rows)) if r not in done]


def _plain_float(value: Any) -> bool:
    """A float (numpy's too), or an int a float holds exactly: its float is its value."""
    if isinstance(value, float):
        return True
    return type(value) is int and abs(value) <= 2**53


def _close(exact: Fraction, shown: Any, tolerance: float) -> bool:
    """|exact − shown| ≤ tolerance·(1 + |exact|), decided exactly."""
    shown_float = float(shown)
    if not math.isfinite(shown_float):
        return False
    gap = abs(exact - Fraction(shown_float))
    return gap <= Fraction(tolerance) * (1 + abs(exact))
