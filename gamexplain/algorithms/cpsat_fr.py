"""Feature redundancy as a CP-SAT feasibility problem (OR-Tools), pair terms included.

Every feature chooses one *option*: a domain value (finite domains), a constant piece or
a part of one cut by the bins of its pair terms (step functions, on integers or real
intervals), or an integer range of a linear piece. Feature i is chosen twice, the
others once; the two resulting scores must fall on different sides of the threshold
(in regression, more than δ apart). Feasible means not redundant, and the solution is
the witness; infeasible means redundant.

Exactness: every rational parameter is multiplied by the least common multiple of all
denominators, so the scores are integers and "score < t" becomes "score ≤ t − 1"
without rounding. When that makes a number exceed 2^62, CP-SAT does not apply.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from gamexplain.algorithms.redundancy import Outcome, RedundancyProof, witness_at
from gamexplain.complexity.registry import register_algorithm
from gamexplain.errors import PieceLimitError, SolverUnavailableError
from gamexplain.model.task import Classification
from gamexplain.substrate import deadline
from gamexplain.substrate.pieces import Point, Segment, lower
from gamexplain.substrate.polynomials import global_coefficients, value_at
from gamexplain.substrate.scaling import common_denominator

__all__ = ["ENUMERATION_LIMIT", "cpsat_applies", "fr_cpsat"]

ENUMERATION_LIMIT = 4096
"""Integer pieces of degree ≥ 2 are listed point by point up to this many integers."""

_INT_LIMIT = 2**62


@dataclass(frozen=True)
class _Option:
    """One choice of a feature: contribution base + slope·z for an integer z in 0..width."""

    base: Fraction
    slope: Fraction
    width: int
    value: Any
    bins: tuple[int, ...]


@dataclass(frozen=True)
class _Encoding:
    options: tuple[tuple[_Option, ...], ...]
    axes: tuple[tuple[tuple[int, int], ...], ...]
    scale: int


def cpsat_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None when every feature has finitely many options and the scaled integers fit.

    The pair tables alone are tried first: it is cheap, and on a fitted model they often
    already make the scaled scores too large, before any feature is cut into options."""
    reason = _tables_too_large(gam)
    if reason is not None:
        return reason
    encoding = _encode(gam)
    return encoding if isinstance(encoding, str) else None


@lru_cache(maxsize=64)
def _tables_too_large(gam: Any) -> str | None:
    """Why the encoding cannot fit, seen from the intercept and the pair tables alone.

    Each of their denominators divides the common scale, and each table adds twice its
    largest magnitude to the bound :func:`_magnitude_reason` computes, so once the
    running product passes 2^62 the full bound does too."""
    denominator, size = Fraction(gam.intercept).denominator, Fraction(0)
    for pair in gam.pairs:
        deadline.check()
        values = [Fraction(v) for row in pair.values for v in row]
        denominator = math.lcm(denominator, *(v.denominator for v in values))
        size += 2 * max(abs(v) for v in values)
        if denominator * size > _INT_LIMIT:
            return (
                f"scaled exactly to integers (by at least {denominator}), the pair tables "
                f"alone reach about 2^{math.ceil(math.log2(denominator * size))}, beyond "
                "CP-SAT's 2^62"
            )
    return None


@lru_cache(maxsize=64)
def _encode(gam: Any) -> _Encoding | str:
    axes = tuple(
        tuple((p, pair.features.index(j)) for p, pair in enumerate(gam.pairs) if j in pair.features)
        for j in range(gam.n_features)
    )
    choices = []
    for j, feature in enumerate(gam.features):
        deadline.check()
        try:
            found = _feature_options(gam, feature, axes[j])
        except PieceLimitError as exc:
            return str(exc)
        if isinstance(found, str):
            return found
        choices.append(found)
    scale = _scale(gam)
    reason = _magnitude_reason(gam, choices, scale)
    return reason or _Encoding(tuple(choices), axes, scale)


def _feature_options(
    gam: Any, feature: Any, axes: tuple[tuple[int, int], ...]
) -> tuple[_Option, ...] | str:
    def bins(value: Any) -> tuple[int, ...]:
        return tuple(gam.pairs[p].bin_of(a, feature, value) for p, a in axes)

    pieces = lower(feature)
    found: dict[tuple[Fraction, Fraction, int, tuple[int, ...]], _Option] = {}
    cuts = sorted({Fraction(e) for p, a in axes for e in _inner_edges(gam.pairs[p], a)})
    for piece in pieces:
        if isinstance(piece, Point):
            parts = [_Option(piece.contribution, Fraction(0), 0, piece.value, bins(piece.value))]
        else:
            parts = []
            for low, high, closed in _cut(piece, cuts):
                made = _piece_options(feature, piece, low, high, closed)
                if isinstance(made, str):
                    return made
                parts += [_Option(o.base, o.slope, o.width, o.value, bins(o.value)) for o in made]
        for option in parts:
            found.setdefault((option.base, option.slope, option.width, option.bins), option)
    return tuple(found.values())


def _inner_edges(pair: Any, axis: int) -> tuple[float, ...]:
    edges = pair.edges[axis]
    return () if edges is None else edges[1:-1]


def _cut(segment: Segment, cuts: list[Fraction]) -> list[tuple[Fraction, Fraction, bool]]:
    """The segment split at bin edges (``cuts`` sorted): (low, high, high included) parts."""
    first = bisect.bisect_right(cuts, segment.low)
    inside = cuts[first : bisect.bisect_right(cuts, segment.high)]
    bounds = [segment.low, *inside]
    parts = [(a, b, False) for a, b in zip(bounds, inside, strict=False)]
    parts.append((bounds[-1], segment.high, segment.closed))
    return [(a, b, closed) for a, b, closed in parts if a < b or (a == b and closed)]


def _piece_options(
    feature: Any, segment: Segment, low: Fraction, high: Fraction, closed: bool
) -> list[_Option] | str:
    def at(x: Fraction) -> Fraction:
        return Fraction(value_at(segment, x))

    if not segment.integers:
        if segment.degree == 0 or low == high:
            return [_Option(at(low), Fraction(0), 0, low, ())]
        return (
            f"feature {feature.name!r} has a non-constant piece on a real interval, which "
            "takes a continuum of values"
        )
    first = math.ceil(low)
    last = math.floor(high) if closed else math.ceil(high) - 1
    if first > last:
        return []
    if segment.degree == 0:
        return [_Option(at(Fraction(first)), Fraction(0), 0, first, ())]
    if segment.degree == 1:
        slope = segment.coefficients[1]
        return [_Option(at(Fraction(first)), slope, last - first, first, ())]
    if last - first + 1 > ENUMERATION_LIMIT:
        return (
            f"feature {feature.name!r} has a piece of degree {segment.degree} over "
            f"{last - first + 1} integers, more than {ENUMERATION_LIMIT} to list"
        )
    return [_Option(at(Fraction(x)), Fraction(0), 0, x, ()) for x in range(first, last + 1)]


def _scale(gam: Any) -> int:
    """The least common multiple of the denominators of every number the encoding uses."""
    task = gam.task
    numbers = [
        Fraction(gam.intercept),
        Fraction(task.threshold if isinstance(task, Classification) else task.tolerance),
    ]
    numbers += [Fraction(v) for pair in gam.pairs for row in pair.values for v in row]
    for feature in gam.features:
        for piece in lower(feature):
            if isinstance(piece, Point):
                numbers.append(piece.contribution)
            else:
                numbers += global_coefficients(piece)
    return common_denominator(numbers)


def _magnitude_reason(gam: Any, choices: list[tuple[_Option, ...]], scale: int) -> str | None:
    task = gam.task
    edge = task.threshold if isinstance(task, Classification) else task.tolerance
    bound = scale * (abs(Fraction(gam.intercept)) + abs(Fraction(edge)) + 1)
    for options in choices:
        bound += 2 * scale * max(abs(o.base) + abs(o.slope) * o.width for o in options)
    for pair in gam.pairs:
        bound += 2 * scale * max(abs(Fraction(v)) for row in pair.values for v in row)
    if bound > _INT_LIMIT:
        return (
            f"scaled exactly to integers (by {scale}), the scores reach about 2^"
            f"{math.ceil(math.log2(bound))}, beyond CP-SAT's 2^62"
        )
    return None


@register_algorithm(
    "fr",
    "cpsat",
    summary="one-hot choice per feature, two for the asked one, scores on both sides of the "
    "threshold; CP-SAT (worst case exponential)",
    theorem="thm:fr-cpsat",
    priority=30,
    applies=cpsat_applies,
)
def fr_cpsat(gam: Any, feature: int, *, time_limit: float | None = None, **options: Any) -> Outcome:
    """FR by CP-SAT over exactly integer-scaled options; handles pair terms.

    Notes
    -----
    Variables: a Boolean per option of every feature (two sets for feature i), an integer
    offset per linear option, and a Boolean per cell of every pair table (the AND of the
    two bins). The encoding is linear in the options and the pair cells; solving is
    worst-case exponential, as FR is coNP-complete (thm:fr-cpsat, thm:fr-conp). On
    ``time_limit`` the result is undecided (status ``"time_limit"``).
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:
        raise SolverUnavailableError("CP-SAT needs OR-Tools: pip install ortools") from exc
    encoding = _encode(gam)
    assert isinstance(encoding, _Encoding)
    model = cp_model.CpModel()
    copies = {(j, 0): _choose(model, encoding.options[j], j) for j in range(gam.n_features)}
    copies[(feature, 1)] = _choose(model, encoding.options[feature], feature)
    scores = [_score(model, gam, encoding, copies, feature, k) for k in (0, 1)]
    _separate(model, gam, encoding.scale, scores)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    status = solver.Solve(model)
    work = {"variables": len(model.Proto().variables), "branches": int(solver.NumBranches())}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        x = [_value(solver, encoding.options[j], copies[(j, 0)]) for j in range(gam.n_features)]
        other = _value(solver, encoding.options[feature], copies[(feature, 1)])
        return Outcome(False, witness_at(gam, feature, x, x[feature], other), work=work)
    if status == cp_model.INFEASIBLE:
        # the proof holds no data: verify re-derives the answer without the solver
        return Outcome(True, RedundancyProof("infeasible"), work=work)
    within = "" if time_limit is None else f" within {time_limit:.3g} s"
    message = f"CP-SAT stopped with status {solver.StatusName(status)}{within}"
    return Outcome(False, None, "time_limit", message, work)


def _choose(model: Any, options: tuple[_Option, ...], j: int) -> list[tuple[Any, Any]]:
    """A Boolean and an offset (or None) per option; exactly one Boolean is true."""
    chosen = []
    for k, option in enumerate(options):
        flag = model.NewBoolVar(f"x{j}_{k}")
        offset = None
        if option.width:
            offset = model.NewIntVar(0, option.width, f"z{j}_{k}")
            model.Add(offset <= option.width * flag)
        chosen.append((flag, offset))
    model.AddExactlyOne(flag for flag, _ in chosen)
    return chosen


def _score(
    model: Any, gam: Any, encoding: _Encoding, copies: dict[tuple[int, int], Any], i: int, k: int
) -> Any:
    """The scaled score of copy ``k`` (feature i takes its k-th choice)."""
    d = encoding.scale
    terms: list[Any] = [int(d * Fraction(gam.intercept))]
    pick = {j: copies[(j, k if j == i else 0)] for j in range(gam.n_features)}
    for j, chosen in pick.items():
        for option, (flag, offset) in zip(encoding.options[j], chosen, strict=True):
            terms.append(int(d * option.base) * flag)
            if offset is not None:
                terms.append(int(d * option.slope) * offset)
    for p, pair in enumerate(gam.pairs):
        terms += _pair_terms(model, encoding, pick, p, pair, d)
    return sum(terms)


def _pair_terms(
    model: Any, encoding: _Encoding, pick: dict[int, Any], p: int, pair: Any, d: int
) -> list[Any]:
    sides = []
    for axis, j in enumerate(pair.features):
        slot = encoding.axes[j].index((p, axis))
        bins: dict[int, list[Any]] = {}
        for option, (flag, _) in zip(encoding.options[j], pick[j], strict=True):
            bins.setdefault(option.bins[slot], []).append(flag)
        sides.append({b: sum(flags) for b, flags in bins.items()})
    terms = []
    for a, left in sides[0].items():
        for b, right in sides[1].items():
            weight = int(d * Fraction(pair.values[a][b]))
            if weight:
                both = model.NewBoolVar(f"g{p}_{a}_{b}")
                model.Add(both >= left + right - 1)
                model.Add(both <= left)
                model.Add(both <= right)
                terms.append(weight * both)
    return terms


def _separate(model: Any, gam: Any, d: int, scores: list[Any]) -> None:
    """Copy 0 gets class 1 and copy 1 class 0 (regression: copy 0 exceeds by more than δ)."""
    task = gam.task
    if isinstance(task, Classification):
        t = int(d * Fraction(task.threshold))
        strict = int(task.positive == ">")
        model.Add(scores[0] >= t + strict)
        model.Add(scores[1] <= t - 1 + strict)
    else:
        model.Add(scores[0] - scores[1] >= int(d * Fraction(task.tolerance)) + 1)


def _value(solver: Any, options: tuple[_Option, ...], chosen: list[tuple[Any, Any]]) -> Any:
    for option, (flag, offset) in zip(options, chosen, strict=True):
        if solver.BooleanValue(flag):
            return option.value if offset is None else option.value + solver.Value(offset)
    raise RuntimeError("CP-SAT returned no option")
