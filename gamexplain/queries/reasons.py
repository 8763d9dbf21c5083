"""Sufficient and contrastive reasons: why a GAM predicts what it does, exactly.

A *sufficient reason* (abductive explanation, AXp) is a set S of features such that
keeping x on S keeps the prediction whatever the other features are; a *contrastive
reason* (CXp) is a set C such that changing only C can change the prediction. Both come
*minimum-size* (fewest features) and *subset-minimal* (no feature can be dropped), and
the subset-minimal ones can be listed one by one. In regression with tolerance δ the
prediction is "the score stays within δ of f(x)".

Every function validates its arguments, finds the question's cell in the complexity
registry, runs the algorithm ``method="auto"`` picks (or the one named) and returns a
frozen result whose ``verify(gam)`` re-checks the certificate in exact arithmetic without
calling that algorithm: per-feature bounds are re-derived with sympy's root isolation,
points are re-evaluated exactly.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar

from numpy.typing import ArrayLike

from gamexplain import certify
from gamexplain.algorithms.brute_reasons import Enumeration, oracle_for
from gamexplain.algorithms.nearest import Nearest, nearest_witness
from gamexplain.algorithms.nearest_cells import CellNearest, cell_nearest_witness
from gamexplain.algorithms.nearest_curved import curved_nearest_witness, has_curved_pieces
from gamexplain.algorithms.nearest_pairs import PairNearest, pair_nearest_witness
from gamexplain.algorithms.pairwise import PairWorstCase
from gamexplain.algorithms.worst_case import (
    Answer,
    Problem,
    WorstCase,
    changes_prediction,
    make_problem,
)
from gamexplain.certify import reasons as checks
from gamexplain.certify.nearest import NEAREST_BRACKETED, NEAREST_STOPPED
from gamexplain.complexity.registry import select_algorithm
from gamexplain.errors import (
    CertificateTooLargeError,
    InvalidParameterError,
    TimeLimitError,
    UnsupportedQueryError,
)
from gamexplain.model.distance import feature_distance
from gamexplain.queries.batch import is_many, many_rows
from gamexplain.queries.parameters import validate
from gamexplain.queries.recourse import DEFAULT_RECOURSE_STATES, RecourseResult
from gamexplain.results import DecisionResult, Result, Stats
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = [
    "ContrastiveReason",
    "ReasonCertificate",
    "Reasons",
    "SufficiencyResult",
    "SufficientReason",
    "contrastive_reasons",
    "is_sufficient_reason",
    "minimal_sufficient_reason",
    "minimum_contrastive_reason",
    "minimum_sufficient_reason",
    "sufficient_reasons",
]

Features = Iterable[int | str] | int | str
Method = Literal[
    "auto", "greedy", "pareto", "deletion", "polynomial-delay", "hitting-set",
    "variable-elimination", "dual-bound", "brute",
]  # fmt: skip
Certificate = WorstCase | PairWorstCase | Enumeration
R = TypeVar("R")
Build = Callable[[Answer, dict[int, Any] | None], Any]

GRACE_SHARE = 0.35
GRACE_SECONDS = 0.3
"""After ``time_limit`` runs out, a query spends at most GRACE_SHARE·time_limit +
GRACE_SECONDS more seconds turning what it has into a certified subset-minimal reason,
so it returns within 1.5·time_limit + 0.5 s."""

PROBE_POINTS = 32
"""Values per feature a stopped query tries when it looks for a flipping point without
the feature's exact extremes."""


# -- results ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ReasonCertificate:
    """Why a reason is what it claims to be.

    Attributes
    ----------
    model : str
        The digest of the model the answer was computed for
        (:func:`gamexplain.certify.reasons.model_digest`).
    sufficiency : WorstCase or PairWorstCase or Enumeration or None
        For a sufficient set, the worst case of its completions; for a contrastive
        reason that does not exist, the worst case of changing every free feature.
    witness : tuple or None
        A point that changes only the reason's features and flips (contrastive reasons),
        or the completion that breaks an insufficient set (``is_sufficient_reason``).
    breakers : tuple of (str, tuple)
        Sufficient reason: for each non-fixed feature kept, a completion of the reason
        without it that changes the prediction (subset-minimality).
    holders : tuple of (str, certificate)
        Contrastive reason: for each feature changed, the worst case showing that
        changing the others alone cannot flip (subset-minimality).
    cores : tuple of (tuple of str, proof)
        Models with pairwise terms, minimum size: the sets the implicit hitting-set
        search recorded, each with its proof (a flipping point for a contrastive set,
        a worst case for a sufficient one); no smaller set meets all of them.
    nearest : Fraction or None
        ``witness="nearest"``: the infimum distance (:mod:`gamexplain.model.distance`)
        of a flipping point that changes at most as many features as the reason;
        ``verify`` re-derives it (:mod:`gamexplain.certify.nearest`). On curved pieces
        (:mod:`gamexplain.algorithms.nearest_curved`) a rational lower bound of it.
    size_proof : SizeProof or None
        Models with pairwise terms, minimum size by branch and bound: the tree proving
        that no reason of one size less exists (:mod:`gamexplain.certify.pair_size`).
    nearest_exact : bool or None
        ``witness="nearest"`` on curved pieces: True when ``nearest`` is the infimum
        itself (a rational: always so on linear pieces), False when the infimum is
        irrational and ``nearest`` is a rational within ``APPROACH`` below it (the
        witness's distance is then within ``APPROACH`` above it, and the result says
        ``exact=False``); None elsewhere
        (:mod:`gamexplain.certify.nearest_curved`). Reasons of several features on
        curved pieces: True when the witness attains ``nearest``.
    nearest_cells : tuple of (str, tuple of (low, high, bottom, top))
        ``witness="nearest"`` on curved pieces, reasons of two or more features: per
        curved free feature, the cells of the relaxation whose optimum is ``nearest``
        (the contribution lies in [bottom, top] on [low, high];
        :mod:`gamexplain.certify.nearest_cells`); empty elsewhere.
    """

    model: str = ""
    sufficiency: Certificate | None = None
    witness: tuple[Any, ...] | None = None
    breakers: tuple[tuple[str, tuple[Any, ...] | None], ...] = ()
    holders: tuple[tuple[str, Certificate], ...] = ()
    cores: tuple[tuple[tuple[str, ...], Any], ...] = ()
    nearest: Fraction | None = None
    size_proof: Any = None
    nearest_exact: bool | None = None
    nearest_cells: tuple[tuple[str, tuple[tuple[Fraction, ...], ...]], ...] = ()


@dataclass(frozen=True, kw_only=True)
class SufficiencyResult(DecisionResult):
    """Whether keeping x on ``features`` fixes the prediction (truthy when it does).

    The certificate's ``sufficiency`` is a worst case (an :class:`Enumeration` for small
    models with pairwise terms) when it holds; its ``witness`` a completion that changes
    the prediction when not.
    """

    features: tuple[str, ...]
    values: tuple[Any, ...]
    instance: tuple[Any, ...]
    prediction: Any
    target: str

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check the answer and every shown field (:mod:`gamexplain.certify.reasons`)."""
        return checks.check_sufficiency_result(self, gam)

    def __str__(self) -> str:
        keeping = _keeping(self.features, self.values)
        if self.holds:
            return f"{keeping} guarantees {self.target}"
        return f"{keeping} does not guarantee {self.target}: {self.message}"


@dataclass(frozen=True, kw_only=True)
class SufficientReason(Result):
    """A sufficient reason: keeping x on ``features`` keeps the prediction.

    Attributes
    ----------
    features : tuple of str
        The reason, in model order (``fixed`` features included).
    values : tuple
        x on those features.
    kind : {"minimum", "subset-minimal"}
        Minimum-size reasons are also subset-minimal.
    instance : tuple
    prediction : int or exact number
        The class of x, or its exact score in regression.
    target : str
        The kept prediction in words ("class 1", "a score within 0.5 of 3").
    fixed : tuple of str
    size_bounds : (int, int) or None
        When a run stopped early: the optimum size lies in this bracket (the lower end
        is certified, the upper end is this reason's size).
    minimum_certified : bool or None
        For ``kind="minimum"``: whether ``verify`` re-checks that no smaller reason
        exists. False makes the result inexact and says so when printed.
    """

    features: tuple[str, ...]
    values: tuple[Any, ...]
    kind: str
    instance: tuple[Any, ...]
    prediction: Any
    target: str
    fixed: tuple[str, ...] = ()
    size_bounds: tuple[int, int] | None = None
    minimum_certified: bool | None = None

    @property
    def size(self) -> int:
        return len(self.features)

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check sufficiency (worst case), subset-minimality (one breaker each), the
        size claim and every shown field (:mod:`gamexplain.certify.reasons`)."""
        return checks.check_sufficient_reason(self, gam)

    def plot(self, gam: Any, ax: Any = None) -> Any:
        """Draw every feature's contribution at x, the kept ones in colour
        (matplotlib, the ``plot`` extra); returns the Axes."""
        from gamexplain.plots import reason_plot

        kept = set(self.features)
        return reason_plot(gam.feature_names, _contributions(gam, self.instance),
                           [n in kept for n in gam.feature_names], mark="kept",
                           title=f"sufficient reason for {self.target}", ax=ax)  # fmt: skip

    def __str__(self) -> str:
        n = len(self.instance)
        if not self.features:
            text = f"{self.target} holds whatever the {n} features are"
        else:
            others = n - len(self.features)
            alone = " (there is no other feature)"
            tail = f" whatever the other {_count(others)}" if others else alone
            text = f"{_keeping(self.features, self.values)} guarantees {self.target}{tail}"
        return f"{text} ({self.message})" if self.message else text


@dataclass(frozen=True, kw_only=True)
class ContrastiveReason(Result):
    """A contrastive reason: changing only ``features`` can change the prediction.

    ``features`` is None when no change of the free features can (then the certificate's
    ``sufficiency`` is the worst case of changing all of them); ``witness`` is a point
    that changes only ``features`` and has a different prediction, ``values`` the
    witness on ``features``. ``size_bounds`` and ``minimum_certified`` are as in
    :class:`SufficientReason`.
    """

    features: tuple[str, ...] | None
    values: tuple[Any, ...] | None
    kind: str
    instance: tuple[Any, ...]
    prediction: Any
    target: str
    witness: tuple[Any, ...] | None
    witness_prediction: Any
    fixed: tuple[str, ...] = ()
    size_bounds: tuple[int, int] | None = None
    minimum_certified: bool | None = None
    witness_kind: str = "extreme"
    distance: Fraction | None = None

    @property
    def exists(self) -> bool:
        return self.features is not None

    @property
    def size(self) -> int | None:
        return None if self.features is None else len(self.features)

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check the witness (or the worst case when none exists), subset-minimality,
        the size claim and every shown field (:mod:`gamexplain.certify.reasons`)."""
        return checks.check_contrastive_reason(self, gam)

    def plot(self, gam: Any, ax: Any = None) -> Any:
        """Draw every feature's contribution at x, the changed ones in colour, and
        beside them their contribution at the witness (matplotlib, the ``plot`` extra);
        returns the Axes."""
        from gamexplain.plots import reason_plot

        changed = set(self.features or ())
        witness = None if self.witness is None else _contributions(gam, self.witness)
        title = f"{self.witness_kind} witness leaving {self.target}"
        return reason_plot(gam.feature_names, _contributions(gam, self.instance),
                           [n in changed for n in gam.feature_names], mark="changed",
                           witness=witness, title=title, ax=ax)  # fmt: skip

    def __str__(self) -> str:
        if self.features is None or self.values is None:
            free = len(self.instance) - len(self.fixed)
            return f"no change of the {free} free feature(s) can leave {self.target}"
        text = _change_text(
            self.features, self.values, self.prediction, self.witness_prediction, self.target
        )
        if self.distance is not None:
            text += f" (the nearest witness: {checks.show(self.distance)} range-widths away"
            # a multiclass result carries its rivals' certificates, which have no bracket
            low = getattr(self.certificate, "nearest", None)
            if getattr(self.certificate, "nearest_exact", None) is False and low is not None:
                text += f"; no flip is nearer than {checks.show(low)}"
            text += ")"
        return f"{text} ({self.message})" if self.message else text


class Reasons(Iterator[R], Generic[R]):
    """An iterator over reasons; once exhausted, ``status`` says whether the list is
    complete (``"solved"``) or was cut by ``time_limit`` (``"time_limit"``)."""

    def __init__(self, source: Iterator[Any], build: Callable[[Any], R]) -> None:
        self._source = source
        self._build = build
        self.status: str | None = None
        self.listed = 0

    def __iter__(self) -> Reasons[R]:
        return self

    def __next__(self) -> R:
        try:
            found = next(self._source)
        except StopIteration as stop:
            self.status = stop.value or "solved"
            raise
        self.listed += 1
        return self._build(found)

    def __repr__(self) -> str:
        # Printing must not draw reasons: the listing is lazy and may be long or costly.
        if self.status is None:
            return (f"<Reasons: {self.listed} listed so far; iterate (a for loop, list(...)) "
                    f"to list them>")
        complete = "complete" if self.status == "solved" else f"cut short ({self.status})"
        return f"<Reasons: {self.listed} listed, the list is {complete}>"


# -- public functions -------------------------------------------------------------------
def is_sufficient_reason(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    S: Features,
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> SufficiencyResult:
    """Whether keeping x on the features ``S`` keeps the prediction for every completion.

    Parameters
    ----------
    gam : GAM
    x : array-like or mapping
        The instance.
    S : iterable of str or int
        Feature names or positions; ``fixed`` features are kept too.
    method : {"auto", "greedy", "variable-elimination", "dual-bound", "brute"}
        ``variable-elimination`` answers models with pairwise terms whose paired features
        have finite domains or step functions while its tables stay small;
        ``dual-bound`` answers them at any width, by Lagrangian dual bounds and branching.
    fixed : iterable of str or int
        Features that may not change.
    time_limit : float, optional
        Seconds; unused by the polynomial algorithms. A decision has no bound to return,
        so a multiclass question that runs out raises :class:`TimeLimitError`.

    Returns
    -------
    SufficiencyResult
        Truthy when S is sufficient.

    Notes
    -----
    The worst completion takes every free feature to its extremum against the
    prediction (thm:csr-worst-case): O(n) after the per-feature primitive.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> from gamexplain import is_sufficient_reason
    >>> gam = GAM([Feature("a", Finite(["lo", "hi"]), Table([-1.0, 2.0])),
    ...            Feature("b", Finite(["lo", "hi"]), Table([-0.5, 0.5]))],
    ...           intercept=0.0, task=Classification(threshold=0.0))
    >>> print(is_sufficient_reason(gam, ["hi", "lo"], ["a"]))
    keeping a = hi guarantees class 1
    """
    if is_many(x):  # many rows: the batch result (gamexplain.queries.batch)
        return many_rows(gam, x, "csr", "is_sufficient_reason", S=S, method=method, fixed=fixed,
                         time_limit=time_limit)  # fmt: skip
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import is_sufficient_reason_multiclass as ask

        return ask(gam, x, S, method=method, fixed=fixed, time_limit=time_limit)
    start = time.perf_counter()
    problem, entry, spec, options, _ = _setup(
        gam, x, "csr", "is_sufficient_reason", S=S, method=method, fixed=fixed,
        time_limit=time_limit,
    )  # fmt: skip
    kept = options["S"] | problem.fixed
    holds = bool(spec.func(problem, kept, time_limit=time_limit))
    oracle = oracle_for(problem)
    point = None if holds else oracle.counterexample(kept)
    certificate = ReasonCertificate(
        model=checks.model_digest(gam),
        sufficiency=oracle.worst_case(kept) if holds else None,
        witness=point,
    )
    return SufficiencyResult(
        message="" if point is None else checks.move_text(problem.gam, problem.x, point),
        exact=True,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=certificate,
        stats=_stats(start, 1),
        holds=holds,
        features=_names(gam, kept),
        values=_values(problem, kept),
        instance=problem.x,
        prediction=problem.prediction,
        target=_target(problem),
    )


def minimum_sufficient_reason(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> SufficientReason:
    """A sufficient reason of minimum size.

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`is_sufficient_reason`.
    method : {"auto", "greedy", "pareto", "hitting-set", "brute"}
        ``greedy`` (classification) sorts the pushes; ``pareto`` (regression) solves the
        two-constraint knapsack exactly; ``hitting-set`` (models with pairwise terms)
        takes minimum hitting sets of contrastive sets; ``brute`` tries every subset.

    Notes
    -----
    Classification: O(n log n) after the primitive (thm:msr-greedy). Regression with a
    tolerance: NP-hard (thm:msr-regression-np); ``pareto`` is exponential in the worst
    case and honours ``time_limit``.
    Pairwise terms: implicit hitting sets over the exact worst case of
    thm:pairs-variable-elimination (thm:pairs-hitting-set); honours ``time_limit``.
    Multiclass: implicit hitting sets checked against every rival class
    (thm:multiclass-msr-np); a stopped run returns bounds as a binary one does.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> from gamexplain import minimum_sufficient_reason
    >>> gam = GAM([Feature("a", Finite(["lo", "hi"]), Table([-1.0, 2.0])),
    ...            Feature("b", Finite(["lo", "hi"]), Table([-0.5, 0.5]))],
    ...           intercept=0.0, task=Classification(threshold=0.0))
    >>> print(minimum_sufficient_reason(gam, ["hi", "hi"]))
    keeping a = hi guarantees class 1 whatever the other 1 feature is
    """
    if is_many(x):  # many rows: the batch result (gamexplain.queries.batch)
        return many_rows(gam, x, "msr", "minimum_sufficient_reason", method=method, fixed=fixed,
                         time_limit=time_limit)  # fmt: skip
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import minimum_sufficient_reason_multiclass as ask

        return ask(gam, x, method=method, fixed=fixed, time_limit=time_limit)
    return _optimum(
        gam, x, "msr", "minimum", method, fixed, time_limit, "minimum_sufficient_reason"
    )


def minimal_sufficient_reason(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> SufficientReason:
    """A subset-minimal sufficient reason (no feature can be dropped).

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`is_sufficient_reason`.
    method : {"auto", "deletion", "brute"}

    Notes
    -----
    Deletion: n sufficiency checks (thm:minimal-deletion).
    """
    if is_many(x):  # many rows: the batch result (gamexplain.queries.batch)
        return many_rows(gam, x, "minimal-sr", "minimal_sufficient_reason", method=method,
                         fixed=fixed, time_limit=time_limit)  # fmt: skip
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import minimal_sufficient_reason_multiclass as ask

        return ask(gam, x, method=method, fixed=fixed, time_limit=time_limit)
    return _optimum(
        gam,
        x,
        "minimal-sr",
        "subset-minimal",
        method,
        fixed,
        time_limit,
        "minimal_sufficient_reason",
    )


def sufficient_reasons(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> Reasons[SufficientReason]:
    """Every subset-minimal sufficient reason, one at a time.

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`is_sufficient_reason`; ``time_limit`` bounds the whole listing.
    method : {"auto", "polynomial-delay", "hitting-set", "brute"}

    Notes
    -----
    Additive classifiers: O(n) delay after an O(n log n) sort (thm:enum-additive).
    Otherwise hitting-set duality with a SAT solver (thm:enum-hitting-set).
    """
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import sufficient_reasons_multiclass as listing

        return listing(gam, x, method=method, fixed=fixed, time_limit=time_limit)
    return _listing(gam, x, "enum-sr", method, fixed, time_limit, "sufficient_reasons")


def minimum_contrastive_reason(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
    witness: Literal["extreme", "nearest"] = "extreme",
    actions: Any = None,
    target: Any = None,
) -> ContrastiveReason | RecourseResult:
    """A contrastive reason of minimum size, with a witness point that flips.

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`is_sufficient_reason`.
    method : {"auto", "greedy", "hitting-set", "brute"}
    witness : {"extreme", "nearest"}
        ``extreme`` moves each changed feature to its extremum against the prediction.
        ``nearest`` returns, among all minimum-size contrastive reasons, one whose
        witness is closest to x in L1 distance with each feature in units of its
        spread (the width of its domain; a changed category counts 1), see
        :mod:`gamexplain.model.distance`. It needs free features with
        piecewise-constant contributions (finite domains, step functions such as EBM
        bins; pair terms allowed), or, on a model without pair terms whose minimum
        reasons have one feature, polynomial pieces (splines, NAMs): then
        ``certificate.nearest_exact`` says whether ``certificate.nearest`` is the
        infimum or a rational lower bound of an irrational one, and a bracketed
        nearness makes the result ``exact=False`` with a message saying so. Minimum
        reasons of several features on polynomial pieces get a certified bracket
        [``certificate.nearest``, ``distance``] by branch and bound over cells
        (``certificate.nearest_cells``). Otherwise
        :class:`~gamexplain.errors.UnsupportedQueryError`.
        On an additive model a run stopped by ``time_limit`` keeps its extreme witness
        and says so in ``witness_kind``; on a pair model it returns the closest witness
        found with ``exact=False``, no ``certificate.nearest`` and a message saying so.
    actions, target : optional
        An action set (an :class:`~gamexplain.model.actions.ActionSet`, its data or a
        ``.json`` path) and a target: the changed features must then move by one
        feasible action of the set, and the answer is
        :func:`~gamexplain.queries.recourse.minimum_recourse`'s (a
        :class:`~gamexplain.queries.recourse.RecourseResult`, ``fixed`` kept).

    Returns
    -------
    ContrastiveReason or RecourseResult
        ``features`` is None when no change of the free features can flip.

    Notes
    -----
    O(n log n) after the primitive (thm:mcr-greedy). Pairwise terms: implicit hitting
    sets over the exact pairwise worst case (thm:pairs-hitting-set). The nearest witness
    is a dynamic programme over the Pareto frontiers of each feature's moves
    (thm:mcr-nearest): O(n·m·S·log(m·S)) with m moves per feature and S undominated
    states, exponential in the worst case. On pair models, a search over the sets of k
    features and their joint bins (thm:mcr-nearest-pairs): at most C(n, k)·m^k joint
    bins for m bins per feature, bounds pruning most. On polynomial pieces with
    one-feature reasons, one exact root isolation per piece (thm:mcr-nearest-curved);
    with several, branch and bound over cells, one run of the nearest programme a round
    (thm:mcr-nearest-cells).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> from gamexplain import minimum_contrastive_reason
    >>> gam = GAM([Feature("a", Finite(["lo", "hi"]), Table([-1.0, 2.0])),
    ...            Feature("b", Finite(["lo", "hi"]), Table([-0.5, 0.5]))],
    ...           intercept=0.0, task=Classification(threshold=0.0))
    >>> print(minimum_contrastive_reason(gam, ["hi", "hi"]))
    changing only a to lo flips the prediction from 1 to 0
    """
    if actions is None and target is not None and _is_multiclass(gam) and not is_many(x):
        from gamexplain.queries.multiclass_choice import minimum_contrastive_reason_target

        return minimum_contrastive_reason_target(gam, x, target, method=method, fixed=fixed,
                                                 time_limit=time_limit, witness=witness)
    if (actions is not None or target is not None) and is_many(x):
        raise InvalidParameterError(
            "minimum_contrastive_reason of many rows takes no 'target' or 'actions' "
            "(ask row by row, or gamexplain.explain(..., queries=('responsiveness',), "
            "actions=..., target=...))"
        )
    if actions is not None or target is not None:  # recourse under an action set
        from gamexplain.queries.recourse import recourse_for

        given = validate("minimum_contrastive_reason", gam, actions=actions, target=target,
                         fixed=fixed, time_limit=time_limit)  # fmt: skip
        return recourse_for(gam, x, given["actions"], given["target"], given["fixed"],
                            "auto" if method == "auto" else method, DEFAULT_RECOURSE_STATES,
                            given["time_limit"])  # fmt: skip
    if is_many(x):  # many rows: the batch result (gamexplain.queries.batch)
        return many_rows(gam, x, "mcr", "minimum_contrastive_reason", method=method, fixed=fixed,
                         time_limit=time_limit, witness=witness)  # fmt: skip
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import minimum_contrastive_reason_multiclass as ask

        return ask(gam, x, method=method, fixed=fixed, time_limit=time_limit, witness=witness)
    func = "minimum_contrastive_reason"
    start = time.perf_counter()
    problem, entry, spec, options, instant = _setup(
        gam, x, "mcr", func, method=method, fixed=fixed, time_limit=time_limit, witness=witness
    )
    time_limit = options["time_limit"]

    def build(answer: Answer, found: dict[int, Any] | None) -> ContrastiveReason:
        point = None if found is None else found.get(-1)
        cell = str(entry.cell)
        return _contrastive(problem, answer, "minimum", spec.name, cell, start, point)

    reason = _run(problem, spec, time_limit, instant, build, _stopped_contrastive)
    if options["witness"] != "nearest" or reason.size is None or reason.status != "solved":
        return reason
    if problem.gam.pairs:
        assert reason.witness is not None  # a solved reason that exists has one
        with deadline.limit_at(instant):
            found = pair_nearest_witness(problem, reason.size, reason.witness)
        return _pair_nearest(problem, reason, found, start)
    if has_curved_pieces(problem) and reason.size >= 2 and not problem.gam.pairs:
        assert reason.witness is not None  # a solved reason that exists has one
        with deadline.limit_at(instant):
            cells = cell_nearest_witness(problem, reason.size, reason.witness)
        return reason if cells is None else _cell_nearest(problem, reason, cells, start)
    if has_curved_pieces(problem):
        try:
            with deadline.limit_at(instant):
                curved = curved_nearest_witness(problem, reason.size)
        except OutOfTime:
            return reason
        if curved is None:
            return reason
        near = _nearest(problem, reason, Nearest(curved.point, curved.changed, curved.lower,
                                                 curved.attained), start)  # fmt: skip
        certificate = dataclasses.replace(near.certificate, nearest_exact=curved.exact)
        if curved.exact:
            return dataclasses.replace(near, certificate=certificate)
        # the reason and its size are exact; its nearness is only bracketed
        return dataclasses.replace(
            near, certificate=certificate, exact=False, message=NEAREST_BRACKETED
        )
    try:
        with deadline.limit_at(instant):
            nearest = nearest_witness(problem, reason.size)
    except OutOfTime:
        return reason  # its witness_kind says the witness is the extreme one
    return _nearest(problem, reason, nearest, start) if nearest is not None else reason


def contrastive_reasons(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
    target: Any = None,
) -> Reasons[ContrastiveReason]:
    """Every subset-minimal contrastive reason, one at a time (none when nothing flips).

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`sufficient_reasons`.
    method : {"auto", "polynomial-delay", "hitting-set", "brute"}
    target : class label, optional
        Multiclass models only: list the subset-minimal sets whose change can make class
        ``target`` the argmax, instead of any class other than the prediction.

    Notes
    -----
    As :func:`sufficient_reasons` (thm:enum-additive, thm:enum-hitting-set). Toward a
    target class each question is NP-complete from K = 3 (thm:multiclass-mcr-target).
    """
    if target is not None:
        validate("contrastive_reasons", gam, target=target)
        if not _is_multiclass(gam):
            raise UnsupportedQueryError(
                "contrastive_reasons takes a target class on multiclass models only; a "
                "binary model's contrastive reasons already lead to the other class"
            )
        from gamexplain.queries.multiclass_choice import contrastive_reasons_target

        return contrastive_reasons_target(gam, x, target, method=method, fixed=fixed,
                                          time_limit=time_limit)  # fmt: skip
    if _is_multiclass(gam):
        from gamexplain.queries.multiclass import contrastive_reasons_multiclass as listing

        return listing(gam, x, method=method, fixed=fixed, time_limit=time_limit)
    return _listing(gam, x, "enum-cr", method, fixed, time_limit, "contrastive_reasons")


# -- validation -----------------------------------------------------------------------
def _setup(
    gam: Any, x: Any, query: str, func: str, **options: Any
) -> tuple[Problem, Any, Any, dict[str, Any], float | None]:
    """Validate the options (:mod:`gamexplain.queries.parameters`), start the query's
    clock and choose the algorithm on it; the problem, cell entry, algorithm, options
    and deadline instant."""
    chosen = validate(func, gam, **options)
    limit = chosen["time_limit"]
    instant = None if limit is None else time.monotonic() + limit
    instance = gam.instance(x)
    # x is explained in the feature space widened just enough to hold it
    model = gam.covering(instance)
    try:
        # the applicability checks may lower features, so they run on the query's clock
        with deadline.limit_at(instant):
            entry, spec = select_algorithm(model, query, chosen["method"], {}).chosen
    except OutOfTime:
        raise TimeLimitError(
            f"{func} ran out of time ({limit} s) while choosing its algorithm"
        ) from None
    problem = make_problem(model, instance, chosen["fixed"], asked=gam)
    return problem, entry, spec, chosen, instant


def _is_multiclass(gam: Any) -> bool:
    """Whether ``gam`` is a multiclass model, which :mod:`gamexplain.queries.multiclass`
    answers (its task names the kind; no import of the model type needed)."""
    return getattr(getattr(gam, "task", None), "kind", None) == "multiclass"


# -- building results -------------------------------------------------------------------
def _optimum(
    gam: Any, x: Any, query: str, kind: str, method: str, fixed: Features, limit: Any, func: str
) -> SufficientReason:
    start = time.perf_counter()
    problem, entry, spec, options, instant = _setup(
        gam, x, query, func, method=method, fixed=fixed, time_limit=limit
    )
    limit = options["time_limit"]

    def build(answer: Answer, found: dict[int, Any] | None) -> SufficientReason:
        return _sufficient(problem, answer, kind, spec.name, str(entry.cell), start, found)

    return _run(problem, spec, limit, instant, build, _stopped_sufficient)


def _sufficient(
    problem: Problem,
    answer: Answer,
    kind: str,
    algorithm: str,
    cell: str,
    start: float,
    found: dict[int, Any] | None = None,
) -> SufficientReason:
    gam = problem.gam
    kept = answer.features
    assert kept is not None  # a sufficient reason always exists (all features)
    oracle = oracle_for(problem)
    known = found or {}
    breakers = tuple(
        (gam.features[i].name, known[i] if i in known else oracle.counterexample(kept - {i}))
        for i in sorted(kept - problem.fixed)
    )
    solved = answer.status == "solved"
    bounds = None if solved else (answer.lower, answer.upper)
    cert = ReasonCertificate(
        model=checks.model_digest(problem.model),
        sufficiency=oracle.worst_case(kept),
        breakers=breakers,
        cores=_cores(gam, answer),
        size_proof=answer.size_proof,
    )
    reason = SufficientReason(
        exact=solved,
        algorithm=algorithm,
        cell=cell,
        certificate=cert,
        status=answer.status,  # type: ignore[arg-type]
        message="" if solved else checks.stopped_text(bounds),
        stats=_stats(start, len(breakers) + 1, answer.work),
        features=_names(gam, kept),
        values=_values(problem, kept),
        kind=kind if solved else "subset-minimal",
        instance=problem.x,
        prediction=problem.prediction,
        target=_target(problem),
        fixed=_names(gam, problem.fixed),
        size_bounds=bounds,  # type: ignore[arg-type]
    )
    return _claim_minimum(reason, problem, answer, checks.no_smaller_sufficient)


def _contrastive(
    problem: Problem,
    answer: Answer,
    kind: str,
    algorithm: str,
    cell: str,
    start: float,
    witness: tuple[Any, ...] | None = None,
) -> ContrastiveReason:
    gam = problem.gam
    changed = answer.features
    oracle = oracle_for(problem)
    everything = problem.all_features
    digest = checks.model_digest(problem.model)
    if changed is None:
        cert = ReasonCertificate(model=digest, sufficiency=oracle.worst_case(problem.fixed))
        witness = None
    else:
        witness = witness or oracle.counterexample(everything - changed)
        holders = tuple(
            (gam.features[i].name, oracle.worst_case(everything - changed | {i}))
            for i in sorted(changed)
        )
        cert = ReasonCertificate(
            model=digest, witness=witness, holders=holders, cores=_cores(gam, answer),
            size_proof=answer.size_proof,
        )
    solved = answer.status == "solved"
    bounds = None if solved else (answer.lower, answer.upper)
    reason = ContrastiveReason(
        exact=solved,
        algorithm=algorithm,
        cell=cell,
        certificate=cert,
        status=answer.status,  # type: ignore[arg-type]
        message="" if solved else checks.stopped_text(bounds),
        stats=_stats(start, 1 + len(changed or ()), answer.work),
        features=None if changed is None else _names(gam, changed),
        values=None
        if changed is None or witness is None
        else tuple(witness[i] for i in sorted(changed)),
        kind=kind if solved else "subset-minimal",
        instance=problem.x,
        prediction=problem.prediction,
        target=_target(problem),
        witness=witness,
        witness_prediction=None if witness is None else gam.predict_exact(witness),
        fixed=_names(gam, problem.fixed),
        size_bounds=bounds,  # type: ignore[arg-type]
    )
    if changed is None:
        return reason
    return _claim_minimum(reason, problem, answer, checks.no_smaller_contrastive)


def _pair_nearest(
    problem: Problem, reason: ContrastiveReason, found: PairNearest, start: float
) -> ContrastiveReason:
    """:func:`_nearest` for a pair model; a search the deadline stopped keeps the closest
    witness it found, with no infimum, ``exact`` False and a message saying so."""
    if found.proven:
        assert found.infimum is not None and found.attained is not None
        nearest = Nearest(found.point, found.changed, found.infimum, found.attained)
        return _nearest(problem, reason, nearest, start)
    near = _nearest(problem, reason, Nearest(found.point, found.changed, Fraction(0), True), start)
    certificate = dataclasses.replace(near.certificate, nearest=None)
    return dataclasses.replace(
        near, exact=False, message=NEAREST_STOPPED, certificate=certificate
    )


def _cell_nearest(
    problem: Problem, reason: ContrastiveReason, found: CellNearest, start: float
) -> ContrastiveReason:
    """:func:`_nearest` for a bracket of several curved features: the certificate keeps
    the relaxation's cells; a bracket that did not close makes the result inexact."""
    closed = found.lower == found.distance
    near = _nearest(problem, reason, Nearest(found.point, found.changed, found.lower, closed),
                    start)  # fmt: skip
    names = problem.gam.feature_names
    cells = tuple(
        (names[i], tuple((c.low, c.high, c.bottom, c.top) for c in kept))
        for i, kept in found.cells
    )  # fmt: skip
    certificate = dataclasses.replace(near.certificate, nearest_exact=closed, nearest_cells=cells)
    if closed:
        return dataclasses.replace(near, certificate=certificate)
    return dataclasses.replace(
        near, certificate=certificate, exact=False, message=NEAREST_BRACKETED
    )


def _nearest(
    problem: Problem, reason: ContrastiveReason, nearest: Nearest, start: float
) -> ContrastiveReason:
    """The minimum-size reason of the nearest witness, certified like any other, with
    the witness's distance and the infimum it attains or approaches."""
    found = _contrastive(problem, Answer(nearest.changed), "minimum", reason.algorithm,
                         reason.cell or "", start, nearest.point)  # fmt: skip
    parts = zip(problem.gam.features, nearest.point, problem.x, strict=True)
    shown = sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
    # the size claim is the first search's: its cores or size proof rule out every
    # smaller set, whichever minimum-size set the witness changes
    certificate = dataclasses.replace(
        found.certificate, nearest=nearest.infimum, cores=reason.certificate.cores,
        size_proof=reason.certificate.size_proof,
    )  # fmt: skip
    return dataclasses.replace(
        found, witness_kind="nearest", distance=shown, certificate=certificate,
        exact=reason.exact, message=reason.message, minimum_certified=reason.minimum_certified,
    )  # fmt: skip


def _cores(gam: Any, answer: Answer) -> tuple[tuple[tuple[str, ...], Any], ...]:
    return tuple((_names(gam, members), proof) for members, proof in answer.cores)


def _claim_minimum(reason: Any, problem: Problem, answer: Answer, check: Any) -> Any:
    """Say whether the minimum size is certified: the sorted-push argument (additive
    classifiers), the recorded cores (pair models), else the bounded check that
    ``verify`` runs, tried here once; a check too large to run leaves it uncertified,
    inexact, and says so."""
    if reason.kind != "minimum":
        return reason
    gam = problem.gam
    if gam.pairs and reason.certificate.size_proof is not None:
        # the algorithm hands back a size proof only once it re-checked in Fractions
        certified = True
    elif gam.pairs:
        trivial = len(problem.fixed) if isinstance(reason, SufficientReason) else 1
        cores = reason.certificate.cores
        checkable = checks.cores_checkable(gam, problem.fixed, cores, reason.size - 1)
        certified = reason.size == trivial or (bool(answer.cores) and checkable)
    elif gam.task.kind == "classification" or isinstance(reason, ContrastiveReason):
        certified = True
    else:
        try:
            check(gam, problem.x, problem.fixed, reason.size, reason.certificate)
            certified = True
        except CertificateTooLargeError:
            certified = False
    if certified:
        return dataclasses.replace(reason, minimum_certified=True)
    return dataclasses.replace(
        reason, minimum_certified=False, exact=False, message=checks.UNCERTIFIED
    )


def _listing(
    gam: Any, x: Any, query: str, method: str, fixed: Features, limit: Any, func: str
) -> Reasons[Any]:
    start = time.perf_counter()
    problem, entry, spec, options, _ = _setup(
        gam, x, query, func, method=method, fixed=fixed, time_limit=limit
    )
    limit = options["time_limit"]
    source = _timed(spec.func(problem, time_limit=limit), limit)
    cell = str(entry.cell)
    build = _sufficient if query == "enum-sr" else _contrastive
    return Reasons(
        source,
        lambda found: build(problem, Answer(found), "subset-minimal", spec.name, cell, start),
    )


def _timed(source: Iterator[Any], limit: float | None) -> Generator[Any, None, str]:
    """The source's reasons while the time lasts; each step runs on the listing's clock."""
    instant = None if limit is None else time.monotonic() + limit
    while True:
        try:
            with deadline.limit_at(instant):
                item = next(source)
        except StopIteration as stop:
            return stop.value or "solved"
        except OutOfTime:
            return "time_limit"
        yield item
        if instant is not None and time.monotonic() > instant:
            return "time_limit"


# -- time limits ----------------------------------------------------------------------------
def _run(
    problem: Problem,
    spec: Any,
    limit: float | None,
    instant: float | None,
    build: Build,
    stopped: Callable[[Problem, Answer, Build], Any],
) -> Any:
    """Run the algorithm and build its certificate on the query's clock; when the time
    runs out first, ``stopped`` turns what is known into a certified subset-minimal reason
    within the grace time.

    Raises
    ------
    TimeLimitError
        The grace time ran out too, before any reason could be certified.
    """
    try:
        with deadline.limit_at(instant):
            answer = spec.func(problem, time_limit=limit)
            if answer.status == "solved" or answer.features is not None:
                return build(answer, None)
    except OutOfTime:
        answer = Answer(None, "time_limit")
    grace = GRACE_SHARE * (limit or 0.0) + GRACE_SECONDS
    try:
        with deadline.limit(grace):
            return stopped(problem, answer, build)
    except OutOfTime:
        pass
    raise TimeLimitError(
        f"the time limit ({limit} s) ran out before any subset-minimal reason could be "
        f"certified (the per-feature extremes it needs take longer); raise time_limit"
    )


def _stopped_sufficient(problem: Problem, answer: Answer, build: Build) -> SufficientReason:
    """Deletion from every feature, cheapest first: a feature stays when a probe finds a
    flipping point without it (its breaker), or when the exact oracle says so."""
    oracle = oracle_for(problem)
    kept = set(problem.all_features)
    found: dict[int, Any] = {}
    for i in sorted(problem.free, key=lambda i: _cost(problem.gam.features[i])):
        point = _probe(problem, problem.all_features - (kept - {i}))
        if point is not None:
            found[i] = point
        elif oracle.sufficient(kept - {i}):
            kept.discard(i)
    lower = len(problem.fixed) if answer.lower is None else answer.lower
    lower = _checkable(problem, answer.cores, lower, len(problem.fixed) + 1, len(problem.fixed))
    size = len(kept)
    reason = dataclasses.replace(
        answer, features=frozenset(kept), lower=min(lower, size), upper=size
    )
    return build(reason, {i: p for i, p in found.items() if i in kept})


def _stopped_contrastive(problem: Problem, answer: Answer, build: Build) -> ContrastiveReason:
    """Deletion from every free feature, costliest first, keeping a flipping point for
    the features left; the holders then need only the extremes of cheaper features."""
    oracle = oracle_for(problem)
    everything = problem.all_features
    changed = set(problem.free)
    witness = _probe(problem, changed) or oracle.counterexample(everything - changed)
    if witness is None:
        # the exact oracle decided it: nothing flips, a finished answer
        return build(Answer(None), None)
    for i in sorted(changed, key=lambda i: -_cost(problem.gam.features[i])):
        rest = changed - {i}
        point = _probe(problem, rest) or (
            oracle.counterexample(everything - rest) if rest else None
        )
        if point is not None:
            changed, witness = rest, point
    lower = 1 if answer.lower is None else answer.lower
    lower = _checkable(problem, answer.cores, lower, 1, 1)
    size = len(changed)
    reason = dataclasses.replace(
        answer, features=frozenset(changed), lower=min(lower, size), upper=size
    )
    return build(reason, {-1: witness})


def _checkable(problem: Problem, cores: Any, lower: int, offset: int, floor: int) -> int:
    """The largest lower bound up to ``lower`` (and at least ``floor``, which needs no
    search) that verify can re-check from the recorded cores, searching hitting sets of
    ``bound − offset`` features within its budget: a smaller claim stays true, since no
    hitting set of some size means none of a smaller one."""
    gam = problem.gam
    if not gam.pairs or not cores:
        return lower
    named = tuple((tuple(gam.features[i].name for i in sorted(c)), p) for c, p in cores)
    while lower > floor and not checks.cores_checkable(gam, problem.fixed, named, lower - offset):
        lower -= 1
    return lower


def _cost(feature: Any) -> int:
    """How costly a feature's exact extremes are: values, polynomial pieces, a network."""
    if feature.domain.kind == "finite":
        return 0
    return 2 if feature.component == "nam" else 1


def _probe(problem: Problem, movable: Iterable[int]) -> tuple[Any, ...] | None:
    """A point that changes only ``movable`` and changes the prediction, found by trying
    a few values per feature (evidence only: None proves nothing)."""
    gam = problem.gam
    chosen = sorted(movable)
    if not chosen:
        return None
    directions: tuple[int, ...] = (1, -1)
    if gam.task.kind == "classification":
        directions = (1,) if problem.prediction == 0 else (-1,)
    for direction in directions:
        point = list(problem.x)
        for j in chosen:
            deadline.check()
            feature = gam.features[j]
            point[j] = max(
                _samples(feature, problem.x[j]),
                key=lambda v: direction * feature.contribution_exact(v),
            )
        if changes_prediction(problem, gam.score_exact(point)):
            return tuple(point)
    return None


def _samples(feature: Any, current: Any) -> list[Any]:
    """The current value, the domain's ends, evenly spaced values and its first integers."""
    domain = feature.domain
    if domain.kind == "finite":
        return [current, *domain.values[:PROBE_POINTS]]
    low, high = Fraction(domain.low), Fraction(domain.high)
    spaced = {low + (high - low) * k / PROBE_POINTS for k in range(PROBE_POINTS + 1)}
    first = math.ceil(low)
    spaced |= {Fraction(v) for v in range(first, min(first + PROBE_POINTS, math.floor(high)) + 1)}
    if domain.kind == "integers":
        spaced = {Fraction(math.floor(v)) for v in spaced}
    return [current, *(int(v) if v.denominator == 1 else v for v in sorted(spaced))]


def _stats(start: float, calls: int, work: int = 0) -> Stats:
    """Time, certificate oracle calls, and the algorithm's own step count (for the lab)."""
    counters = {"algorithm_steps": work} if work else {}
    return Stats(seconds=time.perf_counter() - start, oracle_calls=calls, work=counters)


def _names(gam: Any, indices: Iterable[int]) -> tuple[str, ...]:
    return tuple(gam.features[i].name for i in sorted(indices))


def _values(problem: Problem, indices: Iterable[int]) -> tuple[Any, ...]:
    return tuple(problem.x[i] for i in sorted(indices))


def _contributions(gam: Any, point: Sequence[Any]) -> list[float]:
    """Each feature's contribution at ``point``, rounded to floats for drawing."""
    return [float(f.contribution_exact(v)) for f, v in zip(gam.features, point, strict=True)]


# -- words -----------------------------------------------------------------------------
def _count(n: int) -> str:
    return f"{n} feature is" if n == 1 else f"{n} features are"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _keeping(names: tuple[str, ...], values: tuple[Any, ...]) -> str:
    if not names:
        return "keeping nothing"
    shown = [f"{n} = {checks.show(v)}" for n, v in zip(names, values, strict=True)]
    return "keeping " + _join(shown)


def _target(problem: Problem) -> str:
    return checks.target_text(problem.gam, problem.prediction)


def _change_text(
    names: tuple[str, ...], values: tuple[Any, ...], before: Any, after: Any, target: str
) -> str:
    show = checks.show
    moved = _join(list(names)) + " to " + _join([show(v) for v in values])
    if target.startswith("class"):
        return f"changing only {moved} flips the prediction from {before} to {after}"
    return (
        f"changing only {moved} moves the score from {show(before)} to {show(after)}, "
        f"leaving {target}"
    )
