"""Minimum recourse on a component coupling one continuous feature to discrete ones
(if-then constraints, mutability switches), against a brute force over an exact grid."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import GAM, ActionSet, Classification, Feature, Integers, Interval, Piecewise
from gamexplain.algorithms.recourse import _enumerated_menu
from gamexplain.certify.recourse import _enumerated_bounds

HAIR = Fraction(1, 10**6)
quarters = st.integers(-8, 8).map(lambda k: k / 4)


@st.composite
def coupled(draw: st.DrawFn) -> tuple[GAM, ActionSet, tuple[Any, ...]]:
    """A continuous t on [0, 4] (constant or linear pieces), an integer k on 0..2 and a
    binary switch s, joined by if-then constraints and/or a switch gating t."""
    inner = sorted(draw(st.sets(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]),
                                max_size=3)))  # fmt: skip
    edges = [0.0, *inner, 4.0]
    pieces = [[draw(quarters), draw(st.sampled_from([0.0, 0.0, 0.25, -0.5, 1.0]))]
              for _ in range(len(edges) - 1)]  # fmt: skip
    gam = GAM([Feature("t", Interval(0, 4), Piecewise(edges, pieces)),
               Feature("k", Integers(0, 2), Piecewise([0, 1, 3], [[0.0], [draw(quarters)]])),
               Feature("s", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [draw(quarters)]]))],
              intercept=draw(quarters), task=Classification(0.0))  # fmt: skip
    element: dict[str, Any] = {}
    if draw(st.booleans()):
        element["step_direction"] = draw(st.sampled_from([-1, 1]))
    if draw(st.booleans()):
        element["step_ub"] = draw(st.sampled_from([1, 1.5, 3]))
    actions = ActionSet.from_gam(gam, t=element)
    constraints: list[dict[str, Any]] = []
    level = st.sampled_from([0, 0.5, 1, 2, 2.5, 3, 4])
    if draw(st.booleans()):
        constraints.append(
            {
                "type": "IfThenConstraint",
                "if": ["k", ">=", draw(st.integers(1, 2))],
                "then": ["t", draw(st.sampled_from([">=", "=="])), draw(level)],
            }
        )
    if draw(st.booleans()):
        constraints.append({"type": "IfThenConstraint", "if": ["t", ">=", draw(level)],
                            "then": ["k", draw(st.sampled_from([">=", "=="])),
                                     draw(st.integers(0, 2))]})  # fmt: skip
    if not constraints or draw(st.booleans()):
        constraints.append(
            {
                "type": "MutabilitySwitch",
                "names": ["s", "t"],
                "force_change_when_off": draw(st.booleans()),
            }
        )
    actions = actions.with_constraints(*constraints)
    x = (Fraction(draw(st.integers(0, 8)), 2), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    return gam, actions, x


def grid() -> list[Fraction]:
    """t's exact grid: its breakpoints, every constant the constraints and limits name,
    midpoints between consecutive ones and points a hair inside every open end."""
    # breakpoints, constraint levels, x_t and x_t ± the step limits all lie on halves
    cuts = [Fraction(k, 2) for k in range(9)]
    points = set(cuts) | {(a + b) / 2 for a, b in itertools.pairwise(cuts)}
    points |= {c + d for c in cuts for d in (HAIR, -HAIR) if 0 <= c + d <= 4}
    return sorted(points)


def reference(gam: GAM, actions: ActionSet, x: tuple[Any, ...], fixed: frozenset[int]
              ) -> int | None:  # fmt: skip
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    best = None
    for point in itertools.product(grid(), range(3), range(2)):
        changed = [j for j in range(3) if point[j] != x[j]]
        if fixed.intersection(changed) or (best is not None and len(changed) >= best):
            continue
        if actions.admits(x, point) and gam.task.label_exact(gam.score_exact(point)) == opposite:
            best = len(changed)
    return best


@settings(max_examples=60, deadline=None)
@given(case=coupled(), fixed=st.sets(st.integers(0, 2), max_size=1))
def test_coupled_continuous_recourse_equals_an_exact_grid(case, fixed):
    gam, actions, x = case
    fixed = frozenset(fixed)
    result = gx.minimum_recourse(gam, x, actions, fixed=fixed)
    assert result.status == "solved" and result.exact
    assert result.algorithm == "component-knapsack"
    assert result.size == reference(gam, actions, x, fixed)
    if result.size is not None:
        witness = result.witness
        assert actions.admits(x, witness)
        assert gam.task.label_exact(gam.score_exact(witness)) != gam.task.label_exact(
            gam.score_exact(x)
        )
    assert result.verify(gam)
    # the checker's own table per cost equals the solver's menu of the component
    target = result.certificate.target
    members = tuple(actions.component_of(0))
    menu = _enumerated_menu(gam, x, actions, members, target, fixed, 10**6)
    table = _enumerated_bounds(gam, x, actions, members, target, fixed, gam.score_exact(x))
    assert [None if m is None else (m[0], m[2]) for m in menu.best] == table
    # tampering: a smaller size, or a claim that nothing reaches, fails the check
    if result.size:
        assert not dataclasses.replace(result, size=result.size - 1).verify(gam)
        assert not dataclasses.replace(result, size=None, witness=None,
                                       features=None).verify(gam)  # fmt: skip


def test_an_open_gap_end_is_approached_and_a_tampered_table_fails():
    # t may move only while the switch s is on; the gain of t jumps down at 2, so its
    # best is approached from inside (1, 2): a witness just below 2 with s turned on
    gam = GAM([Feature("t", Interval(0, 4), Piecewise([0, 2, 4], [[0.0, 0.5], [-1.0]])),
               Feature("s", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [0.0]]))],
              intercept=-0.75, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam, t={"step_ub": 3}).with_constraints(
        {"type": "MutabilitySwitch", "names": ["s", "t"]},
        {"type": "IfThenConstraint", "if": ["t", ">=", 1], "then": ["s", "==", 1]},
    )
    result = gx.minimum_recourse(gam, (Fraction(1), 0), actions)
    assert result.size == 2 and result.features == ("t", "s")
    t = result.witness[0]
    assert Fraction(3, 2) <= t < 2 and result.verify(gam)
    # a claim that one change suffices, or a witness past the jump, fails the check
    assert not dataclasses.replace(result, size=1).verify(gam)
    moved = dataclasses.replace(result, witness=(Fraction(2), 1))
    assert not moved.verify(gam)
    # the switch held fixed: nothing reaches, and verify re-derives that
    held = gx.minimum_recourse(gam, (Fraction(1), 0), actions, fixed=frozenset({1}))
    assert held.size is None and held.verify(gam)
    assert not dataclasses.replace(
        held, size=2, witness=result.witness, features=("t", "s")
    ).verify(gam)


def test_two_coupled_continuous_members_are_still_refused():
    gam = GAM([Feature("t", Interval(0, 4), Piecewise([0, 4], [[0.0, 1.0]])),
               Feature("u", Interval(0, 2), Piecewise([0, 2], [[0.0]]))],
              intercept=-0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 1], "then": ["t", ">=", 2]}
    )
    with pytest.raises(gx.UnsupportedQueryError, match="one continuous member"):
        gx.minimum_recourse(gam, [0, 0], actions)
