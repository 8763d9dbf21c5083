"""The two backends of the per-feature extremum, and which one answers a feature.

Every query that needs min_v a_i(v) or max_v a_i(v) calls
:func:`~gamexplain.substrate.primitives.contribution_min` / ``contribution_max``. For tables
and piecewise polynomials the answer always comes from exact pieces. A ReLU network on
an integer or interval domain is compiled to its linear pieces while they number at most
``RELU_PIECE_LIMIT`` (``thm:relu-compile``); past that the MILP backend of
:mod:`gamexplain.substrate.milp` answers (``thm:relu-milp-extremes``). Like a database's
EXPLAIN, :func:`select_extremum_backend` tells which backend ``method="auto"`` uses and
why, without running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

from gamexplain.errors import PieceLimitError
from gamexplain.exact import Exact, to_float
from gamexplain.model.shapes import ReLUNet
from gamexplain.substrate.pieces import RELU_PIECE_LIMIT, lower

__all__ = [
    "EXTREMUM_BACKENDS",
    "BackendChoice",
    "Extremum",
    "ExtremumBackend",
    "milp_applies",
    "milp_extremum",
    "select_extremum_backend",
]


@dataclass(frozen=True)
class Extremum:
    """The minimum or maximum of a contribution over the domain.

    Attributes
    ----------
    value : Fraction or sympy number
        The exact infimum (minimum) or supremum (maximum).
    argument : object
        A domain value where it is attained; when ``attained`` is False (a discontinuous
        piece approaching a breakpoint from the left), the breakpoint the values approach.
    attained : bool
        Whether some domain value reaches ``value``.
    exact : bool, default True
        False only when the MILP backend ran out of time or budget: ``value`` is then the
        best value found (attained at ``argument``) and the true extremum lies in
        [``lower``, ``upper``].
    lower, upper : Fraction or sympy number, optional
        Sound exact bounds on the extremum; None means both equal ``value``.
    status : {"solved", "time_limit", "budget_exhausted"}, default "solved"
    backend : {"pieces", "milp"}, default "pieces"
        Which backend answered (see :mod:`gamexplain.substrate.extremes`).
    message : str
        The MILP solver's own status, e.g. "HiGHS: optimal".
    """

    value: Exact
    argument: Any
    attained: bool
    exact: bool = True
    lower: Exact | None = None
    upper: Exact | None = None
    status: Literal["solved", "time_limit", "budget_exhausted"] = "solved"
    backend: Literal["pieces", "milp"] = "pieces"
    message: str = ""

    def __float__(self) -> float:
        return to_float(self.value)


@dataclass(frozen=True)
class ExtremumBackend:
    """A way to compute a feature's extremes: its name, cost and theorem id."""

    name: str
    summary: str
    theorem: str


EXTREMUM_BACKENDS: dict[str, ExtremumBackend] = {
    "pieces": ExtremumBackend(
        "pieces",
        "exact candidates per piece (values, endpoints, critical points); ReLU networks "
        "compiled to linear pieces, O(pieces × width) per layer",
        "thm:relu-compile",
    ),
    "milp": ExtremumBackend(
        "milp",
        "big-M MILP (HiGHS) for a maximiser, certified by exact branch and bound over "
        "linear relaxations; exponential in the worst case",
        "thm:relu-milp-extremes",
    ),
}


@dataclass(frozen=True)
class BackendChoice:
    """The backend ``method="auto"`` picks for one feature, and the reason."""

    name: str
    theorem: str
    reason: str


def milp_applies(feature: Any) -> str | None:
    """None when the MILP backend can answer ``feature``, else the reason it cannot."""
    if not isinstance(feature.shape, ReLUNet):
        return f"feature {feature.name!r} is not a ReLU network (its shape is {feature.component})"
    if feature.domain.kind == "finite":
        return f"feature {feature.name!r} has a finite domain: its values are enumerated"
    return None


@lru_cache(maxsize=1024)
def select_extremum_backend(feature: Any, piece_limit: int = RELU_PIECE_LIMIT) -> BackendChoice:
    """The backend for ``feature``'s extremes under ``method="auto"``.

    Notes
    -----
    Tries the exact compilation (cached, so the pieces are reused by the primitive); it
    costs at most ``piece_limit`` pieces before giving up.
    """
    pieces = EXTREMUM_BACKENDS["pieces"].theorem
    if milp_applies(feature) is not None:
        return BackendChoice("pieces", pieces, "not a ReLU network on a range")
    try:
        count = len(lower(feature, piece_limit))
    except PieceLimitError:
        return BackendChoice(
            "milp",
            EXTREMUM_BACKENDS["milp"].theorem,
            f"the network has more than {piece_limit} linear pieces on its domain, "
            f"the compilation limit",
        )
    return BackendChoice(
        "pieces",
        pieces,
        f"the network compiles to {count} linear pieces, within the limit of {piece_limit}",
    )


def milp_extremum(feature: Any, direction: int) -> Extremum:
    """max (``direction=1``) or min (``-1``) of β_i·f_i by the MILP backend."""
    from gamexplain.substrate.milp import relu_extremum

    beta = Fraction(feature.weight)
    if beta == 0:
        zero = Fraction(0)
        return Extremum(
            zero, _low(feature), True, lower=zero, upper=zero, backend="milp", message="β = 0"
        )
    sense = direction if beta > 0 else -direction
    result = relu_extremum(feature.shape, feature.domain, 1 if sense > 0 else -1)
    bounds = sorted([beta * result.lower, beta * result.upper])
    return Extremum(
        beta * result.value,
        result.argument,
        True,
        exact=result.exact,
        lower=bounds[0],
        upper=bounds[1],
        status="solved" if result.exact else "budget_exhausted",
        backend="milp",
        message=f"HiGHS: {result.solver_status}; certified with {result.nodes} intervals",
    )


def _low(feature: Any) -> Fraction:
    return Fraction(feature.domain.low)
