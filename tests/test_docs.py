"""The documentation: it builds without warnings, its examples run, its complexity table
comes from the registry, and the proofs index lists every theorem section."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    command = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "reference.html").read_text()
    assert "PTIME (paper: coNP-hard)" in page  # an erratum cell, rendered from the registry


def test_table_rows_come_from_the_registry() -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    from complexity_table import table_rows

    from gamexplain.complexity.registry import Cell, cell_entry

    header, rows = table_rows("classification")
    for row in rows:
        for query, text in zip(header[2:], row[2:], strict=True):
            if text:
                entry = cell_entry(Cell(query, row[0], row[1], "classification"))
                assert text.startswith(entry.established)


def test_guide_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "guide.md").read_text(), re.S)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(block, namespace)  # the guide's own examples, in order
    assert len(blocks) >= 8


def test_proofs_index_lists_every_section() -> None:
    index = (ROOT / "proofs" / "README.md").read_text()
    for path in (ROOT / "proofs").glob("*.md"):
        for theorem in re.findall(r"^## (thm:[a-z0-9-]+)", path.read_text(), re.M):
            assert f"`{theorem}`" in index, f"{theorem} of {path.name} is not in proofs/README.md"
