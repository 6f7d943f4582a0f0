"""The app needs no JavaScript: with it switched off a speaker can log in, write and submit a proposal,
switch the language and log out."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, make_event, make_user


def test_log_in_and_submit_a_proposal_without_javascript(app, clock, open_page):
    clock.set(DURING_CFP)
    with app.app_context():
        make_event(slug="nojs")
        make_user(email="nojs@example.org", name="Nora Nojs", language="en")
        db.session.commit()
    page = open_page("en-US", java_script_enabled=False)
    assert page.evaluate("1 + 1") == 2  # Playwright's own evaluation still works; the page's scripts do not
    page.goto("/login")
    assert page.locator("noscript").count() == 0  # nothing tells the user to switch JavaScript on

    page.get_by_label("Email address", exact=True).fill("nojs@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    page.goto("/events/nojs/")
    page.get_by_role("link", name="Submit a proposal").click()
    page.get_by_label("Title", exact=True).fill("Works without scripts")
    page.get_by_label("Short abstract").fill("Plain forms.")
    page.get_by_label("Description", exact=True).fill("Progressive enhancement, minus the enhancement.")
    # required choices start with "Please choose": nothing is preselected
    page.get_by_label("Session format").select_option(label="Best-practice talk (30 min)")
    page.get_by_label("Main theme").select_option(label="Data spaces")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.locator(".flashes")).to_contain_text("Your proposal is submitted.")
    expect(page.locator(".state")).to_have_text("Submitted")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("header form[action$='/logout'] button").click()
    expect(page.locator("header a[href$='/login']")).to_be_visible()

    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.title == "Works without scripts"
        assert proposal.state is ProposalState.submitted
        assert len(proposal.availability) == 2  # both event days, 09:00–18:00 by default
