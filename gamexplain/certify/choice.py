"""Refutations of multiple-choice systems, and their independent check.

A *multiple-choice system* picks one option per group; option o of group g adds a
vector v_go to a constant vector b, and the pick is feasible when every entry k of the
total is > 0 (``strict[k]``) or ≥ 0. The multiclass questions whose answer is "no point
does it" are such systems (:mod:`gamexplain.certify.multiclass_choice` builds them from
a model): the K − 1 constraints "class t beats class d" at one point, a budget on the
number of changed features, two blocks of them for two points that share all features
but one.

A refutation is a tree. A :class:`Refuted` leaf holds multipliers λ ≥ 0 (not all zero)
such that

    Σ_k λ_k b_k + Σ_g max over the allowed options o of Σ_k λ_k v_gok  <  0,

or = 0 with some constraint of positive λ_k strict. A feasible pick would make every
total_k ≥ 0 and every strict one > 0, so Σ_k λ_k·total_k ≥ 0, and > 0 when a strict
constraint has λ_k > 0; but that sum is at most the bound. So no pick is feasible.
A :class:`Split` node covers its group's allowed options by parts,
each refuted in turn. The check re-derives every allowed set from the values the parts
name (through the system's own ``vector``), checks the cover, and re-computes each
leaf's bound in exact rationals. Nothing is taken from the solver but the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from gamexplain.errors import CertificateTooLargeError

__all__ = ["CheckSystem", "Node", "Refuted", "Split", "refutes"]

MAX_CHECK_WORK = 5_000_000

Vector = tuple[Fraction, ...]


@dataclass(frozen=True)
class Refuted:
    """A leaf: multipliers λ, one per constraint, whose weighed sum is negative at every
    pick of the node's allowed options."""

    multipliers: tuple[Fraction, ...]


@dataclass(frozen=True)
class Split:
    """An inner node: group ``group``'s allowed options are covered by ``parts``, each a
    tuple of option values (points of the feature's domain) with the subtree refuting it."""

    group: int
    parts: tuple[tuple[tuple[Any, ...], Node], ...]


Node = Union[Refuted, Split]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class CheckSystem:
    """A system as the checker builds it from the model.

    Attributes
    ----------
    roots : sequence of frozenset of vectors
        Per group, the vectors of every option of the group (every value of its domain).
    vector : callable
        ``vector(g, value)``: the vector of the option ``value`` of group g, None when the
        value is not one of the group's (outside its domain).
    constant : vector
    strict : tuple of bool
    """

    roots: Sequence[frozenset[Vector]]
    vector: Callable[[int, Any], Vector | None]
    constant: Vector
    strict: tuple[bool, ...]


def refutes(system: CheckSystem, tree: Any) -> bool:
    """True iff ``tree`` proves that no pick of ``system`` meets every constraint.

    Raises
    ------
    CertificateTooLargeError
        The check would evaluate more than :data:`MAX_CHECK_WORK` options.
    """
    work = 0
    stack: list[tuple[Any, list[frozenset[Vector]]]] = [(tree, list(system.roots))]
    while stack:
        node, allowed = stack.pop()
        work += sum(len(a) for a in allowed)
        if work > MAX_CHECK_WORK:
            raise CertificateTooLargeError(
                f"the refutation would evaluate more than {MAX_CHECK_WORK} options"
            )
        if isinstance(node, Refuted):
            if not _leaf(system, allowed, node.multipliers):
                return False
        elif isinstance(node, Split):
            children = _children(system, allowed, node)
            if children is None:
                return False
            stack.extend(children)
        else:
            return False
    return True


def _children(
    system: CheckSystem, allowed: list[frozenset[Vector]], node: Split
) -> list[tuple[Any, list[frozenset[Vector]]]] | None:
    g = node.group
    if not (isinstance(g, int) and 0 <= g < len(allowed)) or not node.parts:
        return None
    out = []
    covered: set[Vector] = set()
    for values, child in node.parts:
        vectors = [system.vector(g, v) for v in values]
        if any(v is None for v in vectors):
            return None
        part = frozenset(v for v in vectors if v is not None)
        covered |= part
        out.append((child, [part if h == g else a for h, a in enumerate(allowed)]))
    return out if allowed[g] <= covered else None


def _leaf(system: CheckSystem, allowed: list[frozenset[Vector]], multipliers: Any) -> bool:
    m = len(system.constant)
    lam = tuple(multipliers)
    if len(lam) != m or not all(isinstance(v, Fraction | int) and v >= 0 for v in lam):
        return False
    if not any(lam):
        return False
    total = sum((Fraction(w) * b for w, b in zip(lam, system.constant, strict=True)), Fraction(0))
    for options in allowed:
        if not options:
            return True  # an empty group has no pick at all
        total += max(sum((w * v for w, v in zip(lam, o, strict=True)), Fraction(0))
                     for o in options)  # fmt: skip
    if total < 0:
        return True
    return total == 0 and any(system.strict[k] for k in range(m) if lam[k] > 0)
