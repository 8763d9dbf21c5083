"""Additive forests of decision trees, and their exact GAM.

Every boosting library stores the same thing: trees whose leaves add up to a score. Once
each library's reader (:mod:`gamexplain.io.trees`) has written its trees in one form —
each split as a *boundary* b, the values x ≥ b going right, which is how gamexplain's
pieces split too (a value equal to a breakpoint belongs to the piece on its right) — one
assembly turns the forest into a GAM: a tree reading one feature adds a step function to
that feature, a tree reading two adds to the pair term of those two, a tree reading none
adds to the intercept, and a tree reading three or more is refused.

Each piece's value is the sum of the leaves its trees reach there, rounded once to the
nearest double (:func:`math.fsum`); the leaves themselves are the exact values the
library stores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gamexplain.errors import InvalidModelError, InvalidParameterError, UnsupportedModelError
from gamexplain.io import kit
from gamexplain.model.domains import Domain, Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Piecewise
from gamexplain.model.task import Classification, Multiclass, Regression, Task

__all__ = ["Forest", "Tree", "after", "build", "float32_boundary", "float32_of"]


def after(threshold: float) -> float:
    """The boundary of a split that sends ``x <= threshold`` left (doubles compared)."""
    return math.nextafter(float(threshold), math.inf)


def float32_of(text: Any) -> float:
    """The float32 nearest the decimal ``text`` (ties to even), as a double.

    Read through the exact rational of the decimal, not through a double: rounding twice
    (decimal → double → float32) can land on the wrong float32 next to a midpoint.
    """
    exact = Fraction(str(text))
    with np.errstate(over="ignore"):  # next to the largest float32 lies infinity
        guess = np.float32(float(exact))
        below = np.nextafter(guess, np.float32(-np.inf))
        above = np.nextafter(guess, np.float32(np.inf))
    candidates = [c for c in (below, guess, above) if np.isfinite(c)]
    return float(min(candidates, key=lambda c: (abs(Fraction(float(c)) - exact), _odd(c))))


def _odd(value: np.float32) -> int:
    return int(np.asarray(value, dtype=np.float32).view(np.uint32)) & 1


def float32_boundary(threshold: float) -> float:
    """The boundary of a split that sends ``float32(x) < threshold`` left.

    XGBoost rounds each double feature value to float32 before comparing it with its
    float32 threshold t. The doubles that round to t or above start at the midpoint m
    between t and the float32 below it (m itself rounds to t when t's last bit is even,
    by round-half-to-even); m has 25 significant bits, so it is a double.
    """
    t = np.float32(threshold)
    below = np.nextafter(t, np.float32(-np.inf))
    midpoint = (float(below) + float(t)) / 2
    if np.float32(midpoint) >= t:
        return midpoint
    return math.nextafter(midpoint, math.inf)


@dataclass(frozen=True)
class Tree:
    """One tree: parallel arrays over its nodes, node 0 the root.

    Attributes
    ----------
    index : int
        Its position in the library's model (named in errors).
    feature : array of int
        The feature a node splits on, -1 at a leaf.
    boundary : array of float
        A split sends x ≥ boundary right and x < boundary left.
    left, right : array of int
        The children of a split (ignored at leaves).
    value : array of float
        The leaf values (ignored at splits).
    """

    index: int
    feature: NDArray[np.intp]
    boundary: NDArray[np.float64]
    left: NDArray[np.intp]
    right: NDArray[np.intp]
    value: NDArray[np.float64]

    @classmethod
    def of(
        cls, index: int, nodes: Sequence[tuple[int, float, int, int] | float], n_features: int
    ) -> Tree:
        """A tree from nodes that are ``(feature, boundary, left, right)`` or a leaf value.

        Raises
        ------
        InvalidModelError
            A child or a feature out of range, or a non-finite leaf or boundary.
        """
        size = len(nodes)
        where = f"tree {index}"
        if size == 0:
            raise InvalidModelError("a tree needs at least one node", where)
        split = [n if isinstance(n, tuple) else (-1, 0.0, 0, 0) for n in nodes]
        feature, boundary, left, right = (np.array(column) for column in zip(*split, strict=True))
        value = np.array([0.0 if isinstance(n, tuple) else float(n) for n in nodes])
        inner = feature >= 0
        if np.any((feature >= n_features) | (feature < -1)):
            raise InvalidModelError(f"a split reads a feature outside 0..{n_features - 1}", where)
        children = np.concatenate([left[inner], right[inner]])
        if np.any((children <= 0) | (children >= size)):
            raise InvalidModelError("a split's child is outside the tree", where)
        if not (np.isfinite(value).all() and np.isfinite(boundary[inner]).all()):
            raise InvalidModelError("a leaf value or threshold is not finite", where)
        return cls(
            index,
            feature.astype(np.intp),
            boundary.astype(float),
            left.astype(np.intp),
            right.astype(np.intp),
            value,
        )

    @property
    def features(self) -> tuple[int, ...]:
        """The features this tree splits on, in increasing order."""
        return tuple(int(f) for f in np.unique(self.feature[self.feature >= 0]))

    def boundaries(self, feature: int) -> NDArray[np.float64]:
        """The boundaries of the splits on ``feature``."""
        return self.boundary[self.feature == feature]

    def evaluate(self, columns: Mapping[int, NDArray[np.float64]]) -> NDArray[np.float64]:
        """The leaf each point reaches; ``columns`` gives the points' value of each
        feature the tree reads.

        Raises
        ------
        InvalidModelError
            The walk outlasts the number of nodes: the tree has a cycle.
        """
        n = len(next(iter(columns.values())))
        node = np.zeros(n, dtype=np.intp)
        for _ in range(len(self.feature) + 1):
            feature = self.feature[node]
            inner = feature >= 0
            if not inner.any():
                return self.value[node]
            right = np.zeros(n, dtype=bool)
            for f, column in columns.items():
                at = inner & (feature == f)
                right[at] = column[at] >= self.boundary[node[at]]
            node = np.where(inner, np.where(right, self.right[node], self.left[node]), node)
        raise InvalidModelError("its splits form a cycle", f"tree {self.index}")


@dataclass(frozen=True)
class Forest:
    """What a reader hands the assembly: trees whose leaves add to the score.

    Attributes
    ----------
    names : tuple of str
        The library's feature names (its defaults when it has none).
    trees : tuple of Tree
    base : float
        The score before any tree (base score, baseline, initial score) on the scale
        of the leaves.
    task : Task
    bounds : tuple of (Interval or None)
        A range the model records per feature (LightGBM's ``feature_infos``), or None.
    library : str
        Named in messages.
    groups : tuple of int
        A multiclass forest's class index of each tree (empty otherwise): every library
        read here grows one tree per class and iteration, and a class's score is the sum
        of its own trees.
    bases : tuple of float
        A multiclass forest's base score per class (empty otherwise); ``base`` is then
        unused.
    """

    names: tuple[str, ...]
    trees: tuple[Tree, ...]
    base: float
    task: Task | Multiclass
    bounds: tuple[Interval | None, ...]
    library: str
    groups: tuple[int, ...] = ()
    bases: tuple[float, ...] = ()


def build(
    forest: Forest,
    *,
    X: ArrayLike | None,
    names: Sequence[str] | None,
    domains: Mapping[str | int, Domain] | None,
    tolerance: float,
    caller: str,
) -> GAM | MulticlassGAM:
    """The GAM of ``forest``: steps per feature, 2-D tables per pair, exact leaves.

    A multiclass forest gives a :class:`~gamexplain.MulticlassGAM`: one score model per
    class from that class's trees, on breakpoints and pair edges shared by the classes
    (the union of every class's thresholds, so each class's steps are exact on them).

    Raises
    ------
    UnsupportedModelError
        A tree reads three or more features.
    InvalidParameterError
        Bad ``names``, ``domains``, ``X`` or ``tolerance``; a feature with no domain, or
        a tolerance for a classifier.
    """
    if isinstance(forest.task, Multiclass):
        if tolerance != 0.0:
            kit.with_tolerance(Classification(), tolerance, caller)
        return _multiclass(forest, X=X, names=names, domains=domains, caller=caller)
    task = kit.with_tolerance(forest.task, tolerance, caller)
    labels = kit.feature_names(names, forest.names, caller)
    chosen = _domains(forest, labels, domains, X, caller)
    constants, mains, pairs = _group(forest.trees, labels, forest.library)
    features = [
        _feature(label, chosen[i], i, _edges(mains[i], i, chosen[i]) if i in mains else None, mains)
        for i, label in enumerate(labels)
    ]
    terms = [_pair(pair, trees, trees, chosen) for pair, trees in sorted(pairs.items())]
    return GAM(features, math.fsum([forest.base, *constants]), task, terms)


def _multiclass(
    forest: Forest,
    *,
    X: ArrayLike | None,
    names: Sequence[str] | None,
    domains: Mapping[str | int, Domain] | None,
    caller: str,
) -> MulticlassGAM:
    assert isinstance(forest.task, Multiclass)
    k = forest.task.n_classes
    if len(forest.groups) != len(forest.trees) or len(forest.bases) != k:
        raise InvalidModelError(
            f"a {k}-class forest needs a class per tree and a base score per class"
        )
    labels = kit.feature_names(names, forest.names, caller)
    chosen = _domains(forest, labels, domains, X, caller)
    _, all_mains, all_pairs = _group(forest.trees, labels, forest.library)
    edges = {i: _edges(trees, i, chosen[i]) for i, trees in all_mains.items()}
    scores = []
    for c in range(k):
        own = tuple(t for t, g in zip(forest.trees, forest.groups, strict=True) if g == c)
        constants, mains, pairs = _group(own, labels, forest.library)
        features = [
            _feature(label, chosen[i], i, edges.get(i), mains) for i, label in enumerate(labels)
        ]
        terms = [
            _pair(pair, trees, pairs.get(pair, []), chosen)
            for pair, trees in sorted(all_pairs.items())
        ]
        scores.append(GAM(features, math.fsum([forest.bases[c], *constants]), Regression(), terms))
    return MulticlassGAM(forest.task, scores)


def _group(
    trees: Sequence[Tree], labels: tuple[str, ...], library: str
) -> tuple[list[float], dict[int, list[Tree]], dict[tuple[int, int], list[Tree]]]:
    """Leaf values of constant trees, and trees per feature and per pair they read."""
    constants: list[float] = []
    mains: dict[int, list[Tree]] = {}
    pairs: dict[tuple[int, int], list[Tree]] = {}
    for tree in trees:
        used = tree.features
        if len(used) > 2:
            read = ", ".join(repr(labels[f]) for f in used)
            raise UnsupportedModelError(
                f"{library} tree {tree.index} splits on {len(used)} features ({read}); "
                "gamexplain holds main effects and pairs only: train with interaction "
                "constraints of at most two features per group"
            )
        if not used:
            constants.append(float(tree.value[0]))
        elif len(used) == 1:
            mains.setdefault(used[0], []).append(tree)
        else:
            pairs.setdefault((used[0], used[1]), []).append(tree)
    return constants, mains, pairs


def _edges(trees: list[Tree], feature: int, domain: Domain) -> list[float]:
    """Breakpoints spanning ``domain`` at every boundary the trees put on ``feature``."""
    cuts = np.unique(np.concatenate([t.boundaries(feature) for t in trees]))
    low, high = kit.span(domain)
    edges, _ = kit.step_pieces(cuts, float(low), float(high))
    return edges


def _summed(trees: list[Tree], columns: Mapping[int, NDArray[np.float64]]) -> list[float]:
    """Per point, the sum of the trees' leaves, rounded once (math.fsum)."""
    if not trees:
        return [0.0] * len(next(iter(columns.values())))
    leaves = np.array([tree.evaluate(columns) for tree in trees])
    return [math.fsum(point) for point in leaves.T.tolist()]


def _feature(
    name: str, domain: Domain, i: int, edges: list[float] | None, mains: Mapping[int, list[Tree]]
) -> Feature:
    """Feature i's steps on ``edges`` (None: no tree reads it in any class)."""
    if edges is None:
        return Feature(name, domain, kit.zero_shape(domain))
    # every tree is constant on each piece, so the piece's left end stands for it
    values = _summed(mains.get(i, []), {i: np.array(edges[:-1])})
    return Feature(name, domain, Piecewise(edges, [[v] for v in values]))


def _pair(
    pair: tuple[int, int], shared: list[Tree], trees: list[Tree], domains: list[Domain]
) -> PairTerm:
    """The pair's 2-D table of ``trees`` on the edges of every tree in ``shared``."""
    i, j = pair
    rows, columns = _edges(shared, i, domains[i]), _edges(shared, j, domains[j])
    grid_i, grid_j = np.meshgrid(rows[:-1], columns[:-1], indexing="ij")
    values = np.array(_summed(trees, {i: grid_i.ravel(), j: grid_j.ravel()}))
    return PairTerm((i, j), (rows, columns), values.reshape(grid_i.shape).tolist())


def _domains(
    forest: Forest,
    labels: tuple[str, ...],
    domains: Mapping[str | int, Domain] | None,
    X: ArrayLike | None,
    caller: str,
) -> list[Domain]:
    """Given domains first, then the observed ranges of ``X``, then recorded bounds."""
    given = kit.positions(domains, labels, caller)
    observed = kit.domains_from_data(X, len(labels), caller) if X is not None else None
    why = f"is read from a {forest.library} model that stores no range, and no X was given"
    chosen: list[Domain] = []
    for i, label in enumerate(labels):
        recorded = forest.bounds[i]
        if i in given:
            chosen.append(_numeric(given[i], label, caller))
        elif observed is not None:
            chosen.append(observed[i])
        elif recorded is not None:
            chosen.append(recorded)
        else:
            chosen.append(kit.required_domain(given, i, label, why))
    return chosen


def _numeric(domain: Any, name: str, caller: str) -> Domain:
    if isinstance(domain, Interval | Integers) or (
        isinstance(domain, Finite) and domain.is_numeric
    ):
        return domain
    raise InvalidParameterError(
        f"The 'domains' parameter of {caller} must give feature {name!r} an Interval, an "
        f"Integers or a numeric Finite domain (trees compare numbers). Got {domain!r} instead."
    )
