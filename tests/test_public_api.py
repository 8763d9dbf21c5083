"""One sweep of bad arguments through every public query, and the public surface itself."""

from __future__ import annotations

import inspect

import pytest

import gamexplain as gx
from gamexplain.examples import demo_instance, example_path
from gamexplain.queries.parameters import PARAMETERS

GAM = gx.load(example_path("credit"))
X = demo_instance("credit")

#: every public query, with the arguments it needs besides (gam, x)
QUERIES = {
    "is_sufficient_reason": lambda **kw: gx.is_sufficient_reason(GAM, X, ("grade",), **kw),
    "minimum_sufficient_reason": lambda **kw: gx.minimum_sufficient_reason(GAM, X, **kw),
    "minimal_sufficient_reason": lambda **kw: gx.minimal_sufficient_reason(GAM, X, **kw),
    "sufficient_reasons": lambda **kw: list(gx.sufficient_reasons(GAM, X, **kw)),
    "minimum_contrastive_reason": lambda **kw: gx.minimum_contrastive_reason(GAM, X, **kw),
    "contrastive_reasons": lambda **kw: list(gx.contrastive_reasons(GAM, X, **kw)),
    "is_redundant": lambda **kw: gx.is_redundant(GAM, "grade", **kw),
    "shap_values": lambda **kw: gx.shap_values(GAM, X, **kw),
    "banzhaf_values": lambda **kw: gx.banzhaf_values(GAM, X, **kw),
    "completion_fraction": lambda **kw: gx.completion_fraction(GAM, X, ("grade",), **kw),
}

WITH_INSTANCE = {
    "is_sufficient_reason": lambda x: gx.is_sufficient_reason(GAM, x, ()),
    "minimum_sufficient_reason": lambda x: gx.minimum_sufficient_reason(GAM, x),
    "minimal_sufficient_reason": lambda x: gx.minimal_sufficient_reason(GAM, x),
    "sufficient_reasons": lambda x: list(gx.sufficient_reasons(GAM, x)),
    "minimum_contrastive_reason": lambda x: gx.minimum_contrastive_reason(GAM, x),
    "contrastive_reasons": lambda x: list(gx.contrastive_reasons(GAM, x)),
    "shap_values": lambda x: gx.shap_values(GAM, x),
    "banzhaf_values": lambda x: gx.banzhaf_values(GAM, x),
    "completion_fraction": lambda x: gx.completion_fraction(GAM, x, ()),
}


#: the arguments each public function needs besides the option under test
REQUIRED = {
    "is_sufficient_reason": {"x": X, "S": ("grade",)},
    "is_redundant": {"feature": "grade"},
    "completion_fraction": {"x": X, "S": ("grade",)},
}

SWEEP = [
    (name, parameter, bad)
    for name, declared in PARAMETERS.items()
    for parameter, constraint in declared.items()
    for bad in constraint.invalid()
]


def test_every_public_query_declares_its_options():
    assert set(PARAMETERS) == set(QUERIES)
    for name, declared in PARAMETERS.items():
        signature = inspect.signature(getattr(gx, name)).parameters
        options = {p for p in signature if p not in ("gam", "x", "distribution")}
        assert options == set(declared), name


@pytest.mark.parametrize(
    ("name", "parameter", "bad"), SWEEP, ids=[f"{n}-{p}-{b!r}"[:60] for n, p, b in SWEEP]
)
def test_every_declared_option_refuses_its_bad_values_by_name(name, parameter, bad):
    arguments = {**REQUIRED.get(name, {"x": X}), parameter: bad}
    with pytest.raises(gx.InvalidParameterError) as info:
        result = getattr(gx, name)(GAM, **arguments)
        list(result) if name.endswith("reasons") else None
    message = str(info.value)
    assert f"'{parameter}' parameter of {name}" in message and "Got " in message, message


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_an_unknown_method_names_the_function_and_the_value(name):
    with pytest.raises(gx.InvalidParameterError) as info:
        QUERIES[name](method="nope")
    message = str(info.value)
    assert "'method'" in message and "Got 'nope' instead" in message


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("limit", [-1.0, float("nan"), "soon"])
def test_a_bad_time_limit_is_a_parameter_error(name, limit):
    with pytest.raises(gx.InvalidParameterError, match="time_limit"):
        QUERIES[name](time_limit=limit)


@pytest.mark.parametrize("name", sorted(WITH_INSTANCE))
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
        WITH_INSTANCE[name](x)
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_model_that_is_not_a_gam_is_refused(name):
    query = getattr(gx, name)
    first = next(iter(inspect.signature(query).parameters))
    assert first == "gam"
    arguments = {"is_redundant": ("grade",), "is_sufficient_reason": (X, ()),
                 "completion_fraction": (X, ())}.get(name, (X,))  # fmt: skip
    with pytest.raises(gx.InvalidParameterError, match=f"'gam' parameter of {name}"):
        query({"not": "a model"}, *arguments)


def test_every_public_name_is_documented():
    for name in gx.__all__:
        obj = getattr(gx, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"
