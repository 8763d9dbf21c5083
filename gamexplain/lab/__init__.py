"""The lab: reductions, instance generators and scaling experiments.

It sits above the queries (DESIGN.md §4): the reductions turn classic problems into GAM
questions, the generators give a seeded instance of every cell of the complexity table,
and :func:`scaling` times a query on growing instances against its cell's bound.
"""

from gamexplain.lab.generators import generate
from gamexplain.lab.reductions import (
    cnf_count_to_shap,
    cnf_to_nam,
    knapsack_count_to_completion,
    subset_sum_to_redundancy,
    unpenalised_cnf_to_nam,
)
from gamexplain.lab.scaling import ScalingReport, scaling, verify_table

__all__ = [
    "ScalingReport",
    "cnf_count_to_shap",
    "cnf_to_nam",
    "generate",
    "knapsack_count_to_completion",
    "scaling",
    "subset_sum_to_redundancy",
    "unpenalised_cnf_to_nam",
    "verify_table",
]
