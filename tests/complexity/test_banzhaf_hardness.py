"""Banzhaf values of the label count knapsack solutions (``thm:shap-label-sharp-p``).

The construction of ``proofs/shap.md``: knapsack weights a_1..a_m and capacity C, a
pivot feature p and one binary feature per item, L = Σ a_j + C + 1 and M = C + m·L + 1.
Model G_k classifies 1 iff M·p + C + k·L − M − Σ_j (a_j + L)·z_j ≥ 0, so class 1 needs
p = 1 and then means: fewer than k items, or exactly k items of weight at most C. At
x = (p = 1, z = 0) the Banzhaf value β_k of the pivot satisfies

    2^(2m+1)·β_k = Σ_{j<k} C(m, j)·3^(m−j) + N_k·3^(m−k),

N_k the number of knapsack solutions with exactly k items. The tests run the
construction on every domain kind and component class of the cell and recover every
N_k, hence the count, from gamexplain's exact Banzhaf values.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Layer,
    Piecewise,
    ReLUNet,
    Table,
    banzhaf_values,
)
from gamexplain.complexity.registry import question_cell

#: (domain kind, component) of every cell the test builds the reduction in.
KINDS = (
    ("finite", "table"),
    ("finite", "nam"),
    ("integers", "ebm"),
    ("integers", "spline"),
    ("integers", "nam"),
    ("interval", "ebm"),
    ("interval", "spline"),
)


def bit(name: str, kind: tuple[str, str], value: int, slope: float) -> tuple[Feature, Any, Any]:
    """A feature whose contribution is ``value`` on its "one" values and 0 on its "zero"
    values (up to ``slope`` per unit for an interval spline, which needs a degree ≥ 1);
    returned with a zero value and a one value."""
    domain, component = kind
    if domain == "interval":
        pieces = [[0.0], [1.0]] if component == "ebm" else [[0.0, slope], [1.0, slope]]
        shape = Piecewise([0, 1, 2], pieces)
        return (
            Feature(name, Interval(0, 2), shape, weight=float(value)),
            Fraction(1, 2),
            Fraction(3, 2),
        )
    support = Finite([0, 1]) if domain == "finite" else Integers(0, 1)
    if component == "table":
        return Feature(name, support, Table([0.0, float(value)])), 0, 1
    shapes: dict[str, Piecewise | ReLUNet] = {
        "ebm": Piecewise([0, 1, 2], [[0.0], [1.0]]),
        "spline": Piecewise([0, 1], [[0.0, 1.0]]),
        "nam": ReLUNet([Layer([[1.0]], [0.0]), Layer([[1.0]], [0.0])]),
    }
    return Feature(name, support, shapes[component], weight=float(value)), 0, 1


def pivot_model(
    items: list[int], capacity: int, k: int, kind: tuple[str, str]
) -> tuple[GAM, tuple[Any, ...]]:
    """G_k of the module docstring, and x = (p = 1, z = 0)."""
    m = len(items)
    big_l = sum(items) + capacity + 1
    big_m = capacity + m * big_l + 1
    # an interval spline moves each contribution by less than 1/(4(m + 1)); the offset
    # 1/2 keeps the integer scores of the step model on the same side of 0
    slope = 1 / (4 * (m + 1) * big_m)
    offset = 0.5 if kind == ("interval", "spline") else 0.0
    pivot = bit("p", kind, big_m, slope)
    items_ = [bit(f"z{j}", kind, -(a + big_l), slope) for j, a in enumerate(items, start=1)]
    features = [pivot, *items_]
    gam = GAM(
        [f for f, _, _ in features],
        intercept=capacity + k * big_l - big_m + offset,
        task=Classification(0.0, ">="),
    )
    return gam, (pivot[2], *(zero for _, zero, _ in items_))


def solutions_by_size(items: list[int], capacity: int) -> list[int]:
    m = len(items)
    return [sum(sum(c) <= capacity for c in itertools.combinations(items, k)) for k in range(m + 1)]


@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=4),
    st.integers(0, 25),
    st.sampled_from(KINDS),
)
@example([4, 4, 4], 8, ("finite", "table"))  # ties: subsets of weight exactly C count
@example([5], 0, ("interval", "spline"))  # only the empty set fits
@example([1, 2, 3], 6, ("integers", "nam"))  # every subset fits
def test_banzhaf_of_the_label_counts_knapsack_solutions(
    items: list[int], capacity: int, kind: tuple[str, str]
) -> None:
    m = len(items)
    recovered = []
    for k in range(m + 1):
        gam, x = pivot_model(items, capacity, k, kind)
        assert question_cell(gam, "banzhaf-label").theorem == "thm:shap-label-sharp-p"
        result = banzhaf_values(gam, x, output="label")
        assert result.exact and result.verify(gam)
        assert result.exact_values is not None
        scaled = result.exact_values[0] * 2 ** (2 * m + 1)
        below = sum(comb(m, j) * 3 ** (m - j) for j in range(k))
        n_k = (scaled - below) / Fraction(3 ** (m - k))
        assert n_k.denominator == 1
        recovered.append(int(n_k))
    assert recovered == solutions_by_size(items, capacity)
    count = sum(sum(c) <= capacity for r in range(m + 1) for c in itertools.combinations(items, r))
    assert sum(recovered) == count
