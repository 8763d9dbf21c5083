"""Seeded instance generators for every cell of the complexity table.

:func:`generate` returns a model, an instance and the query's further arguments for a
cell (query, domain kind, component class, task), a size n and a hardness knob. The
family of instances follows the class the registry establishes for the cell:

* **random** (PTIME and output-polynomial cells): n random features of the cell's kind;
  the knob is the number of pieces per feature (values of a table, steps of an EBM,
  polynomial pieces of a spline) or the depth of a NAM's network;
* **knapsack** (CC, SHAP and Banzhaf of the label, FR): n features that contribute 0 or
  a random weight a_j, the weights ``knob`` bits wide (default n, the hard regime where
  the number of distinct partial sums grows like 2^n); FR asks about a subset-sum bit as
  in :func:`~gamexplain.lab.reductions.subset_sum_to_redundancy`;
* **partition** (MSR in regression with a tolerance): n three-valued features whose
  pushes up and down pull against each other, weights ``knob`` bits wide;
* **cnf** (sufficient and contrastive reasons, SHAP of the score and FR of NAMs on
  integers and intervals): a random 3-CNF with n variables and ``knob`` clauses (default n + 1)
  through :func:`~gamexplain.lab.reductions.cnf_to_nam`;
* **maxcut** (the ``pairs`` cells): n two-valued features and ``knob`` random edges
  (default 2n), each a pair term worth −1 when its ends differ: class 1 iff the cut stays
  below K = max(1, ⌈edges/2⌉) (``thm:pairs-conp``).
* **coupled** (responsiveness, fixed predictions and recourse under an action set): n
  0/1 features contributing 0 or a random weight a_j, ``knob`` bits wide (default n),
  joined by one ``OneHotEncoding(limit=n, limit_type="max")`` so that their component
  reaches all of {0, 1}^n (``thm:resp-sharp-p``); the target asks Σ a_j·y_j to pass half
  the total (knapsack counting for responsiveness). The exact algorithms enumerate the
  component's joint points, so their work grows like 2^n. On an interval cell a free
  feature of the cell's kind (its own component) joins them, held immutable for
  recourse (multiclass recourse refuses a moving sloped feature). The hardness of fixed
  predictions and recourse is proved with pair terms (``thm:fixed-separates``,
  ``thm:recourse-knapsack``): their ``pairs`` cells draw the maxcut family, every
  feature free and alone in its component, so R(x) is {0, 1}^n.

Every query that takes an action set gets one: every feature actionable over its domain
(:meth:`~gamexplain.model.actions.ActionSet.from_gam`) plus the family's constraints;
every query that takes data rows (LOCO) gets 4n seeded points of the domains.

The same arguments always give the same model (``seed`` feeds a private
:class:`random.Random`).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from gamexplain.complexity.queries import LABEL_ONLY, QUERIES, query_spec
from gamexplain.complexity.registry import (
    CELL_COMPONENTS,
    DOMAINS,
    PAIRS,
    TASKS,
    Cell,
    cell_entry,
)
from gamexplain.errors import InvalidParameterError
from gamexplain.lab.reductions import (
    classification_to_multiclass,
    cnf_to_relu_net,
    partition_to_target_class,
    regression_to_multiclass,
)
from gamexplain.model.actions import ActionSet, OneHotEncoding
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Layer, Piecewise, ReLUNet, Table
from gamexplain.model.task import Classification, Regression

__all__ = ["FAMILIES", "VARIANTS", "family_of", "generate", "generate_variant"]

FAMILIES: dict[str, str] = {
    "random": "pieces per feature (network depth for NAMs)",
    "knapsack": "bit-width of the weights",
    "partition": "bit-width of the weights",
    "cnf": "number of clauses",
    "maxcut": "number of edges",
    "coupled": "bit-width of the weights",
    "partition-target": "bit-width of the weights",
}
"""Each family of generated instances, and what its knob controls."""

#: Questions a cell answers with another algorithm under an option its default question
#: leaves unset, each a row of its own in the lab: name -> (cell, established class,
#: theorem). Their family is PARTITION toward a target class
#: (:func:`~gamexplain.lab.reductions.partition_to_target_class`): n even weights, twice
#: numbers ``knob`` bits wide (default n) with an odd sum, so no partition exists and only
#: parity shows it; ``target-pairs`` adds zero pair terms along a path, which change no
#: score but send the question to the pair algorithm.
VARIANTS: dict[str, tuple[Cell, str, str]] = {
    "target": (Cell("mcr", "finite", "table", "multiclass"), "NP-complete",
               "thm:multiclass-mcr-target"),
    "target-pairs": (Cell("mcr", "finite", PAIRS, "multiclass"), "NP-complete",
                     "thm:multiclass-mcr-target-pairs"),
}  # fmt: skip

_COUNTING = frozenset({"fr", "cc", "shap-label", "banzhaf-label"})
_EASY_CLASSES = frozenset({"PTIME", "output-polynomial", "output-quasi-polynomial"})
#: Queries whose arguments include an action set.
_ACTIONABLE = frozenset(key for key in QUERIES if "actions" in query_spec(key).arguments)


def family_of(cell: Cell) -> str:
    """The family of instances :func:`generate` draws for ``cell``.

    Examples
    --------
    >>> from gamexplain.complexity.registry import Cell
    >>> family_of(Cell("csr", "integers", "nam", "classification"))
    'cnf'
    >>> family_of(Cell("csr", "integers", "ebm", "classification"))
    'random'
    """
    entry = cell_entry(cell)
    if cell.component == PAIRS and (cell.query, cell.task) == ("fr", "multiclass"):
        return "knapsack"  # the parity subset-sum instance with pair terms (_fr_parity)
    if cell.component == PAIRS:
        return "maxcut"
    if cell.query in _ACTIONABLE:
        return "coupled"
    if entry.established in _EASY_CLASSES:
        return "random"
    if cell.query == "fr" and cell.component == "nam" and cell.domain != "finite":
        # continuous networks: the hardness lives in the extremes of one network
        return "cnf"
    if cell.query in _COUNTING:
        return "knapsack"
    if cell.component == "nam" and cell.domain != "finite":
        return "cnf"
    return "partition"


def generate(
    query: str,
    domain: str,
    component: str,
    task: str = "classification",
    n: int = 8,
    knob: int | None = None,
    seed: int = 0,
) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """A seeded instance of one cell of the complexity table.

    Parameters
    ----------
    query : str
        A registry query key (``"csr"``, ``"msr"``, ``"cc"``, …).
    domain : {"finite", "integers", "interval"}
    component : {"table", "ebm", "spline", "nam", "pairs"}
    task : {"classification", "regression", "multiclass"}
        A multiclass instance is the regression instance of the same cell turned into
        three classes by :func:`~gamexplain.lab.reductions.regression_to_multiclass`.
    n : int
        The size: features (random, knapsack, partition) or CNF variables (cnf).
    knob : int, optional
        The hardness knob of the family (see :data:`FAMILIES`); None picks its default.
    seed : int

    Returns
    -------
    gam : GAM or MulticlassGAM
    x : tuple
        An instance inside the domains.
    extra : dict
        The query's further arguments (``"S"`` for CSR and CC, ``"feature"`` for FR) and
        ``"family"``, ``"knob"``, ``"cell"``.

    Notes
    -----
    O(n·knob) to build, except the cnf family whose network has O(n + knob) units per
    layer.

    Examples
    --------
    >>> gam, x, extra = generate("msr", "interval", "ebm", n=4, knob=3, seed=1)
    >>> (gam.n_features, extra["family"], extra["cell"])
    (4, 'random', 'msr | interval | ebm | classification')
    """
    cell = _generate_iv(query, domain, component, task, n, knob, seed)
    if task == "multiclass" and query == "fr":
        # the binary subset-sum instance of thm:fr-conp as three classes (thm:multiclass-fr)
        return _fr_parity(cell, n, knob, seed)
    if task == "multiclass":
        # the regression instance of the same size, through the reduction of
        # thm:multiclass-msr-np: three classes, "inside" while |f(z) − f(x)| ≤ δ
        # a label query's regression cell does not exist; the model is the same
        asked = "cc" if query in LABEL_ONLY else query
        base, x, extra = generate(asked, domain, component, "regression", n, knob, seed)
        three, x = regression_to_multiclass(base, x)
        actions = _actions(cell, three, extra.get("actions"))
        return three, x, {**extra, **actions, "family": family_of(cell), "cell": str(cell)}
    family = family_of(cell)
    rng = random.Random(f"{seed}:{cell}:{n}:{knob}")
    build = {
        "random": _random,
        "knapsack": _knapsack,
        "partition": _partition,
        "cnf": _cnf,
        "maxcut": _maxcut,
        "coupled": _coupled,
    }
    gam, x, extra, used = build[family](cell, n, knob, rng)
    extra = {**extra, **_actions(cell, gam, extra.get("actions")), **_rows(cell, gam, rng)}
    return gam, x, {**extra, "family": family, "knob": used, "cell": str(cell)}


def _rows(cell: Cell, gam: Any, rng: random.Random) -> dict[str, Any]:
    """The data rows ``X`` of a query that takes them (LOCO): 4n seeded points of the
    domains, so the work of the one pass over them grows with n."""
    if "X" not in query_spec(cell.query).arguments:
        return {}
    rows = [[_point(f, rng) for f in gam.features] for _ in range(4 * gam.n_features)]
    return {"X": rows}


def _actions(cell: Cell, gam: Any, built: ActionSet | None) -> dict[str, Any]:
    """The action set of a query that takes one: every feature actionable over its domain,
    with the elements and constraints of ``built`` (the family's, or the base model's of
    a reduction)."""
    if cell.query not in _ACTIONABLE:
        return {}
    actions = ActionSet.from_gam(gam)
    if built is None:
        return {"actions": actions}
    elements = dict(zip(built.names, built.features, strict=True))
    return {"actions": actions.with_features(elements).with_constraints(*built.constraints)}


def generate_variant(
    name: str, n: int = 8, knob: int | None = None, seed: int = 0
) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """A seeded instance of a :data:`VARIANTS` question: the model, x and the query's
    further arguments and options (``"target"``), with ``"family"``, ``"knob"``,
    ``"cell"``.

    Notes
    -----
    O(n·knob) to build (``thm:multiclass-mcr-target``).

    Examples
    --------
    >>> gam, x, extra = generate_variant("target", n=4, seed=1)
    >>> (gam.n_classes, extra["target"], extra["cell"])
    (3, 't', 'mcr | finite | table | multiclass')
    """
    if name not in VARIANTS:
        choices = ", ".join(repr(v) for v in VARIANTS)
        raise InvalidParameterError(
            f"The 'name' parameter of generate_variant must be one of {{{choices}}}. "
            f"Got {name!r} instead."
        )
    cell = VARIANTS[name][0]
    _generate_iv(cell.query, cell.domain, cell.component, cell.task, max(n, 2), knob, seed)
    bits = knob if knob is not None else n
    rng = random.Random(f"{seed}:{name}:{n}:{knob}")
    halves = [rng.randint(2 ** (bits - 1), 2**bits - 1) for _ in range(n)]
    halves[0] += 1 - sum(halves) % 2
    # even weights with an odd half-total: no partition, and no fractional relaxation
    # sees it (the parity argument), so an exact search has to exhaust the sets
    gam, x = partition_to_target_class([2 * h for h in halves])
    if cell.component == PAIRS:
        zero = [[0.0, 0.0], [0.0, 0.0]]
        path = [PairTerm((i, i + 1), [None, None], zero) for i in range(n - 1)]
        gam = MulticlassGAM(gam.task, [GAM(list(m.features), m.intercept, m.task, path)
                                       for m in gam.scores])  # fmt: skip
    return gam, x, {"target": "t", "family": "partition-target", "knob": bits, "cell": str(cell)}


def _fr_parity(cell: Cell, n: int, knob: int | None, seed: int
              ) -> tuple[MulticlassGAM, tuple[Any, ...], dict[str, Any]]:  # fmt: skip
    """Multiclass FR on the subset-sum instance of thm:fr-conp (thm:multiclass-fr).

    Features ``bit`` (0 or 1) and x_j (0 or w_j) of the cell's kind (steps for a pairs
    cell) with the binary class "bit + Σ x_j ≥ half + 1", made three classes by
    :func:`~gamexplain.lab.reductions.classification_to_multiclass`; in a pairs cell, zero
    pair terms along a path change no score but send the question to the pair algorithms
    (thm:multiclass-fr-pairs, thm:multiclass-fr-pair-boxes). The weights are even with an
    odd half-total, so no subset hits it: ``bit`` is redundant, no witness exists, and only
    parity shows it, which neither the boxes' margin bounds nor the per-class-pair
    searches (class-pairs, class-pair-lines) see, so the proof has to split the cube.
    """
    bits = knob if knob is not None else n
    rng = random.Random(f"{seed}:{cell}:{n}:{knob}")
    halves = [rng.randint(2 ** (bits - 1), 2**bits - 1) for _ in range(n)]
    halves[0] += 1 - sum(halves) % 2
    weights = [2 * h for h in halves]
    steps = Cell(cell.query, cell.domain, "ebm" if cell.component == PAIRS else cell.component,
                 "classification")  # fmt: skip
    feats = [_valued("bit", [0, 1], steps, rng)]
    feats += [_valued(f"x{j}", [0, w], steps, rng) for j, w in enumerate(weights)]
    span = (0.0, 2.0) if cell.domain == "interval" else (0.0, 1.0)
    edges = [None, None] if cell.domain == "finite" else [span, span]
    width = 2 if cell.domain == "finite" else 1
    zero = [[0.0] * width for _ in range(width)]
    path = [PairTerm((i, i + 1), edges, zero) for i in range(len(feats) - 1)
            if cell.component == PAIRS]  # fmt: skip
    task = Classification(threshold=float(sum(halves) + 1))
    three = classification_to_multiclass(GAM(feats, intercept=0.0, task=task, pairs=path))
    x = tuple(_at(f, 0) for f in feats)
    return three, x, {"feature": "bit", "family": "knapsack", "knob": bits, "cell": str(cell)}


# -- families --------------------------------------------------------------------------------
Built = tuple[GAM, tuple[Any, ...], dict[str, Any], int]


def _random(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    pieces = knob if knob is not None else (2 if cell.component == "nam" else 4)
    feats = [_random_feature(f"x{i}", cell, max(pieces, 1), rng) for i in range(n)]
    gam = _model(feats, rng.randint(-3, 3) / 2, cell.task, rng)
    x = tuple(_point(f, rng) for f in feats)
    return gam, x, _arguments(cell, x, rng), pieces


def _knapsack(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    bits = knob if knob is not None else n
    weights = [rng.randint(2 ** (bits - 1), 2**bits - 1) for _ in range(n)]
    half = sum(weights) // 2
    feats = [_valued(f"x{j}", [0, -a], cell, rng) for j, a in enumerate(weights)]
    if cell.query == "fr":
        # the subset-sum shape of thm:fr-conp: x0 matters iff some subset hits `half`
        feats = [_valued(f"x{j}", [0, a], cell, rng) for j, a in enumerate(weights)]
        feats.insert(0, _valued("bit", [0, 1], cell, rng))
        task = _task(cell.task, float(half + 1), float(sum(weights) + 1))
        gam = GAM(feats, intercept=0.0, task=task)
        return gam, tuple(_at(f, 0) for f in feats), {"feature": "bit"}, bits
    task = _task(cell.task, 0.0, float(half))
    gam = GAM(feats, intercept=float(half), task=task)
    x = tuple(_at(f, 0) for f in feats)
    return gam, x, {"S": ()}, bits


def _partition(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    # the three-valued features of thm:msr-regression-np: −(M − w), 0, w
    bits = knob if knob is not None else n
    w = [rng.randint(2 ** (bits - 1), 2**bits - 1) for _ in range(n)]
    big = 2 * sum(w) // max(n, 1) + 1
    feats = [_valued(f"x{j}", [-(big - a), 0, a], cell, rng) for j, a in enumerate(w)]
    task = _task(cell.task, 0.0, float(sum(w)) / 2)
    gam = GAM(feats, intercept=0.0, task=task)
    x = tuple(_at(f, 1) for f in feats)
    return gam, x, _arguments(cell, x, rng), bits


def _cnf(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    m = knob if knob is not None else n + 1
    width = min(3, n)
    clauses = [
        [v * rng.choice([1, -1]) for v in rng.sample(range(1, n + 1), width)] for _ in range(m)
    ]
    net = cnf_to_relu_net(clauses, n, interval_penalty=cell.domain == "interval")
    span = 2**n - 1
    kind: Integers | Interval = (
        Integers(0, span) if cell.domain == "integers" else Interval(0, span)
    )
    guard = Feature("g", Finite([0, 1]), Table([-1.0, 0.0]))
    task = _task(cell.task, 0.0, 0.0)
    gam = GAM([Feature("r", kind, net), guard], intercept=0.0, task=task)
    x = (0, 0)
    return gam, x, {**_arguments(cell, x, rng), "clauses": clauses}, m


# -- features --------------------------------------------------------------------------------
def _maxcut(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    edges = knob if knob is not None else 2 * n
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = rng.sample(pairs, min(edges, len(pairs))) if pairs else []
    feats = [_bit(f"x{i}", cell.domain) for i in range(n)]
    axis = None if cell.domain == "finite" else [0.0, 0.5, 1.0]
    terms = [PairTerm((i, j), [axis, axis], [[0.0, -1.0], [-1.0, 0.0]]) for i, j in chosen]
    # class 1 iff the cut stays below K (about half the edges, at least 1); regression
    # tolerates every cut below K
    target = max(1, (len(chosen) + 1) // 2)
    gam = GAM(feats, 0.0, _task(cell.task, -target + 0.5, target - 0.5), terms)
    x = tuple(_at(f, 0) for f in feats)
    return gam, x, _arguments(cell, x, rng), len(chosen)


def _coupled(cell: Cell, n: int, knob: int | None, rng: random.Random) -> Built:
    # thm:resp-sharp-p: a one-hot "at most n" component reaches every 0/1 vector
    bits = knob if knob is not None else n
    weights = [rng.randint(2 ** (bits - 1), 2**bits - 1) for _ in range(n)]
    half = sum(weights) // 2
    members = Cell(cell.query, "finite" if cell.domain == "finite" else "integers",
                   cell.component, cell.task)  # fmt: skip
    feats = [_valued(f"y{j}", [0, a], members, rng) for j, a in enumerate(weights)]
    if cell.domain == "interval":
        feats.append(_valued("r", [0, 1, 0], cell, rng))
    gam = GAM(feats, float(-half) - 0.5, _task(cell.task, 0.0, float(half) + 0.5))
    names = [f.name for f in feats[:n]]
    actions = ActionSet.from_gam(gam)
    if cell.domain == "interval" and cell.query == "recourse":
        # a moving sloped feature makes a curve of class-score changes, which multiclass
        # recourse refuses (thm:multiclass-recourse); held, it keeps the cell's kind (the
        # binary and regression rows draw the same family, as the multiclass one reduces
        # from the regression instance)
        actions = actions.with_features({"r": {"actionable": False}})
    if n >= 2:
        actions = actions.with_constraints(OneHotEncoding(tuple(names), n, "max"))
    return gam, tuple(_at(f, 0) for f in feats), {"actions": actions}, bits


def _bit(name: str, domain: str) -> Feature:
    """A two-valued feature whose main effect is zero (the pair terms carry the model)."""
    if domain == "finite":
        return Feature(name, Finite([0, 1]), Table([0.0, 0.0]))
    kind = Integers(0, 1) if domain == "integers" else Interval(0, 1)
    return Feature(name, kind, Piecewise([0.0, 0.5, 1.0], [[0.0], [0.0]]))


def _random_feature(name: str, cell: Cell, pieces: int, rng: random.Random) -> Feature:
    if cell.component == "nam":
        return _random_net_feature(name, cell.domain, pieces, rng)
    values = [rng.randint(-6, 6) / 2 for _ in range(pieces + 1)]
    feature = _valued(name, values, cell, rng)
    if cell.component == "spline" and all(v == values[0] for v in values):
        return _valued(name, [*values[:-1], values[-1] + 1], cell, rng)
    return feature


def _random_net_feature(name: str, domain: str, depth: int, rng: random.Random) -> Feature:
    widths = [1, *[3] * depth, 1]
    layers = [
        Layer(
            [[rng.randint(-4, 4) / 2 for _ in range(b)] for _ in range(a)],
            [rng.randint(-4, 4) / 2 for _ in range(b)],
        )
        for a, b in itertools.pairwise(widths)
    ]
    kind: dict[str, Finite | Integers | Interval] = {
        "finite": Finite([-2, -1, 0, 1, 2]),
        "integers": Integers(-8, 8),
        "interval": Interval(-8, 8),
    }
    return Feature(name, kind[domain], ReLUNet(layers))


def _valued(name: str, values: list[float], cell: Cell, rng: random.Random) -> Feature:
    """A feature on the points 0..k−1 taking ``values`` there, of the cell's kind.

    EBM steps hold each value on [i, i + 1); splines and networks interpolate linearly,
    so on an interval their extremes are still the listed values.
    """
    k = len(values)
    weight = rng.choice([1.0, 1.0, 2.0, 0.5]) if cell.query not in _COUNTING else 1.0
    scaled = [v / weight for v in values]
    points = list(range(k))
    if cell.component == "table":
        return Feature(name, Finite(points), Table(scaled), weight)
    if cell.component == "ebm":
        shape: Any = Piecewise(list(range(k + 1)), [[v] for v in scaled])
        span = k if cell.domain == "interval" else k - 1
    elif cell.component == "spline" and cell.domain == "interval" and cell.query in _COUNTING:
        # a continuous spline would make FR easy (thm:fr-interval-continuous); jumps
        # between flat pieces keep the subset-sum structure, the last piece's slope
        # (on the single point k) keeps the shape a spline
        shape = Piecewise(list(range(k + 2)), [*([v, 0.0] for v in scaled), [scaled[-1], 1.0]])
        span = k
    elif cell.component == "spline":
        shape = _interpolant(scaled)
        span = k - 1
    else:
        shape = _relu_interpolant(scaled)
        span = k - 1
    domain: dict[str, Finite | Integers | Interval] = {
        "finite": Finite(points),
        "integers": Integers(0, span),
        "interval": Interval(0, span),
    }
    return Feature(name, domain[cell.domain], shape, weight)


def _interpolant(values: list[float]) -> Piecewise:
    if len(values) == 1:
        return Piecewise([0, 1], [[values[0], 0.0]])
    rows = [[a, b - a] for a, b in itertools.pairwise(values)]
    return Piecewise(list(range(len(values))), rows)


def _relu_interpolant(values: list[float]) -> ReLUNet:
    # v0 + Σ_i (s_i − s_{i−1})·ReLU(x − i), s_i the slope on [i, i + 1]
    slopes = [b - a for a, b in itertools.pairwise(values)] or [0.0]
    kinks = [slopes[0], *[b - a for a, b in itertools.pairwise(slopes)]]
    hidden = Layer([[1.0] * len(kinks)], [-float(i) for i in range(len(kinks))])
    return ReLUNet([hidden, Layer([[c] for c in kinks], [values[0]])])


def _point(feature: Feature, rng: random.Random) -> Any:
    domain = feature.domain
    if isinstance(domain, Finite):
        return rng.choice(domain.values)
    if isinstance(domain, Integers):
        return rng.randint(domain.low, domain.high)
    return rng.randint(int(domain.low) * 2, int(domain.high) * 2) / 2


def _at(feature: Feature, k: int) -> Any:
    return feature.domain.values[k] if isinstance(feature.domain, Finite) else k


# -- models and arguments ---------------------------------------------------------------------
def _task(kind: str, threshold: float, tolerance: float) -> Classification | Regression:
    if kind == "classification":
        return Classification(threshold=threshold)
    return Regression(tolerance=tolerance)


def _model(feats: list[Feature], intercept: float, task: str, rng: random.Random) -> GAM:
    return GAM(feats, intercept=intercept, task=_task(task, 0.0, rng.choice([0.0, 0.5, 1.0])))


def _arguments(cell: Cell, x: tuple[Any, ...], rng: random.Random) -> dict[str, Any]:
    if cell.query in ("csr", "cc"):
        return {"S": tuple(i for i in range(len(x)) if rng.random() < 0.5)}
    if cell.query == "fr":
        return {"feature": 0 if cell.component == "nam" else rng.randrange(len(x))}
    return {}


def _generate_iv(
    query: str, domain: str, component: str, task: str, n: Any, knob: Any, seed: Any
) -> Cell:
    for name, value, allowed in (
        ("query", query, QUERIES),
        ("domain", domain, DOMAINS),
        ("component", component, CELL_COMPONENTS),
        ("task", task, TASKS),
    ):
        if value not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            raise InvalidParameterError(
                f"The '{name}' parameter of generate must be one of {{{choices}}}. "
                f"Got {value!r} instead."
            )
    if component == PAIRS and n < 2:
        raise InvalidParameterError("a pairs instance needs n ≥ 2 features")
    if component == "table" and domain != "finite":
        raise InvalidParameterError("a table component needs the 'finite' domain")
    if task == "regression" and query in LABEL_ONLY:
        raise InvalidParameterError(f"the query {query!r} explains a label: use classification")
    for name, value, low in (("n", n, 1), ("knob", knob, 1), ("seed", seed, 0)):
        if value is None and name == "knob":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidParameterError(
                f"The '{name}' parameter of generate must be an integer ≥ {low}. "
                f"Got {value!r} instead."
            )
    return Cell(query, domain, component, task)
