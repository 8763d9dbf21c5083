"""Certificates of feature redundancy: re-checked independently, bound to every field.

Issue 9's findings on :func:`gamexplain.is_redundant`: a wrong "not redundant" answer
that verified (finding 1), a forged CP-SAT "infeasible" proof that verified (finding 2),
the continuous shortcut applied to an integer feature (finding 7), fields ``verify`` did
not look at (findings 4 and 5) and a time limit overrun (finding 10).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    PairTerm,
    Piecewise,
    Table,
    UnsupportedQueryError,
    is_redundant,
)
from gamexplain.certify.redundancy import RedundancyProof, Witness
from gamexplain.errors import CertificateTooLargeError, GamExplainError
from gamexplain.lab.generators import generate
from gamexplain.lab.reductions import subset_sum_to_redundancy
from gamexplain.queries.redundancy import RedundancyResult


def rejects(result: RedundancyResult, gam: GAM) -> bool:
    try:
        return not result.verify(gam)
    except GamExplainError:
        return True


def cubic() -> GAM:
    # min of 0.5 − 0.25t + 0.1t² + 1e-300·t³ on [0, 3] is ≈ 0.34375 at t ≈ 1.25: always class 1
    shape = Piecewise([0, 3], [[0.5, -0.25, 0.1, 1e-300]])
    return GAM([Feature("t", Interval(0, 3), shape)], 0.0, Classification(0.34))


# -- finding 1: the answer is right, and verify shares no decision code with the solver -----------
def test_finding1_cubic_with_a_tiny_term_is_redundant_and_a_forged_flip_fails() -> None:
    gam = cubic()
    result = is_redundant(gam, "t")
    assert result.holds and result.exact and result.verify(gam)
    for value, other in ((0, 3), (1.25, 3), (0, 1.25)):
        forged_witness = Witness((value,), value, other, (1, 0), ("t",))
        forged = dataclasses.replace(result, holds=False, certificate=forged_witness)
        assert rejects(forged, gam)


@pytest.fixture
def solver_code_disabled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every decision routine the solvers use raise, so verify cannot lean on it."""
    import gamexplain.exact
    import gamexplain.model.gam
    import gamexplain.substrate.pieces
    import gamexplain.substrate.primitives

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("verify called the solver's code")

    for module, name in (
        (gamexplain.exact, "compare"),
        (gamexplain.exact, "exact_sign"),
        (gamexplain.substrate.pieces, "lower"),
        (gamexplain.substrate.primitives, "contribution_min"),
        (gamexplain.substrate.primitives, "contribution_max"),
    ):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, broken)
    for name in ("score_exact", "predict_exact", "instance"):
        monkeypatch.setattr(gamexplain.model.gam.GAM, name, broken)
    monkeypatch.setattr(gamexplain.model.gam.Feature, "contribution_exact", broken)
    yield


def independence_cases() -> list[tuple[GAM, RedundancyResult]]:
    cases = []
    pair = GAM(
        [Feature(n, Finite([0, 1]), Table([0.0, 0.0])) for n in ("a", "b")],
        -1.0,
        Classification(0.0),
        pairs=[PairTerm((0, 1), (None, None), [[0.0, 0.0], [0.0, 2.0]])],
    )
    spline = GAM(
        [
            Feature("s", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0, -0.5, 0.25], [0.5]])),
            Feature("k", Integers(0, 9), Piecewise([0, 4, 9], [[0.0, 0.5, -0.125], [1.0]])),
            Feature("g", Finite(["x", "y"]), Table([0.0, 0.75])),
        ],
        -0.5,
        Classification(0.5, ">"),
    )
    for gam in (cubic(), pair, spline):
        for i in range(gam.n_features):
            for method in ("auto", "cpsat", "partial-sums", "brute"):
                with contextlib.suppress(UnsupportedQueryError):
                    cases.append((gam, is_redundant(gam, i, method=method)))
    return cases


INDEPENDENCE = independence_cases()


@pytest.mark.parametrize(("gam", "result"), INDEPENDENCE)
def test_verify_runs_without_the_solvers_decision_code(
    gam: GAM, result: RedundancyResult, solver_code_disabled: None
) -> None:
    assert result.verify(gam)
    flipped = dataclasses.replace(result, holds=not result.holds)
    assert rejects(flipped, gam)


# -- finding 2: a CP-SAT "infeasible" proof is re-derived, never taken on trust -------------------
def big_subset_sum() -> tuple[GAM, str]:
    weights = [2**k + 3 for k in range(20)]
    return subset_sum_to_redundancy(weights, sum(weights) // 2)


def test_finding2_a_forged_infeasible_proof_on_a_large_model_is_rejected() -> None:
    gam, feature = big_subset_sum()
    stopped = is_redundant(gam, feature, method="partial-sums", max_states=8)
    forged = dataclasses.replace(
        stopped,
        holds=True,
        exact=True,
        status="solved",
        message="",
        algorithm="cpsat",
        certificate=RedundancyProof("infeasible", algorithm="cpsat"),
    )
    started = time.perf_counter()
    with pytest.raises(CertificateTooLargeError, match="more than"):
        forged.verify(gam)
    assert time.perf_counter() - started < 10


def test_finding2_an_infeasible_proof_is_rederived_on_a_model_that_fits() -> None:
    pytest.importorskip("ortools")
    redundant, feature = subset_sum_to_redundancy([2, 4, 8, 16, 32], 13)
    result = is_redundant(redundant, feature, method="cpsat")
    assert result.holds and result.certificate == RedundancyProof("infeasible", algorithm="cpsat")
    assert result.verify(redundant)
    flips, _ = subset_sum_to_redundancy([2, 4, 8, 16, 32], 14)
    forged = dataclasses.replace(result, model_digest=is_redundant(flips, feature).model_digest)
    assert not forged.verify(flips)


# -- finding 7: the continuous shortcut needs sums that fill intervals ----------------------------
def integer_line() -> GAM:
    return GAM(
        [
            Feature("n", Integers(0, 1), Piecewise([0, 1], [[0, 1]])),
            Feature("y", Finite([0, 1]), Table([0, 0.5])),
            Feature("z", Interval(0, 1), Piecewise([0, 1], [[0]])),
        ],
        0.0,
        Classification(0.75),
    )


def test_finding7_an_integer_line_is_not_continuous() -> None:
    gam = integer_line()
    result = is_redundant(gam, "y")
    # y flips the class only when n lies in [0.25, 0.75): no integer does
    assert result.holds and result.exact and result.verify(gam)
    assert result.algorithm != "continuous"
    with pytest.raises(UnsupportedQueryError, match="isolated"):
        is_redundant(gam, "y", method="continuous")


# -- findings 4 and 5: every field is bound -------------------------------------------------------
def tamper_models(gam: GAM) -> list[GAM]:
    shifted = GAM(gam.features, gam.intercept + 0.375, gam.task, gam.pairs)
    reordered = GAM(gam.features[::-1], gam.intercept, gam.task)
    first = gam.features[0]
    assert isinstance(first.shape, Table)
    values = list(first.shape.values)
    values[-1] += 0.125
    edited = Feature(first.name, first.domain, Table(values), first.weight)
    changed = GAM([edited, *gam.features[1:]], gam.intercept, gam.task, gam.pairs)
    return [shifted, reordered, changed]


def small() -> GAM:
    return GAM(
        [
            Feature("a", Finite(["lo", "mid", "hi"]), Table([-1.0, 0.25, 2.0])),
            Feature("b", Finite([0, 1]), Table([-0.5, 0.75])),
            Feature("c", Integers(0, 3), Piecewise([0, 2, 3], [[0.0, 0.5], [1.0]])),
            Feature("d", Finite([0, 1]), Table([0.0, 0.125])),
        ],
        intercept=-0.5,
        task=Classification(threshold=0.0),
    )


def forgeries(result: RedundancyResult) -> Iterator[tuple[str, RedundancyResult]]:
    """The result with one field or certificate field changed at a time."""
    replace = dataclasses.replace
    for field, value in (
        ("holds", not result.holds),
        ("feature", "b" if result.feature != "b" else "a"),
        ("position", (result.position + 1) % 4),
        ("algorithm", "bogus"),
        ("algorithm", "brute" if result.algorithm != "brute" else "range"),
        ("exact", False),
        ("status", "time_limit"),
        ("message", "proved by hand"),
        ("cell", "fr | finite | table | regression"),
        ("model_digest", "0" * 64),
        ("certificate", None),
    ):
        yield field, replace(result, **{field: value})
    cert = result.certificate
    if isinstance(cert, Witness):
        i = result.position
        moved = tuple(cert.other_value if j == i else v for j, v in enumerate(cert.point))
        outside = tuple(v if j == i else "zz" for j, v in enumerate(cert.point))
        for field, value in (
            ("point", moved),
            ("point", cert.point[:-1]),
            ("point", outside),
            ("value", cert.other_value),
            ("other_value", cert.value),
            ("outputs", cert.outputs[::-1]),
            ("names", cert.names[::-1]),
            ("algorithm", "brute" if cert.algorithm != "brute" else "cpsat"),
        ):
            yield f"witness.{field}", replace(result, certificate=replace(cert, **{field: value}))
    else:
        assert isinstance(cert, RedundancyProof)
        for kind in ("ranges", "reachable-sums", "enumeration", "infeasible", "bogus"):
            if kind != cert.kind:
                yield f"proof.kind={kind}", replace(result, certificate=replace(cert, kind=kind))
        if cert.ranges:
            yield "proof.ranges", replace(result, certificate=replace(cert, ranges=cert.ranges[1:]))
            span = cert.ranges[0]
            wider = dataclasses.replace(span, high=span.high + 1)
            ranges = (wider, *cert.ranges[1:])
            yield "proof.ranges[0]", replace(result, certificate=replace(cert, ranges=ranges))
        other = "brute" if cert.algorithm != "brute" else "cpsat"
        yield "proof.algorithm", replace(result, certificate=replace(cert, algorithm=other))
        if cert.window is not None:
            window = dataclasses.replace(cert.window, low_closed=not cert.window.low_closed)
            yield "proof.window", replace(result, certificate=replace(cert, window=window))
            yield "proof.window=None", replace(result, certificate=replace(cert, window=None))


def honest_results() -> list[tuple[str, GAM, RedundancyResult]]:
    gam = small()
    out = []
    for feature in ("a", "d", "c"):
        for method in ("auto", "partial-sums", "cpsat", "brute"):
            result = is_redundant(gam, feature, method=method)
            out.append((f"{feature}-{method}-{result.holds}", gam, result))
    return out


HONEST = honest_results()


def test_the_honest_results_cover_both_answers() -> None:
    assert {r.holds for _, _, r in HONEST} == {True, False}
    assert {type(r.certificate) for _, _, r in HONEST} == {Witness, RedundancyProof}


@pytest.mark.parametrize(("name", "gam", "result"), HONEST, ids=[n for n, _, _ in HONEST])
def test_every_field_and_the_model_are_bound(name: str, gam: GAM, result: RedundancyResult) -> None:
    assert result.verify(gam)
    escaped = [what for what, forged in forgeries(result) if not rejects(forged, gam)]
    assert not escaped, f"{name}: verify accepts tampered {escaped}"
    for k, other in enumerate(tamper_models(gam)):
        assert rejects(result, other), f"{name}: verifies against tampered model {k}"


def test_verify_answers_false_on_garbage() -> None:
    gam = small()
    result = is_redundant(gam, "a")
    for junk in ("junk", 3, Witness(None, None, None, (None, None)), RedundancyProof("x")):  # type: ignore[arg-type]
        assert result.verify(gam) and not dataclasses.replace(result, certificate=junk).verify(gam)
    assert not result.verify("not a model")


def test_an_undecided_result_claims_nothing_and_verify_checks_just_that() -> None:
    gam, feature = big_subset_sum()
    stopped = is_redundant(gam, feature, method="partial-sums", max_states=8)
    assert stopped.status == "budget_exhausted" and not stopped.exact
    assert "undecided" in str(stopped) and stopped.certificate is None
    assert stopped.verify(gam)
    replace = dataclasses.replace
    for forged in (
        replace(stopped, holds=True),
        replace(stopped, exact=True),
        replace(stopped, status="solved"),
        replace(stopped, certificate=RedundancyProof("infeasible", algorithm="partial-sums")),
        replace(stopped, feature="x1"),
        replace(stopped, message=""),
        replace(stopped, model_digest=""),
    ):
        assert rejects(forged, gam)
    assert rejects(stopped, GAM(gam.features, gam.intercept + 1, gam.task))


# -- finding 10: the time limit holds over the whole call -----------------------------------------
@pytest.mark.parametrize(("domain", "component"), [("finite", "table"), ("interval", "spline")])
def test_finding10_time_limit_holds_on_hard_subset_sums(domain: str, component: str) -> None:
    pytest.importorskip("ortools")
    gam, _, extra = generate("fr", domain, component, n=30, seed=0)
    started = time.perf_counter()
    result = is_redundant(gam, extra["feature"], time_limit=1.0)
    elapsed = time.perf_counter() - started
    assert elapsed <= 1.5 * 1.0 + 0.5, elapsed
    assert result.status == "time_limit" and not result.exact and result.certificate is None
    assert "undecided" in str(result) and result.verify(gam)


def test_finding10_a_fallback_gets_only_the_time_that_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("ortools")
    from gamexplain.algorithms.redundancy import Outcome
    from gamexplain.complexity import registry

    def slow_then_exhausted(gam: GAM, feature: int, **options: Any) -> Outcome:
        time.sleep(0.9 * options["time_limit"])
        return Outcome(False, None, "budget_exhausted", "too many sums")

    key = ("fr", "partial-sums")
    slow = dataclasses.replace(registry._ALGORITHMS[key], func=slow_then_exhausted)
    monkeypatch.setitem(registry._ALGORITHMS, key, slow)
    gam, _, extra = generate("fr", "finite", "table", n=30, seed=0)
    started = time.perf_counter()
    result = is_redundant(gam, extra["feature"], time_limit=2.0)
    elapsed = time.perf_counter() - started
    assert elapsed <= 1.5 * 2.0 + 0.5, elapsed
    assert result.algorithm == "cpsat" and result.status == "time_limit" and result.verify(gam)


# -- every exact answer equals brute force and verifies -------------------------------------------
@given(
    gams(max_features=3, domain_kinds=("finite", "integers"), task=None, pairs=True),
    st.integers(0, 2),
)
def test_exact_answers_equal_brute_force_and_verify(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    reference = is_redundant(gam, i, method="brute")
    for method in ("auto", "partial-sums", "cpsat", "range", "continuous", "brute"):
        try:
            result = is_redundant(gam, i, method=method)
        except UnsupportedQueryError:
            continue
        assert result.exact and result.holds == reference.holds, method
        assert result.verify(gam), method
        assert rejects(dataclasses.replace(result, holds=not result.holds), gam)


@given(gams(max_features=3, domain_kinds=("interval", "integers")), st.integers(0, 2))
def test_exact_answers_on_pieces_verify(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    try:
        result = is_redundant(gam, i)
    except UnsupportedQueryError:
        return
    if result.exact:
        assert result.verify(gam)
        assert rejects(dataclasses.replace(result, holds=not result.holds), gam)
