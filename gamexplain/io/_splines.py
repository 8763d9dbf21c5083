"""Exact piecewise polynomials for the spline adapters (pyGAM, scikit-learn).

A B-spline Σ_j c_j·B_{j,p}(x) is, between consecutive knots, one polynomial of degree p.
Its coefficients follow from the Cox–de Boor recursion carried out on polynomials with
rational coefficients, so the float knots and weights of a fitted model are converted
without rounding; only the final :class:`~gamexplain.model.shapes.Piecewise` stores
floats (each coefficient rounded once, relative error 2^-53).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from gamexplain.errors import UnsupportedModelError
from gamexplain.model.shapes import MAX_DEGREE, Piecewise

__all__ = ["ExactPieces", "Extension", "bspline_pieces", "compose_affine"]

Poly = tuple[Fraction, ...]
"""Coefficients in increasing powers of (x − left end of the piece)."""

Extension = Literal["constant", "linear", "continue", "zero"]


def _mul(p: Poly, q: Poly) -> Poly:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return tuple(out)


def _add(p: Poly, q: Poly) -> Poly:
    size = max(len(p), len(q))
    return tuple(
        (p[i] if i < len(p) else Fraction(0)) + (q[i] if i < len(q) else Fraction(0))
        for i in range(size)
    )


def compose_affine(poly: Poly, a: Fraction, b: Fraction) -> Poly:
    """The coefficients (in t) of poly(a·t + b)."""
    out: Poly = (Fraction(0),)
    power: Poly = (Fraction(1),)
    for c in poly:
        out = _add(out, tuple(c * v for v in power))
        power = _mul(power, (b, a))
    return out


def _value(poly: Poly, t: Fraction) -> Fraction:
    total = Fraction(0)
    for c in reversed(poly):
        total = total * t + c
    return total


def _slope(poly: Poly, t: Fraction) -> Fraction:
    return _value(tuple(r * c for r, c in enumerate(poly))[1:] or (Fraction(0),), t)


def _basis_on(knots: Sequence[Fraction], degree: int, k: int) -> list[Poly]:
    """B_{k−p,p} … B_{k,p} on [t_k, t_{k+1}) as polynomials in (x − t_k)."""
    left = knots[k]
    basis: dict[int, Poly] = {k: (Fraction(1),)}
    for r in range(1, degree + 1):
        nxt: dict[int, Poly] = {}
        for i in range(k - r, k + 1):
            term: Poly = (Fraction(0),)
            if i in basis and knots[i + r] != knots[i]:
                scale = 1 / (knots[i + r] - knots[i])
                term = _add(term, _mul(basis[i], (scale * (left - knots[i]), scale)))
            if i + 1 in basis and knots[i + r + 1] != knots[i + 1]:
                scale = 1 / (knots[i + r + 1] - knots[i + 1])
                term = _add(term, _mul(basis[i + 1], (scale * (knots[i + r + 1] - left), -scale)))
            nxt[i] = term
        basis = nxt
    return [basis[i] for i in range(k - degree, k + 1)]


@dataclass
class ExactPieces:
    """A piecewise polynomial in rationals: ``polys[k]`` lives on [cuts[k], cuts[k+1])."""

    cuts: list[Fraction]
    polys: list[Poly]

    def value_at_end(self) -> tuple[Fraction, Fraction]:
        """Value and left derivative at the right end."""
        t = self.cuts[-1] - self.cuts[-2]
        return _value(self.polys[-1], t), _slope(self.polys[-1], t)

    def extend(self, low: Fraction, high: Fraction, left: Extension, right: Extension) -> None:
        """Continue the function below ``cuts[0]`` down to ``low`` and above to ``high``.

        ``linear`` follows the tangent at the end, ``constant`` the end value, ``zero``
        is 0, ``continue`` prolongs the end piece's own polynomial. A gap that vanishes
        when rounded to floats (the span's ends are stored as floats) is not extended.
        """
        if float(low) < float(self.cuts[0]):
            start = self.cuts[0]
            first = self.polys[0]
            if left == "continue":
                self.polys[0] = compose_affine(first, Fraction(1), low - start)
                self.cuts[0] = low
            else:
                value, slope = _value(first, Fraction(0)), _slope(first, Fraction(0))
                line = _end_line(left, value, slope)
                self.polys.insert(0, compose_affine(line, Fraction(1), low - start))
                self.cuts.insert(0, low)
        if float(high) > float(self.cuts[-1]):
            value, slope = self.value_at_end()
            if right == "continue":
                self.cuts[-1] = high
            else:
                self.polys.append(_end_line(right, value, slope))
                self.cuts.append(high)

    def plus(self, other: ExactPieces) -> ExactPieces:
        """The sum of two piecewise polynomials over the same span."""
        cuts = sorted(set(self.cuts) | set(other.cuts))
        polys = [_add(self.local(c), other.local(c)) for c in cuts[:-1]]
        return ExactPieces(cuts, polys)

    def local(self, at: Fraction) -> Poly:
        """The polynomial of the piece holding ``at`` (the last piece for its right end),
        in powers of (x − at)."""
        k = max(i for i in range(len(self.polys)) if self.cuts[i] <= at)
        return compose_affine(self.polys[k], Fraction(1), at - self.cuts[k])

    def to_piecewise(self, term: str) -> Piecewise:
        """Round to a :class:`Piecewise`: float breakpoints, each piece re-expanded
        exactly around its float breakpoint before its coefficients are rounded."""
        cuts = [float(c) for c in self.cuts]
        if any(a >= b for a, b in itertools.pairwise(cuts)):
            raise UnsupportedModelError(f"{term}: two knots round to the same float")
        rows = []
        for k, poly in enumerate(self.polys):
            local = compose_affine(poly, Fraction(1), Fraction(cuts[k]) - self.cuts[k])
            degree = max((r for r, c in enumerate(local) if c != 0), default=0)
            if degree > MAX_DEGREE:
                raise UnsupportedModelError(f"{term}: degree {degree} exceeds {MAX_DEGREE}")
            rows.append([float(c) for c in local[: degree + 1]])
        return Piecewise(cuts, rows)


def _end_line(kind: Extension, value: Fraction, slope: Fraction) -> Poly:
    if kind == "zero":
        return (Fraction(0),)
    if kind == "constant":
        return (value,)
    return (value, slope)


def bspline_pieces(
    knots: Any, coefficients: Sequence[float | Fraction], degree: int
) -> ExactPieces:
    """Σ_j c_j·B_{j,p} on its base interval [t_p, t_n] (n = number of coefficients).

    Intervals of zero width (repeated knots) are skipped; the last piece is closed.
    """
    t = [Fraction(v) for v in knots]
    c = [Fraction(v) for v in coefficients]
    n = len(c)
    cuts: list[Fraction] = []
    polys: list[Poly] = []
    for k in range(degree, n):
        if t[k] == t[k + 1]:
            continue
        basis = _basis_on(t, degree, k)
        poly: Poly = (Fraction(0),)
        for j, b in zip(range(k - degree, k + 1), basis, strict=True):
            poly = _add(poly, tuple(c[j] * v for v in b))
        cuts.append(t[k])
        polys.append(poly)
    if not polys:
        raise UnsupportedModelError("the spline has an empty base interval")
    cuts.append(t[n])
    return ExactPieces(cuts, polys)
