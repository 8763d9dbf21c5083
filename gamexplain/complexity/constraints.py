"""The constraints public options are declared with, as data.

A :class:`Constraint` normalises a value (feature names become positions, for instance)
or raises :class:`Rejected`; it also says in words what it accepts and lists values it
must refuse, so that one test can sweep bad values through every public function. The
query table (:mod:`gamexplain.complexity.queries`) attaches them to each query's options;
:func:`gamexplain.queries.parameters.validate` applies them at the public boundary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gamexplain.errors import GamExplainError

__all__ = [
    "ACTIONS",
    "COUNT",
    "FEATURES",
    "MAX_SECONDS",
    "OUTPUT",
    "SECONDS",
    "TARGET",
    "WITNESS",
    "ActionsOption",
    "Constraint",
    "Count",
    "Features",
    "Methods",
    "Options",
    "Output",
    "Rejected",
    "Seconds",
    "TargetOption",
    "Witness",
]

#: The longest time limit taken as a number; anything longer is None (no limit).
MAX_SECONDS = 1e9


class Rejected(Exception):
    """Raised inside a constraint: the value is not acceptable, with an optional reason."""


@dataclass(frozen=True)
class Constraint:
    """Base: ``normalise(value, gam)`` returns the value to use or raises ``Rejected``;
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
            raise Rejected
        if isinstance(value, int) and value > MAX_SECONDS:  # 10**400 would overflow float()
            raise Rejected
        if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
            raise Rejected
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
            raise Rejected
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
            raise Rejected
        return value

    def invalid(self) -> tuple[Any, ...]:
        return ("nope", None, 3)


@dataclass(frozen=True)
class Output(Options):
    """``"score"``, or ``"label"`` when the model is a classifier."""

    def normalise(self, value: Any, gam: Any) -> str:
        chosen = super().normalise(value, gam)
        if chosen == "label" and gam.task.kind not in ("classification", "multiclass"):
            raise Rejected(f"'label' needs a classifier; the model is a {gam.task.kind} model")
        return chosen


@dataclass(frozen=True)
class Witness(Options):
    """``"extreme"`` or ``"nearest"`` (pair models included since the joint-region
    search of :mod:`gamexplain.algorithms.nearest_pairs`)."""


@dataclass(frozen=True)
class Methods(Constraint):
    """``"auto"`` or the name of an algorithm registered for one of ``queries``."""

    queries: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        # the registry reads the query table built from these constraints: look it up late
        from gamexplain.complexity.registry import registered_algorithms

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
            raise Rejected
        if not one and not isinstance(value, Iterable):
            raise Rejected
        items = [value] if one else list(value)
        if any(isinstance(item, bool) or not isinstance(item, str | int) for item in items):
            raise Rejected
        try:
            positions = frozenset(gam.index(item) for item in items)
        except GamExplainError as error:
            raise Rejected(str(error)) from None
        return next(iter(positions)) if self.single else positions

    def invalid(self) -> tuple[Any, ...]:
        return ("no such feature", 99, [None], True, 2.5)


#: Option constraints shared by every function that takes the option.
SECONDS, COUNT, FEATURES = Seconds(), Count(), Features()
OUTPUT = Output(("score", "label"))
WITNESS = Witness(("extreme", "nearest"))


@dataclass(frozen=True)
class ActionsOption(Constraint):
    """An action set for the model's features: an ``ActionSet``, the data of an
    action-set file, the path of one, or None (every feature actionable in its domain)."""

    def describe(self) -> str:
        return "an ActionSet of the model's features, action-set data or file path, or None"

    def normalise(self, value: Any, gam: Any) -> Any:
        from gamexplain.model.actions import ActionSet, load_actions

        try:
            if value is None:
                return ActionSet.from_gam(gam)
            if isinstance(value, ActionSet):
                if value.names != gam.feature_names or value.domains != tuple(
                    f.domain for f in gam.features
                ):
                    raise Rejected("it was built for another model's features")
                return value
            if isinstance(value, Mapping):
                return ActionSet.from_dict(gam, value)
            if isinstance(value, str) and value.endswith(".json"):
                return load_actions(value, gam)
        except GamExplainError as error:
            raise Rejected(str(error)) from None
        raise Rejected

    def invalid(self) -> tuple[Any, ...]:
        return (3, "actions.txt", {"format": "other"}, {"features": {"nope": {}}})


@dataclass(frozen=True)
class TargetOption(Constraint):
    """None (the default target), a class 0 or 1 of a classifier, or a condition
    ``(sense, value)`` on the score with sense one of >=, >, <=, <."""

    def describe(self) -> str:
        return (
            "None, a class (0 or 1) of a classifier, a class label of a multiclass "
            "model, or (sense, value) with sense in >=, >, <=, <"
        )

    def normalise(self, value: Any, gam: Any) -> Any:
        if value is None:
            return None
        if gam.task.kind == "multiclass":  # a class label of the model
            label = value.item() if hasattr(value, "item") and not isinstance(
                value, list | tuple | str) else value  # fmt: skip
            if isinstance(label, bool) or not isinstance(label, int | str) or (
                    label not in gam.classes):  # fmt: skip
                raise Rejected(f"the classes are {list(gam.classes)}")
            return label
        if isinstance(value, int) and not isinstance(value, bool):
            if gam.task.kind != "classification" or value not in (0, 1):
                raise Rejected
            return value
        if isinstance(value, tuple | list) and len(value) == 2:
            sense, level = value
            number = isinstance(level, int | float) and not isinstance(level, bool)
            if sense in (">=", ">", "<=", "<") and number and math.isfinite(level):
                return (sense, level)
        raise Rejected

    def invalid(self) -> tuple[Any, ...]:
        return (2, "yes", ("~", 1.0), (">=", float("nan")), True)


ACTIONS, TARGET = ActionsOption(), TargetOption()
