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

from importlib import resources
from pathlib import Path
from typing import Any

from gamexplain.errors import InvalidParameterError

__all__ = ["demo_instance", "example_path", "list_examples"]

_DEMO_INSTANCES: dict[str, dict[str, Any]] = {
    # row 40 of scikit-learn's data: a malignant tumour whose score is close to the boundary
    "breast_cancer_ebm": {
        "mean radius": 13.44,
        "mean texture": 21.58,
        "mean perimeter": 86.18,
        "mean area": 563.0,
        "mean smoothness": 0.08162,
        "mean compactness": 0.06031,
        "mean concavity": 0.0311,
        "mean concave points": 0.02031,
        "mean symmetry": 0.1784,
        "mean fractal dimension": 0.05587,
        "radius error": 0.2385,
        "texture error": 0.8265,
        "perimeter error": 1.572,
        "area error": 20.53,
        "smoothness error": 0.00328,
        "compactness error": 0.01102,
        "concavity error": 0.0139,
        "concave points error": 0.006881,
        "symmetry error": 0.0138,
        "fractal dimension error": 0.001286,
        "worst radius": 15.93,
        "worst texture": 30.25,
        "worst perimeter": 102.5,
        "worst area": 787.9,
        "worst smoothness": 0.1094,
        "worst compactness": 0.2043,
        "worst concavity": 0.2085,
        "worst concave points": 0.1112,
        "worst symmetry": 0.2994,
        "worst fractal dimension": 0.07146,
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
