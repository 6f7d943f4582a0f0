"""The public programme pages: nothing before the first release, and never the draft; the programme with both venues,
their rooms, times, speakers and public blocks, its filters in the address (anything odd answers 400 in the page's
language), German and English, and its feeds linked; the session, speaker, venue, now-and-next, changes and
printable pages; and no page that runs a query per session."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Room
from review_app.public import cache
from review_app.schedule import releases
from review_app.schedule import services as schedule

from ..factories import OUTSIDE, make_event, make_proposal, make_user
from .public_helpers import (
    BASE,
    FEEDS,
    PROGRAMME,
    T2,
    A,
    B,
    N,
    U,
    add_sessions,
    build_programme,
    change_for_v2,
    error_message,
    html_lang,
    now_rows,
    page,
    plain,
    programme_grid,
    queries,
    release,
    release_v1_and_v2,
    sessions_count,
    translated,
)
from .schedule_helpers import DAY1, DAY2, T, local, place, text_of


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


EN = {"Accept-Language": "en"}


def public_paths(p) -> list[str]:
    """Every public page and feed of the programme (A, its speaker, the villa, its first day)."""
    return [PROGRAMME, f"{PROGRAMME}sessions/{p.sid(A)}/", f"{PROGRAMME}speakers/{p.pid(A)}/",
            f"{PROGRAMME}venues/{p.villa_id}/", f"{PROGRAMME}now/", f"{PROGRAMME}changes/",
            f"{PROGRAMME}print/{p.villa_id}/2025-02-05/", *(f"{BASE}/{name}" for name in FEEDS),
            *(f"{BASE}/schedule/v/1/{name}" for name in FEEDS), f"{PROGRAMME}sessions/{p.sid(A)}/session.ics",
            f"{PROGRAMME}speakers/{p.pid(A)}/speaker.ics"]


def heading(html: str) -> str:
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S).group(1))


def section(html: str, title: str) -> str:
    """The text after the <h2> `title` up to the next <h2> or the end of the page's content."""
    chunk = html.split(f">{title}</h2>", 1)[1]
    return plain(re.split(r"<h2|</main>", chunk, maxsplit=1)[0])


# --- nothing before the release, never the draft ------------------------------------------------------------

# what this 404 says: that nothing is published yet (a version's feed: that the version does not exist)
MESSAGES_404 = ("No programme has been published for this event yet.",
                "This version of the programme does not exist.")


def test_before_any_release_every_public_page_and_feed_answers_404_and_the_event_page_has_no_programme_link(
        app, client):
    p = build_programme(app)
    for path in public_paths(p):
        for headers in ({}, EN):
            html = page(client, path, 404, headers=headers)
            lang = "en" if headers else "de"
            assert html_lang(html) == lang, path
            assert heading(html) == translated(app, "Page not found", lang), path
            assert error_message(html) in {translated(app, m, lang) for m in MESSAGES_404}, path
            assert A not in html and "Saal" not in html, path
    event_page = page(client, f"{BASE}/", headers=EN)
    assert 'href="/events/scd/programme/' not in event_page and "The programme" not in text_of(event_page)

    release(app, p.world)
    event_page = page(client, f"{BASE}/", headers=EN)
    assert re.search(r'<a class="button primary" href="/events/scd/programme/">The programme</a>\s*'
                     r'<span class="hint">version 1</span>', event_page)
    assert A in page(client, PROGRAMME)


def test_before_any_release_the_404_says_that_no_programme_has_been_published_yet(app, client):
    p = build_programme(app)
    message = "No programme has been published for this event yet."
    german = translated(app, message, "de")
    assert german != message  # the catalogue has it in German
    assert error_message(page(client, PROGRAMME, 404, headers=EN)) == message
    assert error_message(page(client, f"{BASE}/schedule.json", 404)) == german
    release(app, p.world)
    assert error_message(page(client, f"{BASE}/schedule/v/2/schedule.xml", 404, headers=EN)) == (
        "This version of the programme does not exist.")


def test_the_draft_never_appears_only_the_released_version(app, client, clock, v1):
    clock.set(local(DAY1, 9, 55))  # now-and-next shows the same minute before and after
    before = {path: page(client, path) for path in public_paths(v1)}
    # the committee places N and moves A to Thursday in the draft, and does not release
    place(app, v1.world, N, "Werkstatt", local(DAY1, 15))
    place(app, v1.world, A, "Saal", local(DAY2, 9, 30))
    cache.clear()  # not a cached rendering: rendered again from what the database holds
    for path in public_paths(v1):
        assert page(client, path) == before[path], path
        assert N not in before[path], path
    grid = programme_grid(before[PROGRAMME])
    assert grid["2025-02-05"]["Mulvany Villa"]["Saal"][0].startswith(f"10:00 – 10:30 {A}")
    assert all(A not in item for item in grid["2025-02-06"]["Mulvany Villa"]["Saal"])
    assert "Mittwoch, 5. Februar 2025, 10:00–10:30 MEZ" in text_of(before[f"{PROGRAMME}sessions/{v1.sid(A)}/"])
    assert "2025-02-05T10:00:00+01:00" in before[f"{BASE}/schedule.json"]
    for path in (f"{PROGRAMME}sessions/{v1.sid(N)}/", f"{PROGRAMME}sessions/{v1.sid(N)}/session.ics",
                 f"{PROGRAMME}speakers/{v1.pid(N)}/", f"{PROGRAMME}speakers/{v1.pid(N)}/speaker.ics"):
        assert N not in page(client, path, 404), path


# --- the programme page ---------------------------------------------------------------------------------------

def test_the_programme_shows_both_venues_with_rooms_times_speakers_and_only_the_public_blocks(app, client, v1):
    html = page(client, PROGRAMME)
    assert html_lang(html) == "de" and heading(html) == "Programm"
    assert programme_grid(html) == {
        "2025-02-05": {
            "Alte Druckerei": {"Werkstatt": [f"11:00 – 11:30 {B} Eva English Data Spaces · Praxisvortrag · Englisch"]},
            "Mulvany Villa": {"Saal": [f"10:00 – 10:30 {A} Sam Sprecher Künstliche Intelligenz · Praxisvortrag · "
                                       "Deutsch", "12:00 – 13:00 Mittagspause"]}},
        "2025-02-06": {
            "Alte Druckerei": {"Werkstatt": []},
            "Mulvany Villa": {"Saal": [f"14:00 – 15:30 {U} Udo Urban, Sam Sprecher Digitale Verwaltung · Workshop · "
                                       "Englisch"]}}}
    text = text_of(html)
    assert "Mittwoch, 5. Februar 2025" in text and "Donnerstag, 6. Februar 2025" in text
    assert sessions_count(app, 3, "de") in text
    for title in (A, B, U):
        assert f'href="/events/scd/programme/sessions/{v1.sid(title)}/">{title}</a>' in html
    assert f'href="/events/scd/programme/venues/{v1.villa_id}/">Mulvany Villa</a>' in html
    assert f'href="/events/scd/programme/print/{v1.druckerei_id}/2025-02-06/"' in html
    assert N not in html
    for path in public_paths(v1):  # the internal block is on no page and in no feed
        body = page(client, path)
        assert "Aufbau intern" not in body and "Internal set-up" not in body, path


def test_filters_in_the_address_show_only_the_matching_sessions(app, client, v1):
    ai, data, admin = v1.theme_ids
    cases = {
        f"theme={ai}": [A], f"theme={admin}": [U], f"audience={v1.buerger_id}": [U],
        f"audience={v1.kommunen_id}": [A, B], f"venue={v1.druckerei_id}": [B], f"venue={v1.villa_id}": [A, U],
        "language=de": [A], "language=en": [B, U], f"format={v1.workshop_id}": [U], f"format={v1.talk_id}": [A, B],
        f"theme={data}&venue={v1.druckerei_id}": [B], f"language=de&venue={v1.druckerei_id}": [],
        f"theme=&format={v1.talk_id}&lang=de": [A, B],  # an empty value: every theme
    }
    for query, expected in cases.items():
        html = page(client, f"{PROGRAMME}?{query}")
        shown = [title for title in (A, B, U) if f">{title}</a>" in html]
        assert shown == expected, query
        count = sessions_count(app, len(expected), "de")
        assert f'<p class="result-count" role="status">{count}</p>' in html, query
        for key, value in (pair.split("=") for pair in query.split("&")):
            if value and key != "lang":
                select = re.search(rf'<select id="f-{key}" name="{key}">(.*?)</select>', html, flags=re.S)
                assert f'<option value="{value}" selected>' in select.group(1), query
        assert 'href="/events/scd/programme/?lang=de">' in html, query  # show everything
    # the page without filters offers no "show everything"
    assert 'href="/events/scd/programme/?lang=de">' not in page(client, PROGRAMME)


BAD_QUERIES = {
    "unknown theme": "theme=999", "unknown audience": "audience=999", "unknown venue": "venue=999",
    "unknown format": "format=999", "unknown language": "language=fr", "huge number": "theme=99999999999999999999",
    "letters": "theme=abc", "a fraction": "venue=1.5", "negative": "audience=-1", "hex": "format=0x1",
    "a NUL": "theme=1%00", "repeated": "theme=1&theme=2", "repeated language": "language=de&language=en",
    "repeated, one empty": "venue=1&venue=", "overlong number": "theme=" + "1" * 81,
    "overlong text": "venue=" + "x" * 500, "query over 2000 characters": "q=" + "a" * 2001,
    "many parameters": "theme=1&" + "x=y&" * 500, "French": "lang=fr", "two languages": "lang=en&lang=de",
    "an overlong language": "lang=" + "e" * 100,
}


# what a 400 may say: why, or (see the test after the next) at least that the request was not understood
MESSAGES_400 = ("This filter value is not one of the programme's.", "Choose one value for each filter.",
                "There is no such language in this programme.", "The address is too long.",
                "Choose German or English.", "The request could not be understood.")


def test_a_bad_query_answers_400_in_the_pages_language_and_shows_no_programme(app, client, v1):
    assert all(translated(app, m, "de") != m for m in MESSAGES_400)  # each has its German words
    for name, query in BAD_QUERIES.items():
        for headers, lang in (({}, "de"), (EN, "en")):
            if query.startswith("lang=en"):
                lang = "en"  # ?lang=en&lang=de: the first one asked for English
            html = page(client, f"{PROGRAMME}?{query}", 400, headers=headers)
            assert html_lang(html) == lang, name
            assert heading(html) == translated(app, "Request not understood", lang), name
            assert error_message(html) in {translated(app, m, lang) for m in MESSAGES_400}, name
            assert A not in html and B not in html, name
    # the other pages and the feeds refuse a language that is not offered too
    for path in public_paths(v1):
        assert A not in page(client, f"{path}?lang=fr", 400), path


def test_a_bad_query_says_what_is_wrong_in_the_pages_language(app, client, v1):
    said = {"theme=abc": "This filter value is not one of the programme's.",
            "theme=999": "This filter value is not one of the programme's.",
            "theme=1&theme=2": "Choose one value for each filter.",
            "language=fr": "There is no such language in this programme.",
            "q=" + "a" * 2001: "The address is too long.", "lang=fr": "Choose German or English."}
    for query, message in said.items():
        german = translated(app, message, "de")
        assert german != message, message  # the catalogue has it in German
        assert error_message(page(client, f"{PROGRAMME}?{query}", 400, headers=EN)) == message, query
        assert error_message(page(client, f"{PROGRAMME}?{query}", 400)) == german, query


def test_a_filter_in_other_digits_than_0_to_9_answers_400(app, client, v1):
    r = client.get(f"{PROGRAMME}?theme=\u0661")  # ARABIC-INDIC DIGIT ONE
    assert r.status_code == 400


def test_lang_en_gives_english_names_and_html_lang_en(app, client, v1):
    html = page(client, f"{PROGRAMME}?lang=en")
    assert html_lang(html) == "en" and heading(html) == "Programme"
    grid = programme_grid(html)
    assert grid["2025-02-05"]["Mulvany Villa"]["Saal"] == [
        f"10:00 – 10:30 {A} Sam Sprecher Artificial intelligence · Best-practice talk · German",
        "12:00 – 13:00 Lunch break"]
    text = text_of(html)
    for english in ("Wednesday, February 5, 2025", "Municipalities", "Citizens", "Data spaces",
                    "Digital administration", "3 sessions"):
        assert english in text, english
    for german in ("Künstliche Intelligenz", "Praxisvortrag", "Mittagspause", "Kommunen", "Mittwoch"):
        assert german not in text, german
    # the switch leads to the other language, keeping the filters
    assert 'href="/events/scd/programme/?lang=de" hreflang="de"' in html
    assert f'href="/events/scd/programme/?theme={v1.theme_ids[0]}&amp;lang=en" hreflang="en"' in page(
        client, f"{PROGRAMME}?theme={v1.theme_ids[0]}")
    session = page(client, f"{PROGRAMME}sessions/{v1.sid(A)}/?lang=en")
    assert html_lang(session) == "en" and "Theme Artificial intelligence" in text_of(session)
    german = page(client, f"{PROGRAMME}sessions/{v1.sid(A)}/")
    assert html_lang(german) == "de" and "Künstliche Intelligenz" in text_of(german)


def test_the_programme_page_links_every_feed_visibly_and_as_alternate(app, client, v1):
    html = page(client, f"{PROGRAMME}?lang=en")
    head, body = html.split("</head>")
    visible = text_of(body.split('<section class="panel feeds"')[1].split("</section>")[0])
    for name, kind, label in (("schedule.xml", "application/xml", "Schedule XML (frab)"),
                              ("schedule.json", "application/json", "Schedule JSON"),
                              ("schedule.ics", "text/calendar", "Calendar (iCalendar)"),
                              ("schedule.csv", "text/csv", "Spreadsheet (CSV)")):
        url = f"http://localhost/events/scd/{name}"
        assert f'<link rel="alternate" type="{kind}" title="{label}" href="{url}">' in head, name
        assert f'<a href="{url}" type="{kind}">{label}</a>' in body, name
        assert f"{label} : {url}" in visible, name
        r = client.get(url.removeprefix("http://localhost"))
        assert r.status_code == 200 and r.mimetype == kind, name


# --- the session page -----------------------------------------------------------------------------------------

def test_the_session_page_shows_when_where_what_and_who_with_the_description_rendered_and_sanitised(app, client,
                                                                                                   v1):
    with app.app_context():
        sam, udo = (db.session.get(User, v1.people[n]) for n in ("Sam Sprecher", "Udo Urban"))
        sam_at, udo_at = f"{sam.organisation} ({sam.city})", f"{udo.organisation} ({udo.city})"
    html = page(client, f"{PROGRAMME}sessions/{v1.sid(A)}/?lang=en")
    text = text_of(html)
    assert heading(html) == A and f'<h1 lang="de">{A}</h1>' in html
    facts = plain(html.split('<dl class="facts">')[1].split("</dl>")[0])
    assert facts == ("When Wednesday, February 5, 2025, 10:00–10:30 CET "
                     "Where Saal, Mulvany Villa, Shamrockring 1, 44623 Herne "
                     "Theme Artificial intelligence Format Best-practice talk Language German For Municipalities")
    assert section(html, "Abstract") == f"Kurzfassung von {A}."
    description = html.split(">Description</h2>")[1].split("</div>")[0]
    assert "<h3>Ablauf</h3>" in description and "<strong>der Praxis</strong>" in description
    assert "<script>alert" not in html and "<p>&lt;script&gt;alert('desc')&lt;/script&gt;</p>" in description
    assert "javascript:" not in html.replace("[Klick](javascript:alert(1))", "")
    assert speakers_of(html) == [f"Sam Sprecher, {sam_at}"]
    assert f'href="/events/scd/programme/speakers/{v1.pid(A)}/">Sam Sprecher</a>' in html
    assert f'href="/events/scd/programme/venues/{v1.villa_id}/">Mulvany Villa</a>' in html
    assert re.search(rf'<a class="button" href="/events/scd/programme/sessions/{v1.sid(A)}/session.ics" '
                     r'type="text/calendar">Add to calendar</a>', html)
    assert "Add to calendar" in text

    workshop = page(client, f"{PROGRAMME}sessions/{v1.sid(U)}/?lang=en")
    assert "When Thursday, February 6, 2025, 14:00–15:30 CET" in text_of(workshop)
    assert "Format Workshop Language English For Citizens" in text_of(workshop)
    assert speakers_of(workshop) == [f"Udo Urban, {udo_at}", f"Sam Sprecher, {sam_at}"]
    german = plain(page(client, f"{PROGRAMME}sessions/{v1.sid(B)}/"))
    assert "Mittwoch, 5. Februar 2025, 11:00–11:30 MEZ" in german
    assert "Werkstatt, Alte Druckerei, Bebelstraße 20, 44623 Herne" in german


def speakers_of(html: str) -> list[str]:
    """The session page's list of speakers, each linked to their page, with organisation and city."""
    return [plain(li) for li in re.findall(r'<li><a href="/events/scd/programme/speakers/\d+/">.*?</li>', html)]


def _other_event(app) -> tuple[int, int]:
    """Another event ("other") with one released session; returns (its session's id, its speaker's id)."""
    with app.app_context():
        chair = make_user(name="Otto Other", email="otto@other-committee.test", language="en", **OUTSIDE)
        event = make_event(slug="other", committee=chair)
        speaker = make_user(name="Olga Other", email="olga@other.test")
        proposal = make_proposal(event, speaker, state=ProposalState.confirmed, committee=chair, title="Anderswo")
        room = db.session.scalar(select(Room).where(Room.event_id == event.id))
        schedule.place(event, proposal.id, room.id, local(DAY1, 16), actor=chair, now=T)
        releases.release(event, "", actor=chair, now=T)
        db.session.commit()
        return proposal.id, speaker.id


def test_an_unknown_session_or_a_session_of_another_event_answers_404(app, client, v1):
    other_session, other_speaker = _other_event(app)
    assert "Anderswo" in page(client, f"/events/other/programme/sessions/{other_session}/")
    for path in (f"{PROGRAMME}sessions/999999/", f"{PROGRAMME}sessions/{v1.sid(N)}/", f"{PROGRAMME}sessions/abc/",
                 f"{PROGRAMME}sessions/-1/", f"{PROGRAMME}sessions/{other_session}/",
                 f"{PROGRAMME}sessions/{other_session}/session.ics", f"{PROGRAMME}speakers/{other_speaker}/",
                 f"/events/other/programme/sessions/{v1.sid(A)}/", "/events/nothing/programme/sessions/1/"):
        html = page(client, path, 404)
        assert "Anderswo" not in html and A not in html, path


# --- speaker, venue, now and next, changes, print --------------------------------------------------------------

def test_the_speaker_page_shows_the_person_and_every_session_of_theirs(app, client, v1):
    with app.app_context():
        sam = db.session.get(User, v1.pid(A))
        sam_at = f"{sam.organisation}, {sam.city}"
    html = page(client, f"{PROGRAMME}speakers/{v1.pid(A)}/?lang=en")
    assert heading(html) == "Sam Sprecher" and f'<p class="motto">{sam_at}</p>' in html
    assert items_titles(html) == [A, U]
    assert "10:00 – 10:30 · Saal" in text_of(html) and "14:00 – 15:30 · Saal" in text_of(html)
    assert f'href="/events/scd/programme/speakers/{v1.pid(A)}/speaker.ics" type="text/calendar">Add to calendar' \
        in html
    assert items_titles(page(client, f"{PROGRAMME}speakers/{v1.pid(U)}/")) == [U]
    for person in (999999, v1.chair_id, v1.pid(N)):
        assert "Sam Sprecher" not in page(client, f"{PROGRAMME}speakers/{person}/", 404)


def items_titles(html: str) -> list[str]:
    return [text_of(t) for t in re.findall(r'<h\d class="prog-title"[^>]*><a [^>]*>(.*?)</a>', html)]


def test_the_venue_page_shows_the_address_rooms_travel_time_and_the_printable_days(app, client, v1):
    villa = page(client, f"{PROGRAMME}venues/{v1.villa_id}/?lang=en")
    assert heading(villa) == "Mulvany Villa" and '<p class="motto">Shamrockring 1, 44623 Herne</p>' in villa
    assert section(villa, "Getting to the other venues") == "Alte Druckerei: 15 minutes"
    assert section(villa, "Rooms") == "Saal (120 seats)"
    assert section(villa, "Printable programme") == "Wednesday, February 5, 2025 Thursday, February 6, 2025"
    assert f'href="/events/scd/programme/print/{v1.villa_id}/2025-02-06/"' in villa
    druckerei = page(client, f"{PROGRAMME}venues/{v1.druckerei_id}/")
    assert "Bebelstraße 20, 44623 Herne" in text_of(druckerei)
    assert translated(app, "%(venue)s: %(num)d minutes", "de") % {"venue": "Mulvany Villa", "num": 15} in text_of(
        druckerei)
    for venue in (999999, "abc"):
        assert "Shamrockring" not in page(client, f"{PROGRAMME}venues/{venue}/", 404)


def test_now_and_next_shows_what_runs_at_each_venue_and_updates_itself(app, client, clock, v1):
    clock.set(local(DAY1, 10, 10))
    html = page(client, f"{PROGRAMME}now/?lang=en")
    assert "As of 10:10" in text_of(html)
    # it reloads every minute: a meta refresh, or the page's own script (the CSP allows no inline code)
    assert re.search(r'<meta http-equiv="refresh" content="60">', html) or (
        re.search(r'<script src="/static/now\.js" defer></script>', html) and 'id="auto-refresh"' in html)
    assert now_rows(html) == {
        "Alte Druckerei": (["Nothing at the moment."],
                           [f"11:00 – 11:30 · Werkstatt {B} Eva English Data spaces · Best-practice talk · English"]),
        "Mulvany Villa": ([f"10:00 – 10:30 · Saal {A} Sam Sprecher Artificial intelligence · Best-practice talk · "
                           "German"], ["12:00 – 13:00 Lunch break"])}
    clock.set(local(DAY1, 11, 5))
    later = now_rows(page(client, f"{PROGRAMME}now/?lang=en"))
    assert later["Alte Druckerei"][0][0].startswith(f"11:00 – 11:30 · Werkstatt {B}")
    assert later["Alte Druckerei"][1] == ["Nothing more today."]
    assert later["Mulvany Villa"] == (["Nothing at the moment."], ["12:00 – 13:00 Lunch break"])
    clock.set(local(DAY1, 12, 30))
    assert now_rows(page(client, f"{PROGRAMME}now/?lang=en"))["Mulvany Villa"][0] == ["12:00 – 13:00 Lunch break"]


def test_now_and_next_does_not_show_tomorrows_session_as_next(app, client, clock, v1):
    clock.set(local(DAY1, 13, 30))
    assert now_rows(page(client, f"{PROGRAMME}now/?lang=en"))["Mulvany Villa"][1] == ["Nothing more today."]


def test_now_and_next_is_not_answered_with_304_once_the_time_has_moved_on(app, client, clock, v1):
    clock.set(local(DAY1, 10, 10))
    first = client.get(f"{PROGRAMME}now/?lang=en")
    clock.set(local(DAY1, 11, 10))
    later = client.get(f"{PROGRAMME}now/?lang=en", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert later.status_code == 200
    assert now_rows(later.get_data(as_text=True))["Alte Druckerei"][0][0].startswith(f"11:00 – 11:30 · Werkstatt {B}")


def test_the_changes_page_lists_what_moved_what_was_cancelled_and_what_is_new(app, client, v1):
    first = page(client, f"{PROGRAMME}changes/?lang=en")
    assert heading(first) == "What changed in version 1"
    assert "This is the first published version of the programme." in text_of(first)
    change_for_v2(app, v1)
    assert release(app, v1.world, "Zweite Fassung", now=T2) == 2
    html = page(client, f"{PROGRAMME}changes/?lang=en")
    assert heading(html) == "What changed in version 2" and "Zweite Fassung" in text_of(html)
    assert section(html, "Moved") == (f"{A}: Saal (Mulvany Villa), Feb 5, 2025, 10:00 CET → "
                                      "Saal (Mulvany Villa), Feb 6, 2025, 09:30 CET")
    assert section(html, "Cancelled") == B
    assert section(html, "New") == N
    assert U not in html
    assert f'href="/events/scd/programme/sessions/{v1.sid(A)}/">{A}</a>' in html
    # and the programme follows: B is gone, N is there, A on Thursday
    grid = programme_grid(page(client, PROGRAMME))
    assert grid["2025-02-05"]["Alte Druckerei"]["Werkstatt"][0].startswith(f"15:00 – 15:30 {N}")
    assert grid["2025-02-06"]["Mulvany Villa"]["Saal"][0].startswith(f"09:30 – 10:00 {A}")
    assert B not in page(client, PROGRAMME)


def test_the_printable_page_shows_one_venue_on_one_day_and_unknown_venues_or_days_answer_404(app, client, v1):
    html = page(client, f"{PROGRAMME}print/{v1.villa_id}/2025-02-05/?lang=en")
    assert heading(html) == "Mulvany Villa: Wednesday, February 5, 2025"
    assert "Shamrockring 1, 44623 Herne" in text_of(html)
    assert items_titles(html) == [A] and "12:00 – 13:00 Lunch break" in text_of(html)
    assert B not in html and U not in html
    assert items_titles(page(client, f"{PROGRAMME}print/{v1.villa_id}/2025-02-06/")) == [U]
    assert items_titles(page(client, f"{PROGRAMME}print/{v1.druckerei_id}/2025-02-05/")) == [B]
    for venue, day in ((999999, "2025-02-05"), (v1.villa_id, "2025-02-07"), (v1.villa_id, "2025-02-04"),
                       (v1.villa_id, "2025-02-31"), (v1.villa_id, "2025-2-5"), (v1.villa_id, "gestern"),
                       ("abc", "2025-02-05"), (v1.villa_id, "2025-02-05T10:00")):
        assert A not in page(client, f"{PROGRAMME}print/{venue}/{day}/", 404), (venue, day)


def test_the_language_link_does_not_carry_another_visitors_parameters(app, client, v1):
    page(client, f"{PROGRAMME}?utm_source=mail")
    html = page(client, PROGRAMME)
    assert 'href="/events/scd/programme/?lang=en" hreflang="en"' in html and "utm_source" not in html


# --- queries --------------------------------------------------------------------------------------------------

def test_no_public_page_runs_a_query_per_session(app, client, clock):
    clock.set(local(DAY2, 9, 5))
    p = build_programme(app)
    release(app, p.world)
    place(app, p.world, U, "Saal", local(DAY2, 14, 30))  # version 2: the changes page reads version 1 too
    release(app, p.world, now=T + timedelta(hours=1))
    paths = [PROGRAMME, f"{PROGRAMME}?theme={p.theme_ids[0]}&venue={p.villa_id}", f"{PROGRAMME}sessions/{p.sid(A)}/",
             f"{PROGRAMME}speakers/{p.pid(A)}/", f"{PROGRAMME}venues/{p.druckerei_id}/", f"{PROGRAMME}now/",
             f"{PROGRAMME}changes/", f"{PROGRAMME}print/{p.druckerei_id}/2025-02-06/", f"{BASE}/"]
    small = {path: queries(app, client, path) for path in paths}
    add_sessions(app, p.world, 12)
    release(app, p.world, now=T + timedelta(hours=2))
    large = {path: queries(app, client, path) for path in paths}
    print_page = f"{PROGRAMME}print/{p.druckerei_id}/2025-02-06/"
    assert len(items_titles(small[print_page][2])) == 0 and len(items_titles(large[print_page][2])) == 12
    assert "15 sessions" in text_of(page(client, f"{PROGRAMME}?lang=en"))
    assert {path: run[:2] for path, run in large.items()} == {path: run[:2] for path, run in small.items()}
    for path, (first, second, _) in large.items():
        assert second <= first, (path, first, second)
        # the event, the latest version's number, its snapshot; the changes page reads the version before too, and
        # some pages read the snapshot twice (see test_public_feeds); the event page is the call's, with its own
        assert path == f"{BASE}/" or first <= 5, (path, first)
