"""``explain_plan``: which cell a question falls in and which algorithm would answer it.

Like a database's EXPLAIN, the plan is read from the complexity registry without running
anything: the cell of every feature, the question's cell (the class the paper states,
the class gamexplain establishes, the theorem id, whether it is an erratum), the
algorithm ``method="auto"`` would pick, the fallbacks that run after it when it stops
short, and every algorithm passed over with its reason. The plan and the query read the
same dispatcher (:func:`gamexplain.complexity.registry.dispatch`), so the plan is what
the query runs.
For a ReLU-network feature on a range it also names the backend of the per-feature
extremum (compiled pieces or MILP) and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from gamexplain.complexity.registry import (
    AlgorithmSpec,
    Cell,
    CellEntry,
    algorithms_for,
    cell_entry,
    dispatch,
    feature_cell,
    registered_algorithms,
)
from gamexplain.model.gam import check_gam

if TYPE_CHECKING:
    from gamexplain.substrate.extremes import BackendChoice

__all__ = ["FeaturePlan", "Plan", "explain_plan", "register_batch_planner"]


@dataclass(frozen=True)
class FeaturePlan:
    """One feature's cell for the question.

    Attributes
    ----------
    name : str
    entry : CellEntry
    extremum : BackendChoice or None
        For a ReLU network on an integer or interval domain, the backend
        ``contribution_min`` / ``contribution_max`` use under ``method="auto"`` and why
        (its piece count against the limit); None for every other feature.
    """

    name: str
    entry: CellEntry
    extremum: BackendChoice | None = None

    @property
    def domain(self) -> str:
        return self.entry.cell.domain

    @property
    def component(self) -> str:
        return self.entry.cell.component


@dataclass(frozen=True)
class Plan:
    """What ``method="auto"`` (or the named method) would do for a question.

    Attributes
    ----------
    query : str
    features : tuple of FeaturePlan
    cell : CellEntry
        The question's cell: the hardest cell of any feature.
    algorithm : str or None
        The algorithm that would run; None when none applies (see ``refusal``).
    summary, theorem : str or None
        Of that algorithm.
    skipped : tuple of (str, str)
        Algorithms of the cell tried before ``algorithm`` that do not apply here, with the
        reason.
    fallbacks : tuple of (str, tuple of str)
        The algorithms that run, in order, after ``algorithm`` when the one before stops
        with one of the statuses given beside it.
    skipped_fallbacks : tuple of (str, str)
        Algorithms after ``algorithm`` that would be fallbacks but do not apply here.
    elsewhere : tuple of str
        Registered algorithms of the query that do not solve this cell.
    refusal : str or None
        Why no algorithm answers, when none does.
    pairs : int
        The number of pairwise terms of the model.
    batch : str or None
        With ``batch=True``: what :func:`~gamexplain.explain` runs for this query over
        many rows (its vectorised kernel, or why rows go one by one).
    """

    query: str
    features: tuple[FeaturePlan, ...]
    cell: CellEntry
    algorithm: str | None
    summary: str | None
    theorem: str | None
    skipped: tuple[tuple[str, str], ...]
    elsewhere: tuple[str, ...]
    refusal: str | None
    pairs: int = 0
    fallbacks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    skipped_fallbacks: tuple[tuple[str, str], ...] = ()
    batch: str | None = None

    @property
    def order(self) -> tuple[str, ...]:
        """Every algorithm that may run, in the order it would."""
        first = () if self.algorithm is None else (self.algorithm,)
        return first + tuple(name for name, _ in self.fallbacks)

    def __str__(self) -> str:
        width = max(len(f.name) for f in self.features)
        n = len(self.features)
        head = f"plan for {self.query!r} ({self.cell.cell.task}, {n} feature{'s' * (n != 1)}"
        lines = [head + (f", {self.pairs} pairwise terms)" if self.pairs else ")")]
        for f in self.features:
            lines.append(
                f"  {f.name:<{width}}  {f.domain:<8}  {f.component:<6}  {_classes(f.entry)}"
            )
            if f.extremum is not None:
                lines.append(
                    f"  {'':<{width}}  extremes by {f.extremum.name} ({f.extremum.theorem}): "
                    f"{f.extremum.reason}"
                )
        lines.append(f"question cell: {self.cell.cell} — {_classes(self.cell)}")
        if self.cell.note:
            lines.append(f"  ({self.cell.note})")
        for name, reason in self.skipped:
            lines.append(f"skips {name}: {reason}")
        if self.algorithm is None:
            lines.append(
                "refuses: none of the algorithms above applies"
                if self.skipped
                else f"refuses: {self.refusal}"
            )
        else:
            lines.append(f"runs {self.algorithm}: {self.summary} ({self.theorem})")
        previous = self.algorithm
        for name, statuses in self.fallbacks:
            lines.append(f"then {name} if {previous} stops with {' or '.join(statuses)}")
            previous = name
        for name, reason in self.skipped_fallbacks:
            lines.append(f"no fallback to {name}: {reason}")
        if self.elsewhere:
            lines.append(f"not for this cell: {', '.join(self.elsewhere)}")
        if self.batch is not None:
            lines.append(f"many rows (explain): {self.batch}")
        return "\n".join(lines)


def _classes(entry: CellEntry) -> str:
    if entry.erratum:
        return f"paper: {entry.stated}; gamexplain: {entry.established} [erratum] ({entry.theorem})"
    return f"{entry.established} ({entry.theorem})"


def explain_plan(gam: Any, query: str, **options: Any) -> Plan:
    """The complexity cell of a question on ``gam`` and the algorithm that would answer it.

    Parameters
    ----------
    gam : GAM
    query : str
        A registry query key: ``"csr"``, ``"msr"``, ``"minimal-sr"``, ``"enum-sr"``,
        ``"mcr"``, ``"enum-cr"``, ``"fr"``, ``"cc"``, ``"shap-label"``, …
    **options
        ``method`` (default ``"auto"``) and the options algorithms read when deciding
        whether they apply (e.g. ``brute_force_limit``). ``batch=True`` adds what a batch
        of many rows runs (:attr:`Plan.batch`).

    Returns
    -------
    Plan
        Printable; nothing has been run.

    Notes
    -----
    O(n) registry look-ups plus each candidate algorithm's ``applies`` check, which
    inspects the model but never solves the question. A ReLU-network feature on a range
    is compiled to at most ``RELU_PIECE_LIMIT`` pieces to choose its extremum backend
    (cached, so the query reuses the pieces).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Integers, Piecewise
    >>> from gamexplain.complexity import explain_plan
    >>> gam = GAM([Feature("age", Integers(0, 99), Piecewise([0, 40, 99], [[-1.0], [1.0]]))])
    >>> plan = explain_plan(gam, "msr")
    >>> plan.algorithm, plan.cell.erratum
    ('greedy', True)
    """
    if getattr(getattr(gam, "task", None), "kind", None) != "multiclass":
        check_gam(gam, "explain_plan")
    method = options.pop("method", "auto")
    batch = bool(options.pop("batch", False))
    selection = dispatch(gam, query, method, options, caller="explain_plan")
    entry, run = selection.entry, selection.candidates
    listed = algorithms_for(entry.cell)
    names = {s.name for s in registered_algorithms(query)}
    chosen = run[0] if run else None
    before, after = _split(selection.skipped, listed, chosen)
    return Plan(
        query=query,
        features=tuple(_feature_plan(f, query, entry.cell) for f in gam.features),
        cell=entry,
        algorithm=None if chosen is None else chosen.name,
        summary=None if chosen is None else chosen.summary,
        theorem=None if chosen is None else chosen.theorem,
        skipped=before,
        elsewhere=tuple(sorted(names - {s.name for s in listed})),
        refusal=None if chosen is not None else _refusal(method, listed, before, entry),
        pairs=len(gam.pairs),
        fallbacks=_fallbacks(run),
        skipped_fallbacks=after,
        batch=_BATCH_PLANNER[0](gam, query) if batch and _BATCH_PLANNER else None,
    )


#: What a batch of many rows runs for a query: set by the batch front door
#: (:mod:`gamexplain.queries.batch`, a layer above) with :func:`register_batch_planner`.
_BATCH_PLANNER: list[Callable[[Any, str], str]] = []


def register_batch_planner(planner: Callable[[Any, str], str]) -> None:
    """Register ``planner(gam, query) -> text``, which :func:`explain_plan` calls with
    ``batch=True``."""
    _BATCH_PLANNER[:] = [planner]


def _split(
    skipped: tuple[tuple[str, str], ...], listed: list[AlgorithmSpec], chosen: Any
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The skipped algorithms before the chosen one, and those after it (fallbacks)."""
    if chosen is None:
        return skipped, ()
    order = [s.name for s in listed]
    at = order.index(chosen.name)
    before = tuple(item for item in skipped if order.index(item[0]) < at)
    return before, tuple(item for item in skipped if order.index(item[0]) > at)


def _fallbacks(run: tuple[AlgorithmSpec, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each algorithm after the first, with the statuses of the one before that start it."""
    return tuple((later.name, earlier.fallback_on) for earlier, later in pairwise(run))


def _feature_plan(feature: Any, query: str, cell: Cell) -> FeaturePlan:
    domain, component = feature_cell(feature)
    entry = cell_entry(Cell(query, domain, component, cell.task, cell.variant))
    if component != "nam" or domain == "finite":
        return FeaturePlan(feature.name, entry)
    from gamexplain.substrate.extremes import select_extremum_backend

    return FeaturePlan(feature.name, entry, select_extremum_backend(feature))


def _refusal(
    method: str,
    listed: list[AlgorithmSpec],
    skipped: tuple[tuple[str, str], ...],
    entry: CellEntry,
) -> str:
    if method != "auto" and method not in {s.name for s in listed}:
        return f"{method!r} does not solve the cell {entry.cell}"
    if not skipped:
        return f"no algorithm is registered for the cell {entry.cell}"
    return "; ".join(f"{name}: {reason}" for name, reason in skipped)
