"""Multiclass GAMs: K additive scores over shared features, the prediction their argmax.

score_c(x) = β0_c + Σ_i β_i·f_ic(x_i) + Σ_(i,j) g_ijc(x_i, x_j), and the model predicts
the class of highest score, ties to the lowest class index (numpy's ``argmax``,
scikit-learn and EBM agree).

Representation
--------------
A :class:`MulticlassGAM` holds one *score model* per class: an ordinary :class:`GAM`
with a :class:`~gamexplain.model.task.Regression` task whose score is score_c. The K
score models share everything but their numbers: feature names, domains, weights and
marginals, the shapes' kind and breakpoints, the pair terms' features and edges. So every
per-feature primitive, SHAP of the score and every adapter step built for one GAM serve
each class unchanged, and no binary code path learns about classes.

A question about the argmax is a question about the K − 1 *rival models*
:func:`rival_model`: for the predicted class p and a rival c, the binary GAM
D_pc = score_p − score_c with the tie rule of the lowest index (class 1 iff
D_pc ≥ 0 when p < c, D_pc > 0 when p > c). The model predicts p at x exactly when every
D_pc predicts class 1 at x. D_pc's numbers are differences of floats, which floats do not
hold; its tables, pieces and pair values hold them as exact rationals (a rival model is
built for explaining, never written to a file).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamexplain.errors import InvalidModelError, UnsupportedModelError
from gamexplain.exact import Exact, compare
from gamexplain.model.gam import GAM, Feature, Instance, PairTerm
from gamexplain.model.shapes import Piecewise, ReLUNet, Table, rational_piecewise
from gamexplain.model.task import Classification, Multiclass, Regression

__all__ = ["MulticlassGAM", "rival_model"]


@dataclass(frozen=True)
class MulticlassGAM:
    """A multiclass GAM: one score model per class over shared features.

    Parameters
    ----------
    task : Multiclass
        The class labels, in the order of ``scores``.
    scores : sequence of GAM
        One regression GAM per class (score_c); they must share feature names, domains,
        weights, marginals, shape kinds and breakpoints, and pair features and edges.
        Network shapes are not supported.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Regression
    >>> def score(values, b0):
    ...     return GAM([Feature("g", Finite(["a", "b"]), Table(values))], b0, Regression())
    >>> m = MulticlassGAM(Multiclass(["x", "y", "z"]),
    ...                   [score([0.0, 0.0], 0.0), score([1.0, -1.0], 0.0),
    ...                    score([1.0, 0.0], 0.0)])
    >>> m.predict([["a"], ["b"]]).tolist()
    ['y', 'x']
    """

    task: Multiclass
    scores: tuple[GAM, ...]

    def __init__(self, task: Multiclass, scores: Sequence[GAM]) -> None:
        if not isinstance(task, Multiclass):
            raise InvalidModelError(f"{task!r} is not a Multiclass task", "task")
        models = tuple(scores)
        if len(models) != task.n_classes:
            raise InvalidModelError(
                f"{task.n_classes} classes need {task.n_classes} score models, got {len(models)}",
                "scores",
            )
        for c, model in enumerate(models):
            where = f"scores[{c}]"
            if not isinstance(model, GAM) or not isinstance(model.task, Regression):
                raise InvalidModelError("a class's score model is a regression GAM", where)
            _check_shared(models[0], model, where)
        object.__setattr__(self, "task", task)
        object.__setattr__(self, "scores", models)

    # -- structure ------------------------------------------------------------------
    @property
    def classes(self) -> tuple[Any, ...]:
        return self.task.classes

    @property
    def n_classes(self) -> int:
        return self.task.n_classes

    @property
    def features(self) -> tuple[Feature, ...]:
        """One feature per position as the classes share it: names, domains, weights and
        marginals are shared; the shape is the class's of highest degree, so the
        feature's component (table, ebm or spline) is the hardest any class has."""
        cached = self.__dict__.get("_features")
        if cached is None:
            cached = tuple(
                max((m.features[i] for m in self.scores), key=_degree)
                for i in range(self.n_features)
            )
            object.__setattr__(self, "_features", cached)
        return cached

    @property
    def pairs(self) -> tuple[PairTerm, ...]:
        return tuple(self.scores[0].pairs)

    @property
    def n_features(self) -> int:
        return self.scores[0].n_features

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.scores[0].feature_names

    @property
    def is_additive(self) -> bool:
        return self.scores[0].is_additive

    @property
    def intercepts(self) -> tuple[float, ...]:
        return tuple(m.intercept for m in self.scores)

    def index(self, feature: int | str) -> int:
        return self.scores[0].index(feature)

    def class_index(self, label: Any) -> int:
        """The position of a class given by its label."""
        if isinstance(label, np.generic):
            label = label.item()
        if label in self.classes and not isinstance(label, bool):
            return self.classes.index(label)
        raise InvalidModelError(f"no class {label!r}; the classes are {list(self.classes)}")

    # -- instances ------------------------------------------------------------------
    def instance(self, x: ArrayLike | Mapping[str, Any]) -> Instance:
        """Validate one instance (see :meth:`GAM.instance`)."""
        return self.scores[0].instance(x)

    def covering(self, x: ArrayLike | Mapping[str, Any]) -> MulticlassGAM:
        """Every score model widened to hold ``x`` (see :meth:`GAM.covering`); they widen
        alike since their domains and breakpoints are shared."""
        widened = tuple(m.covering(x) for m in self.scores)
        if all(w is m for w, m in zip(widened, self.scores, strict=True)):
            return self
        # kept per widening, so that its rival models (and the solvers' caches keyed
        # on them) are built once
        cache: dict[tuple[int, ...], MulticlassGAM] = self.__dict__.setdefault("_coverings", {})
        key = tuple(id(w) for w in widened)
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = MulticlassGAM(self.task, widened)
        return cache[key]

    # -- evaluation -----------------------------------------------------------------
    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """The K scores of every row: an array of shape (n_rows, n_classes)."""
        return np.column_stack([m.decision_function(X) for m in self.scores])

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The class label of every row: the argmax of the scores, ties to the lowest index.

        A row whose two best float scores lie within their rigorous rounding bounds of
        each other is decided in exact arithmetic, so the labels always equal
        :meth:`predict_exact`.
        """
        first = self.scores[0]
        rows = first._rows(X)
        columns, inexact = first._columns(rows)
        found = [m._float_scores(columns) for m in self.scores]
        scores = np.column_stack([s for s, _ in found])
        bounds = np.column_stack([b for _, b in found])
        with np.errstate(invalid="ignore"):
            best = np.argmax(scores, axis=1)
            top = scores[np.arange(len(best)), best]
            reach = bounds[np.arange(len(best)), best][:, None] + bounds
            close = (top[:, None] - scores <= reach) & (np.arange(self.n_classes) != best[:, None])
        doubtful = inexact | close.any(axis=1) | ~np.isfinite(scores).all(axis=1)
        for r in np.flatnonzero(doubtful):
            best[r] = self.predict_index(tuple(v.item() if isinstance(v, np.generic) else v
                                               for v in rows[r]))  # fmt: skip
        labels = np.empty(len(best), dtype=object)
        labels[:] = [self.classes[k] for k in best]
        return (
            labels
            if any(isinstance(c, str) for c in self.classes)
            else labels.astype(np.asarray(self.classes).dtype)
        )

    def scores_exact(self, x: Sequence[Any]) -> tuple[Exact, ...]:
        """The exact K scores of one instance."""
        return tuple(m.score_exact(x) for m in self.scores)

    def predict_index(self, x: Sequence[Any]) -> int:
        """The exact predicted class index: the first index of the largest exact score."""
        scores = self.scores_exact(x)
        best = 0
        for c in range(1, len(scores)):
            if compare(scores[c], scores[best]) > 0:
                best = c
        return best

    def predict_exact(self, x: Sequence[Any]) -> Any:
        """The exact predicted class label of one instance."""
        return self.classes[self.predict_index(x)]


def _degree(feature: Feature) -> int:
    return feature.shape.degree if isinstance(feature.shape, Piecewise) else 0


def _check_shared(first: GAM, other: GAM, where: str) -> None:
    if other.feature_names != first.feature_names:
        raise InvalidModelError("every class's score model has the same features", where)
    for i, (a, b) in enumerate(zip(first.features, other.features, strict=True)):
        here = f"{where}.features[{i}]"
        if (a.domain, a.weight, a.distribution) != (b.domain, b.weight, b.distribution):
            raise InvalidModelError("classes share a feature's domain, weight and marginal", here)
        if isinstance(a.shape, ReLUNet) or isinstance(b.shape, ReLUNet):
            raise UnsupportedModelError(
                f"{here}: multiclass models with network shapes are not supported"
            )
        if type(a.shape) is not type(b.shape) or (
            isinstance(a.shape, Piecewise)
            and isinstance(b.shape, Piecewise)
            and a.shape.breakpoints != b.shape.breakpoints
        ):
            raise InvalidModelError("classes share a feature's shape kind and breakpoints", here)
    if [(p.features, p.edges) for p in first.pairs] != [(p.features, p.edges) for p in other.pairs]:
        raise InvalidModelError("classes share the pair terms' features and edges", where)


# -- rival models ---------------------------------------------------------------------
class _Hashed:
    """A frozen model value whose hash is computed once: rival models hold exact
    rationals, whose hashes are slow, and the algorithms' caches hash their models on
    every question."""

    def __hash__(self) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = super().__hash__()
            object.__setattr__(self, "_hash", cached)
        return int(cached)


class _RivalGAM(_Hashed, GAM):
    """A rival model (see :func:`rival_model`)."""


class _RivalFeature(_Hashed, Feature):
    """A feature of a rival model."""


def _number(value: Fraction) -> float | Fraction:
    """``value`` as a float when a float holds it exactly, else the rational itself."""
    rounded = float(value)
    return rounded if Fraction(rounded) == value else value


def _rational_table(values: Sequence[Fraction]) -> Table:
    """A table holding exact rationals (a rival model's differences), built past the
    float check of :class:`Table` as :func:`rational_piecewise` does for pieces."""
    table = Table.__new__(Table)
    object.__setattr__(table, "values", tuple(_number(Fraction(v)) for v in values))
    return table


def _rational_pair(pair: PairTerm, values: Sequence[Sequence[Fraction]]) -> PairTerm:
    """``pair``'s features and edges with exact rational values."""
    return _term(pair, tuple(tuple(_number(v) for v in row) for row in values))


def _term(pair: PairTerm, rows: tuple[tuple[float | Fraction, ...], ...]) -> PairTerm:
    """``pair``'s features and edges with the given values (floats, or rationals that
    are no floats), unchecked: the caller computed them exactly."""
    term = PairTerm.__new__(PairTerm)
    object.__setattr__(term, "features", pair.features)
    object.__setattr__(term, "edges", pair.edges)
    object.__setattr__(term, "values", rows)
    return term


def rival_model(
    gam: MulticlassGAM, winner: int, rival: int, check: Callable[[], None] | None = None
) -> GAM:
    """The binary GAM D = score_winner − score_rival, class 1 iff ``winner`` beats ``rival``.

    Parameters
    ----------
    gam : MulticlassGAM
    winner, rival : int
        Two different class indices.
    check : callable, optional
        Called between the steps of a build; a query passes its clock's check
        (:func:`gamexplain.substrate.deadline.check`), which raises past the deadline.

    Returns
    -------
    GAM
        Classification at threshold 0 with ``positive=">="`` when winner < rival (a tie
        goes to the winner) and ``">"`` otherwise. Its numbers are exact rationals; the
        intercept difference is folded into the first feature's shape. It has no
        marginals: it serves set-valued queries (sufficient and contrastive reasons).

    Notes
    -----
    Linear in the size of the two score models. Cached per model and (winner, rival).
    Building it (exact rationals: about a second on a fitted EBM with pair terms) calls
    ``check`` per feature and per pair-table row, so a query's deadline stops it; a
    build stopped by an exception caches nothing.
    """
    cache: dict[tuple[int, int], GAM] = gam.__dict__.setdefault("_rivals", {})
    key = (winner, rival)
    if key not in cache:
        cache[key] = _difference(
            gam.scores[winner], gam.scores[rival], winner < rival, check or _unlimited
        )
    return cache[key]


def _pair_difference(a: PairTerm, b: PairTerm, check: Callable[[], None]) -> PairTerm:
    """The pair term a − b, exact: each entry a float where the difference is one."""
    floats = all(type(v) is float for t in (a, b) for row in t.values for v in row)
    if floats:
        # TwoSum (error-free under round-to-nearest): s = fl(u − v) and err = (u − v) − s
        # exactly, so u − v is a float iff err = 0 (then it is s); only the others
        # take the rational path
        u, v = np.asarray(a.values, dtype=float), np.asarray(b.values, dtype=float)
        with np.errstate(all="ignore"):
            total = u - v
            back = total - u
            error = (u - (total - back)) + (-v - back)
        plain = (error == 0) & np.isfinite(total)
        total = total + 0.0  # no negative zeros, as the rational path gives none
    rows = []
    for r, (ra, rb) in enumerate(zip(a.values, b.values, strict=True)):
        check()
        if floats:
            rows.append(tuple(
                float(total[r, k]) if plain[r, k] else _number(Fraction(x) - Fraction(y))
                for k, (x, y) in enumerate(zip(ra, rb, strict=True))
            ))  # fmt: skip
        else:
            pairs = zip(ra, rb, strict=True)
            rows.append(tuple(_number(Fraction(x) - Fraction(y)) for x, y in pairs))
    return _term(a, tuple(rows))


def _unlimited() -> None:
    """No check: a build outside any query's clock."""


def _difference(p: GAM, c: GAM, ties_win: bool, check: Callable[[], None]) -> GAM:
    offset = Fraction(p.intercept) - Fraction(c.intercept)
    features = []
    for i, (a, b) in enumerate(zip(p.features, c.features, strict=True)):
        check()
        features.append(_feature_difference(a, b, offset if i == 0 else Fraction(0)))
    pairs = []
    for pa, pb in zip(p.pairs, c.pairs, strict=True):
        check()
        pairs.append(_pair_difference(pa, pb, check))
    task = Classification(threshold=0.0, positive=">=" if ties_win else ">")
    return _RivalGAM(features, 0.0, task, pairs)


def _feature_difference(a: Feature, b: Feature, offset: Fraction) -> Feature:
    wa, wb = Fraction(a.weight), Fraction(b.weight)
    if isinstance(a.shape, Table) and isinstance(b.shape, Table):
        values = [wa * Fraction(u) - wb * Fraction(v) + offset
                  for u, v in zip(a.shape.values, b.shape.values, strict=True)]  # fmt: skip
        return _RivalFeature(a.name, a.domain, _rational_table(values))
    assert isinstance(a.shape, Piecewise) and isinstance(b.shape, Piecewise)
    rows = []
    for pa, pb in zip(a.shape.coefficients, b.shape.coefficients, strict=True):
        row = [wa * Fraction(u) - wb * Fraction(v)
               for u, v in itertools.zip_longest(pa, pb, fillvalue=0.0)]  # fmt: skip
        row[0] += offset
        rows.append(row)
    return _RivalFeature(a.name, a.domain, rational_piecewise(a.shape.breakpoints, rows))
