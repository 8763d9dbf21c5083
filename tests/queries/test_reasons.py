"""Sufficient and contrastive reasons against an obviously correct reference.

The reference in this file enumerates candidate points of every feature: all values of
finite and integer domains; on intervals a rational grid, the breakpoints, points just
left of them (where an unattained extremum is approached) and the exact critical points
of every polynomial piece (sympy). For an additive model the worst completion over a
product of candidate sets is the sum of per-candidate-set extremes, so the reference
decides sufficiency without the per-feature primitive the algorithms use.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import pytest
import sympy
from hypothesis import assume, example, given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidInstanceError,
    InvalidParameterError,
    Piecewise,
    Regression,
    Table,
    UnsupportedQueryError,
    contrastive_reasons,
    is_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    sufficient_reasons,
)
from gamexplain.exact import compare
from gamexplain.substrate.pieces import lower

# -- the reference -------------------------------------------------------------------------
_X = sympy.Symbol("x", real=True)


def candidates(feature: Feature) -> list[Any]:
    """Points of the domain that contain every extremum, or come within 2^-30 of it."""
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    points: list[Any] = [low + (high - low) * Fraction(k, 8) for k in range(9)]
    for segment in lower(feature):
        points += [segment.low, segment.high]
        if segment.low < segment.high:
            points.append(segment.high - Fraction(1, 2**30))
        local = sympy.Poly(
            sum(
                (sympy.Rational(c) * _X**r for r, c in enumerate(segment.coefficients)),
                sympy.Integer(0),
            ),
            _X,
        )
        if local.degree() >= 2:
            for root in sympy.real_roots(local.diff(_X)):
                point = sympy.Rational(segment.anchor) + root
                if segment.low < point < segment.high:
                    points.append(
                        Fraction(int(point.p), int(point.q)) if point.is_Rational else point
                    )
    return [p for p in points if low <= p <= high]


class Reference:
    """Sufficiency decided from the candidate points of every feature."""

    def __init__(self, gam: GAM, x: tuple[Any, ...]) -> None:
        self.gam, self.x = gam, x
        self.score = gam.score_exact(x)
        self.c = [f.contribution_exact(v) for f, v in zip(gam.features, x, strict=True)]
        self.ranges = []
        for feature in gam.features:
            values = [feature.contribution_exact(v) for v in candidates(feature)]
            low = values[0]
            high = values[0]
            for v in values[1:]:
                low = v if compare(v, low) < 0 else low
                high = v if compare(v, high) > 0 else high
            self.ranges.append((low, high))

    def changes(self, score: Any) -> bool:
        task = self.gam.task
        if isinstance(task, Classification):
            return task.label_exact(score) != task.label_exact(self.score)
        delta = Fraction(task.tolerance)
        return compare(abs(score - self.score), delta) > 0

    def sufficient(self, kept: set[int] | frozenset[int]) -> bool:
        free = [i for i in range(self.gam.n_features) if i not in kept]
        low = self.score + sum((self.ranges[i][0] - self.c[i] for i in free), Fraction(0))
        high = self.score + sum((self.ranges[i][1] - self.c[i] for i in free), Fraction(0))
        return not self.changes(low) and not self.changes(high)

    def minimal_sufficient(self, fixed: frozenset[int]) -> set[frozenset[int]]:
        free = [i for i in range(self.gam.n_features) if i not in fixed]
        found = set()
        for size in range(len(free) + 1):
            for combo in itertools.combinations(free, size):
                kept = frozenset(combo) | fixed
                if self.sufficient(kept) and not any(self.sufficient(kept - {i}) for i in combo):
                    found.add(kept)
        return found

    def minimal_contrastive(self, fixed: frozenset[int]) -> set[frozenset[int]]:
        free = [i for i in range(self.gam.n_features) if i not in fixed]
        everything = frozenset(range(self.gam.n_features))
        found = set()
        for size in range(1, len(free) + 1):
            for combo in itertools.combinations(free, size):
                changed = frozenset(combo)
                if not self.sufficient(everything - changed) and all(
                    self.sufficient(everything - changed | {i}) for i in changed
                ):
                    found.add(changed)
        return found


def _names(gam: GAM, indices: frozenset[int]) -> tuple[str, ...]:
    return tuple(gam.features[i].name for i in sorted(indices))


# -- models pinned by @example -----------------------------------------------------------------
def _table(name: str, scores: list[float]) -> Feature:
    return Feature(name, Finite([f"{name}{k}" for k in range(len(scores))]), Table(scores))


def _two(task: Any) -> GAM:
    return GAM([_table("a", [-1.0, 1.0]), _table("b", [-1.0, 1.0])], intercept=0.0, task=task)


TIE_GE = _two(Classification(threshold=0.0, positive=">="))  # x = (a1, b0) scores exactly 0
TIE_GT = _two(Classification(threshold=0.0, positive=">"))
CONSTANT = GAM([_table("a", [0.5, 0.5]), _table("b", [0.0])], intercept=0.0, task=Classification())
ONE = GAM([_table("a", [-1.0, 2.0, 0.5])], intercept=0.0, task=Regression(tolerance=1.0))
# s contributes 1 - s on [0, 1) and 2 on [1, 2]: its infimum 0 is approached at 1, never
# attained, and with b = b0 the worst case sits exactly at the threshold
STEP = GAM(
    [
        Feature("s", Interval(0, 2), Piecewise([0, 1, 2], [[1.0, -1.0], [2.0]])),
        _table("b", [-1.0, 0.0]),
    ],
    intercept=0.0,
    task=Classification(threshold=-1.0, positive=">"),
)


@st.composite
def cases(
    draw: st.DrawFn, **model: Any
) -> tuple[GAM, tuple[Any, ...], frozenset[int], frozenset[int]]:
    """A model, an instance, the fixed features and a candidate set S."""
    gam = draw(gams(**model))
    x = gam.instance(list(draw(instances(gam))))
    positions = st.integers(0, gam.n_features - 1)
    fixed = frozenset(draw(st.sets(positions, max_size=2)))
    return gam, x, fixed, frozenset(draw(st.sets(positions)))


NONE: frozenset[int] = frozenset()
EXAMPLES = [
    (TIE_GE, ("a1", "b0"), NONE, frozenset({0})),  # score exactly at the threshold, >=
    (TIE_GT, ("a1", "b0"), NONE, frozenset({1})),  # the same under >
    (TIE_GE, ("a1", "b1"), frozenset({0, 1}), NONE),  # all fixed
    (CONSTANT, ("a0", "b0"), NONE, NONE),  # constant model, S empty
    (ONE, ("a1",), NONE, frozenset({0})),  # one feature, S = all features
    (STEP, (1.5, "b1"), NONE, frozenset({1})),  # an unattained infimum at the threshold
    (STEP, (0.5, "b0"), frozenset({1}), NONE),
]


def pinned(test: Any) -> Any:
    for case in EXAMPLES:
        test = example(case=case)(test)
    return test


# -- CSR ---------------------------------------------------------------------------------
@pinned
@given(case=cases(max_features=4))
def test_sufficiency_matches_reference(case: Any) -> None:
    gam, x, fixed, S = case
    reference = Reference(gam, x)
    for chosen in (S, NONE, frozenset(range(gam.n_features))):
        result = is_sufficient_reason(gam, x, sorted(chosen), fixed=sorted(fixed))
        assert result.holds == reference.sufficient(chosen | fixed)
        assert result.verify(gam)
        assert str(result)


# -- MSR, subset-minimal, MCR --------------------------------------------------------------
@pinned
@given(case=cases(max_features=4))
def test_optimal_reasons_match_reference(case: Any) -> None:
    gam, x, fixed, _ = case
    reference = Reference(gam, x)
    axps = reference.minimal_sufficient(fixed)
    cxps = reference.minimal_contrastive(fixed)

    msr = minimum_sufficient_reason(gam, x, fixed=sorted(fixed))
    assert msr.size == min(len(s) for s in axps)
    assert msr.verify(gam) and str(msr)

    minimal = minimal_sufficient_reason(gam, x, fixed=sorted(fixed))
    assert frozenset(gam.index(n) for n in minimal.features) in axps
    assert minimal.verify(gam)

    mcr = minimum_contrastive_reason(gam, x, fixed=sorted(fixed))
    assert mcr.size == (min(len(c) for c in cxps) if cxps else None)
    assert mcr.verify(gam) and str(mcr)


# -- enumeration ---------------------------------------------------------------------------
@pinned
@given(case=cases(max_features=4))
def test_enumeration_is_complete(case: Any) -> None:
    gam, x, fixed, _ = case
    reference = Reference(gam, x)
    expected_sr = {_names(gam, s) for s in reference.minimal_sufficient(fixed)}
    expected_cr = {_names(gam, c) for c in reference.minimal_contrastive(fixed)}
    for method in ("auto", "hitting-set"):
        listing = sufficient_reasons(gam, x, fixed=sorted(fixed), method=method)
        found = list(listing)
        assert listing.status == "solved"
        assert len(found) == len(expected_sr)
        assert {r.features for r in found} == expected_sr
        assert all(r.verify(gam) for r in found)
        contrast = list(contrastive_reasons(gam, x, fixed=sorted(fixed), method=method))
        assert {r.features for r in contrast} == expected_cr
        assert all(r.verify(gam) for r in contrast)


# -- models with pairwise terms -----------------------------------------------------------------
@given(case=cases(min_features=2, max_features=3, domain_kinds=("finite", "integers"), pairs=True))
def test_pairs_agree_with_brute_force(case: Any) -> None:
    gam, x, fixed, _ = case
    assume(gam.pairs)
    brute = {r.features for r in sufficient_reasons(gam, x, fixed=sorted(fixed), method="brute")}
    sat = list(sufficient_reasons(gam, x, fixed=sorted(fixed)))
    assert {r.features for r in sat} == brute
    assert all(r.verify(gam) for r in sat)
    minimal = minimal_sufficient_reason(gam, x, fixed=sorted(fixed))
    assert minimal.features in brute and minimal.verify(gam)
    mcr = minimum_contrastive_reason(gam, x, fixed=sorted(fixed))
    assert mcr.algorithm in ("branch-and-bound", "hitting-set", "brute") and mcr.verify(gam)
    with pytest.raises(UnsupportedQueryError, match="pairwise"):
        minimum_contrastive_reason(gam, x, method="greedy")


def test_pairs_on_an_interval_are_refused() -> None:
    from gamexplain import PairTerm

    gam = GAM(
        [
            Feature("u", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]])),
            _table("b", [0.0, 1.0]),
        ],
        pairs=[PairTerm((0, 1), [[0.0, 0.5, 1.0], None], [[0.0, 1.0], [1.0, -2.0]])],
    )
    with pytest.raises(UnsupportedQueryError, match="pairwise terms"):
        minimum_sufficient_reason(gam, [0.2, "b1"])


# -- pinned semantics ------------------------------------------------------------------------
def test_ties_follow_the_rule() -> None:
    # score 0 at threshold 0: class 1 under >=, class 0 under >
    assert minimum_contrastive_reason(TIE_GE, ["a1", "b0"]).size == 1
    assert is_sufficient_reason(TIE_GE, ["a1", "b0"], ["a"])  # the worst case ties: class 1
    assert not is_sufficient_reason(TIE_GE, ["a1", "b0"], ["b"])
    assert is_sufficient_reason(TIE_GE, ["a1", "b1"], ["a"])
    assert is_sufficient_reason(TIE_GT, ["a1", "b0"], ["b"])  # b0 caps the score at 0
    assert not is_sufficient_reason(TIE_GT, ["a1", "b1"], ["a"])


def test_unattained_infimum_keeps_a_strict_class_and_witness_is_real() -> None:
    # s contributes 1 - s on [0, 1) and 2 on [1, 2]: the infimum 0 is approached at 1 only
    gam = GAM(
        [Feature("s", Interval(0, 2), Piecewise([0, 1, 2], [[1.0, -1.0], [2.0]])),
         _table("b", [-1.0, 0.0])],
        intercept=0.0,
        task=Classification(threshold=-1.0, positive=">"),
    )  # fmt: skip
    # keeping b = b0 (-1): score = -1 + s-part > -1 always, since s-part > 0 everywhere
    result = is_sufficient_reason(gam, [1.5, "b0"], ["b"])
    assert result.holds and result.verify(gam)
    bound = result.certificate.sufficiency.bounds[0]
    assert bound.value == 0 and not bound.attained
    # under >= the class is the same, and a threshold 0.5 above needs a real point near 1
    gam2 = GAM(gam.features, intercept=0.0, task=Classification(threshold=-0.75))
    mcr = minimum_contrastive_reason(gam2, [1.5, "b0"])
    assert mcr.exists and mcr.verify(gam2)
    assert 0 < mcr.witness[0] < 1


def test_all_fixed_has_no_contrastive_reason() -> None:
    x = ["a1", "b0"]
    mcr = minimum_contrastive_reason(TIE_GE, x, fixed=["a", "b"])
    assert not mcr.exists and mcr.verify(TIE_GE)
    assert "no change" in str(mcr)
    msr = minimum_sufficient_reason(TIE_GE, x, fixed=["a", "b"])
    assert msr.features == ("a", "b") and msr.verify(TIE_GE)


def test_words() -> None:
    gam = GAM(
        [_table("grade", [1.0, -1.0]), Feature("income", Integers(0, 10),
         Piecewise([0, 5, 10], [[-2.0], [2.0]]))],
        intercept=0.0,
        task=Classification(),
    )  # fmt: skip
    msr = minimum_sufficient_reason(gam, ["grade0", 7])
    assert str(msr) == "keeping income = 7 guarantees class 1 whatever the other 1 feature is"
    mcr = minimum_contrastive_reason(gam, ["grade0", 7])
    assert str(mcr) == "changing only income to 0 flips the prediction from 1 to 0"
    failed = is_sufficient_reason(gam, ["grade0", 7], ["grade"])
    assert (
        str(failed) == "keeping grade = grade0 does not guarantee class 1: income = 0 gives class 0"
    )


def test_verify_rejects_a_forged_certificate() -> None:
    import dataclasses

    result = is_sufficient_reason(TIE_GE, ["a1", "b1"], ["a"])
    proof = result.certificate.sufficiency
    forged_bound = dataclasses.replace(proof.bounds[0], value=Fraction(0))
    forged_proof = dataclasses.replace(proof, bounds=(forged_bound,))
    forged = dataclasses.replace(
        result, certificate=dataclasses.replace(result.certificate, sufficiency=forged_proof)
    )
    assert result.verify(TIE_GE) and not forged.verify(TIE_GE)


# -- bad arguments -------------------------------------------------------------------------
FUNCTIONS = [
    minimum_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    sufficient_reasons,
    contrastive_reasons,
]


@pytest.mark.parametrize("func", FUNCTIONS)
def test_bad_arguments(func: Any) -> None:
    x = ["a1", "b1"]
    with pytest.raises(InvalidParameterError, match=f"The 'method' parameter of {func.__name__}"):
        func(TIE_GE, x, method="foo")
    with pytest.raises(InvalidParameterError, match="'fixed' parameter"):
        func(TIE_GE, x, fixed=["nope"])
    with pytest.raises(InvalidParameterError, match="'time_limit' parameter"):
        func(TIE_GE, x, time_limit=-1)
    with pytest.raises(InvalidInstanceError):
        func(TIE_GE, ["a9", "b1"])


def test_bad_subset() -> None:
    with pytest.raises(InvalidParameterError, match="'S' parameter of is_sufficient_reason"):
        is_sufficient_reason(TIE_GE, ["a1", "b1"], ["zzz"])
    with pytest.raises(UnsupportedQueryError, match="brute"):
        big = GAM([Feature("r", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]]))])
        is_sufficient_reason(big, [0.5], [], method="brute")


def test_printing_a_listing_draws_nothing_and_says_how_far_it_got() -> None:
    listing = sufficient_reasons(TIE_GE, ["a1", "b0"])
    assert "0 listed so far" in repr(listing)
    assert listing.listed == 0  # printing did not draw a reason
    reasons = list(listing)
    assert listing.listed == len(reasons) >= 1
    assert repr(listing) == f"<Reasons: {len(reasons)} listed, the list is complete>"
