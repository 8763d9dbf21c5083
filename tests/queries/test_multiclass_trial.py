"""Defects found by a user trial of multiclass models (issue 14), one test per defect."""

from __future__ import annotations

import gamexplain as gx
from gamexplain import GAM, Feature, Finite, Interval, Multiclass, MulticlassGAM, Piecewise
from gamexplain import Regression, Table


def _score(table: list[float], steps: list[float], b0: float) -> GAM:
    return GAM(
        [Feature("grade", Finite(["a", "b", "c"]), Table(table)),
         Feature("size", Interval(0.0, 1.0), Piecewise([0.0, 0.3, 1.0], [[s] for s in steps]))],
        b0, Regression(),
    )  # fmt: skip


def tiny() -> MulticlassGAM:
    """Three classes over a category and a two-step feature on [0, 1] (breakpoint 0.3,
    a float that is not a short rational)."""
    return MulticlassGAM(
        Multiclass(["low", "mid", "high"]),
        [_score([1.0, 0.0, -1.0], [0.5, -0.5], 0.0),
         _score([0.0, 0.5, 0.0], [0.0, 0.0], 0.0),
         _score([-1.0, 0.0, 1.0], [-0.5, 0.5], 0.0)],
    )  # fmt: skip


def test_csr_message_shows_the_breaking_value_as_a_number() -> None:
    gam = tiny()
    result = gx.is_sufficient_reason(gam, ("b", 0.1), ["grade"])
    assert not result.holds and result.verify(gam)
    assert "Fraction" not in str(result), str(result)
