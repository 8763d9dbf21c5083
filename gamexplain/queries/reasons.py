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

import bisect
import itertools
import math
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar

import sympy
from numpy.typing import ArrayLike

from gamexplain.algorithms.brute_reasons import Enumeration, oracle_for
from gamexplain.algorithms.pairwise import PairBound, PairWorstCase, check_messages, factors_of
from gamexplain.algorithms.worst_case import FeatureBound, Problem, WorstCase, make_problem
from gamexplain.complexity.registry import registered_algorithms, select_algorithm
from gamexplain.errors import InvalidInstanceError, InvalidParameterError, PieceLimitError
from gamexplain.exact import Exact, compare, polyval, to_float, to_sympy
from gamexplain.model.domains import Finite, Integers
from gamexplain.model.gam import check_gam
from gamexplain.model.pieces import Segment, lower
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.results import DecisionResult, Result, Stats

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
    "variable-elimination", "brute",
]  # fmt: skip
Certificate = WorstCase | PairWorstCase | Enumeration
R = TypeVar("R")


# -- results ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ReasonCertificate:
    """Why a reason is what it claims to be.

    Attributes
    ----------
    sufficiency : WorstCase or Enumeration or None
        For a sufficient reason, the worst case of its completions; for a contrastive
        reason that does not exist, the worst case of changing every free feature.
    witness : tuple or None
        For a contrastive reason, a point that changes only its features and flips.
    breakers : tuple of (str, tuple)
        Sufficient reason: for each non-fixed feature kept, a completion of the reason
        without it that changes the prediction (subset-minimality).
    holders : tuple of (str, WorstCase or Enumeration)
        Contrastive reason: for each feature changed, the worst case showing that
        changing the others alone cannot flip (subset-minimality).
    """

    sufficiency: Certificate | None = None
    witness: tuple[Any, ...] | None = None
    breakers: tuple[tuple[str, tuple[Any, ...] | None], ...] = ()
    holders: tuple[tuple[str, Certificate], ...] = ()


@dataclass(frozen=True, kw_only=True)
class SufficiencyResult(DecisionResult):
    """Whether keeping x on ``features`` fixes the prediction (truthy when it does).

    The certificate is a :class:`WorstCase` (or an :class:`Enumeration` for models with
    pairwise terms) when it holds, and a completion that changes the prediction when not.
    """

    features: tuple[str, ...]
    values: tuple[Any, ...]
    instance: tuple[Any, ...]
    prediction: Any
    target: str

    def verify(self, gam: Any) -> bool:
        x, kept = tuple(self.instance), _indices(gam, self.features)
        if self.holds:
            return _verify_sufficiency(gam, x, kept, self.certificate)
        point = self.certificate
        return point is not None and _flips(gam, x, point, set(range(gam.n_features)) - kept)

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
        When a run stopped early: the optimum size lies in this bracket.
    """

    features: tuple[str, ...]
    values: tuple[Any, ...]
    kind: str
    instance: tuple[Any, ...]
    prediction: Any
    target: str
    fixed: tuple[str, ...] = ()
    size_bounds: tuple[int | None, int | None] | None = None

    @property
    def size(self) -> int:
        return len(self.features)

    def verify(self, gam: Any) -> bool:
        """Re-check sufficiency (worst case) and subset-minimality (one breaker each)."""
        cert: ReasonCertificate = self.certificate
        x, kept = tuple(self.instance), _indices(gam, self.features)
        fixed = _indices(gam, self.fixed)
        if not fixed <= kept or not _verify_sufficiency(gam, x, kept, cert.sufficiency):
            return False
        breakers = dict(cert.breakers)
        return set(breakers) == {gam.features[i].name for i in kept - fixed} and all(
            _flips(gam, x, point, set(range(gam.n_features)) - kept | {gam.index(name)})
            for name, point in breakers.items()
        )

    def __str__(self) -> str:
        n = len(self.instance)
        if not self.features:
            return f"{self.target} holds whatever the {n} features are"
        others = n - len(self.features)
        tail = f" whatever the other {_count(others)}" if others else " (there is no other feature)"
        return f"{_keeping(self.features, self.values)} guarantees {self.target}{tail}"


@dataclass(frozen=True, kw_only=True)
class ContrastiveReason(Result):
    """A contrastive reason: changing only ``features`` can change the prediction.

    ``features`` is None when no change of the free features can (then the certificate's
    ``sufficiency`` is the worst case of changing all of them); ``witness`` is a point
    that changes only ``features`` and has a different prediction, ``values`` the
    witness on ``features``.
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

    @property
    def exists(self) -> bool:
        return self.features is not None

    @property
    def size(self) -> int | None:
        return None if self.features is None else len(self.features)

    def verify(self, gam: Any) -> bool:
        """Re-check the witness (or the worst case when none exists) and minimality."""
        cert: ReasonCertificate = self.certificate
        x, fixed = tuple(self.instance), _indices(gam, self.fixed)
        everything = set(range(gam.n_features))
        if self.features is None:
            return _verify_sufficiency(gam, x, fixed, cert.sufficiency)
        changed = _indices(gam, self.features)
        if changed & fixed or cert.witness is None or not _flips(gam, x, cert.witness, changed):
            return False
        holders = dict(cert.holders)
        return set(holders) == set(self.features) and all(
            _verify_sufficiency(gam, x, everything - changed | {gam.index(name)}, proof)
            for name, proof in holders.items()
        )

    def __str__(self) -> str:
        if self.features is None or self.values is None:
            free = len(self.instance) - len(self.fixed)
            return f"no change of the {free} free feature(s) can leave {self.target}"
        return _change_text(
            self.features, self.values, self.prediction, self.witness_prediction, self.target
        )


class Reasons(Iterator[R], Generic[R]):
    """An iterator over reasons; once exhausted, ``status`` says whether the list is
    complete (``"solved"``) or was cut by ``time_limit`` (``"time_limit"``)."""

    def __init__(self, source: Iterator[Any], build: Callable[[Any], R]) -> None:
        self._source = source
        self._build = build
        self.status: str | None = None

    def __iter__(self) -> Reasons[R]:
        return self

    def __next__(self) -> R:
        try:
            found = next(self._source)
        except StopIteration as stop:
            self.status = stop.value or "solved"
            raise
        return self._build(found)


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
    method : {"auto", "greedy", "variable-elimination", "brute"}
        ``variable-elimination`` answers models with pairwise terms whose paired features
        have finite domains or step functions.
    fixed : iterable of str or int
        Features that may not change.
    time_limit : float, optional
        Seconds; unused by the polynomial algorithms.

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
    start = time.perf_counter()
    problem, entry, spec = _setup(gam, x, fixed, "csr", method, time_limit, "is_sufficient_reason")
    kept = _features_iv(gam, S, "S", "is_sufficient_reason") | problem.fixed
    holds = bool(spec.func(problem, kept, time_limit=time_limit))
    oracle = oracle_for(problem)
    point = None if holds else oracle.counterexample(kept)
    certificate = oracle.worst_case(kept) if holds else point
    return SufficiencyResult(
        message="" if point is None else _moved(problem, point),
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
    return _listing(gam, x, "enum-sr", method, fixed, time_limit, "sufficient_reasons")


def minimum_contrastive_reason(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> ContrastiveReason:
    """A contrastive reason of minimum size, with a witness point that flips.

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`is_sufficient_reason`.
    method : {"auto", "greedy", "hitting-set", "brute"}

    Returns
    -------
    ContrastiveReason
        ``features`` is None when no change of the free features can flip.

    Notes
    -----
    O(n log n) after the primitive (thm:mcr-greedy). Pairwise terms: implicit hitting
    sets over the exact pairwise worst case (thm:pairs-hitting-set).

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
    func = "minimum_contrastive_reason"
    start = time.perf_counter()
    problem, entry, spec = _setup(gam, x, fixed, "mcr", method, time_limit, func)
    answer = spec.func(problem, time_limit=time_limit)
    reason = _contrastive(
        problem, answer.features, "minimum", spec.name, str(entry.cell), start, answer.work
    )
    return reason


def contrastive_reasons(
    gam: Any,
    x: ArrayLike | Mapping[str, Any],
    *,
    method: Method = "auto",
    fixed: Features = (),
    time_limit: float | None = None,
) -> Reasons[ContrastiveReason]:
    """Every subset-minimal contrastive reason, one at a time (none when nothing flips).

    Parameters
    ----------
    gam, x, fixed, time_limit
        As in :func:`sufficient_reasons`.
    method : {"auto", "polynomial-delay", "hitting-set", "brute"}

    Notes
    -----
    As :func:`sufficient_reasons` (thm:enum-additive, thm:enum-hitting-set).
    """
    return _listing(gam, x, "enum-cr", method, fixed, time_limit, "contrastive_reasons")


# -- validation -----------------------------------------------------------------------
def _setup(
    gam: Any, x: Any, fixed: Features, query: str, method: str, time_limit: Any, func: str
) -> tuple[Problem, Any, Any]:
    instance = check_gam(gam, func).instance(x)
    kept = _features_iv(gam, fixed, "fixed", func)
    _time_limit_iv(time_limit, func)
    names = sorted(s.name for s in registered_algorithms(query))
    if method != "auto" and method not in names:
        allowed = ", ".join(repr(n) for n in ["auto", *names])
        raise InvalidParameterError(
            f"The 'method' parameter of {func} must be one of {{{allowed}}}. "
            f"Got {method!r} instead."
        )
    entry, spec, _ = select_algorithm(gam, query, method, {})
    return make_problem(gam, instance, kept), entry, spec


def _features_iv(gam: Any, features: Features, parameter: str, func: str) -> frozenset[int]:
    items = [features] if isinstance(features, str | int) else features
    try:
        return frozenset(gam.index(f) for f in items)
    except TypeError:
        raise InvalidParameterError(
            f"The '{parameter}' parameter of {func} must be an iterable of feature names or "
            f"positions. Got {features!r} instead."
        ) from None
    except InvalidInstanceError as exc:
        raise InvalidParameterError(
            f"The '{parameter}' parameter of {func} must name features of the model: {exc}"
        ) from None


def _time_limit_iv(time_limit: Any, func: str) -> None:
    if time_limit is None:
        return
    if (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not math.isfinite(time_limit)
        or time_limit <= 0
    ):
        raise InvalidParameterError(
            f"The 'time_limit' parameter of {func} must be None or a positive number of "
            f"seconds. Got {time_limit!r} instead."
        )


# -- building results -------------------------------------------------------------------
def _optimum(
    gam: Any, x: Any, query: str, kind: str, method: str, fixed: Features, limit: Any, func: str
) -> SufficientReason:
    start = time.perf_counter()
    problem, entry, spec = _setup(gam, x, fixed, query, method, limit, func)
    answer = spec.func(problem, time_limit=limit)
    bounds = None if answer.status == "solved" else (answer.lower, answer.upper)
    return _sufficient(
        problem,
        answer.features,
        kind,
        spec.name,
        str(entry.cell),
        start,
        answer.status,
        bounds,
        answer.work,
    )


def _sufficient(
    problem: Problem,
    kept: frozenset[int],
    kind: str,
    algorithm: str,
    cell: str,
    start: float,
    status: Any = "solved",
    bounds: tuple[int, int] | None = None,
    work: int = 0,
) -> SufficientReason:
    gam = problem.gam
    oracle = oracle_for(problem)
    breakers = tuple(
        (gam.features[i].name, oracle.counterexample(kept - {i}))
        for i in sorted(kept - problem.fixed)
    )
    solved = status == "solved"
    return SufficientReason(
        exact=solved,
        algorithm=algorithm,
        cell=cell,
        certificate=ReasonCertificate(sufficiency=oracle.worst_case(kept), breakers=breakers),
        status=status,
        message="" if solved else f"stopped early; the minimum size lies in {list(bounds or ())}",
        stats=_stats(start, len(breakers) + 1, work),
        features=_names(gam, kept),
        values=_values(problem, kept),
        kind=kind if solved else "subset-minimal",
        instance=problem.x,
        prediction=problem.prediction,
        target=_target(problem),
        fixed=_names(gam, problem.fixed),
        size_bounds=bounds,
    )


def _contrastive(
    problem: Problem,
    changed: frozenset[int] | None,
    kind: str,
    algorithm: str,
    cell: str,
    start: float,
    work: int = 0,
) -> ContrastiveReason:
    gam = problem.gam
    oracle = oracle_for(problem)
    everything = problem.all_features
    if changed is None:
        cert = ReasonCertificate(sufficiency=oracle.worst_case(problem.fixed))
        witness = None
    else:
        witness = oracle.counterexample(everything - changed)
        holders = tuple(
            (gam.features[i].name, oracle.worst_case(everything - changed | {i}))
            for i in sorted(changed)
        )
        cert = ReasonCertificate(witness=witness, holders=holders)
    return ContrastiveReason(
        exact=True,
        algorithm=algorithm,
        cell=cell,
        certificate=cert,
        stats=_stats(start, 1 + len(changed or ()), work),
        features=None if changed is None else _names(gam, changed),
        values=None
        if changed is None or witness is None
        else tuple(witness[i] for i in sorted(changed)),
        kind=kind,
        instance=problem.x,
        prediction=problem.prediction,
        target=_target(problem),
        witness=witness,
        witness_prediction=None if witness is None else gam.predict_exact(witness),
        fixed=_names(gam, problem.fixed),
    )


def _listing(
    gam: Any, x: Any, query: str, method: str, fixed: Features, limit: Any, func: str
) -> Reasons[Any]:
    start = time.perf_counter()
    problem, entry, spec = _setup(gam, x, fixed, query, method, limit, func)
    source = _timed(spec.func(problem, time_limit=limit), limit)
    cell = str(entry.cell)
    if query == "enum-sr":
        return Reasons(
            source,
            lambda kept: _sufficient(problem, kept, "subset-minimal", spec.name, cell, start),
        )
    return Reasons(
        source,
        lambda changed: _contrastive(problem, changed, "subset-minimal", spec.name, cell, start),
    )


def _timed(source: Iterator[Any], limit: float | None) -> Generator[Any, None, str]:
    deadline = None if limit is None else time.monotonic() + limit
    while True:
        try:
            item = next(source)
        except StopIteration as stop:
            return stop.value or "solved"
        yield item
        if deadline is not None and time.monotonic() > deadline:
            return "time_limit"


def _stats(start: float, calls: int, work: int = 0) -> Stats:
    """Time, certificate oracle calls, and the algorithm's own step count (for the lab)."""
    counters = {"algorithm_steps": work} if work else {}
    return Stats(seconds=time.perf_counter() - start, oracle_calls=calls, work=counters)


def _names(gam: Any, indices: Iterable[int]) -> tuple[str, ...]:
    return tuple(gam.features[i].name for i in sorted(indices))


def _values(problem: Problem, indices: Iterable[int]) -> tuple[Any, ...]:
    return tuple(problem.x[i] for i in sorted(indices))


def _indices(gam: Any, names: Iterable[str]) -> set[int]:
    return {gam.index(name) for name in names}


# -- independent verification ----------------------------------------------------------------
def _flips(gam: Any, x: tuple[Any, ...], point: Any, may_change: set[int]) -> bool:
    """Whether ``point`` lies in the domain, agrees with x off ``may_change`` and changes
    the prediction of x (exactly)."""
    if point is None or len(point) != len(x):
        return False
    try:
        gam.instance(list(point))
    except InvalidInstanceError:
        return False
    if any(point[i] != x[i] for i in range(len(x)) if i not in may_change):
        return False
    return _differs(gam, gam.score_exact(x), gam.score_exact(point))


def _differs(gam: Any, original: Exact, other: Exact) -> bool:
    task = gam.task
    if isinstance(task, Classification):
        return task.label_exact(original) != task.label_exact(other)
    delta = Fraction(task.tolerance)
    return compare(other - original, delta) > 0 or compare(original - other, delta) > 0


def _verify_sufficiency(
    gam: Any, x: tuple[Any, ...], kept: set[int] | frozenset[int], cert: Any
) -> bool:
    if isinstance(cert, Enumeration):
        return _verify_enumeration(gam, x, kept, cert)
    if isinstance(cert, PairWorstCase):
        return _verify_pairs(gam, x, kept, cert)
    if not isinstance(cert, WorstCase) or _indices(gam, cert.kept) != set(kept) or gam.pairs:
        return False
    free = [i for i in range(gam.n_features) if i not in kept]
    score = gam.score_exact(x)
    task = gam.task
    if isinstance(task, Classification):
        sides: tuple[str, ...] = ("min",) if task.label_exact(score) == 1 else ("max",)
    else:
        sides = ("min", "max")
    by_key = {(b.feature, b.side): b for b in cert.bounds}
    base = Fraction(gam.intercept) + sum(
        (gam.features[i].contribution_exact(x[i]) for i in kept), Fraction(0)
    )
    ends = {}
    for side in sides:
        bounds = [by_key.get((gam.features[i].name, side)) for i in free]
        if any(b is None or not _bound_valid(gam, b) for b in bounds):
            return False
        total = base + sum((b.value for b in bounds if b is not None), Fraction(0))
        ends[side] = (total, any(b is not None and not b.attained for b in bounds))
    return _keeps(gam, score, ends)


def _sides(gam: Any, score: Exact) -> tuple[str, ...]:
    task = gam.task
    if isinstance(task, Classification):
        return ("min",) if task.label_exact(score) == 1 else ("max",)
    return ("min", "max")


def _verify_pairs(
    gam: Any, x: tuple[Any, ...], kept: set[int] | frozenset[int], cert: PairWorstCase
) -> bool:
    """Re-check a pairwise worst case: the unpaired free features' bounds as for additive
    models, and per direction the paired part by its point (exact score) and its dual."""
    if _indices(gam, cert.kept) != set(kept):
        return False
    free = [i for i in range(gam.n_features) if i not in kept]
    paired = {j for pair in gam.pairs for j in pair.features}
    unpaired = [i for i in free if i not in paired]
    score = gam.score_exact(x)
    by_key = {(b.feature, b.side): b for b in cert.bounds}
    parts = {part.side: part for part in cert.pairs}
    ends = {}
    for side in _sides(gam, score):
        bounds = [by_key.get((gam.features[i].name, side)) for i in unpaired]
        part = parts.get(side)
        if part is None or any(b is None or not _bound_valid(gam, b) for b in bounds):
            return False
        if not _pair_part_valid(gam, x, free, paired, part):
            return False
        total = part.value + sum((b.value for b in bounds if b is not None), Fraction(0))
        ends[side] = (total, any(b is not None and not b.attained for b in bounds))
    return _keeps(gam, score, ends)


def _pair_part_valid(
    gam: Any, x: tuple[Any, ...], free: list[int], paired: set[int], part: PairBound
) -> bool:
    """The point attains ``part.value`` exactly, and no completion of the paired features
    does better: the messages' inequalities (or, for CP-SAT, a fresh solve) over signatures
    sampled from the domain independently of the cells the solver used."""
    point = list(x)
    moved = set()
    for name, value in part.point:
        point[gam.index(name)] = value
        moved.add(gam.index(name))
    if moved != {i for i in free if i in paired}:
        return False
    try:
        gam.instance(point)
    except InvalidInstanceError:
        return False
    others = sum((gam.features[i].contribution_exact(x[i]) for i in free if i not in paired),
                 Fraction(0))  # fmt: skip
    if compare(gam.score_exact(point) - others, part.value) != 0:
        return False
    sign = 1 if part.side == "min" else -1
    unary = {}
    for j in sorted(moved):
        effects = _signature_effects(gam, j, sign)
        if effects is None:
            return False
        unary[j] = effects
    factors = factors_of(gam, x, free, unary, sign)
    domains = {j: list(effects) for j, effects in unary.items()}
    if part.steps is None:
        from gamexplain.algorithms.pairwise import _cpsat_minimum

        bound: Fraction | None = _cpsat_minimum(domains, factors)[0]
    else:
        bound = check_messages(domains, factors, part.steps)
    return bound is not None and bound == sign * part.value


def _signature_effects(gam: Any, j: int, sign: int) -> dict[tuple[int, ...], Fraction] | None:
    """Per signature (pair bins) of feature j, the lowest sign·main effect, from points
    that meet every part of the domain where the effect and the bins are constant; None
    when the shape is not constant between its breakpoints."""
    feature = gam.features[j]
    axes = [(p, pair.features.index(j)) for p, pair in enumerate(gam.pairs) if j in pair.features]
    points = _sample_points(gam, feature, axes)
    if points is None:
        return None
    best: dict[tuple[int, ...], Fraction] = {}
    for v in points:
        key = tuple(gam.pairs[p].bin_of(a, feature, v) for p, a in axes)
        effect = sign * Fraction(feature.contribution_exact(v))
        if key not in best or effect < best[key]:
            best[key] = effect
    return {key: sign * value for key, value in best.items()}


def _sample_points(gam: Any, feature: Any, axes: list[tuple[int, int]]) -> list[Any] | None:
    domain, shape = feature.domain, feature.shape
    if isinstance(domain, Finite):
        return list(domain.values)
    if not isinstance(shape, Piecewise):
        return None
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {Fraction(b) for b in shape.breakpoints}
    cuts |= {Fraction(e) for p, a in axes for e in gam.pairs[p].edges[a] or ()}
    inside = sorted({c for c in cuts if low < c <= high} | {low, high})
    if isinstance(domain, Integers):
        inside = sorted({Fraction(math.ceil(c)) for c in inside if math.ceil(c) <= high})
    breaks = [Fraction(b) for b in shape.breakpoints]
    for here, after in zip(inside, [*inside[1:], None], strict=True):
        k = max(0, min(len(shape.coefficients) - 1, bisect.bisect_right(breaks, here) - 1))
        single = after is None or (isinstance(domain, Integers) and after == here + 1)
        if not single and any(Fraction(c) != 0 for c in shape.coefficients[k][1:]):
            return None
    return [int(v) if isinstance(domain, Integers) else v for v in inside]


def _keeps(gam: Any, score: Exact, ends: dict[str, tuple[Exact, bool]]) -> bool:
    task = gam.task
    if not isinstance(task, Classification):
        delta = Fraction(task.tolerance)
        return (
            compare(ends["max"][0] - score, delta) <= 0
            and compare(score - ends["min"][0], delta) <= 0
        )
    t = task.threshold_exact
    if "min" in ends:
        low, open_end = ends["min"]
        side = compare(low, t)
        return side > 0 or (side == 0 and (task.positive == ">=" or open_end))
    high, open_end = ends["max"]
    side = compare(high, t)
    return side < 0 or (side == 0 and (task.positive == ">" or open_end))


def _verify_enumeration(
    gam: Any, x: tuple[Any, ...], kept: set[int] | frozenset[int], cert: Enumeration
) -> bool:
    axes = []
    for i, feature in enumerate(gam.features):
        domain = feature.domain
        if i in kept:
            axes.append([x[i]])
        elif isinstance(domain, Finite):
            axes.append(list(domain.values))
        elif isinstance(domain, Integers):
            axes.append(list(range(domain.low, domain.high + 1)))
        else:
            return False
    score = gam.score_exact(x)
    count = 0
    for z in itertools.product(*axes):
        count += 1
        if _differs(gam, score, gam.score_exact(z)):
            return False
    return count == cert.count and _indices(gam, cert.kept) == set(kept)


def _bound_valid(gam: Any, bound: FeatureBound) -> bool:
    """The claimed extremum bounds the contribution over the whole domain (strictly when
    claimed unattained) and is reached at, or approached toward, its argument."""
    feature = gam.features[gam.index(bound.feature)]
    sign = 1 if bound.side == "min" else -1
    try:
        if isinstance(feature.domain, Finite):
            values = [feature.contribution_exact(v) for v in feature.domain.values]
            holds = all(sign * compare(v, bound.value) >= 0 for v in values)
            return holds and bound.attained and _reached(feature, bound)
        segments = [s for s in lower(feature) if isinstance(s, Segment)]
    except PieceLimitError:
        return False
    strict = not bound.attained
    if not all(_segment_bounded(s, bound.value, sign, strict) for s in segments):
        return False
    if bound.attained:
        return _reached(feature, bound)
    return any(
        s.high == bound.argument and not s.closed
        and compare(polyval(s.coefficients, s.high - s.anchor), bound.value) == 0
        for s in segments
    )  # fmt: skip


def _reached(feature: Any, bound: FeatureBound) -> bool:
    try:
        feature.check_value(bound.argument)
    except InvalidInstanceError:
        return False
    return compare(feature.contribution_exact(bound.argument), bound.value) == 0


_X = sympy.Symbol("x", real=True)


def _segment_bounded(segment: Segment, value: Exact, sign: int, strict: bool) -> bool:
    """sign·(p − value) ≥ 0 on the segment (> 0 when ``strict``), by sympy root isolation."""
    shift = to_sympy(segment.anchor)
    poly = sympy.Poly(
        sum(
            (to_sympy(c) * (_X - shift) ** r for r, c in enumerate(segment.coefficients)),
            sympy.Integer(0),
        ),
        _X,
    )
    low, high = segment.low, segment.high
    inside = [r for r in _real_roots(poly.diff(_X)) if compare(r, low) > 0 and compare(r, high) < 0]
    if segment.integers:
        candidates: list[Exact] = [low, high]
        for r in inside:
            floor = sympy.floor(r)
            candidates += [Fraction(int(floor)), Fraction(int(floor) + 1)]
    else:
        candidates = [low, high, *inside]
    for point in candidates:
        if sign * compare(polyval(segment.coefficients, point - segment.anchor), value) < 0:
            return False
    if not strict:
        return True
    if not isinstance(value, Fraction):
        return False
    level = poly - to_sympy(value)
    if level.is_zero:
        return False
    for r in _real_roots(level):
        if segment.integers:
            touches = isinstance(r, Fraction) and r.denominator == 1 and low <= r <= high
        else:
            touches = compare(r, low) >= 0 and (
                compare(r, high) < 0 or (segment.closed and compare(r, high) == 0)
            )
        if touches:
            return False
    return True


def _real_roots(poly: sympy.Poly) -> list[Exact]:
    if poly.degree() <= 0:
        return []
    roots = []
    for r in set(sympy.real_roots(poly)):
        roots.append(Fraction(int(r.p), int(r.q)) if r.is_Rational else r)
    return roots


# -- words -----------------------------------------------------------------------------
def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    number = to_float(value)
    return str(int(number)) if number.is_integer() else f"{number:.6g}"


def _count(n: int) -> str:
    return f"{n} feature is" if n == 1 else f"{n} features are"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _keeping(names: tuple[str, ...], values: tuple[Any, ...]) -> str:
    if not names:
        return "keeping nothing"
    return "keeping " + _join([f"{n} = {_show(v)}" for n, v in zip(names, values, strict=True)])


def _target(problem: Problem) -> str:
    task = problem.gam.task
    if isinstance(task, Classification):
        return f"class {problem.prediction}"
    return f"a score within {_show(Fraction(task.tolerance))} of {_show(problem.score)}"


def _moved(problem: Problem, point: tuple[Any, ...]) -> str:
    gam = problem.gam
    moved = [i for i in range(gam.n_features) if point[i] != problem.x[i]]
    what = _join([f"{gam.features[i].name} = {_show(point[i])}" for i in moved] or ["x itself"])
    after = gam.predict_exact(point)
    shown = (
        f"class {after}" if isinstance(gam.task, Classification) else f"the score {_show(after)}"
    )
    return f"{what} gives {shown}"


def _change_text(
    names: tuple[str, ...], values: tuple[Any, ...], before: Any, after: Any, target: str
) -> str:
    moved = _join(list(names)) + " to " + _join([_show(v) for v in values])
    if target.startswith("class"):
        return f"changing only {moved} flips the prediction from {before} to {after}"
    return (
        f"changing only {moved} moves the score from {_show(before)} to {_show(after)}, "
        f"leaving {target}"
    )
