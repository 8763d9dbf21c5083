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
from gamexplain.model.shapes import Table
from gamexplain.model.task import Classification
from gamexplain.substrate.primitives import contribution_max, contribution_min

__all__ = ["CurvedRows", "curved_reason", "curved_rows"]


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
