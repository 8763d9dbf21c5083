"""Multiclass questions that compare several classes at one point, as multiple-choice
systems (:mod:`gamexplain.algorithms.choice_system`).

- **Redundancy** (thm:multiclass-fr): feature j changes the argmax at some point iff for
  some classes c < c' a pick of the other features' values and two values v, w of j makes
  c win with v and c' win with w. Per pair {c, c'} one system: the groups are the other
  features in model order, then j (the first point's value), then j again (the
  second's); the constraints "c beats d" for d ≠ c at the first point, then "c' beats d"
  for d ≠ c' at the second, strict when the tie goes to d (d < c).
- **Contrastive reasons toward a target class t** (thm:multiclass-mcr-target): changing
  only the free features can make t win with at most b changes iff a pick meets
  "t beats d" for every d ≠ t and the budget b − (number changed) ≥ 0. The groups are the
  free features in model order, each with its own value first (no change) and every
  other contribution vector after it.

A feature's options are its values up to equal class contributions: the domain of a
finite feature, one point per piece of a step function (EBM bins), every integer of a
non-constant piece on integers. Features whose contribution varies continuously on a
real interval, and pair terms, are refused by ``applies``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.choice_system import ChoiceSystem, Exhausted, solve
from gamexplain.algorithms.hitting_set import marco, only
from gamexplain.certify.choice import Node
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.substrate.pieces import Point, Segment, lower

__all__ = [
    "FrOutcome",
    "TargetAnswer",
    "TargetOracle",
    "TargetProblem",
    "class_vector",
    "enum_cr_target",
    "feature_options",
    "fr_choice",
    "mcr_target",
]

MAX_INTEGER_OPTIONS = 10_000

Vector = tuple[Fraction, ...]


def _multiclass(cell: Any) -> bool:
    return cell.task == "multiclass"


def _toward_target(cell: Any) -> bool:
    return cell.task == "multiclass" and cell.variant == "target"


def _supported(gam: Any, options: Any = None) -> str | None:
    if gam.pairs:
        return "multiclass models with pair terms are not supported yet"
    for i in range(gam.n_features):
        try:
            feature_options(gam, i)
        except UnsupportedQueryError as error:
            return str(error)
    return None


# -- options -------------------------------------------------------------------------------------
def _natural(value: Fraction, integers: bool) -> Any:
    if integers:
        return int(value)
    return float(value) if Fraction(float(value)) == value else value


def _at(segment: Segment, v: Fraction) -> Fraction:
    if segment.degree == 0:
        return segment.coefficients[0]
    y = v - segment.anchor
    total = Fraction(0)
    for c in reversed(segment.coefficients):
        total = total * y + c
    return total


def feature_options(gam: Any, i: int) -> tuple[tuple[Any, Vector], ...]:
    """Feature i's values up to equal class contributions, each with its K contributions
    (kept on the model, which is immutable).

    Raises
    ------
    UnsupportedQueryError
        The contribution varies continuously on a real interval, or a non-constant
        integer piece holds more than :data:`MAX_INTEGER_OPTIONS` integers.
    """
    cache: dict[int, Any] = gam.__dict__.setdefault("_choice_options", {})
    if i not in cache:
        cache[i] = _options(gam, i)
    found = cache[i]
    if isinstance(found, UnsupportedQueryError):
        raise found
    return found


def _options(gam: Any, i: int) -> Any:
    try:
        return _lowered_options(gam, i)
    except UnsupportedQueryError as error:
        return error


def _lowered_options(gam: Any, i: int) -> tuple[tuple[Any, Vector], ...]:
    lowered = [lower(m.features[i]) for m in gam.scores]
    out: dict[Vector, Any] = {}
    if isinstance(lowered[0][0], Point):
        for k, point in enumerate(lowered[0]):
            vec = tuple(Fraction(low[k].contribution) for low in lowered)  # type: ignore[union-attr]
            out.setdefault(vec, point.value)
        return tuple((v, vec) for vec, v in out.items())
    for k, segment in enumerate(lowered[0]):
        pieces: list[Segment] = [low[k] for low in lowered]  # type: ignore[misc]
        if all(s.degree == 0 for s in pieces):
            values: Sequence[Fraction] = [segment.low]
        elif segment.integers and segment.high - segment.low < MAX_INTEGER_OPTIONS:
            values = [segment.low + r for r in range(int(segment.high - segment.low) + 1)]
        else:
            raise UnsupportedQueryError(
                f"feature {gam.feature_names[i]!r} varies continuously on a piece; multiclass "
                "redundancy and target-class reasons need finite domains, step functions "
                "or integer pieces"
            )
        for v in values:
            out.setdefault(tuple(_at(s, v) for s in pieces), _natural(v, segment.integers))
    return tuple((v, vec) for vec, v in out.items())


def class_vector(gam: Any, i: int, value: Any) -> Vector:
    """The K exact contributions of feature i at ``value``."""
    return tuple(Fraction(m.features[i].contribution_exact(value)) for m in gam.scores)


def _beats(vec: Vector, c: int, d: int) -> Fraction:
    return vec[c] - vec[d]


# -- redundancy ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FrOutcome:
    """What :func:`fr_choice` returns: a witness (point, its value of j, the other value,
    the two class indices) or per class pair its refutation, or a box tree
    (:mod:`gamexplain.certify.multiclass_pair_boxes`); ``status`` says when the search
    stopped early."""

    holds: bool
    witness: tuple[tuple[Any, ...], Any, Any, tuple[int, int]] | None = None
    refutations: tuple[tuple[int, int, Node], ...] = ()
    tree: Any = None
    status: str = "solved"
    message: str = ""
    work: dict[str, int] = field(default_factory=dict)


def _pair_system(gam: Any, j: int, c: int, e: int, options: Sequence[Any]) -> ChoiceSystem:
    k = gam.n_classes
    first = [d for d in range(k) if d != c]
    second = [d for d in range(k) if d != e]
    zeros = tuple(Fraction(0) for _ in second)
    groups = [
        tuple((v, tuple(_beats(vec, c, d) for d in first) + tuple(_beats(vec, e, d)
                                                              for d in second))
              for v, vec in options[i])
        for i in range(gam.n_features) if i != j
    ]  # fmt: skip
    groups.append(tuple((v, tuple(_beats(vec, c, d) for d in first) + zeros)
                        for v, vec in options[j]))  # fmt: skip
    groups.append(tuple((v, tuple(Fraction(0) for _ in first) + tuple(_beats(vec, e, d)
                                                                      for d in second))
                        for v, vec in options[j]))  # fmt: skip
    beta = [Fraction(m.intercept) for m in gam.scores]
    constant = tuple(beta[c] - beta[d] for d in first) + tuple(beta[e] - beta[d] for d in second)
    strict = tuple(d < c for d in first) + tuple(d < e for d in second)
    # "c beats e" at one point and "e beats c" at the other: the shared features cancel,
    # so these halves refute every node where the feature cannot move D_ce by itself
    half = Fraction(1, 2)
    cancel = tuple(half if d == e else Fraction(0) for d in first) + tuple(
        half if d == c else Fraction(0) for d in second)  # fmt: skip
    return ChoiceSystem(tuple(groups), constant, strict, (cancel,))


@register_algorithm(
    "fr",
    "class-pairs",
    summary="per pair of classes, a Lagrangian branch and bound over the other features' "
    "values for a point where one wins and a change of the feature makes the other win",
    theorem="thm:multiclass-fr",
    priority=10,
    solves=_multiclass,
    applies=_supported,
    fallback_on=("budget_exhausted",),
    multiclass=True,
)
def fr_choice(gam: Any, feature: int, *, max_states: int, time_limit: float | None) -> FrOutcome:
    """Whether ``feature`` of a multiclass model can change the argmax on its own.

    Notes
    -----
    coNP-complete (thm:multiclass-fr). K(K − 1)/2 multiple-choice systems of 2(K − 1)
    constraints; each node solves one LP over the options; exponential in the worst case,
    ``max_states`` bounds the nodes of each system.
    """
    options = [feature_options(gam, i) for i in range(gam.n_features)]
    counts: dict[str, int] = {"nodes": 0}
    refutations = []
    for c in range(gam.n_classes):
        for e in range(c + 1, gam.n_classes):
            alone: dict[str, int] = {}
            try:
                pick, tree = solve(_pair_system(gam, feature, c, e, options), max_states, alone)
            except Exhausted:
                return FrOutcome(False, status="budget_exhausted", work=counts,
                                 message=f"a class pair's search passed {max_states} nodes")
            finally:
                counts["nodes"] += alone.get("nodes", 0)
            if pick is not None:
                return FrOutcome(False, _fr_witness(gam, feature, pick, c, e), work=counts)
            assert tree is not None
            refutations.append((c, e, tree))
    return FrOutcome(True, refutations=tuple(refutations), work=counts)


def _fr_witness(
    gam: Any, j: int, pick: tuple[Any, ...], c: int, e: int
) -> tuple[tuple[Any, ...], Any, Any, tuple[int, int]]:
    rest = list(pick[:-2])
    v, w = pick[-2], pick[-1]
    point = tuple([*rest[:j], v, *rest[j:]])
    return point, v, w, (c, e)


# -- contrastive reasons toward a target class ---------------------------------------------------
@dataclass(frozen=True, eq=False)
class TargetProblem:
    """A target-class contrastive question: the model, x, the target class index, the
    features that may not change."""

    gam: Any
    x: tuple[Any, ...]
    target: int
    fixed: frozenset[int]
    max_nodes: int = 100_000
    counts: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def free(self) -> tuple[int, ...]:
        return tuple(i for i in range(self.gam.n_features) if i not in self.fixed)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


@dataclass(frozen=True)
class TargetAnswer:
    """The fewest changed features that make the target win: the witness (None when no
    change of the free features does) and the refutation of one change fewer (of any
    change when there is no witness; None when the witness changes nothing)."""

    witness: tuple[Any, ...] | None
    changed: frozenset[int] | None
    refutation: Node | None


def target_system(problem: TargetProblem, budget: int) -> ChoiceSystem:
    """The system "t wins with at most ``budget`` free features changed"."""
    gam, t, x = problem.gam, problem.target, problem.x
    rivals = [d for d in range(gam.n_classes) if d != t]
    constant = [Fraction(gam.scores[t].intercept) - Fraction(gam.scores[d].intercept)
                for d in rivals]  # fmt: skip
    for i in problem.fixed:
        here = class_vector(gam, i, x[i])
        constant = [b + _beats(here, t, d) for b, d in zip(constant, rivals, strict=True)]
    groups = []
    for i in problem.free:
        here = class_vector(gam, i, x[i])
        options = [(x[i], (*tuple(_beats(here, t, d) for d in rivals), Fraction(0)))]
        options += [(v, (*tuple(_beats(vec, t, d) for d in rivals), Fraction(-1)))
                    for v, vec in feature_options(gam, i) if vec != here]  # fmt: skip
        groups.append(tuple(options))
    strict = (*tuple(d < t for d in rivals), False)
    return ChoiceSystem(tuple(groups), (*constant, Fraction(budget)), strict)


def _solve(problem: TargetProblem, budget: int) -> tuple[tuple[Any, ...] | None, Node | None]:
    return solve(target_system(problem, budget), problem.max_nodes, problem.counts)


@register_algorithm(
    "mcr",
    "target-branch-and-bound",
    summary="toward a target class: the K − 1 constraints 'target beats d' and a budget "
    "of changed features, by Lagrangian branch and bound, lowering the budget",
    theorem="thm:multiclass-mcr-target",
    priority=20,
    solves=_toward_target,
    applies=lambda gam, options: (
        "it answers a target class only" if options.get("target") is None
        else _supported(gam)
    ),
    multiclass=True,
)
def mcr_target(problem: TargetProblem, time_limit: float | None = None) -> TargetAnswer:
    """A minimum-size set of free features whose change makes the target class win.

    Notes
    -----
    NP-complete from K = 3 (thm:multiclass-mcr-target). One system with no binding
    budget, then one per budget below the best witness so far; each is a Lagrangian
    branch and bound, exponential in the worst case.

    Raises
    ------
    Exhausted
        A system's search passed ``problem.max_nodes`` nodes.
    """
    free = problem.free
    pick, tree = _solve(problem, len(free))
    if pick is None:
        return TargetAnswer(None, None, tree)
    while True:
        changed = frozenset(i for i, v in zip(free, pick, strict=True) if v != problem.x[i])
        if not changed:
            return TargetAnswer(problem.x, changed, None)
        better, tree = _solve(problem, len(changed) - 1)
        if better is None:
            point = list(problem.x)
            for i, v in zip(free, pick, strict=True):
                point[i] = v
            return TargetAnswer(tuple(point), changed, tree)
        pick = better


# -- every subset-minimal contrastive reason toward a target class ---------------------------------
class TargetOracle:
    """The sufficiency oracle of :func:`~gamexplain.algorithms.hitting_set.marco` toward a
    target: keeping ``kept`` is "sufficient" when no change of the other free features
    makes the target win (a refuted system)."""

    def __init__(self, problem: TargetProblem) -> None:
        self.problem = problem

    def _keeping(self, kept: Any) -> tuple[tuple[Any, ...] | None, Node | None]:
        narrowed = replace(self.problem, fixed=self.problem.fixed | frozenset(kept),
                           counts=self.problem.counts)  # fmt: skip
        self.problem.count("systems")
        pick, tree = _solve(narrowed, len(narrowed.free))
        if pick is None:
            return None, tree
        point = list(self.problem.x)
        for i, v in zip(narrowed.free, pick, strict=True):
            point[i] = v
        return tuple(point), None

    def sufficient(self, kept: Any) -> bool:
        return self._keeping(kept)[0] is None

    def counterexample(self, kept: Any) -> tuple[Any, ...] | None:
        return self._keeping(kept)[0]

    def worst_case(self, kept: Any) -> Node | None:
        return self._keeping(kept)[1]


@register_algorithm(
    "enum-cr",
    "target-marco",
    summary="toward a target class: hitting-set duality (MARCO) over the oracle 'no change "
    "of the other free features makes the target win', each question a refuted or solved "
    "multiple-choice system",
    theorem="thm:multiclass-mcr-target",
    priority=20,
    solves=_toward_target,
    applies=lambda gam, options: (
        "it answers a target class only" if options.get("target") is None
        else _supported(gam)
    ),
    multiclass=True,
)
def enum_cr_target(problem: TargetProblem, time_limit: float | None = None) -> Iterator[Any]:
    """Every subset-minimal set of free features whose change can make the target win.

    Notes
    -----
    One SAT call and at most n multiple-choice systems per reason found, plus one final
    SAT call; each system is NP-complete from K = 3 (thm:multiclass-mcr-target).
    """
    return only("cr", marco(problem, TargetOracle(problem), time_limit))  # type: ignore[arg-type]
