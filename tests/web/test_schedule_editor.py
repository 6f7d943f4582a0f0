"""The committee's schedule editor: per day and venue the rooms side by side with their sessions and free time and the
unplaced confirmed sessions beside them (for the committee only); placing, moving, pinning and un-placing by form,
each audited, a stale form refused naming where the session is now; every refusal (not confirmed, outside the
days, another event's room or session, a taken room or stand, the changeover, a block, bad input) a 4xx with its
message that changes nothing; the database's own overlap guard; the checks named on the page; the automatic draft
and its settings; a session's length and audience; and a cancellation freeing the slot and telling the speakers."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from review_app.accounts.models import User
from review_app.cfp.models import Availability, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events.models import Event, Room, SessionFormat, TravelTime
from review_app.mail.services import send_pending
from review_app.schedule import checks
from review_app.schedule.models import ScheduleBlock, ScheduleEntry, ScheduleSettings
from review_app.schedule.queries import load

from ..factories import login, make_event, make_proposal
from .schedule_helpers import (
    CHAIR_EMAIL,
    DAY1,
    DAY2,
    DAY_END,
    EDITOR,
    T,
    World,
    audit,
    build_world,
    entries,
    entry_of,
    error_text,
    field_errors,
    forget_mail,
    form,
    local,
    place,
    problem_lines,
    proposal_row,
    room_columns,
    speaker,
    text_of,
    unplaced_text,
    utc,
)

A, A2, B, C = "Digitale Bürgerdienste", "Offene Daten", "Leeds lights", "Smarte Parkplätze"


def _editor(client, world: World, day: str = "2025-02-05", venue: int | None = None) -> str:
    r = client.get(EDITOR + f"?day={day}&venue={venue or world.villa_id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


# --- the page ---------------------------------------------------------------------------------------------------

def test_the_editor_shows_the_rooms_side_by_side_with_sessions_and_free_time_and_the_unplaced_sessions(app, client,
                                                                                                       clock):
    clock.set(T)
    w = build_world(app, rooms=[
        {"name": "Salon", "capacity": 40, "openings": [(DAY1, time(9), time(12)), (DAY1, time(13), time(17))]},
        {"name": "Werkstatt", "venue": "druckerei", "capacity": 30, "formats": ["talk"]}],
        sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                  {"title": B, "speaker": "Eva English", "theme": 1},
                  {"title": C, "speaker": "Carl Car", "theme": 2},
                  {"title": "Noch nicht bestätigt", "speaker": "Nina Accepted", "state": ProposalState.accepted},
                  {"title": "Nur eingereicht", "speaker": "Sven Submitted", "state": ProposalState.submitted},
                  {"title": "Abgesagt", "speaker": "Clemens Cancelled", "state": ProposalState.cancelled}])
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, B, "Salon", local(DAY1, 9, 30))
    login(client, CHAIR_EMAIL)
    html = _editor(client, w)
    columns = room_columns(html)
    assert list(columns) == ["Saal", "Salon"]  # the villa's rooms side by side; the Druckerei's Werkstatt not here
    saal, salon = columns["Saal"], columns["Salon"]
    assert "Mulvany Villa on Wednesday, February 5, 2025" in text_of(html)
    # a room without opening hours is open all day: free time around its session
    assert saal.startswith(f"Saal 120 seats Free: 00:00–10:00 10:00–10:30 {A} Sam Sprecher · Best-practice talk")
    assert re.search(rf"Free: 10:30–{DAY_END}$", saal) and B not in saal
    # the Salon's two windows (closed over lunch): free before and after its session, nothing free from 12 to 13
    assert re.findall(r"Free: \d\d:\d\d–\d\d:\d\d", salon) == ["Free: 09:00–09:30", "Free: 10:00–12:00",
                                                                  "Free: 13:00–17:00"]
    assert f"09:30–10:00 {B} Eva English · Best-practice talk" in salon and A not in salon
    aside = unplaced_text(html)
    assert aside.startswith("Not placed yet 1 confirmed session") and C in aside and "Carl Car" in aside
    assert A not in aside and B not in aside
    for title in ("Noch nicht bestätigt", "Nur eingereicht", "Abgesagt"):  # not confirmed: never on the page
        assert title not in html
    assert "No conflicts: every placed session fits its room, its speakers and their travel." in text_of(html)

    day2 = room_columns(_editor(client, w, day="2025-02-06"))
    assert re.fullmatch(rf"Saal 120 seats Free: 00:00–{DAY_END}", day2["Saal"])
    assert day2["Salon"].endswith("Closed on this day.")
    druckerei = room_columns(_editor(client, w, venue=w.druckerei_id))
    assert list(druckerei) == ["Werkstatt"] and "30 seats" in druckerei["Werkstatt"]
    assert client.get(EDITOR + "?day=2025-02-07").status_code == 404  # not an event day
    assert client.get(EDITOR + "?venue=999999").status_code == 404


def test_only_the_committee_sees_the_editor_and_changes_the_schedule(app, client, clock):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    anonymous = app.test_client()
    r = anonymous.get(EDITOR)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    assert anonymous.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-05T10:00")).status_code == 302
    login(client, w.emails["Sam Sprecher"])  # a speaker of the very session
    r = client.get(EDITOR)
    assert r.status_code == 404 and A not in r.get_data(as_text=True)
    assert client.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-05T10:00")).status_code == 404
    for page in ("automatic", "settings", "sessions", "blocks", "release", "versions"):
        assert client.get(EDITOR + page).status_code == 404, page
    assert client.post(EDITOR + "release", data={"comment": "x"}).status_code == 404
    assert client.post(EDITOR + "blocks", data={"kind": "lunch", "title_de": "x", "starts_at": "2025-02-05T12:00",
                                                "ends_at": "2025-02-05T13:00"}).status_code == 404
    assert entries(app) == [] and audit(app, "schedule.") == []


# --- placing, moving, pinning, taking out -----------------------------------------------------------------------

def test_placing_moving_pinning_and_taking_out_by_form_each_audited(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 40}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    pid, saal, salon = w.sessions[A], w.rooms["Saal"], w.rooms["Salon"]
    login(client, CHAIR_EMAIL)

    r = client.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-05T10:00"))
    assert r.status_code == 302
    assert r.headers["Location"] == f"{EDITOR}?day=2025-02-05&venue={w.villa_id}#session-{pid}"
    # 10:00 in Berlin is 09:00 UTC in February; a talk lasts its format's 30 minutes
    assert entries(app) == [(pid, saal, 0, utc(DAY1, 9), utc(DAY1, 9, 30), False, 1)]
    [placed] = audit(app, "schedule.place")
    assert (placed.actor_id, placed.event_id, placed.object_type) == (w.chair_id, w.event_id, "schedule_entry")
    assert placed.details["proposal_id"] == pid and placed.details["room_id"] == saal
    assert datetime.fromisoformat(placed.details["starts_at"]) == utc(DAY1, 9)
    page = text_of(client.get(r.headers["Location"]).get_data(as_text=True))
    assert f"“{A}” is placed in Saal." in page and "Not placed yet 0 confirmed sessions" in page

    r = client.post(EDITOR + "place", data=form(w, A, "Salon", "2025-02-05T11:00", version=1))
    assert r.status_code == 302
    assert entries(app) == [(pid, salon, 0, utc(DAY1, 10), utc(DAY1, 10, 30), False, 2)]
    [moved] = audit(app, "schedule.move")
    assert (moved.details["room_id"], moved.details["from_room_id"]) == (salon, saal)
    assert datetime.fromisoformat(moved.details["from_starts_at"]) == utc(DAY1, 9)

    # a form made before the move (version 1), or when the session was not placed yet (0): refused, saying where
    # the session is now, and nothing changes
    for stale in (1, 0):
        r = client.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-05T14:00", version=stale))
        assert r.status_code == 409
        assert error_text(r.get_data(as_text=True)) == (
            "Someone else changed this session in the meantime; your change was not saved. It is now in Salon at "
            "Feb 5, 2025, 11:00 CET (changed by Clara Chair at Dec 15, 2024, 13:00 CET).")
        assert entries(app) == [(pid, salon, 0, utc(DAY1, 10), utc(DAY1, 10, 30), False, 2)]
    assert len(audit(app, "schedule.")) == 2

    r = client.post(EDITOR + "pin", data=form(w, A, "Salon", "", version=2, pinned="1"))
    assert r.status_code == 302
    assert entries(app) == [(pid, salon, 0, utc(DAY1, 10), utc(DAY1, 10, 30), True, 3)]
    columns = room_columns(client.get(r.headers["Location"]).get_data(as_text=True))
    assert f"{A} pinned" in columns["Salon"] and "Release the pin" in columns["Salon"]
    r = client.post(EDITOR + "pin", data=form(w, A, "Salon", "", version=3, pinned="0"))
    assert r.status_code == 302 and entries(app)[0][5] is False
    assert [a.action for a in audit(app, "schedule.")][-2:] == ["schedule.pin", "schedule.unpin"]

    r = client.post(EDITOR + "unplace", data=form(w, A, "Salon", "", version=3))  # stale: it was unpinned since
    assert r.status_code == 409 and "It is now in Salon" in error_text(r.get_data(as_text=True))
    assert len(entries(app)) == 1
    r = client.post(EDITOR + "unplace", data=form(w, A, "Salon", "", version=4))
    assert r.status_code == 302 and entries(app) == []
    [out] = audit(app, "schedule.unplace")
    assert (out.actor_id, out.details["proposal_id"], out.details["room_id"]) == (w.chair_id, pid, salon)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The session is back among the unplaced ones." in text_of(html) and A in unplaced_text(html)
    r = client.post(EDITOR + "unplace", data=form(w, A, "Salon", "", version=0))
    assert r.status_code == 409 and error_text(r.get_data(as_text=True)) == "This session is not placed."
    r = client.post(EDITOR + "pin", data=form(w, A, "Salon", "", version=0, pinned="1"))
    assert r.status_code == 409 and error_text(r.get_data(as_text=True)) == "Only a placed session can be pinned."
    assert len(audit(app, "schedule.")) == 5


# --- refusals ---------------------------------------------------------------------------------------------------

def _refusal_world(app) -> World:
    """A placed in the Saal 10:00–10:30, a lunch block 12:00–13:00 in the villa, B unplaced, a session only
    accepted, and another event with its own room and confirmed session."""
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                                   {"title": B, "speaker": "Eva English", "theme": 1},
                                   {"title": "Noch nicht bestätigt", "speaker": "Nina Accepted", "theme": 2,
                                    "state": ProposalState.accepted}])
    place(app, w, A, "Saal", local(DAY1, 10))
    with app.app_context():
        db.session.add(ScheduleBlock(event_id=w.event_id, kind="lunch", title_de="Mittagspause",
                                     title_en="Lunch break", starts_at=local(DAY1, 12), ends_at=local(DAY1, 13),
                                     venue_id=w.villa_id, public=True))
        chair = db.session.get(User, w.chair_id)
        other = make_event(slug="other", committee=chair)
        other_room = db.session.scalar(select(Room).where(Room.event_id == other.id))
        foreign = make_proposal(other, speaker("Olga Other"), state=ProposalState.confirmed, committee=chair,
                                title="Fremde Sitzung")
        forget_mail()
        db.session.commit()
        w.rooms["other"], w.sessions["other"] = other_room.id, foreign.id
    return w


REFUSALS = {
    "not confirmed": ({"title": "Noch nicht bestätigt", "start": "2025-02-05T15:00"}, 409,
                      "Only confirmed sessions can be placed; this one is “Accepted”."),
    "the day after the event": ({"start": "2025-02-07T10:00"}, 422, "This is outside the event's days."),
    "the day before the event": ({"start": "2025-02-04T23:50"}, 422, "This is outside the event's days."),
    "running past the last midnight": ({"start": "2025-02-06T23:45"}, 422, "This is outside the event's days."),
    "another event's room": ({"room": "other"}, 422, "Choose one of this event's rooms."),
    "another event's session": ({"title": "other"}, 404, "This session does not exist."),
    "on top of another session": ({"start": "2025-02-05T10:15"}, 409,
                                  f"Saal holds another session then ({A}), with 10 minutes to change over in "
                                  "between."),
    "within the changeover after": ({"start": "2025-02-05T10:35"}, 409,
                                    f"Saal holds another session then ({A}), with 10 minutes to change over in "
                                    "between."),
    "within the changeover before": ({"start": "2025-02-05T09:25"}, 409,
                                     f"Saal holds another session then ({A}), with 10 minutes to change over in "
                                     "between."),
    "during a block": ({"start": "2025-02-05T12:15"}, 409, "Saal is taken by “Lunch break” then."),
    "into a block": ({"start": "2025-02-05T11:45"}, 409, "Saal is taken by “Lunch break” then."),
    "an unparsable start": ({"start": "morgen früh"}, 422,
                            "Give the start as a date and a time (YYYY-MM-DD HH:MM)."),
    "an impossible date": ({"start": "2025-02-30T10:00"}, 422,
                           "Give the start as a date and a time (YYYY-MM-DD HH:MM)."),
    "no start": ({"start": ""}, 422, "Give the start as a date and a time (YYYY-MM-DD HH:MM)."),
    "no room": ({"room": ""}, 422, "Choose a session and a room from the lists."),
    "a huge room id": ({"room": "99999999999999999999"}, 422, "Choose a session and a room from the lists."),
    "a room id that does not exist": ({"room": "999999"}, 422, "Choose one of this event's rooms."),
    "a huge session id": ({"title": "99999999999999999999"}, 422, "Choose a session and a room from the lists."),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_placement_answers_with_its_reason_and_changes_nothing(app, client, clock, case):
    clock.set(T)
    w = _refusal_world(app)
    overrides, status, message = REFUSALS[case]
    title = overrides.get("title", B)
    room = overrides.get("room", "Saal")
    data = form(w, title, w.rooms.get(room, room), overrides.get("start", "2025-02-05T15:00"))
    login(client, CHAIR_EMAIL)
    before, logged = entries(app), len(audit(app, ""))
    r = client.post(EDITOR + "place", data=data)
    assert r.status_code == status
    html = r.get_data(as_text=True)
    assert error_text(html) == message
    assert room_columns(html)["Saal"]  # the editor again, with the refusal on top
    assert entries(app) == before and len(audit(app, "")) == logged


def test_exactly_the_changeover_apart_and_right_after_a_block_a_session_is_placed(app, client, clock):
    clock.set(T)
    w = _refusal_world(app)
    login(client, CHAIR_EMAIL)
    assert client.post(EDITOR + "place", data=form(w, B, "Saal", "2025-02-05T10:40")).status_code == 302
    assert entry_of(app, w.sessions[B])[3:5] == (utc(DAY1, 9, 40), utc(DAY1, 10, 10))
    r = client.post(EDITOR + "place", data=form(w, B, "Saal", "2025-02-05T13:00", version=1))
    assert r.status_code == 302 and entry_of(app, w.sessions[B])[3] == utc(DAY1, 12)
    assert client.post(EDITOR + "place", data=form(w, B, "Saal", "2025-02-06T23:30", day="2025-02-06",
                                                  version=2)).status_code == 302  # ends at the last midnight
    assert entry_of(app, w.sessions[B])[4] == utc(DAY2, 23)


def test_a_room_open_all_day_takes_a_session_up_to_midnight_without_a_conflict(app, client, clock):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    with app.app_context():
        db.session.execute(Availability.__table__.delete())  # no one restricts the time
        db.session.commit()
    login(client, CHAIR_EMAIL)
    assert client.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-06T23:30",
                                                  day="2025-02-06")).status_code == 302
    html = _editor(client, w, day="2025-02-06")
    assert problem_lines(html) == []
    assert re.match(rf"Saal 120 seats Free: 00:00–23:30 23:30–(?:00:00|24:00) {A}", room_columns(html)["Saal"])


# --- the database's guard ---------------------------------------------------------------------------------------

def test_the_database_refuses_two_overlapping_entries_on_one_lane_of_a_room(app, ctx):
    w = build_world(app, rooms=[{"name": "Ausstellung", "capacity": 80, "stands": 2}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher"}, {"title": B, "speaker": "Eva English"},
                              {"title": C, "speaker": "Carl Car"}])

    def entry(title, room, start, minutes=30, lane=0):
        return ScheduleEntry(event_id=w.event_id, proposal_id=w.sessions[title], room_id=w.rooms[room], lane=lane,
                             starts_at=start, ends_at=start + timedelta(minutes=minutes), pinned=False,
                             updated_at=T)

    db.session.add(entry(A, "Saal", utc(DAY1, 9)))
    db.session.commit()
    db.session.add(entry(B, "Saal", utc(DAY1, 9, 15)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(ScheduleEntry.proposal_id)).all() == [w.sessions[A]]

    db.session.add(entry(B, "Saal", utc(DAY1, 9, 30)))  # right after it: the guard knows no changeover
    db.session.commit()
    moving = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == w.sessions[B]))
    moving.starts_at, moving.ends_at = utc(DAY1, 9, 20), utc(DAY1, 9, 50)  # an update into the other one
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    db.session.add(entry(C, "Ausstellung", utc(DAY1, 9), lane=0))
    db.session.commit()
    second = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == w.sessions[B]))
    second.room_id, second.lane = w.rooms["Ausstellung"], 1  # the other stand at the same time: fine
    second.starts_at, second.ends_at = utc(DAY1, 9), utc(DAY1, 9, 30)
    db.session.commit()
    second.lane = 0  # the same stand: refused
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    rows = db.session.execute(select(ScheduleEntry.proposal_id, ScheduleEntry.room_id, ScheduleEntry.lane)
                              .order_by(ScheduleEntry.proposal_id)).all()
    assert [tuple(r) for r in rows] == [(w.sessions[A], w.rooms["Saal"], 0),
                                        (w.sessions[B], w.rooms["Ausstellung"], 1),
                                        (w.sessions[C], w.rooms["Ausstellung"], 0)]


# --- the checks -------------------------------------------------------------------------------------------------

def _checks_world(app) -> World:
    """Sam speaks in A and A2; Eva (B) can present only 14:00–17:00 on the first day; Wim gives a workshop (W);
    a Salon in the villa, a small Werkstatt for talks in the Druckerei, 20 minutes from the villa."""
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 80},
                                {"name": "Werkstatt", "venue": "druckerei", "capacity": 30, "formats": ["talk"]}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                              {"title": A2, "speaker": "Sam Sprecher", "theme": 1},
                              {"title": B, "speaker": "Eva English", "theme": 2},
                              {"title": "Smart Lab", "speaker": "Wim Workshop", "theme": 2, "format": "workshop"}])
    with app.app_context():
        db.session.execute(Availability.__table__.delete().where(Availability.user_id == w.people["Eva English"]))
        db.session.add(Availability(event_id=w.event_id, user_id=w.people["Eva English"], day=DAY1,
                                    starts=time(14), ends=time(17)))
        a, b = sorted((w.villa_id, w.druckerei_id))
        db.session.add(TravelTime(event_id=w.event_id, venue_a_id=a, venue_b_id=b, minutes=20))
        db.session.commit()
    return w


def _speaker_overlap(app, w):
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, A2, "Salon", local(DAY1, 10, 15))
    return [f"Conflict: Sam Sprecher would speak in “{A}” and “{A2}” at the same time."], [A, A2]


def _travel(app, w):
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, A2, "Werkstatt", local(DAY1, 10, 40))
    return [f"Conflict: Sam Sprecher cannot get between “{A}” and “{A2}” in time: the venues are 20 "
            "minutes apart."], [A, A2]


def _availability(app, w):
    place(app, w, B, "Saal", local(DAY1, 13, 45))
    return [f"Conflict: “{B}” lies outside the time its speakers (Eva English) can present."], [B]


def _capacity(app, w):
    with app.app_context():
        db.session.get(Proposal, w.sessions[B]).expected_audience = 45
        db.session.get(SessionFormat, w.talk_id).expected_audience = 50  # A2 draws the format's audience
        db.session.commit()
    place(app, w, B, "Werkstatt", local(DAY1, 14))
    place(app, w, A2, "Werkstatt", local(DAY1, 15))
    return [f"Conflict: “{A2}” expects 20 people more than Werkstatt holds.",
            f"Conflict: “{B}” expects 15 people more than Werkstatt holds."], [B, A2]


def _format_room(app, w):
    place(app, w, "Smart Lab", "Werkstatt", local(DAY1, 9))
    return ["Conflict: The format of “Smart Lab” does not suit Werkstatt or its venue."], ["Smart Lab"]


def _theme_parallel(app, w):
    place(app, w, B, "Saal", local(DAY1, 14))
    place(app, w, "Smart Lab", "Salon", local(DAY1, 13))  # the same theme as B, 90 minutes: till 14:30
    return [f"Warning: “Smart Lab” and “{B}”: two sessions of the same theme run at the same time."], [B, "Smart Lab"]


CHECKS = {"speaker_overlap": _speaker_overlap, "travel": _travel, "availability": _availability,
          "capacity": _capacity, "format_room": _format_room, "theme_parallel": _theme_parallel}


@pytest.mark.parametrize("kind", list(CHECKS))
def test_the_editor_names_each_problem_of_the_schedule_with_sessions_and_people(app, client, clock, kind):
    clock.set(T)
    w = _checks_world(app)
    login(client, CHAIR_EMAIL)
    assert problem_lines(_editor(client, w)) == []
    expected, titles = CHECKS[kind](app, w)
    html = "".join(_editor(client, w, venue=v) for v in (w.villa_id, w.druckerei_id))
    lines = problem_lines(_editor(client, w))
    assert lines == expected
    errors = sum(line.startswith("Conflict:") for line in expected)
    summary = {0: "No conflicts.", 1: "1 conflict must be solved before the programme is right."}.get(
        errors, f"{errors} conflicts must be solved before the programme is right.")
    warnings = len(expected) - errors
    assert f"{summary} {warnings} warning{'s' if warnings != 1 else ''}." in text_of(html)
    # each session concerned shows the problem in its own slot too
    columns = {**room_columns(_editor(client, w)), **room_columns(_editor(client, w, venue=w.druckerei_id))}
    for title in titles:
        slot = next(text for text in columns.values() if title in text)
        assert any(line.split(": ", 1)[1] in slot for line in expected)


def test_the_checks_clear_once_the_problem_is_moved_away(app, client, clock):
    clock.set(T)
    w = _checks_world(app)
    _travel(app, w)
    _availability(app, w)
    login(client, CHAIR_EMAIL)
    assert len(problem_lines(_editor(client, w))) == 2
    with app.app_context():
        entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == w.sessions[A2]))
        version_a2 = entry.version
        version_b = db.session.scalar(select(ScheduleEntry.version).where(
            ScheduleEntry.proposal_id == w.sessions[B]))
    # exactly the travel time after A, and within Eva's window: nothing left
    assert client.post(EDITOR + "place", data=form(w, A2, "Werkstatt", "2025-02-05T10:50",
                                                  version=version_a2)).status_code == 302
    assert client.post(EDITOR + "place", data=form(w, B, "Saal", "2025-02-05T14:00",
                                                  version=version_b)).status_code == 302
    assert problem_lines(_editor(client, w)) == []


# --- stands -----------------------------------------------------------------------------------------------------

def test_an_exhibition_space_with_two_stands_takes_two_sessions_at_once_and_refuses_a_third(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Ausstellung", "capacity": 80, "stands": 2}],
                    sessions=[{"title": "Demo eins", "speaker": "Dora Demo", "theme": 0},
                              {"title": "Demo zwei", "speaker": "Dirk Demo", "theme": 1},
                              {"title": "Demo drei", "speaker": "Dana Demo", "theme": 2}])
    one, two, three, hall = (w.sessions["Demo eins"], w.sessions["Demo zwei"], w.sessions["Demo drei"],
                             w.rooms["Ausstellung"])
    login(client, CHAIR_EMAIL)
    for title in ("Demo eins", "Demo zwei"):
        assert client.post(EDITOR + "place", data=form(w, title, "Ausstellung", "2025-02-05T11:00")).status_code == 302
    assert [(e[0], e[1], e[2], e[3]) for e in entries(app)] == [(one, hall, 0, utc(DAY1, 10)),
                                                                (two, hall, 1, utc(DAY1, 10))]
    r = client.post(EDITOR + "place", data=form(w, "Demo drei", "Ausstellung", "2025-02-05T11:15"))
    assert r.status_code == 409
    assert error_text(r.get_data(as_text=True)) == ("Ausstellung holds another session then (Demo eins; Demo zwei), "
                                                    "with 10 minutes to change over in between.")
    assert len(entries(app)) == 2
    column = room_columns(_editor(client, w))["Ausstellung"]
    assert column.startswith("Ausstellung 80 seats · 2 stands") and "Demo eins" in column and "Demo zwei" in column
    assert problem_lines(_editor(client, w)) == []  # two stands at once are no conflict
    # once the changeover is kept after the first two, the third takes the first stand
    assert client.post(EDITOR + "place", data=form(w, "Demo drei", "Ausstellung",
                                                  "2025-02-05T11:40")).status_code == 302
    assert entry_of(app, three)[1:4] == (hall, 0, utc(DAY1, 10, 40))


# --- the automatic draft ----------------------------------------------------------------------------------------

WEIGHTS = {"theme_spread": "10", "theme_room": "3", "audience_venue": "5", "venue_changes": "4", "rating_room": "2",
           "stability": "20"}


def test_the_scheduler_settings_refuse_weights_outside_0_to_100_and_save_nothing(app, client, clock):
    clock.set(T)
    w = build_world(app)
    login(client, CHAIR_EMAIL)
    settings = EDITOR + "settings"
    r = client.post(settings, data={**WEIGHTS, "theme_spread": "0", "stability": "100", "time_limit": "3"})
    assert r.status_code == 302
    with app.app_context():
        row = db.session.get(ScheduleSettings, w.event_id)
        saved = (dict(row.weights), row.time_limit)
    assert saved == ({**{k: int(v) for k, v in WEIGHTS.items()}, "theme_spread": 0, "stability": 100}, 3)
    assert [a.details["time_limit"] for a in audit(app, "schedule.weights")] == [3]
    for bad, message in (
            ({"theme_spread": "101"}, "Spread each theme over time slots and days, not in parallel: a number from 0 "
                                      "to 100."),
            ({"rating_room": "-1"}, "Better-rated sessions in larger rooms: a number from 0 to 100."),
            ({"stability": "viel"}, "Move as few sessions as possible when solving again: please enter a whole "
                                    "number."),
            ({"time_limit": "0"}, "Time limit (seconds): a number from 1 to 600."),
            ({"time_limit": "601"}, "Time limit (seconds): a number from 1 to 600.")):
        r = client.post(settings, data={**WEIGHTS, "time_limit": "5", **bad})
        assert r.status_code == 422, bad
        assert field_errors(r.get_data(as_text=True), next(iter(bad))) == f"Error: {message}"
        with app.app_context():
            row = db.session.get(ScheduleSettings, w.event_id)
            assert (dict(row.weights), row.time_limit) == saved
    assert len(audit(app, "schedule.weights")) == 1


def test_the_automatic_draft_places_every_session_it_can_keeps_pinned_ones_and_says_why_not(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[
        {"name": "Kammer", "venue": "druckerei", "capacity": 40, "formats": ["talk"],
         "openings": [(DAY1, time(9), time(12)), (DAY2, time(9), time(12))]}],
        sessions=[{"title": "Fest gesetzt", "speaker": "Paula Pinned", "theme": 0},
                  {"title": "Eins", "speaker": "Sam Sprecher", "theme": 0},
                  {"title": "Zwei", "speaker": "Sam Sprecher", "theme": 1},
                  {"title": "Drei", "speaker": "Eva English", "theme": 2},
                  {"title": "Vier", "speaker": "Carl Car", "theme": 1},
                  {"title": "Großer Workshop", "speaker": "Wim Workshop", "format": "workshop", "theme": 2,
                   "expected_audience": 200},
                  {"title": "Kurz vorbei", "speaker": "Kurt Kurz", "theme": 0,
                   "availability": [(local(DAY2, 8), local(DAY2, 8, 20))]}])
    with app.app_context():
        db.session.add(ScheduleSettings(event_id=w.event_id, weights={}, time_limit=2))
        db.session.add(ScheduleBlock(event_id=w.event_id, kind="lunch", title_de="Mittag", title_en="Lunch",
                                     starts_at=local(DAY1, 12), ends_at=local(DAY1, 13), public=True))
        db.session.commit()
    place(app, w, "Fest gesetzt", "Saal", local(DAY1, 10), pinned=True)
    pinned_before = entry_of(app, w.sessions["Fest gesetzt"])
    login(client, CHAIR_EMAIL)
    page = text_of(client.get(EDITOR + "automatic").get_data(as_text=True))
    assert "6 confirmed sessions are not placed yet. Time limit: 2 seconds." in page

    r = client.post(EDITOR + "automatic", data={"keep_placed": "y"})
    assert r.status_code == 200
    page = text_of(r.get_data(as_text=True))
    assert "What the scheduler did Placed 4 sessions Kept where they were 1 session Moved 0 sessions Not placed 2 " \
           "sessions" in page
    assert "Großer Workshop: no room suits its format and expected audience" in page
    assert "Kurz vorbei: no time when its speakers are available and a fitting room is open" in page
    assert re.search(r"Objective \(lower is better\) \d+ ", page)
    assert re.search(r"Time taken \d+\.\d s", page)
    assert "Conflicts left" not in page

    assert entry_of(app, w.sessions["Fest gesetzt"]) == pinned_before  # exactly where it was, not even rewritten
    placed = {e[0] for e in entries(app)}
    assert placed == {w.sessions[t] for t in ("Fest gesetzt", "Eins", "Zwei", "Drei", "Vier")}
    with app.app_context():
        draft = load(db.session.get(Event, w.event_id))
        assert [p for p in checks.check(draft.plan) if p.level == "error"] == []
        assert {p.title for p in draft.unplaced} == {"Großer Workshop", "Kurz vorbei"}
    [run] = audit(app, "schedule.automatic")
    assert run.details["placed"] == 4 and run.details["unplaced"] == {
        str(w.sessions["Großer Workshop"]): "no_room", str(w.sessions["Kurz vorbei"]): "no_time"}
    assert run.details["seconds"] <= 10


def test_solving_again_without_keeping_placed_sessions_moves_a_misplaced_one_and_never_a_pinned_one(app, client,
                                                                                               clock):
    clock.set(T)
    w = build_world(app, sessions=[{"title": "Fest gesetzt", "speaker": "Paula Pinned", "theme": 0},
                                   {"title": B, "speaker": "Eva English", "theme": 1,
                                    "availability": [(local(DAY1, 14), local(DAY1, 17))]},
                                   {"title": C, "speaker": "Carl Car", "theme": 2}])
    with app.app_context():
        db.session.add(ScheduleSettings(event_id=w.event_id, weights={}, time_limit=2))
        db.session.commit()
    place(app, w, "Fest gesetzt", "Saal", local(DAY1, 14), pinned=True)
    place(app, w, B, "Saal", local(DAY1, 10))  # outside Eva's availability: a conflict
    pinned_before = entry_of(app, w.sessions["Fest gesetzt"])
    login(client, CHAIR_EMAIL)
    assert problem_lines(_editor(client, w)) == [
        f"Conflict: “{B}” lies outside the time its speakers (Eva English) can present."]
    # "keep the placed sessions" not ticked (the browser still sends the form's hidden token)
    r = client.post(EDITOR + "automatic", data={"csrf_token": ""})
    assert r.status_code == 200
    page = text_of(r.get_data(as_text=True))
    assert "Placed 1 session Kept where they were 1 session Moved 1 session Not placed 0 sessions" in page
    assert entry_of(app, w.sessions["Fest gesetzt"]) == pinned_before
    moved = entry_of(app, w.sessions[B])
    assert local(DAY1, 14) <= moved[3] and moved[4] <= local(DAY1, 17)  # now within her time
    assert problem_lines(_editor(client, w)) == []
    assert {e[0] for e in entries(app)} == set(w.sessions.values())


def test_the_automatic_draft_refuses_when_the_sessions_to_keep_conflict_among_themselves(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 40}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                              {"title": A2, "speaker": "Sam Sprecher", "theme": 1},
                              {"title": C, "speaker": "Carl Car", "theme": 2}])
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, A2, "Salon", local(DAY1, 10))
    before = entries(app)
    login(client, CHAIR_EMAIL)
    r = client.post(EDITOR + "automatic", data={"keep_placed": "y"})
    assert r.status_code == 409
    assert (f"The sessions to keep where they are conflict with each other: {A}; {A2}. Move or un-pin one of them "
            "first.") in text_of(r.get_data(as_text=True))
    assert entries(app) == before and audit(app, "schedule.automatic") == []


# --- lengths and audiences --------------------------------------------------------------------------------------

def test_the_sessions_page_sets_length_and_audience_and_refuses_a_length_that_runs_into_the_next(app, client, clock):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                                   {"title": B, "speaker": "Eva English", "theme": 1},
                                   {"title": "Noch nicht bestätigt", "speaker": "Nina Accepted",
                                    "state": ProposalState.accepted}])
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, B, "Saal", local(DAY1, 10, 40))
    pid = w.sessions[A]
    login(client, CHAIR_EMAIL)
    url = EDITOR + "sessions"
    page = client.get(url).get_data(as_text=True)
    assert A in page and B in page and "Noch nicht bestätigt" not in page
    before = (proposal_row(app, pid), entries(app))

    r = client.post(url, data={"proposal_id": pid, "minutes": "45", "audience": ""})
    assert r.status_code == 409
    assert "At this length the session would run into the next one in Saal. Move one of them first." in text_of(
        r.get_data(as_text=True))
    for bad, message in (({"minutes": "4"}, "A session lasts from 5 minutes to a whole day."),
                         ({"minutes": "eine Stunde"}, "Length: please enter a whole number."),
                         ({"audience": "0"}, "Give an expected audience from 1 to 100,000 people."),
                         ({"audience": "-5"}, "Expected audience: please enter a whole number.")):
        r = client.post(url, data={"proposal_id": pid, "minutes": "", "audience": "", **bad})
        assert r.status_code == 422 and message in text_of(r.get_data(as_text=True)), bad
    r = client.post(url, data={"proposal_id": w.sessions["Noch nicht bestätigt"], "minutes": "20"})
    assert r.status_code == 404
    assert (proposal_row(app, pid), entries(app)) == before and audit(app, "schedule.session") == []

    r = client.post(url, data={"proposal_id": pid, "minutes": "25", "audience": "80"})
    assert r.status_code == 302 and r.headers["Location"] == f"{url}#session-{pid}"
    assert proposal_row(app, pid)[2:] == (25, 80)
    assert entry_of(app, pid)[3:5] == (utc(DAY1, 9), utc(DAY1, 9, 25))  # keeps its start, ends earlier
    page = client.get(url).get_data(as_text=True)
    assert f'id="minutes-{pid}" name="minutes" inputmode="numeric" size="4" value="25"' in page
    assert f'id="audience-{pid}" name="audience" inputmode="numeric" size="5" value="80"' in page
    [row] = audit(app, "schedule.session")
    assert (row.details["duration_minutes"], row.details["expected_audience"]) == (25, 80)
    # exactly up to the changeover before the next one is fine; empty fields go back to the format's
    assert client.post(url, data={"proposal_id": pid, "minutes": "30", "audience": ""}).status_code == 302
    assert client.post(url, data={"proposal_id": pid, "minutes": "", "audience": ""}).status_code == 302
    assert proposal_row(app, pid)[2:] == (None, None) and entry_of(app, pid)[4] == utc(DAY1, 9, 30)


@pytest.mark.parametrize("case", ["into a block", "past the event's end"])
def test_a_longer_length_that_runs_into_a_block_or_past_the_event_is_refused(app, client, clock, case):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0}])
    with app.app_context():
        db.session.add(ScheduleBlock(event_id=w.event_id, kind="lunch", title_de="Mittagspause",
                                     title_en="Lunch break", starts_at=local(DAY1, 12), ends_at=local(DAY1, 13),
                                     venue_id=w.villa_id, public=True))
        db.session.commit()
    place(app, w, A, "Saal", local(DAY1, 11) if case == "into a block" else local(DAY2, 23, 30))
    login(client, CHAIR_EMAIL)
    before = (proposal_row(app, w.sessions[A]), entries(app))
    r = client.post(EDITOR + "sessions", data={"proposal_id": w.sessions[A], "minutes": "90"})
    assert r.status_code in (409, 422)
    assert (proposal_row(app, w.sessions[A]), entries(app)) == before


# --- cancellation -----------------------------------------------------------------------------------------------

def _cancel_world(app) -> World:
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher", "language": "de", "theme": 0},
                                   {"title": B, "speaker": "Eva English", "theme": 1},
                                   {"title": C, "speaker": "Carl Car", "theme": 2}])
    with app.app_context():  # Cora joined Sam's session as a co-speaker
        cora = speaker("Cora Co")
        db.session.add(ProposalSpeaker(proposal_id=w.sessions[A], user_id=cora.id, is_submitter=False, joined_at=T))
        forget_mail()
        db.session.commit()
        w.people["Cora Co"], w.emails["Cora Co"] = cora.id, cora.email
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, B, "Saal", local(DAY1, 11))
    return w


def test_a_speaker_cancels_a_placed_session_with_a_reason_freeing_its_slot_and_telling_every_speaker(
        app, client, clock, smtp_server):
    clock.set(T)
    w = _cancel_world(app)
    pid = w.sessions[A]
    login(client, w.emails["Sam Sprecher"])
    url = f"/events/scd/proposals/{pid}/cancel"
    assert client.get(url).status_code == 200
    for reason in ("", "   "):
        r = client.post(url, data={"reason": reason})
        assert r.status_code == 422
        assert proposal_row(app, pid)[:2] == (ProposalState.confirmed, "") and entry_of(app, pid) is not None
    r = client.post(url, data={"reason": "Die Referentin ist   erkrankt."})
    assert r.status_code == 302 and r.headers["Location"] == f"/events/scd/proposals/{pid}"
    assert proposal_row(app, pid)[:2] == (ProposalState.cancelled, "Die Referentin ist erkrankt.")
    assert entry_of(app, pid) is None and entry_of(app, w.sessions[B]) is not None
    [freed] = audit(app, "schedule.unplace")
    assert (freed.actor_id, freed.details["reason"], freed.details["room_id"]) == (
        w.people["Sam Sprecher"], "cancelled", w.rooms["Saal"])
    [cancelled] = audit(app, "proposal.cancel")
    assert cancelled.details["reason"] == "Die Referentin ist erkrankt."
    with app.app_context():
        assert send_pending(now=T)["sent"] == 2
    assert sorted(m["envelope_to"][0] for m in smtp_server.messages) == sorted(
        [w.emails["Sam Sprecher"], w.emails["Cora Co"]])
    for message in smtp_server.messages:
        assert A in message["subject"] and "Die Referentin ist erkrankt." in message["body"]
        assert "Sam Sprecher" in message["body"]
    # the slot is free: another session takes it
    committee = app.test_client()
    login(committee, CHAIR_EMAIL)
    assert committee.post(EDITOR + "place", data=form(w, C, "Saal", "2025-02-05T10:00")).status_code == 302


def test_the_committee_cancels_a_placed_session_and_its_speaker_is_told(app, client, clock, smtp_server):
    clock.set(T)
    w = _cancel_world(app)
    pid = w.sessions[B]
    login(client, CHAIR_EMAIL)
    url = f"/events/scd/proposals/{pid}/cancel"
    r = client.post(url, data={})
    assert r.status_code == 422 and entry_of(app, pid) is not None
    with app.app_context():
        assert send_pending(now=T)["sent"] == 0
    r = client.post(url, data={"reason": "The room is needed for the keynote."})
    assert r.status_code == 302
    assert proposal_row(app, pid)[:2] == (ProposalState.cancelled, "The room is needed for the keynote.")
    assert entry_of(app, pid) is None and entry_of(app, w.sessions[A]) is not None
    with app.app_context():
        send_pending(now=T)
    [mail] = smtp_server.messages
    assert mail["envelope_to"] == [w.emails["Eva English"]] and mail["subject"] == f"Session cancelled: {B}"
    assert f"Clara Chair has cancelled the session “{B}”" in mail["body"]
    assert "Reason: The room is needed for the keynote." in mail["body"]
    html = _editor(client, w)
    assert B not in room_columns(html)["Saal"] and B not in unplaced_text(html)
    assert re.search(rf"Free: 10:30–{DAY_END}$", room_columns(html)["Saal"])
    # cancelled is cancelled: not again
    assert client.post(url, data={"reason": "Again"}).status_code == 409
