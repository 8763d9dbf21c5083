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
from gamexplain.model.gam import check_gam, short_repr

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
    # a multiclass model answers to the same options (its features are shared by classes)
    model = gam if getattr(getattr(gam, "task", None), "kind", "") == "multiclass" else (
        check_gam(gam, func)
    )
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
                f"Got {short_repr(value, 80)} instead{why}."
            ) from None
    return out
