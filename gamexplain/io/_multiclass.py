"""The multiclass variant of ``gamexplain/1``: K classes, per-class values everywhere.

A multiclass model file has the task ``{"kind": "multiclass", "classes": [...]}`` and
carries one number per class wherever a binary file carries one number::

    "intercept": [b_0, ..., b_{K-1}]
    table:      "values": [[s_0, ..., s_{K-1}] for each domain value]
    piecewise:  "coefficients": [[[c_0, c_1, ...] for each class] for each piece]
    pair term:  "values": [[[v_0, ..., v_{K-1}] for each bin b] for each bin a]

Names, domains, weights, marginals, breakpoints and edges are shared by the classes.
Every count that does not match K is an :class:`~gamexplain.errors.InvalidModelError`
naming the JSON path of the list. Network shapes have no multiclass form yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gamexplain.errors import InvalidModelError
from gamexplain.io import jsonfile as js
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Piecewise, Shape, Table
from gamexplain.model.task import Multiclass, Regression

__all__ = ["encode_multiclass", "read_multiclass"]


def _per_class(value: Any, path: str, k: int, item: Callable[[Any, str], Any]) -> list[Any]:
    items = js._list(value, path, item)
    if len(items) != k:
        raise InvalidModelError(f"expected {k} entries (one per class), got {len(items)}", path)
    return items


def read_multiclass(obj: dict[str, Any]) -> MulticlassGAM:
    """The model of an already structure-checked top-level object with a multiclass task."""
    task_obj = js._fields(obj["task"], "task", ("kind", "classes"))
    classes = js._list(task_obj["classes"], "task.classes", js._label)
    task = js._build(Multiclass, "task", classes)
    k = task.n_classes
    intercepts = _per_class(obj["intercept"], "intercept", k, js._number)
    features = js._list(obj["features"], "features", lambda v, p: _read_feature(v, p, k))
    per_class = [[f[c] for f in features] for c in range(k)]
    first = js._build(GAM, "", per_class[0], intercepts[0], Regression())
    positions = {f.name: i for i, f in enumerate(first.features)}
    pairs = js._list(obj.get("pairs", []), "pairs", lambda v, p: _read_pair(v, p, positions, k))
    scores = [
        js._build(GAM, "", per_class[c], intercepts[c], Regression(), [pair[c] for pair in pairs])
        for c in range(k)
    ]
    return js._build(MulticlassGAM, "", task, scores)


def _read_feature(value: Any, path: str, k: int) -> list[Feature]:
    obj = js._fields(value, path, ("name", "domain", "shape"), ("weight", "distribution"))
    name = js._string(obj["name"], js._at(path, "name"))
    domain = js._read_domain(obj["domain"], js._at(path, "domain"))
    weight = js._number(obj.get("weight", 1.0), js._at(path, "weight"))
    given = obj.get("distribution")
    distribution = (
        None if given is None else tuple(js._numbers(given, js._at(path, "distribution")))
    )
    shapes = _read_shapes(obj["shape"], js._at(path, "shape"), k)
    return [js._build(Feature, path, name, domain, s, weight, distribution) for s in shapes]


def _read_shapes(value: Any, path: str, k: int) -> list[Shape]:
    kind = js._kind(value, path, ("table", "piecewise", "relu_net"))
    if kind == "relu_net":
        raise InvalidModelError("multiclass models with network shapes are not supported", path)
    if kind == "table":
        obj = js._fields(value, path, ("kind", "values"))
        rows = js._list(
            obj["values"], js._at(path, "values"),
            lambda v, p: _per_class(v, p, k, js._number),
        )  # fmt: skip
        return [js._build(Table, path, [row[c] for row in rows]) for c in range(k)]
    obj = js._fields(value, path, ("kind", "breakpoints", "coefficients"))
    cuts = js._numbers(obj["breakpoints"], js._at(path, "breakpoints"))
    pieces = js._list(
        obj["coefficients"], js._at(path, "coefficients"),
        lambda v, p: _per_class(v, p, k, js._numbers),
    )  # fmt: skip
    return [js._build(Piecewise, path, cuts, [piece[c] for piece in pieces]) for c in range(k)]


def _read_pair(value: Any, path: str, positions: dict[str, int], k: int) -> list[PairTerm]:
    obj = js._fields(value, path, ("features", "edges", "values"))
    names = js._list(obj["features"], js._at(path, "features"), js._string)
    if len(set(names)) != 2 or len(names) != 2:
        raise InvalidModelError(
            f"a pair term names two different features, got {names}", js._at(path, "features")
        )
    for j, name in enumerate(names):
        if name not in positions:
            raise InvalidModelError(f"no feature named {name!r}", js._at(path, f"features[{j}]"))
    edges = js._list(
        obj["edges"], js._at(path, "edges"), lambda v, p: None if v is None else js._numbers(v, p)
    )
    table = js._list(
        obj["values"], js._at(path, "values"),
        lambda row, p: js._list(row, p, lambda v, q: _per_class(v, q, k, js._number)),
    )  # fmt: skip
    where = [positions[n] for n in names]
    return [
        js._build(PairTerm, path, where, edges, [[cell[c] for cell in row] for row in table])
        for c in range(k)
    ]


def encode_multiclass(gam: MulticlassGAM, description: str | None) -> dict[str, Any]:
    """The JSON object of a multiclass model (keys in the order of the binary format)."""
    data: dict[str, Any] = {"format": js.FORMAT}
    if description is not None:
        data["description"] = description
    data["task"] = {"kind": "multiclass", "classes": list(gam.classes)}
    data["intercept"] = list(gam.intercepts)
    data["features"] = [_encode_feature(gam, i) for i in range(gam.n_features)]
    data["pairs"] = [_encode_pair(gam, p) for p in range(len(gam.pairs))]
    return data


def _encode_feature(gam: MulticlassGAM, i: int) -> dict[str, Any]:
    per_class = [m.features[i] for m in gam.scores]
    data = js._encode_feature(per_class[0])
    shapes = [f.shape for f in per_class]
    if isinstance(shapes[0], Table):
        values = zip(*(s.values for s in shapes if isinstance(s, Table)), strict=True)
        data["shape"] = {"kind": "table", "values": [list(row) for row in values]}
    else:
        for feature in per_class[1:]:
            js._encode_feature(feature)  # refuses exact rationals, as for one class
        pieces = zip(*(s.coefficients for s in shapes if isinstance(s, Piecewise)), strict=True)
        data["shape"]["coefficients"] = [[list(c) for c in piece] for piece in pieces]
    return data


def _encode_pair(gam: MulticlassGAM, p: int) -> dict[str, Any]:
    data = js._encode_pair(gam.scores[0], gam.pairs[p])
    tables = [m.pairs[p].values for m in gam.scores]
    data["values"] = [
        [[t[a][b] for t in tables] for b in range(len(tables[0][0]))] for a in range(len(tables[0]))
    ]
    return data
