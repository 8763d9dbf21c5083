"""explain_plan reads the registry without running anything, and every theorem id the
registry uses has its section in proofs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import gams, instances

from gamexplain import (
    GAM,
    InvalidParameterError,
    UnsupportedQueryError,
    is_redundant,
    minimum_sufficient_reason,
)
from gamexplain.complexity import complexity_table, explain_plan
from gamexplain.complexity.registry import (
    COMPONENTS,
    DOMAINS,
    QUERIES,
    algorithms_for,
    registered_algorithms,
)

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
REASON_QUERIES = ("csr", "msr", "minimal-sr", "enum-sr", "mcr", "enum-cr")


@st.composite
def cell_models(draw: st.DrawFn) -> GAM:
    """A model of one chosen (domain kind, component class) cell, sometimes with pairs."""
    domain = draw(st.sampled_from(DOMAINS))
    component = draw(st.sampled_from([c for c in COMPONENTS if domain == "finite" or c != "table"]))
    return draw(gams(domain_kinds=(domain,), components=(component,), pairs=draw(st.booleans())))


@given(gam=cell_models(), query=st.sampled_from(QUERIES))
def test_plan_picks_the_first_applicable_algorithm_of_the_cell(gam: GAM, query: str) -> None:
    if gam.task.kind == "regression" and query in ("shap-label", "banzhaf-label"):
        return
    plan = explain_plan(gam, query)
    listed = algorithms_for(plan.cell.cell)
    applicable = [s.name for s in listed if s.applies(gam, {}) is None]
    assert plan.algorithm == (applicable[0] if applicable else None)
    first = [name for name, _ in plan.skipped]
    assert first == [s.name for s in listed][: len(first)]
    if query in REASON_QUERIES and gam.is_additive:
        assert plan.algorithm == listed[0].name  # the registry's first choice always applies
    assert str(plan)


@given(gam=gams(max_features=3), data=st.data())
def test_plan_is_what_the_query_runs(gam: GAM, data: st.DataObject) -> None:
    x = data.draw(instances(gam))
    plan = explain_plan(gam, "msr")
    if plan.algorithm is None:
        return
    assert minimum_sufficient_reason(gam, x).algorithm == plan.algorithm


@given(gam=gams(max_features=3), pick=st.integers(0, 2), budget=st.sampled_from([2, 100_000]))
def test_is_redundant_runs_an_algorithm_of_its_plan_in_order(
    gam: GAM, pick: int, budget: int
) -> None:
    feature = pick % gam.n_features
    plan = explain_plan(gam, "fr", feature=feature, max_states=budget)
    if plan.algorithm is None:
        with pytest.raises(UnsupportedQueryError):
            is_redundant(gam, feature, max_states=budget)
        return
    result = is_redundant(gam, feature, max_states=budget)
    assert result.algorithm in plan.order
    if budget > 2:  # three features never exhaust this budget: the first answers
        assert result.algorithm == plan.algorithm


def test_plan_words_show_the_erratum() -> None:
    from gamexplain import Feature, Integers, Piecewise

    gam = GAM([Feature("age", Integers(0, 10**12), Piecewise([0, 40, 10**12], [[-1.0], [1.0]]))])
    text = str(explain_plan(gam, "mcr"))
    assert "paper: NP-complete; gamexplain: PTIME [erratum] (thm:ebm-ptime)" in text
    assert "runs greedy" in text
    with pytest.raises(InvalidParameterError, match="'method' parameter of explain_plan"):
        explain_plan(gam, "mcr", method="nope")
    refused = explain_plan(gam, "mcr", method="brute")
    assert refused.algorithm is None and "brute force" in str(refused)


def _proved() -> set[str]:
    found = set()
    for path in PROOFS.glob("*.md"):
        found |= set(re.findall(r"^## (thm:[\w-]+)\s*$", path.read_text(), flags=re.MULTILINE))
    return found


def test_every_theorem_id_has_a_proof_section() -> None:
    used = {e.theorem for e in complexity_table()} | {s.theorem for s in registered_algorithms()}
    missing = sorted(used - _proved())
    assert not missing, f"no '## <id>' section in proofs/*.md for: {', '.join(missing)}"
