"""Algorithm modules; importing one registers its algorithms in the complexity registry."""

from gamexplain.algorithms import (  # noqa: F401
    brute_reasons,
    brute_shap,
    closed_form,
    cpsat_fr,
    enumeration,
    greedy,
    grid_convolution,
    hitting_set,
    images_fr,
    loco,
    loco_population,
    multiclass,
    multiclass_counting,
    pairwise,
    pareto,
    partial_sums,
    partial_sums_fr,
    redundancy,
    responsiveness,
    segmentation,
)
