"""docs/regional.md: its showcase runs and prints the numbers the page states."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import gamexplain as gx

PAGE = Path(__file__).resolve().parents[1] / "docs" / "regional.md"


def test_the_showcase_runs_and_gives_the_stated_numbers(capsys) -> None:  # type: ignore[no-untyped-def]
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(block, namespace)
    printed = capsys.readouterr().out
    assert "[0] s ≤ 0.5 (6 rows): w 0.0625, z 0, s 0" in printed
    result, gam = namespace["result"], namespace["gam"]
    assert result.exact_importances == (  # type: ignore[attr-defined]
        (Fraction(0), Fraction(0), Fraction(1, 16)),
        (Fraction(38, 9), Fraction(0), Fraction(1, 16)),
    )
    shap = [gx.shap_values(gam, x, distribution="uniform").exact_values[0]  # type: ignore[arg-type]
            for x in [(2, 0, 0), (0, 0, 1)]]  # fmt: skip
    assert shap == [Fraction(7, 12), Fraction(-2, 3)]
    rows = [(z, 0, w) for z in (0, 1, 2) for w in (0, 1)]
    values = [abs(gx.shap_values(gam, x, distribution="uniform").exact_values[0])  # type: ignore[arg-type]
              for x in rows]  # fmt: skip
    assert sum(values) / len(values) == Fraction(4, 9)
    population = gx.regional_attributions(gam, namespace["rows"], max_depth=1, population=True,  # type: ignore[arg-type]
                                          distribution="uniform")  # fmt: skip
    assert population.exact_importances == result.exact_importances  # type: ignore[attr-defined]
    importances = gx.feature_importances(gam, distribution="uniform")  # type: ignore[arg-type]
    assert importances.exact_importances == (Fraction(19, 9), Fraction(7, 4), Fraction(1, 16))
