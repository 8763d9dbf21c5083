"""Checks of multiclass results: the argmax re-derived, every per-rival proof re-checked.

A multiclass result carries a :class:`RivalCertificate`. Its checks

- recompute every class's exact score with the plain evaluator
  (:func:`gamexplain.certify.evaluate.score`) and take the argmax, ties to the lowest
  index, at the instance and at every point the certificate shows (witnesses, breakers,
  the points of the hitting-set cores);
- rebuild each rival model D_pc = score_p − score_c from the model (a subtraction of
  its numbers, :func:`gamexplain.model.multiclass.rival_model`) and run the binary
  result's own ``verify`` on it, after checking that it asks the same question (same
  instance, same kept or changed features);
- for a minimum-size sufficient reason, enumerate every smaller set of the features the
  cores mention and find a core it misses (bounded by
  :data:`~gamexplain.certify.MAX_CHECK_POINTS`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any

from gamexplain.certify.evaluate import in_domain, model_digest, score
from gamexplain.certify.numbers import compare
from gamexplain.certify.provenance import provenance_consistent
from gamexplain.certify.reasons import _status_consistent
from gamexplain.errors import CertificateTooLargeError
from gamexplain.model.distance import feature_distance
from gamexplain.model.multiclass import MulticlassGAM, rival_model

__all__ = [
    "RivalCertificate",
    "check_contrastive",
    "check_sufficiency",
    "check_sufficient_reason",
    "class_of",
    "digest",
    "target_text",
]

MAX_CHECK_POINTS = 200_000


@dataclass(frozen=True, kw_only=True)
class RivalCertificate:
    """Why a multiclass reason is what it claims to be.

    Attributes
    ----------
    model : str
        :func:`digest` of the model.
    prediction : int
        The index of the predicted class.
    rivals : tuple of (int, result)
        Per rival class, the certified binary result on its rival model: sufficiency
        checks (``is_sufficient_reason``) for sufficient sets, minimum contrastive
        reasons for contrastive ones.
    witness : tuple or None
        A point that changes the class (the completion breaking an insufficient set, or
        the contrastive reason's witness).
    breakers : tuple of (int, tuple)
        Subset-minimal sufficient reasons: per kept free feature, a point that keeps the
        other kept features and changes the class.
    cores : tuple of (frozenset of int, tuple)
        Minimum-size sufficient reasons: contrastive sets with points that change only
        them and change the class.
    minimality : tuple of (int, tuple of (int, result))
        Subset-minimal contrastive reasons: per changed feature j, every rival's
        certified sufficiency of keeping j and every feature outside the reason.
    """

    model: str
    prediction: int
    rivals: tuple[tuple[int, Any], ...] = ()
    witness: tuple[Any, ...] | None = None
    breakers: tuple[tuple[int, tuple[Any, ...]], ...] = ()
    cores: tuple[tuple[frozenset[int], tuple[Any, ...]], ...] = ()
    minimality: tuple[tuple[int, tuple[tuple[int, Any], ...]], ...] = ()


def digest(gam: MulticlassGAM) -> str:
    """The digests of the class score models and the labels, joined."""
    return repr(gam.classes) + "|" + "|".join(model_digest(m) for m in gam.scores)


def class_of(gam: MulticlassGAM, point: Sequence[Any]) -> int:
    """The exact argmax of the class scores at ``point``, ties to the lowest index."""
    scores = [score(m, point) for m in gam.scores]
    best = 0
    for c in range(1, len(scores)):
        if compare(scores[c], scores[best]) > 0:
            best = c
    return best


def target_text(gam: MulticlassGAM, index: int) -> str:
    return f"class {gam.classes[index]}"


def _model(gam: Any, result: Any) -> MulticlassGAM | None:
    if not isinstance(gam, MulticlassGAM) or result.certificate.model != digest(gam):
        return None
    try:
        return gam.covering(tuple(result.instance))
    except Exception:  # an instance of another model: its checks fail below
        return None


def _bound(
    gam: MulticlassGAM, result: Any, queries: tuple[str, ...], stopped: bool = False
) -> bool:
    """x is in the domain, the shown class and target are x's, the labels are the
    registry's, and the result claims exactness (or, ``stopped``, says it is a run the
    time limit cut)."""
    x = tuple(result.instance)
    if not in_domain(gam.scores[0], x) or not provenance_consistent(gam, result, queries):
        return False
    p = class_of(gam, x)
    cert = result.certificate
    names = tuple(getattr(result, "features", None) or ())
    claim = (False, "time_limit") if stopped else (True, "solved")
    return (
        len(set(names)) == len(names)
        and cert.prediction == p
        and result.prediction == gam.classes[p]
        and result.target == target_text(gam, p)
        and (result.exact, result.status) == claim
    )


def _agrees(x: Sequence[Any], point: Sequence[Any], on: frozenset[int]) -> bool:
    return all(point[i] == x[i] for i in on)


def _changes_class(gam: MulticlassGAM, x: Sequence[Any], point: Any, keep: frozenset[int]) -> bool:
    """``point`` is in the domain, agrees with x on ``keep`` and has another class."""
    if point is None or not in_domain(gam.scores[0], point):
        return False
    return _agrees(x, point, keep) and class_of(gam, point) != class_of(gam, x)


def _positions(gam: MulticlassGAM, names: Sequence[str]) -> frozenset[int]:
    return frozenset(gam.feature_names.index(n) for n in names)


def _rivals_sufficient(gam: MulticlassGAM, result: Any, kept: frozenset[int]) -> bool:
    """Every rival's binary result says x on ``kept`` is sufficient, and verifies."""
    cert, x = result.certificate, tuple(result.instance)
    p = cert.prediction
    if sorted(c for c, _ in cert.rivals) != [c for c in range(gam.n_classes) if c != p]:
        return False
    for c, sub in cert.rivals:
        same = tuple(sub.instance) == x and _positions(gam, sub.features) == kept
        if not (same and sub.holds and sub.verify(rival_model(gam, p, c))):
            return False
    return True


def check_sufficiency(result: Any, gam: Any) -> bool:
    """Re-check a multiclass ``is_sufficient_reason`` answer and the fields it shows."""
    model = _model(gam, result)
    if model is None or not _bound(model, result, ("csr",)):
        return False
    x, cert = tuple(result.instance), result.certificate
    kept = _positions(model, result.features)
    if result.values != tuple(x[i] for i in sorted(kept)) or cert.breakers or cert.cores:
        return False
    if cert.minimality:
        return False
    if result.holds:
        return cert.witness is None and _rivals_sufficient(model, result, kept)
    return _changes_class(model, x, cert.witness, kept)


def check_sufficient_reason(result: Any, gam: Any) -> bool:
    """Re-check a multiclass sufficient reason: sufficiency against every rival, one
    breaker per kept free feature, and for ``kind="minimum"`` the hitting-set bound."""
    model = _model(gam, result)
    stopped = result.status != "solved"  # a minimum search the time limit cut
    queries = ("msr",) if stopped else ("msr", "minimal-sr", "enum-sr")
    if model is None or not _bound(model, result, queries, stopped):
        return False
    x, cert = tuple(result.instance), result.certificate
    kept = _positions(model, result.features)
    fixed = _positions(model, result.fixed)
    if result.values != tuple(x[i] for i in sorted(kept)) or not fixed <= kept:
        return False
    if cert.minimality or not _rivals_sufficient(model, result, kept):
        return False
    if dict(cert.breakers).keys() != kept - fixed or len(cert.breakers) != len(kept - fixed):
        return False
    for j, point in cert.breakers:
        if not _changes_class(model, x, point, kept - {j}):
            return False
    if not _status_consistent(result):
        return False
    if stopped:  # the cores bound the size from below
        lower = result.size_bounds[0] - len(fixed)
        return lower >= 0 and _no_smaller(model, x, cert.cores, lower, fixed)
    if result.kind == "subset-minimal":
        return not cert.cores
    return result.kind == "minimum" and _no_smaller(model, x, cert.cores, len(kept - fixed),
                                                    fixed)  # fmt: skip


def _no_smaller(
    gam: MulticlassGAM,
    x: tuple[Any, ...],
    cores: Sequence[tuple[frozenset[int], Any]],
    least: int,
    fixed: frozenset[int],
) -> bool:
    """Every core is contrastive, and no set of fewer than ``least`` features meets them
    all."""
    everything = frozenset(range(gam.n_features))
    for core, point in cores:
        if core & fixed or not _changes_class(gam, x, point, everything - core):
            return False
    mentioned = sorted(frozenset().union(*(c for c, _ in cores))) if cores else []
    size = least - 1
    if size < 0:
        return True
    tries = comb(len(mentioned), size)
    if tries > MAX_CHECK_POINTS:
        raise CertificateTooLargeError(
            f"re-checking the minimum would try {tries} sets, more than {MAX_CHECK_POINTS}"
        )
    # a set of fewer than `least` meeting every core can be cut to one of exactly that size
    # within the mentioned features, or padded to it when fewer are mentioned
    return all(
        any(not (set(pick) & core) for core, _ in cores)
        for pick in itertools.combinations(mentioned, min(size, len(mentioned)))
    )


def check_contrastive(result: Any, gam: Any) -> bool:
    """Re-check a multiclass minimum contrastive reason: the witness changes the class,
    the chosen rival's reason verifies, and no rival has a smaller one."""
    if getattr(result, "kind", None) == "subset-minimal":
        return _check_subset_minimal_contrastive(result, gam)
    model = _model(gam, result)
    if model is None or result.certificate.minimality or not _loose_as_rivals(result):
        return False
    if not _bound(model, dataclasses.replace(result, exact=True, message=""), ("mcr",)):
        return False
    x, cert = tuple(result.instance), result.certificate
    p = cert.prediction
    if sorted(c for c, _ in cert.rivals) != [c for c in range(model.n_classes) if c != p]:
        return False
    for c, sub in cert.rivals:
        fixed_same = _positions(model, sub.fixed) == _positions(model, result.fixed)
        if not (tuple(sub.instance) == x and fixed_same and sub.verify(rival_model(model, p, c))):
            return False
        if sub.minimum_certified is False or sub.kind != "minimum":
            return False
    sizes = [sub.size for _, sub in cert.rivals if sub.exists]
    if result.features is None:
        return (
            not sizes and result.witness is None and cert.witness is None
            and result.witness_kind == "extreme" and result.distance is None
        )  # fmt: skip
    if not _nearest_consistent(model, cert.rivals, min(sizes), result):
        return False
    changed = _positions(model, result.features)
    everything = frozenset(range(model.n_features))
    return (
        len(changed) == min(sizes)
        and result.witness == cert.witness
        and _changes_class(model, x, result.witness, everything - changed)
        and result.values == tuple(result.witness[i] for i in sorted(changed))
        and result.witness_prediction == model.classes[class_of(model, result.witness)]
    )


def _kept_by_every_rival(
    gam: MulticlassGAM, x: tuple[Any, ...], p: int, results: Any, kept: frozenset[int]
) -> bool:
    """``results`` holds one verified sufficiency of ``kept`` per rival of p."""
    if sorted(c for c, _ in results) != [c for c in range(gam.n_classes) if c != p]:
        return False
    return all(
        tuple(sub.instance) == x and _positions(gam, sub.features) == kept and sub.holds
        and sub.verify(rival_model(gam, p, c))
        for c, sub in results
    )  # fmt: skip


def _check_subset_minimal_contrastive(result: Any, gam: Any) -> bool:
    """A subset-minimal contrastive reason C: the witness changes only C and changes the
    class; for every j in C, keeping j and everything outside C keeps the class against
    every rival (so no proper subset of C is contrastive: contrastiveness is monotone)."""
    model = _model(gam, result)
    if model is None or not _bound(model, result, ("enum-cr",)) or result.features is None:
        return False
    x, cert = tuple(result.instance), result.certificate
    if cert.rivals or cert.breakers or cert.cores or result.minimum_certified is not None:
        return False
    changed = _positions(model, result.features)
    fixed = _positions(model, result.fixed)
    outside = frozenset(range(model.n_features)) - changed
    if not changed or changed & fixed or [j for j, _ in cert.minimality] != sorted(changed):
        return False
    return (
        result.witness == cert.witness
        and _changes_class(model, x, result.witness, outside)
        and result.values == tuple(result.witness[i] for i in sorted(changed))
        and result.witness_prediction == model.classes[class_of(model, result.witness)]
        and all(
            _kept_by_every_rival(model, x, cert.prediction, results, outside | {j})
            for j, results in cert.minimality
        )
    )


def _loose_as_rivals(result: Any) -> bool:
    """A nearest witness is inexact, with the first such rival's message, exactly when a
    rival reason of the least size is; otherwise exact with no message."""
    subs = [sub for _, sub in result.certificate.rivals if sub.exists]
    size = min((sub.size for sub in subs), default=None)
    loose = [sub for sub in subs if sub.size == size and not sub.exact]
    if result.witness_kind != "nearest" or not loose:
        return result.exact is True and result.message == ""
    return result.exact is False and result.message == loose[0].message


def _nearest_consistent(gam: MulticlassGAM, rivals: Any, size: int, result: Any) -> bool:
    """A nearest witness is claimed only when every rival of the least size proved its
    own nearest witness, and its distance is the least of theirs and is the witness's;
    otherwise the witness is an extreme one and shows no distance."""
    smallest = [sub for _, sub in rivals if sub.exists and sub.size == size]
    if result.witness_kind == "extreme":
        return result.distance is None
    if result.witness_kind != "nearest" or result.distance is None:
        return False
    if any(sub.witness_kind != "nearest" or sub.distance is None for sub in smallest):
        return False
    least = min(sub.distance for sub in smallest)
    x = tuple(result.instance)
    return result.distance == least and _distance(gam, x, result.witness) == least


def _distance(gam: MulticlassGAM, x: Sequence[Any], point: Sequence[Any]) -> Any:
    parts = zip(gam.scores[0].features, point, x, strict=True)
    return sum((feature_distance(f.domain, z, v) for f, z, v in parts), Fraction(0))
