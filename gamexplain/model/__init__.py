"""The GAM model: domains, shape functions, tasks, features, pair terms and primitives."""

from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.primitives import (
    Extremum,
    contribution_max,
    contribution_mean,
    contribution_min,
    level_set_measure,
)
from gamexplain.model.shapes import Layer, Piecewise, ReLUNet, Shape, Table
from gamexplain.model.task import Classification, Regression, Task

__all__ = [
    "GAM",
    "Classification",
    "Domain",
    "Extremum",
    "Feature",
    "Finite",
    "Integers",
    "Interval",
    "Layer",
    "PairTerm",
    "Piecewise",
    "ReLUNet",
    "Regression",
    "Shape",
    "Table",
    "Task",
    "contribution_max",
    "contribution_mean",
    "contribution_min",
    "level_set_measure",
]
