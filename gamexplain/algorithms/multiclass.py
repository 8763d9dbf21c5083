"""Reasons of multiclass GAMs, decomposed over the rival classes.

The model predicts p at a point exactly when p beats every rival c, that is when every
rival model D_pc = score_p − score_c (:func:`gamexplain.model.multiclass.rival_model`)
predicts class 1 there. So

- S is sufficient iff it is sufficient for every D_pc (thm:multiclass-csr);
- C is contrastive iff it is contrastive for some D_pc, and a minimum-size contrastive
  reason is the smallest of the K − 1 rivals' minimum ones (thm:multiclass-mcr);
- a minimum-size sufficient reason must satisfy the K − 1 worst-case constraints at
  once, which is NP-hard from K = 3 (thm:multiclass-msr-np); it is found exactly by
  implicit hitting sets: every completion that breaks a candidate gives a contrastive
  set that every sufficient reason must meet.

The algorithms here hold the combination logic only. The per-rival questions are asked
through :attr:`MulticlassProblem.rival`, which the query layer supplies: it answers with
the binary queries' own certified results, so every per-rival step keeps its certificate.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gamexplain.algorithms.hitting_set import marco, only
from gamexplain.complexity.registry import register_algorithm
from gamexplain.substrate import deadline

__all__ = [
    "MulticlassProblem",
    "PerClass",
    "RivalCheck",
    "attributions_per_class",
    "csr_rivals",
    "enum_cr_rivals",
    "enum_sr_rivals",
    "mcr_rivals",
    "minimal_rivals",
    "msr_rivals",
]

Rival = Callable[[str, int, frozenset[int]], Any]
Decide = Callable[[int, frozenset[int]], "tuple[bool, tuple[Any, ...] | None]"]


@dataclass(frozen=True, eq=False)
class MulticlassProblem:
    """A reason question on a multiclass model.

    Attributes
    ----------
    gam : MulticlassGAM
        The model, widened to hold ``x``.
    x : tuple
    prediction : int
        The index of the predicted class.
    fixed : frozenset of int
        Features that may not change.
    rival : callable
        ``rival(query, c, S)`` answers the binary question ``query`` ("csr" with the kept
        set S, "mcr" or "mcr-nearest" with the fixed set S) on the rival model of
        class ``c`` with a certified result.
    decide : callable
        ``decide(c, S)``: whether keeping S (fixed features included) keeps p against
        rival c, and if not a completion where c wins; the search runs on it, and only
        the answer's final proofs go through ``rival``.
    asked : MulticlassGAM
        The model as the user gave it (before widening), which results name.
    """

    gam: Any
    x: tuple[Any, ...]
    prediction: int
    fixed: frozenset[int]
    rival: Rival = field(repr=False)
    decide: Decide = field(repr=False)
    asked: Any = field(default=None, repr=False)
    counts: dict[str, int] = field(default_factory=dict, repr=False)
    #: What a search knows so far, for a run the deadline stops (``"cores"`` and
    #: ``"lower"`` of :func:`msr_rivals`).
    progress: dict[str, Any] = field(default_factory=dict, repr=False)

    def count(self, what: str, by: int = 1) -> None:
        """Add to a deterministic work counter (reported in the result's ``stats``)."""
        self.counts[what] = self.counts.get(what, 0) + by

    @property
    def rivals(self) -> tuple[int, ...]:
        return tuple(c for c in range(self.gam.n_classes) if c != self.prediction)

    @property
    def free(self) -> frozenset[int]:
        return frozenset(range(self.gam.n_features)) - self.fixed


@dataclass(frozen=True)
class RivalCheck:
    """Whether a kept set is sufficient: per rival the binary result, in rival order,
    stopping at the first rival that can win (its result holds the breaking point)."""

    results: tuple[tuple[int, Any], ...]

    def __bool__(self) -> bool:
        return all(bool(r) for _, r in self.results)

    @property
    def witness(self) -> tuple[Any, ...] | None:
        broken = [r for _, r in self.results if not r]
        return broken[0].certificate.witness if broken else None


def _multiclass(cell: Any) -> bool:
    # the default questions only: toward a given class is the [target] variant's
    return cell.task == "multiclass" and not cell.variant


def _search(problem: MulticlassProblem, kept: frozenset[int]) -> tuple[Any, ...] | None:
    """None when keeping ``kept`` keeps the class against every rival, else a completion
    that changes it (uncertified: the caller proves its answer with :func:`_check`, and
    every point it keeps is re-evaluated by ``verify``)."""
    for c in problem.rivals:
        deadline.check()
        problem.count("rival_checks")
        holds, point = problem.decide(c, kept | problem.fixed)
        if not holds:
            return point
    return None


def _check(problem: MulticlassProblem, kept: frozenset[int]) -> RivalCheck:
    results = []
    for c in problem.rivals:
        deadline.check()
        problem.count("rival_checks")
        result = problem.rival("csr", c, kept | problem.fixed)
        results.append((c, result))
        if not result:
            break
    return RivalCheck(tuple(results))


@register_algorithm(
    "csr",
    "rivals",
    summary="the binary worst case against each of the K − 1 rival classes",
    theorem="thm:multiclass-csr",
    priority=10,
    solves=_multiclass,
    multiclass=True,
)
def csr_rivals(
    problem: MulticlassProblem, kept: frozenset[int], time_limit: float | None = None
) -> RivalCheck:
    """Whether keeping ``kept`` keeps the predicted class: one check per rival class.

    Notes
    -----
    K − 1 binary sufficiency checks (thm:multiclass-csr); each is O(n) after the
    per-feature primitive for additive models.
    """
    return _check(problem, kept)


@register_algorithm(
    "mcr",
    "rivals",
    summary="the minimum contrastive reason against each rival class; the smallest wins",
    theorem="thm:multiclass-mcr",
    priority=10,
    solves=_multiclass,
    # "some class other than the prediction wins": a target class is another question
    applies=lambda gam, options: (
        None if options.get("target") is None else "it answers 'any other class' only"
    ),
    multiclass=True,
)
def mcr_rivals(
    problem: MulticlassProblem, nearest: bool = False, time_limit: float | None = None
) -> tuple[tuple[int, Any], ...]:
    """Every rival class's minimum contrastive reason (the query keeps the smallest);
    with ``nearest``, each with its nearest witness.

    Notes
    -----
    K − 1 binary greedy runs, O(K·n log n) after the primitive (thm:multiclass-mcr);
    nearest witnesses add K − 1 Pareto-frontier searches (thm:mcr-nearest).
    """
    out = []
    question = "mcr-nearest" if nearest else "mcr"
    for c in problem.rivals:
        deadline.check()
        problem.count("rival_checks")
        out.append((c, problem.rival(question, c, problem.fixed)))
    return tuple(out)


@dataclass(frozen=True)
class Deletion:
    """A subset-minimal sufficient reason with its proofs.

    ``kept`` is the reason (fixed features included), ``check`` its per-rival
    sufficiency, ``breakers`` per dropped-and-restored feature the point that breaks the
    reason without it.
    """

    kept: frozenset[int]
    check: RivalCheck
    breakers: tuple[tuple[int, tuple[Any, ...]], ...]


@register_algorithm(
    "minimal-sr",
    "rivals-deletion",
    summary="drop features while every rival's worst case still loses",
    theorem="thm:multiclass-csr",
    priority=10,
    solves=_multiclass,
    multiclass=True,
)
def minimal_rivals(problem: MulticlassProblem, time_limit: float | None = None) -> Deletion:
    """A subset-minimal sufficient reason by deletion.

    Notes
    -----
    n·(K − 1) binary sufficiency checks (thm:multiclass-csr).
    """
    kept = frozenset(range(problem.gam.n_features))
    breakers: dict[int, tuple[Any, ...]] = {}
    for j in sorted(problem.free):
        point = _search(problem, kept - {j})
        if point is None:
            kept -= {j}
        else:
            breakers[j] = point
    return Deletion(kept, _check(problem, kept), tuple(sorted(breakers.items())))


@dataclass(frozen=True)
class HittingSet:
    """A minimum-size sufficient reason with its lower-bound record.

    ``cores`` are contrastive sets, each with a point that changes only that set and
    changes the class; every sufficient reason meets each of them, and ``kept`` (without
    the fixed features) is a minimum hitting set of them.
    """

    kept: frozenset[int]
    check: RivalCheck
    cores: tuple[tuple[frozenset[int], tuple[Any, ...]], ...]


def _shrink(problem: MulticlassProblem, core: frozenset[int], point: tuple[Any, ...]) -> Any:
    """A subset-minimal contrastive set inside ``core`` and its breaking point."""
    everything = frozenset(range(problem.gam.n_features))
    for j in sorted(core):
        smaller = core - {j}
        found = _search(problem, everything - smaller)
        if found is not None:
            core, point = smaller, found
    return core, point


@register_algorithm(
    "msr",
    "rivals-hitting-set",
    summary="implicit hitting sets of contrastive sets, checked against every rival",
    theorem="thm:multiclass-msr-np",
    priority=10,
    solves=_multiclass,
    multiclass=True,
)
def msr_rivals(problem: MulticlassProblem, time_limit: float | None = None) -> HittingSet:
    """A minimum-size sufficient reason by implicit hitting sets.

    Notes
    -----
    NP-hard from K = 3 classes (thm:multiclass-msr-np). Each round solves a minimum
    hitting set exactly (incremental RC2 MaxSAT, python-sat) and asks K − 1 binary
    worst cases; a failing candidate yields a
    new contrastive set disjoint from it, so the rounds are at most the number of
    subset-minimal contrastive reasons.
    """
    from pysat.examples.hitman import Hitman

    cores: list[tuple[frozenset[int], tuple[Any, ...]]] = []
    problem.progress.update(cores=cores, lower=0)
    with Hitman(htype="rc2") as hitman:
        while True:
            problem.count("maxsat_calls")
            chosen = frozenset(hitman.get() or ())
            # a minimum hitting set of the cores so far: no sufficient reason is smaller
            problem.progress["lower"] = len(chosen)
            point = _search(problem, chosen)
            if point is None:
                return HittingSet(chosen | problem.fixed, _check(problem, chosen), tuple(cores))
            moved = frozenset(i for i in problem.free if point[i] != problem.x[i]) - chosen
            core, witness = _shrink(problem, moved, point)
            cores.append((core, witness))
            hitman.hit(sorted(core))


class RivalOracle:
    """The sufficiency oracle of the hitting-set loops (:func:`marco`) on a multiclass
    problem: a kept set is sufficient when no rival can win with it kept."""

    def __init__(self, problem: MulticlassProblem) -> None:
        self.problem = problem

    def sufficient(self, kept: Iterable[int]) -> bool:
        return _search(self.problem, frozenset(kept)) is None

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        return _search(self.problem, frozenset(kept))

    def worst_case(self, kept: Iterable[int]) -> Any:
        return _check(self.problem, frozenset(kept))


def _listing(
    kind: str, problem: MulticlassProblem, time_limit: float | None
) -> Generator[frozenset[int], None, str]:
    """The reasons of one ``kind`` ("sr" or "cr") that :func:`marco` finds on the
    multiclass oracle; the generator's value is its status."""
    return only(kind, marco(problem, RivalOracle(problem), time_limit))  # type: ignore[arg-type]


_ENUM_SUMMARY = (
    "hitting-set duality (MARCO) over the multiclass oracle: K − 1 worst cases per "
    "sufficiency question"
)


@register_algorithm(
    "enum-sr", "rivals-marco", summary=_ENUM_SUMMARY, theorem="thm:multiclass-enum",
    priority=10, solves=_multiclass, multiclass=True,
)  # fmt: skip
def enum_sr_rivals(problem: MulticlassProblem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal sufficient reason (fixed features included), one at a time.

    Notes
    -----
    One SAT call and at most n·(K − 1) binary worst cases per reason found, plus one
    final SAT call (thm:multiclass-enum).
    """
    return _listing("sr", problem, time_limit)


@register_algorithm(
    "enum-cr", "rivals-marco", summary=_ENUM_SUMMARY, theorem="thm:multiclass-enum",
    priority=10, solves=_multiclass, multiclass=True,
    applies=lambda gam, options: (
        None if options.get("target") is None else "it answers 'any other class' only"
    ),
)  # fmt: skip
def enum_cr_rivals(problem: MulticlassProblem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal contrastive reason (free features only), one at a time.

    Notes
    -----
    As :func:`enum_sr_rivals` (thm:multiclass-enum).
    """
    return _listing("cr", problem, time_limit)


@dataclass(frozen=True, eq=False)
class PerClass:
    """An attribution question on a multiclass model: ``ask(c)`` answers it on class
    c's score model with a certified result (supplied by the query layer)."""

    gam: Any
    ask: Callable[[int], Any] = field(repr=False)


def _per_class(query: str) -> Callable[..., Any]:
    @register_algorithm(
        query,
        "per-class",
        summary="the closed form on each class's score model: n_features × K values",
        theorem="thm:multiclass-shap-score",
        priority=10,
        solves=_multiclass,
        multiclass=True,
    )
    def attributions_per_class(
        problem: PerClass, x: tuple[Any, ...], *, output: str, kind: str, max_states: int,
        time_limit: float | None,
    ) -> tuple[tuple[int, Any], ...]:  # fmt: skip
        """Each class score's attributions, in class order.

        Notes
        -----
        K closed forms, each linear in the model (thm:multiclass-shap-score).
        """
        return tuple((c, problem.ask(c)) for c in range(problem.gam.n_classes))

    return attributions_per_class


attributions_per_class = _per_class("shap-score")
_per_class("banzhaf-score")
