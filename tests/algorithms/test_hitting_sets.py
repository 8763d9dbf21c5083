"""The hitting-set loops over any sufficiency oracle, against brute force.

The oracle here is the most general monotone one: a set is sufficient iff it contains one
of a given family of sets. The loops must find the minimum sizes and every subset-minimal
reason brute force finds, build one hitting-set solver per search, and stop on time with
sound partial answers.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamexplain.algorithms.hitting_set import (
    marco,
    minimum_contrastive,
    minimum_sufficient,
)
from gamexplain.algorithms.worst_case import Problem


class Upward:
    """Sufficient iff ``kept`` (with the fixed features) contains a member of ``family``."""

    def __init__(self, n: int, family: list[frozenset[int]], fixed: frozenset[int]) -> None:
        self.n, self.family, self.fixed = n, family, fixed
        self.delay = 0.0

    def sufficient(self, kept: Iterable[int]) -> bool:
        time.sleep(self.delay)
        chosen = set(kept) | self.fixed
        return any(member <= chosen for member in self.family)

    def counterexample(self, kept: Iterable[int]) -> tuple[Any, ...] | None:
        return None if self.sufficient(kept) else tuple(sorted(set(kept) | self.fixed))

    def worst_case(self, kept: Iterable[int]) -> Any:
        return frozenset(kept) | self.fixed


def problem_of(n: int, fixed: frozenset[int]) -> Problem:
    return Problem(SimpleNamespace(n_features=n), (), fixed, 0, 1)


@st.composite
def questions(draw: st.DrawFn) -> tuple[Problem, Upward]:
    n = draw(st.integers(1, 6))
    features = st.frozensets(st.integers(0, n - 1), max_size=n)
    family = draw(st.lists(features, min_size=1, max_size=5))
    # keeping every feature is sufficient: x itself keeps its prediction
    family.append(frozenset(range(n)))
    fixed = draw(st.frozensets(st.integers(0, n - 1), max_size=2))
    return problem_of(n, fixed), Upward(n, family, fixed)


def brute(problem: Problem, oracle: Upward) -> tuple[set[frozenset[int]], set[frozenset[int]]]:
    """Every subset-minimal sufficient reason (with the fixed features) and contrastive one."""
    free = problem.free
    subsets = [frozenset(c) for k in range(len(free) + 1) for c in itertools.combinations(free, k)]
    sufficient = {s for s in subsets if oracle.sufficient(s)}
    contrastive = {c for c in subsets if not oracle.sufficient(set(free) - c)}
    minimal_sr = {s | problem.fixed for s in sufficient if not any(t < s for t in sufficient)}
    minimal_cr = {c for c in contrastive if not any(t < c for t in contrastive)}
    return minimal_sr, minimal_cr


@given(questions())
def test_minimum_sufficient_matches_brute_force(question: tuple[Problem, Upward]) -> None:
    problem, oracle = question
    reasons, _ = brute(problem, oracle)
    answer = minimum_sufficient(problem, oracle)
    assert answer.status == "solved" and answer.features is not None
    assert oracle.sufficient(answer.features)
    assert len(answer.features) == min(len(r) for r in reasons)
    for core, witness in answer.cores:  # each core changes alone and flips
        assert not core & problem.fixed and not oracle.sufficient(set(problem.free) - core)
        assert witness == tuple(sorted((set(problem.free) - core) | problem.fixed))


@given(questions(), st.sampled_from([0, 1, 6, 20, 500]))
def test_minimum_contrastive_matches_brute_force(
    question: tuple[Problem, Upward], budget: int
) -> None:
    """With and without the size-by-size phase (``budget``): the minimum, and cores that
    no smaller set hits (what verify re-checks)."""
    problem, oracle = question
    _, reasons = brute(problem, oracle)
    answer = minimum_contrastive(problem, oracle, enumerate_budget=budget)
    assert answer.status == "solved"
    if not reasons:
        assert answer.features is None
        return
    assert answer.features is not None
    assert not oracle.sufficient(problem.all_features - answer.features)
    size = min(len(r) for r in reasons)
    assert len(answer.features) == size
    for kept, proof in answer.cores:  # each core is a sufficient set holding the fixed ones
        assert problem.fixed <= kept and oracle.sufficient(kept) and proof == kept
    sets = [kept - problem.fixed for kept, _ in answer.cores]
    smaller = itertools.combinations(sorted(problem.free), size - 1)
    assert size == 1 or not any(all(s & set(c) for s in sets) for c in smaller)


@given(questions())
def test_marco_lists_every_minimal_reason_once(question: tuple[Problem, Upward]) -> None:
    problem, oracle = question
    sufficient, contrastive = brute(problem, oracle)
    events = marco(problem, oracle)
    found = []
    while True:
        try:
            found.append(next(events))
        except StopIteration as stop:
            assert stop.value == "solved"
            break
    assert len(found) == len(set(found))
    assert {r for kind, r in found if kind == "sr"} == sufficient
    # the listing stops early only when nothing changes the prediction at all
    if problem.fixed not in sufficient:
        assert {r for kind, r in found if kind == "cr"} == contrastive


def chain(n: int) -> tuple[Problem, Upward]:
    """Sufficient iff some pair (2k, 2k + 1) is kept: minimum sufficient size 2, minimum
    contrastive size n/2, found over several rounds."""
    family = [frozenset({k, k + 1}) for k in range(0, n - 1, 2)]
    return problem_of(n, frozenset()), Upward(n, family, frozenset())


def test_one_hitting_set_solver_per_search(monkeypatch: pytest.MonkeyPatch) -> None:
    import pysat.examples.rc2 as rc2

    built = []
    original = rc2.RC2.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(rc2.RC2, "__init__", counting)
    problem, oracle = chain(10)
    msr = minimum_sufficient(problem, oracle)
    mcr = minimum_contrastive(problem, oracle)
    assert msr.features is not None and len(msr.features) == 2 and len(msr.cores) > 1
    assert mcr.features is not None and len(mcr.features) == 5 and len(mcr.cores) > 1
    assert len(built) == 2


@pytest.mark.parametrize("search", [minimum_sufficient, minimum_contrastive])
def test_searches_stop_on_time_with_sound_bounds(search: Any) -> None:
    problem, oracle = chain(12)
    exact = search(problem, oracle)
    oracle.delay = 0.01
    start = time.perf_counter()
    cut = search(problem, oracle, time_limit=0.05)
    assert time.perf_counter() - start < 1.0
    assert cut.status == "time_limit" and cut.features is None and cut.upper is None
    assert exact.features is not None and 0 <= cut.lower <= len(exact.features)
    assert len(cut.cores) < len(exact.cores)


def test_marco_stops_on_time() -> None:
    problem, oracle = chain(12)
    oracle.delay = 0.01
    events = marco(problem, oracle, time_limit=0.05)
    found = []
    with pytest.raises(StopIteration) as stop:
        while True:
            found.append(next(events))
    assert stop.value.value == "time_limit"
    sufficient, contrastive = brute(problem, Upward(12, oracle.family, frozenset()))
    assert all(r in (sufficient if kind == "sr" else contrastive) for kind, r in found)
