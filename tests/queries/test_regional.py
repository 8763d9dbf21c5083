"""LOCO values, regional attributions and global importances against brute force written
from the definitions (THEORY §6), the principle, invariances, forgery and bad input."""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    Classification,
    Empirical,
    Feature,
    Finite,
    Integers,
    PairTerm,
    Regression,
    Table,
    feature_importances,
    loco_values,
    regional_attributions,
)
from tests.strategies import gams, instances


# -- brute force from the definitions ----------------------------------------------------------
def _float_row(gam: GAM, row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v if isinstance(f.domain, Finite) and not f.domain.is_numeric else float(v)
                 for f, v in zip(gam.features, row, strict=True))  # fmt: skip


def _with(x: tuple[Any, ...], j: int, v: Any) -> tuple[Any, ...]:
    return (*x[:j], v, *x[j + 1:])


def _law(feature: Feature) -> list[tuple[Any, Fraction]]:
    """A finite or integer feature's law: its stored per-value weights, else uniform."""
    domain = feature.domain
    values = list(domain.values) if isinstance(domain, Finite) else list(
        range(domain.low, domain.high + 1))  # fmt: skip
    if feature.distribution is None or not isinstance(domain, Finite):
        return [(v, Fraction(1, len(values))) for v in values]
    weights = [Fraction(w) for w in feature.distribution]
    return [(v, w / sum(weights)) for v, w in zip(values, weights, strict=True)]


def _loss(loss: str, score: Fraction, y: Any) -> Any:
    if loss == "squared":
        return (Fraction(float(y)) - score) ** 2
    t = 1 if y == 1 else -1
    return math.log1p(math.exp(-t * float(score)))


def _brute_point(gam: GAM, x: tuple[Any, ...], laws: list[list[tuple[Any, Fraction]]],
                 loss: str, y: Any) -> list[Any]:  # fmt: skip
    f = gam.score_exact(x)
    out = []
    for j, law in enumerate(laws):
        removed = sum((q * gam.score_exact(_with(x, j, v)) for v, q in law), Fraction(0))
        if loss == "fidelity":
            out.append((f - removed) ** 2)
        else:
            out.append(_loss(loss, removed, y) - _loss(loss, f, y))
    return out


def _empirical_laws(gam: GAM, rows: list[tuple[Any, ...]]) -> list[list[tuple[Any, Fraction]]]:
    n = len(rows)
    return [[(row[j], Fraction(1, n)) for row in rows] for j in range(gam.n_features)]


def _brute_regional(gam: GAM, rows: list[tuple[Any, ...]], labels: list[int], loss: str,
                    y: Any) -> dict[int, list[Any]]:  # fmt: skip
    out = {}
    for r in sorted(set(labels)):
        members = [i for i, v in enumerate(labels) if v == r]
        laws = _empirical_laws(gam, [rows[i] for i in members])
        values = [_brute_point(gam, rows[i], laws, loss, None if y is None else y[i])
                  for i in members]  # fmt: skip
        out[r] = [sum(column) / len(members) for column in zip(*values, strict=True)]
    return out


@st.composite
def data_sets(draw: st.DrawFn, kinds: tuple[str, ...] = ("finite", "integers", "interval"),
              pairs: bool = True) -> tuple[GAM, list[tuple[Any, ...]]]:  # fmt: skip
    gam = draw(gams(max_features=3, domain_kinds=kinds, pairs=pairs,
                    components=("table", "ebm", "spline")))  # fmt: skip
    rows = draw(st.lists(instances(gam), min_size=1, max_size=6))
    return gam, [_float_row(gam, row) for row in rows]


def _targets(gam: GAM, n: int, loss: str, draw: Any) -> Any:
    if loss == "fidelity":
        return None
    if loss == "log":
        return draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n))
    return draw(st.lists(st.integers(-3, 3).map(float), min_size=n, max_size=n))


# -- point LOCO --------------------------------------------------------------------------------
@given(data=data_sets(), loss=st.sampled_from(["fidelity", "squared", "log"]), draw=st.data())
def test_point_loco_equals_the_definition_under_an_empirical_law(data, loss, draw) -> None:
    gam, rows = data
    if loss == "log" and gam.task.kind != "classification":
        gam = dataclasses.replace(gam, task=Classification())
    y = _targets(gam, len(rows), loss, draw.draw)
    result = loco_values(gam, rows, y=y, loss=loss, distribution=Empirical(rows),
                         exact=loss != "log")  # fmt: skip
    laws = _empirical_laws(gam, rows)
    for r, row in enumerate(rows):
        expected = _brute_point(gam, row, laws, loss, None if y is None else y[r])
        if loss == "log":
            assert np.allclose(result.values[r], [float(v) for v in expected], atol=1e-9)
        else:
            assert list(result.exact_values[r]) == expected
            assert list(result.values[r]) == [float(v) for v in expected]
    assert result.verify(gam)


@given(data=data_sets(kinds=("finite", "integers")), loss=st.sampled_from(["fidelity", "squared"]),
       uniform=st.booleans(), draw=st.data())  # fmt: skip
def test_point_loco_equals_the_definition_under_the_models_law(data, loss, uniform, draw) -> None:
    gam, rows = data
    if any(isinstance(f.domain, Integers) and f.domain.high - f.domain.low > 50
           for f in gam.features):  # fmt: skip
        return
    distribution = "uniform" if uniform else "model"
    model = gx.distributions.resolve_distribution(gam, distribution, "test")
    if any(f.distribution is not None and not isinstance(f.domain, Finite) for f in model.features):
        model = gx.distributions.resolve_distribution(gam, "uniform", "test")
        distribution = "uniform"
    y = _targets(gam, len(rows), loss, draw.draw)
    result = loco_values(gam, rows, y=y, loss=loss, distribution=distribution, exact=True)
    laws = [_law(f) for f in model.features]
    for r, row in enumerate(rows):
        assert list(result.exact_values[r]) == _brute_point(
            model, row, laws, loss, None if y is None else y[r]
        )
    assert result.verify(gam)


def test_point_loco_is_vectorised_row_by_row_and_permutes_with_the_rows() -> None:
    gam = _showcase()
    rows = [(z, s, w) for z in (0, 1, 2) for s in (0, 1) for w in (0, 1)]
    result = loco_values(gam, rows, exact=True)
    order = np.random.default_rng(0).permutation(len(rows))
    again = loco_values(gam, [rows[k] for k in order], exact=True)
    assert (again.exact_values == result.exact_values[order]).all()


# -- regional importances ----------------------------------------------------------------------
@given(data=data_sets(), loss=st.sampled_from(["fidelity", "squared", "log"]), draw=st.data())
def test_regional_importances_given_labels_equal_the_definition(data, loss, draw) -> None:
    gam, rows = data
    if loss == "log" and gam.task.kind != "classification":
        gam = dataclasses.replace(gam, task=Classification())
    labels = draw.draw(st.lists(st.sampled_from("ab"), min_size=len(rows), max_size=len(rows)))
    y = _targets(gam, len(rows), loss, draw.draw)
    result = regional_attributions(gam, rows, y=y, loss=loss, regions=labels)
    expected = _brute_regional(gam, rows, [sorted(set(labels)).index(v) for v in labels], loss, y)
    for r, values in expected.items():
        if loss == "log":
            assert np.allclose(result.importances[r], [float(v) for v in values], atol=1e-9)
        else:
            assert list(result.exact_importances[r]) == values
    assert result.verify(gam)
    assert result.segmentation == "given" and result.algorithm == "closed-form"


@given(data=data_sets(), draw=st.data())
def test_regional_importances_do_not_depend_on_the_order_of_the_rows(data, draw) -> None:
    gam, rows = data
    labels = draw.draw(st.lists(st.sampled_from([0, 1]), min_size=len(rows), max_size=len(rows)))
    order = draw.draw(st.permutations(range(len(rows))))
    first = regional_attributions(gam, rows, regions=labels)
    second = regional_attributions(gam, [rows[k] for k in order],
                                   regions=[labels[k] for k in order])  # fmt: skip
    assert first.exact_importances == second.exact_importances


def _showcase() -> GAM:
    """z matters only through a pair term with s, which is 0 wherever s = 0."""
    z = Feature("z", Finite([0, 1, 2]), Table([0.0, 0.0, 0.0]))
    s = Feature("s", Finite([0, 1]), Table([0.0, 1.0]))
    w = Feature("w", Finite([0, 1]), Table([0.0, 0.5]))
    pair = PairTerm((0, 1), (None, None), [[0.0, -2.0], [0.0, 1.0], [0.0, 3.0]])
    return GAM([z, s, w], intercept=0.0, task=Regression(), pairs=[pair])


def test_a_feature_inert_in_a_region_gets_exactly_zero_there_but_shap_weight() -> None:
    gam = _showcase()
    rows = [(z, s, w) for z in (0, 1, 2) for s in (0, 1) for w in (0, 1)]
    labels = [s for _, s, _ in rows]
    result = regional_attributions(gam, rows, regions=labels)
    assert result.exact_importances[0][0] == 0  # z inert where s = 0
    assert result.exact_importances[1][0] > 0
    inert = gx.shap_values(gam, (2, 0, 0), distribution="uniform")
    assert inert.exact_values[0] != 0  # SHAP still gives z weight at s = 0
    tree = regional_attributions(gam, rows)  # the tree finds the split on s itself
    inert_boxes = [k for k, reg in enumerate(tree.regions) if "s ≤ 0.5" in reg.rule]
    assert inert_boxes and all(tree.exact_importances[k][0] == 0 for k in inert_boxes)
    assert tree.verify(gam)


def test_a_constant_component_on_a_region_scores_exactly_zero_without_pairs() -> None:
    a = Feature("a", Finite([0, 1, 2, 3]), Table([1.0, 1.0, 3.0, -2.0]))
    b = Feature("b", Finite([0, 1]), Table([0.0, 2.0]))
    gam = GAM([a, b], task=Regression())
    rows = [(x, y) for x in range(4) for y in range(2)]
    result = regional_attributions(gam, rows, regions=[int(x > 1) for x, _ in rows])
    assert result.exact_importances[0][0] == 0 and result.exact_importances[1][0] > 0
    # the fidelity importance without pairs is the region's variance of a_j
    assert result.exact_importances[1][0] == Fraction(25, 4)


# -- population over boxes, global importances -------------------------------------------------
def _brute_population(gam: GAM, laws: list[list[tuple[Any, Fraction]]]) -> list[Fraction]:
    out = []
    for j in range(gam.n_features):
        total = Fraction(0)
        for combo in itertools.product(*laws):
            x = tuple(v for v, _ in combo)
            prob = math.prod((q for _, q in combo), start=Fraction(1))
            removed = sum((q * gam.score_exact(_with(x, j, v)) for v, q in laws[j]), Fraction(0))
            total += prob * (gam.score_exact(x) - removed) ** 2
        out.append(total)
    return out


def _truncated(feature: Feature, bounds: Any) -> list[tuple[Any, Fraction]]:
    labels = isinstance(feature.domain, Finite) and not feature.domain.is_numeric
    kept = []
    for k, (v, q) in enumerate(_law(feature)):
        code = Fraction(k) if labels else Fraction(v)
        low, high = bounds
        if (low is None or code > low) and (high is None or code <= high):
            kept.append((v, q))
    total = sum(q for _, q in kept)
    return [(v, q / total) for v, q in kept]


@given(data=data_sets(kinds=("finite",)))
def test_population_box_importances_equal_enumeration_of_the_truncated_law(data) -> None:
    gam, rows = data
    result = regional_attributions(gam, rows, population=True)
    for k, region in enumerate(result.regions):
        laws = [_truncated(f, b) for f, b in zip(gam.features, region.box.bounds, strict=True)]
        assert list(result.exact_importances[k]) == _brute_population(gam, laws)
    assert result.verify(gam)


@given(gam=gams(max_features=3, domain_kinds=("finite",), pairs=True, with_distribution=None),
       kind=st.sampled_from(["loco", "l1", "l2", "range"]))  # fmt: skip
def test_global_importances_equal_enumeration(gam, kind) -> None:
    result = feature_importances(gam, kind=kind)
    if kind == "loco":
        assert list(result.exact_importances) == _brute_population(
            gam, [_law(f) for f in gam.features]
        )
    assert result.verify(gam)


def test_global_loco_of_steps_on_intervals_is_the_variance() -> None:
    f = Feature("t", gx.Interval(0, 4), gx.Piecewise([0, 1, 4], [[2.0], [-1.0]]))
    g = Feature("u", gx.Interval(0, 1), gx.Piecewise([0, 1], [[0.0, 3.0]]))  # 3u on [0, 1]
    gam = GAM([f, g], task=Regression())
    result = feature_importances(gam)
    # t: 2 w.p. 1/4, −1 w.p. 3/4 → variance 27/16; u: Var(3U) = 9/12
    assert result.exact_importances == (Fraction(27, 16), Fraction(3, 4))
    assert feature_importances(gam, kind="l2").exact_importances == result.exact_importances


# -- segmentation ------------------------------------------------------------------------------
def test_kmeans_is_reproducible_with_a_seed_and_assigns_new_rows() -> None:
    gam = gx.load("breast_cancer_ebm")
    from sklearn.datasets import load_breast_cancer

    X = load_breast_cancer(as_frame=True).data.iloc[:120]
    first = regional_attributions(gam, X, regions="kmeans", random_state=3)
    again = regional_attributions(gam, X, regions="kmeans", random_state=3)
    assert (first.labels == again.labels).all()
    assert first.exact_importances == again.exact_importances
    assert 2 <= len(first.regions) <= 8 and first.algorithm == "lloyd"
    assert (first.assign(X) == first.labels).all()
    assert first.attributions(X.iloc[:2]).shape == (2, gam.n_features)
    assert first.verify(gam)


def test_tree_regions_are_readable_boxes_that_assign_new_rows() -> None:
    gam = gx.load("breast_cancer_ebm")
    from sklearn.datasets import load_breast_cancer

    X = load_breast_cancer(as_frame=True).data.iloc[:150]
    result = regional_attributions(gam, X, max_depth=2)
    assert len(result.regions) <= 4 and all(" and " in r.rule or "≤" in r.rule or ">" in r.rule
                                            for r in result.regions)  # fmt: skip
    assert (result.assign(X) == result.labels).all()
    assert "heuristic" in result.message and "heuristic" in str(result)
    assert result.verify(gam)


# -- forgery and bad input ---------------------------------------------------------------------
def test_tampered_results_do_not_verify() -> None:
    gam = _showcase()
    rows = [(z, s, w) for z in (0, 1, 2) for s in (0, 1) for w in (0, 1)]
    result = regional_attributions(gam, rows, regions=[s for _, s, _ in rows])
    assert result.verify(gam)
    forged = [list(r) for r in result.exact_importances]
    forged[0][0] = Fraction(1, 3)
    assert not dataclasses.replace(result, exact_importances=tuple(map(tuple, forged))).verify(gam)
    assert not dataclasses.replace(result, importances=result.importances + 1e-3).verify(gam)
    labels = result.labels.copy()
    labels[0] = 1 - labels[0]
    assert not dataclasses.replace(result, labels=labels).verify(gam)
    other = dataclasses.replace(gam, intercept=1.0)
    assert not result.verify(other)
    point = loco_values(gam, rows, exact=True)
    values = point.values.copy()
    values[2, 0] += 0.5
    assert not dataclasses.replace(point, values=values).verify(gam)
    importances = feature_importances(gam)
    assert not dataclasses.replace(importances, exact_importances=(Fraction(0),) * 3).verify(gam)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda g, X: loco_values(g, X, loss="squared"), "needs a target"),
        (lambda g, X: loco_values(g, X, y=[1.0] * len(X)), "only read by"),
        (lambda g, X: loco_values(g, X, y=[1.0], loss="squared"), "one per row"),
        (lambda g, X: loco_values(g, X, y=[0.0] * len(X), loss="log"), "needs a classifier"),
        (lambda g, X: loco_values(g, X, exact=True, loss="log", y=[0] * len(X)), "transcendental"),
        (lambda g, X: regional_attributions(g, X, regions=[0]), "one label per row"),
        (lambda g, X: regional_attributions(g, X, regions="kmeans", population=True), "box"),
        (lambda g, X: feature_importances(g, distribution=Empirical(X)), "law of the model"),
        (lambda g, X: regional_attributions(g, X, regions=[0] * len(X)).assign(X), "labels"),
    ],
)
def test_bad_input_is_a_clear_parameter_error(call, fragment) -> None:
    gam = _showcase()
    rows = [(z, s, 0) for z in (0, 1, 2) for s in (0, 1)]
    with pytest.raises(gx.InvalidParameterError, match=fragment):
        call(gam, rows)


def test_a_value_outside_the_domain_names_the_feature() -> None:
    with pytest.raises(gx.InvalidInstanceError, match="'z'"):
        loco_values(_showcase(), [(7, 0, 0)])


def test_running_out_of_time_is_a_time_limit_error() -> None:
    gam = gx.load("breast_cancer_ebm")
    from sklearn.datasets import load_breast_cancer

    X = load_breast_cancer(as_frame=True).data
    with pytest.raises(gx.TimeLimitError, match="loco_values"):
        loco_values(gam, X, exact=True, time_limit=1e-9)


@pytest.mark.parametrize("query", ["loco", "regional", "importance"])
def test_the_reference_means_count_against_the_time_limit(monkeypatch, query) -> None:
    # a default EBM's exact means take seconds; they are part of the query, so a
    # time_limit shorter than them ends in TimeLimitError rather than being overrun
    import time

    from gamexplain.algorithms import loco

    real = loco.contribution_mean

    def slow(*args: Any) -> Any:
        time.sleep(0.15)
        return real(*args)

    monkeypatch.setattr(loco, "contribution_mean", slow)
    gam = GAM([Feature(f"a{k}", Finite([0, 1]), Table([0.0, float(k)])) for k in range(6)],
              task=Regression())  # fmt: skip
    rows = [(0,) * 6, (1,) * 6]
    ask = {
        "loco": lambda: loco_values(gam, rows, time_limit=0.2),
        "regional": lambda: regional_attributions(gam, rows, time_limit=0.2),
        "importance": lambda: feature_importances(gam, time_limit=0.2),
    }[query]
    with pytest.raises(gx.TimeLimitError, match="time limit"):
        ask()


def _steps_ga2m() -> GAM:
    """Six step features on real intervals and two pair terms: too many parts to
    enumerate their product, so verify conditions on each feature's parts."""
    feats = [
        Feature(f"t{k}", gx.Interval(0, 6), gx.Piecewise([0, 1, 2, 3, 4, 5, 6],
                [[float((k * 7 + m * 3) % 5 - 2)] for m in range(6)]))
        for k in range(6)
    ]  # fmt: skip
    pairs = [
        PairTerm((0, 1), ([0, 2.5, 6], [0, 3, 6]), [[1.0, -1.0], [0.5, 2.0]]),
        PairTerm((0, 2), ([0, 1.5, 6], [0, 4, 6]), [[0.0, 1.0], [-2.0, 0.5]]),
    ]
    return GAM(feats, task=Regression(), pairs=pairs)


def test_importances_of_steps_on_intervals_verify_by_conditioning() -> None:
    gam = _steps_ga2m()
    for kind in ("loco", "l1", "l2", "range"):
        result = feature_importances(gam, kind=kind)
        assert result.verify(gam), kind
        forged = (result.exact_importances[0] + Fraction(1, 7), *result.exact_importances[1:])
        assert not dataclasses.replace(result, exact_importances=forged).verify(gam)
    rows = np.random.default_rng(1).uniform(0, 6, size=(40, 6))
    population = regional_attributions(gam, rows, population=True)
    assert population.verify(gam)
    # without pair terms reading it, a feature's population LOCO is its variance
    t5 = feature_importances(gam).exact_importances[5]
    values = [Fraction((5 * 7 + m * 3) % 5 - 2) for m in range(6)]
    mean = sum(values) / 6
    assert t5 == sum((v - mean) ** 2 for v in values) / 6
