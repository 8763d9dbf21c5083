"""The complexity table of GAM explanations, and the registry that picks algorithms."""

from gamexplain.complexity.generators import generate
from gamexplain.complexity.lab import ScalingReport, scaling, verify_table
from gamexplain.complexity.plan import Plan, explain_plan
from gamexplain.complexity.reductions import (
    cnf_count_to_shap,
    cnf_to_nam,
    knapsack_count_to_completion,
    subset_sum_to_redundancy,
    unpenalised_cnf_to_nam,
)
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
    "ScalingReport",
    "algorithms_for",
    "cnf_count_to_shap",
    "cnf_to_nam",
    "complexity_table",
    "explain_plan",
    "generate",
    "knapsack_count_to_completion",
    "question_cell",
    "register_algorithm",
    "scaling",
    "subset_sum_to_redundancy",
    "unpenalised_cnf_to_nam",
    "verify_table",
]
