"""The complexity lab: watch a cell of the table scale.

:func:`scaling` generates instances of one cell at growing sizes
(:func:`~gamexplain.lab.generators.generate`), runs the query with
``method="auto"``, records deterministic work and wall time, and fits polynomial growth
(a straight line in log-log) against exponential growth (a straight line in log-linear).
The fit with the smaller residual is the observed growth; it *matches* the cell when a
polynomial class (PTIME, output-polynomial) grows polynomially and a hard class grows
exponentially on the family of hard instances. An observation is evidence about the
algorithm gamexplain runs, not a proof about the class: the proofs are in ``proofs/``.

:func:`verify_table` runs a quick pass over the table, one row per cell.

The work of a run is deterministic: the result's ``stats.oracle_calls`` plus its
``stats.work`` counters (dynamic-programming states, solver nodes, enumerated points)
plus the exact pieces the per-feature primitive examines (domain values of finite
features, pieces of piecewise shapes, linear pieces of compiled ReLU networks or MILP
certification intervals).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

import numpy as np

from gamexplain.complexity.queries import QUERIES, Enumeration, query_spec
from gamexplain.complexity.registry import (
    CELL_COMPONENTS,
    DOMAINS,
    PAIRS,
    Cell,
    cell_entry,
    complexity_table,
)
from gamexplain.errors import GamExplainError, InvalidParameterError, PieceLimitError
from gamexplain.lab.generators import VARIANTS, family_of, generate, generate_variant

__all__ = [
    "DEFAULT_SIZES",
    "GrowthFit",
    "Measurement",
    "ScalingReport",
    "VerifyRow",
    "add_lab_parser",
    "default_sizes",
    "expected_growth",
    "fit_growth",
    "measure_work",
    "plot_report",
    "run_query",
    "scaling",
    "scaling_variant",
    "verify_table",
    "write_csv",
]

Growth = Literal["polynomial", "exponential"]

#: Sizes of the quick pass, per family: doubling for polynomial families, small steps for
#: the exponential ones (``knapsack-label``: SHAP and Banzhaf of the label, whose dynamic
#: programme also tracks coalition sizes).
DEFAULT_SIZES: dict[str, tuple[int, ...]] = {
    "random": (2, 4, 8, 16),
    "knapsack": (4, 6, 8, 10, 12),
    "knapsack-label": (4, 5, 6, 7, 8),
    "partition": (4, 6, 8, 10),
    "cnf": (2, 3, 4, 5, 6),
    "maxcut": (4, 6, 8, 10, 12),
    "coupled": (4, 6, 8, 10, 12),
    "partition-target": (4, 5, 6, 7, 8),
}

#: Reasons listed per run of an enumeration query: the lab measures the delay of the
#: first few, since the full list may be exponentially long (the output itself).
ENUMERATION_PREFIX = 10

# quasi-polynomial enumeration (thm:multiclass-enum) fits a straight log-log line at the
# lab's sizes: two fits cannot tell n^(log n) from a polynomial there
_POLYNOMIAL_CLASSES = frozenset({"PTIME", "output-polynomial", "output-quasi-polynomial"})


@dataclass(frozen=True)
class Measurement:
    """One run of the lab: the size, the deterministic work and the wall time."""

    size: int
    knob: int
    work: int
    oracle_calls: int
    seconds: float
    algorithm: str
    exact: bool
    status: str


@dataclass(frozen=True)
class GrowthFit:
    """Polynomial against exponential growth of work in size.

    Attributes
    ----------
    growth : {"polynomial", "exponential"}
        The model with the smaller sum of squared residuals of log(work).
    degree : float
        The log-log slope: work ≈ c·size^degree.
    base : float
        The log-linear slope, exponentiated: work ≈ c·base^size.
    poly_residual, exp_residual : float
        Sums of squared residuals of the two least-squares fits.
    """

    growth: Growth
    degree: float
    base: float
    poly_residual: float
    exp_residual: float

    def __str__(self) -> str:
        if self.growth == "polynomial":
            return f"polynomial (work ≈ size^{self.degree:.2f})"
        return f"exponential (work ≈ {self.base:.2f}^size)"


@dataclass(frozen=True)
class ScalingReport:
    """What :func:`scaling` observed on one cell, and whether it matches the table."""

    cell: str
    family: str
    stated: str | None
    established: str
    theorem: str
    measurements: tuple[Measurement, ...]
    fit: GrowthFit

    @property
    def expected(self) -> Growth:
        """The growth the established class predicts on the generated family."""
        return expected_growth(self.established)

    @property
    def agrees(self) -> bool:
        """Whether the observed growth is the one the established class predicts."""
        return self.fit.growth == self.expected

    @property
    def agrees_with_stated(self) -> bool | None:
        """The same against the paper's class (None when the paper is silent)."""
        return None if self.stated is None else self.fit.growth == expected_growth(self.stated)

    def plot(self, ax: Any = None) -> Any:
        """Draw the measured work against size on a log scale, labelled with the fitted
        growth (matplotlib, the ``plot`` extra); returns the Axes."""
        from gamexplain.plots import scaling_plot

        sizes = [m.size for m in self.measurements]
        work = [max(m.work, 1) for m in self.measurements]
        label = f"{self.fit}; established {self.established}"
        return scaling_plot(sizes, work, title=f"{self.cell} ({self.theorem})", label=label, ax=ax)

    def __str__(self) -> str:
        verdict = "matches" if self.agrees else "does NOT match"
        lines = [f"cell {self.cell} ({self.family} instances, {self.theorem})"]
        lines += [
            f"  size {m.size:>4}: work {m.work:>10}  {m.seconds:8.4f} s" for m in self.measurements
        ]
        lines.append(f"  observed growth: {self.fit}")
        lines.append(f"  established class {self.established}: observed growth {verdict}")
        if self.stated is not None and self.stated != self.established:
            lines.append(f"  the paper states {self.stated}")
        return "\n".join(lines)


@dataclass(frozen=True)
class VerifyRow:
    """One cell in the quick pass of :func:`verify_table`."""

    cell: str
    stated: str | None
    established: str
    observed: str | None
    agrees: bool | None
    note: str = ""


# -- running one query ------------------------------------------------------------------------
def run_query(query: str, gam: Any, x: Any, extra: dict[str, Any]) -> list[Any]:
    """Run registry key ``query`` with ``method="auto"`` through the query table; the
    results (the first few for enumerations)."""
    from gamexplain import queries

    spec = query_spec(query)
    positional, chosen = spec.call(query, x, extra)
    # options the instance sets (a variant's target class), never its arguments
    chosen |= {k: v for k, v in extra.items() if k in spec.options and k not in spec.arguments}
    answer = getattr(queries, spec.function)(gam, *positional, **chosen)
    if spec.convention is Enumeration:
        return list(itertools.islice(answer, ENUMERATION_PREFIX))
    return [answer]


def measure_work(results: Sequence[Any], gam: Any) -> int:
    """Deterministic work of a run: oracle calls, work counters and primitive pieces.

    For an enumeration the counters are averaged over the listed reasons (the delay).
    """
    counted = sum(r.stats.oracle_calls + sum(r.stats.work.values()) for r in results)
    mean = counted // max(len(results), 1)
    return mean + sum(_primitive_pieces(f) for f in gam.features)


def _primitive_pieces(feature: Any) -> int:
    from gamexplain.substrate.pieces import lower

    if feature.domain.kind == "finite":
        return int(feature.domain.size)
    try:
        return len(lower(feature))
    except PieceLimitError:
        from gamexplain.substrate.milp import relu_extremum

        nodes = (relu_extremum(feature.shape, feature.domain, s).nodes for s in (1, -1))
        return sum(nodes)


def default_sizes(cell: Cell) -> tuple[int, ...]:
    """The sizes :func:`scaling` runs when none are given (see :data:`DEFAULT_SIZES`)."""
    family = family_of(cell)
    if family == "knapsack" and cell.query.endswith("-label"):
        return DEFAULT_SIZES["knapsack-label"]
    return DEFAULT_SIZES[family]


# -- fitting growth -----------------------------------------------------------------------------
def expected_growth(complexity_class: str) -> Growth:
    """Polynomial for PTIME and output-polynomial classes, exponential for the hard ones."""
    return "polynomial" if complexity_class in _POLYNOMIAL_CLASSES else "exponential"


def fit_growth(sizes: Sequence[float], work: Sequence[float]) -> GrowthFit:
    """Least-squares fits of log(work) against log(size) and against size.

    Parameters
    ----------
    sizes, work : sequences of positive numbers, at least three distinct sizes.

    Notes
    -----
    Two straight-line fits, O(k) for k points. Constant work fits both models equally
    (zero slopes) and counts as polynomial of degree 0.

    Examples
    --------
    >>> fit_growth([2, 4, 8, 16], [6, 12, 24, 48]).growth
    'polynomial'
    >>> fit_growth([2, 3, 4, 5, 6], [4, 8, 16, 32, 64]).growth
    'exponential'
    """
    s = np.asarray(sizes, dtype=float)
    w = np.log(np.maximum(np.asarray(work, dtype=float), 1.0))
    if len(set(s.tolist())) < 3 or np.any(s <= 0):
        raise InvalidParameterError(
            f"fitting growth needs at least three distinct positive sizes. Got {list(sizes)!r}."
        )
    poly, poly_res = _line(np.log(s), w)
    expo, exp_res = _line(s, w)
    growth: Growth = "exponential" if exp_res < poly_res - 1e-9 else "polynomial"
    return GrowthFit(growth, float(poly), float(math.exp(expo)), poly_res, exp_res)


def _line(t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    slope, intercept = np.polyfit(t, w, 1)
    residual = w - (slope * t + intercept)
    return float(slope), float(residual @ residual)


# -- scaling -------------------------------------------------------------------------------------
def scaling(
    query: str,
    domain: str,
    component: str,
    task: str = "classification",
    *,
    sizes: Sequence[int] | None = None,
    knob: int | None = None,
    seed: int = 0,
    progress: TextIO | None = None,
) -> ScalingReport:
    """Run one cell of the table at growing sizes and fit the growth of its work.

    Parameters
    ----------
    query, domain, component, task
        The cell (see :func:`~gamexplain.lab.generators.generate`).
    sizes : sequence of int, optional
        At least three distinct sizes; None takes :data:`DEFAULT_SIZES` of the cell's
        family.
    knob : int, optional
        The family's hardness knob, fixed across sizes (None: the family's default,
        which for the hard families grows with the size).
    seed : int
    progress : file, optional
        Where to print one progress line per size (e.g. ``sys.stderr``).

    Returns
    -------
    ScalingReport

    Notes
    -----
    The cost is that of the query on each instance: polynomial in the PTIME cells,
    exponential in the size on the hard families. Theorem: ``thm:lab-growth``.

    Examples
    --------
    >>> report = scaling("msr", "integers", "ebm", sizes=[2, 4, 8])
    >>> (report.fit.growth, report.agrees)
    ('polynomial', True)
    """
    # generating the smallest instance validates the cell, the knob and the seed
    generate(query, domain, component, task, n=2 if component == PAIRS else 1, knob=knob,
             seed=seed)  # fmt: skip
    cell = Cell(query, domain, component, task)
    steps = list(sizes) if sizes is not None else list(default_sizes(cell))
    entry = cell_entry(cell)

    def build(size: int) -> Any:
        return generate(cell.query, cell.domain, cell.component, cell.task, size, knob, seed)

    runs = _runs(str(cell), cell.query, build, _checked_sizes(steps), progress)
    fit = fit_growth([m.size for m in runs], [m.work for m in runs])
    return ScalingReport(
        str(cell), family_of(cell), entry.stated, entry.established, entry.theorem, tuple(runs), fit
    )


def scaling_variant(
    name: str, *, sizes: Sequence[int] | None = None, knob: int | None = None, seed: int = 0,
    progress: TextIO | None = None,
) -> ScalingReport:  # fmt: skip
    """:func:`scaling` for a question of :data:`~gamexplain.lab.generators.VARIANTS`: a
    cell asked under an option its default question leaves unset (a target class),
    which another algorithm answers and another theorem classes.

    Notes
    -----
    As :func:`scaling` (``thm:lab-growth``); the class is the variant's.

    Examples
    --------
    >>> report = scaling_variant("target-pairs", sizes=[4, 5, 6])
    >>> (report.cell, report.fit.growth, report.agrees)
    ('mcr | finite | pairs | multiclass [target-pairs]', 'exponential', True)
    """
    generate_variant(name, n=2, knob=knob, seed=seed)  # validates the name, knob and seed
    cell, established, theorem = VARIANTS[name]
    steps = list(sizes) if sizes is not None else list(DEFAULT_SIZES["partition-target"])
    label = f"{cell} [{name}]"

    def build(size: int) -> Any:
        return generate_variant(name, size, knob, seed)

    runs = _runs(label, cell.query, build, _checked_sizes(steps), progress)
    fit = fit_growth([m.size for m in runs], [m.work for m in runs])
    return ScalingReport(label, "partition-target", None, established, theorem, tuple(runs), fit)


def _checked_sizes(steps: list[Any]) -> list[int]:
    if len(set(steps)) < 3 or any(
        isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in steps
    ):
        raise InvalidParameterError(
            "The 'sizes' parameter of scaling must hold at least three distinct positive "
            f"integers. Got {steps!r} instead."
        )
    return steps


def _runs(label: str, query: str, build: Any, steps: list[int],
          progress: TextIO | None) -> list[Measurement]:  # fmt: skip
    runs = []
    for k, size in enumerate(steps, start=1):
        runs.append(_measure(query, size, *build(size)))
        if progress is not None:
            last = runs[-1]
            print(
                f"[{k}/{len(steps)}] {label} size {size}: work {last.work} ({last.seconds:.3f} s)",
                file=progress,
                flush=True,
            )
    return runs


def _measure(query: str, size: int, gam: Any, x: Any, extra: dict[str, Any]) -> Measurement:
    start = time.perf_counter()
    results = run_query(query, gam, x, extra)
    seconds = time.perf_counter() - start
    first = results[0] if results else None
    return Measurement(
        size=size,
        knob=extra["knob"],
        work=measure_work(results, gam),
        oracle_calls=sum(r.stats.oracle_calls for r in results),
        seconds=seconds,
        algorithm="" if first is None else first.algorithm,
        exact=all(r.exact for r in results),
        status="solved" if first is None else first.status,
    )


# -- the quick pass -------------------------------------------------------------------------------
_VOLUME = (
    "continuous contributions make counting a volume computation: the partial sums "
    "refine certified bounds under a budget, so the work measures the budget, not the "
    "instance"
)
_TREEWIDTH = (
    "with pair terms the cost follows the treewidth of the interaction graph, which the "
    "size n does not control; the MAX-CUT reduction test checks the class instead"
)
_HEURISTIC = (
    "optimal k-means is NP-hard, but gamexplain segments by seeded Lloyd (a heuristic) "
    "before its exact importances, so the work measures the heuristic, not the class"
)
#: Cells the quick pass leaves out, and why: (query, component, domain).
NOT_COVERED: dict[tuple[str, str, str], str] = {
    **{(q, c, "interval"): _VOLUME for q in ("cc", "shap-label", "banzhaf-label")
       for c in ("spline", "nam")},
    **{(q, PAIRS, d): _TREEWIDTH for q in QUERIES for d in DOMAINS},
    **{("regional-kmeans", c, d): _HEURISTIC for c in CELL_COMPONENTS for d in DOMAINS},
}  # fmt: skip


def verify_table(
    *,
    queries: Iterable[str] | None = None,
    tasks: Iterable[str] = ("classification", "regression"),
    sizes: dict[str, tuple[int, ...]] | None = None,
    progress: TextIO | None = None,
    domains: Iterable[str] | None = None,
    components: Iterable[str] | None = None,
) -> list[VerifyRow]:
    """A quick scaling pass over the cells of the table, one row per cell.

    Parameters
    ----------
    queries : iterable of str, optional
        Only these queries (default: all).
    tasks : iterable of str
    domains, components : iterable of str, optional
        Only cells of these domain kinds and component classes (default: all).
    sizes : dict, optional
        Sizes per family, overriding :data:`DEFAULT_SIZES`.
    progress : file, optional

    Returns
    -------
    list of VerifyRow
        ``agrees`` is None for the cells left out (``note`` says why). After the cells,
        one row per :data:`~gamexplain.lab.generators.VARIANTS` question of a chosen
        cell (its label ends in ``[name]``).

    Notes
    -----
    One :func:`scaling` run per cell at the family's default sizes, one
    :func:`scaling_variant` run per variant (``thm:lab-growth``).
    """
    wanted = [None if q is None else set(q) for q in (queries, tasks, domains, components)]
    rows = []
    for entry in complexity_table():
        cell = entry.cell
        parts = (cell.query, cell.task, cell.domain, cell.component)
        if any(w is not None and p not in w for w, p in zip(wanted, parts, strict=True)):
            continue
        rows.append(_verify_cell(entry, (sizes or {}).get(family_of(cell))))
        if progress is not None:
            row = rows[-1]
            print(f"{row.cell}: {row.observed or row.note}", file=progress, flush=True)
    for name, (cell, established, _theorem) in VARIANTS.items():
        parts = (cell.query, cell.task, cell.domain, cell.component)
        if any(w is not None and p not in w for w, p in zip(wanted, parts, strict=True)):
            continue
        report = scaling_variant(name, sizes=(sizes or {}).get("partition-target"))
        rows.append(VerifyRow(report.cell, None, established, report.fit.growth, report.agrees,
                              f"asked with a target class ({report.theorem})"))  # fmt: skip
    return rows


def _verify_cell(entry: Any, sizes: tuple[int, ...] | None) -> VerifyRow:
    cell = entry.cell
    skip = NOT_COVERED.get((cell.query, cell.component, cell.domain))
    if skip == _TREEWIDTH and expected_growth(entry.established) == "polynomial":
        skip = None  # a PTIME pair cell's algorithm is polynomial whatever the treewidth
    if skip == _TREEWIDTH and (cell.query, cell.task) == ("fr", "multiclass"):
        skip = None  # the parity subset-sum family with zero pair terms on a path (width 1)
    if skip is not None:
        return VerifyRow(str(cell), entry.stated, entry.established, None, None, skip)
    try:
        report = scaling(cell.query, cell.domain, cell.component, cell.task, sizes=sizes)
    except GamExplainError as exc:
        return VerifyRow(str(cell), entry.stated, entry.established, None, None, str(exc))
    return VerifyRow(str(cell), entry.stated, entry.established, report.fit.growth, report.agrees)


# -- output ----------------------------------------------------------------------------------------
def write_csv(report: ScalingReport, path: str | Path) -> Path:
    """Write the measurements of ``report`` as CSV; returns the path."""
    target = Path(path)
    fields = list(Measurement.__dataclass_fields__)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["cell", *fields])
        writer.writeheader()
        for m in report.measurements:
            writer.writerow({"cell": report.cell, **asdict(m)})
    return target


def plot_report(report: ScalingReport, path: str | Path) -> Path:
    """Plot work against size (log scale) with both fitted curves, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = np.array([m.size for m in report.measurements], dtype=float)
    work = np.array([max(m.work, 1) for m in report.measurements], dtype=float)
    grid = np.linspace(sizes.min(), sizes.max(), 100)
    poly_c = np.polyfit(np.log(sizes), np.log(work), 1)
    exp_c = np.polyfit(sizes, np.log(work), 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(sizes, work, "o", label="measured work")
    ax.plot(grid, np.exp(np.polyval(poly_c, np.log(grid))), "-", label="polynomial fit")
    ax.plot(grid, np.exp(np.polyval(exp_c, grid)), "--", label="exponential fit")
    ax.set_yscale("log")
    ax.set_xlabel("size")
    ax.set_ylabel("deterministic work")
    ax.set_title(f"{report.cell}\n{report.established}: {report.fit}", fontsize=9)
    ax.legend()
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target


# -- the command line ---------------------------------------------------------------------
def add_lab_parser(sub: Any) -> None:
    """Register ``gamexplain lab scaling`` and ``gamexplain lab verify``."""
    lab = sub.add_parser("lab", help="the complexity lab: scaling experiments on the table")
    tools = lab.add_subparsers(dest="lab_command", required=True, metavar="EXPERIMENT")
    run = tools.add_parser("scaling", help="run one cell at growing sizes and fit the growth")
    run.add_argument("--query", required=True)
    run.add_argument("--domain", required=True)
    run.add_argument("--component", required=True)
    run.add_argument("--task", default="classification")
    run.add_argument("--sizes", help="comma-separated sizes, e.g. 4,8,16,32")
    run.add_argument("--knob", type=int, help="the hardness knob of the cell's family")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--out", type=Path, help="folder for scaling.csv and scaling.png")
    run.add_argument("--json", action="store_true")
    run.set_defaults(handler=_scaling_command)
    check = tools.add_parser("verify", help="a quick pass over every cell of the table")
    check.add_argument("--query", action="append", choices=list(QUERIES),
                       help="only this query (repeatable)")  # fmt: skip
    check.add_argument("--task", action="append",
                       choices=["classification", "regression", "multiclass"])  # fmt: skip
    check.add_argument("--domain", action="append", choices=list(DOMAINS),
                       help="only cells of this domain kind (repeatable)")  # fmt: skip
    check.add_argument("--component", action="append", choices=list(CELL_COMPONENTS),
                       help="only cells of this component class (repeatable)")  # fmt: skip
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_verify_command)


def _scaling_command(args: argparse.Namespace) -> int:
    sizes = None if args.sizes is None else _sizes(args.sizes)
    report = scaling(
        args.query, args.domain, args.component, args.task,
        sizes=sizes, knob=args.knob, seed=args.seed, progress=sys.stderr,
    )  # fmt: skip
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        write_csv(report, args.out / "scaling.csv")
        plot_report(report, args.out / "scaling.png")
    if args.json:
        data = {**asdict(report), "expected": report.expected, "agrees": report.agrees}
        print(json.dumps(data, indent=2))
    else:
        print(report)
    return 0 if report.agrees else 1


def _sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidParameterError(
            f"The '--sizes' option must be comma-separated integers. Got {text!r} instead."
        ) from None


def _verify_command(args: argparse.Namespace) -> int:
    tasks = args.task or ("classification", "regression")
    rows = verify_table(queries=args.query, tasks=tasks, domains=args.domain,
                        components=args.component)  # fmt: skip
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(_verify_text(rows))
    return 0 if all(r.agrees is not False for r in rows) else 1


def _verify_text(rows: list[VerifyRow]) -> str:
    head = f"{'cell':<62} {'stated':<14} {'established':<18} {'observed':<12} agrees"
    lines = [head, "-" * len(head)]
    for r in rows:
        agrees = {True: "yes", False: "NO", None: "not covered"}[r.agrees]
        stated, observed = r.stated or "—", r.observed or "—"
        lines.append(f"{r.cell:<62} {stated:<14} {r.established:<18} {observed:<12} {agrees}")
    left_out = [r for r in rows if r.agrees is None]
    if left_out:
        lines.append("")
        lines.append("not covered:")
        lines += [f"  {r.cell}: {r.note}" for r in left_out]
    return "\n".join(lines)
