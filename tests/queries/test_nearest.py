"""``witness="nearest"``: the closest witness of a minimum-size contrastive reason, held
against brute force over every point of small finite and integer models."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import exact_points, gams, instances

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, Integers, Interval, Piecewise, Table
from gamexplain.errors import InvalidParameterError
from gamexplain.model.distance import APPROACH, feature_distance

STEPS = ("table", "ebm")


def _points(feature: Feature) -> list[Any]:
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    return [int(v) if isinstance(domain, Integers) else v for v in exact_points(feature)]


def _brute(gam: GAM, x: tuple[Any, ...], k: int, fixed: frozenset[int] = frozenset()) -> Any:
    """The least distance of a point changing at most k features, none of ``fixed``,
    that flips."""
    before = gam.predict_exact(x)
    best = None
    for point in itertools.product(*(_points(f) for f in gam.features)):
        parts = list(zip(gam.features, point, x, strict=True))
        moved = {i for i, (f, z, v) in enumerate(parts) if feature_distance(f.domain, z, v) > 0}
        if len(moved) > k or moved & fixed:
            continue
        after = gam.predict_exact(point)
        flipped = after != before
        if gam.task.kind == "regression":
            flipped = abs(Fraction(after) - Fraction(before)) > Fraction(gam.task.tolerance)
        if flipped:
            d = sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
            best = d if best is None else min(best, d)
    return best


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_nearest_matches_brute_force_on_finite_and_integer_models(data: Any) -> None:
    gam = data.draw(gams(max_features=4, domain_kinds=("finite", "integers"), components=STEPS))
    x = data.draw(instances(gam))
    fixed = data.draw(st.frozensets(st.integers(0, gam.n_features - 1)))
    extreme = gx.minimum_contrastive_reason(gam, x, fixed=fixed)
    nearest = gx.minimum_contrastive_reason(gam, x, fixed=fixed, witness="nearest")
    assert nearest.verify(gam)
    if extreme.features is None:
        assert nearest.features is None and nearest.witness_kind == "extreme"
        return
    assert nearest.size == extreme.size and nearest.witness_kind == "nearest"
    assert not {gam.feature_names[i] for i in fixed} & set(nearest.features)
    brute = _brute(gam, x, extreme.size, fixed)
    assert nearest.distance == nearest.certificate.nearest == brute


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_nearest_on_intervals_is_within_the_approach_of_a_grid_search(data: Any) -> None:
    gam = data.draw(gams(max_features=3, domain_kinds=("interval", "finite"), components=STEPS))
    x = data.draw(instances(gam))
    nearest = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert nearest.verify(gam)
    if nearest.features is None:
        return
    grid = _brute(gam, x, nearest.size)
    infimum = nearest.certificate.nearest
    assert infimum <= nearest.distance <= infimum + nearest.size * APPROACH
    assert grid is None or infimum <= grid


def _steps() -> GAM:
    """a: bins [0, 1) → 0, [1, 2) → −3, [2, 4] → 1 on [0, 4]; b: a category."""
    return GAM(
        [
            Feature("a", Interval(0, 4), Piecewise([0, 1, 2, 4], [[0.0], [-3.0], [1.0]])),
            Feature("b", Finite(["p", "q", "r"]), Table([0.0, -1.0, -2.5])),
            Feature("c", Integers(0, 10), Piecewise([0, 5, 11], [[0.0], [-2.0]])),
        ],
        intercept=1.5,
        task=Classification(threshold=0.0),
    )


def test_an_open_bin_end_is_approached_and_reported_as_an_infimum() -> None:
    gam = _steps()
    # x: a = 3 (contribution 1), b = p, c = 0; score 2.5, class 1
    result = gx.minimum_contrastive_reason(gam, (3, "p", 0), witness="nearest")
    assert result.features == ("a",) and result.verify(gam)
    # the bin [1, 2) is open at 2: the infimum is (3 − 2)/4, the witness a hair below 2
    assert result.certificate.nearest == Fraction(1, 4)
    assert Fraction(1, 4) < result.distance <= Fraction(1, 4) + APPROACH
    assert 1 <= result.witness[0] < 2
    assert "nearest witness" in str(result)


def test_an_attained_nearest_witness_beats_the_extreme_one() -> None:
    gam = _steps()
    x = (0, "p", 0)  # score 1.5; a to [1, 2) at distance 1/4 (attained) flips
    extreme = gx.minimum_contrastive_reason(gam, x)
    nearest = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert extreme.witness_kind == "extreme" and extreme.distance is None
    assert nearest.witness == (1, "p", 0) and nearest.distance == Fraction(1, 4)
    assert nearest.verify(gam) and extreme.verify(gam)


def test_forged_nearest_claims_fail_verify() -> None:
    gam = _steps()
    result = gx.minimum_contrastive_reason(gam, (0, "p", 0), witness="nearest")
    cert = result.certificate
    forged = [
        dataclasses.replace(result, distance=Fraction(1, 5)),
        dataclasses.replace(result, witness_kind="extreme"),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, nearest=Fraction(1, 5))),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, nearest=None)),
    ]
    for bad in forged:
        assert not bad.verify(gam)
    # a farther witness of the same reason is a witness, but not the nearest
    farther = dataclasses.replace(
        result,
        witness=(2, "p", 0),
        values=(2,),
        certificate=dataclasses.replace(cert, witness=(2, "p", 0)),
    )
    assert not dataclasses.replace(farther, distance=Fraction(1, 2)).verify(gam)


def test_smooth_components_refuse_nearest_and_pair_models_answer_it() -> None:
    gam = _steps()
    paired = GAM(
        gam.features,
        intercept=1.5,
        task=gam.task,
        pairs=[gx.PairTerm((1, 2), (None, (0, 5, 10)), [[0, 1], [0, 1], [0, 1]])],
    )
    # the pair term adds 1 where c ≥ 5: a to [1, 2) still flips, attained at 1/4
    answered = gx.minimum_contrastive_reason(paired, (0, "p", 0), witness="nearest")
    assert answered.distance == Fraction(1, 4) and answered.verify(paired)
    smooth = GAM(
        [Feature("s", Interval(0, 1), Piecewise([0, 1], [[0.0, 2.0]]))],
        intercept=-1.0,
        task=Classification(threshold=0.0),
    )
    # a linear piece: 2s − 1 ≥ 0 from s = 1/2 on, attained, exact (tests/queries/
    # test_nearest_curved.py holds curved pieces against brute force)
    line = gx.minimum_contrastive_reason(smooth, (0,), witness="nearest")
    assert line.distance == Fraction(1, 2) and line.certificate.nearest == Fraction(1, 2)
    assert line.certificate.nearest_exact is True and line.verify(smooth)
    with pytest.raises(InvalidParameterError, match="witness"):
        gx.minimum_contrastive_reason(gam, (0, "p", 0), witness="closest")  # type: ignore[arg-type]


def test_a_nearest_search_cut_by_the_time_limit_keeps_the_extreme_witness() -> None:
    from gamexplain.examples import demo_instance, example_path

    gam = gx.load(example_path("breast_cancer_ebm"))
    x = demo_instance("breast_cancer_ebm")  # six features change: the search takes seconds
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest", time_limit=0.05)
    assert result.witness_kind == "extreme" and result.distance is None
    assert result.verify(gam)
