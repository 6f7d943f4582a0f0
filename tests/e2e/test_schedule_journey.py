"""The schedule in a real browser: the committee drafts it automatically, moves one session to another room with the
keyboard only, and releases version 1; every schedule page, in German and in English, passes axe-core and fits a
390 px phone without sideways scrolling.

Elements are found by stable attributes (id, name, form action), not by translated text."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Room, RoomOpening, Venue
from review_app.schedule.models import ScheduleEntry, ScheduleVersion

from ..conftest import TEST_PASSWORD
from ..factories import make_event, make_proposal, make_user
from .conftest import PhoneCheck
from .test_review_journey import FOCUS_STATE

SLUG = "schedule-journey"
PLANNING = datetime(2025, 1, 20, 9, 0, tzinfo=UTC)  # after the confirmations, before the event
WIDTH = 390
CHAIR = "chair@smartcity-days.de"
TITLES = ["Open data portal", "Smart parking in Bochum", "Fibre for every school", "Heat map of the city"]


def _world(app, lang: str) -> dict:
    """An event with two rooms in the villa (open 9–18 on both days) and four confirmed sessions by different
    speakers; nothing placed yet. Returns ids."""
    with app.app_context():
        chair = make_user(email=CHAIR, name="Carla Chair", organisation="Smart City Days e. V.",
                          organisation_type="other", city="Dortmund", language=lang)
        event = make_event(slug=SLUG, committee=chair)
        villa = db.session.scalar(select(Venue).where(Venue.event_id == event.id, Venue.name == "Mulvany Villa"))
        saal = db.session.scalar(select(Room).where(Room.event_id == event.id))
        kamin = Room(event_id=event.id, venue_id=villa.id, name="Kaminzimmer", capacity=60,
                     formats=list(saal.formats))
        db.session.add(kamin)
        db.session.flush()
        for room in (saal, kamin):
            room.openings = [RoomOpening(day=day, opens=time(9), closes=time(18)) for day in event.days]
        ids = []
        for i, title in enumerate(TITLES):
            speaker = make_user(email=f"speaker{i}@org{i}.example", name=f"Speaker {i}", organisation=f"Org {i}",
                                city=f"City {i}", language=lang)
            ids.append(make_proposal(event, speaker, state=ProposalState.confirmed, committee=chair,
                                     title=title).id)
        db.session.commit()
        return {"event": event.id, "sessions": ids, "rooms": [saal.id, kamin.id], "day": event.days[0],
                "villa": villa.id}


def _log_in(page) -> None:
    page.goto("/login")
    page.locator("#email").fill(CHAIR)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _entries(app) -> dict[int, ScheduleEntry]:
    with app.app_context():
        rows = {e.proposal_id: e for e in db.session.scalars(select(ScheduleEntry))}
        for e in rows.values():
            db.session.expunge(e)
        return rows


def _tab_to(page, selector: str, unseen: list, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STATE)
        if focused is not None and not focused["outline"]:
            unseen.append(focused)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus on {page.url}")


def test_the_committee_drafts_moves_one_session_with_the_keyboard_and_releases(app, clock, open_page, mailer):
    clock.set(PLANNING)
    ids = _world(app, "en")
    page = open_page("en-US")
    _log_in(page)

    page.goto(f"/events/{SLUG}/manage/schedule/automatic")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#report-heading")).to_be_visible()
    placed = _entries(app)
    assert set(placed) == set(ids["sessions"])

    # the first session moves to the other room at the same time, if that room is free then; else the next one
    saal, kamin = ids["rooms"]
    chosen = target = None
    for pid in ids["sessions"]:
        entry = placed[pid]
        other = kamin if entry.room_id == saal else saal
        if not any(e.room_id == other and e.starts_at < entry.ends_at and entry.starts_at < e.ends_at
                   for e in placed.values()):
            chosen, target = entry, other
            break
    assert chosen is not None
    day = chosen.starts_at.date().isoformat()
    page.goto(f"/events/{SLUG}/manage/schedule/?day={day}&venue={ids['villa']}")
    unseen: list = []
    pid = chosen.proposal_id
    _tab_to(page, f"#session-{pid} summary", unseen)
    page.keyboard.press("Enter")  # opens the session's move form
    _tab_to(page, f"#room-{pid}", unseen)
    options = page.locator(f"#room-{pid} option").evaluate_all("os => os.map(o => o.value)")
    steps = options.index(str(target)) - options.index(str(chosen.room_id))
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    _tab_to(page, f"#session-{pid} form.move-form button[type=submit]", unseen)
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_be_visible()
    moved = _entries(app)[pid]
    assert (moved.room_id, moved.starts_at) == (target, chosen.starts_at)
    assert not unseen, f"elements took the focus without a visible outline: {unseen}"

    page.goto(f"/events/{SLUG}/manage/schedule/release")
    page.locator("#comment").fill("The first programme.")
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/schedule/versions"))
    with app.app_context():
        [version] = db.session.scalars(select(ScheduleVersion)).all()
        assert version.number == 1 and {s["id"] for s in version.snapshot["sessions"]} == set(ids["sessions"])
        assert version.comment == "The first programme."
    assert mailer.deliver() >= len(TITLES)
    mail = mailer.last_to("speaker0@org0.example", "programme")
    assert "Mulvany Villa" in mail["body"]
    assert any(part.get_content_type() == "text/calendar" for part in mail["msg"].iter_attachments())


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_schedule_pages_have_no_axe_violations_and_fit_a_phone(app, clock, open_page, axe, locale):
    lang = locale[:2]
    clock.set(PLANNING)
    ids = _world(app, lang)
    base = f"/events/{SLUG}/manage/schedule"
    check = PhoneCheck(axe, lang, WIDTH)
    visit, checked = check.visit, check.checked

    page = open_page(locale, viewport={"width": WIDTH, "height": 844})
    _log_in(page)
    visit(page, f"{base}/", "editor, nothing placed")
    visit(page, f"{base}/automatic", "automatic draft")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#report-heading")).to_be_visible()
    check(page, "automatic draft report")
    visit(page, f"{base}/?day={ids['day'].isoformat()}&venue={ids['villa']}", "editor with sessions")
    page.locator("details summary").first.click()
    check(page, "editor with a move form open")
    visit(page, f"{base}/sessions", "sessions")
    visit(page, f"{base}/blocks", "blocks")
    page.locator("#title_de").fill("Mittagspause")
    page.locator("form.stack button[type=submit]").click()  # no times: the form answers with its errors
    expect(page.locator("[aria-invalid=true]").first).to_be_attached()
    check(page, "blocks with errors")
    visit(page, f"{base}/settings", "scheduler settings")
    visit(page, f"{base}/release", "release")
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/schedule/versions"))
    check(page, "versions")
    visit(page, f"/events/{SLUG}/proposals/{ids['sessions'][0]}/cancel", "cancel a session")
    page.locator("form.stack button[type=submit]").click()  # no reason
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    check(page, "cancel without a reason")

    assert len(checked) >= 12
    axe.assert_clean()
