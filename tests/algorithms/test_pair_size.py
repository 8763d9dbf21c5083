"""Minimum reasons of pair models by branch and bound (thm:pairs-size-bound).

The sizes are held against brute force over every point of small finite models whose
pair terms are as large as their main effects (so the sorted bounds fail and the search
branches, and its leaves fall to the exact oracle); the size proofs are re-checked by
``verify`` and every kind of tampering with them is refused.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, PairTerm, Regression, Table
from gamexplain.algorithms import pair_size

VALUES = 3

eighths = st.integers(-24, 24).map(lambda k: k / 8)


@st.composite
def pair_models(draw: st.DrawFn) -> tuple[GAM, tuple[int, ...], list[int]]:
    """A model over n ≤ 6 features of three values each, with up to six pair terms of
    the size of the main effects, an instance and a fixed set."""
    n = draw(st.integers(3, 6))
    features = [
        Feature(f"f{i}", Finite(list(range(VALUES))), Table(draw(st.lists(eighths, min_size=3,
                                                                          max_size=3))))
        for i in range(n)
    ]  # fmt: skip
    edges = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(edges), min_size=1, max_size=6, unique=True))
    pairs = [
        PairTerm(e, (None, None), draw(st.lists(st.lists(eighths, min_size=3, max_size=3),
                                                min_size=3, max_size=3)))
        for e in chosen
    ]  # fmt: skip
    tasks = [Classification(threshold=0.0), Classification(threshold=0.0, positive=">="),
             Regression(tolerance=1.0), Regression(tolerance=2.5)]  # fmt: skip
    task = draw(st.sampled_from(tasks))
    gam = GAM(features, intercept=draw(eighths), task=task, pairs=pairs)
    x = tuple(draw(st.lists(st.integers(0, VALUES - 1), min_size=n, max_size=n)))
    fixed = draw(st.lists(st.integers(0, n - 1), max_size=1, unique=True))
    return gam, x, fixed


def brute(gam: GAM, x: tuple[int, ...], fixed: list[int]) -> tuple[int, int | None]:
    """The minimum sizes (sufficient, contrastive) over every point of the model."""
    n = gam.n_features
    points = list(itertools.product(range(VALUES), repeat=n))
    before = gam.score_exact(x)

    def flips(z: tuple[int, ...]) -> bool:
        after = gam.score_exact(z)
        if isinstance(gam.task, Classification):
            return bool(gam.task.label_exact(after) != gam.task.label_exact(before))
        return bool(abs(after - before) > gam.task.tolerance)

    flipping = [z for z in points if flips(z)]

    def sufficient(kept: frozenset[int]) -> bool:
        return not any(all(z[i] == x[i] for i in kept) for z in flipping)

    sets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)]
    msr = min(len(s) for s in sets if set(fixed) <= s and sufficient(s))
    everything = frozenset(range(n))
    sizes = [len(c) for c in sets if not c & set(fixed) and not sufficient(everything - c)]
    return msr, min(sizes) if sizes else None


@given(case=pair_models())
@settings(deadline=None)
def test_minimum_reasons_match_brute_force(case: Any) -> None:
    gam, x, fixed = case
    msr_size, mcr_size = brute(gam, x, fixed)
    msr = gx.minimum_sufficient_reason(gam, x, fixed=fixed)
    assert msr.algorithm == "branch-and-bound" and msr.exact and msr.verify(gam)
    assert msr.size == msr_size
    assert msr.minimum_certified
    proof = msr.certificate.size_proof
    assert (proof is None) == (msr_size == len(fixed))
    mcr = gx.minimum_contrastive_reason(gam, x, fixed=fixed)
    assert mcr.algorithm == "branch-and-bound" and mcr.exact and mcr.verify(gam)
    assert mcr.size == mcr_size


@given(case=pair_models(), limit=st.integers(1, 6))
@settings(deadline=None, max_examples=30)
def test_stopped_searches_bracket_the_truth(case: Any, limit: int) -> None:
    gam, x, fixed = case
    msr_size, mcr_size = brute(gam, x, fixed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pair_size, "NODE_LIMIT", limit)
        msr = gx.minimum_sufficient_reason(gam, x, fixed=fixed)
        mcr = gx.minimum_contrastive_reason(gam, x, fixed=fixed)
    assert msr.verify(gam) and mcr.verify(gam)
    if msr.exact:
        assert msr.size == msr_size
    else:
        low, high = msr.size_bounds
        assert low <= msr_size <= high == msr.size
    if mcr.exact:
        assert mcr.size == mcr_size
    else:
        low, high = mcr.size_bounds
        assert mcr_size is not None and low <= mcr_size <= high == mcr.size


def _branching() -> tuple[GAM, tuple[int, ...]]:
    """A seeded model whose proofs branch, with a point leaf (sufficient) and a leaf
    the exact worst case settles (contrastive)."""
    table = [
        ("f0", [-1.738, -1.337, -1.361]), ("f1", [-0.352, -2.313, -0.189]),
        ("f2", [-0.957, 0.894, 0.957]), ("f3", [1.392, 0.767, -0.053]),
        ("f4", [0.86, 1.505, -0.654]), ("f5", [0.61, -0.043, 1.44]),
    ]  # fmt: skip
    features = [Feature(name, Finite([0, 1, 2]), Table(values)) for name, values in table]
    terms = [
        ((0, 1), [[-0.118, -0.24, -0.155], [0.219, -1.816, 1.552], [-0.861, -2.241, -0.082]]),
        ((2, 5), [[1.457, -0.519, 1.551], [1.557, -0.863, -2.465], [-1.235, 1.187, -0.817]]),
        ((1, 3), [[-1.511, -1.338, 0.0], [-0.026, 0.872, 0.989], [-0.932, -0.157, -1.134]]),
        ((3, 5), [[0.072, -1.151, -1.2], [2.123, 0.032, 0.643], [2.538, 0.786, -0.114]]),
        ((0, 5), [[0.055, -0.744, 1.094], [-0.33, 1.763, -0.345], [-0.354, -0.419, 0.626]]),
        ((1, 5), [[0.187, 1.371, -0.553], [0.29, 1.938, -0.24], [0.533, 1.572, 0.553]]),
    ]
    pairs = [PairTerm(e, (None, None), values) for e, values in terms]
    gam = GAM(features, intercept=1.865, task=Classification(threshold=0.0), pairs=pairs)
    return gam, (0, 2, 2, 1, 0, 0)


def _depth(tree: Any) -> int:
    return 1 + max(_depth(tree[2]), _depth(tree[3])) if tree[0] == "split" else 0


def _leaves(tree: Any) -> list[Any]:
    return _leaves(tree[2]) + _leaves(tree[3]) if tree[0] == "split" else [tree]


def _results() -> list[tuple[GAM, Any]]:
    gam, x = _branching()
    return [(gam, gx.minimum_sufficient_reason(gam, x)),
            (gam, gx.minimum_contrastive_reason(gam, x))]  # fmt: skip


def _forgeries(proof: Any) -> list[Any]:
    """Each a proof of something false or of nothing."""

    def on_trees(edit: Any) -> Any:
        return dataclasses.replace(proof, trees=tuple((s, edit(t)) for s, t in proof.trees))

    def first_leaf(tree: Any, new: Any) -> Any:
        if tree[0] == "split":
            return ("split", tree[1], first_leaf(tree[2], new), tree[3])
        return new

    other = "contrastive" if proof.kind == "sufficient" else "sufficient"
    forged = [
        dataclasses.replace(proof, kind=other),
        dataclasses.replace(proof, size=proof.size + 1),
        dataclasses.replace(proof, trees=()),
        on_trees(lambda t: ("empty",)),
        on_trees(
            lambda t: first_leaf(
                t, ("bound", len(proof.points)) + (("min",) if proof.kind == "sufficient" else ())
            )
        ),
        on_trees(lambda t: first_leaf(t, ("bound", -1, "min"))),
        on_trees(lambda t: first_leaf(t, ("bound",))),
        on_trees(lambda t: ("split", "nope", t, t)),
        on_trees(lambda t: ("split", t[1], t[2], t[2]) if t[0] == "split" else ("empty",)),
        on_trees(lambda t: ("split", t[1], t[3], t[2]) if t[0] == "split" else ("empty",)),
    ]
    if proof.kind == "sufficient":
        forged.append(dataclasses.replace(proof, trees=(("min", proof.trees[0][1]),)))
        forged.append(on_trees(lambda t: first_leaf(t, ("point", (0,) * 6))))
    else:
        forged.append(dataclasses.replace(proof, points=(proof.points[0][:-1],)))
        forged.append(dataclasses.replace(proof, trees=(("max", proof.trees[0][1]),)))
        forged.append(on_trees(lambda t: first_leaf(t, ("holds", None))))
        forged.append(on_trees(lambda t: _edit_holds(t)))
    return forged


def _edit_holds(tree: Any) -> Any:
    """The tree with its first worst case's shown low end moved (an exact oracle's
    certificate the solver takes as settled; verify must not)."""
    if tree[0] == "split":
        edited = _edit_holds(tree[2])
        if edited != tree[2]:
            return ("split", tree[1], edited, tree[3])
        return ("split", tree[1], tree[2], _edit_holds(tree[3]))
    if tree[0] == "holds":
        return ("holds", dataclasses.replace(tree[1], low=tree[1].low - 1))
    return tree


def test_the_seeded_proofs_branch() -> None:
    (gam, msr), (_, mcr) = _results()
    for result in (msr, mcr):
        assert result.exact and result.minimum_certified and result.verify(gam)
        proof = result.certificate.size_proof
        assert proof is not None and _depth(proof.trees[0][1]) >= 2
    kinds = {leaf[0] for leaf in _leaves(msr.certificate.size_proof.trees[0][1])}
    assert {"bound", "point"} <= kinds
    kinds = {leaf[0] for _, t in mcr.certificate.size_proof.trees for leaf in _leaves(t)}
    assert {"bound", "holds"} <= kinds


@pytest.mark.parametrize("which", [0, 1])
def test_forged_size_proofs_are_refused(which: int) -> None:
    gam, result = _results()[which]
    proof = result.certificate.size_proof
    assert result.verify(gam)
    for forged in _forgeries(proof):
        cert = dataclasses.replace(result.certificate, size_proof=forged)
        try:
            accepted = dataclasses.replace(result, certificate=cert).verify(gam)
        except gx.GamExplainError:
            accepted = False
        assert not accepted, forged
    # a proof where none belongs: on a subset-minimal answer, or next to recorded cores
    relabelled = dataclasses.replace(result, kind="subset-minimal", minimum_certified=None)
    assert not relabelled.verify(gam)
    bare = dataclasses.replace(result, certificate=dataclasses.replace(
        result.certificate, size_proof=None))  # fmt: skip
    assert not bare.verify(gam)


def test_a_proof_refused_in_fractions_falls_back_to_hitting_sets(monkeypatch) -> None:
    gam, x = _branching()
    honest = gx.minimum_sufficient_reason(gam, x)
    monkeypatch.setattr(pair_size, "_exact", lambda problem, proof: False)
    fallen = gx.minimum_sufficient_reason(gam, x)
    assert fallen.certificate.size_proof is None and fallen.certificate.cores
    assert fallen.size == honest.size and fallen.exact and fallen.verify(gam)
    contrastive = gx.minimum_contrastive_reason(gam, x)
    assert contrastive.certificate.size_proof is None and contrastive.verify(gam)


@given(case=pair_models())
@settings(deadline=None, max_examples=25)
def test_the_float_checks_accept_only_what_fractions_accept(case: Any) -> None:
    # the checker's float paths (with their rounding bound) only shortcut the exact one
    from gamexplain.certify import pair_size as check

    gam, x, fixed = case
    results = [gx.minimum_sufficient_reason(gam, x, fixed=fixed),
               gx.minimum_contrastive_reason(gam, x, fixed=fixed)]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check._Check, "_flips_float", lambda *arguments: False)
        patch.setattr(check._Check, "_keeps_float", lambda *arguments: False)
        assert all(result.verify(gam) for result in results)
