"""Which cell a result says it fell in, and which algorithm it says ran.

Both are labels, not answers: no check can tell which of several applicable algorithms
produced a correct answer. What a check can re-derive is that the ``cell`` is the one the
complexity registry assigns to this question on this model, and that the ``algorithm``
is registered for that cell and applies to this model (brute force, for instance, only to
small finite models). The answer's own check never depends on either label, so
relabelling a result cannot switch it to a weaker check.
"""

from __future__ import annotations

from typing import Any

from gamexplain.complexity.registry import algorithms_for, question_cell

__all__ = ["provenance_consistent"]


def provenance_consistent(gam: Any, result: Any, queries: tuple[str, ...]) -> bool:
    """Whether ``result.cell`` is the registry's cell for one of ``queries`` on ``gam``
    and ``result.algorithm`` is registered to solve that cell and applies to ``gam``."""
    cell = result.cell
    if not isinstance(cell, str) or not isinstance(result.algorithm, str):
        return False
    query = cell.split(" | ", 1)[0]
    if query not in queries:
        return False
    entry = question_cell(gam, query)
    if str(entry.cell) != cell:
        return False
    named = [spec for spec in algorithms_for(entry.cell) if spec.name == result.algorithm]
    return bool(named) and named[0].applies(gam, {}) is None
