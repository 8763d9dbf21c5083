"""Contrastive reasons toward a target class on multiclass models with pair terms
(thm:multiclass-mcr-target-pairs): the size found equals brute force over every set of
features and every value, the certificate check accepts it and rejects tampered ones."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import multiclass_gams

from gamexplain.algorithms.multiclass_pair_target import pair_target_search
from gamexplain.certify.multiclass_pair_target import check_pair_target, refuted_below
from gamexplain.substrate import deadline

PAIR_MODELS = multiclass_gams(
    max_features=3, components=("table", "ebm"), pairs=True,
    domain_kinds=("finite", "integers"),
).filter(lambda gam: bool(gam.pairs))  # fmt: skip

INTERVAL_PAIR_MODELS = multiclass_gams(
    max_features=3, components=("table", "ebm"), pairs=True,
    domain_kinds=("finite", "integers", "interval"),
).filter(lambda gam: bool(gam.pairs))  # fmt: skip


def _values(feature: Any) -> list[Any]:
    domain = feature.domain
    if domain.kind == "integers":
        return list(range(int(domain.low), int(domain.high) + 1))
    return list(domain.values)


def _probes(gam: Any, i: int) -> list[Any]:
    """Every value of a finite or integer feature; on an interval, every breakpoint of
    any class's shape and every pair edge inside it, the ends, and a value strictly
    between each two consecutive ones (on each gap every term is constant)."""
    feature = gam.features[i]
    if feature.domain.kind != "interval":
        return _values(feature)
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    cuts = {Fraction(b) for m in gam.scores for b in m.features[i].shape.breakpoints}
    cuts |= {Fraction(e) for p in gam.pairs for axis, k in enumerate(p.features) if k == i
             for e in p.edges[axis]}  # fmt: skip
    points = sorted({low, high} | {c for c in cuts if low < c < high})
    return points + [(a + b) / 2 for a, b in itertools.pairwise(points)]


def brute_size(gam: Any, x: tuple[Any, ...], target: int, fixed: frozenset[int]) -> int | None:
    """The least number of free features whose change makes the target win, trying every
    value of every feature (None: no change does)."""
    free = [i for i in range(gam.n_features) if i not in fixed]
    for size in range(len(free) + 1):
        for members in itertools.combinations(free, size):
            for values in itertools.product(*(_probes(gam, i) for i in members)):
                point = list(x)
                for i, v in zip(members, values, strict=True):
                    point[i] = v
                if gam.predict_index(point) == target:
                    return size
    return None


@st.composite
def questions(draw: Any) -> tuple[Any, tuple[Any, ...], int, frozenset[int]]:
    gam = draw(INTERVAL_PAIR_MODELS)
    x = tuple(draw(st.sampled_from(_probes(gam, i))) for i in range(gam.n_features))
    target = draw(st.integers(0, gam.n_classes - 1))
    fixed = frozenset(draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1)))
    return gam, x, target, fixed


@settings(max_examples=60, deadline=None)
@given(questions())
def test_size_agrees_with_brute_force_and_verifies(question: Any) -> None:
    gam, x, target, fixed = question
    answer = pair_target_search(gam, x, target, fixed)
    assert answer.proven
    expected = brute_size(gam, x, target, fixed)
    if expected is None:
        assert answer.witness is None
    else:
        assert answer.changed is not None and len(answer.changed) == expected
        assert gam.predict_index(answer.witness) == target
    assert check_pair_target(gam, x, target, fixed, answer.witness, answer.changed)


@settings(max_examples=40, deadline=None)
@given(questions())
def test_tampered_answers_fail(question: Any) -> None:
    gam, x, target, fixed = question
    answer = pair_target_search(gam, x, target, fixed)
    if answer.witness is None:
        # claiming the target wins at x itself is false when no change makes it win
        assert not check_pair_target(gam, x, target, fixed, x, frozenset())
        return
    if answer.changed:
        # a witness where some other class wins, with the same changed set, is refused
        others = [c for c in range(gam.n_classes) if c != target]
        assert not check_pair_target(gam, x, others[0], fixed, answer.witness, answer.changed)
        # claiming no witness exists is refuted by the re-enumeration
        assert not check_pair_target(gam, x, target, fixed, None, None)
        # a reason that names a feature it did not change is refused
        spare = [i for i in range(gam.n_features) if i not in answer.changed]
        if spare:
            assert not check_pair_target(gam, x, target, fixed, answer.witness,
                                         answer.changed | {spare[0]})  # fmt: skip
    elif gam.predict_index(x) != target:
        assert not check_pair_target(gam, x, target, fixed, x, frozenset())


@settings(max_examples=5, deadline=None)
@given(questions())
def test_time_limit_returns_unproven(question: Any) -> None:
    gam, x, target, fixed = question
    with deadline.limit(1e-12):
        time.sleep(1e-3)
        answer = pair_target_search(gam, x, target, fixed)
    assert (answer.proven, answer.witness, answer.changed, answer.lower) == (False, None, None, 0)


@settings(max_examples=60, deadline=None)
@given(questions(), st.data())
def test_the_grid_refutation_equals_exact_enumeration(question: Any, data: Any) -> None:
    # the check's float grids with a rounding bound decide exactly what point-by-point
    # exact evaluation decides (small integer numbers: exact ties are frequent)
    gam, x, target, fixed = question
    free = gam.n_features - len(fixed)
    below = data.draw(st.integers(0, free + 1))
    expected = brute_size(gam, x, target, fixed)
    assert refuted_below(gam, x, target, fixed, below) == (expected is None or expected >= below)
