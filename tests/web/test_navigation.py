"""Each person lands where their work is after login, and the header shows exactly the areas of their roles."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Role

from ..factories import CFP_OPENS, DURING_CFP, login, make_event, make_proposal, make_user
from .test_queries import counted


@pytest.fixture
def people(app, clock):
    """One person per kind of work, all with the password of the factories; English pages."""
    clock.set(DURING_CFP)
    with app.app_context():
        def user(name, **kw):
            return make_user(name=name, email=f"{name.lower()}@example.org", language="en", **kw)

        chair, double_chair, reviewer = user("Chair"), user("Double"), user("Reviewer")
        reviewing_speaker, speaker, newcomer = user("Revspeaker"), user("Speaker"), user("Newcomer")
        admin, everything = user("Admin", admin=True), user("Everything", admin=True)
        scd = make_event(slug="scd", committee=chair)
        older = make_event(slug="scd-2024", committee=double_chair)
        events.grant_role(scd, double_chair, Role.committee, actor=None, now=CFP_OPENS)
        for person in (reviewer, reviewing_speaker, everything):
            events.grant_role(scd, person, Role.reviewer, actor=None, now=CFP_OPENS)
        events.grant_role(older, everything, Role.committee, actor=None, now=CFP_OPENS)
        events.grant_role(scd, everything, Role.committee, actor=None, now=CFP_OPENS)
        make_proposal(scd, reviewing_speaker, title="Reviewer's own proposal")
        own = make_proposal(scd, speaker, title="Speaker's proposal")
        db.session.commit()
        return SimpleNamespace(chair=chair.email, double_chair=double_chair.email, reviewer=reviewer.email,
                               reviewing_speaker=reviewing_speaker.email, speaker=speaker.email,
                               newcomer=newcomer.email, admin=admin.email, everything=everything.email,
                               scd_name=scd.name, proposal=own.id)


def header_areas(page: str) -> dict[str, str]:
    """The areas in the header's main navigation: key -> label."""
    nav = page.split('<ul class="nav">', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'data-area="([^"]+)"[^>]*>([^<]+)</a>', nav))


def current_area(page: str) -> list[str]:
    nav = page.split('<ul class="nav">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-area="([^"]+)" aria-current="page"', nav)


@pytest.mark.parametrize(("who", "landing"), [
    ("chair", "/events/scd/manage/proposals"),  # one committee: that event's proposals
    ("double_chair", "/manage/"),  # several committees: the list of their events
    ("admin", "/admin/"),  # a site admin without a committee seat
    ("everything", "/manage/"),  # admin, reviewer and on two committees: the committee work comes first
    ("reviewer", "/reviewing"),  # only a reviewer
    ("reviewing_speaker", "/dashboard"),  # a reviewer with proposals of their own
    ("speaker", "/dashboard"),
    ("newcomer", "/dashboard"),
])
def test_each_person_lands_where_their_work_is(app, client, people, who, landing):
    r = login(client, getattr(people, who))
    assert r.headers["Location"] == landing
    page = client.get(landing)
    assert page.status_code == 200
    # and logged in already, the login page sends them there too
    assert client.get("/login").headers["Location"] == landing


def test_an_explicit_safe_next_page_still_wins_and_a_hostile_one_is_ignored(app, client, people):
    r = client.post("/login?next=/profile", data={"email": people.chair, "password": "correct horse battery"})
    assert r.headers["Location"] == "/profile"
    other = app.test_client()
    r = other.post("/login?next=//evil.example/", data={"email": people.chair, "password": "correct horse battery"})
    assert r.headers["Location"] == "/events/scd/manage/proposals"


@pytest.mark.parametrize(("who", "areas"), [
    ("newcomer", {"my-proposals": "My proposals"}),
    ("speaker", {"my-proposals": "My proposals"}),
    ("reviewer", {"my-proposals": "My proposals", "reviewing": "Reviewing"}),
    ("chair", {"my-proposals": "My proposals", "committee": "EVENT"}),
    ("double_chair", {"my-proposals": "My proposals", "committee": "Manage"}),
    ("admin", {"my-proposals": "My proposals", "site-admin": "Site admin"}),
    ("everything", {"my-proposals": "My proposals", "reviewing": "Reviewing", "committee": "Manage",
                    "site-admin": "Site admin"}),
])
def test_the_header_shows_exactly_the_areas_of_the_persons_roles(app, client, people, who, areas):
    login(client, getattr(people, who))
    expected = {key: people.scd_name if label == "EVENT" else label for key, label in areas.items()}
    assert header_areas(client.get("/profile").get_data(as_text=True)) == expected


def test_anonymous_visitors_see_no_areas(app, client, people):
    page = client.get("/").get_data(as_text=True)
    assert header_areas(page) == {} and 'href="/login"' in page


def test_the_current_area_is_marked_for_assistive_technology(app, client, people):
    login(client, people.everything)
    assert current_area(client.get("/dashboard").get_data(as_text=True)) == ["my-proposals"]
    assert current_area(client.get("/reviewing").get_data(as_text=True)) == ["reviewing"]
    assert current_area(client.get("/manage/").get_data(as_text=True)) == ["committee"]
    assert current_area(client.get("/events/scd/manage/people").get_data(as_text=True)) == ["committee"]
    assert current_area(client.get("/admin/").get_data(as_text=True)) == ["site-admin"]
    assert current_area(client.get("/manage/events/new").get_data(as_text=True)) == ["site-admin"]
    # a proposal read by its committee belongs to the committee's area, not to "My proposals"
    page = client.get(f"/events/scd/proposals/{people.proposal}").get_data(as_text=True)
    assert current_area(page) == ["committee"]
    assert current_area(client.get("/profile").get_data(as_text=True)) == []
    # the event's committee pages mark theirs too
    page = client.get("/events/scd/manage/rooms/").get_data(as_text=True)
    subnav = page.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)" aria-current="page"', subnav) == ["/events/scd/manage/rooms/"]


def test_the_committee_pages_list_every_packages_links(app, client, people):
    login(client, people.chair)
    page = client.get("/events/scd/manage/").get_data(as_text=True)
    subnav = page.split('class="subnav"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)"', subnav)
    assert links[:2] == ["/events/scd/manage/", "/events/scd/manage/settings"]
    assert "/events/scd/manage/people" in links and "/events/scd/manage/proposals" in links
    # the review package's pages follow the proposals
    assert links.index("/events/scd/manage/proposals") < links.index("/events/scd/manage/ranking")


def test_the_reviewing_page_lists_the_events_reviewed_with_their_review_period(app, client, people):
    login(client, people.reviewer)
    page = client.get("/reviewing").get_data(as_text=True)
    assert people.scd_name in page and "Smart City Days" in page
    assert "Dec 2, 2024" in page and "Dec 31, 2024" in page  # review opens a day after the call, for 30 days
    assert "Your assignments will appear here once the committee assigns them." in page
    login(other := app.test_client(), people.speaker)
    assert "You are not a reviewer for any event." in other.get("/reviewing").get_data(as_text=True)


def test_the_site_admin_page_lists_every_event_and_leads_to_creating_one(app, client, people):
    login(client, people.admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/events/scd/manage/proposals"' in page and 'href="/events/scd-2024/manage/proposals"' in page
    assert 'href="/manage/events/new"' in page
    other = app.test_client()
    login(other, people.chair)
    assert other.get("/admin/").status_code == 404


def test_a_member_of_several_committees_gets_a_list_of_their_events(app, client, people):
    login(client, people.double_chair)
    page = client.get("/manage/").get_data(as_text=True)
    assert 'href="/events/scd/manage/proposals"' in page and 'href="/events/scd-2024/manage/proposals"' in page
    login(other := app.test_client(), people.chair)
    page = other.get("/manage/").get_data(as_text=True)
    assert "/events/scd-2024/" not in page


def test_the_header_costs_the_same_queries_for_one_event_and_for_six(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        person = make_user(email="busy@example.org", language="en", admin=True)
        first = make_event(slug="first", committee=person)
        events.grant_role(first, person, Role.reviewer, actor=None, now=CFP_OPENS)
        db.session.commit()
    login(client, "busy@example.org")
    pages = ["/profile", "/dashboard", "/reviewing", "/manage/", "/admin/", "/events/first/manage/proposals"]

    def counts() -> dict[str, int]:
        result = {}
        for path in pages:
            client.get(path)
            with counted(app) as statements:
                assert client.get(path).status_code == 200, path
            result[path] = len(statements)
        return result

    one = counts()
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "busy@example.org"))
        for i in range(5):
            event = make_event(slug=f"more-{i}", committee=person)
            events.grant_role(event, person, Role.reviewer, actor=None, now=CFP_OPENS)
        db.session.commit()
    six = counts()
    assert six == one
    page = client.get("/manage/").get_data(as_text=True)
    assert all(f"/events/more-{i}/manage/proposals" in page for i in range(5))
