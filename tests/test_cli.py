"""The command line: every sub-command on the bundled examples, and clean failures."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gamexplain.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@functools.cache
def _demo() -> tuple[dict, str]:
    """The demo's answers and printout, computed once for the tests below (it explains
    the default EBM with 90 pair terms) in a folder holding files named like the demo's
    models, which it must not read."""
    import os
    import tempfile
    from pathlib import Path

    from gamexplain.cli import demo_report
    from gamexplain.examples import example_path

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        for name in ("breast_cancer_default_ebm", "breast_cancer_ebm", "diabetes_ebm"):
            (Path(folder) / name).write_text(example_path("credit").read_text())
        os.chdir(folder)
        try:
            return demo_report(2.0)
        finally:
            os.chdir(here)


def test_demo_explains_the_default_ebm_with_pairs():
    data, out = _demo()
    assert "30 features, 90 pair terms" in out and "held-out patient (test row 13)" in out
    assert "class 0 (malignant)" in out
    # every query shown says its algorithm, whether it is exact and verify's verdict, or
    # that it gave no answer in time (the reason queries on pairs run under a time limit)
    for query in ("subset-minimal sufficient reason", "smallest such reason",
                  "minimum contrastive reason", "SHAP values of the score"):  # fmt: skip
        line = next(line for line in out.splitlines() if query in line and "[" in line)
        assert ("exact" in line and "verified;" in line) or "no answer" in line, line
    assert "VERIFY FAILED" not in out and "re-checked in exact arithmetic: yes" in out
    assert "[closed-form; exact; verified;" in out  # SHAP of the score is never cut short
    mcr = data["minimum_contrastive_reason"]["result"]
    if mcr is not None and mcr.exact:
        assert len(mcr.features) == 1  # a minimum of size one (several exist)
        assert "flips the prediction from 0 to 1" in out
    if mcr is not None:  # the hint follows the reason; under heavy load 2 s may give none
        assert 'witness="nearest"' in out and "pair terms included" in out


def test_demo_json_is_machine_readable():
    from gamexplain.results import to_jsonable

    data, _ = _demo()
    loaded = json.loads(json.dumps(to_jsonable(data)))
    assert loaded["model"] == "breast_cancer_default_ebm" and loaded["prediction"] == 0
    assert loaded["verified"] is True and loaded["time_limit"] == 2.0
    assert loaded["shap"]["verified"] is True and loaded["shap"]["result"]["exact"] is True
    for key in ("minimal_sufficient_reason", "minimum_sufficient_reason",
                "minimum_contrastive_reason"):  # fmt: skip
        answer = loaded[key]
        assert answer["verified"] is True or answer["error"], key
    nearest = loaded["regression"]["nearest_contrastive_reason"]["result"]
    if nearest is not None:
        assert nearest["witness_kind"] == "nearest" and nearest["features"] == ["s5"]


def test_demo_shows_a_regression_tolerance_in_target_units():
    _, out = _demo()
    assert "stores tolerance 25" in out and "standard deviation 77" in out
    assert "Minimum sufficient reason at tolerance 25 [pareto; exact; verified;" in out
    assert "guarantees a score within 25 of 234.158 whatever the other 2 features are" in out
    assert "10 features: with no band every feature" in out
    assert "changing only s5 to 5.06575" in out


def test_demo_reasons_hold_in_exact_arithmetic():
    import gamexplain as gx
    from gamexplain.examples import demo_instance, example_path

    gam = gx.load(example_path("diabetes_ebm"))
    x = demo_instance("diabetes_ebm")
    msr = gx.minimum_sufficient_reason(gam, x)
    assert gx.is_sufficient_reason(gam, x, msr.features)
    assert not gx.is_sufficient_reason(gam, x, msr.features[1:])


def test_show_lists_every_feature_with_its_component(capsys):
    status, out, _ = run(capsys, "show", "credit")
    assert status == 0
    for component in ("table", "ebm", "spline", "nam"):
        assert component in out


def test_predict_one_instance_and_a_csv(capsys, tmp_path):
    from gamexplain.examples import demo_instance, example_path
    from gamexplain.io.jsonfile import load

    gam = load(example_path("credit"))
    x = dict(zip(gam.feature_names, demo_instance("credit"), strict=True))
    status, out, _ = run(capsys, "predict", "credit", "--instance", json.dumps(x), "--json")
    assert status == 0
    [record] = json.loads(out)
    assert record["score"] == pytest.approx(float(gam.decision_function([list(x.values())])[0]))
    table = tmp_path / "rows.csv"
    table.write_text(",".join(x) + "\n" + ",".join(str(v) for v in x.values()) + "\n")
    status, out, _ = run(capsys, "predict", "credit", "--csv", str(table), "--json")
    assert status == 0 and json.loads(out)[0]["prediction"] == record["prediction"]


def test_table_marks_the_ebm_errata(capsys):
    status, out, _ = run(capsys, "table", "--query", "mcr")
    assert status == 0
    rows = [line for line in out.splitlines() if " ebm " in line and "integers" in line]
    assert rows and "NP-complete" in rows[0] and "PTIME (erratum)" in rows[0]


def test_plan_names_the_cell_and_the_algorithm(capsys):
    status, out, _ = run(capsys, "plan", "breast_cancer_ebm", "mcr")
    assert status == 0
    assert "greedy" in out and "thm:ebm-ptime" in out
    status, out, _ = run(capsys, "plan", "credit", "fr")
    assert status == 0 and "runs images" in out and "no fallback to cpsat" in out
    assert "then partial-sums if images stops with budget_exhausted" in out


def test_explain_runs_every_query_family(capsys):
    x = json.dumps(
        {"grade": "C", "income": 45.0, "age": 33, "open_accounts": 3, "utilisation": 0.55}
    )
    from gamexplain.complexity.queries import QUERY_TABLE

    queries = ",".join(name for spec in QUERY_TABLE for name in spec.cli)
    assert set(queries.split(",")) >= {"msr", "minimal", "mcr", "fr", "shap", "banzhaf", "cc"}
    status, out, _ = run(
        capsys,
        "explain",
        "credit",
        "--instance",
        x,
        "--query",
        queries,
        "--keep",
        "grade",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert set(data) == set(queries.split(","))
    assert all(r["exact"] and r["success"] for r in data["fr"])
    assert data["shap-label"]["output"] == "label" and data["banzhaf"]["output"] == "score"
    status, out, _ = run(capsys, "explain", "credit", "--instance", x, "--query", "shap")
    assert status == 0 and "SHAP values of the score (exact" in out


CREDIT_X = json.dumps(
    {"grade": "C", "income": 45.0, "age": 33, "open_accounts": 3, "utilisation": 0.55}
)


def fail_with(monkeypatch, function, error, only=None):
    """Make ``gamexplain.<function>`` raise ``error`` (for feature ``only``, if given)."""
    import gamexplain as gx

    original = getattr(gx, function)

    def failing(gam, *args, **kwargs):
        if only is None or args[0] == only:
            raise error
        return original(gam, *args, **kwargs)

    monkeypatch.setattr(gx, function, failing)


def test_a_failing_query_does_not_stop_the_others(capsys, monkeypatch):
    from gamexplain import TimeLimitError

    fail_with(monkeypatch, "minimum_sufficient_reason", TimeLimitError("no time for msr"))
    status, out, err = run(capsys, "explain", "credit", "--instance", CREDIT_X)
    assert status == 0 and "1 of 3 queries failed: msr" in err
    assert "[msr]\nfailed: TimeLimitError: no time for msr\n\n[mcr]\nchanging only" in out
    assert "SHAP values of the score (exact" in out
    status, out, _ = run(capsys, "explain", "credit", "--instance", CREDIT_X, "--json")
    data = json.loads(out)
    assert status == 0 and list(data) == ["msr", "mcr", "shap"]
    assert data["msr"] == {
        "query": "msr",
        "error": {"type": "TimeLimitError", "message": "no time for msr"},
    }
    assert data["mcr"]["success"] and len(data["shap"]["values"]) == 5


def test_strict_fails_when_any_query_fails_and_every_failure_fails_anyway(capsys, monkeypatch):
    from gamexplain import UnsupportedQueryError

    fail_with(monkeypatch, "shap_values", UnsupportedQueryError("no SHAP today"))
    argv = ("explain", "credit", "--instance", CREDIT_X, "--query", "msr,shap")
    status, out, _ = run(capsys, *argv, "--strict")
    assert status == 1 and "keeping" in out and "failed: UnsupportedQueryError" in out
    status, out, err = run(capsys, *argv[:-1], "shap,shap-label", "--json")
    assert status == 1 and "2 of 2 queries failed: shap, shap-label" in err
    assert {q["error"]["type"] for q in json.loads(out).values()} == {"UnsupportedQueryError"}
    status, _, err = run(capsys, *argv[:-1], "shap,shap")  # asked twice, answered once
    assert status == 1 and "1 of 1 queries failed: shap" in err


def test_an_internal_error_is_reported_as_one_query_without_a_traceback(capsys, monkeypatch):
    fail_with(monkeypatch, "minimum_contrastive_reason", ZeroDivisionError("a bug"))
    status, out, err = run(capsys, "explain", "credit", "--instance", CREDIT_X, "--json")
    assert status == 0 and "Traceback" not in out + err
    assert json.loads(out)["mcr"]["error"] == {
        "type": "ZeroDivisionError",
        "message": "a bug",
        "internal": True,
    }
    status, out, _ = run(capsys, "explain", "credit", "--instance", CREDIT_X, "--query", "mcr")
    assert status == 1 and "ZeroDivisionError: a bug (an internal error: please report it)" in out


def test_fr_reports_each_features_failure_in_its_place(capsys, monkeypatch):
    from gamexplain import TimeLimitError

    fail_with(monkeypatch, "is_redundant", TimeLimitError("too slow"), only="age")
    argv = ("explain", "credit", "--instance", CREDIT_X, "--query", "fr,msr")
    status, out, _ = run(capsys, *argv, "--json")
    answers = json.loads(out)["fr"]
    assert status == 0 and len(answers) == 5
    assert answers[2] == {
        "query": "fr",
        "feature": "age",
        "error": {"type": "TimeLimitError", "message": "too slow"},
    }
    assert all(a["success"] for k, a in enumerate(answers) if k != 2)
    status, out, err = run(capsys, *argv, "--strict")
    assert status == 1 and "failed for feature 'age': TimeLimitError: too slow" in out
    assert "1 of 2 queries failed: fr" in err


def test_bad_input_stops_everything_and_is_json_under_json(capsys):
    status, out, err = run(
        capsys, "explain", "credit", "--instance", CREDIT_X, "--query", "shap,nope", "--json"
    )
    assert status == 2 and "The 'query' option of explain" in err
    error = json.loads(out)["error"]
    assert error["type"] == "InvalidParameterError" and "'nope'" in error["message"]
    status, out, _ = run(capsys, "explain", "credit", "--instance", "[]", "--json")
    assert status == 2 and json.loads(out)["error"]["type"] == "InvalidInstanceError"
    status, out, _ = run(capsys, "show", "no-such-model", "--json")
    listed = "bundled: breast_cancer_default_ebm, breast_cancer_ebm, credit"
    assert status == 2 and listed in json.loads(out)["error"]["message"]


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["show", "no-such-model"], "no model file 'no-such-model'"),
        (["predict", "credit", "--instance", "{not json"], "--instance is not valid JSON"),
        (["predict", "credit", "--instance", '{"grade": "Z"}'], "no value for feature(s)"),
        (["table", "--query", "nope"], "no cells for query 'nope'"),
        (["plan", "credit", "msx"], "The 'query' argument of plan must be one of"),
        (["explain", "credit", "--instance", "[]", "--query", "msr"], "has 5 values"),
        (
            ["explain", "credit", "--instance", '["A", 1, 30, 1, 0.5]', "--query", "nope"],
            "The 'query' option of explain",
        ),
        (
            ["explain", "credit", "--instance", '["A", 1, 30, 1, 0.5]', "--fixed", "zzz"],
            "no feature named 'zzz'",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, fragment):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert fragment in err and "Traceback" not in err


def test_bad_model_file_names_the_json_path(capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "gamexplain/9"}')
    status, _, err = run(capsys, "show", str(broken))
    assert status == 2 and "format" in err


def test_console_script_entry_point_runs():
    completed = subprocess.run(
        [sys.executable, "-m", "gamexplain.cli", "table", "--query", "csr"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0 and "thm:csr-worst-case" in completed.stdout


def test_convert_a_trusted_pickled_pygam_warns_and_writes_json(capsys, tmp_path):
    import pickle

    import numpy as np

    pygam = pytest.importorskip("pygam")
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(80, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1]
    model = pygam.LinearGAM(pygam.s(0, n_splines=6) + pygam.l(1)).fit(X, y)
    source = tmp_path / "model.pkl"
    source.write_bytes(pickle.dumps(model))
    target = tmp_path / "model.json"
    status, out, err = run(
        capsys, "convert", str(source), "--from", "pygam", "--trust-pickle", "-o", str(target)
    )
    assert status == 0 and "EXECUTES CODE" in err and "2 features" in out
    import gamexplain as gx

    gam = gx.load(target)
    inside = np.clip(X[:5], 0.01, 0.99)
    assert np.allclose(gam.decision_function(inside), model.predict(inside), atol=1e-9)


def test_a_method_only_one_query_has_fails_only_that_query(capsys):
    argv = ("explain", "credit", "--instance", CREDIT_X, "--query", "msr,shap")
    status, out, _ = run(capsys, *argv, "--method", "closed-form", "--json")
    data = json.loads(out)
    assert status == 0 and data["shap"]["algorithm"] == "closed-form"
    assert data["msr"]["error"]["type"] == "InvalidParameterError"
    assert "'method' parameter of minimum_sufficient_reason" in data["msr"]["error"]["message"]


def test_distribution_is_passed_only_when_given_and_only_where_it_applies(capsys, monkeypatch):
    import gamexplain as gx

    seen: dict[str, object] = {}
    for function in ("minimum_sufficient_reason", "shap_values", "completion_fraction"):
        original = getattr(gx, function)

        @functools.wraps(original)  # keeps the signature the command line reads
        def spy(*args, _name=function, _original=original, **kwargs):
            seen[_name] = kwargs.get("distribution", "absent")
            return _original(*args, **kwargs)

        monkeypatch.setattr(gx, function, spy)
    argv = ("explain", "credit", "--instance", CREDIT_X, "--query", "msr,shap,cc", "--json")
    status, out, _ = run(capsys, *argv)
    assert status == 0 and set(seen.values()) == {"absent"}
    assert json.loads(out)["shap"]["distribution"] == "model"  # credit stores two marginals
    status, out, _ = run(capsys, *argv, "--distribution", "uniform")
    data = json.loads(out)
    assert seen == {
        "minimum_sufficient_reason": "absent",
        "shap_values": "uniform",
        "completion_fraction": "uniform",
    }
    assert data["shap"]["distribution"] == data["cc"]["distribution"] == "uniform"


def test_the_printout_says_which_distribution_was_used(capsys):
    argv = ("explain", "credit", "--instance", CREDIT_X, "--query", "shap,banzhaf")
    status, out, _ = run(capsys, *argv, "--distribution", "uniform")
    assert status == 0 and out.count("under uniform marginals; base value") == 2
    status, out, _ = run(capsys, *argv)
    assert status == 0 and out.count("under the model's stored marginals; base value") == 2
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--distribution", "joint"])
    assert exited.value.code == 2 and "invalid choice: 'joint'" in capsys.readouterr().err


def test_convert_passes_a_tolerance_to_a_regression_adapter(capsys, tmp_path):
    import inspect
    import pickle

    import numpy as np

    pytest.importorskip("sklearn")
    from gamexplain.io.sklearn import from_sklearn

    if "tolerance" not in inspect.signature(from_sklearn).parameters:
        pytest.skip("from_sklearn takes no tolerance= yet")
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import SplineTransformer

    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(60, 3))
    model = make_pipeline(SplineTransformer(n_knots=4, degree=1), Ridge()).fit(X, X.sum(axis=1))
    source = tmp_path / "model.pkl"
    source.write_bytes(pickle.dumps(model))
    target = tmp_path / "model.json"
    argv = ["convert", str(source), "--from", "sklearn", "--trust-pickle", "-o", str(target)]
    status, out, _ = run(capsys, *argv, "--tolerance", "0.5")
    assert status == 0 and "regression (tolerance 0.5)" in out
    import gamexplain as gx

    assert gx.load(target).task == gx.Regression(tolerance=0.5)
    status, out, _ = run(capsys, *argv)
    assert status == 0 and gx.load(target).task == gx.Regression(tolerance=0.0)
    status, _, err = run(capsys, *argv, "--tolerance", "-1")
    assert status == 2 and "tolerance" in err and "Traceback" not in err
    classifier = make_pipeline(SplineTransformer(n_knots=4, degree=1), LogisticRegression())
    source.write_bytes(pickle.dumps(classifier.fit(X, X.sum(axis=1) > 1.5)))
    status, _, err = run(capsys, *argv, "--tolerance", "0.5")
    assert status == 2 and "tolerance" in err and "Traceback" not in err


def test_explain_answers_a_row_beyond_the_training_range(capsys):
    from gamexplain.complexity.queries import QUERY_TABLE

    far = json.dumps(
        {"grade": "C", "income": 300.0, "age": 95, "open_accounts": 3, "utilisation": 1.2}
    )
    queries = ",".join(name for spec in QUERY_TABLE for name in spec.cli)
    argv = ("explain", "credit", "--instance", far, "--query", queries, "--keep", "grade")
    status, out, _ = run(capsys, *argv, "--json")
    assert status == 0
    data = json.loads(out)
    answers = [a for v in data.values() for a in (v if isinstance(v, list) else [v])]
    assert answers and all(a["success"] for a in answers)


def test_multiclass_models_show_predict_plan_and_explain(capsys, tmp_path):
    from gamexplain import dump, loads

    sys.path.insert(0, str(Path(__file__).parent / "queries"))
    from test_multiclass_queries import MODEL

    path = tmp_path / "three.json"
    dump(loads(MODEL), path)
    status, out, _ = run(capsys, "show", str(path))
    assert status == 0 and "multiclass: the argmax of 3 class scores" in out
    status, out, _ = run(capsys, "predict", str(path), "--instance", '["y", 0.5]', "--json")
    assert status == 0 and json.loads(out)[0]["prediction"] == "B"
    assert len(json.loads(out)[0]["score"]) == 3
    status, out, _ = run(capsys, "plan", str(path), "msr")
    assert status == 0 and "thm:multiclass-msr-np" in out and "rivals-hitting-set" in out
    status, out, _ = run(
        capsys, "explain", str(path), "--instance", '["y", 0.5]', "--query", "msr,mcr,shap"
    )
    assert status == 0 and "guarantees class B" in out
    # one block of bars per class score, named by its label (it said "class #2")
    assert all(f"class {label}: SHAP values of the score" in out for label in "ABC"), out
    assert "#" not in out


def test_table_marks_the_multiclass_cells_as_beyond_the_paper(capsys):
    status, out, _ = run(capsys, "table", "--task", "multiclass", "--query", "msr")
    assert status == 0 and "thm:multiclass-msr-np" in out
    rows = [line for line in out.splitlines() if " finite " in line and " table " in line]
    assert rows and "NP-complete (beyond the paper)" in rows[0] and " — " in rows[0]


def test_explain_takes_a_regression_tolerance(capsys):
    x = "[54, 2, 36.1, 115, 163, 98.4, 43, 4, 4.6821, 101]"
    widths = {}
    for band in ("0", "25", "40"):
        status, out, _ = run(capsys, "explain", "diabetes_ebm", "--instance", x,
                             "--query", "msr", "--tolerance", band, "--json")  # fmt: skip
        assert status == 0
        widths[band] = len(json.loads(out)["msr"]["features"])
    assert widths == {"0": 10, "25": 8, "40": 7}
    for bad in ("-1", "nan"):
        status, _, err = run(capsys, "explain", "diabetes_ebm", "--instance", x,
                             "--tolerance", bad)  # fmt: skip
        assert status == 2 and "--tolerance must be a finite number" in err
    status, _, err = run(capsys, "explain", "credit", "--instance", '["C", 45, 33, 3, 0.55]',
                         "--tolerance", "1")  # fmt: skip
    assert status == 2 and "regression models only" in err


def test_target_counts_a_class_in_cc_and_shap_label_of_a_multiclass_model(capsys, tmp_path):
    from gamexplain import dump, loads

    sys.path.insert(0, str(Path(__file__).parent / "queries"))
    from test_multiclass_queries import MODEL

    path = tmp_path / "three.json"
    dump(loads(MODEL), path)
    instance = ["--instance", '["y", 0.5]', "--keep", "income"]
    status, out, _ = run(capsys, "explain", str(path), *instance,
                         "--query", "shap-label,cc,shap", "--target", "C")  # fmt: skip
    assert status == 0 and out.count("class 'C' wins") == 2, out
    assert "class A: SHAP values of the score" in out  # the scores take no target
    status, out, _ = run(capsys, "explain", str(path), *instance, "--query", "cc")
    assert status == 0 and "class 'B' wins" in out  # the prediction by default
