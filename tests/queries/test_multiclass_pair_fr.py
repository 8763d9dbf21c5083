"""Multiclass redundancy with pair terms (thm:multiclass-fr-pairs): every witness found is
a real one, a feature brute force shows to move the argmax is found on small models,
no answer ever claims redundancy, and forged answers fail ``verify``."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams
from test_multiclass_queries import completions, subsets, sufficient

import gamexplain as gx
from gamexplain.algorithms.pair_fr import representatives
from gamexplain.model.distance import feature_distance

PAIR_MODELS = multiclass_gams(
    max_features=3, components=("table", "ebm"), pairs=True,
    domain_kinds=("finite", "integers"),
).filter(lambda gam: bool(gam.pairs))  # fmt: skip


def moves(gam: Any, j: int) -> bool:
    """Brute force: some point of the other features and two values of j (every value of
    a finite or integer domain) give different argmaxes."""
    values = [_all_values(f) for f in gam.features]
    for point in itertools.product(*values):
        seen = set()
        for v in values[j]:
            seen.add(gam.predict_index([*point[:j], v, *point[j + 1 :]]))
        if len(seen) > 1:
            return True
    return False


def _all_values(feature: Any) -> list[Any]:
    domain = feature.domain
    if domain.kind == "integers":
        return list(range(int(domain.low), int(domain.high) + 1))
    return representatives(feature, [])


@settings(max_examples=40)
@given(PAIR_MODELS, st.data())
def test_search_agrees_with_brute_force(gam: Any, data: st.DataObject) -> None:
    j = data.draw(st.integers(0, gam.n_features - 1))
    result = gx.is_redundant(gam, j, method="multiclass-pair-search")
    assert result.algorithm == "multiclass-pair-search"
    assert result.cell.endswith("multiclass") and result.verify(gam)
    truth = moves(gam, j)
    if result.status == "solved":
        cert = result.certificate
        assert not result.holds and result.exact and truth
        assert gam.predict_index(cert.point) == cert.classes[0] != cert.classes[1]
    else:  # undecided: never a claim, and on these small models only when nothing moves
        assert result.status == "budget_exhausted" and not result.exact and not result.holds
        assert result.certificate is None and result.message
        assert not truth


@settings(max_examples=20)
@given(multiclass_gams(max_features=3, components=("ebm",), pairs=True,
                       domain_kinds=("interval",)).filter(lambda gam: bool(gam.pairs)),
       st.data())  # fmt: skip
def test_witnesses_on_interval_steps_are_real(gam: Any, data: st.DataObject) -> None:
    j = data.draw(st.integers(0, gam.n_features - 1))
    result = gx.is_redundant(gam, j, method="multiclass-pair-search")
    assert result.verify(gam) and not result.holds
    if result.status == "solved":
        cert = result.certificate
        other = [cert.other_value if i == j else v for i, v in enumerate(cert.point)]
        assert gam.predict_index(cert.point) != gam.predict_index(other)


@settings(max_examples=25)
@given(PAIR_MODELS, st.data())
def test_forged_witnesses_fail(gam: Any, data: st.DataObject) -> None:
    j = data.draw(st.integers(0, gam.n_features - 1))
    result = gx.is_redundant(gam, j, method="multiclass-pair-search")
    assume(result.status == "solved")
    cert = result.certificate
    forged = [
        dataclasses.replace(result, holds=True),
        dataclasses.replace(result, certificate=dataclasses.replace(
            cert, classes=cert.classes[::-1])),
        dataclasses.replace(result, certificate=dataclasses.replace(
            cert, other_value=cert.value)),
        dataclasses.replace(result, status="time_limit", exact=False),
        dataclasses.replace(result, algorithm="class-pairs-forged"),
    ]  # fmt: skip
    for answer in forged:
        assert not answer.verify(gam)


def test_an_undecided_answer_verifies_as_undecided() -> None:
    # feature c moves no class score (its pair term reads a only): no witness exists
    gam = gx.loads("""{"format": "gamexplain/1",
     "task": {"kind": "multiclass", "classes": ["A", "B", "C"]},
     "intercept": [0.0, 0.5, 0.25],
     "features": [
      {"name": "a", "domain": {"kind": "finite", "values": [0, 1]},
       "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [1.0, 0.0, 2.0]]}},
      {"name": "c", "domain": {"kind": "finite", "values": [0, 1]},
       "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]}}],
     "pairs": [{"features": ["a", "c"], "edges": [null, null],
                "values": [[[0, 0, 0], [0, 0, 0]], [[0.5, 0, 0], [0.5, 0, 0]]]}]}""")
    result = gx.is_redundant(gam, "c", method="multiclass-pair-search")
    assert result.status == "budget_exhausted" and not result.exact and result.verify(gam)
    assert "undecided" in str(result)
    assert not dataclasses.replace(result, holds=True).verify(gam)
    assert not dataclasses.replace(result, message="").verify(gam)
    assert gx.is_redundant(gam, "a").verify(gam)
    # the box proof decides it (thm:multiclass-fr-pair-boxes)
    proved = gx.is_redundant(gam, "c")
    assert proved.holds and proved.exact and proved.verify(gam)


def test_time_limit_is_undecided() -> None:
    gam = _wine_pairs()
    result = gx.is_redundant(gam, 0, time_limit=1e-9)
    assert result.status == "time_limit" and not result.exact and result.verify(gam)


_FITTED: dict[str, Any] = {}


def _wine_pairs() -> Any:
    if "gam" not in _FITTED:
        glassbox = pytest.importorskip("interpret.glassbox")
        from sklearn.datasets import load_wine
        from sklearn.model_selection import train_test_split

        X, y = load_wine(return_X_y=True, as_frame=True)
        X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
        ebm = glassbox.ExplainableBoostingClassifier(
            outer_bags=2, max_rounds=300, interactions=3, random_state=0
        ).fit(X_train, y_train)
        gam = gx.from_ebm(ebm)
        assert gam.pairs and np.array_equal(gam.predict(X_test), ebm.predict(X_test))
        _FITTED["gam"] = gam
    return _FITTED["gam"]


def test_every_wine_feature_moves_the_class() -> None:
    gam = _wine_pairs()
    for name in gam.feature_names:
        result = gx.is_redundant(gam, name)
        assert result.status == "solved" and not result.holds and result.verify(gam), result
        assert "is not redundant" in str(result) and "Fraction" not in str(result)


# -- nearest witnesses on multiclass pair models ----------------------------------------------
@settings(max_examples=25)
@given(PAIR_MODELS, st.data())
def test_nearest_witness_with_pairs_matches_brute_force(gam: Any, data: st.DataObject) -> None:
    """Per rival the binary pair nearest search, then the least size and least distance
    over the rivals: the closest point of least size that another class wins at."""
    x = data.draw(instances(gam.scores[0]))
    p = gam.predict_index(x)
    everything = frozenset(range(gam.n_features))
    sizes = [len(C) for C in subsets(gam.n_features) if not sufficient(gam, x, everything - C)]
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert result.exact and result.verify(gam)
    if not sizes:
        assert not result.exists and result.distance is None
        return
    best = None
    for z in completions(gam, x, frozenset()):
        moved = [i for i in range(gam.n_features) if z[i] != x[i]]
        if len(moved) == min(sizes) and gam.predict_index(z) != p:
            d = sum(feature_distance(gam.features[i].domain, z[i], x[i]) for i in moved)
            best = d if best is None else min(best, d)
    assert result.size == min(sizes) and result.witness_kind == "nearest"
    assert result.distance == best and gam.predict_index(result.witness) != p
    assert not dataclasses.replace(result, distance=result.distance + 1).verify(gam)
    if best:  # a farther witness of the same size is no longer the nearest
        farther = [z for z in completions(gam, x, frozenset())
                   if gam.predict_index(z) != p
                   and sum(z[i] != x[i] for i in range(gam.n_features)) == min(sizes)
                   and sum(feature_distance(gam.features[i].domain, z[i], x[i])
                           for i in range(gam.n_features) if z[i] != x[i]) > best]  # fmt: skip
        if farther:
            cert = dataclasses.replace(result.certificate, witness=tuple(farther[0]))
            assert not dataclasses.replace(result, certificate=cert,
                                           witness=tuple(farther[0])).verify(gam)  # fmt: skip


def test_nearest_witnesses_on_a_wine_pair_ebm() -> None:
    gam = _wine_pairs()
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_test = train_test_split(X, y, test_size=0.2, random_state=0)[1]
    x = X_test.iloc[3]
    near = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    extreme = gx.minimum_contrastive_reason(gam, x)
    assert near.witness_kind == "nearest" and near.exact and near.size == extreme.size
    assert near.verify(gam) and gam.predict_exact(near.witness) != near.prediction
    assert "the nearest witness" in str(near)  # the printout reads the rivals' certificate
    assert all(sub.witness_kind == "nearest" for _, sub in near.certificate.rivals)
    assert not dataclasses.replace(near, distance=near.distance / 2).verify(gam)
