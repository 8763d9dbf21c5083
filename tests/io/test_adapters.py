"""The adapter table is the one list of adapters: convert, the command line and the
package's exports all agree with it."""

from __future__ import annotations

import argparse

import pytest

import gamexplain
import gamexplain.io
from gamexplain import InvalidParameterError
from gamexplain.io.adapters import ADAPTERS, converter, converters, loader_names
from gamexplain.io.convert import convert_model, reads_data, reads_pickle


def test_every_declared_loader_is_exported_once():
    declared = set(loader_names())
    assert len(declared) == len(loader_names())
    for package in (gamexplain, gamexplain.io):
        exported = {name for name in package.__all__ if name.startswith("from_")}
        assert exported == declared | {"from_fitted"}, package.__name__


def test_from_fitted_picks_the_adapter_by_class():
    ensemble = pytest.importorskip("sklearn.ensemble")
    pipeline = pytest.importorskip("sklearn.pipeline")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    linear = pytest.importorskip("sklearn.linear_model")
    np = pytest.importorskip("numpy")
    X = np.linspace(0, 1, 40).reshape(20, 2)
    y = (X[:, 0] > 0.5).astype(int)
    trees = ensemble.HistGradientBoostingClassifier(max_iter=2, interaction_cst="no_interactions")
    splines = pipeline.make_pipeline(
        preprocessing.SplineTransformer(n_knots=3), linear.LogisticRegression()
    )
    for model, loader in (
        (trees.fit(X, y), "from_hist_gradient_boosting"),
        (splines.fit(X, y), "from_sklearn"),
    ):
        options = {"X": X} if loader != "from_sklearn" else {}
        gam = gamexplain.from_fitted(model, **options)
        expected = getattr(gamexplain, loader)(model, **options)
        assert gamexplain.dumps(gam) == gamexplain.dumps(expected)
    refused = r"'model' parameter of from_fitted.*pygam.*RandomForestClassifier"
    with pytest.raises(InvalidParameterError, match=refused):
        gamexplain.from_fitted(ensemble.RandomForestClassifier())


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_each_entry_names_real_functions(adapter):
    for name in (adapter.loader, adapter.data_loader):
        if name is not None:
            assert adapter.function(name) is getattr(gamexplain, name)
            assert adapter.function(name).__doc__
    assert adapter.description and adapter.library


def _convert_source_action() -> argparse.Action:
    from gamexplain.cli import _parser

    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    convert = commands.choices["convert"]
    return next(a for a in convert._actions if a.dest == "source")


def test_cli_choices_and_help_come_from_the_table():
    action = _convert_source_action()
    assert list(action.choices or ()) == [a.name for a in converters()]
    assert all(a.library in (action.help or "") for a in converters())


def test_convert_reads_what_the_table_says():
    assert [a.name for a in converters()] == [
        "ebm",
        "pygam",
        "sklearn",
        "xgboost",
        "lightgbm",
        "hgb",
    ]
    for adapter in converters():
        assert reads_data(adapter.name) == (adapter.data_loader is not None)
        assert reads_pickle("model.pkl", adapter.name) == adapter.pickle
    assert not reads_pickle("dir/MODEL.JSON", "ebm") and not reads_pickle(".json", "ebm")
    assert reads_pickle("model.json", "pygam")
    assert not reads_pickle("m.TXT", "lightgbm") and not reads_pickle("m.json", "lightgbm")
    assert reads_pickle("m.pkl", "lightgbm") and reads_pickle("m.txt", "xgboost")


@pytest.mark.parametrize("source", ["nam", "nope", None])
def test_unknown_sources_are_refused_by_name(source, tmp_path):
    with pytest.raises(InvalidParameterError) as info:
        convert_model(tmp_path / "m.pkl", source)
    message = str(info.value)
    assert "'source' parameter of convert_model" in message and repr(source) in message
    assert "{'ebm', 'pygam', 'sklearn', 'xgboost', 'lightgbm', 'hgb'}" in message
    with pytest.raises(InvalidParameterError, match="'source' parameter of f"):
        converter(source, "f")


def test_a_pickle_only_source_refuses_without_allow_pickle(tmp_path):
    with pytest.raises(InvalidParameterError, match="allow_pickle=True"):
        convert_model(tmp_path / "m.json", "sklearn", allow_pickle=False)
