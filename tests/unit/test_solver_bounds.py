"""The scheduler's lower bounds (review_app/schedule/bounds.py): each relaxation's floor never exceeds what the best
schedule costs in its part (else the solver would cut off the optimum), each is exact where the answer is known by
hand, and together they are what the solver reports as its bound when they prove more than CP-SAT does."""
from __future__ import annotations

import pytest

from review_app.schedule import bounds
from review_app.schedule.instances import generate
from review_app.schedule.solver import Item, Problem, Space, _step, solve

from .test_solver import BRUTE_CHANGEOVER, BRUTE_ITEMS, BRUTE_SPACES, brute_force

WEIGHTS = {"theme_spread": 10, "theme_room": 3, "audience_venue": 5, "venue_changes": 4, "rating_room": 2}


def floors_of(problem: Problem) -> bounds.Floors:
    return bounds.floors(problem, _step(problem), {i.id for i in problem.items}, time_limit=10, workers=1, seed=1)


def test_two_sessions_of_one_theme_that_can_only_run_at_once_have_a_times_floor_of_the_weight():
    spaces = [Space(1, 1, 100, ((0, 60),)), Space(2, 1, 100, ((0, 60),))]
    items = [Item(1, 60, (1,), 5, (1, 2)), Item(2, 60, (2,), 5, (1, 2))]
    found = floors_of(Problem(items, spaces, weights={"theme_spread": 10}))
    assert (found.times, found.times_proven, found.rooms) == (10, True, 0)
    # with room for both one after the other, nothing is forced
    roomy = [Space(1, 1, 100, ((0, 120),)), Space(2, 1, 100, ((0, 120),))]
    assert floors_of(Problem(items, roomy, weights={"theme_spread": 10})).times == 0


def test_a_session_whose_rooms_are_all_at_the_other_audiences_venue_has_a_rooms_floor_of_ten_times_the_weight():
    other = Space(1, 1, 300, ((0, 60),), audiences=frozenset({2}))
    its_own = Space(2, 2, 50, ((0, 60),), audiences=frozenset({1}))
    items = [Item(1, 60, (1,), 1, (1, 2), audience_ids=frozenset({1})),
             Item(2, 60, (2,), 2, (1, 2), audience_ids=frozenset({1}))]  # one of them must go to the other venue
    found = floors_of(Problem(items, [other, its_own], weights={"audience_venue": 5}))
    assert (found.rooms, found.rooms_proven, found.times) == (50, True, 0)


@pytest.mark.parametrize("weights", [{"theme_spread": 10}, {"rating_room": 2}, {"theme_spread": 10, "rating_room": 2},
                                     {"theme_spread": 1, "rating_room": 5}])
def test_the_floors_never_exceed_the_optimum_of_every_placement_tried(weights):
    problem = Problem(list(BRUTE_ITEMS), list(BRUTE_SPACES), changeover=BRUTE_CHANGEOVER, weights=weights)
    best = brute_force(BRUTE_ITEMS, BRUTE_SPACES, BRUTE_CHANGEOVER, weights, grain=5)
    assert floors_of(problem).total <= best


@pytest.mark.parametrize("seed", range(1, 7))
def test_on_generated_events_the_floors_lie_at_or_below_the_proven_optimum_and_bound_it(seed):
    problem = generate(14, 4, seed=seed, weights=WEIGHTS)
    found = floors_of(problem)
    result = solve(problem, time_limit=30, workers=1, seed=1)
    assert result.status == "optimal"
    assert found.total <= result.objective + 1e-6
    assert result.bound >= found.total - 1e-6
    # the same optimum as without the floors (deterministic mode leaves them out)
    plain = solve(problem, time_limit=30, workers=1, seed=1, deterministic=True)
    assert plain.status == "optimal" and plain.objective == pytest.approx(result.objective)


def test_pinned_sessions_count_in_the_floors_where_they_are():
    spaces = [Space(1, 1, 100, ((0, 120),), audiences=frozenset({2})), Space(2, 2, 100, ((0, 120),),
                                                                           audiences=frozenset({1}))]
    items = [Item(1, 60, (1,), 5, (1, 2), audience_ids=frozenset({1})), Item(2, 60, (2,), 5, (1, 2))]
    # item 1 pinned in the room for the other audience, at the same time as item 2 could only be
    problem = Problem(items, spaces, fixed={1: (1, 0)}, weights={"audience_venue": 5, "theme_spread": 10})
    found = floors_of(problem)
    assert found.rooms == 50  # its place costs what it costs
    result = solve(problem, time_limit=10, workers=1, seed=1)
    assert result.placements[1][:2] == (1, 0) and result.status == "optimal"
    assert result.objective == pytest.approx(50) and found.total <= result.objective


def _count(problem: Problem, placed: set[int] | None = None) -> int:
    step = _step(problem)
    options, _pieces = bounds._options(problem, step, placed or {i.id for i in problem.items})
    return bounds._overlap_pairs(problem, step, options)


def test_a_theme_with_more_minutes_than_its_hours_has_at_least_the_counted_pairs_in_parallel():
    rooms = [Space(k, 1, 100, ((0, 60),)) for k in (1, 2, 3)]
    three = [Item(i, 30, (i,), 7, (1, 2, 3)) for i in (1, 2, 3)]  # 90 minutes of one theme in one hour
    assert _count(Problem(three, rooms)) == 1
    assert floors_of(Problem(three, rooms, weights={"theme_spread": 10})).times == 10
    hour = [Space(k, 1, 100, ((0, 120),)) for k in (1, 2)]
    four = [Item(i, 60, (i,), 7, (1, 2)) for i in (1, 2, 3, 4)]  # two at a time, twice
    assert _count(Problem(four, hour)) == 2
    # other themes and the hours they do not use change nothing; a theme that fits its hours has none
    others = [Item(10 + i, 30, (10 + i,), 8, (1, 2)) for i in (1, 2)]
    assert _count(Problem(four + others, hour)) == 2
    assert _count(Problem(three[:2], rooms)) == 0


@pytest.mark.parametrize("seed", range(1, 13))
def test_the_counted_pairs_never_exceed_the_optimum_and_often_reach_it(seed):
    import random

    rng = random.Random(seed)
    spaces = [Space(k, 1, 100, ((0, 120),)) for k in (1, 2, 3)]
    items = [Item(i, rng.choice((30, 60)), (i,), rng.randrange(2), (1, 2, 3)) for i in range(1, rng.randint(6, 9))]
    problem = Problem(items, spaces, weights={"theme_spread": 10})
    result = solve(problem, time_limit=30, workers=1, seed=1)
    assert result.status == "optimal"
    counted = 10 * _count(problem, set(result.placements))
    assert counted <= result.objective + 1e-6
    if seed in (1, 3, 4, 6, 9, 10, 11):  # where the count is the optimum (worked out once by the solver)
        assert counted == result.objective


def test_cheap_rooms_puts_each_session_in_one_of_its_rooms_the_cheapest_and_keeps_a_fixed_one_where_it_is():
    own = Space(1, 1, 100, ((0, 240),), audiences=frozenset({1}))
    other = Space(2, 2, 100, ((0, 240),), audiences=frozenset({2}))
    third = Space(3, 2, 100, ((0, 240),), audiences=frozenset({2}))
    items = [Item(1, 60, (1,), 1, (1, 2), audience_ids=frozenset({1})),
             Item(2, 60, (2,), 1, (2, 3), audience_ids=frozenset({1})),  # only rooms at the other venue
             Item(3, 60, (3,), 2, (1, 2), audience_ids=frozenset({2})),
             Item(4, 60, (4,), 2, (1, 2, 3), audience_ids=frozenset({2}))]
    problem = Problem(items, [own, other, third], fixed={4: (1, 0)}, weights={"audience_venue": 5})
    rooms = bounds.cheap_rooms(problem, _step(problem), {1, 2, 3, 4}, time_limit=5, workers=1)
    assert rooms[1] == 1 and rooms[3] == 2 and rooms[4] == 1
    assert rooms[2] in (2, 3)
    # with no weight on the rooms there is nothing to choose by
    assert bounds.cheap_rooms(Problem(items, [own, other, third], weights={"theme_spread": 10}), 60, {1, 2, 3},
                              time_limit=5, workers=1) is None
