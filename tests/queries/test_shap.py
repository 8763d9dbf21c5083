"""SHAP and Banzhaf values of the score and of the label, held against brute force."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidParameterError,
    PairTerm,
    Piecewise,
    Regression,
    Table,
    UnsupportedQueryError,
    banzhaf_values,
    shap_values,
)
from gamexplain.algorithms.brute_shap import brute_attributions
from gamexplain.complexity.registry import registered_algorithms
from gamexplain.distributions import resolve_distribution

classifiers = st.builds(
    Classification, threshold=st.integers(-4, 4).map(lambda n: n / 2),
    positive=st.sampled_from([">=", ">"]),
)  # fmt: skip
distributions = st.sampled_from(["uniform", "model"])

# a tie at the threshold: the score of x is exactly 0 and the rule is ">"
TIE = GAM(
    [
        Feature("a", Finite(["u", "v"]), Table([1.0, -1.0])),
        Feature("b", Integers(0, 2), Piecewise([0, 2], [[-1.0, 1.0]])),
    ],
    intercept=0.0,
    task=Classification(0.0, ">"),
)


def _brute(gam: GAM, x: tuple, output: str, kind: str, distribution: str) -> tuple:
    model = resolve_distribution(gam, distribution, "test")
    found = brute_attributions(model, x, output=output, kind=kind)
    return found.lower, found.base_lower


@given(
    data=st.data(),
    gam=gams(max_features=3, domain_kinds=("finite", "integers"), pairs=True,
             with_distribution=None),
    distribution=distributions,
    kind=st.sampled_from(["shapley", "banzhaf"]),
)  # fmt: skip
def test_score_equals_brute_force(data, gam, distribution, kind):
    x = data.draw(instances(gam))
    explain = shap_values if kind == "shapley" else banzhaf_values
    result = explain(gam, x, distribution=distribution)
    values, base = _brute(gam, x, "score", kind, distribution)
    assert result.exact and result.algorithm == "closed-form"
    assert result.exact_values == values
    assert result.exact_base_value == base
    assert result.verify(gam)


@given(data=st.data(), gam=gams(max_features=3, pairs=True), distribution=distributions)
def test_score_on_every_domain_is_efficient_and_verified(data, gam, distribution):
    x = data.draw(instances(gam))
    result = shap_values(gam, x, distribution=distribution)
    assert result.exact
    assert result.exact_base_value + sum(result.exact_values) == gam.score_exact(x)
    assert result.verify(gam)


@example(gam=TIE, x=("v", 2), kind="shapley")
@example(gam=TIE, x=("u", 0), kind="banzhaf")
@given(
    gam=gams(max_features=3, domain_kinds=("finite", "integers"), task=classifiers,
             with_distribution=None),
    x=st.none(),
    kind=st.sampled_from(["shapley", "banzhaf"]),
)  # fmt: skip
def test_label_equals_brute_force(gam, x, kind):
    x = x or _first(gam)
    explain = shap_values if kind == "shapley" else banzhaf_values
    for distribution in ("uniform", "model"):
        result = explain(gam, x, output="label", distribution=distribution)
        values, base = _brute(gam, x, "label", kind, distribution)
        assert result.exact and result.algorithm == "partial-sums"
        assert result.exact_values == values
        assert result.exact_base_value == base
        assert result.verify(gam)


def _first(gam: GAM) -> tuple:
    return tuple(
        f.domain.values[-1] if isinstance(f.domain, Finite) else f.domain.high for f in gam.features
    )


@given(
    data=st.data(),
    gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
             task=classifiers),
    max_states=st.integers(4, 40),
)  # fmt: skip
def test_label_bounds_contain_the_true_value(data, gam, max_states):
    x = data.draw(instances(gam))
    result = shap_values(gam, x, output="label", max_states=max_states)
    values, base = _brute(gam, x, "label", "shapley", "uniform")
    cert = result.certificate
    assert all(lo <= v <= hi for lo, v, hi in zip(cert.lower, values, cert.upper, strict=True))
    assert cert.base_lower <= base <= cert.base_upper
    assert result.exact == (cert.lower == cert.upper and cert.base_lower == cert.base_upper)
    if result.exact:
        assert result.exact_values == values
    assert result.verify(gam)


def _finite_twin(gam: GAM, x: tuple) -> tuple[GAM, tuple]:
    """Step-function interval features (integer breakpoints and ends) as finite features
    of unit cells plus the instance's own value with probability 0: the same law of the
    label, enumerable by brute force (use it with distribution "model")."""
    features, point = [], []
    for feature, value in zip(gam.features, x, strict=True):
        if not isinstance(feature.domain, Interval):
            features.append(feature)
            point.append(value)
            continue
        low, high = int(feature.domain.low), int(feature.domain.high)
        cells = list(range(low, max(high, low + 1)))
        scores = [float(feature.contribution_exact(Fraction(c))) for c in cells]
        scores.append(float(feature.contribution_exact(value)))
        probs = [1 / len(cells)] * len(cells) + [0.0]
        twin = Feature(feature.name, Finite([*cells, "x"]), Table(scores), distribution=probs)
        features.append(twin)
        point.append("x")
    return GAM(features, gam.intercept, gam.task), tuple(point)


@given(
    data=st.data(),
    gam=gams(max_features=3, domain_kinds=("finite", "interval"), components=("table", "ebm"),
             task=classifiers),
)  # fmt: skip
def test_label_on_step_functions_over_intervals_is_exact(data, gam):
    x = data.draw(instances(gam))
    result = shap_values(gam, x, output="label")
    twin, point = _finite_twin(gam, x)
    values, base = _brute(twin, point, "label", "shapley", "model")
    assert result.exact
    assert result.exact_values == values and result.exact_base_value == base
    assert result.verify(gam)


def test_label_on_continuous_pieces_is_bounded():
    gam = GAM(
        [
            Feature("a", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0, 0.5], [2.0]])),
            Feature("b", Finite([0, 1]), Piecewise([0, 1], [[0.0, -1.0]])),
        ],
        intercept=0.0,
        task=Classification(1.0),
    )
    result = shap_values(gam, (0.5, 1), output="label", max_states=2000)
    # B ∈ {0, −1}, c_a = 0.625, c_b = −1, A = t + t²/2 on [0, 1) and 2 on [1, 2]:
    # φ_a = ½[0 − P(A + B ≥ 1)] + ½[0 − P(A ≥ 2)], and A ≥ 1 on [√3 − 1, 2]
    p_ge_1 = (2 - (math.sqrt(3) - 1)) / 2
    p_ge_2 = 1 / 2
    phi_a = -(p_ge_1 + p_ge_2) / 4 - p_ge_2 / 2
    assert not result.exact and result.status == "budget_exhausted"
    assert result.lower[0] <= phi_a <= result.upper[0]
    assert result.upper[0] - result.lower[0] < 0.05
    assert result.verify(gam)


def test_pairs_with_label_go_to_brute_force_or_get_a_bracket():
    pair = PairTerm((0, 1), [None, [0, 1, 2]], [[1.0, -1.0], [0.0, 2.0]])
    small = GAM(TIE.features, 0.0, TIE.task, pairs=[pair])
    result = shap_values(small, ("u", 1), output="label")
    assert result.algorithm == "brute" and result.exact and result.verify(small)
    wide = GAM(
        [TIE.features[0], Feature("b", Interval(0, 2), Piecewise([0, 2], [[-1.0, 1.0]]))],
        0.0,
        TIE.task,
        pairs=[pair],
    )
    bracket = shap_values(wide, ("u", 1.0), output="label")
    assert bracket.algorithm == "grid-convolution" and not bracket.exact
    assert np.all(bracket.lower <= bracket.upper) and bracket.verify(wide)
    with pytest.raises(UnsupportedQueryError, match="pair terms"):
        shap_values(wide, ("u", 1.0), output="label", method="partial-sums")


def test_time_limit_reports_bounds():
    gam = GAM(
        [Feature(f"x{k}", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0, 1.0]])) for k in range(4)],
        intercept=0.0,
        task=Classification(2.0),
    )
    result = shap_values(gam, (0.5,) * 4, output="label", time_limit=0.05)
    assert not result.exact and result.status == "time_limit"
    assert np.all(result.lower <= result.upper)
    assert result.verify(gam)


@given(gam=gams(max_features=3, pairs=True), data=st.data())
@settings(max_examples=15)
def test_batch_matches_single_rows(gam, data):
    rows = [data.draw(instances(gam)) for _ in range(3)]
    batch = shap_values(gam, rows)
    assert batch.values.shape == (3, gam.n_features) and not batch.exact
    for row, phi in zip(rows, batch.values, strict=True):
        single = shap_values(gam, row)
        np.testing.assert_allclose(phi, [float(v) for v in single.exact_values], atol=1e-9)
    assert batch.verify(gam)


def test_explicit_distributions():
    gam = TIE
    by_name = shap_values(gam, ("u", 0), distribution={"a": [0.25, 0.75]})
    by_list = shap_values(gam, ("u", 0), distribution=[[0.25, 0.75], None])
    # E[a] = 0.25 − 0.75 = −0.5, so φ_a = 1 + 0.5
    assert by_name.exact_values == by_list.exact_values
    assert by_name.exact_values[0] == Fraction(3, 2)
    assert by_name.verify(gam) and by_list.verify(gam)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: shap_values(TIE, ("u", 0), output="raw"), "'output' parameter of shap_values"),
        (lambda: banzhaf_values(TIE, ("u", 0), method="foo"), "'method' parameter of banzhaf"),
        (lambda: shap_values(TIE, ("u", 0), distribution="empirical"), "'distribution'"),
        (lambda: shap_values(TIE, ("u", 0), distribution={"zz": [1.0]}), "unknown feature"),
        (lambda: shap_values(TIE, ("u", 0), distribution=[None]), "one entry per feature"),
        (lambda: shap_values(TIE, ("u", 0), distribution={"a": [2.0, -1.0]}), "feature 'a'"),
        (lambda: shap_values(TIE, ("u", 0), max_states=0), "'max_states'"),
        (lambda: shap_values(TIE, ("u", 0), time_limit=-1), "'time_limit'"),
        (lambda: shap_values(TIE, [("u", 0)], output="label"), "2-D array"),
        (
            lambda: shap_values(GAM(TIE.features, 0.0, Regression()), ("u", 0), output="label"),
            "needs a classifier",
        ),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        call()


def test_str_ranks_features():
    text = str(shap_values(TIE, ("u", 2)))
    lines = text.splitlines()
    assert "SHAP values of the score" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["a", "b"]


MARGINALS = GAM(
    [
        Feature("a", Finite(["u", "v"]), Table([1.0, -1.0]), distribution=[0.25, 0.75]),
        Feature("b", Integers(0, 3), Piecewise([0, 3], [[0.0, 1.0]])),
    ],
    intercept=0.0,
    task=Classification(0.0),
)


@pytest.mark.parametrize("explain", [shap_values, banzhaf_values])
def test_default_distribution_is_the_stored_marginals_else_uniform(explain):
    default = explain(MARGINALS, ("u", 2))
    stored = explain(MARGINALS, ("u", 2), distribution="model")
    uniform = explain(MARGINALS, ("u", 2), distribution="uniform")
    assert default.distribution == stored.distribution == "model"
    assert default.exact_values == stored.exact_values != uniform.exact_values
    assert default.exact_values[0] == Fraction(3, 2)  # 1 − (0.25·1 + 0.75·(−1))
    assert "under the model's stored marginals" in str(default).splitlines()[0]
    assert "under uniform marginals" in str(uniform).splitlines()[0]
    for result in (default, uniform):
        assert result.verify(MARGINALS)
    bare = GAM([f.__class__(f.name, f.domain, f.shape) for f in MARGINALS.features],
               intercept=0.0, task=MARGINALS.task)  # fmt: skip
    plain = explain(bare, ("u", 2))
    assert plain.distribution == "uniform" and plain.verify(bare)
    assert plain.exact_values == explain(bare, ("u", 2), distribution="uniform").exact_values
    given = explain(bare, ("u", 2), distribution={"a": [0.25, 0.75]})
    assert "under the given marginals" in str(given) and given.verify(bare)


def test_a_result_naming_other_marginals_fails_verify():
    import dataclasses

    result = shap_values(MARGINALS, ("u", 2))
    assert not dataclasses.replace(result, distribution="uniform").verify(MARGINALS)
    batch = shap_values(MARGINALS, [("u", 2), ("v", 0)])
    assert batch.verify(MARGINALS)
    assert not dataclasses.replace(batch, distribution="uniform").verify(MARGINALS)


def test_theorems_have_proof_sections():
    proofs = "\n".join(p.read_text() for p in Path(__file__).parents[2].glob("proofs/*.md"))
    mine = {"closed-form", "partial-sums", "brute"}
    for query in ("shap-score", "shap-label", "banzhaf-score", "banzhaf-label", "cc"):
        for spec in registered_algorithms(query):
            if spec.name in mine:
                assert f"## {spec.theorem}\n" in proofs, spec.theorem
    for theorem in ("thm:shap-label-sharp-p", "thm:cc-sharp-p", "thm:label-bounds"):
        assert f"## {theorem}\n" in proofs


# -- cross-checks against real tools ----------------------------------------------------------
def test_score_matches_ebm_local_term_scores():
    """By default a main-effects EBM is explained under its stored bin weights, so SHAP
    values are exactly EBM's own local term scores and the base value its intercept
    (THEORY §2)."""
    pytest.importorskip("interpret")
    import warnings

    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer

    from gamexplain import from_ebm

    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[:300, :5], y[:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = ExplainableBoostingClassifier(
            outer_bags=1, interactions=0, max_rounds=200, random_state=0
        ).fit(X, y)
        local = ebm.explain_local(X[:20], y[:20])
    gam = from_ebm(ebm)
    rows = X[:20]
    theirs = np.array([local.data(i)["scores"] for i in range(len(rows))], dtype=float)
    np.testing.assert_allclose(ebm.eval_terms(rows), theirs, atol=1e-12)
    batch = shap_values(gam, rows)
    assert batch.distribution == "model"
    np.testing.assert_allclose(batch.values, theirs, atol=1e-9)
    assert abs(batch.base_value - float(ebm.intercept_[0])) < 1e-9
    single = shap_values(gam, rows[0])
    assert single.distribution == "model" and "stored marginals" in str(single)
    np.testing.assert_allclose(single.values, theirs[0], atol=1e-9)
    assert single.verify(gam)
    uniform = shap_values(gam, rows[0], distribution="uniform")
    assert uniform.distribution == "uniform" and uniform.verify(gam)
    assert np.abs(uniform.values - theirs[0]).max() > 1e-3


def test_label_matches_shap_exact_explainer():
    shap = pytest.importorskip("shap")
    gam = GAM(
        [
            Feature("a", Finite([0, 1, 2]), Piecewise([0, 3], [[-1.0, 1.0]])),
            Feature("b", Finite([0, 1]), Piecewise([0, 2], [[0.5, -1.5]])),
            Feature("c", Integers(0, 3), Piecewise([0, 2, 3], [[0.0, 0.5], [-1.0]])),
            Feature("d", Finite([0, 1]), Piecewise([0, 2], [[0.0, 1.0]])),
        ],
        intercept=0.25,
        task=Classification(0.5),
    )
    grid = np.array(list(np.ndindex(3, 2, 4, 2)), dtype=float)
    x = np.array([[2.0, 0.0, 1.0, 1.0]])
    masker = shap.maskers.Independent(grid, max_samples=len(grid))
    explainer = shap.explainers.Exact(lambda X: gam.predict(X).astype(float), masker)
    theirs = explainer(x)
    ours = shap_values(gam, x[0].tolist(), output="label")
    assert ours.exact
    np.testing.assert_allclose(theirs.values[0], ours.values, atol=1e-12)
    np.testing.assert_allclose(theirs.base_values[0], ours.base_value, atol=1e-12)


def test_a_bracketed_base_value_is_printed_with_its_bracket():
    # a label run stopped at once knows only v(∅) ∈ [0, 1]: the printout must not show
    # the midpoint 0.5 as if it were the base value
    gam = GAM(
        [
            Feature("a", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0, 0.5], [2.0]])),
            Feature("b", Finite([0, 1]), Piecewise([0, 1], [[0.0, -1.0]])),
        ],
        intercept=0.0,
        task=Classification(1.0),
    )
    for result in (
        shap_values(gam, (0.5, 1), output="label", max_states=2000),
        banzhaf_values(gam, (0.5, 1), output="label", max_states=2000),
    ):
        cert = result.certificate
        assert not result.exact and cert.base_lower < cert.base_upper
        head = str(result).splitlines()[0]
        low, high = float(cert.base_lower), float(cert.base_upper)
        assert f"base value in [{low:.6g}, {high:.6g}]" in head
        assert result.verify(gam)
    exact = shap_values(gam, (0.5, 1))
    assert f"base value {exact.base_value:.6g}" in str(exact).splitlines()[0]
