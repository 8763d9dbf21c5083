"""Multiclass completion fractions against brute force over the cells of every feature."""

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
from test_multiclass_queries import MODEL

import gamexplain as gx
from gamexplain.model.domains import Finite, Integers

STEPS = st.one_of(
    multiclass_gams(domain_kinds=("finite", "integers")),
    multiclass_gams(domain_kinds=("interval",), components=("ebm",)),
)


def cells(gam: Any, i: int) -> list[tuple[Any, Fraction]]:
    """(a point, its probability) per value, or per open part between breakpoints (and
    pair edges) of a step function on an interval (they have no mass), uniformly."""
    feature = gam.features[i]
    domain = feature.domain
    if isinstance(domain, Finite):
        return [(v, Fraction(1, len(domain.values))) for v in domain.values]
    if isinstance(domain, Integers):
        size = domain.high - domain.low + 1
        return [(v, Fraction(1, size)) for v in range(domain.low, domain.high + 1)]
    low, high = Fraction(domain.low), Fraction(domain.high)
    if low == high:
        return [(domain.low, Fraction(1))]
    edges = [Fraction(e) for p in gam.pairs for axis, j in enumerate(p.features)
             if j == i and p.edges[axis] is not None for e in p.edges[axis]]  # fmt: skip
    inner = [*(Fraction(b) for b in feature.shape.breakpoints), *edges]
    cuts = sorted({low, high, *(b for b in inner if low < b < high)})
    return [((a + b) / 2, (b - a) / (high - low)) for a, b in itertools.pairwise(cuts)]


def brute_fraction(
    gam: Any, x: tuple[Any, ...], kept: frozenset[int], laws: Any = None
) -> Fraction:
    """P(the class of x is kept), the free features drawn from the cells of ``laws``
    (default ``gam``)."""
    p = gam.predict_index(x)
    source = gam if laws is None else laws
    axes = [[(x[i], Fraction(1))] if i in kept else cells(source, i) for i in range(gam.n_features)]
    total = Fraction(0)
    for combo in itertools.product(*axes):
        z = tuple(v for v, _ in combo)
        if gam.predict_index(z) == p:
            weight = Fraction(1)
            for _, q in combo:
                weight *= q
            total += weight
    return total


@settings(max_examples=30)
@given(st.data())
def test_completion_fraction_matches_brute_force(data: st.DataObject) -> None:
    gam = data.draw(STEPS)
    x = data.draw(instances(gam.scores[0]))
    S = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    try:
        result = gx.completion_fraction(gam, x, S)
    except gx.UnsupportedQueryError as refused:  # a non-constant piece on a wide range
        assert "non-constant" in str(refused)
        return
    truth = brute_fraction(gam, x, S)
    assert result.exact and result.exact_fraction == truth and result.verify(gam)
    small = gx.completion_fraction(gam, x, S, max_states=40, method="rival-vectors")
    assert small.verify(gam)
    lower, upper = small.certificate.lower, small.certificate.upper
    assert lower <= truth <= upper
    assert small.exact == (lower == upper) and (small.status == "solved") == small.exact


def test_a_bracket_is_certified_and_forgeries_fail() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    result = gx.completion_fraction(gam, x, [], max_states=150, method="rival-vectors")
    assert not result.exact and result.status == "budget_exhausted"
    assert result.certificate.scale is not None and result.verify(gam)
    exact = gx.completion_fraction(gam, x, [])
    assert exact.exact and result.lower <= exact.fraction <= result.upper and exact.verify(gam)
    for forged in _forgeries(result) + _forgeries(exact):
        assert not forged.verify(gam), forged


def _forgeries(result: Any) -> list[Any]:
    cert = result.certificate
    first = next(i for i, law in enumerate(cert.laws) if law)
    cell = cert.laws[first][0]
    moved = dataclasses.replace(cell, probability=cell.probability + Fraction(1, 7))
    laws = list(cert.laws)
    laws[first] = (moved, *cert.laws[first][1:])
    certs = [
        dataclasses.replace(cert, lower=cert.lower - Fraction(1, 1000)),
        dataclasses.replace(cert, upper=cert.upper + Fraction(1, 1000)),
        dataclasses.replace(cert, winner=cert.winner + 1),
        dataclasses.replace(cert, laws=tuple(laws)),
    ]
    if cert.scale is not None:
        certs.append(dataclasses.replace(cert, scale=tuple(d * 2 for d in cert.scale)))
    fields = [
        {"fraction": result.fraction + 0.01},
        {"lower": result.lower - 0.01},
        {"exact": not result.exact},
        {"fixed": ("a",)},
        {"algorithm": "brute"},
        {"distribution": ((0.5, 0.5),) * 4},
    ]
    return [dataclasses.replace(result, certificate=c) for c in certs] + [
        dataclasses.replace(result, **f) for f in fields
    ]


def _wide() -> Any:
    """Four integer features with many distinct score differences, three classes."""
    import numpy as np

    rng = np.random.default_rng(3)

    def score(c: int) -> gx.GAM:
        features = [
            gx.Feature(name, gx.Integers(0, 7),
                       gx.Piecewise(list(range(9)), [[float(v)] for v in rng.integers(-9, 9, 8)]))
            for name in "abcd"
        ]  # fmt: skip
        return gx.GAM(features, float(c), gx.Regression())

    return gx.MulticlassGAM(gx.Multiclass(["u", "v", "w"]), [score(c) for c in range(3)])


def test_models_outside_the_dynamic_programme_are_refused_by_name() -> None:
    gam = gx.loads(MODEL)  # income is linear on an interval
    with pytest.raises(gx.UnsupportedQueryError, match="income"):
        gx.completion_fraction(gam, ("y", 0.5), [], method="rival-vectors")
    # under "auto" the grid brackets it instead (cells of the linear piece)
    assert gx.completion_fraction(gam, ("y", 0.5), []).verify(gam)
    assert gx.completion_fraction(gam, ("y", 0.5), ["income"]).verify(gam)


def test_a_short_time_limit_gives_a_certified_bracket() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    result = gx.completion_fraction(gam, x, [], time_limit=1e-6)
    assert result.status in ("time_limit", "solved") and result.verify(gam)


def test_an_instance_outside_the_domain_is_counted_in_the_widened_space() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 9])  # d = 9 lies past the domain's 0..7
    result = gx.completion_fraction(gam, x, ["b", "c"])
    assert result.exact and result.verify(gam)
    # the free features keep the model's marginals: the widening adds no mass
    truth = brute_fraction(gam.covering(x), x, frozenset({1, 2}), laws=gam)
    assert result.exact_fraction == truth


def brute_label(gam: Any, x: tuple[Any, ...], kind: str) -> list[Fraction]:
    """Shapley or Banzhaf values of v(S) = P(x's class is kept | x_S), over coalitions."""
    n = gam.n_features
    v = {frozenset(S): brute_fraction(gam, x, frozenset(S))
         for k in range(n + 1) for S in itertools.combinations(range(n), k)}  # fmt: skip
    out = []
    for i in range(n):
        total = Fraction(0)
        for S, value in v.items():
            if i in S:
                continue
            k = len(S)
            w = (Fraction(1, 2 ** (n - 1)) if kind == "banzhaf" else
                 Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n)))
            total += w * (v[S | {i}] - value)
        out.append(total)
    return out


@settings(max_examples=25)
@given(st.data())
def test_label_attributions_match_brute_force(data: st.DataObject) -> None:
    gam = data.draw(STEPS)
    x = data.draw(instances(gam.scores[0]))
    try:
        shap = gx.shap_values(gam, x, output="label")
    except gx.UnsupportedQueryError as refused:
        assert "non-constant" in str(refused)
        return
    banzhaf = gx.banzhaf_values(gam, x, output="label")
    assert shap.exact and list(shap.exact_values) == brute_label(gam, x, "shapley")
    assert banzhaf.exact and list(banzhaf.exact_values) == brute_label(gam, x, "banzhaf")
    assert shap.exact_base_value == brute_fraction(gam, x, frozenset())
    assert shap.exact_base_value + sum(shap.exact_values) == 1  # efficiency: v(N) = 1
    assert shap.verify(gam) and banzhaf.verify(gam)
    small = gx.shap_values(gam, x, output="label", max_states=30, method="rival-vectors")
    truth = brute_label(gam, x, "shapley")
    bounds = zip(small.certificate.lower, small.certificate.upper, truth, strict=True)
    assert all(lo <= t <= hi for lo, hi, t in bounds) and small.verify(gam)


def test_a_label_bracket_is_certified_and_forgeries_fail() -> None:
    gam = _wide()
    x = gam.instance([3, 5, 1, 6])
    result = gx.shap_values(gam, x, output="label", max_states=400, method="rival-vectors")
    assert not result.exact and result.status == "budget_exhausted" and result.verify(gam)
    exact = gx.shap_values(gam, x, output="label")
    assert exact.exact and exact.verify(gam)
    inside = zip(result.lower, exact.values, result.upper, strict=True)
    assert all(lo <= v <= hi for lo, v, hi in inside)
    for answer in (result, exact):
        cert = answer.certificate
        forged = [
            dataclasses.replace(answer, certificate=dataclasses.replace(cert, lower=(
                cert.lower[0] - Fraction(1, 100), *cert.lower[1:]))),
            dataclasses.replace(answer, certificate=dataclasses.replace(cert, kind="banzhaf")),
            dataclasses.replace(answer, base_value=answer.base_value + 0.01),
            dataclasses.replace(answer, values=answer.values + 0.01),
            dataclasses.replace(answer, exact=not answer.exact),
        ]
        assert not any(f.verify(gam) for f in forged)
