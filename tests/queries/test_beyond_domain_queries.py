"""Every query on a row beyond its numeric domains, held against brute force on the
widened model (GAM.covering) and, for step shapes, against the clamped row."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Integers,
    UnsupportedQueryError,
    completion_fraction,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    shap_values,
)
from gamexplain.algorithms.brute_shap import brute_attributions, brute_completion_fraction
from gamexplain.distributions import resolve_distribution


@st.composite
def beyond(draw: st.DrawFn, gam: GAM) -> tuple[Any, ...]:
    """An instance with at least one integer feature 1 to 3 steps outside its domain."""
    x = list(draw(instances(gam)))
    numeric = [i for i, f in enumerate(gam.features) if isinstance(f.domain, Integers)]
    assume(numeric)
    for i in draw(st.lists(st.sampled_from(numeric), min_size=1, unique=True)):
        domain = gam.features[i].domain
        step = draw(st.integers(1, 3))
        x[i] = domain.low - step if draw(st.booleans()) else domain.high + step
    return tuple(x)


def _clamped(gam: GAM, x: tuple[Any, ...]) -> tuple[Any, ...]:
    out = []
    for feature, value in zip(gam.features, x, strict=True):
        domain = feature.domain
        out.append(min(max(value, domain.low), domain.high) if isinstance(domain, Integers)
                   else value)  # fmt: skip
    return tuple(out)


def _exact_shap(gam: GAM, x: tuple[Any, ...], output: str) -> tuple[Any, ...] | None:
    try:
        result = shap_values(gam, x, output=output, distribution="model")
    except UnsupportedQueryError:
        return None
    assert result.verify(gam)
    return result.exact_values


@given(
    gams(max_features=3, domain_kinds=("finite", "integers"),
         components=("table", "ebm", "spline"), with_distribution=None),
    st.data(),
)  # fmt: skip
def test_answers_equal_brute_force_on_the_widened_model(gam, data):
    x = data.draw(beyond(gam))
    wide = gam.covering(x)
    assert wide is not gam
    msr = minimum_sufficient_reason(gam, x)
    assert msr.verify(gam) and msr.size == minimum_sufficient_reason(wide, x, method="brute").size
    mcr = minimum_contrastive_reason(gam, x)
    assert mcr.verify(gam) and mcr.size == minimum_contrastive_reason(wide, x, method="brute").size
    model = resolve_distribution(gam, "model", "test").covering(x)
    assert _exact_shap(gam, x, "score") == tuple(
        brute_attributions(model, x, output="score", kind="shapley").lower
    )
    if isinstance(gam.task, Classification):
        label = _exact_shap(gam, x, "label")
        brute = brute_attributions(model, x, output="label", kind="shapley")
        assert label is None or label == tuple(brute.lower)
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    cf = completion_fraction(gam, x, fixed, distribution="model")
    assert cf.verify(gam)
    assert cf.exact_fraction == brute_completion_fraction(model, x, frozenset(fixed)).lower[0]


@given(
    gams(max_features=3, domain_kinds=("finite", "integers"), components=("table", "ebm"),
         pairs=True, with_distribution=None),
    st.data(),
)  # fmt: skip
def test_step_shapes_answer_as_for_the_clamped_row(gam, data):
    x = data.draw(beyond(gam))
    clamped = _clamped(gam, x)
    # the clamped value scores as x does (it lies in the same outermost piece and bins)
    assume(all(f.contribution_exact(a) == f.contribution_exact(b)
               for f, a, b in zip(gam.features, x, clamped, strict=True)))  # fmt: skip
    assume(all(p.bin_of(k, gam.features[i], x[i]) == p.bin_of(k, gam.features[i], clamped[i])
               for p in gam.pairs for k, i in enumerate(p.features)))  # fmt: skip
    for query in (minimum_sufficient_reason, minimum_contrastive_reason):
        try:
            answer, twin = query(gam, x), query(gam, clamped)
        except UnsupportedQueryError:
            continue
        assert answer.verify(gam) and answer.size == twin.size
    assert _exact_shap(gam, x, "score") == _exact_shap(gam, clamped, "score")
    if isinstance(gam.task, Classification):
        assert _exact_shap(gam, x, "label") == _exact_shap(gam, clamped, "label")
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    try:
        cf = completion_fraction(gam, x, fixed)
    except UnsupportedQueryError:
        return
    twin_cf = completion_fraction(gam, clamped, fixed)
    assert cf.verify(gam) and cf.exact_fraction == twin_cf.exact_fraction
