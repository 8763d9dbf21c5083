"""Completion fractions of multiclass GAMs (thm:multiclass-cc).

:func:`~gamexplain.completion_fraction` hands a
:class:`~gamexplain.model.multiclass.MulticlassGAM` to
:func:`completion_fraction_multiclass`: the probability that a random completion of x_S
keeps the predicted class, every rival beaten at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gamexplain import certify
from gamexplain.algorithms.multiclass_grid import VectorEstimate
from gamexplain.certify import multiclass_counting as checks
from gamexplain.certify.attributions import BOUNDS_MESSAGE, round_down, round_up
from gamexplain.certify.multiclass import digest
from gamexplain.certify.multiclass_grid import VectorGridCertificate
from gamexplain.complexity.registry import select_algorithm
from gamexplain.distributions import resolve_distribution
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.queries.completion import CompletionResult
from gamexplain.queries.parameters import validate
from gamexplain.queries.shap import (
    BanzhafResult,
    ShapResult,
    distribution_label,
    run_candidates,
)
from gamexplain.results import Stats

__all__ = [
    "MulticlassCompletion",
    "MulticlassLabelBanzhaf",
    "MulticlassLabelShap",
    "completion_fraction_multiclass",
    "label_attributions_multiclass",
]


@dataclass(frozen=True, kw_only=True)
class MulticlassCompletion(CompletionResult):
    """:class:`~gamexplain.queries.completion.CompletionResult` of a multiclass model:
    the probability that the predicted class (or the ``target`` asked) beats every rival.

    Attributes
    ----------
    target : class label
        The class whose win is counted: the prediction at x unless a target was asked.
    """

    target: Any = None

    def __str__(self) -> str:
        return f"{super().__str__()}, that class {self.target!r} wins"

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-derive every free feature's cells and fold the vector law again
        (:mod:`gamexplain.certify.multiclass_counting`)."""
        return checks.check_completion(self, gam)


def with_distribution(gam: MulticlassGAM, distribution: Any, caller: str) -> MulticlassGAM:
    """The model whose features carry the marginals ``distribution`` names."""
    scores = [resolve_distribution(m, distribution, caller) for m in gam.scores]
    return MulticlassGAM(gam.task, scores)


def completion_fraction_multiclass(
    gam: MulticlassGAM, x: Any, S: Any, *, distribution: Any, method: str, max_states: int,
    time_limit: float | None, target: Any = None,
) -> CompletionResult:  # fmt: skip
    """:func:`~gamexplain.completion_fraction` on a multiclass model: the probability
    that the predicted class, or class ``target`` (a label), wins.

    Notes
    -----
    #P-hard (thm:cc-sharp-p, K = 2); a dynamic programme over the vectors of the K − 1
    score differences, pseudo-polynomial for fixed K, with a certified bracket past
    ``max_states`` (thm:multiclass-cc).
    """
    options = validate(
        "completion_fraction", gam, S=S, method=method, max_states=max_states,
        time_limit=time_limit, target=target,
    )  # fmt: skip
    fixed = frozenset(options["S"])
    instance = gam.instance(x)
    p = gam.predict_index(instance) if target is None else gam.class_index(options["target"])
    resolved = with_distribution(gam, distribution, "completion_fraction")
    # x is explained in the feature space widened just enough to hold it; the marginals
    # recorded are the model's, which verify widens the same way
    model = resolved.covering(instance)
    selection = select_algorithm(model, "cc", options["method"], {})
    entry = selection.entry
    started = time.perf_counter()
    found: Any  # a CountingEstimate (rival-vectors) or a VectorEstimate (rival-grid)
    spec, found = run_candidates(
        selection.candidates,
        lambda spec, seconds, **extra: spec.func(
            model, instance, fixed, max_states=max_states, time_limit=seconds, target=p,
            **extra,
        ),
        options["time_limit"],
    )
    grid = isinstance(found, VectorEstimate)
    low, high = (found.lower[0], found.upper[0]) if grid else (found.lower, found.upper)
    exact = low == high
    status = "solved" if exact else found.status
    marginals = tuple(f.distribution for f in resolved.scores[0].features)
    return MulticlassCompletion(
        fraction=float((low + high) / 2),
        exact_fraction=low if exact else None,
        lower=round_down(low),
        upper=round_up(high),
        fixed=tuple(model.feature_names[i] for i in sorted(fixed)),
        target=gam.classes[p],
        instance=instance,
        distribution=distribution_label(resolved.scores[0], distribution),
        exact=exact,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=_grid_certificate(found, gam, p, "cc", marginals) if grid else
        checks.CountCertificate(
            model=digest(gam),
            winner=p,
            lower=low,
            upper=high,
            scale=found.scale,
            laws=found.laws,
            marginals=marginals,
        ),
        status=status,  # type: ignore[arg-type]
        message="" if exact else BOUNDS_MESSAGE,
        stats=Stats(seconds=time.perf_counter() - started, work={"dp_states": found.states}),
    )


@dataclass(frozen=True, kw_only=True)
class MulticlassLabelShap(ShapResult):
    """SHAP values of the indicator "the predicted class (or the ``target`` asked) wins"
    of a multiclass model: one value per feature; ``base_value`` is v(∅), the completion
    fraction of the empty set.

    Attributes
    ----------
    target : class label
        The class whose win is explained: the prediction at x unless a target was asked.
    """

    target: Any = None

    def __str__(self) -> str:
        head, *rest = super().__str__().split("\n")
        return "\n".join([f"{head}; indicator: class {self.target!r} wins", *rest])

    def _base_text(self) -> str:
        """v(∅), or its bracket: a grid certificate holds it last in ``lower``/``upper``."""
        cert = self.certificate
        if self.exact or not isinstance(cert, VectorGridCertificate):
            return super()._base_text()
        return f"in [{round_down(cert.lower[-1]):.6g}, {round_up(cert.upper[-1]):.6g}]"

    @certify.checked
    def verify(self, gam: Any) -> bool:
        """Re-derive every feature's cells and recompute both weighted sums of every
        value (:mod:`gamexplain.certify.multiclass_counting`)."""
        return checks.check_label_attributions(self, gam)


@dataclass(frozen=True, kw_only=True)
class MulticlassLabelBanzhaf(MulticlassLabelShap, BanzhafResult):
    """:class:`MulticlassLabelShap` with Banzhaf weights."""


def label_attributions_multiclass(
    gam: MulticlassGAM, x: Any, *, kind: str, method: str = "auto", distribution: Any,
    max_states: int, time_limit: float | None, target: Any = None,
) -> ShapResult:  # fmt: skip
    """:func:`~gamexplain.shap_values` / :func:`~gamexplain.banzhaf_values` with
    ``output="label"`` on a multiclass model: of the indicator that the predicted class,
    or class ``target`` (a label), wins (the options are validated by the caller).

    Notes
    -----
    #P-hard (thm:shap-label-sharp-p, K = 2); pseudo-polynomial for fixed K, with a
    certified bracket past ``max_states`` (thm:multiclass-label).
    """
    func = "shap_values" if kind == "shapley" else "banzhaf_values"
    instance = gam.instance(x)
    resolved = with_distribution(gam, distribution, func)
    model = resolved.covering(instance)
    winner = model.predict_index(instance) if target is None else model.class_index(target)
    query = "shap-label" if kind == "shapley" else "banzhaf-label"
    selection = select_algorithm(model, query, method, {})
    entry = selection.entry
    started = time.perf_counter()
    found: Any  # a LabelEstimate (rival-vectors) or a VectorEstimate (rival-grid)
    spec, found = run_candidates(
        selection.candidates,
        lambda spec, seconds, **extra: spec.func(
            model, instance, output="label", kind=kind, max_states=max_states,
            time_limit=seconds, target=winner, **extra,
        ),
        time_limit,
    )  # fmt: skip
    exact = found.lower == found.upper and found.base_lower == found.base_upper
    status = "solved" if exact else found.status
    result = MulticlassLabelShap if kind == "shapley" else MulticlassLabelBanzhaf
    middle = [(a + b) / 2 for a, b in zip(found.lower, found.upper, strict=True)]
    marginals = tuple(f.distribution for f in resolved.scores[0].features)
    return result(
        values=np.array([float(v) for v in middle]),
        exact_values=tuple(found.lower) if exact else None,
        base_value=float((found.base_lower + found.base_upper) / 2),
        exact_base_value=found.base_lower if exact else None,
        lower=np.array([round_down(v) for v in found.lower]),
        upper=np.array([round_up(v) for v in found.upper]),
        output="label",
        target=gam.classes[winner],
        feature_names=model.feature_names,
        instance=instance,
        distribution=distribution_label(resolved.scores[0], distribution),
        exact=exact,
        algorithm=spec.name,
        cell=str(entry.cell),
        certificate=_grid_certificate(found, gam, winner, kind, marginals)
        if isinstance(found, VectorEstimate) else checks.LabelCertificate(
            model=digest(gam),
            winner=winner,
            kind=kind,
            lower=tuple(found.lower),
            upper=tuple(found.upper),
            base_lower=found.base_lower,
            base_upper=found.base_upper,
            scale=found.scale,
            laws=found.laws,
            marginals=marginals,
        ),
        status=status,  # type: ignore[arg-type]
        message="" if exact else BOUNDS_MESSAGE,
        stats=Stats(seconds=time.perf_counter() - started, work={"dp_states": found.states}),
    )


def _grid_certificate(found: VectorEstimate, gam: MulticlassGAM, winner: int, kind: str,
                      marginals: tuple[Any, ...]) -> VectorGridCertificate:  # fmt: skip
    """The grid's certificate bound to the model and marginals; without a completed
    round, one that claims the trivial bracket only."""
    cert = found.certificate
    if cert is None:
        lower = (*found.lower, *(() if found.base_lower is None else (found.base_lower,)))
        upper = (*found.upper, *(() if found.base_upper is None else (found.base_upper,)))
        cert = VectorGridCertificate(winner, kind, lower, upper, None, 0, 0, 0, (), (), (), ())
    return replace(cert, model=digest(gam), marginals=marginals)
