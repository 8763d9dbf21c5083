"""Feature redundancy of a multiclass model whose contributions vary continuously on
intervals: a witness search.

Without pair terms, with some feature's contribution a non-constant polynomial on a real
interval (spline pipelines, pyGAM-style pieces), ``class-pairs`` has no finite set of
options and refuses the model. Here each feature gets a finite set of *candidate*
values: every value of a finite domain; on each piece of its domain its low end, its
high end when the piece holds it, and the points at a quarter, a half and three quarters
of it (the nearest floats; on integer pieces, those points rounded up). The witness search of
``multiclass-pair-search`` (:class:`gamexplain.algorithms.multiclass_pair_fr._Search`)
runs over these candidates with the K class contributions in floats, and a point where
two candidates of the feature give different argmaxes is re-evaluated exactly.

Nothing is claimed when the search finds no witness: a change of the argmax may need
values between the candidates, so the answer is undecided (``budget_exhausted``), never
"redundant".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.algorithms.multiclass_choice import FrOutcome, feature_options
from gamexplain.algorithms.multiclass_pair_fr import RESTARTS, _Search
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.exact import as_fraction
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Point, Segment, lower

__all__ = ["candidates", "fr_multiclass_lines", "lines_applies"]

_QUARTERS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))


def lines_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a multiclass model without pair terms in which some feature varies
    continuously on a piece (the models ``class-pairs`` refuses)."""
    if gam.pairs:
        return "the model has pair terms (multiclass-pair-boxes answers steps with pairs)"
    for i in range(gam.n_features):
        try:
            feature_options(gam, i)
        except UnsupportedQueryError:
            return None
    return "every feature has finitely many options (class-pairs decides it exactly)"


def candidates(gam: Any, i: int) -> list[Any]:
    """Feature i's candidate values, in increasing order (domain order when finite)."""
    pieces = lower(gam.scores[0].features[i])
    if pieces and isinstance(pieces[0], Point):
        return [p.value for p in pieces]
    found: set[Fraction] = set()
    for segment in pieces:
        assert isinstance(segment, Segment)
        found |= _in_segment(segment)
    plain = sorted(found)
    integers = isinstance(pieces[0], Segment) and pieces[0].integers
    return [int(v) if integers else (float(v) if Fraction(float(v)) == v else v) for v in plain]


def _in_segment(segment: Segment) -> set[Fraction]:
    low, high = segment.low, segment.high
    inner = {low + q * (high - low) for q in _QUARTERS}
    if segment.integers:
        return {low, high} | {Fraction(math.ceil(v)) for v in inner}
    # the nearest floats inside the piece, for a readable witness
    near = {Fraction(float(v)) for v in inner}
    return {low} | {v for v in near if low < v < high} | ({high} if segment.closed else set())


class _Layout:
    """The candidates as :class:`~gamexplain.algorithms.multiclass_pair_fr._Search`
    reads a layout: per feature its values and their K contributions in floats."""

    def __init__(self, gam: Any) -> None:
        self.reps = [candidates(gam, i) for i in range(gam.n_features)]
        self.main = []
        for i, values in enumerate(self.reps):
            deadline.check()
            self.main.append(np.array([[float(as_fraction(m.features[i].contribution_exact(v)))
                                        for m in gam.scores] for v in values]))  # fmt: skip
        self.pairs: list[Any] = []
        self.intercepts = np.array([float(m.intercept) for m in gam.scores])


@register_algorithm(
    "fr",
    "multiclass-line-search",
    summary="a float search over a few candidate values per piece for a point where two "
    "values of the feature give different argmaxes, re-checked exactly; undecided when it "
    "finds none",
    theorem="thm:multiclass-fr-lines-search",
    priority=30,
    solves=lambda cell: cell.task == "multiclass",
    applies=lines_applies,
    multiclass=True,
)
def fr_multiclass_lines(
    gam: Any, feature: int, *, max_states: int, time_limit: float | None
) -> FrOutcome:
    """Whether ``feature`` of a multiclass model with continuous pieces can change the
    argmax: a witness, or undecided.

    Notes
    -----
    coNP-complete (thm:multiclass-fr). The search costs O(k_j·k_i·K²) float operations
    per move for k_j candidates of the moved feature (five per piece) and k_i of the
    asked one, over at most twelve restarts of twenty sweeps; a witness is exact, and no
    witness found is undecided (``budget_exhausted``), never "redundant"
    (thm:multiclass-fr-lines-search).
    """
    search = _Search(gam, _Layout(gam), feature)  # type: ignore[arg-type]
    # with no other feature to move, the one point to try is the feature's own line
    found = search.run(RESTARTS) if search.others else search.witness([0])
    if found is not None:
        return FrOutcome(False, found, work={"restarts": RESTARTS})
    return FrOutcome(False, status="budget_exhausted", work={"restarts": RESTARTS},
                     message=f"no witness found in {RESTARTS} restarts of the search over a "
                     "few values per piece, and no redundancy proof exists for continuous "
                     "pieces of a multiclass model")  # fmt: skip
