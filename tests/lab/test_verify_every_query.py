"""The lab answers every query key and task (issue 14: ``lab verify --query recourse``
crashed with a raw ``KeyError: 'actions'``, so did every multiclass pass)."""

from __future__ import annotations

import pytest

from gamexplain.cli import main
from gamexplain.complexity.queries import query_spec
from gamexplain.complexity.registry import PAIRS, complexity_table, question_cell
from gamexplain.errors import InvalidParameterError
from gamexplain.lab.generators import FAMILIES, VARIANTS, generate, generate_variant
from gamexplain.lab.scaling import (
    NOT_COVERED,
    default_sizes,
    run_query,
    scaling,
    scaling_variant,
    verify_table,
)
from gamexplain.model.actions import ActionSet

TINY = {family: (2, 3, 4) for family in FAMILIES}
KEYS = sorted({(e.cell.query, e.cell.task) for e in complexity_table()})


def _cheapest(query: str, task: str):  # type: ignore[no-untyped-def]
    """The first cell of the key without networks or pair terms (else the first)."""
    cells = [e.cell for e in complexity_table() if (e.cell.query, e.cell.task) == (query, task)]
    easy = [c for c in cells if c.component not in ("nam", PAIRS)]
    return (easy or cells)[0]


@pytest.mark.parametrize(("query", "task"), KEYS, ids=[f"{q}-{t}" for q, t in KEYS])
def test_lab_verify_runs_one_cell_of_every_query_and_task(query: str, task: str) -> None:
    cell = _cheapest(query, task)
    rows = verify_table(queries=[query], tasks=[task], domains=[cell.domain],
                        components=[cell.component], sizes=TINY)  # fmt: skip
    variants = [f"{c} [{name}]" for name, (c, _, _) in VARIANTS.items() if c == cell]
    assert [r.cell for r in rows] == [str(cell), *variants]
    row = rows[0]
    # an error caught into the row would read as "not covered": only documented reasons may
    assert row.observed is not None or row.note in NOT_COVERED.values(), row


@pytest.mark.parametrize("query", ["responsiveness", "fixed", "recourse"])
@pytest.mark.parametrize("task", ["classification", "regression", "multiclass"])
def test_action_queries_get_an_action_set_their_algorithms_answer(query: str, task: str) -> None:
    gam, x, extra = generate(query, "finite", "table", task, n=4, seed=3)
    actions = extra["actions"]
    assert isinstance(actions, ActionSet) and actions.names == tuple(f.name for f in gam.features)
    assert len(actions.components) == 1  # the one-hot "at most n" couples every member
    (result,) = run_query(query, gam, x, extra)
    assert result.exact and result.verify(gam)
    assert result.stats.work.get("points", 0) + result.stats.oracle_calls > 0


def test_the_coupled_component_reaches_every_zero_one_vector() -> None:
    # thm:resp-sharp-p: R_P(0) is {0, 1}^n, so the enumeration grows like 2^n
    small = run_query("recourse", *_instance(4))[0].stats.work["points"]
    large = run_query("recourse", *_instance(8))[0].stats.work["points"]
    assert small >= 2**4 and large >= 2**8


def _instance(n: int):  # type: ignore[no-untyped-def]
    return generate("recourse", "finite", "ebm", "multiclass", n=n, seed=0)


def test_loco_queries_get_rows() -> None:
    gam, x, extra = generate("loco", "integers", "ebm", "regression", n=3, seed=0)
    assert len(extra["X"]) == 12 and all(len(row) == 3 for row in extra["X"])
    assert run_query("loco", gam, x, extra)[0].verify(gam)


def test_a_missing_argument_is_named_not_a_key_error() -> None:
    spec = query_spec("recourse")
    with pytest.raises(InvalidParameterError, match="needs the argument 'actions'"):
        spec.call("recourse", (0,), {})
    with pytest.raises(InvalidParameterError, match="needs the argument 'S'"):
        query_spec("csr").call("csr", (0,), {"feature": 0})


def test_every_cell_has_default_sizes() -> None:
    for entry in complexity_table():
        assert len(set(default_sizes(entry.cell))) >= 3


def test_cli_verify_filters_cells(capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(["lab", "verify", "--query", "recourse", "--task", "multiclass",
                   "--domain", "finite", "--component", "table"])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0 and "recourse | finite | table | multiclass" in out
    assert "exponential" in out and "KeyError" not in out
    assert len([line for line in out.splitlines() if " | " in line]) == 1
    with pytest.raises(SystemExit):
        main(["lab", "verify", "--query", "nonsense"])


def test_a_pairs_cell_scales() -> None:
    # scaling validated the cell with a one-feature instance, which no pairs cell has
    report = scaling("fixed", "finite", PAIRS, "classification", sizes=[2, 3, 4])
    assert len(report.measurements) == 3


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_gets_a_row_asked_with_its_option(name: str) -> None:
    cell, established, theorem = VARIANTS[name]
    gam, x, extra = generate_variant(name, n=4, seed=2)
    assert question_cell(gam, cell.query).cell == cell
    (result,) = run_query(cell.query, gam, x, extra)
    assert result.verify(gam) and result.size is None  # no partition: parity
    report = scaling_variant(name, sizes=[3, 4, 5])
    assert report.cell == f"{cell} [{name}]" and report.theorem == theorem
    assert report.established == established
    assert {m.algorithm for m in report.measurements} == {_ALGORITHM[name]}
    rows = verify_table(queries=[cell.query], tasks=[cell.task], domains=[cell.domain],
                        components=[cell.component], sizes=TINY)  # fmt: skip
    assert [r.cell for r in rows].count(report.cell) == 1


_ALGORITHM = {"target": "target-branch-and-bound", "target-pairs": "target-pair-enumeration"}
