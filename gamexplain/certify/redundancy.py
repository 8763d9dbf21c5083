"""Independent re-checks of feature-redundancy results (:func:`gamexplain.is_redundant`).

Everything here is derived again from the model's raw data, without the FR solvers
(:mod:`gamexplain.algorithms`), the model's lowering to pieces and its per-feature
extremes (:mod:`gamexplain.substrate.pieces`, :mod:`gamexplain.substrate.primitives`), or the
solvers' exact signs (:mod:`gamexplain.exact`). Signs come from
:func:`gamexplain.certify.compare`, values from :func:`gamexplain.certify.contribution`
and :func:`gamexplain.certify.score`. What it re-derives:

- **each contribution's pieces**: a ``Piecewise`` shape cut to the domain from its
  breakpoints (right-continuous, the last piece closed); a ReLU network cut where a
  hidden unit changes sign, found layer by layer by linear interpolation between exact
  evaluations;
- **each contribution's range** (infimum and supremum, and whether each is attained):
  the ends of every piece and the real roots of its derivative (sympy), their floor and
  ceiling on integers;
- **the critical window** of sums of the other features at which feature i can flip the
  class (``proofs/redundancy.md``, window lemma), from feature i's range;
- **the achievable sums** of the other features, as a set of exact points and a union of
  intervals built feature by feature (a plain dictionary of sums);
- **a cover of the sums** (``images`` proofs): each feature's values and piece images
  again, and then, layer by layer, that every stated interval of the layer before plus
  every value of the next feature lies inside one stated interval of the next layer, so
  the last layer holds every achievable sum, and that it misses the window;
- **an enumeration** of representative points for models with pair terms: one point per
  part of a domain on which the contribution and every pair bin are constant;
- **witnesses**: both points must lie in the domain and get the stated, different
  predictions under :func:`gamexplain.certify.prediction`.

A CP-SAT ``infeasible`` proof is never trusted: it is re-derived by the sums (additive
models) or the enumeration (pair terms). Every re-derivation is bounded by
:data:`gamexplain.certify.MAX_CHECK_POINTS`; past it the check raises
:class:`~gamexplain.errors.CertificateTooLargeError` before doing the work.

The result is bound to the model it was computed for by :func:`model_digest` (a
SHA-256 of the model's raw data), so a different intercept, a reordered feature list or
one changed table value fails the check.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key
from typing import Any, Literal, Protocol

import mpmath
import sympy

from gamexplain.certify import (
    CertificateError,
    check_size,
    compare,
    contribution,
    enclose,
    exact_number,
    in_domain,
    label,
    model_digest,
    prediction,
    score,
)
from gamexplain.certify.numbers import Number

__all__ = [
    "ProofKind",
    "RedundancyProof",
    "Witness",
    "check_redundancy",
    "model_digest",
]

ProofKind = Literal[
    "ranges", "reachable-sums", "images", "enumeration", "infeasible", "pair-moves", "boxes"
]

# which certificates each FR algorithm emits, and for which tasks and models
_EMITS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    # algorithm: (proof kinds, tasks, needs an additive model)
    "range": (frozenset({"ranges"}), frozenset({"regression"}), True),
    "continuous": (frozenset({"ranges"}), frozenset({"classification"}), True),
    "partial-sums": (
        frozenset({"ranges", "reachable-sums"}),
        frozenset({"classification"}),
        True,
    ),
    "images": (frozenset({"ranges", "images"}), frozenset({"classification"}), True),
    "cpsat": (frozenset({"infeasible"}), frozenset({"classification", "regression"}), False),
    "brute": (frozenset({"enumeration"}), frozenset({"classification", "regression"}), False),
    "pair-moves": (frozenset({"pair-moves"}), frozenset({"regression"}), False),
    "pair-boxes": (frozenset({"boxes"}), frozenset({"classification"}), False),
}
_UNDECIDED = frozenset({"time_limit", "budget_exhausted"})

_X = sympy.Symbol("y", real=True)


class SpanLike(Protocol):
    """An interval with open or closed ends, as the solvers report it."""

    @property
    def low(self) -> Any: ...
    @property
    def high(self) -> Any: ...
    @property
    def low_closed(self) -> bool: ...
    @property
    def high_closed(self) -> bool: ...


@dataclass(frozen=True)
class Witness:
    """Two points that differ only in feature i and get different predictions.

    Attributes
    ----------
    point : tuple
        The first point; its value of feature i is ``value``.
    value, other_value : object
        The two values of feature i.
    outputs : (int or exact, int or exact)
        The exact predictions (classes, or scores in regression) of the two points; in
        classification the first is class 1 and the second class 0.
    names : tuple of str
        The model's feature names, for display.
    algorithm : str
        The FR algorithm that found it (the result's ``algorithm`` must agree).
    """

    point: tuple[Any, ...]
    value: Any
    other_value: Any
    outputs: tuple[Any, Any]
    names: tuple[str, ...] = ()
    algorithm: str = ""


@dataclass(frozen=True)
class RedundancyProof:
    """Why feature i is redundant.

    Attributes
    ----------
    kind : {"ranges", "reachable-sums", "images", "enumeration", "infeasible", "pair-moves",
        "boxes"}
        ``ranges``: the critical window is empty, or the box of the others' per-feature
        ranges misses it; in regression, feature i's range is at most the tolerance
        wide. ``reachable-sums``: the box meets the window, but the exact set of the
        others' achievable sums misses it. ``images``: a cover of the others' sums
        (``cover``, rational bounds of every layer) misses it. ``enumeration``: every point was
        tried.
        ``infeasible``: the CP-SAT encoding has no solution. ``pair-moves``: in
        regression with pair terms, no change of feature i alone moves the score by more
        than δ (thm:pairs-fr-regression). The last three hold no data; the check
        re-derives the answer. ``boxes``: in classification with pair terms, a tree of
        boxes of the other features (``tree``) on each of which the score stays on one
        side of the threshold or feature i cannot move it (thm:pairs-fr-boxes).
    window : span or None
        The critical window of sums of the other features' contributions (None when
        empty, in regression and for ``enumeration`` and ``infeasible``).
    ranges : tuple of spans
        Per feature (model order), the range of its contribution (inf and sup, each end
        closed iff attained); empty for ``enumeration`` and ``infeasible``.
    algorithm : str
        The FR algorithm that proved it (the result's ``algorithm`` must agree).
    cover : tuple of tuples of spans
        ``images`` proofs only (empty otherwise): for each feature other than i, in model
        order, intervals whose union holds every sum of the contributions of the other
        features up to it; the last layer must miss the window.
    tree : BoxLeaf or BoxSplit or None
        ``boxes`` proofs only (None otherwise): the root of the tree of boxes
        (:mod:`gamexplain.certify.pair_redundancy`).
    """

    kind: ProofKind
    window: SpanLike | None = None
    ranges: tuple[SpanLike, ...] = ()
    algorithm: str = ""
    cover: tuple[tuple[SpanLike, ...], ...] = ()
    tree: Any = None


# An interval of exact numbers: (low, high, low closed, high closed).
Ends = tuple[Number, Number, bool, bool]


# -- the front door ------------------------------------------------------------------------------
def check_redundancy(gam: Any, result: Any) -> bool:
    """Whether a :class:`~gamexplain.queries.redundancy.RedundancyResult` is what it says.

    Solved results: the answer matches the certificate's type, the certificate names the
    result's algorithm, that algorithm emits this kind of certificate for this task, and
    the certificate re-checks. (Which algorithm found a witness cannot be re-derived:
    verify checks that the named one could have, not that it ran.) Undecided results
    (``time_limit``, ``budget_exhausted``) claim nothing: True iff they say so
    consistently (no certificate, ``holds`` and ``exact`` False, a reason given).
    """
    i = result.position
    if not (
        isinstance(i, int)
        and 0 <= i < len(gam.features)
        and gam.features[i].name == result.feature
        and result.model_digest == model_digest(gam)
        and result.algorithm in _EMITS
    ):
        return False
    if result.status in _UNDECIDED:
        return _undecided(result)
    kinds, tasks, additive = _EMITS[result.algorithm]
    if result.status != "solved" or result.exact is not True or result.message != "":
        return False
    if gam.task.kind not in tasks or (additive and gam.pairs):
        return False
    certificate = result.certificate
    if getattr(certificate, "algorithm", None) != result.algorithm:
        return False
    if isinstance(certificate, Witness):
        return result.holds is False and check_witness(gam, i, certificate)
    if isinstance(certificate, RedundancyProof) and certificate.kind in kinds:
        return result.holds is True and check_proof(gam, i, certificate)
    return False


def _undecided(result: Any) -> bool:
    return (
        result.certificate is None
        and result.holds is False
        and result.exact is False
        and isinstance(result.message, str)
        and result.message != ""
    )


# -- witnesses -----------------------------------------------------------------------------------
def check_witness(gam: Any, i: int, witness: Witness) -> bool:
    """Both points lie in the domain, differ only in feature i and get the stated,
    different predictions (regression: scores more than δ apart)."""
    point = tuple(witness.point)
    if tuple(witness.names) != tuple(f.name for f in gam.features) or len(point) != len(
        gam.features
    ):
        return False
    other = tuple(witness.other_value if j == i else v for j, v in enumerate(point))
    if not (_same(point[i], witness.value) and in_domain(gam, point) and in_domain(gam, other)):
        return False
    first, second = prediction(gam, point), prediction(gam, other)
    stated = tuple(witness.outputs)
    if len(stated) != 2:
        return False
    if gam.task.kind == "classification":
        return (first, second) == (1, 0) and stated == (1, 0)
    gap = _minus(first, second)
    delta = exact_number(gam.task.tolerance)
    return (
        compare(stated[0], first) == 0
        and compare(stated[1], second) == 0
        and (compare(gap, delta) > 0 or compare(_minus(0, gap), delta) > 0)
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return compare(a, b) == 0


# -- proofs --------------------------------------------------------------------------------------
def check_proof(gam: Any, i: int, proof: RedundancyProof) -> bool:
    """Re-derive feature i's redundancy the way ``proof.kind`` claims it holds."""
    if proof.kind != "images" and tuple(proof.cover) != ():
        return False
    if (proof.kind == "boxes") != (proof.tree is not None):
        return False
    if proof.kind == "boxes":
        from gamexplain.certify.pair_redundancy import boxes_hold  # imports certify

        plain = proof.window is None and tuple(proof.ranges) == ()
        return plain and boxes_hold(gam, i, proof.tree)
    if proof.kind in ("enumeration", "infeasible"):
        return proof.window is None and tuple(proof.ranges) == () and _redundant(gam, i)
    if proof.kind == "pair-moves":
        from gamexplain.certify.pair_redundancy import no_move_exceeds  # imports certify

        return proof.window is None and tuple(proof.ranges) == () and no_move_exceeds(gam, i)
    ranges = [feature_range(gam, j) for j in range(len(gam.features))]
    if len(proof.ranges) != len(ranges) or not all(
        _same_span(s, r) for s, r in zip(proof.ranges, ranges, strict=True)
    ):
        return False
    if gam.task.kind == "regression":
        return proof.kind == "ranges" and proof.window is None and _narrow(gam, ranges[i])
    window = critical_window(gam, ranges[i])
    if not _same_window(proof.window, window):
        return False
    if window is not None and proof.kind == "images":
        # a cover stands on its own, whether or not the box of ranges already misses
        return _cover_misses(gam, i, window, proof.cover)
    if window is None or not _meets(_box(ranges, i), window):
        return proof.kind == "ranges"
    return proof.kind == "reachable-sums" and _sums_miss(gam, i, window)


def _redundant(gam: Any, i: int) -> bool:
    """Feature i's redundancy, decided from scratch (sums, or enumeration with pairs)."""
    if gam.pairs:
        return _enumerated(gam, i)
    chosen = feature_range(gam, i)
    if gam.task.kind == "regression":
        return _narrow(gam, chosen)
    window = critical_window(gam, chosen)
    if window is None:
        return True
    ranges = [feature_range(gam, j) for j in range(len(gam.features))]
    return not _meets(_box(ranges, i), window) or _sums_miss(gam, i, window)


def _narrow(gam: Any, span: Ends) -> bool:
    return compare(_minus(span[1], span[0]), exact_number(gam.task.tolerance)) <= 0


def _same_span(span: Any, ends: Ends) -> bool:
    return (
        compare(span.low, ends[0]) == 0
        and compare(span.high, ends[1]) == 0
        and span.low_closed is ends[2]
        and span.high_closed is ends[3]
    )


def _same_window(stated: Any, window: Ends | None) -> bool:
    if stated is None or window is None:
        return stated is None and window is None
    return _same_span(stated, window)


def critical_window(gam: Any, chosen: Ends) -> Ends | None:
    """The sums s of the other contributions at which feature i (of range ``chosen``) can
    change the class, or None when there are none.

    With c = t − β0 and u = c − s: under ``>=`` u must lie in (inf, sup] (sup attained)
    or (inf, sup); under ``>`` in [inf, sup) (inf attained) or (inf, sup).
    """
    low, high, low_in, high_in = chosen
    if compare(low, high) == 0:
        return None
    c = _minus(exact_number(gam.task.threshold), exact_number(gam.intercept))
    if gam.task.positive == ">=":
        return (_minus(c, high), _minus(c, low), high_in, False)
    return (_minus(c, high), _minus(c, low), False, low_in)


def _box(ranges: Sequence[Ends], i: int) -> Ends:
    box: Ends = (Fraction(0), Fraction(0), True, True)
    for j, span in enumerate(ranges):
        if j != i:
            box = _plus_span(box, span)
    return box


# -- intervals of exact numbers -------------------------------------------------------------------
def _plus(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return exact_number(sympy.expand(_sym(a) + _sym(b)))


def _minus(a: Any, b: Any) -> Number:
    a, b = exact_number(a), exact_number(b)
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a - b
    return exact_number(sympy.expand(_sym(a) - _sym(b)))


def _sym(value: Number) -> Any:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def _plus_span(a: Ends, b: Ends) -> Ends:
    return (_plus(a[0], b[0]), _plus(a[1], b[1]), a[2] and b[2], a[3] and b[3])


def _meets(a: Ends, b: Ends) -> bool:
    """Whether two intervals share a point."""
    side = compare(a[0], b[0])
    low, low_in = (a[0], a[2]) if side > 0 else (b[0], b[2])
    if side == 0:
        low_in = a[2] and b[2]
    side = compare(a[1], b[1])
    high, high_in = (a[1], a[3]) if side < 0 else (b[1], b[3])
    if side == 0:
        high_in = a[3] and b[3]
    side = compare(low, high)
    return side < 0 or (side == 0 and low_in and high_in)


def _contains(span: Ends, value: Number) -> bool:
    return _meets(span, (value, value, True, True))


def _merge(spans: list[Ends]) -> list[Ends]:
    """The union of ``spans`` as disjoint intervals, lowest first."""

    def by_low(a: Ends, b: Ends) -> int:
        return compare(a[0], b[0]) or int(b[2]) - int(a[2])

    out: list[Ends] = []
    for span in sorted(spans, key=cmp_to_key(by_low)):
        if out:
            last = out[-1]
            side = compare(span[0], last[1])
            if side < 0 or (side == 0 and (last[3] or span[2])):
                top = compare(span[1], last[1])
                if top > 0:
                    out[-1] = (last[0], span[1], last[2], span[3])
                else:
                    out[-1] = (last[0], last[1], last[2], last[3] or (top == 0 and span[3]))
                continue
        out.append(span)
    return out


# -- pieces of a contribution ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Part:
    """β·p on a part of the domain: p(x) = Σ_r coefficients[r]·(x − anchor)^r (β folded in)
    on [low, high] or [low, high)."""

    coefficients: tuple[Fraction, ...]
    anchor: Fraction
    low: Fraction
    high: Fraction
    closed: bool

    @property
    def constant(self) -> bool:
        return all(c == 0 for c in self.coefficients[1:]) or self.low == self.high

    def at(self, x: Number) -> Number:
        """The polynomial at x, continued to the open end."""
        y = _minus(x, self.anchor)
        total: Number = Fraction(0)
        for c in reversed(self.coefficients):
            total = _plus(_times(total, y), c)
        return total

    def integers(self) -> tuple[int, int]:
        """The first and last integer of the part (first > last when there is none)."""
        last = math.floor(self.high) if self.closed else math.ceil(self.high) - 1
        return math.ceil(self.low), last


def _times(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    return exact_number(sympy.expand(_sym(a) * _sym(b)))


def _parts(gam: Any, j: int) -> list[_Part]:
    """The pieces of feature j's contribution on its (integer or interval) domain."""
    feature = gam.features[j]
    low, high = Fraction(feature.domain.low), Fraction(feature.domain.high)
    kind = type(feature.shape).__name__
    if kind == "Piecewise":
        return _piecewise_parts(feature, low, high)
    if kind == "ReLUNet":
        return _network_parts(gam, j, low, high)
    raise CertificateError(f"feature {feature.name!r} has a {kind} on a numeric range")


def _piecewise_parts(feature: Any, low: Fraction, high: Fraction) -> list[_Part]:
    cuts = [Fraction(b) for b in feature.shape.breakpoints]
    beta = Fraction(feature.weight)
    last = len(feature.shape.coefficients) - 1
    parts = []
    for k, row in enumerate(feature.shape.coefficients):
        start = max(cuts[k], low)
        # a breakpoint belongs to the piece on its right; the last piece is closed
        if k == last or high < cuts[k + 1]:
            end, closed = min(high, cuts[k + 1]), True
        else:
            end, closed = cuts[k + 1], False
        if start < end or (start == end and closed):
            coefficients = tuple(beta * Fraction(c) for c in row)
            parts.append(_Part(coefficients, cuts[k], start, end, closed))
    return parts


def _network_parts(gam: Any, j: int, low: Fraction, high: Fraction) -> list[_Part]:
    """Linear parts of a ReLU network between the points where a hidden unit turns."""
    layers = gam.features[j].shape.layers
    xs = [low] if low == high else [low, high]
    for depth in range(len(layers) - 1):
        before = [_pre_activations(layers, depth, x) for x in xs]
        found = set(xs)
        for (a, pa), (b, pb) in itertools.pairwise(zip(xs, before, strict=True)):
            for u, v in zip(pa, pb, strict=True):
                if (u < 0 < v) or (v < 0 < u):
                    found.add(a + (b - a) * u / (u - v))
        xs = sorted(found)
        check_size(len(xs), f"the linear pieces of feature {gam.features[j].name!r}")
    values = [_rational(contribution(gam, j, x)) for x in xs]
    if len(xs) == 1:
        return [_Part((values[0],), xs[0], xs[0], xs[0], True)]
    return [
        _Part((fa, (fb - fa) / (b - a)), a, a, b, True)
        for (a, fa), (b, fb) in itertools.pairwise(zip(xs, values, strict=True))
    ]


def _pre_activations(layers: Sequence[Any], depth: int, x: Fraction) -> list[Fraction]:
    """The inputs of layer ``depth``'s ReLUs at x."""
    hidden = [x]
    for k in range(depth + 1):
        layer = layers[k]
        if k:
            hidden = [max(h, Fraction(0)) for h in hidden]
        hidden = [
            Fraction(bias) + sum(Fraction(layer.weights[m][u]) * h for m, h in enumerate(hidden))
            for u, bias in enumerate(layer.bias)
        ]
    return hidden


def _critical(part: _Part) -> list[Number]:
    """The real roots of the part's derivative strictly inside it (as x, not x − anchor)."""
    if part.constant or len(part.coefficients) <= 2:
        return []
    poly = sympy.Poly([_sym(c) for c in reversed(part.coefficients)], _X).diff(_X)
    if poly.is_zero:
        return []
    roots = []
    for root in sympy.real_roots(poly):
        x = _plus(exact_number(root), part.anchor)
        if compare(x, part.low) > 0 and compare(x, part.high) < 0:
            roots.append(x)
    return roots


def _floor(x: Number) -> int:
    if isinstance(x, Fraction):
        return math.floor(x)
    low, _ = enclose(x, 96)
    n = int(mpmath.floor(low))
    while compare(x, n + 1) >= 0:
        n += 1
    while compare(x, n) < 0:
        n -= 1
    return n


def _candidates(part: _Part, integers: bool) -> list[tuple[Number, bool]]:
    """(value, attained) at the part's ends and its critical points."""
    if integers:
        first, last = part.integers()
        if first > last:
            return []
        xs = {first, last}
        for root in _critical(part):
            below = _floor(root)
            xs |= {n for n in (below, below + 1) if first <= n <= last}
        return [(part.at(Fraction(x)), True) for x in xs]
    found = [(part.at(part.low), True), (part.at(part.high), part.closed)]
    return found + [(part.at(root), True) for root in _critical(part)]


def feature_range(gam: Any, j: int) -> Ends:
    """(inf, sup, inf attained, sup attained) of feature j's contribution."""
    feature = gam.features[j]
    if feature.domain.kind == "finite":
        found = [(exact_number(contribution(gam, j, v)), True) for v in feature.domain.values]
    else:
        integers = feature.domain.kind == "integers"
        found = [c for part in _parts(gam, j) for c in _candidates(part, integers)]
    return _extremes(found)


# -- achievable sums -----------------------------------------------------------------------------
def _image(gam: Any, j: int) -> tuple[set[Fraction], list[Ends]]:
    """Feature j's contribution values: exact points, and intervals of continuous pieces."""
    feature = gam.features[j]
    if feature.domain.kind == "finite":
        return {_rational(contribution(gam, j, v)) for v in feature.domain.values}, []
    integers = feature.domain.kind == "integers"
    points: set[Fraction] = set()
    spans: list[Ends] = []
    for part in _parts(gam, j):
        first, last = part.integers() if integers else (0, 0)
        if integers and first > last:
            continue
        if part.constant:
            points.add(_rational(part.at(Fraction(first) if integers else part.low)))
        elif integers:
            check_size(last - first + 1, f"the values of feature {feature.name!r}")
            points |= {_rational(part.at(Fraction(x))) for x in range(first, last + 1)}
        else:
            found = _candidates(part, False)
            spans.append(_extremes(found))
    return points, spans


def _rational(value: Any) -> Fraction:
    number = exact_number(value)
    if not isinstance(number, Fraction):
        raise CertificateError(f"{value} at a rational point is not rational")
    return number


def _extremes(found: list[tuple[Number, bool]]) -> Ends:
    """(inf, sup, attained, attained) of (value, attained) candidates; attained wins ties."""
    low, high = found[0], found[0]
    for value, attained in found[1:]:
        side = compare(value, low[0])
        if side < 0 or (side == 0 and attained and not low[1]):
            low = (value, attained)
        side = compare(value, high[0])
        if side > 0 or (side == 0 and attained and not high[1]):
            high = (value, attained)
    return (low[0], high[0], low[1], high[1])


def _sums_miss(gam: Any, i: int, window: Ends) -> bool:
    """Whether no achievable sum of the features other than i lies in ``window``."""
    points: set[Fraction] = {Fraction(0)}
    spans: list[Ends] = []
    name = gam.features[i].name
    for j in range(len(gam.features)):
        if j == i:
            continue
        values, images = _image(gam, j)
        size = (len(points) + len(spans)) * (len(values) + len(images))
        check_size(size, f"the achievable sums of the features other than {name!r}")
        spans = _merge(
            [_shift(s, v) for s in spans for v in values]
            + [_shift(image, p) for image in images for p in points]
            + [_plus_span(s, image) for s in spans for image in images]
        )
        points = {p + v for p in points for v in values}
    return not any(_contains(window, p) for p in points) and not any(
        _meets(s, window) for s in spans
    )


def _cover_misses(gam: Any, i: int, window: Ends, cover: Sequence[Sequence[Any]]) -> bool:
    """Whether the stated layers cover the others' sums, layer by layer, and the last one
    misses ``window``: by induction the last layer then holds every achievable sum."""
    others = [j for j in range(len(gam.features)) if j != i]
    if len(cover) != len(others):
        return False
    before: list[Ends] = [(Fraction(0), Fraction(0), True, True)]
    for j, stated in zip(others, cover, strict=True):
        layer = _Layer([_stated_span(span) for span in stated])
        values, images = _image(gam, j)
        pieces: list[Ends] = [(v, v, True, True) for v in values] + images
        what = f"the cover of the sums up to feature {gam.features[j].name!r}"
        check_size(len(before) * len(pieces), what)
        if not all(layer.holds(_plus_span(s, piece)) for s in before for piece in pieces):
            return False
        before = layer.spans
    return not any(_meets(span, window) for span in before)


def _stated_span(span: Any) -> Ends:
    low_closed, high_closed = span.low_closed, span.high_closed
    if not (isinstance(low_closed, bool) and isinstance(high_closed, bool)):
        raise CertificateError("a cover interval's ends must say closed or open")
    return (exact_number(span.low), exact_number(span.high), low_closed, high_closed)


class _Layer:
    """Stated intervals; when their low ends are all rational, sorted and searched by
    them (an interval that contains another starts no later)."""

    def __init__(self, spans: list[Ends]) -> None:
        self.rational = all(isinstance(s[0], Fraction) for s in spans)
        self.spans = sorted(spans, key=lambda s: (s[0], not s[2])) if self.rational else spans
        self.lows = [s[0] for s in self.spans] if self.rational else []

    def holds(self, span: Ends) -> bool:
        """Whether one stated interval contains ``span`` (with rational ends, one of the
        two that start last at or before it: stated intervals are meant disjoint)."""
        if not self.rational or not isinstance(span[0], Fraction):
            return any(_within(span, t) for t in self.spans)
        last = bisect.bisect_right(self.lows, span[0])
        return any(_within(span, t) for t in self.spans[max(0, last - 2) : last])


def _within(inner: Ends, outer: Ends) -> bool:
    """Whether ``inner`` ⊆ ``outer``."""
    low, high = compare(inner[0], outer[0]), compare(inner[1], outer[1])
    return (low > 0 or (low == 0 and (outer[2] or not inner[2]))) and (
        high < 0 or (high == 0 and (outer[3] or not inner[3]))
    )


def _shift(span: Ends, offset: Fraction) -> Ends:
    return (_plus(span[0], offset), _plus(span[1], offset), span[2], span[3])


# -- enumeration (pair terms) ---------------------------------------------------------------------
def _representatives(gam: Any, j: int) -> list[Any]:
    """One value per part of feature j's domain on which its contribution and every pair
    bin are constant (all values of a finite domain or a non-constant integer piece)."""
    feature = gam.features[j]
    if feature.domain.kind == "finite":
        return list(feature.domain.values)
    edges = sorted(
        {
            Fraction(e)
            for pair in gam.pairs
            for axis, k in enumerate(pair.features)
            if k == j and pair.edges[axis] is not None
            for e in pair.edges[axis][1:-1]
        }
    )
    out: list[Any] = []
    for part in _parts(gam, j):
        for piece in _split(part, edges):
            out += _part_points(feature, piece)
    return out


def _split(part: _Part, edges: list[Fraction]) -> list[_Part]:
    inner = [
        e for e in edges if part.low < e < part.high or (e == part.high > part.low and part.closed)
    ]
    bounds = [part.low, *inner]
    pieces = [
        _Part(part.coefficients, part.anchor, a, b, False) for a, b in itertools.pairwise(bounds)
    ]
    pieces.append(_Part(part.coefficients, part.anchor, bounds[-1], part.high, part.closed))
    return [p for p in pieces if p.low < p.high or (p.low == p.high and p.closed)]


def _part_points(feature: Any, part: _Part) -> list[Any]:
    if feature.domain.kind == "interval":
        if not part.constant:
            raise CertificateError(
                f"feature {feature.name!r} varies continuously, so its points cannot be listed"
            )
        return [part.low]
    first, last = part.integers()
    if first > last:
        return []
    if part.constant:
        return [first]
    check_size(last - first + 1, f"the values of feature {feature.name!r}")
    return list(range(first, last + 1))


def _enumerated(gam: Any, i: int) -> bool:
    """True iff no representative point lets feature i change the prediction."""
    axes = [_representatives(gam, j) for j in range(len(gam.features))]
    check_size(math.prod(len(a) for a in axes), "every point of the model")
    others = [[None] if j == i else axis for j, axis in enumerate(axes)]
    for rest in itertools.product(*others):
        scores = [score(gam, [v if j == i else x for j, x in enumerate(rest)]) for v in axes[i]]
        if gam.task.kind == "classification":
            if len({label(gam, s) for s in scores}) > 1:
                return False
        else:
            ordered = sorted(scores, key=cmp_to_key(compare))
            if compare(_minus(ordered[-1], ordered[0]), exact_number(gam.task.tolerance)) > 0:
                return False
    return True
