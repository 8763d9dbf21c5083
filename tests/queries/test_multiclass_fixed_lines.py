"""Fixed predictions toward a class of a multiclass model whose separable features have
linear pieces on real intervals: decided exactly (Fourier–Motzkin per choice of pieces),
held to a rational grid of the definition, to the witness and to the independent check."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import (
    GAM,
    ActionSet,
    Feature,
    Interval,
    Multiclass,
    MulticlassGAM,
    Piecewise,
    Regression,
    is_fixed,
    responsiveness_scores,
)
from gamexplain.substrate.linear_systems import Inequality, feasible_point
from tests.queries.test_responsiveness import elements

GRID = 4  # grid points per unit


@st.composite
def linear_multiclass(draw: st.DrawFn) -> MulticlassGAM:
    """K score models over 1–2 interval features sharing integer breakpoints, each piece
    a line with small integer-and-half numbers (ties between classes are frequent)."""
    n = draw(st.integers(1, 2))
    k = draw(st.integers(3, 4))
    shapes = []
    for _ in range(n):
        low = draw(st.integers(-2, 0))
        high = draw(st.integers(low + 1, 2))
        inner = draw(st.lists(st.integers(low + 1, high - 1), unique=True, max_size=2)) \
            if high - low >= 2 else []  # fmt: skip
        shapes.append((low, high, [low, *sorted(inner), high]))
    numbers = st.integers(-4, 4).map(lambda v: v / 2)
    scores = []
    for _ in range(k):
        feats = [Feature(f"f{i}", Interval(low, high),
                         Piecewise(cuts, [[draw(numbers), draw(numbers)] for _ in cuts[1:]]))
                 for i, (low, high, cuts) in enumerate(shapes)]  # fmt: skip
        scores.append(GAM(feats, draw(numbers), Regression()))
    return MulticlassGAM(Multiclass([f"c{c}" for c in range(k)]), scores)


def grid_winner(gam: Any, x: tuple[Any, ...], actions: ActionSet, meets: Any) -> Any:
    """A point of a rational grid (every 1/GRID, and x's values) of R(x) meeting the
    target by the definition, or None."""
    axes = []
    for j, feature in enumerate(gam.features):
        low, high = int(feature.domain.low), int(feature.domain.high)
        values = {Fraction(v, GRID) for v in range(low * GRID, high * GRID + 1)}
        axes.append(sorted(values | {Fraction(x[j])}))
    for point in itertools.product(*axes):
        if actions.admits(x, list(point)) and meets(gam.predict_index(point)):
            return point
    return None


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_fixed_toward_a_class_on_linear_pieces(data: Any) -> None:
    gam = data.draw(linear_multiclass())
    x = tuple(float(data.draw(st.integers(int(f.domain.low) * 2, int(f.domain.high) * 2))) / 2
              for f in gam.features)  # fmt: skip
    chosen = {f.name: data.draw(elements(f.domain)) for f in gam.features
              if data.draw(st.booleans())}  # fmt: skip
    actions = ActionSet.from_gam(gam).with_features(chosen)
    target = data.draw(st.none() | st.sampled_from(gam.classes))
    predicted = gam.predict_index(x)
    wanted = None if target is None else gam.class_index(target)
    meets = (lambda c: c != predicted) if wanted is None else (lambda c: c == wanted)
    result = responsiveness_scores(gam, x, actions, target=target)
    assert result.exact and result.fixed is not None and not result.message
    assert result.verify(gam)
    decision = is_fixed(gam, x, actions, target=target)
    assert decision.holds == result.fixed and decision.verify(gam)
    if grid_winner(gam, x, actions, meets) is not None:
        assert not decision.holds  # a grid point of R(x) reaches the target
    if not decision.holds:
        assert decision.witness is not None and actions.admits(x, list(decision.witness))
        assert meets(gam.predict_index(decision.witness))
    flipped = dataclasses.replace(result, fixed=not result.fixed)
    assert not flipped.verify(gam)


def _line_model(slopes: list[tuple[float, float]], intercepts: list[float]) -> MulticlassGAM:
    scores = [GAM([Feature("a", Interval(0, 1), Piecewise([0, 1], [[0.0, sa]])),
                   Feature("b", Interval(0, 1), Piecewise([0, 1], [[0.0, sb]]))],
                  c, Regression())
              for (sa, sb), c in zip(slopes, intercepts, strict=True)]  # fmt: skip
    return MulticlassGAM(Multiclass(["p", "q", "r"]), scores)


def test_a_thin_winning_region_off_every_grid_point_is_found() -> None:
    # q beats p iff a + b > 1 + 1/1000, beats r iff a + b < 1 + 3/1000: a sliver between
    # two close lines that no point of a 1/4 grid falls in
    gam = _line_model([(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)], [0.0, -1.001, -2.004])
    actions = ActionSet.from_gam(gam)
    x = (0.0, 0.0)
    assert grid_winner(gam, x, actions, lambda c: c == 1) is None
    decision = is_fixed(gam, x, actions, target="q")
    assert not decision.holds and decision.verify(gam)
    a, b = (Fraction(v) for v in decision.witness)
    assert gam.predict_index((a, b)) == 1
    assert decision.algorithm == "rival-lines"


def test_an_open_end_is_approached_not_reached() -> None:
    # b on [0, 1] steps down at 1/2 from a line rising to 1 (q's score approaches p's
    # at b → 1/2 without reaching it): q never wins, though its margin's infimum is 0
    def model(rows: list[list[float]]) -> GAM:
        return GAM([Feature("b", Interval(0, 1), Piecewise([0, 0.5, 1], rows))], 0.0, Regression())

    gam = MulticlassGAM(Multiclass(["p", "q", "r"]),
                        [model([[1.0, 0.0], [1.0, 0.0]]), model([[0.0, 2.0], [0.0, 0.0]]),
                         model([[-5.0, 0.0], [-5.0, 0.0]])])  # fmt: skip
    decision = is_fixed(gam, (0.0,), None, target="q")
    assert decision.holds and decision.verify(gam)
    # p wins ties against q (lower index), so the default target "not p" is fixed too
    assert is_fixed(gam, (0.0,), None).holds
    forged = dataclasses.replace(decision, holds=False)
    assert not forged.verify(gam)


def test_feasible_point_against_a_grid() -> None:
    # 2 x + y > 1, x − y ≥ 0, x ≤ 1, y ≥ −1: feasible, the point meets every inequality
    system = [Inequality((Fraction(2), Fraction(1)), Fraction(-1), True),
              Inequality((Fraction(1), Fraction(-1)), Fraction(0), False),
              Inequality((Fraction(-1), Fraction(0)), Fraction(1), False),
              Inequality((Fraction(0), Fraction(1)), Fraction(1), False)]  # fmt: skip
    point = feasible_point(system, 2)
    assert point is not None and all(i.holds(point) for i in system)
    # x > 0 and x ≤ 0: infeasible; x ≥ 0 and x ≤ 0: the point 0
    assert feasible_point([Inequality((Fraction(1),), Fraction(0), True),
                           Inequality((Fraction(-1),), Fraction(0), False)], 1) is None
    assert feasible_point([Inequality((Fraction(1),), Fraction(0), False),
                           Inequality((Fraction(-1),), Fraction(0), False)], 1) == (0,)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2), st.integers(-3, 3),
                          st.booleans()), min_size=1, max_size=5))  # fmt: skip
def test_feasible_point_equals_a_fine_grid(rows: list[tuple[int, int, int, bool]]) -> None:
    system = [Inequality((Fraction(a), Fraction(b)), Fraction(c), s) for a, b, c, s in rows]
    box = [Inequality((Fraction(1), Fraction(0)), Fraction(3), False),
           Inequality((Fraction(-1), Fraction(0)), Fraction(3), False),
           Inequality((Fraction(0), Fraction(1)), Fraction(3), False),
           Inequality((Fraction(0), Fraction(-1)), Fraction(3), False)]  # fmt: skip
    point = feasible_point(system + box, 2)
    if point is not None:
        assert all(i.holds(point) for i in system + box)
    assert (point is not None) == any(
        all(i.holds(c) for i in system + box) for c in _face_points(system + box))


def _face_points(system: list[Inequality]) -> set[tuple[Fraction, Fraction]]:
    """A point inside every face of the arrangement of the system's lines in the box:
    every vertex, every midpoint of two vertices, every centroid of three (a bounded
    face's relative interior holds one of them), so a non-empty solution set — a union
    of faces — holds one."""
    vertices = set()
    for p, q in itertools.combinations(system, 2):
        (a, b), (c, d) = p.coefficients, q.coefficients
        det = a * d - b * c
        if det != 0:
            vertices.add(((-p.constant * d + b * q.constant) / det,
                          (-a * q.constant + c * p.constant) / det))  # fmt: skip
    vertices = {v for v in vertices if all(abs(u) <= 3 for u in v)}
    out = set(vertices)
    for u, v in itertools.combinations(vertices, 2):
        out.add(((u[0] + v[0]) / 2, (u[1] + v[1]) / 2))
    for u, v, w in itertools.combinations(vertices, 3):
        out.add(((u[0] + v[0] + w[0]) / 3, (u[1] + v[1] + w[1]) / 3))
    return out


def test_a_linear_multiclass_model_from_the_query_layer() -> None:
    gam = _line_model([(1.0, 0.0), (0.0, 1.0), (0.5, 0.5)], [0.0, 0.0, 0.1])
    result = responsiveness_scores(gam, (0.5, 0.5), None, target="r")
    assert result.exact and result.fixed is False and result.verify(gam)
    assert result.algorithm == "rival-lines"
    assert gx.is_fixed(gam, (0.5, 0.5), None, target="r").witness is not None
