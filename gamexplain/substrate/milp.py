"""Exact extremes of a one-input ReLU network by mixed-integer programming.

Compiling a ReLU network to its linear pieces (:func:`gamexplain.substrate.pieces.compile_relu`)
is exact but the piece count can grow like (w + 1)^L with depth L and width w. This module
is the other backend of the per-feature primitive: a big-M MILP, solved in floats by
HiGHS through :func:`scipy.optimize.milp`, finds a maximiser; an exact branch and bound
over linear relaxations in rational arithmetic then certifies it (or reports sound
bounds when its budget runs out).

HiGHS is chosen over OR-Tools' SCIP/CBC because scipy is already a core dependency, its
result reports the dual bound and the solver status at a time limit, and it needs no
solver-specific model building.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from gamexplain.errors import InvalidParameterError
from gamexplain.model.domains import Domain, Integers, Interval
from gamexplain.model.shapes import Layer, ReLUNet
from gamexplain.substrate import deadline
from gamexplain.substrate.scaling import common_denominator, to_integers

__all__ = [
    "BOUND_LEAVES",
    "CERTIFY_NODE_LIMIT",
    "ENUMERATE_LIMIT",
    "MILP_TIME_LIMIT",
    "ReluExtremum",
    "relu_extremum",
]

MILP_TIME_LIMIT = 60.0
"""Default wall-clock limit (seconds) of the HiGHS solve."""

CERTIFY_NODE_LIMIT = 200_000
"""Default number of intervals the exact certification may examine."""

ENUMERATE_LIMIT = 1024
"""Integer intervals with at most this many points are closed by exact evaluation of
every point (vectorised integer arithmetic), which costs less than one relaxation."""

BOUND_LEAVES = 256
"""Sub-intervals over which the big-M bounds of the float MILP are taken."""

SolverStatus = Literal["optimal", "time_limit", "failed"]


@dataclass(frozen=True)
class ReluExtremum:
    """The maximum (``sense=1``) or minimum (``sense=-1``) of a ReLU network.

    Attributes
    ----------
    value : Fraction
        The best value found, attained at ``argument``; the exact extremum when ``exact``.
    argument : Fraction
        A domain point where the network takes ``value`` (an integer for ``Integers``).
    exact : bool
        True when the certification proved that no domain point beats ``value``.
    lower, upper : Fraction
        Sound exact bounds on the true extremum (both equal ``value`` when ``exact``).
    solver_status : {"optimal", "time_limit", "failed"}
        What HiGHS reported for the float MILP.
    nodes : int
        Intervals examined by the exact certification.
    """

    value: Fraction
    argument: Fraction
    exact: bool
    lower: Fraction
    upper: Fraction
    solver_status: SolverStatus
    nodes: int


def relu_extremum(
    net: ReLUNet,
    domain: Domain,
    sense: Literal[1, -1] = 1,
    *,
    time_limit: float = MILP_TIME_LIMIT,
    node_limit: int = CERTIFY_NODE_LIMIT,
    enumerate_limit: int = ENUMERATE_LIMIT,
    bound_leaves: int = BOUND_LEAVES,
) -> ReluExtremum:
    """The exact maximum (``sense=1``) or minimum (``sense=-1``) of ``net`` over ``domain``.

    Parameters
    ----------
    net : ReLUNet
    domain : Integers or Interval
        The points the network is optimised over; on ``Integers`` the input is an
        integer variable.
    sense : {1, -1}
    time_limit : float
        Seconds for the float MILP.
    node_limit : int
        Intervals the exact certification may examine before it gives up with bounds.
    enumerate_limit : int, default ENUMERATE_LIMIT
        On ``Integers``, an interval with at most this many integers is closed by exact
        evaluation at each of them; 0 never enumerates.
    bound_leaves : int, default BOUND_LEAVES
        Sub-intervals over which the float MILP's big-M bounds are taken (1: one
        propagation over the whole domain).

    Returns
    -------
    ReluExtremum

    Notes
    -----
    Each hidden unit whose pre-activation z ranges over [L, U] with L < 0 < U gets a
    binary δ and the big-M constraints y ≥ z, y ≥ 0, y ≤ z − L·(1 − δ), y ≤ U·δ; stable
    units are linear. [L, U] is the union of the unit's ranges over up to
    ``bound_leaves`` sub-intervals, cut at the network's own breakpoints: one affine-bound
    propagation over a deep bit-extraction chain loosens by a factor ~2^j per layer (about
    1e24 at 12 bits, which HiGHS rejects), while on pieces where the first layers are
    linear it is exact. Integer sub-intervals of at most ``enumerate_limit`` points get
    their exact ranges by evaluation. The MILP's point is then evaluated exactly, and a
    best-first branch and bound in rationals proves no point is better: on each interval
    it propagates affine lower and upper bounds of every unit (the triangle relaxation for
    unstable ones) and splits at the exact zero of the first unstable unit, so every leaf
    is a linear piece or, on integers, a short run of points evaluated exactly in integer
    arithmetic. The certification is exponential in the worst case (NP-hardness,
    ``thm:nam-mcr-np``); correctness is ``thm:relu-milp-extremes``. Every phase reads the
    query's deadline (:mod:`gamexplain.substrate.deadline`) and raises
    :class:`~gamexplain.substrate.deadline.OutOfTime` past it, so a result is never cut short
    by the caller's clock (only by ``time_limit`` and ``node_limit``, and then says so).

    Examples
    --------
    >>> from gamexplain import Interval, Layer, ReLUNet
    >>> tent = ReLUNet([Layer([[1.0, 1.0]], [0.0, -1.0]), Layer([[1.0], [-2.0]], [0.0])])
    >>> result = relu_extremum(tent, Interval(0, 3))
    >>> (result.value, result.argument, result.exact)
    (Fraction(1, 1), Fraction(1, 1), True)
    """
    _relu_extremum_iv(net, domain, sense, time_limit, node_limit, enumerate_limit, bound_leaves)
    assert isinstance(domain, Integers | Interval)  # checked by _relu_extremum_iv
    layers = _oriented(net, sense)
    integers = isinstance(domain, Integers)
    low, high = Fraction(domain.low), Fraction(domain.high)
    scaled = _Scaled(layers) if integers and enumerate_limit > 0 else None
    limit = enumerate_limit if scaled is not None else 0
    bounds = _big_m_bounds(layers, low, high, integers, scaled, limit, bound_leaves)
    point, solver_status = _solve_milp(
        layers, bounds, float(low), float(high), integers, time_limit
    )
    start = _snap(point, low, high, integers)
    best = max(((_evaluate(layers, p), p) for p in (start, low, high)), key=lambda pair: pair[0])
    value, argument, upper, nodes = _certify(
        layers, low, high, integers, best, node_limit, scaled, limit
    )
    exact = upper <= value
    if sense == 1:
        return ReluExtremum(
            value, argument, exact, value, value if exact else upper, solver_status, nodes
        )
    return ReluExtremum(
        -value, argument, exact, -value if exact else -upper, -value, solver_status, nodes
    )


def _relu_extremum_iv(
    net: object,
    domain: object,
    sense: object,
    time_limit: float,
    node_limit: int,
    enumerate_limit: int,
    bound_leaves: int,
) -> None:
    if not isinstance(net, ReLUNet):
        raise InvalidParameterError(f"relu_extremum needs a ReLUNet, got {net!r}")
    if not isinstance(domain, Integers | Interval):
        raise InvalidParameterError(
            f"The 'domain' parameter of relu_extremum must be an Integers or Interval "
            f"domain. Got {domain!r} instead."
        )
    if sense not in (1, -1):
        raise InvalidParameterError(
            f"The 'sense' parameter of relu_extremum must be one of {{1, -1}}. "
            f"Got {sense!r} instead."
        )
    if not time_limit > 0 or not node_limit > 0:
        raise InvalidParameterError(
            f"time_limit and node_limit must be positive, got {time_limit!r} and {node_limit!r}"
        )
    if not isinstance(enumerate_limit, int) or enumerate_limit < 0:
        raise InvalidParameterError(
            f"The 'enumerate_limit' parameter of relu_extremum must be a non-negative "
            f"integer. Got {enumerate_limit!r} instead."
        )
    if not isinstance(bound_leaves, int) or bound_leaves < 1:
        raise InvalidParameterError(
            f"The 'bound_leaves' parameter of relu_extremum must be a positive integer. "
            f"Got {bound_leaves!r} instead."
        )


# -- exact network in rationals ----------------------------------------------------------
_Exact = tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]


def _oriented(net: ReLUNet, sense: int) -> list[_Exact]:
    """The layers in rationals, the last one negated for a minimum (min f = −max −f)."""
    layers = []
    for depth, layer in enumerate(net.layers):
        flip = -1 if sense == -1 and depth == len(net.layers) - 1 else 1
        weights = tuple(tuple(flip * Fraction(w) for w in row) for row in layer.weights)
        layers.append((weights, tuple(flip * Fraction(b) for b in layer.bias)))
    return layers


def _evaluate(layers: list[_Exact], x: Fraction) -> Fraction:
    h = [x]
    for depth, (weights, bias) in enumerate(layers):
        h = [sum((h[k] * weights[k][j] for k in range(len(h))), bias[j]) for j in range(len(bias))]
        if depth < len(layers) - 1:
            h = [max(v, Fraction(0)) for v in h]
    return h[0]


def _snap(point: float | None, low: Fraction, high: Fraction, integers: bool) -> Fraction:
    if point is None or not math.isfinite(point):
        return low
    x = Fraction(round(point)) if integers else Fraction(point)
    return min(max(x, low), high)


# -- exact evaluation of integer points ------------------------------------------------
class _Scaled:
    """The network on integer inputs in integer arithmetic, many points at once.

    Layer l's weights and bias are multiplied by the common denominator D_l of its
    entries; a hidden vector h is then held as the integer vector H = S_l·h with
    S_l = D_1⋯D_l, because ReLU commutes with a positive factor. numpy's int64 is used
    for a layer whose largest possible sum, bounded from the actual inputs, stays below
    2^62, Python integers otherwise.
    """

    def __init__(self, layers: list[_Exact]) -> None:
        self.layers: list[tuple[list[list[int]], list[int]]] = []
        self.scales: list[int] = []
        scale = 1
        for weights, bias in layers:
            entries = [*(v for row in weights for v in row), *bias]
            d = common_denominator(entries)
            integral = [to_integers(row, d) for row in weights]
            self.layers.append((integral, [v * scale for v in to_integers(bias, d)]))
            scale *= d
            self.scales.append(scale)

    def run(self, a: int, b: int) -> list[np.ndarray]:
        """Pre-activations of every layer at the integers a..b, as scaled integers."""
        h = np.array(range(a, b + 1), dtype=object)[:, None]
        outputs = []
        for depth, (weights, bias) in enumerate(self.layers):
            # no partial sum of this layer exceeds the bound, so below 2^62 int64 is exact
            peak = [int(abs(column).max()) for column in h.T]
            bound = max(
                sum(abs(row[j]) * p for row, p in zip(weights, peak, strict=True)) + abs(bias[j])
                for j in range(len(bias))
            )
            dtype: Any = np.int64 if bound < 2**62 else object
            z = h.astype(dtype) @ np.array(weights, dtype=dtype) + np.array(bias, dtype=dtype)
            outputs.append(z)
            if depth < len(self.layers) - 1:
                h = np.maximum(z, 0)
        return outputs

    def best(self, a: int, b: int) -> tuple[Fraction, Fraction]:
        """The largest output over the integers a..b and where it is taken."""
        out = self.run(a, b)[-1][:, 0]
        i = int(np.argmax(out))
        return Fraction(int(out[i]), self.scales[-1]), Fraction(a + i)

    def ranges(self, a: int, b: int) -> list[list[tuple[float, float]]]:
        """The exact range of every hidden pre-activation over the integers a..b."""
        ranges = []
        for z, scale in zip(self.run(a, b)[:-1], self.scales, strict=False):
            low, high = z.min(axis=0), z.max(axis=0)
            ranges.append(
                [
                    (float(Fraction(int(lo), scale)), float(Fraction(int(hi), scale)))
                    for lo, hi in zip(low, high, strict=True)
                ]
            )
        return ranges


# -- float MILP --------------------------------------------------------------------------
_Bounds = list[tuple[np.ndarray, np.ndarray]]


def _big_m_bounds(
    layers: list[_Exact],
    low: Fraction,
    high: Fraction,
    integers: bool,
    scaled: _Scaled | None,
    enumerate_limit: int,
    leaves: int,
) -> _Bounds:
    """Pre-activation bounds [L, U] of every hidden unit: the union of their ranges over
    a partition of the domain cut at the network's breakpoints, breadth first.

    Each range comes from affine-bound propagation on its sub-interval in floats, or from
    exact evaluation on short integer runs. These bounds only shape the float MILP,
    which gamexplain never trusts, so floats suffice here.
    """
    plain = [
        ([[float(w) for w in row] for row in weights], [float(v) for v in bias])
        for weights, bias in layers
    ]
    start = (int(low), int(high)) if integers else (float(low), float(high))
    queue: collections.deque[tuple[Any, Any]] = collections.deque([start])
    found: list[list[list[tuple[float, float]]]] = []
    while queue:
        deadline.check()
        a, b = queue.popleft()
        if scaled is not None and b - a + 1 <= enumerate_limit:
            found.append(scaled.ranges(a, b))
            continue
        _, split, ranges = _propagate(plain, float(a), float(b))
        if split is None or len(queue) + len(found) + 2 > leaves or not a < split < b:
            found.append(ranges)
            continue
        for lo, hi in ((a, split), (split, b)):
            if integers:
                lo, hi = math.ceil(lo), math.floor(hi)
            if lo <= hi:
                queue.append((lo, hi))
    bounds = []
    for depth in range(len(layers) - 1):
        z_lo = np.min([[r[0] for r in leaf[depth]] for leaf in found], axis=0)
        z_hi = np.max([[r[1] for r in leaf[depth]] for leaf in found], axis=0)
        slack = 1e-7 * (1.0 + np.abs(z_lo) + np.abs(z_hi))  # keep rounding from cutting
        bounds.append((z_lo - slack, z_hi + slack))
    return bounds


def _solve_milp(
    layers: list[_Exact],
    bounds: _Bounds,
    low: float,
    high: float,
    integers: bool,
    time_limit: float,
) -> tuple[float | None, SolverStatus]:
    """A maximiser of the network in floats (HiGHS), with the solver's status."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    left = deadline.remaining()
    capped = time_limit if left is None else min(time_limit, max(left, 1e-3))
    float_layers = [
        Layer([[float(w) for w in row] for row in weights], [float(b) for b in bias])
        for weights, bias in layers
    ]
    encoding = _Encoding(low, high, integers)
    hidden = encoding.input_units()
    for layer, (z_lo, z_hi) in zip(float_layers[:-1], bounds, strict=True):
        hidden = [
            encoding.relu(_affine(layer, hidden, j), z_lo[j], z_hi[j])
            for j in range(layer.n_outputs)
        ]
    objective = _affine(float_layers[-1], hidden, 0)
    c = -encoding.dense(objective)
    a, lb, ub = encoding.matrix()
    result = milp(
        c,
        integrality=np.array(encoding.integrality),
        bounds=Bounds(np.array(encoding.lower), np.array(encoding.upper)),
        constraints=LinearConstraint(a, lb, ub) if len(lb) else None,
        options={"time_limit": capped, "mip_rel_gap": 0.0, "disp": False},
    )
    # stopped by the query's deadline, not by the MILP's own limit: no answer to cache
    deadline.check()
    status: SolverStatus = (
        "optimal" if result.status == 0 else "time_limit" if result.status == 1 else "failed"
    )
    point = None if result.x is None else float(result.x[0])
    return point, status


_Expr = dict[int, float]  # variable -> coefficient; key -1 holds the constant


def _affine(layer: Layer, inputs: list[_Expr], j: int) -> _Expr:
    expr: _Expr = {-1: layer.bias[j]}
    for k, unit in enumerate(inputs):
        for var, coef in unit.items():
            expr[var] = expr.get(var, 0.0) + layer.weights[k][j] * coef
    return expr


class _Encoding:
    """Variables and rows of the big-M model (x is variable 0)."""

    def __init__(self, low: float, high: float, integers: bool) -> None:
        self.lower, self.upper = [low], [high]
        self.integrality = [1 if integers else 0]
        self.rows: list[tuple[_Expr, float, float]] = []

    def input_units(self) -> list[_Expr]:
        return [{0: 1.0}]

    def variable(self, low: float, high: float, integer: bool = False) -> int:
        self.lower.append(low)
        self.upper.append(high)
        self.integrality.append(1 if integer else 0)
        return len(self.lower) - 1

    def relu(self, z: _Expr, low: float, high: float) -> _Expr:
        if high <= 0:
            return {}
        if low >= 0:
            return z
        y, d = self.variable(0.0, high), self.variable(0.0, 1.0, integer=True)
        const = z.get(-1, 0.0)
        z_vars = {v: c for v, c in z.items() if v != -1}
        # y − z ≥ 0;  y − z − L·δ ≤ −L;  y − U·δ ≤ 0
        self.rows.append(({y: 1.0, **{v: -c for v, c in z_vars.items()}}, const, math.inf))
        self.rows.append(({y: 1.0, d: -low, **{v: -c for v, c in z_vars.items()}}, -math.inf,
                          const - low))  # fmt: skip
        self.rows.append(({y: 1.0, d: -high}, -math.inf, 0.0))
        return {y: 1.0}

    def dense(self, expr: _Expr) -> np.ndarray:
        row = np.zeros(len(self.lower))
        for var, coef in expr.items():
            if var >= 0:
                row[var] += coef
        return row

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a = np.array([self.dense(expr) for expr, _, _ in self.rows]).reshape(-1, len(self.lower))
        return a, np.array([r[1] for r in self.rows]), np.array([r[2] for r in self.rows])


# -- exact certification -------------------------------------------------------------------
_Line = tuple[Fraction, Fraction]  # slope, offset: slope·x + offset
_ZERO: _Line = (Fraction(0), Fraction(0))


def _at(line: _Line, x: Fraction) -> Fraction:
    return line[0] * x + line[1]


def _relax(layers: list[_Exact], a: Fraction, b: Fraction) -> tuple[_Line, Fraction | None]:
    """The output's affine upper bound on [a, b], and where to split (None: linear there).

    Every unit carries affine lower and upper bounds valid on [a, b]. The first unstable
    unit sits behind stable layers only, so its pre-activation is exact and its zero is
    a breakpoint of the network: splitting there makes progress.
    """
    line, split, _ = _propagate(layers, a, b)
    return line, split


def _propagate(layers: list[Any], a: Any, b: Any) -> tuple[Any, Any, list[list[tuple[Any, Any]]]]:
    """Affine-bound propagation on [a, b] (rationals, or floats for the MILP's big-Ms).

    Returns the output's upper line, the split point (None when every unit is stable)
    and the numeric pre-activation range [L, U] of every hidden unit.
    """
    zero = a * 0
    one = zero + 1
    units: list[tuple[Any, Any]] = [((one, zero), (one, zero))]
    split = None
    ranges = []
    for depth, (weights, bias) in enumerate(layers):
        hidden = depth < len(layers) - 1
        out = []
        layer_ranges = []
        for j in range(len(bias)):
            up_s, up_o, lo_s, lo_o = zero, bias[j], zero, bias[j]
            for k, (lo, up) in enumerate(units):
                w = weights[k][j]
                if w == 0:
                    continue
                high_side, low_side = (up, lo) if w > 0 else (lo, up)
                up_s, up_o = up_s + w * high_side[0], up_o + w * high_side[1]
                lo_s, lo_o = lo_s + w * low_side[0], lo_o + w * low_side[1]
            up_line, lo_line = (up_s, up_o), (lo_s, lo_o)
            if not hidden:
                out.append((lo_line, up_line))
                continue
            top = max(up_s * a + up_o, up_s * b + up_o)
            bottom = min(lo_s * a + lo_o, lo_s * b + lo_o)
            layer_ranges.append((bottom, top))
            if bottom >= 0:
                out.append((lo_line, up_line))
            elif top <= 0:
                out.append(((zero, zero), (zero, zero)))
            else:
                if split is None and lo_line == up_line:
                    split = -up_o / up_s
                ratio = top / (top - bottom)
                upper = (ratio * up_s, ratio * (up_o - bottom))
                out.append((lo_line if top > -bottom else (zero, zero), upper))
        if hidden:
            ranges.append(layer_ranges)
        units = out
    return units[0][1], split, ranges


def _certify(
    layers: list[_Exact],
    low: Fraction,
    high: Fraction,
    integers: bool,
    incumbent: tuple[Fraction, Fraction],
    node_limit: int,
    scaled: _Scaled | None,
    enumerate_limit: int,
) -> tuple[Fraction, Fraction, Fraction, int]:
    """Best-first branch and bound: (value, argument, upper bound, intervals examined)."""
    value, argument = incumbent
    counter = itertools.count()
    heap: list[tuple[Fraction, int, Fraction, Fraction, Fraction]] = []
    nodes = 0

    def push(a: Fraction, b: Fraction) -> None:
        nonlocal value, argument, nodes
        if integers:
            a, b = Fraction(math.ceil(a)), Fraction(math.floor(b))
            if a > b:
                return
        nodes += 1
        if scaled is not None and b - a + 1 <= enumerate_limit:
            top, point = scaled.best(int(a), int(b))
            if top > value:
                value, argument = top, point
            return
        line, split = _relax(layers, a, b)
        top = max(_at(line, a), _at(line, b))
        if split is None:
            # linear on [a, b]: the bound is attained at an end
            point = a if _at(line, a) >= _at(line, b) else b
            if top > value:
                value, argument = top, point
            return
        if top > value:
            heapq.heappush(heap, (-top, next(counter), a, b, split))

    push(low, high)
    while heap and nodes < node_limit:
        deadline.check()
        negative_top, _, a, b, split = heapq.heappop(heap)
        if -negative_top <= value:
            heap.clear()
            break
        push(a, split)
        push(split, b)
    upper = max([value, *(-entry[0] for entry in heap)])
    return value, argument, upper, nodes
