"""The MILP backend of the per-feature extremum against exact piece compilation."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import relu_nets

from gamexplain import Feature, Integers, Interval, InvalidParameterError, Layer, ReLUNet
from gamexplain.substrate.extremes import select_extremum_backend
from gamexplain.substrate.milp import relu_extremum
from gamexplain.substrate.primitives import contribution_max, contribution_min

TENT = ReLUNet([Layer([[1.0, 1.0]], [0.0, -1.0]), Layer([[1.0], [-2.0]], [0.0])])


@st.composite
def ranged_features(draw: st.DrawFn) -> Feature:
    low = draw(st.integers(-6, 3))
    high = draw(st.integers(low, 6))
    kind = draw(st.sampled_from(["interval", "integers"]))
    domain = Interval(low, high) if kind == "interval" else Integers(low, high)
    weight = draw(st.sampled_from([1.0, -1.0, 0.5, 0.0]))
    return Feature("x", domain, draw(relu_nets(max_depth=3, max_width=4)), weight)


def _check_against_pieces(feature: Feature) -> None:
    for primitive in (contribution_min, contribution_max):
        milp = primitive(feature, method="milp")
        pieces = primitive(feature, method="pieces")
        assert milp.backend == "milp" and pieces.backend == "pieces"
        assert milp.exact and milp.status == "solved"
        assert milp.value == pieces.value
        assert milp.lower == milp.upper == milp.value
        assert feature.domain.contains(milp.argument)
        assert feature.contribution_exact(milp.argument) == milp.value


@given(ranged_features())
@example(Feature("x", Interval(0, 3), TENT, -1.0))
@example(Feature("x", Integers(-2, 2), ReLUNet([Layer([[2.0]], [-1.0]), Layer([[1.0]], [0.0])])))
@example(Feature("x", Interval(1, 1), TENT))
def test_milp_extremes_equal_piece_extremes(feature: Feature) -> None:
    _check_against_pieces(feature)


@given(ranged_features(), st.sampled_from([0, 1, 3]), st.sampled_from([1, 4, 256]))
@example(Feature("x", Integers(-6, 6), TENT, -1.0), 0, 1)
@example(Feature("x", Integers(-6, 6), TENT), 3, 4)
def test_enumeration_and_bound_partitions_keep_the_extremes(
    feature: Feature, enumerate_limit: int, bound_leaves: int
) -> None:
    # short integer runs closed by evaluation, others by relaxations: same extremes
    for sense, primitive in ((1, contribution_max), (-1, contribution_min)):
        result = relu_extremum(
            feature.shape,
            feature.domain,
            sense,
            enumerate_limit=enumerate_limit,
            bound_leaves=bound_leaves,
        )
        reference = primitive(Feature("x", feature.domain, feature.shape), method="pieces")
        assert result.exact and result.value == reference.value
        assert feature.shape.evaluate_exact(result.argument) == result.value
        assert feature.domain.contains(result.argument)


def test_enumeration_switches_to_python_integers_past_int64() -> None:
    # products of 2^40 weights leave int64; the exact evaluation must not wrap around
    big = 2.0**40
    net = ReLUNet(
        [
            Layer([[big, -big]], [0.0, 3 * big]),
            Layer([[big], [big]], [-(big**2)]),
            Layer([[big]], [0.5]),
        ]
    )
    for sense, primitive in ((1, contribution_max), (-1, contribution_min)):
        result = relu_extremum(net, Integers(-20, 20), sense)
        reference = primitive(Feature("x", Integers(-20, 20), net), method="pieces")
        assert result.exact and result.value == reference.value
        assert net.evaluate_exact(result.argument) == result.value


def test_integer_domain_argument_is_integral() -> None:
    # the tent peaks at 1/3 on reals; on integers the best is at 0 or 1
    net = ReLUNet([Layer([[3.0, 3.0]], [0.0, -1.0]), Layer([[1.0], [-2.0]], [0.0])])
    result = relu_extremum(net, Integers(-4, 4))
    assert result.exact and result.argument.denominator == 1
    assert result.value == 0
    real = relu_extremum(net, Interval(-4, 4))
    assert real.value == 1 and real.argument == Fraction(1, 3)


def test_huge_integer_range_is_certified_without_enumeration() -> None:
    # floats cannot hold this range exactly (HiGHS may fail); the certificate still holds
    feature = Feature("x", Integers(-(2**60), 2**60), TENT)
    assert contribution_max(feature, method="milp").value == 1
    lowest = contribution_min(feature, method="milp")
    assert lowest.exact and lowest.value == 2 - 2**60 and lowest.argument == 2**60


def test_budget_exhaustion_reports_sound_bounds() -> None:
    wide = ReLUNet(
        [
            Layer([[1.0, -1.0, 0.5, -0.5]], [0.1, 0.2, -0.3, 0.4]),
            Layer([[1.0, -1.0], [0.5, 2.0], [-1.0, 1.0], [1.0, 1.0]], [0.0, -0.5]),
            Layer([[1.0], [-1.0]], [0.0]),
        ]
    )
    exact = relu_extremum(wide, Interval(-5, 5))
    limited = relu_extremum(wide, Interval(-5, 5), node_limit=1)
    assert limited.lower <= exact.value <= limited.upper
    assert limited.exact == (limited.lower == limited.upper)


def test_auto_switches_to_milp_past_the_piece_limit() -> None:
    feature = Feature("x", Interval(-3, 3), TENT)
    assert select_extremum_backend(feature).name == "pieces"
    choice = select_extremum_backend(feature, piece_limit=1)
    assert choice.name == "milp" and choice.theorem == "thm:relu-milp-extremes"


@pytest.mark.parametrize(
    "options", [{"enumerate_limit": -1}, {"enumerate_limit": 2.5}, {"bound_leaves": 0}]
)
def test_bad_budgets_are_rejected(options: dict[str, float]) -> None:
    with pytest.raises(InvalidParameterError):
        relu_extremum(TENT, Integers(0, 3), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("feature", "method"),
    [
        (Feature("x", Interval(0, 1), TENT), "simplex"),
        (Feature("x", Interval(0, 1), ReLUNet([Layer([[1.0]], [0.0])])), "milp"),
    ],
)
def test_bad_methods_are_rejected(feature: Feature, method: str) -> None:
    from gamexplain import Piecewise

    if method == "milp":
        feature = Feature("x", Interval(0, 1), Piecewise([0, 1], [[1.0, 2.0]]))
    with pytest.raises(InvalidParameterError):
        contribution_max(feature, method=method)  # type: ignore[arg-type]
