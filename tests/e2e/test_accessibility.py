"""axe-core (WCAG 2.0/2.1 A and AA) on every kind of page a newcomer sees, in German and in English.

The browser's language (Accept-Language from Playwright's `locale`) and the user's preferred language pick
the page language. Elements are found by stable attributes (id, name), not by translated text, so that the
test does not depend on the state of the German catalogue."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review_app.cfp import services as cfp
from review_app.db import db
from review_app.mail.models import OutboxMessage

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, make_event, make_proposal, make_user


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_pages_have_no_axe_violations(app, clock, open_page, axe, german, live_server_url, locale):
    lang = locale[:2]
    clock.set(DURING_CFP)
    with app.app_context():
        event = make_event(slug="a11y")
        owner = make_user(email="owner@example.org", name="Olga Owner", language=lang)
        proposal = make_proposal(event, owner, description="## Ablauf\n\n- eins\n- zwei\n\n**Praxis**",
                                 notes_for_committee="Bitte nachmittags.")
        cfp.invite_co_speaker(proposal, "co@example.org", actor=owner, now=DURING_CFP)
        db.session.commit()
        invitation_mail = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.template == "co_speaker_invitation"))
        invitation_path = re.search(re.escape(live_server_url) + r"(/invitations/\S+)",
                                    invitation_mail.body_text).group(1)
        proposal_path = f"/events/a11y/proposals/{proposal.id}"
    page = open_page(locale)

    def visit(path: str, label: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response.status == status, f"{label}: {response.status} for {path}"
        scan(label)

    def scan(label: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", lang)
        axe.scan(page, f"{label} [{lang}]")

    # --- not logged in
    visit("/", "home")
    visit("/events/a11y/", "event page")
    for name in ("imprint", "privacy", "accessibility"):  # the footer's legal pages
        visit(f"/legal/{name}", f"legal page {name}")
    visit("/register", "register")
    page.locator("#submit").click()  # the empty form: every field marked
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    expect(page.locator("[role=alert]")).to_be_visible()
    scan("register with errors")
    visit("/login", "login")
    if lang == "de" and german is not None:  # the catalogue is there: the page speaks German
        expect(page.locator("h1")).to_have_text(german("Log in"))
    page.locator("#email").fill("owner@example.org")
    page.locator("#password").fill("wrong password")
    page.locator("#submit").click()
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    scan("login with errors")
    visit("/password/forgot", "forgot password")
    visit("/confirm", "resend confirmation")
    visit("/no-such-page", "404 page", status=404)
    visit(invitation_path, "invitation (not logged in)")

    # --- logged in, through the form
    page.goto("/login")
    page.locator("#email").fill("owner@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    scan("dashboard")
    visit("/events/a11y/proposals/new", "new proposal form")
    page.locator("#day0_from").fill("12:00")  # ends before it starts
    page.locator("#day0_to").fill("10:00")
    page.locator("button[name=action][value=save]").click()  # and no title
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#day0_to")).to_have_attribute("aria-describedby", "day0_to-errors")
    expect(page.locator("#day0_to-errors")).to_be_visible()
    scan("new proposal form with errors")
    visit(proposal_path, "proposal page")
    page.locator("#email").fill("not an address")
    page.locator("form[action$='/invite'] button[type=submit]").click()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    scan("proposal page with invitation error")
    visit(proposal_path + "/edit", "edit form")
    visit(proposal_path + "/conflicts", "declare a conflict of interest")
    visit(proposal_path + "/delete", "delete the draft (asks first)")
    visit(invitation_path, "invitation (logged in)")
    visit("/profile", "profile")
    visit("/profile/password", "change password")
    visit("/events/a11y/proposals/999999", "404 page (logged in)", status=404)

    assert len(axe.checked) == 25
    axe.assert_clean()
