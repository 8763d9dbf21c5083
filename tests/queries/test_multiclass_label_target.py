"""SHAP, Banzhaf and completion fractions of the label "class ``target`` wins" on multiclass
models, against brute force over completions and coalitions (ties to the lowest index)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams
from test_multiclass_counting import _wide, cells
from test_multiclass_grid import _pair_model

import gamexplain as gx
from gamexplain.examples import demo_instance, example_path

# step functions only on intervals, so that brute force over the cells is the truth
STEPS = st.one_of(
    multiclass_gams(max_classes=3, domain_kinds=("finite", "integers")),
    multiclass_gams(max_classes=3, domain_kinds=("interval",), components=("ebm",)),
)
PAIRS = st.one_of(
    multiclass_gams(max_classes=3, domain_kinds=("finite", "integers"), pairs=True),
    multiclass_gams(
        max_classes=3, domain_kinds=("interval", "finite"), components=("ebm",), pairs=True
    ),
)


def brute_wins(gam: Any, x: tuple[Any, ...], kept: frozenset[int], winner: int) -> Fraction:
    """P(class ``winner`` is the argmax, ties to the lowest index) over every completion of
    x_kept, the free features drawn from their cells."""
    axes = [[(x[i], Fraction(1))] if i in kept else cells(gam, i) for i in range(gam.n_features)]
    total = Fraction(0)
    for combo in itertools.product(*axes):
        if gam.predict_index(tuple(v for v, _ in combo)) == winner:
            total += math.prod((q for _, q in combo), start=Fraction(1))
    return total


def brute_values(gam: Any, x: tuple[Any, ...], winner: int, kind: str) -> list[Fraction]:
    """Shapley or Banzhaf values of v(S) = P(class ``winner`` wins | x_S), every coalition."""
    n = gam.n_features
    v = {frozenset(S): brute_wins(gam, x, frozenset(S), winner)
         for k in range(n + 1) for S in itertools.combinations(range(n), k)}  # fmt: skip
    out = []
    for i in range(n):
        total = Fraction(0)
        for S, value in v.items():
            if i not in S:
                k = len(S)
                w = (Fraction(1, 2 ** (n - 1)) if kind == "banzhaf" else
                     Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n)))
                total += w * (v[S | {i}] - value)
        out.append(total)
    return out


def _asked(gam: Any, data: st.DataObject) -> tuple[tuple[Any, ...], int]:
    x = data.draw(instances(gam.scores[0]))
    return x, data.draw(st.integers(0, gam.n_classes - 1))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_label_values_toward_a_target_match_brute_force(data: st.DataObject) -> None:
    gam = data.draw(STEPS)
    x, t = _asked(gam, data)
    target = gam.classes[t]
    try:
        shap = gx.shap_values(gam, x, output="label", target=target)
    except gx.UnsupportedQueryError as refused:  # a non-constant piece on a wide range
        assert "non-constant" in str(refused)
        return
    banzhaf = gx.banzhaf_values(gam, x, output="label", target=target)
    assert shap.exact and list(shap.exact_values) == brute_values(gam, x, t, "shapley")
    assert banzhaf.exact and list(banzhaf.exact_values) == brute_values(gam, x, t, "banzhaf")
    assert shap.exact_base_value == brute_wins(gam, x, frozenset(), t)
    # efficiency: v(N) is the indicator that the target wins at x itself
    won = int(gam.predict_index(x) == t)
    assert shap.exact_base_value + sum(shap.exact_values) == won
    assert shap.target == banzhaf.target == target
    assert shap.verify(gam) and banzhaf.verify(gam)
    # toward the predicted class: today's answer, and the predicted class recorded
    p = gam.predict_index(x)
    plain = gx.shap_values(gam, x, output="label")
    toward = gx.shap_values(gam, x, output="label", target=gam.classes[p])
    assert plain.exact_values == toward.exact_values and plain.target == gam.classes[p]


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_completion_fraction_toward_a_target_matches_brute_force(data: st.DataObject) -> None:
    gam = data.draw(STEPS)
    x, t = _asked(gam, data)
    S = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    try:
        result = gx.completion_fraction(gam, x, S, target=gam.classes[t])
    except gx.UnsupportedQueryError as refused:
        assert "non-constant" in str(refused)
        return
    truth = brute_wins(gam, x, S, t)
    assert result.exact and result.exact_fraction == truth and result.verify(gam)
    assert result.target == gam.classes[t]
    small = gx.completion_fraction(gam, x, S, max_states=40, method="rival-vectors",
                                   target=gam.classes[t])  # fmt: skip
    assert small.certificate.lower <= truth <= small.certificate.upper and small.verify(gam)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_grid_brackets_toward_a_target_contain_the_truth(data: st.DataObject) -> None:
    gam = data.draw(PAIRS)
    x, t = _asked(gam, data)
    kind = data.draw(st.sampled_from(["shapley", "banzhaf"]))
    query = gx.shap_values if kind == "shapley" else gx.banzhaf_values
    result = query(gam, x, output="label", method="rival-grid", max_states=3000,
                   target=gam.classes[t])  # fmt: skip
    low, high = result.certificate.lower, result.certificate.upper
    truth = [*brute_values(gam, x, t, kind), brute_wins(gam, x, frozenset(), t)]  # then v(∅)
    assert all(a <= v <= b for a, v, b in zip(low, truth, high, strict=True))
    assert result.target == gam.classes[t] and result.verify(gam)
    S = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    cc = gx.completion_fraction(gam, x, S, method="rival-grid", max_states=3000,
                                target=gam.classes[t])  # fmt: skip
    (a,), (b,) = cc.certificate.lower, cc.certificate.upper
    assert a <= brute_wins(gam, x, S, t) <= b and cc.verify(gam)


def _tied() -> Any:
    """Three classes, one feature: at a = "t" classes 0 and 2 tie above 1 (0 wins), at
    a = "s" classes 1 and 2 tie above 0 (1 wins); class 2 never wins."""

    def score(values: list[float]) -> gx.GAM:
        features = [gx.Feature("a", gx.Finite(["s", "t"]), gx.Table(values)),
                    gx.Feature("b", gx.Finite(["p", "q"]), gx.Table([0.0, 0.0]))]  # fmt: skip
        return gx.GAM(features, 0.0, gx.Regression())

    scores = [score([0.0, 2.0]), score([1.0, 0.0]), score([1.0, 2.0])]
    return gx.MulticlassGAM(gx.Multiclass(["x", "y", "z"]), scores)


def test_ties_go_to_the_lowest_index_toward_every_target() -> None:
    gam = _tied()
    x = ("t", "p")
    for t, label in enumerate(gam.classes):
        result = gx.shap_values(gam, x, output="label", target=label)
        assert list(result.exact_values) == brute_values(gam, x, t, "shapley")
        assert result.verify(gam)
    z = gx.shap_values(gam, x, output="label", target="z")
    assert z.exact_base_value == 0 and z.exact_values == (0, 0)  # "z" never wins
    y = gx.completion_fraction(gam, x, [], target="y")
    assert y.exact_fraction == Fraction(1, 2) and y.verify(gam)


def _retargeted(result: Any, gam: Any) -> Any:
    other = next(c for c in gam.classes if c != result.target)
    return dataclasses.replace(result, target=other)


def test_a_forged_target_fails_verify() -> None:
    wide, pairs = _wide(), _pair_model()
    x = wide.instance([3, 5, 1, 6])
    results = [
        (wide, gx.shap_values(wide, x, output="label", target="u")),
        (wide, gx.banzhaf_values(wide, x, output="label")),
        (wide, gx.shap_values(wide, x, output="label", target="v", max_states=400,
                              method="rival-vectors")),
        (wide, gx.completion_fraction(wide, x, ["a"], target="v")),
        (pairs, gx.shap_values(pairs, (1, 2, 0), output="label", target="u", max_states=2000)),
        (pairs, gx.completion_fraction(pairs, (1, 2, 0), ["c"], target="w", max_states=2000)),
    ]
    for gam, result in results:
        assert result.verify(gam)
        assert not _retargeted(result, gam).verify(gam), result
        assert not dataclasses.replace(result, target=None).verify(gam)
        # the target and the certificate's class moved together: the numbers disagree
        cert = result.certificate
        other = _retargeted(result, gam)
        moved = dataclasses.replace(cert, winner=gam.classes.index(other.target))
        assert not dataclasses.replace(other, certificate=moved).verify(gam)


def test_the_printout_names_the_class_explained() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    assert "class 'u' wins" in str(gx.shap_values(gam, x, output="label", target="u"))
    predicted = gam.classes[gam.predict_index(x)]
    assert f"class {predicted!r} wins" in str(gx.banzhaf_values(gam, x, output="label"))
    assert "class 'v' wins" in str(gx.completion_fraction(gam, x, [], target="v"))
    grid = gx.shap_values(_pair_model(), (1, 2, 0), output="label", max_states=2000)
    assert not grid.exact and "base value in [" in str(grid)  # the grid's v(∅) bracket


QUERIES = [
    (gx.shap_values, {"output": "label"}),
    (gx.banzhaf_values, {"output": "label"}),
    (gx.completion_fraction, {"S": []}),
]


@pytest.mark.parametrize(("query", "extra"), QUERIES)
def test_bad_targets_are_refused_by_name(query: Any, extra: dict[str, Any]) -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    with pytest.raises(gx.InvalidParameterError, match=r"'target'.*\['u', 'v', 'w'\]"):
        query(gam, x, target="nope", **extra)
    with pytest.raises(gx.InvalidParameterError, match=r"'target'.*many rows"):
        query(gam, [x, x], target="u", **extra)
    binary = gx.load(example_path("credit"))
    with pytest.raises(gx.InvalidParameterError, match=r"'target'.*binary"):
        query(binary, demo_instance("credit"), target=1, **extra)


@pytest.mark.parametrize("query", [gx.shap_values, gx.banzhaf_values])
def test_a_target_of_the_scores_is_refused_by_name(query: Any) -> None:
    gam = _wide()
    with pytest.raises(gx.InvalidParameterError, match=r"'target'.*output='score'"):
        query(gam, gam.instance([3, 5, 1, 6]), target="u")
