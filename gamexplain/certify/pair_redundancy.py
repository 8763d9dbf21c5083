"""Independent re-checks of the redundancy proofs of models with pair terms.

``pair-moves`` (regression) and ``pair-boxes`` (classification, :func:`boxes_hold`).

The proof carries no data: this module re-derives, with its own code, that no change of
feature i alone moves the score by more than δ. It splits feature i's domain at its
breakpoints and at the edges of its pair terms, and each partner's domain at the edges
of the pair terms it shares with i, takes one value of each piece (on a step function
every value of a piece moves the score alike), and bounds every move

    a_i(v) − a_i(w) + Σ_j max_z Σ [g_ij(v, z) − g_ij(w, z)]

in floats with a rigorous error allowance; the moves the floats leave within that
allowance of δ are computed exactly. It shares no code with
:mod:`gamexplain.algorithms.pair_fr`.

A ``boxes`` proof is a tree: each split cuts a box of the other features in two along
one of them (never i), and each leaf claims that on its box the score stays in class 0
(``low``), in class 1 (``high``), or that i cannot move it (``flat``). The checker starts
from the whole domain and derives every leaf's box from the splits above it; the two
halves of a split hold its box wherever it cuts, so the leaves cover every point. It
cuts each feature at its breakpoints and every pair edge on it, and bounds the score over
a box by adding each term's extreme over the box (feature i's own terms summed per value
of i), in floats with a stated rounding bound and else in Fractions; a ``flat`` leaf is
the largest-move bound above with δ = 0, the partners restricted to the box. It shares no
code with :mod:`gamexplain.algorithms.pair_fr_boxes`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from gamexplain.certify import CertificateError, check_size, contribution, exact_number

__all__ = ["BoxLeaf", "BoxNode", "BoxSplit", "boxes_hold", "no_move_exceeds"]

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
    moves = _move_tables(model, i)
    if moves is None:
        return False  # not a step function: the proof's argument does not apply
    main, partners = moves
    tables = [table for _, _, table in partners]
    return _all_within(main, tables, Fraction(exact_number(model.task.tolerance)))


def _step(feature: Any) -> bool:
    """Whether the feature is finite or a step function (its values fall into parts)."""
    shape = feature.shape
    return feature.domain.kind == "finite" or (
        type(shape).__name__ == "Piecewise" and all(len(c) == 1 for c in shape.coefficients)
    )


Partner = tuple[int, list[Any], list[list[Fraction]]]


def _move_tables(model: Any, i: int) -> tuple[list[Fraction], list[Partner]] | None:
    """Feature i's main effect at one value per part of its domain, and per partner j the
    values z of j's parts and the table T[s][z] of the pair terms on (i, j) summed; None
    when feature i is not a step function."""
    chosen = model.features[i]
    if not _step(chosen):
        return None
    partners: dict[int, list[tuple[Any, int]]] = {}
    own_cuts: set[Fraction] = set()
    if chosen.domain.kind != "finite":
        own_cuts |= {Fraction(b) for b in chosen.shape.breakpoints}
    for pair in model.pairs:
        if i in pair.features:
            axis = pair.features.index(i)
            partners.setdefault(pair.features[1 - axis], []).append((pair, axis))
            own_cuts |= _cuts(pair, axis)
    own = _values(chosen, own_cuts)
    check_size(len(own) ** 2, "the pairs of values of the feature")
    main = [Fraction(exact_number(contribution(model, i, v))) for v in own]
    found: list[Partner] = []
    for j, terms in partners.items():
        zs = _values(model.features[j], set().union(*(_cuts(p, 1 - a) for p, a in terms)))
        table = [[Fraction(0)] * len(zs) for _ in own]
        for pair, axis in terms:
            cols = _cells(pair, 1 - axis, model, zs)
            for s, r in enumerate(_cells(pair, axis, model, own)):
                for z, c in enumerate(cols):
                    table[s][z] += Fraction(pair.values[r][c] if axis == 0 else pair.values[c][r])
        found.append((j, zs, table))
    return main, found


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


# -- box proofs (classification) -------------------------------------------------------------
@dataclass(frozen=True)
class BoxLeaf:
    """A box on which feature i cannot change the class: every score there is in class 0
    (``low``), or in class 1 (``high``), or no value of i moves the score (``flat``)."""

    kind: Literal["low", "high", "flat"]


@dataclass(frozen=True)
class BoxSplit:
    """A box cut in two along ``feature`` (never the asked one): ``below`` holds its values
    under ``at`` (in a finite domain, the positions before ``at``), ``above`` the rest."""

    feature: int
    at: Any
    below: BoxLeaf | BoxSplit
    above: BoxLeaf | BoxSplit


BoxNode = BoxLeaf | BoxSplit

# per feature, positions [a, b) of a finite domain or values (low, high, high included)
_Side = tuple[Any, ...]


def boxes_hold(model: Any, i: int, tree: Any) -> bool:
    """Whether the tree's leaves cover the other features' domains and each leaf holds.

    The root is the whole domain; a split's two halves together hold its box whatever
    ``at`` is, so the leaves cover every point. Each leaf's claim is re-derived from the
    model's raw data on its box.
    """
    if model.task.kind != "classification" or not all(_step(f) for f in model.features):
        return False
    bounds = _Bounds(model, i)
    stack: list[tuple[Any, list[_Side]]] = [(tree, [_whole(f) for f in model.features])]
    count = 0
    while stack:
        node, box = stack.pop()
        count += 1
        check_size(count, "the boxes of the proof")
        if isinstance(node, BoxSplit):
            j = node.feature
            if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < len(box) or j == i:
                return False
            below, above = _halves(model.features[j], box[j], node.at)
            stack.append((node.below, [below if k == j else s for k, s in enumerate(box)]))
            stack.append((node.above, [above if k == j else s for k, s in enumerate(box)]))
        elif not (isinstance(node, BoxLeaf) and bounds.holds(node.kind, box)):
            return False
    return True


def _whole(feature: Any) -> _Side:
    domain = feature.domain
    if domain.kind == "finite":
        return (0, len(domain.values))
    return (Fraction(domain.low), Fraction(domain.high), True)


def _halves(feature: Any, side: _Side, at: Any) -> tuple[_Side, _Side]:
    if isinstance(at, bool) or not isinstance(at, int | float | Fraction):
        raise CertificateError(f"a split of feature {feature.name!r} at {at!r}")
    if feature.domain.kind == "finite":
        if not isinstance(at, int):
            raise CertificateError(f"a split of finite feature {feature.name!r} at {at!r}")
        return (side[0], at), (at, side[1])
    cut = Fraction(at)
    return (side[0], cut, False), (cut, side[1], side[2])


def _meeting(feature: Any, starts: Sequence[Any], side: _Side) -> range:
    """The parts (starting at ``starts``, sorted) of the feature's domain that meet the
    box's side: parts [s_k, s_(k+1)), the last closed at the domain's high end."""
    domain = feature.domain
    if domain.kind == "finite":
        return range(max(side[0], 0), min(side[1], len(starts)))
    low, high, closed = side
    if domain.kind == "integers":
        first = max(math.ceil(low), domain.low)
        last = min(math.floor(high) if closed else math.ceil(high) - 1, domain.high)
        if first > last:
            return range(0)
        return range(bisect.bisect_right(starts, first) - 1, bisect.bisect_right(starts, last))
    low = max(low, Fraction(domain.low))
    if high > Fraction(domain.high):
        high, closed = Fraction(domain.high), True
    if low > high or (low == high and not closed):
        return range(0)
    end = bisect.bisect_right(starts, high) if closed else bisect.bisect_left(starts, high)
    return range(bisect.bisect_right(starts, low) - 1, end)


class _Bounds:
    """Each feature's parts (its breakpoints and every pair edge on it), their main
    effects, and each pair term's bins at them: the data every leaf is checked on."""

    def __init__(self, model: Any, i: int) -> None:
        self.model, self.i = model, i
        self.starts: list[list[Any]] = []
        self.ready = False
        self.moves: tuple[list[Fraction], list[Partner]] | None = None
        self.moves_read = False

    def _prepare(self) -> None:
        """Read the model's parts and tables once, when the first leaf needs them (a
        ``flat`` leaf reads only feature i's move tables)."""
        model, self.ready = self.model, True
        self.main = []
        for j, feature in enumerate(model.features):
            cuts: set[Fraction] = set()
            if feature.domain.kind != "finite":
                cuts |= {Fraction(b) for b in feature.shape.breakpoints}
            for pair in model.pairs:
                for axis, k in enumerate(pair.features):
                    cuts |= _cuts(pair, axis) if k == j else set()
            starts = _values(feature, cuts)
            check_size(len(starts), f"the parts of feature {feature.name!r}")
            self.starts.append(starts)
            self.main.append([Fraction(exact_number(contribution(model, j, v))) for v in starts])
        self.pairs = []
        for pair in model.pairs:
            bins = [_cells(pair, a, model, self.starts[k]) for a, k in enumerate(pair.features)]
            table = [[Fraction(v) for v in row] for row in pair.values]
            self.pairs.append((pair.features, bins, table))
        self.threshold = Fraction(exact_number(model.task.threshold))
        self.floats = [np.array([float(v) for v in main]) for main in self.main]
        self.float_pairs = [
            (scope, [np.array(b, dtype=np.intp) for b in bins], np.array(table, dtype=float))
            for scope, bins, table in self.pairs
        ]

    def holds(self, kind: str, box: Sequence[_Side]) -> bool:
        if kind == "flat":
            return self._flat(box)
        if kind not in ("low", "high"):
            return False
        if not self.ready:
            self._prepare()
        parts = [_meeting(f, s, b) for f, s, b in zip(self.model.features, self.starts, box,
                                                      strict=True)]  # fmt: skip
        parts[self.i] = range(len(self.starts[self.i]))
        if any(len(p) == 0 for p in parts):
            return True  # an empty box holds no point
        sign = 1 if kind == "low" else -1
        rough, slack = self._rough(parts, sign)
        edge = float(self.threshold)
        if (rough + slack < edge) if kind == "low" else (rough - slack > edge):
            return True  # decided beyond every rounding the floats can hold
        value = self._extreme(parts, sign)
        return label_of(value, self.model.task.positive, self.threshold) == (kind == "high")

    def _rough(self, parts: Sequence[range], sign: int) -> tuple[float, float]:
        """:meth:`_extreme` in floats, and a bound on how far it can be from the exact one.

        Each stored float is its number rounded (relative error u = 2^-53); rounding is
        monotone, so a max or min of them is the rounded max or min; the K additions
        (K ≤ n + |pairs| + 2 per value of i) add at most γ_K of the summed magnitudes, and
        the threshold's float one more u. Four times (K + 4)·u of the magnitudes, the
        threshold's included, covers all of it."""
        pick = np.max if sign == 1 else np.min
        i, floats = self.i, self.floats
        total = float(self.model.intercept)
        size = abs(total)
        for j, part in enumerate(parts):
            if j != i:
                value = float(pick(floats[j][part.start : part.stop]))
                total, size = total + value, size + abs(value)
        own, own_size = floats[i].copy(), np.abs(floats[i])
        for (a, b), bins, table in self.float_pairs:
            rows = np.unique(bins[0][parts[a].start : parts[a].stop])
            cols = np.unique(bins[1][parts[b].start : parts[b].stop])
            if i == a:
                best = pick(table[:, cols], axis=1)[bins[0]]
            elif i == b:
                best = pick(table[rows, :], axis=0)[bins[1]]
            else:
                value = float(pick(table[np.ix_(rows, cols)]))
                total, size = total + value, size + abs(value)
                continue
            own, own_size = own + best, own_size + np.abs(best)
        size += float(np.max(own_size)) + abs(float(self.threshold))
        terms = len(parts) + len(self.float_pairs) + 4
        return total + float(pick(own)), 4 * terms * 2.0**-53 * size + 2.0**-1000

    def _extreme(self, parts: Sequence[range], sign: int) -> Fraction:
        """The largest (sign 1) or least (sign −1) score over the box, bounded term by term
        apart from feature i's own terms, whose sum is bounded per value of i."""
        pick = max if sign == 1 else min
        i = self.i
        total = Fraction(self.model.intercept)
        for j, part in enumerate(parts):
            if j != i:
                total += pick(self.main[j][k] for k in part)
        own = list(self.main[i])
        for (a, b), bins, table in self.pairs:
            rows = {bins[0][k] for k in parts[a]}
            cols = {bins[1][k] for k in parts[b]}
            if i == a:
                best = {r: pick(table[r][c] for c in cols) for r in rows}
                own = [o + best[bins[0][k]] for k, o in enumerate(own)]
            elif i == b:
                best = {c: pick(table[r][c] for r in rows) for c in cols}
                own = [o + best[bins[1][k]] for k, o in enumerate(own)]
            else:
                check_size(len(rows) * len(cols), "a pair table's cells in a box")
                total += pick(table[r][c] for r in rows for c in cols)
        return total + pick(own)

    def _flat(self, box: Sequence[_Side]) -> bool:
        """No change of feature i moves the score anywhere in the box: the largest move
        over the partners' parts inside it is at most 0."""
        if not self.moves_read:
            self.moves, self.moves_read = _move_tables(self.model, self.i), True
        if self.moves is None:
            return False
        main, partners = self.moves
        tables = []
        for j, zs, table in partners:
            cols = list(_meeting(self.model.features[j], zs, box[j]))
            if not cols:
                return True  # an empty box holds no point
            tables.append([[row[z] for z in cols] for row in table])
        # values of i with the same main effect and rows move nothing between them
        distinct = list({(main[s], tuple(tuple(t[s]) for t in tables)) for s in range(len(main))})
        rows = [[list(rest[p]) for _, rest in distinct] for p in range(len(tables))]
        return _all_within([m for m, _ in distinct], rows, Fraction(0))


def label_of(value: Fraction, positive: str, threshold: Fraction) -> bool:
    """Whether a score is in class 1 under the tie rule."""
    return value >= threshold if positive == ">=" else value > threshold
