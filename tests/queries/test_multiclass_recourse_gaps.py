"""Multiclass minimum recourse on a component coupling one continuous feature to discrete
ones (if-then constraints, mutability switches), against a brute force over an exact
grid, as binary recourse is held in ``test_recourse_gaps.py``."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    ActionSet,
    Feature,
    Integers,
    Interval,
    Multiclass,
    MulticlassGAM,
    Piecewise,
    Regression,
)

quarters = st.integers(-8, 8).map(lambda k: k / 4)
HALVES = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]


@st.composite
def coupled(draw: st.DrawFn) -> tuple[MulticlassGAM, ActionSet, tuple[Any, ...]]:
    """K = 2 or 3 classes over a continuous t on [0, 4] (steps on shared breakpoints,
    per class its own values), an integer k on 0..2 and a binary switch s, joined by
    if-then constraints and/or a switch gating t."""
    n_classes = draw(st.integers(2, 3))
    edges = [0.0, *sorted(draw(st.sets(st.sampled_from(HALVES), max_size=3))), 4.0]
    models = []
    for _ in range(n_classes):
        steps = [[draw(quarters)] for _ in range(len(edges) - 1)]
        models.append(GAM(
            [Feature("t", Interval(0, 4), Piecewise(edges, steps)),
             Feature("k", Integers(0, 2), Piecewise([0, 1, 3], [[0.0], [draw(quarters)]])),
             Feature("s", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [draw(quarters)]]))],
            draw(quarters), Regression()))  # fmt: skip
    gam = MulticlassGAM(Multiclass(["a", "b", "c"][:n_classes]), models)
    element: dict[str, Any] = {}
    if draw(st.booleans()):
        element["step_direction"] = draw(st.sampled_from([-1, 1]))
    if draw(st.booleans()):
        element["step_ub"] = draw(st.sampled_from([1, 1.5, 3]))
    actions = ActionSet.from_gam(gam, t=element)
    constraints: list[dict[str, Any]] = []
    level = st.sampled_from([0, 0.5, 1, 2, 2.5, 3, 4])
    if draw(st.booleans()):
        constraints.append({"type": "IfThenConstraint",
                            "if": ["k", ">=", draw(st.integers(1, 2))],
                            "then": ["t", draw(st.sampled_from([">=", "=="])),
                                     draw(level)]})  # fmt: skip
    if draw(st.booleans()):
        constraints.append({"type": "IfThenConstraint", "if": ["t", ">=", draw(level)],
                            "then": ["k", draw(st.sampled_from([">=", "=="])),
                                     draw(st.integers(0, 2))]})  # fmt: skip
    if not constraints or draw(st.booleans()):
        constraints.append({"type": "MutabilitySwitch", "names": ["s", "t"],
                            "force_change_when_off": draw(st.booleans())})  # fmt: skip
    actions = actions.with_constraints(*constraints)
    x = (Fraction(draw(st.integers(0, 8)), 2), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    return gam, actions, x


def grid() -> list[Fraction]:
    """t's exact grid: every breakpoint, constraint level, x_t and x_t ± a step limit lies
    on a half, and the steps are constant between halves, so the halves and the
    midpoints between them meet every cell."""
    cuts = [Fraction(k, 2) for k in range(9)]
    return sorted(set(cuts) | {(a + b) / 2 for a, b in itertools.pairwise(cuts)})


def reference(gam: MulticlassGAM, actions: ActionSet, x: tuple[Any, ...], target: Any,
              fixed: frozenset[int]) -> int | None:  # fmt: skip
    predicted = gam.predict_index(x)
    wanted = None if target is None else gam.class_index(target)
    best = None
    for point in itertools.product(grid(), range(3), range(2)):
        changed = [j for j in range(3) if point[j] != x[j]]
        if fixed.intersection(changed) or (best is not None and len(changed) >= best):
            continue
        if not actions.admits(x, point):
            continue
        label = gam.predict_index(point)
        if (label != predicted) if wanted is None else (label == wanted):
            best = len(changed)
    return best


@settings(max_examples=60, deadline=None)
@given(case=coupled(), fixed=st.sets(st.integers(0, 2), max_size=1), data=st.data())
def test_coupled_continuous_multiclass_recourse_equals_an_exact_grid(case, fixed, data):
    gam, actions, x = case
    fixed = frozenset(fixed)
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    result = gx.minimum_recourse(gam, x, actions, target=target, fixed=fixed)
    assert result.status == "solved" and result.exact
    assert result.algorithm == "class-frontier"
    assert result.size == reference(gam, actions, x, target, fixed)
    if result.size is not None:
        assert actions.admits(x, result.witness)
        label = gam.predict_index(result.witness)
        wanted = gam.predict_index(x) if target is None else gam.class_index(target)
        assert (label != wanted) if target is None else (label == wanted)
    assert result.verify(gam)
    # tampering: a smaller size, or a claim that nothing reaches, fails the check
    if result.size:
        assert not dataclasses.replace(result, size=result.size - 1).verify(gam)
        assert not dataclasses.replace(result, size=None, witness=None,
                                       features=None).verify(gam)  # fmt: skip


def _three(t_steps: list[list[float]], s_gain: float) -> MulticlassGAM:
    def model(steps: list[float], s: float, intercept: float) -> GAM:
        return GAM([Feature("t", Interval(0, 4), Piecewise([0, 2, 4], [[v] for v in steps])),
                    Feature("s", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [s]]))],
                   intercept, Regression())  # fmt: skip

    scores = [model(t_steps[0], 0.0, 1.0), model(t_steps[1], 0.0, 0.0),
              model(t_steps[2], s_gain, 0.0)]  # fmt: skip
    return MulticlassGAM(Multiclass(["a", "b", "c"]), scores)


def test_a_switch_gating_a_continuous_member_toward_each_class():
    # t moves only with the switch s on; b wins once t ≥ 2, but turning s on lifts c past it
    gam = _three([[0.0, 0.0], [0.0, 2.0], [0.0, 1.5]], s_gain=1.0)
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "MutabilitySwitch", "names": ["s", "t"]}
    )
    x = (Fraction(1), 0)
    toward_c = gx.minimum_recourse(gam, x, actions, target="c")
    assert toward_c.size == 2 and toward_c.features == ("t", "s") and toward_c.witness[0] >= 2
    assert toward_c.verify(gam)
    toward_b = gx.minimum_recourse(gam, x, actions, target="b")
    assert toward_b.size is None and toward_b.exact and toward_b.verify(gam)
    # a claimed recourse toward b, or nothing toward c, is rejected
    assert not dataclasses.replace(toward_b, size=2, witness=toward_c.witness,
                                   features=("t", "s")).verify(gam)  # fmt: skip
    assert not dataclasses.replace(toward_c, size=None, witness=None, features=None).verify(gam)


def test_what_the_gap_case_does_not_cut_is_refused_by_name():
    gam = _three([[0.0, 0.0], [0.0, 2.0], [0.0, 1.5]], s_gain=1.0)
    sloped = MulticlassGAM(gam.task, [
        GAM([Feature("t", Interval(0, 4), Piecewise([0, 4], [[0.0, 1.0]])), m.features[1]],
            m.intercept, Regression()) for m in gam.scores])  # fmt: skip
    actions = ActionSet.from_gam(sloped).with_constraints(
        {"type": "MutabilitySwitch", "names": ["s", "t"]}
    )
    with pytest.raises(gx.UnsupportedQueryError, match="non-constant piece inside a gap"):
        gx.minimum_recourse(sloped, (Fraction(1), 0), actions, target="b")
    two = MulticlassGAM(gam.task, [
        GAM([m.features[0], Feature("u", Interval(0, 2), Piecewise([0, 2], [[0.0]]))],
            m.intercept, Regression()) for m in gam.scores])  # fmt: skip
    coupled = ActionSet.from_gam(two).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 1], "then": ["t", ">=", 2]}
    )
    with pytest.raises(gx.UnsupportedQueryError, match="several continuous features"):
        gx.minimum_recourse(two, (0, 0), coupled, target="b")


def test_a_sloped_feature_that_cannot_move_is_not_refused():
    # t's piece is sloped but t is immutable (or pinned by its bounds): no curve of changes
    def model(slope: float, gain: float) -> GAM:
        return GAM([Feature("t", Interval(0, 4), Piecewise([0, 4], [[0.0, slope]])),
                    Feature("s", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [gain]]))],
                   0.0, Regression())  # fmt: skip

    gam = MulticlassGAM(Multiclass(["a", "b"]), [model(0.0, 0.0), model(1.0, 1.0)])
    for element in ({"actionable": False}, {"lb": 0, "ub": 0}):
        actions = ActionSet.from_gam(gam, t=element)
        result = gx.minimum_recourse(gam, (Fraction(0), 0), actions, target="b")
        assert result.size == 1 and result.features == ("s",) and result.verify(gam)
    # pinned away from x: the one value it reaches is a move, not a curve
    pinned = ActionSet.from_gam(gam, t={"lb": 2, "ub": 2}, s={"actionable": False})
    result = gx.minimum_recourse(gam, (Fraction(0), 0), pinned, target="b")
    assert result.size == 1 and result.witness == (2, 0) and result.verify(gam)
