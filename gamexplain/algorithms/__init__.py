"""Algorithm modules; importing one registers its algorithms in the complexity registry."""

from gamexplain.algorithms import (  # noqa: F401
    brute_reasons,
    cpsat_fr,
    enumeration,
    greedy,
    hitting_set,
    pareto,
    partial_sums_fr,
    redundancy,
)
