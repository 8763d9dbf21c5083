"""One dispatcher: the plan names the fallbacks in order, and the query tries exactly them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gamexplain import GAM, Classification, Feature, Finite, Table, is_redundant
from gamexplain.complexity import explain_plan, registry
from gamexplain.complexity.registry import dispatch, select_algorithm
from gamexplain.errors import UnsupportedQueryError

#: Σ 2^j x_j ≥ 102 over eight bits: feature 0 (weight 1) is not redundant iff the others
#: can sum to exactly 101; they are even, so it is redundant, and the partial sums of the
#: others reach 2^7 states, past a budget of 8.
GAM_FR = GAM(
    [Feature(f"x{j}", Finite([0, 1]), Table([0.0, float(2**j)])) for j in range(8)],
    0.0,
    Classification(102.0, ">="),
)


def test_the_plan_of_is_redundant_names_its_fallbacks_in_order() -> None:
    plan = explain_plan(GAM_FR, "fr")
    assert plan.algorithm == "partial-sums"
    assert plan.fallbacks == (("cpsat", ("budget_exhausted",)),)
    assert plan.order == ("partial-sums", "cpsat")
    text = str(plan)
    runs = text.index("runs partial-sums")
    assert text.index("then cpsat if partial-sums stops with budget_exhausted") > runs
    # cpsat declares no fallback, so brute force is never tried after it
    assert "brute" not in text.split("runs partial-sums")[1].split("not for this cell")[0]


def test_a_named_method_has_no_fallback() -> None:
    plan = explain_plan(GAM_FR, "fr", method="partial-sums")
    assert plan.order == ("partial-sums",) and "then " not in str(plan)


def _recording(monkeypatch: pytest.MonkeyPatch, tried: list[str]) -> None:
    """Wrap every FR algorithm so that calling it records its name."""
    for key, spec in list(registry._ALGORITHMS.items()):
        if key[0] != "fr":
            continue

        def wrapped(*args: Any, _spec: Any = spec, **kwargs: Any) -> Any:
            tried.append(_spec.name)
            return _spec.func(*args, **kwargs)

        monkeypatch.setitem(registry._ALGORITHMS, key, dataclasses.replace(spec, func=wrapped))


def test_is_redundant_tries_exactly_what_the_plan_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ortools")
    tried: list[str] = []
    _recording(monkeypatch, tried)
    plan = explain_plan(GAM_FR, "fr", feature=0, max_states=8)
    result = is_redundant(GAM_FR, 0, max_states=8)  # the partial sums exhaust this budget
    assert tried == list(plan.order) == ["partial-sums", "cpsat"]
    assert result.algorithm == "cpsat" and result.success and result.verify(GAM_FR)
    tried.clear()
    assert is_redundant(GAM_FR, 0).algorithm == "partial-sums" and tried == ["partial-sums"]


def test_a_stop_is_the_answer_unless_its_algorithm_declares_a_fallback_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gamexplain.algorithms.redundancy import Outcome

    def exhausted(gam: GAM, feature: int, **options: Any) -> Outcome:
        return Outcome(False, None, "budget_exhausted", "too many sums")

    def replace(name: str, **changes: Any) -> None:
        key = ("fr", name)
        monkeypatch.setitem(
            registry._ALGORITHMS, key, dataclasses.replace(registry._ALGORITHMS[key], **changes)
        )

    replace("cpsat", func=exhausted, applies=lambda gam, options: None)
    stopped = is_redundant(GAM_FR, 0, max_states=8)  # cpsat declares no fallback
    assert stopped.algorithm == "cpsat" and stopped.status == "budget_exhausted"
    replace("cpsat", fallback_on=("budget_exhausted",))
    replace("brute", applies=lambda gam, options: "not here")
    assert explain_plan(GAM_FR, "fr", feature=0, max_states=8).order == ("partial-sums", "cpsat")
    first = is_redundant(GAM_FR, 0, max_states=8)  # every candidate stops: the first stop
    assert first.algorithm == "partial-sums" and first.status == "budget_exhausted"
    assert not first.success and first.verify(GAM_FR)


def test_select_algorithm_refuses_what_dispatch_leaves_empty() -> None:
    empty = dispatch(GAM_FR, "fr", "range", {})
    assert empty.candidates == ()
    with pytest.raises(UnsupportedQueryError, match="'range' cannot answer 'fr'"):
        select_algorithm(GAM_FR, "fr", "range", {})
    entry, spec = select_algorithm(GAM_FR, "fr", "auto", {}).chosen
    assert spec.name == "partial-sums" and entry.cell.query == "fr"
