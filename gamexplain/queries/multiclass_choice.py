"""Multiclass redundancy and contrastive reasons toward a target class: the questions that
compare several classes at one point.

:func:`~gamexplain.is_redundant` and :func:`~gamexplain.minimum_contrastive_reason`
(with ``target`` and no action set) hand a :class:`~gamexplain.model.multiclass.MulticlassGAM`
to the functions here. The algorithms are in
:mod:`gamexplain.algorithms.multiclass_choice`, the checks in
:mod:`gamexplain.certify.multiclass_choice`.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import Any

from gamexplain import certify
from gamexplain.algorithms.choice_system import Exhausted
from gamexplain.algorithms.multiclass_choice import TargetAnswer, TargetOracle, TargetProblem
from gamexplain.algorithms.multiclass_pair_target_enum import PairTargetOracle
from gamexplain.certify import multiclass_choice as checks
from gamexplain.certify.multiclass import digest
from gamexplain.certify.multiclass_pair_target import PairListedCertificate, PairTargetCertificate
from gamexplain.certify.reasons import show as _show
from gamexplain.complexity.registry import algorithms_for, question_cell, select_algorithm
from gamexplain.errors import TimeLimitError
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.queries.parameters import validate
from gamexplain.queries.reasons import ContrastiveReason, Reasons
from gamexplain.queries.redundancy import RedundancyResult
from gamexplain.results import Stats
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "MulticlassRedundancy",
    "TargetContrastiveReason",
    "contrastive_reasons_target",
    "is_redundant_multiclass",
    "minimum_contrastive_reason_target",
]


# -- redundancy ----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class MulticlassRedundancy(RedundancyResult):
    """:class:`~gamexplain.queries.redundancy.RedundancyResult` of a multiclass model:
    the witness shows the two classes, the proof refutes every pair of classes."""

    def __str__(self) -> str:
        name = self.feature
        if self.status != "solved":
            return f"whether {name} is redundant is undecided: {self.message}"
        if self.holds:
            return f"{name} is redundant: no change of {name} alone ever changes the class"
        cert = self.certificate
        rest = ", ".join(f"{n}={_show(v)}" for j, (n, v) in enumerate(
            zip(self._names, cert.point, strict=True)) if j != self.position)  # fmt: skip
        first, second = cert.classes
        return (
            f"{name} is not redundant: at x=({rest}), {name} {_show(cert.value)} gives class "
            f"{self._labels[first]} and {name} {_show(cert.other_value)} gives class "
            f"{self._labels[second]}"
        )

    @property
    def _names(self) -> tuple[str, ...]:
        return self.certificate.names

    @property
    def _labels(self) -> tuple[Any, ...]:
        return self.certificate.labels

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check the two points' classes, or every class pair's refutation
        (:mod:`gamexplain.certify.multiclass_choice`)."""
        return checks.check_multiclass_redundancy(self, gam)


@dataclass(frozen=True, kw_only=True)
class _ShownRedundancy(checks.RedundancyCertificate):
    """The certificate with the names and labels its printout uses (not checked)."""

    names: tuple[str, ...] = ()
    labels: tuple[Any, ...] = ()


def is_redundant_multiclass(
    gam: MulticlassGAM, feature: int | str, *, method: str, time_limit: float | None,
    max_states: int,
) -> RedundancyResult:  # fmt: skip
    """:func:`~gamexplain.is_redundant` on a multiclass model.

    Notes
    -----
    coNP-complete (thm:multiclass-fr); one refuted or solved multiple-choice system per
    pair of classes.
    """
    chosen = validate("is_redundant", gam, feature=feature, method=method,
                      time_limit=time_limit, max_states=max_states)  # fmt: skip
    position, limit = chosen["feature"], chosen["time_limit"]
    cell = str(question_cell(gam, "fr").cell)
    start = time.perf_counter()
    spec = None
    try:
        with deadline.limit(limit):
            spec = select_algorithm(gam, "fr", method, {}).chosen[1]
            outcome = spec.func(gam, position, max_states=max_states, time_limit=limit)
    except OutOfTime:
        return _redundancy(gam, position, cell, spec, None, "time_limit",
                           f"the time limit ({limit} s) ran out", start)  # fmt: skip
    if outcome.status != "solved":
        return _redundancy(gam, position, cell, spec, None, outcome.status, outcome.message,
                           start, outcome.work)  # fmt: skip
    shown: dict[str, Any] = {"names": gam.feature_names, "labels": gam.classes,
                             "model": digest(gam)}  # fmt: skip
    found: dict[str, Any] = {"refutations": outcome.refutations, "tree": outcome.tree}
    if not outcome.holds:
        point, value, other, classes = outcome.witness
        found = {"point": point, "value": value, "other_value": other, "classes": classes}
    cert = _ShownRedundancy(**shown, **found)
    return _redundancy(gam, position, cell, spec, cert, "solved", "", start, outcome.work,
                       outcome.holds)  # fmt: skip


def _redundancy(
    gam: MulticlassGAM, position: int, cell: str, spec: Any, cert: Any, status: str,
    message: str, start: float, work: Any = None, holds: bool = False,
) -> MulticlassRedundancy:  # fmt: skip
    return MulticlassRedundancy(
        holds=holds, exact=status == "solved",
        algorithm=(spec or algorithms_for(question_cell(gam, "fr").cell)[0]).name,
        cell=cell, certificate=cert, status=status, message=message,  # type: ignore[arg-type]
        stats=Stats(seconds=time.perf_counter() - start, work=dict(work or {})),
        feature=gam.feature_names[position], position=position, model_digest=digest(gam),
    )  # fmt: skip


# -- contrastive reasons toward a target class -----------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class TargetContrastiveReason(ContrastiveReason):
    """A minimum contrastive reason toward a target class: changing only ``features``
    (to the witness's values) makes class ``target`` the argmax, and no smaller set of
    free features can."""

    def __str__(self) -> str:
        if self.status != "solved":
            return f"whether {self.target} can win is undecided: {self.message}"
        if self.features is None or self.values is None:
            free = len(self.instance) - len(self.fixed)
            return f"no change of the {free} free feature(s) makes {self.target} win"
        if not self.features:
            return f"{self.target} already wins at x"
        moves = ", ".join(f"{n} to {_show(v)}" for n, v in zip(self.features, self.values,
                                                          strict=True))  # fmt: skip
        return (f"changing only {moves} makes {self.target} win "
                f"(the prediction is {self.prediction})")  # fmt: skip

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check the witness's class and the refutation of one change fewer
        (:mod:`gamexplain.certify.multiclass_choice`)."""
        return checks.check_target_reason(self, gam)


def minimum_contrastive_reason_target(
    gam: MulticlassGAM, x: Any, target: Any, *, method: str, fixed: Any,
    time_limit: float | None, witness: str = "extreme", max_states: int = 100_000,
) -> TargetContrastiveReason:  # fmt: skip
    """:func:`~gamexplain.minimum_contrastive_reason` toward class ``target``.

    Notes
    -----
    NP-complete from K = 3 (thm:multiclass-mcr-target): a Lagrangian branch and bound
    over the K − 1 constraints "target beats d" and a budget on the changed features.
    """
    chosen = validate("minimum_contrastive_reason", gam, method=method, fixed=fixed,
                      time_limit=time_limit, witness=witness, target=target)  # fmt: skip
    if chosen["witness"] == "nearest":
        from gamexplain.errors import UnsupportedQueryError

        raise UnsupportedQueryError(
            "witness='nearest' toward a target class of a multiclass model is not supported "
            "yet; use witness='extreme'"
        )
    start = time.perf_counter()
    instance = gam.instance(x)
    model = gam.covering(instance)
    t = model.class_index(chosen["target"])
    limit = chosen["time_limit"]
    problem = TargetProblem(model, instance, t, frozenset(chosen["fixed"]), max_states)
    try:
        with deadline.limit(limit):
            entry, spec = select_algorithm(model, "mcr", chosen["method"],
                                           {"target": chosen["target"]}).chosen  # fmt: skip
            answer = spec.func(problem)
            if spec.name == "target-pair-enumeration":
                return _pair_result(problem, answer, spec, entry, start, gam, limit)
    except OutOfTime:
        raise TimeLimitError(f"minimum_contrastive_reason ran out of time ({limit} s)") from None
    except Exhausted:
        return _undecided(problem, spec, entry, start, f"the search passed {max_states} nodes")
    return _target_result(problem, answer, spec, entry, start, gam)


def _undecided(
    problem: TargetProblem, spec: Any, entry: Any, start: float, message: str
) -> TargetContrastiveReason:
    model, x = problem.gam, problem.x
    return TargetContrastiveReason(
        exact=False, algorithm=spec.name, cell=str(entry.cell), certificate=None,
        status="budget_exhausted", message=message,
        stats=Stats(seconds=time.perf_counter() - start, work=dict(problem.counts)),
        features=None, values=None, kind="minimum", instance=x,
        prediction=model.predict_exact(x), target=f"class {model.classes[problem.target]}",
        witness=None, witness_prediction=None,
        fixed=tuple(model.feature_names[i] for i in sorted(problem.fixed)),
    )  # fmt: skip


def _target_result(
    problem: TargetProblem, answer: Any, spec: Any, entry: Any, start: float, asked: Any
) -> TargetContrastiveReason:
    model, x = problem.gam, problem.x
    p = model.predict_index(x)
    changed = None if answer.changed is None else sorted(answer.changed)
    point = answer.witness
    names = model.feature_names
    return TargetContrastiveReason(
        exact=True, algorithm=spec.name, cell=str(entry.cell),
        certificate=checks.TargetCertificate(model=digest(asked), prediction=p,
                                             target=problem.target,
                                             refutation=answer.refutation),
        stats=Stats(seconds=time.perf_counter() - start, work=dict(problem.counts)),
        features=None if changed is None else tuple(names[i] for i in changed),
        values=None if changed is None else tuple(point[i] for i in changed),
        kind="minimum", instance=x, prediction=model.classes[p],
        target=f"class {model.classes[problem.target]}", witness=point,
        witness_prediction=None if point is None else model.classes[problem.target],
        fixed=tuple(names[i] for i in sorted(problem.fixed)), minimum_certified=True,
    )  # fmt: skip


def _pair_result(
    problem: TargetProblem, answer: Any, spec: Any, entry: Any, start: float, asked: Any,
    limit: float | None,
) -> TargetContrastiveReason:  # fmt: skip
    """The answer of the enumeration on a model with pair terms, with its
    :class:`~gamexplain.certify.multiclass_pair_target.PairTargetCertificate`."""
    model, x = problem.gam, problem.x
    p = model.predict_index(x)
    names = model.feature_names
    changed = None if answer.changed is None else sorted(answer.changed)
    point = answer.witness
    stopped = not answer.proven
    message = ""
    if stopped:
        message = (f"the time limit ({limit} s) ran out: no set of fewer than "
                   f"{answer.lower} free feature(s) makes the target win")  # fmt: skip
    return TargetContrastiveReason(
        exact=not stopped, algorithm=spec.name, cell=str(entry.cell),
        certificate=PairTargetCertificate(model=digest(asked), prediction=p,
                                          target=problem.target, lower=answer.lower),
        status="time_limit" if stopped else "solved", message=message,
        stats=Stats(seconds=time.perf_counter() - start, work={"grid": answer.work}),
        features=None if changed is None else tuple(names[i] for i in changed),
        values=None if changed is None or point is None else tuple(point[i] for i in changed),
        kind="minimum", instance=x, prediction=model.classes[p],
        target=f"class {model.classes[problem.target]}", witness=point,
        witness_prediction=None if point is None else model.classes[problem.target],
        fixed=tuple(names[i] for i in sorted(problem.fixed)), minimum_certified=not stopped,
    )  # fmt: skip


def contrastive_reasons_target(
    gam: MulticlassGAM, x: Any, target: Any, *, method: str, fixed: Any,
    time_limit: float | None,
) -> Reasons[ContrastiveReason]:  # fmt: skip
    """:func:`~gamexplain.contrastive_reasons` toward class ``target``.

    Notes
    -----
    MARCO over multiple-choice systems, each NP-complete from K = 3
    (thm:multiclass-mcr-target); on a model with pair terms MARCO over a branch and
    bound on the changed features' cells (thm:multiclass-mcr-target-pairs).
    """
    chosen = validate("contrastive_reasons", gam, method=method, fixed=fixed,
                      time_limit=time_limit, target=target)  # fmt: skip
    start = time.perf_counter()
    instance = gam.instance(x)
    model = gam.covering(instance)
    problem = TargetProblem(model, instance, model.class_index(chosen["target"]),
                            frozenset(chosen["fixed"]))  # fmt: skip
    entry, spec = select_algorithm(model, "enum-cr", chosen["method"],
                                   {"target": chosen["target"]}).chosen  # fmt: skip
    source = spec.func(problem, time_limit=chosen["time_limit"])
    listed = _pair_listed if spec.name == "target-pair-marco" else _listed
    built = _built(source, lambda changed: listed(problem, changed, spec, entry, start, gam))
    return Reasons(built, lambda reason: reason)


def _built(source: Any, build: Any) -> Generator[TargetContrastiveReason, None, str]:
    """Each listed set built into its result; a search past its node budget ends the
    listing with status ``"budget_exhausted"`` (the reasons listed so far stand)."""
    try:
        while True:
            try:
                changed = next(source)
            except StopIteration as stop:
                return str(stop.value or "solved")
            yield build(changed)
    except Exhausted:
        return "budget_exhausted"


def _listed(
    problem: TargetProblem, changed: frozenset[int], spec: Any, entry: Any, start: float,
    asked: Any,
) -> TargetContrastiveReason:  # fmt: skip
    """A subset-minimal reason with its witness and, per changed feature, the refutation
    of changing the others only."""
    everything = frozenset(range(problem.gam.n_features))
    oracle = TargetOracle(problem)
    point = oracle.counterexample(everything - changed - problem.fixed)
    minimality = tuple(
        (j, TargetOracle(replace(problem, fixed=everything - changed | {j})).worst_case(()))
        for j in sorted(changed)
    )
    answer = TargetAnswer(point, changed, None)
    found = _target_result(problem, answer, spec, entry, start, asked)
    cert = replace(found.certificate, minimality=minimality)
    return replace(found, kind="subset-minimal", minimum_certified=None, certificate=cert)


def _pair_listed(
    problem: TargetProblem, changed: frozenset[int], spec: Any, entry: Any, start: float,
    asked: Any,
) -> TargetContrastiveReason:  # fmt: skip
    """A subset-minimal reason of a model with pair terms, with its witness; ``verify``
    re-enumerates the members' picks for its minimality
    (:class:`~gamexplain.certify.multiclass_pair_target.PairListedCertificate`)."""
    everything = frozenset(range(problem.gam.n_features))
    point = PairTargetOracle.of(problem).counterexample(everything - changed)
    found = _target_result(problem, TargetAnswer(point, changed, None), spec, entry, start, asked)
    cert = PairListedCertificate(model=found.certificate.model,
                                 prediction=found.certificate.prediction,
                                 target=problem.target)  # fmt: skip
    return replace(found, kind="subset-minimal", minimum_certified=None, certificate=cert)
