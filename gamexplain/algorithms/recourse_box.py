"""Minimum recourse when pair terms join components and R(x) is a box.

When every component of the action set is one feature, R(x) is a box (each feature
ranges over its reachable interval, run of integers or finite values; the others stay),
and :func:`gamexplain.algorithms.fixed_pairs.box_model` turns it into a pairwise model
whose domains are the reachable sets and whose class 1 is the target. A point of R(x)
changing the features C meets the target exactly when C is a contrastive set of x in
that model (its prediction at x is class 0), so the minimum recourse is the model's
minimum contrastive reason with the immovable features held: the size search of
:func:`gamexplain.algorithms.pair_size.mcr_branch_and_bound` (its proof that no smaller
set flips, or the implicit hitting-set cores of its fallback) and a flipping point
from the exact pairwise oracle (``thm:recourse-pair-box``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gamexplain.algorithms.fixed_pairs import _clamp, box_model
from gamexplain.algorithms.hitting_set import minimum_contrastive
from gamexplain.algorithms.pair_cells import pairwise_applies
from gamexplain.algorithms.pair_size import mcr_branch_and_bound, size_bound_applies
from gamexplain.algorithms.pairwise import PairOracle
from gamexplain.algorithms.recourse import Plan
from gamexplain.algorithms.worst_case import Answer, make_problem
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.actions import ActionSet
from gamexplain.substrate import deadline
from gamexplain.substrate.reach import Target

__all__ = ["BoxProof", "box_recourse"]


class BoxProof:
    """Why no smaller point of the box R(x) meets the target: the box model's minimum
    contrastive search record (``size_proof`` or ``cores``), or, when no point meets
    it, the box model's pair worst case of keeping only the held features (``holds``).
    ``held`` are the box features held at x (immovable or asked fixed)."""

    __slots__ = ("cores", "held", "holds", "size_proof")

    def __init__(self, held: frozenset[int], size_proof: Any = None,
                 cores: tuple[Any, ...] = (), holds: Any = None) -> None:  # fmt: skip
        self.held, self.size_proof, self.cores, self.holds = held, size_proof, cores, holds

    def __repr__(self) -> str:
        return f"BoxProof(held={sorted(self.held)}, proof={self.size_proof is not None})"


def _search(problem: Any, time_limit: float | None) -> Answer:
    if size_bound_applies(problem.gam, {}) is None:
        return mcr_branch_and_bound(problem, time_limit)
    return minimum_contrastive(problem, PairOracle(problem), time_limit)


def box_recourse(
    gam: Any, x: tuple[Any, ...], actions: ActionSet, target: Target, *,
    fixed: frozenset[int], max_states: int, time_limit: float | None,
) -> Plan:  # fmt: skip
    """The minimum contrastive reason of the box model (``thm:recourse-pair-box``)."""
    built = box_model(gam, x, actions, target)
    if built is None:
        raise UnsupportedQueryError("R(x) is no box of single features with a float target")
    box, stay = built
    if target.meets(gam.score_exact(x)):
        return Plan(0, tuple(x), (), "solved")
    problem = make_problem(box, x, stay | fixed)
    with deadline.limit(time_limit):
        try:
            answer = _search(problem, time_limit)
        except deadline.OutOfTime:  # the box model's cell tables were still being built
            return Plan(None, None, (), "time_limit")
        if answer.status != "solved":
            return Plan(None, None, (), answer.status, answer.work)
        oracle = PairOracle(problem)
        try:
            if answer.features is None:
                proof = BoxProof(problem.fixed, holds=oracle.worst_case(()))
                return Plan(None, None, (), "solved", answer.work, proof)
            kept = [i for i in range(len(x)) if i not in answer.features]
            point = oracle.counterexample(kept)
        except deadline.OutOfTime:
            return Plan(None, None, (), "time_limit", answer.work)
    assert point is not None  # the search's reason flips, so the oracle finds the point
    proof = BoxProof(problem.fixed, answer.size_proof, answer.cores)
    return Plan(len(answer.features), _clamp(point, actions, x), (), "solved", answer.work, proof)


def _box_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    refused = pairwise_applies(gam, {})
    if refused is not None:
        return refused
    actions, x, target = options.get("actions"), options.get("x"), options.get("target")
    if actions is None or x is None:
        return None  # the model alone (a result's provenance): a pairwise model
    if not isinstance(target, Target):
        return "the target is a class of a multiclass model, not a score condition"
    if any(len(c) > 1 for c in actions.components):
        return "a component has several members, so R(x) is no box"
    if box_model(gam, x, actions, target) is None:
        return "R(x) is no box (a finite feature reaches some but not all of its values, " \
               "or x lies outside its own range) or the target level is no float"
    return None


register_algorithm(
    "recourse", "pair-box",
    summary="R(x) as a pairwise model on the reachable box, whose minimum contrastive "
            "reason (branch and bound over sizes with a size proof) is the recourse",
    theorem="thm:recourse-pair-box", priority=20, applies=_box_applies,
)(box_recourse)  # fmt: skip
