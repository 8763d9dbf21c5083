"""Fit and write the bundled EBM examples, and copy every example into the package.

Run from the repository root::

    python examples/build_examples.py [--default]

The fits are deterministic (fixed ``random_state``), so running the script again
rewrites ``breast_cancer_ebm.json`` byte for byte. The hand-written ``credit.json`` is
only copied. Both files go to ``examples/`` and to ``gamexplain/examples/``, where the CLI
finds them after installation. ``--default`` also refits the default EBM (interpret's
defaults: pair terms, 14 outer bags; it took over an hour on two busy cores) and writes it
gzip-compressed to the package only (3.4 MB; the source tree keeps no second copy).
"""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

from gamexplain import dump, from_ebm, load

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "gamexplain" / "examples"

BREAST_CANCER_DESCRIPTION = (
    "An Explainable Boosting Machine (InterpretML, main effects only) fitted on "
    "scikit-learn's breast-cancer data (569 tumours, 30 features). Class 1 is benign, "
    "class 0 malignant; as in EBM, class 1 only when the score is > 0."
)


def fit_breast_cancer() -> Any:
    """The EBM behind ``breast_cancer_ebm.json`` (main effects, deterministic)."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    ebm = ExplainableBoostingClassifier(
        feature_names=[str(name) for name in data.feature_names],
        interactions=0,
        max_bins=32,
        outer_bags=8,
        n_jobs=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ebm.fit(data.data, data.target)


DEFAULT_DESCRIPTION = (
    "ExplainableBoostingClassifier(random_state=0) with interpret's defaults (pair terms "
    "included), fitted on 80% of scikit-learn's breast-cancer data "
    "(train_test_split(test_size=0.2, random_state=0)). Class 1 is benign."
)


def fit_breast_cancer_default() -> Any:
    """The EBM behind ``breast_cancer_default_ebm.json.gz``: every option at its default."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ExplainableBoostingClassifier(random_state=0).fit(train, y_train)


DIABETES_TOLERANCE = 25.0
"""The diabetes model's band, in the target's units (disease progression one year after
baseline, 25 to 346, standard deviation 77): a prediction is "the same" while the score
stays within 25 of the patient's."""

DIABETES_DESCRIPTION = (
    "ExplainableBoostingRegressor(interactions=0, random_state=0, n_jobs=1), main effects "
    "only, fitted on 80% of scikit-learn's diabetes data (unscaled, "
    "train_test_split(test_size=0.2, random_state=0)); regression tolerance 25 in the "
    "target's units (disease progression after one year, standard deviation 77)."
)


def fit_diabetes() -> Any:
    """The EBM behind ``diabetes_ebm.json`` (main effects, deterministic)."""
    from interpret.glassbox import ExplainableBoostingRegressor
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ExplainableBoostingRegressor(interactions=0, random_state=0, n_jobs=1).fit(
            train, y_train
        )


def main() -> None:
    if "--default" in sys.argv[1:]:
        target = PACKAGE / "breast_cancer_default_ebm.json.gz"
        dump(from_ebm(fit_breast_cancer_default()), target, description=DEFAULT_DESCRIPTION)
        print(f"wrote {target.name} ({target.stat().st_size // 1024} KB)")
    target = HERE / "breast_cancer_ebm.json"
    dump(from_ebm(fit_breast_cancer()), target, description=BREAST_CANCER_DESCRIPTION)
    target = HERE / "diabetes_ebm.json"
    gam = from_ebm(fit_diabetes(), tolerance=DIABETES_TOLERANCE)
    dump(gam, target, description=DIABETES_DESCRIPTION)
    for name in ("breast_cancer_ebm.json", "diabetes_ebm.json", "credit.json"):
        load(HERE / name)
        shutil.copyfile(HERE / name, PACKAGE / name)
        print(f"wrote {name} ({(HERE / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
