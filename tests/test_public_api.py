"""One sweep of bad arguments through every public query, and the public surface itself."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import gamexplain as gx
from gamexplain.complexity.queries import QUERIES, QUERY_TABLE, Enumeration, query_spec
from gamexplain.complexity.registry import registered_algorithms
from gamexplain.examples import demo_instance, example_path
from gamexplain.queries.parameters import PARAMETERS

GAM = gx.load(example_path("credit"))
X = demo_instance("credit")

#: a value for every positional argument a query of the table may take besides the model
SAMPLE = {"x": X, "X": [X, X], "S": ("grade",), "feature": "grade", "actions": None}
#: every public query, by function name
NAMES = sorted(spec.function for spec in QUERY_TABLE)


def ask(name: str, gam: object = GAM, **given: object) -> object:
    """Call public query ``name`` as its table entry declares, the sample arguments
    overridden by ``given``; enumerations are run to the end."""
    spec = query_spec(name)
    values = {**SAMPLE, **given}
    positional = [values.pop(a) for a in spec.arguments]
    # a sample is positional; given as an option (mcr's actions) it is passed by name
    options = {k: v for k, v in values.items()
               if k not in SAMPLE or (k in given and k in spec.options)}  # fmt: skip
    result = getattr(gx, name)(gam, *positional, **options)
    return list(result) if spec.convention is Enumeration else result


SWEEP = [
    (name, parameter, bad)
    for name, declared in PARAMETERS.items()
    for parameter, constraint in declared.items()
    for bad in constraint.invalid()
]


def test_every_table_entry_is_a_public_function_whose_options_are_its_signature():
    assert set(PARAMETERS) == set(NAMES) and len(NAMES) == len(QUERY_TABLE)
    for spec in QUERY_TABLE:
        assert spec.function in gx.__all__, spec.function
        func = getattr(gx, spec.function)
        assert func.__module__ == spec.module, spec.function
        signature = inspect.signature(func)
        positional = [p for p in signature.parameters if p != "gam"][: len(spec.arguments)]
        assert tuple(positional) == spec.arguments, spec.function
        options = {p for p in signature.parameters if p not in ("gam", "x", "distribution")}
        assert options == set(spec.options), spec.function
        assert str(signature.return_annotation).startswith(spec.result), spec.function


def test_every_public_query_is_in_the_table():
    functions = {name for name in gx.queries.__all__ if name[0].islower()}
    assert functions == set(NAMES)


def test_every_registry_key_has_algorithms_that_follow_its_family_convention():
    assert {s.query for s in registered_algorithms()} == set(QUERIES)
    for spec in registered_algorithms():
        call = inspect.signature(query_spec(spec.query).convention.__call__)
        arguments = [p for p in call.parameters.values() if p.name != "self"]
        positional = [object() for p in arguments if p.kind is p.POSITIONAL_OR_KEYWORD]
        keywords = {p.name: object() for p in arguments if p.kind is p.KEYWORD_ONLY}
        inspect.signature(spec.func).bind(*positional, **keywords)  # raises if it differs


def test_the_cli_and_the_docs_list_exactly_the_tables_queries():
    import sys
    from pathlib import Path

    from gamexplain.cli import EXPLAIN_QUERIES, PLAN_QUERIES

    assert PLAN_QUERIES == QUERIES
    assert set(EXPLAIN_QUERIES) == {name for spec in QUERY_TABLE for name in spec.cli}
    assert {query_spec(name).cli[name] for name in EXPLAIN_QUERIES} <= set(QUERIES)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
    from complexity_table import query_rows

    assert [row[0] for row in query_rows()] == [f"`{s.signature}`" for s in QUERY_TABLE]


@pytest.mark.parametrize(
    ("name", "parameter", "bad"), SWEEP, ids=[f"{n}-{p}-{b!r}"[:60] for n, p, b in SWEEP]
)
def test_every_declared_option_refuses_its_bad_values_by_name(name, parameter, bad):
    with pytest.raises(gx.InvalidParameterError) as info:
        ask(name, **{parameter: bad})
    message = str(info.value)
    shown = "an integer of" if isinstance(bad, int) and bad > 2**200 else f"Got {bad!r}"
    assert f"'{parameter}' parameter of {name}" in message and shown in message, message


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_method_names_the_function_and_the_value(name):
    with pytest.raises(gx.InvalidParameterError) as info:
        ask(name, method="nope")
    message = str(info.value)
    assert "'method'" in message and "Got 'nope' instead" in message


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("limit", [-1.0, float("nan"), "soon"])
def test_a_bad_time_limit_is_a_parameter_error(name, limit):
    with pytest.raises(gx.InvalidParameterError, match="time_limit"):
        ask(name, time_limit=limit)


@pytest.mark.parametrize("name", [s.function for s in QUERY_TABLE if "x" in s.arguments])
@pytest.mark.parametrize(
    "x, fragment",
    [
        (("A", 10.0), "has 5 values"),
        (("Z", 10.0, 30, 1, 0.5), "'grade'"),
        (("A", float("nan"), 30, 1, 0.5), "'income'"),
        (("A", 10.0, 30.5, 1, 0.5), "'age'"),
    ],
)
def test_a_bad_instance_names_the_feature(name, x, fragment):
    with pytest.raises(gx.InvalidInstanceError, match=None) as info:
        ask(name, x=x, S=())
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_a_model_that_is_not_a_gam_is_refused(name):
    first = next(iter(inspect.signature(getattr(gx, name)).parameters))
    assert first == "gam"
    with pytest.raises(gx.InvalidParameterError, match=f"'gam' parameter of {name}"):
        ask(name, {"not": "a model"}, S=())


def test_every_public_name_is_documented():
    for name in gx.__all__:
        obj = getattr(gx, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


@pytest.mark.parametrize("name", NAMES)
def test_success_is_scipys_solved(name):
    answer = ask(name)
    for result in answer if isinstance(answer, list) else [answer]:
        assert result.success is (result.status == "solved")
        assert result.to_dict()["success"] is result.success
    stopped = dataclasses.replace(result, status="time_limit")
    assert not stopped.success
