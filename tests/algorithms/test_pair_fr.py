"""Regression FR with pair terms by the partners' largest moves (thm:pairs-fr-regression).

Finite and integer models are held against brute force in
``tests/queries/test_redundancy.py``; here step functions on intervals are held against
CP-SAT, forged proofs must fail ``verify``, and a model the algorithm cannot split says
why.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Feature,
    Finite,
    Interval,
    PairTerm,
    Piecewise,
    Regression,
    Table,
    UnsupportedQueryError,
    is_redundant,
)
from gamexplain.algorithms.pair_fr import representatives
from gamexplain.certify.redundancy import RedundancyProof
from tests.strategies import gams

regressions = st.builds(Regression, tolerance=st.sampled_from([0.0, 0.5, 1.0, 2.5]))


@given(
    gam=gams(min_features=2, max_features=3, domain_kinds=("interval", "integers", "finite"),
             components=("table", "ebm"), task=regressions, pairs=True),
    pick=st.integers(0, 2),
)  # fmt: skip
def test_step_functions_with_pairs_agree_with_cpsat(gam, pick):
    pytest.importorskip("ortools")
    assume(gam.pairs)
    i = pick % gam.n_features
    ours = is_redundant(gam, i, method="pair-moves")
    try:
        theirs = is_redundant(gam, i, method="cpsat")
    except UnsupportedQueryError:  # scores beyond CP-SAT's integers: no reference
        assume(False)
    assert ours.status == theirs.status == "solved"
    assert ours.holds == theirs.holds
    assert ours.verify(gam) and theirs.verify(gam)


def _model(tolerance: float) -> GAM:
    return GAM(
        [
            Feature("a", Interval(0, 4), Piecewise([0, 1, 2, 4], [[0.0], [0.5], [0.25]])),
            Feature("b", Interval(0, 3), Piecewise([0, 3], [[1.0]])),
            Feature("c", Finite(["u", "v"]), Table([0.0, 2.0])),
        ],
        intercept=0.0,
        task=Regression(tolerance),
        pairs=[
            PairTerm((0, 1), [[0.0, 1.5, 4.0], [0.0, 2.0, 3.0]], [[0.0, 1.0], [0.5, -0.5]]),
            PairTerm((0, 2), [[0.0, 3.0, 4.0], None], [[0.25, 0.0], [0.0, 0.75]]),
        ],
    )


def test_the_largest_move_decides_and_a_forged_proof_fails():
    # the largest move of a, from [2, 4] ∩ [3, 4] to [1, 1.5): 0.5 − 0.25 (main)
    # + 1.5 (partner b at z < 2) + 0.25 (partner c at u) = 2
    held = is_redundant(_model(2.0), "a", method="pair-moves")
    assert held.holds and held.verify(_model(2.0))
    refuted = is_redundant(_model(1.9), "a", method="pair-moves")
    assert not refuted.holds and refuted.verify(_model(1.9))
    point, other = refuted.certificate.point, refuted.certificate.other_value
    assert 1 <= point[0] < 1.5 and 3 <= other <= 4
    forged = dataclasses.replace(refuted, holds=True, certificate=RedundancyProof(
        "pair-moves", algorithm="pair-moves"))  # fmt: skip
    assert not forged.verify(_model(1.9))
    assert not held.verify(_model(1.9))


def test_representatives_meet_every_interval_of_the_cuts():
    feature = Feature("a", Interval(0, 4), Piecewise([0, 4], [[0.0]]))
    assert representatives(feature, [-1.0, 1.5, 4.0, 9.0]) == [0, 1.5, 4]


def test_a_spline_feature_with_pairs_says_why_not():
    gam = GAM(
        [Feature("a", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]])),
         Feature("b", Interval(0, 1), Piecewise([0, 1], [[0.0]]))],
        intercept=0.0, task=Regression(0.5),
        pairs=[PairTerm((0, 1), [[0.0, 0.5, 1.0], [0.0, 1.0]], [[0.0], [1.0]])],
    )  # fmt: skip
    with pytest.raises(UnsupportedQueryError, match="not a step function"):
        is_redundant(gam, "a", method="pair-moves")
