"""Per-feature affine preprocessing for :func:`~gamexplain.io.sklearn.from_sklearn`.

scikit-learn's ``StandardScaler``, ``MinMaxScaler``, ``RobustScaler`` and
``MaxAbsScaler`` map each column on its own by u = a·x + b with a > 0. A chain of them
is again one such map, and a piecewise polynomial in u is a piecewise polynomial in x:
each breakpoint c moves to (c − b)/a and a piece's polynomial p(u − c) becomes
p(a·(x − (c − b)/a)). Clipping (``clip=True``) commutes with an increasing affine map,
clip(a·x + b, lo, hi) = a·clip(x, (lo − b)/a, (hi − b)/a) + b, so a chain with clips is
one affine map of x clipped to an interval: the term is held constant beyond it.
Everything here is done in rationals built from the stored float64 parameters, so the
composition itself adds no rounding; scikit-learn, which computes (x − mean)/scale in
floats, may differ from it by the rounding of those two operations. :meth:`Affine.slack`
bounds that rounding, in units of x, so that a training extreme which scikit-learn maps
a hair beyond the spline's base interval is not taken for extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.errors import UnsupportedModelError
from gamexplain.io._splines import ExactPieces, Poly, compose_affine

__all__ = [
    "SCALERS",
    "Affine",
    "clamped",
    "clip_range",
    "drop_slivers",
    "prolong",
    "pull_back",
    "scaler_maps",
]

SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")

_SLACK = Fraction(1, 2**40)
"""2^13 times float64's unit roundoff: room, per scaler, for its roundings."""


@dataclass(frozen=True)
class Affine:
    """u = scale·x + shift of one raw feature, scale > 0."""

    feature: int
    scale: Fraction = Fraction(1)
    shift: Fraction = Fraction(0)
    reach: Fraction = Fraction(0)
    """Σ |z_k| over the maps composed so far, z_k the x that map k's result sends to 0."""
    steps: int = 0
    """How many maps were composed (scikit-learn rounds once or twice in each)."""
    floor: Fraction | None = None
    ceiling: Fraction | None = None
    """x is clipped to [floor, ceiling] first (None: no bound)."""

    def then(self, scale: Fraction, shift: Fraction) -> Affine:
        """This map followed by v = scale·u + shift."""
        a, b = scale * self.scale, scale * self.shift + shift
        return replace(self, scale=a, shift=b, reach=self.reach + abs(b / a), steps=self.steps + 1)

    def clipped(self, low: Fraction, high: Fraction) -> Affine:
        """This map followed by clipping its output to [low, high].

        clip(clip(x, F, C), f, c) = clip(x, clip(F, f, c), clip(C, f, c)).
        """
        f, c = self.backward(low), self.backward(high)
        floor = f if self.floor is None else min(max(self.floor, f), c)
        ceiling = c if self.ceiling is None else min(max(self.ceiling, f), c)
        return replace(self, floor=floor, ceiling=ceiling)

    def clamp(self, x: Fraction) -> Fraction:
        """x clipped to [floor, ceiling]."""
        x = x if self.floor is None else max(x, self.floor)
        return x if self.ceiling is None else min(x, self.ceiling)

    def slack(self, x: Fraction) -> Fraction:
        """How far, in units of x, scikit-learn's float64 evaluation of the maps at x may
        land from the exact value, with a wide margin.

        Each float operation errs by at most 2^-53 of its result, and every intermediate
        result is, in units of x, at most |x| plus one of the |z_k|. No map, no rounding.
        """
        return self.steps * _SLACK * (abs(x) + self.reach)

    def forward(self, x: Fraction) -> Fraction:
        return self.scale * x + self.shift

    def backward(self, u: Fraction) -> Fraction:
        return (u - self.shift) / self.scale


def scaler_maps(step: Any, where: str) -> list[tuple[Fraction, Fraction]]:
    """(scale, shift) of each column a fitted scikit-learn scaler transforms.

    Raises
    ------
    UnsupportedModelError
        A parameter that is not finite, a scale of 0, or a map that is not increasing.
    """
    try:
        maps = _maps(step, int(step.n_features_in_))
    except (ValueError, OverflowError, ZeroDivisionError) as exc:  # NaN, ±inf, 1/0
        raise UnsupportedModelError(
            f"{where}: a scaling parameter is not a finite number (or a scale is 0)"
        ) from exc
    if any(scale <= 0 for scale, _ in maps):
        raise UnsupportedModelError(f"{where}: a column is scaled by a factor ≤ 0")
    return maps


def _maps(step: Any, n: int) -> list[tuple[Fraction, Fraction]]:
    name = type(step).__name__
    if name == "MinMaxScaler":  # X *= scale_; X += min_
        return [(Fraction(float(a)), Fraction(float(b))) for a, b in
                zip(step.scale_, step.min_, strict=True)]  # fmt: skip
    if name == "MaxAbsScaler":  # X /= scale_
        return _center_then_divide(None, step.scale_, n)
    if name == "StandardScaler":  # X -= mean_ if with_mean; X /= scale_ if with_std
        center = step.mean_ if step.with_mean else None
        return _center_then_divide(center, step.scale_ if step.with_std else None, n)
    center = step.center_ if step.with_centering else None  # RobustScaler
    return _center_then_divide(center, step.scale_ if step.with_scaling else None, n)


def clip_range(step: Any) -> tuple[Fraction, Fraction] | None:
    """The interval a scaler clips its output to, or None."""
    if not getattr(step, "clip", False):
        return None
    if type(step).__name__ == "MaxAbsScaler":
        return Fraction(-1), Fraction(1)
    low, high = step.feature_range
    return Fraction(float(low)), Fraction(float(high))


def _center_then_divide(center: Any, scale: Any, n: int) -> list[tuple[Fraction, Fraction]]:
    """(x − center)/scale as (1/scale, −center/scale); None means 0 or 1."""
    c = [Fraction(0)] * n if center is None else [Fraction(float(v)) for v in np.ravel(center)]
    s = [Fraction(1)] * n if scale is None else [Fraction(float(v)) for v in np.ravel(scale)]
    return [(1 / si, -ci / si) for ci, si in zip(c, s, strict=True)]


def pull_back(pieces: ExactPieces, affine: Affine) -> ExactPieces:
    """The pieces of x ↦ f(scale·x + shift), f given in u by ``pieces``."""
    cuts = [affine.backward(c) for c in pieces.cuts]
    polys = [compose_affine(p, affine.scale, Fraction(0)) for p in pieces.polys]
    return ExactPieces(cuts, polys)


def prolong(pieces: ExactPieces, low: Fraction, high: Fraction) -> ExactPieces:
    """Prolong the end pieces' own polynomials down to ``low`` and up to ``high``.

    Used over gaps of rounding size, or outside the feature's domain, where the values
    do not matter but terms of one feature must share their span to be added.
    """
    low, high = min(low, pieces.cuts[0]), max(high, pieces.cuts[-1])
    polys = list(pieces.polys)
    polys[0] = compose_affine(polys[0], Fraction(1), low - pieces.cuts[0])
    return ExactPieces([low, *pieces.cuts[1:-1], high], polys)


def clamped(
    pieces: ExactPieces, low: Fraction, high: Fraction, lo: Fraction, hi: Fraction
) -> ExactPieces:
    """x ↦ f(min(max(x, lo), hi)) on [low, high] ⊇ [lo, hi]; ``pieces`` give f on
    a span holding [lo, hi]."""
    cuts = [lo, *(c for c in pieces.cuts if lo < c < hi), hi]
    polys = [pieces.local(c) for c in cuts[:-1]] if hi > lo else []
    cuts = cuts if hi > lo else [lo]
    if low < lo:
        cuts.insert(0, low)
        polys.insert(0, (pieces.local(lo)[0],))
    if high > hi or len(cuts) == 1:
        cuts.append(max(high, cuts[-1] + 1) if high <= hi else high)
        polys.append((pieces.local(hi)[0],))
    return ExactPieces(cuts, polys)


def drop_slivers(pieces: ExactPieces) -> ExactPieces:
    """Remove pieces narrower than a float64 rounding of their ends.

    Their breakpoints would round to the same float, so no float input lies inside
    them; the next piece (the previous one for the last) is prolonged over the gap.
    """
    cuts: list[Fraction] = [pieces.cuts[0]]
    polys: list[Poly] = []
    for k, poly in enumerate(pieces.polys):
        end = pieces.cuts[k + 1]
        if polys and float(cuts[-1]) == float(end):
            cuts[-1] = end  # the previous piece absorbs this sliver
        elif float(cuts[-1]) == float(end) and k + 1 < len(pieces.polys):
            continue  # a first-piece sliver: the next piece starts at cuts[0]
        else:
            polys.append(compose_affine(poly, Fraction(1), cuts[-1] - pieces.cuts[k]))
            cuts.append(end)
    return ExactPieces(cuts, polys)
