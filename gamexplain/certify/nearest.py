"""The check behind ``witness="nearest"``: no witness of a minimum-size contrastive reason
is closer than the one shown.

Re-derived here without the solver's search (:mod:`gamexplain.algorithms.nearest`): each
free feature's pieces are re-read, every piece whose contribution moves the score toward a
flip becomes a candidate (its constant value evaluated by this package's own exact
evaluator at a point of the piece, its distance from x_i to the piece's closure), and a
depth-first search over sets of at most k candidates, one per feature, pruned by the best
distance found and by the largest gains still available, finds the infimum distance of a
flipping point that changes at most k features. The result's claimed infimum must equal
it; the witness must attain it when some optimal choice does, and otherwise lie within
k·APPROACH of it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain import certify
from gamexplain.certify.evaluate import contribution, label, score
from gamexplain.certify.numbers import CertificateError, exact_number
from gamexplain.errors import CertificateTooLargeError
from gamexplain.model.distance import APPROACH, feature_distance
from gamexplain.substrate.pieces import Point, lower

__all__ = ["nearest_consistent"]


@dataclass(frozen=True)
class _Candidate:
    gain: Fraction
    distance: Fraction
    attained: bool


def nearest_consistent(gam: Any, x: tuple[Any, ...], fixed: frozenset[int], result: Any) -> bool:
    """Whether the result's ``witness_kind``, ``distance`` and the certificate's
    ``nearest`` infimum are what the model implies (see the module docstring)."""
    claimed = result.certificate.nearest
    if result.witness_kind == "extreme":
        return result.distance is None and claimed is None
    if result.witness_kind != "nearest" or result.features is None or gam.pairs:
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
    if not isinstance(claimed, Fraction) or claimed > shown:
        return False
    infimum, attainable = _infimum(gam, x, fixed, k, claimed)
    if infimum is None or claimed != infimum:
        return False
    if attainable:
        return bool(shown == infimum)
    return bool(infimum < shown <= infimum + k * APPROACH)


def _infimum(
    gam: Any, x: tuple[Any, ...], fixed: frozenset[int], k: int, ceiling: Fraction
) -> tuple[Fraction | None, bool]:
    """The least distance, if at most ``ceiling``, of a flipping point changing at most k
    free features, and whether a point at that distance exists; (None, False) when none
    within ``ceiling`` flips."""
    s = Fraction(exact_number(score(gam, x)))
    before = label(gam, s) if gam.task.kind == "classification" else None
    best: tuple[Fraction | None, bool] = (None, False)
    for direction in _directions(gam, before):
        table = _candidates(gam, x, fixed, direction)
        found = _search(gam, s, before, direction, table, k, ceiling)
        if found[0] is not None and (best[0] is None or _better(found, best)):
            best = found
    return best


def _directions(gam: Any, before: int | None) -> tuple[int, ...]:
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
    for i, feature in enumerate(gam.features):
        if i in fixed:
            continue
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
        if found:
            table.append(_frontier(found))
    table.sort(key=lambda cands: -max(c.gain for c in cands))
    return table


def _frontier(found: list[_Candidate]) -> list[_Candidate]:
    """The candidates no closer (or equally close and attained) one beats in gain,
    closest first: a farther candidate with no more gain can be swapped for it."""
    found.sort(key=lambda c: (c.distance, not c.attained, -c.gain))
    kept: list[_Candidate] = []
    for cand in found:
        if all(cand.gain > other.gain for other in kept):
            kept.append(cand)
    return kept


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
    table: list[list[_Candidate]], k: int, ceiling: Fraction,
) -> tuple[Fraction | None, bool]:  # fmt: skip
    """Depth-first over the features (largest gains first), at most k of them changed,
    never farther than ``ceiling`` or the best found."""
    spans = [[c.distance for c in cands] for cands in table]
    best: list[Any] = [None, False]

    def beyond(far: Fraction) -> bool:
        if best[0] is None:
            return far > ceiling
        return far > best[0] or (far == best[0] and bool(best[1]))

    visited = [0]

    def flips(gain: Fraction) -> bool:
        if before is None:
            return gain > Fraction(gam.task.tolerance)
        return bool(label(gam, s + direction * gain) != before)

    def room(start: int, slots: int, budget: Fraction) -> Fraction:
        """The most gain ``slots`` more features from ``start`` on can add within
        ``budget`` more distance (each feature's best candidate within it)."""
        gains = []
        for j in range(start, len(table)):
            # a frontier's gains grow with its distances: the last one within budget
            reach = bisect.bisect_right(spans[j], budget)
            if reach:
                gains.append(table[j][reach - 1].gain)
        return sum(sorted(gains, reverse=True)[:slots], Fraction(0))

    def visit(start: int, slots: int, gain: Fraction, distance: Fraction, attained: bool) -> None:
        visited[0] += 1
        certify.check_size(visited[0], "the witnesses nearer than the one shown")
        if flips(gain):
            if best[0] is None or distance < best[0]:
                best[0], best[1] = distance, attained
            elif distance == best[0] and attained:
                best[1] = True
            return
        limit = ceiling if best[0] is None else best[0]
        if slots == 0 or not flips(gain + room(start, slots, limit - distance)):
            return
        for j in range(start, len(table)):
            for cand in table[j]:
                far = distance + cand.distance
                if beyond(far):
                    break
                visit(j + 1, slots - 1, gain + cand.gain, far, attained and cand.attained)

    try:
        visit(0, k, Fraction(0), Fraction(0), True)
    except RecursionError:
        raise CertificateTooLargeError("the nearest-witness check recursed too deep") from None
    return best[0], bool(best[1])
