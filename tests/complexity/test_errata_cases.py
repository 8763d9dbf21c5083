"""The errata of proofs/errata.md that are not about one algorithm: Shapley weights and
boundary cases (score at the threshold, constant models, empty S, S = all features)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Table,
    completion_fraction,
    is_redundant,
    is_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    shap_values,
)
from gamexplain.substrate.primitives import contribution_mean


@given(st.integers(1, 12))
def test_shapley_weights_sum_to_one(n: int) -> None:
    # over the coalitions S ⊆ [n] ∖ {i}: Σ_S |S|!(n − |S| − 1)!/n! = 1, not 1/n
    total = sum(
        math.comb(n - 1, k)
        * Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n))
        for k in range(n)
    )
    assert total == 1


@given(
    gams(
        max_features=3, domain_kinds=("finite", "integers"), components=("table", "ebm", "spline")
    ),
    st.data(),
)
def test_shap_of_the_score_is_the_centred_contribution(gam: GAM, data: st.DataObject) -> None:
    x = data.draw(instances(gam))
    result = shap_values(gam, x)
    for i, feature in enumerate(gam.features):
        expected = feature.contribution_exact(x[i]) - contribution_mean(feature)
        assert result.exact_values[i] == expected


def _two_bits(intercept: float, positive: str = ">=") -> GAM:
    bits = [Feature(name, Finite([0, 1]), Table([0.0, 1.0])) for name in ("a", "b")]
    return GAM(bits, intercept=intercept, task=Classification(0.0, positive))  # type: ignore[arg-type]


def test_score_exactly_at_the_threshold() -> None:
    # score(0, 0) = 0: class 1 under ">=", class 0 under ">"
    at_ge, at_gt = _two_bits(0.0, ">="), _two_bits(0.0, ">")
    assert at_ge.predict_exact([0, 0]) == 1 and at_gt.predict_exact([0, 0]) == 0
    # under ">=" no completion lowers the score: ∅ is sufficient; under ">" raising any
    # bit flips, so a single feature is a contrastive reason
    assert is_sufficient_reason(at_ge, [0, 0], [])
    assert minimum_contrastive_reason(at_gt, [0, 0]).size == 1
    assert not is_sufficient_reason(at_gt, [0, 0], [])


def test_constant_model_every_feature_redundant() -> None:
    flat = [Feature(n, Finite([0, 1, 2]), Table([1.0, 1.0, 1.0])) for n in ("a", "b", "c")]
    gam = GAM(flat, intercept=-1.0, task=Classification(0.5))
    for name in ("a", "b", "c"):
        assert is_redundant(gam, name)
    assert minimum_sufficient_reason(gam, [0, 1, 2]).features == ()
    assert not minimum_contrastive_reason(gam, [0, 1, 2]).exists


@given(gams(max_features=3, domain_kinds=("finite",), task=st.just(Classification(0.0))), st.data())
@example(_two_bits(-1.0), None)
def test_empty_and_full_sets(gam: GAM, data: st.DataObject | None) -> None:
    x = data.draw(instances(gam)) if data is not None else (1, 1)
    everything = range(gam.n_features)
    assert is_sufficient_reason(gam, x, everything)  # S = all: nothing may move
    assert completion_fraction(gam, x, everything).exact_fraction == 1
    # S = ∅: sufficient iff every point of the domain has the class of x
    label = gam.predict_exact(x)
    points = itertools.product(*[f.domain.values for f in gam.features])
    constant = all(gam.predict_exact(p) == label for p in points)
    assert bool(is_sufficient_reason(gam, x, [])) is constant
    assert (completion_fraction(gam, x, []).exact_fraction == 1) is constant
