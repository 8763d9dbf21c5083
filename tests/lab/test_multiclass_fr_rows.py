"""Lab rows for multiclass feature redundancy (issue 14): every cell, pairs included, is
measured on the parity subset-sum family with the algorithm ``auto`` picks."""

from __future__ import annotations

import itertools

import pytest

from gamexplain.complexity.registry import PAIRS
from gamexplain.lab.generators import family_of, generate
from gamexplain.lab.scaling import run_query, scaling, verify_table

#: (domain, component) -> the algorithm auto picks on the family
ROWS = {
    ("finite", "table"): "class-pairs",
    ("finite", "ebm"): "class-pairs",
    ("integers", "spline"): "class-pairs",
    ("interval", "spline"): "class-pair-lines",
    ("finite", PAIRS): "multiclass-pair-boxes",
    ("integers", PAIRS): "multiclass-pair-boxes",
    ("interval", PAIRS): "multiclass-pair-boxes",
}


@pytest.mark.parametrize(("domain", "component"), sorted(ROWS), ids=lambda v: str(v))
def test_row_runs_the_algorithm_auto_picks_and_grows_exponentially(
    domain: str, component: str
) -> None:
    report = scaling("fr", domain, component, "multiclass", sizes=[4, 6, 8])
    assert {m.algorithm for m in report.measurements} == {ROWS[domain, component]}
    assert all(m.exact and m.status == "solved" for m in report.measurements)
    work = [m.work for m in report.measurements]
    assert work == sorted(work) and work[-1] > 2 * work[0]  # the proof has to split the cube
    assert report.fit.growth == "exponential" and report.agrees


@pytest.mark.parametrize("domain", ["finite", "integers", "interval"])
def test_the_bit_is_redundant_by_brute_force_and_the_result_verifies(domain: str) -> None:
    gam, x, extra = generate("fr", domain, PAIRS, "multiclass", n=4, seed=1)
    assert family_of(_cell(domain)) == "knapsack" and len(gam.pairs) == gam.n_features - 1
    (result,) = run_query("fr", gam, x, extra)
    assert result.verify(gam) and result.holds and result.exact
    # every feature is a step with its jump at 1 (0 and 1 represent its two pieces): over
    # all representatives of the rest, the bit never moves the argmax
    values = [[0, 1] for _ in range(gam.n_features - 1)]
    for rest in itertools.product(*values):
        labels = gam.predict([[0, *rest], [1, *rest]])
        assert labels[0] == labels[1]


def _cell(domain: str):  # type: ignore[no-untyped-def]
    from gamexplain.complexity.registry import Cell

    return Cell("fr", domain, PAIRS, "multiclass")


def test_lab_verify_covers_the_pairs_cells() -> None:
    rows = verify_table(queries=["fr"], tasks=["multiclass"], components=[PAIRS],
                        sizes={"knapsack": (4, 6, 8)})  # fmt: skip
    assert len(rows) == 3 and all(r.agrees is True for r in rows), rows
    assert {r.observed for r in rows} == {"exponential"}
