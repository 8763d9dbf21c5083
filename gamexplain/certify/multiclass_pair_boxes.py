"""Independent re-check of the box proofs of multiclass redundancy with pair terms.

A proof that feature i of a multiclass model with pair terms never changes the argmax is
a tree: each split cuts a box of the other features in two along one of them (never i),
and each leaf names, on its box, the classes that may still win (``winners``) and, for
every other class d, a class b that beats d at every point of the box whatever the value
of i (``beaten``: pairs (d, b)). The leaf holds when

- every claim (d, b) holds: a lower bound of the margin S_b − S_d over the box and every
  value of i is > 0, or ≥ 0 when b < d (a tie goes to the lower index, so d loses it);
- for every two winners c, e the margin S_c − S_e does not depend on i anywhere in the
  box (the largest move of the margin by a change of i alone, over the partners' parts
  in the box, is at most 0 in both directions).

Then at every point of the box the argmax is a winner, and which winner it is does not
depend on i. The lower bound adds, per term, the least difference of the two classes'
values over the box (the differences are taken before the minimum, cell by cell), and
keeps feature i's own terms together per value of i; it is computed in floats with a
stated rounding bound and, when that leaves the sign open, in Fractions.

The checker starts from the whole domain and derives every leaf's box from the splits
above it (:mod:`gamexplain.certify.pair_redundancy`'s halves and parts), so the leaves
cover every point. Each feature's parts come from every class's breakpoints and the edges
of the shared pair terms, and each part's K contributions from
:func:`gamexplain.certify.contribution`. It shares no code with
:mod:`gamexplain.algorithms.multiclass_pair_boxes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify import check_size, contribution, exact_number
from gamexplain.certify.pair_redundancy import (
    _all_within,
    _cells,
    _cuts,
    _halves,
    _meeting,
    _step,
    _values,
    _whole,
)

__all__ = ["ClassLeaf", "ClassNode", "ClassSplit", "class_boxes_hold"]

_UNIT = 2.0**-53


@dataclass(frozen=True)
class ClassLeaf:
    """A box on which the asked feature cannot change the argmax: only ``winners`` can
    win there, every other class d is beaten everywhere by the class b of its entry
    (d, b) in ``beaten``, and no two winners' margin depends on the feature."""

    winners: tuple[int, ...]
    beaten: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ClassSplit:
    """A box cut in two along ``feature`` (never the asked one): ``below`` holds its values
    under ``at`` (in a finite domain, the positions before ``at``), ``above`` the rest."""

    feature: int
    at: Any
    below: ClassLeaf | ClassSplit
    above: ClassLeaf | ClassSplit


ClassNode = ClassLeaf | ClassSplit


def class_boxes_hold(gam: Any, i: int, tree: Any) -> bool:
    """Whether the tree's leaves cover the other features' domains and each leaf holds."""
    if gam.task.kind != "multiclass" or not all(_step(f) for m in gam.scores
                                                 for f in m.features):  # fmt: skip
        return False
    data = _Data(gam, i)
    features = gam.scores[0].features
    stack: list[tuple[Any, list[Any]]] = [(tree, [_whole(f) for f in features])]
    count = 0
    while stack:
        node, box = stack.pop()
        count += 1
        check_size(count, "the boxes of the proof")
        if isinstance(node, ClassSplit):
            j = node.feature
            if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < len(box) or j == i:
                return False
            below, above = _halves(features[j], box[j], node.at)
            stack.append((node.below, [below if k == j else s for k, s in enumerate(box)]))
            stack.append((node.above, [above if k == j else s for k, s in enumerate(box)]))
        elif not (isinstance(node, ClassLeaf) and data.holds(node, box)):
            return False
    return True


class _Data:
    """Each feature's parts and their K contributions, each pair term's K tables and its
    bins at the parts, in Fractions and in floats; feature i's move tables per class."""

    def __init__(self, gam: Any, i: int) -> None:
        self.gam, self.i, self.k = gam, i, gam.n_classes
        self.features = gam.scores[0].features
        self.ready = False
        self.moves: tuple[list[list[Fraction]], list[tuple[int, list[Any], Any]]] | None = None

    def _prepare(self) -> None:
        gam, self.ready = self.gam, True
        self.starts: list[list[Any]] = []
        self.main: list[list[list[Fraction]]] = []
        for j, feature in enumerate(self.features):
            cuts: set[Fraction] = set()
            if feature.domain.kind != "finite":
                for model in gam.scores:
                    cuts |= {Fraction(b) for b in model.features[j].shape.breakpoints}
            for pair in gam.pairs:
                for axis, k in enumerate(pair.features):
                    cuts |= _cuts(pair, axis) if k == j else set()
            starts = _values(feature, cuts)
            check_size(len(starts) * self.k, f"the parts of feature {feature.name!r}")
            self.starts.append(starts)
            self.main.append([[Fraction(exact_number(contribution(m, j, v))) for m in gam.scores]
                              for v in starts])  # fmt: skip
        self.pairs = []
        for p, pair in enumerate(gam.pairs):
            bins = [_cells(pair, a, gam.scores[0], self.starts[k])
                    for a, k in enumerate(pair.features)]  # fmt: skip
            rows, cols = len(pair.values), len(pair.values[0])
            table = [[[Fraction(m.pairs[p].values[r][c]) for m in gam.scores]
                      for c in range(cols)] for r in range(rows)]  # fmt: skip
            self.pairs.append((pair.features, bins, table))
        self.beta = [Fraction(exact_number(m.intercept)) for m in gam.scores]
        self.floats = [np.array(main, dtype=float) for main in self.main]
        self.float_pairs = [(scope, [np.array(b, dtype=np.intp) for b in bins],
                             np.array(table, dtype=float))
                            for scope, bins, table in self.pairs]  # fmt: skip
        magnitude = float(np.max(np.abs(np.array(self.beta, dtype=float))))
        magnitude += sum(float(np.max(np.abs(f), initial=0.0)) for f in self.floats)
        magnitude += sum(float(np.max(np.abs(t), initial=0.0)) for _, _, t in self.float_pairs)
        terms = len(self.floats) + len(self.float_pairs) + 4
        # every float term is a difference of two stored numbers, each within u of its
        # value (relative), so within 3u·2M of the exact difference; a least one is within
        # that of the exact least; summing `terms` of them adds at most terms·u of 2M each
        self.slack = 8 * terms * _UNIT * 2 * magnitude + 2.0**-1000

    def holds(self, leaf: ClassLeaf, box: Sequence[Any]) -> bool:
        winners, beaten = leaf.winners, leaf.beaten
        k = self.k
        named = list(winners) + [d for d, _ in beaten]
        if any(isinstance(c, bool) or not isinstance(c, int)
               for c in named + [b for _, b in beaten]):  # fmt: skip
            return False
        if sorted(named) != list(range(k)) or any(not 0 <= b < k or b == d for d, b in beaten):
            return False
        if not beaten:  # the flat claims read only feature i's move tables
            return all(self._flat(box, c, e) for c in winners for e in winners if c < e)
        if not self.ready:
            self._prepare()
        parts = [_meeting(f, s, b) for f, s, b in zip(self.features, self.starts, box,
                                                      strict=True)]  # fmt: skip
        parts[self.i] = range(len(self.starts[self.i]))
        if any(len(p) == 0 for p in parts):
            return True  # an empty box holds no point
        for d, b in beaten:
            if not self._beats(parts, b, d):
                return False
        return all(self._flat(box, c, e) for c in winners for e in winners if c < e)

    def _beats(self, parts: Sequence[range], b: int, d: int) -> bool:
        rough = self._least_float(parts, b, d)
        if rough - self.slack > 0:
            return True  # decided beyond every rounding the floats can hold
        if rough + self.slack < 0:
            return False
        least = self._least(parts, b, d)
        return least > 0 or (least == 0 and b < d)

    def _least_float(self, parts: Sequence[range], b: int, d: int) -> float:
        i = self.i
        total = float(self.beta[b] - self.beta[d])
        for j, part in enumerate(parts):
            if j != i:
                sub = self.floats[j][part.start : part.stop]
                total += float(np.min(sub[:, b] - sub[:, d]))
        own = self.floats[i][:, b] - self.floats[i][:, d]
        for (a0, a1), bins, table in self.float_pairs:
            diff = table[:, :, b] - table[:, :, d]
            rows = np.unique(bins[0][parts[a0].start : parts[a0].stop])
            cols = np.unique(bins[1][parts[a1].start : parts[a1].stop])
            if a0 == i:
                own = own + np.min(diff[:, cols], axis=1)[bins[0]]
            elif a1 == i:
                own = own + np.min(diff[rows, :], axis=0)[bins[1]]
            else:
                total += float(np.min(diff[np.ix_(rows, cols)]))
        return total + float(np.min(own))

    def _least(self, parts: Sequence[range], b: int, d: int) -> Fraction:
        """The least margin S_b − S_d over the box in Fractions, bounded term by term
        apart from feature i's own terms, whose sum is bounded per value of i."""
        i = self.i
        total = self.beta[b] - self.beta[d]
        for j, part in enumerate(parts):
            if j != i:
                total += min(self.main[j][k][b] - self.main[j][k][d] for k in part)
        own = [m[b] - m[d] for m in self.main[i]]
        for (a0, a1), bins, table in self.pairs:
            rows = {bins[0][k] for k in parts[a0]}
            cols = {bins[1][k] for k in parts[a1]}
            if a0 == i:
                best = {r: min(table[r][c][b] - table[r][c][d] for c in cols) for r in rows}
                own = [o + best[bins[0][k]] for k, o in enumerate(own)]
            elif a1 == i:
                best = {c: min(table[r][c][b] - table[r][c][d] for r in rows) for c in cols}
                own = [o + best[bins[1][k]] for k, o in enumerate(own)]
            else:
                check_size(len(rows) * len(cols), "a pair table's cells in a box")
                total += min(table[r][c][b] - table[r][c][d] for r in rows for c in cols)
        return total + min(own)

    def _flat(self, box: Sequence[Any], c: int, e: int) -> bool:
        """No change of i moves the margin S_c − S_e anywhere in the box."""
        if self.moves is None:
            self.moves = self._move_tables()
        main, partners = self.moves
        tables = []
        for j, zs, table in partners:
            cols = list(_meeting(self.features[j], zs, box[j]))
            if not cols:
                return True  # an empty box holds no point
            tables.append([[row[z][c] - row[z][e] for z in cols] for row in table])
        margin = [m[c] - m[e] for m in main]
        # values of i with the same margin and rows move nothing between them
        distinct = list({(margin[s], tuple(tuple(t[s]) for t in tables))
                         for s in range(len(margin))})  # fmt: skip
        rows = [[list(rest[p]) for _, rest in distinct] for p in range(len(tables))]
        return _all_within([m for m, _ in distinct], rows, Fraction(0))

    def _move_tables(self) -> tuple[list[list[Fraction]], list[tuple[int, list[Any], Any]]]:
        """Feature i's K contributions at one value per part of its domain (every class's
        breakpoints and i's pair edges), and per partner j the values of j's parts and the
        K-vectors T[s][z] of the pair terms on (i, j) summed."""
        gam, i = self.gam, self.i
        chosen = self.features[i]
        partners: dict[int, list[tuple[int, Any, int]]] = {}
        own_cuts: set[Fraction] = set()
        if chosen.domain.kind != "finite":
            for model in gam.scores:
                own_cuts |= {Fraction(b) for b in model.features[i].shape.breakpoints}
        for p, pair in enumerate(gam.pairs):
            if i in pair.features:
                axis = pair.features.index(i)
                partners.setdefault(pair.features[1 - axis], []).append((p, pair, axis))
                own_cuts |= _cuts(pair, axis)
        own = _values(chosen, own_cuts)
        check_size(len(own) ** 2, "the pairs of values of the feature")
        main = [[Fraction(exact_number(contribution(m, i, v))) for m in gam.scores] for v in own]
        found = []
        for j, terms in partners.items():
            zs = _values(self.features[j], set().union(*(_cuts(q, 1 - a) for _, q, a in terms)))
            table = [[[Fraction(0)] * self.k for _ in zs] for _ in own]
            for p, pair, axis in terms:
                cols = _cells(pair, 1 - axis, gam.scores[0], zs)
                for s, r in enumerate(_cells(pair, axis, gam.scores[0], own)):
                    for z, col in enumerate(cols):
                        for c, m in enumerate(gam.scores):
                            values = m.pairs[p].values
                            cell = values[r][col] if axis == 0 else values[col][r]
                            table[s][z][c] += Fraction(cell)
            found.append((j, zs, table))
        return main, found
