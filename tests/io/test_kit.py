"""The adapters' shared pieces (gamexplain.io.kit), each checked on its own."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gamexplain
from gamexplain import (
    Classification,
    Finite,
    Integers,
    Interval,
    InvalidParameterError,
    Regression,
    UnsupportedModelError,
)
from gamexplain.io import kit
from gamexplain.io.adapters import loader_names


def test_feature_names_default_and_given():
    assert kit.feature_names(None, kit.default_names(3), "f") == ("x0", "x1", "x2")
    assert kit.feature_names(["a", "b"], ["x0", "x1"], "f") == ("a", "b")


@pytest.mark.parametrize("bad", [["a"], ["a", "a"], ["a", ""], "ab", ["a", 1]])
def test_feature_names_message_names_function_parameter_and_value(bad):
    with pytest.raises(InvalidParameterError) as info:
        kit.feature_names(bad, ["x0", "x1"], "from_thing", "feature_names")
    message = str(info.value)
    assert "'feature_names' parameter of from_thing" in message and repr(bad) in message


def test_positions_by_name_or_position():
    names = ("a", "b", "c")
    assert kit.positions({"b": 1, 2: 2}, names, "f") == {1: 1, 2: 2}
    assert kit.positions(None, names, "f") == {}
    for key in ("z", 3, -1, True):
        with pytest.raises(InvalidParameterError, match="'domains' parameter of f"):
            kit.positions({key: 0}, names, "f")


def test_required_domain():
    assert kit.required_domain({0: Interval(0, 1)}, 0, "a", "why") == Interval(0, 1)
    with pytest.raises(InvalidParameterError, match=r"'a' is dropped, so .* `domains`"):
        kit.required_domain({}, 0, "a", "is dropped")


def test_domain_from_bounds():
    assert kit.domain_from_bounds(-1, 2.5) == Interval(-1, 2.5)
    assert kit.domain_from_bounds(0, float("inf")) is None
    assert kit.domain_from_bounds(float("nan"), 1) is None


def test_domains_from_data_rule():
    X = [[0, 0.5, 3, 1], [2, 1.5, 3, 0], [7, 0.25, 3, 1]]
    assert kit.domains_from_data(X, 4, "f") == [
        Integers(0, 7),
        Interval(0.25, 1.5),
        Integers(3, 3),
        Integers(0, 1),
    ]
    assert kit.domains_from_data(np.array([[-1.0], [2.0]]), 1, "f") == [Integers(-1, 2)]


@pytest.mark.parametrize(
    "X",
    [[[0.0, np.nan]], [[0.0, np.inf]], [[0.0]], [0.0, 1.0], np.empty((0, 2)), [["a", "b"]]],
    ids=["nan", "inf", "columns", "1-d", "empty", "text"],
)
def test_domains_from_data_rejects(X):
    with pytest.raises(InvalidParameterError, match=r"'X' parameter of from_x .* 2 columns"):
        kit.domains_from_data(X, 2, "from_x")


def test_binary_task():
    assert kit.binary_task(None, "models") == Regression(tolerance=0.0)
    assert kit.binary_task(2, "models") == Classification(threshold=0.0, positive=">")
    with pytest.raises(UnsupportedModelError, match=r"multiclass models \(3 classes\)"):
        kit.binary_task(3, "models")
    with pytest.raises(UnsupportedModelError, match="single class"):
        kit.binary_task(1, "models")


def test_binary_task_takes_a_regression_tolerance():
    assert kit.binary_task(None, "models", tolerance=5) == Regression(tolerance=5.0)
    assert kit.binary_task(2, "models", tolerance=0.0) == Classification(0.0, positive=">")
    with pytest.raises(InvalidParameterError, match="'tolerance' parameter of from_x"):
        kit.binary_task(2, "models", tolerance=5, caller="from_x")


@pytest.mark.parametrize("bad", [-1.0, -1e-300, float("nan"), float("inf"), True, "5", None])
def test_a_bad_tolerance_is_refused_by_name(bad):
    for task in (Regression(), Classification()):
        with pytest.raises(InvalidParameterError) as info:
            kit.with_tolerance(task, bad, "from_x")
        message = str(info.value)
        assert "'tolerance' parameter of from_x must be a finite number ≥ 0" in message
        assert repr(bad) in message


def test_tolerance_is_for_regressions_only_and_given_once():
    classifier = Classification(0.5, ">=")
    assert kit.with_tolerance(classifier, 0, "from_x") is classifier
    with pytest.raises(InvalidParameterError, match=r"regression models only.*Got 2"):
        kit.with_tolerance(classifier, 2, "from_x")
    assert kit.with_tolerance(Regression(), 2, "f") == Regression(tolerance=2.0)
    assert kit.with_tolerance(Regression(2.0), 0, "f") == Regression(tolerance=2.0)
    assert kit.with_tolerance(Regression(2.0), 2, "f") == Regression(tolerance=2.0)
    with pytest.raises(InvalidParameterError, match="conflicts with the task's own"):
        kit.with_tolerance(Regression(2.0), 3, "from_x")


def test_feature_names_from_a_data_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [1], "bmi": [2]})
    assert kit.feature_names(frame, ["x0", "x1"], "f") == ("age", "bmi")
    assert kit.feature_names(frame.columns, ["x0", "x1"], "f") == ("age", "bmi")
    with pytest.raises(InvalidParameterError, match="2 distinct"):
        kit.feature_names(pd.DataFrame({0: [1], 1: [2]}), ["x0", "x1"], "f")


@pytest.mark.parametrize("loader", loader_names())
def test_every_adapter_takes_names_domains_and_tolerance(loader):
    signature = inspect.signature(getattr(gamexplain, loader))
    for option in ("names", "domains", "tolerance"):
        parameter = signature.parameters[option]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (loader, option)
    assert signature.parameters["tolerance"].default == 0.0


def test_span_is_exact():
    assert kit.span(Finite([3, 0.1, -2])) == (-2, 3)
    low, high = kit.span(Interval(0.1, 0.3))
    assert (low, high) == (0.1, 0.3) and low.denominator == 2**55


@pytest.mark.parametrize(
    "domain", [Interval(0, 2), Interval(1, 1), Integers(-3, 4), Finite([1, 5])]
)
def test_zero_shape_is_zero_on_its_domain(domain):
    from gamexplain import Feature

    feature = Feature("a", domain, kit.zero_shape(domain))
    low, high = kit.span(domain)
    values = np.linspace(float(low), float(high), 9)
    values = [v for v in values if domain.contains(float(v))] or [float(low)]
    assert np.all(feature.contribution(values) == 0)


cuts_and_span = st.lists(st.integers(-20, 20), min_size=0, max_size=6, unique=True).flatmap(
    lambda cuts: st.tuples(
        st.just(np.array(sorted(cuts), dtype=float)),
        st.integers(-25, 25),
        st.integers(0, 12),
    )
)


@given(cuts_and_span)
def test_step_pieces_put_every_point_in_its_step(case):
    """The fast span walk equals the obvious rule: a point's piece is its step."""
    cuts, low, width = case
    high = low + width
    edges, steps = kit.step_pieces(cuts, float(low), float(high))
    assert edges[0] == low and edges[-1] >= high and len(steps) == len(edges) - 1
    assert all(a < b for a, b in itertools.pairwise(edges))
    points = [low, high, *(c for c in cuts if low <= c <= high)]
    points += [p + 0.5 for p in range(low, high)]
    for x in points:
        k = next(k for k in range(len(steps)) if x < edges[k + 1] or k == len(steps) - 1)
        assert steps[k] == kit.bins_of(cuts, [x])[0], (x, edges, steps)
