"""Algorithm modules; importing one registers its algorithms in the complexity registry."""

from gamexplain.algorithms import (  # noqa: F401
    cpsat_fr,
    partial_sums_fr,
    redundancy,
)
