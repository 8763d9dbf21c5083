"""``gamexplain regions``: regions of a CSV's rows as rules with their top features."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gamexplain as gx
from gamexplain.cli import main


@pytest.fixture
def table(tmp_path):  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.iloc[:80]
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_regions_prints_rules_with_top_features(table, capsys) -> None:  # type: ignore[no-untyped-def]
    path, frame = table
    assert main(["regions", "breast_cancer_ebm", "--csv", str(path)]) == 0
    out = capsys.readouterr().out
    assert "regions (tree, a heuristic)" in out and "≤" in out
    gam = gx.load("breast_cancer_ebm")
    expected = gx.regional_attributions(gam, frame[list(gam.feature_names)])
    assert expected.regions[0].rule in out


def test_regions_json_with_a_target_uses_the_log_loss(table, capsys) -> None:  # type: ignore[no-untyped-def]
    path, _ = table
    code = main(["regions", "breast_cancer_ebm", "--csv", str(path), "--y", "target",
                 "--regions", "kmeans", "--n-regions", "3", "--json"])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["loss"] == "log" and data["segmentation"] == "kmeans"
    assert len(data["regions"]) <= 3 and data["exact"] is False
    sizes = [r["rows"] for r in data["regions"]]
    assert sum(sizes) == 80 and np.all(np.array(sizes) > 0)


def test_regions_refuses_a_missing_target_column(table, capsys) -> None:  # type: ignore[no-untyped-def]
    path, _ = table
    assert main(["regions", "breast_cancer_ebm", "--csv", str(path), "--y", "nope"]) == 2
    assert "no column named 'nope'" in capsys.readouterr().err
