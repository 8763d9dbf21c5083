"""How far a counterfactual moves one feature: the distance ``witness="nearest"`` minimises.

A witness z of a contrastive reason is measured against the instance x by the L1 sum
Σ_i d_i(x_i, z_i) of per-feature distances, each in units of the feature's *spread*:

* a finite domain counts categories: d = 0 when z_i = x_i, else 1 (its values need not
  be ordered, so no other unit is meaningful);
* an integer range [low, high] or a real interval [low, high]: d = |z_i − x_i| / (high −
  low), so moving a feature across its whole domain costs 1 whatever its unit. The
  domain is what the model was fitted or declared on (for a converted EBM, the range of
  the training data), so the spread is a property of the model, not of a data set.

Everything is exact (Fractions); a one-point range has nothing to move to and spread 1.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from gamexplain.exact import as_fraction

__all__ = ["APPROACH", "feature_distance", "spread"]

APPROACH = Fraction(1, 10**4)
"""How far, in spread units, a nearest witness may stay inside a bin that is open at its
near end (an interval bin [a, b) left of x): the distance to b is then only an infimum,
and a witness changing k features is at most k·APPROACH farther than it. Within that
margin the witness takes the decimal with the fewest digits, so it reads as a value
below b (13.499, not 13.4999999)."""


def spread(domain: Any) -> Fraction:
    """The unit of distance of a range domain: its width (1 for a single point)."""
    width = Fraction(domain.high) - Fraction(domain.low)
    return width if width > 0 else Fraction(1)


def feature_distance(domain: Any, a: Any, b: Any) -> Fraction:
    """The exact distance between two values of ``domain`` (see the module docstring)."""
    if domain.kind == "finite":
        return Fraction(0 if domain.index(a) == domain.index(b) else 1)
    return abs(as_fraction(a) - as_fraction(b)) / spread(domain)
