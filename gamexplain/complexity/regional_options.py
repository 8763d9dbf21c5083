"""Option constraints of the LOCO and regional queries (:mod:`gamexplain.queries.regional`),
declared as data like the others in :mod:`gamexplain.complexity.constraints`.

What depends on the rows (a target as long as the data, labels one per row) is checked by
the query against the data; these constraints refuse what no data set could make valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gamexplain.complexity.constraints import Constraint, Options, Rejected

__all__ = [
    "DEPTH",
    "FLAG",
    "IMPORTANCE_KIND",
    "LOSS",
    "N_REGIONS",
    "REGIONS",
    "ROWS",
    "SEED",
    "TARGET",
    "Flag",
    "Regions",
    "Rows",
    "Seed",
    "Target",
    "Times",
]  # fmt: skip


@dataclass(frozen=True)
class Flag(Constraint):
    """True or False."""

    def describe(self) -> str:
        return "True or False"

    def normalise(self, value: Any, gam: Any) -> bool:
        if not isinstance(value, bool):
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("yes", 1, None)


@dataclass(frozen=True)
class Target(Constraint):
    """None, or a 1-D sequence of numbers (one per row; the query checks the length)."""

    def describe(self) -> str:
        return "None or a 1-D sequence of numbers, one per row"

    def normalise(self, value: Any, gam: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str | bytes | bool | Mapping) or not hasattr(value, "__len__"):
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("y", 3, True, {"a": 1})


@dataclass(frozen=True)
class Rows(Constraint):
    """Rows of data: a 2-D array-like or a DataFrame (the query validates the values)."""

    def describe(self) -> str:
        return "rows of data: a 2-D array-like or a pandas DataFrame"

    def normalise(self, value: Any, gam: Any) -> Any:
        if value is None or isinstance(value, str | bytes | bool | int | float | Mapping):
            raise Rejected
        if not hasattr(value, "__len__"):
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("rows", 3, None, {"a": 1})


@dataclass(frozen=True)
class Regions(Constraint):
    """``"tree"``, ``"kmeans"``, or a 1-D sequence of region labels, one per row."""

    def describe(self) -> str:
        return "'tree', 'kmeans' or a sequence of region labels, one per row"

    def normalise(self, value: Any, gam: Any) -> Any:
        if isinstance(value, str):
            if value not in ("tree", "kmeans"):
                raise Rejected
            return value
        if isinstance(value, bytes | bool | Mapping) or not hasattr(value, "__len__"):
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("boxes", 3, None, {"a": 1})


@dataclass(frozen=True)
class Times(Constraint):
    """None (chosen by the query), or a whole number ≥ ``minimum``."""

    minimum: int = 1

    def describe(self) -> str:
        return f"None or an int >= {self.minimum}"

    def normalise(self, value: Any, gam: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return (self.minimum - 1, 2.5, "many", True)


@dataclass(frozen=True)
class Seed(Constraint):
    """A whole number ≥ 0 (segmentation is seeded, so it is reproducible)."""

    def describe(self) -> str:
        return "an int >= 0"

    def normalise(self, value: Any, gam: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return (-1, 0.5, None, "seed", True)


FLAG, TARGET, REGIONS, SEED, ROWS = Flag(), Target(), Regions(), Seed(), Rows()
LOSS = Options(("fidelity", "squared", "log"))
IMPORTANCE_KIND = Options(("loco", "l1", "l2", "range"))
N_REGIONS = Times(minimum=2)
DEPTH = Times(minimum=1)
