"""Responsiveness scores: gamexplain against reachml 0.2.0a1 on the same additive classifier.

Run: ``python benchmarks/bench_responsiveness.py [--rows 20] [--no-reachml]``.

The model is a linear (hence additive) classifier over 22 discrete features: a one-hot
group of 4 dummies, a thermometer of 4, an exhaustive ordinal of 3 that may only rise,
years of employment linked to an immutable age, and 9 separable integer features. Both
sides score the same rows toward class 1 (reachml's default target).

reachml pins old numpy/pandas and needs CPLEX, so it runs in its own virtual environment
(``/tmp/reachml_venv``, created here with ``reachml==0.2.0a1`` and ``cplex`` when
missing) and is called in a subprocess that times each row itself. gamexplain is also
timed against its brute-force reference (``method="brute"``) in the same run. Printed:
per-row times, the median time ratio, and how many of the scores agree exactly.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from gamexplain import (
    GAM,
    ActionSet,
    Classification,
    Feature,
    Integers,
    Piecewise,
    responsiveness_scores,
)

__all__ = ["build", "main", "ours", "reachml_scores"]

VENV = Path("/tmp/reachml_venv")
ONE_HOT = ["home_own", "home_rent", "home_mortgage", "home_other"]
THERMOMETER = ["income_geq_1", "income_geq_2", "income_geq_3", "income_geq_4"]
ORDINAL = ["edu_hs", "edu_ba", "edu_ms"]
SEPARABLE = [f"f{k}" for k in range(9)]
NAMES = [*ONE_HOT, *THERMOMETER, *ORDINAL, "years_employed", "age", *SEPARABLE]
RANGES = {
    **{n: (0, 1) for n in ONE_HOT + THERMOMETER + ORDINAL},
    "years_employed": (0, 10),
    "age": (18, 60),
    **{n: (0, 9) for n in SEPARABLE},
}


def build(seed: int, rows: int) -> tuple[list[float], float, list[list[int]]]:
    """Weights (multiples of 1/8, so floats are exact), an intercept that keeps every
    score off the threshold, and valid rows."""
    rng = np.random.default_rng(seed)
    weights = [float(w) / 8 for w in rng.integers(-8, 9, size=len(NAMES))]
    weights[NAMES.index("age")] = -0.125
    intercept = float(rng.integers(-6, 2)) + 1 / 16
    data = []
    for _ in range(rows):
        home = [0, 0, 0, 0]
        home[rng.integers(4)] = 1
        level = int(rng.integers(0, 5))
        income = [int(k < level) for k in range(4)]
        edu = [0, 0, 0]
        edu[rng.integers(3)] = 1
        years = int(rng.integers(0, 6))
        age = int(rng.integers(18, 50))
        rest = [int(v) for v in rng.integers(0, 10, size=len(SEPARABLE))]
        data.append([*home, *income, *edu, years, age, *rest])
    return weights, intercept, data


def gam_of(weights: list[float], intercept: float) -> GAM:
    feats = []
    for name, w in zip(NAMES, weights, strict=True):
        low, high = RANGES[name]
        feats.append(Feature(name, Integers(low, high),
                             Piecewise([low, high + 1], [[w * low, w]])))  # fmt: skip
    return GAM(feats, intercept=intercept, task=Classification(0.0, positive=">"))


def actions_of(gam: GAM) -> ActionSet:
    return ActionSet.from_gam(
        gam, age={"actionable": False}, years_employed={"step_direction": 1}
    ).with_constraints(
        {"type": "OneHotEncoding", "names": ONE_HOT},
        {"type": "ThermometerEncoding", "names": THERMOMETER},
        {"type": "OrdinalEncoding", "names": ORDINAL, "exhaustive": True, "step_direction": 1},
        {"type": "DirectionalLinkage", "names": ["years_employed", "age"], "scales": [1],
         "keep_bounds": True},
    )  # fmt: skip


def ours(
    gam: GAM, actions: ActionSet, rows: list[list[int]], method: str
) -> tuple[list[Any], list[tuple[float, float]]]:
    """Exact scores per row, and (wall, CPU) seconds per row."""
    scores, seconds = [], []
    for row in rows:
        started, cpu = time.perf_counter(), time.process_time()
        result = responsiveness_scores(gam, row, actions, target=1, method=method)
        seconds.append((time.perf_counter() - started, time.process_time() - cpu))
        scores.append(result.exact_scores)
    return scores, seconds


WORKER = r"""
import json, sys, time
import numpy as np, pandas as pd
import reachml
from reachml.constraints import OneHotEncoding, ThermometerEncoding, OrdinalEncoding
from reachml.constraints import DirectionalLinkage
spec = json.load(sys.stdin)
names, ranges = spec["names"], spec["ranges"]
grid = pd.DataFrame({n: [ranges[n][0], ranges[n][1]] for n in names})
A = reachml.ActionSet(grid)
A["age"].actionable = False
A["years_employed"].step_direction = 1
A.constraints.add(OneHotEncoding(names=spec["one_hot"]))
A.constraints.add(ThermometerEncoding(names=spec["thermometer"]))
A.constraints.add(OrdinalEncoding(names=spec["ordinal"], exhaustive=True, step_direction=1))
A.constraints.add(DirectionalLinkage(names=["years_employed", "age"], scales=[1, 1],
                                     keep_bounds=True))
w, b = np.array(spec["weights"]), spec["intercept"]
predict = lambda X: (np.atleast_2d(X) @ w + b > 0).astype(int)
out = []
for row in spec["rows"]:
    x = np.array(row, dtype=float)
    try:
        scorer = reachml.ResponsivenessScorer(A, method="enumerate")
        started, cpu = time.perf_counter(), time.process_time()
        scores = scorer.score(x, predict, target=1)
        out.append({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                    "scores": scores.tolist()})
    except Exception as error:
        out.append({"error": f"{type(error).__name__}: {error}"})
json.dump(out, sys.stdout)
"""


def ensure_venv() -> Path | None:
    """The reachml interpreter, installing it when missing; None when that fails."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False)
        # reachml 0.2.0a1 imports scipy and scikit-learn without declaring them
        install = [str(VENV / "bin" / "pip"), "install", "-q", "reachml==0.2.0a1", "cplex",
                   "scipy", "scikit-learn"]  # fmt: skip
        if subprocess.run(install, check=False).returncode != 0:
            return None
    check = subprocess.run([str(python), "-c", "import reachml, cplex"], check=False,
                           capture_output=True, text=True)  # fmt: skip
    if check.returncode != 0:
        print(check.stderr[-1000:])
        return None
    return python


def reachml_scores(weights: list[float], intercept: float, rows: list[list[int]]) -> list | None:
    python = ensure_venv()
    if python is None:
        return None
    spec = {
        "names": NAMES, "ranges": RANGES, "one_hot": ONE_HOT, "thermometer": THERMOMETER,
        "ordinal": ORDINAL, "weights": weights, "intercept": intercept, "rows": rows,
    }  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(WORKER)
    run = subprocess.run([str(python), handle.name], input=json.dumps(spec), text=True,
                         capture_output=True, check=False, timeout=3600)  # fmt: skip
    if run.returncode != 0:
        print(run.stderr[-2000:])
        return None
    return json.loads(run.stdout)


def _agree(exact: tuple, approx: list[float]) -> int:
    return sum(abs(float(e) - a) <= 1e-9 for e, a in zip(exact, approx, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-reachml", action="store_true")
    args = parser.parse_args()
    weights, intercept, rows = build(args.seed, args.rows)
    gam = gam_of(weights, intercept)
    actions = actions_of(gam)
    exact, mine = ours(gam, actions, rows, "per-component")
    brute, slow = ours(gam, actions, rows, "brute")
    assert exact == brute, "the exact algorithm departs from the brute-force reference"
    print(f"{len(NAMES)} features, {len(actions.components)} components, {len(rows)} rows")
    wall = statistics.median(m[0] for m in mine)
    print(f"gamexplain exact: median {wall * 1e3:.2f} ms per row "
          f"({statistics.median(m[1] for m in mine) * 1e3:.2f} ms CPU); brute-force "
          f"reference: median {statistics.median(s[0] for s in slow) * 1e3:.2f} ms")  # fmt: skip
    if args.no_reachml:
        return
    theirs = reachml_scores(weights, intercept, rows)
    if theirs is None:
        print("reachml could not be installed or run here; see the message above")
        return
    _compare(theirs, mine, exact)


def _compare(theirs: list[Any], mine: list[tuple[float, float]], exact: list[Any]) -> None:
    agree = total = 0
    ratios, cpu_ratios, failures = [], [], []
    print(f"{'row':>4} {'reachml ms':>11} {'ours ms':>8} {'ratio':>7} {'CPU ratio':>10} "
          f"{'agree':>6}")  # fmt: skip
    for k, (answer, (wall, cpu), scores) in enumerate(zip(theirs, mine, exact, strict=True)):
        if "error" in answer:
            failures.append((k, answer["error"]))
            continue
        same = _agree(scores, answer["scores"])
        agree, total = agree + same, total + len(scores)
        ratios.append(answer["seconds"] / wall)
        cpu_ratios.append(answer["cpu"] / max(cpu, 1e-6))
        print(f"{k:4} {answer['seconds'] * 1e3:11.1f} {wall * 1e3:8.2f} {ratios[-1]:7.0f} "
              f"{cpu_ratios[-1]:10.0f} {same:>3}/{len(scores)}")  # fmt: skip
        for j, (e, a) in enumerate(zip(scores, answer["scores"], strict=True)):
            if abs(float(e) - a) > 1e-9:
                print(f"      {NAMES[j]}: ours {Fraction(e)} = {float(e):.4f}, reachml {a:.4f}")
    if ratios:
        wall_ratio, cpu_ratio = statistics.median(ratios), statistics.median(cpu_ratios)
        print(f"median time ratio reachml / gamexplain: {wall_ratio:.0f}× wall, "
              f"{cpu_ratio:.0f}× CPU; scores agreeing: {agree}/{total}")  # fmt: skip
    for k, error in failures:
        print(f"row {k}: reachml failed: {error}")


if __name__ == "__main__":
    main()
