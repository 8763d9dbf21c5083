"""What the model's score is used for: a regression output or a thresholded class."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from gamexplain.errors import InvalidModelError
from gamexplain.exact import Exact, compare

__all__ = ["Classification", "Multiclass", "Regression", "Task"]


@dataclass(frozen=True)
class Regression:
    """The output is the score itself.

    Set-valued queries (sufficient and contrastive reasons) ask that the score stay
    within ``tolerance`` of f(x); the default 0 asks that it not move at all.
    """

    tolerance: float = 0.0
    kind: ClassVar[str] = "regression"

    def __post_init__(self) -> None:
        value = self.tolerance
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidModelError(f"{value!r} is not a number", "tolerance")
        if not math.isfinite(value) or value < 0:
            raise InvalidModelError(f"must be finite and ≥ 0, got {value!r}", "tolerance")
        object.__setattr__(self, "tolerance", float(value))


@dataclass(frozen=True)
class Classification:
    """Binary classification by a threshold on the score.

    Class 1 iff score ≥ threshold (``positive=">="``, the convention of Bassan et al.)
    or score > threshold (``positive=">"``, what EBM and pyGAM's LogisticGAM do at 0).
    A score exactly at the threshold is part of the model, not an afterthought.
    """

    threshold: float = 0.0
    positive: Literal[">=", ">"] = ">="
    kind: ClassVar[str] = "classification"

    def __post_init__(self) -> None:
        value = self.threshold
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidModelError(f"{value!r} is not a number", "threshold")
        if not math.isfinite(value):
            raise InvalidModelError(f"must be finite, got {value!r}", "threshold")
        object.__setattr__(self, "threshold", float(value))
        if self.positive not in (">=", ">"):
            raise InvalidModelError(
                f"the tie rule must be '>=' or '>', got {self.positive!r}", "positive"
            )

    def label(self, scores: NDArray[np.float64]) -> NDArray[np.int64]:
        """Class labels (0/1) of float scores."""
        scores = np.asarray(scores, dtype=float)
        above = scores >= self.threshold if self.positive == ">=" else scores > self.threshold
        return above.astype(np.int64)

    def label_exact(self, score: Exact) -> int:
        """The class of an exact score, with no rounding at the threshold."""
        side = compare(score, self.threshold_exact)
        return int(side > 0 or (side == 0 and self.positive == ">="))

    @property
    def threshold_exact(self) -> Exact:
        from fractions import Fraction

        return Fraction(self.threshold)


Task: TypeAlias = Regression | Classification


@dataclass(frozen=True)
class Multiclass:
    """K classes scored by K additive functions; the prediction is the argmax.

    Ties go to the lowest class index, as numpy's ``argmax``, scikit-learn and EBM do.
    The classes keep their labels (numbers or strings, distinct, at least two).
    """

    classes: tuple[Any, ...]
    kind: ClassVar[str] = "multiclass"

    def __init__(self, classes: Any) -> None:
        try:
            labels = tuple(c.item() if isinstance(c, np.generic) else c for c in classes)
        except TypeError as exc:
            raise InvalidModelError(
                f"expected a list of labels, got {classes!r}", "classes"
            ) from exc
        if len(labels) < 2:
            raise InvalidModelError(
                f"a multiclass task needs ≥ 2 classes, got {len(labels)}", "classes"
            )
        for k, label in enumerate(labels):
            bad = isinstance(label, bool) or not isinstance(label, str | int | float)
            if bad or (isinstance(label, float) and not math.isfinite(label)):
                raise InvalidModelError(f"{label!r} is not a class label", f"classes[{k}]")
        if len(set(labels)) != len(labels):
            raise InvalidModelError("class labels must be distinct", "classes")
        object.__setattr__(self, "classes", labels)

    @property
    def n_classes(self) -> int:
        return len(self.classes)
