"""The exact minimum of a pairwise factor sum by CP-SAT (thm:pairs-cpsat).

One boolean per (feature, signature), pair products linearised, Fractions scaled exactly
to integers by one common denominator (refused past 2^62); used when the elimination
tables would pass the state budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from gamexplain.algorithms.pair_cells import Factor, Signature, factor_at
from gamexplain.errors import UnsupportedQueryError
from gamexplain.substrate import deadline
from gamexplain.substrate.scaling import common_denominator

__all__ = ["cpsat_minimum"]

_INT_LIMIT = 2**62


def cpsat_minimum(
    domains: Mapping[int, list[Signature]], factors: list[Factor]
) -> tuple[Fraction, dict[int, Signature]]:
    """The exact minimum of the factors' sum by CP-SAT on an exactly scaled integer model."""
    from ortools.sat.python import cp_model

    numbers = [v for _, t in factors for v in t.values()]
    scale = common_denominator(numbers)
    if sum(abs(v) for v in numbers) * scale >= _INT_LIMIT:
        raise UnsupportedQueryError(
            "the pairwise model's scores need integers beyond 2^62 once scaled to a common "
            "denominator, so CP-SAT cannot decide it exactly"
        )
    model = cp_model.CpModel()
    pick = {
        (v, s): model.new_bool_var(f"b{v}_{k}") for v in domains for k, s in enumerate(domains[v])
    }
    for v, signs in domains.items():
        model.add_exactly_one(pick[v, s] for s in signs)
    objective = []
    for scope, table in factors:
        if len(scope) == 0:
            continue
        if len(scope) == 1:
            objective += [int(val * scale) * pick[scope[0], key[0]] for key, val in table.items()]
            continue
        u, v = scope
        both = {key: model.new_bool_var("") for key in table}
        for s in domains[u]:
            model.add(sum(both[a, b] for a, b in table if a == s) == pick[u, s])
        for s in domains[v]:
            model.add(sum(both[a, b] for a, b in table if b == s) == pick[v, s])
        objective += [int(val * scale) * both[key] for key, val in table.items()]
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    left = deadline.remaining()
    if left is not None:
        solver.parameters.max_time_in_seconds = max(left, 1e-3)
    status = solver.solve(model)
    deadline.check()
    if status != cp_model.OPTIMAL:
        raise UnsupportedQueryError("CP-SAT did not prove the pairwise worst case optimal")
    assignment = {
        v: next(s for s in signs if solver.value(pick[v, s])) for v, signs in domains.items()
    }
    value = sum((factor_at(f, assignment) for f in factors), Fraction(0))
    return value, assignment
