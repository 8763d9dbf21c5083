"""A second, deliberately plain evaluator of a GAM, for certificate checks only.

It reads the model's raw data (table scores, breakpoints and coefficients, network
weights, pair tables) and evaluates with :mod:`gamexplain.certify.numbers`, sharing no
code with the model's own evaluation (:meth:`GAM.score_exact`) or with the solvers. A
bug in either evaluator then shows up as a certificate that fails its check.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from gamexplain.certify.numbers import CertificateError, Number, compare, exact_number, sign
from gamexplain.errors import GamExplainError

__all__ = [
    "contribution",
    "covering",
    "in_domain",
    "label",
    "model_digest",
    "pair_bin",
    "pair_value",
    "prediction",
    "same_prediction",
    "score",
]


def _add(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return sympy.expand(_sym(a) + _sym(b))


def _mul(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    return sympy.expand(_sym(a) * _sym(b))


def _sym(value: Number) -> sympy.Expr:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def _is_label(value: Any) -> bool:
    return isinstance(value, str)


def _position(values: Sequence[Any], value: Any) -> int | None:
    """The index of ``value`` among a finite domain's values (labels by equality,
    numbers by exact value), or None."""
    if isinstance(value, bool) or value is None:
        return None
    for k, member in enumerate(values):
        if _is_label(member) or _is_label(value):
            if _is_label(member) and _is_label(value) and member == value:
                return k
            continue
        try:
            if compare(member, value) == 0:
                return k
        except CertificateError:
            return None
    return None


def in_domain(gam: Any, point: Sequence[Any]) -> bool:
    """Whether ``point`` has one value per feature, each inside its feature's domain."""
    try:
        if len(point) != len(gam.features):
            return False
    except TypeError:
        return False
    return all(
        _remembered("member", f.domain, v, lambda f=f, v=v: _member(f.domain, v))
        for f, v in zip(gam.features, point, strict=True)
    )


# A check evaluates the same few values again and again (a witness's extremes, the
# instance's own values), so each feature's contribution at a value, and a domain's
# membership of it, is kept under the identity of the (immutable) feature or domain,
# which the entry holds so the identity stays its own, and the value with its type.
_MEMO: dict[tuple[Any, ...], tuple[Any, Any]] = {}
_MAX_MEMO = 200_000


def _remembered(kind: str, owner: Any, value: Any, compute: Any) -> Any:
    try:
        key = (kind, id(owner), type(value), value)
        held = _MEMO.get(key)
    except TypeError:  # an unhashable value
        return compute()
    if held is not None and held[0] is owner:
        return held[1]
    answer = compute()
    if len(_MEMO) >= _MAX_MEMO:
        _MEMO.clear()
    _MEMO[key] = (owner, answer)
    return answer


def _member(domain: Any, value: Any) -> bool:
    kind = domain.kind
    if kind == "finite":
        return _position(domain.values, value) is not None
    if _is_label(value) or isinstance(value, bool):
        return False
    try:
        number = exact_number(value)
    except CertificateError:
        return False
    if kind == "integers" and not (isinstance(number, Fraction) and number.denominator == 1):
        return False
    return compare(number, domain.low) >= 0 and compare(number, domain.high) <= 0


def contribution(gam: Any, i: int, value: Any) -> Number:
    """β_i·f_i(value), exactly."""
    feature = gam.features[i]
    return _remembered("contribution", feature, value, lambda: _contribution(feature, value))


def _contribution(feature: Any, value: Any) -> Number:
    shape = feature.shape
    kind = type(shape).__name__
    if kind == "Table":
        k = _position(feature.domain.values, value)
        if k is None:
            raise CertificateError(f"{value!r} is not a value of feature {feature.name!r}")
        raw: Number = Fraction(shape.values[k])
    elif kind == "Piecewise":
        raw = _piecewise(shape.breakpoints, shape.coefficients, exact_number(value))
    elif kind == "ReLUNet":
        raw = _network(shape.layers, exact_number(value))
    else:
        raise CertificateError(f"unknown shape {kind}")
    return _mul(Fraction(feature.weight), raw)


def _piecewise(
    breakpoints: Sequence[float], coefficients: Sequence[Sequence[float]], t: Number
) -> Number:
    # right-continuous pieces, the last one closed, the first and last extended beyond
    # the breakpoints (a shape is defined on every number); a linear scan on purpose
    if isinstance(t, Fraction):
        # rational points: a binary search over the exact breakpoints (EBMs have hundreds)
        found = bisect.bisect_right(_exact_cuts(tuple(breakpoints)), t) - 1
        piece = min(max(found, 0), len(coefficients) - 1)
    else:
        piece = 0
        for k in range(1, len(coefficients)):
            if compare(t, breakpoints[k]) >= 0:
                piece = k
    offset = _add(t, -Fraction(breakpoints[piece]))
    total: Number = Fraction(0)
    power: Number = Fraction(1)
    for c in coefficients[piece]:
        total = _add(total, _mul(Fraction(c), power))
        power = _mul(power, offset)
    return total


@lru_cache(maxsize=1024)
def _exact_cuts(breakpoints: tuple[float, ...]) -> tuple[Fraction, ...]:
    return tuple(Fraction(b) for b in breakpoints)


def _network(layers: Sequence[Any], t: Number) -> Number:
    hidden: list[Number] = [t]
    for depth, layer in enumerate(layers):
        outputs = []
        for j, bias in enumerate(layer.bias):
            total: Number = Fraction(bias)
            for k, h in enumerate(hidden):
                total = _add(total, _mul(Fraction(layer.weights[k][j]), h))
            outputs.append(total)
        if depth < len(layers) - 1:
            outputs = [h if sign(h) > 0 else Fraction(0) for h in outputs]
        hidden = outputs
    return hidden[0]


def pair_value(gam: Any, pair: Any, point: Sequence[Any]) -> Fraction:
    """The pair term's table entry at ``point`` (bins right-continuous, clipped)."""
    rows, cols = (pair_bin(gam, pair, axis, point[i]) for axis, i in enumerate(pair.features))
    return Fraction(pair.values[rows][cols])


def pair_bin(gam: Any, pair: Any, axis: int, value: Any) -> int:
    """The bin of ``value`` on the pair term's ``axis``-th feature."""
    edges = pair.edges[axis]
    i = pair.features[axis]
    if edges is None:
        k = _position(gam.features[i].domain.values, value)
        if k is None:
            raise CertificateError(f"{value!r} is not a value of feature {i}")
        return k
    if isinstance(value, int | float | Fraction) and not isinstance(value, bool):
        # a rational's bin: how many inner edges lie at or below it
        return bisect.bisect_right(_inner_edges(tuple(edges)), Fraction(value))
    k = 0
    for b in range(1, len(edges) - 1):
        if compare(value, edges[b]) >= 0:
            k = b
    return k


@lru_cache(maxsize=4096)
def _inner_edges(edges: tuple[Any, ...]) -> list[Fraction]:
    """A bin axis's inner edges as exact rationals, in order (the model keeps its edges
    strictly increasing)."""
    return sorted(Fraction(e) for e in edges[1:-1])


def score(gam: Any, point: Sequence[Any]) -> Number:
    """The exact score β0 + Σ a_i(x_i) + Σ g_ij(x_i, x_j) at a point of the domain."""
    if not in_domain(gam, point):
        raise CertificateError("the point lies outside the model's domain")
    total: Number = Fraction(gam.intercept)
    for i, value in enumerate(point):
        total = _add(total, contribution(gam, i, value))
    for pair in gam.pairs:
        total = _add(total, pair_value(gam, pair, point))
    return total


def label(gam: Any, value: Any) -> int:
    """The class of a score under the task's threshold and tie rule."""
    task = gam.task
    side = compare(value, task.threshold)
    if task.positive == ">=":
        return int(side >= 0)
    return int(side > 0)


def prediction(gam: Any, point: Sequence[Any]) -> Number | int:
    """The class of ``point`` (classification) or its exact score (regression)."""
    s = score(gam, point)
    return label(gam, s) if gam.task.kind == "classification" else s


def same_prediction(gam: Any, x: Sequence[Any], z: Sequence[Any]) -> bool:
    """Whether z keeps x's prediction: the same class, or a score within the tolerance."""
    if gam.task.kind == "classification":
        return prediction(gam, x) == prediction(gam, z)
    gap = _add(score(gam, z), -score(gam, x))
    delta = Fraction(gam.task.tolerance)
    return compare(gap, delta) <= 0 and compare(-gap, delta) <= 0


def covering(gam: Any, point: Sequence[Any]) -> Any:
    """The model a result explains ``point`` in: ``gam.covering(point)``, the feature
    space widened just enough to hold it (a model transform, no decision), or ``gam``
    itself when ``point`` is no instance of it (its membership checks then fail)."""
    try:
        return gam.covering(point)
    except (GamExplainError, TypeError):
        return gam


def model_digest(gam: Any) -> str:
    """A SHA-256 of every parameter of the model (the repr of the frozen GAM spells out
    each float exactly), so a result checks only against the model it was computed for."""
    cached = getattr(gam, "__dict__", {}).get(_DIGEST)
    if cached is not None:
        return str(cached)
    text = repr((gam.intercept, gam.task, gam.features, gam.pairs))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if hasattr(gam, "__dict__"):
        # a GAM is immutable, so its digest is computed once (it costs as much as a query)
        object.__setattr__(gam, _DIGEST, digest)
    return digest


_DIGEST = "_certify_model_digest"
