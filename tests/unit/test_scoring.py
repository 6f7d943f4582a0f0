"""The ranking maths: weighted totals, per-proposal statistics and the calibrated (reviewer-bias) score."""

from __future__ import annotations

import random
import statistics

import numpy as np
import pytest

from review_app.review.scoring import (
    DEFAULT_LAMBDA,
    HIGH_DISAGREEMENT_RANGE,
    Criterion,
    calibrate,
    proposal_stats,
    weighted_total,
)

# --- weighted total -------------------------------------------------------------------------------------------


def test_weighted_total_normalises_each_criterion_to_its_scale_and_weights_it():
    criteria = [Criterion("relevance", 2, 1, 5), Criterion("transfer", 1, 0, 10)]
    # relevance 4 on 1..5 -> 0.75; transfer 7 on 0..10 -> 0.7; (2 * 0.75 + 1 * 0.7) / 3 * 100 = 73.333…
    assert weighted_total({"relevance": 4, "transfer": 7}, criteria) == pytest.approx(220 / 3, abs=1e-9)
    assert weighted_total({"relevance": 1, "transfer": 0}, criteria) == 0
    assert weighted_total({"relevance": 5, "transfer": 10}, criteria) == 100


@pytest.mark.parametrize("scores", [{"relevance": 6, "transfer": 5}, {"relevance": 0, "transfer": 5}, {"transfer": 5}])
def test_weighted_total_refuses_a_score_outside_the_scale_or_missing(scores):
    with pytest.raises(ValueError):
        weighted_total(scores, [Criterion("relevance", 1, 1, 5), Criterion("transfer", 1, 0, 10)])


def test_weighted_total_refuses_criteria_without_weight():
    with pytest.raises(ValueError):
        weighted_total({"a": 3}, [Criterion("a", 0, 1, 5)])


# --- per-proposal statistics ----------------------------------------------------------------------------------


def test_proposal_stats_by_hand():
    reviews = [("a", 1, 20.0), ("b", 1, 70.0), ("c", 1, 60.0), ("d", 1, 50.0), ("a", 2, 80.0)]
    stats = proposal_stats(reviews, proposal_ids=[1, 2, 3])
    one = stats[1]
    # 20, 50, 60, 70: mean 50, median (50 + 60) / 2 = 55, range 50,
    # sample sd sqrt((900 + 0 + 100 + 400) / 3) = sqrt(466.67) = 21.602…
    assert (one.n, one.mean, one.median, one.range) == (4, 50.0, 55.0, 50.0)
    assert one.sd == pytest.approx((1400 / 3) ** 0.5, abs=1e-9)
    assert one.high_disagreement
    two = stats[2]
    assert (two.n, two.mean, two.median, two.sd, two.range, two.high_disagreement) == (1, 80, 80, 0, 0, False)
    three = stats[3]
    assert (three.n, three.mean, three.median, three.sd, three.range) == (0, None, None, None, None)
    assert not three.high_disagreement


def test_high_disagreement_starts_at_the_documented_range():
    assert HIGH_DISAGREEMENT_RANGE == 40
    stats = proposal_stats([("a", 1, 30.0), ("b", 1, 70.0), ("a", 2, 30.0), ("b", 2, 69.5)])
    assert stats[1].high_disagreement
    assert not stats[2].high_disagreement


# --- calibrated score -----------------------------------------------------------------------------------------


def test_calibrated_score_by_hand():
    # Reviewer A scores p1 70 and p2 80; reviewer B scores p1 50 and p3 60; p4 has no review. lam = 1.
    # Minimise (70-q1-a)² + (50-q1-b)² + (80-q2-a)² + (60-q3-b)² + (a² + b²):
    #   p2 and p3 have one review each, so q2 = 80 - a and q3 = 60 - b fit exactly;
    #   q1 = (120 - a - b) / 2, leaving the residuals ±(10 - d/2) on p1, with d = a - b;
    #   for a given d, a² + b² is smallest at a = d/2, b = -d/2 (the biases sum to 0), costing d²/2;
    #   d/dd [2 (10 - d/2)² + d²/2] = -(20 - d) + d = 0  ->  d = 10, so a = 5, b = -5.
    #   q1 = 60, q2 = 80 - 5 = 75, q3 = 60 + 5 = 65 (raw means: 60, 80, 60). Shrinkage n/(n + lam) = 2/3.
    result = calibrate([("A", 1, 70.0), ("A", 2, 80.0), ("B", 1, 50.0), ("B", 3, 60.0)], [1, 2, 3, 4], lam=1.0)
    assert result.bias == pytest.approx({"A": 5.0, "B": -5.0}, abs=1e-6)
    assert result.quality[1] == pytest.approx(60.0, abs=1e-6)
    assert result.quality[2] == pytest.approx(75.0, abs=1e-6)
    assert result.quality[3] == pytest.approx(65.0, abs=1e-6)
    assert result.quality[4] is None
    assert result.shrinkage == pytest.approx({"A": 2 / 3, "B": 2 / 3})


def _crossed(seed: int, n_reviewers: int = 4, n_proposals: int = 6) -> tuple[np.ndarray, list]:
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, (n_reviewers, n_proposals))
    return scores, [(r, p, float(scores[r, p])) for r in range(n_reviewers) for p in range(n_proposals)]


@pytest.mark.parametrize("lam", [0.5, DEFAULT_LAMBDA, 10.0])
def test_fully_crossed_biases_are_the_shrunk_row_mean_deviations(lam):
    # Every reviewer scores every proposal: bias_r = P / (P + lam) * (row mean - grand mean), quality = column mean.
    scores, reviews = _crossed(1)
    result = calibrate(reviews, lam=lam)
    n_proposals = scores.shape[1]
    deviations = scores.mean(axis=1) - scores.mean()
    for r, deviation in enumerate(deviations):
        assert result.bias[r] == pytest.approx(n_proposals / (n_proposals + lam) * deviation, abs=1e-6)
    for p, column_mean in enumerate(scores.mean(axis=0)):
        assert result.quality[p] == pytest.approx(column_mean, abs=1e-6)


def test_as_lam_goes_to_zero_the_biases_on_a_crossed_design_are_the_row_mean_deviations():
    scores, reviews = _crossed(2)
    result = calibrate(reviews, lam=1e-9)
    for r, deviation in enumerate(scores.mean(axis=1) - scores.mean()):
        assert result.bias[r] == pytest.approx(deviation, abs=1e-6)


def test_a_reviewer_with_one_review_is_shrunk_more_than_one_with_ten():
    # Two neutral reviewers score every proposal at its quality; X (ten proposals) and Y (one) both score 10 above.
    reviews = []
    for p in range(11):
        quality = 30.0 + 4 * p
        reviews += [("n1", p, quality), ("n2", p, quality), ("X" if p < 10 else "Y", p, quality + 10)]
    result = calibrate(reviews)
    assert 0 < result.bias["Y"] < result.bias["X"] < 10
    assert result.bias["Y"] / 10 < 0.5 < result.bias["X"] / 10
    assert result.shrinkage["Y"] == pytest.approx(1 / (1 + DEFAULT_LAMBDA))
    assert result.shrinkage["X"] == pytest.approx(10 / (10 + DEFAULT_LAMBDA))


def test_disconnected_groups_are_calibrated_as_if_alone_and_their_biases_sum_to_zero():
    _, first = _crossed(3, 3, 5)
    _, second = _crossed(4, 4, 3)
    second = [(f"s{r}", f"s{p}", s) for r, p, s in second]
    together = calibrate(first + second + [("lonely", "solo", 42.0)], proposal_ids=["nobody reviewed this"])
    alone = [calibrate(first), calibrate(second)]
    for part in alone:
        for r, bias in part.bias.items():
            assert together.bias[r] == pytest.approx(bias, abs=1e-9)
        for p, quality in part.quality.items():
            assert together.quality[p] == pytest.approx(quality, abs=1e-9)
        assert sum(part.bias.values()) == pytest.approx(0, abs=1e-9)
    assert together.bias["lonely"] == pytest.approx(0, abs=1e-12)
    assert together.quality["solo"] == pytest.approx(42.0)
    assert together.quality["nobody reviewed this"] is None


def test_the_order_of_the_reviews_does_not_change_the_result():
    _, reviews = _crossed(5, 5, 8)
    reviews = [review for i, review in enumerate(reviews) if i % 3]  # an incomplete design
    shuffled = reviews[:]
    random.Random(0).shuffle(shuffled)
    a, b = calibrate(reviews), calibrate(shuffled)
    assert a.bias == pytest.approx(b.bias, abs=1e-9)
    assert a.quality == pytest.approx(b.quality, abs=1e-9)


def test_calibrate_needs_a_positive_penalty_and_copes_with_no_reviews():
    with pytest.raises(ValueError):
        calibrate([("a", 1, 50.0)], lam=0)
    empty = calibrate([], proposal_ids=[1])
    assert (empty.quality, empty.bias) == ({1: None}, {})


# --- simulation: reviewers of different strictness, assigned by expertise ---------------------------------


def _simulate(seed: int) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
    """Four themes of 50 proposals whose true quality differs by theme (+12, +4, -4, -12 around 50, sd 10).

    Ten reviewers per theme review their own theme 80 % of the time. The reviewers of the best theme are the
    strictest (bias -10, -3, +3, +10 by theme, plus sd 5 each), so the raw mean flattens the themes, and a
    per-reviewer z-score erases the real theme difference together with the strictness. Noise sd 8, k = 3.
    """
    rng = random.Random(seed)
    offsets, strictness = [12.0, 4.0, -4.0, -12.0], [-10.0, -3.0, 3.0, 10.0]
    theme = [p // 50 for p in range(200)]
    quality = [50 + offsets[t] + rng.gauss(0, 10) for t in theme]
    home = [r // 10 for r in range(40)]
    bias = [strictness[h] + rng.gauss(0, 5) for h in home]
    experts = [[r for r in range(40) if home[r] == t] for t in range(4)]
    others = [[r for r in range(40) if home[r] != t] for t in range(4)]
    reviews = []
    for p, t in enumerate(theme):
        chosen: set[int] = set()
        while len(chosen) < 3:
            chosen.add(rng.choice(experts[t] if rng.random() < 0.8 else others[t]))
        for r in sorted(chosen):
            reviews.append((r, p, min(100.0, max(0.0, quality[p] + bias[r] + rng.gauss(0, 8)))))
    return np.array(quality), reviews


def _z_scores(reviews: list[tuple[int, int, float]]) -> dict[int, float]:
    """The mean over a proposal's reviews of each score standardised by its reviewer's mean and spread."""
    by_reviewer: dict[int, list[float]] = {}
    for r, _, s in reviews:
        by_reviewer.setdefault(r, []).append(s)
    norm = {r: (float(np.mean(v)), float(np.std(v)) or 1.0) for r, v in by_reviewer.items()}
    by_proposal: dict[int, list[float]] = {}
    for r, p, s in reviews:
        by_proposal.setdefault(p, []).append((s - norm[r][0]) / norm[r][1])
    return {p: sum(v) / len(v) for p, v in by_proposal.items()}


def _top_quarter_overlap(estimate: dict[int, float], quality: np.ndarray) -> float:
    quarter = len(quality) // 4
    true_top = set(np.argsort(-quality)[:quarter].tolist())
    top = sorted(estimate, key=lambda p: (-estimate[p], p))[:quarter]
    return len(true_top & set(top)) / quarter


def test_calibration_ranks_the_true_top_quarter_better_than_the_raw_mean_and_z_scores():
    raw, z, calibrated = [], [], []
    for seed in range(20):
        quality, reviews = _simulate(seed)
        raw.append(_top_quarter_overlap({p: s.mean for p, s in proposal_stats(reviews).items()}, quality))
        z.append(_top_quarter_overlap(_z_scores(reviews), quality))
        calibrated.append(_top_quarter_overlap(calibrate(reviews).quality, quality))
    # measured: raw mean 0.652, z-scores 0.703, calibrated 0.807 (lam = 2); calibrated wins on each of the 20 seeds
    assert statistics.mean(calibrated) > statistics.mean(raw) + 0.05
    assert statistics.mean(calibrated) > statistics.mean(z) + 0.05
