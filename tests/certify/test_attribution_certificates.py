"""SHAP, Banzhaf and completion certificates: forgeries fail, exact answers match brute
force and verify, and time limits hold (issue 9, findings 3, 4, 5 and 10)."""

from __future__ import annotations

import dataclasses
import time
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import gams, instances

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, Interval, PairTerm, Piecewise, Table
from gamexplain.algorithms.brute_shap import brute_attributions, brute_completion_fraction
from gamexplain.distributions import resolve_distribution
from gamexplain.errors import GamExplainError
from gamexplain.examples import demo_instance, example_path

CREDIT = gx.load(example_path("credit"))
APPLICANT = demo_instance("credit")


def _rejects(result: Any, gam: GAM) -> bool:
    try:
        return not result.verify(gam)
    except GamExplainError:
        return True


def _small() -> GAM:
    """Finite, integer and step-function interval features: exact everywhere."""
    return GAM(
        [
            Feature("a", Finite(["lo", "hi"]), Table([-1.0, 1.5]), distribution=[0.25, 0.75]),
            Feature("b", Interval(0, 4), Piecewise([0, 1, 4], [[-0.5], [0.75]])),
            Feature("c", gx.Integers(0, 3), Piecewise([0, 3], [[0.0, 0.5]])),
        ],
        intercept=-0.25,
        task=Classification(0.0),
    )


def _forged_models(gam: GAM) -> list[GAM]:
    first = gam.features[0]
    changed = dataclasses.replace(first, shape=Table([v + 0.5 for v in first.shape.values]))
    other = [0.5, 0.5] if first.distribution != (0.5, 0.5) else [0.75, 0.25]
    return [
        GAM(gam.features, gam.intercept + 0.375, gam.task),
        GAM(gam.features[::-1], gam.intercept, gam.task),
        GAM([changed, *gam.features[1:]], gam.intercept, gam.task),
        GAM([dataclasses.replace(first, distribution=other), *gam.features[1:]], gam.intercept,
            gam.task),
    ]  # fmt: skip


# -- finding 3: label values, relabelled outputs, brute relabels ------------------------------
def test_credit_completion_fraction_is_exact_and_a_forged_fraction_fails():
    started = time.perf_counter()
    result = gx.completion_fraction(CREDIT, APPLICANT, [], distribution="uniform")
    assert time.perf_counter() - started < 10
    assert result.exact and abs(result.fraction - 0.547) < 0.01
    assert result.verify(CREDIT)
    default = gx.completion_fraction(CREDIT, APPLICANT, [])
    assert default.distribution == "model" and default.verify(CREDIT)
    assert default.exact and abs(default.fraction - 0.469) < 0.01
    tenth = Fraction(1, 10)
    cert = dataclasses.replace(result.certificate, lower=tenth, upper=tenth)
    forged = dataclasses.replace(
        result, certificate=cert, exact_fraction=tenth, fraction=0.1, lower=0.1, upper=0.1
    )
    assert _rejects(forged, CREDIT)
    assert _rejects(dataclasses.replace(forged, algorithm="brute"), CREDIT)


@pytest.mark.parametrize("explain", [gx.shap_values, gx.banzhaf_values])
def test_invented_label_values_fail(explain):
    gam, x = _small(), ("hi", 0.5, 2)
    result = explain(gam, x, output="label")
    assert result.exact and result.verify(gam)
    invented = tuple(v + Fraction(1, 7) for v in result.exact_values)
    cert = dataclasses.replace(result.certificate, lower=invented, upper=invented)
    forged = dataclasses.replace(
        result, certificate=cert, exact_values=invented,
        values=np.array([float(v) for v in invented]),
        lower=np.array([float(v) for v in invented]), upper=np.array([float(v) for v in invented]),
    )  # fmt: skip
    assert _rejects(forged, gam)
    assert _rejects(dataclasses.replace(forged, algorithm="brute"), gam)


def test_score_values_relabelled_as_label_values_fail():
    gam, x = _small(), ("hi", 0.5, 2)
    score = gx.shap_values(gam, x)
    assert _rejects(dataclasses.replace(score, output="label"), gam)
    label = gx.shap_values(gam, x, output="label")
    assert _rejects(dataclasses.replace(label, certificate=score.certificate), gam)


# -- finding 4: every displayed field, the model, the distribution ----------------------------
def _results() -> list[tuple[GAM, Any]]:
    gam, x = _small(), ("hi", 0.5, 2)
    return [
        (gam, gx.shap_values(gam, x)),
        (gam, gx.banzhaf_values(gam, x)),
        (gam, gx.shap_values(gam, x, output="label", distribution="model")),
        (gam, gx.banzhaf_values(gam, x, output="label")),
        (gam, gx.shap_values(gam, [x, ("lo", 3.5, 0)], distribution="model")),
        (gam, gx.completion_fraction(gam, x, ["a"])),
        (gam, gx.completion_fraction(gam, x, [], distribution="model")),
    ]


RESULTS = _results()


@pytest.mark.parametrize(("gam", "result"), RESULTS)
def test_displayed_fields_are_bound(gam, result):
    assert result.verify(gam)
    names = ("values", "lower", "upper", "base_value", "feature_names", "fraction",
             "exact_fraction", "exact_values", "exact_base_value", "output", "fixed",
             "instance", "distribution", "exact")  # fmt: skip
    for name in names:
        if not hasattr(result, name):
            continue
        value = getattr(result, name)
        if isinstance(value, np.ndarray):
            forged_value: Any = value + 0.5
        elif isinstance(value, tuple):
            forged_value = value[::-1] if len(set(value)) > 1 else (*value, *value[:1], "a")
        elif isinstance(value, bool):
            forged_value = not value
        elif isinstance(value, str):
            swaps = {"score": "label", "label": "score", "model": "uniform"}
            forged_value = swaps.get(value, "model")
        elif value is None:
            continue
        else:
            forged_value = value + Fraction(1, 3)
        assert _rejects(dataclasses.replace(result, **{name: forged_value}), gam), name


@pytest.mark.parametrize(("gam", "result"), RESULTS)
def test_another_model_or_distribution_fails(gam, result):
    for other in _forged_models(gam):
        assert _rejects(result, other)


def test_an_instance_outside_the_domain_fails():
    gam = _small()
    result = gx.shap_values(gam, ("hi", 0.5, 2), output="label")
    assert _rejects(dataclasses.replace(result, instance=("hi", 5.0, 2)), gam)


@pytest.mark.parametrize(("gam", "result"), RESULTS)
def test_garbage_certificates_fail_without_raising(gam, result):
    for junk in (None, 3, "x", (), result.certificate.__class__):
        assert not result.verify.__func__(dataclasses.replace(result, certificate=junk), gam)


# -- finding 5: the batch check is linear -------------------------------------------------------
def test_batch_verify_is_fast_on_the_breast_cancer_ebm():
    gam = gx.load(example_path("breast_cancer_ebm"))
    x = np.array(demo_instance("breast_cancer_ebm"), dtype=float)
    rows = np.vstack([x * (1 + 0.01 * k) for k in range(-4, 4)])
    lows, highs = ([getattr(f.domain, e) for f in gam.features] for e in ("low", "high"))
    rows = np.clip(rows, lows, highs)
    batch = gx.shap_values(gam, rows, distribution="model")
    started = time.perf_counter()
    assert batch.verify(gam)
    assert time.perf_counter() - started < 5
    tampered = batch.values.copy()
    tampered[3, 7] += 1e-6
    assert _rejects(dataclasses.replace(batch, values=tampered), gam)


# -- exact answers equal brute force and verify ---------------------------------------------------
@settings(max_examples=25)
@given(
    gam=gams(max_features=3, domain_kinds=("finite", "integers", "interval"),
             components=("table", "ebm"),
             task=st.builds(Classification, threshold=st.integers(-2, 2).map(float))),
    data=st.data(),
    kind=st.sampled_from(["shapley", "banzhaf", "cc"]),
)  # fmt: skip
def test_exact_answers_match_brute_force_and_verify(gam, data, kind):
    x = data.draw(instances(gam))
    if kind == "cc":
        fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
        result = gx.completion_fraction(gam, x, fixed)
    else:
        explain = gx.shap_values if kind == "shapley" else gx.banzhaf_values
        result = explain(gam, x, output="label")
    assert result.verify(gam)
    if any(f.domain.kind == "interval" for f in gam.features):
        return  # brute force cannot enumerate an interval; the check above re-derived it
    model = resolve_distribution(gam, "uniform", "test")
    assert result.exact
    if kind == "cc":
        truth = brute_completion_fraction(model, x, frozenset(fixed)).lower[0]
        assert result.exact_fraction == truth
    else:
        truth = brute_attributions(model, x, output="label", kind=kind)
        assert result.exact_values == truth.lower and result.exact_base_value == truth.base_lower


def test_one_linear_continuous_feature_is_exact():
    gam = GAM(
        [
            Feature("u", Interval(0, 1), Piecewise([0, 0.5, 1], [[0.0, 1.0], [0.5, -2.0]])),
            Feature("g", Finite(["p", "q", "r"]), Table([-0.25, 0.0, 0.5])),
        ],
        intercept=0.0,
        task=Classification(0.125),
    )
    for result in (
        gx.shap_values(gam, (0.25, "q"), output="label"),
        gx.banzhaf_values(gam, (0.25, "q"), output="label"),
        gx.completion_fraction(gam, (0.25, "q"), ["g"]),
    ):
        assert result.exact and result.verify(gam)
    # P(U ≥ 1/8): t ∈ [1/8, 1/2) on the rising piece, 1/2 − 2(t − 1/2) ≥ 1/8 on
    # [1/2, 11/16] on the falling one: 3/8 + 3/16
    assert gx.completion_fraction(gam, (0.25, "q"), ["g"]).exact_fraction == Fraction(9, 16)


# -- finding 10 and time limits -------------------------------------------------------------------
def test_default_label_shap_on_credit_is_quick_and_verifies():
    started = time.perf_counter()
    result = gx.shap_values(CREDIT, APPLICANT, output="label")
    assert time.perf_counter() - started < 10
    assert result.exact and result.verify(CREDIT)


def test_time_limit_holds_for_label_shap_with_pairs():
    features = [Feature(f"x{k}", Finite([0, 1]), Table([0.0, 1.0])) for k in range(13)]
    pair = PairTerm((0, 1), (None, None), [[0.0, 1.0], [0.5, -1.0]])
    gam = GAM(features, intercept=0.0, task=Classification(0.5), pairs=[pair])
    started = time.perf_counter()
    result = gx.shap_values(gam, (1,) * 13, output="label", time_limit=0.5)
    assert result.algorithm == "brute"
    assert time.perf_counter() - started < 1.5 * 0.5 + 0.5
    assert result.status == "time_limit" and not result.exact
    assert result.verify(gam)


def test_time_limit_holds_for_completion_on_two_continuous_features():
    gam = GAM(
        [Feature(f"u{k}", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0, 1.0, 1.0]]))
         for k in range(3)],
        intercept=0.0, task=Classification(1.5),
    )  # fmt: skip
    started = time.perf_counter()
    result = gx.completion_fraction(gam, (0.5,) * 3, [], time_limit=0.5)
    assert time.perf_counter() - started < 1.5 * 0.5 + 0.5
    assert not result.exact and result.verify(gam)
