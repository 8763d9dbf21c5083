"""Independent checks of sufficient and contrastive reasons.

Every ``verify`` of :mod:`gamexplain.queries.reasons` is a short call into this module,
which shares no decision code with the solvers (:mod:`gamexplain.algorithms`, the
model's own exact evaluation, :mod:`gamexplain.exact`). It re-derives independently:

- **the model and the shown answer**: a digest of every model parameter; x inside the
  domain; x's prediction and its words; the values shown on the reason's features; the
  witness's prediction; every message (:func:`check_sufficient_reason` and siblings);
- **points**: every witness and counterexample lies in the domain, moves only what it
  may, and changes the prediction, by the checks' own evaluator
  (:mod:`gamexplain.certify.evaluate`);
- **per-feature extremes**, from the shape's raw data (:func:`feature_extreme`): every
  value of a finite domain; per polynomial piece clipped to the domain its ends and the
  real roots of its derivative (sympy's exact root isolation), floor and ceiling of
  those on integers; ReLU networks by exact evaluation at every integer of a range of
  at most :data:`~gamexplain.certify.MAX_CHECK_POINTS` integers, else by their linear
  pieces compiled here (at most as many);
- **worst cases**: the sum of those extremes against the threshold with its tie rule,
  unattained extremes included; enumerations of completions and the pair-term part of
  a worst case by enumeration over one point per cell, sizes bounded before enumerating;
- **minimum size**: for additive models, the sorted-push argument of THEORY §2 with the
  pushes recomputed here (:func:`no_smaller_sufficient`, :func:`no_smaller_contrastive`);
  for pair models, the recorded cores of the implicit hitting-set search, each re-checked,
  and a bounded search for a smaller set meeting all of them.

A certificate too large to re-check raises :class:`CertificateTooLargeError` before any
enumeration; anything malformed makes the check answer False (``certify.checked``).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import mpmath
import numpy as np
import sympy

from gamexplain import certify
from gamexplain.certify import check_size
from gamexplain.certify.evaluate import (
    _exact_cuts,
    contribution,
    covering,
    in_domain,
    label,
    model_digest,
    prediction,
    same_prediction,
    score,
)
from gamexplain.certify.nearest import NEAREST_BRACKETED, NEAREST_STOPPED, nearest_consistent
from gamexplain.certify.numbers import Number, compare, enclose, exact_number
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.errors import CertificateError

__all__ = [
    "Extreme",
    "check_contrastive_reason",
    "check_sufficiency_result",
    "check_sufficient_reason",
    "cores_checkable",
    "feature_extreme",
    "flips",
    "model_digest",
    "move_text",
    "no_smaller_contrastive",
    "no_smaller_sufficient",
    "show",
    "stopped_text",
    "sufficient",
    "target_text",
]

# -- per-feature extremes -----------------------------------------------------------------
_T = sympy.Symbol("t", real=True)


@dataclass(frozen=True)
class Extreme:
    """The infimum (``min``) or supremum (``max``) of β_i·f_i over the domain.

    ``attained`` says whether a domain point reaches it; ``approaches`` lists the
    breakpoints it is approached toward from the left when it is not.
    """

    value: Number
    attained: bool
    approaches: tuple[Fraction, ...] = ()


# candidate: (value, attained, where) — where is the approached breakpoint when not attained
_Candidate = tuple[Number, bool, Any]


@lru_cache(maxsize=2048)
def feature_extreme(feature: Any, side: str) -> Extreme:
    """The exact extreme of one feature's contribution, by the checks' own code."""
    sign = 1 if side == "min" else -1
    candidates = _candidates(feature)
    best = candidates[0][0]
    for value, _, _ in candidates[1:]:
        if sign * compare(value, best) < 0:
            best = value
    at_best = [c for c in candidates if compare(c[0], best) == 0]
    attained = any(c[1] for c in at_best)
    approaches = () if attained else tuple(sorted({c[2] for c in at_best}))
    return Extreme(best, attained, approaches)


def _candidates(feature: Any) -> list[_Candidate]:
    domain, shape = feature.domain, feature.shape
    if domain.kind == "finite":
        check_size(len(domain.values), f"the values of feature {feature.name!r}")
        one = SimpleNamespace(features=(feature,))
        return [(contribution(one, 0, v), True, v) for v in domain.values]
    if type(shape).__name__ == "Piecewise":
        pieces = _polynomial_pieces(shape)
    elif type(shape).__name__ == "ReLUNet":
        if domain.kind == "integers" and domain.high - domain.low + 1 <= certify.MAX_CHECK_POINTS:
            return _every_integer(feature)
        pieces = _network_pieces(shape, Fraction(domain.low), Fraction(domain.high))
    else:
        raise CertificateError(f"a {type(shape).__name__} needs a finite domain")
    beta = Fraction(feature.weight)
    found: list[_Candidate] = []
    for left, right, coefficients in pieces:
        scaled = tuple(beta * c for c in coefficients)
        found += _piece_candidates(left, right, right == pieces[-1][1], scaled, domain)
    if not found:
        raise CertificateError(f"feature {feature.name!r}: no piece meets the domain")
    return found


def _polynomial_pieces(shape: Any) -> list[tuple[Fraction, Fraction, tuple[Fraction, ...]]]:
    cuts = [Fraction(b) for b in shape.breakpoints]
    return [
        (cuts[k], cuts[k + 1], tuple(Fraction(c) for c in row))
        for k, row in enumerate(shape.coefficients)
    ]


def _piece_candidates(
    left: Fraction, right: Fraction, last: bool, poly: tuple[Fraction, ...], domain: Any
) -> list[_Candidate]:
    """Candidates of Σ_r poly[r]·(x − left)^r on [left, right) (closed when ``last``)
    clipped to the domain."""
    low, high = Fraction(domain.low), Fraction(domain.high)
    closed = last or right > high
    a, b = max(left, low), min(right, high)
    if a > b or (a == b and not closed):
        return []
    roots = _critical_points(poly, left, a, b)
    if domain.kind == "integers":
        first = math.ceil(a)
        final = math.floor(b) if closed else math.ceil(b) - 1
        if first > final:
            return []
        points = {Fraction(first), Fraction(final)}
        for r in roots:
            below = _floor(r)
            points |= {p for p in (Fraction(below), Fraction(below + 1)) if first <= p <= final}
        return [(_value(poly, p - left), True, p) for p in points]
    found: list[_Candidate] = [(_value(poly, a - left), True, a)]
    found += [(_value(poly, _shift(r, -left)), True, r) for r in roots]
    found.append((_value(poly, b - left), closed, b))
    return found


def _critical_points(
    poly: tuple[Fraction, ...], left: Fraction, a: Fraction, b: Fraction
) -> list[Any]:
    """The real roots x of the derivative strictly inside (a, b), exactly."""
    derivative = [r * c for r, c in enumerate(poly)][1:]
    if not any(derivative):
        return []
    expr = sum((sympy.Rational(c.numerator, c.denominator) * _T**r
                for r, c in enumerate(derivative)), sympy.Integer(0))  # fmt: skip
    roots = []
    for t in sympy.Poly(expr, _T).real_roots():
        x = _shift(_number(t), left)
        if compare(x, a) > 0 and compare(x, b) < 0:
            roots.append(x)
    return roots


def _number(value: Any) -> Number:
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return value


def _shift(value: Number, by: Fraction) -> Number:
    if isinstance(value, Fraction):
        return value + by
    return sympy.expand(value + sympy.Rational(by.numerator, by.denominator))


def _value(poly: tuple[Fraction, ...], t: Number) -> Number:
    if isinstance(t, Fraction):
        total = Fraction(0)
        for c in reversed(poly):
            total = total * t + c
        return total
    expr = sympy.Integer(0)
    for c in reversed(poly):
        expr = expr * t + sympy.Rational(c.numerator, c.denominator)
    return _number(sympy.expand(expr))


def _floor(value: Number) -> int:
    """⌊value⌋ of a rational or real algebraic number, by rigorous enclosure."""
    if isinstance(value, Fraction):
        return math.floor(value)
    bits = 64
    while bits <= 1 << 14:
        low, high = enclose(value, bits)
        below = math.floor(low)
        if below == math.floor(high):
            return int(below)
        bits *= 4
    raise CertificateError(f"cannot locate {value} between two integers")


# -- ReLU networks -------------------------------------------------------------------------
def _every_integer(feature: Any) -> list[_Candidate]:
    """The contribution at every integer of the range, in exact scaled integer arithmetic."""
    domain = feature.domain
    values, scale = _integer_outputs(feature.shape.layers, domain.low, domain.high)
    beta = Fraction(feature.weight)
    picks = [int(np.argmin(values)), int(np.argmax(values))]
    return [(beta * Fraction(int(values[k]), scale), True, Fraction(domain.low + k)) for k in picks]


def _integer_outputs(layers: Any, low: int, high: int) -> tuple[Any, int]:
    """The network's output times a positive integer scale at low..high, exactly."""
    h = (
        np.arange(low, high + 1, dtype=object)[:, None]
        if _wide(low, high)
        else (np.arange(low, high + 1, dtype=np.int64)[:, None])
    )
    scale = 1
    for depth, layer in enumerate(layers):
        entries = [Fraction(v) for row in layer.weights for v in row] + [
            Fraction(v) for v in layer.bias
        ]
        d = math.lcm(*(v.denominator for v in entries))
        weights = [[int(Fraction(w) * d) for w in row] for row in layer.weights]
        bias = [int(Fraction(v) * d) * scale for v in layer.bias]
        peak = [int(abs(column).max()) for column in h.T]
        bound = max(
            sum(abs(row[j]) * p for row, p in zip(weights, peak, strict=True)) + abs(bias[j])
            for j in range(len(bias))
        )
        kind: Any = np.int64 if bound < 2**62 else object
        h = h.astype(kind) @ np.array(weights, dtype=kind) + np.array(bias, dtype=kind)
        scale *= d
        if depth < len(layers) - 1:
            h = np.maximum(h, 0)
    return h[:, 0], scale


def _wide(low: int, high: int) -> bool:
    return max(abs(low), abs(high)) >= 2**62


def _network_pieces(
    shape: Any, low: Fraction, high: Fraction
) -> list[tuple[Fraction, Fraction, tuple[Fraction, ...]]]:
    """The network's exact linear pieces on [low, high] as (left, right, (c0, c1)) with
    c0 + c1·(x − left), splitting wherever a hidden unit's input changes sign."""
    # each piece: (left, right, units), every unit affine in x: (slope, offset)
    pieces: list[tuple[Fraction, Fraction, list[tuple[Fraction, Fraction]]]] = [
        (low, high, [(Fraction(1), Fraction(0))])
    ]
    layers = shape.layers
    for depth, layer in enumerate(layers):
        weights = [[Fraction(w) for w in row] for row in layer.weights]
        bias = [Fraction(b) for b in layer.bias]
        grown = []
        for left, right, units in pieces:
            lines = [
                (sum((u[0] * weights[k][j] for k, u in enumerate(units)), Fraction(0)),
                 sum((u[1] * weights[k][j] for k, u in enumerate(units)), bias[j]))
                for j in range(len(bias))
            ]  # fmt: skip
            grown += (
                _split(left, right, lines) if depth < len(layers) - 1 else [(left, right, lines)]
            )
            check_size(len(grown), f"the linear pieces of a network on [{low}, {high}]")
        pieces = grown
    return [(a, b, (units[0][0] * a + units[0][1], units[0][0])) for a, b, units in pieces]


def _split(
    left: Fraction, right: Fraction, lines: list[tuple[Fraction, Fraction]]
) -> list[tuple[Fraction, Fraction, list[tuple[Fraction, Fraction]]]]:
    zeros = sorted({-o / s for s, o in lines if s != 0 and left < -o / s < right})
    ends = [left, *zeros, right]
    out = []
    for a, b in itertools.pairwise(ends):
        middle = (a + b) / 2
        out.append((a, b, [(s, o) if s * middle + o > 0 else (Fraction(0), Fraction(0))
                           for s, o in lines]))  # fmt: skip
    return out


# -- binding the answer to the model ----------------------------------------------------------
def target_text(gam: Any, prediction: Any) -> str:
    """The kept prediction in words ("class 1", "a score within 0.5 of 3")."""
    if gam.task.kind == "classification":
        return f"class {prediction}"
    return f"a score within {show(Fraction(gam.task.tolerance))} of {show(prediction)}"


def move_text(gam: Any, x: Sequence[Any], point: Sequence[Any]) -> str:
    """What a counterexample changes and the prediction it gives, in words."""
    moved = [i for i in range(len(x)) if not _same(point[i], x[i])]
    what = _join([f"{gam.features[i].name} = {show(point[i])}" for i in moved] or ["x itself"])
    after = prediction(gam, point)
    shown = f"class {after}" if gam.task.kind == "classification" else f"the score {show(after)}"
    return f"{what} gives {shown}"


def stopped_text(bounds: Any) -> str:
    return f"stopped early; the minimum size lies in {list(bounds or ())}"


def show(value: Any) -> str:
    """A number or label for a sentence (exact integers in full, others to 6 digits)."""
    if isinstance(value, str):
        return value
    number = exact_number(value)
    if isinstance(number, Fraction) and number.denominator == 1:
        return str(number.numerator)
    if isinstance(number, Fraction):
        approx = float(number)
    else:
        low, high = enclose(number, 80)
        # the midpoint of the endpoints as plain mpf: interval arithmetic on them at the
        # default precision widens the midpoint, which float() then refuses
        approx = float((mpmath.mpf(low.a) + mpmath.mpf(high.b)) / 2)
    return str(int(approx)) if approx.is_integer() else f"{approx:.6g}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- the three results ------------------------------------------------------------------------
def check_sufficiency_result(result: Any, gam: Any) -> bool:
    """Re-check an ``is_sufficient_reason`` answer and every field it shows."""
    x = tuple(result.instance)
    gam = _asked(gam, result, x)
    if gam is None:
        return False
    kept = _kept(gam, result.features)
    cert = result.certificate
    if not (_bound(gam, result, x) and result.values == _on(x, kept)):
        return False
    if not result.exact or result.status != "solved" or result.holds is not bool(result.holds):
        return False
    if cert.breakers or cert.holders or cert.cores or cert.size_proof is not None:
        return False
    if result.holds:
        plain = result.message == "" and cert.witness is None
        return plain and sufficient(gam, x, kept, cert.sufficiency)
    if cert.sufficiency is not None:
        return False
    free = set(range(gam.n_features)) - kept
    point = cert.witness
    return flips(gam, x, point, free) and result.message == move_text(gam, x, point)


def check_sufficient_reason(result: Any, gam: Any) -> bool:
    """Re-check a sufficient reason: sufficiency, one breaker per feature, the size
    claim (``kind``, ``size_bounds``) and every field it shows."""
    x = tuple(result.instance)
    gam = _asked(gam, result, x)
    if gam is None:
        return False
    kept, fixed = _kept(gam, result.features), _kept(gam, result.fixed)
    cert = result.certificate
    if not (_bound(gam, result, x) and result.values == _on(x, kept) and fixed <= kept):
        return False
    if cert.witness is not None or cert.holders or not _status_consistent(result):
        return False
    if not sufficient(gam, x, kept, cert.sufficiency):
        return False
    breakers = dict(cert.breakers)
    names = {gam.features[i].name for i in kept - fixed}
    if set(breakers) != names or len(breakers) != len(cert.breakers):
        return False
    everything = set(range(gam.n_features))
    if not all(flips(gam, x, point, everything - kept | {gam.index(name)})
               for name, point in breakers.items()):  # fmt: skip
        return False
    if result.status != "solved":
        return no_smaller_sufficient(gam, x, fixed, result.size_bounds[0], cert)
    if result.kind == "minimum" and result.minimum_certified:
        return no_smaller_sufficient(gam, x, fixed, result.size, cert)
    return cert.size_proof is None


def check_contrastive_reason(result: Any, gam: Any) -> bool:
    """Re-check a contrastive reason: the witness, one holder per feature, the size claim
    and every field it shows."""
    x = tuple(result.instance)
    gam = _asked(gam, result, x)
    if gam is None:
        return False
    fixed = _kept(gam, result.fixed)
    cert = result.certificate
    if not _bound(gam, result, x) or not _status_consistent(_unstopped(result)) or cert.breakers:
        return False
    everything = frozenset(range(gam.n_features))
    if result.features is None:
        shown = (result.values, result.witness, result.witness_prediction, cert.witness)
        unused = cert.holders or cert.cores or result.minimum_certified is not None
        unused = unused or cert.size_proof is not None
        unused = unused or not nearest_consistent(gam, x, fixed, result)
        return shown == (None,) * 4 and not unused and sufficient(gam, x, fixed, cert.sufficiency)
    if cert.sufficiency is not None:
        return False
    changed = _kept(gam, result.features)
    witness = tuple(cert.witness)
    if changed & fixed or result.witness != witness or not flips(gam, x, witness, changed):
        return False
    if result.values != _on(witness, changed) or not _equal(
        result.witness_prediction, prediction(gam, witness)
    ):
        return False
    holders = dict(cert.holders)
    if set(holders) != set(result.features) or len(holders) != len(cert.holders):
        return False
    if not all(sufficient(gam, x, everything - changed | {gam.index(name)}, proof)
               for name, proof in holders.items()):  # fmt: skip
        return False
    if not nearest_consistent(gam, x, fixed, result):
        return False
    if result.status != "solved":
        return no_smaller_contrastive(gam, x, fixed, result.size_bounds[0], cert)
    if result.kind == "minimum" and result.minimum_certified:
        return no_smaller_contrastive(gam, x, fixed, len(changed), cert)
    return cert.size_proof is None


def _unstopped(result: Any) -> Any:
    """A nearest witness whose search the deadline stopped, or whose distance is only
    bracketed, says so in ``exact`` and ``message``
    (:func:`~gamexplain.certify.nearest.nearest_consistent` checks both); the size claim
    is judged as it would be without that."""
    stated = (NEAREST_STOPPED, NEAREST_BRACKETED)
    if result.witness_kind != "nearest" or result.message not in stated:
        return result
    certified = bool(result.minimum_certified)
    return dataclasses.replace(result, exact=certified, message="" if certified else UNCERTIFIED)


def _asked(gam: Any, result: Any, x: tuple[Any, ...]) -> Any:
    """The model the result explains x in: ``gam`` widened to hold x (see
    :func:`~gamexplain.certify.evaluate.covering`), or None when the result names
    another model by its digest."""
    if result.certificate.model != model_digest(gam):
        return None
    return covering(gam, x)


def _bound(gam: Any, result: Any, x: tuple[Any, ...]) -> bool:
    """x lies in the domain of the model it is explained in, and the shown prediction
    and target are x's (:func:`_asked` has checked the model)."""
    if not in_domain(gam, x):
        return False
    if not provenance_consistent(gam, result, _QUERIES[type(result).__name__]):
        return False
    pred = prediction(gam, x)
    return _equal(result.prediction, pred) and result.target == target_text(gam, pred)


#: the registry queries each result type answers
_QUERIES = {
    "SufficiencyResult": ("csr",),
    "SufficientReason": ("msr", "minimal-sr", "enum-sr"),
    "ContrastiveReason": ("mcr", "enum-cr"),
}


def _status_consistent(result: Any) -> bool:
    """``exact`` only for a fully certified, finished run; a stopped run carries a bracket
    around its own size; every shown message is the one its fields imply."""
    kind = result.kind
    if kind not in ("minimum", "subset-minimal"):
        return False
    # a contrastive reason that does not exist makes no size claim
    certified = kind != "minimum" or result.minimum_certified or result.features is None
    claims = kind == "minimum" and getattr(result, "features", ()) is not None
    if (result.minimum_certified is not None) != claims:
        return False
    if result.status == "solved":
        return (
            result.size_bounds is None
            and result.exact == bool(certified)
            and result.message == ("" if certified else UNCERTIFIED)
        )
    bounds = result.size_bounds
    return (
        not result.exact
        and kind == "subset-minimal"
        and bounds is not None
        and bounds[1] == result.size
        and 0 <= bounds[0] <= bounds[1]
        and result.message == stopped_text(bounds)
    )


UNCERTIFIED = "minimum size not certified"


def _kept(gam: Any, names: Any) -> frozenset[int]:
    """The positions of ``names``, which must be distinct and in model order."""
    positions = [gam.feature_names.index(name) for name in names]
    if positions != sorted(set(positions)):
        raise CertificateError("feature names repeat or are out of model order")
    return frozenset(positions)


def _on(point: Sequence[Any], indices: frozenset[int]) -> tuple[Any, ...]:
    return tuple(point[i] for i in sorted(indices))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return compare(a, b) == 0


def _equal(a: Any, b: Any) -> bool:
    """Exact equality of two classes or scores (a bool is neither)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return compare(a, b) == 0


def flips(gam: Any, x: Sequence[Any], point: Any, may_change: Any) -> bool:
    """``point`` lies in the domain, agrees with x off ``may_change`` and changes the
    prediction of x."""
    if point is None or len(point) != len(x) or not in_domain(gam, point):
        return False
    if any(not _same(point[i], x[i]) for i in range(len(x)) if i not in may_change):
        return False
    return not same_prediction(gam, x, point)


# -- sufficiency ------------------------------------------------------------------------------
def sufficient(gam: Any, x: Sequence[Any], kept: frozenset[int], cert: Any) -> bool:
    """Whether ``cert`` proves that keeping x on ``kept`` fixes the prediction."""
    kind = type(cert).__name__
    if tuple(cert.kept) != tuple(gam.features[i].name for i in sorted(kept)):
        return False
    if kind == "Enumeration":
        return _enumerated(gam, x, kept, cert)
    if kind == "WorstCase" and not gam.pairs:
        return _worst_case(gam, x, kept, cert, paired=frozenset())
    if kind == "PairWorstCase" and gam.pairs:
        paired = frozenset(j for pair in gam.pairs for j in pair.features)
        return _worst_case(gam, x, kept, cert, paired)
    return False


def _sides(gam: Any, x: Sequence[Any]) -> tuple[str, ...]:
    if gam.task.kind == "classification":
        return ("min",) if label(gam, score(gam, x)) == 1 else ("max",)
    return ("min", "max")


def _worst_case(
    gam: Any, x: Sequence[Any], kept: frozenset[int], cert: Any, paired: frozenset[int]
) -> bool:
    free = [i for i in range(gam.n_features) if i not in kept]
    unpaired = [i for i in free if i not in paired]
    sides = _sides(gam, x)
    claimed = {(b.feature, b.side): b for b in cert.bounds}
    if set(claimed) != {(gam.features[i].name, s) for i in unpaired for s in sides}:
        return False
    if len(claimed) != len(cert.bounds):
        return False
    parts = {part.side: part for part in getattr(cert, "pairs", ())}
    if paired and set(parts) != set(sides):
        return False
    ends: dict[str, tuple[Number, bool]] = {}
    for side in sides:
        extremes = [feature_extreme(gam.features[i], side) for i in unpaired]
        bounds = [claimed[gam.features[i].name, side] for i in unpaired]
        if not all(_claim_holds(gam, b, e) for b, e in zip(bounds, extremes, strict=True)):
            return False
        rest = (
            _paired_part(gam, x, free, paired, parts[side]) if paired else _kept_part(gam, x, kept)
        )
        if rest is None:
            return False
        total = _sum([rest, *(e.value for e in extremes)])
        ends[side] = (total, any(not e.attained for e in extremes))
    shown = {"min": cert.low, "max": cert.high}
    if any((s in ends) != (shown[s] is not None) for s in shown):
        return False
    if not all(compare(shown[s], ends[s][0]) == 0 for s in ends):
        return False
    return _keeps(gam, score(gam, x), ends)


def _kept_part(gam: Any, x: Sequence[Any], kept: frozenset[int]) -> Number:
    return _sum([Fraction(gam.intercept), *(contribution(gam, i, x[i]) for i in kept)])


def _claim_holds(gam: Any, bound: Any, extreme: Extreme) -> bool:
    """A claimed extremum equals the re-derived one, with its attainment and argument."""
    if compare(bound.value, extreme.value) != 0 or bound.attained != extreme.attained:
        return False
    if not bound.attained:
        return any(_same(bound.argument, b) for b in extreme.approaches)
    i = gam.feature_names.index(bound.feature)
    if not in_domain(SimpleNamespace(features=(gam.features[i],)), [bound.argument]):
        return False
    return compare(contribution(gam, i, bound.argument), bound.value) == 0


def _keeps(gam: Any, s: Number, ends: dict[str, tuple[Number, bool]]) -> bool:
    """Whether every completion between the ends keeps the prediction of score s; an
    end that is only approached (``True``) is never reached."""
    task = gam.task
    if task.kind == "regression":
        delta = Fraction(task.tolerance)
        up = compare(_sum([ends["max"][0], _neg(s)]), delta) <= 0
        return up and compare(_sum([s, _neg(ends["min"][0])]), delta) <= 0
    t = Fraction(task.threshold)
    if "min" in ends:
        low, loose = ends["min"]
        side = compare(low, t)
        return side > 0 or (side == 0 and (task.positive == ">=" or loose))
    high, loose = ends["max"]
    side = compare(high, t)
    return side < 0 or (side == 0 and (task.positive == ">" or loose))


def _sum(values: Sequence[Number]) -> Number:
    if all(isinstance(v, Fraction) for v in values):
        return sum(values, Fraction(0))
    return sympy.expand(sum((_sym(v) for v in values), sympy.Integer(0)))


def _neg(value: Number) -> Number:
    return -value if isinstance(value, Fraction) else sympy.expand(-value)


def _sym(value: Number) -> Any:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def _enumerated(gam: Any, x: Sequence[Any], kept: frozenset[int], cert: Any) -> bool:
    """Every completion keeps the prediction; their count and score range are as shown."""
    axes = []
    for i, feature in enumerate(gam.features):
        domain = feature.domain
        if i in kept:
            axes.append(1)
        elif domain.kind == "finite":
            axes.append(len(domain.values))
        elif domain.kind == "integers":
            axes.append(domain.high - domain.low + 1)
        else:
            return False
    count = math.prod(axes)
    check_size(count, "an enumeration of completions")
    values = [
        [x[i]] if i in kept else list(_domain_values(f.domain)) for i, f in enumerate(gam.features)
    ]
    scores = []
    for z in itertools.product(*values):
        if not same_prediction(gam, x, z):
            return False
        scores.append(score(gam, z))
    low = functools.reduce(lambda a, b: a if compare(a, b) <= 0 else b, scores)
    high = functools.reduce(lambda a, b: a if compare(a, b) >= 0 else b, scores)
    return count == cert.count and compare(low, cert.low) == 0 and compare(high, cert.high) == 0


def _domain_values(domain: Any) -> Iterable[Any]:
    if domain.kind == "finite":
        return domain.values
    return range(domain.low, domain.high + 1)


# -- pair terms -------------------------------------------------------------------------------
def _paired_part(
    gam: Any, x: Sequence[Any], free: list[int], paired: frozenset[int], part: Any
) -> Number | None:
    """The claimed extreme of the score minus the free unpaired main effects, when its
    point attains it and no completion of the free paired features beats it.

    The completions are checked by enumeration over one point per *cell* of each free
    paired feature (a part of its domain where its main effect and every pair bin are
    constant), found here from the raw breakpoints and bin edges; the count is bounded
    before enumerating.
    """
    moving = [i for i in free if i in paired]
    if getattr(part, "dual", None) is not None:
        plain = part.point == () and part.steps is None and part.backend == "dual-bound"
        return part.value if plain and _dual_bound(gam, x, free, moving, part) else None
    point = list(x)
    named = dict(part.point)
    if set(named) != {gam.features[i].name for i in moving} or len(named) != len(part.point):
        return None
    for i in moving:
        point[i] = named[gam.features[i].name]
    unpaired = [i for i in free if i not in paired]

    def value(z: Sequence[Any]) -> Number:
        return _sum([score(gam, z), *(_neg(contribution(gam, i, x[i])) for i in unpaired)])

    if not in_domain(gam, point) or compare(value(point), part.value) != 0:
        return None
    if part.steps is not None:
        return part.value if _messages_bound(gam, x, free, moving, part) else None
    axes = [_cell_points(gam, i) for i in moving]
    check_size(math.prod(len(a) for a in axes), "an enumeration of pair-term cells")
    sign = 1 if part.side == "min" else -1
    for combo in itertools.product(*axes):
        for i, v in zip(moving, combo, strict=True):
            point[i] = v
        if sign * compare(value(point), part.value) < 0:
            return None
    return part.value


def _messages_bound(
    gam: Any, x: Sequence[Any], free: list[int], moving: list[int], part: Any
) -> bool:
    """The elimination messages prove sign·value a lower bound of sign·(the paired part):
    factors rebuilt here from the raw model (per signature of pair bins, the best main
    effect over the feature's cells), then each message checked to be at most the sum of
    the factors it replaces, for every signature of its variable and every key of its
    scope; the constants left bound the minimum from below."""
    sign = 1 if part.side == "min" else -1
    domains, factors = _pair_factors(gam, x, free, moving, sign)
    pool = list(factors)
    for step in part.steps:
        v = step.variable
        bucket = [f for f in pool if v in f[0]]
        pool = [f for f in pool if v not in f[0]]
        needed = {u for scope, _ in bucket for u in scope} - {v}
        if v in step.scope or not needed <= set(step.scope) or v not in domains:
            return False
        check_size(math.prod(len(domains[u]) for u in (*step.scope, v)), "a message")
        for key in itertools.product(*(domains[u] for u in step.scope)):
            given = dict(zip(step.scope, key, strict=True))
            for sig in domains[v]:
                given[v] = sig
                total = sum((t[tuple(given[u] for u in sc)] for sc, t in bucket), Fraction(0))
                if total < step.table[key]:
                    return False
        pool.append((tuple(step.scope), step.table))
    if any(scope for scope, _ in pool):
        return False
    return sum((t[()] for _, t in pool), Fraction(0)) == sign * part.value


def _dual_bound(gam: Any, x: Sequence[Any], free: list[int], moving: list[int], part: Any) -> bool:
    """The dual certificate proves sign·value a lower bound of sign·(the paired part):
    factors rebuilt here from the raw model, then every leaf's Lagrangian bound
    recomputed in exact rationals over the signatures its branches leave, the branches
    checked to split each variable's signatures exactly, and the least leaf bound
    compared with the claim (thm:pairs-dual-bound)."""
    sign = 1 if part.side == "min" else -1
    domains, factors = _pair_factors(gam, x, free, moving, sign)
    entries = sum(math.prod(len(domains[u]) for u in scope) for scope, _ in factors)
    check_size(_leaves(part.dual) * entries, "the leaves of a dual certificate")
    bound = _tree_bound(domains, factors, part.dual)
    return bound is not None and bound == sign * exact_rational(part.value)


def _leaves(node: Any) -> int:
    if type(node).__name__ == "DualBranch":
        return sum(_leaves(child) for _, child in node.parts)
    return 1


def _tree_bound(
    domains: dict[int, list[Any]],
    factors: list[tuple[tuple[int, ...], dict[Any, Fraction]]],
    node: Any,
) -> Fraction | None:
    """The least bound of the tree's leaves; None when a split does not partition its
    variable's signatures or a leaf is malformed."""
    kind = type(node).__name__
    if kind == "DualLeaf":
        return _leaf_bound(domains, factors, node.multipliers)
    if kind != "DualBranch" or node.variable not in domains or not node.parts:
        return None
    v = node.variable
    parts = [set(signs) for signs, _ in node.parts]
    flat = [s for signs, _ in node.parts for s in signs]
    if any(not p for p in parts) or len(set(flat)) != len(flat) or set(flat) != set(domains[v]):
        return None
    bounds = []
    for part, (_, child) in zip(parts, node.parts, strict=True):
        below = {**domains, v: [s for s in domains[v] if s in part]}
        bound = _tree_bound(below, factors, child)
        if bound is None:
            return None
        bounds.append(bound)
    return min(bounds)


def _leaf_bound(
    domains: dict[int, list[Any]],
    factors: list[tuple[tuple[int, ...], dict[Any, Fraction]]],
    multipliers: Any,
) -> Fraction | None:
    """Σ_v min_s [θ_v(s) + Σ λ→v(s)] + Σ_(u,v) min_(s,t) [θ_uv(s,t) − λ→u(s) − λ→v(t)]
    over the signatures left, in exact rationals: a lower bound of the factors' sum for
    any multipliers λ, because the λ cancel on every assignment."""
    scopes = {scope for scope, _ in factors if len(scope) == 2}
    if not isinstance(multipliers, dict) or not set(multipliers) <= scopes:
        return None
    node = {v: dict.fromkeys(signs, Fraction(0)) for v, signs in domains.items()}
    total = Fraction(0)
    for scope, table in factors:
        if not scope:
            total += table[()]
        elif len(scope) == 1:
            for s in domains[scope[0]]:
                node[scope[0]][s] += table[(s,)]
        else:
            u, v = scope
            to_u, to_v = multipliers.get(scope, ({}, {}))
            if not (set(to_u) <= set(domains[u]) and set(to_v) <= set(domains[v])):
                return None
            lu = [Fraction(to_u.get(s, 0)) for s in domains[u]]
            lv = [Fraction(to_v.get(t, 0)) for t in domains[v]]
            for s, a in zip(domains[u], lu, strict=True):
                node[u][s] += a
            for t, b in zip(domains[v], lv, strict=True):
                node[v][t] += b
            total += min(
                table[s, t] - a - b
                for s, a in zip(domains[u], lu, strict=True)
                for t, b in zip(domains[v], lv, strict=True)
            )
    return total + sum((min(values.values()) for values in node.values()), Fraction(0))


def _pair_factors(
    gam: Any, x: Sequence[Any], free: list[int], moving: list[int], sign: int
) -> tuple[dict[int, list[Any]], list[tuple[tuple[int, ...], dict[Any, Fraction]]]]:
    """sign·(the paired part) as factors over the signatures of the moving features."""
    free_set = set(free)
    best = {j: _signature_effects(gam, j, sign) for j in moving}
    domains = {j: list(best[j]) for j in moving}
    constant = _kept_part(gam, x, frozenset(range(gam.n_features)) - free_set)
    tables: dict[tuple[int, ...], dict[Any, Fraction]] = {
        (j,): {(k,): e for k, e in best[j].items()} for j in moving
    }
    for p, pair in enumerate(gam.pairs):
        i, j = pair.features
        scope = tuple(k for k in (i, j) if k in free_set)
        values = _pair_values(gam, p)
        if not scope:
            fixed = values[_bin(gam, pair, i, x[i])][_bin(gam, pair, j, x[j])]
            constant = _sum([constant, fixed])
            continue
        table = tables.setdefault(
            scope, {key: Fraction(0) for key in itertools.product(*(domains[k] for k in scope))}
        )
        # where pair p sits in each free end's signature (its pair terms in order)
        at = {k: [q for q, other in enumerate(gam.pairs) if k in other.features].index(p)
              for k in scope}  # fmt: skip
        bin_i = None if i in free_set else _bin(gam, pair, i, x[i])
        bin_j = None if j in free_set else _bin(gam, pair, j, x[j])
        for key in table:
            sigs = dict(zip(scope, key, strict=True))
            a = sigs[i][at[i]] if bin_i is None else bin_i
            b = sigs[j][at[j]] if bin_j is None else bin_j
            table[key] += sign * values[a][b]
    factors = [((), {(): sign * exact_rational(constant)}), *tables.items()]
    return domains, factors


@lru_cache(maxsize=1024)
def _pair_values(gam: Any, p: int) -> list[list[Fraction]]:
    return [[Fraction(v) for v in row] for row in gam.pairs[p].values]


@lru_cache(maxsize=1024)
def _signature_effects(gam: Any, j: int, sign: int) -> dict[Any, Fraction]:
    """Per signature (the bins of feature j in its pair terms, in pair order) the least
    sign·(main effect) over j's cells that have it (shared, like the table it reads)."""
    table = _cell_table(gam, j)
    key = ("effects", id(table), sign)
    held = _TABLES.get(key)
    if held is None:
        if len(_TABLES) >= 512:
            _TABLES.clear()
        held = _TABLES[key] = (table, _least_effects(table, sign))
    return held[1]


def _least_effects(table: tuple[tuple[Any, Fraction], ...], sign: int) -> dict[Any, Fraction]:
    effects: dict[Any, Fraction] = {}
    for key, value in table:
        effect = sign * value
        if key not in effects or effect < effects[key]:
            effects[key] = effect
    return effects


_TABLES: dict[Any, Any] = {}
"""The checker's own cell tables, shared between models by what one depends on: the
feature object and the edges of its pair bins in pair order. A model widened for an
out-of-range instance keeps the features it does not widen, so only the widened ones'
tables are rebuilt. Each value pins its feature, so the id in its key stays unique."""


@lru_cache(maxsize=256)
def _cell_table(gam: Any, j: int) -> tuple[tuple[Any, Fraction], ...]:
    """Per cell point of feature j its signature and exact main effect (shared between
    models whose feature j and its pair edges are the same objects and values)."""
    feature = gam.features[j]
    edges = tuple(pair.edges[pair.features.index(j)] for pair in gam.pairs if j in pair.features)
    key = (id(feature), edges)
    held = _TABLES.get(key)
    if held is None:
        if len(_TABLES) >= 512:
            _TABLES.clear()
        held = _TABLES[key] = (feature, _build_cell_table(gam, j))
    return held[1]


def _build_cell_table(gam: Any, j: int) -> tuple[tuple[Any, Fraction], ...]:
    """Per cell point of feature j its signature and exact main effect: the values
    :func:`_bin` and :func:`contribution` give point by point, found for all points at
    once (:func:`_counts_at_or_below`)."""
    feature = gam.features[j]
    points = _cell_points(gam, j)
    rational = all(isinstance(v, Fraction | int) and not isinstance(v, bool) for v in points)
    targets = np.array([float(v) for v in points]) if rational else None
    columns = []
    for pair in gam.pairs:
        if j in pair.features:
            edges = pair.edges[pair.features.index(j)]
            if targets is not None and edges is not None:
                columns.append(_counts_at_or_below(_inner_edges(tuple(edges)), points, targets))
            else:
                columns.append([_bin(gam, pair, j, v) for v in points])
    shape = feature.shape
    steps = type(shape).__name__ == "Piecewise" and all(
        Fraction(c) == 0 for row in shape.coefficients for c in row[1:]
    )
    if steps and rational:
        weight, last = Fraction(feature.weight), len(shape.coefficients) - 1
        cuts = _exact_cuts(tuple(shape.breakpoints))
        # the piece of t is the last breakpoint at or below it, clipped to the pieces
        found = _counts_at_or_below(list(cuts), points, targets)
        pieces = [min(max(k - 1, 0), last) for k in found]
        values = [weight * Fraction(shape.coefficients[k][0]) for k in pieces]
    else:
        values = [exact_rational(contribution(gam, j, v)) for v in points]
    keys = zip(*columns, strict=True) if columns else [()] * len(points)
    return tuple((tuple(int(b) for b in key), value)
                 for key, value in zip(keys, values, strict=True))  # fmt: skip


def _counts_at_or_below(
    sorted_cuts: Sequence[Fraction], points: Sequence[Any], targets: Any
) -> list[int]:
    """For each point, how many of the sorted exact cuts are at or below it (what
    bisect_right gives), by a float search fixed up exactly where floats tie: rounding to
    the nearest float is monotone, so fl(c) < fl(t) implies c < t and fl(c) > fl(t)
    implies c > t; only cuts whose float equals the point's are compared in Fractions.
    ``targets`` are the points rounded to floats."""
    floats = _floats(tuple(sorted_cuts))
    low = np.searchsorted(floats, targets, side="left")
    high = np.searchsorted(floats, targets, side="right")
    counts = low.tolist()
    for k in np.nonzero(high > low)[0].tolist():
        t = Fraction(points[k])
        counts[k] += sum(1 for c in sorted_cuts[low[k] : high[k]] if c <= t)
    return counts


@lru_cache(maxsize=4096)
def _floats(cuts: tuple[Fraction, ...]) -> Any:
    """The cuts rounded to floats, as an array (kept: every cell table reads them)."""
    return np.array([float(c) for c in cuts])


def _bin(gam: Any, pair: Any, j: int, value: Any) -> int:
    """The bin of ``value`` of feature j in ``pair`` (right-continuous, clipped)."""
    axis = pair.features.index(j)
    edges = pair.edges[axis]
    if edges is None:
        values = gam.features[j].domain.values
        return next(k for k, v in enumerate(values) if _same(v, value))
    if isinstance(value, (int, float, Fraction)) and not isinstance(value, bool):
        return bisect.bisect_right(_inner_edges(tuple(edges)), Fraction(value))
    k = 0
    for b in range(1, len(edges) - 1):
        if compare(value, edges[b]) >= 0:
            k = b
    return k


@lru_cache(maxsize=4096)
def _inner_edges(edges: tuple[Any, ...]) -> list[Fraction]:
    """A bin axis's inner edges as exact rationals: the bin of a rational is the number
    of them at or below it (the edges are validated increasing with the model)."""
    return sorted(Fraction(e) for e in edges[1:-1])


def exact_rational(value: Number) -> Fraction:
    if not isinstance(value, Fraction):
        raise CertificateError(f"{value} is not rational")
    return value


def _cell_points(gam: Any, j: int) -> list[Any]:
    """One point of every part of feature j's domain on which its main effect and its
    pair bins are constant (step shapes only)."""
    feature = gam.features[j]
    domain, shape = feature.domain, feature.shape
    if domain.kind == "finite":
        return list(domain.values)
    steps = type(shape).__name__ == "Piecewise" and all(
        Fraction(c) == 0 for row in shape.coefficients for c in row[1:]
    )
    if not steps and domain.kind == "integers":
        check_size(domain.high - domain.low + 1, f"the integers of feature {feature.name!r}")
        return list(range(domain.low, domain.high + 1))
    if not steps:
        raise CertificateError(f"paired feature {feature.name!r} is not a step function")
    low, high = Fraction(domain.low), Fraction(domain.high)
    # breakpoints and edges are floats: gathered and sorted as floats (a float equals
    # exactly one rational, so the set and order are the Fractions'), converted once
    raw = set(shape.breakpoints)
    for pair in gam.pairs:
        if j in pair.features:
            raw.update(pair.edges[pair.features.index(j)] or ())
    cuts = [Fraction(c) for c in sorted(raw)]
    starts = [low, *(c for c in cuts[bisect.bisect_right(cuts, low):] if c <= high)]
    if domain.kind == "integers":
        return sorted({math.ceil(c) for c in starts if math.ceil(c) <= high})
    return starts


# -- minimum size -------------------------------------------------------------------------------
def no_smaller_sufficient(
    gam: Any, x: Sequence[Any], fixed: frozenset[int], size: int, cert: Any
) -> bool:
    """No sufficient reason has fewer than ``size`` features.

    Additive models: a set of ``size − 1`` features frees n − size + 1 of the movable
    features; in one direction the freed pushes (v_i, −u_i) add lexicographically, so the
    lightest such set is the one of the smallest weights, and when freeing it already
    changes the prediction, so does freeing any other (THEORY §2). In regression one
    direction alone suffices for that argument; otherwise every such set is tried,
    within the size limit. Pair models: every sufficient reason meets every recorded
    contrastive set (``cert.cores``, each with its flipping witness), so none of
    ``size − 1`` features exists when no such set of features meets all of them, or
    when ``cert.size_proof`` re-checks (:func:`gamexplain.certify.pair_size.no_smaller`).
    """
    movable = [i for i in range(gam.n_features) if i not in fixed]
    freed = gam.n_features - size + 1
    if size <= len(fixed):
        return cert.size_proof is None
    if freed > len(movable):
        return False
    if gam.pairs and cert.size_proof is not None:
        from gamexplain.certify.pair_size import no_smaller

        count = size - 1 - len(fixed)
        return not cert.cores and no_smaller(gam, x, fixed, count, cert.size_proof, "sufficient")
    if gam.pairs:
        return _cores_unhit(gam, x, fixed, cert.cores, size - 1 - len(fixed), contrastive=True)
    if any(_lightest_flips(gam, x, movable, freed, side) for side in _sides(gam, x)):
        return True
    if gam.task.kind == "classification":
        return False
    check_size(math.comb(len(movable), freed), "the sets of one size below the minimum")
    return all(
        not _frees_safely(gam, x, frozenset(combo))
        for combo in itertools.combinations(movable, freed)
    )


def no_smaller_contrastive(
    gam: Any, x: Sequence[Any], fixed: frozenset[int], size: int, cert: Any
) -> bool:
    """No set of fewer than ``size`` movable features can change the prediction: in each
    direction the ``size − 1`` heaviest pushes keep it (additive models), or no such
    set meets every recorded sufficient reason (pair models, ``cert.cores``)."""
    movable = [i for i in range(gam.n_features) if i not in fixed]
    if size <= 1 and cert.size_proof is not None:
        return False  # nothing to prove below one feature: a proof there is not the solver's
    if size <= 1:  # changing nothing never flips; recorded cores must still be genuine
        genuine = not gam.pairs or _cores_unhit(gam, x, fixed, cert.cores, -1, contrastive=False)
        return size == 1 and genuine
    if gam.pairs and cert.size_proof is not None:
        from gamexplain.certify.pair_size import no_smaller

        proof = cert.size_proof
        return not cert.cores and no_smaller(gam, x, fixed, size - 1, proof, "contrastive")
    if gam.pairs:
        return _cores_unhit(gam, x, fixed, cert.cores, size - 1, contrastive=False)
    return all(_heaviest_keep(gam, x, movable, size - 1, side) for side in _sides(gam, x))


def _weights(
    gam: Any, x: Sequence[Any], movable: list[int], side: str
) -> list[tuple[int, Number, int]]:
    """(feature, push, unattained) for every movable feature, sorted lexicographically by
    (push, −unattained) ascending."""
    items: list[tuple[int, Number, int]] = []
    for i in movable:
        e = feature_extreme(gam.features[i], side)
        c = contribution(gam, i, x[i])
        push = _sum([c, _neg(e.value)]) if side == "min" else _sum([e.value, _neg(c)])
        items.append((i, push, 0 if e.attained else 1))

    def order(a: tuple[int, Number, int], b: tuple[int, Number, int]) -> int:
        return compare(a[1], b[1]) or (b[2] - a[2])

    return sorted(items, key=functools.cmp_to_key(order))


def _frees(gam: Any, x: Sequence[Any], chosen: list[tuple[int, Number, int]], side: str) -> bool:
    """Whether freeing ``chosen`` keeps the prediction in direction ``side``."""
    s = score(gam, x)
    total = _sum([p for _, p, _ in chosen])
    end = _sum([s, _neg(total)]) if side == "min" else _sum([s, total])
    loose = any(u for _, _, u in chosen)
    if gam.task.kind == "regression":
        return compare(total, Fraction(gam.task.tolerance)) <= 0
    return _keeps(gam, s, {side: (end, loose)})


def _lightest_flips(gam: Any, x: Sequence[Any], movable: list[int], count: int, side: str) -> bool:
    return not _frees(gam, x, _weights(gam, x, movable, side)[:count], side)


def _heaviest_keep(gam: Any, x: Sequence[Any], movable: list[int], count: int, side: str) -> bool:
    heavy = _weights(gam, x, movable, side)[::-1][:count] if count else []
    return _frees(gam, x, heavy, side)


def _frees_safely(gam: Any, x: Sequence[Any], freed: frozenset[int]) -> bool:
    movable = sorted(freed)
    return all(_frees(gam, x, _weights(gam, x, movable, side), side) for side in _sides(gam, x))


def cores_checkable(gam: Any, fixed: frozenset[int], cores: Any, size: int) -> bool:
    """Whether the search for a hitting set of ``size`` below the minimum fits the check's
    budget, so that a minimum certified by these cores can be re-checked."""
    sets = [_kept(gam, names) - fixed for names, _ in cores]
    if size < 0 or not sets or not all(sets):
        return True
    return math.comb(len(frozenset().union(*sets)), size) <= certify.MAX_CHECK_POINTS


def _cores_unhit(
    gam: Any, x: Sequence[Any], fixed: frozenset[int], cores: Any, size: int, contrastive: bool
) -> bool:
    """Each recorded core is what it claims (movable features whose change flips, with
    the witness; or a sufficient set, with its proof), and no ``size`` movable features
    meet every core."""
    records = [(_kept(gam, names), proof) for names, proof in cores]
    sets = [members - fixed for members, _ in records]
    union = sorted(frozenset().union(*sets))
    if size >= 0 and all(sets):
        # sized before any core is re-checked: a search too large is refused at once
        check_size(math.comb(len(union), size), "the hitting sets below the minimum")
    for members, proof in records:
        if contrastive:
            ok = not members & fixed and flips(gam, x, proof, members)
        else:
            ok = fixed <= members and sufficient(gam, x, members, proof)
        if not ok:
            return False
    if size < 0 or not all(sets):
        return True  # nothing is smaller than nothing; an empty core no change can meet
    if not sets or size >= len(union):
        return False
    return not any(
        all(core & set(combo) for core in sets) for combo in itertools.combinations(union, size)
    )
