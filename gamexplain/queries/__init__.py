"""The public queries, one module per query family."""

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
from gamexplain.queries.redundancy import RedundancyResult, is_redundant

__all__ = [
    "ContrastiveReason",
    "Reasons",
    "RedundancyResult",
    "SufficiencyResult",
    "SufficientReason",
    "contrastive_reasons",
    "is_redundant",
    "is_sufficient_reason",
    "minimal_sufficient_reason",
    "minimum_contrastive_reason",
    "minimum_sufficient_reason",
    "sufficient_reasons",
]
