"""Releasing asks first, saying how many mails of each kind will go out; the speaker sees the confirmation deadline
in the event's zone next to the Confirm button; the reviewer's page leads to each event's preferences."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import force_locale
from sqlalchemy import func, select

from review_app.accounts.models import User
from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.i18n import format_in_zone
from review_app.mail.models import OutboxMessage
from review_app.review import decisions
from review_app.review.models import Decision

from ..factories import AFTER_CFP, login
from .decision_helpers import committee_event, outsider, reviewer, speaker_proposal

S = ProposalState
RELEASE = "/events/scd/manage/ranking/release"


def world(app):
    """Four proposals under review with pending decisions: accept (two speakers), reject, waitlist, and an accept
    whose proposal was withdrawn after the decision."""
    with app.app_context():
        event, chair = committee_event()
        props = {}
        for name, outcome in (("accept", "accept"), ("reject", "reject"), ("waitlist", "waitlist"),
                              ("withdrawn", "accept")):
            proposal, speaker = speaker_proposal(event, chair, f"Session {name}", language="en")
            decisions.decide(proposal, outcome, actor=chair, now=AFTER_CFP)
            props[name] = (proposal, speaker)
        co = outsider("Cleo Co")
        props["accept"][0].speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=AFTER_CFP))
        cfp.withdraw(props["withdrawn"][0], actor=props["withdrawn"][1], now=AFTER_CFP)
        db.session.commit()
        return SimpleNamespace(chair=chair.email, ids={k: p.id for k, (p, _s) in props.items()},
                               speaker=props["accept"][1].email)


def chair_client(app, w):
    c = app.test_client()
    login(c, w.chair)
    return c


def nothing_released(app) -> bool:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Decision).where(Decision.released_at.is_not(None)))
                == 0 and db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.template.like("decision_%"))) == 0)


def mail_lines(page: str) -> dict[str, str]:
    return {k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", v)).strip()
            for k, v in re.findall(r'<li data-outcome="(\w+)">(.*?)</li>', page, re.S)}


def hidden_fields(page: str) -> list[tuple[str, str]]:
    form = page.split(f'action="{RELEASE}"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)


def test_releasing_asks_first_and_says_how_many_mails_of_each_kind_go_out(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    chair = chair_client(app, w)

    asked = chair.post(RELEASE, data={"scope": "all"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert mail_lines(page) == {"accept": "2 mails – acceptance with a link to confirm (1 proposal)",
                                "waitlist": "1 mail – waiting list (1 proposal)",
                                "reject": "1 mail – rejection (1 proposal)"}
    assert "1 decision stays pending because its proposal was withdrawn." in page
    assert nothing_released(app)  # asking changes nothing

    # the page's button posts the same selection again, confirmed
    fields = hidden_fields(page)
    assert ("scope", "all") in fields
    assert 'name="confirmed" value="yes"' in page
    data: dict[str, list[str]] = {}
    for name, value in [*fields, ("confirmed", "yes")]:
        data.setdefault(name, []).append(value)
    assert chair.post(RELEASE, data=data).status_code == 302
    with app.app_context():
        states = {k: db.session.get(Proposal, pid).state for k, pid in w.ids.items()}
        templates = sorted(db.session.scalars(select(OutboxMessage.template)
                                              .where(OutboxMessage.template.like("decision_%"))))
    assert states == {"accept": S.accepted, "reject": S.rejected, "waitlist": S.waitlisted, "withdrawn": S.withdrawn}
    assert templates == ["decision_accepted"] * 2 + ["decision_rejected", "decision_waitlisted"]


def test_releasing_a_selection_asks_about_that_selection_only(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    chair = chair_client(app, w)
    page = chair.post(RELEASE, data={"scope": "selected", "proposal": [w.ids["reject"]]}).get_data(as_text=True)
    assert mail_lines(page) == {"reject": "1 mail – rejection (1 proposal)"}
    assert ("proposal", str(w.ids["reject"])) in hidden_fields(page) and ("scope", "selected") in hidden_fields(page)
    assert nothing_released(app)
    # a selection with nothing pending to release says so, and offers no button
    page = chair.post(RELEASE, data={"scope": "selected", "proposal": [w.ids["withdrawn"]]}).get_data(as_text=True)
    assert "There is no pending decision to release here." in page and 'name="confirmed"' not in page


def test_the_speaker_sees_the_confirmation_deadline_in_the_events_zone_next_to_the_button(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    with app.app_context():
        event = db.session.get(Proposal, w.ids["accept"]).event
        chair = db.session.scalar(select(User).where(User.email == w.chair))
        decisions.release(event, [w.ids["accept"]], actor=chair, now=AFTER_CFP)
        db.session.commit()
        confirm_by = db.session.get(Proposal, w.ids["accept"]).confirm_by
    assert confirm_by == AFTER_CFP + timedelta(days=14)
    with app.test_request_context(), force_locale("en"):
        deadline = format_in_zone(confirm_by, "Europe/Berlin")
    assert deadline.endswith("13:00 CET")  # 12:00 UTC, in Berlin's winter time, with the zone's name

    speaker = app.test_client()
    login(speaker, w.speaker)
    page = speaker.get(f"/events/scd/proposals/{w.ids['accept']}").get_data(as_text=True)
    actions = page.split('<div class="actions">', 1)[1].split("</div>", 1)[0]
    assert "Confirm: we will present" in actions and f"Please confirm by {deadline}." in actions

    clock.set(confirm_by + timedelta(minutes=1))  # the deadline has passed: no button, and the page says why
    login(speaker, w.speaker)  # the old session has expired meanwhile
    page = speaker.get(f"/events/scd/proposals/{w.ids['accept']}").get_data(as_text=True)
    assert "Confirm: we will present" not in page and "Please confirm by" not in page
    assert f"The deadline to confirm this session was {deadline}." in page


def test_the_reviewing_page_leads_to_each_events_preferences(app, clock):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, _chair = committee_event()
        rita = reviewer(event, "Rita").user.email
        db.session.commit()
    c = app.test_client()
    login(c, rita)
    page = c.get("/reviewing").get_data(as_text=True)
    assert 'href="/events/scd/review/preferences"' in page
