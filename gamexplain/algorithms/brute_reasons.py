"""Brute force for sufficient and contrastive reasons: the reference every algorithm meets.

Sufficiency is decided by enumerating every completion; the optimising queries try every
subset of the free features. Exponential on purpose and obviously correct; it also
answers small finite models with pairwise terms, where the per-feature worst case does
not apply.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from gamexplain.algorithms.brute import brute_force_applies, completions
from gamexplain.algorithms.pair_cells import pairwise_applies
from gamexplain.algorithms.pairwise import PairOracle, pair_oracle
from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    Answer,
    Problem,
    additive_applies,
    additive_oracle,
    changes_prediction,
)
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import Exact, compare
from gamexplain.substrate import deadline

__all__ = ["BruteOracle", "Enumeration", "oracle_for"]

_SUMMARY = "enumerate every completion of every subset; the reference for small finite models"


@dataclass(frozen=True)
class Enumeration:
    """Certificate of sufficiency by enumeration: every one of ``count`` completions of
    ``kept`` keeps the prediction; their scores range over [``low``, ``high``]."""

    kept: tuple[str, ...]
    count: int
    low: Exact
    high: Exact


class BruteOracle:
    """Sufficiency by enumerating completions (memoised per kept set)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._flips: dict[frozenset[int], tuple[Any, ...] | None] = {}
        self.calls = 0

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        keep = frozenset(kept) | self.problem.fixed
        if keep not in self._flips:
            self.calls += 1
            gam = self.problem.gam
            self._flips[keep] = next(
                (
                    z
                    for z in completions(gam, self.problem.x, keep)
                    if changes_prediction(self.problem, gam.score_exact(z))
                ),
                None,
            )
        return self._flips[keep]

    def sufficient(self, kept: Iterable[int]) -> bool:
        return self.counterexample(kept) is None

    def worst_case(self, kept: Iterable[int]) -> Enumeration:
        keep = frozenset(kept) | self.problem.fixed
        gam = self.problem.gam
        scores = [gam.score_exact(z) for z in completions(gam, self.problem.x, keep)]
        low = min(scores, key=_Key)
        high = max(scores, key=_Key)
        names = tuple(gam.features[i].name for i in sorted(keep))
        return Enumeration(kept=names, count=len(scores), low=low, high=high)


class _Key:
    """Sort key comparing exact numbers exactly."""

    def __init__(self, value: Exact) -> None:
        self.value = value

    def __lt__(self, other: _Key) -> bool:
        return compare(self.value, other.value) < 0


@functools.lru_cache(maxsize=16)
def oracle_for(problem: Problem) -> AdditiveOracle | PairOracle | BruteOracle:
    """The exact oracle for a problem: the per-feature primitive when the model is purely
    additive, the pairwise worst case over cells when its paired features reduce to cells,
    enumeration otherwise (callers check :func:`oracle_applies` first).

    Cached per problem object (problems hash by identity), so an algorithm and the
    certificate built after it share the extremes they looked up.
    """
    if additive_applies(problem.gam, {}) is None:
        return additive_oracle(problem)
    if pairwise_applies(problem.gam, {}) is None:
        return pair_oracle(problem)
    return BruteOracle(problem)


def oracle_applies(gam: Any, options: Any) -> str | None:
    """None when :func:`oracle_for` has an exact oracle for ``gam``, else why not."""
    additive = additive_applies(gam, options)
    if additive is None:
        return None
    pairwise = pairwise_applies(gam, options)
    brute = brute_force_applies(gam, options)
    return None if pairwise is None or brute is None else f"{pairwise}; {brute}"


# -- the reference algorithms -------------------------------------------------------------
def _subsets(items: tuple[int, ...]) -> Iterator[frozenset[int]]:
    """Every subset, by increasing size."""
    for size in range(len(items) + 1):
        for combo in itertools.combinations(items, size):
            deadline.check()
            yield frozenset(combo)


def _minimal_sufficient(problem: Problem, oracle: BruteOracle) -> Iterator[frozenset[int]]:
    for chosen in _subsets(problem.free):
        if oracle.sufficient(chosen) and not any(oracle.sufficient(chosen - {i}) for i in chosen):
            yield chosen | problem.fixed


def _minimal_contrastive(problem: Problem, oracle: BruteOracle) -> Iterator[frozenset[int]]:
    everything = frozenset(problem.free)
    for changed in _subsets(problem.free):
        if not oracle.sufficient(everything - changed) and all(
            oracle.sufficient((everything - changed) | {i}) for i in changed
        ):
            yield changed


def _brute(query: str) -> Any:
    return register_algorithm(
        query, "brute", summary=_SUMMARY, theorem="thm:reasons-brute", priority=100,
        applies=brute_force_applies,
    )  # fmt: skip


@_brute("csr")
def csr_brute(problem: Problem, kept: frozenset[int], time_limit: float | None = None) -> bool:
    """Whether every completion of ``kept`` keeps the prediction, by enumeration."""
    return BruteOracle(problem).sufficient(kept)


@_brute("msr")
def msr_brute(problem: Problem, time_limit: float | None = None) -> Answer:
    """The first sufficient set in order of increasing size."""
    oracle = BruteOracle(problem)
    found = next(s for s in _subsets(problem.free) if oracle.sufficient(s))
    return Answer(found | problem.fixed, work=oracle.calls)


@_brute("minimal-sr")
def minimal_sr_brute(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient set, which is in particular subset-minimal."""
    return msr_brute(problem)


@_brute("enum-sr")
def enum_sr_brute(problem: Problem, time_limit: float | None = None) -> Iterator[frozenset[int]]:
    """Every subset-minimal sufficient reason, by trying every subset."""
    return _minimal_sufficient(problem, BruteOracle(problem))


@_brute("mcr")
def mcr_brute(problem: Problem, time_limit: float | None = None) -> Answer:
    """The first set of free features whose change can flip, in order of increasing size."""
    oracle = BruteOracle(problem)
    everything = frozenset(problem.free)
    found = next((c for c in _subsets(problem.free) if not oracle.sufficient(everything - c)), None)
    return Answer(found, work=oracle.calls)


@_brute("enum-cr")
def enum_cr_brute(problem: Problem, time_limit: float | None = None) -> Iterator[frozenset[int]]:
    """Every subset-minimal contrastive reason, by trying every subset."""
    return _minimal_contrastive(problem, BruteOracle(problem))
