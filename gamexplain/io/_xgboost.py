"""XGBoost's JSON model read as one :class:`~gamexplain.io._forest.Forest`.

XGBoost rounds each feature value to float32 and sends it left when ``float32(x) < t``
for its float32 threshold t; its leaves are float32 with the learning rate applied, and
``base_score`` is stored on the scale of the prediction (a probability for
``binary:logistic``, whose margin is its logit). Numbers are read from the JSON text
straight to float32 (:func:`~gamexplain.io._forest.float32_of`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from gamexplain.errors import GamExplainError, InvalidModelError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._forest import Forest, Tree, float32_boundary, float32_of
from gamexplain.model.task import Multiclass, Regression, Task

__all__ = ["xgboost_forest"]

_XGB_IDENTITY = (
    "reg:squarederror",
    "reg:absoluteerror",
    "reg:pseudohubererror",
    "reg:quantileerror",
)
_XGB_BINARY = ("binary:logistic",)
_XGB_MULTI = ("multi:softprob", "multi:softmax")


def xgboost_forest(document: Any) -> Forest:
    """The forest of an XGBoost JSON model (``save_raw("json")`` or ``save_model``).

    Raises
    ------
    InvalidModelError
        Not an XGBoost JSON model.
    UnsupportedModelError
        As :func:`gamexplain.from_xgboost` lists.
    """
    try:
        return _xgboost_model(document)
    except GamExplainError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidModelError(f"not an XGBoost JSON model: {type(exc).__name__}: {exc}") from exc


def _xgboost_model(document: Any) -> Forest:
    learner = document["learner"]
    booster = learner["gradient_booster"]
    if booster["name"] != "gbtree":
        raise UnsupportedModelError(
            f"the XGBoost booster {booster['name']!r} is not supported: gamexplain reads "
            "'gbtree' models (dart reweights its trees, gblinear has none)"
        )
    params = learner["learner_model_param"]
    objective = learner["objective"]["name"]
    n_features = int(params["num_feature"])
    task = _xgboost_task(objective, int(params.get("num_class", 0)))
    trees = tuple(
        Tree.of(k, _xgboost_nodes(k, tree), n_features)
        for k, tree in enumerate(booster["model"]["trees"])
    )
    if isinstance(task, Multiclass):
        groups = tuple(int(g) for g in booster["model"]["tree_info"])
        bases = _xgboost_bases(params, task.n_classes)
        if len(groups) != len(trees) or not all(0 <= g < task.n_classes for g in groups):
            raise InvalidModelError(
                "tree_info does not give every tree a class", "learner.gradient_booster"
            )
        base = 0.0
    else:
        groups, bases = (), ()
        base = _xgboost_base(params, objective)
    names = learner.get("feature_names") or [f"f{i}" for i in range(n_features)]
    if len(names) != n_features:
        raise InvalidModelError(
            f"{len(names)} feature names for {n_features} features", "learner.feature_names"
        )
    return Forest(
        names=tuple(str(n) for n in names),
        trees=trees,
        base=base,
        task=task,
        bounds=(None,) * n_features,
        library="XGBoost",
        groups=groups,
        bases=bases,
    )


def _xgboost_task(objective: str, num_class: int) -> Task | Multiclass:
    if objective in _XGB_MULTI:
        return Multiclass(range(num_class))
    if num_class > 1 or objective.startswith("multi:"):
        raise UnsupportedModelError(
            f"the XGBoost objective {objective!r} with {num_class} classes is not supported: "
            f"gamexplain reads multiclass models trained with {' or '.join(_XGB_MULTI)}"
        )
    if objective in _XGB_BINARY:
        return kit.binary_task(2, "XGBoost models")
    if objective == "binary:logitraw":
        raise UnsupportedModelError(
            "the XGBoost objective 'binary:logitraw' is not supported: XGBClassifier.predict "
            "calls its margin class 1 above 0.5, a Booster's users above 0; retrain with "
            "'binary:logistic', whose class is the margin's sign in both"
        )
    if objective in _XGB_IDENTITY:
        return Regression()
    raise UnsupportedModelError(
        f"the XGBoost objective {objective!r} is not supported: gamexplain reads "
        f"{', '.join(_XGB_BINARY + _XGB_IDENTITY)}, whose prediction is the margin itself "
        "(or its sign)"
    )


def _xgboost_base(params: Mapping[str, Any], objective: str) -> float:
    """The base margin: XGBoost stores ``base_score`` on the scale of the prediction."""
    values = str(params["base_score"]).strip("[]").split(",")
    if len(values) != 1 or int(params.get("num_target", 1)) > 1:
        raise UnsupportedModelError("multi-target XGBoost models are not supported")
    score = float32_of(values[0].strip())
    if objective == "binary:logistic":
        if not 0 < score < 1:
            raise InvalidModelError(f"base_score {score} is not a probability", "learner")
        return float(np.float32(math.log(score / (1 - score))))
    return score


def _xgboost_bases(params: Mapping[str, Any], k: int) -> tuple[float, ...]:
    """A multiclass model's base margins: softmax's link is the identity on margins, so
    ``base_score`` (one number, or one per class) is added to every class as stored."""
    values = [float32_of(v.strip()) for v in str(params["base_score"]).strip("[]").split(",")]
    if int(params.get("num_target", 1)) > 1 or len(values) not in (1, k):
        raise UnsupportedModelError("multi-target XGBoost models are not supported")
    return tuple(values * k if len(values) == 1 else values)


def _xgboost_nodes(k: int, tree: Mapping[str, Any]) -> list[tuple[int, float, int, int] | float]:
    if int(tree["tree_param"].get("size_leaf_vector", 1)) > 1:
        raise UnsupportedModelError(f"XGBoost tree {k} has vector leaves (multi-target)")
    if any(int(t) != 0 for t in tree.get("split_type", ())):
        raise UnsupportedModelError(
            f"XGBoost tree {k} has a categorical split; gamexplain reads numeric splits only"
        )
    nodes: list[tuple[int, float, int, int] | float] = []
    for left, right, feature, condition in zip(
        tree["left_children"],
        tree["right_children"],
        tree["split_indices"],
        tree["split_conditions"],
        strict=True,
    ):
        value = float32_of(condition)
        if int(left) < 0:
            nodes.append(value)
        else:
            nodes.append((int(feature), float32_boundary(value), int(left), int(right)))
    return nodes
