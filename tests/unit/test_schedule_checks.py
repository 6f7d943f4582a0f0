"""The schedule's checks as pure rules: for each kind of problem a smallest case where it is found, naming the
sessions, people, room and minutes involved, and the same data set right, where nothing is found at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review_app.schedule.checks import (
    HARD,
    SOFT,
    Block,
    Placement,
    Plan,
    Problem,
    Room,
    Session,
    check,
    free_lane,
)

VENUE_A, VENUE_B = 1, 2
MAIN, SIDE, HALL = 10, 11, 12  # MAIN and SIDE at venue A, HALL at venue B


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2025, 2, day, hour, minute, tzinfo=UTC)


OPEN = ((at(9), at(18)),)


def session(id: int, *, minutes: int = 30, speakers: tuple[int, ...] = (), theme: int | None = None,
            format_id: int = 1, audience: int | None = None,
            availability: tuple[tuple[datetime, datetime], ...] | None = None) -> Session:
    # every session its own theme unless told: a shared theme is a problem of its own
    return Session(id, f"Session {id}", minutes, speakers, 100 + id if theme is None else theme, format_id, audience,
                   availability)


def room(id: int, *, venue: int = VENUE_A, capacity: int = 100, windows=OPEN, parallel: int = 1,
         formats: frozenset[int] | None = None) -> Room:
    return Room(id, venue, f"Room {id}", capacity, windows, parallel, formats)


ROOMS = (room(MAIN), room(SIDE), room(HALL, venue=VENUE_B))


def place(s: Session, room_id: int, start: datetime, lane: int = 0) -> Placement:
    return Placement(s.id, room_id, start, start + timedelta(minutes=s.minutes), lane)


def plan(sessions: list[Session], placements: list[Placement], *, rooms=ROOMS, **fields) -> Plan:
    return Plan({s.id: s for s in sessions}, {r.id: r for r in rooms}, placements, **fields)


def kinds(problems: list[Problem]) -> list[str]:
    return [p.kind for p in problems]


# --- room_overlap ---------------------------------------------------------------------------------------------


def test_two_sessions_overlapping_in_one_room_are_reported_naming_them_and_the_room():
    one, two = session(1), session(2)
    problems = check(plan([one, two], [place(one, MAIN, at(9)), place(two, MAIN, at(9, 15))]))
    assert problems == [Problem("room_overlap", (1, 2), room_id=MAIN, minutes=None)]


def test_the_same_times_in_two_rooms_are_fine():
    one, two = session(1), session(2)
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, SIDE, at(9, 15))])) == []


def test_a_changeover_too_short_is_a_room_overlap_naming_the_minutes_needed():
    one, two = session(1), session(2)
    problems = check(plan([one, two], [place(two, MAIN, at(9, 35)), place(one, MAIN, at(9))], changeover=10))
    assert problems == [Problem("room_overlap", (1, 2), room_id=MAIN, minutes=10)]


def test_exactly_the_changeover_between_two_sessions_is_fine():
    one, two = session(1), session(2)
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, MAIN, at(9, 40))], changeover=10)) == []


def test_back_to_back_sessions_without_a_changeover_are_fine():
    one, two = session(1), session(2)
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, MAIN, at(9, 30))])) == []


# --- stands (a room holding several sessions at once) -----------------------------------------------------------


EXPO = room(MAIN, parallel=2)


def test_two_sessions_at_once_on_two_stands_of_an_exhibition_space_are_fine():
    one, two = session(1), session(2)
    placements = [place(one, MAIN, at(10), lane=0), place(two, MAIN, at(10), lane=1)]
    assert check(plan([one, two], placements, rooms=(EXPO,))) == []


def test_two_sessions_at_once_on_one_stand_are_a_room_overlap():
    one, two = session(1), session(2)
    placements = [place(one, MAIN, at(10), lane=1), place(two, MAIN, at(10, 10), lane=1)]
    assert check(plan([one, two], placements, rooms=(EXPO,))) == [
        Problem("room_overlap", (1, 2), room_id=MAIN, minutes=None)]


def test_a_stand_keeps_the_changeover_too():
    one, two = session(1), session(2)
    placements = [place(one, MAIN, at(10), lane=1), place(two, MAIN, at(10, 35), lane=1)]
    assert check(plan([one, two], placements, rooms=(EXPO,), changeover=10)) == [
        Problem("room_overlap", (1, 2), room_id=MAIN, minutes=10)]


# --- block ----------------------------------------------------------------------------------------------------


LUNCH = Block(7, "Lunch", at(12, 30), at(13, 30), frozenset({MAIN}))


def test_a_session_overlapping_a_block_in_its_room_is_reported_naming_the_block():
    one = session(1, minutes=30)
    assert check(plan([one], [place(one, MAIN, at(12, 15))], blocks=[LUNCH])) == [
        Problem("block", (1,), room_id=MAIN, block_id=7)]


def test_a_block_in_another_room_is_fine():
    one = session(1, minutes=30)
    assert check(plan([one], [place(one, SIDE, at(12, 15))], blocks=[LUNCH])) == []


def test_a_session_ending_as_the_block_starts_is_fine():
    one = session(1, minutes=30)
    assert check(plan([one], [place(one, MAIN, at(12))], blocks=[LUNCH], changeover=10)) == []


# --- speaker_overlap ------------------------------------------------------------------------------------------


def test_a_speaker_in_two_rooms_at_once_is_reported_naming_them():
    one, two = session(1, speakers=(5, 6)), session(2, speakers=(5, 7))
    problems = check(plan([one, two], [place(two, SIDE, at(9, 15)), place(one, MAIN, at(9))]))
    assert problems == [Problem("speaker_overlap", (1, 2), (5,))]


def test_two_speakers_in_two_rooms_at_once_are_reported_one_each():
    one, two = session(1, speakers=(5, 6)), session(2, speakers=(5, 6))
    problems = check(plan([one, two], [place(one, MAIN, at(9)), place(two, SIDE, at(9))]))
    assert problems == [Problem("speaker_overlap", (1, 2), (5,)), Problem("speaker_overlap", (1, 2), (6,))]


def test_a_speaker_in_two_sessions_one_after_the_other_is_fine():
    one, two = session(1, speakers=(5,)), session(2, speakers=(5,))
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, SIDE, at(9, 30))])) == []


# --- travel ---------------------------------------------------------------------------------------------------


TRAVEL = {(VENUE_A, VENUE_B): 15, (VENUE_B, VENUE_A): 15}


@pytest.mark.parametrize(("first_room", "second_room"), [(MAIN, HALL), (HALL, MAIN)])
def test_too_little_time_to_travel_between_venues_is_reported_naming_the_minutes_needed(first_room, second_room):
    one, two = session(1, speakers=(5,)), session(2, speakers=(5, 8))
    placements = [place(two, second_room, at(9, 40)), place(one, first_room, at(9))]
    assert check(plan([one, two], placements, travel=TRAVEL)) == [Problem("travel", (1, 2), (5,), minutes=15)]


def test_exactly_the_travel_time_between_venues_is_fine():
    one, two = session(1, speakers=(5,)), session(2, speakers=(5,))
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, HALL, at(9, 45))], travel=TRAVEL)) == []


def test_two_rooms_of_one_venue_need_no_travel_time():
    one, two = session(1, speakers=(5,)), session(2, speakers=(5,))
    assert check(plan([one, two], [place(one, MAIN, at(9)), place(two, SIDE, at(9, 30))], travel=TRAVEL)) == []


def test_at_the_same_time_in_two_venues_is_a_speaker_overlap_not_also_travel():
    one, two = session(1, speakers=(5,)), session(2, speakers=(5,))
    problems = check(plan([one, two], [place(one, MAIN, at(9)), place(two, HALL, at(9))], travel=TRAVEL))
    assert problems == [Problem("speaker_overlap", (1, 2), (5,))]


# --- availability ---------------------------------------------------------------------------------------------


MORNING = ((at(9), at(12)),)


def test_a_session_outside_its_speakers_shared_windows_is_reported_naming_the_speakers():
    one = session(1, speakers=(5, 6), availability=MORNING)
    assert check(plan([one], [place(one, MAIN, at(11, 45))])) == [Problem("availability", (1,), (5, 6))]


def test_a_session_inside_its_speakers_shared_windows_is_fine():
    one = session(1, speakers=(5, 6), availability=MORNING)
    assert check(plan([one], [place(one, MAIN, at(11, 30))])) == []


def test_no_availability_stated_means_any_time():
    one = session(1, speakers=(5,), availability=None)
    assert check(plan([one], [place(one, MAIN, at(17, 30))])) == []


def test_an_empty_shared_availability_means_no_time_at_all():
    one = session(1, speakers=(5, 6), availability=())
    assert check(plan([one], [place(one, MAIN, at(10))])) == [Problem("availability", (1,), (5, 6))]


# --- room_window ----------------------------------------------------------------------------------------------


def test_a_session_running_past_its_rooms_closing_is_reported_naming_the_room():
    one = session(1)
    assert check(plan([one], [place(one, MAIN, at(17, 45))])) == [Problem("room_window", (1,), room_id=MAIN)]


def test_a_session_ending_as_its_room_closes_is_fine():
    one = session(1)
    assert check(plan([one], [place(one, MAIN, at(17, 30))])) == []


def test_a_session_between_two_opening_windows_is_reported():
    split = room(MAIN, windows=((at(9), at(12)), (at(14), at(18))))
    one = session(1, minutes=60)
    assert check(plan([one], [place(one, MAIN, at(13))], rooms=(split,))) == [
        Problem("room_window", (1,), room_id=MAIN)]


# --- event_days -----------------------------------------------------------------------------------------------


EVENT = (at(0, day=5), at(0, day=7))  # the 5th and 6th of February
ALWAYS = room(MAIN, windows=((at(0, day=1), at(0, day=28)),))


def test_a_session_after_the_events_last_day_is_reported():
    one = session(1)
    assert check(plan([one], [place(one, MAIN, at(10, day=7))], rooms=(ALWAYS,), event_window=EVENT)) == [
        Problem("event_days", (1,), room_id=MAIN)]


def test_a_session_on_the_events_last_day_is_fine():
    one = session(1)
    assert check(plan([one], [place(one, MAIN, at(10, day=6))], rooms=(ALWAYS,), event_window=EVENT)) == []


# --- capacity -------------------------------------------------------------------------------------------------


def test_an_audience_larger_than_the_room_is_reported_with_the_people_too_many():
    one = session(1, audience=120)
    assert check(plan([one], [place(one, MAIN, at(10))], rooms=(room(MAIN, capacity=100),))) == [
        Problem("capacity", (1,), room_id=MAIN, minutes=20)]


@pytest.mark.parametrize("audience", [100, None])
def test_an_audience_filling_the_room_or_unknown_is_fine(audience):
    one = session(1, audience=audience)
    assert check(plan([one], [place(one, MAIN, at(10))], rooms=(room(MAIN, capacity=100),))) == []


# --- format_room ----------------------------------------------------------------------------------------------


def test_a_format_the_room_does_not_suit_is_reported():
    one = session(1, format_id=2)
    assert check(plan([one], [place(one, MAIN, at(10))], rooms=(room(MAIN, formats=frozenset({1, 3})),))) == [
        Problem("format_room", (1,), room_id=MAIN)]


@pytest.mark.parametrize("formats", [frozenset({1, 2}), None])
def test_a_format_the_room_suits_or_a_room_for_any_format_is_fine(formats):
    one = session(1, format_id=2)
    assert check(plan([one], [place(one, MAIN, at(10))], rooms=(room(MAIN, formats=formats),))) == []


# --- theme_parallel (soft) ------------------------------------------------------------------------------------


def test_two_sessions_of_one_theme_at_once_are_a_warning_naming_them():
    one, two = session(1, theme=3), session(2, theme=3)
    problems = check(plan([one, two], [place(two, HALL, at(10, 15)), place(one, MAIN, at(10))]))
    assert problems == [Problem("theme_parallel", (1, 2))]
    assert problems[0].level == "warning"


def test_two_sessions_of_one_theme_one_after_the_other_are_fine():
    one, two = session(1, theme=3), session(2, theme=3)
    assert check(plan([one, two], [place(one, MAIN, at(10)), place(two, HALL, at(10, 30))])) == []


# --- levels and order -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["room_overlap", "block", "speaker_overlap", "travel", "availability",
                                  "room_window", "event_days", "capacity", "format_room"])
def test_every_hard_kind_is_an_error(kind):
    assert kind in HARD
    assert Problem(kind, (1,)).level == "error"


def test_theme_parallel_is_the_only_soft_kind_and_a_warning():
    assert SOFT == ("theme_parallel",)
    assert Problem("theme_parallel", (1, 2)).level == "warning"


def test_hard_problems_come_before_soft_ones_whatever_the_sessions():
    # the soft problem names the lower session ids: ordering by ids alone would put it first
    one, two, three = session(1, theme=3), session(2, theme=3), session(3, audience=500)
    placements = [place(one, MAIN, at(10)), place(two, SIDE, at(10)), place(three, HALL, at(15))]
    problems = check(plan([one, two, three], placements))
    assert [(p.kind, p.session_ids, p.level) for p in problems] == [
        ("capacity", (3,), "error"), ("theme_parallel", (1, 2), "warning")]


def test_every_kind_at_once_comes_in_the_documented_order_each_once():
    small = room(SIDE, capacity=10, formats=frozenset({1}))
    s = {i: session(i, speakers=(50 + i,)) for i in range(1, 12)}
    s[3], s[4] = session(3, speakers=(9,)), session(4, speakers=(9,))  # speaker overlap
    s[5], s[6] = session(5, speakers=(8,)), session(6, speakers=(8,))  # travel
    s[7] = session(7, speakers=(57,), availability=MORNING)
    s[10], s[11] = session(10, audience=20, format_id=2), session(11, theme=4)
    s[12], s[13] = session(12, theme=4), session(13)
    placements = [
        place(s[1], MAIN, at(9)), place(s[2], MAIN, at(9, 10)),  # room overlap
        place(s[13], MAIN, at(12, 20)),  # block
        place(s[3], SIDE, at(9)), place(s[4], HALL, at(9)),
        place(s[5], SIDE, at(14)), place(s[6], HALL, at(14, 35)),
        place(s[7], HALL, at(16)),  # availability
        place(s[8], HALL, at(17, 50)),  # room window
        place(s[9], HALL, at(19, day=9)),  # event days and room window
        place(s[10], SIDE, at(11)),  # capacity and format
        place(s[11], SIDE, at(15, 30)), place(s[12], HALL, at(15, 30)),  # theme parallel
    ]
    problems = check(plan(list(s.values()), placements, rooms=(room(MAIN), small, room(HALL, venue=VENUE_B)),
                          blocks=[LUNCH], travel=TRAVEL, event_window=EVENT))
    assert [(p.kind, p.session_ids) for p in problems] == [
        ("room_overlap", (1, 2)), ("block", (13,)), ("speaker_overlap", (3, 4)), ("travel", (5, 6)),
        ("availability", (7,)), ("room_window", (8,)), ("room_window", (9,)), ("event_days", (9,)),
        ("capacity", (10,)), ("format_room", (10,)), ("theme_parallel", (11, 12))]
    assert [p.level for p in problems] == ["error"] * 10 + ["warning"]


# --- free_lane ------------------------------------------------------------------------------------------------


def test_an_empty_room_offers_its_first_lane():
    assert free_lane(plan([], []), MAIN, at(10), at(10, 30)) == 0


def test_a_taken_room_offers_no_lane_within_the_changeover():
    one = session(1)
    taken = plan([one], [place(one, MAIN, at(10))], changeover=10)
    assert free_lane(taken, MAIN, at(10, 35), at(11)) is None
    assert free_lane(taken, MAIN, at(9, 20), at(9, 55)) is None


def test_a_taken_room_offers_its_lane_again_after_the_changeover():
    one = session(1)
    taken = plan([one], [place(one, MAIN, at(10))], changeover=10)
    assert free_lane(taken, MAIN, at(10, 40), at(11, 10)) == 0
    assert free_lane(taken, MAIN, at(9, 20), at(9, 50)) == 0


def test_a_session_being_moved_does_not_take_its_own_lane():
    one = session(1)
    taken = plan([one], [place(one, MAIN, at(10))], changeover=10)
    assert free_lane(taken, MAIN, at(10, 15), at(10, 45), ignore=1) == 0
    assert free_lane(taken, MAIN, at(10, 15), at(10, 45), ignore=2) is None


def test_an_exhibition_space_offers_its_second_stand_then_none():
    one, two = session(1), session(2)
    first_taken = plan([one], [place(one, MAIN, at(10), lane=0)], rooms=(EXPO,))
    assert free_lane(first_taken, MAIN, at(10, 15), at(10, 45)) == 1
    both_taken = plan([one, two], [place(one, MAIN, at(10), lane=0), place(two, MAIN, at(10), lane=1)],
                      rooms=(EXPO,))
    assert free_lane(both_taken, MAIN, at(10, 15), at(10, 45)) is None


def test_an_exhibition_space_offers_the_first_stand_that_is_free():
    one = session(1)
    second_taken = plan([one], [place(one, MAIN, at(10), lane=1)], rooms=(EXPO,))
    assert free_lane(second_taken, MAIN, at(10, 15), at(10, 45)) == 0


def test_a_lane_the_room_no_longer_has_counts_as_its_last_one():
    """Sessions placed on stand 2 of a room whose stands were reduced to one overlap the session on stand 1."""
    a, b = session(1), session(2)
    found = check(plan([a, b], [place(a, MAIN, at(10)), place(b, MAIN, at(10), lane=1)]))
    assert found == [Problem("room_overlap", (1, 2), room_id=MAIN)]
