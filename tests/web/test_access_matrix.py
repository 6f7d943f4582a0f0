"""Every route × every method × ten roles: the answer each role gets is the one declared in access_rules; a route
without a declaration fails; refused requests change no row and show nothing secret; another event's objects
under this event's address are not found; no answer is a 5xx."""
from __future__ import annotations

import os
import re
from html import unescape

import pytest
from flask import url_for

from .access_rules import ACCEPTED, LOGIN, REDIRECT, TO_LOGIN, Decl, declarations
from .access_world import ROLES, World, build, changed_tables, raw_dump, restore, set_blind

IGNORED_ENDPOINTS = {"static"}  # assets; every other endpoint is declared
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# pages that show a proposal to its reviewers: under blind review they name none of its speakers
BLIND_PAGES = {"review.review", "review.reviewing", "review_committee.preferences"}
ALLOWED = {200, ACCEPTED, REDIRECT, TO_LOGIN}

CASES = [(endpoint, method) for endpoint, decl in sorted(declarations().items()) for method in decl.answers]


@pytest.fixture(scope="module")
def built(app) -> World:
    """The world, built once per module; each test puts its rows back before it starts."""
    restore_empty(app)
    world = build(app)
    restore(app, world.rows)  # compared as restored (a JSON column's NULL comes back as JSON null)
    with app.app_context():
        world.raw = raw_dump()
    return world


def restore_empty(app):
    from ..conftest import empty_database

    with app.app_context():
        empty_database()


@pytest.fixture
def world(app, built) -> World:
    restore(app, built.rows)
    return built


def variants(decl: Decl) -> list:
    return decl.params if isinstance(decl.params, list) else [decl.params]


def build_url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def client_for(app, world: World, role: str):
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.sessions[role]
            session["_fresh"] = True
    return client


def is_login_redirect(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and re.match(r"^(https?://[^/]+)?/login(\?|$)", location) is not None


def meets(response, expected) -> bool:
    status = response.status_code
    if expected in (LOGIN, TO_LOGIN):
        return is_login_redirect(response)
    if expected == REDIRECT:
        return status in (301, 302, 303) and not is_login_redirect(response)
    if expected == ACCEPTED:
        if is_login_redirect(response):
            return False
        return 200 <= status < 400 or status in (400, 409, 410, 422)
    return status == expected


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def ask(app, world: World, role: str, method: str, url: str, data: dict, *, blind_event: int, revealed=()):
    client = client_for(app, world, role)
    if role == "blind_reviewer":
        set_blind(app, blind_event, True)
    try:
        response = client.open(url, method=method, data=data if method != "GET" else None)
    finally:
        if role == "blind_reviewer":
            set_blind(app, blind_event, False)
    assert response.status_code < 500, (role, method, url, response.status_code, page_text(response)[:2000])
    check_secrets(world, role, method, url, response, revealed)
    if os.environ.get("ACCESS_MATRIX_LOG"):  # every answer, for reading the matrix as it is
        with open(os.environ["ACCESS_MATRIX_LOG"], "a") as log:
            log.write(f"{method}\t{url}\t{role}\t{response.status_code}\t{response.headers.get('Location', '')}\n")
    return response


def describe(role, method, url, response, expected) -> str:
    return (f"{role} {method} {url}: expected {expected}, got {response.status_code} "
            f"{response.headers.get('Location', '')} {re.sub(r'<[^>]+>', ' ', page_text(response))[:600]!r}")


def check_refused(app, world: World, role, method, url, response):
    """A refused request stored nothing."""
    changed = changed_tables(app, world.raw)
    assert not changed, f"{role} {method} {url} was refused ({response.status_code}) but changed {changed}"


def check_secrets(world: World, role, method, url, response, revealed=()):
    """No answer, allowed or refused, shows a role a text it may not read (the proposals it may not see, the
    committee's comments, conflict reasons)."""
    if response.mimetype not in ("text/html", "application/json", "text/csv", "text/calendar", "application/xml",
                                 "text/xml", "text/plain"):
        return
    body = page_text(response)
    leaked = [text for text, readers in world.secrets.items()
              if role not in readers and text not in revealed and text in body]
    assert not leaked, f"{role} {method} {url} ({response.status_code}) shows {leaked}"


@pytest.mark.parametrize(("endpoint", "method"), CASES, ids=[f"{e}-{m}" for e, m in CASES])
def test_each_role_gets_the_declared_answer(app, clock, world, endpoint, method):
    assert endpoint in app.view_functions, f"{endpoint} is declared but no longer a route"
    decl = declarations()[endpoint]
    clock.set(decl.clock)
    answers = decl.answers[method]
    assert set(answers) == set(ROLES)
    dirty = False
    for fill in variants(decl):
        url = build_url(app, endpoint, fill(world.a, world))
        data = decl.data(world.a, world)
        revealed = decl.reveals(world.a, world)
        if dirty:
            restore(app, world.rows)
            dirty = False
        # refused first, on the world as built: each leaves every row as it was
        for role in ROLES:
            expected = answers[role]
            if expected in ALLOWED:
                continue
            response = ask(app, world, role, method, url, data, blind_event=world.a.id, revealed=revealed)
            assert meets(response, expected), describe(role, method, url, response, expected)
            check_refused(app, world, role, method, url, response)
        # the other event's objects under this event's address: not found (or first the login page)
        values = fill(world.b, world)
        if "slug" in values:
            values["slug"] = world.a.slug
        if decl.foreign and values != fill(world.a, world):
            foreign_url = build_url(app, endpoint, values)
            for role in ROLES:
                expected = LOGIN if answers[role] == LOGIN else 404
                response = ask(app, world, role, method, foreign_url, decl.data(world.b, world),
                               blind_event=world.a.id)
                assert meets(response, expected), describe(role, method, foreign_url, response, expected)
                check_refused(app, world, role, method, foreign_url, response)
        # then the roles allowed, each on a fresh world where the request changes one
        first = True
        for role in ROLES:
            expected = answers[role]
            if expected not in ALLOWED:
                continue
            if method in decl.changes and not first:
                restore(app, world.rows)
            first = False
            response = ask(app, world, role, method, url, data, blind_event=world.a.id, revealed=revealed)
            dirty = True
            assert meets(response, expected), describe(role, method, url, response, expected)
            if response.status_code == 200 and response.mimetype == "text/html":
                body = page_text(response)
                for text in decl.shows(world.a, world):
                    assert text in body, f"{role} {method} {url} does not show {text!r}"
                if role == "blind_reviewer" and endpoint in BLIND_PAGES:
                    named = [world.names[r] for r in ("owner", "co_speaker") if world.names[r] in body]
                    assert not named, f"blind review, yet {url} names the speakers {named}"
                if role == "reviewer" and endpoint == "review.review":  # without blind review it does
                    assert world.names["owner"] in body and world.names["co_speaker"] in body


def test_every_route_is_declared(app, world):
    """Each rule of the URL map (static assets aside) has a declaration for each of its methods, and some declared
    URL reaches it."""
    decls = declarations()
    missing, methods_missing, unreached = [], [], []
    reached = set()
    adapter = app.url_map.bind("localhost")
    for endpoint, decl in decls.items():
        if endpoint not in app.view_functions:
            continue
        for fill in variants(decl):
            for objects in (world.a,):
                url = build_url(app, endpoint, fill(objects, world))
                for method in decl.answers:
                    rule, _args = adapter.match(url.split("?")[0], method=method, return_rule=True)
                    reached.add((rule.rule, method))
    for rule in app.url_map.iter_rules():
        if rule.endpoint in IGNORED_ENDPOINTS:
            continue
        if rule.endpoint not in decls:
            missing.append(f"{rule.endpoint} ({rule.rule})")
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method not in decls[rule.endpoint].answers:
                methods_missing.append(f"{rule.endpoint} {method}")
            elif (rule.rule, method) not in reached:
                unreached.append(f"{rule.endpoint} {method} {rule.rule}")
    assert not missing, f"routes without a declaration in access_rules: {missing}"
    assert not methods_missing, f"methods without a declaration: {methods_missing}"
    assert not unreached, f"rules no declared URL reaches: {unreached}"
    stale = [e for e in decls if e not in app.view_functions]
    assert not stale, f"declared endpoints that are no longer routes: {stale}"


# --- fields a role may not set change nothing ------------------------------------------------------------------

# what a hostile form adds: columns no form offers (state, owner, role, event, version, admin flag …)
SMUGGLED = {"state": "confirmed", "event_id": "{b_event}", "owner_id": "{other}", "user_id": "{other}",
            "submitted_by_id": "{other}", "role": "committee", "is_admin": "1", "id": "999", "email": "x@evil.test",
            "assignment_id": "{b_assignment}", "reviewer_id": "{other}", "proposal_id_extra": "1",
            "decided_by_id": "{other}", "released_at": "2024-12-01T00:00", "confirm_by": "2030-01-01T00:00",
            "deactivated_at": "", "created_at": "2000-01-01T00:00", "lane": "7", "updated_by_id": "{other}"}


def smuggled(world: World, **keep) -> dict:
    values = {k: v.format(b_event=world.b.id, other=world.users["other_speaker"], b_assignment=world.b.assignment)
              for k, v in SMUGGLED.items()}
    values.update(keep)
    return values


def row_of(app, model, key) -> dict:
    from review_app.db import db

    with app.app_context():
        obj = db.session.get(model, key)
        return {c.name: getattr(obj, c.name) for c in obj.__table__.columns}


def test_fields_a_role_may_not_set_change_nothing(app, clock, world):
    """The proposal edit, profile, review, decision and schedule forms, posted by a role allowed to post them with
    extra fields: what the form offers is saved, every other column stays as it was."""
    from sqlalchemy import select

    from review_app.accounts.models import User
    from review_app.cfp.models import Proposal, ProposalSpeaker
    from review_app.db import db
    from review_app.review.models import Assignment, Decision, Review
    from review_app.schedule.models import ScheduleEntry

    from ..factories import AFTER_CFP, DURING_CFP, proposal_form

    a = world.a
    with app.app_context():
        draft = db.session.get(Proposal, a.draft)
        format_id, theme_id, version = draft.format_id, draft.main_theme_id, draft.version
        speakers_before = sorted((s.user_id, s.is_submitter) for s in draft.speakers)

    # the owner edits the draft while the call is open
    clock.set(DURING_CFP)
    before = row_of(app, Proposal, a.draft)
    r = client_for(app, world, "owner").post(
        f"/events/{a.slug}/proposals/{a.draft}/edit",
        data=proposal_form(format_id, theme_id, **smuggled(world, title="Edited by the owner",
                                                           version=str(version))))
    assert r.status_code == 302, page_text(r)[:1500]
    after = row_of(app, Proposal, a.draft)
    assert after["title"] == "Edited by the owner"
    for column in ("state", "event_id", "id", "created_at", "submitted_at", "anonymised_at"):
        if column in before:
            assert after[column] == before[column], column
    assert after["version"] == before["version"] + 1  # one save, not the version sent
    with app.app_context():
        assert sorted((s.user_id, s.is_submitter) for s in db.session.scalars(
            select(ProposalSpeaker).where(ProposalSpeaker.proposal_id == a.draft))) == speakers_before

    # the owner's profile: name saved; address, admin flag and the rest untouched
    clock.set(AFTER_CFP)
    before = row_of(app, User, world.users["owner"])
    r = client_for(app, world, "owner").post("/profile", data=smuggled(
        world, name="Olga Renamed", organisation="Owner Works", organisation_type="company", city="Ownerton",
        bio="", language="en"))
    assert r.status_code == 302, page_text(r)[:1500]
    after = row_of(app, User, world.users["owner"])
    assert after["name"] == "Olga Renamed"
    for column in ("email", "is_admin", "id", "created_at", "deactivated_at", "deleted_at", "password_hash",
                   "email_confirmed_at"):
        assert after[column] == before[column], column

    # the blind reviewer drafts her review: it is hers, for her assignment, a draft
    with app.app_context():
        assignment = db.session.get(Assignment, a.open_assignment)
        assignment_before = (assignment.reviewer_id, assignment.proposal_id)
    r = client_for(app, world, "blind_reviewer").post(
        f"/events/{a.slug}/reviews/{a.review}", data=smuggled(world, comment_committee="Looks fine.", version="",
                                                               proposal_id=str(a.submitted)))
    assert r.status_code == 302, page_text(r)[:1500]
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.assignment_id == a.open_assignment))
        assert review is not None and review.comment_committee == "Looks fine."
        assert review.state.value == "draft" and review.submitted_at is None
        assignment = db.session.get(Assignment, a.open_assignment)
        assert (assignment.reviewer_id, assignment.proposal_id) == assignment_before
        assert db.session.scalar(select(Review).where(Review.assignment_id == world.b.assignment)).comment_committee \
            == "Committee-only event-b"

    # the committee decides: a pending decision by the member, the proposal's state as it was, event B untouched
    before = row_of(app, Proposal, a.review)
    r = client_for(app, world, "committee").post(
        f"/events/{a.slug}/manage/ranking/decide", data=smuggled(world, proposal=str(a.review), outcome="reject"))
    assert r.status_code == 302, page_text(r)[:1500]
    with app.app_context():
        decisions = list(db.session.scalars(select(Decision).where(Decision.proposal_id == a.review)))
        assert [d.outcome.value for d in decisions] == ["reject"]
        assert decisions[0].decided_by_id == world.users["committee"] and decisions[0].released_at is None
        assert not list(db.session.scalars(select(Decision).where(Decision.proposal_id == world.b.review,
                                                                  Decision.outcome != "accept")))
    after = row_of(app, Proposal, a.review)
    assert (after["state"], after["event_id"], after["confirm_by"]) == \
        (before["state"], before["event_id"], before["confirm_by"])

    # the committee moves the confirmed session: in its own event and room, at the time sent, by the member
    r = client_for(app, world, "committee").post(
        f"/events/{a.slug}/manage/schedule/place",
        data=smuggled(world, proposal_id=str(a.confirmed), room_id=str(a.room), start=f"{a.day}T15:00"))
    assert r.status_code == 302, page_text(r)[:1500]
    with app.app_context():
        entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == a.confirmed))
        assert (entry.event_id, entry.room_id, entry.lane, entry.pinned) == (a.id, a.room, 0, False)
        assert entry.updated_by_id == world.users["committee"]
        assert entry.starts_at.astimezone(entry.starts_at.tzinfo).hour == 14  # 15:00 in Berlin is 14:00 UTC
        b_entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == world.b.confirmed))
        assert b_entry.event_id == world.b.id and b_entry.starts_at.hour == 9
