"""The newcomer's path through the HTTP interface, end to end in the test client."""
from __future__ import annotations

import re

from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending

from ..factories import DURING_CFP, make_event


def test_register_confirm_submit_and_see_it_on_the_dashboard(app, client, clock, smtp_server):
    clock.set(DURING_CFP)
    with app.app_context():
        event = make_event(slug="scd")
        db.session.commit()
        formats = [f.id for f in event.formats]
        themes = [t.id for t in event.themes]
    r = client.post("/register", data={
        "name": "Anna Beispiel", "email": "Anna@Example.org", "password": "a good long password",
        "password_confirm": "a good long password", "organisation": "Stadt Bochum", "organisation_type": "city",
        "city": "Bochum", "language": "en", "privacy_consent": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert send_pending(now=DURING_CFP)["sent"] == 1
    [mail] = smtp_server.to("anna@example.org")
    assert mail["subject"] == "Please confirm your email address"
    link = re.search(r"http://localhost(/confirm/\S+)", mail["body"]).group(1)
    # not confirmed yet: no login
    r = client.post("/login", data={"email": "anna@example.org", "password": "a good long password"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 403
    assert "confirm your email" in r.get_data(as_text=True)
    assert client.get(link).status_code == 302
    r = client.post("/login", data={"email": "anna@example.org", "password": "a good long password"})
    assert r.status_code == 302
    r = client.post("/events/scd/proposals/new", data={
        "title": "Open data in Bochum", "abstract": "Short.", "description": "Long *text*.",
        "format_id": formats[0], "main_theme_id": themes[0], "language": "en", "project_stage": "pilot",
        "day0_available": "y", "day0_from": "09:00", "day0_to": "12:00", "action": "submit"})
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Open data in Bochum" in page and "Submitted" in page
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is ProposalState.submitted
        user = db.session.scalar(select(User))
        assert proposal.speakers[0].user_id == user.id
        assert {m.template for m in db.session.scalars(select(OutboxMessage))} == {
            "confirm_email", "proposal_submitted"}
