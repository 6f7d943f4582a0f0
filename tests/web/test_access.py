"""Who reaches what: hidden proposals and other events' pages answer 404, anonymous visitors log in first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import Invitation, Proposal, ProposalState
from review_app.db import db
from review_app.events.models import Audience, EventRole, ReviewCriterion, Room, SessionFormat, Theme, Venue
from review_app.mail.models import OutboxMessage

from ..factories import DURING_CFP, OUTSIDE, login, make_event, make_proposal, make_user, proposal_form

KIND_MODELS = {
    "venues": Venue,
    "rooms": Room,
    "themes": Theme,
    "audiences": Audience,
    "formats": SessionFormat,
    "criteria": ReviewCriterion,
}


@pytest.fixture
def world(app, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        # the chairs share no organisation, city or mail domain with the speakers (else conflicted with all)
        chair_a = make_user(name="Chair A", email="chair.a@committee.test", language="en", **OUTSIDE)
        chair_b = make_user(name="Chair B", email="chair.b@committee.test", language="en", **OUTSIDE)
        event_a = make_event(slug="event-a", committee=chair_a)
        event_b = make_event(slug="event-b", committee=chair_b)
        alice = make_user(name="Alice", email="alice@example.org", language="en")
        bob = make_user(name="Bob", email="bob@example.org", language="en")
        carol = make_user(name="Carol", email="carol@example.org", language="en")
        alice_draft = make_proposal(event_a, alice, title="Alice's secret draft")
        alice_submitted = make_proposal(
            event_a, alice, state=ProposalState.submitted, title="Alice submitted"
        )
        bob_draft = make_proposal(event_a, bob, title="Bob's draft")
        b_proposal = make_proposal(event_b, carol, title="Carol in event B")
        db.session.commit()
        return SimpleNamespace(
            chair_a=SimpleNamespace(email=chair_a.email, id=chair_a.id),
            chair_b=SimpleNamespace(email=chair_b.email, id=chair_b.id),
            alice=SimpleNamespace(email=alice.email, id=alice.id),
            bob=SimpleNamespace(email=bob.email, id=bob.id),
            carol=SimpleNamespace(email=carol.email, id=carol.id),
            a_id=event_a.id,
            b_id=event_b.id,
            alice_draft=alice_draft.id,
            alice_submitted=alice_submitted.id,
            bob_draft=bob_draft.id,
            b_proposal=b_proposal.id,
            a_items={
                k: db.session.scalar(select(m.id).where(m.event_id == event_a.id).limit(1))
                for k, m in KIND_MODELS.items()
            },
            b_items={
                k: db.session.scalar(select(m.id).where(m.event_id == event_b.id).limit(1))
                for k, m in KIND_MODELS.items()
            },
            formats=[f.id for f in event_a.formats],
            themes=[t.id for t in event_a.themes],
        )


def snapshot(app):
    """Every row a refused request could have touched."""
    with app.app_context():
        return (
            sorted((p.id, p.title, p.state.value, p.version) for p in db.session.scalars(select(Proposal))),
            # logging in is audited too; count the rows about proposals and event configuration
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type != "user")
            ),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
            db.session.scalar(select(func.count()).select_from(Invitation)),
            {k: db.session.scalar(select(func.count()).select_from(m)) for k, m in KIND_MODELS.items()},
            db.session.scalar(select(func.count()).select_from(EventRole)),
        )


def edit_form(world, **overrides):
    return proposal_form(world.formats[0], world.themes[0], **{"title": "Hijacked", "language": "en",
                                                                "version": "1", **overrides})


def test_a_speaker_never_reaches_another_speakers_proposal(app, client, world):
    login(client, world.bob)
    before = snapshot(app)
    base = "/events/event-a/proposals"
    for pid in (world.alice_draft, world.alice_submitted):
        answers = [
            client.get(f"{base}/{pid}"),
            client.get(f"{base}/{pid}/edit"),
            client.post(f"{base}/{pid}/edit", data=edit_form(world)),
            client.post(f"{base}/{pid}/submit"),
            client.post(f"{base}/{pid}/withdraw"),
            client.post(f"{base}/{pid}/confirm"),
            client.post(f"{base}/{pid}/decline"),
            client.post(f"{base}/{pid}/invite", data={"email": "bob@example.org"}),
        ]
        for r in answers:
            assert r.status_code == 404, r.request.path
            page = r.get_data(as_text=True)
            assert "Alice" not in page
            assert "does not exist or is not visible to you" in page
    assert snapshot(app) == before
    # his own proposal is there
    page = client.get(f"{base}/{world.bob_draft}").get_data(as_text=True)
    assert "Bob&#39;s draft" in page or "Bob's draft" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Bob" in dashboard and "Alice" not in dashboard


def test_a_proposal_id_from_another_event_is_not_found_under_this_events_slug(app, client, world):
    before = snapshot(app)
    # Carol owns the proposal, but it belongs to event B
    login(client, world.carol)
    assert client.get(f"/events/event-b/proposals/{world.b_proposal}").status_code == 200
    for r in (
        client.get(f"/events/event-a/proposals/{world.b_proposal}"),
        client.get(f"/events/event-a/proposals/{world.b_proposal}/edit"),
        client.post(f"/events/event-a/proposals/{world.b_proposal}/edit", data=edit_form(world)),
        client.post(f"/events/event-a/proposals/{world.b_proposal}/submit"),
    ):
        assert r.status_code == 404
    client.post("/logout")
    # and for the committee of A, whose event's slug it is
    login(client, world.chair_a)
    assert client.get(f"/events/event-a/proposals/{world.b_proposal}").status_code == 404
    assert snapshot(app) == before


def test_anonymous_visitors_are_sent_to_the_login_page(app, client, world):
    before = snapshot(app)
    paths = [
        ("get", "/dashboard"),
        ("get", f"/events/event-a/proposals/{world.alice_draft}"),
        ("get", f"/events/event-a/proposals/{world.alice_draft}/edit"),
        ("post", f"/events/event-a/proposals/{world.alice_draft}/submit"),
        ("post", f"/events/event-a/proposals/{world.alice_draft}/withdraw"),
        ("get", "/events/event-a/proposals/new"),
        ("get", "/events/event-a/manage/"),
        ("get", "/events/event-a/manage/proposals"),
        ("get", "/profile"),
    ]
    for method, path in paths:
        r = getattr(client, method)(path)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/login")
        assert "next=" in r.headers["Location"]
    assert snapshot(app) == before


def test_a_committee_member_of_one_event_sees_nothing_of_another(app, client, world):
    login(client, world.chair_a)
    before = snapshot(app)
    for path in (
        "/events/event-b/manage/",
        "/events/event-b/manage/proposals",
        "/events/event-b/manage/settings",
        "/events/event-b/manage/people",
        f"/events/event-b/proposals/{world.b_proposal}",
        f"/events/event-b/proposals/{world.b_proposal}/edit",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Carol" not in r.get_data(as_text=True)
    assert client.post("/events/event-b/manage/settings", data={"name": "Taken over"}).status_code == 404
    assert (
        client.post(
            "/events/event-b/manage/people", data={"email": "chair.a@committee.test", "role": "committee"}
        ).status_code
        == 404
    )
    assert snapshot(app) == before


def test_the_committee_sees_its_own_events_proposals_and_manage_pages(app, client, world):
    login(client, world.chair_a)
    listing = client.get("/events/event-a/manage/proposals")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    for title in ("Alice&#39;s secret draft", "Alice submitted", "Bob&#39;s draft"):
        assert title in page
    assert "Carol in event B" not in page
    r = client.get(f"/events/event-a/proposals/{world.alice_submitted}")
    assert r.status_code == 200 and "Alice submitted" in r.get_data(as_text=True)
    for path in (
        "/events/event-a/manage/",
        "/events/event-a/manage/settings",
        "/events/event-a/manage/people",
        "/events/event-a/manage/travel-times",
    ):
        assert client.get(path).status_code == 200, path
    # a committee member may look, but not act for the speakers
    before = snapshot(app)
    assert client.post(f"/events/event-a/proposals/{world.alice_submitted}/withdraw").status_code == 403
    assert snapshot(app) == before


def test_a_co_speaker_who_accepted_sees_and_can_edit_the_proposal(app, client, world):
    with app.app_context():
        from review_app.accounts.models import User

        proposal = db.session.get(Proposal, world.alice_draft)
        alice = db.session.get(User, world.alice.id)
        cfp.invite_co_speaker(proposal, "bob@example.org", actor=alice, now=DURING_CFP)
        db.session.flush()
        # the token only travels in the mail; accept through the service with a fresh one
        from review_app.accounts.services import new_token

        token, digest = new_token()
        proposal.invitations[0].token_hash = digest
        # before accepting, Bob does not see it
        db.session.commit()
    login(client, world.bob)
    assert client.get(f"/events/event-a/proposals/{world.alice_draft}").status_code == 404
    r = client.post(f"/invitations/{token}")
    assert r.status_code == 302
    page = client.get(f"/events/event-a/proposals/{world.alice_draft}").get_data(as_text=True)
    assert "Alice&#39;s secret draft" in page
    r = client.post(
        f"/events/event-a/proposals/{world.alice_draft}/edit",
        data=edit_form(world, title="Edited by the co-speaker"),
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    with app.app_context():
        proposal = db.session.get(Proposal, world.alice_draft)
        assert proposal.title == "Edited by the co-speaker"
        assert proposal.speaker_ids() == {world.alice.id, world.bob.id}
    assert "Edited by the co-speaker" in client.get("/dashboard").get_data(as_text=True)


def manage_routes(world, slug="event-a", items=None):
    items = items or world.a_items
    routes = [
        ("get", f"/events/{slug}/manage/"),
        ("get", f"/events/{slug}/manage/settings"),
        ("post", f"/events/{slug}/manage/settings"),
        ("get", f"/events/{slug}/manage/travel-times"),
        ("post", f"/events/{slug}/manage/travel-times"),
        ("get", f"/events/{slug}/manage/people"),
        ("post", f"/events/{slug}/manage/people"),
        ("get", f"/events/{slug}/manage/proposals"),
    ]
    for kind, item_id in items.items():
        routes += [
            ("get", f"/events/{slug}/manage/{kind}/"),
            ("get", f"/events/{slug}/manage/{kind}/new"),
            ("post", f"/events/{slug}/manage/{kind}/new"),
            ("get", f"/events/{slug}/manage/{kind}/{item_id}/edit"),
            ("post", f"/events/{slug}/manage/{kind}/{item_id}/edit"),
            ("post", f"/events/{slug}/manage/{kind}/{item_id}/delete"),
        ]
    return routes


def test_every_manage_route_answers_404_to_a_plain_speaker(app, client, world):
    with app.app_context():
        role_id = db.session.scalar(select(EventRole.id).where(EventRole.event_id == world.a_id))
    login(client, world.alice)
    before = snapshot(app)
    routes = [*manage_routes(world), ("post", f"/events/event-a/manage/people/{role_id}/remove")]
    assert len(routes) == 8 + 6 * len(KIND_MODELS) + 1
    for method, path in routes:
        r = getattr(client, method)(
            path,
            **(
                {"data": {"name": "x", "email": "alice@example.org", "role": "committee"}}
                if method == "post"
                else {}
            ),
        )
        assert r.status_code == 404, (method, path)
    assert snapshot(app) == before


def test_an_item_of_another_event_is_not_found_under_this_events_slug(app, client, world):
    login(client, world.chair_a)
    before = snapshot(app)
    for kind, b_item in world.b_items.items():
        assert client.get(f"/events/event-a/manage/{kind}/{world.a_items[kind]}/edit").status_code == 200, (
            kind
        )
        for method, path in [
            ("get", f"/events/event-a/manage/{kind}/{b_item}/edit"),
            ("post", f"/events/event-a/manage/{kind}/{b_item}/edit"),
            ("post", f"/events/event-a/manage/{kind}/{b_item}/delete"),
        ]:
            assert (
                getattr(client, method)(
                    path, **({"data": {"name": "x"}} if method == "post" else {})
                ).status_code
                == 404
            ), (method, path)
    with app.app_context():
        role_b = db.session.scalar(select(EventRole.id).where(EventRole.event_id == world.b_id))
    assert client.post(f"/events/event-a/manage/people/{role_b}/remove").status_code == 404
    assert snapshot(app) == before
