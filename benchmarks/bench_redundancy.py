"""Feature redundancy on growing subset-sum models: partial sums vs CP-SAT vs brute force.

The model is the reduction of THEORY §4: x0 and m weighted binary features, threshold
T + 1; x0 is redundant iff no subset of the weights sums to T. Two targets per size: a
reachable sum (the first half of the weights) and that sum plus one (reachable or not;
the answer column says which), so both answers get timed. Every method runs on the same model in
the same process; brute force stops at its enumeration limit.

Run: ``python benchmarks/bench_redundancy.py [--max-m 24] [--bits 16]``.
"""

from __future__ import annotations

import argparse
import random
import time

from gamexplain import GAM, Classification, Feature, Finite, Table, is_redundant
from gamexplain.errors import UnsupportedQueryError


def subset_sum_gam(weights: list[int], target: int) -> GAM:
    feats = [Feature("x0", Finite([0, 1]), Table([0.0, 1.0]))]
    feats += [
        Feature(f"x{j + 1}", Finite([0, 1]), Table([0.0, float(a)])) for j, a in enumerate(weights)
    ]
    return GAM(feats, 0.0, Classification(float(target + 1)))


def run(gam: GAM, method: str) -> tuple[str, float, str]:
    start = time.perf_counter()
    try:
        result = is_redundant(gam, 0, method=method, time_limit=60.0)
    except UnsupportedQueryError:
        return "n/a", 0.0, ""
    seconds = time.perf_counter() - start
    answer = {True: "redundant", False: "flips"}[result.holds] if result.exact else result.status
    work = ", ".join(f"{k}={v}" for k, v in result.stats.work.items())
    return answer, seconds, work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-m", type=int, default=24)
    parser.add_argument("--bits", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(0)
    print(f"{'m':>3} {'target':>8} {'method':>13} {'answer':>10} {'seconds':>9}  work")
    for m in range(4, args.max_m + 1, 4):
        weights = [rng.randrange(1, 2**args.bits) for _ in range(m)]
        half = sum(weights[: m // 2])
        for target in (half, half + 1):
            gam = subset_sum_gam(weights, target)
            for method in ("partial-sums", "cpsat", "brute"):
                answer, seconds, work = run(gam, method)
                print(f"{m:>3} {target:>8} {method:>13} {answer:>10} {seconds:>9.4f}  {work}")


if __name__ == "__main__":
    main()
