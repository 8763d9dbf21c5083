"""gamexplain: exact, certified explanations of Generalized Additive Models.

A fitted GAM (an EBM, a pyGAM, a neural additive model, or a model in gamexplain's own
JSON format) is held as per-feature piecewise tables. Every explanation is computed
exactly by the algorithm its complexity cell calls for, and carries a certificate that
``verify`` re-checks in rational arithmetic.
"""

from gamexplain.complexity import complexity_table
from gamexplain.errors import (
    CertificateError,
    CertificateTooLargeError,
    GamExplainError,
    InvalidInstanceError,
    InvalidModelError,
    InvalidParameterError,
    PieceLimitError,
    SolverUnavailableError,
    TimeLimitError,
    UnsupportedModelError,
    UnsupportedQueryError,
)
from gamexplain.io.ebm import from_ebm, from_ebm_json
from gamexplain.io.jsonfile import dump, dumps, load, loads
from gamexplain.io.nam import from_nam, from_nbm
from gamexplain.io.pygam import from_pygam
from gamexplain.io.sklearn import from_sklearn
from gamexplain.io.trees import (
    from_hist_gradient_boosting,
    from_lightgbm,
    from_lightgbm_model,
    from_xgboost,
    from_xgboost_json,
)
from gamexplain.model import (
    GAM,
    Classification,
    Feature,
    Finite,
    Integers,
    Interval,
    Layer,
    PairTerm,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
)
from gamexplain.queries.batch import BatchResult, batch_plan, explain
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
from gamexplain.queries.redundancy import RedundancyResult, is_redundant
from gamexplain.queries.shap import (
    BanzhafResult,
    ShapBatchResult,
    ShapResult,
    banzhaf_values,
    shap_values,
)

__version__ = "0.1.0"
from gamexplain.complexity import explain_plan

__all__ = [
    "GAM",
    "BanzhafResult",
    "BatchResult",
    "CertificateError",
    "CertificateTooLargeError",
    "Classification",
    "CompletionResult",
    "ContrastiveReason",
    "Feature",
    "Finite",
    "GamExplainError",
    "Integers",
    "Interval",
    "InvalidInstanceError",
    "InvalidModelError",
    "InvalidParameterError",
    "Layer",
    "PairTerm",
    "PieceLimitError",
    "Piecewise",
    "ReLUNet",
    "Reasons",
    "RedundancyResult",
    "Regression",
    "ShapBatchResult",
    "ShapResult",
    "SolverUnavailableError",
    "SufficiencyResult",
    "SufficientReason",
    "Table",
    "TimeLimitError",
    "UnsupportedModelError",
    "UnsupportedQueryError",
    "__version__",
    "banzhaf_values",
    "batch_plan",
    "completion_fraction",
    "complexity_table",
    "contrastive_reasons",
    "dump",
    "dumps",
    "explain",
    "explain_plan",
    "from_ebm",
    "from_ebm_json",
    "from_hist_gradient_boosting",
    "from_lightgbm",
    "from_lightgbm_model",
    "from_nam",
    "from_nbm",
    "from_pygam",
    "from_sklearn",
    "from_xgboost",
    "from_xgboost_json",
    "is_redundant",
    "is_sufficient_reason",
    "load",
    "loads",
    "minimal_sufficient_reason",
    "minimum_contrastive_reason",
    "minimum_sufficient_reason",
    "shap_values",
    "sufficient_reasons",
]
