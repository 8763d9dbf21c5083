"""The complexity table of GAM explanations, and the registry that picks algorithms.

Reductions, generators and scaling experiments sit above the queries, in
:mod:`gamexplain.lab`.
"""

from gamexplain.complexity.plan import Plan, explain_plan
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
    "Plan",
    "algorithms_for",
    "complexity_table",
    "explain_plan",
    "question_cell",
    "register_algorithm",
]
