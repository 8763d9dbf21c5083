"""The reductions of the hard cells, held against brute force on the source problems.

Each property draws a small instance of the classic problem, solves it by enumeration,
and checks that the gamexplain question on the reduced model gives the same answer —
both ways: yes-instances and no-instances are both drawn — with a certificate that
passes ``verify``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gamexplain import (
    Feature,
    Interval,
    completion_fraction,
    is_redundant,
    is_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    shap_values,
)
from gamexplain.errors import InvalidParameterError
from gamexplain.lab.reductions import (
    assignment_of,
    cnf_count_to_shap,
    cnf_to_nam,
    cnf_to_relu_net,
    count_models,
    knapsack_count_to_completion,
    subset_sum_to_redundancy,
    unpenalised_cnf_to_nam,
)
from gamexplain.substrate.primitives import contribution_max

#: Two variables, every sign pattern excluded: unsatisfiable, but 3/2 fools the gadget.
ALL_PATTERNS = [[1, 2], [-1, -2], [1, -2], [-1, 2]]

weights = st.lists(st.integers(1, 9), min_size=1, max_size=5)


def subsets(items: list[int]) -> list[tuple[int, ...]]:
    return [c for k in range(len(items) + 1) for c in itertools.combinations(items, k)]


@st.composite
def cnfs(draw: st.DrawFn, max_vars: int = 3, max_clauses: int = 5) -> tuple[list[list[int]], int]:
    n = draw(st.integers(1, max_vars))
    literal = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    clause = st.lists(literal, min_size=1, max_size=3)
    return draw(st.lists(clause, min_size=1, max_size=max_clauses)), n


def satisfied(clauses: list[list[int]], assignment: tuple[bool, ...]) -> bool:
    return all(any((lit > 0) == assignment[abs(lit) - 1] for lit in c) for c in clauses)


def brute_models(clauses: list[list[int]], n: int) -> int:
    return sum(satisfied(clauses, a) for a in itertools.product([False, True], repeat=n))


@given(weights, st.integers(0, 30))
@example([3, 5], 4)
@example([3, 5], 8)
def test_subset_sum_decides_redundancy(items: list[int], target: int) -> None:
    gam, feature = subset_sum_to_redundancy(items, target)
    result = is_redundant(gam, feature)
    hit = any(sum(c) == target for c in subsets(items))
    assert result.holds is not hit
    assert result.exact and result.verify(gam)


@given(weights, st.integers(0, 30))
@example([4, 4, 4], 8)
def test_knapsack_count_is_completion_fraction(items: list[int], capacity: int) -> None:
    gam, x, S = knapsack_count_to_completion(items, capacity)
    result = completion_fraction(gam, x, S)
    count = sum(sum(items[j] for j in c) <= capacity for c in subsets(list(range(len(items)))))
    assert result.exact and result.verify(gam)
    assert result.exact_fraction * 2 ** len(items) == count


@given(weights.filter(lambda w: len(w) <= 4), st.integers(0, 20))
def test_knapsack_count_through_shap_of_the_label(items: list[int], capacity: int) -> None:
    gam, x, _ = knapsack_count_to_completion(items, capacity)
    result = shap_values(gam, x, output="label")
    count = sum(sum(items[j] for j in c) <= capacity for c in subsets(list(range(len(items)))))
    assert result.exact and result.verify(gam)
    assert (1 - sum(result.exact_values)) * 2 ** len(items) == count


@given(cnfs(), st.sampled_from(["integers", "interval"]))
@example(([[1], [-1]], 1), "interval")
@example((ALL_PATTERNS, 2), "interval")
@example(([[1, -2], [2]], 2), "integers")
def test_cnf_decides_reasons_of_a_nam(cnf: tuple[list[list[int]], int], domain: str) -> None:
    clauses, n = cnf
    gam, x = cnf_to_nam(clauses, n, domain)  # type: ignore[arg-type]
    sat = brute_models(clauses, n) > 0
    csr = is_sufficient_reason(gam, x, [])
    assert csr.holds is not sat and csr.verify(gam)
    msr = minimum_sufficient_reason(gam, x)
    assert (len(msr.features) == 0) is not sat and msr.verify(gam)
    mcr = minimum_contrastive_reason(gam, x)
    assert mcr.exists is sat and mcr.verify(gam)
    if sat:
        r = mcr.witness[0]
        assert Fraction(r).denominator == 1
        assert satisfied(clauses, assignment_of(r, n))


@given(cnfs(max_vars=4))
@example(([[1, 2]], 2))
def test_shap_of_the_score_counts_models(cnf: tuple[list[list[int]], int]) -> None:
    clauses, n = cnf
    gam, x = cnf_count_to_shap(clauses, n)
    result = shap_values(gam, x)
    assert result.exact and result.verify(gam)
    phi = result.exact_values[0]
    assert 2**n * (gam.score_exact(x) - phi + Fraction(1, 2)) == brute_models(clauses, n)
    assert count_models(clauses, n) == brute_models(clauses, n)


def test_unpenalised_gadget_accepts_an_unsatisfiable_formula() -> None:
    """Search the small CNFs for one the gadget without penalty wrongly accepts."""
    fooled = None
    clause_pool = [list(c) for k in (1, 2) for c in itertools.product([1, -1, 2, -2], repeat=k)]
    clause_pool = [c for c in clause_pool if len({abs(v) for v in c}) == len(c)]
    for m in range(1, 5):
        for clauses in itertools.combinations(clause_pool, m):
            formula = [list(c) for c in clauses]
            if brute_models(formula, 2):
                continue
            gam, x = unpenalised_cnf_to_nam(formula, 2)
            if not is_sufficient_reason(gam, x, []):
                fooled = formula
                break
        if fooled:
            break
    assert fooled is not None
    gam, x = unpenalised_cnf_to_nam(fooled, 2)
    witness = minimum_contrastive_reason(gam, x).witness
    assert witness is not None and Fraction(witness[0]).denominator != 1
    penalised, _ = cnf_to_nam(fooled, 2, "interval")
    assert is_sufficient_reason(penalised, x, [])


def test_pinned_unsatisfiable_formula_fools_the_unpenalised_gadget() -> None:
    gam, _x = unpenalised_cnf_to_nam(ALL_PATTERNS, 2)
    assert gam.predict_exact([Fraction(3, 2), 1]) == 1
    assert brute_models(ALL_PATTERNS, 2) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: subset_sum_to_redundancy([], 3), "'weights' parameter of subset_sum"),
        (lambda: subset_sum_to_redundancy([1, 0], 3), "positive integers"),
        (lambda: subset_sum_to_redundancy([1], -1), "'target'"),
        (lambda: knapsack_count_to_completion([2], 1.5), "'capacity'"),  # type: ignore[arg-type]
        (lambda: cnf_to_nam([[1]], 1, "reals"), "'domain' parameter of cnf_to_nam"),  # type: ignore[arg-type]
        (lambda: cnf_to_nam([[3]], 2), "clause 0"),
        (lambda: cnf_count_to_shap([], 2), "at least one clause"),
    ],
)
def test_bad_source_instances_are_rejected(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameterError, match=message):
        call()


@given(
    st.integers(1, 3).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.lists(
                    st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v])),
                    min_size=4,
                    max_size=6,
                ),
                min_size=1,
                max_size=3,
            ),
            st.just(n),
        )
    )
)
def test_penalty_scales_with_the_widest_clause(cnf: tuple[list[list[int]], int]) -> None:
    clauses, n = cnf
    net = cnf_to_relu_net(clauses, n, interval_penalty=True)
    feature = Feature("r", Interval(0, 2**n - 1), net)
    satisfiable = count_models(clauses, n) > 0
    assert (contribution_max(feature).value >= 0) == satisfiable
