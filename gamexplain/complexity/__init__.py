"""The complexity table of GAM explanations, the query table, and the registry that
picks algorithms (one dispatcher, read by the queries and by ``explain_plan``).

Reductions, generators and scaling experiments sit above the queries, in
:mod:`gamexplain.lab`.
"""

from gamexplain.complexity.plan import Plan, explain_plan
from gamexplain.complexity.queries import QUERY_TABLE, QuerySpec
from gamexplain.complexity.registry import (
    Cell,
    CellEntry,
    Selection,
    algorithms_for,
    complexity_table,
    dispatch,
    question_cell,
    register_algorithm,
    select_algorithm,
)

__all__ = [
    "QUERY_TABLE",
    "Cell",
    "CellEntry",
    "Plan",
    "QuerySpec",
    "Selection",
    "algorithms_for",
    "complexity_table",
    "dispatch",
    "explain_plan",
    "question_cell",
    "register_algorithm",
    "select_algorithm",
]
