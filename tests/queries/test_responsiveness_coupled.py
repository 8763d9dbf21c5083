"""Coupled components counted by their last member's level sets (thm:resp-coupled-last)
against the enumeration of the definition."""

from __future__ import annotations

import dataclasses
import itertools
import time
from fractions import Fraction
from typing import Any

import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gamexplain.certify.responsiveness as checker
from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Piecewise,
    is_fixed,
    responsiveness_scores,
)
from gamexplain.certify import MAX_CHECK_POINTS
from tests.queries.test_responsiveness import reference, wanted_class


def _shape(draw: st.DrawFn, low: int, high: int) -> Piecewise:
    cuts = sorted(draw(st.sets(st.integers(low + 1, high), max_size=3)))
    edges = [low, *cuts, high + 1]
    values = draw(st.lists(st.integers(-3, 3), min_size=len(edges) - 1,
                           max_size=len(edges) - 1))  # fmt: skip
    return Piecewise(edges, [[float(v)] for v in values])


@st.composite
def coupled(draw: st.DrawFn) -> tuple[GAM, tuple[Any, ...], ActionSet]:
    """A wide integer feature joined to two small ones by random constraints."""
    wide = Feature("w", Integers(-20, 20), _shape(draw, -20, 20))
    small = Feature("s", Integers(0, 2), _shape(draw, 0, 2))
    switch = Feature("b", Finite((0, 1)), _shape(draw, 0, 1))
    gam = GAM([wide, small, switch], intercept=draw(st.integers(-2, 2)) + 0.5,
              task=Classification(0.0))  # fmt: skip
    x = (draw(st.integers(-20, 20)), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    elements: dict[str, Any] = {}
    for name in ("w", "s"):
        element: dict[str, Any] = {"step_direction": draw(st.sampled_from([-1, 0, 1])),
                                   "actionable": draw(st.booleans() | st.just(True))}  # fmt: skip
        if draw(st.booleans()):
            element["step_lb"] = -draw(st.integers(0, 12))
        if draw(st.booleans()):
            element["step_ub"] = draw(st.integers(0, 12))
        if draw(st.booleans()):
            element["ub"] = draw(st.integers(-5, 20))
        elements[name] = element
    actions = ActionSet.from_gam(gam).with_features(elements)
    pair = draw(st.permutations(["w", "s"]))
    constraints: list[dict[str, Any]] = [
        {"type": "DirectionalLinkage", "names": list(pair),
         "scales": [draw(st.sampled_from([1, -1, 2, Fraction(1, 2)]))],
         "keep_bounds": draw(st.booleans())},
    ] if draw(st.booleans()) else []  # fmt: skip
    if draw(st.booleans()):
        a, b = draw(st.permutations(["w", "s"]))
        constraints.append({"type": "IfThenConstraint", "if": [a, ">=", draw(st.integers(-3, 3))],
                            "then": [b, draw(st.sampled_from(["==", ">=", "<="])),
                                     draw(st.integers(-3, 3))]})  # fmt: skip
    if draw(st.booleans()) or not constraints:
        constraints.append({"type": "MutabilitySwitch", "names": ["b", "w", "s"],
                            "on_value": draw(st.integers(0, 1)),
                            "force_change_when_off": draw(st.booleans())})  # fmt: skip
    actions = actions.with_constraints(*constraints)
    try:
        actions.check_instance(x)
    except Exception:
        assume(False)
    return gam, x, actions


@settings(max_examples=60, deadline=None)
@given(model=coupled())
def test_coupled_counts_equal_the_definition(model):
    gam, x, actions = model
    result = responsiveness_scores(gam, x, actions, method="per-component")
    totals, hits, fixed = reference(gam, x, actions, wanted_class(gam, x))
    assert list(result.reachable) == totals
    assert list(result.reaching) == hits
    assert result.fixed == fixed and result.status == "solved"
    assert result.verify(gam)
    decision = is_fixed(gam, x, actions, method="per-component")
    assert decision.holds == fixed and decision.verify(gam)


@settings(max_examples=40, deadline=None)
@given(model=coupled())
def test_the_check_counts_wide_members_by_level_sets_too(model):
    """The check's own level-set count (used past its enumeration limit) equals the
    definition on models small enough to enumerate."""
    gam, x, actions = model
    checker.ENUMERATE_UP_TO = 0
    try:
        result = responsiveness_scores(gam, x, actions, method="per-component")
        assert result.verify(gam)
        forged = list(result.exact_scores)
        forged[0] = forged[0] + 1 if forged[0] == 0 else forged[0] / 2
        assert not dataclasses.replace(result, exact_scores=tuple(forged)).verify(gam)
        decision = is_fixed(gam, x, actions, method="per-component")
        assert decision.verify(gam)
        assert not dataclasses.replace(decision, holds=not decision.holds).verify(gam)
    finally:
        checker.ENUMERATE_UP_TO = MAX_CHECK_POINTS


def _linked_wide(top: int = 2**39, high: int = 2**40) -> tuple[GAM, ActionSet]:
    """Years of experience (0..5, only up) drag an age-like count over 0..``high`` with
    them; the count also moves up to ``top`` on its own. The class flips at 24."""
    feats = [
        Feature("years", Integers(0, 5), Piecewise([0, 3, 6], [[0.0], [0.5]])),
        Feature("count", Integers(0, high), Piecewise([0, 24, high + 1], [[-1.0], [1.0]])),
        Feature("switch", Finite((0, 1)), Piecewise([0, 1, 2], [[0.0], [0.0]])),
    ]
    gam = GAM(feats, task=Classification(0.0))
    actions = ActionSet.from_gam(gam, years={"step_direction": 1}, count={"step_ub": top})
    actions = actions.with_constraints(
        {"type": "DirectionalLinkage", "names": ["years", "count"], "scales": [3]},
        {"type": "MutabilitySwitch", "names": ["switch", "years"], "on_value": 1},
    )
    return gam, actions


def test_a_2_to_the_40_coupled_range_is_counted_exactly():
    gam, actions = _linked_wide()
    x = (0, 20, 1)
    started = time.perf_counter()
    result = responsiveness_scores(gam, x, actions)
    elapsed = time.perf_counter() - started
    assert result.status == "solved" and result.exact
    # years y in 1..5 (switch on), count reaches 0..20 + 3y + 2^39 of which 24.. flip the
    # class (count's own move ≤ 2^39 on top of the 3y the linkage adds)
    top = 2**39
    years_total = sum(20 + 3 * y + top + 1 for y in range(1, 6))
    years_hits = sum(20 + 3 * y + top - 23 for y in range(1, 6))
    assert result.reachable[0] == years_total and result.reaching[0] == years_hits
    # the switch may also turn off (years then stay at 0) while count moves on its own;
    # count at 20 has not moved
    count_total = sum(20 + 3 * y + top + 1 for y in range(6)) - 6 + (20 + top)
    assert result.reachable[1] == count_total
    assert result.reaching[1] == sum(3 * y + top - 3 for y in range(6)) + top - 3
    assert result.reachable[2] == 20 + top + 1 and result.reaching[2] == top - 3
    assert elapsed < 30  # the old enumeration ran out of its 10^5-point budget here
    assert result.verify(gam) and not result.fixed


def test_the_wide_linkage_formulas_hold_where_brute_force_can_check_them():
    top = 9
    gam, actions = _linked_wide(top, 60)
    x = (0, 20, 1)
    totals, hits, fixed = reference(gam, x, actions, wanted_class(gam, x))
    assert totals[0] == sum(20 + 3 * y + top + 1 for y in range(1, 6))
    assert hits[0] == sum(20 + 3 * y + top - 23 for y in range(1, 6))
    assert totals[1] == sum(20 + 3 * y + top + 1 for y in range(6)) - 6 + (20 + top)
    assert hits[1] == sum(3 * y + top - 3 for y in range(6)) + top - 3
    assert (totals[2], hits[2]) == (20 + top + 1, top - 3) and not fixed
    result = responsiveness_scores(gam, x, actions)
    assert list(result.reachable) == totals and list(result.reaching) == hits


def test_a_tampered_coupled_count_fails_verify():
    gam, actions = _linked_wide()
    result = responsiveness_scores(gam, (0, 20, 1), actions)
    reachable = list(result.reachable)
    reachable[1] += 1
    assert not dataclasses.replace(result, reachable=tuple(reachable)).verify(gam)
    scores = list(result.exact_scores)
    scores[0] = Fraction(1, 2)
    assert not dataclasses.replace(result, exact_scores=tuple(scores)).verify(gam)
    # what the solver once said: fixed, with no witness; the check re-derives "not fixed"
    unwitnessed = dataclasses.replace(result.certificate, witness=None, reaches=False)
    assert not dataclasses.replace(result, fixed=True, certificate=unwitnessed).verify(gam)


def _grid_reference(gam: GAM, x: tuple[Any, ...], actions: ActionSet, wanted: Any) -> tuple:
    """|R_j|, hits and the measure per member of one component mixing a continuous member
    (every constant of the model and the action set a multiple of 1/2) with discrete
    ones, from the definition: count × length by the midpoints of the half-unit gaps (on
    which nothing changes), or the count of points on the half-unit grid where no set
    of a member has length."""
    w = next(i for i, d in enumerate(actions.domains) if isinstance(d, Interval))
    low, high = Fraction(actions.domains[w].low), Fraction(actions.domains[w].high)
    grid = [low + Fraction(k, 2) for k in range(int((high - low) * 2) + 1)]
    others = [i for i in range(len(x)) if i != w]
    choices = [list(actions.domains[i].values) if isinstance(actions.domains[i], Finite)
               else list(range(actions.domains[i].low, actions.domains[i].high + 1))
               for i in others]  # fmt: skip
    n = len(x)
    length = [[Fraction(0)] * n, [Fraction(0)] * n]
    count = [[0] * n, [0] * n]
    for values in itertools.product(*choices):
        for tally, points, size in ((count, grid, 1),
                                    (length, [(a + b) / 2 for a, b in itertools.pairwise(grid)],
                                     Fraction(1, 2))):  # fmt: skip
            for v in points:
                point = list(x)
                for i, value in zip(others, values, strict=True):
                    point[i] = value
                point[w] = v
                if point == list(x) or not actions.admits(x, point):
                    continue
                meets = wanted(gam.score_exact(point))
                for j in range(n):
                    if point[j] != x[j] and actions.features[j].actionable:
                        tally[0][j] += size
                        tally[1][j] += size * meets
    out = []
    for j in range(n):
        if length[0][j]:
            out.append((length[0][j], length[1][j], "count × length"))
        else:
            out.append((Fraction(count[0][j]), Fraction(count[1][j]), "count"))
    return out


@st.composite
def mixed(draw: st.DrawFn) -> tuple[GAM, tuple[Any, ...], ActionSet]:
    """A continuous feature on [0, 6] joined to a small integer and a switch by if-then
    constraints and a mutability switch; every constant a multiple of 1/2."""
    half = st.integers(0, 12).map(lambda k: Fraction(k, 2))
    cuts = sorted(draw(st.sets(st.integers(1, 11), max_size=3)))
    edges = [0.0, *[k / 2 for k in cuts], 6.0]
    rate = Feature("r", Interval(0.0, 6.0), Piecewise(edges, [[float(draw(st.integers(-3, 3)))]
                                                              for _ in edges[1:]]))  # fmt: skip
    small = Feature("s", Integers(0, 2), _shape(draw, 0, 2))
    switch = Feature("b", Finite((0, 1)), _shape(draw, 0, 1))
    gam = GAM([rate, small, switch], intercept=draw(st.integers(-2, 2)) + 0.5,
              task=Classification(0.0))  # fmt: skip
    x = (float(draw(half)), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    element: dict[str, Any] = {"step_direction": draw(st.sampled_from([-1, 0, 0, 1])),
                               "actionable": draw(st.sampled_from([True, True, True, False]))}
    if draw(st.booleans()):
        element["step_lb"] = -float(draw(half))
    if draw(st.booleans()):
        element["step_ub"] = float(draw(half))
    if draw(st.booleans()):
        element["ub"] = float(draw(half))
    actions = ActionSet.from_gam(gam).with_features({"r": element})
    constraints: list[dict[str, Any]] = []

    def level(name: str) -> Any:
        return float(draw(half)) if name == "r" else draw(st.integers(0, 2))

    for _ in range(draw(st.integers(0, 2))):
        a, b = draw(st.permutations(["r", "s"]))
        constraints.append({"type": "IfThenConstraint", "if": [a, ">=", level(a)],
                            "then": [b, draw(st.sampled_from(["==", ">=", "<="])),
                                     level(b)]})  # fmt: skip
    if draw(st.booleans()) or not constraints:
        constraints.append({"type": "MutabilitySwitch",
                            "names": ["b", *draw(st.sampled_from([["r"], ["r", "s"]]))],
                            "on_value": draw(st.just(x[2]) | st.integers(0, 1)),
                            "force_change_when_off": draw(st.booleans())})  # fmt: skip
    actions = actions.with_constraints(*constraints)
    if len(actions.components) != 1:
        actions = actions.with_constraints({"type": "MutabilitySwitch", "names": ["b", "s"]})
    try:
        actions.check_instance(x)
    except Exception:
        assume(False)
    return gam, x, actions


@settings(max_examples=60, deadline=None)
@given(model=mixed())
def test_a_mixed_component_gets_count_times_length(model):
    gam, x, actions = model
    result = responsiveness_scores(gam, x, actions)
    truth = _grid_reference(gam, x, actions, wanted_class(gam, x))
    assert result.status == "solved" and result.exact
    assert list(result.reachable) == [t for t, _, _ in truth]
    assert list(result.reaching) == [h for _, h, _ in truth]
    assert list(result.measure) == [m for _, _, m in truth]
    assert result.verify(gam)
    decision = is_fixed(gam, x, actions)
    assert decision.verify(gam)
    if result.fixed or decision.holds:  # fixed: no point of R(x) reaches the target
        assert all(h == 0 for h in result.reaching)
    reaches = any(t != 0 and h != 0 for t, h, _ in truth)
    if reaches:  # a point of positive measure reaches the target
        assert not decision.holds and not result.fixed
    forged = list(result.reachable)
    forged[0] += Fraction(1, 2)
    assert not dataclasses.replace(result, reachable=tuple(forged)).verify(gam)


def test_two_coupled_continuous_features_are_measured_by_area():
    # once refused by name; now count × area (thm:resp-coupled-volume): the unit square
    # less the quarter u ≥ 1/2, v > 1/2
    feats = [Feature(n, Interval(0.0, 1.0), Piecewise([0, 1], [[0.0]])) for n in ("u", "v")]
    gam = GAM(feats, intercept=0.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 0.5], "then": ["v", "<=", 0.5]})
    result = responsiveness_scores(gam, (0.0, 0.0), actions)
    assert result.measure == ("count × area", "count × area")
    assert result.reachable == (Fraction(3, 4), Fraction(3, 4)) and result.verify(gam)


def test_a_curved_continuous_member_gets_an_algebraic_share():
    """A quadratic contribution crosses the level at an irrational point: the count ×
    length share is exact (sympy) and verifies."""
    gam = GAM([Feature("t", Interval(0, 2), Piecewise([0, 2], [[0.0, 0.0, 1.0]])),
               Feature("k", Integers(0, 2), Piecewise([0, 1, 3], [[0.0], [-1.0]]))],
              intercept=-0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["k", ">=", 2], "then": ["t", "<=", 1]})
    result = responsiveness_scores(gam, (0.0, 0), actions)
    # k = 0: t^2 >= 1/2 on [sqrt(1/2), 2]; k = 1: t^2 >= 3/2 on [sqrt(3/2), 2];
    # k = 2: t <= 1 and t^2 >= 3/2: empty
    root_half, root_three_halves = sympy.sqrt(Fraction(1, 2)), sympy.sqrt(Fraction(3, 2))
    assert result.reachable == (5, 3)
    assert sympy.simplify(result.reaching[0] - (4 - root_half - root_three_halves)) == 0
    assert sympy.simplify(result.reaching[1] - (2 - root_three_halves)) == 0
    assert result.measure == ("count × length", "count × length") and result.verify(gam)


def test_a_piece_constant_at_the_best_value_inside_an_open_gap_reaches_it():
    """Turning the switch on forces r off 2, so r's admitted values are the open gap
    (2, 6]; the piece [2, 4) is constant at the best value, which every point inside it
    reaches (score exactly 0, target score >= 0). Both the solver and the check once
    took the value at the open end 2 as approached only and called the prediction fixed."""
    gam = GAM([Feature("r", Interval(0.0, 6.0), Piecewise([0, 2, 4, 6], [[-1.0], [1.0], [-1.0]])),
               Feature("b", Finite((0, 1)), Piecewise([0, 1, 2], [[0.0], [1.0]]))],
              intercept=-2.0, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "MutabilitySwitch", "names": ["b", "r"], "on_value": 1})
    x = (2.0, 0)
    assert actions.admits(x, (3.0, 1)) and gam.score_exact((3.0, 1)) == 0
    result = responsiveness_scores(gam, x, actions)
    assert result.algorithm == "coupled-last" and result.status == "solved"
    assert result.reaching == (2, 2) and result.reachable == (6, 6)
    assert result.fixed is False and result.verify(gam)
    # what the solver once said: fixed, with no witness; the check re-derives "not fixed"
    unwitnessed = dataclasses.replace(result.certificate, witness=None, reaches=False)
    assert not dataclasses.replace(result, fixed=True, certificate=unwitnessed).verify(gam)
    decision = is_fixed(gam, x, actions)
    assert not decision.holds and decision.verify(gam)
    witness = decision.witness
    assert witness is not None and actions.admits(x, witness)
    assert gam.score_exact(witness) >= 0
    unwitnessed = dataclasses.replace(decision.certificate, witness=None)
    assert not dataclasses.replace(decision, holds=True, witness=None,
                                   certificate=unwitnessed).verify(gam)  # fmt: skip
