"""Defects found by a user trial of multiclass models (issue 14), one test per defect."""

from __future__ import annotations

import gamexplain as gx
from gamexplain import (
    GAM,
    Feature,
    Finite,
    Interval,
    Multiclass,
    MulticlassGAM,
    Piecewise,
    Regression,
    Table,
)


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


def test_score_attributions_print_every_class_value() -> None:
    gam = tiny()
    result = gx.shap_values(gam, ("b", 0.1))
    text = str(result)
    for label in gam.classes:
        assert label in text
    for value in result.values.ravel():
        assert f"{value:+.6g}" in text, text
    assert result.verify(gam)


def test_score_attributions_plot_one_class() -> None:
    import matplotlib

    matplotlib.use("Agg")
    gam = tiny()
    result = gx.banzhaf_values(gam, ("b", 0.1))
    predicted = result.plot()
    assert "low" in predicted.get_title()
    chosen = result.plot(kind="waterfall", label="high")
    assert "high" in chosen.get_title()
    try:
        result.plot(label="none")
    except gx.InvalidParameterError as error:
        assert "none" in str(error)
    else:
        raise AssertionError("an unknown class label was accepted")


def test_score_attributions_to_shap_explanation_is_multi_output() -> None:
    gam = tiny()
    result = gx.shap_values(gam, ("b", 0.1))
    explanation = result.to_shap_explanation()
    assert explanation.values.shape == (2, 3)
    assert list(explanation.base_values) == list(result.base_value)
    assert list(explanation.output_names) == ["low", "mid", "high"]


def test_score_attributions_record_the_marginals_used() -> None:
    gam = tiny()
    stored = gx.shap_values(gam, ("b", 0.1))
    assert stored.distribution == "uniform"  # the model stores no marginals
    given = gx.shap_values(gam, ("b", 0.1), distribution=[[0.5, 0.25, 0.25], None])
    assert given.verify(gam)
    assert "given marginals" in str(given)


def test_redundancy_and_target_printouts_show_numbers() -> None:
    from dataclasses import replace
    from fractions import Fraction

    gam = tiny()
    flip = gx.is_redundant(gam, "size")
    third = Fraction(1, 3)
    shown = replace(flip, certificate=replace(
        flip.certificate, point=("b", third), value=third, other_value=0.30000000000000004))
    text = str(shown)
    assert "Fraction" not in text and "0.333333" in text and "0.30000000000000004" not in text
    reason = gx.minimum_contrastive_reason(gam, ("b", 0.1), target="mid")
    assert reason.verify(gam)
    text = str(replace(reason, values=(third,)))
    assert "Fraction" not in text and "0.333333" in text, text


def test_default_grid_bracket_of_four_classes_is_checkable() -> None:
    """The grid's refinement stopped on its windowed tables only, while the check
    rebuilds each feature's law as a dense box: on a four-class EBM the default run
    returned a bracket whose certificate ``verify`` rejected as too large."""
    import pandas as pd
    import pytest
    from sklearn.datasets import make_classification

    glassbox = pytest.importorskip("interpret.glassbox")
    X, y = make_classification(n_samples=300, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=4, n_clusters_per_class=1, random_state=0)  # fmt: skip
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    ebm = glassbox.ExplainableBoostingClassifier(
        outer_bags=2, max_rounds=300, interactions=0, random_state=0
    ).fit(frame, y)
    gam = gx.from_ebm(ebm)
    result = gx.completion_fraction(gam, frame.iloc[150], ["f0", "f1", "f2"], method="rival-grid")
    assert result.algorithm == "rival-grid" and result.lower <= result.upper
    assert result.verify(gam)


def test_recourse_toward_the_predicted_class_says_no_change_is_needed() -> None:
    gam = tiny()
    result = gx.minimum_recourse(gam, ("b", 0.1), gx.ActionSet.from_gam(gam), target="low")
    assert result.size == 0 and result.verify(gam)
    assert str(result) == "x already reaches class low: no change is needed"


def test_contrastive_reason_of_many_rows_with_a_target_says_so() -> None:
    import pytest

    gam = tiny()
    rows = [["b", 0.1], ["c", 0.9]]
    with pytest.raises(gx.InvalidParameterError, match="many rows takes no 'target'"):
        gx.minimum_contrastive_reason(gam, rows, target="high")
    credit = gx.load("credit")
    table = [["B", 50.0, 30, 3, 0.5], ["A", 20.0, 40, 1, 0.9]]
    with pytest.raises(gx.InvalidParameterError, match="many rows takes no 'target'"):
        gx.minimum_contrastive_reason(credit, table, target=0)


def test_score_attribution_verify_binds_the_new_fields() -> None:
    from dataclasses import replace

    import numpy as np

    gam = tiny()
    result = gx.shap_values(gam, ("b", 0.1))
    assert result.verify(gam)
    assert not replace(result, classes=("mid", "low", "high")).verify(gam)
    assert not replace(result, distribution="model").verify(gam)
    assert not replace(result, base_value=np.asarray(result.base_value) + 1).verify(gam)


def test_a_row_that_runs_out_of_time_fails_alone_in_a_batch(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Multiclass reason queries raise TimeLimitError when time runs out (binary ones
    return bounds); under the default errors="raise" one slow row ended the batch."""
    from gamexplain.queries import batch

    gam = tiny()
    rows = [["a", 0.1], ["b", 0.5], ["c", 0.9]]
    single = batch._SINGLE["msr"]

    def slow_on_b(model, x, run):  # type: ignore[no-untyped-def]
        if x[0] == "b":
            raise gx.TimeLimitError("minimum_sufficient_reason ran out of time")
        return single(model, x, run)

    monkeypatch.setitem(batch._SINGLE, "msr", slow_on_b)
    result = gx.explain(gam, rows, queries=("msr",), time_limit=1)
    assert result.counts()["msr"] == {"vector": 0, "exact": 0, "row": 2, "failed": 1}
    assert "ran out of time" in result.table["msr_status"].iloc[1]
    assert list(result.table["msr_size"].iloc[[0, 2]]) == [
        gx.minimum_sufficient_reason(gam, rows[r]).size for r in (0, 2)
    ]
    assert result.verify(gam)


def test_cli_table_run_reads_the_action_set(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`explain --csv ... --actions FILE` ignored the file: the table used every feature
    as actionable, as without it."""
    import io

    import pandas as pd

    from gamexplain.cli import main

    gam = tiny()
    model, actions, rows = tmp_path / "m.json", tmp_path / "a.json", tmp_path / "rows.csv"
    gx.dump(gam, model)
    gx.dump_actions(gx.ActionSet.from_gam(gam, size={"actionable": False}), actions)
    pd.DataFrame([["b", 0.1], ["a", 0.5]], columns=["grade", "size"]).to_csv(rows, index=False)
    assert main([
        "explain", str(model), "--csv", str(rows), "--query", "responsiveness",
        "--actions", str(actions), "--no-progress",
    ]) == 0  # fmt: skip
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert (table["responsiveness[size]"] == 0).all()
    frozen = gx.ActionSet.from_gam(gam, size={"actionable": False})
    for r, x in enumerate([("b", 0.1), ("a", 0.5)]):
        one = gx.responsiveness_scores(gam, x, frozen)
        assert table["responsiveness[grade]"][r] == float(one.scores[0])


def test_cli_explain_aims_at_a_target_class(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The command line had no way to ask for a target class (mcr, responsiveness, fixed,
    recourse toward a class of a multiclass model)."""
    import io
    import json

    import pandas as pd

    from gamexplain.cli import main

    gam = tiny()
    model, rows = tmp_path / "m.json", tmp_path / "rows.csv"
    gx.dump(gam, model)
    status = main(["explain", str(model), "--instance", '["b", 0.1]', "--query",
                   "mcr,responsiveness,fixed,recourse", "--target", "high", "--json"])  # fmt: skip
    answers = json.loads(capsys.readouterr().out)
    assert status == 0 and all("error" not in a for a in answers.values()), answers
    expected = gx.minimum_contrastive_reason(gam, ("b", 0.1), target="high")
    assert answers["mcr"]["features"] == list(expected.features)
    assert answers["mcr"]["target"] == "class high"
    pd.DataFrame([["b", 0.1], ["a", 0.5]], columns=["grade", "size"]).to_csv(rows, index=False)
    assert main(["explain", str(model), "--csv", str(rows), "--query", "responsiveness",
                 "--target", "high", "--no-progress"]) == 0  # fmt: skip
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    actions = gx.ActionSet.from_gam(gam)
    for r, x in enumerate([("b", 0.1), ("a", 0.5)]):
        one = gx.responsiveness_scores(gam, x, actions, target="high")
        assert table["responsiveness[grade]"][r] == float(one.scores[0])
    assert main(["explain", str(model), "--csv", str(rows), "--query", "mcr",
                 "--target", "high", "--no-progress"]) == 2  # fmt: skip
    assert "--target on a table run" in capsys.readouterr().err
