"""The bundled example models, shipped inside the package so the CLI finds them.

* ``breast_cancer_default_ebm``: interpret's default ``ExplainableBoostingClassifier``
  (90 pair terms, up to 441 bins a feature) fitted on 80% of scikit-learn's
  breast-cancer data; stored gzip-compressed (3.4 MB). The demo explains it.
* ``breast_cancer_ebm``: an Explainable Boosting Machine (main effects) fitted on
  scikit-learn's breast-cancer data; 30 continuous features, degree-0 pieces.
* ``diabetes_ebm``: an EBM regressor (main effects) fitted on 80% of scikit-learn's
  diabetes data, with a regression tolerance of 25 in the target's units; the demo's
  regression part explains it.
* ``credit``: a small hand-made credit model mixing every domain kind (finite labels,
  integer ranges, real intervals) and every shape kind (table, step function, linear and
  cubic pieces, ReLU network).

``examples/README.md`` in the source tree describes them; ``examples/build_examples.py``
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
    # a held-out tumour (row 13 of the 20% test split, train_test_split(test_size=0.2,
    # random_state=0)): predicted malignant with score -0.50, near the boundary
    "breast_cancer_default_ebm": {
        "mean radius": 16.84,
        "mean texture": 19.46,
        "mean perimeter": 108.4,
        "mean area": 880.2,
        "mean smoothness": 0.07445,
        "mean compactness": 0.07223,
        "mean concavity": 0.0515,
        "mean concave points": 0.02771,
        "mean symmetry": 0.1844,
        "mean fractal dimension": 0.05268,
        "radius error": 0.4789,
        "texture error": 2.06,
        "perimeter error": 3.479,
        "area error": 46.61,
        "smoothness error": 0.003443,
        "compactness error": 0.02661,
        "concavity error": 0.03056,
        "concave points error": 0.0111,
        "symmetry error": 0.0152,
        "fractal dimension error": 0.001519,
        "worst radius": 18.22,
        "worst texture": 28.07,
        "worst perimeter": 120.3,
        "worst area": 1032.0,
        "worst smoothness": 0.08774,
        "worst compactness": 0.171,
        "worst concavity": 0.1882,
        "worst concave points": 0.08436,
        "worst symmetry": 0.2527,
        "worst fractal dimension": 0.05972,
    },
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
    # a held-out patient (row 0 of the 20% test split, train_test_split(test_size=0.2,
    # random_state=0), unscaled): predicted disease progression 234.2
    "diabetes_ebm": {
        "age": 54.0,
        "sex": 2.0,
        "bmi": 36.1,
        "bp": 115.0,
        "s1": 163.0,
        "s2": 98.4,
        "s3": 43.0,
        "s4": 4.0,
        "s5": 4.6821,
        "s6": 101.0,
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
    """The names of the bundled examples, sorted (``"breast_cancer_default_ebm"``,
    ``"breast_cancer_ebm"``, ``"credit"``, ``"diabetes_ebm"``)."""
    files = resources.files(__name__).iterdir()
    return sorted(_stem(f.name) for f in files if _stem(f.name) != f.name)


_SUFFIXES = (".json", ".json.gz")


def _stem(filename: str) -> str:
    """A bundled file's example name (the file name itself when it is not an example)."""
    for suffix in _SUFFIXES:
        if filename.endswith(suffix):
            return filename.removesuffix(suffix)
    return filename


def example_path(name: str) -> Path:
    """The path of a bundled example's JSON file, by name (with or without ``.json``).

    Examples
    --------
    >>> from gamexplain import load
    >>> load(example_path("credit")).feature_names
    ('grade', 'income', 'age', 'open_accounts', 'utilisation')
    """
    names = list_examples()
    key = _stem(name) if isinstance(name, str) else name
    if key not in names:
        raise InvalidParameterError(
            f"The 'name' parameter of example_path must be one of "
            f"{{{', '.join(map(repr, names))}}}. "
            f"Got {name!r} instead."
        )
    folder = resources.files(__name__)
    found = [folder.joinpath(key + suffix) for suffix in _SUFFIXES]
    return Path(str(next(f for f in found if f.is_file())))


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
