"""Result objects shared by every query.

Every query returns a frozen dataclass that derives from :class:`Result`. All results
carry the same fields, whatever algorithm produced them: the answer (fields of the
subclass), whether it is ``exact``, the ``algorithm`` that ran (its registry key), the
complexity ``cell`` the question fell in, a ``certificate`` that can be re-checked, the
solver ``status`` and ``stats`` of the run. ``verify(gam)`` re-checks the certificate in
exact arithmetic without calling the algorithm that produced it. A field that does not
apply is None, never missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DecisionResult", "Result", "Stats", "Status"]

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
    """Fields common to every result; subclasses add the answer and ``verify``."""

    exact: bool
    algorithm: str
    cell: str | None
    certificate: Any
    status: Status = "solved"
    message: str = ""
    stats: Stats = field(default_factory=Stats)

    def verify(self, gam: Any) -> bool:
        """Re-check the certificate against ``gam`` in exact arithmetic.

        Subclasses implement the check for their query; it never calls the algorithm
        that produced the result.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define verify()")


@dataclass(frozen=True, kw_only=True)
class DecisionResult(Result):
    """The answer to a yes/no question; truthy exactly when the property ``holds``."""

    holds: bool

    def __bool__(self) -> bool:
        return self.holds
