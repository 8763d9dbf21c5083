"""``minimum_contrastive_reason(gam, x, target=...)`` on multiclass models with pair terms
(thm:multiclass-mcr-target-pairs): through the public function and the registry, against
brute force, forged answers refused by ``verify``, and a wine EBM with pair terms."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_multiclass_pair_target import PAIR_MODELS, _values, brute_size

import gamexplain as gx


@st.composite
def questions(draw: Any) -> tuple[Any, tuple[Any, ...], int]:
    gam = draw(PAIR_MODELS)
    x = tuple(draw(st.sampled_from(_values(f))) for f in gam.features)
    return gam, x, draw(st.integers(0, gam.n_classes - 1))


@settings(max_examples=30, deadline=None)
@given(questions())
def test_public_query_matches_brute_force_and_verifies(question: Any) -> None:
    gam, x, t = question
    result = gx.minimum_contrastive_reason(gam, x, target=gam.classes[t])
    assert result.algorithm == "target-pair-enumeration" and result.exact
    expected = brute_size(gam, x, t, frozenset())
    assert (None if result.features is None else len(result.features)) == expected
    assert result.verify(gam)


@settings(max_examples=30, deadline=None)
@given(questions())
def test_forged_answers_fail_verify(question: Any) -> None:
    gam, x, t = question
    result = gx.minimum_contrastive_reason(gam, x, target=gam.classes[t])
    cert = result.certificate
    forged = [
        dataclasses.replace(result, certificate=dataclasses.replace(cert, lower=cert.lower + 1)),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, target=(t + 1)
                                                                    % gam.n_classes)),
        dataclasses.replace(result, exact=False),
        dataclasses.replace(result, algorithm="target-branch-and-bound"),
        dataclasses.replace(result, prediction="nonsense"),
    ]  # fmt: skip
    if result.features:
        forged.append(dataclasses.replace(result, features=None, values=None, witness=None,
                                          witness_prediction=None))  # fmt: skip
        forged.append(dataclasses.replace(result, values=("nonsense",) * len(result.values)))
    for bad in forged:
        assert not bad.verify(gam), bad


@pytest.fixture(scope="module")
def wine_pair_ebm() -> Any:
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=150, interactions=3, random_state=0
    ).fit(X_train, y_train)
    return gx.from_ebm(ebm), X_test


def test_wine_pair_ebm_rows_verify(wine_pair_ebm: Any) -> None:
    gam, X_test = wine_pair_ebm
    assert gam.pairs
    for r, t in ((0, 1), (0, 2), (1, 1), (2, 0)):
        x = X_test.iloc[r].to_numpy()
        result = gx.minimum_contrastive_reason(gam, x, target=gam.classes[t])
        assert result.algorithm == "target-pair-enumeration" and result.exact
        assert result.features and gam.predict_index(result.witness) == t
        assert result.verify(gam)
    stopped = gx.minimum_contrastive_reason(gam, X_test.iloc[2].to_numpy(),
                                            target=gam.classes[2], time_limit=1e-6)  # fmt: skip
    assert stopped.status == "time_limit" and stopped.exact is False
    assert stopped.minimum_certified is False and stopped.verify(gam)
