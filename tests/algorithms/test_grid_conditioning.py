"""Completion brackets by conditioning (``grid-conditioning``): the cases' brackets add
up to one that contains the truth, and ``verify`` re-derives it.

Held against brute force on small random pair models (finite and integer domains
directly; interval domains through their finite twin, whose score has the same law),
with the refinement forced to cut (target width 0, a few cases); every certificate
verifies, and a forged one (a case dropped, a cell moved across a cut, a split that
does not bound its term on the bins a case meets, a cut moved) fails.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from gamexplain import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    PairTerm,
    Piecewise,
    Regression,
    Table,
    completion_fraction,
    explain_plan,
)
from gamexplain.algorithms import grid_conditioning
from gamexplain.algorithms.brute_shap import brute_completion_fraction
from gamexplain.algorithms.grid_conditioning import conditioned_completion
from gamexplain.algorithms.grid_convolution import PairSplit
from gamexplain.distributions import resolve_distribution
from tests.algorithms.test_grid_pair_splits import _finite_twin, interval_pairs
from tests.strategies import gams, instances


@pytest.fixture(autouse=True)
def _always_cut(monkeypatch):
    """Refine past any width, up to a few cases, so every model gets cut."""
    monkeypatch.setattr(grid_conditioning, "TARGET_WIDTH", Fraction(0))
    monkeypatch.setattr(grid_conditioning, "_MAX_CASES", 6)


@given(
    data=st.data(),
    gam=gams(min_features=2, max_features=3, domain_kinds=("finite", "integers"),
             pairs=True, with_distribution=None),
)  # fmt: skip
def test_case_brackets_contain_brute_force(data, gam):
    x = data.draw(instances(gam))
    fixed = frozenset(data.draw(st.sets(st.integers(0, gam.n_features - 1))))
    model = resolve_distribution(gam, "model", "test")
    found = conditioned_completion(model, x, fixed, time_limit=5)
    event(f"mode {found.certificate.mode if found.certificate is not None else None}")
    truth = brute_completion_fraction(model, x, fixed).lower[0]
    assert found.lower[0] <= truth <= found.upper[0]


@given(data=st.data(), gam=interval_pairs.filter(lambda g: g.pairs))
def test_interval_case_brackets_contain_brute_force_and_verify(data, gam):
    x = data.draw(instances(gam))
    fixed = data.draw(st.sets(st.integers(0, gam.n_features - 1)))
    result = completion_fraction(gam, x, sorted(fixed), distribution="uniform",
                                 method="grid-conditioning", time_limit=5)  # fmt: skip
    twin, point = _finite_twin(gam, x)
    truth = brute_completion_fraction(twin, point, frozenset(fixed)).lower[0]
    cert = result.certificate
    event(f"mode {cert.detail.mode if cert.detail is not None else None}")
    assert cert.lower <= truth <= cert.upper
    assert result.verify(gam)


def _hub() -> GAM:
    """A binary feature that flips the sign of two interactions: additive bounds lose a
    lot, and nothing once it is known."""
    return GAM(
        [
            Feature("s", Finite(["f", "m"]), Table([0.25, -0.25])),
            Feature("b", Interval(0, 4), Piecewise([0, 1, 2, 3, 4],
                                                   [[-1.0], [0.5], [1.5], [-0.25]])),
            Feature("c", Integers(0, 5), Piecewise([0, 5], [[-1.0, 0.5]])),
        ],
        intercept=-0.25,
        task=Classification(0.0),
        pairs=[
            PairTerm((0, 1), [None, [0.0, 1.0, 2.0, 3.0, 4.0]],
                     [[1.0, -1.0, 0.5, -0.5], [-1.0, 1.0, -0.5, 0.5]]),
            PairTerm((0, 2), [None, [0.0, 2.5, 5.0]], [[0.75, -0.75], [-0.75, 0.75]]),
        ],
    )  # fmt: skip


def _cases_result(gam: GAM, x, fixed=()):
    result = completion_fraction(gam, x, list(fixed), method="grid-conditioning")
    assert result.certificate.detail.mode == "cases" and result.verify(gam)
    return result


def test_conditioning_narrows_the_bracket_and_explain_plan_names_it():
    gam = _hub()
    x = ("m", 2.5, 3)
    plain = completion_fraction(gam, x, [], method="grid-convolution")
    cut = _cases_result(gam, x)
    assert cut.upper - cut.lower < (plain.upper - plain.lower) / 2
    assert cut.lower <= plain.upper and plain.lower <= cut.upper
    assert cut.algorithm == "grid-conditioning"
    assert "runs grid-conditioning" in str(explain_plan(gam, "cc"))


def test_regression_and_fixed_features_get_cases_too():
    hub = _hub()
    gam = GAM(hub.features, intercept=-0.25, task=Regression(tolerance=0.5), pairs=hub.pairs)
    result = _cases_result(gam, ("f", 0.5, 1), fixed=[2])
    twin, point = _finite_twin_mixed(gam, ("f", 0.5, 1))
    truth = brute_completion_fraction(twin, point, frozenset({2})).lower[0]
    assert result.certificate.lower <= truth <= result.certificate.upper


def _finite_twin_mixed(gam: GAM, x):
    """_hub's model on finite domains: b in half-unit cells (its breakpoints and edges
    are integers), c on its six integers, s as it is; x's own values with probability 0."""
    b_cells = [k / 2 + 0.25 for k in range(8)]
    values = [list(gam.features[0].domain.values), b_cells, list(range(6))]
    features, point = [], []
    for j, feature in enumerate(gam.features):
        grid = values[j]
        scores = [float(feature.contribution_exact(v)) for v in grid]
        probs = [1 / len(grid)] * len(grid)
        if x[j] not in grid:
            grid, scores = [*grid, "x"], [*scores, float(feature.contribution_exact(x[j]))]
            probs.append(0.0)
        features.append(Feature(feature.name, Finite(grid), Table(scores), distribution=probs))
        point.append(x[j] if x[j] in values[j] else "x")
    pairs = []
    for pair in gam.pairs:
        i, j = pair.features
        rows = [v if v != "x" else x[i] for v in features[i].domain.values]
        cols = [v if v != "x" else x[j] for v in features[j].domain.values]
        table = [[float(pair.value_exact(gam.features[i], gam.features[j], a, b))
                  if hasattr(pair, "value_exact") else _pair_value(gam, pair, a, b)
                  for b in cols] for a in rows]  # fmt: skip
        pairs.append(PairTerm((i, j), [None, None], table))
    return GAM(features, gam.intercept, gam.task, pairs=pairs), tuple(point)


def _pair_value(gam: GAM, pair: PairTerm, a, b) -> float:
    first = pair.bin_of(0, gam.features[pair.features[0]], a)
    second = pair.bin_of(1, gam.features[pair.features[1]], b)
    return float(pair.values[first][second])


def _forged(result, **changes):
    cert = result.certificate
    detail = dataclasses.replace(cert.detail, **changes)
    return dataclasses.replace(result, certificate=dataclasses.replace(cert, detail=detail))


def test_a_dropped_case_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    detail = result.certificate.detail
    assert isinstance(detail.tree, tuple)
    # the tree's first cut keeps only its lower side: the cases no longer cover everything
    kept = detail.tree[2]
    leaves = sorted(_leaves(kept))
    renumber = {old: new for new, old in enumerate(leaves)}
    forged = _forged(result, tree=_renumbered(kept, renumber),
                     cases=tuple(detail.cases[k] for k in leaves))  # fmt: skip
    assert not forged.verify(gam)


def test_a_cut_that_disagrees_with_the_cells_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    tree = result.certificate.detail.tree
    j, cut, below, above = tree
    moved = cut + 1 if isinstance(cut, int) else cut + Fraction(1, 2)
    assert not _forged(result, tree=(j, moved, below, above)).verify(gam)
    assert not _forged(result, tree=(j, cut, above, below)).verify(gam)


def test_a_leaf_used_twice_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    j, cut, below, _ = result.certificate.detail.tree
    assert not _forged(result, tree=(j, cut, below, below)).verify(gam)


@pytest.mark.parametrize("side", ["low", "high"])
def test_a_case_split_that_does_not_bound_its_term_fails_verify(side):
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    detail = result.certificate.detail
    for k, case in enumerate(detail.cases):
        split = case.splits[1]
        law = case.laws[2]  # c's cells in this case: the bins they meet are checked
        assert law is not None
        first = gam.pairs[1].bin_of(1, gam.features[2], law[0][0])
        part = list(split.low[1] if side == "low" else split.high[1])
        part[first] += 10.0 if side == "low" else -10.0
        forged_split = (PairSplit((split.low[0], tuple(part)), split.high) if side == "low"
                        else PairSplit(split.low, (split.high[0], tuple(part))))  # fmt: skip
        forged_case = dataclasses.replace(case, splits=(case.splits[0], forged_split))
        cases = (*detail.cases[:k], forged_case, *detail.cases[k + 1 :])
        assert not _forged(result, cases=cases).verify(gam)


def test_a_narrowed_bracket_fails_verify():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    cert = result.certificate
    middle = (cert.lower + cert.upper) / 2
    narrowed = dataclasses.replace(cert, lower=middle, upper=middle)
    assert not dataclasses.replace(result, certificate=narrowed).verify(gam)


def test_the_time_limit_is_honoured():
    gam = _hub()
    result = completion_fraction(gam, ("m", 2.5, 3), [], method="grid-conditioning",
                                 time_limit=1e-9)  # fmt: skip
    assert result.status == "time_limit" and not result.exact and result.verify(gam)


def test_a_model_without_pairs_is_left_to_the_others():
    gam = GAM(_hub().features, intercept=0.0, task=Classification(0.0))
    plan = str(explain_plan(gam, "cc"))
    assert "grid-conditioning" in plan and "runs grid-conditioning" not in plan


def _leaves(node) -> list[int]:
    if isinstance(node, int):
        return [node]
    return _leaves(node[2]) + _leaves(node[3])


def _renumbered(node, renumber):
    if isinstance(node, int):
        return renumber[node]
    return (node[0], node[1], _renumbered(node[2], renumber), _renumbered(node[3], renumber))


def test_widths_are_sums_of_the_cases():
    gam = _hub()
    result = _cases_result(gam, ("m", 2.5, 3))
    assert len(result.certificate.detail.cases) > 1
    assert np.isfinite(result.fraction)
