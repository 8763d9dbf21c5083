"""The JSON model format ``gamexplain/1``: malformed files, the DESIGN example, round trips."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

import gamexplain.io
from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    InvalidModelError,
    InvalidParameterError,
    Layer,
    PairTerm,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
    dump,
    dumps,
    load,
    loads,
)

DESIGN_EXAMPLE = """\
{"format": "gamexplain/1",
 "task": {"kind": "classification", "threshold": 0.0, "positive": ">="},
 "intercept": -0.5,
 "features": [
  {"name": "grade", "domain": {"kind": "finite", "values": ["A", "B", "C"]},
   "shape": {"kind": "table", "values": [1.0, 0.2, -0.7]}},
  {"name": "income", "weight": 1.0,
   "domain": {"kind": "interval", "low": 0, "high": 200},
   "shape": {"kind": "piecewise", "breakpoints": [0, 50, 120, 200],
             "coefficients": [[-1.0], [0.0], [0.8]]}},
  {"name": "code", "domain": {"kind": "integers", "low": 0, "high": 1000000},
   "shape": {"kind": "relu_net", "layers": [{"weights": [[1.0, -1.0]], "bias": [0.0, 5.0]},
                                            {"weights": [[0.5], [0.25]], "bias": [0.0]}]}}],
 "pairs": []}
"""

# The DESIGN example plus a distribution and a pair term, so every part can be broken.
BASE: dict[str, Any] = json.loads(DESIGN_EXAMPLE)
BASE["features"][0]["distribution"] = [0.5, 0.25, 0.25]
BASE["pairs"] = [
    {
        "features": ["grade", "income"],
        "edges": [None, [0, 100, 200]],
        "values": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
    }
]

SENTINEL = "@@raw@@"


def _edit(change: Callable[[dict[str, Any]], object]) -> str:
    data = copy.deepcopy(BASE)
    change(data)
    return json.dumps(data)


def _parent(data: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys[:-1]:
        data = data[key]
    return data


def put(*keys_then_value: Any) -> str:
    """The base model with the value at a key path replaced (or added)."""
    *keys, value = keys_then_value
    return _edit(lambda data: _parent(data, tuple(keys)).__setitem__(keys[-1], value))


def drop(*keys: Any) -> str:
    """The base model with the key at a key path removed."""
    return _edit(lambda data: _parent(data, keys).pop(keys[-1]))


def raw(*keys_then_token: Any) -> str:
    """The base model with a raw JSON token (NaN, Infinity, 1e400) at a key path."""
    *keys, token = keys_then_token
    return put(*keys, SENTINEL).replace(json.dumps(SENTINEL), token)


def twice(key: str, value: str, after: str) -> str:
    """The base model with ``key`` repeated right after the text ``after``."""
    text = json.dumps(BASE)
    assert after in text
    return text.replace(after, f"{after}, {json.dumps(key)}: {value}", 1)


LAYERS = ("features", 2, "shape", "layers")

MALFORMED = [
    # format version
    (put("format", "gamexplain/2"), "format"),
    (put("format", 1), "format"),
    (drop("format"), "format"),
    # unknown keys
    (put("colour", "red"), "colour"),
    (put("features", 0, "description", "a grade"), "features[0].description"),
    (put("features", 1, "domain", "step", 1), "features[1].domain.step"),
    (put("features", 1, "shape", "values", [1.0]), "features[1].shape.values"),
    (put(*LAYERS, 0, "activation", "relu"), "features[2].shape.layers[0].activation"),
    (put("pairs", 0, "weight", 2.0), "pairs[0].weight"),
    (put("task", {"kind": "regression", "threshold": 0.0}), "task.threshold"),
    # missing keys
    (drop("task"), "task"),
    (drop("intercept"), "intercept"),
    (drop("features"), "features"),
    (drop("features", 0, "name"), "features[0].name"),
    (drop("features", 0, "shape"), "features[0].shape"),
    (drop("features", 1, "domain", "kind"), "features[1].domain.kind"),
    (drop("features", 1, "domain", "high"), "features[1].domain.high"),
    (drop("features", 1, "shape", "breakpoints"), "features[1].shape.breakpoints"),
    (drop(*LAYERS, 1, "bias"), "features[2].shape.layers[1].bias"),
    (drop("task", "positive"), "task.positive"),
    (drop("task", "threshold"), "task.threshold"),
    (drop("pairs", 0, "values"), "pairs[0].values"),
    # duplicate keys
    (twice("intercept", "1.0", '"intercept": -0.5'), "intercept"),
    (twice("name", '"other"', '"name": "grade"'), "features[0].name"),
    # wrong types
    (put("intercept", "0.5"), "intercept"),
    (put("intercept", None), "intercept"),
    (put("task", "classification"), "task"),
    (put("task", "threshold", True), "task.threshold"),
    (put("task", "positive", 1), "task.positive"),
    (put("features", 1, "weight", None), "features[1].weight"),
    (put("features", 1, "weight", False), "features[1].weight"),
    (
        put("features", 1, "shape", "breakpoints", "0, 50, 120, 200"),
        "features[1].shape.breakpoints",
    ),
    (
        put("features", 1, "shape", "coefficients", [-1.0, 0.0, 0.8]),
        "features[1].shape.coefficients[0]",
    ),
    (put("features", {"grade": {}}), "features"),
    (put("features", 0, ["grade"]), "features[0]"),
    (put("features", 0, "name", 3), "features[0].name"),
    (put("features", 0, "domain", "values", ["A", True, "C"]), "features[0].domain.values[1]"),
    (put("features", 0, "domain", "values", ["A", None, "C"]), "features[0].domain.values[1]"),
    (put("features", 2, "domain", "low", "0"), "features[2].domain.low"),
    (put("features", 2, "domain", "high", 0.5), "features[2].domain.high"),
    (put(*LAYERS, 0, "bias", [0.0, True]), "features[2].shape.layers[0].bias[1]"),
    (put(*LAYERS, {"weights": [[1.0]]}), "features[2].shape.layers"),
    (put("features", 0, "distribution", "uniform"), "features[0].distribution"),
    (put("features", 0, "distribution", ["0.5", 0.25, 0.25]), "features[0].distribution[0]"),
    (put("description", 5), "description"),
    (put("pairs", {}), "pairs"),
    (put("pairs", 0, "edges", 1, "0, 100, 200"), "pairs[0].edges[1]"),
    # NaN and infinity: tokens, numbers that overflow, and strings
    (raw("features", 0, "shape", "values", 1, "NaN"), "features[0].shape.values[1]"),
    (raw("intercept", "Infinity"), "intercept"),
    (
        raw("features", 1, "shape", "breakpoints", 0, "-Infinity"),
        "features[1].shape.breakpoints[0]",
    ),
    (raw("task", "threshold", "NaN"), "task.threshold"),
    (raw("features", 1, "domain", "high", "Infinity"), "features[1].domain.high"),
    (raw("features", 2, "domain", "high", "Infinity"), "features[2].domain.high"),
    (raw(*LAYERS, 1, "weights", 0, 0, "NaN"), "features[2].shape.layers[1].weights[0][0]"),
    (raw("features", 0, "distribution", 2, "NaN"), "features[0].distribution[2]"),
    (raw("features", 0, "domain", "values", 0, "NaN"), "features[0].domain.values[0]"),
    (raw("pairs", 0, "values", 1, 1, "Infinity"), "pairs[0].values[1][1]"),
    (raw("intercept", "1e400"), "intercept"),
    (raw("features", 1, "weight", "-1e999"), "features[1].weight"),
    (put("intercept", 10**400), "intercept"),
    (put("features", 2, "domain", "high", 10**400), "features[2].domain.high"),
    (
        put("features", 0, "domain", "values", ["A", "B", -(10**400)]),
        "features[0].domain.values[2]",
    ),
    (
        put("features", 1, "shape", "coefficients", 0, 0, "NaN"),
        "features[1].shape.coefficients[0][0]",
    ),
    (put("features", 1, "domain", "high", "inf"), "features[1].domain.high"),
    (put("intercept", "Infinity"), "intercept"),
    (put("task", {"kind": "regression", "tolerance": "nan"}), "task.tolerance"),
    # breakpoints and pieces
    (
        put("features", 1, "shape", "breakpoints", [0, 120, 50, 200]),
        "features[1].shape.breakpoints[2]",
    ),
    (
        put("features", 1, "shape", "breakpoints", [0, 50, 50, 200]),
        "features[1].shape.breakpoints[2]",
    ),
    (put("features", 1, "shape", "breakpoints", [0]), "features[1].shape.breakpoints"),
    (
        put("features", 1, "shape", "coefficients", 0, [1.0, 0, 0, 0, 1.0]),
        "features[1].shape.coefficients[0]",
    ),
    (put("features", 1, "shape", "coefficients", 2, []), "features[1].shape.coefficients[2]"),
    (
        put("features", 1, "shape", "coefficients", [[-1.0], [0.0]]),
        "features[1].shape.coefficients",
    ),
    # domains against shapes
    (put("features", 1, "domain", "high", 300), "features[1].domain"),
    (put("features", 1, "domain", "low", -1), "features[1].domain"),
    (put("features", 0, "shape", "values", [1.0, 0.2]), "features[0].shape.values"),
    (put("features", 0, "domain", "values", []), "features[0].domain.values"),
    (put("features", 0, "domain", "values", ["A", "B", "A"]), "features[0].domain.values"),
    (put("features", 0, "shape", "values", []), "features[0].shape.values"),
    (put("features", 1, "domain", "low", 250), "features[1].domain.low"),
    (put("features", 2, "domain", "low", 10**7), "features[2].domain.low"),
    (put("features", 1, "shape", {"kind": "table", "values": [1.0]}), "features[1].shape"),
    (
        put(
            "features",
            0,
            "shape",
            {"kind": "piecewise", "breakpoints": [0, 1], "coefficients": [[0.0]]},
        ),
        "features[0].domain.values",
    ),
    # unknown tags
    (put("task", "kind", "ranking"), "task.kind"),
    (put("task", "positive", "=>"), "task.positive"),
    (put("task", {"kind": "regression", "tolerance": -1.0}), "task.tolerance"),
    (put("features", 0, "domain", "kind", "set"), "features[0].domain.kind"),
    (put("features", 1, "shape", "kind", "tree"), "features[1].shape.kind"),
    (drop("features", 1, "shape", "kind"), "features[1].shape.kind"),
    # features
    (put("features", 1, "name", "grade"), "features[1].name"),
    (put("features", 1, "name", ""), "features[1].name"),
    (put("features", []), "features"),
    # ReLU layer shapes
    (put(*LAYERS, 0, "weights", [[1.0, -1.0], [1.0, 1.0]]), "features[2].shape.layers[0].weights"),
    (put(*LAYERS, 1, "weights", [[0.5]]), "features[2].shape.layers[1].weights"),
    (put(*LAYERS, 1, "weights", [[0.5], [0.25, 1.0]]), "features[2].shape.layers[1].weights[1]"),
    (put(*LAYERS, 0, "bias", [0.0]), "features[2].shape.layers[0].bias"),
    (put(*LAYERS, 0, "weights", []), "features[2].shape.layers[0].weights"),
    (
        put(*LAYERS, 1, {"weights": [[0.5, 1.0], [0.25, 1.0]], "bias": [0.0, 0.0]}),
        "features[2].shape.layers[1].bias",
    ),
    (put(*LAYERS, []), "features[2].shape.layers"),
    # distributions
    (put("features", 0, "distribution", [1.25, -0.25, 0.0]), "features[0].distribution[1]"),
    (put("features", 0, "distribution", [0.5, 0.25, 0.5]), "features[0].distribution"),
    (put("features", 0, "distribution", [0.5, 0.5]), "features[0].distribution"),
    (put("features", 2, "distribution", [1.0]), "features[2].distribution"),
    (put("features", 1, "distribution", [0.5, 0.5]), "features[1].distribution"),
    # pair terms
    (put("pairs", 0, "features", ["grade", "salary"]), "pairs[0].features[1]"),
    (put("pairs", 0, "features", ["grade", "grade"]), "pairs[0].features"),
    (put("pairs", 0, "features", ["grade", "income", "code"]), "pairs[0].features"),
    (put("pairs", 0, "features", [0, 1]), "pairs[0].features[0]"),
    (put("pairs", 0, "values", [[0.1, 0.2]]), "pairs[0].values"),
    (put("pairs", 0, "values", [[0.1, 0.2], [0.3], [0.5, 0.6]]), "pairs[0].values"),
    (put("pairs", 0, "edges", [[0, 1, 2, 3], [0, 100, 200]]), "pairs[0].edges[0]"),
    (put("pairs", 0, "edges", [None, None]), "pairs[0].edges[1]"),
    (put("pairs", 0, "edges", [None, [0, 200, 100]]), "pairs[0].edges[1]"),
    (put("pairs", 0, "edges", [None, [10, 100, 200]]), "pairs[0].edges[1]"),
    (put("pairs", 0, "edges", [None]), "pairs[0].edges"),
]


def test_base_model_is_valid() -> None:
    """Every malformed case is one edit away from this valid model."""
    gam = loads(json.dumps(BASE))
    assert gam.pairs[0].features == (0, 1)
    assert gam.features[0].distribution == (0.5, 0.25, 0.25)
    edges = [None, [0.0, 100.0, 200.0]]
    assert gam.pairs == (PairTerm((0, 1), edges, [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),)


@pytest.mark.parametrize(
    ("text", "path"), MALFORMED, ids=[f"{k}:{path}" for k, (_, path) in enumerate(MALFORMED)]
)
def test_malformed_model_names_json_path(text: str, path: str) -> None:
    with pytest.raises(InvalidModelError) as excinfo:
        loads(text)
    assert excinfo.value.path == path
    assert str(excinfo.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (DESIGN_EXAMPLE[:-10], "line 14, column 2"),
        ('{"format": "gamexplain/1",}', "line 1, column 27"),
        ("{'format': 'gamexplain/1'}", "line 1, column 2"),
        ("", "line 1, column 1"),
        ('{"format": "gamexplain/1"}\n{}', "line 2, column 1"),
    ],
)
def test_invalid_json_gives_line_and_column(text: str, where: str) -> None:
    with pytest.raises(InvalidModelError, match="invalid JSON") as excinfo:
        loads(text)
    assert where in str(excinfo.value)


@pytest.mark.parametrize(
    "text",
    [
        b"\xff\xfe\xfd",
        b'{"format": "gamexplain/1", "x": "\xff"}',
        "[" * 100_000 + "]" * 100_000,
        '{"format": "gamexplain/1", "intercept": ' + "1" * 5000 + "}",
    ],
    ids=["bytes", "bytes-in-string", "deep-nesting", "long-integer-literal"],
)
def test_unreadable_text_is_invalid_json(text: str | bytes) -> None:
    with pytest.raises(InvalidModelError, match="invalid JSON"):
        loads(text)


@pytest.mark.parametrize(
    ("text", "got"), [("[]", "a list"), ('"model"', "the string"), ("NaN", "NaN")]
)
def test_model_must_be_an_object(text: str, got: str) -> None:
    with pytest.raises(InvalidModelError, match="expected a JSON object") as excinfo:
        loads(text)
    assert got in str(excinfo.value)


def test_design_example_loads() -> None:
    gam = loads(DESIGN_EXAMPLE)
    assert gam.feature_names == ("grade", "income", "code")
    assert gam.task == Classification(threshold=0.0, positive=">=")
    assert [f.domain.kind for f in gam.features] == ["finite", "interval", "integers"]
    assert [f.component for f in gam.features] == ["table", "ebm", "nam"]
    assert gam.pairs == ()
    # -0.5 + 0.2 (grade B) + 0.0 (income in [50, 120)) + 0.5·relu(3) + 0.25·relu(5 - 3)
    assert gam.decision_function([["B", 60.0, 3]]).tolist() == [1.7]
    assert gam.score_exact(("C", 200.0, 0)) == -0.5 - 0.7 + 0.8 + 1.25


def test_optional_keys_take_their_defaults() -> None:
    data = copy.deepcopy(BASE)
    del data["pairs"], data["features"][1]["weight"]
    data["features"][0]["distribution"] = None
    data["task"] = {"kind": "regression"}
    gam = loads(json.dumps(data))
    assert gam.pairs == ()
    assert gam.features[1].weight == 1.0
    assert gam.features[0].distribution is None
    assert gam.task == Regression(tolerance=0.0)


def test_top_level_description_is_accepted_and_dropped() -> None:
    gam = loads(DESIGN_EXAMPLE)
    text = dumps(gam, description="The DESIGN §5 example.")
    assert list(json.loads(text))[:2] == ["format", "description"]
    assert json.loads(text)["description"] == "The DESIGN §5 example."
    assert loads(text) == gam
    assert "description" not in dumps(loads(text))


def test_dumps_writes_keys_in_design_order() -> None:
    data = json.loads(dumps(loads(json.dumps(BASE))))
    assert list(data) == ["format", "task", "intercept", "features", "pairs"]
    assert list(data["features"][0]) == ["name", "weight", "domain", "shape", "distribution"]
    assert list(data["features"][1]) == ["name", "weight", "domain", "shape"]
    assert list(data["task"]) == ["kind", "threshold", "positive"]
    assert data["pairs"] == BASE["pairs"]


def test_pair_features_map_names_to_positions_in_either_order() -> None:
    data = copy.deepcopy(BASE)
    pair = data["pairs"][0]
    pair["features"].reverse()
    pair["edges"].reverse()
    pair["values"] = [list(column) for column in zip(*pair["values"], strict=True)]
    gam = loads(json.dumps(data))
    assert gam.pairs[0].features == (1, 0)
    assert json.loads(dumps(gam))["pairs"][0]["features"] == ["income", "grade"]
    straight = loads(json.dumps(BASE))
    rows = [["A", 150.0, 7], ["C", 99.5, 0], ["B", 100.0, 10**6]]
    assert gam.decision_function(rows).tolist() == straight.decision_function(rows).tolist()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(2**60), 2**64])
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["NaN", "inf", "finite", "table", "gamexplain/1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _locations(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return [here]
    return [here] + [spot for key, child in children for spot in _locations(child, (*here, key))]


@given(data=st.data(), gam=gams(pairs=True, with_distribution=None))
def test_any_edit_loads_or_raises_invalid_model_error(data: st.DataObject, gam: GAM) -> None:
    """Replacing, removing or adding any part of a valid file never crashes the loader."""
    model = json.loads(dumps(gam))
    where = data.draw(st.sampled_from(_locations(model)[1:]))
    parent = _parent(model, where)
    action = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace":
        parent[where[-1]] = data.draw(json_values)
    elif action == "remove":
        del parent[where[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(max_size=5))] = data.draw(json_values)
    else:
        parent.insert(where[-1], data.draw(json_values))
    try:
        edited = loads(json.dumps(model))
    except InvalidModelError:
        edited = None
    if edited is not None:
        assert loads(dumps(edited)) == edited


def _assert_round_trip(gam: GAM, rows: list[tuple[Any, ...]]) -> None:
    text = dumps(gam)
    again = loads(text)
    assert again == gam
    assert dumps(again) == text
    assert np.array_equal(again.decision_function(rows), gam.decision_function(rows))
    assert np.array_equal(again.predict(rows), gam.predict(rows))


@given(data=st.data(), gam=gams(pairs=True, with_distribution=None))
def test_round_trip(data: st.DataObject, gam: GAM) -> None:
    rows = data.draw(st.lists(instances(gam), min_size=1, max_size=5))
    _assert_round_trip(gam, rows)


@given(data=st.data(), gam=gams(domain_kinds=("integers",), large_integers=True))
def test_round_trip_large_integer_domains(data: st.DataObject, gam: GAM) -> None:
    rows = data.draw(st.lists(instances(gam), min_size=1, max_size=3))
    _assert_round_trip(gam, rows)


def test_huge_integer_bounds_stay_exact() -> None:
    big = 2**60 + 1  # not a float: a float round trip would change it
    gam = GAM(
        [
            Feature("n", Integers(-big, big), ReLUNet([Layer([[1.0]], [0.0])])),
            Feature("m", Integers(0, 2**200), Piecewise([0, 2.0**201], [[1.0, 0.5]])),
        ],
        task=Regression(),
    )
    text = dumps(gam)
    assert f'"low": {-big}, "high": {big}' in text
    assert str(2**200) in text
    again = loads(text)
    assert again == gam
    assert again.features[0].domain == Integers(-big, big)
    assert again.features[1].domain.high == 2**200
    assert isinstance(again.features[1].domain.high, int)
    assert again.score_exact((big, 2**200)) == big + 1 + 2**199


def test_labels_keep_their_json_types() -> None:
    gam = GAM(
        [
            Feature("mixed", Finite(["1", 1, 2.5, "é"]), Table([0.0, 1.0, 2.0, 3.0])),
            Feature("ints", Finite([-1, 0, 2**70]), Table([0.1, 0.2, 0.3])),
        ],
        task=Classification(threshold=0.5, positive=">"),
    )
    again = loads(dumps(gam))
    assert again == gam
    assert [type(v) for v in again.features[0].domain.values] == [str, int, float, str]
    assert again.features[1].domain.values[2] == 2**70
    assert again.decision_function([["1", 2**70], [1, -1]]).tolist() == [0.3, 1.1]


def test_load_and_dump_through_a_path(tmp_path: Any) -> None:
    gam = loads(json.dumps(BASE))
    path = tmp_path / "model.json"
    dump(gam, path)
    assert load(path) == gam
    assert load(str(path)) == gam
    dump(gam, str(path), description="written twice")
    assert json.loads(path.read_text(encoding="utf-8"))["description"] == "written twice"
    assert load(path) == gam


def test_load_and_dump_through_file_objects(tmp_path: Any) -> None:
    gam = loads(json.dumps(BASE))
    buffer = io.StringIO()
    dump(gam, buffer)
    assert buffer.getvalue() == dumps(gam) + "\n"
    buffer.seek(0)
    assert load(buffer) == gam
    assert load(io.BytesIO(buffer.getvalue().encode("utf-8"))) == gam
    path = tmp_path / "model.json"
    with path.open("w", encoding="utf-8") as file:
        dump(gam, file)
    with path.open("rb") as binary:
        assert load(binary) == gam
    with path.open(encoding="utf-8") as text:
        assert load(text) == gam


def test_load_missing_file_raises_os_error(tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: loads(5), "'text' parameter of loads"),
        (lambda: loads({"format": "gamexplain/1"}), "'text' parameter of loads"),
        (lambda: load(5), "'source' parameter of load"),
        (lambda: dumps("model"), "'gam' parameter of dumps"),
        (lambda: dumps(loads(DESIGN_EXAMPLE), description=3), "'description' parameter"),
        (lambda: dump(loads(DESIGN_EXAMPLE), 5), "'target' parameter of dump"),
    ],
)
def test_bad_arguments(call: Callable[[], object], parameter: str) -> None:
    with pytest.raises(InvalidParameterError, match=parameter):
        call()


def test_package_exports_the_json_functions() -> None:
    assert {"load", "loads", "dump", "dumps"} <= set(gamexplain.__all__)
    assert gamexplain.io.loads is loads


def test_a_gz_path_is_written_compressed_and_read_back(tmp_path):
    import gzip

    from gamexplain import dump, dumps, load

    gam = load("credit")
    target = tmp_path / "model.json.gz"
    dump(gam, target)
    assert target.read_bytes()[:2] == b"\x1f\x8b"
    assert dumps(load(target)) == dumps(gam)
    with open(target, "rb") as handle:  # a binary file object is inflated too
        assert dumps(load(handle)) == dumps(gam)
    assert gzip.decompress(target.read_bytes()).decode().startswith("{")


def test_a_broken_gzip_file_is_an_invalid_model(tmp_path):
    from gamexplain import load
    from gamexplain.errors import InvalidModelError

    target = tmp_path / "model.json.gz"
    target.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InvalidModelError, match="not a valid gzip file"):
        load(target)
