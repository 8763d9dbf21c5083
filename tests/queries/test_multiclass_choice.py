"""Multiclass redundancy and contrastive reasons toward a target class, against brute
force over every point that matters, ties included; forged answers fail ``verify``."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import instances, multiclass_gams
from test_multiclass_queries import MODEL, points

import gamexplain as gx
from gamexplain.certify.choice import Refuted, Split

ADDITIVE_KINDS = st.one_of(
    multiclass_gams(domain_kinds=("finite", "integers")),
    multiclass_gams(domain_kinds=("interval",), components=("ebm",)),
)

STEPS = """{"format": "gamexplain/1",
 "task": {"kind": "multiclass", "classes": ["A", "B", "C"]},
 "intercept": [0.0, 0.0, 0.0],
 "features": [
  {"name": "a", "domain": {"kind": "finite", "values": [0, 1, 2]},
   "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [1.0, 3.0, 2.0], [1.0, 0.0, 2.5]]}},
  {"name": "b", "domain": {"kind": "interval", "low": 0, "high": 3},
   "shape": {"kind": "piecewise", "breakpoints": [0, 1, 2, 3],
             "coefficients": [[[0.0], [0.0], [0.0]], [[1.0], [0.0], [2.0]],
                              [[-1.0], [1.0], [0.0]]]}},
  {"name": "c", "domain": {"kind": "finite", "values": ["u", "v"]},
   "shape": {"kind": "table", "values": [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5]]}}]}"""


def redundant(gam: Any, j: int) -> bool:
    axes = [points(gam, i) for i in range(gam.n_features)]
    for rest in itertools.product(*(axis if i != j else [None] for i, axis in enumerate(axes))):
        classes = {gam.predict_index([v if i == j else z for i, z in enumerate(rest)])
                   for v in axes[j]}  # fmt: skip
        if len(classes) > 1:
            return False
    return True


def fewest_changes(gam: Any, x: tuple[Any, ...], t: int, fixed: frozenset[int]) -> int | None:
    free = [i for i in range(gam.n_features) if i not in fixed]
    for size in range(len(free) + 1):
        for changed in itertools.combinations(free, size):
            axes = [points(gam, i) if i in changed else [x[i]] for i in range(gam.n_features)]
            if any(gam.predict_index(z) == t for z in itertools.product(*axes)):
                return size
    return None


@settings(max_examples=40)
@given(gam=ADDITIVE_KINDS, pick=st.integers(0, 2))
def test_redundancy_matches_brute_force(gam: Any, pick: int) -> None:
    j = pick % gam.n_features
    result = gx.is_redundant(gam, j)
    assert bool(result) == redundant(gam, j)
    assert result.exact and result.algorithm == "class-pairs" and result.verify(gam)
    if not result:
        cert = result.certificate
        other = list(cert.point)
        other[j] = cert.other_value
        assert gam.predict_index(cert.point) != gam.predict_index(other)


@settings(max_examples=40)
@given(st.data())
def test_target_contrastive_reason_matches_brute_force(data: st.DataObject) -> None:
    gam = data.draw(ADDITIVE_KINDS)
    x = data.draw(instances(gam.scores[0]))
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1))
    t = data.draw(st.integers(0, gam.n_classes - 1))
    result = gx.minimum_contrastive_reason(gam, x, target=gam.classes[t], fixed=fixed)
    assert result.size == fewest_changes(gam, tuple(result.instance), t, frozenset(fixed))
    assert result.verify(gam) and result.algorithm == "target-branch-and-bound"
    if result.exists:
        assert gam.predict_index(result.witness) == t


def test_a_redundant_feature_and_a_changing_one_print_and_verify() -> None:
    gam = gx.loads(STEPS)
    shift = gx.is_redundant(gam, "c")  # adds the same amount to every class
    assert shift and shift.verify(gam) and "c is redundant" in str(shift)
    moving = gx.is_redundant(gam, "a")
    assert not moving and moving.verify(gam) and "gives class" in str(moving)


def test_forged_redundancy_answers_fail_verify() -> None:
    gam = gx.loads(STEPS)
    proof = gx.is_redundant(gam, "c")
    cert = proof.certificate
    assert proof.verify(gam)
    assert not dataclasses.replace(proof, holds=False).verify(gam)
    assert not dataclasses.replace(proof, certificate=dataclasses.replace(
        cert, refutations=cert.refutations[1:])).verify(gam)  # fmt: skip
    zero = tuple((c, e, Refuted((Fraction(0),) * 4)) for c, e, _ in cert.refutations)
    assert not dataclasses.replace(proof, certificate=dataclasses.replace(
        cert, refutations=zero)).verify(gam)  # fmt: skip
    assert not dataclasses.replace(proof, feature="a", position=0).verify(gam)
    witness = gx.is_redundant(gam, "a")
    wc = witness.certificate
    assert witness.verify(gam)
    assert not dataclasses.replace(witness, holds=True).verify(gam)
    swapped = dataclasses.replace(wc, classes=wc.classes[::-1])
    assert not dataclasses.replace(witness, certificate=swapped).verify(gam)
    same = dataclasses.replace(wc, other_value=wc.value)
    assert not dataclasses.replace(witness, certificate=same).verify(gam)
    other = gx.loads(STEPS.replace('[1.0, 0.0, 2.5]', '[1.0, 0.0, 2.0]'))
    assert not proof.verify(other) and not witness.verify(other)


def test_a_split_that_drops_options_fails_verify() -> None:
    # b cannot move the argmax between A and B once a = 0: a tree must cover all of b
    gam = gx.loads(STEPS)
    reason = gx.minimum_contrastive_reason(gam, [0, 0.5, "u"], target="C")
    assert reason.verify(gam) and reason.size == 1

    def prune(node: Any) -> Any:
        if isinstance(node, Split):
            return Split(node.group, tuple((values, prune(child))
                                           for values, child in node.parts[:1]))  # fmt: skip
        return node

    tree = reason.certificate.refutation
    if isinstance(tree, Split):
        forged = dataclasses.replace(reason.certificate, refutation=prune(tree))
        assert not dataclasses.replace(reason, certificate=forged).verify(gam)


def test_forged_target_reasons_fail_verify() -> None:
    gam = gx.loads(STEPS)
    x = [0, 0.5, "u"]
    for target in ("B", "C"):
        reason = gx.minimum_contrastive_reason(gam, x, target=target)
        assert reason.verify(gam) and gam.predict_exact(reason.witness) == target
        assert not dataclasses.replace(reason, target="class A").verify(gam)
        assert not dataclasses.replace(reason, features=(), values=()).verify(gam)
        assert not dataclasses.replace(reason, witness=tuple(x)).verify(gam)
        assert not dataclasses.replace(reason, witness_prediction="A").verify(gam)
        lost = dataclasses.replace(reason.certificate, refutation=Refuted((Fraction(1),) * 3))
        assert not dataclasses.replace(reason, certificate=lost).verify(gam)
        assert not dataclasses.replace(reason, fixed=("a",)).verify(gam)
    assert str(gx.minimum_contrastive_reason(gam, x, target="A")) == "class A already wins at x"


def test_a_target_out_of_reach_is_proved_out_of_reach() -> None:
    gam = gx.loads(STEPS)
    reason = gx.minimum_contrastive_reason(gam, [1, 0.5, "u"], target="A", fixed=["a"])
    assert reason.features is None and reason.verify(gam)
    assert str(reason) == "no change of the 2 free feature(s) makes class A win"
    assert fewest_changes(gam, tuple(reason.instance), 0, frozenset({0})) is None


def test_what_the_choice_queries_refuse_is_named() -> None:
    spline = gx.loads(MODEL)
    with pytest.raises(gx.UnsupportedQueryError, match="income"):  # a linear piece
        gx.is_redundant(spline, "grade", method="class-pairs")
    # a linear piece is decided by class-pair-lines (test_multiclass_lines.py)
    assert gx.is_redundant(spline, "grade").algorithm == "class-pair-lines"
    with pytest.raises(gx.UnsupportedQueryError, match="income"):
        gx.minimum_contrastive_reason(spline, ("y", 0.5), target="A")
    gam = gx.loads(STEPS)
    with pytest.raises(gx.UnsupportedQueryError, match="nearest"):
        gx.minimum_contrastive_reason(gam, [0, 0.5, "u"], target="C", witness="nearest")
    with pytest.raises(gx.InvalidParameterError, match="'target' parameter"):
        gx.minimum_contrastive_reason(gam, [0, 0.5, "u"], target="D")


@settings(max_examples=10)
@given(gam=multiclass_gams(domain_kinds=("finite",), pairs=True))
def test_pair_terms_go_to_the_enumeration(gam: Any) -> None:
    assume(gam.pairs)
    x = [f.domain.values[0] for f in gam.features]
    # target reasons with pair terms: enumeration by size (test_multiclass_pair_target.py)
    toward = gx.minimum_contrastive_reason(gam, x, target=gam.classes[-1])
    assert toward.algorithm == "target-pair-enumeration" and toward.verify(gam)
    # redundancy with pair terms goes to the box proof (test_multiclass_pair_boxes.py)
    assert gx.is_redundant(gam, 0).algorithm == "multiclass-pair-boxes"


def test_time_limit_leaves_redundancy_undecided() -> None:
    gam = gx.loads(STEPS)
    result = gx.is_redundant(gam, "c", time_limit=1e-9)
    assert result.status == "time_limit" and not result.exact and result.verify(gam)
    assert "undecided" in str(result)


def minimal_sets(gam: Any, x: tuple[Any, ...], t: int, fixed: frozenset[int]) -> set[frozenset]:
    free = [i for i in range(gam.n_features) if i not in fixed]

    def reaches(changed: tuple[int, ...]) -> bool:
        axes = [points(gam, i) if i in changed else [x[i]] for i in range(gam.n_features)]
        return any(gam.predict_index(z) == t for z in itertools.product(*axes))

    found = [frozenset(c) for k in range(len(free) + 1)
             for c in itertools.combinations(free, k) if reaches(c)]  # fmt: skip
    return {c for c in found if not any(d < c for d in found)}


@settings(max_examples=25)
@given(st.data())
def test_listed_target_reasons_are_exactly_the_subset_minimal_ones(data: st.DataObject) -> None:
    gam = data.draw(ADDITIVE_KINDS)
    x = data.draw(instances(gam.scores[0]))
    t = data.draw(st.integers(0, gam.n_classes - 1))
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1), max_size=1))
    listing = gx.contrastive_reasons(gam, x, target=gam.classes[t], fixed=fixed)
    reasons = list(listing)
    assert listing.status == "solved"
    instance = tuple(reasons[0].instance) if reasons else tuple(gam.instance(x))
    found = {frozenset(gam.index(n) for n in r.features) for r in reasons}
    assert found == minimal_sets(gam, instance, t, frozenset(fixed))
    assert all(r.verify(gam) and r.kind == "subset-minimal" for r in reasons)


def test_forged_listed_target_reasons_fail_verify() -> None:
    gam = gx.loads(STEPS)
    reasons = list(gx.contrastive_reasons(gam, [0, 0.5, "u"], target="C"))
    assert reasons and all(r.verify(gam) for r in reasons)
    first = reasons[0]
    cert = first.certificate
    assert not dataclasses.replace(first, certificate=dataclasses.replace(
        cert, minimality=cert.minimality[1:])).verify(gam)  # fmt: skip
    assert not dataclasses.replace(first, kind="minimum").verify(gam)
    assert not dataclasses.replace(first, minimum_certified=True).verify(gam)
    with pytest.raises(gx.UnsupportedQueryError, match="multiclass models only"):
        gx.contrastive_reasons(gx.load("breast_cancer_ebm"), [0.0] * 30, target=1)


def test_a_wine_ebm_redundancy_and_each_target_class() -> None:
    glassbox = pytest.importorskip("interpret.glassbox")
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=150, interactions=0, random_state=0
    ).fit(X_train, y_train)
    gam = gx.from_ebm(ebm)
    for feature in ("proline", "color_intensity", "ash"):
        result = gx.is_redundant(gam, feature)
        assert result.exact and result.verify(gam)
    x = X_test.iloc[0]
    predicted = gam.predict_exact(gam.instance(x))
    for target in gam.classes:
        reason = gx.minimum_contrastive_reason(gam, x, target=target)
        assert reason.verify(gam) and (reason.size == 0) == (target == predicted)
        if reason.exists:
            assert gam.predict(np.asarray([reason.witness], dtype=float))[0] == target
    paired = gx.from_ebm(glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=50, interactions=2, random_state=0).fit(X_train, y_train))
    # pair terms: enumeration by size (tests/queries/test_multiclass_pair_target.py)
    toward = gx.minimum_contrastive_reason(paired, x, target=gam.classes[0])
    assert toward.algorithm == "target-pair-enumeration" and toward.exact
    assert toward.verify(paired)
    # pair terms: a witness search, then a box proof (test_multiclass_pair_boxes.py)
    answered = gx.is_redundant(paired, "proline")
    assert answered.algorithm == "multiclass-pair-boxes" and answered.verify(paired)


def _choice_results() -> list[tuple[str, Any, Any]]:
    gam = gx.loads(STEPS)
    x = [0, 0.5, "u"]
    return [
        ("fr-proof", gam, gx.is_redundant(gam, "c")),
        ("fr-witness", gam, gx.is_redundant(gam, "a")),
        ("target-witness", gam, gx.minimum_contrastive_reason(gam, x, target="C")),
        ("target-out-of-reach", gam,
         gx.minimum_contrastive_reason(gam, [1, 0.5, "u"], target="A", fixed=["a"])),
        ("target-listed", gam, next(iter(gx.contrastive_reasons(gam, x, target="B")))),
    ]  # fmt: skip


CHOICE = _choice_results()


def _edits(value: Any) -> list[Any]:
    """Plausible other values of a field (as the forgery sweep of tests/certify does)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int | float | Fraction):
        return [value + 1, -value if value else Fraction(1, 3)]
    if isinstance(value, str):
        swaps = {"minimum": "subset-minimal", "subset-minimal": "minimum", "solved": "time_limit"}
        return [swaps.get(value, value + " (edited)")]
    if isinstance(value, tuple) and value:
        return [value[:-1], *([(e, *value[1:]) for e in _edits(value[0])][:1])]
    if isinstance(value, Refuted):
        # any multipliers that refute are a proof; none at all are not
        return [Refuted(tuple(0 * w for w in value.multipliers))]
    if isinstance(value, Split):
        return [Split(value.group, value.parts[:-1]), Split(value.group + 1, value.parts)]
    return []


def _rejects(result: Any, gam: Any) -> bool:
    try:
        return not result.verify(gam)
    except gx.GamExplainError:
        return True


@pytest.mark.parametrize(("name", "gam", "result"), CHOICE, ids=[c[0] for c in CHOICE])
def test_every_field_of_a_choice_result_is_bound_by_verify(name: str, gam: Any,
                                                           result: Any) -> None:  # fmt: skip
    assert result.verify(gam)
    escaped = []
    for field in dataclasses.fields(result):
        if field.name in ("stats", "certificate"):  # the run's cost is not an answer
            continue
        for value in _edits(getattr(result, field.name)):
            if not _rejects(dataclasses.replace(result, **{field.name: value}), gam):
                escaped.append(f"{field.name}={value!r}")
    cert = result.certificate
    for field in dataclasses.fields(cert):
        for value in _edits(getattr(cert, field.name)):
            forged = dataclasses.replace(result, certificate=dataclasses.replace(
                cert, **{field.name: value}))  # fmt: skip
            if not _rejects(forged, gam):
                escaped.append(f"certificate.{field.name}={value!r}")
    assert not escaped, f"{name}: verify accepts {escaped}"
    assert _rejects(dataclasses.replace(result, certificate=None), gam)


def test_a_search_past_its_node_budget_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    from gamexplain.algorithms.multiclass_choice import TargetProblem
    from gamexplain.queries import multiclass_choice

    gam = gx.loads(STEPS)
    reason = multiclass_choice.minimum_contrastive_reason_target(
        gam, [0, 0.5, "u"], "C", method="auto", fixed=(), time_limit=None, max_states=0)
    assert reason.status == "budget_exhausted" and not reason.exact and reason.verify(gam)
    assert "undecided" in str(reason)
    quiet = _quiet()
    stopped = gx.is_redundant(quiet, "x0", max_states=1)
    assert stopped.status == "budget_exhausted" and stopped.verify(quiet)
    proved = gx.is_redundant(quiet, "x0")
    assert proved and proved.stats.work["nodes"] > 3 and proved.verify(quiet)
    monkeypatch.setattr(multiclass_choice, "TargetProblem",
                        functools.partial(TargetProblem, max_nodes=0))  # fmt: skip
    listing = gx.contrastive_reasons(gam, [0, 0.5, "u"], target="C")
    assert list(listing) == [] and listing.status == "budget_exhausted"


def _quiet() -> Any:
    """No two classes ever tie (every score difference is an integer plus 1/2 or ±1/4)
    and x0 moves the scores by at most 1/8: x0 is redundant, and only branching proves it."""
    import random

    rng = random.Random(0)
    domain = gx.Finite([0, 1, 2])

    def table(i: int) -> gx.Table:
        if i == 0:
            return gx.Table([rng.randint(-2, 2) / 16 for _ in range(3)])
        return gx.Table([float(rng.randint(-3, 3)) for _ in range(3)])

    scores = [gx.GAM([gx.Feature(f"x{i}", domain, table(i)) for i in range(4)], b0,
                     gx.Regression()) for b0 in (0.0, 0.5, 0.25)]  # fmt: skip
    return gx.MulticlassGAM(gx.Multiclass(["a", "b", "c"]), scores)
