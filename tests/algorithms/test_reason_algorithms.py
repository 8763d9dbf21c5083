"""The reason algorithms' own kernels against brute force."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gamexplain import GAM, Feature, Finite, Regression, Table, minimum_sufficient_reason
from gamexplain.algorithms.enumeration import minimal_covers
from gamexplain.algorithms.worst_case import lex_compare, lex_sum

weights = st.lists(
    st.one_of(
        st.integers(0, 4).map(lambda v: (Fraction(v, 2), 0)),
        st.integers(1, 4).map(lambda v: (Fraction(v, 2), -1)),  # unattained: v > 0
    ),
    max_size=6,
)


@given(weights=weights, threshold=st.integers(-1, 10), tie=st.integers(-1, 1), strict=st.booleans())
def test_minimal_covers_match_brute_force(
    weights: list[tuple[Fraction, int]], threshold: int, tie: int, strict: bool
) -> None:
    table = dict(enumerate(weights))
    target = (Fraction(threshold, 2), tie)

    def covers(total: tuple[Fraction, int]) -> bool:
        side = lex_compare(total, target)
        return side > 0 or (side == 0 and not strict)

    expected = set()
    for size in range(len(weights) + 1):
        for combo in itertools.combinations(range(len(weights)), size):
            chosen = frozenset(combo)
            if covers(lex_sum(table[i] for i in chosen)) and not any(
                covers(lex_sum(table[i] for i in chosen - {j})) for j in chosen
            ):
                expected.add(chosen)
    found = list(minimal_covers(table, covers))
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_pareto_time_limit_brackets_the_optimum() -> None:
    features = [
        Feature(f"f{i}", Finite(["lo", "mid", "hi"]), Table([-float(i % 3 + 1), 0.0, float(i % 4)]))
        for i in range(9)
    ]
    gam = GAM(features, task=Regression(tolerance=4.0))
    x = ["mid"] * 9
    exact = minimum_sufficient_reason(gam, x)
    cut = minimum_sufficient_reason(gam, x, time_limit=1e-9)
    assert exact.exact and exact.verify(gam)
    assert cut.status == "time_limit" and not cut.exact and cut.size_bounds is not None
    lower, upper = cut.size_bounds
    assert lower is not None and upper is not None
    assert lower <= exact.size <= upper == cut.size
    assert cut.kind == "subset-minimal" and cut.verify(gam)
