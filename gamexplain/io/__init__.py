"""Reading and writing models: the ``gamexplain/1`` JSON format and library adapters."""

from gamexplain.io.ebm import from_ebm, from_ebm_json
from gamexplain.io.jsonfile import FORMAT, dump, dumps, load, loads

__all__ = ["FORMAT", "dump", "dumps", "from_ebm", "from_ebm_json", "load", "loads"]
