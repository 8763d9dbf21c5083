"""Hard instances: the reductions behind the hard cells of the complexity table.

Each function maps an instance of a classic problem to a gamexplain question whose
answer decides (or counts) the source instance, so a hardness claim of the table can be
run, not only read (Bassan, Moshkovitz and Katz, NeurIPS 2025; THEORY §4):

* :func:`subset_sum_to_redundancy` — subset sum to feature redundancy (FR, coNP);
* :func:`knapsack_count_to_completion` — counting knapsack solutions to the completion
  fraction and to SHAP of the label (#P);
* :func:`cnf_to_nam` — CNF satisfiability to sufficient, minimum-size and contrastive
  reasons of a neural additive model (coNP / NP), on integers or, with the penalty
  gadget, on an interval;
* :func:`cnf_count_to_shap` — counting models of a CNF to SHAP of the score of a NAM (#P);
* :func:`unpenalised_cnf_to_nam` — the interval gadget without its penalty, kept to
  demonstrate the erratum (``thm:nam-interval-penalty``);
* :func:`regression_to_multiclass` — sufficient reasons of a regression with tolerance
  to those of a three-class model, so MSR is NP-complete from K = 3
  (``thm:multiclass-msr-np``);
* :func:`classification_to_multiclass` — a binary classifier as three classes, so
  multiclass FR contains binary FR (``thm:multiclass-fr``);
* :func:`partition_to_target_class` — PARTITION to a contrastive reason toward a target
  class (``thm:multiclass-mcr-target``).

``cnf_to_relu_net`` builds the network all the CNF reductions share: a one-input ReLU
network that reads the bits of an integer input and evaluates a CNF on them, so its
maximum over a range is ≥ 0 exactly when the formula is satisfiable. The map back from
an input to a truth assignment is :func:`assignment_of`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from gamexplain.errors import InvalidParameterError
from gamexplain.model.domains import Finite, Integers, Interval
from gamexplain.model.gam import GAM, Feature, PairTerm
from gamexplain.model.multiclass import MulticlassGAM
from gamexplain.model.shapes import Layer, Piecewise, ReLUNet, Table
from gamexplain.model.task import Classification, Multiclass, Regression

__all__ = [
    "assignment_of",
    "classification_to_multiclass",
    "cnf_count_to_shap",
    "cnf_to_nam",
    "cnf_to_relu_net",
    "count_models",
    "knapsack_count_to_completion",
    "partition_to_target_class",
    "regression_to_multiclass",
    "subset_sum_to_redundancy",
    "unpenalised_cnf_to_nam",
]


def cnf_to_relu_net(
    clauses: Sequence[Sequence[int]], n_vars: int, *, interval_penalty: bool = False
) -> ReLUNet:
    """A ReLU network f on [0, 2^n − 1] with max f ≥ 0 iff the CNF is satisfiable.

    Parameters
    ----------
    clauses : sequence of sequences of int
        DIMACS literals: ``v`` is variable v (1-based), ``-v`` its negation. Variable v
        is bit v − 1 of the integer input.
    n_vars : int
        n, the number of bits read.
    interval_penalty : bool, default False
        Subtract M·Σ_j min(b_j, 1 − b_j) with M = w·m + 1, w the widest clause (at least
        3), so that the equivalence also
        holds over the real interval [0, 2^n − 1] (fractional inputs make fractional
        bits, which could otherwise satisfy an unsatisfiable formula).

    Returns
    -------
    ReLUNet
        n + 2 hidden layers of width at most n + 2m + 3 (n + 3 with the penalty).

    Notes
    -----
    Bit j (from the top) is b = ReLU(r − 2^j + 1) − ReLU(r − 2^j), then r ← r − 2^j·b;
    every carried value is ≥ 0, so a ReLU passes it unchanged. A clause with literal sum
    s is satisfied to degree s − ReLU(s − 1); the conjunction is
    ReLU(Σ_c (s_c − ReLU(s_c − 1)) − (m − 1)); the output subtracts 1/2. Size
    O(n·(n + m)) (``thm:nam-csr-conp``, ``thm:nam-mcr-np``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> net = cnf_to_relu_net([[1, -2]], 2)
    >>> [net.evaluate_exact(Fraction(r)) for r in range(4)]
    [Fraction(1, 2), Fraction(1, 2), Fraction(-1, 2), Fraction(1, 2)]
    """
    _cnf_iv(clauses, n_vars)
    m = len(clauses)
    # each unit is (coefficients over the previous layer's units, bias)
    layers: list[list[tuple[dict[int, float], float]]] = []
    top = n_vars - 1
    # layer 0 reads x: the two units of the top bit, and x itself
    layers.append([({0: 1.0}, -(2.0**top) + 1), ({0: 1.0}, -(2.0**top)), ({0: 1.0}, 0.0)])
    for j in range(top - 1, -1, -1):
        # previous layer: [p1, p2, r, bits so far...]; bit j+1 = p1 − p2
        done = len(layers[-1]) - 3
        bit = {0: 1.0, 1: -1.0}
        rest = {2: 1.0, 0: -(2.0 ** (j + 1)), 1: 2.0 ** (j + 1)}
        units = [
            (rest, -(2.0**j) + 1),
            (rest, -(2.0**j)),
            (rest, 0.0),
            (bit, 0.0),
            *[({3 + k: 1.0}, 0.0) for k in range(done)],
        ]
        layers.append(units)
    # last layer: [p1, p2, r, bit 1, bit 2, …, bit n−1]; bit 0 = p1 − p2
    done = len(layers[-1]) - 3
    bits: dict[int, dict[int, float]] = {0: {0: 1.0, 1: -1.0}}
    for k in range(done):
        bits[1 + k] = {3 + k: 1.0}
    clause_units: list[tuple[dict[int, float], float]] = []
    for clause in clauses:
        total: dict[int, float] = {}
        constant = 0.0
        for literal in clause:
            sign = 1.0 if literal > 0 else -1.0
            constant += 0.0 if literal > 0 else 1.0
            for unit, coef in bits[abs(literal) - 1].items():
                total[unit] = total.get(unit, 0.0) + sign * coef
        clause_units += [(total, constant - 1), (total, constant)]
    penalty_units: list[tuple[dict[int, float], float]] = []
    if interval_penalty:
        for v in range(n_vars):
            penalty_units += [({u: 2 * c for u, c in bits[v].items()}, -1.0), (bits[v], 0.0)]
    layers.append(clause_units + penalty_units)
    # conjunction: ReLU(Σ_c (s_c − ReLU(s_c − 1)) − (m − 1)), and the carried penalty
    conj = {2 * c + 1: 1.0 for c in range(m)} | {2 * c: -1.0 for c in range(m)}
    final = [(conj, -(m - 1.0))]
    if interval_penalty:
        base = 2 * m
        final.append(({base + 2 * v + 1: 1.0 for v in range(n_vars)}
                      | {base + 2 * v: -1.0 for v in range(n_vars)}, 0.0))  # fmt: skip
    layers.append(final)
    # the rounding argument moves a clause's literal sum by at most (its width)·d
    width = max(3, max((len(clause) for clause in clauses), default=0))
    big_m = float(width * m + 1)
    output = [({0: 1.0, **({1: -big_m} if interval_penalty else {})}, -0.5)]
    layers.append(output)
    return _network(layers)


def _cnf_iv(clauses: Sequence[Sequence[int]], n_vars: int) -> None:
    if isinstance(n_vars, bool) or not isinstance(n_vars, int) or n_vars < 1:
        raise InvalidParameterError(f"n_vars must be a positive integer, got {n_vars!r}")
    if not clauses:
        raise InvalidParameterError("the CNF needs at least one clause")
    for c, clause in enumerate(clauses):
        if not clause or any(not 1 <= abs(int(lit)) <= n_vars for lit in clause):
            raise InvalidParameterError(
                f"clause {c} must hold literals ±1..±{n_vars}, got {list(clause)!r}"
            )


def _network(layers: list[list[tuple[dict[int, float], float]]]) -> ReLUNet:
    dense = []
    fan_in = 1
    for units in layers:
        weights = [[units[j][0].get(i, 0.0) for j in range(len(units))] for i in range(fan_in)]
        dense.append(Layer(weights, [bias for _, bias in units]))
        fan_in = len(units)
    return ReLUNet(dense)


# -- subset sum and knapsack: the counting rows ----------------------------------------------
def subset_sum_to_redundancy(weights: Sequence[int], target: int) -> tuple[GAM, str]:
    """Subset sum as feature redundancy: the feature is redundant iff no subset hits target.

    Parameters
    ----------
    weights : sequence of int
        a_1, …, a_m, positive integers.
    target : int
        T ≥ 0.

    Returns
    -------
    gam : GAM
        Classification of Σ_j a_j·x_j + x_0 ≥ T + 1 over x ∈ {0, 1}^{m+1} (one table
        feature per bit, finite domains).
    feature : str
        ``"x0"``: redundant iff no subset of the weights sums to exactly T.

    Notes
    -----
    Flipping x_0 changes the class only when the other features sum to exactly T (they
    are integers), so x_0 is *not* redundant iff a subset sums to T. Built in O(m);
    this is the coNP-hardness of FR (``thm:fr-conp``).

    Examples
    --------
    >>> from gamexplain import is_redundant
    >>> gam, feature = subset_sum_to_redundancy([3, 5, 9], 8)
    >>> bool(is_redundant(gam, feature))
    False
    """
    items = _positive_integers(weights, "weights", "subset_sum_to_redundancy")
    goal = _natural(target, "target", "subset_sum_to_redundancy")
    bits = [_bit_feature("x0", 1)] + [
        _bit_feature(f"x{j}", a) for j, a in enumerate(items, start=1)
    ]
    task = Classification(threshold=float(goal + 1), positive=">=")
    return GAM(bits, intercept=0.0, task=task), "x0"


def knapsack_count_to_completion(
    weights: Sequence[int], capacity: int
) -> tuple[GAM, tuple[int, ...], tuple[str, ...]]:
    """Counting knapsack solutions as a completion fraction (and as SHAP of the label).

    Parameters
    ----------
    weights : sequence of int
        a_1, …, a_m, positive integers.
    capacity : int
        C ≥ 0.

    Returns
    -------
    gam : GAM
        Classification of C − Σ_j a_j·x_j ≥ 0 over x ∈ {0, 1}^m.
    x : tuple of int
        All zeros, which is class 1.
    S : tuple of str
        Empty: every feature is free.

    Notes
    -----
    Under the uniform distribution, ``completion_fraction(gam, x, S)`` equals
    N / 2^m, N the number of subsets of total weight ≤ C. The same model and instance
    count through SHAP of the label: by efficiency Σ_i φ_i = 1 − N / 2^m. Built in O(m)
    (``thm:cc-sharp-p``, ``thm:shap-label-sharp-p``).

    Examples
    --------
    >>> from gamexplain import completion_fraction
    >>> gam, x, S = knapsack_count_to_completion([2, 3, 4], 5)
    >>> completion_fraction(gam, x, S).exact_fraction * 2**3
    Fraction(5, 1)
    """
    items = _positive_integers(weights, "weights", "knapsack_count_to_completion")
    room = _natural(capacity, "capacity", "knapsack_count_to_completion")
    bits = [_bit_feature(f"x{j}", -a) for j, a in enumerate(items, start=1)]
    gam = GAM(bits, intercept=float(room), task=Classification(threshold=0.0, positive=">="))
    return gam, (0,) * len(items), ()


def _bit_feature(name: str, value: int) -> Feature:
    return Feature(name, Finite([0, 1]), Table([0.0, float(value)]))


# -- CNF satisfiability: the NAM rows ------------------------------------------------------
InputDomain = Literal["integers", "interval"]


def cnf_to_nam(
    clauses: Sequence[Sequence[int]], n_vars: int, domain: InputDomain = "integers"
) -> tuple[GAM, tuple[Any, ...]]:
    """CNF satisfiability as sufficient and contrastive reasons of a NAM.

    Parameters
    ----------
    clauses : sequence of sequences of int
        DIMACS literals over variables 1..n_vars.
    n_vars : int
    domain : {"integers", "interval"}
        The domain of the network's input: the integers 0..2^n − 1, or the real interval
        [0, 2^n − 1], where the network carries the penalty gadget.

    Returns
    -------
    gam : GAM
        Two features: ``r``, the CNF network of :func:`cnf_to_relu_net` (f(r) = 1/2 on a
        satisfying assignment, f(r) ≤ −1/2 elsewhere), and a guard ``g`` in {0, 1}
        contributing −1 at 0 and 0 at 1; class 1 iff f(r) + guard ≥ 0.
    x : tuple
        (0, 0): class 0 whatever the formula.

    Notes
    -----
    At x the guard holds the score below 0, so:

    * CSR: the empty set is a sufficient reason iff the formula is unsatisfiable;
    * MSR: the minimum size is 0 iff it is unsatisfiable (else {g} of size 1);
    * MCR: a contrastive reason exists iff it is satisfiable, and the witness's ``r``
      decodes, by :func:`assignment_of`, to a satisfying assignment.

    The network has O(n + m) width and n + 3 layers (``thm:nam-csr-conp``,
    ``thm:nam-mcr-np``; on intervals ``thm:nam-interval-penalty``).

    Examples
    --------
    >>> from gamexplain import is_sufficient_reason
    >>> gam, x = cnf_to_nam([[1], [-1]], 1)
    >>> bool(is_sufficient_reason(gam, x, []))
    True
    """
    _domain_iv(domain, "cnf_to_nam")
    net = cnf_to_relu_net(clauses, n_vars, interval_penalty=domain == "interval")
    return _guarded(net, n_vars, domain), (0, 0)


def unpenalised_cnf_to_nam(
    clauses: Sequence[Sequence[int]], n_vars: int
) -> tuple[GAM, tuple[Any, ...]]:
    """The interval version of :func:`cnf_to_nam` *without* the penalty gadget (unsound).

    Kept to demonstrate the erratum: on the real interval [0, 2^n − 1] the bit
    extraction yields fractional "bits", and a clause evaluates to 1 on a half-true
    literal pair, so some unsatisfiable formulas get a point of class 1 and the empty
    set is wrongly declared not sufficient (``thm:nam-interval-penalty``).

    Examples
    --------
    >>> from gamexplain import is_sufficient_reason
    >>> xor_free = [[1, 2], [-1, -2], [1, -2], [-1, 2]]   # unsatisfiable
    >>> gam, x = unpenalised_cnf_to_nam(xor_free, 2)
    >>> bool(is_sufficient_reason(gam, x, []))           # fooled at r = 3/2
    False
    """
    net = cnf_to_relu_net(clauses, n_vars, interval_penalty=False)
    return _guarded(net, n_vars, "interval"), (0, 0)


def cnf_count_to_shap(clauses: Sequence[Sequence[int]], n_vars: int) -> tuple[GAM, tuple[int, ...]]:
    """Counting models of a CNF as the SHAP value of the score of a one-feature NAM.

    Parameters
    ----------
    clauses, n_vars
        As in :func:`cnf_to_relu_net`.

    Returns
    -------
    gam : GAM
        Regression on the single feature ``r`` over the integers 0..2^n − 1, shape the
        CNF network (1/2 on satisfying assignments, −1/2 elsewhere).
    x : tuple of int
        (0,).

    Notes
    -----
    Under the uniform distribution SHAP of the score is φ = f(x) − E f(R) and
    E f(R) = N / 2^n − 1/2 for N satisfying assignments, so
    N = 2^n·(f(x) − φ + 1/2) (``thm:nam-shap-score-sharp-p``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> from gamexplain import shap_values
    >>> gam, x = cnf_count_to_shap([[1, 2]], 2)
    >>> phi = shap_values(gam, x).exact_values[0]
    >>> 2**2 * (gam.score_exact(x) - phi + Fraction(1, 2))
    Fraction(3, 1)
    """
    net = cnf_to_relu_net(clauses, n_vars)
    feature = Feature("r", Integers(0, 2**n_vars - 1), net)
    return GAM([feature], intercept=0.0, task=Regression()), (0,)


def assignment_of(r: Any, n_vars: int) -> tuple[bool, ...]:
    """The truth assignment an integer input encodes: variable v is bit v − 1 of r.

    Examples
    --------
    >>> assignment_of(6, 3)
    (False, True, True)
    """
    value = int(r)
    return tuple(bool(value >> v & 1) for v in range(n_vars))


def count_models(clauses: Sequence[Sequence[int]], n_vars: int) -> int:
    """The number of satisfying assignments, by enumerating all 2^n of them.

    The brute-force reference for the source side of the CNF reductions; exponential,
    meant for the small formulas of tests and notebooks.

    Examples
    --------
    >>> count_models([[1, 2], [-1]], 2)
    1
    """
    _cnf_iv(clauses, n_vars)
    return sum(
        all(any((lit > 0) == assignment[abs(lit) - 1] for lit in clause) for clause in clauses)
        for assignment in (assignment_of(r, n_vars) for r in range(2**n_vars))
    )


def _guarded(net: ReLUNet, n_vars: int, domain: str) -> GAM:
    span = 2**n_vars - 1
    kind = Integers(0, span) if domain == "integers" else Interval(0, span)
    guard = Feature("g", Finite([0, 1]), Table([-1.0, 0.0]))
    return GAM([Feature("r", kind, net), guard], intercept=0.0, task=Classification(0.0))


# -- validation ----------------------------------------------------------------------------
def _positive_integers(values: Sequence[int], name: str, func: str) -> list[int]:
    items = list(values)
    if not items or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in items):
        raise InvalidParameterError(
            f"The '{name}' parameter of {func} must be a non-empty list of positive "
            f"integers. Got {items!r} instead."
        )
    return items


def _natural(value: int, name: str, func: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParameterError(
            f"The '{name}' parameter of {func} must be an integer ≥ 0. Got {value!r} instead."
        )
    return value


def _domain_iv(domain: str, func: str) -> None:
    if domain not in ("integers", "interval"):
        raise InvalidParameterError(
            f"The 'domain' parameter of {func} must be one of {{'integers', 'interval'}}. "
            f"Got {domain!r} instead."
        )


def regression_to_multiclass(gam: GAM, x: Sequence[Any]) -> tuple[MulticlassGAM, tuple[Any, ...]]:
    """A three-class model whose class at z is "inside" exactly when a regression keeps
    its prediction at z: |f(z) − f(x)| ≤ δ.

    Parameters
    ----------
    gam : GAM
        A regression model with tolerance δ.
    x : sequence
        The instance.

    Returns
    -------
    MulticlassGAM
        Classes ``("inside", "above", "below")`` with scores 0, f(z) − f(x) − δ and
        f(x) − f(z) − δ: "inside" wins (ties go to it, the lowest index) iff the score
        stays within δ of f(x). So the sufficient reasons, subset-minimal and minimum,
        and the contrastive reasons of the two questions coincide.
    tuple
        x, validated.

    Raises
    ------
    InvalidParameterError
        ``gam`` is not a regression, or f(x) ± δ is not a float (the intercepts must
        hold it exactly; integer models always qualify).

    Notes
    -----
    Linear in the size of the model (thm:multiclass-msr-np).
    """
    from fractions import Fraction

    if not isinstance(gam, GAM) or not isinstance(gam.task, Regression):
        raise InvalidParameterError("regression_to_multiclass needs a regression GAM")
    point = gam.instance(x)
    centre = Fraction(gam.score_exact(point)) - Fraction(gam.intercept)
    delta = Fraction(gam.task.tolerance)
    offsets = [Fraction(0), -centre - delta, centre - delta]
    if any(Fraction(float(b)) != b for b in offsets):
        raise InvalidParameterError("f(x) ± δ must be floats for the intercepts to hold them")
    signs = (0.0, 1.0, -1.0)
    scores = [
        GAM(
            [
                Feature(f.name, f.domain, _scaled(f.shape, sign), f.weight, f.distribution)
                for f in gam.features
            ],
            sign * gam.intercept + float(offset),
            Regression(),
            [
                PairTerm(p.features, p.edges, [[sign * v for v in row] for row in p.values])
                for p in gam.pairs
            ],
        )
        for sign, offset in zip(signs, offsets, strict=True)
    ]
    return MulticlassGAM(Multiclass(["inside", "above", "below"]), scores), point


def _scaled(shape: Any, sign: float) -> Any:
    """``shape`` times 0, 1 or −1 (exact in floats)."""
    if isinstance(shape, Table):
        return Table([sign * v for v in shape.values])
    if isinstance(shape, Piecewise):
        return Piecewise(shape.breakpoints, [[sign * c for c in row] for row in shape.coefficients])
    raise InvalidParameterError("multiclass models take tables and pieces only, not networks")


def classification_to_multiclass(gam: GAM) -> MulticlassGAM:
    """A three-class model whose argmax is "positive" exactly where a binary classifier
    predicts 1 and "negative" where it predicts 0; the class "never" never wins.

    Parameters
    ----------
    gam : GAM
        A binary classifier (class 1 iff f(z) ≥ t, or f(z) > t).

    Returns
    -------
    MulticlassGAM
        Scores f(z) − t for "positive", 0 for "negative" and −1 for "never"; "positive"
        comes first (winning its ties) under ``>=`` and after "negative" under ``>``.
        Pair terms stay with "positive" (zero in the other classes).

    Notes
    -----
    Linear in the size of the model. Every binary FR instance is a multiclass one, so
    multiclass FR is coNP-hard for every K ≥ 2 (thm:multiclass-fr).
    """
    task = gam.task
    if not isinstance(task, Classification):
        raise InvalidParameterError("classification_to_multiclass needs a binary classifier")
    zero = [Feature(f.name, f.domain, _scaled(f.shape, 0.0)) for f in gam.features]
    flat = [PairTerm(p.features, p.edges, [[0.0 for _ in row] for row in p.values])
            for p in gam.pairs]  # fmt: skip
    positive = GAM([Feature(f.name, f.domain, f.shape, f.weight) for f in gam.features],
                   gam.intercept - task.threshold, Regression(), gam.pairs)  # fmt: skip
    negative = GAM(zero, 0.0, Regression(), flat)
    never = GAM(zero, -1.0, Regression(), flat)
    if task.positive == ">=":
        return MulticlassGAM(Multiclass(["positive", "negative", "never"]),
                             [positive, negative, never])  # fmt: skip
    return MulticlassGAM(Multiclass(["negative", "positive", "never"]), [negative, positive, never])


def partition_to_target_class(weights: Sequence[int]) -> tuple[MulticlassGAM, tuple[int, ...]]:
    """Three classes over binary features: class "t" can be made to win from x = 0 by
    changing features iff a subset of ``weights`` sums to half their total.

    Parameters
    ----------
    weights : sequence of int
        Positive integers with an even total 2T.

    Returns
    -------
    MulticlassGAM
        Classes ``("t", "c", "e")`` with scores 0, Σ a_i z_i − T and T − Σ a_i z_i: t,
        the lowest index, wins iff Σ a_i z_i = T.
    tuple
        x = (0, …, 0), where "e" wins.

    Notes
    -----
    Linear in the number of weights (thm:multiclass-mcr-target): the minimum contrastive
    reason toward "t" exists iff the weights have a partition, and its size is the
    least size of a subset summing to T.
    """
    total = sum(weights)
    if not weights or total % 2 or min(weights) <= 0:
        raise InvalidParameterError("partition_to_target_class needs positive weights, even sum")
    half = float(total // 2)
    binary = Finite([0, 1])

    def score(sign: float, intercept: float) -> GAM:
        return GAM([Feature(f"x{i}", binary, Table([0.0, sign * a]))
                    for i, a in enumerate(weights)], intercept, Regression())  # fmt: skip

    scores = [score(0.0, 0.0), score(1.0, -half), score(-1.0, half)]
    return MulticlassGAM(Multiclass(["t", "c", "e"]), scores), tuple(0 for _ in weights)
