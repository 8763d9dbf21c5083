"""The vectorised responsiveness kernel (issue 15): on random step-function models under
random separable action sets, every row's batch scores and fixed flag equal the
single-row answer, rows near a tie go to the exact path and are counted, and verify
rejects a tampered row."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import ActionSet, Classification
from gamexplain.queries.batch import EXACT, ONE_BY_ONE, VECTOR
from tests.strategies import gams, instances

KERNEL = "batch-separable-responsiveness"
FIXED = "batch-separable-fixed"


@st.composite
def element(draw: st.DrawFn, interval: bool) -> dict:
    out: dict = {"actionable": draw(st.booleans() | st.just(True))}
    out["step_direction"] = draw(st.sampled_from([-1, 0, 1]))
    step = st.sampled_from([0.5, 1.25, 0.1]) if interval else st.integers(0, 3)
    if draw(st.booleans()):
        out["step_lb"] = -draw(step)
    if draw(st.booleans()):
        out["step_ub"] = draw(step)
    if draw(st.booleans()):
        out["ub"] = draw(st.integers(-2, 3))
    if draw(st.booleans()):
        out["lb"] = draw(st.integers(-3, 1))
    return out


def _valid(elements: dict) -> bool:
    lb, ub = elements.get("lb"), elements.get("ub")
    return lb is None or ub is None or lb <= ub


@st.composite
def cases(draw: st.DrawFn):
    gam = draw(gams(max_features=3, domain_kinds=("integers", "interval"), components=("ebm",)))
    chosen = {}
    for f in gam.features:
        if draw(st.booleans()):
            elements = draw(element(f.domain.kind == "interval"))
            if _valid(elements):
                chosen[f.name] = elements
    actions = ActionSet.from_gam(gam).with_features(chosen)
    rows = draw(st.lists(instances(gam), min_size=1, max_size=4))
    # a target on some row's own score puts rows on the tie
    tie = float(gam.score_exact(gam.instance(rows[0])))
    target = draw(
        st.sampled_from([None, (">=", tie), (">", tie), ("<", tie), ("<=", 0.0)])
        | (st.sampled_from([0, 1]) if isinstance(gam.task, Classification) else st.just(None))
    )
    return gam, actions, rows, target


@given(cases())
def test_batch_responsiveness_equals_row_by_row(case):
    gam, actions, rows, target = case
    result = gx.explain(gam, rows, queries=("responsiveness",), actions=actions, target=target)
    answer = result.answers["responsiveness"]
    assert answer.kernel == KERNEL
    for r, x in enumerate(rows):
        single = gx.responsiveness_scores(gam, x, actions, target=target)
        assert tuple(answer.values[r]) == single.scores, (r, x)
        assert bool(answer.holds[r]) == single.fixed, (r, x)
        assert bool(answer.exact[r])
    counts = result.counts()["responsiveness"]
    assert counts["vector"] + counts["exact"] == len(rows)
    assert result.verify(gam)


@given(cases())
def test_batch_fixed_equals_is_fixed_row_by_row(case):
    gam, actions, rows, target = case
    result = gx.explain(gam, rows, queries="fixed", actions=actions, target=target)
    answer = result.answers["fixed"]
    assert answer.kernel == FIXED and answer.values is None
    for r, x in enumerate(rows):
        assert bool(answer.holds[r]) == gx.is_fixed(gam, x, actions, target=target).holds, r
    counts = result.counts()["fixed"]
    assert counts["vector"] + counts["exact"] == len(rows)
    assert result.verify(gam)
    kernel_rows = np.flatnonzero(answer.path == VECTOR)
    if len(kernel_rows):
        answer.holds[kernel_rows[0]] = ~answer.holds[kernel_rows[0]]
        assert not result.verify(gam)


def _step_model(task=None):
    a = gx.Piecewise([0.0, 1.0, 2.5, 4.0], [[-1.0], [0.5], [2.0]])
    b = gx.Piecewise([0.0, 3.0, 6.0, 9.0], [[1.0], [-1.0], [0.25]])
    features = [gx.Feature("a", gx.Interval(0, 4), a), gx.Feature("b", gx.Integers(0, 9), b)]
    return gx.GAM(features, intercept=-1.5, task=task or Classification(0.0))


def test_rows_on_the_threshold_take_the_exact_path_and_equal_the_single_row():
    gam = _step_model()
    # a = 0.5 (-1.0), b = 1 (1.0): score -1.5; moving a into [1, 2.5) gives exactly 0.0
    rows = np.array([[0.5, 1.0], [3.0, 7.0], [0.5, 4.0]])
    actions = ActionSet.from_gam(gam)
    result = gx.explain(gam, rows, queries="responsiveness", actions=actions)
    answer = result.answers["responsiveness"]
    assert answer.path[0] == EXACT  # a piece lands the score on the threshold
    assert answer.path[1] == VECTOR
    for r, x in enumerate(rows.tolist()):
        single = gx.responsiveness_scores(gam, x, actions)
        assert tuple(answer.values[r]) == single.scores
        assert bool(answer.holds[r]) == single.fixed
    assert result.verify(gam)
    # shown as a kernel row, the tie is re-derived in Fractions by verify
    answer.path[0] = VECTOR
    assert result.verify(gam)
    answer.values[0, 0] = np.nextafter(answer.values[0, 0], 2.0)
    assert not result.verify(gam)


def test_interval_lengths_are_exact_shares():
    gam = _step_model()
    actions = ActionSet.from_gam(gam).with_features({"a": {"step_ub": 0.7}})
    rows = np.array([[0.5, 1.0], [0.9, 1.0], [2.2, 2.0]])
    result = gx.explain(gam, rows, queries="responsiveness", actions=actions)
    single = gx.responsiveness_scores(gam, rows[1].tolist(), actions)
    assert result.answers["responsiveness"].values[1, 0] == single.scores[0]
    assert single.exact_scores[0] == Fraction(0.6) / (Fraction(0.9) + Fraction(0.7))


def test_a_tampered_row_fails_verify():
    gam = _step_model()
    actions = ActionSet.from_gam(gam)
    rows = np.array([[3.0, 7.0], [3.5, 4.0], [0.2, 4.0]])  # no piece lands on the threshold
    result = gx.explain(gam, rows, queries="responsiveness", actions=actions)
    answer = result.answers["responsiveness"]
    assert (answer.path == VECTOR).all() and result.verify(gam)
    answer.values[1, 1] = np.nextafter(answer.values[1, 1], 2.0)
    assert not result.verify(gam)
    answer.values[1, 1] = np.nextafter(answer.values[1, 1], -2.0)
    assert result.verify(gam)
    answer.holds[2] = ~answer.holds[2]
    assert not result.verify(gam)


def test_constraints_go_one_by_one():
    b = gx.Piecewise([0.0, 3.0, 6.0, 9.0], [[1.0], [-1.0], [0.25]])
    features = [gx.Feature("b", gx.Integers(0, 9), b), gx.Feature("c", gx.Integers(0, 9), b)]
    gam = gx.GAM(features, intercept=-0.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "DirectionalLinkage", "names": ["b", "c"], "scales": [1]}
    )
    rows = np.array([[3.0, 1.0], [1.0, 8.0]])
    result = gx.explain(gam, rows, queries="responsiveness", actions=actions)
    answer = result.answers["responsiveness"]
    assert answer.kernel is None and "constraints" in answer.reason
    assert (answer.path == ONE_BY_ONE).all()
    assert result.verify(gam)
    plan = gx.batch_plan(gam, "responsiveness")["responsiveness"]
    assert plan.startswith(KERNEL) and "thm:resp-separable" in plan


@pytest.mark.parametrize("target", [None, (">", 0.5)])
def test_a_regression_default_target_compares_pieces_exactly(target):
    gam = _step_model(gx.Regression())
    rows = np.array([[3.0, 1.0], [1.5, 8.0], [0.2, 2.0], [0.0, 9.0]])
    actions = ActionSet.from_gam(gam).with_features({"b": {"step_direction": 1}})
    result = gx.explain(gam, rows, queries="responsiveness", actions=actions, target=target)
    answer = result.answers["responsiveness"]
    for r, x in enumerate(rows.tolist()):
        single = gx.responsiveness_scores(gam, x, actions, target=target)
        assert tuple(answer.values[r]) == single.scores
        assert bool(answer.holds[r]) == single.fixed
    assert result.verify(gam)


def test_fixed_rows_on_the_threshold_take_the_exact_path():
    gam = _step_model()
    # a = 0.5, b = 1: score -1.5; a's best reachable piece (0.5 below its bound 2) lands
    # the score on the threshold, 0.0, exactly
    rows = np.array([[0.5, 1.0], [3.0, 7.0], [0.5, 4.0], [0.2, 7.0]])
    actions = ActionSet.from_gam(gam).with_features({"a": {"ub": 2}, "b": {"actionable": False}})
    result = gx.explain(gam, rows, queries=("fixed", "responsiveness"), actions=actions)
    answer = result.answers["fixed"]
    assert answer.kernel == FIXED and answer.path[0] == EXACT
    for r, x in enumerate(rows.tolist()):
        fixed = gx.is_fixed(gam, x, actions)
        assert bool(answer.holds[r]) == fixed.holds
        assert result.table["fixed"].iloc[r] == result.table["responsiveness_fixed"].iloc[r]
    assert result.verify(gam)
    # shown as a kernel row, the tie is re-derived in Fractions by verify
    answer.path[0] = VECTOR
    assert result.verify(gam)
    answer.holds[0] = ~answer.holds[0]
    assert not result.verify(gam)
    plan = gx.batch_plan(gam, "fixed")["fixed"]
    assert plan.startswith(FIXED) and "thm:fixed-separates" in plan
