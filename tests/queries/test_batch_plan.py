"""What a batch runs, said before it runs (issue 15): batch_plan, explain_plan(batch=True)
and the command line's plan --batch name the kernel of each query, the single-row
algorithm that redoes the rows it leaves, or why rows go one by one."""

from __future__ import annotations

import json

import gamexplain as gx
from gamexplain.cli import main


def test_batch_plan_names_the_kernel_and_the_exact_fallback():
    gam = gx.load("breast_cancer_ebm")
    plan = gx.batch_plan(gam, ("msr", "mcr", "shap", "cc", "shap-label"))
    assert plan["msr"].startswith("batch-greedy") and "thm:msr-greedy" in plan["msr"]
    assert "redone exactly by the single-row query (greedy)" in plan["msr"]
    assert plan["shap-score"].startswith("batch-closed-form")
    assert plan["cc"].startswith("row by row") and "thm:cc-sharp-p" in plan["cc"]
    assert "thm:shap-label-dp" in plan["shap-label"]
    pairs = gx.load("breast_cancer_default_ebm")
    assert "pairwise terms" in gx.batch_plan(pairs, "msr")["msr"]


def test_explain_plan_with_batch_prints_the_batch_line():
    gam = gx.load("breast_cancer_ebm")
    plan = gx.explain_plan(gam, "mcr", batch=True)
    assert plan.batch == gx.batch_plan(gam, "mcr")["mcr"]
    assert str(plan).splitlines()[-1].startswith("many rows (explain): batch-greedy")
    assert gx.explain_plan(gam, "mcr").batch is None
    assert "explain takes no query 'fr'" in gx.explain_plan(gam, "fr", batch=True).batch


def test_the_command_line_plan_says_what_a_batch_runs(capsys):
    assert main(["plan", "breast_cancer_ebm", "minimal-sr", "--batch"]) == 0
    out = capsys.readouterr().out
    assert "many rows (explain): batch-deletion" in out
    assert main(["plan", "breast_cancer_ebm", "shap-score", "--batch", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["batch"].startswith("batch-closed-form")


def test_the_command_line_passes_the_kept_set_to_csr_and_cc(tmp_path, capsys):
    import pandas as pd

    gam = gx.load("breast_cancer_ebm")
    rows = [[f.domain.low for f in gam.features], [f.domain.high for f in gam.features]]
    path = tmp_path / "rows.csv"
    pd.DataFrame(rows, columns=list(gam.feature_names)).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    kept = "worst radius,worst texture"
    assert main(["explain", "breast_cancer_ebm", "--csv", str(path), "--query", "csr",
                 "--keep", kept, "--out", str(out), "--no-progress"]) == 0  # fmt: skip
    shown = pd.read_csv(out)["csr_holds"].tolist()
    expected = gx.explain(gam, rows, queries="csr", S=kept.split(",")).answers["csr"].holds
    assert shown == expected.tolist()
