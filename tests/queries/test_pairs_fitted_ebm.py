"""Reason queries on a real EBM with pair terms whose exact scaling passes 2^62.

A small seeded ``ExplainableBoostingClassifier`` with ten pair terms on breast_cancer: its
pair values and main effects need a common denominator so fine that the exact integers
pass 2^62 (CP-SAT refused such models), and eliminating every paired feature would build
far more tables than the budget, so the plan picks dual bounds. Every answer is checked
by ``verify``.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from gamexplain import (
    contrastive_reasons,
    explain_plan,
    is_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    sufficient_reasons,
)
from gamexplain.algorithms.pairwise import STATE_LIMIT, _full_cost, _scaled


@pytest.fixture(scope="module")
def fitted() -> tuple[Any, list[Any]]:
    glassbox = pytest.importorskip("interpret.glassbox")
    datasets = pytest.importorskip("sklearn.datasets")
    selection = pytest.importorskip("sklearn.model_selection")
    from gamexplain.io.ebm import from_ebm

    X, y = datasets.load_breast_cancer(return_X_y=True, as_frame=True)
    train, test, y_train, _ = selection.train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=300, interactions=10, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm.fit(train, y_train)
    gam = from_ebm(ebm)
    rows = [gam.instance(test.iloc[r].tolist()) for r in range(2)]
    return gam, rows


def test_reason_queries_on_a_fitted_ebm_past_2_62(fitted: tuple[Any, list[Any]]) -> None:
    gam, rows = fitted
    scaled = _scaled(gam)
    assert gam.pairs and scaled.dtype is object  # exact integers past 2^63
    assert _full_cost(gam) > STATE_LIMIT
    assert explain_plan(gam, "csr").algorithm == "dual-bound"
    names = gam.feature_names
    for x in rows[:1]:
        minimal = minimal_sufficient_reason(gam, x)
        assert minimal.exact and minimal.verify(gam)
        kept = [names.index(f) for f in minimal.features]
        holds = is_sufficient_reason(gam, x, kept)
        assert holds.holds and holds.algorithm == "dual-bound" and holds.verify(gam)
        fails = is_sufficient_reason(gam, x, kept[:-1])
        assert not fails.holds and fails.verify(gam)
        # the minimum over the last ten features, the others fixed
        fixed = names[:20]
        msr = minimum_sufficient_reason(gam, x, fixed=fixed, time_limit=20)
        assert msr.exact and msr.verify(gam)
        assert msr.size <= len(set(minimal.features) | set(fixed))
        mcr = minimum_contrastive_reason(gam, x, fixed=fixed, time_limit=20)
        assert mcr.exact and mcr.verify(gam)
    x = rows[1]
    fixed = names[:24]
    found = list(sufficient_reasons(gam, x, fixed=fixed, time_limit=20))
    assert found and all(r.verify(gam) for r in found[:3])
    contrast = list(contrastive_reasons(gam, x, fixed=fixed, time_limit=20))
    # none exists exactly when keeping the fixed features alone is sufficient
    assert (not contrast) == is_sufficient_reason(gam, x, fixed).holds
    assert all(r.verify(gam) for r in contrast[:3])
