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
from gamexplain.io.convert import from_fitted
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
    Multiclass,
    MulticlassGAM,
    PairTerm,
    Piecewise,
    Regression,
    ReLUNet,
    Table,
)
from gamexplain.model.actions import (
    ActionSet,
    DirectionalLinkage,
    FeatureAction,
    IfThenConstraint,
    MutabilitySwitch,
    OneHotEncoding,
    OrdinalEncoding,
    ThermometerEncoding,
    dump_actions,
    load_actions,
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

__version__ = "0.1.0"
from gamexplain.complexity import explain_plan

__all__ = [
    "GAM",
    "ActionSet",
    "BanzhafResult",
    "BatchResult",
    "CertificateError",
    "CertificateTooLargeError",
    "Classification",
    "CompletionResult",
    "ContrastiveReason",
    "DirectionalLinkage",
    "Empirical",
    "Feature",
    "FeatureAction",
    "Finite",
    "FixedResult",
    "GamExplainError",
    "IfThenConstraint",
    "ImportanceResult",
    "Integers",
    "Interval",
    "InvalidInstanceError",
    "InvalidModelError",
    "InvalidParameterError",
    "Layer",
    "LocoResult",
    "Multiclass",
    "MulticlassGAM",
    "MutabilitySwitch",
    "OneHotEncoding",
    "OrdinalEncoding",
    "PairTerm",
    "PieceLimitError",
    "Piecewise",
    "ReLUNet",
    "Reasons",
    "RecourseResult",
    "RedundancyResult",
    "RegionalResult",
    "Regression",
    "ResponsivenessResult",
    "ShapBatchResult",
    "ShapResult",
    "SolverUnavailableError",
    "SufficiencyResult",
    "SufficientReason",
    "Table",
    "ThermometerEncoding",
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
    "dump_actions",
    "dumps",
    "explain",
    "explain_plan",
    "feature_importances",
    "from_ebm",
    "from_ebm_json",
    "from_fitted",
    "from_hist_gradient_boosting",
    "from_lightgbm",
    "from_lightgbm_model",
    "from_nam",
    "from_nbm",
    "from_pygam",
    "from_sklearn",
    "from_xgboost",
    "from_xgboost_json",
    "is_fixed",
    "is_redundant",
    "is_sufficient_reason",
    "load",
    "load_actions",
    "loads",
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
