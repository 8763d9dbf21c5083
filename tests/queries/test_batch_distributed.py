"""Batches on a real Dask cluster, files streamed chunk by chunk, and the command line
(issue 15)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import gamexplain as gx
from gamexplain.cli import main
from gamexplain.queries.distributed import explain_file

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def _rows(gam, n, seed=0):
    low = np.array([float(f.domain.low) for f in gam.features])
    high = np.array([float(f.domain.high) for f in gam.features])
    return low + (high - low) * np.random.default_rng(seed).random((n, gam.n_features))


@pytest.fixture(scope="module")
def bc():
    gam = gx.load("breast_cancer_ebm")
    frame = pd.DataFrame(_rows(gam, 600), columns=list(gam.feature_names))
    frame.index = frame.index * 3 + 7  # labels the results keep
    return gam, frame


@pytest.fixture(scope="module")
def client():
    # two worker processes, one thread each: a real scheduler, tasks and the model
    # cross process boundaries as they do on a cluster
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        yield client


def test_a_dask_dataframe_is_explained_lazily_on_two_workers(bc, client):
    gam, frame = bc
    data = dd.from_pandas(frame, npartitions=4)
    lazy = gx.explain(gam, data, queries=("msr", "mcr", "shap"), client=client)
    assert isinstance(lazy, dd.DataFrame)  # nothing has run yet
    out = lazy.compute()
    local = gx.explain(gam, frame, queries=("msr", "mcr", "shap"))
    table = local.table
    assert list(out.index) == list(frame.index)
    assert out["msr_features"].tolist() == ["|".join(s) for s in table["msr_features"]]
    assert out["mcr_size"].tolist() == table["mcr_size"].tolist()
    np.testing.assert_array_equal(out["shap[mean radius]"], table["shap[mean radius]"])
    # both workers took part
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_file_streams_in_chunks_on_the_client_and_locally(bc, client, tmp_path):
    gam, frame = bc
    path = tmp_path / "rows.parquet"
    frame.to_parquet(path, index=False)
    local = explain_file(gam, path, ("msr", "mcr"), out=tmp_path / "a.parquet", chunk_rows=128)
    remote = explain_file(gam, path, ("msr", "mcr"), out=tmp_path / "b.csv", chunk_rows=128,
                          client=client)  # fmt: skip
    assert local.rows == remote.rows == len(frame)
    a, b = pd.read_parquet(tmp_path / "a.parquet"), pd.read_csv(tmp_path / "b.csv")
    assert a["row"].tolist() == list(range(len(frame)))
    assert a["msr_features"].tolist() == b["msr_features"].tolist()
    whole = gx.explain(gam, frame.to_numpy(), queries=("msr",))
    assert a["msr_size"].tolist() == whole.table["msr_size"].tolist()


def test_the_command_line_explains_a_csv_with_bad_rows(tmp_path, capsys):
    gam = gx.load("breast_cancer_ebm")
    frame = pd.DataFrame(_rows(gam, 30), columns=list(gam.feature_names)).astype(object)
    frame.iloc[4, 2] = "oops"
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out.jsonl"
    status = main(["explain", "breast_cancer_ebm", "--csv", str(path), "--query", "msr,mcr",
                   "--out", str(out), "--json", "--no-progress"])  # fmt: skip
    assert status == 0
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["rows"] == 30 and list(summary["failures"]) == ["4"]
    assert "oops" in summary["failures"]["4"]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 30 and lines[4]["msr_path"] == "failed"
    assert lines[0]["msr_features"] == "|".join(gx.minimum_sufficient_reason(
        gam, list(frame.iloc[0].astype(float))).features)  # fmt: skip
    failing = main(["explain", "breast_cancer_ebm", "--csv", str(path), "--query", "msr",
                    "--bad-rows", "fail", "--out", str(out), "--no-progress"])  # fmt: skip
    assert failing == 2
    assert "rows from 0 on" in capsys.readouterr().err


def test_the_command_line_refuses_bad_options(tmp_path, capsys):
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n")
    assert main(["explain", "breast_cancer_ebm", "--csv", str(tmp_path / "none.csv")]) == 2
    assert main(["explain", "breast_cancer_ebm", "--csv", str(path), "--query", "nope"]) == 2
    assert "queries" in capsys.readouterr().err
    assert main(["explain", "breast_cancer_ebm", "--csv", str(path), "--out", "x.txt"]) == 2


def test_multiclass_models_and_action_queries_run_on_dask(client):
    from test_batch_multiclass import _three_classes
    from test_batch_rows import _credit

    gam, rows = _three_classes()
    frame = pd.DataFrame(rows, columns=list(gam.feature_names))
    lazy = gx.explain(gam, dd.from_pandas(frame, npartitions=3), queries=("mcr", "shap"),
                      client=client)  # fmt: skip
    local = gx.explain(gam, frame, queries=("mcr", "shap"))
    pd.testing.assert_frame_equal(lazy.compute(), local.frame(flat=True))
    assert local.answers["mcr"].kernel == "batch-rivals-greedy"
    gam, actions, rows = _credit()
    frame = pd.DataFrame(rows, columns=list(gam.feature_names))
    queries = ("responsiveness", "fixed")
    lazy = gx.explain(gam, dd.from_pandas(frame, npartitions=2), queries=queries,
                      actions=actions, client=client)  # fmt: skip
    local = gx.explain(gam, frame, queries=queries, actions=actions)
    pd.testing.assert_frame_equal(lazy.compute(), local.frame(flat=True))
