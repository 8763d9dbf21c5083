"""Label SHAP and Banzhaf brackets by conditioning (``grid-conditioning``): the cases'
sums bracket the truth, and ``verify`` re-derives them.

Held against brute force on small random pair models (finite and integer domains
directly, with the refinement forced to cut; interval domains through their finite
twin, whose score has the same law, through the public query and ``verify``); a forged
certificate (a case dropped, a split that does not bound its term on the bin of the
instance's value, a narrowed bracket, a cut moved) fails.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    UnsupportedQueryError,
    banzhaf_values,
    explain_plan,
    shap_values,
)
from gamexplain.algorithms import grid_conditioning, grid_convolution, grid_label_cases
from gamexplain.algorithms.brute_shap import brute_attributions
from gamexplain.algorithms.grid_convolution import PairSplit
from gamexplain.algorithms.grid_label_cases import conditioned_attributions
from gamexplain.distributions import resolve_distribution
from tests.algorithms.test_grid_conditioning import _hub
from tests.algorithms.test_grid_convolution import classifiers
from tests.algorithms.test_grid_pair_splits import _finite_twin, interval_pairs
from tests.strategies import gams, instances


@pytest.fixture(autouse=True)
def _always_cut(monkeypatch):
    """Refine past any width, up to a few cases, so every model gets cut."""
    monkeypatch.setattr(grid_label_cases, "TARGET_WIDTH", Fraction(0))
    monkeypatch.setattr(grid_label_cases, "_MAX_CASES", 5)
    monkeypatch.setattr(grid_label_cases, "SHORT", 0.0)


def _contains(found, truth) -> bool:
    inside = all(lo <= v <= hi for lo, v, hi in zip(found.lower, truth.lower, found.upper,
                                                   strict=True))  # fmt: skip
    return inside and found.base_lower <= truth.base_lower <= found.base_upper


@given(
    data=st.data(),
    gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
             task=classifiers, pairs=True, with_distribution=None),
    kind=st.sampled_from(["shapley", "banzhaf"]),
)  # fmt: skip
def test_case_label_brackets_contain_brute_force(data, gam, kind):
    x = data.draw(instances(gam))
    model = resolve_distribution(gam, "model", "test")
    found = conditioned_attributions(model, x, kind=kind, time_limit=5)
    cert = found.certificate
    event(f"mode {cert.mode if cert is not None else None}")
    truth = brute_attributions(model, x, output="label", kind=kind)
    assert _contains(found, truth)
    assert not found.exact or (found.lower == truth.lower and found.base_lower == truth.base_lower)


@given(
    data=st.data(),
    gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
             task=classifiers, pairs=True, with_distribution=None).filter(lambda g: g.pairs),
)  # fmt: skip
def test_finite_case_brackets_verify(data, gam):
    """Through the public query (brute force would take these small models: it is set
    aside so that grid-conditioning answers), then verify."""
    x = data.draw(instances(gam))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grid_conditioning, "grid_applies", lambda gam, options: None)
        result = shap_values(gam, x, output="label", method="grid-conditioning", time_limit=5)
    event(f"mode {result.certificate.detail.mode if result.certificate.detail else None}")
    assert result.verify(gam)


@given(data=st.data(), gam=interval_pairs.filter(lambda g: g.pairs),
       kind=st.sampled_from(["shapley", "banzhaf"]))  # fmt: skip
def test_interval_case_label_brackets_contain_brute_force_and_verify(data, gam, kind):
    x = data.draw(instances(gam))
    explain = shap_values if kind == "shapley" else banzhaf_values
    result = explain(gam, x, output="label", distribution="uniform",
                     method="grid-conditioning", time_limit=5)  # fmt: skip
    twin, point = _finite_twin(gam, x)
    truth = brute_attributions(twin, point, output="label", kind=kind)
    cert = result.certificate
    event(f"mode {cert.detail.mode if cert.detail is not None else None}")
    assert _contains(cert, truth)
    assert result.verify(gam)


def _cases_result(gam: GAM, x, kind="shapley"):
    explain = shap_values if kind == "shapley" else banzhaf_values
    result = explain(gam, x, output="label", method="grid-conditioning")
    assert result.certificate.detail.mode == "cases" and result.verify(gam)
    return result


@pytest.mark.parametrize("kind", ["shapley", "banzhaf"])
def test_conditioning_narrows_the_label_brackets_and_explain_plan_names_it(kind):
    gam = _hub()
    x = ("m", 2.5, 3)
    explain = shap_values if kind == "shapley" else banzhaf_values
    plain = explain(gam, x, output="label", method="grid-convolution")
    cut = _cases_result(gam, x, kind)
    widths = [b - a for a, b in zip(cut.lower, cut.upper, strict=True)]
    before = [b - a for a, b in zip(plain.lower, plain.upper, strict=True)]
    assert max(widths) < max(before) / 4
    assert all(a <= d and c <= b for a, b, c, d in zip(cut.lower, cut.upper, plain.lower,
                                                       plain.upper, strict=True))  # fmt: skip
    assert cut.algorithm == "grid-conditioning"
    # a case costs a round of every node: "auto" keeps the plain grid, the user asks
    query = "shap-label" if kind == "shapley" else "banzhaf-label"
    assert "runs grid-convolution" in str(explain_plan(gam, query))


def test_an_instance_outside_the_first_cut_is_kept_in_its_own_case():
    """x on either side of the hub's cut: K counts only the cases that hold x_i."""
    gam = _hub()
    for x in (("f", 0.5, 0), ("m", 3.75, 5)):
        result = _cases_result(gam, x)
        truth = brute_attributions(*_finite_hub(gam, x), output="label", kind="shapley")
        assert _contains(result.certificate, truth)


def _finite_hub(gam: GAM, x):
    from tests.algorithms.test_grid_conditioning import _finite_twin_mixed

    twin, point = _finite_twin_mixed(gam, x)
    return resolve_distribution(twin, "model", "test"), point


def _forged(result, **changes):
    cert = result.certificate
    detail = dataclasses.replace(cert.detail, **changes)
    return dataclasses.replace(result, certificate=dataclasses.replace(cert, detail=detail))


def test_a_dropped_case_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    detail = result.certificate.detail
    j, cut, below, above = detail.tree
    assert isinstance(below, int) and isinstance(above, int)
    forged = _forged(result, tree=0, cases=(detail.cases[below],))
    assert not forged.verify(gam)
    assert not _forged(result, tree=(j, cut, below, below)).verify(gam)
    moved = cut + 1 if isinstance(cut, int) else cut + Fraction(1, 2)
    assert not _forged(result, tree=(j, moved, below, above)).verify(gam)


@pytest.mark.parametrize("side", ["low", "high"])
def test_a_split_that_misses_the_instances_bin_fails_verify(side):
    """x_b = 2.5 lies in the case of b's upper half only through its own bin: a split
    bounding the term on the cells but not on x's bin is refused."""
    gam = _hub()
    x = ("m", 2.5, 3)
    result = _cases_result(gam, x)
    detail = result.certificate.detail
    pair = gam.pairs[0]
    own = pair.bin_of(1, gam.features[1], x[1])
    refused = 0
    for k, case in enumerate(detail.cases):
        split = case.splits[0]
        part = list(split.low[1] if side == "low" else split.high[1])
        part[own] += 10.0 if side == "low" else -10.0
        forged_split = (PairSplit((split.low[0], tuple(part)), split.high) if side == "low"
                        else PairSplit(split.low, (split.high[0], tuple(part))))  # fmt: skip
        forged_case = dataclasses.replace(case, splits=(forged_split, *case.splits[1:]))
        cases = (*detail.cases[:k], forged_case, *detail.cases[k + 1 :])
        refused += not _forged(result, cases=cases).verify(gam)
    assert refused == len(detail.cases)


def test_a_narrowed_bracket_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    cert = result.certificate
    middle = tuple((a + b) / 2 for a, b in zip(cert.lower, cert.upper, strict=True))
    narrowed = dataclasses.replace(cert, lower=middle, upper=middle)
    assert not dataclasses.replace(result, certificate=narrowed).verify(gam)
    base = (cert.base_lower + cert.base_upper) / 2
    moved = dataclasses.replace(cert, base_lower=base, base_upper=base)
    assert not dataclasses.replace(result, certificate=moved).verify(gam)


def test_the_time_limit_is_honoured():
    gam = _hub()
    result = shap_values(gam, ("m", 2.5, 3), output="label", method="grid-conditioning",
                         time_limit=1e-9)  # fmt: skip
    assert result.status == "time_limit" and not result.exact and result.verify(gam)


def test_a_model_without_pairs_is_left_to_the_others():
    gam = GAM(_hub().features, intercept=0.0, task=Classification(0.0))
    with pytest.raises(UnsupportedQueryError, match="without pair terms"):
        shap_values(gam, ("m", 2.5, 3), output="label", method="grid-conditioning")


def test_a_short_time_limit_goes_to_the_plain_grid(monkeypatch):
    monkeypatch.setattr(grid_label_cases, "SHORT", 30.0)
    gam = _hub()
    result = shap_values(gam, ("m", 2.5, 3), output="label", method="grid-conditioning",
                         time_limit=5)  # fmt: skip
    assert result.certificate.detail.mode == "grid" and result.verify(gam)
    assert result.algorithm == "grid-conditioning"


def test_the_nodes_in_batches_give_the_same_bracket(monkeypatch):
    gam = _hub()
    x = ("m", 2.5, 3)
    whole = _cases_result(gam, x)
    monkeypatch.setattr(grid_convolution, "_BATCH", 1)  # one node per batch
    batched = _cases_result(gam, x)
    assert batched.certificate.lower == whole.certificate.lower
    assert batched.certificate.upper == whole.certificate.upper
