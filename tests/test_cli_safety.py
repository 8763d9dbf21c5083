"""The command line refuses pickles unless trusted, never shows a traceback, and says
which model it read (issue 9, finding 11)."""

from __future__ import annotations

import pickle

import pytest

from gamexplain.cli import main
from gamexplain.examples import example_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


class Boom:
    """Unpickling this object would create a marker file: the test checks it never does."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_file_named_dot_json_is_never_unpickled(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".json").write_bytes(pickle.dumps(Boom(str(tmp_path / "ran"))))
    status, _, err = run(capsys, "convert", ".json", "--from", "ebm", "-o", "out.json")
    assert status == 2 and "invalid JSON" in err and "Traceback" not in err
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("source", ["pygam", "sklearn"])
def test_pickles_are_refused_without_the_trust_flag(capsys, tmp_path, source):
    target = tmp_path / "model.pkl"
    target.write_bytes(pickle.dumps(Boom(str(tmp_path / "ran"))))
    status, _, err = run(capsys, "convert", str(target), "--from", source, "-o", "o.json")
    assert status == 2
    assert "--trust-pickle" in err and "runs code" in err
    assert not (tmp_path / "ran").exists()


def test_an_ebm_pickle_needs_the_trust_flag_too(capsys, tmp_path):
    target = tmp_path / "ebm.pkl"
    target.write_bytes(pickle.dumps(Boom(str(tmp_path / "ran"))))
    status, _, err = run(capsys, "convert", str(target), "--from", "ebm", "-o", "o.json")
    assert status == 2 and "invalid JSON" in err and not (tmp_path / "ran").exists()


CREDIT_X = '{"grade": "C", "income": 45.0, "age": 33, "open_accounts": 3, "utilisation": 0.55}'


@pytest.mark.parametrize(
    "instance",
    ["[" * 100_000, "[" + "9" * 5000 + "]", '{"grade": "C", "age": ' + "1" * 5000 + "}"],
    ids=["deep", "long-int-list", "long-int-object"],
)
@pytest.mark.parametrize("command", ["predict", "explain"])
def test_hostile_instances_give_one_line(capsys, command, instance):
    status, _, err = run(capsys, command, "credit", "--instance", instance)
    assert status == 2 and "Traceback" not in err
    assert err.count("\n") <= 2 and "--instance" in err


def test_csv_with_bad_utf8_or_short_rows(capsys, tmp_path):
    header = "grade,income,age,open_accounts,utilisation\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(header.encode() + b"C,45,33,3,\xff\xfe\n")
    status, _, err = run(capsys, "predict", "credit", "--csv", str(bad))
    assert status == 2 and "UTF-8" in err
    short = tmp_path / "short.csv"
    short.write_text(header + "C,45\n")
    status, _, err = run(capsys, "predict", "credit", "--csv", str(short))
    assert status == 2 and "line 2" in err and "fewer values" in err
    long = tmp_path / "long.csv"
    long.write_text(header + "C,45,33,3,0.5,7\n")
    status, _, err = run(capsys, "predict", "credit", "--csv", str(long))
    assert status == 2 and "line 2" in err and "more values" in err


@pytest.mark.parametrize(
    "content", [b"[" * 100_000, b"\xff\xfe\x00{", b'{"a": ' + b"9" * 5000 + b"}"]
)
def test_convert_ebm_json_faults(capsys, tmp_path, content):
    source = tmp_path / "ebm.json"
    source.write_bytes(content)
    status, _, err = run(capsys, "convert", str(source), "--from", "ebm", "-o", "o.json")
    assert status == 2 and "invalid JSON" in err and "Traceback" not in err


def test_lone_surrogates_are_printed_escaped(capsys, tmp_path):
    text = example_path("credit").read_text().replace('"grade"', '"gr\\udcffade"')
    model = tmp_path / "model.json"
    model.write_text(text)
    status, out, _ = run(capsys, "show", str(model))
    assert status == 0 and "gr\\udcffade" in out
    status, _, err = run(capsys, "show", str(tmp_path / "no\udcffsuch"))
    assert status == 2 and "no\\udcffsuch" in err


def test_a_local_file_shadowing_an_example_is_said(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "show", "credit")
    assert status == 0 and "using the bundled example 'credit'" in err
    local = example_path("breast_cancer_ebm").read_text()
    (tmp_path / "credit").write_text(local)
    status, out, err = run(capsys, "show", "credit")
    assert status == 0 and "30 features" in out
    assert "reading the file 'credit'" in err and "not the bundled example" in err


def test_demo_is_not_hijacked_by_a_local_file(tmp_path, monkeypatch):
    """The demo reads its models by name from the package, never a file named like
    them (tests/test_cli.py runs the whole demo in such a folder)."""
    from gamexplain import cli
    from gamexplain.io import jsonfile

    monkeypatch.chdir(tmp_path)
    for name in (cli.DEMO_MODEL, cli.REGRESSION_MODEL):
        (tmp_path / name).write_text(example_path("credit").read_text())
    read: list[object] = []
    original = jsonfile.load

    def spy(path: object) -> object:
        read.append(path)
        return original(path)

    def skipped(gam: object, call: object) -> object:
        return cli._Answer(None, 0.0, None, 0.0, "skipped")

    monkeypatch.setattr(jsonfile, "load", spy)
    monkeypatch.setattr(cli, "_timed_answer", skipped)
    data, _ = cli.demo_report(1.0)
    assert set(read) == {example_path(cli.DEMO_MODEL), example_path(cli.REGRESSION_MODEL)}
    assert data["model"] == cli.DEMO_MODEL and data["prediction"] == 0


def test_explain_passes_a_default_time_limit_to_every_query(capsys, monkeypatch):
    import gamexplain as gx

    seen: list[float | None] = []
    original = gx.minimum_sufficient_reason

    def spy(*args, **kwargs):
        seen.append(kwargs.get("time_limit"))
        return original(*args, **kwargs)

    monkeypatch.setattr(gx, "minimum_sufficient_reason", spy)
    status, _, _ = run(capsys, "explain", "credit", "--instance", CREDIT_X, "--query", "msr")
    assert status == 0 and seen == [10.0]


@pytest.mark.parametrize("limit", ["0", "-1", "nan", "inf"])
def test_a_time_limit_must_be_positive_and_finite(capsys, limit):
    status, _, err = run(capsys, "explain", "credit", "--instance", CREDIT_X, "--time-limit", limit)
    assert status == 2 and "--time-limit" in err and "Traceback" not in err


def test_a_tolerance_the_adapter_cannot_take_is_refused_before_unpickling(
    capsys, tmp_path, monkeypatch
):
    import gamexplain.io.sklearn as adapter

    def from_sklearn(model, *, names=None, domains=None):  # an adapter without tolerance=
        raise AssertionError("never called")

    monkeypatch.setattr(adapter, "from_sklearn", from_sklearn)
    target = tmp_path / "model.pkl"
    target.write_bytes(pickle.dumps(Boom(str(tmp_path / "ran"))))
    argv = ["convert", str(target), "--from", "sklearn", "--trust-pickle", "-o", "o.json"]
    status, _, err = run(capsys, *argv, "--tolerance", "0.5")
    assert status == 2 and "Traceback" not in err
    assert "--tolerance: from_sklearn (--from sklearn) does not take a tolerance" in err
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("content", [b"", b"\x80\x04not a pickle", b"plain text\n"])
def test_a_broken_trusted_pickle_is_a_clear_error(capsys, tmp_path, content):
    target = tmp_path / "model.pkl"
    target.write_bytes(content)
    argv = ["convert", str(target), "--from", "sklearn", "--trust-pickle", "-o", "o.json"]
    status, _, err = run(capsys, *argv)
    assert status != 0 and "Traceback" not in err
    assert "cannot be read as a pickled model" in err and "model.pkl" in err
