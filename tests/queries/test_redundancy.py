"""Feature redundancy: every algorithm against brute force, every result re-verified."""

from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import gams, tasks

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    InvalidParameterError,
    PairTerm,
    Piecewise,
    Regression,
    Table,
    UnsupportedQueryError,
    is_redundant,
)
from gamexplain.complexity.registry import registered_algorithms
from gamexplain.substrate.pieces import Segment, lower

METHODS = (
    "range", "continuous", "images", "partial-sums", "pair-moves", "cpsat", "pair-boxes", "brute"
)
PROOFS = Path(__file__).resolve().parents[2] / "proofs" / "redundancy.md"


def answers(gam: GAM, i: int) -> dict[str, bool]:
    """The answer of every algorithm that accepts the model; each result must verify."""
    found = {}
    for method in METHODS:
        try:
            result = is_redundant(gam, i, method=method)
        except UnsupportedQueryError:
            continue
        assert result.status == "solved" and result.exact
        assert result.verify(gam), (method, result)
        assert bool(result) == result.holds
        found[method] = result.holds
    return found


def table_gam(tables: list[list[float]], intercept: float, task: Any) -> GAM:
    feats = [Feature(f"f{j}", Finite(list(range(len(t)))), Table(t)) for j, t in enumerate(tables)]
    return GAM(feats, intercept, task)


# -- every algorithm equals brute force --------------------------------------------------------
@given(gams(max_features=4, domain_kinds=("finite", "integers")), st.integers(0, 3))
@example(table_gam([[0.0, 1.0]], 0.0, Classification(1.0, ">=")), 0)
@example(table_gam([[0.0, 1.0]], 0.0, Classification(1.0, ">")), 0)
@example(table_gam([[0.0, 0.0], [1.0, -1.0]], 0.5, Classification(0.0)), 0)
@example(table_gam([[2.0, 2.0, 2.0]], -1.0, Regression(0.0)), 0)
@example(table_gam([[0.0, 1.0], [0.0, 0.5]], 0.0, Regression(0.5)), 0)
def test_discrete_algorithms_equal_brute_force(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    found = answers(gam, i)
    assert "brute" in found
    assert set(found.values()) == {found["brute"]}, found


@given(
    gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"), pairs=True),
    st.integers(0, 3),
)
def test_pair_terms_cpsat_equals_brute_force(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    found = answers(gam, i)
    assert "brute" in found
    if gam.pairs:
        assert found.keys() <= {"pair-moves", "cpsat", "pair-boxes", "brute"}
    assert set(found.values()) == {found["brute"]}, found


def surrogate(gam: GAM) -> GAM:
    """The same model with every step function on an interval replaced by a finite feature
    holding one point per piece (a step piece takes one value, attained at its left end)."""
    feats = []
    for feature in gam.features:
        if isinstance(feature.domain, Interval):
            points = sorted({s.low for s in lower(feature) if isinstance(s, Segment)})
            feature = Feature(
                feature.name, Finite([float(p) for p in points]), feature.shape, feature.weight
            )
        feats.append(feature)
    return GAM(feats, gam.intercept, gam.task)


@given(gams(max_features=4, components=("table", "ebm")), st.integers(0, 3))
def test_step_functions_on_intervals_equal_brute_force_on_their_pieces(gam: GAM, pick: int) -> None:
    i = pick % gam.n_features
    reference = is_redundant(surrogate(gam), i, method="brute").holds
    found = answers(gam, i)
    assert found and set(found.values()) == {reference}, found


def grid(feature: Feature) -> list[Any]:
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    low, high = Fraction(domain.low), Fraction(domain.high)
    points = {low + (high - low) * Fraction(k, 6) for k in range(7)}
    if isinstance(feature.shape, Piecewise):
        points |= {Fraction(b) for b in feature.shape.breakpoints if low <= b <= high}
    return sorted(points)


def grid_flips(gam: GAM, i: int) -> bool:
    """Whether some grid point lets feature i change the output (a sound lower bound)."""
    axes = [grid(f) for f in gam.features]
    for rest in itertools.product(*[[None] if j == i else a for j, a in enumerate(axes)]):
        point = list(rest)
        scores = []
        for v in axes[i]:
            point[i] = v
            scores.append(gam.score_exact(point))
        if isinstance(gam.task, Classification):
            if len({gam.task.label_exact(s) for s in scores}) > 1:
                return True
        elif max(scores) - min(scores) > Fraction(gam.task.tolerance):
            return True
    return False


@given(
    gams(max_features=3, domain_kinds=("interval",), components=("spline", "nam")),
    st.integers(0, 3),
)
@example(
    GAM(
        [Feature("a", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0], [0.0]]))],
        0.0,
        Classification(0.5),
    ),
    0,
)
@example(
    GAM(
        [Feature("a", Interval(0, 2), Piecewise([0, 1, 2], [[0.0, 1.0], [0.0]]))],
        0.0,
        Classification(1.0),
    ),
    0,
)
def test_interval_algorithms_agree_and_cover_the_grid(gam: GAM, pick: int) -> None:
    agree_and_cover_the_grid(gam, pick % gam.n_features)


@given(gams(max_features=3, task=tasks), st.integers(0, 3))
def test_mixed_models_algorithms_agree_and_cover_the_grid(gam: GAM, pick: int) -> None:
    agree_and_cover_the_grid(gam, pick % gam.n_features)


def agree_and_cover_the_grid(gam: GAM, i: int) -> None:
    found = answers(gam, i)
    assert found and len(set(found.values())) == 1, found
    if grid_flips(gam, i):
        assert not next(iter(found.values()))


# -- edge cases ----------------------------------------------------------------------------------
@pytest.mark.parametrize("positive, expected", [(">=", False), (">", True)])
def test_tie_at_the_threshold(positive: str, expected: bool) -> None:
    gam = table_gam([[0.0, 1.0], [0.0, 0.0]], 0.0, Classification(1.0, positive))  # type: ignore[arg-type]
    for method in ("partial-sums", "cpsat", "brute"):
        assert is_redundant(gam, 0, method=method).holds is expected


def test_unattained_supremum() -> None:
    # on [0, 1) the contribution approaches 1 without reaching it
    shape = Piecewise([0, 1, 2], [[0.0, 1.0], [0.0]])
    for threshold, expected in ((1.0, True), (0.5, False), (0.0, True), (1e-9, False)):
        gam = GAM([Feature("a", Interval(0, 2), shape)], 0.0, Classification(threshold))
        result = is_redundant(gam, "a")
        assert result.holds is expected and result.verify(gam)


@given(gams(max_features=4, task=tasks))
def test_constant_models_make_every_feature_redundant(gam: GAM) -> None:
    flat = GAM(
        [Feature(f.name, Finite([0, 1]), Table([1.5, 1.5])) for f in gam.features],
        gam.intercept,
        gam.task,
    )
    for i in range(flat.n_features):
        result = is_redundant(flat, i)
        assert result.holds and result.verify(flat)


def test_regression_witness_and_range() -> None:
    gam = table_gam([[0.0, 1.0, 0.25], [3.0, -2.0]], 0.0, Regression(0.5))
    result = is_redundant(gam, 0)
    assert result.algorithm == "range" and not result.holds and result.verify(gam)
    assert "score" in str(result)
    tolerant = table_gam([[0.0, 1.0, 0.25], [3.0, -2.0]], 0.0, Regression(1.0))
    assert is_redundant(tolerant, 0).holds


# -- the subset-sum reduction (THEORY §4) --------------------------------------------------------
def subset_sum_gam(weights: list[int], target: int) -> GAM:
    """step(Σ a_j x_j + x_0 − (T + 1)) over {0, 1}^(m+1): feature 0 is not redundant iff
    some subset of the weights sums to exactly T."""
    feats = [Feature("x0", Finite([0, 1]), Table([0.0, 1.0]))]
    feats += [
        Feature(f"x{j + 1}", Finite([0, 1]), Table([0.0, float(a)])) for j, a in enumerate(weights)
    ]
    return GAM(feats, 0.0, Classification(float(target + 1), ">="))


@given(st.lists(st.integers(1, 30), min_size=1, max_size=7), st.integers(0, 120))
@example([3, 5, 7], 12)
@example([3, 5, 7], 11)
def test_subset_sum_reduction(weights: list[int], target: int) -> None:
    solvable = any(
        sum(c) == target
        for r in range(len(weights) + 1)
        for c in itertools.combinations(weights, r)
    )
    gam = subset_sum_gam(weights, target)
    for method in ("partial-sums", "cpsat", "brute"):
        result = is_redundant(gam, "x0", method=method)
        assert result.holds is not solvable and result.verify(gam)


def jump_spline_gam(weights: list[int], target: int) -> GAM:
    """The reduction with splines that jump: on [0, 3] feature j ≥ 1 is 0, then a_j, then a
    line far below the threshold (which never lets x0 matter); x0 is 0, then 1, then the
    line from 0 to 1. So x0 matters iff the others can sum to exactly T."""
    low = -float(sum(weights) + target + 4)

    def feature(name: str, pieces: list[list[float]]) -> Feature:
        return Feature(name, Interval(0, 3), Piecewise([0, 1, 2, 3], pieces))

    feats = [feature("x0", [[0.0], [1.0], [0.0, 1.0]])]
    feats += [feature(f"x{j + 1}", [[0.0], [float(a)], [low, 1.0]]) for j, a in enumerate(weights)]
    return GAM(feats, 0.0, Classification(float(target + 1)))


@given(st.lists(st.integers(1, 12), min_size=1, max_size=4), st.integers(0, 40))
@example([3, 5], 8)
def test_splines_with_jumps_encode_subset_sum(weights: list[int], target: int) -> None:
    solvable = any(
        sum(c) == target
        for r in range(len(weights) + 1)
        for c in itertools.combinations(weights, r)
    )
    gam = jump_spline_gam(weights, target)
    assert all(f.component == "spline" for f in gam.features)
    with pytest.raises(UnsupportedQueryError, match="jumps"):
        is_redundant(gam, 0, method="continuous")
    found = answers(gam, 0)
    assert found and set(found.values()) == {not solvable}


def test_budget_exhausted_is_not_an_answer_and_auto_falls_back() -> None:
    gam = subset_sum_gam([2, 4, 8, 16, 32, 64, 128], 101)
    stopped = is_redundant(gam, 0, method="partial-sums", max_states=8)
    assert stopped.status == "budget_exhausted" and not stopped.exact
    # undecided claims nothing, and verify confirms just that
    assert not stopped.holds and stopped.certificate is None and stopped.verify(gam)
    assert "undecided" in str(stopped)
    result = is_redundant(gam, 0, max_states=8)
    assert result.status == "solved" and result.algorithm != "partial-sums"
    assert result.holds and result.verify(gam)


def test_time_limit_is_reported_or_the_answer_is_exact() -> None:
    rng = random.Random(7)
    weights = [rng.randrange(2**30, 2**31) for _ in range(40)]
    gam = subset_sum_gam(weights, sum(weights) // 2)
    result = is_redundant(gam, 0, method="cpsat", time_limit=0.05)
    assert result.exact is (result.status == "solved")
    if result.status == "solved":
        assert result.verify(gam)
    else:
        assert result.status == "time_limit" and not result.holds


# -- pairs, refusal, parameters, text --------------------------------------------------------------
def test_pairs_on_real_pieces_are_refused() -> None:
    feats = [
        Feature("a", Interval(0, 2), Piecewise([0, 2], [[0.0, 1.0]])),
        Feature("b", Interval(0, 2), Piecewise([0, 2], [[0.0, 1.0]])),
    ]
    pair = PairTerm((0, 1), ([0.0, 1.0, 2.0], [0.0, 2.0]), [[0.0], [1.0]])
    gam = GAM(feats, 0.0, Classification(1.0), pairs=[pair])
    with pytest.raises(UnsupportedQueryError):
        is_redundant(gam, 0)
    with pytest.raises(UnsupportedQueryError):
        is_redundant(gam, 0, method="partial-sums")


def test_a_pair_term_can_make_a_feature_matter() -> None:
    feats = [Feature(n, Finite([0, 1]), Table([0.0, 0.0])) for n in ("a", "b")]
    pair = PairTerm((0, 1), (None, None), [[0.0, 0.0], [0.0, 2.0]])
    gam = GAM(feats, -1.0, Classification(0.0), pairs=[pair])
    for method in ("auto", "cpsat", "brute"):
        result = is_redundant(gam, "a", method=method)
        assert not result.holds and result.verify(gam)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"method": "foo"}, "method"),
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": float("nan")}, "time_limit"),
        ({"max_states": 0}, "max_states"),
        ({"max_states": True}, "max_states"),
    ],
)
def test_bad_parameters(kwargs: dict[str, Any], parameter: str) -> None:
    gam = table_gam([[0.0, 1.0]], 0.0, Classification(0.5))
    with pytest.raises(InvalidParameterError, match=f"'{parameter}' parameter of is_redundant"):
        is_redundant(gam, 0, **kwargs)


def test_bad_feature_and_model() -> None:
    gam = table_gam([[0.0, 1.0]], 0.0, Classification(0.5))
    for feature in ("nope", 3, 1.5):
        with pytest.raises(InvalidParameterError, match="'feature' parameter"):
            is_redundant(gam, feature)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'gam' parameter"):
        is_redundant("model", 0)  # type: ignore[arg-type]


def test_named_method_outside_its_cell_is_refused() -> None:
    gam = table_gam([[0.0, 1.0]], 0.0, Classification(0.5))
    with pytest.raises(UnsupportedQueryError):
        is_redundant(gam, 0, method="continuous")


def test_text() -> None:
    gam = GAM(
        [
            Feature("age", Finite([30, 60]), Table([1.0, -1.0])),
            Feature("income", Finite([0, 1]), Table([0.0, 0.25])),
        ],
        0.0,
        Classification(0.0),
    )
    assert str(is_redundant(gam, "income")) == (
        "income is redundant: no change of income alone ever changes the prediction"
    )
    assert str(is_redundant(gam, "age")) == (
        "age is not redundant: at x=(income=0), age 30 gives class 1 and age 60 gives class 0"
    )


def test_every_theorem_has_a_proof_section() -> None:
    text = "".join((PROOFS.parent / name).read_text()
                   for name in (PROOFS.name, "pairs.md", "multiclass.md"))  # fmt: skip
    theorems = {s.theorem for s in registered_algorithms("fr")} | {"thm:fr-conp"}
    for theorem in theorems:
        assert re.search(rf"^## {re.escape(theorem)}$", text, re.MULTILINE), theorem
