"""The check behind ``witness="nearest"``: no witness of a minimum-size contrastive reason
is closer than the one shown.

Re-derived here without the solver's search (:mod:`gamexplain.algorithms.nearest`): each
free feature's pieces are re-read, every piece whose contribution moves the score toward a
flip becomes a candidate (its constant value evaluated by this package's own exact
evaluator at a point of the piece, its distance from x_i to the piece's closure), and a
sweep over the features in model order keeps the undominated choices of at most k
candidates, one per feature, that stay within the claimed distance and can still flip
(bounded by the fractional relaxation over each feature's hull of candidates), finding
the infimum distance of a flipping point that changes at most k features. The result's
claimed infimum must equal it; the witness must attain it when some optimal choice does,
and otherwise lie within k·APPROACH of it. The sweep keeps at most ``MAX_CHECK_POINTS``
choices in all, else ``verify`` raises :class:`~gamexplain.errors.CertificateTooLargeError`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain import certify
from gamexplain.certify.evaluate import contribution, label, score
from gamexplain.certify.nearest_cells import cell_candidates, curved_features
from gamexplain.certify.nearest_curved import curved_nearest_consistent, is_curved
from gamexplain.certify.nearest_pairs import pair_nearest_consistent
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.model.distance import APPROACH, feature_distance
from gamexplain.substrate.pieces import Point, lower

__all__ = ["NEAREST_BRACKETED", "NEAREST_STOPPED", "nearest_consistent"]

NEAREST_STOPPED = (
    "the nearest-witness search stopped at the time limit: the witness is the closest "
    "found, not proven nearest"
)

NEAREST_BRACKETED = (
    "the least distance of a flip is bracketed, not exact: certificate.nearest below it, "
    "the witness's distance above"
)


_Q = Fraction | int
"""An exact rational, or an integer once gains or distances share one denominator."""


@dataclass(frozen=True)
class _Candidate:
    gain: _Q
    distance: _Q
    attained: bool


def nearest_consistent(gam: Any, x: tuple[Any, ...], fixed: frozenset[int], result: Any) -> bool:
    """Whether the result's ``witness_kind``, ``distance`` and the certificate's
    ``nearest`` infimum are what the model implies (see the module docstring)."""
    claimed = result.certificate.nearest
    cells = result.certificate.nearest_cells
    if result.witness_kind == "extreme":
        return result.distance is None and claimed is None and not cells
    if result.witness_kind != "nearest" or result.features is None:
        return False
    if result.kind != "minimum" or not result.minimum_certified or result.status != "solved":
        return False
    k = len(result.features)
    shown = sum(
        (feature_distance(gam.features[i].domain, result.witness[i], x[i]) for i in range(len(x))),
        Fraction(0),
    )
    if result.distance != shown:
        return False
    if cells and (gam.pairs or k < 2 or not is_curved(gam, fixed)):
        return False  # cells bracket only reasons of several features on curved pieces
    if claimed is None and gam.pairs:
        # a pair search the deadline stopped: its witness is only the closest found
        return result.exact is False and result.message == NEAREST_STOPPED
    if not isinstance(claimed, Fraction) or claimed > shown:
        return False
    if gam.pairs:
        return pair_nearest_consistent(gam, x, fixed, result, claimed)
    if is_curved(gam, fixed):
        # a bracketed nearness makes the whole result inexact, and says so
        bracketed = result.certificate.nearest_exact is False
        if bracketed != (result.exact is False and result.message == NEAREST_BRACKETED):
            return False
        if k >= 2:
            return _cells_consistent(gam, x, fixed, result, claimed, shown)
        return curved_nearest_consistent(gam, x, fixed, result, claimed, shown)
    if result.certificate.nearest_exact is not None:
        return False
    infimum, attainable = _infimum(gam, x, fixed, k, claimed)
    if infimum is None or claimed != infimum:
        return False
    if attainable:
        return bool(shown == infimum)
    return bool(infimum < shown <= infimum + k * APPROACH)


def _cells_consistent(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], result: Any, claimed: Fraction,
    shown: Fraction,
) -> bool:  # fmt: skip
    """The claimed bound is at most the optimum of the relaxation the certificate's cells
    define (:mod:`gamexplain.certify.nearest_cells`), and is the witness's distance when
    claimed exact."""
    exact = result.certificate.nearest_exact
    if exact is None or (exact and claimed != shown):
        return False
    declared = result.certificate.nearest_cells
    names = [name for name, _ in declared]
    curved = curved_features(gam, fixed)
    if sorted(names) != sorted(gam.features[i].name for i in curved):
        return False
    by_index = {gam.index(name): cells for name, cells in declared}
    s = Fraction(exact_number(score(gam, x)))
    before = label(gam, s) if gam.task.kind == "classification" else None
    least: Fraction | None = None
    for direction in _directions(before):
        table = []
        for i in range(gam.n_features):
            if i in fixed:
                continue
            if i in by_index:
                pairs = cell_candidates(gam, i, x[i], by_index[i], direction)
                if pairs is None:
                    return False
                found = [_Candidate(g, d, False) for g, d in pairs]
            else:
                found = _feature_candidates(gam, x, i, direction)
            if found:
                table.append(_frontier(found))
        bound, _ = _scaled_search(gam, s, before, direction, table, len(result.features), shown)
        if bound is not None and (least is None or bound < least):
            least = bound
    # the witness flips and lies in the cells, so some choice within its distance flips
    return least is not None and claimed <= least


def _infimum(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], k: int, ceiling: Fraction
) -> tuple[Fraction | None, bool]:
    """The least distance, if at most ``ceiling``, of a flipping point changing at most k
    free features, and whether a point at that distance exists; (None, False) when none
    within ``ceiling`` flips."""
    s = Fraction(exact_number(score(gam, x)))
    before = label(gam, s) if gam.task.kind == "classification" else None
    best: tuple[Fraction | None, bool] = (None, False)
    for direction in _directions(before):
        table = _candidates(gam, x, fixed, direction)
        found = _scaled_search(gam, s, before, direction, table, k, ceiling)
        if found[0] is not None and (best[0] is None or _better(found, best)):
            best = found
    return best


def _scaled_search(
    gam: Any, s: Fraction, before: int | None, direction: int,
    table: list[list[_Candidate]], k: int, ceiling: Fraction,
) -> tuple[Fraction | None, bool]:  # fmt: skip
    """:func:`_search` with the gains over their least common denominator and the
    distances over theirs, as integers (exact; integer sums cost far less than
    fractions)."""
    cands = [c for cs in table for c in cs]
    g_unit = math.lcm(1, *(Fraction(c.gain).denominator for c in cands))
    d_unit = math.lcm(1, *(Fraction(c.distance).denominator for c in cands))
    scaled = [
        [_Candidate(int(c.gain * g_unit), int(c.distance * d_unit), c.attained) for c in cs]
        for cs in table
    ]
    least, attained = _search(gam, s, before, direction, scaled, k, ceiling * d_unit, g_unit)
    return (None if least is None else Fraction(least) / d_unit), attained


def _directions(before: int | None) -> tuple[int, ...]:
    if before is None:
        return (1, -1)
    return (-1,) if before == 1 else (1,)


def _better(a: tuple[Fraction | None, bool], b: tuple[Fraction | None, bool]) -> bool:
    assert a[0] is not None and b[0] is not None
    return a[0] < b[0] or (a[0] == b[0] and a[1] and not b[1])


def _candidates(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], direction: int
) -> list[list[_Candidate]]:
    """Per free feature, its candidates that move the score in ``direction``, closest
    first."""
    table = []
    for i in range(gam.n_features):
        if i in fixed:
            continue
        found = _feature_candidates(gam, x, i, direction)
        if found:
            table.append(_frontier(found))
    return table


def _feature_candidates(
    gam: Any, x: tuple[Any, ...], i: int, direction: int
) -> list[_Candidate]:
    """Feature i's candidates (one per piece) that move the score in ``direction``."""
    feature = gam.features[i]
    here = Fraction(exact_number(contribution(gam, i, x[i])))
    found = []
    for piece in lower(feature):
        place = _closest(feature.domain, piece, x[i])
        if place is None:
            continue
        inside, distance, attained = place
        value = Fraction(exact_number(contribution(gam, i, inside)))
        gain = (value - here) * direction
        if gain > 0:
            found.append(_Candidate(gain, distance, attained))
    return found


def _frontier(found: list[_Candidate]) -> list[_Candidate]:
    """The candidates no closer (or equally close and attained) one beats in gain,
    closest first: a farther candidate with no more gain can be swapped for it."""
    found.sort(key=lambda c: (c.distance, not c.attained, -c.gain))
    kept: list[_Candidate] = []
    for cand in found:
        if all(cand.gain > other.gain for other in kept):
            kept.append(cand)
    return kept


def _hull_steps(table: list[list[_Candidate]]) -> list[tuple[int, _Q, _Q]]:
    """Every feature's upper concave hull of (distance, gain) from (0, 0), as steps
    (feature, Δdistance, Δgain), all features merged by decreasing Δgain/Δdistance
    (steps of no distance first). Within a feature the ratios decrease, so a greedy
    pass over the merged list takes each feature's steps in order."""
    steps = []
    for j, cands in enumerate(table):
        hull: list[tuple[_Q, _Q]] = [(0, 0)]
        for c in cands:
            p = (c.distance, c.gain)
            while len(hull) >= 2 and _above(hull[-2], hull[-1], p):
                hull.pop()
            hull.append(p)
        for (d0, g0), (d1, g1) in itertools.pairwise(hull):
            steps.append((j, d1 - d0, g1 - g0))
    free = [step for step in steps if step[1] == 0]
    paid = sorted((step for step in steps if step[1] > 0), key=lambda t: -Fraction(t[2], t[1]))
    return free + paid


def _above(a: tuple[_Q, _Q], b: tuple[_Q, _Q], p: tuple[_Q, _Q]) -> bool:
    """Whether p lies on or above the line through a and b (so b is not on the hull)."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0


def _relaxed(steps: list[tuple[int, _Q, _Q]], budget: _Q) -> _Q:
    """The fractional optimum of the gain within ``budget`` over these hull steps: an
    upper bound on every choice of one candidate per feature."""
    total: _Q = 0
    left = budget
    for _, dd, dg in steps:
        if dd <= left:
            total, left = total + dg, left - dd
        else:
            return total + Fraction(dg * left) / dd
    return total


def _closest(domain: Any, piece: Any, value: Any) -> tuple[Any, Fraction, bool] | None:
    """A point of the piece (to evaluate it at), the distance from ``value`` to the
    piece's closure, and whether that distance is attained; None when ``value`` is in it."""
    if isinstance(piece, Point):
        if feature_distance(domain, piece.value, value) == 0:
            return None
        return piece.value, Fraction(1), True
    if piece.degree > 0:
        raise CertificateError("a nearest witness on a piece that is not constant")
    v = Fraction(value)
    right_end = piece.closed or piece.integers
    if piece.low <= v < piece.high or (v == piece.high and right_end):
        return None
    end = piece.low if v < piece.low else piece.high
    attained = v < piece.low or right_end
    return piece.low, feature_distance(domain, end, v), attained


def _search(
    gam: Any, s: Fraction, before: int | None, direction: int,
    table: list[list[_Candidate]], k: int, ceiling: _Q, g_unit: int,
) -> tuple[_Q | None, bool]:  # fmt: skip
    """Sweep the features in model order, keeping every choice so far that is within
    ``ceiling``, can still flip, and that no other choice matches with no more features,
    at least its gain and at most its distance; (least distance, attained) of the choices
    that flip, or (None, False). Gains are in units of 1/``g_unit``."""
    spans = [[c.distance for c in cands] for cands in table]
    merged = _hull_steps(table)
    # per first feature still free, the hull steps of the features from it on
    steps = [[t for t in merged if t[0] >= start] for start in range(len(table) + 1)]

    tolerance = None if before is not None else Fraction(gam.task.tolerance) * g_unit

    def flips(gain: _Q) -> bool:
        if tolerance is not None:
            return gain > tolerance
        return bool(label(gam, s + direction * Fraction(gain) / g_unit) != before)

    def hopeless(choice: tuple[int, _Q, _Q, bool], start: int) -> bool:
        """No completion from feature ``start`` on within the ceiling flips: not even
        the smaller of the free slots' largest gains within the budget and the
        fractional relaxation over the frontiers' hulls."""
        count, gain, distance, _ = choice
        budget = ceiling - distance
        if not flips(gain + _relaxed(steps[start], budget)):
            return True
        gains = []
        for j in range(start, len(table)):
            # a frontier's gains grow with its distances: the last one within budget
            reach = bisect.bisect_right(spans[j], budget)
            if reach:
                gains.append(table[j][reach - 1].gain)
        return not flips(gain + sum(sorted(gains, reverse=True)[: k - count]))

    choices: list[tuple[int, _Q, _Q, bool]] = [(0, 0, 0, True)]
    done: list[tuple[_Q, bool]] = []
    kept = 0
    for j, cands in enumerate(table):
        grown = list(choices)
        for count, gain, distance, attained in choices:
            if count == k:
                continue
            for c in cands:
                far = distance + c.distance
                if far > ceiling:
                    break
                choice = (count + 1, gain + c.gain, far, attained and c.attained)
                if flips(choice[1]):
                    done.append((far, choice[3]))
                else:
                    grown.append(choice)
        choices = [c for c in _pareto(grown) if not hopeless(c, j + 1)]
        kept += len(choices)
        certify.check_size(kept, "the choices nearer than the witness shown")
    if not done:
        return None, False
    least = min(d for d, _ in done)
    return least, any(a for d, a in done if d == least)


def _pareto(
    choices: list[tuple[int, _Q, _Q, bool]],
) -> list[tuple[int, _Q, _Q, bool]]:
    """The choices no other one beats: no more features, at least the gain, at most
    the distance (and attained when it is, at equal distance)."""
    out: list[tuple[int, _Q, _Q, bool]] = []
    most: dict[int, _Q] = {}  # per count, the largest gain kept so far
    for choice in sorted(choices, key=lambda c: (c[2], not c[3])):
        if any(n <= choice[0] and g >= choice[1] for n, g in most.items()):
            continue
        out.append(choice)
        most[choice[0]] = max(most.get(choice[0], choice[1]), choice[1])
    return out
