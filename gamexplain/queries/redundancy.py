"""Feature redundancy: can a feature ever change the prediction on its own?

Feature i is *redundant* when, at every point x of the product domain and for every two
values v, v' of feature i, the two points that differ only in x_i get the same
prediction: the same class (under the model's tie rule), or in regression scores at
most the tolerance δ apart. It is a global property of the model, not of an instance.
Bassan, Moshkovitz and Katz (NeurIPS 2025) show the classification question
coNP-complete in general and polynomial for continuous splines on intervals; see
``proofs/redundancy.md``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from gamexplain.algorithms.partial_sums_fr import DEFAULT_MAX_STATES
from gamexplain.algorithms.redundancy import Outcome
from gamexplain.certify import checked
from gamexplain.certify.redundancy import Witness, check_redundancy, model_digest
from gamexplain.complexity.registry import (
    AlgorithmSpec,
    algorithms_for,
    question_cell,
    select_algorithm,
)
from gamexplain.exact import to_float
from gamexplain.model.gam import GAM
from gamexplain.queries.parameters import validate
from gamexplain.results import DecisionResult, Stats
from gamexplain.substrate import deadline
from gamexplain.substrate.deadline import OutOfTime

__all__ = ["RedundancyResult", "is_redundant"]


@dataclass(frozen=True, kw_only=True)
class RedundancyResult(DecisionResult):
    """The answer of :func:`is_redundant`; truthy when the feature is redundant.

    Attributes
    ----------
    feature : str
        The feature's name.
    position : int
        Its position in the model.
    holds : bool
        True when the feature is redundant. False when it is not, and also when the run
        stopped early (``status`` is then ``"time_limit"`` or ``"budget_exhausted"``,
        ``exact`` is False and ``certificate`` is None: undecided, never a guess).
    certificate : Witness or RedundancyProof or None
        A :class:`~gamexplain.certify.redundancy.Witness` when the feature is not
        redundant; a :class:`~gamexplain.certify.redundancy.RedundancyProof` when it is;
        None when undecided.
    model_digest : str
        :func:`~gamexplain.certify.redundancy.model_digest` of the model the result was
        computed for; ``verify`` rejects any other model.
    """

    feature: str
    position: int
    model_digest: str

    def __str__(self) -> str:
        name = self.feature
        if self.status != "solved":
            return f"whether {name} is redundant is undecided: {self.message}"
        if self.holds:
            return f"{name} is redundant: no change of {name} alone ever changes the prediction"
        witness = self.certificate
        assert isinstance(witness, Witness)
        rest = ", ".join(
            f"{n}={_show(v)}"
            for j, (n, v) in enumerate(zip(witness.names, witness.point, strict=True))
            if j != self.position
        )
        first, second = witness.outputs
        kind = "class" if isinstance(first, int) else "score"
        return (
            f"{name} is not redundant: at x=({rest}), {name} {_show(witness.value)} gives "
            f"{kind} {_show(first)} and {name} {_show(witness.other_value)} gives "
            f"{kind} {_show(second)}"
        )

    @checked
    def verify(self, gam: Any) -> bool:
        """Re-check the whole result in exact arithmetic, without the solving algorithm.

        The checks live in :mod:`gamexplain.certify.redundancy`, which shares no code with
        the FR algorithms: the model must be the one the result was computed for (same
        :func:`~gamexplain.certify.redundancy.model_digest`, same complexity ``cell``),
        ``feature`` must sit at ``position``, and ``algorithm`` must be one that emits
        this kind of certificate for this task.

        * A **witness** (not redundant): both points lie in the domain, differ only in the
          feature, and get the stated predictions, class 1 then class 0 (in regression,
          scores more than δ apart), re-evaluated by :func:`gamexplain.certify.score`.
        * A **redundancy proof**: every per-feature range and the critical window are
          re-derived from the shapes' raw data and must equal the stated ones; then the
          claim of its ``kind`` is re-checked (the box of ranges misses the window, or the
          achievable sums do). ``enumeration`` and ``infeasible`` proofs (brute force,
          CP-SAT) carry no data: the answer is re-derived from scratch, by the sums of an
          additive model or by enumerating a model with pair terms.
        * An **undecided** result (``status`` ``"time_limit"`` or ``"budget_exhausted"``)
          claims nothing; verify is True iff it says so consistently (no certificate,
          ``holds`` and ``exact`` False, a reason in ``message``). It is never evidence
          about the feature.

        ``stats`` (the run's cost) is not checked.

        Raises
        ------
        CertificateTooLargeError
            Re-deriving the answer would visit more than
            :data:`gamexplain.certify.MAX_CHECK_POINTS` points; the certificate is then
            neither accepted nor expanded.
        """
        if self.cell != str(question_cell(gam, "fr").cell):
            return False
        return check_redundancy(gam, self)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction | int):
        number = Fraction(value)
        return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"
    if isinstance(value, sympy.Basic):
        return f"{to_float(value):g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


# -- the public function -----------------------------------------------------------------------
def is_redundant(
    gam: GAM,
    feature: int | str,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    max_states: int = DEFAULT_MAX_STATES,
) -> RedundancyResult:
    """Whether changing feature ``feature`` alone can never change the prediction.

    Parameters
    ----------
    gam : GAM
    feature : int or str
        The feature, by position or name.
    method : str, default "auto"
        One of "auto", "range", "continuous", "images", "partial-sums", "pair-moves",
        "cpsat", "pair-boxes", "brute".
        ``"auto"`` runs the first algorithm the complexity registry lists for the
        model's cell that applies, then the fallbacks the registry declares (the next
        one when the partial sums exceed ``max_states``); ``explain_plan(gam, "fr")``
        lists them in order. A named algorithm that cannot answer the cell raises
        :class:`~gamexplain.errors.UnsupportedQueryError`.
    time_limit : float, optional
        Seconds for the whole call: the applicability checks, the compilation of
        networks, the partial sums and CP-SAT all read one deadline
        (:mod:`gamexplain.substrate.deadline`), and a fallback gets only the time that is
        left. When it runs out the result is undecided (``status="time_limit"``,
        ``exact=False``, no certificate).
    max_states : int, default 100000
        Bound on the atoms a layer of partial sums may hold; past it the partial sums
        stop with ``status="budget_exhausted"``.

    Returns
    -------
    RedundancyResult
        Truthy when the feature is redundant; the certificate is a witness (a point and
        two values of the feature whose predictions differ) or a proof.

    Raises
    ------
    InvalidParameterError
        A parameter is outside its allowed values.
    UnsupportedQueryError
        No algorithm answers the model (for instance pair terms over features with
        non-constant pieces on real intervals).

    Notes
    -----
    Classification: coNP-complete in general (thm:fr-conp), by subset sum; polynomial
    when the other features' contributions are continuous on intervals
    (thm:fr-interval-continuous); polynomial on fitted models whose sums merge into few
    clusters at the window's width (thm:fr-images, tried first on integer and interval
    models, falling back when the clusters exceed ``max_states``); pseudo-polynomial by
    partial sums (thm:fr-partial-sums). Regression of an additive model is one range comparison
    (thm:fr-regression-range); with pair terms it separates over the feature's partners
    (thm:pairs-fr-regression, for step functions and finite features). Other pair terms
    go to CP-SAT (thm:fr-cpsat); a classifier whose scaled integers CP-SAT cannot hold
    (a default EBM) to a witness search and a proof by boxes (thm:pairs-fr-boxes), for
    step functions and finite features; small finite models also to brute force
    (thm:fr-brute).

    Examples
    --------
    >>> from gamexplain import GAM, Feature, Finite, Table, Classification
    >>> gam = GAM(
    ...     [Feature("a", Finite([0, 1]), Table([0.0, 2.0])),
    ...      Feature("b", Finite([0, 1]), Table([0.0, 0.5]))],
    ...     intercept=-1.0, task=Classification(threshold=0.0))
    >>> bool(is_redundant(gam, "b"))
    True
    >>> print(is_redundant(gam, "a"))
    a is not redundant: at x=(b=0), a 1 gives class 1 and a 0 gives class 0
    """
    if getattr(getattr(gam, "task", None), "kind", None) == "multiclass":
        from gamexplain.queries.multiclass_choice import is_redundant_multiclass

        return is_redundant_multiclass(gam, feature, method=method,  # type: ignore[arg-type]
                                       time_limit=time_limit,
                                       max_states=max_states)  # fmt: skip
    chosen = validate(
        "is_redundant", gam, feature=feature, method=method, time_limit=time_limit,
        max_states=max_states,
    )  # fmt: skip
    position, time_limit = chosen["feature"], chosen["time_limit"]
    options = {"feature": position, "max_states": max_states, "time_limit": time_limit}
    cell = str(question_cell(gam, "fr").cell)
    first: AlgorithmSpec | None = None
    # one clock for the whole call: applicability checks (which may lower a network) and
    # fallbacks included
    try:
        with deadline.limit(time_limit):
            selection = select_algorithm(gam, "fr", method, options)
            first = selection.candidates[0]
            return _first_answer(gam, position, selection.candidates, options, cell)
    except OutOfTime:
        late = f"the time limit ({time_limit} s) ran out before any algorithm decided it"
        outcome = Outcome(False, None, "time_limit", late)
        spec = first or _named_or_first(gam, method)
        return _result(spec, gam, position, cell, outcome, time_limit or 0.0)


def _named_or_first(gam: GAM, method: str) -> AlgorithmSpec:
    """The algorithm an undecided result names when time ran out before the choice."""
    listed = algorithms_for(question_cell(gam, "fr").cell)
    return next((spec for spec in listed if spec.name == method), listed[0])


def _first_answer(
    gam: GAM,
    position: int,
    candidates: tuple[AlgorithmSpec, ...],
    options: dict[str, Any],
    cell: str,
) -> RedundancyResult:
    """Run the candidates :func:`~gamexplain.complexity.registry.select_algorithm` chose,
    in order: the next only when the one before stops with a status it declares in
    ``fallback_on``; the first such stop when every one did. Raises
    :class:`~gamexplain.substrate.deadline.OutOfTime` past the deadline."""
    stopped: RedundancyResult | None = None
    for spec in candidates:
        left = deadline.remaining()
        if left is not None and left <= 0:
            late = f"the time limit ran out before {spec.name} could start"
            outcome = Outcome(False, None, "time_limit", late)
            return _result(spec, gam, position, cell, outcome, 0.0)
        result = _run(spec, gam, position, cell, {**options, "time_limit": left})
        if result.status not in spec.fallback_on:
            return result
        if stopped is None:  # not `stopped or result`: an undecided result is falsy
            stopped = result
    assert stopped is not None  # select_algorithm never returns an empty selection
    return stopped


def _run(
    spec: AlgorithmSpec, gam: GAM, position: int, cell: str, options: dict[str, Any]
) -> RedundancyResult:
    start = time.perf_counter()
    outcome: Outcome = spec.func(
        gam, position, max_states=options["max_states"], time_limit=options["time_limit"]
    )
    return _result(spec, gam, position, cell, outcome, time.perf_counter() - start)


def _result(
    spec: AlgorithmSpec, gam: GAM, position: int, cell: str, outcome: Outcome, seconds: float
) -> RedundancyResult:
    certificate = outcome.certificate
    if certificate is not None:
        certificate = dataclasses.replace(certificate, algorithm=spec.name)
    return RedundancyResult(
        holds=outcome.holds,
        exact=outcome.status == "solved",
        algorithm=spec.name,
        cell=cell,
        certificate=certificate,
        status=outcome.status,
        message=outcome.message,
        stats=Stats(seconds=seconds, oracle_calls=1, work=dict(outcome.work)),
        feature=gam.features[position].name,
        position=position,
        model_digest=model_digest(gam),
    )
