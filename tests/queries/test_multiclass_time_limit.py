"""Multiclass reason queries on pair models under ``time_limit``: a stopped minimum
search returns a certified subset-minimal reason with size bounds, as a binary one does;
the decisions (CSR) and deletions raise a TimeLimitError that names the query."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

import gamexplain as gx
from gamexplain.certify.reasons import stopped_text
from gamexplain.complexity import registry
from gamexplain.lab.generators import generate
from gamexplain.substrate.deadline import OutOfTime


@pytest.fixture(scope="module")
def pair_model() -> tuple[Any, tuple[Any, ...]]:
    gam, x, _ = generate("msr", "finite", "pairs", "multiclass", 10, seed=0)
    assert gam.pairs and gam.n_classes == 3
    return gam, x


@pytest.fixture
def stopped_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Make the hitting-set search stop (as the deadline would) after ``k`` rival
    decisions, so the stopped result is the same on every machine."""
    key = ("msr", "rivals-hitting-set")
    spec = registry._ALGORITHMS[key]

    def install(k: int) -> None:
        def run(problem: Any, time_limit: float | None = None) -> Any:
            calls: list[int] = []

            def decide(c: int, kept: frozenset[int]) -> Any:
                calls.append(c)
                if len(calls) > k:
                    raise OutOfTime
                return problem.decide(c, kept)

            # the copy shares ``progress``, which the stopped query reads
            return spec.func(dataclasses.replace(problem, decide=decide))

        monkeypatch.setitem(registry._ALGORITHMS, key, dataclasses.replace(spec, func=run))

    yield install


@pytest.mark.parametrize("k", [0, 3, 12, 30])
def test_a_stopped_minimum_search_returns_certified_bounds(
    pair_model: Any, stopped_after: Any, k: int
) -> None:
    gam, x = pair_model
    best = gx.minimum_sufficient_reason(gam, x)
    assert best.status == "solved" and best.verify(gam)
    stopped_after(k)
    reason = gx.minimum_sufficient_reason(gam, x, time_limit=60)
    assert (reason.status, reason.exact, reason.kind) == ("time_limit", False, "subset-minimal")
    lower, upper = reason.size_bounds
    assert lower <= best.size <= upper == reason.size
    assert reason.message == stopped_text((lower, upper)) and reason.verify(gam)
    assert "stopped early" in str(reason)
    # a lower bound the cores do not prove, or a claim of the minimum, is refused
    if best.size + 1 <= upper:
        raised = (best.size + 1, upper)
        forged = dataclasses.replace(reason, size_bounds=raised, message=stopped_text(raised))
        assert not forged.verify(gam)
    claimed = dataclasses.replace(reason, status="solved", exact=True, kind="minimum",
                                  minimum_certified=True, size_bounds=None, message="")  # fmt: skip
    assert best.size == upper or not claimed.verify(gam)
    assert not dataclasses.replace(reason, exact=True).verify(gam)


def test_a_stop_after_some_cores_bounds_the_size_from_below(
    pair_model: Any, stopped_after: Any
) -> None:
    gam, x = pair_model
    stopped_after(30)
    reason = gx.minimum_sufficient_reason(gam, x, time_limit=60)
    assert reason.certificate.cores and reason.size_bounds[0] > 0 and reason.verify(gam)


def test_the_decisions_name_themselves_when_time_runs_out(pair_model: Any) -> None:
    gam, x = pair_model
    for ask, args in ((gx.is_sufficient_reason, (x, gam.feature_names[:2])),
                      (gx.minimal_sufficient_reason, (x,)),
                      (gx.minimum_contrastive_reason, (x,))):  # fmt: skip
        with pytest.raises(gx.TimeLimitError, match=f"^{ask.__name__} ran out of time"):
            ask(gam, *args, time_limit=1e-9)


def test_a_tiny_time_limit_on_a_small_pair_model(pair_model: Any) -> None:
    gam, x = pair_model
    try:
        reason = gx.minimum_sufficient_reason(gam, x, time_limit=1e-3)
    except gx.TimeLimitError as error:  # the grace time ran out too
        assert "raise time_limit" in str(error)
    else:
        assert reason.verify(gam) and reason.exact == (reason.status == "solved")
