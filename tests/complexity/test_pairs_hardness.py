"""Pair terms make reasons hard (MAX-CUT), but leave regression redundancy separable."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import gams

from gamexplain import Regression, is_redundant, is_sufficient_reason, minimum_contrastive_reason
from gamexplain.algorithms.brute import domain_points
from gamexplain.complexity import question_cell
from gamexplain.lab import generate


def _max_cut(n: int, edges: list[tuple[int, int]]) -> int:
    return max(
        sum(side[i] != side[j] for i, j in edges) for side in itertools.product((0, 1), repeat=n)
    )


@given(
    st.integers(2, 6),
    st.integers(1, 8),
    st.sampled_from(["finite", "integers", "interval"]),
    st.sampled_from(["classification", "regression"]),
    st.integers(0, 3),
)
def test_empty_set_is_sufficient_iff_no_large_cut(n, edges, domain, task, seed):
    gam, x, _ = generate("csr", domain, "pairs", task, n=n, knob=edges, seed=seed)
    used = [pair.features for pair in gam.pairs]
    target = max(1, (len(used) + 1) // 2)
    # class 1 (regression: within the tolerance) iff the cut stays below the target
    assert question_cell(gam, "csr").cell.component == "pairs"
    large_cut = _max_cut(n, used) >= target
    assert bool(is_sufficient_reason(gam, x, ())) == (not large_cut)
    flip = minimum_contrastive_reason(gam, x)
    assert flip.exists == large_cut
    assert flip.verify(gam)


def _separable_redundant(gam, i: int) -> bool:
    """FR in regression by the separable formula of thm:pairs-fr-regression."""
    feature = gam.features[i]
    values = domain_points(feature)
    tolerance = Fraction(gam.task.tolerance)
    partners = [(p, 0 if p.features[0] == i else 1) for p in gam.pairs if i in p.features]
    for v, w in itertools.combinations(values, 2):
        base = feature.contribution_exact(v) - feature.contribution_exact(w)
        high = low = base
        for pair, axis in partners:
            other = pair.features[1 - axis]
            changes = []
            for z in domain_points(gam.features[other]):
                point = {i: v, other: z}, {i: w, other: z}
                terms = []
                for assignment in point:
                    a = pair.bin_of(0, gam.features[pair.features[0]], assignment[pair.features[0]])
                    b = pair.bin_of(1, gam.features[pair.features[1]], assignment[pair.features[1]])
                    terms.append(Fraction(pair.values[a][b]))
                changes.append(terms[0] - terms[1])
            high, low = high + max(changes), low + min(changes)
        if high > tolerance or -low > tolerance:
            return False
    return True


@given(
    gams(
        min_features=2,
        max_features=3,
        domain_kinds=("finite", "integers"),
        components=("table", "ebm"),
        pairs=True,
        task=st.builds(Regression, tolerance=st.sampled_from([0.0, 0.5, 1.0])),
    ),
    st.data(),
)
def test_regression_redundancy_with_pairs_separates_over_partners(gam, data):
    assume(gam.pairs)
    i = data.draw(st.sampled_from(sorted({k for p in gam.pairs for k in p.features})))
    assert bool(is_redundant(gam, i)) == _separable_redundant(gam, i)
