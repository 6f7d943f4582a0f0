"""The pages of the security issue in a real browser, on a 390 px phone, in German and in English: one's logins
(ending another one), one's data and the deletion page, the site admin's people page (deactivating someone),
audit log and outbox, and an event's outbox. axe-core finds no violation; the Nu HTML Checker sees each of
them (tests/e2e/html_check.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review_app.accounts.models import LoginSession, User
from review_app.db import db
from review_app.mail.models import OutboxMessage, OutboxStatus

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, make_event, make_proposal, make_user
from .conftest import PhoneCheck

WIDTH = 390


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page.locator("form[action='/logout']")).to_have_count(1)


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_account_and_admin_pages_have_no_axe_violations_and_fit_a_phone(app, clock, open_page, axe, locale):
    lang = locale[:2]
    clock.set(DURING_CFP)
    with app.app_context():
        admin = make_user(email="admin@example.org", name="Ada Admin", language=lang, admin=True)
        event = make_event(slug="secure", committee=admin)
        speaker = make_user(email="sam@example.org", name="Sam Sprecher", language=lang)
        make_proposal(event, speaker, title="Sensoren im Stadtpark")
        failed = db.session.scalars(select(OutboxMessage)).first()
        failed.status, failed.last_error, failed.event_id = OutboxStatus.failed, "550 mailbox unavailable", event.id
        db.session.commit()
        speaker_id = speaker.id
    check = PhoneCheck(axe, lang, WIDTH)
    visit = check.visit
    phone = {"viewport": {"width": WIDTH, "height": 844}}

    other_device = open_page(locale, **phone)
    _log_in(other_device, "sam@example.org")
    page = open_page(locale, **phone)
    _log_in(page, "sam@example.org")
    visit(page, "/account/sessions", "my logins")
    page.locator("form[action$='/end'] button[type=submit]").first.click()
    check(page, "my logins after ending the other one")
    with app.app_context():
        assert db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == speaker_id)
                                 .order_by(LoginSession.id)) is not None
        assert len(db.session.scalars(select(LoginSession).where(LoginSession.user_id == speaker_id)).all()) == 1
    other_device.goto("/profile")
    expect(other_device.locator("#email")).to_be_visible()  # the other device is at the login form again
    visit(page, "/profile/data", "my data")
    visit(page, "/profile/delete", "delete my account")
    page.locator("form button[type=submit]").last.click()  # no password, no tick: refused, the fields marked
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    check(page, "delete my account with errors")

    admin_page = open_page(locale, **phone)
    _log_in(admin_page, "admin@example.org")
    visit(admin_page, "/admin/people", "people")
    admin_page.locator(f"form[action='/admin/people/{speaker_id}/deactivate'] button[type=submit]").click()
    check(admin_page, "people after deactivating one")
    with app.app_context():
        assert db.session.get(User, speaker_id).deactivated_at is not None
    visit(admin_page, "/admin/people?q=sam", "people, searched")
    visit(admin_page, "/admin/audit", "audit log")
    visit(admin_page, "/admin/audit?action=user.deactivate", "audit log, filtered")
    visit(admin_page, "/admin/outbox", "outbox of the site")
    visit(admin_page, "/events/secure/manage/outbox?status=failed", "outbox of the event, failed")
    assert len(check.checked) == 12
    axe.assert_clean()
