"""Automatic reviewer assignment on generated instances (`python -m bench.assignment [--sizes 200x30,2000x200]`).

Not part of the test suite: numbers are printed, never asserted. Instances are generated from a fixed seed:
12 themes, German and English proposals, reviewers with expert themes and languages, some limited to a few
themes, about 2 % conflicts, bids on a few percent of the proposals, and a few existing assignments. k = 3.
"""
from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import Counter

from review_app.review.assignment import Proposal, Reviewer, assign

K = 3
SIZES = ((200, 30), (2000, 200))
THEMES = tuple(range(1, 13))


def generate(n_proposals: int, n_reviewers: int, seed: int = 1):
    """(proposals, reviewers, conflicts, bids, existing) for one instance, the same for the same arguments."""
    rng = random.Random(f"{seed}-{n_proposals}x{n_reviewers}")
    proposals = [Proposal(id=i, theme_ids=tuple(rng.sample(THEMES, rng.choice((1, 2, 2, 3)))),
                          language=rng.choices(("de", "en"), weights=(85, 15))[0])
                 for i in range(1, n_proposals + 1)]
    # caps leave about 40 % headroom over the k reviews per proposal spread evenly
    cap = math.ceil(1.4 * K * n_proposals / n_reviewers)
    reviewers = []
    for j in range(1, n_reviewers + 1):
        limited = frozenset(rng.sample(THEMES, rng.randint(2, 4))) if rng.random() < 0.15 else None
        languages = rng.choices((frozenset({"de"}), frozenset({"de", "en"}), frozenset({"en"}), frozenset()),
                                weights=(55, 30, 5, 10))[0]
        reviewers.append(Reviewer(id=10_000 + j, cap=rng.randint(cap - 2, cap + 4), limited_to_themes=limited,
                                  expert_themes=frozenset(rng.sample(THEMES, rng.randint(1, 4))),
                                  languages=languages))
    pairs = [(r.id, p.id) for r in reviewers for p in proposals]
    conflicts = {pair for pair in pairs if rng.random() < 0.02}
    bids = {pair: rng.choices(("eager", "willing", "rather_not", "conflict"), weights=(30, 40, 25, 5))[0]
            for pair in pairs if rng.random() < 0.04}
    existing = rng.sample(pairs, n_proposals // 20)
    return proposals, reviewers, conflicts, bids, existing


def run(n_proposals: int, n_reviewers: int, rounds: int = 3) -> dict[str, float | int]:
    proposals, reviewers, conflicts, bids, existing = generate(n_proposals, n_reviewers)
    timings, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing, k=K)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)  # wall time grows when others share the two cores; this does not
    # the best affinity over all pairs, loads ignored: what the shortlist and the balancing are measured against
    exact = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing, k=K, shortlist=None)
    # a proposal is coverable unless it lacks eligible reviewers; a load-cap shortfall counts against us
    uncoverable = sum(1 for s in result.shortfalls if s.reason != "load_cap")
    counted = Counter(r_id for r_id, _ in [*existing, *result.pairs])
    loads = [counted[r.id] for r in reviewers]
    return {"proposals": n_proposals, "reviewers": n_reviewers, "seconds": statistics.median(timings),
            "cpu_seconds": statistics.median(cpu),
            "new_assignments": len(result.pairs), "covered": n_proposals - len(result.shortfalls),
            "coverable": n_proposals - uncoverable, "affinity_share": result.affinity / exact.optimal_affinity,
            "min_load": min(loads), "max_load": max(loads)}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float | int]]:
    """Run every size, print a table and return the figures keyed "PxR"."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(f"{p}x{r}" for p, r in SIZES),
                        help="comma-separated PROPOSALSxREVIEWERS")
    args = parser.parse_args(argv)
    figures = {}
    print(f"{'proposals x reviewers':<24}{'median s':>10}{'cpu s':>8}{'new':>8}{'covered / coverable':>22}"
          f"{'of optimal affinity':>21}{'loads':>9}")
    for size in args.sizes.split(","):
        n_proposals, n_reviewers = (int(n) for n in size.lower().split("x"))
        row = figures[size] = run(n_proposals, n_reviewers)
        print(f"{size:<24}{row['seconds']:>10.3f}{row['cpu_seconds']:>8.3f}{row['new_assignments']:>8}"
              f"{str(row['covered']) + ' / ' + str(row['coverable']):>22}{row['affinity_share']:>21.1%}"
              f"{str(row['min_load']) + '-' + str(row['max_load']):>9}")
    return figures


if __name__ == "__main__":
    main()
