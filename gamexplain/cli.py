"""The ``gamexplain`` command line.

Sub-commands: ``demo`` (the main job, on a bundled example), ``show`` (a model's
features), ``predict`` (scores and classes), ``table`` (the complexity table, read from
the registry), ``plan`` (which algorithm a query would run, and why), ``explain``
(exact explanations of one instance) and ``convert`` (a fitted model to the JSON format).
Every sub-command takes ``--json`` for machine-readable output. Bad input ends with a
message naming the problem (on stderr; with ``--json`` also as ``{"error": {"type": ...,
"message": ...}}`` on stdout) and exit status 2. ``explain`` reports each query's answer
or its failure and goes on to the next; its status is 1 only when every query failed (or,
with ``--strict``, when any did).
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from gamexplain.complexity.queries import QUERIES, QUERY_TABLE, Attribution, QuerySpec
from gamexplain.errors import GamExplainError, InvalidInstanceError, InvalidParameterError
from gamexplain.io.adapters import converters

__all__ = ["main"]

EXIT_BAD_INPUT = 2
#: ``explain``: every query failed, or, with ``--strict``, some query did
EXIT_QUERY_FAILED = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except BrokenPipeError:
        # the reader (e.g. `head`) closed the pipe early: not an error of the input
        sys.stdout = None
        return 0
    except (GamExplainError, OSError) as exc:
        say(f"gamexplain: error: {exc}", sys.stderr)
        if getattr(args, "json", False):
            say(json.dumps({"error": {"type": type(exc).__name__, "message": str(exc)}}))
        return EXIT_BAD_INPUT


def say(text: str, stream: TextIO | None = None) -> None:
    """Print ``text``; what the stream cannot encode (a lone surrogate from a file name or
    a model's JSON) is written as a backslash escape instead of raising."""
    stream = stream if stream is not None else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding), file=stream)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gamexplain",
        description="Exact, certified explanations of Generalized Additive Models.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="explain one patient of the bundled default breast-cancer EBM (pair terms)"
    )
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    demo.add_argument(
        "--time-limit",
        type=float,
        default=DEMO_TIME_LIMIT,
        help=f"seconds each query may take (default {DEMO_TIME_LIMIT:g})",
    )
    demo.set_defaults(handler=_demo)

    show = sub.add_parser("show", help="list a model's features, domains and shapes")
    show.add_argument("model", help="a gamexplain/1 JSON file or a bundled example's name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    predict = sub.add_parser("predict", help="score and classify instances")
    predict.add_argument("model")
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--instance", help='a JSON object {"feature": value, ...} or list')
    source.add_argument("--csv", type=Path, help="a CSV file whose header names the features")
    predict.add_argument("--json", action="store_true")
    predict.set_defaults(handler=_predict)

    table = sub.add_parser("table", help="the complexity table, errata marked")
    table.add_argument("--query", help="only this query (e.g. msr)")
    table.add_argument(
        "--task", default="classification", choices=["classification", "regression", "multiclass"]
    )
    table.add_argument("--json", action="store_true")
    table.set_defaults(handler=_table)

    plan = sub.add_parser("plan", help="which algorithm a query would run, and why")
    plan.add_argument("model")
    plan.add_argument("query", help=f"one of {', '.join(PLAN_QUERIES)}")
    plan.add_argument("--json", action="store_true")
    plan.add_argument("--batch", action="store_true",
                      help="also say what explain --csv/--parquet runs for many rows")  # fmt: skip
    plan.add_argument("--target", help="the class a multiclass mcr or enum-cr aims at (its "
                      "[target] cell); spelled as for explain --target")  # fmt: skip
    plan.set_defaults(handler=_plan)

    explain = sub.add_parser("explain", help="exact explanations of one instance or a table")
    explain.add_argument("model")
    rows = explain.add_mutually_exclusive_group(required=True)
    rows.add_argument("--instance", help="a JSON object or list")
    rows.add_argument("--csv", type=Path, help="a CSV file of rows (its header names features)")
    rows.add_argument("--parquet", type=Path, help="a Parquet file of rows")
    _add_table_options(explain)
    explain.add_argument(
        "--query",
        default="msr,mcr,shap",
        help=f"comma-separated, from {', '.join(EXPLAIN_QUERIES)} (default msr,mcr,shap)",
    )
    explain.add_argument("--fixed", default="", help="comma-separated features that may not change")
    explain.add_argument("--keep", default="", help="features kept for the cc and csr queries")
    explain.add_argument(
        "--actions",
        help="an action-set JSON file for the responsiveness, fixed and recourse queries (mcr "
        "then runs the recourse under it; default: every feature actionable within its domain); "
        "see docs/responsiveness.md",
    )
    explain.add_argument(
        "--target",
        help="the class the mcr, responsiveness, fixed and recourse queries aim at: a class "
        "label of a multiclass model (as the model spells it, or as JSON), 0 or 1 of a "
        "binary one (default: any class other than the prediction); a table run (--csv, "
        "--parquet) takes it for responsiveness and fixed; on a multiclass model cc and "
        "shap-label count that class's win instead of the prediction's",
    )
    explain.add_argument("--method", default="auto", help="a named algorithm instead of auto")
    explain.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds per query for solver and DP paths; a timeout is reported with its "
        "certified bounds (default 10)",
    )
    explain.add_argument(
        "--distribution",
        choices=["model", "uniform"],
        help="the marginals of shap, banzhaf and cc: the model's stored ones (uniform for "
        "features without one) or uniform; by default the library's default, and the "
        "answer says which was used",
    )
    explain.add_argument(
        "--tolerance",
        type=float,
        help="for a regression model: the band, in the target's units, within which the "
        "score counts as the same prediction (replaces the model file's tolerance)",
    )
    explain.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when any query fails (by default only when all of them do)",
    )
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(handler=_explain)

    convert = sub.add_parser(
        "convert",
        help="convert a fitted model to the JSON format (pickles execute code: trusted files only)",
    )
    convert.add_argument("source_file", help="a pickle/joblib file, or a library's data export")
    convert.add_argument(
        "--from",
        dest="source",
        required=True,
        choices=[a.name for a in converters()],
        help="; ".join(f"{a.name} ({a.library}) reads {a.formats}" for a in converters()),
    )
    convert.add_argument(
        "--trust-pickle",
        action="store_true",
        help="allow reading a pickle/joblib file (unpickling runs code stored in the file: "
        "give this only for files from a source you trust); with --from ebm, a file whose "
        "name does not end in .json is then read as a pickled EBM",
    )
    convert.add_argument(
        "--tolerance",
        type=float,
        help="for a regression model: how far the score may move and still count as the "
        "same prediction (reasons keep it within T of f(x)); the default 0 pins it exactly",
    )
    convert.add_argument("-o", "--output", required=True, type=Path, help="the JSON file to write")
    convert.add_argument("--json", action="store_true")
    convert.set_defaults(handler=_convert)
    _add_lab_parser(sub)
    _add_regions_parser(sub)
    return parser


def _add_regions_parser(sub: Any) -> None:
    regions = sub.add_parser(
        "regions", help="regional attributions (R-LOCO): regions of rows, exact importances"
    )
    regions.add_argument("model")
    regions.add_argument("--csv", required=True, type=Path, help="rows; the header names them")
    regions.add_argument("--y", help="the CSV column of the target (squared or log loss)")
    regions.add_argument("--regions", default="tree", choices=["tree", "kmeans"])
    regions.add_argument(
        "--loss", choices=["fidelity", "squared", "log"],
        help="default: fidelity without --y; with --y, log for a classifier, else squared",
    )  # fmt: skip
    regions.add_argument("--n-regions", type=int, help="k-means' k, the tree's leaves")
    regions.add_argument("--max-depth", type=int, default=2, help="the tree's depth")
    regions.add_argument("--seed", type=int, default=0, help="the segmentation's seed")
    regions.add_argument("--top", type=int, default=3, help="features shown per region")
    regions.add_argument("--json", action="store_true")
    regions.set_defaults(handler=_regions)


def _add_lab_parser(sub: Any) -> None:
    from gamexplain.lab.scaling import add_lab_parser

    add_lab_parser(sub)


#: ``plan`` takes every registry key of the query table.
PLAN_QUERIES = QUERIES
#: ``explain --query`` takes the command-line names the query table declares.
EXPLAIN_QUERIES: dict[str, QuerySpec] = {name: spec for spec in QUERY_TABLE for name in spec.cli}


# -- models and instances -------------------------------------------------------------
def load_model(name: str) -> Any:
    """A model from a JSON file, or a bundled example by name (e.g. ``credit``).

    The rule is :func:`gamexplain.examples.locate_model`'s: a path that exists is always
    read as a file, a bundled example only when no file of that name exists. Either way,
    when the name could mean both, stderr says which one was read.
    """
    from gamexplain.examples import locate_model
    from gamexplain.io.jsonfile import load

    source = locate_model(name)
    if source.bundled:
        say(f"gamexplain: using the bundled example {name!r}", sys.stderr)
    elif source.shadows:
        say(f"gamexplain: reading the file {name!r}, not the bundled example", sys.stderr)
    return load(source.path)


def parse_instance(gam: Any, text: str) -> tuple[Any, ...]:
    """One instance from JSON text: an object of feature values, or a list in order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInstanceError(f"--instance is not valid JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        # an integer over Python's digit limit, or nesting deeper than the parser's stack
        raise InvalidInstanceError(f"--instance cannot be read: {exc}") from None
    if not isinstance(data, dict | list):
        raise InvalidInstanceError("--instance must be a JSON object or list")
    return gam.instance(data)


def _read_csv(gam: Any, path: Path) -> list[tuple[Any, ...]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _csv_rows(gam, path, csv.DictReader(handle))
    except UnicodeDecodeError as exc:
        raise InvalidInstanceError(f"{path} is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise InvalidInstanceError(f"{path} is not a CSV table: {exc}") from None


def _csv_rows(gam: Any, path: Path, reader: csv.DictReader[str]) -> list[tuple[Any, ...]]:
    rows = []
    for row in reader:
        where = f"{path}, line {reader.line_num}"
        if None in row:  # DictReader files surplus values under the key None
            raise InvalidInstanceError(f"{where} has more values than the header has names")
        if None in row.values():
            raise InvalidInstanceError(f"{where} has fewer values than the header has names")
        values = {}
        for feature in gam.features:
            if feature.name not in row:
                raise InvalidInstanceError(f"{path}: no column named {feature.name!r}")
            values[feature.name] = _csv_value(feature, row[feature.name])
        try:
            rows.append(gam.instance(values))
        except InvalidInstanceError as exc:
            raise InvalidInstanceError(f"{where}: {exc}") from None
    return rows


def _csv_value(feature: Any, text: str) -> Any:
    domain = feature.domain
    if domain.kind == "finite":
        for value in domain.values:
            if str(value) == text:
                return value
        return text
    if domain.kind == "integers":
        try:
            return int(text)  # exact: a float would round integers beyond 2**53
        except ValueError:
            pass
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if domain.kind == "integers" and number.is_integer() else number


# -- rendering -------------------------------------------------------------------------
def describe_domain(domain: Any) -> str:
    if domain.kind == "finite":
        shown = ", ".join(str(v) for v in domain.values[:4])
        more = f", … ({domain.size} values)" if domain.size > 4 else ""
        return f"{{{shown}{more}}}"
    if domain.kind == "integers":
        return f"integers {domain.low}..{domain.high}"
    return f"[{domain.low:g}, {domain.high:g}]"


def describe_shape(shape: Any) -> str:
    kind = type(shape).__name__
    if kind == "Table":
        return f"table of {len(shape.values)} scores"
    if kind == "Piecewise":
        degree = shape.degree
        name = {0: "step function", 1: "piecewise linear", 2: "piecewise quadratic"}.get(
            degree, "cubic spline"
        )
        return f"{name}, {shape.n_pieces} pieces"
    widths = [1] + [layer.n_outputs for layer in shape.layers]
    return "ReLU net " + "-".join(str(w) for w in widths)


def describe_task(task: Any) -> str:
    if task.kind == "multiclass":
        return f"multiclass: the argmax of {len(task.classes)} class scores {list(task.classes)}"
    if task.kind == "classification":
        return f"classification: class 1 iff score {task.positive} {task.threshold:g}"
    return f"regression (tolerance {task.tolerance:g})"


def _model_rows(gam: Any) -> list[dict[str, Any]]:
    return [
        {
            "feature": f.name,
            "domain": describe_domain(f.domain),
            "shape": describe_shape(f.shape),
            "component": f.component,
            "weight": f.weight,
        }
        for f in gam.features
    ]


def format_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain aligned text table."""
    cells = [[str(r[c]) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[k]) for row in cells]) for k, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _emit(args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        from gamexplain.results import to_jsonable

        say(json.dumps(to_jsonable(data), indent=2))
    else:
        say(text)
    return 0


# -- sub-commands ------------------------------------------------------------------------
def _show(args: argparse.Namespace) -> int:
    gam = load_model(args.model)
    rows = _model_rows(gam)
    intercept = getattr(gam, "intercepts", None) or gam.intercept
    many = isinstance(intercept, tuple)
    shown = ", ".join(f"{b:g}" for b in intercept) if many else f"{intercept:g}"
    pairs = f", {len(gam.pairs)} pair terms" if gam.pairs else ""
    header = f"{len(gam.features)} features, {describe_task(gam.task)}, intercept {shown}{pairs}"
    text = header + "\n" + format_table(rows, ["feature", "domain", "shape", "component", "weight"])
    data = {"task": describe_task(gam.task), "intercept": intercept, "features": rows}
    return _emit(args, data, text)


def _predict(args: argparse.Namespace) -> int:
    gam = load_model(args.model)
    rows = [parse_instance(gam, args.instance)] if args.instance else _read_csv(gam, args.csv)
    if not rows:
        raise InvalidInstanceError(f"{args.csv}: no rows")
    scores = gam.decision_function(rows)
    labels = gam.predict(rows)
    records = [
        {"row": k, "score": _score(s), "prediction": p.item() if hasattr(p, "item") else p}
        for k, (s, p) in enumerate(zip(scores, labels, strict=True))
    ]
    text = format_table(
        [{**r, "score": _show_score(r["score"])} for r in records], ["row", "score", "prediction"]
    )
    return _emit(args, records, text)


def _read_column(path: Path, column: str) -> list[float]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            raise InvalidInstanceError(f"{path}: no column named {column!r} for --y")
        try:
            return [float(row[column]) for row in reader]
        except (TypeError, ValueError) as exc:
            raise InvalidInstanceError(f"{path}: column {column!r} is not numeric: {exc}") from None


def _regions(args: argparse.Namespace) -> int:
    from gamexplain.queries.regional import regional_attributions

    gam = load_model(args.model)
    rows = _read_csv(gam, args.csv)
    if not rows:
        raise InvalidInstanceError(f"{args.csv}: no rows")
    y = _read_column(args.csv, args.y) if args.y else None
    loss = args.loss or ("fidelity" if y is None else
                         "log" if gam.task.kind == "classification" else "squared")  # fmt: skip
    result = regional_attributions(
        gam, rows, y=y, loss=loss, regions=args.regions, n_regions=args.n_regions,
        max_depth=args.max_depth, random_state=args.seed,
    )  # fmt: skip
    exact = result.exact_importances
    records = [
        {"region": k, "rule": region.rule, "rows": region.size,
         "top": [{"feature": name, "importance": value,
                  "exact": None if exact is None else exact[k][gam.index(name)]}
                 for name, value in result.top_features(k, args.top)]}
        for k, region in enumerate(result.regions)
    ]  # fmt: skip
    data = {"loss": loss, "segmentation": result.segmentation, "algorithm": result.algorithm,
            "cell": result.cell, "exact": result.exact, "message": result.message,
            "regions": records}  # fmt: skip
    return _emit(args, data, str(result))
def _score(row: Any) -> float | list[float]:
    """A row's score, or its K class scores for a multiclass model."""
    return [float(v) for v in row] if np.ndim(row) else float(row)


def _show_score(score: float | list[float]) -> str:
    return " ".join(f"{v:.6g}" for v in score) if isinstance(score, list) else f"{score:.6g}"


def _table(args: argparse.Namespace) -> int:
    from gamexplain.complexity import complexity_table

    entries = [
        e
        for e in complexity_table(variants=True)
        if e.cell.task == args.task and (args.query is None or e.cell.query == args.query)
    ]
    if not entries:
        raise InvalidParameterError(f"no cells for query {args.query!r} and task {args.task!r}")
    rows = [
        {
            "query": f"{e.cell.query} [{e.cell.variant}]" if e.cell.variant else e.cell.query,
            "domain": e.cell.domain,
            "component": e.cell.component,
            "paper": e.stated or "—",
            "gamexplain": e.established + _beyond(e),
            "theorem": e.theorem,
        }
        for e in entries
    ]
    text = format_table(rows, ["query", "domain", "component", "paper", "gamexplain", "theorem"])
    return _emit(args, rows, text)


def _beyond(entry: Any) -> str:
    """The table's mark: an erratum of the paper, or a cell gamexplain adds (multiclass
    cells, which the paper does not treat)."""
    if entry.erratum:
        return " (erratum)"
    return " (beyond the paper)" if entry.cell.task == "multiclass" else ""


def _plan(args: argparse.Namespace) -> int:
    from gamexplain.complexity import explain_plan

    gam = load_model(args.model)
    if args.query not in PLAN_QUERIES:
        raise InvalidParameterError(
            f"The 'query' argument of plan must be one of {{{', '.join(PLAN_QUERIES)}}}. "
            f"Got {args.query!r} instead."
        )
    options: dict[str, Any] = {"batch": getattr(args, "batch", False)}
    if getattr(args, "target", None) is not None:
        options["target"] = _target(gam, args.target)
    result = explain_plan(gam, args.query, **options)
    return _emit(args, result, str(result))


def _names(gam: Any, text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        gam.index(name)
    return names


def run_query(gam: Any, x: Any, query: str, args: argparse.Namespace) -> tuple[Any, str]:
    """Run one named explanation; returns the result and its text.

    The name, the public function it calls and the registry key it asks are read from
    the query table; a question about one feature (``fr``) is asked of every feature,
    and a feature whose question raises gets a :class:`QueryFailure` in its place.

    Raises
    ------
    Exception
        Whatever the query raised; ``explain`` reports it as that query's answer.
    """
    spec = EXPLAIN_QUERIES[_query_name(query)]
    options: dict[str, Any] = {"method": args.method, "time_limit": args.time_limit}
    if "fixed" in spec.options:
        options["fixed"] = _names(gam, args.fixed)
    if args.distribution is not None and takes(_public(spec.function), "distribution"):
        options["distribution"] = args.distribution
    if "feature" in spec.arguments:
        results = [
            _attempt(query, partial(_ask, spec, query, gam, x, {"feature": f.name}, options),
                     feature=f.name)
            for f in gam.features
        ]  # fmt: skip
        return results, "\n".join(str(r) for r in results)
    given: dict[str, Any] = {"S": _names(gam, args.keep)} if "S" in spec.arguments else {}
    if getattr(args, "target", None) is not None and _aims(spec, query, gam):
        options["target"] = _target(gam, args.target)
    if "actions" in spec.arguments:
        given["actions"] = getattr(args, "actions", None)
    elif "actions" in spec.options and getattr(args, "actions", None):  # mcr: the recourse
        options["actions"] = args.actions
    result = _ask(spec, query, gam, x, given, options)
    return result, attribution_bars(result) if spec.convention is Attribution else str(result)


def _aims(spec: QuerySpec, query: str, gam: Any) -> bool:
    """Whether ``--target`` goes to ``query``: the counting queries (cc, the label's
    attributions) take it on multiclass models only, the attributions of the scores never."""
    if "target" not in spec.options:
        return False
    if spec.function not in ("shap_values", "banzhaf_values", "completion_fraction"):
        return True
    scores = spec.keys.get(spec.cli.get(query, ""), {}).get("output") == "score"
    return getattr(getattr(gam, "task", None), "kind", None) == "multiclass" and not scores


def _target(gam: Any, text: str) -> Any:
    """``--target`` as a class: the text itself when the model has a class of that name,
    else its JSON value (``1``, ``0.5``; a list becomes a (sense, value) pair)."""
    if text in getattr(gam, "classes", ()):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return tuple(value) if isinstance(value, list) else value


def _query_name(query: str) -> str:
    if query not in EXPLAIN_QUERIES:
        raise InvalidParameterError(
            f"The 'query' option of explain takes values from {{{', '.join(EXPLAIN_QUERIES)}}}. "
            f"Got {query!r} instead."
        )
    return query


def _ask(
    spec: QuerySpec, name: str, gam: Any, x: Any, given: dict[str, Any], options: dict[str, Any]
) -> Any:
    positional, chosen = spec.call(spec.cli[name], x, given)
    return _public(spec.function)(gam, *positional, **chosen, **options)


def _public(function: str) -> Callable[..., Any]:
    import gamexplain as gx

    found: Callable[..., Any] = getattr(gx, function)
    return found


def takes(function: Callable[..., Any], option: str) -> bool:
    """Whether ``function`` accepts the keyword argument ``option``."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == option or p.kind is p.VAR_KEYWORD for p in parameters)


@dataclass(frozen=True)
class QueryFailure:
    """A query (or, for ``fr``, one feature's question) that raised instead of answering.

    ``internal`` marks an exception that is not a
    :class:`~gamexplain.errors.GamExplainError`: a bug, reported rather than hidden.
    """

    query: str
    error: str
    message: str
    internal: bool
    feature: str | None = None

    def __str__(self) -> str:
        where = f" for feature {self.feature!r}" if self.feature is not None else ""
        bug = " (an internal error: please report it)" if self.internal else ""
        return f"failed{where}: {self.error}: {self.message}{bug}"

    def jsonable(self) -> dict[str, Any]:
        """``{"query": ..., "feature": ..., "error": {"type": ..., "message": ...}}``,
        ``feature`` only for a one-feature question, ``"internal": true`` only for a bug."""
        error: dict[str, Any] = {"type": self.error, "message": self.message}
        if self.internal:
            error["internal"] = True
        where = {} if self.feature is None else {"feature": self.feature}
        return {"query": self.query, **where, "error": error}


def _attempt(query: str, ask: Callable[[], Any], feature: str | None = None) -> Any:
    """``ask()``'s answer, or a :class:`QueryFailure` for what it raised: one failing query
    never stops the others (an interrupt still stops everything)."""
    try:
        return ask()
    except Exception as exc:  # reported as this query's answer, by type and message
        internal = not isinstance(exc, GamExplainError)
        return QueryFailure(query, type(exc).__name__, str(exc), internal, feature)


def _plain(answer: Any) -> Any:
    """An answer with every :class:`QueryFailure` replaced by its JSON form."""
    if isinstance(answer, QueryFailure):
        return answer.jsonable()
    return [_plain(a) for a in answer] if isinstance(answer, list) else answer


def _failed(answer: Any) -> bool:
    """Whether a query failed, wholly or (``fr``) for some feature."""
    if isinstance(answer, list):
        return any(_failed(a) for a in answer)
    return isinstance(answer, QueryFailure)


def attribution_bars(result: Any, width: int = 30, top: int = 10) -> str:
    """A ranked bar list of attribution values, largest magnitude first, under a line
    saying which marginals they were taken under."""
    from gamexplain.distributions import describe_distribution

    if np.ndim(result.values) == 2:
        return _class_bars(result, width, top)
    values = result.values
    order = sorted(range(len(values)), key=lambda k: -abs(values[k]))[:top]
    scale = max((abs(values[k]) for k in order), default=0.0) or 1.0
    name_width = max(len(result.feature_names[k]) for k in order)
    kind = "Banzhaf" if type(result).__name__.startswith("Banzhaf") else "SHAP"
    lines = [
        f"{kind} values of the {result.output} "
        f"({'exact' if result.exact else 'certified bounds, ' + result.status}, "
        f"{result.algorithm}) {describe_distribution(result.distribution)}; "
        f"base value {result.base_value:.4g}"
        # a multiclass label names the class whose win it explains
        + (":" if getattr(result, "target", None) is None else
           f"; indicator: class {result.target!r} wins:")
    ]
    for k in order:
        bar = ("+" if values[k] >= 0 else "-") * max(1, round(abs(values[k]) / scale * width))
        bounds = "" if result.exact else f"  in [{result.lower[k]:+.4f}, {result.upper[k]:+.4f}]"
        lines.append(f"  {result.feature_names[k]:<{name_width}}  {values[k]:+.4f}{bounds}  {bar}")
    if len(values) > top:
        lines.append(f"  … and {len(values) - top} more features")
    return "\n".join(lines)


def _class_bars(result: Any, width: int, top: int) -> str:
    """The bars of a multiclass attribution, one block per class score."""
    import dataclasses

    blocks = []
    for c, single in result.certificate.rivals:
        one = dataclasses.replace(single, values=np.asarray(result.values)[:, c])
        blocks.append(f"class {result.classes[c]}: " + attribution_bars(one, width, top))
    return "\n".join(blocks)


def _add_table_options(explain: Any) -> None:
    """The options of ``explain --csv/--parquet`` (:func:`_explain_rows`)."""
    explain.add_argument("--out", type=Path,
                         help="write the per-row results to .parquet, .csv or .jsonl "
                         "(default: CSV on standard output)")  # fmt: skip
    where = explain.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="run on a local Dask cluster of N workers")
    where.add_argument("--scheduler", help="run on the Dask scheduler at this address")
    explain.add_argument("--chunk-rows", type=int, default=100_000, help="rows per chunk")
    explain.add_argument("--bad-rows", choices=["skip", "fail"], default="skip",
                         help="report a bad row and go on (default), or fail the run")  # fmt: skip
    explain.add_argument("--no-progress", action="store_true", help="no progress bar")


def _explain_rows(args: argparse.Namespace) -> int:
    """Every row of a CSV or Parquet file, chunk by chunk (see
    :func:`gamexplain.queries.distributed.explain_file`); a summary on standard error."""
    from gamexplain.queries.distributed import explain_file, table_run

    gam = _with_band(load_model(args.model), args.tolerance)
    path = args.csv or args.parquet
    queries = [q.strip() for q in args.query.split(",") if q.strip()]
    options = {"fixed": _names(gam, args.fixed), "time_limit": args.time_limit,
               "errors": "skip" if args.bad_rows == "skip" else "raise"}  # fmt: skip
    if args.keep:  # the set S of csr and cc
        options["S"] = _names(gam, args.keep)
    if args.actions:  # the action set of responsiveness and fixed
        options["actions"] = args.actions
    if args.target is not None:
        aimed = [q for q in queries if q in ("mcr", "recourse")]
        if aimed:
            raise InvalidParameterError(
                f"--target on a table run applies to responsiveness and fixed; ask "
                f"{', '.join(aimed)} toward a class one row at a time (--instance)"
            )
        options["target"] = _target(gam, args.target)
    with table_run(path, args.workers, args.scheduler, not args.no_progress) as (client, bar):
        summary = explain_file(gam, path, queries, out=args.out, chunk_rows=args.chunk_rows,
                               progress=bar, client=client, **options)  # fmt: skip
    say(json.dumps(summary.jsonable()) if args.json else str(summary), sys.stderr)
    return EXIT_QUERY_FAILED if summary.failures and args.strict else 0


def _explain(args: argparse.Namespace) -> int:
    """Each query's answer or its failure, in order.

    Bad input (the instance, a query's or a feature's name) stops everything first, with
    status 2. Then every query runs whatever the others do; the status is 1 when every
    query failed, or with ``--strict`` when any did (wholly, or for some ``fr`` feature).
    """
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise InvalidParameterError(
            f"--time-limit must be a positive, finite number of seconds. "
            f"Got {args.time_limit!r} instead."
        )
    if args.instance is None:
        return _explain_rows(args)
    gam = _with_band(load_model(args.model), args.tolerance)
    x = parse_instance(gam, args.instance)
    queries = [_query_name(q.strip()) for q in args.query.split(",") if q.strip()]
    _names(gam, args.fixed)  # a misspelt feature is bad input, not a failed query
    _names(gam, args.keep)
    answers, texts = {}, []
    for q in queries:
        answer = _attempt(q, partial(run_query, gam, x, q, args))
        result, body = (answer, str(answer)) if isinstance(answer, QueryFailure) else answer
        answers[q] = result
        texts.append(f"[{q}]\n{body}")
    _emit(args, {q: _plain(a) for q, a in answers.items()}, "\n\n".join(texts))
    failed = [q for q, a in answers.items() if _failed(a)]
    if failed:
        say(f"gamexplain: {len(failed)} of {len(answers)} queries failed: {', '.join(failed)}",
            sys.stderr)  # fmt: skip
    return EXIT_QUERY_FAILED if failed and (args.strict or len(failed) == len(answers)) else 0


def _convert(args: argparse.Namespace) -> int:
    import warnings

    from gamexplain.io.convert import PICKLE_WARNING, convert_model, reads_data, reads_pickle
    from gamexplain.io.jsonfile import dump

    options = _adapter_options(args)
    if args.trust_pickle and reads_pickle(args.source_file, args.source):
        say(f"gamexplain: WARNING: {PICKLE_WARNING}", sys.stderr)
    elif not reads_data(args.source):
        raise InvalidParameterError(
            f"--from {args.source} reads a pickle, and unpickling runs code stored in the "
            "file; pass --trust-pickle only if you trust its source"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # already said, loudly, above
        gam = convert_model(
            args.source_file, args.source, allow_pickle=args.trust_pickle, **options
        )
    dump(gam, args.output)
    summary = {"output": str(args.output), "features": len(gam.features), "pairs": len(gam.pairs)}
    text = f"wrote {args.output}: {len(gam.features)} features, {describe_task(gam.task)}"
    return _emit(args, summary, text)


def _adapter_options(args: argparse.Namespace) -> dict[str, Any]:
    """The adapter's keyword options ``convert`` was given: ``tolerance`` only when set,
    checked against the loader that will run before any file is opened."""
    from gamexplain.io.adapters import converter
    from gamexplain.io.convert import reads_pickle

    if args.tolerance is None:
        return {}
    adapter = converter(args.source)
    pickled = args.trust_pickle and reads_pickle(args.source_file, args.source)
    name = adapter.loader if pickled else adapter.data_loader
    if name is not None and not takes(adapter.function(name), "tolerance"):
        raise InvalidParameterError(
            f"--tolerance: {name} (--from {args.source}) does not take a tolerance; convert "
            'without it and set "tolerance" in the written file\'s regression "task"'
        )
    return {"tolerance": args.tolerance}


DEMO_MODEL = "breast_cancer_default_ebm"
"""The model the demo explains: interpret's default ExplainableBoostingClassifier (pair
terms included) on breast cancer, as the docs tell users to fit theirs."""

DEMO_TIME_LIMIT = 10.0
"""Seconds each of the demo's queries may take (``--time-limit``)."""


@dataclass(frozen=True)
class _Answer:
    """One of the demo's queries: its result (None when it failed), what it cost and
    whether ``verify`` re-checked it."""

    result: Any
    seconds: float
    verified: bool | None
    verify_seconds: float
    error: str = ""

    def how(self) -> str:
        """[algorithm; exact or bounds; verified] and the seconds, for the printout."""
        if self.result is None:
            return f"[no answer: {self.error}]"
        r = self.result
        exact = "exact" if r.exact else f"not exact: {r.status}"
        checked = {True: "verified", False: "VERIFY FAILED", None: "not verified"}[self.verified]
        return (
            f"[{r.algorithm}; {exact}; {checked}; {self.seconds:.1f} s + verify "
            f"{self.verify_seconds:.1f} s]"
        )


def _timed_answer(gam: Any, call: Callable[[], Any]) -> _Answer:
    import time

    started = time.perf_counter()
    try:
        result = call()
    except GamExplainError as error:
        return _Answer(None, time.perf_counter() - started, None, 0.0, f"{error}")
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    verified = result.verify(gam)
    return _Answer(result, seconds, verified, time.perf_counter() - started)


def _with_band(gam: Any, tolerance: float | None) -> Any:
    """``gam`` with a regression tolerance given on the command line (``--tolerance``)."""
    if tolerance is None:
        return gam
    import dataclasses

    from gamexplain.model.task import Regression

    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise InvalidParameterError(
            f"--tolerance must be a finite number ≥ 0. Got {tolerance!r} instead."
        )
    if not isinstance(gam.task, Regression):
        raise InvalidParameterError(
            "--tolerance applies to regression models only; this model is a "
            "classifier, whose reasons keep its class"
        )
    return dataclasses.replace(gam, task=Regression(tolerance=tolerance))


def _demo(args: argparse.Namespace) -> int:
    data, text = demo_report(args.time_limit)
    return _emit(args, data, text)


def demo_report(limit: float = DEMO_TIME_LIMIT) -> tuple[dict[str, Any], str]:
    """The demo's answers (for ``--json``) and its printout."""
    import time

    import gamexplain as gx
    from gamexplain.algorithms.pair_cells import pairwise_applies
    from gamexplain.complexity.registry import question_cell
    from gamexplain.examples import demo_instance, example_path
    from gamexplain.io.jsonfile import load

    started = time.perf_counter()
    # by name only: a file called like the example in the working directory is not the demo
    gam = load(example_path(DEMO_MODEL))
    x = demo_instance(DEMO_MODEL)
    score = float(gam.decision_function([x])[0])
    label = int(gam.predict([x])[0])
    # the model's cell tables (hundreds of bins, 90 pair terms) take seconds to build,
    # once per model, and count against the first query's time limit: built here, each
    # limit is spent on its own question
    preparing = time.perf_counter()
    pairwise_applies(gam, {})
    prepared = time.perf_counter() - preparing
    minimal = _timed_answer(gam, lambda: gx.minimal_sufficient_reason(gam, x, time_limit=limit))
    msr = _timed_answer(gam, lambda: gx.minimum_sufficient_reason(gam, x, time_limit=limit))
    mcr = _timed_answer(gam, lambda: gx.minimum_contrastive_reason(gam, x, time_limit=limit))
    shap = _timed_answer(gam, lambda: gx.shap_values(gam, x, time_limit=limit))
    responsive = _timed_answer(
        gam, lambda: gx.responsiveness_scores(gam, x, None, time_limit=limit)
    )
    answers = (minimal, msr, mcr, shap, responsive)
    # the cell msr falls in; which algorithm ran is the answer's own (explain_plan would
    # re-test every candidate's applicability, which costs seconds on 90 pair terms)
    cell = question_cell(gam, "msr")
    ran = msr.result.algorithm if msr.result is not None else "(none in time)"
    regression_lines, regression = _demo_regression(limit)
    checked = all(a.verified for a in (*answers, *regression.values()) if a.result is not None)
    name = DEMO_CLASSES[label]
    lines = [
        "gamexplain demo: interpret's default ExplainableBoostingClassifier (pair terms",
        f"included: {len(gam.features)} features, {len(gam.pairs)} pair terms) fitted on 80% of",
        "scikit-learn's breast-cancer data; one held-out patient (test row 13).",
        "Each answer says [algorithm; exact or not; verify's verdict; seconds]; every query",
        f"may take {limit:g} s, once the model's cell tables are built ({prepared:.1f} s).",
        "",
        f"Patient: score {score:.4f} → class {label} ({name}).",
        "",
        f"Why {name}? A subset-minimal sufficient reason {minimal.how()}:",
        *_reason_lines(minimal, gam.feature_names),
        "",
        f"The smallest such reason {msr.how()}:",
        *_minimum_lines(msr, gam.feature_names),
        "",
        f"What would change it? A minimum contrastive reason {mcr.how()}:",
        *_contrastive_lines(gam, x, mcr),
        "",
        f"SHAP values of the score {shap.how()}:",
        attribution_bars(shap.result) if shap.result is not None else "  (none)",
        "",
        *_responsive_lines(responsive),
        "",
        f"How (the minimum sufficient reason): {_cell_line(cell, ran)}",
        "",
        *regression_lines,
        "",
        f"Every answer's certificate re-checked in exact arithmetic: {'yes' if checked else 'NO'}.",
        f"Total: {time.perf_counter() - started:.1f} s.",
    ]
    data: dict[str, Any] = {
        "model": DEMO_MODEL,
        "score": score,
        "prediction": label,
        "time_limit": limit,
        **{
            key: _answer_data(answer)
            for key, answer in zip(
                ("minimal_sufficient_reason", "minimum_sufficient_reason",
                 "minimum_contrastive_reason", "shap", "responsiveness"),
                answers,
                strict=True,
            )
        },
        "regression": {key: _answer_data(answer) for key, answer in regression.items()},
        "verified": checked,
    }  # fmt: skip
    return data, "\n".join(lines)


REGRESSION_MODEL = "diabetes_ebm"
"""The demo's regression: an EBM regressor on diabetes whose file sets a tolerance."""


def _demo_regression(limit: float) -> tuple[list[str], dict[str, _Answer]]:
    """The demo's second part: what a regression tolerance means, on the diabetes EBM."""
    import gamexplain as gx
    from gamexplain.examples import demo_instance, example_path
    from gamexplain.io.jsonfile import load

    gam = load(example_path(REGRESSION_MODEL))
    x = demo_instance(REGRESSION_MODEL)
    delta = getattr(gam.task, "tolerance", 0.0)
    strict = gx.GAM(gam.features, intercept=gam.intercept, pairs=gam.pairs,
                    task=gx.Regression(tolerance=0.0))  # fmt: skip
    answers = {
        "minimum_sufficient_reason": _timed_answer(
            gam, lambda: gx.minimum_sufficient_reason(gam, x, time_limit=limit)
        ),
        "minimum_sufficient_reason_tolerance_0": _timed_answer(
            strict, lambda: gx.minimum_sufficient_reason(strict, x, time_limit=limit)
        ),
        "nearest_contrastive_reason": _timed_answer(
            gam,
            lambda: gx.minimum_contrastive_reason(gam, x, witness="nearest", time_limit=limit),
        ),
    }
    msr, msr_0, near = answers.values()
    score = float(gam.decision_function([x])[0])
    lines = [
        "A regression needs a tolerance: the bundled diabetes EBM (ExplainableBoostingRegressor,",
        f"main effects, on 80% of scikit-learn's diabetes data) stores tolerance {delta:g}, in the",
        "target's units (disease progression after one year; standard deviation 77): a",
        f"prediction counts as kept while it stays within {delta:g} of the patient's.",
        f"Patient (held-out row 0): predicted {score:.1f}.",
        f"  Minimum sufficient reason at tolerance {delta:g} {msr.how()}:",
        *(f"  {line}" for line in _reason_lines(msr, gam.feature_names)),
        f"  The same at tolerance 0 (the adapters' default) {msr_0.how()}:",
        f"    {_count(msr_0.result.features) if msr_0.result is not None else '(none)'}: "
        "with no band every feature can move the score, so every feature is kept.",
        f"  The nearest change that leaves the band {near.how()}:",
        *(f"  {line}" for line in _nearest_lines(gam, x, near)),
        f"  Set a band with from_ebm(ebm, tolerance={delta:g}) (every adapter takes it) or",
        f"  `gamexplain convert ... --tolerance {delta:g}`.",
    ]
    return lines, answers


def _nearest_lines(gam: Any, x: Sequence[Any], answer: _Answer) -> list[str]:
    r = answer.result
    if r is None:
        return ["  (no answer within the time limit)"]
    return [f"  {r}", *_moves(gam, x, r)]


def _answer_data(answer: _Answer) -> dict[str, Any]:
    return {
        "result": answer.result,
        "error": answer.error or None,
        "verified": answer.verified,
        "seconds": answer.seconds,
        "verify_seconds": answer.verify_seconds,
    }


def _reason_lines(answer: _Answer, names: Sequence[str]) -> list[str]:
    r = answer.result
    if r is None:
        return ["  (no answer within the time limit)"]
    kept = set(r.features)
    if len(kept) <= 12:
        return [f"  {r}", f"  ({_count(r.features)} of {len(names)})"]
    free = [name for name in names if name not in kept]
    lines = [
        f"  keeping the patient's values of {len(kept)} of the {len(names)} features, every one",
        f"  except {', '.join(free) or '(none)'},",
        f"  guarantees {r.target} whatever {'that one is' if len(free) == 1 else 'those are'}",
    ]
    if not r.exact:
        low, high = r.size_bounds or (0, len(kept))
        lines.append(
            f"  (stopped at the time limit: subset-minimality unproven; sizes in [{low}, {high}])"
        )
    return lines


def _minimum_lines(answer: _Answer, names: Sequence[str]) -> list[str]:
    r = answer.result
    if r is None:
        return ["  (no answer within the time limit: the search could not start in time)"]
    if r.exact:
        return [f"  certified minimum: {_count(r.features)}", *_reason_lines(answer, names)]
    low, high = r.size_bounds or (0, len(r.features))
    return [
        f"  not certified minimal, only bounds ({r.status}; {r.message}): the smallest",
        f"  sufficient reason has between {low} and {high} features; the best one found",
        f"  keeps {_count(r.features)}. verify re-checks that it is sufficient and that none",
        f"  has fewer than {low}.",
    ]


def _contrastive_lines(gam: Any, x: Sequence[Any], answer: _Answer) -> list[str]:
    r = answer.result
    if r is None:
        return ["  (no answer within the time limit)"]
    lines = [f"  {r}"]
    if not r.exact:
        low, high = r.size_bounds or (0, len(r.features))
        lines.append(f"  (stopped at the time limit: the minimum size lies in [{low}, {high}])")
    lines += _moves(gam, x, r)
    lines.append('  (witness="nearest" gives the closest such change instead, pair terms included:')
    lines.append("   gx.minimum_contrastive_reason(gam, x, witness=\"nearest\").)")
    return lines


def _responsive_lines(answer: _Answer, top: int = 3) -> list[str]:
    """The demo's recourse lines: the most responsive features and whether it is fixed."""
    result = answer.result
    if result is None:
        return ["Responsiveness: (no answer within the time limit)"]
    fixed = {True: "fixed", False: "not fixed", None: "undecided"}[result.fixed]
    head = (
        f"Responsiveness {answer.how()}: the share of each feature's moves within its range"
        " that flip the class:"
    )
    if result.all_zero and result.fixed is False:
        body = "every score is 0, yet the prediction is not fixed: features moved together flip it."
    elif result.all_zero:
        body = f"every score is 0; the prediction is {fixed}."
    else:
        ranked = ", ".join(f"{name} {score:.2f}" for name, score in result.ranked()[:top])
        body = f"{ranked}; the prediction is {fixed}."
    return [head, f"  {body}"]


#: scikit-learn's breast-cancer targets: 0 is malignant, 1 benign
DEMO_CLASSES = {0: "malignant", 1: "benign"}


def _count(features: Sequence[Any] | None) -> str:
    size = len(features or ())
    return f"{size} feature" + ("" if size == 1 else "s")


def _moves(gam: Any, x: Sequence[Any], reason: Any) -> list[str]:
    """A row per feature the witness changes: its value now and at the witness."""
    from gamexplain.certify.reasons import show

    if reason.witness is None:
        return ["  (no change of the free features flips the prediction)"]
    moved = [i for i, f in enumerate(gam.features) if f.name in set(reason.features)]
    width = max(len("feature"), *(len(gam.features[i].name) for i in moved))
    lines = [f"    {'feature':<{width}}  {'now':>10}  {'witness':>10}"]
    for i in moved:
        row = f"{show(x[i]):>10}  {show(reason.witness[i]):>10}"
        lines.append(f"    {gam.features[i].name:<{width}}  {row}")
    return lines


def _cell_line(cell: Any, algorithm: str) -> str:
    stated = f" (the paper says {cell.stated}: erratum, see {cell.theorem})" if cell.erratum else ""
    return (
        f"the question falls in the cell {cell.cell.domain}/{cell.cell.component}, "
        f"{cell.established}{stated}; gamexplain ran '{algorithm}'."
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
