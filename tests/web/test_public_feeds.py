"""The released programme as files for other apps: schedule.xml valid against the c3voc XSD and schedule.json against
its JSON schema with format checks, also for awkward content (umlauts, emoji, control characters, 200 characters,
markup, a session past midnight, a day without sessions); offsets on every time, HH:MM durations, the venue in the
room's name, the theme as the track, absolute URLs, guids and calendar UIDs that survive versions and moves; the
iCalendar feeds (one zone, one event per session, cancelled ones as cancelled, per session and per speaker); the CSV
(BOM, header, formulas neutralised); CORS, ETag, Last-Modified and 304; earlier versions; and a fixed, small number
of SQL queries however many sessions there are."""
from __future__ import annotations

import copy
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from review_app.accounts.models import User
from review_app.cfp.models import Proposal
from review_app.db import db
from review_app.public import cache

from .public_helpers import (
    BASE,
    FEEDS,
    PROGRAMME,
    SPEAKERS,
    T2,
    A,
    B,
    N,
    U,
    add_sessions,
    build_awkward,
    build_programme,
    calendar,
    change_for_v2,
    csv_rows,
    json_events,
    json_validator,
    place,
    queries,
    release,
    release_v1_and_v2,
    translated,
    valid_json,
    valid_xml,
    xml_events,
    xml_schema,
)
from .schedule_helpers import DAY1, DAY2, local

HOST = "http://localhost"
# control characters no feed may carry; tab and line breaks are white space (see the single-line test for titles)
HARD_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
V1_DATE = "Sun, 15 Dec 2024 12:00:00 GMT"  # T, when version 1 is released


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Renderings are cached per version number, and every test starts again at version 1."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def v1(app):
    p = build_programme(app)
    assert release(app, p.world, "Erste Fassung") == 1
    return p


@pytest.fixture
def v2(app):
    return release_v1_and_v2(app)


def get(client, path: str, status: int = 200, **kwargs):
    r = client.get(path, **kwargs)
    assert r.status_code == status, (path, r.status_code, r.get_data(as_text=True)[:300])
    return r


def feeds(client, prefix: str = BASE, query: str = "") -> dict[str, bytes]:
    return {name: get(client, f"{prefix}/{name}{query}").data for name in FEEDS}


def by_title_xml(doc) -> dict[str, object]:
    return {e.findtext("title"): e for e in xml_events(doc)}


def by_title_json(doc: dict) -> dict[str, dict]:
    return {e["title"]: e for e in json_events(doc)}


def vevents(cal) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def session_url(session_id: int) -> str:
    return f"{HOST}/events/scd/programme/sessions/{session_id}/"


def speaker_url(person_id: int) -> str:
    return f"{HOST}/events/scd/programme/speakers/{person_id}/"


def is_uuid(value: str) -> bool:
    return str(uuid.UUID(value)) == value


# --- validity -------------------------------------------------------------------------------------------------

def test_schedule_xml_and_json_of_a_released_programme_validate_against_the_schemas(app, client, v1):
    r = get(client, f"{BASE}/schedule.xml")
    assert r.mimetype == "application/xml"
    doc = valid_xml(r.data)
    assert sorted(by_title_xml(doc)) == sorted([A, B, U])
    assert doc.findtext("version") == "v1" and doc.findtext("conference/days") == "2"

    r = get(client, f"{BASE}/schedule.json")
    assert r.mimetype == "application/json"
    data = valid_json(r.data)
    assert sorted(by_title_json(data)) == sorted([A, B, U])

    # the validators do look: a guid that is no UUID, or a duration in minutes, is refused
    broken = copy.deepcopy(data)
    json_events(broken)[0]["guid"] = "not-a-uuid"
    assert [e.message for e in json_validator().iter_errors(broken)] == ["'not-a-uuid' is not a 'uuid'"]
    broken_xml = get(client, f"{BASE}/schedule.xml").data.replace(b"<duration>00:30</duration>",
                                                                   b"<duration>30</duration>", 1)
    assert not xml_schema().validate(etree.fromstring(broken_xml))


def test_awkward_content_keeps_the_feeds_valid_and_free_of_control_characters(app, client):
    a = build_awkward(app)
    t, ids = a.titles, a.world.sessions
    # what was stored does hold them: 29 (30 with NUL) besides tab, line feed and carriage return
    assert len(HARD_CONTROLS.findall(t["ctrl"])) == len(HARD_CONTROLS.findall(a.control_speaker)) == len(
        HARD_CONTROLS.findall(a.controls)) == len(a.controls) - 3 >= 29
    bodies = feeds(client)
    bodies |= {f"session-{key}.ics": get(client, f"{PROGRAMME}sessions/{ids[key]}/session.ics").data for key in ids}
    bodies["speaker.ics"] = get(client, f"{PROGRAMME}speakers/{a.world.people['Speaker Ctrl']}/speaker.ics").data
    for name, body in bodies.items():
        text = body.decode("utf-8")
        assert HARD_CONTROLS.findall(text) == [], name

    xml = valid_xml(bodies["schedule.xml"])
    days = xml.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [("1", "2025-02-05"), ("2", "2025-02-06"),
                                                               ("3", "2025-02-07")]
    assert days[1].findall("room/event") == [] and xml.findtext("conference/days") == "3"
    data = valid_json(bodies["schedule.json"])
    json_days = data["schedule"]["conference"]["days"]
    assert [(d["index"], d["date"]) for d in json_days] == [(1, "2025-02-05"), (2, "2025-02-06"), (3, "2025-02-07")]
    assert json_days[1]["rooms"] == {} and data["schedule"]["conference"]["daysCount"] == 3

    xml_by_id = {int(e.get("id")): e for e in xml_events(xml)}
    json_by_id = {e["id"]: e for e in json_events(data)}
    ics_by_uid = {str(e["UID"]).split("@")[0]: e for e in calendar(bodies["schedule.ics"]).walk("VEVENT")}
    rows = csv_rows(bodies["schedule.csv"])
    assert len(rows) == 1 + 6
    csv_by_url = {row[-1]: row for row in rows[1:]}
    for key in ("umlauts", "emoji", "long", "markup", "late"):
        x, j = xml_by_id[ids[key]], json_by_id[ids[key]]
        assert x.findtext("title") == j["title"] == t[key], key
        assert str(ics_by_uid[j["guid"]]["SUMMARY"]) == t[key], key
        assert csv_by_url[session_url(ids[key])][5] == t[key], key
    assert len(json_by_id[ids["long"]]["title"]) == 200
    assert xml_by_id[ids["umlauts"]].findtext("persons/person") == "Jürgen Weiß-Müller"
    assert b"<script>" not in bodies["schedule.xml"] and b"<b>" not in bodies["schedule.xml"]
    assert json_by_id[ids["markup"]]["abstract"] == "<img src=x onerror=alert(1)>"  # data, for the client to escape

    # the control characters are gone (what is left of them is at most white space)
    ctrl_x, ctrl_j = xml_by_id[ids["ctrl"]], json_by_id[ids["ctrl"]]
    ctrl_ics = ics_by_uid[ctrl_j["guid"]]
    for title in (ctrl_x.findtext("title"), ctrl_j["title"], str(ctrl_ics["SUMMARY"]),
                  csv_by_url[session_url(ids["ctrl"])][5]):
        assert re.sub(r"\s", "", title) == "Steuerzeichen"
    for name in (ctrl_x.findtext("persons/person"), ctrl_j["persons"][0]["name"],
                 csv_by_url[session_url(ids["ctrl"])][6]):
        assert re.sub(r"\s", "", name) == "KlaraKontrolle"
    assert re.sub(r"\s", "", ctrl_j["abstract"]) == re.sub(r"\s", "", ctrl_x.findtext("abstract")) == "Kurzfassung"
    assert re.sub(r"\s", "", ctrl_j["persons"][0]["biography"]) == "Biografie"
    assert HARD_CONTROLS.findall(str(ctrl_ics["DESCRIPTION"])) == []

    # 23:30 to 00:30 on the last day: on that day, with its offset and a duration of an hour
    late_x, late_j = xml_by_id[ids["late"]], json_by_id[ids["late"]]
    assert late_x in days[2].findall("room/event")
    assert (late_x.findtext("date"), late_x.findtext("start"), late_x.findtext("duration")) == (
        "2025-02-07T23:30:00+01:00", "23:30", "01:00")
    assert (late_j["date"], late_j["end"], late_j["duration"]) == ("2025-02-07T23:30:00+01:00",
                                                                   "2025-02-08T00:30:00+01:00", "01:00")
    late_ics = ics_by_uid[late_j["guid"]]
    assert late_ics.decoded("DTSTART") == local(DAY2 + timedelta(days=1), 23, 30)
    assert late_ics.decoded("DTEND") == local(DAY2 + timedelta(days=2), 0, 30)
    assert csv_by_url[session_url(ids["late"])][:3] == ["2025-02-07", "23:30", "00:30"]
    assert len(calendar(bodies["schedule.ics"]).walk("VEVENT")) == 6


def test_titles_and_names_in_the_feeds_are_single_lines_without_any_control_character(app, client):
    a = build_awkward(app)
    sid = a.world.sessions["ctrl"]
    bodies = feeds(client)
    xml = {int(e.get("id")): e for e in xml_events(valid_xml(bodies["schedule.xml"]))}[sid]
    data = {e["id"]: e for e in json_events(valid_json(bodies["schedule.json"]))}[sid]
    [row] = [r for r in csv_rows(bodies["schedule.csv"]) if r[-1] == session_url(sid)]
    [event] = [e for e in calendar(bodies["schedule.ics"]).walk("VEVENT") if str(e["UID"]).startswith(data["guid"])]
    found = {"xml title": xml.findtext("title"), "xml person": xml.findtext("persons/person"),
             "json title": data["title"], "json person": data["persons"][0]["name"], "csv title": row[5],
             "csv speakers": row[6], "ics summary": str(event["SUMMARY"])}
    assert {k: v for k, v in found.items() if ANY_CONTROL.search(v)} == {}


def test_a_line_break_in_a_title_does_not_stop_the_release(app, client):
    p = build_programme(app)
    with app.app_context():
        db.session.get(Proposal, p.sid(A)).title = "Zeile eins\nZeile zwei"
        db.session.commit()
    assert release(app, p.world) == 1
    [event] = calendar(get(client, f"{PROGRAMME}sessions/{p.sid(A)}/session.ics").data).walk("VEVENT")
    assert "Zeile eins" in str(event["SUMMARY"])


def test_a_line_break_in_a_speakers_name_does_not_break_their_calendar_file(app, client):
    p = build_programme(app)
    with app.app_context():
        db.session.get(User, p.people[SPEAKERS[B]]).name = "Eva\nEnglish"
        db.session.commit()
    release(app, p.world)
    r = client.get(f"{PROGRAMME}speakers/{p.pid(B)}/speaker.ics")
    assert r.status_code == 200
    assert [str(e["SUMMARY"]) for e in calendar(r.data).walk("VEVENT")] == [B]


def test_a_session_just_after_midnight_on_the_first_day_stays_within_the_event_days(app, client):
    p = build_programme(app)
    place(app, p.world, N, "Werkstatt", local(DAY1, 0, 30))  # the rooms are open from midnight
    release(app, p.world)
    xml = valid_xml(get(client, f"{BASE}/schedule.xml").data)
    assert [(d.get("index"), d.get("date")) for d in xml.findall("day")] == [("1", "2025-02-05"),
                                                                            ("2", "2025-02-06")]
    data = valid_json(get(client, f"{BASE}/schedule.json").data)
    conference = data["schedule"]["conference"]
    assert [d["date"] for d in conference["days"]] == ["2025-02-05", "2025-02-06"] and conference["daysCount"] == 2
    assert N in [e["title"] for events in conference["days"][0]["rooms"].values() for e in events]


# --- what the feeds say ---------------------------------------------------------------------------------------

EXPECTED = {  # title → date, start, end, duration, room, track (German), type (German)
    A: ("2025-02-05T10:00:00+01:00", "10:00", "2025-02-05T10:30:00+01:00", "00:30", "Saal (Mulvany Villa)",
        "Künstliche Intelligenz", "Praxisvortrag"),
    B: ("2025-02-05T11:00:00+01:00", "11:00", "2025-02-05T11:30:00+01:00", "00:30", "Werkstatt (Alte Druckerei)",
        "Data Spaces", "Praxisvortrag"),
    U: ("2025-02-06T14:00:00+01:00", "14:00", "2025-02-06T15:30:00+01:00", "01:30", "Saal (Mulvany Villa)",
        "Digitale Verwaltung", "Workshop"),
}


def _urls(value, key: str = "") -> list[str]:
    """Every URL-valued field of the JSON document."""
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in _urls(v, k)]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v, key)]
    return [value] if key in ("url", "base_url") else []


def test_times_carry_the_offset_durations_are_hh_mm_rooms_name_their_venue_the_theme_is_the_track(app, client,
                                                                                                 v1):
    xml = valid_xml(get(client, f"{BASE}/schedule.xml").data)
    data = valid_json(get(client, f"{BASE}/schedule.json").data)
    xml_events_, json_events_ = by_title_xml(xml), by_title_json(data)
    people = {title: [v1.people[SPEAKERS[title]]] + ([v1.pid(A)] if title == U else []) for title in (A, B, U)}
    for title, (date, start, end, duration, room, track, kind) in EXPECTED.items():
        x, j = xml_events_[title], json_events_[title]
        assert (x.findtext("date"), x.findtext("start"), x.findtext("duration"), x.findtext("room"),
                x.findtext("track"), x.findtext("type"), x.findtext("url")) == (
            date, start, duration, room, track, kind, session_url(v1.sid(title))), title
        assert x.getparent().get("name") == room
        assert (j["date"], j["start"], j["end"], j["duration"], j["room"], j["track"], j["type"], j["url"]) == (
            date, start, end, duration, room, track, kind, session_url(v1.sid(title))), title
        assert [p["url"] for p in j["persons"]] == [speaker_url(i) for i in people[title]]
        assert [int(p.get("id")) for p in x.findall("persons/person")] == people[title]
        assert is_uuid(j["guid"]) and x.get("guid") == j["guid"]
        assert all(is_uuid(p["guid"]) for p in j["persons"])
    assert [(d.get("start"), d.get("end")) for d in xml.findall("day")] == [
        ("2025-02-05T04:00:00+01:00", "2025-02-06T03:59:00+01:00"),
        ("2025-02-06T04:00:00+01:00", "2025-02-07T03:59:00+01:00")]
    assert [t.get("name") for t in xml.findall("conference/track")] == [
        "Künstliche Intelligenz", "Data Spaces", "Digitale Verwaltung"]
    conference = data["schedule"]["conference"]
    assert [t["name"] for t in conference["tracks"]] == ["Künstliche Intelligenz", "Data Spaces",
                                                         "Digitale Verwaltung"]
    assert sorted(r["name"] for r in conference["rooms"]) == ["Saal (Mulvany Villa)", "Werkstatt (Alte Druckerei)"]
    assert all(is_uuid(r["guid"]) for r in conference["rooms"])
    urls = _urls(data)
    assert len(urls) >= 9 and all(u.startswith(f"{HOST}/") for u in urls), urls
    assert data["schedule"]["url"] == f"{HOST}/events/scd/schedule.json"
    assert (xml.findtext("url"), xml.findtext("conference/base_url")) == (f"{HOST}/events/scd/schedule.xml",
                                                                        f"{HOST}/events/scd/programme/")

    # in English: the English names of themes and formats
    english = valid_xml(get(client, f"{BASE}/schedule.xml?lang=en").data)
    assert [(e.findtext("title"), e.findtext("track"), e.findtext("type")) for e in xml_events(english)] == [
        (A, "Artificial intelligence", "Best-practice talk"), (B, "Data spaces", "Best-practice talk"),
        (U, "Digital administration", "Workshop")]
    english_json = valid_json(get(client, f"{BASE}/schedule.json?lang=en").data)
    assert by_title_json(english_json)[A]["track"] == "Artificial intelligence"

    cal = calendar(get(client, f"{BASE}/schedule.ics").data)
    for title, event in vevents(cal).items():
        start = datetime.fromisoformat(EXPECTED[title][0])
        assert event.decoded("DTSTART") == start and event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART").utcoffset() == timedelta(hours=1)
        assert str(event["URL"]) == session_url(v1.sid(title))
        assert str(event["UID"]) == f"{json_events_[title]['guid']}@localhost"
    rows = csv_rows(get(client, f"{BASE}/schedule.csv").data)
    assert sorted(row[-1] for row in rows[1:]) == sorted(session_url(v1.sid(t)) for t in (A, B, U))


def test_guids_and_calendar_uids_stay_the_same_in_version_1_and_2_and_a_moved_session_keeps_its_guid(app, client,
                                                                                                    v2):
    old_xml = by_title_xml(valid_xml(get(client, f"{BASE}/schedule/v/1/schedule.xml").data))
    new_xml = by_title_xml(valid_xml(get(client, f"{BASE}/schedule.xml").data))
    old_json = by_title_json(valid_json(get(client, f"{BASE}/schedule/v/1/schedule.json").data))
    new_json = by_title_json(valid_json(get(client, f"{BASE}/schedule.json").data))
    for title in (A, U):  # A moved, U did not
        assert old_xml[title].get("guid") == new_xml[title].get("guid") == old_json[title]["guid"] \
            == new_json[title]["guid"], title
    assert len({new_json[t]["guid"] for t in new_json}) == 3  # one per session
    assert (old_json[A]["date"], new_json[A]["date"]) == ("2025-02-05T10:00:00+01:00", "2025-02-06T09:30:00+01:00")
    assert (old_xml[A].findtext("start"), new_xml[A].findtext("start")) == ("10:00", "09:30")
    assert new_json[U]["date"] == old_json[U]["date"] == "2025-02-06T14:00:00+01:00"

    old_ics = vevents(calendar(get(client, f"{BASE}/schedule/v/1/schedule.ics").data))
    new_ics = vevents(calendar(get(client, f"{BASE}/schedule.ics").data))
    session_ics = calendar(get(client, f"{PROGRAMME}sessions/{v2.sid(A)}/session.ics").data).walk("VEVENT")
    uid = f"{new_json[A]['guid']}@localhost"
    assert str(old_ics[A]["UID"]) == str(new_ics[A]["UID"]) == str(session_ics[0]["UID"]) == uid
    assert (int(old_ics[A]["SEQUENCE"]), int(new_ics[A]["SEQUENCE"])) == (1, 2)
    assert (old_ics[A].decoded("DTSTART"), new_ics[A].decoded("DTSTART")) == (local(DAY1, 10), local(DAY2, 9, 30))


# --- iCalendar ------------------------------------------------------------------------------------------------

def test_the_calendar_has_one_zone_one_event_per_session_and_the_cancelled_one_as_cancelled(app, client, v2):
    r = get(client, f"{BASE}/schedule.ics")
    assert r.mimetype == "text/calendar"
    cal = calendar(r.data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = cal.walk("VEVENT")
    assert sorted((str(e["SUMMARY"]), str(e["STATUS"])) for e in events) == sorted(
        [(A, "CONFIRMED"), (U, "CONFIRMED"), (N, "CONFIRMED"), (B, "CANCELLED")])
    assert vevents(cal)[N].decoded("DTSTART") == local(DAY1, 15)
    assert str(vevents(cal)[N]["LOCATION"]) == "Werkstatt, Alte Druckerei, Bebelstraße 20, 44623 Herne"

    def only(path: str) -> list[tuple[str, str]]:
        c = calendar(get(client, path).data)
        assert [str(tz["TZID"]) for tz in c.walk("VTIMEZONE")] == ["Europe/Berlin"], path
        return sorted((str(e["SUMMARY"]), str(e["STATUS"])) for e in c.walk("VEVENT"))

    assert only(f"{PROGRAMME}sessions/{v2.sid(A)}/session.ics") == [(A, "CONFIRMED")]
    assert only(f"{PROGRAMME}sessions/{v2.sid(B)}/session.ics") == [(B, "CANCELLED")]
    # Sam speaks on A and U; Udo on U only
    assert only(f"{PROGRAMME}speakers/{v2.pid(A)}/speaker.ics") == sorted([(A, "CONFIRMED"), (U, "CONFIRMED")])
    assert only(f"{PROGRAMME}speakers/{v2.pid(U)}/speaker.ics") == [(U, "CONFIRMED")]
    sam = vevents(calendar(get(client, f"{PROGRAMME}speakers/{v2.pid(A)}/speaker.ics").data))
    assert (sam[A].decoded("DTSTART"), sam[U].decoded("DTSTART")) == (local(DAY2, 9, 30), local(DAY2, 14))
    get(client, f"{PROGRAMME}sessions/999999/session.ics", 404)
    get(client, f"{PROGRAMME}speakers/999999/speaker.ics", 404)
    get(client, f"{PROGRAMME}speakers/{v2.chair_id}/speaker.ics", 404)  # the chair speaks on nothing


# --- CSV ------------------------------------------------------------------------------------------------------

def test_the_csv_is_utf8_with_a_bom_a_header_and_one_row_per_session_and_formulas_stay_text(app, client):
    p = build_programme(app)
    formula, minus = '=HYPERLINK("http://evil.example";"Klick")', "-2+3 Ideen"
    with app.app_context():
        db.session.get(Proposal, p.sid(U)).title = formula
        db.session.get(Proposal, p.sid(B)).title = minus
        db.session.commit()
    release(app, p.world)
    r = get(client, f"{BASE}/schedule.csv")
    assert r.mimetype == "text/csv" and r.data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(r.data)
    assert rows[0] == [translated(app, h, "de") for h in ("Date", "Start", "End", "Venue", "Room", "Title",
                                                             "Speakers", "Theme", "Format", "Language", "Link")]
    assert rows[0][0] == "Datum"
    assert rows[1:] == [
        ["2025-02-05", "10:00", "10:30", "Mulvany Villa", "Saal", A, "Sam Sprecher", "Künstliche Intelligenz",
         "Praxisvortrag", "de", session_url(p.sid(A))],
        ["2025-02-05", "11:00", "11:30", "Alte Druckerei", "Werkstatt", "'" + minus, "Eva English", "Data Spaces",
         "Praxisvortrag", "en", session_url(p.sid(B))],
        ["2025-02-06", "14:00", "15:30", "Mulvany Villa", "Saal", "'" + formula, "Udo Urban, Sam Sprecher",
         "Digitale Verwaltung", "Workshop", "en", session_url(p.sid(U))]]
    english = csv_rows(get(client, f"{BASE}/schedule.csv?lang=en").data)
    assert english[0][:3] == ["Date", "Start", "End"] and english[1][7] == "Artificial intelligence"


# --- HTTP -----------------------------------------------------------------------------------------------------

def _feed_paths(p) -> list[str]:
    return ([f"{BASE}/{name}" for name in FEEDS] + [f"{BASE}/schedule/v/1/{name}" for name in FEEDS]
            + [f"{PROGRAMME}sessions/{p.sid(A)}/session.ics", f"{PROGRAMME}speakers/{p.pid(A)}/speaker.ics"])


def test_feeds_allow_any_origin_carry_etag_and_last_modified_and_answer_304_with_an_empty_body(app, client, v1):
    for path in _feed_paths(v1):
        r = get(client, path)
        assert r.headers["Access-Control-Allow-Origin"] == "*", path
        assert r.headers["Last-Modified"] == V1_DATE, path
        etag = r.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{16,}"', etag), path
        assert len(r.data) > 200, path
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": V1_DATE},
                        {"If-None-Match": f'W/{etag}'}, {"If-None-Match": f'"other", {etag}'}):
            again = client.get(path, headers=headers)
            assert (again.status_code, again.data) == (304, b""), (path, headers)
            assert again.headers["ETag"] == etag and again.headers["Access-Control-Allow-Origin"] == "*"
        earlier = (datetime(2024, 12, 15, 12, tzinfo=UTC) - timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        for headers in ({"If-None-Match": '"something-else"'}, {"If-Modified-Since": earlier}):
            fresh = client.get(path, headers=headers)
            assert (fresh.status_code, fresh.data) == (200, r.data), (path, headers)
    # the ETag is the rendering's: another language is another body with another tag
    de, en = get(client, f"{BASE}/schedule.xml"), get(client, f"{BASE}/schedule.xml?lang=en")
    assert de.data != en.data and de.headers["ETag"] != en.headers["ETag"]


def test_after_a_new_release_the_old_etag_and_date_get_the_new_feed(app, client, v1):
    old = {path: get(client, path) for path in (f"{BASE}/schedule.xml", f"{BASE}/schedule.json")}
    change_for_v2(app, v1)
    assert release(app, v1.world, now=T2) == 2
    for path, r in old.items():
        new = client.get(path, headers={"If-None-Match": r.headers["ETag"]})
        assert new.status_code == 200 and N.encode() in new.data and new.headers["ETag"] != r.headers["ETag"]
        new = client.get(path, headers={"If-Modified-Since": r.headers["Last-Modified"]})
        assert new.status_code == 200 and N.encode() in new.data
        assert new.headers["Last-Modified"] == "Mon, 16 Dec 2024 12:00:00 GMT"


# --- versions -------------------------------------------------------------------------------------------------

def test_earlier_versions_still_show_what_they_showed_and_unknown_versions_answer_404(app, client, v2):
    old = feeds(client, f"{BASE}/schedule/v/1")
    xml = valid_xml(old["schedule.xml"])
    assert (xml.findtext("version"), xml.findtext("url")) == ("v1", f"{HOST}/events/scd/schedule/v/1/schedule.xml")
    assert sorted(by_title_xml(xml)) == sorted([A, B, U])
    assert by_title_xml(xml)[A].findtext("date") == "2025-02-05T10:00:00+01:00"
    data = valid_json(old["schedule.json"])
    assert sorted(by_title_json(data)) == sorted([A, B, U]) and data["schedule"]["version"] == "v1"
    assert sorted((str(e["SUMMARY"]), str(e["STATUS"])) for e in calendar(old["schedule.ics"]).walk("VEVENT")) == \
        sorted([(A, "CONFIRMED"), (B, "CONFIRMED"), (U, "CONFIRMED")])
    assert sorted(row[5] for row in csv_rows(old["schedule.csv"])[1:]) == sorted([A, B, U])

    latest = valid_xml(get(client, f"{BASE}/schedule.xml").data)
    assert sorted(by_title_xml(latest)) == sorted([A, N, U]) and latest.findtext("version") == "v2"
    second = valid_xml(get(client, f"{BASE}/schedule/v/2/schedule.xml").data)
    assert sorted(by_title_xml(second)) == sorted([A, N, U])
    assert second.findtext("url") == f"{HOST}/events/scd/schedule/v/2/schedule.xml"

    for number in ("0", "3", "99999999999999999999"):
        for name in FEEDS:
            r = get(client, f"{BASE}/schedule/v/{number}/{name}", 404)
            assert A.encode() not in r.data
    get(client, f"{BASE}/schedule/v/1/schedule.pdf", 404)
    get(client, f"{BASE}/schedule/v/one/schedule.xml", 404)
    get(client, "/events/unknown/schedule.xml", 404)
    get(client, "/events/unknown/schedule/v/1/schedule.xml", 404)


# --- queries --------------------------------------------------------------------------------------------------

def test_the_programme_page_and_each_feed_need_the_same_few_queries_for_3_and_for_15_sessions(app, client):
    p = build_programme(app)
    release(app, p.world)
    paths = [PROGRAMME, f"{PROGRAMME}?lang=en", *(f"{BASE}/{name}" for name in FEEDS),
             f"{BASE}/schedule/v/1/schedule.xml"]
    small = {path: queries(app, client, path) for path in paths}
    add_sessions(app, p.world, 12)
    release(app, p.world)
    paths[-1] = f"{BASE}/schedule/v/2/schedule.xml"
    large = {path: queries(app, client, path) for path in paths}

    assert small[PROGRAMME][2].count('class="prog-item prog-session') == 3
    assert large[PROGRAMME][2].count('class="prog-item prog-session') == 15
    assert len(xml_events(valid_xml(large[f"{BASE}/schedule.xml"][2].encode()))) == 15
    counts = lambda runs: [(first, second) for first, second, _ in runs.values()]  # noqa: E731
    assert counts(large) == counts(small)
    for path, (first, second, _) in large.items():
        assert 1 <= first <= 3, (path, first)  # the event with its latest version's header, the event, the snapshot
        assert second == 1, (path, first, second)  # a cache hit: the event with its latest version's header only


def test_a_cached_feed_does_not_read_the_snapshot_again(app, client):
    p = build_programme(app)
    release(app, p.world)
    for name in FEEDS:
        first, second, _ = queries(app, client, f"{BASE}/{name}")
        assert second < first, (name, first, second)


def test_a_filtered_programme_and_the_per_session_and_per_speaker_calendars_read_the_snapshot_at_most_once(
        app, client):
    p = build_programme(app)
    release(app, p.world)
    runs = {path: queries(app, client, path)[:2] for path in (
        f"{PROGRAMME}?theme={p.theme_ids[0]}", f"{PROGRAMME}sessions/{p.sid(A)}/session.ics",
        f"{PROGRAMME}speakers/{p.pid(A)}/speaker.ics")}
    assert all(first <= 3 and second <= 2 for first, second in runs.values()), runs

