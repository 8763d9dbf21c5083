"""The complexity lab: growth fits, scaling runs, the quick pass and the CLI."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamexplain.cli import main
from gamexplain.complexity import complexity_table
from gamexplain.complexity.registry import cell_entry
from gamexplain.errors import InvalidParameterError
from gamexplain.lab.scaling import (
    NOT_COVERED,
    expected_growth,
    fit_growth,
    plot_report,
    scaling,
    verify_table,
    write_csv,
)


@given(st.floats(1.2, 4.0), st.floats(1.0, 100.0))
def test_exponential_work_is_recognised(base: float, scale: float) -> None:
    sizes = [2, 3, 4, 5, 6, 7]
    fit = fit_growth(sizes, [scale * base**s for s in sizes])
    assert fit.growth == "exponential" and fit.base == pytest.approx(base, rel=1e-6)


@given(st.integers(1, 3), st.floats(1.0, 50.0))
def test_polynomial_work_is_recognised(degree: int, scale: float) -> None:
    sizes = [2, 4, 8, 16, 32]
    fit = fit_growth(sizes, [scale * s**degree for s in sizes])
    assert fit.growth == "polynomial" and fit.degree == pytest.approx(degree, rel=1e-6)


def test_fit_needs_three_sizes() -> None:
    with pytest.raises(InvalidParameterError, match="three distinct"):
        fit_growth([2, 2, 4], [1, 1, 2])
    with pytest.raises(InvalidParameterError, match="'sizes' parameter of scaling"):
        scaling("csr", "finite", "table", sizes=[2, 4])


def test_ptime_and_hard_cells_side_by_side() -> None:
    easy = scaling("msr", "integers", "ebm", sizes=[2, 4, 8, 16])
    hard = scaling("msr", "integers", "nam", sizes=[2, 3, 4, 5, 6])
    assert easy.fit.growth == "polynomial" and easy.agrees
    assert easy.agrees_with_stated is False  # the EBM erratum: the paper says coNP-hard
    assert hard.fit.growth == "exponential" and hard.agrees
    assert all(m.exact for m in easy.measurements + hard.measurements)


def test_quick_pass_agrees_with_the_table_on_the_cells_it_covers() -> None:
    queries = ["csr", "mcr", "fr", "cc"]
    rows = verify_table(queries=queries, tasks=["classification"])
    cells = [e for e in complexity_table() if e.cell.query in queries]
    assert len(rows) == sum(e.cell.task == "classification" for e in cells)
    for row in rows:
        if row.agrees is None:
            assert row.note and any(key[0] in row.cell for key in NOT_COVERED)
            continue
        assert row.agrees, row
        established = cell_entry_of(row.cell).established
        assert row.observed == expected_growth(established)
    assert sum(row.agrees is True for row in rows) >= 36


def cell_entry_of(text: str):  # type: ignore[no-untyped-def]
    from gamexplain.complexity.registry import Cell

    return cell_entry(Cell(*[part.strip() for part in text.split("|")]))


def test_csv_and_png_are_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = scaling("cc", "finite", "table", sizes=[3, 4, 5])
    rows = list(csv.DictReader(write_csv(report, tmp_path / "run.csv").open()))
    assert [int(r["size"]) for r in rows] == [3, 4, 5]
    assert [int(r["work"]) for r in rows] == [m.work for m in report.measurements]
    png = plot_report(report, tmp_path / "run.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_scaling_and_verify(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(
        ["lab", "scaling", "--query", "msr", "--domain", "interval", "--component", "ebm",
         "--sizes", "2,4,8", "--out", str(tmp_path)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0 and "matches" in captured.out and "[3/3]" in captured.err
    assert (tmp_path / "scaling.csv").exists() and (tmp_path / "scaling.png").exists()
    assert main(["lab", "verify", "--query", "mcr", "--task", "classification"]) == 0
    out = capsys.readouterr().out
    assert "mcr | integers | nam | classification" in out and "exponential" in out
    assert main(["lab", "scaling", "--query", "csr", "--domain", "finite",
                 "--component", "table", "--sizes", "a,b"]) == 2  # fmt: skip
