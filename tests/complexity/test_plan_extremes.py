"""explain_plan names the extremum backend of every ReLU-network feature on a range."""

from __future__ import annotations

from gamexplain import GAM, Feature, Finite, Integers, Interval, Layer, Piecewise, ReLUNet
from gamexplain.complexity import explain_plan
from gamexplain.substrate.extremes import select_extremum_backend
from gamexplain.substrate.pieces import RELU_PIECE_LIMIT, lower
from gamexplain.substrate.primitives import contribution_max


def _sawtooth(depth: int) -> ReLUNet:
    """The tent map composed ``depth`` times: 2^depth linear pieces on [0, 1]."""
    layers = [Layer([[1.0, 1.0]], [0.0, -0.5])]
    layers += [Layer([[2.0, 2.0], [-4.0, -4.0]], [0.0, -0.5]) for _ in range(depth - 1)]
    return ReLUNet([*layers, Layer([[2.0], [-4.0]], [0.0])])


def test_plan_rows_name_the_extremum_backend_and_why() -> None:
    shallow = Feature("shallow", Interval(0, 1), _sawtooth(3))
    deep = Feature("deep", Interval(0, 1), _sawtooth(14))
    counted = Feature("counted", Integers(0, 1), _sawtooth(2))
    on_values = Feature("on_values", Finite([0.0, 0.25, 1.0]), _sawtooth(14))
    spline = Feature("spline", Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]]))
    gam = GAM([shallow, deep, counted, on_values, spline], intercept=-0.5)
    plan = explain_plan(gam, "mcr")
    rows = {row.name: row.extremum for row in plan.features}
    assert rows["on_values"] is None and rows["spline"] is None
    for feature in (shallow, deep, counted):
        assert rows[feature.name] == select_extremum_backend(feature)
    shallow_row, deep_row = rows["shallow"], rows["deep"]
    assert shallow_row is not None and deep_row is not None
    pieces = len(lower(shallow))
    assert (
        shallow_row.name == "pieces" and f"compiles to {pieces} linear pieces" in shallow_row.reason
    )
    assert str(RELU_PIECE_LIMIT) in shallow_row.reason
    assert deep_row.name == "milp" and deep_row.theorem == "thm:relu-milp-extremes"
    assert f"more than {RELU_PIECE_LIMIT} linear pieces" in deep_row.reason
    assert contribution_max(shallow).backend == shallow_row.name
    text = str(plan)
    assert f"extremes by pieces (thm:relu-compile): {shallow_row.reason}" in text
    assert f"extremes by milp (thm:relu-milp-extremes): {deep_row.reason}" in text
    assert text.count("extremes by") == 3
