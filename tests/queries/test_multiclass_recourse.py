"""Minimum recourse toward a class of a multiclass model, against an enumeration of R(x)
from the definition (continuous features on an exact grid that meets every cell)."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    ActionSet,
    Feature,
    Interval,
    Multiclass,
    MulticlassGAM,
    Piecewise,
    Regression,
    minimum_recourse,
)
from tests.queries.test_responsiveness import action_sets
from tests.strategies import instances, multiclass_gams


def _grid(gam: Any, actions: ActionSet, j: int, x_j: Any) -> list[Any]:
    """Feature j's values: a finite or integer domain whole; an interval at every
    breakpoint of every class, the reach's ends, x_j and the midpoints between them."""
    d = gam.scores[0].features[j].domain
    if not isinstance(d, Interval):
        return list(d.values) if hasattr(d, "values") else list(range(d.low, d.high + 1))
    action = actions.features[j]
    points = {Fraction(d.low), Fraction(d.high), Fraction(x_j)}
    for model in gam.scores:
        shape = model.features[j].shape
        if isinstance(shape, Piecewise):
            points |= {Fraction(b) for b in shape.breakpoints}
    points |= {Fraction(b) for b in (action.lb, action.ub) if b is not None}
    points |= {Fraction(x_j) + s for s in (action.step_lb, action.step_ub) if s is not None}
    inside = sorted(p for p in points if d.low <= p <= d.high)
    return sorted(set(inside) | {(a + b) / 2 for a, b in itertools.pairwise(inside)})


def reference(gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Any,
              fixed: frozenset[int] = frozenset()) -> int | None:  # fmt: skip
    """The fewest changed features over the grid points the action set admits whose
    argmax is the target class (None: any class but the prediction)."""
    predicted = gam.predict_index(x)
    wanted = None if target is None else gam.class_index(target)
    best = None
    grids = [_grid(gam, actions, j, x[j]) for j in range(len(x))]
    for point in itertools.product(*grids):
        changed = [j for j in range(len(x)) if point[j] != x[j]]
        if fixed.intersection(changed) or (best is not None and len(changed) >= best):
            continue
        if not actions.admits(x, point):
            continue
        label = gam.predict_index(point)
        if (label != predicted) if wanted is None else (label == wanted):
            best = len(changed)
    return best


def assert_matches(gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Any,
                   fixed: frozenset[int] = frozenset(), method: str = "auto") -> None:  # fmt: skip
    result = minimum_recourse(gam, x, actions, target=target, fixed=fixed, method=method)
    assert result.status == "solved" and result.exact
    assert result.size == reference(gam, x, actions, target, fixed)
    if result.size is not None:
        assert actions.admits(x, result.witness)
        label = gam.predict_index(result.witness)
        if target is None:
            assert label != gam.predict_index(x)
        else:
            assert label == gam.class_index(target)
    assert result.verify(gam)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_multiclass_recourse_equals_the_definition(data):
    gam = data.draw(multiclass_gams(max_classes=4, max_features=3,
                                    domain_kinds=("finite", "integers", "interval"),
                                    components=("table", "ebm")))  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    try:
        actions = data.draw(action_sets(gam))
    except gx.InvalidParameterError:  # a linkage drawn between an interval and an integer
        assume(False)
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    fixed = frozenset(data.draw(st.sets(st.integers(0, len(x) - 1), max_size=1)))
    try:
        assert_matches(gam, x, actions, target, fixed)
    except gx.UnsupportedQueryError as error:
        assert "continuous" in str(error)  # a linkage or implication coupling an interval
        event("refused: a coupled continuous member")


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_the_frontier_agrees_with_the_joint_enumeration(data):
    gam = data.draw(multiclass_gams(max_classes=3, max_features=3,
                                    domain_kinds=("finite", "integers"), pairs=True))  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    actions = data.draw(action_sets(gam))
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    assert_matches(gam, x, actions, target, method="class-joint-enumeration")
    try:
        assert_matches(gam, x, actions, target, method="class-frontier")
    except gx.UnsupportedQueryError as error:
        assert "pair term" in str(error)


def _three_classes() -> MulticlassGAM:
    # class 2 needs both a high and b high; class 1 needs a high alone
    step = [0.0, 1.0, 2.0]
    def model(a_hi: float, b_hi: float, intercept: float) -> GAM:
        return GAM([Feature("a", Interval(0.0, 2.0), Piecewise(step, [[0.0], [a_hi]])),
                    Feature("b", Interval(0.0, 2.0), Piecewise(step, [[0.0], [b_hi]]))],
                   intercept, Regression())  # fmt: skip
    return MulticlassGAM(Multiclass(["low", "mid", "high"]),
                         [model(0.0, 0.0, 1.0), model(2.0, 0.0, 0.0), model(1.5, 1.0, 0.0)])


def test_a_class_needs_a_vector_of_changes():
    gam = _three_classes()
    actions = ActionSet.from_gam(gam)
    x = (0.5, 0.5)
    assert gam.predict_exact(x) == "low"
    to_mid = minimum_recourse(gam, x, actions, target="mid")
    to_high = minimum_recourse(gam, x, actions, target="high")
    away = minimum_recourse(gam, x, actions)
    assert (to_mid.size, to_high.size, away.size) == (1, 2, 1)
    assert to_mid.features == ("a",) and set(to_high.features) == {"a", "b"}
    assert gam.predict_exact(to_high.witness) == "high"
    assert all(r.verify(gam) for r in (to_mid, to_high, away))
    assert str(to_high).startswith("changing 2 features") and "class high" in str(to_high)
    held = minimum_recourse(gam, x, ActionSet.from_gam(gam, b={"actionable": False}),
                            target="high")  # fmt: skip
    assert held.size is None and held.status == "solved" and held.verify(gam)
    mcr = gx.minimum_contrastive_reason(gam, x, actions=actions, target="high")
    assert mcr.size == 2 and mcr.verify(gam)


def test_tampered_multiclass_recourse_fails_verify():
    gam = _three_classes()
    result = minimum_recourse(gam, (0.5, 0.5), ActionSet.from_gam(gam), target="high")
    certificate = result.certificate
    forged = [
        dataclasses.replace(result, size=1, features=("a",), witness=(1.5, 0.5)),
        dataclasses.replace(result, witness=(1.5, 0.9)),
        dataclasses.replace(result, target="class mid"),
        dataclasses.replace(result, certificate=dataclasses.replace(
            certificate, target=dataclasses.replace(certificate.target, wins=1))),
        dataclasses.replace(result, size=None, features=None, witness=None),
        dataclasses.replace(result, certificate=dataclasses.replace(certificate, model="0")),
    ]
    for bad in forged:
        assert not bad.verify(gam)
    assert result.verify(gam)


glassbox = pytest.importorskip("interpret.glassbox")


def test_a_wine_ebm_with_a_data_action_set_toward_each_class():
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=100, interactions=0, random_state=0
    ).fit(X_train, y_train)
    gam = gx.from_ebm(ebm)
    actions = ActionSet.from_data(gam, X_train, magnesium={"actionable": False})
    x = X_test.iloc[1]
    for target in (None, *gam.classes):
        result = minimum_recourse(gam, x, actions, target=target)
        assert result.exact and result.algorithm == "class-frontier" and result.verify(gam)
        if result.witness is not None:
            label = gam.predict(np.asarray([result.witness], dtype=float))[0]
            predicted = gam.predict_exact(gam.instance(x))
            assert label != predicted if target is None else label == target
            assert "magnesium" not in result.features
