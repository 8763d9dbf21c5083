"""The GAM model: domains, shape functions, tasks, features and pair terms.

The exact per-feature primitives (extremes, means, level-set measures) live one layer up,
in :mod:`gamexplain.substrate`, because they may need a solver.
"""

from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Layer, Piecewise, ReLUNet, Shape, Table
from gamexplain.model.task import Classification, Multiclass, Regression, Task

__all__ = [
    "GAM",
    "Classification",
    "Domain",
    "Feature",
    "Finite",
    "Integers",
    "Interval",
    "Layer",
    "Multiclass",
    "MulticlassGAM",
    "PairTerm",
    "Piecewise",
    "ReLUNet",
    "Regression",
    "Shape",
    "Table",
    "Task",
]
