"""Fit and write the bundled EBM example, and copy every example into the package.

Run from the repository root::

    python examples/build_examples.py

The fit is deterministic (fixed ``random_state``, one thread), so running the script again
rewrites ``breast_cancer_ebm.json`` byte for byte. The hand-written ``credit.json`` is
only copied. Both files go to ``examples/`` and to ``gamexplain/examples/``, where the CLI
finds them after installation.
"""

from __future__ import annotations

import shutil
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


def main() -> None:
    target = HERE / "breast_cancer_ebm.json"
    dump(from_ebm(fit_breast_cancer()), target, description=BREAST_CANCER_DESCRIPTION)
    for name in ("breast_cancer_ebm.json", "credit.json"):
        load(HERE / name)
        shutil.copyfile(HERE / name, PACKAGE / name)
        print(f"wrote {name} ({(HERE / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
