"""Vectorised exact kernels for many rows of a multiclass main-effects model.

A multiclass GAM predicts class p at x exactly when p beats every rival c, that is when
every rival model D_pc = score_p − score_c (:func:`gamexplain.model.multiclass.rival_model`,
ties to the lower class index) predicts 1 at x. The binary kernels of
:mod:`gamexplain.algorithms.batch_kernels` therefore answer the multiclass questions by
one pass per rival, over the rows predicted p:

* the class of a row is p when every D_pc certainly predicts 1 in floats (with the
  binary kernels' rigorous error bound); any other row is *unsure* and goes to the
  single-row multiclass query in exact arithmetic;
* ``csr``: S is sufficient iff it is sufficient against every rival (thm:multiclass-csr);
* ``mcr``: the smallest of the K − 1 rivals' greedy contrastive reasons, ties to the
  lower rival index, as the single-row query picks (thm:multiclass-mcr);
* ``minimal-sr``: deletion in model order, dropping a feature while every rival's worst
  case still loses (thm:multiclass-csr);
* ``shap-score``/``banzhaf-score``: the binary closed form on each class's score model
  (thm:multiclass-shap-score), which needs no prediction at all.

A row any rival's pass cannot decide in floats is flagged ``unknown`` and redone by the
single-row query. A minimum sufficient reason is NP-hard from three classes
(thm:multiclass-msr-np) and stays row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.batch_kernels import (
    MULTICLASS_ROWS,
    KernelOutput,
    RowBatch,
    batch_levels,
    csr_batch,
    discrete_reason,
    level_matrix,
    mcr_batch,
    prepare_rows,
)
from gamexplain.model.multiclass import rival_model

__all__ = [
    "MULTICLASS_KERNELS",
    "MULTICLASS_MSR",
    "MulticlassRows",
    "multiclass_reason",
    "multiclass_rows",
    "multiclass_why",
]


def multiclass_reason(gam: Any) -> str | None:
    """None when the multiclass kernels apply to ``gam``, else why they do not."""
    for model in gam.scores:
        why = discrete_reason(model)
        if why is not None:
            return why
    return None


def multiclass_why(gam: Any) -> str | None:
    """None when the multiclass kernels apply to ``gam``, else why every row goes
    through the single-row multiclass query."""
    why = multiclass_reason(gam)
    return None if why is None else f"{MULTICLASS_ROWS}; no multiclass kernel: {why}"


#: Why a multiclass minimum sufficient reason goes row by row.
MULTICLASS_MSR = (
    "a minimum sufficient reason of a multiclass model is NP-hard from three classes "
    "(thm:multiclass-msr-np): each row runs implicit hitting sets through the single-row query"
)


@dataclass(frozen=True, eq=False)
class MulticlassRows:
    """Many rows of a multiclass model, grouped by their float class.

    Attributes
    ----------
    gam : MulticlassGAM
    columns : list of ndarray
        The rows' validated columns (one per feature).
    winner : ndarray of int
        Per row, the class the float pass found (−1 where it is unsure).
    unsure : ndarray of bool
        Rows whose class floats cannot decide (a tie between two classes' scores).
    outside : ndarray of bool
        Rows with a value outside a numeric feature's domain (answered one by one).
    rivals : dict
        Per class p, the positions of its rows and, per rival c, the binary
        :class:`RowBatch` of D_pc over them.
    """

    gam: Any
    columns: list[NDArray[Any]]
    fixed: frozenset[int]
    winner: NDArray[np.int64]
    unsure: NDArray[np.bool_]
    outside: NDArray[np.bool_]
    rivals: dict[int, tuple[NDArray[np.intp], dict[int, RowBatch]]]

    def __len__(self) -> int:
        return len(self.winner)


def multiclass_rows(gam: Any, columns: list[NDArray[Any]], fixed: frozenset[int]) -> MulticlassRows:
    """The class of every row, decided per rival model with rigorous float bounds.

    Notes
    -----
    K − 1 binary row passes per predicted class: O(K·n·p) after the per-model tables.
    """
    n = len(columns[0]) if columns else 0
    scores = []
    outside = np.zeros(n, dtype=bool)
    for model in gam.scores:
        levels = batch_levels(model)
        level, out = level_matrix(levels, columns)
        outside |= out
        contrib = np.stack([t[level[:, f]] for f, t in enumerate(levels.contrib)]).T
        scores.append(float(model.intercept) + contrib.sum(axis=1))
    guess = np.argmax(np.column_stack(scores), axis=1) if n else np.zeros(0, dtype=np.int64)
    unsure = np.zeros(n, dtype=bool)
    rivals: dict[int, tuple[NDArray[np.intp], dict[int, RowBatch]]] = {}
    for p in range(gam.n_classes):
        where = np.flatnonzero(guess == p)
        if not len(where):
            continue
        mine = [col[where] for col in columns]
        per: dict[int, RowBatch] = {}
        for c in range(gam.n_classes):
            if c == p:
                continue
            levels = batch_levels(rival_model(gam, p, c))
            level, _ = level_matrix(levels, mine)
            rows = prepare_rows(levels, level, fixed)
            assert rows.prediction is not None
            unsure[where] |= rows.unsure | (rows.prediction != 1)
            per[c] = rows
        rivals[p] = (where, per)
    winner = np.where(unsure, -1, guess).astype(np.int64)
    return MulticlassRows(gam, columns, fixed, winner, unsure, outside, rivals)


def _csr(rows: MulticlassRows, n: int, p: int, *, kept: frozenset[int]) -> KernelOutput:
    holds = np.ones(len(rows.winner), dtype=bool)
    unknown = rows.unsure.copy()
    for where, per in rows.rivals.values():
        for batch in per.values():
            out = csr_batch(batch, kept=kept)
            assert out.holds is not None
            holds[where] &= out.holds
            unknown[where] |= out.unknown
    return KernelOutput(unknown, holds=holds)


def _mcr(rows: MulticlassRows, n: int, p: int, **options: Any) -> KernelOutput:
    mask = np.zeros((n, p), dtype=bool)
    size = np.full(n, np.iinfo(np.intp).max)
    unknown = rows.unsure.copy()
    for where, per in rows.rivals.values():
        for c in sorted(per):  # ties go to the lower rival index, as the single-row query
            out = mcr_batch(per[c])
            assert out.mask is not None and out.exists is not None
            count = np.where(out.exists, out.mask.sum(axis=1), np.iinfo(np.intp).max)
            better = count < size[where]
            mask[where[better]] = out.mask[better]
            size[where] = np.minimum(size[where], count)
            unknown[where] |= out.unknown
    return KernelOutput(unknown, mask=mask, exists=size < np.iinfo(np.intp).max)


def _minimal(rows: MulticlassRows, n: int, p: int, **options: Any) -> KernelOutput:
    kept = np.ones((n, p), dtype=bool)
    unknown = rows.unsure.copy()
    free = [f for f in range(p) if f not in rows.fixed]
    for where, per in rows.rivals.values():
        batches = [per[c] for c in sorted(per)]
        pushes = [b.pushes()[0] for b in batches]
        bounds = [b.bound(w.sum(axis=1) + b.slack) for b, w in zip(batches, pushes, strict=True)]
        totals = [np.zeros(len(where)) for _ in batches]
        mine = np.ones((len(where), p), dtype=bool)
        doubt = np.zeros(len(where), dtype=bool)
        for f in free:
            fits = np.ones(len(where), dtype=bool)
            beyond = np.zeros(len(where), dtype=bool)
            for b, w, t, bound in zip(batches, pushes, totals, bounds, strict=True):
                gap = t + w[:, f] - b.slack
                fits &= gap < -bound
                beyond |= gap > bound
            doubt |= ~(fits | beyond)
            mine[:, f] = ~fits
            totals = [np.where(fits, t + w[:, f], t) for t, w in zip(totals, pushes, strict=True)]
        kept[where] = mine
        unknown[where] |= doubt
    return KernelOutput(unknown, mask=kept)


def _attributions(kind: str) -> Callable[..., KernelOutput]:
    def run(rows: MulticlassRows, n: int, p: int, **options: Any) -> KernelOutput:
        k = rows.gam.n_classes
        values = np.empty((n, p, k))
        for c, model in enumerate(rows.gam.scores):
            levels = batch_levels(model)
            level, _ = level_matrix(levels, rows.columns)
            view = prepare_rows(levels, level, rows.fixed)
            values[:, :, c] = view.gather(levels.shap)
        return KernelOutput(np.zeros(n, dtype=bool), values=values)

    run.__name__ = f"_{kind}"
    return run


@dataclass(frozen=True)
class MulticlassKernel:
    """A multiclass batch kernel: ``func(rows, n_rows, n_features, **options)``."""

    query: str
    name: str
    summary: str
    theorem: str
    func: Callable[..., KernelOutput]


#: The multiclass batch kernels, keyed by registry query; a query not here (``msr``,
#: NP-hard from three classes) goes row by row.
MULTICLASS_KERNELS: dict[str, MulticlassKernel] = {
    "csr": MulticlassKernel(
        "csr", "batch-rivals-worst-case", "the binary worst-case kernel against each rival "
        "class, all of them sufficient", "thm:multiclass-csr", _csr),
    "mcr": MulticlassKernel(
        "mcr", "batch-rivals-greedy", "the binary greedy kernel against each rival class, "
        "the smallest reason (ties to the lower rival)", "thm:multiclass-mcr", _mcr),
    "minimal-sr": MulticlassKernel(
        "minimal-sr", "batch-rivals-deletion", "deletion in model order while every rival's "
        "worst case still loses, all rows at once", "thm:multiclass-csr", _minimal),
    "shap-score": MulticlassKernel(
        "shap-score", "batch-per-class-closed-form", "the closed form c_i − E c_i of each "
        "class score per level", "thm:multiclass-shap-score", _attributions("shap")),
    "banzhaf-score": MulticlassKernel(
        "banzhaf-score", "batch-per-class-closed-form", "the closed form c_i − E c_i of each "
        "class score per level", "thm:multiclass-shap-score", _attributions("banzhaf")),
}  # fmt: skip
