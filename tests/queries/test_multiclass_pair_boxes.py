"""Multiclass redundancy with pair terms, decided both ways (thm:multiclass-fr-pair-boxes):
the answer equals brute force on small models over finite, integer and interval domains
(ties included), a redundancy proof re-checks, forged proofs fail, and on a wine EBM with
pair terms a feature whose terms are zeroed is proved redundant."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import multiclass_gams
from test_multiclass_pair_fr import _wine_pairs

import gamexplain as gx
from gamexplain.certify.multiclass_pair_boxes import ClassLeaf, ClassSplit
from gamexplain.model.gam import GAM, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Piecewise


def scaled(gam: Any, j: int, factors: list[float]) -> Any:
    """The model with feature j's main effect and pair terms times factors[c] in class c."""
    scores = []
    for model, factor in zip(gam.scores, factors, strict=True):
        feats = list(model.features)
        shape = feats[j].shape
        if isinstance(shape, Piecewise):
            shape = Piecewise(shape.breakpoints, [[c * factor for c in row]
                                                  for row in shape.coefficients])  # fmt: skip
        else:
            shape = type(shape)([v * factor for v in shape.values])
        feats[j] = dataclasses.replace(feats[j], shape=shape)
        pairs = [PairTerm(p.features, p.edges, [[v * factor for v in row] for row in p.values])
                 if j in p.features else p for p in model.pairs]  # fmt: skip
        scores.append(GAM(feats, model.intercept, model.task, pairs))
    return MulticlassGAM(gam.task, scores)


def _values(gam: Any, j: int) -> list[Any]:
    """Every value of a finite or integer domain; on an interval the ends, every cut of
    any class's main effect and of the pair edges on j, and a point between each two."""
    domain = gam.features[j].domain
    if domain.kind == "finite":
        return list(domain.values)
    if domain.kind == "integers":
        return list(range(int(domain.low), int(domain.high) + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {low, high}
    for model in gam.scores:
        cuts |= {Fraction(b) for b in model.features[j].shape.breakpoints}
    for pair in gam.pairs:
        if j in pair.features and pair.edges[pair.features.index(j)] is not None:
            cuts |= {Fraction(e) for e in pair.edges[pair.features.index(j)]}
    inside = sorted(c for c in cuts if low <= c <= high)
    return inside + [(a + b) / 2 for a, b in itertools.pairwise(inside)]


def moves(gam: Any, j: int) -> bool:
    """Brute force: some point and two values of j give different argmaxes."""
    values = [_values(gam, i) for i in range(gam.n_features)]
    for point in itertools.product(*values):
        seen = {gam.predict_index([*point[:j], v, *point[j + 1 :]]) for v in values[j]}
        if len(seen) > 1:
            return True
    return False


def _models(kinds: tuple[str, ...], components: tuple[str, ...]) -> Any:
    return multiclass_gams(max_features=3, components=components, pairs=True,
                           domain_kinds=kinds).filter(lambda gam: bool(gam.pairs))  # fmt: skip


def _weakened(data: st.DataObject, gam: Any) -> tuple[Any, int]:
    """A feature and the model with its terms scaled per class by 0, 1/8 or 1, so that
    redundant features and near ties are common."""
    j = data.draw(st.integers(0, gam.n_features - 1))
    factors = data.draw(st.lists(st.sampled_from([0.0, 0.125, 1.0]), min_size=gam.n_classes,
                                 max_size=gam.n_classes))  # fmt: skip
    return scaled(gam, j, factors), j


def _agrees(gam: Any, j: int) -> Any:
    result = gx.is_redundant(gam, j)
    assert result.algorithm == "multiclass-pair-boxes"
    assert result.status == "solved" and result.exact and result.verify(gam), result
    assert bool(result.holds) is not moves(gam, j)
    if result.holds:
        assert result.certificate.tree is not None and "is redundant" in str(result)
    return result


@settings(max_examples=60)
@given(_models(("finite", "integers"), ("table", "ebm")), st.data())
def test_boxes_agree_with_brute_force(gam: Any, data: st.DataObject) -> None:
    _agrees(*_weakened(data, gam))


@settings(max_examples=30)
@given(_models(("interval",), ("ebm",)), st.data())
def test_boxes_agree_with_brute_force_on_interval_steps(gam: Any, data: st.DataObject) -> None:
    _agrees(*_weakened(data, gam))


def _leaves(node: Any) -> list[ClassLeaf]:
    if isinstance(node, ClassLeaf):
        return [node]
    return _leaves(node.below) + _leaves(node.above)


def _replace_leaves(node: Any, leaf: ClassLeaf) -> Any:
    if isinstance(node, ClassLeaf):
        return leaf
    return dataclasses.replace(node, below=_replace_leaves(node.below, leaf),
                               above=_replace_leaves(node.above, leaf))  # fmt: skip


@settings(max_examples=40)
@given(_models(("finite", "integers"), ("table", "ebm")), st.data())
def test_forged_proofs_fail(gam: Any, data: st.DataObject) -> None:
    gam, j = _weakened(data, gam)
    result = gx.is_redundant(gam, j)
    assume(result.holds)
    cert = result.certificate
    k = gam.n_classes
    forged = [
        dataclasses.replace(result, algorithm="multiclass-pair-search"),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, tree=None)),
        dataclasses.replace(result, certificate=dataclasses.replace(
            cert, tree=ClassSplit(j, 0, cert.tree, cert.tree))),  # a split along the feature
        dataclasses.replace(result, certificate=dataclasses.replace(
            cert, tree=ClassLeaf((), ()))),  # a leaf that names no class
        dataclasses.replace(result, holds=False),
    ]  # fmt: skip
    for answer in forged:
        assert not answer.verify(gam)
    # a leaf claiming class c beats every other everywhere holds only where that is true
    for c in range(k):
        claim = ClassLeaf((c,), tuple((d, c) for d in range(k) if d != c))
        everywhere = all(gam.predict_index(p) == c for p in itertools.product(
            *[_values(gam, i) for i in range(gam.n_features)]))  # fmt: skip
        if not everywhere:
            changed = dataclasses.replace(cert, tree=_replace_leaves(cert.tree, claim))
            assert not dataclasses.replace(result, certificate=changed).verify(gam)


def test_a_tie_goes_to_the_lower_class() -> None:
    # classes A and B tie everywhere and C never wins, so A always wins: both features are
    # redundant, and a leaf claiming that B beats A fails (the tie goes to A) while A
    # beating B holds (its least margin is exactly 0, decided in Fractions)
    gam = gx.loads("""{"format": "gamexplain/1",
     "task": {"kind": "multiclass", "classes": ["A", "B", "C"]},
     "intercept": [0.0, 0.0, -5.0],
     "features": [
      {"name": "a", "domain": {"kind": "finite", "values": [0, 1]},
       "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]}},
      {"name": "b", "domain": {"kind": "finite", "values": [0, 1]},
       "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [0.5, 0.5, 0.0]]}}],
     "pairs": [{"features": ["a", "b"], "edges": [null, null],
                "values": [[[0, 0, 0], [0, 0, 1]], [[0, 0, 0], [0, 0, 2]]]}]}""")
    result = gx.is_redundant(gam, "b")
    assert result.holds and result.verify(gam) and result.algorithm == "multiclass-pair-boxes"
    wrong = ClassLeaf((1,), ((0, 1), (2, 1)))
    right = ClassLeaf((0,), ((1, 0), (2, 0)))
    for leaf, expected in ((wrong, False), (right, True)):
        cert = dataclasses.replace(result.certificate, tree=leaf)
        assert dataclasses.replace(result, certificate=cert).verify(gam) is expected
    assert gx.is_redundant(gam, "a").holds


def test_a_zeroed_wine_feature_is_proved_redundant() -> None:
    gam = _wine_pairs()
    for name in ("hue", "alcohol"):  # hue has pair terms, alcohol none
        j = gam.feature_names.index(name)
        zeroed = scaled(gam, j, [0.0] * gam.n_classes)
        result = gx.is_redundant(zeroed, name)
        assert result.holds and result.exact and result.verify(zeroed), result
        assert result.algorithm == "multiclass-pair-boxes"
        assert not result.verify(gam)  # another model
    # a feature scaled down in one class only still moves the class somewhere
    hue = gam.feature_names.index("hue")
    weaker = scaled(gam, hue, [1.0, 1e-3, 1.0])
    answer = gx.is_redundant(weaker, "hue")
    assert not answer.holds and answer.exact and answer.verify(weaker)
