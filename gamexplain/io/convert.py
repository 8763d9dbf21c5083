"""Convert a saved model file (a pickle, or interpret's EBM JSON) into a GAM.

This is the engine of ``gamexplain convert``. Unpickling runs code chosen by whoever
wrote the file, so only files from a trusted source may be converted; interpret's JSON
export is read as plain data and carries no such risk.
"""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path
from typing import Any, Literal

from gamexplain.errors import InvalidParameterError
from gamexplain.model.gam import GAM

__all__ = ["PICKLE_WARNING", "convert_model", "reads_pickle"]

PICKLE_WARNING = (
    "Loading a pickle EXECUTES CODE stored in the file. Convert only model files from a "
    "source you trust."
)

_SOURCES = ("ebm", "pygam", "sklearn")


def convert_model(
    path: str | os.PathLike[str],
    source: Literal["ebm", "pygam", "sklearn"],
    *,
    allow_pickle: bool = True,
    **options: Any,
) -> GAM:
    """Load a fitted model from ``path`` and convert it with the matching adapter.

    Parameters
    ----------
    path : str or path-like
        A pickle (``pickle`` or ``joblib``) of an EBM, a pyGAM model or a scikit-learn
        spline pipeline; for ``source="ebm"`` also a ``.json`` file written by
        interpret's ``to_json``, which is read as data.
    source : {"ebm", "pygam", "sklearn"}
    allow_pickle : bool, default True
        False never unpickles: ``source="ebm"`` then reads ``path`` as JSON whatever its
        name, and the pickle-only sources raise. The command line passes False unless
        given ``--trust-pickle``.
    **options
        Passed to the adapter (``domains=``, names …).

    Raises
    ------
    InvalidParameterError
        An unknown ``source``, or a pickle-only source with ``allow_pickle=False``.

    Warns
    -----
    UserWarning
        Before any pickle is opened: pickles execute code.

    Notes
    -----
    Linear in the file size plus the adapter's cost.
    """
    if source not in _SOURCES:
        raise InvalidParameterError(
            f"The 'source' parameter of convert_model must be one of {set(_SOURCES)}. "
            f"Got {source!r} instead."
        )
    file = Path(path)
    if not (allow_pickle and reads_pickle(file, source)):
        if source != "ebm":
            raise InvalidParameterError(
                f"convert_model with source={source!r} reads a pickle, and unpickling runs "
                "code stored in the file; pass allow_pickle=True only for trusted files"
            )
        from gamexplain.io.ebm import from_ebm_json

        return from_ebm_json(file, **options)
    model = _unpickle(file)
    if source == "ebm":
        from gamexplain.io.ebm import from_ebm

        return from_ebm(model, **options)
    if source == "pygam":
        from gamexplain.io.pygam import from_pygam

        return from_pygam(model, **options)
    from gamexplain.io.sklearn import from_sklearn

    return from_sklearn(model, **options)


def reads_pickle(path: str | os.PathLike[str], source: str) -> bool:
    """Whether :func:`convert_model` (allowed to) would unpickle ``path`` for ``source``.

    Only an EBM can come as data: interpret's JSON export, recognised by a name ending in
    ``.json`` (the whole name, so a file called ``.json`` counts, unlike ``Path.suffix``).
    """
    return source != "ebm" or not Path(path).name.lower().endswith(".json")


def _unpickle(file: Path) -> Any:
    warnings.warn(PICKLE_WARNING, UserWarning, stacklevel=3)
    try:
        import joblib
    except ImportError:
        with file.open("rb") as handle:
            return pickle.load(handle)  # trusted files only: see the warning above
    return joblib.load(file)
