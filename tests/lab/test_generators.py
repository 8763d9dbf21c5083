"""Generated instances: every cell of the table gets a valid, seeded instance of itself."""

from __future__ import annotations

import pytest

from gamexplain.complexity.registry import complexity_table, question_cell
from gamexplain.errors import InvalidParameterError
from gamexplain.lab.generators import FAMILIES, family_of, generate

CELLS = [entry.cell for entry in complexity_table()]


@pytest.mark.parametrize("cell", CELLS, ids=str)
def test_every_cell_gets_an_instance_of_itself(cell) -> None:  # type: ignore[no-untyped-def]
    gam, x, extra = generate(cell.query, cell.domain, cell.component, cell.task, n=3, seed=7)
    assert gam.instance(x) == tuple(x)
    assert question_cell(gam, cell.query).cell == cell
    assert extra["family"] == family_of(cell) and extra["family"] in FAMILIES
    assert extra["cell"] == str(cell)
    if cell.query in ("csr", "cc"):
        assert set(extra["S"]) <= set(range(gam.n_features))
    if cell.query == "fr":
        gam.index(extra["feature"])


def test_same_seed_same_model_other_seed_other_model() -> None:
    first = generate("msr", "integers", "spline", n=5, knob=3, seed=1)
    again = generate("msr", "integers", "spline", n=5, knob=3, seed=1)
    other = generate("msr", "integers", "spline", n=5, knob=3, seed=2)
    assert first[0] == again[0] and first[1] == again[1]
    assert first[0] != other[0]


def test_knob_controls_pieces_and_bit_width() -> None:
    gam, _, extra = generate("csr", "interval", "ebm", n=2, knob=5)
    assert extra["knob"] == 5 and all(f.shape.n_pieces == 6 for f in gam.features)
    gam, _, _ = generate("cc", "finite", "table", n=4, knob=12)
    widths = [max(abs(v) for v in f.shape.values) for f in gam.features]
    assert all(2**11 <= w < 2**12 for w in widths)


def test_cnf_family_is_the_reduction() -> None:
    gam, x, extra = generate("mcr", "integers", "nam", n=3, knob=4, seed=3)
    assert extra["family"] == "cnf" and len(extra["clauses"]) == 4
    assert gam.features[0].domain.high == 2**3 - 1 and x == (0, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "nope"}, "'query' parameter of generate"),
        ({"domain": "reals"}, "'domain' parameter"),
        ({"component": "table", "domain": "interval"}, "table component"),
        ({"query": "shap-label", "task": "regression"}, "explains a label"),
        ({"n": 0}, "'n' parameter"),
        ({"knob": 0}, "'knob' parameter"),
        ({"seed": -1}, "'seed' parameter"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    arguments = {"query": "csr", "domain": "finite", "component": "ebm", **kwargs}
    with pytest.raises(InvalidParameterError, match=message):
        generate(**arguments)
