"""Batch rows of a main-effects model with curved features (splines, NAM-like shapes).

A curved feature takes a continuum of contribution values and its extremes are in
general irrational (a root of the derivative of a polynomial piece), so the integer
ranks of :mod:`gamexplain.algorithms.batch_kernels` do not exist. The reason kernels
(CSR, MSR, minimal, MCR) still run on these rows, reading floats with rigorous error
bounds from :class:`CurvedRows`:

* each contribution is the shape's float evaluation, whose rounding the model bounds
  (:meth:`gamexplain.model.gam.Feature.rounding_bound`, Higham §5.1);
* each feature's exact extremes are enclosed once per model between two floats,
  certified by exact comparisons (:func:`gamexplain.exact.compare`);
* a push's error is its contribution's bound plus the width of its extreme's
  enclosure, and every sum a kernel decides carries the sum of those errors over the
  row's features on top of the usual summation bound;
* a sort of pushes is the exact order as far as a reason is concerned when the chosen
  prefix is separated from the rest by more than the errors (:meth:`CurvedRows.order_unsure`);
  a row where it is not — ties, values near an extremum — is redone exactly.

SHAP and Banzhaf values of the score, c_i(x_i) − E c_i, must be the float nearest the
exact value (what the single-row query shows): :func:`curved_attributions` computes them
in double-double arithmetic with a rigorous bound and keeps a value when the bound
keeps it off both rounding midpoints; a row with a value it cannot certify is redone
exactly.

The caller (:func:`gamexplain.explain`) counts the rows sent to the exact path.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.batch_kernels import UNIT, gamma
from gamexplain.exact import compare, to_float
from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise, Table
from gamexplain.model.task import Classification
from gamexplain.substrate.primitives import (
    contribution_max,
    contribution_mean,
    contribution_min,
)

__all__ = ["CurvedRows", "curved_attributions", "curved_reason", "curved_rows"]


def curved_reason(gam: Any) -> str | None:
    """None when :func:`curved_rows` reads ``gam``, else why rows go one by one."""
    if gam.pairs:
        return "the model has pairwise terms"
    if gam.task.kind not in ("classification", "regression"):
        return "not a binary classifier or a regression"
    for feature in gam.features:
        if isinstance(feature.domain, Finite) or isinstance(feature.shape, Table):
            return f"feature {feature.name!r} has a finite domain"
        for e in (contribution_min(feature), contribution_max(feature)):
            if not (e.exact and e.attained):
                return f"feature {feature.name!r} has an extremum that is not attained"
    return None


def _enclosure(value: Any) -> tuple[float, float]:
    """Two floats around an exact number, certified by exact comparisons."""
    low = high = to_float(value)
    while compare(Fraction(low), value) > 0:
        low = float(np.nextafter(low, -np.inf))
    while compare(Fraction(high), value) < 0:
        high = float(np.nextafter(high, np.inf))
    return low, high


@lru_cache(maxsize=32)
def _extremes(gam: Any) -> tuple[NDArray[np.float64], ...]:
    """Per feature: the floats nearest its min and max, and each enclosure's width."""
    mins = [_enclosure(contribution_min(f).value) for f in gam.features]
    maxs = [_enclosure(contribution_max(f).value) for f in gam.features]
    return (
        np.array([(a + b) / 2 for a, b in mins]),
        np.array([b - a for a, b in mins]),
        np.array([(a + b) / 2 for a, b in maxs]),
        np.array([b - a for a, b in maxs]),
    )


class _Model:
    """What the kernels read of ``rows.levels``: the model."""

    def __init__(self, gam: Any) -> None:
        self.gam = gam


class CurvedRows:
    """The rows of a curved model, shaped as the kernels read a
    :class:`~gamexplain.algorithms.batch_kernels.RowBatch`: pushes are floats ranked by
    their float order, and ``error`` bounds, per row, the sum of every push's and
    contribution's error."""

    def __init__(self, gam: Any, X: NDArray[np.float64], fixed: frozenset[int]) -> None:
        n, p = X.shape
        self.X = X
        self.levels = _Model(gam)
        self.level = np.zeros((n, p), dtype=np.intp)
        self.fixed = np.zeros(p, dtype=bool)
        self.fixed[list(fixed)] = True
        c = np.column_stack([f.contribution(X[:, j]) for j, f in enumerate(gam.features)])
        slop = np.column_stack([f.rounding_bound(X[:, j]) for j, f in enumerate(gam.features)])
        # β·f rounds once more; the bound grows by one unit of each contribution
        slop = (slop + UNIT * np.abs(c)) * (1 + 4 * UNIT)
        low, low_width, high, high_width = _extremes(gam)
        self.down = c - low[None, :]
        self.up = high[None, :] - c
        self.entry = {
            "min": slop + low_width[None, :] + UNIT * np.abs(self.down),
            "max": slop + high_width[None, :] + UNIT * np.abs(self.up),
        }
        task = gam.task
        offset = Fraction(gam.intercept)
        if isinstance(task, Classification):
            offset -= task.threshold_exact
        raw = float(offset) + c.sum(axis=1)
        self.magnitude = abs(float(offset)) + np.abs(c).sum(axis=1)
        self.error = 2.0 * (self.entry["min"] + self.entry["max"]).sum(axis=1)
        self.score = float(gam.intercept) + c.sum(axis=1)
        self.prediction: NDArray[np.int64] | None = None
        self.unsure = np.zeros(n, dtype=bool)
        self.slack, self.side = raw, np.ones(n, dtype=bool)
        if isinstance(task, Classification):
            self.unsure = np.abs(raw) <= self.bound(np.zeros(n))
            self.side = raw > 0
            self.prediction = self.side.astype(np.int64)
            self.slack = np.abs(raw)

    def pushes(self, side: str | None = None) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """(float pushes, their rank in each row's float order) toward ``side`` or each
        row's threat."""
        if side is None:
            w = np.where(self.side[:, None], self.down, self.up)
        else:
            w = self.down if side == "min" else self.up
        order = np.argsort(w, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :], axis=1)
        return w, rank.astype(np.int64)

    def bound(self, extra: NDArray[np.float64]) -> NDArray[np.float64]:
        """A rigorous bound on the error of any float sum of these rows' terms against
        its exact value (floats' rounding plus every entry's error)."""
        p = self.level.shape[1]
        return 2.0 * gamma(2 * p + 8) * (self.magnitude + extra) + self.error

    def order_unsure(
        self, order: NDArray[np.intp], count: NDArray[np.intp], side: str | None, largest: bool
    ) -> NDArray[np.bool_]:
        """Rows whose first ``count`` movable features in ``order`` (ascending pushes, or
        descending when ``largest``) might not be the first in the exact order: the
        prefix's pushes and the rest's are not separated by their errors."""
        w, _ = self.pushes(side)
        if side is None:
            error = np.where(self.side[:, None], self.entry["min"], self.entry["max"])
        else:
            error = self.entry[side]
        sign = -1.0 if largest else 1.0
        w = np.take_along_axis(w, order, axis=1) * sign
        error = np.take_along_axis(error, order, axis=1) * (1 + 4 * UNIT)
        movable = ~self.fixed[order]
        k = np.arange(w.shape[1])[None, :]
        inside = (k < count[:, None]) & movable
        outside = (k >= count[:, None]) & movable
        top = np.where(inside, w + error, -np.inf).max(axis=1)
        bottom = np.where(outside, w - error, np.inf).min(axis=1)
        return np.asarray(top >= bottom)


def _inner(value: Any, up: bool) -> float:
    """The float nearest a domain end on the inside, so float comparisons are exact."""
    exact = Fraction(value)
    f = float(exact)
    if up and Fraction(f) < exact:
        f = float(np.nextafter(f, np.inf))
    if not up and Fraction(f) > exact:
        f = float(np.nextafter(f, -np.inf))
    return f


def curved_rows(
    gam: Any, columns: list[NDArray[Any]], fixed: frozenset[int]
) -> tuple[CurvedRows, NDArray[np.bool_]]:
    """The rows' view, and which rows leave a numeric domain (redone one by one).

    Notes
    -----
    O(n·p) float evaluations, after one certified enclosure of each extremum per model.
    """
    X = np.column_stack([np.asarray(col, dtype=float) for col in columns])
    lows = np.array([_inner(f.domain.low, True) for f in gam.features])
    highs = np.array([_inner(f.domain.high, False) for f in gam.features])
    inside = (lows[None, :] <= X) & (highs[None, :] >= X)
    outside = np.asarray(~inside.all(axis=1), dtype=bool)
    return CurvedRows(gam, X, fixed), outside


# -- attributions of the score -----------------------------------------------------------------
def _two_sum(a: NDArray[Any], b: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """s + e = a + b exactly (Knuth's TwoSum)."""
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _split(a: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    c = 134217729.0 * a  # Dekker's split: 2^27 + 1
    high = c - (c - a)
    return high, a - high


def _two_product(a: NDArray[Any], b: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """p + e = a·b exactly (Dekker's TwoProduct, no overflow in the safe range)."""
    p = a * b
    a1, a2 = _split(a)
    b1, b2 = _split(b)
    return p, ((a1 * b1 - p) + a1 * b2 + a2 * b1) + a2 * b2


def _dd_add(xh: Any, xl: Any, yh: Any, yl: Any) -> tuple[NDArray[Any], NDArray[Any]]:
    """A double-double sum, relative error at most 3u²/(1 − 4u) (Joldes, Muller and
    Popescu, *Tight and rigorous error bounds for basic building blocks of double-word
    arithmetic*, ACM TOMS 2017, Algorithm 6)."""
    s, t = _two_sum(xh, yh)
    a, b = _two_sum(xl, yl)
    t = t + a
    s, t = _fast(s, t)
    return _fast(s, t + b)


def _fast(a: NDArray[Any], b: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    s = a + b
    return s, b - (s - a)


def _dd_mul(xh: Any, xl: Any, yh: Any, yl: Any) -> tuple[NDArray[Any], NDArray[Any]]:
    """A double-double product, relative error at most 7u² (ibid., Algorithm 10)."""
    p, e = _two_product(xh, yh)
    return _fast(p, e + (xh * yl + xl * yh))


def _dd(value: Any) -> tuple[float, float]:
    """An exact rational as two doubles whose sum is within u² of it."""
    exact = Fraction(value)
    head = float(exact)
    return head, float(exact - Fraction(head))


#: The unit of one double-double operation (7u² rounded up, ibid.).
_DD = 8.0 * 2.0**-106


def _piecewise_dd(
    shape: Any, x: NDArray[np.float64]
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """(Horner's rule in double-doubles as two arrays, a rigorous bound on its error)
    for a piecewise polynomial at float values: t = x − b_k is exact (TwoSum), each
    coefficient within u² of its exact value, and Horner's 2·3 operations each err by
    at most _DD relatively, so the error is at most γ_10 (in _DD) of the sum of the
    terms' magnitudes (Higham §5.1); the factor 2 covers that sum's own rounding."""
    k = shape.piece_index(x)
    cuts = np.asarray(shape.breakpoints, dtype=float)
    th, tl = _two_sum(x, -cuts[k])
    table = np.zeros((shape.n_pieces, 4, 2))
    for row, poly in enumerate(shape.coefficients):
        table[row, : len(poly)] = [_dd(c) for c in poly]
    degree = max(len(poly) for poly in shape.coefficients) - 1
    top = table[k, degree]
    vh, vl = top[:, 0], top[:, 1]  # Horner starts from the highest coefficient
    size = np.abs(vh) * (1 + 2.0**-50)
    magnitude = np.abs(th) * (1 + 2.0**-50)
    for r in range(degree - 1, -1, -1):
        vh, vl = _dd_mul(vh, vl, th, tl)
        vh, vl = _dd_add(vh, vl, table[k, r, 0], table[k, r, 1])
        size = size * magnitude + np.abs(table[k, r, 0]) * (1 + 2.0**-50)
    return vh, vl, 2 * (10 * _DD / (1 - 10 * _DD)) * size


def _network_dd(
    shape: Any, x: NDArray[np.float64]
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """(a ReLU network in double-doubles as two arrays, a rigorous bound on its error),
    layer by layer: a unit sums m products and a bias, each operation within _DD of its
    result, so it errs by γ_(m+2) (in _DD) of the magnitudes it sums (Higham §3.1);
    earlier errors pass through |W|, ReLU (1-Lipschitz, the sign of a normalised
    double-double is its high part's) adds none; the factor 2 covers the magnitudes'
    own rounding."""
    zero = np.zeros_like(x)
    units = [(x, zero, zero)]
    for i, layer in enumerate(shape.layers):
        out = []
        for j in range(layer.n_outputs):
            bias = float(layer.bias[j])
            vh, vl = np.full_like(x, bias), zero
            size, error = np.full_like(x, abs(bias)), zero
            for k, (hh, hl, he) in enumerate(units):
                w = float(layer.weights[k][j])
                if w == 0.0:
                    continue
                ph, pl = _dd_mul(hh, hl, w, 0.0)
                vh, vl = _dd_add(vh, vl, ph, pl)
                size = size + abs(w) * np.abs(hh)
                error = error + abs(w) * he
            m = len(units)
            error = error + 2 * ((m + 2) * _DD / (1 - (m + 2) * _DD)) * size
            if i < len(shape.layers) - 1:
                negative = vh < 0
                vh, vl = np.where(negative, 0.0, vh), np.where(negative, 0.0, vl)
            out.append((vh, vl, error))
        units = out
    return units[0]


def curved_attributions(rows: CurvedRows) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(values, unknown): per row and feature the float nearest c_i(x_i) − E c_i, and the
    rows where some value could not be certified as that float (redone exactly).

    Each value v is computed as a double-double vh + vl with a rigorous bound e on its
    error; vh is the double nearest vh + vl, and the exact value rounds to vh when
    [vh + vl − e, vh + vl + e] keeps off both rounding midpoints vh ± gap/2. The
    distances vl ∓ gap/2 are each one rounded subtraction, covered by widening the
    bound by a unit. A feature constant on its domain takes its one exact value.

    Notes
    -----
    O(n·p) double-double operations (thm:shap-score-closed-form).
    """
    gam, X = rows.levels.gam, rows.X
    n, p = X.shape
    values = np.empty((n, p))
    unknown = np.zeros(n, dtype=bool)
    for j, feature in enumerate(gam.features):
        exact_mean = contribution_mean(feature, feature.distribution)
        low, high = contribution_min(feature).value, contribution_max(feature).value
        if isinstance(low, Fraction) and low == high:
            # constant on its domain: one exact value for every row (often 0, which no
            # float bound certifies)
            values[:, j] = float(low - exact_mean)
            continue
        mean = _dd(exact_mean)
        shape = feature.shape
        evaluate = _piecewise_dd if isinstance(shape, Piecewise) else _network_dd
        fh, fl, error = evaluate(shape, X[:, j])
        beta = float(feature.weight)
        ch, cl = _dd_mul(fh, fl, np.full(n, beta), np.zeros(n))
        vh, vl = _dd_add(ch, cl, np.full(n, -mean[0]), np.full(n, -mean[1]))
        # |β|·(f's error), the product's and the difference's roundings, the mean's u²
        bound = abs(beta) * error + 2 * _DD * (np.abs(ch) + abs(mean[0]) + np.abs(vh))
        bound = bound * (1 + 2.0**-40) + 2.0**-900
        safe = np.isfinite(vh) & (np.abs(vh) >= 2.0**-800) & (np.abs(vh) <= 2.0**800)
        safe &= np.abs(X[:, j]) <= 2.0**400
        r = np.where(safe, vh, 1.0)
        # vh is the double nearest vh + vl; the value lies within ``bound`` of vh + vl,
        # and rounds to vh when that interval keeps off both midpoints vh ± gap/2
        half_up = (np.nextafter(r, np.inf) - r) / 2
        half_down = (r - np.nextafter(r, -np.inf)) / 2
        margin = bound * (1 + 2.0**-50)
        sure = safe & (half_up - vl > margin) & (half_down + vl > margin)
        values[:, j] = vh
        unknown |= ~sure
    return values, unknown
