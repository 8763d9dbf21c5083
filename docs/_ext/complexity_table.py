"""Sphinx directives that render gamexplain's tables from the package, never from a copy.

``{complexity-table}`` with the option ``task`` (classification or regression) builds
one row per (domain, component) and one column per query, each entry the class
gamexplain establishes, with the paper's class next to it where they differ.
``{query-table}`` lists the public queries from the query table
(:mod:`gamexplain.complexity.queries`): call, question, registry keys and module.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives

from gamexplain.complexity.queries import QUERY_TABLE
from gamexplain.complexity.registry import COMPONENTS, DOMAINS, QUERIES, complexity_table

__all__ = ["ComplexityTable", "QueryTable", "query_rows", "setup", "table_rows"]


def table_rows(task: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the table for one task, read from the registry."""
    entries = {(e.cell.domain, e.cell.component, e.cell.query): e for e in complexity_table()
               if e.cell.task == task}  # fmt: skip
    queries = [q for q in QUERIES if any(k[2] == q for k in entries)]
    rows = []
    for domain in DOMAINS:
        for component in COMPONENTS:
            if not any((domain, component, q) in entries for q in queries):
                continue
            row = [domain, component]
            for q in queries:
                e = entries.get((domain, component, q))
                text = "" if e is None else e.established
                if e is not None and e.erratum:
                    text += f" (paper: {e.stated})"
                row.append(text)
            rows.append(row)
    return ["domain", "component", *queries], rows


def query_rows() -> list[list[str]]:
    """One row per public query, read from the query table."""
    return [
        [f"`{spec.signature}`", spec.question, ", ".join(spec.keys), f"`{spec.module}`"]
        for spec in QUERY_TABLE
    ]


class ComplexityTable(Directive):
    """``.. complexity-table::`` with ``:task:`` classification (default) or regression."""

    option_spec: ClassVar[dict[str, Any]] = {"task": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        header, rows = table_rows(self.options.get("task", "classification"))
        return [_table(header, rows)]


class QueryTable(Directive):
    """``.. query-table::``: the public queries."""

    def run(self) -> list[nodes.Node]:
        return [_table(["function", "question", "registry keys", "module"], query_rows())]


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in header)
    head = nodes.thead()
    head += _row(header)
    body = nodes.tbody()
    body.extend(_row(r) for r in rows)
    group += head
    group += body
    return table


def _row(cells: list[str]) -> nodes.row:
    row = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += _paragraph(text)
        row += entry
    return row


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph; text in backquotes becomes a literal, as in the markdown tables."""
    if text.startswith("`") and text.endswith("`"):
        paragraph = nodes.paragraph()
        paragraph += nodes.literal(text=text[1:-1])
        return paragraph
    return nodes.paragraph(text=text)


def setup(app):  # type: ignore[no-untyped-def]
    app.add_directive("complexity-table", ComplexityTable)
    app.add_directive("query-table", QueryTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
