"""What every public query accepts, declared once as data.

Each public function lists its options here with a constraint per option; the function
calls :func:`validate` once at its boundary and gets the options back normalised (feature
sets as frozen sets of positions, for instance). The same declarations drive the test
that sweeps bad values through every public function, so a new option cannot escape it.
Messages follow one form: "The 'time_limit' parameter of shap_values must be None or a
number of seconds in (0, 1e9]. Got -1 instead."
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gamexplain.complexity.registry import registered_algorithms
from gamexplain.errors import GamExplainError, InvalidParameterError
from gamexplain.model.gam import check_gam

__all__ = ["PARAMETERS", "Constraint", "validate"]

#: The longest time limit taken as a number; anything longer is None (no limit).
MAX_SECONDS = 1e9


class _Rejected(Exception):
    """Raised inside a constraint: the value is not acceptable, with an optional reason."""


@dataclass(frozen=True)
class Constraint:
    """Base: ``normalise(value, gam)`` returns the value to use or raises ``_Rejected``;
    ``describe`` says what is accepted; ``invalid`` lists values that must be refused."""

    def describe(self) -> str:
        raise NotImplementedError

    def normalise(self, value: Any, gam: Any) -> Any:
        raise NotImplementedError

    def invalid(self) -> tuple[Any, ...]:
        raise NotImplementedError


@dataclass(frozen=True)
class Seconds(Constraint):
    """None (no limit) or a finite number of seconds in (0, MAX_SECONDS]."""

    def describe(self) -> str:
        return f"None or a number of seconds in (0, {MAX_SECONDS:g}]"

    def normalise(self, value: Any, gam: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Rejected
        if isinstance(value, int) and value > MAX_SECONDS:  # 10**400 would overflow float()
            raise _Rejected
        if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
            raise _Rejected
        return float(value)

    def invalid(self) -> tuple[Any, ...]:
        return (0, -1.0, float("nan"), float("inf"), 10**400, "soon", True)


@dataclass(frozen=True)
class Count(Constraint):
    """A whole number ≥ 1."""

    def describe(self) -> str:
        return "an int >= 1"

    def normalise(self, value: Any, gam: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return (0, -3, 2.5, "many", None, True)


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def describe(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in self.values) + "}"

    def normalise(self, value: Any, gam: Any) -> str:
        if not isinstance(value, str) or value not in self.values:
            raise _Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("nope", None, 3)


@dataclass(frozen=True)
class Output(Options):
    """``"score"``, or ``"label"`` when the model is a classifier."""

    def normalise(self, value: Any, gam: Any) -> str:
        chosen = super().normalise(value, gam)
        if chosen == "label" and gam.task.kind != "classification":
            raise _Rejected(f"'label' needs a classifier; the model is a {gam.task.kind} model")
        return chosen


@dataclass(frozen=True)
class Methods(Constraint):
    """``"auto"`` or the name of an algorithm registered for one of ``queries``."""

    queries: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        found = {s.name for q in self.queries for s in registered_algorithms(q)}
        return ("auto", *sorted(found))

    def describe(self) -> str:
        return Options(self.names()).describe()

    def normalise(self, value: Any, gam: Any) -> str:
        return Options(self.names()).normalise(value, gam)

    def invalid(self) -> tuple[Any, ...]:
        return ("nope", None, 3)


@dataclass(frozen=True)
class Features(Constraint):
    """Feature names or positions of the model: one, or an iterable of them."""

    single: bool = False

    def describe(self) -> str:
        if self.single:
            return "a feature name or position of the model"
        return "a feature name or position, or an iterable of them, of the model"

    def normalise(self, value: Any, gam: Any) -> Any:
        one = isinstance(value, str | int) and not isinstance(value, bool)
        if (self.single and not one) or isinstance(value, bool | Mapping):
            raise _Rejected
        if not one and not isinstance(value, Iterable):
            raise _Rejected
        items = [value] if one else list(value)
        if any(isinstance(item, bool) or not isinstance(item, str | int) for item in items):
            raise _Rejected
        try:
            positions = frozenset(gam.index(item) for item in items)
        except GamExplainError as error:
            raise _Rejected(str(error)) from None
        return next(iter(positions)) if self.single else positions

    def invalid(self) -> tuple[Any, ...]:
        return ("no such feature", 99, [None], True, 2.5)


#: Option constraints shared by every function that takes the option.
SECONDS, COUNT, FEATURES = Seconds(), Count(), Features()
OUTPUT = Output(("score", "label"))

#: Per public function, its options (besides the model and the instance) and what each
#: accepts. ``method`` lists the registry queries whose algorithms it may name.
PARAMETERS: dict[str, dict[str, Constraint]] = {
    "is_sufficient_reason": {"S": FEATURES, "method": Methods(("csr",)), "fixed": FEATURES,
                             "time_limit": SECONDS},
    "minimum_sufficient_reason": {"method": Methods(("msr",)), "fixed": FEATURES,
                                  "time_limit": SECONDS},
    "minimal_sufficient_reason": {"method": Methods(("minimal-sr",)), "fixed": FEATURES,
                                  "time_limit": SECONDS},
    "sufficient_reasons": {"method": Methods(("enum-sr",)), "fixed": FEATURES,
                           "time_limit": SECONDS},
    "minimum_contrastive_reason": {"method": Methods(("mcr",)), "fixed": FEATURES,
                                   "time_limit": SECONDS},
    "contrastive_reasons": {"method": Methods(("enum-cr",)), "fixed": FEATURES,
                            "time_limit": SECONDS},
    "is_redundant": {"feature": Features(single=True), "method": Methods(("fr",)),
                     "time_limit": SECONDS, "max_states": COUNT},
    "shap_values": {"output": OUTPUT, "method": Methods(("shap-score", "shap-label")),
                    "max_states": COUNT, "time_limit": SECONDS},
    "banzhaf_values": {"output": OUTPUT, "method": Methods(("banzhaf-score", "banzhaf-label")),
                       "max_states": COUNT, "time_limit": SECONDS},
    "completion_fraction": {"S": FEATURES, "method": Methods(("cc",)), "max_states": COUNT,
                            "time_limit": SECONDS},
}  # fmt: skip


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
        except _Rejected as rejected:
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
