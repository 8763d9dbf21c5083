"""Dual bounds with branch and bound for pair models, against brute force.

The search of :mod:`gamexplain.algorithms.pair_dual` is held against the minimum of random
integer tables found by enumeration; the :class:`PairOracle` that uses it against
enumeration over one point per cell (computed here from the model's parameters) and
against variable elimination; every certificate it builds is re-checked by ``verify``,
and forged ones fail.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    Classification,
    Finite,
    Integers,
    contrastive_reasons,
    is_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    sufficient_reasons,
)
from gamexplain.algorithms import brute_reasons
from gamexplain.algorithms.pair_dual import (
    Crossing,
    DualBranch,
    DualLeaf,
    MinSum,
    Proof,
    certificate,
    decide,
)
from gamexplain.algorithms.pairwise import PairOracle
from gamexplain.algorithms.worst_case import make_problem
from gamexplain.exact import compare


# -- the search on random tables ----------------------------------------------------------------
@st.composite
def minsums(draw: st.DrawFn) -> tuple[MinSum, dict[tuple[int, ...], Any]]:
    """A random min-sum problem on up to 4 variables: its exact tables as Fractions, and
    the same tables rounded on a coarse grid (shift 3) so that rounding matters."""
    n = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 4)) for _ in range(n)]
    scale = 16
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    unary = {v: rng.integers(-40, 41, sizes[v]) for v in range(n)}
    links = [e for e in itertools.combinations(range(n), 2) if draw(st.booleans())]
    edges = [(u, v, rng.integers(-40, 41, (sizes[u], sizes[v]))) for u, v in links]
    shift = 3
    problem = MinSum(
        unary={v: np.rint(t * 2**shift / scale).astype(np.int64) for v, t in unary.items()},
        edges=[(u, v, np.rint(t * 2**shift / scale).astype(np.int64)) for u, v, t in edges],
        shift=shift,
        summands=n + len(edges),
        exact_unary=unary,
        exact_edges=edges,
        scale=scale,
    )
    return problem, {"sizes": sizes}


def brute_minimum(problem: MinSum, sizes: list[int]) -> Fraction:
    return min(
        problem.exact(dict(enumerate(combo)))
        for combo in itertools.product(*(range(k) for k in sizes))
    )


@given(data=minsums(), target=st.integers(-300, 300), tie=st.booleans())
@settings(deadline=None)
def test_the_search_decides_like_enumeration(data: Any, target: int, tie: bool) -> None:
    problem, extra = data
    sizes = extra["sizes"]
    c = Fraction(target, 16)

    def crosses(m: Fraction) -> bool:
        return m < c or (tie and m == c)

    truth = brute_minimum(problem, sizes)
    outcome = decide(problem, crosses)
    if isinstance(outcome, Crossing):
        assert crosses(outcome.value) and outcome.value == problem.exact(outcome.assignment)
        assert crosses(truth)
    else:
        assert isinstance(outcome, Proof) and not crosses(truth)
        names = {v: tuple(range(k)) for v, k in enumerate(sizes)}
        _, bound = certificate(problem, outcome.tree, names)
        # the certified bound never passes the true minimum and never crosses
        assert outcome.lower <= bound <= truth and not crosses(bound)


# -- the oracle on random pair models --------------------------------------------------------------
def candidates(gam: GAM, j: int) -> list[Any]:
    """One point per cell: every finite or integer value; on an interval every
    breakpoint, pair edge and domain end."""
    domain = gam.features[j].domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {low, high, *(Fraction(b) for b in gam.features[j].shape.breakpoints)}
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


paired_gams = gams(min_features=2, max_features=4, components=("table", "ebm"), pairs=True)


@given(data=st.data(), gam=paired_gams)
@settings(deadline=None)
def test_dual_oracle_agrees_with_brute_force_and_elimination(data: Any, gam: GAM) -> None:
    assume(gam.pairs)
    x = gam.instance(list(data.draw(instances(gam))))
    problem = make_problem(gam, x)
    dual = PairOracle(problem, backend="dual-bound")
    exact = PairOracle(problem, backend="variable-elimination")
    n = gam.n_features
    for kept in map(frozenset, itertools.chain.from_iterable(
            itertools.combinations(range(n), k) for k in range(n + 1))):  # fmt: skip
        holds = reference_sufficient(gam, x, kept)
        assert dual.sufficient(kept) == holds
        if not holds:
            z = dual.counterexample(kept)
            assert z is not None and all(z[i] == x[i] for i in kept) and not keeps(gam, x, z)
            continue
        free = [i for i in range(n) if i not in kept]
        for part in dual.worst_case(kept).pairs:
            true = exact.part(free, part.side).value
            # a dual bound never passes the true extreme
            assert part.value <= true if part.side == "min" else part.value >= true


@pytest.fixture
def dual_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reason query's oracle decides pair models by dual bounds alone."""
    monkeypatch.setattr(
        brute_reasons, "pair_oracle", lambda problem: PairOracle(problem, backend="dual-bound")
    )


@given(data=st.data(), gam=paired_gams)
@settings(
    deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # the patch holds for every example alike
def test_reasons_by_dual_bounds_match_brute_force_and_verify(
    data: Any, gam: GAM, dual_everywhere: None
) -> None:
    assume(gam.pairs)
    x = gam.instance(list(data.draw(instances(gam))))
    n = gam.n_features
    every = frozenset(range(n))
    subsets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)]
    sufficient = {s: reference_sufficient(gam, x, s) for s in subsets}
    kept = data.draw(st.sampled_from(subsets))
    csr = is_sufficient_reason(gam, x, sorted(kept), method="dual-bound")
    assert csr.algorithm == "dual-bound" and bool(csr) == sufficient[kept] and csr.verify(gam)
    msr = minimum_sufficient_reason(gam, x)
    assert msr.exact and msr.verify(gam)
    assert msr.size == min(len(s) for s, ok in sufficient.items() if ok)
    minimal = minimal_sufficient_reason(gam, x)
    assert minimal.verify(gam)
    mcr = minimum_contrastive_reason(gam, x)
    sizes = [len(c) for c in subsets if not sufficient[every - c]]
    assert mcr.verify(gam) and mcr.size == (min(sizes) if sizes else None)
    assert all(r.verify(gam) for r in sufficient_reasons(gam, x))
    assert all(r.verify(gam) for r in contrastive_reasons(gam, x))


# -- forged certificates ------------------------------------------------------------------------
def _dual_result(seed: int) -> tuple[GAM, Any]:
    """A sufficient set of a small random grid model, decided and certified by dual bounds."""
    from gamexplain import Feature, PairTerm, Piecewise

    rng = np.random.default_rng(seed)
    cells = 4
    features = [
        Feature(f"x{i}", Integers(0, cells - 1),
                Piecewise(list(range(cells + 1)), [[float(v)] for v in rng.integers(-3, 4, cells)]))
        for i in range(6)
    ]  # fmt: skip
    edges = [float(e) for e in range(cells + 1)]
    pairs = [
        PairTerm((i, j), [edges, edges], (rng.integers(-4, 5, (cells, cells)) / 4).tolist())
        for i, j in itertools.combinations(range(6), 2)
    ]
    # the threshold just below the least score keeping x0 and x1, so that the bound must
    # come within 1/8 of the true minimum
    probe = GAM(features, task=Classification(threshold=-100.0), pairs=pairs)
    x = probe.instance([0] * 6)
    lowest = PairOracle(make_problem(probe, x), backend="variable-elimination")
    least = lowest.worst_case({0, 1}).low
    gam = GAM(features, task=Classification(threshold=float(least) - 0.125), pairs=pairs)
    return gam, gam.instance([0] * 6)


def test_forged_dual_certificates_fail_verification(dual_everywhere: None) -> None:
    gam, x = _dual_result(3)
    result = is_sufficient_reason(gam, x, [0, 1], method="dual-bound")
    assert result.holds and result.verify(gam)
    proof = result.certificate.sufficiency
    (part,) = proof.pairs
    assert part.backend == "dual-bound" and part.dual is not None

    def swap(**changes: Any) -> Any:
        forged = dataclasses.replace(part, **changes)
        sufficiency = dataclasses.replace(proof, pairs=(forged,))
        certificate = dataclasses.replace(result.certificate, sufficiency=sufficiency)
        return dataclasses.replace(result, certificate=certificate)

    assert not swap(value=part.value + 1).verify(gam)
    assert not swap(point=(("x2", 0),)).verify(gam)
    # multipliers other than the solver's prove another bound than the one claimed
    assert not swap(dual=DualLeaf({})).verify(gam)
    assert not swap(dual=DualLeaf({(0, 1): ({}, {})})).verify(gam)  # x0, x1 are kept
    # a split that leaves out a signature proves nothing about it
    variable = min(i for i in range(6) if i not in (0, 1))
    signs = sorted({key[0] for key in _signatures_of(gam, x, variable)})
    lopsided = DualBranch(variable, ((tuple(signs[:-1]), DualLeaf({})),))
    assert not swap(dual=lopsided).verify(gam)


def _signatures_of(gam: GAM, x: Any, j: int) -> list[tuple[Any, ...]]:
    from gamexplain.algorithms.pair_cells import signatures

    return [(s,) for s in signatures(gam, j, "min")]
