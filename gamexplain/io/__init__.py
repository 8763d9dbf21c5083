"""Reading and writing models: the ``gamexplain/1`` JSON format and library adapters.

The adapters are declared once, in :data:`gamexplain.io.adapters.ADAPTERS`, and share the
steps every library needs from :mod:`gamexplain.io.kit`.
"""

from gamexplain.io.convert import convert_model
from gamexplain.io.ebm import from_ebm, from_ebm_json
from gamexplain.io.jsonfile import FORMAT, dump, dumps, load, loads
from gamexplain.io.nam import from_nam, from_nbm
from gamexplain.io.pygam import from_pygam
from gamexplain.io.sklearn import from_sklearn

__all__ = [
    "FORMAT",
    "convert_model",
    "dump",
    "dumps",
    "from_ebm",
    "from_ebm_json",
    "from_nam",
    "from_nbm",
    "from_pygam",
    "from_sklearn",
    "load",
    "loads",
]
