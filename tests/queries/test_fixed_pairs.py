"""Fixed predictions when pair terms join components: the reachable box as a pair model."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain import GAM, ActionSet, Classification, Finite, Interval, is_fixed
from gamexplain.examples import demo_instance
from tests.queries.test_responsiveness import elements
from tests.strategies import gams, instances


@st.composite
def box_actions(draw: st.DrawFn, gam: GAM) -> ActionSet:
    """Per-feature elements only: every component is one feature, so R(x) is a box."""
    chosen = {f.name: draw(elements(f.domain)) for f in gam.features if draw(st.booleans())}
    for f in gam.features:  # a finite feature's reachable values stay all or nothing
        if isinstance(f.domain, Finite) and f.name in chosen:
            chosen[f.name] = {"actionable": chosen[f.name]["actionable"]}
    return ActionSet.from_gam(gam).with_features(chosen)


def grid(domain: Any, x_i: Any) -> list[Any]:
    if isinstance(domain, Finite):
        return list(domain.values)
    if isinstance(domain, Interval):
        low, high = Fraction(domain.low), Fraction(domain.high)
        return sorted({low + (high - low) * k / 12 for k in range(13)} | {Fraction(x_i)})
    return list(range(domain.low, domain.high + 1))


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_box_with_pair_terms_is_decided_and_agrees_with_a_grid(data):
    gam = data.draw(gams(min_features=2, max_features=3, domain_kinds=("finite", "integers",
                                                                       "interval"),
                         components=("ebm", "table"), pairs=True,
                         task=st.just(Classification(0.0))))  # fmt: skip
    x = data.draw(instances(gam))
    actions = data.draw(box_actions(gam))
    result = is_fixed(gam, x, actions)
    assert result.status == "solved" and result.verify(gam)
    opposite = 1 - gam.task.label_exact(gam.score_exact(x))
    reached = any(
        actions.admits(x, p) and gam.task.label_exact(gam.score_exact(p)) == opposite
        for p in itertools.product(*(grid(d, v) for d, v in zip(actions.domains, x, strict=True)))
    )
    if reached:  # a grid point reaches, so the exact answer cannot say fixed
        assert not result.holds
    if not result.holds and result.witness is not None:  # None: a supremum not attained
        assert actions.admits(x, result.witness)
        assert gam.task.label_exact(gam.score_exact(result.witness)) == opposite
    scores = gx.responsiveness_scores(gam, x, actions)
    assert scores.fixed == result.holds and scores.verify(gam)


def test_the_default_pair_ebm_patient_is_decided():
    gam = gx.load("breast_cancer_default_ebm")
    x = demo_instance("breast_cancer_default_ebm")
    names = gam.feature_names
    actions = ActionSet.from_gam(
        gam, **{n: {"step_lb": -0.5, "step_ub": 0.5} for n in names[:4]},
        **{n: {"actionable": False} for n in names[4:]},
    )  # fmt: skip
    result = is_fixed(gam, x, actions)
    assert result.status == "solved" and result.exact and result.verify(gam)


def test_a_forged_box_proof_is_rejected():
    gam = gx.load("breast_cancer_default_ebm")
    x = demo_instance("breast_cancer_default_ebm")
    names = gam.feature_names
    tight = ActionSet.from_gam(
        gam, **{n: {"step_lb": -0.01, "step_ub": 0.01} for n in names[:2]},
        **{n: {"actionable": False} for n in names[2:]},
    )  # fmt: skip
    result = is_fixed(gam, x, tight)
    assert result.holds and result.certificate.box is not None and result.verify(gam)
    # the same proof claimed for a larger box, where it proves nothing
    wide = ActionSet.from_gam(gam)
    forged = dataclasses.replace(result, actions=wide,
                                 certificate=dataclasses.replace(result.certificate, actions=wide))
    assert not forged.verify(gam)
    emptied = dataclasses.replace(result, certificate=dataclasses.replace(result.certificate,
                                                                           box=None))
    try:  # without the proof the check would enumerate a continuous R(x): refused
        accepted = emptied.verify(gam)
    except gx.GamExplainError:
        accepted = False
    assert not accepted
