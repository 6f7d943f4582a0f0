"""Deadlines are enforced on the server in the event's time zone (Europe/Berlin), at the exact second."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.errors import DeadlinePassed
from review_app.mail.models import OutboxMessage

from ..factories import (
    CFP_CLOSES,
    CFP_OPENS,
    DURING_CFP,
    login,
    make_event,
    make_proposal,
    make_user,
    proposal_data,
    proposal_form,
)

ONE_SECOND = timedelta(seconds=1)
# a summer call: 2024-07-31 23:59 in Berlin is 21:59 UTC (CEST, UTC+2)
SUMMER_OPENS = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
SUMMER_CLOSES = datetime(2024, 7, 31, 21, 59, tzinfo=UTC)
SUMMER_DURING = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def test_the_default_test_event_closes_at_midnight_minus_one_minute_in_berlin_winter_time():
    from zoneinfo import ZoneInfo

    local = CFP_CLOSES.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.date(), local.hour, local.minute) == (date(2024, 12, 1), 23, 59)
    assert local.utcoffset() == timedelta(hours=1)


# ---------------------------------------------------------------- services, with now=


def test_one_second_before_closing_edit_submit_and_a_new_proposal_are_allowed(ctx):
    event = make_event()
    owner = make_user()
    proposal = make_proposal(event, owner)
    last_second = CFP_CLOSES - ONE_SECOND
    cfp.update_proposal(
        proposal, proposal_data(event, title="Last-minute title"), actor=owner, now=last_second
    )
    cfp.submit(proposal, actor=owner, now=last_second)
    other = cfp.create_proposal(
        event, proposal_data(event, title="Another one"), actor=owner, now=last_second
    )
    db.session.flush()
    assert proposal.state is ProposalState.submitted and proposal.submitted_at == last_second
    assert proposal.title == "Last-minute title"
    assert other.id is not None and other.state is ProposalState.draft


@pytest.mark.parametrize(
    "moment",
    [CFP_CLOSES, CFP_CLOSES + ONE_SECOND, CFP_CLOSES + timedelta(days=3)],
    ids=["exactly-at-closing", "one-second-after", "days-after"],
)
def test_at_and_after_closing_edit_submit_and_new_proposals_are_refused_naming_the_berlin_deadline(
    ctx, moment
):
    event = make_event()
    owner = make_user()
    draft = make_proposal(event, owner)
    submitted = make_proposal(event, owner, state=ProposalState.submitted, title="Submitted one")
    before = (
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        db.session.scalar(select(func.count()).select_from(Proposal)),
    )
    attempts = [
        lambda: cfp.update_proposal(draft, proposal_data(event, title="Too late"), actor=owner, now=moment),
        lambda: cfp.update_proposal(
            submitted, proposal_data(event, title="Too late"), actor=owner, now=moment
        ),
        lambda: cfp.submit(draft, actor=owner, now=moment),
        lambda: cfp.create_proposal(event, proposal_data(event), actor=owner, now=moment),
    ]
    for attempt in attempts:
        with pytest.raises(DeadlinePassed) as refused:
            attempt()
        assert refused.value.status == 403
        # the deadline as the speaker knows it: Berlin wall-clock time, with the zone named
        assert "01.12.2024" in refused.value.message or "Dec 1, 2024" in refused.value.message
        assert "23:59" in refused.value.message or "11:59" in refused.value.message
        assert "22:59" not in refused.value.message
        assert "23:59 MEZ" in refused.value.message  # the zone as people say it, after the time
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        db.session.scalar(select(func.count()).select_from(Proposal)),
    ) == before
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).state is ProposalState.draft
    assert db.session.get(Proposal, submitted.id).title == "Submitted one"


def test_before_the_call_opens_nothing_can_be_proposed_edited_or_submitted(ctx):
    event = make_event()
    owner = make_user()
    draft = make_proposal(event, owner)
    too_early = CFP_OPENS - ONE_SECOND
    for attempt in (
        lambda: cfp.create_proposal(event, proposal_data(event), actor=owner, now=too_early),
        lambda: cfp.update_proposal(draft, proposal_data(event), actor=owner, now=too_early),
        lambda: cfp.submit(draft, actor=owner, now=too_early),
    ):
        with pytest.raises(DeadlinePassed) as refused:
            attempt()
        assert refused.value.status == 403
    # at the opening second it works
    assert cfp.create_proposal(event, proposal_data(event), actor=owner, now=CFP_OPENS).id is not None


def test_a_summer_deadline_uses_central_european_summer_time(ctx):
    event = make_event(cfp_opens=SUMMER_OPENS, cfp_closes=SUMMER_CLOSES, starts_on=date(2024, 9, 19))
    owner = make_user()
    draft = cfp.create_proposal(event, proposal_data(event), actor=owner, now=SUMMER_DURING)
    late_draft = cfp.create_proposal(event, proposal_data(event), actor=owner, now=SUMMER_DURING)
    # 23:58:59 Berlin = 21:58:59 UTC: still open
    cfp.submit(draft, actor=owner, now=SUMMER_CLOSES - ONE_SECOND)
    assert draft.state is ProposalState.submitted
    # 23:59 Berlin = 21:59 UTC: closed, although it is only 22:59 in winter-time reckoning
    for moment in (SUMMER_CLOSES, SUMMER_CLOSES + timedelta(minutes=30)):
        with pytest.raises(DeadlinePassed) as refused:
            cfp.submit(late_draft, actor=owner, now=moment)
        message = refused.value.message
        assert "31.07.2024" in message or "Jul 31, 2024" in message
        assert "23:59" in message or "11:59" in message
        assert "21:59" not in message and "22:59" not in message
        assert "23:59 MESZ" in message
    assert late_draft.state is ProposalState.draft


# ---------------------------------------------------------------- over HTTP, with the clock fixture


def _http_world(app, **event_kwargs):
    with app.app_context():
        event = make_event(slug="scd", **event_kwargs)
        owner = make_user(email="speaker@example.org", language="de")
        now = DURING_CFP if not event_kwargs else SUMMER_DURING
        draft = cfp.create_proposal(event, proposal_data(event), actor=owner, now=now)
        db.session.commit()
        ids = SimpleNamespace(
            event=event.id,
            draft=draft.id,
            formats=[f.id for f in event.formats],
            themes=[t.id for t in event.themes],
        )
        return SimpleNamespace(email=owner.email), ids


def _form(ids, **overrides):
    return proposal_form(ids.formats[0], ids.themes[0], **overrides)


def _state(app, ids):
    with app.app_context():
        p = db.session.get(Proposal, ids.draft)
        return (
            p.title,
            p.state,
            p.version,
            db.session.scalar(select(func.count()).select_from(Proposal)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def test_over_http_one_second_before_closing_edit_submit_and_new_proposal_go_through(app, client, clock):
    owner, ids = _http_world(app)
    clock.set(CFP_CLOSES - ONE_SECOND)
    login(client, owner)
    assert client.get(f"/events/scd/proposals/{ids.draft}/edit").status_code == 200
    r = client.post(
        f"/events/scd/proposals/{ids.draft}/edit", data=_form(ids, title="Gerade noch", version="1")
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert client.post(f"/events/scd/proposals/{ids.draft}/submit").status_code == 302
    r = client.post("/events/scd/proposals/new", data=_form(ids, title="Noch einer"))
    assert r.status_code == 302
    with app.app_context():
        titles = {p.title: p.state for p in db.session.scalars(select(Proposal))}
    assert titles == {"Gerade noch": ProposalState.submitted, "Noch einer": ProposalState.draft}


@pytest.mark.parametrize("moment", [CFP_CLOSES, CFP_CLOSES + ONE_SECOND], ids=["at-closing", "after-closing"])
def test_over_http_at_and_after_closing_everything_is_refused_with_403_and_the_berlin_deadline(
    app, client, clock, moment
):
    owner, ids = _http_world(app)
    clock.set(CFP_CLOSES - timedelta(hours=1))  # logged in shortly before (a login lasts 14 days)
    login(client, owner)
    clock.set(moment)
    before = _state(app, ids)
    answers = [
        client.get(f"/events/scd/proposals/{ids.draft}/edit"),
        client.post(f"/events/scd/proposals/{ids.draft}/edit", data=_form(ids, title="Zu spät", version="1")),
        client.post(f"/events/scd/proposals/{ids.draft}/submit"),
        client.get("/events/scd/proposals/new"),
        client.post("/events/scd/proposals/new", data=_form(ids, title="Zu spät", action="submit")),
    ]
    for r in answers:
        assert r.status_code == 403
        page = r.get_data(as_text=True)
        assert "01.12.2024" in page and "23:59 MEZ" in page
        assert "22:59" not in page
    assert _state(app, ids) == before


def test_over_http_before_the_call_opens_a_new_proposal_is_refused(app, client, clock):
    owner, ids = _http_world(app)
    clock.set(DURING_CFP)
    login(client, owner)
    clock.set(CFP_OPENS - ONE_SECOND)
    before = _state(app, ids)
    assert client.get("/events/scd/proposals/new").status_code == 403
    assert client.post("/events/scd/proposals/new", data=_form(ids)).status_code == 403
    assert client.post(f"/events/scd/proposals/{ids.draft}/submit").status_code == 403
    assert _state(app, ids) == before


def test_over_http_a_summer_deadline_is_enforced_at_21_59_utc(app, client, clock):
    owner, ids = _http_world(
        app, cfp_opens=SUMMER_OPENS, cfp_closes=SUMMER_CLOSES, starts_on=date(2024, 9, 19)
    )
    clock.set(SUMMER_CLOSES - timedelta(hours=1))
    login(client, owner)
    clock.set(SUMMER_CLOSES)
    before = _state(app, ids)
    r = client.post(f"/events/scd/proposals/{ids.draft}/submit")
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    assert "31.07.2024" in page and "23:59 MESZ" in page
    assert _state(app, ids) == before
    clock.set(SUMMER_CLOSES - ONE_SECOND)
    assert client.post(f"/events/scd/proposals/{ids.draft}/submit").status_code == 302
    assert _state(app, ids)[1] is ProposalState.submitted


@pytest.mark.parametrize(
    ("kwargs", "utc_time"),
    [
        ({}, "22:59"),
        ({"cfp_opens": SUMMER_OPENS, "cfp_closes": SUMMER_CLOSES, "starts_on": date(2024, 9, 19)}, "21:59"),
    ],
    ids=["winter", "summer"],
)
def test_the_call_page_shows_the_deadline_in_berlin_local_time_not_utc(app, client, clock, kwargs, utc_time):
    _http_world(app, **kwargs)
    clock.set(SUMMER_DURING if kwargs else DURING_CFP)
    page = client.get("/events/scd/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert utc_time not in page
    # the zone as people say it, after the time: MEZ in winter, MESZ in summer
    assert ("Mittwoch, 31. Juli 2024, 23:59 MESZ" if kwargs else "Sonntag, 1. Dezember 2024, 23:59 MEZ") in page
    assert "Mitteleuropäische Zeit" in page and "Europe/Berlin" not in page
    # the English page too: CET / CEST
    page = client.get("/events/scd/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ("July 31, 2024, 23:59 CEST" if kwargs else "December 1, 2024, 23:59 CET") in page
    assert utc_time not in page  # 24-hour times in both languages
    assert "Central European Time" in page and "MEZ" not in page


def test_co_speakers_are_invited_to_drafts_only_while_the_call_is_open_and_to_accepted_sessions_later(ctx):
    event = make_event()
    owner = make_user()
    draft = make_proposal(event, owner)
    accepted = make_proposal(event, owner, state=ProposalState.accepted)
    outbox_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    with pytest.raises(DeadlinePassed):
        cfp.invite_co_speaker(draft, "late@example.org", actor=owner, now=CFP_CLOSES)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == outbox_before
    invitation = cfp.invite_co_speaker(accepted, "late@example.org", actor=owner, now=CFP_CLOSES + ONE_SECOND)
    assert invitation.email == "late@example.org" and invitation.token
    # an invitation sent in time can still be accepted after the call has closed
    invited = cfp.invite_co_speaker(draft, "intime@example.org", actor=owner, now=CFP_CLOSES - ONE_SECOND)
    guest = make_user(email="intime@example.org")
    cfp.accept_invitation(invited.token, actor=guest, now=CFP_CLOSES + timedelta(days=3))
    assert guest.id in draft.speaker_ids()
