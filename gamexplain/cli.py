"""The ``gamexplain`` command line.

Sub-commands: ``demo`` (the main job, on a bundled example), ``show`` (a model's
features), ``predict`` (scores and classes), ``table`` (the complexity table, read from
the registry), ``plan`` (which algorithm a query would run, and why), ``explain``
(exact explanations of one instance) and ``convert`` (a fitted model to the JSON format).
Every sub-command takes ``--json`` for machine-readable output. Bad input ends with a
message naming the problem and exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gamexplain.errors import GamExplainError, InvalidInstanceError, InvalidParameterError

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except (GamExplainError, OSError) as exc:
        print(f"gamexplain: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gamexplain",
        description="Exact, certified explanations of Generalized Additive Models.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="explain one patient of the bundled breast-cancer EBM")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
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
    table.add_argument("--task", default="classification", choices=["classification", "regression"])
    table.add_argument("--json", action="store_true")
    table.set_defaults(handler=_table)
    return parser


# -- models and instances -------------------------------------------------------------
def load_model(name: str) -> Any:
    """A model from a JSON file, or a bundled example by name (e.g. ``credit``)."""
    from gamexplain.io.jsonfile import load

    path = Path(name)
    if path.exists():
        return load(path)
    from gamexplain.examples import example_path, list_examples

    if name in list_examples():
        return load(example_path(name))
    raise InvalidParameterError(
        f"no model file {name!r}, and no bundled example of that name "
        f"(bundled: {', '.join(list_examples())})"
    )


def parse_instance(gam: Any, text: str) -> tuple[Any, ...]:
    """One instance from JSON text: an object of feature values, or a list in order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInstanceError(f"--instance is not valid JSON: {exc}") from exc
    if not isinstance(data, dict | list):
        raise InvalidInstanceError("--instance must be a JSON object or list")
    return gam.instance(data)


def _read_csv(gam: Any, path: Path) -> list[tuple[Any, ...]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for number, row in enumerate(reader, start=2):
            values = {}
            for feature in gam.features:
                if feature.name not in row:
                    raise InvalidInstanceError(f"{path}: no column named {feature.name!r}")
                values[feature.name] = _csv_value(feature, row[feature.name])
            try:
                rows.append(gam.instance(values))
            except InvalidInstanceError as exc:
                raise InvalidInstanceError(f"{path}, line {number}: {exc}") from None
    return rows


def _csv_value(feature: Any, text: str) -> Any:
    domain = feature.domain
    if domain.kind == "finite":
        for value in domain.values:
            if str(value) == text:
                return value
        return text
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

        print(json.dumps(to_jsonable(data), indent=2))
    else:
        print(text)
    return 0


# -- sub-commands ------------------------------------------------------------------------
def _show(args: argparse.Namespace) -> int:
    gam = load_model(args.model)
    rows = _model_rows(gam)
    header = (
        f"{len(gam.features)} features, {describe_task(gam.task)}, intercept {gam.intercept:g}"
        + (f", {len(gam.pairs)} pair terms" if gam.pairs else "")
    )
    text = header + "\n" + format_table(rows, ["feature", "domain", "shape", "component", "weight"])
    data = {"task": describe_task(gam.task), "intercept": gam.intercept, "features": rows}
    return _emit(args, data, text)


def _predict(args: argparse.Namespace) -> int:
    gam = load_model(args.model)
    rows = [parse_instance(gam, args.instance)] if args.instance else _read_csv(gam, args.csv)
    if not rows:
        raise InvalidInstanceError(f"{args.csv}: no rows")
    scores = gam.decision_function(rows)
    labels = gam.predict(rows)
    records = [
        {"row": k, "score": float(s), "prediction": p.item()}
        for k, (s, p) in enumerate(zip(scores, labels, strict=True))
    ]
    text = format_table(
        [{**r, "score": f"{r['score']:.6g}"} for r in records], ["row", "score", "prediction"]
    )
    return _emit(args, records, text)


def _table(args: argparse.Namespace) -> int:
    from gamexplain.complexity import complexity_table

    entries = [
        e
        for e in complexity_table()
        if e.cell.task == args.task and (args.query is None or e.cell.query == args.query)
    ]
    if not entries:
        raise InvalidParameterError(f"no cells for query {args.query!r} and task {args.task!r}")
    rows = [
        {
            "query": e.cell.query,
            "domain": e.cell.domain,
            "component": e.cell.component,
            "paper": e.stated or "—",
            "gamexplain": e.established + (" (erratum)" if e.erratum else ""),
            "theorem": e.theorem,
        }
        for e in entries
    ]
    text = format_table(rows, ["query", "domain", "component", "paper", "gamexplain", "theorem"])
    return _emit(args, rows, text)


def _demo(args: argparse.Namespace) -> int:
    from gamexplain.examples import demo_instance

    gam = load_model("breast_cancer_ebm")
    x = demo_instance("breast_cancer_ebm")
    score = float(gam.decision_function([x])[0])
    label = int(gam.predict([x])[0])
    lines = [
        "gamexplain demo: an Explainable Boosting Machine fitted on scikit-learn's",
        f"breast-cancer data ({len(gam.features)} features, {describe_task(gam.task)}).",
        "",
        f"Patient: score {score:.4f} → class {label}.",
    ]
    data: dict[str, Any] = {"score": score, "prediction": label}
    return _emit(args, data, "\n".join(lines))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
