"""A contrastive question toward a target class of a multiclass model falls in its own
``[target]`` cell (NP-complete, thm:multiclass-mcr-target and -pairs), not in the PTIME
cell of "any class other than the prediction"; results, plans, the table and ``verify``
all name it."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

import gamexplain as gx
from gamexplain.cli import main
from gamexplain.complexity import complexity_table, explain_plan
from gamexplain.complexity.registry import cell_entry
from gamexplain.lab.generators import VARIANTS as LAB_VARIANTS
from gamexplain.lab.generators import generate_variant

sys.path.insert(0, str(Path(__file__).parents[1] / "queries"))
from test_multiclass_choice import STEPS

TABLE = "mcr | finite | table | multiclass"
PAIRS = "mcr | finite | pairs | multiclass"


def test_every_multiclass_contrastive_cell_has_a_target_variant() -> None:
    every = complexity_table(variants=True)
    default = [e.cell for e in complexity_table()]
    assert not any(cell.variant for cell in default)
    targeted = [e for e in every if e.cell.variant]
    assert {e.cell.query for e in targeted} == {"mcr", "enum-cr"}
    assert {dataclasses.replace(e.cell, variant="") for e in targeted} == {
        c for c in default if c.task == "multiclass" and c.query in ("mcr", "enum-cr")
    }
    for entry in targeted:
        assert entry.established == "NP-complete" and entry.stated is None
        pairs = entry.cell.component == "pairs"
        assert entry.theorem == f"thm:multiclass-mcr-target{'-pairs' if pairs else ''}"
        # the default question of the same cell stays where it was
        default_entry = cell_entry(dataclasses.replace(entry.cell, variant=""))
        assert default_entry.established == ("NP-complete" if pairs else
                                             "PTIME" if entry.cell.query == "mcr" else
                                             "output-quasi-polynomial")  # fmt: skip


def test_the_lab_variants_are_the_registry_cells() -> None:
    for cell, established, theorem in LAB_VARIANTS.values():
        entry = cell_entry(dataclasses.replace(cell, variant="target"))
        assert (entry.established, entry.theorem) == (established, theorem)


@pytest.mark.parametrize(("name", "cell", "algorithm"), [
    ("target", TABLE, "target-branch-and-bound"),
    ("target-pairs", PAIRS, "target-pair-enumeration"),
])  # fmt: skip
def test_a_target_reason_reports_its_cell_and_verify_binds_it(
    name: str, cell: str, algorithm: str
) -> None:
    gam, x, extra = generate_variant(name, n=4, seed=1)
    toward = gx.minimum_contrastive_reason(gam, x, target=extra["target"])
    assert (toward.cell, toward.algorithm) == (f"{cell} [target]", algorithm)
    assert toward.verify(gam)
    # relabelled as the PTIME question of any other class, it no longer verifies
    assert not dataclasses.replace(toward, cell=cell).verify(gam)
    anyother = gx.minimum_contrastive_reason(gam, x)
    assert anyother.cell == cell and anyother.verify(gam)
    assert not dataclasses.replace(anyother, cell=f"{cell} [target]").verify(gam)
    plan = explain_plan(gam, "mcr", target=extra["target"])
    assert str(plan.cell.cell) == f"{cell} [target]" and plan.algorithm == algorithm
    assert f"NP-complete ({plan.cell.theorem})" in str(plan)
    assert all(f.entry.cell.variant == "target" for f in plan.features)
    assert explain_plan(gam, "mcr").cell.cell.variant == ""


def test_listed_target_reasons_report_the_target_cell() -> None:
    gam = gx.loads(STEPS)
    listed = list(gx.contrastive_reasons(gam, [0, 0.5, "u"], target="C"))
    assert listed and all(r.verify(gam) for r in listed)
    assert {r.cell for r in listed} == {"enum-cr | interval | ebm | multiclass [target]"}
    assert not dataclasses.replace(listed[0], cell="enum-cr | interval | ebm | multiclass"
                                   ).verify(gam)  # fmt: skip
    plan = explain_plan(gam, "enum-cr", target="C")
    assert plan.algorithm == "target-marco" and "thm:multiclass-mcr-target" in str(plan)
    assert "rivals-marco" in plan.elsewhere  # another cell's algorithm, not skipped


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().out


def test_the_command_line_shows_the_target_cells(capsys: Any, tmp_path: Path) -> None:
    status, out = _run(capsys, "table", "--task", "multiclass", "--query", "mcr")
    rows = [line for line in out.splitlines() if line.startswith("mcr [target]")]
    assert status == 0 and rows
    assert all("NP-complete (beyond the paper)" in row for row in rows)
    assert any("thm:multiclass-mcr-target-pairs" in row for row in rows)
    path = tmp_path / "three.json"
    gx.dump(gx.loads(STEPS), path)
    status, out = _run(capsys, "plan", str(path), "mcr", "--target", "C")
    assert status == 0 and "multiclass [target] — NP-complete (thm:multiclass-mcr-target)" in out
    status, out = _run(capsys, "plan", str(path), "mcr")
    assert status == 0 and "[target]" not in out and "PTIME (thm:multiclass-mcr)" in out
