"""FR by the images of the contributions (``method="images"``) against brute force.

Models with many small steps (near-continuous pieces, tiny jumps at knots) are where the
clusters merge; models with large jumps keep them apart. Both kinds are held against the
definition: brute force on a surrogate with one point per piece, or the partial sums.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Piecewise,
    from_ebm,
    from_pygam,
    is_redundant,
)
from gamexplain.algorithms.images_fr import fr_images
from gamexplain.algorithms.redundancy import Span
from gamexplain.certify.redundancy import RedundancyProof, Witness
from gamexplain.substrate.pieces import Segment, lower


# -- models ----------------------------------------------------------------------------------
@st.composite
def steps(draw: st.DrawFn, jumps: bool) -> tuple[list[int], list[list[float]]]:
    """Breakpoints 0..k and a step function: small steps, or some large jumps."""
    k = draw(st.integers(1, 6))
    size = st.integers(-8, 8) if jumps else st.integers(-1, 1)
    level = draw(st.integers(-3, 3))
    rows = []
    for _ in range(k):
        rows.append([level / 4])
        level += draw(size)
    return list(range(k + 1)), rows


@st.composite
def step_gams(draw: st.DrawFn, jumps: bool, kinds: tuple[str, ...]) -> GAM:
    n = draw(st.integers(2, 5))
    feats = []
    for j in range(n):
        cuts, rows = draw(steps(jumps))
        # one interval feature puts mixed models in the interval cell, where images runs
        kind = "interval" if j == 0 and "interval" in kinds else draw(st.sampled_from(kinds))
        domain: Any = Interval(0, cuts[-1]) if kind == "interval" else Integers(0, cuts[-1])
        if kind == "finite":
            domain = Finite([c for c in cuts[:-1]])
        feats.append(Feature(f"x{j}", domain, Piecewise(cuts, rows)))
    threshold = draw(st.integers(-12, 12)) / 4
    positive = draw(st.sampled_from([">=", ">"]))
    return GAM(feats, 0.0, Classification(threshold, positive))


@st.composite
def near_continuous_gams(draw: st.DrawFn) -> GAM:
    """Linear pieces that jump by 2^-40 (or by a drawn amount) at every knot."""
    n = draw(st.integers(2, 4))
    feats = []
    for j in range(n):
        k = draw(st.integers(1, 3))
        rows, start = [], Fraction(draw(st.integers(-4, 4)), 2)
        for _ in range(k):
            slope = Fraction(draw(st.integers(-3, 3)), 2)
            rows.append([float(start), float(slope)])
            jump = draw(st.sampled_from([Fraction(1, 2**40), Fraction(0), Fraction(3, 2)]))
            start += slope + jump
        feats.append(Feature(f"x{j}", Interval(0, k), Piecewise(list(range(k + 1)), rows)))
    threshold = draw(st.integers(-12, 12)) / 4
    return GAM(feats, 0.0, Classification(threshold, draw(st.sampled_from([">=", ">"]))))


def surrogate(gam: GAM) -> GAM:
    """Step functions on intervals as finite features with one point per piece."""
    feats = []
    for f in gam.features:
        if isinstance(f.domain, Interval):
            points = sorted({s.low for s in lower(f) if isinstance(s, Segment)})
            f = Feature(f.name, Finite([float(p) for p in points]), f.shape, f.weight)
        feats.append(f)
    return GAM(feats, gam.intercept, gam.task)


def decided(gam: GAM, i: int) -> Any:
    result = is_redundant(gam, i, method="images")
    assert result.status == "solved" and result.exact, result
    assert result.verify(gam), result
    return result


# -- against brute force -------------------------------------------------------------------------
@settings(max_examples=60)
@given(step_gams(False, ("interval", "integers", "finite")), st.integers(0, 4))
def test_small_steps_equal_brute_force(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    reference = is_redundant(surrogate(gam), i, method="brute")
    assert decided(gam, i).holds == reference.holds


@settings(max_examples=60)
@given(step_gams(True, ("interval", "integers", "finite")), st.integers(0, 4))
def test_jumping_steps_equal_brute_force(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    reference = is_redundant(surrogate(gam), i, method="brute")
    assert decided(gam, i).holds == reference.holds


@settings(max_examples=60)
@given(near_continuous_gams(), st.integers(0, 3))
@example(
    GAM(
        [
            Feature("a", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0], [1.0 + 2**-40, 1.0]])),
            Feature("b", Interval(0, 1), Piecewise([0, 1], [[0.0, 0.5]])),
        ],
        0.0,
        Classification(1.25),
    ),
    1,
)
def test_near_continuous_pieces_equal_partial_sums(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    reference = is_redundant(gam, i, method="partial-sums")
    assert reference.exact
    assert decided(gam, i).holds == reference.holds


@settings(max_examples=30)
@given(step_gams(False, ("finite",)), st.integers(0, 4))
def test_the_kernel_on_finite_models_equals_brute_force(gam: GAM, pick: int) -> None:
    """Finite-only models keep the partial sums in ``auto``; the kernel itself still
    decides them."""
    i = pick % gam.n_features
    outcome = fr_images(gam, i)
    assert outcome.status == "solved"
    assert outcome.holds == is_redundant(gam, i, method="brute").holds


def test_many_small_steps_merge_into_one_cluster() -> None:
    """Thirty features of 64 steps: the partial sums explode, the clusters do not."""
    feats = [
        Feature(
            f"x{j}",
            Interval(0, 64),
            Piecewise(list(range(65)), [[((k * (j + 3)) % 7) / 64] for k in range(64)]),
        )
        for j in range(30)
    ]
    gam = GAM(feats, 0.0, Classification(float(sum(3 / 64 for _ in range(30)))))
    for i in (0, 7):
        result = decided(gam, i)
        assert result.algorithm == "images" and result.stats.work["clusters"] <= 2
        assert is_redundant(gam, i, max_states=1000).algorithm == "images"


def test_a_far_feature_is_redundant_with_a_cover() -> None:
    """x1's jump of 10 puts the other sums at {0, 1/8, …, 9/8} ∪ {10, …, 10 + 9/8}; x0
    moves the score by 1/4 around 5, so it is redundant and the proof is a cover of two
    clusters; x1 itself is not."""
    fine = Piecewise(list(range(9)), [[k / 8] for k in range(8)])
    feats = [
        Feature("x0", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [0.25]])),
        Feature("x1", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [10.0]])),
        Feature("x2", Interval(0, 8), fine),
    ]
    gam = GAM(feats, 0.0, Classification(5.0))
    result = decided(gam, 0)
    assert result.holds and isinstance(result.certificate, RedundancyProof)
    assert result.certificate.kind == "images" and len(result.certificate.cover[-1]) == 2
    assert not decided(gam, 1).holds


def test_unmerged_subset_sums_fall_back() -> None:
    """Even weights and a window of width one never merge: past max_states the result
    is undecided and ``auto`` moves on to the partial sums."""
    feats = [Feature("x0", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [1.0]]))]
    feats += [
        Feature(f"x{j}", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [float(2**j)]]))
        for j in range(1, 9)
    ]
    gam = GAM(feats, 0.0, Classification(102.0))
    stopped = is_redundant(gam, 0, method="images", max_states=16)
    assert stopped.status == "budget_exhausted" and not stopped.exact
    assert stopped.verify(gam) and "undecided" in str(stopped)
    result = is_redundant(gam, 0, max_states=16)
    assert result.algorithm != "images"
    assert is_redundant(gam, 0, method="images").holds is True


# -- forged certificates -------------------------------------------------------------------------
def _forgeries(gam: GAM, result: Any) -> list[Any]:
    proof = result.certificate
    cover = [list(layer) for layer in proof.cover]
    first = cover[-1][0]
    shrunk = Span(first.low, first.high, first.low_closed, False)
    narrower = Span(first.low, first.high - Fraction(1, 8), first.low_closed, first.high_closed)
    return [
        dataclasses.replace(proof, cover=proof.cover[:-1]),
        dataclasses.replace(proof, cover=(*proof.cover[:-1], (narrower, *proof.cover[-1][1:]))),
        dataclasses.replace(proof, cover=(*proof.cover[:-1], (shrunk, *proof.cover[-1][1:]))),
        dataclasses.replace(proof, cover=(*proof.cover[:-1], proof.cover[-1][1:])),
        dataclasses.replace(proof, kind="reachable-sums", cover=()),
        dataclasses.replace(proof, kind="ranges"),
    ]


def test_forged_covers_fail_verify() -> None:
    fine = Piecewise(list(range(9)), [[k / 8] for k in range(8)])
    feats = [
        Feature("x0", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [0.25]])),
        Feature("x1", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [10.0]])),
        Feature("x2", Interval(0, 8), fine),
    ]
    gam = GAM(feats, 0.0, Classification(5.0))
    result = decided(gam, 0)
    for forged in _forgeries(gam, result):
        assert not dataclasses.replace(result, certificate=forged).verify(gam), forged
    # a cover that holds every sum but meets the window
    proof = result.certificate
    wide = Span(Fraction(-100), Fraction(100))
    meets = dataclasses.replace(proof, cover=tuple((wide,) for _ in proof.cover))
    assert not dataclasses.replace(result, certificate=meets).verify(gam)
    # the same proof on another model, or under another algorithm's name
    other = GAM(feats, 0.5, Classification(5.0))
    assert not result.verify(other)
    renamed = dataclasses.replace(proof, algorithm="partial-sums")
    assert not dataclasses.replace(result, algorithm="partial-sums", certificate=renamed).verify(
        gam
    )


def test_forged_witness_fails_verify() -> None:
    feats = [
        Feature("x0", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [1.0]])),
        Feature("x1", Interval(0, 4), Piecewise(list(range(5)), [[k / 4] for k in range(4)])),
    ]
    gam = GAM(feats, 0.0, Classification(1.5))
    result = decided(gam, 0)
    witness = result.certificate
    assert isinstance(witness, Witness) and not result.holds
    moved = tuple(Fraction(0) if j == 1 else v for j, v in enumerate(witness.point))
    forged = dataclasses.replace(witness, point=moved)
    assert not dataclasses.replace(result, certificate=forged).verify(gam)
    assert not dataclasses.replace(result, holds=True).verify(gam)


# -- fitted models ---------------------------------------------------------------------------------
def test_every_feature_of_a_fitted_ebm_is_decided() -> None:
    interpret = pytest.importorskip("interpret.glassbox")
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X, y = data.data[:200, :8], data.target[:200]
    ebm = interpret.ExplainableBoostingClassifier(
        interactions=0, outer_bags=2, max_rounds=200, random_state=0
    )
    ebm.fit(X, y)
    gam = from_ebm(ebm)
    for i in range(gam.n_features):
        result = is_redundant(gam, i)
        assert result.algorithm == "images" and result.exact and result.verify(gam), result


def test_every_feature_of_a_fitted_pygam_is_decided() -> None:
    pygam = pytest.importorskip("pygam")
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X, y = data.data[:200, :4], data.target[:200]
    model = pygam.LogisticGAM(n_splines=6).fit(X, y)
    gam = from_pygam(model)
    for i in range(gam.n_features):
        result = is_redundant(gam, i, time_limit=60)
        assert result.algorithm == "images" and result.exact and result.verify(gam), result


def test_every_feature_of_a_spline_pipeline_is_decided() -> None:
    """Cubic B-spline sums: algebraic extremes enter as rational inner and outer images."""
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    from gamexplain import from_sklearn

    data = load_breast_cancer()
    X, y = data.data[:200, :5], data.target[:200]
    pipeline = make_pipeline(SplineTransformer(), LogisticRegression(max_iter=2000)).fit(X, y)
    gam = from_sklearn(pipeline)
    for i in range(gam.n_features):
        result = is_redundant(gam, i, time_limit=60)
        assert result.algorithm == "images" and result.exact and result.verify(gam), result
