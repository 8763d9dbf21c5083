"""The bundled examples: they load, the package copies match the source tree, the EBM
example is what its build script fits, and the credit model covers every kind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from gamexplain import InvalidParameterError, Piecewise, from_ebm, load, loads
from gamexplain.examples import demo_instance, example_path, list_examples, locate_model

SOURCE = Path(__file__).resolve().parents[2] / "examples"


def test_every_example_loads_and_ships_in_the_package():
    assert list_examples() == [
        "breast_cancer_default_ebm",
        "breast_cancer_ebm",
        "credit",
        "diabetes_ebm",
    ]
    for name in list_examples():
        packaged = example_path(name)
        x = demo_instance(name)
        if packaged.name.endswith(".gz"):  # large: gzip-compressed, in the package only
            assert packaged.stat().st_size < 4_000_000
            assert not (SOURCE / packaged.name).exists()
            assert load(packaged).instance(x) == x
            continue
        assert packaged == example_path(f"{name}.json")
        text = packaged.read_text(encoding="utf-8")
        assert len(text) < 300_000
        assert text == (SOURCE / f"{name}.json").read_text(encoding="utf-8")
        gam = loads(text)
        assert gam.instance(x) == x


def test_unknown_example_names_are_rejected():
    with pytest.raises(InvalidParameterError, match="'name' parameter of example_path"):
        example_path("nope")


def test_credit_mixes_every_domain_and_shape_kind():
    gam = load(example_path("credit"))
    assert {f.domain.kind for f in gam.features} == {"finite", "integers", "interval"}
    assert {f.component for f in gam.features} == {"table", "ebm", "spline", "nam"}
    degrees = {f.shape.degree for f in gam.features if isinstance(f.shape, Piecewise)}
    assert degrees == {0, 1, 3}


def test_breast_cancer_example_is_what_the_build_script_fits():
    pytest.importorskip("interpret")
    datasets = pytest.importorskip("sklearn.datasets")
    spec = importlib.util.spec_from_file_location("build_examples", SOURCE / "build_examples.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    ebm = script.fit_breast_cancer()
    gam = load(example_path("breast_cancer_ebm"))
    assert gam == from_ebm(ebm)
    X = datasets.load_breast_cancer().data
    assert np.array_equal(gam.decision_function(X), ebm.decision_function(X))
    assert np.array_equal(gam.predict(X), ebm.predict(X))


def test_load_takes_a_bundled_example_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list_examples():
        assert load(name) == load(example_path(name))
        source = locate_model(name)
        assert source == (example_path(name), True, False)


def test_a_file_of_an_examples_name_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "credit").write_text(example_path("breast_cancer_ebm").read_text())
    assert locate_model("credit") == (Path("credit"), False, True)
    assert len(load("credit").features) == 30
    (tmp_path / "mine.json").write_text(example_path("credit").read_text())
    assert locate_model("mine.json") == (Path("mine.json"), False, False)


@pytest.mark.parametrize("name", ["nope", "", "credit.json", "CREDIT"])
def test_neither_a_file_nor_an_example_lists_the_examples(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    listed = r"no model file .*bundled: breast_cancer_default_ebm, breast_cancer_ebm, credit"
    with pytest.raises(FileNotFoundError, match=listed):
        load(name)


def test_a_path_object_is_always_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError):
        load(Path("credit"))


def test_the_command_line_reads_what_load_reads(tmp_path, monkeypatch):
    from gamexplain.cli import load_model

    monkeypatch.chdir(tmp_path)
    assert load_model("credit") == load("credit")
    (tmp_path / "credit").write_text(example_path("breast_cancer_ebm").read_text())
    assert load_model("credit") == load("credit") and len(load("credit").features) == 30


def test_diabetes_example_is_what_the_build_script_fits():
    """The demo's regression model: main effects, tolerance 25 in the target's units, and
    its demo patient is held-out row 0."""
    pytest.importorskip("interpret")
    datasets = pytest.importorskip("sklearn.datasets")
    selection = pytest.importorskip("sklearn.model_selection")
    spec = importlib.util.spec_from_file_location("build_examples", SOURCE / "build_examples.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    ebm = script.fit_diabetes()
    gam = load(example_path("diabetes_ebm"))
    assert gam == from_ebm(ebm, tolerance=25.0)
    assert gam.task.tolerance == 25.0 and not gam.pairs
    X, y = datasets.load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    _, test, _, _ = selection.train_test_split(X, y, test_size=0.2, random_state=0)
    assert tuple(float(v) for v in test.iloc[0]) == demo_instance("diabetes_ebm")
    assert np.allclose(gam.decision_function(test.to_numpy()), ebm.predict(test), atol=1e-9)
