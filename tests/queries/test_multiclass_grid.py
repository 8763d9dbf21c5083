"""Multiclass grid brackets (``rival-grid``) against brute force, with and without pairs."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams
from test_multiclass_counting import _wide, brute_fraction, brute_label

import gamexplain as gx
from gamexplain.algorithms.grid_convolution import PairSplit

# step functions only on intervals, so that brute force over the cells is the truth
MODELS = st.one_of(
    multiclass_gams(max_classes=3, domain_kinds=("finite", "integers")),
    multiclass_gams(max_classes=3, domain_kinds=("interval",), components=("ebm",)),
    multiclass_gams(max_classes=3, domain_kinds=("finite", "integers"), pairs=True),
    multiclass_gams(
        max_classes=3, domain_kinds=("interval", "finite"), components=("ebm",), pairs=True
    ),
)


def bounds(result: Any) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    return result.certificate.lower, result.certificate.upper


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_completion_brackets_contain_the_truth(data: st.DataObject) -> None:
    gam = data.draw(MODELS)
    x = data.draw(instances(gam.scores[0]))
    S = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    result = gx.completion_fraction(gam, x, S, method="rival-grid", max_states=3000)
    truth = brute_fraction(gam, x, S)
    (low,), (high,) = bounds(result)
    assert low <= truth <= high
    assert result.lower <= float(truth) <= result.upper
    assert result.algorithm == "rival-grid" and result.verify(gam)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_label_brackets_contain_the_truth(data: st.DataObject) -> None:
    gam = data.draw(MODELS)
    x = data.draw(instances(gam.scores[0]))
    kind = data.draw(st.sampled_from(["shapley", "banzhaf"]))
    query = gx.shap_values if kind == "shapley" else gx.banzhaf_values
    result = query(gam, x, output="label", method="rival-grid", max_states=3000)
    truth = brute_label(gam, x, kind)
    low, high = bounds(result)
    assert all(a <= t <= b for a, t, b in zip(low[:-1], truth, high[:-1], strict=True))
    assert low[-1] <= brute_fraction(gam, x, frozenset()) <= high[-1]  # v(∅)
    assert result.verify(gam)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_auto_answers_pair_models_with_a_bracket(data: st.DataObject) -> None:
    gam = data.draw(multiclass_gams(max_classes=3, domain_kinds=("finite",), pairs=True))
    x = data.draw(instances(gam.scores[0]))
    result = gx.shap_values(gam, x, output="label", max_states=3000)
    assert result.algorithm == ("rival-grid" if gam.pairs else "rival-vectors")
    truth = brute_label(gam, x, "shapley")
    low, high = bounds(result)
    if result.algorithm == "rival-grid":  # per feature, then v(∅)
        low, high = low[:-1], high[:-1]
    assert all(a <= t <= b for a, t, b in zip(low, truth, high, strict=True))
    assert result.verify(gam)


def test_a_large_table_moves_to_the_grid_and_narrows_with_the_budget() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    truth = brute_fraction(gam, x, frozenset())
    widths = []
    for states in (2_000, 50_000):
        result = gx.completion_fraction(gam, x, [], max_states=states, method="rival-grid")
        (low,), (high,) = bounds(result)
        assert low <= truth <= high and result.verify(gam)
        widths.append(high - low)
    assert widths[1] < widths[0] / 4


def _pair_model() -> Any:
    """Three classes over three finite features, a pair term on the first two."""
    rng = np.random.default_rng(5)

    def score(c: int) -> gx.GAM:
        features = [gx.Feature(name, gx.Finite(list(range(4))),
                               gx.Table([float(v) for v in rng.integers(-4, 5, 4)]))
                    for name in "abc"]  # fmt: skip
        pair = gx.PairTerm((0, 1), [None, None],
                           [[float(v) for v in rng.integers(-3, 4, 4)] for _ in range(4)])
        return gx.GAM(features, float(c) / 2, gx.Regression(), [pair])

    return gx.MulticlassGAM(gx.Multiclass(["u", "v", "w"]), [score(c) for c in range(3)])


def test_forged_grid_certificates_fail() -> None:
    gam = _pair_model()
    x = (1, 2, 0)
    results = [
        gx.completion_fraction(gam, x, ["c"], max_states=2000),
        gx.shap_values(gam, x, output="label", max_states=2000),
        gx.banzhaf_values(gam, x, output="label", max_states=2000),
    ]
    for result in results:
        assert result.algorithm == "rival-grid" and result.verify(gam)
        for forged in _forgeries(result):
            assert not forged.verify(gam), forged


def _forgeries(result: Any) -> list[Any]:
    cert = result.certificate
    first = next(j for j, law in enumerate(cert.laws) if law)
    cell = cert.laws[first][0]
    raised = dataclasses.replace(cell, low=(cell.low[0] + 1, *cell.low[1:]))
    heavier = dataclasses.replace(cell, probability=cell.probability + Fraction(1, 9))
    split = cert.splits[0][0]
    loose = PairSplit(split.low, ((split.high[0][0] - 1, *split.high[0][1:]), split.high[1]))
    fixed = list(cert.fixed)
    fixed[0] = (fixed[0][1], fixed[0][1])  # the low bound at x raised to the high one
    certs = [
        dataclasses.replace(cert, lower=(cert.lower[0] + Fraction(1, 2), *cert.lower[1:])),
        dataclasses.replace(cert, upper=(cert.upper[0] - Fraction(1, 2), *cert.upper[1:])),
        dataclasses.replace(cert, winner=(cert.winner + 1) % 3),
        dataclasses.replace(cert, laws=_with(cert.laws, first, (raised, *cert.laws[first][1:]))),
        dataclasses.replace(cert, laws=_with(cert.laws, first, (heavier, *cert.laws[first][1:]))),
        dataclasses.replace(cert, splits=((loose, *cert.splits[0][1:]), *cert.splits[1:])),
        dataclasses.replace(cert, scale=tuple(-h for h in cert.scale)),
        dataclasses.replace(cert, kind="banzhaf" if cert.kind == "shapley" else "shapley"),
    ]
    if cert.fixed[0][0] != cert.fixed[0][1]:
        certs.append(dataclasses.replace(cert, fixed=tuple(fixed)))
    fields = [{"exact": True}, {"status": "solved"}, {"algorithm": "rival-vectors"},
              {"lower": result.lower + 0.25}]  # fmt: skip
    if hasattr(result, "values"):
        fields += [{"values": result.values + 0.01}, {"base_value": result.base_value + 0.01}]
    else:
        fields += [{"fraction": result.fraction + 0.01}, {"fixed": ()}]
    return [dataclasses.replace(result, certificate=c) for c in certs] + [
        dataclasses.replace(result, **f) for f in fields
    ]


def _with(laws: tuple[Any, ...], j: int, cells: Any) -> tuple[Any, ...]:
    out = list(laws)
    out[j] = cells
    return tuple(out)


def test_a_time_limit_too_short_for_one_round_claims_the_trivial_bracket() -> None:
    gam = _pair_model()
    result = gx.shap_values(gam, (1, 2, 0), output="label", time_limit=1e-9,
                            method="rival-grid")  # fmt: skip
    assert result.status == "time_limit" and not result.exact and result.verify(gam)
