"""Load additive boosted trees (XGBoost, LightGBM, scikit-learn's HistGradientBoosting).

A boosted model whose every tree splits on one feature (stumps, or
``interaction_constraints`` of single features) is a GAM with step shapes; one whose
trees split on at most two features is a GA²M whose pair terms are 2-D tables. The
adapters read each library's own structured dump — XGBoost's JSON model, LightGBM's
``dump_model`` or text model, the predictor nodes of a fitted HistGradientBoosting
estimator — never a pickle, and hand the trees to one assembly
(:mod:`gamexplain.io._forest`).

Each library's comparison is kept exactly. scikit-learn and LightGBM send a double x
left when ``x <= t``, so the piece boundary is the double after t. XGBoost rounds x to
float32 and sends it left when ``float32(x) < t``, so the boundary is the least double
that rounds to t or above. A value at a threshold therefore falls where the library
sends it. Missing values (NaN) lie outside every gamexplain domain, so the branches the
libraries take for them never matter; LightGBM's ``zero_as_missing`` sends non-NaN
values near 0 its default way, and is refused where that changes a split.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gamexplain.errors import InvalidModelError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._forest import Forest, Tree, after, build
from gamexplain.io._lightgbm import lightgbm_dump_forest, lightgbm_text_forest
from gamexplain.io._xgboost import xgboost_forest
from gamexplain.model.domains import Domain
from gamexplain.model.gam import GAM
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.task import Multiclass, Regression, Task

__all__ = [
    "from_hist_gradient_boosting",
    "from_lightgbm",
    "from_lightgbm_model",
    "from_xgboost",
    "from_xgboost_json",
]


def from_xgboost(
    model: Any,
    *,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Convert a fitted XGBoost model whose trees split on at most two features.

    Parameters
    ----------
    model : xgboost.XGBClassifier, XGBRegressor or Booster
        A ``gbtree`` model with the ``binary:logistic`` objective, a multiclass one
        (``multi:softprob``, ``multi:softmax``), or an identity-link regression
        (``reg:squarederror``, ``reg:absoluteerror``, ``reg:pseudohubererror``, one
        ``reg:quantileerror`` quantile). Read from its JSON dump (``save_raw("json")``), so xgboost
        is never imported here. A Booster gives all its trees, as ``Booster.predict`` uses; an
        estimator fitted with early stopping only those up to ``best_iteration``, as its ``predict``
        does.
    X : array-like of shape (n_samples, n_features), optional
        Training data: a feature without a given domain takes its observed range
        (``Integers`` when every value is whole, else ``Interval``). XGBoost stores no
        ranges, so each feature needs ``X`` or ``domains``.
    names : sequence of str or DataFrame, optional
        Feature names; default the booster's ``feature_names``, else ``f0``, ``f1``, …
        as in XGBoost's own dumps.
    domains : mapping of str or int to Domain, optional
        Numeric domains (``Interval``, ``Integers``, numeric ``Finite``) by name or
        position, in place of the observed ranges.
    tolerance : float, default 0.0
        **Set it for a regressor**: reasons keep the score within ``tolerance`` of
        f(x). A classifier takes none.

    Returns
    -------
    GAM
        Degree-0 ``Piecewise`` shapes (one piece boundary per distinct threshold on the
        feature), one :class:`~gamexplain.PairTerm` per pair of features some tree
        splits on together, and the base margin (``logit(base_score)`` for
        ``binary:logistic``) plus single-leaf trees as intercept. Its score equals
        ``predict(X, output_margin=True)`` up to XGBoost's float32 sums (about 1e-6
        relative): the leaves and thresholds are XGBoost's float32 values exactly, and
        each piece sums its leaves with one rounding. A classifier predicts class 1
        when the score is > 0 (``Classification(0, ">")``); XGBoost's rule
        ``sigmoid(margin) > 0.5`` in float32 differs only for margins within ~1e-7 of 0.
    MulticlassGAM
        For a multiclass model: one score model per class from that class's trees
        (``tree_info``), with ``base_score`` (one or one per class) added to each class
        as a margin; ``decision_function`` equals ``predict(X, output_margin=True)`` to
        about 1e-6 and the predicted class is the argmax, labelled with the estimator's
        ``classes_``.

    Raises
    ------
    UnsupportedModelError
        A tree splitting on three or more features (named with its index), a
        categorical split, a multi-target model, another booster
        (``dart``, ``gblinear``) or an objective whose prediction is not its margin
        (``reg:logistic``, ``count:poisson`` …).
    InvalidModelError
        Not a fitted XGBoost model, or an inconsistent dump.
    InvalidParameterError
        Bad ``X``, ``names``, ``domains`` or ``tolerance``; a feature with no domain.

    Notes
    -----
    O(T·P·d) for T trees, P pieces of the feature or pair a tree adds to and depth d;
    the conversion is exact (no complexity-table theorem is involved).

    Examples
    --------
    >>> import numpy as np, xgboost
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> model = xgboost.XGBRegressor(n_estimators=4, max_depth=1).fit(X, [0, 1, 2, 3])
    >>> gam = from_xgboost(model, X=X, tolerance=0.5)
    >>> bool(np.allclose(gam.decision_function(X), model.predict(X), atol=1e-6))
    True
    """
    document = _json(_xgboost_bytes(model), "XGBoost")
    forest = _with_classes(xgboost_forest(document), model)
    return build(
        forest, X=X, names=names, domains=domains, tolerance=tolerance, caller="from_xgboost"
    )


def from_xgboost_json(
    source: str | os.PathLike[str],
    *,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Load an XGBoost model from the JSON file ``save_model("model.json")`` writes.

    Parameters
    ----------
    source : str or path-like
        The file's path, or its text (a string starting with ``{``). Read as data.
    X, names, domains, tolerance
        As in :func:`from_xgboost`.

    Returns
    -------
    GAM
        The model :func:`from_xgboost` gives for the saved booster.

    Raises
    ------
    InvalidModelError
        Invalid JSON, or not an XGBoost model.
    UnsupportedModelError, InvalidParameterError
        As in :func:`from_xgboost`.

    Notes
    -----
    Linear in the file size plus :func:`from_xgboost`'s cost. No theorem is involved.
    """
    forest = xgboost_forest(_json(_read(source), "XGBoost"))
    return build(
        forest, X=X, names=names, domains=domains, tolerance=tolerance, caller="from_xgboost_json"
    )


def from_lightgbm(
    model: Any,
    *,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Convert a fitted LightGBM model whose trees split on at most two features.

    Parameters
    ----------
    model : lightgbm.LGBMClassifier, LGBMRegressor or Booster
        A ``gbdt`` (or ``goss``) model for a ``binary``, ``multiclass`` or ``multiclassova``
        objective or an identity-link regression (``regression``, ``regression_l1``, ``huber``,
        ``fair``, ``quantile``, ``mape``), read from its text model (``model_to_string()``: the
        iterations LightGBM itself predicts with, up to the best one after early stopping; every
        number in 17 digits, so exactly).
    X : array-like of shape (n_samples, n_features), optional
        Training data whose observed ranges give the domains; default the training
        ranges the model records (``feature_infos``).
    names : sequence of str or DataFrame, optional
        Default the model's feature names (``Column_0``, … when fitted without names);
        when ``X`` is the training frame whose column names LightGBM stored with its
        substitutions (``mean radius`` as ``mean_radius``), the frame's own names.
    domains, tolerance
        As in :func:`from_xgboost`.

    Returns
    -------
    GAM
        As in :func:`from_xgboost`, with leaves and thresholds LightGBM's doubles: a
        split sends ``x <= t`` left, so the piece boundary is the double after t. The
        score equals ``predict(X, raw_score=True)`` up to the rounding of the sums;
        a classifier predicts class 1 when it is > 0, as LightGBM does.
    MulticlassGAM
        For a multiclass model: class c's score model sums trees c, c + K, c + 2K, …
        (the initial scores are in the first iteration's leaves); softmax and
        one-vs-all sigmoids increase with each raw score, so the predicted class is the
        argmax of ``predict(X, raw_score=True)``.

    Raises
    ------
    UnsupportedModelError
        A tree splitting on three or more features, categorical splits, linear trees,
        ``average_output`` (random forest mode), non-identity
        regression links (``poisson``, ``gamma``, ``tweedie``, ``cross_entropy``), and
        ``zero_as_missing`` splits whose default direction differs from the threshold's
        for values near 0.
    InvalidModelError, InvalidParameterError
        As in :func:`from_xgboost`.

    Notes
    -----
    O(T·P·d) as in :func:`from_xgboost`; exact, no theorem involved.

    Examples
    --------
    >>> import numpy as np, lightgbm
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> model = lightgbm.LGBMRegressor(n_estimators=3, max_depth=1, min_child_samples=2,
    ...                                verbose=-1).fit(X, np.arange(20.0))
    >>> gam = from_lightgbm(model, tolerance=1.0)
    >>> bool(np.allclose(gam.decision_function(X), model.predict(X), rtol=0, atol=1e-12))
    True
    """
    booster = getattr(model, "booster_", model)
    if not hasattr(booster, "model_to_string"):
        raise InvalidModelError(f"{type(model).__name__} is not a fitted LightGBM model")
    forest = _with_classes(lightgbm_text_forest(booster.model_to_string()), model)
    if names is None:
        names = _unsanitized(forest.names, X)
    return build(
        forest, X=X, names=names, domains=domains, tolerance=tolerance, caller="from_lightgbm"
    )


def _with_classes(forest: Forest, model: Any) -> Forest:
    """A multiclass forest with the estimator's own class labels (``classes_``)."""
    labels = getattr(model, "classes_", None)
    if not isinstance(forest.task, Multiclass) or labels is None:
        return forest
    if len(labels) != forest.task.n_classes:
        raise InvalidModelError(
            f"{len(labels)} classes_ for a model scoring {forest.task.n_classes} classes"
        )
    return replace(forest, task=Multiclass(labels))


def _unsanitized(names: tuple[str, ...], X: Any) -> list[str] | None:
    """The training frame's column names, where LightGBM stored them with its
    substitutions (a space or JSON character becomes ``_``), so that a row from the same
    frame is matched by the names its user knows."""
    columns = getattr(X, "columns", None)
    if columns is None or len(columns) != len(names):
        return None
    columns = [str(c) for c in columns]

    def plain(name: str) -> str:
        return re.sub(r"[^0-9A-Za-z]", "_", name)

    if columns == list(names) or [plain(c) for c in columns] != [plain(n) for n in names]:
        return None
    return columns


def from_lightgbm_model(
    source: str | os.PathLike[str],
    *,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Load a LightGBM model file: the text ``booster.save_model`` writes, or the JSON
    of ``booster.dump_model()``.

    Parameters
    ----------
    source : str or path-like
        The file's path, or its text. A text starting with ``{`` is read as the JSON
        dump, any other as the text model format. Read as data. Prefer the text model:
        the JSON dump prints the recorded feature ranges to 16 digits, so without
        ``X`` or ``domains`` a training extreme can fall just outside its domain (it is
        still explained, over the domain widened to hold it, but the domain is not the
        training range exactly).
    X, names, domains, tolerance
        As in :func:`from_lightgbm`.

    Returns
    -------
    GAM
        The model :func:`from_lightgbm` gives for the saved booster.

    Raises
    ------
    InvalidModelError
        Not a LightGBM model file.
    UnsupportedModelError, InvalidParameterError
        As in :func:`from_lightgbm`.

    Notes
    -----
    Linear in the file size plus :func:`from_lightgbm`'s cost. No theorem is involved.
    """
    text = _read(source).decode("utf-8", errors="replace")
    if text.lstrip().startswith("{"):
        forest = lightgbm_dump_forest(_json(text.encode(), "LightGBM"))
    else:
        forest = lightgbm_text_forest(text)
    return build(
        forest, X=X, names=names, domains=domains, tolerance=tolerance, caller="from_lightgbm_model"
    )


def from_hist_gradient_boosting(
    model: Any,
    *,
    X: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
) -> GAM | MulticlassGAM:
    """Convert a fitted scikit-learn HistGradientBoostingClassifier or -Regressor.

    Parameters
    ----------
    model : HistGradientBoostingClassifier or HistGradientBoostingRegressor
        Binary or multiclass, or a regressor with an identity link (``squared_error``,
        ``absolute_error``, ``quantile``), on numeric features; its trees must split on
        at most two features (``interaction_cst="no_interactions"`` or pairs).
    X : array-like of shape (n_samples, n_features), optional
        Training data whose observed ranges give the domains; the estimator stores
        none, so each feature needs ``X`` or ``domains``.
    names : sequence of str or DataFrame, optional
        Default ``feature_names_in_``, else ``x0``, ``x1``, ….
    domains, tolerance
        As in :func:`from_xgboost`.

    Returns
    -------
    GAM
        As in :func:`from_xgboost`, read from the fitted predictors' nodes: a split
        sends ``x <= num_threshold`` left; leaves already carry the learning rate; the
        intercept is the baseline prediction. The score equals ``decision_function``
        (classifier) or ``predict`` (regressor) up to the rounding of the sums (about
        1e-15); a classifier predicts class 1 when it is > 0.
    MulticlassGAM
        For a multiclass classifier: one score model per class, whose scores equal
        ``decision_function`` to about 1e-15 and whose argmax is ``predict``.

    Raises
    ------
    UnsupportedModelError
        A tree splitting on three or more features, categorical features,
        non-identity links (``poisson``, ``gamma``).
    InvalidModelError, InvalidParameterError
        As in :func:`from_xgboost`.

    Notes
    -----
    O(T·P·d) as in :func:`from_xgboost`; exact, no theorem involved.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> model = HistGradientBoostingRegressor(
    ...     max_iter=3, interaction_cst="no_interactions", min_samples_leaf=2
    ... ).fit(X, np.arange(20.0))
    >>> gam = from_hist_gradient_boosting(model, X=X, tolerance=1.0)
    >>> bool(np.allclose(gam.decision_function(X), model.predict(X), rtol=0, atol=1e-12))
    True
    """
    forest = _hgb_forest(model)
    return build(
        forest,
        X=X,
        names=names,
        domains=domains,
        tolerance=tolerance,
        caller="from_hist_gradient_boosting",
    )


# -- files ------------------------------------------------------------------------------
def _read(source: str | os.PathLike[str]) -> bytes:
    """The bytes of a model file, or of ``source`` itself when it is the file's text
    (JSON, or several lines: no file name holds a line break)."""
    if isinstance(source, str) and (source.lstrip().startswith("{") or "\n" in source):
        return source.encode("utf-8")
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise InvalidModelError(f"cannot read the model file: {exc}") from exc


def _json(data: bytes, library: str) -> Any:
    """The JSON document in ``data``; its decimals kept exact (``Decimal``), so that
    XGBoost's float32 numbers are rounded once, from their text."""
    try:
        return json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise InvalidModelError(f"not a {library} JSON model: {type(exc).__name__}: {exc}") from exc


def _xgboost_bytes(model: Any) -> bytes:
    """The JSON of the trees ``model`` predicts with (after early stopping, an
    estimator's ``predict`` stops at ``best_iteration``; a Booster's uses every tree)."""
    not_fitted = InvalidModelError(f"{type(model).__name__} is not a fitted XGBoost model")
    booster = model
    if hasattr(model, "get_booster"):
        try:
            booster = model.get_booster()
        except (ValueError, AttributeError) as exc:  # sklearn's NotFittedError is both
            raise not_fitted from exc
        best = getattr(model, "best_iteration", None)
        if best is not None:
            booster = booster[: int(best) + 1]
    if not hasattr(booster, "save_raw"):
        raise not_fitted
    return bytes(booster.save_raw("json"))


# -- scikit-learn's HistGradientBoosting ----------------------------------------------
def _hgb_forest(model: Any) -> Forest:
    predictors = getattr(model, "_predictors", None)
    if predictors is None or not hasattr(model, "_baseline_prediction"):
        raise InvalidModelError(
            f"{type(model).__name__} is not a fitted HistGradientBoosting estimator"
        )
    categorical = getattr(model, "is_categorical_", None)
    if getattr(model, "_preprocessor", None) is not None or (
        categorical is not None and np.any(categorical)
    ):
        raise UnsupportedModelError(
            "HistGradientBoosting with categorical features is not supported; gamexplain "
            "reads numeric splits only"
        )
    task = _hgb_task(model)
    n_features = int(model.n_features_in_)
    per_iteration = [list(iteration) for iteration in predictors]
    trees = tuple(
        Tree.of(k, _hgb_nodes(k, predictor), n_features)
        for k, predictor in enumerate(p for iteration in per_iteration for p in iteration)
    )
    names = getattr(model, "feature_names_in_", None)
    baseline = [float(b) for b in np.ravel(model._baseline_prediction)]
    multiclass = isinstance(task, Multiclass)
    per_class = task.n_classes if isinstance(task, Multiclass) else 1
    if any(len(iteration) != per_class for iteration in per_iteration):
        raise InvalidModelError("an iteration does not hold one tree per class")
    return Forest(
        names=tuple(str(n) for n in (kit.default_names(n_features) if names is None else names)),
        trees=trees,
        base=baseline[0],
        task=task,
        bounds=(None,) * n_features,
        library="HistGradientBoosting",
        groups=tuple(c for iteration in per_iteration for c in range(len(iteration)))
        if multiclass
        else (),
        bases=tuple(baseline) if multiclass else (),
    )


def _hgb_task(model: Any) -> Task | Multiclass:
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        return Multiclass(classes)
    if classes is not None:
        return kit.binary_task(len(classes), "HistGradientBoosting classifiers")
    link = type(getattr(model._loss, "link", None)).__name__
    if link != "IdentityLink":
        raise UnsupportedModelError(
            f"the HistGradientBoosting loss {model.loss!r} predicts through a {link}; "
            "gamexplain reads regressions whose prediction is the score itself"
        )
    return Regression()


def _hgb_nodes(k: int, predictor: Any) -> list[tuple[int, float, int, int] | float]:
    nodes = predictor.nodes
    if np.any(nodes["is_categorical"][nodes["is_leaf"] == 0]):
        raise UnsupportedModelError(f"HistGradientBoosting tree {k} has a categorical split")
    return [
        float(node["value"])
        if node["is_leaf"]
        else (
            int(node["feature_idx"]),
            after(node["num_threshold"]),
            int(node["left"]),
            int(node["right"]),
        )
        for node in nodes
    ]
