"""The public programme in a real browser, as a citizen reads it on a phone: every page of a released programme, in
German and in English, passes axe-core and fits a 390 px screen without sideways scrolling; the programme page links
its feeds; the printable page hides the navigation when printed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.db import db
from review_app.events.models import Event
from review_app.public import cache
from review_app.schedule import autoschedule, releases

from .conftest import PhoneCheck
from .test_schedule_journey import CHAIR, PLANNING, SLUG, WIDTH, _world


def _released(app) -> dict:
    ids = _world(app, "de")
    with app.app_context():
        event = db.session.get(Event, ids["event"])
        chair = db.session.scalar(select(User).where(User.email == CHAIR))
        autoschedule.draft_schedule(event, keep_placed=False, actor=chair, now=PLANNING, time_limit=2, workers=1)
        releases.release(event, "Erste Fassung", actor=chair, now=PLANNING)
        db.session.commit()
    cache.clear()
    return ids


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_public_programme_pages_have_no_axe_violations_and_fit_a_phone(app, clock, open_page, axe, locale):
    lang = locale[:2]
    clock.set(PLANNING)
    ids = _released(app)
    check = PhoneCheck(axe, lang, WIDTH)
    base = f"/events/{SLUG}/programme"
    query = f"?lang={lang}"
    page = open_page(locale, viewport={"width": WIDTH, "height": 844})

    check.visit(page, f"{base}/{query}", "programme")
    for kind in ("application/xml", "application/json", "text/calendar", "text/csv"):
        expect(page.locator(f'link[rel=alternate][type="{kind}"]')).to_have_count(1)
        expect(page.locator(f'.feeds a[type="{kind}"]')).to_be_visible()
    page.locator("#f-language").select_option(lang if lang == "de" else "de")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]language=de"))
    check(page, "programme, filtered")
    session = ids["sessions"][0]
    check.visit(page, f"{base}/sessions/{session}/{query}", "session")
    page.locator("a[href$='session.ics']").first.wait_for()
    speaker = page.locator("a[href*='/programme/speakers/']").first.get_attribute("href")
    check.visit(page, speaker, "speaker")
    check.visit(page, f"{base}/venues/{ids['villa']}/{query}", "venue")
    check.visit(page, f"{base}/now/{query}", "now and next")
    check.visit(page, f"{base}/changes/{query}", "changes")
    check.visit(page, f"{base}/print/{ids['villa']}/{ids['day'].isoformat()}/{query}", "printable")
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    page.emulate_media(media="screen")
    # the language switch is a link: it keeps the page and changes the language
    page.locator(".lang-switch a").click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "de" else "de")

    assert len(check.checked) >= 8
    axe.assert_clean()
