"""Result objects shared by every query.

Every query returns a frozen dataclass that derives from :class:`Result`. All results
carry the same fields, whatever algorithm produced them: the answer (fields of the
subclass), whether it is ``exact``, the ``algorithm`` that ran (its registry key), the
complexity ``cell`` the question fell in, a ``certificate`` that can be re-checked, the
solver ``status`` (with ``success``, scipy's convention: True exactly when ``status`` is
``"solved"``) and ``stats`` of the run. ``verify(gam)`` re-checks the certificate in
exact arithmetic without calling the algorithm that produced it. A field that does not
apply is None, never missing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

__all__ = ["DecisionResult", "Result", "Stats", "Status", "to_jsonable"]

Status = Literal["solved", "time_limit", "budget_exhausted"]
"""``solved``: the algorithm finished. ``time_limit`` / ``budget_exhausted``: it stopped
early; the result then carries bounds and ``exact`` is False."""


@dataclass(frozen=True, kw_only=True)
class Stats:
    """What a run cost: wall time and deterministic work counters.

    Attributes
    ----------
    seconds : float
        Wall-clock time of the run.
    oracle_calls : int
        Calls to the algorithm's oracle (primitive evaluations, CSR checks, SAT calls).
    work : mapping of str to int
        Further deterministic counters, e.g. ``{"dp_states": 1200}`` or
        ``{"conflicts": 35}``, used by the complexity lab to measure growth.
    """

    seconds: float = 0.0
    oracle_calls: int = 0
    work: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Result:
    """Fields common to every result; subclasses add the answer and ``verify``.

    ``success`` (a property, as in scipy's ``OptimizeResult``) is True exactly when
    ``status == "solved"``: the algorithm finished, so the answer is the answer and not
    a bound or an undecided stop.
    """

    exact: bool
    algorithm: str
    cell: str | None
    certificate: Any
    status: Status = "solved"
    message: str = ""
    stats: Stats = field(default_factory=Stats)

    @property
    def success(self) -> bool:
        """Whether the run finished (``status == "solved"``), as scipy's results say."""
        return self.status == "solved"

    def verify(self, gam: Any) -> bool:
        """Re-check the certificate against ``gam`` in exact arithmetic.

        Subclasses implement the check for their query; it never calls the algorithm
        that produced the result.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define verify()")

    def to_dict(self) -> dict[str, Any]:
        """Every field, and ``success``, as plain JSON-ready data (see :func:`to_jsonable`)."""
        data = to_jsonable(self)
        data["query"] = type(self).__name__
        return data


@dataclass(frozen=True, kw_only=True)
class DecisionResult(Result):
    """The answer to a yes/no question; truthy exactly when the property ``holds``."""

    holds: bool

    def __bool__(self) -> bool:
        return self.holds


def to_jsonable(value: Any) -> Any:
    """Plain JSON-ready data: exact numbers become ``{"float": …, "exact": "p/q"}``.

    Rationals keep their exact value as a string next to the nearest float, algebraic
    numbers their sympy form; arrays become lists; dataclasses and mappings become dicts
    (a result's with its ``success``).
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Fraction):
        return {"float": float(value), "exact": str(value)}
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {**data, "success": value.success} if isinstance(value, Result) else data
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "is_number") and value.is_number:  # a sympy algebraic number
        return {"float": float(value), "exact": str(value)}
    return str(value)
