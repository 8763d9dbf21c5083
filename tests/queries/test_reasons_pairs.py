"""Reasons of models with pairwise terms against brute force over one point per cell.

The reference enumerates, per feature, every value of a finite or integer domain and, on
an interval, every breakpoint, every pair-term edge and the domain's ends (step functions
and bins are right-continuous, so these left ends meet every cell), computed here from the
model's parameters and not from the cells the algorithms build.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    PairTerm,
    Piecewise,
    Regression,
    Table,
    contrastive_reasons,
    explain_plan,
    is_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    sufficient_reasons,
)
from gamexplain.algorithms.pairwise import PairOracle
from gamexplain.algorithms.worst_case import make_problem
from gamexplain.exact import compare


# -- the reference ---------------------------------------------------------------------------
def candidates(gam: GAM, j: int) -> list[Any]:
    feature = gam.features[j]
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {low, high, *(Fraction(b) for b in feature.shape.breakpoints)}
    for pair in gam.pairs:
        if j in pair.features:
            cuts |= {Fraction(e) for e in pair.edges[pair.features.index(j)] or ()}
    return sorted(c for c in cuts if low <= c <= high)


def keeps(gam: GAM, x: tuple[Any, ...], z: tuple[Any, ...]) -> bool:
    before, after = gam.score_exact(x), gam.score_exact(z)
    if isinstance(gam.task, Classification):
        return gam.task.label_exact(before) == gam.task.label_exact(after)
    return compare(abs(after - before), Fraction(gam.task.tolerance)) <= 0


def reference_sufficient(gam: GAM, x: tuple[Any, ...], kept: frozenset[int]) -> bool:
    axes = [[x[i]] if i in kept else candidates(gam, i) for i in range(gam.n_features)]
    return all(keeps(gam, x, z) for z in itertools.product(*axes))


def subsets(n: int) -> list[frozenset[int]]:
    return [frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)]


def names(gam: GAM, indices: frozenset[int]) -> tuple[str, ...]:
    return tuple(gam.features[i].name for i in sorted(indices))


# -- random small models ---------------------------------------------------------------------
paired_gams = gams(
    min_features=2,
    max_features=4,
    components=("table", "ebm"),
    pairs=True,
)


@given(data=st.data(), gam=paired_gams)
@settings(deadline=None)
def test_pairs_agree_with_brute_force(data: Any, gam: GAM) -> None:
    assume(gam.pairs)
    x = gam.instance(list(data.draw(instances(gam))))
    n = gam.n_features
    sufficient = {s: reference_sufficient(gam, x, s) for s in subsets(n)}
    every = frozenset(range(n))

    minimal_sr = {names(gam, s) for s, ok in sufficient.items()
                  if ok and not any(sufficient[s - {i}] for i in s)}  # fmt: skip
    minimal_cr = {names(gam, c) for c in subsets(n)
                  if not sufficient[every - c]
                  and all(sufficient[every - c | {i}] for i in c)}  # fmt: skip

    kept = data.draw(st.sampled_from(subsets(n)))
    csr = is_sufficient_reason(gam, x, sorted(kept))
    assert csr.algorithm == "variable-elimination"
    assert bool(csr) == sufficient[kept] and csr.verify(gam)

    msr = minimum_sufficient_reason(gam, x)
    assert msr.algorithm == "branch-and-bound" and msr.exact and msr.verify(gam)
    assert msr.size == min(len(s) for s, ok in sufficient.items() if ok)
    assert msr.features in minimal_sr
    hit = minimum_sufficient_reason(gam, x, method="hitting-set")
    assert hit.exact and hit.verify(gam) and hit.size == msr.size and hit.features in minimal_sr

    minimal = minimal_sufficient_reason(gam, x)
    assert minimal.features in minimal_sr and minimal.verify(gam)

    mcr = minimum_contrastive_reason(gam, x)
    assert mcr.algorithm == "branch-and-bound" and mcr.exact and mcr.verify(gam)
    sizes = [len(c) for c in map(frozenset, subsets(n)) if not sufficient[every - c]]
    assert mcr.size == (min(sizes) if sizes else None)
    hit_cr = minimum_contrastive_reason(gam, x, method="hitting-set")
    assert hit_cr.verify(gam) and hit_cr.size == mcr.size

    listed = list(sufficient_reasons(gam, x))
    assert {r.features for r in listed} == minimal_sr and all(r.verify(gam) for r in listed)
    contrast = list(contrastive_reasons(gam, x))
    assert {r.features for r in contrast} == minimal_cr
    assert all(r.verify(gam) for r in contrast)


# -- ties at the threshold and tolerances ----------------------------------------------------------
def _tie_model(positive: str) -> GAM:
    # min over b of 1[a]·(pair) reaches the threshold exactly: score = 0 at (a1, b1)
    return GAM(
        [
            Feature("a", Finite(["a0", "a1"]), Table([1.0, 0.5])),
            Feature("b", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [0.5]])),
        ],
        task=Classification(threshold=0.0, positive=positive),
        pairs=[PairTerm((0, 1), [None, [0.0, 1.0, 2.0]], [[0.0, 0.0], [0.0, -1.0]])],
    )


@pytest.mark.parametrize("positive", [">=", ">"])
def test_a_worst_case_at_the_threshold_follows_the_tie_rule(positive: str) -> None:
    gam = _tie_model(positive)
    result = is_sufficient_reason(gam, ["a1", 0.0], ["a"])
    assert bool(result) == (positive == ">=") and result.verify(gam)
    mcr = minimum_contrastive_reason(gam, ["a1", 0.0])
    assert mcr.verify(gam)
    if positive == ">":
        assert mcr.features == ("b",) and mcr.witness == ("a1", 1.0)


def test_regression_bounds_both_directions() -> None:
    gam = GAM(
        [
            Feature("a", Finite(["a0", "a1"]), Table([0.0, 0.0])),
            Feature("b", Integers(0, 9), Piecewise([0, 5, 9], [[0.0], [0.25]])),
            Feature("c", Interval(0, 1), Piecewise([0, 1], [[0.0, 0.5]])),
        ],
        task=Regression(tolerance=0.5),
        pairs=[PairTerm((0, 1), [None, [0, 3, 9]], [[0.0, 0.25], [-0.5, 0.0]])],
    )
    x = ["a0", 0, 0.0]
    msr = minimum_sufficient_reason(gam, x)
    assert msr.verify(gam)
    # freeing a alone reaches −0.5 (allowed); freeing a and b reaches −0.5..+0.5 plus c
    assert all(reference_sufficient(gam, gam.instance(x), frozenset(gam.index(f)
               for f in msr.features)) for _ in [0])  # fmt: skip
    assert msr.size == min(
        len(s) for s in subsets(3) if reference_sufficient(gam, gam.instance(x), s)
    )


def test_a_forged_certificate_fails_verification() -> None:
    gam = _tie_model(">=")
    result = is_sufficient_reason(gam, ["a1", 0.0], ["a"])
    proof = result.certificate.sufficiency
    part = proof.pairs[0]
    forged_steps = tuple(
        type(step)(step.variable, step.scope, {k: v + 1 for k, v in step.table.items()})
        for step in part.steps
    )
    forged = type(part)(part.side, part.value + 1, part.point, forged_steps, part.backend)
    certificate = dataclasses.replace(
        result.certificate, sufficiency=dataclasses.replace(proof, pairs=(forged,))
    )
    assert result.verify(gam)
    assert not dataclasses.replace(result, certificate=certificate).verify(gam)


def test_non_step_paired_features_are_refused_in_the_plan() -> None:
    gam = GAM(
        [
            Feature("u", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]])),
            Feature("b", Finite(["b0", "b1"]), Table([0.0, 1.0])),
        ],
        pairs=[PairTerm((0, 1), [[0.0, 0.5, 1.0], None], [[0.0, 1.0], [1.0, -2.0]])],
    )
    plan = explain_plan(gam, "msr")
    assert plan.algorithm is None
    assert any("not a step function" in reason for _, reason in plan.skipped)


# -- a chain and grid no brute force can enumerate ----------------------------------------------
def _grid(rows: int, columns: int, cells: int, seed: int) -> GAM:
    rng = np.random.default_rng(seed)
    n = rows * columns
    features = [
        Feature(f"x{i}", Integers(0, cells - 1),
                Piecewise(list(range(cells + 1)), [[float(v)] for v in rng.integers(-3, 4, cells)]))
        for i in range(n)
    ]  # fmt: skip
    edges = [float(e) for e in range(cells + 1)]
    links = [
        (r * columns + c, r * columns + c + 1) for r in range(rows) for c in range(columns - 1)
    ]
    links += [
        (r * columns + c, (r + 1) * columns + c) for r in range(rows - 1) for c in range(columns)
    ]
    pairs = [
        PairTerm((i, j), [edges, edges], (rng.integers(-4, 5, (cells, cells)) / 4).tolist())
        for i, j in links
    ]
    return GAM(features, task=Classification(threshold=0.0), pairs=pairs)


def test_variable_elimination_matches_cpsat_on_a_grid() -> None:
    gam = _grid(2, 6, 8, seed=1)
    rng = np.random.default_rng(2)
    x = gam.instance([int(v) for v in rng.integers(0, 8, gam.n_features)])
    problem = make_problem(gam, x)
    eliminate, solver = PairOracle(problem), PairOracle(problem, backend="cp-sat")
    for kept in (frozenset(), frozenset({0, 5, 7}), frozenset(range(0, 12, 2))):
        free = [i for i in range(gam.n_features) if i not in kept]
        for side in ("min", "max"):
            ve, cp = eliminate.part(free, side), solver.part(free, side)
            assert ve.backend == "variable-elimination" and cp.backend == "cp-sat"
            assert ve.value == cp.value
    msr = minimum_sufficient_reason(gam, x)
    assert msr.exact and msr.verify(gam)
    mcr = minimum_contrastive_reason(gam, x)
    assert mcr.verify(gam)


# -- a real EBM with pair terms -------------------------------------------------------------------
def test_a_fitted_ebm_with_pairs() -> None:
    glassbox = pytest.importorskip("interpret.glassbox")
    from gamexplain.io.ebm import from_ebm

    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (300, 4))
    y = ((X[:, 0] - 0.5) * (X[:, 1] - 0.5) + 0.3 * X[:, 2] > 0.1).astype(int)
    ebm = glassbox.ExplainableBoostingClassifier(
        interactions=3, outer_bags=1, max_rounds=40, max_bins=16, max_interaction_bins=4,
        random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm.fit(X, y)
    gam = from_ebm(ebm)
    assert gam.pairs
    for row in X[:3]:
        msr = minimum_sufficient_reason(gam, row)
        assert msr.algorithm == "branch-and-bound" and msr.exact and msr.verify(gam)
        hit = minimum_sufficient_reason(gam, row, method="hitting-set")
        assert hit.size == msr.size and hit.verify(gam)
        mcr = minimum_contrastive_reason(gam, row)
        assert mcr.verify(gam)
        if mcr.exists:
            witness = np.array([[float(v) for v in mcr.witness]])
            assert ebm.predict(witness)[0] != ebm.predict(row.reshape(1, -1))[0]
