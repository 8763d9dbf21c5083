"""Vectorised exact kernels: one question asked of many rows of a main-effects model.

On a purely additive model whose features take finitely many contribution values (finite
domains, step functions such as EBM bins, on any domain kind), every reason question of
a row is decided by the row's *levels*: which value each feature's contribution takes.
The kernels here work on the n × p matrix of levels:

* the exact per-feature extremes, pushes (c − min, max − c) and their global exact order
  are computed once per model (:class:`Levels`), so sorting a row's pushes by
  (exact value, feature position) is a sort of integer ranks, exact and with the same
  tie-breaking as the single-row greedy of :mod:`gamexplain.algorithms.greedy`;
* the sums that decide sufficiency are taken in floats over correctly rounded inputs,
  with a rigorous bound on their error (Higham, *Accuracy and Stability of Numerical
  Algorithms*, §3.1: γ_m = m·u/(1 − m·u) times the sum of the magnitudes, doubled to
  cover the rounding of the bound); a row whose decision lies within that bound of its
  threshold — ties, scores exactly on the threshold — is flagged ``unknown`` and its
  caller redoes it with the single-row exact code.

:data:`BATCH_KERNELS` is the registry of these kernels, keyed by the query name of
:mod:`gamexplain.complexity.queries`; a kernel for another query (responsiveness, LOCO,
multiclass) registers itself with :func:`register_batch_kernel` and the batch front door
(:func:`gamexplain.explain`) picks it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.model.domains import Finite
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification
from gamexplain.substrate.pieces import Point, lower
from gamexplain.substrate.primitives import contribution_max, contribution_mean, contribution_min

__all__ = [
    "BATCH_KERNELS",
    "MULTICLASS_ROWS",
    "ROW_QUERIES",
    "BatchKernel",
    "KernelOutput",
    "Levels",
    "RowBatch",
    "batch_levels",
    "discrete_reason",
    "prepare_rows",
    "register_batch_kernel",
    "register_row_query",
    "rows_reason",
]

UNIT = 2.0**-53


def gamma(k: int) -> float:
    """γ_k = k·u/(1 − k·u), the relative error bound of k float operations."""
    return k * UNIT / (1 - k * UNIT)


# -- the per-model tables ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Levels:
    """Exact per-level tables of a main-effects model with finitely many contribution values.

    Attributes
    ----------
    exact : tuple of tuple of Fraction
        Per feature, the contribution β_i·f_i of each level (a domain value of a finite
        domain, a piece of a step function).
    contrib : tuple of ndarray
        The same, each correctly rounded to a float.
    pushes : dict
        ``"min"`` → per feature the floats of c − min c, ``"max"`` → of max c − c.
    ranks : dict
        Per side, per feature: the rank of each level's exact push among every push of
        every feature (equal pushes share a rank).
    arguments : dict
        Per side, per feature: a domain value attaining that extremum.
    shap : tuple of ndarray
        Per feature, the floats of c − E c (the Shapley value of the score).
    base : float
        The float of intercept + Σ E c.
    """

    gam: Any
    exact: tuple[tuple[Fraction, ...], ...]
    contrib: tuple[NDArray[np.float64], ...]
    pushes: dict[str, tuple[NDArray[np.float64], ...]]
    ranks: dict[str, tuple[NDArray[np.int64], ...]]
    arguments: dict[str, tuple[Any, ...]]
    shap: tuple[NDArray[np.float64], ...]
    base: float
    lows: NDArray[np.float64] = field(repr=False)
    highs: NDArray[np.float64] = field(repr=False)


def discrete_reason(gam: Any) -> str | None:
    """None when the kernels apply to ``gam``, else why rows go one by one."""
    if gam.pairs:
        return "the model has pairwise terms"
    for feature in gam.features:
        shape = feature.shape
        if isinstance(feature.domain, Finite):
            continue
        if not isinstance(shape, Piecewise) or shape.degree != 0:
            return f"feature {feature.name!r} is not a step function or a finite domain"
        if not all(isinstance(b, float) for b in shape.breakpoints):
            return f"feature {feature.name!r} has breakpoints that are not floats"
    for feature in gam.features:
        for e in (contribution_min(feature), contribution_max(feature)):
            if not (e.exact and e.attained and isinstance(e.value, Fraction)):
                return f"feature {feature.name!r} has an extremum that is not attained"
    return None


def _level_values(feature: Any) -> tuple[Fraction, ...]:
    if isinstance(feature.domain, Finite):
        points = lower(feature)
        assert isinstance(points[0], Point)
        return tuple(Fraction(p.contribution) for p in points)
    beta = Fraction(feature.weight)
    return tuple(beta * Fraction(row[0]) for row in feature.shape.coefficients)


def _ranks(values: list[tuple[Fraction, ...]]) -> tuple[NDArray[np.int64], ...]:
    order = {v: k for k, v in enumerate(sorted({v for row in values for v in row}))}
    return tuple(np.array([order[v] for v in row], dtype=np.int64) for row in values)


def _floats(values: tuple[Fraction, ...]) -> NDArray[np.float64]:
    # float(Fraction) rounds correctly to nearest
    return np.array([float(v) for v in values], dtype=float)


def _bound(value: Any, up: bool) -> float:
    """The float nearest a domain end on the inside, so float comparisons are exact."""
    exact = Fraction(value)
    f = float(exact)
    if up and Fraction(f) < exact:
        f = float(np.nextafter(f, np.inf))
    if not up and Fraction(f) > exact:
        f = float(np.nextafter(f, -np.inf))
    return f


@lru_cache(maxsize=32)
def batch_levels(gam: Any) -> Levels:
    """The exact tables of ``gam`` (which must pass :func:`discrete_reason`), cached.

    Notes
    -----
    O(L log L) exact comparisons for the L levels of all features, once per model.
    """
    exact = tuple(_level_values(f) for f in gam.features)
    low = [contribution_min(f) for f in gam.features]
    high = [contribution_max(f) for f in gam.features]
    down = [tuple(c - e.value for c in row) for row, e in zip(exact, low, strict=True)]
    up = [tuple(e.value - c for c in row) for row, e in zip(exact, high, strict=True)]
    means = [contribution_mean(f, f.distribution) for f in gam.features]
    shap = tuple(_floats(tuple(c - m for c in row)) for row, m in zip(exact, means, strict=True))
    numeric = [not isinstance(f.domain, Finite) for f in gam.features]
    return Levels(
        gam=gam,
        exact=exact,
        contrib=tuple(_floats(row) for row in exact),
        pushes={"min": tuple(map(_floats, down)), "max": tuple(map(_floats, up))},
        ranks={"min": _ranks(down), "max": _ranks(up)},
        arguments={"min": tuple(e.argument for e in low), "max": tuple(e.argument for e in high)},
        shap=shap,
        base=float(Fraction(gam.intercept) + sum(means, Fraction(0))),
        lows=np.array(
            [
                _bound(f.domain.low, True) if n else 0.0
                for f, n in zip(gam.features, numeric, strict=True)
            ]
        ),
        highs=np.array(
            [
                _bound(f.domain.high, False) if n else 0.0
                for f, n in zip(gam.features, numeric, strict=True)
            ]
        ),
    )


# -- the rows ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RowBatch:
    """The level matrix of many rows and what every kernel reads from it.

    ``unsure`` marks rows whose class lies within the float bound of the threshold;
    ``side`` is the push that threatens each row's class (True: toward the minimum).
    """

    levels: Levels
    level: NDArray[np.intp]
    fixed: NDArray[np.bool_]
    score: NDArray[np.float64]
    magnitude: NDArray[np.float64]
    prediction: NDArray[np.int64] | None
    unsure: NDArray[np.bool_]
    slack: NDArray[np.float64]
    side: NDArray[np.bool_]

    def gather(
        self, tables: tuple[NDArray[Any], ...], level: NDArray[np.intp] | None = None
    ) -> NDArray[Any]:
        """Per row and feature, the entry of the row's level (or of ``level``)."""
        level = self.level if level is None else level
        # gathered feature by feature into rows of a (features × rows) array, then
        # turned once into the (rows × features) layout the row-wise sorts read
        stacked = np.stack([t[level[:, f]] for f, t in enumerate(tables)])
        return np.ascontiguousarray(stacked.T)

    def pushes(self, side: str | None = None) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """(float pushes, exact ranks) toward ``side``, or toward each row's threat."""
        levels = self.levels
        if side is not None:
            return self.gather(levels.pushes[side]), self.gather(levels.ranks[side])
        # one table per feature holds the pushes down, then up: a row threatened from
        # below reads the first half
        both = tuple(np.concatenate(pair) for pair in zip(*levels.pushes.values(), strict=True))
        ranks = tuple(np.concatenate(pair) for pair in zip(*levels.ranks.values(), strict=True))
        sizes = np.array([len(t) for t in levels.pushes["min"]])
        shifted = self.level + np.where(self.side[:, None], 0, sizes[None, :])
        return self.gather(both, shifted), self.gather(ranks, shifted)

    def bound(self, extra: NDArray[np.float64]) -> NDArray[np.float64]:
        """A rigorous bound on the error of any float sum of these rows' terms."""
        p = self.level.shape[1]
        return 2.0 * gamma(2 * p + 8) * (self.magnitude + extra)

    def order_unsure(
        self, order: NDArray[np.intp], count: NDArray[np.intp], side: str | None, largest: bool
    ) -> NDArray[np.bool_]:
        """Rows whose first ``count`` features in ``order`` might not be first in the
        exact order: none here, the ranks are exact (curved rows override this)."""
        return np.zeros(len(self.level), dtype=bool)


def level_matrix(
    levels: Levels, columns: list[NDArray[Any]]
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """The level of every row and feature, and which rows leave a numeric domain."""
    gam = levels.gam
    n = len(columns[0])
    out = np.empty((n, gam.n_features), dtype=np.intp, order="F")
    outside = np.zeros(n, dtype=bool)
    for f, (feature, column) in enumerate(zip(gam.features, columns, strict=True)):
        if isinstance(feature.domain, Finite):
            index = {v: k for k, v in enumerate(feature.domain.values)}
            out[:, f] = np.fromiter((index[v] for v in column), dtype=np.intp, count=n)
            continue
        numbers = np.asarray(column, dtype=float)
        out[:, f] = feature.shape.piece_index(numbers)
        outside |= (numbers < levels.lows[f]) | (numbers > levels.highs[f])
    return out, outside


def prepare_rows(levels: Levels, level: NDArray[np.intp], fixed: frozenset[int]) -> RowBatch:
    """Scores, classes and slacks of rows given by their levels.

    Notes
    -----
    O(n·p) gathers and additions.
    """
    gam = levels.gam
    contributions = np.stack([t[level[:, f]] for f, t in enumerate(levels.contrib)]).T
    task = gam.task
    offset = Fraction(gam.intercept)
    classification = isinstance(task, Classification)
    if classification:
        offset -= task.threshold_exact
    b = float(offset)
    raw = b + contributions.sum(axis=1)
    magnitude = abs(b) + np.abs(contributions).sum(axis=1)
    mask = np.zeros(gam.n_features, dtype=bool)
    mask[list(fixed)] = True
    n = len(level)
    score = float(gam.intercept) + contributions.sum(axis=1)
    prediction, slack, side = None, raw, np.ones(n, dtype=bool)
    unsure = np.zeros(n, dtype=bool)
    if classification:
        p = gam.n_features
        unsure = np.abs(raw) <= 2.0 * gamma(2 * p + 8) * magnitude
        side = raw > 0
        prediction = side.astype(np.int64)
        slack = np.abs(raw)
    return RowBatch(levels, level, mask, score, magnitude, prediction, unsure, slack, side)


# -- kernel outputs and the registry --------------------------------------------------------
@dataclass
class KernelOutput:
    """What a kernel found for each row.

    ``mask`` marks the reason's features (kept for sufficient reasons, changed for
    contrastive ones); ``exists`` is False where no contrastive reason exists; ``holds``
    answers a sufficiency check; ``values`` holds attributions; ``unknown`` marks the
    rows the float pass could not decide, to be redone exactly.
    """

    unknown: NDArray[np.bool_]
    mask: NDArray[np.bool_] | None = None
    exists: NDArray[np.bool_] | None = None
    holds: NDArray[np.bool_] | None = None
    values: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class BatchKernel:
    """A registered vectorised kernel for one query.

    ``applies(gam) -> None`` when it runs on the model, else the reason rows go one by
    one through the single-row query; ``func(rows, **options) -> KernelOutput``.
    """

    query: str
    name: str
    summary: str
    theorem: str
    applies: Callable[[Any], str | None]
    func: Callable[..., KernelOutput]


BATCH_KERNELS: dict[str, BatchKernel] = {}


def register_batch_kernel(
    query: str, name: str, *, summary: str, theorem: str,
    applies: Callable[[Any], str | None] = discrete_reason,
) -> Callable[[Callable[..., KernelOutput]], Callable[..., KernelOutput]]:  # fmt: skip
    """Decorator registering ``func`` as the batch kernel of ``query``."""

    def decorate(func: Callable[..., KernelOutput]) -> Callable[..., KernelOutput]:
        BATCH_KERNELS[query] = BatchKernel(query, name, summary, theorem, applies, func)
        return func

    return decorate


#: Queries the batch front door answers only row by row, each with why (no vectorised
#: kernel yet): a vectorised kernel for one of them registers with
#: :func:`register_batch_kernel` and removes its row here.
ROW_QUERIES: dict[str, str] = {}

#: Why every row of a multiclass model goes through the single-row multiclass query.
MULTICLASS_ROWS = (
    "a multiclass model: each row goes through the single-row multiclass query (its "
    "rival models for reasons, the K class scores' closed forms for SHAP, "
    "thm:multiclass-shap-score)"
)


def register_row_query(query: str, why: str) -> None:
    """Register ``query`` as answered row by row by its single-row function, and why."""
    ROW_QUERIES[query] = why


for _query, _hard, _dp in (
    ("shap-label", "thm:shap-label-sharp-p", "thm:shap-label-dp"),
    ("banzhaf-label", "thm:shap-label-sharp-p", "thm:shap-label-dp"),
    ("cc", "thm:cc-sharp-p", "thm:cc-dp"),
):
    register_row_query(
        _query,
        f"#P-complete in every cell of the registry ({_hard}): each row runs the "
        f"pseudo-polynomial dynamic program over partial sums ({_dp}), or certified "
        "brackets past its state budget (thm:label-bounds, thm:label-grid)",
    )


def rows_reason(gam: Any) -> str | None:
    """None when the reason kernels read ``gam``'s rows: levels of step functions and
    finite domains, or curved features read in floats with rigorous bounds
    (:mod:`gamexplain.algorithms.batch_curved`); else why rows go one by one."""
    why = discrete_reason(gam)
    if why is None:
        return None
    from gamexplain.algorithms.batch_curved import curved_reason

    return why if curved_reason(gam) is not None else None


def _classification_only(gam: Any) -> str | None:
    if gam.task.kind != "classification":
        return "a minimum sufficient reason in regression is NP-hard (thm:msr-regression-np)"
    return rows_reason(gam)


# -- prefix decisions --------------------------------------------------------------------------
def _first_reaching(
    sorted_w: NDArray[np.float64], room: NDArray[np.float64], bound: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.bool_], NDArray[np.bool_]]:
    """Per row: the first prefix whose total certainly reaches ``room``, whether none
    does, and whether the first prefix not certainly below is undecided."""
    with np.errstate(invalid="ignore"):
        gap = np.cumsum(sorted_w, axis=1) - room[:, None]
    below = gap < -bound[:, None]
    first = np.argmax(~below, axis=1)
    none = np.asarray(below.all(axis=1), dtype=bool)
    rows = np.arange(len(first))
    unknown: NDArray[np.bool_] = ~none & ~(gap[rows, first] > bound)
    return first, none, unknown


def _scatter(order: NDArray[np.intp], count: NDArray[np.intp]) -> NDArray[np.bool_]:
    """The mask of the first ``count`` features of each row's ``order``."""
    taken = np.arange(order.shape[1])[None, :] < count[:, None]
    mask = np.zeros(order.shape, dtype=bool)
    np.put_along_axis(mask, order, taken, axis=1)
    return mask


def _sorted(
    key: NDArray[np.int64], weights: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    # a stable sort: equal exact pushes keep model order, as sort_lex does
    order = np.argsort(key, axis=1, kind="stable")
    return order, np.take_along_axis(weights, order, axis=1)


# -- the kernels ----------------------------------------------------------------------------------
@register_batch_kernel(
    "msr", "batch-greedy", applies=_classification_only, theorem="thm:msr-greedy",
    summary="rank-sorted pushes per row, float prefix sums with a rigorous error bound",
)  # fmt: skip
def msr_batch(rows: RowBatch, **options: Any) -> KernelOutput:
    """Minimum sufficient reasons of many rows (classification).

    Notes
    -----
    The greedy of thm:msr-greedy per row: O(n·p log p) for the sorts of integer ranks.
    """
    w, rank = rows.pushes()
    free = (~rows.fixed).sum()
    key = np.where(rows.fixed[None, :], np.iinfo(np.int64).max, rank)
    order, sorted_w = _sorted(key, np.where(rows.fixed[None, :], 0.0, w))
    sorted_w[:, free:] = np.inf  # fixed features are never freed
    bound = rows.bound(np.where(rows.fixed[None, :], 0.0, w).sum(axis=1))
    first, none, unknown = _first_reaching(sorted_w, rows.slack, bound)
    freed = np.where(none, free, first)
    unknown |= rows.order_unsure(order, freed, None, largest=False)
    return KernelOutput(unknown | rows.unsure, mask=~_scatter(order, freed))


@register_batch_kernel(
    "mcr", "batch-greedy", theorem="thm:mcr-greedy", applies=rows_reason,
    summary="rank-sorted pushes per row (each direction in regression), float prefix sums "
    "with a rigorous error bound",
)  # fmt: skip
def mcr_batch(rows: RowBatch, **options: Any) -> KernelOutput:
    """Minimum contrastive reasons of many rows.

    Notes
    -----
    The greedy of thm:mcr-greedy per row: O(n·p log p).
    """
    if rows.prediction is not None:
        w, rank = rows.pushes()
        count, exists, unknown = _largest_prefix(rows, w, rank, rows.slack)
        order = _descending(rows, rank)
        unknown |= rows.order_unsure(order, count, None, largest=True) & exists
        mask = _scatter(order, count) & exists[:, None]
        return KernelOutput(unknown | rows.unsure, mask=mask, exists=exists)
    tolerance = np.full(len(rows.level), float(rows.levels.gam.task.tolerance))
    best_mask = np.zeros(rows.level.shape, dtype=bool)
    best = np.full(len(rows.level), np.iinfo(np.intp).max)
    unknown = np.zeros(len(rows.level), dtype=bool)
    for side in ("min", "max"):
        w, rank = rows.pushes(side)
        count, exists, undecided = _largest_prefix(rows, w, rank, tolerance)
        order = _descending(rows, rank)
        undecided |= rows.order_unsure(order, count, side, largest=True) & exists
        shorter = exists & (count < best)
        best_mask[shorter] = _scatter(order, count)[shorter]
        best = np.where(shorter, count, best)
        unknown |= undecided
    return KernelOutput(unknown, mask=best_mask, exists=best < np.iinfo(np.intp).max)


def _descending(rows: RowBatch, rank: NDArray[np.int64]) -> NDArray[np.intp]:
    key = np.where(rows.fixed[None, :], np.iinfo(np.int64).max, -rank)
    return np.argsort(key, axis=1, kind="stable")


def _largest_prefix(
    rows: RowBatch, w: NDArray[np.float64], rank: NDArray[np.int64], room: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.bool_], NDArray[np.bool_]]:
    """(size, exists, unknown) of the shortest prefix of the largest pushes reaching ``room``."""
    w = np.where(rows.fixed[None, :], 0.0, w)
    sorted_w = np.take_along_axis(w, _descending(rows, rank), axis=1)
    first, none, unknown = _first_reaching(sorted_w, room, rows.bound(w.sum(axis=1) + room))
    return first + 1, ~none, unknown


@register_batch_kernel(
    "minimal-sr", "batch-deletion", theorem="thm:minimal-deletion", applies=rows_reason,
    summary="deletion in model order over all rows at once, float sums with a rigorous bound",
)  # fmt: skip
def minimal_batch(rows: RowBatch, **options: Any) -> KernelOutput:
    """Subset-minimal sufficient reasons of many rows by deletion in model order.

    Notes
    -----
    n sufficiency checks per row (thm:minimal-deletion), each O(1) on the running sums:
    O(n·p).
    """
    sides, rooms = _sides(rows)
    pushes = [rows.pushes(s)[0] if s else rows.pushes()[0] for s in sides]
    bound = rows.bound(sum(p.sum(axis=1) for p in pushes) + rooms[0])
    totals = [np.zeros(len(rows.level)) for _ in sides]
    kept = np.ones(rows.level.shape, dtype=bool)
    unknown = rows.unsure.copy()
    for f in np.flatnonzero(~rows.fixed):
        fits, beyond = _fits(totals, [p[:, f] for p in pushes], rooms, bound)
        unknown |= ~(fits | beyond)
        kept[:, f] = ~fits
        totals = [np.where(fits, t + p[:, f], t) for t, p in zip(totals, pushes, strict=True)]
    return KernelOutput(unknown, mask=kept)


def _sides(rows: RowBatch) -> tuple[list[str | None], list[NDArray[np.float64]]]:
    """The pushes that threaten each row and the room each may use."""
    if rows.prediction is not None:
        return [None], [rows.slack]
    tolerance = np.full(len(rows.level), float(rows.levels.gam.task.tolerance))
    return ["min", "max"], [tolerance, tolerance]


def _fits(
    totals: list[NDArray[np.float64]], adds: list[NDArray[np.float64]],
    rooms: list[NDArray[np.float64]], bound: NDArray[np.float64],
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:  # fmt: skip
    """Rows where freeing the features summed in ``totals`` plus one more certainly keeps
    the prediction, and rows where it certainly does not."""
    fits = np.ones(len(bound), dtype=bool)
    beyond = np.zeros(len(bound), dtype=bool)
    for t, a, room in zip(totals, adds, rooms, strict=True):
        gap = t + a - room
        fits &= gap < -bound
        beyond |= gap > bound
    return fits, beyond


@register_batch_kernel(
    "csr", "batch-worst-case", theorem="thm:csr-worst-case", applies=rows_reason,
    summary="the free features' pushes summed per row with a rigorous float bound",
)  # fmt: skip
def csr_batch(rows: RowBatch, *, kept: frozenset[int], **options: Any) -> KernelOutput:
    """Whether keeping ``kept`` (and the fixed features) fixes each row's prediction.

    Notes
    -----
    O(n·p) additions (thm:csr-worst-case).
    """
    sides, rooms = _sides(rows)
    free = ~rows.fixed
    free[list(kept)] = False
    pushes = [rows.pushes(s)[0] if s else rows.pushes()[0] for s in sides]
    bound = rows.bound(sum(p.sum(axis=1) for p in pushes) + rooms[0])
    zero = np.zeros(len(rows.level))
    fits, beyond = _fits([zero for _ in sides], [p[:, free].sum(axis=1) for p in pushes],
                         rooms, bound)  # fmt: skip
    return KernelOutput(~(fits | beyond) | rows.unsure, holds=fits)


def _score_attributions(rows: RowBatch, **options: Any) -> KernelOutput:
    """Shapley (= Banzhaf) values of the score: each row's level value minus the mean.

    Notes
    -----
    O(n·p) gathers of exact values rounded once to floats (thm:shap-score-closed-form).
    On curved features the values are computed in long doubles with a rigorous bound
    and rows whose bound cannot certify the nearest float take the exact path
    (:func:`gamexplain.algorithms.batch_curved.curved_attributions`).
    """
    if not isinstance(rows, RowBatch):
        from gamexplain.algorithms.batch_curved import curved_attributions

        curved, unknown = curved_attributions(rows)
        return KernelOutput(unknown, values=curved)
    values = rows.gather(rows.levels.shap)
    return KernelOutput(np.zeros(len(rows.level), dtype=bool), values=values)


for _query in ("shap-score", "banzhaf-score"):
    register_batch_kernel(
        _query, "batch-closed-form", theorem="thm:shap-score-closed-form",
        summary="c_i − E c_i per level, exact, rounded once to the nearest float",
        applies=rows_reason,
    )(_score_attributions)  # fmt: skip
