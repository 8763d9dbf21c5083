"""Shape functions f_i: a table over a finite domain, a piecewise polynomial, a ReLU net.

Each shape evaluates vectorised in floats (fast path) and exactly in rationals
(certificates). A value equal to a breakpoint belongs to the piece on its right, as in
``numpy.digitize`` and EBM binning; the last piece is closed.

A piecewise shape is defined on every real number: its first and last pieces extend
beyond the breakpoints with the same polynomial (EBM bins, pyGAM and scikit-learn splines
with linear extrapolation all predict this way). A feature's domain says where completions
range and where its marginal lives, not where the shape stops; see
:meth:`gamexplain.model.gam.GAM.covering`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from gamexplain.errors import InvalidModelError
from gamexplain.exact import Exact, compare, polyval, to_float

__all__ = ["Component", "Layer", "Piecewise", "ReLUNet", "Shape", "Table", "rational_piecewise"]

Component: TypeAlias = Literal["table", "ebm", "spline", "nam"]
MAX_DEGREE = 3


def _finite_floats(values: Any, path: str) -> tuple[float, ...]:
    try:
        items: tuple[Any, ...] = tuple(values)
    except TypeError as exc:
        raise InvalidModelError(f"expected a list of numbers, got {values!r}", path) from exc
    result = []
    for position, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int | float | np.number):
            raise InvalidModelError(f"{item!r} is not a number", f"{path}[{position}]")
        if not math.isfinite(float(item)):
            raise InvalidModelError(f"{item!r} is not finite", f"{path}[{position}]")
        result.append(float(item))
    return tuple(result)


@dataclass(frozen=True)
class Table:
    """One score per value of a :class:`~gamexplain.model.domains.Finite` domain."""

    values: tuple[float, ...]
    component: ClassVar[Component] = "table"

    def __init__(self, values: Sequence[float]) -> None:
        scores = _finite_floats(values, "values")
        if not scores:
            raise InvalidModelError("a table needs at least one score", "values")
        object.__setattr__(self, "values", scores)


@dataclass(frozen=True)
class Piecewise:
    """A piecewise polynomial of degree at most 3.

    On piece k, [b_k, b_{k+1}) (the last piece closed), the value is
    Σ_r c_kr·(x − b_k)^r. The first piece also covers every x < b_0 and the last every
    x > b_m, with the same polynomial: the shape is defined on all reals.

    Parameters
    ----------
    breakpoints : sequence of float
        b_0 < b_1 < … < b_m, strictly increasing, at least two.
    coefficients : sequence of sequences of float
        ``coefficients[k]`` lists c_k0, c_k1, … in increasing powers (1 to 4 numbers).
    """

    breakpoints: tuple[float, ...]
    coefficients: tuple[tuple[float, ...], ...]

    def __init__(
        self, breakpoints: Sequence[float], coefficients: Sequence[Sequence[float]]
    ) -> None:
        cuts = _finite_floats(breakpoints, "breakpoints")
        if len(cuts) < 2:
            raise InvalidModelError("at least two breakpoints are needed", "breakpoints")
        for k in range(len(cuts) - 1):
            if not cuts[k] < cuts[k + 1]:
                raise InvalidModelError(
                    f"breakpoints must be strictly increasing: {cuts[k]} then {cuts[k + 1]}",
                    f"breakpoints[{k + 1}]",
                )
        try:
            rows = tuple(coefficients)
        except TypeError as exc:
            raise InvalidModelError("expected a list of lists", "coefficients") from exc
        if len(rows) != len(cuts) - 1:
            raise InvalidModelError(
                f"{len(cuts) - 1} pieces need {len(cuts) - 1} coefficient lists, got {len(rows)}",
                "coefficients",
            )
        polys = tuple(_finite_floats(row, f"coefficients[{k}]") for k, row in enumerate(rows))
        for k, poly in enumerate(polys):
            if not 1 <= len(poly) <= MAX_DEGREE + 1:
                raise InvalidModelError(
                    f"a piece has 1 to {MAX_DEGREE + 1} coefficients (degree ≤ {MAX_DEGREE}), "
                    f"got {len(poly)}",
                    f"coefficients[{k}]",
                )
        object.__setattr__(self, "breakpoints", cuts)
        object.__setattr__(self, "coefficients", polys)

    @functools.cached_property
    def degree(self) -> int:
        """The largest degree of any piece (trailing zero coefficients ignored)."""
        return max(_degree(poly) for poly in self.coefficients)

    @functools.cached_property
    def _exact(self) -> tuple[tuple[Fraction, ...], tuple[tuple[Fraction, ...], ...]]:
        """The breakpoints and local coefficients as Fractions (converted once)."""
        cuts = tuple(Fraction(b) for b in self.breakpoints)
        return cuts, tuple(tuple(Fraction(c) for c in poly) for poly in self.coefficients)

    @property
    def component(self) -> Component:
        """``"ebm"`` for step functions (degree 0), ``"spline"`` otherwise."""
        return "ebm" if self.degree == 0 else "spline"

    @property
    def n_pieces(self) -> int:
        return len(self.coefficients)

    def piece_index(self, x: NDArray[np.float64]) -> NDArray[np.intp]:
        """The piece holding each value (right-continuous; the outermost pieces extend)."""
        index = np.searchsorted(np.asarray(self.breakpoints), x, side="right") - 1
        return np.clip(index, 0, self.n_pieces - 1)

    def evaluate(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Vectorised float evaluation at any real value (the outermost pieces extend)."""
        x = np.asarray(x, dtype=float)
        k = self.piece_index(x)
        t = x - np.asarray(self.breakpoints)[k]
        width = MAX_DEGREE + 1
        table = np.zeros((self.n_pieces, width))
        for row, poly in enumerate(self.coefficients):
            table[row, : len(poly)] = poly
        out = np.zeros_like(t)
        for r in range(width - 1, -1, -1):
            out = out * t + table[k, r]
        return out

    def rounding_bound(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """A rigorous bound on |evaluate(x) − f(x)|: the rounding of x − b_k and of Horner's
        rule is at most γ_12·Σ_r |c_kr|·|x − b_k|^r (Higham, *Accuracy and Stability of
        Numerical Algorithms*, §5.1; γ_k = k·u/(1 − k·u))."""
        x = np.asarray(x, dtype=float)
        k = self.piece_index(x)
        t = np.abs(x - np.asarray(self.breakpoints)[k])
        width = MAX_DEGREE + 1
        table = np.zeros((self.n_pieces, width))
        for row, poly in enumerate(self.coefficients):
            table[row, : len(poly)] = np.abs(np.asarray(poly, dtype=float))
        size = np.zeros_like(t)
        for r in range(width - 1, -1, -1):
            size = size * t + table[k, r]
        # rational coefficients (see rational_piecewise) are rounded to floats first
        rounded = any(isinstance(c, Fraction) for poly in self.coefficients for c in poly)
        return _gamma(3 * width + int(rounded)) * size

    def evaluate_exact(self, value: Exact) -> Exact:
        """Exact evaluation at a rational (or algebraic) value (the outermost pieces extend)."""
        if isinstance(value, Fraction):
            exact_cuts, local_polys = self._exact
            last = self.n_pieces - 1
            k = min(max(bisect.bisect_right(self.breakpoints, _rough(value)) - 1, 0), last)
            # float rounding can misplace the value next to a breakpoint; settle it exactly
            while k > 0 and value < exact_cuts[k]:
                k -= 1
            while k < last and value >= exact_cuts[k + 1]:
                k += 1
            local = local_polys[k]
            return local[0] if len(local) == 1 else polyval(local, value - exact_cuts[k])
        cuts = self.breakpoints
        k = int(np.searchsorted(np.asarray(cuts), to_float(value), side="right")) - 1
        # the float search can be off by one next to a breakpoint; settle it exactly
        k = min(max(k, 0), self.n_pieces - 1)
        while k > 0 and compare(value, Fraction(cuts[k])) < 0:
            k -= 1
        while k < self.n_pieces - 1 and compare(value, Fraction(cuts[k + 1])) >= 0:
            k += 1
        local = tuple(Fraction(c) for c in self.coefficients[k])
        return polyval(local, value - Fraction(cuts[k]))


def rational_piecewise(
    breakpoints: Sequence[float], coefficients: Sequence[Sequence[Fraction]]
) -> Piecewise:
    """A :class:`Piecewise` whose local coefficients are exact rationals.

    Re-expanding a piece around another breakpoint (as
    :meth:`gamexplain.model.gam.GAM.covering` does to split a piece) gives rationals a
    float need not hold; this keeps them exact. Such a shape evaluates exactly like any
    other; its float path rounds the coefficients first, which its rounding bound covers.
    It exists only in memory: the ``gamexplain/1`` format stores floats.

    Parameters
    ----------
    breakpoints : sequence of float
        Strictly increasing floats, at least two.
    coefficients : sequence of sequences of Fraction
        One to four local coefficients per piece.
    """
    cuts = _finite_floats(breakpoints, "breakpoints")
    rows = tuple(tuple(Fraction(c) for c in row) for row in coefficients)
    if len(cuts) < 2 or any(a >= b for a, b in itertools.pairwise(cuts)):
        raise InvalidModelError(
            "breakpoints must be at least two, strictly increasing", "breakpoints"
        )
    if len(rows) != len(cuts) - 1 or not all(1 <= len(r) <= MAX_DEGREE + 1 for r in rows):
        raise InvalidModelError("one to four coefficients per piece are needed", "coefficients")
    shape = object.__new__(Piecewise)
    object.__setattr__(shape, "breakpoints", cuts)
    object.__setattr__(shape, "coefficients", rows)
    return shape


def _rough(value: Fraction) -> float:
    """A float near ``value`` for a first search: ±inf beyond float range (the shape
    extends to every number, so such values are evaluated too)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _gamma(k: int) -> float:
    """γ_k = k·u/(1 − k·u), the classic bound on the rounding of k float operations."""
    unit = 2.0**-53
    return k * unit / (1 - k * unit)


def _degree(poly: tuple[float, ...]) -> int:
    for r in range(len(poly) - 1, 0, -1):
        if poly[r] != 0.0:
            return r
    return 0


@dataclass(frozen=True)
class Layer:
    """A dense layer: ``out = in @ weights + bias`` (``weights`` is inputs × outputs)."""

    weights: tuple[tuple[float, ...], ...]
    bias: tuple[float, ...]

    def __init__(self, weights: Sequence[Sequence[float]], bias: Sequence[float]) -> None:
        try:
            rows = tuple(weights)
        except TypeError as exc:
            raise InvalidModelError("expected a list of lists", "weights") from exc
        matrix = tuple(_finite_floats(row, f"weights[{i}]") for i, row in enumerate(rows))
        if not matrix or not matrix[0]:
            raise InvalidModelError("a layer needs at least one weight", "weights")
        for i, row in enumerate(matrix):
            if len(row) != len(matrix[0]):
                raise InvalidModelError(
                    f"row {i} has {len(row)} weights, row 0 has {len(matrix[0])}",
                    f"weights[{i}]",
                )
        offsets = _finite_floats(bias, "bias")
        if len(offsets) != len(matrix[0]):
            raise InvalidModelError(
                f"{len(matrix[0])} outputs need {len(matrix[0])} biases, got {len(offsets)}",
                "bias",
            )
        object.__setattr__(self, "weights", matrix)
        object.__setattr__(self, "bias", offsets)

    @property
    def n_inputs(self) -> int:
        return len(self.weights)

    @property
    def n_outputs(self) -> int:
        return len(self.bias)


@dataclass(frozen=True)
class ReLUNet:
    """A one-input, one-output multilayer perceptron with ReLU between layers.

    ReLU follows every layer but the last, whose single output is the shape's value.
    """

    layers: tuple[Layer, ...]
    component: ClassVar[Component] = "nam"

    def __init__(self, layers: Sequence[Layer]) -> None:
        stack = tuple(layers)
        if not stack:
            raise InvalidModelError("a network needs at least one layer", "layers")
        for i, layer in enumerate(stack):
            if not isinstance(layer, Layer):
                raise InvalidModelError(f"{layer!r} is not a Layer", f"layers[{i}]")
        if stack[0].n_inputs != 1:
            raise InvalidModelError(
                f"the first layer must take 1 input, it takes {stack[0].n_inputs}",
                "layers[0].weights",
            )
        if stack[-1].n_outputs != 1:
            raise InvalidModelError(
                f"the last layer must give 1 output, it gives {stack[-1].n_outputs}",
                f"layers[{len(stack) - 1}].bias",
            )
        for i in range(1, len(stack)):
            if stack[i].n_inputs != stack[i - 1].n_outputs:
                raise InvalidModelError(
                    f"takes {stack[i].n_inputs} inputs but layer {i - 1} gives "
                    f"{stack[i - 1].n_outputs}",
                    f"layers[{i}].weights",
                )
        object.__setattr__(self, "layers", stack)

    def evaluate(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Vectorised float evaluation."""
        h = np.asarray(x, dtype=float).reshape(-1, 1)
        for i, layer in enumerate(self.layers):
            h = h @ np.asarray(layer.weights) + np.asarray(layer.bias)
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0].reshape(np.shape(x))

    def rounding_bound(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """A rigorous bound on |evaluate(x) − f(x)|, carried layer by layer: a dot product
        of m terms plus a bias errs by at most γ_(m+1) times the sum of the magnitudes of
        its terms, earlier errors pass through |W|, and ReLU (1-Lipschitz) adds none."""
        size = np.abs(np.asarray(x, dtype=float)).reshape(-1, 1)
        error = np.zeros_like(size)
        for layer in self.layers:
            weights = np.abs(np.asarray(layer.weights))
            size = size @ weights + np.abs(np.asarray(layer.bias))
            error = error @ weights + _gamma(layer.n_inputs + 1) * size
        # the magnitudes themselves are float sums: a factor 2 covers their own rounding
        return 2.0 * error[:, 0].reshape(np.shape(x))

    def evaluate_exact(self, value: Exact) -> Exact:
        """Exact evaluation at a rational (or algebraic) value."""
        h: list[Exact] = [value]
        for i, layer in enumerate(self.layers):
            h = [
                sum((h[k] * Fraction(layer.weights[k][j]) for k in range(len(h))), Fraction(0))
                + Fraction(layer.bias[j])
                for j in range(layer.n_outputs)
            ]
            if i < len(self.layers) - 1:
                h = [v if compare(v, 0) > 0 else Fraction(0) for v in h]
        return h[0]


Shape: TypeAlias = Table | Piecewise | ReLUNet
