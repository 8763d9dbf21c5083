"""Every query with ``time_limit=T`` returns within 1.5·T + 0.5 s (issue 9, finding 10).

Each case is a generated hard instance that used to run far past its limit. A stopped
result says ``status="time_limit"``, is inexact and still passes ``verify``; a run that
cannot certify any reason in time says so with an error, on time, instead of guessing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

import gamexplain as gx
from gamexplain.errors import TimeLimitError
from gamexplain.lab.generators import generate
from gamexplain.substrate import deadline

LIMIT = 1.0
BOUND = 1.5 * LIMIT + 0.5 + 0.5  # the contract, plus slack for a loaded CI machine


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """The call's result and its duration: the wall clock, unless the process ran for less.

    The limit is on the wall clock, but on a machine loaded by other jobs the wall clock
    also counts time this process waited for a core. A run that ignores its deadline
    still overruns in its own CPU time, so the lesser of the two keeps the test able to
    fail without making it depend on the machine's load.
    """
    start, cpu = time.monotonic(), time.process_time()
    try:
        found = call()
    except TimeLimitError as error:
        found = error
    return found, min(time.monotonic() - start, time.process_time() - cpu)


def _honest(result: Any, gam: Any) -> None:
    """A stopped result is inexact with a bracket and verifies; a finished one is exact."""
    if result.status == "solved":
        assert result.exact
    else:
        assert result.status == "time_limit" and not result.exact
    assert result.verify(gam)


def _no_start(result: Any) -> bool:
    """Whether the run stopped before it had any bound to give.

    On a loaded machine the setup (the extremes, the pair cell tables) can use up the
    whole limit; the query must then say so, by name, rather than guess.
    """
    if isinstance(result, TimeLimitError):
        assert "ran out" in str(result), str(result)
        return True
    return False


def test_minimal_reason_on_an_interval_nam_stops_on_time() -> None:
    gam, x, _ = generate("minimal-sr", "interval", "nam", n=8)
    result, seconds = _timed(lambda: gx.minimal_sufficient_reason(gam, x, time_limit=LIMIT))
    assert seconds <= BOUND
    if _no_start(result):
        return
    assert result.status == "time_limit" and result.size_bounds is not None
    _honest(result, gam)


@pytest.mark.parametrize(
    "query, domain, n",
    [("msr", "interval", 8), ("mcr", "interval", 8), ("mcr", "integers", 16)],
)
def test_nam_reasons_return_on_time_or_say_why_not(query: str, domain: str, n: int) -> None:
    gam, x, _ = generate(query, domain, "nam", n=n)
    func = gx.minimum_sufficient_reason if query == "msr" else gx.minimum_contrastive_reason
    result, seconds = _timed(lambda: func(gam, x, time_limit=LIMIT))
    assert seconds <= BOUND
    if isinstance(result, TimeLimitError):
        # the extremes a certified reason needs take longer than the limit: no guess
        assert "ran out before any subset-minimal reason could be certified" in str(result)
    else:
        _honest(result, gam)


@pytest.mark.parametrize(
    ("method", "n"),
    # branch and bound solves the 30-feature model within the limit: it gets a larger one
    [("auto", 60), ("hitting-set", 30)],
)
def test_contrastive_reason_on_a_pair_model_stops_on_time(method: str, n: int) -> None:
    gam, x, _ = generate("mcr", "finite", "pairs", n=n)
    result, seconds = _timed(
        lambda: gx.minimum_contrastive_reason(gam, x, method=method, time_limit=LIMIT)
    )
    assert seconds <= BOUND
    if _no_start(result):
        return
    assert result.status == "time_limit" and result.size_bounds[0] >= 1
    _honest(result, gam)


def test_regression_pareto_stops_on_time() -> None:
    gam, x, _ = generate("msr", "finite", "table", task="regression", n=30)
    result, seconds = _timed(lambda: gx.minimum_sufficient_reason(gam, x, time_limit=LIMIT))
    assert seconds <= BOUND
    assert result.algorithm == "pareto" and result.status == "time_limit"
    _honest(result, gam)


@pytest.mark.parametrize("listing", [gx.sufficient_reasons, gx.contrastive_reasons])
def test_listings_stop_on_time(listing: Callable[..., Any]) -> None:
    gam, x, _ = generate("enum-sr", "finite", "pairs", n=30)
    start = time.monotonic()
    reasons = listing(gam, x, time_limit=LIMIT)
    found = list(reasons)
    assert time.monotonic() - start <= BOUND
    assert reasons.status in ("solved", "time_limit")
    assert all(reason.verify(gam) for reason in found[:3])


def test_redundancy_of_a_deep_network_stops_on_time() -> None:
    gam, _, extra = generate("fr", "integers", "nam", n=30)
    result, seconds = _timed(lambda: gx.is_redundant(gam, extra["feature"], time_limit=LIMIT))
    assert seconds <= BOUND
    assert result.status == "time_limit" and not result.exact and result.certificate is None
    assert result.verify(gam)


def test_no_time_limit_means_no_deadline() -> None:
    with deadline.limit(None):
        assert deadline.remaining() is None and not deadline.expired()
    with deadline.limit(10.0), deadline.limit(None):
        assert 0 < (deadline.remaining() or 0) <= 10.0


def test_an_interrupted_compilation_is_not_cached() -> None:
    from gamexplain.substrate.pieces import lower

    gam, _, _ = generate("msr", "interval", "nam", n=5)
    with pytest.raises(deadline.OutOfTime), deadline.limit(1e-9):
        time.sleep(1e-3)
        lower(gam.features[0])
    assert len(lower(gam.features[0])) > 0


def _spin(seconds: float) -> None:
    """Burn ``seconds`` of this process's CPU time (a slow measure the clock must see)."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_responsiveness_stops_between_level_set_measures(monkeypatch: Any) -> None:
    # 12 separable features whose level-set measures each take 0.3 s of CPU: run to the
    # end they take 3.6 s, past the bound; on the clock the run stops after about three,
    # keeps those exact and reports the rest "not measured" with bounds [0, 1]
    from gamexplain.algorithms import responsiveness as algorithm

    shape = gx.Piecewise([0, 5, 9], [[-1.0], [1.0]])
    feats = [gx.Feature(f"x{k}", gx.Integers(0, 9), shape) for k in range(12)]
    gam = gx.GAM(feats, intercept=10.5, task=gx.Classification(0.0))
    x, actions = [0] * 12, gx.ActionSet.from_gam(gam)
    full = gx.responsiveness_scores(gam, x, actions)
    assert full.exact and "not measured" not in full.measure
    assert full.exact_scores == (Fraction(5, 9),) * 12  # one feature to 5..9 flips it
    measure = algorithm._separable_count

    def slow(*args: Any) -> Any:
        _spin(0.3)
        return measure(*args)

    monkeypatch.setattr(algorithm, "_separable_count", slow)
    algorithm._MEMO.clear()
    result, seconds = _timed(lambda: gx.responsiveness_scores(gam, x, actions, time_limit=LIMIT))
    assert seconds <= BOUND
    assert result.status == "time_limit" and not result.exact
    assert result.fixed is not True  # a measured feature that flips it shows "not fixed"
    measured = [j for j, m in enumerate(result.measure) if m != "not measured"]
    assert 0 < len(measured) < 12
    for j in range(12):
        if j in measured:  # what was measured is the full run's exact answer
            assert result.exact_scores[j] == full.exact_scores[j]
        else:
            assert result.exact_scores[j] is None and (result.lower[j], result.upper[j]) == (0, 1)
    assert "not measured" in result.message and result.verify(gam)
    decision, seconds = _timed(lambda: gx.is_fixed(gam, x, actions, time_limit=LIMIT))
    assert seconds <= BOUND and not decision.holds and decision.verify(gam)
    # a forged score fails, measured or not
    j, k = measured[0], next(j for j in range(12) if j not in measured)
    for m, value in ((j, Fraction(4, 9)), (k, Fraction(1, 2))):
        scores = list(result.exact_scores)
        scores[m] = value
        forged = dataclasses.replace(result, exact_scores=tuple(scores))
        assert not forged.verify(gam)
    labels = list(result.measure)
    labels[j] = "not measured"  # hiding a measured score behind the label still binds it
    scores = list(result.exact_scores)
    scores[j] = None
    for low, holds in ((0.9, False), (0.5, True)):
        claim = dataclasses.replace(
            result, measure=tuple(labels), exact_scores=tuple(scores),
            lower=(*result.lower[:j], low, *result.lower[j + 1:]),
            upper=(*result.upper[:j], 1.0, *result.upper[j + 1:]),
        )  # fmt: skip
        assert claim.verify(gam) is holds
    # the printout ranks the measured features and shows the rest as bounds, last
    shown = str(result).splitlines()
    assert all("not measured" not in line for line in shown[1:len(measured) + 1])
    assert all("not measured" in line for line in shown[len(measured) + 1:-1])
