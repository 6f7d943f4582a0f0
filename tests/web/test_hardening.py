"""What a careful reviewer tried: account enumeration, stale reset links, roles, dates, deletions in use,
one-time links kept in the outbox, the proxy set-up, invitation floods."""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from review_app import create_app
from review_app.accounts.models import AccountToken, TokenPurpose, User
from review_app.cfp import services as cfp
from review_app.cfp.models import InvitationState, ProposalState
from review_app.db import db
from review_app.errors import DomainError
from review_app.events.models import EventRole, Role, Theme
from review_app.mail.models import OutboxMessage, OutboxStatus
from review_app.mail.services import REDACTED, send_pending

from ..factories import AFTER_CFP, DURING_CFP, login, make_event, make_proposal, make_user

REGISTRATION = {"name": "Anna", "password": "a good long password", "password_confirm": "a good long password",
                "organisation": "Stadt Bochum", "organisation_type": "city", "city": "Bochum", "language": "en",
                "privacy_consent": "y"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_registering_a_taken_address_answers_like_a_new_one_and_tells_only_the_owner(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        make_user(email="anna@example.org", language="en")
        db.session.commit()
    fresh = client.post("/register", data={**REGISTRATION, "email": "new@example.org"})
    taken = client.post("/register", data={**REGISTRATION, "email": "Anna@Example.org"})
    assert (fresh.status_code, fresh.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    with app.app_context():
        assert _count(User) == 2
        [warning] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.org",
                                                                  OutboxMessage.template == "account_exists"))
        assert "already have an account" in warning.body_text and "/password/forgot" in warning.body_text


def test_the_registration_form_starts_in_the_language_of_the_page(client):
    page = client.get("/register", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert re.search(r'<option selected value="en">|<option value="en" selected>', page)


def test_a_password_change_voids_a_reset_link_mailed_before(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        user = make_user(email="reset@example.org")
        db.session.commit()
    client.post("/password/forgot", data={"email": "reset@example.org"})
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reset_password"))
        link = re.search(r"http://localhost(/password/reset/\S+)", mail.body_text).group(1)
    assert client.get(link).status_code == 200
    login(client, "reset@example.org")
    r = client.post("/profile/password", data={"current_password": "correct horse battery",
                                               "password": "another long password",
                                               "password_confirm": "another long password"})
    assert r.status_code == 302
    assert client.get(link).status_code == 400
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "reset@example.org"))
        assert db.session.scalar(select(func.count()).select_from(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.reset_password,
            AccountToken.used_at.is_(None))) == 0


def test_one_time_links_do_not_stay_in_the_outbox_after_sending(app, ctx, smtp_server):
    user = make_user(email="secret@example.org", confirmed=False)
    db.session.commit()
    assert send_pending(now=DURING_CFP)["sent"] == 1
    [received] = smtp_server.to("secret@example.org")
    assert "/confirm/" in received["body"]
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert row.status is OutboxStatus.sent and row.body_text == REDACTED and "/confirm/" not in row.body_text


def test_mails_without_a_one_time_link_are_kept_as_sent(app, ctx, smtp_server):
    event = make_event()
    owner = make_user(email="keep@example.org")
    make_proposal(event, owner, state=ProposalState.submitted)
    db.session.commit()
    send_pending(now=AFTER_CFP)
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "proposal_submitted"))
    assert row.status is OutboxStatus.sent and "/events/" in row.body_text


def test_create_admin_refuses_an_existing_address_and_promote_keeps_its_password(app, client):
    with app.app_context():
        make_user(email="member@example.org")
        db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["create-admin", "--email", "member@example.org", "--name", "X",
                                  "--password", "a brand new password"])
    assert refused.exit_code != 0 and "--promote" in refused.output
    promoted = runner.invoke(args=["create-admin", "--email", "member@example.org", "--promote"])
    assert promoted.exit_code == 0 and "password is unchanged" in promoted.output
    with app.app_context():
        assert db.session.scalar(select(User.is_admin).where(User.email == "member@example.org"))
    login(client, "member@example.org")  # the old password still works


def test_proxy_fix_is_applied_only_when_configured(database_url):
    base = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url}
    assert not isinstance(create_app(base).wsgi_app, ProxyFix)
    behind = create_app({**base, "PROXY_FIX": 1}).wsgi_app
    assert isinstance(behind, ProxyFix) and behind.x_for == 1


def test_speaker_roles_are_neither_granted_nor_removed_by_hand(app, client):
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        speaker = make_user(email="speaker@example.org")
        make_proposal(event, speaker)
        db.session.commit()
        row_id = db.session.scalar(select(EventRole.id).where(EventRole.user_id == speaker.id,
                                                              EventRole.role == Role.speaker))
        chair_email = chair.email
    login(client, chair_email)
    page = client.get("/events/scd/manage/people").get_data(as_text=True)
    assert f"/manage/people/{row_id}/remove" not in page and 'value="speaker"' not in page
    assert client.post(f"/events/scd/manage/people/{row_id}/remove").status_code == 409
    assert client.post("/events/scd/manage/people", data={"email": "speaker@example.org",
                                                          "role": "speaker"}).status_code == 422
    with app.app_context():
        assert db.session.get(EventRole, row_id) is not None


def test_event_dates_outside_2000_to_2100_are_refused_not_a_500(app, client):
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        db.session.commit()
        chair_email, name = chair.email, event.name
    login(client, chair_email)
    for field, value in [("cfp_opens_at", "0001-01-01T00:00"), ("ends_on", "9999-12-31")]:
        data = {"name": "Renamed", "starts_on": "2025-02-05", "ends_on": "2025-02-06", "timezone": "Europe/Berlin",
                "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-12-01T23:59",
                "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00", field: value}
        r = client.post("/events/scd/manage/settings", data=data, headers={"Accept-Language": "en"})
        assert r.status_code == 422, field
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Theme)) > 0
        assert db.session.get(type(event), event.id).name == name


def test_a_theme_or_audience_that_proposals_use_cannot_be_deleted_and_deletion_asks_first(app, client):
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        make_proposal(event, make_user(), state=ProposalState.submitted)  # further theme: themes[1]
        db.session.commit()
        further, audience = event.themes[1].id, event.audiences[0].id
        chair_email = chair.email
    login(client, chair_email)
    ask = client.get(f"/events/scd/manage/themes/{further}/delete", headers={"Accept-Language": "en"})
    # the chair reads German; the question page already says what uses the theme, and offers no delete button
    assert ask.status_code == 200 and "Verwendet von 1 Einreichung" in ask.get_data(as_text=True)
    assert "Ja, löschen" not in ask.get_data(as_text=True)
    assert client.post(f"/events/scd/manage/themes/{further}/delete").status_code == 409
    assert client.post(f"/events/scd/manage/audiences/{audience}/delete").status_code == 409
    with app.app_context():
        assert db.session.get(Theme, further) is not None


def test_a_proposal_holds_at_most_ten_open_invitations(app, ctx):
    event = make_event()
    owner = make_user()
    proposal = make_proposal(event, owner)
    for i in range(app.config["MAX_PENDING_INVITATIONS"]):
        cfp.invite_co_speaker(proposal, f"guest{i}@example.org", actor=owner, now=DURING_CFP)
    outbox = _count(OutboxMessage)
    try:
        with force_locale("en"):
            cfp.invite_co_speaker(proposal, "one-more@example.org", actor=owner, now=DURING_CFP)
    except DomainError as err:
        assert err.status == 409 and "open invitations" in err.message
    else:
        raise AssertionError("the eleventh open invitation was accepted")
    assert _count(OutboxMessage) == outbox
    assert sum(i.state is InvitationState.pending for i in proposal.invitations) == 10


def test_an_expired_invitation_says_so_on_a_410_page(app, client, clock):
    with app.app_context():
        event = make_event()
        owner = make_user()
        proposal = make_proposal(event, owner)
        token = cfp.invite_co_speaker(proposal, "late@example.org", actor=owner, now=DURING_CFP).token
        db.session.commit()
    clock.set(DURING_CFP + timedelta(seconds=app.config["INVITATION_TTL"] + 1))
    r = client.get(f"/invitations/{token}", headers={"Accept-Language": "en"})
    page = r.get_data(as_text=True)
    assert r.status_code == 410 and "Link no longer valid" in page and "expired" in page


def test_the_confirmation_link_followed_twice_is_harmless(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        user = make_user(email="twice@example.org", confirmed=False)
        [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
        link = re.search(r"http://localhost(/confirm/\S+)", mail.body_text).group(1)
        db.session.commit()
    first, second = client.get(link), client.get(link)
    assert (first.status_code, second.status_code) == (302, 302)
    with app.app_context():
        confirmed = db.session.scalar(select(User.email_confirmed_at).where(User.email == "twice@example.org"))
        assert confirmed == DURING_CFP
