"""``witness="nearest"`` on curved pieces (splines' polynomials, NAMs' linear pieces), held
against a brute force that shares nothing with the root isolation: every point of a fine
exact grid of each feature, plus each flip boundary between grid neighbours found by
exact bisection."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import gams, instances

import gamexplain as gx
from gamexplain import GAM, Classification, Feature, Integers, Interval, Piecewise, Regression
from gamexplain.certify.nearest import NEAREST_BRACKETED
from gamexplain.errors import UnsupportedQueryError
from gamexplain.model.distance import APPROACH, feature_distance

GRID = 64  # grid points per unit of a range domain
BISECTIONS = 40


def _flips(gam: GAM, x: tuple[Any, ...], i: int, value: Any) -> bool:
    """Whether changing feature i of x to ``value`` changes the prediction (exactly)."""
    point = list(x)
    point[i] = value
    before, after = gam.predict_exact(x), gam.predict_exact(tuple(point))
    if gam.task.kind == "classification":
        return bool(before != after)
    return bool(abs(Fraction(after) - Fraction(before)) > Fraction(gam.task.tolerance))


def _brute_nearest(gam: GAM, x: tuple[Any, ...]) -> Fraction | None:
    """The least distance of a flipping one-feature change found on the grid and at the
    bisected boundaries (an upper bound of the infimum, within 2^-40 of it unless a flip
    region falls between two grid points)."""
    best: Fraction | None = None
    for i, feature in enumerate(gam.features):
        domain = feature.domain
        if domain.kind == "finite":
            values: list[Any] = list(domain.values)
        elif domain.kind == "integers":
            values = list(range(int(domain.low), int(domain.high) + 1))
        else:
            low, high = Fraction(domain.low), Fraction(domain.high)
            steps = max(int((high - low) * GRID), 1)
            values = [low + (high - low) * j / steps for j in range(steps + 1)]
            values.append(Fraction(x[i]))
            values.sort()
        status = [(v, _flips(gam, x, i, v)) for v in values]
        found = [v for v, f in status if f]
        if domain.kind == "interval":
            for (a, fa), (b, fb) in itertools.pairwise(status):
                if fa == fb:
                    continue
                # keep a flipping end and move it toward the other, exactly
                good, bad = (a, b) if fa else (b, a)
                for _ in range(BISECTIONS):
                    mid = (good + bad) / 2
                    if _flips(gam, x, i, mid):
                        good = mid
                    else:
                        bad = mid
                found.append(good)
        for v in found:
            d = feature_distance(domain, v, x[i])
            if d > 0 and (best is None or d < best):
                best = d
    return best


CURVED = ("spline", "spline", "nam", "ebm")


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_curved_nearest_matches_brute_force(data: st.DataObject) -> None:
    kinds = ("interval", "interval", "integers", "finite")
    gam = data.draw(gams(max_features=2, domain_kinds=kinds, components=CURVED))
    x = data.draw(instances(gam))
    extreme = gx.minimum_contrastive_reason(gam, x)
    if extreme.size is None:
        return
    try:
        result = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    except UnsupportedQueryError as error:
        # reasons of several features get a cell bracket now; only this case is refused
        assert "lone irrational" in str(error)
        return
    assert result.verify(gam)
    # the result is exact exactly when its nearness is
    assert result.exact == (result.certificate.nearest_exact is not False)
    if extreme.size != 1 or result.certificate.nearest_exact is None:
        return  # the piecewise-constant search (tests/queries/test_nearest.py)
    claimed, shown = result.certificate.nearest, result.distance
    assert claimed is not None and shown is not None
    brute = _brute_nearest(gam, x)
    assert brute is not None
    # nothing on the grid or at a boundary is closer than the certified lower bound
    assert claimed <= brute
    # and the bound is tight to the boundary brute force finds (up to the bisection)
    slack = Fraction(1, 2**BISECTIONS) * 8
    assert brute - claimed <= APPROACH + slack or _narrow(gam, x, result)
    assert shown - claimed <= 2 * APPROACH
    if result.certificate.nearest_exact:
        assert brute - claimed <= slack or _narrow(gam, x, result)


def _narrow(gam: GAM, x: tuple[Any, ...], result: Any) -> bool:
    """A flip region the grid missed: the witness flips, within a grid step of nothing."""
    (name,) = result.features
    i = [f.name for f in gam.features].index(name)
    return _flips(gam, x, i, result.witness[i])


def _line_model(task: Any) -> GAM:
    return GAM(
        [
            Feature("a", Interval(0, 4), Piecewise([0, 2, 4], [[0.0, 1.0], [2.0, -0.5]])),
            Feature("b", Interval(0, 1), Piecewise([0, 1], [[0.0, 0.25]])),
        ],
        intercept=-1.0,
        task=task,
    )


def test_linear_pieces_are_exact_and_attained_where_the_inequality_allows() -> None:
    gam = _line_model(Classification(threshold=0.0, positive=">="))
    x = (0, 0)
    # a from 0: score a − 1 reaches 0 at a = 1, attained (≥), distance 1/4 of the width 4
    result = gx.minimum_contrastive_reason(gam, x, witness="nearest")
    assert result.features == ("a",) and result.witness == (Fraction(1), 0)
    assert result.distance == result.certificate.nearest == Fraction(1, 4)
    assert result.certificate.nearest_exact is True and result.verify(gam)
    strict = _line_model(Classification(threshold=0.0, positive=">"))
    approached = gx.minimum_contrastive_reason(strict, x, witness="nearest")
    # > 0 needs a > 1: the infimum 1/4 is approached, the witness just past it
    assert approached.certificate.nearest == Fraction(1, 4)
    assert Fraction(1, 4) < approached.distance <= Fraction(1, 4) + APPROACH
    assert approached.certificate.nearest_exact is True and approached.verify(strict)


def test_a_cubic_root_gives_a_rational_bracket_of_an_irrational_infimum() -> None:
    # s³ − 2 on [0, 2]: flips at s = 2^(1/3), irrational
    gam = GAM(
        [Feature("s", Interval(0, 2), Piecewise([0, 2], [[-2.0, 0.0, 0.0, 1.0]]))],
        intercept=0.0,
        task=Classification(threshold=0.0),
    )
    result = gx.minimum_contrastive_reason(gam, (0,), witness="nearest")
    root = 2 ** (1 / 3) / 2
    assert result.certificate.nearest_exact is False
    assert result.certificate.nearest <= root < float(result.distance)
    assert float(result.distance) - root <= float(APPROACH)
    assert result.verify(gam)
    # the reason and its size are exact; the nearness is not, and the result says so
    assert result.exact is False and result.minimum_certified is True
    assert result.message == NEAREST_BRACKETED
    assert "no flip is nearer than 0.62996" in str(result)


def test_two_feature_reasons_on_curved_pieces_get_a_certified_bracket() -> None:
    # a + b ≥ 1.5 on [0, 1]²: every split of the 1.5 is optimal, the infimum is 1.5
    gam = GAM(
        [Feature(n, Interval(0, 1), Piecewise([0, 1], [[0.0, 1.0]])) for n in "ab"],
        intercept=-1.5,
        task=Classification(threshold=0.0),
    )
    result = gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest", time_limit=5)
    low, high = result.certificate.nearest, result.distance
    assert result.features == ("a", "b") and result.verify(gam)
    assert low <= Fraction(3, 2) <= high
    assert result.exact == (low == high) == result.certificate.nearest_exact
    assert result.certificate.nearest_cells


def test_regression_and_integer_domains() -> None:
    gam = GAM(
        [Feature("n", Integers(0, 10), Piecewise([0, 10], [[0.0, 0.0, 0.5]]))],
        intercept=0.0,
        task=Regression(tolerance=3.0),
    )
    # 0.5·n² > 3 first at n = 3: distance 3/10
    result = gx.minimum_contrastive_reason(gam, (0,), witness="nearest")
    assert result.witness == (3,) and result.distance == Fraction(3, 10)
    assert result.certificate.nearest_exact is True and result.verify(gam)


def _line_result() -> tuple[GAM, Any]:
    gam = _line_model(Classification(threshold=0.0, positive=">"))
    return gam, gx.minimum_contrastive_reason(gam, (0, 0), witness="nearest")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: dataclasses.replace(
            r, certificate=dataclasses.replace(r.certificate, nearest=Fraction(1, 5))
        ),  # a lower bound that is not the infimum, still claimed exact
        lambda r: dataclasses.replace(
            r, certificate=dataclasses.replace(r.certificate, nearest=Fraction(3, 10))
        ),  # a bound above the infimum: something closer flips
        lambda r: dataclasses.replace(
            r, certificate=dataclasses.replace(r.certificate, nearest_exact=None)
        ),
        lambda r: dataclasses.replace(r, distance=Fraction(1, 4)),
        lambda r: dataclasses.replace(
            r, witness=(Fraction(2), 0), distance=Fraction(1, 2)
        ),  # a farther witness
    ],
)
def test_tampered_curved_nearest_results_fail_verify(tamper: Any) -> None:
    gam, result = _line_result()
    assert result.verify(gam)
    assert not tamper(result).verify(gam)


def test_forged_brackets_of_an_irrational_infimum_fail_verify() -> None:
    gam = GAM(
        [Feature("s", Interval(0, 2), Piecewise([0, 2], [[-2.0, 0.0, 0.0, 1.0]]))],
        intercept=0.0,
        task=Classification(threshold=0.0),
    )
    result = gx.minimum_contrastive_reason(gam, (0,), witness="nearest")
    assert result.verify(gam)
    cert = result.certificate

    def forged(**changes: Any) -> Any:
        return dataclasses.replace(result, certificate=dataclasses.replace(cert, **changes))

    # the bound claimed exact: values between it and the witness do not all flip
    assert not forged(nearest_exact=True).verify(gam)
    # a bound above the root: the root itself flips (≥), closer than the bound
    assert not forged(nearest=result.distance).verify(gam)
    # a bound too loose for the stated tolerance
    assert not forged(nearest=cert.nearest - 3 * APPROACH).verify(gam)
    # the result claimed exact (with or without the bracket's message)
    assert not dataclasses.replace(result, exact=True).verify(gam)
    assert not dataclasses.replace(result, exact=True, message="").verify(gam)
    assert not dataclasses.replace(result, message="").verify(gam)
    # the witness moved (farther, or to a point that does not flip)
    for moved in (Fraction(13, 10), Fraction(5, 4)):
        forged_witness = dataclasses.replace(
            result, witness=(moved,), values=(moved,), distance=moved / 2,
            certificate=dataclasses.replace(cert, witness=(moved,)),
        )  # fmt: skip
        assert not forged_witness.verify(gam)


def test_an_exact_curved_nearness_may_not_claim_a_bracket() -> None:
    gam, result = _line_result()
    assert result.exact is True and result.message == ""
    assert not dataclasses.replace(result, exact=False, message=NEAREST_BRACKETED).verify(gam)
