"""Coupled components counted by their last member's level sets (thm:resp-coupled-last)
against the enumeration of the definition."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Integers,
    Piecewise,
    is_fixed,
    responsiveness_scores,
)
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
        from hypothesis import assume

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
