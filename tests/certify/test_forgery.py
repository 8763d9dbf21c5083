"""Forgery: a result whose answer, certificate or model has been tampered with fails
``verify`` (or ``verify`` raises a gamexplain error), for every result type.

Each result is first checked to verify honestly; then every field a user sees is changed,
one at a time, to a plausible other value, and so is every field of its certificate, and
the model is swapped for a slightly different one.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest

import gamexplain as gx
from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    PairTerm,
    Regression,
    Table,
)
from gamexplain.errors import GamExplainError
from gamexplain.examples import example_path

# what a user may read off a result without it being an answer: the run's cost
UNBOUND = {"stats"}


def _additive() -> GAM:
    return GAM(
        [
            Feature("a", Finite(["lo", "mid", "hi"]), Table([-1.0, 0.25, 2.0])),
            Feature("b", Finite([0, 1]), Table([-0.5, 0.75])),
            Feature("c", Integers(0, 3), gx.Piecewise([0, 2, 3], [[0.0, 0.5], [1.0]])),
        ],
        intercept=-0.5,
        task=Classification(threshold=0.0),
    )


def _paired() -> GAM:
    base = _additive()
    return GAM(
        base.features,
        intercept=-0.5,
        task=Classification(threshold=0.0),
        pairs=[PairTerm((0, 1), (None, None), [[0.5, -0.5], [0.0, 1.0], [-2.0, 0.25]])],
    )


def _grid_paired() -> GAM:
    """Pair terms over an interval feature: too wide for brute force, so label values and
    completion fractions get grid-convolution brackets."""
    return GAM(
        [
            Feature("a", Finite(["u", "v", "w"]), Table([1.0, -1.0, 0.25])),
            Feature("b", gx.Interval(0, 4), gx.Piecewise([0, 2, 4], [[-1.0], [0.5]])),
            Feature("c", Integers(0, 5), gx.Piecewise([0, 5], [[-1.0, 0.5]])),
        ],
        intercept=-0.25,
        task=Classification(threshold=0.0),
        pairs=[PairTerm((0, 1), [None, [0.0, 2.0, 4.0]], [[0.5, -0.5], [0.0, 1.0], [-1.0, 0.25]])],
    )


def _regression() -> GAM:
    base = _additive()
    return GAM(base.features, intercept=0.0, task=Regression(tolerance=1.0))


def _pair_regression(tolerance: float) -> GAM:
    """A regression model with a pair term over an interval: FR goes to pair-moves."""
    grid = _grid_paired()
    return GAM(grid.features, intercept=0.0, task=Regression(tolerance=tolerance),
               pairs=grid.pairs)  # fmt: skip


def _gated_pairs() -> GAM:
    """A classifier with a pair term over step functions: b moves the score only where
    a < 1, where the score stays in class 0, so pair-boxes proves it redundant by a split."""
    return GAM(
        [
            Feature("a", gx.Interval(0, 2), gx.Piecewise([0, 1, 2], [[0.0], [10.0]])),
            Feature("b", gx.Interval(0, 2), gx.Piecewise([0, 2], [[0.0]])),
        ],
        intercept=-5.0,
        task=Classification(threshold=0.0),
        pairs=[PairTerm((0, 1), ([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]), [[0.0, 1.0], [0.0, 0.0]])],
    )


def _steps(task: Any) -> GAM:
    """Step functions and a table only: the models ``witness="nearest"`` answers."""
    return GAM(
        [
            Feature("a", gx.Interval(0, 4), gx.Piecewise([0, 1, 2, 4], [[0.0], [-3.0], [1.0]])),
            Feature("b", Finite(["p", "q", "r"]), Table([0.0, -1.0, -2.5])),
            Feature("c", Integers(0, 10), gx.Piecewise([0, 5, 11], [[0.0], [-2.0]])),
        ],
        intercept=1.5,
        task=task,
    )


def _dense() -> tuple[GAM, Any]:
    """Five features, every pair a term: too wide for elimination, so the pairwise worst
    cases are dual bounds (thm:pairs-dual-bound)."""
    import itertools

    import numpy as np

    rng = np.random.default_rng(5)
    cells = list(range(9))
    features = [
        Feature(
            f"d{i}", Integers(0, 7), gx.Piecewise(cells, [[float(v)] for v in rng.normal(0, 1, 8)])
        )
        for i in range(5)
    ]
    pairs = [
        PairTerm((i, j), (cells, cells), rng.normal(0, 0.5, (8, 8)).tolist())
        for i, j in itertools.combinations(range(5), 2)
    ]
    gam = GAM(features, task=Classification(threshold=0.0), pairs=pairs)
    return gam, gam.instance([1, 3, 5, 7, 2])


def _results() -> list[tuple[str, GAM, Any]]:
    out = []
    steps, level = _steps(Classification(threshold=0.0)), _steps(Regression(tolerance=1.0))
    out += [
        ("steps-nearest-attained", steps,
         gx.minimum_contrastive_reason(steps, (0, "p", 0), witness="nearest")),
        ("steps-nearest-approached", steps,
         gx.minimum_contrastive_reason(steps, (3, "p", 0), witness="nearest")),
        ("regr-steps-nearest", level,
         gx.minimum_contrastive_reason(level, (3, "q", 6), witness="nearest")),
    ]  # fmt: skip
    for label, gam in (("additive", _additive()), ("pairs", _paired()), ("regr", _regression())):
        x = ("hi", 1, 2)
        out += [
            (f"{label}-csr-holds", gam, gx.is_sufficient_reason(gam, x, ["a", "b", "c"])),
            (f"{label}-csr-fails", gam, gx.is_sufficient_reason(gam, x, [])),
            (f"{label}-msr", gam, gx.minimum_sufficient_reason(gam, x)),
            (f"{label}-minimal", gam, gx.minimal_sufficient_reason(gam, x)),
            (f"{label}-mcr", gam, gx.minimum_contrastive_reason(gam, x)),
            (f"{label}-enum-sr", gam, next(iter(gx.sufficient_reasons(gam, x)))),
            (f"{label}-enum-cr", gam, next(iter(gx.contrastive_reasons(gam, x)))),
            (f"{label}-fr-a", gam, gx.is_redundant(gam, "a")),
            (f"{label}-shap", gam, gx.shap_values(gam, x)),
            (f"{label}-banzhaf", gam, gx.banzhaf_values(gam, x)),
        ]
        if isinstance(gam.task, Classification):
            out += [
                (f"{label}-cc", gam, gx.completion_fraction(gam, x, ["a"])),
                (f"{label}-shap-label", gam, gx.shap_values(gam, x, output="label")),
                (f"{label}-banzhaf-label", gam, gx.banzhaf_values(gam, x, output="label")),
            ]
    grid = _grid_paired()
    point = ("v", 2.5, 3)
    moves = [_pair_regression(tolerance) for tolerance in (0.5, 4.0)]
    out += [
        ("regr-pairs-fr-moves-witness", moves[0],
         gx.is_redundant(moves[0], "a", method="pair-moves")),
        ("regr-pairs-fr-moves-proof", moves[1],
         gx.is_redundant(moves[1], "a", method="pair-moves")),
        ("pairs-fr-boxes-witness", _gated_pairs(),
         gx.is_redundant(_gated_pairs(), "a", method="pair-boxes")),
        ("pairs-fr-boxes-proof", _gated_pairs(),
         gx.is_redundant(_gated_pairs(), "b", method="pair-boxes")),
    ]  # fmt: skip
    out += [
        ("grid-pairs-cc", grid, gx.completion_fraction(grid, point, ["a"])),
        ("grid-pairs-shap-label", grid, gx.shap_values(grid, point, output="label")),
        ("grid-pairs-banzhaf-label", grid, gx.banzhaf_values(grid, point, output="label")),
        (
            "grid-additive-shap-label",
            _additive(),
            gx.shap_values(_additive(), ("hi", 1, 2), output="label", method="grid-convolution"),
        ),
    ]
    dense, point = _dense()
    msr = gx.minimum_sufficient_reason(dense, point)
    out += [
        ("dense-csr-holds", dense, gx.is_sufficient_reason(dense, point, list(msr.features))),
        ("dense-msr", dense, msr),
        ("dense-mcr", dense, gx.minimum_contrastive_reason(dense, point)),
    ]
    credit = gx.load(example_path("credit"))
    applicant = ("B", 60.0, 35, 3, 0.4)
    out += [
        ("credit-msr", credit, gx.minimum_sufficient_reason(credit, applicant)),
        ("credit-mcr", credit, gx.minimum_contrastive_reason(credit, applicant)),
        ("credit-shap", credit, gx.shap_values(credit, applicant)),
        ("credit-cc", credit, gx.completion_fraction(credit, applicant, ["grade"], time_limit=20)),
        (
            "credit-shap-label",
            credit,
            gx.shap_values(credit, applicant, output="label", time_limit=20),
        ),
    ]
    actions = gx.ActionSet.from_gam(credit, age={"actionable": False}, income={"step_ub": 20})
    paired = _paired()
    out += [
        ("credit-responsiveness", credit, gx.responsiveness_scores(credit, applicant, actions)),
        ("credit-fixed", credit, gx.is_fixed(credit, applicant, actions)),
        ("pairs-responsiveness", paired, gx.responsiveness_scores(paired, ("hi", 1, 2), None)),
        ("pairs-fixed", paired, gx.is_fixed(paired, ("hi", 1, 2), None, target=1)),
        ("credit-recourse", credit, gx.minimum_recourse(credit, applicant, actions)),
        ("pairs-recourse", paired, gx.minimum_recourse(paired, ("hi", 1, 2), None, target=1)),
    ]
    return out + _regional_results()


def _regional_results() -> list[tuple[str, GAM, Any]]:
    """LOCO values, regional attributions and global importances (issue 13); the paired
    model with its label feature last, so that the rows' first value is a number."""
    base = _paired()
    a, b, c = base.features
    gam = GAM([b, c, a], intercept=-0.5, task=Classification(threshold=0.0),
              pairs=[PairTerm((0, 2), (None, None), [[0.5, 0.0, -2.0], [-0.5, 1.0, 0.25]])])
    rows = [(b, c, a) for a in ("lo", "mid", "hi") for b in (0, 1) for c in (0, 3)]
    labels = [int(a == "hi") for _, _, a in rows]
    y = [float(b) for b, _, _ in rows]
    return [
        ("loco", gam, gx.loco_values(gam, rows, exact=True)),
        ("loco-log", gam, gx.loco_values(gam, rows, y=y, loss="log")),
        ("loco-empirical", gam, gx.loco_values(gam, rows, distribution=gx.Empirical(rows[:5]))),
        ("regional-given", gam, gx.regional_attributions(gam, rows, regions=labels)),
        ("regional-squared", gam,
         gx.regional_attributions(gam, rows, y=y, loss="squared", regions=labels)),
        ("regional-tree", gam, gx.regional_attributions(gam, rows)),
        ("regional-population", gam, gx.regional_attributions(gam, rows, population=True)),
        ("importances-loco", gam, gx.feature_importances(gam)),
        ("importances-l1", gam, gx.feature_importances(gam, kind="l1")),
    ]  # fmt: skip


RESULTS = _results()
IDS = [name for name, _, _ in RESULTS]


def _other(value: Any, duplicates: bool = True) -> list[Any]:
    """Plausible replacements for a field's value: each differs from it. ``duplicates``
    also repeats an item of a tuple (a repeated feature is a forgery; a repeated record
    in a certificate is harmless)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float | Fraction):
        return [value + 1, -value if value else Fraction(1, 3)]
    if isinstance(value, str):
        swaps = {"minimum": "subset-minimal", "subset-minimal": "minimum", "solved": "time_limit"}
        return [swaps.get(value, value + " (edited)")]
    if isinstance(value, tuple) and value:
        edited = list(value)
        first = _other(edited[0])
        options = [tuple(value[:-1])] + ([(*value, value[0])] if duplicates else [])
        if first:
            options.append((first[0], *value[1:]))
        return options
    if hasattr(value, "shape") and getattr(value, "size", 0):  # numpy arrays
        edited = value.copy()
        edited.flat[0] = edited.flat[0] + 1
        return [edited]
    return []


def _rejects(result: Any, gam: GAM) -> bool:
    try:
        return not result.verify(gam)
    except GamExplainError:
        return True


@pytest.mark.parametrize(("name", "gam", "result"), RESULTS, ids=IDS)
def test_an_honest_result_verifies(name, gam, result):
    assert result.verify(gam), name


@pytest.mark.parametrize(("name", "gam", "result"), RESULTS, ids=IDS)
def test_every_answer_field_is_bound_by_verify(name, gam, result):
    escaped = []
    for field in dataclasses.fields(result):
        if field.name in UNBOUND or field.name == "certificate":
            continue
        for value in _other(getattr(result, field.name)):
            try:
                forged = dataclasses.replace(result, **{field.name: value})
            except (TypeError, ValueError, GamExplainError):
                continue
            if not _rejects(forged, gam):
                escaped.append(f"{field.name}={value!r}")
    assert not escaped, f"{name}: verify accepts {escaped}"


@pytest.mark.parametrize(("name", "gam", "result"), RESULTS, ids=IDS)
def test_every_certificate_field_is_bound_by_verify(name, gam, result):
    cert = result.certificate
    if not dataclasses.is_dataclass(cert):
        pytest.skip("the certificate is a plain point, bound by the answer tests")
    escaped = []
    for field in dataclasses.fields(cert):
        values = _other(getattr(cert, field.name), duplicates=False)
        if field.name == "cores":  # a sub-record of a lower-bound record may still prove it
            values = values[1:]
        for value in values:
            try:
                forged_cert = dataclasses.replace(cert, **{field.name: value})
            except (TypeError, ValueError, GamExplainError):
                continue
            forged = dataclasses.replace(result, certificate=forged_cert)
            if not _rejects(forged, gam):
                escaped.append(f"certificate.{field.name}={value!r}")
    assert not escaped, f"{name}: verify accepts {escaped}"


@pytest.mark.parametrize(("name", "gam", "result"), RESULTS, ids=IDS)
def test_a_result_does_not_verify_against_another_model(name, gam, result):
    shifted = GAM(gam.features, intercept=gam.intercept + 0.375, task=gam.task, pairs=gam.pairs)
    assert _rejects(result, shifted), f"{name}: verifies with a different intercept"
    if not gam.pairs:
        reordered = GAM(gam.features[::-1], intercept=gam.intercept, task=gam.task)
        assert _rejects(result, reordered), f"{name}: verifies with reordered features"


@pytest.mark.parametrize(("name", "gam", "result"), RESULTS, ids=IDS)
def test_a_missing_certificate_is_rejected_cleanly(name, gam, result):
    assert _rejects(dataclasses.replace(result, certificate=None), gam)


CREDIT = [r for r in RESULTS if r[0].startswith("credit")]


@pytest.mark.parametrize(("name", "gam", "result"), CREDIT, ids=[r[0] for r in CREDIT])
def test_relabelling_as_brute_force_where_it_cannot_run_is_rejected(name, gam, result):
    # brute force needs small finite domains; the credit model has intervals
    assert _rejects(dataclasses.replace(result, algorithm="brute"), gam)
