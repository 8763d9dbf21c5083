"""Multiclass enumeration of sufficient and contrastive reasons against brute force."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams
from test_multiclass_queries import EXACT_KINDS, MODEL, completions, subsets, sufficient

import gamexplain as gx
from gamexplain.model.distance import feature_distance


def _minimal(family: list[frozenset[int]]) -> set[frozenset[int]]:
    return {s for s in family if not any(t < s for t in family)}


@settings(max_examples=25)
@given(st.data())
def test_enumeration_lists_exactly_the_subset_minimal_reasons(data: st.DataObject) -> None:
    gam = data.draw(EXACT_KINDS)
    x = data.draw(instances(gam.scores[0]))
    n = gam.n_features
    fixed = data.draw(st.sets(st.integers(0, n - 1), max_size=1))
    everything = frozenset(range(n))
    kept_ok = [S | fixed for S in subsets(n) if not S & fixed and sufficient(gam, x, S | fixed)]
    changed_ok = [C for C in subsets(n) if not C & fixed and not sufficient(gam, x, everything - C)]
    listing = gx.sufficient_reasons(gam, x, fixed=sorted(fixed))
    found = [r for r in listing]
    assert listing.status == "solved"
    assert {frozenset(gam.index(f) for f in r.features) for r in found} == _minimal(kept_ok)
    assert len(found) == len(_minimal(kept_ok)) and all(r.verify(gam) for r in found)
    contrastive = list(gx.contrastive_reasons(gam, x, fixed=sorted(fixed)))
    got = {frozenset(gam.index(f) for f in r.features) for r in contrastive}
    assert got == _minimal(changed_ok) and len(contrastive) == len(got)
    for r in contrastive:
        assert r.kind == "subset-minimal" and r.verify(gam)
        assert gam.predict_exact(r.witness) != r.prediction


def _other(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, str):
        return [value + " (edited)"]
    if isinstance(value, tuple) and value:
        return [value[:-1], (*value, value[0])]
    return []


def _rejects(result: Any, gam: Any) -> bool:
    try:
        return not result.verify(gam)
    except gx.GamExplainError:
        return True


def test_every_field_of_a_listed_reason_is_bound_by_verify() -> None:
    gam = gx.loads(MODEL)
    x = ("y", 0.5)
    listed = [*gx.sufficient_reasons(gam, x), *gx.contrastive_reasons(gam, x)]
    assert listed and all(r.verify(gam) for r in listed)
    unbound = {"stats", "exact", "status", "message", "size_bounds", "witness_kind", "distance"}
    for result in listed:
        escaped = []
        for field in dataclasses.fields(result):
            if field.name in unbound:
                continue
            for value in _other(getattr(result, field.name)):
                forged = dataclasses.replace(result, **{field.name: value})
                if not _rejects(forged, gam):
                    escaped.append(field.name)
        for field in dataclasses.fields(result.certificate):
            for value in _other(getattr(result.certificate, field.name)):
                cert = dataclasses.replace(result.certificate, **{field.name: value})
                if not _rejects(dataclasses.replace(result, certificate=cert), gam):
                    escaped.append(f"certificate.{field.name}")
        assert not escaped, f"{result}: verify accepts forged {escaped}"


def test_a_paired_one_integer_cubic_piece_counts_its_value_there() -> None:
    # the pair worst case once took a one-point piece's value at its anchor (here -1)
    # instead of at the point: the worst case of x1 = 0 was 0, not 1
    x1 = gx.Feature("x1", gx.Integers(0, 0), gx.Piecewise([-1.0, 0.0], [[0.0, 0.0, 0.0, 1.0]]))
    x0 = gx.Feature("x0", gx.Finite(["a", "b"]), gx.Table([0.0, -0.5]))
    pair = gx.PairTerm((0, 1), (None, (-1.0, 1.0)), [[0.0], [0.0]])
    gam = gx.GAM([x0, x1], -0.25, gx.Classification(0.0), pairs=[pair])
    result = gx.is_sufficient_reason(gam, ("a", 0), [])
    assert result.holds and result.verify(gam)


@settings(max_examples=25)
@given(st.data())
def test_the_nearest_witness_is_the_closest_of_every_minimum_contrastive_reason(
    data: st.DataObject,
) -> None:
    steps = multiclass_gams(domain_kinds=("finite", "integers"), components=("table", "ebm"))
    gam = data.draw(steps)
    x = data.draw(instances(gam.scores[0]))
    p = gam.predict_index(x)
    everything = frozenset(range(gam.n_features))
    sizes = [len(C) for C in subsets(gam.n_features) if not sufficient(gam, x, everything - C)]
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert result.verify(gam)
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
    assert result.distance == best
    forged = dataclasses.replace(result, distance=result.distance + 1)
    assert not forged.verify(gam)
