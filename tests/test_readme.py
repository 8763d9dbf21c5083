"""The README's promises: its Python tour runs, and CI runs its Quickstart test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_the_tour_runs(monkeypatch, capsys):
    [tour] = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    monkeypatch.chdir(ROOT)
    exec(compile(tour, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "guarantees class 1" in out and "flips the prediction" in out


def test_quickstart_has_two_commands_and_ci_runs_the_second():
    block = README.split("## Quickstart", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = block.strip().splitlines()
    assert len(commands) == 2
    assert commands[0].startswith("pip install .") and "gamexplain demo" in commands[0]
    assert "pytest" in commands[1]
    assert "README.md" in (ROOT / ".ci" / "run").read_text()
