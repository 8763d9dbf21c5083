"""What every public query accepts, declared once as data.

Each public function lists its options in its entry of the query table
(:mod:`gamexplain.complexity.queries`) with a constraint per option
(:mod:`gamexplain.complexity.constraints`); the function
calls :func:`validate` once at its boundary and gets the options back normalised (feature
sets as frozen sets of positions, for instance). The same declarations drive the test
that sweeps bad values through every public function, so a new option cannot escape it.
Messages follow one form: "The 'time_limit' parameter of shap_values must be None or a
number of seconds in (0, 1e9]. Got -1 instead."
"""

from __future__ import annotations

from typing import Any

from gamexplain.complexity.constraints import Constraint, Rejected
from gamexplain.complexity.queries import QUERY_TABLE
from gamexplain.errors import InvalidParameterError
from gamexplain.model.gam import check_gam

__all__ = ["PARAMETERS", "Constraint", "validate"]

#: Per public function, its options (besides the model and the instance) and what each
#: accepts, read from the query table (:mod:`gamexplain.complexity.queries`).
PARAMETERS: dict[str, dict[str, Constraint]] = {
    spec.function: dict(spec.options) for spec in QUERY_TABLE
}


def validate(func: str, gam: Any, **options: Any) -> dict[str, Any]:
    """Check the model and ``options`` of public function ``func``; return them normalised.

    Raises
    ------
    InvalidParameterError
        Naming the function, the parameter, what it accepts and the value given.
    """
    model = check_gam(gam, func)
    declared = PARAMETERS[func]
    out = {}
    for name, value in options.items():
        constraint = declared[name]
        try:
            out[name] = constraint.normalise(value, model)
        except Rejected as rejected:
            why = f" ({rejected})" if str(rejected) else ""
            raise InvalidParameterError(
                f"The {name!r} parameter of {func} must be {constraint.describe()}. "
                f"Got {_shown(value)} instead{why}."
            ) from None
    return out


def _shown(value: Any, limit: int = 80) -> str:
    """A short repr, safe for huge integers (whose str() Python refuses past 4300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except Exception:  # a repr that fails is still a value we must name
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
