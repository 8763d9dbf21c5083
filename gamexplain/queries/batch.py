"""Explain a whole table at once: the batch front door :func:`explain`.

Each query of a batch is answered for every row with the same semantics as its
single-row function (a batch answer equals the row-by-row answer, tie-breaking
included). On a main-effects model whose features take finitely many contribution
values (finite domains, step functions such as EBM bins) the vectorised kernels of
:mod:`gamexplain.algorithms.batch_kernels` answer all rows in numpy; rows they cannot
decide in floats (a tie, a score on the threshold) take the *exact path*, the single-row
query in exact arithmetic; rows outside the model's domain, models with pair terms or
other components, and queries without a kernel go *one by one* through the single-row
query. The result says how many rows took each path.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from gamexplain import certify
from gamexplain.algorithms.batch_curved import CurvedRows, curved_reason, curved_rows
from gamexplain.algorithms.batch_kernels import (
    BATCH_KERNELS,
    MULTICLASS_ROWS,
    ROW_QUERIES,
    KernelOutput,
    RowBatch,
    batch_levels,
    discrete_reason,
    level_matrix,
    prepare_rows,
)
from gamexplain.algorithms.batch_multiclass import (
    MULTICLASS_KERNELS,
    MULTICLASS_MSR,
    MulticlassRows,
    multiclass_rows,
    multiclass_why,
)
from gamexplain.algorithms.batch_responsiveness import action_reason
from gamexplain.certify import batch as batch_checks
from gamexplain.complexity.plan import register_batch_planner
from gamexplain.errors import (
    GamExplainError,
    InvalidInstanceError,
    InvalidParameterError,
    TimeLimitError,
)
from gamexplain.model.gam import check_gam
from gamexplain.queries.parameters import validate

__all__ = ["QUERY_NAMES", "BatchResult", "QueryAnswers", "batch_plan", "explain", "is_many"]

#: The names :func:`explain` accepts, and the registry query each one asks.
QUERY_NAMES: dict[str, str] = {
    "csr": "csr",
    "msr": "msr",
    "minimal": "minimal-sr",
    "minimal-sr": "minimal-sr",
    "mcr": "mcr",
    "shap": "shap-score",
    "shap-score": "shap-score",
    "banzhaf": "banzhaf-score",
    "banzhaf-score": "banzhaf-score",
    "responsiveness": "responsiveness",
    "fixed": "fixed",
    "shap-label": "shap-label",
    "banzhaf-label": "banzhaf-label",
    "cc": "cc",
}

#: The queries asked under an action set (``actions=``).
ACTION_QUERIES = ("responsiveness", "fixed")

VECTOR, EXACT, ONE_BY_ONE, FAILED = 0, 1, 2, 3
PATHS = ("vector", "exact", "row", "failed")


@dataclass
class QueryAnswers:
    """One query's answers for every row, in columns.

    Attributes
    ----------
    query : str
        The registry query (``"msr"``, ``"shap-score"``, …).
    mask : ndarray of bool (rows × features) or None
        The reason's features: kept (sufficient reasons), changed (contrastive reasons).
    exists : ndarray of bool or None
        Contrastive reasons: False where no change of the free features flips.
    holds : ndarray of bool or None
        ``csr``: whether the given set is sufficient.
    values : ndarray of float (rows × features) or None
        Attributions: the exact values rounded to the nearest float (label attributions
        that are not exact: the midpoints of their certified brackets).
    fraction, bounds : ndarray of float or None
        ``cc``: the completion fraction of S per row, and its certified bracket
        (rows × 2, equal ends when exact).
    exact, path : ndarray
        Per row: whether the answer is exact, and how it was found
        (0 vector, 1 exact path, 2 one by one, 3 failed; see ``PATHS``).
    status : ndarray of str
    results : dict of int to Result
        The single-row results of the rows not answered by the kernel (their own
        certificates, re-checked by ``verify``).
    kernel : str or None
        The kernel that answered the vector rows, None when every row went one by one.
    reason : str
        Why rows went one by one, when they all did.
    """

    query: str
    mask: NDArray[np.bool_] | None
    exists: NDArray[np.bool_] | None
    holds: NDArray[np.bool_] | None
    values: NDArray[np.float64] | None
    exact: NDArray[np.bool_]
    path: NDArray[np.int8]
    status: NDArray[np.object_]
    results: dict[int, Any] = field(default_factory=dict)
    kernel: str | None = None
    reason: str = ""
    fraction: NDArray[np.float64] | None = None
    bounds: NDArray[np.float64] | None = None

    def count(self, path: int) -> int:
        return int((self.path == path).sum())


@dataclass(frozen=True, eq=False)
class BatchResult:
    """The answers of several queries for many rows, with their certificates.

    Attributes
    ----------
    queries : tuple of str
        Registry query names, in the order asked.
    feature_names : tuple of str
    index : pandas Index or range
        The rows' labels (a DataFrame's index is kept).
    instances : ndarray of object (rows × features)
        The validated rows, in feature order.
    prediction : ndarray
        The class of each row (classification) or its score (regression; a float, exact
        values in ``results``), exact.
    answers : dict of str to QueryAnswers
    fixed : tuple of str
    kept : tuple of str or None
        The set ``csr`` asked about.
    classes : tuple
        A multiclass model's class labels (``prediction`` holds labels; attributions
        have one column per feature and class), empty otherwise.
    actions, target :
        The action set and target of ``responsiveness`` and ``fixed``.
    model : str
        The digest of the model explained.
    failures : dict of int to str
        Rows skipped as bad input (``errors="skip"``) or whose query failed, with why.
    seconds : float
    """

    queries: tuple[str, ...]
    feature_names: tuple[str, ...]
    index: Any
    instances: NDArray[np.object_]
    prediction: NDArray[Any]
    answers: dict[str, QueryAnswers]
    fixed: tuple[str, ...]
    kept: tuple[str, ...] | None
    model: str
    failures: dict[int, str]
    seconds: float
    classes: tuple[Any, ...] = ()
    actions: Any = None
    target: Any = None

    def __len__(self) -> int:
        return len(self.instances)

    @property
    def exact(self) -> bool:
        """Whether every answer of every row is exact."""
        return all(bool(a.exact.all()) for a in self.answers.values())

    def counts(self) -> dict[str, dict[str, int]]:
        """Per query, how many rows took each path (vector, exact, row, failed)."""
        return {q: {p: a.count(k) for k, p in enumerate(PATHS)} for q, a in self.answers.items()}

    def features(self, query: str, row: int) -> tuple[str, ...] | None:
        """The reason of one row (position) by name; None when no contrastive reason exists."""
        answer = self.answers[QUERY_NAMES.get(query, query)]
        if answer.mask is None:
            raise InvalidParameterError(f"query {query!r} has no feature set")
        if answer.exists is not None and not answer.exists[row]:
            return None
        return tuple(n for n, m in zip(self.feature_names, answer.mask[row], strict=True) if m)

    @property
    def table(self) -> Any:
        """A pandas DataFrame, one row per instance (the input's index): the prediction,
        per query its features (a tuple of names, None where no contrastive reason
        exists), size, exact flag, path and status, and per attribution query one column
        per feature."""
        return self.frame(flat=False)

    def frame(self, flat: bool = True) -> Any:
        """:attr:`table`; with ``flat`` its feature sets are ``|``-joined strings and its
        paths and statuses plain strings, the columns CSV, Parquet and JSON lines hold."""
        import pandas as pd

        data: dict[str, Any] = {"prediction": self.prediction}
        for query, a in self.answers.items():
            short = _short(query)
            if a.mask is not None:
                exists = np.ones(len(a.mask), dtype=bool) if a.exists is None else a.exists
                sets = _joined(self.feature_names, a.mask) if flat else _tuples(
                    self.feature_names, a.mask
                )  # fmt: skip
                sets[~exists] = None
                data[f"{short}_features"] = sets
                size = pd.array(a.mask.sum(axis=1), dtype="Int64")
                size[~exists] = pd.NA
                data[f"{short}_size"] = size
            if a.holds is not None:
                data[_HOLDS.get(query, f"{short}_holds")] = a.holds
            if a.fraction is not None and a.bounds is not None:
                data[f"{short}_fraction"] = a.fraction
                data[f"{short}_lower"], data[f"{short}_upper"] = a.bounds[:, 0], a.bounds[:, 1]
            if a.values is not None and a.values.ndim == 3:
                # a multiclass model: one column per feature and class label
                for f, name in enumerate(self.feature_names):
                    for c, label in enumerate(self.classes):
                        data[f"{short}[{name}][{label}]"] = a.values[:, f, c]
            elif a.values is not None:
                for f, name in enumerate(self.feature_names):
                    data[f"{short}[{name}]"] = a.values[:, f]
            data[f"{short}_exact"] = a.exact
            paths = pd.Categorical.from_codes(a.path, PATHS)
            data[f"{short}_path"] = np.asarray(paths, dtype=str) if flat else paths
            data[f"{short}_status"] = a.status.astype(str) if flat else a.status
        return pd.DataFrame(data, index=self.index)

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-check every row's answer and every shown column, vectorised, in exact
        arithmetic where floats cannot decide (:mod:`gamexplain.certify.batch`)."""
        return batch_checks.check_batch(self, gam)

    def __str__(self) -> str:
        lines = [f"{len(self)} rows, {len(self.queries)} queries in {self.seconds:.3g} s"]
        for query, counts in self.counts().items():
            a = self.answers[query]
            how = a.kernel or f"one by one ({a.reason})"
            lines.append(f"  {query}: {how}; " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if self.failures:
            lines.append(f"  failures: {dict(list(self.failures.items())[:10])}")
        return "\n".join(lines)


def _tuples(names: Sequence[str], mask: NDArray[np.bool_]) -> NDArray[np.object_]:
    out = np.empty(len(mask), dtype=object)
    out[:] = [tuple(itertools.compress(names, row)) for row in mask.tolist()]
    return out


def _joined(names: Sequence[str], mask: NDArray[np.bool_]) -> NDArray[np.object_]:
    """Per row, the names of its marked features joined by ``|``."""
    out = np.empty(len(mask), dtype=object)
    out[:] = ["|".join(itertools.compress(names, row)) for row in mask.tolist()]
    return out


_HOLDS = {"fixed": "fixed", "responsiveness": "responsiveness_fixed"}


def _short(query: str) -> str:
    return {
        "minimal-sr": "minimal",
        "shap-score": "shap",
        "banzhaf-score": "banzhaf",
        "shap-label": "shap_label",
        "banzhaf-label": "banzhaf_label",
    }.get(query, query)


# -- input -------------------------------------------------------------------------------------
def is_many(x: Any) -> bool:
    """Whether ``x`` holds several rows (a 2-D array of more than one row, a DataFrame
    of other than one row, a Dask DataFrame): what the single-row queries hand to
    :func:`explain`."""
    module = type(x).__module__
    if module.startswith("dask"):
        return True
    if module.startswith("pandas"):
        return getattr(x, "ndim", 1) == 2 and len(x) != 1
    if isinstance(x, Mapping):
        return False
    if isinstance(x, list | tuple) and x and all(isinstance(r, Mapping) for r in x):
        return len(x) != 1  # records, one mapping per row
    try:
        shape = np.shape(x)
    except ValueError:
        return False
    return len(shape) == 2 and shape[0] != 1


def _rows(gam: Any, X: Any) -> tuple[NDArray[Any], Any]:
    """The rows in feature order and their labels (a numeric array stays numeric)."""
    if type(X).__module__.startswith("pandas") and getattr(X, "ndim", 1) == 2:
        return gam._rows(X), X.index
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "fiu":
        if X.shape[1] != gam.n_features:
            raise InvalidInstanceError(
                f"expected rows of {gam.n_features} values (one per feature), "
                f"got an array of shape {X.shape}"
            )
        return X, range(len(X))
    rows = gam._rows(X)
    return rows, range(len(rows))


def _frame(
    gam: Any, X: Any
) -> tuple[NDArray[Any], Any, list[NDArray[Any]], NDArray[np.bool_]] | None:
    """A DataFrame of numbers for numeric features, validated in numpy. None sends it
    through the row-wise path (labels, categories, bad values: that path names what is
    wrong)."""
    import pandas as pd

    if not (isinstance(X, pd.DataFrame) and set(X.columns) == set(gam.feature_names)):
        return None
    if not X.columns.is_unique:
        return None
    columns: list[NDArray[Any]] = []
    for feature in gam.features:
        series = X[feature.name]
        if feature.domain.kind == "finite" or not _plain_numbers(series):
            return None
        column = series.to_numpy(dtype=float)
        if not np.isfinite(column).all():
            return None
        if feature.domain.kind == "integers" and not (np.floor(column) == column).all():
            return None
        columns.append(column)
    return np.column_stack(columns), X.index, columns, np.zeros(len(X), dtype=bool)


def _plain_numbers(series: Any) -> bool:
    """A float column, or an integer one whose values floats hold exactly."""
    import pandas as pd

    if pd.api.types.is_float_dtype(series.dtype):
        return True
    if pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        return bool(len(series) == 0 or series.abs().max() <= 2**53)
    return False


def _numeric_columns(gam: Any, rows: NDArray[Any]) -> list[NDArray[Any]] | None:
    """The columns of a float (or small-integer) array whose every value is valid, checked
    in numpy; None sends the rows through the model's own per-value validation."""
    if rows.dtype.kind not in "fiu" or (rows.dtype.kind != "f" and np.abs(rows).max() > 2**53):
        return None
    columns: list[NDArray[Any]] = []
    for f, feature in enumerate(gam.features):
        column = rows[:, f].astype(float)
        if not np.isfinite(column).all():
            return None
        domain = feature.domain
        if domain.kind == "finite":
            values = np.array(domain.values, dtype=object)
            if not domain.is_numeric or not np.isin(column, values.astype(float)).all():
                return None
            # the labels themselves, so finite features are looked up by value
            lookup = {float(v): v for v in domain.values}
            columns.append(np.array([lookup[v] for v in column.tolist()], dtype=object))
            continue
        if domain.kind == "integers" and not (np.floor(column) == column).all():
            return None
        columns.append(column)
    return columns


def _validated(
    gam: Any, rows: NDArray[Any], errors: str
) -> tuple[list[NDArray[Any]] | None, NDArray[np.bool_], dict[int, str]]:
    """(columns, which rows need exact values, bad rows) — the columns of the good rows."""
    fast = _numeric_columns(gam, rows)
    if fast is not None:
        return fast, np.zeros(len(rows), dtype=bool), {}
    try:
        columns, inexact = gam._columns(np.asarray(rows, dtype=object))
        return columns, inexact, {}
    except InvalidInstanceError:
        if errors == "raise":
            raise
    bad: dict[int, str] = {}
    for r, row in enumerate(rows):
        try:
            gam.instance(list(row))
        except InvalidInstanceError as error:
            bad[r] = str(error)
    good = np.array([r not in bad for r in range(len(rows))], dtype=bool)
    if not good.any():
        return None, np.zeros(0, dtype=bool), bad
    columns, inexact = gam._columns(np.asarray(rows[good], dtype=object))
    return columns, inexact, bad


# -- the front door --------------------------------------------------------------------------
def explain(
    gam: Any,
    X: Any,
    queries: Sequence[str] | str = ("msr", "mcr", "shap"),
    *,
    fixed: Iterable[int | str] = (),
    S: Iterable[int | str] | None = None,
    errors: Literal["raise", "skip"] = "raise",
    time_limit: float | None = None,
    client: Any = None,
    scheduler: str | None = None,
    actions: Any = None,
    target: Any = None,
) -> Any:
    """Answer several queries for every row of a table.

    Parameters
    ----------
    gam : GAM
    X : 2-D array-like, pandas DataFrame or Dask DataFrame
        Arrays give the features by position; DataFrames by column name (categorical
        columns give a finite feature's labels), and their index labels the results.
    queries : sequence of str
        Among ``"csr"``, ``"msr"``, ``"minimal"``, ``"mcr"``, ``"shap"``, ``"banzhaf"``,
        ``"responsiveness"`` and ``"fixed"`` (under ``actions``; both by vectorised
        kernels on step-function models under an action set without constraints, else
        row by row).
    fixed : iterable of str or int
        Features that may not change (reasons).
    S : iterable of str or int, optional
        The set ``"csr"`` asks about.
    errors : {"raise", "skip"}
        A bad row raises :class:`~gamexplain.errors.InvalidInstanceError`, or is skipped
        and reported in ``failures`` (its answers marked ``failed``).
    time_limit : float, optional
        Seconds for each row answered by the single-row query. A row whose query runs
        out of time with :class:`~gamexplain.errors.TimeLimitError` (the multiclass
        reason queries do) is marked ``failed`` whatever ``errors`` says; the other rows
        go on.
    client, scheduler : optional
        Run on Dask: a ``distributed.Client`` or a scheduler address; implied by a Dask
        DataFrame ``X`` (see :mod:`gamexplain.queries.distributed`).
    actions : ActionSet, mapping, path or None
        The action set of ``responsiveness`` and ``fixed``, as in
        :func:`~gamexplain.responsiveness_scores` (None: every feature actionable).
    target : optional
        Their target, as in :func:`~gamexplain.responsiveness_scores`.

    Returns
    -------
    BatchResult
        Its ``table`` is a pandas DataFrame with one row per instance; ``verify(gam)``
        re-checks every row. With Dask, a lazy Dask DataFrame of those tables.

    Notes
    -----
    The vectorised kernels cost O(n·p log p) for n rows of p features after O(L log L)
    exact work on the L levels of the model (thm:msr-greedy, thm:mcr-greedy,
    thm:minimal-deletion, thm:csr-worst-case, thm:shap-score-closed-form). Rows on the
    exact path or one by one cost what their single-row query costs. A multiclass model
    (:class:`~gamexplain.MulticlassGAM`: its prediction column holds class labels, its
    attributions one column per feature and class) runs the binary kernels once per
    rival class, O(K·n·p log p) (thm:multiclass-csr, thm:multiclass-mcr,
    thm:multiclass-shap-score), its minimum sufficient reasons row by row
    (thm:multiclass-msr-np). Responsiveness of step-function models under an action set
    without constraints costs O(n·L) for the L pieces of all features (thm:resp-separable),
    plus one Fraction sum per distinct (range, meeting pieces) whose lengths floats do not
    hold exactly. :func:`batch_plan` says which runs for each query.

    Examples
    --------
    >>> import gamexplain as gx
    >>> gam = gx.load("breast_cancer_ebm")
    >>> X = [[gam.features[i].domain.low for i in range(30)]] * 3
    >>> result = gx.explain(gam, X, queries=("msr", "mcr"))
    >>> result.counts()["msr"]["vector"]
    3
    >>> result.verify(gam)
    True
    """
    multiclass = _check_model(gam, "explain")
    names = _queries(queries)
    actions, target = _action_options(gam, names, actions, target)
    if errors not in ("raise", "skip"):
        raise InvalidParameterError(
            f"The 'errors' parameter of explain must be one of {{'raise', 'skip'}}. "
            f"Got {errors!r} instead."
        )
    if client is not None or scheduler is not None or type(X).__module__.startswith("dask"):
        from gamexplain.queries.distributed import explain_dask

        # the action set, validated above, travels to the workers with the model
        extra = {} if actions is None else {"actions": actions, "target": target}
        return explain_dask(gam, X, names, client=client, scheduler=scheduler, fixed=fixed,
                            S=S, errors=errors, time_limit=time_limit, **extra)  # fmt: skip
    start = time.perf_counter()
    fixed_set = _positions(gam, fixed, "fixed")
    kept = None if S is None else _positions(gam, S, "S")
    for needs in ("csr", "cc"):
        if needs in names and kept is None:
            raise InvalidParameterError(f"The query {needs!r} of explain needs the set S.")
    fast = _frame(gam.scores[0] if multiclass else gam, X)
    columns: list[NDArray[Any]] | None
    bad: dict[int, str] = {}
    if fast is not None:
        rows, index, columns, inexact = fast
    else:
        rows, index = _rows(gam.scores[0] if multiclass else gam, X)
        if multiclass and multiclass_why(gam) is not None:
            # every row goes through the single-row multiclass query, which validates it
            columns, inexact = None, np.zeros(len(rows), dtype=bool)
        else:
            # a multiclass model's score models share their domains: the first validates
            columns, inexact, bad = _validated(gam.scores[0] if multiclass else gam, rows, errors)
    good = np.ones(len(rows), dtype=bool)
    good[list(bad)] = False
    batch = _Batch(gam, rows, good, columns, inexact, fixed_set, kept, time_limit, errors)
    batch.actions, batch.target = actions, target
    answers = {q: batch.answer(q) for q in names}
    failures = dict(bad)
    for a in answers.values():
        for r in np.flatnonzero(a.path == FAILED):
            failures.setdefault(int(r), str(a.status[r]))
    return BatchResult(
        queries=names,
        feature_names=gam.feature_names,
        index=index,
        instances=rows,
        prediction=batch.prediction(answers),
        answers=answers,
        fixed=tuple(gam.feature_names[i] for i in sorted(fixed_set)),
        kept=None if kept is None else tuple(gam.feature_names[i] for i in sorted(kept)),
        model=batch_checks.digest(gam),
        failures=failures,
        seconds=time.perf_counter() - start,
        classes=tuple(gam.classes) if multiclass else (),
        actions=actions,
        target=target,
    )


def _check_model(gam: Any, caller: str) -> bool:
    """Whether ``gam`` is a multiclass model; a parameter error unless it is a GAM or one."""
    from gamexplain.model.multiclass import MulticlassGAM

    if isinstance(gam, MulticlassGAM):
        return True
    check_gam(gam, caller)
    return False


def _action_options(
    gam: Any, names: tuple[str, ...], actions: Any, target: Any
) -> tuple[Any, Any]:
    """The action set (validated once for every row) and target, None without an action
    query; a parameter error for a bad action set or one no query reads."""
    if not any(q in ACTION_QUERIES for q in names):
        if actions is not None or target is not None:
            raise InvalidParameterError(
                "The 'actions' and 'target' parameters of explain are read only by the "
                f"queries {ACTION_QUERIES}; got queries {names}"
            )
        return None, None
    try:
        options = validate("responsiveness_scores", gam, actions=actions, target=target)
    except InvalidParameterError as error:
        raise InvalidParameterError(f"explain: {error}") from None
    return options["actions"], options["target"]


def _queries(queries: Sequence[str] | str) -> tuple[str, ...]:
    items = [queries] if isinstance(queries, str) else list(queries)
    unknown = [q for q in items if q not in QUERY_NAMES]
    if unknown or not items:
        raise InvalidParameterError(
            f"The 'queries' parameter of explain must name some of {sorted(QUERY_NAMES)}. "
            f"Got {queries!r} instead."
        )
    return tuple(dict.fromkeys(QUERY_NAMES[q] for q in items))


def _positions(gam: Any, features: Iterable[int | str], what: str) -> frozenset[int]:
    if isinstance(features, str | int):
        features = [features]
    try:
        return frozenset(gam.index(f) for f in features)
    except InvalidInstanceError as error:
        raise InvalidParameterError(f"The {what!r} parameter of explain: {error}") from None


def batch_plan(gam: Any, queries: Sequence[str] | str = ("msr", "mcr", "shap")) -> dict[str, str]:
    """Per query, what :func:`explain` runs on ``gam``: the kernel and the single-row
    algorithm that redoes the rows the kernel leaves, or why rows go one by one through
    the single-row query (an ``explain_plan`` for batches; ``explain_plan(gam, query,
    batch=True)`` prints the same line).

    Examples
    --------
    >>> import gamexplain as gx
    >>> gx.batch_plan(gx.load("breast_cancer_ebm"), "msr")["msr"].split(":")[0]
    'batch-greedy'
    """
    _check_model(gam, "batch_plan")
    return {query: _plan_one(gam, query) for query in _queries(queries)}


def _plan_one(gam: Any, query: str) -> str:
    multiclass = gam.task.kind == "multiclass"
    if multiclass and query not in ROW_QUERIES:
        mkernel = MULTICLASS_KERNELS.get(query)
        why = multiclass_why(gam)
        if mkernel is not None and why is None:
            return f"{mkernel.name}: {mkernel.summary} ({mkernel.theorem}){_redo(gam, query)}"
        return f"row by row through the single-row query: {why or MULTICLASS_MSR}"
    if multiclass or query in ROW_QUERIES:
        rows_why = MULTICLASS_ROWS if multiclass else ROW_QUERIES[query]
        return f"row by row through the single-row query: {rows_why}"
    kernel = BATCH_KERNELS.get(query)
    why = "no batch kernel is registered" if kernel is None else kernel.applies(gam)
    if kernel is not None and why is None:
        curved = "" if discrete_reason(gam) is None else _CURVED
        if curved and query in ("shap-score", "banzhaf-score"):
            curved = _CURVED_VALUES
        return f"{kernel.name}: {kernel.summary}{curved} ({kernel.theorem}){_redo(gam, query)}"
    return f"one by one through the single-row query: {why}"


_CURVED = (
    "; on curved features the pushes are floats within rigorous per-entry bounds (each "
    "extremum enclosed once per model), ranked by their float order where the chosen "
    "prefix is separated from the rest by more than those bounds"
)


_CURVED_VALUES = (
    "; on curved features each value is computed in double-double arithmetic with a "
    "rigorous error bound and kept where the bound shows it is the nearest float (a "
    "value near a rounding midpoint sends its row to the exact path)"
)


def _redo(gam: Any, query: str) -> str:
    """Which single-row algorithm redoes the rows a kernel leaves (ties, the threshold,
    values outside the domain)."""
    from gamexplain.complexity.plan import explain_plan

    try:
        algorithm = explain_plan(gam, query).algorithm
    except GamExplainError:
        return ""
    return (
        f"; rows within the float error bound of a tie or the threshold, or outside the "
        f"domain, are redone exactly by the single-row query ({algorithm})"
    )


def _registry_plan(gam: Any, query: str) -> str:
    """``explain_plan(..., batch=True)``: the batch line of a registry query."""
    if query not in QUERY_NAMES.values():
        return f"explain takes no query {query!r}; ask it row by row"
    return _plan_one(gam, query)


register_batch_planner(_registry_plan)


class _Batch:
    """The rows of one call, their kernel view (when the model has one) and the
    single-row fallbacks."""

    def __init__(self, gam: Any, rows: NDArray[np.object_], good: NDArray[np.bool_],
                 columns: list[NDArray[Any]] | None, inexact: NDArray[np.bool_],
                 fixed: frozenset[int], kept: frozenset[int] | None,
                 time_limit: float | None, errors: str) -> None:  # fmt: skip
        self.gam, self.rows, self.good = gam, rows, good
        self.fixed, self.kept, self.time_limit, self.errors = fixed, kept, time_limit, errors
        self.where = np.flatnonzero(good)
        self.columns = columns
        self.view: RowBatch | CurvedRows | None = None
        self.actions: Any = None
        self.target: Any = None
        self.classes = int(getattr(gam, "n_classes", 0)) if gam.task.kind == "multiclass" else 0
        self.multi: MulticlassRows | None = None
        self.why = multiclass_why(gam) if self.classes else discrete_reason(gam)
        self.alone = np.ones(len(self.where), dtype=bool)
        if self.classes and self.why is None and columns is not None and len(self.where):
            self.multi = multiclass_rows(gam, columns, fixed)
            self.alone = self.multi.outside | inexact
            if self.alone.any():
                self.why = "outside the model's domain or not a float"
        elif self.why is None and columns is not None and len(self.where):
            levels = batch_levels(gam)
            level, outside = level_matrix(levels, columns)
            self.view = prepare_rows(levels, level, fixed)
            self.alone = outside | inexact
            if self.alone.any():
                self.why = "outside the model's domain or not a float"
        elif columns is not None and len(self.where) and curved_reason(gam) is None:
            # curved features: the reason kernels read floats with rigorous bounds
            self.view, outside = curved_rows(gam, columns, fixed)
            self.alone = outside | inexact
        self.exact_predictions: dict[int, Any] = {}
        self.memo: dict[tuple[str, tuple[Any, ...]], Any] = {}

    def answer(self, query: str) -> QueryAnswers:
        n, p = len(self.rows), self.gam.n_features
        a = _empty(query, n, p, self.classes)
        a.path[~self.good] = FAILED
        a.status[~self.good] = "invalid row"
        a.exact[~self.good] = False
        if self.classes:
            self._multiclass(query, a)
            return a
        kernel = None if query in ROW_QUERIES else BATCH_KERNELS.get(query)
        if query in ROW_QUERIES:
            reason: str | None = ROW_QUERIES[query]
        else:
            reason = "no batch kernel" if kernel is None else kernel.applies(self.gam)
        if reason is None and query in ACTION_QUERIES:
            reason = action_reason(self.gam, self.actions)
        redo = np.ones(len(self.where), dtype=bool)
        if kernel is not None and reason is None and self.view is not None:
            options = (
                {}
                if query not in ACTION_QUERIES
                else {"columns": self.columns, "actions": self.actions, "target": self.target}
            )
            out = kernel.func(self.view, kept=self.kept, **options)
            _fill(a, out, self.where)
            a.kernel = kernel.name
            redo = out.unknown | self.alone
            a.path[self.where[out.unknown & ~self.alone]] = EXACT
        else:
            a.reason = reason or self.why or "no rows"
        for k in np.flatnonzero(redo):
            r = int(self.where[k])
            if a.path[r] != EXACT:
                a.path[r] = ONE_BY_ONE
            self._single(query, a, r)
        return a

    def _multiclass(self, query: str, a: QueryAnswers) -> None:
        """A multiclass model's answers: its kernel where one applies, else row by row."""
        kernel = MULTICLASS_KERNELS.get(query) if query not in ROW_QUERIES else None
        redo = np.ones(len(self.where), dtype=bool)
        if kernel is not None and self.multi is not None:
            out = kernel.func(self.multi, len(self.where), self.gam.n_features, kept=self.kept)
            _fill(a, out, self.where)
            a.kernel = kernel.name
            redo = out.unknown | self.alone
            a.path[self.where[out.unknown & ~self.alone]] = EXACT
        else:
            a.reason = (MULTICLASS_MSR if query == "msr" else "no batch kernel") if (
                kernel is None) else (self.why or "no rows")  # fmt: skip
        for k in np.flatnonzero(redo):
            r = int(self.where[k])
            if a.path[r] != EXACT:
                a.path[r] = ONE_BY_ONE
            self._single(query, a, r)

    def _single(self, query: str, a: QueryAnswers, r: int) -> None:
        x = tuple(v.item() if isinstance(v, np.generic) else v for v in self.rows[r])
        # a row equal to an earlier one (value and type) shares its answer: a table of
        # discrete features repeats rows, and the single-row queries are the slow path
        key = (query, tuple((type(v), v) for v in x))
        try:
            result = self.memo.get(key)
            if result is None:
                result = self.memo[key] = _SINGLE[query](self.gam, x, self)
        except GamExplainError as error:
            # a row that ran out of time is not a bad row: it fails alone, the rest go on
            if self.errors == "raise" and not isinstance(error, TimeLimitError):
                raise
            a.path[r], a.status[r], a.exact[r] = FAILED, f"failed: {error}", False
            return
        a.results[r] = result
        a.exact[r], a.status[r] = bool(result.exact), str(result.status)
        names = self.gam.feature_names
        if a.mask is not None:
            shown = result.features or ()
            a.mask[r] = [n in shown for n in names]
            if a.exists is not None:
                a.exists[r] = result.features is not None
        if a.holds is not None:
            # a responsiveness result's fixed is None when undecided (then not exact)
            a.holds[r] = bool(getattr(result, "holds", getattr(result, "fixed", False)))
        if a.values is not None:
            shown = result.scores if query == "responsiveness" else result.values
            a.values[r] = np.asarray(shown, dtype=float)
        if a.fraction is not None and a.bounds is not None:
            a.fraction[r] = result.fraction
            a.bounds[r] = (result.lower, result.upper)
        self.exact_predictions[r] = getattr(result, "prediction", None)

    def prediction(self, answers: Mapping[str, QueryAnswers] | None = None) -> NDArray[Any]:
        """Each row's class, or score: a regression row no kernel answered shows the
        float nearest its exact score, as its single-row results do (verify checks it
        so); a kernel row its float sum."""
        from gamexplain.model.task import Classification

        n = len(self.rows)
        if self.classes:
            labels = np.empty(n, dtype=object)
            redo = np.flatnonzero(self.good)
            if self.multi is not None:
                known = ~(self.alone | self.multi.unsure)
                winners = self.multi.winner[known].tolist()
                labels[self.where[known]] = [self.gam.classes[k] for k in winners]
                redo = self.where[~known]
            for r in redo:
                try:
                    labels[r] = self.gam.predict_exact(self.gam.instance(list(self.rows[r])))
                except InvalidInstanceError:
                    labels[r] = None  # a bad row skipped (errors="skip"), in ``failures``
            return labels
        classification = isinstance(self.gam.task, Classification)
        out = np.full(
            n, -1 if classification else np.nan, dtype=np.int64 if classification else float
        )
        redo = np.flatnonzero(self.good)
        if self.view is not None:
            fast = self.view.prediction if classification else self.view.score
            assert fast is not None
            out[self.where] = fast
            unsure = self.alone | self.view.unsure
            if not classification and answers:
                vector = np.zeros(len(self.rows), dtype=bool)
                for a in answers.values():
                    vector |= a.path == VECTOR
                unsure |= ~vector[self.where]
            redo = self.where[unsure]
        for r in redo:
            x = tuple(v.item() if isinstance(v, np.generic) else v for v in self.rows[r])
            exact = self.gam.predict_exact(x)
            out[r] = exact if classification else float(exact)
        return out


def _empty(query: str, n: int, p: int, classes: int = 0) -> QueryAnswers:
    sets = query in ("msr", "minimal-sr", "mcr")
    # attributions of a multiclass model: rows × features × classes
    shape = (n, p, classes) if classes and query.endswith("-score") else (n, p)
    return QueryAnswers(
        query=query,
        mask=np.zeros((n, p), dtype=bool) if sets else None,
        exists=np.ones(n, dtype=bool) if query == "mcr" else None,
        holds=np.zeros(n, dtype=bool) if query in ("csr", *ACTION_QUERIES) else None,
        values=np.full(shape, np.nan)
        if query.endswith(("-score", "-label")) or query == "responsiveness"
        else None,
        exact=np.ones(n, dtype=bool),
        path=np.zeros(n, dtype=np.int8),
        status=np.full(n, "solved", dtype=object),
        fraction=np.full(n, np.nan) if query == "cc" else None,
        bounds=np.full((n, 2), np.nan) if query == "cc" else None,
    )


def _fill(a: QueryAnswers, out: KernelOutput, where: NDArray[np.intp]) -> None:
    for name in ("mask", "exists", "holds", "values"):
        column, found = getattr(a, name), getattr(out, name)
        if column is not None and found is not None:
            column[where] = found


def _run_single(func: Callable[..., Any], **extra: Any) -> Callable[[Any, Any, _Batch], Any]:
    def call(gam: Any, x: Any, batch: _Batch) -> Any:
        options = {"fixed": tuple(batch.fixed), "time_limit": batch.time_limit, **extra}
        if func.__name__ == "is_sufficient_reason":
            return func(gam, x, tuple(batch.kept or ()), **options)
        if func.__name__ in ("shap_values", "banzhaf_values"):
            return func(gam, x, time_limit=batch.time_limit)
        return func(gam, x, **options)

    return call


def _under_actions(func: Callable[..., Any]) -> Callable[[Any, Any, _Batch], Any]:
    def call(gam: Any, x: Any, batch: _Batch) -> Any:
        return func(gam, x, batch.actions, target=batch.target, time_limit=batch.time_limit)

    return call


def _label(func: Callable[..., Any]) -> Callable[[Any, Any, _Batch], Any]:
    def call(gam: Any, x: Any, batch: _Batch) -> Any:
        return func(gam, x, output="label", time_limit=batch.time_limit)

    return call


def _completion(gam: Any, x: Any, batch: _Batch) -> Any:
    from gamexplain.queries.completion import completion_fraction

    return completion_fraction(gam, x, tuple(batch.kept or ()), time_limit=batch.time_limit)


def _single_table() -> dict[str, Callable[[Any, Any, _Batch], Any]]:
    from gamexplain.queries import reasons, responsiveness, shap

    return {
        "shap-label": _label(shap.shap_values),
        "banzhaf-label": _label(shap.banzhaf_values),
        "cc": _completion,
        "responsiveness": _under_actions(responsiveness.responsiveness_scores),
        "fixed": _under_actions(responsiveness.is_fixed),
        "csr": _run_single(reasons.is_sufficient_reason),
        "msr": _run_single(reasons.minimum_sufficient_reason),
        "minimal-sr": _run_single(reasons.minimal_sufficient_reason),
        "mcr": _run_single(reasons.minimum_contrastive_reason),
        "shap-score": _run_single(shap.shap_values),
        "banzhaf-score": _run_single(shap.banzhaf_values),
    }


class _Lazy(dict[str, Callable[[Any, Any, _Batch], Any]]):
    """The single-row functions, imported on first use (the query modules hand many rows
    to this module, so it must not import them at load time)."""

    def __missing__(self, key: str) -> Callable[[Any, Any, _Batch], Any]:
        self.update(_single_table())
        return dict.__getitem__(self, key)


_SINGLE = _Lazy()


def many_rows(gam: Any, X: Any, query: str, caller: str, **options: Any) -> Any:
    """What a single-row query returns for many rows: :func:`explain` of that query.

    Raises
    ------
    InvalidParameterError
        An option the batch cannot honour (a named ``method``, a nearest witness).
    """
    options = validate(caller, gam, **options)
    method = options.pop("method", "auto")
    witness = options.pop("witness", "extreme")
    if "S" in options:
        options["S"] = tuple(options["S"])
    options["fixed"] = tuple(options["fixed"])
    if method != "auto" or witness != "extreme":
        raise InvalidParameterError(
            f"{caller} of many rows runs method='auto' with extreme witnesses; "
            f"got method={method!r}, witness={witness!r} (ask row by row instead)"
        )
    return explain(gam, X, queries=(query,), **options)


def many_counting(gam: Any, X: Any, query: str, caller: str, *, distribution: Any,
                  method: str, max_states: int, time_limit: float | None,
                  S: Any = None) -> Any:  # fmt: skip
    """What a label attribution or completion fraction of many rows returns: :func:`explain`
    of that query (every row by its single-row query, the model's stored marginals).

    Raises
    ------
    InvalidParameterError
        A distribution, method or state budget the batch does not pass on.
    """
    from gamexplain.algorithms.partial_sums import DEFAULT_MAX_STATES

    if (
        not (isinstance(distribution, str) and distribution == "model")
        or method != "auto"
        or (max_states != DEFAULT_MAX_STATES)
    ):
        raise InvalidParameterError(
            f"{caller} of many rows runs distribution='model', method='auto' and the "
            f"default max_states; got distribution={distribution!r}, method={method!r}, "
            f"max_states={max_states!r} (ask row by row instead)"
        )
    options: dict[str, Any] = {"time_limit": time_limit}
    if S is not None:
        options["S"] = tuple([S] if isinstance(S, str | int) else S)
    return explain(gam, X, queries=(query,), **options)
