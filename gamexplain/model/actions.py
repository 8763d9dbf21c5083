"""Action sets: which changes a person can make to the features of an instance.

An :class:`ActionSet` is data about a model, in the sense of Cheon, Wernerfelt, Friedler
and Ustun (*Feature Responsiveness Scores*, ICLR 2025) and of their package ``reachml``,
whose constraint names it keeps. Per feature it says whether the feature is actionable,
the bounds a moved value must keep, the direction a move may take and how far one action
may move it (:class:`FeatureAction`); across features it holds the constraints
:class:`OneHotEncoding`, :class:`OrdinalEncoding`, :class:`ThermometerEncoding`,
:class:`DirectionalLinkage`, :class:`IfThenConstraint` and :class:`MutabilitySwitch`.

Features joined by constraints form *components*: the connected components of the graph
whose edges join the features a constraint names (so the grouping is transitive). A
point x' is reachable from x on component P when it equals x outside P and either
equals x or satisfies :meth:`ActionSet.admits` — every per-feature element and every
constraint of P. The reading of each constraint is stated on its class and in
``docs/responsiveness.md``.

Everything is validated when built; a fault raises
:class:`~gamexplain.errors.InvalidParameterError` naming its place as a JSON path of the
action-set file (``features.age.step_lb``, ``constraints[2].names[1]``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

from gamexplain.errors import InvalidInstanceError, InvalidParameterError
from gamexplain.model.domains import Domain, Finite, Integers, Interval

__all__ = [
    "ACTIONS_FORMAT",
    "ActionSet",
    "Constraint",
    "DirectionalLinkage",
    "FeatureAction",
    "IfThenConstraint",
    "MutabilitySwitch",
    "OneHotEncoding",
    "OrdinalEncoding",
    "ThermometerEncoding",
    "dump_actions",
    "load_actions",
]

ACTIONS_FORMAT = "gamexplain-actions/1"
"""The ``format`` tag of an action-set file."""

_SENSES = {"if": (">=", "<=", "=="), "then": (">=", "<=", "==")}


def _fault(message: str, path: str) -> InvalidParameterError:
    return InvalidParameterError(f"action set: {path}: {message}")


def _number(value: Any, path: str, *, allow_none: bool = False) -> Fraction | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise _fault(f"{value!r} is not a number", path)
    if isinstance(value, float) and not math.isfinite(value):
        raise _fault(f"{value!r} is not finite", path)
    return Fraction(value)


def _direction(value: Any, path: str) -> int:
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise _fault(f"step_direction must be -1, 0 or 1, got {value!r}", path)
    return int(value)


# -- per-feature elements ----------------------------------------------------------------
@dataclass(frozen=True)
class FeatureAction:
    """What one action may do to one feature.

    Parameters
    ----------
    actionable : bool, default True
        False: the feature never moves on its own (a linkage may still move it).
    lb, ub : number, optional
        Bounds a moved value must keep (default: the domain's). Numeric features only.
    step_direction : {-1, 0, 1}
        +1 only up, -1 only down, 0 both. On a finite domain of labels "up" is the
        domain's order.
    step_lb, step_ub : number, optional
        The most one action may move the feature down (``step_lb`` ≤ 0) and up
        (``step_ub`` ≥ 0); None is unlimited. Numeric features only.
    reachable : mapping, optional
        Finite domains: for each value, the values an action may take it to.
    """

    actionable: bool = True
    lb: Fraction | None = None
    ub: Fraction | None = None
    step_direction: int = 0
    step_lb: Fraction | None = None
    step_ub: Fraction | None = None
    reachable: Mapping[Any, tuple[Any, ...]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The element as JSON-ready data (numbers as floats or ints)."""
        out: dict[str, Any] = {"actionable": self.actionable,
                               "step_direction": self.step_direction}  # fmt: skip
        for name in ("lb", "ub", "step_lb", "step_ub"):
            value = getattr(self, name)
            if value is not None:
                out[name] = int(value) if value.denominator == 1 else float(value)
        if self.reachable is not None:
            out["reachable"] = {str(k): list(v) for k, v in self.reachable.items()}
        return out


def _feature_action(data: Any, domain: Domain, path: str) -> FeatureAction:
    if isinstance(data, FeatureAction):
        data = {**data.to_dict(), "reachable": data.reachable}
    if not isinstance(data, Mapping):
        raise _fault(f"expected a mapping of action elements, got {type(data).__name__}", path)
    known = {"actionable", "lb", "ub", "step_direction", "step_lb", "step_ub", "reachable"}
    for key in data:
        if key not in known:
            raise _fault(f"unknown element {key!r} (known: {sorted(known)})", f"{path}.{key}")
    actionable = data.get("actionable", True)
    if not isinstance(actionable, bool):
        raise _fault(f"actionable must be true or false, got {actionable!r}", f"{path}.actionable")
    numbers = {k: _number(data.get(k), f"{path}.{k}", allow_none=True)
               for k in ("lb", "ub", "step_lb", "step_ub")}  # fmt: skip
    labels = isinstance(domain, Finite) and not domain.is_numeric
    for key, value in numbers.items():
        if value is not None and labels:
            raise _fault("bounds and steps need a numeric feature", f"{path}.{key}")
    lb, ub = numbers["lb"], numbers["ub"]
    if lb is not None and ub is not None and lb > ub:
        raise _fault(f"lb {lb} exceeds ub {ub}: no value can be reached", f"{path}.lb")
    if numbers["step_lb"] is not None and numbers["step_lb"] > 0:
        raise _fault("step_lb must be ≤ 0", f"{path}.step_lb")
    if numbers["step_ub"] is not None and numbers["step_ub"] < 0:
        raise _fault("step_ub must be ≥ 0", f"{path}.step_ub")
    direction = _direction(data.get("step_direction", 0), f"{path}.step_direction")
    reachable = _reachable(data.get("reachable"), domain, f"{path}.reachable")
    return FeatureAction(actionable, lb, ub, direction, numbers["step_lb"], numbers["step_ub"],
                         reachable)  # fmt: skip


def _reachable(data: Any, domain: Domain, path: str) -> dict[Any, tuple[Any, ...]] | None:
    if data is None:
        return None
    if not isinstance(domain, Finite):
        raise _fault("a reachability map needs a finite domain", path)
    if not isinstance(data, Mapping):
        raise _fault("expected a mapping from each value to the values it may reach", path)
    by_text = {str(v): v for v in domain.values}
    out: dict[Any, tuple[Any, ...]] = {}
    for key, targets in data.items():
        source = key if domain.contains(key) else by_text.get(str(key))
        if source is None:
            raise _fault(f"{key!r} is not a value of the feature", f"{path}.{key}")
        if isinstance(targets, str) or not isinstance(targets, Iterable):
            raise _fault("expected a list of values", f"{path}.{key}")
        listed = tuple(targets)
        for k, target in enumerate(listed):
            if not domain.contains(target):
                raise _fault(f"{target!r} is not a value of the feature", f"{path}.{key}[{k}]")
        out[source] = listed
    return out


# -- cross-feature constraints ----------------------------------------------------------
@dataclass(frozen=True)
class Constraint:
    """Base of the cross-feature constraints: the features it names, in order."""

    names: tuple[str, ...]
    kind: ClassVar[str] = ""

    def members(self) -> tuple[str, ...]:
        """Every feature the constraint joins (edges of the constraint graph)."""
        return self.names

    def binary_members(self) -> tuple[str, ...]:
        """The members that must have a {0, 1} domain."""
        return ()

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        """Whether moving the members from ``before`` to ``after`` satisfies it."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The constraint as JSON-ready data with its ``type``."""
        return {"type": self.kind, "names": list(self.names)}


def _level(after: Mapping[str, Fraction], names: tuple[str, ...]) -> int:
    """The position of the first 0 of a thermometer (the count of leading ones)."""
    for k, name in enumerate(names):
        if after[name] == 0:
            return k
    return len(names)


def _moves_as(direction: int, old: int, new: int) -> bool:
    return direction == 0 or (new - old) * direction >= 0


@dataclass(frozen=True)
class OneHotEncoding(Constraint):
    """Binary dummies of one categorical variable: exactly ``limit`` of them are 1
    (``limit_type="equal"``) or at most ``limit`` (``"max"``)."""

    limit: int = 1
    limit_type: str = "equal"
    kind: ClassVar[str] = "OneHotEncoding"

    def binary_members(self) -> tuple[str, ...]:
        return self.names

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        total = sum(after[n] for n in self.names)
        return total == self.limit if self.limit_type == "equal" else total <= self.limit

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "limit": self.limit, "limit_type": self.limit_type}


@dataclass(frozen=True)
class OrdinalEncoding(Constraint):
    """Binary dummies of one ordered variable, one per level in order: one of them is 1
    (``exhaustive``; else at most one, all 0 being the level below the first). With
    ``step_direction`` ±1 the level may only rise (fall)."""

    exhaustive: bool = True
    step_direction: int = 0
    kind: ClassVar[str] = "OrdinalEncoding"

    def binary_members(self) -> tuple[str, ...]:
        return self.names

    def _levels(self, state: Mapping[str, Fraction]) -> int | None:
        on = [k for k, n in enumerate(self.names) if state[n] == 1]
        if len(on) > 1 or (self.exhaustive and not on):
            return None
        return on[0] + 1 if on else 0

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        new, old = self._levels(after), self._levels(before)
        if new is None:
            return False
        return old is None or _moves_as(self.step_direction, old, new)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "exhaustive": self.exhaustive,
                "step_direction": self.step_direction}  # fmt: skip


@dataclass(frozen=True)
class ThermometerEncoding(Constraint):
    """Binary dummies 1[v ≥ t_1], 1[v ≥ t_2], … of one ordered variable: a valid state is
    ones then zeros. With ``step_direction`` ±1 the count of ones may only rise (fall)."""

    step_direction: int = 0
    kind: ClassVar[str] = "ThermometerEncoding"

    def binary_members(self) -> tuple[str, ...]:
        return self.names

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        level = _level(after, self.names)
        if any(after[n] != 0 for n in self.names[level:]):
            return False
        return _moves_as(self.step_direction, _level(before, self.names), level)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "step_direction": self.step_direction}


@dataclass(frozen=True)
class DirectionalLinkage(Constraint):
    """Moving ``names[0]`` (the source) by a moves each target ``names[k]`` by
    ``scales[k-1]``·a, on top of whatever the target's own action does — also an
    immutable target, such as age moving with years of experience. With ``keep_bounds``
    a target moved this way must stay inside its own ``lb``/``ub``."""

    scales: tuple[Fraction, ...] = ()
    keep_bounds: bool = True
    kind: ClassVar[str] = "DirectionalLinkage"

    @property
    def source(self) -> str:
        return self.names[0]

    @property
    def targets(self) -> tuple[str, ...]:
        return self.names[1:]

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        return True  # the linkage acts through each target's own change (ActionSet.own_change)

    def to_dict(self) -> dict[str, Any]:
        scales = [int(s) if s.denominator == 1 else float(s) for s in self.scales]
        return {**super().to_dict(), "scales": scales, "keep_bounds": self.keep_bounds}


def _compare(value: Fraction, sense: str, level: Fraction) -> bool:
    if sense == ">=":
        return value >= level
    if sense == "<=":
        return value <= level
    return value == level


@dataclass(frozen=True)
class IfThenConstraint(Constraint):
    """A plain implication on the point reached: if its ``if_[0]`` value meets
    ``if_[1:]`` (say ``(">=", 5)``) then its ``then[0]`` value meets ``then[1:]``."""

    if_: tuple[str, str, Fraction] = ("", ">=", Fraction(0))
    then: tuple[str, str, Fraction] = ("", "==", Fraction(0))
    kind: ClassVar[str] = "IfThenConstraint"

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        name, sense, level = self.if_
        if not _compare(after[name], sense, level):
            return True
        name, sense, level = self.then
        return _compare(after[name], sense, level)

    def to_dict(self) -> dict[str, Any]:
        def side(c: tuple[str, str, Fraction]) -> list[Any]:
            return [c[0], c[1], int(c[2]) if c[2].denominator == 1 else float(c[2])]

        return {"type": self.kind, "if": side(self.if_), "then": side(self.then)}


@dataclass(frozen=True)
class MutabilitySwitch(Constraint):
    """A binary ``names[0]`` (the switch) gates the others (the targets): they may move
    only when the switch reads ``on_value`` after the action. With
    ``force_change_when_off``, turning an off switch on requires some target to move."""

    on_value: int = 1
    force_change_when_off: bool = True
    kind: ClassVar[str] = "MutabilitySwitch"

    def binary_members(self) -> tuple[str, ...]:
        return self.names[:1]

    def holds(self, before: Mapping[str, Fraction], after: Mapping[str, Fraction]) -> bool:
        switch, targets = self.names[0], self.names[1:]
        moved = any(after[t] != before[t] for t in targets)
        if after[switch] != self.on_value:
            return not moved
        turned_on = before[switch] != self.on_value
        return moved or not (turned_on and self.force_change_when_off)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "on_value": self.on_value,
                "force_change_when_off": self.force_change_when_off}  # fmt: skip


Constraints: TypeAlias = tuple[Constraint, ...]


def _names(data: Any, path: str, at_least: int) -> tuple[str, ...]:
    if isinstance(data, str) or not isinstance(data, Sequence):
        raise _fault("expected a list of feature names", path)
    names = tuple(data)
    if len(names) < at_least:
        raise _fault(f"needs at least {at_least} feature names, got {len(names)}", path)
    if len(set(names)) != len(names):
        raise _fault("a feature is named twice", path)
    return names


def _condition(data: Any, path: str, senses: tuple[str, ...]) -> tuple[str, str, Fraction]:
    if isinstance(data, str) or not isinstance(data, Sequence) or len(data) != 3:
        raise _fault("expected [feature, sense, value]", path)
    name, sense, value = data
    if sense not in senses:
        raise _fault(f"sense must be one of {senses}, got {sense!r}", f"{path}[1]")
    number = _number(value, f"{path}[2]")
    assert number is not None
    return str(name), sense, number


def _flag(data: Mapping[str, Any], key: str, default: bool, path: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise _fault(f"{key} must be true or false, got {value!r}", f"{path}.{key}")
    return value


def _constraint(data: Any, path: str) -> Constraint:
    if isinstance(data, Constraint):
        data = data.to_dict()
    if not isinstance(data, Mapping):
        raise _fault(f"expected a constraint mapping, got {type(data).__name__}", path)
    kind = data.get("type")
    if kind == "IfThenConstraint":
        condition = _condition(data.get("if"), f"{path}.if", _SENSES["if"])
        result = _condition(data.get("then"), f"{path}.then", _SENSES["then"])
        if condition[0] == result[0]:
            raise _fault("the condition and the consequence name the same feature", path)
        return IfThenConstraint((condition[0], result[0]), condition, result)
    builders = {"OneHotEncoding": _one_hot, "OrdinalEncoding": _ordinal,
                "ThermometerEncoding": _thermometer, "DirectionalLinkage": _linkage,
                "MutabilitySwitch": _switch}  # fmt: skip
    if kind not in builders:
        known = sorted([*builders, "IfThenConstraint"])
        raise _fault(f"unknown constraint type {kind!r} (known: {known})", f"{path}.type")
    return builders[kind](data, path)


def _one_hot(data: Mapping[str, Any], path: str) -> Constraint:
    names = _names(data.get("names"), f"{path}.names", 2)
    limit, limit_type = data.get("limit", 1), data.get("limit_type", "equal")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= len(names):
        raise _fault(f"limit must be an int in [0, {len(names)}], got {limit!r}", f"{path}.limit")
    if limit_type not in ("equal", "max"):
        raise _fault(f"limit_type must be 'equal' or 'max', got {limit_type!r}",
                     f"{path}.limit_type")  # fmt: skip
    return OneHotEncoding(names, limit, limit_type)


def _ordinal(data: Mapping[str, Any], path: str) -> Constraint:
    names = _names(data.get("names"), f"{path}.names", 2)
    direction = _direction(data.get("step_direction", 0), f"{path}.step_direction")
    return OrdinalEncoding(names, _flag(data, "exhaustive", True, path), direction)


def _thermometer(data: Mapping[str, Any], path: str) -> Constraint:
    names = _names(data.get("names"), f"{path}.names", 2)
    return ThermometerEncoding(names, _direction(data.get("step_direction", 0),
                                                 f"{path}.step_direction"))  # fmt: skip


def _linkage(data: Mapping[str, Any], path: str) -> Constraint:
    names = _names(data.get("names"), f"{path}.names", 2)
    raw = data.get("scales", [1] * (len(names) - 1))
    if isinstance(raw, str) or not isinstance(raw, Sequence) or len(raw) != len(names) - 1:
        raise _fault(f"needs one scale per target ({len(names) - 1})", f"{path}.scales")
    scales = tuple(_number(s, f"{path}.scales[{k}]") for k, s in enumerate(raw))
    return DirectionalLinkage(names, scales, _flag(data, "keep_bounds", True, path))  # type: ignore[arg-type]


def _switch(data: Mapping[str, Any], path: str) -> Constraint:
    names = _names(data.get("names"), f"{path}.names", 2)
    on = data.get("on_value", 1)
    if on not in (0, 1) or isinstance(on, bool):
        raise _fault(f"on_value must be 0 or 1, got {on!r}", f"{path}.on_value")
    return MutabilitySwitch(names, int(on), _flag(data, "force_change_when_off", True, path))


# -- the action set ----------------------------------------------------------------------
@dataclass(frozen=True)
class ActionSet:
    """Per-feature action elements and cross-feature constraints for one model's features.

    Build one with :meth:`from_gam` (every feature actionable within its domain), with
    :meth:`from_data` (bounds from observed data), or from a file with
    :func:`load_actions`; refine it with :meth:`with_features` and
    :meth:`with_constraints`. Every builder validates.

    Attributes
    ----------
    names : tuple of str
        The model's feature names, in order.
    domains : tuple of Domain
        The model's feature domains.
    features : tuple of FeatureAction
        One per feature.
    constraints : tuple of Constraint
    components : tuple of tuple of int
        The connected components of the constraint graph (feature positions, in order);
        a feature no constraint names is its own component.
    """

    names: tuple[str, ...]
    domains: tuple[Domain, ...]
    features: tuple[FeatureAction, ...]
    constraints: Constraints = ()
    components: tuple[tuple[int, ...], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        _check_constraints(self)
        object.__setattr__(self, "components", _components(self))

    # -- builders ----------------------------------------------------------------------
    @classmethod
    def from_gam(cls, gam: Any, **elements: Any) -> ActionSet:
        """Every feature actionable in both directions within its domain.

        ``elements`` maps a feature name to its elements (a mapping or a
        :class:`FeatureAction`), as in an action-set file.
        """
        names = tuple(f.name for f in gam.features)
        domains = tuple(f.domain for f in gam.features)
        base = cls(names, domains, tuple(FeatureAction() for _ in names))
        return base.with_features(elements) if elements else base

    @classmethod
    def from_data(cls, gam: Any, X: Any, **elements: Any) -> ActionSet:
        """As :meth:`from_gam`, with each numeric feature's bounds the range of ``X``'s
        column (rows of the model's features, as :meth:`GAM.decision_function` takes)."""
        base = cls.from_gam(gam)
        model = gam.scores[0] if gam.task.kind == "multiclass" else gam  # shared features
        columns = model._columns(model._rows(X))[0]
        bounds: dict[str, Any] = {}
        for name, domain, column in zip(base.names, base.domains, columns, strict=True):
            if isinstance(domain, Finite) and not domain.is_numeric:
                continue
            values = [Fraction(v) for v in column]
            bounds[name] = {"lb": min(values), "ub": max(values)}
        return base.with_features({**bounds, **elements})

    def with_features(self, elements: Mapping[str, Any]) -> ActionSet:
        """A copy with the named features' elements replaced (validated)."""
        features = list(self.features)
        for name, data in elements.items():
            k = self._position(name, f"features.{name}")
            features[k] = _feature_action(data, self.domains[k], f"features.{name}")
        return ActionSet(self.names, self.domains, tuple(features), self.constraints)

    def with_constraints(self, *constraints: Any) -> ActionSet:
        """A copy with ``constraints`` (objects or mappings) added (validated)."""
        start = len(self.constraints)
        built = tuple(
            _constraint(c, f"constraints[{start + k}]") for k, c in enumerate(constraints)
        )
        return ActionSet(self.names, self.domains, self.features, self.constraints + built)

    @classmethod
    def from_dict(cls, gam: Any, data: Any) -> ActionSet:
        """An action set from the data of an action-set file (see :func:`load_actions`)."""
        if not isinstance(data, Mapping):
            raise _fault("an action-set file holds a JSON object", "$")
        if data.get("format", ACTIONS_FORMAT) != ACTIONS_FORMAT:
            raise _fault(f"format must be {ACTIONS_FORMAT!r}, got {data.get('format')!r}",
                         "format")  # fmt: skip
        for key in data:
            if key not in ("format", "features", "constraints"):
                raise _fault(f"unknown key {key!r}", key)
        features = data.get("features", {})
        if not isinstance(features, Mapping):
            raise _fault("expected a mapping from feature name to elements", "features")
        constraints = data.get("constraints", [])
        if isinstance(constraints, str) or not isinstance(constraints, Sequence):
            raise _fault("expected a list of constraints", "constraints")
        return cls.from_gam(gam).with_features(features).with_constraints(*constraints)

    def to_dict(self) -> dict[str, Any]:
        """The action set as the data of an action-set file."""
        return {
            "format": ACTIONS_FORMAT,
            "features": {n: a.to_dict() for n, a in zip(self.names, self.features, strict=True)},
            "constraints": [c.to_dict() for c in self.constraints],
        }

    # -- reading -----------------------------------------------------------------------
    def _position(self, name: Any, path: str) -> int:
        if name not in self.names:
            raise _fault(f"{name!r} is not a feature of the model", path)
        return self.names.index(name)

    def component_of(self, feature: int) -> tuple[int, ...]:
        """The component holding feature position ``feature``."""
        return next(c for c in self.components if feature in c)

    def check_instance(self, instance: Sequence[Any]) -> None:
        """Raise :class:`InvalidInstanceError` when ``instance`` breaks an encoding (an
        encoding describes the data, so every instance must satisfy it)."""
        state = {n: _as_number(v) for n, v in zip(self.names, instance, strict=True)}
        for k, c in enumerate(self.constraints):
            encoding = isinstance(c, OneHotEncoding | OrdinalEncoding | ThermometerEncoding)
            if encoding and not c.holds(state, state):
                raise InvalidInstanceError(
                    f"the instance breaks constraints[{k}] ({c.kind} of {list(c.names)})"
                )

    @cached_property
    def _links(self) -> dict[int, tuple[tuple[str, Fraction], ...]]:
        """Per linkage target, its (source, scale) pairs."""
        links: dict[int, list[tuple[str, Fraction]]] = {}
        for c in self.constraints:
            if isinstance(c, DirectionalLinkage):
                for name, scale in zip(c.targets, c.scales, strict=True):
                    links.setdefault(self.names.index(name), []).append((c.source, scale))
        return {k: tuple(v) for k, v in links.items()}

    @cached_property
    def _component_constraints(self) -> tuple[tuple[Constraint, ...], ...]:
        """Per component, the constraints among its members."""
        return tuple(
            tuple(c for c in self.constraints if self.names.index(c.names[0]) in members)
            for members in self.components
        )

    def linked_change(self, feature: int, before: Mapping[str, Fraction],
                      after: Mapping[str, Fraction]) -> Fraction:  # fmt: skip
        """The change of ``feature`` that linkages impose from their sources' moves."""
        total = Fraction(0)
        for source, scale in self._links.get(feature, ()):
            total += scale * (after[source] - before[source])
        return total

    def own_move_allowed(self, feature: int, old: Any, new: Any) -> bool:
        """Whether the feature's own action may take it from ``old`` to ``new`` (ignoring
        its bounds, which :meth:`in_bounds` checks): staying is always allowed."""
        if old == new:
            return True
        action, domain = self.features[feature], self.domains[feature]
        if not action.actionable:
            return False
        if action.reachable is not None and new not in action.reachable.get(old, ()):
            return False
        if isinstance(domain, Finite) and not domain.is_numeric:
            rank = domain.values.index(new) - domain.values.index(old)
            return action.step_direction == 0 or rank * action.step_direction > 0
        step = _as_number(new) - _as_number(old)
        if action.step_direction and step * action.step_direction < 0:
            return False
        if action.step_lb is not None and step < action.step_lb:
            return False
        return action.step_ub is None or step <= action.step_ub

    def in_bounds(self, feature: int, value: Any) -> bool:
        """Whether ``value`` keeps the feature's ``lb``/``ub``."""
        action = self.features[feature]
        if action.lb is None and action.ub is None:
            return True
        number = _as_number(value)
        return (action.lb is None or number >= action.lb) and (
            action.ub is None or number <= action.ub
        )

    def admits(self, before: Sequence[Any], after: Sequence[Any]) -> bool:
        """Whether one joint action takes the point ``before`` to the point ``after``.

        The definition every algorithm and check is held to: each moved feature's own
        change (its change minus what linkages impose) is allowed, each moved value keeps
        its bounds (a linkage target without ``keep_bounds`` keeps only its domain), and
        every constraint of a component that moves holds. Staying put is always admitted,
        so R(x) is the product of the components' reachable sets.
        """
        moved = [k for k, members in enumerate(self.components)
                 if any(before[i] != after[i] for i in members)]  # fmt: skip
        return all(self.admits_on(k, before, after) for k in moved)

    def admits_on(self, component: int, before: Sequence[Any], after: Sequence[Any]) -> bool:
        """:meth:`admits` restricted to one component (index into ``components``), whose
        members move from their values in ``before`` to those in ``after``."""
        members = self.components[component]
        numeric = _numeric_state(self, before, members), _numeric_state(self, after, members)
        for i in members:
            if not self._moves_ok(i, before[i], after[i], numeric):
                return False
        return all(c.holds(*numeric) for c in self._component_constraints[component])

    def _moves_ok(self, i: int, old: Any, new: Any, numeric: tuple[Any, Any]) -> bool:
        """Whether feature i's change is its own allowed move plus what linkages impose."""
        linked = self.linked_change(i, *numeric) if i in self._links else 0
        if old == new and not linked:
            return True
        own = new if not linked else _shift(new, -linked)
        if not self.own_move_allowed(i, old, own):
            return False
        out_of_bounds = new != old and not self.in_bounds(i, new)
        return not (out_of_bounds and (own != old or self._keeps_bounds(i)))

    def _keeps_bounds(self, feature: int) -> bool:
        name = self.names[feature]
        return any(c.keep_bounds for c in self.constraints
                   if isinstance(c, DirectionalLinkage) and name in c.targets)  # fmt: skip


def _shift(value: Any, delta: Fraction | int) -> Fraction:
    return _as_number(value) + delta


def _as_number(value: Any) -> Fraction | Any:
    """A label, an int, a rational or an algebraic number (a sympy expression, such as a
    witness at an irrational maximum) as itself; a float as the rational it denotes."""
    if isinstance(value, float):
        return Fraction(value)
    return value


def _numeric_state(
    actions: ActionSet, point: Sequence[Any], members: Sequence[int]
) -> dict[str, Any]:
    return {actions.names[i]: _as_number(point[i]) for i in members}


def _check_constraints(actions: ActionSet) -> None:
    if len(actions.features) != len(actions.names):
        raise _fault("one element per feature", "features")
    for k, c in enumerate(actions.constraints):
        path = f"constraints[{k}]"
        for j, name in enumerate(c.members()):
            i = actions._position(name, f"{path}.names[{j}]")
            domain = actions.domains[i]
            if isinstance(domain, Finite) and not domain.is_numeric:
                raise _fault(f"{name!r} has labels; constraints need numeric features",
                             f"{path}.names[{j}]")  # fmt: skip
            if name in c.binary_members() and not _binary(domain):
                raise _fault(f"{name!r} must be a 0/1 feature in a {c.kind}",
                             f"{path}.names[{j}]")  # fmt: skip
        if isinstance(c, DirectionalLinkage):
            for j, name in enumerate(c.targets):
                if isinstance(actions.domains[actions.names.index(name)], Interval) != isinstance(
                    actions.domains[actions.names.index(c.source)], Interval
                ):
                    raise _fault("a linkage joins features of the same kind (all discrete "
                                 "or all continuous)", f"{path}.names[{j + 1}]")  # fmt: skip
    _check_acyclic(actions)


def _binary(domain: Domain) -> bool:
    if isinstance(domain, Integers):
        return domain.low >= 0 and domain.high <= 1
    if isinstance(domain, Finite):
        return set(domain.values) <= {0, 1}
    return False


def _check_acyclic(actions: ActionSet) -> None:
    import networkx as nx

    graph = nx.DiGraph()
    for k, c in enumerate(actions.constraints):
        if isinstance(c, DirectionalLinkage):
            graph.add_edges_from((c.source, t, {"at": k}) for t in c.targets)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    places = sorted({graph.edges[u, v]["at"] for u, v in cycle})
    loop = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
    raise _fault(f"circular linkage {loop}", f"constraints[{places[0]}]")


def _components(actions: ActionSet) -> tuple[tuple[int, ...], ...]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(actions.names)))
    for c in actions.constraints:
        members = [actions.names.index(n) for n in c.members()]
        graph.add_edges_from((members[0], m) for m in members[1:])
    return tuple(sorted(tuple(sorted(c)) for c in nx.connected_components(graph)))


# -- files -------------------------------------------------------------------------------
def load_actions(path: str | Path, gam: Any) -> ActionSet:
    """Read an action-set file (JSON data only) for ``gam``'s features.

    The file is ``{"format": "gamexplain-actions/1", "features": {name: elements},
    "constraints": [{"type": ..., ...}]}``; see ``docs/responsiveness.md``.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidParameterError(f"cannot read the action-set file {path}: {error}") from error
    return ActionSet.from_dict(gam, data)


def dump_actions(actions: ActionSet, path: str | Path) -> None:
    """Write ``actions`` as an action-set file that :func:`load_actions` reads back."""
    Path(path).write_text(json.dumps(actions.to_dict(), indent=2), encoding="utf-8")
