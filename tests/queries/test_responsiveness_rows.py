"""Rows that share a model and an action set share per-component work; the answers stay
those of the brute-force reference row by row."""

from __future__ import annotations

import random

from hypothesis import given, settings

from gamexplain import InvalidInstanceError, responsiveness_scores
from tests.queries.test_responsiveness import encoded


@settings(max_examples=8, deadline=None)
@given(model=encoded())
def test_rows_sharing_an_action_set_equal_the_reference_row_by_row(model):
    gam, actions = model
    rng = random.Random(0)
    for _ in range(25):
        x = tuple(rng.randint(f.domain.low, f.domain.high) for f in gam.features)
        try:
            actions.check_instance(x)
        except InvalidInstanceError:
            continue
        for target in (0, 1):
            fast = responsiveness_scores(gam, x, actions, target=target)
            slow = responsiveness_scores(gam, x, actions, target=target, method="brute")
            assert fast.exact_scores == slow.exact_scores and fast.fixed == slow.fixed
            assert fast.reachable == slow.reachable and fast.reaching == slow.reaching
