"""Every section of proofs/*.md has its parts, and every test it cites exists.

A section is headed ``## thm:<id>`` and holds a statement, a proof and a list of tests
named by their full pytest id ``tests/<path>.py::test_name``. The cited ids are checked
against what ``pytest --collect-only`` finds in the cited files, so a renamed or deleted
test breaks this check instead of silently leaving a proof without its test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^## (thm:[\w-]+)[ \t]*$", flags=re.MULTILINE)
CITATION = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
BARE_NAME = re.compile(r"`(test_\w+)`")


def sections() -> dict[str, str]:
    """Theorem id → the text of its section, over every proofs/*.md file."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "proofs").glob("*.md")):
        text = path.read_text()
        heads = list(HEADING.finditer(text))
        for k, head in enumerate(heads):
            end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
            body = text[head.end() : end]
            body = body.split("\n## ", 1)[0]  # a non-theorem heading ends the section too
            assert head.group(1) not in found, f"{head.group(1)} has two sections"
            found[head.group(1)] = body
    return found


def collected(files: set[str]) -> set[str]:
    """The test ids pytest collects from ``files``, without parametrisation suffixes."""
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, *sorted(files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return {line.split("[", 1)[0] for line in run.stdout.splitlines() if "::" in line}


def test_every_section_states_proves_and_cites_tests() -> None:
    for theorem, body in sections().items():
        assert "**Statement.**" in body, f"{theorem}: no statement"
        assert "**Proof.**" in body, f"{theorem}: no proof"
        assert re.search(r"\*\*Tests?\.\*\*", body), f"{theorem}: no tests paragraph"
        cited = CITATION.findall(body)
        assert cited, f"{theorem}: cites no test by its pytest id"
        named = {name for _, name in cited}
        bare = set(BARE_NAME.findall(body)) - named
        assert not bare, f"{theorem}: tests cited without their file: {sorted(bare)}"


def test_every_cited_test_exists() -> None:
    cited = {(theorem, f"{path}::{name}") for theorem, body in sections().items()
             for path, name in CITATION.findall(body)}  # fmt: skip
    exists = collected({test_id.split("::")[0] for _, test_id in cited})
    missing = sorted(f"{theorem}: {test_id}" for theorem, test_id in cited if test_id not in exists)
    assert not missing, "cited tests that pytest does not collect:\n" + "\n".join(missing)
