"""Re-check a size proof of a pair model's minimum reason in exact arithmetic.

A :class:`~gamexplain.algorithms.pair_size.SizeProof` claims that no reason of one kind
has ``size`` movable features. Its trees split the sets of that many *moved* features
(freed, for sufficient reasons: every movable feature the reason leaves out; changed, for
contrastive reasons) by feature, and every leaf must cover the sets under it:

* ``("empty",)``: no set of the right size agrees with the node's decisions;
* ``("bound", k, side)`` (sufficient): at adversarial point k, the least drop of the
  score towards the edge any such set causes is at least the node's sorted bound (each
  pair term over-counted as min(a, c − b) for its first feature and b for its second),
  and a score that far moved flips; so does every completion of each set;
* ``("point", z)`` (sufficient): z changes only moved features and flips;
* ``("bound", k)`` (contrastive): each feature's most drop, with orientation k splitting
  the pair terms, summed over the node's moved features and the largest of the rest,
  leaves the prediction in place;
* ``("holds", worst_case)`` (contrastive): the decided set's complement is sufficient.

Everything is recomputed here from the model in Fractions (with the cell enumeration of
:mod:`gamexplain.certify.reasons`); nothing is taken from the proof but its choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from gamexplain.certify.evaluate import contribution, in_domain, label, score

__all__ = ["no_smaller"]


def no_smaller(
    gam: Any,
    x: Sequence[Any],
    fixed: frozenset[int],
    count: int,
    proof: Any,
    kind: str,
    settled: bool = False,
) -> bool:
    """Whether ``proof`` shows that no ``kind`` reason ("sufficient", "contrastive") has
    ``count`` movable features, nor fewer.

    ``settled`` takes the worst cases of ``holds`` leaves as given (a solver checking
    the bounds it found in floats, whose worst cases came from its exact oracle);
    ``verify`` never sets it."""
    if type(proof).__name__ != "SizeProof" or proof.kind != kind:
        return False
    size = proof.size
    movable = [i for i in range(gam.n_features) if i not in fixed]
    if type(size) is not int or not count <= size <= len(movable) or count < 0:
        return False
    if gam.task.kind not in ("classification", "regression") or not gam.pairs:
        return False
    check = _Check(gam, tuple(x), fixed, proof)
    check.settled = settled
    trees = tuple(proof.trees)
    if kind == "sufficient":
        if len(trees) != 1 or trees[0][0] != "any":
            return False
        check.moved = len(movable) - size
        return check.node(trees[0][1], check.start(), "any")
    if tuple(side for side, _ in trees) != check.sides:
        return False
    check.moved = size
    return all(check.node(tree, check.start(), side) for side, tree in trees)


def _tau(side: str) -> int:
    return 1 if side == "min" else -1


class _Check:
    def __init__(self, gam: Any, x: tuple[Any, ...], fixed: frozenset[int], proof: Any) -> None:
        from gamexplain.certify.reasons import _bin, _sides

        self.gam, self.x, self.fixed, self.proof = gam, x, fixed, proof
        self.kind = proof.kind
        self.n = gam.n_features
        self.names = list(gam.feature_names)
        self.s = Fraction(score(gam, x))
        self.label = label(gam, self.s) if gam.task.kind == "classification" else None
        self.sides = _sides(gam, x)
        self.c = [Fraction(contribution(gam, i, x[i])) for i in range(self.n)]
        self.at = [
            (_bin(gam, pair, pair.features[0], x[pair.features[0]]),
             _bin(gam, pair, pair.features[1], x[pair.features[1]]))
            for pair in gam.pairs
        ]  # fmt: skip
        self._bin = _bin
        self.moved = 0
        self.settled = False
        self._dropped: dict[Any, Any] = {}
        self._pushes: dict[Any, Fraction] = {}
        self._shares: dict[tuple[int, str], Any] = {}

    def start(self) -> list[int]:
        return [0 if i in self.fixed else -1 for i in range(self.n)]

    # -- the edge ------------------------------------------------------------------------
    def flips_beyond(self, value: Fraction, side: str) -> bool:
        """Every score at or past ``value`` in direction ``side`` changes the prediction."""
        task = self.gam.task
        if task.kind == "regression":
            moved = self.s - value if side == "min" else value - self.s
            return moved > Fraction(task.tolerance)
        if side == "min":
            return self.label == 1 and label(self.gam, value) == 0
        return self.label == 0 and label(self.gam, value) == 1

    def keeps_within(self, value: Fraction, side: str) -> bool:
        """Every score at or before ``value`` in direction ``side`` keeps the prediction."""
        task = self.gam.task
        if task.kind == "regression":
            moved = self.s - value if side == "min" else value - self.s
            return moved <= Fraction(task.tolerance)
        wanted = 1 if side == "min" else 0
        return self.label == wanted and label(self.gam, value) == wanted

    # -- the tree -----------------------------------------------------------------------
    def node(self, tree: Any, status: list[int], side: str) -> bool:
        if not isinstance(tree, tuple) or not tree:
            return False
        tag = tree[0]
        undecided = [i for i, s in enumerate(status) if s < 0]
        inside = [i for i, s in enumerate(status) if s == 1]
        wanted = self.moved - len(inside)
        if tag == "empty":
            return len(tree) == 1 and not 0 <= wanted <= len(undecided)
        if not 0 <= wanted <= len(undecided):
            return False
        if tag == "split":
            if len(tree) != 4 or tree[1] not in self.names:
                return False
            i = self.names.index(tree[1])
            if status[i] >= 0:
                return False
            status[i] = 1
            ok = self.node(tree[2], status, side)
            status[i] = 0
            ok = ok and self.node(tree[3], status, side)
            status[i] = -1
            return ok
        decided = wanted in (0, len(undecided))
        moved = frozenset(inside) | (frozenset(undecided) if wanted else frozenset())
        if self.kind == "sufficient":
            if tag == "bound" and len(tree) == 3 and tree[2] in self.sides:
                return self._flips(tree[1], tree[2], status, wanted)
            if tag == "point" and len(tree) == 2 and decided:
                from gamexplain.certify.reasons import flips

                return flips(self.gam, self.x, tree[1], moved)
            return False
        if tag == "bound" and len(tree) == 2:
            return self._keeps(tree[1], side, status, wanted)
        if tag == "holds" and len(tree) == 2 and decided:
            from gamexplain.certify.reasons import sufficient

            kept = frozenset(range(self.n)) - moved
            if self.settled:
                shown = tuple(getattr(tree[1], "kept", ()) or ())
                return shown == tuple(self.names[i] for i in sorted(kept))
            return sufficient(self.gam, self.x, kept, tree[1])
        return False

    # -- sufficient: adversarial points ------------------------------------------------
    def _drops(self, k: Any, side: str) -> Any:
        """Point k's drops towards the edge: per feature, and per pair (a, b, c)."""
        key = (k, side)
        if key not in self._dropped:
            points = self.proof.points
            if type(k) is not int or not 0 <= k < len(points):
                raise _Refused
            z = tuple(points[k])
            if len(z) != self.n or not in_domain(self.gam, z):
                raise _Refused
            tau = _tau(side)
            drops = [tau * (self.c[i] - Fraction(contribution(self.gam, i, z[i])))
                     for i in range(self.n)]  # fmt: skip
            pairs = []
            for p, pair in enumerate(self.gam.pairs):
                i, j = pair.features
                table, (xi, xj) = _Exact(pair.values), self.at[p]
                zi, zj = self._bin(self.gam, pair, i, z[i]), self._bin(self.gam, pair, j, z[j])
                here = table[xi][xj]
                pairs.append((i, j, tau * (here - table[zi][xj]), tau * (here - table[xi][zj]),
                              tau * (here - table[zi][zj])))  # fmt: skip
            self._dropped[key] = (drops, pairs)
        return self._dropped[key]

    def _flips(self, k: Any, side: str, status: list[int], wanted: int) -> bool:
        try:
            drops, pairs = self._drops(k, side)
        except _Refused:
            return False
        if self._flips_float(k, side, status, wanted):
            return True
        return self._flips_exact(drops, pairs, side, status, wanted)

    def _flips_float(self, k: int, side: str, status: list[int], wanted: int) -> bool:
        """True when the bound of :meth:`_flips_exact`, computed in floats from the exact
        drops, passes the edge by more than every rounding could move it: at most
        N = 4(n + |pairs| + 4) roundings on any path (the conversions included), each at
        most 2^-53 of a magnitude no partial sum passes (B: |score| and |edge| plus
        every drop's magnitude), doubled for safety. False decides nothing."""
        key = ("float", k, side)
        if key not in self._dropped:
            drops, pairs = self._drops(k, side)
            task = self.gam.task
            edge = task.tolerance if task.kind == "regression" else task.threshold
            magnitude = abs(float(self.s)) + abs(float(edge)) + sum(abs(float(d)) for d in drops)
            magnitude += sum(abs(float(v)) for term in pairs for v in term[2:])
            steps = 4 * (self.n + len(pairs) + 4)
            error = 2 * steps * 2.0**-53 * 8 * magnitude
            floats = [float(d) for d in drops]
            terms = [(i, j, float(a), float(b), float(c)) for i, j, a, b, c in pairs]
            self._dropped[key] = (floats, terms, error)
        floats, terms, error = self._dropped[key]
        gains = [floats[i] if s < 0 else 0.0 for i, s in enumerate(status)]
        base = sum(floats[i] for i, s in enumerate(status) if s == 1)
        for i, j, a, b, c in terms:
            si, sj = status[i], status[j]
            if si >= 0 and sj >= 0:
                base += (0.0, b, a, c)[2 * si + sj]
            elif si >= 0:
                low = a if si else 0.0
                base += low
                gains[j] += (c if si else b) - low
            elif sj >= 0:
                low = b if sj else 0.0
                base += low
                gains[i] += (c if sj else a) - low
            else:
                gains[i] += min(a, c - b)
                gains[j] += b
        undecided = sorted(gains[i] for i, s in enumerate(status) if s < 0)
        least = base + sum(undecided[:wanted])
        task = self.gam.task
        if task.kind == "regression":
            room = float(task.tolerance)
        elif self.label != (1 if side == "min" else 0):
            return False
        else:
            room = _tau(side) * (float(self.s) - float(task.threshold))
        return least - room > error

    def _flips_exact(
        self, drops: Any, pairs: Any, side: str, status: list[int], wanted: int
    ) -> bool:
        base = Fraction(0)
        gains = [Fraction(0)] * self.n
        for i, s in enumerate(status):
            if s == 1:
                base += drops[i]
            elif s < 0:
                gains[i] = drops[i]
        for i, j, a, b, c in pairs:
            si, sj = status[i], status[j]
            if si >= 0 and sj >= 0:
                base += (Fraction(0), b, a, c)[2 * si + sj]
            elif si >= 0:
                low = a if si else Fraction(0)
                base += low
                gains[j] += (c if si else b) - low
            elif sj >= 0:
                low = b if sj else Fraction(0)
                base += low
                gains[i] += (c if sj else a) - low
            else:
                gains[i] += min(a, c - b)
                gains[j] += b
        undecided = sorted(gains[i] for i, s in enumerate(status) if s < 0)
        least = base + sum(undecided[:wanted], Fraction(0))
        return self.flips_beyond(self.s - _tau(side) * least, side)

    # -- contrastive: split pair terms ---------------------------------------------------
    def _share(self, p: int, side: str) -> Any:
        """Pair p's shares per bin of each feature: alone (partner at x) and extra (the
        most the feature's change adds whatever the partner's bin among those its cells
        reach)."""
        key = (p, side)
        if key not in self._shares:
            tau = _tau(side)
            pair = self.gam.pairs[p]
            i, j = pair.features
            table, (xi, xj) = _Exact(pair.values), self.at[p]
            here = table[xi][xj]
            rows = self._reached(i, p, side)
            columns = self._reached(j, p, side)
            alone_i = {a: tau * (here - table[a][xj]) for a in rows}
            alone_j = {b: tau * (here - table[xi][b]) for b in columns}
            extra_i = {a: max(tau * (table[xi][b] - table[a][b]) for b in columns) for a in rows}
            extra_j = {b: max(tau * (table[a][xj] - table[a][b]) for a in rows) for b in columns}
            self._shares[key] = (alone_i, alone_j, extra_i, extra_j)
        return self._shares[key]

    def _reached(self, j: int, p: int, side: str) -> list[int]:
        return _reached(self.gam, j, p, _tau(side))

    def _push(self, i: int, side: str, orientation: tuple[int, ...], status: list[int]) -> Fraction:
        """The most feature i's change adds to the drop, its partners that stay at x and
        the other pair terms split by ``orientation``."""
        from gamexplain.certify.reasons import _signature_effects

        terms = [(p, pair.features.index(i)) for p, pair in enumerate(self.gam.pairs)
                 if i in pair.features]  # fmt: skip
        forms = []
        for p, axis in terms:
            partner = self.gam.pairs[p].features[1 - axis]
            extra = status[partner] != 0 and orientation[p] != axis
            forms.append(extra)
        key = (i, side, tuple(zip((p for p, _ in terms), forms, strict=True)))
        if key not in self._pushes:
            tau = _tau(side)
            best: Fraction | None = None
            for signature, effect in _signature_effects(self.gam, i, tau).items():
                total = tau * self.c[i] - effect
                for t, ((p, axis), extra) in enumerate(zip(terms, forms, strict=True)):
                    # signatures list a feature's bins in the order of its pair terms
                    total += self._share(p, side)[2 * extra + axis][signature[t]]
                best = total if best is None or total > best else best
            assert best is not None
            self._pushes[key] = best
        return self._pushes[key]

    def _keeps(self, k: Any, side: str, status: list[int], wanted: int) -> bool:
        orientations = self.proof.points
        if type(k) is not int or not 0 <= k < len(orientations):
            return False
        orientation = tuple(orientations[k])
        if len(orientation) != len(self.gam.pairs) or not set(orientation) <= {0, 1}:
            return False
        if self._keeps_float(side, orientation, status, wanted):
            return True
        pushes = {i: self._push(i, side, orientation, status)
                  for i, s in enumerate(status) if s != 0}  # fmt: skip
        inside = sum((pushes[i] for i, s in enumerate(status) if s == 1), Fraction(0))
        rest = sorted((pushes[i] for i, s in enumerate(status) if s < 0), reverse=True)
        most = inside + sum(rest[:wanted], Fraction(0))
        return self.keeps_within(self.s - _tau(side) * most, side)

    # -- the same bound in floats, with a rigorous bound on the rounding ----------------
    def _keeps_float(
        self, side: str, orientation: tuple[int, ...], status: list[int], wanted: int
    ) -> bool:
        """True when the node's bound, computed in floats, clears the edge by more than
        every rounding could move it (:meth:`_rounding`); False decides nothing (the
        exact computation then runs)."""
        pushes = {i: self._float_push(i, side, orientation, status)
                  for i, s in enumerate(status) if s != 0}  # fmt: skip
        inside = sum(pushes[i] for i, s in enumerate(status) if s == 1)
        rest = sorted((pushes[i] for i, s in enumerate(status) if s < 0), reverse=True)
        most = inside + sum(rest[:wanted])
        task = self.gam.task
        if task.kind == "regression":
            room = float(task.tolerance)
        elif self.label != (1 if side == "min" else 0):
            return False
        else:
            room = _tau(side) * (float(self.s) - float(task.threshold))
        return room - most > self._rounding(side)

    def _rounding(self, side: str) -> float:
        """A bound on how far float evaluation can move a node's margin: each of at most
        N = 4(n + |pairs| + 4) roundings (a conversion, a difference, a sum, a maximum
        taken over rounded values) errs by at most 2^-53 times a magnitude that no
        partial sum passes, 8·B with B the sum of |score|, |threshold or tolerance|, each
        feature's largest |main effect| and twice each pair table's largest |value|;
        doubled for safety."""
        errors = self.__dict__.setdefault("_errors", {})
        if side not in errors:
            task = self.gam.task
            edge = task.tolerance if task.kind == "regression" else task.threshold
            magnitude = abs(float(self.s)) + abs(float(edge))
            for i in range(self.n):
                effects = self._float_effects(i, side)[0]
                magnitude += max(float(np.abs(effects).max()), abs(float(self.c[i])))
            magnitude += sum(2 * float(np.abs(t).max()) for t in self._float_tables())
            steps = 4 * (self.n + len(self.gam.pairs) + 4)
            errors[side] = 2 * steps * 2.0**-53 * 8 * magnitude
        return float(errors[side])

    def _float_tables(self) -> list[Any]:
        return [_float_table(self.gam, p) for p in range(len(self.gam.pairs))]

    def _float_effects(self, i: int, side: str) -> tuple[Any, Any]:
        """Feature i's signatures: tau·(least main effect) per signature, and the bins."""
        return _float_effects(self.gam, i, _tau(side))

    def _float_share(self, p: int, side: str) -> tuple[Any, Any, Any, Any]:
        cache = self.__dict__.setdefault("_float_shares", {})
        if (p, side) not in cache:
            tau = _tau(side)
            table = tau * self._float_tables()[p]
            xi, xj = self.at[p]
            i, j = self.gam.pairs[p].features
            rows, columns = self._reached(i, p, side), self._reached(j, p, side)
            here = table[xi, xj]
            alone_i = here - table[:, xj]
            alone_j = here - table[xi, :]
            extra_i = (table[xi, columns][None, :] - table[:, columns]).max(axis=1)
            extra_j = (table[rows, xj][:, None] - table[rows, :]).max(axis=0)
            cache[(p, side)] = (alone_i, alone_j, extra_i, extra_j)
        return cache[(p, side)]

    def _float_push(
        self, i: int, side: str, orientation: tuple[int, ...], status: list[int]
    ) -> float:
        terms = [(p, pair.features.index(i)) for p, pair in enumerate(self.gam.pairs)
                 if i in pair.features]  # fmt: skip
        effects, bins = self._float_effects(i, side)
        total = _tau(side) * float(self.c[i]) - effects
        for t, (p, axis) in enumerate(terms):
            partner = self.gam.pairs[p].features[1 - axis]
            extra = status[partner] != 0 and orientation[p] != axis
            total = total + self._float_share(p, side)[2 * extra + axis][bins[:, t]]
        return float(total.max())


class _Exact:
    """A pair table read entry by entry as exact rationals."""

    def __init__(self, values: Any) -> None:
        self.values = values

    def __getitem__(self, a: int) -> Any:
        row = self.values[a]
        return _ExactRow(row)


class _ExactRow:
    def __init__(self, row: Any) -> None:
        self.row = row

    def __getitem__(self, b: int) -> Fraction:
        return Fraction(self.row[b])


class _Memo:
    """What a model's checks share across calls: float tables, signature effects and
    reached bins (kept per model object: hashing a model reads all its values)."""

    def __init__(self, gam: Any) -> None:
        self.gam = gam
        self.tables: dict[int, Any] = {}
        self.effects: dict[tuple[int, int], tuple[Any, Any]] = {}
        self.reached: dict[tuple[int, int, int], list[int]] = {}


_MEMOS: dict[int, _Memo] = {}


def _memo(gam: Any) -> _Memo:
    held = _MEMOS.get(id(gam))
    if held is None or held.gam is not gam:
        if len(_MEMOS) >= 8:
            _MEMOS.pop(next(iter(_MEMOS)))
        held = _MEMOS[id(gam)] = _Memo(gam)
    return held


def _float_table(gam: Any, p: int) -> Any:
    """Pair term p's table in floats (exact for a fitted model's float values; any
    rounding of other rationals is within :meth:`_Check._rounding`)."""
    tables = _memo(gam).tables
    if p not in tables:
        tables[p] = np.array([[float(v) for v in row] for row in gam.pairs[p].values])
    return tables[p]


def _float_effects(gam: Any, i: int, tau: int) -> tuple[Any, Any]:
    """Feature i's signatures: tau·(least main effect) per signature in floats, and the
    signatures' bins as rows."""
    effects = _memo(gam).effects
    if (i, tau) not in effects:
        from gamexplain.certify.reasons import _signature_effects

        found = _signature_effects(gam, i, tau)
        values = np.array([float(v) for v in found.values()])
        bins = np.array(list(found), dtype=np.intp).reshape(len(found), -1)
        effects[(i, tau)] = (values, bins)
    return effects[(i, tau)]


def _reached(gam: Any, j: int, p: int, tau: int) -> list[int]:
    """The bins of pair term p that feature j's cells fall in, in increasing order."""
    reached = _memo(gam).reached
    if (j, p, tau) not in reached:
        bins = _float_effects(gam, j, tau)[1]
        position = [q for q, pair in enumerate(gam.pairs) if j in pair.features].index(p)
        reached[(j, p, tau)] = sorted({int(b) for b in bins[:, position]})
    return reached[(j, p, tau)]


class _Refused(Exception):
    """A proof's choice names no valid point."""
