"""Independent check of batch attributions of the score on curved features.

A shown value s of feature i at x is right when it is the float nearest the exact
c_i(x) − E c_i: when that number lies strictly between the two rounding midpoints
s − gap↓/2 and s + gap↑/2 around s. Each midpoint is s plus a power of two, two floats
held exactly, so the test is the sign of β·f(x) − E c_i − s ∓ gap/2. The shape f(x) is
evaluated in double-float arithmetic (exact TwoSum and TwoProduct, every operation's
relative error within 8u², Joldes, Muller and Popescu, ACM TOMS 2017): a spline piece
as a sum of its terms c_r·t^r with t = x − b_k exact, a ReLU network layer by layer.
The signs are taken with a rigorous bound on what the floats left out; an entry within
that bound of a midpoint (or out of the floats' safe range) is re-checked in Fractions
from :func:`gamexplain.certify.evaluate.contribution` and the attribution checks' own
mean.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.certify.attributions import _mean
from gamexplain.certify.batch_responsiveness import _two_product, _two_sum
from gamexplain.certify.evaluate import contribution
from gamexplain.certify.numbers import compare, exact_number
from gamexplain.certify.reasons import feature_extreme

__all__ = ["check_curved_attributions"]

_U = 2.0**-53
_W = 8.0 * 2.0**-106  # one double-float operation's relative error, rounded up


def _gamma(k: int, unit: float) -> float:
    return k * unit / (1 - k * unit)


def _times(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Any, Any]:
    """A double-float product (the low parts' product, below u² of it, left out)."""
    p, e = _two_product(ah, bh)
    return _two_sum(p, e + (ah * bl + al * bh))


def _plus(ah: Any, al: Any, bh: Any, bl: Any) -> tuple[Any, Any]:
    """A double-float sum, within 8u² of |a| + |b| (not of the sum: no cancellation
    argument is needed)."""
    s, e = _two_sum(ah, bh)
    return _two_sum(s, e + (al + bl))


def _halves(exact: Fraction) -> tuple[float, float]:
    head = float(exact)
    return head, float(exact - Fraction(head))


def _spline(shape: Any, x: NDArray[np.float64]) -> tuple[Any, Any, Any]:
    """(fh, fl, e): the piece's polynomial at x is fh + fl within e."""
    cuts = np.asarray(shape.breakpoints, dtype=float)
    k = np.clip(np.searchsorted(cuts, x, side="right") - 1, 0, len(cuts) - 2)
    th, tl = _two_sum(x, -cuts[k])
    fh, fl, error = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    ph, pl = np.ones_like(x), np.zeros_like(x)  # t^r as a double-float
    for r in range(4):
        pairs = [_halves(Fraction(row[r])) if r < len(row) else (0.0, 0.0)
                 for row in shape.coefficients]  # fmt: skip
        ch = np.array([h for h, _ in pairs])[k]
        cl = np.array([lo for _, lo in pairs])[k]
        if r:
            ph, pl = _times(ph, pl, th, tl)
        qh, ql = _times(ch, cl, ph, pl)
        # t^r took r products, the coefficient is within u² of exact, one more product,
        # then one addition to the running sum
        error = error + _gamma(r + 3, _W) * np.abs(qh) * 2
        # the addition errs by 8u² of its operands' magnitudes (not of its result)
        error = error + _W * (np.abs(fh) + np.abs(qh)) * 2
        fh, fl = _plus(fh, fl, qh, ql)
    return fh, fl, error


def _network(shape: Any, x: NDArray[np.float64]) -> tuple[Any, Any, Any]:
    """(fh, fl, e): the network at x is fh + fl within e. A unit's error is its inputs'
    errors through |W| plus 2(m + 1) operations' on the magnitudes it sums."""
    units = [(x, np.zeros_like(x), np.zeros_like(x))]
    for i, layer in enumerate(shape.layers):
        out = []
        for j in range(layer.n_outputs):
            sh, sl = np.full_like(x, layer.bias[j]), np.zeros_like(x)
            size, error = np.full_like(x, abs(layer.bias[j])), np.zeros_like(x)
            for k, (hh, hl, he) in enumerate(units):
                w = layer.weights[k][j]
                qh, ql = _times(hh, hl, w, 0.0)
                sh, sl = _plus(sh, sl, qh, ql)
                size = size + abs(w) * np.abs(hh)
                error = error + abs(w) * he
            error = error + _gamma(2 * len(units) + 2, _W) * size * 2
            if i < len(shape.layers) - 1:
                negative = sh < 0
                sh, sl = np.where(negative, 0.0, sh), np.where(negative, 0.0, sl)
            out.append((sh, sl, error))
        units = out
    return units[0]


def check_curved_attributions(values: NDArray[np.float64], X: NDArray[np.float64],
                              gam: Any) -> bool:  # fmt: skip
    """Whether each ``values[r, i]`` is the float nearest c_i(X[r, i]) − E c_i.

    Notes
    -----
    O(n·p) double-float operations, plus Fractions for the entries near a midpoint.
    """
    if values.shape != X.shape:
        return False
    for i, feature in enumerate(gam.features):
        shown, x = values[:, i], X[:, i]
        mean = _mean(gam, i)
        mh, ml = _halves(mean)
        kind = type(feature.shape).__name__
        fh, fl, error = (_spline if kind == "Piecewise" else _network)(feature.shape, x)
        beta = float(feature.weight)
        bh, bl = _times(fh, fl, beta, 0.0)
        error = abs(beta) * error + _W * np.abs(bh) * 2 + 2 * _U * _U * abs(mh)
        s = np.where(np.isfinite(shown), shown, 0.0)
        safe = np.isfinite(shown) & (np.abs(shown) >= 2.0**-800) & (np.abs(shown) <= 2.0**800)
        safe &= np.abs(x) <= 2.0**200
        sure = safe.copy()
        for side in (1.0, -1.0):
            half = (np.nextafter(s, side * np.inf) - s) / 2  # ± half a gap: exact
            # β·f − mean − s − half: the large parts cancel exactly (TwoSum twice, the
            # second by Sterbenz where s is near), the small rest is summed in floats
            # within γ_8 of the parts' magnitudes
            p, q = _two_sum(bh, np.full_like(s, -mh))
            a, b = _two_sum(p, -s)
            total = a + (q + b + bl - ml - half)
            magnitude = np.abs(a) + np.abs(q) + np.abs(b) + np.abs(bl) + abs(ml) + np.abs(half)
            bound = (error + _gamma(8, _U) * magnitude) * (1 + 2.0**-40) + 2.0**-900
            # below the midpoint above s (side +1); above the one below (side −1)
            sure &= total * side < -bound
        undecided = np.flatnonzero(~sure)
        if len(undecided) > 16:
            low, high = (feature_extreme(feature, side).value for side in ("min", "max"))
            if compare(low, high) == 0:
                # constant on its domain (values outside it are not vector rows)
                exact = exact_number(low) - mean
                if not isinstance(exact, Fraction):
                    return False
                if not (values[undecided, i] == float(exact)).all():
                    return False
                continue
        for r in undecided:
            exact = exact_number(contribution(gam, i, float(x[r])))
            if not isinstance(exact, Fraction) or float(exact - mean) != values[r, i]:
                return False
    return True
