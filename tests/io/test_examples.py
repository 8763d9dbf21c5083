"""The bundled examples: they load, the package copies match the source tree, the EBM
example is what its build script fits, and the credit model covers every kind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from gamexplain import InvalidParameterError, Piecewise, from_ebm, load, loads
from gamexplain.examples import demo_instance, example_path, list_examples

SOURCE = Path(__file__).resolve().parents[2] / "examples"


def test_every_example_loads_and_ships_in_the_package():
    assert list_examples() == ["breast_cancer_ebm", "credit"]
    for name in list_examples():
        packaged = example_path(name)
        assert packaged == example_path(f"{name}.json")
        text = packaged.read_text(encoding="utf-8")
        assert len(text) < 300_000
        assert text == (SOURCE / f"{name}.json").read_text(encoding="utf-8")
        gam = loads(text)
        x = demo_instance(name)
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
