"""Minimum recourse when pair terms join components: the reachable box's minimum
contrastive reason, against an enumeration of R(x) from the definition on an exact grid
that meets every cell (breakpoints, pair edges, the reach's ends and the midpoints)."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    PairTerm,
    Piecewise,
    Table,
    is_fixed,
    minimum_recourse,
)
from gamexplain.algorithms import pair_cells
from gamexplain.algorithms.pair_cells import pairwise_applies
from gamexplain.errors import TimeLimitError, UnsupportedQueryError
from tests.queries.test_responsiveness import elements
from tests.strategies import gams, instances


def _critical(gam: GAM, actions: ActionSet, j: int, x_j: Any) -> list[Fraction]:
    """Every value where feature j's score, pair bins or reachability may change."""
    feature, action = gam.features[j], actions.features[j]
    d = feature.domain
    points = {Fraction(d.low), Fraction(d.high), Fraction(x_j)}
    if isinstance(feature.shape, Piecewise):
        points |= {Fraction(b) for b in feature.shape.breakpoints}
    for pair in gam.pairs:
        if j in pair.features:
            points |= {Fraction(e) for e in pair.edges[pair.features.index(j)] or ()}
    for bound in (action.lb, action.ub):
        if bound is not None:
            points.add(Fraction(bound))
    for step in (action.step_lb, action.step_ub):
        if step is not None:
            points.add(Fraction(x_j) + step)
    inside = sorted(p for p in points if d.low <= p <= d.high)
    return sorted(set(inside) | {(a + b) / 2 for a, b in itertools.pairwise(inside)})


def candidates(gam: GAM, actions: ActionSet, x: tuple[Any, ...]) -> list[list[Any]]:
    out = []
    for j, f in enumerate(gam.features):
        d = f.domain
        if isinstance(d, Finite):
            out.append(list(d.values))
        elif isinstance(d, Integers):
            out.append(list(range(d.low, d.high + 1)))
        else:
            out.append(_critical(gam, actions, j, x[j]))
    return out


def reference(gam: GAM, x: tuple[Any, ...], actions: ActionSet,
              fixed: frozenset[int] = frozenset()) -> int | None:  # fmt: skip
    """The fewest changed features over the grid points the action set admits that keep
    ``fixed`` and reach the class opposite the prediction."""
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    best = None
    for point in itertools.product(*candidates(gam, actions, x)):
        changed = [j for j in range(len(x)) if point[j] != x[j]]
        if fixed.intersection(changed) or (best is not None and len(changed) >= best):
            continue
        if actions.admits(x, point) and gam.task.label_exact(gam.score_exact(point)) == opposite:
            best = len(changed)
    return best


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_pair_box_recourse_equals_the_definition(data):
    gam = data.draw(gams(min_features=2, max_features=3,
                         domain_kinds=("interval", "integers", "finite"),
                         components=("ebm", "table"), pairs=True,
                         task=st.just(Classification(0.0))).filter(lambda g: g.pairs))  # fmt: skip
    x = data.draw(instances(gam))
    chosen = {f.name: data.draw(elements(f.domain)) for f in gam.features
              if data.draw(st.booleans())}  # fmt: skip
    actions = ActionSet.from_gam(gam).with_features(chosen)
    fixed = frozenset(data.draw(st.sets(st.integers(0, len(x) - 1), max_size=1)))
    try:
        result = minimum_recourse(gam, x, actions, fixed=fixed)
    except UnsupportedQueryError:
        event("refused: R(x) is no box")
        return
    event(result.algorithm)
    assert result.status == "solved" and result.exact
    assert result.size == reference(gam, x, actions, fixed)
    if result.size is not None:
        assert actions.admits(x, result.witness)
        assert gam.task.label_exact(gam.score_exact(result.witness)) != gam.task.label_exact(
            gam.score_exact(x)
        )
    assert result.verify(gam)


def _joined_model() -> GAM:
    # a and b each help a little alone; their pair term is what flips
    step = Piecewise([0.0, 1.0, 2.0], [[0.0], [0.25]])
    return GAM([Feature("a", Interval(0.0, 2.0), step), Feature("b", Interval(0.0, 2.0), step),
                Feature("c", Integers(0, 3), Piecewise([0, 2, 4], [[0.0], [0.1]]))],
               intercept=-1.0, task=Classification(0.0),
               pairs=[PairTerm((0, 1), [[-1.0, 1.0, 3.0], [-1.0, 1.0, 3.0]],
                               [[0.0, 0.0], [0.0, 1.0]])])  # fmt: skip


def test_a_pair_term_across_components_needs_both_features():
    gam = _joined_model()
    actions = ActionSet.from_gam(gam)
    result = minimum_recourse(gam, (0.5, 0.5, 0), actions)
    assert result.algorithm == "pair-box" and result.exact
    assert result.size == 2 and set(result.features) == {"a", "b"}
    assert result.verify(gam)
    assert reference(gam, (0.5, 0.5, 0), actions) == 2
    held = ActionSet.from_gam(gam, b={"ub": 0.9})  # b cannot reach its upper cell
    none = minimum_recourse(gam, (0.5, 0.5, 0), held)
    assert none.size is None and none.status == "solved" and none.verify(gam)
    assert "fixed" in str(none)


def test_tampered_pair_box_recourse_fails_verify():
    gam = _joined_model()
    result = minimum_recourse(gam, (0.5, 0.5, 0), ActionSet.from_gam(gam))
    proof = result.certificate.box
    forged = [
        dataclasses.replace(result, size=1, features=("a",), witness=(1.5, 0.5, 0)),
        dataclasses.replace(result, witness=(1.5, 0.9, 0)),
        dataclasses.replace(result, certificate=dataclasses.replace(result.certificate,
                                                                    box=None)),
        dataclasses.replace(result, certificate=dataclasses.replace(
            result.certificate, fixed=frozenset({2}))),
    ]
    for bad in forged:
        assert not bad.verify(gam)
    proof.held = frozenset({2})
    assert not result.verify(gam)


def test_pair_box_honours_the_time_limit():
    pytest.importorskip("interpret")
    import gamexplain as gx

    gam = gx.load("breast_cancer_default_ebm")
    x = gam.instance([getattr(f.domain, "low", 0) for f in gam.features])
    actions = ActionSet.from_gam(gam)
    # building the model's cell tables (seconds) counts against the limit: choosing the
    # algorithm runs out first and says so (tables are cached by model value, so another
    # test's load of the same model must not have built them)
    pair_cells.clear_cache()
    with pytest.raises(TimeLimitError, match="while choosing its algorithm"):
        minimum_recourse(gam, x, actions, time_limit=1e-9)
    # with the tables built, pair-box itself runs and stops
    assert pairwise_applies(gam, {}) is None
    result = minimum_recourse(gam, x, actions, time_limit=1e-9)
    assert result.algorithm == "pair-box"
    assert result.status == "time_limit" and not result.exact and result.verify(gam)
    # nothing found: the printout says so, and claims no size bound it does not have
    assert result.size is None and "upper bound" not in str(result)
    assert "undecided" in str(result)
    decision = is_fixed(gam, x, actions, time_limit=1e-9)
    assert decision.status == "time_limit" and decision.verify(gam)
    # is_fixed has no per-feature scores to bound, and says "undecided" once
    text = str(decision)
    assert text.count("undecided") == 1 and "scores" not in text


def test_a_row_beyond_the_domain_keeps_its_cell():
    # a = 2.5 lies past the model's domain, in the same cell as a = 2 (its last piece and
    # pair bin), so R(x) is still a box and a may stay where it is
    gam = _joined_model()
    actions = ActionSet.from_gam(gam)
    result = minimum_recourse(gam, (2.5, 0.5, 0), actions)
    assert result.algorithm == "pair-box" and result.exact
    assert result.size == 1 and result.features == ("b",) and result.witness[0] == 2.5
    assert result.verify(gam)


def test_a_single_reachable_value_other_than_x_is_a_move_not_a_stay():
    # x1 = 1 may only decrease, to at most 0: R(x1) = {1, 0}. The box code once took a
    # one-point reachable range for "cannot move" and answered "fixed"; 0 flips.
    gam = GAM([Feature("x0", Integers(0, 0), Piecewise([0.0, 1.0], [[2.0]])),
               Feature("x1", Integers(0, 1), Piecewise([-1.0, 0.0, 1.0, 2.0],
                                                       [[0.0], [0.0], [1.0]])),
               Feature("x2", Finite(["x20"]), Table([0.0]))],
              intercept=-3.0, task=Classification(0.0),
              pairs=[PairTerm((0, 2), ((-1.0, 1.0), None), ((0.0,),))])  # fmt: skip
    x = (0, 1, "x20")
    actions = ActionSet.from_gam(gam).with_features(
        {"x1": {"actionable": True, "step_direction": -1, "ub": 0}})
    result = minimum_recourse(gam, x, actions)
    assert result.size == reference(gam, x, actions) == 1 and result.verify(gam)
    fixed = is_fixed(gam, x, actions)
    assert fixed.status == "solved" and fixed.holds is False and fixed.verify(gam)
