"""The queries on multiclass GAMs: the front doors the binary queries hand them to.

Each public query of :mod:`gamexplain.queries.reasons` and :mod:`gamexplain.queries.shap`
checks first whether its model is a :class:`~gamexplain.model.multiclass.MulticlassGAM`
and, if so, calls the function of the same name here. The answers come back in the
binary queries' result types (same fields; ``prediction`` is the class label and
``target`` says "class <label>"), subclassed only to re-check a
:class:`~gamexplain.certify.multiclass.RivalCertificate` in ``verify``.

Per-rival questions go to the binary queries on the rival models
(:func:`~gamexplain.model.multiclass.rival_model`), so every step keeps the certificate
and the cell of its binary cell; the multiclass algorithms
(:mod:`gamexplain.algorithms.multiclass`) combine them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gamexplain import certify
from gamexplain.algorithms.brute_reasons import oracle_for
from gamexplain.algorithms.multiclass import Deletion, MulticlassProblem, PerClass, RivalCheck
from gamexplain.algorithms.worst_case import make_problem
from gamexplain.certify import multiclass as checks
from gamexplain.certify.reasons import show
from gamexplain.complexity.registry import select_algorithm
from gamexplain.distributions import describe_distribution
from gamexplain.errors import InvalidParameterError, TimeLimitError
from gamexplain.model.multiclass import MulticlassGAM, rival_model
from gamexplain.queries.parameters import validate
from gamexplain.queries.reasons import (
    ContrastiveReason,
    Reasons,
    SufficiencyResult,
    SufficientReason,
    is_sufficient_reason,
    minimum_contrastive_reason,
)
from gamexplain.queries.shap import BanzhafResult, ShapResult
from gamexplain.results import Stats
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "MulticlassAttribution",
    "MulticlassBanzhaf",
    "MulticlassContrastiveReason",
    "MulticlassSufficiency",
    "MulticlassSufficientReason",
    "attributions",
    "contrastive_reasons_multiclass",
    "is_sufficient_reason_multiclass",
    "minimal_sufficient_reason_multiclass",
    "minimum_contrastive_reason_multiclass",
    "minimum_sufficient_reason_multiclass",
    "sufficient_reasons_multiclass",
]


@dataclass(frozen=True, kw_only=True)
class MulticlassSufficiency(SufficiencyResult):
    """:class:`SufficiencyResult` of a multiclass model."""

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check every rival's worst case or the breaking point
        (:mod:`gamexplain.certify.multiclass`)."""
        return checks.check_sufficiency(self, gam)


@dataclass(frozen=True, kw_only=True)
class MulticlassSufficientReason(SufficientReason):
    """:class:`SufficientReason` of a multiclass model."""

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check sufficiency against every rival, the breakers and the size claim
        (:mod:`gamexplain.certify.multiclass`)."""
        return checks.check_sufficient_reason(self, gam)


@dataclass(frozen=True, kw_only=True)
class MulticlassContrastiveReason(ContrastiveReason):
    """:class:`ContrastiveReason` of a multiclass model."""

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check the witness and every rival's minimum
        (:mod:`gamexplain.certify.multiclass`)."""
        return checks.check_contrastive(self, gam)


# -- reasons ----------------------------------------------------------------------------------
def _setup(
    gam: MulticlassGAM, x: Any, query: str, func: str, **options: Any
) -> tuple[MulticlassProblem, Any, Any, dict[str, Any], float | None]:
    chosen = validate(func, gam, **options)
    limit = chosen["time_limit"]
    instant = None if limit is None else time.monotonic() + limit
    instance = gam.instance(x)
    model = gam.covering(instance)
    try:
        # the applicability checks may build tables: on the query's clock
        with deadline.limit_at(instant):
            entry, spec = select_algorithm(model, query, chosen["method"], {}).chosen
    except OutOfTime:
        raise TimeLimitError(
            f"{func} ran out of time ({limit} s) while choosing its algorithm"
        ) from None
    p = model.predict_index(instance)

    def rival(question: str, c: int, kept: frozenset[int]) -> Any:
        binary = rival_model(model, p, c, deadline.check)
        if question == "csr":
            return is_sufficient_reason(binary, instance, kept)
        if question == "mcr-nearest":
            return minimum_contrastive_reason(binary, instance, fixed=kept, witness="nearest")
        return minimum_contrastive_reason(binary, instance, fixed=kept)

    searches: dict[int, Any] = {}

    def decide(c: int, kept: frozenset[int]) -> tuple[bool, Any]:
        if c not in searches:
            binary = rival_model(model, p, c, deadline.check)
            searches[c] = (select_algorithm(binary, "csr", "auto", {}).chosen[1],
                           make_problem(binary, instance))  # fmt: skip
        spec, question = searches[c]
        if spec.func(question, kept):
            return True, None
        return False, oracle_for(question).counterexample(kept)

    problem = MulticlassProblem(model, instance, p, frozenset(chosen["fixed"]), rival, decide, gam)
    return problem, entry, spec, chosen, instant


def _run(
    problem: MulticlassProblem, spec: Any, func: str, instant: float | None, *args: Any
) -> Any:
    try:
        with deadline.limit_at(instant):
            return spec.func(problem, *args)
    except (OutOfTime, TimeLimitError):
        # a rival's binary query stops on this query's clock too (it has no limit of
        # its own): the time ran out for this query, which says so
        raise TimeLimitError(f"{func} ran out of time") from None


def _common(problem: MulticlassProblem, spec: Any, entry: Any, start: float) -> dict[str, Any]:
    gam = problem.gam
    return {
        "exact": True,
        "algorithm": spec.name,
        "cell": str(entry.cell),
        "stats": Stats(
            seconds=time.perf_counter() - start,
            oracle_calls=problem.counts.get("rival_checks", 0),
            work={k: v for k, v in problem.counts.items() if k != "rival_checks"},
        ),
        "instance": problem.x,
        "prediction": gam.classes[problem.prediction],
        "target": checks.target_text(gam, problem.prediction),
    }


def _names(gam: MulticlassGAM, kept: frozenset[int]) -> tuple[str, ...]:
    return tuple(gam.feature_names[i] for i in sorted(kept))


def _values(problem: MulticlassProblem, kept: frozenset[int]) -> tuple[Any, ...]:
    return tuple(problem.x[i] for i in sorted(kept))


def is_sufficient_reason_multiclass(
    gam: MulticlassGAM, x: Any, S: Any, *, method: str, fixed: Any, time_limit: float | None
) -> SufficiencyResult:
    """:func:`~gamexplain.is_sufficient_reason` on a multiclass model.

    Notes
    -----
    K − 1 binary worst cases (thm:multiclass-csr). A decision has no bound to return:
    when ``time_limit`` runs out first (pair terms make each worst case coNP-complete),
    it raises :class:`~gamexplain.errors.TimeLimitError`.
    """
    start = time.perf_counter()
    problem, entry, spec, chosen, instant = _setup(
        gam, x, "csr", "is_sufficient_reason", S=S, method=method, fixed=fixed,
        time_limit=time_limit,
    )  # fmt: skip
    kept = frozenset(chosen["S"]) | problem.fixed
    check = _run(problem, spec, "is_sufficient_reason", instant, kept)
    holds = bool(check)
    certificate = checks.RivalCertificate(
        model=checks.digest(gam),
        prediction=problem.prediction,
        rivals=check.results if holds else (),
        witness=None if holds else check.witness,
    )
    message = "" if holds else _breaks(problem, check.witness)
    return MulticlassSufficiency(
        certificate=certificate, holds=holds, features=_names(problem.gam, kept),
        values=_values(problem, kept), message=message, **_common(problem, spec, entry, start),
    )  # fmt: skip


def _breaks(problem: MulticlassProblem, point: Any) -> str:
    gam = problem.gam
    moved = [
        f"{gam.feature_names[i]} = {show(point[i])}"
        for i in range(gam.n_features)
        if point[i] != problem.x[i]
    ]
    return f"{', '.join(moved)} gives class {gam.predict_exact(point)}"


def _sufficient(
    problem: MulticlassProblem, found: Any, kind: str, spec: Any, entry: Any, start: float
) -> SufficientReason:
    gam = problem.gam
    breakers = getattr(found, "breakers", None)
    if breakers is None:
        breakers = _breakers(problem, found.kept)
    certificate = checks.RivalCertificate(
        model=checks.digest(problem.asked), prediction=problem.prediction,
        rivals=found.check.results,
        breakers=tuple(breakers), cores=getattr(found, "cores", ()),
    )  # fmt: skip
    return MulticlassSufficientReason(
        certificate=certificate, features=_names(gam, found.kept),
        values=_values(problem, found.kept), kind=kind,
        fixed=_names(gam, problem.fixed), minimum_certified=True if kind == "minimum" else None,
        **_common(problem, spec, entry, start),
    )  # fmt: skip


def _breakers(problem: MulticlassProblem, kept: frozenset[int]) -> list[tuple[int, Any]]:
    """Per kept free feature, a point breaking the reason without it."""
    out = []
    for j in sorted(kept - problem.fixed):
        for c in problem.rivals:
            holds, point = problem.decide(c, kept - {j})
            if not holds:
                out.append((j, point))
                break
    return out


def minimum_sufficient_reason_multiclass(
    gam: MulticlassGAM, x: Any, *, method: str, fixed: Any, time_limit: float | None
) -> SufficientReason:
    """:func:`~gamexplain.minimum_sufficient_reason` on a multiclass model.

    Notes
    -----
    NP-hard from K = 3 (thm:multiclass-msr-np); implicit hitting sets. As in the binary
    case, a search ``time_limit`` stops returns a subset-minimal reason (by deletion,
    within the grace time) with ``status="time_limit"``, ``exact=False`` and
    ``size_bounds``: from below the minimum hitting set of the contrastive sets found so
    far (its certificate's ``cores``), from above the reason's size.
    """
    start = time.perf_counter()
    func = "minimum_sufficient_reason"
    problem, entry, spec, chosen, instant = _setup(
        gam, x, "msr", func, method=method, fixed=fixed, time_limit=time_limit
    )
    try:
        with deadline.limit_at(instant):
            found = spec.func(problem)
    except (OutOfTime, TimeLimitError):
        return _stopped_minimum(problem, spec, entry, start, chosen["time_limit"])
    return _sufficient(problem, found, "minimum", spec, entry, start)


def _stopped_minimum(
    problem: MulticlassProblem, spec: Any, entry: Any, start: float, limit: float
) -> SufficientReason:
    """A search the deadline stopped: within the binary queries' grace time, a
    subset-minimal reason by deletion (the upper bound) and the contrastive sets found so
    far, whose minimum hitting set bounds the size from below; ``exact`` False, status
    ``"time_limit"``. TimeLimitError when the grace time runs out too."""
    from gamexplain.algorithms.multiclass import minimal_rivals
    from gamexplain.certify.reasons import stopped_text
    from gamexplain.queries.reasons import GRACE_SECONDS, GRACE_SHARE

    try:
        with deadline.limit(GRACE_SHARE * limit + GRACE_SECONDS):
            found = minimal_rivals(problem)
            reason = _sufficient(problem, found, "subset-minimal", spec, entry, start)
    except (OutOfTime, TimeLimitError):
        raise TimeLimitError(
            f"minimum_sufficient_reason ran out of time ({limit} s) before any "
            "subset-minimal reason could be certified; raise time_limit"
        ) from None
    cores = tuple(problem.progress.get("cores", ()))
    bounds = (len(problem.fixed) + problem.progress.get("lower", 0), reason.size)
    certificate = replace(reason.certificate, cores=cores)
    return replace(reason, certificate=certificate, exact=False, status="time_limit",
                   message=stopped_text(bounds), size_bounds=bounds)  # fmt: skip


def minimal_sufficient_reason_multiclass(
    gam: MulticlassGAM, x: Any, *, method: str, fixed: Any, time_limit: float | None
) -> SufficientReason:
    """:func:`~gamexplain.minimal_sufficient_reason` on a multiclass model.

    Notes
    -----
    n·(K − 1) binary worst cases (thm:multiclass-csr); when ``time_limit`` runs out
    first it raises :class:`~gamexplain.errors.TimeLimitError` rather than return a
    sufficient set not yet shown subset-minimal.
    """
    start = time.perf_counter()
    func = "minimal_sufficient_reason"
    problem, entry, spec, _, instant = _setup(
        gam, x, "minimal-sr", func, method=method, fixed=fixed, time_limit=time_limit
    )
    found = _run(problem, spec, func, instant)
    return _sufficient(problem, found, "subset-minimal", spec, entry, start)


def minimum_contrastive_reason_multiclass(
    gam: MulticlassGAM,
    x: Any,
    *,
    method: str,
    fixed: Any,
    time_limit: float | None,
    witness: str = "extreme",
) -> ContrastiveReason:
    """:func:`~gamexplain.minimum_contrastive_reason` on a multiclass model.

    Notes
    -----
    The smallest of the K − 1 rivals' greedy reasons (thm:multiclass-mcr); when
    ``time_limit`` runs out first it raises :class:`~gamexplain.errors.TimeLimitError`.
    """
    start = time.perf_counter()
    func = "minimum_contrastive_reason"
    problem, entry, spec, chosen, instant = _setup(
        gam, x, "mcr", func, method=method, fixed=fixed, time_limit=time_limit, witness=witness
    )
    nearest = chosen["witness"] == "nearest"
    rivals = _run(problem, spec, func, instant, nearest)
    best = _best_rival(rivals)
    point = None if best is None else best.witness
    changed = None if best is None else frozenset(problem.gam.index(n) for n in best.features)
    certificate = checks.RivalCertificate(
        model=checks.digest(gam), prediction=problem.prediction, rivals=rivals, witness=point
    )
    model = problem.gam
    # a nearest witness is only as exact as every smallest rival's nearness
    loose = [
        sub for _, sub in rivals
        if best is not None and best.witness_kind == "nearest" and sub.exists
        and sub.size == best.size and not sub.exact
    ]  # fmt: skip
    common = _common(problem, spec, entry, start)
    if loose:
        common = {**common, "exact": False, "message": loose[0].message}
    return MulticlassContrastiveReason(
        certificate=certificate,
        witness_kind="extreme" if best is None else best.witness_kind,
        distance=None if best is None else best.distance,
        features=None if changed is None else _names(model, changed),
        values=None if changed is None or point is None
        else tuple(point[i] for i in sorted(changed)),
        kind="minimum", witness=point,
        witness_prediction=None if point is None else model.predict_exact(point),
        fixed=_names(model, problem.fixed), minimum_certified=True, **common,
    )  # fmt: skip


def _best_rival(rivals: Any) -> Any:
    """The rival reason of least size, then (nearest witnesses) least distance, then
    lowest class index; None when no rival can win."""
    found = [sub for _, sub in rivals if sub.exists]
    if not found:
        return None
    size = min(sub.size for sub in found)
    smallest = [sub for sub in found if sub.size == size]
    if all(sub.witness_kind == "nearest" for sub in smallest):
        return min(smallest, key=lambda sub: sub.distance)
    return smallest[0]


# -- enumeration -------------------------------------------------------------------------------
def _listing(
    gam: MulticlassGAM, x: Any, query: str, func: str, method: str, fixed: Any,
    time_limit: float | None,
) -> tuple[MulticlassProblem, Any, Any, Any]:  # fmt: skip
    start = time.perf_counter()
    problem, entry, spec, chosen, _ = _setup(
        gam, x, query, func, method=method, fixed=fixed, time_limit=time_limit
    )
    return problem, spec.func(problem, time_limit=chosen["time_limit"]), (spec, entry), start


def sufficient_reasons_multiclass(
    gam: MulticlassGAM, x: Any, *, method: str, fixed: Any, time_limit: float | None
) -> Reasons[SufficientReason]:
    """:func:`~gamexplain.sufficient_reasons` on a multiclass model.

    Notes
    -----
    MARCO over K − 1 binary worst cases per question (thm:multiclass-enum).
    """
    problem, source, (spec, entry), start = _listing(
        gam, x, "enum-sr", "sufficient_reasons", method, fixed, time_limit
    )

    def build(kept: frozenset[int]) -> SufficientReason:
        found = Deletion(kept, _check(problem, kept), tuple(_breakers(problem, kept)))
        return _sufficient(problem, found, "subset-minimal", spec, entry, start)

    return Reasons(source, build)


def _check(problem: MulticlassProblem, kept: frozenset[int]) -> RivalCheck:
    """Every rival's certified sufficiency of ``kept`` (fixed features included)."""
    return RivalCheck(tuple((c, problem.rival("csr", c, kept)) for c in problem.rivals))


def contrastive_reasons_multiclass(
    gam: MulticlassGAM, x: Any, *, method: str, fixed: Any, time_limit: float | None
) -> Reasons[ContrastiveReason]:
    """:func:`~gamexplain.contrastive_reasons` on a multiclass model.

    Notes
    -----
    MARCO over K − 1 binary worst cases per question (thm:multiclass-enum).
    """
    problem, source, (spec, entry), start = _listing(
        gam, x, "enum-cr", "contrastive_reasons", method, fixed, time_limit
    )
    return Reasons(source, lambda changed: _minimal_contrastive(problem, changed, spec, entry,
                                                                start))  # fmt: skip


def _minimal_contrastive(
    problem: MulticlassProblem, changed: frozenset[int], spec: Any, entry: Any, start: float
) -> ContrastiveReason:
    """A subset-minimal contrastive reason with its proofs: a point changing only it that
    changes the class, and per changed feature every rival's proof that keeping it too
    keeps the class."""
    everything = frozenset(range(problem.gam.n_features))
    point = None
    for c in problem.rivals:
        holds, point = problem.decide(c, everything - changed)
        if not holds:
            break
    minimality = tuple(
        (j, _check(problem, everything - changed | {j}).results) for j in sorted(changed)
    )
    model = problem.gam
    certificate = checks.RivalCertificate(
        model=checks.digest(problem.asked), prediction=problem.prediction, witness=point,
        minimality=minimality,
    )  # fmt: skip
    return MulticlassContrastiveReason(
        certificate=certificate, features=_names(model, changed),
        values=None if point is None else tuple(point[i] for i in sorted(changed)),
        kind="subset-minimal", witness=point,
        witness_prediction=None if point is None else model.predict_exact(point),
        fixed=_names(model, problem.fixed), **_common(problem, spec, entry, start),
    )  # fmt: skip


# -- attributions of the class scores -----------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class MulticlassAttribution(ShapResult):
    """SHAP or Banzhaf values of every class score: ``values`` has shape
    (n_features, n_classes), one column per class, as the ``shap`` package's
    multi-output explanations; ``base_value`` holds one base value per class and
    ``classes`` the class labels of the columns. The certificate holds the per-class
    binary-layer results (regression score models)."""

    classes: tuple[Any, ...] = ()

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check every class's result on its score model and the stacked fields."""
        if not isinstance(gam, MulticlassGAM) or self.certificate.model != checks.digest(gam):
            return False
        per_class = self.certificate.rivals
        if [c for c, _ in per_class] != list(range(gam.n_classes)):
            return False
        stacked = np.column_stack([r.values for _, r in per_class])
        return (
            all(r.verify(gam.scores[c]) for c, r in per_class)
            and np.array_equal(stacked, np.asarray(self.values))
            and np.array_equal([r.base_value for _, r in per_class], self.base_value)
            and all(tuple(r.instance) == tuple(self.instance) for _, r in per_class)
            and tuple(self.classes) == tuple(gam.classes)
            and all(_same(r.distribution, self.distribution) for _, r in per_class)
        )

    def __str__(self) -> str:
        title = "SHAP" if self.kind == "shapley" else "Banzhaf"
        labels = [str(c) for c in self.classes]
        rows = [("base value", [f"{v:+.6g}" for v in np.asarray(self.base_value)])]
        rows += [(name, [f"{v:+.6g}" for v in row])
                 for name, row in zip(self.feature_names, np.asarray(self.values), strict=True)]
        width = max(len(name) for name, _ in rows)
        columns = [max(len(h), *(len(row[c]) for _, row in rows)) for c, h in enumerate(labels)]
        header = "".join(f"  {h:>{w}}" for h, w in zip(labels, columns, strict=True))
        lines = [
            f"{title} values of the {self.output} of each class "
            f"({'exact' if self.exact else self.status}; {self.algorithm}) "
            f"{describe_distribution(self.distribution)}",
            " " * (2 + width) + header,
        ]
        for name, row in rows:
            cells = "".join(f"  {v:>{w}}" for v, w in zip(row, columns, strict=True))
            lines.append(f"  {name:<{width}}{cells}")
        return "\n".join(lines)

    def _column(self, label: Any) -> int:
        if label is None:
            return int(self.certificate.prediction)
        if label not in self.classes:
            raise InvalidParameterError(
                f"The 'label' parameter must be one of the classes {list(self.classes)}. "
                f"Got {label!r} instead."
            )
        return self.classes.index(label)

    def plot(self, ax: Any = None, *, kind: str = "bar", max_display: int = 20,
             label: Any = None) -> Any:  # fmt: skip
        """Draw one class's values (``label``; by default the predicted class) as bars
        or a waterfall from its base value, as :meth:`ShapResult.plot` does."""
        from gamexplain.plots import attribution_plot

        c = self._column(label)
        name = "SHAP" if self.kind == "shapley" else "Banzhaf"
        title = (f"{name} values of the score of class {self.classes[c]} "
                 f"({describe_distribution(self.distribution)})")  # fmt: skip
        column = lambda a: [float(v) for v in np.asarray(a)[:, c]]  # noqa: E731
        return attribution_plot(
            column(self.values), column(self.lower), column(self.upper), self.feature_names,
            base=float(np.asarray(self.base_value)[c]), exact=self.exact, kind=kind,
            max_display=max_display, ax=ax, title=title,
        )  # fmt: skip

    def to_shap_explanation(self) -> Any:
        """The values as a multi-output ``shap.Explanation``: values (n_features, K),
        one base value per class, the classes as output names."""
        base = super().to_shap_explanation
        try:
            import shap
        except ImportError:
            return base()
        return shap.Explanation(
            values=np.asarray(self.values, dtype=float),
            base_values=np.asarray(self.base_value, dtype=float),
            data=np.asarray(self.instance, dtype=object),
            feature_names=list(self.feature_names),
            output_names=[str(c) for c in self.classes],
        )


def _same(a: Any, b: Any) -> bool:
    """Two recorded distributions are equal (labels, or marginals per feature)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return len(a) == len(b) and all(
        (p is None and q is None) or (p is not None and q is not None and np.array_equal(p, q))
        for p, q in zip(a, b, strict=True)
    )


@dataclass(frozen=True, kw_only=True)
class MulticlassBanzhaf(MulticlassAttribution, BanzhafResult):
    """:class:`MulticlassAttribution` with Banzhaf weights."""


def attributions(gam: Any, x: Any, *, kind: str, output: str, **options: Any) -> Any:
    """:func:`~gamexplain.shap_values` / :func:`~gamexplain.banzhaf_values` of the class
    scores: the binary query on each class's score model, stacked to n_features × K.

    Notes
    -----
    K closed forms (thm:multiclass-shap-score).
    """
    from gamexplain.queries.shap import banzhaf_values, shap_values

    func = "shap_values" if kind == "shapley" else "banzhaf_values"
    validate(func, gam, output=output, method=options.get("method", "auto"),
             max_states=options["max_states"], time_limit=options["time_limit"])  # fmt: skip
    if output == "label":
        from gamexplain.queries.multiclass_counting import label_attributions_multiclass

        return label_attributions_multiclass(gam, x, kind=kind, **options)
    start = time.perf_counter()
    instance = gam.instance(x)
    model = gam.covering(instance)
    query = "shap-score" if kind == "shapley" else "banzhaf-score"
    entry, spec = select_algorithm(model, query, options.get("method", "auto"), {}).chosen
    public = shap_values if kind == "shapley" else banzhaf_values

    def ask(c: int) -> Any:
        return public(gam.scores[c], instance, output="score",
                      distribution=options["distribution"], max_states=options["max_states"],
                      time_limit=options["time_limit"])  # fmt: skip

    per_class = spec.func(
        PerClass(model, ask), instance, output=output, kind=kind,
        max_states=options["max_states"], time_limit=options["time_limit"],
    )  # fmt: skip
    results = [r for _, r in per_class]
    kind_of = MulticlassAttribution if kind == "shapley" else MulticlassBanzhaf
    return kind_of(
        exact=all(r.exact for r in results),
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=checks.RivalCertificate(
            model=checks.digest(gam), prediction=model.predict_index(instance), rivals=per_class
        ),
        stats=Stats(seconds=time.perf_counter() - start),
        values=np.column_stack([r.values for r in results]),
        exact_values=None,
        base_value=np.array([r.base_value for r in results]),  # type: ignore[arg-type]
        exact_base_value=None,
        lower=np.column_stack([r.lower for r in results]),
        upper=np.column_stack([r.upper for r in results]),
        output="score",
        feature_names=gam.feature_names,
        instance=instance,
        distribution=results[0].distribution,
        classes=tuple(gam.classes),
    )
