"""Minimum recourse under an action set: a contrastive reason that respects the actions.

A plain minimum contrastive reason lets the changed features take any value of their
domains. Under an action set (:class:`~gamexplain.model.actions.ActionSet`, after Cheon
et al., ICLR 2025) a change must be one feasible joint action per component: bounds,
directions, step sizes, encodings, linkages, implications and switches all hold, and the
features outside the changed components stay at x. :func:`minimum_recourse` returns the
fewest features such an action changes to reach the target (the class opposite the
prediction by default), with the point it reaches; ``minimum_contrastive_reason(gam, x,
actions=...)`` answers through it.

A multiclass model takes a class as its target (default: any class other than the
predicted one), answered by :mod:`gamexplain.algorithms.multiclass_recourse`.

Extension points: many rows run this per row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gamexplain import certify
from gamexplain.algorithms.recourse import Plan
from gamexplain.certify.multiclass import digest as multiclass_digest
from gamexplain.certify.multiclass_recourse import check_class_recourse
from gamexplain.certify.recourse import check_recourse
from gamexplain.exact import to_float
from gamexplain.model.actions import ActionSet
from gamexplain.model.gam import GAM
from gamexplain.queries.parameters import validate
from gamexplain.queries.responsiveness import (
    DEFAULT_MAX_STATES,
    Clock,
    natural_point,
    resolve_target,
)
from gamexplain.results import Result, Stats
from gamexplain.substrate.reach import ClassTarget, Target

__all__ = [
    "DEFAULT_RECOURSE_STATES",
    "RecourseCertificate",
    "RecourseResult",
    "minimum_recourse",
    "recourse_for",
]

DEFAULT_RECOURSE_STATES = DEFAULT_MAX_STATES
"""Joint points a component may enumerate before the size becomes an upper bound."""


@dataclass(frozen=True)
class RecourseCertificate:
    """What the check reads besides the result: the target condition, the features held
    fixed (positions) and the digest of the model asked. Minimality is re-derived, not
    read: the check recomputes every component's best move per cost on its own."""

    target: Target | ClassTarget
    fixed: frozenset[int]
    model: str
    box: Any = None


@dataclass(frozen=True, kw_only=True)
class RecourseResult(Result):
    """The fewest features one feasible action changes to reach the target.

    Attributes
    ----------
    features : tuple of str or None
        The features the witness changes (None when no point of R(x) reaches the target,
        i.e. the prediction is fixed, or when the run stopped before finding one).
    size : int or None
        ``len(features)``: minimum when ``exact``, an upper bound otherwise.
    witness : tuple or None
        The point reached: in R(x), meeting the target.
    target : str
        The target condition, e.g. ``score < 0``.
    instance : tuple
    actions : ActionSet
    """

    features: tuple[str, ...] | None
    size: int | None
    witness: tuple[Any, ...] | None
    target: str
    instance: tuple[Any, ...]
    actions: ActionSet

    def __str__(self) -> str:
        if self.size is None:
            if self.status == "solved":
                return f"no feasible action reaches {self.target}: the prediction is fixed"
            return f"no recourse found before the run stopped ({self.status}): {self.message}"
        if self.size == 0:
            return f"x already reaches {self.target}: no change is needed"
        names = self.actions.names
        changes = ", ".join(
            f"{names[j]} {_show(self.instance[j])} -> {_show(self.witness[j])}"
            for j in range(len(names)) if self.witness is not None
            and self.witness[j] != self.instance[j]
        )  # fmt: skip
        bound = "" if self.exact else " (an upper bound: the run stopped early)"
        plural = "s" if self.size != 1 else ""
        return (f"changing {self.size} feature{plural}{bound} by one feasible action reaches "
                f"{self.target}: {changes}")  # fmt: skip

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Re-check the witness exactly and re-derive minimality (see
        :func:`gamexplain.certify.recourse.check_recourse`)."""
        if gam.task.kind == "multiclass":
            return check_class_recourse(self, gam)
        return check_recourse(self, gam)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else f"{to_float(value):g}"


def _digest(gam: Any) -> str:
    if gam.task.kind == "multiclass":
        return multiclass_digest(gam)
    return certify.model_digest(gam)


def _describe(gam: Any, target: Target | ClassTarget) -> str:
    if isinstance(target, ClassTarget):
        label = gam.classes[target.wins]
        return f"a class other than {label}" if target.negate else f"class {label}"
    return f"score {target.sense} {to_float(target.level):.6g}"


def recourse_for(
    gam: GAM, x: Any, actions: ActionSet, target: Any, fixed: frozenset[int], method: str,
    max_states: int, time_limit: float | None,
) -> RecourseResult:  # fmt: skip
    """The query on already validated options (``minimum_contrastive_reason`` calls it)."""
    instance = gam.instance(x)
    actions.check_instance(instance)
    goal = resolve_target(gam, instance, target)
    started = time.perf_counter()
    clock = Clock("minimum_recourse", time_limit)
    covering = gam.covering(instance)
    selection = clock.select(covering, "recourse", method,
                             {"actions": actions, "x": instance,
                              "max_states": max_states, "target": goal})  # fmt: skip
    for spec in selection.candidates:
        plan: Plan = spec.func(covering, instance, actions, goal, fixed=fixed,
                               max_states=max_states, time_limit=clock.left())  # fmt: skip
        if plan.status not in spec.fallback_on:
            break
    witness = plan.witness
    changed = None if witness is None else tuple(
        actions.names[j] for j in range(len(instance)) if witness[j] != instance[j]
    )  # fmt: skip
    exact = plan.status == "solved"
    stopped = ("a component had more joint points than max_states, or the time limit "
               "passed: ")  # fmt: skip
    message = "" if exact else stopped + (
        "whether any feasible action reaches the target is undecided" if witness is None
        else "the size is an upper bound, not a minimum"
    )  # fmt: skip
    return RecourseResult(
        features=changed,
        size=plan.size,
        witness=natural_point(witness, actions),
        target=_describe(gam, goal),
        instance=instance,
        actions=actions,
        exact=exact,
        algorithm=spec.name,
        cell=str(selection.entry.cell),
        certificate=RecourseCertificate(goal, fixed, _digest(gam), plan.proof),
        status=plan.status,  # type: ignore[arg-type]
        message=message,
        stats=Stats(seconds=time.perf_counter() - started, work={"points": plan.examined}),
    )


def minimum_recourse(
    gam: GAM,
    x: Any,
    actions: Any,
    *,
    target: Any = None,
    fixed: Any = (),
    method: str = "auto",
    max_states: int = DEFAULT_RECOURSE_STATES,
    time_limit: float | None = None,
) -> RecourseResult:
    """The fewest features one feasible action of ``actions`` changes to reach the target.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        The instance.
    actions : ActionSet, mapping, path or None
        The action set; None makes every feature actionable within its domain (then the
        answer is the plain minimum contrastive reason's size).
    target : None, 0, 1, a class label or (sense, value)
        As in :func:`~gamexplain.queries.responsiveness.responsiveness_scores`: the class
        opposite the prediction by default, a higher score for a regression; for a
        multiclass model a class label (that class wins the argmax, ties to the lowest
        index), by default any class other than the predicted one.
    fixed : feature names or positions
        Features the action may not change (on top of the action set).
    method : str
        ``"auto"``, ``"component-knapsack"``, ``"pair-box"`` or ``"joint-enumeration"``;
        for a multiclass model ``"class-frontier"`` or ``"class-joint-enumeration"``.
    max_states : int
        Joint points one component (or, for the joint enumeration, R(x)) may take before
        the answer becomes an upper bound.
    time_limit : float, optional

    Returns
    -------
    RecourseResult

    Notes
    -----
    A point's cost is the number of features it changes. Without pair terms across
    components the score separates, so each component's best change per cost (the exact
    extreme of a separable feature's contribution over its reachable range; an
    enumeration of the joint points of any other component, its one continuous member,
    if any, cut into points and open gaps at the constants the constraints name) and a
    group knapsack over the components give the minimum in O(Σ_P V_P + m·n²) for V_P joint points of
    component P (``thm:recourse-knapsack``). Pair terms across components: when every
    component is one feature R(x) is a box, and the minimum recourse is the minimum
    contrastive reason of the model cut to that box, found by branch and bound over
    sizes and certified by its size proof (``thm:recourse-pair-box``); other action
    sets fall back to enumerating R(x) (``thm:recourse-brute``). Multiclass: the
    components' Pareto frontiers of K − 1 class-margin changes per cost and a vector
    group knapsack (``thm:multiclass-recourse``), pseudo-polynomial in the frontier
    sizes, which ``max_states`` bounds. The minimum contrastive reason is
    NP-hard already with free binary features and pair terms (``thm:pairs-conp``), so
    the enumeration is exponential in the worst case.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Integers, Piecewise, Classification
    >>> from gamexplain import ActionSet, minimum_recourse
    >>> gam = GAM([Feature("a", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]])),
    ...            Feature("b", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]]))],
    ...           intercept=0.5, task=Classification(0.0))
    >>> actions = ActionSet.from_gam(gam, a={"step_ub": 1})  # a moves by one at most
    >>> minimum_recourse(gam, [0, 0], actions).features
    ('b',)
    """
    options = validate("minimum_recourse", gam, actions=actions, target=target, fixed=fixed,
                       method=method, max_states=max_states, time_limit=time_limit)  # fmt: skip
    return recourse_for(gam, x, options["actions"], options["target"], options["fixed"],
                        method, max_states, options["time_limit"])  # fmt: skip
