"""Generated scheduling problems of a given size, deterministic from a seed: for the solver's tests and benchmarks
(`bench/scheduler.py`). Two venues 15 minutes apart, rooms of mixed sizes open 9:00–18:00 with a lunch block, two
days, talks of 20 and 30 minutes, panels and workshops, some speakers on two sessions, partial availability."""
from __future__ import annotations

import random

from .solver import Busy, Item, Problem, Space

DAY = 24 * 60


def generate(sessions: int, rooms: int, *, days: int = 2, seed: int = 1, weights: dict | None = None,
             speakers_per_session: float = 1.3, tight: float = 0.7) -> Problem:
    """`tight`: the share of the rooms' time the sessions would fill (with changeovers), spread over the rooms."""
    rng = random.Random(f"{seed}-{sessions}-{rooms}-{days}")
    venues = (1, 2)
    spaces = []
    for r in range(rooms):
        capacity = rng.choice((30, 45, 60, 80, 120, 180))
        windows = tuple((d * DAY + 9 * 60, d * DAY + 18 * 60) for d in range(days))
        spaces.append(Space(id=100 + r, venue_id=venues[r % 2], capacity=capacity, windows=windows,
                            audiences=frozenset({1}) if r % 2 == 0 else frozenset({2})))
    busy = [Busy(s.id, d * DAY + 12 * 60 + 30, d * DAY + 13 * 60 + 30) for s in spaces for d in range(days)]
    capacity_minutes = rooms * days * 8 * 60 * tight
    lengths, weights_of = (20, 30, 60, 90), (4, 5, 2, 1)
    people = max(2, int(sessions / speakers_per_session))
    items, used = [], 0
    for i in range(sessions):
        minutes = rng.choices(lengths, weights_of)[0]
        if used + minutes + 10 > capacity_minutes:
            minutes = 20
        used += minutes + 10
        big = [s.id for s in spaces if s.capacity >= (60 if minutes >= 60 else 30)]
        suits = tuple(sorted(rng.sample(big, k=max(1, min(len(big), rng.randint(2, max(2, rooms - 1)))))))
        speakers = tuple(sorted({rng.randrange(people) for _ in range(rng.choice((1, 1, 1, 2)))}))
        windows = None
        if rng.random() < 0.3:  # a third of the speakers can come on one day only
            d = rng.randrange(days)
            windows = ((d * DAY + 9 * 60, d * DAY + 18 * 60),)
        items.append(Item(id=i + 1, minutes=minutes, speakers=speakers, theme_id=rng.randrange(6), rooms=suits,
                          windows=windows, audience_ids=frozenset({rng.choice((1, 2))}), rating=rng.random()))
    travel = {(1, 2): 15, (2, 1): 15}
    return Problem(items=items, spaces=spaces, busy=busy, travel=travel, changeover=10,
                   weights=weights or {"theme_spread": 10, "theme_room": 3, "audience_venue": 5,
                                       "venue_changes": 4, "rating_room": 2, "stability": 20})
