"""Shared Hypothesis strategies: random small GAMs over every domain kind and shape kind.

Models are drawn small enough for brute force (finite domains of a few values, integer
ranges of a few points) unless ``large_integers`` asks for astronomically wide integer
ranges, which only exact per-piece algorithms can handle. Coefficients are mostly small
integers and halves, so that ties — a score exactly at the threshold — are frequent.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Layer,
    PairTerm,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
)

DOMAIN_KINDS = ("finite", "integers", "interval")
COMPONENTS = ("table", "ebm", "spline", "nam")

numbers = st.one_of(
    st.integers(-4, 4).map(float),
    st.integers(-8, 8).map(lambda n: n / 2),
    st.floats(-4, 4, allow_nan=False, allow_infinity=False, width=32).map(float),
)
small_numbers = st.integers(-3, 3).map(float)


@st.composite
def piecewise(draw: st.DrawFn, low: int, high: int, degree: int | None = None) -> Piecewise:
    """A piecewise polynomial whose pieces span [low, high] (integer breakpoints)."""
    inner = (
        draw(st.lists(st.integers(low + 1, high - 1), unique=True, max_size=3))
        if high - low >= 2
        else []
    )
    cuts = [low, *sorted(inner), high]
    max_degree = 3 if degree is None else degree
    min_degree = 0 if degree is None else degree
    rows = []
    for _ in range(len(cuts) - 1):
        d = draw(st.integers(min_degree, max_degree))
        rows.append([draw(numbers)] + [draw(small_numbers) for _ in range(d)])
    if degree is not None and degree > 0 and all(row[-1] == 0 for row in rows):
        rows[0][-1] = 1.0
    return Piecewise(cuts, rows)


@st.composite
def relu_nets(draw: st.DrawFn, max_depth: int = 2, max_width: int = 3) -> ReLUNet:
    """A small ReLU net with small integer-and-half weights."""
    depth = draw(st.integers(1, max_depth))
    widths = [1, *[draw(st.integers(1, max_width)) for _ in range(depth)], 1]
    layers = []
    for fan_in, fan_out in itertools.pairwise(widths):
        weights = [[draw(numbers) for _ in range(fan_out)] for _ in range(fan_in)]
        bias = [draw(numbers) for _ in range(fan_out)]
        layers.append(Layer(weights, bias))
    return ReLUNet(layers)


@st.composite
def features(
    draw: st.DrawFn,
    name: str = "x",
    domain_kind: str | None = None,
    component: str | None = None,
    large_integers: bool = False,
    with_distribution: bool | None = None,
) -> Feature:
    """One feature of the given domain kind and component class (drawn when None)."""
    kind = domain_kind or draw(st.sampled_from(DOMAIN_KINDS))
    choices = COMPONENTS if kind == "finite" else COMPONENTS[1:]
    comp = component or draw(st.sampled_from(choices))
    weight = draw(st.sampled_from([1.0, 1.0, -1.0, 0.5, 2.0]))
    if kind == "finite":
        size = draw(st.integers(1, 4))
        if comp == "table":
            labels = [f"{name}{k}" for k in range(size)]
            domain: Any = Finite(labels)
            shape: Any = Table([draw(numbers) for _ in range(size)])
        else:
            values = draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size, unique=True))
            domain = Finite(sorted(values))
            shape = draw(_numeric_shape(comp, -3, 3))
    else:
        low = draw(st.integers(-3, 0))
        high = draw(st.integers(low, 3))
        if large_integers and kind == "integers":
            low, high = low * 2**40, (high + 1) * 2**40
        domain = Integers(low, high) if kind == "integers" else Interval(low, high)
        span_low = low - draw(st.integers(0, 1))
        span_high = max(high + draw(st.integers(0, 1)), span_low + 1)
        shape = draw(_numeric_shape(comp, span_low, span_high))
    distribution = None
    wants = draw(st.booleans()) if with_distribution is None else with_distribution
    if wants:
        distribution = draw(_distribution(Feature(name, domain, shape, weight)))
    return Feature(name, domain, shape, weight, distribution)


def _numeric_shape(component: str, low: int, high: int) -> st.SearchStrategy[Any]:
    if component == "nam":
        return relu_nets()
    if component == "ebm":
        return piecewise(low, high, degree=0)
    return piecewise(low, high).filter(lambda p: p.degree > 0)


@st.composite
def _distribution(draw: st.DrawFn, feature: Feature) -> tuple[float, ...] | None:
    from gamexplain.model.spans import piece_measures

    if isinstance(feature.domain, Finite):
        masses = [1] * feature.domain.size
    elif isinstance(feature.shape, Piecewise):
        masses = [1 if m > 0 else 0 for m in piece_measures(feature)]
    else:
        return None
    weights = [draw(st.integers(1, 4)) * m for m in masses]
    total = sum(weights)
    if total == 0:
        return None
    probs = [w / total for w in weights]
    # make the floats sum to 1 within the loader's tolerance
    return tuple(probs)


tasks = st.one_of(
    st.builds(Classification, threshold=numbers, positive=st.sampled_from([">=", ">"])),
    st.builds(Regression, tolerance=st.sampled_from([0.0, 0.5, 1.0])),
)


@st.composite
def gams(
    draw: st.DrawFn,
    min_features: int = 1,
    max_features: int = 4,
    domain_kinds: tuple[str, ...] = DOMAIN_KINDS,
    components: tuple[str, ...] = COMPONENTS,
    task: st.SearchStrategy[Any] | None = None,
    pairs: bool = False,
    large_integers: bool = False,
    with_distribution: bool | None = False,
) -> GAM:
    """A random GAM over the given domain kinds and component classes."""
    n = draw(st.integers(min_features, max_features))
    feats = []
    for i in range(n):
        kind = draw(st.sampled_from(domain_kinds))
        allowed = [c for c in components if kind == "finite" or c != "table"]
        comp = draw(st.sampled_from(allowed or ["ebm"]))
        feats.append(
            draw(features(f"x{i}", kind, comp, large_integers, with_distribution=with_distribution))
        )
    terms = draw(_pair_terms(feats)) if pairs and n >= 2 else []
    return GAM(
        features=feats,
        intercept=draw(numbers),
        task=draw(task if task is not None else tasks),
        pairs=terms,
    )


@st.composite
def _pair_terms(draw: st.DrawFn, feats: list[Feature]) -> list[PairTerm]:
    n = len(feats)
    chosen = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            unique=True,
            max_size=2,
        )
    )
    terms = []
    for i, j in chosen:
        edges = []
        sizes = []
        for k in (i, j):
            domain = feats[k].domain
            if isinstance(domain, Finite) and not domain.is_numeric:
                edges.append(None)
                sizes.append(domain.size)
            else:
                values = domain.values if isinstance(domain, Finite) else (domain.low, domain.high)
                low, high = float(min(values)), float(max(values))
                middle = draw(st.sampled_from([low, (low + high) / 2, high]))
                cut = [low - 1, middle, high + 1] if low < middle < high else [low - 1, high + 1]
                edges.append(cut)
                sizes.append(len(cut) - 1)
        values = [[draw(small_numbers) for _ in range(sizes[1])] for _ in range(sizes[0])]
        terms.append(PairTerm((i, j), edges, values))
    return terms


@st.composite
def instances(draw: st.DrawFn, gam: GAM) -> tuple[Any, ...]:
    """An instance inside every feature's domain, often at a breakpoint or an end."""
    values = []
    for feature in gam.features:
        domain = feature.domain
        if isinstance(domain, Finite):
            values.append(draw(st.sampled_from(domain.values)))
        elif isinstance(domain, Integers):
            values.append(draw(st.integers(domain.low, min(domain.high, domain.low + 2**20))))
        else:
            special = [domain.low, domain.high, (domain.low + domain.high) / 2]
            if isinstance(feature.shape, Piecewise):
                special += [b for b in feature.shape.breakpoints if domain.low <= b <= domain.high]
            values.append(
                draw(
                    st.one_of(
                        st.sampled_from(special),
                        st.floats(domain.low, domain.high, allow_nan=False),
                    )
                )
            )
    return tuple(values)


def exact_points(feature: Feature) -> list[Fraction]:
    """Rational points of a numeric feature's domain for brute-force checks."""
    domain = feature.domain
    if isinstance(domain, Integers):
        return [Fraction(v) for v in range(domain.low, domain.high + 1)]
    assert isinstance(domain, Interval)
    low, high = Fraction(domain.low), Fraction(domain.high)
    grid = [low + (high - low) * Fraction(k, 64) for k in range(65)]
    return grid


# -- multiclass models ---------------------------------------------------------------------
def _redraw_shape(draw: st.DrawFn, shape: Any) -> Any:
    """A shape of the same kind and breakpoints as ``shape`` with fresh numbers."""
    if isinstance(shape, Table):
        return Table([draw(small_numbers) for _ in shape.values])
    return Piecewise(
        shape.breakpoints, [[draw(small_numbers) for _ in row] for row in shape.coefficients]
    )


@st.composite
def multiclass_gams(
    draw: st.DrawFn,
    max_classes: int = 4,
    max_features: int = 3,
    domain_kinds: tuple[str, ...] = DOMAIN_KINDS,
    components: tuple[str, ...] = ("table", "ebm", "spline"),
    pairs: bool = False,
    with_distribution: bool | None = False,
) -> Any:
    """A random multiclass GAM: K score models sharing one structure, small integer
    numbers so that ties between classes are frequent."""
    from gamexplain import Multiclass, MulticlassGAM

    base = draw(gams(1, max_features, domain_kinds, components, st.just(Regression()), pairs,
                     with_distribution=with_distribution))  # fmt: skip
    k = draw(st.integers(2, max_classes))
    labels = draw(st.sampled_from([list(range(k)), [f"c{c}" for c in range(k)]]))
    scores = []
    for _ in range(k):
        feats = [
            Feature(f.name, f.domain, _redraw_shape(draw, f.shape), f.weight, f.distribution)
            for f in base.features
        ]
        terms = [
            PairTerm(p.features, p.edges, [[draw(small_numbers) for _ in row] for row in p.values])
            for p in base.pairs
        ]
        scores.append(GAM(feats, draw(small_numbers), Regression(), terms))
    return MulticlassGAM(Multiclass(labels), scores)
