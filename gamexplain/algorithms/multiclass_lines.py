"""Exact multiclass redundancy on linear pieces over real intervals.

Feature j of a multiclass model without pair terms is redundant iff for every pair of
classes c < e no values z of the other features and v, w of j make c win at (z, v) and
e at (z, w) (thm:multiclass-fr). When every feature is finite or piecewise linear on a
real interval, choosing one *part* per group (the other features, then j twice) — a value
of a finite domain, or a piece between consecutive breakpoints of any class — leaves a
system of 2(K − 1) linear inequalities in one variable per group, the position s_g in
its piece (0 ≤ s_g ≤ width, the upper end strict unless the piece is closed). The
question is whether some choice of parts has a feasible system.

A witness search over a few values per piece (``multiclass-line-search``) runs first.
The exact search is depth first over the groups' parts. A node is pruned when some constraint
cannot be met even with every part's supremum on it (the parts chosen, and the best part
of every later group); a full choice is decided exactly by Fourier–Motzkin elimination
that keeps, for every derived inequality, its nonnegative multipliers over the original
ones: a contradiction comes with a Farkas certificate, a feasible system with a rational
point, which is a witness. The tree of prunings and certificates is re-checked by
:mod:`gamexplain.certify.multiclass_lines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.algorithms.multiclass_choice import FrOutcome, feature_options
from gamexplain.algorithms.multiclass_line_search import fr_multiclass_lines
from gamexplain.certify.multiclass_lines import LineFarkas, LineNode, LinePruned
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import UnsupportedQueryError
from gamexplain.substrate import deadline
from gamexplain.substrate.linear_systems import choose_value
from gamexplain.substrate.pieces import Segment, lower

__all__ = ["fr_multiclass_lines_exact", "lines_exact_applies"]

MAX_INEQUALITIES = 4_000
"""Inequalities one elimination step may hold; past it the run stops undecided."""


class _Exhausted(Exception):
    pass


class _Found(Exception):
    def __init__(self, witness: Any) -> None:
        super().__init__()
        self.witness = witness


def lines_exact_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a multiclass model without pair terms whose features are finite or
    piecewise linear on real intervals, some of them not steps."""
    if gam.pairs:
        return "the model has pair terms"
    continuous = False
    for i, feature in enumerate(gam.scores[0].features):
        if feature.domain.kind == "finite":
            continue
        if feature.domain.kind != "interval":
            return f"feature {feature.name!r} is on integers"
        for model in gam.scores:
            if type(model.features[i].shape).__name__ != "Piecewise":
                return f"feature {feature.name!r} is not piecewise"
            pieces = lower(model.features[i])
            if any(isinstance(s, Segment) and s.degree > 1 for s in pieces):
                return f"feature {feature.name!r} has a piece of degree above 1"
        try:
            feature_options(gam, i)
        except UnsupportedQueryError:
            continuous = True
    return None if continuous else "every feature has finitely many options (class-pairs)"


@dataclass(frozen=True)
class _Part:
    low: Any
    width: Fraction
    closed: bool
    base: tuple[Fraction, ...]
    slope: tuple[Fraction, ...]


def _parts(gam: Any, i: int) -> list[_Part]:
    """Feature i's parts in the checker's order: a finite domain's values; an interval
    cut at every class's breakpoints inside it, the last piece closed."""
    feature = gam.scores[0].features[i]
    domain = feature.domain
    k = len(gam.scores)
    if domain.kind == "finite":
        return [_Part(v, Fraction(0), True, _at(gam, i, v), (Fraction(0),) * k)
                for v in domain.values]  # fmt: skip
    low, high = Fraction(domain.low), Fraction(domain.high)
    cuts = sorted({low} | {Fraction(b) for m in gam.scores
                           for b in m.features[i].shape.breakpoints if low < Fraction(b) < high})
    out = []
    for n, start in enumerate(cuts):
        end = cuts[n + 1] if n + 1 < len(cuts) else high
        base = _at(gam, i, start)
        if end == start:
            out.append(_Part(start, Fraction(0), True, base, (Fraction(0),) * k))
            continue
        middle = _at(gam, i, (start + end) / 2)
        slope = tuple((m - b) * 2 / (end - start) for m, b in zip(middle, base, strict=True))
        out.append(_Part(start, end - start, n + 1 == len(cuts), base, slope))
    return out


def _at(gam: Any, i: int, x: Any) -> tuple[Fraction, ...]:
    return tuple(Fraction(m.features[i].contribution_exact(x)) for m in gam.scores)


def _lift(vec: Sequence[Fraction], c: int, e: int, block: str, k: int) -> list[Fraction]:
    first = [vec[c] - vec[d] for d in range(k) if d != c]
    second = [vec[e] - vec[d] for d in range(k) if d != e]
    zeros = [Fraction(0)] * (k - 1)
    return (first if block != "second" else zeros) + (second if block != "first" else zeros)


class _Pair:
    """The depth-first search for one pair of classes."""

    def __init__(self, gam: Any, j: int, c: int, e: int, parts: list[list[_Part]],
                 budget: int) -> None:  # fmt: skip
        k = gam.n_classes
        self.gam, self.j, self.budget, self.nodes = gam, j, budget, 0
        self.order = [i for i in range(gam.n_features) if i != j] + [j, j]
        blocks = ["both"] * (len(self.order) - 2) + ["first", "second"]
        self.groups = [[(_lift(p.base, c, e, b, k), _lift(p.slope, c, e, b, k), p)
                        for p in parts[i]]
                       for i, b in zip(self.order, blocks, strict=True)]  # fmt: skip
        beta = tuple(Fraction(m.intercept) for m in gam.scores)
        self.constant = _lift(beta, c, e, "both", k)
        self.strict = [d < c for d in range(k) if d != c] + [d < e for d in range(k) if d != e]
        self.pair = (c, e)
        rows = len(self.constant)
        best = [[max(_sup(q, s, p, r) for q, s, p in group) for r in range(rows)]
                for group in self.groups]  # fmt: skip
        self.after = [[sum((best[h][r] for h in range(g, len(best))), Fraction(0))
                       for r in range(rows)] for g in range(len(best) + 1)]  # fmt: skip

    def node(self, picked: list[int], partial: list[Fraction]) -> Any:
        self.nodes += 1
        if self.nodes > self.budget:
            raise _Exhausted
        deadline.check()
        depth = len(picked)
        for r, total in enumerate(partial):
            bound = self.constant[r] + total + self.after[depth][r]
            if bound < 0 or (bound == 0 and self.strict[r]):
                return LinePruned(r)
        if depth == len(self.groups):
            return self.leaf(picked)
        children = []
        for p, (q, s, part) in enumerate(self.groups[depth]):
            grown = [t + _sup(q, s, part, r) for r, t in enumerate(partial)]
            children.append(self.node([*picked, p], grown))
        return LineNode(tuple(children))

    def leaf(self, picked: list[int]) -> LineFarkas:
        chosen = [group[p] for group, p in zip(self.groups, picked, strict=True)]
        n, rows = len(chosen), len(self.constant)
        m = rows + 2 * n
        system = []
        for r in range(rows):
            coefficients = [s[r] for _, s, _ in chosen]
            constant = self.constant[r] + sum((q[r] for q, _, _ in chosen), Fraction(0))
            system.append(_Row(coefficients, constant, self.strict[r], _unit(m, r)))
        for g, (_, _, part) in enumerate(chosen):
            up = [Fraction(0)] * n
            up[g] = Fraction(-1)
            down = [Fraction(0)] * n
            down[g] = Fraction(1)
            system.append(_Row(down, Fraction(0), False, _unit(m, rows + 2 * g)))
            system.append(_Row(up, part.width, not part.closed, _unit(m, rows + 2 * g + 1)))
        found = _eliminate(system, n)
        if isinstance(found, list):
            raise _Found(self.witness(chosen, found))
        return LineFarkas(tuple(found))

    def witness(self, chosen: Sequence[Any], point: Sequence[Fraction]) -> Any:
        values = [_value(part, s) for (_, _, part), s in zip(chosen, point, strict=True)]
        x = [None] * self.gam.n_features
        for i, v in zip(self.order[:-2], values[:-2], strict=True):
            x[i] = v
        v, w = values[-2], values[-1]
        x[self.j] = v
        return tuple(x), v, w, self.pair


def _value(part: _Part, s: Fraction) -> Any:
    if part.width == 0:
        return part.low
    value = Fraction(part.low) + s
    return float(value) if Fraction(float(value)) == value else value


def _sup(q: Sequence[Fraction], s: Sequence[Fraction], part: _Part, r: int) -> Fraction:
    return q[r] + max(Fraction(0), s[r] * part.width)


def _unit(m: int, k: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(1) if t == k else Fraction(0) for t in range(m))


@dataclass(frozen=True)
class _Row:
    """coefficients · s + constant > 0 (strict) or ≥ 0, and its multipliers over the
    original inequalities."""

    coefficients: list[Fraction]
    constant: Fraction
    strict: bool
    multipliers: tuple[Fraction, ...]


def _eliminate(system: list[_Row], n: int) -> list[Fraction] | tuple[Fraction, ...]:
    """A feasible rational point, or the multipliers of a contradiction."""
    stages = []
    current = system
    for k in reversed(range(n)):
        lows = [r for r in current if r.coefficients[k] > 0]
        highs = [r for r in current if r.coefficients[k] < 0]
        rest = [r for r in current if r.coefficients[k] == 0]
        stages.append((k, lows, highs))
        current = rest + [_combine(a, b, k) for a in lows for b in highs]
        if len(current) > MAX_INEQUALITIES:
            raise _Exhausted
        for row in current:
            if not any(row.coefficients) and (row.constant < 0 or (row.constant == 0
                                                                   and row.strict)):  # fmt: skip
                return row.multipliers
        current = [r for r in current if any(r.coefficients)]
    point = [Fraction(0)] * n
    for k, lows, highs in reversed(stages):
        point[k] = choose_value(k, lows, highs, point)
    return point


def _combine(low: _Row, high: _Row, k: int) -> _Row:
    p, q = low.coefficients[k], -high.coefficients[k]
    return _Row([q * a + p * b for a, b in zip(low.coefficients, high.coefficients, strict=True)],
                q * low.constant + p * high.constant, low.strict or high.strict,
                tuple(q * a + p * b for a, b in zip(low.multipliers, high.multipliers,
                                                    strict=True)))  # fmt: skip


@register_algorithm(
    "fr",
    "class-pair-lines",
    summary="per pair of classes a depth-first search over the features' linear pieces, "
    "pruned by the constraints' suprema, each full choice decided by Fourier–Motzkin with "
    "a Farkas certificate; worst case exponential",
    theorem="thm:multiclass-fr-lines",
    priority=25,
    solves=lambda cell: cell.task == "multiclass",
    applies=lines_exact_applies,
    multiclass=True,
)
def fr_multiclass_lines_exact(
    gam: Any, feature: int, *, max_states: int, time_limit: float | None
) -> FrOutcome:
    """Whether ``feature`` of a multiclass model with linear pieces can change the argmax,
    decided exactly.

    Notes
    -----
    coNP-complete (thm:multiclass-fr). Per pair of classes the search visits at most
    Π_g p_g choices of parts (p_g parts of group g) and eliminates n + 1 variables from
    2(K − 1) + 2(n + 1) inequalities at each, worst case doubly exponential in n
    (thm:multiclass-fr-lines); past ``max_states`` nodes or
    :data:`MAX_INEQUALITIES` inequalities it stops undecided (``budget_exhausted``).
    """
    searched = fr_multiclass_lines(gam, feature, max_states=max_states, time_limit=time_limit)
    if searched.status == "solved":  # a witness found in floats, re-checked exactly
        return searched
    parts = [_parts(gam, i) for i in range(gam.n_features)]
    k = gam.n_classes
    refutations = []
    nodes = 0
    for c in range(k):
        for e in range(c + 1, k):
            search = _Pair(gam, feature, c, e, parts, max_states - nodes)
            try:
                tree = search.node([], [Fraction(0)] * len(search.constant))
            except _Found as found:
                return FrOutcome(False, found.witness, work={"nodes": nodes + search.nodes})
            except _Exhausted:
                return FrOutcome(False, status="budget_exhausted",
                                 work={"nodes": nodes + search.nodes},
                                 message=f"the search passed {max_states} nodes or "
                                 f"{MAX_INEQUALITIES} inequalities")  # fmt: skip
            nodes += search.nodes
            refutations.append((c, e, tree))
    return FrOutcome(True, refutations=tuple(refutations), work={"nodes": nodes})
