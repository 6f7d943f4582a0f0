"""Releasing the programme: version 1 a snapshot of the placed sessions; nothing changed, nothing released; version 2's
change log exact (new, moved from/to, cancelled) while version 1's row stays byte for byte as it was; one mail per
speaker of a new or moved session (none for unchanged ones), in the speaker's language, naming time, room, venue and
address, with a calendar file whose UID survives the move; a draft with conflicts released only when asked to; and
the blocks (created, edited, deleted, refused outside the days or over a session; only public ones released)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select, text

from review_app.accounts.models import User
from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal
from review_app.db import db
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending
from review_app.schedule.models import ScheduleBlock, ScheduleEntry, ScheduleVersion

from ..factories import login
from .schedule_helpers import (
    CHAIR_EMAIL,
    DAY1,
    DAY2,
    DAY_END,
    EDITOR,
    T,
    World,
    audit,
    blocks,
    build_world,
    entries,
    field_errors,
    forget_mail,
    form,
    local,
    place,
    problem_lines,
    room_columns,
    text_of,
    utc,
    versions,
)

A, B, U, N = "Digitale Bürgerdienste", "Leeds lights", "Unverändert", "Neu dazu"
RELEASE, VERSIONS, BLOCKS = EDITOR + "release", EDITOR + "versions", EDITOR + "blocks"


def _world(app) -> World:
    """Sam (German) speaks on A in the Saal at 10:00, Eva (English) on B in the Druckerei's Werkstatt at 11:00, Udo
    on U in the Saal at 14:00; Nora's N is confirmed but not placed yet."""
    w = build_world(app, rooms=[{"name": "Werkstatt", "venue": "druckerei", "capacity": 30, "formats": ["talk"]}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher", "language": "de", "theme": 0},
                              {"title": B, "speaker": "Eva English", "theme": 1},
                              {"title": U, "speaker": "Udo Unchanged", "theme": 2},
                              {"title": N, "speaker": "Nora Neu", "language": "de", "theme": 1}])
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, B, "Werkstatt", local(DAY1, 11))
    place(app, w, U, "Saal", local(DAY1, 14))
    return w


def _raw_version(app, number: int) -> tuple:
    """Version `number`'s row as the database holds it, the JSON as stored text."""
    with app.app_context():
        row = db.session.execute(text(
            "SELECT number, comment, released_at, released_by_id, CAST(snapshot AS TEXT), CAST(changes AS TEXT) "
            "FROM schedule_version WHERE number = :n"), {"n": number}).one()
        return tuple(row)


def _where(room_id: int, start: datetime, minutes: int = 30) -> dict:
    return {"room_id": room_id, "start": start.isoformat(), "end": (start + timedelta(minutes=minutes)).isoformat()}


def _lines(body: str) -> set[str]:
    return {line.strip() for line in body.splitlines()}


def _calendar(message) -> icalendar.Calendar:
    [part] = [p for p in message["msg"].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename().endswith(".ics")
    return icalendar.Calendar.from_ical(part.get_content())


def _release_v1_and_v2(app, client, clock, smtp_server):
    """v1 as placed; then A moved to the second day, B cancelled by its speaker, N placed; v2. Returns the world,
    v1's raw row before v2, and the mails of each release."""
    w = _world(app)
    login(client, CHAIR_EMAIL)
    r = client.post(RELEASE, data={"comment": "Erste   Fassung"})
    assert r.status_code == 302 and r.headers["Location"] == VERSIONS
    with app.app_context():
        assert send_pending(now=T)["sent"] == 3
    first_mails = list(smtp_server.messages)
    smtp_server.messages.clear()
    v1_before = _raw_version(app, 1)

    clock.set(T + timedelta(days=1))
    with app.app_context():
        version = db.session.scalar(select(ScheduleEntry.version).where(ScheduleEntry.proposal_id == w.sessions[A]))
    assert client.post(EDITOR + "place", data=form(w, A, "Saal", "2025-02-06T09:30", version=version,
                                                  day="2025-02-06")).status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, w.sessions[B])
        cfp.cancel(proposal, "Krank.", actor=db.session.get(User, w.people["Eva English"]), now=T + timedelta(days=1))
        forget_mail()  # the cancellation's own mail is tested with the editor
        db.session.commit()
    assert client.post(EDITOR + "place", data=form(w, N, "Werkstatt", "2025-02-05T15:00",
                                                  venue=w.druckerei_id)).status_code == 302
    r = client.post(RELEASE, data={"comment": "Zweite Fassung"})
    assert r.status_code == 302
    with app.app_context():
        assert send_pending(now=T + timedelta(days=1))["sent"] == 2
    return w, v1_before, first_mails, list(smtp_server.messages)


# --- versions ---------------------------------------------------------------------------------------------------

def test_releasing_freezes_version_1_and_refuses_a_release_without_changes(app, client, clock):
    clock.set(T)
    w = _world(app)
    login(client, CHAIR_EMAIL)
    page = text_of(client.get(RELEASE).get_data(as_text=True))
    assert "The first version 3 new sessions" in page and "3 mails go to the speakers of new or moved sessions" in page
    r = client.post(RELEASE, data={"comment": "Erste   Fassung\n"})
    assert r.status_code == 302
    [(number, comment, snapshot, changes)] = versions(app)
    assert (number, comment) == (1, "Erste Fassung")
    saal, werkstatt = w.rooms["Saal"], w.rooms["Werkstatt"]
    assert [(s["id"], s["title"], s["room_id"], s["venue_id"], s["start"], s["end"], s["minutes"],
             [p["name"] for p in s["speakers"]]) for s in snapshot["sessions"]] == [
        (w.sessions[A], A, saal, w.villa_id, utc(DAY1, 9).isoformat(), utc(DAY1, 9, 30).isoformat(), 30,
         ["Sam Sprecher"]),
        (w.sessions[B], B, werkstatt, w.druckerei_id, utc(DAY1, 10).isoformat(), utc(DAY1, 10, 30).isoformat(), 30,
         ["Eva English"]),
        (w.sessions[U], U, saal, w.villa_id, utc(DAY1, 13).isoformat(), utc(DAY1, 13, 30).isoformat(), 30,
         ["Udo Unchanged"])]
    assert N not in str(snapshot) and snapshot["cancelled"] == [] and snapshot["number"] == 1
    assert {v["name"]: v["address"] for v in snapshot["venues"]} == {
        "Mulvany Villa": "Shamrockring 1, 44623 Herne", "Alte Druckerei": "Bebelstraße 20, 44623 Herne"}
    assert {k: v for k, v in changes.items() if k != "blocks"} == {
        "new": sorted(w.sessions[t] for t in (A, B, U)), "moved": [], "changed": [], "cancelled": [], "removed": []}
    [released] = audit(app, "schedule.release")
    assert (released.actor_id, released.details["number"], released.details["new"]) == (w.chair_id, 1, 3)
    with app.app_context():
        outbox = db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.recipient)).all()
    assert outbox == sorted(w.emails[n] for n in ("Sam Sprecher", "Eva English", "Udo Unchanged"))

    page = text_of(client.get(RELEASE).get_data(as_text=True))
    assert "Changes since version 1 Nothing has changed since version 1." in page
    r = client.post(RELEASE, data={"comment": "Nochmal"})
    assert r.status_code == 409
    assert (field_errors(r.get_data(as_text=True), "comment")
            == "Error: Nothing has changed since version 1: there is nothing to release.")
    assert len(versions(app)) == 1 and len(audit(app, "schedule.release")) == 1
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 3


def test_the_first_version_without_blocks_does_not_say_the_blocks_changed(app, client, clock):
    clock.set(T)
    _world(app)
    login(client, CHAIR_EMAIL)
    assert "The blocks and breaks changed." not in text_of(client.get(RELEASE).get_data(as_text=True))
    assert client.post(RELEASE, data={"comment": ""}).status_code == 302
    [(_, _, snapshot, changes)] = versions(app)
    assert snapshot["blocks"] == [] and changes["blocks"] is False
    assert "The blocks and breaks changed." not in text_of(client.get(VERSIONS).get_data(as_text=True))


def test_nothing_placed_nothing_to_release(app, client, clock):
    clock.set(T)
    build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    login(client, CHAIR_EMAIL)
    r = client.post(RELEASE, data={"comment": ""})
    assert r.status_code == 409
    assert "No session is placed yet: place sessions before releasing the programme." in text_of(
        r.get_data(as_text=True))
    assert versions(app) == []


def test_version_2_logs_exactly_what_moved_was_cancelled_and_is_new_and_version_1_stays_as_it_was(
        app, client, clock, smtp_server):
    clock.set(T)
    w, v1_before, _first, _second = _release_v1_and_v2(app, client, clock, smtp_server)
    assert _raw_version(app, 1) == v1_before  # byte for byte
    (_, _, snap1, _), (number, comment, snap2, changes) = versions(app)
    assert (number, comment) == (2, "Zweite Fassung")
    saal = w.rooms["Saal"]
    assert changes == {
        "new": [w.sessions[N]],
        "moved": [{"id": w.sessions[A], "from": _where(saal, utc(DAY1, 9)), "to": _where(saal, utc(DAY2, 8, 30))}],
        "changed": [], "cancelled": [w.sessions[B]], "removed": [], "blocks": False}
    assert [s["id"] for s in snap2["sessions"]] == [w.sessions[t] for t in (U, N, A)]  # in time order
    [gone] = snap2["cancelled"]
    assert (gone["id"], gone["title"], gone["cancelled"], gone["start"]) == (w.sessions[B], B, True,
                                                                             utc(DAY1, 10).isoformat())
    assert [s["id"] for s in snap1["sessions"]] == [w.sessions[t] for t in (A, B, U)]

    page = text_of(client.get(VERSIONS).get_data(as_text=True))
    v2, v1 = page.split("Version 2 public now")[1].split("Version 1")
    assert "Zweite Fassung" in v2 and "3 sessions." in v2
    assert f"1 new session {N}" in v2 and f"1 session cancelled {B}" in v2
    assert (f"1 session moved {A}: Saal (Mulvany Villa), Feb 5, 2025, 10:00 CET → Saal (Mulvany Villa), Feb 6, "
            "2025, 09:30 CET") in v2
    assert "Erste Fassung" in v1 and f"3 new sessions {A} {B} {U}" in v1 and "moved" not in v1
    assert "Released Dec 15, 2024, 13:00 CET by Clara Chair." in v1
    with app.app_context():  # the version rows are the record: the ORM does not rewrite them either
        row = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 1))
        assert row.snapshot == snap1


# --- mails ------------------------------------------------------------------------------------------------------

def test_release_mails_go_to_the_speakers_of_new_and_moved_sessions_with_a_calendar_file(app, client, clock,
                                                                                        smtp_server):
    clock.set(T)
    w, _v1, first, second = _release_v1_and_v2(app, client, clock, smtp_server)
    by_person = {n: [m for m in first if m["envelope_to"] == [w.emails[n]]]
                 for n in ("Sam Sprecher", "Eva English", "Udo Unchanged")}
    assert all(len(mails) == 1 for mails in by_person.values())

    [eva] = by_person["Eva English"]  # in English, as she chose
    assert eva["subject"] == f"Your session is in the programme: {B}"
    assert eva["body"].startswith("Hello Eva English,")
    assert f"is published (version 1). Your session “{B}” takes place here:" in eva["body"]
    assert _lines(eva["body"]) >= {"When: Wednesday, February 5, 2025, 11:00–11:30 CET", "Room: Werkstatt",
                                   "Venue: Alte Druckerei, Bebelstraße 20, 44623 Herne",
                                   f"http://localhost/events/scd/proposals/{w.sessions[B]}"}
    [sam] = by_person["Sam Sprecher"]  # in German
    assert sam["subject"] == f"Ihre Session steht im Programm: {A}"
    assert sam["body"].startswith("Hallo Sam Sprecher,")
    assert f"ist veröffentlicht (Version 1). Ihre Session „{A}“ findet hier statt:" in sam["body"]
    assert _lines(sam["body"]) >= {"Wann: Mittwoch, 5. Februar 2025, 10:00–10:30 MEZ", "Raum: Saal",
                                   "Ort: Mulvany Villa, Shamrockring 1, 44623 Herne"}
    for english in ("When:", "Room:", "Venue:", "programme", "calendar"):
        assert english not in sam["body"]
    [udo] = by_person["Udo Unchanged"]
    assert "When: Wednesday, February 5, 2025, 14:00–14:30 CET" in _lines(udo["body"])

    # version 2: Sam's session moved, Nora's is new; nobody else hears of it (Udo's is unchanged, Eva's cancelled)
    assert sorted(m["envelope_to"][0] for m in second) == sorted([w.emails["Sam Sprecher"], w.emails["Nora Neu"]])
    [moved] = [m for m in second if m["envelope_to"] == [w.emails["Sam Sprecher"]]]
    assert moved["subject"] == f"Neue Zeit oder neuer Raum: {A}"
    assert f"hat sich geändert (Version 2): Ihre Session „{A}“ findet jetzt hier statt:" in moved["body"]
    assert _lines(moved["body"]) >= {"Wann: Donnerstag, 6. Februar 2025, 09:30–10:00 MEZ", "Raum: Saal"}
    [new] = [m for m in second if m["envelope_to"] == [w.emails["Nora Neu"]]]
    assert new["subject"] == f"Ihre Session steht im Programm: {N}"
    assert _lines(new["body"]) >= {"Wann: Mittwoch, 5. Februar 2025, 15:00–15:30 MEZ", "Raum: Werkstatt",
                                   "Ort: Alte Druckerei, Bebelstraße 20, 44623 Herne"}

    berlin = ZoneInfo("Europe/Berlin")
    cal1, cal2 = _calendar(sam), _calendar(moved)
    for cal, start in ((cal1, local(DAY1, 10)), (cal2, local(DAY2, 9, 30))):
        [tz] = cal.walk("VTIMEZONE")
        assert str(tz["TZID"]) == "Europe/Berlin"
        [event] = cal.walk("VEVENT")
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + timedelta(minutes=30)
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART").utcoffset() == start.astimezone(berlin).utcoffset()
        assert str(event["SUMMARY"]) == A
        assert str(event["LOCATION"]) == "Saal, Mulvany Villa, Shamrockring 1, 44623 Herne"
    [e1], [e2] = cal1.walk("VEVENT"), cal2.walk("VEVENT")
    assert str(e1["UID"]) == str(e2["UID"])  # the calendar updates the session instead of adding a second one
    assert int(e2["SEQUENCE"]) > int(e1["SEQUENCE"])
    [eva_event] = _calendar(eva).walk("VEVENT")
    assert str(eva_event["UID"]) != str(e1["UID"])
    assert eva_event.decoded("DTSTART") == local(DAY1, 11)


# --- conflicts --------------------------------------------------------------------------------------------------

def test_a_draft_with_a_conflict_is_released_only_when_asked_to(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 60}],
                    sessions=[{"title": A, "speaker": "Sam Sprecher", "theme": 0},
                              {"title": "Offene Daten", "speaker": "Sam Sprecher", "theme": 1}])
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, "Offene Daten", "Salon", local(DAY1, 10))
    login(client, CHAIR_EMAIL)
    page = client.get(RELEASE).get_data(as_text=True)
    assert problem_lines(page) == [f"Conflict: Sam Sprecher would speak in “{A}” and “Offene Daten” at the same time."]
    assert 'name="despite_conflicts"' in page
    r = client.post(RELEASE, data={"comment": "Trotzdem?"})
    assert r.status_code == 422
    assert field_errors(r.get_data(as_text=True), "despite_conflicts") == (
        "Error: The schedule has conflicts. Solve them first, or tick this box to release it as it is.")
    assert versions(app) == []
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
    r = client.post(RELEASE, data={"comment": "Trotzdem", "despite_conflicts": "y"})
    assert r.status_code == 302
    [(number, comment, snapshot, _)] = versions(app)
    assert (number, comment, len(snapshot["sessions"])) == (1, "Trotzdem", 2)
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == [w.emails["Sam Sprecher"]] * 2


# --- blocks -----------------------------------------------------------------------------------------------------

def _block(w: World, **overrides) -> dict:
    data = {"kind": "lunch", "title_de": "Mittagspause", "title_en": "Lunch break", "starts_at": "2025-02-05T12:00",
            "ends_at": "2025-02-05T13:00", "venue_id": str(w.villa_id), "public": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_blocks_are_created_edited_and_deleted(app, client, clock):
    clock.set(T)
    w = build_world(app)
    login(client, CHAIR_EMAIL)
    r = client.post(BLOCKS, data=_block(w))
    assert r.status_code == 302 and r.headers["Location"] == BLOCKS
    [(block_id, *row)] = blocks(app)
    assert row == ["lunch", "Mittagspause", "Lunch break", utc(DAY1, 11), utc(DAY1, 12), w.villa_id, True, ()]
    page = text_of(client.get(BLOCKS).get_data(as_text=True))
    assert "Lunch break Lunch Wednesday, February 5, 2025, 12:00–13:00 CET Mulvany Villa yes Edit" in page
    editor = client.get(f"{EDITOR}?day=2025-02-05&venue={w.villa_id}").get_data(as_text=True)
    assert re.fullmatch(rf"Saal 120 seats Free: 00:00–12:00 12:00–13:00 Lunch break Free: 13:00–{DAY_END}",
                        room_columns(editor)["Saal"])

    edit = f"{BLOCKS}/{block_id}"
    form_page = client.get(edit).get_data(as_text=True)
    assert 'value="2025-02-05T12:00"' in form_page and "Edit block: Lunch break" in text_of(form_page)
    r = client.post(edit, data=_block(w, kind="pause", title_en="Coffee", starts_at="2025-02-05T15:00",
                                      ends_at="2025-02-05T15:30", venue_id="", room_ids=str(w.saal_id),
                                      public=None))
    assert r.status_code == 302
    assert blocks(app) == [(block_id, "pause", "Mittagspause", "Coffee", utc(DAY1, 14), utc(DAY1, 14, 30), None,
                            False, (w.saal_id,))]
    assert [a.action for a in audit(app, "schedule.block")] == ["schedule.block.create", "schedule.block.edit"]

    r = client.post(f"{edit}/delete")
    assert r.status_code == 302 and blocks(app) == []
    assert audit(app, "schedule.block.delete")[0].details["title"] == "Mittagspause"
    assert client.post(f"{BLOCKS}/999999/delete").status_code == 404


BAD_BLOCKS = {
    "the day after the event": ({"starts_at": "2025-02-07T12:00", "ends_at": "2025-02-07T13:00"}, 422,
                                "A block lies within the event's days and ends after it starts."),
    "across the event's start": ({"starts_at": "2025-02-04T23:00", "ends_at": "2025-02-05T01:00"}, 422,
                                 "A block lies within the event's days and ends after it starts."),
    "ending before it starts": ({"starts_at": "2025-02-05T13:00", "ends_at": "2025-02-05T12:00"}, 422,
                                "A block lies within the event's days and ends after it starts."),
    "over a placed session": ({"starts_at": "2025-02-05T09:45", "ends_at": "2025-02-05T10:15"}, 409,
                              f"Sessions are placed there then: {A}. Move them first."),
    "over a placed session, every venue": ({"starts_at": "2025-02-05T10:15", "ends_at": "2025-02-05T11:00",
                                            "venue_id": ""}, 409,
                                           f"Sessions are placed there then: {A}. Move them first."),
    "an unknown kind": ({"kind": "party"}, 422, "Kind: please choose one of the options offered."),
}


@pytest.mark.parametrize("case", list(BAD_BLOCKS))
def test_a_block_outside_the_event_or_over_a_placed_session_is_refused_and_nothing_is_saved(app, client, clock,
                                                                                            case):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    place(app, w, A, "Saal", local(DAY1, 10))
    login(client, CHAIR_EMAIL)
    assert client.post(BLOCKS, data=_block(w, starts_at="2025-02-06T12:00", ends_at="2025-02-06T13:00")
                       ).status_code == 302
    [(block_id, *_)] = before = blocks(app)
    overrides, status, message = BAD_BLOCKS[case]
    for url in (BLOCKS, f"{BLOCKS}/{block_id}"):  # a new block, and the existing one changed so
        r = client.post(url, data=_block(w, **overrides))
        assert r.status_code == status, url
        field = "kind" if case == "an unknown kind" else "starts_at"
        assert field_errors(r.get_data(as_text=True), field) == f"Error: {message}"
        assert blocks(app) == before
    assert len(audit(app, "schedule.block")) == 1
    assert len(entries(app)) == 1


def test_a_block_elsewhere_at_the_same_time_as_a_session_is_fine(app, client, clock):
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 40}], sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    place(app, w, A, "Saal", local(DAY1, 10))
    login(client, CHAIR_EMAIL)
    for data in (_block(w, venue_id=str(w.druckerei_id), starts_at="2025-02-05T10:00"),
                 _block(w, room_ids=str(w.rooms["Salon"]), starts_at="2025-02-05T10:00")):
        assert client.post(BLOCKS, data=data).status_code == 302
    assert len(blocks(app)) == 2


def test_public_blocks_are_released_internal_ones_are_not(app, client, clock):
    clock.set(T)
    w = build_world(app, sessions=[{"title": A, "speaker": "Sam Sprecher"}])
    place(app, w, A, "Saal", local(DAY1, 10))
    login(client, CHAIR_EMAIL)
    assert client.post(BLOCKS, data=_block(w)).status_code == 302
    assert client.post(BLOCKS, data=_block(w, kind="other", title_de="Aufbau", title_en="", public=None,
                                           starts_at="2025-02-05T08:00", ends_at="2025-02-05T09:00")
                       ).status_code == 302
    assert client.post(RELEASE, data={"comment": ""}).status_code == 302
    [(_, _, snapshot, _)] = versions(app)
    assert [(b["kind"], b["title_de"], b["title_en"], b["start"], b["end"], b["venue_id"], b["room_ids"])
            for b in snapshot["blocks"]] == [
        ("lunch", "Mittagspause", "Lunch break", utc(DAY1, 11).isoformat(), utc(DAY1, 12).isoformat(), w.villa_id,
         [w.saal_id])]
    assert "Aufbau" not in str(snapshot)

    # another internal block is no change for the public: nothing to release; a public one is
    assert client.post(BLOCKS, data=_block(w, kind="other", title_de="Abbau", public=None,
                                           starts_at="2025-02-06T18:00", ends_at="2025-02-06T19:00")
                       ).status_code == 302
    assert client.post(RELEASE, data={"comment": ""}).status_code == 409
    assert client.post(BLOCKS, data=_block(w, kind="closing", title_de="Abschluss", title_en="Closing",
                                           starts_at="2025-02-06T17:00", ends_at="2025-02-06T17:30")
                       ).status_code == 302
    assert "The blocks and breaks changed." in text_of(client.get(RELEASE).get_data(as_text=True))
    assert client.post(RELEASE, data={"comment": ""}).status_code == 302
    (_, _, first, _), (_, _, second, changes) = versions(app)
    assert [b["title_de"] for b in second["blocks"]] == ["Mittagspause", "Abschluss"]
    assert changes["blocks"] is True and changes["new"] == changes["moved"] == []
    assert [b["title_de"] for b in first["blocks"]] == ["Mittagspause"]
    with app.app_context():
        assert db.session.scalar(select(ScheduleBlock).where(ScheduleBlock.title_de == "Abbau")).public is False
