"""On a 390 px wide phone no page scrolls sideways: wide tables scroll inside their own box (a focusable, named
region), the header wraps. Checked in headless Chromium on the pages with tables and on the proposal page, with
long words in the data; axe-core checks the same pages (scrollable regions must be reachable by keyboard)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Role

from ..conftest import TEST_PASSWORD
from ..factories import CFP_OPENS, DURING_CFP, OUTSIDE, make_event, make_proposal, make_user

WIDTH = 390
SHOTS = Path(os.environ.get("NARROW_SCREENSHOTS", "test-results/narrow"))
LONG = "Datenraumübergreifendes Mobilitätsdatenmanagement"


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_no_page_scrolls_sideways_on_a_phone(app, clock, open_page, axe, locale):
    lang = locale[:2]
    clock.set(DURING_CFP)
    with app.app_context():
        chair = make_user(email="chair@beirat.example", name="Christiane Vorsitz-Langenscheidt", language=lang,
                          **OUTSIDE)
        speaker = make_user(email="speaker@example.org", name="Sebastian Referent-Wortreich", language=lang,
                            organisation="Stadtverwaltung Gelsenkirchen, Referat Digitalisierung")
        event = make_event(slug="narrow", committee=chair)
        events.grant_role(event, speaker, Role.reviewer, actor=None, now=CFP_OPENS)
        states = [ProposalState.draft, ProposalState.submitted, ProposalState.under_review,
                  ProposalState.accepted, ProposalState.waitlisted, ProposalState.rejected]
        ids = [make_proposal(event, speaker, state=state, committee=chair, title=f"{LONG} {i}",
                             project_city="Gelsenkirchen").id for i, state in enumerate(states)]
        db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(locale, viewport={"width": WIDTH, "height": 844})

    def check(path: str | None, label: str) -> None:
        if path is not None:
            response = page.goto(path)
            assert response.status == 200, f"{label}: {response.status}"
        page.screenshot(path=str(SHOTS / f"{label}-{lang}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width == WIDTH, f"{label} ({page.url}) is {width} px wide on a {WIDTH} px screen"
        # every table sits in a named region that keyboard users can scroll
        for table in page.locator("main table").all():
            box = table.locator("xpath=ancestor::div[contains(@class, 'table-scroll')][1]")
            expect(box).to_have_attribute("role", "region")
            expect(box).to_have_attribute("tabindex", "0")
            assert box.get_attribute("aria-label"), label
        axe.scan(page, f"{label} [{lang}]")

    # --- the organiser logs in and lands on the event's proposal list
    page.goto("/login")
    page.locator("#email").fill("chair@beirat.example")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/events/narrow/manage/proposals$"))
    check(None, "committee-list")
    # the list is wider than the phone: it scrolls inside its box, which the keyboard reaches
    region = page.locator("main .table-scroll")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    check(f"/events/narrow/proposals/{ids[3]}", "committee-proposal")
    check("/events/narrow/manage/people", "people")
    check("/events/narrow/manage/rooms/", "rooms")
    check("/events/narrow/manage/proposals?state=accepted&sort=title", "committee-list-filtered")

    # --- the speaker (who also reviews) on their pages
    page.locator("form[action$='/logout'] button").click()
    page.goto("/login")
    page.locator("#email").fill("speaker@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    check(None, "dashboard")
    check(f"/events/narrow/proposals/{ids[1]}", "proposal")
    check("/reviewing", "reviewing")
    axe.assert_clean()
