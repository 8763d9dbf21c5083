"""Independent re-check of the exact multiclass redundancy proofs on linear pieces.

For a multiclass model without pair terms whose features are finite or piecewise linear
on real intervals, feature j is redundant iff for every pair of classes c < e no choice
of values z of the other features and v, w of j makes c win at (z, v) and e at (z, w).
The proof is, per pair, a tree over the groups (the other features in model order, then
j for the first point, then j for the second): a node of depth g has one child per part
of group g's feature — the values of a finite domain, or the pieces [t_k, t_(k+1)) of an
interval cut at every class's breakpoints (the last one closed) — and a child is

- a :class:`LinePruned` leaf naming a constraint k whose largest value over the node is
  below 0 (or at most 0 when strict): the parts chosen above contribute their supremum
  over the part, every later group the largest supremum over its parts;
- a :class:`LineFarkas` leaf (every group chosen): multipliers λ ≥ 0 over the system's
  inequalities (the 2(K − 1) margin constraints, then per group with a piece its lower
  and upper bound) whose weighed sum has every variable's coefficient 0 and a constant
  below 0, or equal to 0 with a strict inequality weighed: no point meets them all;
- a :class:`LineNode` for the next group.

The checker derives every part and its K contributions (the value at the part's low end
and the slope, after checking that the contribution is a line on the part: four points
of it on one line rule out degree 2 and 3) from :func:`gamexplain.certify.contribution`;
it shares no code with :mod:`gamexplain.algorithms.multiclass_lines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.certify import check_size, contribution, exact_number

__all__ = ["LineFarkas", "LineNode", "LinePruned", "Part", "line_parts", "lines_refute"]


@dataclass(frozen=True)
class LinePruned:
    """No pick below this node meets constraint ``constraint``."""

    constraint: int


@dataclass(frozen=True)
class LineFarkas:
    """Multipliers refuting the linear system of one full pick."""

    multipliers: tuple[Fraction, ...]


@dataclass(frozen=True)
class LineNode:
    """One child per part of the next group's feature, in the parts' order."""

    children: tuple[LineNode | LinePruned | LineFarkas, ...]


@dataclass(frozen=True)
class Part:
    """Values low..high of a feature (high included when ``closed``) on which each class
    contributes base[c] + slope[c]·(x − low)."""

    low: Any
    high: Any
    closed: bool
    base: tuple[Fraction, ...]
    slope: tuple[Fraction, ...]

    @property
    def width(self) -> Fraction:
        return Fraction(0) if self.low == self.high else Fraction(self.high) - Fraction(self.low)


def _values(gam: Any, i: int, x: Any) -> tuple[Fraction, ...]:
    out = []
    for model in gam.scores:
        number = exact_number(contribution(model, i, x))
        if not isinstance(number, Fraction):
            raise ValueError("an irrational contribution")
        out.append(number)
    return tuple(out)


def line_parts(gam: Any, i: int) -> list[Part] | None:
    """Feature i's parts, or None when some class's contribution is not a line on one."""
    feature = gam.scores[0].features[i]
    domain = feature.domain
    zero = tuple(Fraction(0) for _ in gam.scores)
    if domain.kind == "finite":
        return [Part(v, v, True, _values(gam, i, v), zero) for v in domain.values]
    if domain.kind != "interval":
        return None
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = {low}
    for model in gam.scores:
        shape = model.features[i].shape
        if type(shape).__name__ != "Piecewise":
            return None
        cuts |= {Fraction(b) for b in shape.breakpoints if low < Fraction(b) < high}
    starts = sorted(cuts)
    check_size(len(starts), f"the pieces of feature {feature.name!r}")
    parts = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else high
        part = _line(gam, i, start, end, k + 1 == len(starts))
        if part is None:
            return None
        parts.append(part)
    return parts


def _line(gam: Any, i: int, low: Fraction, high: Fraction, closed: bool) -> Part | None:
    base = _values(gam, i, low)
    if high == low:
        return Part(low, high, True, base, tuple(Fraction(0) for _ in base))
    # four points of the open part: a polynomial of degree at most 3 through them on one
    # line is that line
    points = [low + (high - low) * Fraction(q, 5) for q in (1, 2, 3, 4)]
    values = [_values(gam, i, x) for x in points]
    slope = tuple((b - a) / (points[1] - points[0]) for a, b in zip(values[0], values[1],
                                                                    strict=True))  # fmt: skip
    for x, vec in zip(points, values, strict=True):
        if any(v != values[0][c] + slope[c] * (x - points[0]) for c, v in enumerate(vec)):
            return None
    start = tuple(values[0][c] - slope[c] * (points[0] - low) for c in range(len(base)))
    if start != base:
        return None  # the part's low end belongs to the line (right-continuous pieces)
    return Part(low, high, closed, base, slope)


def _lift(vec: Sequence[Fraction], c: int, e: int, block: str, k: int) -> list[Fraction]:
    """The 2(K − 1) constraint entries of a contribution vector: c beats d (first point),
    then e beats d (second); ``block`` keeps both, or only ``first`` or ``second``."""
    first = [vec[c] - vec[d] for d in range(k) if d != c]
    second = [vec[e] - vec[d] for d in range(k) if d != e]
    zeros = [Fraction(0)] * (k - 1)
    return (first if block != "second" else zeros) + (second if block != "first" else zeros)


class _PairSystem:
    """The pair (c, e)'s groups, each part's constant and slope per constraint."""

    def __init__(self, gam: Any, j: int, c: int, e: int, parts: list[list[Part]]) -> None:
        k = gam.n_classes
        order = [i for i in range(gam.n_features) if i != j] + [j, j]
        blocks = ["both"] * (len(order) - 2) + ["first", "second"]
        self.groups = []
        for i, block in zip(order, blocks, strict=True):
            self.groups.append([(_lift(p.base, c, e, block, k), _lift(p.slope, c, e, block, k),
                                 p) for p in parts[i]])  # fmt: skip
        beta = tuple(Fraction(exact_number(m.intercept)) for m in gam.scores)
        self.constant = _lift(beta, c, e, "both", k)
        self.strict = [d < c for d in range(k) if d != c] + [d < e for d in range(k) if d != e]
        self.best = [[max(_sup(const, slope, part, r) for const, slope, part in group)
                      for r in range(len(self.constant))] for group in self.groups]  # fmt: skip


def _sup(const: Sequence[Fraction], slope: Sequence[Fraction], part: Part, r: int) -> Fraction:
    return const[r] + max(Fraction(0), slope[r] * part.width)


def lines_refute(gam: Any, j: int, c: int, e: int, tree: Any) -> bool:
    """Whether ``tree`` refutes the pair (c, e) for feature j."""
    parts = []
    for i in range(gam.n_features):
        found = line_parts(gam, i)
        if found is None:
            return False
        parts.append(found)
    system = _PairSystem(gam, j, c, e, parts)
    stack: list[tuple[Any, list[int]]] = [(tree, [])]
    count = 0
    while stack:
        node, picked = stack.pop()
        count += 1
        check_size(count, "the nodes of a line refutation")
        depth = len(picked)
        if isinstance(node, LineNode):
            if depth >= len(system.groups) or len(node.children) != len(system.groups[depth]):
                return False
            stack.extend((child, [*picked, p]) for p, child in enumerate(node.children))
        elif isinstance(node, LinePruned):
            if not _pruned(system, picked, node.constraint):
                return False
        elif not (isinstance(node, LineFarkas) and depth == len(system.groups)
                  and _farkas(system, picked, node.multipliers)):  # fmt: skip
            return False
    return True


def _pruned(system: _PairSystem, picked: Sequence[int], r: Any) -> bool:
    if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < len(system.constant):
        return False
    total = system.constant[r]
    for g, group in enumerate(system.groups):
        if g < len(picked):
            const, slope, part = group[picked[g]]
            total += _sup(const, slope, part, r)
        else:
            total += system.best[g][r]
    return total <= 0 if system.strict[r] else total < 0


def _farkas(system: _PairSystem, picked: Sequence[int], multipliers: Any) -> bool:
    """Σ λ·(inequality) has no variable left and a constant that no point can meet."""
    groups = [group[p] for group, p in zip(system.groups, picked, strict=True)]
    n_margins = len(system.constant)
    if len(multipliers) != n_margins + 2 * len(groups):
        return False
    lam = [Fraction(v) for v in multipliers]
    if any(v < 0 for v in lam) or not any(lam):
        return False
    constant = sum((lam[r] * (system.constant[r] + sum(g[0][r] for g in groups))
                    for r in range(n_margins)), Fraction(0))  # fmt: skip
    strict = any(lam[r] > 0 and system.strict[r] for r in range(n_margins))
    for g, (_, slope, part) in enumerate(groups):
        lower, upper = lam[n_margins + 2 * g], lam[n_margins + 2 * g + 1]
        # the variable s_g ∈ [0, width], its upper end open unless the part is closed
        coefficient = sum((lam[r] * slope[r] for r in range(n_margins)), Fraction(0))
        if coefficient + lower - upper != 0:
            return False
        constant += upper * part.width
        strict |= upper > 0 and not part.closed
    return constant < 0 or (constant == 0 and strict)
