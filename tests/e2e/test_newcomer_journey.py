"""The newcomer's journey in headless Chromium: register, confirm, propose, submit, invite a co-speaker who
registers and accepts. Real clicks and typing; only the event is created directly. axe-core checks every
page on the way (English; tests/e2e/test_accessibility.py covers German and English page by page)."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp.models import Invitation, InvitationState, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db

from ..factories import DURING_CFP, make_event

ANNA = {"name": "Anna Beispiel", "email": "anna@example.org", "password": "a good long password",
        "organisation": "Stadt Bochum", "city": "Bochum"}
BEN = {"name": "Ben Kollege", "email": "ben@example.org", "password": "another long password",
       "organisation": "Ruhr-Universität", "city": "Bochum"}
TITLE = "Open data in Bochum"


def register(page, person: dict, *, organisation_type: str = "City / municipality") -> None:
    """Fill the registration form (English labels) and send it."""
    page.get_by_label("Name", exact=True).fill(person["name"])
    page.get_by_label("Email address", exact=True).fill(person["email"])
    page.get_by_label("Password", exact=True).fill(person["password"])
    page.get_by_label("Repeat the password", exact=True).fill(person["password"])
    page.get_by_label("Organisation", exact=True).fill(person["organisation"])
    page.get_by_label("Type of organisation").select_option(label=organisation_type)
    page.get_by_label("City", exact=True).fill(person["city"])
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()


def log_in(page, person: dict) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Email address", exact=True).fill(person["email"])
    page.get_by_label("Password", exact=True).fill(person["password"])
    page.get_by_role("button", name="Log in").click()


def flash(page):
    return page.locator(".flashes")


def test_newcomer_registers_proposes_and_gains_a_co_speaker(app, clock, mailer, open_page, axe,
                                                            live_server_url):
    clock.set(DURING_CFP)
    with app.app_context():
        event = make_event(slug="scd")
        db.session.commit()
        event_name = event.name
    anna = open_page("en-US")

    # --- home → event → register (first an empty form: errors are announced and tied to the fields)
    anna.goto("/")
    expect(anna.get_by_role("heading", level=1)).to_have_text("Events")
    expect(anna.get_by_text("Call for sessions open")).to_be_visible()
    axe.check(anna, "home")
    anna.get_by_role("link", name=event_name).click()
    expect(anna).to_have_url(f"{live_server_url}/events/scd/")
    expect(anna.get_by_role("heading", level=1)).to_have_text(event_name)
    expect(anna.get_by_role("link", name="Submit a proposal")).to_be_visible()
    axe.check(anna, "event page")
    anna.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Create an account")
    axe.check(anna, "register")
    anna.get_by_role("button", name="Create account").click()
    expect(anna.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    expect(anna.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    axe.check(anna, "register with errors")
    register(anna, ANNA)
    expect(anna).to_have_url(re.compile(r"/login$"))
    expect(flash(anna)).to_contain_text("we have sent you a mail")
    axe.check(anna, "login with flash")

    # --- not confirmed yet: the login is refused with a hint
    log_in(anna, ANNA)
    expect(anna.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(anna.locator(".field-errors")).to_contain_text("confirm")
    axe.check(anna, "login refused")

    # --- the confirmation mail, opened in the browser
    assert mailer.deliver() == 1
    mail = mailer.last_to(ANNA["email"], "confirm")
    assert mail["subject"] == "Please confirm your email address"
    anna.goto(mailer.link_in(mail, "/confirm/"))
    expect(flash(anna)).to_contain_text("Your email address is confirmed")
    log_in(anna, ANNA)
    expect(anna).to_have_url(re.compile(r"/dashboard$"))
    expect(anna.get_by_role("heading", level=1)).to_have_text("My proposals")
    expect(anna.get_by_text("You have no proposals yet.")).to_be_visible()
    axe.check(anna, "dashboard (empty)")

    # --- a new proposal, saved as a draft
    anna.get_by_role("link", name="Call for sessions", exact=True).click()
    anna.get_by_role("link", name=event_name).click()
    anna.get_by_role("link", name="Submit a proposal").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("New proposal")
    expect(anna.get_by_label("Organisation behind the project")).to_have_value(ANNA["organisation"])
    axe.check(anna, "new proposal form")
    anna.get_by_label("Title", exact=True).fill(TITLE)
    anna.get_by_label("Short abstract").fill("How Bochum opened its data, and what came of it.")
    anna.get_by_label("Description", exact=True).fill("## Outline\n\n1. Why\n2. How\n\nA *practical* report.")
    anna.get_by_label("Session format").select_option(label="Best-practice talk (30 min)")
    anna.get_by_label("Language of the session").select_option("en")
    anna.get_by_label("Main theme").select_option(label="Data spaces")
    anna.get_by_role("group", name="Further themes").get_by_label("Artificial intelligence").check()
    anna.get_by_role("group", name="Target audiences").get_by_label("Municipalities").check()
    anna.get_by_label("City of the project").fill("Bochum")
    anna.get_by_label("Partners").fill("Ruhr-Universität Bochum")
    anna.get_by_label("Stage of the project").select_option(label="Pilot")
    anna.get_by_label("Results so far").fill("Forty data sets online.")
    anna.get_by_label("What other cities can reuse").fill("The harvesting scripts.")
    # availability: the first day 10:00–12:00, not the second day
    anna.locator("#day0_from").fill("10:00")
    anna.locator("#day0_to").fill("12:00")
    anna.locator("#day1_available").uncheck()
    anna.get_by_role("button", name="Save draft").click()
    expect(flash(anna)).to_contain_text("Your draft is saved.")
    expect(anna.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(anna.locator(".state")).to_have_text("Draft")
    facts = anna.locator("dl.facts").first
    expect(facts).to_contain_text("Best-practice talk")
    expect(facts).to_contain_text("Data spaces")
    expect(facts).to_contain_text("Artificial intelligence")
    expect(facts).to_contain_text("Municipalities")
    # the description's Markdown is rendered, its headings shifted below the page's h2
    expect(anna.locator(".prose").get_by_role("heading", name="Outline", level=3)).to_be_visible()
    expect(anna.get_by_role("main")).to_contain_text("February 5, 2025, 10:00")
    axe.check(anna, "proposal page (draft)")

    # --- edit and submit
    anna.get_by_role("link", name="Edit", exact=True).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Edit proposal")
    expect(anna.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(anna.locator("#day1_available")).not_to_be_checked()
    axe.check(anna, "edit form")
    anna.get_by_label("Short abstract").fill("How Bochum opened its data in two years, and what came of it.")
    anna.get_by_role("button", name="Save and submit").click()
    expect(flash(anna)).to_contain_text("Your proposal is submitted.")
    expect(anna.locator(".state")).to_have_text("Submitted")
    expect(anna.get_by_text("in two years")).to_be_visible()
    axe.check(anna, "proposal page (submitted)")

    # --- the dashboard lists it
    anna.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    row = anna.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Best-practice talk")
    axe.check(anna, "dashboard")

    # --- invite a co-speaker (first a wrong address: the error is announced at the field)
    row.get_by_role("link", name=TITLE).click()
    anna.get_by_label("Email address of the co-speaker").fill("not an address")
    anna.get_by_role("button", name="Send invitation").click()
    expect(anna.get_by_label("Email address of the co-speaker")).to_have_attribute("aria-invalid", "true")
    axe.check(anna, "proposal page with invitation error")
    anna.get_by_label("Email address of the co-speaker").fill(BEN["email"])
    anna.get_by_role("button", name="Send invitation").click()
    expect(flash(anna)).to_contain_text(f"The invitation is on its way to {BEN['email']}")
    expect(anna.get_by_role("region", name="Co-speakers")).to_contain_text(BEN["email"])
    axe.check(anna, "proposal page with pending invitation")

    assert mailer.deliver() == 2  # "proposal submitted" to Anna, the invitation to Ben
    assert mailer.last_to(ANNA["email"], "Proposal submitted")["subject"] == f"Proposal submitted: {TITLE}"
    invitation_link = mailer.link_in(mailer.last_to(BEN["email"], "Invitation"), "/invitations/")

    # --- the co-speaker, in a browser of their own: invitation → register → confirm → log in → accept
    ben = open_page("en-US")
    ben.goto(invitation_link)
    expect(ben.get_by_role("heading", level=1)).to_have_text("Invitation to speak")
    expect(ben.get_by_role("main")).to_contain_text(f"Anna Beispiel invites you to present “{TITLE}”")
    axe.check(ben, "invitation (not logged in)")
    ben.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(ben.get_by_label("Email address", exact=True)).to_have_value(BEN["email"])  # the invited address
    register(ben, BEN, organisation_type="Research")
    expect(flash(ben)).to_contain_text("we have sent you a mail")
    assert mailer.deliver() == 1
    # the confirmation link leads back to the invitation, and logging in from there returns to it
    ben.goto(mailer.link_in(mailer.last_to(BEN["email"], "confirm"), "/confirm/"))
    expect(flash(ben)).to_contain_text("Your email address is confirmed")
    expect(ben.get_by_role("heading", level=1)).to_have_text("Invitation to speak")
    ben.get_by_role("main").get_by_role("link", name="Log in").click()
    log_in(ben, BEN)
    expect(ben.get_by_role("heading", level=1)).to_have_text("Invitation to speak")
    accept = ben.get_by_role("button", name="Accept and become a co-speaker")
    expect(accept).to_be_visible()
    axe.check(ben, "invitation (logged in)")
    accept.click()
    expect(flash(ben)).to_contain_text(f"You are now a speaker of “{TITLE}”")
    expect(ben.locator("dl.facts").first).to_contain_text(
        "Anna Beispiel (Stadt Bochum), Ben Kollege (Ruhr-Universität)")
    ben.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    expect(ben.get_by_role("row").filter(has_text=TITLE)).to_contain_text("Submitted")
    # the invitation link is used up
    ben.goto(invitation_link)
    expect(ben.get_by_role("heading", level=1)).to_have_text("Page not found")

    # --- the first speaker hears about it
    assert mailer.deliver() == 1
    accepted = mailer.last_to(ANNA["email"], "co-speaker")
    assert accepted["subject"] == "Ben Kollege is now a co-speaker"
    assert "/events/scd/proposals/" in mailer.link_in(accepted, "/events/scd/proposals/")

    # --- profile, and the language switch
    anna.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Profile")
    expect(anna.get_by_label("Organisation", exact=True)).to_have_value(ANNA["organisation"])
    axe.check(anna, "profile")
    anna.get_by_role("button", name="Deutsch").click()
    expect(anna.locator("html")).to_have_attribute("lang", "de")
    expect(anna.get_by_role("button", name="English")).to_be_visible()
    expect(anna).to_have_url(re.compile(r"/profile\??$"))
    axe.check(anna, "profile (German)")

    # --- the database agrees
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is ProposalState.submitted
        assert proposal.title == TITLE and proposal.language == "en"
        assert [t.name_en for t in proposal.further_themes] == ["Artificial intelligence"]
        assert [a.name_en for a in proposal.audiences] == ["Municipalities"]
        assert len(proposal.availability) == 1
        speakers = db.session.scalars(select(ProposalSpeaker).order_by(ProposalSpeaker.joined_at)).all()
        assert len(speakers) == 2
        users = {u.id: u for u in db.session.scalars(select(User))}
        assert [(users[s.user_id].email, s.is_submitter) for s in speakers] == [
            (ANNA["email"], True), (BEN["email"], False)]
        assert all(u.email_confirmed for u in users.values())
        invitation = db.session.scalar(select(Invitation))
        assert invitation.state is InvitationState.accepted
        assert invitation.accepted_by_id == speakers[1].user_id
