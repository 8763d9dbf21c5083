"""The count × area measure of components coupling two continuous features, against an
exact brute force of the definition.

Every constant of the model and the action set is a multiple of 1/2, every slope is
-1, 0 or 1 and every linkage scale ±1, so each line where the definition, a piece or
the target can change is u = c, v = c or u ± v = c with c a multiple of 1/2. Those lines
run along the edges and diagonals of the squares of side 1/4, so on each of the four
triangles a square's diagonals cut it into nothing changes: the area of R_j(x) (and of
its part meeting the target) is exactly the sum over triangles of 1/32 times the
definition decided at the triangle's centroid. Where R_j(x) has no area, its length on
the grid lines and diagonals (measured in the free coordinate, as gamexplain does) or
its count of grid points is taken the same way.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Interval,
    Piecewise,
    is_fixed,
    responsiveness_scores,
)
from gamexplain.substrate.polytopes import volume
from tests.queries.test_responsiveness import wanted_class

H = Fraction(1, 4)
SIDE = 3


def _shape(draw: st.DrawFn) -> Piecewise:
    cuts = sorted(draw(st.sets(st.integers(1, 5), max_size=2)))
    edges = [0.0, *[k / 2 for k in cuts], 3.0]
    return Piecewise(edges, [[draw(st.integers(-2, 2)) / 2, float(draw(st.integers(-1, 1)))]
                             for _ in edges[1:]])  # fmt: skip


@st.composite
def planar(draw: st.DrawFn) -> tuple[GAM, tuple[Any, ...], ActionSet]:
    """Two continuous features u, v on [0, 3] and a switch b, coupled by if-then
    constraints, a switch and a linkage; every constant a multiple of 1/2."""
    half = st.integers(0, 6).map(lambda k: k / 2)
    feats = [Feature("u", Interval(0, SIDE), _shape(draw)),
             Feature("v", Interval(0, SIDE), _shape(draw)),
             Feature("b", Finite((0, 1)), Piecewise([0, 1, 2], [[0.0], [draw(half) - 1.5]]))]
    gam = GAM(feats, intercept=draw(st.integers(-4, 4)) / 2, task=Classification(0.0))
    x = (draw(half), draw(half), draw(st.integers(0, 1)))
    elements: dict[str, Any] = {}
    for name in ("u", "v"):
        element: dict[str, Any] = {"step_direction": draw(st.sampled_from([-1, 0, 0, 1])),
                                   "actionable": draw(st.sampled_from([True, True, False]))}
        if draw(st.booleans()):
            element["step_lb"] = -draw(half)
        if draw(st.booleans()):
            element["step_ub"] = draw(half)
        if draw(st.booleans()):
            element["ub"] = draw(half)
        elements[name] = element
    assume(elements["u"]["actionable"] or elements["v"]["actionable"])
    constraints: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        a, b = draw(st.permutations(["u", "v", "b"]))[:2]
        constraints.append({"type": "IfThenConstraint",
                            "if": [a, ">=", draw(half) if a != "b" else 1],
                            "then": [b, draw(st.sampled_from(["==", ">=", "<="])),
                                     draw(half) if b != "b" else draw(st.integers(0, 1))]})
    if draw(st.booleans()):
        constraints.append({"type": "MutabilitySwitch",
                            "names": ["b", *draw(st.sampled_from([["u"], ["u", "v"]]))],
                            "force_change_when_off": draw(st.booleans())})  # fmt: skip
    if draw(st.booleans()):
        constraints.append({"type": "DirectionalLinkage", "names": ["u", "v"],
                            "scales": [draw(st.sampled_from([1, -1]))],
                            "keep_bounds": draw(st.booleans())})  # fmt: skip
    actions = ActionSet.from_gam(gam).with_features(elements).with_constraints(*constraints)
    assume(any(len(c) >= 2 and {0, 1} <= set(c) for c in actions.components))
    try:
        actions.check_instance(x)
    except gx.InvalidInstanceError:
        assume(False)
    return gam, x, actions


def _tally(gam: GAM, x: tuple[Any, ...], actions: ActionSet, wanted: Any,
           points: Any) -> tuple[list[Fraction], list[Fraction]]:  # fmt: skip
    """Σ weight over the (point, weight) pairs of the component moving each member."""
    n = len(x)
    totals, hits = [Fraction(0)] * n, [Fraction(0)] * n
    for point, weight in points:
        if any(not 0 <= point[i] <= SIDE for i in (0, 1)) or not actions.admits(x, point):
            continue
        meets = wanted(gam.score_exact(point))
        for j in range(n):
            if point[j] != x[j] and actions.features[j].actionable:
                totals[j] += weight
                hits[j] += weight * meets
    return totals, hits


def _with_b(x: tuple[Any, ...], points: Any, actions: ActionSet) -> Any:
    """The points with every value of b when b is in u's component, b = x_b otherwise."""
    points = list(points)
    for b in (0, 1) if 2 in actions.component_of(0) else (x[2],):
        for (u, v), weight in points:
            yield [u, v, b], weight


def _triangles() -> Any:
    cells = int(SIDE / H)
    for i, k in itertools.product(range(cells), repeat=2):
        cx, cy = (i + Fraction(1, 2)) * H, (k + Fraction(1, 2)) * H
        for dx, dy in ((0, -1), (0, 1), (-1, 0), (1, 0)):  # toward each side
            yield (cx + dx * H / 3, cy + dy * H / 3), H * H / 4


def _segments(x: tuple[Any, ...]) -> Any:
    """Grid segments of the lines u = c, v = c (c on the 1/4 grid), v = ±u + c (c a
    multiple of 1/2), each weighted by its extent in its free coordinate."""
    grid = [k * H for k in range(int(SIDE / H) + 1)]
    for c in grid:
        for a, b in itertools.pairwise(grid):
            yield (c, (a + b) / 2), H  # u = c, measured along v
            yield ((a + b) / 2, c), H  # v = c, measured along u
    for c in range(-2 * SIDE, 4 * SIDE + 1):  # offsets c/2: no midpoint lies on another line
        for a, b in itertools.pairwise(grid):
            m = (a + b) / 2
            yield (m, m + Fraction(c, 2)), H
            yield (m, -m + Fraction(c, 2)), H


def reference(gam: GAM, x: tuple[Any, ...], actions: ActionSet) -> list[tuple[Any, Any, str]]:
    wanted = wanted_class(gam, x)
    grid = [k * H for k in range(int(SIDE / H) + 1)]
    by_area = _tally(gam, x, actions, wanted, _with_b(x, _triangles(), actions))
    by_length = _tally(gam, x, actions, wanted, _with_b(x, _segments(x), actions))
    by_count = _tally(gam, x, actions, wanted,
                      _with_b(x, (((u, v), 1) for u in grid for v in grid), actions))  # fmt: skip
    out = []
    for j in range(3):
        for (totals, hits), label in ((by_area, "count × area"), (by_length, "count × length"),
                                      (by_count, "count")):  # fmt: skip
            if totals[j] != 0 or label == "count":
                out.append((totals[j], hits[j], label))
                break
    return out


@settings(max_examples=25, deadline=None)
@given(model=planar())
def test_the_area_measure_equals_the_exact_grid(model):
    gam, x, actions = model
    component = actions.component_of(0)
    assume(1 in component)
    result = responsiveness_scores(gam, x, actions)
    truth = reference(gam, x, actions)
    for j in component:
        total, hit, label = truth[j]
        assert (result.reachable[j], result.reaching[j], result.measure[j]) == (total, hit, label)
    assert result.algorithm == "coupled-volume" and result.exact
    assert result.verify(gam)
    if any(truth[j][1] for j in component):  # a reachable point meets the target
        assert result.fixed is False
    if result.fixed is None:  # no examined point reaches: left open, and said so
        assert "several continuous features" in result.message
        with pytest.raises(gx.UnsupportedQueryError, match="several continuous features"):
            is_fixed(gam, x, actions)
    else:
        decision = is_fixed(gam, x, actions)
        assert decision.holds == result.fixed and decision.verify(gam)
        assert decision.witness is not None and actions.admits(x, list(decision.witness))
    forged = list(result.reachable)
    forged[0] += Fraction(1, 8)
    assert not dataclasses.replace(result, reachable=tuple(forged)).verify(gam)
    flipped = list(result.reaching)
    flipped[component[-1]] += Fraction(1, 8)
    assert not dataclasses.replace(result, reaching=tuple(flipped)).verify(gam)


def test_an_if_then_between_two_rates_has_an_exact_area():
    # u + v on [0, 2]², "u ≥ 1 ⇒ v ≤ 1" removes the top-right unit square: area 3, and
    # the part with u + v ≥ 3/2 is 3 − 9/8 (below the line) − 1 (the square) + ... exact
    line = Piecewise([0, 2], [[0.0, 1.0]])
    gam = GAM([Feature("u", Interval(0, 2), line), Feature("v", Interval(0, 2), line)],
              intercept=-1.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 1], "then": ["v", "<=", 1]})
    result = responsiveness_scores(gam, (0.0, 0.0), actions)
    # below u + v = 3/2 inside [0, 2]²: 9/8; the removed square lies above it
    assert result.reachable == (3, 3) and result.reaching == (3 - Fraction(9, 8),) * 2
    assert result.measure == ("count × area", "count × area")
    assert result.exact_scores == (Fraction(5, 8),) * 2 and result.verify(gam)
    assert result.fixed is False and result.algorithm == "coupled-volume"


def test_a_linkage_to_an_immutable_rate_is_measured_along_its_source():
    # v follows u one for one and cannot move alone: R(x) is a segment, measured by its
    # length in u (the free coordinate); v scores 0 (it only moves with u)
    line = Piecewise([0, 4], [[0.0, 1.0]])
    gam = GAM([Feature("u", Interval(0, 2), line), Feature("v", Interval(0, 4), line)],
              intercept=-2.0, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_features({"v": {"actionable": False}}).with_constraints(
        {"type": "DirectionalLinkage", "names": ["u", "v"], "scales": [1]})
    result = responsiveness_scores(gam, (0.0, 0.0), actions)
    assert result.measure[0] == "count × length" and result.reachable == (2, 0)
    assert result.reaching[0] == 1  # 2u ≥ 2 on [1, 2]
    assert result.verify(gam)


def test_a_switch_turned_off_pins_its_rates_and_is_counted():
    flat = Piecewise([0, 1], [[0.0, 1.0]])
    gam = GAM([Feature("u", Interval(0, 1), flat), Feature("v", Interval(0, 1), flat),
               Feature("b", Finite((0, 1)), Piecewise([0, 1, 2], [[0.0], [1.0]]))],
              intercept=-0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "MutabilitySwitch", "names": ["b", "u", "v"]})
    result = responsiveness_scores(gam, (0.5, 0.5, 1), actions)
    # b → 0 freezes u and v: one point, counted; u and v move with b on: an area
    assert result.measure == ("count × area", "count × area", "count")
    assert result.reachable == (1, 1, 1) and result.verify(gam)


def test_three_coupled_rates_have_an_exact_volume():
    line = Piecewise([0, 1], [[0.0, 1.0]])
    gam = GAM([Feature(n, Interval(0, 1), line) for n in "uvw"], intercept=-1.0,
              task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 0], "then": ["v", ">=", 0]},
        {"type": "IfThenConstraint", "if": ["v", ">=", 0], "then": ["w", ">=", 0]})
    result = responsiveness_scores(gam, (0.0, 0.0, 0.0), actions)
    # the unit cube, and u + v + w ≥ 1 off the corner simplex of volume 1/6
    assert result.measure == ("count × 3-volume",) * 3
    assert result.reachable == (1, 1, 1) and result.reaching == (Fraction(5, 6),) * 3
    assert result.verify(gam)


def test_curved_members_are_refused_by_name():
    curve = Piecewise([0, 1], [[0.0, 0.0, 1.0]])
    gam = GAM([Feature("u", Interval(0, 1), curve), Feature("v", Interval(0, 1), curve)],
              intercept=-0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["u", ">=", 0.5], "then": ["v", "<=", 0.5]})
    with pytest.raises(gx.UnsupportedQueryError, match=r"'u' has a piece of degree 2"):
        responsiveness_scores(gam, (0.0, 0.0), actions)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2), st.integers(-4, 4)),
                max_size=3))  # fmt: skip
def test_lasserre_volume_equals_the_triangle_grid(rows):
    """Polygons cut from [0, 3]² by half-planes a u + b v ≤ c/2 (a, b in {-1, 0, 1}...):
    Lasserre's volume equals the exact triangle sum of the module docstring."""
    unit = [(1, 0, 6), (-1, 0, 0), (0, 1, 6), (0, -1, 0)]
    rows = [(max(-1, min(1, a)), max(-1, min(1, b)), c) for a, b, c in rows]
    halfspaces = [((Fraction(a), Fraction(b)), Fraction(c, 2)) for a, b, c in unit + rows]
    exact = sum(weight for (u, v), weight in _triangles()
                if all(a * u + b * v <= c for (a, b), c in halfspaces))  # fmt: skip
    assert volume(halfspaces, 2) == exact
