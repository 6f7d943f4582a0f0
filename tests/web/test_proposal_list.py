"""The committee's proposal list: search, filters, order and counts per state, all in the address; the way from a
proposal back to the list as it was; state chips that differ by more than colour."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Event

from ..factories import DURING_CFP, OUTSIDE, login, make_event, make_proposal, make_user

LIST = "/events/scd/manage/proposals"


@pytest.fixture
def world(app, client, clock):
    """Five proposals that differ in every filtered property; the chair's client is logged in, in English."""
    clock.set(DURING_CFP)
    with app.app_context():
        chair = make_user(name="Chair", email="chair@committee.test", language="en", **OUTSIDE)  # no conflicts
        event = make_event(slug="scd", committee=chair)
        talk, workshop = event.formats
        ai, data, admin = event.themes
        anna = make_user(name="Anna Amsel", organisation="Stadt Herne", organisation_type="city")
        bert = make_user(name="Bert Bauer", organisation="Datenwerk GmbH", organisation_type="company")
        carla = make_user(name="Carla Czerny", organisation="Uni Bochum", organisation_type="research")
        rows = [  # title, owner, state, format, main theme, further themes, language, city, organisation, abstract
            ("Smarte Parkplätze", anna, ProposalState.submitted, talk, ai, [], "de", "Herne", "Stadt Herne",
             "Sensoren melden freie Plätze."),
            ("Open Data Portal", bert, ProposalState.accepted, workshop, data, [ai], "en", "Bochum",
             "Datenwerk GmbH", "Ein Portal für offene Daten."),
            ("Bürgerdienste digital", carla, ProposalState.draft, talk, admin, [], "de", "Essen", "Uni Bochum",
             "Verwaltung online."),
            ("Wärmepumpen steuern", anna, ProposalState.under_review, workshop, ai, [], "en", "Herne",
             "Stadtwerke Herne", "Lastmanagement mit Quartiersspeicher."),
            ("Ladepunkte planen", bert, ProposalState.rejected, talk, data, [], "de", "Dortmund",
             "Datenwerk GmbH", "Wo Ladesäulen hingehören."),
        ]
        ids = {}
        for i, (title, owner, state, fmt, main, further, lang, city, org, abstract) in enumerate(rows):
            p = make_proposal(event, owner, state=state, committee=chair, title=title, format_id=fmt.id,
                              main_theme_id=main.id, further_theme_ids=[t.id for t in further], language=lang,
                              project_city=city, project_organisation=org, abstract=abstract)
            if p.submitted_at is not None:  # submitted one after the other, the last one first
                p.submitted_at = DURING_CFP - timedelta(hours=i)
            ids[title] = p.id
        db.session.commit()
        world = SimpleNamespace(ids=ids, talk=talk.id, workshop=workshop.id, ai=ai.id, data=data.id,
                                event_name=event.name, anna=anna.email, chair=chair.email)
    login(client, "chair@committee.test")
    return world


def titles(page: str) -> list[str]:
    """The proposal titles in the list's table, in order."""
    if '<table class="proposal-list">' not in page:
        return []
    table = page.split('<table class="proposal-list">', 1)[1].split("</table>", 1)[0]
    return [unescape(t) for t in re.findall(r'<td><a href="/events/scd/proposals/\d+[^"]*">([^<]+)</a>', table)]


def listed(client, **args) -> tuple[int, str, list[str]]:
    r = client.get(LIST, query_string=args)
    page = r.get_data(as_text=True)
    return r.status_code, page, titles(page)


def state_chips(page: str) -> dict[str, int]:
    counts = page.split('class="state-counts"', 1)[1].split("</ul>", 1)[0]
    chips = dict(re.findall(r'data-state="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', counts))
    total = re.search(r'>All <span class="count">(\d+)</span>', counts).group(1)
    return {"all": int(total), **{state: int(n) for state, n in chips.items()}}


ALL = {"Smarte Parkplätze", "Open Data Portal", "Bürgerdienste digital", "Wärmepumpen steuern", "Ladepunkte planen"}


SEARCHES = [
    ("Parkpl", {"Smarte Parkplätze"}),  # title
    ("offene Daten", {"Open Data Portal"}),  # abstract
    ("Czerny", {"Bürgerdienste digital"}),  # a speaker's name
    ("stadtwerke", {"Wärmepumpen steuern"}),  # the project's organisation, in any case
    ("Uni Bochum", {"Bürgerdienste digital"}),  # a speaker's organisation
    ("Datenwerk", {"Open Data Portal", "Ladepunkte planen"}),
    ("ANNA", {"Smarte Parkplätze", "Wärmepumpen steuern"}),
    ("%", set()),  # a wildcard of SQL is just a character
    ("_", set()),
]


def test_the_search_looks_at_title_abstract_speakers_and_organisations(app, client, world):
    for query, expected in SEARCHES:
        status, _page, found = listed(client, q=query)
        assert status == 200 and set(found) == expected, query


def test_each_filter_narrows_the_list(app, client, world):
    assert set(listed(client)[2]) == ALL
    assert listed(client, state="accepted")[2] == ["Open Data Portal"]
    # a theme is the main theme or a further one
    assert set(listed(client, theme=world.ai)[2]) == {"Smarte Parkplätze", "Open Data Portal", "Wärmepumpen steuern"}
    assert set(listed(client, format=world.workshop)[2]) == {"Open Data Portal", "Wärmepumpen steuern"}
    assert set(listed(client, language="en")[2]) == {"Open Data Portal", "Wärmepumpen steuern"}
    assert set(listed(client, org_type="company")[2]) == {"Open Data Portal", "Ladepunkte planen"}
    assert set(listed(client, org_type="research")[2]) == {"Bürgerdienste digital"}
    assert set(listed(client, city="Herne")[2]) == {"Smarte Parkplätze", "Wärmepumpen steuern"}
    # filters combine
    assert listed(client, city="Herne", language="en", q="pumpe")[2] == ["Wärmepumpen steuern"]
    status, page, found = listed(client, city="Herne", format=world.talk, language="en")
    assert status == 200 and found == [] and "No proposal matches." in page


def test_the_city_filter_offers_the_cities_the_proposals_name(app, client, world):
    page = listed(client)[1]
    select = page.split('<select id="city"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option(?: selected)? value="([^"]*)"', select) == ["", "Bochum", "Dortmund", "Essen", "Herne"]


def test_counts_per_state_match_the_list_and_filter_it(app, client, world):
    page = listed(client)[1]
    assert state_chips(page) == {"all": 5, "draft": 1, "submitted": 1, "under_review": 1, "accepted": 1,
                                 "rejected": 1}
    # the counts follow the other filters; a state with nothing in it is left out
    page = listed(client, format=world.talk)[1]
    assert state_chips(page) == {"all": 3, "draft": 1, "submitted": 1, "rejected": 1}
    # a chip is a link that filters by its state and keeps the other filters
    link = re.search(r'<a class="state state-rejected" data-state="rejected" href="([^"]+)"', page).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {"format": [str(world.talk)], "state": ["rejected"]}
    status, page, found = listed(client, format=world.talk, state="rejected")
    assert found == ["Ladepunkte planen"]
    # the chosen state stays in the counts even when empty, marked as the current one
    page = listed(client, format=world.talk, state="accepted")[1]
    assert state_chips(page)["accepted"] == 0 and 'data-state="accepted" href' in page
    assert re.search(r'data-state="accepted" href="[^"]+" aria-current="page"', page)


@pytest.mark.parametrize(("sort", "expected"), [
    ("title", ["Bürgerdienste digital", "Ladepunkte planen", "Open Data Portal", "Smarte Parkplätze",
               "Wärmepumpen steuern"]),
    # the life cycle's order: draft, submitted, under review, accepted, rejected
    ("state", ["Bürgerdienste digital", "Smarte Parkplätze", "Wärmepumpen steuern", "Open Data Portal",
               "Ladepunkte planen"]),
    # the earliest submitted first; a draft was never submitted and comes last
    ("submitted", ["Ladepunkte planen", "Wärmepumpen steuern", "Open Data Portal", "Smarte Parkplätze",
                   "Bürgerdienste digital"]),
])
def test_the_list_sorts_both_ways(app, client, world, sort, expected):
    assert listed(client, sort=sort)[2] == expected
    descending = listed(client, sort=sort, dir="desc")[2]
    if sort == "submitted":  # drafts stay last either way
        assert descending == [*reversed(expected[:-1]), expected[-1]]
    else:
        assert descending == list(reversed(expected))


def test_sorting_by_format_and_theme_uses_the_names_in_the_page_language(app, client, world):
    # English: "Best-practice talk" before "Workshop"; "Artificial intelligence", "Data spaces", "Digital admin…"
    by_format = listed(client, sort="format")[2]
    assert set(by_format[:3]) == {"Smarte Parkplätze", "Bürgerdienste digital", "Ladepunkte planen"}
    by_theme = listed(client, sort="theme", dir="desc")[2]
    assert by_theme[0] == "Bürgerdienste digital" and set(by_theme[-2:]) == {"Smarte Parkplätze",
                                                                             "Wärmepumpen steuern"}
    # the column headers sort too, and say how
    page = listed(client, sort="title")[1]
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="[^"]*sort=title&amp;dir=desc', page)


def test_the_filters_live_in_the_address_and_the_form_shows_them(app, client, world):
    status, page, found = listed(client, q="Herne", state="under_review", theme=world.ai, format=world.workshop,
                                 language="en", org_type="city", city="Herne", sort="title", dir="desc")
    assert status == 200 and found == ["Wärmepumpen steuern"]
    assert 'method="get"' in page
    assert re.search(r'<input[^>]*name="q"[^>]*value="Herne"', page)
    for name, value in [("state", "under_review"), ("theme", world.ai), ("format", world.workshop),
                        ("language", "en"), ("org_type", "city"), ("city", "Herne"), ("sort", "title"),
                        ("dir", "desc")]:
        select = page.split(f'<select id="{name}"', 1)[1].split("</select>", 1)[0]
        assert re.search(rf'<option selected value="{value}"|<option value="{value}" selected', select), name
    # the proposal links carry the list's address, and the proposal page leads back to exactly that list
    link = re.search(r'href="(/events/scd/proposals/\d+\?back=[^"]+)"', page).group(1).replace("&amp;", "&")
    back = parse_qs(urlsplit(link).query)["back"][0]
    assert parse_qs(urlsplit(back).query) == {
        "q": ["Herne"], "state": ["under_review"], "theme": [str(world.ai)], "format": [str(world.workshop)],
        "language": ["en"], "org_type": ["city"], "city": ["Herne"], "sort": ["title"], "dir": ["desc"]}
    proposal_page = client.get(link).get_data(as_text=True)
    assert back_link(proposal_page) == back
    assert listed(client, **{k: v[0] for k, v in parse_qs(urlsplit(back).query).items()})[2] == found
    # without filters the links stay plain
    assert "?back=" not in listed(client)[1]


HOSTILE = [
    {"state": "bogus"}, {"state": "'; DROP TABLE proposal; --"}, {"theme": "abc"}, {"theme": "99999999999999999999"},
    {"theme": "999"}, {"format": "-1"}, {"language": "xx"}, {"org_type": "martian"}, {"sort": "id"},
    {"sort": "title; DELETE"}, {"dir": "sideways"}, {"q": "a\x00b"}, {"q": "x" * 201}, {"q": "\u202eevil"},
    {"city": "y" * 121},
]


def test_hostile_filter_values_answer_400_and_name_the_field(app, client, world):
    for args in HOSTILE:
        status, page, found = listed(client, **args)
        assert status == 400, args
        assert 'class="form-error"' in page and "Please correct the marked fields." in page
        (name,) = args
        assert re.search(rf'<a href="#{name}">', page), args  # the summary leads to the field
        assert set(found) == ALL, args  # the refused value filters nothing; the rest of the page works


def test_unknown_cities_and_markup_find_nothing_and_are_shown_escaped(app, client, world):
    status, page, found = listed(client, city="<script>alert(1)</script>", q="<b>x</b>")
    assert status == 200 and found == []
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def back_link(page: str) -> str:
    crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', page, re.S).group(1)
    return re.search(r'<a href="([^"]+)" class="back-to-list">', crumb).group(1).replace("&amp;", "&")


def test_the_committee_reads_a_proposal_with_its_own_breadcrumb_and_way_back(app, client, world):
    pid = world.ids["Open Data Portal"]
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', page, re.S).group(1)
    assert "My proposals" not in crumb and world.event_name in crumb
    assert back_link(page) == LIST
    # a filtered list reached through the Referer (a link without `back`) is kept too
    came_from = f"http://localhost{LIST}?state=accepted&sort=title"
    page = client.get(f"/events/scd/proposals/{pid}", headers={"Referer": came_from}).get_data(as_text=True)
    assert back_link(page) == f"{LIST}?state=accepted&sort=title"
    # a `back` or Referer leading anywhere else is not followed
    for hostile in ("//evil.example/events/scd/manage/proposals", "/events/other/manage/proposals",
                    "https://evil.example" + LIST, f"{LIST}evil", "/dashboard"):
        page = client.get(f"/events/scd/proposals/{pid}", query_string={"back": hostile},
                          headers={"Referer": "https://evil.example" + LIST + "?q=x"}).get_data(as_text=True)
        assert back_link(page) == LIST, hostile


def test_a_speaker_on_the_committee_sees_the_speaker_breadcrumb_on_their_own_proposal(app, client, world):
    with app.app_context():
        chair = db.session.scalar(select(User).where(User.email == world.chair))
        event = db.session.scalar(select(Event).where(Event.slug == "scd"))
        own = make_proposal(event, chair, title="The chair's own talk").id
        db.session.commit()
    page = client.get(f"/events/scd/proposals/{own}").get_data(as_text=True)
    crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', page, re.S).group(1)
    assert 'href="/dashboard"' in crumb and "My proposals" in crumb and "back-to-list" not in crumb
    # and someone else's proposal, the committee's breadcrumb
    other = client.get(f"/events/scd/proposals/{world.ids['Smarte Parkplätze']}").get_data(as_text=True)
    assert 'href="/dashboard"' not in re.search(r'<p class="breadcrumb">(.*?)</p>', other, re.S).group(1)


def test_the_speaker_sees_the_speaker_breadcrumb(app, client, world):
    speaker = app.test_client()
    login(speaker, world.anna)
    page = speaker.get(f"/events/scd/proposals/{world.ids['Smarte Parkplätze']}").get_data(as_text=True)
    crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', page, re.S).group(1)
    assert 'href="/dashboard"' in crumb and "back-to-list" not in crumb


def test_state_chips_appear_wherever_a_state_is_shown(app, client, world):
    page = listed(client)[1]
    for value, label in [("draft", "Draft"), ("submitted", "Submitted"), ("under_review", "Under review"),
                         ("accepted", "Accepted"), ("rejected", "Rejected")]:
        assert f'<span class="state state-{value}">{label}</span>' in page
    speaker = app.test_client()
    login(speaker, world.anna)
    dashboard = speaker.get("/dashboard").get_data(as_text=True)
    assert '<span class="state state-submitted">' in dashboard
    assert '<span class="state state-under_review">' in dashboard
    proposal = speaker.get(f"/events/scd/proposals/{world.ids['Wärmepumpen steuern']}").get_data(as_text=True)
    assert '<span class="state state-under_review">' in proposal
