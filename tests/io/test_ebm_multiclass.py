"""from_ebm on multiclass EBMs: predict exactly, decision_function to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.model_selection import train_test_split

import gamexplain as gx

interpret = pytest.importorskip("interpret.glassbox")


@pytest.mark.parametrize("loader", [load_wine, load_iris], ids=["wine", "iris"])
@pytest.mark.parametrize("interactions", [0, 3])
def test_multiclass_ebms_convert_exactly(loader, interactions, tmp_path) -> None:  # type: ignore[no-untyped-def]
    X, y = loader(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    ebm = interpret.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=150, interactions=interactions, random_state=0
    ).fit(X_train, y_train)
    gam = gx.from_ebm(ebm)
    assert isinstance(gam, gx.MulticlassGAM) and gam.classes == tuple(ebm.classes_)
    assert len(gam.pairs) == interactions
    assert np.array_equal(gam.predict(X_test), ebm.predict(X_test))
    assert np.abs(gam.decision_function(X_test) - ebm.decision_function(X_test)).max() <= 1e-12
    assert gx.loads(gx.dumps(gam)) == gam
    ebm.to_json(tmp_path / "ebm.json")
    document = gx.from_ebm_json(tmp_path / "ebm.json")
    assert np.array_equal(document.predict(X_test), ebm.predict(X_test))


def test_string_labels_are_kept_and_a_tolerance_is_refused() -> None:
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    ebm = interpret.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=50, interactions=0, random_state=0
    ).fit(X, names)
    gam = gx.from_ebm(ebm)
    assert gam.classes == ("setosa", "versicolor", "virginica")
    assert list(gam.predict(X[:20])) == list(ebm.predict(X[:20]))
    with pytest.raises(gx.InvalidParameterError, match="tolerance"):
        gx.from_ebm(ebm, tolerance=1.0)
