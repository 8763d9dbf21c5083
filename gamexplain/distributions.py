"""Feature marginals for counting queries and SHAP: resolve ``distribution=`` and
turn a feature's marginal into exact probabilities.

Features are independent. A marginal is uniform (counting measure on ``Finite`` and
``Integers``, Lebesgue measure on ``Interval``), the one stored on the feature
(``feature.distribution``: per domain value, or per piece of a ``Piecewise`` shape and
uniform inside the piece), or one the caller passes. Every float probability is the
exact rational it denotes; a feature's probabilities are normalised exactly to sum to 1,
the convention :func:`~gamexplain.substrate.primitives.contribution_mean` follows too.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, TypeAlias

from gamexplain.errors import InvalidModelError, InvalidParameterError
from gamexplain.exact import normalise
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.substrate.pieces import Point, Segment, lower, segment_measure

__all__ = [
    "DistributionSpec",
    "bin_probabilities",
    "describe_distribution",
    "is_point_domain",
    "point_probabilities",
    "resolve_distribution",
    "segment_probabilities",
]

DistributionSpec: TypeAlias = (
    "str | Mapping[str, Sequence[float] | None] | Sequence[Sequence[float] | None]"
)
"""``"uniform"``, ``"model"``, a mapping feature name → probabilities, or a sequence of
probabilities (or None for uniform) aligned with the features."""


def resolve_distribution(gam: GAM, distribution: Any, caller: str) -> GAM:
    """The model whose features carry exactly the marginals the query should use.

    Parameters
    ----------
    gam : GAM
    distribution : "uniform", "model", mapping or sequence
        ``"uniform"`` drops every stored marginal; ``"model"`` keeps them (features
        without one stay uniform); a mapping name → probabilities sets the named
        features and makes the others uniform; a sequence gives one entry per feature
        (None is uniform). Probabilities are per domain value (finite domains) or per
        piece of a ``Piecewise`` shape.
    caller : str
        The public function's name, for error messages.

    Raises
    ------
    InvalidParameterError
        An unknown string, an unknown feature name, a sequence of the wrong length, or
        probabilities the feature cannot take (wrong length, negative, not summing to 1).
    """
    if isinstance(distribution, str):
        if distribution not in ("uniform", "model"):
            raise InvalidParameterError(
                f"The 'distribution' parameter of {caller} must be one of {{'uniform', "
                f"'model'}}, a mapping or a sequence. Got {distribution!r} instead."
            )
        if distribution == "model":
            return gam
        return _with_marginals(gam, [None] * gam.n_features, caller)
    if isinstance(distribution, Mapping):
        unknown = sorted(set(distribution) - set(gam.feature_names))
        if unknown:
            raise InvalidParameterError(
                f"The 'distribution' parameter of {caller} names unknown feature(s) {unknown}."
            )
        return _with_marginals(gam, [distribution.get(n) for n in gam.feature_names], caller)
    try:
        entries = list(distribution)
    except TypeError:
        raise InvalidParameterError(
            f"The 'distribution' parameter of {caller} must be 'uniform', 'model', a mapping "
            f"or a sequence. Got {distribution!r} instead."
        ) from None
    if len(entries) != gam.n_features:
        raise InvalidParameterError(
            f"The 'distribution' parameter of {caller} needs one entry per feature "
            f"({gam.n_features}). Got {len(entries)} instead."
        )
    return _with_marginals(gam, entries, caller)


def describe_distribution(label: Any) -> str:
    """How a result's printout names the marginals it used (its ``distribution`` field).

    >>> describe_distribution("model")
    "under the model's stored marginals"
    >>> describe_distribution("uniform")
    'under uniform marginals'
    """
    if label == "model":
        return "under the model's stored marginals"
    if label == "uniform":
        return "under uniform marginals"
    return "under the given marginals"


def _with_marginals(gam: GAM, entries: Sequence[Any], caller: str) -> GAM:
    features = []
    for feature, probs in zip(gam.features, entries, strict=True):
        marginal = None if probs is None else tuple(probs)
        if marginal == feature.distribution:
            features.append(feature)
            continue
        try:
            features.append(dataclasses.replace(feature, distribution=marginal))
        except InvalidModelError as exc:
            raise InvalidParameterError(
                f"The 'distribution' parameter of {caller} is invalid for feature "
                f"{feature.name!r}: {exc}"
            ) from exc
    return GAM(features=features, intercept=gam.intercept, task=gam.task, pairs=gam.pairs)


def is_point_domain(feature: Feature) -> bool:
    """Whether the feature's domain is a one-point interval (a point mass, not a length)."""
    domain = feature.domain
    return isinstance(domain, Interval) and domain.low == domain.high


def point_probabilities(feature: Feature) -> list[tuple[Any, Fraction]]:
    """(value, exact probability) for every value of an enumerable domain.

    Finite domains give their labels; ``Integers`` domains their integers (callers check
    that the range is small: this enumerates it).
    """
    pieces = lower(feature)
    if isinstance(pieces[0], Point):
        if feature.distribution is None:
            share = Fraction(1, len(pieces))
            return [(p.value, share) for p in pieces]
        probs = normalise(feature.distribution)
        return [(p.value, probs[p.index]) for p in pieces]
    if not isinstance(feature.domain, Integers):
        raise ValueError(f"feature {feature.name!r} has a continuous domain")
    out = []
    for segment, mass in zip(pieces, segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        count = int(segment.high - segment.low) + 1
        out += [(v, mass / count) for v in range(int(segment.low), int(segment.high) + 1)]
    return out


def segment_probabilities(feature: Feature) -> list[Fraction]:
    """The exact probability of each lowered segment of a numeric, non-finite feature.

    Uniform: the segment's share of the domain's count or length; with a per-piece
    distribution, the probability of the segment's piece (one segment per piece).
    """
    segments = lower(feature)
    point_domain = is_point_domain(feature)
    sizes = [segment_measure(s, point_domain) for s in segments]  # type: ignore[arg-type]
    if feature.distribution is None:
        total = sum(sizes, Fraction(0))
        return [size / total for size in sizes]
    probs = normalise(feature.distribution)
    return [probs[s.piece] for s in segments]  # type: ignore[union-attr]


def bin_probabilities(pair: PairTerm, axis: int, feature: Feature) -> list[Fraction]:
    """The exact probability of each bin of a pair term's ``axis``-th feature."""
    n_bins = pair.shape[axis]
    out = [Fraction(0)] * n_bins
    if isinstance(feature.domain, Finite):
        for value, prob in point_probabilities(feature):
            out[pair.bin_of(axis, feature, value)] += prob
        return out
    cuts = [Fraction(e) for e in pair.edges[axis]]  # type: ignore[union-attr]
    segments = lower(feature)
    point_domain = is_point_domain(feature)
    for segment, mass in zip(segments, segment_probabilities(feature), strict=True):
        assert isinstance(segment, Segment)
        if point_domain:
            out[pair.bin_of(axis, feature, segment.low)] += mass
            continue
        size = segment_measure(segment, point_domain)
        if not mass:
            continue  # a piece that meets the domain in one point of an interval
        # only the bins around the segment's ends can meet it (the cuts are sorted)
        first = max(bisect.bisect_right(cuts, segment.low) - 2, 0)
        final = min(bisect.bisect_left(cuts, segment.high) + 1, n_bins)
        for b in range(first, final):
            overlap = _overlap(segment, cuts[b], cuts[b + 1], last=b == n_bins - 1)
            out[b] += mass * overlap / size
    return out


def _overlap(segment: Segment, left: Fraction, right: Fraction, last: bool) -> Fraction:
    """The count (integers) or length (interval) of the segment inside bin [left, right)."""
    if segment.integers:
        first = max(math.ceil(left), int(segment.low))
        final = math.floor(right) if last else math.ceil(right) - 1
        final = min(final, int(segment.high))
        return Fraction(max(final - first + 1, 0))
    return max(min(right, segment.high) - max(left, segment.low), Fraction(0))
