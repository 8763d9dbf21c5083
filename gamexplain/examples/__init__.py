"""The bundled example models, shipped inside the package so the CLI finds them.

* ``breast_cancer_ebm``: an Explainable Boosting Machine (main effects) fitted on
  scikit-learn's breast-cancer data; 30 continuous features, degree-0 pieces.
* ``credit``: a small hand-made credit model mixing every domain kind (finite labels,
  integer ranges, real intervals) and every shape kind (table, step function, linear and
  cubic pieces, ReLU network).

``examples/README.md`` in the source tree describes both; ``examples/build_examples.py``
regenerates them.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from gamexplain.errors import InvalidParameterError

__all__ = ["ModelSource", "demo_instance", "example_path", "list_examples", "locate_model"]

_DEMO_INSTANCES: dict[str, dict[str, Any]] = {
    # row 24 of scikit-learn's data: a malignant tumour the model is confident about
    "breast_cancer_ebm": {
        "mean radius": 16.65,
        "mean texture": 21.38,
        "mean perimeter": 110.0,
        "mean area": 904.6,
        "mean smoothness": 0.1121,
        "mean compactness": 0.1457,
        "mean concavity": 0.1525,
        "mean concave points": 0.0917,
        "mean symmetry": 0.1995,
        "mean fractal dimension": 0.0633,
        "radius error": 0.8068,
        "texture error": 0.9017,
        "perimeter error": 5.455,
        "area error": 102.6,
        "smoothness error": 0.006048,
        "compactness error": 0.01882,
        "concavity error": 0.02741,
        "concave points error": 0.0113,
        "symmetry error": 0.01468,
        "fractal dimension error": 0.002801,
        "worst radius": 26.46,
        "worst texture": 31.56,
        "worst perimeter": 177.0,
        "worst area": 2215.0,
        "worst smoothness": 0.1805,
        "worst compactness": 0.3578,
        "worst concavity": 0.4695,
        "worst concave points": 0.2095,
        "worst symmetry": 0.3613,
        "worst fractal dimension": 0.09564,
    },
    "credit": {
        "grade": "C",
        "income": 45.0,
        "age": 33,
        "open_accounts": 3,
        "utilisation": 0.55,
    },
}


def list_examples() -> list[str]:
    """The names of the bundled examples, sorted (e.g. ``["breast_cancer_ebm", "credit"]``)."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


def example_path(name: str) -> Path:
    """The path of a bundled example's JSON file, by name (with or without ``.json``).

    Examples
    --------
    >>> from gamexplain import load
    >>> load(example_path("credit")).feature_names
    ('grade', 'income', 'age', 'open_accounts', 'utilisation')
    """
    names = list_examples()
    key = name.removesuffix(".json") if isinstance(name, str) else name
    if key not in names:
        raise InvalidParameterError(
            f"The 'name' parameter of example_path must be one of "
            f"{{{', '.join(map(repr, names))}}}. "
            f"Got {name!r} instead."
        )
    return Path(str(resources.files(__name__).joinpath(f"{key}.json")))


class ModelSource(NamedTuple):
    """Where :func:`locate_model` found a model.

    Attributes
    ----------
    path : Path
        The file to read.
    bundled : bool
        Whether it is the bundled example of that name (no file of that name exists).
    shadows : bool
        Whether it is a file that has a bundled example's name, read instead of the example.
    """

    path: Path
    bundled: bool
    shadows: bool


def locate_model(name: str) -> ModelSource:
    """The model a name means: a file, or else a bundled example.

    A path that exists is always a file, even when a bundled example has the same name; a
    bundled example (its exact name, e.g. ``"credit"``) is used only when no such file
    exists. :func:`gamexplain.load` and the command line both follow this rule.

    Raises
    ------
    FileNotFoundError
        Neither a file nor a bundled example; the message lists the examples.

    Notes
    -----
    One existence check and one listing of the package's examples.

    Examples
    --------
    >>> source = locate_model("credit")  # no file called "credit" here
    >>> source.bundled, source.path.name
    (True, 'credit.json')
    """
    names = list_examples()
    if os.path.exists(name):  # unlike Path, "" is not the working directory
        return ModelSource(Path(name), bundled=False, shadows=name in names)
    if name in names:
        return ModelSource(example_path(name), bundled=True, shadows=False)
    raise FileNotFoundError(
        f"no model file {name!r}, and no bundled example of that name (bundled: {', '.join(names)})"
    )


def demo_instance(name: str) -> tuple[Any, ...]:
    """The instance the demo explains for a bundled example, in feature order.

    Examples
    --------
    >>> demo_instance("credit")
    ('C', 45.0, 33, 3, 0.55)
    """
    from gamexplain.io.jsonfile import load

    gam = load(example_path(name))
    return gam.instance(_DEMO_INSTANCES[name.removesuffix(".json")])
