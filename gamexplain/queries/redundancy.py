"""Feature redundancy: can a feature ever change the prediction on its own?

Feature i is *redundant* when, at every point x of the product domain and for every two
values v, v' of feature i, the two points that differ only in x_i get the same
prediction: the same class (under the model's tie rule), or in regression scores at
most the tolerance δ apart. It is a global property of the model, not of an instance.
Bassan, Moshkovitz and Katz (NeurIPS 2025) show the classification question
coNP-complete in general and polynomial for continuous splines on intervals; see
``proofs/redundancy.md``.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key
from typing import Any

import sympy

from gamexplain.algorithms.brute import BRUTE_FORCE_LIMIT, domain_points
from gamexplain.algorithms.partial_sums_fr import DEFAULT_MAX_STATES
from gamexplain.algorithms.redundancy import Outcome, RedundancyProof, Witness
from gamexplain.complexity.registry import (
    AlgorithmSpec,
    algorithms_for,
    question_cell,
    registered_algorithms,
    select_algorithm,
)
from gamexplain.errors import (
    InvalidInstanceError,
    InvalidParameterError,
    UnsupportedQueryError,
)
from gamexplain.exact import Exact, compare, to_float, to_sympy
from gamexplain.model.domains import Finite, Integers
from gamexplain.model.gam import GAM, check_gam
from gamexplain.model.pieces import Point, Segment, lower
from gamexplain.model.task import Classification
from gamexplain.results import DecisionResult, Stats

__all__ = ["RedundancyResult", "is_redundant"]

_X = sympy.Symbol("x", real=True)

_VERIFY_STATES = 10_000
"""Sums verify re-derives at least, for certificates that do not say how many there are."""


@dataclass(frozen=True, kw_only=True)
class RedundancyResult(DecisionResult):
    """The answer of :func:`is_redundant`; truthy when the feature is redundant.

    Attributes
    ----------
    feature : str
        The feature's name.
    position : int
        Its position in the model.
    holds : bool
        True when the feature is redundant. False when it is not, and also when the run
        stopped early (``status`` is then ``"time_limit"`` or ``"budget_exhausted"``,
        ``exact`` is False and ``certificate`` is None: undecided, never a guess).
    certificate : Witness or RedundancyProof or None
        A :class:`~gamexplain.algorithms.redundancy.Witness` when the feature is not
        redundant; a :class:`~gamexplain.algorithms.redundancy.RedundancyProof` when it
        is.
    """

    feature: str
    position: int

    def __str__(self) -> str:
        name = self.feature
        if self.status != "solved":
            return f"whether {name} is redundant is undecided: {self.message}"
        if self.holds:
            return f"{name} is redundant: no change of {name} alone ever changes the prediction"
        witness = self.certificate
        assert isinstance(witness, Witness)
        rest = ", ".join(
            f"{n}={_show(v)}"
            for j, (n, v) in enumerate(zip(witness.names, witness.point, strict=True))
            if j != self.position
        )
        first, second = witness.outputs
        kind = "class" if isinstance(first, int) else "score"
        return (
            f"{name} is not redundant: at x=({rest}), {name} {_show(witness.value)} gives "
            f"{kind} {_show(first)} and {name} {_show(witness.other_value)} gives "
            f"{kind} {_show(second)}"
        )

    def verify(self, gam: Any) -> bool:
        """Re-check the certificate in exact arithmetic, without the solving algorithm.

        * A **witness** is checked by validating both points against the model's domains
          and re-evaluating them with ``gam.predict_exact``: the classes must differ (in
          regression the scores must be more than δ apart).
        * A **redundancy proof** is checked by re-deriving every per-feature range
          independently (sympy real roots of each piece's derivative, not the primitive
          that solved it). Regression without pairs: feature i's range must be at most δ
          wide. Classification without pairs: the window is recomputed from feature i's
          range; it must be empty, or missed by the box of the others' ranges, or missed
          by their achievable sums recomputed by an independent union-of-intervals
          sweep. Otherwise (pair terms), a small enumerable model is re-enumerated; a
          CP-SAT ``infeasible`` proof of a model too large to enumerate is checked only
          for its scale factor — every parameter times ``scale`` must be an integer, the
          condition under which the encoding's strict inequalities are exact — and the
          solver's infeasibility is trusted.
        * An undecided result (``status`` not ``"solved"``) certifies nothing: False.
        """
        if self.status != "solved" or self.certificate is None:
            return False
        if gam.feature_names[self.position] != self.feature:
            return False
        if isinstance(self.certificate, Witness):
            return not self.holds and _check_witness(gam, self.position, self.certificate)
        return self.holds and _check_redundant(gam, self.position, self.certificate)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction | int):
        number = Fraction(value)
        return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"
    if isinstance(value, sympy.Basic):
        return f"{to_float(value):g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


# -- the public function -----------------------------------------------------------------------
def is_redundant(
    gam: GAM,
    feature: int | str,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    max_states: int = DEFAULT_MAX_STATES,
) -> RedundancyResult:
    """Whether changing feature ``feature`` alone can never change the prediction.

    Parameters
    ----------
    gam : GAM
    feature : int or str
        The feature, by position or name.
    method : {"auto", "range", "continuous", "partial-sums", "cpsat", "brute"}
        ``"auto"`` runs the first algorithm the complexity registry lists for the
        model's cell that applies, and falls back to the next one when the partial sums
        exceed ``max_states``. A named algorithm that cannot answer the cell raises
        :class:`~gamexplain.errors.UnsupportedQueryError`.
    time_limit : float, optional
        Seconds for the CP-SAT solver; when it runs out the result is undecided
        (``status="time_limit"``, ``exact=False``).
    max_states : int, default 100000
        Bound on the atoms a layer of partial sums may hold; past it the partial sums
        stop with ``status="budget_exhausted"``.

    Returns
    -------
    RedundancyResult
        Truthy when the feature is redundant; the certificate is a witness (a point and
        two values of the feature whose predictions differ) or a proof.

    Raises
    ------
    InvalidParameterError
        A parameter is outside its allowed values.
    UnsupportedQueryError
        No algorithm answers the model (for instance pair terms over features with
        non-constant pieces on real intervals).

    Notes
    -----
    Classification: coNP-complete in general (thm:fr-conp), by subset sum; polynomial
    when the other features' contributions are continuous on intervals
    (thm:fr-interval-continuous); pseudo-polynomial by partial sums
    (thm:fr-partial-sums). Regression of an additive model is one range comparison
    (thm:fr-regression-range). Pair terms go to CP-SAT (thm:fr-cpsat) or brute force
    (thm:fr-brute).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> gam = GAM(
    ...     [Feature("a", Finite([0, 1]), Table([0.0, 2.0])),
    ...      Feature("b", Finite([0, 1]), Table([0.0, 0.5]))],
    ...     intercept=-1.0, task=Classification(threshold=0.0))
    >>> bool(is_redundant(gam, "b"))
    True
    >>> print(is_redundant(gam, "a"))
    a is not redundant: at x=(b=0), a 1 gives class 1 and a 0 gives class 0
    """
    position = _is_redundant_iv(gam, feature, method, time_limit, max_states)
    options = {"feature": position, "max_states": max_states, "time_limit": time_limit}
    entry = question_cell(gam, "fr")
    if method == "auto":
        candidates = algorithms_for(entry.cell)
    else:
        candidates = [select_algorithm(gam, "fr", method, options)[1]]
    skipped: list[str] = []
    stopped: RedundancyResult | None = None
    for spec in candidates:
        reason = spec.applies(gam, options) if method == "auto" else None
        if reason is not None:
            skipped.append(f"{spec.name}: {reason}")
            continue
        result = _run(spec, gam, position, str(entry.cell), options)
        if result.status != "budget_exhausted" or method != "auto":
            return result
        stopped = stopped or result
        skipped.append(f"{spec.name}: {result.message}")
    if stopped is not None:
        return stopped
    raise UnsupportedQueryError(
        f"no algorithm answers the cell {entry.cell} here ({'; '.join(skipped)})"
    )


def _run(
    spec: AlgorithmSpec, gam: GAM, position: int, cell: str, options: dict[str, Any]
) -> RedundancyResult:
    start = time.perf_counter()
    outcome: Outcome = spec.func(
        gam, position, max_states=options["max_states"], time_limit=options["time_limit"]
    )
    stats = Stats(seconds=time.perf_counter() - start, oracle_calls=1, work=dict(outcome.work))
    return RedundancyResult(
        holds=outcome.holds,
        exact=outcome.status == "solved",
        algorithm=spec.name,
        cell=cell,
        certificate=outcome.certificate,
        status=outcome.status,
        message=outcome.message,
        stats=stats,
        feature=gam.features[position].name,
        position=position,
    )


def _is_redundant_iv(gam: Any, feature: Any, method: Any, time_limit: Any, max_states: Any) -> int:
    """Validate the arguments of :func:`is_redundant`; the feature's position."""
    check_gam(gam, "is_redundant")
    try:
        position = gam.index(feature)
    except InvalidInstanceError as exc:
        raise InvalidParameterError(
            f"The 'feature' parameter of is_redundant must be a feature name or a position "
            f"in 0..{gam.n_features - 1}. Got {feature!r} instead."
        ) from exc
    names = ["auto", *sorted(s.name for s in registered_algorithms("fr"))]
    if not isinstance(method, str) or method not in names:
        allowed = ", ".join(repr(n) for n in names)
        raise InvalidParameterError(
            f"The 'method' parameter of is_redundant must be one of {{{allowed}}}. "
            f"Got {method!r} instead."
        )
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not math.isfinite(time_limit)
        or time_limit <= 0
    ):
        raise InvalidParameterError(
            "The 'time_limit' parameter of is_redundant must be None or a positive number "
            f"of seconds. Got {time_limit!r} instead."
        )
    if isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 1:
        raise InvalidParameterError(
            "The 'max_states' parameter of is_redundant must be a positive integer. "
            f"Got {max_states!r} instead."
        )
    return position


# -- independent re-checks used by verify ---------------------------------------------------------
def _check_witness(gam: GAM, i: int, witness: Witness) -> bool:
    point = list(witness.point)
    if len(point) != gam.n_features or point[i] != witness.value:
        return False
    other = [witness.other_value if j == i else v for j, v in enumerate(point)]
    try:
        gam.instance(point)
        gam.instance(other)
    except InvalidInstanceError:
        return False
    if isinstance(gam.task, Classification):
        return gam.predict_exact(point) != gam.predict_exact(other)
    gap = to_sympy(gam.score_exact(point)) - to_sympy(gam.score_exact(other))
    return compare(abs(gap), Fraction(gam.task.tolerance)) > 0


# An interval of reals as (low, high, low closed, high closed).
_Ends = tuple[Exact, Exact, bool, bool]


def _check_redundant(gam: GAM, i: int, proof: RedundancyProof) -> bool:
    verdict: bool | None = None
    if gam.is_additive:
        budget = max(4 * (proof.states or 0), _VERIFY_STATES)
        verdict = _additive_verdict(gam, i, budget)
    if verdict is None and _enumerable(gam):
        verdict = _enumerated_verdict(gam, i)
    if verdict is None and proof.kind == "infeasible" and proof.scale is not None:
        verdict = _integral_after_scaling(gam, proof.scale)
    return bool(verdict)


def _additive_verdict(gam: GAM, i: int, budget: int) -> bool | None:
    """True/False when redundancy is decided from independent ranges and sums, else None."""
    chosen = _range(gam.features[i])
    task = gam.task
    if not isinstance(task, Classification):
        return compare(_sub(chosen[1], chosen[0]), Fraction(task.tolerance)) <= 0
    window = _window(gam, chosen)
    if window is None:
        return True
    box: _Ends = (Fraction(0), Fraction(0), True, True)
    for j, feature in enumerate(gam.features):
        if j != i:
            box = _add(box, _range(feature))
    if _meet(box, window) is None:
        return True
    sums = _reachable(gam, i, budget)
    if sums is None:
        return None
    return all(_meet(s, window) is None for s in sums)


def _window(gam: GAM, a: _Ends) -> _Ends | None:
    """{s : the class at score β0 + s + a_i(v) depends on v} from feature i's range."""
    task = gam.task
    assert isinstance(task, Classification)
    c = Fraction(task.threshold) - Fraction(gam.intercept)
    low, high, low_in, high_in = a
    # class 1 needs a_i ≥ c − s (> under '>'), class 0 needs a_i < c − s (≤ under '>')
    u = (low, high, False, high_in) if task.positive == ">=" else (low, high, low_in, False)
    if not _nonempty(u):
        return None
    return (_sub(c, u[1]), _sub(c, u[0]), u[3], u[2])


def _range(feature: Any) -> _Ends:
    """(inf, sup, inf attained, sup attained) of a contribution, by sympy real roots."""
    if isinstance(feature.domain, Finite):
        values = [feature.contribution_exact(v) for v in feature.domain.values]
        ordered = sorted(values, key=cmp_to_key(compare))
        return (ordered[0], ordered[-1], True, True)
    segments = [s for s in lower(feature) if isinstance(s, Segment)]
    return _ends_of([c for s in segments for c in _piece_candidates(s)])


def _ends_of(candidates: list[tuple[Exact, bool]]) -> _Ends:
    """(inf, sup, attained, attained) of candidate (value, attained) pairs; an attained
    candidate wins a tie."""

    def lowest_first(a: tuple[Exact, bool], b: tuple[Exact, bool]) -> int:
        return compare(a[0], b[0]) or int(b[1]) - int(a[1])

    def highest_last(a: tuple[Exact, bool], b: tuple[Exact, bool]) -> int:
        return compare(a[0], b[0]) or int(a[1]) - int(b[1])

    low = min(candidates, key=cmp_to_key(lowest_first))
    high = max(candidates, key=cmp_to_key(highest_last))
    return (low[0], high[0], low[1], high[1])


def _piece_candidates(segment: Segment) -> list[tuple[Exact, bool]]:
    """(value, attained) at the ends of a piece and at the real roots of its derivative."""
    poly = _poly(segment)
    points: list[tuple[Exact, bool]] = [(segment.low, True), (segment.high, segment.closed)]
    if poly.degree() >= 2:
        for root in sympy.real_roots(poly.diff(_X)):
            if compare(root, segment.low) > 0 and compare(root, segment.high) < 0:
                if segment.integers:
                    points += [
                        (Fraction(int(sympy.floor(root))), True),
                        (Fraction(int(sympy.ceiling(root))), True),
                    ]
                else:
                    points.append((root, True))
    return [(_exact(poly.eval(to_sympy(x))), attained) for x, attained in points]


def _poly(segment: Segment) -> sympy.Poly:
    shift = to_sympy(segment.anchor)
    expr = sum(
        (to_sympy(c) * (_X - shift) ** r for r, c in enumerate(segment.coefficients)),
        sympy.Integer(0),
    )
    return sympy.Poly(expr, _X)


def _exact(value: Any) -> Exact:
    value = sympy.nsimplify(value) if isinstance(value, float) else value
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return value


def _sub(a: Exact, b: Exact) -> Exact:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a - b
    return _exact(sympy.expand(to_sympy(a) - to_sympy(b)))


def _add(a: _Ends, b: _Ends) -> _Ends:
    def plus(p: Exact, q: Exact) -> Exact:
        return (
            p + q if isinstance(p, Fraction) and isinstance(q, Fraction) else _sub(p, -to_sympy(q))
        )

    return (plus(a[0], b[0]), plus(a[1], b[1]), a[2] and b[2], a[3] and b[3])


def _nonempty(a: _Ends) -> bool:
    side = compare(a[0], a[1])
    return side < 0 or (side == 0 and a[2] and a[3])


def _meet(a: _Ends, b: _Ends) -> _Ends | None:
    side = compare(a[0], b[0])
    low = (a[0], a[2]) if side > 0 else (b[0], b[2]) if side < 0 else (a[0], a[2] and b[2])
    side = compare(a[1], b[1])
    high = (a[1], a[3]) if side < 0 else (b[1], b[3]) if side > 0 else (a[1], a[3] and b[3])
    joined = (low[0], high[0], low[1], high[1])
    return joined if _nonempty(joined) else None


def _image(feature: Any, budget: int) -> list[_Ends] | None:
    """The contribution's image as intervals and points, or None when too many."""
    pieces = lower(feature)
    if isinstance(pieces[0], Point):
        return [(p.contribution, p.contribution, True, True) for p in pieces]
    out: list[_Ends] = []
    for segment in pieces:
        assert isinstance(segment, Segment)
        poly = _poly(segment)
        if segment.integers and poly.degree() >= 1:
            if segment.high - segment.low + 1 > budget:
                return None
            for x in range(int(segment.low), int(segment.high) + 1):
                value = _exact(poly.eval(x))
                out.append((value, value, True, True))
        elif poly.degree() < 1 or segment.low == segment.high:
            value = _exact(poly.eval(to_sympy(segment.low)))
            out.append((value, value, True, True))
        else:
            out.append(_ends_of(_piece_candidates(segment)))
    return out


def _reachable(gam: GAM, i: int, budget: int) -> list[_Ends] | None:
    """Every achievable sum of the other contributions, as a union of intervals."""
    sums: list[_Ends] = [(Fraction(0), Fraction(0), True, True)]
    for j, feature in enumerate(gam.features):
        if j == i:
            continue
        image = _image(feature, budget)
        if image is None or len(sums) * len(image) > 4 * budget:
            return None
        sums = _union([_add(s, a) for s in sums for a in image])
        if len(sums) > budget:
            return None
    return sums


def _closed_low_first(a: _Ends, b: _Ends) -> int:
    return compare(a[0], b[0]) or int(b[2]) - int(a[2])


def _union(parts: list[_Ends]) -> list[_Ends]:
    if all(isinstance(p[0], Fraction) for p in parts):
        parts.sort(key=lambda p: (p[0], not p[2]))
    else:
        parts.sort(key=cmp_to_key(_closed_low_first))
    out: list[_Ends] = []
    for part in parts:
        if out:
            last = out[-1]
            side = compare(part[0], last[1])
            if side < 0 or (side == 0 and (last[3] or part[2])):
                top = compare(part[1], last[1])
                high = (
                    (part[1], part[3]) if top > 0 else (last[1], last[3] or (top == 0 and part[3]))
                )
                out[-1] = (last[0], high[0], last[2], high[1])
                continue
        out.append(part)
    return out


def _enumerable(gam: GAM) -> bool:
    sizes = [f.domain.size for f in gam.features if isinstance(f.domain, Finite | Integers)]
    return len(sizes) == gam.n_features and math.prod(sizes) <= BRUTE_FORCE_LIMIT


def _enumerated_verdict(gam: GAM, i: int) -> bool:
    """True iff no point of the (small) product domain lets feature i change the output."""
    axes = [domain_points(f) for f in gam.features]
    task = gam.task
    for rest in itertools.product(*[[None] if j == i else a for j, a in enumerate(axes)]):
        point = list(rest)
        outputs = []
        for v in axes[i]:
            point[i] = v
            outputs.append(gam.score_exact(point))
        if isinstance(task, Classification):
            if len({task.label_exact(s) for s in outputs}) > 1:
                return False
        else:
            ordered = sorted(outputs, key=cmp_to_key(compare))
            if compare(_sub(ordered[-1], ordered[0]), Fraction(task.tolerance)) > 0:
                return False
    return True


def _integral_after_scaling(gam: GAM, scale: int) -> bool:
    """Whether ``scale`` times every parameter the CP-SAT encoding uses is an integer."""
    task = gam.task
    numbers: list[Fraction] = [
        Fraction(gam.intercept),
        Fraction(task.threshold if isinstance(task, Classification) else task.tolerance),
    ]
    numbers += [Fraction(v) for pair in gam.pairs for row in pair.values for v in row]
    for feature in gam.features:
        for piece in lower(feature):
            if isinstance(piece, Point):
                numbers.append(piece.contribution)
            else:
                numbers += [Fraction(int(c.p), int(c.q)) for c in _poly(piece).all_coeffs()]
    return scale >= 1 and all((scale * q).denominator == 1 for q in numbers)
