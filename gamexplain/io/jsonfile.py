"""The JSON model format ``gamexplain/1``: :func:`load`, :func:`loads`, :func:`dump`, :func:`dumps`.

A model file is one JSON object (DESIGN §5)::

    {"format": "gamexplain/1",
     "task": {"kind": "classification", "threshold": 0.0, "positive": ">="},
     "intercept": -0.5,
     "features": [{"name": ..., "weight": ..., "domain": {...}, "shape": {...},
                   "distribution": [...]}, ...],
     "pairs": [{"features": [name_a, name_b], "edges": [[...] or null, ...],
                "values": [[...], ...]}, ...]}

Loading only parses JSON, so it never executes code. It checks the structure of the file
(types, unknown, missing and duplicate keys, NaN and infinite numbers) and lets the model
classes check the rest; every fault raises :class:`~gamexplain.errors.InvalidModelError`
whose message starts with the JSON path of the fault, e.g.
``features[2].shape.breakpoints[1]``.

Optional keys: the top-level ``"description"`` (a string, read and dropped: the model has
no field for it, so :func:`dumps` writes one only when asked), ``"pairs"`` (default none),
a feature's ``"weight"`` (default 1.0) and ``"distribution"`` (default uniform), and a
regression task's ``"tolerance"`` (default 0.0). A classification task must state both
``"threshold"`` and ``"positive"``: the tie rule is part of the model. Any other key is an
error, including a per-feature ``"description"``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import sys
import zlib
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any, TypeVar

from gamexplain.errors import InvalidModelError, InvalidParameterError
from gamexplain.model.domains import Domain, Finite, Integers, Interval, Label
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.shapes import Layer, Piecewise, ReLUNet, Shape, Table
from gamexplain.model.task import Classification, Regression, Task

if TYPE_CHECKING:
    from gamexplain.model.multiclass import MulticlassGAM

__all__ = ["FORMAT", "dump", "dumps", "load", "loads"]

FORMAT = "gamexplain/1"
"""The format tag every model file starts with."""

_T = TypeVar("_T")


# -- public API ---------------------------------------------------------------------------
def loads(text: str | bytes | bytearray) -> GAM:
    """Read a model from a ``gamexplain/1`` JSON text.

    Parameters
    ----------
    text : str or bytes
        The JSON text (bytes are decoded as UTF-8, UTF-16 or UTF-32).

    Returns
    -------
    GAM

    Raises
    ------
    InvalidModelError
        The text is not JSON (the message gives line and column), or the model it holds
        is malformed; the message starts with the JSON path of the fault.

    Notes
    -----
    Runs in time linear in the length of the text. Only the JSON parser runs on the
    input: no code in the file is ever executed.

    Examples
    --------
    >>> gam = loads('''{"format": "gamexplain/1",
    ...   "task": {"kind": "regression"}, "intercept": 1.5,
    ...   "features": [{"name": "x", "domain": {"kind": "finite", "values": ["a", "b"]},
    ...                 "shape": {"kind": "table", "values": [0.0, 2.0]}}]}''')
    >>> gam.decision_function([["b"]]).tolist()
    [3.5]
    >>> from gamexplain import InvalidModelError
    >>> try:
    ...     loads('{"format": "gamexplain/2"}')
    ... except InvalidModelError as err:
    ...     print(err)
    format: unknown format 'gamexplain/2'; expected 'gamexplain/1'
    """
    if not isinstance(text, str | bytes | bytearray):
        raise InvalidParameterError(
            f"The 'text' parameter of loads must be a str or bytes. Got {text!r} instead."
        )
    return _read_model(_parse(text))


def load(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> GAM:
    """Read a model from a ``gamexplain/1`` JSON file.

    Parameters
    ----------
    source : path, example name or file object
        A path, or an open file (text or binary) to read the whole model from; a
        gzip-compressed file (as ``dump`` writes to a ``.gz`` path) is inflated. A string
        that names no existing file may name a bundled example (``"credit"``,
        ``"breast_cancer_ebm"``): a file of that name, when one exists, always wins
        (:func:`gamexplain.examples.locate_model`, the rule the command line follows).

    Returns
    -------
    GAM

    Raises
    ------
    InvalidModelError
        As in :func:`loads`.
    OSError
        The path cannot be read; ``FileNotFoundError`` when a string names neither a
        file nor a bundled example (the message lists the examples).

    Notes
    -----
    Runs in time linear in the size of the file; see :func:`loads`.

    Examples
    --------
    >>> load("credit").feature_names
    ('grade', 'income', 'age', 'open_accounts', 'utilisation')
    """
    if isinstance(source, str):
        from gamexplain.examples import locate_model

        source = locate_model(source).path
    if isinstance(source, os.PathLike):
        with open(source, "rb") as file:
            return loads(_inflate(file.read(), str(source)))
    if not hasattr(source, "read"):
        raise InvalidParameterError(
            "The 'source' parameter of load must be a path or a file object. "
            f"Got {source!r} instead."
        )
    content = source.read()
    return loads(_inflate(content, "the file") if isinstance(content, bytes) else content)


GZIP_LIMIT = 1 << 30
"""The most bytes a gzip-compressed model file may inflate to (a guard against files
built to exhaust memory)."""


def _inflate(content: bytes, where: str) -> bytes:
    """The bytes themselves, or their gzip decompression when they start with gzip's magic
    number (a model written with ``dump`` to a ``.gz`` path)."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    out = bytearray()
    inflater = zlib.decompressobj(wbits=31)
    try:
        for start in range(0, len(content), 1 << 20):
            out += inflater.decompress(content[start : start + (1 << 20)], GZIP_LIMIT - len(out))
            if inflater.unconsumed_tail or len(out) >= GZIP_LIMIT:
                raise InvalidModelError(f"{where} inflates past {GZIP_LIMIT} bytes")
        out += inflater.flush()
    except zlib.error as error:
        raise InvalidModelError(f"{where} is not a valid gzip file ({error})") from None
    if not inflater.eof:
        raise InvalidModelError(f"{where} is not a valid gzip file (it ends early)")
    return bytes(out)


def dumps(gam: GAM | MulticlassGAM, *, description: str | None = None) -> str:
    """Write a model as ``gamexplain/1`` JSON text.

    Parameters
    ----------
    gam : GAM
    description : str, optional
        A free-text description written as the top-level ``"description"`` key.
        :func:`loads` accepts it and drops it.

    Returns
    -------
    str
        Indented JSON, keys in the order of DESIGN §5; every float written by its
        shortest round-tripping repr, so ``loads(dumps(gam)) == gam``.

    Notes
    -----
    Runs in time linear in the size of the model.

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Integers, Layer, ReLUNet, Regression
    >>> gam = GAM([Feature("n", Integers(0, 2**60), ReLUNet([Layer([[0.5]], [0.0])]))],
    ...           intercept=0.1, task=Regression())
    >>> print(dumps(gam))
    {
     "format": "gamexplain/1",
     "task": {"kind": "regression", "tolerance": 0.0},
     "intercept": 0.1,
     "features": [
      {
       "name": "n",
       "weight": 1.0,
       "domain": {"kind": "integers", "low": 0, "high": 1152921504606846976},
       "shape": {
        "kind": "relu_net",
        "layers": [
         {"weights": [[0.5]], "bias": [0.0]}
        ]
       }
      }
     ],
     "pairs": []
    }
    >>> loads(dumps(gam)) == gam
    True
    """
    from gamexplain.model.multiclass import MulticlassGAM

    if not isinstance(gam, GAM | MulticlassGAM):
        raise InvalidParameterError(
            f"The 'gam' parameter of dumps must be a GAM. Got {gam!r} instead."
        )
    if description is not None and not isinstance(description, str):
        raise InvalidParameterError(
            "The 'description' parameter of dumps must be a str or None. "
            f"Got {description!r} instead."
        )
    if isinstance(gam, MulticlassGAM):
        from gamexplain.io._multiclass import encode_multiclass

        return _format(encode_multiclass(gam, description), 0)
    return _format(_encode_model(gam, description), 0)


def dump(
    gam: GAM | MulticlassGAM,
    target: str | os.PathLike[str] | IO[str],
    *,
    description: str | None = None,
) -> None:
    """Write a model as ``gamexplain/1`` JSON to a file.

    Parameters
    ----------
    gam : GAM
    target : path or text file object
        A path (written as UTF-8, replacing any file there; gzip-compressed when the
        path ends in ``.gz``, which :func:`load` reads back) or an open text file.
    description : str, optional
        As in :func:`dumps`.

    Notes
    -----
    Runs in time linear in the size of the model; see :func:`dumps`.
    """
    text = dumps(gam, description=description) + "\n"
    if isinstance(target, str | os.PathLike):
        if os.fspath(target).endswith(".gz"):
            with gzip.open(target, "wt", encoding="utf-8") as packed:
                packed.write(text)
            return
        with open(target, "w", encoding="utf-8") as file:
            file.write(text)
        return
    if not hasattr(target, "write"):
        raise InvalidParameterError(
            "The 'target' parameter of dump must be a path or a file object. "
            f"Got {target!r} instead."
        )
    target.write(text)


# -- parsing ------------------------------------------------------------------------------
class _NonFinite:
    """A NaN or infinite number in the text, kept so the reader can name its JSON path."""

    def __init__(self, token: str) -> None:
        self.token = token


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it saw more than once."""

    duplicates: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        keys = [key for key, _ in pairs]
        result.duplicates = tuple(key for key in result if keys.count(key) > 1)
    return result


def _parse_float(token: str) -> float | _NonFinite:
    number = float(token)
    # a literal such as 1e400 overflows to inf, which the model must not hold
    return number if math.isfinite(number) else _NonFinite(token)


def _parse(text: str | bytes | bytearray) -> Any:
    try:
        return json.loads(
            text,
            parse_float=_parse_float,
            parse_constant=_NonFinite,
            object_pairs_hook=_object_from_pairs,
        )
    except json.JSONDecodeError as err:
        raise InvalidModelError(
            f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from err
    except (ValueError, RecursionError) as err:
        # undecodable bytes, an integer literal over Python's digit limit, deep nesting
        raise InvalidModelError(f"invalid JSON: {err}") from err


# -- reading: structure and scalars --------------------------------------------------------
def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if isinstance(value, _NonFinite):
        return f"the non-finite number {value.token}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return json.dumps(value)


def _expected(what: str, value: Any, path: str) -> InvalidModelError:
    return InvalidModelError(f"expected {what}, got {_describe(value)}", path)


def _fields(
    value: Any, path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    """Check that ``value`` is an object with exactly the allowed keys."""
    if not isinstance(value, dict):
        raise _expected("an object", value, path)
    duplicates = getattr(value, "duplicates", ())
    if duplicates:
        raise InvalidModelError("the key appears more than once", _at(path, duplicates[0]))
    for key in value:
        if key not in required and key not in optional:
            allowed = ", ".join(repr(k) for k in (*required, *optional))
            raise InvalidModelError(f"unknown key; expected one of {allowed}", _at(path, key))
    for key in required:
        if key not in value:
            raise InvalidModelError("required key is missing", _at(path, key))
    return value


def _kind(value: Any, path: str, kinds: Sequence[str]) -> str:
    """The ``kind`` tag of a tagged object; its other keys are checked per kind."""
    if not isinstance(value, dict):
        raise _expected("an object", value, path)
    if "kind" not in value:
        raise InvalidModelError("required key is missing", _at(path, "kind"))
    kind = value["kind"]
    if kind not in kinds:
        expected = ", ".join(repr(k) for k in kinds)
        raise InvalidModelError(
            f"unknown kind {kind!r}; expected one of {expected}", _at(path, "kind")
        )
    return str(kind)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected("a finite number", value, path)
    try:
        return float(value)
    except OverflowError as err:
        raise InvalidModelError("the number is too large for a float", path) from err


def _integer(value: Any, path: str) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None:
        raise _expected("an integer", value, path)
    return _within_float_range(number, path)


def _within_float_range(number: int, path: str) -> int:
    # integers stay exact, but the model compares them with float breakpoints and edges
    if abs(number) > sys.float_info.max:
        raise InvalidModelError("the integer is beyond the float range", path)
    return number


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _expected("a string", value, path)
    return value


def _label(value: Any, path: str) -> Label:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _expected("a number or a string", value, path)
    return _within_float_range(value, path) if isinstance(value, int) else value


def _list(value: Any, path: str, item: Callable[[Any, str], _T]) -> list[_T]:
    if not isinstance(value, list):
        raise _expected("a list", value, path)
    return [item(entry, _at(path, k)) for k, entry in enumerate(value)]


def _numbers(value: Any, path: str) -> list[float]:
    return _list(value, path, _number)


def _matrix(value: Any, path: str) -> list[list[float]]:
    return _list(value, path, _numbers)


def _build(make: Callable[..., _T], path: str, *args: Any) -> _T:
    """Build a model object, locating its own validation errors below ``path``."""
    try:
        return make(*args)
    except InvalidModelError as err:
        raise (err.at(path) if path else err) from err


# -- reading: the model ------------------------------------------------------------------
def _read_model(data: Any) -> GAM:
    if not isinstance(data, dict):
        raise _expected("a JSON object holding a model", data, "")
    fmt = data.get("format")
    if fmt != FORMAT:
        reason = "required key is missing" if "format" not in data else f"unknown format {fmt!r}"
        raise InvalidModelError(f"{reason}; expected {FORMAT!r}", "format")
    obj = _fields(
        data,
        "",
        ("format", "task", "intercept", "features"),
        ("description", "pairs"),
    )
    if "description" in obj:
        _string(obj["description"], "description")
    if _kind(obj["task"], "task", _TASK_KINDS) == "multiclass":
        from gamexplain.io._multiclass import read_multiclass

        return read_multiclass(obj)  # type: ignore[return-value]
    task = _read_task(obj["task"], "task")
    intercept = _number(obj["intercept"], "intercept")
    features = _list(obj["features"], "features", _read_feature)
    # built once without pairs so that duplicate names are reported before pairs use them
    gam = _build(GAM, "", features, intercept, task)
    positions = {feature.name: i for i, feature in enumerate(gam.features)}
    pairs = _list(obj.get("pairs", []), "pairs", lambda v, p: _read_pair(v, p, positions))
    return _build(GAM, "", gam.features, intercept, task, pairs) if pairs else gam


_TASK_KINDS = ("classification", "regression", "multiclass")


def _read_task(value: Any, path: str) -> Task:
    if _kind(value, path, ("classification", "regression")) == "regression":
        obj = _fields(value, path, ("kind",), ("tolerance",))
        tolerance = _number(obj.get("tolerance", 0.0), _at(path, "tolerance"))
        return _build(Regression, path, tolerance)
    obj = _fields(value, path, ("kind", "threshold", "positive"))
    threshold = _number(obj["threshold"], _at(path, "threshold"))
    positive = _string(obj["positive"], _at(path, "positive"))
    return _build(Classification, path, threshold, positive)


def _read_feature(value: Any, path: str) -> Feature:
    obj = _fields(value, path, ("name", "domain", "shape"), ("weight", "distribution"))
    distribution = obj.get("distribution")
    return _build(
        Feature,
        path,
        _string(obj["name"], _at(path, "name")),
        _read_domain(obj["domain"], _at(path, "domain")),
        _read_shape(obj["shape"], _at(path, "shape")),
        _number(obj.get("weight", 1.0), _at(path, "weight")),
        None if distribution is None else tuple(_numbers(distribution, _at(path, "distribution"))),
    )


def _read_domain(value: Any, path: str) -> Domain:
    kind = _kind(value, path, ("finite", "integers", "interval"))
    if kind == "finite":
        obj = _fields(value, path, ("kind", "values"))
        return _build(Finite, path, _list(obj["values"], _at(path, "values"), _label))
    obj = _fields(value, path, ("kind", "low", "high"))
    low, high = _at(path, "low"), _at(path, "high")
    if kind == "integers":
        return _build(Integers, path, _integer(obj["low"], low), _integer(obj["high"], high))
    return _build(Interval, path, _number(obj["low"], low), _number(obj["high"], high))


def _read_shape(value: Any, path: str) -> Shape:
    kind = _kind(value, path, ("table", "piecewise", "relu_net"))
    if kind == "table":
        obj = _fields(value, path, ("kind", "values"))
        return _build(Table, path, _numbers(obj["values"], _at(path, "values")))
    if kind == "piecewise":
        obj = _fields(value, path, ("kind", "breakpoints", "coefficients"))
        breakpoints = _numbers(obj["breakpoints"], _at(path, "breakpoints"))
        coefficients = _matrix(obj["coefficients"], _at(path, "coefficients"))
        return _build(Piecewise, path, breakpoints, coefficients)
    obj = _fields(value, path, ("kind", "layers"))
    return _build(ReLUNet, path, _list(obj["layers"], _at(path, "layers"), _read_layer))


def _read_layer(value: Any, path: str) -> Layer:
    obj = _fields(value, path, ("weights", "bias"))
    weights = _matrix(obj["weights"], _at(path, "weights"))
    return _build(Layer, path, weights, _numbers(obj["bias"], _at(path, "bias")))


def _read_pair(value: Any, path: str, positions: dict[str, int]) -> PairTerm:
    obj = _fields(value, path, ("features", "edges", "values"))
    names = _list(obj["features"], _at(path, "features"), _string)
    if len(set(names)) != 2 or len(names) != 2:
        raise InvalidModelError(
            f"a pair term names two different features, got {names}", _at(path, "features")
        )
    for k, name in enumerate(names):
        if name not in positions:
            raise InvalidModelError(f"no feature named {name!r}", _at(path, f"features[{k}]"))
    edges = _list(
        obj["edges"], _at(path, "edges"), lambda v, p: None if v is None else _numbers(v, p)
    )
    table = _matrix(obj["values"], _at(path, "values"))
    return _build(PairTerm, path, [positions[n] for n in names], edges, table)


# -- writing ------------------------------------------------------------------------------
def _encode_model(gam: GAM, description: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT}
    if description is not None:
        data["description"] = description
    data["task"] = _encode_task(gam.task)
    data["intercept"] = gam.intercept
    data["features"] = [_encode_feature(feature) for feature in gam.features]
    data["pairs"] = [_encode_pair(gam, pair) for pair in gam.pairs]
    return data


def _encode_task(task: Task) -> dict[str, Any]:
    if isinstance(task, Regression):
        return {"kind": "regression", "tolerance": task.tolerance}
    return {"kind": "classification", "threshold": task.threshold, "positive": task.positive}


def _encode_feature(feature: Feature) -> dict[str, Any]:
    rows = feature.shape.coefficients if isinstance(feature.shape, Piecewise) else ()
    held = [*(c for row in rows for c in row), *(feature.distribution or ())]
    if any(isinstance(v, Fraction) for v in held):
        raise InvalidModelError(
            f"feature {feature.name!r} holds exact rationals, as a model widened for one "
            "row by GAM.covering does; the format stores floats, so save the model it was "
            "widened from",
            "features",
        )
    data: dict[str, Any] = {
        "name": feature.name,
        "weight": feature.weight,
        "domain": _encode_domain(feature.domain),
        "shape": _encode_shape(feature.shape),
    }
    if feature.distribution is not None:
        data["distribution"] = list(feature.distribution)
    return data


def _encode_domain(domain: Domain) -> dict[str, Any]:
    if isinstance(domain, Finite):
        return {"kind": "finite", "values": list(domain.values)}
    return {"kind": domain.kind, "low": domain.low, "high": domain.high}


def _encode_shape(shape: Shape) -> dict[str, Any]:
    if isinstance(shape, Table):
        return {"kind": "table", "values": list(shape.values)}
    if isinstance(shape, Piecewise):
        return {
            "kind": "piecewise",
            "breakpoints": list(shape.breakpoints),
            "coefficients": [list(row) for row in shape.coefficients],
        }
    layers = [
        {"weights": [list(row) for row in layer.weights], "bias": list(layer.bias)}
        for layer in shape.layers
    ]
    return {"kind": "relu_net", "layers": layers}


def _encode_pair(gam: GAM, pair: PairTerm) -> dict[str, Any]:
    return {
        "features": [gam.features[i].name for i in pair.features],
        "edges": [None if axis is None else list(axis) for axis in pair.edges],
        "values": [list(row) for row in pair.values],
    }


def _holds_object(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(_holds_object(v) for v in value)


def _format(value: Any, depth: int) -> str:
    """Indented JSON in which an object or list holding no object stays on one line."""
    nested = value.values() if isinstance(value, dict) else value
    if not isinstance(value, dict | list) or not any(_holds_object(v) for v in nested):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        lines = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, depth + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(lines) + "\n" + " " * depth + "}"
    lines = [f"{pad}{_format(v, depth + 1)}" for v in value]
    return "[\n" + ",\n".join(lines) + "\n" + " " * depth + "]"
