"""``contrastive_reasons(gam, x, target=...)`` on multiclass models with pair terms
(thm:multiclass-mcr-target-pairs): the listed reasons are exactly the subset-minimal sets
brute force finds over every set of features and every probe value, each verifies on its
own, and forged ones are refused."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_multiclass_pair_target import INTERVAL_PAIR_MODELS, _probes

import gamexplain as gx
from gamexplain.certify.multiclass_pair_target import minimal_toward


def minimal_sets(gam: Any, x: tuple[Any, ...], t: int, fixed: frozenset[int]) -> set[frozenset]:
    """Every subset-minimal set of free features some change of which makes t win."""
    free = [i for i in range(gam.n_features) if i not in fixed]

    def reaches(changed: tuple[int, ...]) -> bool:
        axes = [_probes(gam, i) if i in changed else [x[i]] for i in range(gam.n_features)]
        return any(gam.predict_index(z) == t for z in itertools.product(*axes))

    found = [frozenset(c) for k in range(len(free) + 1)
             for c in itertools.combinations(free, k) if reaches(c)]  # fmt: skip
    return {c for c in found if not any(d < c for d in found)}


@st.composite
def questions(draw: Any) -> tuple[Any, tuple[Any, ...], int, frozenset[int]]:
    gam = draw(INTERVAL_PAIR_MODELS)
    x = tuple(draw(st.sampled_from(_probes(gam, i))) for i in range(gam.n_features))
    target = draw(st.integers(0, gam.n_classes - 1))
    fixed = frozenset(draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1)))
    return gam, x, target, fixed


@settings(max_examples=40, deadline=None)
@given(questions())
def test_listed_reasons_are_exactly_the_subset_minimal_ones(question: Any) -> None:
    gam, x, t, fixed = question
    names = [gam.feature_names[i] for i in fixed]
    listing = gx.contrastive_reasons(gam, x, target=gam.classes[t], fixed=names)
    reasons = list(listing)
    assert listing.status == "solved"
    assert all(r.algorithm == "target-pair-marco" for r in reasons)
    found = {frozenset(gam.index(n) for n in r.features) for r in reasons}
    assert found == minimal_sets(gam, tuple(gam.instance(x)), t, fixed)
    assert all(r.kind == "subset-minimal" and r.verify(gam) for r in reasons)


@settings(max_examples=30, deadline=None)
@given(questions())
def test_forged_listed_reasons_fail_verify(question: Any) -> None:
    gam, x, t, _ = question
    reasons = list(gx.contrastive_reasons(gam, x, target=gam.classes[t]))
    for reason in reasons:
        cert = reason.certificate
        forged = [
            dataclasses.replace(reason, kind="minimum"),
            dataclasses.replace(reason, minimum_certified=True),
            dataclasses.replace(reason, exact=False),
            dataclasses.replace(reason, algorithm="target-marco"),
            dataclasses.replace(reason, certificate=dataclasses.replace(
                cert, target=(t + 1) % gam.n_classes)),
            dataclasses.replace(reason, features=None, values=None),
        ]  # fmt: skip
        for other in reasons:  # a strict superset of a reason is not subset-minimal
            if set(other.features) < set(reason.features):
                kept = dict(zip(other.features, other.values, strict=True))
                point = tuple(kept.get(n, v) for n, v in zip(gam.feature_names,
                                                             reason.instance, strict=True))
                bigger = [n for n in gam.feature_names if n in reason.features]
                forged.append(dataclasses.replace(
                    reason, witness=point,
                    values=tuple(point[gam.index(n)] for n in bigger)))  # fmt: skip
        for bad in forged:
            assert not bad.verify(gam), bad


@settings(max_examples=30, deadline=None)
@given(questions())
def test_the_minimality_check_refuses_supersets(question: Any) -> None:
    # a reason plus one more feature is not subset-minimal: the check must find the
    # reason's own win inside it
    gam, x, t, _ = question
    x = tuple(gam.instance(x))
    for reason in gx.contrastive_reasons(gam, x, target=gam.classes[t]):
        changed = frozenset(gam.index(n) for n in reason.features)
        assert minimal_toward(gam, x, t, changed)
        for j in set(range(gam.n_features)) - changed:
            assert not minimal_toward(gam, x, t, changed | {j})


@settings(max_examples=25, deadline=None)
@given(questions())
def test_the_branch_and_bound_paths_agree_with_brute_force(question: Any) -> None:
    # with the frontiers switched off (no block fits), the solver's branch and bound and
    # the check's split grids decide alone
    from unittest import mock

    from gamexplain.algorithms import multiclass_pair_target_enum as solver
    from gamexplain.certify import multiclass_pair_target as check

    gam, x, t, fixed = question
    names = [gam.feature_names[i] for i in fixed]
    with mock.patch.object(solver, "_FRONTIER", 0), mock.patch.object(check, "_GRID", 1):
        listing = gx.contrastive_reasons(gam, x, target=gam.classes[t], fixed=names)
        reasons = list(listing)
        assert all(r.verify(gam) for r in reasons)
    assert listing.status == "solved"
    found = {frozenset(gam.index(n) for n in r.features) for r in reasons}
    assert found == minimal_sets(gam, tuple(gam.instance(x)), t, fixed)
