"""The exact rival models of a multiclass model with pair terms are built on the query's
clock (a fitted EBM's take about a second) and kept per model: a tiny ``time_limit``
stops the first query on time, and a stopped build caches nothing partial."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

import gamexplain as gx
from gamexplain import GAM, Feature, Interval, Multiclass, PairTerm, Piecewise, Regression
from gamexplain.model.multiclass import MulticlassGAM, rival_model

LIMIT = 0.05


def _model(bins: int) -> MulticlassGAM:
    """Three classes over four features with three bins×bins pair tables whose class
    differences are mostly no floats (the slow, exact path of the rival build)."""
    rng = np.random.default_rng(0)
    edges = [float(e) for e in np.linspace(0, 1, bins + 1)]

    def score(c: int) -> GAM:
        features = [
            Feature(f"f{i}", Interval(0, 1), Piecewise([0.0, 0.5, 1.0], [[c * 0.1], [-c * 0.2]]))
            for i in range(4)
        ]
        pairs = [
            PairTerm((i, j), [edges, edges], (rng.standard_normal((bins, bins)) * 10.0**c).tolist())
            for i, j in ((0, 1), (1, 2), (2, 3))
        ]
        return GAM(features, intercept=0.1 * c, task=Regression(), pairs=pairs)

    return MulticlassGAM(Multiclass(["a", "b", "c"]), [score(c) for c in range(3)])


def _seconds(call):  # type: ignore[no-untyped-def]
    """The call's outcome and the lesser of its wall and CPU time (see test_time_limits)."""
    start, cpu = time.monotonic(), time.process_time()
    try:
        found = call()
    except gx.TimeLimitError as error:
        found = error
    return found, min(time.monotonic() - start, time.process_time() - cpu)


def test_the_rival_build_stops_on_the_query_clock():
    gam = _model(300)
    x = [0.3, 0.6, 0.2, 0.9]
    for query in (
        lambda: gx.is_sufficient_reason(gam, x, [0, 1], time_limit=LIMIT),
        lambda: gx.minimum_contrastive_reason(gam, x, time_limit=LIMIT),
    ):
        found, seconds = _seconds(query)
        # the documented behaviour: a TimeLimitError naming the query, not a rival's
        assert isinstance(found, gx.TimeLimitError), found
        assert "None s" not in str(found)
        assert seconds <= 10 * LIMIT + 0.25
    # a stopped build left nothing partial: whatever is cached is whole
    for rival in gam.__dict__.get("_rivals", {}).values():
        assert len(rival.pairs) == 3


def test_rival_pair_tables_are_the_exact_differences():
    gam = _model(6)
    for winner, loser in ((0, 1), (2, 0), (1, 2)):
        rival = rival_model(gam, winner, loser)
        assert rival is rival_model(gam, winner, loser)  # built once per model
        for mine, a, b in zip(
            rival.pairs, gam.scores[winner].pairs, gam.scores[loser].pairs, strict=True
        ):
            for row, ra, rb in zip(mine.values, a.values, b.values, strict=True):
                for d, u, v in zip(row, ra, rb, strict=True):
                    exact = Fraction(u) - Fraction(v)
                    assert Fraction(d) == exact
                    # a float exactly when the difference is one
                    assert isinstance(d, float) == (Fraction(float(exact)) == exact)
    x = [0.3, 0.6, 0.2, 0.9]
    result = gx.minimum_sufficient_reason(gam, x)
    assert result.exact and result.verify(gam)
