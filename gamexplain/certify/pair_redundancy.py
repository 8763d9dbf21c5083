"""Independent re-check of a ``pair-moves`` redundancy proof (regression, pair terms).

The proof carries no data: this module re-derives, with its own code, that no change of
feature i alone moves the score by more than δ. It splits feature i's domain at its
breakpoints and at the edges of its pair terms, and each partner's domain at the edges
of the pair terms it shares with i, takes one value of each piece (on a step function
every value of a piece moves the score alike), and bounds every move

    a_i(v) − a_i(w) + Σ_j max_z Σ [g_ij(v, z) − g_ij(w, z)]

in floats with a rigorous error allowance; the moves the floats leave within that
allowance of δ are computed exactly. It shares no code with
:mod:`gamexplain.algorithms.pair_fr`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify import check_size, contribution, exact_number

__all__ = ["no_move_exceeds"]

_EXACT_PAIRS = 2_000


def _values(feature: Any, cuts: set[Fraction]) -> list[Any]:
    """A value of the domain in every piece that the cuts leave (all of a finite one)."""
    domain = feature.domain
    if domain.kind == "finite":
        return list(domain.values)
    low, high = Fraction(domain.low), Fraction(domain.high)
    starts = [low, *sorted(c for c in cuts if low < c <= high)]
    if domain.kind == "integers":
        return sorted({math.ceil(s) for s in starts if math.ceil(s) <= high})
    return starts


def _cells(pair: Any, axis: int, model: Any, values: Sequence[Any]) -> list[int]:
    """The bin of each value: its position in a finite domain, or how many inner edges
    lie at or below it."""
    edges = pair.edges[axis]
    if edges is None:
        listed = list(model.features[pair.features[axis]].domain.values)
        return [listed.index(v) for v in values]
    inner = [Fraction(e) for e in edges[1:-1]]
    return [bisect.bisect_right(inner, Fraction(v)) for v in values]


def _cuts(pair: Any, axis: int) -> set[Fraction]:
    edges = pair.edges[axis]
    return set() if edges is None else {Fraction(e) for e in edges[1:-1]}


def no_move_exceeds(model: Any, i: int) -> bool:
    """Whether every change of feature i alone moves the score by at most δ."""
    chosen = model.features[i]
    shape = chosen.shape
    if chosen.domain.kind != "finite" and not (
        type(shape).__name__ == "Piecewise" and all(len(c) == 1 for c in shape.coefficients)
    ):
        return False  # not a step function: the proof's argument does not apply
    partners: dict[int, list[tuple[Any, int]]] = {}
    own_cuts: set[Fraction] = set()
    if chosen.domain.kind != "finite":
        own_cuts |= {Fraction(b) for b in shape.breakpoints}
    for pair in model.pairs:
        if i in pair.features:
            axis = pair.features.index(i)
            partners.setdefault(pair.features[1 - axis], []).append((pair, axis))
            own_cuts |= _cuts(pair, axis)
    own = _values(chosen, own_cuts)
    check_size(len(own) ** 2, "the pairs of values of the feature")
    main = [Fraction(exact_number(contribution(model, i, v))) for v in own]
    tables = []
    for j, terms in partners.items():
        zs = _values(model.features[j], set().union(*(_cuts(p, 1 - a) for p, a in terms)))
        table = [[Fraction(0)] * len(zs) for _ in own]
        for pair, axis in terms:
            cols = _cells(pair, 1 - axis, model, zs)
            for s, r in enumerate(_cells(pair, axis, model, own)):
                for z, c in enumerate(cols):
                    table[s][z] += Fraction(pair.values[r][c] if axis == 0 else pair.values[c][r])
        tables.append(table)
    return _all_within(main, tables, Fraction(exact_number(model.task.tolerance)))


def _all_within(main: Sequence[Fraction], tables: Sequence[Sequence[Sequence[Fraction]]],
                delta: Fraction) -> bool:  # fmt: skip
    """max over (s, t) of main[s] − main[t] + Σ_tables max_z (T[s][z] − T[t][z]) ≤ δ."""
    a = np.array([float(v) for v in main])
    total = a[:, None] - a[None, :]
    size = 2 * float(np.max(np.abs(a), initial=0.0))
    for table in tables:
        g = np.array([[float(v) for v in row] for row in table])
        for s in range(len(g)):
            total[s] += np.max(g[s][None, :] - g, axis=1)
        size += 2 * float(np.max(np.abs(g), initial=0.0))
    # every float above is within (2·tables + 8)·u relative of its exact value's bound
    d = 2 * len(tables) + 8
    slack = 4 * d * 2.0**-53 * size + 2.0**-1000
    near = np.argwhere(total >= float(delta) - slack)
    if len(near) > _EXACT_PAIRS:
        return False
    for s, t in near.tolist():
        exact = main[s] - main[t]
        for table in tables:
            exact += max(x - y for x, y in zip(table[s], table[t], strict=True))
        if exact > delta:
            return False
    return True
