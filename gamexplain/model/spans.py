"""Where the pieces of a piecewise shape meet a domain: one clipping rule.

Piece k of a :class:`~gamexplain.model.shapes.Piecewise` shape covers
[b_k, b_{k+1}) (the last piece is closed). Its part of a numeric domain is what the model
checks a per-piece distribution against and what :func:`gamexplain.substrate.pieces.lower`
turns into exact segments, so both read this one rule.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from gamexplain.model.domains import Integers, Interval

__all__ = ["clip_piece", "piece_measures"]


def clip_piece(
    left: Fraction, right: Fraction, last: bool, domain: Integers | Interval
) -> tuple[Fraction, Fraction, bool] | None:
    """The part of the piece [left, right) inside ``domain``, or ``None`` when empty.

    Parameters
    ----------
    left, right : Fraction
        The piece's breakpoints.
    last : bool
        Whether the piece is the shape's last, which includes its right end.
    domain : Integers or Interval
        The feature's numeric domain.

    Returns
    -------
    tuple of (Fraction, Fraction, bool) or None
        ``(low, high, closed)``: on integers the first and last integer (closed), on an
        interval the ends and whether ``high`` belongs to the part.
    """
    low, high = Fraction(domain.low), Fraction(domain.high)
    part_low, part_high = max(left, low), min(right, high)
    closed = last or right > high
    if part_low > part_high or (part_low == part_high and not closed):
        return None
    if not isinstance(domain, Integers):
        return part_low, part_high, closed
    first = math.ceil(part_low)
    final = math.floor(part_high) if closed else math.ceil(part_high) - 1
    return None if first > final else (Fraction(first), Fraction(final), True)


def piece_measures(feature: Any) -> tuple[Fraction, ...]:
    """Per piece of a ``Piecewise`` shape, the measure of its part of the domain.

    The count of integers (``Integers``) or the length (``Interval``); a one-point
    interval domain gives its single piece measure 1 (a point mass).
    """
    shape, domain = feature.shape, feature.domain
    cuts = [Fraction(b) for b in shape.breakpoints]
    measures = []
    for k in range(shape.n_pieces):
        part = clip_piece(cuts[k], cuts[k + 1], k == shape.n_pieces - 1, domain)
        measures.append(Fraction(0) if part is None else _measure(part, domain))
    return tuple(measures)


def _measure(part: tuple[Fraction, Fraction, bool], domain: Integers | Interval) -> Fraction:
    low, high, _ = part
    if isinstance(domain, Integers):
        return high - low + 1
    return Fraction(1) if domain.low == domain.high else high - low
