"""Exact multiclass redundancy on linear pieces (thm:multiclass-fr-lines): a witness is
real, a proof re-checks, no grid point contradicts a proof, features made redundant by
zeroing are proved so, and forged refutations fail."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import multiclass_gams
from test_multiclass_pair_boxes import scaled

import gamexplain as gx
from gamexplain.algorithms.multiclass_lines import lines_exact_applies
from gamexplain.certify.multiclass_lines import LineFarkas, LineNode, LinePruned
from gamexplain.model.gam import GAM
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Piecewise


def linear(gam: Any) -> Any:
    """The model with every piece cut to its constant and linear terms."""
    scores = []
    for model in gam.scores:
        feats = []
        for f in model.features:
            shape = f.shape
            if isinstance(shape, Piecewise):
                shape = Piecewise(shape.breakpoints, [row[:2] for row in shape.coefficients])
            feats.append(dataclasses.replace(f, shape=shape))
        scores.append(GAM(feats, model.intercept, model.task, model.pairs))
    return MulticlassGAM(gam.task, scores)


MODELS = multiclass_gams(max_features=3, components=("spline", "table"),
                         domain_kinds=("interval", "finite")).map(linear)  # fmt: skip


def _grid(gam: Any, i: int) -> list[Any]:
    """A finite domain's values; on an interval every breakpoint inside it, the ends and
    eight points between each two."""
    domain = gam.features[i].domain
    if domain.kind == "finite":
        return list(domain.values)
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = sorted({low, high} | {Fraction(b) for m in gam.scores
                                 for b in m.features[i].shape.breakpoints
                                 if low < Fraction(b) < high})  # fmt: skip
    out = set(cuts)
    for a, b in itertools.pairwise(cuts):
        out |= {a + (b - a) * Fraction(q, 9) for q in range(1, 9)}
    return sorted(out)


def _grid_moves(gam: Any, j: int) -> bool:
    grids = [_grid(gam, i) for i in range(gam.n_features)]
    for z in itertools.product(*grids):
        if len({gam.predict_index([*z[:j], v, *z[j + 1:]]) for v in grids[j]}) > 1:
            return True
    return False


def _weakened(gam: Any, data: st.DataObject) -> tuple[Any, int]:
    j = data.draw(st.integers(0, gam.n_features - 1))
    factors = data.draw(st.lists(st.sampled_from([0.0, 0.25, 1.0]), min_size=gam.n_classes,
                                 max_size=gam.n_classes))  # fmt: skip
    return scaled(gam, j, factors), j


@settings(max_examples=50, deadline=None)
@given(MODELS, st.data())
def test_exact_answers_agree_with_a_grid(gam: Any, data: st.DataObject) -> None:
    gam, j = _weakened(gam, data)
    assume(lines_exact_applies(gam, {}) is None)
    result = gx.is_redundant(gam, j)
    assert result.algorithm == "class-pair-lines"
    assert result.status == "solved" and result.exact and result.verify(gam), result
    if result.holds:  # a proof: no point of the grid moves the class
        assert not _grid_moves(gam, j)
        for _, _, tree in result.certificate.refutations:
            assert isinstance(tree, LineNode | LinePruned)
    else:
        cert = result.certificate
        other = [cert.other_value if i == j else v for i, v in enumerate(cert.point)]
        assert gam.predict_index(cert.point) != gam.predict_index(other)


def _forged(tree: Any) -> Any:
    """The tree with its first leaf weakened: a Farkas vector doubled in one entry and
    zeroed in another, or a pruning by the next constraint."""
    if isinstance(tree, LineNode):
        return LineNode((_forged(tree.children[0]), *tree.children[1:]))
    if isinstance(tree, LinePruned):
        return LinePruned(tree.constraint + 1)
    lam = list(tree.multipliers)
    lam[0], lam[-1] = lam[0] * 2 + 1, Fraction(0)
    return LineFarkas(tuple(lam))


@settings(max_examples=30, deadline=None)
@given(MODELS, st.data())
def test_forged_refutations_fail(gam: Any, data: st.DataObject) -> None:
    gam, j = _weakened(gam, data)
    assume(lines_exact_applies(gam, {}) is None)
    result = gx.is_redundant(gam, j)
    assume(result.holds)
    cert = result.certificate
    (c, e, tree), *rest = cert.refutations
    assert not dataclasses.replace(result, algorithm="class-pairs").verify(gam)
    dropped = dataclasses.replace(cert, refutations=tuple(rest))
    assert not dataclasses.replace(result, certificate=dropped).verify(gam)
    if isinstance(tree, LineNode):  # a child missing no longer covers the parts
        short = LineNode(tree.children[:-1])
        cut = dataclasses.replace(cert, refutations=((c, e, short), *rest))
        assert not dataclasses.replace(result, certificate=cut).verify(gam)
    forged = dataclasses.replace(cert, refutations=((c, e, _forged(tree)), *rest))
    answer = dataclasses.replace(result, certificate=forged)
    if answer.verify(gam):  # a weakened leaf may still refute; then it is a real proof
        assert not _grid_moves(gam, j)


@pytest.mark.parametrize("j", [0, 3])
def test_a_zeroed_feature_of_an_iris_line_pipeline_is_proved_redundant(j: int) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), SplineTransformer(n_knots=4, degree=1),
                         LogisticRegression(max_iter=2000)).fit(X, y)  # fmt: skip
    gam = gx.from_sklearn(pipe, X=X)
    assert gx.is_redundant(gam, j).algorithm == "class-pair-lines"
    zeroed = scaled(gam, j, [0.0] * gam.n_classes)
    result = gx.is_redundant(zeroed, j)
    assert result.holds and result.exact and result.verify(zeroed)
    assert result.algorithm == "class-pair-lines" and "is redundant" in str(result)
    assert not result.verify(gam)
