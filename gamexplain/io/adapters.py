"""The adapter table: one entry per library gamexplain reads a fitted model from.

``convert_model`` and the command line's ``convert --from`` read this table for their
choices, their help and their dispatch; ``tests/io/test_adapters.py`` holds the package's
exports to it. Adding an adapter = its module (built on :mod:`gamexplain.io.kit`) + one
entry here + its export in ``gamexplain/__init__.py`` and ``gamexplain/io/__init__.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gamexplain.errors import InvalidParameterError
from gamexplain.model.gam import GAM

__all__ = ["ADAPTERS", "Adapter", "adapter_for", "converter", "converters", "loader_names"]


@dataclass(frozen=True)
class Adapter:
    """How gamexplain reads models of one library.

    Attributes
    ----------
    name : str
        The key: ``convert_model``'s ``source`` and the command line's ``--from``.
    module : str
        The module holding the loaders.
    loader : str
        The public function converting a fitted model object.
    library : str
        The library that trains such models.
    pickle : bool
        Whether ``convert`` accepts a pickle (or joblib file) of the fitted object.
    data_loader : str or None
        The public function reading the library's own export as data (never code).
    data_suffix : str, tuple of str, or None
        The end(s) of a file name that mark that export, compared case-insensitively.
    description : str
        One line for the command line's help and the docs.
    types : tuple of str
        The fitted objects :func:`adapter_for` sends here: prefixes of their class's
        ``module.QualifiedName`` (empty: the loader needs more than the object).
    """

    name: str
    module: str
    loader: str
    library: str
    pickle: bool
    data_loader: str | None
    data_suffix: str | tuple[str, ...] | None
    description: str
    types: tuple[str, ...] = ()

    @property
    def formats(self) -> str:
        """The files ``convert`` reads for this adapter, in words."""
        suffixes = (self.data_suffix,) if isinstance(self.data_suffix, str) else self.data_suffix
        kinds = [f"its {' or '.join(suffixes)} export"] if suffixes else []
        return " or ".join([*kinds, *(["a pickle"] if self.pickle else [])])

    def function(self, loader: str) -> Callable[..., GAM]:
        """One of this adapter's loaders, imported on first use."""
        found: Callable[..., GAM] = getattr(importlib.import_module(self.module), loader)
        return found


ADAPTERS: tuple[Adapter, ...] = (
    Adapter(
        name="ebm",
        module="gamexplain.io.ebm",
        loader="from_ebm",
        library="interpret",
        pickle=True,
        data_loader="from_ebm_json",
        data_suffix=".json",
        description="Explainable Boosting Machines, read bin for bin",
        types=("interpret.",),
    ),
    Adapter(
        name="pygam",
        module="gamexplain.io.pygam",
        loader="from_pygam",
        library="pygam",
        pickle=True,
        data_loader=None,
        data_suffix=None,
        description="pyGAM models: s(), l() and f() terms, spline pieces in rationals",
        types=("pygam.",),
    ),
    Adapter(
        name="sklearn",
        module="gamexplain.io.sklearn",
        loader="from_sklearn",
        library="scikit-learn",
        pickle=True,
        data_loader=None,
        data_suffix=None,
        description=(
            "SplineTransformer pipelines (affine scalers and ColumnTransformer routing "
            "allowed) ending in a linear model"
        ),
        types=("sklearn.pipeline.", "sklearn.compose.", "sklearn.linear_model."),
    ),
    Adapter(
        name="nam",
        module="gamexplain.io.nam",
        loader="from_nam",
        library="PyTorch or scikit-learn",
        pickle=False,
        data_loader=None,
        data_suffix=None,
        description="neural additive models: one ReLU network per feature",
    ),
    Adapter(
        name="nbm",
        module="gamexplain.io.nam",
        loader="from_nbm",
        library="PyTorch or scikit-learn",
        pickle=False,
        data_loader=None,
        data_suffix=None,
        description="neural basis models: one shared ReLU basis network, mixed per feature",
    ),
    Adapter(
        name="xgboost",
        module="gamexplain.io.trees",
        loader="from_xgboost",
        library="xgboost",
        pickle=True,
        data_loader="from_xgboost_json",
        data_suffix=".json",
        description="boosted trees of one or two features each, from XGBoost's JSON model",
        types=("xgboost.",),
    ),
    Adapter(
        name="lightgbm",
        module="gamexplain.io.trees",
        loader="from_lightgbm",
        library="lightgbm",
        pickle=True,
        data_loader="from_lightgbm_model",
        data_suffix=(".txt", ".json"),
        description="boosted trees of one or two features each, from LightGBM's model file",
        types=("lightgbm.",),
    ),
    Adapter(
        name="hgb",
        module="gamexplain.io.trees",
        loader="from_hist_gradient_boosting",
        library="scikit-learn",
        pickle=True,
        data_loader=None,
        data_suffix=None,
        description="HistGradientBoosting with trees of one or two features each",
        types=("sklearn.ensemble._hist_gradient_boosting.",),
    ),
)


def loader_names() -> list[str]:
    """Every public loader the table declares, in table order."""
    names = [a.loader for a in ADAPTERS]
    names += [a.data_loader for a in ADAPTERS if a.data_loader is not None]
    return names


def converters() -> list[Adapter]:
    """The adapters ``convert`` can read from a file, in table order."""
    return [a for a in ADAPTERS if a.pickle or a.data_loader is not None]


def converter(source: Any, caller: str = "convert_model") -> Adapter:
    """The adapter ``convert`` uses for ``source``.

    Raises
    ------
    InvalidParameterError
        ``source`` names no adapter that reads files.
    """
    for adapter in converters():
        if adapter.name == source:
            return adapter
    choices = ", ".join(repr(a.name) for a in converters())
    raise InvalidParameterError(
        f"The 'source' parameter of {caller} must be one of {{{choices}}}. Got {source!r} instead."
    )


def adapter_for(model: Any, caller: str = "from_fitted") -> Adapter:
    """The adapter that reads the fitted object ``model``, found by its class.

    Raises
    ------
    InvalidParameterError
        No adapter reads objects of ``model``'s class.
    """
    kind = type(model)
    qualified = f"{kind.__module__}.{kind.__qualname__}"
    for adapter in ADAPTERS:
        if any(qualified.startswith(prefix) for prefix in adapter.types):
            return adapter
    readable = ", ".join(f"{a.library} ({a.loader})" for a in ADAPTERS if a.types)
    raise InvalidParameterError(
        f"The 'model' parameter of {caller} must be a fitted model of a library gamexplain "
        f"reads: {readable}. Got {qualified} instead (neural additive models need "
        "from_nam or from_nbm with their domains)."
    )
