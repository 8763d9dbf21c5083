"""The query table: one declaration per public query, read by everything that lists them.

Each :class:`QuerySpec` says, once, what the rest of the package needs to know about a
public query: its registry keys (a function may answer several, ``shap_values`` answers
``shap-score`` and ``shap-label`` by its ``output``), the public function by *name* (this
module sits below the queries, so the layers above resolve the name), its positional
arguments, its options with their constraints, its result type, its names on the command
line and its line in the docs. The registry (``QUERIES``), ``explain_plan``, option
validation, the command line, the docs' reference page and the public-API tests all read
:data:`QUERY_TABLE`; adding a query is its module plus one entry here.

Every algorithm of a query family is called the same way; the conventions are written
down as the protocols below, and a test binds every registered algorithm against its
family's protocol.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gamexplain.complexity.constraints import (
    ACTIONS,
    COUNT,
    FEATURES,
    OUTPUT,
    SECONDS,
    TARGET,
    WITNESS,
    Constraint,
    Features,
    Methods,
)
from gamexplain.errors import InvalidParameterError

__all__ = [
    "LABEL_ONLY",
    "QUERIES",
    "QUERY_TABLE",
    "Attribution",
    "Completion",
    "Enumeration",
    "Importance",
    "QuerySpec",
    "ReasonSearch",
    "Recourse",
    "Redundancy",
    "Responsiveness",
    "SufficiencyCheck",
    "query_spec",
]


# -- one calling convention per family -----------------------------------------------------
class SufficiencyCheck(Protocol):
    """``csr``: whether keeping ``kept`` (positions) fixes the prediction of ``problem``."""

    def __call__(
        self, problem: Any, kept: frozenset[int], time_limit: float | None = None
    ) -> bool: ...


class ReasonSearch(Protocol):
    """``msr``, ``minimal-sr``, ``mcr``: one reason of ``problem`` (an ``Answer``)."""

    def __call__(self, problem: Any, time_limit: float | None = None) -> Any: ...


class Enumeration(Protocol):
    """``enum-sr``, ``enum-cr``: the subset-minimal reasons of ``problem``, one by one."""

    def __call__(self, problem: Any, time_limit: float | None = None) -> Iterator[Any]: ...


class Redundancy(Protocol):
    """``fr``: whether feature ``feature`` of ``gam`` is redundant (an ``Outcome``)."""

    def __call__(
        self, gam: Any, feature: int, *, max_states: int, time_limit: float | None
    ) -> Any: ...


class Completion(Protocol):
    """``cc``: bounds on the share of completions of ``x`` kept on ``fixed`` that keep
    the prediction (an ``Estimate``)."""

    def __call__(
        self, gam: Any, x: tuple[Any, ...], fixed: frozenset[int], *, max_states: int,
        time_limit: float | None,
    ) -> Any: ...  # fmt: skip


class Attribution(Protocol):
    """``shap-*``, ``banzhaf-*``: bounds on every feature's value (an ``Estimate``);
    ``kind`` is ``"shapley"`` or ``"banzhaf"``."""

    def __call__(
        self, gam: Any, x: tuple[Any, ...], *, output: str, kind: str, max_states: int,
        time_limit: float | None,
    ) -> Any: ...  # fmt: skip


class Importance(Protocol):
    """``loco``, ``regional*``, ``importance``: LOCO values or importances of ``gam`` for
    ``problem`` (the data, loss and references the query module prepared)."""

    def __call__(self, gam: Any, problem: Any, *, time_limit: float | None = None) -> Any: ...


class Responsiveness(Protocol):
    """``responsiveness``, ``fixed``: per-component counts of the points reachable from
    ``x`` under ``actions`` and whether they reach ``target`` (a ``Tally``)."""

    def __call__(
        self, gam: Any, x: tuple[Any, ...], actions: Any, target: Any, *, max_states: int,
        time_limit: float | None,
    ) -> Any: ...  # fmt: skip


class Recourse(Protocol):
    """``recourse``: the fewest features one feasible action of ``actions`` changes for
    ``x`` to meet ``target``, features in ``fixed`` kept (a ``Plan``)."""

    def __call__(
        self, gam: Any, x: tuple[Any, ...], actions: Any, target: Any, *,
        fixed: frozenset[int], max_states: int, time_limit: float | None,
    ) -> Any: ...  # fmt: skip


# -- the table ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuerySpec:
    """One public query.

    Attributes
    ----------
    function : str
        The public function's name, exported by ``gamexplain``.
    module : str
        The module that defines it.
    keys : mapping of str to mapping
        Its registry keys, each with the options that select it (``{"output": "label"}``).
    arguments : tuple of str
        Its positional arguments after the model.
    options : mapping of str to Constraint
        Its keyword options (and positional feature arguments) and what each accepts;
        :func:`gamexplain.queries.parameters.validate` applies them.
    result : str
        The name of the result class it returns.
    convention : type
        The protocol every algorithm of its keys follows.
    question : str
        Its line in the docs' reference page.
    cli : mapping of str to str
        Its names for ``gamexplain explain --query``, each to the registry key it runs.
    """

    function: str
    module: str
    keys: Mapping[str, Mapping[str, Any]]
    arguments: tuple[str, ...]
    options: Mapping[str, Constraint]
    result: str
    convention: type
    question: str
    cli: Mapping[str, str] = field(default_factory=dict)

    @property
    def signature(self) -> str:
        """How the docs show a call, e.g. ``completion_fraction(gam, x, S)``."""
        return f"{self.function}({', '.join(('gam', *self.arguments))})"

    def call(
        self, key: str, x: Any, given: Mapping[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Positional arguments and selecting options to ask registry key ``key``.

        ``given`` supplies every positional argument but the instance ``x`` (a feature
        set ``S``, a ``feature``, an action set), as the lab's generators and the command
        line do.

        Raises
        ------
        InvalidParameterError
            ``given`` lacks one of the query's positional arguments (named).
        """
        missing = [n for n in self.arguments if n != "x" and n not in given]
        if missing:
            raise InvalidParameterError(
                f"{self.signature} needs the argument {missing[0]!r} to ask {key!r}, and "
                f"none was given (given: {sorted(given) or 'nothing'})."
            )
        positional = tuple(x if name == "x" else given[name] for name in self.arguments)
        return positional, dict(self.keys[key])


def _reason(function: str, key: str, result: str, question: str, **extra: Any) -> QuerySpec:
    """A query of :mod:`gamexplain.queries.reasons`: it takes ``method``, ``fixed`` and
    ``time_limit`` (and whatever ``extra`` declares)."""
    convention = extra.pop("convention", ReasonSearch)
    arguments = extra.pop("arguments", ("x",))
    cli = extra.pop("cli", {})
    options = {**extra.pop("options", {}), "method": Methods((key,)), "fixed": FEATURES,
               "time_limit": SECONDS}  # fmt: skip
    return QuerySpec(function, "gamexplain.queries.reasons", {key: {}}, arguments, options,
                     result, convention, question, cli)  # fmt: skip


def _values(function: str, family: str, result: str, question: str) -> QuerySpec:
    """An attribution query: one registry key per ``output``."""
    keys = {f"{family}-label": {"output": "label"}, f"{family}-score": {"output": "score"}}
    options = {"output": OUTPUT, "method": Methods(tuple(keys)), "max_states": COUNT,
               "time_limit": SECONDS, "target": TARGET}  # fmt: skip
    cli = {family: f"{family}-score"} | ({"shap-label": "shap-label"} if family == "shap" else {})
    return QuerySpec(function, "gamexplain.queries.shap", keys, ("x",), options, result,
                     Attribution, question, cli)  # fmt: skip


def _regional_specs() -> tuple[QuerySpec, ...]:
    """The LOCO queries of :mod:`gamexplain.queries.regional` (THEORY §6): not reasons or
    attributions of one instance, so they share the :class:`Importance` convention."""
    from gamexplain.complexity.regional_options import (
        DEPTH,
        FLAG,
        IMPORTANCE_KIND,
        LOSS,
        N_REGIONS,
        REGIONS,
        ROWS,
        SEED,
        TARGET,
    )

    module = "gamexplain.queries.regional"
    regional_keys: dict[str, Mapping[str, Any]] = {
        "regional": {}, "regional-population": {"population": True},
        "regional-kmeans": {"regions": "kmeans"}}
    return (
        QuerySpec("loco_values", module, {"loco": {}}, ("X",),
                  {"X": ROWS, "y": TARGET, "loss": LOSS, "exact": FLAG,
                   "method": Methods(("loco",)), "time_limit": SECONDS},
                  "LocoResult", Importance, "point LOCO vectors of rows"),
        QuerySpec("regional_attributions", module, regional_keys, ("X",),
                  {"X": ROWS, "y": TARGET, "loss": LOSS, "regions": REGIONS, "n_regions": N_REGIONS,
                   "max_depth": DEPTH, "random_state": SEED, "population": FLAG,
                   "method": Methods(tuple(regional_keys)), "time_limit": SECONDS},
                  "RegionalResult", Importance, "regional LOCO importances (R-LOCO)"),
        QuerySpec("feature_importances", module, {"importance": {}}, (),
                  {"kind": IMPORTANCE_KIND, "method": Methods(("importance",)),
                   "time_limit": SECONDS},
                  "ImportanceResult", Importance, "global importances of the components"),
    )  # fmt: skip


#: Every public query, in the order of the complexity table's columns.
QUERY_TABLE: tuple[QuerySpec, ...] = (
    _reason("is_sufficient_reason", "csr", "SufficiencyResult", "CSR",
            arguments=("x", "S"), options={"S": FEATURES}, convention=SufficiencyCheck),
    _reason("minimum_sufficient_reason", "msr", "SufficientReason", "MSR", cli={"msr": "msr"}),
    _reason("minimal_sufficient_reason", "minimal-sr", "SufficientReason",
            "a subset-minimal sufficient reason", cli={"minimal": "minimal-sr"}),
    _reason("sufficient_reasons", "enum-sr", "Reasons", "every subset-minimal sufficient reason",
            convention=Enumeration),
    _reason("minimum_contrastive_reason", "mcr", "ContrastiveReason", "MCR", cli={"mcr": "mcr"},
            options={"witness": WITNESS, "actions": ACTIONS, "target": TARGET}),
    _reason("contrastive_reasons", "enum-cr", "Reasons",
            "every subset-minimal contrastive reason", convention=Enumeration,
            options={"target": TARGET}),
    QuerySpec("is_redundant", "gamexplain.queries.redundancy", {"fr": {}}, ("feature",),
              {"feature": Features(single=True), "method": Methods(("fr",)),
               "time_limit": SECONDS, "max_states": COUNT},
              "RedundancyResult", Redundancy, "FR", {"fr": "fr"}),
    QuerySpec("completion_fraction", "gamexplain.queries.completion", {"cc": {}}, ("x", "S"),
              {"S": FEATURES, "method": Methods(("cc",)), "max_states": COUNT,
               "time_limit": SECONDS, "target": TARGET},
              "CompletionResult", Completion, "CC", {"cc": "cc"}),
    _values("shap_values", "shap", "ShapResult", "SHAP of the score or the label"),
    _values("banzhaf_values", "banzhaf", "BanzhafResult", "Banzhaf values"),
    *_regional_specs(),
    QuerySpec("responsiveness_scores", "gamexplain.queries.responsiveness",
              {"responsiveness": {}}, ("x", "actions"),
              {"actions": ACTIONS, "target": TARGET, "method": Methods(("responsiveness",)),
               "max_states": COUNT, "time_limit": SECONDS},
              "ResponsivenessResult", Responsiveness,
              "responsiveness scores under an action set", {"responsiveness": "responsiveness"}),
    QuerySpec("is_fixed", "gamexplain.queries.responsiveness", {"fixed": {}}, ("x", "actions"),
              {"actions": ACTIONS, "target": TARGET, "method": Methods(("fixed",)),
               "max_states": COUNT, "time_limit": SECONDS},
              "FixedResult", Responsiveness,
              "whether no reachable point attains the target", {"fixed": "fixed"}),
    QuerySpec("minimum_recourse", "gamexplain.queries.recourse", {"recourse": {}},
              ("x", "actions"),
              {"actions": ACTIONS, "target": TARGET, "fixed": FEATURES,
               "method": Methods(("recourse",)), "max_states": COUNT, "time_limit": SECONDS},
              "RecourseResult", Recourse,
              "the fewest features one feasible action changes to reach the target",
              {"recourse": "recourse"}),
)  # fmt: skip

#: Every registry key, in the table's order.
QUERIES: tuple[str, ...] = tuple(key for spec in QUERY_TABLE for key in spec.keys)

#: Registry keys that only make sense for a thresholded label.
LABEL_ONLY = frozenset(
    key for spec in QUERY_TABLE for key, chosen in spec.keys.items()
    if chosen.get("output") == "label"
)  # fmt: skip


def query_spec(name: str) -> QuerySpec:
    """The entry of a public function name, a registry key or a command-line name.

    Raises
    ------
    KeyError
        No entry answers to ``name``.
    """
    for spec in QUERY_TABLE:
        if name == spec.function or name in spec.keys or name in spec.cli:
            return spec
    raise KeyError(name)
