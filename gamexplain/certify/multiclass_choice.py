"""Checks of the multiclass answers that compare several classes at one point: feature
redundancy and contrastive reasons toward a target class.

What each check re-derives, from the model's raw numbers and without the solver:

- the class of every shown point, by the plain evaluator's K exact scores and their argmax
  (ties to the lowest index, :func:`gamexplain.certify.multiclass.class_of`);
- each feature's options: one value per part of its domain on which every class's
  contribution is constant (:mod:`gamexplain.certify.redundancy`'s parts of the shapes'
  breakpoints; all values of a finite domain), and each option's K contributions from
  :func:`gamexplain.certify.contribution`;
- the multiple-choice system the answer refutes, built again here in the order the
  algorithms document (:mod:`gamexplain.algorithms.multiclass_choice`): per class pair
  for redundancy, "target beats d" and the budget for target reasons;
- the refutation tree, by :func:`gamexplain.certify.choice.refutes`;
- a box proof of a model with pair terms, by
  :func:`gamexplain.certify.multiclass_pair_boxes.class_boxes_hold`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamexplain.certify.choice import CheckSystem, Node, refutes
from gamexplain.certify.evaluate import _member, contribution, in_domain
from gamexplain.certify.multiclass import class_of, digest
from gamexplain.certify.multiclass_lines import lines_refute
from gamexplain.certify.multiclass_pair_boxes import class_boxes_hold
from gamexplain.certify.multiclass_pair_target import (
    PairListedCertificate,
    PairTargetCertificate,
    minimal_toward,
    refuted_below,
)
from gamexplain.certify.numbers import exact_number
from gamexplain.certify.redundancy import _representatives
from gamexplain.complexity.registry import algorithms_for, question_cell
from gamexplain.errors import CertificateError
from gamexplain.model.multiclass import MulticlassGAM

__all__ = [
    "RedundancyCertificate",
    "TargetCertificate",
    "check_multiclass_redundancy",
    "check_target_reason",
]

Vector = tuple[Fraction, ...]


@dataclass(frozen=True, kw_only=True)
class RedundancyCertificate:
    """Why a feature of a multiclass model is or is not redundant.

    Attributes
    ----------
    model : str
        :func:`~gamexplain.certify.multiclass.digest` of the model.
    point : tuple or None
        Not redundant: a point whose value of the feature is ``value``; changing it to
        ``other_value`` moves the argmax from ``classes[0]`` to ``classes[1]``.
    value, other_value : object
    classes : (int, int) or None
        The class indices at the two points.
    refutations : tuple of (int, int, Node)
        Redundant: per pair of classes c < e, a refutation of "some point has c winning
        with one value of the feature and e winning with another".
    tree : ClassLeaf or ClassSplit or None
        Redundant, on a model with pair terms: a box proof
        (:mod:`gamexplain.certify.multiclass_pair_boxes`) instead of the refutations.
    """

    model: str
    point: tuple[Any, ...] | None = None
    value: Any = None
    other_value: Any = None
    classes: tuple[int, int] | None = None
    refutations: tuple[tuple[int, int, Node], ...] = ()
    tree: Any = None


@dataclass(frozen=True, kw_only=True)
class TargetCertificate:
    """Why a contrastive reason toward a target class has the least size.

    Attributes
    ----------
    model : str
    prediction, target : int
        The class indices at x and the one to reach.
    refutation : Node or None
        A refutation of "the target wins with at most size − 1 free features changed"
        (with any number changed when there is no reason); None when the reason is empty
        or subset-minimal.
    minimality : tuple of (int, Node)
        Subset-minimal reasons C: per j in C, a refutation of "the target wins changing
        only C − {j}" (the features outside it and j kept).
    """

    model: str
    prediction: int
    target: int
    refutation: Node | None
    minimality: tuple[tuple[int, Node], ...] = ()


# -- options and systems ---------------------------------------------------------------------------
def _vector(gam: MulticlassGAM, i: int, value: Any) -> Vector | None:
    """The K contributions of feature i at ``value``; None when it is not in the domain."""
    if not _member(gam.scores[0].features[i].domain, value):
        return None
    out = []
    for model in gam.scores:
        number = exact_number(contribution(model, i, value))
        if not isinstance(number, Fraction):
            raise CertificateError("an irrational contribution has no option vector")
        out.append(number)
    return tuple(out)


_OPTIONS: dict[tuple[int, int], tuple[MulticlassGAM, frozenset[Vector]]] = {}


def _options(gam: MulticlassGAM, i: int) -> frozenset[Vector]:
    """Feature i's option vectors, remembered per model object (models are immutable;
    the entry holds the model, so its id cannot be reused while it is stored)."""
    key = (id(gam), i)
    stored = _OPTIONS.get(key)
    if stored is None or stored[0] is not gam:
        if len(_OPTIONS) > 4096:
            _OPTIONS.clear()
        stored = _OPTIONS[key] = (gam, _derived_options(gam, i))
    return stored[1]


def _derived_options(gam: MulticlassGAM, i: int) -> frozenset[Vector]:
    values: list[Any] = []
    for model in gam.scores:
        values += _representatives(model, i)
    found = {_vector(gam, i, v) for v in values}
    return frozenset(v for v in found if v is not None)


def _wins(vec: Vector, c: int, others: Sequence[int]) -> Vector:
    return tuple(vec[c] - vec[d] for d in others)


def _pair_system(gam: MulticlassGAM, j: int, c: int, e: int) -> CheckSystem:
    """c wins at the first point, e at the second; the groups are the features other
    than j, then j at the first point, then j at the second."""
    first = [d for d in range(gam.n_classes) if d != c]
    second = [d for d in range(gam.n_classes) if d != e]
    order = [i for i in range(gam.n_features) if i != j] + [j, j]
    shared = len(order) - 2

    def lift(g: int, vec: Vector) -> Vector:
        a, b = _wins(vec, c, first), _wins(vec, e, second)
        if g == shared:
            b = tuple(Fraction(0) for _ in b)
        elif g == shared + 1:
            a = tuple(Fraction(0) for _ in a)
        return a + b

    def vector(g: int, value: Any) -> Vector | None:
        if not 0 <= g < len(order):
            return None
        vec = _vector(gam, order[g], value)
        return None if vec is None else lift(g, vec)

    roots = [frozenset(lift(g, v) for v in _options(gam, i)) for g, i in enumerate(order)]
    beta = tuple(Fraction(m.intercept) for m in gam.scores)
    strict = tuple(d < c for d in first) + tuple(d < e for d in second)
    return CheckSystem(roots, vector, _wins(beta, c, first) + _wins(beta, e, second), strict)


def _target_system(
    gam: MulticlassGAM, x: Sequence[Any], t: int, fixed: frozenset[int], budget: int
) -> CheckSystem:
    """t wins with at most ``budget`` free features changed; the groups are the free
    features in model order."""
    rivals = [d for d in range(gam.n_classes) if d != t]
    free = [i for i in range(gam.n_features) if i not in fixed]
    beta = tuple(Fraction(m.intercept) for m in gam.scores)
    constant = list(_wins(beta, t, rivals))
    for i in fixed:
        here = _vector(gam, i, x[i])
        if here is None:
            raise CertificateError("x is outside the domain")
        constant = [b + w for b, w in zip(constant, _wins(here, t, rivals), strict=True)]
    at_x = [_vector(gam, i, x[i]) for i in free]

    def lift(g: int, vec: Vector) -> Vector:
        return (*_wins(vec, t, rivals), Fraction(0) if vec == at_x[g] else Fraction(-1))

    def vector(g: int, value: Any) -> Vector | None:
        if not 0 <= g < len(free):
            return None
        vec = _vector(gam, free[g], value)
        return None if vec is None else lift(g, vec)

    roots = []
    for g, i in enumerate(free):
        here = at_x[g]
        if here is None:
            raise CertificateError("x is outside the domain")
        roots.append(frozenset(lift(g, v) for v in _options(gam, i) | {here}))
    strict = (*tuple(d < t for d in rivals), False)
    return CheckSystem(roots, vector, (*constant, Fraction(budget)), strict)


# -- redundancy -------------------------------------------------------------------------------
def check_multiclass_redundancy(result: Any, gam: Any) -> bool:
    """Re-check a multiclass :func:`~gamexplain.is_redundant` answer."""
    if not isinstance(gam, MulticlassGAM) or result.model_digest != digest(gam):
        return False
    cert, j = result.certificate, result.position
    if not (isinstance(j, int) and 0 <= j < gam.n_features and gam.feature_names[j] ==
            result.feature) or result.cell != str(question_cell(gam, "fr").cell):  # fmt: skip
        return False
    if result.status != "solved":
        return (cert is None and result.holds is False and result.exact is False
                and bool(result.message))  # fmt: skip
    if result.message or not isinstance(cert, RedundancyCertificate) or cert.model != digest(
            gam):  # fmt: skip
        return False
    # what the printout reads: the model's own names and labels, when the result shows them
    shown = {"names": gam.feature_names, "labels": gam.classes}
    if any(tuple(getattr(cert, k, v)) != tuple(v) for k, v in shown.items()):
        return False
    if result.exact is not True or result.algorithm not in _names(gam, "fr"):
        return False
    if not result.holds:
        return not cert.refutations and cert.tree is None and _changes(gam, j, cert)
    if cert.point is not None:
        return False
    if cert.tree is not None:  # a box proof, the one kind multiclass-pair-boxes emits
        return (not cert.refutations and result.algorithm == "multiclass-pair-boxes"
                and class_boxes_hold(gam, j, cert.tree))  # fmt: skip
    pairs = [(c, e) for c in range(gam.n_classes) for e in range(c + 1, gam.n_classes)]
    if [(c, e) for c, e, _ in cert.refutations] != pairs:
        return False
    if result.algorithm == "class-pair-lines":  # refutations over linear pieces
        return all(lines_refute(gam, j, c, e, tree) for c, e, tree in cert.refutations)
    return all(refutes(_pair_system(gam, j, c, e), tree) for c, e, tree in cert.refutations)


def _names(gam: MulticlassGAM, query: str) -> set[str]:
    return {s.name for s in algorithms_for(question_cell(gam, query).cell)}


def _changes(gam: MulticlassGAM, j: int, cert: RedundancyCertificate) -> bool:
    point, classes = cert.point, cert.classes
    if point is None or classes is None or len(point) != gam.n_features:
        return False
    other = tuple(cert.other_value if i == j else v for i, v in enumerate(point))
    if point[j] != cert.value or not (in_domain(gam.scores[0], point)
                                      and in_domain(gam.scores[0], other)):  # fmt: skip
        return False
    first, second = class_of(gam, point), class_of(gam, other)
    return (first, second) == tuple(classes) and first != second


# -- contrastive reasons toward a target -----------------------------------------------------------
def check_target_reason(result: Any, gam: Any) -> bool:
    """Re-check a contrastive reason toward a target class and its shown fields: of least
    size (``kind="minimum"``) or subset-minimal (listed by ``contrastive_reasons``)."""
    if isinstance(result.certificate, PairTargetCertificate):
        return _pair_target(result, gam)
    if isinstance(result.certificate, PairListedCertificate):
        return _pair_listed(result, gam)
    if result.status != "solved":  # undecided: it claims nothing, and says so
        return (result.certificate is None and result.exact is False
                and result.features is None and result.witness is None
                and bool(result.message))  # fmt: skip
    if not isinstance(gam, MulticlassGAM) or not isinstance(result.certificate, TargetCertificate):
        return False
    cert = result.certificate
    if cert.model != digest(gam):
        return False
    try:
        model = gam.covering(tuple(result.instance))
    except Exception:  # an instance of another model
        return False
    x, t = tuple(result.instance), cert.target
    if not (isinstance(t, int) and 0 <= t < model.n_classes):
        return False
    listed = result.kind == "subset-minimal"
    query = "enum-cr" if listed else "mcr"
    if not in_domain(model.scores[0], x) or not _provenance(model, result, query):
        return False
    names = model.feature_names
    shown = (
        cert.prediction == class_of(model, x)
        and result.prediction == model.classes[cert.prediction]
        and result.target == f"class {model.classes[t]}"
        and result.exact is True and result.status == "solved"
        and result.minimum_certified is (None if listed else True)
        and result.kind in ("minimum", "subset-minimal")
        and result.witness_kind == "extreme" and result.distance is None
    )  # fmt: skip
    if not shown or result.message or len(set(result.fixed)) != len(result.fixed):
        return False
    if not set(result.fixed) <= set(names):
        return False
    fixed = frozenset(names.index(n) for n in result.fixed)
    if listed:
        return cert.refutation is None and _listed(model, result, x, t, fixed)
    if cert.minimality:
        return False
    free = model.n_features - len(fixed)
    if result.features is None:
        return (result.witness is None and result.values is None
                and result.witness_prediction is None and cert.refutation is not None
                and refutes(_target_system(model, x, t, fixed, free), cert.refutation))  # fmt: skip
    if not _target_witness(model, result, x, t, fixed):
        return False
    if not result.features:
        return cert.refutation is None
    system = _target_system(model, x, t, fixed, len(result.features) - 1)
    return cert.refutation is not None and refutes(system, cert.refutation)


def _listed(
    gam: MulticlassGAM, result: Any, x: tuple[Any, ...], t: int, fixed: frozenset[int]
) -> bool:
    """A subset-minimal reason C: the witness changes exactly C and t wins there; for
    every j in C, a refutation that t wins changing only C − {j} (so no proper subset
    can: the property is monotone)."""
    if result.features is None or not _target_witness(gam, result, x, t, fixed):
        return False
    changed = frozenset(gam.feature_names.index(n) for n in result.features)
    minimality = result.certificate.minimality
    if [j for j, _ in minimality] != sorted(changed):
        return False
    everything = frozenset(range(gam.n_features))
    for j, tree in minimality:
        kept = everything - changed | {j}
        system = _target_system(gam, x, t, kept, gam.n_features - len(kept))
        if not refutes(system, tree):
            return False
    return True


def _target_witness(
    gam: MulticlassGAM, result: Any, x: tuple[Any, ...], t: int, fixed: frozenset[int]
) -> bool:
    """The witness changes exactly the reason's free features and t wins there."""
    names = gam.feature_names
    if len(set(result.features)) != len(result.features) or not set(result.features) <= set(
            names):  # fmt: skip
        return False
    changed = sorted(names.index(n) for n in result.features)
    point = result.witness
    if point is None or len(point) != gam.n_features or set(changed) & fixed:
        return False
    moved = [i for i in range(gam.n_features) if point[i] != x[i]]
    if moved != changed or not in_domain(gam.scores[0], point) or class_of(gam, point) != t:
        return False
    return (result.values == tuple(point[i] for i in changed)
            and result.witness_prediction == gam.classes[t])  # fmt: skip


def _provenance(gam: MulticlassGAM, result: Any, query: str) -> bool:
    entry = question_cell(gam, query, {"target": gam.classes[result.certificate.target]})
    if result.cell != str(entry.cell):  # the [target] variant's cell
        return False
    named = [s for s in algorithms_for(entry.cell) if s.name == result.algorithm]
    target = gam.classes[result.certificate.target]
    return bool(named) and named[0].applies(gam, {"target": target}) is None


def _pair_setting(
    result: Any, gam: Any
) -> tuple[MulticlassGAM, tuple[Any, ...], int, frozenset[int]] | None:
    """The model covering the instance, x, the target index and the fixed positions of a
    target reason on a pair model; None when they do not belong to ``gam``."""
    cert = result.certificate
    if not isinstance(gam, MulticlassGAM) or cert.model != digest(gam):
        return None
    try:
        model = gam.covering(tuple(result.instance))
    except Exception:  # an instance of another model
        return None
    x, t = tuple(result.instance), cert.target
    if not (isinstance(t, int) and 0 <= t < model.n_classes) or not in_domain(model.scores[0], x):
        return None
    names = model.feature_names
    if len(set(result.fixed)) != len(result.fixed) or not set(result.fixed) <= set(names):
        return None
    return model, x, t, frozenset(names.index(n) for n in result.fixed)


def _pair_listed(result: Any, gam: Any) -> bool:
    """A subset-minimal reason toward a target of a model with pair terms: the witness
    changes exactly the reason and the target wins there, every shown field, and for each
    member j no pick of the other members' representatives lets the target win
    (:func:`~gamexplain.certify.multiclass_pair_target.minimal_toward`)."""
    setting = _pair_setting(result, gam)
    if setting is None:
        return False
    model, x, t, fixed = setting
    cert = result.certificate
    shown = (
        _provenance(model, result, "enum-cr")
        and cert.prediction == class_of(model, x)
        and result.prediction == model.classes[cert.prediction]
        and result.target == f"class {model.classes[t]}"
        and result.kind == "subset-minimal" and result.witness_kind == "extreme"
        and result.distance is None and result.exact is True and result.status == "solved"
        and result.minimum_certified is None and not result.message
    )  # fmt: skip
    if not shown or result.features is None or not _target_witness(model, result, x, t, fixed):
        return False
    changed = frozenset(model.feature_names.index(n) for n in result.features)
    return minimal_toward(model, x, t, changed)


def _pair_target(result: Any, gam: Any) -> bool:
    """A minimum reason toward a target of a model with pair terms
    (:mod:`gamexplain.certify.multiclass_pair_target`): the witness and every shown field,
    and every smaller set of free features re-enumerated; stopped by the time limit, the
    sizes it claims refuted."""
    setting = _pair_setting(result, gam)
    if setting is None:
        return False
    model, x, t, fixed = setting
    cert = result.certificate
    free = model.n_features - len(fixed)
    shown = (
        _provenance(model, result, "mcr")
        and cert.prediction == class_of(model, x)
        and result.prediction == model.classes[cert.prediction]
        and result.target == f"class {model.classes[t]}"
        and result.kind == "minimum" and result.witness_kind == "extreme"
        and result.distance is None
    )  # fmt: skip
    if not shown:
        return False
    if result.status != "solved":
        return (result.status == "time_limit" and result.exact is False
                and result.minimum_certified is False and bool(result.message)
                and result.features is None and result.witness is None
                and cert.lower <= free
                and refuted_below(model, x, t, fixed, cert.lower))  # fmt: skip
    if result.exact is not True or result.minimum_certified is not True or result.message:
        return False
    if result.features is None:
        return (result.witness is None and result.values is None
                and result.witness_prediction is None and cert.lower == free + 1
                and refuted_below(model, x, t, fixed, cert.lower))  # fmt: skip
    if not _target_witness(model, result, x, t, fixed) or cert.lower != len(result.features):
        return False
    return refuted_below(model, x, t, fixed, cert.lower)
