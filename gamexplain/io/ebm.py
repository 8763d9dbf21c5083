"""Load Explainable Boosting Machines (InterpretML) as exact GAMs.

An EBM already is a GAM: each main effect is a table over bins (a step function over
cut points for a continuous feature, one score per category otherwise) and each pair
term a 2-D table over coarser bins. Loading is a change of representation, bin for bin,
with no approximation: the loaded model's score equals ``ebm.decision_function`` on
every point of the domain.

The adapter reads a fitted estimator by duck typing on its attributes, so importing
gamexplain never imports interpret; :func:`from_ebm_json` reads interpret's own JSON
export as data (no pickle, no code runs).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from gamexplain.errors import (
    GamExplainError,
    InvalidModelError,
    InvalidParameterError,
    UnsupportedModelError,
)
from gamexplain.io import kit
from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Piecewise, Table
from gamexplain.model.spans import piece_measures
from gamexplain.model.task import Classification, Multiclass, Regression, Task

__all__ = ["from_ebm", "from_ebm_json"]

Bins: TypeAlias = "NDArray[np.float64] | dict[str, int]"
"""One binning level of a feature: cut points (continuous) or category → bin index."""

_FITTED = ("bins_", "term_features_", "term_scores_", "intercept_", "feature_types_in_")
_NAN_STRINGS = {"nan": math.nan, "+inf": math.inf, "-inf": -math.inf}


@dataclass(frozen=True)
class _Ebm:
    """The parts of an EBM gamexplain needs, whichever source they were read from.

    Bin 0 of every term axis is EBM's missing bin and the last one its unseen bin;
    ``levels[i][k]`` is the binning of feature i used by terms of k + 1 features.
    """

    names: tuple[str, ...]
    levels: tuple[tuple[Bins, ...], ...]
    bounds: tuple[Interval | None, ...]
    terms: tuple[tuple[int, ...], ...]
    scores: tuple[NDArray[np.float64], ...]
    weights: tuple[NDArray[np.float64] | None, ...]
    intercept: float
    task: Task
    classes: tuple[Any, ...] | None = None
    intercepts: tuple[float, ...] = ()


def from_ebm(
    ebm: Any,
    *,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
    feature_names: Sequence[str] | None = None,
) -> GAM | MulticlassGAM:
    """Convert a fitted InterpretML EBM to an exact :class:`~gamexplain.GAM`.

    Parameters
    ----------
    ebm : ExplainableBoostingClassifier or ExplainableBoostingRegressor
        A fitted classifier (binary or multiclass) or regressor (also the differentially private
        variants, and EBMs edited by ``monotonize``, ``remove_terms``, ``scale`` …). Read
        by its fitted attributes only, so interpret need not be importable here.
    names : sequence of str or DataFrame, optional
        New names for the features, in EBM's feature order (a DataFrame gives its
        column names). Default: ``ebm.feature_names_in_``.
    domains : mapping of str or int to Domain, optional
        Domains that replace the defaults, keyed by feature name (after renaming) or
        position. A continuous feature takes an ``Interval``, ``Integers`` or numeric
        ``Finite`` domain; a nominal or ordinal one a ``Finite`` subset of its categories.
    tolerance : float, default 0.0
        **Set it for a regressor.** Sufficient and contrastive reasons of a regression
        keep the score within ``tolerance`` of f(x); at the default 0 they must pin the
        score exactly, so on a fitted regressor the sufficient reason is nearly always
        every feature. Give the change in output that does not matter (say a tenth of
        the target's standard deviation). A classifier takes none.
    feature_names : sequence of str, optional
        Deprecated spelling of ``names``.

    Returns
    -------
    GAM or MulticlassGAM
        A multiclass EBM gives a :class:`~gamexplain.model.multiclass.MulticlassGAM`:
        one score model per class (the last axis of interpret's ``term_scores_``), labels
        from ``classes_``; everything below holds for each class. Continuous features
        become degree-0 ``Piecewise`` shapes on
        ``Interval(*ebm.feature_bounds_[i])``, with EBM's cut points as breakpoints (a
        value equal to a cut goes to the bin on its right, as in EBM). The first and last
        bins extend beyond those bounds, as in EBM: a row outside the training range is
        scored, and explained in :meth:`~gamexplain.GAM.covering` (the marginal, EBM's
        bin weights, unchanged). Nominal and ordinal
        features become ``Table`` shapes on ``Finite(categories)``, categories in bin
        order. EBM's missing and unseen bins lie outside every domain. Pair terms become
        :class:`~gamexplain.PairTerm` objects over the pair's own, coarser bins. Each
        feature's distribution is its main effect's ``bin_weights_``, renormalised over
        the domain. Classification keeps EBM's tie rule: class 1 only when the score is
        > 0 (``Classification(0.0, positive=">")``); regression is
        ``Regression(tolerance)``.

    Raises
    ------
    UnsupportedModelError
        Regression links other than identity, terms of three or more
        features, and continuous features without recorded bounds (give ``domains``).
    InvalidModelError
        The object is not a fitted EBM, or its arrays are inconsistent.
    InvalidParameterError
        A bad ``names`` or ``domains`` argument; a negative or NaN ``tolerance``, or
        a non-zero one for a classifier; both ``names`` and ``feature_names``.

    Notes
    -----
    Runs in time linear in the total number of bins of all terms. The conversion is
    exact; no complexity-table theorem is involved.

    Examples
    --------
    >>> from interpret.glassbox import ExplainableBoostingRegressor
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ebm = ExplainableBoostingRegressor(
    ...     outer_bags=1, max_rounds=20, interactions=0, random_state=0
    ... ).fit(X[:, :3], y)
    >>> gam = from_ebm(ebm)
    >>> bool(abs(gam.decision_function(X[:5, :3]) - ebm.predict(X[:5, :3])).max() < 1e-12)
    True
    >>> from_ebm(ebm, tolerance=5.0).task
    Regression(tolerance=5.0)
    """
    chosen = _names(names, feature_names, "from_ebm")
    return _build(_read_estimator(ebm), chosen, domains, tolerance, "from_ebm")


def from_ebm_json(
    source: str | os.PathLike[str],
    *,
    names: Sequence[str] | None = None,
    domains: Mapping[str | int, Domain] | None = None,
    tolerance: float = 0.0,
    feature_names: Sequence[str] | None = None,
) -> GAM | MulticlassGAM:
    """Load an EBM from the JSON file interpret writes with ``ebm.to_json``.

    Parameters
    ----------
    source : str or path-like
        The path of the file, or its text (a string that starts with ``{`` or ``[``). It is read
        as data: nothing in it is executed.
    names, domains, tolerance, feature_names
        As in :func:`from_ebm`; set ``tolerance`` for a regressor.

    Returns
    -------
    GAM
        The same model :func:`from_ebm` gives for the exported estimator. Exports with
        ``detail="minimal"`` carry neither feature bounds nor bin weights: continuous
        features then need ``domains``, and distributions stay uniform.

    Raises
    ------
    InvalidModelError
        Invalid JSON, or a document that is not an interpret EBM export.
    UnsupportedModelError, InvalidParameterError
        As in :func:`from_ebm`.

    Notes
    -----
    Runs in time linear in the size of the file. No theorem is involved.
    """
    chosen = _names(names, feature_names, "from_ebm_json")
    text = str(source)
    try:
        if not (isinstance(source, str) and text.lstrip().startswith(("{", "["))):
            text = Path(source).read_bytes().decode("utf-8")
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidModelError(f"invalid JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        # undecodable bytes, an integer literal over Python's digit limit, deep nesting
        raise InvalidModelError(f"invalid JSON: {type(exc).__name__}: {exc}") from exc
    return _build(_read_jsonable(document), chosen, domains, tolerance, "from_ebm_json")


def _names(
    names: Sequence[str] | None, feature_names: Sequence[str] | None, caller: str
) -> tuple[Sequence[str] | None, str]:
    """The names given and the parameter that gave them (``feature_names`` is the old
    spelling of ``names``, kept so that existing calls still work)."""
    if feature_names is None:
        return names, "names"
    if names is not None:
        raise InvalidParameterError(
            f"{caller} takes 'names' or its old spelling 'feature_names', not both"
        )
    warnings.warn(
        f"the 'feature_names' parameter of {caller} is now spelled 'names', as in every adapter",
        DeprecationWarning,
        stacklevel=3,
    )
    return feature_names, "feature_names"


# -- reading the two sources ------------------------------------------------------------
def _task(n_classes: int | None, n_intercepts: int, link: object) -> Task:
    if n_intercepts > 1:
        # a multiclass EBM keeps one intercept per class: each class's score is a
        # regression model, and the classes make a MulticlassGAM (see _build)
        return Regression()
    if n_classes is None and link != "identity":
        raise UnsupportedModelError(
            f"regression link {link!r} is not supported: a gamexplain regression "
            "outputs the additive score itself (identity link)"
        )
    return kit.binary_task(n_classes, "EBMs")


def _read_estimator(ebm: Any) -> _Ebm:
    missing = [name for name in _FITTED if not hasattr(ebm, name)]
    if missing:
        raise InvalidModelError(
            f"{type(ebm).__name__} is not a fitted EBM: it has no attribute {missing[0]!r}"
        )
    classes = getattr(ebm, "classes_", None)
    task = _task(
        None if classes is None else len(classes),
        int(np.size(ebm.intercept_)),
        getattr(ebm, "link_", "identity"),
    )
    n = len(ebm.bins_)
    names = getattr(ebm, "feature_names_in_", None)
    if names is None:
        names = [f"feature_{i:04d}" for i in range(n)]
    bounds = getattr(ebm, "feature_bounds_", None)
    weights = getattr(ebm, "bin_weights_", None)
    return _Ebm(
        names=tuple(str(name) for name in names),
        levels=tuple(
            tuple(b if isinstance(b, dict) else np.asarray(b, dtype=float) for b in levels)
            for levels in ebm.bins_
        ),
        bounds=tuple(
            None if bounds is None else kit.domain_from_bounds(*bounds[i]) for i in range(n)
        ),
        terms=tuple(tuple(int(f) for f in term) for term in ebm.term_features_),
        scores=tuple(np.asarray(s, dtype=float) for s in ebm.term_scores_),
        weights=tuple(
            [None] * len(ebm.term_features_)
            if weights is None
            else [np.asarray(w, dtype=float) for w in weights]
        ),
        intercept=float(np.ravel(ebm.intercept_)[0]),
        task=task,
        **_classes(classes, np.ravel(ebm.intercept_)),
    )


def _classes(labels: Any, intercepts: NDArray[np.float64]) -> dict[str, Any]:
    """The class labels and per-class intercepts of a multiclass EBM (none for others)."""
    if intercepts.size < 2:
        return {}
    given = range(intercepts.size) if labels is None else labels
    found = tuple(v.item() if isinstance(v, np.generic) else v for v in given)
    if len(found) != intercepts.size:
        raise InvalidModelError(f"{len(found)} classes but {intercepts.size} intercepts")
    return {"classes": found, "intercepts": tuple(float(b) for b in intercepts)}


def _numbers(values: Any) -> NDArray[np.float64]:
    """A numeric array from JSON, where interpret writes NaN and infinities as strings."""
    if isinstance(values, list):
        return np.array([_numbers(v) for v in values], dtype=float)
    return np.asarray(_NAN_STRINGS.get(values, values) if isinstance(values, str) else values)


def _get(mapping: Any, key: str, path: str) -> Any:
    if not isinstance(mapping, dict):
        raise InvalidModelError("expected a JSON object", path)
    if key not in mapping:
        raise InvalidModelError(f"missing key {key!r}", path)
    return mapping[key]


def _json_levels(feature: dict[str, Any], path: str) -> tuple[Bins, ...]:
    if _get(feature, "type", path) == "continuous":
        return tuple(_numbers(cuts).reshape(-1) for cuts in _get(feature, "cuts", path))
    levels: list[Bins] = []
    for level in _get(feature, "categories", path):
        # position p holds bin p + 1: one category, or a list of categories sharing it
        levels.append(
            {
                str(category): position + 1
                for position, entry in enumerate(level)
                for category in (entry if isinstance(entry, list) else [entry])
            }
        )
    return tuple(levels)


def _read_jsonable(document: Any) -> _Ebm:
    model = document.get("ebm", document) if isinstance(document, dict) else document
    try:
        return _read_json_model(model)
    except GamExplainError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidModelError(f"not an interpret EBM export: {exc}", "ebm") from exc


def _read_json_model(model: Any) -> _Ebm:
    outputs = _get(model, "outputs", "ebm")
    if len(outputs) != 1:
        raise UnsupportedModelError(f"an EBM with {len(outputs)} outputs is not supported")
    output = outputs[0]
    classes = output.get("classes") if output.get("task") == "classification" else None
    intercept = np.ravel(_numbers(_get(model, "intercept", "ebm")))
    task = _task(None if classes is None else len(classes), intercept.size, output.get("link"))
    features = _get(model, "features", "ebm")
    names = [str(_get(f, "name", f"ebm.features[{i}]")) for i, f in enumerate(features)]
    position = {name: i for i, name in enumerate(names)}
    terms = _get(model, "terms", "ebm")
    return _Ebm(
        names=tuple(names),
        levels=tuple(_json_levels(f, f"ebm.features[{i}]") for i, f in enumerate(features)),
        bounds=tuple(
            kit.domain_from_bounds(*_numbers([f["min"], f["max"]]))
            if "min" in f and "max" in f
            else None
            for f in features
        ),
        terms=tuple(
            tuple(position[name] for name in _get(t, "term_features", f"ebm.terms[{k}]"))
            for k, t in enumerate(terms)
        ),
        scores=tuple(_numbers(_get(t, "scores", f"ebm.terms[{k}]")) for k, t in enumerate(terms)),
        weights=tuple(_numbers(t["bin_weights"]) if "bin_weights" in t else None for t in terms),
        intercept=float(intercept[0]),
        task=task,
        **_classes(classes, intercept),
    )


# -- building the GAM ---------------------------------------------------------------------
def _n_bins(bins: Bins) -> int:
    """Bins of one term axis: missing, the proper bins, unseen."""
    if isinstance(bins, dict):
        return max(bins.values(), default=0) + 2
    return len(bins) + 3


def _level(ebm: _Ebm, feature: int, order: int) -> Bins:
    """The binning a term of ``order`` features uses (interpret's rule)."""
    levels = ebm.levels[feature]
    return levels[min(len(levels), order) - 1]


def _pieces(cuts: NDArray[np.float64], domain: Domain) -> tuple[list[float], list[int]]:
    """Breakpoints spanning the domain and the EBM bin of each piece (EBM's bin 0 is
    the missing bin, so step k of the cut points is bin k + 1)."""
    low, high = kit.span(domain)
    edges, steps = kit.step_pieces(cuts, float(low), float(high))
    return edges, [k + 1 for k in steps]


def _bin_of_values(domain: Finite, bins: Bins) -> list[int]:
    if isinstance(bins, dict):
        # a category the pair's binning does not know falls in the unseen bin, as in EBM
        return [bins.get(str(v), _n_bins(bins) - 1) for v in domain.values]
    return [k + 1 for k in kit.bins_of(np.asarray(bins), domain.values)]


def _normalised(masses: Sequence[float]) -> tuple[float, ...] | None:
    total = math.fsum(masses)
    return tuple(m / total for m in masses) if total > 0 else None


def _distribution(
    feature: Feature, bins: list[int], weights: NDArray[np.float64]
) -> tuple[float, ...] | None:
    """Bin weights per domain value (shared by the values of one bin) or per piece."""
    if isinstance(feature.domain, Finite):
        sharing = {b: bins.count(b) for b in bins}
        return _normalised([float(weights[b]) / sharing[b] for b in bins])
    measures = piece_measures(feature)
    return _normalised(
        [float(weights[b]) if m > 0 else 0.0 for b, m in zip(bins, measures, strict=True)]
    )


def _feature(
    ebm: _Ebm,
    i: int,
    name: str,
    domain: Domain,
    main: tuple[NDArray[np.float64], NDArray[np.float64] | None] | None,
) -> Feature:
    bins = _level(ebm, i, 1)
    scores, weights = main if main is not None else (np.zeros(_n_bins(bins)), None)
    if isinstance(bins, dict):
        assert isinstance(domain, Finite)
        index = [bins[str(v)] for v in domain.values]
        feature = Feature(name, domain, Table([scores[b] for b in index]))
    else:
        edges, index = _pieces(bins, domain)
        feature = Feature(name, domain, Piecewise(edges, [[scores[b]] for b in index]))
        if isinstance(domain, Finite):
            index = _bin_of_values(domain, bins)
    if weights is None:
        return feature
    return replace(feature, distribution=_distribution(feature, index, weights))


def _axis(ebm: _Ebm, i: int, domain: Domain) -> tuple[list[float] | None, list[int]]:
    bins = _level(ebm, i, 2)
    if isinstance(bins, dict):
        assert isinstance(domain, Finite)
        return None, _bin_of_values(domain, bins)
    return _pieces(bins, domain)


def _pair(
    ebm: _Ebm, term: tuple[int, ...], table: NDArray[np.float64], domains: list[Domain]
) -> PairTerm:
    i, j = term
    if i > j:
        i, j, table = j, i, table.T
    (edges_i, rows), (edges_j, columns) = _axis(ebm, i, domains[i]), _axis(ebm, j, domains[j])
    return PairTerm((i, j), (edges_i, edges_j), table[np.ix_(rows, columns)].tolist())


def _check_scores(ebm: _Ebm, k: int) -> None:
    term = ebm.terms[k]
    expected = tuple(_n_bins(_level(ebm, f, len(term))) for f in term)
    if ebm.scores[k].shape != expected:
        label = " & ".join(ebm.names[f] for f in term)
        raise InvalidModelError(
            f"scores of shape {ebm.scores[k].shape} do not match its bins {expected}",
            f"term {label!r}",
        )


def _split_terms(
    ebm: _Ebm,
) -> tuple[dict[int, tuple[NDArray[np.float64], NDArray[np.float64] | None]], list[int]]:
    """Main effects per feature (duplicates summed) and the positions of pair terms."""
    mains: dict[int, tuple[NDArray[np.float64], NDArray[np.float64] | None]] = {}
    pairs = []
    for k, term in enumerate(ebm.terms):
        if not 1 <= len(term) <= 2:
            label = " & ".join(ebm.names[f] for f in term)
            raise UnsupportedModelError(
                f"term {label!r} joins {len(term)} features; gamexplain holds main effects "
                "and pairs only"
            )
        _check_scores(ebm, k)
        if len(term) == 2:
            pairs.append(k)
        elif term[0] in mains:
            scores, weights = mains[term[0]]
            mains[term[0]] = (scores + ebm.scores[k], weights)
        else:
            mains[term[0]] = (ebm.scores[k], ebm.weights[k])
    return mains, pairs


def _build(
    ebm: _Ebm,
    given_names: tuple[Sequence[str] | None, str],
    domains: Mapping[str | int, Domain] | None,
    tolerance: float,
    caller: str,
) -> GAM | MulticlassGAM:
    if ebm.classes is None:
        return _build_one(ebm, given_names, domains, tolerance, caller)
    kit.with_tolerance(Classification(), tolerance, caller)  # a classifier takes none
    scores = []
    for c, b0 in enumerate(ebm.intercepts):
        one = replace(ebm, scores=tuple(s[..., c] for s in ebm.scores), intercept=b0)
        scores.append(_build_one(one, given_names, domains, 0.0, caller))
    return MulticlassGAM(Multiclass(ebm.classes), scores)


def _build_one(
    ebm: _Ebm,
    given_names: tuple[Sequence[str] | None, str],
    domains: Mapping[str | int, Domain] | None,
    tolerance: float,
    caller: str,
) -> GAM:
    task = kit.with_tolerance(ebm.task, tolerance, caller)
    given, parameter = given_names
    names = kit.feature_names(given, ebm.names, caller, parameter)
    chosen = _domains(ebm, names, domains, caller)
    mains, pairs = _split_terms(ebm)
    features = []
    for i, name in enumerate(names):
        try:
            features.append(_feature(ebm, i, name, chosen[i], mains.get(i)))
        except InvalidModelError as exc:
            raise exc.at(f"feature {name!r}") from exc
    terms = [_pair(ebm, ebm.terms[k], ebm.scores[k], chosen) for k in pairs]
    return GAM(features, ebm.intercept, task, terms)


# -- validating the options -------------------------------------------------------------
def _default_domain(ebm: _Ebm, i: int, name: str) -> Domain:
    bins = _level(ebm, i, 1)
    if isinstance(bins, dict):
        if not bins:
            raise UnsupportedModelError(f"feature {name!r} has no category outside missing")
        return Finite(sorted(bins, key=lambda category: (bins[category], category)))
    bounds = ebm.bounds[i]
    if bounds is None:
        raise UnsupportedModelError(
            f"continuous feature {name!r} has no recorded bounds; "
            f"pass domains={{{name!r}: Interval(low, high)}}"
        )
    return bounds


def _check_domain(ebm: _Ebm, i: int, name: str, domain: Any, caller: str) -> Domain:
    bins = _level(ebm, i, 1)
    if isinstance(bins, dict):
        fits = isinstance(domain, Finite) and all(str(v) in bins for v in domain.values)
        allowed = f"a Finite subset of its categories {sorted(bins)}"
    else:
        fits = isinstance(domain, Interval | Integers) or (
            isinstance(domain, Finite) and domain.is_numeric
        )
        allowed = "an Interval, an Integers or a numeric Finite domain"
    if not fits:
        raise InvalidParameterError(
            f"The 'domains' parameter of {caller} must give feature {name!r} {allowed}. "
            f"Got {domain!r} instead."
        )
    return domain


def _domains(
    ebm: _Ebm, names: tuple[str, ...], domains: Mapping[str | int, Domain] | None, caller: str
) -> list[Domain]:
    given = kit.positions(domains, names, caller)
    return [
        _check_domain(ebm, i, name, given[i], caller)
        if i in given
        else _default_domain(ebm, i, name)
        for i, name in enumerate(names)
    ]
