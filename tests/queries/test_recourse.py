"""Minimum recourse under an action set against an enumeration of R(x) from the definition."""

from __future__ import annotations

import dataclasses
import itertools
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Piecewise,
    minimum_contrastive_reason,
    minimum_recourse,
)
from tests.queries.test_responsiveness import action_sets, encoded, valid_state
from tests.strategies import gams, instances


def reference(gam: GAM, x: tuple[Any, ...], actions: ActionSet, fixed: frozenset[int] = frozenset()
              ) -> int | None:  # fmt: skip
    """The fewest changed features over every point of the domain product that the action
    set admits, keeps ``fixed`` and reaches the class opposite the prediction."""
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    values = [
        list(d.values) if isinstance(d, Finite) else list(range(d.low, d.high + 1))
        for d in actions.domains
    ]
    best = None
    for point in itertools.product(*values):
        changed = [j for j in range(len(x)) if point[j] != x[j]]
        if fixed.intersection(changed) or (best is not None and len(changed) >= best):
            continue
        if actions.admits(x, point) and gam.task.label_exact(gam.score_exact(point)) == opposite:
            best = len(changed)
    return best


def assert_matches(gam: GAM, x: tuple[Any, ...], actions: ActionSet, method: str = "auto",
                   fixed: frozenset[int] = frozenset()) -> None:  # fmt: skip
    result = minimum_recourse(gam, x, actions, method=method, fixed=fixed)
    assert result.status == "solved" and result.exact
    assert result.size == reference(gam, x, actions, fixed)
    if result.size is not None:
        witness = result.witness
        assert actions.admits(x, witness)
        assert gam.task.label_exact(gam.score_exact(witness)) != gam.task.label_exact(
            gam.score_exact(x)
        )
        assert result.features == tuple(
            gam.features[j].name for j in range(len(x)) if witness[j] != x[j]
        )
    assert result.verify(gam)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_recourse_equals_the_definition_on_random_discrete_models(data):
    gam = data.draw(gams(max_features=3, domain_kinds=("finite", "integers"), pairs=True,
                         task=st.just(Classification(0.0))))  # fmt: skip
    x = data.draw(instances(gam))
    actions = data.draw(action_sets(gam))
    fixed = frozenset(data.draw(st.sets(st.integers(0, len(x) - 1), max_size=1)))
    assert_matches(gam, x, actions, fixed=fixed)
    assert_matches(gam, x, actions, method="joint-enumeration", fixed=fixed)


@settings(max_examples=30, deadline=None)
@given(model=encoded(), data=st.data())
def test_recourse_through_encodings_and_switches_equals_the_definition(model, data):
    gam, actions = model
    x = data.draw(instances(gam).filter(lambda x: valid_state(actions, x)))
    assert_matches(gam, x, actions)
    assert_matches(gam, x, actions, method="joint-enumeration")


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_interval_features_do_at_least_as_well_as_a_fine_grid(data):
    gam = data.draw(
        gams(
            max_features=3,
            domain_kinds=("interval", "integers"),
            components=("ebm", "spline"),
            task=st.just(Classification(0.0)),
        )
    )
    x = data.draw(instances(gam))
    result = minimum_recourse(gam, x, None)
    assert result.verify(gam)
    grids = []
    for f in gam.features:
        d = f.domain
        if isinstance(d, Interval):
            low, high = Fraction(d.low), Fraction(d.high)
            edges = {Fraction(e) for e in getattr(f.shape, "edges", []) if low <= e <= high}
            grids.append(sorted({low + (high - low) * k / 16 for k in range(17)} | edges))
        else:
            grids.append(list(range(d.low, d.high + 1)))
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    found = [
        sum(a != b for a, b in zip(p, x, strict=True))
        for p in itertools.product(*grids)
        if gam.task.label_exact(gam.score_exact(p)) == opposite
    ]
    if found:
        assert result.size is not None and result.size <= min(found)


def test_a_linkage_counts_the_feature_it_drags():
    # raising education by one drags age up by two; only their joint change flips
    gam = GAM([Feature("education", Integers(0, 4), Piecewise([0, 2, 5], [[-1.0], [0.5]])),
               Feature("age", Integers(18, 80), Piecewise([18, 30, 81], [[0.0], [0.75]])),
               Feature("debt", Integers(0, 3), Piecewise([0, 4], [[0.0]]))],
              intercept=0.0, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam, age={"actionable": False}).with_constraints(
        {"type": "DirectionalLinkage", "names": ["education", "age"], "scales": [2]}
    )
    x = (0, 26, 0)
    result = minimum_recourse(gam, x, actions)
    assert result.size == 2 and result.features == ("education", "age")
    assert result.witness == (2, 30, 0) and result.verify(gam)
    assert reference(gam, x, actions) == 2
    # without the action set the plain MCR changes education alone
    assert minimum_contrastive_reason(gam, x).features == ("education",)


def test_mcr_with_actions_is_the_recourse_and_keeps_fixed():
    gam = GAM([Feature("a", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]])),
               Feature("b", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]]))],
              intercept=0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam, a={"step_ub": 1})
    mcr = minimum_contrastive_reason(gam, [0, 0], actions=actions)
    assert isinstance(mcr, gx.RecourseResult) and mcr.features == ("b",) and mcr.verify(gam)
    held = minimum_contrastive_reason(gam, [0, 0], actions=actions, fixed=["b"])
    assert held.size is None and held.status == "solved" and held.verify(gam)
    assert "fixed" in str(held)
    with pytest.raises(gx.InvalidParameterError, match="minimum_contrastive_reason"):
        minimum_contrastive_reason(gam, [0, 0], actions=3)


def test_target_on_a_regression_score():
    gam = GAM([Feature("a", Integers(0, 5), Piecewise([0, 6], [[0.0, 1.0]])),
               Feature("b", Integers(0, 5), Piecewise([0, 6], [[0.0, 2.0]]))],
              task=gx.Regression())  # fmt: skip
    result = minimum_recourse(gam, [0, 0], None, target=(">=", 12))
    assert result.size == 2 and result.verify(gam)
    result = minimum_recourse(gam, [0, 0], None, target=(">=", 10))
    assert result.size == 1 and result.features == ("b",) and result.verify(gam)


def tampered(result: Any, **changes: Any) -> Any:
    return dataclasses.replace(result, **changes)


def test_tampered_recourse_fails_verify():
    gam = GAM([Feature("a", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]])),
               Feature("b", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [2.0]])),
               Feature("c", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [0.25]]))],
              intercept=0.0, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam)
    result = minimum_recourse(gam, [0, 0, 0], actions)
    assert result.size == 1 and result.features == ("b",) and result.verify(gam)
    two = (2, 2, 0)
    assert not tampered(result, size=2, features=("a", "b"), witness=two).verify(gam)  # not minimum
    assert not tampered(result, witness=(0, 1, 0)).verify(gam)  # does not flip
    assert not tampered(result, features=("a",)).verify(gam)  # names another feature
    assert not tampered(result, size=None, features=None, witness=None).verify(gam)  # "fixed"
    assert not tampered(result, target="score >= 1").verify(gam)
    assert not tampered(result, algorithm="joint-enumeration", cell="msr").verify(gam)
    assert not tampered(result, exact=False).verify(gam)
    small = ActionSet.from_gam(gam, b={"step_ub": 1})
    assert not tampered(result, actions=small).verify(gam)  # b cannot reach 2 under it
    held = dataclasses.replace(result.certificate, fixed=frozenset({1}))
    assert not tampered(result, certificate=held).verify(gam)
    other = GAM([*gam.features[:2], Feature("c", Integers(0, 3), Piecewise([0, 4], [[5.0]]))],
                task=Classification(0.0))  # fmt: skip
    assert not result.verify(other)


def test_budget_and_time_limit_give_an_upper_bound_not_a_minimum():
    feats = [Feature(f"d{k}", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [1.0]]))
             for k in range(6)]  # fmt: skip
    gam = GAM(feats, intercept=-2.5, task=Classification(0.0))
    names = [f.name for f in feats]
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "OneHotEncoding", "names": names, "limit": 3, "limit_type": "max"}
    )
    solved = minimum_recourse(gam, [0] * 6, actions)
    assert solved.size == 3 and solved.verify(gam)
    stopped = minimum_recourse(gam, [0] * 6, actions, max_states=5)
    assert stopped.status == "budget_exhausted" and not stopped.exact and stopped.verify(gam)
    late = minimum_recourse(gam, [0] * 6, actions, time_limit=1e-9)
    assert late.status in ("time_limit", "solved") and late.verify(gam)


def test_a_component_with_a_continuous_member_is_answered():
    gam = GAM([Feature("t", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]])),
               Feature("k", Integers(0, 2), Piecewise([0, 3], [[0.0]]))],
              intercept=-0.5, task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["k", ">=", 1], "then": ["t", ">=", 0]}
    )
    # t is cut into gaps at the constants the constraint names (thm:recourse-knapsack, the gap case)
    answer = minimum_recourse(gam, [0, 0], actions)
    assert answer.size == 1 and answer.features == ("t",) and answer.verify(gam)
    assert Fraction(1, 2) <= answer.witness[0] <= 1
    # responsiveness measures it (count over k times length over t: thm:resp-coupled-last)
    scores = gx.responsiveness_scores(gam, [0, 0], actions)
    assert scores.measure == ("count × length", "count × length")
    assert scores.reachable == (3, 2) and scores.reaching == (Fraction(3, 2), 1)
    assert scores.exact_scores == (Fraction(1, 2), Fraction(1, 2)) and scores.verify(gam)
    both = GAM([gam.features[0], Feature("k", Interval(0, 2), Piecewise([0, 2], [[0.0]]))],
               intercept=-0.5, task=Classification(0.0))  # fmt: skip
    two = ActionSet.from_gam(both).with_constraints(
        {"type": "IfThenConstraint", "if": ["k", ">=", 1], "then": ["t", ">=", 0]})
    assert gx.responsiveness_scores(both, [0, 0], two).measure == ("count × area",) * 2


def test_cli_mcr_with_actions_runs_the_recourse(tmp_path, capsys):
    from gamexplain.cli import main

    gam = GAM([Feature("a", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]])),
               Feature("b", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]]))],
              intercept=0.5, task=Classification(0.0))  # fmt: skip
    model = tmp_path / "m.json"
    gx.dump(gam, model)
    actions = tmp_path / "actions.json"
    actions.write_text(json.dumps({"features": {"a": {"step_ub": 1}}}))
    code = main(["explain", str(model), "--instance", "[0,0]", "--query", "mcr",
                 "--actions", str(actions)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "b 0 -> 2" in out and "feasible action" in out


def test_a_multiclass_model_is_refused_clearly():
    from tests.queries.test_multiclass_queries import MODEL

    gam = gx.loads(MODEL)
    with pytest.raises(gx.UnsupportedQueryError, match="multiclass"):
        gx.minimum_recourse(gam, ("y", 0.5), None)
    # responsiveness and fixed predictions take a class target (issue 14); "fixed" with a
    # linear piece on a continuous range is decided exactly (thm:multiclass-fixed-lines)
    scores = gx.responsiveness_scores(gam, ("y", 0.5), None)
    assert scores.target.startswith("a class other than") and scores.verify(gam)
    assert scores.fixed is False and not scores.message
    moved = gx.is_fixed(gam, ("y", 0.5), None)
    assert not moved.holds and moved.witness is not None and moved.verify(gam)
    frozen = gx.ActionSet.from_gam(gam).with_features({"income": {"actionable": False}})
    decision = gx.is_fixed(gam, ("y", 0.5), frozen)
    assert decision.status == "solved" and decision.verify(gam)
