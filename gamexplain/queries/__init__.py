"""The public queries, one module per query family.

Each is declared once in the query table (:mod:`gamexplain.complexity.queries`), which
the registry, ``explain_plan``, option validation, the command line and the docs read;
a test holds this module's exports equal to the table's functions.
"""

from gamexplain.queries.completion import CompletionResult, completion_fraction
from gamexplain.queries.reasons import (
    ContrastiveReason,
    Reasons,
    SufficiencyResult,
    SufficientReason,
    contrastive_reasons,
    is_sufficient_reason,
    minimal_sufficient_reason,
    minimum_contrastive_reason,
    minimum_sufficient_reason,
    sufficient_reasons,
)
from gamexplain.queries.recourse import RecourseResult, minimum_recourse
from gamexplain.queries.redundancy import RedundancyResult, is_redundant
from gamexplain.queries.regional import (
    Empirical,
    ImportanceResult,
    LocoResult,
    RegionalResult,
    feature_importances,
    loco_values,
    regional_attributions,
)
from gamexplain.queries.responsiveness import (
    FixedResult,
    ResponsivenessResult,
    is_fixed,
    responsiveness_scores,
)
from gamexplain.queries.shap import (
    BanzhafResult,
    ShapBatchResult,
    ShapResult,
    banzhaf_values,
    shap_values,
)

__all__ = [
    "BanzhafResult",
    "CompletionResult",
    "ContrastiveReason",
    "Empirical",
    "FixedResult",
    "ImportanceResult",
    "LocoResult",
    "Reasons",
    "RecourseResult",
    "RedundancyResult",
    "RegionalResult",
    "ResponsivenessResult",
    "ShapBatchResult",
    "ShapResult",
    "SufficiencyResult",
    "SufficientReason",
    "banzhaf_values",
    "completion_fraction",
    "contrastive_reasons",
    "feature_importances",
    "is_fixed",
    "is_redundant",
    "is_sufficient_reason",
    "loco_values",
    "minimal_sufficient_reason",
    "minimum_contrastive_reason",
    "minimum_recourse",
    "minimum_sufficient_reason",
    "regional_attributions",
    "responsiveness_scores",
    "shap_values",
    "sufficient_reasons",
]
