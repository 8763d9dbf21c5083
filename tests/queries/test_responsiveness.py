"""Responsiveness scores and fixed predictions against enumerations from the definition."""

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
    Table,
    is_fixed,
    responsiveness_scores,
)
from tests.strategies import gams, instances


def reference(gam: GAM, x: tuple[Any, ...], actions: ActionSet, wanted: Any) -> tuple:
    """|R_j|, hits and fixed by enumerating every point of the domain product."""
    values = [
        list(d.values) if isinstance(d, Finite) else list(range(d.low, d.high + 1))
        for d in actions.domains
    ]
    totals = [0] * len(x)
    hits = [0] * len(x)
    reaches = False
    for point in itertools.product(*values):
        if not actions.admits(x, point):
            continue
        meets = wanted(gam.score_exact(point))
        reaches = reaches or meets
        component = None
        for j in range(len(x)):
            if point[j] != x[j]:
                component = actions.component_of(j)
        if component is None or any(point[i] != x[i] for i in range(len(x)) if i not in component):
            continue
        for j in component:
            if point[j] != x[j] and actions.features[j].actionable:
                totals[j] += 1
                hits[j] += meets
    return totals, hits, not reaches


def wanted_class(gam: GAM, x: tuple[Any, ...]) -> Any:
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    return lambda score: gam.task.label_exact(score) == opposite


@st.composite
def elements(draw: st.DrawFn, domain: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"actionable": draw(st.booleans() | st.just(True))}
    out["step_direction"] = draw(st.sampled_from([-1, 0, 1]))
    if isinstance(domain, Finite) and not domain.is_numeric:
        return out
    if draw(st.booleans()):
        out["step_lb"] = -draw(st.integers(0, 3))
    if draw(st.booleans()):
        out["step_ub"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        out["ub"] = draw(st.integers(-2, 3))
    return out


@st.composite
def action_sets(draw: st.DrawFn, gam: GAM) -> ActionSet:
    chosen = {f.name: draw(elements(f.domain)) for f in gam.features if draw(st.booleans())}
    actions = ActionSet.from_gam(gam).with_features(chosen)
    numeric = [f.name for f in gam.features
               if not (isinstance(f.domain, Finite) and not f.domain.is_numeric)]  # fmt: skip
    constraints: list[dict[str, Any]] = []
    if len(numeric) >= 2 and draw(st.booleans()):
        a, b = draw(st.permutations(numeric))[:2]
        constraints.append({"type": "DirectionalLinkage", "names": [a, b],
                            "scales": [draw(st.sampled_from([1, -1, 2]))],
                            "keep_bounds": draw(st.booleans())})  # fmt: skip
    if len(numeric) >= 2 and draw(st.booleans()):
        a, b = draw(st.permutations(numeric))[:2]
        constraints.append({"type": "IfThenConstraint", "if": [a, ">=", draw(st.integers(-1, 2))],
                            "then": [b, draw(st.sampled_from(["==", ">=", "<="])),
                                     draw(st.integers(-1, 2))]})  # fmt: skip
    return actions.with_constraints(*constraints)


def assert_matches(gam: GAM, x: tuple[Any, ...], actions: ActionSet, method: str = "auto") -> None:
    result = responsiveness_scores(gam, x, actions, method=method)
    totals, hits, fixed = reference(gam, x, actions, wanted_class(gam, x))
    assert list(result.reachable) == totals
    assert list(result.reaching) == hits
    shares = [Fraction(h, t) if t else 0 for h, t in zip(hits, totals, strict=True)]
    assert list(result.exact_scores) == shares
    assert result.fixed == fixed
    assert result.verify(gam)
    decision = is_fixed(gam, x, actions, method=method)
    assert decision.holds == fixed and decision.verify(gam)
    if not fixed:
        assert decision.witness is None or actions.admits(x, decision.witness)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_scores_equal_the_definition_on_random_discrete_models(data):
    gam = data.draw(gams(max_features=3, domain_kinds=("finite", "integers"), pairs=True,
                         task=st.just(Classification(0.0))))  # fmt: skip
    x = data.draw(instances(gam))
    assert_matches(gam, x, data.draw(action_sets(gam)))


@st.composite
def encoded(draw: st.DrawFn) -> tuple[GAM, ActionSet]:
    n = draw(st.integers(3, 5))
    feats = [Feature(f"d{k}", Integers(0, 1), Piecewise([0, 1, 2],
                     [[draw(st.integers(-2, 2)) * 1.0], [draw(st.integers(-2, 2)) * 1.0]]))
             for k in range(n)]  # fmt: skip
    feats.append(Feature("z", Integers(0, 3), Piecewise([0, 2, 4], [[-1.0], [1.0]])))
    feats.append(Feature("w", Integers(0, 4), Piecewise([0, 3, 5], [[0.5], [-1.5]])))
    gam = GAM(feats, intercept=draw(st.sampled_from([-0.5, 0.5])), task=Classification(0.0))
    names = [f"d{k}" for k in range(n)]
    kind = draw(st.sampled_from(["OneHotEncoding", "ThermometerEncoding", "OrdinalEncoding",
                                 "MutabilitySwitch"]))  # fmt: skip
    group = names[: draw(st.integers(2, n))]
    data: dict[str, Any] = {"type": kind, "names": group}
    if kind == "OneHotEncoding":
        data["limit_type"] = draw(st.sampled_from(["equal", "max"]))
    if kind in ("ThermometerEncoding", "OrdinalEncoding"):
        data["step_direction"] = draw(st.sampled_from([-1, 0, 1]))
    if kind == "OrdinalEncoding":
        data["exhaustive"] = draw(st.booleans())
    if kind == "MutabilitySwitch":
        data["names"] = [*group, "z"]
        data["force_change_when_off"] = draw(st.booleans())
    extra: list[dict[str, Any]] = []
    if draw(st.booleans()):  # mix in a cross-feature implication on the free member z
        extra.append({"type": "IfThenConstraint", "if": ["z", ">=", draw(st.integers(1, 3))],
                      "then": [names[-1], "==", draw(st.integers(0, 1))]})  # fmt: skip
    if draw(st.booleans()):  # and a second integer feature dragged by z
        extra.append({"type": "DirectionalLinkage", "names": ["z", "w"],
                      "scales": [draw(st.sampled_from([1, -1]))]})  # fmt: skip
    elements = {"z": {"step_direction": draw(st.sampled_from([-1, 0, 1]))},
                "w": {"actionable": draw(st.booleans())}}  # fmt: skip
    actions = ActionSet.from_gam(gam, **elements).with_constraints(data, *extra)
    return gam, actions


def valid_state(actions: ActionSet, x: tuple[Any, ...]) -> bool:
    try:
        actions.check_instance(x)
    except gx.InvalidInstanceError:
        return False
    return True


@settings(max_examples=40, deadline=None)
@given(model=encoded(), data=st.data())
def test_encodings_and_switches_equal_the_definition(model, data):
    gam, actions = model
    x = data.draw(instances(gam).filter(lambda x: valid_state(actions, x)))
    assert_matches(gam, x, actions)
    assert_matches(gam, x, actions, method="brute")


def test_reachml_oracle_integer_grid_scores_three_fifths():
    gam = GAM([Feature("x", Integers(0, 5), Piecewise([0, 3, 6], [[-1.0], [1.0]]))],
              task=Classification(0.0, positive=">"))  # fmt: skip
    result = responsiveness_scores(gam, [0], None)
    assert result.exact_scores == (Fraction(3, 5),) and result.scores == (0.6,)


def test_reachml_oracle_thermometer():
    names = ["u25", "u50", "u75", "u100"]
    # class 1 exactly when u75 = 0
    feats = [
        Feature(n, Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [-1.0 if n == "u75" else 0.0]]))
        for n in names
    ]
    gam = GAM(feats, intercept=0.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "ThermometerEncoding", "names": names}
    )
    low = responsiveness_scores(gam, [0, 0, 0, 0], actions, target=1)
    assert low.exact_scores == (Fraction(1, 2), Fraction(1, 3), 0, 0)
    high = responsiveness_scores(gam, [1, 1, 1, 1], actions, target=1)
    assert high.exact_scores == (1, 1, 1, Fraction(3, 4))
    assert low.verify(gam) and high.verify(gam)


def test_a_2_to_the_40_integer_range_is_measured_not_iterated():
    big = 2**40
    gam = GAM([Feature("n", Integers(0, big), Piecewise([0, 7, big + 1], [[-1.0], [1.0]]))],
              task=Classification(0.0))  # fmt: skip
    result = responsiveness_scores(gam, [0], None)
    assert result.reachable == (big,) and result.reaching == (big - 6,)
    assert result.verify(gam)


def test_an_interval_feature_gets_the_exact_share_of_its_length():
    gam = GAM([Feature("t", Interval(0, 10), Piecewise([0, 2.5, 10], [[-1.0], [0.0, 1.0]]))],
              task=Classification(1.0))  # fmt: skip
    # score ≥ 1 on [3.5, 10]: 6.5 of the reachable [0, 10]
    result = responsiveness_scores(gam, [1.0], None)
    assert result.exact_scores == (Fraction(13, 20),) and result.measure == ("length",)
    assert result.verify(gam)
    result = responsiveness_scores(gam, [1.0], ActionSet.from_gam(gam, t={"step_ub": 4}))
    assert result.reachable == (Fraction(5),) and result.exact_scores == (Fraction(3, 10),)


def test_all_zero_scores_do_not_make_a_prediction_fixed():
    step = Piecewise([0, 1, 2], [[0.0], [1.0]])
    gam = GAM([Feature("a", Integers(0, 1), step), Feature("b", Integers(0, 1), step)],
              intercept=-1.5, task=Classification(0.0))  # fmt: skip
    result = responsiveness_scores(gam, [0, 0], None)
    assert result.all_zero and result.fixed is False
    decision = is_fixed(gam, [0, 0], None)
    assert not decision.holds and decision.witness == (1, 1) and decision.verify(gam)
    frozen = ActionSet.from_gam(gam, b={"actionable": False})
    assert is_fixed(gam, [0, 0], frozen).holds


def test_a_linkage_moves_an_immutable_target():
    feats = [
        Feature("years", Integers(0, 5), Piecewise([0, 6], [[0.0]])),
        Feature("age", Integers(20, 30), Piecewise([20, 24, 31], [[-1.0], [1.0]])),
    ]
    gam = GAM(feats, task=Classification(0.0))
    actions = ActionSet.from_gam(gam, years={"step_direction": 1}, age={"actionable": False})
    actions = actions.with_constraints({"type": "DirectionalLinkage", "names": ["years", "age"]})
    result = responsiveness_scores(gam, [0, 20], actions)
    # years 1..5 drag age to 21..25: ages 24 and 25 flip it; age itself is not actionable,
    # so it scores 0 (reachml 0.2.0a1 instead finds no move of years at all: proofs/errata.md)
    assert result.reachable == (5, 0) and result.exact_scores == (Fraction(2, 5), 0)
    assert result.components == (0, 0) and result.verify(gam)
    assert not is_fixed(gam, [0, 20], actions).holds


def test_a_budget_gives_certified_bounds():
    feats = [Feature(f"d{k}", Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [1.0]]))
             for k in range(6)]  # fmt: skip
    gam = GAM(feats, intercept=-2.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "OneHotEncoding", "names": [f"d{k}" for k in range(6)], "limit_type": "max",
         "limit": 6})  # fmt: skip
    result = responsiveness_scores(gam, [0] * 6, actions, max_states=10, method="per-component")
    assert result.status == "budget_exhausted" and not result.exact
    full = responsiveness_scores(gam, [0] * 6, actions)
    for lo, hi, truth in zip(result.lower, result.upper, full.exact_scores, strict=True):
        assert lo <= truth <= hi
    assert result.verify(gam)


@pytest.mark.parametrize(
    ("data", "place"),
    [
        ({"features": {"nope": {}}}, "features.nope"),
        ({"features": {"age": {"lb": 40, "ub": 30}}}, "features.age.lb"),
        ({"features": {"age": {"step_lb": 2}}}, "features.age.step_lb"),
        ({"features": {"grade": {"lb": 1}}}, "features.grade.lb"),
        ({"constraints": [{"type": "OneHotEncoding", "names": ["age", "open_accounts"]}]},
         "constraints[0].names[0]"),
        ({"constraints": [{"type": "Nope", "names": ["age"]}]}, "constraints[0].type"),
        ({"constraints": [{"type": "DirectionalLinkage", "names": ["age", "zzz"]}]},
         "constraints[0].names[1]"),
        ({"constraints": [{"type": "DirectionalLinkage", "names": ["age", "open_accounts"]},
                          {"type": "DirectionalLinkage", "names": ["open_accounts", "age"]}]},
         "circular linkage"),
        ({"constraints": [{"type": "DirectionalLinkage", "names": ["age", "income"]}]},
         "constraints[0].names[1]"),
    ],
)  # fmt: skip
def test_a_bad_action_set_names_the_place(data, place):
    gam = gx.load("credit")
    with pytest.raises(gx.InvalidParameterError, match=None) as info:
        ActionSet.from_dict(gam, data)
    assert place in str(info.value)


def test_an_action_set_file_round_trips(tmp_path):
    gam = gx.load("credit")
    actions = ActionSet.from_gam(gam, age={"actionable": False}, income={"step_ub": 20})
    actions = actions.with_constraints(
        {"type": "DirectionalLinkage", "names": ["open_accounts", "age"], "scales": [0.5]}
    )
    path = tmp_path / "actions.json"
    gx.dump_actions(actions, path)
    assert gx.load_actions(path, gam) == actions
    assert json.loads(path.read_text())["format"] == "gamexplain-actions/1"
    assert responsiveness_scores(gam, ("A", 10.0, 30, 1, 0.5), str(path)).verify(gam)


def test_a_tampered_certificate_fails_verify():
    gam = gx.load("credit")
    x = ("C", 10.0, 30, 1, 0.5)
    result = responsiveness_scores(gam, x, None)
    assert result.verify(gam)
    scores = list(result.exact_scores)
    scores[3] = Fraction(1, 7) if scores[3] != Fraction(1, 7) else Fraction(0)
    assert not dataclasses.replace(result, exact_scores=tuple(scores)).verify(gam)
    flipped = dataclasses.replace(result, fixed=not result.fixed)
    assert not flipped.verify(gam)
    decision = is_fixed(gam, x, None)
    assert decision.verify(gam)
    assert not dataclasses.replace(decision, holds=not decision.holds).verify(gam)


def test_the_credit_model_table_shape_mixes_every_domain_kind():
    gam = gx.load("credit")
    result = responsiveness_scores(gam, ("D", 10.0, 30, 1, 0.9), None)
    assert result.measure == ("count", "length", "count", "count", "length")
    assert next(name for name, _ in result.ranked()) in gam.feature_names
    assert "responsiveness toward" in str(result) and result.verify(gam)
    assert isinstance(gam.features[0].shape, Table)


def test_the_docs_page_examples_run():
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "responsiveness.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(block, namespace)
    assert blocks


def test_the_cli_ranks_scores_and_reads_an_action_file(tmp_path, capsys):
    from gamexplain.cli import main

    path = tmp_path / "actions.json"
    path.write_text(json.dumps({"features": {"age": {"actionable": False},
                                             "income": {"step_ub": 30}}}))  # fmt: skip
    instance = '["D", 10.0, 30, 1, 0.9]'
    status = main(["explain", "credit", "--instance", instance, "--query",
                   "responsiveness,fixed", "--actions", str(path)])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0 and "responsiveness toward score >= 0" in out and "not fixed" in out
    status = main(["explain", "credit", "--instance", instance, "--query", "responsiveness",
                   "--actions", str(path), "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)["responsiveness"]
    assert data["reachable"][2] == {"float": 0.0, "exact": "0"} and data["success"]


def test_the_result_plots_its_bars():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    gam = gx.load("credit")
    ax = responsiveness_scores(gam, ("D", 10.0, 30, 1, 0.9), None).plot()
    assert len(ax.patches) == 5


def _binary(name: str, weight: float) -> Feature:
    return Feature(name, Integers(0, 1), Piecewise([0, 1, 2], [[0.0], [weight]]))


def test_an_if_then_keeps_every_legal_action():
    # reachml 0.2.0a1 drops (a=1, n<3): its encoding makes the consequence force the premise
    feats = [_binary("a", 1.0), Feature("n", Integers(0, 5), Piecewise([0, 6], [[0.0, 1.0]]))]
    gam = GAM(feats, intercept=-0.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "IfThenConstraint", "if": ["n", ">=", 3], "then": ["a", "==", 1]}
    )
    result = responsiveness_scores(gam, [0, 0], actions)
    assert result.reachable == (6, 7) and result.verify(gam)


def test_components_are_transitive():
    # reachml 0.2.0a1 scores a with the features of a's own constraints only ({a, b})
    gam = GAM([_binary("a", 1.0), _binary("b", 1.0), _binary("c", 1.0)], intercept=-0.5,
              task=Classification(0.0))  # fmt: skip
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "ThermometerEncoding", "names": ["a", "b"]},
        {"type": "OneHotEncoding", "names": ["b", "c"], "limit_type": "max"},
    )
    assert actions.components == ((0, 1, 2),)
    result = responsiveness_scores(gam, [0, 0, 0], actions)
    assert result.reachable == (3, 1, 2) and result.verify(gam)


def _grid_share(gam: GAM, x: tuple[Any, ...], j: int, low: float, high: float, wanted: Any,
                steps: int) -> float:  # fmt: skip
    """The share of a fine grid of [low, high] (cell midpoints) meeting the target."""
    hits = 0
    for k in range(steps):
        point = list(x)
        point[j] = Fraction(low) + (Fraction(high) - Fraction(low)) * Fraction(2 * k + 1, 2 * steps)
        hits += wanted(gam.score_exact(point))
    return hits / steps


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_an_interval_feature_matches_a_fine_grid(data):
    gam = data.draw(gams(max_features=2, domain_kinds=("interval",), components=("ebm", "spline"),
                         pairs=True, task=st.just(Classification(0.0))))  # fmt: skip
    x = data.draw(instances(gam))
    steps = data.draw(st.sampled_from([None, 1, 2]))
    elements = (
        {f.name: {"step_ub": steps, "step_lb": -steps} for f in gam.features} if steps else {}
    )
    actions = ActionSet.from_gam(gam, **elements)
    result = responsiveness_scores(gam, x, actions)
    assert result.verify(gam)
    wanted = wanted_class(gam, x)
    for j, feature in enumerate(gam.features):
        low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
        if steps:
            low, high = max(low, Fraction(x[j]) - steps), min(high, Fraction(x[j]) + steps)
        if high - low <= 0:
            continue
        assert result.reachable[j] == high - low
        # every level-set boundary costs at most one grid cell: pieces and pair bins
        # (≤ 4 each), at most 3 roots per piece
        cells = 400
        slack = 40 / cells
        share = _grid_share(gam, x, j, low, high, wanted, cells)
        assert abs(float(result.exact_scores[j]) - share) <= slack


def test_a_time_limit_gives_certified_bounds():
    feats = [_binary(f"d{k}", 1.0) for k in range(12)]
    gam = GAM(feats, intercept=-5.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam).with_constraints(
        {"type": "OneHotEncoding", "names": [f"d{k}" for k in range(12)], "limit": 12,
         "limit_type": "max"}
    )  # fmt: skip
    result = responsiveness_scores(gam, [0] * 12, actions, time_limit=1e-4)
    assert result.status == "time_limit" and not result.exact and result.verify(gam)
    # a point already seen that flips the class decides "not fixed" even so
    assert result.fixed in (False, None)
    decision = is_fixed(gam, [0] * 12, actions, time_limit=1e-4)
    assert not decision.holds and decision.verify(gam)
    assert decision.status == "time_limit" or decision.witness is not None


def test_a_witness_at_an_irrational_maximum_verifies():
    # t − t³ peaks at 1/√3 on [0, 1): the witness of "not fixed" is algebraic
    shape = Piecewise([-1.0, 0.0, 1.0, 2.0], [[0.0], [0.0, 1.0, 0.0, -1.0], [-1.0]])
    gam = GAM([Feature("t", Interval(0, 1), shape)], task=Classification(0.0))
    result = responsiveness_scores(gam, (1.0,), None)
    assert result.exact_scores == (1,) and result.fixed is False and result.verify(gam)
    decision = is_fixed(gam, (1.0,), None)
    assert not decision.holds and decision.verify(gam)


@pytest.mark.parametrize("query", ["responsiveness", "fixed", "recourse"])
def test_choosing_the_algorithm_and_its_fallbacks_share_one_time_limit(monkeypatch, query):
    # a default EBM's applicability checks build its cell tables for seconds; that time
    # counts against time_limit, and a fallback gets what is left, not the limit anew
    import time

    from gamexplain.queries import responsiveness as module

    real = module.select_algorithm
    given: list[float | None] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        selection = real(*args, **kwargs)
        time.sleep(0.3)

        def record(spec: Any) -> Any:
            def run(*a: Any, **k: Any) -> Any:
                given.append(k["time_limit"])
                return spec.func(*a, **k)

            return dataclasses.replace(spec, func=run)

        return dataclasses.replace(selection, candidates=tuple(map(record, selection.candidates)))

    monkeypatch.setattr(module, "select_algorithm", slow)
    gam = GAM([_binary(f"d{k}", 1.0) for k in range(3)], intercept=-1.5, task=Classification(0.0))
    actions = ActionSet.from_gam(gam)
    ask = {"responsiveness": responsiveness_scores, "fixed": is_fixed,
           "recourse": gx.minimum_recourse}[query]  # fmt: skip
    result = ask(gam, [0, 0, 0], actions, time_limit=10.0)
    assert result.verify(gam) and given
    assert all(left is not None and left <= 10.0 - 0.3 for left in given)
