"""Brute force: the slow, obviously correct reference over small enumerable domains.

Every other algorithm is held against these enumerations in the tests. They apply only
when every feature's domain is finite or a small integer range, and the product of the
domain sizes stays under a limit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from gamexplain.model.domains import Finite, Integers

__all__ = ["BRUTE_FORCE_LIMIT", "brute_force_applies", "completions", "domain_points"]

BRUTE_FORCE_LIMIT = 200_000
"""Largest number of points (completions) brute force will enumerate."""


def domain_points(feature: Any) -> list[Any]:
    """Every value of an enumerable domain (labels, or integers as ``int``)."""
    domain = feature.domain
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Integers):
        return list(range(domain.low, domain.high + 1))
    raise ValueError(f"feature {feature.name!r} has a continuous domain")


def _size(feature: Any) -> int | None:
    domain = feature.domain
    if isinstance(domain, Finite | Integers):
        return domain.size
    return None


def brute_force_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when every domain is enumerable and their product is small, else why not."""
    sizes = [_size(f) for f in gam.features]
    if any(s is None for s in sizes):
        return "brute force needs finite or integer domains (an interval is not enumerable)"
    limit = options.get("brute_force_limit", BRUTE_FORCE_LIMIT)
    total = math.prod(s for s in sizes if s is not None)
    if total > limit:
        return f"brute force would enumerate {total} points, more than its limit {limit}"
    return None


def completions(
    gam: Any, x: Sequence[Any], fixed: Sequence[int] | frozenset[int]
) -> Iterator[tuple[Any, ...]]:
    """Every point that agrees with ``x`` on the ``fixed`` features."""
    keep = set(fixed)
    axes = [[x[i]] if i in keep else domain_points(f) for i, f in enumerate(gam.features)]
    return itertools.product(*axes)

