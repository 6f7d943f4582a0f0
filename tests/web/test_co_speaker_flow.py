"""The co-speaker's way in: from the invitation to an account and back, invitations on the dashboard, declining;
and the general mechanism under it: a safe `next` page survives registering and confirming."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import Invitation, InvitationState, Proposal
from review_app.db import db
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user

INVITED = "new.person@example.org"
PASSWORD = "a good long password"


@pytest.fixture
def client(app):
    """A browser that prefers English, so that the page texts asserted below are the msgids."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def _invite(app, email=INVITED):
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(email="owner@example.org", name="Olga Owner", language="en")
        proposal = make_proposal(event, owner, title="Smart parking in Herne")
        invitation = cfp.invite_co_speaker(proposal, email, actor=owner, now=DURING_CFP)
        db.session.commit()
        return SimpleNamespace(proposal_id=proposal.id, invitation_id=invitation.id, token=invitation.token)


def _link(body: str, path: str) -> str:
    return re.search(rf"http://localhost({path}\S+)", body).group(1)


def _registration(email: str, **extra) -> dict:
    return {"name": "Nora New", "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "organisation": "Stadt Bochum", "organisation_type": "city", "city": "Bochum", "language": "en",
            "privacy_consent": "y", **extra}


def test_registering_from_an_invitation_confirming_by_mail_leads_back_to_it_and_the_invitee_accepts(
    app, client, clock, smtp_server
):
    clock.set(DURING_CFP)
    _invite(app)
    with app.app_context():
        send_pending(now=DURING_CFP)
    [invitation_mail] = smtp_server.to(INVITED)
    invitation_path = _link(invitation_mail["body"], "/invitations/")

    page = client.get(invitation_path).get_data(as_text=True)
    register_href = html.unescape(re.search(r'<a class="button" href="([^"]+)">Create an account</a>', page).group(1))
    query = parse_qs(urlsplit(register_href).query)
    assert urlsplit(register_href).path == "/register"
    assert query == {"email": [INVITED], "next": [invitation_path]}

    form = client.get(register_href).get_data(as_text=True)
    assert re.search(rf'<input[^>]*name="email"[^>]*value="{re.escape(INVITED)}"|'
                     rf'<input[^>]*value="{re.escape(INVITED)}"[^>]*name="email"', form)
    r = client.post(register_href, data=_registration(INVITED))
    assert r.status_code == 302
    with app.app_context():
        send_pending(now=DURING_CFP)
    [confirm_mail] = [m for m in smtp_server.to(INVITED) if m is not invitation_mail]
    confirm_link = _link(confirm_mail["body"], "/confirm/")
    assert parse_qs(urlsplit(confirm_link).query) == {"next": [invitation_path]}

    r = client.get(confirm_link)
    assert r.status_code == 302 and r.headers["Location"] == invitation_path
    landing = client.get(invitation_path).get_data(as_text=True)
    assert "Your email address is confirmed." in landing and "Smart parking in Herne" in landing
    login_href = html.unescape(re.search(r'<a class="button primary" href="([^"]+)">Log in</a>', landing).group(1))
    r = client.post(login_href, data={"email": INVITED, "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == invitation_path
    r = client.post(invitation_path)
    assert r.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert INVITED in {s.user.email for s in proposal.speakers}
        send_pending(now=DURING_CFP)
    assert any("has accepted your invitation" in m["body"] for m in smtp_server.to("owner@example.org"))


def test_only_a_safe_next_page_rides_along_in_the_confirmation_link(app, client, clock, smtp_server):
    clock.set(DURING_CFP)
    for i, (given, kept) in enumerate([("/events/scd/", "/events/scd/"), ("https://evil.example/", None),
                                       ("//evil.example/x", None)]):
        email = f"person{i}@example.org"
        r = client.post("/register?" + f"next={given}", data=_registration(email))
        assert r.status_code == 302
        with app.app_context():
            row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == email))
            link = _link(row.body_text, "/confirm/")
        assert parse_qs(urlsplit(link).query).get("next") == ([kept] if kept else None)
        r = client.get(link)
        assert r.headers["Location"] == (kept or "/login")


def test_pending_invitations_show_on_the_invitees_dashboard_and_can_be_accepted_there(app, client, clock):
    clock.set(DURING_CFP)
    world = _invite(app)
    with app.app_context():
        make_user(email=INVITED, language="en")
        make_user(email="other@example.org", language="en")
        db.session.commit()
    login(client, INVITED)
    page = client.get("/dashboard").get_data(as_text=True)
    section = re.search(r'<section aria-labelledby="invitations-heading".*?</section>', page, re.S).group(0)
    assert "Olga Owner invites you to present “Smart parking in Herne”" in section
    accept = f"/dashboard/invitations/{world.invitation_id}/accept"
    decline = f"/dashboard/invitations/{world.invitation_id}/decline"
    assert f'action="{accept}"' in section and f'action="{decline}"' in section
    # someone else cannot use the invitation's id
    client.post("/logout")
    login(client, "other@example.org")
    assert "invitations-heading" not in client.get("/dashboard").get_data(as_text=True)
    assert client.post(accept).status_code == 404
    client.post("/logout")
    login(client, INVITED)
    r = client.post(accept)
    assert r.status_code == 302 and r.headers["Location"] == f"/events/scd/proposals/{world.proposal_id}"
    with app.app_context():
        assert db.session.get(Invitation, world.invitation_id).state is InvitationState.accepted
    assert "invitations-heading" not in client.get("/dashboard").get_data(as_text=True)


def test_an_invitee_declines_from_the_dashboard_the_inviter_is_told_and_the_link_stops_working(
    app, client, clock, smtp_server
):
    clock.set(DURING_CFP)
    world = _invite(app)
    with app.app_context():
        make_user(email=INVITED, language="en")
        db.session.commit()
    login(client, INVITED)
    r = client.post(f"/dashboard/invitations/{world.invitation_id}/decline")
    assert r.status_code == 302
    assert "You have declined the invitation" in client.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        invitation = db.session.get(Invitation, world.invitation_id)
        assert invitation.state is InvitationState.declined and invitation.declined_at == DURING_CFP
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.decline_invitation"))
        assert entry.object_id == world.proposal_id and entry.details == {"email": INVITED}
        assert entry.actor_id == db.session.scalar(select(User.id).where(User.email == INVITED))
        assert INVITED not in {s.user.email for s in db.session.get(Proposal, world.proposal_id).speakers}
        send_pending(now=DURING_CFP)
    [told] = [m for m in smtp_server.to("owner@example.org") if "declined" in m["subject"]]
    assert told["subject"] == f"{INVITED} has declined your invitation"
    assert "Smart parking in Herne" in told["body"]
    assert f"/events/scd/proposals/{world.proposal_id}" in told["body"]
    assert client.get(f"/invitations/{world.token}").status_code == 404
    assert client.post(f"/invitations/{world.token}").status_code == 404
    # the speakers see it and may invite the address again: a new link that works
    client.post("/logout")
    login(client, "owner@example.org")
    assert f"Declined: {INVITED}" in client.get(f"/events/scd/proposals/{world.proposal_id}").get_data(as_text=True)
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        again = cfp.invite_co_speaker(proposal, INVITED, actor=proposal.speakers[0].user,
                                      now=DURING_CFP + timedelta(hours=1))
        db.session.commit()
        assert again.state is InvitationState.pending and again.declined_at is None
        token = again.token
    assert client.get(f"/invitations/{token}").status_code == 200


def test_whoever_holds_the_link_can_decline_without_an_account(app, client, clock):
    clock.set(DURING_CFP)
    world = _invite(app)
    page = client.get(f"/invitations/{world.token}").get_data(as_text=True)
    assert f'action="/invitations/{world.token}/decline"' in page
    r = client.post(f"/invitations/{world.token}/decline")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, world.invitation_id).state is InvitationState.declined
        [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "invitation_declined"))
        assert row.recipient == "owner@example.org"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.decline_invitation"))
        assert entry.actor_id is None
    # declining twice is refused: the link no longer works
    assert client.post(f"/invitations/{world.token}/decline").status_code == 404
