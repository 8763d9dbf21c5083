"""What every algorithm stands on: exact pieces and per-feature primitives.

A layer between the model and the algorithms (DESIGN.md §4): lowering a feature to exact
pieces (:mod:`~gamexplain.substrate.pieces`), its extremes, mean and level-set measures
(:mod:`~gamexplain.substrate.primitives`), the backend that finds a ReLU network's extremes
(:mod:`~gamexplain.substrate.extremes`, :mod:`~gamexplain.substrate.milp`), and the one
deadline a query runs under (:mod:`~gamexplain.substrate.deadline`). It imports only the
model and the exact core below it, never an algorithm.
"""

from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.primitives import (
    Extremum,
    contribution_max,
    contribution_mean,
    contribution_min,
    level_set_measure,
)

__all__ = [
    "Extremum",
    "Point",
    "Segment",
    "contribution_max",
    "contribution_mean",
    "contribution_min",
    "level_set_measure",
    "lower",
]
