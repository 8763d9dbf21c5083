"""Lower a feature to exact pieces: the representation the per-feature primitives use.

A feature's contribution a_i = β_i·f_i restricted to its domain becomes either

* a tuple of :class:`Point` (finite domains: one exact value per domain value), or
* a tuple of :class:`Segment` (integer ranges and real intervals: one polynomial with
  rational coefficients per piece, clipped to the domain).

ReLU networks are compiled to linear segments by propagating breakpoints layer by layer
(:func:`compile_relu`). The compilation is exact in rationals and stops with
:class:`~gamexplain.errors.PieceLimitError` past ``piece_limit`` pieces; the extremes of
such networks then need the MILP backend.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from gamexplain.errors import PieceLimitError
from gamexplain.model.domains import Finite, Integers, Interval, Label
from gamexplain.model.shapes import Piecewise, ReLUNet, Table
from gamexplain.model.spans import clip_piece, piece_measures
from gamexplain.substrate import deadline

__all__ = [
    "RELU_PIECE_LIMIT",
    "Point",
    "Segment",
    "compile_relu",
    "lower",
    "piece_measures",
    "segment_measure",
]

RELU_PIECE_LIMIT = 10_000
"""Default bound on the linear pieces a ReLU network may compile to."""


@dataclass(frozen=True)
class Point:
    """One value of a finite domain with its exact contribution."""

    value: Label
    contribution: Fraction
    index: int


@dataclass(frozen=True)
class Segment:
    """A polynomial piece of a contribution, clipped to the domain.

    The contribution on the segment is Σ_r coefficients[r]·(x − anchor)^r. On an
    ``integers`` segment the points are the integers ``low..high`` (both included); on an
    ``interval`` segment they are [low, high) or [low, high] when ``closed``.
    """

    low: Fraction
    high: Fraction
    closed: bool
    anchor: Fraction
    coefficients: tuple[Fraction, ...]
    piece: int
    integers: bool

    @property
    def degree(self) -> int:
        for r in range(len(self.coefficients) - 1, 0, -1):
            if self.coefficients[r] != 0:
                return r
        return 0


def _scaled(coefficients: tuple[float, ...], weight: float) -> tuple[Fraction, ...]:
    beta = Fraction(weight)
    return tuple(beta * Fraction(c) for c in coefficients)


def lower(
    feature: Any, piece_limit: int = RELU_PIECE_LIMIT
) -> tuple[Point, ...] | tuple[Segment, ...]:
    """The exact pieces of ``feature``'s contribution over its domain (cached)."""
    return _lower(feature, piece_limit)


@lru_cache(maxsize=1024)
def _lower(feature: Any, piece_limit: int) -> tuple[Point, ...] | tuple[Segment, ...]:
    domain, shape, weight = feature.domain, feature.shape, feature.weight
    if isinstance(domain, Finite):
        if isinstance(shape, Table):
            scores = [Fraction(v) for v in shape.values]
        else:
            scores = [shape.evaluate_exact(Fraction(v)) for v in domain.values]
        beta = Fraction(weight)
        return tuple(
            Point(v, beta * s, k)
            for k, (v, s) in enumerate(zip(domain.values, scores, strict=True))
        )
    polys: tuple[tuple[Fraction, ...], ...]
    if isinstance(shape, ReLUNet):
        cuts, polys = compile_relu(shape, Fraction(domain.low), Fraction(domain.high), piece_limit)
    else:
        assert isinstance(shape, Piecewise)
        cuts = tuple(Fraction(b) for b in shape.breakpoints)
        polys = tuple(tuple(Fraction(c) for c in row) for row in shape.coefficients)
    beta = Fraction(weight)
    polys = tuple(tuple(beta * c for c in row) for row in polys)
    return _clip(cuts, polys, domain)


def _clip(
    cuts: tuple[Fraction, ...], polys: tuple[tuple[Fraction, ...], ...], domain: Integers | Interval
) -> tuple[Segment, ...]:
    integers = isinstance(domain, Integers)
    segments = []
    for k, poly in enumerate(polys):
        part = clip_piece(cuts[k], cuts[k + 1], k == len(polys) - 1, domain)
        if part is not None:
            segments.append(Segment(*part, cuts[k], poly, k, integers))
    return tuple(segments)


def segment_measure(segment: Segment, point_domain: bool = False) -> Fraction:
    """The measure of a segment: its integers, its length, or 1 on a one-point interval."""
    if segment.integers:
        return segment.high - segment.low + 1
    return Fraction(1) if point_domain else segment.high - segment.low


def compile_relu(
    net: ReLUNet, low: Fraction, high: Fraction, piece_limit: int = RELU_PIECE_LIMIT
) -> tuple[tuple[Fraction, ...], tuple[tuple[Fraction, Fraction], ...]]:
    """Compile a 1-D ReLU network on [low, high] to exact linear pieces.

    Returns breakpoints b_0 = low < … < b_m = high and, per piece, the local coefficients
    (c0, c1) of c0 + c1·(x − b_k). Adjacent pieces with the same line are merged.

    Notes
    -----
    Each unit's pre-activation is affine on every current piece; a hidden layer splits a
    piece where a unit's line crosses zero. With L hidden layers of width w the count is
    at most (w + 1)^L pieces, so deep nets can exceed ``piece_limit`` (then
    :class:`~gamexplain.errors.PieceLimitError`). Runs in time linear in the pieces
    produced times the layer widths; raises
    :class:`~gamexplain.substrate.deadline.OutOfTime` when the current deadline passes.
    """
    if low == high:
        value = net.evaluate_exact(low)
        return (low, high), ((Fraction(value), Fraction(0)),)
    # each piece: (left, right, [(slope, offset) per unit]) with units affine in global x
    pieces: list[tuple[Fraction, Fraction, list[tuple[Fraction, Fraction]]]] = [
        (low, high, [(Fraction(1), Fraction(0))])
    ]
    for depth, layer in enumerate(net.layers):
        weights = [[Fraction(w) for w in row] for row in layer.weights]
        bias = [Fraction(b) for b in layer.bias]
        hidden = depth < len(net.layers) - 1
        next_pieces = []
        for left, right, units in pieces:
            # exact arithmetic over wide layers costs about a millisecond per piece
            deadline.check()
            lines = [
                (
                    sum((units[k][0] * weights[k][j] for k in range(len(units))), Fraction(0)),
                    sum((units[k][1] * weights[k][j] for k in range(len(units))), bias[j]),
                )
                for j in range(layer.n_outputs)
            ]
            if not hidden:
                next_pieces.append((left, right, lines))
                continue
            next_pieces.extend(_split_relu(left, right, lines))
            if len(next_pieces) > piece_limit:
                raise PieceLimitError(
                    f"the ReLU network has more than {piece_limit} linear pieces on "
                    f"[{float(low)}, {float(high)}]; raise piece_limit or use the MILP backend"
                )
        pieces = next_pieces
    return _merge(pieces)


def _split_relu(
    left: Fraction, right: Fraction, lines: list[tuple[Fraction, Fraction]]
) -> list[tuple[Fraction, Fraction, list[tuple[Fraction, Fraction]]]]:
    crossings = sorted(
        {
            -offset / slope
            for slope, offset in lines
            if slope != 0 and left < -offset / slope < right
        }
    )
    bounds = [left, *crossings, right]
    out = []
    for a, b in itertools.pairwise(bounds):
        middle = (a + b) / 2
        active = [
            (slope, offset) if slope * middle + offset > 0 else (Fraction(0), Fraction(0))
            for slope, offset in lines
        ]
        out.append((a, b, active))
    return out


def _merge(
    pieces: list[tuple[Fraction, Fraction, list[tuple[Fraction, Fraction]]]],
) -> tuple[tuple[Fraction, ...], tuple[tuple[Fraction, Fraction], ...]]:
    cuts = [pieces[0][0]]
    lines: list[tuple[Fraction, Fraction]] = []
    for _left, right, (line,) in pieces:
        if lines and lines[-1] == line:
            cuts[-1] = right
            continue
        lines.append(line)
        cuts.append(right)
    local = tuple(
        (slope * cut + offset, slope) for cut, (slope, offset) in zip(cuts, lines, strict=False)
    )
    return tuple(cuts), local
