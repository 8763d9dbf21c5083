"""Multiclass GAMs: argmax with ties to the lowest index, labels kept, rival models."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import instances, multiclass_gams

from gamexplain import (
    GAM,
    Feature,
    Finite,
    Interval,
    InvalidModelError,
    Multiclass,
    MulticlassGAM,
    Piecewise,
    Regression,
    Table,
    UnsupportedModelError,
)
from gamexplain.model.multiclass import rival_model
from gamexplain.model.shapes import Layer, ReLUNet


def score(values: list[float], b0: float = 0.0) -> GAM:
    return GAM([Feature("g", Finite(["a", "b", "c"]), Table(values))], b0, Regression())


def test_ties_go_to_the_lowest_index_and_labels_are_kept() -> None:
    m = MulticlassGAM(
        Multiclass(["lo", "mid", "hi"]),
        [score([0.0, 1.0, 2.0]), score([0.0, 2.0, 1.0]), score([1.0, 2.0, 2.0])],
    )
    assert m.predict([["a"], ["b"], ["c"]]).tolist() == ["hi", "mid", "lo"]
    assert m.decision_function([["b"]]).shape == (1, 3)
    assert m.predict_exact(("b",)) == "mid" and m.predict_index(("c",)) == 0


def test_a_tie_closer_than_float_rounding_is_decided_exactly() -> None:
    # 0.1 + 0.2 rounds above 0.3 in floats; exactly, class 1 scores 0.3000000000000000444
    tiny = GAM([Feature("g", Finite(["a"]), Table([0.2]))], 0.1, Regression())
    other = GAM([Feature("g", Finite(["a"]), Table([0.30000000000000004]))], 0.0, Regression())
    m = MulticlassGAM(Multiclass([0, 1]), [tiny, other])
    exact = m.predict_index(("a",))
    assert m.predict([["a"]]).tolist() == [exact]


@given(st.data())
def test_predict_is_the_exact_argmax(data: st.DataObject) -> None:
    m = data.draw(multiclass_gams(pairs=True))
    x = data.draw(instances(m.scores[0]))
    assert m.predict([list(x)])[0] == m.predict_exact(x)
    scores = m.scores_exact(x)
    best = max(range(m.n_classes), key=lambda c: (scores[c], -c))
    assert m.predict_index(x) == best


@given(st.data())
def test_the_rival_model_is_the_exact_difference(data: st.DataObject) -> None:
    m = data.draw(multiclass_gams(pairs=True))
    x = data.draw(instances(m.scores[0]))
    p = m.predict_index(x)
    for c in range(m.n_classes):
        if c == p:
            continue
        d = rival_model(m, p, c)
        assert d.score_exact(x) == Fraction(m.scores[p].score_exact(x)) - m.scores[c].score_exact(x)
        assert d.predict_exact(x) == 1


def test_bad_multiclass_models_are_refused() -> None:
    with pytest.raises(InvalidModelError, match="≥ 2 classes"):
        Multiclass(["only"])
    with pytest.raises(InvalidModelError, match="distinct"):
        Multiclass([1, 1])
    with pytest.raises(InvalidModelError, match="3 classes need 3 score models"):
        MulticlassGAM(Multiclass([0, 1, 2]), [score([0, 0, 0]), score([0, 0, 0])])
    other = GAM([Feature("h", Finite(["a", "b", "c"]), Table([0, 0, 0]))], 0.0, Regression())
    with pytest.raises(InvalidModelError, match="same features"):
        MulticlassGAM(Multiclass([0, 1]), [score([0, 0, 0]), other])
    a = GAM([Feature("x", Interval(0, 2), Piecewise([0, 1, 2], [[0.0], [1.0]]))], 0.0)
    b = GAM([Feature("x", Interval(0, 2), Piecewise([0, 1.5, 2], [[0.0], [1.0]]))], 0.0)
    with pytest.raises(InvalidModelError, match="regression GAM"):
        MulticlassGAM(Multiclass([0, 1]), [a, b])
    a, b = (GAM(m.features, 0.0, Regression()) for m in (a, b))
    with pytest.raises(InvalidModelError, match="breakpoints"):
        MulticlassGAM(Multiclass([0, 1]), [a, b])
    net = GAM([Feature("x", Interval(0, 2), ReLUNet([Layer([[1.0]], [0.0])]))], 0.0, Regression())
    with pytest.raises(UnsupportedModelError, match="network"):
        MulticlassGAM(Multiclass([0, 1]), [net, net])


def test_decision_function_stacks_the_class_scores() -> None:
    m = MulticlassGAM(Multiclass([0, 1]), [score([0.0, 1.0, 2.0], 1.0), score([3.0, 2.0, 1.0])])
    assert np.array_equal(m.decision_function([["a"], ["c"]]), [[1.0, 3.0], [3.0, 1.0]])
