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
from typing import Any

from gamexplain.errors import InvalidModelError, InvalidParameterError
from gamexplain.io.adapters import adapter_for, converter
from gamexplain.model.gam import GAM
from gamexplain.model.multiclass import MulticlassGAM

__all__ = ["PICKLE_WARNING", "convert_model", "from_fitted", "reads_data", "reads_pickle"]

PICKLE_WARNING = (
    "Loading a pickle EXECUTES CODE stored in the file. Convert only model files from a "
    "source you trust."
)


def convert_model(
    path: str | os.PathLike[str],
    source: str,
    *,
    allow_pickle: bool = True,
    **options: Any,
) -> GAM:
    """Load a fitted model from ``path`` and convert it with the matching adapter.

    Parameters
    ----------
    path : str or path-like
        A pickle (``pickle`` or ``joblib``) of a fitted model, or a library's own data
        export (interpret's ``to_json`` for ``source="ebm"``), which is read as data.
    source : str
        The name of an adapter in :data:`~gamexplain.io.adapters.ADAPTERS` that reads
        files (``"ebm"``, ``"pygam"``, ``"sklearn"``).
    allow_pickle : bool, default True
        False never unpickles: an adapter with a data export then reads ``path`` as that
        export whatever its name, and the pickle-only ones raise. The command line
        passes False unless given ``--trust-pickle``.
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
    adapter = converter(source)
    file = Path(path)
    if allow_pickle and reads_pickle(file, source):
        return adapter.function(adapter.loader)(_unpickle(file), **options)
    if adapter.data_loader is None:
        raise InvalidParameterError(
            f"convert_model with source={source!r} reads a pickle, and unpickling runs "
            "code stored in the file; pass allow_pickle=True only for trusted files"
        )
    return adapter.function(adapter.data_loader)(file, **options)


def from_fitted(model: Any, **options: Any) -> GAM | MulticlassGAM:
    """Convert a fitted model with the adapter its class calls for.

    Parameters
    ----------
    model : object
        A fitted EBM, pyGAM model, scikit-learn spline pipeline or linear model,
        XGBoost or LightGBM model (estimator or Booster) or HistGradientBoosting
        estimator; the adapter is chosen by the object's class
        (:data:`~gamexplain.io.adapters.ADAPTERS`).
    **options
        Passed to that adapter (``X=`` for the domains of boosted trees, ``domains=``,
        ``names=``, ``tolerance=`` …).

    Returns
    -------
    GAM or MulticlassGAM
        What the adapter returns.

    Raises
    ------
    InvalidParameterError
        No adapter reads ``model``'s class; or the adapter's own errors.

    Notes
    -----
    The adapter's cost; choosing it is constant time.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> model = HistGradientBoostingRegressor(max_iter=3, interaction_cst="no_interactions")
    >>> gam = from_fitted(model.fit(X, np.arange(20.0)), X=X, tolerance=1.0)
    >>> bool(np.allclose(gam.decision_function(X), model.predict(X), atol=1e-12))
    True
    """
    adapter = adapter_for(model)
    return adapter.function(adapter.loader)(model, **options)


def reads_data(source: str) -> bool:
    """Whether ``source`` has a data export :func:`convert_model` reads without pickles."""
    return converter(source).data_loader is not None


def reads_pickle(path: str | os.PathLike[str], source: str) -> bool:
    """Whether :func:`convert_model` (allowed to) would unpickle ``path`` for ``source``.

    A data export is recognised by the whole name's ending (for an EBM, ``.json``; so a
    file called ``.json`` counts, unlike ``Path.suffix``); any other file is a pickle.
    """
    suffix = converter(source).data_suffix
    return suffix is None or not Path(path).name.lower().endswith(suffix)


def _unpickle(file: Path) -> Any:
    warnings.warn(PICKLE_WARNING, UserWarning, stacklevel=3)
    try:
        try:
            import joblib
        except ImportError:
            with file.open("rb") as handle:
                return pickle.load(handle)  # trusted files only: see the warning above
        return joblib.load(file)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError,
            ImportError, IndexError, TypeError, KeyError) as error:  # fmt: skip
        # a truncated, corrupt or foreign file, or one naming a class this environment
        # lacks: the library raises any of these
        raise InvalidModelError(
            f"{file}: cannot be read as a pickled model ({type(error).__name__}: {error})"
        ) from error
