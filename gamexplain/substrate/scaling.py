"""One integer scaler: exact rationals as integers over a common denominator.

The solvers gamexplain hands a question to (CP-SAT, the pairwise elimination, the MILP's
exact evaluation, the dynamic programs) work in integers. Every contribution is rational
(a float is a dyadic rational), so multiplying by the least common multiple of the
denominators turns the numbers into integers with no rounding at all: sums and orders
are those of the rationals, up to that one positive factor. Where a coarser unit is
chosen on purpose (a dynamic program bounding its states), :func:`round_outward` rounds
a lower end down and an upper end up, so the integer question still contains the exact
one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

from gamexplain.exact import Exact

__all__ = ["common_denominator", "integers_or_none", "round_outward", "to_integers"]


def common_denominator(values: Iterable[Fraction]) -> int:
    """The least common multiple of the values' denominators (1 for no values).

    Examples
    --------
    >>> common_denominator([Fraction(1, 4), Fraction(5, 6), Fraction(3)])
    12
    """
    return math.lcm(*(v.denominator for v in values))


def to_integers(values: Iterable[Fraction], scale: int) -> list[int]:
    """Each value times ``scale``, exactly; ``scale`` is a multiple of every denominator.

    Examples
    --------
    >>> to_integers([Fraction(1, 4), Fraction(-5, 6)], 12)
    [3, -10]
    """
    return [v.numerator * (scale // v.denominator) for v in values]


def integers_or_none(values: Sequence[Exact]) -> list[int] | None:
    """The values over their common denominator as integers; ``None`` if one is irrational.

    Order and sums are unchanged up to the positive common factor.
    """
    rationals = [v for v in values if isinstance(v, Fraction)]
    if len(rationals) < len(values):
        return None
    return to_integers(rationals, common_denominator(rationals))


def round_outward(value: Fraction, unit: Fraction, up: bool) -> int:
    """``value`` in whole ``unit``s, rounded up (an upper end) or down (a lower end).

    Examples
    --------
    >>> [round_outward(Fraction(7, 2), Fraction(1), up=up) for up in (True, False)]
    [4, 3]
    """
    q = value / unit
    return math.ceil(q) if up else math.floor(q)
