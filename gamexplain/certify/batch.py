"""Independent checks of a batch of answers (:class:`gamexplain.queries.batch.BatchResult`).

Rows answered by a single-row query carry that query's own result, re-checked by its
own ``verify`` and bound to the columns shown. Rows answered by a vectorised kernel are
re-checked here, in columns, from the model's parameters alone: each feature's value
per level (a domain value, a step of a step function) is re-derived exactly
(:func:`gamexplain.certify.evaluate.contribution`), its extremes by
:func:`gamexplain.certify.reasons.feature_extreme`, its mean by the attribution checks'
own code. Sums are taken in floats over correctly rounded inputs with a rigorous error
bound; a row whose check lies within that bound of its threshold is re-checked in
Fractions. What is re-derived, per row:

* the prediction;
* ``csr``: whether the set is sufficient;
* sufficient reasons: sufficiency, and minimum size (the m + 1 smallest pushes already
  reach the slack) or subset-minimality (each kept feature's push does);
* contrastive reasons: that changing the reason flips, that the |C| − 1 largest pushes
  cannot, or that nothing can when none is claimed;
* attributions: each value is the nearest float to c_i − E c_i.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.certify.attributions import _mean
from gamexplain.certify.evaluate import contribution, covering, model_digest, prediction
from gamexplain.certify.numbers import compare, exact_number
from gamexplain.certify.reasons import feature_extreme

__all__ = ["check_batch", "digest"]

_U = 2.0**-53
_VECTOR, _EXACT, _ROW, _FAILED = 0, 1, 2, 3
_SETS = ("msr", "minimal-sr", "mcr")


def _gamma(k: int) -> float:
    return k * _U / (1 - k * _U)


def digest(gam: Any) -> str:
    """The digest a batch result binds: the model's, or a multiclass model's classes and
    class score models'."""
    if gam.task.kind == "multiclass":
        from gamexplain.certify.multiclass import digest as multiclass_digest

        return multiclass_digest(gam)
    return model_digest(gam)


def check_batch(result: Any, gam: Any) -> bool:
    """Re-check every row of a batch result and every column it shows."""
    if result.model != digest(gam) or tuple(result.feature_names) != gam.feature_names:
        return False
    if tuple(result.answers) != tuple(result.queries) or len(result.prediction) != len(
        result.instances
    ):
        return False
    n = len(result.instances)
    fixed = np.isin(np.arange(gam.n_features), [gam.index(f) for f in result.fixed])
    for query, answer in result.answers.items():
        if answer.query != query or len(answer.path) != n:
            return False
        if not _single_rows(result, answer, gam):
            return False
    vector = np.zeros(n, dtype=bool)
    for answer in result.answers.values():
        vector |= answer.path == _VECTOR
    if not vector.any():
        return _predictions(result, gam, np.zeros(n, dtype=bool), None)
    if gam.task.kind == "multiclass":
        return _multiclass(result, gam, vector, fixed)
    tables = _Tables.of(gam)
    rows = np.flatnonzero(vector)
    chosen = result.instances if len(rows) == n else result.instances[rows]
    # attributions of the score read no extremes: their enclosures are not built
    pushes = any(
        (a.path == _VECTOR).any() and a.query not in ("shap-score", "banzhaf-score")
        for a in result.answers.values()
    )
    view = (
        _CurvedView.of(gam, chosen, fixed, pushes) if tables is None
        else tables.view(chosen, fixed)
    )  # fmt: skip
    if view is None or not _predictions(result, gam, vector, (rows, view)):
        return False
    return all(_check_query(result, answer, view, rows, gam) for answer in result.answers.values())


# -- rows with their own results ---------------------------------------------------------------
def _single_rows(result: Any, answer: Any, gam: Any) -> bool:
    """Each row not answered by the kernel: its own result verifies and shows the same."""
    names = gam.feature_names
    verified: set[int] = set()  # a result shared by equal rows is re-checked once
    for r in np.flatnonzero((answer.path == _EXACT) | (answer.path == _ROW)):
        single = answer.results.get(int(r))
        if single is None:
            return False
        if id(single) not in verified:
            if not single.verify(gam):
                return False
            verified.add(id(single))
        if tuple(single.instance) != tuple(_plain(v) for v in result.instances[r]):
            return False
        if bool(answer.exact[r]) != bool(single.exact) or answer.status[r] != single.status:
            return False
        if answer.mask is not None:
            shown = single.features or ()
            if list(answer.mask[r]) != [n in shown for n in names]:
                return False
            if answer.exists is not None and bool(answer.exists[r]) != (
                single.features is not None
            ):
                return False
        # a responsiveness result shows its scores and whether the prediction is fixed
        if answer.holds is not None:
            holds = single.fixed if answer.query == "responsiveness" else single.holds
            if bool(answer.holds[r]) != bool(holds):
                return False
        if answer.values is not None:
            values = single.scores if answer.query == "responsiveness" else single.values
            if not np.array_equal(answer.values[r], np.asarray(values, dtype=float)):
                return False
        # a completion fraction shows its value and certified bracket
        fraction, bounds = getattr(answer, "fraction", None), getattr(answer, "bounds", None)
        if (
            fraction is not None
            and bounds is not None
            and not (
                fraction[r] == single.fraction and tuple(bounds[r]) == (single.lower, single.upper)
            )
        ):
            return False
    failed = np.flatnonzero(answer.path == _FAILED)
    return all(int(r) in result.failures and not answer.exact[r] for r in failed)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _predictions(result: Any, gam: Any, vector: NDArray[np.bool_], fast: Any) -> bool:
    """Every shown prediction: the kernel rows' in columns, the others exactly."""
    classification = gam.task.kind == "classification"
    failed = np.zeros(len(vector), dtype=bool)
    for a in result.answers.values():
        failed |= a.path == _FAILED
    others = np.flatnonzero(~vector & ~failed)
    if fast is not None:
        rows, view = fast
        shown = result.prediction[rows]
        if classification:
            if not np.array_equal(shown[~view.unsure], view.label[~view.unsure]):
                return False
            others = np.concatenate([others, rows[view.unsure]])
        else:
            # a float score within the rounding bound of the exact one (both this
            # evaluation and the batch's lie within their bounds of it)
            error = 2.0 * _gamma(2 * gam.n_features + 10) * view.magnitude
            if not (np.abs(shown.astype(float) - view.score) <= 2 * error).all():
                return False
    if gam.task.kind == "multiclass":
        from gamexplain.certify.multiclass import class_of

        if tuple(result.classes) != tuple(gam.classes):
            return False
        for r in others:
            x = gam.instance([_plain(v) for v in result.instances[r]])
            # a row outside a numeric domain is classified by the model widened to hold it
            if result.prediction[r] != gam.classes[class_of(gam.covering(x), x)]:
                return False
        return True
    for r in others:
        x = [_plain(v) for v in result.instances[r]]
        exact = prediction(covering(gam, x), x)
        shown = result.prediction[r]
        if shown != (exact if classification else float(exact)):
            return False
    return True


def _exact_score(gam: Any, x: list[Any]) -> Fraction:
    total = Fraction(gam.intercept)
    for i, v in enumerate(x):
        total += Fraction(contribution(gam, i, v))
    return total


def _label(gam: Any, score: Fraction) -> int:
    threshold = Fraction(gam.task.threshold)
    return int(score > threshold or (score == threshold and gam.task.positive == ">="))


# -- the model's levels, re-derived ------------------------------------------------------------
class _Tables:
    """The model's levels re-derived exactly, with their floats (built once per model)."""

    def __init__(self, gam: Any, exact: list[tuple[Fraction, ...]], low: list[Fraction],
                 high: list[Fraction]) -> None:  # fmt: skip
        self.gam, self.exact = gam, tuple(exact)
        self.c = _float_rows(exact)
        self.down = _float_rows(
            [tuple(v - lo for v in row) for row, lo in zip(exact, low, strict=True)]
        )
        self.up = _float_rows(
            [tuple(hi - v for v in row) for row, hi in zip(exact, high, strict=True)]
        )

    @functools.cached_property
    def phi(self) -> list[NDArray[np.float64]]:
        """Per level, the nearest float to c − E c (means by the attribution checks)."""
        means = [_mean(self.gam, i) for i in range(self.gam.n_features)]
        return _float_rows(
            [tuple(v - m for v in row) for row, m in zip(self.exact, means, strict=True)]
        )

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def of(gam: Any) -> _Tables | None:
        if gam.pairs:
            return None
        exact = []
        for i, feature in enumerate(gam.features):
            shape = feature.shape
            if feature.domain.kind == "finite":
                exact.append(
                    tuple(Fraction(contribution(gam, i, v)) for v in feature.domain.values)
                )
            elif type(shape).__name__ == "Piecewise" and all(
                len(row) == 1 or not any(row[1:]) for row in shape.coefficients
            ):
                beta = Fraction(feature.weight)
                exact.append(tuple(beta * Fraction(row[0]) for row in shape.coefficients))
            else:
                return None
        low, high = [], []
        for feature in gam.features:
            lo, hi = feature_extreme(feature, "min"), feature_extreme(feature, "max")
            if not (lo.attained and hi.attained):
                return None
            low.append(Fraction(lo.value))
            high.append(Fraction(hi.value))
        return _Tables(gam, exact, low, high)

    def view(self, rows: NDArray[np.object_], fixed: NDArray[np.bool_]) -> _View | None:
        """The rows' levels, or None when a row is not a float inside the domain."""
        gam = self.gam
        level = np.empty(rows.shape, dtype=np.intp, order="F")
        # one column per feature, each contiguous
        by_feature = np.ascontiguousarray(rows.T)
        for f, feature in enumerate(gam.features):
            column = by_feature[f]
            if feature.domain.kind == "finite":
                index = {v: k for k, v in enumerate(feature.domain.values)}
                level[:, f] = [index[_plain(v)] for v in column]
                continue
            if rows.dtype.kind != "f" and not all(type(_plain(v)) in (int, float) for v in column):
                return None
            numbers = np.asarray(column, dtype=float)
            if not _inside(numbers, feature.domain) or np.any(np.abs(numbers) > 2.0**53):
                return None
            cuts = np.asarray(feature.shape.breakpoints, dtype=float)
            found = np.searchsorted(cuts, numbers, side="right") - 1
            level[:, f] = np.clip(found, 0, len(feature.shape.coefficients) - 1)
        return _View(self, level, fixed)


def _float_rows(rows: list[tuple[Fraction, ...]]) -> list[NDArray[np.float64]]:
    return [np.array([float(v) for v in row]) for row in rows]


def _inside(x: NDArray[np.float64], domain: Any) -> bool:
    low, high = Fraction(domain.low), Fraction(domain.high)
    lf, hf = float(low), float(high)
    if len(x) and x.min() > lf and x.max() < hf and domain.kind == "interval":
        return True
    above = (x > lf) | ((x == lf) & (Fraction(lf) >= low))
    below = (x < hf) | ((x == hf) & (Fraction(hf) <= high))
    ok = bool(np.all(above & below))
    if domain.kind == "integers":
        ok = ok and bool(np.all(np.floor(x) == x))
    return ok


class _View:
    """Floats of the rows' exact contributions, pushes and slacks, with error bounds."""

    def __init__(self, tables: _Tables, level: NDArray[np.intp], fixed: NDArray[np.bool_]) -> None:
        gam = tables.gam
        self.tables, self.level, self.fixed = tables, level, fixed
        self.c = self._gather(tables.c)
        offset = Fraction(gam.intercept)
        self.classification = gam.task.kind == "classification"
        if self.classification:
            offset -= Fraction(gam.task.threshold)
        raw = float(offset) + self.c.sum(axis=1)
        self.score = float(gam.intercept) + self.c.sum(axis=1)
        self.magnitude = abs(float(offset)) + np.abs(self.c).sum(axis=1)
        self.unsure = np.abs(raw) <= 2.0 * _gamma(2 * gam.n_features + 10) * self.magnitude
        self.label = (raw > 0).astype(np.int64)
        self.slack = np.abs(raw)

    @functools.cached_property
    def down(self) -> NDArray[np.float64]:
        return self._gather(self.tables.down)

    @functools.cached_property
    def up(self) -> NDArray[np.float64]:
        return self._gather(self.tables.up)

    @functools.cached_property
    def bound(self) -> NDArray[np.float64]:
        """A rigorous bound on the error of any float sum of a row's terms."""
        tolerance = float(getattr(self.tables.gam.task, "tolerance", 0.0))
        size = self.magnitude + self.down.sum(axis=1) + self.up.sum(axis=1) + tolerance
        return 2.0 * _gamma(2 * self.tables.gam.n_features + 10) * size

    @functools.cached_property
    def threat(self) -> NDArray[np.float64]:
        return np.where(self.label[:, None] == 1, self.down, self.up)

    def _gather(self, tables: list[NDArray[np.float64]]) -> NDArray[np.float64]:
        stacked = np.stack([t[self.level[:, f]] for f, t in enumerate(tables)])
        return np.ascontiguousarray(stacked.T)

    def sides(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        """(pushes, room) per threatening direction."""
        if self.classification:
            return [(self.threat, self.slack)]
        tolerance = np.full(len(self.level), float(self.tables.gam.task.tolerance))
        return [(self.down, tolerance), (self.up, tolerance)]

    def flips(
        self, totals: list[NDArray[np.float64]]
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """(certainly flips, certainly does not) for free sets with these push totals per side."""
        yes = np.zeros(len(self.level), dtype=bool)
        no = np.ones(len(self.level), dtype=bool)
        for total, (_, room) in zip(totals, self.sides(), strict=True):
            gap = total - room
            yes |= gap > self.bound
            no &= gap < -self.bound
        return yes, no


class _CurvedView(_View):
    """Floats of curved features' contributions and pushes, each with its own error:
    the model's bound on its float evaluation plus the width of a float enclosure of
    the exact extreme, certified by exact comparisons."""

    def __init__(self, gam: Any, X: NDArray[np.float64], fixed: NDArray[np.bool_],
                 pushes: bool = True) -> None:  # fmt: skip
        self.fixed, self.level = fixed, np.zeros(X.shape, dtype=np.intp)
        self.X = X
        self.tables = _Tables.__new__(_Tables)
        self.tables.gam = gam
        c = np.column_stack([f.contribution(X[:, j]) for j, f in enumerate(gam.features)])
        error = np.column_stack([f.rounding_bound(X[:, j]) for j, f in enumerate(gam.features)])
        error = error + _U * np.abs(c)
        if not pushes:
            # only the prediction and attributions are checked: no extremes, no pushes
            self.down = self.up = np.zeros_like(c)
            self.extra = 4.0 * error.sum(axis=1)
            self._score(gam, c)
            return
        ends = [[_enclosed(feature_extreme(f, side).value) for f in gam.features]
                for side in ("min", "max")]  # fmt: skip
        (min_low, min_high), (max_low, max_high) = (
            (np.array([e[0] for e in row]), np.array([e[1] for e in row])) for row in ends
        )
        # the pushes from the enclosures' far ends: each within the width of the exact one
        self.down, self.up = c - min_low[None, :], max_high[None, :] - c
        widths = (min_high - min_low) + (max_high - max_low)
        self.extra = 4.0 * (error.sum(axis=1) + widths.sum()) + 4.0 * _gamma(4) * (
            np.abs(self.down) + np.abs(self.up)).sum(axis=1)  # fmt: skip
        self._score(gam, c)

    def _score(self, gam: Any, c: NDArray[np.float64]) -> None:
        self.c = c
        offset = Fraction(gam.intercept)
        self.classification = gam.task.kind == "classification"
        if self.classification:
            offset -= Fraction(gam.task.threshold)
        raw = float(offset) + c.sum(axis=1)
        self.score = float(gam.intercept) + c.sum(axis=1)
        self.magnitude = abs(float(offset)) + np.abs(c).sum(axis=1)
        self.unsure = np.abs(raw) <= self.bound
        self.label = (raw > 0).astype(np.int64)
        self.slack = np.abs(raw)

    @staticmethod
    def of(gam: Any, rows: NDArray[Any], fixed: NDArray[np.bool_],
           pushes: bool = True) -> _CurvedView | None:  # fmt: skip
        """The rows' view, or None when the model or a row is out of its reach."""
        if gam.pairs or gam.task.kind not in ("classification", "regression"):
            return None
        if any(f.domain.kind == "finite" for f in gam.features):
            return None
        if rows.dtype.kind not in "fiu" and not all(
            type(_plain(v)) in (int, float) for v in rows.ravel().tolist()
        ):
            return None
        X = np.asarray(rows, dtype=float)
        if not all(_inside(X[:, j], f.domain) for j, f in enumerate(gam.features)):
            return None
        return _CurvedView(gam, X, fixed, pushes)

    @functools.cached_property
    def bound(self) -> NDArray[np.float64]:
        return super().bound + self.extra


def _enclosed(value: Any) -> tuple[float, float]:
    """Floats below and above an exact number, certified by exact comparisons."""
    number = exact_number(value)
    low = high = float(number) if isinstance(number, Fraction) else float(number.evalf(30))
    while compare(Fraction(low), value) > 0:
        low = float(np.nextafter(low, -np.inf))
    while compare(Fraction(high), value) < 0:
        high = float(np.nextafter(high, np.inf))
    return low, high


# -- the kernel rows ---------------------------------------------------------------------------
def _check_query(result: Any, answer: Any, view: _View, rows: NDArray[np.intp], gam: Any) -> bool:
    mine = answer.path[rows] == _VECTOR
    if not mine.any():
        return True
    if not (answer.exact[rows][mine].all() and bool((answer.status[rows][mine] == "solved").all())):
        return False
    if answer.query in ("responsiveness", "fixed"):
        from gamexplain.certify.batch_responsiveness import check_responsiveness_rows

        return check_responsiveness_rows(result, answer, gam, rows[mine])
    if answer.values is not None and isinstance(view, _CurvedView):
        from gamexplain.certify.batch_attributions import check_curved_attributions

        return check_curved_attributions(answer.values[rows][mine], view.X[mine], gam)
    if answer.values is not None:
        return _attributions(answer.values[rows][mine], view, mine)
    good, undecided = _reason_rows(result, answer, view, rows)
    if not (good | undecided)[mine].all():
        return False
    redo = np.flatnonzero(mine & (undecided | (view.unsure if view.classification else False)))
    return all(_exact_row(result, answer, gam, int(rows[k])) for k in redo)


def _attributions(values: NDArray[np.float64], view: _View, mine: NDArray[np.bool_]) -> bool:
    phi = view.tables.phi
    level = view.level if mine.all() else view.level[mine]
    if values.shape != level.shape:
        return False
    # column by column: no (rows × features) copy of the expected values
    return all(np.array_equal(values[:, f], t[level[:, f]]) for f, t in enumerate(phi))


def _reason_rows(
    result: Any, answer: Any, view: _View, rows: NDArray[np.intp]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(certainly right, undecided) per kernel row."""
    fixed = view.fixed[None, :]
    query = answer.query
    if query == "csr":
        kept = np.isin(
            np.arange(view.level.shape[1]), [view.tables.gam.index(f) for f in result.kept]
        )
        free = ~kept[None, :] & ~fixed
        yes, no = view.flips([(w * free).sum(axis=1) for w, _ in view.sides()])
        holds = answer.holds[rows]
        return np.where(holds, no, yes), ~(yes | no)
    mask = answer.mask[rows]
    if query == "mcr":
        return _contrastive(answer.exists[rows], mask, view)
    free = ~mask
    if np.any(free & fixed):
        return np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool)
    sides = view.sides()
    yes, no = view.flips([(w * free).sum(axis=1) for w, _ in sides])
    good, undecided = no.copy(), ~(yes | no)
    if query == "msr":
        more, less = _smallest(view, free.sum(axis=1) + 1)
        good &= more
        undecided |= ~(more | less)
    else:
        for f in range(mask.shape[1]):
            step = mask[:, f] & ~view.fixed[f]
            totals = [(w * free).sum(axis=1) + w[:, f] for w, _ in sides]
            y, n = view.flips(totals)
            good &= ~step | y
            undecided |= step & ~(y | n)
    return good, undecided


def _smallest(view: _View, count: NDArray[np.intp]) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Whether freeing the ``count`` smallest pushes certainly flips (or certainly not);
    a count past the free features cannot be freed at all."""
    w, _ = view.sides()[0]
    w = np.where(view.fixed[None, :], np.inf, w)
    cum = np.cumsum(np.sort(w, axis=1), axis=1)
    past = count > (~view.fixed).sum()
    at = np.minimum(count, w.shape[1]) - 1
    total = cum[np.arange(len(cum)), at]
    yes, no = view.flips([total])
    return yes | past, no & ~past


def _contrastive(
    exists: NDArray[np.bool_], mask: NDArray[np.bool_], view: _View
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    changed = mask & ~view.fixed[None, :]
    wrong = np.any(mask & view.fixed[None, :]) or np.any(mask & ~exists[:, None])
    if wrong or np.any(exists & ~changed.any(axis=1)):
        return np.zeros(len(mask), dtype=bool), np.zeros(len(mask), dtype=bool)
    sides = view.sides()
    movable = ~view.fixed[None, :]
    yes, no = view.flips([(w * np.where(exists[:, None], changed, movable)).sum(axis=1)
                          for w, _ in sides])  # fmt: skip
    good = np.where(exists, yes, no)
    undecided = ~(yes | no)
    size = changed.sum(axis=1)
    totals = []
    for w, _ in sides:
        ranked = -np.sort(-np.where(view.fixed[None, :], 0.0, w), axis=1)
        cum = np.concatenate([np.zeros((len(w), 1)), np.cumsum(ranked, axis=1)], axis=1)
        totals.append(cum[np.arange(len(w)), np.maximum(size - 1, 0)])
    y, n = view.flips(totals)
    good &= ~exists | n
    undecided |= exists & ~(y | n)
    return good, undecided


# -- one row in Fractions ---------------------------------------------------------------------
_exactly = functools.cmp_to_key(compare)


def _exact_row(result: Any, answer: Any, gam: Any, r: int) -> bool:
    """The checks of :func:`_reason_rows` for one row, in exact arithmetic."""
    x = [_plain(v) for v in result.instances[r]]
    p = gam.n_features
    c = [Fraction(contribution(gam, i, v)) for i, v in enumerate(x)]
    # a curved feature's extremes are algebraic: compared exactly by certify.numbers
    low = [exact_number(feature_extreme(f, "min").value) for f in gam.features]
    high = [exact_number(feature_extreme(f, "max").value) for f in gam.features]
    score = Fraction(gam.intercept) + sum(c, Fraction(0))
    fixed = {gam.index(f) for f in result.fixed}
    if gam.task.kind == "classification":
        label = _label(gam, score)
        if result.prediction[r] != label:
            return False
        threshold = Fraction(gam.task.threshold)
        room = score - threshold if label == 1 else threshold - score
        pushes = [[ci - lo for ci, lo in zip(c, low, strict=True)] if label == 1
                  else [hi - ci for ci, hi in zip(c, high, strict=True)]]  # fmt: skip
        strict = (label == 1) == (gam.task.positive == ">")

        def flips(totals: list[Any]) -> bool:
            side = compare(totals[0], room)
            return side >= 0 if strict else side > 0
    else:
        tolerance = Fraction(gam.task.tolerance)
        pushes = [[ci - lo for ci, lo in zip(c, low, strict=True)],
                  [hi - ci for ci, hi in zip(c, high, strict=True)]]  # fmt: skip

        def flips(totals: list[Any]) -> bool:
            return any(compare(t, tolerance) > 0 for t in totals)

    def total(members: set[int]) -> list[Fraction]:
        return [sum((w[i] for i in members), Fraction(0)) for w in pushes]

    movable = [i for i in range(p) if i not in fixed]
    if answer.query == "csr":
        kept = {gam.index(f) for f in result.kept} | fixed
        return bool(answer.holds[r]) == (not flips(total(set(range(p)) - kept)))
    members = {i for i in range(p) if answer.mask[r, i]}
    if answer.query == "mcr":
        if not answer.exists[r]:
            return not flips(total(set(movable)))
        if members & fixed or not flips(total(members)):
            return False
        return not any(flips([sum(sorted((w[i] for i in movable), key=_exactly,
                                         reverse=True)[: len(members) - 1], Fraction(0))])
                       for w in pushes)  # fmt: skip
    if not fixed <= members:
        return False
    free = set(range(p)) - members
    if flips(total(free)):
        return False
    if answer.query == "msr":
        smallest = sorted((pushes[0][i] for i in movable), key=_exactly)[: len(free) + 1]
        return len(free) + 1 > len(movable) or flips([sum(smallest, Fraction(0))])
    return all(flips(total(free | {i})) for i in members - fixed)


# -- multiclass kernel rows ------------------------------------------------------------------
def _multiclass(result: Any, gam: Any, vector: NDArray[np.bool_], fixed: NDArray[np.bool_]) -> bool:
    """The kernel rows of a multiclass batch: per shown class p and rival c, the binary
    checks above on the rival model D_pc = score_p − score_c (class 1 iff p beats c),
    whose levels are re-derived here like any model's; the attributions per class score."""
    from gamexplain.model.multiclass import rival_model

    if not _predictions(result, gam, vector, None):  # the rows not on a kernel
        return False
    rows = np.flatnonzero(vector)
    instances = result.instances[rows]
    for answer in result.answers.values():
        mine = answer.path[rows] == _VECTOR
        if not mine.any() or answer.values is None:
            continue
        if not (answer.exact[rows][mine].all() and (answer.status[rows][mine] == "solved").all()):
            return False
        for c, model in enumerate(gam.scores):
            tables = _Tables.of(model)
            view = None if tables is None else tables.view(instances[mine], fixed)
            if view is None or not _attributions(answer.values[rows[mine], :, c], view,
                                                 np.ones(int(mine.sum()), dtype=bool)):  # fmt: skip
                return False
    reasons = [a for a in result.answers.values() if a.values is None]
    # every kernel row shows its class, checked against every rival below
    decided = np.ones(len(rows), dtype=bool)
    labels = list(gam.classes)
    shown = result.prediction[rows]
    if not all(s in labels for s in shown[decided]):
        return False
    index = np.array([labels.index(s) if s in labels else -1 for s in shown])
    exact_rows: set[int] = set()
    for p in range(len(labels)):
        group = np.flatnonzero(decided & (index == p))
        if not len(group):
            continue
        views = {}
        doubt = np.zeros(len(group), dtype=bool)
        for c in range(len(labels)):
            if c == p:
                continue
            tables = _Tables.of(rival_model(gam, p, c))
            view = None if tables is None else tables.view(instances[group], fixed)
            if view is None:
                return False
            # a row whose class floats cannot confirm is re-checked exactly
            doubt |= view.unsure | (view.label != 1)
            views[c] = view
        exact_rows.update(rows[group[doubt]].tolist())
        for a in reasons:
            mine = a.path[rows[group]] == _VECTOR
            if not mine.any():
                continue
            if not (a.exact[rows[group]][mine].all()
                    and (a.status[rows[group]][mine] == "solved").all()):  # fmt: skip
                return False
            good, undecided = _rival_rows(result, a, views, rows[group], gam)
            if not (good | undecided | doubt)[mine].all():
                return False
            exact_rows.update(rows[group][mine & undecided].tolist())
    return all(_exact_multiclass_row(result, gam, r) for r in sorted(exact_rows))


def _rival_rows(
    result: Any, answer: Any, views: dict[int, _View], rows: NDArray[np.intp], gam: Any
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(certainly right, undecided) per row of one shown class, from its rivals' views."""
    first = next(iter(views.values()))
    fixed = first.fixed[None, :]
    n = len(rows)
    if answer.query == "csr":
        kept = np.isin(np.arange(gam.n_features), [gam.index(f) for f in result.kept])
        free = ~kept[None, :] & ~fixed
        yes = np.zeros(n, dtype=bool)
        no = np.ones(n, dtype=bool)
        for view in views.values():
            y, o = view.flips([(view.threat * free).sum(axis=1)])
            yes |= y
            no &= o
        holds = answer.holds[rows]
        return np.where(holds, no, yes), ~(yes | no)
    mask = answer.mask[rows]
    if answer.query == "mcr":
        exists = answer.exists[rows]
        changed = mask & ~fixed
        if (
            np.any(mask & fixed)
            or np.any(mask & ~exists[:, None])
            or np.any(exists & ~changed.any(axis=1))
        ):
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        chosen = np.where(exists[:, None], changed, ~fixed)
        size = changed.sum(axis=1)
        yes = np.zeros(n, dtype=bool)
        no = np.ones(n, dtype=bool)
        shorter_no = np.ones(n, dtype=bool)
        shorter_yes = np.zeros(n, dtype=bool)
        for view in views.values():
            y, o = view.flips([(view.threat * chosen).sum(axis=1)])
            yes |= y
            no &= o
            ranked = -np.sort(-np.where(fixed, 0.0, view.threat), axis=1)
            cum = np.concatenate([np.zeros((n, 1)), np.cumsum(ranked, axis=1)], axis=1)
            y, o = view.flips([cum[np.arange(n), np.maximum(size - 1, 0)]])
            shorter_yes |= y
            shorter_no &= o
        good = np.where(exists, yes & shorter_no, no)
        undecided = np.where(exists, ~(yes | no) | ~(shorter_yes | shorter_no), ~(yes | no))
        return good, undecided
    # a subset-minimal sufficient reason
    free = ~mask
    if np.any(free & fixed):
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    yes = np.zeros(n, dtype=bool)
    no = np.ones(n, dtype=bool)
    for view in views.values():
        y, o = view.flips([(view.threat * free).sum(axis=1)])
        yes |= y
        no &= o
    good, undecided = no.copy(), ~(yes | no)
    for f in range(mask.shape[1]):
        step = mask[:, f] & ~first.fixed[f]
        if not step.any():
            continue
        y_any = np.zeros(n, dtype=bool)
        n_all = np.ones(n, dtype=bool)
        for view in views.values():
            y, o = view.flips([(view.threat * free).sum(axis=1) + view.threat[:, f]])
            y_any |= y
            n_all &= o
        good &= ~step | y_any
        undecided |= step & ~(y_any | n_all)
    return good, undecided


def _exact_multiclass_row(result: Any, gam: Any, r: int) -> bool:
    """One multiclass kernel row in Fractions: its class, and each reason answer."""
    from gamexplain.certify.multiclass import class_of
    from gamexplain.model.multiclass import rival_model

    x = [_plain(v) for v in result.instances[r]]
    p = class_of(gam, gam.instance(x))
    if result.prediction[r] != gam.classes[p]:
        return False
    fixed = {gam.index(f) for f in result.fixed}
    everything = set(range(gam.n_features))
    movable = everything - fixed
    rivals = []
    for c in range(gam.n_classes):
        if c == p:
            continue
        model = rival_model(gam, p, c)
        cs = [Fraction(contribution(model, i, v)) for i, v in enumerate(x)]
        low = [Fraction(feature_extreme(f, "min").value) for f in model.features]
        room = Fraction(model.intercept) + sum(cs, Fraction(0))  # D at x, ≥ 0
        pushes = [ci - lo for ci, lo in zip(cs, low, strict=True)]
        rivals.append((pushes, room, getattr(model.task, "positive", ">") == ">="))

    def flips(free: set[int]) -> bool:
        """Whether freeing ``free`` lets some rival win (D < 0, or D ≤ 0 when it wins ties)."""
        for pushes, room, ties_win in rivals:
            total = sum((pushes[i] for i in free), Fraction(0))
            if total > room or (total == room and not ties_win):
                return True
        return False

    def largest(size: int) -> bool:
        for pushes, room, ties_win in rivals:
            total = sum(sorted((pushes[i] for i in movable), reverse=True)[:size], Fraction(0))
            if total > room or (total == room and not ties_win):
                return True
        return False

    for answer in result.answers.values():
        if answer.path[r] != _VECTOR or answer.values is not None:
            continue
        if answer.query == "csr":
            kept = {gam.index(f) for f in result.kept} | fixed
            if bool(answer.holds[r]) != (not flips(everything - kept)):
                return False
            continue
        members = {i for i in range(gam.n_features) if answer.mask[r, i]}
        if answer.query == "mcr":
            if not answer.exists[r]:
                if flips(movable):
                    return False
                continue
            if members & fixed or not flips(members) or largest(len(members) - 1):
                return False
            continue
        free = everything - members
        if not fixed <= members or flips(free):
            return False
        if not all(flips(free | {i}) for i in members - fixed):
            return False
    return True
