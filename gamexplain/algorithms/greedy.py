"""Greedy sorting for sufficient and contrastive reasons of purely additive models.

With v_i how far freeing feature i can push the score toward the threshold, a set of
free features F leaves the prediction alone iff Σ_{i∈F} v_i stays under the slack of x
(Lemma 1 of Bassan, Moshkovitz and Katz, NeurIPS 2025). Sorting v then gives a
minimum-size sufficient reason (free the smallest pushes) and a minimum-size contrastive
reason (change the largest ones), as in Marques-Silva et al. (NeurIPS 2020). The weights
are the lexicographic pairs of :mod:`gamexplain.algorithms.worst_case`, so ties at the
threshold and unattained extremes are decided exactly.

The same code covers every cell whose per-feature primitive is exact: finite domains,
splines, step functions (EBM) on integers and intervals — the paper calls the latter
hard; ``proofs/errata.md`` shows why they are not — and ReLU components that compile to
few enough linear pieces.
"""

from __future__ import annotations

from gamexplain.algorithms.brute_reasons import oracle_applies, oracle_for
from gamexplain.algorithms.worst_case import (
    AdditiveOracle,
    Answer,
    Problem,
    additive_applies,
    additive_oracle,
    first_reaching,
    sort_lex,
)
from gamexplain.complexity.registry import register_algorithm

__all__ = ["csr_greedy", "mcr_greedy", "minimal_sr_deletion", "msr_greedy"]


@register_algorithm(
    "csr",
    "greedy",
    summary="sum of per-feature worst cases; O(n) after the primitive",
    theorem="thm:csr-worst-case",
    priority=10,
    applies=additive_applies,
)
def csr_greedy(problem: Problem, kept: frozenset[int], time_limit: float | None = None) -> bool:
    """Whether keeping ``kept`` fixes the prediction.

    Notes
    -----
    O(n) exact additions after one primitive call per free feature (thm:csr-worst-case).
    """
    return additive_oracle(problem).sufficient(kept)


@register_algorithm(
    "msr",
    "greedy",
    summary="free the features with the smallest pushes first; O(n log n) after the primitive",
    theorem="thm:msr-greedy",
    priority=10,
    solves=lambda cell: cell.task == "classification",
    applies=additive_applies,
)
def msr_greedy(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size sufficient reason of a classification.

    Notes
    -----
    Sort the free features by weight (v_i, −u_i) ascending and free the longest prefix
    whose total stays below the budget; any k free features weigh at least the k
    smallest, so no larger set can be freed. O(n log n) after the primitive
    (thm:msr-greedy).
    """
    oracle = additive_oracle(problem)
    order = sort_lex(problem.free, oracle.weight)
    reach = first_reaching([oracle.weight(i) for i in order], oracle.budget)
    freed = len(order) if reach is None else reach - 1
    return Answer(problem.all_features - set(order[:freed]), work=len(order))


@register_algorithm(
    "mcr",
    "greedy",
    summary="change the features with the largest pushes first; O(n log n) after the primitive",
    theorem="thm:mcr-greedy",
    priority=10,
    applies=additive_applies,
)
def mcr_greedy(problem: Problem, time_limit: float | None = None) -> Answer:
    """A minimum-size contrastive reason, or ``Answer(None)`` when none exists.

    Notes
    -----
    Classification: the shortest prefix of the features sorted by weight descending
    whose total reaches the budget. Regression: the shorter of the two prefixes (pushes
    up, pushes down) whose total exceeds the tolerance. O(n log n) after the primitive
    (thm:mcr-greedy).
    """
    oracle = additive_oracle(problem)
    if oracle.classification:
        order = sort_lex(problem.free, oracle.weight, reverse=True)
        reach = first_reaching([oracle.weight(i) for i in order], oracle.budget)
        return Answer(None if reach is None else frozenset(order[:reach]), work=len(order))
    best: frozenset[int] | None = None
    for side in oracle.sides:
        prefix = _exceeding_prefix(oracle, side)
        if prefix is not None and (best is None or len(prefix) < len(best)):
            best = prefix
    return Answer(best, work=2 * len(problem.free))


def _exceeding_prefix(oracle: AdditiveOracle, side: str) -> frozenset[int] | None:
    """The shortest set of features whose pushes toward ``side`` exceed the tolerance."""
    pushes = {i: oracle.push(i, side) for i in oracle.problem.free}
    order = sort_lex(pushes, lambda i: (pushes[i], 0), reverse=True)
    # a total (t, 0) reaches (δ, 1) lexicographically exactly when t > δ
    reach = first_reaching([(pushes[i], 0) for i in order], (oracle.tolerance, 1))
    return None if reach is None else frozenset(order[:reach])


@register_algorithm(
    "minimal-sr",
    "deletion",
    summary="drop each feature in turn while the rest stays sufficient; n sufficiency checks",
    theorem="thm:minimal-deletion",
    priority=10,
    applies=oracle_applies,
)
def minimal_sr_deletion(problem: Problem, time_limit: float | None = None) -> Answer:
    """A subset-minimal sufficient reason by deletion.

    Notes
    -----
    Sufficiency is monotone (a superset of a sufficient set is sufficient), so one pass
    that drops every feature whose removal keeps the set sufficient ends subset-minimal:
    n sufficiency checks with the exact oracle — the per-feature primitive for additive
    models, enumeration for small models with pairwise terms (thm:minimal-deletion).
    """
    oracle = oracle_for(problem)
    kept = set(problem.all_features)
    for i in problem.free:
        if oracle.sufficient(kept - {i}):
            kept.discard(i)
    return Answer(frozenset(kept), work=len(problem.free))
