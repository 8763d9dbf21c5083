"""Responsiveness scores and fixed predictions under an action set.

After Cheon, Wernerfelt, Friedler and Ustun, *Feature Responsiveness Scores:
Model-Agnostic Explanations for Recourse* (ICLR 2025). For feature j of component P of
the action set, R_j(x) is every point reachable from x by one feasible joint action on P
that moves j; its responsiveness μ_j(x) is the share of R_j(x) (counted on discrete
features, measured by length on a separable continuous one) whose score meets the
target. The prediction is *fixed* when no point of R(x) = ∏_P R_P(x) meets it — which
μ_j = 0 for every j does not imply. Semantics and defaults: ``docs/responsiveness.md``.

On a multiclass model the target is a class (:class:`ClassTarget`): by default "a class
other than the predicted one wins" (``thm:multiclass-resp``).

Extension point: batches of rows call :func:`responsiveness_scores` per row and
may share the per-component counts of rows that agree on a component's features (the
counts depend on x only through those features and the rest of the score).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain import certify
from gamexplain.algorithms.responsiveness import NOT_MEASURED, Tally
from gamexplain.certify.attributions import round_down, round_up
from gamexplain.certify.multiclass import digest as multiclass_digest
from gamexplain.certify.multiclass_responsiveness import (
    check_multiclass_fixed,
    check_multiclass_responsiveness,
)
from gamexplain.certify.responsiveness import check_fixed, check_responsiveness
from gamexplain.complexity.registry import select_algorithm
from gamexplain.errors import TimeLimitError, UnsupportedQueryError
from gamexplain.exact import Exact, to_float
from gamexplain.model.actions import ActionSet
from gamexplain.model.gam import GAM
from gamexplain.model.task import Classification
from gamexplain.queries.parameters import validate
from gamexplain.results import DecisionResult, Result, Stats
from gamexplain.substrate import deadline
from gamexplain.substrate.reach import ClassTarget, Target

__all__ = [
    "DEFAULT_MAX_STATES",
    "FixedResult",
    "ResponsivenessCertificate",
    "ResponsivenessResult",
    "is_fixed",
    "natural_point",
    "resolve_target",
    "responsiveness_scores",
]

DEFAULT_MAX_STATES = 1_000_000
"""Joint points a component may enumerate before the answer becomes bounds."""

_BOUNDS = ("a component had more joint points than max_states, or the time limit passed: "
           "its features' scores are certified bounds")  # fmt: skip
_UNDECIDED = ("a component had more joint points than max_states, or the time limit passed, "
              "before a reachable point met the target or every one was ruled out")  # fmt: skip


_LATE = ("the time limit passed before it was decided whether the prediction is fixed; "
         "every score is exact")


def _stopped(tally: Tally) -> str:
    """Why the scores are bounds: which components the time limit left unmeasured."""
    left = sum(NOT_MEASURED in c.measures for c in tally.counts)
    if not left:
        return _BOUNDS
    return (f"the time limit passed with {left} of {len(tally.counts)} components not "
            f"measured: their features show measure {NOT_MEASURED!r} and bounds [0, 1]; "
            "every other score is exact or a certified bound")  # fmt: skip


def _counted(tally: Tally) -> bool:
    """Whether every component was counted in full (only "fixed" is left open)."""
    return all(c.unseen == 0 for c in tally.counts)


@dataclass(frozen=True)
class ResponsivenessCertificate:
    """What the check re-derives the answer from: the target, the action set and, per
    component, the counts the algorithm claims (``counts``, of
    :class:`~gamexplain.algorithms.responsiveness.Count`), the decision on R(x) and the
    digest of the model asked; ``box``, when pair terms join single-feature components
    and no point reaches, the pair worst case over the reachable box (a
    :class:`~gamexplain.algorithms.pairwise.PairWorstCase`)."""

    target: Target | ClassTarget
    actions: ActionSet
    counts: tuple[Any, ...]
    reaches: bool | None
    witness: tuple[Any, ...] | None
    model: str
    box: Any = None


def resolve_target(gam: GAM, instance: tuple[Any, ...], target: Any) -> Target | ClassTarget:
    """The target condition on the exact score.

    Classification: a class c means "the label is c"; the default is the class opposite
    the prediction. Regression: ``(sense, value)``; the default ``(">", f(x))`` asks for
    a higher prediction. A ``(sense, value)`` pair is taken for either task. Multiclass:
    a class label means "that class wins the argmax" (ties to the lowest index); the
    default is "some class other than the predicted one wins" (the prediction changes),
    which is what the binary default, the opposite class, says for K = 2.
    """
    if gam.task.kind == "multiclass":
        model: Any = gam
        predicted = model.predict_index(instance)
        if target is None:
            return ClassTarget(predicted, negate=True)
        return ClassTarget(model.class_index(target))
    if isinstance(target, tuple):
        return Target(target[0], Fraction(target[1]))
    if gam.task.kind == "regression":
        return Target(">", gam.score_exact(instance))
    task = gam.task
    assert isinstance(task, Classification)
    wanted = 1 - task.label_exact(gam.score_exact(instance)) if target is None else target
    threshold = Fraction(task.threshold)
    if wanted == 1:
        return Target(task.positive, threshold)
    return Target("<" if task.positive == ">=" else "<=", threshold)


def _digest(gam: Any) -> str:
    """The model's digest (a multiclass model's joins its classes' digests)."""
    if gam.task.kind == "multiclass":
        return multiclass_digest(gam)
    return certify.model_digest(gam)


def natural_point(point: tuple[Any, ...] | None, actions: ActionSet) -> tuple[Any, ...] | None:
    """A witness with integers as ints and rationals that are floats as floats."""
    if point is None:
        return None
    out = []
    for value, domain in zip(point, actions.domains, strict=True):
        if isinstance(value, Fraction):
            if value.denominator == 1 and domain.kind != "interval":
                value = int(value)
            elif Fraction(float(value)) == value:
                value = float(value)
        out.append(value)
    return tuple(out)


def _describe(target: Target | ClassTarget, gam: Any = None) -> str:
    if isinstance(target, ClassTarget):
        label = gam.classes[target.wins]
        return f"a class other than {label}" if target.negate else f"class {label}"
    return f"score {target.sense} {to_float(target.level):.6g}"


@dataclass(frozen=True, kw_only=True)
class ResponsivenessResult(Result):
    """Per-feature responsiveness scores under an action set.

    Attributes
    ----------
    features : tuple of str
        The model's features, in order; every tuple below follows it.
    scores : tuple of float
        μ_j(x) (the midpoint of the bounds when a component ran out of budget).
    exact_scores : tuple of (Fraction or sympy number or None)
        The exact μ_j(x); None where only bounds are known.
    lower, upper : tuple of float
        Certified bounds on μ_j(x), rounded outward.
    reachable : tuple
        |R_j(x)| (a count; a length for a separable continuous feature), exact where the
        score is exact (the part counted where only bounds are known; 0 where not
        measured).
    reaching : tuple
        The part of R_j(x) that meets the target, exact where the score is exact.
    measure : tuple of str
        ``"count"``, ``"length"`` (a continuous feature alone in its component) or
        ``"count × length"`` (a component coupling one continuous feature to discrete
        ones: the count over the discrete members times the length over the continuous
        one) per feature; ``"not measured"`` where the time limit passed before its
        component was reached (its score then has bounds [0, 1] and no exact value).
    components : tuple of int
        The index (into ``actions.components``) of each feature's component.
    component_kinds : tuple of str
        ``separable``, ``encoding`` or ``coupled`` per feature.
    fixed : bool or None
        Whether no point of R(x) meets the target (None: undecided within the budget).
    target : str
        The target condition, e.g. ``score < 0``.
    instance : tuple
    actions : ActionSet
    """

    features: tuple[str, ...]
    scores: tuple[float, ...]
    exact_scores: tuple[Exact | None, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    reachable: tuple[Exact, ...]
    reaching: tuple[Exact, ...]
    measure: tuple[str, ...]
    components: tuple[int, ...]
    component_kinds: tuple[str, ...]
    fixed: bool | None
    target: str
    instance: tuple[Any, ...]
    actions: ActionSet

    @property
    def all_zero(self) -> bool:
        """Whether every score is exactly 0 (which does not make the prediction fixed)."""
        return all(s == 0 for s in self.exact_scores)

    def ranked(self) -> list[tuple[str, float]]:
        """(feature, score) from the most responsive down, ties by name; features a
        stopped run did not measure (score the midpoint of [0, 1]) come last."""
        unmeasured = {n for n, m in zip(self.features, self.measure, strict=True)
                      if m == NOT_MEASURED}  # fmt: skip
        return sorted(zip(self.features, self.scores, strict=True),
                      key=lambda p: (p[0] in unmeasured, -p[1], p[0]))  # fmt: skip

    def __str__(self) -> str:
        lines = [f"responsiveness toward {self.target}:"]
        for name, score in self.ranked():
            k = self.features.index(name)
            if self.measure[k] == NOT_MEASURED:
                lines.append(f"  {name:<24} in [{self.lower[k]:.4g}, {self.upper[k]:.4g}]   "
                             f"(not measured: the time limit passed)")  # fmt: skip
                continue
            size = to_float(self.reachable[k])
            lines.append(f"  {name:<24} {score:8.4f}   |R_j| = {size:.6g} ({self.measure[k]}, "
                         f"{self.component_kinds[k]})")  # fmt: skip
        state = {True: "fixed: no reachable point attains it",
                 False: "not fixed: some reachable point attains it",
                 None: "fixed or not: undecided within the budget"}[self.fixed]  # fmt: skip
        lines.append(f"prediction {state}")
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of the scores, most responsive first (matplotlib, the ``plot`` extra)."""
        from gamexplain.plots import responsiveness_plot

        names, values = zip(*self.ranked(), strict=True)
        return responsiveness_plot(list(names), list(values), ax=ax,
                                   title=f"responsiveness toward {self.target}")  # fmt: skip

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Re-count every component without the algorithm that ran (see
        :func:`gamexplain.certify.responsiveness.check_responsiveness`)."""
        if isinstance(self.certificate.target, ClassTarget):
            return check_multiclass_responsiveness(self, gam)
        return check_responsiveness(self, gam)


@dataclass(frozen=True, kw_only=True)
class FixedResult(DecisionResult):
    """Whether the prediction of x is fixed under an action set; truthy when fixed.

    Attributes
    ----------
    holds : bool
        True when no point of R(x) meets the target; False when one does, and also when
        the run stopped early (``status`` then says so and ``exact`` is False).
    witness : tuple or None
        A point of R(x) that meets the target, when not fixed.
    target : str
    instance : tuple
    actions : ActionSet
    """

    witness: tuple[Any, ...] | None
    target: str
    instance: tuple[Any, ...]
    actions: ActionSet

    def __str__(self) -> str:
        if self.status != "solved":
            return f"whether the prediction is fixed is undecided: {self.message}"
        if self.holds:
            return f"fixed: no point reachable under the action set has {self.target}"
        return f"not fixed: {self.witness} is reachable and has {self.target}"

    @certify.checked
    def verify(self, gam: GAM) -> bool:
        """Re-check the decision (see :func:`gamexplain.certify.responsiveness.check_fixed`)."""
        if isinstance(self.certificate.target, ClassTarget):
            return check_multiclass_fixed(self, gam)
        return check_fixed(self, gam)


def _run(
    func: str, query: str, gam: GAM, x: Any, actions: Any, target: Any, method: str,
    max_states: int, time_limit: float | None,
) -> tuple[Tally, Any, Any, tuple[Any, ...], ActionSet, Target | ClassTarget, float]:  # fmt: skip
    options = validate(func, gam, actions=actions, target=target, method=method,
                       max_states=max_states, time_limit=time_limit)  # fmt: skip
    started = time.perf_counter()
    clock = Clock(func, options["time_limit"])  # started before the exact score of x
    instance = gam.instance(x)
    action_set: ActionSet = options["actions"]
    action_set.check_instance(instance)
    goal = resolve_target(gam, instance, options["target"])
    covering = gam.covering(instance)
    selection = clock.select(covering, query, method, {"actions": action_set, "x": instance})
    for spec in selection.candidates:
        tally = spec.func(covering, instance, action_set, goal, max_states=max_states,
                          time_limit=clock.left())  # fmt: skip
        if tally.status not in spec.fallback_on:
            break
    return tally, spec, selection, instance, action_set, goal, started


class Clock:
    """One ``time_limit`` for a whole action-set query: choosing the algorithm (whose
    applicability checks may build a pair model's cell tables) and every candidate that
    runs in turn share it, instead of each candidate getting the full limit anew."""

    def __init__(self, func: str, time_limit: float | None) -> None:
        self.func, self.limit = func, time_limit
        self.instant = None if time_limit is None else time.monotonic() + time_limit

    def select(self, model: Any, query: str, method: str, options: dict[str, Any]) -> Any:
        """:func:`select_algorithm` on the clock; TimeLimitError when it runs out."""
        try:
            with deadline.limit_at(self.instant):
                return select_algorithm(model, query, method, options)
        except deadline.OutOfTime:
            raise TimeLimitError(
                f"{self.func} ran out of time ({self.limit} s) while choosing its algorithm"
            ) from None

    def left(self) -> float | None:
        """Seconds left for the next candidate (None: no limit)."""
        return None if self.instant is None else max(0.0, self.instant - time.monotonic())


def _score_bounds(total: Exact, hits: Exact, unseen: int) -> tuple[Exact, Exact]:
    size = total + unseen
    if size == 0:
        return Fraction(0), Fraction(0)
    return hits / size, (hits + unseen) / size


def responsiveness_scores(
    gam: GAM,
    x: Any,
    actions: Any,
    *,
    target: Any = None,
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
) -> ResponsivenessResult:
    """Exact responsiveness μ_j(x) of every feature under an action set.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        The instance.
    actions : ActionSet, mapping, path or None
        The action set (see :class:`~gamexplain.model.actions.ActionSet`); a mapping is
        the data of an action-set file, a ``.json`` path one to read; None makes every
        feature actionable in both directions within its domain.
    target : None, 0, 1, a class label or (sense, value)
        What counts as reaching (see :func:`resolve_target`): by default the class
        opposite the prediction, a higher score for a regression, or, on a multiclass
        model, any class other than the predicted one; a class label of a multiclass
        model asks for that class to win the argmax.
    method : {"auto", "pair-box", "coupled-last", "per-component", "brute"}
    max_states : int
        Joint points one component may enumerate before its scores become bounds.
    time_limit : float, optional
        Seconds for the whole query. The components are measured one after another on
        one clock; when it runs out the components measured so far keep their exact
        scores, the rest show measure ``"not measured"`` and bounds [0, 1], ``fixed`` is
        None unless a witness was already found, ``exact`` is False and ``status`` is
        ``"time_limit"`` (a run stops at most one component's measure past its limit).

    Returns
    -------
    ResponsivenessResult

    Notes
    -----
    A separable feature costs one level-set measure and one extremum of its contribution
    over its reachable range: O(p) exact pieces, never an iteration over an integer range
    (``thm:resp-separable``). A component of k features with at most v candidate values
    each costs O(v^k) definition checks, or O(v^(k-1)·(c + p)) when its widest member is
    an integer counted by level sets between its c critical values (``thm:resp-coupled-last``,
    so a coupled member over 2^40 integers costs microseconds per joint value of the
    others); counting the points of a linearly coupled
    component that reach a threshold is #P-hard (``thm:resp-sharp-p``). ``fixed``
    separates over components (``thm:fixed-separates``). The reference enumerates every
    component (``thm:resp-brute``). On a multiclass model a separable feature's share is
    the intersection of K − 1 rival level sets per piece, O(K·p), and "fixed" toward a
    class a Pareto frontier of the components' rival change vectors
    (``thm:multiclass-resp``).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Integers, Piecewise, Classification
    >>> from gamexplain import ActionSet, responsiveness_scores
    >>> gam = GAM([Feature("x", Integers(0, 5), Piecewise([0, 3, 5], [[-1.0], [1.0]]))],
    ...           task=Classification(0.0))
    >>> responsiveness_scores(gam, [0], ActionSet.from_gam(gam)).exact_scores
    (Fraction(3, 5),)
    """
    tally, spec, selection, instance, action_set, goal, started = _run(
        "responsiveness_scores", "responsiveness", gam, x, actions, target, method,
        max_states, time_limit,
    )  # fmt: skip
    n = len(instance)
    per: dict[int, tuple[Exact, Exact, int, int, str]] = {}
    mixed: dict[int, str] = {}
    for k, count in enumerate(tally.counts):
        for m, total, hits in zip(count.members, count.totals, count.hits, strict=True):
            per[m] = (total, hits, count.unseen, k, count.kind)
        mixed.update(zip(count.members, count.measures, strict=False))
    bounds = [_score_bounds(per[j][0], per[j][1], per[j][2]) for j in range(n)]
    exact = tally.status == "solved"
    measure = tuple(
        mixed[j] if j in mixed
        else "length" if per[j][4] == "separable" and action_set.domains[j].kind == "interval"
        and per[j][0] != 0 else "count" for j in range(n)
    )  # fmt: skip
    return ResponsivenessResult(
        features=gam.feature_names,
        scores=tuple(to_float((lo + hi) / 2) for lo, hi in bounds),
        exact_scores=tuple(lo if lo == hi else None for lo, hi in bounds),
        lower=tuple(_outward(lo, -1) for lo, _ in bounds),
        upper=tuple(_outward(hi, 1) for _, hi in bounds),
        reachable=tuple(per[j][0] for j in range(n)),
        reaching=tuple(per[j][1] for j in range(n)),
        measure=measure,
        components=tuple(per[j][3] for j in range(n)),
        component_kinds=tuple(per[j][4] for j in range(n)),
        fixed=None if tally.reach.reaches is None else not tally.reach.reaches,
        target=_describe(goal, gam),
        instance=instance,
        actions=action_set,
        exact=exact,
        algorithm=spec.name,
        cell=str(selection.entry.cell),
        certificate=ResponsivenessCertificate(
            goal,
            action_set,
            tally.counts,
            tally.reach.reaches,
            tally.reach.witness,
            _digest(gam),
            tally.reach.proof,
        ),
        status=tally.status,  # type: ignore[arg-type]
        message=tally.note if exact else _LATE if _counted(tally) else _stopped(tally),
        stats=Stats(
            seconds=time.perf_counter() - started,
            work={"points": sum(c.examined for c in tally.counts)},
        ),
    )


def _outward(value: Exact, direction: int) -> float:
    """``value`` as a float rounded outward (down for -1, up for 1)."""
    if isinstance(value, Fraction):
        return round_down(value) if direction < 0 else round_up(value)
    return math.nextafter(to_float(value), -math.inf if direction < 0 else math.inf)


def is_fixed(
    gam: GAM,
    x: Any,
    actions: Any,
    *,
    target: Any = None,
    method: str = "auto",
    max_states: int = DEFAULT_MAX_STATES,
    time_limit: float | None = None,
) -> FixedResult:
    """Whether no point reachable from x under the action set meets the target.

    Parameters are those of :func:`responsiveness_scores`.

    Returns
    -------
    FixedResult
        With a witness point when the prediction is not fixed.

    Notes
    -----
    When no pair term joins two components the best score over R(x) is score(x) plus
    each component's best change, so the decision costs one extremum per separable
    feature and one enumeration per other component (``thm:fixed-separates``); deciding
    it is coNP-complete in general (a linkage component encodes subset sum). When pair
    terms join single-feature components R(x) is a box, and the decision is the pairwise
    worst case of the reason queries over it: O(n·k^(w+1)) for k cells per paired
    feature and induced width w, or dual bounds past the state budget
    (``thm:fixed-pair-box``). Other components joined by pair terms are enumerated
    jointly.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Integers, Piecewise, Classification
    >>> from gamexplain import ActionSet, is_fixed
    >>> gam = GAM([Feature("x", Integers(0, 5), Piecewise([0, 3, 5], [[-1.0], [1.0]]))],
    ...           task=Classification(0.0))
    >>> bool(is_fixed(gam, [0], ActionSet.from_gam(gam, x={"ub": 2})))
    True
    """
    tally, spec, selection, instance, action_set, goal, started = _run(
        "is_fixed", "fixed", gam, x, actions, target, method, max_states, time_limit
    )
    if tally.note:
        raise UnsupportedQueryError(tally.note)
    reaches = tally.reach.reaches
    decided = reaches is not None
    return FixedResult(
        holds=decided and not reaches,
        witness=natural_point(tally.reach.witness, action_set),
        target=_describe(goal, gam),
        instance=instance,
        actions=action_set,
        exact=decided,
        algorithm=spec.name,
        cell=str(selection.entry.cell),
        certificate=ResponsivenessCertificate(
            goal,
            action_set,
            tally.counts,
            reaches,
            tally.reach.witness,
            _digest(gam),
            tally.reach.proof,
        ),
        status="solved" if decided else tally.status,  # type: ignore[arg-type]
        message="" if decided else _UNDECIDED,
        stats=Stats(
            seconds=time.perf_counter() - started,
            work={"points": sum(c.examined for c in tally.counts)},
        ),
    )
