"""The ranking maths: a review's weighted total, a proposal's summary statistics and the calibrated score.

Pure functions over plain data (no database, no Flask), so the ranking page, the CSV export and the
benchmarks all compute the same numbers.

Scale. Every number here is on 0..100: each criterion score is mapped to 0..1 on its own scale
(``(score - scale_min) / (scale_max - scale_min)``), the criteria are averaged with their weights, and the
result is multiplied by 100. A 1..5 criterion scored 4 therefore counts 75.

Calibration. Reviewers differ in strictness, and they are assigned by expertise, so a strict reviewer may
see mostly the strongest (or the weakest) theme. Per-reviewer z-scores then remove the theme's real
difference along with the strictness. Instead we fit the additive model

    score[r, p] = quality[p] + bias[r] + noise

by penalised least squares, minimising  sum (score - quality[p] - bias[r])^2 + lam * sum_r bias[r]^2.
A reviewer's bias is learnt only from how their scores deviate from the other reviewers of the same
proposals; the ridge penalty shrinks it by about n_r / (n_r + lam), so a reviewer with one review barely moves
anything. The penalty also fixes the level: at the optimum the biases sum to exactly 0 within each connected
group of reviewers and proposals (a shared shift would leave every residual unchanged and only cost penalty).
The calibrated score is quality[p]; it may leave 0..100 slightly, and is None for a proposal without reviews.

Solving: for fixed biases, quality[p] is the mean of (score - bias) over p's reviews; substituting gives one
symmetric positive definite system in the biases alone (reviewers × reviewers, 200 × 200 for a large event),
solved by conjugate gradients to machine precision (see `_solve_biases`). Deterministic, and indifferent to
disconnected reviewer/proposal graphs and to a tiny lam, unlike alternating least squares, whose convergence
slows down as lam approaches 0.
"""
from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where it is used: a web worker that never ranks skips its 0.1 s at start
    import numpy as np


# A proposal is flagged when two of its reviews are at least this far apart on the 0..100 scale: on a 1..5
# scale that is two steps (3 against 5). With the usual 2–3 reviews the standard deviation is only the range
# rescaled (sd = range / sqrt(2) for two reviews), so the range alone is the rule; sd is shown beside it.
HIGH_DISAGREEMENT_RANGE = 40.0

# Shrinkage strength, in reviews: a reviewer's bias keeps n / (n + lam) of the deviation the data suggest,
# i.e. a third after one review, 80 % after eight. The Bayesian reading is the ratio of the noise variance of a
# single score to the variance of the reviewers' biases (about 15² / 10² on 0..100, rounded down to 2).
DEFAULT_LAMBDA = 2.0

Review = tuple[Hashable, Hashable, float]  # (reviewer_id, proposal_id, weighted total on 0..100)


@dataclass(frozen=True)
class Criterion:
    key: Hashable
    weight: float
    scale_min: float
    scale_max: float


@dataclass(frozen=True)
class ProposalStats:
    """One proposal's reviews summarised. Without reviews every number is None; one review has no spread (0)."""

    n: int
    mean: float | None
    median: float | None
    sd: float | None  # sample standard deviation (n - 1)
    range: float | None  # max - min
    high_disagreement: bool


@dataclass(frozen=True)
class Calibration:
    quality: dict[Hashable, float | None]  # the calibrated score per proposal; None without reviews
    bias: dict[Hashable, float]  # per reviewer, in points on 0..100; negative = strict
    shrinkage: dict[Hashable, float]  # per reviewer, n_r / (n_r + lam)


def weighted_total(scores: Mapping[Hashable, float], criteria: Sequence[Criterion]) -> float:
    """A review's total on 0..100 from its criterion scores; every criterion must be scored within its scale."""
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0 or any(c.weight < 0 for c in criteria):
        raise ValueError("criteria need non-negative weights with a positive sum")
    total = 0.0
    for c in criteria:
        if c.scale_max <= c.scale_min:
            raise ValueError(f"criterion {c.key!r}: the scale's maximum must exceed its minimum")
        if c.key not in scores:
            raise ValueError(f"criterion {c.key!r} is not scored")
        score = scores[c.key]
        if not c.scale_min <= score <= c.scale_max:
            raise ValueError(f"criterion {c.key!r}: {score} is outside {c.scale_min}..{c.scale_max}")
        total += c.weight * (score - c.scale_min) / (c.scale_max - c.scale_min)
    return 100.0 * total / total_weight


def _index(reviews: Iterable[Review], proposal_ids: Iterable[Hashable] | None,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Hashable], list[Hashable]]:
    """Reviews as arrays (reviewer index, proposal index, score) and the id lists behind the indices."""
    import numpy as np
    rows = list(reviews)
    r_col, p_col, s_col = zip(*rows, strict=True) if rows else ((), (), ())
    rids = list(dict.fromkeys(r_col))  # first-seen order, so results never depend on hashing
    pids = list(dict.fromkeys(itertools.chain(proposal_ids or (), p_col)))
    r_of = {rid: i for i, rid in enumerate(rids)}
    p_of = {pid: i for i, pid in enumerate(pids)}
    return (np.fromiter(map(r_of.__getitem__, r_col), dtype=np.intp, count=len(rows)),
            np.fromiter(map(p_of.__getitem__, p_col), dtype=np.intp, count=len(rows)),
            np.array(s_col, dtype=float), rids, pids)


def proposal_stats(reviews: Iterable[Review], proposal_ids: Iterable[Hashable] | None = None,
                   disagreement_range: float = HIGH_DISAGREEMENT_RANGE) -> dict[Hashable, ProposalStats]:
    """Count, mean, median, spread and the disagreement flag per proposal (also for `proposal_ids` unreviewed)."""
    import numpy as np
    _, p, s, _, pids = _index(reviews, proposal_ids)
    n_p = len(pids)
    counts = np.bincount(p, minlength=n_p)
    order = np.lexsort((s, p))  # by proposal, then by score: each proposal's scores are a sorted block
    sorted_s = s[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
    has = counts > 0
    safe = np.maximum(counts, 1)
    mean = np.bincount(p, weights=s, minlength=n_p) / safe
    sq = np.bincount(p, weights=(s - mean[p]) ** 2, minlength=n_p)
    sd = np.sqrt(sq / np.maximum(counts - 1, 1))
    last = np.where(has, starts + counts - 1, 0)
    first = np.where(has, starts, 0)
    lo_mid = np.where(has, starts + (counts - 1) // 2, 0)
    hi_mid = np.where(has, starts + counts // 2, 0)
    if len(sorted_s):
        spread = sorted_s[last] - sorted_s[first]
        median = (sorted_s[lo_mid] + sorted_s[hi_mid]) / 2
    else:
        spread = median = np.zeros(n_p)
    result: dict[Hashable, ProposalStats] = {}
    for i, pid in enumerate(pids):
        if counts[i]:
            rng = float(spread[i])
            result[pid] = ProposalStats(int(counts[i]), float(mean[i]), float(median[i]), float(sd[i]), rng,
                                        rng >= disagreement_range)
        else:
            result[pid] = ProposalStats(0, None, None, None, None, False)
    return result


def calibrate(reviews: Iterable[Review], proposal_ids: Iterable[Hashable] | None = None,
              lam: float = DEFAULT_LAMBDA) -> Calibration:
    """Fit quality[p] + bias[r] with a ridge penalty `lam` (> 0) on the biases; see the module docstring."""
    import numpy as np
    if lam <= 0:
        raise ValueError("lam must be positive: without the penalty the biases are not identified")
    r, p, s, rids, pids = _index(reviews, proposal_ids)
    n_r, n_p = len(rids), len(pids)
    m = np.bincount(p, minlength=n_p).astype(float)  # reviews per proposal
    n = np.bincount(r, minlength=n_r).astype(float)  # reviews per reviewer
    col_mean = np.bincount(p, weights=s, minlength=n_p) / np.maximum(m, 1)
    # Eliminating quality: (diag(n) + lam I - C) bias = y, with C[r, r'] = sum over the proposals both reviewed
    # of 1 / m_p, and y[r] = sum over r's reviews of (score - the proposal's mean score).
    y = np.bincount(r, weights=s - col_mean[p], minlength=n_r)
    bias = _solve_biases(r, p, m, n + lam, y)
    quality = np.bincount(p, weights=s - bias[r], minlength=n_p) / np.maximum(m, 1)
    return Calibration(
        quality={pid: (float(quality[i]) if m[i] else None) for i, pid in enumerate(pids)},
        bias={rid: float(bias[i]) for i, rid in enumerate(rids)},
        shrinkage={rid: float(n[i] / (n[i] + lam)) for i, rid in enumerate(rids)},
    )


def _solve_biases(r: np.ndarray, p: np.ndarray, m: np.ndarray, diag: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Conjugate gradients on (diag - C) b = y, where C v is two bincounts over the reviews (C is never built).

    Dense LAPACK would be exact too, but on a busy machine its threads make a 200 × 200 solve take 100 ms.
    y sums to 0 over every connected group, and constants per group are eigenvectors of the matrix, so the
    iterates never enter those directions: the convergence depends on how well the groups are connected, not on
    how small lam is. If it ever fails to converge, the dense solve below takes over.
    """
    import numpy as np
    n_r, n_p = len(diag), len(m)
    inv_m = 1.0 / np.maximum(m, 1)

    def apply(v: np.ndarray) -> np.ndarray:
        per_proposal = np.bincount(p, weights=v[r], minlength=n_p) * inv_m
        return diag * v - np.bincount(r, weights=per_proposal[p], minlength=n_r)

    b = np.zeros(n_r)
    res = y.copy()
    direction = res.copy()
    rr = float(res @ res)
    tolerance = (1e-13 * float(np.linalg.norm(y))) ** 2
    for _ in range(2 * n_r + 50):
        if rr <= tolerance:
            return b
        ad = apply(direction)
        step = rr / float(direction @ ad)
        b += step * direction
        res -= step * ad
        rr, rr_old = float(res @ res), rr
        direction = res + (rr / rr_old) * direction
    if rr <= tolerance:
        return b
    return np.linalg.solve(np.array([apply(e) for e in np.eye(n_r)]), y)  # the matrix is symmetric
