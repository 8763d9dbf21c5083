"""Reading and writing models: the ``gamexplain/1`` JSON format and library adapters.

The adapters are declared once, in :data:`gamexplain.io.adapters.ADAPTERS`, and share the
steps every library needs from :mod:`gamexplain.io.kit`.
"""

from gamexplain.io.convert import convert_model, from_fitted
from gamexplain.io.ebm import from_ebm, from_ebm_json
from gamexplain.io.jsonfile import FORMAT, dump, dumps, load, loads
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

__all__ = [
    "FORMAT",
    "convert_model",
    "dump",
    "dumps",
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
    "load",
    "loads",
]
