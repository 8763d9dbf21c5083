"""Plots of results (matplotlib's Agg backend) and the hand-over to shap's Explanation."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Finite, Integers, Piecewise, Table
from gamexplain.errors import InvalidParameterError, SolverUnavailableError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _gam() -> GAM:
    return GAM(
        [
            Feature("a", Finite(["lo", "mid", "hi"]), Table([-1.0, 0.25, 2.0])),
            Feature("b", Finite([0, 1]), Table([-0.5, 0.75])),
            Feature("c", Integers(0, 3), Piecewise([0, 2, 3], [[0.0], [1.0]])),
        ],
        intercept=-0.5,
        task=Classification(threshold=0.0),
    )


X = ("hi", 1, 2)


@pytest.mark.parametrize("kind", ["bar", "waterfall"])
def test_attribution_plots_draw_one_bar_per_feature(kind: str) -> None:
    gam = _gam()
    for result in (gx.shap_values(gam, X), gx.banzhaf_values(gam, X)):
        ax = result.plot(kind=kind)
        assert len(ax.patches) == gam.n_features
        assert ax.get_yticklabels()[0].get_text() == "a"  # the largest first


def test_waterfall_sums_the_features_beyond_max_display() -> None:
    ax = gx.shap_values(_gam(), X).plot(kind="waterfall", max_display=1)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "2 other features"] and len(ax.patches) == 2


def test_label_shap_brackets_are_error_bars() -> None:
    from matplotlib.container import ErrorbarContainer

    result = gx.shap_values(_gam(), X, output="label", max_states=1)
    assert not result.exact
    ax = result.plot()
    assert len(ax.patches) == 3
    assert any(isinstance(c, ErrorbarContainer) for c in ax.containers)
    exact = gx.shap_values(_gam(), X).plot()
    assert not any(isinstance(c, ErrorbarContainer) for c in exact.containers)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="kind"):
        gx.shap_values(_gam(), X).plot(kind="pie")


def test_reason_plots_mark_kept_and_changed_features() -> None:
    gam = _gam()
    msr = gx.minimum_sufficient_reason(gam, X)
    ax = msr.plot(gam)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.patches) == 3 and sum("(kept)" in t for t in labels) == msr.size
    mcr = gx.minimum_contrastive_reason(gam, X, witness="nearest")
    ax = mcr.plot(gam)
    # a bar per feature at x and one per changed feature at the witness
    assert len(ax.patches) == 3 + mcr.size
    assert sum("(changed)" in t.get_text() for t in ax.get_yticklabels()) == mcr.size


def test_completion_and_scaling_plots() -> None:
    ax = gx.completion_fraction(_gam(), X, ["a"]).plot()
    assert len(ax.patches) == 1
    from gamexplain.lab import scaling

    report = scaling("mcr", "finite", "table", "classification", sizes=(2, 4, 8), seed=0)
    ax = report.plot()
    assert len(ax.lines[0].get_xdata()) == 3


def test_to_shap_explanation_round_trips_the_values() -> None:
    shap = pytest.importorskip("shap")
    result = gx.shap_values(_gam(), X)
    explanation = result.to_shap_explanation()
    assert isinstance(explanation, shap.Explanation)
    assert np.array_equal(explanation.values, result.values)
    assert explanation.base_values == result.base_value
    assert list(explanation.feature_names) == ["a", "b", "c"] and tuple(explanation.data) == X
    shap.plots.waterfall(explanation, show=False)  # shap's own plot takes it


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(SolverUnavailableError, match=r"gamexplain\[plot\]"):
        gx.shap_values(_gam(), X).plot()
    monkeypatch.setitem(sys.modules, "shap", None)
    with pytest.raises(SolverUnavailableError, match="shap"):
        gx.shap_values(_gam(), X).to_shap_explanation()
