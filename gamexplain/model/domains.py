"""Feature domains: an explicit finite list, a range of integers, or a real interval.

An :class:`Integers` domain may be astronomically large (bounds of 2^60 are fine):
nothing in gamexplain iterates over it; algorithms work piece by piece instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Literal, TypeAlias

from gamexplain.errors import InvalidModelError
from gamexplain.exact import as_fraction

__all__ = ["Domain", "DomainKind", "Finite", "Integers", "Interval", "Label"]

Label: TypeAlias = "str | int | float"
"""A value of a finite domain: a number or a category label."""

DomainKind: TypeAlias = Literal["finite", "integers", "interval"]


@dataclass(frozen=True)
class Finite:
    """An explicit list of values: numbers, or category labels (strings).

    Parameters
    ----------
    values : sequence of str, int or float
        Distinct values, in the order a :class:`~gamexplain.model.shapes.Table` scores them.
    """

    values: tuple[Label, ...]
    kind: ClassVar[DomainKind] = "finite"

    def __init__(self, values: Any) -> None:
        items: tuple[Any, ...] = tuple(values)
        if not items:
            raise InvalidModelError("a finite domain needs at least one value", "values")
        for position, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise InvalidModelError(
                    f"value {item!r} is neither a number nor a string", f"values[{position}]"
                )
            if isinstance(item, float) and not math.isfinite(item):
                raise InvalidModelError(f"value {item!r} is not finite", f"values[{position}]")
        if len(set(items)) != len(items):
            raise InvalidModelError("values must be distinct", "values")
        object.__setattr__(self, "values", items)

    @property
    def size(self) -> int:
        """The number of values."""
        return len(self.values)

    @property
    def is_numeric(self) -> bool:
        """True when every value is a number (so numeric shapes can score it)."""
        return all(not isinstance(v, str) for v in self.values)

    def index(self, value: object) -> int | None:
        """The position of ``value`` in the domain, or None when it is not a member."""
        try:
            return self.values.index(value)
        except ValueError:
            return None

    def contains(self, value: object) -> bool:
        """Whether ``value`` is one of the domain's values."""
        return self.index(value) is not None


@dataclass(frozen=True)
class Integers:
    """Every integer in the closed range [low, high]."""

    low: int
    high: int
    kind: ClassVar[DomainKind] = "integers"

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    object.__setattr__(self, name, int(value))
                    continue
                raise InvalidModelError(f"bound {value!r} is not an integer", name)
        if self.low > self.high:
            raise InvalidModelError(f"low {self.low} exceeds high {self.high}", "low")

    @property
    def size(self) -> int:
        """The number of integers in the range."""
        return self.high - self.low + 1

    def contains(self, value: object) -> bool:
        """Whether ``value`` is an integer inside the range."""
        try:
            number = as_fraction(value)
        except ValueError:
            return False
        return number.denominator == 1 and self.low <= number <= self.high


@dataclass(frozen=True)
class Interval:
    """The closed real interval [low, high] (a single point when low == high)."""

    low: float
    high: float
    kind: ClassVar[DomainKind] = "interval"

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidModelError(f"bound {value!r} is not a number", name)
            if not math.isfinite(value):
                raise InvalidModelError(f"bound {value!r} is not finite", name)
            object.__setattr__(self, name, float(value))
        if self.low > self.high:
            raise InvalidModelError(f"low {self.low} exceeds high {self.high}", "low")

    @property
    def length(self) -> Fraction:
        """The exact length high - low."""
        return Fraction(self.high) - Fraction(self.low)

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a real number inside the interval."""
        try:
            number = as_fraction(value)
        except ValueError:
            return False
        return Fraction(self.low) <= number <= Fraction(self.high)


Domain: TypeAlias = Finite | Integers | Interval
