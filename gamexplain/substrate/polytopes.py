"""Exact convex polytopes of small dimension: vertices, volume and cutting.

A polytope is a list of half-spaces ``(a, b)`` meaning ``a · u ≤ b`` over rational
coordinates u ∈ Q^k (k small: the free continuous coordinates of one component of an
action set). Everything is exact in :class:`fractions.Fraction`:

- :func:`vertices` solves every k-subset of the bounding hyperplanes (Gauss–Jordan) and
  keeps the solutions meeting every half-space;
- :func:`volume` is Lasserre's recursion (Lasserre 1983, *An analytical expression and
  an algorithm for the volume of a convex polyhedron in R^n*, JOTA 39): vol_k(P) =
  (1/k) Σ_i b_i/|a_ij| · vol_{k−1}(π_j F_i), the facet F_i projected along a coordinate
  j with a_ij ≠ 0 (the projection scales its (k−1)-volume by |a_ij|/‖a_i‖, which cancels
  the distance b_i/‖a_i‖ of the facet's hyperplane, so no square root appears);
- :func:`cut` splits a polytope by a hyperplane, telling from the vertices which sides
  it reaches.

Used by the area (volume) measure of action-set components with several continuous
members (:mod:`gamexplain.algorithms.responsiveness_volume`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

__all__ = ["Halfspace", "Polytope", "centroid", "cut", "polytope", "solve", "vertices",
           "volume"]  # fmt: skip

Halfspace = tuple[tuple[Fraction, ...], Fraction]
"""``(a, b)``: the points u with a · u ≤ b."""

Polytope = tuple[tuple[Halfspace, ...], tuple[tuple[Fraction, ...], ...]]
"""Half-spaces and their vertices (a bounded polytope)."""


def _dot(a: Sequence[Fraction], u: Sequence[Fraction]) -> Fraction:
    return sum((p * q for p, q in zip(a, u, strict=True)), Fraction(0))


def solve(matrix: Sequence[Sequence[Fraction]],
          right: Sequence[Fraction]) -> tuple[Fraction, ...] | None:  # fmt: skip
    """The unique solution of a square system (Gauss–Jordan); None when singular."""
    size = len(matrix)
    rows = [[*row, value] for row, value in zip(matrix, right, strict=True)]
    for col in range(size):
        pivot = next((r for r in range(col, size) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col][col]
        rows[col] = [v / head for v in rows[col]]
        for r in range(size):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[col], strict=True)]
    return tuple(row[-1] for row in rows)


def _canonical(halfspaces: Sequence[Halfspace]) -> list[Halfspace]:
    """Each direction once (scaled so its first non-zero coefficient is ±1), the
    tightest; constant half-spaces 0 ≤ b are dropped when they hold and kept (as the
    single empty marker) when they fail."""
    kept: dict[tuple[Fraction, ...], Fraction] = {}
    for a, b in halfspaces:
        lead = next((abs(c) for c in a if c != 0), None)
        if lead is None:
            if b < 0:
                return [(a, b)]
            continue
        key = tuple(c / lead for c in a)
        bound = b / lead
        if key not in kept or bound < kept[key]:
            kept[key] = bound
    return list(kept.items())


def vertices(halfspaces: Sequence[Halfspace], k: int) -> tuple[tuple[Fraction, ...], ...]:
    """Every vertex of the polytope (none when it is empty)."""
    hs = _canonical(halfspaces)
    if any(not any(a) for a, _ in hs):
        return ()
    if k == 0:
        return ((),)
    found = set()
    for chosen in itertools.combinations(hs, k):
        point = solve([a for a, _ in chosen], [b for _, b in chosen])
        if point is not None and all(_dot(a, point) <= b for a, b in hs):
            found.add(point)
    return tuple(sorted(found))


def volume(halfspaces: Sequence[Halfspace], k: int) -> Fraction:
    """The k-dimensional volume of a bounded polytope (0 when it is flat or empty).

    Notes
    -----
    Lasserre's recursion: O(m^k) exact operations for m half-spaces.
    """
    hs = _canonical(halfspaces)
    if any(not any(a) for a, _ in hs):
        return Fraction(0)
    if k == 0:
        return Fraction(1)
    if k == 1:
        low = max((b / a[0] for a, b in hs if a[0] < 0), default=None)
        high = min((b / a[0] for a, b in hs if a[0] > 0), default=None)
        if low is None or high is None:
            raise ValueError("an unbounded polytope has no volume")
        return max(Fraction(0), high - low)
    total = Fraction(0)
    for i, (a, b) in enumerate(hs):
        j = next(q for q, c in enumerate(a) if c != 0)
        facet = []
        for q, (c, d) in enumerate(hs):
            if q == i:
                continue
            ratio = c[j] / a[j]  # u_j = (b − Σ_{q≠j} a_q u_q) / a_j substituted
            facet.append((tuple(c[q] - ratio * a[q] for q in range(k) if q != j),
                          d - ratio * b))  # fmt: skip
        if b != 0:
            total += b / abs(a[j]) * volume(facet, k - 1)
    return total / k


def polytope(halfspaces: Sequence[Halfspace], k: int) -> Polytope | None:
    """The polytope with its vertices, or None when it has no k-dimensional volume."""
    found = vertices(halfspaces, k)
    if not found or _rank(found) < k:
        return None
    return tuple(halfspaces), found


def _rank(points: Sequence[tuple[Fraction, ...]]) -> int:
    """The dimension of the affine hull of ``points`` (exact elimination)."""
    rows = [[p - q for p, q in zip(point, points[0], strict=True)] for point in points[1:]]
    rank = 0
    width = len(points[0])
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(rank + 1, len(rows)):
            if rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def centroid(cell: Polytope) -> tuple[Fraction, ...]:
    """The mean of the vertices: an interior point of a full-dimensional polytope."""
    points = cell[1]
    return tuple(sum(column, Fraction(0)) / len(points) for column in zip(*points, strict=True))


def cut(cell: Polytope, normal: tuple[Fraction, ...], level: Fraction,
        k: int) -> tuple[Polytope | None, Polytope | None]:  # fmt: skip
    """The parts of ``cell`` with normal · u ≤ level and ≥ level (None: no volume)."""
    sides = [_dot(normal, v) - level for v in cell[1]]
    if all(s <= 0 for s in sides):
        return cell, None
    if all(s >= 0 for s in sides):
        return None, cell
    below = polytope((*cell[0], (normal, level)), k)
    above = polytope((*cell[0], (tuple(-c for c in normal), -level)), k)
    return below, above
