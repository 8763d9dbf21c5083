"""Show (issue 14): EBMs on wine (three classes), with and without pair terms, give the
same predictions as interpret, and every multiclass query verifies on held-out rows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

import gamexplain as gx

glassbox = pytest.importorskip("interpret.glassbox")


@pytest.fixture(scope="module")
def wine() -> tuple:  # type: ignore[type-arg]
    X, y = load_wine(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.mark.parametrize("interactions", [0, 2])
def test_every_query_verifies_on_a_wine_ebm(wine, interactions) -> None:  # type: ignore[no-untyped-def]
    X_train, X_test, y_train, _ = wine
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=150, interactions=interactions, random_state=0
    ).fit(X_train, y_train)
    gam = gx.from_ebm(ebm)
    assert np.array_equal(gam.predict(X_test), ebm.predict(X_test))
    rows = [X_test.iloc[r] for r in (0, 1)]
    for x in rows:
        label = gam.predict_exact(gam.instance(x))
        answers = [
            gx.is_sufficient_reason(gam, x, list(X_test.columns[:6])),
            gx.minimal_sufficient_reason(gam, x),
            gx.minimum_sufficient_reason(gam, x),
            gx.minimum_contrastive_reason(gam, x),
            gx.shap_values(gam, x),
            gx.banzhaf_values(gam, x),
        ]
        for answer in answers:
            assert answer.exact and answer.cell.endswith("multiclass"), answer
            assert answer.verify(gam), answer
        assert answers[2].prediction == label and answers[2].size <= answers[1].size
        assert np.asarray(answers[4].values).shape == (gam.n_features, 3)
        listed = [
            *itertools.islice(gx.sufficient_reasons(gam, x), 3),
            *itertools.islice(gx.contrastive_reasons(gam, x), 3),
        ]
        assert listed and all(r.verify(gam) for r in listed)
        counted = gx.completion_fraction(gam, x, list(X_test.columns[:8]), max_states=2_000)
        assert counted.lower <= counted.upper and counted.verify(gam)
        if interactions:  # the vector programme needs independent terms: the grid splits them
            assert counted.algorithm == "rival-grid" and not counted.exact
        else:
            near = gx.minimum_contrastive_reason(gam, x, witness="nearest")
            assert near.witness_kind == "nearest" and near.size == answers[3].size
            assert near.verify(gam)
