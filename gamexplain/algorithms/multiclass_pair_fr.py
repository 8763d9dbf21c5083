"""Feature redundancy of a multiclass model with pair terms: a witness search.

Feature i is not redundant iff some point x of the other features and two values v, w of
i give different argmaxes. When every feature is a step function or finite, each class's
score depends on feature j only through which *elementary part* of its domain x_j lies in
(between consecutive breakpoints of any class's main effect and edges of the shared pair
terms), so each feature becomes an ordered list of representatives
(:func:`gamexplain.algorithms.pair_fr.representatives`, over the union of every class's
cuts) and the pair terms' bins come from :func:`gamexplain.algorithms.pair_fr_boxes`'s
float bisection.

The search (floats, to find) follows the binary pair-boxes search: for a point x let
S(v, c) be class c's score with i = v, m_c(v) = S(v, c) − max_(d≠c) S(v, d) class c's
margin and M_c = max_v m_c(v) its best margin over i's values. Two classes win somewhere
along i iff the second largest M_c is positive, so coordinate ascent over the other
features' representatives raises ψ(x) = second largest M_c; moving feature j changes S
by j's main effects and its pair terms (a k_j × k_i × K array when j is a partner of i).
Restarts begin at the middle representatives, then at random ones. A point where ψ is
near zero or above is re-evaluated exactly over every representative of i, and a witness
is kept only when the exact argmaxes differ; ``verify`` re-checks it with the multiclass
witness check (:mod:`gamexplain.certify.multiclass_choice`).

No redundancy proof is attempted: when the restarts find no witness the answer is
undecided (``budget_exhausted``), and on ``time_limit`` it is ``time_limit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gamexplain.algorithms.multiclass_choice import FrOutcome
from gamexplain.algorithms.pair_fr import representatives, step_reason
from gamexplain.algorithms.pair_fr_boxes import _bins, _numeric
from gamexplain.complexity.registry import register_algorithm
from gamexplain.exact import as_fraction
from gamexplain.model.shapes import Piecewise
from gamexplain.substrate import deadline

__all__ = ["RESTARTS", "fr_multiclass_pairs", "multiclass_pairs_applies"]

RESTARTS = 12
"""Starting points of the witness search; past them the answer is ``budget_exhausted``."""

_SWEEPS = 20
_NEAR = 1e-9


def multiclass_pairs_applies(gam: Any, options: Mapping[str, Any]) -> str | None:
    """None for a multiclass model with pair terms whose features are all steps or finite
    in every class."""
    if not gam.pairs:
        return "the model has no pair terms (class-pairs answers it exactly)"
    for model in gam.scores:
        for feature in model.features:
            reason = step_reason(feature)
            if reason is not None:
                return reason
    return None


class _Layout:
    """Per feature its representatives and per class their main effects (k_j × K), per
    pair term its class tables (b_0 × b_1 × K) and the bin of every representative."""

    def __init__(self, gam: Any) -> None:
        self.reps: list[list[Any]] = []
        self.main: list[NDArray[np.float64]] = []
        for j in range(gam.n_features):
            deadline.check()
            reps = representatives(gam.features[j], _cuts(gam, j))
            self.reps.append(reps)
            self.main.append(np.array([[float(as_fraction(m.features[j].contribution_exact(v)))
                                        for m in gam.scores] for v in reps]))  # fmt: skip
        self.pairs: list[tuple[int, int, NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]]
        self.pairs = []
        numeric = [_numeric(gam.features[j], self.reps[j]) for j in range(gam.n_features)]
        for p, pair in enumerate(gam.pairs):
            bins = [_bins(pair, a, gam.features[j], self.reps[j], *numeric[j])
                    for a, j in enumerate(pair.features)]  # fmt: skip
            table = np.stack([np.asarray(m.pairs[p].values, dtype=float) for m in gam.scores],
                             axis=-1)  # fmt: skip
            self.pairs.append((pair.features[0], pair.features[1], table, bins[0], bins[1]))
        self.intercepts = np.array([float(m.intercept) for m in gam.scores])


def _cuts(gam: Any, j: int) -> list[Any]:
    cuts: list[Any] = []
    for model in gam.scores:
        shape = model.features[j].shape
        cuts += list(shape.breakpoints) if isinstance(shape, Piecewise) else []
    for pair in gam.pairs:
        if j in pair.features:
            edges = pair.edges[pair.features.index(j)]
            cuts += [] if edges is None else list(edges[1:-1])
    return cuts


class _Search:
    """The witness search for feature i."""

    def __init__(self, gam: Any, layout: _Layout, i: int) -> None:
        self.gam, self.layout, self.i = gam, layout, i
        self.others = [j for j in range(gam.n_features) if j != i]

    def term(self, x: list[int], j: int) -> NDArray[np.float64]:
        """For every representative z of j and v of i, the scores j's terms add at x with
        x_j = z (k_j × k_i × K); i's own terms when j = i are left out."""
        layout, i = self.layout, self.i
        k_i = len(layout.reps[i])
        out = np.repeat(layout.main[j][:, None, :], k_i, axis=1)
        for j0, j1, table, b0, b1 in layout.pairs:
            if j0 == j:
                out += table[b0][:, b1] if j1 == i else table[b0, b1[x[j1]]][:, None, :]
            elif j1 == j:
                out += (table[:, b1].transpose(1, 0, 2)[:, b0] if j0 == i
                        else table[b0[x[j0]], b1][:, None, :])  # fmt: skip
        return out

    def scores(self, x: list[int]) -> NDArray[np.float64]:
        """S(v, c) at x for every representative v of i (k_i × K)."""
        layout, i = self.layout, self.i
        total = layout.intercepts + layout.main[i]
        for j in self.others:
            total = total + self.term(x, j)[x[j]]
        return total - _double(self, x)

    def descend(self, x: list[int], rng: np.random.Generator) -> list[int] | None:
        """Coordinate ascent on ψ from x; the point once ψ is near zero or above."""
        s = self.scores(x)
        for _ in range(_SWEEPS):
            changed = False
            for j in rng.permutation(self.others):
                deadline.check()
                j = int(j)
                term = self.term(x, j)
                table = s[None] - term[x[j]][None] + term
                value = _psi(table)
                best = np.flatnonzero(value == value.max())
                z = int(best[rng.integers(len(best))])
                changed |= z != x[j] and value[z] > value[x[j]]
                x[j], s = z, table[z]
                if value[z] > -_NEAR * (1.0 + float(np.abs(s).max())):
                    return x
            if not changed:
                return None
        return None

    def witness(self, x: list[int]) -> tuple[tuple[Any, ...], Any, Any, tuple[int, int]] | None:
        """The exact witness at x over i's representatives, if the argmax moves."""
        reps, gam, i = self.layout.reps, self.gam, self.i
        point = [_plain(reps[j][x[j]]) for j in range(gam.n_features)]
        seen: dict[int, Any] = {}
        for v in map(_plain, reps[i]):
            point[i] = v
            seen.setdefault(gam.predict_index(point), v)
            if len(seen) == 2:
                (c, v0), (e, w) = seen.items()
                point[i] = v0
                return tuple(point), v0, w, (c, e)
        return None

    def run(self, restarts: int) -> tuple[tuple[Any, ...], Any, Any, tuple[int, int]] | None:
        rng = np.random.default_rng(0)
        sizes = [len(r) for r in self.layout.reps]
        for k in range(restarts):
            x = [n // 2 if k == 0 else int(rng.integers(n)) for n in sizes]
            found = self.descend(x, rng)
            if found is not None:
                witness = self.witness(found)
                if witness is not None:
                    return witness
        return None


def _plain(value: Any) -> Any:
    """A representative as the float that holds it exactly, when one does (EBM bin
    edges), for a readable witness."""
    if isinstance(value, Fraction) and Fraction(float(value)) == value:
        return float(value)
    return value


def _double(search: _Search, x: list[int]) -> NDArray[np.float64]:
    """The pair terms between two features other than i, which ``scores`` counted once
    from each side."""
    layout, i = search.layout, search.i
    total = np.zeros(len(layout.intercepts))
    for j0, j1, table, b0, b1 in layout.pairs:
        if i not in (j0, j1):
            total = total + table[b0[x[j0]], b1[x[j1]]]
    return total


def _psi(s: NDArray[np.float64]) -> NDArray[np.float64]:
    """The second largest best margin M_c over the classes, along the leading axes of
    S(…, v, c)."""
    k = s.shape[-1]
    margins = np.empty_like(s)
    for c in range(k):
        rest = np.delete(s, c, axis=-1).max(axis=-1)
        margins[..., c] = s[..., c] - rest
    best = margins.max(axis=-2)
    return np.sort(best, axis=-1)[..., -2]


@register_algorithm(
    "fr",
    "multiclass-pair-search",
    summary="a float coordinate search over the other features' representatives for a point "
    "where two values of the feature give different argmaxes, re-checked exactly; no "
    "redundancy proof (undecided when no witness is found)",
    theorem="thm:multiclass-fr-pairs",
    priority=20,
    solves=lambda cell: cell.task == "multiclass",
    applies=multiclass_pairs_applies,
    multiclass=True,
)
def fr_multiclass_pairs(
    gam: Any, feature: int, *, max_states: int, time_limit: float | None
) -> FrOutcome:
    """Whether ``feature`` of a multiclass model with pair terms can change the argmax.

    Notes
    -----
    coNP-complete already for K = 2 (thm:multiclass-fr). Each coordinate move costs
    O(k_j·k_i·K²) float operations for k_j representatives of the moved feature and k_i of
    the asked one, at most :data:`RESTARTS` restarts of at most 20 sweeps. A witness is
    exact (re-evaluated in exact arithmetic); no witness found is reported undecided
    (``budget_exhausted``), never redundant: a redundancy proof for multiclass pair
    models is not implemented (thm:multiclass-fr-pairs).
    """
    found = _Search(gam, _Layout(gam), feature).run(RESTARTS)
    if found is not None:
        return FrOutcome(False, found, work={"restarts": RESTARTS})
    return FrOutcome(False, status="budget_exhausted", work={"restarts": RESTARTS},
                     message=f"no witness found in {RESTARTS} restarts of the search, and no "
                     "redundancy proof exists for multiclass models with pair terms")  # fmt: skip
