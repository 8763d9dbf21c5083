"""The multiclass form of gamexplain/1: per-class values, JSON paths for every fault."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given
from strategies import multiclass_gams

from gamexplain import InvalidModelError, MulticlassGAM, dumps, loads

MODEL = {
    "format": "gamexplain/1",
    "task": {"kind": "multiclass", "classes": ["A", "B", "C"]},
    "intercept": [0.0, 0.5, -0.5],
    "features": [
        {"name": "grade", "domain": {"kind": "finite", "values": ["x", "y"]},
         "shape": {"kind": "table", "values": [[1.0, 0.0, -1.0], [0.0, 2.0, 0.5]]}},
        {"name": "income", "domain": {"kind": "interval", "low": 0, "high": 2},
         "shape": {"kind": "piecewise", "breakpoints": [0, 1, 2],
                   "coefficients": [[[0.0, 1.0], [0.5], [0.0]], [[1.0], [0.0], [2.0]]]}},
    ],
    "pairs": [{"features": ["grade", "income"], "edges": [None, [0, 1, 2]],
               "values": [[[0.0, 0.1, 0.2], [0.3, 0.4, 0.5]],
                          [[1.0, 1.1, 1.2], [1.3, 1.4, 1.5]]]}],
}  # fmt: skip


def test_a_multiclass_file_loads_predicts_and_round_trips() -> None:
    gam = loads(json.dumps(MODEL))
    assert isinstance(gam, MulticlassGAM) and gam.classes == ("A", "B", "C")
    assert gam.predict([["y", 0.5]]).tolist() == ["B"]
    # A: 0 + 0 + 0.5 + 1.0; B: 0.5 + 2 + 0.5 + 1.1; C: -0.5 + 0.5 + 0 + 1.2
    assert gam.decision_function([["y", 0.5]])[0].tolist() == pytest.approx([1.5, 4.1, 1.2])
    assert loads(dumps(gam)) == gam
    written = json.loads(dumps(gam))
    assert (
        written["features"][1]["shape"]["coefficients"]
        == MODEL["features"][1]["shape"]["coefficients"]
    )  # type: ignore[index]
    assert written["pairs"][0]["values"] == MODEL["pairs"][0]["values"]  # type: ignore[index]


@given(multiclass_gams(pairs=True, with_distribution=None))
def test_every_multiclass_model_round_trips(gam: MulticlassGAM) -> None:
    assert loads(dumps(gam)) == gam


def _broken(path: list[object], value: object) -> str:
    data = copy.deepcopy(MODEL)
    target: object = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    return json.dumps(data)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (["intercept"], [0.0, 1.0], r"^intercept: expected 3 entries \(one per class\), got 2"),
        (["intercept"], 0.0, "^intercept: expected a list"),
        (["task", "classes"], ["A"], "^task.classes: a multiclass task needs ≥ 2"),
        (["task", "classes"], ["A", "A", "B"], "^task.classes: class labels must be distinct"),
        (["task", "threshold"], 0.0, "^task.threshold: unknown key"),
        (["features", 0, "shape", "values", 1], [0.0, 2.0],
         r"^features\[0\].shape.values\[1\]: expected 3 entries"),
        (["features", 0, "shape", "values"], [[1.0, 0.0, -1.0]],
         r"^features\[0\].shape.values: 1 scores for 2 domain values"),
        (["features", 1, "shape", "coefficients", 0], [[0.0], [0.5]],
         r"^features\[1\].shape.coefficients\[0\]: expected 3 entries"),
        (["features", 1, "shape", "coefficients", 1, 2], [],
         r"^features\[1\].shape.coefficients\[1\]: a piece has 1 to 4"),
        (["features", 1, "shape"], {"kind": "relu_net", "layers": []},
         r"^features\[1\].shape: multiclass models with network shapes"),
        (["pairs", 0, "values", 1, 0], [1.0, 1.1],
         r"^pairs\[0\].values\[1\]\[0\]: expected 3 entries"),
        (["pairs", 0, "values", 1], [[1.0, 1.1, 1.2]],
         r"^pairs\[0\].values: values must be a non-empty rectangular"),
    ],
)  # fmt: skip
def test_every_multiclass_fault_names_its_json_path(path, value, where) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidModelError, match=where):
        loads(_broken(path, value))
