"""thm:multiclass-msr-np: the three-class model of a regression has the same reasons."""

from __future__ import annotations

import pytest

import gamexplain as gx
from gamexplain.lab.generators import generate
from gamexplain.lab.reductions import regression_to_multiclass


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("domain", ["finite", "integers"])
def test_partition_instances_keep_their_minimum_size(seed: int, domain: str) -> None:
    component = "table" if domain == "finite" else "ebm"
    regression, x, _ = generate("msr", domain, component, "regression", n=6, seed=seed)
    three, point = regression_to_multiclass(regression, x)
    binary = gx.minimum_sufficient_reason(regression, x)
    multi = gx.minimum_sufficient_reason(three, point)
    assert binary.size == multi.size and multi.verify(three) and binary.verify(regression)
    for S in ([], [0], [0, 1, 2]):
        assert bool(gx.is_sufficient_reason(regression, x, S)) == bool(
            gx.is_sufficient_reason(three, point, S)
        )


def test_the_reduction_refuses_what_it_cannot_hold() -> None:
    gam = gx.load("credit")
    with pytest.raises(gx.InvalidParameterError, match="regression"):
        regression_to_multiclass(gam, [0] * gam.n_features)


def test_the_lab_sees_multiclass_msr_grow_exponentially_and_csr_polynomially() -> None:
    from gamexplain.lab.scaling import scaling

    hard = scaling("msr", "finite", "table", "multiclass", sizes=[3, 5, 7, 9])
    easy = scaling("csr", "interval", "ebm", "multiclass", sizes=[2, 4, 8, 16])
    assert hard.fit.growth == "exponential" and hard.agrees
    assert easy.fit.growth == "polynomial" and easy.agrees
    assert all(m.exact for m in hard.measurements + easy.measurements)


def test_the_lab_sees_multiclass_counting_grow_exponentially_and_listing_polynomially() -> None:
    from gamexplain.lab.scaling import scaling, verify_table

    counting = scaling("cc", "finite", "table", "multiclass")
    assert counting.fit.growth == "exponential" and counting.agrees
    listing = scaling("enum-cr", "finite", "table", "multiclass")
    assert listing.fit.growth == "polynomial" and listing.agrees
    rows = verify_table(queries=["cc"], tasks=["multiclass"])
    assert {r.cell for r in rows} >= {"cc | interval | ebm | multiclass"}
