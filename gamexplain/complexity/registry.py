"""The complexity registry: the spine of gamexplain.

For every cell — (query, domain kind, component class, task) — the registry holds the
complexity class Bassan, Moshkovitz and Katz (NeurIPS 2025, Table 1) state, the class
gamexplain establishes (they differ in the errata cells, see ``proofs/errata.md``), the
theorem id whose section in ``proofs/`` argues it, and, through registration, the ordered
algorithms that solve it. ``method="auto"`` runs the first of them that applies, then its
declared fallbacks. The queries themselves are declared in
:mod:`gamexplain.complexity.queries`.

Algorithms register themselves with :func:`register_algorithm`, declaring which cells
they solve, a priority, a check that tells whether they apply to a given model (a
brute-force reference applies only to small finite models, for instance), and the
statuses of their results after which the next algorithm runs (``fallback_on``).
:func:`dispatch` is the one place that turns these declarations into the ordered
algorithms a question runs; the queries and ``explain_plan`` both read it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

from gamexplain.complexity.queries import LABEL_ONLY, QUERIES
from gamexplain.errors import InvalidParameterError, UnsupportedQueryError

__all__ = [
    "CELL_COMPONENTS",
    "COMPONENTS",
    "DOMAINS",
    "LABEL_ONLY",
    "PAIRS",
    "QUERIES",
    "TASKS",
    "VARIANTS",
    "AlgorithmSpec",
    "Cell",
    "CellEntry",
    "Selection",
    "algorithms_for",
    "cell_entry",
    "complexity_table",
    "dispatch",
    "feature_cell",
    "question_cell",
    "question_variant",
    "register_algorithm",
    "registered_algorithms",
    "select_algorithm",
]

DOMAINS: tuple[str, ...] = ("finite", "integers", "interval")
COMPONENTS: tuple[str, ...] = ("table", "ebm", "spline", "nam")
#: The model-level component of pairwise terms (GA²M): a model with pair terms also falls
#: in the ``pairs`` cell of each paired feature's domain kind.
PAIRS = "pairs"
CELL_COMPONENTS: tuple[str, ...] = (*COMPONENTS, PAIRS)
TASKS: tuple[str, ...] = ("classification", "regression", "multiclass")

#: Complexity classes from easiest to hardest; a question's cell is the hardest cell of
#: any of its features.
CLASS_ORDER: tuple[str, ...] = (
    "PTIME",
    "output-polynomial",
    "output-quasi-polynomial",
    "pseudo-polynomial",
    "NP-complete",
    "coNP-hard",
    "coNP-complete",
    "#P-complete",
    "#P-hard",
)


@dataclass(frozen=True)
class Cell:
    """A cell of the complexity table.

    ``variant`` names a question the cell asks under an option that changes its class
    (:data:`VARIANTS`), shown after the task: ``mcr | finite | table | multiclass [target]``;
    empty for the cell's default question.
    """

    query: str
    domain: str
    component: str
    task: str
    variant: str = ""

    def __str__(self) -> str:
        text = f"{self.query} | {self.domain} | {self.component} | {self.task}"
        return f"{text} [{self.variant}]" if self.variant else text


@dataclass(frozen=True)
class CellEntry:
    """What is known about a cell.

    Attributes
    ----------
    stated : str or None
        The class the paper states (None when the paper does not treat the query).
    established : str
        The class gamexplain establishes; it differs from ``stated`` in erratum cells.
    theorem : str
        The theorem id (a heading in ``proofs/``) that argues ``established``.
    erratum : bool
        True when ``established`` contradicts ``stated``.
    note : str
        One sentence on the cell, e.g. why it is easy.
    """

    cell: Cell
    stated: str | None
    established: str
    theorem: str
    note: str = ""

    @property
    def erratum(self) -> bool:
        return self.stated is not None and self.stated != self.established


# -- the table -------------------------------------------------------------------------
# (query) -> (stated, established, theorem, note) for each family of rows.
_Row = dict[str, tuple[str | None, str, str, str]]

_EASY: _Row = {
    "csr": ("PTIME", "PTIME", "thm:csr-worst-case", "sum of per-feature extremes"),
    "msr": ("PTIME", "PTIME", "thm:msr-greedy", "sort the features by how far they move the score"),
    "minimal-sr": (None, "PTIME", "thm:minimal-deletion", "n sufficiency checks"),
    "enum-sr": (
        None,
        "output-polynomial",
        "thm:enum-additive",
        "polynomial delay for additive models",
    ),
    "mcr": ("PTIME", "PTIME", "thm:mcr-greedy", "sort the features by how far they move the score"),
    "enum-cr": (
        None,
        "output-polynomial",
        "thm:enum-additive",
        "polynomial delay for additive models",
    ),
    "shap-score": ("PTIME", "PTIME", "thm:shap-score-closed-form", "β_i·(f_i(x_i) − E f_i)"),
    "banzhaf-score": (None, "PTIME", "thm:shap-score-closed-form", "the same closed form"),
}
_COUNTING: _Row = {
    "fr": ("coNP-complete", "coNP-complete", "thm:fr-conp", "subset sum reduces to it"),
    "cc": ("#P-complete", "#P-complete", "thm:cc-sharp-p", "counts knapsack solutions"),
    "shap-label": (
        "#P-complete",
        "#P-complete",
        "thm:shap-label-sharp-p",
        "counts knapsack solutions",
    ),
    "banzhaf-label": (None, "#P-complete", "thm:shap-label-sharp-p", "counts knapsack solutions"),
}
_FINITE_COUNTING: _Row = {
    "fr": ("coNP-complete", "coNP-complete", "thm:fr-conp",
           "subset sum; pseudo-polynomial by partial sums"),
    "cc": ("#P-complete", "#P-complete", "thm:cc-sharp-p",
           "pseudo-polynomial by dynamic programming over partial sums"),
    "shap-label": ("#P-complete", "#P-complete", "thm:shap-label-sharp-p",
                   "pseudo-polynomial by dynamic programming over partial sums"),
    "banzhaf-label": (None, "#P-complete", "thm:shap-label-sharp-p",
                      "pseudo-polynomial by dynamic programming over partial sums"),
}  # fmt: skip
_NAM: _Row = {
    "csr": ("coNP-hard", "coNP-hard", "thm:nam-csr-conp", "a ReLU net can evaluate a CNF"),
    "msr": ("coNP-hard", "coNP-hard", "thm:nam-csr-conp", "contains CSR"),
    "minimal-sr": (None, "coNP-hard", "thm:nam-csr-conp", "contains CSR"),
    "enum-sr": (None, "coNP-hard", "thm:nam-csr-conp", "contains CSR"),
    "mcr": ("NP-complete", "NP-complete", "thm:nam-mcr-np", "a ReLU net can evaluate a CNF"),
    "enum-cr": (None, "NP-complete", "thm:nam-mcr-np", "contains MCR"),
    "shap-score": ("#P-complete", "#P-complete", "thm:nam-shap-score-sharp-p",
                   "the mean of a CNF-evaluating net counts models"),
    "banzhaf-score": (None, "#P-complete", "thm:nam-shap-score-sharp-p",
                      "the mean of a CNF-evaluating net counts models"),
}  # fmt: skip
_EBM_ERRATA: _Row = {
    q: ("coNP-hard" if q in ("csr", "msr") else "NP-complete" if q == "mcr" else "#P-complete",
        "PTIME", "thm:ebm-ptime",
        "a step function has one candidate extremum per piece, so the greedy algorithms apply")
    for q in ("csr", "msr", "mcr", "shap-score")
}  # fmt: skip


_PAIRS: _Row = {
    "csr": (None, "coNP-complete", "thm:pairs-conp",
            "pair terms can encode MAX-CUT; variable elimination is exponential only in the "
            "treewidth of the interaction graph"),
    "msr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "minimal-sr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "enum-sr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "mcr": (None, "NP-complete", "thm:pairs-conp", "a contrastive reason decides MAX-CUT"),
    "enum-cr": (None, "NP-complete", "thm:pairs-conp", "contains MCR"),
    "fr": (None, "coNP-complete", "thm:fr-conp", "contains the additive case"),
    "cc": (None, "#P-complete", "thm:cc-sharp-p", "contains the additive case"),
    "shap-label": (None, "#P-complete", "thm:shap-label-sharp-p", "contains the additive case"),
    "banzhaf-label": (None, "#P-complete", "thm:shap-label-sharp-p",
                      "contains the additive case"),
    "shap-score": (None, "PTIME", "thm:shap-score-closed-form",
                   "each pair term splits between its two features in closed form"),
    "banzhaf-score": (None, "PTIME", "thm:shap-score-closed-form",
                      "each pair term splits between its two features in closed form"),
}  # fmt: skip

#: In regression a feature's effect on the score only involves its pair partners, each
#: maximised on its own.
_PAIRS_FR_REGRESSION = (
    None,
    "PTIME",
    "thm:pairs-fr-regression",
    "the change of the score separates over the feature's pair partners",
)

#: The paper's PTIME for FR on intervals holds for continuous splines; our pieces may jump.
_FR_INTERVAL_SPLINE = (
    "PTIME",
    "coNP-complete",
    "thm:fr-interval-continuous",
    "PTIME when every piece joins continuously (the paper's splines); a jump lets "
    "pieces encode subset sum, so general pieces go to partial sums or CP-SAT; the images "
    "of the contributions (thm:fr-images) decide it in polynomial time while the sums merge",
)

#: Splines of degree ≥ 2 on an interval make label probabilities irrational (π/4 for
#: U² + V² ≤ 1), which no #P oracle outputs: the counting rows are hard but not in #P.
_INTERVAL_SPLINE_COUNTING = (
    "#P-hard",
    "knapsack still reduces to it; curved pieces can make the value irrational (π/4)",
)

#: With a tolerance δ > 0, freeing features is bounded twice (pushes up and down): a
#: two-constraint cardinality knapsack, NP-hard by a reduction from balanced partition.
_MSR_REGRESSION = (
    "NP-complete",
    "thm:msr-regression-np",
    "two knapsack constraints (score up, score down); exact by Pareto frontiers",
)

#: Regression FR of an additive model is one range comparison: the other features cancel
#: in the difference of two scores (a ReLU net's range is itself hard, so not for nam).
_FR_REGRESSION = (
    "PTIME",
    "thm:fr-regression-range",
    "redundant iff the feature's contribution varies by at most δ",
)


#: Responsiveness under an action set (Cheon et al.): a separable feature is one level set
#: of its contribution; a linearly coupled component counts knapsack solutions.
_RESPONSIVENESS: _Row = {
    "responsiveness": (None, "#P-hard", "thm:resp-sharp-p",
                       "PTIME per separable feature (a level set over its reachable range, "
                       "thm:resp-separable); a component of many binary features counts knapsack "
                       "solutions; a coupled one with an integer member w costs the product of "
                       "the others' ranges times w's pieces (thm:resp-coupled-last)"),
    "fixed": (None, "coNP-complete", "thm:fixed-separates",
              "the best score over R(x) separates over components; pair terms across "
              "components encode MAX-CUT"),
    "recourse": (None, "NP-complete", "thm:recourse-knapsack",
                 "a group knapsack over the components' best moves per cost when the score "
                 "separates over them; pair terms across components make it the MCR of "
                 "thm:pairs-conp"),
}  # fmt: skip


def _row(domain: str, component: str, task: str) -> _Row:
    if task == "multiclass":
        return _multiclass_row(domain, component)
    return {**_model_row(domain, component, task), **_RESPONSIVENESS}


def _model_row(domain: str, component: str, task: str) -> _Row:
    if component == PAIRS:
        row = dict(_PAIRS)
        if task == "regression":
            row = {q: entry for q, entry in row.items() if q not in LABEL_ONLY}
            row["fr"] = _PAIRS_FR_REGRESSION
        return row
    if domain == "finite":
        row = {**_EASY, **_FINITE_COUNTING}
    elif component == "nam":
        row = {**_EASY, **_NAM, **_COUNTING}
    elif component == "ebm":
        row = {**_EASY, **_EBM_ERRATA, **_COUNTING}
    else:
        row = {**_EASY, **_COUNTING}
        if domain == "interval":
            row["fr"] = _FR_INTERVAL_SPLINE
            established, note = _INTERVAL_SPLINE_COUNTING
            for q in ("cc", "shap-label", "banzhaf-label"):
                row[q] = (row[q][0], established, row[q][2], note)
    if task == "regression":
        row = {q: entry for q, entry in row.items() if q not in LABEL_ONLY}
        if row["msr"][1] == "PTIME":
            row["msr"] = (row["msr"][0], *_MSR_REGRESSION)
        if component != "nam" or domain == "finite":
            row["fr"] = (row["fr"][0], *_FR_REGRESSION)
    return row


#: LOCO (THEORY §6): closed forms for the means and one look-up per term and row; the mean
#: of a network on a range is as hard as SHAP of its score; optimal k-means is NP-hard.
_LOCO: _Row = {
    "loco": (None, "PTIME", "thm:loco-closed-form",
             "one exact mean per feature, then one look-up per term and row"),
    "regional": (None, "PTIME", "thm:regional-closed-form",
                 "given the regions, each region's empirical means and one pass over its rows"),
    "regional-population": (None, "PTIME", "thm:regional-population",
                            "sums of moments over the cells of a box: polynomial"),
    "regional-kmeans": (None, "NP-complete", "thm:kmeans-np-hard",
                        "optimal k-means segmentation is NP-hard (Aloise et al. 2009); "
                        "gamexplain runs seeded Lloyd, a heuristic, then exact importances"),
    "importance": (None, "PTIME", "thm:regional-population",
                   "sums of moments over the cells of the domain: polynomial"),
}  # fmt: skip


def _loco_row(domain: str, component: str) -> _Row:
    if component != "nam" or domain == "finite":
        return _LOCO
    hard = ("#P-complete", "thm:nam-shap-score-sharp-p",
            "the mean of a CNF-evaluating net counts models")  # fmt: skip
    return {**_LOCO, **{q: (None, *hard) for q in ("loco", "regional-population", "importance")}}


#: Multiclass cells (THEORY §7; proofs/multiclass.md): the paper treats binary tasks only.
_MULTICLASS: _Row = {
    "csr": (None, "PTIME", "thm:multiclass-csr",
            "one worst case per rival class: min of score_pred − score_c separates per feature"),
    "msr": (None, "NP-complete", "thm:multiclass-msr-np",
            "K − 1 knapsack constraints at once (NP-complete from K = 3); exact by implicit "
            "hitting sets over the per-rival worst case"),
    "minimal-sr": (None, "PTIME", "thm:multiclass-csr", "n checks of K − 1 worst cases"),
    "mcr": (None, "PTIME", "thm:multiclass-mcr",
            "the greedy contrastive reason per rival class, the smallest over rivals; "
            "toward a given target class NP-complete from K = 3 "
            "(thm:multiclass-mcr-target); with pair terms by enumeration of the sets by "
            "size (thm:multiclass-mcr-target-pairs)"),
    "shap-score": (None, "PTIME", "thm:multiclass-shap-score",
                   "one closed-form vector per class: n_features × K"),
    "banzhaf-score": (None, "PTIME", "thm:multiclass-shap-score",
                      "one closed-form vector per class: n_features × K"),
    "enum-sr": (None, "output-quasi-polynomial", "thm:multiclass-enum",
                "minimal feasible sets of K − 1 monotone inequalities: MARCO over the "
                "K − 1 worst cases; jointly with the contrastive reasons in incremental "
                "quasi-polynomial time"),
    "enum-cr": (None, "output-quasi-polynomial", "thm:multiclass-enum",
                "dual-bounded by the sufficient reasons (at most (K − 1)·n per reason)"),
    "cc": (None, "#P-complete", "thm:multiclass-cc",
           "contains the binary case (K = 2); a DP over vectors of the K − 1 score "
           "differences, pseudo-polynomial for fixed K; past max_states a (K − 1)-"
           "dimensional grid bracket (thm:multiclass-label-grid)"),
    "shap-label": (None, "#P-complete", "thm:multiclass-label",
                   "contains the binary case (K = 2); the vector programme with the "
                   "coalition size, pseudo-polynomial for fixed K; past max_states a grid "
                   "bracket (thm:multiclass-label-grid)"),
    "banzhaf-label": (None, "#P-complete", "thm:multiclass-label",
                      "as SHAP of the label, with equal coalition weights"),
    "responsiveness": (None, "#P-hard", "thm:multiclass-resp",
                       "contains the binary case (K = 2); a separable feature's share is the "
                       "intersection of K − 1 level sets, piece by piece"),
    "fixed": (None, "coNP-complete", "thm:multiclass-resp",
              "contains the binary case (K = 2); toward a class, a Pareto frontier of the "
              "components' K − 1 change vectors"),
    "fr": (None, "coNP-complete", "thm:multiclass-fr",
           "contains the binary case (K = 2); per pair of classes, one point where one wins "
           "and a change of the feature makes the other win: 2(K − 1) constraints at once, "
           "so the binary interval window (thm:fr-interval-continuous) does not carry over; "
           "on linear pieces exact per choice of pieces by Fourier–Motzkin with Farkas "
           "certificates (thm:multiclass-fr-lines); curved pieces get a witness search over "
           "a few values per piece, undecided when it finds none "
           "(thm:multiclass-fr-lines-search)"),
    "recourse": (None, "NP-complete", "thm:multiclass-recourse",
                 "contains the binary case (K = 2); toward a class a group knapsack whose "
                 "values are K − 1 margin vectors (Pareto frontiers per cost); negated, "
                 "K − 1 scalar knapsacks"),
}  # fmt: skip
_MULTICLASS_PAIRS: _Row = {
    "csr": (None, "coNP-complete", "thm:pairs-conp", "contains the binary case (K = 2)"),
    "msr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "minimal-sr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "mcr": (None, "NP-complete", "thm:pairs-conp", "contains the binary case (K = 2)"),
    "enum-sr": (None, "coNP-hard", "thm:pairs-conp", "contains CSR"),
    "enum-cr": (None, "NP-complete", "thm:pairs-conp", "contains MCR"),
    "cc": (None, "#P-complete", "thm:cc-sharp-p",
           "contains the binary case (K = 2); certified brackets with each rival's pair "
           "terms split into additive bounds (thm:multiclass-label-grid)"),
    "shap-label": (None, "#P-complete", "thm:shap-label-sharp-p",
                   "contains the binary case (K = 2); certified brackets with each rival's "
                   "pair terms split into additive bounds (thm:multiclass-label-grid)"),
    "banzhaf-label": (None, "#P-complete", "thm:shap-label-sharp-p",
                      "contains the binary case (K = 2); certified brackets with each "
                      "rival's pair terms split into additive bounds "
                      "(thm:multiclass-label-grid)"),
    "shap-score": (None, "PTIME", "thm:multiclass-shap-score",
                   "each class's pair terms split in closed form"),
    "banzhaf-score": (None, "PTIME", "thm:multiclass-shap-score",
                      "each class's pair terms split in closed form"),
    "responsiveness": (None, "#P-hard", "thm:multiclass-resp",
                       "contains the binary case (K = 2)"),
    "fixed": (None, "coNP-complete", "thm:multiclass-resp",
              "contains the binary case (K = 2); pair terms across components: R(x) "
              "enumerated jointly"),
    "fr": (None, "coNP-complete", "thm:multiclass-fr",
           "contains the binary case (K = 2); over steps and finite domains a float witness "
           "search re-checked exactly (thm:multiclass-fr-pairs), else a proof by boxes of "
           "the other features on which one class wins or the feature moves no winner's "
           "margin, re-checked exactly (thm:multiclass-fr-pair-boxes)"),
    "recourse": (None, "NP-complete", "thm:multiclass-recourse",
                 "contains the binary case (K = 2); pair terms across components: R(x) "
                 "enumerated jointly"),
}  # fmt: skip


def _multiclass_row(domain: str, component: str) -> _Row:
    return dict(_MULTICLASS_PAIRS if component == PAIRS else _MULTICLASS)


#: A contrastive question toward a given ``target`` class of a multiclass model is harder
#: than toward any class other than the prediction: "target beats d" for every d is K − 1
#: constraints at once (PARTITION reduces to it from K = 3), where "some rival wins" splits
#: into K − 1 greedy questions.
_MULTICLASS_TARGET: _Row = {
    "mcr": (None, "NP-complete", "thm:multiclass-mcr-target",
            "toward a target class: K − 1 constraints 'target beats d' and a budget of "
            "changed features, NP-complete from K = 3; exact by Lagrangian branch and bound"),
    "enum-cr": (None, "NP-complete", "thm:multiclass-mcr-target",
                "toward a target class: MARCO over multiple-choice systems, each "
                "NP-complete from K = 3"),
}  # fmt: skip
_MULTICLASS_PAIRS_TARGET: _Row = {
    "mcr": (None, "NP-complete", "thm:multiclass-mcr-target-pairs",
            "toward a target class with pair terms: the sets of changed features by size, "
            "each on the grid of its members' cells"),
    "enum-cr": (None, "NP-complete", "thm:multiclass-mcr-target-pairs",
                "toward a target class with pair terms: contains the target MCR"),
}  # fmt: skip

#: The variants of cells, each the questions it applies to, by task:
#: variant -> (task, queries). A question is in a variant when :func:`question_variant`
#: says so; the variant's cells sit beside the default ones (``complexity_table(variants=True)``).
VARIANTS: dict[str, tuple[str, frozenset[str]]] = {
    "target": ("multiclass", frozenset(_MULTICLASS_TARGET)),
}


def _variant_row(variant: str, component: str) -> _Row:
    return dict(_MULTICLASS_PAIRS_TARGET if component == PAIRS else _MULTICLASS_TARGET)


def question_variant(gam: Any, query: str, options: Mapping[str, Any] | None) -> str:
    """The variant of ``query`` on ``gam`` asked with ``options`` (:data:`VARIANTS`):
    ``"target"`` for a contrastive question of a multiclass model toward a given class,
    else ``""``."""
    task = gam.task.kind
    for variant, (kind, queries) in VARIANTS.items():
        if task == kind and query in queries and (options or {}).get(variant) is not None:
            return variant
    return ""


def _build() -> dict[Cell, CellEntry]:
    entries = [
        CellEntry(Cell(query, domain, component, task), *entry)
        for domain in DOMAINS
        for component in CELL_COMPONENTS
        if component != "table" or domain == "finite"
        for task in TASKS
        if task != "multiclass" or component != "nam"
        for query, entry in (
            _row(domain, component, task)
            | (_loco_row(domain, component) if task != "multiclass" else {})
        ).items()
    ]
    entries.sort(
        key=lambda e: (
            QUERIES.index(e.cell.query),
            DOMAINS.index(e.cell.domain),
            CELL_COMPONENTS.index(e.cell.component),
            TASKS.index(e.cell.task),
        )
    )
    return {e.cell: e for e in entries}


def _build_variants() -> dict[Cell, CellEntry]:
    """The variant cells, beside each default cell of their task and queries."""
    return {
        replace(cell, variant=variant): CellEntry(
            replace(cell, variant=variant), *_variant_row(variant, cell.component)[cell.query]
        )
        for variant, (task, queries) in VARIANTS.items()
        for cell in _TABLE
        if cell.task == task and cell.query in queries
    }


_TABLE: dict[Cell, CellEntry] = _build()
_VARIANT_TABLE: dict[Cell, CellEntry] = _build_variants()


def complexity_table(variants: bool = False) -> list[CellEntry]:
    """Every cell of the table, in a stable order (query, domain, component, task).

    With ``variants`` each variant cell (:data:`VARIANTS`, e.g. ``mcr … multiclass
    [target]``) follows its default cell.

    Examples
    --------
    >>> from gamexplain import complexity_table
    >>> [e for e in complexity_table() if e.erratum][0].theorem
    'thm:ebm-ptime'
    """
    if not variants:
        return list(_TABLE.values())
    return [
        entry
        for cell, default in _TABLE.items()
        for entry in (default, *(_VARIANT_TABLE.get(replace(cell, variant=v)) for v in VARIANTS))
        if entry is not None
    ]


def cell_entry(cell: Cell) -> CellEntry:
    """The entry of one cell; raises :class:`UnsupportedQueryError` for a cell not in it."""
    try:
        return _VARIANT_TABLE[cell] if cell.variant else _TABLE[cell]
    except KeyError:
        if cell.task == "multiclass":
            known = sorted({c.query for c in _TABLE if c.task == "multiclass"})
            raise UnsupportedQueryError(
                f"gamexplain has no multiclass cell for {cell.query!r} yet (the multiclass "
                f"queries: {', '.join(known)}); cell {cell}"
            ) from None
        raise UnsupportedQueryError(f"no cell {cell} in the complexity table") from None


# -- cells of models ---------------------------------------------------------------------
def feature_cell(feature: Any) -> tuple[str, str]:
    """(domain kind, component class) of one feature."""
    return feature.domain.kind, feature.component


def question_cell(gam: Any, query: str, options: Mapping[str, Any] | None = None) -> CellEntry:
    """The cell a query on ``gam`` asked with ``options`` falls in: the hardest cell of
    any of its features, in the variant the options ask (:func:`question_variant`).

    A model with pairwise terms also falls in the ``pairs`` cell of every paired
    feature's domain kind. Ties between equally hard cells go to the later domain and
    component in the table's order (interval over integers over finite; pairs over nam
    over spline over ebm over table).
    """
    if query not in QUERIES:
        raise InvalidParameterError(
            f"The query must be one of {set(QUERIES)}. Got {query!r} instead."
        )
    task, variant = gam.task.kind, question_variant(gam, query, options)
    cells = [Cell(query, *feature_cell(f), task, variant) for f in gam.features]
    paired = sorted({i for pair in gam.pairs for i in pair.features})
    cells += [Cell(query, gam.features[i].domain.kind, PAIRS, task, variant) for i in paired]
    return max(
        (cell_entry(cell) for cell in cells),
        key=lambda e: (
            CLASS_ORDER.index(e.established),
            DOMAINS.index(e.cell.domain),
            CELL_COMPONENTS.index(e.cell.component),
        ),
    )


# -- algorithms --------------------------------------------------------------------------
Applies: TypeAlias = Callable[[Any, Mapping[str, Any]], "str | None"]


@dataclass(frozen=True)
class AlgorithmSpec:
    """A registered algorithm for one query.

    Attributes
    ----------
    query, name : str
        The registry key is (query, name); ``name`` is what results report as
        ``algorithm``.
    summary : str
        One line: what it does and what it costs.
    theorem : str
        The theorem id that argues it is correct (and its cost).
    priority : int
        Lower runs first under ``method="auto"``.
    solves : callable
        ``solves(cell) -> bool``: the cells it answers.
    applies : callable
        ``applies(gam, options) -> None`` when it can run on this model, else the reason
        it cannot (e.g. "brute force needs finite domains of at most 10^6 points").
    func : callable
        The implementation, called as its query family's protocol says
        (:mod:`gamexplain.complexity.queries`).
    fallback_on : tuple of str
        Result statuses (e.g. ``"budget_exhausted"``) that are no answer: under
        ``method="auto"`` the next algorithm of the cell that applies runs after them.
    """

    query: str
    name: str
    summary: str
    theorem: str
    priority: int
    solves: Callable[[Cell], bool]
    applies: Applies
    func: Callable[..., Any]
    fallback_on: tuple[str, ...] = ()
    multiclass: bool = False


_ALGORITHMS: dict[tuple[str, str], AlgorithmSpec] = {}
_ALGORITHM_MODULES = "gamexplain.algorithms"


def _always(gam: Any, options: Mapping[str, Any]) -> str | None:
    return None


def register_algorithm(
    query: str,
    name: str,
    *,
    summary: str,
    theorem: str,
    priority: int,
    solves: Callable[[Cell], bool] = lambda cell: True,
    applies: Applies = _always,
    fallback_on: tuple[str, ...] = (),
    multiclass: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator that registers ``func`` as algorithm ``name`` for ``query``.

    The keyword arguments are the fields of :class:`AlgorithmSpec`; ``multiclass``
    algorithms answer the multiclass cells and only those.
    """
    if query not in QUERIES:
        raise ValueError(f"unknown query {query!r}")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        _ALGORITHMS[(query, name)] = AlgorithmSpec(
            query, name, summary, theorem, priority, solves, applies, func, fallback_on, multiclass
        )
        return func

    return decorate


def _load() -> None:
    importlib.import_module(_ALGORITHM_MODULES)


def registered_algorithms(query: str | None = None) -> list[AlgorithmSpec]:
    """Every registered algorithm (of one query), by priority."""
    _load()
    specs = [s for s in _ALGORITHMS.values() if query is None or s.query == query]
    return sorted(specs, key=lambda s: (s.query, s.priority, s.name))


def algorithms_for(cell: Cell) -> list[AlgorithmSpec]:
    """The algorithms that solve ``cell``, in the order ``method="auto"`` tries them."""
    multiclass = cell.task == "multiclass"
    return [
        s
        for s in registered_algorithms(cell.query)
        if s.multiclass == multiclass and s.solves(cell)
    ]


@dataclass(frozen=True)
class Selection:
    """What a question runs: its cell, the algorithms in the order they run, and the
    algorithms passed over.

    Attributes
    ----------
    entry : CellEntry
        The question's cell.
    candidates : tuple of AlgorithmSpec
        The algorithm that runs first, then each fallback: the next one runs only when
        the one before stops with a status in its ``fallback_on``. Empty when none applies.
    skipped : tuple of (str, str)
        Algorithms of the cell that do not apply to the model, with the reason, in the
        order they were considered.
    """

    entry: CellEntry
    candidates: tuple[AlgorithmSpec, ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def chosen(self) -> tuple[CellEntry, AlgorithmSpec]:
        """The cell entry and the algorithm that runs first."""
        return self.entry, self.candidates[0]


def dispatch(
    gam: Any, query: str, method: str, options: Mapping[str, Any], caller: str | None = None
) -> Selection:
    """The algorithms a question runs, in order; never runs one.

    Under ``"auto"`` the cell's algorithms are considered by priority: those that do not
    apply are skipped, the first that applies runs, and after it each next one that
    applies for as long as the last one declares a ``fallback_on``. A named method is the
    only candidate, without fallback.

    Raises
    ------
    InvalidParameterError
        ``method`` names no registered algorithm of the query (the message names
        ``caller``, else the query).
    """
    entry = question_cell(gam, query, options)
    _check_method(query, method, caller)
    candidates: list[AlgorithmSpec] = []
    skipped: list[tuple[str, str]] = []
    for spec in algorithms_for(entry.cell):
        if method not in ("auto", spec.name):
            continue
        if candidates and (method != "auto" or not candidates[-1].fallback_on):
            break
        reason = spec.applies(gam, options)
        if reason is None:
            candidates.append(spec)
        else:
            skipped.append((spec.name, reason))
    return Selection(entry, tuple(candidates), tuple(skipped))


def _check_method(query: str, method: str, caller: str | None) -> None:
    names = {s.name for s in registered_algorithms(query)}
    if method != "auto" and method not in names:
        allowed = ", ".join(repr(n) for n in ["auto", *sorted(names)])
        who = caller if caller is not None else f"query {query!r}"
        raise InvalidParameterError(
            f"The 'method' parameter of {who} must be one of {{{allowed}}}. Got {method!r} instead."
        )


def select_algorithm(gam: Any, query: str, method: str, options: Mapping[str, Any]) -> Selection:
    """The algorithms that answer ``query`` on ``gam``: :func:`dispatch`, refusing when
    none applies.

    Raises
    ------
    InvalidParameterError
        ``method`` names no registered algorithm of the query.
    UnsupportedQueryError
        The named algorithm does not solve the cell or does not apply to the model, or
        (``"auto"``) no registered algorithm does.
    """
    selection = dispatch(gam, query, method, options)
    if selection.candidates:
        return selection
    skipped, cell = selection.skipped, selection.entry.cell
    if method != "auto":
        why = skipped[0][1] if skipped else f"it does not solve the cell {cell}"
        raise UnsupportedQueryError(f"algorithm {method!r} cannot answer {query!r}: {why}")
    reasons = "; ".join(f"{n}: {r}" for n, r in skipped) or "no algorithm is registered for it"
    raise UnsupportedQueryError(f"no algorithm answers the cell {cell} here ({reasons})")
