"""LightGBM's two model dumps — ``dump_model()``'s JSON and the text model format — read
as one :class:`~gamexplain.io._forest.Forest`.

LightGBM compares a double feature value with a double threshold and sends ``x <= t``
left. Its leaves already carry the learning rate (``shrinkage`` is a record), and
``boost_from_average`` puts the initial score into the first tree's leaves, so the raw
score is the plain sum of the leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gamexplain.errors import GamExplainError, InvalidModelError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.io._forest import Forest, Tree, after
from gamexplain.model.domains import Interval
from gamexplain.model.task import Multiclass, Regression, Task

__all__ = ["lightgbm_dump_forest", "lightgbm_text_forest"]

_IDENTITY = ("regression", "regression_l1", "huber", "fair", "quantile", "mape")
_MISSING = {0: "None", 1: "Zero", 2: "NaN"}
_ZERO = 1e-35  # LightGBM's kZeroThreshold: |x| <= it counts as zero for zero_as_missing
Node = tuple[int, float, int, int] | float


def lightgbm_dump_forest(dump: Any) -> Forest:
    """The forest of ``booster.dump_model()`` (a dict, or its JSON read back).

    Raises
    ------
    InvalidModelError
        Not a LightGBM dump.
    UnsupportedModelError
        As :func:`gamexplain.from_lightgbm` lists.
    """
    try:
        return _dump(dump)
    except GamExplainError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidModelError(f"not a LightGBM model dump: {type(exc).__name__}: {exc}") from exc


def lightgbm_text_forest(text: str) -> Forest:
    """The forest of a text model (``booster.save_model`` / ``model_to_string``).

    Raises
    ------
    InvalidModelError
        Not a LightGBM text model.
    UnsupportedModelError
        As :func:`gamexplain.from_lightgbm` lists.
    """
    try:
        return _text(text)
    except GamExplainError:
        raise
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise InvalidModelError(f"not a LightGBM text model: {type(exc).__name__}: {exc}") from exc


def _forest(
    header: Mapping[str, Any],
    names: list[str],
    trees: tuple[Tree, ...],
    bounds: tuple[Interval | None, ...],
) -> Forest:
    task = _task(str(header["objective"]), int(header["num_tree_per_iteration"]))
    k = task.n_classes if isinstance(task, Multiclass) else 0
    return Forest(
        names=tuple(names),
        trees=trees,
        base=0.0,
        task=task,
        bounds=bounds,
        library="LightGBM",
        # one tree per class and iteration, in class order; the initial scores are in
        # the first iteration's leaves, so the bases are 0
        groups=tuple(t % k for t in range(len(trees))) if k else (),
        bases=(0.0,) * k,
    )


def _task(objective: str, per_iteration: int) -> Task | Multiclass:
    name = objective.split()[0] if objective.strip() else objective
    if name in ("multiclass", "multiclassova") and per_iteration > 1:
        # softmax and one-vs-all sigmoids are increasing in each raw score: the class
        # LightGBM predicts is the argmax of the raw scores
        return Multiclass(range(per_iteration))
    if per_iteration > 1 or name in ("multiclass", "multiclassova"):
        raise UnsupportedModelError(
            f"the LightGBM objective {objective!r} with {per_iteration} trees per iteration "
            "is not supported"
        )
    if name == "binary":
        return kit.binary_task(2, "LightGBM models")
    if name in _IDENTITY:
        return Regression()
    raise UnsupportedModelError(
        f"the LightGBM objective {objective!r} is not supported: gamexplain reads "
        f"'binary' and {', '.join(map(repr, _IDENTITY))}, whose output is the raw score itself"
    )


def _split(
    k: int, feature: int, text: Any, decision: str, default_left: bool, missing: str
) -> tuple[int, float]:
    """A numeric split as (feature, boundary); refused where LightGBM's default direction
    moves a non-NaN value (``zero_as_missing`` sends |x| ≤ 1e-35 the default way)."""
    if decision != "<=":
        raise UnsupportedModelError(
            f"LightGBM tree {k} has a categorical split ({decision!r}); gamexplain reads "
            "numeric splits only"
        )
    threshold = float(text)
    if missing == "Zero" and (threshold < _ZERO if default_left else threshold >= -_ZERO):
        raise UnsupportedModelError(
            f"LightGBM tree {k} splits feature {feature} at {threshold!r} with "
            "zero_as_missing, which sends values next to 0 against the threshold; "
            "retrain with zero_as_missing=False"
        )
    return feature, after(threshold)


# -- dump_model() -----------------------------------------------------------------------
def _dump(dump: Mapping[str, Any]) -> Forest:
    if dump.get("average_output"):
        raise UnsupportedModelError(
            "LightGBM models with average_output (boosting='rf') are not supported"
        )
    names = [str(n) for n in dump["feature_names"]]
    trees = tuple(
        Tree.of(k, _dump_nodes(k, info["tree_structure"]), len(names))
        for k, info in enumerate(dump["tree_info"])
    )
    infos = dump.get("feature_infos") or {}
    bounds = tuple(_bounds(infos.get(name, {})) for name in names)
    return _forest(dump, names, trees, bounds)


def _bounds(info: Any) -> Interval | None:
    if not isinstance(info, Mapping) or info.get("values"):
        return None  # no range, or a categorical feature's codes
    return kit.domain_from_bounds(info.get("min_value", "nan"), info.get("max_value", "nan"))


def _dump_nodes(k: int, root: Mapping[str, Any]) -> list[Node]:
    """Nodes in the order they are met, each split's children placed after it."""
    nodes: list[Node] = []
    pending: list[tuple[Mapping[str, Any], int | None, str]] = [(root, None, "")]
    while pending:
        node, parent, side = pending.pop()
        position = len(nodes)
        if parent is not None:
            split = nodes[parent]
            assert isinstance(split, tuple)
            f, b, left, right = split
            nodes[parent] = (f, b, position, right) if side == "left" else (f, b, left, position)
        if "leaf_value" in node:
            if node.get("leaf_coeff"):
                raise UnsupportedModelError(f"LightGBM tree {k} is a linear tree")
            nodes.append(float(node["leaf_value"]))
            continue
        feature, boundary = _split(
            k,
            int(node["split_feature"]),
            node["threshold"],
            str(node["decision_type"]),
            bool(node["default_left"]),
            str(node["missing_type"]),
        )
        nodes.append((feature, boundary, 0, 0))
        pending.append((node["right_child"], position, "right"))
        pending.append((node["left_child"], position, "left"))
    return nodes


# -- the text model ---------------------------------------------------------------------
def _text(text: str) -> Forest:
    body, _, _ = text.partition("end of trees")
    header_text, *blocks = body.split("\nTree=")
    header = _fields(header_text)
    if header_text.lstrip().split("\n", 1)[0].strip() != "tree" or "objective" not in header:
        raise InvalidModelError("not a LightGBM text model: it does not start with 'tree'")
    if "average_output" in header_text.split():
        raise UnsupportedModelError(
            "LightGBM models with average_output (boosting='rf') are not supported"
        )
    names = header["feature_names"].split()
    trees = tuple(
        Tree.of(k, _text_nodes(k, _fields(block)), len(names)) for k, block in enumerate(blocks)
    )
    infos = header.get("feature_infos", "").split()
    bounds = tuple(_text_bounds(infos[i] if i < len(infos) else "") for i in range(len(names)))
    return _forest(header, names, trees, bounds)


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _text_bounds(info: str) -> Interval | None:
    if not (info.startswith("[") and info.endswith("]") and ":" in info):
        return None  # "none" (never used) or a categorical feature's codes
    low, high = info[1:-1].split(":")
    return kit.domain_from_bounds(low, high)


def _text_nodes(k: int, fields: Mapping[str, str]) -> list[Node]:
    """Splits 0..n-2 as stored, then leaves; a child c < 0 is leaf ~c."""
    if fields.get("is_linear", "0") != "0":
        raise UnsupportedModelError(f"LightGBM tree {k} is a linear tree")
    leaves = [float(v) for v in fields["leaf_value"].split()]
    if int(fields["num_leaves"]) == 1:
        return [leaves[0]]
    keys = ("split_feature", "threshold", "decision_type", "left_child", "right_child")
    columns = [fields[key].split() for key in keys]
    n_splits = len(columns[0])
    nodes: list[Node] = []
    for feature, threshold, decision, left, right in zip(*columns, strict=True):
        bits = int(decision)
        f, boundary = _split(
            k,
            int(feature),
            threshold,
            "==" if bits & 1 else "<=",
            bool(bits & 2),
            _MISSING.get((bits >> 2) & 3, "NaN"),
        )
        child = [int(c) if int(c) >= 0 else n_splits + ~int(c) for c in (left, right)]
        nodes.append((f, boundary, child[0], child[1]))
    return nodes + leaves
