"""The check of a multiclass completion fraction, without the dynamic programme's code.

From the model alone it re-derives

- the marginals the result names and the predicted class at x (exact argmax);
- per free feature, that the certificate's cells are parts of its domain on which every
  class's contribution is constant (one piece of degree 0, or one point), that each
  holds the probability the marginal gives it, that they are disjoint and carry all the
  mass, and that each vector is the winner's contribution minus each rival's there;
- the law of the vector sum, folded again with exact rational probabilities (at the
  certificate's scales, rounding down and then up, for a bracket), and the probability
  that the winner beats every rival (ties to the lowest index): it must be the bounds
  the result shows.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify.attributions import (
    _range_probability,
    _value_probabilities,
    round_down,
    round_up,
)
from gamexplain.certify.evaluate import contribution, in_domain
from gamexplain.certify.multiclass import digest
from gamexplain.certify.multiclass_grid import (
    VectorGridCertificate,
    grid_completion_holds,
    grid_label_holds,
)
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.errors import CertificateTooLargeError
from gamexplain.model.multiclass import MulticlassGAM

__all__ = [
    "MAX_CHECK_STATES",
    "CountCertificate",
    "LabelCertificate",
    "check_completion",
    "check_label_attributions",
]

MAX_CHECK_STATES = 2_000_000
"""Most vectors the re-folded law may hold."""


@dataclass(frozen=True)
class CountCertificate:
    """What a multiclass completion fraction rests on.

    Attributes
    ----------
    model : str
        :func:`~gamexplain.certify.multiclass.digest` of the model asked.
    winner : int
        The predicted class index at x.
    lower, upper : Fraction
        The exact bounds (equal when exact).
    scale : tuple of Fraction or None
        None in exact mode, else the Δ per rival of the bracket.
    laws : tuple
        Per feature, its cells (:class:`~gamexplain.algorithms.multiclass_counting.LawCell`:
        value, left, right, closed, probability, vector), None for a kept feature.
    marginals : tuple
        Each feature's marginal as used (None: uniform).
    """

    model: str
    winner: int
    lower: Fraction
    upper: Fraction
    scale: tuple[Fraction, ...] | None
    laws: tuple[Any, ...]
    marginals: tuple[Any, ...]


def _with_marginals(gam: MulticlassGAM, marginals: Sequence[Any]) -> MulticlassGAM:
    scores = []
    for m in gam.scores:
        features = [replace(f, distribution=d) for f, d in zip(m.features, marginals, strict=True)]
        scores.append(replace(m, features=tuple(features)))
    return MulticlassGAM(gam.task, scores)


def _named(gam: MulticlassGAM, result: Any, marginals: Sequence[Any]) -> bool:
    """The marginals are the ones the result's ``distribution`` names."""
    stored = [f.distribution for f in gam.scores[0].features]
    if len(marginals) != len(stored):
        return False
    shown = result.distribution
    if shown == "uniform":
        return all(d is None for d in marginals)
    if shown == "model":
        return list(marginals) == stored
    return isinstance(shown, tuple) and list(shown) == list(marginals)


def _piece(cuts: Sequence[float], t: Fraction, left: bool) -> int:
    """The piece holding t (``left``: the piece just below t)."""
    exact = [Fraction(c) for c in cuts]
    k = (bisect.bisect_left(exact, t) if left else bisect.bisect_right(exact, t)) - 1
    return min(max(k, 0), len(exact) - 2)


def _constant_on(feature: Any, cell: Any) -> bool:
    """Whether the feature's contribution is one constant on the cell's values."""
    if feature.domain.kind == "finite":
        return True  # a cell of a finite domain is one value (checked by its probability)
    left, right = Fraction(cell.left), Fraction(cell.right)
    if left == right and cell.closed:
        return True
    shape = feature.shape
    if type(shape).__name__ != "Piecewise":
        return False
    if feature.domain.kind == "integers":
        last = math.floor(right) if cell.closed else math.ceil(right) - 1
        k, j = (
            _piece(shape.breakpoints, left, False),
            _piece(shape.breakpoints, Fraction(last), False),
        )
    else:
        k = _piece(shape.breakpoints, left, False)
        j = _piece(shape.breakpoints, right, not cell.closed)
    return k == j and all(c == 0 for c in shape.coefficients[k][1:])


def _cell_probability(feature: Any, cell: Any) -> Fraction | None:
    if feature.domain.kind == "finite":
        values = list(feature.domain.values)
        if cell.value not in values or not (cell.left == cell.right == cell.value):
            return None
        return _value_probabilities(feature)[values.index(cell.value)]
    return _range_probability(feature, Fraction(cell.left), Fraction(cell.right), cell.closed)


def _disjoint(feature: Any, cells: Sequence[Any]) -> bool:
    if feature.domain.kind == "finite":
        values = [c.value for c in cells]
        return len(set(map(repr, values))) == len(values)
    spans = sorted((Fraction(c.left), Fraction(c.right), c.closed) for c in cells)
    return all(a[1] < b[0] or (a[1] == b[0] and not a[2]) for a, b in itertools.pairwise(spans))


def _law(gam: MulticlassGAM, winner: int, i: int, cells: Any) -> list[tuple[Any, Fraction]] | None:
    """The cells as (vector, probability) once each is checked; None if one fails."""
    rivals = [c for c in range(gam.n_classes) if c != winner]
    features = [m.features[i] for m in gam.scores]
    out = []
    for cell in cells:
        if not in_domain_value(gam, i, cell.value) or cell.probability <= 0:
            return None
        if not all(_constant_on(f, cell) for f in features):
            return None
        if features[0].domain.kind != "finite" and not _inside(cell):
            return None
        if _cell_probability(features[0], cell) != cell.probability:
            return None
        at = [Fraction(contribution(m, i, cell.value)) for m in gam.scores]
        if tuple(cell.vector) != tuple(at[winner] - at[c] for c in rivals):
            return None
        out.append((tuple(cell.vector), cell.probability))
    if sum((p for _, p in out), Fraction(0)) != 1 or not _disjoint(features[0], cells):
        return None
    return out


def _inside(cell: Any) -> bool:
    v, left, right = Fraction(cell.value), Fraction(cell.left), Fraction(cell.right)
    return left <= v and (v < right or (cell.closed and v == right))


def in_domain_value(gam: MulticlassGAM, i: int, value: Any) -> bool:
    """Whether ``value`` is a value of feature i's domain."""
    domain: Any = gam.scores[0].features[i].domain
    if domain.kind == "finite":
        return value in domain.values
    try:
        v = Fraction(value)
    except (TypeError, ValueError):
        return False
    return Fraction(domain.low) <= v <= Fraction(domain.high)


def _offsets(
    gam: MulticlassGAM, winner: int, x: Sequence[Any], kept: frozenset[int]
) -> list[Fraction]:
    out = []
    for c in range(gam.n_classes):
        if c == winner:
            continue
        total = Fraction(gam.scores[winner].intercept) - Fraction(gam.scores[c].intercept)
        for i in kept:
            total += Fraction(contribution(gam.scores[winner], i, x[i]))
            total -= Fraction(contribution(gam.scores[c], i, x[i]))
        out.append(total)
    return out


def _probability(
    laws: Sequence[list[tuple[Any, Fraction]]], base: list[Fraction], winner: int,
    n_classes: int, scale: Sequence[Fraction] | None, rounding: Any,
) -> Fraction:  # fmt: skip
    """P(the winner beats every rival), the vectors rounded to ``scale`` by ``rounding``:
    exact vectors in a dictionary, scaled ones on a padded dense grid."""
    rivals = [c for c in range(n_classes) if c != winner]
    if scale is None:
        return _exact_probability(laws, base, winner, rivals)
    steps = [
        [
            (tuple(rounding(v / d) for v, d in zip(vector, scale, strict=True)), p)
            for vector, p in law
        ]
        for law in laws
    ]
    grid, origin, denominator = _padded_fold(steps, len(rivals))
    mask = np.ones(grid.shape, dtype=bool)
    for k, (b, d, c, o) in enumerate(zip(base, scale, rivals, origin, strict=True)):
        # the coordinates along axis k where rival c loses (ties lose when c < winner)
        won = [b + d * (o + t) > 0 or (c > winner and b + d * (o + t) == 0)
               for t in range(grid.shape[k])]  # fmt: skip
        shape = [1] * grid.ndim
        shape[k] = grid.shape[k]
        mask &= np.asarray(won, dtype=bool).reshape(shape)
    return Fraction(int(sum(grid[mask].tolist())), denominator)


def _beats(base: Sequence[Fraction], sums: Sequence[Any], rivals: list[int], winner: int) -> bool:
    return all(
        (b + s > 0) or (c > winner and b + s == 0)
        for b, s, c in zip(base, sums, rivals, strict=True)
    )


def _exact_probability(
    laws: Sequence[list[tuple[Any, Fraction]]], base: list[Fraction], winner: int, rivals: list[int]
) -> Fraction:
    table: dict[tuple[Any, ...], Fraction] = {tuple(0 for _ in rivals): Fraction(1)}
    for law in laws:
        grown: dict[tuple[Any, ...], Fraction] = defaultdict(Fraction)
        for vector, p in law:
            for state, q in table.items():
                grown[tuple(a + b for a, b in zip(state, vector, strict=True))] += p * q
        _bounded(len(grown))
        table = grown
    return sum(
        (q for state, q in table.items() if _beats(base, state, rivals, winner)), Fraction(0)
    )


def _bounded(states: int) -> None:
    if states > MAX_CHECK_STATES:
        raise CertificateTooLargeError(
            f"re-folding the vector law would hold {states} vectors, more than {MAX_CHECK_STATES}"
        )


def _padded_fold(
    steps: Sequence[list[tuple[tuple[int, ...], Fraction]]], dims: int
) -> tuple[Any, list[int], int]:
    """The integer-mass law of the sum on a dense grid, its origin and the denominator:
    per step, the grid placed at its offset in a larger zero grid, the placements summed."""
    grid = np.ones((1,) * dims, dtype=object)
    origin, denominator = [0] * dims, 1
    for law in steps:
        scale = math.lcm(*(p.denominator for _, p in law))
        least = [min(v[k] for v, _ in law) for k in range(dims)]
        most = [max(v[k] for v, _ in law) for k in range(dims)]
        _bounded(math.prod(n + b - a for n, a, b in zip(grid.shape, least, most, strict=True)))
        parts = []
        for vector, p in law:
            part = np.zeros(
                tuple(n + b - a for n, a, b in zip(grid.shape, least, most, strict=True)),
                dtype=object,
            )
            part[...] = 0  # Python integers, which do not overflow
            at = tuple(slice(v - a, v - a + n) for v, a, n in zip(vector, least, grid.shape,
                                                                  strict=True))  # fmt: skip
            part[at] = grid * int(p * scale)
            parts.append(part)
        grid = functools.reduce(operator.add, parts)
        origin = [o + a for o, a in zip(origin, least, strict=True)]
        denominator *= scale
    return grid, origin, denominator


def check_completion(result: Any, gam: Any) -> bool:
    """Re-check a multiclass completion fraction (see the module docstring)."""
    cert = result.certificate
    if not isinstance(gam, MulticlassGAM) or not isinstance(
        cert, CountCertificate | VectorGridCertificate
    ):
        return False
    if cert.model != digest(gam) or not _named(gam, result, cert.marginals):
        return False
    x = tuple(result.instance)
    model = _with_marginals(gam, cert.marginals).covering(x)
    if not in_domain(model.scores[0], x) or not provenance_consistent(model, result, ("cc",)):
        return False
    winner = _explained_class(model, result)
    kept = _kept_features(model, tuple(result.fixed))
    if cert.winner != winner or kept is None:
        return False
    if isinstance(cert, VectorGridCertificate):
        if cert.kind != "cc" or not grid_completion_holds(model, x, kept, cert):
            return False
        low, high = cert.lower[0], cert.upper[0]
        exact = low == high
        return result.exact is exact and (result.status == "solved") is exact and _shown(
            result, low, high
        )
    if len(cert.laws) != model.n_features:
        return False
    laws = []
    for i, cells in enumerate(cert.laws):
        if (cells is None) != (i in kept):
            return False
        if cells is not None:
            law = _law(model, winner, i, cells)
            if law is None:
                return False
            laws.append(law)
    base = _offsets(model, winner, x, kept)
    if cert.scale is not None and (len(cert.scale) != model.n_classes - 1
                                   or any(d <= 0 for d in cert.scale)):  # fmt: skip
        return False
    if cert.scale is None and (cert.lower, cert.upper) == (0, 1):
        low, high = Fraction(0), Fraction(1)  # no round completed: the trivial bracket
        return result.exact is False and result.status != "solved" and _shown(result, low, high)
    low = _probability(laws, base, winner, model.n_classes, cert.scale, math.floor)
    high = low if cert.scale is None else _probability(
        laws, base, winner, model.n_classes, cert.scale, math.ceil)  # fmt: skip
    exact = low == high
    return (
        (low, high) == (cert.lower, cert.upper)
        and result.exact is exact
        and (result.status == "solved") is exact
        and _shown(result, low, high)
    )


def _explained_class(model: MulticlassGAM, result: Any) -> int | None:
    """The index of the class whose win ``result`` counts: its ``target`` label, which must
    be one of the model's classes (None otherwise). Any class is a fair question; the
    re-derivation below is then for that class, so a target shown that the numbers were
    not computed for fails."""
    target = getattr(result, "target", None)
    if isinstance(target, bool) or target not in model.classes:
        return None
    return model.classes.index(target)


def _kept_features(model: MulticlassGAM, names: tuple[str, ...]) -> frozenset[int] | None:
    """The kept features' indices, None unless ``names`` are distinct features in order."""
    if len(set(names)) != len(names) or not set(names) <= set(model.feature_names):
        return None
    if tuple(sorted(names, key=model.feature_names.index)) != names:
        return None
    return frozenset(model.feature_names.index(n) for n in names)


def _shown(result: Any, low: Fraction, high: Fraction) -> bool:
    exact = low == high
    return (
        result.exact_fraction == (low if exact else None)
        and result.lower == round_down(low)
        and result.upper == round_up(high)
        and result.fraction == float((low + high) / 2)
        and (result.message == "") is exact
    )


# -- SHAP and Banzhaf of the label ------------------------------------------------------------
@dataclass(frozen=True)
class LabelCertificate:
    """What multiclass label attributions rest on: as :class:`CountCertificate`, with
    ``kind`` ("shapley" or "banzhaf"), per feature the bounds ``lower``/``upper`` and
    the base value's ``base_lower``/``base_upper``; ``laws`` holds every feature's cells."""

    model: str
    winner: int
    kind: str
    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    base_lower: Fraction
    base_upper: Fraction
    scale: tuple[Fraction, ...] | None
    laws: tuple[Any, ...]
    marginals: tuple[Any, ...]


def _weight(kind: str, n: int, k: int) -> Fraction:
    if kind == "banzhaf":
        return Fraction(1, 2 ** (n - 1))
    return Fraction(math.factorial(k) * math.factorial(n - k - 1), math.factorial(n))


def _sums(
    laws: Sequence[list[tuple[Any, Fraction]]], at_x: Sequence[Any], base: list[Fraction],
    winner: int, rivals: list[int], kind: str, i: int, step: Any, scale: Any,
) -> tuple[Fraction, Fraction]:  # fmt: skip
    """Σ_S w(|S|) v(S ∪ {i}) and Σ_S w(|S|) v(S) over S ⊆ N \\ {i}, the vectors mapped by
    ``step``: coalitions folded as (vector, size) with rational weights."""
    n = len(laws)
    table: dict[tuple[Any, ...], Fraction] = {(*(0 for _ in rivals), 0): Fraction(1)}
    for j in range(n):
        if j == i:
            continue
        options = [((*step(v), 0), p) for v, p in laws[j]] + [((*step(at_x[j]), 1), Fraction(1))]
        grown: dict[tuple[Any, ...], Fraction] = defaultdict(Fraction)
        for state, q in table.items():
            for move, p in options:
                grown[tuple(a + b for a, b in zip(state, move, strict=True))] += p * q
        _bounded(len(grown))
        table = grown

    def beats(s: Sequence[Any]) -> bool:
        sums = s if scale is None else [d * t for d, t in zip(scale, s, strict=True)]
        return _beats(base, sums, rivals, winner)

    with_i, without = Fraction(0), Fraction(0)
    mine = step(at_x[i])
    for state, q in table.items():
        *s, k = state
        w = _weight(kind, n, k) * q
        if beats([a + b for a, b in zip(s, mine, strict=True)]):
            with_i += w
        for v, p in laws[i]:
            if beats([a + b for a, b in zip(s, step(v), strict=True)]):
                without += w * p
    return with_i, without


def check_label_attributions(result: Any, gam: Any) -> bool:
    """Re-check multiclass label attributions: the cells of every feature, then both
    weighted sums of every value folded again (exactly, or rounded down and up at the
    certificate's scales), the base value, and every field shown."""
    cert = result.certificate
    if not isinstance(gam, MulticlassGAM):
        return False
    if isinstance(cert, VectorGridCertificate):
        return _check_grid_label(result, gam)
    if not isinstance(cert, LabelCertificate):
        return False
    if cert.model != digest(gam) or not _named(gam, result, cert.marginals):
        return False
    x = tuple(result.instance)
    model = _with_marginals(gam, cert.marginals).covering(x)
    query = "shap-label" if cert.kind == "shapley" else "banzhaf-label"
    expected_kind = "banzhaf" if "Banzhaf" in type(result).__name__ else "shapley"
    if cert.kind != expected_kind or result.output != "label":
        return False
    if not in_domain(model.scores[0], x) or not provenance_consistent(model, result, (query,)):
        return False
    winner = _explained_class(model, result)
    n = model.n_features
    if cert.winner != winner or len(cert.laws) != n or result.feature_names != model.feature_names:
        return False
    laws = [_law(model, winner, i, cells) for i, cells in enumerate(cert.laws)]
    if any(law is None for law in laws):
        return False
    checked = [law for law in laws if law is not None]
    rivals = [c for c in range(model.n_classes) if c != winner]
    none = _offsets(model, winner, x, frozenset())
    at_x = [
        tuple(a - b for a, b in zip(_offsets(model, winner, x, frozenset({i})), none, strict=True))
        for i in range(n)
    ]
    scale = cert.scale
    if scale is not None and (len(scale) != len(rivals) or any(d <= 0 for d in scale)):
        return False

    def step(rounding: Any) -> Any:
        if scale is None:
            return tuple
        return lambda v: tuple(rounding(a / d) for a, d in zip(v, scale, strict=True))

    lower, upper = [], []
    for i in range(n):
        down = _sums(checked, at_x, none, winner, rivals, cert.kind, i, step(math.floor), scale)
        up = down if scale is None else _sums(
            checked, at_x, none, winner, rivals, cert.kind, i, step(math.ceil), scale)  # fmt: skip
        lower.append(down[0] - up[1])
        upper.append(up[0] - down[1])
    base_low = _probability(checked, none, winner, model.n_classes, scale, math.floor)
    base_high = base_low if scale is None else _probability(
        checked, none, winner, model.n_classes, scale, math.ceil)  # fmt: skip
    exact = lower == upper and base_low == base_high
    return (
        (tuple(lower), tuple(upper)) == (cert.lower, cert.upper)
        and (base_low, base_high) == (cert.base_lower, cert.base_upper)
        and result.exact is exact
        and (result.status == "solved") is exact
        and (result.message == "") is exact
        and result.exact_values == (tuple(lower) if exact else None)
        and result.exact_base_value == (base_low if exact else None)
        and result.base_value == float((base_low + base_high) / 2)
        and list(result.values) == [float((a + b) / 2) for a, b in zip(lower, upper, strict=True)]
        and list(result.lower) == [round_down(v) for v in lower]
        and list(result.upper) == [round_up(v) for v in upper]
    )


def _check_grid_label(result: Any, gam: MulticlassGAM) -> bool:
    """Re-check label attributions bracketed on a grid
    (:func:`~gamexplain.certify.multiclass_grid.grid_label_holds`) and every field shown."""
    cert = result.certificate
    if cert.model != digest(gam) or not _named(gam, result, cert.marginals):
        return False
    x = tuple(result.instance)
    model = _with_marginals(gam, cert.marginals).covering(x)
    expected_kind = "banzhaf" if "Banzhaf" in type(result).__name__ else "shapley"
    query = "shap-label" if expected_kind == "shapley" else "banzhaf-label"
    if cert.kind != expected_kind or result.output != "label":
        return False
    if not in_domain(model.scores[0], x) or not provenance_consistent(model, result, (query,)):
        return False
    if cert.winner != _explained_class(model, result):
        return False
    if result.feature_names != model.feature_names:
        return False
    if not grid_label_holds(model, x, cert):
        return False
    *lower, base_low = cert.lower
    *upper, base_high = cert.upper
    exact = lower == upper and base_low == base_high
    return (
        result.exact is exact
        and (result.status == "solved") is exact
        and (result.message == "") is exact
        and result.exact_values == (tuple(lower) if exact else None)
        and result.exact_base_value == (base_low if exact else None)
        and result.base_value == float((base_low + base_high) / 2)
        and list(result.values) == [float((a + b) / 2) for a, b in zip(lower, upper, strict=True)]
        and list(result.lower) == [round_down(v) for v in lower]
        and list(result.upper) == [round_up(v) for v in upper]
    )
