"""The worst case of a partial instance: the substrate of sufficient and contrastive reasons.

A question about reasons fixes an instance x and a set of *kept* features (x stays on
them) and asks what the other, *free*, features can do to the prediction. This module
holds the pieces every reason algorithm shares:

* :class:`Problem`: the validated question (model, instance, ``fixed`` features, the
  prediction to keep);
* :class:`FeatureBound` and :class:`WorstCase`: the certificate of a sufficient set, one
  claimed extremum per free feature;
* :class:`AdditiveOracle`: exact answers for purely additive models from the per-feature
  primitive (THEORY §2, Lemma 1 of Bassan et al.), including concrete flipping points when
  an extremum is only approached, never attained.

For classification the oracle speaks in *lexicographic weights* (v_i, −u_i): v_i is how
far freeing feature i can push the score toward the threshold and u_i is 1 when that push
is an unattained infimum (or supremum). Lexicographic order on pairs is a total order
compatible with addition, so the sorting arguments of the greedy algorithms carry over
unchanged to ties at the threshold and unattained extremes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import Exact, compare
from gamexplain.model.task import Classification
from gamexplain.substrate.primitives import Extremum, contribution_max, contribution_min
from gamexplain.substrate.scaling import common_denominator, integers_or_none, to_integers

__all__ = [
    "AdditiveOracle",
    "Answer",
    "FeatureBound",
    "Lex",
    "Problem",
    "WorstCase",
    "additive_applies",
    "additive_oracle",
    "changes_prediction",
    "exact_sum",
    "first_reaching",
    "lex_add",
    "lex_compare",
    "lex_sum",
    "make_problem",
    "sort_lex",
]

Lex: TypeAlias = tuple[Any, int]
"""A lexicographic weight (exact value, integer tie-breaker)."""


def lex_compare(a: Lex, b: Lex) -> int:
    """-1, 0 or 1 as ``a`` is below, equal to or above ``b`` lexicographically, exactly."""
    side = compare(a[0], b[0])
    return side if side else (a[1] > b[1]) - (a[1] < b[1])


def lex_add(a: Lex, b: Lex) -> Lex:
    return (a[0] + b[0], a[1] + b[1])


def lex_sum(weights: Iterable[Lex]) -> Lex:
    items = list(weights)
    return (exact_sum(w[0] for w in items), sum(w[1] for w in items))


def exact_sum(values: Iterable[Exact]) -> Exact:
    """The exact sum; rationals are added as integers over their least common denominator
    (one normalisation instead of one per addition)."""
    items = list(values)
    if all(isinstance(v, Fraction) for v in items):
        scale = common_denominator(items)
        return Fraction(sum(to_integers(items, scale)), scale)
    return sum(items, Fraction(0))


def sort_lex(items: Iterable[int], key: Callable[[int], Lex], reverse: bool = False) -> list[int]:
    """Items sorted by an exact lexicographic key (stable)."""
    chosen = list(items)
    keys = [key(i) for i in chosen]
    firsts = integers_or_none([k[0] for k in keys])
    if firsts is not None:
        rank = {i: (v, k[1]) for i, v, k in zip(chosen, firsts, keys, strict=True)}
        return sorted(chosen, key=rank.__getitem__, reverse=reverse)
    lookup = dict(zip(chosen, keys, strict=True))

    def order(i: int, j: int) -> int:
        return lex_compare(lookup[i], lookup[j])

    return sorted(chosen, key=functools.cmp_to_key(order), reverse=reverse)


def first_reaching(weights: Sequence[Lex], budget: Lex) -> int | None:
    """The length of the shortest prefix of ``weights`` whose total reaches ``budget``
    lexicographically, or None when no prefix does."""
    values = integers_or_none([*(w[0] for w in weights), budget[0]])
    if values is not None:
        target = (values[-1], budget[1])
        total, ties = 0, 0
        for k, (v, w) in enumerate(zip(values, weights, strict=False), start=1):
            total, ties = total + v, ties + w[1]
            if (total, ties) >= target:
                return k
        return None
    running: Lex = (Fraction(0), 0)
    for k, w in enumerate(weights, start=1):
        running = lex_add(running, w)
        if lex_compare(running, budget) >= 0:
            return k
    return None


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated reason question: which features may move, and what must not change.

    Attributes
    ----------
    gam : GAM
    x : tuple
        The validated instance.
    fixed : frozenset of int
        Features that may not change: kept in every sufficient reason, never part of a
        contrastive one.
    score : Fraction or sympy number
        The exact score of ``x``.
    prediction : int or exact number
        The class of ``x`` (classification) or its score (regression).
    contributions : tuple
        β_i·f_i(x_i) exactly, per feature (the terms of ``score`` besides the intercept
        and the pair terms).
    asked : GAM or None
        The model the caller passed, whose digest results carry, when ``gam`` is its
        covering of ``x`` (:meth:`~gamexplain.model.gam.GAM.covering`); None when it is
        ``gam`` itself.
    """

    gam: Any
    x: tuple[Any, ...]
    fixed: frozenset[int]
    score: Exact
    prediction: Any
    contributions: tuple[Exact, ...] = ()
    asked: Any = None

    @property
    def model(self) -> Any:
        """The model the caller passed (``asked``, else ``gam``)."""
        return self.gam if self.asked is None else self.asked

    @property
    def free(self) -> tuple[int, ...]:
        """The features that may change, in model order."""
        return tuple(i for i in range(self.gam.n_features) if i not in self.fixed)

    @property
    def all_features(self) -> frozenset[int]:
        return frozenset(range(self.gam.n_features))


def make_problem(
    gam: Any, x: tuple[Any, ...], fixed: Iterable[int] = (), asked: Any = None
) -> Problem:
    """The problem of an already validated instance (``asked``: see :class:`Problem`)."""
    contributions = tuple(f.contribution_exact(v) for f, v in zip(gam.features, x, strict=True))
    # the sum GAM.score_exact forms, from contributions computed once for every oracle
    score: Exact = Fraction(gam.intercept)
    for c in contributions:
        score = score + c
    for pair in gam.pairs:
        i, j = pair.features
        a = pair.bin_of(0, gam.features[i], x[i])
        b = pair.bin_of(1, gam.features[j], x[j])
        score = score + Fraction(pair.values[a][b])
    prediction = gam.task.label_exact(score) if isinstance(gam.task, Classification) else score
    return Problem(gam, tuple(x), frozenset(fixed), score, prediction, contributions, asked)


def changes_prediction(problem: Problem, score: Exact) -> bool:
    """Whether a completion with this exact score has a different prediction."""
    task = problem.gam.task
    if isinstance(task, Classification):
        return bool(task.label_exact(score) != problem.prediction)
    tolerance = Fraction(task.tolerance)
    return (
        compare(score - problem.score, tolerance) > 0
        or compare(problem.score - score, tolerance) > 0
    )


def additive_applies(gam: Any, options: Any) -> str | None:
    """None when the model is purely additive, so the per-feature primitive decides.

    Networks on ranges are compiled to pieces or, past the piece limit, go to the MILP
    backend of the primitive; an extremum that backend cannot certify makes the oracle
    refuse (see :meth:`AdditiveOracle.extremum`).
    """
    if not gam.is_additive:
        return "the model has pairwise terms, so the per-feature worst case is not the model's"
    return None


@dataclass(frozen=True)
class FeatureBound:
    """A claimed extremum of one free feature's contribution.

    Attributes
    ----------
    feature : str
    side : {"min", "max"}
    value : Fraction or sympy number
        The claimed infimum (``min``) or supremum (``max``) of β_i·f_i over the domain.
    argument : object
        Where it is attained; when ``attained`` is False, the breakpoint the values
        approach from the left.
    attained : bool
    """

    feature: str
    side: str
    value: Exact
    argument: Any
    attained: bool


@dataclass(frozen=True)
class WorstCase:
    """Certificate that keeping ``kept`` fixes the prediction, whatever the rest are.

    Attributes
    ----------
    kept : tuple of str
        The features held at their values in x.
    bounds : tuple of FeatureBound
        For every other feature, its extremum in each direction that threatens the
        prediction (the minimum for class 1, the maximum for class 0, both in regression).
    low, high : exact number or None
        The infimum and supremum of the score over all completions (None for a direction
        that does not matter).
    """

    kept: tuple[str, ...]
    bounds: tuple[FeatureBound, ...]
    low: Exact | None
    high: Exact | None


class AdditiveOracle:
    """Exact worst cases of a purely additive model from the per-feature primitive.

    Parameters
    ----------
    problem : Problem
        Its model must be additive and every feature's primitive must be computable
        (see :func:`additive_applies`).

    Notes
    -----
    One primitive call per feature and direction (cached); afterwards a sufficiency
    check costs O(n) additions (THEORY §2, thm:csr-worst-case).
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._extremes: dict[tuple[int, str], Extremum] = {}
        self._pushes: dict[tuple[int, str], Exact] = {}
        self._weights: dict[int, Lex] = {}
        gam = problem.gam
        self.c = list(problem.contributions) or [
            f.contribution_exact(v) for f, v in zip(gam.features, problem.x, strict=True)
        ]
        task = gam.task
        self.classification = isinstance(task, Classification)
        if isinstance(task, Classification):
            self.sides: tuple[str, ...] = ("min",) if problem.prediction == 1 else ("max",)
            threshold = task.threshold_exact
            self.slack = (
                problem.score - threshold if problem.prediction == 1 else threshold - problem.score
            )
            strict = (problem.prediction == 1) == (task.positive == ">")
            self.budget: Lex = (self.slack, 0 if strict else 1)
        else:
            self.sides = ("min", "max")
            self.tolerance = Fraction(task.tolerance)

    def extremum(self, i: int, side: str) -> Extremum:
        """The exact extremum of feature i (raises when no backend can certify it)."""
        if (i, side) in self._extremes:
            return self._extremes[i, side]
        feature = self.problem.gam.features[i]
        e = contribution_min(feature) if side == "min" else contribution_max(feature)
        self._extremes[i, side] = e
        if not e.exact:
            raise UnsupportedQueryError(
                f"the {side}imum of feature {feature.name!r} is only bracketed in "
                f"[{e.lower}, {e.upper}] ({e.status}: {e.message}), so no exact answer"
            )
        return e

    def push(self, i: int, side: str) -> Exact:
        """How far feature i can move the score down (``min``) or up (``max``)."""
        if (i, side) not in self._pushes:
            e = self.extremum(i, side).value
            self._pushes[i, side] = self.c[i] - e if side == "min" else e - self.c[i]
        return self._pushes[i, side]

    def weight(self, i: int) -> Lex:
        """The lexicographic weight (v_i, −u_i) of freeing feature i (classification)."""
        if i not in self._weights:
            (side,) = self.sides
            self._weights[i] = (self.push(i, side), 0 if self.extremum(i, side).attained else -1)
        return self._weights[i]

    # -- the two questions every algorithm asks ---------------------------------------
    def sufficient(self, kept: Iterable[int]) -> bool:
        """Whether keeping ``kept`` (fixed features are always kept) fixes the prediction."""
        free = self._free(kept)
        if self.classification:
            return lex_compare(lex_sum(self.weight(i) for i in free), self.budget) < 0
        return all(
            compare(exact_sum(self.push(i, s) for i in free), self.tolerance) <= 0
            for s in self.sides
        )

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        """A real point that agrees with x on ``kept`` and changes the prediction, or None."""
        free = self._free(kept)
        for side in self.sides:
            total = exact_sum(self.push(i, side) for i in free)
            excess = total - self._room(side)
            if self.classification:
                # the pushes are the first terms of the weights
                ties = sum(self.weight(i)[1] for i in free)
                flips = lex_compare((total, ties), self.budget) >= 0
            else:
                flips = compare(excess, 0) > 0
            if flips:
                return self._point(free, side, excess)
        return None

    def worst_case(self, kept: Iterable[int]) -> WorstCase:
        """The certificate of sufficiency of ``kept`` (meaningful when it is sufficient)."""
        free = self._free(kept)
        gam = self.problem.gam
        bounds = []
        for i in free:
            for side in self.sides:
                e = self.extremum(i, side)
                bounds.append(
                    FeatureBound(gam.features[i].name, side, e.value, e.argument, e.attained)
                )
        score = self.problem.score
        low = score - exact_sum(self.push(i, "min") for i in free) if "min" in self.sides else None
        high = score + exact_sum(self.push(i, "max") for i in free) if "max" in self.sides else None
        names = tuple(gam.features[i].name for i in sorted(self.problem.all_features - set(free)))
        return WorstCase(kept=names, bounds=tuple(bounds), low=low, high=high)

    # -- helpers --------------------------------------------------------------------------
    def _free(self, kept: Iterable[int]) -> list[int]:
        keep = set(kept) | self.problem.fixed
        return [i for i in range(self.problem.gam.n_features) if i not in keep]

    def _room(self, side: str) -> Exact:
        return self.slack if self.classification else self.tolerance

    def _point(self, free: Sequence[int], side: str, excess: Exact) -> tuple[Any, ...]:
        point = list(self.problem.x)
        loose = [i for i in free if not self.extremum(i, side).attained]
        for i in free:
            e = self.extremum(i, side)
            if e.attained:
                point[i] = e.argument
            else:
                # an unattained extremum has a flipping point only when the excess is
                # positive; share it among the loose features
                point[i] = _approach(self.problem.gam.features[i], e, excess / len(loose))
        return tuple(point)


def _approach(feature: Any, extremum: Extremum, gap: Exact) -> Fraction:
    """A domain point left of the breakpoint where the contribution is within ``gap``."""
    from gamexplain.substrate.pieces import Segment, lower

    b = extremum.argument
    segment = next(
        s for s in lower(feature) if isinstance(s, Segment) and s.high == b and not s.closed
    )
    step = (b - segment.low) / 2
    while True:
        point = b - step
        value = feature.contribution_exact(point)
        if compare(abs(value - extremum.value), gap) < 0:
            return point
        step /= 2


@dataclass(frozen=True)
class Answer:
    """What an optimising reason algorithm returns to its query function.

    ``features`` is the reason (kept features for sufficient reasons, changed features for
    contrastive ones; None when no contrastive reason exists). A run stopped early sets
    ``status`` and brackets the optimum size in [``lower``, ``upper``]. ``cores`` is the
    lower-bound record of an implicit hitting-set search: the sets it met, each with its
    proof (a flipping point for a contrastive set, a worst case for a sufficient set).
    ``size_proof`` proves the lower bound directly
    (:class:`~gamexplain.algorithms.pair_size.SizeProof`).
    """

    features: frozenset[int] | None
    status: str = "solved"
    lower: int | None = None
    upper: int | None = None
    work: int = 0
    cores: tuple[tuple[frozenset[int], Any], ...] = ()
    size_proof: Any = None


@functools.lru_cache(maxsize=16)
def additive_oracle(problem: Problem) -> AdditiveOracle:
    """The :class:`AdditiveOracle` of a problem, shared by every caller (problems hash by
    identity), so the extremes are looked up once per question."""
    return AdditiveOracle(problem)
