"""The complexity table of GAM explanations, and the registry that picks algorithms."""

from gamexplain.complexity.registry import (
    Cell,
    CellEntry,
    algorithms_for,
    complexity_table,
    question_cell,
    register_algorithm,
)

__all__ = [
    "Cell",
    "CellEntry",
    "algorithms_for",
    "complexity_table",
    "question_cell",
    "register_algorithm",
]
