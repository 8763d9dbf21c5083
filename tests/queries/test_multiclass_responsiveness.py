"""Responsiveness and fixed predictions toward a class of a multiclass model, against the
definition: every reachable point enumerated and its argmax taken."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import ActionSet, Finite, is_fixed, responsiveness_scores
from tests.queries.test_responsiveness import action_sets, elements
from tests.strategies import instances, multiclass_gams


def reference(gam: Any, x: tuple[Any, ...], actions: ActionSet, meets: Any) -> tuple:
    """|R_j|, hits and fixed by enumerating the domain product, the argmax per point."""
    values = [list(d.values) if isinstance(d, Finite) else list(range(d.low, d.high + 1))
              for d in actions.domains]  # fmt: skip
    totals = [0] * len(x)
    hits = [0] * len(x)
    reaches = False
    for point in itertools.product(*values):
        if not actions.admits(x, point):
            continue
        met = meets(gam.predict_index(point))
        reaches = reaches or met
        moved = [j for j in range(len(x)) if point[j] != x[j]]
        if not moved:
            continue
        component = actions.component_of(moved[0])
        if any(j not in component for j in moved):
            continue
        for j in component:
            if point[j] != x[j] and actions.features[j].actionable:
                totals[j] += 1
                hits[j] += met
    return totals, hits, not reaches


def assert_matches(gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Any,
                   method: str = "auto") -> None:  # fmt: skip
    predicted = gam.predict_index(x)
    if target is None:
        meets = lambda c: c != predicted  # noqa: E731
    else:
        wanted = gam.class_index(target)
        meets = lambda c: c == wanted  # noqa: E731
    result = responsiveness_scores(gam, x, actions, target=target, method=method)
    totals, hits, fixed = reference(gam, x, actions, meets)
    assert list(result.reachable) == totals
    assert list(result.reaching) == hits
    assert list(result.exact_scores) == [
        Fraction(h, t) if t else 0 for h, t in zip(hits, totals, strict=True)
    ]
    assert result.fixed == fixed and result.exact
    assert result.verify(gam)
    decision = is_fixed(gam, x, actions, target=target, method=method)
    assert decision.holds == fixed and decision.verify(gam)
    if not fixed:
        assert decision.witness is not None and actions.admits(x, decision.witness)
        assert meets(gam.predict_index(decision.witness))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_scores_toward_a_class_equal_the_definition(data):
    gam = data.draw(multiclass_gams(max_classes=4, max_features=3,
                                    domain_kinds=("finite", "integers"),
                                    pairs=data.draw(st.booleans())))  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    actions = data.draw(action_sets(gam))
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    assert_matches(gam, x, actions, target)


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_the_reference_algorithm_agrees(data):
    gam = data.draw(multiclass_gams(max_classes=3, max_features=3,
                                    domain_kinds=("finite", "integers")))  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    actions = data.draw(action_sets(gam))
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    assert_matches(gam, x, actions, target, method="rival-brute")


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_continuous_step_functions_verify(data):
    gam = data.draw(multiclass_gams(max_classes=3, max_features=3,
                                    domain_kinds=("finite", "interval"),
                                    components=("table", "ebm")))  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    chosen = {
        f.name: data.draw(elements(f.domain)) for f in gam.features if data.draw(st.booleans())
    }
    actions = ActionSet.from_gam(gam).with_features(chosen)
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    result = responsiveness_scores(gam, x, actions, target=target)
    assert result.exact and result.fixed is not None and result.verify(gam)
    decision = is_fixed(gam, x, actions, target=target)
    assert decision.holds == result.fixed and decision.verify(gam)
    if decision.witness is not None:
        wins = gam.predict_index(decision.witness)
        assert wins != gam.predict_index(x) if target is None else gam.classes[wins] == target


def test_a_bad_target_class_is_refused() -> None:
    from gamexplain import GAM, Feature, Integers, Multiclass, MulticlassGAM, Piecewise, Regression

    def score(v: float) -> GAM:
        return GAM([Feature("a", Integers(0, 3), Piecewise([0, 2, 4], [[0.0], [v]]))],
                   0.0, Regression())  # fmt: skip

    gam = MulticlassGAM(Multiclass(["x", "y", "z"]), [score(0.0), score(1.0), score(2.0)])
    with pytest.raises(gx.InvalidParameterError, match="target"):
        responsiveness_scores(gam, [0], None, target="w")
    result = responsiveness_scores(gam, [0], None, target="y")
    assert result.target == "class y" and result.exact_scores == (Fraction(0),)
    assert result.fixed is True  # z wins wherever y beats x
    assert is_fixed(gam, [0], None, target="y").holds
    assert not is_fixed(gam, [0], None).holds  # z wins from 2 on
    tampered = type(result)(**{**result.__dict__, "target": "class z"})
    assert not tampered.verify(gam)


glassbox = pytest.importorskip("interpret.glassbox")


def test_a_wine_ebm_toward_each_class() -> None:
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=150, interactions=0, random_state=0
    ).fit(X_train, y_train)
    gam = gx.from_ebm(ebm)
    x = X_test.iloc[1]
    actions = ActionSet.from_gam(gam).with_features(
        {"color_intensity": {"step_lb": -2, "step_ub": 2}, "proline": {"step_ub": 0},
         "magnesium": {"actionable": False}})  # fmt: skip
    for target in (None, *gam.classes):
        result = responsiveness_scores(gam, x, actions, target=target)
        assert result.exact and result.cell.endswith("multiclass") and result.verify(gam)
        assert result.exact_scores[gam.index("magnesium")] == 0
        decision = is_fixed(gam, x, actions, target=target)
        assert decision.holds == result.fixed and decision.verify(gam)
        if decision.witness is not None:
            label = gam.predict(np.asarray([decision.witness], dtype=float))[0]
            predicted = gam.predict_exact(gam.instance(x))
            assert label != predicted if target is None else label == target


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_curved_pieces_verify_or_are_refused_clearly(data):
    gam = data.draw(
        multiclass_gams(max_classes=3, max_features=2, domain_kinds=("integers", "interval"),
                        components=("spline",))
    )  # fmt: skip
    x = data.draw(instances(gam.scores[0]))
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    try:
        result = responsiveness_scores(gam, x, None, target=target)
    except gx.UnsupportedQueryError as error:
        assert "degree" in str(error)
        return
    assert result.verify(gam)
    assert result.fixed is not None or result.message
    forged = dataclasses.replace(result, reaching=tuple(r + 1 for r in result.reaching))
    assert not forged.verify(gam)


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_many_rows_equal_row_by_row(data):
    """gx.explain of responsiveness and fixed on a multiclass model: one row at a time,
    each row the single-row answer (the batch used to refuse multiclass action queries)."""
    gam = data.draw(multiclass_gams(max_classes=3, max_features=3,
                                    domain_kinds=("finite", "integers")))  # fmt: skip
    rows = data.draw(st.lists(instances(gam.scores[0]), min_size=2, max_size=4))
    actions = data.draw(action_sets(gam))
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    table = np.empty((len(rows), gam.n_features), dtype=object)
    table[:] = [tuple(row) for row in rows]
    result = gx.explain(gam, table, queries=("responsiveness", "fixed"), actions=actions,
                        target=target)  # fmt: skip
    for r, x in enumerate(rows):
        single = responsiveness_scores(gam, x, actions, target=target)
        for j, name in enumerate(gam.feature_names):
            assert result.table[f"responsiveness[{name}]"].iloc[r] == single.scores[j]
        assert result.table["fixed"].iloc[r] == is_fixed(
            gam, x, actions, target=target).holds  # fmt: skip
    assert result.verify(gam)
