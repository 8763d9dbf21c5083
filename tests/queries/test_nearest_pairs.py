"""``witness="nearest"`` on models with pair terms, held against brute force over every
point (finite and integer domains) or every breakpoint and a point a hair below each
(intervals), with forged claims rejected by ``verify``."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import exact_points, gams, instances

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, Integers, Interval, Piecewise, Table
from gamexplain.algorithms import nearest_pairs
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.distance import APPROACH, feature_distance
from gamexplain.substrate import deadline

STEPS = ("table", "ebm")
HAIR = Fraction(1, 2**20)


def _breakpoints(gam: GAM, i: int) -> list[Fraction]:
    """Every end of a piece or pair bin of feature i inside its interval, the domain's
    ends, and a hair below each (the infimum of an open bin end is approached there)."""
    feature = gam.features[i]
    domain = feature.domain
    low, high = Fraction(domain.low), Fraction(domain.high)
    ends = {low, high}
    if isinstance(feature.shape, Piecewise):
        ends |= {Fraction(b) for b in feature.shape.breakpoints}
    for pair in gam.pairs:
        if i in pair.features:
            ends |= {Fraction(e) for e in pair.edges[pair.features.index(i)] or ()}
    near = ends | {e - HAIR for e in ends}
    return sorted(v for v in near if low <= v <= high)


def _points(gam: GAM, i: int, x: Any) -> list[Any]:
    feature = gam.features[i]
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return [int(v) for v in exact_points(feature)]
    return sorted({*_breakpoints(gam, i), Fraction(x)})


def _brute(gam: GAM, x: tuple[Any, ...], k: int, fixed: frozenset[int] = frozenset()) -> Any:
    """The least distance of a listed point changing at most k features, none of
    ``fixed``, that flips."""
    before = gam.predict_exact(x)
    best = None
    for point in itertools.product(*(_points(gam, i, x[i]) for i in range(gam.n_features))):
        parts = list(zip(gam.features, point, x, strict=True))
        moved = {i for i, (f, z, v) in enumerate(parts) if feature_distance(f.domain, z, v) > 0}
        if len(moved) > k or moved & fixed:
            continue
        after = gam.predict_exact(point)
        flipped = after != before
        if gam.task.kind == "regression":
            flipped = abs(Fraction(after) - Fraction(before)) > Fraction(gam.task.tolerance)
        if flipped:
            d = sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
            best = d if best is None else min(best, d)
    return best


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_pair_nearest_matches_brute_force_on_finite_and_integer_models(data: Any) -> None:
    gam = data.draw(
        gams(min_features=2, max_features=4, domain_kinds=("finite", "integers"),
             components=STEPS, pairs=True)
    )  # fmt: skip
    x = data.draw(instances(gam))
    fixed = data.draw(st.frozensets(st.integers(0, gam.n_features - 1), max_size=1))
    extreme = gx.minimum_contrastive_reason(gam, x, fixed=fixed)
    nearest = gx.minimum_contrastive_reason(gam, x, fixed=fixed, witness="nearest")
    assert nearest.verify(gam)
    if extreme.features is None:
        assert nearest.features is None and nearest.witness_kind == "extreme"
        return
    assert nearest.size == extreme.size and nearest.witness_kind == "nearest"
    assert nearest.exact and not {gam.feature_names[i] for i in fixed} & set(nearest.features)
    brute = _brute(gam, x, extreme.size, fixed)
    assert nearest.distance == nearest.certificate.nearest == brute


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_pair_nearest_on_intervals_matches_the_breakpoints_and_a_hair_below(data: Any) -> None:
    gam = data.draw(
        gams(min_features=2, max_features=3, domain_kinds=("interval", "finite", "integers"),
             components=STEPS, pairs=True)
    )  # fmt: skip
    x = data.draw(instances(gam))
    nearest = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert nearest.verify(gam)
    if nearest.features is None:
        return
    k = nearest.size
    infimum = nearest.certificate.nearest
    assert infimum <= nearest.distance <= infimum + k * APPROACH
    # the listed points are points: none flips closer than the infimum, and the
    # infimum's bins are reached at their ends or within a hair of them
    brute = _brute(gam, x, k)
    assert brute is not None and infimum <= brute <= infimum + k * HAIR
    # the witness is a flipping point that changes exactly the reason's features
    changed = {f for f, z, v in zip(gam.feature_names, nearest.witness, x, strict=True) if z != v}
    assert changed == set(nearest.features) and gam.predict_exact(
        nearest.witness
    ) != gam.predict_exact(x)


@st.composite
def deep_cases(draw: st.DrawFn) -> tuple[GAM, tuple[Any, ...]]:
    """A small pair model and an instance whose score sits a drawn share of the model's
    whole range away from the threshold, so that flips often need two or more features
    (and the pair terms between them)."""
    n = draw(st.integers(2, 3))
    values = st.integers(-4, 4).map(lambda v: v / 2)
    features, edges, x_list = [], [], []
    for i in range(n):
        kind = draw(st.sampled_from(["finite", "integers", "interval"]))
        if kind == "finite":
            features.append(Feature(f"f{i}", Finite(["a", "b", "c"]),
                                    Table([draw(values) for _ in range(3)])))  # fmt: skip
            edges.append(None)
            x_list.append(draw(st.sampled_from(["a", "b", "c"])))
            continue
        domain = Integers(0, 5) if kind == "integers" else Interval(0, 6)
        shape = Piecewise([0, 2, 4, 6], [[draw(values)] for _ in range(3)])
        features.append(Feature(f"f{i}", domain, shape))
        edges.append((0.0, 3.0, 6.0))
        x_list.append(draw(st.integers(0, 5)) if kind == "integers" else
                      draw(st.sampled_from([0.0, 1.5, 3.0, 4.5, 6.0])))  # fmt: skip
    terms = []
    for i, j in itertools.combinations(range(n), 2):
        shape = [3 if edges[k] is None else 2 for k in (i, j)]
        table = [[draw(values) for _ in range(shape[1])] for _ in range(shape[0])]
        terms.append(gx.PairTerm((i, j), (edges[i], edges[j]), table))
    gam = GAM(features, task=Classification(0.0), pairs=terms)
    x = tuple(x_list)
    # how far the score can fall from x: each feature to its lowest, each table its range
    falls = [float(f.contribution_exact(x[i]))
             - min(float(f.contribution_exact(v)) for v in _points(gam, i, x[i]))
             for i, f in enumerate(gam.features)]  # fmt: skip
    falls += [max(map(max, p.values)) - min(map(min, p.values)) for p in gam.pairs]
    share = draw(st.sampled_from([0.3, 0.5, 0.7, 0.85]))
    # x's score becomes that share of the fall (class 1): a flip must fall further
    intercept = gam.intercept - float(gam.score_exact(x)) + share * sum(falls)
    return GAM(gam.features, intercept=intercept, task=gam.task, pairs=gam.pairs), x


@settings(max_examples=40, deadline=None)
@given(case=deep_cases(), passes=st.sampled_from([0, 2, 8]))
def test_pair_nearest_branching_one_region_at_a_time_matches_brute_force(
    case: tuple[GAM, tuple[Any, ...]], passes: int
) -> None:
    """The branch and bound inside a set (conditioned bounds, dropped regions, splits)
    and the capped passes, forced to run on small models: one-region grids and, drawn,
    no capped pass or several; finite, integer and interval domains."""
    gam, x = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nearest_pairs, "GRID_LIMIT", 1)
        patch.setattr(nearest_pairs, "_PASSES", passes)
        nearest = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert nearest.verify(gam)
    if nearest.features is None:
        return
    assert nearest.exact and nearest.witness_kind == "nearest"
    infimum, k = nearest.certificate.nearest, nearest.size
    brute = _brute(gam, x, k)
    assert brute is not None
    if any(isinstance(f.domain, Interval) for f in gam.features):
        assert infimum <= brute <= infimum + k * HAIR
    else:
        assert nearest.distance == infimum == brute


def _paired() -> GAM:
    """a: bins [0, 1) → 0, [1, 2) → −1, [2, 4] → 1; b: a category; c: 0..10; a pair
    term on (a, c) that adds −2 when a ≥ 2 and c ≥ 5."""
    return GAM(
        [
            Feature("a", Interval(0, 4), Piecewise([0, 1, 2, 4], [[0.0], [-1.0], [1.0]])),
            Feature("b", Finite(["p", "q", "r"]), Table([0.0, -1.0, -2.5])),
            Feature("c", Integers(0, 10), Piecewise([0, 5, 11], [[0.0], [-0.5]])),
        ],
        intercept=1.0,
        task=Classification(threshold=0.0),
        pairs=[gx.PairTerm((0, 2), ((0, 2, 4), (0, 5, 10)), [[0.0, 0.0], [0.0, -2.0]])],
    )


def test_a_pair_term_makes_a_joint_move_the_nearest() -> None:
    gam = _paired()
    # x: a = 3 (1), b = p (0), c = 0 (0): score 2. Alone, a to [1, 2) (1/4 away) gives
    # 0 and keeps the class; b to r (1 away) gives −0.5; c to 5 (1/2 away) loses 0.5
    # from its main effect and 2 from the pair term with a at 3: −0.5, the nearest.
    x = (3, "p", 0)
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert result.verify(gam) and result.exact
    assert result.features == ("c",) and result.witness == (3, "p", 5)
    assert result.distance == result.certificate.nearest == Fraction(1, 2)
    # with c fixed, b to r is the only single change that flips
    fixed = gx.minimum_contrastive_reason(gam, x, witness="nearest", fixed=["c"])
    assert fixed.verify(gam) and fixed.features == ("b",) and fixed.distance == 1
    # with a at 0.5 (score 2, the pair term's other bin) c's move no longer flips
    other = gx.minimum_contrastive_reason(gam, (0.5, "p", 0), witness="nearest")
    assert other.verify(gam) and other.features == ("b",) and other.distance == 1


def test_forged_pair_nearest_claims_fail_verify() -> None:
    gam = _paired()
    result = gx.minimum_contrastive_reason(gam, (3, "p", 0), witness="nearest")
    cert = result.certificate
    forged = [
        dataclasses.replace(result, distance=Fraction(1, 5)),
        dataclasses.replace(result, witness_kind="extreme"),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, nearest=Fraction(1, 5))),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, nearest=Fraction(3, 5))),
        dataclasses.replace(result, certificate=dataclasses.replace(cert, nearest=None)),
        dataclasses.replace(result, exact=False, message="whatever"),
    ]
    for bad in forged:
        assert not bad.verify(gam)
    # b to r is the nearest flip once c is fixed; with c free, c to 5 flips closer, so
    # the same witness and infimum claimed for the free question are refused
    kept = gx.minimum_contrastive_reason(gam, (3, "p", 0), witness="nearest", fixed=["c"])
    assert kept.verify(gam) and not dataclasses.replace(kept, fixed=()).verify(gam)
    # a farther witness of the same reason still flips, but is not the nearest
    farther = (3, "p", 7)
    moved = dataclasses.replace(
        result, witness=farther, values=(7,), distance=Fraction(7, 10),
        certificate=dataclasses.replace(cert, witness=farther),
    )  # fmt: skip
    assert gam.predict_exact(farther) != gam.predict_exact((3, "p", 0))
    assert not moved.verify(gam)


def test_a_stopped_pair_search_returns_the_closest_found_and_says_so(monkeypatch: Any) -> None:
    gam = _paired()
    real = nearest_pairs.pair_nearest_witness

    def hurried(*args: Any) -> Any:
        with deadline.limit(0.0):
            return real(*args)

    monkeypatch.setattr("gamexplain.queries.reasons.pair_nearest_witness", hurried)
    result = gx.minimum_contrastive_reason(gam, (3, "p", 0), witness="nearest")
    assert result.witness_kind == "nearest" and not result.exact
    assert result.certificate.nearest is None and "time limit" in result.message
    assert result.distance is not None and result.verify(gam)
    assert not dataclasses.replace(result, exact=True, message="").verify(gam)


def test_a_curved_feature_in_a_pair_model_is_refused_with_its_name() -> None:
    gam = _paired()
    curved = GAM(
        [*gam.features[:2], Feature("c", Integers(0, 10), Piecewise([0, 11], [[0.0, -0.5]]))],
        intercept=1.5,
        task=gam.task,
        pairs=[gx.PairTerm((0, 1), ((0, 2, 4), None), [[0.0, 0.0, 0.0], [0.0, -2.0, 0.0]])],
    )
    with pytest.raises(UnsupportedQueryError, match=r"'c'.*degree 1"):
        gx.minimum_contrastive_reason(curved, (3, "p", 0), witness="nearest")


# a held-out breast-cancer row (the lead's split, row 1): one feature flips it
HELD_OUT = (13.21, 25.25, 84.1, 537.9, 0.08791, 0.05205, 0.02772, 0.02068, 0.1619, 0.05584,
            0.2084, 1.35, 1.314, 17.58, 0.005768, 0.008082, 0.0151, 0.006451, 0.01347,
            0.001828, 14.35, 34.23, 91.29, 632.9, 0.1289, 0.1063, 0.139, 0.06005, 0.2444,
            0.06788)  # fmt: skip


def test_a_default_ebm_row_gets_its_nearest_witness_verified() -> None:
    from gamexplain.examples import example_path

    gam = gx.load(example_path("breast_cancer_default_ebm"))
    result = gx.minimum_contrastive_reason(gam, HELD_OUT, witness="nearest")
    assert result.exact and result.witness_kind == "nearest" and result.size == 1
    assert result.distance == result.certificate.nearest and result.verify(gam)
    extreme = gx.minimum_contrastive_reason(gam, HELD_OUT)
    parts = zip(gam.features, extreme.witness, HELD_OUT, strict=True)
    assert result.distance <= sum(feature_distance(f.domain, z, v) for f, z, v in parts)
