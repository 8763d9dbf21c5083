"""The float check of responsiveness shares in batch verify (issue 15): a shown float is
accepted only when it is the float nearest the exact share, rejected only when it is
not, and a row the floats cannot settle is left to the Fraction re-check."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

import gamexplain as gx
from gamexplain.certify.batch_responsiveness import _Feature, _rounded_shares

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def _feature(cuts: list[float], values: list[float]) -> _Feature:
    shape = gx.Piecewise(cuts, [[v] for v in values])
    gam = gx.GAM([gx.Feature("a", gx.Interval(cuts[0], cuts[-1]), shape)], intercept=0.0)
    return _Feature(gam, 0)


def _exact(cuts: list[float], low: float, high: float, keep: list[bool]) -> Fraction:
    lo, hi = Fraction(low), Fraction(high)
    covered = Fraction(0)
    for k, use in enumerate(keep):
        start = lo if k == 0 else max(lo, Fraction(cuts[k]))
        end = hi if k == len(keep) - 1 else min(hi, Fraction(cuts[k + 1]))
        if use and end > start:
            covered += end - start
    return covered / (hi - lo)


@st.composite
def shares(draw: st.DrawFn):
    cuts = sorted(set(draw(st.lists(finite, min_size=3, max_size=7))))
    if len(cuts) < 3:
        cuts = [-1.0, 0.1, 0.7]
    a, b = draw(st.sampled_from(cuts) | finite), draw(st.sampled_from(cuts) | finite)
    low, high = min(a, b), max(a, b)
    if low == high:
        high = np.nextafter(high, np.inf)
    keep = draw(st.lists(st.booleans(), min_size=len(cuts) - 1, max_size=len(cuts) - 1))
    return cuts, float(low), float(high), keep, draw(st.sampled_from([0, 1, -1, 2]))


@given(shares())
@example(([0.0, 1 / 3, 1.0], 0.0, 1.0, [True, False], 0))
@example(([0.0, 0.1, 0.3], 0.0, 0.3, [False, True], 1))
@example(([-1.0, 0.0, 1.0], -1.0, 1.0, [True, False], 0))
@example(([-1.0, 0.0, 1.0], -1.0, 1.0, [False, False], 1))
def test_a_shown_share_is_accepted_iff_it_is_the_nearest_float(case):
    cuts, low, high, keep, moved = case
    feature = _feature(cuts, [float(k) for k in range(len(cuts) - 1)])
    truth = _exact(cuts, low, high, keep)
    shown = float(truth)  # Fraction → float rounds to nearest
    for _ in range(abs(moved)):
        shown = float(np.nextafter(shown, np.sign(moved) * np.inf))
    right, wrong = _rounded_shares(
        feature, np.array([low]), np.array([high]), np.array([keep]), np.array([shown])
    )
    assert not (right[0] and wrong[0])
    if moved == 0:
        assert not wrong[0]
    else:
        assert not right[0]


def test_typical_rows_are_settled_in_floats():
    rng = np.random.default_rng(0)
    cuts = sorted(rng.uniform(0, 10, 12).tolist())
    feature = _feature(cuts, [float(k) for k in range(len(cuts) - 1)])
    ends = np.sort(rng.uniform(cuts[0], cuts[-1], (500, 2)), axis=1)
    low, high = ends[:, 0], ends[:, 1]
    keep = rng.random((500, len(cuts) - 1)) < 0.5
    truth = np.array([float(_exact(cuts, lo, hi, k.tolist()))
                      for lo, hi, k in zip(low, high, keep, strict=True)])  # fmt: skip
    right, wrong = _rounded_shares(feature, low, high, keep, truth)
    assert right.all() and not wrong.any()
    for direction in (-np.inf, np.inf):
        right, wrong = _rounded_shares(feature, low, high, keep, np.nextafter(truth, direction))
        nonzero = truth != 0
        assert not right[nonzero].any() and wrong[nonzero & (truth != 1)].all()
